"""Incidents no responder reaches by road count as late in every response figure."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.sim.test_engine import DAY, FIXED, GRID, ONE_CAR, Make, home_plan, load
from xunfang.network import RoadNetwork
from xunfang.scenario.model import Scenario
from xunfang.sim import SimIncidents, evaluate, simulate

# the mini network plus an isolated road iso1-iso2 inside a ring-1 area
NODES = "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\ne,800,0\niso1,200,150\niso2,210,160\n"
EDGES = "u,v\na,b\nb,c\nc,d\nd,a\nb,e\niso1,iso2\n"
RING = {"type": "Feature", "properties": {"kind": "ring", "id": "R1", "level": 1},
        "geometry": {"type": "Polygon",
                     "coordinates": [[[100, 100], [300, 100], [300, 200], [100, 200],
                                      [100, 100]]]}}
AREAS = {**GRID, "features": [*GRID["features"], RING]}


def _one_served_one_isolated(make_scenario: Make) -> tuple[Scenario, RoadNetwork, SimIncidents]:
    """One incident at b (0.8 min from the car at a: within the general 5 minutes), one on
    the isolated road (ring 1, nobody reaches it)."""
    sc = load(make_scenario, ONE_CAR, {"network/nodes.csv": NODES, "network/edges.csv": EDGES,
                                       "areas.geojson": json.dumps(AREAS)})
    inc = SimIncidents(ids=("ok", "iso"), minutes=np.array([10.0, 100.0]),
                       xy=np.array([[400.0, 0.0], [200.0, 150.0]]), category=("x", "x"),
                       priority=np.array([2, 2]))
    return sc, RoadNetwork.from_scenario(sc), inc


def test_an_unreachable_ring1_incident_counts_as_late(make_scenario: Make) -> None:
    sc, net, inc = _one_served_one_isolated(make_scenario)
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, replications=2,
                   config=FIXED)
    k = evaluate(res)
    assert k.counts["unreachable"] == 2 and k.counts["served"] == 2
    assert k.summary["response_within_target"] == pytest.approx(0.5)
    assert k.summary["response_within_5_min"] == pytest.approx(0.5)
    ring1 = next(r for r in k.tables["by_ring"] if r["key"] == "ring 1")
    assert ring1["incidents"] == 2 and ring1["unreachable"] == 2 and ring1["reached"] == 0
    assert ring1["within_target"] == 0.0 and ring1["within_1_min"] == 0.0
    grid = next(r for r in k.tables["by_grid"] if r["key"] == "G1")
    assert grid["incidents"] == 4 and grid["unreachable"] == 2
    # the served one alone sets the times
    assert k.summary["response_p50_min"] == pytest.approx(0.8)


def test_an_unreachable_incident_misses_its_target_in_the_outcomes(make_scenario: Make
                                                                   ) -> None:
    """--incidents-out and "missing their target" count it late, as the KPIs do."""
    from xunfang.sim.incidents import incident_outcomes, missing_target

    sc, net, inc = _one_served_one_isolated(make_scenario)
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=FIXED)
    rows = {r["id"]: r for r in incident_outcomes(res)}
    assert rows["iso"]["status"] == "unreachable"
    assert rows["iso"]["within_target"] is False
    assert rows["ok"]["within_target"] is True
    assert missing_target(list(rows.values())) == 1
    assert evaluate(res).summary["response_within_target"] == pytest.approx(0.5)
