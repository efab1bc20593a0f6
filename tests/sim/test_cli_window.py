"""`xunfang simulate`/`sweep`: the run's window against the incidents and the plan's dates.

A review ran a plan's future dates against the history and a file of past times against
"tomorrow": both exited 0 with 0 incidents and every figure "-"; rows outside the window were
dropped uncounted, and a 2-day plan was repeated over the default 7 days in silence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from tests.sim.test_engine import GRID, ONE_CAR, POSTS, Make
from xunfang import scenario
from xunfang.cli.main import app
from xunfang.plan import Plan, make_slots
from xunfang.planning.posture import hold_at_home

runner = CliRunner()
FILES = {"posts.csv": POSTS, "units.csv": ONE_CAR, "areas.geojson": json.dumps(GRID)}
CALLS = ("id,time,x,y,category,priority\n"
         "early,2025-03-02T12:00,400,0,x,2\n"
         "c1,2025-03-03T00:10,400,0,x,2\n"
         "c2,2025-03-04T03:00,400,300,x,1\n"
         "late,2025-03-09T00:00,0,0,x,2\n")


def _plan(sc_path: Path, tmp_path: Path, first: date, days: int) -> Path:
    sc = scenario.load(sc_path)
    slots = make_slots(first, days=days, slot_minutes=sc.slot_minutes)
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t", slots=slots,
                units=tuple(u.id for u in sc.units), assignments=hold_at_home(sc, slots))
    d = tmp_path / "plan"
    d.mkdir()
    (d / "plan.json").write_text(json.dumps({"plan": plan.as_dict()}), encoding="utf-8")
    return d


def _run(*args: str) -> tuple[int, str, dict[str, object]]:
    r = runner.invoke(app, [*args, "--replications", "1", "--json"])
    doc = json.loads(r.stdout) if r.exit_code == 0 else {}
    return r.exit_code, r.output, doc


def test_a_file_without_from_starts_on_its_first_day(make_scenario: Make,
                                                      tmp_path: Path) -> None:
    path = make_scenario(FILES)
    f = tmp_path / "calls.csv"
    f.write_text(CALLS, encoding="utf-8")
    code, out, doc = _run("simulate", str(path), "--incidents", str(f), "--days", "3")
    assert code == 0, out
    assert doc["from"] == "2025-03-02"
    assert "the first day of" in out and "calls.csv" in out
    rows = doc["incident_rows"]
    assert rows == {"source": str(f), "rows": 4, "in_window": 3, "before": 0, "after": 1,
                    "file_days": "2025-03-02..2025-03-09"}
    assert doc["kpis"]["counts"]["incidents"] == 3  # type: ignore[index]


def test_rows_outside_the_window_are_counted(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario(FILES)
    f = tmp_path / "calls.csv"
    f.write_text(CALLS, encoding="utf-8")
    code, out, doc = _run("simulate", str(path), "--incidents", str(f), "--from",
                          "2025-03-03", "--days", "2")
    assert code == 0, out
    assert doc["incident_rows"]["before"] == 1 and doc["incident_rows"]["after"] == 1  # type: ignore[index]
    assert "2 of 4 incident(s) in the window 2025-03-03..2025-03-04; 1 before and 1 after" in out


def test_no_incident_in_the_window_is_refused(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario(FILES)
    f = tmp_path / "calls.csv"
    f.write_text(CALLS, encoding="utf-8")
    for cmd in ("simulate", "sweep"):
        code, out, _ = _run(cmd, str(path), "--incidents", str(f), "--from", "2025-04-01",
                            "--days", "2")
        assert code == 1, out
        flat = " ".join(out.split())
        assert "window 2025-04-01..2025-04-02" in flat and "2025-03-02..2025-03-09" in flat
        assert "--from" in flat and "--sample" in flat


def test_a_plan_sets_the_days_and_its_repeat_is_said(make_scenario: Make,
                                                     tmp_path: Path) -> None:
    path = make_scenario(FILES)
    f = tmp_path / "calls.csv"
    f.write_text(CALLS, encoding="utf-8")
    plan = _plan(path, tmp_path, date(2025, 3, 3), 2)
    code, out, doc = _run("simulate", str(path), "--plan", str(plan), "--incidents", str(f))
    assert code == 0, out
    assert doc["from"] == "2025-03-03" and doc["days"] == 2
    assert not any("plan covers" in n for n in doc["notes"])  # type: ignore[attr-defined]
    code, out, doc = _run("simulate", str(path), "--plan", str(plan), "--incidents", str(f),
                          "--days", "7")
    assert code == 0, out
    assert any("plan covers 2025-03-03..2025-03-04 (2 day(s)); the run's 5 day(s) outside it"
               in n for n in doc["notes"])  # type: ignore[attr-defined]
    code, out, doc = _run("simulate", str(path), "--plan", str(plan), "--incidents", str(f),
                          "--from", "2025-03-09", "--days", "1")
    assert code == 0, out
    assert any("none of the run's days (2025-03-09)" in n
               for n in doc["notes"])  # type: ignore[attr-defined]
