"""POST /api/plans with ``deploy_options``: the posture's weights and rules from the web API.

A centre on the small lattice town (two grids, each with a tier-1 site a car can stand to
hold), so each plan takes about a second: good options reach the plan and its request (which
re-plans read), bad ones give a 422 naming ``deploy_options.NAME`` and the rule and store
nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Env
from xunfang import store
from xunfang.planning import deploy
from xunfang.planning.deploy.from_plan import read_plan_folder

DAY = date(2026, 12, 1)


def _staging(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in doc["plan"]["assignments"] if a["note"].startswith("staging at ")]


def _plan_rows(e: Env) -> int:
    return len(store.list_plans(e.centre.store, e.centre.scenario_id))


def test_options_reach_the_plan_and_its_request(town: Env, tmp_path: Path) -> None:
    cl = town.login("planner")
    first = cl.get(f"/api/plans/{town.centre.current}").json()
    assert first["request"]["deploy_options"] == {} and _staging(first)
    options = {"hold_rings": False, "w_over": 100, "dosage_basis": "forecast",
               "staging_patrols": 1}
    r = cl.post("/api/plans", json={"start": DAY.isoformat(), "deploy_options": options})
    assert r.status_code == 201, r.text
    doc = cl.get(f"/api/plans/{r.json()['id']}").json()
    assert doc["request"]["deploy_options"] == {"hold_rings": False, "w_over": 100.0,
                                                "dosage_basis": "forecast",
                                                "staging_patrols": 1}
    # hold_rings false: no unit stands to hold a ring
    assert "staging" not in doc["stages"]["posture"] and _staging(doc) == []
    # the document is plan.json: a re-plan of it reads the options back
    folder = tmp_path / "fetched"
    folder.mkdir()
    (folder / "plan.json").write_text(cl.get(f"/api/plans/{r.json()['id']}").text,
                                      encoding="utf-8")
    assert read_plan_folder(folder).deploy_options == deploy.Options(
        hold_rings=False, w_over=100.0, dosage_basis="forecast", staging_patrols=1)


@pytest.mark.parametrize(("options", "message"), [
    ({"w_bogus": 1}, "deploy_options.w_bogus: unknown option (the options are "),
    ({"hold_rings": 1}, "deploy_options.hold_rings must be true or false; got 1"),
    ({"hold_rings": "no"}, "deploy_options.hold_rings must be true or false; got 'no'"),
    ({"staging_patrols": 1.5}, "deploy_options.staging_patrols must be a whole number; "
                               "got 1.5"),
    ({"w_over": -3}, "deploy_options.w_over must be a finite number >= 0; got -3"),
    ({"dosage_floor": 0}, "deploy_options: Options.dosage_floor must be a whole number "
                          ">= 1; got 0"),
    ({"dosage_basis": "guess"}, "deploy_options: Options.dosage_basis must be 'record', "
                                "'forecast' or 'both'; got 'guess'"),
])
def test_bad_options_are_refused_and_store_nothing(town: Env, options: dict[str, object],
                                                   message: str) -> None:
    cl = town.login("planner")
    before = _plan_rows(town)
    r = cl.post("/api/plans", json={"start": DAY.isoformat(), "deploy_options": options})
    assert r.status_code == 422
    assert r.json()["detail"].startswith(message), r.json()
    assert _plan_rows(town) == before
    assert [p["id"] for p in cl.get("/api/plans").json()["plans"]] == [town.centre.current]
    audit = town.login("commander").get("/api/audit").json()["entries"]
    assert not any(e["action"] == "create" and e["object_type"] == "plan" for e in audit
                   if e["user"] == "planner")


def test_options_of_no_option_type_are_refused_by_the_schema(town: Env) -> None:
    cl = town.login("planner")
    for bad in ({"w_over": None}, {"w_over": [1]}, ["hold_rings=false"]):
        r = cl.post("/api/plans", json={"start": DAY.isoformat(), "deploy_options": bad})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"][:2] == ["body", "deploy_options"], r.json()
    assert _plan_rows(town) == 1
