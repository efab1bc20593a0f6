"""What a plan asks of the stations' own duty lists. Their units are on duty without named
crews (the roster rotas the brigade, not the stations), so the posture says per list the
crew-hours a day its units are on duty, the hours a week that makes for each of its people
against ``max_week_hours``, and the most needed at once; the report's unnamed-crews section
shows it, and marks a list asked more than its people can work."""

from __future__ import annotations

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
    # crew-hours a day, 56 a week each; six crew a car: 48 a day, 56 each
    assert by[("PS1-C", "PS1-F")] == {
        "units": ["PS1-C", "PS1-F"], "people": 9, "crew_hours_a_day": 72.0,
        "week_hours_each": 56.0, "max_week_hours": 56, "most_at_once": 3, "over": False}
    assert by[("WJ-1",)]["crew_hours_a_day"] == 48.0 and by[("WJ-1",)]["people"] == 6
    assert {k for k in by} == {("PS1-C", "PS1-F"), ("PS2-C", "PS2-F"), ("PS3-C", "PS3-F"),
                               ("PS4-C",), ("PS5-C",), ("PS6-C",), ("PS7-C",), ("WJ-1",)}
    assert not any(r["over"] for r in lists)
    table = html[html.index('<table id="own-load">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == 1 + 8 and 'class="warn"' not in table
    assert "<td>9</td><td>72</td><td>56 (most 56)</td><td>3</td>" in table
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
    assert again[("PS2-C", "PS2-F")] == by[("PS2-C", "PS2-F")]


def test_a_list_asked_more_than_its_people_can_work_is_marked(tmp_path: Path) -> None:
    folder = tmp_path / "ebian"
    shutil.copytree(EBIAN, folder)
    # four of PS1's nine people gone; PS4's car on duty 08-20 only
    lines = (folder / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    gone = ("PS1-J3,", "PS1-J4,", "PS1-F3,", "PS1-F4,")
    kept = [x for x in lines if not x.startswith(gone)]
    assert len(kept) == len(lines) - 4
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
    assert len(over) == 1 and "PS1-C" in over[0]
    assert "100.8（上限 56） — 超出人员所能承担" in over[0]
    assert "<td>24</td><td>28（上限 56）</td>" in table
