"""`xunfang rings analyze | site` after a review: candidates a car can use, load warnings,
the reason of an infeasible or time-limited siting, night-only posts, option names in errors,
and --hour / --weights for siting."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

Make = Callable[..., Path]
runner = CliRunner()

# the mini town (tests/conftest.py) and f, 100 m from e up a flight of steps: no car reaches f
STEPS = {
    "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\ne,800,0\nf,800,100\n",
    "network/edges.csv": "u,v,class\na,b,\nb,c,\nc,d,\nd,a,\nb,e,\ne,f,steps\n",
}
NIGHT = ("id,name,kind,node,night_only\np1,Station,station,a,0\n"
         "c1,Night check,checkpoint,e,1\n")


def site(path: Path, *args: str) -> tuple[int, dict[str, object], str]:
    r = runner.invoke(app, ["rings", "site", str(path), *args, "--json"])
    doc = json.loads(r.stdout) if r.stdout.strip() else {}
    return r.exit_code, doc, r.stderr


def test_site_never_proposes_a_node_the_mode_cannot_use(make_scenario: Make) -> None:
    path = make_scenario(STEPS)
    # f is reached by no car: it cannot be covered, and no post is put on it to cover itself
    rc, doc, err = site(path, "--model", "lscp", "--target-minutes", "0.7")
    assert rc == 1 and doc["status"] == "infeasible" and doc["uncoverable"] == ["f"]
    assert "no candidate and no existing post" in err
    rc, doc, _ = site(path, "--model", "mclp", "--p", "2", "--target-minutes", "0.7")
    assert rc == 0 and "f" not in doc["added"] and doc["uncoverable"] == ["f"]
    assert doc["covered_weight_share"] == 5 / 6
    rc, doc, _ = site(path, "--model", "pmedian", "--p", "1")
    assert "f" not in doc["added"]
    # on foot the steps are a road: f may hold a post
    rc, doc, _ = site(path, "--model", "lscp", "--target-minutes", "3", "--mode", "foot")
    assert rc == 0 and doc["uncoverable"] == []


def test_rings_print_the_scenarios_warnings(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": "id,name,kind,x,y\np1,st1,station,3000,0\n"})  # 2.2 km off
    r = runner.invoke(app, ["rings", "analyze", str(path)])
    assert r.exit_code == 0
    assert "far-from-roads" in r.stderr and "m from the nearest road node" in r.stderr
    rc, _, err = site(path, "--model", "mclp", "--p", "1")
    assert rc == 0 and "far-from-roads" in err


def test_an_infeasible_siting_says_why(make_scenario: Make) -> None:
    rc, doc, err = site(make_scenario(), "--model", "bclp", "--p", "0", "--target-minutes",
                        "0.7")
    assert rc == 1 and doc["status"] == "infeasible"
    assert "infeasible: 0 new post(s) cannot cover every coverable demand point once" in err
    assert "raise p" in err and doc["message"] in err
    r = runner.invoke(app, ["rings", "site", str(make_scenario(name="t")), "--model", "bclp",
                            "--p", "0", "--target-minutes", "0.7"])
    assert r.exit_code == 1 and "cannot cover every coverable" in r.stderr


def test_night_only_posts_count_at_night_only_and_are_named(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": NIGHT})
    r = runner.invoke(app, ["rings", "analyze", str(path), "--posts", "station,checkpoint",
                            "--json"])
    doc = json.loads(r.stdout)
    assert doc["sources"] == ["p1"] and doc["night_only_out"] == ["c1"] and doc["hour"] is None
    r = runner.invoke(app, ["rings", "analyze", str(path), "--posts", "station,checkpoint"])
    text = " ".join(r.stdout.split())  # (rich wraps lines at 80 columns)
    assert "posts staffed at every hour" in text and "c1 are staffed at hours 20–5" in text
    r = runner.invoke(app, ["rings", "analyze", str(path), "--posts", "station,checkpoint",
                            "--hour", "22", "--json"])
    doc = json.loads(r.stdout)
    assert doc["sources"] == ["p1", "c1"] and doc["night_only_out"] == []
    r = runner.invoke(app, ["rings", "analyze", str(path), "--posts", "checkpoint",
                            "--hour", "12"])
    assert r.exit_code == 1
    assert "night-only post(s) c1 are staffed at hours 20–5 only" in r.stderr
    r = runner.invoke(app, ["rings", "analyze", "--help"])
    assert "night-only" in r.stdout and "every hour" in r.stdout


def test_site_hour_keeps_the_posts_staffed_then(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": NIGHT})
    base = ("--model", "lscp", "--posts", "station,checkpoint", "--target-minutes", "0.7")
    rc, day, err = site(path, *base)
    assert rc == 0 and "e" in day["added"] and day["count"] == 2
    assert day["night_only_out"] == ["c1"] and "c1 are staffed at" in err
    rc, night, _ = site(path, *base, "--hour", "22")
    assert rc == 0 and night["count"] == 1 and "e" not in night["added"]
    assert night["hour"] == 22


def test_site_weights_by_incidents(make_scenario: Make) -> None:
    incidents = "id,time,x,y,category,priority\n" + "".join(
        f"i{k},2026-01-0{k + 1}T10:00,800,0,theft,1\n" for k in range(5))
    path = make_scenario({"incidents.csv": incidents})
    args = ("--model", "mclp", "--p", "1", "--target-minutes", "0.7")
    rc, plain, _ = site(path, *args)
    assert rc == 0 and plain["added"][0] in ("b", "c") and plain["weights"] == "none"
    rc, weighted, _ = site(path, *args, "--weights", "incidents")
    assert rc == 0 and weighted["added"] == ["e"] and weighted["weights"] == "incidents"
    assert weighted["objective"] == 2 + 6  # a and d (1 each), e (5 incidents + 1)
    r = runner.invoke(app, ["rings", "site", "--help"])
    assert "--weights" in r.stdout and "--hour" in r.stdout


def test_site_errors_name_the_option_and_the_file(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario()
    rc, _, err = site(path, "--model", "lscp", "--p", "2")
    assert rc == 1 and "--p: lscp takes no --p" in err
    rc, _, err = site(path, "--model", "mclp", "--p", "1", "--time-limit", "0")
    assert rc == 1 and "--time-limit must be seconds > 0" in err
    rc, _, err = site(path, "--model", "mclp", "--p", "9")
    assert rc == 1 and "--p: at most 4 new post(s)" in err
    dup = tmp_path / "dup.csv"
    dup.write_text("node\nb\nc\nb\n", encoding="utf-8")
    rc, _, err = site(path, "--model", "lscp", "--candidates", str(dup))
    assert rc == 1 and f"--candidates {dup}: node 'b' is listed more than once (rows 1, 3)" in err
    bad = tmp_path / "bad.txt"
    bad.write_text("b\n\nzz\n", encoding="utf-8")
    rc, _, err = site(path, "--model", "lscp", "--candidates", str(bad))
    assert rc == 1 and f"--candidates {bad}: 1 unknown node id(s), e.g. 'zz' (line 3)" in err
