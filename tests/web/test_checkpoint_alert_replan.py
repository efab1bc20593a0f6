"""A checkpoint the plan's checkpoint schedule names stays alerted while no unit staffs it.

A review: in the command centre, a re-plan made current that took the checkpoint team's unit
out of service cleared the live ``checkpoint_unstaffed`` alert of its checkpoint (CP4 of the
county), though CP4 stood empty: the live rule looked only at the plan's checkpoint duties,
and the re-plan had none there — only a shortfall (CP4 0/1). The checkpoint is due by the
plan's schedule (plan.json ``stages.checkpoints.schedule``), staffed or not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.web.conftest import Env
from xunfang import store


def _cp_alerts(e: Env) -> dict[str, dict[str, Any]]:
    alerts = e.login("operator").get("/api/alerts").json()["alerts"]
    return {f"{a['data']['post']}:{a['data']['slot']}": a for a in alerts
            if a["kind"] == "checkpoint_unstaffed"}


def test_a_re_plan_taking_the_team_out_of_service_keeps_the_alert(new_env: Any) -> None:
    e: Env = new_env()
    live = e.centre.live
    now = live.slot_at(e.clock()).index
    # the first checkpoint duty of the plan from now on, 15 minutes into its slot, nobody there
    a = next(a for a in sorted(live.plan.assignments, key=lambda a: a.slot)
             if a.duty == "checkpoint" and a.slot >= now)
    slot = live.plan.slots[a.slot]
    e.clock.t = slot.start.replace(tzinfo=live.tz) + timedelta(minutes=15)
    live.evaluate()
    key = f"{a.post}:{a.slot}"
    before = _cp_alerts(e)
    assert key in before and before[key]["data"]["unit"] == a.unit
    # the team's unit out of service, in a re-plan made current from this slot
    r = e.login("planner").post(f"/api/plans/{e.centre.current}/replan", json={
        "at": f"{slot.start:%H:%M}", "out_of_service": [a.unit], "make_current": True})
    assert r.status_code == 201, r.text
    assert e.centre.current == r.json()["id"]
    plan = e.centre.live.plan
    assert plan.at(a.unit, a.slot).duty == "off"
    assert not [b for b in plan.assignments if b.slot == a.slot and b.post == a.post]
    # still unstaffed: the alert stays open, the same one, not cleared and raised anew
    e.centre.live.evaluate()
    after = _cp_alerts(e)
    assert key in after and after[key]["id"] == before[key]["id"], after
    rows = store.list_alerts(e.centre.store, e.centre.scenario_id, open_only=False)
    assert not [x for x in rows if x.subject == f"checkpoint:{key}" and x.cleared_at]
    # a unit standing at the checkpoint clears it
    cl = e.login("operator")
    x, y = live.posts[a.post].xy
    other = next(u for u in live.units if u != a.unit)
    r = cl.post("/api/positions", json={"positions": [
        {"unit": other, "t": e.clock().isoformat(), "x": x, "y": y}]})
    assert r.status_code == 200, r.text
    assert key not in _cp_alerts(e)


def test_a_schedule_visit_no_unit_staffs_raises_the_alert_from_the_slot_s_start(
        new_env: Any) -> None:
    # the re-plan made current before the slot: at its start the checkpoint is alerted at once
    # (no one is on the way), naming the team the schedule gave it and why it is off
    e: Env = new_env()
    live = e.centre.live
    now = live.slot_at(e.clock()).index
    a = next(a for a in sorted(live.plan.assignments, key=lambda a: a.slot)
             if a.duty == "checkpoint" and a.slot > now)
    r = e.login("planner").post(f"/api/plans/{e.centre.current}/replan", json={
        "at": f"{live.plan.slots[now].start:%H:%M}", "out_of_service": [a.unit],
        "make_current": True})
    assert r.status_code == 201, r.text
    slot = e.centre.live.plan.slots[a.slot]
    e.clock.t = slot.start.replace(tzinfo=live.tz)
    e.centre.live.evaluate()
    got = _cp_alerts(e)[f"{a.post}:{a.slot}"]
    assert got["severity"] == "critical"
    assert got["data"] == {"post": a.post, "unit": a.unit, "slot": a.slot, "planned": False}
    assert f"(due by the checkpoint schedule: {a.unit}, out of service)" in got["message_en"]
