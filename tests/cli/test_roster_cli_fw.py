"""`xunfang roster` after review AX: a time-out, duplicate teams, where a bad pattern came
from, per-week figures of a short roster."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def test_time_out_is_not_reported_as_infeasible(tmp_path: Path) -> None:
    # a month of the county in 0.1 s: CP-SAT stops before its first roster (review AX)
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-12-15", "--to", "2027-01-12",
                            "--time-limit", "0.1", "--json", "--out", str(tmp_path)])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["timed_out"] is True and doc["infeasible"] is False
    assert doc["violations"] == []
    assert "ran out of time" in r.stderr and "--time-limit" in r.stderr
    assert "cannot all hold" not in r.stderr and "(time_limit)" not in r.stderr
    assert not (tmp_path / "roster.csv").exists()


def test_duplicate_team_is_refused(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--teams", "A,A,B,C", "--out", str(tmp_path)])
    assert r.exit_code == 1
    assert "duplicate-team" in r.stderr and "--teams" in r.stderr and "'A'" in r.stderr
    assert not (tmp_path / "roster.csv").exists()


def test_bad_pattern_names_the_option_it_came_from(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--pattern", "EEMMOO/3/2", "--teams", "A,B,C",
                            "--out", str(tmp_path)])
    assert r.exit_code == 1 and "pattern-coverage" in r.stderr
    assert "--pattern" in r.stderr and "scenario.toml" not in r.stderr
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--pattern", "9-9", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "bad-pattern" in r.stderr
    assert "--pattern" in r.stderr and "scenario.toml" not in r.stderr


def test_table_gives_no_weekly_rate_below_a_week(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    # one 8-hour shift is not 56 h a week; the JSON and xlsx give no rate below a week
    assert "56.0" not in r.stdout
    rows = [ln for ln in r.stdout.splitlines() if "│" in ln and ln.split("│")[1].strip()
            in ("A", "B", "C", "D")]
    assert len(rows) == 4 and all(ln.split("│")[3].strip() == "–" for ln in rows)


def test_solver_status_says_it_is_within_the_duty_shapes(tmp_path: Path) -> None:
    from xunfang.planning.roster.solve import EXT_HOURS

    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--out", str(tmp_path)], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("CP-SAT"))
    assert "among the special-duty shapes offered" in line
    assert f"{EXT_HOURS[0]} or {EXT_HOURS[1]} h before or after a shift" in line
