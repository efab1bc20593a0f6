"""The serving loop's tick (Centre.tick, every few seconds from app.py): past the current
plan's last slot it makes current the newest stored plan of the scenario, made from the same
files, that covers now (a review: after midnight nothing changed), never planning by itself;
it prunes positions older than keep_days at most once an hour, never a unit's last position,
and purges dead sessions (a review: nothing called prune_positions or purge_sessions, so
unit_positions grew without bound). On the small lattice town, a plan a second."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, PLAN_DAY, T0, Env
from xunfang import store
from xunfang.web import create_app
from xunfang.web.centre import Centre

#: 00:10 local on the day after PLAN_DAY (T0 is 10:30 local)
NEXT_DAY = T0 + timedelta(hours=13, minutes=40)


def post(cl: TestClient, unit: str, t: object, xy: tuple[float, float]) -> None:
    r = cl.post("/api/positions", json={"positions": [
        {"unit": unit, "t": t.isoformat(), "x": xy[0], "y": xy[1]}]})  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text


def test_past_midnight_the_newest_stored_plan_of_the_day_is_made_current(town: Env) -> None:
    c = town.centre
    first = c.current
    older = c.make_plan(PLAN_DAY + timedelta(days=1), 1, 1, actor="planner")
    newer = c.make_plan(PLAN_DAY + timedelta(days=1), 1, 2, actor="planner")
    n_plans = len(store.list_plans(c.store))
    assert c.roll_over() is None and c.current == first  # the day's plan still covers now
    town.clock.t = NEXT_DAY
    c.tick()
    assert c.current == newer.id != older.id
    assert c.live.plan is newer.plan and c.live.slot_at(NEXT_DAY).start.day == 2
    assert store.active_plan(c.store, c.scenario_id).id == newer.id  # type: ignore[union-attr]
    entry = store.list_audit(c.store, object_type="plan", object_id=newer.id)[0]
    assert (entry.user, entry.action, entry.detail) == ("system", "update",
                                                        {"changed": ["active"]})
    assert len(store.list_plans(c.store)) == n_plans  # nothing planned
    # the API says so
    cl = town.login("viewer")
    assert cl.get("/api/plans").json()["current"] == newer.id
    c.tick()
    assert c.current == newer.id  # it covers now: left as it is


def test_past_midnight_without_a_plan_of_the_day_nothing_is_planned(town: Env) -> None:
    c = town.centre
    first = c.current
    n_plans = len(store.list_plans(c.store))
    town.clock.t = NEXT_DAY
    c.tick()
    assert c.current == first and len(store.list_plans(c.store)) == n_plans


def test_positions_beyond_keep_days_are_pruned_hourly_but_never_a_last_one(
        town: Env) -> None:
    c = town.centre
    op = town.login("operator")
    # C1: two fixes older than 30 days and one a day old; C2: one 35 days old, its last
    post(op, "C1", T0 - timedelta(days=40), (100.0, 100.0))
    post(op, "C1", T0 - timedelta(days=31), (110.0, 100.0))
    post(op, "C1", T0 - timedelta(days=1), (120.0, 100.0))
    post(op, "C2", T0 - timedelta(days=35), (600.0, 300.0))
    out = town.login("planner", fresh=True)
    assert out.post("/api/auth/logout").status_code == 200  # a revoked session

    def history(unit: str) -> list[float]:
        return [p.x for p in store.position_history(c.store, c.scenario_id, unit)]

    c.tick()
    assert history("C1") == [120.0] and history("C2") == []
    last = {r.unit: (r.x, r.y) for r in store.latest_positions(c.store, c.scenario_id)}
    assert last["C2"] == (600.0, 300.0)
    (entry,) = store.list_audit(c.store, action="prune")
    assert (entry.user, entry.object_type, entry.object_id) == ("system", "positions",
                                                                str(c.scenario_id))
    assert entry.detail is not None and entry.detail["rows"] == 3
    assert entry.detail["keep_days"] == 30
    (purged,) = store.list_audit(c.store, action="purge")
    assert purged.object_type == "sessions" and purged.detail == {"rows": 1}
    # at most once an hour
    post(op, "F1", T0 - timedelta(days=50), (300.0, 300.0))
    post(op, "F1", T0 - timedelta(days=49), (310.0, 300.0))
    town.clock.advance(59)
    c.tick()
    assert history("F1") == [300.0, 310.0]
    town.clock.advance(2)
    c.tick()
    assert history("F1") == []  # its last one stays in unit_last
    assert {r.unit for r in store.latest_positions(c.store, c.scenario_id)} >= {"C1", "C2",
                                                                                  "F1"}
    assert len(store.list_audit(c.store, action="prune")) == 2


def test_keep_days_must_be_a_positive_number(town: Env) -> None:
    c = town.centre
    with pytest.raises(ValueError, match=r"keep_days \(--keep-days.*above 0.*got 0"):
        Centre.resumed(c.scenario, c.network, c.current, db=c.store, keep_days=0)
    kept = Centre.resumed(c.scenario, c.network, c.current, db=c.store, clock=town.clock,
                          keep_days=2)
    op = town.login("operator")
    post(op, "C1", T0 - timedelta(days=3), (100.0, 100.0))
    post(op, "C1", T0 - timedelta(days=1), (110.0, 100.0))
    assert kept.retain() == (1, 0)


def test_the_app_ticks_the_centre(town: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    c = town.centre
    ticks: list[int] = []
    monkeypatch.setattr(c, "tick", lambda: ticks.append(1) or [])
    with TestClient(create_app(c, tick_seconds=0.01)) as cl:
        r = cl.post("/api/auth/login", json={"name": "viewer", "password": PASSWORD})
        assert r.status_code == 200
        deadline = time.monotonic() + 5
        while not ticks and time.monotonic() < deadline:
            time.sleep(0.02)
    assert ticks
