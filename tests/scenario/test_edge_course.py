"""network/edges.csv's optional ``course`` column: each edge's course as WKT, read into
Roads.shape so the engine snaps points to the street, not to the chord between its ends."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.report.tables import path_points
from xunfang import geo, network, scenario
from xunfang._errors import Problem

Make = Callable[..., Path]

# the mini scenario's nodes (local metres): a(0,0) b(400,0) c(400,300) d(0,300) e(800,0)
ARCH = "LINESTRING (0 0, 200 150, 400 0)"  # a → b bowed north, 500 m long


def edges(first_course: str, rest: str = "") -> str:
    return ('u,v,course\na,b,"' + first_course + '"\nb,c,' + rest + "\nc,d,\nd,a,\nb,e,\n")


def errors(path: Path) -> list[Problem]:
    return [p for p in scenario.check(path).problems if p.severity == "error"]


def test_course_is_read_into_roads_shape_and_points_snap_to_it(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"network/edges.csv": edges(ARCH)}))
    r = sc.roads
    assert r.shape is not None and len(r.shape) == r.n_edges
    np.testing.assert_array_equal(r.shape[0], [[0, 0], [200, 150], [400, 0]])
    for k in range(1, r.n_edges):  # an empty cell: the straight line between the ends
        np.testing.assert_array_equal(r.shape[k], r.xy[[r.u[k], r.v[k]]])
    # length_m not given: the course's length, not the 400 m chord
    assert r.length_m[0] == pytest.approx(500)
    assert r.length_m[1] == pytest.approx(300)
    net = network.RoadNetwork.from_scenario(sc)
    s = network.snap(net, np.array([[200.0, 150.0], [100.0, 75.0]]), to="edge")
    assert s.edge.tolist() == [0, 0]
    np.testing.assert_allclose(s.distance_m, 0, atol=1e-9)
    np.testing.assert_allclose(s.fraction, [0.5, 0.25])


def test_an_empty_course_column_means_straight_edges(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"network/edges.csv": edges("")}))
    assert sc.roads.shape is None
    assert sc.roads.length_m[0] == pytest.approx(400)


def test_given_length_is_kept_and_ends_within_a_metre_are_the_nodes(make_scenario: Make
                                                                  ) -> None:
    sc = scenario.load(make_scenario({"network/edges.csv":
                                      "u,v,length_m,course\n"
                                      'a,b,510,"LINESTRING (0.6 0.3, 200 150, 399.5 -0.4)"\n'
                                      "b,c,,\nc,d,,\nd,a,,\nb,e,,\n"}))
    r = sc.roads
    assert r.length_m[0] == 510
    assert r.shape is not None
    np.testing.assert_array_equal(r.shape[0], [[0, 0], [200, 150], [400, 0]])


@pytest.mark.parametrize(
    ("course", "words"),
    [
        ("POINT (200 150)", "is a Point, not a LINESTRING"),
        ("LINESTRING (0 0)", "a LINESTRING needs at least 2"),
        ("LINESTRING EMPTY", "has 0 point(s)"),
        ("LINESTRING (0 0, x 150, 400 0)", "not WKT LINESTRING"),
        ("200 150", "not WKT LINESTRING"),
        ("LINESTRING (0 0, nan 150, 400 0)", "not a finite number"),
        ("LINESTRING (400 0, 450 150, 400 330)", "ends 30.0 m from v 'c'"),
        ("LINESTRING (400 300, 450 150, 400 0)", "it runs from v to u: reverse it"),
    ],
)
def test_a_bad_course_names_file_row_column_and_rule(make_scenario: Make, course: str,
                                                     words: str) -> None:
    # row 2 is b(400,0) → c(400,300)
    found = errors(make_scenario({"network/edges.csv": edges(ARCH, f'"{course}"')}))
    assert len(found) == 1, found
    p = found[0]
    assert (p.file, p.row, p.column, p.rule) == ("network/edges.csv", 2, "course", "bad-course")
    assert words in p.message, p.message


def test_a_lonlat_course_is_projected_like_its_nodes_datum_included(make_scenario: Make
                                                                    ) -> None:
    """A course in GCJ-02 lon/lat (nodes.csv's datum) goes through the same conversion as the
    nodes: read as WGS 84 its ends would lie ~500 m off them."""
    wlon = np.array([103.26, 103.265, 103.27])
    wlat = np.array([29.23, 29.232, 29.23])
    glon, glat = geo.wgs84_to_gcj02(wlon, wlat)
    nodes = f"id,lon,lat\na,{glon[0]:.9f},{glat[0]:.9f}\nb,{glon[2]:.9f},{glat[2]:.9f}\n"
    course = ", ".join(f"{x:.9f} {y:.9f}" for x, y in zip(glon, glat, strict=True))
    sc = scenario.load(make_scenario({
        "scenario.toml": 'name = "g"\ncrs = "EPSG:4326"\ncoords = "gcj02"\n',
        "network/nodes.csv": nodes,
        "network/edges.csv": f'u,v,course\na,b,"LINESTRING ({course})"\n',
        "posts.csv": None,
    }))
    r = sc.roads
    assert r.shape is not None
    x, y = geo.Projector(sc.crs.working).to_xy(wlon, wlat)
    np.testing.assert_allclose(r.shape[0], np.column_stack([x, y]), atol=0.05)
    along = float(np.hypot(*np.diff(r.shape[0], axis=0).T).sum())
    assert r.length_m[0] == pytest.approx(along)


def test_an_xy_course_in_web_mercator_is_computed_in_utm(make_scenario: Make) -> None:
    lon, lat = np.array([116.39, 116.395, 116.40]), np.array([39.9, 39.903, 39.9])
    mx, my = geo.reproject(lon, lat, "EPSG:4326", "EPSG:3857")
    nodes = f"id,x,y\na,{mx[0]:.3f},{my[0]:.3f}\nb,{mx[2]:.3f},{my[2]:.3f}\n"
    course = ", ".join(f"{x:.3f} {y:.3f}" for x, y in zip(mx, my, strict=True))
    sc = scenario.load(make_scenario({
        "scenario.toml": 'name = "m"\ncrs = "EPSG:3857"\n', "network/nodes.csv": nodes,
        "network/edges.csv": f'u,v,course\na,b,"LINESTRING ({course})"\n', "posts.csv": None,
    }))
    assert sc.crs.working == "EPSG:32650"
    x, y = geo.Projector("EPSG:32650").to_xy(lon, lat)
    assert sc.roads.shape is not None
    np.testing.assert_allclose(sc.roads.shape[0], np.column_stack([x, y]), atol=0.01)


def test_the_maps_draw_a_street_along_its_course(make_scenario: Make) -> None:
    # roads.geojson and the report's SVG map drew every edge as the chord between its
    # ends: a bowed street crossed the block it runs around
    from xunfang.report.layers import plan_layers
    from xunfang.report.svgmap import render_map

    sc = scenario.load(make_scenario({"network/edges.csv": edges(ARCH)}))
    roads = plan_layers(sc, None)["roads.geojson"]
    first = next(f for f in roads["features"]  # type: ignore[index, union-attr]
                 if (f["properties"]["u"], f["properties"]["v"]) == ("a", "b"))
    assert first["geometry"]["coordinates"] == [[0, 0], [200, 150], [400, 0]]
    others = [f for f in roads["features"] if f is not first]  # type: ignore[index, union-attr]
    assert all(len(f["geometry"]["coordinates"]) == 2 for f in others)
    svg = render_map(sc, None)
    lines = [line for d in re.findall(r' d="([^"]*)"', svg) for line in path_points(d)]
    assert len(lines) >= sc.roads.n_edges
    assert any(len(line) == 3 for line in lines)  # the arch's two pieces
