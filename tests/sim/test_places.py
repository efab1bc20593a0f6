"""Where points fall among areas: a point on a shared boundary belongs to exactly one area."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from tests.sim.test_engine import DAY, FIXED, Make, home_plan, incidents
from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.sim import evaluate, simulate
from xunfang.sim.places import locate

# a 5 × 5 lattice of 250 m; the grid lines (x = 500, y = 500) and the ring edges run through
# its nodes, as in a review's 7 × 7 scenario where 13 of 49 nodes fell in no grid
STEP, N = 250, 5
NODES = "id,x,y\n" + "".join(f"n{i}_{j},{i * STEP},{j * STEP}\n"
                             for i in range(N) for j in range(N))
EDGES = "u,v\n" + "".join(
    f"n{i}_{j},n{i + di}_{j + dj}\n" for i in range(N) for j in range(N)
    for di, dj in ((1, 0), (0, 1)) if i + di < N and j + dj < N)


def _square(x0: float, y0: float, x1: float, y1: float) -> list[list[list[float]]]:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _feature(kind: str, fid: str, coords: list[list[list[float]]], **props: object
             ) -> dict[str, object]:
    return {"type": "Feature", "properties": {"kind": kind, "id": fid, **props},
            "geometry": {"type": "Polygon", "coordinates": coords}}


AREAS = {"type": "FeatureCollection", "features": [
    _feature("grid", "G1", _square(-10, -10, 500, 500)),
    _feature("grid", "G2", _square(500, -10, 1010, 500)),
    _feature("grid", "G3", _square(-10, 500, 500, 1010)),
    _feature("grid", "G4", _square(500, 500, 1010, 1010)),
    _feature("zone", "Z1", _square(-10, -10, 1010, 1010)),
    _feature("ring", "R1", _square(250, 250, 750, 750), level=1),
    _feature("ring", "R2", _square(0, 0, 1000, 1000), level=2),
]}
POSTS = "id,name,kind,node\np1,Rapid,rapid,n2_2\n"  # the centre: on all four grids' corner
UNITS = "id,tier,mode,squad,home_post\nU1,special,car,sq,p1\n"


def _load(make: Make) -> scenario.Scenario:
    return scenario.load(make({"network/nodes.csv": NODES, "network/edges.csv": EDGES,
                               "posts.csv": POSTS, "units.csv": UNITS,
                               "areas.geojson": json.dumps(AREAS)}))


def test_every_lattice_node_belongs_to_exactly_one_grid_the_first_holding_it(
        make_scenario: Make) -> None:
    sc = _load(make_scenario)
    xy = np.asarray(RoadNetwork.from_scenario(sc).xy)
    grids = sc.areas_of("grid")
    got = sc.area_index("grid", xy)
    on_line = (xy[:, 0] == 500) | (xy[:, 1] == 500)
    assert on_line.sum() == 9  # the points the fault left in no grid
    for p, g in zip(xy, got, strict=True):
        holders = [i for i, a in enumerate(grids) if shapely.intersects_xy(a.geometry, *p)]
        assert holders, p
        assert g == holders[0], (p.tolist(), g, holders)  # the first in areas order
    # the centre, on all four grids' corner, goes to G1; (500, 1000) to G3, (1000, 500) to G2
    at = {tuple(p): int(g) for p, g in zip(xy.tolist(), got, strict=True)}
    assert at[(500.0, 500.0)] == 0 and at[(500.0, 1000.0)] == 2 and at[(1000.0, 500.0)] == 1
    assert (sc.area_index("zone", xy) == 0).all()


def test_a_point_on_a_rings_edge_has_that_rings_level_and_target(make_scenario: Make) -> None:
    sc = _load(make_scenario)
    xy = np.array([[250.0, 250.0], [250.0, 500.0], [0.0, 500.0], [500.0, 500.0],
                   [1000.0, 1000.0]])
    where = locate(sc, xy, site_radius_m=100.0)
    assert where.ring.tolist() == [1, 1, 2, 1, 2]
    targets = sc.policy.response_targets
    assert where.target.tolist() == [targets[1], targets[1], targets[2], targets[1], targets[2]]
    assert where.grid.tolist() == [0, 0, 0, 0, 3]


def test_a_post_on_the_grid_corner_counts_for_visibility(make_scenario: Make) -> None:
    """The unit stands all day at the centre node: its grid (G1, the first holding it) is
    visited; before, it counted for no grid and visibility was 0."""
    sc = _load(make_scenario)
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, home_plan(sc), incidents([]), start=DAY, days=1, config=FIXED)
    k = evaluate(res, weights=np.ones((4, 24)))
    rows = {r["grid"]: r for r in k.tables["visibility_by_grid"]}
    # standing all day but the two 15-minute handovers (08:00, 16:00)
    assert rows["G1"]["presence_share"] == pytest.approx((22 + 2 * 0.75) / 24)
    assert rows["G2"]["presence_share"] == 0.0 and rows["G4"]["presence_share"] == 0.0
    assert k.summary["visibility"] > 0.0



def test_every_lattice_node_is_a_patrol_point_of_exactly_one_grid(make_scenario: Make) -> None:
    """A grid patrol goes to the nodes of its grid; the nodes on the grid lines were in no
    grid's list (strictly inside only) and so never patrolled."""
    from xunfang.sim.engine import setup

    sc = _load(make_scenario)
    net = RoadNetwork.from_scenario(sc)
    st = setup(sc, net, home_plan(sc), start=DAY, days=1, config=FIXED)
    pts = np.concatenate(st.grid_points)
    assert sorted(pts.tolist()) == list(range(N * N))  # each node once
    xy = st.travel.xy
    g1 = {tuple(p) for p in xy[st.grid_points[0]].tolist()}
    assert (500.0, 500.0) in g1 and (0.0, 500.0) in g1 and (500.0, 0.0) in g1
    assert len(g1) == 9  # x, y in {0, 250, 500}


# ---- the same rule wherever points are placed in grids (the record, the deployment's grid
# nodes, the baselines, the sampler): one shared Scenario.area_index ----------------------------
def test_the_record_counts_an_incident_on_a_grid_line(make_scenario: Make) -> None:
    from xunfang.scenario.record import weekly_counts

    sc = _load(make_scenario)
    # Monday 2025-03-03 10:xx, one on the G1/G2 line (x = 500), one inside G4
    inc = ("time,x,y,category,priority\n2025-03-03T10:05,500,250,theft,2\n"
           "2025-03-03T10:10,750,750,theft,2\n")
    sc = scenario.load(make_scenario({"network/nodes.csv": NODES, "network/edges.csv": EDGES,
                                      "posts.csv": POSTS, "units.csv": UNITS,
                                      "areas.geojson": json.dumps(AREAS),
                                      "incidents.csv": inc}))
    counts, _ = weekly_counts(sc)
    assert counts.sum() == 2.0  # before: the one on the line was in no grid, 1.0
    assert counts[0, 10] == 1.0 and counts[3, 10] == 1.0


def test_the_deployments_grid_nodes_hold_the_nodes_on_grid_lines(make_scenario: Make) -> None:
    from xunfang.planning.deploy.inputs import _grid_nodes

    sc = _load(make_scenario)
    xy = np.asarray(RoadNetwork.from_scenario(sc).xy)
    nodes = _grid_nodes(sc, xy, 4)
    assert sorted(np.concatenate(nodes).tolist()) == list(range(len(xy)))  # each node once
    assert all((sc.area_index("grid", xy[n]) == g).all() for g, n in enumerate(nodes))


def test_the_sampler_places_incidents_in_a_cell_of_boundary_nodes_only() -> None:
    """A cell whose nodes all lie on its edges: before, it held no node and the run failed
    ("holds no network node")."""
    from xunfang.sim.incidents import RiskForecast, sample

    node_xy = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]])
    cell = shapely.box(0, 0, 100, 100)
    fc = RiskForecast(risk=np.full((1, 24), 2.0), cells=(cell,), slot_minutes=60)
    inc = sample(fc, node_xy, days=1, rng=np.random.default_rng(0))
    at = {tuple(p) for p in node_xy.tolist()}
    assert len(inc.ids) > 0 and {tuple(p) for p in inc.xy.tolist()} <= at
