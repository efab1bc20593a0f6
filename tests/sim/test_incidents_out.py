"""Per-incident outcomes: `sim.incidents.incident_outcomes` and `simulate --incidents-out`
(a review: no per-incident output anywhere, though the event log holds it)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.sim.test_engine import (
    DAY,
    FIXED,
    GRID,
    ONE_CAR,
    POSTS,
    Make,
    home_plan,
    incidents,
    load,
)
from xunfang.cli.main import app
from xunfang.network import RoadNetwork
from xunfang.sim import evaluate, simulate
from xunfang.sim.incidents import OUTCOME_COLUMNS, incident_outcomes, missing_target


def test_outcomes_follow_the_trace(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    inc = incidents([(10.0, "e", "x", 2), (12.0, "d", "x", 3)])
    res = simulate(sc, RoadNetwork.from_scenario(sc), home_plan(sc), inc, start=DAY, days=1,
                   replications=2, seed=0, config=FIXED)
    rows = incident_outcomes(res)
    assert [(r["replication"], r["id"]) for r in rows] == [(1, "i0"), (1, "i1"), (2, "i0"),
                                                          (2, "i1")]
    first, second = rows[0], rows[1]
    # the only car leaves its post p1 (node a) for e: 1.6 min; then goes on from the scene
    # at e (where post p2 and gate g1 stand) to d after 20 min on scene: 2.2 min
    assert (first["unit"], first["from_node"], first["from_place"]) == ("U1", "a", "p1")
    assert first["node"] == "e" and first["grid"] == "G1" and first["status"] == "served"
    assert first["travel_min"] == pytest.approx(1.6) and first["wait_min"] == 0.0
    assert first["time"] == "2025-03-03T00:10:00"
    assert first["arrival_time"] == "2025-03-03T00:11:36"
    assert (second["from_node"], second["from_place"]) == ("e", "p2/g1")
    assert second["wait_min"] == pytest.approx(10 + 1.6 + 20 - 12)
    assert second["travel_min"] == pytest.approx(2.2)
    assert second["response_min"] == pytest.approx(10 + 1.6 + 20 + 2.2 - 12)
    assert second["priority"] == 3
    for r in rows:
        assert set(r) == set(OUTCOME_COLUMNS)
        assert r["within_target"] == (r["response_min"] <= r["target_min"])  # type: ignore[operator]
    # the count agrees with the KPIs' share within target
    k = evaluate(res)
    counted = k.counts["served"] + k.counts["unserved"]
    assert missing_target(rows) == round(counted * (1 - k.summary["response_within_target"]))


def test_simulate_writes_incidents_out(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario({"posts.csv": POSTS, "units.csv": ONE_CAR,
                          "areas.geojson": json.dumps(GRID)})
    f = tmp_path / "calls.csv"
    f.write_text("id,time,x,y,category,priority\nc1,2025-03-03T00:10,400,0,x,2\n"
                 "c2,2025-03-03T00:11,800,0,x,1\nfar,2025-03-03T01:00,9000,9000,x,2\n",
                 encoding="utf-8")
    out = tmp_path / "rows.csv"
    r = CliRunner().invoke(app, ["simulate", str(path), "--incidents", str(f), "--days", "1",
                                 "--replications", "2", "--incidents-out", str(out),
                                 "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and list(rows[0]) == list(OUTCOME_COLUMNS)
    assert {(x["id"], x["status"]) for x in rows if x["id"] == "far"} == {("far", "off_network")}
    assert all(x["unit"] == "U1" for x in rows if x["status"] == "served")
    assert doc["incidents_missing_target"] == sum(x["within_target"] == "False" for x in rows)
    bad = CliRunner().invoke(app, ["simulate", str(path), "--incidents", str(f), "--days", "1",
                                   "--incidents-out", str(tmp_path / "no" / "x.csv")])
    assert bad.exit_code == 1 and "--incidents-out" in bad.output


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_an_incident_on_the_units_node_names_where_it_came_from(make_scenario: Make,
                                                                engine: str) -> None:
    """The response of no time is still logged: the row names the unit's node and post."""
    sc = load(make_scenario, ONE_CAR)
    inc = incidents([(10.0, "a", "x", 2)])
    res = simulate(sc, RoadNetwork.from_scenario(sc), home_plan(sc), inc, start=DAY, days=1,
                   config=replace(FIXED, engine=engine))
    (row,) = incident_outcomes(res)
    assert row["travel_min"] == 0.0 and row["unit"] == "U1"
    assert (row["from_node"], row["from_place"]) == ("a", "p1")
