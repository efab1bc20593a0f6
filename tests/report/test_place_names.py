"""The report's deployment section and plan sheet as a county's duty planner reads them
(review AO): places named as people name them (a route by its streets, a staging node by its
crossing, posts and cameras by name with the id in brackets), the timeline's route cells
showing the grid patrolled, and no English left in the Chinese report's deployment and
roster sections."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.report.tables import cell_tables
from xunfang.network import RoadNetwork
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import PlaceNames, _reasons, at_one_place
from xunfang.report.i18n import t, value_label
from xunfang.scenario.loader import load

NODE_ID = re.compile(r"\bn\d{3}\b")


def test_places_named_on_a_network_with_unnamed_streets(make_scenario: Any) -> None:
    # the mini square a-b-c-d with a spur b-e: a-b and b-e are 滨河路, b-c 向阳街, the rest
    # has no name
    folder = make_scenario({"network/edges.csv": "u,v,name\na,b,滨河路\nb,c,向阳街\nc,d,\n"
                                                 "d,a,\nb,e,滨河路\n"})
    sc = load(folder)
    result: Any = SimpleNamespace(scenario=sc, network=RoadNetwork.from_scenario(sc),
                                  stages={})
    zh, en = PlaceNames(result, "zh"), PlaceNames(result, "en")
    assert zh.route(("a", "e")) == "滨河路"  # the waypoints' path a-b-e, one street
    assert zh.route(("e", "c", "d")) == "滨河路 → 向阳街 → c → d"  # c-d: its node ids
    assert zh.crossing("b") == "滨河路/向阳街口" and en.crossing("b") == "滨河路 / 向阳街 crossing"
    assert zh.crossing("c") == "向阳街"
    # d lies on no named street: the nearest one (a, 300 m, against c's 400 m)
    assert zh.crossing("d") == "滨河路附近" and en.crossing("d") == "near 滨河路"
    assert zh.post("p1") == "Station one (p1)" and zh.post("zz") == "zz"
    assert zh.node("d") == zh.crossing("d")


def test_report_plan_sheet_reads_streets_not_nodes(
        county: tuple[PlanResult, Path, Path]) -> None:
    _, zh, en = county
    for folder, lang in ((zh, "zh"), (en, "en")):
        text = (folder / "report.html").read_text(encoding="utf-8")
        sheet = text[text.index('<section id="plan">'):]
        sheet = sheet[:sheet.index("</section>")]
        on_route = re.findall(re.escape(t("duty_route", lang)) + r": ([^<]*)", sheet)
        assert on_route, lang
        for where in on_route:
            assert not NODE_ID.search(where), where  # was "n245 → n194 → n236 …"


def test_timeline_route_cells_show_the_grid_patrolled(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, _, en = county
    text = (en / "report.html").read_text(encoding="utf-8")
    (day1, *_) = cell_tables(text, "timeline")
    cells = [(c.attrs["title"], c.text) for row in day1[1:] for c in row[1:]
             if c.attrs.get("class") == "d-route"]
    grids = {a.id for a in result.scenario.areas_of("grid")}
    doc = json.loads((en / "plan.json").read_text(encoding="utf-8"))
    planned = {(r["unit"], r["slot"]): r["grid"] for r in doc["stages"]["routes"]["routes"]}
    plan = result.plan
    first = [s for s in plan.slots if s.start.date() == plan.slots[0].start.date()]
    # (a force standing at one site in its hours is point duty, its cell d-post)
    want = [planned.get((u, s.index)) for u in plan.units for s in first
            if plan.at(u, s.index).duty == "route" and not at_one_place(plan.at(u, s.index))]
    assert len(cells) == len(want) > 0
    for (_, got), grid in zip(cells, want, strict=True):
        assert got in grids  # was the route's first node, "n271…"
        assert grid is None or got == grid


def test_no_english_left_in_the_chinese_deployment_and_roster(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    text_zh = html.unescape((zh / "report.html").read_text(encoding="utf-8"))
    text_en = html.unescape((en / "report.html").read_text(encoding="utf-8"))
    doc = json.loads((zh / "plan.json").read_text(encoding="utf-8"))
    said = doc["stages"]["drones"]["shortfalls"]
    assert said  # the review's plan leaves thin cells unflown
    for sentence in said:
        # the English report's sentence names the cells by grid and time (review AR)
        assert sentence not in text_zh and sentence.split(": ")[0] in text_en
    assert "thin (grid, slot)" not in text_zh
    reasons = {r for d in (result.roster.rows if result.roster else ()) if d.reason
               for r in d.reason.split(";")}
    assert "risk-peak" in reasons
    assert "risk-peak" not in text_zh and "(risk;" not in text_zh
    assert value_label("reason", "risk-peak", "zh") in text_zh


def test_reasons_are_said_in_the_report_language() -> None:
    got = _reasons("risk;risk-peak;event:国庆;cover:夜间最少;my-own-rule", "zh")
    assert got.split("; ") == [value_label("reason", "risk", "zh"),
                               value_label("reason", "risk-peak", "zh"),
                               value_label("reason", "event", "zh") + "国庆",
                               value_label("reason", "cover", "zh") + "夜间最少",
                               "my-own-rule"]


def test_the_crew_notes_and_the_sworn_shortfall_are_said_in_chinese() -> None:
    """A unit off for want of a skilled crew, and a checkpoint team with no sworn officer
    (deploy/inputs): the zh sheet and dashboard read "team TX-C3: no sworn officer …" and
    "motorcycle" in English when the crew rules came in."""
    from xunfang.report.html import _short_row, note_text

    names = SimpleNamespace()  # note_no_skill names no place
    said = note_text("no crew with the motorcycle skill: TXJ01, TXJ02 on duty and free lack it",
                     names, "zh")  # type: ignore[arg-type]
    assert "摩托车驾驶" in said and "TXJ01, TXJ02" in said
    assert not re.search(r"[a-z]{4,}", said), said
    off = _short_row({"duty": "checkpoint", "detail": "team TX-C3 is off duty (no crew with "
                      "the driver skill: TXFA06 on duty and free lacks it)"},
                     lambda key, **kw: t(key, "zh", **kw))
    assert "驾驶员" in off["detail"] and not re.search(r"[a-z]{4,}", off["detail"]), off
    detail = ("team TX-C3: no sworn officer (民警) in its crew (TXFD06, TXFD07): auxiliary "
              "officers may not stop and check (盘查) without one")
    for lang in ("zh", "en"):
        row = _short_row({"duty": "checkpoint", "detail": detail},
                         lambda key, _l=lang, **kw: t(key, _l, **kw))
        if lang == "zh":
            assert "TX-C3" in row["detail"] and "TXFD06, TXFD07" in row["detail"]
            assert not re.search(r"[a-z]{4,}", row["detail"]), row["detail"]
        else:
            assert row["detail"] == detail
