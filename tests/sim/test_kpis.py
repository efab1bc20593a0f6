"""The KPI evaluator on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, incidents, load
from xunfang.network import RoadNetwork
from xunfang.sim import evaluate, simulate


def test_visibility_gaps_and_over_deployment_by_hand(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, home_plan(sc), incidents([]), start=DAY, days=1, config=FIXED)
    # one grid, uniform weights: the unit stands in it all day except the two 15-minute
    # handovers (08:00, 16:00), so those slots are 3/4 covered
    k = evaluate(res, weights=np.ones((1, 24)))
    assert k.summary["visibility"] == pytest.approx((22 + 2 * 0.75) / 24)
    assert k.summary["patrol_gap_cells"] == 0
    # a single grid gets the whole need: nothing is over-deployed
    assert k.summary["over_deployment"] == pytest.approx(0.0)
    assert k.summary["utilization"] == 0.0
    assert k.counts["incidents"] == 0
    row = k.tables["workload"][0]
    assert row["duty_hours_per_week"] == pytest.approx(168.0)
    assert row["night_share"] == pytest.approx(10 / 24)  # default night hours 20-05


def test_response_table_and_intervals(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # b 0.8 min, c 1.4 min, e 1.6 min from the post at a; the general target is 5 minutes
    inc = incidents([(10.0, "b", "x", 2), (100.0, "c", "x", 2), (200.0, "e", "x", 2)])
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, replications=3, config=FIXED)
    k = evaluate(res)
    assert k.summary["response_p50_min"] == pytest.approx(1.4)
    assert k.summary["response_p90_min"] == pytest.approx(1.4 + 0.8 * 0.2)
    assert k.summary["response_within_target"] == 1.0
    assert k.summary["response_within_1_min"] == pytest.approx(1 / 3)
    # identical replications: a zero-width interval over them (visibility); the replayed
    # incidents' figures draw the day's three incidents instead (tests/sim/test_intervals.py):
    # two or three of the 0.8-minute one in 7 of 27 draws, of the 1.6-minute one likewise
    assert k.ci["visibility"] == pytest.approx((k.summary["visibility"],) * 2)
    assert k.ci["response_p50_min"] == pytest.approx((0.8, 1.6))
    j = k.as_json()
    assert j["response_p50_min_ci"] == [0.8, 1.6]
    assert j["interval"] == "incidents bootstrap"
    assert j["counts"]["served"] == 9  # type: ignore[index]
    grid = next(r for r in k.tables["by_grid"] if r["key"] == "G1")
    assert grid["incidents"] == 9 and grid["per_replication"] == 3.0
    hours = {r["key"]: r["incidents"] for r in k.tables["by_slot"]}
    assert hours == {"00:00": 3, "01:00": 3, "03:00": 3}
    one = evaluate(simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=FIXED))
    assert one.ci["visibility"] is None and one.as_json()["visibility_ci"] is None


def test_static_coverage_per_slot(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, home_plan(sc), incidents([]), start=DAY, days=1, config=FIXED)
    k = evaluate(res)
    rows = k.tables["static_by_slot"]
    assert len(rows) == 24
    # no rings and no sites: every node's target is the general 5 minutes, and the car at a
    # reaches every node within 1.6 minutes (at rush hour 1.6 / 0.7)
    assert {r["share_within_target"] for r in rows} == {1.0}
    assert k.summary["static_within_target"] == 1.0
    assert k.ci["static_within_target"] is None


def test_a_shares_interval_stays_within_0_and_1() -> None:
    """A review: the report showed a share as '0.942 [0.841, 1.043]' (a t-interval over five
    replications). A share's interval is cut to [0, 1]; a time's is not."""
    from xunfang.sim.kpis import SHARES, _ci, is_share, mean_ci

    runs = [1.0, 1.0, 0.8, 1.0, 0.91]
    assert mean_ci(runs)[2] > 1
    lo, hi = _ci(runs, share=True)  # type: ignore[misc]
    assert hi == 1.0 and 0 < lo < 0.94
    assert _ci([0.1, 0.0, 0.0, 0.0, 0.0], share=True)[0] == 0.0  # type: ignore[index]
    assert _ci(runs)[1] > 1  # type: ignore[index]
    assert is_share("response_within_target") and is_share("response_within_3_min")
    assert not is_share("response_p50_min") and "visibility" in SHARES
    # minutes and counts are never below 0 either: patrol-gap minutes showed [-0.48, 56.78]
    gaps = [0.0, 0.0, 0.0, 0.0, 140.0]
    assert mean_ci(gaps)[1] < 0 and _ci(gaps)[0] == 0.0  # type: ignore[index]


def test_visibility_counts_auxiliaries_where_and_when_placed(make_scenario: Make) -> None:
    # review B: the KPI never counted the auxiliary forces; now a volunteer group the plan
    # places counts by its weight (0.5) in its slots only, and is never dispatched
    from dataclasses import replace

    from xunfang.plan import Assignment, Plan, make_slots
    from xunfang.sim import SimConfig

    units = ONE_CAR + "V1,auxiliary,foot,volunteer,p2\n"
    sc = load(make_scenario, units)
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=1, slot_minutes=60)
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t", slots=slots,
                units=("U1", "V1"), assignments=tuple(
                    [Assignment("U1", s.index, "post", post="p1") if s.index < 12
                     else Assignment("U1", s.index, "off") for s in slots]
                    + [Assignment("V1", s.index, "post", post="p2") if 18 <= s.index < 22
                       else Assignment("V1", s.index, "off") for s in slots]))
    calls = incidents([(60.0, "e", "x", 2), (19 * 60 + 5.0, "e", "x", 2)])
    police = (11 + 0.75) / 24  # 00-12, the 08:00 handover a quarter of slot 8
    for cfg, want in ((FIXED, police + 4 * 0.5 / 24),
                      (replace(FIXED, auxiliary_weights={}), police)):
        res = simulate(sc, net, plan, calls, start=DAY, days=1, config=cfg)
        k = evaluate(res, weights=np.ones((1, 24)))
        assert k.summary["visibility"] == pytest.approx(want)
        assert k.summary["patrol_gap_cells"] == 12  # patrol gaps count police only
        assert "V1" not in {res.setup.units[i] for lg in res.logs for i in lg.d_unit.tolist()}
    with pytest.raises(ValueError, match=r"auxiliary_weights\['volunteer'\]"):
        SimConfig(auxiliary_weights={"volunteer": 2.0})
