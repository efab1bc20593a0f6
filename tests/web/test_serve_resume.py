"""A restarted command centre (`xunfang serve` again on the same database) carries on with the
stored active plan when it was made from the same scenario files and covers the present hour:
nothing is planned, and the plan a planner made current stays current (a review: each start
made a new plan and made it current, dropping the planner's choice). A plan that is over, or
was made from other files, is not carried on with, and the reason is said. On the small
lattice town, a plan a second."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.planning.test_routes import LATTICE
from tests.web.conftest import PASSWORD, PLAN_DAY, FakeClock, add_users, fresh_store
from xunfang import store
from xunfang.web import builtin_centre, create_app
from xunfang.web.centre import Centre


@pytest.fixture
def town_folder(make_scenario: Callable[..., Path]) -> Path:
    return make_scenario(LATTICE)


def start(folder: Path, db: store.Store, clock: FakeClock, *, resume: bool = True,
          seed: int = 0) -> tuple[Centre, list[str]]:
    said: list[str] = []
    c = builtin_centre(str(folder), db=db, clock=clock, seed=seed, progress=said.append,
                       resume=resume)
    return c, said


def test_a_restart_carries_on_with_the_planners_current_plan(
        town_folder: Path, db_kind: str, tmp_path: Path) -> None:
    db = fresh_store(db_kind, tmp_path / "db")
    add_users(db)
    clock = FakeClock()  # 10:30 in the town's zone on PLAN_DAY
    first, said = start(town_folder, db, clock)
    assert not any("carrying on" in s for s in said)
    assert first.current_plan.plan.slots[0].start.date() == PLAN_DAY
    # the planner makes another plan of the day and makes it current
    other = first.make_plan(PLAN_DAY, 1, 7, actor="planner")
    first.set_current(other.id, actor="planner")
    n_plans = len(store.list_plans(db))
    first.store.dispose()

    db2 = store.open_store(db.url)
    again, said = start(town_folder, db2, clock)
    assert any(f"carrying on with '{PLAN_DAY} seed 7', the active plan #{other.id}" in s
               for s in said), said
    assert "intel" not in said  # nothing planned
    assert len(store.list_plans(db2)) == n_plans
    assert again.current == other.id and again.live.plan.seed == 7
    # the dashboard's answers about the carried-on plan
    client = TestClient(create_app(again, tick_seconds=0))
    r = client.post("/api/auth/login", json={"name": "planner", "password": PASSWORD})
    assert r.status_code == 200, r.text
    r = client.get("/api/plans")
    assert r.status_code == 200 and r.json()["current"] == other.id
    assert [p["active"] for p in r.json()["plans"] if p["id"] == other.id] == [True]
    for path in (f"/api/plans/{other.id}", f"/api/plans/{other.id}/layers",
                 f"/api/plans/{other.id}/sheet", f"/api/kpis/{other.id}", "/api/rings/now",
                 "/"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/api/plans/{other.id}").json()["seed"] == 7
    db2.dispose()


def test_a_plan_that_is_over_or_from_other_files_is_not_carried_on_with(
        make_scenario: Callable[..., Path], town_folder: Path, db_kind: str,
        tmp_path: Path) -> None:
    db = fresh_store(db_kind, tmp_path / "db")
    clock = FakeClock()
    first, _ = start(town_folder, db, clock)
    day1 = first.current

    clock.advance(24 * 60)  # the next day: the plan of PLAN_DAY is over
    nxt, said = start(town_folder, db, clock)
    assert any(f"the active plan #{day1} ({PLAN_DAY} seed 0) runs from {PLAN_DAY} 00:00 to "
               in s and "not now" in s and s.endswith("planning anew") for s in said), said
    assert nxt.current != day1
    assert nxt.current_plan.plan.slots[0].start.date() > PLAN_DAY
    day2 = nxt.current

    # the scenario's files changed (a site renamed): its plans are of other inputs
    edited = make_scenario({**LATTICE, "sites.csv": LATTICE["sites.csv"].replace(
        "Cafe", "Tea house")})
    assert edited == town_folder
    changed, said = start(town_folder, db, clock)
    if changed.scenario.inputs_hash == nxt.scenario.inputs_hash:
        pytest.fail("the edit did not change the scenario's inputs hash")
    assert any("was made from other scenario files" in s for s in said), said
    assert changed.current not in (day1, day2)

    # --new-plan: planned even though the active plan covers now
    forced, said = start(town_folder, db, clock, resume=False)
    assert not any("carrying on" in s for s in said)
    assert forced.current != changed.current
    db.dispose()

