"""The planner's pins as a file: ``xunfang plan --pins FILE`` and the scenario's pins.csv.

The table reader's errors name the file, row, column and rule; a pinned unit is where the pin
says, and the pins are recorded in plan.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xunfang import scenario as scenario_mod
from xunfang.cli.main import app
from xunfang.plan import Slot, make_slots
from xunfang.planning.deploy.inputs import DeployError, Pin, PinsError, check_pins, read_pins
from xunfang.scenario.model import Scenario

Make = Callable[..., Path]
runner = CliRunner()

UNITS = ("id,tier,mode,squad,home_post\n"
         "car1,special,car,patrol,p1\ncar2,precinct,car,patrol,p1\n"
         "drone1,special,drone,patrol,p1\n")
POSTS = ("id,name,kind,node\np1,Station one,station,a\np2,Kiosk,kiosk,c\n"
         "g1,East gate,exit,e\n")


@pytest.fixture(scope="module")
def ebian() -> scenario_mod.Scenario:
    return scenario_mod.load("ebian")


def _slots(days: int = 1) -> tuple[Slot, ...]:
    slots: tuple[Slot, ...] = make_slots(date(2026, 12, 1), days=days, slot_minutes=60)
    return slots


def _write(tmp_path: Path, text: str, name: str = "pins.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_read_pins_times_cover_the_slots_they_overlap(ebian: Scenario,
                                                      tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,post,grid,from,to,note\n"
                            "TX-M1,KS1,,10:30,12:00,夜市守点\n"
                            "PS2-C,,G1,2026-12-01T22:15,2026-12-02T00:00,\n"
                            "PS3-C,,G2,23:00,24:00,\n", encoding="gb18030")
    pins = read_pins(path, ebian, _slots())
    assert pins == (Pin("TX-M1", (10, 11), post="KS1", note="夜市守点"),
                    Pin("PS2-C", (22, 23), grid="G1"), Pin("PS3-C", (23,), grid="G2"))
    # HH:MM holds on every day of a two-day plan
    two = read_pins(_write(tmp_path, "unit,grid,from,to\nPS3-C,G2,06:00,07:00\n", "two.csv"),
                    ebian, _slots(2))
    assert two == (Pin("PS3-C", (6, 30), grid="G2"),)


def test_read_pins_xlsx(ebian: Scenario, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["unit", "post", "from", "to"])
    ws.append(["TX-M2", "RP1", "08:00", "09:00"])
    ws.append(["TX-M3", "RP1", time(13, 0), time(14, 30)])  # time cells, as Excel keeps them
    ws.append(["TX-M4", "KS1", datetime(2026, 12, 1, 20), datetime(2026, 12, 1, 21)])
    wb.save(tmp_path / "pins.xlsx")
    assert read_pins(tmp_path / "pins.xlsx", ebian, _slots()) == (
        Pin("TX-M2", (8,), post="RP1"), Pin("TX-M3", (13, 14), post="RP1"),
        Pin("TX-M4", (20,), post="KS1"))


@pytest.mark.parametrize(("row", "column", "rule"), [
    ("X-9,KS1,,10:00,11:00", "unit", "unknown-unit"),
    ("TX-M1,NOPE,,10:00,11:00", "post", "unknown-post"),
    ("TX-M1,,G99,10:00,11:00", "grid", "unknown-grid"),
    ("TX-M1,KS1,G1,10:00,11:00", "post", "post-or-grid"),
    ("TX-M1,,,10:00,11:00", "grid", "post-or-grid"),
    ("TX-M1,KS1,,11:00,11:00", "to", "bad-range"),
    ("TX-M1,KS1,,11:00,10:00", "to", "bad-range"),
    ("TX-M1,KS1,,2026-11-30T23:00,2026-12-01T01:00", "from", "outside-plan"),
    ("TX-M1,KS1,,2026-12-01T23:00,2026-12-02T01:00", "to", "outside-plan"),
    ("TX-D1,SB1,,10:00,11:00", "unit", "drone-pin"),
    ("TX-M1,KS1,,10h,11:00", "from", "bad-time"),
    ("TX-M1,KS1,,25:00,23:00", "from", "bad-time"),
    ("TX-M1,KS1,,10:00,2026-12-01T11:00", "to", "mixed-times"),
])
def test_read_pins_errors_name_file_row_column_rule(ebian: Scenario, tmp_path: Path,
                                                    row: str, column: str, rule: str) -> None:
    path = _write(tmp_path, "unit,post,grid,from,to\nTX-M2,RP1,,08:00,09:00\n" + row + "\n")
    with pytest.raises(PinsError) as info:
        read_pins(path, ebian, _slots(), label="pins.csv")
    probs = [p for p in info.value.problems if p.severity == "error"]
    assert [(p.file, p.row, p.column, p.rule) for p in probs] == [
        ("pins.csv", 2, column, rule)], probs
    assert f"pins.csv, row 2, column '{column}'" in str(info.value)


def test_read_pins_overlap_in_one_file_and_across_files(ebian: Scenario,
                                                        tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,post,from,to\nTX-M1,KS1,10:00,12:00\n"
                            "TX-M1,RP1,11:30,13:00\nTX-M1,RP1,12:00,13:00\n")
    with pytest.raises(PinsError) as info:
        read_pins(path, ebian, _slots(), label="a.csv")
    (p,) = info.value.problems
    assert (p.row, p.rule) == (2, "overlap") and "a.csv, row 1" in p.message
    taken: dict[tuple[str, int], str] = {}
    read_pins(_write(tmp_path, "unit,grid,from,to\nPS1-C,G1,08:00,09:00\n", "b.csv"), ebian,
              _slots(), label="b.csv", taken=taken)
    with pytest.raises(PinsError, match=r"c.csv, row 1, column 'from'.*\(b.csv, row 1\)"):
        read_pins(_write(tmp_path, "unit,post,from,to\nPS1-C,PS1,08:30,10:00\n", "c.csv"),
                  ebian, _slots(), label="c.csv", taken=taken)


def test_read_pins_table_errors(ebian: Scenario, tmp_path: Path) -> None:
    with pytest.raises(PinsError, match=r"required column 'to' is missing"):
        read_pins(_write(tmp_path, "unit,post,from\nTX-M1,KS1,10:00\n"), ebian, _slots())
    with pytest.raises(PinsError, match=r"needs a 'post' or a 'grid' column"):
        read_pins(_write(tmp_path, "unit,place,from,to\nTX-M1,KS1,10:00,11:00\n"), ebian,
                  _slots())
    with pytest.raises(PinsError, match=r"neither UTF-8 nor GB18030"):
        p = tmp_path / "bad.csv"
        p.write_bytes(b"unit,post,from,to\n\xff\xfe\xfa,KS1,10:00,11:00\n")
        read_pins(p, ebian, _slots())


def test_prepare_refuses_pins_it_cannot_keep(ebian: Scenario) -> None:
    with pytest.raises(DeployError, match="a drone flies sorties"):
        check_pins((Pin("TX-D1", (1,), post="SB1"),), ebian, _slots())
    with pytest.raises(DeployError, match=r"unit 'TX-M1' is pinned twice in slot 3 "
                                          r"\(KS1 and G2\)"):
        check_pins((Pin("TX-M1", (2, 3), post="KS1"), Pin("TX-M1", (3, 4), grid="G2")),
                   ebian, _slots())
    assert Pin.from_dict(Pin("TX-M1", (2, 3), post="KS1", note="n").as_dict(_slots())) == \
        Pin("TX-M1", (2, 3), post="KS1", note="n")


def test_plan_reads_the_scenario_pins_and_the_pins_option(make_scenario: Make,
                                                         tmp_path: Path) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS,
                            "pins.csv": "unit,post,from,to,note\ncar1,p2,08:00,10:00,gate\n"})
    extra = _write(tmp_path, "unit,post,from,to\ncar2,p2,2026-12-01T20:00,"
                             "2026-12-01T21:00\n", "extra.csv")
    out = tmp_path / "plan"
    r = runner.invoke(app, ["plan", str(folder), "--out", str(out), "--from", "2026-12-01",
                            "--pins", str(extra)])
    assert r.exit_code == 0, r.output
    assert f"pins: 1 read from {folder / 'pins.csv'}" in r.output.replace("\n", "")
    assert f"pins: 1 read from --pins {extra}" in r.output.replace("\n", "")
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    posture = doc["stages"]["posture"]
    assert posture["pins"] == [
        {"unit": "car1", "post": "p2", "slots": [8, 9], "slots_from": "2026-12-01T08:00",
         "slots_to": "2026-12-01T10:00", "note": "gate"},
        {"unit": "car2", "post": "p2", "slots": [20], "slots_from": "2026-12-01T20:00",
         "slots_to": "2026-12-01T21:00"}]
    assert [p["pins"] for p in posture["pins_from"]] == [1, 1]
    at = {(a["unit"], a["slot"]): a for a in doc["plan"]["assignments"]}
    assert at[("car1", 8)]["post"] == "p2" and at[("car1", 8)]["note"] == "pinned gate"
    assert at[("car1", 10)]["post"] == "p1"  # the pin ends at 10:00
    assert at[("car2", 20)]["post"] == "p2" and at[("car2", 19)]["post"] == "p1"
    sheet = (out / "plan_sheet.csv").read_text(encoding="utf-8-sig")
    assert "car1,2026-12-01T08:00,2026-12-01T09:00,post,p2,,pinned gate" in sheet


def test_plan_pins_errors_stop_the_plan(make_scenario: Make, tmp_path: Path) -> None:
    folder = make_scenario({"units.csv": UNITS, "posts.csv": POSTS,
                            "pins.csv": "unit,post,from,to\ncar1,p2,08:00,10:00\n"})
    bad = _write(tmp_path, "unit,post,from,to\ncar1,p1,09:00,11:00\ndrone1,p1,01:00,02:00\n",
                 "bad.csv")
    out = tmp_path / "plan"
    r = runner.invoke(app, ["plan", str(folder), "--out", str(out), "--from", "2026-12-01",
                            "--pins", str(bad)])
    assert r.exit_code == 1
    text = r.output.replace("\n", " ")
    assert "the pins have errors; no plan written" in text
    assert f"--pins {bad}, row 1, column 'from'" in text and "[overlap]" in text
    assert f"--pins {bad}, row 2, column 'unit'" in text and "[drone-pin]" in text
    assert not out.exists()
    r = runner.invoke(app, ["plan", str(folder), "--out", str(out), "--pins",
                            str(tmp_path / "missing.csv")])
    # click's error panel wraps a long path at the terminal's width, inside its borders
    assert r.exit_code == 2 and "missing.csv" in "".join(r.output.replace("│", "").split())
