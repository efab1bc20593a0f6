"""Every time the API gives is an ISO time with its offset: a plan's "from" and an incident's
"time" in the scenario's local time (+08:00 in Asia/Shanghai), a plan's "created" in UTC
(+00:00). A review: /api/plans gave "from" "2026-12-01T00:00:00" (naive local) beside
"created" "2026-11-30T10:10:13" (naive UTC) in one object, and /api/incidents' "time" was
naive local, while alerts and units were aware UTC. On the small lattice town."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.web.conftest import PLAN_DAY, T0, Env
from xunfang import store


def aware(text: object) -> datetime:
    t = datetime.fromisoformat(str(text))
    assert t.tzinfo is not None, f"{text!r} has no offset"
    return t


def test_plan_times_carry_their_offsets(town: Env) -> None:
    c = town.centre
    cl = town.login("planner")
    made = cl.post("/api/plans", json={"start": str(PLAN_DAY), "seed": 3})
    assert made.status_code == 201, made.text
    made_json = made.json()
    rows = {r.id: r for r in store.plan_summaries(c.store, c.scenario_id)}
    listed = cl.get("/api/plans").json()["plans"]
    assert len(listed) == 2
    for p in (*listed, made_json):
        assert p["from"] == f"{PLAN_DAY}T00:00:00+08:00"
        assert aware(p["from"]) == datetime(PLAN_DAY.year, PLAN_DAY.month, PLAN_DAY.day,
                                            tzinfo=UTC) - timedelta(hours=8)
        assert p["created"].endswith("+00:00")
        assert aware(p["created"]) == rows[p["id"]].created_at.replace(tzinfo=UTC)
    # a plan read back from the store (not made in this process) says the same
    c._entries.clear()
    again = c.entry(made_json["id"]).summary()
    assert (again["from"], again["created"]) == (made_json["from"], made_json["created"])


def test_incident_times_are_local_with_the_offset(town: Env) -> None:
    cl = town.login("operator")
    r = cl.post("/api/incidents", json={"x": 200.0, "y": 210.0, "category": "theft",
                                        "priority": 2})
    assert r.status_code == 201, r.text
    inc = r.json()["incident"]
    assert inc["time"] == "2026-12-01T10:30:00+08:00"
    assert aware(inc["time"]) == T0  # the moment it was reported
    listed = cl.get("/api/incidents").json()["incidents"]
    assert [i["time"] for i in listed if i["id"] == inc["id"]] == [inc["time"]]
    # alerts and units were already aware: all the API's times now parse with an offset
    for u in cl.get("/api/units").json()["units"]:
        assert u["t"] is None or aware(u["t"])
