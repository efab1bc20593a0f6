"""`xunfang roster` through Typer's runner: files written, JSON shape, errors and exit codes."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def test_roster_writes_csv_xlsx_and_json(tmp_path: Path) -> None:
    out = tmp_path / "r"
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-01", "--to", "2026-05-03",
                            "--out", str(out), "--seed", "3", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["from"] == "2026-05-01" and doc["days"] == 3 and doc["seed"] == 3
    assert doc["pattern"] == "4-3" and doc["teams"] == ["A", "B", "C", "D"]
    assert len(doc["slots"]) == 72 and len(doc["staff"]["all"]) == 72
    assert doc["violations"] == []
    assert doc["solver"]["status"] in ("OPTIMAL", "FEASIBLE")
    with (out / "roster.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {"date", "person", "team", "shift", "start", "end", "role"} <= set(rows[0])
    assert len(rows) == len(doc["rows"])
    for row in rows:
        a, b = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        assert a < b and date(2026, 5, 1) <= date.fromisoformat(row["date"]) <= date(2026, 5, 3)
    # 1–3 May 2026 are public holidays: special duties with their own shift value
    assert any(row["shift"] == "special" and "holiday" in row["reason"] for row in rows)
    assert (out / "roster.xlsx").stat().st_size > 0


def test_roster_table_output(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-04",
                            "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "CP-SAT OPTIMAL" in r.stdout and "Gini of nights" in r.stdout
    assert (tmp_path / "roster.csv").exists()


def test_roster_bad_dates_and_teams(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-01",
                            "--out", str(tmp_path)])
    assert r.exit_code == 1 and "before --from" in r.stderr
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-01", "--to", "2026-05-01",
                            "--teams", "A,B,C,X", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "unknown-team" in r.stderr and "'X'" in r.stderr
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-01", "--to", "2026-05-01",
                            "--pattern", "EEMMOO/3/2", "--teams", "A,B,C",
                            "--out", str(tmp_path)])
    assert r.exit_code == 1 and "uncovered" in r.stderr and "pattern-coverage" in r.stderr
    assert not (tmp_path / "roster.csv").exists()


def test_roster_bad_staffing_and_leave_files(tmp_path: Path) -> None:
    staffing = tmp_path / "staffing.csv"
    staffing.write_text("rule,count,skill\nr1,1,juggling\n", encoding="utf-8")
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-01", "--to", "2026-05-01",
                            "--staffing", str(staffing), "--out", str(tmp_path)])
    assert r.exit_code == 1
    assert "staffing.csv, row 1, column 'skill'" in r.stderr and "unknown-skill" in r.stderr
    leave = tmp_path / "leave.csv"
    leave.write_text("person,from,to\nGHOST,2026-05-01,2026-05-02\n", encoding="utf-8")
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-01", "--to", "2026-05-01",
                            "--leave", str(leave), "--out", str(tmp_path)])
    assert r.exit_code == 1 and "leave.csv, row 1" in r.stderr and "GHOST" in r.stderr


def test_roster_infeasible_is_explained(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-05-04", "--to", "2026-05-10",
                            "--pattern", "3-2", "--teams", "A,B,C", "--out", str(tmp_path),
                            "--json"])
    assert r.exit_code == 1
    assert "weekly-hours" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["infeasible"] is True and doc["timed_out"] is False
    # one line for the pattern, naming the setting that would allow it (not one per person)
    assert [v["rule"] for v in doc["violations"]] == ["weekly-hours"]
    assert "max_week_hours = 60" in doc["violations"][0]["message"]


PEOPLE = "id,role,team,squad,skills\n" + "".join(
    f"{t}{k},auxiliary,{t},patrol,{'driver' if k == 1 else ''}\n"
    for t in "ABCD" for k in range(1, 4))


def test_scenario_staffing_table_is_read(make_scenario: Callable[..., Path],
                                         tmp_path: Path) -> None:
    path = make_scenario({"people.csv": PEOPLE,
                          "staffing.csv": "rule,count,skill,from,to\ndrivers,1,driver,8,20\n"})
    r = runner.invoke(app, ["roster", str(path), "--from", "2026-05-04", "--to", "2026-05-05",
                            "--out", str(tmp_path / "o"), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert any(s["source"] == "staffing.csv, row 1" for s in doc["staffing"])
    bad = make_scenario({"people.csv": PEOPLE, "staffing.csv": "rule,count,skill\nr,1,juggling\n"},
                        name="bad")
    r = runner.invoke(app, ["roster", str(bad), "--from", "2026-05-04", "--to", "2026-05-04",
                            "--out", str(tmp_path / "b")])
    assert r.exit_code == 1 and "staffing.csv, row 1, column 'skill'" in r.stderr


def test_roster_preferences_option(tmp_path: Path) -> None:
    args = ["roster", "ebian", "--from", "2026-03-07", "--to", "2026-03-07", "--json"]
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    doc = json.loads(r.stdout)
    busy = sorted({row["person"] for row in doc["rows"] if row["kind"] == "special"})
    wishes = tmp_path / "wishes.csv"
    wishes.write_text("person,date,want\n" + "".join(f"{p},2026-03-07,no\n" for p in busy[:2]),
                      encoding="utf-8")
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--preferences", str(wishes)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert not set(busy[:2]) & {row["person"] for row in doc["rows"] if row["kind"] == "special"}
    wishes.write_text("person,date\nNOBODY,2026-03-07\n", encoding="utf-8")
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "c"), "--preferences", str(wishes)])
    assert r.exit_code == 1 and "wishes.csv, row 1, column 'person'" in r.stderr


def test_roster_history_from_a_previous_csv(tmp_path: Path) -> None:
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-09-24", "--to", "2026-09-30",
                            "--out", str(tmp_path / "sep")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-10-01", "--to", "2026-10-03",
                            "--history", str(tmp_path / "sep" / "roster.csv"),
                            "--out", str(tmp_path / "oct"), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["violations"] == []
    bad = tmp_path / "bad.csv"
    bad.write_text("date,person,team,shift,start,end\n2026-09-30,TXFA01,A,early,"
                   "2026-09-30T16:00,2026-09-30T08:00\n", encoding="utf-8")
    r = runner.invoke(app, ["roster", "ebian", "--from", "2026-10-01", "--to", "2026-10-01",
                            "--history", str(bad), "--out", str(tmp_path / "x")])
    assert r.exit_code == 1 and "bad.csv, row 1, column 'end'" in r.stderr
