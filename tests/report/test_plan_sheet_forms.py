"""The plan folder's duty sheets as a county's duty planner uses them (review AO):
plan_sheet.csv keeps its ids and adds the places' names; plan_sheet.xlsx is the paper form,
in the plan's language, with date-time cells, a frozen header and sized columns."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from xunfang.planning.pipeline import PlanResult
from xunfang.report.folder import PLAN_FOLDER_ENTRIES, PLAN_SHEET_COLUMNS
from xunfang.report.html import AUX_SITE_NOTE, STAGING_NOTE
from xunfang.report.i18n import t

NODE_ID = re.compile(r"\bn\d{3}\b")
REPEAT = re.compile(r"[（(]([^（）()]*)[）)] ?×(\d+)")


def _sheet(folder: Path) -> list[dict[str, str]]:
    with (folder / "plan_sheet.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _streets_at(result: PlanResult) -> dict[str, set[str]]:
    roads = result.scenario.roads
    at: dict[str, set[str]] = {}
    for e in range(roads.n_edges):
        for n in (roads.u[e], roads.v[e]):
            at.setdefault(roads.node_ids[int(n)], set()).add(roads.name[e])
    return at


def test_plan_sheet_names_places_and_keeps_its_ids(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    rows = _sheet(zh)
    assert tuple(rows[0]) == PLAN_SHEET_COLUMNS
    assert PLAN_SHEET_COLUMNS[:7] == ("unit", "slot_start", "slot_end", "kind", "place", "crew",
                                      "duty")  # the ids' columns, as other programs read them
    sc = result.scenario
    at = _streets_at(result)
    posts = {p.id: p.name for p in sc.posts}
    site_label = {s.id: s for s in sc.sites if s.node}
    routes = [r for r in rows if r["kind"] == "route" and " > " in r["place"]]
    staged = [r for r in rows if r["kind"] == "route" and " > " not in r["place"]]
    assert routes and staged
    # place holds ids only (a review: 94 rows a day read "S25 彝家新寨小区"): a staged unit at
    # a key site is that site's id, the name is place_name's
    assert not [r["place"] for r in staged if r["place"] not in site_label
                and not re.fullmatch(r"n\d+", r["place"])]
    assert any(r["place"] in site_label for r in staged)
    # a route is named by the nodes it drives (the routes stage's), which start where the
    # unit was before its first waypoint (review AR)
    doc = json.loads((zh / "plan.json").read_text(encoding="utf-8"))
    driven = {(x["unit"], int(x["slot"])): x["nodes"] for x in doc["stages"]["routes"]["routes"]}
    slot_of = {s.name: s.index for s in result.plan.slots}
    for r in routes:
        nodes = driven[(r["unit"], slot_of[r["slot_start"]])]
        # a block driven again and again is said once with its count: "（A → B）×3"
        streets = REPEAT.sub(lambda m: " → ".join([m[1]] * int(m[2])),
                             r["place_name"]).split(" → ")
        # every street of the county is named: no node id is left, a street is said once
        # for each stretch along it, and the route starts and ends on a street of its ends
        assert not NODE_ID.search(r["place_name"]), r
        assert all(a != b for a, b in pairwise(streets)), r
        assert streets[0] in at[nodes[0]] and streets[-1] in at[nodes[-1]], r
    for r in staged:
        node = r["place"]
        if node in site_label:  # a unit standing at a key site: its id "S06", the name beside
            s = site_label[node]
            assert r["place_name"] == f"{s.name} ({s.id})"
            continue
        name = r["place_name"]
        assert not NODE_ID.search(name), r
        # a crossing "X/Y口" of two streets meeting there, "X（Y起点）" where a road changes
        # its name (review AR), or the one street it lies on
        meet = (name.removesuffix("口").split("/") if name.endswith("口")
                else name.removesuffix("起点）").split("（") if name.endswith("起点）")
                else [name])
        assert set(meet) <= at[node] and len(meet) == min(2, len(at[node])), r
    for r in rows:
        if r["kind"] in ("post", "checkpoint", "drone"):
            assert r["place_name"] == f"{posts[r['place']]} ({r['place']})", r
        if r["kind"] == "video":
            cams = r["place"].split(";")
            assert r["place_name"].split("; ") == [f"{posts[c]} ({c})" for c in cams]


def test_plan_sheet_xlsx_is_the_paper_form(county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    assert "plan_sheet.xlsx" in PLAN_FOLDER_ENTRIES
    keys = ("sheet_unit", "sheet_unit_name", "sheet_start", "sheet_end", "sheet_kind",
            "sheet_grid", "sheet_place", "sheet_crew", "sheet_duty")
    for folder, lang in ((zh, "zh"), (en, "en")):
        rows = _sheet(folder)
        wb = load_workbook(folder / "plan_sheet.xlsx")
        # the per-slot sheet last, after the duty schedule and by-hour sheets (review HE)
        assert wb.sheetnames[-1] == t("plan_sheet", lang)
        ws = wb.worksheets[-1]
        assert ws is not None and ws.freeze_panes == "A2"
        values = list(ws.iter_rows(values_only=True))
        assert list(values[0]) == [t(k, lang) for k in keys]
        assert len(values) == len(rows) + 1
        names = {u.id: str(u.extra.get("name") or "") for u in result.scenario.units}
        for row, cells in zip(rows, values[1:], strict=True):
            got: dict[str, Any] = dict(zip(keys, cells, strict=True))
            assert got["sheet_unit"] == row["unit"]
            # date-time cells Excel sorts and filters by (the wall clock of the slot)
            assert got["sheet_start"] == datetime.fromisoformat(row["slot_start"])
            assert got["sheet_end"] == datetime.fromisoformat(row["slot_end"])
            # a staging unit's route duty is said as staging (review AT)
            staged = row["kind"] == "route" and STAGING_NOTE.match(row["duty"])
            # an auxiliary force standing at a site in its hours is point duty (review HD)
            point = row["kind"] == "route" and AUX_SITE_NOTE.match(row["duty"])
            assert got["sheet_kind"] == t("duty_staging" if staged else "duty_point" if point
                                          else "duty_" + row["kind"], lang)
            assert got["sheet_place"] == row["place_name"]
            if row["kind"] == "video":
                assert got["sheet_unit_name"].startswith(t("sheet_video_desk", lang, n="")[:3])
            else:
                assert (got["sheet_unit_name"] or "") == names[row["unit"]]
            if row["kind"] == "route":
                assert got["sheet_grid"] and got["sheet_grid"].endswith(")")
        assert ws.cell(2, 3).number_format == "yyyy-mm-dd hh:mm"
        widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHI"}
        assert len(set(widths.values())) > 3 and widths["G"] > widths["A"]


def test_plan_sheet_xlsx_notes_are_said_in_the_plan_language(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    sites = {s.id: s.name for s in result.scenario.sites}
    for folder, lang in ((zh, "zh"), (en, "en")):
        rows = _sheet(folder)
        ws = load_workbook(folder / "plan_sheet.xlsx").worksheets[-1]
        assert ws is not None
        notes = [str(c or "") for (c,) in ws.iter_rows(min_row=2, min_col=9, values_only=True)]
        staged = [(r, n) for r, n in zip(rows, notes, strict=True)
                  if r["duty"].startswith("staging at")]
        assert staged
        for r, note in staged:
            # the crossing or site it stands at, and the sites whose ring it holds, by name
            assert r["place_name"] in note and not NODE_ID.search(note), note
            held = r["duty"].split("-minute ring of ")[1].split(" (")[0].split(", ")
            assert all(f"{sites[s]} ({s})" in note for s in held), note
        if lang == "zh":  # none of the stages' English notes is left
            for english in ("route in grid", "staging at", "fixed post", "sortie(s)",
                            "camera tour", "checkpoint schedule", "auxiliary force"):
                assert not any(english in n for n in notes), english
        else:
            assert any(n.startswith("route in grid ") for n in notes)
