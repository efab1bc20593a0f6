"""Revision 0006: a plan records the plan it re-plans and whether a roll-over may make it
current by itself (review H3 #2: a trial re-plan nobody made current took over at midnight).
Plans stored before take over as they did; a re-plan takes over only once made current."""

from __future__ import annotations

from sqlalchemy import inspect, text

from tests.store.conftest import insert_old_plan, make_plan
from xunfang.store import (
    Store,
    current_revision,
    plan_summaries,
    plans_covering,
    save_plan,
    update_plan,
    upgrade,
)
from xunfang.store.migrate import downgrade


def _covering(store: Store, sid: int) -> list[int]:
    p = make_plan()
    at = p.slots[0].start
    return [i for i, _ in plans_covering(store, sid, p.inputs_hash, at, p.slots[0].minutes)]


def test_a_re_plan_takes_over_only_once_made_current(store: Store, scenario_id: int) -> None:
    first = save_plan(store, scenario_id, make_plan(), actor="test", name="first")
    trial = save_plan(store, scenario_id, make_plan(seed=8), actor="test", name="re-plan",
                      from_plan=first.id)
    assert (trial.from_plan, trial.takes_over) == (first.id, False)
    assert _covering(store, scenario_id) == [first.id]  # the newer trial is passed over
    rows = {r.id: r for r in plan_summaries(store, scenario_id)}
    assert (rows[trial.id].from_plan, rows[trial.id].takes_over) == (first.id, False)
    assert (rows[first.id].from_plan, rows[first.id].takes_over) == (None, True)
    update_plan(store, trial.id, actor="test", activate=True)
    update_plan(store, first.id, actor="test", activate=True)
    assert _covering(store, scenario_id) == [trial.id, first.id]
    # made current as it is stored: it takes over as any plan
    again = save_plan(store, scenario_id, make_plan(seed=9), actor="test", from_plan=first.id,
                      activate=True)
    assert again.takes_over is True


def test_0006_lets_plans_stored_before_take_over(empty_url: str) -> None:
    st = upgrade(empty_url, "0005")
    try:
        assert current_revision(st) == "0005"
        insert_old_plan(st, request={"from": "2026-12-01", "days": 1})
        upgrade(st, "0006")
        with st.engine.connect() as c:
            assert c.execute(text("SELECT from_plan, takes_over FROM plans")).one() == (
                None, True)
        downgrade(st, "0005")
        columns = {c["name"] for c in inspect(st.engine).get_columns("plans")}
        assert not {"from_plan", "takes_over"} & columns
        with st.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM plans")).scalar_one() == 1
    finally:
        st.dispose()
