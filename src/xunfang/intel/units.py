"""Spatial units (cells, grids, polygons, street segments) and time slots of a forecast.

Every kind answers the same questions: how many units, their ids, their size (area in m², or
length in m for segments — the "area" a hit rate is measured against), a representative point,
and which unit each incident falls in (-1: none).

Square cells are aligned to multiples of the cell size in the projected CRS and numbered
x-major (column by column, west to east, each column south to north); the number is the
tie-break of every ranking, so that figures can be compared across tools.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from xunfang._errors import XunfangError
from xunfang.scenario.model import Roads, shift_order_problem

if TYPE_CHECKING:
    import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
UnitKind = Literal["cells", "grids", "polygons", "segments"]
SlotKind = Literal["hour", "shift"]


class UnitsError(XunfangError):
    """Spatial units that cannot be built (no incidents, bad cell size, unreadable polygons)."""


@dataclass(frozen=True, eq=False)
class Units:
    """The places a forecast ranks."""

    kind: UnitKind
    ids: tuple[str, ...]
    size: FloatArray  # m² (m for segments)
    centroid: FloatArray  # (n, 2)
    geometry: tuple[shapely.Geometry, ...] = ()  # polygons / lines; empty for cells
    cell_m: float | None = None
    origin: tuple[int, int] = (0, 0)  # cells: (ix, iy) of the first cell
    shape: tuple[int, int] = (0, 0)  # cells: (nx, ny)
    # a subset of the block's cells only (those holding an incident, or those meeting a
    # jurisdiction): their sorted keys (ix - origin) * ny + (iy - origin), x-major
    keys: IntArray | None = None
    # cells: laid where incidents are (a bare file), not over a jurisdiction
    from_points: bool = False
    # segments: an incident farther than this from every street lies on none of them
    snap_m: float | None = None
    # what the user should know of these units (polygons that overlap)
    notes: tuple[str, ...] = ()
    _tree: list[object] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def equal_size(self) -> bool:
        """All units the same size (cells): ranked by risk and counted, not by risk per m²
        and covered by area (see :func:`top_units`)."""
        return bool(np.all(self.size == self.size[0]))

    @property
    def study(self) -> Literal["training", "jurisdiction"]:
        """The study area these units give an evaluation (and ``auto``'s validation): a bare
        file's occupied cells are studied where the training window held incidents
        ("training"); any other units — a jurisdiction's cells, grids, polygons, streets —
        are all of it ("jurisdiction")."""
        return "training" if self.kind == "cells" and self.from_points else "jurisdiction"

    # -- assignment ----------------------------------------------------------------------------
    def assign(self, xy: npt.ArrayLike) -> IntArray:
        """The unit of every point (-1 where it falls in none)."""
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        if self.kind == "cells":
            assert self.cell_m is not None
            ix = np.floor(pts[:, 0] / self.cell_m).astype(np.int64) - self.origin[0]
            iy = np.floor(pts[:, 1] / self.cell_m).astype(np.int64) - self.origin[1]
            nx, ny = self.shape
            ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
            flat = np.where(ok, ix * ny + iy, -1)
            if self.keys is None:
                return flat
            at = np.searchsorted(self.keys, flat).clip(0, len(self.keys) - 1)
            return np.where(ok & (self.keys[at] == flat), at, -1)
        if self.kind == "segments":
            tree = self._segment_tree()
            return _nearest_line(tree, pts, self.snap_m)
        out = np.full(len(pts), -1, dtype=np.int64)
        if not len(pts):
            return out
        # "intersects": a point on a shared border belongs to the first polygon
        hits = shapely.STRtree(list(self.geometry)).query(shapely.points(pts), "intersects")
        # hits[0] point index, hits[1] polygon index; first polygon wins on shared borders
        order = np.lexsort((hits[1], hits[0]))
        p, g = hits[0][order], hits[1][order]
        first = np.ones(len(p), dtype=bool)
        first[1:] = p[1:] != p[:-1]
        out[p[first]] = g[first]
        return out

    def area_samples(self, spacing: float) -> tuple[FloatArray, IntArray, FloatArray]:
        """Points that stand for the polygons' areas: a lattice of ``spacing`` metres (finer
        in a polygon too small for about nine of them; points at the centres of its squares)
        clipped to each polygon, each point an equal share of the polygon's area, in units of
        ``spacing``²; a polygon no point falls in is its representative point. A
        kernel summed over them is its integral over each polygon (the expected incidents
        of a district), not its value at one point of it. (points, owner unit, weight in
        lattice cells)"""
        if self.kind not in ("grids", "polygons"):
            raise UnitsError(f"area samples are for polygons, not {self.kind}")
        pts, owner, weight = [], [], []
        for i, g in enumerate(self.geometry):
            # at least about nine points in a polygon: where the lattice of ``spacing`` would
            # put 4, 6 or 9 in equal squares by where they fall, a finer one
            step = min(spacing, float(np.sqrt(self.size[i])) / 3.0)
            x0, y0, x1, y1 = shapely.bounds(g)
            xs = (np.arange(np.floor(x0 / step), np.ceil(x1 / step) + 1) + 0.5) * step
            ys = (np.arange(np.floor(y0 / step), np.ceil(y1 / step) + 1) + 0.5) * step
            mx, my = np.meshgrid(xs, ys)
            gx, gy = mx.ravel(), my.ravel()
            inside = shapely.contains_xy(g, gx, gy) if len(gx) else np.zeros(0, dtype=bool)
            n = int(inside.sum())
            if n:
                pts.append(np.column_stack([gx[inside], gy[inside]]))
                owner.append(np.full(n, i, dtype=np.int64))
                # each point its share of the polygon's own area (not of the lattice's)
                weight.append(np.full(n, self.size[i] / n / spacing**2))
            else:
                pts.append(self.centroid[i:i + 1])
                owner.append(np.array([i], dtype=np.int64))
                weight.append(np.array([self.size[i] / spacing**2]))
        return np.vstack(pts), np.concatenate(owner), np.concatenate(weight)

    def _segment_tree(self) -> shapely.STRtree:
        if not self._tree:
            self._tree.append(shapely.STRtree(list(self.geometry)))
        tree = self._tree[0]
        assert isinstance(tree, shapely.STRtree)
        return tree

    def neighbours(self, radius_m: float) -> tuple[IntArray, IntArray, FloatArray]:
        """Pairs (i, j, distance) of units whose representative points lie within radius."""
        tree = cKDTree(self.centroid)
        pairs = tree.sparse_distance_matrix(tree, radius_m, output_type="ndarray")
        return (pairs["i"].astype(np.int64), pairs["j"].astype(np.int64),
                pairs["v"].astype(float))


def _nearest_line(tree: shapely.STRtree, pts: FloatArray, snap_m: float | None) -> IntArray:
    idx = tree.query_nearest(shapely.points(pts), max_distance=snap_m, all_matches=False)
    out = np.full(len(pts), -1, dtype=np.int64)
    out[idx[0]] = idx[1]
    return out


# -- builders ----------------------------------------------------------------------------------
# the memory a block of cells may take to lay. What a cell of the block costs, measured (peak
# resident memory over the block's cells): 173 bytes for its id, centre and size; 550 over a
# jurisdiction, whose block's boxes are tested against it besides (the county at 5, 3 and 2 m:
# 542, 552 and 555 bytes). The evaluation of the county at 1 m, under the 50 million cells
# allowed before, peaked at 7.4 GB: its 13.4 million cells' box; at 3 m at 1.09 GB, of which
# 1.04 GB the cells'
CELLS_MEMORY = 2e9
CELL_BYTES = 180
CELL_BYTES_WITHIN = 560


def _block_size(bounds: tuple[float, float, float, float], cell_m: float) -> tuple[int, int]:
    """(nx, ny): the columns and rows of cells of ``cell_m`` covering ``bounds``."""
    x0, y0, x1, y1 = bounds
    return (int(np.floor(x1 / cell_m)) - int(np.floor(x0 / cell_m)) + 1,
            int(np.floor(y1 / cell_m)) - int(np.floor(y0 / cell_m)) + 1)


# (the cells alone: a review's --cell-m 2 forecast of the county's 7 km² box, whose cells
# fit, peaked at 4.9 GB with its cell × hour arrays, --cell-m 3 at 2.4 GB; the message says
# the forecast comes on top)
def _block_fits(bounds: tuple[float, float, float, float], cell_m: float, per_cell: int,
                where: str) -> None:
    """Refuse a block of cells that would take more than :data:`CELLS_MEMORY` to lay at
    ``per_cell`` bytes a cell, naming the smallest ``--cell-m`` (to a tenth of a metre, a
    metre above 10) whose block fits."""
    nx, ny = _block_size(bounds, cell_m)
    if nx * ny * per_cell <= CELLS_MEMORY:
        return
    fit = cell_m * float(np.sqrt(nx * ny * per_cell / CELLS_MEMORY))
    step = 0.1 if fit < 10 else 1.0
    fit = float(np.ceil(fit / step)) * step
    while np.prod(_block_size(bounds, fit)) * per_cell > CELLS_MEMORY:
        fit = round(fit + step, 1)
    raise UnitsError(
        f"--cell-m {cell_m:g}: {nx:,} x {ny:,} cells {where} would take about "
        f"{nx * ny * per_cell / 1e9:.1f} GB to lay (some {per_cell} bytes a cell), more than "
        f"the {CELLS_MEMORY / 1e9:g} GB allowed; --cell-m {fit:g} or larger lays them within "
        f"it; a forecast holds 8 bytes a cell, slot and day on top of that")


def cells(xy: npt.ArrayLike, cell_m: float, *, bounds: tuple[float, float, float, float] | None
          = None, occupied: bool = False, within: shapely.Geometry | None = None) -> Units:
    """Square cells of ``cell_m`` metres covering the points (or ``bounds``: x0, y0, x1, y1,
    or the area ``within``); with ``occupied``, only the cells that hold a point (still
    numbered x-major, so rankings break ties as the full block would; a point outside
    ``bounds`` holds none, as it lies in no cell of the block) — a bare incident file's
    stray far-away point then costs one cell, not a block of millions. ``within`` (a
    jurisdiction) keeps the cells that meet it: its bounding box's other cells are no part of
    the study area (a town in a valley fills a third of its box), and every point inside it
    lies in one of them.

    The study area an evaluation takes by default (:attr:`Units.study`): a bare file's
    ``occupied`` cells are studied where the training window held incidents, the issue's rule
    (``xunfang intel evaluate`` of a file); any block is studied whole, as a jurisdiction's
    cells — pass ``study="training"`` to ``evaluate`` to score a block by the bare file's
    rule (``bench/intel.py`` does: Chicago's naive at 5 % is 0.179 so, 0.500 over the
    whole block)."""
    if not np.isfinite(cell_m) or cell_m <= 0:
        raise UnitsError(f"--cell-m must be a positive number of metres, got {cell_m}")
    if within is not None:
        return _cells_within(within, float(cell_m))
    xy_bounds = bounds is None
    if bounds is None:
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(pts):
            raise UnitsError("no incidents to lay cells over")
        bounds = (float(pts[:, 0].min()), float(pts[:, 1].min()),
                  float(pts[:, 0].max()), float(pts[:, 1].max()))
    x0, y0 = bounds[:2]
    ix0, iy0 = int(np.floor(x0 / cell_m)), int(np.floor(y0 / cell_m))
    nx, ny = _block_size(bounds, cell_m)
    if occupied:
        # the block's cells that hold a point: a point outside ``bounds`` lies in none of
        # them, as in the whole block (a review: its key wrapped into the column before, and
        # (600, -100) of bounds (0, 0, 1000, 1000) came out as cell 1_4)
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        with np.errstate(invalid="ignore"):
            fx, fy = np.floor(pts[:, 0] / cell_m) - ix0, np.floor(pts[:, 1] / cell_m) - iy0
            inside = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)
        if not inside.any():
            raise UnitsError(f"none of the {len(pts)} incidents lies within the bounds "
                             f"{tuple(bounds)}: no cell to lay")
        keys = np.unique(fx[inside].astype(np.int64) * ny + fy[inside].astype(np.int64))
        ix, iy = keys // ny + ix0, keys % ny + iy0
        cent = np.column_stack([(ix + 0.5) * cell_m, (iy + 0.5) * cell_m])
        ids = tuple(f"{a}_{b}" for a, b in zip(ix.tolist(), iy.tolist(), strict=True))
        return Units("cells", ids, np.full(len(keys), float(cell_m) ** 2), cent,
                     cell_m=float(cell_m), origin=(ix0, iy0), shape=(nx, ny), keys=keys,
                     from_points=True)
    _block_fits(bounds, float(cell_m), CELL_BYTES, "over the incidents' extent"
                if xy_bounds else f"over the bounds {tuple(bounds)}")
    ix = np.repeat(np.arange(ix0, ix0 + nx), ny)
    iy = np.tile(np.arange(iy0, iy0 + ny), nx)
    cent = np.column_stack([(ix + 0.5) * cell_m, (iy + 0.5) * cell_m])
    ids = tuple(f"{a}_{b}" for a, b in zip(ix.tolist(), iy.tolist(), strict=True))
    return Units("cells", ids, np.full(nx * ny, float(cell_m) ** 2), cent,
                 cell_m=float(cell_m), origin=(ix0, iy0), shape=(nx, ny))


def _cells_within(area: shapely.Geometry, cell_m: float) -> Units:
    x0, y0, x1, y1 = (float(v) for v in shapely.bounds(area))
    _block_fits((x0, y0, x1, y1), cell_m, CELL_BYTES_WITHIN, "over the jurisdiction's box")
    block = cells((), cell_m, bounds=(x0, y0, x1, y1))
    half = cell_m / 2.0
    c = block.centroid
    boxes = shapely.box(c[:, 0] - half, c[:, 1] - half, c[:, 0] + half, c[:, 1] + half)
    shapely.prepare(area)
    # meeting it over some area: a cell that only touches its border along an edge is not its
    keep = np.flatnonzero(shapely.intersects(area, boxes)
                          & ~shapely.touches(area, boxes))
    if not len(keep):
        raise UnitsError("the jurisdiction holds no cell")
    return Units("cells", tuple(block.ids[i] for i in keep.tolist()),
                 block.size[keep], c[keep], cell_m=cell_m, origin=block.origin,
                 shape=block.shape, keys=keep.astype(np.int64))


def polygons(ids: tuple[str, ...], geoms: tuple[shapely.Geometry, ...],
             kind: UnitKind = "polygons") -> Units:
    if not ids:
        raise UnitsError("no polygons to forecast on")
    g = np.asarray(geoms, dtype=object)
    empty = [ids[i] for i in np.flatnonzero(~(shapely.area(g) > 0)).tolist()]
    if empty:
        # no place (and no representative point: the centroids came one short of the units)
        raise UnitsError(f"polygon{'s' if len(empty) > 1 else ''} "
                         f"{_listing([repr(i) for i in empty])} without area: no place to "
                         "forecast")
    cent = shapely.get_coordinates(shapely.point_on_surface(g))
    return Units(kind, tuple(ids), shapely.area(g).astype(float), cent, tuple(geoms))


def scenario_grids(scenario: object) -> Units:
    """The scenario's prevention grids (``areas.csv`` kind ``grid``)."""
    areas = [a for a in getattr(scenario, "areas", ()) if a.kind == "grid"]
    if not areas:
        raise UnitsError("the scenario has no prevention grids (areas of kind 'grid')")
    return polygons(tuple(a.id for a in areas), tuple(a.geometry for a in areas), "grids")


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g


def polygons_from_file(path: Path | str, *, crs: str, id_field: str | None = None,
                       layer: str | None = None, coords: str | None = None,
                       src_crs: str | None = None, incidents_coords: str = "wgs84") -> Units:
    """Polygons from GeoPackage, GeoJSON, shapefile (or a folder holding one) or KML,
    reprojected to ``crs``. ``src_crs`` (``--polygons-crs``) is the file's CRS where it
    declares none (or a wrong one); ``coords`` (``--polygons-coords``) the datum of lon/lat
    polygons drawn on a Chinese web map (default: a GeoJSON's top-level "coords" member, as
    xunfang writes it, else WGS 84). ``incidents_coords``, the incidents' datum, only words a
    note where the polygons are read as WGS 84 beside GCJ-02/BD-09 incidents."""
    path = _polygon_path(Path(path))
    df, geoms, file_crs, layer_of = _read_polygons(path, layer)
    geoms = shapely.force_2d(geoms)
    # a KML placemark of a polygon and its label point is a collection: its polygonal part
    geoms = np.array([_polygonal(g) if shapely.get_type_id(g) == 7 else g for g in geoms],
                     dtype=object)
    notes: list[str] = []

    def named(i: int) -> str:
        return _feature_name(df, layer_of, i, id_field)

    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(types, (3, 6)))
    if len(bad) and _is_kml(path) and len(bad) < len(geoms):
        # Google Earth / My Maps put label pins and routes beside the areas: not units
        listed = ", ".join(f"{named(i)} ({_geom_type(geoms[i])})" for i in bad[:10].tolist())
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        notes.append(f"{path}: {len(bad)} placemark{'s' if len(bad) > 1 else ''} that "
                     f"{'are' if len(bad) > 1 else 'is'} no polygon skipped: {listed}{more}")
        keep = np.flatnonzero(np.isin(types, (3, 6)))
        df, geoms = df.iloc[keep], geoms[keep]  # (its index: the features' numbers)
        layer_of = layer_of[keep] if layer_of is not None else None
    elif len(bad):
        more = ("" if len(bad) == 1 else f" (none of the {len(geoms)} features is)"
                if len(bad) == len(geoms) else f" ({len(bad)} of the {len(geoms)} are not)")
        raise UnitsError(f"{path}: {named(int(bad[0]))} is not a polygon "
                         f"({_geom_type(geoms[bad[0]])}); units must be polygons{more}")
    empty = np.flatnonzero(shapely.is_empty(geoms))
    if len(empty):
        # it has no place: an empty polygon crashed kde ("arange: cannot compute length")
        raise UnitsError(f"{path}: {_listing([named(i) for i in empty.tolist()])} "
                         f"{'has' if len(empty) == 1 else 'have'} an empty geometry "
                         "(POLYGON EMPTY): no place to forecast; remove "
                         f"{'it' if len(empty) == 1 else 'them'} from the file")
    # a ring whose points lie on one line encloses nothing: no incident can fall in it, and
    # its area (a unit's size) divides its risk. Judged as drawn: reprojected, a line of
    # latitude bends and encloses some 40 m² (a review's degenerate KML placemark)
    flat = np.flatnonzero(~(shapely.area(shapely.make_valid(geoms)) > 0))
    if len(flat):
        raise UnitsError(f"{path}: {_listing([named(i) for i in flat.tolist()])} "
                         f"{'has' if len(flat) == 1 else 'have'} no area (a ring whose "
                         "points lie on a line or on one point): no place to forecast; remove "
                         f"{'it' if len(flat) == 1 else 'them'} from the file")
    src, lonlat = _polygon_crs(path, file_crs, src_crs, geoms, notes)
    datum = _polygon_datum(path, coords, lonlat, src, notes, incidents_coords)
    if datum != "wgs84":
        from xunfang.geo import to_wgs84

        geoms = shapely.transform(geoms, lambda c: np.column_stack(
            to_wgs84(c[:, 0], c[:, 1], datum)))  # type: ignore[arg-type]
    if src != crs:
        from pyproj import Transformer

        t = Transformer.from_crs(src, crs, always_xy=True)
        geoms = shapely.transform(geoms, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))
    # a self-touching ring comes out of make_valid as a collection with a line in it: the
    # unit is its polygonal part (the line has no area)
    geoms = np.array([_polygonal(g) for g in shapely.make_valid(geoms)], dtype=object)
    if id_field is None:
        # a field naming every feature apart first; else one some features share (a
        # district in several pieces is one unit); a field of one name for all ('Zone')
        # would make the whole file one unit
        given = [c for c in ID_FIELDS if c in df.columns and not _no_value(df[c]).any()]
        apart = [c for c in given if df[c].astype(str).is_unique]
        shared = [c for c in given if df[c].astype(str).nunique() > 1]
        id_field = next(iter(apart or shared), None)
        if id_field is None and len(df) > 1:  # said: a blank name renamed them all
            blank = [c for c in ID_FIELDS if c in df.columns and _no_value(df[c]).any()]
            notes.append(f"{path}: none of the fields {', '.join(ID_FIELDS)} names every "
                         "polygon" + (f" ({', '.join(blank)} has blanks)" if blank else "")
                         + f": they are numbered 1 to {len(df)} in the file's order; name the "
                         "field with --polygons-id")
    elif id_field not in df.columns:
        raise UnitsError(f"{path}: --polygons-id: no field '{id_field}'; fields are "
                         f"{', '.join(map(str, df.columns))}")
    else:
        _check_ids(path, df, id_field, named)
    raw_ids = ([str(v) for v in df[id_field]] if id_field is not None
               else [str(i + 1) for i in range(len(df))])
    # features sharing an id are one unit in several pieces (a district with an exclave)
    pieces: dict[str, list[shapely.Geometry]] = {}
    for i, g in zip(raw_ids, geoms.tolist(), strict=True):
        pieces.setdefault(i, []).append(g)
    ids = tuple(pieces)
    several = {k: len(p) for k, p in pieces.items() if len(p) > 1}
    if several:  # said: two places of one name (a typo, or another folder's) become one
        listed = ", ".join(f"'{k}' ({n} pieces)" for k, n in list(several.items())[:5])
        more = f" and {len(several) - 5} more" if len(several) > 5 else ""
        notes.append(f"{path}: features of one {id_field or 'number'} are one unit: "
                     f"{listed}{more}")
    merged = tuple(p[0] if len(p) == 1 else shapely.union_all(p) for p in pieces.values())
    if not ids:
        raise UnitsError(f"{path}: no polygons to forecast on")
    units = polygons(ids, merged)
    return replace(units, notes=(*notes, *_overlaps(units, id_field)))


# the fields that name a polygon when --polygons-id names none, in this order
ID_FIELDS = ("id", "name", "Name", "dist_num", "DIST_NUM")


def _no_value(col: pd.Series) -> npt.NDArray[np.bool_]:
    """The features whose value is missing or blank."""
    return np.asarray(col.isna() | (col.astype(str).str.strip() == ""), dtype=bool)


def _check_ids(path: Path, df: pd.DataFrame, id_field: str,
               named: Callable[[int], str]) -> None:
    """Refuse a ``--polygons-id`` field without a value in some features: they all became
    one unit called 'nan' (a review: two Chicago districts merged into one so named)."""
    missing = np.flatnonzero(_no_value(df[id_field]))
    if not len(missing):
        return
    full = [str(c) for c in df.columns if not _no_value(df[c]).any()]
    others = (f"; fields with a value in every feature: {', '.join(full)}" if full
              else "; no field has a value in every feature")
    which = ("no feature has one" if len(missing) == len(df) else
             f"{len(missing)} of the {len(df)} features have none: "
             f"{_listing([named(i) for i in missing.tolist()])}")
    raise UnitsError(f"{path}: --polygons-id {id_field}: every polygon needs a value to be "
                     f"named by (features without one would be merged into one unit), and "
                     f"{which}{others}")


def _listing(names: list[str], most: int = 10) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def _geom_type(g: shapely.Geometry | None) -> str:
    return "missing geometry" if g is None else str(g.geom_type)


def _feature_name(df: pd.DataFrame, layer_of: npt.NDArray[np.object_] | None, i: int,
                  id_field: str | None) -> str:
    """'feature 3' (its number in the file) with its name where it has one ("feature 3
    ('label')"), and its KML folder where the file's folders were read together."""
    text = f"feature {int(df.index[i]) + 1}"
    for c in (id_field, *ID_FIELDS):
        if c is not None and c in df.columns and not _no_value(df[c].iloc[i:i + 1])[0]:
            text += f" ('{df[c].iloc[i]}')"
            break
    if layer_of is not None:
        text += f" of folder '{layer_of[i]}'"
    return text


def _is_kml(path: Path) -> bool:
    return path.suffix.lower() in (".kml", ".kmz")


def _polygon_path(path: Path) -> Path:
    """The file of ``--polygons``: a folder (an unzipped shapefile) is its one .shp."""
    if not path.is_dir():
        return path
    shp = sorted(p for p in path.iterdir() if p.suffix.lower() == ".shp")
    if len(shp) == 1:
        return shp[0]
    if not shp:
        raise UnitsError(f"--polygons {path}: a folder, holding no shapefile (.shp); give "
                         "the polygon file")
    raise UnitsError(f"--polygons {path}: a folder holding {len(shp)} shapefiles "
                     f"({', '.join(p.name for p in shp)}); give the one to rank")


def _read_polygons(path: Path, layer: str | None) -> tuple[
        pd.DataFrame, npt.NDArray[np.object_], str | None, npt.NDArray[np.object_] | None]:
    """The features of the polygon file, its CRS and, for a KML read folder by folder,
    each feature's folder (else None). GDAL makes each Folder of a KML (Google Earth's and
    My Maps' exports) a layer of type 'Unknown': without ``--polygons-layer`` they are all
    read, the polygons of every folder being the units."""
    import pandas as pd

    from xunfang.intel.ingest import pick_layer, read_layer

    if layer is None and _is_kml(path) and path.is_file():
        try:
            import pyogrio

            listed = [str(row[0]) for row in pyogrio.list_layers(path)]
        except Exception:  # unreadable, or no pyogrio: read_layer says why
            listed = []
        if len(listed) > 1:
            parts = [read_layer(path, name, UnitsError, geometry="polygon", what="polygon",
                                option="--polygons-layer") for name in listed]
            df = pd.concat([p[0] for p in parts], ignore_index=True)
            geoms = np.concatenate([p[1] for p in parts])
            of = np.array([n for n, p in zip(listed, parts, strict=True)
                           for _ in range(len(p[0]))], dtype=object)
            return df, geoms, parts[0][2], of
    if not path.is_file() and not str(path).startswith("/vsi"):
        pick_layer(path, layer, UnitsError, geometry="polygon", what="polygon",
                   option="--polygons-layer", subject=f"--polygons {path}")
    df, geoms, file_crs = read_layer(path, layer, UnitsError, geometry="polygon",
                                     what="polygon", option="--polygons-layer")
    return df, geoms, file_crs, None


def _polygon_crs(path: Path, file_crs: str | None, given: str | None,
                 geoms: npt.NDArray[np.object_], notes: list[str]) -> tuple[str, bool]:
    """The polygons' CRS (``--polygons-crs``, else the file's) and whether it is lon/lat.
    A file that declares none (a shapefile without its .prj, a GeoPackage of undefined SRS)
    is lon/lat only where its coordinates can be: projected metres read as degrees placed
    every polygon off the earth and no incident in any (a review)."""
    from xunfang.geo import parse_crs

    if given is not None:
        try:
            chosen = parse_crs(given, any_unit=True)
        except ValueError as exc:
            raise UnitsError(f"--polygons-crs: {exc}") from None
        if file_crs is not None and _declared(file_crs) != chosen[0]:
            notes.append(f"{path} declares {_declared(file_crs)}; read in {chosen[0]} "
                         "(--polygons-crs) instead")
        return chosen
    if file_crs is not None:
        try:
            return parse_crs(file_crs, any_unit=True)
        except ValueError as exc:
            raise UnitsError(f"{path}: its CRS cannot be used ({exc}); give the polygons' "
                             "CRS with --polygons-crs EPSG:NNNN") from None
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    if max(abs(x0), abs(x1)) > 180 or max(abs(y0), abs(y1)) > 90:
        raise UnitsError(
            f"{path}: the polygon file has no CRS (a shapefile without its .prj?) and its "
            f"coordinates are not lon/lat (x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to "
            f"{y1:,.0f}): give its CRS with --polygons-crs EPSG:NNNN")
    notes.append(f"{path} declares no CRS; its coordinates are read as WGS 84 lon/lat "
                 "(--polygons-crs gives another)")
    return "EPSG:4326", True


def _declared(crs: str) -> str:
    """A file's CRS as parse_crs names it (its WKT where pyproj cannot read it)."""
    from xunfang.geo import parse_crs

    try:
        return parse_crs(crs, any_unit=True)[0]
    except ValueError:
        return crs


def _polygon_datum(path: Path, coords: str | None, lonlat: bool, src: str, notes: list[str],
                   incidents: str) -> str:
    """The datum of lon/lat polygons: ``--polygons-coords``, else the "coords" member a
    GeoJSON written by xunfang for a Chinese web map holds (its forecast layers with
    --coords gcj02), else WGS 84. Read as WGS 84, GCJ-02 polygons lie some 500 m off: of a
    forecast's own GCJ-02 cells read back, 55.5 % of the incidents fell in their cell."""
    from xunfang.geo import DATUMS

    if coords is not None and coords not in DATUMS:
        raise UnitsError(f"--polygons-coords must be one of {', '.join(DATUMS)}, got "
                         f"'{coords}'")
    member = _coords_member(path)
    if member is not None and member not in DATUMS:
        raise UnitsError(f"{path}: its \"coords\" member is '{member}', not one of "
                         f"{', '.join(DATUMS)}; give the datum with --polygons-coords")
    datum = coords or member or "wgs84"
    if datum != "wgs84" and not lonlat:
        said = "--polygons-coords" if coords is not None else f"{path}: its \"coords\" member"
        raise UnitsError(f"{said} {datum}: {path} is in {src}, not lon/lat; GCJ-02 and BD-09 "
                         "are lon/lat datums")
    if coords is None and member is None and lonlat and incidents != "wgs84":
        notes.append(f"{path} is read as WGS 84 lon/lat while the incidents are {incidents} "
                     f"(--coords): if the polygons were drawn on the same web map, give "
                     f"--polygons-coords {incidents} (read as WGS 84 they lie some 500 m off)")
    return datum


def _coords_member(path: Path) -> str | None:
    """A GeoJSON's top-level "coords" member (xunfang's layers for Chinese web maps)."""
    import json

    if path.suffix.lower() not in (".geojson", ".json") or not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            doc = json.load(f)
    except (ValueError, OSError):
        return None
    value = doc.get("coords") if isinstance(doc, dict) else None
    return None if value is None else str(value).strip().lower()


def _overlaps(units: Units, id_field: str | None) -> tuple[str, ...]:
    """A note where polygons overlap: an incident in two of them counts for the first in the
    file only, so the second's risk is understated."""
    g = np.asarray(units.geometry, dtype=object)
    a, b = shapely.STRtree(g).query(g, "intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not len(a):
        return ()
    shared = shapely.area(shapely.intersection(g[a], g[b]))
    small = np.minimum(units.size[a], units.size[b])
    big = np.flatnonzero(shared > 0.01 * small)  # not a shared border's slivers
    if not len(big):
        return ()
    k = big[np.argmax(shared[big] / small[big])]
    pairs = "1 pair of polygons overlaps" if len(big) == 1 else (
        f"{len(big)} pairs of polygons overlap")
    return (f"{pairs} (most: '{units.ids[a[k]]}' and "
            f"'{units.ids[b[k]]}', {shared[k] / small[k]:.0%} of the smaller): an incident in "
            "both counts for the first in the file only"
            + ("" if id_field else "; the polygons are numbered in file order"),)


def segments(roads: Roads, *, snap_m: float | None = None) -> Units:
    """Street segments: one unit per road edge (``Roads`` of a scenario or a network). With
    ``snap_m``, a point farther than that from every segment falls on none."""
    xy = np.asarray(roads.xy, dtype=np.float64)
    u = np.asarray(roads.u, dtype=np.int64)
    v = np.asarray(roads.v, dtype=np.int64)
    if not len(u):
        raise UnitsError("the network has no road segments")
    if roads.shape is not None:  # the streets' own courses (a road file's)
        lines = np.array([shapely.linestrings(c) if len(c) >= 2 else
                          shapely.linestrings(np.stack([xy[a], xy[b]]))
                          for c, a, b in zip(roads.shape, u.tolist(), v.tolist(), strict=True)],
                         dtype=object)
        middle = shapely.get_coordinates(shapely.line_interpolate_point(lines, 0.5,
                                                                        normalized=True))
    else:  # an edges.csv without courses: straight between their ends
        lines = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
        middle = (xy[u] + xy[v]) / 2
    length = np.maximum(np.asarray(roads.length_m, dtype=np.float64), 1e-6)
    ids = tuple(f"{a}-{b}" for a, b in zip(
        np.asarray(roads.node_ids)[u].tolist(),
        np.asarray(roads.node_ids)[v].tolist(), strict=True))
    if len(set(ids)) != len(ids):
        ids = tuple(f"e{i}" for i in range(len(u)))
    return Units("segments", ids, length, middle, tuple(lines.tolist()), snap_m=snap_m)


# -- ranking (the evaluation's rule; also auto's rolling validation) -------------------------
# risks within this share of each other are ties: sums of the same terms in another order
# differ in their last bits (a review: etas's forecasts held 681 pairs of cells within 1e-12
# of each other, and 15 of 20 top-k sets broke their ties by that noise)
TIE = 1e-12


def ranked(risk: FloatArray, area: IntArray, size: FloatArray, equal: bool) -> IntArray:
    """The study area's units, highest risk (per m² for unequal units) first, ties by index.
    Risks within :data:`TIE` of their neighbour in the order are ties, in a run of such
    neighbours too; risks apart by more keep their order however small they are."""
    key = risk[area] if equal else risk[area] / size[area]
    if not len(key):
        return area
    first = np.argsort(-key)  # any order among equals: the groups below settle it
    k = key[first]
    tied = _tied(k[:-1], k[1:])
    group = np.concatenate([[0], np.cumsum(~tied)])  # runs of ties, highest risk first
    where = area[first]
    # by group, then by unit index: one sort of whole numbers (2.6 ms on 20,000 units,
    # against 2.0 ms for the one lexsort that broke noise ties by noise)
    return where[np.argsort(group * (int(area.max()) + 1) + where, kind="stable")]


def _tied(a: FloatArray, b: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether risks are ties: equal (infinities too), or within :data:`TIE` of each other."""
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= TIE * np.maximum(np.abs(a), np.abs(b))
        return np.asarray((a == b) | (np.isfinite(a) & np.isfinite(b) & close), dtype=bool)


def how_many(order: IntArray, size: FloatArray, coverage: float, equal: bool) -> int:
    """How many of the ranked units make up ``coverage`` of the study area."""
    if equal:
        return max(1, round(coverage * len(order)))
    cum = np.cumsum(size[order])
    return max(1, int(np.searchsorted(cum, coverage * cum[-1], side="right")))


def top_units(risk: FloatArray, area: IntArray, size: FloatArray, coverage: float,
              equal: bool) -> IntArray:
    """The highest-risk units of the study area making up ``coverage`` of it, as
    :func:`ranked` takes them (in no particular order for equal units: found by partition,
    not by a sort of the whole area — auto ranks every candidate on every validation day)."""
    k = how_many(area, size, coverage, equal=True) if len(area) else 0
    if not equal or k >= len(area):
        order = ranked(risk, area, size, equal)
        return order[:how_many(order, size, coverage, equal)]
    key = risk[area]
    if not np.isfinite(key).all():
        return ranked(risk, area, size, equal)[:k]
    v = -np.partition(-key, k - 1)[k - 1]  # the k-th highest risk
    band = _tied(key, np.full(len(key), v))  # ties with it
    lo, hi = key[band].min(), key[band].max()
    near = ~band & (_tied(key, np.full(len(key), lo)) | _tied(key, np.full(len(key), hi)))
    if near.any():  # a run of ties reaching past the band: the ranking's own rule settles it
        return ranked(risk, area, size, equal)[:k]
    above = np.flatnonzero((key > v) & ~band)
    tied = np.flatnonzero(band)  # in index order (area is), as ranked breaks ties
    picked = np.concatenate([above, tied[np.argsort(area[tied], kind="stable")]
                             [:k - len(above)]])
    return np.asarray(area[picked], dtype=np.int64)


# the share of the study area no forecast takes from a unit in the log-likelihood: a unit
# of zero risk where an incident came costs log(floor / units), not minus infinity
LL_FLOOR = 1e-3


def whole_days(value: object, error: type[Exception], name: str = "--train-days") -> int:
    """A number of days (``--train-days``, ``--days``) as a Python int — numpy's int64 as
    well (a review: ``np.int64(365)`` failed in ``timedelta``) — or ``error`` saying the
    rule."""
    import operator

    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise error(f"{name} must be a whole number of days, got {value!r}") from None


def as_day(value: object, error: type[Exception], name: str) -> date:
    """A day given as a ``date``, a ``datetime`` or pandas ``Timestamp`` (its date) or a
    numpy ``datetime64``, as a ``date`` — or ``error`` saying the rule (a review: a
    Timestamp failed inside pandas, a datetime64 on ``isoformat``)."""
    if isinstance(value, datetime):  # (pandas' Timestamp is one)
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return date.fromisoformat(str(value.astype("datetime64[D]")))
    raise error(f"{name} must be a day (a date, datetime or numpy datetime64), got {value!r}")


def log_likelihood(risk: FloatArray, area: IntArray, at: IntArray) -> float:
    """Σ log p over the units ``at`` (one per incident, each in ``area``): p the unit's share
    of the study area's risk, mixed with an even share by :data:`LL_FLOOR` — how well the
    forecast spreads the day's incidents over the places, whatever its level."""
    if not len(at):
        return 0.0
    # summed in the units' order, not the file's: same-minute incidents keep the file's
    # order, and a shuffled file moved naive's log-likelihood in its 15th digit (a review)
    at = np.sort(at)
    total = float(np.clip(risk[area], 0, None).sum())
    mine = np.clip(risk[at], 0, None)
    # a forecast of nothing anywhere spreads the day evenly: every incident counts, not one
    # (a review: an all-zero day scored as one incident's log-probability, so prospective
    # after 8 quiet weeks came out ahead of naive)
    share = mine / total if total > 0 else np.full(len(at), 1 / len(area))
    p = (1 - LL_FLOOR) * share + LL_FLOOR / len(area)
    return float(np.log(p).sum())


# -- time slots --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slots:
    """How a day is cut: ``hour`` (24 slots) or ``shift`` (the policy's shifts, e.g. 08-16,
    16-24, 00-08). Each day's slots follow its own weekday's profile
    (:func:`~xunfang.intel.forecast.week_hour_profile`): a week of days is the hour of the
    week."""

    kind: SlotKind = "hour"
    shift_starts: tuple[int, ...] = (8, 16, 0)

    def __post_init__(self) -> None:
        # each shift runs to the next one's start: a review's (8, 25) was labelled 08-25,
        # (8, 8, 0) held an always-empty slot, "week" was read as hourly and () failed on
        # an index (the rule of a scenario's policy.shift_starts and of --shifts)
        if self.kind not in ("hour", "shift"):
            raise UnitsError(f"slots kind must be 'hour' or 'shift' (--slots), got "
                             f"{self.kind!r}")
        if self.kind != "shift":
            return
        if not isinstance(self.shift_starts, (tuple, list, np.ndarray)):
            raise UnitsError(f"shift_starts are whole hours 0..23 in a tuple or list "
                             f"(--shifts), got {self.shift_starts!r}")
        starts = tuple(self.shift_starts)
        if not starts:
            raise UnitsError("shift slots need at least one shift start hour (shift_starts, "
                             "--shifts), got none")
        if any(isinstance(h, bool) or not isinstance(h, (int, np.integer)) for h in starts):
            raise UnitsError(f"shift_starts are whole hours 0..23, got {list(starts)}")
        problem = shift_order_problem([int(h) for h in starts])
        if problem:
            raise UnitsError(f"shift_starts: {problem}")
        object.__setattr__(self, "shift_starts", tuple(int(h) for h in starts))

    def per_day(self) -> int:
        return len(self.shift_starts) if self.kind == "shift" else 24

    def of_hour(self) -> IntArray:
        """Slot of each hour of the day (0..23)."""
        if self.kind != "shift":
            return np.arange(24, dtype=np.int64)
        starts = sorted(self.shift_starts)
        out = np.zeros(24, dtype=np.int64)
        for h in range(24):
            past = [s for s in starts if s <= h]
            start = past[-1] if past else starts[-1]
            out[h] = list(self.shift_starts).index(start)
        return out

    def labels(self) -> tuple[str, ...]:
        if self.kind != "shift":
            return tuple(f"{h:02d}" for h in range(24))
        s = list(self.shift_starts)
        return tuple(f"{a:02d}-{s[(i + 1) % len(s)] or 24:02d}" for i, a in enumerate(s))
