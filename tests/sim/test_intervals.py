"""Which 95 % interval a figure gets: over the replications for sampled incidents, a bootstrap
over the days for replayed ones (the incidents' own variability, not just the simulator's)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import stats

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, incidents, load
from xunfang.network import RoadNetwork
from xunfang.sim import evaluate, simulate
from xunfang.sim.incidents import RiskForecast
from xunfang.sim.kpis import DAYS_T, percentile_ci, t_ci, widen_factor


def test_replayed_incidents_get_a_bootstrap_over_days(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # day 1: two calls at b (0.8 min from the car at a); day 2: two at e (1.6 min); at night,
    # off rush hour, with the car back at its post in between
    inc = incidents([(120.0, "b", "x", 2), (180.0, "b", "x", 2),
                     (1440 + 120.0, "e", "x", 2), (1440 + 180.0, "e", "x", 2)])
    res = simulate(sc, net, home_plan(sc, days=2), inc, start=DAY, days=2, replications=3,
                   config=FIXED)
    k = evaluate(res)
    assert k.per_replication["response_p50_min"] == pytest.approx((1.2, 1.2, 1.2))
    # the replications are identical, so over them the interval was [1.2, 1.2]; the days
    # drawn with replacement give the two-fast-days (0.8), mixed (1.2) and two-slow-days
    # (1.6) weeks, each extreme a quarter of the draws
    assert percentile_ci(k.draws["response_p50_min"]) == pytest.approx((0.8, 1.6))
    # two days are few (SHORT_RUN_DAYS): Student's t over the days on the draws' standard
    # error, which is the t-interval over the two days' own figures 0.8 and 1.6:
    # 1.2 ± t(0.975, 1) · 0.4 (up to the draws' chance). The percentiles widened x9.17 about
    # 1.2 had given [0, 4.87]: the percentiles of two days' draws are the days themselves,
    # 1.41 standard errors out rather than the 1.96 the factor presumes
    f = widen_factor(2)
    assert f > 9
    half = float(stats.t.ppf(0.975, 1)) * 0.4
    assert k.ci["response_p50_min"] == pytest.approx((0.0, 1.2 + half), rel=0.05)
    assert k.ci["response_p50_min"] == pytest.approx(
        t_ci(1.2, k.draws["response_p50_min"], 2))
    assert k.ci["response_p50_min"][1] > 1.2 + f * 0.4 + 1.0  # type: ignore[index]
    assert k.ci["response_within_1_min"] == pytest.approx((0.0, 1.0))
    assert k.interval["response_p50_min"] == DAYS_T
    # figures not over incidents keep the interval over replications
    assert k.interval["visibility"] == "replications"
    j = k.as_json()
    assert j["interval"] == DAYS_T
    assert j["intervals"]["response_within_target"] == DAYS_T  # type: ignore[index]
    assert j["response_p50_min_ci"] == [0.0, round(k.ci["response_p50_min"][1], 6)]  # type: ignore[index]
    assert j["bootstrap_draws"] == 1000
    assert j["bootstrap_units"] == 2 and j["interval_widened"] == round(f, 4)
    assert "--days" in j["interval_note"] and "2 day(s)" in j["interval_note"]
    # the same result gives the same interval
    assert evaluate(res).ci == k.ci


def test_a_one_day_replay_draws_its_incidents(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    inc = incidents([(120.0, "b", "x", 2), (180.0, "e", "x", 2)])
    k = evaluate(simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=FIXED))
    assert k.interval["response_p50_min"] == "incidents bootstrap"
    assert k.ci["response_p50_min"] == pytest.approx((0.8, 1.6))
    assert k.ci["visibility"] is None  # one replication: no interval over replications


def test_sampled_incidents_keep_the_interval_over_replications(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    fc = RiskForecast(risk=np.full((1, 24), 0.5),
                      cells=(shapely.box(-10, -10, 810, 310),), slot_minutes=60)
    k = evaluate(simulate(sc, net, home_plan(sc), fc, start=DAY, days=1, replications=4,
                          seed=3, config=FIXED))
    assert k.interval["response_p50_min"] == "replications"
    assert k.as_json()["interval"] == "replications"
    from xunfang.sim.kpis import mean_ci

    _, lo, hi = mean_ci(k.per_replication["response_p90_min"])
    assert k.ci["response_p90_min"] == pytest.approx((max(lo, 0.0), hi))
