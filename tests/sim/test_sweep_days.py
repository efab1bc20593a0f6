"""A sweep's differences from the plan on replayed incidents: a bootstrap over the same days
for both arms (a review: the t-interval over replications covered only the simulator's noise
on the same incidents, and held the 420-day difference in 0.60–0.85 of 40 replayed weeks),
and the per-replication values in sweep.json so that the differences can be recomputed."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim.test_engine import DAY, FIXED, ONE_CAR, Make, home_plan, incidents, load
from xunfang.sim.kpis import DAYS_T, mean_ci, t_ci, unchanged_ci
from xunfang.sim.sweep import make_variant, paired_intervals, run_sweep, sweep_json


def test_differences_are_bootstrapped_over_the_same_days(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    plan = home_plan(sc, days=3)
    # day 1 at b, day 2 at d, day 3 at e: the car at a reaches them in 0.8, 0.6 and 1.6
    # minutes, moved to c in 0.6, 0.8 and 1.4, so the difference moves with the days drawn
    inc = incidents([(120.0, "b", "x", 2), (180.0, "b", "x", 2),
                     (1440 + 120.0, "d", "x", 2), (1440 + 180.0, "d", "x", 2),
                     (2880 + 120.0, "e", "x", 2), (2880 + 180.0, "e", "x", 2)])
    arms = [make_variant(t, sc, plan, FIXED) for t in ("plan", "move:p1=a", "move:p1=c")]
    got = run_sweep(arms, inc, start=DAY, days=3, replications=2, seed=5, workers=1)
    rows = paired_intervals(got)
    base = got["plan"][0]
    moved = got["move:p1=c"][0]
    m, lo, hi, n, kind = rows["move:p1=c"]["response_mean_min"]
    assert kind == DAYS_T and n == 2
    # the replications agree (fixed service): over them the difference had no width at all
    d = [a - b for a, b in zip(moved.per_replication["response_mean_min"],
                               base.per_replication["response_mean_min"], strict=True)]
    assert mean_ci(d)[1] == pytest.approx(mean_ci(d)[2])
    # draw by draw on the same days, Student's t over the three days on the differences'
    # standard error, as the levels are
    want = t_ci(m, [a - b for a, b in zip(
        moved.draws["response_mean_min"], base.draws["response_mean_min"], strict=True)],
        3, difference=True)
    assert want is not None and want[0] < want[1]
    assert (lo, hi) == pytest.approx(want)
    # an arm equal to the plan differs by nothing in any draw: the draws pair
    same = got["move:p1=a"][0]
    for kpi, (m0, lo0, hi0, _, kind0) in rows["move:p1=a"].items():
        if kind0 != "replications" and np.isfinite(m0):
            assert m0 == 0.0 and all(a == b for a, b in zip(
                same.draws[kpi], base.draws[kpi], strict=True)), kpi
            if kpi in same.trials:  # a share of the 6 incidents, none of which turned: the
                # run cannot tell this arm from one that turns up to 3.7 / 6 of them elsewhere
                # (kpis.unchanged_ci; a handover moved on a quiet week looks the same)
                assert (lo0, hi0) == pytest.approx(unchanged_ci(6)), kpi
            else:  # utilisation, minutes: nothing bounds what was never seen to move
                assert (lo0, hi0) == (0.0, 0.0), kpi
    # figures not over incidents keep the interval over replications
    assert rows["move:p1=c"]["visibility"][4] == "replications"
    doc = sweep_json(got)
    per = doc["move:p1=c"]["per_replication"]["response_mean_min"]
    ref = doc["plan"]["per_replication"]["response_mean_min"]
    assert len(per) == len(ref) == 2
    vs = doc["move:p1=c"]["vs_plan"]["response_mean_min"]
    assert vs["difference"] == pytest.approx(np.mean(np.subtract(per, ref)), abs=1e-6)
    assert vs["interval"] == DAYS_T
    assert vs["ci"] == pytest.approx([lo, hi], abs=1e-6)
