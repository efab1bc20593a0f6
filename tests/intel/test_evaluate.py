"""The evaluator: hit rate, PAI, PEI and log-likelihood by hand; the Chicago cross-check."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import shapely

from xunfang.intel import EvaluationError, EventSet, evaluate, ingest
from xunfang.intel import units as U
from xunfang.intel.evaluate import Evaluation, MethodScore, ranked, top_units
from xunfang.intel.methods import History, Naive

DAY0 = datetime(2024, 1, 1, 12, 0)


def build(history: dict[int, int], tests: list[int], outside: int = 0) -> EventSet:
    """Ten 100 m cells in a row; ``history`` unit → incidents on day 0; ``tests`` units of the
    incidents of day 10 (plus ``outside`` test incidents beyond every cell)."""
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 999, 99))
    xy, t = [], []
    for u, n in history.items():
        xy += [units.centroid[u]] * n
        t += [DAY0] * n
    for u in tests:
        xy.append(units.centroid[u])
        t.append(DAY0 + timedelta(days=10))
    for _ in range(outside):
        xy.append([5000.0, 5000.0])
        t.append(DAY0 + timedelta(days=10))
    return EventSet.build(units, np.array(t, dtype="datetime64[m]"), np.array(xy))


def test_hit_rate_pai_pei_by_hand() -> None:
    # study area ("training"): units 0..4 hold history, ranked 4 > 3 > 2 > 1 > 0 by counts
    ev = build({0: 1, 1: 2, 2: 3, 3: 4, 4: 5}, tests=[4, 0, 0, 7], outside=1)
    res = evaluate(ev, [Naive(days=30)], test_from=date(2024, 1, 11), test_to=date(2024, 1, 11),
                   train_days=30, study="training", coverages=(0.2, 0.4, 1.0), resamples=50)
    s = res.scores[0]
    assert res.test_incidents == 5
    # k = round(0.2·5) = 1 → unit 4: 1 hit of 5 (outside ones count in the denominator)
    assert s.hit_rate[0.2] == pytest.approx(1 / 5)
    assert s.hit_rate[0.4] == pytest.approx(1 / 5)  # units 4, 3
    assert s.hit_rate[1.0] == pytest.approx(3 / 5)  # 7 is outside the study area
    assert s.pai[0.2] == pytest.approx(1.0)
    # the best single unit that day would have been unit 0 (two incidents)
    assert s.pei[0.2] == pytest.approx(1 / 2)
    assert s.pei[1.0] == pytest.approx(1.0)
    # log-likelihood over the three test incidents inside the study area
    p = (1 - 1e-3) * np.array([1, 2, 3, 4, 5]) / 15 + 1e-3 / 5
    expect = (np.log(p[4]) + 2 * np.log(p[0])) / 3
    assert s.log_likelihood == pytest.approx(expect)
    # and says so: three scored; unit 7 and the one beyond every cell outside the study area
    assert s.log_likelihood_incidents == 3 and res.outside_study_area == 2
    assert res.as_json()["test_incidents_outside_study_area"] == 2
    # 0.2 of five cells is one cell: the area taken is the rule's; at 0.4 two of five
    assert s.area == pytest.approx({0.2: 0.2, 0.4: 0.4, 1.0: 1.0})


def test_ties_are_broken_by_unit_index_and_unequal_units_by_density() -> None:
    risk = np.array([1.0, 2.0, 2.0, 0.5])
    area = np.arange(4)
    assert top_units(risk, area, np.ones(4), 0.5, equal=True).tolist() == [1, 2]
    size = np.array([1.0, 4.0, 1.0, 1.0])  # unit 1 is big: density 0.5
    assert top_units(risk, area, size, 3 / 7, equal=False).tolist() == [2, 0]


def test_ties_within_float_noise_are_broken_by_unit_index() -> None:
    """Sums of the same terms in another order differ in their last bits: still ties (a
    review: 15 of 20 of etas's top-k sets were chosen by that noise)."""
    risk = np.array([0.3, 0.1 + 0.2, 0.3, 0.05])  # 0.1 + 0.2 = 0.30000000000000004
    assert risk[1] > risk[0]
    assert top_units(risk, np.arange(4), np.ones(4), 0.5, equal=True).tolist() == [0, 1]
    # noise either side of a rounding boundary is noise all the same; risks far below the
    # highest but apart from each other keep their order (a review of a first, rounding fix)
    x = 0.1234567890125
    assert ranked(np.array([x, x + 1e-16, x - 1e-16]), np.arange(3), np.ones(3),
                  True).tolist() == [0, 1, 2]
    assert ranked(np.array([1, 1e-13, 3e-13, 2e-13, 0.5]), np.arange(5), np.ones(5),
                  True).tolist() == [0, 4, 2, 3, 1]
    # equal infinities by index too, never tied with a finite risk; a run of near ties is
    # one group, and the partition takes what the ranking takes (a third review)
    assert ranked(np.array([np.inf, 1, np.inf, -np.inf, -np.inf]), np.arange(5), np.ones(5),
                  True).tolist() == [0, 2, 1, 3, 4]
    chain = np.array([1 - 1.8e-12, 1 - 0.9e-12, 1.0])
    assert ranked(chain, np.arange(3), np.ones(3), True).tolist() == [0, 1, 2]
    assert top_units(chain, np.arange(3), np.ones(3), 0.2, True).tolist() == [0]


def test_top_units_by_partition_take_what_the_ranking_takes() -> None:
    """auto takes its top units by partition, not by sorting the whole area: the same set
    as the ranking's first k, ties (exact, and within float noise) by index."""
    rng = np.random.default_rng(1)
    for _ in range(500):
        n = int(rng.integers(1, 300))
        base = np.round(rng.lognormal(0, 1, n), int(rng.integers(0, 3)))
        risk = base * (1 + rng.normal(0, 1e-16, n) * (rng.random(n) < 0.5))
        area = np.sort(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False))
        c = float(rng.choice([0.01, 0.05, 0.1, 0.2, 0.5]))
        k = max(1, round(c * len(area)))
        assert (sorted(top_units(risk, area, np.ones(n), c, True).tolist())
                == sorted(ranked(risk, area, np.ones(n), True)[:k].tolist()))


def test_a_forecast_of_nothing_scores_every_incident_evenly() -> None:
    """A method that forecasts no incident anywhere (prospective after quiet weeks) spreads
    the day evenly over the study area: each of the day's incidents scores log(1/5), not the
    day once (a review: the day scored as one incident, ahead of naive)."""

    class Nothing:
        name, refit_days = "nothing", 1

        def fit(self, history: History) -> Nothing:
            return self

        def predict(self, history: History, day: int) -> np.ndarray:
            return np.zeros(history.events.n_units)

    ev = build({0: 1, 1: 2, 2: 3, 3: 4, 4: 5}, tests=[4, 0, 0])
    res = evaluate(ev, [Nothing(), Naive(days=30)],
                   test_from=date(2024, 1, 11), test_to=date(2024, 1, 11), train_days=30,
                   study="training", coverages=(0.2,), resamples=10)
    nothing = res.scores[0]
    assert nothing.log_likelihood_incidents == 3
    assert nothing.log_likelihood == pytest.approx(np.log(1 / 5))
    assert U.log_likelihood(np.zeros(5), np.arange(5), np.array([1, 2, 3])) == pytest.approx(
        3 * np.log(1 / 5))


def test_a_small_study_area_says_what_share_its_top_cell_is() -> None:
    """Two cells with history: 1 % of the study area is one cell, half of it. The area
    reports that share; PAI divides by c all the same, the fixed rule."""
    ev = build({0: 1, 1: 2}, tests=[1, 1, 0])
    res = evaluate(ev, [Naive(days=30)], test_from=date(2024, 1, 11),
                   test_to=date(2024, 1, 11), train_days=30, study="training",
                   coverages=(0.01, 1.0), resamples=10)
    s = res.scores[0]
    assert s.area[0.01] == pytest.approx(0.5)
    assert s.hit_rate[0.01] == pytest.approx(2 / 3)
    assert s.pai[0.01] == pytest.approx((2 / 3) / 0.01)
    assert res.outside_study_area == 0 and s.log_likelihood_incidents == 3


def test_pai_and_pei_of_unequal_units_by_the_area_they_take() -> None:
    """Polygons of 60, 20, 10 and 10 % of the area. At least one unit is taken, so "5 %" is
    the densest unit, 10 % of the area: PAI divides by that (it divided by 5 % and doubled),
    and PEI compares with the most the same area could have held (it compared with the
    units of most incidents, the big one, whatever their size)."""
    boxes = [shapely.box(0, 0, 600, 100), shapely.box(600, 0, 800, 100),
             shapely.box(800, 0, 900, 100), shapely.box(900, 0, 1000, 100)]
    units = U.polygons(("big", "mid", "a", "b"), tuple(boxes))
    # history ranks a (2 in 10 %), b (1 in 10 %), mid (1 in 20 %), big (none)
    hist = [[850, 50]] * 2 + [[950, 50], [700, 50]]
    # the test day: 3 in big, 1 in mid, 1 in b
    test = [[300, 50]] * 3 + [[700, 50], [950, 50]]
    t = [DAY0] * len(hist) + [DAY0 + timedelta(days=10)] * len(test)
    ev = EventSet.build(units, np.array(t, dtype="datetime64[m]"),
                        np.array(hist + test, dtype=float))
    res = evaluate(ev, [Naive(days=30)], test_from=date(2024, 1, 11), test_to=date(2024, 1, 11),
                   train_days=30, study="jurisdiction", coverages=(0.05, 0.3), resamples=10)
    s = res.scores[0]
    # 5 %: a alone, 10 % of the area, nothing in it that day; the most 10 % held: b's 1
    assert s.area[0.05] == pytest.approx(0.1)
    assert s.hit_rate[0.05] == 0 and s.pai[0.05] == 0 and s.pei[0.05] == 0
    # 30 %: a and b (mid would pass 30 %), 20 % of the area, b's 1 of 5 incidents
    assert s.area[0.3] == pytest.approx(0.2)
    assert s.hit_rate[0.3] == pytest.approx(1 / 5)
    assert s.pai[0.3] == pytest.approx((1 / 5) / 0.2)
    # the most 20 % could hold: b (1 in 10 %), then half of mid (1 in 20 %); the big unit's
    # 3 in 60 % are 0.5 per 10 %
    assert s.pei[0.3] == pytest.approx(1 / 1.5)


def test_a_jurisdiction_fixes_the_study_area() -> None:
    ev = build({3: 1}, tests=[3, 8])
    mask = np.zeros(10, dtype=bool)
    mask[[3, 8]] = True
    res = evaluate(ev, [Naive(days=30)], test_from=date(2024, 1, 11),
                   test_to=date(2024, 1, 11), train_days=30, study="jurisdiction",
                   jurisdiction=mask, coverages=(0.5, 1.0), resamples=10)
    assert res.scores[0].hit_rate[0.5] == pytest.approx(0.5)
    assert res.scores[0].hit_rate[1.0] == pytest.approx(1.0)


def test_bad_windows_are_clear_errors() -> None:
    ev = build({1: 2}, tests=[1])
    with pytest.raises(EvaluationError, match="no incident between"):
        evaluate(ev, [Naive()], test_from=date(2024, 1, 5), test_to=date(2024, 1, 6),
                 train_days=3)
    with pytest.raises(EvaluationError, match=r"holds no incident") as err:
        evaluate(ev, [Naive()], test_from=date(2024, 1, 11), test_to=date(2024, 1, 11),
                 train_days=5)
    assert "5 days from 2024-01-06, --train-days" in str(err.value)
    with pytest.raises(EvaluationError, match="before"):
        evaluate(ev, [Naive()], test_from=date(2024, 1, 11), test_to=date(2024, 1, 10),
                 train_days=30)


def test_chicago_cross_check_naive_365(data_dir: Path) -> None:
    """The issue's independent figure: 250 m cells in EPSG:32616, naive counts over 365 days,
    study area = cells with an incident in those days: hit rate 0.179 at 5 % over 2018-2019."""
    got = ingest(data_dir / "chicago_aggravated_assaults.csv.gz",
                 columns={"time": "date", "lon": "longitude", "lat": "latitude"},
                 target_crs="EPSG:32616")
    assert got.report.crs == "EPSG:32616"
    units = U.cells(got.table.xy, 250.0)
    ev = EventSet.build(units, got.table.time, got.table.xy)
    res = evaluate(ev, [Naive(days=365)], test_from=date(2018, 1, 1),
                   test_to=date(2019, 12, 31), train_days=365, study="training", resamples=200)
    s = res.scores[0]
    assert s.hit_rate[0.05] == pytest.approx(0.179, abs=0.0015)
    lo, hi = s.hit_rate_ci[0.05]
    assert lo < s.hit_rate[0.05] < hi and hi - lo < 0.02
    assert s.hit_rate[0.01] < s.hit_rate[0.02] < s.hit_rate[0.05] < s.hit_rate[0.1]


def _scattered_town(rng: np.random.Generator, n: int, days: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` incidents over ``days`` days from 2023-01-01: 60 % around 25 hot places, the
    rest scattered (they keep finding new 250 m cells); positions and times, in time order."""
    day = np.sort(rng.integers(0, days, n))
    hot = rng.uniform(0, 3000, (25, 2))
    xy = np.where(rng.random((n, 1)) < 0.6,
                  hot[rng.integers(0, 25, n)] + rng.normal(0, 60, (n, 2)),
                  rng.uniform(-6000, 9000, (n, 2)))
    times = (np.datetime64("2023-01-01T00:00")
             + (day * 1440 + rng.integers(0, 1440, n)).astype("timedelta64[m]"))
    return xy, times


def test_a_bare_files_later_incidents_change_no_figure() -> None:
    """A bare file's cells are laid over all of its incidents, those after the test days too.
    A review: gbm learnt from which cells later incidents fell in (its hit rate at 1 % on
    Chicago's January-February 2019 0.0536 from the whole file, 0.0566 from the file cut
    after the test days). Every method now scores the same on the whole file and on the file
    cut after the test days, in a town whose scattered incidents keep finding new cells."""
    from xunfang.intel import make_method

    rng = np.random.default_rng(5)
    n = 5000
    xy, times = _scattered_town(rng, n, 560)
    cut = times < np.datetime64("2024-03-29")
    names = ["naive", "decay", "kde", "prospective", "etas", "gbm", "auto"]
    got = []
    for keep in (np.ones(n, dtype=bool), cut):
        ev = EventSet.build(U.cells(xy[keep], 250.0, occupied=True), times[keep], xy[keep])
        got.append(evaluate(ev, [make_method(m) for m in names], test_from=date(2024, 3, 1),
                            test_to=date(2024, 3, 28), train_days=365, resamples=50))
    assert len(got[0].scores) == len(names)
    assert len(U.cells(xy, 250.0, occupied=True)) > len(U.cells(xy[cut], 250.0, occupied=True))
    for whole, short in zip(got[0].scores, got[1].scores, strict=True):
        assert whole.hit_rate == short.hit_rate, whole.method
        assert whole.pei == short.pei, whole.method
        assert whole.log_likelihood == pytest.approx(short.log_likelihood, rel=1e-12)


def test_incidents_before_every_window_change_no_figure() -> None:
    """The window of day d is [d - N, d): a year of incidents before every window, half of
    them in cells of their own, changes no figure of a method that counts (a review). gbm's
    places are a bare file's cells with an incident before the window's end, as a
    jurisdiction's cells are its places (:meth:`History.known`: its level needs them); the
    earlier year adds places, and its sampled rows with them, so its figures move a little
    (here its hit rate at 5 % by at most 0.02) and are not compared."""
    from xunfang.intel import make_method

    rng = np.random.default_rng(7)
    n = 4000
    xy, times = _scattered_town(rng, n, 450)
    t0 = np.datetime64("2023-01-01T00:00")
    # a year before the record: half on the record's places, half in cells of their own
    m = 1500
    early_xy = np.where(rng.random((m, 1)) < 0.5, xy[rng.integers(0, n, m)],
                        rng.uniform(12000, 20000, (m, 2)))
    early_t = t0 - (rng.integers(1, 365 * 1440, m)).astype("timedelta64[m]")
    names = ["naive", "decay", "kde", "prospective", "etas", "gbm", "auto"]
    got = []
    for with_early in (False, True):
        all_xy = np.vstack([early_xy, xy]) if with_early else xy
        all_t = np.concatenate([early_t, times]) if with_early else times
        order = np.argsort(all_t, kind="stable")
        ev = EventSet.build(U.cells(all_xy[order], 250.0, occupied=True), all_t[order],
                            all_xy[order])
        # the first test day's window starts on the record's first day
        got.append(evaluate(ev, [make_method(mm) for mm in names], test_from=date(2024, 1, 1),
                            test_to=date(2024, 1, 28), train_days=365, resamples=50))
    for plain, early in zip(got[0].scores, got[1].scores, strict=True):
        if plain.method in ("gbm", "auto"):  # auto may choose gbm
            assert abs(plain.hit_rate[0.05] - early.hit_rate[0.05]) <= 0.02, plain.method
            continue
        assert plain.hit_rate == early.hit_rate, plain.method
        assert plain.pei == early.pei, plain.method
        assert plain.log_likelihood == pytest.approx(early.log_likelihood, rel=1e-9), \
            plain.method


def days_of(incidents: list[tuple[int, int]]) -> EventSet:
    """Ten 100 m cells in a row; ``incidents`` (day after DAY0's, unit), at midday."""
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 999, 99))
    incidents = sorted(incidents)
    t = np.array([DAY0 + timedelta(days=d) for d, _ in incidents], dtype="datetime64[m]")
    return EventSet.build(units, t, np.array([units.centroid[u] for _, u in incidents]))


def on(day: int) -> date:
    return (DAY0 + timedelta(days=day)).date()


def test_hits_and_incidents_are_pooled_over_the_test_days() -> None:
    """Day 10: one incident, in the top cell (a hit); day 11: three, all elsewhere. Pooled:
    1 hit of 4 incidents, 0.25 — the mean of the days' shares would be (1 + 0) / 2."""
    ev = days_of([(0, 9), *[(5, 4)] * 3, (10, 4), *[(11, 0)] * 3])
    res = evaluate(ev, [Naive(days=30)], test_from=on(10), test_to=on(11), train_days=30,
                   study="jurisdiction", coverages=(0.1,), resamples=10)
    s = res.scores[0]
    assert res.per_day_incidents.tolist() == [1, 3]
    assert s.per_day_hits[:, 0].tolist() == [1, 0]
    assert s.hit_rate[0.1] == pytest.approx(1 / 4)


def test_the_training_window_is_the_n_days_before_the_test_day() -> None:
    """[d − N, d): an incident on day d − N is in the window, one on d − N − 1 is not. The
    cell of d − N's one incident is the only one naive ranks, not the cell of d − N − 1's
    three, so the test incident in it is a hit at one cell (10 %)."""
    d, n = 20, 5
    ev = days_of([(0, 9), *[(d - n - 1, 7)] * 3, (d - n, 2), (d, 2)])
    res = evaluate(ev, [Naive(days=30)], test_from=on(d), test_to=on(d), train_days=n,
                   study="jurisdiction", coverages=(0.1,), resamples=10)
    assert res.scores[0].hit_rate[0.1] == 1.0


def test_a_bare_files_study_area_is_the_cells_of_the_n_days_before() -> None:
    """The study area of "training": the cells with an incident in [d − N, d). Cell 2 (day
    d − N) is in it, cell 7 (days d − N − 1 and d − N − 7) is not: the test incident in cell
    7 lies outside it, a miss at every coverage, and no part of the log-likelihood."""
    d, n = 20, 5
    ev = days_of([(0, 9), (d - n - 7, 7), (d - n - 1, 7), (d - n, 2), (d, 7)])
    res = evaluate(ev, [Naive(days=30)], test_from=on(d), test_to=on(d), train_days=n,
                   study="training", coverages=(1.0,), resamples=10)
    s = res.scores[0]
    assert s.hit_rate[1.0] == 0.0
    assert res.outside_study_area == 1 and s.log_likelihood_incidents == 0


def test_the_hit_rate_interval_is_the_bootstrap_of_pooled_days() -> None:
    """The 95 % interval: 2.5th and 97.5th percentiles of the pooled hit rate (hits over
    incidents of the same resampled days) over ``resamples`` draws of the test days with the
    seed's generator — computed here resample by resample."""
    rng = np.random.default_rng(7)
    inc = [(0, 9)] + [(int(d), int(u)) for d, u in zip(
        rng.integers(1, 80, 600), rng.choice(10, 600, p=np.arange(1, 11) / 55), strict=True)]
    # days of very unequal size: the denominator is the resampled days' own
    inc += [(d, 3) for d in range(40, 80, 3) for _ in range(d % 7)]
    ev = days_of(inc)
    seed, resamples = 11, 400
    res = evaluate(ev, [Naive(days=30)], test_from=on(40), test_to=on(79), train_days=30,
                   study="jurisdiction", coverages=(0.1, 0.3), resamples=resamples, seed=seed)
    s = res.scores[0]
    per_day = res.per_day_incidents
    assert len(set(per_day.tolist())) > 3
    draws = np.random.default_rng(seed).integers(0, len(per_day),
                                                 size=(resamples, len(per_day)))
    for j, c in enumerate((0.1, 0.3)):
        rates = [sum(s.per_day_hits[i, j] for i in row) / sum(per_day[i] for i in row)
                 for row in draws.tolist()]
        assert s.hit_rate_ci[c] == pytest.approx(tuple(np.percentile(rates, [2.5, 97.5])),
                                                 rel=1e-12)
        assert s.hit_rate_ci[c][0] < s.hit_rate[c] < s.hit_rate_ci[c][1]


def test_pai_pei_and_log_likelihood_have_intervals_over_the_same_days() -> None:
    """The issue asks for bootstrap intervals of the figures, not only of the hit rate: PAI's
    is the hit rate's over c (equal cells), PEI's the pooled hits over the most the same
    cells could have held on the same resampled days, the log-likelihood's the resampled
    days' summed log-probabilities over their incidents — each recomputed here day by day
    (the log-likelihood from evaluations of each day alone, the most by counting)."""
    rng = np.random.default_rng(5)
    inc = [(0, 9)] + [(int(d), int(u)) for d, u in zip(
        rng.integers(1, 70, 500), rng.choice(10, 500, p=np.arange(1, 11) / 55), strict=True)]
    ev = days_of(inc)
    seed, resamples, first, last = 3, 300, 40, 69
    kw = {"train_days": 30, "study": "jurisdiction", "coverages": (0.1, 0.3)}
    res = evaluate(ev, [Naive(days=30)], test_from=on(first), test_to=on(last),
                   resamples=resamples, seed=seed, **kw)  # type: ignore[arg-type]
    s = res.scores[0]
    n = last - first + 1
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    best = np.zeros((n, 2))
    ll = np.zeros(n)
    m = np.zeros(n)
    for i, d in enumerate(range(first, last + 1)):
        counts = np.sort(np.bincount([u for dd, u in inc if dd == d], minlength=10))[::-1]
        best[i] = [counts[:1].sum(), counts[:3].sum()]
        one = evaluate(ev, [Naive(days=30)], test_from=on(d), test_to=on(d), resamples=10,
                       **kw).scores[0]  # type: ignore[arg-type]
        m[i] = one.log_likelihood_incidents
        ll[i] = one.log_likelihood * m[i] if m[i] else 0.0
    assert s.log_likelihood == pytest.approx(ll.sum() / m.sum(), rel=1e-12)
    for j, c in enumerate((0.1, 0.3)):
        h = s.per_day_hits[draws, j].sum(axis=1)
        assert s.pai_ci[c] == pytest.approx(tuple(np.array(s.hit_rate_ci[c]) / c), rel=1e-12)
        pei = h / best[draws, j].sum(axis=1)
        assert s.pei_ci[c] == pytest.approx(tuple(np.percentile(pei, [2.5, 97.5])), rel=1e-12)
        assert s.pei_ci[c][0] < s.pei[c] < s.pei_ci[c][1]
    lls = ll[draws].sum(axis=1) / m[draws].sum(axis=1)
    assert s.log_likelihood_ci == pytest.approx(tuple(np.percentile(lls, [2.5, 97.5])),
                                                rel=1e-12)
    assert s.log_likelihood_ci[0] < s.log_likelihood < s.log_likelihood_ci[1]
    doc = s.as_json()
    assert doc["pei_ci"]["0.1"] == list(s.pei_ci[0.1])
    assert doc["pai_ci"]["0.3"] == list(s.pai_ci[0.3])
    assert doc["log_likelihood_ci"] == list(s.log_likelihood_ci)


def _evaluation(hits: dict[str, list[list[float]]], coverages: tuple[float, ...],
                per_day: list[float]) -> Evaluation:
    """An evaluation of methods whose hits per day (days × coverages) are given."""
    tot = sum(per_day)
    scores = tuple(MethodScore(
        method=name, hit_rate={c: sum(r[j] for r in h) / tot for j, c in enumerate(coverages)},
        hit_rate_ci={}, pai={}, pei={}, log_likelihood=0.0, seconds=0.0,
        per_day_hits=np.array(h, dtype=float)) for name, h in hits.items())
    return Evaluation(date(2024, 1, 1), date(2024, 1, len(per_day)), 30, "jurisdiction", 10,
                      int(tot), np.array(per_day, dtype=float), scores)


def test_the_ratio_to_a_baseline_is_paired_by_day() -> None:
    """A method with twice the baseline's hits on every day: each resample of the days gives
    it twice the baseline's hits, so the paired interval is [2, 2]. The baseline's days drawn
    apart from the method's would spread it (the days differ from 1 to 9 hits)."""
    base = [1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 5.0, 1.0, 9.0, 2.0]
    ev = _evaluation({"double": [[2 * b] for b in base], "naive": [[b] for b in base]},
                     (0.05,), [20.0] * len(base))
    point, lo, hi = ev.ratio("double", "naive", 0.05, resamples=500, seed=3)
    assert (point, lo, hi) == pytest.approx((2.0, 2.0, 2.0), rel=1e-12)


def test_the_ratio_takes_the_evaluations_own_coverages() -> None:
    """An evaluation at (0.05, 0.1): 0.1 is its second column (not COVERAGES' fourth, out of
    range); a coverage it did not score, and a method it did not, are refused by name."""
    hits = {"decay": [[1.0, 4.0], [2.0, 6.0]], "naive": [[1.0, 2.0], [1.0, 3.0]]}
    ev = _evaluation(hits, (0.05, 0.1), [10.0, 10.0])
    assert ev.ratio("decay", "naive", 0.05, resamples=50)[0] == pytest.approx(3 / 2)
    assert ev.ratio("decay", "naive", 0.1, resamples=50)[0] == pytest.approx(10 / 5)
    with pytest.raises(EvaluationError, match=r"coverage 0\.01 was not scored.*0\.05, 0\.1"):
        ev.ratio("decay", "naive", 0.01)
    with pytest.raises(EvaluationError, match=r"method 'kde' was not scored.*'decay', 'naive'"):
        ev.ratio("kde", "naive")
    with pytest.raises(EvaluationError, match=r"method 'etas'.*'decay', 'naive'"):
        ev.ratio("decay", "etas")
    with pytest.raises(EvaluationError, match="resamples"):
        ev.ratio("decay", "naive", resamples=0)
