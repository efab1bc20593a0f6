"""Security review AQ #9 and #10a: ids too large or not of ASCII digits are answered 404 or
422, not 500; a plan not covering now is not made current where Centre.roll_over would undo
it at the next tick."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.conftest import Env


# ---- #9: ids -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [
    ("GET", "/api/plans/99999999999999999999"),
    ("GET", "/api/plans/99999999999999999999/layers"),
    ("GET", "/api/plans/99999999999999999999/sheet"),
    ("GET", "/api/plans/1/diff/99999999999999999999"),
    ("GET", "/api/plans?plan=99999999999999999999"),
    ("GET", "/api/roster/99999999999999999999"),
    ("GET", "/api/kpis/99999999999999999999"),
    ("POST", "/api/plans/99999999999999999999/current"),
    ("POST", "/api/alerts/99999999999999999999/ack"),
    ("GET", "/api/plans/0"),
    ("GET", "/?plan=²"),
    ("GET", "/?plan=99999999999999999999"),
    ("GET", "/?plan=9223372036854775808"),
    ("GET", "/?plan=0"),
])
def test_ids_out_of_range_are_refused_not_500(env: Env, method, path) -> None:
    cl = env.login("commander")
    r = cl.request(method, path)
    assert r.status_code in (404, 422), (path, r.status_code, r.text[:200])


def test_the_largest_id_is_not_found(env: Env) -> None:
    r = env.login("commander").get(f"/?plan={2**31 - 1}")  # store.MAX_ROW_ID (int4 on PG)
    assert r.status_code == 404
    r = env.login("commander").get(f"/api/plans/{2**31 - 1}")
    assert r.status_code == 404


# ---- #10a: a plan not covering now ---------------------------------------------------------------
def test_a_plan_not_covering_now_is_not_made_current(town: Env) -> None:
    """Where another stored plan covers now, Centre.roll_over would undo the choice at the
    next tick: refused, saying which plan and when the refused one takes over."""
    c = town.centre
    first = c.current
    tomorrow = c.make_plan(date(2026, 12, 2), 1, 0, actor="system").id
    cl = town.login("planner")
    r = cl.post(f"/api/plans/{tomorrow}/current")
    assert r.status_code == 409, r.text
    name = c.entry(first).meta["name"]
    assert r.json()["detail"] == (
        f"plan {tomorrow} runs from 2026-12-02 00:00 to 2026-12-03 00:00 (Asia/Shanghai), not "
        f"now (2026-12-01 10:30), and plan {first} ({name}) covers now: made current, it "
        f"would be replaced by plan {first} at the next tick, so it is not; it becomes "
        "current by itself (as \"system\") once the current plan no longer covers now, if it "
        "is then the newest stored plan made from these scenario files that covers now")
    assert c.current == first and c.roll_over() is None and c.current == first
    r = cl.post("/api/plans", json={"start": "2026-12-02", "make_current": True})
    assert r.status_code == 409
    assert r.json()["detail"].startswith(
        "make_current: the plan asked for runs from 2026-12-02 00:00 to 2026-12-03 00:00")
    assert len(c.list_plans()) == 2  # nothing planned nor stored
    # what the message says: on its day, the tick makes it current
    town.clock.advance(24 * 60)
    assert c.roll_over() == tomorrow and c.current == tomorrow


def test_a_plan_not_covering_now_is_made_current_where_none_does(town: Env) -> None:
    """No stored plan covers now (12-05): the choice stands, and the tick leaves it."""
    c = town.centre
    tomorrow = c.make_plan(date(2026, 12, 2), 1, 0, actor="system").id
    town.clock.advance(4 * 24 * 60)
    r = town.login("planner").post(f"/api/plans/{tomorrow}/current")
    assert r.status_code == 200 and c.current == tomorrow
    assert c.roll_over() is None and c.current == tomorrow
