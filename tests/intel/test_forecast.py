"""Forecasts of a planning horizon: slots, the time-of-day profile, the built-in county."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from xunfang.intel import EventSet, MethodError, Slots, forecast, open_incidents, week_hour_profile
from xunfang.intel import units as U
from xunfang.intel.methods import Naive
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


def test_hourly_forecast_splits_the_daily_rate(ebian: EventSet) -> None:
    fc = forecast(ebian, Naive(days=365), start=date(2025, 6, 1), days=2, train_days=365)
    assert fc.risk.shape == (2, len(ebian.units), 24)
    origin = ebian.day_of(date(2025, 6, 1))
    daily = Naive(days=365).predict(ebian.window(origin - 365, origin), origin)
    np.testing.assert_allclose(fc.risk[0].sum(axis=1), daily)
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
