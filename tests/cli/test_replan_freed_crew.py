"""A re-plan frees the crew of a unit it takes out of service (from_plan.free_crews): the
pilot of a motorcycle taken out flies the drone that stood grounded for want of a pilot
(session 31: the pilot stayed tied to the broken motorcycle and the drone's reason said
"pilot PA1 of D1 is on duty, their unit M1 out of service"). A unit held at an incident
keeps its crew, and so does every unit the re-plan leaves as it was."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import write_files
from tests.planning.test_routes import LATTICE
from xunfang.cli.main import app

runner = CliRunner()

#: The lattice with a car at the west station, a motorcycle at the east one and the drone.
#: Each of the four teams has a pilot who rides motorcycles (P?1) and two drivers: the car
#: takes the drivers, the motorcycle the pilot (its only rider), and the drone, crewed last,
#: finds no pilot left: grounded all day.
UNITS = ("id,tier,mode,squad,home_post\nC1,special,car,patrol,P1\n"
         "M1,special,motorcycle,patrol,P2\nD1,special,drone,patrol,P1\n")
PEOPLE = "id,role,team,squad,skills,tier\n" + "".join(
    f"P{t}1,police,{t},patrol,motorcycle;drone_pilot,special\n"
    f"P{t}2,police,{t},patrol,driver,special\n"
    f"P{t}3,auxiliary,{t},patrol,driver,special\n" for t in "ABCD")
AT = 12  # the re-plan's slot (12:00)


def _doc(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def _rows(doc: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(a["unit"], a["slot"]): a for a in doc["plan"]["assignments"]}


def _run(*args: str) -> None:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("freed")
    sc = write_files(root / "sc", {**LATTICE, "units.csv": UNITS, "people.csv": PEOPLE})
    _run("plan", str(sc), "--out", str(root / "plan"), "--from", "2026-12-01", "--lang", "en")
    doc = _doc(root / "plan")
    at = _rows(doc)
    # the case at hand: the drone grounded, M1 ridden by a pilot from the re-plan's slot on
    assert all(at[("D1", k)]["duty"] == "off" for k in range(24))
    assert not doc["plan"].get("drone_sorties")
    riders = {k: at[("M1", k)]["crew"] for k in range(AT, 24)}
    assert all(len(c) == 1 and c[0].endswith("1") for c in riders.values()), riders
    return root / "plan"


def test_the_pilot_of_a_motorcycle_out_of_service_flies_the_grounded_drone(
        plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "re"
    _run("replan", str(plan_dir), "--at", "12:00", "--out-of-service", "M1", "--out", str(out))
    old, doc = _rows(_doc(plan_dir)), _doc(out)
    now = _rows(doc)
    for k in range(AT, 24):
        pilot = old[("M1", k)]["crew"]
        assert now[("M1", k)]["duty"] == "off" and now[("M1", k)]["note"] == "out of service"
        assert now[("D1", k)].get("crew") == pilot, (k, now[("D1", k)])
        assert now[("D1", k)]["duty"] in ("drone", "post"), now[("D1", k)]
    for k in range(AT):  # before the re-plan's slot: as in force, the drone on the ground
        assert now[("D1", k)] == old[("D1", k)]
        assert now[("M1", k)] == old[("M1", k)]
    # the car, untouched, keeps its crews all day
    assert all(now[("C1", k)]["crew"] == old[("C1", k)]["crew"] for k in range(24))
    # the drone flies after the re-plan's slot, never before
    air = doc["plan"]["drone_sorties"]
    assert air and all(x["unit"] == "D1" and x["start"] >= AT * 60 for x in air), air
    assert any(now[("D1", k)]["duty"] == "drone" for k in range(AT, 24))
    drones = doc["stages"]["drones"]
    assert not any("out of service" in s for s in drones["shortfalls"]), drones["shortfalls"]
    # plan.json's record of the re-plan says who moved where, when
    moved = doc["stages"]["replan"]["crews_freed"]
    assert {(m["from"], m["to"]) for m in moved} == {("M1", "D1")}
    assert sum(m["last_slot"] - m["first_slot"] + 1 for m in moved) == 24 - AT
    assert min(m["first_slot"] for m in moved) == AT
    # changes.csv names the drone's new duty, its pilot, and the unit the pilot came from
    with (out / "changes.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    d1 = [r for r in rows if r["unit"] == "D1" and r["new_kind"] in ("drone", "post")]
    assert len(d1) == 24 - AT
    for r in d1:
        k = int(r["slot_start"][11:13])
        assert r["old_kind"] == "off" and r["new_duty"] == now[("D1", k)]["note"]
        assert r["new_crew"] == ";".join(old[("M1", k)]["crew"])
        assert r["crew_from"] == f"{old[('M1', k)]['crew'][0]}:M1", r
    added = [r for r in rows if r["unit"] == "D1" and r["changed"] == "added"]
    assert len(added) == len(air) and all(r["new_crew"] for r in added)
    assert not any(r["crew_from"] for r in rows if r["unit"] == "C1")

    # a re-plan of the re-plan keeps the pilot on the drone, and changes nothing
    again = tmp_path / "again"
    _run("replan", str(out), "--at", "15:00", "--out", str(again))
    doc2 = _doc(again)
    assert _rows(doc2) == now
    assert doc2["plan"]["drone_sorties"] == air
    assert doc2["stages"]["replan"]["changed"] == 0


def test_a_unit_held_at_an_incident_keeps_its_pilot(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "busy"
    _run("replan", str(plan_dir), "--at", "12:00", "--busy", "M1:W:16:00", "--out", str(out))
    old, doc = _rows(_doc(plan_dir)), _doc(out)
    now = _rows(doc)
    for k in range(AT, 16):  # at the incident: its rider with it, the drone on the ground
        assert now[("M1", k)]["note"] == "busy at an incident"
        assert now[("M1", k)]["crew"] == old[("M1", k)]["crew"]
        assert now[("D1", k)]["duty"] == "off" and not now[("D1", k)].get("crew")
    assert all(now[("C1", k)]["crew"] == old[("C1", k)]["crew"] for k in range(24))
    assert "crews_freed" not in doc["stages"]["replan"]
    assert not any(x["start"] < 16 * 60 for x in doc["plan"].get("drone_sorties", []))


def test_a_unit_back_in_service_gets_its_people_back(plan_dir: Path, tmp_path: Path) -> None:
    """Review RV2: a motorcycle brought back in service came back on duty with no crew while
    its rider stayed on the drone he had taken: one person kept two units on duty."""
    out, back = tmp_path / "out", tmp_path / "back"
    _run("replan", str(plan_dir), "--at", "12:00", "--out-of-service", "M1", "--out", str(out))
    first = _doc(out)
    away = first["stages"]["replan"]["crews_away"]
    assert {(m["from"], m["to"]) for m in away} == {("M1", "D1")}
    _run("replan", str(out), "--at", "15:00", "--back-in-service", "M1", "--out", str(back))
    old, was, doc = _rows(_doc(plan_dir)), _rows(first), _doc(back)
    now = _rows(doc)
    for k in range(15, 24):  # the rider back on his motorcycle, the drone grounded again
        assert now[("M1", k)]["duty"] != "off" and now[("M1", k)]["crew"] == old[("M1", k)][
            "crew"], (k, now[("M1", k)])
        assert now[("D1", k)]["duty"] == "off", (k, now[("D1", k)])
        assert now[("D1", k)]["note"] == "no crew on duty" and not now[("D1", k)].get("crew")
    for k in range(15):  # before the re-plan's slot: as the plan in force has it
        assert now[("M1", k)] == was[("M1", k)] and now[("D1", k)] == was[("D1", k)]
    assert not any(x["start"] >= 15 * 60 for x in doc["plan"].get("drone_sorties", []))
    for k in range(24):  # nobody aboard two units
        crews = [p for (u, j), a in now.items() if j == k for p in a.get("crew") or ()]
        assert len(crews) == len(set(crews)), (k, crews)
    # the record keeps the morning's moves and nothing after the rider went back
    away2 = doc["stages"]["replan"]["crews_away"]
    assert {(m["from"], m["to"]) for m in away2} == {("M1", "D1")}
    assert max(m["last_slot"] for m in away2) == 14 and min(m["first_slot"] for m in away2) == AT
    with (back / "changes.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["unit"] == "M1"]
    assert len(rows) == 24 - 15 and all(r["crew_from"].endswith(":D1") for r in rows), rows


@pytest.fixture(scope="module")
def two_bikes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lattice with a second motorcycle in place of the drone: M2 off all day for want of
    a rider, until M1 goes out of service and its rider takes M2."""
    root = tmp_path_factory.mktemp("bikes")
    units = UNITS.replace("D1,special,drone,patrol,P1", "M2,special,motorcycle,patrol,P1")
    sc = write_files(root / "sc", {**LATTICE, "units.csv": units, "people.csv": PEOPLE})
    _run("plan", str(sc), "--out", str(root / "plan"), "--from", "2026-12-01", "--lang", "en")
    at = _rows(_doc(root / "plan"))
    assert all(at[("M2", k)]["duty"] == "off" for k in range(24))
    return root / "plan"


def test_a_unit_held_at_an_incident_keeps_the_rider_its_unit_wants_back(
        two_bikes: Path, tmp_path: Path) -> None:
    """Review RV2 #4: bringing M1 back took its rider off M2 while M2 was held at an
    incident, and M2 went off duty with the incident still on its record."""
    out, busy, back = tmp_path / "out", tmp_path / "busy", tmp_path / "back"
    _run("replan", str(two_bikes), "--at", "12:00", "--out-of-service", "M1", "--out", str(out))
    _run("replan", str(out), "--at", "13:00", "--busy", "M2:W:16:00", "--out", str(busy))
    _run("replan", str(busy), "--at", "14:00", "--back-in-service", "M1", "--out", str(back))
    old, now = _rows(_doc(two_bikes)), _rows(_doc(back))
    for k in (14, 15):  # the incident first: the rider stays with M2, M1 waits for him
        assert now[("M2", k)]["note"] == "busy at an incident"
        assert now[("M2", k)]["crew"] == old[("M1", k)]["crew"]
        assert now[("M1", k)]["duty"] == "off" and now[("M1", k)]["note"] == "no crew on duty"
    for k in range(16, 24):  # then he rides his own motorcycle again
        assert now[("M1", k)]["duty"] != "off" and now[("M1", k)]["crew"] == old[("M1", k)][
            "crew"], (k, now[("M1", k)])
        assert now[("M2", k)]["duty"] == "off", (k, now[("M2", k)])
    for k in range(24):
        crews = [p for (u, j), a in now.items() if j == k for p in a.get("crew") or ()]
        assert len(crews) == len(set(crews)), (k, crews)


@pytest.fixture(scope="module")
def split_car(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lattice with a motorcycle M2 and a balance vehicle B1 in place of the drone, and
    drivers who ride: 08-12 C1 takes team A's driver PA2 and PA3, who has no skill, M1 the
    pilot PA1, and M2 and B1 stand off for want of a crew."""
    root = tmp_path_factory.mktemp("split")
    units = UNITS.replace("D1,special,drone,patrol,P1",
                          "M2,special,motorcycle,patrol,P1\nB1,special,balance,patrol,P2")
    people = "id,role,team,squad,skills,tier\n" + "".join(
        f"P{t}1,police,{t},patrol,motorcycle;drone_pilot,special\n"
        f"P{t}2,police,{t},patrol,driver;motorcycle,special\n"
        f"P{t}3,auxiliary,{t},patrol,,special\n" for t in "ABCD")
    sc = write_files(root / "sc", {**LATTICE, "units.csv": units, "people.csv": people})
    _run("plan", str(sc), "--out", str(root / "plan"), "--from", "2026-12-01", "--lang", "en")
    at = _rows(_doc(root / "plan"))
    for k in range(8, 12):
        assert at[("M2", k)]["duty"] == at[("B1", k)]["duty"] == "off", k
        assert at[("C1", k)]["crew"] == ["PA2", "PA3"] and at[("M1", k)]["crew"] == ["PA1"], k
    return root / "plan"


def test_people_who_cannot_crew_their_unit_back_in_service_stay_where_they_are(
        split_car: Path, tmp_path: Path) -> None:
    """C1 out of service at 08:00 frees its driver PA2 to M2 and PA3 to B1; M2 is then held
    at an incident until 11:00, and C1 comes back at 10:00, when PA3 alone cannot drive it.
    He was taken off B1 anyway and left aboard nothing, B1 and C1 both off; he now stays
    on B1 until the driver is free at 11:00, and then both go back to C1."""
    out, busy, back = tmp_path / "out", tmp_path / "busy", tmp_path / "back"
    _run("replan", str(split_car), "--at", "08:00", "--out-of-service", "C1", "--out", str(out))
    first = _rows(_doc(out))
    for k in range(8, 12):
        assert first[("M2", k)]["crew"] == ["PA2"] and first[("B1", k)]["crew"] == ["PA3"], k
    _run("replan", str(out), "--at", "09:00", "--busy", "M2:W:11:00", "--out", str(busy))
    _run("replan", str(busy), "--at", "10:00", "--back-in-service", "C1", "--out", str(back))
    now = _rows(_doc(back))
    assert now[("M2", 10)]["note"] == "busy at an incident" and now[("M2", 10)]["crew"] == [
        "PA2"]
    assert now[("B1", 10)]["duty"] != "off" and now[("B1", 10)]["crew"] == ["PA3"], now[
        ("B1", 10)]
    assert now[("C1", 10)]["duty"] == "off" and now[("C1", 10)]["note"] == "no crew on duty"
    assert now[("C1", 11)]["duty"] != "off" and sorted(now[("C1", 11)]["crew"]) == [
        "PA2", "PA3"], now[("C1", 11)]
    assert now[("M2", 11)]["duty"] == now[("B1", 11)]["duty"] == "off"
    for k in range(24):
        crews = [p for (u, j), a in now.items() if j == k for p in a.get("crew") or ()]
        assert len(crews) == len(set(crews)), (k, crews)
