"""A re-plan's routes carry on from where their units stand: a unit held at an incident starts
its next route in the incident's grid, and a kept route never opens with the rest of a stop
the route drawn before it did not make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def _rows(folder: Path) -> dict[tuple[str, int], dict[str, Any]]:
    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return {(r["unit"], r["slot"]): r for r in doc["stages"]["routes"]["routes"]}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seams") / "plan"
    r = runner.invoke(app, ["plan", "ebian", "--from", "2026-12-01", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _replan(county: Path, out: Path, *args: str) -> dict[tuple[str, int], dict[str, Any]]:
    r = runner.invoke(app, ["replan", str(county), "--at", "12:00", *args, "--out", str(out)])
    assert r.exit_code == 0, r.output
    return _rows(out)


def test_a_kept_route_never_opens_with_the_rest_of_a_stop_not_made(
        county: Path, tmp_path: Path) -> None:
    # PS1-C held in G3 12:00-14:30 changes G4's patrol at 12:00: PS7-C's 12:00 route there is
    # drawn again and ends at S16's node (n214) with no stop; its 13:00 route, kept, opened
    # with 9.4 min standing there, the rest of the plan in force's S16 stop (one to four such
    # routes in 12 of the bench's 19 county re-plans). (Since crews honour their skills,
    # PS1-C holds a ring all day, no route; PS2-F's 13:00 route in G1 runs past 14:00 and
    # its 14:00 route opens with the rest: held in G3 till 14:30, its stop is not made.
    # Since PS1-C and PS3-C hold the night checkpoints, PS1-F's 13:00 route in G4 is the
    # one that does.)
    # Which unit's route runs over comes as the solvers' draws fall (with newer releases
    # PS1-F's 13:00 route no longer did): the first from 13:00 on whose route opens with the
    # rest of the stop its route before ran into, held from 12:00 to half past that slot.
    was = _rows(county)
    u0, k0 = next((u, k) for (u, k), row in sorted(was.items(), key=lambda kv: kv[0][::-1])
                  if 13 <= k <= 20 and row["legs"][0]["kind"] == "hold"
                  and (u, k - 1) in was and was[(u, k - 1)]["legs"][-1]["to"] > k * 60)
    rows = _replan(county, tmp_path / "busy", "--busy", f"{u0}:G3:{k0:02d}:30")
    for (u, k), row in rows.items():
        first = row["legs"][0]
        if k < 12 or first["kind"] != "hold" or first["from"] > 60.0 * k + 0.011:
            continue
        if len(row["legs"]) == 1:
            continue  # nothing to do all the slot
        before = rows.get((u, k - 1))
        assert before is not None and before["legs"][-1]["to"] >= first["to"] - 0.011, (
            u, k, first, before and before["legs"][-1])
        assert before["nodes"][-1] == row["nodes"][0], (u, k)


def test_a_unit_held_at_an_incident_starts_its_next_route_in_its_grid(
        county: Path, tmp_path: Path) -> None:
    # PS1-C held in G3 12:00-13:30 patrols G4 at 14:00: its route drove there from its home
    # post (n161), as if it had been taken home; it now drives from G3's middle (n153).
    # (Since crews honour their skills PS1-C holds a ring all day; since checkpoints need a
    # sworn officer PS7-C patrols G3 at 14:00; since PS1-C and PS3-C hold the night
    # checkpoints, TX-M3 is the one in G4 at 14:00, from G3 at 13:00.)
    was = _rows(county)
    assert was[("TX-M3", 14)]["grid"] == "G4" and was[("TX-M3", 14)]["nodes"][0] != "n153"
    rows = _replan(county, tmp_path / "held", "--busy", "TX-M3:G3:13:30")
    first = rows[("TX-M3", 14)]
    assert first["grid"] == "G4" and first["nodes"][0] == "n153", first["nodes"][:3]
    assert first["legs"][0]["kind"] == "transit" and first["legs"][0]["from"] == 14 * 60


def _jumps(folder: Path, first: int) -> list[tuple[str, int, str, str]]:
    """Routes from slot ``first`` on that end away from where their unit stands still in the
    next slot (a post, a checkpoint, a staging node): (unit, slot, route's end, next node)."""
    from xunfang import scenario
    from xunfang.network import RoadNetwork
    from xunfang.plan import Plan
    from xunfang.planning.routes import standing_of

    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    plan = Plan.from_dict(doc["plan"])
    sc = scenario.load("ebian")
    standing = standing_of(sc, RoadNetwork.from_scenario(sc), plan.assignments)
    # a patrol route of one waypoint (the routes stage's: it has a row) is driven, not
    # stood: its row's nodes start where the route before ended
    rows = _rows(folder)
    return [(u, k, row["nodes"][-1], standing[(u, k + 1)])
            for (u, k), row in sorted(rows.items())
            if k >= first and (u, k + 1) in standing and (u, k + 1) not in rows
            and row["nodes"][-1] != standing[(u, k + 1)]]


def test_a_kept_route_ends_where_the_re_plan_stands_its_unit_next(
        county: Path, tmp_path: Path) -> None:
    # PS3-C out of service from 02:00 moves other units onto the rings it held: the kept
    # routes of PS6-C at 19:00, TX-M4 at 03:00 and TX-M2 at 04:00 ended where the plan in
    # force had them next (PS6-C's back at its post), 1.8-4.2 min from the staging node the
    # re-plan stands them at in the next slot (22 such routes in the bench's 19 county
    # re-plans; now a route whose unit the re-plan stands elsewhere next is drawn again)
    out = tmp_path / "oos"
    r = runner.invoke(app, ["replan", str(county), "--at", "02:00", "--out-of-service",
                            "PS3-C", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert _jumps(county, 0) == []  # the plan in force's routes all end where they should
    assert _jumps(out, 2) == []
