"""A plan's request (its pins and non-default deployment options) is stored with it, so the
plan.json the API serves has the same request after the server restarts (a new Centre on the
same database) as before. Plans stored without one (before the store kept requests) still
load, with no request. On the small lattice town, a plan a second."""

from __future__ import annotations

import warnings
from datetime import date

with warnings.catch_warnings():
    warnings.simplefilter("ignore")

from tests.web.conftest import Env, restart
from xunfang import store
from xunfang.planning import deploy
from xunfang.planning.pipeline import PlanRequest, build_plan

DAY = date(2026, 12, 1)


def test_pins_and_options_are_served_the_same_after_a_restart(town: Env) -> None:
    sc = town.scenario
    pins = (deploy.Pin("C1", (2, 3), post="P1", note="夜市"), deploy.Pin("F1", (5,), grid="W"))
    options = deploy.Options(hold_rings=False, w_over=100.0, staging_patrols=1)
    req = PlanRequest(start=DAY, seed=3, pins=pins, deploy_options=options)
    made = town.centre.add_plan(build_plan(sc, req, network=town.centre.network), req,
                                actor="system")
    before = town.login("planner").get(f"/api/plans/{made.id}").json()
    assert before["request"]["pins"][0]["unit"] == "C1"
    assert [p["slots"] for p in before["request"]["pins"]] == [[2, 3], [5]]
    assert before["request"]["deploy_options"] == {"hold_rings": False, "w_over": 100.0,
                                                   "staging_patrols": 1}
    centre, client = restart(town)
    try:
        assert made.id not in centre._entries  # read back from the store, not kept in memory
        after = client.get(f"/api/plans/{made.id}").json()
        assert after["request"] == before["request"]
        assert after["plan"] == before["plan"] and after["seed"] == 3
        # the first plan of the earlier run kept its (default) request too
        first = client.get(f"/api/plans/{town.centre.current}").json()
        assert first["request"]["pins"] == [] and first["request"]["deploy_options"] == {}
    finally:
        centre.store.dispose()


def test_a_plan_stored_without_a_request_loads_without_one(town: Env) -> None:
    """A plan stored before requests were kept (request NULL): still served, no request."""
    row = store.save_plan(town.centre.store, town.centre.scenario_id,
                          town.centre.current_plan.plan, actor="system", name="old")
    assert store.get_plan(town.centre.store, row.id).request is None
    centre, client = restart(town)
    try:
        r = client.get(f"/api/plans/{row.id}")
        assert r.status_code == 200, r.text
        doc = r.json()
        assert "request" not in doc
        assert doc["plan"] == town.centre.current_plan.plan.as_dict()
    finally:
        centre.store.dispose()
