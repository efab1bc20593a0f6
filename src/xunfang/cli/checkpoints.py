"""``xunfang checkpoints``: solve the checkpoint game and sample daily schedules."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Method(StrEnum):
    auto = "auto"
    origami = "origami"
    dobss = "dobss"
    multiple_lps = "multiple-lps"


def _shares(option: str, text: str | None) -> dict[str, float] | None:
    """'CP1=0.2,CP2=0.1' -> {'CP1': 0.2, 'CP2': 0.1}; errors name the option and the item."""
    if text is None:
        return None
    out: dict[str, float] = {}
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        site, eq, value = item.partition("=")
        try:
            if not eq or not site.strip():
                raise ValueError
            out[site.strip()] = float(value)
        except ValueError:
            raise ValueError(f"{option}: {item!r} is not SITE=SHARE (e.g. CP1=0.2)") from None
    return out


def register(app: typer.Typer) -> None:
    """Add the ``checkpoints`` command to ``app``."""
    app.command("checkpoints")(checkpoints_cmd)


def checkpoints_cmd(
    scenario: Annotated[str, typer.Argument(
        help="A scenario folder, or the name of a built-in scenario.")],
    days: Annotated[int, typer.Option("--days", min=1, max=100_000,
                                      help="How many days to sample.")] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the sampling.")] = 0,
    teams: Annotated[int | None, typer.Option(
        "--teams", min=0,
        help="Checkpoint teams on duty in every slot (default: the units of the "
             "'checkpoint' squad).")] = None,
    start: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="First sampled day (default: tomorrow).")] = None,
    payoffs: Annotated[Path | None, typer.Option(
        "--payoffs", exists=True, dir_okay=False,
        help="A payoff table (CSV/XLSX: type, probability, site, att_covered, att_uncovered, "
             "def_covered, def_uncovered[, slot]) instead of payoffs from the incidents.")
    ] = None,
    changeover: Annotated[float | None, typer.Option(
        "--changeover-minutes", min=0.0,
        help="Longest drive between a team's sites in consecutive slots.")] = 10.0,
    method: Annotated[Method, typer.Option("--method", help="The SSE solver.")] = Method.auto,
    sites: Annotated[str | None, typer.Option(
        "--sites", help="Post ids to cover, comma-separated: checkpoint or exit posts "
                        "(default: every checkpoint post).")] = None,
    min_staffing: Annotated[str | None, typer.Option(
        "--min-staffing", help="Least expected share of its slots a site is checked in, e.g. "
                               "'CP1=0.2,CP2=0.1' (on average over the random days; one day "
                               "may check it in fewer).")] = None,
    max_staffing: Annotated[str | None, typer.Option(
        "--max-staffing", help="Largest expected share of its slots a site is checked in, "
                               "e.g. 'CP4=0.5' (on average over the random days; one day may "
                               "check it in more).")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.1,
        help="Seconds the DOBSS solver (several attacker types) may take; at the limit its "
             "best strategy is used and reported as not proven optimal, with the gap to its "
             "bound.")] = 30.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Randomized checkpoints: the Stackelberg game's coverage and sampled daily schedules."""
    from rich.markup import escape
    from rich.table import Table

    from xunfang._errors import ScenarioError, XunfangError
    from xunfang.cli.main import _error, _print_problems, load_or_exit, out_console
    from xunfang.network import RoadNetwork
    from xunfang.plan import make_slots, tomorrow
    from xunfang.planning.checkpoints import default_teams, plan_checkpoints, read_payoffs

    sc = load_or_exit(scenario, header=f"{scenario}: the scenario has errors")
    first = start.date() if start else tomorrow(sc.timezone)
    try:
        net = RoadNetwork.from_scenario(sc)
        slots = make_slots(first, days=1, slot_minutes=sc.slot_minutes)
        n_teams = teams if teams is not None else len(default_teams(sc))
        if teams is None and n_teams == 0:
            raise ValueError(f"scenario {sc.name!r} has no unit in the 'checkpoint' squad; "
                             "give --teams")
        site_ids = None if sites is None else [x.strip() for x in sites.split(",") if x.strip()]
        table = None
        if payoffs is not None:
            from xunfang.planning.checkpoints import checkpoint_sites

            ids = [p.id for p in checkpoint_sites(sc, site_ids)]
            table = read_payoffs(payoffs, ids, slots)
        plan = plan_checkpoints(
            sc, net, slots, n_teams, seed, days=days, payoffs=table, sites=site_ids,
            min_staffing=_shares("--min-staffing", min_staffing),
            max_staffing=_shares("--max-staffing", max_staffing),
            changeover_minutes=changeover, method=method.value, time_limit=time_limit)
    except ScenarioError as exc:
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    except (XunfangError, ValueError, OSError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False) + "\n")
        return
    info = plan.summary()
    out_console.print(
        f"{len(plan.game.site_ids)} sites × {plan.game.n_slots} slots, "
        f"{len(plan.game.type_names)} attacker type(s), solver {info['method']} "
        f"({info['programs']} programs, {info['solve_seconds']} s); SSE check: "
        + ("[red]" + escape("; ".join(plan.check.problems)) + "[/]" if not plan.check.ok
           # a time-limited solve is not an SSE failure: its bound is only HiGHS' dual bound
           else "[yellow]" + escape(plan.check.optimality) + "[/]" if plan.check.optimality
           else "ok"))
    out_console.print(f"defender value {plan.defender_value:.4f}, attacker's best expected "
                      f"payoff {plan.attacker_value:.4f}")
    for name, b in plan.baselines.items():
        out_console.print(f"  against a {name} schedule the attacker gets {b.attacker_value:.4f}")
    out_console.print(f"schedule entropy {plan.entropy_bits:.2f} bits per day (at most "
                      f"{plan.entropy_bound_bits:.2f} with these marginals); the likeliest day "
                      f"has probability {plan.max_schedule_probability:.2g}")
    for note in plan.notes:
        out_console.print(f"note: {escape(note)}")
    for d in range(len(plan.days)):
        t = plan.table(d)
        tab = Table(title=f"day {d + 1}")
        for col in t.columns:
            tab.add_column(col)
        for row in t.rows:
            tab.add_row(*(escape(x) for x in row))
        out_console.print(tab)
