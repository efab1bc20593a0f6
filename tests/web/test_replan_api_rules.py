"""The web re-plan's rules beyond the CLI's, from an independent review (H3): a re-plan is put
in force only as the current plan's and not over hours already worked; a re-plan nobody made
current does not take over by itself; a unit out of service can come back; the API is strict
about types; the draft says why it leaves a busy unit out; the answer speaks the page's
language. The county's plan at 10:30 of its day (``new_env``: a fresh store each)."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Env
from xunfang import store


def _post(e: Env, plan: int, **ask: Any) -> Any:
    return e.login("planner").post(f"/api/plans/{plan}/replan", json=ask)


def _plans(e: Env) -> int:
    return len(store.list_plans(e.centre.store, e.centre.scenario_id))


def test_only_the_current_plan_s_re_plan_is_put_in_force(new_env: Any) -> None:
    e: Env = new_env()
    first = e.centre.current
    r = _post(e, first, at="11:00", out_of_service=["TX-M2"], make_current=True)
    assert r.status_code == 201, r.text
    second = r.json()["id"]
    assert e.centre.current == second
    # a page still showing plan 1 re-plans it into force: refused, nothing stored, and the
    # first re-plan's unit out of service stays out (a review: each of four was told it won)
    n = _plans(e)
    r = _post(e, first, at="11:00", out_of_service=["PS1-C"], make_current=True)
    assert r.status_code == 409, r.text
    assert f"plan {first} is not the current plan (plan {second} is)" in r.json()["detail"]
    assert _plans(e) == n and e.centre.current == second
    # as a what-if (not made current) it is stored
    r = _post(e, first, at="11:00", out_of_service=["PS1-C"])
    assert r.status_code == 201 and e.centre.current == second


def test_hours_already_worked_are_not_put_in_force(new_env: Any) -> None:
    e: Env = new_env()
    pid = e.centre.current
    n = _plans(e)
    r = _post(e, pid, at="08:00", out_of_service=["TX-M2"], make_current=True)
    assert r.status_code == 422, r.text
    assert "its slot (2026-12-01T08:00) ended before now (2026-12-01 10:30)" in r.json()["detail"]
    # the slot holding now is still re-planned (the re-plan starts at its slot)
    assert _post(e, pid, at="10:00", make_current=True).status_code == 201
    assert _plans(e) == n + 1
    # a what-if of the morning is allowed
    assert _post(e, e.centre.current, at="08:00").status_code == 201
    # a date without a time is no moment
    r = _post(e, e.centre.current, at="2026-12-01")
    assert r.status_code == 422 and "give a time of day too" in r.json()["detail"]


def test_a_what_if_re_plan_does_not_take_over_by_itself(new_env: Any) -> None:
    e: Env = new_env()
    cl = e.login("planner")
    two = cl.post("/api/plans", json={"start": "2026-12-01", "days": 2}).json()["id"]
    assert cl.get("/api/plans").json()["next"]["plan"] == two
    r = _post(e, two, at="2026-12-02T08:00", out_of_service=["TX-M1", "TX-M2"])
    assert r.status_code == 201, r.text
    trial = r.json()["id"]
    listed = {p["id"]: p for p in cl.get("/api/plans").json()["plans"]}
    assert listed[trial]["from_plan"] == two and listed[trial]["takes_over"] is False
    assert listed[two]["from_plan"] is None and listed[two]["takes_over"] is True
    # the plan made by planning takes over at midnight, not the trial re-plan of it
    assert cl.get("/api/plans").json()["next"]["plan"] == two
    # once a planner has made it current it may take over again
    # (a re-plan of a plan not current: only with force)
    assert cl.post(f"/api/plans/{trial}/current", params={"force": "true"}).status_code == 200
    assert cl.post(f"/api/plans/{e.centre.current}/current").status_code == 200
    listed = {p["id"]: p for p in cl.get("/api/plans").json()["plans"]}
    assert listed[trial]["takes_over"] is True


def test_a_unit_out_of_service_comes_back(new_env: Any) -> None:
    e: Env = new_env()
    r = _post(e, e.centre.current, at="11:00", out_of_service=["PS3-C"], make_current=True)
    assert r.status_code == 201, r.text
    out = e.centre.current
    doc = e.login("viewer").get(f"/api/plans/{out}").json()
    assert all(a["duty"] == "off" for a in doc["plan"]["assignments"]
               if a["unit"] == "PS3-C" and a["slot"] >= 11)
    # a unit in service cannot come back; one asked both ways is refused
    r = _post(e, out, at="12:00", back_in_service=["PS1-C"])
    assert r.status_code == 422 and "back_in_service[0]: unit 'PS1-C' is neither out of " \
        "service nor busy" in r.json()["detail"]
    r = _post(e, out, at="12:00", back_in_service=["PS3-C"], out_of_service=["PS3-C"])
    assert r.status_code == 422 and "is also given out of service" in r.json()["detail"]
    r = _post(e, out, at="12:00", back_in_service=["PS3-C"], make_current=True)
    assert r.status_code == 201, r.text
    doc = e.login("viewer").get(f"/api/plans/{r.json()['id']}").json()
    assert doc["stages"]["replan"]["back_in_service"] == ["PS3-C"]
    assert doc["stages"]["replan"]["out_of_service_from"] == {}
    after = [a for a in doc["plan"]["assignments"] if a["unit"] == "PS3-C" and a["slot"] >= 12]
    assert after and not any(a["note"] == "out of service" for a in after)
    assert any(a["duty"] != "off" for a in after)


def test_the_ask_is_strict_about_types(new_env: Any) -> None:
    e: Env = new_env()
    pid, n = e.centre.current, _plans(e)
    for ask in ({"at": "12:00", "hot": [{"grid": "G3", "from": "12:00", "to": "13:00",
                                         "share": True}]},
                {"at": "12:00", "force": "yes"},
                {"at": "12:00", "hot": [{"grid": "G3", "start": "12:00", "end": "13:00"}]},
                {"at": 12}):
        r = _post(e, pid, **ask)
        assert r.status_code == 422, (ask, r.text)
    # a whole number is a share
    r = _post(e, pid, at="12:00", hot=[{"grid": "G3", "from": "12:00", "to": "13:00",
                                         "share": 1}])
    assert r.status_code == 201, r.text
    assert _plans(e) == n + 1


def test_the_draft_names_every_busy_unit_and_brings_units_back(new_env: Any) -> None:
    e: Env = new_env()
    cl = e.login("commander")
    pid = e.centre.current
    rows = {r["unit"]: r for r in cl.get("/api/units").json()["units"]}
    off = next(u for u, r in rows.items() if r["duty"] == "off" and r["mode"] != "drone")
    assert cl.put(f"/api/units/{off}/status", json={"status": "busy"}).status_code == 200
    d = cl.get(f"/api/plans/{pid}/replan").json()
    assert d["left_out"] == [{"unit": off, "reason": "off_duty", "why": d["left_out"][0]["why"]}]
    assert "off duty in the plan now" in d["left_out"][0]["why"] and d["busy"] == []
    # a unit the plan has out of service, now available: back in service in the draft
    r = cl.post(f"/api/plans/{pid}/replan", json={"at": "10:00", "out_of_service": ["PS2-C"],
                                                   "make_current": True})
    assert r.status_code == 201, r.text
    assert cl.put("/api/units/PS2-C/status", json={"status": "available"}).status_code == 200
    d = cl.get(f"/api/plans/{e.centre.current}/replan").json()
    assert d["back_in_service"] == ["PS2-C"] and "PS2-C" not in d["out_of_service"]


def test_the_answer_speaks_the_page_s_language(new_env: Any) -> None:
    e: Env = new_env()
    r = _post(e, e.centre.current, at="11:00", out_of_service=["TX-C1", "TX-C2", "TX-C3"],
              busy=[{"unit": "PS1-C", "grid": "G3", "until": "13:00"}], lang="zh")
    assert r.status_code == 201, r.text
    body = r.json()
    said = {c["duty_said"] for c in body["changes"] if c["unit"] in ("TX-C1", "PS1-C")}
    assert {"停用", "正在处警"} <= said, said
    assert not any("out of service" in x or "busy" in x for x in said)
    tours = [c for c in body["changes"] if c["new_kind"] == "video"]
    assert all(c["duty_said"].startswith("视频轮巡") for c in tours)
    assert all(c["new_duty"].startswith("camera tour") for c in tours)
    added = body["shortfalls_added_said"]
    assert len(added) == len(body["shortfalls_added"]) + len(body["route_shortfalls_added"])
    assert added and all("need" not in x and "：" in x for x in added), added


def test_a_re_plan_made_current_sets_the_units_status(new_env: Any) -> None:
    """A re-review (H6 A): the status stayed "available", so the next draft brought the unit
    out of service back, and posted as it was put it on duty again."""
    e: Env = new_env()
    cl = e.login("planner")
    r = _post(e, e.centre.current, at="10:00", out_of_service=["TX-M2"],
              busy=[{"unit": "PS1-C", "grid": "G3", "until": "12:30"}], make_current=True)
    assert r.status_code == 201, r.text
    status = {x["unit"]: x["status"] for x in cl.get("/api/units").json()["units"]}
    assert status["TX-M2"] == "off" and status["PS1-C"] == "busy"
    d = cl.get(f"/api/plans/{e.centre.current}/replan").json()
    # the plan holds both already (a re-plan carries that): the draft asks nothing of them
    assert d["back_in_service"] == d["out_of_service"] == d["busy"] == []
    assert set(d["held"]) >= {"TX-M2", "PS1-C"}
    # posted as it is, the draft keeps TX-M2 out
    r = cl.post(f"/api/plans/{e.centre.current}/replan",
                json={k: d[k] for k in ("at", "busy", "out_of_service", "back_in_service")}
                | {"make_current": True})
    assert r.status_code == 201, r.text
    doc = cl.get(f"/api/plans/{r.json()['id']}").json()
    assert all(a["duty"] == "off" for a in doc["plan"]["assignments"]
               if a["unit"] == "TX-M2" and a["slot"] >= 10)
    # the status changes are recorded as the planner's, naming the re-plan
    from sqlalchemy import select

    rows = e.centre.store.run(lambda s: s.scalars(select(store.StatusRow).where(
        store.StatusRow.unit == "TX-M2")).all())
    assert [(x.status, x.created_by) for x in rows] == [("off", "planner")]
    assert rows[0].note.startswith("re-plan ") and rows[0].note.endswith(" made current")


def test_a_stale_what_if_is_not_made_current_without_force(new_env: Any) -> None:
    """A re-review (H6 B): a what-if of plan 30 made current after re-plan 32 of it was put
    in force dropped 32's unit out of service."""
    e: Env = new_env()
    cl = e.login("planner")
    first = e.centre.current
    what_if = _post(e, first, at="11:00").json()["id"]
    in_force = _post(e, first, at="11:00", out_of_service=["TX-M2"], make_current=True)
    assert in_force.status_code == 201, in_force.text
    r = cl.post(f"/api/plans/{what_if}/current")
    assert r.status_code == 409, r.text
    assert (f"plan {what_if} re-plans plan {first}, but plan {in_force.json()['id']} is "
            "current") in r.json()["detail"]
    assert e.centre.current == in_force.json()["id"]
    # a plan made by planning may be made current again; a what-if with force
    assert cl.post(f"/api/plans/{first}/current").status_code == 200
    assert cl.post(f"/api/plans/{what_if}/current").status_code == 200  # of the current one
    assert cl.post(f"/api/plans/{in_force.json()['id']}/current").status_code == 409
    assert cl.post(f"/api/plans/{in_force.json()['id']}/current",
                   params={"force": "true"}).status_code == 200


def test_a_re_plan_inside_a_busy_run_that_ends_out_of_service(new_env: Any) -> None:
    """A re-review (H6 D): a unit held busy, then taken out of service from a later slot by a
    second re-plan; every re-plan starting while it was still held failed ("both busy and
    out of service"), on the CLI too."""
    e: Env = new_env()
    r = _post(e, e.centre.current, at="10:00",
              busy=[{"unit": "PS1-C", "grid": "G3", "until": "14:00"}], make_current=True)
    assert r.status_code == 201, r.text
    r = _post(e, e.centre.current, at="2026-12-01T12:00", out_of_service=["PS1-C"])
    assert r.status_code == 201, r.text
    what_if = r.json()["id"]
    # the what-if of 12:00 re-planned again from 10:00: PS1-C held until 12:00, out after
    r = _post(e, what_if, at="10:00", hot=[{"grid": "G5", "from": "10:00", "to": "13:00"}])
    assert r.status_code == 201, r.text
    doc = e.login("viewer").get(f"/api/plans/{r.json()['id']}").json()
    notes = {a["slot"]: a["note"] for a in doc["plan"]["assignments"] if a["unit"] == "PS1-C"}
    assert notes[10] == notes[11] == "busy at an incident"
    assert all(notes[k] == "out of service" for k in range(12, 24))


def test_refusals_are_said_in_the_page_s_language(new_env: Any) -> None:
    """A re-review (H6): 422 and 409 stayed English on the zh page."""
    e: Env = new_env()
    pid = e.centre.current
    cases = [
        ({"busy": [{"unit": "X-1", "grid": "G3", "until": "14:00"}]},
         "无法调整方案：busy[0]：未知警力 'X-1'（units.csv 中没有）"),
        ({"busy": [{"unit": "PS1-C", "grid": "G3", "until": "11:00"}]},
         "busy[0]：结束时刻（11:00）须晚于调整起始时刻（12:00）"),
        ({"hot": [{"grid": "G9", "from": "13:00", "to": "14:00"}]}, "hot[0]：未知网格 'G9'"),
        ({"hot": [{"grid": "G3", "from": "14:00", "to": "13:00"}]},
         "hot[0]：结束（13:00）须晚于开始（14:00）"),
        ({"back_in_service": ["PS1-C"]}, "本就在岗"),
        ({"at": "2026-12-01"}, "at '2026-12-01'：请同时填写时刻"),
        ({"at": "25:00"}, "at '25:00'：不是 HH:MM 形式的时刻"),
    ]
    for ask, said in cases:
        r = _post(e, pid, **({"at": "12:00"} | ask), lang="zh")
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert said in detail and not any(w in detail for w in ("unknown", "must", "give")), \
            detail
    # the same refusal in English without lang (an API client's)
    r = _post(e, pid, at="12:00", busy=[{"unit": "X-1", "grid": "G3", "until": "14:00"}])
    assert "busy[0]: unknown unit 'X-1'" in r.json()["detail"]
    # a stale page's re-plan into force: 409 in Chinese
    first = pid
    assert _post(e, first, at="11:00", make_current=True).status_code == 201
    r = _post(e, first, at="11:00", make_current=True, lang="zh")
    assert r.status_code == 409 and r.json()["detail"].startswith(
        f"方案 #{first} 不是当前方案（当前为 #{e.centre.current}）"), r.text
    r = _post(e, first, at="08:00", lang="zh", make_current=False)
    assert r.status_code == 201
    r = _post(e, e.centre.current, at="08:00", lang="zh", make_current=True)
    assert r.status_code == 422 and "之前已结束：已执行的时段不再生效" in r.json()["detail"]
