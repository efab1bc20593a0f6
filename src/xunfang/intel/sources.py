"""Where an analysis gets its incidents: a scenario folder, a Parquet store or any table file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely

from xunfang.intel import units as units_mod
from xunfang.intel.ingest import IncidentTable, IngestError, IngestReport, ingest, read_parquet
from xunfang.intel.units import Units
from xunfang.scenario import Scenario, builtin_names
from xunfang.scenario import load as load_scenario


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


def open_incidents(spec: str | Path, *, columns: Mapping[str, str] | None = None,
                   crs: str | None = None, **options: Any) -> Source:
    """Incidents from a scenario folder (its history), a ``.parquet`` store or a table file."""
    if is_scenario(spec):
        if columns or crs:
            raise IngestError(f"{spec} is a scenario folder: --columns and --crs apply to "
                              "incident files only (the scenario declares its own)")
        sc = load_scenario(spec)
        if not len(sc.incidents):
            raise IngestError(f"scenario {sc.name}: incidents.csv holds no incident")
        return Source(IncidentTable.from_scenario(sc.incidents, sc.crs.working), sc, None)
    path = Path(spec)
    if path.suffix.lower() == ".parquet":
        return Source(read_parquet(path), None, None)
    got = ingest(path, columns=columns, crs=crs, **options)
    return Source(got.table, None, got.report)


def units_for(kind: str, table: IncidentTable, scenario: Scenario | None, *,
              cell_m: float = 250.0, polygons: Path | None = None) -> Units:
    """The spatial units named by ``--units``: cells, grids (of the scenario), segments (of the
    scenario's roads) or a polygon file (``--polygons``)."""
    if polygons is not None:
        return units_mod.polygons_from_file(polygons, crs=table.crs)
    if kind == "cells":
        bounds = None
        if scenario is not None:
            j = jurisdiction_of(scenario)
            if j is not None:
                bounds = tuple(float(v) for v in shapely.bounds(j))
        # a jurisdiction: every cell of its block; a bare file: the cells that hold incidents
        return units_mod.cells(table.xy, cell_m, bounds=bounds,  # type: ignore[arg-type]
                               occupied=bounds is None)
    if kind in ("grids", "segments"):
        if scenario is None:
            raise units_mod.UnitsError(f"--units {kind} needs a scenario folder, not a bare "
                                       "incident file")
        return (units_mod.scenario_grids(scenario) if kind == "grids"
                else units_mod.segments(scenario.roads))
    raise units_mod.UnitsError(
        f"--units must be cells, grids, segments (or give --polygons FILE), got '{kind}'")
