"""A re-plan whose kept routes cost one grid an interval draws that grid again from its first
change on and keeps the other grids' routes after their changes (before, every grid's later
routes were drawn again: 3 of 5 county re-plans of a review, 6 of 14 others)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def _routes(folder: Path) -> dict[str, Any]:
    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return doc["stages"]["routes"]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("grids") / "plan"
    r = runner.invoke(app, ["plan", "ebian", "--from", "2026-12-02", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_only_the_grid_whose_interval_the_kept_routes_cost_is_drawn_again(
        county: Path, tmp_path: Path) -> None:
    # a unit held at an incident at 03:00 whose kept later routes would leave another grid's
    # key sites past their intervals (the plan in force met them all): that grid alone is
    # drawn again. Which unit does it comes as the solvers' draws fall (PS1-F and TX-M1 held
    # in G4 did, until highspy 1.16 / ortools 9.15's plans: WJ-1 held in G6 does with them),
    # so the known case is tried first, then each unit patrolling at 03:00 in turn.
    was = _routes(county)
    at_three = {(r["unit"], r["grid"]) for r in was["routes"] if r["slot"] == 3}
    tried = [("WJ-1", "G6"), *sorted(at_three - {("WJ-1", "G6")}, key=lambda ug: ug[1])]
    for k, (unit, grid) in enumerate(tried):
        out = tmp_path / f"busy{k}"
        r = runner.invoke(app, ["replan", str(county), "--at", "03:00", "--busy",
                                f"{unit}:{grid}:05:00", "--out", str(out)])
        assert r.exit_code == 0, r.output
        now = _routes(out)
        if now.get("kept_after_changes_but"):
            break
    else:
        raise AssertionError(f"no unit held at 03:00 ({tried}) makes a grid drawn again")
    assert len(now["shortfalls"]) <= len(was["shortfalls"])
    assert now["kept_after_changes"] is True
    but = now["kept_after_changes_but"]
    assert but and set(but) < {g for g in {r["grid"] for r in now["routes"]}}
    # the other grids keep routes after their changed slots (the old rule drew them again)
    def patrol(doc: dict[str, Any]) -> dict[tuple[str, int], set[str]]:
        out: dict[tuple[str, int], set[str]] = {}
        for row in doc["routes"]:
            out.setdefault((row["grid"], row["slot"]), set()).add(row["unit"])
        return out

    p_was, p_now = patrol(was), patrol(now)
    first_change = {}
    for g, k in sorted({*p_was, *p_now}, key=lambda x: x[1]):
        if k >= 3 and p_was.get((g, k)) != p_now.get((g, k)):
            first_change.setdefault(g, k)
    old = {(r["unit"], r["slot"]): r for r in was["routes"]}
    kept_after = [r for r in now["routes"] if old.get((r["unit"], r["slot"])) == r
                  and r["grid"] in first_change and r["slot"] > first_change[r["grid"]]]
    assert kept_after and not {r["grid"] for r in kept_after} & set(but)
    # and every drawn route ends where its unit's kept route after it begins
    rows = {(r["unit"], r["slot"]): r for r in now["routes"]}
    for (u, k), row in rows.items():
        before = rows.get((u, k - 1))
        if before is not None:
            assert before["nodes"][-1] == row["nodes"][0], (u, k)


def test_missed_grids_reads_sites_and_line_pieces() -> None:
    from xunfang.planning.deploy.from_plan import _missed_grids

    doc = {"sites": [{"site": "S1", "grid": "G1", "met": True},
                     {"site": "S2", "grid": "G2", "met": False}],
           "lines": [{"line": "L1", "required_minutes": 60.0, "met": False,
                      "pieces": [{"grid": "G3", "achieved_minutes": 55.0},
                                 {"grid": "G4", "achieved_minutes": 61.0},
                                 {"grid": "G5", "achieved_minutes": None}]},
                     {"line": "L2", "required_minutes": 60.0, "met": True,
                      "pieces": [{"grid": "G6", "achieved_minutes": 50.0}]}]}
    assert _missed_grids(doc) == {"G2", "G4", "G5"}
    assert _missed_grids(None) == frozenset()
    assert _missed_grids({"sites": [], "lines": []}) == frozenset()
