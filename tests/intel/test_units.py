"""Spatial units: aligned cells, polygons (real Chicago districts), street segments, slots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from xunfang.intel import Slots, UnitsError, ingest
from xunfang.intel import units as U
from xunfang.scenario import load


def test_cells_are_aligned_to_multiples_and_numbered_x_major() -> None:
    pts = np.array([[260.0, 10.0], [740.0, 490.0]])
    u = U.cells(pts, 250.0)
    assert u.origin == (1, 0) and u.shape == (2, 2)
    assert u.ids == ("1_0", "1_1", "2_0", "2_1")  # column by column, south to north
    np.testing.assert_array_equal(u.assign(pts), [0, 3])
    np.testing.assert_array_equal(u.assign([[0.0, 0.0], [500.0, 250.0]]), [-1, 3])
    np.testing.assert_allclose(u.centroid[0], [375.0, 125.0])
    with pytest.raises(UnitsError, match="--cell-m"):
        U.cells(pts, 0)


def test_polygons_assign_points_and_names_bad_ids(tmp_path: Path) -> None:
    u = U.polygons(("a", "b"), (shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)))
    np.testing.assert_array_equal(u.assign([[5, 5], [15, 5], [25, 5], [10, 5]]), [0, 1, -1, 0])
    np.testing.assert_allclose(u.size, [100.0, 100.0])
    with pytest.raises(UnitsError, match="no such file"):
        U.polygons_from_file(tmp_path / "none.kml", crs="EPSG:32616")


def test_chicago_districts_from_kml_match_the_recorded_district(data_dir: Path) -> None:
    got = ingest(data_dir / "chicago_aggravated_assaults.csv.gz",
                 columns={"time": "date", "lon": "longitude", "lat": "latitude"})
    districts = U.polygons_from_file(data_dir / "chicago_police_districts.kml", crs=got.table.crs)
    # 25 placemarks, 23 districts: district 31 comes in three pieces, merged into one unit
    assert len(districts) == 23 and "31" in districts.ids
    assert districts.geometry[districts.ids.index("31")].geom_type == "MultiPolygon"
    sample = np.arange(0, len(got.table), 50)
    unit = districts.assign(got.table.xy[sample])
    recorded = np.asarray(got.table.extra["district"], dtype=object)[sample]
    named = np.array([districts.ids[i] if i >= 0 else "" for i in unit])
    agree = float(np.mean(named == recorded))
    assert agree > 0.97, agree  # positions are rounded to 4 decimals (~10 m) near borders


def test_grids_and_segments_of_the_builtin_county() -> None:
    sc = load("ebian")
    grids = U.scenario_grids(sc)
    assert len(grids) == len(sc.areas_of("grid")) and grids.kind == "grids"
    inside = grids.assign(sc.incidents.xy)
    assert (inside >= 0).mean() > 0.9
    segs = U.segments(sc.roads)
    assert len(segs) == sc.roads.n_edges
    mid = segs.centroid[:5]
    np.testing.assert_array_equal(segs.assign(mid), np.arange(5))


def test_the_study_area_the_units_give() -> None:
    """One rule for the evaluation and auto's validation: a bare file's occupied cells are
    studied where the training window held incidents; a block of cells over a jurisdiction,
    grids, polygons and streets are all of it."""
    xy = np.array([[10.0, 10.0], [900.0, 40.0]])
    assert U.cells(xy, 250.0, occupied=True).study == "training"
    assert U.cells(xy, 250.0).study == "jurisdiction"
    assert U.cells(xy, 250.0, bounds=(0, 0, 999, 999)).study == "jurisdiction"
    sc = load("ebian")
    assert U.scenario_grids(sc).study == U.segments(sc.roads).study == "jurisdiction"


def test_a_jurisdictions_cells_are_those_that_meet_it() -> None:
    """A scenario's cells were its zones' bounding box: 240 cells for the county, of which 89
    have their centre in the town, so hit rates and PAI were scored over a study area
    mostly outside the jurisdiction (a review found PAI 10.1 instead of 5.0 at 5 %)."""
    from xunfang.intel import open_incidents
    from xunfang.intel.sources import jurisdiction_of, units_for

    src = open_incidents("ebian")
    assert src.scenario is not None
    area = jurisdiction_of(src.scenario)
    u = units_for("cells", src.table, src.scenario, cell_m=250.0)
    block = U.cells(src.table.xy, 250.0, bounds=tuple(shapely.bounds(area)))
    assert u.study == "jurisdiction" and 89 <= len(u) < len(block) == 240
    half = 125.0
    boxes = shapely.box(u.centroid[:, 0] - half, u.centroid[:, 1] - half,
                        u.centroid[:, 0] + half, u.centroid[:, 1] + half)
    assert shapely.area(shapely.intersection(boxes, area)).min() > 0  # each meets the town
    # the same numbering as the block (ties break alike) and every point of the town in a cell
    assert set(u.ids) <= set(block.ids)
    inside = shapely.contains_xy(area, src.table.xy[:, 0], src.table.xy[:, 1])
    got = u.assign(src.table.xy)
    assert (got[inside] >= 0).all()
    np.testing.assert_array_equal(np.asarray(u.ids)[got[inside]],
                                  np.asarray(block.ids)[block.assign(src.table.xy)[inside]])


def test_slots_by_hour_and_by_shift() -> None:
    assert Slots("hour").per_day() == 24
    s = Slots("shift", (8, 16, 0))
    assert s.per_day() == 3
    assert s.labels() == ("08-16", "16-24", "00-08")
    of = s.of_hour()
    assert of[8] == 0 and of[15] == 0 and of[16] == 1 and of[23] == 1 and of[0] == 2


def test_occupied_cells_keep_the_block_order_and_ignore_strays() -> None:
    pts = np.array([[260.0, 10.0], [740.0, 490.0], [9_000_000.0, 9_000_000.0]])
    sparse = U.cells(pts, 250.0, occupied=True)
    assert sparse.ids == ("1_0", "2_1", "36000_36000")
    np.testing.assert_array_equal(sparse.assign(pts), [0, 1, 2])
    np.testing.assert_array_equal(sparse.assign([[500.0, 10.0], [-1.0, 0.0]]), [-1, -1])
    full = U.cells(pts[:2], 250.0)
    assert [full.ids.index(i) for i in sparse.ids[:2]] == sorted(
        full.ids.index(i) for i in sparse.ids[:2])


def test_polygon_files_a_review_found_read_wrongly(tmp_path: Path) -> None:
    """A field of one name for every feature merged the file into one unit; a KML placemark of
    a polygon with its label point was refused; overlapping polygons were silent."""
    import json

    def feature(props: dict[str, object], geom: shapely.Geometry) -> dict[str, object]:
        return {"type": "Feature", "properties": props,
                "geometry": json.loads(shapely.to_geojson(geom))}

    boxes = [shapely.box(103.25 + 0.01 * i, 29.22, 103.26 + 0.01 * i, 29.23) for i in range(3)]
    one_name = tmp_path / "zones.geojson"
    one_name.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"name": "Zone", "dist_num": 10 + i}, b) for i, b in enumerate(boxes)]}))
    u = U.polygons_from_file(one_name, crs="EPSG:32648")
    assert u.ids == ("10", "11", "12") and not u.notes
    # a field given by name, even one shared: its features are one unit
    assert U.polygons_from_file(one_name, crs="EPSG:32648", id_field="name").ids == ("Zone",)
    with pytest.raises(UnitsError, match="no field 'zone_id'; fields are name, dist_num"):
        U.polygons_from_file(one_name, crs="EPSG:32648", id_field="zone_id")
    # a polygon and its label point in one placemark: the polygon
    label = shapely.GeometryCollection([boxes[0], shapely.Point(103.255, 29.225)])
    mixed = tmp_path / "mixed.geojson"
    mixed.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"name": "A"}, label), feature({"name": "B"}, boxes[1])]}))
    u = U.polygons_from_file(mixed, crs="EPSG:32648")
    assert u.ids == ("A", "B") and u.size[0] == pytest.approx(u.size[1], rel=0.01)
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"name": "A"}, boxes[0]), feature({"name": "P"}, shapely.Point(103.2, 29.2))]}))
    with pytest.raises(UnitsError, match=r"feature 2 \('P'\) is not a polygon \(Point\)"):
        U.polygons_from_file(points, crs="EPSG:32648")
    # two polygons sharing half their area: said, with the rule that decides
    over = tmp_path / "over.geojson"
    over.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"name": "A"}, boxes[0]), feature({"name": "B"}, shapely.box(
            103.255, 29.22, 103.265, 29.23)), feature({"name": "C"}, boxes[2])]}))
    u = U.polygons_from_file(over, crs="EPSG:32648")
    assert len(u.notes) == 1 and "1 pair of polygons overlaps" in u.notes[0]
    assert "'A' and 'B', 50% of the smaller" in u.notes[0]


def test_street_segments_follow_the_streets_course(data_dir: Path) -> None:
    """A road file's segments were straight lines between their ends: on Montreal's network,
    158 of 8,835 points along its streets fell on another segment or on none (a review).
    They follow the street now, as the file draws it."""
    from pyogrio.raw import read as raw_read

    from xunfang.network.imports import import_lines, import_osm

    path = data_dir / "montreal_networks.gpkg"
    roads, _ = import_lines(path, layer="mtl_network")
    assert roads.shape is not None and max(len(c) for c in roads.shape) > 2
    # each course runs from its edge's node to its node (ends merged within the tolerance)
    np.testing.assert_array_equal([c[0] for c in roads.shape], roads.xy[roads.u])
    np.testing.assert_array_equal([c[-1] for c in roads.shape], roads.xy[roads.v])
    units = U.segments(roads, snap_m=100.0)
    lines = shapely.force_2d(shapely.from_wkb(raw_read(path, layer="mtl_network")[2]))
    parts = [p for g in lines for p in shapely.get_parts(g)]
    pts = np.array([shapely.get_coordinates(shapely.line_interpolate_point(g, f, normalized=True))
                    [0] for g in parts for f in (0.25, 0.5, 0.75)])
    got = units.assign(pts)
    assert (got >= 0).all()
    on = shapely.distance(np.asarray(units.geometry, dtype=object)[got], shapely.points(pts))
    assert float(on.max()) < 0.01  # each on the segment it was drawn on
    # OpenStreetMap: each course runs from its edge's u to its v, as long as the edge
    osm, _ = import_osm(data_dir / "baltimore.osm.pbf", network_type="drive")
    assert osm.shape is not None and len(osm.shape) == osm.n_edges
    first = np.array([c[0] for c in osm.shape])
    last = np.array([c[-1] for c in osm.shape])
    np.testing.assert_allclose(first, osm.xy[osm.u], atol=1e-6)
    np.testing.assert_allclose(last, osm.xy[osm.v], atol=1e-6)
    drawn = shapely.length(shapely.linestrings(np.vstack(osm.shape), indices=np.repeat(
        np.arange(osm.n_edges), [len(c) for c in osm.shape])))
    np.testing.assert_allclose(drawn, osm.length_m, rtol=0.01)


@pytest.mark.parametrize(("kind", "starts", "message"), [
    ("week", (8, 16, 0), r"slots kind must be 'hour' or 'shift' \(--slots\), got 'week'"),
    ("shift", (8, 25), r"shift_starts: hours are 0\.\.23, got \[8, 25\]"),
    ("shift", (8, 8, 0), r"shift_starts: shift starts must be distinct hours, got \[8, 8, 0\]"),
    ("shift", (8, 0, 16), r"shift_starts: shift starts must follow the day's order"),
    ("shift", (), r"shift slots need at least one shift start hour"),
    ("shift", (8.5, 16), r"shift_starts are whole hours 0\.\.23, got \[8\.5, 16\]"),
])
def test_slots_that_cut_no_day_are_refused(kind: str, starts: tuple, message: str) -> None:
    """Each shift runs to the next one's start (a review: (8, 25) was labelled 08-25, (8, 8,
    0) held an always-empty slot, 'week' was read as hourly, () failed on an index)."""
    with pytest.raises(UnitsError, match=message):
        Slots(kind, starts)  # type: ignore[arg-type]


def test_slots_of_the_day_s_order_are_taken() -> None:
    assert Slots("shift", (22, 6, 14)).labels() == ("22-06", "06-14", "14-22")
    assert Slots("shift", (0,)).per_day() == 1
    assert Slots("hour", ()).per_day() == 24  # an hourly day has no shifts to check


def test_occupied_cells_of_bounds_hold_no_point_outside_them() -> None:
    """Occupied cells of given bounds are the block's cells that hold a point: a point
    outside the bounds lies in none of them, as in the whole block (a review: (600, -100) of
    bounds (0, 0, 1000, 1000) wrapped into the column before, as cell 1_4)."""
    xy = np.array([[100.0, 100.0], [600.0, -100.0], [1300.0, 500.0], [600.0, 600.0]])
    bounds = (0.0, 0.0, 1000.0, 1000.0)
    sparse = U.cells(xy, 250.0, bounds=bounds, occupied=True)
    block = U.cells(xy, 250.0, bounds=bounds)
    assert sparse.ids == ("0_0", "2_2")
    in_block = block.assign(xy)
    np.testing.assert_array_equal(in_block, [0, -1, -1, 12])
    got = sparse.assign(xy)
    np.testing.assert_array_equal(got, [0, -1, -1, 1])
    assert [sparse.ids[i] for i in got[got >= 0]] == [block.ids[i] for i in in_block[
        in_block >= 0]]
    with pytest.raises(UnitsError, match="none of the 2 incidents lies within the bounds"):
        U.cells(xy[1:3], 250.0, bounds=bounds, occupied=True)


def test_a_block_of_cells_too_big_for_memory_is_refused() -> None:
    """The cap of 50 million cells let the county's jurisdiction at 1 m through: 13.4 million
    cells of its box, 7.4 GB (a review). The cap is now the memory a block takes, at the
    bytes a cell measured; the message names the --cell-m that fits, and that one does."""
    from xunfang.intel.sources import jurisdiction_of

    area = jurisdiction_of(load("ebian"))
    assert area is not None
    with pytest.raises(UnitsError, match=r"--cell-m 1: 3,825 x 3,493 cells .* 7\.5 GB .* "
                                         r"--cell-m 2 or larger lays them within it; a "
                                         r"forecast holds 8 bytes a cell, slot and day on "
                                         r"top"):
        U.cells((), 1.0, within=area)
    box = shapely.bounds(area)
    nx, ny = U._block_size(tuple(box), 2.0)
    assert nx * ny * U.CELL_BYTES_WITHIN <= U.CELLS_MEMORY  # 2 m: 3.3 million, laid
    bounds = (0.0, 0.0, 29_999.0, 29_999.0)
    with pytest.raises(UnitsError, match=r"--cell-m 5: .*--cell-m (\S+) or larger") as err:
        U.cells(np.zeros((0, 2)), 5.0, bounds=bounds)
    fit = float(str(err.value).split("--cell-m ")[-1].split()[0])
    n = np.prod(U._block_size(bounds, fit))
    assert n * U.CELL_BYTES <= U.CELLS_MEMORY < np.prod(U._block_size(bounds, fit - 0.1)) * (
        U.CELL_BYTES)


def test_log_likelihood_does_not_depend_on_the_incidents_order() -> None:
    """A shuffled file moved naive's log-likelihood in its last digits (a review): the sum
    is now over the incidents in their units' order."""
    from xunfang.intel.units import log_likelihood

    rng = np.random.default_rng(3)
    risk = rng.random(500) ** 4
    area = np.arange(500)
    at = rng.integers(0, 500, 2000)
    want = log_likelihood(risk, area, at)
    got = {log_likelihood(risk, area, rng.permutation(at)) for _ in range(20)}
    assert got == {want}
