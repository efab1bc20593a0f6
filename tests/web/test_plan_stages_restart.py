"""A plan's stages (posture, checkpoints, routes, risk) and header (xunfang_version, scenario)
are stored with it, so the plan.json the API serves after the server restarts (a new Centre
on the same database) is the one it served before, and it can still be re-planned
(动态调整). A plan stored without stages (NULL, before the store kept them) is served with
no stages and a note. On the small lattice town, a plan a second."""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")

from tests.web.conftest import Env, restart
from xunfang import store
from xunfang.planning import deploy
from xunfang.planning.deploy.from_plan import (
    PlanFolderError,
    read_plan_folder,
    replan_plan,
)
from xunfang.planning.deploy.replan import ReplanState
from xunfang.planning.pipeline import PlanRequest, build_plan

DAY = date(2026, 12, 1)
PINS = (deploy.Pin("C1", (2, 3), post="P1", note="夜市"), deploy.Pin("F1", (5,), grid="W"))


def plan_folder(folder: Path, text: str) -> Path:
    """A plan folder holding the served document as its plan.json."""
    folder.mkdir()
    (folder / "plan.json").write_text(text, encoding="utf-8")
    return folder


def at(doc: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(a["unit"], a["slot"]): a for a in doc["plan"]["assignments"]}


def test_the_served_plan_is_the_same_after_a_restart_and_can_be_replanned(
        town: Env, tmp_path: Path) -> None:
    sc = town.scenario
    req = PlanRequest(start=DAY, seed=3, pins=PINS,
                      deploy_options=deploy.Options(w_over=100.0))
    made = town.centre.add_plan(build_plan(sc, req, network=town.centre.network), req,
                                actor="system")
    r = town.login("planner").get(f"/api/plans/{made.id}")
    before_text, before = r.text, r.json()
    assert before["stages"]["posture"]["counts"] and "note" not in before
    centre, client = restart(town)
    try:
        assert made.id not in centre._entries  # read back from the store, not kept in memory
        r = client.get(f"/api/plans/{made.id}")
        assert r.status_code == 200, r.text
        after = r.json()
        assert after == before
        assert list(after) == list(before) == ["xunfang_version", "environment", "scenario",
                                               "inputs_hash", "seed", "request", "plan", "kpis",
                                               "stages"]
        assert r.text == before_text
        listed = {p["id"]: p for p in client.get("/api/plans").json()["plans"]}
        assert listed[made.id]["stages_detail"] is True
        # the served document is a plan.json a re-plan reads: the posture, the checkpoint
        # schedule, the routes, the intel stage and the pins all came back
        pif = read_plan_folder(plan_folder(tmp_path / "after", r.text))
        was = read_plan_folder(plan_folder(tmp_path / "before", before_text))
        assert pif.pins == PINS and pif.deploy_options == deploy.Options(w_over=100.0)
        assert (pif.counts == was.counts).all() and pif.route_grid == was.route_grid
        assert pif.checkpoint_at == was.checkpoint_at and pif.shortfalls == was.shortfalls
        assert pif.scenario_source == was.scenario_source == sc.source
        assert pif.stages == was.stages and set(pif.stages) >= {"posture", "routes", "intel"}
        state = ReplanState(at_slot=1, out_of_service=("C2",))
        rep = replan_plan(pif, sc, state, network=centre.network)
        ref = replan_plan(was, sc, state, network=centre.network)
        got = at({"plan": rep.result.plan.as_dict()})
        assert [got[("C1", k)]["post"] for k in (2, 3)] == ["P1", "P1"]
        assert got[("C1", 2)]["note"] == "pinned 夜市"
        assert rep.route_grid[("F1", 5)] == "W"  # pinned to patrol grid W: routed in it
        assert {a.slot for a in rep.result.plan.assignments if a.unit == "C2"
                and a.slot >= 1 and a.duty != "off"} == set()
        # the same re-plan as from the document served before the restart
        assert rep.result.plan == ref.result.plan and rep.changes == ref.changes
    finally:
        centre.store.dispose()


def test_a_plan_stored_without_stages_is_served_with_a_note(town: Env,
                                                            tmp_path: Path) -> None:
    """A plan stored before stages were kept (stages NULL): still served, its stages empty
    and a note saying why; a re-plan of it is refused naming what is missing."""
    e = town.centre.current_plan
    row = store.save_plan(town.centre.store, town.centre.scenario_id, e.plan, actor="system",
                          name="old", request=e.document["request"])
    assert store.get_plan(town.centre.store, row.id).stages is None
    centre, client = restart(town)
    try:
        r = client.get(f"/api/plans/{row.id}")
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["stages"] == {} and "cannot be re-planned" in doc["note"]
        assert doc["plan"] == e.plan.as_dict() and doc["request"] == e.document["request"]
        assert "scenario" not in doc and "xunfang_version" not in doc
        listed = {p["id"]: p for p in client.get("/api/plans").json()["plans"]}
        assert listed[row.id]["stages_detail"] is False
        with pytest.raises(PlanFolderError, match=r"plan\.json: no 'scenario'"):
            read_plan_folder(plan_folder(tmp_path / "old", r.text))
        # with the header back, the missing posture is what is named
        fixed = {**json.loads(r.text), "scenario": {"source": ""}}
        with pytest.raises(PlanFolderError, match=r"plan\.json: stages: no 'posture'"):
            read_plan_folder(plan_folder(tmp_path / "old2", json.dumps(fixed)))
    finally:
        centre.store.dispose()
