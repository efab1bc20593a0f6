"""A route's planned stops (10-15 min at a key site, none driving past) are what the
simulator's unit does at each point; without stops, the config's default at every point."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.sim.test_engine import (
    DAY,
    FIXED,
    ONE_CAR,
    Make,
    every_slot,
    incidents,
    load,
    segments,
)
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, PlanError, make_slots
from xunfang.sim import simulate


def _route_plan(sc, stops: tuple[float, ...]) -> Plan:
    return every_slot(sc, "route", route=("a", "b", "c"), stops=stops)


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_stops_are_stood_at_their_points(make_scenario: Make, engine: str) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    cfg = replace(FIXED, engine=engine)
    log = simulate(sc, net, _route_plan(sc, (10.0, 0.0, 5.0)), incidents([]), start=DAY,
                   days=1, seed=1, config=cfg).logs[0]
    segs = segments(log, 0)
    node = {0: "a", 1: "b", 2: "c"}
    want = {"a": 10.0, "c": 5.0}
    # a stop the shift's handover cuts ends as it starts (the stop is left for it)
    dwells = [(node.get(a), t1 - t0) for n, (kind, a, _, t0, t1) in enumerate(segs[:-1])
              if kind == "dwell" and segs[n + 1][0] != "handover"]
    cut = [(t1, segs[n + 1][3]) for n, (kind, _, _, _, t1) in enumerate(segs[:-1])
           if kind == "dwell" and segs[n + 1][0] == "handover"]
    assert dwells and all(node_ in want for node_, _ in dwells)  # never a stop at b
    assert all(m == pytest.approx(want[n]) for n, m in dwells)
    assert all(end == start for end, start in cut)
    # a, b, c, a, ...: it drives past b without stopping
    moves = [(node.get(a), node.get(b)) for kind, a, b, *_ in segs if kind == "patrol_move"]
    assert moves[:3] == [("a", "b"), ("b", "c"), ("c", "a")]


def test_without_stops_the_default_applies(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    log = simulate(sc, net, _route_plan(sc, ()), incidents([]), start=DAY, days=1, seed=1,
                   config=FIXED).logs[0]
    dwells = {round(t1 - t0, 6) for kind, *_, t0, t1 in segments(log, 0)[:-1]
              if kind == "dwell"}
    assert dwells == {FIXED.route_dwell_minutes}


def test_stops_are_checked_and_kept_in_plan_json() -> None:
    a = Assignment(unit="U1", slot=0, duty="route", route=("a", "b"), stops=(12.0, 0.0))
    assert a.as_dict()["stops"] == [12.0, 0.0]
    with pytest.raises(PlanError, match="2 stops for a route of 3 nodes"):
        Assignment(unit="U1", slot=0, duty="route", route=("a", "b", "c"), stops=(1.0, 2.0))
    with pytest.raises(PlanError, match="stops must be minutes >= 0"):
        Assignment(unit="U1", slot=0, duty="route", route=("a",), stops=(-1.0,))
    slots = make_slots(DAY, days=1, slot_minutes=1440)
    plan = Plan(scenario="s", inputs_hash="", seed=0, version="t", slots=slots,
                units=("U1",), assignments=(a,))
    assert Plan.from_dict(plan.as_dict()).assignments[0].stops == (12.0, 0.0)


def test_a_city_grid_patrols_a_spread_sample_of_its_nodes(make_scenario: Make) -> None:
    """Over max_matrix_nodes, a grid patrol visits at most max_patrol_points of its nodes,
    spread over the grid, so the matrices fit; the sample is the same every run."""
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    plan = every_slot(sc, "grid", grid="G1")
    cfg = replace(FIXED, max_matrix_nodes=4, max_patrol_points=3)
    a = simulate(sc, net, plan, incidents([]), start=DAY, days=1, seed=2, config=cfg)
    b = simulate(sc, net, plan, incidents([]), start=DAY, days=1, seed=2, config=cfg)
    pts = a.setup.grid_points[0]
    assert len(pts) == 3 and a.setup.travel.n_points <= 4
    assert pts.tolist() == b.setup.grid_points[0].tolist()
    # farthest-point from the node nearest the centre: the sample spans the grid
    xy = net.xy[a.setup.travel.nodes[pts]]
    assert (xy.max(axis=0) - xy.min(axis=0))[0] >= 400.0
    with pytest.raises(ValueError, match="max_patrol_points"):
        replace(FIXED, max_patrol_points=0)


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_a_stop_ends_when_the_duty_does(make_scenario: Make, engine: str) -> None:
    # an auxiliary group placed at a site for one hour (a one-node route, a stop the whole
    # slot) walks there first; its stop ran on past the hour, through the next slot's
    # start, by the walk's minutes. It ends with the duty now, in both engines.
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=1, slot_minutes=60)
    at_c = {10: Assignment(unit="U1", slot=10, duty="route", route=("c",), stops=(60.0,))}
    plan = Plan(scenario=sc.name, inputs_hash="", seed=0, version="t", slots=slots,
                units=("U1",), assignments=tuple(
                    at_c.get(s.index, Assignment(unit="U1", slot=s.index, duty="post",
                                                 post="p1")) for s in slots))
    log = simulate(sc, net, plan, incidents([]), start=DAY, days=1, seed=1,
                   config=replace(FIXED, engine=engine)).logs[0]
    segs = segments(log, 0)
    dwell = [(t0, t1) for kind, a, _, t0, t1 in segs if kind == "dwell"]
    assert len(dwell) == 1
    t0, t1 = dwell[0]
    assert 600.0 < t0 < 610.0 and t1 == 660.0  # a to c takes 1.4 min by car
    # and it drives back to its post at once
    after = next(s for s in segs if s[3] == 660.0)
    assert after[0] == "move" and after[1] == 2
