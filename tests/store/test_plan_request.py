"""A plan's request (plan.json's ``request``: pins, non-default deployment options) is stored
with the plan, comes back from a reopened store, and is refused (nothing stored) when it is
not plain JSON. Plans stored before revision 0003 have none (NULL: not recorded)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import inspect, text

from tests.store.conftest import insert_old_plan, make_plan
from xunfang.store import (
    Store,
    StoreInputError,
    current_revision,
    get_plan,
    head_revision,
    list_audit,
    list_plans,
    load_plan,
    save_plan,
    upgrade,
)
from xunfang.store.migrate import downgrade

REQUEST = {"from": "2026-11-01", "days": 1, "largest_component": False,
           "risk_method": "auto", "train_days": 365,
           "pins": [{"unit": "u1", "post": "p1", "slots": [0, 1], "note": "夜市",
                     "slots_from": "2026-11-01T00:00", "slots_to": "2026-11-02T00:00"},
                    {"unit": "u2", "grid": "g2", "slots": [1], "note": ""}],
           "deploy_options": {"hold_rings": False, "w_over": 100.0,
                              "dosage_basis": "record", "staging_patrols": 1}}


def test_the_request_comes_back_from_a_reopened_store(store: Store, scenario_id: int) -> None:
    row = save_plan(store, scenario_id, make_plan(), actor="t", request=REQUEST)
    again = Store(store.url)
    try:
        got = get_plan(again, row.id)
        assert got.request == REQUEST
        assert load_plan(got) == make_plan()
        assert [r.request for r in list_plans(again, scenario_id)] == [REQUEST]
    finally:
        again.dispose()


def test_a_plan_stored_without_a_request_has_none(store: Store, scenario_id: int) -> None:
    row = save_plan(store, scenario_id, make_plan(), actor="t")
    got = get_plan(store, row.id)
    assert got.request is None
    assert load_plan(got) == make_plan()


@pytest.mark.parametrize(("bad", "where"), [
    ({**REQUEST, "pins": [{"unit": "u1", "post": "p1", "slots": {0, 1}}]}, "request.pins[0].slots"),
    ({**REQUEST, "deploy_options": {"w_over": float("nan")}}, "request.deploy_options.w_over"),
    ({**REQUEST, "deploy_options": {("w", "over"): 1.0}},
     "request.deploy_options[('w', 'over')]"),
    ({**REQUEST, "from": datetime(2026, 11, 1)}, "request.from"),
])
def test_a_request_of_no_plain_json_is_refused_naming_where(
        store: Store, scenario_id: int, bad: dict[str, object], where: str) -> None:
    with pytest.raises(StoreInputError) as info:
        save_plan(store, scenario_id, make_plan(), actor="t", request=bad)
    (problem,) = info.value.problems
    assert (problem.column, problem.rule) == ("request", "json")
    assert problem.message.startswith(f"{where} is not plain JSON: "), problem.message
    assert list_plans(store, scenario_id) == []
    assert list_audit(store, object_type="plan") == []


def test_a_request_that_is_no_object_is_refused(store: Store, scenario_id: int) -> None:
    with pytest.raises(StoreInputError, match="request must be a JSON object") as info:
        save_plan(store, scenario_id, make_plan(), actor="t",
                  request=["pins"])  # type: ignore[arg-type]
    assert info.value.problems[0].column == "request"
    assert list_plans(store, scenario_id) == []


def test_0003_adds_the_request_to_plans_stored_at_0002(empty_url: str) -> None:
    """A database at 0002 with a plan keeps it after the upgrade, its request NULL; new
    plans store theirs; downgrading to 0002 takes the column away and keeps the plan."""
    st = upgrade(empty_url, "0002")
    try:
        assert current_revision(st) == "0002"
        sid, pid = insert_old_plan(st)
        assert "request" not in {c["name"] for c in inspect(st.engine).get_columns("plans")}
        upgrade(st)
        assert current_revision(st) == head_revision()
        old = get_plan(st, pid)
        assert old.request is None and load_plan(old) == make_plan()
        new = save_plan(st, sid, make_plan(), actor="t", request=REQUEST)
        assert get_plan(st, new.id).request == REQUEST
        downgrade(st, "0002")
        assert "request" not in {c["name"] for c in inspect(st.engine).get_columns("plans")}
        with st.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM plans")).scalar() == 2
    finally:
        st.dispose()
