"""`xunfang checkpoints --time-limit`: a DOBSS solve stopped at its limit is reported as not
proven optimal, with its value, bound and gap — not as a failed SSE check."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.planning.checkpoints import check_sse, make_game

runner = CliRunner()
# a review's case: two teams, four capped sites; DOBSS needs minutes to prove its optimum
ARGS = ["checkpoints", "ebian", "--teams", "2", "--from", "2026-12-01", "--changeover-minutes",
        "3", "--max-staffing", "CP1=0.1,CP2=0.1,CP3=0.1,CP4=0.1"]


def test_a_time_limited_solve_is_not_an_sse_failure() -> None:
    r = runner.invoke(app, [*ARGS, "--time-limit", "1"], env={"COLUMNS": "400"})
    assert r.exit_code == 0, r.output
    assert "below the proven optimum" not in r.output
    line = next(x for x in r.output.splitlines() if "SSE check" in x)
    assert "not proven optimal: value " in line and ", bound " in line and ", gap " in line


def test_check_sse_tells_an_unproven_bound_from_a_proven_one() -> None:
    g = make_game(["a", "b"], ["00"], type_names=["k"], prob=[1.0],
                  att_uncovered=np.array([[[2.0], [1.0]]]), att_covered=-1.0,
                  def_uncovered=np.array([[[-2.0], [-1.0]]]), def_covered=0.0, teams=1)
    c = np.array([0.5, 0.5])
    value = check_sse(g, c).defender_value
    proven = check_sse(g, c, bound=value + 1.0)
    assert not proven.ok and "below the proven optimum" in proven.problems[0]
    unproven = check_sse(g, c, bound=value + 1.0, proven=False)
    assert unproven.ok
    assert unproven.optimality.startswith("not proven optimal: value ")
    assert "gap 1 " in unproven.optimality
    assert check_sse(g, c, bound=value, proven=False).optimality == ""


def test_the_summary_says_whether_the_solve_was_proven() -> None:
    from datetime import date

    from xunfang import scenario as scenario_mod
    from xunfang.network import RoadNetwork
    from xunfang.plan import make_slots
    from xunfang.planning.checkpoints import plan_checkpoints

    sc = scenario_mod.load("ebian")
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)
    cp = plan_checkpoints(sc, RoadNetwork.from_scenario(sc), slots, 2, 0, time_limit=1.0,
                          changeover_minutes=3.0,
                          max_staffing={f"CP{i}": 0.1 for i in range(1, 5)})
    info = cp.summary()
    assert info["proven_optimal"] is False and info["sse_ok"] is True
    assert str(info["sse_optimality"]).startswith("not proven optimal")
