"""The ``xunfang`` command: thin Typer wrappers that call the core and pick exit codes."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from xunfang import __version__
from xunfang._errors import Problem, ScenarioError, XunfangError
from xunfang.plan import tomorrow

app = typer.Typer(
    name="xunfang",
    help="巡防 xunfang: plan, run and measure police street patrol and prevention work.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
scenario_app = typer.Typer(help="Scenario folders: check what they hold.", no_args_is_help=True)
network_app = typer.Typer(help="Road networks: import real GIS data.", no_args_is_help=True)
rings_app = typer.Typer(help="The 1-3-5 minute rings: coverage, post siting, exit blockade.",
                        no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
app.add_typer(network_app, name="network")
app.add_typer(rings_app, name="rings")

out_console = Console()
# long messages wrap in the terminal, not at 80 columns by rich
err_console = Console(stderr=True, soft_wrap=True)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class NetworkType(StrEnum):
    drive = "drive"
    walk = "walk"
    all = "all"


def _version(value: bool) -> None:
    if value:
        out_console.print(f"xunfang {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """巡防 xunfang."""


def _print_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        # the message carries the user's data: escape it so "[...]" is shown, not interpreted
        err_console.print(f"[{style}]{p.severity}[/]: {escape(str(p))}", highlight=False)


def load_or_exit(scenario: str, *, header: str | None = None) -> Any:
    """The scenario, or its problems printed (under ``header``, when given) and exit 1."""
    from xunfang import scenario as scenario_mod

    try:
        return scenario_mod.load(scenario)
    except ScenarioError as exc:
        if header is not None:
            err_console.print(f"[red]{escape(header)}[/]")
        _print_problems(exc.problems)
        raise typer.Exit(1) from None


def _error(exc: BaseException | str) -> None:
    err_console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TimeElapsedColumn(), console=err_console, transient=True,
                    disable=not err_console.is_terminal)


# --- xunfang plan --------------------------------------------------------------------------------


@app.command("plan")
def plan_cmd(
    scenario: Annotated[str, typer.Argument(
        help="A scenario folder, or the name of a built-in scenario.")] = "ebian",
    out: Annotated[Path | None, typer.Option(
        "--out", help="The plan folder to write (default: plans/NAME-DATE).")] = None,
    start: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="First day of the plan (default: tomorrow).")] = None,
    days: Annotated[int | None, typer.Option(
        "--days", min=1, max=366,
        help="How many days to plan (default: the scenario's horizon_days).")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**31 - 1,
                                      help="Seed of every random choice.")] = 0,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.zh,
    largest_component: Annotated[bool, typer.Option(
        "--largest-component", help="Keep only the largest connected piece of the network.")
    ] = False,
    risk_method: Annotated[str, typer.Option(
        "--risk-method", help="Forecasting method of the risk stage: naive, decay, kde, "
        "prospective, etas, gbm or auto.")] = "auto",
    pins: Annotated[Path | None, typer.Option(
        "--pins", exists=True, dir_okay=False,
        help="The planner's pins, always kept: a table (CSV or .xlsx) with columns unit, "
        "post or grid, from, to (HH:MM on every day of the plan, or ISO date-times) and an "
        "optional note. The scenario folder's own pins.csv is read as well.")] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", metavar="NAME=VALUE",
        help="A weight or rule of the posture model, by its name in deploy.Options; "
        "repeatable, e.g. --option w_over=100 --option dosage_basis=forecast (numbers and "
        "true/false as such, anything else as a word). plan.json records them "
        "(request.deploy_options) and xunfang replan plans with them.")] = None,
) -> None:
    """Plan the patrol of SCENARIO and write plan.json, GeoJSON layers and report.html."""
    from xunfang import scenario as scenario_mod
    from xunfang.planning.deploy import DeployError
    from xunfang.planning.deploy.inputs import PinsError
    from xunfang.planning.pipeline import PlanRequest, build_plan, options_from_pairs
    from xunfang.report.folder import write_plan_folder

    try:  # before any work: a bad option writes nothing
        deploy_options = options_from_pairs(option or (), where="--option")
    except DeployError as exc:
        _error(f"{exc}; no plan written")
        raise typer.Exit(1) from None
    steps = ["load", "network", "intel", "roster", "checkpoints", "posture", "rings", "kpis",
             "write"]
    with _progress() as progress:
        task = progress.add_task("loading scenario", total=len(steps))
        try:
            # read as `scenario check` reads it, so that its warnings are printed (a review:
            # a post 123 km off the roads was snapped and planned from without a word)
            sc, load_warnings = scenario_mod.load_with_warnings(
                scenario, largest_component=largest_component)
        except ScenarioError as exc:
            progress.stop()
            err_console.print(f"[red]{escape(scenario)}: the scenario has errors; "
                              "no plan written[/]")
            _print_problems(exc.problems)
            raise typer.Exit(1) from None
        first = start.date() if start else tomorrow(sc.timezone)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=name)

        try:
            from xunfang.intel import method_names

            if method_names(risk_method) == ("network_kde",):
                raise ValueError("--risk-method network_kde ranks street segments; the plan "
                                 "forecasts per grid: choose another method")
            n_days = days or sc.horizon_days
            pinned, pins_from, pin_warnings = _read_pins(scenario, sc, first, n_days, pins)
            request = PlanRequest(start=first, days=n_days, seed=seed,
                                  largest_component=largest_component, risk_method=risk_method,
                                  pins=pinned, deploy_options=deploy_options)
            result = build_plan(sc, request, progress=step)
            if pins_from:
                result = _with_pins(result, pinned, pins_from)
            step("writing plan folder")
            target = out if out is not None else Path("plans") / f"{sc.name}-{first.isoformat()}"
            folder = write_plan_folder(result, request, target, lang=lang.value)
        except PinsError as exc:
            progress.stop()
            err_console.print("[red]the pins have errors; no plan written[/]")
            _print_problems(exc.problems)
            raise typer.Exit(1) from None
        except (XunfangError, ValueError, OSError) as exc:
            progress.stop()
            _error(exc)
            raise typer.Exit(1) from None
        progress.update(task, completed=len(steps))
    _print_problems([*load_warnings, *pin_warnings])
    for where, n in pins_from:
        out_console.print(f"pins: {n} read from {escape(where)}")
    car = result.coverage.get("car")
    out_console.print(f"plan written to [bold]{escape(str(folder))}[/] "
                      f"({len(result.plan.units)} units × {len(result.plan.slots)} slots)")
    if car is not None:
        out_console.print(
            f"road nodes within their 1-3-5 target by car from staffed posts (free flow): "
            f"{100 * car.share():.1f}%; key sites within target: "
            f"{int(car.site_meets().sum())}/{len(car.site_ids)}")
    mine = _rings_from_plan(result.stages)
    if mine is not None:
        out_console.print(mine)
    _risk_notes(result)
    _own_rota_warning(result.stages)
    out_console.print(f"open {escape(str(folder / 'report.html'))}")


def _own_rota_warning(stages: Mapping[str, Any]) -> None:
    """The own duty lists whose rota leaves hours uncovered, or with no sworn officer to lead
    (own_rota.csv names who works when): the posture has their units on duty though the
    people cannot keep it up under the labour rules, and a planner who does not open the
    report must hear it."""
    lists = (stages.get("posture") or {}).get("own_duty_lists") or []
    rotas = [(r["units"], r.get("rota") or {}) for r in lists]
    for prefix, what in (("", "the own duty lists' rotas (own_rota.csv) leave person-hours no "
                          "one can work under the labour rules (policy.roster)"),
                         ("lead_", "the own duty lists' rotas leave hours with no sworn officer "
                          "(民警) on duty to lead the station's units, whose auxiliary "
                          "officers may not enforce the law alone")):
        here, week = f"{prefix}short_hours", f"week_{prefix}short_hours"
        said = "; ".join(f"{', '.join(units)}: {rota[here]:g} in the plan, "
                         f"{rota[week]:g} a week" for units, rota in rotas
                         if rota.get(here) or rota.get(week))
        if said:
            err_console.print(f"[yellow]warning: {what}: {escape(said)}[/]")


def _rings_from_plan(stages: Mapping[str, Any]) -> str | None:
    """The rings as the plan holds them — its police units where they stand in each slot —
    beside the posts' figure above: the posts alone leave key sites outside their target that
    the staging cars hold, and a planner reading only the posts' line would think them open.
    The worst slot is named, since one thin hour is what the line must not hide."""
    rows = [row for row in (stages.get("rings") or {}).get("slots", [])
            if "share_within_target" in (row.get("from_plan") or {})]
    if not rows:
        return None
    worst = min(rows, key=lambda r: float(r["from_plan"]["share_within_target"]))
    fewest = min(rows, key=lambda r: int(r["from_plan"]["sites_meeting_target"]))
    share = float(worst["from_plan"]["share_within_target"])
    met, sites = int(fewest["from_plan"]["sites_meeting_target"]), int(fewest["from_plan"]["sites"])
    where = "every slot" if met == sites else str(fewest["start"]).replace("T", " ")
    return (f"with the plan's units where they stand: road nodes within target "
            f"{100 * share:.1f}% in the thinnest slot ({str(worst['start']).replace('T', ' ')}); "
            f"key sites within target {met}/{sites} ({where})")


def _risk_notes(result: Any) -> None:
    """What the planner must know of the forecast the plan is dosed by: none at all (and
    what the grids then weigh by: the record's dosage, or every grid the same), a record
    that ends long before the plan, one shorter than the training window, one without times
    of day, incidents outside every grid (not forecast), a forecast from few incidents. On
    stderr, as warnings: the plan is written either way."""
    later = (result.stages.get("record") or {}).get("incidents_from_plan_start")
    if later:  # a record running on past the plan: not used, and said
        err_console.print(f"[yellow]note: {later} incidents of the record are dated from the "
                          "plan's first slot on: the plan does not use them[/]")
    risk = result.risk
    if risk is None:
        why = result.stages.get("intel", {}).get("skipped")
        if why:
            # what the deployment weighs the grids by instead: the record where it is the
            # dosage yardstick and holds incidents of other categories (a review: "every grid
            # weighs the same" of needs from 4,460 of them), else every grid the same
            from xunfang.intel.stage import skipped_weighs

            weighs, kw = skipped_weighs(result.stages)
            count = f"{kw['n']} " if "n" in kw else ""
            then = (f"the deployment gives each grid its share of the units by the record's "
                    f"{count}incidents of every category before the plan (dosage_yardstick: "
                    f"{kw['y']}), every other term weighs every grid the same"
                    if weighs != "same" else "every grid weighs the same in the deployment")
            err_console.print(f"[yellow]warning: no incident forecast ({escape(str(why))}): "
                              f"{escape(then)}[/]")
        return
    if risk.as_of is not None:
        gap = (result.plan.slots[0].start.date() - risk.as_of).days
        err_console.print(f"[yellow]note: the incident record ends on "
                          f"{risk.as_of - timedelta(days=1)}, {gap + 1} days before the plan: "
                          "the forecast is made as of then[/]")
    if "window" in risk.details:
        err_console.print(f"[yellow]note: {escape(str(risk.details['window']))}[/]")
    if "hours" in risk.details:  # dates without times of day, or a heap at 00:00
        err_console.print(f"[yellow]note: {escape(str(risk.details['hours']))}[/]")
    tied = (risk.details.get("validation") or {}).get("note")
    if tied:  # auto's candidates hit the same grids: chosen by log-likelihood
        err_console.print(f"[yellow]note: auto: {escape(str(tied))}[/]")
    if risk.details.get("unrecorded_days"):
        factor = risk.details.get("coverage_factor")
        err_console.print(
            f"[yellow]note: {risk.details['unrecorded_days']} days of the training window lie "
            "in a hole of the record (a week or more without any incident where its rate "
            "expects 30 or more): not taken as days without incidents"
            + (f"; the last year's level is scaled by {factor}" if factor is not None else "")
            + "[/]")
    if risk.details.get("converged") is False:  # as `xunfang intel forecast` says it
        err_console.print(f"[yellow]warning: {escape(risk.chosen or risk.method)}: EM stopped "
                          f"after {risk.details.get('iterations', '?')} iterations unconverged: "
                          "its self-excitation (theta, omega) is uncertain[/]")
    zone = getattr(getattr(result, "scenario", None), "timezone", "")
    for change in risk.details.get("clock_changes") or ():
        # the plan's slots stay on the wall clock: the repeated hour's slot holds both hours'
        # risk (b1's 01:00 on 2026-11-01 held 1.60 expected against 1.06 at 00:00, and its
        # heat map was the hottest), the skipped hour's slot none
        # and its duties are a slot's: the plan sheet's rows of a skipped hour never
        # happen, those of a repeated hour hold for both (review AH: 66 rows of routes and
        # posts at 02:00 on 2026-03-08 in a Chicago copy of the county, said only as a note)
        for h in change.get("repeated") or ():
            err_console.print(f"[yellow]warning: the clocks go back on {change['day']} in "
                              f"{zone}: {h:02d}:00 happens twice, and its slot holds two hours "
                              "of risk; the plan's slots are clock hours, so its duties in "
                              "plan_sheet.csv hold for both hours (the roster counts the "
                              "elapsed hours)[/]")
        for h in change.get("skipped") or ():
            err_console.print(f"[yellow]warning: the clocks go forward on {change['day']} in "
                              f"{zone}: {h:02d}:00 is skipped, and its slot holds an hour "
                              "less of risk; the plan's slots are clock hours, so its duties "
                              f"in plan_sheet.csv do not happen: the units of "
                              f"{(h - 1) % 24:02d}:00 go on to {(h + 1) % 24:02d}:00 (the "
                              "roster counts the elapsed hours)[/]")
    if risk.details.get("categories"):  # the names as matched: without their blanks
        absent = {str(a).strip() for a in risk.details.get("categories_absent") or ()}
        before = risk.details.get("categories_before", "")
        names = ", ".join(f"{c} (none before {before})" if c in absent else c
                          for c in (str(c).strip() for c in risk.details["categories"]))
        err_console.print(
            f"[yellow]note: the forecast counts the incidents of {escape(names)} only "
            f"(scenario.toml risk_categories): {risk.details.get('left_out', 0)} incidents "
            "of other categories are left out[/]")
    if risk.details.get("holidays"):
        n = risk.details.get("holidays_declared")
        also = f", and the {n} days of its [[policy.holidays]]" if n else ""
        err_console.print(f"[yellow]note: gbm: {escape(str(risk.details['holidays']))} public "
                          f"holidays (scenario.toml country){escape(also)}[/]")
    if risk.outside_grids:  # `xunfang intel forecast`'s words for them, and the advice
        from xunfang.cli.intel import _no_unit
        from xunfang.scenario.record import outside_hint

        coords = risk.details.get("incident_coords")
        sc = result.scenario
        hint = (outside_hint(coords == "lonlat", str(sc.crs.lonlat_datum), str(sc.crs.working))
                if coords in ("lonlat", "xy") else "")
        err_console.print("[yellow]warning: " + escape(_no_unit(
            "grids", risk.incidents, False, risk.outside_grids,
            "the forecast does not count them")) + (f"; {escape(hint)}" if hint else "")
            + "[/]")
    if risk.few():
        err_console.print(f"[yellow]warning: the forecast rests on {risk.incidents_in_window} "
                          "incidents: its levels and hot grids are little more than a guess[/]")


def _read_pins(scenario: str, sc: Any, first: date, days: int, path: Path | None
               ) -> tuple[tuple[Any, ...], list[tuple[str, int]], list[Any]]:
    """The pins of the scenario folder's pins.csv (or .xlsx), then of ``--pins``; how many
    came from where; and the warnings (a pin outside its unit's duty hours). A unit pinned
    twice in a slot, across files too, is an error."""
    from xunfang import scenario as scenario_mod
    from xunfang.plan import make_slots
    from xunfang.planning.deploy.inputs import read_pins, scenario_pins_file

    slots = make_slots(first, days=days, slot_minutes=sc.slot_minutes)
    files: list[tuple[Path, str]] = []
    own = scenario_pins_file(scenario_mod.resolve(scenario))
    if own is not None:
        files.append((own, str(own)))
    if path is not None:
        files.append((path, f"--pins {path}"))
    taken: dict[tuple[str, int], str] = {}
    pins: list[Any] = []
    sources: list[tuple[str, int]] = []
    warnings: list[Any] = []
    for file, label in files:
        got = read_pins(file, sc, slots, label=label, taken=taken, warnings=warnings)
        pins.extend(got)
        sources.append((label, len(got)))
    return tuple(pins), sources, warnings


def _with_pins(result: Any, pins: tuple[Any, ...], sources: list[tuple[str, int]]) -> Any:
    """The plan result with its pins recorded in plan.json (stages.posture.pins)."""
    from dataclasses import replace

    posture = dict(result.stages.get("posture", {}))
    posture["pins"] = [p.as_dict(result.plan.slots) for p in pins]
    posture["pins_from"] = [{"file": f, "pins": n} for f, n in sources]
    return replace(result, stages={**result.stages, "posture": posture})


# --- xunfang scenario ----------------------------------------------------------------------------


@scenario_app.command("check")
def scenario_check(
    path: Annotated[str, typer.Argument(help="A scenario folder or a built-in name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    largest_component: Annotated[bool, typer.Option(
        "--largest-component", help="Keep only the largest connected piece of the network.")
    ] = False,
) -> None:
    """Print what a scenario holds, or every problem found; exit 1 on errors."""
    from xunfang import scenario as scenario_mod

    result = scenario_mod.check(path, largest_component=largest_component)
    count = scenario_mod.counts(result.scenario) if result.scenario is not None else None
    if as_json:
        doc: dict[str, Any] = {
            "counts": count,
            "problems": [p.as_dict() for p in result.problems],
            "components": [{"nodes": n, "example_nodes": list(ex)} for n, ex in
                           result.components],
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        if count is not None:
            table = Table(title=escape(result.scenario.title if result.scenario else path))
            table.add_column("what")
            table.add_column("count", justify="right")
            for key, value in count.items():
                if isinstance(value, dict):
                    value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "0"
                elif isinstance(value, list):
                    value = "\n".join(map(str, value)) or "none"
                table.add_row(key, escape(str(value)))
            out_console.print(table)
        _print_problems(result.problems)
        n_err, n_warn = len(result.errors), len(result.warnings)
        colour = "red" if n_err else "green"
        out_console.print(f"[{colour}]{n_err} error(s), {n_warn} warning(s)[/]")
    if not result.ok:
        raise typer.Exit(1)


@scenario_app.command("list")
def scenario_list() -> None:
    """List the built-in scenarios."""
    from xunfang import scenario as scenario_mod

    for name in scenario_mod.builtin_names():
        out_console.print(name)


# --- xunfang network -----------------------------------------------------------------------------


@network_app.command("import")
def network_import(
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help=".osm / .osm.pbf, or road centrelines "
        "(.gpkg, .shp, .geojson).")],
    out: Annotated[Path, typer.Option("--out", help="The scenario folder to write network/ into.")],
    network_type: Annotated[NetworkType, typer.Option(
        "--type", help="OSM: which roads to keep.")] = NetworkType.drive,
    layer: Annotated[str | None, typer.Option(help="GIS layer name (GeoPackage).")] = None,
    class_column: Annotated[str | None, typer.Option(
        "--class-column", help="GIS: the column holding the road class.")] = None,
    oneway_column: Annotated[str | None, typer.Option(
        "--oneway-column", help="GIS: the one-way column (yes/true/1/FT along the line, "
        "-1/TF against it, else two-way).")] = None,
    speed_column: Annotated[str | None, typer.Option(
        "--speed-column", help="GIS: the speed column, km/h ('30 mph' is read too).")] = None,
    name_column: Annotated[str | None, typer.Option(
        "--name-column", help="GIS: the street name column.")] = None,
    tolerance_m: Annotated[float, typer.Option(
        "--tolerance-m", min=0.0, help="GIS: merge segment ends closer than this.")] = 0.5,
    crs: Annotated[str | None, typer.Option(
        "--crs", help="GIS: the layer's CRS where the file declares none (or a wrong one), "
        "e.g. EPSG:32648, or 'local' for planar metres.")] = None,
    largest_component: Annotated[bool, typer.Option(
        "--largest-component", help="Keep only the largest connected piece.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace network/ even where the scenario's posts, sites or lines name "
        "nodes the new network lacks (refused otherwise).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Import a real road network into SCENARIO_DIR/network/ (offline). Into an existing
    scenario only when every node its tables name is in the new network, or with --force."""
    from xunfang.network.imports import import_network

    try:
        with _progress() as progress:
            progress.add_task(f"importing {file.name}", total=None)
            summary = import_network(
                file, out_dir=out, network_type=network_type.value, layer=layer,
                class_column=class_column, oneway_column=oneway_column,
                speed_column=speed_column, name_column=name_column, tolerance_m=tolerance_m,
                largest_component=largest_component, crs=crs, crs_option="--crs", force=force,
                cli_options=True,
            )
    except (XunfangError, ValueError, OSError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    if summary.missing_node_refs:
        err_console.print(f"[yellow]warning:[/] --force: {summary.missing_node_refs} rows of "
                          f"{escape(str(out))}'s tables name nodes the new network lacks or "
                          "places elsewhere; "
                          "`xunfang scenario check` lists them", highlight=False)
    from dataclasses import asdict

    data = asdict(summary)
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        for key, value in data.items():
            out_console.print(f"{key}: {escape(str(value))}")
        out_console.print(f"network written to {escape(str(out / 'network'))}")


# --- xunfang rings ------------------------------------------------------------------------------


def _kinds(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if text is None else tuple(k.strip() for k in text.split(",") if k.strip())


def _rings_setup(scenario: str, mode: str, speed_kph: float | None) -> tuple[Any, Any, Any]:
    """Load the scenario and its network (at one speed where asked); exit 1 on errors.

    The scenario's warnings go to stderr, as ``scenario check`` prints them: a review's post
    123 km off the roads was snapped to the nearest node and counted in "43.0% within target"
    without a word."""
    from xunfang import scenario as scenario_mod
    from xunfang.network import RoadNetwork
    from xunfang.planning import coverage

    try:
        checked = scenario_mod.check(scenario)
        if checked.scenario is None or not checked.ok:
            raise ScenarioError(checked.problems, source=checked.source)
        _print_problems(checked.warnings)
        sc = checked.scenario
        m = coverage.check_mode(mode)
        net = RoadNetwork.from_scenario(sc)
        if speed_kph is not None:
            net = coverage.with_uniform_speed(net, speed_kph, mode=m)
    except ScenarioError as exc:
        err_console.print(f"[red]{escape(scenario)}: the scenario has errors[/]")
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    except ValueError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    return sc, net, m


ScenarioArg = Annotated[str, typer.Argument(help="A scenario folder or a built-in name.")]
ModeOpt = Annotated[str, typer.Option("--mode", help="car, motorcycle, balance, foot or drone.")]
SpeedOpt = Annotated[float | None, typer.Option(
    "--speed-kph", help="Make every road this speed (km/h) and ignore peak hours.")]
PostsOpt = Annotated[str | None, typer.Option(
    "--posts", help="Source post kinds, comma-separated (default: the staffed kinds).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
HOUR_HELP = ("Hour of day (0-23): its peak-hour speeds, and the posts staffed then (night-only "
             "checkpoints count in the policy's night hours only). Without it: free-flow speeds "
             "and only the posts staffed at every hour.")


@rings_app.command("analyze")
def rings_analyze(
    scenario: ScenarioArg,
    mode: ModeOpt = "car",
    speed_kph: SpeedOpt = None,
    posts: PostsOpt = None,
    target_minutes: Annotated[float | None, typer.Option(
        "--target-minutes", help="One target for every place (default: by ring level/tier).")
    ] = None,
    hour: Annotated[int | None, typer.Option("--hour", min=0, max=23, help=HOUR_HELP)] = None,
    as_json: JsonOpt = False,
) -> None:
    """For every node: the nearest and backup post, minutes, target and whether it is met.

    Sources are the posts staffed at --hour; without it, only posts staffed at every hour
    (night-only checkpoints are left out, and named)."""
    from xunfang.planning import coverage
    from xunfang.scenario.model import STAFFED_POST_KINDS

    sc, net, m = _rings_setup(scenario, mode, speed_kph)
    try:
        kinds = coverage.check_kinds(_kinds(posts, STAFFED_POST_KINDS))
        cov = coverage.analyze(sc, net, mode=m, hour=hour, kinds=kinds,
                               target_minutes=target_minutes)
    except ValueError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    doc = coverage.as_json(cov)
    if as_json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    worst = cov.worst()
    at = f" at hour {hour}" if hour is not None else " (posts staffed at every hour)"
    out_console.print(f"{len(cov.sources)} source posts; {100 * cov.share():.1f}% of "
                      f"{len(cov.node_ids)} nodes within target by {m}{at}")
    if cov.night_only_out:
        left = [p for p in sc.posts if p.id in set(cov.night_only_out)]
        out_console.print(f"[yellow]not counted:[/] {escape(coverage.night_only_text(sc, left))}")
    if worst is not None:
        out_console.print(f"worst: node {escape(worst[0])} at {worst[1]:.2f} min")
    if cov.unreachable:
        out_console.print(f"[yellow]unreachable from every post:[/] "
                          f"{escape(', '.join(cov.unreachable[:20]))}"
                          + (" …" if len(cov.unreachable) > 20 else ""))
    site_min = cov.site_minutes()
    table = Table(title="key sites")
    for col in ("site", "minutes", "target", "met"):
        table.add_column(col)
    for sid, mins, tgt in zip(cov.site_ids, site_min.tolist(), cov.site_target.tolist(),
                              strict=True):
        table.add_row(escape(sid), f"{mins:.2f}", f"{tgt:g}",
                      "yes" if mins <= tgt else "[red]no[/]")
    if cov.site_ids:
        out_console.print(table)


class SiteModel(StrEnum):
    lscp = "lscp"
    mclp = "mclp"
    bclp = "bclp"
    pmedian = "pmedian"
    pcenter = "pcenter"


def _candidate_ids(path: Path, node_ids: tuple[str, ...] | None = None) -> list[str]:
    """Node ids from a file: a CSV/XLSX table with a ``node`` column, or one id per line.

    With ``node_ids`` (the network's), an unknown or repeated id is an error naming the file
    and its rows (data rows of a table, lines of a text file)."""
    from xunfang.scenario.tables import read_table

    problems: list[Problem] = []
    if path.suffix.lower() in (".csv", ".xlsx"):
        table = read_table(path, label=str(path), problems=problems)
        if table is not None and not table.has("node"):
            raise ValueError(f"--candidates {path}: no 'node' column (columns: "
                             f"{', '.join(table.header)})")
        if table is None or any(p.severity == "error" for p in problems):
            raise ValueError(f"--candidates {path}: " + "; ".join(map(str, problems)))
        found = [(r["node"], i) for i, r in enumerate(table.rows, 1) if r["node"]]
        where = "row"
    else:
        found = [(line.strip(), i) for i, line in
                 enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
        where = "line"
    if node_ids is not None:
        known = set(node_ids)
        unknown = [(n, i) for n, i in found if n not in known]
        if unknown:
            raise ValueError(
                f"--candidates {path}: {len(unknown)} unknown node id(s), e.g. "
                + ", ".join(f"{n!r} ({where} {i})" for n, i in unknown[:5])
                + "; candidates must be node ids of the scenario's network")
        rows: dict[str, list[int]] = {}
        for n, i in found:
            rows.setdefault(n, []).append(i)
        twice = [(n, r) for n, r in rows.items() if len(r) > 1]
        if twice:
            n, r = twice[0]
            raise ValueError(f"--candidates {path}: node {n!r} is listed more than once "
                             f"({where}s {', '.join(map(str, r))}); list each node once")
    return [n for n, _ in found]


class SiteWeights(StrEnum):
    none = "none"
    incidents = "incidents"


@rings_app.command("site")
def rings_site(
    scenario: ScenarioArg,
    model: Annotated[SiteModel, typer.Option("--model", help="The location model.")],
    p: Annotated[int | None, typer.Option(
        "--p", min=0, help="New posts to add (all models but lscp).")] = None,
    target_minutes: Annotated[float | None, typer.Option(
        "--target-minutes", help="One target for every node (default: by ring level).")
    ] = None,
    mode: ModeOpt = "car",
    speed_kph: SpeedOpt = None,
    posts: PostsOpt = None,
    candidates: Annotated[Path | None, typer.Option(
        "--candidates", exists=True, dir_okay=False,
        help="Candidate node ids: a table with a 'node' column or one id per line "
             "(default: the nodes the mode reaches from the posts, as the plan's staging "
             "points).")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.0, help="Seconds the solver may take (> 0).")] = None,
    hour: Annotated[int | None, typer.Option("--hour", min=0, max=23, help=HOUR_HELP)] = None,
    weights: Annotated[SiteWeights, typer.Option(
        "--weights", help="Demand weight of each node: none (every node 1) or incidents (the "
                          "scenario's incidents.csv records at the node, plus one so quiet "
                          "streets count too, as the plan's staging points).")
    ] = SiteWeights.none,
    as_json: JsonOpt = False,
) -> None:
    """Where to add posts so more places meet their 1-3-5 target (HiGHS, exact).

    Every road node is demand; the posts staffed at --hour (every hour without it) are kept.
    A status other than optimal is explained on stderr; infeasible exits 1."""
    from xunfang.planning import coverage
    from xunfang.scenario.model import STAFFED_POST_KINDS

    sc, net, m = _rings_setup(scenario, mode, speed_kph)
    try:
        kinds = coverage.check_kinds(_kinds(posts, STAFFED_POST_KINDS))
        cands = (_candidate_ids(candidates, net.node_ids) if candidates is not None
                 else None)
        w = (coverage.incident_weights(sc, net) + 1.0
             if weights is SiteWeights.incidents else None)
        res = coverage.site_posts(sc, net, model=model.value, p=p,
                                  target_minutes=target_minutes, kinds=kinds,
                                  candidates=cands, mode=m, hour=hour, weights=w,
                                  time_limit=time_limit)
    except (ValueError, OSError) as exc:
        _error(exc)
        raise typer.Exit(1) from None
    left = coverage.night_only_out(sc, kinds, hour)
    if left:
        err_console.print(f"[yellow]not kept as posts:[/] "
                          f"{escape(coverage.night_only_text(sc, left))}", highlight=False)
    doc = {
        "model": res.model, "added": list(res.added_ids or ()), "count": res.count,
        "objective": res.objective, "status": res.status, "gap": res.gap,
        "uncoverable": list(res.uncoverable_ids or ()),
        "covered_weight_share": res.covered_weight_share,
        "build_seconds": round(res.build_seconds, 3), "solve_seconds": round(res.solve_seconds, 3),
        "message": res.message, "hour": hour, "weights": weights.value,
        "night_only_out": [q.id for q in left],
    }
    if res.message:
        # a review: an infeasible BCLP exited 1 with nothing said; the reason is here
        style = "red" if res.status == "infeasible" else "yellow"
        err_console.print(f"[{style}]{res.status}:[/] {escape(res.message)}", highlight=False)
    if as_json:
        from xunfang.report.folder import json_ready

        sys.stdout.write(json.dumps(json_ready(doc), ensure_ascii=False) + "\n")
    else:
        for key, value in doc.items():
            out_console.print(f"{key}: {escape(str(value))}")
    if res.status == "infeasible":
        raise typer.Exit(1)


#: why an exit is not sealed in time, as the blockade table says it
_OPEN_SAID = {
    "unreachable": "no unit can reach it",
    "too_late": "every unit that can reach it arrives after the offender",
    "too_few_units": "a unit could get there in time but is needed at another exit",
    "off_road": "it lies far from every road",
    "no_units": "no unit to send",
}


@rings_app.command("blockade")
def rings_blockade(
    scenario: ScenarioArg,
    from_kinds: Annotated[str | None, typer.Option(
        "--from", help="Post kinds whose units can go, comma-separated (staffed kinds, "
                       "checkpoint; a night-only checkpoint only with a night --hour).")
    ] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="Seal the ring around this place (an incident) instead of the exit "
                     "posts: a node id, a post or site id, or x,y in the scenario's planar "
                     "metres (snapped to the nearest road node, the distance said).")
    ] = None,
    ring_minutes: Annotated[float | None, typer.Option(
        "--ring-minutes", help="With --at: the ring's radius in travel minutes by --mode.")
    ] = None,
    mode: Annotated[str, typer.Option(
        "--mode", help="car, motorcycle, balance or foot: the mode the ring's radius is "
                       "measured in (and of posts in a scenario with no units; units go at "
                       "their own mode). Drones cannot seal an exit.")] = "car",
    speed_kph: SpeedOpt = None,
    hour: Annotated[int | None, typer.Option("--hour", min=0, max=23,
                                             help="Hour of day (default: free flow).")] = None,
    offender_speed: Annotated[float, typer.Option(
        "--offender-speed-factor",
        help="With --at: the offender leaves the incident at car speed times this (1 = car "
             "speed on the same roads and hour; 0.01..100); a seal counts as in time only "
             "if its unit arrives before the offender.")] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Send units to the exits: as many sealed before the offender passes as can be, then as
    many sealed at all, then the last sealed soonest, then least total time. Each unit seals
    one exit, at its own mode's speed, from its home post."""
    from types import SimpleNamespace

    from xunfang.planning import blockade, coverage
    from xunfang.report.html import PlaceNames
    from xunfang.scenario.model import STAFFED_POST_KINDS

    sc, net, m = _rings_setup(scenario, mode, speed_kph)
    read = ""
    snap_m = None
    try:
        m = blockade.check_mode(m)
        kinds = coverage.check_kinds(_kinds(from_kinds, STAFFED_POST_KINDS), option="--from")
        if at is not None:
            at, snap_m, read = blockade.locate_at(sc, net, at, m)
        seal = blockade.seal_exits(sc, net, kinds=kinds, at=at, ring_minutes=ring_minutes,
                                   mode=m, hour=hour, offender_speed_factor=offender_speed,
                                   snap_m=snap_m)
    except ValueError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    names = PlaceNames(SimpleNamespace(scenario=sc, network=net, stages={}))  # type: ignore[arg-type]
    exits = {e.id: e for e in seal.exits}

    def exit_place(exit_id: str) -> str:
        e = exits.get(exit_id)
        if e is not None and e.posts:
            return names.post(e.posts[0])
        return names.crossing(e.node if e is not None else exit_id)

    def from_place(where: str) -> str:
        return names.post(where) if where in names.posts else names.crossing(where)

    if as_json:
        doc = seal.as_json()
        doc["centre_place"] = names.crossing(at) if at is not None else None
        for row in doc["assignment"]:  # type: ignore[attr-defined]
            row["place"] = exit_place(str(row["exit"]))
            row["from_place"] = from_place(str(row["post"]))
        for row in doc["exits"]:  # type: ignore[attr-defined]
            row["place"] = exit_place(str(row["exit"]))
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    ring = at is not None
    if ring:
        snapped = "" if snap_m is None else f", snapped {snap_m:.0f} m to node {at}"
        out_console.print(escape(
            f"ring of {ring_minutes:g} min by {m} around {names.crossing(str(at))} "
            f"({read}{snapped}); offender at car speed x{offender_speed:g}; "
            f"hour {'free flow' if hour is None else hour}; {seal.units} {seal.sources}"),
            highlight=False)
    table = Table(title="blockade")
    cols = ["exit", "place", "post", "unit", "mode", "minutes"]
    if ring:
        cols += ["offender", "in time"]
    for col in cols:
        table.add_column(col)
    for s_ in seal.assignment:
        row = [s_.exit, exit_place(s_.exit), from_place(s_.post), s_.unit or "—",
               s_.mode or "—", f"{s_.minutes:.2f}"]
        if ring:
            off = s_.offender_minutes
            row += ["—" if off is None else f"{off:.2f}",
                    "yes" if s_.in_time else "[red]LATE[/]"]
            table.add_row(*map(escape, row[:-1]), row[-1])
        else:
            table.add_row(*map(escape, row))
    if seal.assignment:
        out_console.print(table)
    if not ring:  # the ring's header says the units; the exit posts' run says them here
        out_console.print(f"{seal.units} {seal.sources} can go", highlight=False)
    if seal.covers_network:
        out_console.print(("[red]no exit:[/] " if not seal.exits else "[red]whole network:[/] ")
                          + escape(seal.notes[-1]), highlight=False)
    if seal.max_minutes is not None and seal.assignment:
        out_console.print(f"last exit sealed after {seal.max_minutes:.2f} min; "
                          f"total {seal.total_minutes:.2f} min")
    if ring and seal.exits:
        out_console.print(f"sealed before the offender: {seal.in_time} of {len(seal.exits)} "
                          "exits" + (f"; sealed too late: {escape(', '.join(seal.late))}"
                                     if seal.late else ""))
    if seal.unsealed:
        out_console.print(f"[red]left open:[/] {escape(', '.join(seal.unsealed))}")
    for reason, said in _OPEN_SAID.items():
        these = [e for e in seal.exits if e.open_reason == reason
                 and (ring or e.id in seal.unsealed)]
        if these:
            label = "not sealed in time" if ring else "open"
            out_console.print(escape(f"{label}, {said}: " + "; ".join(
                f"{e.id} {exit_place(e.id)}" + (
                    f" (offender {e.offender_minutes:.2f} min)"
                    if ring and e.offender_minutes is not None else "")
                for e in these)), highlight=False)
    for note in seal.notes:
        if not (seal.covers_network and note == seal.notes[-1]):
            out_console.print(f"note: {escape(note)}", highlight=False)


# --- command groups that live in their own modules (each has ``register(app)``) ---------------
for _module in ("checkpoints", "intel", "replan", "roster", "scenario", "serve", "sim",
                "user"):
    importlib.import_module(f"xunfang.cli.{_module}").register(app)
# --- end of command groups ----------------------------------------------------------------------


def run() -> None:
    """The console-script entry point."""
    app()
