"""`xunfang simulate` through Typer's runner: JSON shape, incident files and errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.sim.test_engine import GRID, ONE_CAR, POSTS, Make
from xunfang.cli.main import app
from xunfang.sim.kpis import DAYS_T

runner = CliRunner()
FILES = {"posts.csv": POSTS, "units.csv": ONE_CAR, "areas.geojson": json.dumps(GRID)}


def test_simulate_an_incident_file_json(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario(FILES)
    inc = tmp_path / "calls.csv"
    inc.write_text("id,time,x,y,category,priority\nc1,2025-03-03T00:10,400,0,x,2\n"
                   "c2,2025-03-04T03:00,400,300,x,1\nc3,2025-03-09T00:00,0,0,x,2\n",
                   encoding="utf-8")
    r = runner.invoke(app, ["simulate", str(path), "--incidents", str(inc), "--from",
                            "2025-03-03", "--days", "2", "--replications", "2", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    k = doc["kpis"]
    assert doc["days"] == 2 and doc["replications"] == 2 and doc["incidents"] == "replay"
    assert k["counts"]["incidents"] == 4  # c1 and c2 in both replications; c3 is later
    for name in ("response_p50_min", "response_p90_min", "response_within_target",
                 "visibility", "patrol_gap_minutes", "over_deployment"):
        assert isinstance(k[name], float)
        assert len(k[f"{name}_ci"]) == 2
    assert k["response_p50_min"] == 1.1  # 0.8 (b) and 1.4 (c) minutes from the post at a


def test_simulate_errors_name_the_input(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario(FILES)
    bad = tmp_path / "bad.csv"
    bad.write_text("time,x,y,category,priority\n2025-03-03T00:10,400,0,x,2\n"
                   "yesterday,0,0,x,2\n", encoding="utf-8")
    r = runner.invoke(app, ["simulate", str(path), "--incidents", str(bad), "--from",
                            "2025-03-03", "--days", "1"])
    assert r.exit_code == 1
    assert "row 2, column 'time'" in r.output and "bad.csv" in r.output
    r = runner.invoke(app, ["simulate", str(path), "--incidents", str(bad), "--sample"])
    assert r.exit_code == 2 and "exclude each other" in r.output
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("time,x,y,category\n2025-03-03T00:10,400,0,x\n", encoding="utf-8")
    r = runner.invoke(app, ["simulate", str(path), "--incidents", str(nocol)])
    assert r.exit_code == 1 and "missing column(s) priority" in r.output


def test_the_table_says_which_interval_each_figure_has(make_scenario: Make,
                                                        tmp_path: Path) -> None:
    """A replay's response figures are bootstrapped over the run's days, the rest over the
    replications: the table says which, as the JSON's ``intervals`` does."""
    path = make_scenario(FILES)
    inc = tmp_path / "calls.csv"
    inc.write_text("id,time,x,y,category,priority\nc1,2025-03-03T00:10,400,0,x,2\n"
                   "c2,2025-03-04T03:00,400,300,x,1\n", encoding="utf-8")
    args = ["simulate", str(path), "--incidents", str(inc), "--from", "2025-03-03", "--days",
            "2", "--replications", "2"]
    r = runner.invoke(app, [*args, "--json"])
    kinds = json.loads(r.stdout)["kpis"]["intervals"]
    r = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    rows = {line.split("│")[1].strip(): line for line in r.stdout.splitlines()
            if line.count("│") >= 5}
    # two days: Student's t over the days on the bootstrap's standard error (kpis.t_ci)
    assert DAYS_T in rows["response_p90_min"]
    assert kinds["response_p90_min"] == DAYS_T
    assert "replications" in rows["visibility"] and kinds["visibility"] == "replications"
    assert "bootstrap intervals from" in r.stdout
