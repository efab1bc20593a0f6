"""The simulator's handover is the scenario's (``[policy] handover_minutes``, SimConfig's
when set), and the plan leaves room for it: on the built-in county's plan of 2026-12-03 no
route point is dropped to a handover (35 of 8,550 a day were, when the routes were timed over
their whole slot)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from xunfang.network import RoadNetwork
from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.scenario.loader import load
from xunfang.sim import SimConfig, evaluate, simulate
from xunfang.sim.engine import setup, unit_handovers
from xunfang.sim.incidents import SimIncidents

DAY = date(2026, 12, 3)
NONE = SimIncidents(ids=(), minutes=np.zeros(0), xy=np.zeros((0, 2)), category=(),
                    priority=np.zeros(0, dtype=np.int64))


def test_the_county_plan_leaves_room_for_the_handover() -> None:
    sc = load("ebian")
    plan = build_plan(sc, PlanRequest(start=DAY)).plan
    net = RoadNetwork.from_scenario(sc)
    # (no calls: a unit on a call at a shift start hands over late, once free, and its
    # route's points are counted as dropped to the handover)
    res = simulate(sc, net, plan, NONE, start=DAY, days=1, seed=0)
    got = {k: v for k, v in evaluate(res).counts.items() if k.startswith("route_points")}
    assert sum(len(h) for h in unit_handovers(res.setup)) > 0  # units do hand over
    assert got["route_points_planned"] > 1000
    assert got["route_points_dropped_handover"] == 0, got
    # the policy's handover is the simulator's default; SimConfig's wins when set
    assert res.setup.handover_minutes == sc.policy.handover_minutes == 15.0
    none = replace(sc, policy=replace(sc.policy, handover_minutes=0.0))
    st = setup(none, net, plan, start=DAY, days=1)
    assert st.handover_minutes == 0.0 and not any(unit_handovers(st))
    st = setup(none, net, plan, start=DAY, days=1, config=SimConfig(handover_minutes=20.0))
    assert st.handover_minutes == 20.0 and any(unit_handovers(st))
    # and a longer handover than planned drops points again
    res = simulate(sc, net, plan, NONE, start=DAY, days=1, seed=0,
                   config=SimConfig(handover_minutes=30.0))
    assert evaluate(res).counts["route_points_dropped_handover"] > 0
