"""The crew covers the distance from the road node to an incident on foot."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, load
from xunfang.network import RoadNetwork
from xunfang.sim import SimIncidents, evaluate, simulate


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_the_walk_from_the_node_is_added_to_the_response(make_scenario: Make,
                                                          engine: str) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    foot = sc.policy.speeds_kph["foot"]
    # at b (0.8 min by car from a) and 300 m below e (1.6 min): 300 m on foot on top
    inc = SimIncidents(ids=("on", "off"), minutes=np.array([10.0, 100.0]),
                       xy=np.array([[400.0, 0.0], [800.0, -300.0]]), category=("x", "x"),
                       priority=np.array([2, 2]))
    cfg = replace(FIXED, engine=engine)
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=cfg)
    log = res.logs[0]
    walk = 300.0 / (foot * 1000.0 / 60.0)
    assert walk == pytest.approx(3.6)  # the default 5 km/h
    assert log.response_minutes.tolist() == pytest.approx([0.8, 1.6 + walk])
    assert log.inc_travel.tolist() == pytest.approx([0.8, 1.6 + walk])
    # the unit is on scene (and busy) from its arrival on foot
    assert log.inc_clear[1] == pytest.approx(100.0 + 1.6 + walk + 20.0)
    k = evaluate(res)
    assert k.summary["response_within_1_min"] == pytest.approx(0.5)
    assert k.summary["response_within_5_min"] == pytest.approx(0.5)


def test_engines_agree_with_walks_queues_and_preemption() -> None:
    """The heavy-load case of tests/sim/test_kernel.py with the sampled incidents moved up to
    150 m off their nodes: both engines add the same walks everywhere a unit is sent (first,
    second, from a scene, taken off another call)."""
    from tests.sim.test_kernel import DAY as KDAY
    from tests.sim.test_kernel import _plan, _same
    from xunfang import scenario
    from xunfang.sim import RiskForecast, SimConfig
    from xunfang.sim.incidents import sample

    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    fc = RiskForecast.from_history(sc, per_year=300_000)
    rng = np.random.default_rng(5)
    base = sample(fc, net.xy, days=3, rng=rng, start_weekday=KDAY.weekday())
    moved = replace(base, xy=base.xy + rng.uniform(-150.0, 150.0, base.xy.shape))
    fast = SimConfig()
    a = simulate(sc, net, _plan(sc), moved, start=KDAY, days=3, replications=1, seed=5,
                 config=fast)
    b = simulate(sc, net, _plan(sc), moved, start=KDAY, days=3, replications=1, seed=5,
                 config=replace(fast, engine="python"))
    la, lb = a.logs[0], b.logs[0]
    assert la.d_preempted.sum() > 0 and (la.d_role == 2).sum() > 0
    assert (la.d_role == 3).sum() > 0 or (la.inc_dispatch > la.inc_call).sum() > 0
    walked = np.isfinite(la.inc_travel) & (la.inc_travel > 0)
    assert walked.sum() > 0
    _same(la, lb)
    # the walks are in: a served call's travel is at least its walk from the road; the unit
    # drives along the road, so many take less than the walk from the nearest node alone
    from xunfang.network import snap

    foot = sc.policy.speeds_kph["foot"] * 1000.0 / 60.0
    walk = snap(net, moved.xy, to="edge", mode="car").distance_m / foot
    from_node = snap(net, moved.xy, to="node", mode="car").distance_m / foot
    served = np.isfinite(la.inc_travel)
    assert np.all(la.inc_travel[served] >= walk[served] - 1e-9)
    assert (la.inc_travel[served] < from_node[served] - 0.1).sum() > 0
