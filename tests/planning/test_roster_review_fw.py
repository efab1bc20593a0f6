"""The roster after review AX: leave by the hour, the scenario's country, the labour rules and
the rotation from scenario.toml, a time-out that is not an infeasibility, duplicate teams."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from xunfang import scenario as scenario_mod
from xunfang.planning import roster as R
from xunfang.scenario.model import Leave, Scenario

H = timedelta(hours=1)


@pytest.fixture(scope="module")
def ebian() -> Scenario:
    return scenario_mod.load("ebian")


def _night_team(d: date) -> str:
    """The team of ebian's default 4-3 rotation on the night shift of roster day ``d``."""
    cal = R.team_calendar(R.pattern("4-3"), ["A", "B", "C", "D"], d, 1)
    return next(td.team for td in cal if td.code == "N")


# --- fault 1: leave dates are whole calendar days ------------------------------------------------


def test_checker_flags_a_night_shift_reaching_into_a_leave_date() -> None:
    d0 = date(2027, 1, 8)
    night = R.Duty(d0, "p", "B", "night", datetime(2027, 1, 9, 0), datetime(2027, 1, 9, 8))
    lv = Leave("p", date(2027, 1, 9), date(2027, 1, 12))
    hit = R.check_roster([night], rules=R.RosterRules(), leave=[lv])
    assert [v.rule for v in hit] == ["leave"]
    assert "01-09 00:00" in hit[0].message
    # a duty ending at 24:00 of the day before the leave touches none of its hours
    eve = R.Duty(d0, "p", "B", "special", datetime(2027, 1, 8, 20), datetime(2027, 1, 9, 0),
                 kind="special")
    assert R.check_roster([eve], rules=R.RosterRules(), leave=[lv]) == []


def test_no_duty_on_any_hour_of_a_leave_date(ebian: Scenario) -> None:
    start = date(2026, 3, 2)
    # a leave starting the day after a night shift of the person's team: the night of the
    # roster day before runs 00:00–08:00 on the leave's first date
    d = next(start + timedelta(days=k) for k in range(8)
             if _night_team(start + timedelta(days=k)) == "A")
    person = next(q.id for q in ebian.people if q.team == "A" and q.role != "police")
    first = d + timedelta(days=1)
    lv = Leave(person, first, first + timedelta(days=2))
    res = R.make_roster(ebian, start, 10, extra_leave=(lv,), time_limit=30)
    a = datetime.combine(lv.start, datetime.min.time())
    b = datetime.combine(lv.end + timedelta(days=1), datetime.min.time())
    mine = [du for du in res.rows if du.person == person]
    assert mine and not [du for du in mine if du.start < b and du.end > a]
    assert not [v for v in res.violations if v.rule == "leave"]


# --- fault 2: the scenario's country's holidays --------------------------------------------------


def test_calendar_of_another_country_has_no_makeup_days() -> None:
    from xunfang.scenario.model import Policy

    cal = {c.day: c for c in R.day_calendar(date(2026, 9, 19), 100, Policy(), country="US")}
    assert cal[date(2026, 10, 1)].kind == "workday"  # no National Day in the US
    assert cal[date(2026, 9, 20)].kind == "weekend" and not cal[date(2026, 9, 20)].makeup
    assert cal[date(2026, 11, 26)].kind == "holiday"  # Thanksgiving
    assert cal[date(2026, 12, 25)].kind == "holiday"
    assert not any(c.makeup for c in cal.values())


def test_roster_uses_the_scenario_country(ebian: Scenario) -> None:
    us = dataclasses.replace(ebian, country="US")
    res = R.make_roster(us, date(2026, 11, 25), 2, time_limit=30)
    kinds = {c.day: c.kind for c in res.calendar}
    assert kinds == {date(2026, 11, 25): "workday", date(2026, 11, 26): "holiday"}
    assert any(du.kind == "special" and "holiday" in du.reason for du in res.rows)
