"""The deployment inputs of a plan already written, and the re-plan of its folder (动态调整).

``xunfang plan`` writes a plan folder; re-planning during the day starts from it, not from a
new plan: :func:`read_plan_folder` reads plan.json back (the request with its pins and
deployment options, the risk table the posture used, the checkpoint schedule, the crews on
board), :func:`inputs_for_plan` prepares the posture inputs for the same scenario, slots,
risk, crews, pins and options, and :func:`posture_in_force` turns the plan's assignments
back into the posture they came from (a routed unit patrols its route's grid; a drone in
the air is ready at its post). The
intelligence, roster and checkpoint stages are not run again: their results are the plan's
record, so a re-plan with nothing new changes nothing, and it takes a fraction of a second.

:func:`replan_plan` runs the re-plan from a :class:`~.replan.ReplanState`, then the later
stages (routes, drones, video, auxiliary forces) on the new posture, and keeps every
assignment before the re-plan's first slot exactly as the plan in force has it. The crew of
a unit it takes out of service is freed from that slot on and crews the units off for want
of a crew by crewing's rules (:func:`free_crews`: ground units of their pool first, a
drone when a pilot is left over or ``[policy.drones] crew_first`` says so), each person
staying on one unit while it is off; a unit brought back in service gets its people back
from wherever the plan in force has them (:func:`return_crews`).
"""

from __future__ import annotations

import json
import math
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np

from xunfang import __version__
from xunfang.intel.stage import RiskTable
from xunfang.network import RoadNetwork
from xunfang.plan import (
    OUT_OF_SERVICE,
    Assignment,
    CameraView,
    DroneSortie,
    Plan,
    PlanError,
    Slot,
    index_runs,
)
from xunfang.planning.deploy.inputs import DeployError, Inputs, Options, Pin, prepare
from xunfang.planning.deploy.replan import (
    KEEP_WEIGHT,
    Change,
    Hot,
    ReplanState,
    changes,
    replan,
)
from xunfang.planning.deploy.solve import (
    AUXILIARY_OFF,
    BUSY,
    Posture,
    Shortfall,
    SlotSolve,
)
from xunfang.planning.drones import DroneParams, duty_in
from xunfang.planning.own_rota import OwnDuty, RotaError, duties_from_json
from xunfang.planning.pipeline import options_from_dict
from xunfang.scenario.model import STAFFED_POST_KINDS, Scenario

PLAN_FILE = "plan.json"
#: Later stages a re-plan runs on the re-planned slots only (the others run over the day);
#: the routes only when the plan in force's routes cannot be kept (see ``_kept_routes``).
TAIL_STAGES: frozenset[str] = frozenset({"routes"})
#: The note plan_posture gives a unit held at an incident; a re-plan of a re-plan keeps it so
#: (a unit out of service: ``Assignment.out_of_service``).
BUSY_NOTE = BUSY


class PlanFolderError(DeployError):
    """A plan folder that cannot be re-planned: no plan.json, a broken one, another
    scenario's."""


@dataclass(frozen=True, eq=False)
class PlanInForce:
    """A plan folder read back: the plan and what its posture was planned from."""

    folder: Path | None  # the plan folder read; None for a plan read from the store
    document: Mapping[str, Any]  # plan.json as read
    plan: Plan
    start: date
    days: int
    seed: int
    largest_component: bool
    risk_method: str
    train_days: int
    scenario_source: str  # plan.json's scenario.source ("builtin:NAME" or a folder)
    risk: RiskTable | None
    checkpoint_at: Mapping[tuple[str, int], str]  # (team, slot index) -> checkpoint post
    pins: tuple[Pin, ...]
    route_grid: Mapping[tuple[str, int], str]  # (unit, slot) -> grid of its route
    counts: np.ndarray[Any, np.dtype[np.int64]]  # (grids, slots) posture counts
    count_grids: tuple[str, ...]
    shortfalls: tuple[Shortfall, ...]
    solves: tuple[SlotSolve, ...]
    stages: Mapping[str, Any] = field(default_factory=dict)
    #: the posture's options the plan was made with (request.deploy_options_all, or for a
    #: plan.json written before it, request.deploy_options; None: today's defaults)
    deploy_options: Options | None = None
    #: the language its report was written in (plan.json's ``lang``; None: not recorded)
    lang: str | None = None
    #: how errors and the re-plan's record name the plan: its folder, or ``stored plan 7``
    label: str = ""

    @property
    def where(self) -> str:
        """Where the plan's document is, in an error: ``FOLDER/plan.json`` or the label."""
        return str(self.folder / PLAN_FILE) if self.folder is not None else self.label

    @property
    def slots(self) -> tuple[Slot, ...]:
        return self.plan.slots

    @property
    def inputs_hash(self) -> str:
        return self.plan.inputs_hash

    def scenario_name(self) -> str:
        """What to load: the built-in scenario's name, or the folder the plan came from."""
        src = self.scenario_source
        return src.split(":", 1)[1] if src.startswith("builtin:") else src


def _need(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(doc, Mapping) or key not in doc:
        raise PlanFolderError(f"{where}: no {key!r} (not a plan.json written by xunfang plan)")
    return doc[key]


def _risk_table(intel: Mapping[str, Any], where: str) -> RiskTable | None:
    if "risk" not in intel:
        return None  # the intelligence stage was skipped: every grid weighs the same
    try:
        grids = tuple(str(g) for g in intel["grids"])
        slots = tuple(str(s) for s in intel["slots"])
        risk = np.asarray(intel["risk"], dtype=np.float64).reshape(len(grids), len(slots))
        as_of = intel.get("as_of")
        return RiskTable(
            method=str(intel["method"]), chosen=intel.get("chosen"), grids=grids, slots=slots,
            risk=risk, trained_from=date.fromisoformat(str(intel["trained_from"])),
            # the first day not trained on; a plan.json of before it counted the outside
            # incidents gave the last day trained on
            trained_to=date.fromisoformat(str(intel["trained_to"])) + timedelta(
                days=0 if "incidents_outside_grids" in intel else 1),
            as_of=None if as_of is None else date.fromisoformat(str(as_of)),
            incidents_in_window=int(intel.get("incidents_in_window", 0)),
            details=dict(intel.get("details") or {}),
            incidents=int(intel.get("incidents", 0)),
            outside_grids=int(intel.get("incidents_outside_grids", 0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFolderError(f"{where}: stages.intel is not a risk table ({exc})") from exc


def read_plan_folder(folder: str | Path) -> PlanInForce:
    """Read ``folder/plan.json``; raise :class:`PlanFolderError` naming what is wrong."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanFolderError(f"PLAN_DIR {folder}: no such folder")
    path = folder / PLAN_FILE
    where = str(path)
    if not path.is_file():
        raise PlanFolderError(f"PLAN_DIR {folder}: no {PLAN_FILE} (a plan folder is written by "
                              "xunfang plan)")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanFolderError(f"{where}: not readable JSON ({exc})") from exc
    return plan_in_force(doc, where=where, folder=folder)


def plan_in_force(doc: object, *, where: str, folder: Path | None = None) -> PlanInForce:
    """A plan's plan.json document (a folder's, or one the command centre stored) as the
    plan in force of a re-plan; :class:`PlanFolderError` names ``where`` and what is wrong
    (``where`` also names the plan in the re-plan's record when there is no ``folder``)."""
    if not isinstance(doc, dict):
        raise PlanFolderError(f"{where}: not a JSON object")
    try:
        plan = Plan.from_dict(_need(doc, "plan", where))
    except PlanError as exc:
        raise PlanFolderError(f"{where}: plan: {exc}") from exc
    req = _need(doc, "request", where)
    if not isinstance(req, Mapping):
        raise PlanFolderError(f"{where}: request is not a JSON object")
    stages = _need(doc, "stages", where)
    scen = _need(doc, "scenario", where)
    try:
        start = date.fromisoformat(str(req["from"]))
        days = int(req["days"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFolderError(f"{where}: request.from/days missing or malformed ({exc})") from exc
    posture = _need(stages, "posture", f"{where}: stages")
    by_name = {s.name: s.index for s in plan.slots}
    cp_at: dict[tuple[str, int], str] = {}
    cps = stages.get("checkpoints", {})
    for v in cps.get("schedule", []) if isinstance(cps, Mapping) else []:
        if str(v["slot"]) not in by_name:
            raise PlanFolderError(f"{where}: checkpoint schedule slot {v['slot']!r} is not a "
                                  "slot of the plan")
        cp_at[(str(v["team"]), by_name[str(v["slot"])])] = str(v["site"])
    pins = _pins(req, posture, plan.slots, where)
    # every option's value when the plan recorded them (since session 7), else those that
    # differed from the defaults of the day, with today's defaults for the rest
    key = "deploy_options_all" if "deploy_options_all" in req else "deploy_options"
    try:
        options = options_from_dict(req.get(key, {}), where=f"request.{key}")
    except DeployError as exc:
        raise PlanFolderError(f"{where}: {exc}") from None
    route_grid: dict[tuple[str, int], str] = {}
    routes = stages.get("routes", {})
    for r in routes.get("routes", []) if isinstance(routes, Mapping) else []:
        route_grid[(str(r["unit"]), int(r["slot"]))] = str(r["grid"])
    try:
        counts = np.asarray(posture["counts"], dtype=np.int64)
        count_grids = tuple(str(g) for g in posture["grids"])
        if counts.size == 0:
            counts = counts.reshape(len(count_grids), len(plan.slots))
        if counts.shape != (len(count_grids), len(plan.slots)):
            raise ValueError(f"counts of shape {counts.shape} for {len(count_grids)} grids "
                             f"and {len(plan.slots)} slots")
        shortfalls = tuple(Shortfall(int(f["slot"]), str(f["start"]), str(f["duty"]),
                                     str(f["place"]), int(f["need"]), int(f["have"]),
                                     str(f["detail"])) for f in posture["shortfalls"])
        solves = tuple(SlotSolve(int(x["slot"]), str(x["status"]), float(x["objective"]),
                                 float(x["bound"]), float(x["gap"]), 0.0, int(x["columns"]),
                                 int(x["rows"])) for x in posture["solves"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFolderError(f"{where}: stages.posture is malformed ({exc})") from exc
    intel = stages.get("intel", {})
    return PlanInForce(
        folder=folder, document=doc, plan=plan, start=start, days=days, seed=plan.seed,
        largest_component=bool(req.get("largest_component", False)),
        risk_method=str(req.get("risk_method", "auto")),
        train_days=int(req.get("train_days", 365)),
        scenario_source=str(scen.get("source", "")) if isinstance(scen, Mapping) else "",
        risk=_risk_table(intel, where) if isinstance(intel, Mapping) else None,
        checkpoint_at=cp_at, pins=pins, route_grid=route_grid, counts=counts,
        count_grids=count_grids, shortfalls=shortfalls, solves=solves, stages=stages,
        deploy_options=options,
        lang=str(doc["lang"]) if doc.get("lang") in ("zh", "en") else None,
        label=str(folder) if folder is not None else where)


def _pins(req: Mapping[str, Any], posture: Mapping[str, Any], slots: Sequence[Slot],
          where: str) -> tuple[Pin, ...]:
    """The plan's pins: ``request.pins``; a plan.json written before the request carried
    them has them (when made by ``xunfang plan --pins`` or a pins.csv) in
    ``stages.posture.pins``."""
    key = "request.pins"
    doc = req.get("pins")
    if "pins" not in req:
        key, doc = "stages.posture.pins", posture.get("pins", [])
    if not isinstance(doc, list):
        raise PlanFolderError(f"{where}: {key} must be a list of pins; got {doc!r}")
    index = {s.index for s in slots}
    out: list[Pin] = []
    for i, rec in enumerate(doc):
        if not isinstance(rec, Mapping):
            raise PlanFolderError(f"{where}: {key}[{i}] must be an object (unit, post or "
                                  f"grid, slots); got {rec!r}")
        try:
            pin = Pin.from_dict(rec)
        except DeployError as exc:
            raise PlanFolderError(f"{where}: {key}[{i}]: {exc}") from None
        bad = [k for k in pin.slots if k not in index]
        if bad or not pin.slots:
            what = f"slots {bad[:5]} are not slots" if bad else "no slots: a pin holds some slots"
            raise PlanFolderError(f"{where}: {key}[{i}] (unit {pin.unit!r}): {what} of the "
                                  f"plan ({slots[0].index}..{slots[-1].index})")
        out.append(pin)
    return tuple(out)


def check_scenario(pif: PlanInForce, scenario: Scenario, *, force: bool = False) -> None:
    """The plan must come from ``scenario`` as it is now: the same inputs hash (unless
    ``force``), and always its units, grids and slot length."""
    if pif.inputs_hash != scenario.inputs_hash and not force:
        raise PlanFolderError(
            f"the plan in {pif.label} was made from other inputs than scenario "
            f"{scenario.source or scenario.name} (inputs hash {pif.inputs_hash[:12]}… in "
            f"plan.json, {scenario.inputs_hash[:12]}… now): the scenario's files changed or "
            "it is another scenario; re-plan with --force to use the scenario as it is now")
    problems = pif.plan.check(scenario)
    units = tuple(u.id for u in scenario.units)
    if pif.plan.units != units:
        problems.insert(0, "the plan's units are not the scenario's units.csv, in order")
    if any(s.minutes != scenario.slot_minutes for s in pif.slots):
        problems.insert(0, f"the plan's slots are not {scenario.slot_minutes} minutes long")
    if problems:
        raise PlanFolderError(f"the plan in {pif.label} does not fit scenario "
                              f"{scenario.source or scenario.name}: " + "; ".join(problems[:5]))


def inputs_for_plan(pif: PlanInForce, scenario: Scenario, net: RoadNetwork) -> Inputs:
    """The posture inputs of the plan: its scenario, slots, risk table, pins and deployment
    options, and its crews as the plan has them on board (a unit is on duty in a slot unless
    the plan has it ``off`` for want of a crew; a unit taken out of service stays on the
    list, and out)."""
    inp = prepare(scenario, net, pif.slots,
                  risk=None if pif.risk is None else pif.risk.risk,
                  risk_grids=None if pif.risk is None else pif.risk.grids, pins=pif.pins,
                  options=pif.deploy_options)
    plan = pif.plan
    on_duty: list[frozenset[str]] = []
    crew: dict[tuple[str, int], tuple[str, ...]] = {}
    for s in pif.slots:
        on: set[str] = set()
        for u in plan.units:
            a = plan.at(u, s.index)
            if a.duty != "off" or a.out_of_service:
                on.add(u)
            if a.crew:
                crew[(u, s.index)] = a.crew
        on_duty.append(frozenset(on))
    rostered = frozenset(u for (u, _k) in crew)
    # the units on duty with no named crew, and why, as the plan recorded them (review HR #2:
    # the re-plan's plan.json and report lost them, its crews being the plan's, not crewed)
    posture = pif.stages.get("posture")
    unnamed = posture.get("unnamed_crews") if isinstance(posture, Mapping) else None
    # the own duty lists' shifts as the plan has them: the re-plan keeps those begun
    lists = posture.get("own_duty_lists") if isinstance(posture, Mapping) else None
    kept: list[OwnDuty] = []
    had_rota = False
    for i, r in enumerate(lists if isinstance(lists, list) else []):
        rota = r.get("rota") if isinstance(r, Mapping) else None
        if isinstance(rota, Mapping):
            had_rota = True
            try:
                kept.extend(duties_from_json(rota.get("duties") or [],
                                             f"{pif.where}: posture.own_duty_lists[{i}]"))
            except RotaError as exc:
                raise PlanFolderError(str(exc)) from None
    return replace(inp, on_duty=tuple(on_duty), crew=crew, rostered_units=rostered,
                   unnamed_crews={str(u): str(why) for u, why in unnamed.items()}
                   if isinstance(unnamed, Mapping) else {},
                   rota_in_force=tuple(kept) if had_rota else None)


def crews_away_in_force(pif: PlanInForce) -> list[dict[str, Any]]:
    """The people the plan in force has away from their own unit (plan.json's
    ``stages.replan.crews_away``, or for an older re-plan its ``crews_freed``): per person
    the unit they belong to (``from``), the unit they crew instead (``to``; ``""``: aboard
    nothing, their unit out of service and no unit off to take them) and the run of slots.
    A row missing a field is an error naming it."""
    rec = pif.stages.get("replan") or {}
    key = "crews_away" if "crews_away" in rec else "crews_freed"
    out: list[dict[str, Any]] = []
    for i, m in enumerate(rec.get(key) or []):
        try:
            out.append({"person": str(m["person"]), "from": str(m["from"]),
                        "to": str(m["to"]), "first_slot": int(m["first_slot"]),
                        "last_slot": int(m["last_slot"])})
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanFolderError(f"{pif.where}: stages.replan.{key}[{i}] needs person, "
                                  f"from, to, first_slot and last_slot; got {m!r}") from exc
    return out


def _homes(away: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int], str]:
    """(person, slot index) -> the unit the person belongs to, from a ``crews_away`` list."""
    return {(m["person"], k): m["from"] for m in away
            for k in range(m["first_slot"], m["last_slot"] + 1)}


def _units_by_slot(crew: Mapping[tuple[str, int], Sequence[str]]) -> dict[int, list[str]]:
    """Slot index -> the units ``crew`` names people for in it: a slot's crews read without
    going over every slot's (a 7-day plan holds some 17,000)."""
    out: dict[int, list[str]] = {}
    for u, i in crew:
        out.setdefault(i, []).append(u)
    return out


def return_crews(pif: PlanInForce, inp: Inputs, state: ReplanState,
                 away: Sequence[Mapping[str, Any]]) -> Inputs:
    """``inp`` (:func:`inputs_for_plan`) with the people an earlier re-plan freed from a
    unit ``state`` brings back in service aboard it again from ``state.at_slot`` on,
    wherever the plan in force has them (``away``: :func:`crews_away_in_force`; review
    RV2: a motorcycle came back with no crew while its rider stayed on the one he had
    taken, one person keeping two units on duty). A unit they leave keeps the rest of its
    crew where those still crew it (:func:`~.inputs.crew_left`), else it goes off for want
    of a crew and the rest go back to their own unit's list. A unit back in service whose
    people do not crew it (none came back, or too few, or none with its mode's skill) stays
    off for want of a crew, and those people stay where they are until they do."""
    from xunfang.planning.deploy.inputs import crew_left

    back = set(state.back_in_service)
    if not back:
        return inp
    home = _homes(away)
    homes = set(home.values())
    pos = {s.index: k for k, s in enumerate(pif.slots)}
    crew = dict(inp.crew)
    at_slot = _units_by_slot(crew)
    on_duty = list(inp.on_duty)
    rostered = set(inp.rostered_units)
    for k in range(pos[state.at_slot], len(pif.slots)):
        i = pif.slots[k].index
        aboard = {p: u for u in at_slot.get(i, ()) for p in crew.get((u, i), ())}
        busy = {u for u, (end, _g) in state.busy.items() if i <= end}
        # a unit held at an incident keeps its crew to the incident's end (review RV2 #4)
        mine = sorted(p for (p, j), u in home.items()
                      if j == i and u in back and aboard.get(p) != u
                      and aboard.get(p) not in busy)
        # people go back only to a unit they crew, as many as it seats: the others stay
        # where they are (a lattice: C1's driver held at an incident on M2, PA3 alone cannot
        # drive C1 back in service; he was taken off B1 anyway, and B1 and C1 were both off)
        returning: dict[str, list[str]] = {}
        for p in mine:
            returning.setdefault(home[(p, i)], []).append(p)
        seated = {q for u, ps in returning.items()
                  for q in crew_left(inp.scenario, u, ps) or ()}
        mine = [p for p in mine if p in seated]
        left: set[str] = set()
        for p in mine:
            u, v = home[(p, i)], aboard.get(p)
            if v is not None:
                crew[(v, i)] = tuple(q for q in crew[(v, i)] if q != p)
                left.add(v)
            crew[(u, i)] = (*crew.get((u, i), ()), p)
        gone: set[str] = set()

        def seat(u: str, _i: int = i, _gone: set[str] = gone) -> tuple[str, ...]:
            """``u``'s people aboard it as far as they crew it (else ``u`` goes off); the
            people it leaves."""
            c = crew.pop((u, _i), ())
            kept = crew_left(inp.scenario, u, c) if c else None
            if kept:
                crew[(u, _i)] = kept
            else:
                _gone.add(u)
            return tuple(q for q in c if q not in (kept or ()))

        for v in sorted(left):
            for q in seat(v):
                if (h := home.get((q, i))) is not None:
                    crew[(h, i)] = (*crew.get((h, i), ()), q)
        for u in sorted(back):
            if not pif.plan.at(u, i).out_of_service or (
                    u not in rostered and u not in homes):
                continue  # back from an incident with its crew, or no named crew
            rostered.add(u)
            seat(u)
        on_duty[k] = on_duty[k] - frozenset(gone)
    return replace(inp, crew=crew, on_duty=tuple(on_duty), rostered_units=frozenset(rostered))


def crews_away(pif: PlanInForce, before: Inputs, after: Inputs, state: ReplanState,
               away: Sequence[Mapping[str, Any]]) -> list[dict[str, object]]:
    """The people the re-plan leaves away from their own unit, for plan.json's
    ``stages.replan.crews_away`` (:func:`crews_away_in_force` reads it back): the plan in
    force's rows before ``state.at_slot`` as they were; from there on, per person aboard
    ``after``'s crews a unit other than their own (their own: ``away``'s, else the unit
    ``before`` has them on), ``to`` ``""`` for those left on the list of a unit out of
    service, and the people ``away`` has aboard nothing whom no unit took since."""
    first = state.at_slot
    home = _homes(away)
    was = {(p, k): u for (u, k), c in before.crew.items() for p in c}
    out_at = _out_since(pif, state)
    pos = {s.index: k for k, s in enumerate(pif.slots)}
    rows: set[tuple[str, str, str, int]] = set()
    aboard: set[tuple[str, int]] = set()
    for (v, k), c in after.crew.items():
        if k < first:
            continue
        to = "" if out_at.get(v, len(pos)) <= pos[k] else v
        for p in c:
            aboard.add((p, k))
            h = home.get((p, k), was.get((p, k)))
            if h is not None and h != to:
                rows.add((p, h, to, k))
    for (p, k), h in home.items():
        if k >= first and (p, k) not in aboard:
            rows.add((p, h, "", k))
    runs: dict[tuple[str, str, str], list[int]] = {}
    for p, h, to, k in rows:
        runs.setdefault((p, h, to), []).append(k)
    kept = [dict(m) for m in away if m["first_slot"] < first]
    for m in kept:
        m["last_slot"] = min(m["last_slot"], first - 1)
    return [*kept, *({"person": p, "from": a, "to": b, "first_slot": lo, "last_slot": hi}
                     for (p, a, b), ks in sorted(runs.items())
                     for lo, hi in index_runs(sorted(ks)))]


def _out_since(pif: PlanInForce, state: ReplanState) -> dict[str, int]:
    """Unit -> the position (in ``pif.slots``) of the first slot it is out of service in,
    from ``state.at_slot`` on: taken out by this re-plan, or by an earlier one."""
    pos = {s.index: k for k, s in enumerate(pif.slots)}
    first = pos[state.at_slot]
    since = {u: first for u in state.out_of_service}
    for u, k in state.out_of_service_from.items():
        if u not in since and k in pos:
            since[u] = max(first, pos[k])
    return since


def free_crews(pif: PlanInForce, inp: Inputs, state: ReplanState,
               away: Sequence[Mapping[str, Any]] = ()) -> Inputs:
    """``inp`` (:func:`inputs_for_plan`) with the crews of the units ``state`` has out of
    service freed from the slot each is out on: those people are on duty and well, only
    their vehicle is not (a review: a pilot riding a motorcycle taken out of service stayed
    tied to it, and the drone stayed grounded "for want of a pilot"). In each such slot
    they crew the police units off for want of a crew (not out of service, not held at an
    incident) by :func:`~.inputs.crew_freed`, crewing's rules: a pilot to spare flies a
    grounded drone, the others of the crew take the ground units of their pool and then of
    their tier still off, and whoever no unit takes stays on the list of the unit out of
    service (on duty, aboard nothing: the drones stage says so of a pilot). Every other
    unit keeps its crew, and so does a unit held at an incident (its people are at work).

    The people an earlier re-plan freed (``away``: :func:`crews_away_in_force`) are freed
    again with the units they crew (those crewed by such people alone) and those left
    aboard nothing, each crew kept on its unit in the re-plan's first slot as the plan in
    force has it and then on the unit it had the slot before (``crew_freed``'s ``keep``),
    so that a re-plan of a re-plan with nothing new changes nothing, while one from an
    earlier slot does not leave a freed person to change vehicle when the earlier re-plan's
    people come (review RV2 #2), and a unit gone off since (its people gone back to a unit
    back in service) takes whom it can (review RV2 #3)."""
    from xunfang.planning.deploy.inputs import crew_freed, in_duty_hours, unit_kind

    first = [s.index for s in pif.slots].index(state.at_slot)
    since = _out_since(pif, state)
    if not since:
        return inp
    home = _homes(away)
    nothing = _homes([m for m in away if m["to"] == ""])  # aboard nothing
    police = [u for u in inp.scenario.units if unit_kind(u) != "auxiliary"]
    crew = dict(inp.crew)
    at_slot = _units_by_slot(crew)
    on_duty = list(inp.on_duty)
    rostered = set(inp.rostered_units)
    last: dict[str, tuple[str, ...]] = {}  # the crews formed in the slot before
    for k in range(first, len(pif.slots)):
        s = pif.slots[k]
        i = s.index
        out = [u for u, k0 in since.items() if k0 <= k]
        gone = set(out)
        busy = {u for u, (end, _g) in state.busy.items() if i <= end}
        # units crewed only by people freed from a unit still out: given up, to be crewed
        # again with the others
        now = {v: c for v in at_slot.get(i, ()) if (c := crew.get((v, i)))}
        again = {v: c for v, c in now.items() if v not in gone and v not in busy
                 and all(home.get((p, i)) in gone for p in c)}
        aboard_now = {p for c in now.values() for p in c}
        for v, c in again.items():
            del crew[(v, i)]
            on_duty[k] = on_duty[k] - {v}
            for p in c:
                crew[(home[(p, i)], i)] = (*crew.get((home[(p, i)], i), ()), p)
        for (p, j), h in sorted(nothing.items()):
            if j == i and h in gone and p not in aboard_now:
                crew[(h, i)] = (*crew.get((h, i), ()), p)
        if k == first:
            last = dict(again)  # the plan in force's crews stand where nothing changed
        freed = [p for u in out for p in crew.get((u, i), ())]
        if not freed:
            last = {}
            continue
        off = [u.id for u in police
               if u.id not in on_duty[k] and u.id not in since and u.id not in busy
               and pif.plan.at(u.id, i).note not in (OUT_OF_SERVICE, AUXILIARY_OFF)
               and in_duty_hours(u, s)]
        # the posts a ground unit on duty holds in the slot need no unit first
        held = {u.home_post for u in police if u.mode != "drone" and u.id in on_duty[k]
                and u.id not in out}
        got = crew_freed(inp.scenario, freed, off, held, keep=last) if off else {}
        last = got
        if not got:
            continue
        taken = {p for c in got.values() for p in c}
        for uid, c in got.items():
            crew[(uid, i)] = c
            rostered.add(uid)
        on_duty[k] = on_duty[k] | frozenset(got)
        for u in out:
            left = tuple(p for p in crew.get((u, i), ()) if p not in taken)
            if left:
                crew[(u, i)] = left
            else:
                crew.pop((u, i), None)
    return replace(inp, crew=crew, on_duty=tuple(on_duty), rostered_units=frozenset(rostered))


def crews_moved(before: Inputs, after: Inputs) -> list[dict[str, object]]:
    """Who :func:`free_crews` moved: per person, unit left (out of service) and unit taken,
    its runs of slots (``first_slot``, ``last_slot``), for plan.json's ``stages.replan``."""
    was = {(p, k): u for (u, k), c in before.crew.items() for p in c}
    moves: dict[tuple[str, str, str], list[int]] = {}
    for (u, k), c in after.crew.items():
        for p in c:
            old = was.get((p, k))
            if old is not None and old != u:
                moves.setdefault((p, old, u), []).append(k)
    return [{"person": p, "from": a, "to": b, "first_slot": lo, "last_slot": hi}
            for (p, a, b), ks in sorted(moves.items()) for lo, hi in index_runs(ks)]


def out_of_service_from(pif: PlanInForce, slot: int) -> dict[str, int]:
    """Units the plan in force has out of service from ``slot`` on (an earlier re-plan's),
    and the first slot index they are out in."""
    out: dict[str, int] = {}
    for s in pif.slots:
        if s.index < slot:
            continue
        for u in pif.plan.units:
            a = pif.plan.at(u, s.index)
            if a.out_of_service and u not in out:
                out[u] = s.index
    return out


def hot_from(pif: PlanInForce, slot: int, anew: set[str]) -> tuple[Hot, ...]:
    """The hot incidents an earlier re-plan gave (``stages.replan.hot``) still running at
    ``slot``, from there on; a grid given a hot incident anew (``anew``) takes the new one."""
    rows = (pif.stages.get("replan") or {}).get("hot") or []
    out: list[Hot] = []
    for i, h in enumerate(rows):
        try:
            grid, first, last = str(h["grid"]), int(h["first_slot"]), int(h["last_slot"])
            share = float(h["share"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanFolderError(f"{pif.where}: stages.replan.hot[{i}] needs "
                                  f"grid, first_slot, last_slot and share; got {h!r}") from exc
        if last >= slot and grid not in anew:
            out.append(Hot(grid, max(first, slot), last, share, carried=True))
    return tuple(out)


def busy_at(pif: PlanInForce, slot: int) -> dict[str, tuple[int, str]]:
    """Units the plan in force holds at an incident in ``slot`` (an earlier re-plan's): the
    last slot index of the run and its grid."""
    out: dict[str, tuple[int, str]] = {}
    for u in pif.plan.units:
        last: tuple[int, str] | None = None
        for s in pif.slots:
            if s.index < slot:
                continue
            a = pif.plan.at(u, s.index)
            if a.note != BUSY_NOTE or a.grid is None or (last and last[1] != a.grid):
                break
            last = (s.index, a.grid)
        if last is not None:
            out[u] = last
    return out


def posture_in_force(pif: PlanInForce, inp: Inputs) -> Posture:
    """The posture the plan's assignments came from: a route is a patrol of its grid (the
    routes stage's record) unless it is a staging unit's one stop (the posture's own), a
    drone's sortie duty is the drone ready at its post."""
    if pif.count_grids != inp.grids:
        raise PlanFolderError(f"{pif.where}: the posture's grids "
                              f"{list(pif.count_grids)[:5]} are not the scenario's "
                              f"{list(inp.grids)[:5]}")
    out: list[Assignment] = []
    auxiliary = {u.id for u in inp.scenario.units if u.tier == "auxiliary"}
    for a in pif.plan.assignments:
        if a.unit in auxiliary:
            # the posture leaves the auxiliary forces off; their stage places them again
            a = Assignment(unit=a.unit, slot=a.slot, duty="off", note=AUXILIARY_OFF)
        elif a.duty == "route" and len(a.route) == 1 and (a.unit, a.slot) not in pif.route_grid:
            pass  # a staging unit standing at a tier-1 site: the posture placed it there
        elif a.duty == "route":
            g = pif.route_grid.get((a.unit, a.slot))
            if g is None:
                raise PlanFolderError(f"{pif.where}: unit {a.unit!r} slot "
                                      f"{a.slot} has a route that stages.routes does not list")
            a = Assignment(unit=a.unit, slot=a.slot, duty="grid", grid=g, note=a.note,
                           crew=a.crew)
        elif a.duty == "drone":
            a = Assignment(unit=a.unit, slot=a.slot, duty="post",
                           post=a.post or _home_post(inp, a.unit), note=a.note, crew=a.crew)
        out.append(a)
    return Posture(assignments=tuple(out), grids=inp.grids, counts=pif.counts.copy(),
                   shortfalls=pif.shortfalls, solves=pif.solves,
                   on_duty=tuple(tuple(sorted(x)) for x in inp.on_duty), seconds=0.0)


def _home_post(inp: Inputs, unit: str) -> str:
    return next(u.home_post for u in inp.scenario.units if u.id == unit)


def slot_at(slots: Sequence[Slot], at: datetime) -> Slot | None:
    """The slot holding the moment ``at`` (start <= at < end)."""
    for s in slots:
        if s.start <= at < s.end:
            return s
    return None


@dataclass(frozen=True, eq=False)
class Replanned:
    """A re-plan of a plan folder: the new plan (as the plan command's result, for its
    writers), the posture, the changes against the plan in force, and the time it took."""

    result: Any  # xunfang.planning.pipeline.PlanResult (imported late: no import cycle)
    request: Any  # xunfang.planning.pipeline.PlanRequest
    posture: Posture
    changes: tuple[Change, ...]
    new_shortfalls: tuple[Shortfall, ...]  # from the re-plan's first slot on
    at_slot: Slot
    seconds: float
    route_grid: Mapping[tuple[str, int], str] = field(default_factory=dict)  # the new
    # plan's (unit, slot) -> grid of its route
    steps: Mapping[str, float] = field(default_factory=dict)  # seconds per step, in order
    #: the drone sorties and the video desk's camera tours from ``at_slot`` on that differ
    #: from the plan in force's (a review: 69 of a re-plan's 185 changed rows of the duty
    #: sheet, the video desk's, were in no changes.csv)
    sortie_changes: tuple[SortieChange, ...] = ()
    tour_changes: tuple[TourChange, ...] = ()


def place_in(route_grid: Mapping[tuple[str, int], str]
           ) -> Callable[[Assignment], tuple[str, str]]:
    """(duty, place) of an assignment: its post or grid, a route's grid (``route_grid``,
    its plan's record), else the route's first node (a staging unit's one stop, which the
    routes stage does not record), ``""`` for off duty. Review AT: a staging place was
    ``""``, so changes.csv said ``route,,off`` for TX-M1 taken out of service while staging
    at n183, and a staging unit moved to another node was no change at all."""

    def place_of(a: Assignment) -> tuple[str, str]:
        if a.duty == "route":
            return "route", route_grid.get((a.unit, a.slot)) or (a.route[0] if a.route else "")
        return a.duty, a.post or a.grid or ""
    return place_of


def replan_plan(pif: PlanInForce, scenario: Scenario, state: ReplanState, *,
                network: RoadNetwork | None = None, extras: Sequence[Any] | None = None,
                note: Mapping[str, object] | None = None) -> Replanned:
    """Re-plan ``pif`` from ``state``: the posture from ``state.at_slot`` on (as little
    changed as needed), then the later stages on it; assignments before ``at_slot`` are the
    plan in force's, unchanged. ``note`` is recorded in plan.json's ``stages.replan``.

    The posture is re-planned with the plan's own deployment options (``pif.deploy_options``,
    from plan.json's ``request.deploy_options``), which the new plan records in turn; the
    weight that holds it to the plan in force is :data:`~.replan.KEEP_WEIGHT` unless those
    options set ``w_keep`` (to another value than its default). The people of a unit taken
    out of service crew, from the slot it is out on, the units the plan in force has off for
    want of a crew (:func:`free_crews`); a unit held at an incident keeps its crew, and so
    does every unit the re-plan does not take out."""
    from xunfang.planning import coverage, pipeline

    t0 = _time.perf_counter()
    # units an earlier re-plan took out of service stay out, units it held at an incident
    # stay there to the end of their run (unless given anew, or back in service)
    anew = {*state.busy, *state.out_of_service, *state.out_of_service_from,
            *state.back_in_service}
    earlier = {u: k for u, k in out_of_service_from(pif, state.at_slot).items()
               if u not in anew}
    held = {u: b for u, b in busy_at(pif, state.at_slot).items() if u not in anew}
    state = replace(state, out_of_service_from={**earlier, **state.out_of_service_from},
                    busy={**held, **state.busy},
                    hot=(*hot_from(pif, state.at_slot, {h.grid for h in state.hot}),
                         *state.hot))
    steps: dict[str, float] = {}
    last = t0

    def lap(name: str) -> None:
        nonlocal last
        now = _time.perf_counter()
        steps[name] = round(now - last, 3)
        last = now

    net = network if network is not None else RoadNetwork.from_scenario(scenario)
    inp = inputs_for_plan(pif, scenario, net)
    in_force = posture_in_force(pif, inp)
    # the crew of a unit out of service is on duty: it may crew a unit off for want of one
    # (the pilot of a motorcycle out of service may fly a grounded drone); a unit back in
    # service takes its people back first
    away = crews_away_in_force(pif)
    returned = return_crews(pif, inp, state, away)
    crewed = free_crews(pif, returned, state, away)
    freed = crews_moved(returned, crewed)
    still_away = crews_away(pif, inp, crewed, state, away)
    inp = crewed
    lap("inputs")
    new = replan(inp, in_force, state, checkpoint_at=pif.checkpoint_at,
                 keep_weight=keep_weight(pif.deploy_options))
    lap("posture")
    first = state.at_slot
    # the later stages see busy units as not patrolling (no route while at an incident);
    # the routes are drawn over the whole plan with the routes kept from the plan in force
    # taken as made (only what the change reaches is drawn), or for an older plan.json that
    # does not record its routes' visits over the re-planned slots only; the cheap stages
    # run over the whole day (a drone's battery and rest carry over from the morning's)
    k0 = [s.index for s in pif.slots].index(first)
    busy = {(u, k) for u, (last, _g) in state.busy.items() for k in range(first, last + 1)}
    # where the units held at an incident stand (the plan in force's before ``first``): a
    # unit's route after it starts there, not at its home post
    held_at = {(a.unit, a.slot): a.grid for a in pif.plan.assignments
               if a.slot < first and a.note == BUSY_NOTE and a.grid is not None}
    held_at.update({(u, k): g for u, (last, g) in state.busy.items()
                    for k in range(first, last + 1)})
    seen = tuple(Assignment(unit=a.unit, slot=a.slot, duty="off", note=a.note)
                 if (a.unit, a.slot) in busy else a for a in new.assignments)
    stage_list = pipeline.EXTRA_STAGES if extras is None else extras
    done: dict[tuple[str, int], Assignment] = {}
    summaries: dict[str, Mapping[str, object]] = {}
    t_plan0 = pif.slots[0].start
    at_min = (pif.slots[k0].start - t_plan0).total_seconds() / 60.0
    sorties: list[DroneSortie] = []
    views: list[CameraView] = []
    kept = _Kept()
    for name, stage in stage_list:
        offset = 0.0  # minutes from the plan's first slot to the stage's first slot
        if name == "routes":
            # the routes before the re-plan's hour are kept, and so is each grid's after it
            # until its patrol (its units in a slot) differs from the plan in force's: only
            # what the change reaches is drawn again, over the whole plan, the kept routes'
            # visits taken as made, so that the key sites and lines are measured over the
            # whole plan (a review: one unit out of service redrew every patrol's streets)
            part = _routed(seen, pif, first)
            kept = _kept_routes(pif, scenario, in_force.assignments, part, first, held=held_at)
        if name == "routes" and kept.routes:
            def draw(k: _Kept, _stage: Any = stage, _part: tuple[Assignment, ...] = part
                     ) -> _Drawn:
                ctx = pipeline.DeployContext(
                    scenario=scenario, network=net, slots=pif.slots,
                    posture=replace(new, assignments=_part), inputs=inp, risk=pif.risk,
                    seed=pif.seed, kept_routes=k.ends, kept_visits=k.visits,
                    kept_starts=k.starts, kept_until=k.until, held=held_at)
                return pipeline.apply_extra_stages(ctx, _part, (("routes", _stage),))
            (got, one, layers), kept = _best_draw(draw, pif, scenario, in_force.assignments,
                                                  part, first, kept)
            done.update({k: a for k, a in kept.routes.items() if k[1] >= first})
        elif name in TAIL_STAGES:
            risk = pif.risk
            if risk is not None:
                risk = replace(risk, risk=risk.risk[:, k0:], slots=risk.slots[k0:])
            part = tuple(a for a in seen if a.slot >= first)
            ctx = pipeline.DeployContext(scenario=scenario, network=net, slots=pif.slots[k0:],
                                         posture=replace(new, assignments=part), inputs=inp,
                                         risk=risk, seed=pif.seed)
            offset = at_min
        else:
            part = seen
            ctx = pipeline.DeployContext(scenario=scenario, network=net, slots=pif.slots,
                                         posture=replace(new, assignments=part), inputs=inp,
                                         risk=pif.risk, seed=pif.seed, held=held_at)
        if name != "routes" or not kept.routes:
            got, one, layers = pipeline.apply_extra_stages(ctx, part, ((name, stage),))
        for a_in, a_out in zip(part, got, strict=True):  # apply_extra_stages keeps the order
            if a_out.slot >= first and a_out != a_in:
                done[(a_out.unit, a_out.slot)] = a_out
        sorties += [replace(x, start=x.start + offset, end=x.end + offset)
                    for x in layers.drone_sorties]
        views += [replace(v, start=v.start + offset) for v in layers.camera_views]
        summaries.update(one)
        lap(name)
    by_key = {(a.unit, a.slot): a for a in new.assignments}
    old = pif.plan
    final = tuple(old.at(a.unit, a.slot) if a.slot < first
                  else by_key[(a.unit, a.slot)] if (a.unit, a.slot) in busy
                  else done.get((a.unit, a.slot), a) for a in new.assignments)
    new_route_grid = dict(pif.route_grid)
    rows = cast(list[Mapping[str, Any]], summaries.get("routes", {}).get("routes", []))
    for r in rows:
        if int(r["slot"]) >= first:
            new_route_grid[(str(r["unit"]), int(r["slot"]))] = str(r["grid"])
    if isinstance(pif.stages.get("routes"), Mapping) and "routes" in summaries:
        summaries["routes"] = _routes_kept(summaries["routes"], pif.stages["routes"], kept)
    summaries = {name: {**_keep_before(doc, pif.stages.get(name), first),
                        "replanned_from_slot": first}
                 for name, doc in summaries.items()}
    limits = DroneParams.of(scenario.policy)
    air, grounded = merge_sorties(old.drone_sorties, sorties, at_min,
                                  limits.recharge_minutes, limits.max_sorties)
    # a drone's duty from the re-plan on is the sorties it flies: one the limits keep on the
    # ground is in no slot's duty, and a morning sortie still in the air is in its slots
    # (review H1: the duty sheet told a pilot to fly a sortie plan.json's sorties and the
    # simulator do not have)
    drones = {u.id for u in scenario.units if u.mode == "drone"}
    final = _flown_duties(final, air, pif.slots, first, drones)
    if isinstance(summaries.get("drones"), Mapping):
        summaries["drones"] = _drones_flown(summaries["drones"], air, at_min, pif.slots,
                                            first)
    # a route drawn again over other streets of its grid is a change the crew must hear of
    # (a review: 299 such rows of the county's re-plan were in no changes.csv)
    ch = changes(old.assignments, final, place_of=place_in(new_route_grid),
                 place_before=place_in(pif.route_grid),
                 streets=(_driven(pif.stages.get("routes")), _driven(summaries.get("routes"))))
    in_air = sortie_changes(old.drone_sorties, air, grounded, at_min)
    on_video = tour_changes(pif.stages.get("video"), summaries.get("video"), pif.slots, first)
    watch = (*(v for v in old.camera_views if v.start < at_min),
             *(v for v in views if v.start >= at_min))
    plan = Plan(scenario=scenario.name, inputs_hash=scenario.inputs_hash, seed=pif.seed,
                version=__version__, slots=pif.slots, units=old.units, assignments=final,
                stages=(*(s for s in old.stages if s != "replan"), "replan"),
                drone_sorties=air, camera_views=watch)
    posture_doc = dict(new.summary())
    posture_doc["changed"] = len(ch)
    if pif.pins:
        posture_doc["pins"] = [p.as_dict(pif.slots) for p in pif.pins]
    stages = dict(pif.stages)
    if isinstance(stages.get("rings"), Mapping):
        stages["rings"] = _shares_as_floats(stages["rings"])
    stages["posture"] = posture_doc
    stages.update(summaries)
    stages["kpis"] = {"skipped": "a re-plan is not simulated here: measure it with "
                                 "xunfang simulate SCENARIO --plan NEW_PLAN_DIR"}
    at = pif.slots[[s.index for s in pif.slots].index(first)]
    stages["replan"] = {
        "from_plan": pif.label, "from_inputs_hash": pif.inputs_hash,
        "at_slot": first, "at": at.name,
        "busy": [{"unit": u, "grid": g, "until_slot": last}
                 for u, (last, g) in sorted(state.busy.items())],
        "out_of_service": sorted(state.out_of_service),
        "out_of_service_from": dict(sorted(state.out_of_service_from.items())),
        "back_in_service": sorted(state.back_in_service),
        "hot": [{"grid": h.grid, "first_slot": h.first, "last_slot": h.last, "share": h.share}
                for h in state.hot],
        # every row of changes.csv: the units' slots, the drones' sorties, the camera tours
        "changed": len(ch) + len(in_air) + len(on_video),
        "changed_assignments": len(ch), "changed_sorties": len(in_air),
        "changed_camera_tours": len(on_video),
        "keep_weight": keep_weight(pif.deploy_options),
        # the people of units out of service who crew a unit off for want of a crew
        **({"crews_freed": freed} if freed else {}),
        # everyone away from their own unit, this re-plan's moves and the earlier ones',
        # so that a unit brought back in service gets its people back (return_crews)
        **({"crews_away": still_away} if still_away else {}),
        **({"drone_sorties_dropped": len(grounded),
            "drone_sorties_not_flown": [{**_sortie_doc(h.sortie), "reason": h.reason}
                                        for h in grounded]} if grounded else {}),
        **dict(note or {}),
    }
    request = pipeline.PlanRequest(start=pif.start, days=pif.days, seed=pif.seed,
                                   largest_component=pif.largest_component,
                                   risk_method=pif.risk_method, train_days=pif.train_days,
                                   pins=pif.pins, deploy_options=pif.deploy_options)
    # the free-flow rings of the report's maps depend on the posts, not the plan: as planned
    free = {}
    if scenario.staffed_posts(STAFFED_POST_KINDS):
        free = {mode: coverage.analyze(scenario, net, mode=mode) for mode in ("car", "foot")}
    result = pipeline.PlanResult(scenario=scenario, network=net, plan=plan, coverage=free,
                                 stages=stages, risk=pif.risk, roster=None, checkpoints=None,
                                 kpis=None)
    lap("coverage and plan")
    fresh = tuple(f for f in new.shortfalls if f.slot >= first)
    return Replanned(result=result, request=request, posture=new, changes=ch,
                     new_shortfalls=fresh, at_slot=at, seconds=_time.perf_counter() - t0,
                     route_grid=new_route_grid, steps=steps, sortie_changes=in_air,
                     tour_changes=on_video)


def _slot_minutes(slots: Sequence[Slot]) -> dict[int, tuple[float, float]]:
    """Each slot's start and end in minutes from the first slot's start."""
    t0 = slots[0].start
    return {s.index: ((s.start - t0).total_seconds() / 60.0,
                      (s.end - t0).total_seconds() / 60.0) for s in slots}


def _flown_duties(final: Sequence[Assignment], air: Sequence[DroneSortie],
                  slots: Sequence[Slot], first: int, drones: set[str]
                  ) -> tuple[Assignment, ...]:
    """``final`` with each drone's duty from slot ``first`` on said from the sorties it
    flies (``air``), as the drones stage says it: ``drone`` with its sorties in the note, or
    ``post`` on standby; a drone off duty (no pilot) stays off."""
    span = _slot_minutes(slots)
    out: list[Assignment] = []
    for a in final:
        if a.slot < first or a.unit not in drones or a.duty not in ("drone", "post"):
            out.append(a)
            continue
        duty = duty_in(a.unit, a.slot, a.post or "", air, *span[a.slot]).to_assignment()
        out.append(replace(a, duty=duty.duty, note=duty.note))
    return tuple(out)


def _drones_flown(doc: Mapping[str, object], air: Sequence[DroneSortie], at_min: float,
                  slots: Sequence[Slot], first: int) -> Mapping[str, object]:
    """The drones stage's summary with the sorties flown from ``at_min`` on (``air``) and
    each drone's duty of slot ``first`` on counted from them."""
    out = dict(doc)
    if isinstance(doc.get("sorties"), list):
        flown = {(x.unit, round(x.start, 2)) for x in air if x.start >= at_min}
        out["sorties"] = [x for x in cast(list[Mapping[str, Any]], doc["sorties"])
                          if float(x.get("start", 0.0)) < at_min
                          or (x.get("unit"), round(float(x.get("start", 0.0)), 2)) in flown]
    if isinstance(doc.get("duties"), list):
        span = _slot_minutes(slots)
        rows: list[Mapping[str, Any]] = []
        for d in cast(list[Mapping[str, Any]], doc["duties"]):
            k = d.get("slot")
            if not isinstance(k, int) or k < first or k not in span:
                rows.append(d)
                continue
            got = duty_in(str(d.get("unit")), k, str(d.get("post", "")), air, *span[k])
            rows.append({**d, "grids": list(got.grids), "sorties": got.sorties,
                         "airborne_minutes": round(got.airborne_minutes, 2)})
        out["duties"] = rows
    return out


def _sortie_doc(x: DroneSortie) -> dict[str, object]:
    """A sortie as plan.json's stages.replan lists it (no waypoints: the drones stage's)."""
    return {"unit": x.unit, "post": x.post, "start": round(x.start, 2), "end": round(x.end, 2),
            "grids": list(x.grids)}


def _route_rows(doc: object) -> dict[tuple[str, object], Mapping[str, Any]]:
    """The rows of a routes stage's summary ``doc`` (plan.json's ``stages.routes``) by
    (unit, slot); none where it holds no list of rows."""
    rows = doc.get("routes") if isinstance(doc, Mapping) else None
    return {(str(r.get("unit")), r.get("slot")): r
            for r in (rows if isinstance(rows, list) else []) if isinstance(r, Mapping)}


def _driven(doc: object) -> Callable[[Assignment], object]:
    """The nodes a route drives and the stops it makes, as the routes stage's summary
    ``doc`` records them (the duty sheet names their streets and its places), else its
    waypoints (review H9: a route drawn again over the same streets stopping at S13 rather
    than S12 changed the duty sheet's places, and changes.csv said nothing)."""
    rows = _route_rows(doc)
    nodes = {key: tuple(r.get("nodes") or ()) for key, r in rows.items()}
    stops = {key: tuple(r.get("waypoints") or ()) for key, r in rows.items()}
    return lambda a: (nodes.get((a.unit, a.slot)) or a.route, stops.get((a.unit, a.slot), ()))


@dataclass(frozen=True)
class _Kept:
    """The plan in force's routes a re-plan keeps: the assignments (with the re-plan's
    crews), the node each route ends at, the visits they make (item, minute from the re-plan's
    first slot, unit), the grids whose every re-planned route is kept, and the node where
    each kept route that follows a drawn one of its unit begins (the drawn run ends there)."""

    routes: Mapping[tuple[str, int], Assignment] = field(default_factory=dict)
    ends: Mapping[tuple[str, int], str] = field(default_factory=dict)
    visits: tuple[tuple[str, float, str], ...] = ()
    grids: frozenset[str] = frozenset()
    starts: Mapping[tuple[str, int], str] = field(default_factory=dict)
    after: bool = True  # kept after a grid's changed slots too (else only up to the first)
    upto: frozenset[str] = frozenset()  # grids kept only up to their first changed slot
    until: Mapping[tuple[str, int], float] = field(default_factory=dict)  # last leg's end
    held: Mapping[tuple[str, int], str] = field(default_factory=dict)  # at an incident: grid


def _routed(seen: Sequence[Assignment], pif: PlanInForce, first: int) -> tuple[Assignment, ...]:
    """The posture the routes stage of a re-plan reads over the whole plan: before ``first``
    a unit patrols a grid only where the plan in force routed it there (a unit it held at an
    incident is off), from ``first`` on as re-planned (``seen``)."""
    return tuple(
        Assignment(unit=a.unit, slot=a.slot, duty="off", note=a.note)
        if a.slot < first and a.duty == "grid" and (a.unit, a.slot) not in pif.route_grid
        else a for a in seen)


def _kept_routes(pif: PlanInForce, scenario: Scenario, in_force: Sequence[Assignment],
                 part: Sequence[Assignment], first: int, *, after: bool = True,
                 upto: frozenset[str] = frozenset(),
                 held: Mapping[tuple[str, int], str] | None = None) -> _Kept:
    """The routes a re-plan keeps: every route before ``first``, and from ``first`` on each
    grid's in every slot whose patrol — the units on it — is the plan in force's; the slots
    where it differs are drawn again, the draw taking the kept routes' visits as made and
    ending each drawn run where the kept route after it begins. ``after=False`` keeps a
    grid's routes only up to the first slot where its patrol differs (a grid busy at 10:00
    for an hour then has every later route drawn again: the fallback when keeping the
    later ones costs the routes an interval); ``upto`` names grids kept so while the others
    keep their routes after their changes. A kept route whose unit patrolled before it in
    the plan in force but not now (or the other way round), or stood elsewhere before it
    (``held``: (unit, slot) → the grid of an incident it is held at), is drawn again too: it
    carried on from where the plan in force had left the unit. A plan whose routes summary
    does not record its visits (written before 2026-11-30) keeps none (its re-plans draw
    every route from ``first`` again)."""
    from xunfang.planning.routes import posture_of

    def by_grid(post: Mapping[tuple[str, int], str]) -> dict[str, dict[int, set[str]]]:
        out: dict[str, dict[int, set[str]]] = {}
        for (u, k), g in post.items():
            out.setdefault(g, {}).setdefault(k, set()).add(u)
        return out

    # a unit the plan in force already held at an incident patrolled nothing there (its
    # routes were drawn without it), as the re-plan's own busy units (``part``: off)
    was = by_grid(posture_of(scenario, [a for a in in_force if a.note != BUSY_NOTE]))
    drawn = posture_of(scenario, part)
    now = by_grid(drawn)
    old_rows = _route_rows(pif.stages.get("routes"))
    crews = {(a.unit, a.slot): a.crew for a in part}

    def fits(g: str, k: int, us: set[str]) -> bool:
        return all(pif.plan.at(u, k).duty == "route" and pif.route_grid.get((u, k)) == g
                   for u in us)

    keep: dict[tuple[str, int], str] = {}
    for g, at in now.items():
        before = was.get(g, {})
        # before ``first`` the plan is the plan in force's, whatever its posture said
        changed = {k for k in {*at, *before} if k >= first and at.get(k) != before.get(k)}
        if after and g not in upto:
            if not all(fits(g, k, us) for k, us in at.items() if k < first):
                continue
            ks = [k for k, us in at.items() if k not in changed and fits(g, k, us)]
        else:
            first_change = min(changed, default=None)
            ks = [k for k in at if first_change is None or k < first_change]
            if not all(fits(g, k, at[k]) for k in ks):
                continue
        keep.update({(u, k): g for k in ks for u in at[k]})
    # a kept route goes on from where its unit stood at the slot's start in the plan in
    # force: after a kept route, after a drawn one (drawn to end there), or after no route
    # in both plans (from its home post); not after a route the re-plan takes away
    # (a staging unit's one-node route says where it stood: the routes start there)
    held = dict(held or {})
    now_at = {(a.unit, a.slot): ("busy", None, held[(a.unit, a.slot)], ())
              if (a.unit, a.slot) in held else
              (a.duty, a.post, a.grid, a.route if len(a.route) == 1 else ()) for a in part}

    def moved(u: str, k: int) -> bool:  # the unit's slot before is other than in force
        was_at = pif.plan.at(u, k)  # (held at an incident: where, as ``held``)
        was = (("busy", None, was_at.grid, ()) if was_at.note == BUSY_NOTE
               else (was_at.duty, was_at.post, was_at.grid,
                     was_at.route if len(was_at.route) == 1 else ()))
        return now_at.get((u, k)) != was

    t0 = pif.slots[0].start
    begins = {s.index: (s.start - t0).total_seconds() / 60.0 for s in pif.slots}

    def ran_over(u: str, k: int) -> bool:
        """The plan in force's route of ``u`` in slot ``k - 1`` ends after slot ``k`` begins:
        the rest of its last stop opens the route of slot ``k``."""
        row = old_rows.get((u, k - 1))
        legs = row.get("legs") if row is not None else None
        last = legs[-1].get("to") if isinstance(legs, list) and legs and isinstance(
            legs[-1], Mapping) else None
        return isinstance(last, int | float) and last > begins.get(k, math.inf) + 1e-6

    # (review R1: PS5-C, at its post in the plan in force and now busy at an incident in G3
    # until 09:00, kept its 09:00 route from its home post.) A kept route that opens with the
    # rest of a stop of the plan in force's route before it is drawn again when that route is
    # not kept: the stop was not made (county, --at 12:00 --busy PS1-C:G3:14:30: PS7-C's
    # 12:00 route, drawn again, ended at S16's node with no stop there, and its kept 13:00
    # route stood 9.4 min there as the rest of the S16 stop of the plan in force)
    # A kept route ends where the plan in force had its unit next; one whose unit the re-plan
    # stands elsewhere in the next slot (a post, a checkpoint, a staging node) is drawn again
    # to end there (19 bench re-plans, bench/replan_keep.py: 22 routes ended a drive of up to
    # 6.4 min from where their unit stood next, e.g. PS6-C's kept 04:00 route back to its
    # post before a 05:00 staging the re-plan gave it)
    def stands_elsewhere(u: str, k: int) -> bool:
        nxt = now_at.get((u, k + 1))
        return (nxt is not None and (nxt[0] in ("post", "checkpoint")
                                     or (nxt[0] == "route" and bool(nxt[3])))
                and moved(u, k + 1))

    while bad := [(u, k) for u, k in keep
                  if (k > 0 and (u, k - 1) not in keep
                      and (((u, k - 1) not in drawn
                            and ((u, k - 1) in pif.route_grid or moved(u, k - 1)))
                           or ran_over(u, k)))
                  or (k >= first and stands_elsewhere(u, k))]:
        for key in bad:
            del keep[key]
    routes: dict[tuple[str, int], Assignment] = {}
    ends: dict[tuple[str, int], str] = {}
    starts: dict[tuple[str, int], str] = {}
    until: dict[tuple[str, int], float] = {}
    visits: list[tuple[str, float, str]] = []
    for key in sorted(keep):
        row = old_rows.get(key)
        legs = row.get("legs") if row is not None else None
        nodes = row.get("nodes") if row is not None else None
        if not isinstance(legs, list) or not isinstance(nodes, list) or not nodes:
            return _Kept()
        for leg in legs:
            if not isinstance(leg, Mapping):
                return _Kept()
            if leg.get("kind") in ("site", "line"):
                if not isinstance(leg.get("visit"), int | float) or not leg.get("item"):
                    return _Kept()  # an older plan.json: its visits are not known
                visits.append((str(leg["item"]), float(leg["visit"]), key[0]))
        ends[key] = str(nodes[-1])
        last = legs[-1].get("to") if legs and isinstance(legs[-1], Mapping) else None
        if isinstance(last, int | float):
            until[key] = float(last)
        if (key[0], key[1] - 1) in drawn and (key[0], key[1] - 1) not in keep:
            starts[key] = str(nodes[0])
        routes[key] = replace(pif.plan.at(*key), crew=crews[key])
    whole = frozenset(g for g, at in now.items() if any(k >= first for k in at)
                      and all((u, k) in keep for k, us in at.items() if k >= first for u in us))
    return _Kept(routes=routes, ends=ends, visits=tuple(visits), grids=whole, starts=starts,
                 after=after, until=until, upto=upto if after else frozenset(), held=held)


_Drawn = tuple[tuple[Assignment, ...], dict[str, Mapping[str, object]], Any]


def _best_draw(draw: Callable[[_Kept], _Drawn], pif: PlanInForce, scenario: Scenario,
               in_force: Sequence[Assignment], part: Sequence[Assignment], first: int,
               kept: _Kept) -> tuple[_Drawn, _Kept]:
    """The routes stage's result (``draw``: the stage over the whole plan with a
    :class:`_Kept`'s routes kept) and the routes it kept. When the routes drawn between kept
    ones miss more than the plan in force's routes did, the grids of the key sites and line
    pieces they missed (and the plan in force did not) are drawn again from their first
    changed slot on, the other grids keeping their routes after their changes; when that
    too misses more, or a drawn route does not end where the next kept one begins, every
    grid's routes are kept only up to its first changed slot. Of the draws whose seams hold,
    the one missing least is taken (the first on a tie: it keeps more). Before the middle
    step, 3 of 5 county re-plans of a review and 6 of 14 others drew every changed grid's
    later routes again for one grid's (G4's) misses."""
    def missed(res: _Drawn) -> int:
        return len(route_shortfalls(res[1].get("routes")))

    allowed = len(route_shortfalls(pif.stages.get("routes")))
    res = draw(kept)
    ok = _seams_hold(res[1].get("routes"), kept, pif)
    if ok and missed(res) <= allowed:
        return res, kept
    tried: list[tuple[_Drawn, _Kept, bool]] = [(res, kept, ok)]
    bad = _missed_grids(res[1].get("routes")) - _missed_grids(pif.stages.get("routes"))
    if ok and bad:
        some = _kept_routes(pif, scenario, in_force, part, first, upto=bad, held=kept.held)
        if some.routes.keys() != kept.routes.keys():  # (else the same draw again)
            res3 = draw(some)
            ok3 = _seams_hold(res3[1].get("routes"), some, pif)
            if ok3 and missed(res3) <= allowed:
                return res3, some
            tried.append((res3, some, ok3))
    upto = _kept_routes(pif, scenario, in_force, part, first, after=False, held=kept.held)
    if all(k != upto for _, k, _ in tried):
        tried.append((draw(upto), upto, True))
    held = [t for t in tried if t[2]] or tried[-1:]
    best = min(range(len(held)), key=lambda i: (missed(held[i][0]), i))
    return held[best][0], held[best][1]


def route_shortfalls(doc: object) -> list[str]:
    """The shortfalls a routes stage summary ``doc`` records (key sites and lines missed,
    grids whose load bound its units cannot meet), measured over the whole plan."""
    got = doc.get("shortfalls") if isinstance(doc, Mapping) else None
    return [str(t) for t in got] if isinstance(got, list) else []


def _missed_grids(doc: object) -> frozenset[str]:
    """The grids of the key sites and line pieces a routes summary says missed their
    interval (a piece never driven, or driven at longer intervals than its line asks)."""
    if not isinstance(doc, Mapping):
        return frozenset()
    out: set[str] = set()
    for site in doc.get("sites") or ():
        if isinstance(site, Mapping) and site.get("met") is False:
            out.add(str(site.get("grid")))
    for line in doc.get("lines") or ():
        if not isinstance(line, Mapping) or line.get("met") is not False:
            continue
        need = line.get("required_minutes")
        for piece in line.get("pieces") or ():
            got = piece.get("achieved_minutes") if isinstance(piece, Mapping) else None
            if not isinstance(got, int | float) or (isinstance(need, int | float)
                                                    and got > need + 1e-6):
                out.add(str(piece.get("grid")))
    return frozenset(out)


def _seams_hold(doc: object, kept: _Kept, pif: PlanInForce) -> bool:
    """Whether every drawn route followed by a kept one of its unit ends, by its slot's end,
    at the node where the kept one begins (the routes summary ``doc``'s rows)."""
    rows = _route_rows(doc)
    t0 = pif.slots[0].start
    ends = {s.index: (s.end - t0).total_seconds() / 60.0 for s in pif.slots}
    for (u, k), node in kept.starts.items():
        row = rows.get((u, k - 1))
        nodes = row.get("nodes") if row is not None else None
        legs = row.get("legs") if row is not None else None
        if not isinstance(nodes, list) or not nodes or not isinstance(legs, list) or not legs:
            return False
        last = legs[-1].get("to") if isinstance(legs[-1], Mapping) else None
        if (str(nodes[-1]) != node or not isinstance(last, int | float)
                or last > ends[k - 1] + 1e-6):
            return False
    return True


def _routes_kept(doc: Mapping[str, object], old: Mapping[str, object], kept: _Kept
                 ) -> Mapping[str, object]:
    """The routes summary of a re-plan that kept some of the plan in force's routes: their
    rows are the plan in force's, the others the new draw's; the loads, key sites, line
    pieces and shortfalls are the new draw's, which took the kept routes' visits as made."""
    if not kept.routes:
        return doc

    def unit_slot(r: Mapping[str, Any]) -> tuple[str, int]:
        return str(r.get("unit")), cast(int, r.get("slot", -1))

    out = dict(doc)
    out["routes"] = sorted(
        [r for key, r in _route_rows(doc).items() if key not in kept.routes]
        + [r for key, r in _route_rows(old).items() if key in kept.routes], key=unit_slot)
    out["kept_routes"] = len(kept.routes)
    # False: keeping the routes after a grid's changed slots cost an interval, or their
    # unit could not reach where they begin, and they were drawn again (see _best_draw)
    out["kept_after_changes"] = kept.after
    if kept.upto:  # grids whose routes were drawn again from their first change on
        out["kept_after_changes_but"] = sorted(kept.upto)
    out["kept_grids"] = sorted(kept.grids)
    return out


def keep_weight(options: Options | None) -> float:
    """The re-plan's weight of a count moved away from the plan in force: ``options.w_keep``
    when the plan's options set it (to another value than :class:`Options`'s default, which
    is the posture's and too weak to hold a plan), else :data:`~.replan.KEEP_WEIGHT`."""
    if options is None or options.w_keep == Options().w_keep:
        return KEEP_WEIGHT
    return options.w_keep


#: why a re-plan does not fly a sortie its drone stage drew (:class:`NotFlown`)
NOT_FLOWN_RECHARGE = "recharge"
NOT_FLOWN_MAX_SORTIES = "max_sorties"


@dataclass(frozen=True)
class NotFlown:
    """A sortie the re-plan's drone stage drew that is not flown: it would launch before its
    drone is back from ``after`` and recharged (``reason`` ``recharge``), or be more sorties
    on its day than the drones' policy allows (``max_sorties``)."""

    sortie: DroneSortie
    reason: str
    after: DroneSortie | None = None  # the sortie it would launch too soon after


def merge_sorties(old: Sequence[DroneSortie], new: Sequence[DroneSortie], at_min: float,
                  recharge: float = 0.0, max_per_day: int | None = None
                  ) -> tuple[tuple[DroneSortie, ...], tuple[NotFlown, ...]]:
    """The plan in force's sorties launched before ``at_min`` (flown, or in the air), then
    the re-plan's launched from it on; a re-planned sortie is not flown (and returned, with
    why) that would launch before the drone is back from a kept one and ``recharge`` minutes
    on the ground, or be more than ``max_per_day`` on its day (minutes from the plan's first
    midnight). The drone stage plans the whole day again, and its later sorties need not
    follow the morning it flew (a review: a re-plan kept 4 morning sorties and added 4 new
    ones on a day limited to 4)."""
    kept = [x for x in old if x.start < at_min]
    out = list(kept)
    held: list[NotFlown] = []
    for x in sorted((x for x in new if x.start >= at_min), key=lambda x: (x.start, x.unit)):
        mine = [y for y in out if y.unit == x.unit]
        clash = next((y for y in mine
                      if x.start < y.end + recharge - 1e-9 and y.start < x.end + recharge - 1e-9),
                     None)
        day = int(x.start // 1440)
        full = max_per_day is not None and sum(
            1 for y in mine if int(y.start // 1440) == day) >= max_per_day
        if clash is not None:
            held.append(NotFlown(x, NOT_FLOWN_RECHARGE, clash))
        elif full:
            held.append(NotFlown(x, NOT_FLOWN_MAX_SORTIES))
        else:
            out.append(x)
    added = sorted(out[len(kept):], key=lambda x: (x.unit, x.start))
    return (*kept, *added), tuple(held)


@dataclass(frozen=True)
class SortieChange:
    """A drone's sortie from the re-plan's first slot on that differs from the plan in
    force's: ``added`` (``new`` only), ``dropped`` (``old`` only; ``held`` when the re-plan's
    drone stage drew a sortie over its time that the limits keep on the ground), ``moved``
    (``old`` and ``new`` overlap in time: another launch, landing, post or grids), or
    ``not_flown`` (only ``held``: drawn, and kept on the ground by the limits)."""

    unit: str
    what: str
    old: DroneSortie | None = None
    new: DroneSortie | None = None
    held: NotFlown | None = None

    @property
    def start(self) -> float:
        """When it concerns: the new sortie's launch, else the old one's, else the held's."""
        x = self.new or self.old or (self.held.sortie if self.held is not None else None)
        assert x is not None
        return x.start


def _flight(x: DroneSortie) -> tuple[str, str, float, float, tuple[str, ...]]:
    """What a crew flies: unit, post, launch and landing (to the second), the grids."""
    return x.unit, x.post, round(x.start, 3), round(x.end, 3), x.grids


def sortie_changes(old: Sequence[DroneSortie], new: Sequence[DroneSortie],
                   held: Sequence[NotFlown], at_min: float) -> tuple[SortieChange, ...]:
    """The sorties launched from ``at_min`` on that differ between the plan in force
    (``old``) and the re-plan (``new``, flown; ``held``, drawn and not flown), in the order of
    their time then unit: a sortie flown the same in both is no change; of the others an old
    and a new one of a drone that overlap in time are one sortie ``moved``, the rest
    ``dropped`` or ``added``, and a held one is said with the dropped one it overlaps, else
    on its own (``not_flown``): none goes unsaid."""
    def later(xs: Sequence[DroneSortie]) -> list[DroneSortie]:
        return sorted((x for x in xs if x.start >= at_min), key=lambda x: (x.start, x.unit))

    was, now = later(old), later(new)
    same = {_flight(x) for x in was} & {_flight(x) for x in now}
    was = [x for x in was if _flight(x) not in same]
    now = [x for x in now if _flight(x) not in same]

    def overlap(a: DroneSortie, b: DroneSortie) -> bool:
        return a.unit == b.unit and a.start < b.end and b.start < a.end

    out: list[SortieChange] = []
    left = list(now)
    rest = list(held)
    for x in was:
        y = next((y for y in left if overlap(x, y)), None)
        if y is not None:
            left.remove(y)
            out.append(SortieChange(x.unit, "moved", old=x, new=y))
            continue
        h = next((h for h in rest if overlap(x, h.sortie)), None)
        if h is not None:
            rest.remove(h)
        out.append(SortieChange(x.unit, "dropped", old=x, held=h))
    out += [SortieChange(y.unit, "added", new=y) for y in left]
    out += [SortieChange(h.sortie.unit, "not_flown", held=h) for h in rest]
    return tuple(sorted(out, key=lambda c: (c.start, c.unit)))


@dataclass(frozen=True)
class TourChange:
    """A video-desk operator's (0, 1, ...) camera tour from the re-plan's first slot on
    whose cameras (in the order watched) differ from the plan in force's; ``()``: no tour.
    ``start`` and ``end`` in minutes from the plan's first slot (a tour ends where the
    operator's next one in the slot begins, the last at the slot's end, as the plan sheet
    has it)."""

    operator: int
    slot: int
    start: float
    end: float
    old: tuple[str, ...]
    new: tuple[str, ...]


def _tours(doc: object, slots: Sequence[Slot], first: int
           ) -> dict[tuple[int, int, float], tuple[float, tuple[str, ...]]]:
    """A video stage summary's tours from slot ``first`` on: (operator, slot, start) -> (end,
    cameras)."""
    rows = doc.get("tours") if isinstance(doc, Mapping) else None
    if not isinstance(rows, list) or not slots:
        return {}
    t0 = slots[0].start
    slot_end = {s.index: (s.end - t0).total_seconds() / 60.0 for s in slots}
    got: dict[tuple[int, int, float], tuple[str, ...]] = {}
    for r in rows:
        if not isinstance(r, Mapping):
            continue
        try:
            key = (int(r["operator"]), int(r["slot"]), float(r["start"]))
            cams = tuple(str(c) for c in r["cameras"])
        except (KeyError, TypeError, ValueError):
            continue
        if key[1] >= first and key[1] in slot_end:
            got[key] = cams
    out: dict[tuple[int, int, float], tuple[float, tuple[str, ...]]] = {}
    for (op, k, m), cams in got.items():
        later = [x for (o, kk, x) in got if o == op and kk == k and x > m]
        out[(op, k, m)] = (min(later) if later else slot_end[k], cams)
    return out


def tour_changes(old: object, new: object, slots: Sequence[Slot], first: int
                 ) -> tuple[TourChange, ...]:
    """The camera tours from slot ``first`` on that differ between two video stage
    summaries (plan.json's ``stages.video``; the plan in force's ``old``, the re-plan's
    ``new``), by time then operator."""
    was, now = _tours(old, slots, first), _tours(new, slots, first)
    out: list[TourChange] = []
    for key in sorted({*was, *now}, key=lambda k: (k[2], k[0])):
        a, b = was.get(key), now.get(key)
        cams_a, cams_b = (a[1] if a else ()), (b[1] if b else ())
        if cams_a != cams_b:
            end = b[0] if b is not None else a[0] if a is not None else key[2]
            out.append(TourChange(operator=key[0], slot=key[1], start=key[2], end=end,
                                  old=cams_a, new=cams_b))
    return tuple(out)


def _shares_as_floats(doc: object, key: str = "") -> object:
    """The rings stage as the pipeline holds it: plan.json writes an undefined share (no
    incidents, no nodes of a ring level) as null; in the plan it is NaN, as the report reads
    it. Only values under a ``*share*`` key are touched."""
    if isinstance(doc, Mapping):
        return {k: _shares_as_floats(v, k if "share" in k else key) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_shares_as_floats(v, key) for v in doc]
    if doc is None and "share" in key:
        return math.nan
    return doc


def _keep_before(doc: Mapping[str, object], old: object, first: int) -> Mapping[str, object]:
    """A later stage's summary of the re-planned slots with its per-slot records (routes,
    drone duties and sorties, camera tours) before ``first`` taken from the plan in force;
    its totals are the re-planned slots' (``replanned_from_slot`` says from which)."""
    if not isinstance(old, Mapping):
        return doc
    out = dict(doc)
    for key in ("routes", "duties", "sorties", "tours"):
        new_rows, old_rows = doc.get(key), old.get(key)
        if not isinstance(new_rows, list) or not isinstance(old_rows, list):
            continue
        if not all(isinstance(r, Mapping) and isinstance(r.get("slot"), int)
                   for r in (*new_rows, *old_rows)):
            continue
        out[key] = ([r for r in old_rows if cast(int, r["slot"]) < first]
                    + [r for r in new_rows if cast(int, r["slot"]) >= first])
    return out
