"""The duty sheet and the report's 勤务表 as review AR read them: where a road changes its
name is no crossing, each camera tour has its own times, staging is not route patrol,
midnight ends are 24:00."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from xunfang.network import RoadNetwork
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import PlaceNames
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
