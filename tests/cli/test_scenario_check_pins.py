"""``xunfang scenario check`` reads the folder's pins.csv with the reader ``xunfang plan``
uses: the same problems, each with its file, row, column and rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from xunfang import scenario as scenario_mod
from xunfang.cli.main import app
from xunfang.plan import make_slots
from xunfang.planning.deploy.inputs import PinsError, read_pins

Make = Callable[..., Path]
runner = CliRunner()
UNITS = ("id,tier,mode,squad,home_post\n"
         "car1,special,car,patrol,p1\ncar2,precinct,car,patrol,p1\n"
         "drone1,special,drone,patrol,p1\n")
POSTS = "id,name,kind,node\np1,Station one,station,a\np2,Kiosk,kiosk,c\ng1,East gate,exit,e\n"
BAD = ("unit,post,from,to\n"
       "car1,p2,08:00,10:00\n"  # fine
       "ghost,p2,08:00,09:00\n"  # unknown unit
       "car2,nope,08:00,09:00\n"  # unknown post
       "drone1,p1,01:00,02:00\n"  # drones fly sorties
       "car2,p2,9h,10:00\n"  # not a time
       "car2,p2,11:00,10:00\n"  # to before from
       "car1,p1,09:30,11:00\n")  # car1 is pinned at p2 until 10:00


def _check(folder: Path) -> tuple[int, dict[str, Any]]:
    r = runner.invoke(app, ["scenario", "check", str(folder), "--json"])
    doc: dict[str, Any] = json.loads(r.stdout)
    # (these scenarios have no people.csv: the one warning that crews are not modelled aside)
    doc["problems"] = [p for p in doc["problems"] if p["rule"] != "no-crews"]
    return r.exit_code, doc


def test_scenario_check_reports_a_bad_pins_csv(make_scenario: Make) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS, "pins.csv": BAD})
    code, doc = _check(folder)
    assert code == 1
    pins = str(folder / "pins.csv")
    got = [(p["file"], p["row"], p["column"], p["rule"]) for p in doc["problems"]]
    assert got == [(pins, 2, "unit", "unknown-unit"), (pins, 3, "post", "unknown-post"),
                   (pins, 4, "unit", "drone-pin"), (pins, 5, "from", "bad-time"),
                   (pins, 6, "to", "bad-range"), (pins, 7, "from", "overlap")]
    assert doc["counts"] is not None  # the rest of the scenario is still shown
    # the plan command's reader finds the same problems in the same words
    sc = scenario_mod.load(folder)
    with pytest.raises(PinsError) as info:
        read_pins(folder / "pins.csv", sc, make_slots(date(2026, 12, 1), days=1,
                                                      slot_minutes=60), label=pins)
    assert [p.as_dict() for p in info.value.problems] == doc["problems"]
    # and the human output names file, row, column and rule
    r = runner.invoke(app, ["scenario", "check", str(folder)])
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "6 error(s)" in text
    assert f"{pins}, row 7, column 'from': unit 'car1' is already pinned" in text
    assert "[overlap]" in text


def test_the_plan_command_refuses_the_same_pins(make_scenario: Make, tmp_path: Path) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS, "pins.csv": BAD})
    r = runner.invoke(app, ["plan", str(folder), "--out", str(tmp_path / "p"), "--from",
                            "2026-12-01"])
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "the pins have errors; no plan written" in text
    assert f"{folder / 'pins.csv'}, row 7, column 'from'" in text
    # loading the scenario is not refused for its pins: other commands do not use them
    assert scenario_mod.load(folder).units


def test_good_pins_and_dated_pins_pass(make_scenario: Make) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS, "pins.csv": (
        "unit,post,from,to\ncar1,p2,08:00,10:00\n"
        "car2,p2,2027-01-05T22:00,2027-01-06T02:00\n"
        "car1,p1,2027-01-07T11:00,2027-01-07T12:00\n")})
    code, doc = _check(folder)
    assert code == 0 and doc["problems"] == []
    # the daily pin holds on every day the dated pins name: a clash on one of them is found
    (folder / "pins.csv").write_text(
        "unit,post,from,to\ncar1,p2,08:00,10:00\ncar1,p1,2027-01-07T09:00,2027-01-07T10:00\n",
        encoding="utf-8")
    code, doc = _check(folder)
    assert code == 1 and [(p["row"], p["rule"]) for p in doc["problems"]] == [(2, "overlap")]


def test_pins_no_plan_can_hold(make_scenario: Make) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS, "pins.csv": (
        "unit,post,from,to\ncar1,p2,2026-12-01T08:00,2026-12-01T10:00\n"
        "car2,p2,2062-12-01T08:00,2062-12-01T10:00\n")})  # a typo in the year
    code, doc = _check(folder)
    assert code == 1
    (p,) = doc["problems"]
    assert (p["file"], p["row"], p["column"], p["rule"]) == (
        str(folder / "pins.csv"), 2, "to", "outside-plan")
    assert "from 2026-12-01 to 2062-12-01" in p["message"] and "at most 366 days" in p["message"]


def test_pins_xlsx_and_two_pins_tables(make_scenario: Make) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS})
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["unit", "grid", "from", "to"])
    ws.append(["car1", "G9", "08:00", "09:00"])
    wb.save(folder / "pins.xlsx")
    code, doc = _check(folder)
    assert code == 1
    assert [(p["file"], p["row"], p["column"], p["rule"]) for p in doc["problems"]] == [
        (str(folder / "pins.xlsx"), 1, "grid", "unknown-grid")]
    (folder / "pins.csv").write_text("unit,post,from,to\n", encoding="utf-8")
    code, doc = _check(folder)
    assert code == 1 and len(doc["problems"]) == 1
    assert "pins" in doc["problems"][0]["message"]


def test_a_scenario_without_pins_is_unchanged(make_scenario: Make) -> None:
    code, doc = _check(make_scenario({"units.csv": UNITS, "posts.csv": POSTS}))
    assert code == 0 and doc["problems"] == []


def test_pins_wait_for_the_scenarios_own_errors(make_scenario: Make) -> None:
    # car2's home post is unknown: the unit is left out, and its pin is not called unknown
    units = UNITS.replace("car2,precinct,car,patrol,p1", "car2,precinct,car,patrol,p9")
    folder = make_scenario({"units.csv": units, "posts.csv": POSTS,
                            "pins.csv": "unit,post,from,to\ncar2,p2,08:00,10:00\n"})
    code, doc = _check(folder)
    assert code == 1
    assert [(p["file"], p["rule"], p["severity"]) for p in doc["problems"]] == [
        ("units.csv", "unknown-post", "error"),
        (str(folder / "pins.csv"), "not-checked", "warning")]  # named as xunfang plan does
