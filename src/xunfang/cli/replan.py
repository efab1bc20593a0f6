"""``xunfang replan``: re-plan the rest of a day from a plan folder (动态调整).

The plan folder written by ``xunfang plan`` is read back (plan.json), the posture is planned
again from ``--at`` with what happened (units busy at incidents, units out of service, new hot
places), changing as little as needed, and a new plan folder is written beside it with the
list of changes. Nothing in the plan folder itself is changed.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from xunfang.plan import DroneSortie, Plan, Slot
    from xunfang.planning.deploy.from_plan import PlanInForce, Replanned
    from xunfang.planning.deploy.replan import ReplanState
    from xunfang.report.html import PlaceNames
    from xunfang.scenario.model import Scenario

#: What a re-plan folder holds: a plan folder's files and the change list.
CHANGES_FILE = "changes.csv"
#: ``old_place``/``new_place`` keep the ids programs read (a post, a grid, a route's grid or a
#: staging unit's node); ``old_place_name``/``place_name`` say them as a crew does, as
#: plan_sheet.csv's ``place_name`` (the streets of a route, a staging node's crossing or key
#: site, names with ids in brackets), in the report's language; ``changed`` says what:
#: ``place`` (another duty or place) or ``streets`` (a route drawn again in its grid). After
#: the units' rows come the drones' sorties (kind ``sortie``, ``changed`` ``added``,
#: ``dropped``, ``moved`` or ``not_flown``: :func:`sortie_rows`) and the video desk's camera
#: tours (kind ``video``, ``changed`` ``cameras``: :func:`tour_rows`) that changed
CHANGES_COLUMNS = ("unit", "slot_start", "slot_end", "old_kind", "old_place", "new_kind",
                   "new_place", "new_duty", "old_place_name", "place_name", "changed")
#: The plan folder's files a re-plan copies unchanged (the roster is not re-planned).
COPIED = ("roster.csv", "roster.xlsx")

_TIME = r"(?:\d{4}-\d{2}-\d{2}[T ])?\d{1,2}:\d{2}(?::\d{2})?"
_HOT = re.compile(rf"^(?P<grid>[^:]+):(?P<a>{_TIME})-(?P<b>{_TIME})(?::(?P<share>[^:]+))?$")
_HHMM = re.compile(r"^\d{1,2}:\d{2}$")


class ArgError(ValueError):
    """A bad command-line argument: the message names it and the rule broken."""


def register(app: typer.Typer) -> None:
    app.command("replan")(replan_cmd)


def parse_moment(text: str, slots: tuple[Slot, ...], option: str) -> datetime:
    """``HH:MM`` on the plan's day (a one-day plan only) or an ISO date-time, within the plan
    (its end included)."""
    first, end = slots[0].start, slots[-1].end
    if _HHMM.match(text):
        if len({s.start.date() for s in slots}) > 1:
            raise ArgError(f"{option} {text!r}: the plan covers several days; give an ISO "
                           "date-time (YYYY-MM-DDTHH:MM)")
        h, m = (int(x) for x in text.split(":"))
        if (h, m) == (24, 0):
            return end
        if h > 23 or m > 59:
            raise ArgError(f"{option} {text!r}: not a time of day HH:MM")
        at = first.replace(hour=h, minute=m)
    else:
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise ArgError(f"{option} {text!r}: neither a time HH:MM nor an ISO date-time "
                           "(YYYY-MM-DDTHH:MM)") from None
        if at.tzinfo is not None:
            raise ArgError(f"{option} {text!r}: give the local time without a UTC offset")
    if not first <= at <= end:
        raise ArgError(f"{option} {text!r} is outside the plan "
                       f"({first.isoformat(timespec='minutes')}..{end.isoformat(timespec='minutes')})")
    return at


def _slot_holding(slots: tuple[Slot, ...], at: datetime) -> Slot | None:
    return next((s for s in slots if s.start <= at < s.end), None)


def _last_slot_before(slots: tuple[Slot, ...], until: datetime) -> Slot:
    """The last slot that starts before ``until`` (the slot ``until`` ends in)."""
    return [s for s in slots if s.start < until][-1]


def build_state(pif: PlanInForce, sc: Scenario, at_text: str, busy: list[str],
                out_of_service: list[str], hot: list[str]) -> tuple[ReplanState, Slot]:
    """The re-plan's state from the command line; :class:`ArgError` names the argument."""
    from xunfang.planning.deploy.replan import Hot, ReplanState

    slots = pif.slots
    at = parse_moment(at_text, slots, "--at")
    at_slot = _slot_holding(slots, at)
    if at_slot is None:
        raise ArgError(f"--at {at_text!r} is the end of the plan: nothing is left to re-plan")
    units = {u.id: u for u in sc.units}
    grids = {a.id for a in sc.areas_of("grid")}
    plan = pif.plan
    busy_map: dict[str, tuple[int, str]] = {}
    for text in busy:
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ArgError(f"--busy {text!r}: write UNIT:GRID:UNTIL (e.g. PS1-C:G3:16:30)")
        unit, grid, until_text = parts
        if unit not in units:
            raise ArgError(f"--busy {text!r}: unknown unit {unit!r} (not in units.csv)")
        if grid not in grids:
            raise ArgError(f"--busy {text!r}: unknown grid {grid!r} "
                           f"(grids: {', '.join(sorted(grids))})")
        if unit in busy_map:
            raise ArgError(f"--busy {text!r}: unit {unit!r} is given busy twice")
        if units[unit].mode == "drone":
            raise ArgError(f"--busy {text!r}: unit {unit!r} is a drone; drones fly sorties")
        until = parse_moment(until_text, slots, "--busy UNTIL")
        if until <= at:
            raise ArgError(f"--busy {text!r}: UNTIL must be after --at {at_text}")
        if plan.at(unit, at_slot.index).duty == "off":
            raise ArgError(f"--busy {text!r}: unit {unit!r} is off duty at --at "
                           f"{at_slot.name} in the plan ({plan.at(unit, at_slot.index).note})")
        busy_map[unit] = (_last_slot_before(slots, until).index, grid)
    oos: list[str] = []
    for unit in out_of_service:
        if unit not in units:
            raise ArgError(f"--out-of-service {unit!r}: unknown unit (not in units.csv)")
        if unit in busy_map:
            raise ArgError(f"--out-of-service {unit!r}: the unit is also given --busy")
        if unit not in oos:
            oos.append(unit)
    hots: list[Hot] = []
    for text in hot:
        m = _HOT.match(text)
        if m is None:
            raise ArgError(f"--hot {text!r}: write GRID:FROM-TO[:SHARE] "
                           "(e.g. G3:14:00-18:00:0.5)")
        grid = m.group("grid")
        if grid not in grids:
            raise ArgError(f"--hot {text!r}: unknown grid {grid!r} "
                           f"(grids: {', '.join(sorted(grids))})")
        a = parse_moment(m.group("a"), slots, "--hot FROM")
        b = parse_moment(m.group("b"), slots, "--hot TO")
        if b <= a:
            raise ArgError(f"--hot {text!r}: TO must be after FROM")
        if b <= at_slot.start:
            raise ArgError(f"--hot {text!r}: it ends before the re-plan starts "
                           f"({at_slot.name}, the slot of --at)")
        share = 0.5
        if m.group("share") is not None:
            try:
                share = float(m.group("share"))
            except ValueError:
                raise ArgError(f"--hot {text!r}: SHARE {m.group('share')!r} is not a "
                               "number") from None
            if not 0 <= share <= 100:
                raise ArgError(f"--hot {text!r}: SHARE must be between 0 and 100 (a share "
                               "of the slot's total risk added to the grid)")
        first = max(a, at_slot.start)
        first_slot = _slot_holding(slots, first)
        assert first_slot is not None  # first < b <= the plan's end
        hots.append(Hot(grid=grid, first=first_slot.index,
                        last=_last_slot_before(slots, b).index, share=share))
    return ReplanState(at_slot=at_slot.index, busy=busy_map, out_of_service=tuple(oos),
                       hot=tuple(hots)), at_slot


def check_out(out: Path, plan_dir: Path) -> None:
    """``--out`` must be new, empty or an earlier re-plan folder, and never PLAN_DIR itself
    or a folder above it (nothing of the plan in force is overwritten). An earlier re-plan
    folder holding re-plans of its own (a re-plan of the re-plan) is refused as ``xunfang
    plan`` refuses a plan folder holding re-plans: they would be deleted with it."""
    from xunfang.report.folder import PLAN_FOLDER_ENTRIES, check_earlier

    o, p = out.resolve(), plan_dir.resolve()
    if o == p or o in p.parents:
        raise ArgError(f"--out {out}: the re-plan cannot be written over PLAN_DIR {plan_dir} "
                       "or a folder holding it")
    try:
        check_earlier(out, what="re-plan folder", required=("plan.json", CHANGES_FILE),
                      allowed=PLAN_FOLDER_ENTRIES | {CHANGES_FILE})
    except FileExistsError as exc:
        raise ArgError(str(exc)) from None


def change_rows(rep: Replanned, pif: PlanInForce, lang: str = "zh") -> list[dict[str, str]]:
    """One row per changed unit and slot: the old and the new kind and place, by id and by
    name (:class:`~xunfang.report.html.PlaceNames` in ``lang``: the old place from the plan
    in force's stages, the new from the re-plan's); then the drones' sorties and the video
    desk's camera tours that changed (:func:`sortie_rows`, :func:`tour_rows`)."""
    from xunfang.planning.deploy.from_plan import place_in
    from xunfang.planning.pipeline import PlanResult
    from xunfang.report.html import PlaceNames

    was, now = place_in(pif.route_grid), place_in(rep.route_grid)
    new_names = PlaceNames(rep.result, lang)
    old_names = PlaceNames(PlanResult(scenario=rep.result.scenario, network=rep.result.network,
                                      plan=pif.plan, coverage={}, stages=pif.stages), lang)
    by_index = {s.index: s for s in pif.slots}
    rows: list[dict[str, str]] = []
    for c in rep.changes:
        s = by_index[c.slot]
        ok, op = was(c.old) if c.old is not None else ("", "")
        nk, np_ = now(c.new)
        rows.append({"unit": c.unit, "slot_start": s.name,
                     "slot_end": s.end.isoformat(timespec="minutes"), "old_kind": ok,
                     "old_place": op, "new_kind": nk, "new_place": np_,
                     "new_duty": c.new.note,
                     "old_place_name": (old_names.place(c.old, s.start.hour)
                                        if c.old is not None else ""),
                     "place_name": new_names.place(c.new, s.start.hour),
                     "changed": c.what})
    return rows + sortie_rows(rep, pif, new_names) + tour_rows(rep, pif, new_names)


#: what a sortie row's ``new_duty`` says of a sortie the limits keep on the ground
_NOT_FLOWN = {"recharge": "{unit} would not be back from the {after} sortie and "
                          "{recharge:g} min recharged by then",
              "max_sorties": "{unit} has flown the {n} sorties its day allows by then"}


def sortie_rows(rep: Replanned, pif: PlanInForce, names: PlaceNames) -> list[dict[str, str]]:
    """changes.csv's rows of the drones' sorties the re-plan added, dropped, moved or drew
    and does not fly (a row each, kind ``sortie``): ``unit`` the drone, ``slot_start`` and
    ``slot_end`` the sortie's launch and landing (the old one's where none flies now), the
    places the grids flown in order (``G3 > G4``; ``names`` say them), ``new_duty`` the
    launch post, pilot and times before and after in words, ``changed`` ``added``,
    ``dropped``, ``moved`` or ``not_flown`` (the re-plan's drone stage drew it; the
    battery's recharge or the day's sorties keep it on the ground, and ``new_duty`` says
    which)."""
    from xunfang.planning.drones import DroneParams
    from xunfang.report.html import clock

    t0 = pif.slots[0].start
    limits = DroneParams.of(rep.result.scenario.policy)

    def at(m: float) -> datetime:
        return t0 + timedelta(minutes=m)

    def span(x: DroneSortie) -> str:
        return f"{clock(at(x.start))}–{clock(at(x.end), end=True)}"

    def pilot(plan: Plan, x: DroneSortie) -> str:
        s = _slot_holding(plan.slots, at(x.start))
        crew = plan.at(x.unit, s.index).crew if s is not None else ()
        return f", pilot {';'.join(crew)}" if crew else ""

    def said(x: DroneSortie, plan: Plan) -> str:
        return f"sortie {span(x)} from {x.post}{pilot(plan, x)}"

    def grids(x: DroneSortie | None) -> tuple[str, str]:
        if x is None:
            return "", ""
        return " > ".join(x.grids), " > ".join(names.grid_name(g) for g in x.grids)

    rows: list[dict[str, str]] = []
    for c in rep.sortie_changes:
        now_plan = rep.result.plan
        if c.new is not None:
            duty = said(c.new, now_plan)
            if c.old is not None:
                duty += f" (was {span(c.old)} from {c.old.post} over {' > '.join(c.old.grids)})"
        elif c.old is not None:
            duty = f"no sortie (was {said(c.old, pif.plan)})"
        else:
            duty = "no sortie"
        if c.held is not None:
            h = c.held
            why = _NOT_FLOWN.get(h.reason, "{reason}").format(
                unit=c.unit, reason=h.reason, recharge=limits.recharge_minutes,
                n=limits.max_sorties, after=span(h.after) if h.after is not None else "")
            duty += (f"; the re-planned sortie {span(h.sortie)} over "
                     f"{' > '.join(h.sortie.grids)} is not flown: {why}")
        x = c.new or c.old or (c.held.sortie if c.held is not None else None)
        assert x is not None
        op, on = grids(c.old)
        np_, nn = grids(c.new)
        rows.append({"unit": c.unit, "slot_start": at(x.start).isoformat(timespec="minutes"),
                     "slot_end": at(x.end).isoformat(timespec="minutes"),
                     "old_kind": "sortie" if c.old is not None else "", "old_place": op,
                     "new_kind": "sortie" if c.new is not None else "", "new_place": np_,
                     "new_duty": duty, "old_place_name": on, "place_name": nn,
                     "changed": c.what})
    return rows


def tour_rows(rep: Replanned, pif: PlanInForce, names: PlaceNames) -> list[dict[str, str]]:
    """changes.csv's rows of the video desk's camera tours the re-plan changed (kind
    ``video``), as plan_sheet.csv has them: ``unit`` the desk's seat (``video-desk-1``),
    ``slot_start`` and ``slot_end`` the tour's, the places its cameras in the order watched
    (``CAM01;CAM09``; ``names`` say them), ``new_duty`` ``camera tour HH:MM–HH:MM`` (``no
    camera tour`` where the seat has none now), ``changed`` ``cameras``."""
    from xunfang.report.html import clock

    t0 = pif.slots[0].start
    rows: list[dict[str, str]] = []
    for t in rep.tour_changes:
        a, b = t0 + timedelta(minutes=t.start), t0 + timedelta(minutes=t.end)
        rows.append({"unit": f"video-desk-{t.operator + 1}",
                     "slot_start": a.isoformat(timespec="minutes"),
                     "slot_end": b.isoformat(timespec="minutes"),
                     "old_kind": "video" if t.old else "", "old_place": ";".join(t.old),
                     "new_kind": "video" if t.new else "", "new_place": ";".join(t.new),
                     "new_duty": (f"camera tour {clock(a)}–{clock(b, end=True)}" if t.new
                                  else "no camera tour"),
                     "old_place_name": "; ".join(names.post(c) for c in t.old),
                     "place_name": "; ".join(names.post(c) for c in t.new),
                     "changed": "cameras"})
    return rows


def write_replan_folder(rep: Replanned, pif: PlanInForce, out: Path, rows: list[dict[str, str]],
                        *, lang: str) -> Path:
    """The new plan folder (the plan command's writers) with changes.csv and the plan
    folder's roster copied; written beside ``out`` and moved into place at the end."""
    from xunfang._files import swap_in
    from xunfang.report.folder import write_plan_folder

    out = out.absolute()
    check_out(out, pif.folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.replan-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        write_plan_folder(rep.result, rep.request, staging, lang=lang)  # type: ignore[arg-type]
        with (staging / CHANGES_FILE).open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=CHANGES_COLUMNS)
            w.writeheader()
            w.writerows(rows)
        for name in COPIED:
            if (pif.folder / name).is_file():
                shutil.copy2(pif.folder / name, staging / name)
        swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def replan_cmd(
    plan_dir: Annotated[Path, typer.Argument(
        help="The plan folder written by xunfang plan (its plan.json is read, never "
        "changed).")],
    at: Annotated[str, typer.Option(
        "--at", help="When the re-plan starts: HH:MM on the plan's day or an ISO date-time; "
        "the slot holding it and all later ones are planned again, earlier ones kept.")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="The scenario folder or built-in name (default: the one "
        "plan.json names).")] = None,
    busy: Annotated[list[str] | None, typer.Option(
        "--busy", help="UNIT:GRID:UNTIL — the unit is held at an incident in GRID until "
        "UNTIL (HH:MM or ISO); repeatable.")] = None,
    out_of_service: Annotated[list[str] | None, typer.Option(
        "--out-of-service", help="A unit out of service from --at on; repeatable.")] = None,
    hot: Annotated[list[str] | None, typer.Option(
        "--hot", help="GRID:FROM-TO[:SHARE] — a new hot place: GRID gets SHARE (default "
        "0.5) of the slot's total risk more, and one unit more than planned, from FROM to "
        "TO; repeatable.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="The new plan folder (default: PLAN_DIR/replan-HHMM).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Re-plan although the scenario's files changed since the plan "
        "(its inputs hash differs).")] = False,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Language of the report: zh or en (default: the plan's own, else zh).")
    ] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object: changes, shortfalls, seconds.")] = False,
) -> None:
    """Re-plan the rest of the day of PLAN_DIR from --at (动态调整), changing as little as
    needed; write a new plan folder and the list of changes."""
    t0 = time.perf_counter()
    from rich.markup import escape
    from rich.table import Table

    from xunfang._errors import ScenarioError, XunfangError
    from xunfang.cli.main import _error, _print_problems, err_console, out_console
    from xunfang.planning.deploy.from_plan import (
        check_scenario,
        read_plan_folder,
        replan_plan,
        route_shortfalls,
    )
    from xunfang.planning.pipeline import options_as_dict
    from xunfang.report import folder as _writers  # noqa: F401 (its imports: start-up)

    t_imports = time.perf_counter() - t0

    if lang is not None and lang not in ("zh", "en"):
        _error(f"--lang {lang!r}: choose zh or en")
        raise typer.Exit(1)
    try:
        pif = read_plan_folder(plan_dir)
    except XunfangError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    # the plan's own language: re-planning an English plan had written a Chinese report
    lang = lang or pif.lang or "zh"
    source = scenario or pif.scenario_name()
    if not source:
        _error(f"{plan_dir / 'plan.json'} names no scenario source: give --scenario")
        raise typer.Exit(1)
    from xunfang import scenario as scenario_mod

    try:
        sc = scenario_mod.load(source, largest_component=pif.largest_component)
    except ScenarioError as exc:
        err_console.print(f"[red]{escape(source)}: the scenario has errors; no re-plan "
                          "written[/]")
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    t_load = time.perf_counter()
    try:
        check_scenario(pif, sc, force=force)
        state, at_slot = build_state(pif, sc, at, busy or [], out_of_service or [], hot or [])
        target = out if out is not None else plan_dir / _default_name(at_slot, pif)
        check_out(target.absolute(), pif.folder)
        rep = replan_plan(pif, sc, state, note={"forced": force} if force else None)
        t_plan = time.perf_counter()
        rows = change_rows(rep, pif, lang)
        folder = write_replan_folder(rep, pif, target, rows, lang=lang)
    except (XunfangError, ValueError, OSError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - t0
    options = options_as_dict(pif.deploy_options)  # the plan's own, re-planned with
    before = [f for f in pif.shortfalls if f.slot >= at_slot.index]
    was = {_key(f.as_dict()) for f in before}
    now = {_key(f.as_dict()) for f in rep.new_shortfalls}
    added = [f for f in rep.new_shortfalls if _key(f.as_dict()) not in was]
    resolved = [f for f in before if _key(f.as_dict()) not in now]
    r_before = route_shortfalls(pif.stages.get("routes"))
    r_now = route_shortfalls(rep.result.stages.get("routes"))
    was_about, now_about = {_route_key(x) for x in r_before}, {_route_key(x) for x in r_now}
    r_added = [t for t in r_now if _route_key(t) not in was_about]
    r_resolved = [t for t in r_before if _route_key(t) not in now_about]
    units = sorted({c.unit for c in rep.changes} | {c.unit for c in rep.sortie_changes})
    if as_json:
        doc = {
            "plan": str(folder), "from_plan": str(pif.folder), "at": at_slot.name,
            "at_slot": at_slot.index, "changed": len(rows),
            "changed_by_kind": {"assignments": len(rep.changes),
                                "sorties": len(rep.sortie_changes),
                                "camera_tours": len(rep.tour_changes)},
            "units_changed": units,
            "changes": rows, "shortfalls": [f.as_dict() for f in rep.new_shortfalls],
            "shortfalls_added": [f.as_dict() for f in added],
            "shortfalls_resolved": [f.as_dict() for f in resolved],
            "route_shortfalls": r_now, "route_shortfalls_added": r_added,
            "route_shortfalls_resolved": r_resolved,
            "status": rep.posture.status, "max_gap": rep.posture.max_gap,
            "pins": len(pif.pins), "deploy_options": options,
            "seconds": round(seconds, 3),
            "seconds_by_step": {"imports": round(t_imports, 3),
                                "read_and_load": round(t_load - t0 - t_imports, 3),
                                "replan": round(t_plan - t_load, 3),
                                "replan_steps": dict(rep.steps),
                                "write": round(time.perf_counter() - t_plan, 3)},
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"changes from {at_slot.name}")
    for col in ("unit", "slot", "old", "new", "duty"):
        table.add_column(col)
    def said(kind: str, place: str, name: str) -> str:
        """The place by id, and under it as a crew names it (where the name says more)."""
        first = f"{kind} {place}".strip()
        return escape(f"{first}\n{name}" if name and name != place else first)

    for r in rows:
        table.add_row(escape(r["unit"]), r["slot_start"][11:16],
                      said(r["old_kind"], r["old_place"], r["old_place_name"]),
                      said(r["new_kind"], r["new_place"], r["place_name"]),
                      escape(r["new_duty"]))
    if rows:
        out_console.print(table)
    extra = [f"{n} {what}" for n, what in ((len(rep.sortie_changes), "drone sortie(s)"),
                                            (len(rep.tour_changes), "camera tour(s)")) if n]
    out_console.print(f"re-planned from {at_slot.name} (slot {at_slot.index}): "
                      f"{len(rows)} change(s): {len(rep.changes)} for "
                      f"{len({c.unit for c in rep.changes})} unit(s)"
                      + "".join(f", {x}" for x in extra) + "; "
                      f"shortfalls: the posture's from then on {len(rep.new_shortfalls)} (plan "
                      f"in force: {len(before)}; {len(added)} new, {len(resolved)} resolved), "
                      f"the routes' (key sites and lines, over the whole plan) {len(r_now)} "
                      f"(plan in force: {len(r_before)}; {len(r_added)} new, "
                      f"{len(r_resolved)} resolved); {seconds:.2f} s", highlight=False)
    if pif.pins or options:
        opts = ", ".join(f"{k}={v}" for k, v in options.items()) or "the defaults"
        out_console.print(f"planned with the plan's {len(pif.pins)} pin(s) and deployment "
                          f"options: {escape(opts)}", highlight=False)
    for f in added:
        out_console.print(f"[yellow]new shortfall[/] {escape(f.start)} {escape(f.duty)} at "
                          f"{escape(f.place)}: {f.have}/{f.need} — {escape(f.detail)}",
                          highlight=False)
    for t in r_added:
        out_console.print(f"[yellow]new route shortfall[/] {escape(t)}", highlight=False)
    out_console.print(f"new plan written to [bold]{escape(str(folder))}[/] (plan.json, "
                      f"plan_sheet.csv/.xlsx, {CHANGES_FILE}, report.html ({lang}), layers, "
                      f"risk.csv; "
                      f"roster copied unchanged; the plan's KPIs are not re-simulated: "
                      f"xunfang simulate {escape(source)} --plan {escape(str(folder))} --sample)")


def _route_key(text: str) -> str:
    """What a route shortfall is about (``site S06 (tier 1, grid G3)``, ``line L1 piece in
    grid G3``, ``grid G3 slot 14``): a site missed by other minutes is the same one."""
    return text.split(":", 1)[0]


def _key(f: dict[str, object]) -> tuple[object, ...]:
    return (f["slot"], f["duty"], f["place"], f["need"], f["have"], f["detail"])


def _default_name(at_slot: Slot, pif: PlanInForce) -> str:
    days = {s.start.date() for s in pif.slots}
    stamp = at_slot.start.strftime("%H%M" if len(days) == 1 else "%m%d-%H%M")
    return f"replan-{stamp}"


__all__ = ["ArgError", "build_state", "check_out", "register", "replan_cmd"]
