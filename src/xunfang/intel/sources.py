"""Where an analysis gets its incidents: a scenario folder, a Parquet store or any table file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import shapely

from xunfang.intel import units as units_mod
from xunfang.intel.ingest import (
    GAP,
    MAX_LISTED,
    IncidentTable,
    IngestError,
    IngestReport,
    RowProblem,
    _at_midnight,
    ingest,
    pick_layer,
    read_parquet,
    zone_check,
)
from xunfang.intel.units import Units
from xunfang.scenario import Scenario, builtin_names
from xunfang.scenario import load as load_scenario
from xunfang.scenario.model import Roads


@dataclass(frozen=True)
class Source:
    table: IncidentTable
    scenario: Scenario | None
    report: IngestReport | None


def is_scenario(spec: str | Path) -> bool:
    p = Path(spec)
    return (p.is_dir() and (p / "scenario.toml").is_file()) or str(spec) in builtin_names()


def jurisdiction_of(scenario: Scenario) -> shapely.Geometry | None:
    """The union of the scenario's patrol zones (or grids): None where it has neither."""
    polys = [a.geometry for a in scenario.areas_of("zone")] or [
        a.geometry for a in scenario.areas_of("grid")]
    return shapely.union_all(polys) if polys else None


def select_categories(table: IncidentTable, wanted: Sequence[str],
                      option: str = "--category") -> IncidentTable:
    """The incidents whose category is one of ``wanted``, each matched whole, ignoring case and
    the blanks around it (a city's category names hold commas: "ASSAULT, AGGRAVATED").
    A name that matches no incident is an error that lists the categories there are: a typo
    must not quietly evaluate an empty or partial selection."""
    import numpy as np

    if not wanted:
        return table
    if any(not w.strip() for w in wanted):
        raise IngestError(f"{option} needs a category's name; an empty one selects nothing")
    keep, missing, present = _category_match(table.category, wanted)
    if not present:
        raise IngestError(f"{option}: these incidents have no category: no column is mapped "
                          "to it (--columns category=COLUMN), or the one mapped is empty")
    if missing:
        w = next(w for w in wanted if w.strip() == missing[0])
        present.sort(key=lambda nc: (-nc[1], nc[0]))
        listed = ", ".join(f"'{n}' ({c})" for n, c in present[:12])
        more = f" and {len(present) - 12} more" if len(present) > 12 else ""
        raise IngestError(f"{option} '{w}' matches no incident's category; the "
                          f"categories are {listed}{more}")
    return table.take(np.flatnonzero(keep))


def category_mask(categories: Any, wanted: Sequence[str]) -> tuple[Any, list[str]]:
    """Which of ``categories`` are one of ``wanted`` (matched as :func:`select_categories`
    matches: the whole name, any case, blanks around it ignored), and the names of
    ``wanted`` none of them holds. For a record already checked whole (the scenario loader
    checks scenario.toml's ``risk_categories`` against all of incidents.csv): a part of it,
    the incidents before a plan's first day, may hold none of a category, and that is a
    count of zero, not a typo (a review: ten 电诈 of December 2025 failed a plan from June)."""
    keep, missing, _ = _category_match(categories, wanted)
    return keep, missing


def left_out_by_category(categories: Any, wanted: Sequence[str]) -> tuple[Any, Any]:
    """Which of ``categories`` a forecast of ``wanted`` leaves out, and which of those have
    no category at all (blank): what the web import and /api/risk say of stored incidents
    scenario.toml's ``risk_categories`` do not count."""
    import numpy as np

    of, _ = category_mask(categories, wanted)
    out = ~np.asarray(of, dtype=bool)
    text = np.asarray(categories, dtype=str)
    return out, out & (np.char.str_len(np.char.strip(text)) == 0)


def _category_match(categories: Any, wanted: Sequence[str]
                    ) -> tuple[Any, list[str], list[tuple[str, int]]]:
    """The one rule of :func:`select_categories` and :func:`category_mask`: the mask of the
    categories that are one of ``wanted`` (whole, any case, blanks around ignored), the
    (stripped) names of ``wanted`` that none is, and each category there is with its count.
    Each distinct name is compared once (a city's million rows hold a few dozen)."""
    import numpy as np
    import pandas as pd

    codes, names = pd.factorize(pd.Series(categories, dtype="string").str.strip())
    keys = [str(n).casefold() for n in names]
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    present = [(str(n), int(c)) for n, c in zip(names, counts, strict=True) if str(n)]
    chosen: set[int] = set()
    missing: list[str] = []
    for name in (w.strip() for w in wanted):
        hit = [i for i, k in enumerate(keys) if k == name.casefold()]
        if not hit:
            missing.append(name)
        chosen.update(hit)
    return np.isin(codes, sorted(chosen)), missing, present


# the store `xunfang intel ingest --out FOLDER` writes in its folder
STORE = "incidents.parquet"

# what an incident file's reading options are called on the command line
_FILE_OPTIONS = {"columns": "--columns", "crs": "--crs", "time_format": "--time-format",
                 "tz": "--tz", "source_tz": "--source-tz", "layer": "--layer",
                 "keep_duplicates": "--keep-duplicates", "far_km": "--far-km"}


def open_incidents(spec: str | Path, *, columns: Mapping[str, str] | None = None,
                   crs: str | None = None, target_crs: str | None = None,
                   **options: Any) -> Source:
    """Incidents from a scenario folder (its history), a ``.parquet`` store or a table file;
    ``options`` go to :func:`ingest`. With ``target_crs`` the incidents come in that CRS (a
    road file's, for its segments)."""
    given = {"columns": columns, "crs": crs, **options}
    named = [opt for key, opt in _FILE_OPTIONS.items()
             if given.get(key) or (key == "far_km" and given.get(key) is not None)]
    if given.get("coords", "wgs84") != "wgs84":
        named.append("--coords")
    if is_scenario(spec):
        if named:
            raise IngestError(f"{spec} is a scenario folder: {_apply(named)} to incident "
                              "files only (the scenario declares its own)")
        sc = load_scenario(spec)
        if not len(sc.incidents):
            raise IngestError(f"scenario {sc.name}: incidents.csv holds no incident")
        table = IncidentTable.from_scenario(sc.incidents, sc.crs.working, tz=sc.timezone)
        return Source(table.to_crs(target_crs) if target_crs else table, sc, None)
    path = Path(spec)
    if path.is_dir():  # `xunfang intel ingest --out FOLDER`'s folder: its store
        if not (path / STORE).is_file():
            raise IngestError(f"{path}: a folder, neither a scenario (no scenario.toml) nor an "
                              f"ingested store (no {STORE}); give an incident file")
        path = path / STORE
    if path.suffix.lower() == ".parquet":
        table = read_parquet(path)
        report: IngestReport | None = None
        tz = options.get("tz")
        if tz is not None:
            zone_check("--tz", tz)  # named as for a file (a review: a traceback)
        if tz and table.tz is None and not options.get("source_tz"):
            # a store ingested without --tz: its times as written, on the wall clock named now
            named.remove("--tz")
            table, report = _on_clock(table, str(tz), path)
        if named:
            told = (f" (its times are local times in {table.tz})"
                    if "--tz" in named and table.tz else "")
            raise IngestError(f"{path} is an ingested store: {_apply(named)} to incident "
                              f"files only (they were applied when it was ingested){told}")
        return Source(table.to_crs(target_crs) if target_crs else table, None, report)
    got = ingest(path, columns=columns, crs=crs, target_crs=target_crs, **options)
    if got.report.kept == 0:
        raise IngestError(got.report.nothing_kept())
    return Source(got.table, None, got.report)


def _on_clock(table: IncidentTable, tz: str, path: Path
              ) -> tuple[IncidentTable, IngestReport | None]:
    """A store ingested without --tz read on ``tz``'s wall clock: its times in the hour the
    clocks skip set aside, by ingest's gap rule, and said in a report (None: none were).

    ``xunfang intel ingest --tz`` lists such a time and keeps a repeated (fold) one, whose day
    and hour are the same whichever of the two it was; a store ingested without a zone took
    both as written, and --tz given afterwards counted them unchecked (a review: 4 rows at
    02:00-02:59 on 2018-03-11 in America/Chicago in evaluate's and forecast's figures). A date
    alone (00:00) where the clocks go forward at midnight stays on its date, as in ingest.
    """
    import numpy as np
    import pandas as pd

    local = pd.Series(table.time)
    once = local.dt.tz_localize(tz, ambiguous=np.ones(len(local), dtype=bool),
                                nonexistent="NaT")
    gap = once.isna().to_numpy() & local.notna().to_numpy() & ~_at_midnight(local)
    table = replace(table, tz=tz)
    if not gap.any():
        return table, None
    rule = GAP.format(zone=tz)
    rows = np.flatnonzero(gap)
    shown = [str(v)[:19].replace("T", " ") for v in table.time[rows]]
    note = (f"--tz {tz} on a store ingested without --tz: {len(rows):,} incident"
            f"{'s' if len(rows) != 1 else ''} at a time its clock skips ({shown[0]}"
            f"{', …' if len(rows) > 1 else ''}) set aside, {rule}; ingest the source file "
            "with --tz to list them")
    report = IngestReport(
        source=str(path), rows=len(table), kept=len(table) - len(rows), encoding=None,
        crs=table.crs, counts={rule: len(rows)},
        problems=tuple(RowProblem(int(r) + 1, "time", rule, v)
                       for r, v in zip(rows[:MAX_LISTED], shown, strict=False)),
        duplicates=(), time_format="store", notes=(note,))
    return table.take(np.flatnonzero(~gap)), report


def _apply(options: list[str]) -> str:
    """'--tz applies' or '--tz, --crs apply'."""
    return f"{', '.join(options)} appl{'ies' if len(options) == 1 else 'y'}"


def read_streets(path: Path, *, layer: str | None = None,
                 crs: str | None = None) -> tuple[Roads, str]:
    """The streets of a road file (OpenStreetMap, or a GIS line layer; ``crs`` its CRS where
    it declares none) and their working CRS, to rank the segments of a bare incident file."""
    from xunfang.network.imports import (
        OSM_SUFFIXES,
        NetworkImportError,
        import_lines,
        import_osm,
    )

    if str(path).lower().endswith(OSM_SUFFIXES):
        if layer is not None:
            raise units_mod.UnitsError(f"--network-layer: {path} is an OpenStreetMap file; "
                                       "layers are for GIS line files (.gpkg, .shp, .geojson)")
        if crs is not None:
            raise units_mod.UnitsError(f"--network-crs: {path} is an OpenStreetMap file, in "
                                       "lon/lat always")
        roads, out = import_osm(path, network_type="drive")
    else:  # chosen here, so that the message names this command's option
        layer = pick_layer(path, layer, units_mod.UnitsError, geometry="linestring",
                           what="road", option="--network-layer", subject=f"--network {path}")
        try:
            roads, out = import_lines(path, layer=layer, crs=crs, crs_option="--network-crs")
        except NetworkImportError as exc:  # the import's words, under this command's option
            raise units_mod.UnitsError(f"--network {exc}") from None
    if out.working == "local":
        raise units_mod.UnitsError(f"--network {path}: the road file has no CRS, so incidents "
                                   "cannot be placed on it")
    return roads, out.working


# an incident this far from every street of a road file (--network) lies on none of them
SNAP_M = 100.0


def check_streets(kind: str, *, scenario: bool, polygons: bool) -> None:
    """Refuse what cannot go with ``--network`` (a road file's segments as the units):
    another kind of unit, a scenario folder (it ranks its own roads) or ``--polygons``.
    The command line asks before it imports the road file."""
    if kind != "segments":
        raise units_mod.UnitsError(f"--network ranks street segments: use --units segments "
                                   f"with it, not --units {kind}")
    if scenario:
        raise units_mod.UnitsError("--network is for a bare incident file: a scenario folder "
                                   "ranks its own roads")
    if polygons:
        raise units_mod.UnitsError("--polygons and --network both name the units to rank: "
                                   "give one")


def units_for(kind: str, table: IncidentTable, scenario: Scenario | None, *,
              cell_m: float = 250.0, polygons: Path | None = None,
              polygons_layer: str | None = None, streets: Roads | None = None,
              polygons_id: str | None = None, polygons_coords: str | None = None,
              polygons_crs: str | None = None, coords: str = "wgs84") -> Units:
    """The spatial units named by ``--units``: cells, grids (of the scenario), segments (of the
    scenario's roads, or of ``streets`` from a road file) or a polygon file (``--polygons``;
    ``coords``, the incidents' datum, words a note on the polygons')."""
    if polygons is None:
        given = [name for name, value in (("layer", polygons_layer), ("id", polygons_id),
                                          ("coords", polygons_coords), ("crs", polygons_crs))
                 if value is not None]
        if given:
            raise units_mod.UnitsError(f"--polygons-{given[0]} needs --polygons FILE")
    if streets is not None:
        check_streets(kind, scenario=scenario is not None, polygons=polygons is not None)
        return units_mod.segments(streets, snap_m=SNAP_M)
    if polygons is not None:
        return units_mod.polygons_from_file(polygons, crs=table.crs, layer=polygons_layer,
                                            id_field=polygons_id, coords=polygons_coords,
                                            src_crs=polygons_crs, incidents_coords=coords)
    if kind == "cells":
        j = jurisdiction_of(scenario) if scenario is not None else None
        # a jurisdiction: the cells that meet it; a bare file: the cells that hold incidents
        return units_mod.cells(table.xy, cell_m, within=j, occupied=j is None)
    if kind in ("grids", "segments"):
        if scenario is None:
            raise units_mod.UnitsError(
                f"--units {kind} needs a scenario folder" + (
                    ", or a road file with --network FILE" if kind == "segments" else "")
                + ", not a bare incident file")
        return (units_mod.scenario_grids(scenario) if kind == "grids"
                else units_mod.segments(scenario.roads))
    raise units_mod.UnitsError(
        f"--units must be cells, grids, segments (or give --polygons FILE), got '{kind}'")


@dataclass(frozen=True)
class ZoneTables:
    """tzdata's tables of a zone path: zone.tab (each zone's own country) and tzdata.zi's
    links (old name -> zone, empty without it); ``root`` holds the compiled files (a
    directory, or the ``tzdata`` package's)."""

    root: Any  # Path or importlib.resources Traversable
    own: dict[str, set[str]]
    links: dict[str, str]


def _read_links(root: Any) -> dict[str, str]:
    """tzdata.zi's link lines ("L TARGET NAME") of a zone path: old name -> zone; empty
    without the file."""
    links: dict[str, str] = {}
    zi = root.joinpath("tzdata.zi")
    if zi.is_file():
        for line in zi.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "L":
                links[parts[2]] = parts[1]
    return links


def _read_tab(text: str) -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if line.startswith("#") or len(parts) < 3:
            continue
        table.setdefault(parts[2].strip(), set()).update(
            c.strip().upper() for c in parts[0].split(",") if c.strip())
    return table


def zone_tables() -> ZoneTables | None:
    """The zone tables of the first directory of the zone path that has zone.tab, else of
    the ``tzdata`` package (its wheel holds zone.tab and tzdata.zi: a system
    without /usr/share/zoneinfo, ``zoneinfo.reset_tzpath([])``); None where neither has
    them (a review: the package's zones were said to be "no one country's")."""
    import zoneinfo

    roots: list[Any] = [Path(r) for r in zoneinfo.TZPATH]
    try:
        from importlib.resources import files

        roots.append(files("tzdata").joinpath("zoneinfo"))
    except (ImportError, ModuleNotFoundError, TypeError):
        pass
    for root in roots:
        try:
            if not root.joinpath("zone.tab").is_file():
                continue
            own = _read_tab(root.joinpath("zone.tab").read_text(encoding="utf-8",
                                                                 errors="replace"))
            links = _read_links(root)
        except OSError:
            continue
        return ZoneTables(root, own, links)
    return None


# tzdata's old names that link to a zone of ANOTHER country (its `backward` file marks
# them; since 2022 zones of one clock were merged across borders): their own country. Every
# other old name (US/Central, PRC, Japan, Singapore, Canada/Eastern, Europe/Belfast) is the
# country of the zone it links to — a review found Japan, Singapore and Canada/Eastern
# without a country when a zone's rows of several countries were asked instead, and one
# before found Iceland given Côte d'Ivoire's holidays (a link to Africa/Abidjan).
CROSS_COUNTRY_LINKS: dict[str, str | None] = {
    "Iceland": "IS", "Africa/Asmera": "ER", "Africa/Timbuktu": "ML",
    "America/Coral_Harbour": "CA", "America/Virgin": "VI", "Atlantic/Jan_Mayen": "SJ",
    "Pacific/Yap": "FM", "Pacific/Truk": "FM", "Pacific/Ponape": "FM",
    "Antarctica/South_Pole": "AQ", "Pacific/Johnston": "UM",
    # the System V zones, links since tzdata 2024b (CET to Europe/Brussels, EST to
    # America/Panama): clocks of many countries, no one's holidays (a review)
    "CET": None, "MET": None, "EET": None, "WET": None, "EST": None,
}


def country_of_zone(tz: str | None) -> str | None:
    """The one country whose time zone ``tz`` is, by tzdata's tables (:func:`zone_tables`,
    no network), where the holidays package has its public holidays; else None (a zone of
    several countries or of none, as UTC, or no table to read). gbm's holiday feature of a
    bare file: its --tz America/Chicago is the US's, where it had no calendar at all (July
    4th was no holiday). A name zone.tab lists is its country's (Atlantic/Reykjavik: IS). An
    old name (US/Central, PRC, Asia/Calcutta: valid zones zone.tab does not list) is the
    country of the zone it links to (:func:`_zone_link`), but for the few that link across a
    border (:data:`CROSS_COUNTRY_LINKS`: Iceland -> Africa/Abidjan had been CI, Africa/Asmera
    -> Africa/Nairobi KE, Pacific/Yap -> Pacific/Port_Moresby PG)."""
    if not tz:
        return None
    tables = zone_tables()
    if tables is None:
        return None
    found = set(tables.own.get(tz, ()))
    if not found and tz in CROSS_COUNTRY_LINKS:
        own = CROSS_COUNTRY_LINKS[tz]
        found = {own} if own else set()
    elif not found:
        target = _zone_link(tables.root, tz, tables.own, tables.links)
        if target is not None:
            found = set(tables.own.get(target, ()))
    if len(found) != 1:
        return None
    import holidays

    code = found.pop()
    return code if code in holidays.list_supported_countries() else None


def _zone_link(root: Any, tz: str, listed: Mapping[str, Any],
               links: Mapping[str, str] | None = None) -> str | None:
    """The zone of zone.tab (``listed``) the old zone name ``tz`` links to: by tzdata.zi's
    link lines (``links``: "L TARGET NAME", followed through links of links), else by its
    compiled file being the same file, or holding the same bytes, as one listed zone's (a
    system without tzdata.zi); None where neither tells: several listed zones with the same
    bytes (Debian's Iceland is Africa/Abidjan's file, as are Accra's, Bamako's and
    Reykjavik's) are no one zone."""
    if links is None:  # read here for a caller without the tables
        links = _read_links(Path(root))
    if links:
        name, seen = tz, set()
        while name in links and name not in seen:  # a link of a link, never a loop
            seen.add(name)
            name = links[name]
        if name in listed:
            return name
    if ".." in Path(tz).parts:
        return None
    own = root.joinpath(tz)
    if not own.is_file():
        return None
    data = own.read_bytes()
    same = [zone for zone in listed if root.joinpath(zone).is_file()
            and root.joinpath(zone).read_bytes() == data]
    return same[0] if len(same) == 1 else None
