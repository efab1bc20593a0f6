"""A route looping back to its start (review AT): it has one waypoint, so the sheet said the
unit stood at that node's site though the routes stage drove it 39 nodes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import PlaceNames


def test_a_route_looping_back_to_its_start_is_named_by_the_streets_it_drives(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    doc = json.loads((zh / "plan.json").read_text(encoding="utf-8"))
    driven = {(r["unit"], int(r["slot"])): r["nodes"] for r in doc["stages"]["routes"]["routes"]
              if len(set(r.get("nodes") or ())) > 1}
    starts = {s.index: s.name for s in result.plan.slots}
    loops = [a for a in result.plan.assignments
             if len(a.route) == 1 and (a.unit, a.slot) in driven]
    assert loops  # the county's loops: a site's visit, then a line piece from and to one node
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
