"""Spatial units (cells, grids, polygons, street segments) and time slots of a forecast.

Every kind answers the same questions: how many units, their ids, their size (area in m², or
length in m for segments — the "area" a hit rate is measured against), a representative point,
and which unit each incident falls in (-1: none).

Square cells are aligned to multiples of the cell size in the projected CRS and numbered
x-major (column by column, west to east, each column south to north); the number is the
tie-break of every ranking, so that figures can be compared across tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from xunfang._errors import XunfangError
from xunfang.scenario.model import Roads

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
UnitKind = Literal["cells", "grids", "polygons", "segments"]
SlotKind = Literal["hour", "week_hour", "shift"]


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
def cells(xy: npt.ArrayLike, cell_m: float, *, bounds: tuple[float, float, float, float] | None
          = None, occupied: bool = False, within: shapely.Geometry | None = None) -> Units:
    """Square cells of ``cell_m`` metres covering the points (or ``bounds``: x0, y0, x1, y1,
    or the area ``within``); with ``occupied``, only the cells that hold a point (still
    numbered x-major, so rankings break ties as the full block would) — a bare incident file's
    stray far-away point then costs one cell, not a block of millions. ``within`` (a
    jurisdiction) keeps the cells that meet it: its bounding box's other cells are no part of
    the study area (a town in a valley fills a third of its box), and every point inside it
    lies in one of them."""
    if not np.isfinite(cell_m) or cell_m <= 0:
        raise UnitsError(f"--cell-m must be a positive number of metres, got {cell_m}")
    if within is not None:
        return _cells_within(within, float(cell_m))
    if bounds is None:
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(pts):
            raise UnitsError("no incidents to lay cells over")
        bounds = (float(pts[:, 0].min()), float(pts[:, 1].min()),
                  float(pts[:, 0].max()), float(pts[:, 1].max()))
    x0, y0, x1, y1 = bounds
    ix0, iy0 = int(np.floor(x0 / cell_m)), int(np.floor(y0 / cell_m))
    nx = int(np.floor(x1 / cell_m)) - ix0 + 1
    ny = int(np.floor(y1 / cell_m)) - iy0 + 1
    if occupied:
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        keys = np.unique((np.floor(pts[:, 0] / cell_m).astype(np.int64) - ix0) * ny
                         + np.floor(pts[:, 1] / cell_m).astype(np.int64) - iy0)
        ix, iy = keys // ny + ix0, keys % ny + iy0
        cent = np.column_stack([(ix + 0.5) * cell_m, (iy + 0.5) * cell_m])
        ids = tuple(f"{a}_{b}" for a, b in zip(ix.tolist(), iy.tolist(), strict=True))
        return Units("cells", ids, np.full(len(keys), float(cell_m) ** 2), cent,
                     cell_m=float(cell_m), origin=(ix0, iy0), shape=(nx, ny), keys=keys,
                     from_points=True)
    if nx * ny > 50_000_000:
        raise UnitsError(
            f"{nx} x {ny} cells of {cell_m} m is too many; choose a larger --cell-m")
    ix = np.repeat(np.arange(ix0, ix0 + nx), ny)
    iy = np.tile(np.arange(iy0, iy0 + ny), nx)
    cent = np.column_stack([(ix + 0.5) * cell_m, (iy + 0.5) * cell_m])
    ids = tuple(f"{a}_{b}" for a, b in zip(ix.tolist(), iy.tolist(), strict=True))
    return Units("cells", ids, np.full(nx * ny, float(cell_m) ** 2), cent,
                 cell_m=float(cell_m), origin=(ix0, iy0), shape=(nx, ny))


def _cells_within(area: shapely.Geometry, cell_m: float) -> Units:
    x0, y0, x1, y1 = (float(v) for v in shapely.bounds(area))
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
                       layer: str | None = None) -> Units:
    """Polygons from GeoPackage, GeoJSON, shapefile or KML, reprojected to ``crs``."""
    from xunfang.intel.ingest import read_layer

    path = Path(path)
    df, geoms, src_crs = read_layer(path, layer, UnitsError, geometry="polygon",
                                    what="polygon", option="--polygons-layer")
    src = src_crs or "EPSG:4326"
    geoms = shapely.force_2d(geoms)
    # a KML placemark of a polygon and its label point is a collection: its polygonal part
    geoms = np.array([_polygonal(g) if shapely.get_type_id(g) == 7 else g for g in geoms],
                     dtype=object)
    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(types, (3, 6)))
    if len(bad):
        first = geoms[bad[0]]
        what = first.geom_type if first is not None else "missing geometry"
        raise UnitsError(f"{path}: feature {int(bad[0]) + 1} is not a polygon ({what}); "
                         "units must be polygons")
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
        given = [c for c in ("id", "name", "Name", "dist_num", "DIST_NUM") if c in df.columns
                 and df[c].notna().all() and (df[c].astype(str) != "").all()]
        apart = [c for c in given if df[c].astype(str).is_unique]
        shared = [c for c in given if df[c].astype(str).nunique() > 1]
        id_field = next(iter(apart or shared), None)
    if id_field is not None and id_field not in df.columns:
        raise UnitsError(f"{path}: --polygons-id: no field '{id_field}'; fields are "
                         f"{', '.join(map(str, df.columns))}")
    raw_ids = ([str(v) for v in df[id_field]] if id_field is not None
               else [str(i + 1) for i in range(len(df))])
    # features sharing an id are one unit in several pieces (a district with an exclave)
    pieces: dict[str, list[shapely.Geometry]] = {}
    for i, g in zip(raw_ids, geoms.tolist(), strict=True):
        pieces.setdefault(i, []).append(g)
    ids = tuple(pieces)
    merged = tuple(p[0] if len(p) == 1 else shapely.union_all(p) for p in pieces.values())
    if not ids:
        raise UnitsError(f"{path}: no polygons to forecast on")
    units = polygons(ids, merged)
    return replace(units, notes=_overlaps(units, id_field))


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
    else:  # a scenario's edges.csv: straight between their ends
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
def ranked(risk: FloatArray, area: IntArray, size: FloatArray, equal: bool) -> IntArray:
    """The study area's units, highest risk (per m² for unequal units) first, ties by index.
    Risks within a 10¹² th of the highest are ties: sums of the same terms in another order
    differ in their last bits (a review: etas's forecasts held 681 pairs of cells within
    1e-12 of each other, and 15 of 20 top-k sets broke their ties by that noise)."""
    key = risk[area] if equal else risk[area] / size[area]
    scale = float(np.abs(key).max()) if len(key) else 0.0
    if scale > 0 and np.isfinite(scale):
        key = np.round(key / scale, 12)
    return area[np.lexsort((area, -key))]


def how_many(order: IntArray, size: FloatArray, coverage: float, equal: bool) -> int:
    """How many of the ranked units make up ``coverage`` of the study area."""
    if equal:
        return max(1, round(coverage * len(order)))
    cum = np.cumsum(size[order])
    return max(1, int(np.searchsorted(cum, coverage * cum[-1], side="right")))


def top_units(risk: FloatArray, area: IntArray, size: FloatArray, coverage: float,
              equal: bool) -> IntArray:
    """The highest-risk units of the study area making up ``coverage`` of it."""
    order = ranked(risk, area, size, equal)
    return order[:how_many(order, size, coverage, equal)]


# -- time slots --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slots:
    """How a day is cut: ``hour`` (24 slots), ``week_hour`` (168 slots, the profile per weekday)
    or ``shift`` (the policy's shifts, e.g. 08-16, 16-24, 00-08)."""

    kind: SlotKind = "hour"
    shift_starts: tuple[int, ...] = (8, 16, 0)

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
