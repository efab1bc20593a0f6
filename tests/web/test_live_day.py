"""The live picture through a day, from review AU: positions posted at midnight judge
against the stored plan of the new day, not the old one's pattern; the rings now count a
position as live only while it is fresh; a drone on its sortie is held to no grid; a unit
whose positions stop while on duty is said to be silent, and its stale position no longer
says it is outside its grid. The lattice town (grids W: x < 500, E)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.web.conftest import Env
from tests.web.test_live_plan_days import local, report, with_duties
from xunfang.plan import Assignment


def test_positions_at_midnight_judge_against_the_stored_plan_of_the_day(town: Env) -> None:
    c = town.centre
    town.clock.t = local(1, 23, 59)
    tomorrow = c.make_plan(date(2026, 12, 2), 1, 0, actor="planner")
    town.clock.t = local(2, 0, 0)
    report(town, "C1", town.clock(), (200.0, 200.0))  # before any tick
    assert c.current == tomorrow.id
    assert "plan" not in c.live.alerts
    assert all(a.kind != "plan_not_covering" for a in c.live.history)


def test_the_rings_count_a_position_as_live_only_while_it_is_fresh(town: Env) -> None:
    live = town.centre.live
    town.clock.t = local(1, 8, 5)
    for unit, xy in (("C1", (200.0, 200.0)), ("C2", (600.0, 200.0))):
        report(town, unit, town.clock(), xy)
    assert live.rings_now()["live_sources"] == 2
    town.clock.t = local(1, 8, 50)  # the same hour, the fixes 45 minutes old
    assert live.rings_now()["live_sources"] == 0
    assert not any(r["fresh"] for r in live.unit_rows())


def test_a_drone_on_its_sortie_is_held_to_no_grid(town: Env) -> None:
    live = town.centre.live
    plan = with_duties(live.plan, [Assignment("D1", 8, "drone", post="P1",
                                              note="1 sortie(s) over W, E")])
    town.clock.t = local(1, 8, 0)
    live.set_plan(plan)
    for minute in range(0, 12):  # over grid E, its launch post P1 being in W
        town.clock.t = local(1, 8, minute)
        report(town, "D1", town.clock(), (700.0, 200.0))
    live.evaluate()
    assert "grid:D1" not in live.alerts


def test_a_unit_gone_silent_on_duty_is_said_and_its_stale_position_judges_nothing(
        town: Env) -> None:
    live = town.centre.live
    plan = with_duties(live.plan, [Assignment("C1", h, "grid", grid="W") for h in range(24)])
    town.clock.t = local(1, 8, 0)
    live.set_plan(plan)
    report(town, "C1", town.clock(), (700.0, 200.0))  # in E, held to W
    town.clock.t = local(1, 8, 12)
    live.evaluate()
    assert "grid:C1" in live.alerts and "silent:C1" not in live.alerts
    town.clock.t = local(1, 8, 31)  # no position since 08:00
    live.evaluate()
    assert "grid:C1" not in live.alerts  # a 31-minute-old fix says nothing of now
    silent = live.alerts["silent:C1"]
    assert silent.kind == "unit_silent" and "08:00" in silent.message_en
    report(town, "C1", town.clock(), (200.0, 200.0))  # back, in its grid
    assert "silent:C1" not in live.alerts and "grid:C1" not in live.alerts
    # off duty: a unit whose slot is off is not expected to report
    off = with_duties(plan, [Assignment("C1", h, "off") for h in range(24)])
    live.set_plan(off)
    town.clock.t = local(1, 10, 0)
    live.evaluate()
    assert "silent:C1" not in live.alerts


def test_roll_over_happens_before_judging(town: Env) -> None:
    """(The tick's order kept: roll over, then judge.)"""
    c = town.centre
    tomorrow = c.make_plan(date(2026, 12, 2), 1, 3, actor="planner")
    town.clock.t = local(2, 0, 1) + timedelta(seconds=0)
    c.evaluate()
    assert c.current == tomorrow.id and "plan" not in c.live.alerts
