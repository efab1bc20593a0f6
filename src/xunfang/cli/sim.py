"""``xunfang simulate``: measure a plan against replayed or sampled incidents."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
    app.command("sweep")(sweep_cmd)


def _fmt(v: float | None, ci: tuple[float, float] | None) -> tuple[str, str]:
    if v is None or not math.isfinite(v):
        return "-", "-"
    return f"{v:.4g}", (f"[{ci[0]:.4g}, {ci[1]:.4g}]" if ci else "-")


def simulate_cmd(
    scenario: Annotated[str, typer.Argument(
        help="A scenario folder, or the name of a built-in scenario.")] = "ebian",
    plan_dir: Annotated[Path | None, typer.Option(
        "--plan", help="A plan folder (its plan.json); default: units held at their home posts."
    )] = None,
    incidents: Annotated[Path | None, typer.Option(
        "--incidents", help="A CSV of incidents to replay (time, x/y or lon/lat, category, "
        "priority); default: the scenario's own history.")] = None,
    sample_: Annotated[bool, typer.Option(
        "--sample", help="Sample fresh Poisson incidents in every replication from the "
        "recorded profile per grid and hour of week, instead of replaying.")] = False,
    start: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"],
        help="First day (default: the plan's first day, else the first day of the "
        "--incidents file, else the last DAYS days of the history, else tomorrow).")] = None,
    days: Annotated[int | None, typer.Option(
        "--days", min=1, max=3660,
        help="How many days to simulate (default: the plan's days, else 7).")] = None,
    replications: Annotated[int, typer.Option("--replications", min=1, max=1000,
                                              help="Independent replications.")] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of every random draw.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    incidents_out: Annotated[Path | None, typer.Option(
        "--incidents-out", help="Write one CSV row per incident per replication: when and "
        "where it was, its ring and target, the unit sent and where from, wait, travel, "
        "arrival, within target, served/unserved/unreachable.")] = None,
) -> None:
    """Simulate a plan of SCENARIO against incidents; print the KPIs with 95 % intervals."""
    from rich.table import Table

    from xunfang._errors import XunfangError
    from xunfang.cli.main import _error, err_console, out_console
    from xunfang.network import RoadNetwork
    from xunfang.sim import HEADLINE, evaluate, simulate
    from xunfang.sim.incidents import OUTCOME_COLUMNS, incident_outcomes, missing_target

    sc, plan, first, days, source, notes = _inputs(scenario, plan_dir, incidents, sample_,
                                                   start, days, seed)
    try:
        net = RoadNetwork.from_scenario(sc)
        with err_console.status("simulating", spinner="dots"):
            res = simulate(sc, net, plan, source, start=first, days=days,
                           replications=replications, seed=seed)
            kpis = evaluate(res)
            rows = incident_outcomes(res)
    except (XunfangError, ValueError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    if incidents_out is not None:
        try:
            with incidents_out.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=OUTCOME_COLUMNS)
                w.writeheader()
                w.writerows(rows)
        except OSError as exc:
            _error(f"--incidents-out {incidents_out}: cannot write: {exc}")
            raise typer.Exit(1) from None
    info: dict[str, Any] = {
        "scenario": sc.name, "from": first.isoformat(), "days": days,
        "replications": replications, "seed": seed, "incidents": res.source,
        "plan_stages": list(plan.stages), "units": len(res.setup.units),
        "responders": int(res.setup.responder.sum()),
        "drones": list(res.setup.drone_units),
        "seconds_per_replication": round(sum(res.seconds) / len(res.seconds), 3),
        # reached late or never, all replications (the rows of --incidents-out)
        "incidents_missing_target": missing_target(rows),
        **notes,
    }
    if kpis.note:
        # a short replay: its intervals understate the spread between weeks (kpis.short_run_note)
        info["notes"] = [*info["notes"], kpis.note]
    if as_json:
        out_console.print_json(json.dumps({**info, "kpis": kpis.as_json()}, ensure_ascii=False))
        return
    t = Table(title=f"{sc.name}: {days} days from {first}, {replications} replication(s), "
                    f"seed {seed} ({res.source})")
    t.add_column("KPI")
    t.add_column("value", justify="right")
    t.add_column("95 % interval", justify="right")
    # which interval: over the replications (the simulator's own noise), or a bootstrap over
    # the run's days (or incidents) when recorded incidents are replayed — the incidents'
    # own chance is in the latter only (a review: p90 1.60 [1.51, 1.68] from replications
    # where a bootstrap over the days gave [1.19, 3.90])
    t.add_column("interval over")
    names = [*HEADLINE, *(k for k in kpis.summary if k not in HEADLINE)]
    for k in names:
        if k in kpis.summary:
            v, c = _fmt(kpis.summary[k], kpis.ci.get(k))
            kind = kpis.interval.get(k, "") if c != "-" else ""
            t.add_row(k, v, c, kind)
    out_console.print(t)
    if kpis.bootstrap_draws:
        out_console.print(f"bootstrap intervals from {kpis.bootstrap_draws} draws")
    if kpis.note:
        out_console.print(f"note: {escape(kpis.note)}", highlight=False)
    for line in _static_lines(kpis.tables.get("static_by_slot", ())):
        out_console.print(line, highlight=False)
    for line in _workload_lines(kpis.tables.get("workload", ())):
        out_console.print(line, highlight=False)
    counts = ", ".join(f"{k} {v}" for k, v in kpis.counts.items())
    out_console.print(f"incidents (all replications): {counts}; missing their target "
                      f"{info['incidents_missing_target']}")
    if incidents_out is not None:
        out_console.print(f"one row per incident and replication: {incidents_out}")
    if res.setup.drone_units:
        out_console.print(f"drones (sorties and eyes on scene, never the response): "
                          f"{', '.join(res.setup.drone_units)}")


def _static_lines(rows: Any) -> list[str]:
    """The static measure's spread over the plan's slots (its mean alone is in the table):
    the lowest and highest slot."""
    got = [(r["share_within_target"], r["slot"]) for r in rows
           if r.get("share_within_target") is not None]
    if not got:
        return []
    lo, hi = min(got), max(got, key=lambda g: g[0])
    return [f"static_within_target by slot ({len(got)} slots): lowest {lo[0]:.3g} at {lo[1]}, "
            f"highest {hi[0]:.3g} at {hi[1]}"]


def _spread(vals: list[float], unit: str = "") -> str:
    arr = np.asarray(vals, dtype=np.float64)
    return (f"mean {arr.mean():.3g}{unit}, sd {arr.std():.3g}, "
            f"range {arr.min():.3g}–{arr.max():.3g}")


def _workload_lines(rows: Any) -> list[str]:
    """DESIGN §4's workload figures from the ``workload`` table (one row per unit, per week
    of the run, then the spread row): duty and busy hours per week, utilisation, night and
    weekend shares of the duty hours, each as the mean over the units, their standard
    deviation and the lowest–highest unit (the table showed none of them; --json only)."""
    units = [r for r in rows if r.get("unit") != "(spread)"]
    if not units:
        return []
    lines = [f"workload per unit ({len(units)} units, per week of the run; the roster turns "
             "it into per person):"]
    for key, label, unit in (("duty_hours_per_week", "on-duty hours a week", " h"),
                             ("busy_hours_per_week", "busy hours a week", " h"),
                             ("utilization", "utilisation (busy / on duty)", ""),
                             ("night_share", "night share of duty hours", ""),
                             ("weekend_share", "weekend share of duty hours", "")):
        vals = [float(r[key]) for r in units if r.get(key) is not None]
        if vals:
            lines.append(f"  {label}: {_spread(vals, unit)}")
    return lines


def _day_range(times: Any) -> str:
    """'first..last' day of ``times`` (datetime64), or 'none' when empty."""
    if not len(times):
        return "none"
    lo, hi = (str(times.min().astype("datetime64[D]")), str(times.max().astype("datetime64[D]")))
    return lo if lo == hi else f"{lo}..{hi}"


def _inputs(scenario: str, plan_dir: Path | None, incidents: Path | None, sample_: bool,
            start: datetime | None, days: int | None, seed: int
            ) -> tuple[Any, Any, date, int, Any, dict[str, Any]]:
    """The scenario, plan, first day, days, incident source and notes of simulate and sweep.

    The notes (``{"notes": [...], "incident_rows": {...}}``) say how the window was chosen,
    how many replayed rows fell outside it and where the plan is repeated or shifted onto
    other dates; each note is also printed on stderr. A replay with no incident in the
    window is refused (a review: a plan's future dates against the history, and a file of
    past times against "tomorrow", both ran with 0 incidents, every figure "-", no word)."""
    from xunfang._errors import XunfangError
    from xunfang.cli.main import _error, err_console, load_or_exit
    from xunfang.plan import Plan, PlanError, make_slots, tomorrow
    from xunfang.planning.posture import hold_at_home
    from xunfang.sim import RiskForecast, SimIncidents, history
    from xunfang.sim.incidents import read_incidents

    if incidents is not None and sample_:
        _error("--incidents and --sample exclude each other: replay a file or sample, not both")
        raise typer.Exit(2)
    try:
        sc = load_or_exit(scenario)
    except XunfangError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    plan: Plan | None = None
    if plan_dir is not None:
        path = plan_dir / "plan.json" if plan_dir.is_dir() else plan_dir
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            plan = Plan.from_dict(doc.get("plan", doc))
        except (OSError, ValueError, KeyError, PlanError) as exc:
            _error(f"{path}: not a readable plan: {exc}")
            raise typer.Exit(1) from None
    recorded = None  # every incident replayable: the file's, or the scenario's history
    if incidents is not None:
        try:
            recorded = read_incidents(incidents, sc)
        except XunfangError as exc:
            _error(exc)
            raise typer.Exit(1) from None
    elif not sample_:
        recorded = sc.incidents
    notes: list[str] = []
    plan_days = 0
    if plan is not None:
        plan_days = max(1, round(len(plan.slots) * plan.slots[0].minutes / 1440))
    if days is None:
        # a plan is measured over its own days: the old default of 7 repeated a 2-day plan
        # three and a half times under a title of "7 days"
        days = plan_days or 7
    if start is not None:
        first = start.date()
    elif plan is not None:
        first = plan.slots[0].start.date()
    elif incidents is not None and recorded is not None and len(recorded):
        first = recorded.time.min().astype("datetime64[D]").astype(date)
        notes.append(f"--from not given: the run starts on {first}, the first day of "
                     f"{incidents}")
    elif not sample_ and len(sc.incidents):
        last = sc.incidents.time.max().astype("datetime64[D]").astype(date)
        first = last - timedelta(days=days - 1)
    else:
        first = tomorrow(sc.timezone)
    last_day = first + timedelta(days=days - 1)
    window = f"{first}..{last_day}" if days > 1 else f"{first}"
    if plan is not None:
        p0 = plan.slots[0].start.date()
        p1 = p0 + timedelta(days=plan_days - 1)
        outside = [d for d in (first + timedelta(days=k) for k in range(days))
                   if not p0 <= d <= p1]
        if outside:
            how = ("repeated" if days > plan_days else "shifted")
            if len(outside) == days:
                notes.append(f"the plan covers {p0}..{p1} ({plan_days} day(s)) and none of "
                             f"the run's days ({window}): its slots are {how} onto them by "
                             "time of day")
            else:
                notes.append(f"the plan covers {p0}..{p1} ({plan_days} day(s)); the run's "
                             f"{len(outside)} day(s) outside it "
                             f"({outside[0]}..{outside[-1]}) repeat it by time of day")
    rows: dict[str, Any] = {}
    if recorded is not None:
        what = str(incidents) if incidents is not None else f"the history of {sc.name}"
        t = recorded.time.astype("datetime64[m]")
        t0 = np.datetime64(first, "m")
        t1 = t0 + np.timedelta64(days * 1440, "m")
        before, after = int((t < t0).sum()), int((t >= t1).sum())
        inside = len(t) - before - after
        rows = {"source": what, "rows": len(t), "in_window": inside, "before": before,
                "after": after, "file_days": _day_range(t)}
        if inside == 0:
            _error(f"no incident of {what} falls in the run's window {window} (its "
                   f"{len(t)} incident(s) lie on {_day_range(t)}): give the days with --from "
                   "(and --days), or sample incidents with --sample")
            raise typer.Exit(1)
        if before or after:
            notes.append(f"{what}: {inside} of {len(t)} incident(s) in the window {window}; "
                         f"{before} before and {after} after it are left out")
    for n in notes:
        err_console.print(f"note: {escape(n)}", highlight=False)
    if plan is None:
        slots = make_slots(first, days=1, slot_minutes=sc.slot_minutes)
        plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=seed, version="sim",
                    slots=slots, units=tuple(u.id for u in sc.units),
                    assignments=hold_at_home(sc, slots), stages=("posture",))
    try:
        source: SimIncidents | RiskForecast
        if sample_:
            source = RiskForecast.from_history(sc)
        else:
            assert recorded is not None
            source = history(recorded, first, days)
    except XunfangError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    return sc, plan, first, days, source, {"notes": notes, "incident_rows": rows}


def sweep_cmd(
    scenario: Annotated[str, typer.Argument(
        help="A scenario folder, or the name of a built-in scenario.")] = "ebian",
    variant: Annotated[list[str] | None, typer.Option(
        "--variant", help="A variant (repeat the option): baseline:NAME; add:UNIT@POST (a "
        "copy of UNIT standing at POST whenever UNIT is on duty); move:POST=NODE; "
        "handovers:H,H,... (or shifts:H,H,...: the handovers, [policy] handover_minutes "
        "long, at these hours; who "
        "is on duty when stays the plan's); swap:UNIT=MODE. The plan itself always runs."
    )] = None,
    baselines: Annotated[bool, typer.Option(
        "--baselines", help="Add the baselines posts, even and proportional.")] = False,
    plan_dir: Annotated[Path | None, typer.Option(
        "--plan", help="A plan folder (its plan.json); default: units held at their home posts."
    )] = None,
    incidents: Annotated[Path | None, typer.Option(
        "--incidents", help="A CSV of incidents to replay.")] = None,
    sample_: Annotated[bool, typer.Option(
        "--sample", help="Sample incidents from the recorded profile instead.")] = False,
    start: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="First day (as for simulate).")] = None,
    days: Annotated[int | None, typer.Option(
        "--days", min=1, max=3660, help="Days (as for simulate).")] = None,
    replications: Annotated[int, typer.Option("--replications", min=1, max=1000)] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
    workers: Annotated[int, typer.Option(
        "--workers", min=0, help="Processes (0: one per core; 1: no pool).")] = 0,
    backend: Annotated[str, typer.Option(
        "--backend", help="process (local pool) or ray (needs the optional ray package).")
    ] = "process",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write sweep.json and kpis.svg (bars with 95 % intervals) here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run the plan and its variants against the same incidents; compare their KPIs."""
    from rich import box
    from rich.table import Table

    from xunfang._errors import XunfangError
    from xunfang.cli.main import _error, err_console, out_console
    from xunfang.sim import SimConfig
    from xunfang.sim.sweep import (
        bars_svg,
        make_variant,
        paired_intervals,
        run_sweep,
        sweep_json,
    )

    sc, plan, first, days, source, notes = _inputs(scenario, plan_dir, incidents, sample_,
                                                   start, days, seed)
    texts = ["plan", *(f"baseline:{b}" for b in (("posts", "even", "proportional")
                                                 if baselines else ())), *(variant or [])]
    try:
        arms = [make_variant(t, sc, plan, SimConfig()) for t in dict.fromkeys(texts)]
        with err_console.status(f"simulating {len(arms)} variants", spinner="dots"):
            results = run_sweep(arms, source, start=first, days=days,
                                replications=replications, seed=seed, workers=workers,
                                backend=backend)
    except (XunfangError, ValueError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    short = results["plan"][0].note  # a short replay (the same for every arm)
    if short:
        notes = {**notes, "notes": [*notes["notes"], short]}
    diffs = paired_intervals(results)
    doc = {"scenario": sc.name, "from": first.isoformat(), "days": days,
           "replications": replications, "seed": seed, **notes,
           "variants": sweep_json(results, diffs)}
    shown = ("response_p50_min", "response_p90_min", "response_within_target", "visibility",
             "patrol_gap_minutes", "over_deployment", "utilization")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "sweep.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
        (out / "kpis.svg").write_text(bars_svg(results, shown), encoding="utf-8")
    if as_json:
        out_console.print_json(json.dumps(doc, ensure_ascii=False))
        return
    # one row per variant and KPI, the variant's whole name kept: at 80 columns a row per
    # variant with a column per KPI had cut three baselines to "baseli…" and the figures
    # to "0.6…". Intervals are shown as [low, high]: a share's interval is clipped to
    # [0, 1], so "±half-width" misread it ("31.5 ±54" for [0, 108]). "vs plan" is the
    # paired difference (the arms share the incidents and the seed), its interval a
    # bootstrap over the same days for both arms where the figure is over replayed
    # incidents, else over the replications (sweep.paired_intervals; the line below the
    # table names which)
    width = max(len(n) for n in [*results, *shown])
    t = Table(title=f"{sc.name}: {days} days from {first}, {replications} replication(s) "
                    f"per variant, seed {seed}; vs plan: variant − plan, paired (the "
                    "same incidents, seed and bootstrap days)", box=box.SIMPLE_HEAD,
              show_edge=False, padding=(0, 0))
    t.add_column("KPI / variant", no_wrap=True, min_width=width)
    for head in ("value", "95 % interval", "vs plan", "95 % interval"):
        t.add_column(head, justify="right")

    def g(v: float, sign: str = "") -> str:
        # minutes in the hundreds and thousands in full: "5.4e+03" read badly
        return f"{v:{sign}.0f}" if abs(v) >= 100 else f"{v:{sign}.3g}"

    def interval(lo: float, hi: float) -> str:
        return f"[{g(lo)}, {g(hi)}]" if math.isfinite(lo) and math.isfinite(hi) else "-"

    for col in shown:
        t.add_row(f"[bold]{col}[/]")
        for name, (kp, _) in results.items():
            v = kp.summary.get(col, math.nan)
            ci = kp.ci.get(col) or (math.nan, math.nan)
            m, lo, hi, _n, _kind = diffs.get(name, {}).get(
                col, (math.nan, math.nan, math.nan, 0, ""))
            t.add_row(name, g(v) if math.isfinite(v) else "-",
                      interval(*ci) if math.isfinite(v) else "-",
                      g(m, "+") if math.isfinite(m) else "-", interval(lo, hi),
                      end_section=col != shown[-1] and name == list(results)[-1])
    out_console.print(t)
    # which interval each KPI's "vs plan" is (the same for every arm)
    by_kind: dict[str, list[str]] = {}
    for col in shown:
        kind = next((r[col][4] for r in diffs.values() if col in r), "")
        if kind:
            by_kind.setdefault(kind, []).append(col)
    for kind, cols in by_kind.items():
        how = ("over the replications" if kind == "replications" else
               f"a paired {kind} (the same draws for the variant and the plan)")
        out_console.print(f"vs plan interval {how}: {', '.join(cols)}", highlight=False)
    if short:
        out_console.print(f"note: {escape(short)}", highlight=False)
