"""`xunfang roster` after review BC: the shapes the status line names are those offered; the
JSON and roster.xlsx record the labour rules, rotation and country used; --teams named for
the day team."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import xunfang.scenarios
from xunfang.cli.main import app

runner = CliRunner()


def _county(tmp_path: Path, roster: str) -> Path:
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[policy.roster]\n" + roster + "\n",
                    encoding="utf-8")
    return folder


def test_status_line_names_the_shapes_the_rules_allow(tmp_path: Path) -> None:
    folder = _county(tmp_path, "max_duty_hours = 10")
    args = ["roster", str(folder), "--from", "2026-05-04", "--to", "2026-05-05"]
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "a")], env={"COLUMNS": "400"})
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("CP-SAT"))
    # 8-hour shifts under 10 h on end: 2-hour extensions only (it said "2 or 4 h")
    assert "among the special-duty shapes offered (2 h before or after a shift" in line
    assert "4 h before" not in line
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["solver"]["shapes"]["extension_hours"] == [2]
    assert max(doc["solver"]["shapes"]["block_hours"]) <= 10


def test_json_and_xlsx_record_the_rules_rotation_and_country(tmp_path: Path) -> None:
    folder = _county(tmp_path, "min_rest_hours = 12\nanchor = 2026-01-05")
    r = runner.invoke(app, ["roster", str(folder), "--from", "2026-05-04", "--to",
                            "2026-05-04", "--out", str(tmp_path / "o"), "--json"])
    assert r.exit_code == 0, r.output
    st = json.loads(r.stdout)["settings"]
    assert st["min_rest_hours"] == 12 and st["max_duty_hours"] == 12
    assert st["anchor"] == "2026-01-05" and st["country"] == "CN"
    assert sorted(st["phases"]) == ["A", "B", "C", "D"]
    assert len(set(st["phases"].values())) == 4
    ws = load_workbook(tmp_path / "o" / "roster.xlsx")["fairness"]
    cells = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert cells["setting min_rest_hours"] == 12
    assert cells["setting anchor"] == "2026-01-05"
    assert cells["setting country"] == "CN" and "A=" in str(cells["setting phases"])
    assert "h before or after a shift" in str(cells["special-duty shapes offered"])


def test_the_day_team_in_teams_is_named_on_teams(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--teams", "A,B,C,day", "--out", str(tmp_path)])
    assert r.exit_code == 1
    assert "--day-teams" not in r.stderr and "--teams" in r.stderr


def test_a_year_without_makeup_workdays_is_warned_of(tmp_path: Path) -> None:
    from datetime import date

    from xunfang.planning.roster import calendar_notes
    from xunfang.scenario.model import Policy

    year = next((y for y in range(2026, 2031)
                 if calendar_notes(date(y, 3, 1), 1, Policy())), None)
    if year is None:
        pytest.skip("the holidays package knows every year's make-up days")
    day = f"{year}-03-01"
    r = runner.invoke(app, ["roster", "ebian", "--from", day, "--to", day, "--json",
                            "--out", str(tmp_path)])
    assert "make-up workdays" in r.stderr and str(year) in r.stderr, r.stderr
    assert any(str(year) in n for n in json.loads(r.stdout)["notes"])
