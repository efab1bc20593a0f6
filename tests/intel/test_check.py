"""The forecast's check over the record's last weeks (the plan's report shows it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from xunfang.intel import EventSet, forecast, open_incidents
from xunfang.intel.check import (
    HOUR_SHARE,
    CheckError,
    Unchecked,
    _top,
    check,
    check_period,
    hottest_counts,
    yardstick,
)
from xunfang.intel.methods import Decay, History, Naive, make_method
from xunfang.intel.sources import units_for
from xunfang.report.html import _check_section
from xunfang.report.i18n import t


@pytest.fixture(scope="module")
def ebian() -> EventSet:
    src = open_incidents("ebian")
    assert src.scenario is not None
    return EventSet.build(units_for("grids", src.table, src.scenario), src.table.time,
                          src.table.xy)


def _cut(ev: EventSet, keep: np.ndarray) -> EventSet:
    times = np.datetime64(ev.epoch, "m") + np.round(ev.t[keep] * 1440).astype("timedelta64[m]")
    return EventSet.build(ev.units, times, ev.xy[keep], unit=ev.unit[keep])


def test_the_check_scores_each_day_as_the_plan_forecasts_it(ebian: EventSet) -> None:
    end = date(2026, 1, 1)
    chk = check(ebian, yardstick(Decay(), 365), end=end, tz="Asia/Shanghai")
    assert (chk.first, chk.last) == (date(2025, 12, 4), date(2025, 12, 31))
    assert chk.ks == (1, 2, 4) == hottest_counts(7) and chk.units == 7
    assert [r.method for r in chk.rows] == ["decay", "naive"]
    # by hand for naive: each day's forecast, its hottest grids and grid-hours, the day's
    # incidents in them
    hot = np.zeros(3)
    hours = 0.0
    expected, actual = [], []
    size = ebian.units.size / ebian.units.size.sum()
    area = np.zeros(3)
    for d in range(ebian.day_of(chk.first), ebian.day_of(end)):
        fc = forecast(ebian, Naive(), start=ebian.date_of(d), days=1, train_days=365,
                      tz="Asia/Shanghai")
        risk = fc.risk[0]
        a, b = np.searchsorted(ebian.t, [d, d + 1])
        u, h = ebian.unit[a:b], ebian.hour[a:b]
        u, h = u[u >= 0], h[u >= 0]
        level = risk.sum(axis=1)
        order = sorted(range(7), key=lambda i: (-level[i], i))
        for m, k in enumerate((1, 2, 4)):
            hot[m] += sum(1 for x in u if x in order[:k])
            area[m] += size[order[:k]].sum()
        cells = sorted(range(7 * 24), key=lambda c: (-risk.reshape(-1)[c], c))
        top = set(cells[:round(HOUR_SHARE * 7 * 24)])
        hours += sum(1 for x, y in zip(u, h, strict=True) if x * 24 + y in top)
        expected.append(level.sum())
        actual.append(len(u))
    naive = chk.rows[1]
    n = sum(actual)
    assert chk.incidents == n and chk.per_day == pytest.approx(n / 28)
    np.testing.assert_allclose(naive.hot, hot / n)
    np.testing.assert_allclose(naive.hot_area, area / 28)
    assert naive.hours == pytest.approx(hours / n)
    assert naive.expected_per_day == pytest.approx(np.mean(expected))
    assert naive.error_per_day == pytest.approx(np.mean(np.abs(np.subtract(expected, actual))))
    lo, hi = naive.hot_ci
    assert lo < naive.hot[0] < hi and hi - lo < 0.2
    # decay against naive: incidents per unit of area in their hottest grid, a ratio
    # (places differ in size), paired over days
    r, r_lo, r_hi = chk.rows[0].vs_naive  # type: ignore[misc]
    dec = chk.rows[0]
    assert r == pytest.approx((dec.hot[0] / dec.hot_area[0]) / (naive.hot[0] / naive.hot_area[0]))
    assert r_lo <= r <= r_hi and naive.vs_naive is None
    assert not dec.same_as_naive  # its hours differ from naive's
    # the county's December is quieter than its year: with its season the level is near
    assert abs(naive.expected_per_day - chk.per_day) < 0.15 * chk.per_day


def test_the_check_never_sees_past_its_end(ebian: EventSet) -> None:
    end = date(2025, 10, 1)
    whole = check(ebian, yardstick(make_method("auto"), 365), end=end)
    cut = check(_cut(ebian, ebian.t < ebian.day_of(end)), yardstick(make_method("auto"), 365),
                end=end)
    assert whole == cut
    assert whole.rows[0].method.startswith("auto → ")
    # auto chose naive every week: the same forecasts as the yardstick, said as such, and
    # the report shows the row once with the share's own interval
    assert whole.rows[0].method == "auto → naive" and whole.rows[0].same_as_naive
    sec = _check_section(whole, lambda key, **kw: t(key, "en", **kw))
    assert sec is not None and len(sec["rows"]) == 1
    assert sec["rows"][0]["method"].endswith("(the same forecast as naive counts, every day)")
    assert sec["ci"].startswith("95 % interval of the share in auto → naive's hottest grid")


@dataclass(frozen=True)
class Counting:
    """Naive counts that count their fits, refitted weekly."""

    fits: list[int]
    name: str = "counting"
    refit_days: int = 7

    def fit(self, history: History) -> Any:
        self.fits.append(history.origin)
        return Naive().fit(history)


def test_expensive_methods_are_refitted_weekly(ebian: EventSet) -> None:
    fits: list[int] = []
    chk = check(ebian, [(Counting(fits), 365)], end=date(2026, 1, 1))
    assert np.diff(fits).tolist() == [7, 7, 7] and len(fits) == 4
    assert chk.rows[0].method == "counting"


def test_a_quiet_record_is_checked_over_more_weeks(ebian: EventSet) -> None:
    """A quarter of the county's incidents: four weeks hold about 50; the check takes whole
    weeks more until 100, to at most 13 weeks."""
    rng = np.random.default_rng(1)
    sparse = _cut(ebian, rng.random(len(ebian.t)) < 0.25)
    a, b = check_period(sparse, date(2026, 1, 1))
    assert (b - a) % 7 == 0 and 28 < b - a <= 91
    held = int((sparse.window(a, b).unit >= 0).sum())
    assert held >= 100 > int((sparse.window(a + 7, b).unit >= 0).sum())
    tenth = _cut(ebian, rng.random(len(ebian.t)) < 0.02)  # about 5 a month: 13 weeks at most
    a, b = check_period(tenth, date(2026, 1, 1))
    assert b - a == 91


def test_a_short_or_empty_record_says_why(ebian: EventSet) -> None:
    with pytest.raises(CheckError, match=r"holds 30 days before 2024-01-31: too short") as e:
        check(ebian, yardstick(Naive(), 365), end=date(2024, 1, 31))
    assert e.value.code == "short"
    # four weeks without incidents are lengthened to 13 before the check gives up
    quiet = _cut(ebian, ebian.t < ebian.day_of(date(2025, 9, 1)))
    with pytest.raises(CheckError, match="no incident in a unit from 2025-10-02 to "
                                         "2025-12-31") as e:
        check(quiet, yardstick(Naive(), 365), end=date(2026, 1, 1))
    assert e.value.code == "empty"


def test_the_report_shows_the_check_or_why_not(ebian: EventSet) -> None:
    def T(key: str, **kw: Any) -> str:
        return t(key, "en", **kw)

    chk = check(ebian, yardstick(make_method("kde"), 365), end=date(2026, 1, 1))
    sec = _check_section(chk, T)
    assert sec is not None and sec["heads"] == ["Hottest grid", "Hottest 2 grids",
                                                "Hottest 4 grids"]
    assert sec["rows"][1]["method"] == "naive" and len(sec["rows"][1]["hot"]) == 3
    assert sec["ci"].startswith("kde: 1.00 times naive's incidents per unit of area in "
                                "its hottest grid, 95 % interval")
    assert sec["actual"] == f"{chk.per_day:.1f}" and "2025-12-04 – 2025-12-31" in sec["note"]
    why = _check_section(Unchecked("short", "the record holds 3 days"), T)
    assert why == {"skipped": t("check_short", "en")}
    assert _check_section(Unchecked("short", "x"), lambda k, **kw: t(k, "zh", **kw)) == {
        "skipped": t("check_short", "zh")}


def test_ties_at_the_cut_share_its_credit() -> None:
    """Whole counts tie: which of the tied places is 'in' the hottest k is no forecast's
    knowledge. A review found 194 cells tied at the cut of Chicago's check, the share moving
    by 1.6 points with the order of ties."""
    v = np.array([5.0, 3.0, 3.0, 3.0, 1.0]) * 0.1  # scaled: rounding must not split ties
    np.testing.assert_allclose(_top(v, 1), [1, 0, 0, 0, 0])
    np.testing.assert_allclose(_top(v, 2), [1, 1 / 3, 1 / 3, 1 / 3, 0])
    np.testing.assert_allclose(_top(v, 4), [1, 1, 1, 1, 0])
    np.testing.assert_allclose(_top(np.array([0.3, 0.3 * (1 + 1e-12), 0.0]), 1), [0.5, 0.5, 0])
    np.testing.assert_allclose(_top(v, 9), 1.0)


def test_the_check_forecasts_with_the_plans_lead(ebian: EventSet) -> None:
    """A plan for 30 November 2026 from a record ending in 2025 forecasts 334 days past it;
    its check forecasts each December day of 2025 334 days ahead too (a review: it claimed
    'the way this plan's forecast is made' while checking one day ahead)."""
    chk = check(ebian, [(Naive(), 365)], end=date(2026, 1, 1), lead=334)
    assert (chk.lead, chk.wanted_lead) == (334, 334)
    # each day d forecast as of d − 333 (lead 1: as of d itself, from the days before it)
    levels = [forecast(ebian, Naive(), start=d, days=1, train_days=365,
                       as_of=d - timedelta(days=333)).risk.sum()
              for d in (chk.first + timedelta(days=i) for i in range(chk.days))]
    assert chk.rows[0].expected_per_day == pytest.approx(np.mean(levels))
    assert chk.rows[0].expected_per_day != pytest.approx(
        check(ebian, [(Naive(), 365)], end=date(2026, 1, 1)).rows[0].expected_per_day)
    # a lead the record cannot hold: one day ahead, and the report says so
    far = check(ebian, [(Naive(), 365)], end=date(2026, 1, 1), lead=800)
    assert (far.lead, far.wanted_lead) == (1, 800)
    sec = _check_section(far, lambda key, **kw: t(key, "en", **kw))
    assert sec is not None and "800 days past the record's end" in sec["warn"]


def test_days_the_record_lacks_are_left_out(ebian: EventSet) -> None:
    """Ten days of December 2025 missing from the export: they are no days of no trouble."""
    hole = (ebian.t >= ebian.day_of(date(2025, 12, 10))) & (
        ebian.t < ebian.day_of(date(2025, 12, 20)))
    lacking = _cut(ebian, ~hole)
    chk = check(lacking, [(Naive(), 365)], end=date(2026, 1, 1))
    assert (chk.first, chk.last, chk.days) == (date(2025, 12, 4), date(2025, 12, 31), 18)
    whole = check(ebian, [(Naive(), 365)], end=date(2026, 1, 1))
    in_hole = int((ebian.unit[hole] >= 0).sum())
    assert chk.incidents == whole.incidents - in_hole
    assert chk.per_day == pytest.approx(chk.incidents / 18)
    sec = _check_section(chk, lambda key, **kw: t(key, "en", **kw))
    assert sec is not None and "10 of these days lie in a hole of the record" in sec["warn"]


def test_the_period_never_passes_its_longest(ebian: EventSet) -> None:
    rng = np.random.default_rng(3)
    tenth = _cut(ebian, rng.random(len(ebian.t)) < 0.02)
    a, b = check_period(tenth, date(2026, 1, 1), days=30)
    assert b - a == 86  # 30 and eight weeks more: a ninth would pass 91


def test_dates_without_times_have_no_hour_column(ebian: EventSet) -> None:
    """A record of dates only (Montreal's collisions) spreads each day evenly over its hours
    and puts every incident at 00:00: its 'hottest grid-hours' would be a number about
    nothing."""
    times = np.datetime64(ebian.epoch, "m") + (np.floor(ebian.t) * 1440).astype(
        "timedelta64[m]")
    dated = EventSet.build(ebian.units, times, ebian.xy, unit=ebian.unit)
    chk = check(dated, yardstick(Decay(), 365), end=date(2026, 1, 1))
    assert all(r.hours != r.hours for r in chk.rows)  # nan
    assert chk.as_json()["rows"][0]["hours"] is None
    sec = _check_section(chk, lambda key, **kw: t(key, "en", **kw))
    assert sec is not None and sec["rows"][0]["hours"] == "—"
    timed = check(ebian, yardstick(Decay(), 365), end=date(2026, 1, 1))
    assert 0 < timed.rows[0].hours < 1


def test_too_few_incidents_are_not_checked(ebian: EventSet) -> None:
    """One category's nine incidents in thirteen weeks scored 34.3 % with an interval of
    +0.0 to +0.0 (a review): fewer than 30 are not checked, and the report says why."""
    rng = np.random.default_rng(5)
    few = _cut(ebian, rng.random(len(ebian.t)) < 0.004)
    with pytest.raises(CheckError, match=r"only \d+ incident\(s\) .* too few") as e:
        check(few, yardstick(Naive(), 365), end=date(2026, 1, 1))
    assert e.value.code == "few"
    assert _check_section(Unchecked("few", "x"), lambda key, **kw: t(key, "en", **kw)) == {
        "skipped": t("check_few", "en")}


def test_the_row_names_the_window_it_held(ebian: EventSet) -> None:
    """A window of 3,650 days on a record of two years holds about 700: the row says so."""
    chk = check(ebian, yardstick(Decay(), 3650), end=date(2026, 1, 1))
    assert chk.rows[0].train_days == ebian.day_of(date(2025, 12, 31))
    assert chk.rows[1].train_days == 365


def _big_and_small() -> EventSet:
    """Two grids: a big one (4 km²) with three incidents a day, a small one (1 km²) with two:
    the big one is the hotter by expected incidents, the small one per km²."""
    import shapely

    from xunfang.intel.units import polygons

    units = polygons(("big", "small"), (shapely.box(0, 0, 2000, 2000),
                                        shapely.box(3000, 0, 4000, 1000)), "grids")
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-01-01"))
    times, xy = [], []
    for d in days:
        for h, at in ((9, (1000, 1000)), (13, (1000, 1000)), (20, (1000, 1000)),
                      (10, (3500, 500)), (15, (3500, 500))):
            times.append(d.astype("datetime64[m]") + np.timedelta64(60 * h, "m"))
            xy.append(at)
    return EventSet.build(units, np.array(times), np.array(xy, dtype=float))


def test_the_check_ranks_its_hottest_per_km2_as_the_forecast_lists_them() -> None:
    """A review: `intel forecast --check` ranked its "hottest k" by expected incidents while
    the list of hot places printed above it (Forecast.hot_order) ranked per km². One rule:
    per km² where the places differ in size, as the evaluation's hit rate and PAI."""
    ev = _big_and_small()
    end = date(2026, 1, 1)
    fc = forecast(ev, Naive(), start=end, days=1, train_days=365)
    assert [fc.units.ids[i] for i in fc.hot_order()] == ["small", "big"]
    chk = check(ev, [(Naive(), 365)], end=end)
    # the small grid's two of the day's five incidents, on a fifth of the area
    assert chk.ks == (1,) and chk.rows[0].hot[0] == pytest.approx(2 / 5)
    assert chk.rows[0].hot_area[0] == pytest.approx(1 / 5)
    assert chk.ranked_by == "per_km2" and chk.as_json()["hottest_ranked_by"] == "per_km2"
    # and the report's note names the rule
    sec = _check_section(chk, lambda key, **kw: t(key, "en", **kw))
    assert sec is not None and "hottest k grids by expected incidents per km²" in sec["note"]


def test_the_check_forecasts_holidays_as_the_forecast_does(ebian: EventSet) -> None:
    """The forecast raises a holiday to the window's holidays' level (``holidays=``); its
    check ran the method without them, a forecast other than the one delivered (a review).
    Given the forecast's calendar, each checked day is forecast as the forecast would forecast
    it — National Day 2025 at the holiday level — and the check says which days were."""
    from xunfang.intel.check import check_holidays, check_made

    cal = check_holidays(ebian, "CN", (), end=date(2025, 10, 9))
    chk = check(ebian, [(Naive(), 365)], end=date(2025, 10, 9), holidays=cal)
    days = [chk.first + timedelta(days=i) for i in range(chk.days)]
    levels = [forecast(ebian, Naive(), start=d, days=1, train_days=365,
                       holidays=cal).risk.sum() for d in days]
    assert chk.rows[0].expected_per_day == pytest.approx(np.mean(levels))
    assert chk.holiday_days == tuple(d for d in days if d in cal)
    assert chk.holiday_days[0] == date(2025, 10, 1) and len(chk.holiday_days) == 8
    doc = chk.as_json()
    assert doc["holidays_as_forecast"] is True
    assert doc["holiday_days"][-1] == "2025-10-08"
    # without a calendar (evaluate's rules) as before: no day raised, and said so
    plain = check(ebian, [(Naive(), 365)], end=date(2025, 10, 9))
    assert plain.rows[0].expected_per_day < chk.rows[0].expected_per_day
    assert plain.as_json()["holidays_as_forecast"] is False and not plain.holiday_days
    made = check_made(ebian, [(Naive(), 365)], start=date(2025, 10, 9), holidays=cal)
    assert not isinstance(made, Unchecked)
    assert made.rows[0].expected_per_day == chk.rows[0].expected_per_day


def test_the_plans_check_uses_the_scenarios_calendar() -> None:
    """The plan's check (grid_check: plan.json's risk stage, /api/risk) forecasts its checked
    holidays as the plan's forecast does: the scenario's country's and declared ones."""
    from xunfang import scenario as scenario_mod
    from xunfang.intel.stage import grid_check, grid_forecast

    sc = scenario_mod.load("ebian")
    g = grid_forecast(sc, start=date(2025, 10, 9), days=1, method="naive")
    chk = grid_check(sc, g, method="naive")
    assert not isinstance(chk, Unchecked)
    assert chk.holidays and chk.holiday_days[0] == date(2025, 10, 1)
    # the same days forecast alone, as the plan forecasts them
    day = grid_forecast(sc, start=date(2025, 10, 4), days=1, method="naive").forecast
    assert day.details["holiday_days"] == ["2025-10-04"]
    assert date(2025, 10, 4) in chk.holiday_days
