"""Call to arrival: the simulated response plus the centre's call handling (接警处置) and the
crew's turnout, fixed minutes (``SimConfig``); ``response_*`` keeps its meaning (queue wait
and travel from the call)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, incidents, load
from xunfang.network import RoadNetwork
from xunfang.sim import SimConfig, SimError, evaluate, simulate


def test_handling_and_turnout_are_added_to_the_response(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # the car at a: 0.8 min to b, 0 to a
    inc = incidents([(10.0, "b", "x", 2), (100.0, "a", "x", 2)])
    cfg = replace(FIXED, call_handling_minutes=1.5, turnout_minutes=0.5)
    k = evaluate(simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=cfg))
    s = k.summary
    assert s["response_p50_min"] == pytest.approx(0.4)  # unchanged: travel from the call
    assert s["response_within_1_min"] == 1.0
    assert s["call_to_arrival_p50_min"] == pytest.approx(2.4)
    assert s["call_to_arrival_p90_min"] == pytest.approx(2.0 + 0.72)
    # 1-3-5 from the call as the public counts it: 2.0 and 2.8 minutes
    assert s["call_to_arrival_within_1_min"] == 0.0
    assert s["call_to_arrival_within_3_min"] == 1.0
    assert s["call_to_arrival_within_5_min"] == 1.0
    # none of it: the same as the response
    k0 = evaluate(simulate(sc, net, home_plan(sc), inc, start=DAY, days=1,
                           config=replace(cfg, call_handling_minutes=0.0,
                                          turnout_minutes=0.0)))
    assert k0.summary["call_to_arrival_p90_min"] == k0.summary["response_p90_min"]
    assert k0.summary["call_to_arrival_within_1_min"] == 1.0


def test_the_defaults_are_one_minute_each() -> None:
    cfg = SimConfig()
    assert (cfg.call_handling_minutes, cfg.turnout_minutes) == (1.0, 1.0)


@pytest.mark.parametrize("name", ["call_handling_minutes", "turnout_minutes"])
@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_minutes_are_refused_by_name(name: str, bad: float) -> None:
    with pytest.raises(SimError, match=f"SimConfig.{name} must be a finite number >= 0"):
        SimConfig(**{name: bad})  # type: ignore[arg-type]
