"""The plan's checkpoint schedule holds only checks the plan can man: a check needs a sworn
officer (民警) to lead it, and the county's only sworn officers of the checkpoint squad's tier
work by day. A review of a 7-day plan: 85 of its 130 scheduled checks were listed as "not
manned: no sworn officer" (every night check), while report.html showed the full schedule
and its unpredictability was computed on it."""

from __future__ import annotations

from datetime import date

import pytest

from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning import deploy, pipeline
from xunfang.planning.checkpoints import GameError, plan_checkpoints
from xunfang.planning.pipeline import PlanRequest

DAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    sc = scenario_mod.load("ebian")
    return sc, RoadNetwork.from_scenario(sc)


def test_the_plan_schedules_checks_only_where_a_sworn_officer_leads_the_crew(county) -> None:  # type: ignore[no-untyped-def]
    sc, net = county
    req = PlanRequest(start=DAY, days=1)
    slots = make_slots(DAY, days=1, slot_minutes=sc.slot_minutes)
    roster, _ = pipeline._roster(sc, req, None)
    assert roster is not None
    crews = pipeline._crews(sc, slots, roster)
    cp, doc = pipeline._checkpoints(sc, net, slots, req, crews)
    assert cp is not None and cp.check.ok
    # the crews the posture gives: who leads each team in each slot
    day_teams = set(roster.teams) | set(roster.day_teams)
    rostered = tuple(p.id for p in sc.people if p.team in day_teams)
    _on, crew_of, _units = deploy.units_on_duty(sc, slots, pipeline._on_duty_by_slot(
        roster, slots), rostered)
    assert crew_of == crews.crewing.crew  # the crews the checkpoint stage read
    sworn = {p.id for p in sc.people if p.role in deploy.SWORN_ROLES}
    led = {(u, k) for (u, k), c in crew_of.items() if sworn & set(c)}
    assert cp.days[0], "no check at all"
    assert all((v.team, v.slot_index) in led for v in cp.days[0]), [
        (v.team, v.slot) for v in cp.days[0] if (v.team, v.slot_index) not in led]
    # every other team-slot is listed as unmanned, with its reason, and none twice
    unmanned = {(u.team, u.slot_index): u for u in cp.unmanned[0]}
    teams = pipeline.default_teams(sc)
    assert set(unmanned) == {(t, s.index) for t in teams for s in slots} - led
    assert unmanned and all("sworn officer" in u.reason or "no crew" in u.reason
                            for u in unmanned.values())
    assert [x["team"] for x in doc["unmanned"]] == [u.team for u in cp.unmanned[0]]
    # the game's targets are the hours a team can check: the others are no attacker's choice
    open_ = cp.game.teams > 0
    act = cp.game.is_active().reshape(cp.game.n_sites, -1)
    assert not act[:, ~open_].any() and act[:, open_].any()
    # and the posture, given this schedule, finds every check led by a sworn officer
    inputs, posture = pipeline._posture(sc, net, slots, req, None, crews, cp)
    assert inputs.crew == crews.crewing.crew  # the same crews, worked out once
    assert not [s for s in posture.shortfalls if "sworn" in s.detail]


def test_teams_at_names_each_slot_s_teams_and_leaves_empty_slots_out(county) -> None:  # type: ignore[no-untyped-def]
    sc, net = county
    slots = make_slots(DAY, days=1, slot_minutes=sc.slot_minutes)
    at = [(("B", "A") if h % 2 == 0 else ("A",)) if 8 <= h < 20 else () for h in range(24)]
    cp = plan_checkpoints(sc, net, slots, None, 0, teams_at=at, hold_total=True)
    assert cp.days[0]
    for v in cp.days[0]:
        assert v.team in at[v.slot_index], (v.slot, v.team)
    assert not {v.slot_index for v in cp.days[0]} - set(range(8, 20))
    per_slot: dict[int, set[str]] = {}
    for v in cp.days[0]:
        per_slot.setdefault(v.slot_index, set()).add(v.team)
    assert all(len(t) <= len(at[k]) for k, t in per_slot.items())
    assert cp.summary()["teams_per_slot"] == [len(x) for x in at]  # teams_at's counts
    # counts given as well must be teams_at's; with neither, nothing says how many teams
    with pytest.raises(GameError, match="teams_per_slot: must be the counts of teams_at"):
        plan_checkpoints(sc, net, slots, 1, 0, teams_at=at)
    same = plan_checkpoints(sc, net, slots, [len(x) for x in at], 0, teams_at=at,
                            hold_total=True)
    assert [(v.slot, v.site, v.team) for v in same.days[0]] == [
        (v.slot, v.site, v.team) for v in cp.days[0]]
    with pytest.raises(GameError, match="teams_per_slot: give the checkpoint teams"):
        plan_checkpoints(sc, net, slots, None, 0)
