"""The live picture on days the current plan does not hold, and when the slot or the plan
changes a unit's grid with no new position (review AM, faults 1 and 7).

The lattice town (tests/web/conftest.py ``town``): its one-day plan for 2026-12-01 is given
the duties a case needs (a checkpoint, grid duties) for unit C1; grids W and E."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.web.conftest import Env
from xunfang import store
from xunfang.plan import Assignment, Plan

TZ = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int) -> datetime:
    """An aware time of December 2026 in the town's timezone."""
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def with_duties(plan: Plan, duties: list[Assignment]) -> Plan:
    new = {(a.unit, a.slot): a for a in duties}
    return replace(plan, assignments=tuple(new.get((a.unit, a.slot), a)
                                           for a in plan.assignments))


def shifted(plan: Plan, days: int) -> Plan:
    """The same plan ``days`` later."""
    return replace(plan, slots=tuple(replace(s, start=s.start + timedelta(days=days))
                                     for s in plan.slots))


def report(e: Env, unit: str, t: datetime, xy: tuple[float, float]) -> None:
    r = e.login("operator").post("/api/positions", json={"positions": [
        {"unit": unit, "t": t.isoformat(), "x": xy[0], "y": xy[1]}]})
    assert r.status_code == 200, r.text


def open_subjects(e: Env) -> set[str]:
    return {a.subject for a in store.list_alerts(e.centre.store, e.centre.scenario_id)}


def test_a_checkpoint_the_day_after_the_plan_is_judged_on_that_day(town: Env) -> None:
    live = town.centre.live
    plan = with_duties(live.plan, [Assignment("C1", 1, "checkpoint", post="P1"),
                                   Assignment("C1", 3, "checkpoint", post="P1")])
    town.clock.t = local(1, 1, 15)
    live.set_plan(plan)
    report(town, "C1", town.clock(), live.posts["P1"].xy)
    assert "checkpoint:P1:1" not in live.alerts  # staffed on the plan's day
    # the next day at 01:30: the fix of yesterday 01:15 does not staff today's checkpoint
    town.clock.t = local(2, 1, 30)
    live.evaluate()
    assert live.alerts["checkpoint:P1:1"].data == {"post": "P1", "unit": "C1", "slot": 1}
    assert live.slot_now(town.clock()) == (plan.slots[1], datetime(2026, 12, 2, 1, 0))
    # 2 minutes into today's 03:00 slot, within the 10-minute grace: not yet
    town.clock.t = local(2, 3, 2)
    live.evaluate()
    assert "checkpoint:P1:3" not in live.alerts
    town.clock.t = local(2, 3, 11)
    live.evaluate()
    assert "checkpoint:P1:3" in live.alerts
    # the team at the checkpoint today staffs it
    report(town, "C1", town.clock(), live.posts["P1"].xy)
    assert "checkpoint:P1:3" not in live.alerts


def test_a_plan_not_covering_now_is_an_alert_until_one_does(town: Env) -> None:
    live = town.centre.live
    plan = live.plan
    assert live.covers(local(1, 0, 0)) and live.covers(local(1, 23, 59))
    assert not live.covers(local(2, 0, 0)) and not live.covers(local(1, 0, 0) - timedelta(
        seconds=1))
    town.clock.t = local(1, 23, 59)
    live.evaluate()
    assert "plan" not in live.alerts
    town.clock.t = local(2, 10, 0)
    live.evaluate()
    a = live.alerts["plan"]
    assert (a.kind, a.severity) == ("plan_not_covering", "warning")
    assert a.data == {"first": "2026-12-01T00:00+08:00", "end": "2026-12-02T00:00+08:00",
                      "pattern": True}
    assert "2026-12-01 00:00 to 2026-12-02 00:00" in a.message_en
    assert "first day's pattern" in a.message_en
    assert "2026-12-01 00:00 至 2026-12-02 00:00" in a.message_zh and "首日" in a.message_zh
    assert "plan" in open_subjects(town)
    # the same time of day is still judged (the plan is the day's pattern)
    assert live.slot_at(town.clock()) == plan.slots[10]
    # a plan covering today made current: the alert clears at once (in the store too)
    live.set_plan(shifted(plan, 1))
    assert "plan" not in live.alerts and "plan" not in open_subjects(town)
    assert live.cleared[a.id] == town.clock()


def test_a_plan_starting_tomorrow_made_current_today(town: Env) -> None:
    live = town.centre.live
    plan = with_duties(live.plan, [Assignment("C1", 23, "checkpoint", post="P2")])
    tomorrow = shifted(plan, 1)
    town.clock.t = local(1, 23, 5)
    live.set_plan(tomorrow)
    a = live.alerts["plan"]
    assert a.data["first"] == "2026-12-02T00:00+08:00"
    assert a.data["end"] == "2026-12-03T00:00+08:00"
    # tonight's 23:00 is the pattern's last slot, started 5 minutes ago: within the grace
    assert live.slot_now(town.clock()) == (tomorrow.slots[23], datetime(2026, 12, 1, 23, 0))
    assert "checkpoint:P2:23" not in live.alerts
    town.clock.t = local(1, 23, 15)
    live.evaluate()
    assert "checkpoint:P2:23" in live.alerts
    # another plan that does not cover now either: the alert names its span instead
    live.set_plan(shifted(plan, 2))
    b = live.alerts["plan"]
    assert b.id != a.id and b.data["first"] == "2026-12-03T00:00+08:00" and a.id in live.cleared
    live.set_plan(tomorrow)
    # the clock comes within the plan: cleared
    town.clock.t = local(2, 0, 10)
    live.evaluate()
    assert "plan" not in live.alerts and "plan" not in open_subjects(town)


def _grid_day(plan: Plan) -> Plan:
    """C1 held to grid W at 08:00, E at 09:00 and 10:00, W at 11:00."""
    return with_duties(plan, [Assignment("C1", 8, "grid", grid="W"),
                              Assignment("C1", 9, "grid", grid="E"),
                              Assignment("C1", 10, "grid", grid="E"),
                              Assignment("C1", 11, "grid", grid="W")])


def test_the_outside_grid_alert_follows_the_slot_without_a_new_fix(town: Env) -> None:
    """(Each judgement from a fix within the freshness limit: a stale one judges no grid.)"""
    live = town.centre.live
    town.clock.t = local(1, 8, 20)
    live.set_plan(_grid_day(live.plan))
    c = live.grids["E"].representative_point()
    report(town, "C1", town.clock(), (c.x, c.y))
    town.clock.t = local(1, 8, 35)
    live.evaluate()
    assert live.alerts["grid:C1"].data == {"unit": "C1", "grid": "W", "minutes": 15.0}
    town.clock.t = local(1, 8, 55)
    report(town, "C1", town.clock(), (c.x, c.y))  # still in E
    # 09:00: C1 is held to E, where it is: the alert clears with no new position
    town.clock.t = local(1, 9, 5)
    live.evaluate()
    assert "grid:C1" not in live.alerts and "grid:C1" not in open_subjects(town)
    town.clock.t = local(1, 10, 58)
    report(town, "C1", town.clock(), (c.x, c.y))  # in E, held to E
    # 11:00: held to W again; outside it from the slot's start, not from the 10:58 fix
    town.clock.t = local(1, 11, 5)
    live.evaluate()
    assert "grid:C1" not in live.alerts
    town.clock.t = local(1, 11, 12)
    live.evaluate()
    assert live.alerts["grid:C1"].data == {"unit": "C1", "grid": "W", "minutes": 12.0}


def test_a_new_plan_re_judges_the_grids_at_once(town: Env) -> None:
    live = town.centre.live
    town.clock.t = local(1, 8, 0)
    plan = _grid_day(live.plan)
    live.set_plan(plan)
    c = live.grids["E"].representative_point()
    report(town, "C1", town.clock(), (c.x, c.y))
    town.clock.t = local(1, 8, 20)
    report(town, "C1", town.clock(), (c.x, c.y))  # still there (a fresh fix)
    town.clock.t = local(1, 8, 30)
    live.evaluate()
    assert "grid:C1" in live.alerts
    # the planner makes current a plan holding C1 to E now: cleared, nothing else needed
    live.set_plan(with_duties(plan, [Assignment("C1", 8, "grid", grid="E")]))
    assert "grid:C1" not in live.alerts and "grid:C1" not in open_subjects(town)
