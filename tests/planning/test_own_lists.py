"""What a plan asks of the stations' own duty lists. Their units are on duty without named
crews (the roster rotas the brigade, not the stations), so the posture says per list the
crew-hours a day its units are on duty, the hours a week that makes for each of its people
against ``max_week_hours``, and the most needed at once; the report's unnamed-crews section
shows it, and marks a list asked more than its people can work."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.planning.test_duty_hours import _with_hours
from xunfang.cli.main import app

DAY = date(2026, 12, 4)
EBIAN = Path(__file__).resolve().parents[2] / "src" / "xunfang" / "scenarios" / "ebian"


def _plan(folder: Path, out: Path, lang: str) -> tuple[list[dict[str, Any]], str]:
    done = CliRunner().invoke(app, ["plan", str(folder), "--out", str(out), "--from",
                                    DAY.isoformat(), "--lang", lang])
    assert done.exit_code == 0, done.output
    posture = json.loads((out / "plan.json").read_text(encoding="utf-8"))["stages"]["posture"]
    return posture["own_duty_lists"], (out / "report.html").read_text(encoding="utf-8")


def test_the_county_s_station_lists_work_their_most_and_no_more(tmp_path: Path) -> None:
    lists, html = _plan(EBIAN, tmp_path / "p", "en")
    by = {tuple(r["units"]): r for r in lists}
    # nine people crew a town station's car (2) and foot group (1) round the clock: 72
    # crew-hours a day, 56 a week each; six crew a car: 48 a day, 56 each. The rota covers
    # the day, but six working days in seven leave its week 504 − 9 × 48 = 72 person-hours
    # short (48 for six people): every list is asked more than its people can keep up
    ps1 = dict(by[("PS1-C", "PS1-F")])
    rota = ps1.pop("rota")
    assert ps1 == {
        "units": ["PS1-C", "PS1-F"], "people": 9, "crew_hours_a_day": 72.0,
        "week_hours_each": 56.0, "max_week_hours": 56, "most_at_once": 3, "over": True}
    assert (rota["short"], rota["short_hours"], rota["week_short_hours"],
            rota["repeating_week"], rota["status"]) == ([], 0, 72.0, True, "optimal")
    assert len(rota["duties"]) == 9 and set(rota["week_hours"].values()) == {48.0}
    assert by[("WJ-1",)]["crew_hours_a_day"] == 48.0 and by[("WJ-1",)]["people"] == 6
    assert by[("WJ-1",)]["rota"]["week_short_hours"] == 48.0
    assert {k for k in by} == {("PS1-C", "PS1-F"), ("PS2-C", "PS2-F"), ("PS3-C", "PS3-F"),
                               ("PS4-C",), ("PS5-C",), ("PS6-C",), ("PS7-C",), ("WJ-1",)}
    assert all(r["over"] for r in lists)
    table = html[html.index('<table id="own-load">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == 1 + 8 and table.count('class="warn"') == 8
    assert ("<td>9</td><td>72</td><td>56 (most 56)</td>"
            "<td>3</td><td>72 a week (0 in this plan)</td>") in table
    # three sworn officers of six cannot lead a week round the clock: 168 − 3 × 48 hours
    # with no sworn officer on, none of them in the plan's own day
    assert ("<td>2</td><td>48 a week (0 in this plan); no sworn officer on: 24 h a week "
            "(0 in this plan)</td>") in table
    assert by[("PS4-C",)]["rota"]["week_lead_short_hours"] == 24.0
    assert by[("PS4-C",)]["rota"]["lead_short"] == [] and rota["week_lead_short_hours"] == 0
    # and who works when: a row per person, the day's shift by its start
    sheet = html[html.index('<table id="own-rota">'):]
    sheet = sheet[:sheet.index("</table>")]
    assert sheet.count("<tr") == 1 + 9 * 3 + 6 * 5
    assert "<th>12-04 Fri</th>" in sheet and 'class="warn"' not in sheet
    assert sheet.count("night 00:00–08:00") == 3 * 3 + 2 * 5
    assert sheet.count(" (police officer)</td>") == 3 * 4 + 4 * 3
    assert "own_rota.csv" in html
    with (tmp_path / "p" / "own_rota.csv").open(encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))
    assert len(csv_rows) == 3 * 9 + 5 * 6 and list(csv_rows[0]) == [
        "person", "team", "units", "day", "shift", "from", "to", "role"]
    # a sworn officer (民警) on duty with each station's units in every hour of the day
    assert _unled(csv_rows, "police") == []
    assert {(r["team"], r["units"]) for r in csv_rows if r["person"] == "PS1-J1"} == {
        ("PS1", "PS1-C;PS1-F")}
    # a re-plan that takes PS1's foot group out of service from 10:00 says so too: 14
    # crew-hours a day fewer
    done = CliRunner().invoke(app, ["replan", str(tmp_path / "p"), "--at", "10:00",
                                    "--out-of-service", "PS1-F", "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    re_lists = json.loads((tmp_path / "r" / "plan.json").read_text(encoding="utf-8"))[
        "stages"]["posture"]["own_duty_lists"]
    again = {tuple(r["units"]): r for r in re_lists}
    assert (again[("PS1-C", "PS1-F")]["crew_hours_a_day"],
            again[("PS1-C", "PS1-F")]["week_hours_each"]) == (58.0, 45.1)
    # its rota keeps the shifts begun before 10:00; PS2's, asked the same, is unchanged
    re_rota = again[("PS1-C", "PS1-F")]["rota"]
    begun = [d for d in rota["duties"] if d["from"] < "2026-12-04T10:00"]
    assert [d for d in re_rota["duties"] if d["from"] < "2026-12-04T10:00"] == begun
    assert re_rota["kept"] == len(begun) == 6
    ps2, ps2_again = dict(by[("PS2-C", "PS2-F")]), dict(again[("PS2-C", "PS2-F")])
    assert ps2.pop("rota")["duties"] == ps2_again.pop("rota")["duties"] and ps2 == ps2_again
    # a plan written before the rotas: its re-plan rota's every shift anew (fixing the
    # begun ones to none had said the night and the morning short, worked as they were)
    doc = json.loads((tmp_path / "p" / "plan.json").read_text(encoding="utf-8"))
    for r in doc["stages"]["posture"]["own_duty_lists"]:
        del r["rota"]
    (tmp_path / "p" / "plan.json").write_text(json.dumps(doc), encoding="utf-8")
    done = CliRunner().invoke(app, ["replan", str(tmp_path / "p"), "--at", "10:00",
                                    "--out-of-service", "PS1-F", "--out", str(tmp_path / "o")])
    assert done.exit_code == 0, done.output
    old = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))[
        "stages"]["posture"]["own_duty_lists"]
    assert all(r["rota"]["short_hours"] == 0 and r["rota"]["kept"] == 0 for r in old)


def _unled(rows: list[dict[str, str]], sworn: str) -> list[tuple[str, int]]:
    """The (team, hour of the plan's day) of the stations' lists (not the armed police's)
    with people on duty but none of role ``sworn``."""
    out = []
    for team in sorted({r["team"] for r in rows} - {"WJ"}):
        for h in range(24):
            at = f"{DAY.isoformat()}T{h:02d}:00"
            on = [r["role"] for r in rows if r["team"] == team and r["from"] <= at < r["to"]]
            if on and sworn not in on:
                out.append((team, h))
    return out


def test_a_list_asked_more_than_its_people_can_work_is_marked(tmp_path: Path) -> None:
    folder = tmp_path / "ebian"
    shutil.copytree(EBIAN, folder)
    # four of PS1's nine people gone; PS4's car on duty 08-20 only
    lines = (folder / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    gone = ("PS1-J3,", "PS1-J4,", "PS1-F3,", "PS1-F4,")
    kept = [x for x in lines if not x.startswith(gone)]
    assert len(kept) == len(lines) - 4
    # PS6's third sworn officer an auxiliary: the same need and size as PS5's, but not a
    # list alike (PS5's rota renamed would make the auxiliary a lead)
    kept = [x.replace("PS6-J3,police,", "PS6-J3,auxiliary,") for x in kept]
    (folder / "people.csv").write_text("".join(kept), encoding="utf-8")
    _with_hours(folder, {"PS4-C": "8-20"})
    lists, html = _plan(folder, tmp_path / "p", "zh")
    by = {tuple(r["units"]): r for r in lists}
    ps1 = by[("PS1-C", "PS1-F")]
    assert (ps1["people"], ps1["crew_hours_a_day"], ps1["week_hours_each"], ps1["over"]) == (
        5, 72.0, 100.8, True)  # 72 × 7 / 5
    ps4 = by[("PS4-C",)]
    assert (ps4["crew_hours_a_day"], ps4["week_hours_each"], ps4["over"]) == (24.0, 28.0, False)
    table = html[html.index('<table id="own-load">'):]
    table = table[:table.index("</table>")]
    over = re.findall(r'<tr class="warn">(.*?)</tr>', table)
    # PS1 is over on both counts; the other lists only by their rotas' weeks; PS4's car,
    # 12 hours a day, two shifts of two, six people can keep up
    assert len(over) == 7 and "PS1-C" in over[0] and not any("PS4-C" in o for o in over)
    assert "100.8（上限 56） — 超出人员所能承担" in over[0]
    # 504 needed a week, 5 × 48 allowed; the day 72, five 8-hour shifts
    assert "每周 264（本方案期内 32）" in over[0]
    assert "<td>24</td><td>28（上限 56）</td><td>2</td><td>无</td>" in table
    # short in every hour, but no hour left with no one
    short = by[("PS1-C", "PS1-F")]["rota"]["short"]
    assert len(short) == 24 and all(0 < x["have"] < 3 for x in short)
    # two sworn officers left of five: PS1 is short of a lead 168 − 2 × 48 hours a week
    assert by[("PS1-C", "PS1-F")]["rota"]["week_lead_short_hours"] == 72
    assert "无民警带班：每周 72" in over[0]
    with (tmp_path / "p" / "own_rota.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    unled = [team for team, _h in _unled(rows, "police")]
    assert unled.count("PS1") == len(by[("PS1-C", "PS1-F")]["rota"]["lead_short"]) > 0
    # two sworn officers cover 16 hours of a day at most: PS6's day is 8 hours short of a
    # lead, its three alike others' none
    assert (by[("PS6-C",)]["rota"]["lead_short_hours"], unled.count("PS6")) == (8, 8)
    assert by[("PS5-C",)]["rota"]["lead_short"] == [] and set(unled) == {"PS1", "PS6"}
