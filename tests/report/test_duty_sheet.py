"""The duty sheet and the report's 勤务表 as review AR read them: where a road changes its
name is no crossing, each camera tour has its own times, staging is not route patrol,
midnight ends are 24:00."""

from __future__ import annotations

import csv
import html
import itertools
import json
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.report.tables import plan_sheet_rows
from xunfang.network import RoadNetwork
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import PlaceNames
from xunfang.report.i18n import t
from xunfang.scenario.loader import load


def test_a_road_changing_its_name_is_not_a_crossing(make_scenario: Any) -> None:
    # b has two streets, 人民路 becoming 人民东路; c has three (人民东路 on, 建设路 off)
    folder = make_scenario({"network/edges.csv": "u,v,name\na,b,人民路\nb,c,人民东路\n"
                                                 "c,d,建设路\nd,a,\nc,e,人民东路\n"})
    sc = load(folder)
    result: Any = SimpleNamespace(scenario=sc, network=RoadNetwork.from_scenario(sc),
                                  stages={})
    zh, en = PlaceNames(result, "zh"), PlaceNames(result, "en")
    assert zh.crossing("b") == "人民路（人民东路起点）"
    assert en.crossing("b") == "where 人民路 becomes 人民东路"
    assert zh.crossing("c") == "人民东路/建设路口"


def test_county_n271_is_where_renmin_road_changes_its_name(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    names = PlaceNames(result, "zh")
    assert names.crossing("n271") == "人民路（人民东路起点）"
    with (zh / "plan_sheet.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert not any("人民路/人民东路口" in r["place_name"] for r in rows)
    at = [r["place_name"] for r in rows if r["place"] == "n271"]
    assert at and set(at) == {"人民路（人民东路起点）"}  # 17 rows said 人民路/人民东路口


def _plan_sheet_rows(folder: Path) -> list[list[str]]:
    """The report's 勤务表 rows, cell texts (unit, tier, mode, squad, slots, duty, crew)."""
    return plan_sheet_rows((folder / "report.html").read_text(encoding="utf-8"))


def test_camera_tours_have_their_own_clock_times(county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    doc = json.loads((zh / "plan.json").read_text(encoding="utf-8"))
    t0 = result.plan.slots[0].start
    tours = doc["stages"]["video"]["tours"]
    with (zh / "plan_sheet.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == "video"]
    assert len(rows) == len(tours) > 24
    for tour, row in zip(tours, rows, strict=True):
        begin = t0 + timedelta(minutes=float(tour["start"]))
        assert row["slot_start"] == begin.isoformat(timespec="minutes"), row
        assert row["slot_end"] > row["slot_start"]
        # the note gives the clock time, not the minute from the plan's start
        assert row["duty"].startswith(f"camera tour {begin:%H:%M}–"), row
    # an operator's tours follow each other: each ends where the next begins
    by_desk: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_desk.setdefault(row["unit"], []).append(row)
    for desk in by_desk.values():
        for x, y in itertools.pairwise(desk):
            assert x["slot_end"] == y["slot_start"] or x["slot_end"][11:] == "00:00" or (
                x["slot_end"] < y["slot_start"])
    # the workbook's note in Chinese says the clock time too
    from openpyxl import load_workbook

    ws = load_workbook(zh / "plan_sheet.xlsx").worksheets[-1]
    assert ws is not None
    notes = [str(r[-1]) for r in ws.iter_rows(min_row=2, values_only=True)
             if str(r[0]).startswith("video-desk")]
    assert notes and all(re.fullmatch(r"\d\d:\d\d–\d\d:\d\d 轮巡监控", n) for n in notes), notes[:3]
    assert "12:00–12:30 轮巡监控" in notes  # was "第 720 分钟起轮巡监控"


def test_staging_is_not_route_patrol_in_the_report(county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    staged = [a for a in result.plan.assignments if a.note.startswith("staging at ")]
    assert staged
    for folder, lang in ((zh, "zh"), (en, "en")):
        names = PlaceNames(result, lang)
        rows = _plan_sheet_rows(folder)
        duties = {r[5] for r in rows}
        for a in staged:  # was "路线巡逻: 人民路/人民东路口"
            assert f"{t('duty_route', lang)}: {names.node(a.route[0])}" not in duties, a
        staging = [r for r in rows if r[0] == "TX-M1" and (
            "屯警" in r[5] if lang == "zh" else r[5].startswith("staging "))]
        assert staging, lang
        # at n271 it holds S06's 1-minute ring, as the workbook's note says
        assert any("S06" in r[5] and ("1 分钟圈" if lang == "zh" else "1-minute ring") in r[5]
                   for r in staging), lang


def test_midnight_ends_are_24_00(county: tuple[PlanResult, Path, Path]) -> None:
    _, zh, _ = county
    slots = [r[4] for r in _plan_sheet_rows(zh)]
    assert slots
    assert not any(s.endswith("–00:00") for s in slots), [s for s in slots if "–00:00" in s][:3]
    assert any(s.endswith("–24:00") for s in slots)


def test_plan_sheet_xlsx_prints_as_the_paper_form(county: tuple[PlanResult, Path, Path]) -> None:
    from openpyxl import load_workbook

    _, zh, _ = county
    ws = load_workbook(zh / "plan_sheet.xlsx").worksheets[-1]
    assert ws is not None
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0  # one page wide, any long
    assert ws.print_title_rows == "$1:$1"  # the header on every printed page
    notes = [c for c in next(ws.iter_cols(min_col=9, max_col=9, min_row=2))]
    longest = max(len(str(c.value or "")) for c in notes)
    assert longest > 50 and all(c.alignment.wrap_text for c in notes)
    assert ws.column_dimensions["I"].width <= 60


def test_drone_shortfall_names_grids_and_clock_times(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    doc = json.loads((zh / "plan.json").read_text(encoding="utf-8"))
    busy = [x for x in doc["stages"]["drones"]["shortfalls"] if "@" in x]
    assert busy  # "101 thin (grid, slot) cell(s) … : G1@1, G1@2, …"
    cells = re.findall(r"(\S+)@(\d+)", busy[0])
    start = {s.index: s.start for s in result.plan.slots}
    grid_names = {a.id: a.name for a in result.scenario.areas_of("grid")}
    for folder in (zh, en):
        text = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
        assert not re.search(r"\bG\d+@\d+", text)  # was "G1@1, G1@2 …"
        said = ", ".join(f"{grid_names[g]} ({g}) {start[int(k)]:%H:%M}" for g, k in cells)
        assert said in text, said
