"""``xunfang simulate``: measure a plan against replayed or sampled incidents."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)


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
        help="First day (default: the plan's first day, else the last DAYS days of the "
        "history, else tomorrow).")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=3660,
                                      help="How many days to simulate.")] = 7,
    replications: Annotated[int, typer.Option("--replications", min=1, max=1000,
                                              help="Independent replications.")] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of every random draw.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Simulate a plan of SCENARIO against incidents; print the KPIs with 95 % intervals."""
    from rich.table import Table

    from xunfang import scenario as scenario_mod
    from xunfang._errors import ScenarioError, XunfangError
    from xunfang.cli.main import _error, _print_problems, err_console, out_console
    from xunfang.network import RoadNetwork
    from xunfang.plan import Plan, PlanError, make_slots
    from xunfang.planning.posture import hold_at_home
    from xunfang.sim import HEADLINE, RiskForecast, SimIncidents, evaluate, history, simulate
    from xunfang.sim.incidents import read_file

    if incidents is not None and sample_:
        _error("--incidents and --sample exclude each other: replay a file or sample, not both")
        raise typer.Exit(2)
    try:
        sc = scenario_mod.load(scenario)
    except ScenarioError as exc:
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
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
    if start is not None:
        first = start.date()
    elif plan is not None:
        first = plan.slots[0].start.date()
    elif not sample_ and incidents is None and len(sc.incidents):
        last = sc.incidents.time.max().astype("datetime64[D]").astype(date)
        first = last - timedelta(days=days - 1)
    else:
        first = date.today() + timedelta(days=1)
    if plan is None:
        slots = make_slots(first, days=1, slot_minutes=sc.slot_minutes)
        plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=seed, version="sim",
                    slots=slots, units=tuple(u.id for u in sc.units),
                    assignments=hold_at_home(sc, slots), stages=("posture",))
    try:
        net = RoadNetwork.from_scenario(sc)
        source: SimIncidents | RiskForecast
        if sample_:
            source = RiskForecast.from_history(sc)
        elif incidents is not None:
            source = read_file(incidents, sc, first, days)
        else:
            source = history(sc.incidents, first, days)
        with err_console.status("simulating", spinner="dots"):
            res = simulate(sc, net, plan, source, start=first, days=days,
                           replications=replications, seed=seed)
            kpis = evaluate(res)
    except (XunfangError, ValueError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    info: dict[str, Any] = {
        "scenario": sc.name, "from": first.isoformat(), "days": days,
        "replications": replications, "seed": seed, "incidents": res.source,
        "plan_stages": list(plan.stages), "units": len(res.setup.units),
        "responders": int(res.setup.responder.sum()),
        "not_simulated": list(res.setup.skipped_units),
        "seconds_per_replication": round(sum(res.seconds) / len(res.seconds), 3),
    }
    if as_json:
        out_console.print_json(json.dumps({**info, "kpis": kpis.as_json()}, ensure_ascii=False))
        return
    t = Table(title=f"{sc.name}: {days} days from {first}, {replications} replication(s), "
                    f"seed {seed} ({res.source})")
    t.add_column("KPI")
    t.add_column("value", justify="right")
    t.add_column("95 % interval", justify="right")
    names = [*HEADLINE, *(k for k in kpis.summary if k not in HEADLINE)]
    for k in names:
        if k in kpis.summary:
            v, c = _fmt(kpis.summary[k], kpis.ci.get(k))
            t.add_row(k, v, c)
    out_console.print(t)
    counts = ", ".join(f"{k} {v}" for k, v in kpis.counts.items())
    out_console.print(f"incidents (all replications): {counts}")
    if res.setup.skipped_units:
        out_console.print(f"not simulated (drones): {', '.join(res.setup.skipped_units)}")
