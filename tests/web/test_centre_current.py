"""Which plan is current, over restarts, ticks and planners' choices (review AP): a restart
past the active plan's end carries on with the stored plan that covers now (it planned anew);
the tick's roll-over and a planner's make-current take turns under one lock (the tick, reading
the plans while a planner chose one, made another current after); roll-over reads four
columns of the plans, not their documents; plan entries kept in memory are bounded. On the
small lattice town, a plan a second."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.planning.test_routes import LATTICE
from tests.web.conftest import PLAN_DAY, T0, Env, FakeClock, fresh_store
from xunfang import store
from xunfang.web import builtin_centre
from xunfang.web import centre as centre_mod

NEXT_DAY = T0 + timedelta(hours=13, minutes=40)  # 00:10 local on the day after PLAN_DAY


def test_a_restart_past_the_plans_end_carries_on_with_the_stored_plan_of_now(
        make_scenario: Callable[..., Path], db_kind: str, tmp_path: Path) -> None:
    folder = make_scenario(LATTICE)
    db = fresh_store(db_kind, tmp_path / "db")
    clock = FakeClock()
    first = builtin_centre(str(folder), db=db, clock=clock)
    tomorrow = first.make_plan(PLAN_DAY + timedelta(days=1), 1, 5, actor="planner")
    n_plans = len(store.list_plans(db))
    clock.t = NEXT_DAY
    said: list[str] = []
    again = builtin_centre(str(folder), db=db, clock=clock, resume=True, progress=said.append)
    assert again.current == tomorrow.id and again.live.plan.seed == 5
    assert len(store.list_plans(db)) == n_plans  # nothing planned
    assert store.active_plan(db, again.scenario_id).id == tomorrow.id  # type: ignore[union-attr]
    assert any(f"carrying on with '{PLAN_DAY + timedelta(days=1)} seed 5', the stored plan "
               f"#{tomorrow.id} that covers now" in s for s in said), said
    db.dispose()


def test_the_tick_and_a_planners_choice_take_turns(town: Env,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    c = town.centre
    day2 = PLAN_DAY + timedelta(days=1)
    chosen = c.make_plan(day2, 1, 1, actor="planner")
    newest = c.make_plan(day2, 1, 2, actor="planner")
    town.clock.t = NEXT_DAY  # the current plan is over: the tick rolls over to the newest
    reading, go = threading.Event(), threading.Event()
    real = store.plans_covering

    def slow(*a: object, **k: object) -> list[tuple[int, str]]:
        reading.set()
        assert go.wait(30)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(centre_mod.store, "plans_covering", slow)
    tick = threading.Thread(target=c.roll_over)
    tick.start()
    assert reading.wait(30)  # the tick is reading the plans…
    planner = threading.Thread(target=c.set_current, args=(chosen.id,),
                               kwargs={"actor": "planner"})
    planner.start()  # …while the planner makes another current
    planner.join(0.5)
    assert planner.is_alive()  # it waits for the tick to finish
    go.set()
    tick.join(30)
    planner.join(30)
    assert c.current == chosen.id != newest.id  # the planner's choice, made last, stands
    monkeypatch.setattr(centre_mod.store, "plans_covering", real)
    assert c.roll_over() is None and c.current == chosen.id  # it covers now: kept


def test_roll_over_reads_no_plan_documents(town: Env) -> None:
    c = town.centre
    made = c.make_plan(PLAN_DAY + timedelta(days=1), 1, 3, actor="planner")
    from sqlalchemy import event

    statements: list[str] = []

    def grab(conn: object, cursor: object, statement: str, *a: object) -> None:
        statements.append(statement.lower())

    event.listen(c.store.engine, "before_cursor_execute", grab)
    try:
        town.clock.t = NEXT_DAY
        assert c.roll_over() == made.id
    finally:
        event.remove(c.store.engine, "before_cursor_execute", grab)
    reads = [s for s in statements if s.lstrip().startswith("select") and "from plans" in s]
    assert reads and not any("stages" in s or "content" in s for s in reads[:1]), reads[:1]


def test_plans_covering_is_newest_first_of_the_same_files_only(town: Env) -> None:
    c = town.centre
    a = c.make_plan(PLAN_DAY, 1, 1, actor="planner")
    b = c.make_plan(PLAN_DAY, 1, 2, actor="planner")
    at = datetime(2026, 12, 1, 12, 0)
    got = store.plans_covering(c.store, c.scenario_id, c.scenario.inputs_hash, at,
                               c.scenario.slot_minutes)
    assert [p for p, _ in got][:2] == [b.id, a.id] and c.current in [p for p, _ in got]
    assert store.plans_covering(c.store, c.scenario_id, "other", at, 60) == []
    assert store.plans_covering(c.store, c.scenario_id, c.scenario.inputs_hash,
                                at + timedelta(days=1), c.scenario.slot_minutes) == []


def test_plans_kept_in_memory_are_bounded(town: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre_mod, "MAX_CACHED", 2)
    c = town.centre
    made = [c.make_plan(PLAN_DAY, 1, s, actor="planner") for s in range(1, 5)]
    assert len(c._entries) <= 3 and c.current in c._entries
    assert c.entry(made[0].id).id == made[0].id  # read from the store again
    assert len(c._entries) <= 3 and c.current in c._entries


def test_next_says_which_plan_takes_over_and_a_what_if_can_be_deleted(town: Env) -> None:
    c = town.centre
    day2 = PLAN_DAY + timedelta(days=1)
    chosen = c.make_plan(day2, 1, 1, actor="planner")
    what_if = c.make_plan(day2, 1, 9, actor="planner")  # newest: it would take over
    cl = town.login("planner")
    got = cl.get("/api/plans").json()["next"]
    assert got == {"plan": what_if.id, "name": f"{day2} seed 9", "at": f"{day2}T00:00+08:00"}
    r = cl.delete(f"/api/plans/{what_if.id}")
    assert r.status_code == 200 and r.json()["next"]["plan"] == chosen.id
    assert cl.get(f"/api/plans/{what_if.id}").status_code == 404
    entry = store.list_audit(c.store, object_type="plan", object_id=what_if.id)[0]
    assert (entry.user, entry.action) == ("planner", "delete")
    r = cl.delete(f"/api/plans/{c.current}")
    assert r.status_code == 409 and "is the current plan" in r.text
    assert town.login("viewer").delete(f"/api/plans/{chosen.id}").status_code == 403
    town.clock.t = NEXT_DAY
    c.tick()
    assert c.current == chosen.id
