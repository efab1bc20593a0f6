"""gbm's public and declared holidays on a county's scale: a review found the built-in
county's National Day 2025 forecast the same with China's calendar and without any
(8.96 9.41 9.19 9.25 9.92 10.75 10.01), a declared festival the same as no festival, though
the record runs at 10.95 incidents a day on holidays and 8.22 on workdays. The trees'
holiday column could not split off the county's six holiday label days of a fit (42 rows of
7 grids; a leaf takes 50): the holiday's level is now in the offset, as the weekday's is."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from xunfang.intel import EventSet, forecast, open_incidents
from xunfang.intel import units as U
from xunfang.intel.methods import Gbm
from xunfang.intel.sources import units_for

NATIONAL_DAY = date(2025, 10, 1)


@pytest.fixture(scope="module")
def ebian() -> EventSet:
    src = open_incidents("ebian")
    assert src.scenario is not None
    u = units_for("grids", src.table, src.scenario)
    return EventSet.build(u, src.table.time, src.table.xy)


def _daily(ev: EventSet, method: Gbm, start: date, days: int) -> np.ndarray:
    fc = forecast(ev, method, start=start, days=days, train_days=365)
    return np.asarray(fc.risk.sum(axis=(1, 2)), dtype=float)


def test_the_countys_national_day_is_forecast_above_a_calendar_without_it(
        ebian: EventSet) -> None:
    """1-3 October 2025 (Wednesday to Friday, China's holidays) rise above the same days
    forecast by gbm without a calendar, by about the record's holidays over their weekdays
    (1.3); the days before them (workdays) stay within a few per cent."""
    told = _daily(ebian, Gbm(country="CN"), date(2025, 9, 29), 5)
    blind = _daily(ebian, Gbm(country=None), date(2025, 9, 29), 5)
    ratio = told / blind
    assert (ratio[2:] > 1.15).all() and (ratio[2:] < 1.6).all(), ratio
    assert (abs(ratio[:2] - 1) < 0.05).all(), ratio


def test_a_declared_county_festival_is_forecast_above_the_same_days_undeclared(
        ebian: EventSet) -> None:
    """彝族年 declared 20-22 November 2025 (scenario.toml's [[policy.holidays]], less the
    make-up working day 23 November): those days rise, the make-up day does not."""
    festival = frozenset({date(2025, 11, 20), date(2025, 11, 21), date(2025, 11, 22)})
    told = _daily(ebian, Gbm(country="CN", declared=festival), date(2025, 11, 17), 7)
    plain = _daily(ebian, Gbm(country="CN"), date(2025, 11, 17), 7)
    ratio = told / plain
    assert (ratio[3:6] > 1.15).all(), ratio
    assert (abs(ratio[[0, 1, 2, 6]] - 1) < 0.05).all(), ratio


def _record(factor: float, seed: int = 1) -> tuple[EventSet, frozenset[date]]:
    """Seven units at about eight incidents a day over two years, ``factor`` times as many
    on China's public holidays."""
    import holidays

    rng = np.random.default_rng(seed)
    units = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 699, 99))
    first = date(2023, 1, 1)
    off = frozenset(holidays.country_holidays("CN", years=[2023, 2024, 2025]))
    base = rng.uniform(0.5, 2.0, len(units))
    base *= 8.0 / base.sum()
    times: list[Any] = []
    where: list[int] = []
    for k in range(730):
        d = first + timedelta(days=k)
        n = rng.poisson(base * (factor if d in off else 1.0))
        times += [np.datetime64(d) + np.timedelta64(600, "m")] * int(n.sum())
        where += np.repeat(np.arange(len(units)), n).tolist()
    ev = EventSet.build(units, np.array(times, dtype="datetime64[m]"), units.centroid[where])
    return ev, off


def test_the_holiday_factor_is_the_records_holidays_over_their_weekdays() -> None:
    from xunfang.intel.forecast import holiday_factor

    ev, off = _record(1.4)
    hist = ev.window(ev.day_of(date(2024, 1, 1)), ev.day_of(date(2025, 1, 1)))
    assert 1.25 < holiday_factor(hist, off) < 1.55
    assert holiday_factor(hist, frozenset()) == 1.0
    # holidays outside the window count for nothing
    assert holiday_factor(hist, frozenset({date(2022, 10, 3), date(2026, 10, 1)})) == 1.0
    flat, off = _record(1.0)
    hist = flat.window(flat.day_of(date(2024, 1, 1)), flat.day_of(date(2025, 1, 1)))
    assert 0.85 < holiday_factor(hist, off) < 1.15


def test_gbm_learns_a_county_sized_holiday_effect() -> None:
    """Seven units, eight incidents a day, holidays at 1.4 times: gbm's forecast of 1 October
    2024 is above the same fit told of no holiday, by about the effect; a workday's is not."""
    import dataclasses

    ev, _ = _record(1.4, seed=2)
    o = ev.day_of(date(2024, 9, 28))
    hist = ev.window(o - 365, o)
    model = Gbm(country="CN").fit(hist)
    blind = dataclasses.replace(model, holidays=frozenset(), country=None)
    on = ev.day_of(NATIONAL_DAY.replace(year=2024))
    ratio = (model.predict(hist, o, calendar_day=on).sum()
             / blind.predict(hist, o, calendar_day=on).sum())
    assert 1.2 < ratio < 1.7, ratio
    work = ev.day_of(date(2024, 9, 30))
    assert (model.predict(hist, o, calendar_day=work).sum()
            == pytest.approx(blind.predict(hist, o, calendar_day=work).sum()))


def test_a_scenario_without_a_country_says_so() -> None:
    """scenario.toml ``country = "none"``: the note read "gbm:  public holidays (scenario.toml
    country)", a blank country (a review)."""
    from xunfang.cli.intel import _holidays_of
    from xunfang.scenario.model import Holiday, Policy

    class Sc:
        country = ""
        policy = Policy(holidays=(Holiday("彝族年", date(2025, 11, 20), date(2025, 11, 22),
                                          workdays=(date(2025, 11, 23),)),))

    code, declared, note = _holidays_of(None, Sc(), "Asia/Shanghai")
    assert not code and len(declared) == 3
    assert note == ("gbm: no public-holiday calendar (scenario.toml country = \"none\"), and "
                    "the 3 days of scenario.toml's [[policy.holidays]]")


def test_every_method_forecasts_a_holiday_at_the_windows_holidays_level(
        ebian: EventSet) -> None:
    """naive (auto's usual choice for the county, and the plan's default path) knew no
    calendar: a declared festival left the plan's forecast as it was. Told the holidays, a
    method without a calendar of its own raises them by the window's holidays over their
    weekdays (:func:`holiday_factor`), the other days as they were."""
    from xunfang.intel.forecast import holiday_factor
    from xunfang.intel.methods import Naive, holiday_calendar

    # China's holidays of the window give the level; the festival is declared beside them
    festival = holiday_calendar("CN", date(2024, 1, 1), date(2025, 12, 31)) | {
        date(2025, 11, 20), date(2025, 11, 21), date(2025, 11, 22)}
    start = date(2025, 11, 17)
    told = forecast(ebian, Naive(days=365), start=start, days=7, train_days=365,
                    holidays=festival)
    plain = forecast(ebian, Naive(days=365), start=start, days=7, train_days=365)
    ratio = told.risk.sum(axis=(1, 2)) / plain.risk.sum(axis=(1, 2))
    o = ebian.day_of(start)
    expect = holiday_factor(ebian.window(o - 365, o), festival)
    assert expect > 1.05
    # (the night shift of a holiday's eve runs into it: the roster day before holds a part)
    np.testing.assert_allclose(ratio[3:6], expect, rtol=0.05)
    assert abs(ratio[0] - 1) < 1e-9 and abs(ratio[1] - 1) < 1e-9
    assert told.details["holiday_factor"] == pytest.approx(expect, abs=1e-3)
    assert told.details["holiday_days"] == ["2025-11-20", "2025-11-21", "2025-11-22"]
    assert "holiday_factor" not in plain.details


def test_the_plans_forecast_raises_a_declared_festival(tmp_path: Any) -> None:
    """The plan's risk stage passes the scenario's country's holidays and its declared ones."""
    import shutil
    from pathlib import Path

    from xunfang import scenario as scenario_mod
    from xunfang.intel.stage import grid_forecast

    src = Path(scenario_mod.__file__).parent.parent / "scenarios" / "ebian"
    shutil.copytree(src, tmp_path / "fest")
    toml = tmp_path / "fest" / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + (
        '\n[[policy.holidays]]\nname = "彝族年"\nfrom = 2025-11-20\nto = 2025-11-22\n'),
        encoding="utf-8")
    base = scenario_mod.load("ebian")
    fest = scenario_mod.load(tmp_path / "fest")
    a = grid_forecast(base, start=date(2025, 11, 19), days=3, method="naive").forecast
    b = grid_forecast(fest, start=date(2025, 11, 19), days=3, method="naive").forecast
    ratio = b.risk.sum(axis=(1, 2)) / a.risk.sum(axis=(1, 2))
    assert ratio[1] > 1.05 and ratio[2] > 1.05, ratio
    assert b.details["holiday_days"] == ["2025-11-20", "2025-11-21"]


def test_country_none_on_the_command_line_is_no_calendar() -> None:
    from xunfang.cli.intel import _holidays_of

    code, declared, note = _holidays_of("none", None, "Asia/Shanghai")
    assert code is None and not declared
    assert note == "gbm: no public-holiday calendar (--country none)"


def _runs(days: frozenset[date]) -> list[tuple[date, date]]:
    runs: list[list[date]] = []
    for d in sorted(days):
        if runs and (d - runs[-1][1]).days == 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [(a, b) for a, b in runs]


# The State Council's notices of 2025's and 2026's holidays (国办发明电〔2024〕12号, 12 November
# 2024; the notice of 4 November 2025, gov.cn gongbao 2025 issue 12406, the holidays
# package's own reference for 2026): each period "X至Y放假(调休)" and its make-up working
# days "上班". Facts of the notices, not the code's output.
CN_PERIODS = [
    (date(2025, 1, 1), date(2025, 1, 1)), (date(2025, 1, 28), date(2025, 2, 4)),
    (date(2025, 4, 4), date(2025, 4, 6)), (date(2025, 5, 1), date(2025, 5, 5)),
    (date(2025, 5, 31), date(2025, 6, 2)), (date(2025, 10, 1), date(2025, 10, 8)),
    (date(2026, 1, 1), date(2026, 1, 3)), (date(2026, 2, 15), date(2026, 2, 23)),
    (date(2026, 4, 4), date(2026, 4, 6)), (date(2026, 5, 1), date(2026, 5, 5)),
    (date(2026, 6, 19), date(2026, 6, 21)), (date(2026, 9, 25), date(2026, 9, 27)),
    (date(2026, 10, 1), date(2026, 10, 7))]
CN_WORKDAYS = [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
               date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
               date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)]


def test_chinas_holidays_are_the_state_councils_periods() -> None:
    """The holidays package names the days off of a period but not its weekend days
    (National Day 2026: 1-3 and 5-7 October, Sunday the 4th left a weekend day; the Spring
    Festival's 21-22 February and Sunday the 15th): a holiday period is the run of days off
    that holds a named day, every day of it, the make-up working days (调休, which the
    package gives) worked."""
    from xunfang.intel.methods import holiday_calendar

    cal = holiday_calendar("CN", date(2025, 1, 1), date(2026, 12, 31))
    assert _runs(cal) == CN_PERIODS
    assert not cal & set(CN_WORKDAYS)
    assert date(2026, 10, 4) in cal and date(2026, 2, 15) in cal
    # a year's calendar alone holds its periods too (one over New Year: its own days)
    assert holiday_calendar("CN", date(2026, 1, 1), date(2026, 1, 1)) == frozenset(
        d for d in cal if d.year == 2026)


def test_elsewhere_only_a_weekend_between_two_holidays_is_one() -> None:
    """Easter's Saturday and Sunday between Good Friday and Easter Monday are holidays;
    a weekend that merely adjoins one (the United States' observed Friday 3 July 2026 and
    Saturday the 4th: Sunday the 5th) is not."""
    from xunfang.intel.methods import holiday_calendar

    de = holiday_calendar("DE", date(2026, 1, 1), date(2026, 12, 31))
    assert {date(2026, 4, 3), date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6)} <= de
    us = holiday_calendar("US", date(2026, 1, 1), date(2026, 12, 31))
    assert {date(2026, 7, 3), date(2026, 7, 4)} <= us and date(2026, 7, 5) not in us
    assert date(2026, 7, 2) not in us


def test_holiday_periods_bridge_as_said() -> None:
    from xunfang.intel.methods import holiday_periods

    fri, mon = date(2026, 10, 2), date(2026, 10, 5)
    sat, sun = date(2026, 10, 3), date(2026, 10, 4)
    wk = frozenset({5, 6})
    assert holiday_periods(frozenset({fri, mon}), weekend=wk) == {fri, sat, sun, mon}
    # a made-up Saturday breaks the run
    assert holiday_periods(frozenset({fri, mon}), weekend=wk,
                           workdays=frozenset({sat})) == {fri, mon}
    # an adjoining weekend: China's whole period only
    assert holiday_periods(frozenset({fri}), weekend=wk) == {fri}
    assert holiday_periods(frozenset({fri}), weekend=wk, whole=True) == {fri, sat, sun}
    assert holiday_periods(frozenset(), weekend=wk) == frozenset()


def test_gbms_forecast_names_the_holidays_it_raised(ebian: EventSet) -> None:
    """gbm's offset raises a holiday by the window's holidays over their weekdays, which its
    details named nowhere (the other methods' did): the horizon's holiday days and the factor
    are in them, for the plan's risk stage and `intel forecast` to show."""
    from xunfang.intel.forecast import holiday_factor

    start = date(2025, 9, 29)
    fc = forecast(ebian, Gbm(country="CN"), start=start, days=5, train_days=365)
    assert fc.details["holiday_days"] == ["2025-10-01", "2025-10-02", "2025-10-03"]
    o = ebian.day_of(start)
    model = Gbm(country="CN").fit(ebian.window(o - 365, o))
    expect = holiday_factor(ebian.window(o - 365, o), model.holidays)
    assert expect > 1.05
    assert fc.details["holiday_factor"] == round(expect, 3)
    assert "offset" in fc.details["holiday_factor_of"]
    blind = forecast(ebian, Gbm(country=None), start=start, days=5, train_days=365)
    assert "holiday_days" not in blind.details


def test_the_countys_national_day_2026_is_raised_every_day() -> None:
    """The plan's forecast of National Day 2026 raised 1-3 and 5-7 October and left Sunday
    the 4th, inside the period, at a Sunday's level."""
    from xunfang import scenario as scenario_mod
    from xunfang.intel.stage import grid_forecast

    sc = scenario_mod.load("ebian")
    fc = grid_forecast(sc, start=date(2026, 10, 1), days=7, method="naive").forecast
    assert fc.details["holiday_days"] == [f"2026-10-0{k}" for k in range(1, 8)]
    for m in ("gbm",):
        g = grid_forecast(sc, start=date(2026, 10, 1), days=7, method=m).forecast
        assert g.details["holiday_days"] == fc.details["holiday_days"]
