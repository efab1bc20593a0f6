"""``xunfang roster``: the duty roster of a date range, written as roster.csv and roster.xlsx."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table


def register(app: typer.Typer) -> None:
    """Add ``xunfang roster`` to ``app``."""
    app.command("roster")(roster_cmd)


def roster_cmd(
    scenario: Annotated[str, typer.Argument(help="A scenario folder or a built-in name.")],
    start: Annotated[datetime, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="First day of the roster.")],
    end: Annotated[datetime, typer.Option(
        "--to", formats=["%Y-%m-%d"], help="Last day of the roster (inclusive).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder to write roster.csv and roster.xlsx into "
        "(default: rosters/NAME-FROM).")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**31 - 1,
                                      help="Seed of the solver.")] = 0,
    pattern: Annotated[str | None, typer.Option(
        "--pattern", help="Shift pattern: 4-3, 4-3-12, 3-2, 4-2, 5-3 or CYCLE/TEAMS\\[/OFFSET] "
        "(default: the scenario's shift_pattern).")] = None,
    teams: Annotated[str | None, typer.Option(
        "--teams", help="The rotating teams in pattern order, comma-separated "
        "(default: A, B, C, …).")] = None,
    staffing: Annotated[Path | None, typer.Option(
        "--staffing", exists=True, dir_okay=False,
        help="Extra minimum-staffing rules (CSV/XLSX: count, rule, role, skill, squad, team, "
             "from, to, days), on top of the scenario's staffing.csv.")] = None,
    leave: Annotated[Path | None, typer.Option(
        "--leave", exists=True, dir_okay=False,
        help="Extra leave (CSV/XLSX: person, from, to), added to the scenario's.")] = None,
    preferences: Annotated[Path | None, typer.Option(
        "--preferences", exists=True, dir_okay=False,
        help="Wishes (CSV/XLSX: person, date, want = yes | no): a special duty welcome, or "
             "none please, that day.")] = None,
    history: Annotated[Path | None, typer.Option(
        "--history", exists=True, dir_okay=False,
        help="The roster.csv of the days before --from: its extra duties count in the rest, "
             "days-in-a-row and weekly rules at the edge.")] = None,
    night_checkpoints: Annotated[int, typer.Option(
        "--night-checkpoints", min=0,
        help="People on special duty at night checkpoints in the policy's night hours.")] = 0,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.1, help="Seconds the solver may take.")] = 20.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Roster SCENARIO's rotating teams and day team from --from to --to (both inclusive)."""
    from xunfang._errors import ScenarioError, XunfangError
    from xunfang.cli.main import _error, _print_problems, err_console, load_or_exit, out_console
    from xunfang.planning import roster as R

    first, last = start.date(), end.date()
    days = (last - first).days + 1
    if days < 1:
        _error(f"--to ({last}) is before --from ({first})")
        raise typer.Exit(1)
    if days > 366:
        _error(f"--from {first} --to {last} spans {days} days; at most 366")
        raise typer.Exit(1)
    sc = load_or_exit(scenario, header=f"{scenario}: the scenario has errors; no roster written")
    try:
        team_list = None if teams is None else [t.strip() for t in teams.split(",")
                                                if t.strip()]
        _, rot_teams, _, rostered = R.roster_scope(sc, pattern, team_list)
        # the scenario's own staffing.csv, then the --staffing file on top
        extra_rules = (*R.scenario_staffing(sc, rostered, rot_teams),
                       *(R.read_staffing(staffing, rostered, rot_teams)
                         if staffing is not None else ()))
        extra_leave = R.read_leave(leave, sc.people) if leave is not None else ()
        wishes = (R.read_preferences(preferences, rostered) if preferences is not None
                  else ())
        result = R.make_roster(sc, first, days, seed=seed, pattern_spec=pattern,
                               teams=team_list, staffing=extra_rules, extra_leave=extra_leave,
                               preferences=wishes, night_checkpoints=night_checkpoints,
                               history=R.read_roster_csv(history) if history else (),
                               time_limit=time_limit)
    except ScenarioError as exc:
        err_console.print("[red]bad input; no roster written[/]")
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    except R.RosterInfeasible as exc:
        if exc.timed_out:
            # the clock, not the rules: say so, and name the option that gives more time
            err_console.print(f"[red]the solver ran out of time ({time_limit:g} s) before "
                              "finding a roster; no roster written[/]")
            _error(f"allow more time with --time-limit (now {time_limit:g} s)")
        else:
            err_console.print("[red]the rules cannot all hold; no roster written[/]")
            _error(exc)
        if as_json:
            sys.stdout.write(json.dumps({"infeasible": not exc.timed_out,
                                         "timed_out": exc.timed_out, "violations": [
                v.as_dict() for v in exc.violations]}, ensure_ascii=False) + "\n")
        raise typer.Exit(1) from None
    except (XunfangError, ValueError, OSError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    for note in result.notes:
        err_console.print(f"[yellow]warning:[/] {escape(note)}")
    folder = out if out is not None else Path("rosters") / f"{sc.name}-{first.isoformat()}"
    try:
        csv_path = R.write_csv(result, folder / "roster.csv")
        xlsx_path = R.write_xlsx(result, folder / "roster.xlsx")
    except OSError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    if as_json:
        doc = result.as_json()
        doc["files"] = {"csv": str(csv_path), "xlsx": str(xlsx_path)}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        rot = [h for h in result.hours.values() if h.rotating]
        table = Table(title=f"{escape(sc.title or sc.name)}: {first} – {last}, "
                            f"pattern {escape(result.pattern)}")
        for col in ("team", "people", "regular h/week", "special h", "nights", "weekend days"):
            table.add_column(col, justify="right")
        for t in (*result.teams, *result.day_teams):
            hs = [h for h in result.hours.values() if h.team == t]
            if not hs:
                continue
            n = len(hs)
            # per week only over a week or more, as the JSON and xlsx give it (as_dict): a
            # 1-day roster's one 8-hour shift read as 56 h a week (a review)
            table.add_row(escape(t), str(n),
                          f"{sum(h.regular_hours for h in hs) / n / result.weeks:.1f}"
                          if result.weeks >= 1 else "–",
                          f"{sum(h.special_hours for h in hs) / n:.1f}",
                          f"{sum(h.nights for h in hs) / n:.1f}",
                          f"{sum(h.weekend_days + h.holiday_days for h in hs) / n:.1f}")
        out_console.print(table)
        s = result.solve
        out_console.print(
            f"{len(result.rows)} duties ({len(result.special_rows())} special) for "
            f"{len(result.hours)} people; rotating people: "
            + (f"{result.mean_regular_hours_per_week():.1f} h/week before special duties; "
               if result.weeks >= 1 else
               f"{result.mean_regular_hours_per_week() * result.weeks:.1f} h each over the "
               f"{result.days} day(s) before special duties; ")
            + f"special-duty demand met {sum(result.demand) - sum(result.unmet)}/"
            f"{sum(result.demand)} person-hours")
        out_console.print(
            f"Gini of nights {result.fairness['gini_nights']:.3f}, weekend days "
            f"{result.fairness['gini_weekend_days']:.3f}, special hours "
            f"{result.fairness['gini_special_hours']:.3f} (rotating people, {len(rot)})")
        # the bound is over the duty shapes the model offers, not any hours a person could
        # work (a review's hourly CP-SAT baseline met an hour more of demand): say so, with
        # the shapes this roster's rules let it offer
        out_console.print(f"CP-SAT {s.status}: objective {s.objective:g}, bound {s.bound:g}, "
                          f"gap {100 * s.gap:.2f}%, {s.wall_seconds:.1f} s — among the "
                          f"special-duty shapes offered ({s.shapes()}); a roster with other "
                          "shapes may meet more")
        out_console.print(f"written: {escape(str(csv_path))}, {escape(str(xlsx_path))}")
    if result.violations:
        for v in result.violations:
            _error(f"rule broken: {v}")
        raise typer.Exit(1)
