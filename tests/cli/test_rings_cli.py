"""`xunfang rings analyze | blockade` through Typer's runner: JSON shapes and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

Make = Callable[..., Path]
runner = CliRunner()
POSTS = ("id,name,kind,node\np1,Station,station,a\nk1,Kiosk,kiosk,c\n"
         "x1,East gate,exit,e\nx2,North gate,exit,d\n")


def test_analyze_json(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": POSTS})
    r = runner.invoke(app, ["rings", "analyze", str(path), "--target-minutes", "1", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"target_minutes", "nodes", "uncovered", "worst"} <= set(doc)
    assert doc["target_minutes"] == 1.0
    assert set(doc["nodes"][0]) == {"node", "post", "minutes", "target", "backup_post",
                                    "backup_minutes"}
    e = next(n for n in doc["nodes"] if n["node"] == "e")
    assert e["post"] == "k1" and e["minutes"] == 1.4 and e["backup_post"] == "p1"
    assert doc["uncovered"] == ["e"] and doc["worst"] == {"node": "e", "minutes": 1.4}


def test_analyze_speed_and_posts(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": POSTS})
    r = runner.invoke(app, ["rings", "analyze", str(path), "--speed-kph", "60", "--posts",
                            "station", "--json"])
    doc = json.loads(r.stdout)
    assert {n["node"]: n["minutes"] for n in doc["nodes"]} == {
        "a": 0.0, "b": 0.4, "c": 0.7, "d": 0.3, "e": 0.8}
    assert {n["post"] for n in doc["nodes"]} == {"p1"}
    assert {n["backup_post"] for n in doc["nodes"]} == {None}


def test_analyze_rejects_unknown_kinds_and_modes(make_scenario: Make) -> None:
    path = str(make_scenario({"posts.csv": POSTS}))
    r = runner.invoke(app, ["rings", "analyze", path, "--posts", "station,castle"])
    assert r.exit_code == 1 and "'castle'" in r.output and "valid: station" in r.output
    r = runner.invoke(app, ["rings", "analyze", path, "--mode", "tank"])
    assert r.exit_code == 1 and "unknown mode 'tank'" in r.output


def test_blockade_json(make_scenario: Make) -> None:
    path = make_scenario({"posts.csv": POSTS})
    r = runner.invoke(app, ["rings", "blockade", str(path), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["max_minutes"] == 1.4 and doc["total_minutes"] == 2.0 and doc["unsealed"] == []
    assert sorted((a["exit"], a["post"]) for a in doc["assignment"]) == [("x1", "k1"),
                                                                         ("x2", "p1")]
    r = runner.invoke(app, ["rings", "blockade", str(path), "--from", "kiosk", "--json"])
    doc = json.loads(r.stdout)
    assert len(doc["assignment"]) == 1 and len(doc["unsealed"]) == 1
    r = runner.invoke(app, ["rings", "blockade", str(path), "--at", "a", "--ring-minutes",
                            "0.7", "--json"])
    assert {a["exit"] for a in json.loads(r.stdout)["assignment"]} == {"b", "c"}


def test_blockade_errors(make_scenario: Make) -> None:
    path = str(make_scenario({"posts.csv": POSTS}))
    r = runner.invoke(app, ["rings", "blockade", path, "--from", "exit"])
    assert r.exit_code == 1 and "exit posts are never sources" in r.output
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "nowhere", "--ring-minutes", "2"])
    assert r.exit_code == 1 and "--at: node 'nowhere'" in r.output
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "a"])
    assert r.exit_code == 1 and "go together" in r.output


def test_site_lscp_and_mclp_hand_solved(make_scenario: Make) -> None:
    # within 0.7 min (350 m by car): a covers a, d; b covers b, c; c covers c, b; d covers
    # d, a; e covers e. The station at a is kept: LSCP adds one of b/c plus e.
    path = str(make_scenario())
    r = runner.invoke(app, ["rings", "site", path, "--model", "lscp", "--target-minutes",
                            "0.7", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"model", "added", "count", "objective", "status", "gap"} <= set(doc)
    assert doc["status"] == "optimal" and doc["gap"] == 0.0 and doc["count"] == 2
    assert "e" in doc["added"] and len(set(doc["added"]) & {"b", "c"}) == 1
    r = runner.invoke(app, ["rings", "site", path, "--model", "mclp", "--p", "1",
                            "--target-minutes", "0.7", "--json"])
    doc = json.loads(r.stdout)
    assert doc["count"] == 1 and doc["objective"] == 4.0 and doc["added"][0] in ("b", "c")


def test_site_candidates_file_and_infeasible_lscp(make_scenario: Make, tmp_path: Path) -> None:
    path = str(make_scenario())
    cands = tmp_path / "cands.csv"
    cands.write_text("node\nb\n", encoding="utf-8")
    r = runner.invoke(app, ["rings", "site", path, "--model", "lscp", "--target-minutes",
                            "0.7", "--candidates", str(cands), "--json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["status"] == "infeasible" and doc["uncoverable"] == ["e"]
    bad = tmp_path / "bad.txt"
    bad.write_text("b\nzz\n", encoding="utf-8")
    r = runner.invoke(app, ["rings", "site", path, "--model", "lscp", "--candidates",
                            str(bad)])
    assert r.exit_code == 1 and "unknown node id(s), e.g. 'zz'" in r.output
    r = runner.invoke(app, ["rings", "site", path, "--model", "mclp"])
    assert r.exit_code == 1 and "p (the number of new posts) is required" in r.output
    r = runner.invoke(app, ["rings", "site", path, "--model", "bogus"])
    assert r.exit_code == 2 and "lscp" in r.output
