"""Hindsight reference lines: never the day's own incidents, conditions that select the right
days, profiles, near-repeat boosts, and the perfect-map estimate on rates known by design."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from xunfang.intel import EventSet, MethodError, evaluate
from xunfang.intel import units as U
from xunfang.intel.hindsight import Hindsight, TestPeriod, perfect_map_ceiling
from xunfang.intel.methods import Naive

# 2024-01-01 is a Monday; ten 100 m cells in a row
START = datetime(2024, 1, 1, 12, 0)
UNITS = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 999, 99))


def build(incidents: list[tuple[int, int, str]]) -> tuple[EventSet, list[str]]:
    """(day offset from START, unit, label) → events and labels aligned with them."""
    incidents = sorted(incidents)
    t = np.array([START + timedelta(days=d) for d, _, _ in incidents], dtype="datetime64[m]")
    xy = np.array([UNITS.centroid[u] for _, u, _ in incidents])
    return EventSet.build(UNITS, t, xy), [lab for _, _, lab in incidents]


def period(ev: EventSet, labels: list[str], first: int, last: int) -> TestPeriod:
    return TestPeriod.build(ev, ev.day_of((START + timedelta(days=first)).date()),
                            ev.day_of((START + timedelta(days=last)).date()), {"cat": labels})


def test_static_line_never_counts_the_day_itself() -> None:
    # unit 3 has incidents only on test day 10; unit 5 on days 11 and 12
    ev, lab = build([(0, 1, "a"), (10, 3, "a"), (11, 5, "a"), (12, 5, "a")])
    p = period(ev, lab, 10, 13)
    line = Hindsight(p, label="static")
    h = ev.window(0, 10)
    on10 = line.predict(h, 10)
    assert on10[3] == 0  # its own incidents are the ones being predicted
    assert on10[5] == pytest.approx(2 / 3)  # two incidents over the three other days
    assert line.predict(h, 11)[3] == pytest.approx(1 / 3)
    assert line.predict(h, 11)[5] == pytest.approx(1 / 3)
    with pytest.raises(MethodError, match="test period"):
        line.predict(h, 9)
    # a share of the days: the same seed, the same days; the day itself still left out
    days = [d for d in range(10, 14) for _ in range(3)]
    ev2, lab2 = build([(d, d - 10, "a") for d in days])
    p2 = period(ev2, lab2, 10, 13)
    half = Hindsight(p2, days_share=0.5, seed=4)
    kept = np.random.default_rng(4).random(4) < 0.5
    day = ev2.day_of(date(2024, 1, 12))
    kept[2] = False
    r = half.predict(ev2.window(0, 10), day)
    np.testing.assert_allclose(r[:4], np.where(kept, 3.0 / kept.sum(), 0.0))
    with pytest.raises(MethodError, match="days_share"):
        Hindsight(p2, days_share=0)


def test_weekday_and_season_conditions_pick_the_days_like_it() -> None:
    # unit 2 on Mondays (days 0, 7, 14), unit 4 on Tuesdays (1, 8, 15)
    ev, lab = build([(d, 2, "a") for d in (0, 7, 14)] + [(d, 4, "a") for d in (1, 8, 15)])
    p = period(ev, lab, 0, 20)
    h = ev.window(-1, 0)
    monday = ev.day_of(date(2024, 1, 8))
    wd = Hindsight(p, condition="weekday", alpha=1.0).predict(h, monday)
    assert wd[2] == pytest.approx(2 / 2)  # the two other Mondays, one incident each
    assert wd[4] == 0
    half = Hindsight(p, condition="weekday", alpha=0.5).predict(h, monday)
    static = Hindsight(p).predict(h, monday)
    np.testing.assert_allclose(half, 0.5 * static + 0.5 * wd)
    weekend = Hindsight(p, condition="weekend", alpha=1.0).predict(h, monday)
    np.testing.assert_allclose(weekend[[2, 4]], [2 / 14, 3 / 14])  # 15 weekdays but this one
    # the season wraps the year: 31 December is 1 day from 1 January
    i = p.index(monday)
    near = p.like(i, "season", season_days=3)
    assert near.sum() == 6 and not near[i]


def test_season_wraps_the_end_of_the_year() -> None:
    ev, lab = build([(0, 1, "a"), (365, 1, "a")])  # 2024-01-01 and 2024-12-31 (leap year)
    p = period(ev, lab, 0, 365)
    assert p.like(p.index(ev.day_of(date(2024, 12, 31))), "season", season_days=1)[0]


def test_profile_follows_the_label_on_days_like_it() -> None:
    # unit 1: label "school", only on weekdays; unit 6: label "street", only on weekends
    inc = [(d, 1, "school") for d in range(28) if d % 7 < 5]
    inc += [(d, 6, "street") for d in range(28) if d % 7 >= 5]
    ev, lab = build(inc)
    p = period(ev, lab, 0, 27)
    h = ev.window(-1, 0)
    line = Hindsight(p, profile="cat", by_weekday=True)
    wednesday = ev.day_of(date(2024, 1, 10))
    r = line.predict(h, wednesday)
    assert r[1] > 0 and r[6] == 0  # no street incident on a Wednesday
    saturday = ev.day_of(date(2024, 1, 13))
    r = line.predict(h, saturday)
    assert r[1] == 0 and r[6] > 0
    # no condition at all: the profile is the static line
    flat = Hindsight(p, profile="cat", by_weekday=False).predict(h, saturday)
    np.testing.assert_allclose(flat, Hindsight(p).predict(h, saturday))
    with pytest.raises(MethodError, match="not both"):
        Hindsight(p, profile="cat", condition="weekday")
    with pytest.raises(MethodError, match="no label"):
        Hindsight(p, profile="district")


def test_near_repeat_adds_the_recent_days() -> None:
    ev, lab = build([(0, 0, "a"), (8, 4, "a"), (9, 4, "a"), (9, 5, "a"), (10, 9, "a")])
    p = period(ev, lab, 10, 10 + 1)
    day = ev.day_of(date(2024, 1, 11))
    h = ev.window(day - 30, day)
    base = Hindsight(p).predict(h, day)
    boosted = Hindsight(p, near_repeat_days=3, near_repeat_beta=0.3).predict(h, day)
    extra = boosted - base
    assert extra[4] == pytest.approx(0.3 * 2 / 3) and extra[5] == pytest.approx(0.3 / 3)
    assert extra[0] == 0  # ten days back
    with_nb = Hindsight(p, near_repeat_days=3, near_repeat_beta=0.3, neighbours=0.5
                        ).predict(h, day) - base
    # unit 3 is next to unit 4 (two incidents), unit 6 next to 5 (one)
    assert with_nb[3] == pytest.approx(0.3 * 0.5 * 2 / 3)
    assert with_nb[6] == pytest.approx(0.3 * 0.5 * 1 / 3)


def test_a_line_runs_through_the_evaluator() -> None:
    rng = np.random.default_rng(0)
    inc = [(int(d), int(u), "a") for d, u in zip(rng.integers(0, 60, 300),
                                                  rng.choice(10, 300, p=np.arange(1, 11) / 55),
                                                  strict=True)]
    ev, lab = build(inc)
    p = period(ev, lab, 30, 59)
    res = evaluate(ev, [Naive(days=30), Hindsight(p, label="static")],
                   test_from=date(2024, 1, 31), test_to=date(2024, 2, 29), train_days=30,
                   coverages=(0.2,), resamples=50)
    assert [s.method for s in res.scores] == ["naive", "static"]
    assert res.study == "jurisdiction"  # the ten cells of a fixed block

    # by hand: each test day's top two of the ten cells (0.2), ties by cell number, ranked
    # by naive's counts of the 30 days before it, or by the static line's of the test
    # period's other days; hits pooled over the period's incidents
    def top2(counts: np.ndarray) -> list[int]:
        return sorted(range(10), key=lambda u: (-counts[u], u))[:2]

    count = np.zeros((60, 10))
    for d, u, _ in inc:
        count[d, u] += 1
    period_total = count[30:60].sum(axis=0)
    naive_hits = sum(count[d, top2(count[d - 30:d].sum(axis=0))].sum() for d in range(30, 60))
    static_hits = sum(count[d, top2(period_total - count[d])].sum() for d in range(30, 60))
    n = count[30:60].sum()
    assert res.test_incidents == n
    assert res.scores[0].hit_rate[0.2] == pytest.approx(naive_hits / n, rel=1e-12)
    assert res.scores[1].hit_rate[0.2] == pytest.approx(static_hits / n, rel=1e-12)


def test_perfect_map_ceiling_recovers_known_rates() -> None:
    rng = np.random.default_rng(3)
    lam = np.exp(rng.normal(0, 1.2, 4000))
    lam *= 6 / lam.mean()
    x = rng.poisson(lam).astype(float)
    k = 200
    truth = np.sort(lam)[::-1][:k].sum() / x.sum()
    point, lo, hi = perfect_map_ceiling(x, int(x.sum()), 0.05, resamples=30)
    assert point == pytest.approx(truth, abs=0.01)
    assert lo < point < hi
    # the noise-free ranking beats ranking by a fresh draw of the same rates
    fresh = rng.poisson(lam)
    assert point > lam[np.argsort(-fresh, kind="stable")[:k]].sum() / x.sum()
    with pytest.raises(MethodError):
        perfect_map_ceiling(np.zeros(0), 1)
