"""Auxiliary forces on their streets and hours, counted in visibility, never dispatched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.planning.test_routes import DAY, LATTICE
from xunfang import scenario
from xunfang.plan import make_slots
from xunfang.planning.auxiliary import place_auxiliary
from xunfang.scenario.model import Scenario

Make = Callable[..., Path]

AUX_UNITS = LATTICE["units.csv"] + (
    "V1,auxiliary,foot,volunteer,P1\nV2,auxiliary,foot,volunteer,P1\n"
    "M1,auxiliary,foot,merchant,P2\nB1,auxiliary,car,guard,P2\nW1,auxiliary,foot,grid,P1\n")
PEOPLE = ("id,role,team,squad\n"
          + "".join(f"v{i},volunteer,Y,volunteer\n" for i in range(5))
          + "".join(f"m{i},merchant,S,merchant\n" for i in range(3))
          + "b1,guard,B,guard\nb2,guard,B,guard\nw1,grid_worker,G,grid\n")
SITES = LATTICE["sites.csv"] + "NM,Night market,night_market,2,n32\n"


def lattice(make_scenario: Make, **files: str | None) -> Scenario:
    return scenario.load(make_scenario({**LATTICE, "units.csv": AUX_UNITS,
                                        "people.csv": PEOPLE, "sites.csv": SITES, **files}))


def at(plan: object, unit: str, slot: int) -> tuple[str, str | None] | None:
    for p in plan.placements:  # type: ignore[attr-defined]
        if p.unit == unit and p.slot == slot:
            return p.place, p.grid
    return None


def test_streets_and_hours(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    ap = place_auxiliary(sc, DAY)  # 2024-06-03 is a Monday
    # the school run: volunteers at the school gate (grid W); in the evening at the night market
    assert at(ap, "V1", 7) == ("S1", "W")
    assert at(ap, "V1", 20) == ("NM", "E") and at(ap, "V2", 20) == ("NM", "E")
    assert at(ap, "V1", 3) is None  # not in their hours
    # merchants at the night market in its hours, at their post before
    assert at(ap, "M1", 20) == ("NM", "E")
    assert at(ap, "M1", 9) == ("P2", "E")
    # guards at the highest-tier site of their kinds near their post: the hospital
    assert at(ap, "B1", 10) == ("S2", "E")
    # crews: 5 volunteers in two groups, 3 merchants, 2 guards, 1 grid worker, by name
    crew = {p.unit: p.people for p in ap.placements}
    assert crew == {"V1": 3, "V2": 2, "M1": 3, "B1": 2, "W1": 1}
    assert {p.unit: p.crew for p in ap.placements if p.slot == 20}["V2"] == ("v3", "v4")
    # grid workers are auxiliaries too: placed here, in office hours on a workday (the
    # posture leaves every auxiliary unit off)
    assert sorted(p.slot for p in ap.placements if p.unit == "W1") == [
        8, 9, 10, 11, 14, 15, 16, 17]
    assert at(ap, "W1", 9) == ("P1", "W")  # no residential block near: at its station
    # they count in visibility with their weights, and are never dispatched
    pres = ap.presence()
    assert pres[("E", 20)] == pytest.approx(0.5 + 0.5 + 0.5 + 0.8)
    assert ap.as_json()["dispatched"] is False


def test_school_gates_only_on_school_days(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    saturday = make_slots(date(2024, 6, 8), days=1, slot_minutes=60)
    ap = place_auxiliary(sc, saturday)
    assert at(ap, "V1", 7) == ("P1", "W")  # no school run: at the post


def test_unit_columns_override_hours_and_sites(make_scenario: Make) -> None:
    units = ("id,tier,mode,squad,home_post,hours,sites\n"
             "C1,special,car,patrol,P1,,\nC2,special,car,patrol,P2,,\n"
             "V1,auxiliary,foot,volunteer,P1,18-20,S2\nV2,auxiliary,foot,volunteer,P1,,\n")
    sc = lattice(make_scenario, **{"units.csv": units})
    ap = place_auxiliary(sc, DAY)
    v1 = sorted(p.slot for p in ap.placements if p.unit == "V1")
    assert v1 == [18, 19]
    assert at(ap, "V1", 18) == ("S2", "E")
    # bad values are refused at load, naming the row and column (review B: only at plan time)
    bad = units.replace("18-20,S2", "18-20,S99")
    with pytest.raises(ValueError, match=r"units.csv, row 3, column 'sites': sites: S99 not"):
        lattice(make_scenario, **{"units.csv": bad})
    worse = units.replace("18-20,S2", "25,S2")
    with pytest.raises(ValueError, match=r"units.csv, row 3, column 'hours': hours: '25'"):
        lattice(make_scenario, **{"units.csv": worse})
    # and by the stage itself for a scenario built in Python
    sc_bad = replace(sc, units=tuple(replace(u, extra={**u.extra, "hours": "18-18"})
                                     if u.id == "V1" else u for u in sc.units))
    with pytest.raises(ValueError, match="unit 'V1', column 'hours': '18-18' is an empty"):
        place_auxiliary(sc_bad, DAY)


def test_no_auxiliary_forces_derives_nothing(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario(LATTICE))
    ap = place_auxiliary(sc, DAY)
    assert ap.placements == () and ap.presence() == {}
    assert "no auxiliary forces" in ap.notes[0] and "nothing derived" in ap.notes[0]


def test_ebian_auxiliary() -> None:
    sc = scenario.load("ebian")
    ap = place_auxiliary(sc, DAY)
    units = {p.unit for p in ap.placements}
    assert units == {"YJ-1", "YJ-2", "SH-1", "SH-2", "BA-1"} | {f"PS{i}-G" for i in range(1, 8)}
    ids = {s.id for s in sc.sites} | {p.id for p in sc.posts}
    assert all(p.place in ids for p in ap.placements)
    # the two volunteer groups take two places at the Monday school run
    assert {at(ap, "YJ-1", 7), at(ap, "YJ-2", 7)} == {("S03", "G4"), ("S08", "G4")}
    # the night market (滨河夜市) has auxiliary forces in the evening
    assert any(p.place == "S17" for p in ap.placements if p.slot == 20)
    assert not ap.by_slot().get(3)
    assert sum(p.people for p in ap.placements if p.slot == 19) == 5 + 5 + 4 + 4 + 4


def test_people_on_leave_do_not_staff(make_scenario: Make) -> None:
    # review B: volunteers on leave were still counted as the crew
    leave = "person,from,to\nv0,2024-06-03,2024-06-03\nv1,2024-06-01,2024-06-05\n"
    ap = place_auxiliary(lattice(make_scenario, **{"leave.csv": leave}), DAY)
    crews = {p.unit: p.crew for p in ap.placements if p.slot == 20}
    assert crews["V1"] == ("v2", "v3") and crews["V2"] == ("v4",)
    # everyone away: the unit is not placed, and the notes say so
    gone = "person,from,to\n" + "".join(f"m{i},2024-06-03,2024-06-03\n" for i in range(3))
    ap = place_auxiliary(lattice(make_scenario, **{"leave.csv": gone}), DAY)
    assert not any(p.unit == "M1" for p in ap.placements)
    assert any("auxiliary unit M1: nobody to staff it on 2024-06-03" in n for n in ap.notes)


def test_a_unit_nobody_staffs_is_not_placed(make_scenario: Make) -> None:
    # review B: a role typo ('volunteers') left the volunteers placed with 0 people
    ap = place_auxiliary(lattice(make_scenario, **{
        "people.csv": PEOPLE.replace(",volunteer,Y,", ",volunteers,Y,")}), DAY)
    assert not any(p.unit in ("V1", "V2") for p in ap.placements)
    assert all(p.people > 0 for p in ap.placements)
    assert any("auxiliary unit V1: nobody to staff it" in n and "role 'volunteer'" in n
               for n in ap.notes)


def test_school_gates_follow_the_calendar(make_scenario: Make) -> None:
    # review B: weekday() < 5 put volunteers at a closed school on National Day (Thursday
    # 2026-10-01) and at none on a make-up Saturday (2026-10-10, a workday in China)
    sc = lattice(make_scenario)
    holiday = place_auxiliary(sc, make_slots(date(2026, 10, 1), days=1, slot_minutes=60))
    assert at(holiday, "V1", 7) == ("P1", "W")
    assert not any(p.unit == "W1" for p in holiday.placements)  # grid workers: workdays
    makeup = place_auxiliary(sc, make_slots(date(2026, 10, 10), days=1, slot_minutes=60))
    assert at(makeup, "V1", 7) == ("S1", "W")


def test_long_slots_keep_the_school_run(make_scenario: Make) -> None:
    # review B: with 2-hour slots only each slot's start hour was tested: the 07:00 and
    # 11:00 school runs (in the 06:00 and 10:00 slots) were missed
    sc = lattice(make_scenario)
    ap = place_auxiliary(sc, make_slots(date(2024, 6, 3), days=1, slot_minutes=120))
    assert at(ap, "V1", 3) == ("S1", "W")  # 06:00-08:00
    assert at(ap, "V1", 5) == ("S1", "W")  # 10:00-12:00
    assert {p.hours for p in ap.placements if p.unit == "V1" and p.slot == 3} == {"07:00–08:00"}


def test_a_place_outside_every_grid_is_said(make_scenario: Make) -> None:
    # review B: a site outside every grid silently dropped out of the presence
    sites = "\n".join(line + (",x,y" if i == 0 else ",,") for i, line in enumerate(
        SITES.strip().split("\n"))) + "\nFAR,Far market,night_market,2,,1500,200\n"
    units = AUX_UNITS.replace("V1,auxiliary,foot,volunteer,P1\n",
                              "V1,auxiliary,foot,volunteer,P1\n").replace(
        "id,tier,mode,squad,home_post\n", "id,tier,mode,squad,home_post,sites\n")
    units = "\n".join(line + ("," if i else "") for i, line in enumerate(
        units.strip().split("\n"))).replace("V1,auxiliary,foot,volunteer,P1,",
                                            "V1,auxiliary,foot,volunteer,P1,FAR") + "\n"
    ap = place_auxiliary(lattice(make_scenario, **{"sites.csv": sites, "units.csv": units}),
                         DAY)
    assert at(ap, "V1", 20) == ("FAR", None)
    assert any("FAR lie outside every grid" in n for n in ap.notes)


def test_a_site_without_a_node_is_stood_at_where_a_walker_can_stand(
        make_scenario: Make) -> None:
    # the stage snapped a site without a node to the nearest node of any road: a volunteer
    # group at a night market beside a motorway stood on the motorway's node, which no one
    # on foot can reach; it now stands where planning.places puts a place for its mode
    from types import SimpleNamespace
    from typing import Any, cast

    from xunfang.network import RoadNetwork
    from xunfang.planning.patrol_stages import auxiliary_stage
    from xunfang.planning.pipeline import DeployContext

    nodes = LATTICE["network/nodes.csv"] + "m1,600,450\nm2,800,450\n"
    edges = LATTICE["network/edges.csv"] + (
        "n32,m1,motorway\nm1,m2,motorway\nm2,n42,motorway\n")
    sites = "\n".join(line + (",x,y" if i == 0 else ",,") for i, line in enumerate(
        LATTICE["sites.csv"].strip().split("\n"))) + "\nNM,Night market,night_market,2,,600,440\n"
    sc = lattice(make_scenario, **{"network/nodes.csv": nodes, "network/edges.csv": edges,
                                   "sites.csv": sites})
    assert next(s for s in sc.sites if s.id == "NM").node is None
    ctx = DeployContext(scenario=sc, network=RoadNetwork.from_scenario(sc), slots=DAY,
                        posture=cast(Any, SimpleNamespace(assignments=())),
                        inputs=cast(Any, None), risk=None, seed=0)
    out, _doc = auxiliary_stage(ctx)[:2]
    at_nm = [a for a in out if a.note == "auxiliary force at NM in its hours"]
    assert at_nm and {a.route for a in at_nm} == {("n32",)}, {a.route for a in at_nm}
