"""What `simulate` and `sweep` print of a short replay's intervals, the vs-plan interval and the
workload (a review: a 2-day run's intervals covered the long-run figure in 0.6–0.7 of runs
with no word; the workload of DESIGN §4 and the static measure's slots were in --json only)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.sim.test_engine import GRID, ONE_CAR, POSTS, Make
from xunfang.cli.main import app
from xunfang.sim.kpis import DAYS_T

runner = CliRunner()
FILES = {"posts.csv": POSTS, "units.csv": ONE_CAR, "areas.geojson": json.dumps(GRID)}
CALLS = ("id,time,x,y,category,priority\nc1,2025-03-03T00:10,400,0,x,2\n"
         "c2,2025-03-03T07:00,800,0,x,2\nc3,2025-03-04T03:00,400,300,x,1\n")


def test_simulate_says_a_short_run_understates_and_prints_the_workload(
        make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario(FILES)
    inc = tmp_path / "calls.csv"
    inc.write_text(CALLS, encoding="utf-8")
    args = ["simulate", str(path), "--incidents", str(inc), "--from", "2025-03-03", "--days",
            "2", "--replications", "2"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    note = doc["kpis"]["interval_note"]
    assert "2 day(s)" in note and "--days" in note and "--sample" in note
    assert note in doc["notes"]
    assert doc["kpis"]["bootstrap_units"] == 2 and doc["kpis"]["interval_widened"] > 9
    r = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert f"note: {note}" in " ".join(r.stdout.split())  # rich wraps the long line
    wl = next(row for row in doc["kpis"]["tables"]["workload"] if row["unit"] == "U1")
    line = next(x for x in r.stdout.splitlines() if "on-duty hours a week" in x)
    assert f"mean {wl['duty_hours_per_week']:.3g} h" in line
    line = next(x for x in r.stdout.splitlines() if "night share of duty hours" in x)
    assert f"mean {wl['night_share']:.3g}" in line and "sd 0" in line and "range" in line
    assert "weekend share of duty hours" in r.stdout
    assert "busy hours a week" in r.stdout and "utilisation (busy / on duty)" in r.stdout
    rows = doc["kpis"]["tables"]["static_by_slot"]
    low = min(rows, key=lambda x: x["share_within_target"])
    assert f"lowest {low['share_within_target']:.3g} at {low['slot']}" in r.stdout
    # 14 days or more with incidents: no note
    many = "".join(f"d{d},2025-03-{3 + d:02d}T03:00,400,0,x,2\n" for d in range(14))
    inc.write_text("id,time,x,y,category,priority\n" + many, encoding="utf-8")
    doc = json.loads(runner.invoke(app, ["simulate", str(path), "--incidents", str(inc),
                                         "--days", "14", "--json"]).stdout)
    assert doc["kpis"]["interval_note"] is None and doc["kpis"]["interval_widened"] == 1.0


def test_sweep_names_the_vs_plan_interval(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario(FILES)
    inc = tmp_path / "calls.csv"
    inc.write_text(CALLS, encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["sweep", str(path), "--incidents", str(inc), "--from",
                            "2025-03-03", "--days", "2", "--replications", "2", "--workers",
                            "1", "--variant", "move:p1=c", "--out", str(out)],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    boot = next(x for x in lines if x.startswith(f"vs plan interval a paired {DAYS_T}"))
    assert "response_p50_min" in boot and "utilization" in boot
    reps = next(x for x in lines if x.startswith("vs plan interval over the replications"))
    assert "visibility" in reps
    assert "note: the run has 2 day(s)" in r.stdout
    doc = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    vs = doc["variants"]["move:p1=c"]["vs_plan"]
    assert vs["response_p50_min"]["interval"] == DAYS_T
    assert vs["visibility"]["interval"] == "replications"
    assert len(doc["variants"]["plan"]["per_replication"]["response_p50_min"]) == 2
    assert doc["notes"][-1].startswith("the run has 2 day(s)")
