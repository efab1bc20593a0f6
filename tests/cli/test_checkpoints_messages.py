"""`xunfang checkpoints` errors name the file, the row or the id, and the rule broken."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

Make = Callable[..., Path]
runner = CliRunner()
UNITS = "id,tier,mode,squad,home_post\nK1,special,car,checkpoint,p1\n"


def _posts(attract: str) -> str:
    return ("id,name,kind,node,night_only,attractiveness\np1,Station,station,a,0,\n"
            f"c1,West gate,checkpoint,a,0,2\nc2,East gate,checkpoint,e,0,{attract}\n")


def _run(path: Path, *args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["checkpoints", str(path), "--from", "2026-12-01", *args])
    return r.exit_code, " ".join(r.output.split())


def test_bad_attractiveness_names_the_row_and_rule(make_scenario: Make) -> None:
    code, out = _run(make_scenario({"posts.csv": _posts("high"), "units.csv": UNITS}, name="a"))
    assert code == 1
    assert "posts.csv row 3 (post 'c2'), column 'attractiveness': 'high' is not a number" in out
    assert "rule: a positive number" in out
    code, out = _run(make_scenario({"posts.csv": _posts("-1"), "units.csv": UNITS}, name="b"))
    assert code == 1
    assert "posts.csv row 3 (post 'c2'), column 'attractiveness': '-1' breaks the rule" in out


def test_a_repeated_site_is_named(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": _posts("1"), "units.csv": UNITS})
    code, out = _run(path, "--sites", "c1,c2,c1")
    assert code == 1 and "sites: 'c1' is given twice" in out


def test_the_flow_samplers_few_schedules_are_said() -> None:
    # two teams and a binding travel rule: days come from one finite decomposition
    r = runner.invoke(app, ["checkpoints", "ebian", "--teams", "2", "--changeover-minutes", "3",
                            "--from", "2026-12-01"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "the likeliest day has probability" in out
    assert "schedules that keep it (" in out and "bits per day; the likeliest day" in out
    assert "note: the capacity the equilibrium left unused" in out
