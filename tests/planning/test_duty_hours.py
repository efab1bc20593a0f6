"""Police units on duty in their hours (units.csv ``hours``): a station's car with four
people is not on the street 168 hours a week (a review of the built-in scenario: every
station car, foot group and the armed police's car counted in every hour, with PS1-C and
PS1-F drawing on the same four people), and the night checkpoints the article has the
stations' patrols hold."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xunfang._errors import Problem
from xunfang.cli.main import app
from xunfang.plan import make_slots
from xunfang.planning.deploy.inputs import HOURS_OFF, crewing, in_duty_hours, read_pins
from xunfang.scenario import check
from xunfang.scenario.loader import ScenarioError, load
from xunfang.scenario.model import Scenario, hours_text, parse_hours

DAY = date(2026, 12, 4)
EBIAN = Path(__file__).resolve().parents[2] / "src" / "xunfang" / "scenarios" / "ebian"


#: duty hours for some of the county's units (the built-in county has none: its stations'
#: teams crew their units round the clock)
HOURS = {"PS1-C": "14-2", "PS1-F": "9-17", "PS4-C": "10-2", "WJ-1": "10-2"}


def _with_hours(folder: Path, hours: dict[str, str]) -> None:
    rows = list(csv.reader((folder / "units.csv").read_text(encoding="utf-8").splitlines()))
    if "hours" not in rows[0]:
        rows = [[*rows[0], "hours"], *([*r, ""] for r in rows[1:])]
    col = rows[0].index("hours")
    for r in rows[1:]:
        if r[0] in hours:
            r[col] = hours[r[0]]
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def houred(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("houred") / "ebian"
    shutil.copytree(EBIAN, folder)
    _with_hours(folder, HOURS)
    return folder


@pytest.fixture(scope="module")
def ebian(houred: Path) -> Scenario:
    return load(houred)


@pytest.mark.parametrize("text", ["8-24", "20-2", "9-12;14-18", "0-24", "23", "22-2;10-14"])
def test_hours_text_reads_back_as_the_same_hours(text: str) -> None:
    hours = parse_hours(text)
    assert parse_hours(hours_text(hours)) == hours


def test_a_unit_with_hours_is_off_outside_them_and_says_why(ebian: Scenario) -> None:
    slots = make_slots(DAY, days=1, slot_minutes=60)
    rostered = [p.id for p in ebian.people if p.team in ("A", "B", "C", "D", "day")]
    on_people = [tuple(rostered)] * len(slots)
    got = crewing(ebian, slots, on_people, rostered)
    units = {u.id: u for u in ebian.units}
    assert units["PS4-C"].hours == parse_hours("10-2")
    for k, s in enumerate(slots):
        on = s.start.hour in (*range(10, 24), 0, 1)
        assert ("PS4-C" in got.on_duty[k]) is on, s.start
        assert in_duty_hours(units["PS4-C"], s) is on
        why = got.off_reason.get(("PS4-C", s.index))
        assert (why is None) is on
        if not on:
            assert why == f"{HOURS_OFF} (units.csv hours 10-2)"
    # the same unit without hours: on in every slot, as before
    bare = replace(ebian, units=tuple(
        replace(u, extra={k: v for k, v in u.extra.items() if k != "hours"})
        if u.id == "PS4-C" else u for u in ebian.units))
    plain = crewing(bare, slots, on_people, rostered)
    assert all("PS4-C" in d for d in plain.on_duty)
    # and the unnamed-crew note gives its hours
    assert "on duty in its hours 10-2 (units.csv hours)" in got.unnamed["PS4-C"]
    assert "on duty in every hour" in plain.unnamed["PS4-C"]


def test_a_slot_only_partly_in_the_hours_is_off(ebian: Scenario) -> None:
    car = next(u for u in ebian.units if u.id == "PS4-C")
    two = make_slots(DAY, days=1, slot_minutes=120)
    at = {s.start.hour: in_duty_hours(car, s) for s in two}
    assert at[8] is False and at[10] is True and at[0] is True and at[2] is False


def test_a_bad_hours_cell_of_a_police_unit_names_its_row_and_column(houred: Path,
                                                                     tmp_path: Path) -> None:
    folder = tmp_path / "ebian"
    shutil.copytree(houred, folder)
    rows = list(csv.reader((folder / "units.csv").read_text(encoding="utf-8").splitlines()))
    at = next(i for i, r in enumerate(rows) if r[0] == "WJ-1")
    rows[at][rows[0].index("hours")] = "10-26"
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    with pytest.raises(ScenarioError) as err:
        load(folder)
    bad = [p for p in err.value.problems if p.rule == "bad-hours"]
    assert len(bad) == 1
    assert (bad[0].file.endswith("units.csv"), bad[0].row, bad[0].column) == (True, at, "hours")
    assert "'10-26' is not an hour 0-23 or a range" in bad[0].message


@pytest.fixture(scope="module")
def county_plan(houred: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "p"
    done = CliRunner().invoke(app, ["plan", str(houred), "--out", str(out), "--from",
                                    DAY.isoformat(), "--lang", "en"])
    assert done.exit_code == 0, done.output
    return out


def test_a_plan_keeps_units_to_their_hours_and_the_county_holds_its_night_checkpoints(
        county_plan: Path) -> None:
    doc = json.loads((county_plan / "plan.json").read_text(encoding="utf-8"))
    clock = {s["index"]: s["start"][11:16] for s in doc["plan"]["slots"]}
    at = {(a["unit"], clock[a["slot"]]): a for a in doc["plan"]["assignments"]}
    # the night checkpoints (夜间执勤卡点) held 20-02 by the nearest stations' cars
    # (the built-in county's pins.csv; the article: 派出所巡逻力量设立2个夜间执勤卡点)
    for car, cp in (("PS1-C", "NCP1"), ("PS3-C", "NCP2")):
        for hour in ("20:00", "23:00", "00:00", "01:00"):
            assert (at[(car, hour)]["duty"], at[(car, hour)].get("post")) == ("post", cp)
        assert at[(car, "02:00")].get("post") != cp
    # PS1-C 14-02, its foot group 09-17 only, the armed police's car 10-02
    assert at[("PS1-C", "02:00")]["duty"] == "off"
    assert at[("PS1-C", "02:00")]["note"] == f"{HOURS_OFF} (units.csv hours 14-2)"
    assert at[("PS1-F", "08:00")]["duty"] == "off" and at[("PS1-F", "09:00")]["duty"] != "off"
    assert at[("WJ-1", "09:00")]["duty"] == "off" and at[("WJ-1", "01:00")]["duty"] != "off"
    # PS3-C, with no hours, is on duty in every slot
    assert all(at[("PS3-C", f"{h:02d}:00")]["duty"] != "off" for h in range(24))
    unnamed = doc["stages"]["posture"]["unnamed_crews"]
    assert "on duty in its hours 14-2 (units.csv hours)" in unnamed["PS1-C"]
    assert "on duty in every hour" in unnamed["PS3-C"]
    report = (county_plan / "report.html").read_text(encoding="utf-8")
    assert "off outside its duty hours (units.csv hours 14-2)" in report
    assert "on duty in its hours 10-2 (units.csv hours)" in report


def test_units_asking_more_of_their_own_duty_list_than_it_gives_are_warned(
        tmp_path: Path) -> None:
    # PS1-C round the clock beside its foot group 09-17: 2 x 24 + 8 = 56 crew-hours a day;
    # with four of the station's nine people left, who work 8 hours each (56 a week): 32
    folder = tmp_path / "ebian"
    shutil.copytree(EBIAN, folder)
    assert not [w for w in check(folder).warnings if w.rule == "duty-hours"]
    _with_hours(folder, {"PS1-F": "9-17"})
    assert not [w for w in check(folder).warnings if w.rule == "duty-hours"]
    lines = (folder / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    gone = ("PS1-J3,", "PS1-J4,", "PS1-F3,", "PS1-F4,", "PS1-F5,")
    (folder / "people.csv").write_text("".join(x for x in lines if not x.startswith(gone)),
                                       encoding="utf-8")
    said = [w for w in check(folder).warnings if w.rule == "duty-hours"]
    assert len(said) == 1
    w = said[0]
    assert (w.file.endswith("units.csv"), w.column) == (True, "hours")
    assert "units PS1-C 0-24, PS1-F 9-17" in w.message
    assert "they ask 56 crew-hours a day and up to 3 people at once" in w.message
    assert "4 people working 8 hours a day (max_week_hours 56 ÷ 7) give 32" in w.message


def test_with_no_roster_a_checkpoint_team_checks_only_in_its_hours(
        houred: Path, tmp_path: Path) -> None:
    # a review: with no people.csv (no roster) TX-C3 with hours 9-17 was scheduled at 00:00
    # while the posture had it off
    folder = tmp_path / "ebian"
    shutil.copytree(houred, folder)
    (folder / "people.csv").unlink()
    (folder / "pins.csv").unlink()
    _with_hours(folder, {"TX-C3": "9-17"})
    out = tmp_path / "p"
    done = CliRunner().invoke(app, ["plan", str(folder), "--out", str(out), "--from",
                                    DAY.isoformat(), "--lang", "en"])
    assert done.exit_code == 0, done.output
    cp = json.loads((out / "plan.json").read_text(encoding="utf-8"))["stages"]["checkpoints"]
    assert cp["teams_per_slot"] == [1 if 9 <= h < 17 else 0 for h in range(24)]
    assert all(9 <= int(v["slot"][11:13]) < 17 for v in cp["schedule"])
    off = {u["slot"][11:13]: u["reason"] for u in cp["unmanned"]}
    assert sorted(off) == [f"{h:02d}" for h in (*range(9), *range(17, 24))]
    assert set(off.values()) == {f"{HOURS_OFF} (units.csv hours 9-17)"}


def test_a_pin_outside_its_unit_s_hours_is_a_warning_that_names_its_row(
        tmp_path: Path) -> None:
    # the county pins PS1-C at NCP1 20:00-02:00; with duty hours 8-22 it is off at 22:00-02:00
    folder = tmp_path / "ebian"
    shutil.copytree(EBIAN, folder)
    assert not [w for w in check(folder).warnings if w.rule == "pin-outside-hours"]
    _with_hours(folder, {"PS1-C": "8-22"})
    said = [w for w in check(folder).warnings if w.rule == "pin-outside-hours"]
    assert [(Path(w.file).name, w.row, w.column) for w in said] == [
        ("pins.csv", 1, "to"), ("pins.csv", 2, "from")]  # 20:00-24:00 ends outside them
    assert said[0].message.startswith("unit 'PS1-C' is pinned in 2 slot(s) outside its duty "
                                      "hours (units.csv hours 8-22), from ")
    assert "T22:00: the plan has it off then and lists the pin as a shortfall" in (
        said[0].message)
    assert "pinned in 2 slot(s)" in said[1].message and "T00:00" in said[1].message
    # the plan reads the same pins with the same warnings, and keeps the pins
    sc = load(folder)
    warnings: list[Problem] = []
    pins = read_pins(folder / "pins.csv", sc, make_slots(DAY, days=1, slot_minutes=60),
                     warnings=warnings)
    assert len(pins) == 4
    assert [(w.row, w.rule, w.severity) for w in warnings] == [
        (1, "pin-outside-hours", "warning"), (2, "pin-outside-hours", "warning")]
    assert f"from {DAY.isoformat()}T22:00:" in warnings[0].message
