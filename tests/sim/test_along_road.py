"""The unit drives along the incident's road to the point nearest it; the crew walks only
from the road (a review: it stopped at the nearest node and walked from there, 0.6 min for an
incident 50 m down the road instead of 0.1)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, load
from xunfang.network import RoadNetwork
from xunfang.sim import SimIncidents, simulate
from xunfang.sim.incidents import incident_outcomes

# the mini network (tests/conftest.py): a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300)
# -300- a, b -400- e(800,0); 30 km/h: 500 m a minute by car. The car U1 stands at a (post p1).
CAR_MPM = 500.0


def _run(make_scenario: Make, engine: str, xy: list[tuple[float, float]],
         extra: dict[str, str] | None = None) -> tuple[list[float], list[dict[str, object]]]:
    sc = load(make_scenario, ONE_CAR, extra)
    net = RoadNetwork.from_scenario(sc)
    n = len(xy)
    inc = SimIncidents(ids=tuple(f"i{k}" for k in range(n)),
                       minutes=10.0 + 60.0 * np.arange(n), xy=np.array(xy, dtype=float),
                       category=("x",) * n, priority=np.full(n, 2))
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1,
                   config=replace(FIXED, engine=engine))
    return res.logs[0].response_minutes.tolist(), incident_outcomes(res)


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_the_unit_drives_along_the_road_to_the_incident(make_scenario: Make,
                                                        engine: str) -> None:
    foot_mpm = 5.0 * 1000.0 / 60.0  # the default foot speed
    resp, rows = _run(make_scenario, engine, [(100.0, 0.0), (300.0, 0.0), (300.0, 20.0),
                                              (400.0, 0.0)])
    assert resp == pytest.approx([
        100.0 / CAR_MPM,  # 100 m down a-b from a: drives it (the walk took 1.2 min)
        300.0 / CAR_MPM,  # 100 m short of b: drives 300 m, not to b and 100 m back on foot
        300.0 / CAR_MPM + 20.0 / foot_mpm,  # 20 m off the road: walks those alone
        400.0 / CAR_MPM,  # on node b
    ])
    # the row's node is the end of the road nearer the incident
    assert [r["node"] for r in rows] == ["a", "b", "b", "b"]
    assert all(r["from_node"] == "a" for r in rows)


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_a_one_way_road_is_driven_from_its_start_only(make_scenario: Make,
                                                      engine: str) -> None:
    # b → a one way: the car at a may not drive it from a, so it goes round a-d-c-b (1000 m)
    # and 300 m down the road from b to the incident 100 m from a; on the two-way c-d, 100 m
    # from d, it comes from d (a-d-incident, 400 m)
    edges = "u,v,oneway\nb,a,1\nb,c,0\nc,d,0\nd,a,0\nb,e,0\n"
    resp, _ = _run(make_scenario, engine, [(100.0, 0.0), (100.0, 300.0)],
                   {"network/edges.csv": edges})
    assert resp == pytest.approx([1300.0 / CAR_MPM, 400.0 / CAR_MPM])


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_a_city_run_uses_the_road_end_it_has(make_scenario: Make, engine: str) -> None:
    """Above ``max_matrix_nodes`` the run holds only the nodes it uses: a, the car's post,
    and both ends b and c of the incident's road, which ``simulate`` adds, so the road is
    driven from its better end as on the whole network (before, only c, the node nearest the
    incident, was added and the car went round by c: 700 + 140 m)."""
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    inc = SimIncidents(ids=("i0",), minutes=np.array([10.0]), xy=np.array([[420.0, 160.0]]),
                       category=("x",), priority=np.array([2]))
    foot_mpm = 5.0 * 1000.0 / 60.0
    for cap, drive in ((4, 400.0 + 160.0), (4000, 400.0 + 160.0)):
        res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1,
                       config=replace(FIXED, engine=engine, max_matrix_nodes=cap))
        assert res.setup.travel.n_points == (3 if cap == 4 else 5)
        assert res.logs[0].response_minutes.tolist() == pytest.approx(
            [drive / CAR_MPM + 20.0 / foot_mpm])


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_a_unit_barred_from_the_road_walks_from_its_nearer_end(make_scenario: Make,
                                                               engine: str) -> None:
    """A foot patrol may not use a motorway (the default exclusions): for an incident beside
    one it goes to the road's nearer end and walks from that node, not along the road."""
    edges = "u,v,class\na,b,motorway\nb,c,residential\nc,d,residential\nd,a,residential\n" \
            "b,e,residential\n"
    foot = "id,tier,mode,squad,home_post\nU1,special,foot,patrol,p1\n"
    sc = load(make_scenario, foot, {"network/edges.csv": edges})
    net = RoadNetwork.from_scenario(sc)
    inc = SimIncidents(ids=("i0",), minutes=np.array([10.0]), xy=np.array([[100.0, 10.0]]),
                       category=("x",), priority=np.array([2]))
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1,
                   config=replace(FIXED, engine=engine))
    foot_mpm = sc.policy.speeds_kph["foot"] * 1000.0 / 60.0
    assert res.logs[0].inc_status.tolist() == [0]  # served
    assert res.logs[0].response_minutes.tolist() == pytest.approx(
        [float(np.hypot(100.0, 10.0)) / foot_mpm])
