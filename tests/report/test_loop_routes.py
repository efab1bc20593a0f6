"""A route looping back to its start (review AT): it has one waypoint, so the sheet said the
unit stood at that node's site though the routes stage drove it 39 nodes."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.report.folder import write_plan_folder
from xunfang.report.html import PlaceNames
from xunfang.scenario.loader import load


def _county_with_a_loop(root: Path) -> tuple[PlanResult, Path, dict[tuple[str, int], Any]]:
    """The county plan of 2026-12-02 with a route that loops back to its start (a site's
    visit, then a line piece from and to one node): one of its routes made to drive back
    the way it came, its assignment left with the one waypoint the routes stage gives such
    a loop. Made, not waited for: whether a week of plans held a loop came as the solvers'
    draws fell, and with newer solver releases none of the week's did."""
    sc = load("ebian")
    request = PlanRequest(start=date(2026, 12, 2))
    result = build_plan(sc, request)
    stage = result.stages["routes"]
    rows = [dict(r) for r in stage["routes"]]
    k, row = next((k, r) for k, r in enumerate(rows) if len(set(r.get("nodes") or ())) > 2)
    nodes = list(row["nodes"])
    rows[k] = {**row, "nodes": [*nodes, *nodes[-2::-1]]}  # there and back to its start
    key = (str(row["unit"]), int(row["slot"]))
    plan = result.plan
    assignments = tuple(replace(a, route=(nodes[0],), stops=()) if (a.unit, a.slot) == key else a
                        for a in plan.assignments)
    result = replace(result, plan=replace(plan, assignments=assignments),
                     stages={**result.stages, "routes": {**stage, "routes": rows}})
    driven = {(r["unit"], int(r["slot"])): r["nodes"]
              for r in rows if len(set(r.get("nodes") or ())) > 1}
    return result, write_plan_folder(result, request, root / "zh", lang="zh"), driven


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
