"""The planning pipeline: wires the stages, in order, into one :class:`Plan`.

Stages do not call each other; this module does. Each stage takes typed inputs and returns a
typed result; the pipeline keeps each stage's JSON-ready summary for plan.json and the report.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property
from typing import cast

import numpy as np

from xunfang import __version__
from xunfang.intel.stage import RiskTable, risk_stage
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, CameraView, DroneSortie, Plan, Slot, make_slots
from xunfang.planning import blockade, coverage, deploy, patrol_stages
from xunfang.planning.checkpoints import (
    CheckpointPlan,
    UnmannedTeam,
    default_teams,
    plan_checkpoints,
)
from xunfang.planning.coverage import Coverage
from xunfang.planning.deploy.inputs import Crewing, crewing
from xunfang.planning.roster import RosterResult, make_roster, roster_scope, scenario_staffing
from xunfang.planning.roster.solve import MAX_SEED
from xunfang.planning.routes import POLICE_TIERS, ground_presence
from xunfang.scenario.model import STAFFED_POST_KINDS, FloatArray, Mode, Scenario

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanRequest:
    """What to plan: the first day, how many days, and the seed of every random choice."""

    start: date
    days: int = 1
    seed: int = 0
    largest_component: bool = False  # how the scenario was loaded, recorded in plan.json
    risk_method: str = "auto"  # the intelligence stage's forecasting method
    train_days: int = 365  # its training window
    pins: tuple[deploy.Pin, ...] = ()  # the planner's pins, always kept
    deploy_options: deploy.Options | None = None  # the posture's weights and rules

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be from 0 to {MAX_SEED} (the roster's solver, CP-SAT, "
                             f"takes no larger one), got {self.seed}")

    def as_dict(self, slots: Sequence[Slot] | None = None) -> dict[str, object]:
        """plan.json's ``request`` (the seed is written beside it): the first day, days,
        how the scenario was loaded, the forecasting method and window, the pins (each with
        the local times it spans when the plan's ``slots`` are given) and the deployment
        options that differ from :class:`deploy.Options`'s defaults (``{}`` for none), and
        every option's value (``deploy_options_all``), so that a re-plan after an upgrade
        that changed a default still plans as this plan did. ``xunfang replan`` reads it
        back (:mod:`xunfang.planning.deploy.from_plan`)."""
        return {"from": self.start.isoformat(), "days": self.days,
                "largest_component": self.largest_component,
                "risk_method": self.risk_method, "train_days": self.train_days,
                "pins": [p.as_dict(slots) for p in self.pins],
                "deploy_options": options_as_dict(self.deploy_options),
                "deploy_options_all": options_all(self.deploy_options)}


def options_all(options: deploy.Options | None) -> dict[str, object]:
    """Every field of ``options`` (the defaults for ``None``), by name (plan.json's
    ``request.deploy_options_all``)."""
    chosen = options or deploy.Options()
    return {f.name: getattr(chosen, f.name) for f in fields(deploy.Options)}


def options_as_dict(options: deploy.Options | None) -> dict[str, object]:
    """The fields of ``options`` that differ from :class:`deploy.Options`'s defaults, by name
    (plan.json's ``request.deploy_options``); ``{}`` for ``None`` or the defaults."""
    if options is None:
        return {}
    default = deploy.Options()
    return {f.name: getattr(options, f.name) for f in fields(deploy.Options)
            if getattr(options, f.name) != getattr(default, f.name)}


def options_from_dict(data: object, *, where: str = "deploy_options") -> deploy.Options | None:
    """The inverse of :func:`options_as_dict`: ``None`` for ``{}`` (the defaults).

    Raise :class:`deploy.DeployError` naming ``where``, the option and the rule broken: not
    an object, an unknown option name, a value of the wrong type (a flag must be true or
    false, a whole-number option a whole number, a word a string, a weight a finite number
    >= 0), or a value
    :class:`deploy.Options` refuses (e.g. ``dosage_floor`` below 1)."""
    if not isinstance(data, Mapping):
        raise deploy.DeployError(f"{where} must be an object of option names and values; "
                                 f"got {data!r}")
    default = deploy.Options()
    known = {f.name for f in fields(deploy.Options)}
    values: dict[str, object] = {}
    for name, v in data.items():
        if name not in known:
            raise deploy.DeployError(f"{where}.{name}: unknown option (the options are "
                                     f"{', '.join(sorted(known))})")
        kind = type(getattr(default, name))
        if kind is bool:
            if not isinstance(v, bool):
                raise deploy.DeployError(f"{where}.{name} must be true or false; got {v!r}")
        elif kind is int:
            if isinstance(v, bool) or not isinstance(v, int):
                raise deploy.DeployError(f"{where}.{name} must be a whole number; got {v!r}")
        elif kind is str:
            if not isinstance(v, str):
                raise deploy.DeployError(f"{where}.{name} must be a word; got {v!r}")
        elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or v < 0:
            raise deploy.DeployError(f"{where}.{name} must be a finite number >= 0; got {v!r}")
        else:
            v = float(v)
        values[name] = v
    if not values:
        return None
    try:
        return deploy.Options(**values)  # type: ignore[arg-type]
    except deploy.DeployError as exc:
        raise deploy.DeployError(f"{where}: {exc}") from None


def options_from_pairs(pairs: Sequence[str], *, where: str = "--option"
                       ) -> deploy.Options | None:
    """``NAME=VALUE`` texts (``xunfang plan --option``, the benches' ``--option``) as
    :class:`deploy.Options`; ``None`` for none. A value is read as JSON when it is a JSON
    number, ``true`` or ``false`` (``w_over=100``, ``hold_rings=false``), else as the word it
    is (``dosage_basis=forecast``); then :func:`options_from_dict` checks it, so the rules are
    those of plan.json's ``request.deploy_options``.

    Raise :class:`deploy.DeployError` naming ``where`` and the text for a text without
    ``=`` or a name given twice, else as :func:`options_from_dict` does."""
    values: dict[str, object] = {}
    for text in pairs:
        name, eq, raw = text.partition("=")
        name = name.strip()
        if not eq or not name:
            raise deploy.DeployError(f"{where} {text!r}: expected NAME=VALUE, e.g. "
                                     f"w_over=100 or dosage_basis=forecast")
        if name in values:
            raise deploy.DeployError(f"{where} {text!r}: option {name} is given twice")
        try:
            value: object = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        if isinstance(value, list | dict | str) or value is None:
            value = raw  # only numbers and true/false are read as JSON; the rest is a word
        values[name] = value
    return options_from_dict(values, where=where)


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The plan and everything the stages measured on the way.

    ``coverage`` holds the free-flow rings by mode (car, foot) for the map; the per-slot rings
    are in ``stages["rings"]``.
    """

    scenario: Scenario
    network: RoadNetwork
    plan: Plan
    coverage: Mapping[str, Coverage]
    stages: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    risk: RiskTable | None = None  # risk per grid and slot (the intelligence stage)
    roster: RosterResult | None = None  # who is on duty (the roster stage)
    checkpoints: CheckpointPlan | None = None  # the day's checkpoint schedule
    kpis: Mapping[str, object] | None = None  # the plan and the baselines, simulated


def _noop(_: str) -> None:
    return None


@dataclass(frozen=True, eq=False)
class DeployContext:
    """What a later deployment stage (routes, drones, video patrol, auxiliary forces) reads:
    the posture just planned and everything it was planned from."""

    scenario: Scenario
    network: RoadNetwork
    slots: tuple[Slot, ...]
    posture: deploy.Posture
    inputs: deploy.Inputs
    risk: RiskTable | None
    seed: int
    #: a re-plan's routes kept from the plan in force, (unit, slot) → the node each ends at,
    #: and their visits (item, minute from the first slot, unit): the routes stage draws
    #: only the others (:func:`~xunfang.planning.routes.plan_routes`)
    kept_routes: Mapping[tuple[str, int], str] = field(default_factory=dict)
    kept_visits: tuple[tuple[str, float, str], ...] = ()
    #: the node where each kept route that follows a drawn one of its unit begins
    kept_starts: Mapping[tuple[str, int], str] = field(default_factory=dict)
    #: the minute each kept route's last leg ends (a stop may run past its slot)
    kept_until: Mapping[tuple[str, int], float] = field(default_factory=dict)
    #: a re-plan's units held at an incident, (unit, slot) → grid: the routes stage starts a
    #: unit's next route there, not at its home post
    held: Mapping[tuple[str, int], str] = field(default_factory=dict)

    @cached_property
    def ground(self) -> dict[tuple[str, int], float]:
        """Uniformed ground presence per (grid, slot index) in the posture (the drone and
        video stages both weigh by it; computed once)."""
        return ground_presence(self.scenario, self.posture.assignments)


#: A later deployment stage: returns assignments that replace the posture's for the same
#: (unit, slot), and a JSON-ready summary for plan.json (its shortfalls under "shortfalls"),
#: and optionally the typed layers it adds to the plan (drone sorties, camera views).
ExtraStage = Callable[[DeployContext], patrol_stages.Result]

#: The later stages ``build_plan`` runs after the posture, in order, by name. The routes,
#: drones, video patrol and auxiliary-force modules are wired here.
EXTRA_STAGES: tuple[tuple[str, ExtraStage], ...] = patrol_stages.STAGES


def apply_extras(ctx: DeployContext, assignments: tuple[Assignment, ...],
                 extras: Sequence[tuple[str, ExtraStage]]
                 ) -> tuple[tuple[Assignment, ...], dict[str, Mapping[str, object]]]:
    """Run each later stage on the posture; its assignments replace the posture's."""
    out, summaries, _ = apply_extra_stages(ctx, assignments, extras)
    return out, summaries


def apply_extra_stages(ctx: DeployContext, assignments: tuple[Assignment, ...],
                       extras: Sequence[tuple[str, ExtraStage]]
                       ) -> tuple[tuple[Assignment, ...], dict[str, Mapping[str, object]],
                                  patrol_stages.PlanLayers]:
    """:func:`apply_extras`, and the typed layers the stages add (drone sorties, camera
    views), merged in stage order."""
    out = {(a.unit, a.slot): a for a in assignments}
    summaries: dict[str, Mapping[str, object]] = {}
    sorties: list[DroneSortie] = []
    views: list[CameraView] = []
    for name, stage in extras:
        result = stage(ctx)
        got, summary = result[0], result[1]
        if len(result) == 3:
            sorties.extend(result[2].drone_sorties)
            views.extend(result[2].camera_views)
        for a in got:
            if (a.unit, a.slot) not in out:
                raise ValueError(f"stage {name!r} assigned unit {a.unit!r} in slot {a.slot}, "
                                 "which the plan does not have")
            out[(a.unit, a.slot)] = a
        summaries[name] = summary
    layers = patrol_stages.PlanLayers(drone_sorties=tuple(sorties), camera_views=tuple(views))
    return tuple(out[(a.unit, a.slot)] for a in assignments), summaries, layers


def mobile_units(scenario: Scenario) -> tuple[str, ...]:
    """Units that stage on the street between calls (动中备勤): vehicles of the special and
    precinct tiers in a patrol squad. Until the roster stage lands, all are on duty."""
    return tuple(u.id for u in scenario.units
                 if u.tier in ("special", "precinct") and u.mode in ("car", "motorcycle")
                 and u.squad == "patrol")


def _staging(scenario: Scenario, net: RoadNetwork, hour: int, incidents: FloatArray,
             reachable: Sequence[str] | None = None) -> dict[str, object]:
    """Where the mobile units on duty should stand: staging points over the nodes a car
    reaches from the posts (``reachable``; every node without it), the staffed posts kept,
    demand weighted by incidents on record (plus one, so quiet streets count too). A review
    found n227, reached only by a flight of steps, proposed as a car's staging point."""
    units = mobile_units(scenario)
    if not units:
        return {"units": 0, "skipped": "no mobile patrol units"}
    cand = list(reachable) if reachable is not None and len(reachable) else None
    # backup coverage first (every place once, as many as possible twice); where the units
    # cannot cover every place once, the most coverage instead. The model used is recorded.
    res = coverage.site_posts(scenario, net, model="bclp", p=len(units), hour=hour,
                              weights=incidents + 1.0, candidates=cand)
    if res.status == "infeasible":
        res = coverage.site_posts(scenario, net, model="mclp", p=len(units), hour=hour,
                                  weights=incidents + 1.0, candidates=cand)
    return {"units": len(units), "model": res.model, "status": res.status, "gap": res.gap,
            "nodes": list(res.added_ids or ()), "covered_weight_share": res.covered_weight_share}


def _rings_by_slot(scenario: Scenario, net: RoadNetwork, slots: tuple[Slot, ...],
                   assignments: Sequence[Assignment] = ()) -> dict[str, object]:
    """Coverage, uncovered places, staging points and blockade time for every slot (by the
    speeds of its hour; hours with the same speed factors share one staging solve).

    The blockade is sealed by the plan's ``assignments`` of the slot: the units on ground
    duty where they stand, each at its own mode (review AV: from the fixed posts, the 00:00
    figure rested on SB1's car, which the plan has off duty with no crew, while PS2-C and
    PS3-C stood at staging nodes). A plan with no units seals from the posts, as
    ``blockade_units.from`` says."""
    incidents = coverage.incident_weights(scenario, net)
    weights = {"incidents": incidents}
    by_hour: dict[int, dict[str, object]] = {}
    staging: dict[tuple[int, ...], dict[str, object]] = {}
    exits = bool(scenario.posts_of("exit"))
    in_slot: dict[int, list[Assignment]] = {}
    for a in assignments:
        in_slot.setdefault(a.slot, []).append(a)
    tier = {u.id: u.tier for u in scenario.units}
    # the plan's police units of each slot where they stand (posts, staging nodes, a route's
    # first node, a grid's centre): they seal the exits and hold the rings, as the centre's
    # blockade and rings count the responders (an auxiliary foot patrol stops no fleeing car)
    police = {s.index: tuple(src for src in blockade.units_in_plan(
        scenario, net, in_slot.get(s.index, ())) if tier.get(src.id) in POLICE_TIERS)
        for s in slots} if scenario.units else {}
    seals: dict[object, dict[str, object]] = {}  # by (hour, units where they stand)
    memo: dict[object, FloatArray] = {}  # every node's time to the exits, by mode and hour
    by_slot: dict[int, dict[str, object]] = {}
    for s in slots if exits else ():
        hour = s.start.hour
        sources = police.get(s.index) if scenario.units else None
        at = (hour, sources)
        if at not in seals:
            seal = blockade.seal_exits(scenario, net, hour=hour, sources=sources, memo=memo)
            seals[at] = {
                "blockade": {"max_minutes": seal.max_minutes,
                             "total_minutes": seal.total_minutes,
                             "unsealed": list(seal.unsealed)},
                "blockade_units": {
                    "from": "plan" if sources is not None else "posts",
                    "units": seal.units,
                    "seals": [{"exit": x.exit, "unit": x.unit, "at": x.post,
                               "minutes": round(x.minutes, 4)} for x in seal.assignment],
                    "notes": list(seal.notes)},
            }
        by_slot[s.index] = seals[at]
    # the rings from those units too, each at its own mode (review AY: from the posts alone
    # a slot said key sites S0 and S3 missed their target while its staging unit stood 0.6
    # and 0 minutes from them)
    from_plan: dict[int, dict[str, object]] = {}
    by_units: dict[object, dict[str, object]] = {}
    for s in slots if assignments else ():
        standing = tuple(
            (src.id, (float(net.xy[src.node][0]), float(net.xy[src.node][1])), src.mode)
            for src in police.get(s.index, ()))
        at_units = (s.start.hour, standing)
        if at_units not in by_units:
            if standing:
                rings = coverage.from_units(scenario, net, standing, hour=s.start.hour,
                                            weights=weights)
                rings.pop("minutes")
                by_units[at_units] = {"units": len(standing), **rings}
            else:
                by_units[at_units] = {"units": 0}
        from_plan[s.index] = by_units[at_units]
    for hour in sorted({s.start.hour for s in slots}):
        cov = coverage.analyze(scenario, net, mode="car", hour=hour)
        row = coverage.summary(scenario, cov, weights=weights)
        row["uncovered"] = list(cov.uncovered)
        key = tuple(i for i, pf in enumerate(scenario.policy.peak_factors)
                    if hour in pf.hours and "car" in pf.modes)
        if key not in staging:
            staging[key] = _staging(scenario, net, hour, incidents, reachable=[
                n for n, m in zip(cov.node_ids, cov.minutes.tolist(), strict=True)
                if math.isfinite(m)])
        row["staging"] = staging[key]
        by_hour[hour] = row
    return {
        "mode": "car",
        "targets_minutes": {str(k): v for k, v in scenario.policy.response_targets.items()},
        # what the incident-weighted shares weigh: the record's incidents at their nearest
        # node, those farther than OFF_NETWORK_M from every node not at all (said, so that a
        # share weighted by a few of them is not read as weighted by the record)
        "incident_weights": {"incidents": len(scenario.incidents),
                             "weighed": round(float(incidents.sum())),
                             "off_network_m": coverage.OFF_NETWORK_M},
        "slots": [{"slot": s.index, "start": s.name, **by_hour[s.start.hour],
                   **by_slot.get(s.index, {}),
                   **({"from_plan": from_plan[s.index]} if s.index in from_plan else {})}
                  for s in slots],
    }


def _with_holds(rings: dict[str, object], posture: deploy.Posture) -> dict[str, object]:
    """Each slot of the rings stage with the staging units the posture holds there (unit,
    node, the tier-1 sites it reaches in time) and the tier-1 sites left short."""
    staging = posture.extra.get("staging")
    if not isinstance(staging, Mapping):
        return rings
    held = cast(Mapping[str, object], staging.get("by_slot", {}))
    short = cast(Mapping[str, object], staging.get("short_by_slot", {}))
    for row in cast(list[dict[str, object]], rings.get("slots", [])):
        key = str(row["slot"])
        row["staging_held"] = held.get(key, [])
        row["staging_short"] = short.get(key, [])
    return rings


def build_plan(
    scenario: Scenario,
    request: PlanRequest,
    *,
    network: RoadNetwork | None = None,
    progress: Progress = _noop,
    extras: Sequence[tuple[str, ExtraStage]] | None = None,
) -> PlanResult:
    """Run every stage on ``scenario`` for ``request`` and return the plan with its measures."""
    progress("network")
    net = network if network is not None else RoadNetwork.from_scenario(scenario)
    slots = make_slots(request.start, days=request.days, slot_minutes=scenario.slot_minutes)
    # a plan knows the incidents before its first slot only: a record that runs on past it
    # (a past day re-planned to compare with what came) must not steer it (a review: 3,000
    # incidents dated after the plan's first day moved a grid's share of the units from
    # 2.8 % to 10.8 % through the dosage yardstick, with nothing said)
    known = scenario.known_before(slots[0].start) if slots else scenario

    progress("intel")
    risk = risk_stage(known, slots, method=request.risk_method,
                      train_days=request.train_days, seed=request.seed, whole=scenario)
    risk_table = risk if isinstance(risk, RiskTable) else None

    progress("roster")
    roster_result, roster_stage = _roster(known, request, risk_table)

    crews = _crews(known, slots, roster_result)  # once: the checkpoints and the posture
    progress("checkpoints")
    cp, cp_stage = _checkpoints(known, net, slots, request, crews)

    progress("posture")
    inputs, posture = _posture(known, net, slots, request, risk_table, crews, cp)
    assignments = posture.assignments
    ctx = DeployContext(scenario=known, network=net, slots=slots, posture=posture,
                        inputs=inputs, risk=risk_table, seed=request.seed)
    assignments, extra_stages, layers = apply_extra_stages(
        ctx, assignments, EXTRA_STAGES if extras is None else extras)

    progress("rings")
    has_sources = bool(known.staffed_posts(STAFFED_POST_KINDS))
    free: dict[str, Coverage] = {}
    rings: Mapping[str, object]
    if has_sources:
        modes: tuple[Mode, ...] = ("car", "foot")
        for mode in modes:
            free[mode] = coverage.analyze(known, net, mode=mode)
        rings = _with_holds(_rings_by_slot(known, net, slots, assignments), posture)
    else:
        rings = {"skipped": "the scenario has no staffed posts to measure from"}

    plan = Plan(
        scenario=scenario.name,
        inputs_hash=scenario.inputs_hash,
        seed=request.seed,
        version=__version__,
        slots=slots,
        units=tuple(u.id for u in known.units),
        assignments=assignments,
        stages=tuple(name for name, ran in (
            ("intel", risk_table is not None), ("roster", roster_result is not None),
            ("checkpoints", cp is not None), ("posture", True),
            *((name, True) for name in extra_stages), ("rings", True)) if ran),
        drone_sorties=layers.drone_sorties,
        camera_views=layers.camera_views,
    )
    progress("kpis")
    kpis, kpi_stage = _kpis(known, plan, risk_table, request)

    bands = known.policy.isochrone_minutes
    stages: dict[str, Mapping[str, object]] = {
        "network": {
            "nodes": net.n_nodes,
            "edges": known.roads.n_edges,
            "source": known.roads.source,
        },
        "intel": risk_table.as_json() if risk_table is not None else dict(risk),  # type: ignore[arg-type]
        "roster": roster_stage,
        "checkpoints": cp_stage,
        "posture": posture.summary(),
        **extra_stages,
        "rings": rings,
        "kpis": kpi_stage,
        "isochrones": {
            mode: {
                "bands_minutes": list(bands),
                "share_of_nodes_within": {
                    f"{b:g}": float(np.mean(cov.minutes <= b)) for b in bands
                },
                "unreachable_nodes": len(cov.unreachable),
            }
            for mode, cov in free.items()
        },
    }
    later = len(scenario.incidents) - len(known.incidents)
    if later:
        stages["record"] = {"incidents_from_plan_start": later,
                            "note": "incidents dated from the plan's first slot on: not used"}
    return PlanResult(scenario=scenario, network=net, plan=plan, coverage=free, stages=stages,
                      risk=risk_table, roster=roster_result, checkpoints=cp, kpis=kpis)


KPI_REPLICATIONS = 5


def _kpis(scenario: Scenario, plan: Plan, risk: RiskTable | None, request: PlanRequest
          ) -> tuple[Mapping[str, object] | None, Mapping[str, object]]:
    """The plan and the baseline plans simulated against incidents sampled from the
    forecast (or, without one, from the record's weekly profile)."""
    if not scenario.units:
        return None, {"skipped": "the scenario has no units to simulate"}
    if not scenario.areas_of("grid") or not len(scenario.incidents):
        return None, {"skipped": "no grids or no incident record to sample incidents from"}
    from xunfang.scenario.record import weekly_counts

    if not weekly_counts(scenario)[0].sum():  # (a review: a table of KPIs of 0 incidents)
        return None, {"skipped": "no incident of the record before the plan lies in a grid to "
                                 "sample incidents from"}
    from xunfang.sim import RiskForecast, plan_kpis  # here: a re-plan never simulates, and
    # the simulator's imports (scipy.stats, numba) are a second of start-up

    source = RiskForecast.from_history(scenario, slot_minutes=scenario.slot_minutes)
    if risk is not None:
        source = replace(source, risk=risk.risk)
    kpis = plan_kpis(scenario, plan, source, start=request.start, days=request.days,
                     replications=KPI_REPLICATIONS, seed=request.seed)
    return kpis, {"replications": KPI_REPLICATIONS,
                  "incidents": "sampled from the forecast" if risk is not None
                  else "sampled from the record's weekly profile",
                  "baselines": sorted(kpis["baselines"])}

def _roster(scenario: Scenario, request: PlanRequest, risk: RiskTable | None
            ) -> tuple[RosterResult | None, Mapping[str, object]]:
    """The roster of the plan's days; noon/evening reinforcement follows the forecast's
    hourly profile when there is one."""
    if not scenario.people:
        return None, {"skipped": "the scenario has no people to roster"}
    profile = None
    if risk is not None and risk.risk.size:
        by_slot = risk.risk.sum(axis=0)
        hours = np.array([int(s[11:13]) for s in risk.slots])
        profile = [float(by_slot[hours == h].sum()) for h in range(24)]
    _, teams, _, rostered = roster_scope(scenario)
    result = make_roster(scenario, request.start, request.days, seed=request.seed,
                         risk_profile=profile,
                         staffing=scenario_staffing(scenario, rostered, teams))
    doc = result.as_json()
    return result, {k: doc[k] for k in doc if k not in ("rows", "on_duty")} | {
        "duties": len(result.rows), "risk_profile": profile is not None}


def _rostered(scenario: Scenario, roster: RosterResult) -> tuple[str, ...]:
    """The people of the teams the roster rotas (its shift teams and day teams), in file
    order: whom the posture crews units from, and the checkpoint stage's crews too."""
    teams = set(roster.teams) | set(roster.day_teams)
    return tuple(p.id for p in scenario.people if p.team in teams)


@dataclass(frozen=True, eq=False)
class Crews:
    """Who crews which unit in each slot of the plan (:func:`~.deploy.inputs.crewing`),
    worked out once: the checkpoint stage reads which teams a sworn officer leads, and the
    posture places the units so crewed."""

    on_duty_people: tuple[tuple[str, ...], ...] | None  # per slot; None: no roster
    rostered: tuple[str, ...]  # the people of the rostered teams (:func:`_rostered`)
    crewing: Crewing


def _crews(scenario: Scenario, slots: Sequence[Slot], roster: RosterResult | None) -> Crews:
    """The units' crews per slot from the roster (with none, every unit is on duty all day
    with no named crew)."""
    if roster is None:
        return Crews(on_duty_people=None, rostered=(),
                     crewing=crewing(scenario, slots, None, ()))
    rostered = _rostered(scenario, roster)
    on = tuple(_on_duty_by_slot(roster, tuple(slots)))
    return Crews(on_duty_people=on, rostered=rostered,
                 crewing=crewing(scenario, slots, on, rostered))


def _manned(slots: Sequence[Slot], crews: Crews, teams: Sequence[str]
            ) -> tuple[list[tuple[str, ...]], list[UnmannedTeam]] | None:
    """Per slot the checkpoint teams that can check — crewed, with a sworn officer (民警) in
    the crew the posture will give them (``crews``, the posture's own: a free sworn officer
    of the team's tier joins a crew of auxiliaries) — and the others, each with its reason.
    A team off outside its duty hours (units.csv ``hours``) cannot check, roster or none (a
    review: with no people.csv, TX-C3 was scheduled at 00:00 while the posture had it off).
    None with no roster and no such hours (crews are not named: no rule to hold)."""
    hours_off = crews.crewing.hours_off
    if crews.on_duty_people is None and not any(u in teams for u, _k in hours_off):
        return None
    crew_of, rostered_units = crews.crewing.crew, crews.crewing.rostered_units
    sworn = crews.crewing.sworn
    sworn_names = sorted(sworn.intersection(crews.rostered))
    at: list[tuple[str, ...]] = []
    out: list[UnmannedTeam] = []
    for s in slots:
        can: list[str] = []
        for u in teams:
            crew = crew_of.get((u, s.index), ())
            if (u, s.index) in hours_off:
                why = crews.crewing.off_reason[(u, s.index)]  # units.csv hours
            elif u not in rostered_units or sworn & set(crew):
                can.append(u)
                continue
            elif not crew:
                why = "no crew on duty"
            else:
                why = (f"no sworn officer (民警) on duty to lead its crew ({', '.join(crew)}): "
                       "auxiliary officers may not stop and check alone")
                if sworn_names:
                    shown = ", ".join(sworn_names[:6]) + (" …" if len(sworn_names) > 6 else "")
                    why += f"; the roster's sworn officers ({shown}) are off duty or busy"
            out.append(UnmannedTeam(day=0, slot=s.start.isoformat(timespec="minutes"),
                                    slot_index=s.index, team=u, reason=why))
        at.append(tuple(can))
    return at, out


#: the checkpoint stage's reasons for no schedule at all, the report says them in its words
NO_CHECKPOINT_TEAM = "the scenario has no unit in the 'checkpoint' squad"
NO_TEAM_CAN_CHECK = "no checkpoint team can check in any slot: "


def _checkpoints(scenario: Scenario, net: RoadNetwork, slots: tuple[Slot, ...],
                 request: PlanRequest, crews: Crews | None = None
                 ) -> tuple[CheckpointPlan | None, Mapping[str, object]]:
    """The checkpoint schedule; with ``crews`` (:func:`_crews`) only teams a sworn officer
    leads check (None: no roster, every team in every slot)."""
    teams = default_teams(scenario)
    if not scenario.posts_of("checkpoint"):
        return None, {"skipped": "the scenario has no checkpoint posts"}
    if not teams:
        return None, {"skipped": NO_CHECKPOINT_TEAM}
    manned = None if crews is None else _manned(slots, crews, teams)
    if manned is not None and not any(manned[0]):
        return None, {"skipped": NO_TEAM_CAN_CHECK
                      + (manned[1][0].reason if manned[1] else "no team on duty")}
    at = None if manned is None else manned[0]
    n_teams = len(teams) if at is None else None  # teams_at, where given, sets the counts
    # the plan leaves the team-hours the equilibrium does not use to patrol rather than
    # spreading them over checks of targets no attacker type chooses (`xunfang checkpoints`
    # spreads them): spread, the county's plan of 2026-11-30 left tier-1 sites S02 and S08
    # and line L3 in grid G4 143, 147 and 136 minutes unvisited (required 120); unspread, none.
    # hold_total spreads where the equilibrium's checks fall, not how many: its vertex checked
    # one site in 9 of 24 hours with probability >= 0.9 and none in 6, alike every day
    dates = sorted({s.start.date() for s in slots})
    if len(dates) == 1:
        cp = plan_checkpoints(scenario, net, slots, n_teams, request.seed, days=1,
                              hold_total=True, teams_at=at)
    else:
        # A date's schedule must not depend on --from/--days: sampled over all the slots at
        # once, every date was drawn from the first date's stream (a review: day 2 of a 2-day
        # plan differed from the 1-day plan of that date). Each date is sampled as its own
        # 1-day plan, from its own (seed, date) streams; the whole-horizon plan keeps the game,
        # its solution and summary, and its schedule is the dates' schedules in turn. The
        # dates' games are one game when nothing in them differs by date: solved once
        # (`reuse`), not once a date and again for the horizon. A date on which no team can
        # check has no schedule (its teams are all listed as unmanned)
        per_date: list[CheckpointPlan] = []
        for d in dates:
            ks = [k for k, s in enumerate(slots) if s.start.date() == d]
            day_at = None if at is None else [at[k] for k in ks]
            if day_at is not None and not any(day_at):
                continue
            per_date.append(plan_checkpoints(
                scenario, net, [slots[k] for k in ks], n_teams, request.seed,
                days=1, hold_total=True, reuse=per_date, teams_at=day_at))
        cp = plan_checkpoints(scenario, net, slots, n_teams, request.seed, days=1,
                              hold_total=True, reuse=per_date, teams_at=at)
        cp = replace(cp, days=(tuple(v for p in per_date for v in p.days[0]),),
                     reserve=(tuple(r for p in per_date for r in p.reserve[0]),),
                     free=(tuple(f for p in per_date for f in p.free[0]),),
                     notes=(*cp.notes, f"each of the {len(dates)} dates is sampled from its own "
                            "(seed, date) stream, as a 1-day plan of that date"))
    if manned is not None and manned[1]:
        gone = manned[1]
        cp = replace(cp, unmanned=(tuple(gone),), notes=(*cp.notes, (
            f"{len(gone)} team-slot(s) of {len(teams) * len(slots)} cannot check (no sworn "
            "officer on duty to lead the crew, no crew, or outside the team's duty hours): "
            "the game schedules no check there, and those teams stand by at their home "
            "post, or are off outside their duty hours")))
    return cp, cp.summary() | {"schedule": [
        {"slot": v.slot, "site": v.site, "team": v.team} for v in cp.days[0]]}


def _posture(scenario: Scenario, net: RoadNetwork, slots: tuple[Slot, ...],
             request: PlanRequest, risk: RiskTable | None, crews: Crews,
             cp: CheckpointPlan | None) -> tuple[deploy.Inputs, deploy.Posture]:
    """Every unit's place per slot (the deployment MIP): units on duty and their crews from
    the roster (``crews``, :func:`_crews`), risk from the intelligence stage, the checkpoint
    schedule kept, the planner's pins kept."""
    inputs = deploy.prepare(
        scenario, net, slots,
        risk=None if risk is None else risk.risk,
        risk_grids=None if risk is None else risk.grids,
        crews=crews.crewing, pins=request.pins, options=request.deploy_options)
    at: dict[tuple[str, int], str] = {}
    if cp is not None:
        at = {(v.team, v.slot_index): v.site for v in cp.days[0]}
    return inputs, deploy.plan_posture(inputs, checkpoint_at=at)


def _on_duty_by_slot(roster: RosterResult, slots: tuple[Slot, ...]
                     ) -> list[tuple[str, ...]]:
    """People on duty in each plan slot: those of the roster's hourly slot holding the plan
    slot's start (a review: looked up by the slot's own start, every :30 slot of a plan of
    half-hour slots had no one on duty and its rostered units off)."""
    by_start = dict(zip(roster.slots, roster.on_duty, strict=True))
    return [by_start.get(s.start.replace(minute=0, second=0, microsecond=0), ())
            for s in slots]
