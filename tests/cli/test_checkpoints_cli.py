"""`xunfang checkpoints` through Typer's runner: the JSON shape, the table, and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from xunfang.cli.main import app

Make = Callable[..., Path]
runner = CliRunner()
POSTS = ("id,name,kind,node,night_only\np1,Station,station,a,0\nc1,West gate,checkpoint,a,0\n"
         "c2,East gate,checkpoint,e,0\nc3,Night post,checkpoint,c,1\n")
UNITS = "id,tier,mode,squad,home_post\nK1,special,car,checkpoint,p1\n"
HEADER = "type,probability,site,att_covered,att_uncovered,def_covered,def_uncovered"


def small(make_scenario: Make, **extra: str) -> Path:
    return make_scenario({"posts.csv": POSTS, "units.csv": UNITS, **extra})


def test_json_shape_on_the_built_in_county() -> None:
    r = runner.invoke(app, ["checkpoints", "ebian", "--days", "2", "--seed", "3", "--from",
                            "2026-12-01", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc) == {"marginals", "defender_value", "attacker_value", "schedules",
                        "baselines", "reserve", "free", "unmanned"}
    assert {tuple(sorted(m)) for m in doc["marginals"]} == {("coverage", "site", "slot")}
    assert len(doc["marginals"]) == 6 * 24
    assert len(doc["schedules"]) == 2
    assert all(set(v) == {"site", "slot", "team"} for day in doc["schedules"] for v in day)
    assert {v["slot"][:10] for v in doc["schedules"][1]} == {"2026-12-02"}
    assert {v["team"] for day in doc["schedules"] for v in day} == {"TX-C3"}
    assert set(doc["baselines"]) == {"uniform", "fixed"}
    assert set(doc["baselines"]["fixed"]) == {"attacker_value"}
    assert doc["baselines"]["fixed"]["attacker_value"] > doc["attacker_value"]
    assert isinstance(doc["defender_value"], float)


def test_table_and_seed(make_scenario: Make) -> None:
    path = small(make_scenario)
    r = runner.invoke(app, ["checkpoints", str(path), "--from", "2026-12-01", "--days", "2"])
    assert r.exit_code == 0, r.output
    # the console wraps the summary where it is long (the solver's seconds vary with load)
    flat = " ".join(r.stdout.split())
    assert "SSE check: ok" in flat and "day 2" in flat
    assert "uniform schedule" in r.stdout and "entropy" in r.stdout
    a = runner.invoke(app, ["checkpoints", str(path), "--from", "2026-12-01", "--json",
                            "--seed", "1", "--days", "3"])
    b = runner.invoke(app, ["checkpoints", str(path), "--from", "2026-12-01", "--json",
                            "--seed", "1", "--days", "3"])
    assert a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert {v["team"] for day in doc["schedules"] for v in day} <= {"K1"}


def test_payoff_table_option(make_scenario: Make, tmp_path: Path) -> None:
    path = small(make_scenario)
    table = tmp_path / "payoffs.csv"
    table.write_text(HEADER + "\nx,1,c1,-1,5,0,-5\nx,1,c2,-1,1,0,-1\nx,1,c3,-1,1,0,-1\n",
                     encoding="utf-8")
    r = runner.invoke(app, ["checkpoints", str(path), "--from", "2026-12-01", "--json",
                            "--payoffs", str(table)])
    assert r.exit_code == 0, r.output
    cov = {(m["site"], m["slot"]): m["coverage"] for m in json.loads(r.stdout)["marginals"]}
    # c1 is worth five times more to the attacker: it gets the most coverage in every slot
    for (site, slot), c in cov.items():
        if site != "c1":
            assert cov[("c1", slot)] > c


def test_errors(make_scenario: Make, tmp_path: Path) -> None:
    path = small(make_scenario)
    # 3 teams, 3 sites of which one night-only: the spare team stands down by day
    r = runner.invoke(app, ["checkpoints", str(path), "--teams", "3", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["reserve"][0]
    r = runner.invoke(app, ["checkpoints", str(path), "--teams", "0", "--json"])
    assert r.exit_code == 1
    assert "0 checkpoint teams in every slot" in r.output and r.stdout == ""
    table = tmp_path / "bad.csv"
    table.write_text("type,probability,site\nx,1,c1\n", encoding="utf-8")
    r = runner.invoke(app, ["checkpoints", str(path), "--payoffs", str(table)])
    assert r.exit_code == 1
    assert "column 'att_covered'" in r.output and "missing-column" in r.output
    r = runner.invoke(app, ["checkpoints", str(make_scenario({"posts.csv": POSTS},
                                                             name="no_units"))])
    assert r.exit_code == 1 and "give --teams" in r.output
    r = runner.invoke(app, ["checkpoints", str(tmp_path / "nowhere")])
    assert r.exit_code == 1
    r = runner.invoke(app, ["checkpoints", str(path), "--method", "origami", "--payoffs",
                            str(_two_types(tmp_path))])
    assert r.exit_code == 1 and "solves one attacker type" in r.output


def _two_types(tmp_path: Path) -> Path:
    p = tmp_path / "two.csv"
    rows = [f"{t},0.5,{s},-1,2,0,-2" for t in ("a", "b") for s in ("c1", "c2", "c3")]
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return p


def test_sites_and_staffing_options(make_scenario: Make) -> None:
    path = small(make_scenario)
    r = runner.invoke(app, ["checkpoints", str(path), "--json", "--sites", "c1,c2",
                            "--min-staffing", "c2=0.9", "--max-staffing", "c1=0.05"])
    assert r.exit_code == 0, r.output
    marg = json.loads(r.stdout)["marginals"]
    assert {m["site"] for m in marg} == {"c1", "c2"}
    # expected shares of each site's slots (both open all day): the mean of its coverage
    share = {s: float(np.mean([m["coverage"] for m in marg if m["site"] == s]))
             for s in ("c1", "c2")}
    assert share["c2"] >= 0.9 - 1e-6 and share["c1"] <= 0.05 + 1e-6
    # --help says the shares are expected shares, not a promise for every day
    cmd = typer.main.get_command(app).commands["checkpoints"]  # type: ignore[attr-defined]
    helps = {p.name: p.help for p in cmd.params}
    assert "expected share" in helps["min_staffing"] and "fewer" in helps["min_staffing"]
    assert "expected share" in helps["max_staffing"] and "more" in helps["max_staffing"]
    r = runner.invoke(app, ["checkpoints", str(path), "--min-staffing", "c1=0.6,c2=0.6"])
    assert r.exit_code == 1 and "more minimum staffing than teams" in r.output
    r = runner.invoke(app, ["checkpoints", str(path), "--min-staffing", "c1:0.6"])
    assert r.exit_code == 1 and "--min-staffing: 'c1:0.6' is not SITE=SHARE" in r.output
    r = runner.invoke(app, ["checkpoints", str(path), "--sites", "c1,zz"])
    assert r.exit_code == 1 and "'zz' is not a post id" in r.output
