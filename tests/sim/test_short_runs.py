"""Intervals of short replays (a review: a 95 % days bootstrap covered the 420-day figure
in 0.61–0.71 of 2-day windows, 0.77–0.80 of 3-day ones, with no word; and 5 incidents on the
first of 7 days gave within_target 0.4 [0.4, 0.4], the empty days having been drawn too)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, incidents, load
from xunfang.network import RoadNetwork
from xunfang.sim import evaluate, simulate
from xunfang.sim.kpis import (
    DAYS_T,
    SHORT_RUN_DAYS,
    percentile_ci,
    t_ci,
    widen_factor,
    widened,
)


def test_empty_days_are_not_drawn(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # b 0.8 min, e 1.6 min from the car's post; both on the first of three days
    inc = incidents([(120.0, "b", "x", 2), (180.0, "e", "x", 2)])
    k = evaluate(simulate(sc, net, home_plan(sc), inc, start=DAY, days=3, config=FIXED))
    # drawing the empty days too, every draw holding day 1 gave the day's own figure (1.2)
    # and the rest none: [1.2, 1.2]. One day holds incidents: they are drawn instead
    assert k.interval["response_p50_min"] == "incidents bootstrap"
    assert k.ci["response_p50_min"] == pytest.approx((0.8, 1.6))
    assert k.bootstrap_units == 2 and k.widened == 1.0
    assert "3 day(s)" in k.note and "--days" in k.note and "--sample" in k.note
    assert "not in it" in k.note  # one day: the spread between days cannot be measured


def test_days_with_incidents_are_drawn_and_few_widen(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # days 1 and 3 of four hold two calls each, day 1 at b (0.8 min), day 3 at e (1.6 min)
    inc = incidents([(120.0, "b", "x", 2), (180.0, "b", "x", 2),
                     (2 * 1440 + 120.0, "e", "x", 2), (2 * 1440 + 180.0, "e", "x", 2)])
    k = evaluate(simulate(sc, net, home_plan(sc), inc, start=DAY, days=4, config=FIXED))
    assert k.interval["response_p50_min"] == DAYS_T
    assert k.bootstrap_units == 2
    # the two busy days alone: 0.8 (day 1 twice), 1.2, 1.6 (day 3 twice); drawing the empty
    # days had left draws of no incident and shifted these shares
    assert percentile_ci(k.draws["response_p50_min"]) == pytest.approx((0.8, 1.6))
    assert k.widened == pytest.approx(widen_factor(2))
    # Student's t over the two days on the draws' standard error: 1.2 ± t(0.975, 1) · 0.4,
    # the t-interval over the two days' own figures (0.8, 1.6)
    lo, hi = k.ci["response_p50_min"]  # type: ignore[misc]
    assert lo == 0.0 and hi == pytest.approx(1.2 + stats.t.ppf(0.975, 1) * 0.4, rel=0.05)
    assert hi == pytest.approx(1.2 + widen_factor(2) * 1.96 * float(
        np.std(k.draws["response_p50_min"], ddof=1)), rel=1e-3)
    assert "2 day(s) with incidents" in k.note


def test_the_widening_shrinks_with_days_and_stops() -> None:
    f = [widen_factor(n) for n in range(2, SHORT_RUN_DAYS + 2)]
    assert all(a > b for a, b in itertools.pairwise(f[:-2]))  # 2 .. 13 days
    assert f[0] == pytest.approx(9.17, abs=0.01) and f[5] == pytest.approx(1.35, abs=0.01)
    assert widen_factor(SHORT_RUN_DAYS) == 1.0 and widen_factor(1) == 1.0
    assert widened(0.5, (0.4, 0.7), 3.0, share=True) == pytest.approx((0.2, 1.0))
    assert widened(2.0, (1.5, 2.5), 5.0) == pytest.approx((0.0, 4.5))
    assert widened(0.1, (-0.1, 0.2), 3.0, share=True, difference=True) == pytest.approx(
        (-0.5, 0.4))
    assert widened(math.nan, (1.0, 2.0), 3.0) == (1.0, 2.0)


def test_utilization_is_drawn_over_the_same_days(make_scenario: Make) -> None:
    """Utilisation moves with the incidents as the response does: on a replay whose every
    day holds incidents it is bootstrapped over the days too (its interval over the
    replications of identical runs had no width)."""
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # one call on day 1, three on day 2: 20 and 60 minutes on scene (fixed service)
    inc = incidents([(120.0, "b", "x", 2), (1440 + 120.0, "b", "x", 2),
                     (1440 + 300.0, "e", "x", 2), (1440 + 600.0, "c", "x", 2)])
    k = evaluate(simulate(sc, net, home_plan(sc, days=2), inc, start=DAY, days=2,
                          replications=2, config=FIXED))
    assert k.interval["utilization"] == DAYS_T
    per = k.per_replication["utilization"]
    assert per[0] == pytest.approx(per[1])  # identical replications
    draws = [v for v in k.draws["utilization"] if math.isfinite(v)]
    # the draws are busy over duty minutes of day 1 twice, days 1 and 2, or day 2 twice;
    # the two-day draws give the run's own figure
    assert min(draws) < per[0] < max(draws)
    assert any(v == pytest.approx(per[0]) for v in draws)
    assert k.ci["utilization"] == pytest.approx(
        t_ci(k.summary["utilization"], draws, 2, share=True))
    # a day without incidents: utilisation keeps the interval over the replications
    k3 = evaluate(simulate(sc, net, home_plan(sc, days=3), inc, start=DAY, days=3,
                           replications=2, config=FIXED))
    assert k3.interval["response_p50_min"] == DAYS_T
    assert k3.interval["utilization"] == "replications"
