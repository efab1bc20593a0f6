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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xunfang.report.changes import CHANGES_COLUMNS, CHANGES_FILE, change_rows, replan_summary

if TYPE_CHECKING:
    from xunfang.plan import Slot
    from xunfang.planning.deploy.from_plan import PlanInForce, Replanned
    from xunfang.planning.deploy.replan import ReplanState
    from xunfang.report.html import ReplanReport
    from xunfang.scenario.model import Scenario

#: The plan folder's files a re-plan copies unchanged (the roster is not re-planned).
COPIED = ("roster.csv", "roster.xlsx")

_TIME = r"(?:\d{4}-\d{2}-\d{2}[T ])?\d{1,2}:\d{2}(?::\d{2})?"
_HOT = re.compile(rf"^(?P<grid>[^:]+):(?P<a>{_TIME})-(?P<b>{_TIME})(?::(?P<share>[^:]+))?$")


class ArgError(ValueError):
    """A bad command-line argument: the message names it and the rule broken."""


def register(app: typer.Typer) -> None:
    app.command("replan")(replan_cmd)


def build_state(pif: PlanInForce, sc: Scenario, at_text: str, busy: list[str],
                out_of_service: list[str], hot: list[str], back: list[str] | None = None
                ) -> tuple[ReplanState, Slot]:
    """The re-plan's state from the command line: the syntax of ``--busy`` and ``--hot``
    here, their rules in :func:`~xunfang.planning.deploy.asked.replan_state` (as the API's);
    :class:`ArgError` or :class:`~xunfang.planning.deploy.asked.AskError` names the
    argument."""
    from xunfang.planning.deploy.asked import HOT_SHARE, BusyAsk, HotAsk, replan_state

    busy_asks: list[BusyAsk] = []
    for text in busy:
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ArgError(f"--busy {text!r}: write UNIT:GRID:UNTIL (e.g. PS1-C:G3:16:30)")
        unit, grid, until = parts
        busy_asks.append(BusyAsk(unit, grid, until, label=f"--busy {text!r}"))
    hot_asks: list[HotAsk] = []
    for text in hot:
        m = _HOT.match(text)
        if m is None:
            raise ArgError(f"--hot {text!r}: write GRID:FROM-TO[:SHARE] "
                           "(e.g. G3:14:00-18:00:0.5)")
        share = HOT_SHARE
        if m.group("share") is not None:
            try:
                share = float(m.group("share"))
            except ValueError:
                raise ArgError(f"--hot {text!r}: SHARE {m.group('share')!r} is not a "
                               "number") from None
        hot_asks.append(HotAsk(m.group("grid"), m.group("a"), m.group("b"),
                               label=f"--hot {text!r}", share=share))
    return replan_state(pif.plan, sc, at_text, busy=busy_asks,
                        out_of_service=[(u, f"--out-of-service {u!r}") for u in out_of_service],
                        hot=hot_asks,
                        back=[(u, f"--back-in-service {u!r}") for u in back or []])


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


def write_replan_folder(rep: Replanned, pif: PlanInForce, out: Path, rows: list[dict[str, str]],
                        *, lang: str, summary: dict[str, Any] | None = None) -> Path:
    """The new plan folder (the plan command's writers) with changes.csv and the plan
    folder's roster copied; written beside ``out`` and moved into place at the end. Its
    report says it is a re-plan (``summary``: :func:`replan_summary`'s) and keeps the
    roster and checkpoint sections of the plan folder's report (:func:`replan_report`)."""
    from xunfang._files import swap_in
    from xunfang.report.folder import write_plan_folder

    out = out.absolute()
    if pif.folder is None:
        raise ValueError(f"{pif.label}: a re-plan folder is written beside a plan folder")
    check_out(out, pif.folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.replan-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        write_plan_folder(rep.result, rep.request, staging, lang=lang,  # type: ignore[arg-type]
                          replan=replan_report(pif, lang, summary))
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


def replan_report(pif: PlanInForce, lang: str, summary: dict[str, Any] | None
                  ) -> ReplanReport:
    """What the re-plan's report says besides its plan: when it was made (now, local time),
    its summary, and the roster and checkpoint sections of the plan folder's report.html
    where that report is in ``lang`` (else the report points to it)."""
    from datetime import datetime

    from xunfang.report.replan_view import replan_view

    path = pif.folder / "report.html" if pif.folder is not None else None
    original = (path.read_text(encoding="utf-8") if path is not None and path.is_file()
                else None)
    return replan_view(made=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
                       summary=summary, original_html=original,
                       lang=lang,  # type: ignore[arg-type]
                       # absolute: the re-plan's report is read from its own folder
                       kept_from=str(path.resolve()) if path is not None else pif.label)


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
    back_in_service: Annotated[list[str] | None, typer.Option(
        "--back-in-service", help="A unit an earlier re-plan took out of service or held at "
        "an incident, back from --at on; repeatable.")] = None,
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
    from xunfang.planning.deploy.from_plan import check_scenario, read_plan_folder, replan_plan
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
        state, at_slot = build_state(pif, sc, at, busy or [], out_of_service or [], hot or [],
                                     back_in_service or [])
        target = out if out is not None else plan_dir / _default_name(at_slot, pif)
        check_out(target.absolute(), plan_dir)
        rep = replan_plan(pif, sc, state, note={"forced": force} if force else None)
        t_plan = time.perf_counter()
        rows = change_rows(rep, pif, lang)
        summary = replan_summary(rep, pif, at_slot, rows)
        folder = write_replan_folder(rep, pif, target, rows, lang=lang, summary=summary)
    except (XunfangError, ValueError, OSError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - t0
    options: dict[str, object] = summary["deploy_options"]
    added: list[dict[str, Any]] = summary["shortfalls_added"]
    r_added: list[str] = summary["route_shortfalls_added"]
    if as_json:
        doc = {
            "plan": str(folder), "from_plan": str(pif.folder), **summary,
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
                      f"in force: {summary['shortfalls_in_force']}; {len(added)} new, "
                      f"{len(summary['shortfalls_resolved'])} resolved), the routes' (key "
                      f"sites and lines, over the whole plan) "
                      f"{len(summary['route_shortfalls'])} (plan in force: "
                      f"{summary['route_shortfalls_in_force']}; {len(r_added)} new, "
                      f"{len(summary['route_shortfalls_resolved'])} resolved); "
                      f"{seconds:.2f} s", highlight=False)
    if pif.pins or options:
        opts = ", ".join(f"{k}={v}" for k, v in options.items()) or "the defaults"
        out_console.print(f"planned with the plan's {len(pif.pins)} pin(s) and deployment "
                          f"options: {escape(opts)}", highlight=False)
    for f in added:
        out_console.print(f"[yellow]new shortfall[/] {escape(f['start'])} "
                          f"{escape(f['duty'])} at {escape(f['place'])}: "
                          f"{f['have']}/{f['need']} — {escape(f['detail'])}",
                          highlight=False)
    for t in r_added:
        out_console.print(f"[yellow]new route shortfall[/] {escape(t)}", highlight=False)
    out_console.print(f"new plan written to [bold]{escape(str(folder))}[/] (plan.json, "
                      f"plan_sheet.csv/.xlsx, {CHANGES_FILE}, report.html ({lang}), layers, "
                      f"risk.csv; "
                      f"roster copied unchanged; the plan's KPIs are not re-simulated: "
                      f"xunfang simulate {escape(source)} --plan {escape(str(folder))} --sample)")


def _default_name(at_slot: Slot, pif: PlanInForce) -> str:
    days = {s.start.date() for s in pif.slots}
    stamp = at_slot.start.strftime("%H%M" if len(days) == 1 else "%m%d-%H%M")
    return f"replan-{stamp}"


__all__ = ["ArgError", "build_state", "check_out", "register", "replan_cmd"]
