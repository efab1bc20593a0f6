"""Where now falls in a plan (review AM): the dashboard's now-slot is the shown plan's own (a
2-day plan current, a 1-day plan shown at 12-03 10:30 got now-slot 34 of its 24 slots and the
page never came up), and GET /api/plans says, for the current plan and a plan asked for, the
slot now and whether the plan covers now (the dashboard asks every minute)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.web.conftest import Env
from xunfang.plan import Plan


def local(day: int, hour: int, minute: int) -> datetime:
    """An aware time of the town's clock (Asia/Shanghai, UTC+8) in December 2026."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def slot_of_day(plan: Plan, hour: int, minute: int, day: date | None = None) -> int:
    """The index of the plan's slot holding hour:minute of ``day`` (the first day's when
    None), found from the slots' starts and lengths."""
    day = day or plan.slots[0].start.date()
    m = hour * 60 + minute
    return next(s.index for s in plan.slots if s.start.date() == day
                and s.start.hour * 60 + s.start.minute <= m < s.start.hour * 60
                + s.start.minute + s.minutes)


def boot_of(html: str) -> dict[str, Any]:
    m = re.search(r'<script id="boot" type="application/json">(.*?)</script>', html, re.S)
    assert m is not None
    return dict(json.loads(m.group(1)))


def two_days(town: Env, start: date = date(2026, 12, 2)) -> int:
    """A 2-day plan of the town from ``start`` made current; its id."""
    e = town.centre.make_plan(start, 2, 0, actor="system")
    town.centre.set_current(e.id, actor="system")
    return e.id


def test_a_shorter_plan_viewed_gets_its_own_now_slot(town: Env) -> None:
    """A review: a 2-day plan current, 12-03 10:30, /?plan=1 (24 slots) had now_slot 34."""
    first = town.centre.current
    longer = two_days(town)
    town.clock.t = local(3, 10, 30)
    cl = town.login("viewer")
    one = town.centre.entry(first).plan
    b = boot_of(cl.get(f"/?plan={first}").text)
    assert len(b["slots"]) == len(one.slots)
    assert b["now_slot"] == slot_of_day(one, 10, 30)  # the first day's pattern
    assert b["pinned"] is True and b["can_ack"] is False
    assert b["now_covers"] is True  # the current (2-day) plan covers 12-03
    b = boot_of(cl.get("/").text)
    two = town.centre.entry(longer).plan
    assert b["plan"] == longer and b["pinned"] is False
    assert b["now_slot"] == slot_of_day(two, 10, 30, date(2026, 12, 3))


def test_the_plans_list_says_where_now_falls(town: Env) -> None:
    first = town.centre.current
    cl = town.login("viewer")
    one = town.centre.entry(first).plan
    town.clock.t = local(1, 10, 30)
    r = cl.get("/api/plans").json()
    assert r["now"] == {"plan": first, "slot": slot_of_day(one, 10, 30), "covers": True,
                        "time": "2026-12-01T10:30+08:00"}
    assert "viewed" not in r
    # the plan's last minute is covered, its end is not (the first day's pattern applies)
    assert one.slots[-1].end == datetime(2026, 12, 2)
    town.clock.t = local(1, 23, 59)
    assert cl.get("/api/plans").json()["now"]["covers"] is True
    town.clock.t = local(2, 0, 0)
    assert cl.get("/api/plans").json()["now"]["covers"] is False
    town.clock.t = local(2, 10, 30)
    longer = two_days(town, date(2026, 12, 2))
    r = cl.get(f"/api/plans?plan={first}").json()
    two = town.centre.entry(longer).plan
    assert r["current"] == longer
    assert r["now"]["plan"] == longer and r["now"]["covers"] is True
    assert r["now"]["slot"] == slot_of_day(two, 10, 30, date(2026, 12, 2))
    assert r["viewed"] == {"plan": first, "slot": slot_of_day(one, 10, 30), "covers": False,
                           "time": "2026-12-02T10:30+08:00"}
    assert cl.get("/api/plans?plan=999").status_code == 404
