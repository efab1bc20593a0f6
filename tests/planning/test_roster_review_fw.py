"""The roster after review AX: leave by the hour, the scenario's country, the labour rules and
the rotation from scenario.toml, a time-out that is not an infeasibility, duplicate teams."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

import xunfang
from xunfang import scenario as scenario_mod
from xunfang._errors import ScenarioError
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


# --- faults 3 and 4: the rules and the rotation from scenario.toml [policy.roster] ---------------


def _with_roster(sc: Scenario, **kw: object) -> Scenario:
    roster = dataclasses.replace(sc.policy.roster, **kw)  # type: ignore[arg-type]
    return dataclasses.replace(sc, policy=dataclasses.replace(sc.policy, roster=roster))


def _folder(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "county"
    shutil.copytree(Path(xunfang.__file__).parent / "scenarios" / "ebian", folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return folder


def test_roster_settings_are_read_and_checked(tmp_path: Path) -> None:
    sc = scenario_mod.load(str(_folder(tmp_path, "[policy.roster]\nmax_week_hours = 60\n"
                                       "min_rest_hours = 12\nanchor = 2027-01-01\n"
                                       "phases = {A = 1, B = 7, C = 5, D = 3}\n")))
    rules = R.RosterRules.of(sc.policy)
    assert rules.max_week_hours == 60 and rules.min_rest_hours == 12
    assert rules.max_consecutive_days == 6 and rules.max_duty_hours == 12
    assert sc.policy.roster.anchor == date(2027, 1, 1)
    assert dict(sc.policy.roster.phases) == {"A": 1, "B": 7, "C": 5, "D": 3}
    bad = _folder(tmp_path / "bad", "[policy.roster]\nmax_week_hours = 0\nrest = 3\n")
    with pytest.raises(ScenarioError) as info:
        scenario_mod.load(str(bad))
    cols = {(p.file, p.column) for p in info.value.problems}
    assert ("scenario.toml", "policy.roster.max_week_hours") in cols
    assert ("scenario.toml", "policy.roster.rest") in cols


def test_three_two_is_refused_in_one_line_naming_the_setting(ebian: Scenario) -> None:
    with pytest.raises(R.RosterInfeasible) as info:
        R.make_roster(ebian, date(2026, 3, 2), 7, pattern_spec="3-2", teams=["A", "B", "C"])
    assert len(info.value.violations) == 1
    v = info.value.violations[0]
    assert v.rule == "weekly-hours" and "max_week_hours = 60" in v.message
    assert "[policy.roster]" in v.message and "scenario.toml" in v.message


def test_three_two_works_under_its_rules_from_the_scenario(ebian: Scenario) -> None:
    sc = _with_roster(ebian, max_week_hours=60)
    res = R.make_roster(sc, date(2026, 3, 2), 7, pattern_spec="3-2", teams=["A", "B", "C"],
                        time_limit=30)
    assert res.rules.max_week_hours == 60
    assert not [v for v in res.violations if v.rule == "weekly-hours"]
    assert max(h.total_hours for h in res.hours.values() if h.rotating) <= 60


def test_phases_put_each_team_on_its_day_of_the_cycle(ebian: Scenario) -> None:
    # odd days of 4-3's cycle: no order of --teams reaches them (each team 2 days apart)
    phases = {"A": 1, "B": 7, "C": 5, "D": 3}
    anchor = date(2026, 3, 1)
    sc = _with_roster(ebian, anchor=anchor, phases=phases)
    start = date(2026, 3, 2)
    res = R.make_roster(sc, start, 2, time_limit=30)
    assert not [v for v in res.violations if v.rule == "team-coverage"]
    p = R.pattern("4-3")
    for team, k in phases.items():
        for d in (start, start + timedelta(days=1)):
            code = p.cycle[((d - anchor).days + k) % len(p.cycle)]
            want = p.shifts[code].name if code in p.shifts else None
            got = {du.shift for du in res.rows if du.team == team and du.day == d
                   and du.kind == "regular"}
            assert got == ({want} if want else set()), (team, d)


@pytest.mark.parametrize(("phases", "rule"), [
    ({"A": 0, "B": 6, "C": 4}, "phase-missing"),
    ({"A": 0, "B": 6, "C": 4, "D": 2, "X": 1}, "unknown-team"),
    ({"A": 0, "B": 6, "C": 4, "D": 9}, "bad-phase"),
    ({"A": 0, "B": 0, "C": 4, "D": 6}, "phase-coverage"),
])
def test_bad_phases_name_the_setting(ebian: Scenario, phases: dict[str, int],
                                     rule: str) -> None:
    with pytest.raises(ScenarioError) as info:
        R.make_roster(_with_roster(ebian, phases=phases), date(2026, 3, 2), 1)
    hit = [p for p in info.value.problems if p.rule == rule]
    assert hit and hit[0].file == "scenario.toml" and hit[0].column == "policy.roster.phases"


def test_history_of_another_rotation_says_they_do_not_line_up(ebian: Scenario) -> None:
    before = R.make_roster(ebian, date(2026, 3, 2), 3, time_limit=30)
    # the same rows, read as the history of a rotation one day further on
    shifted = _with_roster(ebian, phases={"A": 1, "B": 7, "C": 5, "D": 3})
    with pytest.raises(ScenarioError) as info:
        R.make_roster(shifted, date(2026, 3, 5), 1, history=before.rows)
    hit = [p for p in info.value.problems if p.rule == "rotation-mismatch"]
    # each team named with its last worked day of the history that the rotation contradicts
    assert hit and all("don't line up" in p.message and p.file == "--history" for p in hit)
    assert all(any(f"on 2026-03-0{k} " in p.message for k in (2, 3, 4)) for p in hit)
    assert {p.message.split()[1] for p in hit} == {"A", "B", "C", "D"}
    # the history of the same rotation is accepted
    R.make_roster(ebian, date(2026, 3, 5), 1, history=before.rows, time_limit=30)


# --- a whole team on leave ------------------------------------------------------------------------


def test_team_coverage_names_a_team_all_on_leave(ebian: Scenario) -> None:
    d0 = date(2026, 3, 2)
    people = {q.id: q for q in ebian.people if q.team in ("A", "B")}
    duty = [R.Duty(d0, pid, "A", "early", datetime(2026, 3, 2, 8), datetime(2026, 3, 2, 16))
            for pid, q in people.items() if q.team == "A"]
    leave = [Leave(pid, d0, d0) for pid, q in people.items() if q.team == "B"]
    cal = R.day_calendar(d0, 1, ebian.policy)
    out = R.check_roster(duty, rules=R.RosterRules(), leave=leave, people=people,
                         calendar=cal, rotating_teams=["A", "B"], teams_on_duty=1)
    gaps = [v for v in out if v.rule == "team-coverage"]
    assert len(gaps) == 16
    assert all("team B is absent" in v.message and "on leave" in v.message for v in gaps)
    assert not any("team A" in v.message for v in gaps)


def test_scenario_check_judges_the_pattern_by_the_scenario_rules(tmp_path: Path) -> None:
    from xunfang.scenario.loader import check

    def warned(folder: Path) -> list[str]:
        return [p.message for p in check(str(folder)).problems
                if p.column == "policy.shift_pattern"]

    three_two = 'shift_pattern = "3-2"\nshift_starts = [8, 20]\n'
    for sub, roster, want in (("a", "", True),
                              ("b", "[policy.roster]\nmax_week_hours = 60\n", False)):
        folder = _folder(tmp_path / sub, roster)
        toml = folder / "scenario.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace(
            'shift_pattern = "4-3"\nshift_starts = [8, 16, 0]\n', three_two), encoding="utf-8")
        assert bool(warned(folder)) == want, warned(folder)


# --- fault 9: both ends of one shift -------------------------------------------------------------


def test_both_ends_of_one_shift_may_be_extended(ebian: Scenario) -> None:
    # demand just before and just after the early shift: 2 h before + 8 h + 2 h after is
    # 12 h on end, within the rules; it was refused as a 8-hour rest between the two
    d = date(2026, 3, 3)  # a Tuesday
    surges = (R.SurgeRule("before", 50, (6, 7)), R.SurgeRule("after", 50, (16, 17)))
    res = R.make_roster(ebian, d, 1, surges=surges, time_limit=30)
    assert res.violations == ()
    by_person: dict[str, list[R.Duty]] = {}
    for du in res.rows:
        by_person.setdefault(du.person, []).append(du)
    both = [p for p, ds in by_person.items()
            if any(x.kind == "special" and x.end == datetime(2026, 3, 3, 8) for x in ds)
            and any(x.kind == "special" and x.start == datetime(2026, 3, 3, 16) for x in ds)
            and any(x.kind == "regular" and x.start == datetime(2026, 3, 3, 8)
                    and x.end == datetime(2026, 3, 3, 16) for x in ds)]
    assert both
    for p in both:  # never more than 12 h on end
        assert sum(x.hours for x in by_person[p] if x.day == d) <= 12
