"""A plan's stages (plan.json's ``stages``: posture, checkpoints, routes, risk) and its header
(the other top-level fields: ``xunfang_version``, ``scenario``) are stored with the plan, come
back from a reopened store, and are refused (nothing stored) when they are not plain JSON.
Plans stored before revision 0004 have none (NULL: not recorded)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import JSON, column, inspect, select, table, text

from tests.store.conftest import insert_old_plan, make_plan
from tests.store.test_plan_request import REQUEST
from xunfang.store import (
    Store,
    StoreInputError,
    current_revision,
    get_plan,
    list_audit,
    list_plans,
    load_plan,
    plan_summaries,
    save_plan,
    update_plan,
    upgrade,
)
from xunfang.store.migrate import downgrade

STAGES = {"posture": {"grids": ["g1", "g2"], "counts": [[1, 0], [0, 1]], "shortfalls": [],
                      "solves": [{"slot": 0, "status": "OPTIMAL", "objective": 1.5,
                                  "bound": 1.5, "gap": 0.0, "columns": 4, "rows": 3}]},
          "checkpoints": {"schedule": [{"team": "u3", "slot": "2026-11-01T00:00",
                                        "site": "p2"}]},
          "routes": {"routes": [{"unit": "u1", "slot": 0, "grid": "g1"}]},
          "intel": {"risk": None, "method": "none"}, "rings": {"slots": []}}
HEADER = {"xunfang_version": "0.9.0",
          "scenario": {"name": "town", "title": "小镇", "source": "builtin:town",
                       "crs": {"declared": "local", "working": "local"},
                       "counts": {"units": 3}}}


def test_stages_and_header_come_back_from_a_reopened_store(store: Store,
                                                          scenario_id: int) -> None:
    row = save_plan(store, scenario_id, make_plan(), actor="t", request=REQUEST,
                    stages=STAGES, header=HEADER)
    again = Store(store.url)
    try:
        got = get_plan(again, row.id)
        assert got.stages == STAGES and got.header == HEADER and got.request == REQUEST
        assert load_plan(got) == make_plan()
        assert [r.stages for r in list_plans(again, scenario_id)] == [STAGES]
    finally:
        again.dispose()


def test_a_plan_stored_without_stages_has_none(store: Store, scenario_id: int) -> None:
    row = save_plan(store, scenario_id, make_plan(), actor="t", request=REQUEST)
    got = get_plan(store, row.id)
    assert got.stages is None and got.header is None and got.request == REQUEST


@pytest.mark.parametrize(("column", "bad", "where"), [
    ("stages", {**STAGES, "posture": {**STAGES["posture"], "grids": {"g1", "g2"}}},
     "stages.posture.grids"),
    ("stages", {**STAGES, "routes": {"routes": [{"unit": "u1", "gap": float("inf")}]}},
     "stages.routes.routes[0].gap"),
    ("stages", {**STAGES, "checkpoints": {"made": datetime(2026, 11, 1)}},
     "stages.checkpoints.made"),
    ("header", {**HEADER, "scenario": {"counts": {("units", 1): 3}}},
     "header.scenario.counts[('units', 1)]"),
])
def test_stages_of_no_plain_json_are_refused_naming_where(
        store: Store, scenario_id: int, column: str, bad: dict[str, object],
        where: str) -> None:
    good = {"stages": STAGES, "header": HEADER}
    with pytest.raises(StoreInputError) as info:
        save_plan(store, scenario_id, make_plan(), actor="t", request=REQUEST,
                  **{**good, column: bad})  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert (problem.column, problem.rule) == (column, "json")
    assert problem.message.startswith(f"{where} is not plain JSON: "), problem.message
    assert list_plans(store, scenario_id) == []
    assert list_audit(store, object_type="plan") == []


def test_stages_that_are_no_object_are_refused(store: Store, scenario_id: int) -> None:
    with pytest.raises(StoreInputError, match="stages must be a JSON object") as info:
        save_plan(store, scenario_id, make_plan(), actor="t",
                  stages=[STAGES])  # type: ignore[arg-type]
    assert info.value.problems[0].column == "stages"
    assert list_plans(store, scenario_id) == []


def test_a_header_holding_a_field_of_its_own_column_is_refused(store: Store,
                                                              scenario_id: int) -> None:
    """The plan, its seed, its stages... have their columns: a second copy in the header
    could disagree with them."""
    with pytest.raises(StoreInputError, match="header must not hold plan, seed: the plans "
                       "table keeps them in columns of their own"):
        save_plan(store, scenario_id, make_plan(), actor="t", stages=STAGES,
                  header={**HEADER, "seed": 3, "plan": make_plan().as_dict()})
    assert list_plans(store, scenario_id) == []


def test_new_content_drops_the_stages_of_the_plan_it_replaces(store: Store,
                                                              scenario_id: int) -> None:
    row = save_plan(store, scenario_id, make_plan(), actor="t", stages=STAGES, header=HEADER)
    update_plan(store, row.id, actor="t", name="renamed")
    assert get_plan(store, row.id).stages == STAGES  # a new name keeps them
    update_plan(store, row.id, actor="t", plan=make_plan())
    got = get_plan(store, row.id)
    assert got.stages is None and got.header is None
    assert list_audit(store, object_type="plan")[0].detail == {  # newest first
        "changed": ["content", "stages"]}


def test_0004_adds_stages_to_plans_stored_at_0003(empty_url: str) -> None:
    """A database at 0003 with a plan (and its request) keeps it after the upgrade, its
    stages and header NULL; new plans store theirs; downgrading to 0003 takes the columns
    away and keeps both plans and the request."""
    st = upgrade(empty_url, "0003")
    try:
        assert current_revision(st) == "0003"
        sid, pid = insert_old_plan(st, request=REQUEST)
        columns = {c["name"] for c in inspect(st.engine).get_columns("plans")}
        assert "request" in columns and not {"stages", "header"} & columns
        upgrade(st, "0004")
        assert current_revision(st) == "0004"
        columns = {c["name"] for c in inspect(st.engine).get_columns("plans")}
        assert {"stages", "header"} <= columns
        upgrade(st)  # the ORM's columns (later revisions add more)
        old = get_plan(st, pid)
        assert old.stages is None and old.header is None
        assert old.request == REQUEST and load_plan(old) == make_plan()
        new = save_plan(st, sid, make_plan(), actor="t", stages=STAGES, header=HEADER)
        assert get_plan(st, new.id).stages == STAGES
        downgrade(st, "0003")
        columns = {c["name"] for c in inspect(st.engine).get_columns("plans")}
        assert "request" in columns and not {"stages", "header"} & columns
        with st.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM plans")).scalar() == 2
            plans = table("plans", column("id"), column("request", JSON))  # as 0003 has it
            got = c.execute(select(plans.c.request).where(plans.c.id == pid)).scalar_one()
        assert got == REQUEST
    finally:
        st.dispose()



def test_the_listing_reads_the_summary_and_whether_stages_are_stored(
        store: Store, scenario_id: int) -> None:
    # plan_summaries (the /api/plans listing) reads a few columns, not the plans' JSON, and
    # tells a plan with stored stages from one saved without (JSON null) and one stored
    # before revision 0004 or whose content was replaced (SQL NULL)
    with_stages = save_plan(store, scenario_id, make_plan(), actor="t", name="a",
                            stages=STAGES, header=HEADER)
    without = save_plan(store, scenario_id, make_plan(), actor="t", name="b")
    replaced = save_plan(store, scenario_id, make_plan(), actor="t", name="c",
                         stages=STAGES, header=HEADER)
    update_plan(store, replaced.id, actor="t", plan=make_plan())
    got = {s.id: s for s in plan_summaries(store, scenario_id)}
    assert [s.id for s in plan_summaries(store, scenario_id)] == [
        r.id for r in list_plans(store, scenario_id)]
    assert got[with_stages.id].has_stages
    assert not got[without.id].has_stages and not got[replaced.id].has_stages
    full = {r.id: r for r in list_plans(store, scenario_id)}
    for pid, s in got.items():
        r = full[pid]
        assert (s.name, s.start, s.n_slots, s.seed, s.inputs_hash, s.active, s.created_at,
                s.created_by) == (r.name, r.start, r.n_slots, r.seed, r.inputs_hash,
                                  r.active, r.created_at, r.created_by)
