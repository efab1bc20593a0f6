"""The own duty lists' rotas: who of a station's people works which shift, under the
roster's labour rules, checked by the roster's own independent checker; the hours no one
can cover, per slot and a week; leave; a re-plan that keeps the shifts begun."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from xunfang import scenario as scenario_mod
from xunfang.plan import Slot, make_slots
from xunfang.planning.own_rota import OwnDuty, OwnRota, RotaError, duties_from_json, own_rota
from xunfang.planning.roster import Duty, RosterRules, check_roster
from xunfang.scenario.model import Leave, Scenario

DAY = date(2026, 12, 4)


@pytest.fixture(scope="module")
def county() -> Scenario:
    return scenario_mod.load("ebian")


def _pool(sc: Scenario, team: str = "PS1") -> list[str]:
    return [p.id for p in sc.people if p.team == team]


def _violations(sc: Scenario, r: OwnRota) -> list[str]:
    duties = [Duty(day=d.day, person=d.person, team="PS1", shift=d.shift, start=d.start,
                   end=d.end) for d in r.duties]
    rules = sc.policy.roster
    return [str(v) for v in check_roster(
        duties, leave=sc.leave, rules=RosterRules(
            min_rest_hours=rules.min_rest_hours, no_night_then_early=rules.no_night_then_early,
            max_consecutive_days=rules.max_consecutive_days,
            max_week_hours=rules.max_week_hours, max_duty_hours=rules.max_duty_hours))]


def _on_duty(r: OwnRota, at: datetime) -> int:
    return sum(1 for d in r.duties if d.start <= at < d.end)


def test_a_week_of_the_county_s_town_station(county: Scenario) -> None:
    """Three of nine people on duty at every hour for a week: the rota keeps every labour
    rule (the roster's checker finds nothing), and where six working days in seven leave an
    hour short, the slot is listed with the people it has, counted from the shifts."""
    slots = make_slots(DAY, days=7, slot_minutes=60)
    r = own_rota(county, slots, ["PS1-C", "PS1-F"], _pool(county), [3] * len(slots))
    assert _violations(county, r) == []
    assert not r.repeating and r.status == "optimal"
    assert all(h <= 56 for h in r.week_hours.values())
    short = {k: (need, have) for k, need, have in r.short}
    missing = 0
    for s in slots:
        have = _on_duty(r, s.start)
        assert have <= 3  # no one on a shift no one needs
        if have < 3:
            assert short[s.index] == (3, have)
            missing += 3 - have
        else:
            assert s.index not in short
    assert missing == r.short_hours > 0
    # each person at most 7 shifts in the plan's 8 roster days (the night that starts the
    # plan is the evening before's): 9 × 56 of 504
    assert r.short_hours >= 504 - 9 * 56


def test_a_day_is_rota_d_as_a_week_that_repeats(county: Scenario) -> None:
    """A one-day plan: every hour of the day is covered, but the week that day repeats in
    is 72 person-hours short — 504 needed, 9 × 48 allowed by six days in seven — and that
    is proven, not a time limit's best."""
    slots = make_slots(DAY, days=1, slot_minutes=60)
    r = own_rota(county, slots, ["PS1-C", "PS1-F"], _pool(county), [3] * 24)
    assert r.repeating and r.status == "optimal"
    assert r.short == () and r.short_hours == 0
    assert r.week_short_hours == 72
    assert sorted(r.week_hours.values()) == [48.0] * 9
    assert all(_on_duty(r, DAY_T + timedelta(hours=h)) == 3 for h in range(24))
    # the night on duty at midnight began the evening before: its roster day
    night = [d for d in r.duties if d.start == DAY_T]
    assert len(night) == 3 and {d.day for d in night} == {DAY - timedelta(days=1)}
    assert _violations(county, r) == []
    again = own_rota(county, slots, ["PS1-C", "PS1-F"], _pool(county), [3] * 24)
    assert again == r  # one worker, a fixed seed: the same rota


DAY_T = datetime.combine(DAY, datetime.min.time())


def test_leave_and_slots_not_an_hour(county: Scenario) -> None:
    """A person on leave works no shift that day, and the day is then a shift short; a
    car needed only 10:00–14:00 in 2-hour slots gets people in those hours only."""
    pool = _pool(county)
    away = replace(county, leave=(Leave(person=pool[0], start=DAY, end=DAY),))
    slots = make_slots(DAY, days=1, slot_minutes=60)
    r = own_rota(away, slots, ["PS1-C"], pool, [3] * 24)
    assert pool[0] not in {d.person for d in r.duties if d.end > DAY_T}
    assert r.short_hours == 8  # nine 8-hour shifts a day, eight people
    assert _violations(away, r) == []
    two = make_slots(DAY, days=1, slot_minutes=120)
    need = [2 if 10 <= s.start.hour < 14 else 0 for s in two]
    r2 = own_rota(county, two, ["PS4-C"], _pool(county, "PS4"), need)
    assert r2.short == ()
    # the early shift (08–16) holds 10–14; nothing else is worked
    assert {(d.shift, d.start.hour) for d in r2.duties} == {("early", 8)}
    assert len(r2.duties) == 2


def test_a_re_plan_keeps_the_shifts_begun(county: Scenario) -> None:
    """A re-plan at 10:00 keeps the shifts begun before then as the plan in force had them;
    of the later ones it changes as few as it can: with fewer people needed from 10:00 no
    one's shift is taken away at short notice, with more needed shifts are added. plan.json's
    rows read back as written."""
    slots = make_slots(DAY, days=1, slot_minutes=60)
    pool = _pool(county)
    at = DAY_T + timedelta(hours=10)
    first = own_rota(county, slots, ["PS1-C", "PS1-F"], pool, [1] * 24)
    rows = first.as_json()["duties"]
    assert isinstance(rows, list)
    kept = duties_from_json(rows, "plan.json")
    assert kept == first.duties
    begun = {d for d in first.duties if d.start < at}
    fewer = own_rota(county, slots, ["PS1-C", "PS1-F"], pool, [1] * 10 + [0] * 14,
                     kept=kept, at=at)
    assert fewer.duties == first.duties and fewer.kept == len(begun) == 2
    more = own_rota(county, slots, ["PS1-C", "PS1-F"], pool, [1] * 10 + [3] * 14,
                    kept=kept, at=at)
    assert {d for d in more.duties if d.start < at} == begun
    assert set(first.duties) < set(more.duties)
    # no shift starts between the pattern's starts: 10:00–16:00 is short until 16:00's
    assert more.short == tuple((k, 3, 1) for k in range(10, 16))
    assert _on_duty(more, DAY_T + timedelta(hours=17)) == 3
    assert _violations(county, more) == []
    with pytest.raises(RotaError, match=r"plan.json: rota duty 0: KeyError"):
        duties_from_json([{"person": "x"}], "plan.json")


def test_kept_shifts_that_break_the_rules_are_an_error(county: Scenario) -> None:
    slots = make_slots(DAY, days=1, slot_minutes=60)
    p = _pool(county)[0]
    clash = (OwnDuty(p, DAY - timedelta(days=1), "night", DAY_T, DAY_T + timedelta(hours=8)),
             OwnDuty(p, DAY, "early", DAY_T + timedelta(hours=8),
                     DAY_T + timedelta(hours=16)))
    with pytest.raises(RotaError, match=r"cannot be made.*clash with the rules"):
        own_rota(county, slots, ["PS1-C"], _pool(county), [3] * 24, kept=clash,
                 at=DAY_T + timedelta(hours=12))


def test_the_plan_command_warns_of_a_rota_s_uncovered_hours() -> None:
    from xunfang.cli.main import _own_rota_warning, err_console

    stages = {"posture": {"own_duty_lists": [
        {"units": ["PS1-C", "PS1-F"], "rota": {"short_hours": 8, "week_short_hours": 72}},
        {"units": ["PS4-C"], "rota": {"short_hours": 0, "week_short_hours": 0}}]}}
    with err_console.capture() as got:
        _own_rota_warning(stages)
    said = got.get()
    assert "PS1-C, PS1-F: 8 in the plan, 72 a week" in said and "PS4-C" not in said
    with err_console.capture() as quiet:
        _own_rota_warning({"posture": {"own_duty_lists": stages["posture"]["own_duty_lists"][1:]}})
    assert quiet.get() == ""


def _policy(sc: Scenario, **kw: object) -> Scenario:
    return replace(sc, policy=replace(sc.policy, **kw))


@pytest.mark.parametrize(("pattern", "starts"), [("3-2", [8, 20]), ("4-3", [7, 15, 23])])
def test_a_night_into_the_plan_s_first_hours_is_dated_the_evening_before(
        county: Scenario, pattern: str, starts: list[int]) -> None:
    """12-hour nights from 20:00 and 8-hour ones from 23:00 run from the repeating week's
    end into the plan's first hours: they are the evening before's (a review found them
    dated six days on, and the first hours said covered by no listed shift)."""
    sc = _policy(county, shift_pattern=pattern, shift_starts=starts)
    slots = make_slots(DAY, days=1, slot_minutes=60)
    r = own_rota(sc, slots, ["PS1-C"], _pool(sc), [2] * 24)
    assert r.short == ()
    assert all(_on_duty(r, DAY_T + timedelta(hours=h)) >= 2 for h in range(24))
    assert all(d.start < DAY_T + timedelta(days=1) for d in r.duties)
    assert _violations(sc, r) == []


def test_rules_at_their_edges(county: Scenario) -> None:
    """Seven days in a row allowed still leaves a repeating week a day off; leave the day
    before a week's plan keeps its evening's 23:00 night; half-hour slots count half-hours
    short; twenty people for a fortnight still get a rota."""
    slots = make_slots(DAY, days=1, slot_minutes=60)
    long_run = _policy(county, roster=replace(county.policy.roster, max_consecutive_days=7))
    r = own_rota(long_run, slots, ["PS1-C"], _pool(county), [3] * 24)
    assert max(r.week_hours.values()) <= 48 and r.week_short_hours == 72
    late = _policy(county, shift_starts=[7, 15, 23])
    pool = _pool(county)
    away = replace(late, leave=tuple(Leave(person=p, start=DAY - timedelta(days=1),
                                           end=DAY - timedelta(days=1)) for p in pool[:3]))
    week = make_slots(DAY, days=7, slot_minutes=60)
    r7 = own_rota(away, week, ["PS1-C"], pool, [3] * len(week))
    assert not any(d.person in pool[:3] and d.start < DAY_T for d in r7.duties)
    assert _violations(away, r7) == []
    halves = make_slots(DAY, days=1, slot_minutes=30)
    need = [4 if s.start.hour == 12 and s.start.minute == 0 else 0 for s in halves]
    four = own_rota(county, halves, ["PS4-C"], _pool(county, "PS4")[:3], need)
    assert four.short_hours == 0.5  # one short for half an hour (three people)
    many = [f"P{k}" for k in range(20)]
    fortnight = make_slots(DAY, days=14, slot_minutes=60)
    big = own_rota(county, fortnight, ["X"], many, [6] * len(fortnight))
    assert big.status in ("optimal", "shortfall optimal", "feasible") and big.duties


def test_a_list_alike_gets_the_same_rota_renamed(county: Scenario) -> None:
    """The plan solves lists alike once and renames the rota: it is the rota the list's own
    solve gives (the county's five six-person lists, two on duty at every hour)."""
    slots = make_slots(DAY, days=1, slot_minutes=60)
    ps4, ps5 = _pool(county, "PS4"), _pool(county, "PS5")
    a = own_rota(county, slots, ["PS4-C"], ps4, [2] * 24)
    b = own_rota(county, slots, ["PS5-C"], ps5, [2] * 24)
    assert a.renamed(dict(zip(ps4, ps5, strict=True)), ("PS5-C",)) == b


def _sworn(sc: Scenario, pool: list[str]) -> list[str]:
    role = {p.id: p.role for p in sc.people}
    return [p for p in pool if role[p] == "police"]


def _led(r: OwnRota, sworn: list[str], at: datetime) -> int:
    return sum(1 for d in r.duties if d.person in sworn and d.start <= at < d.end)


@pytest.mark.parametrize("days", [1, 7])
def test_a_sworn_officer_leads_every_hour_of_a_town_station(county: Scenario,
                                                            days: int) -> None:
    """Four sworn officers of nine: one of them on in every hour (a head count alone had put
    three auxiliaries on the night), at no cost to the heads' shortfall (72 a repeating week,
    the same as without the rule for a week's plan), every labour rule kept."""
    pool = _pool(county)
    sworn = _sworn(county, pool)
    assert len(sworn) == 4
    slots = make_slots(DAY, days=days, slot_minutes=60)
    need = [3] * len(slots)
    r = own_rota(county, slots, ["PS1-C", "PS1-F"], pool, need, sworn=sworn,
                 lead=[1] * len(slots))
    assert r.lead_short == () and r.lead_short_hours == 0 and r.week_lead_short_hours == 0
    assert all(_led(r, sworn, s.start) >= 1 for s in slots)
    assert _violations(county, r) == []
    plain = own_rota(county, slots, ["PS1-C", "PS1-F"], pool, need)
    assert (r.short_hours, r.week_short_hours) == (plain.short_hours, plain.week_short_hours)
    assert r.status != "feasible"


def test_three_sworn_officers_cannot_lead_a_week_round_the_clock(county: Scenario) -> None:
    """Three sworn officers at six days in seven work 144 hours a week, 24 fewer than the
    week's 168: the repeating week is 24 hours short of a lead, proven, and they fall on
    the week's other days, not the plan's own; the heads stay 48 short. A list with no
    sworn officer at all is short of its lead in every hour it needs one, and says so."""
    pool = _pool(county, "PS4")
    sworn = _sworn(county, pool)
    slots = make_slots(DAY, days=1, slot_minutes=60)
    r = own_rota(county, slots, ["PS4-C"], pool, [2] * 24, sworn=sworn, lead=[1] * 24)
    assert r.status == "optimal"
    assert r.week_lead_short_hours == 7 * 24 - 3 * 48 and r.week_short_hours == 48
    assert r.lead_short == () and all(_led(r, sworn, s.start) == 1 for s in slots)
    aux = [p for p in pool if p not in sworn]
    lead = [1 if 8 <= s.start.hour < 20 else 0 for s in slots]
    none = own_rota(county, slots, ["PS4-C"], aux, [2] * 24, sworn=sworn, lead=lead)
    assert none.lead_short == tuple((k, 1, 0) for k in range(8, 20))
    assert none.lead_short_hours == 12 and none.week_lead_short_hours == 84
    with pytest.raises(ValueError, match=r"lead: 23 values for 24 slots"):
        own_rota(county, slots, ["PS4-C"], pool, [2] * 24, sworn=sworn, lead=[1] * 23)


def test_the_plan_command_warns_of_hours_with_no_sworn_officer() -> None:
    from xunfang.cli.main import _own_rota_warning, err_console

    stages = {"posture": {"own_duty_lists": [
        {"units": ["PS4-C"], "rota": {"short_hours": 0, "week_short_hours": 0,
                                      "lead_short_hours": 2, "week_lead_short_hours": 24}},
        {"units": ["PS5-C"], "rota": {"short_hours": 0, "week_short_hours": 0,
                                      "lead_short_hours": 0, "week_lead_short_hours": 0}}]}}
    with err_console.capture() as got:
        _own_rota_warning(stages)
    said = " ".join(got.get().split())
    assert "no sworn officer" in said and "PS4-C: 2 in the plan, 24 a week" in said
    assert "PS5-C" not in said and "person-hours no one can work" not in said


def test_a_rota_solved_again_is_reused_only_when_nothing_it_reads_changed(
        county: Scenario) -> None:
    """The process keeps the rotas it solved: the same list asked the same is the same
    rota, unsolved; its people's leave, its sworn officers, the labour rules, the slots or a
    re-plan's time each make a new solve, and leave of someone not on the list does not."""
    from xunfang.planning import own_rota as mod

    slots = make_slots(DAY + timedelta(days=40), days=1, slot_minutes=60)
    pool = _pool(county, "PS4")
    sworn = _sworn(county, pool)

    def solves(sc: Scenario, on: list[Slot] = slots, leads: list[str] = sworn,
               kept: tuple[OwnDuty, ...] = (), at: datetime | None = None
               ) -> tuple[OwnRota, int]:
        before = mod.CACHE_STATS["solves"]
        r = own_rota(sc, on, ["PS4-C"], pool, [2] * 24, sworn=leads, lead=[1] * 24,
                     kept=kept, at=at)
        return r, mod.CACHE_STATS["solves"] - before

    first, n = solves(county)
    assert n == 1
    again, n = solves(county)
    assert n == 0 and again is first
    other = replace(county, leave=(Leave(person="PS1-J1", start=DAY, end=DAY),))
    assert solves(other)[1] == 0
    away = replace(county, leave=(Leave(person=pool[0], start=slots[0].start.date(),
                                        end=slots[0].start.date()),))
    r, n = solves(away)
    assert n == 1 and r != first and pool[0] not in {d.person for d in r.duties
                                                     if d.start >= slots[0].start}
    assert solves(county, leads=sworn[:1])[1] == 1
    tighter = replace(county, policy=replace(county.policy, roster=replace(
        county.policy.roster, max_week_hours=40)))
    assert solves(tighter)[1] == 1
    assert solves(county, make_slots(DAY + timedelta(days=41), days=1, slot_minutes=60))[1] == 1
    assert solves(county, kept=first.duties, at=slots[10].start)[1] == 1
