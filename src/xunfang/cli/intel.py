"""``xunfang intel``: ingest incidents, evaluate forecasting methods, forecast a horizon."""

from __future__ import annotations

import contextlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xunfang._errors import ScenarioError, XunfangError

if TYPE_CHECKING:
    from xunfang.intel.ingest import IngestReport

intel_app = typer.Typer(
    help="Intelligence: incident ingestion, risk forecasts per place and slot, evaluation.",
    no_args_is_help=True)

ColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Column mapping FIELD=COLUMN,… (fields: id,time,x,y,lon,lat,point,"
    "lonlat,latlon,category,priority), e.g. time=date,lon=longitude,lat=latitude; point= a "
    "column of WKT 'POINT (x y)' or of pairs '(a, b)' / 'a,b' (latitude first unless a value "
    "beyond ±90 shows longitude first); lonlat= / latlon= a column of pairs in that order; "
    "a date and a time of day in two "
    "columns: time=DATE+TIME (a time of day in HHMM digits, as 2230, or in hours is read as "
    "such); numbers apart: time=YEAR+MONTH+DAY[+HOUR[+MINUTE[+SECOND]]]; other columns are "
    "joined with spaces, for --time-format.")]
CrsOpt = Annotated[str | None, typer.Option(
    "--crs", help="CRS of x/y columns (EPSG:NNNN); lon/lat columns are WGS84 (see --coords).")]
CoordsOpt = Annotated[str, typer.Option(
    "--coords", help="Datum of lon/lat columns: wgs84, gcj02 (高德/腾讯) or bd09 (百度).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
TimeFormatOpt = Annotated[str | None, typer.Option(
    "--time-format", help="strftime layout of the time column, epoch_s / epoch_ms for "
    "Unix times, or excel_serial for spreadsheet serial dates (default: ISO 8601 or a "
    "recognised layout).")]
TzOpt = Annotated[str | None, typer.Option(
    "--tz", help="The jurisdiction's time zone (e.g. Asia/Shanghai): times with a UTC offset "
    "are converted to it; times without one are local times in it unless --source-tz is "
    "given.")]
SourceTzOpt = Annotated[str | None, typer.Option(
    "--source-tz", help="Time zone the times without a UTC offset were written in, if not "
    "--tz (needs --tz).")]
LayerOpt = Annotated[str | None, typer.Option(
    "--layer", help="The incident layer of a GIS file that holds several, or the sheet of a "
    "workbook (.xlsx) that holds several.")]
KeepDuplicatesOpt = Annotated[bool, typer.Option(
    "--keep-duplicates", help="Keep exact duplicate rows, and an incident's further rows "
    "(the same id, category, time and place: one per unit sent), each as an incident (they "
    "are listed either way): a city that writes one row per victim of an incident.")]
FarKmOpt = Annotated[float | None, typer.Option(
    "--far-km", help="A file without a jurisdiction: rows farther than this from the middle "
    "of its incidents are listed as placeholders or typos, not kept (default: 500 km, or 20 "
    "times the median distance if more; 0 keeps every row). Without it a file whose middle "
    "90% of incidents spreads over more than 5,000 km (wider than a national file of the "
    "contiguous United States) is refused as likely a wrong coordinate column; --far-km 0 "
    "reads it as given. Over 1,500 km (a province's or a state's file) is said in a note.")]
CategoryOpt = Annotated[list[str] | None, typer.Option(
    "--category", help="Only incidents of this category (the whole name, any case); repeat "
    "for several.")]


def register(app: typer.Typer) -> None:
    app.add_typer(intel_app, name="intel")


def _fail(exc: BaseException | str) -> typer.Exit:
    from xunfang.cli.main import _error

    _error(exc)
    return typer.Exit(1)


def _source(spec: str, columns: str | None, crs: str | None, coords: str,
            **options: Any) -> Any:
    from xunfang.cli.main import _print_problems
    from xunfang.intel import open_incidents, parse_columns

    try:
        return open_incidents(spec, columns=parse_columns(columns), crs=crs, coords=coords,
                              **options)
    except ScenarioError as exc:
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    except (XunfangError, ValueError, OSError) as exc:
        raise _fail(exc) from None


@intel_app.command("ingest")
def ingest_cmd(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8/GB18030, .gz), .xlsx, .gpkg, "
                                         ".geojson, .kml or .shp of incidents, or a .zip "
                                         "of one of them.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for incidents.parquet and "
                                      "ingest_report.csv.")],
    columns: ColumnsOpt = None,
    crs: CrsOpt = None,
    coords: CoordsOpt = "wgs84",
    time_format: TimeFormatOpt = None,
    tz: TzOpt = None,
    source_tz: SourceTzOpt = None,
    layer: LayerOpt = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="A scenario whose CRS (also of x/y columns without --crs), zones "
        "(the jurisdiction), time zone and source_timezone (the clock of times without an "
        "offset) apply.")] = None,
    keep_duplicates: KeepDuplicatesOpt = False,
    far_km: FarKmOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check, convert and store an incident file; every rejected row is listed."""
    from xunfang.cli.main import load_or_exit, out_console
    from xunfang.intel import ingest, jurisdiction_of, parse_columns
    from xunfang.intel.ingest import IngestError, where_said
    from xunfang.intel.sources import STORE

    # --out is a folder: a file there, or on its way, had failed with a bare "[Errno 20] Not
    # a directory" (a review)
    there = next((p for p in (out, *out.parents) if p.exists()), None)
    if there is not None and not there.is_dir():
        raise _fail(f"--out {out}: {there} is a file, and --out names the folder "
                    "incidents.parquet and ingest_report.csv are written in; give a folder")
    target_crs = None
    area = None
    the_tz = tz
    if scenario is not None:
        # the option and folder named above the scenario's problems (a review: only
        # "scenario.toml: scenario.toml is required" was said)
        sc = load_or_exit(scenario, header=f"--scenario {scenario}: not a scenario that can "
                          "be read; nothing ingested")
        target_crs = sc.crs.working if sc.crs.working != "local" else None
        area = jurisdiction_of(sc)
        the_tz = tz or sc.timezone
        # the clock its incident files are written on, as its incidents.csv is read (a
        # review: a UTC export read as local time, 8 h off); --source-tz overrides it
        if source_tz is None:
            source_tz = sc.source_timezone
    try:
        # a failed run's list is of that run: gone as this one starts, whatever it comes to
        (out / FAILED_REPORT).unlink(missing_ok=True)
        # x/y columns without --crs nor a CRS of the file's own are in the scenario's crs, as
        # --scenario's help says and as its incidents.csv is read (a review: the command
        # still asked for --crs); said in the report's notes
        got = ingest(file, columns=parse_columns(columns), crs=crs, coords=coords,
                     time_format=time_format, tz=the_tz, source_tz=source_tz,
                     target_crs=target_crs, jurisdiction=area,
                     keep_duplicates=keep_duplicates, far_km=far_km, layer=layer,
                     default_crs=target_crs)
        out.mkdir(parents=True, exist_ok=True)
        if got.report.kept == 0:  # never an empty store, nor its report, over the ones there
            failed = out / FAILED_REPORT
            _write_report(got.report, failed)
            raise IngestError(f"{got.report.nothing_kept()}; every row is listed in {failed} "
                              "(a store already in the folder, and its report, are kept)")
        # the store there, replaced below (documented; said, so that a weekly analyst reusing
        # one --out knows the earlier weeks are gone: a review)
        replaced = _store_there(out / STORE)
        store = _write_store(got, out / STORE, out / "ingest_report.csv", file, replaced)
    except (XunfangError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    rep = got.report
    if as_json:
        doc = rep.as_json()
        doc["store"] = str(store)
        doc["replaced"] = replaced
        doc["problems"] = doc["problems"][:100]
        doc["duplicates"] = doc["duplicates"][:100]
        doc["listed"] = (f"problems and duplicates: the first 100 here; every row in "
                         f"{out / 'ingest_report.csv'}")
        print(json.dumps(doc, ensure_ascii=False))
        return
    text = f" ({rep.encoding})" if rep.encoding else ""  # a text file's encoding
    out_console.print(f"{rep.rows} rows read{text}, {rep.kept} stored in "
                      f"{escape(str(store))} ({rep.crs})")
    if rep.source_crs and rep.source_crs != "EPSG:4326":  # x/y reprojected (lon/lat: as usual)
        out_console.print(f"  coordinates given in {rep.source_crs}, stored in {rep.crs} "
                          "(xunfang computes in ground metres)")
    for rule, n in sorted(rep.counts.items()):
        out_console.print(f"  {n:>8} {escape(rule)}")
    for note in rep.notes:
        out_console.print(f"  note: {escape(note)}")
    out_console.print(f"  time zone: {escape(rep.tz_said())}")
    if (where := where_said(rep)) is not None:
        out_console.print(f"  where: {escape(where)}")
    if replaced is not None:
        out_console.print(f"  replaced {escape(_replaced_text(replaced))}")
    if rep.counts:
        out_console.print(f"every row is listed in {escape(str(out / 'ingest_report.csv'))} "
                          "(row 1 is the first under the header: a spreadsheet's row 2)")


FAILED_REPORT = "ingest_report.failed.csv"  # the rows of an ingest that stored nothing


def _write_report(report: Any, path: Path) -> None:
    """The report written whole or not at all (a temporary file renamed over it)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        report.write_csv(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_store(got: Any, store: Path, report: Path, source: Path,
                 replaced: dict[str, Any] | None) -> Path:
    """The store and its report, both or neither: each is written to a temporary name, and
    the two are renamed over the ones there only once both are written (the store had been
    written first, and a report that then failed left the new store beside the old file's
    report, a review). A failure removes the temporaries and says what was kept."""
    from xunfang.intel import write_parquet

    new_store = store.with_name(store.name + ".new")
    new_report = report.with_name(report.name + ".tmp")
    try:
        try:
            write_parquet(got.table, new_store, source=str(source.resolve()))
            got.report.write_csv(new_report)
        except BaseException:
            for tmp in (new_store, new_report):
                with contextlib.suppress(OSError):  # (what is in the way is not ours)
                    tmp.unlink(missing_ok=True)
            raise
    except (OSError, ValueError) as exc:
        kept = (f"{_replaced_text(replaced)} there, and its report, are kept as they were"
                if replaced is not None else "no store was written")
        raise XunfangError(f"--out {store.parent}: writing {store.name} and {report.name} "
                           f"failed ({exc}); neither was replaced: {kept}") from None
    # a copy of the old store kept until the report is in place too (a hard link, else a
    # copy): the new store is renamed over the old one, so the folder always holds a store
    # (a review: moved aside first, a forecast reading the folder in that moment found
    # none), and a report rename that fails (a file open in a spreadsheet, a folder gone
    # read-only) puts the old store back, so the new store never stands beside the old
    # report. A copy left by a crash is never taken for this run's (a review).
    import os
    import shutil

    backup = store.with_name(store.name + ".old")

    def clean(*paths: Path) -> None:
        for tmp in paths:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def refuse(exc: OSError, kept: str) -> XunfangError:
        return XunfangError(f"--out {store.parent}: putting {store.name} and {report.name} "
                            f"in place failed ({exc}); {kept}")

    unchanged = (f"neither was replaced: {_replaced_text(replaced)} there, and its report, "
                 "are kept as they were" if replaced is not None
                 else "neither was replaced: no store was written")
    kept_copy = False
    try:
        backup.unlink(missing_ok=True)
        if store.exists():
            try:
                os.link(store, backup)
            except OSError:  # (a file system without hard links)
                shutil.copy2(store, backup)
            kept_copy = True
        new_store.replace(store)
    except OSError as exc:
        clean(new_store, new_report, backup)
        raise refuse(exc, unchanged) from None
    try:
        new_report.replace(report)
    except OSError as exc:
        try:
            if kept_copy:
                backup.replace(store)
            else:
                store.unlink()
        except OSError as again:
            clean(new_report)
            where = (f"the old store is in {backup.name}" if kept_copy
                     else "there was no store before")
            raise refuse(exc, f"and putting the old store back failed too ({again}): "
                         f"{store.name} is the new one, {report.name} the old file's; "
                         f"{where}") from None
        clean(new_report)
        raise refuse(exc, unchanged) from None
    clean(backup)  # (one left behind is harmless: the next run clears it)
    return store


def _store_there(path: Path) -> dict[str, Any] | None:
    """What the store at ``path`` holds, before it is replaced: its incidents, the file they
    were ingested from (None where the store predates its record) and when (the file's
    time), or None when there is no store."""
    import pyarrow.parquet as pq

    if not path.is_file():
        return None
    try:
        meta = pq.read_metadata(path)
        said = json.loads((meta.schema.to_arrow_schema().metadata or {}).get(b"xunfang", b"{}"))
        rows: int | None = meta.num_rows
    except Exception:  # not a readable store: replaced all the same, and said so
        said, rows = {}, None
    when = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    return {"incidents": rows, "source": said.get("source"), "written": when}


def _replaced_text(replaced: dict[str, Any]) -> str:
    """'a store of 50 incidents (ingested from FILE on DATE)', as much as is known."""
    n = replaced["incidents"]
    what = (f"a store of {n:,} incident{'s' if n != 1 else ''}" if n is not None
            else "a file that was not a readable store")
    known = [f"ingested from {replaced['source']}" if replaced["source"] else "",
             f"on {replaced['written'].replace('T', ' ').replace('+00:00', ' UTC')}"
             if replaced["written"] else ""]
    said = " ".join(k for k in known if k)
    return f"{what} ({said})" if said else what


def _dates(d: datetime | None) -> date | None:
    return d.date() if d else None


def _no_unit(kind: str, total: int, road_file: bool, off: int | None = None,
             fate: str = "they count as misses of every method") -> str:
    """What to say of incidents that lie in no unit, and what becomes of them (``fate``)."""
    from xunfang.intel.evaluate import where_none

    where = ("more than 100 m from every street" if kind == "segments" and road_file
             else where_none(kind))
    if off is None:
        return (f"none of the {total} incidents lies in a unit ({where}): do the incidents "
                "and the units cover the same place?")
    return f"{off} of {total} incidents ({off / total:.1%}) lie {where}; {fate}"


UnitsOpt = Annotated[str | None, typer.Option(
    "--units", help="cells, grids (a scenario's prevention grids) or segments (its roads, or "
    "--network's); default: grids for a scenario, cells for a file.")]
CellOpt = Annotated[float | None, typer.Option(
    "--cell-m", help="Cell size in metres (with cells; default 250).")]
PolygonsOpt = Annotated[Path | None, typer.Option(
    "--polygons", help="Rank these polygons instead (GeoPackage, GeoJSON, shapefile or "
    "its folder, KML with all its folders).")]
PolygonsLayerOpt = Annotated[str | None, typer.Option(
    "--polygons-layer", help="The layer of --polygons, when the file holds several.")]
PolygonsIdOpt = Annotated[str | None, typer.Option(
    "--polygons-id", help="The field of --polygons that names each polygon (default: id, "
    "name, Name or dist_num, one that names every feature apart first; features of one name "
    "are one unit).")]
PolygonsCoordsOpt = Annotated[str | None, typer.Option(
    "--polygons-coords", help="Datum of lon/lat --polygons: wgs84, gcj02 (高德/腾讯) or bd09 "
    "(百度), for polygons drawn on a Chinese web map (default: the GeoJSON's \"coords\" "
    "member, as --geojson writes it, else wgs84).")]
PolygonsCrsOpt = Annotated[str | None, typer.Option(
    "--polygons-crs", help="CRS of --polygons (EPSG:NNNN), for a file that declares none (a "
    "shapefile without its .prj).")]
NetworkOpt = Annotated[Path | None, typer.Option(
    "--network", help="A road file (OpenStreetMap .osm.pbf, or a GIS line layer) whose "
    "street segments a bare incident file is ranked on (--units segments).")]
NetworkLayerOpt = Annotated[str | None, typer.Option(
    "--network-layer", help="The road layer of --network, when the file holds several.")]
NetworkCrsOpt = Annotated[str | None, typer.Option(
    "--network-crs", help="The CRS of --network's lines where the file declares none (or a "
    "wrong one), e.g. EPSG:3435.")]
CountryOpt = Annotated[str | None, typer.Option(
    "--country", help="Public-holiday calendar for gbm (ISO code, e.g. CN, US; a scenario: "
    "scenario.toml's country, CN by default; a file: --tz's country where the zone is one "
    "country's).")]


def _write_forecast_json(doc: dict[str, Any], fc: Any) -> None:
    """``doc`` with the forecast's "risk" on one line of stdout, the risk written a unit's
    row at a time: a year of Chicago's cells by hour as one list took 4.3 GB and a minute
    (a review)."""
    import sys

    head = json.dumps(doc, ensure_ascii=False)
    out = sys.stdout
    out.write(head[:-1] + (', "risk": [' if len(head) > 2 else '"risk": ['))
    for i, row in enumerate(fc.risk_rows()):
        out.write(("," if i else "") + json.dumps(row))
    out.write("]}\n")


def _holidays_of(country: str | None, scenario: Any, tz: str | None
                 ) -> tuple[str | None, frozenset[date], str]:
    """gbm's public-holiday calendar, the holidays declared beside it and what to say of
    them: --country's; a scenario's (scenario.toml ``country``) and those its policy
    declares; a bare file's from its --tz where the zone is one country's (tzdata's
    zone.tab); else none, said (a review: a Chicago file had no holiday on July 4th, and
    nothing said so)."""
    from xunfang.intel.sources import country_of_zone, zone_tables
    from xunfang.intel.stage import declared_holidays
    from xunfang.scenario.settings import holiday_country

    declared = declared_holidays(scenario) if scenario is not None else frozenset()
    also = (f", and the {len(declared)} days of scenario.toml's [[policy.holidays]]"
            if declared else "")
    if country is not None and country.strip().lower() in ("", "none"):
        # as scenario.toml's country = "none" (a review: --country none was refused)
        return None, declared, f"gbm: no public-holiday calendar (--country none){also}"
    if country is not None:
        try:
            code = holiday_country(country)
        except ValueError as exc:
            raise _fail(f"--country: {exc}") from None
        return code, declared, f"gbm: {code} public holidays (--country){also}"
    if scenario is not None:
        if not scenario.country:  # country = "" or "none" (a review: "gbm:  public holidays")
            return None, declared, ("gbm: no public-holiday calendar (scenario.toml country "
                                    f"= \"none\"){also}")
        return scenario.country, declared, (f"gbm: {scenario.country} public holidays "
                                            f"(scenario.toml country){also}")
    inferred = country_of_zone(tz)
    if inferred is not None:
        return inferred, declared, (f"gbm: {inferred} public holidays, from --tz {tz}; "
                                    "--country to change")
    if tz and zone_tables() is None:  # not the zone's fault: nothing to look it up in
        why = (f" (tzdata's zone tables, zone.tab, could not be found on the zone path or in "
               f"the tzdata package to tell --tz {tz}'s country)")
    else:
        why = f" (--tz {tz} is no single country's)" if tz else ""
    return None, declared, ("gbm: no public-holiday calendar" + why
                  + "; give --country (e.g. US, CN) to choose one")


@dataclass(frozen=True)
class _Loaded:
    """What `evaluate` and `forecast` rank: the incidents (of the categories named) on their
    units, where they came from, and a road file's streets."""

    src: Any
    chosen: Any  # IncidentTable
    units: Any  # Units
    events: Any  # EventSet
    streets: Any  # Roads | None
    placed: int
    # the categories counted: --category's, else a scenario's risk_categories (as its plan
    # counts them); empty for all
    categories: tuple[str, ...] = ()
    categories_note: str = ""  # where they come from, where a scenario's are overridden

    def network(self) -> Any:
        """The road network of street-segment units (network_kde's), else None."""
        from xunfang.network import RoadNetwork
        from xunfang.scenario.model import Policy

        if self.units.kind != "segments":
            return None
        if self.src.scenario is not None:
            return RoadNetwork.from_scenario(self.src.scenario)
        return RoadNetwork.from_roads(self.streets, policy=Policy())


def _load(incidents: str, *, columns: str | None, crs: str | None, coords: str,
          time_format: str | None, tz: str | None, source_tz: str | None, layer: str | None,
          category: list[str] | None, units: str, cell_m: float,
          polygons: Path | None, polygons_layer: str | None, network_file: Path | None,
          network_layer: str | None, before: date | None = None,
          network_crs: str | None = None,
          polygons_id: str | None = None, keep_duplicates: bool = False,
          far_km: float | None = None, polygons_coords: str | None = None,
          polygons_crs: str | None = None) -> _Loaded:
    """``before``: only the incidents before that day (a forecast's: its cells are where the
    record it learns from put incidents, not where later ones fell)."""
    import numpy as np

    from xunfang.intel import EventSet
    from xunfang.intel.sources import (
        check_streets,
        is_scenario,
        read_streets,
        select_categories,
        units_for,
    )

    scenario = is_scenario(incidents)
    streets, street_crs = None, None
    for option, value in (("--network-layer", network_layer), ("--network-crs", network_crs)):
        if value is not None and network_file is None:
            raise _fail(f"{option} needs --network FILE")
    if network_file is not None:
        try:  # the cheap refusals before the road file is imported
            check_streets(units, scenario=scenario, polygons=polygons is not None)
            streets, street_crs = read_streets(network_file, layer=network_layer,
                                               crs=network_crs)
        except (XunfangError, ValueError, OSError) as exc:
            raise _fail(exc) from None
    src = _source(incidents, columns, crs, coords, time_format=time_format, tz=tz,
                  source_tz=source_tz, layer=layer, target_crs=street_crs,
                  **({"keep_duplicates": True} if keep_duplicates else {}),
                  **({"far_km": far_km} if far_km is not None else {}))
    # a scenario counts its risk_categories, as its plan and /api/risk do (a review: the
    # county's G4 was 2.543 here and 1.263 in the plan); --category overrides them, said
    named = tuple(c.strip() for c in category or ())
    declared = tuple(c.strip() for c in (src.scenario.risk_categories
                                         if src.scenario is not None else ()))
    cats, cats_note = named or declared, ""
    if declared and not named:
        cats_note = (f"the incidents of {', '.join(declared)} only (scenario.toml "
                     "risk_categories; --category to choose others)")
    elif declared and named != declared:
        cats_note = (f"--category {', '.join(named)} in place of scenario.toml "
                     f"risk_categories ({', '.join(declared)})")
    try:
        # (scenario.toml's are checked against the whole record by the loader)
        chosen = select_categories(src.table, cats, option="scenario.toml risk_categories"
                                   if declared and not named else "--category")
        if before is not None:
            cut = np.datetime64(before, "s")
            chosen = chosen.take(np.flatnonzero(chosen.time < cut))
            earlier = int((src.table.time < cut).sum())
            if not len(chosen) and earlier and cats:
                # the record holds incidents before the day, of other categories: say which
                # were counted (a review: "no incident before 2025-06-01" of a record with
                # 4,460 before it, none 电诈)
                whose = ("scenario.toml risk_categories" if cats == declared
                         else "--category")
                raise XunfangError(
                    f"none of the {earlier:,} incidents before {before} is of {whose} "
                    f"({', '.join(cats)}): nothing to forecast from")
            if not len(chosen):
                raise XunfangError(f"no incident before {before}: nothing to forecast from")
            if cats:
                # a category of the record with none before the day counts zero: said, as
                # the plan and its report say it
                from xunfang.intel.sources import category_mask
                _, none_before = category_mask(chosen.category, cats)
                if none_before:
                    cats_note = ((cats_note + "; ") if cats_note else "") + ", ".join(
                        f"{c.strip()} (none before {before})" for c in none_before)
        u = units_for(units, chosen, src.scenario, cell_m=cell_m, polygons=polygons,
                      polygons_layer=polygons_layer, streets=streets, polygons_id=polygons_id,
                      polygons_coords=polygons_coords, polygons_crs=polygons_crs, coords=coords)
        # the file's first day is the record's, whichever categories are chosen
        ev = EventSet.build(u, chosen.time, chosen.xy,
                            record_start=src.table.time.min().astype("datetime64[D]").item(),
                            record_times=src.table.time)
    except (XunfangError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    placed = int((ev.unit >= 0).sum())
    if placed == 0:
        # with the units' notes: one may say why (a review: --polygons-crs over a KML's own
        # CRS put every district off the incidents, and the note saying so was dropped)
        raise _fail(_no_unit(u.kind, len(ev.unit), streets is not None)
                    + "".join(f"; note: {note}" for note in u.notes))
    return _Loaded(src, chosen, u, ev, streets, placed, cats, cats_note)


@intel_app.command("evaluate")
def evaluate_cmd(
    incidents: Annotated[str, typer.Argument(
        help="An incident file (columns id,time,x,y or lon,lat, plus any), a .parquet store, "
        "or a scenario folder / built-in name.")],
    columns: ColumnsOpt = None,
    crs: CrsOpt = None,
    coords: CoordsOpt = "wgs84",
    time_format: TimeFormatOpt = None,
    tz: TzOpt = None,
    source_tz: SourceTzOpt = None,
    layer: LayerOpt = None,
    category: CategoryOpt = None,
    keep_duplicates: KeepDuplicatesOpt = False,
    far_km: FarKmOpt = None,
    cell_m: CellOpt = None,
    units: Annotated[str | None, typer.Option(
        "--units", help="cells (the default), grids (a scenario's prevention grids) or "
        "segments (its roads, or --network's, the default with --network).")] = None,
    polygons: PolygonsOpt = None,
    polygons_layer: PolygonsLayerOpt = None,
    polygons_id: PolygonsIdOpt = None,
    polygons_coords: PolygonsCoordsOpt = None,
    polygons_crs: PolygonsCrsOpt = None,
    network_file: NetworkOpt = None,
    network_layer: NetworkLayerOpt = None,
    network_crs: NetworkCrsOpt = None,
    methods: Annotated[list[str] | None, typer.Option(
        "--methods", help="Comma-separated, any case: naive,decay,kde,prospective,etas,"
        "network_kde,gbm,auto (default: all that apply); also any of auto's choices by the "
        "name it reports, e.g. 'decay (3-year half-life)'; repeat to add more.")] = None,
    train_days: Annotated[int, typer.Option("--train-days", min=1,
                                            help="Training window N (days).")] = 365,
    naive_days: Annotated[int | None, typer.Option(
        "--naive-days", min=1, help="Days counted by `naive` (and by auto's naive "
        "candidate), within the training window: at most --train-days (default: 365, or "
        "--train-days if fewer).")] = None,
    test_from: Annotated[datetime | None, typer.Option(
        "--test-from", formats=["%Y-%m-%d"], help="First test day (default: 364 days "
        "before the last test day, or the record's second day).")] = None,
    test_to: Annotated[datetime | None, typer.Option(
        "--test-to", formats=["%Y-%m-%d"], help="Last test day, inclusive (default: the "
        "record's last day, the file's whichever categories are chosen).")] = None,
    country: CountryOpt = None,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, help="Seed of the bootstrap intervals and of gbm's fit: the same "
        "seed, the same figures.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Score forecasting methods by rolling-origin daily forecasts (hit rate, PAI, PEI)."""
    import numpy as np

    from xunfang.cli.main import _progress, out_console
    from xunfang.intel import COVERAGES, evaluate, make_method
    from xunfang.intel.forecast import record_holes
    from xunfang.report.folder import json_ready

    units, cell_m = _unit_options(units, cell_m, polygons, network_file, default="cells")
    named_methods = _named_methods(methods)
    # naive counts the days of its training window only: more days than the window were cut
    # to it without a word (a review: --train-days 30 --naive-days 365 gave --naive-days
    # 30's figures), so a --naive-days beyond the window is refused, and the default's cut said
    if naive_days is not None and naive_days > train_days:
        raise _fail(f"--naive-days {naive_days} exceeds --train-days {train_days}: naive "
                    f"counts within the training window only, so it would count {train_days} "
                    f"days; give --naive-days {train_days} or fewer, or a longer --train-days")
    counted = naive_days if naive_days is not None else min(365, train_days)
    naive_note = ("" if naive_days is not None or train_days >= 365 else
                  f"naive counts the window's {train_days} days (--train-days; --naive-days "
                  "defaults to 365, cut to the window)")
    got = _load(incidents, columns=columns, crs=crs, coords=coords, time_format=time_format,
                tz=tz, source_tz=source_tz, layer=layer, category=category, units=units,
                cell_m=cell_m, polygons=polygons, polygons_layer=polygons_layer,
                polygons_id=polygons_id, network_file=network_file, network_layer=network_layer,
                network_crs=network_crs,
                keep_duplicates=keep_duplicates, far_km=far_km,
                polygons_coords=polygons_coords, polygons_crs=polygons_crs)
    src, chosen, u, ev, streets, placed = (got.src, got.chosen, got.units, got.events,
                                           got.streets, got.placed)
    try:
        last = ev.date_of(int(ev.t.max()))
        # the file's last day (a category's last incident may come earlier: its quiet days
        # after it are days of the file all the same)
        end = (ev.date_of(len(ev.record_daily) - 1) if ev.record_daily is not None else last)
        given_from, given_to = _dates(test_from), _dates(test_to)
        if given_to is not None and given_to > end:
            # days after the record would be scored as days without incidents
            raise XunfangError(f"--test-to {given_to} is after the record's last day ({end}): "
                               f"its days hold no record to test on; give --test-to {end} "
                               "or earlier")
        if given_from is not None and given_from > end:
            raise XunfangError(f"--test-from {given_from} is after the record's last day "
                               f"({end})")
        if given_to is not None and given_to < ev.epoch:
            raise XunfangError(f"--test-to {given_to} is before the record's first day "
                               f"({ev.epoch})")
        # the file's last day, as forecast's --from default is the day after it (a review:
        # --category vehicle --test-from 2019-02-27 failed "--test-to 2019-02-25 is before
        # --test-from", the category's last incident taken for a --test-to never given)
        t1 = given_to or end
        t0 = given_from or max(t1 - timedelta(days=364), ev.epoch + timedelta(days=1))
        if given_from is None and t0 > t1:  # the defaults: a record of a single day
            raise XunfangError(f"the record holds one day ({ev.epoch}): no day before a test "
                               "day to train on")
        names = named_methods or tuple(
            m for m in ("naive", "decay", "kde", "prospective", "etas", "network_kde", "gbm",
                        "auto") if m != "network_kde" or u.kind == "segments")
        # network_kde's, and auto's candidate on street segments
        network = got.network() if "network_kde" in names or "auto" in names else None
        country, declared, holidays_note = _holidays_of(country, src.scenario, src.table.tz)
        ms = [make_method(n, network=network, country=country, seed=seed,
                          naive_days=counted, holidays=declared) for n in names]
        study = u.study  # a bare file's cells: where the training window held incidents
        with _progress() as progress:
            task = progress.add_task("evaluating", total=len(ms) * ((t1 - t0).days + 1))

            def tick(name: str, i: int, n: int) -> None:
                progress.update(task, advance=1, description=name)

            result = evaluate(ev, ms, test_from=t0, test_to=t1, train_days=train_days,
                              study=study, seed=seed, progress=tick)
    except (XunfangError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    doc = result.as_json()
    for m in doc["methods"]:  # whose holidays gbm's calendar feature knows, or none
        if m["method"] == "gbm":
            m["notes"] = [*m.get("notes", []), holidays_note]
    holes = record_holes(ev, max(ev.day_of(t0) - train_days, 0), ev.day_of(t1) + 1)
    if holes:
        doc["record_holes"] = [[a.isoformat(), b.isoformat()] for a, b in holes]
    short = ev.day_of(t0) - train_days < 0
    if short:
        doc["window_note"] = (f"the record starts on {ev.epoch}: the windows of the test days "
                              f"before {ev.date_of(train_days)} hold fewer than {train_days} days")
    doc["incidents_on_no_unit"] = len(ev.unit) - placed  # of the whole record
    if u.notes:
        doc["unit_notes"] = list(u.notes)
    a, b = np.searchsorted(ev.t, [ev.day_of(t0), ev.day_of(t1) + 1])
    # of the test period: misses of every method, in result.test_incidents
    doc["test_incidents_on_no_unit"] = int((ev.unit[a:b] < 0).sum())
    if got.categories:
        doc["category"] = list(got.categories)
        doc["incidents_of_category"] = len(chosen)
    if got.categories_note:
        doc["category_note"] = got.categories_note
    rep = src.report  # a table file's reading: what was set aside, and how it was read
    if rep is not None:
        doc["read"] = _read_json(rep)
    counts_naive = "naive" in names or "auto" in names  # auto: among its candidates
    if counts_naive:  # the days naive counts, which its figures and the ratios rest on
        doc["naive_days"] = counted
        if naive_note:
            doc["naive_days_note"] = naive_note
    if "naive" in names:
        for m, s in zip(doc["methods"], result.scores, strict=True):
            if s.method == "naive":
                m["days"] = counted
            point, lo, hi = result.ratio(s.method, "naive", 0.05, seed=seed)
            m["ratio_to_naive_at_0.05"] = {"ratio": point, "lo": lo, "hi": hi}
    if as_json:  # (the inputs hashed only for the JSON: the table does not show them)
        doc.update(_provenance(incidents, src.scenario, seed, polygons=polygons,
                               network=network_file))
        print(json.dumps(json_ready(doc), ensure_ascii=False, allow_nan=False))
        return
    picked = (f" ({', '.join(got.categories)}: {len(chosen)} incidents)" if got.categories
              else "")
    table = Table(title=f"{escape(incidents)}{escape(picked)}: {t0} to {t1}, "
                  f"{result.test_incidents} test "
                  f"incidents, {result.units} {u.kind}, study area: {study}, window "
                  f"{train_days} d")
    table.add_column("method")
    for c in COVERAGES:  # 5 %'s with its interval (the JSON's hit_rate_ci has each one's)
        table.add_column(f"hit {c:g}" + (" [95 %]" if c == 0.05 else ""), justify="right")
    table.add_column("PAI 0.05", justify="right")
    table.add_column("PEI 0.05", justify="right")
    table.add_column("log-lik", justify="right")
    table.add_column(f"× naive {counted} d @0.05 [95 %]", justify="right")
    table.add_column("s", justify="right")
    for m, s in zip(doc["methods"], result.scores, strict=True):
        r = m.get("ratio_to_naive_at_0.05")
        table.add_row(
            escape(s.method + (f" ({counted} d)" if s.method == "naive" and counted != 365
                               else "")),
            *(_hit_text(s, c) for c in COVERAGES), f"{s.pai[0.05]:.2f}",
            _or_dash(s.pei[0.05]), _or_dash(s.log_likelihood),
            _ratio_text(r),
            f"{s.seconds:.1f}")
    # twelve columns of figures: in a pipe (80 columns to rich) never cut to '0.0…'
    _print_wide(table, 180)
    if rep is not None:
        _print_reading(rep, len(chosen) if got.categories else None)
    if len(ev.unit) > placed:
        out_console.print(_no_unit(u.kind, len(ev.unit), streets is not None,
                                   len(ev.unit) - placed))
    if got.categories_note:
        out_console.print(f"note: {escape(got.categories_note)}")
    if naive_note and counts_naive:
        out_console.print(f"note: {escape(naive_note)}")
    if short:
        out_console.print(f"note: {escape(doc['window_note'])}")
    for a, b in holes:
        out_console.print(
            f"note: the record has no incident from {a} to {b} ({(b - a).days + 1} days), where "
            "its rate expects many: days it does not cover (an export that missed them?); "
            "windows that hold them read them as quiet days, test days in them hit nothing")
    for note in u.notes:
        out_console.print(f"note: {escape(note)}")
    for s in result.scores:
        for note in s.notes:
            out_console.print(f"{s.method}: {escape(note)}")
        if s.method == "gbm":
            out_console.print(f"note: {escape(holidays_note)}")
    for name, why in result.skipped.items():  # not fitted on some test day: left out
        out_console.print(f"[bold]{escape(name)}: not evaluated[/bold]: {escape(why)}")
    if result.scores:  # what "c % of the area" came to in whole units
        taken = result.scores[0].area
        # every coverage the table shows whose share taken is a fifth or more off c, either
        # way (a review: at 1.5 x c only, 14 cells' one cell at 5 % — 7.1 % of the area —
        # went unnoted, and PAI 0.05 read 5.79 where on the 7.1 % it is 4.06)
        off = [c for c in COVERAGES if not 0.8 * c <= taken[c] <= 1.2 * c]
        shares = ", ".join(f"{taken[c]:.1%} at {c:g}" for c in off)
        if off and not u.equal_size:
            out_console.print(
                f"note: units are taken whole, so the top units made up {shares} of the "
                f"study area on average ({result.scores[0].method}'s); PAI divides by that "
                "share")
        elif off:
            # equal cells: k of the same cells for every method, so one share for all
            way = ("overstates the concentration there" if all(taken[c] > c for c in off)
                   else "understates the concentration there" if all(taken[c] < c for c in off)
                   else "overstates the concentration where they made up more than c and "
                   "understates it where less")
            real = ("; PAI 0.05 on the share taken: " + ", ".join(
                f"{s.method} {s.hit_rate[0.05] / s.area[0.05]:.2f}" for s in result.scores)
                if 0.05 in off else "")
            out_console.print(
                "note: the study area holds few cells, so the top cells (whole, at least "
                f"one) made up {shares} of it on average; PAI divides by c all the same (the "
                f"fixed rule), so it {way}{real} (the JSON's area "
                "gives the shares)")
    if result.outside_study_area:
        share = result.outside_study_area / result.test_incidents
        out_console.print(
            f"note: {result.outside_study_area} of the {result.test_incidents} test incidents "
            f"({share:.1%}) fell outside the study area ({_outside_why(study)}): every "
            "method misses them, and the log-likelihood is over the other "
            f"{result.test_incidents - result.outside_study_area}")


def _named_methods(given: list[str] | None) -> tuple[str, ...]:
    """``--methods``, every time it is given (a review: a repeat kept the last only), in any
    case (as --category takes its names); () where it is not given (all that apply). Given
    empty, it is refused: it had run every method."""
    from xunfang.intel import method_names

    if given is None:
        return ()
    names = [n.strip().lower() for text in given for n in text.split(",")]
    if not any(names):
        raise _fail("--methods is empty: name one or more methods (e.g. --methods "
                    "naive,decay), or leave --methods out for all that apply")
    try:
        return method_names(names)
    except XunfangError as exc:
        raise _fail(f"--methods: {exc}") from None


def _hit_text(score: Any, c: float) -> str:
    """A hit rate for the table; at 5 % with its bootstrap 95 % interval over test days."""
    if c != 0.05:
        return f"{score.hit_rate[c]:.3f}"
    lo, hi = score.hit_rate_ci[c]
    return f"{score.hit_rate[c]:.3f} [{_or_dash(lo)}, {_or_dash(hi)}]"


def _print_wide(table: Table, width: int) -> None:
    """A table of many columns: on a terminal at its width, in a pipe (where rich takes 80
    columns) at least ``width``, so that neither headers nor figures are cut to '…'."""
    from xunfang.cli.main import out_console

    if out_console.is_terminal:
        out_console.print(table)
    else:
        Console(file=out_console.file, width=max(out_console.width, width)).print(table)


def _outside_why(study: str) -> str:
    return ("cells without an incident in the day's training window, or no cell"
            if study == "training" else "on no unit")


def _or_dash(v: float) -> str:
    """A figure for the table, "—" where there is none (NaN: no test incident in the study
    area; the JSON gives null)."""
    return f"{v:.3f}" if math.isfinite(v) else "—"


def _or_inf(v: float) -> str:
    return f"{v:.2f}" if math.isfinite(v) else "∞"


def _ratio_text(r: dict[str, float] | None) -> str:
    """A ratio to naive with its interval, for the table ("—" where neither hit)."""
    if not r:
        return ""
    if math.isnan(r["ratio"]):
        return "— (no hit)"
    return f"{r['ratio']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}]".replace("inf", "∞")


def _provenance(incidents: str, scenario: Any, seed: int,
                **files: Path | None) -> dict[str, Any]:
    """What a rerun is matched by (DESIGN.md §2: seeds are explicit; plan.json has the
    same): the seed, xunfang's version, and each input's SHA-256 (a scenario's inputs hash).
    A review: the JSON of ``evaluate`` and ``forecast`` held none of them, though ``--seed``
    moves gbm and every interval."""
    import hashlib

    from xunfang import __version__
    from xunfang.intel.sources import STORE

    def digest(path: Path) -> str | None:
        """The file's SHA-256; a folder's (an ingested store's incidents.parquet, else its
        files) or a shapefile's (with its .dbf, .shx, .prj, .cpg) over its files in name
        order, each name and content. A review: a store folder gave null, and a .shp alone
        left its attributes out."""
        if path.is_dir():
            store = path / STORE
            files = [store] if store.is_file() else sorted(
                p for p in path.iterdir() if p.is_file())
        elif path.is_file() and path.suffix.lower() == ".shp":
            files = sorted(p for p in path.parent.iterdir()  # not a .qmd, .zip beside it
                           if p.is_file() and p.stem == path.stem
                           and p.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg"))
        elif path.is_file():
            files = [path]
        else:
            return None
        h = hashlib.sha256()
        for file in files:
            if len(files) > 1:
                h.update(file.name.encode() + b"\0")
            with file.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        return h.hexdigest()

    inputs: dict[str, Any] = {}
    if scenario is not None:
        inputs["incidents"] = {"scenario": str(getattr(scenario, "source", None)
                                              or scenario.name),
                               "inputs_hash": scenario.inputs_hash}
    else:
        inputs["incidents"] = {"path": incidents, "sha256": digest(Path(incidents))}
    for name, path in files.items():
        if path is not None:
            inputs[name] = {"path": str(path), "sha256": digest(path)}
    return {"seed": seed, "xunfang_version": __version__, "inputs": inputs}


def _read_json(rep: IngestReport) -> dict[str, Any]:
    return {k: v for k, v in rep.as_json().items()
            if k in ("rows", "kept", "crs", "source_crs", "time_format", "counts", "notes",
                     "middle", "box_km")}


def _print_reading(rep: IngestReport, of_categories: int | None) -> None:
    """What reading an incident file set aside and noted, under a command's figures; a
    warning where most rows were set aside (a wrong mapping or time layout)."""
    from xunfang.cli.main import out_console
    from xunfang.intel.ingest import where_said

    where = where_said(rep)
    if not (rep.counts or rep.notes or where):
        return
    set_aside = "; ".join(f"{n:,} {escape(rule)}" for rule, n in rep.counts.items())
    out_console.print(f"{rep.rows:,} rows read, {rep.kept:,} used"
                      + (f" ({set_aside}; `xunfang intel ingest` lists every row)"
                         if rep.counts else "")
                      + (f"; {of_categories:,} of them of the categories named"
                         if of_categories is not None else ""))
    for note in rep.notes:
        out_console.print(f"note: {escape(note)}")
    if where is not None:
        out_console.print(f"where: {escape(where)}")
    if 2 * rep.kept < rep.rows:
        out_console.print(
            f"[bold]warning:[/bold] {rep.rows - rep.kept:,} of the file's {rep.rows:,} rows "
            f"were set aside (the rules above) and these figures rest on {rep.kept:,}: check "
            "the column mapping and the time layout before reading them")


@intel_app.command("forecast")
def forecast_cmd(
    incidents: Annotated[str, typer.Argument(
        help="A scenario folder / built-in name, or an incident file (as for evaluate) or a "
        ".parquet store.")],
    columns: ColumnsOpt = None,
    crs: CrsOpt = None,
    coords: CoordsOpt = "wgs84",
    time_format: TimeFormatOpt = None,
    tz: TzOpt = None,
    source_tz: SourceTzOpt = None,
    layer: LayerOpt = None,
    category: CategoryOpt = None,
    keep_duplicates: KeepDuplicatesOpt = False,
    far_km: FarKmOpt = None,
    start: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="First day (default: the day after the last "
        "incident).")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366,
                                      help="Days forecast from --from.")] = 1,
    method: Annotated[str, typer.Option(
        "--method", help="A method name, or one of auto's choices by the name it reports.")
    ] = "auto",
    units: UnitsOpt = None,
    cell_m: CellOpt = None,
    polygons: PolygonsOpt = None,
    polygons_layer: PolygonsLayerOpt = None,
    polygons_id: PolygonsIdOpt = None,
    polygons_coords: PolygonsCoordsOpt = None,
    polygons_crs: PolygonsCrsOpt = None,
    network_file: NetworkOpt = None,
    network_layer: NetworkLayerOpt = None,
    network_crs: NetworkCrsOpt = None,
    slots: Annotated[str, typer.Option(
        "--slots", help="hour (each day's from its weekday's profile), or shift (a "
        "scenario's shifts; for a file --shifts).")] = "hour",
    shifts: Annotated[str | None, typer.Option(
        "--shifts", help="With --slots shift on an incident file: the shifts' start hours in "
        "the day's order, e.g. 8,16,0 (the default) or 7,19.")] = None,
    train_days: Annotated[int, typer.Option(
        "--train-days", min=1, help="Training window (days) the method learns from.")] = 365,
    country: CountryOpt = None,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, help="Seed of gbm's fit and of --check's bootstrap intervals: the "
        "same seed, the same figures.")] = 0,
    geojson: Annotated[Path | None, typer.Option(
        "--geojson", help="Also write the places with their expected incidents, rank and "
        "riskiest slot as a GeoJSON layer for a GIS: WGS 84, or with --coords gcj02/bd09 in "
        "that datum (to lie on 高德/腾讯/百度 maps).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Also check the method over the record's last weeks: each day "
        "forecast from the days before it, naive counts over 365 days beside it (as the "
        "plan's report shows it).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Forecast the risk of every grid (or cell, polygon, street segment) and slot of a
    horizon, from a scenario's history or from any incident file."""
    from xunfang.cli.main import out_console
    from xunfang.intel import Slots, forecast, make_method
    from xunfang.intel.check import Unchecked, check_holidays, check_made, yardstick
    from xunfang.intel.forecast import record_end
    from xunfang.intel.methods import horizon_holidays
    from xunfang.intel.sources import is_scenario
    from xunfang.report.layers import forecast_layer
    from xunfang.scenario.model import Policy

    if slots not in ("hour", "shift"):
        raise _fail(f"--slots must be hour or shift, got '{slots}'")
    starts = _shift_starts(shifts, slots, is_scenario(incidents))
    kind, cell_m = _unit_options(units, cell_m, polygons, network_file,
                                 default="grids" if is_scenario(incidents) else "cells")
    if geojson is not None and (geojson.is_dir() or (geojson.parent.exists()
                                                     and not geojson.parent.is_dir())):
        raise _fail(f"--geojson {geojson}: not a file that can be written")
    got = _load(incidents, columns=columns, crs=crs, coords=coords, time_format=time_format,
                tz=tz, source_tz=source_tz, layer=layer, category=category, units=kind,
                cell_m=cell_m, polygons=polygons, polygons_layer=polygons_layer,
                polygons_id=polygons_id, network_file=network_file, network_layer=network_layer,
                network_crs=network_crs,
                keep_duplicates=keep_duplicates, far_km=far_km,
                polygons_coords=polygons_coords, polygons_crs=polygons_crs,
                before=_dates(start))
    sc, ev, u = got.src.scenario, got.events, got.units
    try:
        # by default the day after the file's last incident (a category's may be earlier)
        first = _dates(start) or (got.src.table.time.max().astype("datetime64[D]") + 1).item()
        network = (got.network() if method == "network_kde" or (method == "auto"
                                                                and u.kind == "segments")
                   else None)
        country, declared, holidays_note = _holidays_of(country, sc, got.src.table.tz)
        m = make_method(method, network=network, country=country, seed=seed,
                        holidays=declared)
        if starts is None:
            starts = tuple(sc.policy.shift_starts if sc is not None
                           else Policy().shift_starts)
        # a record that stops before --from is forecast as of its end, as the plan does
        # its clock changes, if any: the zone the file was read in, a store was ingested in,
        # or the scenario's
        zone = got.src.table.tz or (sc.timezone if sc is not None else None)
        as_of = record_end(got.src.table.time, first)
        # a method without a calendar forecasts a holiday at the window's holidays' level
        # (as the plan's forecast does)
        hol = horizon_holidays(country, declared, start=first, days=days,
                               train_days=train_days, as_of=as_of)
        fc = forecast(ev, m, start=first, days=days, train_days=train_days,
                      slots=Slots(slots, starts),  # type: ignore[arg-type]
                      as_of=as_of, tz=zone, holidays=hol)
        # in the datum the file gave its lon/lat in, or the scenario declares: GCJ-02 input
        # is drawn on GCJ-02 maps (a review: a GCJ-02 scenario's layer came in WGS 84, some
        # 380 m off on 高德's tiles)
        datum = sc.crs.lonlat_datum if sc is not None else coords
        layer_doc = (forecast_layer(fc, got.chosen.crs, datum)  # type: ignore[arg-type]
                     if geojson is not None else None)
        # with the forecast's calendar: a checked holiday forecast as the horizon's are
        checked = (check_made(ev, yardstick(m, train_days), start=first, as_of=as_of,
                              tz=zone, seed=seed,
                              holidays=check_holidays(ev, country, declared,
                                                      end=as_of or first))
                   if check else None)
    except (XunfangError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    if geojson is not None:
        try:
            geojson.parent.mkdir(parents=True, exist_ok=True)
            geojson.write_text(json.dumps(layer_doc, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            raise _fail(f"--geojson {geojson}: cannot write: {exc}") from None
    if as_json:
        doc = fc.as_json(risk=False)  # its risk written a unit's row at a time, below
        doc.update(_provenance(incidents, sc, seed, polygons=polygons, network=network_file))
        doc["crs"] = got.chosen.crs
        doc["tz"] = zone  # the slots' wall clock (None: the file's own local times)
        doc["incidents_on_no_unit"] = len(ev.unit) - got.placed
        if u.notes:
            doc["unit_notes"] = list(u.notes)
        if u.cell_m is not None:
            doc["cell_m"] = u.cell_m  # cell "i_j" covers [i, i+1) x [j, j+1) cell sizes in crs
        if got.categories:
            doc["category"] = list(got.categories)
        if got.categories_note:
            doc["category_note"] = got.categories_note
        if got.src.report is not None:  # what reading the file set aside, as evaluate's
            doc["read"] = _read_json(got.src.report)
        if checked is not None:
            doc["check"] = checked.as_json()
        if method == "gbm":
            doc["notes"] = [holidays_note]
        _write_forecast_json(doc, fc)
        return
    of = (f" of {', '.join(got.categories)} ({len(got.chosen)} incidents)" if got.categories
          else "")
    name = fc.method + (f" → {fc.details['chosen']}" if "chosen" in fc.details else "")
    span = (f"{first}" if days == 1
            else f"{first} to {first + timedelta(days=days - 1)} ({days} days)")
    roster = (f" (roster days from {starts[0]:02d}:00 to the next day's)"
              if slots == "shift" and starts[0] != 0 else "")
    out_console.print(f"{escape(name)} forecast{escape(of)} for {span}{roster}, trained "
                      f"on {fc.trained_from} to {fc.trained_to - timedelta(days=1)}; "
                      f"expected incidents: {fc.risk.sum():.1f}")
    dense = fc.density()  # places of different sizes: ranked per km² (km), as evaluate does
    table = Table(title="hottest places" + ("" if dense is None else f" ({dense[1]})"))
    table.add_column(u.kind[:-1])
    table.add_column("expected", justify="right")
    if dense is not None:
        table.add_column(f"expected {dense[1]}", justify="right")
    total = fc.risk.sum(axis=(0, 2))
    for i in fc.hot_order():
        table.add_row(escape(u.ids[i]), _figure(float(total[i])),
                      *(() if dense is None else (_figure(float(dense[0][i])),)))
    out_console.print(table)
    out_console.print(_by_slot(fc))
    if "as_of" in fc.details:
        end = fc.trained_to - timedelta(days=1)
        out_console.print(f"note: the record ends on {end}, {(first - end).days} days before "
                          f"{first}: forecast as of "
                          f"{fc.details['as_of']}, the first day ahead as the day after it")
    if "window" in fc.details:
        out_console.print(f"note: {escape(fc.details['window'])}")
    if "holiday_days" in fc.details:  # which days were raised, and by what
        out_console.print(f"note: holidays {', '.join(fc.details['holiday_days'])} forecast "
                          f"at {fc.details['holiday_factor']:.3g} times their weekdays' level "
                          "(the window's holidays over their weekdays)")
    if "hours" in fc.details:
        out_console.print(f"note: {escape(fc.details['hours'])}")
    if "note" in fc.details.get("validation", {}):
        out_console.print(f"note: auto: {escape(fc.details['validation']['note'])}")
    if fc.details.get("converged") is False:  # as evaluate says it (a review)
        out_console.print(f"note: {escape(fc.method)}: EM stopped after "
                          f"{fc.details.get('iterations', '?')} iterations unconverged: its "
                          "self-excitation (theta, omega) is uncertain")
    for change in fc.details.get("clock_changes", ()):
        what = (f"{change['skipped'][0]:02d}:00 is skipped" if change["skipped"]
                else f"{change['repeated'][0]:02d}:00 happens twice (its slot holds both)")
        out_console.print(f"note: clocks change on {change['day']} in {zone}: {what}")
    if zone is None and sc is None and got.src.report is None:  # a store of no zone
        out_console.print("note: the store was ingested without --tz: its times are taken as "
                          "written, with no clock changes; give --tz to apply its zone's")
    for note in u.notes:
        out_console.print(f"note: {escape(note)}")
    if method == "gbm":
        out_console.print(f"note: {escape(holidays_note)}")
    if got.categories_note:
        out_console.print(f"note: {escape(got.categories_note)}")
    if got.src.report is not None:
        _print_reading(got.src.report, len(got.chosen) if got.categories else None)
    if len(ev.unit) > got.placed:
        out_console.print(_no_unit(u.kind, len(ev.unit), got.streets is not None,
                                   len(ev.unit) - got.placed, "they are not forecast"))
    if isinstance(checked, Unchecked):
        out_console.print(f"not checked: {escape(checked.why)}")
    elif checked is not None:
        _print_check(checked, u.kind)
    if geojson is not None:
        out_console.print(f"{len(u)} places written to {escape(str(geojson))}")


def _unit_options(units: str | None, cell_m: float | None, polygons: Path | None,
                  network_file: Path | None, *, default: str) -> tuple[str, float]:
    """The kind of unit the options name, and the cell size: --polygons and --network name
    the units themselves; --cell-m sizes cells only. Options that name other units are
    refused, not resolved silently (a review: --units grids --polygons F ranked the
    polygons, --cell-m 100 on a scenario's grids was ignored)."""
    if polygons is not None and network_file is not None:
        raise _fail("--polygons and --network both name the units to rank: give one")
    if polygons is not None:
        if units not in (None, "polygons"):
            raise _fail(f"--polygons names the units to rank, and --units {units} other ones: "
                        "give one")
        kind = "polygons"
    elif network_file is not None:
        kind = units or "segments"  # any other kind: check_streets says why not
    else:
        kind = units or default
    if cell_m is not None and kind != "cells":
        named = units is not None or polygons is not None or network_file is not None
        raise _fail(f"--cell-m sizes cells, but the units ranked here are {kind}"
                    + ("" if named else " (the default)") + ": "
                    + ("leave --cell-m out" if named else "add --units cells, or leave "
                       "--cell-m out"))
    return kind, 250.0 if cell_m is None else cell_m


def _shift_starts(text: str | None, slots: str, scenario: bool) -> tuple[int, ...] | None:
    """``--shifts``: the start hours of a file's shifts, checked as a scenario's are."""
    from xunfang.scenario.model import shift_order_problem

    if text is None:
        return None
    if slots != "shift":
        raise _fail("--shifts sets the shifts of --slots shift; add --slots shift")
    if scenario:
        raise _fail("--shifts is for an incident file: a scenario declares its own "
                    "(policy.shift_starts in scenario.toml)")
    try:
        starts = tuple(int(h) for h in text.split(","))
    except ValueError:
        raise _fail(f"--shifts must be whole hours separated by commas (e.g. 8,16,0), got "
                    f"'{text}'") from None
    problem = shift_order_problem(starts)
    if problem:
        raise _fail(f"--shifts: {problem}")
    return starts


def _by_slot(fc: Any) -> str:
    """The horizon's expected incidents by slot of the day, over every place: each shift's,
    or the busiest and quietest hours."""
    import numpy as np

    labels = fc.slots.labels()
    per = fc.risk.sum(axis=(0, 1))
    if fc.slots.kind == "shift":
        return "by shift: " + ", ".join(f"{lab} {_figure(v)}"
                                        for lab, v in zip(labels, per, strict=True))
    if np.ptp(per) <= 1e-9 * max(float(per.max()), 1e-12):
        return f"by hour: {_figure(float(per[0]))} in each (the same every hour)"
    if _figure(float(per.max())) == _figure(float(per.min())):  # shown alike: said so
        return (f"by hour: about {_figure(float(per.mean()))} in each (nearly the same every "
                "hour: too few incidents to tell the hours apart)")
    order = np.lexsort((np.arange(len(per)), -per))

    def hours(idx: Any) -> str:
        return ", ".join(f"{labels[i]}:00 {_figure(per[i])}" for i in idx)
    return (f"busiest hours: {hours(order[:3])}; quietest: "
            f"{hours(sorted(order[-3:], key=lambda i: per[i]))}")


def _figure(v: float) -> str:
    """Expected incidents to three significant figures (0.0042, 1.23, 123), never '0.00'."""
    return f"{v:.3g}" if 0 < abs(v) < 100 else f"{v:.0f}"


def _print_check(chk: Any, kind: str) -> None:
    """The check's table: each method's share of the days' incidents in its hottest places
    (and their share of the area), in its hottest place-hours, its level against the days'."""
    from xunfang.cli.main import out_console
    from xunfang.intel.check import HOUR_SHARE

    def places(k: int) -> str:
        return f"{k} {kind if k != 1 else kind[:-1]}"

    measure = "length" if kind == "segments" else "area"
    ahead = "one day" if chk.lead == 1 else f"{chk.lead} days"
    table = Table(title=f"check: {chk.first} to {chk.last} ({chk.days} days, {chk.incidents} "
                        f"incident{'s' if chk.incidents != 1 else ''}, {chk.per_day:.1f} a "
                        f"day), each day forecast {ahead} ahead")
    table.add_column("method")
    # the rule the hottest are taken by, as the forecast's list ranks them (a review: the
    # list ranked per km², the check by expected incidents)
    by = {"per_km2": ", per km²", "per_km": ", per km"}.get(chk.ranked_by, "")
    for k in chk.ks:
        table.add_column(f"hottest {places(k)} ({measure}{by})", justify="right")
    table.add_column(f"hottest {100 * HOUR_SHARE:g} % of {kind[:-1]}-hours", justify="right")
    table.add_column("expected a day", justify="right")
    table.add_column("error a day", justify="right")
    first = chk.rows[0]
    for r in chk.rows[:1] if first.same_as_naive else chk.rows:
        name = r.method + ("" if r.train_days == 365 else f" ({r.train_days} d)") + (
            " (= naive, every day)" if r.same_as_naive else "")
        table.add_row(escape(name),
                      *(f"{v:.1%} ({a:.1%})" for v, a in zip(r.hot, r.hot_area, strict=True)),
                      f"{r.hours:.1%}" if r.hours == r.hours else "—",  # nan: dates only
                      f"{r.expected_per_day:.1f}", f"{r.error_per_day:.1f}")
    # in a pipe, as evaluate's table: rich's 80 columns had cut its headers to "hottest 10 %
    # of cell-ho…" (a review)
    _print_wide(table, 150)
    if (first.vs_naive is not None and not first.same_as_naive
            and not math.isfinite(first.vs_naive[0])):  # naive hit nothing there
        out_console.print(f"{escape(first.method)}: naive's hottest {places(chk.ks[0])} held "
                          "no incident on the days checked, so no ratio to it can be given")
    elif first.vs_naive is not None and not first.same_as_naive:
        r, lo, hi = first.vs_naive
        out_console.print(f"{escape(first.method)}: {r:.2f} times naive's incidents per unit "
                          f"of {measure} in its hottest {places(chk.ks[0])}, 95 % interval "
                          f"{_or_inf(lo)} to {_or_inf(hi)} (paired bootstrap over days; an "
                          "interval "
                          "holding 1 cannot tell them apart)")
    else:
        lo, hi = first.hot_ci
        out_console.print(f"95 % interval of the share in the hottest {places(chk.ks[0])} "
                          f"(bootstrap over days): {lo:.1%} to {hi:.1%}")
    if chk.holiday_days:  # forecast as the horizon's holidays are (the same calendar)
        n = len(chk.holiday_days)
        out_console.print(f"note: {n} day{'s' if n != 1 else ''} checked "
                          f"{'were holidays' if n != 1 else 'was a holiday'} "
                          f"({', '.join(d.isoformat() for d in chk.holiday_days)}), forecast "
                          "at the holiday level as the forecast's own holidays are")
    if chk.lead < chk.wanted_lead:
        out_console.print(f"note: the forecast is {chk.wanted_lead} days ahead of the record's "
                          "end; the record is too short to check that far ahead, so the check "
                          "is one day ahead and the forecast's own error is likely larger")
    if days_left := (chk.last - chk.first).days + 1 - chk.days:
        out_console.print(f"note: {days_left} days in a hole of the record (a week or more "
                          "without any incident where its rate expects 30 or more) are left "
                          "out")
