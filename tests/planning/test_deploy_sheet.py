"""The plan folder's plan_sheet.csv and the posture in plan.json (issue 8, item 5)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.report.folder import PLAN_FOLDER_ENTRIES, PLAN_SHEET_COLUMNS, write_plan_folder
from xunfang.scenario.loader import load


def test_plan_sheet_and_shortfalls_in_the_folder(tmp_path: Path) -> None:
    sc = load("ebian")
    req = PlanRequest(start=date(2025, 7, 1))
    result = build_plan(sc, req)
    out = write_plan_folder(result, req, tmp_path / "plan", lang="en")
    assert "plan_sheet.csv" in PLAN_FOLDER_ENTRIES
    with (out / "plan_sheet.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == PLAN_SHEET_COLUMNS
    kinds = {r["kind"] for r in rows}
    # grid patrols follow routes; the video desk tours its cameras
    assert {"route", "post", "checkpoint", "video"} <= kinds
    assert kinds <= {"post", "grid", "route", "checkpoint", "drone", "video"}
    on = [a for a in result.plan.assignments if a.duty != "off"]
    assert len([r for r in rows if r["kind"] != "video"]) == len(on)
    m1 = [r for r in rows if r["unit"] == "TX-M1"]
    assert m1 and all(r["crew"] for r in m1)  # rostered crews are named
    assert m1[0]["slot_start"] == "2025-07-01T00:00" and m1[0]["slot_end"] == "2025-07-01T01:00"
    # a drone flies only while a pilot is on duty to crew it (a review: both county drones
    # flew all 24 hours with no one crewed); the county's pilots ride the brigade's
    # motorcycles, which the 1-3-5 rings need, so its drones stay grounded and say why
    drones = {u.id for u in sc.units if u.mode == "drone"}
    assert not [r for r in rows if r["unit"] in drones]
    assert all(a.duty == "off" for a in result.plan.assignments if a.unit in drones)
    assert result.plan.drone_sorties == ()
    said = result.stages["drones"]["shortfalls"]
    assert len(said) == 1 and "not flown with no drone crewed, weight" in said[0]
    assert " rides TX-M" in said[0] and "crew_first = true would crew a drone" in said[0]
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    posture = doc["stages"]["posture"]
    assert posture["status"] == "optimal"
    assert len(posture["solves"]) == 24
    assert isinstance(posture["shortfalls"], list)
    for s in posture["shortfalls"]:
        assert {"slot", "start", "duty", "place", "need", "have", "detail"} <= set(s)
        assert s["need"] > s["have"]
    html = (out / "report.html").read_text(encoding="utf-8")
    for section in ("timeline", "shortfalls", "plan"):
        assert f'<section id="{section}">' in html, section
    # a timeline cell per run of slots on one duty (its colspan the run's slots)
    assert sum(int(n or 1) for n in re.findall(
        r'<td class="d-checkpoint" title="[^"]*"(?: colspan="(\d+)")?>', html)) == sum(
        1 for a in result.plan.assignments if a.duty == "checkpoint")
    assert "Timeline per unit" in html and "Solver status: optimal" in html
    n_short = len(posture["shortfalls"])
    # and the other stages' (drones, routes, ...), said apart
    n_other = sum(len(doc["stages"].get(k, {}).get("shortfalls") or [])
                  for k in ("routes", "drones", "video", "auxiliary"))
    assert not n_short or f"{n_short} in all" in html
    assert (f"Shortfalls of the other stages (as plan.json words them): {n_other}." in html
            if n_other else "Shortfalls of the other stages" not in html)
    assert ("No shortfall." in html) == (not n_short and not n_other)
    # the auxiliary forces are on the sheet only where and when their stage places them, at
    # its place, with their people (review B: volunteers and guards were routed all 24 slots
    # with empty crews); routes, rings and the blockade name none of them
    aux = {u.id for u in sc.units if u.tier == "auxiliary"}
    placed = {(p["unit"], p["slot"]): p for p in doc["stages"]["auxiliary"]["placements"]}
    assert {p["unit"] for p in placed.values()} == aux  # grid workers too
    on_aux = {(a.unit, a.slot): a for a in on if a.unit in aux}
    assert set(on_aux) == set(placed)
    for key, a in on_aux.items():
        assert list(a.crew) == placed[key]["crew"] and a.crew
        assert (a.post or a.route[0]) in ({placed[key]["place"]} | {
            s.node for s in sc.sites if s.id == placed[key]["place"]})
    rows_aux = [r for r in rows if r["unit"] in aux]
    assert len(rows_aux) == len(placed) and all(r["crew"] for r in rows_aux)
    assert all(placed[(r["unit"], int(r["slot_start"][11:13]))]["place"] in r["place"]
               for r in rows_aux)
    assert not {r["unit"] for r in doc["stages"]["routes"]["routes"]} & aux


@pytest.mark.parametrize("day", [
    date(2026, 11, 30),
    # session 21: each date draws its own checkpoint schedule, and on this date's draw the
    # routes' first run left line L3's piece in grid G4 126 min unvisited (required 120);
    # session 22: the routes run again with the seed's next draws while an item the posture
    # could serve is missed
    date(2026, 7, 15),
])
def test_the_county_plan_meets_every_tier1_interval_and_line(day: date) -> None:
    # issue 8's "done when": on the built-in county the routes visit every tier-1 site
    # within its revisit interval and drive every mandatory line at its frequency, and a car
    # holds every tier-1 site's ring in every slot (at a school or bus station's peak, one of
    # its joint patrol's units stands there to hold it)
    sc = load("ebian")
    for when in (day,):
        result = build_plan(sc, PlanRequest(start=when))
        routes = result.stages["routes"]
        sites = [s for s in routes["sites"] if s["tier"] == 1]
        assert len(sites) == 10 and all(s["met"] for s in sites), routes["shortfalls"]
        assert routes["lines"] and all(x["met"] for x in routes["lines"]), routes["shortfalls"]
        assert routes["shortfalls"] == []
        posture = result.stages["posture"]
        unheld = [f for f in posture["shortfalls"] if f["duty"] == "staging"]
        assert unheld == [] and posture["staging"]["short"] == 0
