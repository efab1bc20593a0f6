"""A route looping back to its start (review AT): it has one waypoint, so the sheet said the
unit stood at that node's site though the routes stage drove it 39 nodes."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.report.folder import write_plan_folder
from xunfang.report.html import PlaceNames
from xunfang.scenario.loader import load


def _county_with_a_loop(root: Path) -> tuple[PlanResult, Path, dict[tuple[str, int], Any]]:
    """The first county plan from 2026-12-02 with a route that loops back to its start (a
    site's visit, then a line piece from and to one node): they come as the draws fall (the
    plan of 12-02 has one, a foot patrol's, since the auxiliary forces are no longer routed)."""
    sc = load("ebian")
    for k in range(7):
        request = PlanRequest(start=date(2026, 12, 2) + timedelta(days=k))
        result = build_plan(sc, request)
        driven = {(r["unit"], int(r["slot"])): r["nodes"]
                  for r in result.stages["routes"]["routes"] if len(set(r.get("nodes") or ())) > 1}
        if any(len(a.route) == 1 and (a.unit, a.slot) in driven
               for a in result.plan.assignments):
            return result, write_plan_folder(result, request, root / "zh", lang="zh"), driven
    raise AssertionError("no county plan of a week from 2026-12-02 has a looping route")


def test_a_route_looping_back_to_its_start_is_named_by_the_streets_it_drives(
        tmp_path: Path) -> None:
    result, zh, driven = _county_with_a_loop(tmp_path)
    starts = {s.index: s.name for s in result.plan.slots}
    loops = [a for a in result.plan.assignments
             if len(a.route) == 1 and (a.unit, a.slot) in driven]
    assert loops
    names = PlaceNames(result, "zh")
    with (zh / "plan_sheet.csv").open(encoding="utf-8-sig") as f:
        rows = {(r["unit"], r["slot_start"]): r for r in csv.DictReader(f)}
    for a in loops:
        row = rows[(a.unit, starts[a.slot])]
        said = names.route(tuple(driven[(a.unit, a.slot)]), a.unit)
        # it was the one node's site or crossing, as if the unit stood there
        assert row["place_name"] != names.node(a.route[0]) and " → " in row["place_name"], row
        assert row["place_name"] == said
        assert row["place"] == " > ".join(driven[(a.unit, a.slot)])
