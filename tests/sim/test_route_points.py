"""Route points dropped: the plan times a route duty over its whole slot, the simulator takes
the shift handover (``handover_minutes`` at a shift start) and the calls out of that time;
the points not reached before the slot ends are dropped and counted, by cause. Both engines.

a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a ; b -400- e(800,0); 500 m/min.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, incidents, load
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, make_slots
from xunfang.scenario.model import Scenario
from xunfang.sim import evaluate, simulate

# c (a 50-minute stop), b, e (3 minutes): about 56 minutes of the slot's 60 from a or e
ROUTE = (("c", "b", "e"), (50.0, 0.0, 3.0))
ENGINES = ["compiled", "python"]


def _route_plan(sc: Scenario) -> Plan:
    slots = make_slots(DAY, days=1, slot_minutes=60)
    return Plan(scenario=sc.name, inputs_hash="", seed=0, version="t", slots=slots,
                units=("U1",), assignments=tuple(
                    Assignment(unit="U1", slot=s.index, duty="route", route=ROUTE[0],
                               stops=ROUTE[1]) for s in slots))


def _counts(make: Make, engine: str, gap: float,
            rows: list[tuple[float, str, str, int]] | None = None,
            on_scene: float = 20.0) -> dict[str, int]:
    sc = load(make, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    cfg = replace(FIXED, engine=engine, handover_minutes=gap,
                  default_on_scene_minutes=on_scene)
    res = simulate(sc, net, _route_plan(sc), incidents(rows or []), start=DAY, days=1,
                   seed=1, config=cfg)
    made = res.logs[0].route_made
    assert made is not None and made.shape == (1, 24)
    return {k: v for k, v in evaluate(res).counts.items() if k.startswith("route_points")}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_handover_drops_the_last_points_of_a_full_route(make_scenario: Make,
                                                           engine: str) -> None:
    # 08:00 and 16:00: 15 minutes of handover at e, then e->c 1.4, the stop at c runs to the
    # slot's end (09:00): b and e are dropped; every other slot makes all three points
    got = _counts(make_scenario, engine, 15.0)
    assert got == {"route_points_planned": 72, "route_points_made": 68,
                   "route_points_dropped": 4, "route_points_dropped_handover": 4,
                   "route_points_dropped_call": 0, "route_points_dropped_other": 0}
    # without the handover the route fits its slot: nothing is dropped
    none = _counts(make_scenario, engine, 0.0)
    assert none["route_points_made"] == 72 and none["route_points_dropped"] == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_points_lost_to_a_call_are_counted_as_such(make_scenario: Make, engine: str) -> None:
    # a call at 02:10 at d while the unit stops at c (made at 02:01.4); 60 minutes on scene
    # to 03:10.8: slot 2 loses b and e, and slot 3 (begun busy; c at 03:11.6, its stop cut
    # at 04:00) loses b and e too
    got = _counts(make_scenario, engine, 0.0, [(130.0, "d", "x", 2)], on_scene=60.0)
    assert got["route_points_dropped"] == 4
    assert got["route_points_dropped_call"] == 4
    assert got["route_points_dropped_handover"] == 0
