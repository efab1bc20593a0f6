"""``xunfang replan``'s changes name where a unit was and goes, staging included (review AT:
TX-M1, out of service while staging at n183, was ``route,,off,,out of service``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.plan import Assignment
from xunfang.planning.deploy.from_plan import place_in

runner = CliRunner()


def test_place_in_gives_a_staging_units_node_and_a_routes_grid() -> None:
    of = place_in({("A", 3): "G6"})
    assert of(Assignment("A", 3, "route", route=("n1", "n2"))) == ("route", "G6")
    # a staging unit's one stop: the routes stage records no grid for it
    assert of(Assignment("B", 3, "route", route=("n183",))) == ("route", "n183")
    assert of(Assignment("C", 3, "route", route=("n7", "n8"))) == ("route", "n7")
    assert of(Assignment("D", 3, "off")) == ("off", "")


@pytest.fixture(scope="module")
def replanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The review's re-plan: P1 (the county, 2026-12-01) from 14:20, TX-M1 out of service
    and a hot place in G3 from 15:00 to 18:00."""
    root = tmp_path_factory.mktemp("replan_places")
    plan = root / "plan"
    r = runner.invoke(app, ["plan", "ebian", "--out", str(plan), "--from", "2026-12-01",
                            "--lang", "zh"])
    assert r.exit_code == 0, r.output
    out = root / "re"
    r = runner.invoke(app, ["replan", str(plan), "--at", "14:20", "--out-of-service", "TX-M1",
                            "--hot", "G3:15:00-18:00", "--out", str(out)],
                      env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    return plan, out, r.output


def _assignments(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    starts = [s["start"] for s in doc["plan"]["slots"]]
    return {(a["unit"], starts[a["slot"] - doc["plan"]["slots"][0]["index"]][:16]): a
            for a in doc["plan"]["assignments"]}


def test_changes_name_the_staging_node_and_every_place(replanned: tuple[Path, Path, str]
                                                       ) -> None:
    plan, out, printed = replanned
    with (out / "changes.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert {"old_place_name", "place_name"} <= set(rows[0])
    old, new = _assignments(plan), _assignments(out)
    staging = 0
    for r in rows:
        if r["changed"] not in ("place", "streets"):
            # a drone's sortie or a camera tour: what it flies over or watches, by id and name
            assert r["changed"] == "cameras" and r["unit"].startswith("video-desk-"), r
            assert r["old_place"] and r["new_place"] and r["old_place_name"], r
            assert r["place_name"].count("(") == r["new_place"].count(";") + 1, r
            continue
        a, b = old[(r["unit"], r["slot_start"])], new[(r["unit"], r["slot_start"])]
        if a["duty"] != "off":
            assert r["old_place"], r  # what was there, by id
            assert r["old_place_name"], r  # and as a crew names it
        if b["duty"] != "off":
            assert r["new_place"] and r["place_name"], r
        if a["duty"] == "route" and a["note"].startswith("staging"):
            staging += 1
            assert r["old_place"] == a["route"][0], r
            # its crossing or key site in the report's language, not the bare id
            assert r["old_place_name"] != r["old_place"], r
            assert r["old_place"] in printed  # the printed table says it too
        if b["duty"] == "route" and len(b["route"]) == 1 and r["changed"] == "place":
            # a staging unit's one stop (a patrol route of one stop drawn again over other
            # streets of its grid is a 'streets' change, its place the grid)
            assert r["new_place"] == b["route"][0], r
    assert staging, "the review's re-plan takes TX-M1 out of service while staging"
