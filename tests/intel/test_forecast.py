"""Forecasts of a planning horizon: slots, the time-of-day profile, the built-in county."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from xunfang.intel import EventSet, MethodError, Slots, forecast, open_incidents, week_hour_profile
from xunfang.intel import units as U
from xunfang.intel.forecast import (
    midnight_heap,
    recorded_days,
    season_factor,
    weekday_factor,
)
from xunfang.intel.methods import Naive, make_method
from xunfang.intel.sources import units_for


@pytest.fixture(scope="module")
def ebian() -> EventSet:
    src = open_incidents("ebian")
    assert src.scenario is not None
    u = units_for("grids", src.table, src.scenario)
    return EventSet.build(u, src.table.time, src.table.xy)


def test_profile_rows_sum_to_one_and_follow_the_hours(ebian: EventSet) -> None:
    h = ebian.window(0, 365)
    prof = week_hour_profile(h)
    assert prof.shape == (len(ebian.units), 7, 24)
    np.testing.assert_allclose(prof.sum(axis=2), 1.0)
    # the town's own rhythm: more incidents at 20:00 than at 04:00 in the busiest grid
    busiest = int(np.argmax(h.counts()))
    assert prof[busiest, :, 20].mean() > prof[busiest, :, 4].mean()


def _record(units: U.Units, unit: np.ndarray, hour: np.ndarray, days: int = 365,
            seed: int = 0) -> EventSet:
    """Incidents of the given units and hours of day, on random days of ``days``."""
    rng = np.random.default_rng(seed)
    day = rng.integers(0, days, len(unit))
    minutes = day * 1440 + hour * 60 + rng.integers(0, 60, len(unit))
    order = np.argsort(minutes)
    times = np.datetime64("2022-01-01T00:00") + minutes[order].astype("timedelta64[m]")
    return EventSet.build(units, times, np.zeros((len(unit), 2)), unit=unit[order])


def test_a_sparse_town_keeps_its_hour_of_day_not_its_noise(ebian: EventSet) -> None:
    """300 incidents a year at hours drawn evenly: the profile stays near flat. A review:
    fixed weights (one pseudo-incident per weekday-hour) gave hours 0.47–1.68 × the average
    on such a record, and scored below the pooled hour of day on Chicago's subsamples."""
    rng = np.random.default_rng(1)
    n = 300
    ev = _record(ebian.units, rng.integers(0, len(ebian.units), n), rng.integers(0, 24, n))
    prof = week_hour_profile(ev.window(0, 365))
    share = prof * 24
    assert share.min() > 0.8 and share.max() < 1.25


def test_a_busy_place_keeps_its_own_hours_and_the_town_its_weekdays(ebian: EventSet) -> None:
    """Where the record shows it, the profile follows it: a place with 2,000 night incidents
    (22:00–01:59) puts most of its risk there, while the town's other places, spread evenly,
    are not pulled to the night; the town's Saturday evenings (ten incidents at 20:00 in one
    place) show on Saturdays."""
    rng = np.random.default_rng(2)
    n_units = len(ebian.units)
    night = rng.choice([22, 23, 0, 1], 2000)
    spread = rng.integers(0, 24, 4000)
    unit = np.concatenate([np.zeros(2000, dtype=np.int64),
                           rng.integers(1, n_units, 4000)])
    ev = _record(ebian.units, unit, np.concatenate([night, spread]))
    prof = week_hour_profile(ev.window(0, 365))
    assert prof[0][:, [22, 23, 0, 1]].sum(axis=1).min() > 0.8
    assert prof[1:][:, :, [22, 23, 0, 1]].sum(axis=2).mean() < 0.3
    # Saturdays: ten more incidents at 20:00 each Saturday, in place 5
    start = date(2022, 1, 1)
    saturdays = [i for i in range(365) if (start + timedelta(days=i)).weekday() == 5]
    extra = np.repeat(np.datetime64("2022-01-01T20:00")
                      + (np.array(saturdays) * 1440).astype("timedelta64[m]"), 10)
    times = np.datetime64(ev.epoch, "m") + np.round(ev.t * 1440).astype("timedelta64[m]")
    both = np.concatenate([times, extra])
    unit = np.concatenate([ev.unit, np.full(len(extra), 5, dtype=np.int64)])
    order = np.argsort(both, kind="stable")
    ev2 = EventSet.build(ebian.units, both[order], np.zeros((len(both), 2)), unit=unit[order])
    prof2 = week_hour_profile(ev2.window(0, 365))
    assert prof2[5, 5, 20] > 2 * prof2[5, 2, 20]
    assert prof2[3, 5, 20] > 3 * prof2[3, 2, 20]  # a place spread evenly: the town's Saturday


def _seasonal_record(ebian: EventSet, years: int = 3, peak: int = 200,
                     amplitude: float = 0.5, seed: int = 0) -> EventSet:
    """A record at 20 incidents a day × (1 + amplitude · cos(2π (day − peak) / year)), all at
    one incident's place of the county (a unit's)."""
    rng = np.random.default_rng(seed)
    days = np.arange(int(years * 365.2425))
    rate = 20 * (1 + amplitude * np.cos(2 * np.pi * (days - peak) / 365.2425))
    n = rng.poisson(rate)
    day = np.repeat(days, n)
    minutes = day * 1440 + rng.integers(0, 1440, len(day))
    times = np.datetime64("2022-01-01T00:00") + minutes.astype("timedelta64[m]")
    xy = np.repeat(ebian.xy[ebian.unit >= 0][:1], len(day), axis=0)
    return EventSet.build(ebian.units, times, xy)


def test_season_factor_follows_the_time_of_year(ebian: EventSet) -> None:
    """On a record whose rate swings ±50 % over the year, the factor of its peak and of its
    trough is the rate of the weeks around them over the mean — 1 ± 0.5 · sinc(21 days), about
    1.49 and 0.51 — whatever the window's end; a window shorter than a year holds no season.
    The county's December is quieter than its year, its July busier."""
    ev = _seasonal_record(ebian)
    third = 0.5 * np.sinc(2 * 21 / 365.2425)  # the mean of the cosine over ±21 days
    for end in (900, 1000):
        hist = ev.window(end - 730, end)
        peak = 200 + 3 * 365.2425  # the next year's peak, ahead of the window
        assert season_factor(hist, round(peak)) == pytest.approx(1 + third, abs=0.05)
        assert season_factor(hist, round(peak - 365.2425 / 2)) == pytest.approx(1 - third,
                                                                              abs=0.05)
    assert season_factor(ev.window(700, 900), 930) == 1.0
    end = ebian.day_of(date(2025, 12, 1))
    county = ebian.window(end - 365, end)
    assert season_factor(county, end) < 0.92
    assert season_factor(county, ebian.day_of(date(2026, 7, 1))) > 1.05


def test_weeks_the_record_lacks_are_no_quiet_season(ebian: EventSet) -> None:
    """An export missing six weeks of last year's same season: those days count neither way
    (a review: the factor fell from 0.85–0.91 to 0.48–0.87 on Chicago with such a hole), and
    a sparse record's quiet week is still a week of record."""
    ev = _seasonal_record(ebian)
    end = 1000
    trough = round(200 + 2 * 365.2425 + 365.2425 / 2)  # the trough after the window
    whole = season_factor(ev.window(end - 730, end), trough)
    hole = (ev.t >= trough - 365 - 21) & (ev.t < trough - 365 + 21)
    times = np.datetime64(ev.epoch, "m") + np.round(ev.t[~hole] * 1440).astype("timedelta64[m]")
    lacking = EventSet.build(ev.units, times, ev.xy[~hole], unit=ev.unit[~hole])
    covered = recorded_days(lacking, end - 730, end)
    assert (~covered).sum() == 42
    assert season_factor(lacking.window(end - 730, end), trough) == pytest.approx(whole,
                                                                                abs=0.06)
    # one incident a week: six days without one are a quiet spell, not a hole
    sparse = EventSet.build(ev.units, np.datetime64("2024-01-01T12:00") + (
        np.arange(0, 365, 7) * 1440).astype("timedelta64[m]"), ev.xy[:53], unit=ev.unit[:53])
    assert recorded_days(sparse, 0, 365).all()


def test_quiet_days_and_weekends_are_no_holes(ebian: EventSet) -> None:
    """Holes are a week or more that the rate expects 30 incidents in (a review: a record
    of weekday incidents lost every weekend, its Saturdays forecast at a weekday's level; a
    small area's real quiet three weeks at 0.7 a day, a county's one day of none)."""
    days = [d for d in range(365) if (date(2025, 1, 1) + timedelta(days=d)).weekday() < 5]
    t = np.datetime64("2025-01-01T09:00") + (np.repeat(days, 5) * 1440).astype("timedelta64[m]")
    xy = np.repeat(ebian.xy[ebian.unit >= 0][:1], len(t), axis=0)
    weekdays = EventSet.build(ebian.units, t, xy)
    assert recorded_days(weekdays, 0, 365).all()
    fc = forecast(weekdays, Naive(), start=date(2026, 1, 3), days=2, train_days=365)
    assert fc.risk.sum() < 0.1 * 5 * 2  # a weekend: next to nothing, as on record
    assert recorded_days(ebian, 0, 731).all()  # 2024-12-05, none of its usual 8.6
    # 21 days without any at 0.7 a day: 15 expected, a quiet spell
    rng = np.random.default_rng(0)
    day = np.flatnonzero(rng.random(365) < 0.7)
    day = day[(day < 100) | (day >= 121)]
    quiet = EventSet.build(ebian.units, np.datetime64("2025-01-01T09:00") + (
        day * 1440).astype("timedelta64[m]"), np.repeat(xy[:1], len(day), axis=0))
    assert recorded_days(quiet, 0, 365).all()
    # eight weeks at the same rate: 33 expected, a hole
    day = day[(day < 100) | (day >= 156)]
    holed = EventSet.build(ebian.units, np.datetime64("2025-01-01T09:00") + (
        day * 1440).astype("timedelta64[m]"), np.repeat(xy[:1], len(day), axis=0))
    assert (~recorded_days(holed, 0, 365)).sum() >= 56


def without(ev: EventSet, first: date, end: date) -> EventSet:
    """``ev`` with the days [first, end) missing, as from an export that lacks them."""
    hole = (ev.t >= ev.day_of(first)) & (ev.t < ev.day_of(end))
    times = np.datetime64(ev.epoch, "m") + np.round(ev.t[~hole] * 1440).astype(
        "timedelta64[m]")
    return EventSet.build(ev.units, times, ev.xy[~hole], unit=ev.unit[~hole])


def test_a_window_average_is_over_the_days_recorded(ebian: EventSet) -> None:
    """Six weeks missing from the middle of the county's export: a year's average counted
    them as days without incidents (the level 11 % low); it is now over the days recorded."""
    lacking = without(ebian, date(2025, 5, 1), date(2025, 6, 12))
    args = {"start": date(2025, 12, 1), "days": 7, "train_days": 365}
    whole = forecast(ebian, Naive(), **args)  # type: ignore[arg-type]
    cut = forecast(lacking, Naive(), **args)  # type: ignore[arg-type]
    assert cut.details["unrecorded_days"] == 42 and "unrecorded_days" not in whole.details
    assert cut.details["coverage_factor"] == pytest.approx(365 / (365 - 42), abs=1e-4)
    # the hole's May and June were busier than the year: what is left is a little quieter
    assert cut.risk.sum() == pytest.approx(whole.risk.sum(), rel=0.03)
    plain = cut.risk.sum() / cut.details["coverage_factor"]
    assert plain < 0.92 * whole.risk.sum()  # as it was before


def test_prospective_moves_by_the_change_of_season_only(ebian: EventSet) -> None:
    """Prospective hot-spotting's level is its last eight weeks': the season is in it already
    (a review: scaled by the whole factor, its daily totals' error on Chicago rose from 7.03
    to 8.18). It moves by the change of season from the window's end: nothing for the next
    day, the season's change for a day months ahead; so does gbm's, of lagged rates."""
    start = date(2025, 12, 10)
    origin = ebian.day_of(start)
    hist = ebian.window(origin - 365, origin)
    m = make_method("prospective")
    fc = forecast(ebian, m, start=start, days=1, train_days=365)
    assert fc.details["season_factor"] == [1.0]
    daily = m.fit(hist).predict(hist, origin) * weekday_factor(hist)[start.weekday()]
    np.testing.assert_allclose(fc.risk[0].sum(axis=1), daily)
    later = forecast(ebian, m, start=date(2026, 7, 10), days=1, train_days=365, as_of=start)
    change = season_factor(hist, ebian.day_of(date(2026, 7, 10))) / season_factor(hist, origin)
    assert later.details["season_factor"] == [round(change, 3)] and change > 1.15
    gbm = forecast(ebian, make_method("gbm", country="CN"), start=start, days=1,
                   train_days=365)
    assert gbm.details["season_factor"] == [1.0]
    assert "weekday_factor" not in gbm.details  # its weekday is its own


def test_hourly_forecast_splits_the_daily_rate(ebian: EventSet) -> None:
    fc = forecast(ebian, Naive(days=365), start=date(2025, 6, 1), days=2, train_days=365)
    assert fc.risk.shape == (2, len(ebian.units), 24)
    origin = ebian.day_of(date(2025, 6, 1))
    hist = ebian.window(origin - 365, origin)
    daily = Naive(days=365).predict(hist, origin)
    # the day's level at its weekday's (2025-06-01 a Sunday, 2025-06-02 a Monday) and its
    # time of year's
    factor = weekday_factor(hist)
    season = [season_factor(hist, origin), season_factor(hist, origin + 1)]
    # the county's day of none (2024-12-05) is a quiet day, no hole in its record
    assert "unrecorded_days" not in fc.details
    np.testing.assert_allclose(fc.risk[0].sum(axis=1), daily * factor[6] * season[0])
    np.testing.assert_allclose(fc.risk[1].sum(axis=1), daily * factor[0] * season[1])
    assert fc.details["weekday_factor"] == [round(float(f), 3) for f in factor]
    assert fc.details["season_factor"] == [round(s, 3) for s in season]
    assert factor[5] > 1.1 > 1 > factor[3]  # the county's Saturdays, its Thursdays
    np.testing.assert_allclose(np.mean(factor), 1.0, atol=0.01)
    doc = fc.as_json()
    assert doc["slots"][0] == "2025-06-01T00:00" and len(doc["slots"]) == 48
    assert len(doc["risk"]) == len(ebian.units) and len(doc["risk"][0]) == 48
    assert doc["hot"][0]["unit"] == fc.hot(1)[0][0]


def test_shift_slots_put_the_night_after_the_day(ebian: EventSet) -> None:
    slots = Slots("shift", (8, 16, 0))
    fc = forecast(ebian, Naive(days=365), start=date(2025, 6, 1), days=1, train_days=365,
                  slots=slots)
    assert fc.slot_starts() == ["2025-06-01T08:00", "2025-06-01T16:00", "2025-06-02T00:00"]
    hourly = forecast(ebian, Naive(days=365), start=date(2025, 6, 1), days=2, train_days=365)
    night = hourly.risk[1][:, :8].sum(axis=1)  # 00-08 of the next calendar day
    np.testing.assert_allclose(fc.risk[0][:, 2], night)
    np.testing.assert_allclose(fc.risk[0][:, 0], hourly.risk[0][:, 8:16].sum(axis=1))


def test_forecast_without_history_is_an_error(ebian: EventSet) -> None:
    with pytest.raises(MethodError, match="holds no incident"):
        forecast(ebian, Naive(), start=date(2010, 1, 1), days=1, train_days=30)
    with pytest.raises(MethodError, match="--days"):
        forecast(ebian, Naive(), start=date(2025, 6, 1), days=0, train_days=30)
    assert U.Slots is Slots


def test_dates_without_times_of_day_spread_over_the_hours(ebian: EventSet) -> None:
    """A record of dates only (Montreal's collisions: '2016/05/03') puts every incident at
    00:00; the forecast must not send all the risk to the midnight slot."""
    h = ebian.window(0, 365)
    day = np.floor(ebian.t[h.a:h.b])
    time = (np.datetime64("2025-01-01T00:00") + (day * 1440).astype("timedelta64[m]"))
    dated = EventSet.build(ebian.units, time, ebian.xy[h.a:h.b], unit=ebian.unit[h.a:h.b])
    fc = forecast(dated, Naive(days=365), start=date(2026, 1, 1), days=1, train_days=365)
    risk = fc.risk[0].sum(axis=0)
    np.testing.assert_allclose(risk, risk.mean())  # every hour the same share
    assert "without times of day" in fc.details["hours"]
    # a real record with some incidents at 00:00 keeps its hours, and says nothing
    real = forecast(ebian, Naive(days=365), start=date(2025, 6, 1), days=1, train_days=365)
    assert "hours" not in real.details
    assert real.risk[0].sum(axis=0).std() > 0.1 * real.risk[0].sum(axis=0).mean()


def test_a_record_shorter_than_the_window_is_not_counted_as_quiet_days(ebian: EventSet) -> None:
    """A county that has kept its record for three months is forecast at its level, not at a
    quarter of it: the days before the record's first incident are no days without
    incidents (a review found 2.40 a day instead of 7.7 on a 90-day record)."""
    keep = ebian.t >= ebian.day_of(date(2025, 10, 3))  # the record's last 90 days
    when = np.datetime64(str(ebian.epoch)) + (ebian.t[keep] * 1440).astype("timedelta64[m]")
    short = EventSet.build(ebian.units, when, ebian.xy[keep])
    start = date(2026, 1, 1)
    rate = keep.sum() / 90 * (ebian.unit[keep] >= 0).mean()
    for m in (Naive(), make_method("decay"), make_method("kde"), make_method("prospective")):
        fc = forecast(short, m, start=start, days=1, train_days=365)
        assert fc.trained_from == short.epoch == date(2025, 10, 3)
        assert "starts on 2025-10-03" in fc.details["window"]
        level = fc.risk.sum() / fc.details["weekday_factor"][start.weekday()]
        if m.name in ("naive", "kde"):
            assert level == pytest.approx(rate, rel=0.02), m.name
        else:  # decay weighs the late weeks more; prospective looks back 8 weeks
            assert 0.6 * rate < level < 1.5 * rate, m.name
    # a record as long as the window: no note, the same window
    fc = forecast(ebian, Naive(), start=start, days=1, train_days=365)
    assert "window" not in fc.details and fc.trained_from == date(2025, 1, 1)


def test_prospective_forecasts_incidents_not_scores(ebian: EventSet) -> None:
    """Prospective hot-spotting's scores rank; its forecast is in incidents a day like every
    method's (the plan doses by it): it was 16 times the record's level."""
    fc = forecast(ebian, make_method("prospective"), start=date(2025, 12, 1), days=3,
                  train_days=365)
    naive = forecast(ebian, Naive(), start=date(2025, 12, 1), days=3, train_days=365)
    assert fc.risk.sum() == pytest.approx(naive.risk.sum(), rel=0.25)


def test_slots_follow_the_clock_changes_of_the_zone(ebian: EventSet) -> None:
    """On the day clocks go forward 02:00 does not exist, and was forecast 2.4 incidents in
    Chicago (a review); on the day they go back 01:00 happens twice and its slot held one."""
    from xunfang.intel.forecast import clock_hours

    assert clock_hours(date(2019, 3, 10), "America/Chicago")[2] == 0
    assert clock_hours(date(2019, 11, 3), "America/Chicago")[1] == 2
    assert (clock_hours(date(2019, 6, 1), "America/Chicago") == 1).all()
    assert (clock_hours(date(2019, 3, 10), "Asia/Shanghai") == 1).all()
    # the county's record, as if it were kept in Chicago (a naive method: each day's rate
    # is the same, only the hours differ)
    spring = forecast(ebian, Naive(), start=date(2026, 3, 7), days=3, train_days=365,
                      tz="America/Chicago", as_of=date(2026, 1, 1))
    plain = forecast(ebian, Naive(), start=date(2026, 3, 7), days=3, train_days=365,
                     as_of=date(2026, 1, 1))
    assert spring.details["clock_changes"] == [{"day": "2026-03-08", "skipped": [2],
                                                "repeated": []}]
    day = spring.days.index(date(2026, 3, 8))
    assert spring.risk[day][:, 2].sum() == 0
    np.testing.assert_allclose(spring.risk[day].sum(),
                               plain.risk[day].sum() - plain.risk[day][:, 2].sum())
    np.testing.assert_allclose(spring.risk[0], plain.risk[0])  # the day before: as it was
    autumn = forecast(ebian, Naive(), start=date(2026, 11, 1), days=1, train_days=365,
                      tz="America/Chicago", as_of=date(2026, 1, 1))
    plain = forecast(ebian, Naive(), start=date(2026, 11, 1), days=1, train_days=365,
                     as_of=date(2026, 1, 1))
    np.testing.assert_allclose(autumn.risk[0][:, 1], 2 * plain.risk[0][:, 1])
    # the night shift of the day before the change sums the hours it really holds
    shifts = forecast(ebian, Naive(), start=date(2026, 10, 31), days=1, train_days=365,
                      tz="America/Chicago", slots=Slots("shift", (8, 16, 0)),
                      as_of=date(2026, 1, 1))
    hours = forecast(ebian, Naive(), start=date(2026, 10, 31), days=2, train_days=365,
                     tz="America/Chicago", as_of=date(2026, 1, 1))
    np.testing.assert_allclose(shifts.risk[0][:, 2], hours.risk[1][:, 0:8].sum(axis=1))


def test_times_heaped_at_midnight_do_not_shape_the_hours(ebian: EventSet) -> None:
    """A record that writes an unknown time as 00:00 for 40 % of its incidents put 42 % of
    every day's risk in the midnight hour (a review); those incidents now count in the day's
    risk but not in its hours. Chicago's 0.3 % at 00:00 is no heap."""
    rng = np.random.default_rng(8)
    when = np.datetime64(str(ebian.epoch)) + (ebian.t * 1440).astype("timedelta64[m]")
    heaped = rng.random(len(when)) < 0.4
    when = np.where(heaped, when.astype("datetime64[D]").astype("datetime64[m]"), when)
    ev = EventSet.build(ebian.units, when, ebian.xy)
    fc = forecast(ev, Naive(), start=date(2025, 12, 1), days=1, train_days=365)
    plain = forecast(ebian, Naive(), start=date(2025, 12, 1), days=1, train_days=365)
    assert "% of the window's incidents are at exactly 00:00" in fc.details["hours"]
    at_midnight = fc.risk[0][:, 0].sum() / fc.risk[0].sum()
    assert at_midnight == pytest.approx(plain.risk[0][:, 0].sum() / plain.risk[0].sum(),
                                        abs=0.01)
    np.testing.assert_allclose(fc.risk[0].sum(), plain.risk[0].sum())
    assert "hours" not in plain.details
    # a handful of incidents, some at 00:00, is no heap: too few to tell
    few = EventSet.build(ebian.units, when[-40:], ebian.xy[-40:])
    assert midnight_heap(few.window(0, 10_000)) is None


def test_record_end_is_the_files_and_not_a_quiet_spell(ebian: EventSet) -> None:
    """The record's end is where the whole file stops (a category's quiet weeks are no end
    of it), and only a gap its rate makes unlikely (a review found a quiet spell of a few days
    taken for the end, the window shifted and a false warning printed)."""
    from xunfang.intel.forecast import record_end

    times = np.datetime64(str(ebian.epoch)) + (ebian.t * 1440).astype("timedelta64[m]")
    assert record_end(times, date(2026, 1, 1)) is None  # the day after the last
    assert record_end(times, date(2026, 1, 2)) == date(2026, 1, 1)  # 8.6 a day: a day is long
    sparse = times[::100]  # about 0.09 a day: three weeks of quiet are nothing
    last = date.fromisoformat(str(sparse.max().astype("datetime64[D]")))
    assert record_end(sparse, last + timedelta(days=21)) is None
    assert record_end(sparse, last + timedelta(days=200)) == last + timedelta(days=1)
    # last year's export and one incident reported this week: the record ends with the
    # export (a review found the gap before that one incident read as eleven quiet months)
    late = np.append(times, np.datetime64("2026-11-30T09:00", "m"))
    assert record_end(late, date(2026, 12, 1)) == date(2026, 1, 1)
    # the export went on (a month of it after a month's hole): no end
    hole = times[(times < np.datetime64("2025-06-01")) | (times >= np.datetime64("2025-07-01"))]
    assert record_end(hole, date(2026, 1, 1)) is None
    # a small record: 15 incidents in 2023 end in 2023 (a review of the 20-incident rule for
    # a gap's rate found it never ended)
    small = np.datetime64("2023-01-05T10:00") + np.arange(15) * np.timedelta64(24, "D")
    assert record_end(small, date(2026, 6, 1)) == date(2023, 12, 8)  # its last: 12-07
    # planned years later, a quiet spell of a few days is no end either (a review: a 2022
    # record planned in 2027 ended at a two-day spell in September, 400 incidents before
    # its last); the record ends where the file does
    spell = times[(times < np.datetime64("2025-09-10")) | (times >= np.datetime64("2025-09-13"))]
    assert record_end(spell, date(2025, 10, 1)) is None
    assert record_end(spell, date(2031, 6, 1)) == date(2026, 1, 1)


def test_later_days_of_a_horizon_keep_the_level(ebian: EventSet) -> None:
    """A forecast's later days read the window's memory at its end: decay's level faded with
    lead time, and prospective hot-spotting's fell to nothing from day 57 (a review)."""
    for name in ("decay", "kde", "prospective", "gbm"):
        fc = forecast(ebian, make_method(name, country="CN"), start=date(2025, 11, 1), days=70,
                      train_days=365)
        per_day = fc.risk.sum(axis=(1, 2))
        if name != "gbm":  # its weekday is its own
            origin = ebian.day_of(date(2025, 11, 1))
            factor = weekday_factor(ebian.window(origin - 365, origin))
            per_day = per_day / factor[[d.weekday() for d in fc.days]]
            per_day = per_day / np.asarray(fc.details.get("season_factor", 1.0))  # (rounded)
        if name == "gbm":  # weekdays, months and holidays differ: no day near nothing
            assert per_day.min() > 0.3 * per_day.max()
        else:
            np.testing.assert_allclose(per_day, per_day[0], rtol=2e-3, err_msg=name)


def test_half_hour_clock_changes() -> None:
    from xunfang.intel.forecast import clock_hours

    spring = clock_hours(date(2024, 10, 6), "Australia/Lord_Howe")
    autumn = clock_hours(date(2024, 4, 7), "Australia/Lord_Howe")
    assert spring.sum() == 23.5 and spring[2] == 0.5
    assert autumn.sum() == 24.5 and autumn[1] == 1.5


def test_gbm_plans_past_the_record_on_the_horizons_own_days(ebian: EventSet) -> None:
    """A plan for December 2026 from a record ending in 2025 is forecast with the lead times
    from the record's end; gbm took the calendar of those lead days too — 1 December as New
    Year's Day, a Thursday (a review: the numbers of 1-7 January to the third decimal)."""
    gbm = make_method("gbm", country="CN")
    december = forecast(ebian, gbm, start=date(2026, 12, 1), days=7, train_days=365,
                        as_of=date(2026, 1, 1))
    january = forecast(ebian, gbm, start=date(2026, 1, 1), days=7, train_days=365)
    assert not np.allclose(december.risk.sum(axis=(1, 2)), january.risk.sum(axis=(1, 2)))
    # its level, read from the window's end, stays the record's (about 8.6 a day), whatever
    # the calendar (it was 26 a day, its features those of New Year's week)
    assert 4 < december.risk.sum(axis=(1, 2)).mean() < 14
    # the plan's own year's holidays, though the fit knew them 60 days past its window
    model = gbm.fit(ebian.window(ebian.day_of(date(2024, 7, 1)), ebian.day_of(date(2025, 7, 1))))
    o = ebian.day_of(date(2025, 7, 1))
    hist = ebian.window(o - 365, o)
    new_year = model.predict(hist, o, calendar_day=ebian.day_of(date(2026, 1, 1)))
    import dataclasses

    import holidays

    told = dataclasses.replace(model, holidays=model.holidays | frozenset(
        holidays.country_holidays("CN", years=[2026])))
    assert date(2026, 1, 1) not in model.holidays
    np.testing.assert_allclose(new_year, told.predict(hist, o, calendar_day=ebian.day_of(
        date(2026, 1, 1))))


def test_gbm_learns_the_public_holidays() -> None:
    """A record whose public holidays run at four times its other days: gbm's forecast of a
    holiday rises above the same day's forecast by a model told of no holiday. With the
    holiday feature fixed at 0 every test passed (a review)."""
    import dataclasses

    import holidays

    from xunfang.intel.methods import Gbm

    rng = np.random.default_rng(3)
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 499, 499))
    first = date(2023, 1, 1)
    off = frozenset(holidays.country_holidays("CN", years=[2023, 2024, 2025]))
    base = rng.uniform(0.05, 0.3, len(units))
    times, where = [], []
    for k in range(900):
        d = first + timedelta(days=k)
        n = rng.poisson(base * (4.0 if d in off else 1.0))
        times += [np.datetime64(d) + np.timedelta64(600, "m")] * int(n.sum())
        where += np.repeat(np.arange(len(units)), n).tolist()
    ev = EventSet.build(units, np.array(times, dtype="datetime64[m]"), units.centroid[where])
    o = ev.day_of(date(2025, 6, 1))
    hist = ev.window(o - 730, o)
    model = Gbm(country="CN").fit(hist)
    blind = dataclasses.replace(model, holidays=frozenset(), country=None)
    for day in (date(2025, 10, 1), date(2026, 1, 1)):  # National Day; New Year's Day
        on = ev.day_of(day)
        assert (model.predict(hist, o, calendar_day=on).sum()
                > 1.5 * blind.predict(hist, o, calendar_day=on).sum())


def test_gbm_learns_the_holidays_a_scenario_declares() -> None:
    """A town whose public holidays and own festival (three days each March, no holiday of
    its country) run at four times its other days: gbm told of the festival by
    scenario.toml's ``[[policy.holidays]]`` forecasts it above the same model told of none.
    The declared holidays had reached the roster only, never the forecast."""
    import dataclasses

    import holidays

    from xunfang.intel.methods import Gbm
    from xunfang.scenario.model import Holiday

    rng = np.random.default_rng(5)
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 499, 499))
    first = date(2023, 1, 1)
    fairs = [Holiday(f"fair {y}", date(y, 3, 14), date(y, 3, 17), workdays=(date(y, 3, 16),))
             for y in (2023, 2024, 2025)]
    off = frozenset().union(*(h.days_off() for h in fairs))
    assert date(2024, 3, 16) not in off and date(2024, 3, 17) in off and len(off) == 9
    public = frozenset(holidays.country_holidays("CN", years=[2023, 2024, 2025]))
    assert not off & public
    base = rng.uniform(0.05, 0.3, len(units))
    times, where = [], []
    for k in range(900):
        d = first + timedelta(days=k)
        n = rng.poisson(base * (4.0 if d in off | public else 1.0))
        times += [np.datetime64(d) + np.timedelta64(600, "m")] * int(n.sum())
        where += np.repeat(np.arange(len(units)), n).tolist()
    ev = EventSet.build(units, np.array(times, dtype="datetime64[m]"), units.centroid[where])
    o = ev.day_of(date(2025, 3, 1))
    hist = ev.window(o - 790, o)
    told = make_method("gbm", country="CN", holidays=off)
    assert isinstance(told, Gbm) and told.declared == off
    model = told.fit(hist)
    assert off <= model.holidays
    blind = dataclasses.replace(model, holidays=model.holidays - off)
    on = ev.day_of(date(2025, 3, 15))
    assert (model.predict(hist, o, calendar_day=on).sum()
            > 1.5 * blind.predict(hist, o, calendar_day=on).sum())


def test_the_json_risk_is_pythons_round_bit_for_bit(ebian: EventSet) -> None:
    """``as_json``'s risk was ``round(float(v), 6)`` of every value in a Python loop (62 s of
    a year of Chicago's cells); the array's rounding must give the same list, the values
    next to a half in their 7th decimal too, where v · 10⁶ itself rounds."""
    import json

    from xunfang.intel.forecast import rounded

    fc = forecast(ebian, Naive(), start=date(2025, 6, 1), days=3, train_days=365)
    doc = fc.as_json()
    loop = [[round(float(v), 6) for v in row]
            for row in fc.risk.transpose(1, 0, 2).reshape(len(fc.units), -1)]
    assert json.dumps(doc["risk"]) == json.dumps(loop)
    rng = np.random.default_rng(3)
    k = rng.integers(0, 10**9, 20_000).astype(float)
    halves = (k + 0.5) / 1e6  # each a double a few units in its last place off the half
    near = np.concatenate([np.nextafter(halves, np.inf), halves, np.nextafter(halves, 0)])
    values = np.concatenate([near, rng.random(20_000) * 10.0 ** rng.integers(-9, 12, 20_000),
                             [0.0, -0.0, -2.5e-7, 0.0078125, 1e300, np.inf, -np.inf, np.nan]])
    want = [round(float(v), 6) for v in values]
    assert json.dumps(rounded(values, 6).tolist()) == json.dumps(want)
    assert (np.array(want[:60_000]) != np.rint(near * 1e6) / 1e6).any()  # numpy's own differ


def test_as_json_takes_no_python_loop_per_value(ebian: EventSet,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounding in a loop of ``round`` was 8 times slower than the array's (62 s of a year
    of Chicago's cells): ``as_json`` now rounds the array at once and calls Python's
    ``round`` only on the few values within a hair of a half. Counted, not timed (timing
    belongs in bench/, on a shared machine)."""
    import builtins

    import xunfang.intel.forecast as F

    fc = forecast(ebian, Naive(), start=date(2025, 6, 1), days=31, train_days=365)
    calls = 0

    def counting(v: float, digits: int | None = None) -> float:
        nonlocal calls
        calls += 1
        return builtins.round(v, digits)

    monkeypatch.setattr(F, "round", counting, raising=False)
    doc = fc.as_json()
    assert calls < 0.01 * fc.risk.size, (calls, fc.risk.size)
    monkeypatch.undo()
    want = [[round(float(v), 6) for v in row]
            for row in fc.risk.transpose(1, 0, 2).reshape(fc.risk.shape[1], -1)]
    assert doc["risk"] == want


def test_a_forecast_holds_two_days_of_hours_not_the_horizons(ebian: EventSet) -> None:
    """The hourly risk of every calendar day was kept beside the result (a year of Chicago's
    cells: 505 MB beside 505 MB); the result is now filled day by day, with the same sums:
    shift slots that straddle midnight add their hours in the same order as ever."""
    import tracemalloc

    args = {"start": date(2025, 6, 1), "train_days": 365}
    fc = forecast(ebian, Naive(), days=365, **args)  # type: ignore[arg-type]
    tracemalloc.start()
    again = forecast(ebian, Naive(), days=365, **args)  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_array_equal(again.risk, fc.risk)
    # the result and some 130 kB of fitting (2.3 times the result when every day was kept)
    assert peak < 1.6 * fc.risk.nbytes, (peak, fc.risk.nbytes)
    # shifts 22-06, 06-14, 14-22: the night sums 00-05 of the next day, then 22-23
    slots = Slots("shift", (22, 6, 14))
    shifts = forecast(ebian, Naive(), days=5, slots=slots, **args)  # type: ignore[arg-type]
    hours = forecast(ebian, Naive(), days=6, **args)  # type: ignore[arg-type]
    want = np.zeros_like(shifts.risk)
    of_hour = slots.of_hour()
    for i in range(5):
        for h in range(24):
            want[i, :, of_hour[h]] += hours.risk[i + 1 if h < 22 else i][:, h]
    np.testing.assert_array_equal(shifts.risk, want)


def test_prospective_is_over_the_days_its_weeks_recorded(ebian: EventSet) -> None:
    """Four of prospective hot-spotting's eight weeks missing from the export: its level
    counted them as days without incidents (half the record's, where naive's is corrected
    for the days its year lacks); it is now over the weeks' recorded days, as naive's."""
    lacking = without(ebian, date(2025, 10, 20), date(2025, 11, 17))
    args = {"start": date(2025, 12, 1), "days": 7, "train_days": 365}
    m = make_method("prospective")
    whole = forecast(ebian, m, **args)  # type: ignore[arg-type]
    cut = forecast(lacking, m, **args)  # type: ignore[arg-type]
    assert cut.details["unrecorded_days"] == 28
    assert cut.details["coverage_factor"] == pytest.approx(56 / 28, abs=1e-4)
    assert cut.risk.sum() == pytest.approx(whole.risk.sum(), rel=0.15)
    assert "coverage_factor" not in whole.details
    # naive's year: the same 28 days over 365
    naive = forecast(lacking, Naive(), **args)  # type: ignore[arg-type]
    assert naive.details["coverage_factor"] == pytest.approx(365 / 337, abs=1e-4)


def test_the_json_names_the_last_day_trained_on(ebian: EventSet) -> None:
    """"trained_to" is the window's exclusive end (a forecast of 2019-03-01 said
    "trained_to": "2019-03-01" while its text said "to 2019-02-28"): kept, and beside it the
    last day itself, in the JSON and the GeoJSON."""
    from xunfang.report.layers import forecast_layer

    fc = forecast(ebian, Naive(), start=date(2025, 12, 1), days=1, train_days=365)
    doc = fc.as_json()
    assert doc["trained_to"] == "2025-12-01" and doc["trained_last_day"] == "2025-11-30"
    assert doc["trained_from"] == "2024-12-01"
    assert (fc.trained_to - fc.trained_from).days == 365
    layer = forecast_layer(fc, "local")
    assert layer["trained_to"] == "2025-12-01" and layer["trained_last_day"] == "2025-11-30"


def test_a_declared_holiday_of_a_later_year_keeps_that_years_public_holidays(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: a scenario declaring next year's Spring Festival lost that year's May Day
    and National Day, the later year being taken as read already (its one declared day)."""
    import xunfang.intel.methods as M

    rng = np.random.default_rng(2)
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 299, 299))
    first = date(2024, 1, 1)
    times, where = [], []
    for k in range(500):
        n = rng.poisson(0.3, len(units))
        times += [np.datetime64(first + timedelta(days=k)) + np.timedelta64(600, "m")] * int(
            n.sum())
        where += np.repeat(np.arange(len(units)), n).tolist()
    ev = EventSet.build(units, np.array(times, dtype="datetime64[m]"), units.centroid[where])
    hist = ev.window(0, 500)
    model = make_method("gbm", country="CN", holidays={date(2027, 2, 10)}).fit(hist)
    seen: list[frozenset[date]] = []
    real = M._features

    def spy(*args: object, **kw: object) -> object:
        seen.append(args[3])  # type: ignore[arg-type]
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(M, "_features", spy)
    for day in (date(2027, 5, 1), date(2027, 10, 1)):
        model.predict(hist, 500, calendar_day=ev.day_of(day))  # type: ignore[attr-defined]
        assert day in seen[-1] and date(2027, 2, 10) in seen[-1]


def test_naive_over_its_own_days_and_a_level_of_no_recorded_day_refused() -> None:
    """Reviews: naive over 90 days with a 27-day hole in them was scaled by the year's
    365/338 (15.4 a day of a record of 20); prospective after a record that stopped more
    than its 8 weeks before forecast 0 everywhere, said nowhere."""
    from xunfang.intel.methods import MethodError

    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 199, 99))
    first = date(2024, 1, 1)
    times, where = [], []
    for k in range(400):
        if 350 <= k < 377:  # the hole: 27 days of no record in naive's last 90
            continue
        times += [np.datetime64(first + timedelta(days=k)) + np.timedelta64(600, "m")] * 20
        where += [k % 2] * 20
    ev = EventSet.build(units, np.array(times, dtype="datetime64[m]"), units.centroid[where])
    fc = forecast(ev, Naive(days=90), start=first + timedelta(days=400), days=1,
                  train_days=365)
    assert fc.details["coverage_factor"] == pytest.approx(90 / 63, abs=1e-4)
    assert fc.risk.sum() == pytest.approx(20.0)
    n = ev.window(0, 240).b  # the record's first 240 days only
    short = EventSet.build(units, np.array(times, dtype="datetime64[m]")[:n],
                           units.centroid[where][:n])
    with pytest.raises(MethodError, match=r"prospective counts the last 56 days of the "
                                          r"training window .* none of which the record "
                                          r"covers: forecast as of the record's end"):
        forecast(short, make_method("prospective"), start=first + timedelta(days=300),
                 days=1, train_days=365)
    ok = forecast(short, make_method("prospective"), start=first + timedelta(days=300),
                  days=1, train_days=365, as_of=first + timedelta(days=240))
    assert ok.risk.sum() == pytest.approx(20.0, rel=0.05)


def test_a_window_whose_last_year_is_unrecorded_forecasts_a_decayed_level() -> None:
    """A read-through: the hole correction divided by the last year's recorded days, none
    of them for a record that stopped more than a year before the window's end (decay,
    train_days 730): ZeroDivisionError. The level is then the older days' decayed one, as
    before the correction, unscaled."""
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 199, 99))
    first = date(2020, 1, 1)
    times = [np.datetime64(first + timedelta(days=k)) + np.timedelta64(600, "m")
             for k in range(300) for _ in range(10)]
    ev = EventSet.build(units, np.array(times, dtype="datetime64[m]"),
                        units.centroid[[k % 2 for k in range(len(times))]])
    fc = forecast(ev, make_method("decay"), start=date(2022, 1, 1), days=1, train_days=730,
                  as_of=date(2021, 12, 31))
    assert fc.risk.sum() > 0 and "coverage_factor" not in fc.details


def test_gbm_keeps_the_level_of_a_short_window_over_a_bare_files_places() -> None:
    """A review (session 19): with the places a bare file's forecast knows taken from the
    window alone, gbm's 2-day forecast of Chicago with a 60-day window came to 50 incidents
    where the window's rate gave 90 (and 98 came): half of a short window's next incidents
    fall in cells it held none in, and their share of the level was lost. In a town whose
    scattered incidents keep finding new cells, gbm's daily level stays near the window's
    rate, as naive's does."""
    rng = np.random.default_rng(11)
    n = 6000
    day = np.sort(rng.integers(0, 400, n))
    hot = rng.uniform(0, 3000, (25, 2))
    xy = np.where(rng.random((n, 1)) < 0.5,
                  hot[rng.integers(0, 25, n)] + rng.normal(0, 60, (n, 2)),
                  rng.uniform(-6000, 9000, (n, 2)))
    times = (np.datetime64("2023-01-01T00:00")
             + (day * 1440 + rng.integers(0, 1440, n)).astype("timedelta64[m]"))
    ev = EventSet.build(U.cells(xy, 250.0, occupied=True), times, xy)
    start = date(2023, 1, 1) + timedelta(days=400)
    rate = n / 400  # 15 a day, steady
    for method in ("naive", "gbm"):
        fc = forecast(ev, make_method(method, naive_days=60), start=start, days=2,
                      train_days=60)
        assert fc.risk.sum() / 2 == pytest.approx(rate, rel=0.2), method
