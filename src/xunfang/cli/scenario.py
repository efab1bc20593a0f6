"""``xunfang scenario from-osm``: a complete scenario folder from an OpenStreetMap file (or a
GIS line layer of street centrelines, with ``--layer``)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

_out = Console()
_err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add ``from-osm`` to the ``scenario`` command group of ``app`` (made if missing)."""
    for group in app.registered_groups:
        if group.name == "scenario" and group.typer_instance is not None:
            group.typer_instance.command("from-osm")(from_osm_cmd)
            return
    scenario_app = typer.Typer(help="Scenario folders.", no_args_is_help=True)
    scenario_app.command("from-osm")(from_osm_cmd)
    app.add_typer(scenario_app, name="scenario")


def from_osm_cmd(
    pbf: Annotated[Path, typer.Argument(
        help="The OpenStreetMap file (.osm.pbf, .osm, .pbf, .osm.bz2, .osm.gz), or a GIS "
        "line layer of street centrelines (.gpkg, .shp, .geojson; see --layer).")],
    outdir: Annotated[Path, typer.Argument(help="The scenario folder to write (new or empty).")],
    grid_m: Annotated[float, typer.Option(
        "--grid-m", help="Side of the square prevention grids, metres.")] = 1000.0,
    units: Annotated[int | None, typer.Option(
        "--units", help="Ground units of the special tier (default: about one per two "
        "grids); drones, precinct cars and volunteers come on top.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random choice.")] = 0,
    incidents_per_day: Annotated[float, typer.Option(
        "--incidents-per-day", help="Mean incidents a day of the synthetic risk map.")] = 40.0,
    history_days: Annotated[int, typer.Option(
        "--history-days", help="Days of incident history to write.")] = 365,
    history_end: Annotated[datetime | None, typer.Option(
        "--history-end", formats=["%Y-%m-%d"],
        help="The day after the last incident of the history (default: today).")] = None,
    timezone: Annotated[str, typer.Option(
        "--timezone", help="IANA time zone of the city (e.g. America/New_York).")] = "UTC",
    zone_grids: Annotated[int, typer.Option(
        "--zone-grids", help="A patrol zone is N × N grid cells.")] = 3,
    checkpoints: Annotated[int, typer.Option(
        "--checkpoints", help="Checkpoints at the busiest exits (the later half night-only).")
    ] = 2,
    service_roads: Annotated[bool, typer.Option(
        "--service-roads", help="Keep highway=service ways (driveways, parking aisles).")
    ] = False,
    bbox: Annotated[str | None, typer.Option(
        "--bbox", help="Keep only the roads inside WEST,SOUTH,EAST,NORTH (WGS 84 degrees).")
    ] = None,
    layer: Annotated[str | None, typer.Option(
        "--layer", help="The road layer of a GIS file (may be left out when the file holds "
        "one line layer); not for OpenStreetMap files.")] = None,
    class_column: Annotated[str | None, typer.Option(
        "--class-column", help="Road class column of the GIS layer (default: the first of "
        "ClsRte, highway, road_class, fclass, class, type it has).")] = None,
    name_column: Annotated[str | None, typer.Option(
        "--name-column", help="Street name column of the GIS layer (default: the first of "
        "name, nom_voie, nom, street, st_name, full_name it has).")] = None,
    oneway_column: Annotated[str | None, typer.Option(
        "--oneway-column", help="One-way column of the GIS layer (yes/true/1/FT along the "
        "line, -1/TF against it; default: none, every street two-way).")] = None,
    speed_column: Annotated[str | None, typer.Option(
        "--speed-column", help="Speed column of the GIS layer, km/h ('30 mph' is read too; "
        "default: none, the policy's class speeds).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Scenario name (default: the folder's name).")] = None,
    title: Annotated[str, typer.Option("--title", help="Display name.")] = "",
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an existing scenario folder's contents.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build a scenario folder from an OpenStreetMap file or a GIS line layer (synthetic
    incidents).

    Real roads; generated grids, zones, rings, posts, lines, units and four teams; an incident
    history sampled from a seeded, SYNTHETIC risk map (documented in the folder's README.md).
    """
    from xunfang._errors import XunfangError
    from xunfang.scenario.from_osm import BuildOptions, build_from_osm

    box: tuple[float, float, float, float] | None = None
    if bbox is not None:
        try:
            parts = tuple(float(v) for v in bbox.split(","))
        except ValueError:
            parts = ()
        if len(parts) != 4:
            _err.print(f"[red]error:[/] --bbox {escape(bbox)!r}: give four numbers "
                       "WEST,SOUTH,EAST,NORTH in degrees")
            raise typer.Exit(1)
        box = (parts[0], parts[1], parts[2], parts[3])
    opts = BuildOptions(grid_m=grid_m, units=units, seed=seed,
                        incidents_per_day=incidents_per_day, history_days=history_days,
                        history_end=history_end.date() if history_end else None, name=name,
                        title=title, timezone=timezone, zone_grids=zone_grids,
                        checkpoints=checkpoints, service_roads=service_roads, bbox=box,
                        force=force, layer=layer, class_column=class_column,
                        name_column=name_column, oneway_column=oneway_column,
                        speed_column=speed_column)
    try:
        summary = build_from_osm(pbf, outdir, opts)
    except (XunfangError, ValueError, OSError) as exc:
        _err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"scenario written to {escape(str(summary.folder))}")
    table.add_column("what")
    table.add_column("count", justify="right")
    rows: list[tuple[str, str]] = [
        ("crs", summary.crs),
        ("road nodes / edges", f"{summary.nodes} / {summary.edges}"),
        ("nodes left out (service roads; not two-way reachable by car)",
         str(summary.dropped_nodes)),
        ("grids (dropped: little road)", f"{summary.grids} ({summary.dropped_grids})"),
        ("zones", str(summary.zones)),
        ("key sites", str(summary.sites)),
        ("posts", ", ".join(f"{k} {v}" for k, v in summary.posts.items())),
        ("mandatory lines", str(summary.lines)),
        ("units", ", ".join(f"{k} {v}" for k, v in summary.units.items())),
        ("people", str(summary.people)),
        ("incidents (synthetic)", f"{summary.incidents} ({summary.risk.per_day:.1f} a day)"),
    ]
    for k, v in rows:
        table.add_row(k, escape(v))
    _out.print(table)
    _out.print(f"plan it with: xunfang plan {escape(str(summary.folder))}")
