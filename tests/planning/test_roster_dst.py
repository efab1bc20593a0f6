"""Roster hours across a daylight-saving change: elapsed time in the scenario's timezone.

America/Chicago moves its clocks at 02:00 on 2026-03-08 (to 03:00) and on 2026-11-01 (back
to 01:00): the night shift 00:00–08:00 of those mornings lasts 7 h and 9 h. The roster's
hours, weekly sums, unbroken length and rest gaps are that elapsed time; roster.csv keeps the
wall-clock start/end and gives their UTC offsets.
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest

from xunfang import scenario as scenario_mod
from xunfang.planning import roster as R
from xunfang.scenario.model import Scenario

CHI = "America/Chicago"


def _duty(a: datetime, b: datetime, tz: str = CHI, person: str = "p1",
          shift: str = "night") -> R.Duty:
    day = a.date() if a.hour else date.fromordinal(a.toordinal() - 1)
    return R.Duty(day, person, "A", shift, a, b, tz=tz)


@pytest.mark.parametrize(("a", "b", "hours"), [
    (datetime(2026, 3, 8, 0), datetime(2026, 3, 8, 8), 7.0),    # spring forward
    (datetime(2026, 11, 1, 0), datetime(2026, 11, 1, 8), 9.0),  # fall back
    (datetime(2026, 3, 9, 0), datetime(2026, 3, 9, 8), 8.0),    # an ordinary day
])
def test_duty_hours_are_elapsed_in_the_timezone(a: datetime, b: datetime, hours: float) -> None:
    assert _duty(a, b).hours == hours
    assert _duty(a, b, tz="").hours == 8.0  # no timezone: the wall clock, as before
    assert _duty(a, b, tz="Asia/Shanghai").hours == 8.0  # no daylight saving


def test_a_clock_change_alone_breaks_no_labour_rule() -> None:
    """Hours are elapsed (7 on the spring night, 13 for 00:00-12:00 on the autumn one), but
    the labour rules are judged on the kinder of the clock's and the elapsed hours. A review:
    judged on elapsed time, every 12-hour pattern broke the 12 h limit on the autumn night
    (13 h), for every person, and the week could not be planned."""
    # 22:00 → 09:00 is 11 h on the clock, 10 h of rest on the night the clocks go forward
    first = _duty(datetime(2026, 3, 7, 14), datetime(2026, 3, 7, 22), shift="middle")
    second = _duty(datetime(2026, 3, 8, 9), datetime(2026, 3, 8, 17), shift="early")
    assert R.check_roster([first, second], rules=R.RosterRules(min_rest_hours=11)) == []
    # ... but 10 h on the clock (9 elapsed) is short either way
    early = dataclasses.replace(second, start=datetime(2026, 3, 8, 8),
                                end=datetime(2026, 3, 8, 16))
    v = R.check_roster([first, early], rules=R.RosterRules(min_rest_hours=11))
    assert [x.rule for x in v] == ["rest"] and "only 10 h rest" in v[0].message
    # 00:00–12:00 on 2026-11-01: 13 h worked, within a 12 h limit; 00:00-13:00 is not
    long = _duty(datetime(2026, 11, 1, 0), datetime(2026, 11, 1, 12))
    assert long.hours == 13
    assert R.check_roster([long], rules=R.RosterRules(max_duty_hours=12)) == []
    longer = dataclasses.replace(long, end=datetime(2026, 11, 1, 13))
    v = R.check_roster([longer], rules=R.RosterRules(max_duty_hours=12))
    assert [x.rule for x in v] == ["max-duty-hours"] and "13 h" in v[0].message
    # seven 8-hour nights from 2026-11-01: 57 elapsed hours, 56 on the clock
    nights = [_duty(datetime(2026, 11, d, 0), datetime(2026, 11, d, 8), person="p2")
              for d in range(1, 8)]
    assert sum(d.hours for d in nights) == 57
    rules = R.RosterRules(max_week_hours=56, max_consecutive_days=7)
    assert R.check_roster(nights, rules=rules) == []
    v = R.check_roster(nights, rules=dataclasses.replace(rules, max_week_hours=55))
    assert [x.rule for x in v] == ["weekly-hours"] and "57 h" in v[0].message


def test_special_duties_get_no_share_of_the_hour_the_clock_excuses() -> None:
    """A review: with every duty judged kindly, the solver filled the autumn week's spare
    hour with special duties (57 h worked against a 56 h cap). Only the regular pattern's
    own hour is excused; a special duty is judged on elapsed hours."""
    rules = R.RosterRules(max_week_hours=56, max_consecutive_days=7, max_duty_hours=12,
                          min_rest_hours=11)
    # six regular nights from the autumn night: 49 h elapsed, 48 on the clock
    nights = [_duty(datetime(2026, 11, d, 0), datetime(2026, 11, d, 8), person="p3")
              for d in range(1, 7)]
    assert R.check_roster(nights, rules=rules) == []
    special = dataclasses.replace(
        _duty(datetime(2026, 11, 6, 12), datetime(2026, 11, 6, 20), person="p3",
              shift="special"), kind="special")
    v = R.check_roster([*nights, special], rules=dataclasses.replace(rules, min_rest_hours=4))
    assert [x.rule for x in v] == ["weekly-hours"] and "57 h" in v[0].message
    assert "(at most 56 h)" in v[0].message
    # a special duty joined to the autumn night: 13 h elapsed, over 12 (regular: excused)
    pre = dataclasses.replace(
        _duty(datetime(2026, 10, 31, 20), datetime(2026, 11, 1, 0), person="p4",
              shift="special"), kind="special")
    night = _duty(datetime(2026, 11, 1, 0), datetime(2026, 11, 1, 8), person="p4")
    v = R.check_roster([pre, night], rules=rules)
    assert [x.rule for x in v] == ["max-duty-hours"] and "13 h" in v[0].message


def test_a_roster_across_the_autumn_change_keeps_its_weekly_cap() -> None:
    """The review's roster (4-2 in America/Chicago, 2026-10-25 to 11-07), recounted here in
    elapsed hours with zoneinfo: no 7 days hold more than 56 h, unless the regular duties
    alone hold more (56 on the clock, 57 worked) and no special duty is among them."""
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    sc = dataclasses.replace(scenario_mod.load("ebian"), timezone=CHI)
    r = R.make_roster(sc, date(2026, 10, 25), 14, pattern_spec="4-2")
    assert r.violations == ()
    z = ZoneInfo(CHI)

    def worked(d: R.Duty) -> float:
        return (d.end.replace(tzinfo=z).astimezone(UTC)
                - d.start.replace(tzinfo=z).astimezone(UTC)) / timedelta(hours=1)

    by_person: dict[str, list[R.Duty]] = {}
    for d in r.rows:
        by_person.setdefault(d.person, []).append(d)
    over = 0
    for duties in by_person.values():
        for k in range(14 - 6):
            first = date(2026, 10, 25) + timedelta(days=k)
            week = [d for d in duties if 0 <= (d.day - first).days < 7]
            total = sum(worked(d) for d in week)
            if total > 56:
                over += 1
                assert all(d.kind == "regular" for d in week)
                assert sum((d.end - d.start) / timedelta(hours=1) for d in week) <= 56
    assert any(d.kind == "special" for d in r.rows)


def test_a_twelve_hour_pattern_is_planned_across_the_autumn_change() -> None:
    """The review's case: the 4-2 pattern (12-hour shifts) in America/Chicago over the night
    the clocks go back: a roster, no violation, the long night's hours 13."""
    sc = dataclasses.replace(scenario_mod.load("ebian"), timezone=CHI)
    r = R.make_roster(sc, date(2026, 10, 30), 4, pattern_spec="4-2")
    assert r.violations == ()
    nights = {d.hours for d in r.rows if d.start == datetime(2026, 10, 31, 20)
              and d.end == datetime(2026, 11, 1, 8)}
    assert nights == {13}


@pytest.fixture(scope="module")
def chicago() -> Scenario:
    return dataclasses.replace(scenario_mod.load("ebian"), timezone=CHI)


@pytest.mark.parametrize(("first", "night_day", "hours"), [
    (date(2026, 3, 7), date(2026, 3, 8), 7.0), (date(2026, 10, 31), date(2026, 11, 1), 9.0)])
def test_roster_night_shift_across_the_change(chicago: Scenario, tmp_path: Path, first: date,
                                              night_day: date, hours: float) -> None:
    r = R.make_roster(chicago, first, 1, seed=0, time_limit=10.0)
    nights = [d for d in r.rows if d.shift == "night"]
    assert nights and all(d.start == datetime.combine(night_day, datetime.min.time())
                          for d in nights)
    assert {d.hours for d in nights} == {hours}
    # each person's regular hours are the elapsed hours of their shifts
    for pid, ph in r.hours.items():
        worked = sum(d.hours for d in r.rows if d.person == pid and d.kind == "regular")
        assert ph.regular_hours == pytest.approx(worked)
    assert any(ph.regular_hours == hours for ph in r.hours.values())
    assert r.violations == ()
    p = R.write_csv(r, tmp_path / "roster.csv")
    with p.open(encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["shift"] == "night"]
    assert rows and all(row["start"] == f"{night_day}T00:00" for row in rows)
    assert all(row["end"] == f"{night_day}T08:00" for row in rows)  # wall clock kept
    assert {float(row["hours"]) for row in rows} == {hours}
    offsets = {(row["start_utc_offset"], row["end_utc_offset"]) for row in rows}
    assert offsets == ({("-06:00", "-05:00")} if hours == 7 else {("-05:00", "-06:00")})
