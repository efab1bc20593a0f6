"""The roster after review BC: unbroken stretches of chained duties, the pattern refusal's
numbers, the shapes of special duty."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pytest

from xunfang import scenario as scenario_mod
from xunfang.planning import roster as R
from xunfang.planning.roster import solve as rsolve
from xunfang.planning.roster.solve import _pattern_keeps_rules
from xunfang.scenario.model import Scenario


@pytest.fixture(scope="module")
def ebian() -> Scenario:
    return scenario_mod.load("ebian")


def _longest_unbroken(rows: tuple[R.Duty, ...]) -> dict[str, float]:
    """Each person's longest stretch of touching or overlapping duties, in clock hours: an
    independent merge of the rows (not the roster's checker)."""
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for du in rows:
        spans[du.person].append((du.start, du.end))
    out: dict[str, float] = {}
    for pid, ss in spans.items():
        ss.sort()
        best = 0.0
        a, b = ss[0]
        for x, y in [*ss[1:], (datetime.max, datetime.max)]:
            if x <= b:
                b = max(b, y)
                continue
            best = max(best, (b - a).total_seconds() / 3600)
            a, b = x, y
        out[pid] = best
    return out


# --- fault 1: extensions on both ends of a shift, and chains, within max_duty_hours ---------------


def _under_heavy_demand(ebian: Scenario, days: int, rules: R.RosterRules) -> R.RosterResult:
    """The roster from 2026-03-02 with special-duty demand of 40 at every hour, as solved
    (an infeasible solve's best roster too)."""
    try:
        return R.make_roster(ebian, date(2026, 3, 2), days, rules=rules,
                             surges=(R.SurgeRule("heavy", 40),), time_limit=30)
    except R.RosterInfeasible as exc:
        assert exc.result is not None
        return exc.result


@pytest.mark.parametrize(("rest", "most"), [(0, 12), (4, 12), (8, 12), (11, 12), (8, 11),
                                            (4, 10)])
def test_no_unbroken_stretch_longer_than_max_duty_hours(ebian: Scenario, rest: int,
                                                        most: int) -> None:
    # heavy special-duty demand at every hour: every extension is wanted (before the fix,
    # rest 0, 4 and 8 gave 11 breaches of 16 h in these 3 days: 4 h + 8 h shift + 4 h)
    rules = R.RosterRules(min_rest_hours=rest, no_night_then_early=False,
                          max_duty_hours=most)
    res = _under_heavy_demand(ebian, 3, rules)
    assert any(du.kind == "special" for du in res.rows)
    longest = _longest_unbroken(res.rows)
    over = {p: h for p, h in longest.items() if h > most}
    assert not over, f"rest {rest}, max {most}: {over}"
    assert not [v for v in res.violations if v.rule == "max-duty-hours"]


# --- fault 2: the pattern's refusal names the longest unbroken stretch ---------------------------


def test_pattern_refusal_names_the_longest_unbroken_stretch(ebian: Scenario) -> None:
    # NEMO: a night (00–08) then an early (08–16) the same day, 16 h on end
    pat = R.pattern("NEMO/4/1")
    with pytest.raises(R.RosterInfeasible) as exc:
        _pattern_keeps_rules(pat, R.RosterRules(no_night_then_early=False))
    text = "\n".join(v.message for v in exc.value.violations)
    assert "max-duty-hours (max_duty_hours = 12, the shifts need 16)" in text
    assert "set max_duty_hours = 16" in text


# --- fault 6: a history that does not reach the day before --from is refused ----------------------


def test_history_with_a_gap_before_the_roster_is_refused(ebian: Scenario) -> None:
    from xunfang._errors import ScenarioError

    before = R.make_roster(ebian, date(2026, 3, 2), 3, time_limit=30)  # 03-02 .. 03-04
    with pytest.raises(ScenarioError) as info:
        R.make_roster(ebian, date(2026, 3, 10), 1, history=before.rows)
    hit = [p for p in info.value.problems if p.rule == "history-gap"]
    assert hit and hit[0].file == "--history"
    assert "2026-03-05 .. 2026-03-09" in hit[0].message and "--from 2026-03-10" in hit[0].message
    # a history wholly after the roster's start has no day before it either
    with pytest.raises(ScenarioError) as info:
        R.make_roster(ebian, date(2026, 3, 1), 1, history=before.rows)
    assert [p.rule for p in info.value.problems] == ["history-gap"]


# --- fault 7: the day team named among the rotating teams ----------------------------------------


def test_the_day_team_among_the_rotating_teams_names_teams_not_day_teams(
        ebian: Scenario) -> None:
    from xunfang._errors import ScenarioError

    with pytest.raises(ScenarioError) as info:
        R.roster_scope(ebian, "4-3", ["A", "B", "C", "day"])
    files = {p.file for p in info.value.problems}
    assert "--day-teams" not in files and "--teams" in files
    assert any("'day'" in p.message and "day team" in p.message
               for p in info.value.problems if p.file == "--teams")


# --- fault 5: the special-duty shapes follow the rules and the hours asked for ------------------


@pytest.mark.parametrize(("shift", "most", "want"), [
    (8, 12, (2, 4)), (8, 10, (2,)), (8, 11, (2, 3)), (12, 12, ()), (8, 8, ()), (8, 9, (1,))])
def test_extension_lengths_fit_max_duty_hours(shift: int, most: int,
                                              want: tuple[int, ...]) -> None:
    got = rsolve.extension_hours(shift, most)
    assert got == want
    assert all(shift + n <= most for n in got)


def test_a_3_hour_extension_is_offered_and_used_under_max_duty_11(ebian: Scenario) -> None:
    rules = R.RosterRules(min_rest_hours=11, max_duty_hours=11)
    res = _under_heavy_demand(ebian, 2, rules)
    assert res.solve.extension_hours == (2, 3)
    regular = {(du.person, t) for du in res.rows if du.kind == "regular"
               for t in (du.start, du.end)}
    ext = [du for du in res.special_rows()
           if (du.person, du.start) in regular or (du.person, du.end) in regular]
    assert any(du.clock_hours == 3 for du in ext)  # the fixed (2, 4) never gave 3 h
    assert all(du.clock_hours <= 3 for du in ext)


def test_blocks_fitted_to_the_hours_asked_for_meet_more_demand(
        ebian: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    # a long rest: the fixed 4- and 8-hour blocks on a day off often break it where a block
    # of just the hours asked for (12–14, 18–22) keeps it
    rules = R.RosterRules(min_rest_hours=16, max_duty_hours=10, max_week_hours=50,
                          no_night_then_early=False)

    def met() -> int:
        try:
            r = R.make_roster(ebian, date(2026, 3, 2), 7, rules=rules, time_limit=30)
        except R.RosterInfeasible as exc:
            assert exc.result is not None
            r = exc.result
        assert r.solve.status == "OPTIMAL"
        assert all(du.clock_hours <= 10 for du in r.special_rows())
        return sum(r.demand) - sum(r.unmet)

    fitted = met()
    monkeypatch.setattr(rsolve, "day_blocks", lambda runs, most: tuple(
        b for b in rsolve.BLOCKS if b[1] <= most))
    assert fitted > met()


# --- fault 7: a Chinese year without make-up workdays is warned of --------------------------------


def test_a_chinese_year_without_makeup_workdays_is_warned_of() -> None:
    import holidays

    from xunfang.scenario.model import Holiday, Policy

    def has_makeup(year: int) -> bool:
        cal = holidays.country_holidays("CN", years=[year])
        return any(d.year == year for d in getattr(cal, "weekend_workdays", ()))

    years = list(range(2024, 2031))  # the package's make-up days, read independently
    for y in years:
        notes = R.calendar_notes(date(y, 3, 1), 10, Policy())
        assert bool(notes) != has_makeup(y), (y, notes)
        assert all(str(y) in n and "[[policy.holidays]]" in n for n in notes)
    bare = next((y for y in years if not has_makeup(y)), None)
    if bare is None:
        pytest.skip("the holidays package knows every year's make-up days")
    assert R.calendar_notes(date(bare, 3, 1), 10, Policy(), "US") == []
    declared = Policy(holidays=(Holiday("春节", date(bare, 2, 6), date(bare, 2, 12),
                                        workdays=(date(bare, 2, 14),)),))
    assert R.calendar_notes(date(bare, 3, 1), 10, declared) == []
