"""Who crews which unit: the skill a unit's mode asks, the sworn officer a checkpoint crew
needs, the posture's count of units on duty, and why a unit's crew is not named (a
planner's review of the built-in scenario ebian)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from xunfang.network import RoadNetwork
from xunfang.plan import Slot, make_slots
from xunfang.planning import deploy
from xunfang.planning.deploy.inputs import MODE_SKILL, crewing
from xunfang.scenario.loader import load
from xunfang.scenario.model import Person, Scenario, Unit

DAY = date(2025, 7, 1)
TEAMS = ("A", "B", "C", "D", "day")


@pytest.fixture(scope="module")
def ebian() -> tuple[Scenario, RoadNetwork]:
    sc = load("ebian")
    return sc, RoadNetwork.from_scenario(sc)


def _slots(sc: Scenario) -> list[Slot]:
    return make_slots(DAY, days=1, slot_minutes=sc.slot_minutes)


def _rostered(sc: Scenario) -> list[str]:
    return [p.id for p in sc.people if p.team in TEAMS]


def _crews(sc: Scenario, on: tuple[str, ...], rostered: list[str] | None = None
           ) -> dict[str, tuple[str, ...]]:
    duty, crew, _ = deploy.units_on_duty(sc, _slots(sc)[:1], [on],
                                         _rostered(sc) if rostered is None else rostered)
    return {u: crew[(u, 0)] for u in duty[0] if (u, 0) in crew}


def test_a_motorcycle_is_ridden_by_a_rider_not_by_the_day_teams_leader(ebian) -> None:
    # the review: TX-M1 crewed 08-16 by TXJ01 (armed;driver;leader, no motorcycle skill)
    sc, _ = ebian
    skills = {p.id: set(p.skills) for p in sc.people}
    day_and_b = tuple(p.id for p in sc.people if p.team in ("day", "B"))
    got = _crews(sc, day_and_b)
    modes = {u.id: u.mode for u in sc.units}
    for uid, c in got.items():
        want = MODE_SKILL.get(modes[uid])
        if want is not None:
            assert any(want in skills[p] for p in c), (uid, c)
    assert all(modes[u] != "motorcycle" for u, c in got.items() if "TXJ01" in c)
    # the pool's three riders of team B ride, and the checkpoint squad's spare rider
    riders = {c[0] for u, c in got.items() if modes[u] == "motorcycle"}
    assert riders == {"TXFB01", "TXFB02", "TXFB03", "TXFB07"}


def _person(like: Person, pid: str, skills: tuple[str, ...], squad: str) -> Person:
    return replace(like, id=pid, skills=skills, squad=squad, team="day", role="police")


def _unit(like: Unit, uid: str, mode: str, home: str) -> Unit:
    return replace(like, id=uid, mode=mode, squad="trial", home_post=home)  # type: ignore[arg-type]


def test_the_only_rider_is_not_spent_on_a_cars_second_seat(ebian) -> None:
    # a car (two, one a driver) and a motorcycle of one pool; P1 drives and rides, P2 only
    # drives, P3 neither: first come in file order, the car took P1 and P2 and the
    # motorcycle went out with P3, who cannot ride
    sc, _ = ebian
    like_p = next(p for p in sc.people if p.id == "TXJ01")
    like_u = next(u for u in sc.units if u.id == "TX-C1")
    people = (_person(like_p, "P1", ("driver", "motorcycle"), "trial"),
              _person(like_p, "P2", ("driver",), "trial"),
              _person(like_p, "P3", (), "trial"))
    units = (_unit(like_u, "K1", "car", "RP1"), _unit(like_u, "K2", "motorcycle", "SB1"))
    small = replace(sc, people=people, units=units)
    got = _crews(small, ("P1", "P2", "P3"), ["P1", "P2", "P3"])
    assert got == {"K1": ("P2", "P3"), "K2": ("P1",)}


def test_no_rider_on_duty_leaves_the_motorcycle_off_and_says_why(ebian) -> None:
    sc, _ = ebian
    # the patrol squad alone (no balance vehicle to take the day team's leader instead)
    small = replace(sc, units=tuple(u for u in sc.units if u.squad == "patrol"))
    slots = _slots(small)[:1]
    c = crewing(small, slots, [("TXJ01",)], _rostered(small))
    assert not any(u.startswith("TX-") for u in c.on_duty[0])
    assert c.crew == {}
    why = c.off_reason[("TX-M1", 0)]
    assert "motorcycle skill" in why and "TXJ01" in why
    assert "drone_pilot skill" in c.off_reason[("TX-D1", 0)]


def test_a_checkpoint_crew_of_auxiliaries_takes_a_free_sworn_officer_on_board(ebian) -> None:
    # the review: 9 of 18 checkpoint slots crewed only by auxiliary officers (辅警)
    sc, _ = ebian
    sworn = {p.id for p in sc.people if p.role == "police"}
    got = _crews(sc, ("TXFA06", "TXFA07", "TXJ01"))
    assert got["TX-C3"] == ("TXFA06", "TXFA07", "TXJ01")
    assert sworn & set(got["TX-C3"])
    # the pool's own sworn officer first: TXJ03 aboard, the day team's leader left free
    got = _crews(sc, ("TXFA06", "TXFA07", "TXJ03", "TXJ01"))
    assert "TXJ03" in got["TX-C3"] and "TXJ01" not in got["TX-C3"]


def test_a_checkpoint_with_no_sworn_officer_is_not_manned_and_is_a_shortfall(ebian) -> None:
    sc, net = ebian
    slots = _slots(sc)
    night = [("TXFD06", "TXFD07", "TXFD01")] * len(slots)  # team D's night: no 民警
    inp = deploy.prepare(sc, net, slots, on_duty_people=night, rostered=_rostered(sc))
    assert inp.crew[("TX-C3", 0)] == ("TXFD06", "TXFD07")
    post = deploy.plan_posture(inp, checkpoint_at={("TX-C3", 0): "NCP1"})
    at = {(a.unit, a.slot): a for a in post.assignments}
    assert at[("TX-C3", 0)].duty == "post" and at[("TX-C3", 0)].post == "ST1"
    assert "sworn officer" in at[("TX-C3", 0)].note
    short = [s for s in post.shortfalls if s.duty == "checkpoint" and s.slot == 0]
    assert len(short) == 1 and short[0].place == "NCP1"
    assert "TX-C3" in short[0].detail and "民警" in short[0].detail


def test_the_postures_units_on_duty_count_no_auxiliary_force(ebian) -> None:
    # the review: stages.posture.units_on_duty said 29-31 an hour, counting all 12
    # auxiliary units in every hour, while the posture has them off but where pinned (the
    # auxiliary stage puts each on in its hours)
    sc, net = ebian
    slots = _slots(sc)
    on = [tuple(p.id for p in sc.people if p.team in ("day", "B"))] * len(slots)
    inp = deploy.prepare(sc, net, slots, on_duty_people=on, rostered=_rostered(sc),
                         pins=(deploy.Pin(unit="YJ-1", slots=(9,), post="PS1"),))
    post = deploy.plan_posture(inp)
    counted = post.summary()["units_on_duty"]
    assert isinstance(counted, list) and len(counted) == len(slots)
    at = {(a.unit, a.slot): a for a in post.assignments}
    auxiliary = [u.id for u in sc.units if u.tier == "auxiliary"]
    for k, n in enumerate(counted):
        assert n == sum(1 for a in post.assignments if a.slot == k and a.duty != "off")
        assert n == len(inp.on_duty[k]) - len(auxiliary) + (k == 9)
    assert at[("YJ-1", 9)].duty == "post" and at[("YJ-1", 9)].post == "PS1"  # the pin kept


def test_a_unit_its_pool_not_rostered_says_why_its_crew_is_not_named(ebian) -> None:
    # the review: PS1-C … WJ-1 on duty 24/24 hours with an empty crew, nothing said
    sc, net = ebian
    slots = _slots(sc)[:2]
    on = [tuple(p.id for p in sc.people if p.team == "day")] * len(slots)
    inp = deploy.prepare(sc, net, slots, on_duty_people=on, rostered=_rostered(sc))
    unnamed = dict(inp.unnamed_crews)
    police = {u.id for u in sc.units if u.tier != "auxiliary"}
    assert set(unnamed) == police - inp.rostered_units
    assert {"PS1-C", "PS3-F", "WJ-1"} <= set(unnamed)
    assert "PS1-J1" in unnamed["PS1-C"] and "own duty list" in unnamed["PS1-C"]
    assert "WJ01" in unnamed["WJ-1"]
    post = deploy.plan_posture(inp)
    assert post.summary()["unnamed_crews"] == unnamed
