"""GET /api/rings/analyze: `xunfang rings analyze --json` through the web API (review AY,
fault 2: DESIGN §2 says everything the CLI does the API does, and the API had only the rings
now). The answer is the CLI's JSON, option for option; a refused option is a 422 naming the
query parameter.

The lattice town of tests/planning/test_routes.py with a rapid-response point and a night
checkpoint added, so that the post kinds and the hour change the sources."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import write_files
from tests.planning.test_routes import LATTICE
from tests.web.conftest import PLAN_DAY, Env, make_env
from xunfang import scenario as scenario_mod
from xunfang.cli.main import app as cli
from xunfang.planning.pipeline import PlanRequest, build_plan

POSTS = ("id,name,kind,node,night_only\nP1,West station,station,n00,0\n"
         "P2,East station,station,n42,0\nR1,Rapid,rapid,n22,0\nCK,Check,checkpoint,n40,1\n"
         "K1,Cam west,camera,n11,0\nK2,Cam east,camera,n31,0\nK3,Cam far,camera,n42,0\n")


@pytest.fixture(scope="module")
def town(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, Path]]:
    root = write_files(tmp_path_factory.mktemp("rings") / "town", {**LATTICE, "posts.csv": POSTS})
    sc = scenario_mod.load(root)
    req = PlanRequest(start=PLAN_DAY)
    e = make_env((sc, build_plan(sc, req), req), db_kind, tmp_path_factory.mktemp("db"))
    yield e, root
    e.centre.store.dispose()


def cli_json(root: Path, args: list[str]) -> object:
    r = CliRunner().invoke(cli, ["rings", "analyze", str(root), *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize(("query", "args"), [
    ({}, []),
    ({"posts": "rapid,checkpoint", "hour": 2},
     ["--posts", "rapid,checkpoint", "--hour", "2"]),
    ({"mode": "foot", "target_minutes": 4, "hour": 8},
     ["--mode", "foot", "--target-minutes", "4", "--hour", "8"]),
    ({"speed_kph": 12.5, "posts": "station"}, ["--speed-kph", "12.5", "--posts", "station"]),
])
def test_the_api_answers_what_the_cli_prints(town: tuple[Env, Path], query: dict[str, object],
                                              args: list[str]) -> None:
    e, root = town
    r = e.login("viewer").get("/api/rings/analyze", params=query)
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(root, args)


def test_the_options_change_the_answer(town: tuple[Env, Path]) -> None:
    """The query parameters are used, not ignored: other sources, modes and targets."""
    cl = town[0].login("viewer")
    default = cl.get("/api/rings/analyze").json()
    assert default["sources"] == ["P1", "P2", "R1"] and default["mode"] == "car"
    assert cl.get("/api/rings/analyze?posts=rapid,checkpoint&hour=2").json()[
        "sources"] == ["R1", "CK"]
    assert cl.get("/api/rings/analyze?posts=rapid,checkpoint&hour=12").json()[
        "sources"] == ["R1"]  # the night checkpoint is not staffed at noon
    foot = cl.get("/api/rings/analyze?mode=foot&target_minutes=4").json()
    assert foot["mode"] == "foot" and foot["target_minutes"] == 4.0
    assert {n["target"] for n in foot["nodes"]} == {4.0}


@pytest.mark.parametrize(("query", "param"), [
    ("mode=boat", "mode"), ("hour=24", "hour"), ("hour=-1", "hour"),
    ("target_minutes=0", "target_minutes"), ("target_minutes=inf", "target_minutes"),
    ("speed_kph=-5", "speed_kph"), ("speed_kph=nan", "speed_kph"),
])
def test_a_bad_query_parameter_is_a_422_naming_it(town: tuple[Env, Path], query: str,
                                                   param: str) -> None:
    r = town[0].login("viewer").get(f"/api/rings/analyze?{query}")
    assert r.status_code == 422, r.text
    assert [d["loc"] for d in r.json()["detail"]] == [["query", param]]


def test_post_kinds_that_are_no_sources_are_a_422_naming_posts(town: tuple[Env, Path]) -> None:
    cl = town[0].login("viewer")
    r = cl.get("/api/rings/analyze?posts=camera")
    assert r.status_code == 422
    assert r.json()["detail"].startswith(
        "posts: unknown or unusable post kind(s) 'camera' (camera posts are never sources)")
    r = cl.get("/api/rings/analyze?posts=%20,")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("posts: give at least one post kind")
    r = cl.get("/api/rings/analyze?posts=checkpoint&hour=12")
    assert r.status_code == 422
    assert r.json()["detail"].startswith(
        "posts: no source posts of kinds checkpoint in scenario 'lattice' at hour 12")


def test_it_needs_a_login_before_it_reads_the_query(town: tuple[Env, Path]) -> None:
    anon = TestClient(town[0].client.app)
    for path in ("/api/rings/analyze", "/api/rings/analyze?mode=boat"):
        r = anon.get(path)
        assert r.status_code == 401, path
        assert r.json()["detail"] == "not logged in: log in at /login or send a bearer token"
