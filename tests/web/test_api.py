"""Every route of the command centre's API: status codes, exact error details, roles refused,
bad input refused with nothing stored, and the server serving on after it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
import shapely

from tests.web.conftest import PASSWORD, T0, Env

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _unit_and_grids(env: Env) -> tuple[str, str, tuple[float, float], tuple[float, float]]:
    """A unit on post duty now, its post's grid, a point at its post and a point in another
    grid."""
    live = env.centre.live
    slot = live.slot_at(env.clock())
    for a in env.centre.current_plan.plan.assignments:
        if a.slot == slot.index and a.duty == "post" and a.post is not None:
            grid = live.assigned_grid(a)
            if grid is None:
                continue
            other = next(g for g in live.grids if g != grid)
            c = live.grids[other].representative_point()
            return a.unit, grid, live.posts[a.post].xy, (c.x, c.y)
    raise AssertionError("no unit on post duty in a grid")


def _pos(unit: str, t, xy: tuple[float, float]) -> dict[str, object]:
    return {"unit": unit, "t": t.isoformat(), "x": xy[0], "y": xy[1]}


def _outside_for_20_min(env: Env) -> tuple[Any, str, tuple[float, float]]:
    """An operator's client, a unit on post duty it has reported in another grid for the last
    20 minutes (enough for the outside-grid alert), and the point reported."""
    unit, _, _, elsewhere = _unit_and_grids(env)
    cl = env.login("operator")
    t = env.clock()
    cl.post("/api/positions", json={"positions": [
        _pos(unit, t - timedelta(minutes=20), elsewhere), _pos(unit, t, elsewhere)]})
    return cl, unit, elsewhere


# ---- pages and login ---------------------------------------------------------------------------
def test_pages_need_a_login(env: Env) -> None:
    cl = env.client
    r = cl.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = cl.get("/login")
    assert r.status_code == 200 and "巡防指挥中心" in r.text
    assert "Patrol command centre" in cl.get("/login?lang=en").text


def test_login_form_sets_an_httponly_samesite_cookie(env: Env) -> None:
    cl = env.login("viewer", fresh=True)
    r = cl.post("/login", data={"name": "viewer", "password": PASSWORD},
                follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "xf_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = cl.get("/")
    assert page.status_code == 200 and 'data-role="viewer"' in page.text
    assert "/static/leaflet/leaflet.js" in page.text and "/static/app/app.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    js = cl.get("/static/app/app.js").text
    assert "/static/plotly/plotly.min.js" in js and "http" not in js
    assert cl.get("/static/plotly/plotly.min.js").status_code == 200
    assert cl.get("/static/leaflet/leaflet.css").status_code == 200
    bad = cl.post("/login", data={"name": "viewer", "password": "wrong password"})
    assert bad.status_code == 401 and "wrong user name or password" in bad.text
    out = cl.post("/logout", follow_redirects=False)  # a POST: tests/web/test_logout_post.py
    assert out.status_code == 303 and out.headers["location"] == "/login"


def test_api_login_me_logout(env: Env) -> None:
    cl = env.login("operator", fresh=True)
    me = cl.get("/api/auth/me").json()
    assert me["name"] == "operator" and me["role"] == "operator"
    assert "position.post" in me["actions"] and "plan.edit" not in me["actions"]
    assert cl.post("/api/auth/logout").json() == {"revoked": True}
    r = cl.get("/api/auth/me")
    assert r.status_code == 401
    assert r.json() == {"detail": "not logged in: log in at /login or send a bearer token"}


def test_login_refused_and_throttled(new_env) -> None:
    from xunfang.web.auth import Throttle

    e = new_env(throttle=Throttle(limit=7))
    cl = e.client
    r = cl.post("/api/auth/login", json={"name": "viewer", "password": "nope nope"})
    assert r.status_code == 401 and r.json() == {"detail": "wrong user name or password"}
    for _ in range(4):
        cl.post("/api/auth/login", json={"name": "viewer", "password": "nope nope"})
    # the store locks the account after five failures: the right password is refused too
    r = cl.post("/api/auth/login", json={"name": "viewer", "password": PASSWORD})
    assert r.status_code == 401 and "account locked" in r.json()["detail"]
    # and the address is limited across names (7 failures in 5 minutes here)
    cl.post("/api/auth/login", json={"name": "planner", "password": "nope nope"})
    r = cl.post("/api/auth/login", json={"name": "operator", "password": PASSWORD})
    assert r.status_code == 429 and r.headers["retry-after"].isdigit()
    assert r.json()["detail"].startswith("too many failed logins from this address")
    r = cl.post("/api/auth/login", json={"name": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "password"]


def test_device_token(env: Env) -> None:
    cl = env.login("operator")
    token = cl.post("/api/auth/token").json()["token"]
    from fastapi.testclient import TestClient

    device = TestClient(env.client.app)
    r = device.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["name"] == "operator"
    r = env.login("viewer").post("/api/auth/token")
    assert r.status_code == 403
    assert r.json() == {"detail": "role 'viewer' may not position.post; roles that may: "
                                  "commander, operator, planner"}


# ---- scenario, plans, roster, KPIs, rings ------------------------------------------------------
def test_scenarios(env: Env) -> None:
    cl = env.login("viewer")
    assert cl.get("/api/scenarios").json() == {"current": "ebian", "builtin": ["ebian"]}
    doc = cl.get("/api/scenarios/ebian").json()
    assert doc["counts"]["grids"] == 7 and doc["counts"]["nodes"] == 356
    assert doc["policy"]["response_targets"] == {"1": 1.0, "2": 3.0, "3": 5.0}
    r = cl.get("/api/scenarios/other")
    assert r.status_code == 404
    assert r.json() == {"detail": "scenario 'other' is not the one this centre runs ('ebian')"}


def test_plan_fetch_layers_sheet_roster_kpis(env: Env) -> None:
    cl = env.login("viewer")
    plans = cl.get("/api/plans").json()
    pid = plans["current"]
    assert [p["id"] for p in plans["plans"]] == [pid] and plans["plans"][0]["active"]
    doc = cl.get(f"/api/plans/{pid}").json()
    assert doc["plan"]["seed"] == 0 and len(doc["plan"]["slots"]) == 24
    assert doc["stages"]["intel"]["grids"]  # risk heat per grid and slot
    layers = cl.get(f"/api/plans/{pid}/layers").json()
    assert set(layers) == {"roads", "areas", "sites", "posts", "rings"}
    lon, lat = layers["roads"]["features"][0]["geometry"]["coordinates"][0]
    assert 103 < lon < 104 and 29 < lat < 30  # WGS 84
    sheet = cl.get(f"/api/plans/{pid}/sheet").json()
    assert len(sheet["rows"]) == len(env.scenario.units) and len(sheet["slots"]) == 24
    assert {c["duty"] for r in sheet["rows"] for c in r["cells"]} >= {"post", "checkpoint"}
    roster = cl.get(f"/api/roster/{pid}").json()
    assert roster["rows"] and roster["from"] == "2026-12-01"
    kpis = cl.get(f"/api/kpis/{pid}").json()
    assert 0 <= kpis["kpis"]["plan"]["visibility"] <= 1
    assert len(kpis["rings_by_slot"]["slots"]) == 24
    for path in ("/api/plans/999", "/api/plans/999/layers", "/api/plans/999/sheet",
                 "/api/roster/999", "/api/kpis/999", f"/api/plans/{pid}/diff/999"):
        r = cl.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"detail": "no plan with id 999"}
    r = cl.get("/api/plans/abc")
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "int_parsing"


def test_make_a_plan_and_diff_it(env: Env) -> None:
    body = {"start": "2026-12-01", "days": 1, "seed": 3}
    for role in ("viewer", "operator"):
        r = env.login(role).post("/api/plans", json=body)
        assert r.status_code == 403
        assert r.json()["detail"] == (f"role {role!r} may not plan.edit; roles that may: "
                                      "commander, planner")
    cl = env.login("planner")
    r = cl.post("/api/plans", json={"start": "2026-13-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "start"]
    r = cl.post("/api/plans", json={"start": "2026-12-01", "days": 0})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "days"]
    r = cl.post("/api/plans", json={"start": "2026-12-01", "evil": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "extra_forbidden"
    first = env.centre.current
    r = cl.post("/api/plans", json=body)
    assert r.status_code == 201, r.text
    new = r.json()["id"]
    assert r.json()["seed"] == 3
    diff = cl.get(f"/api/plans/{first}/diff/{new}").json()
    assert diff["same_inputs"] and diff["seeds"] == [0, 3]
    assert diff["changed"] == len(diff["changes"])
    assert all(c["a"] != c["b"] for c in diff["changes"])
    same = cl.get(f"/api/plans/{first}/diff/{first}").json()
    assert same["changed"] == 0 and all(v == 0 for v in same["kpi_deltas"].values())
    # make it current, then back; both audited with who
    assert cl.post(f"/api/plans/{new}/current").json() == {"current": new}
    assert env.centre.live.plan.seed == 3
    assert cl.post(f"/api/plans/{first}/current").status_code == 200
    audit = env.login("commander").get("/api/audit").json()["entries"]
    assert any(e["action"] == "create" and e["object_type"] == "plan" and e["user"] == "planner"
               and e["object_id"] == str(new) for e in audit)
    assert any(e["action"] == "update" and e["object_type"] == "plan"
               and e["user"] == "planner" for e in audit)
    assert env.login("viewer").post(f"/api/plans/{new}/current").status_code == 403


def test_rings_now(env: Env) -> None:
    r = env.login("viewer").get("/api/rings/now").json()
    assert r["sources"] > 0 and 0 < r["share_within_target"] <= 1
    assert len(r["bands"]) == env.centre.network.n_nodes
    assert r["hour"] == 10


# ---- live positions, units, alerts -------------------------------------------------------------
def test_positions_raise_an_outside_grid_alert(new_env) -> None:
    e = new_env()
    unit, grid, at_post, elsewhere = _unit_and_grids(e)
    assert not shapely.Point(elsewhere).within(e.centre.live.grids[grid])
    cl = e.login("operator")
    t = e.clock()
    r = cl.post("/api/positions", json={"positions": [
        _pos(unit, t - timedelta(minutes=30), at_post),
        _pos(unit, t - timedelta(minutes=12), elsewhere),
        _pos(unit, t - timedelta(minutes=1), elsewhere)]})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 3
    alerts = cl.get("/api/alerts").json()["alerts"]
    mine = [a for a in alerts if a["kind"] == "unit_outside_grid"]
    assert len(mine) == 1 and mine[0]["data"] == {"unit": unit, "grid": grid, "minutes": 12.0}
    assert f"{unit} 离开责任网格 {grid}" in mine[0]["message_zh"]
    units = {u["unit"]: u for u in cl.get("/api/units").json()["units"]}
    assert units[unit]["fresh"] and units[unit]["x"] == round(elsewhere[0], 2)
    # back in its grid: the alert clears (in the store too)
    r = cl.post("/api/positions", json={"positions": [_pos(unit, t, at_post)]})
    assert r.status_code == 200
    assert not [a for a in cl.get("/api/alerts").json()["alerts"]
                if a["kind"] == "unit_outside_grid"]
    from xunfang import store

    rows = store.list_alerts(e.centre.store, e.centre.scenario_id, open_only=False)
    row = next(x for x in rows if x.kind == "unit_outside_grid")
    assert row.cleared_at is not None and row.subject == f"grid:{unit}"
    assert len(store.position_history(e.centre.store, e.centre.scenario_id, unit)) == 4


def test_alert_stream_sends_events(new_env) -> None:
    e = new_env()
    cl, unit, _ = _outside_for_20_min(e)
    with cl.stream("GET", "/api/alerts/stream?timeout=0.3&poll=0.05") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert any(ev["kind"] == "unit_outside_grid" and ev["data"]["unit"] == unit
               for ev in events)
    last = max(ev["id"] for ev in events)
    with cl.stream("GET", f"/api/alerts/stream?timeout=0.2&since={last}") as r:
        assert "data: " not in "".join(r.iter_text())


def test_checkpoint_site_and_coverage_alerts(new_env) -> None:
    from xunfang.web.live import LiveSettings

    e = new_env(settings=LiveSettings(coverage_target_share=0.999))
    live = e.centre.live
    # a checkpoint slot of the plan: 15 minutes into it, nobody there
    a = next(a for a in live.plan.assignments if a.duty == "checkpoint")
    slot = live.plan.slots[a.slot]
    e.clock.t = slot.start.replace(tzinfo=live.tz) + timedelta(minutes=15)
    new = live.evaluate()
    kinds = {x.kind for x in new}
    assert "checkpoint_unstaffed" in kinds
    cp = next(x for x in new if x.kind == "checkpoint_unstaffed" and x.data["post"] == a.post)
    assert cp.data["unit"] == a.unit and cp.severity == "critical"
    # the team arrives: the alert clears
    cl = e.login("operator")
    r = cl.post("/api/positions", json={"positions": [
        _pos(a.unit, e.clock(), live.posts[a.post].xy)]})
    assert r.status_code == 200
    assert f"checkpoint:{a.post}:{a.slot}" not in live.alerts
    # tier-1 sites: beyond their revisit interval after the centre started
    allowed = e.scenario.policy.revisit_minutes[1]
    e.clock.t = max(e.clock.t, live.started) + timedelta(minutes=allowed + 1)
    new = live.evaluate()
    sites = {x.data["site"] for x in new if x.kind == "site_revisit"}
    assert sites == {s.id for s in e.scenario.sites if s.tier == 1}
    # a unit at a tier-1 site visits it
    site = next(s for s in e.scenario.sites if s.tier == 1)
    r = cl.post("/api/positions", json={"positions": [_pos(a.unit, e.clock(), site.xy)]})
    assert r.status_code == 200
    assert f"site:{site.id}" not in live.alerts
    assert f"site:{next(s.id for s in e.scenario.sites if s.tier == 1 and s != site)}" \
        in live.alerts
    # ring coverage below a (strict) target with live positions
    assert "coverage" in live.alerts
    assert live.alerts["coverage"].data["target"] == 0.999


def test_positions_bad_input_stores_nothing(env: Env) -> None:
    from xunfang import store

    unit, _, at_post, _ = _unit_and_grids(env)
    cl = env.login("operator")
    t = env.clock()
    before = len(store.position_history(env.centre.store, env.centre.scenario_id, unit))

    def refused(body: object, status: int = 422) -> object:
        r = cl.post("/api/positions", json=body)
        assert r.status_code == status, r.text
        return r.json()["detail"]

    d = refused({"positions": [_pos(unit, t, at_post), _pos("NOPE", t, at_post)]})
    assert d["message"] == "1 of 2 positions refused; nothing of the batch was stored"
    assert d["problems"] == [{"file": "positions", "row": 2, "column": "unit",
                              "rule": "unknown unit", "severity": "error",
                              "message": "unknown unit: NOPE"}]
    d = refused({"positions": [{"unit": unit, "t": t.isoformat(), "lon": 116.4, "lat": 39.9}]})
    assert d["problems"][0]["column"] == "position"
    assert d["problems"][0]["rule"] == ("outside the jurisdiction (more than 2000 m beyond "
                                        "its roads)")
    d = refused({"positions": [_pos(unit, t + timedelta(hours=1), at_post)]})
    assert d["problems"][0]["column"] == "t"
    assert d["problems"][0]["rule"] == "in the future (server time 2026-12-01T02:30:00+00:00)"
    d = refused({"positions": [_pos(unit, t - timedelta(minutes=1), at_post),
                               _pos(unit, t - timedelta(minutes=2), at_post)]})
    assert d["problems"][0]["row"] == 2
    assert d["problems"][0]["rule"].startswith(f"out of order: earlier than unit {unit}'s")
    d = refused({"positions": [{"unit": unit, "t": t.isoformat(), "x": 1.0}]})
    assert d["problems"][0]["rule"] == "give lon and lat, or x and y (one pair)" or \
        d["problems"][0]["rule"] == "x and y go together"
    d = refused({"positions": [{"unit": unit, "t": "yesterday", "x": 1, "y": 2}]})
    assert d[0]["loc"] == ["body", "positions", 0, "t"]
    d = refused({"positions": [{"unit": unit, "t": t.isoformat(), "x": "a", "y": 2}]})
    assert d[0]["loc"] == ["body", "positions", 0, "x"]
    d = refused({"positions": []})
    assert d[0]["type"] == "too_short"
    d = refused({"positions": [{"unit": unit, "t": t.isoformat(), "x": 1, "y": 2,
                                "z": 3}]})
    assert d[0]["type"] == "extra_forbidden"
    r = cl.post("/api/positions", content=b'{"positions": [', headers={
        "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"
    # a stored position, then an older one in the next batch
    assert cl.post("/api/positions", json={"positions": [_pos(unit, t, at_post)]}).json()[
        "accepted"] == 1
    d = refused({"positions": [_pos(unit, t - timedelta(seconds=5), at_post)]})
    assert "out of order" in d["problems"][0]["rule"]
    after = len(store.position_history(env.centre.store, env.centre.scenario_id, unit))
    assert after == before + 1
    r = env.login("viewer").post("/api/positions", json={"positions": [_pos(unit, t, at_post)]})
    assert r.status_code == 403
    assert cl.get("/api/units").status_code == 200  # still serving


def test_oversized_body_is_refused(env: Env) -> None:
    from xunfang.web.app import MAX_BODY

    cl = env.login("operator")
    r = cl.post("/api/positions", content=b"x" * (MAX_BODY + 1),
                headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": f"request body larger than {MAX_BODY} bytes"}
    assert cl.get("/api/auth/me").status_code == 200


def test_unit_status(env: Env) -> None:
    unit = env.scenario.units[0].id
    cl = env.login("operator")
    r = cl.put(f"/api/units/{unit}/status", json={"status": "busy"})
    assert r.status_code == 200 and r.json() == {"unit": unit, "status": "busy"}
    assert {u["unit"]: u for u in cl.get("/api/units").json()["units"]}[unit]["status"] == "busy"
    r = cl.put("/api/units/NOPE/status", json={"status": "busy"})
    assert r.status_code == 404 and r.json() == {"detail": "unknown unit 'NOPE'"}
    r = cl.put(f"/api/units/{unit}/status", json={"status": "asleep"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "literal_error"
    r = env.login("viewer").put(f"/api/units/{unit}/status", json={"status": "off"})
    assert r.status_code == 403
    cl.put(f"/api/units/{unit}/status", json={"status": "available"})


# ---- incidents and dispatch --------------------------------------------------------------------
def test_dispatch_suggests_the_nearest_available_units(env: Env) -> None:
    cl = env.login("viewer")
    post = next(p for p in env.scenario.posts if p.kind == "rapid")
    r = cl.get("/api/dispatch", params={"x": post.xy[0] + 50, "y": post.xy[1], "k": 4})
    assert r.status_code == 200
    s = r.json()["suggestions"]
    assert len(s) == 4 and [x["minutes"] for x in s] == sorted(x["minutes"] for x in s)
    assert {x["basis"] for x in s} <= {"live", "plan"}
    # a busy unit is never suggested
    busy = s[0]["unit"]
    env.login("operator").put(f"/api/units/{busy}/status", json={"status": "busy"})
    s2 = cl.get("/api/dispatch", params={"x": post.xy[0] + 50, "y": post.xy[1]}).json()
    assert busy not in {x["unit"] for x in s2["suggestions"]}
    env.login("operator").put(f"/api/units/{busy}/status", json={"status": "available"})
    r = cl.get("/api/dispatch", params={"lon": 116.4, "lat": 39.9})
    assert r.status_code == 422
    assert r.json() == {"detail": "outside the jurisdiction (more than 2000 m beyond its roads)"}
    r = cl.get("/api/dispatch", params={"lon": 103.25})
    assert r.json() == {"detail": "lon and lat go together"}
    r = cl.get("/api/dispatch")
    assert r.json() == {"detail": "give lon and lat, or x and y (one pair)"}
    r = cl.get("/api/dispatch", params={"lon": "nan", "lat": 1})
    assert r.status_code == 422


def test_report_an_incident(env: Env) -> None:
    post = next(p for p in env.scenario.posts if p.kind == "rapid")
    body = {"x": post.xy[0], "y": post.xy[1] + 80, "category": "盗窃 theft", "priority": 1}
    r = env.login("viewer").post("/api/incidents", json=body)
    assert r.status_code == 403
    cl = env.login("operator")
    r = cl.post("/api/incidents", json=body)
    assert r.status_code == 201, r.text
    inc = r.json()["incident"]
    assert inc["category"] == "盗窃 theft" and inc["source"] == "live" and inc["by"] == "operator"
    assert inc["time"] == "2026-12-01T10:30:00+08:00"  # scenario local time, its offset
    assert len(r.json()["suggestions"]) == 3
    listed = cl.get("/api/incidents", params={"source": "live"}).json()["incidents"]
    assert inc["id"] in {i["id"] for i in listed}
    n = len(listed)
    # any text an import may store, markup and quotes included: stored verbatim (bound as a
    # parameter) and shown escaped (tests/web/test_browser.py's imported <img onerror>)
    for text in ("<script>alert(1)</script>", "x'); DROP TABLE incidents;--", "A & B"):
        r = cl.post("/api/incidents", json={**body, "category": text})
        assert r.status_code == 201 and r.json()["incident"]["category"] == text, r.text
    n += 3
    for bad_category in ("tab\there", "x" * 101):
        r = cl.post("/api/incidents", json={**body, "category": bad_category})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "category"]
    for bad, detail in (
        ({**body, "t": (T0 + timedelta(hours=2)).isoformat()},
         "t: in the future (server time 2026-12-01T02:30:00+00:00)"),
        ({"lon": 0.0, "lat": 0.0}, "outside the jurisdiction (more than 2000 m beyond its roads)"),
    ):
        r = cl.post("/api/incidents", json=bad)
        assert r.status_code == 422 and r.json() == {"detail": detail}
    r = cl.post("/api/incidents", json={**body, "priority": 7})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "priority"]
    assert len(cl.get("/api/incidents", params={"source": "live"}).json()["incidents"]) == n


def test_import_incidents_reports_like_the_cli(env: Env) -> None:
    csv = (b"id,time,lon,lat,category\n"
           b"a1,2026-11-20 10:00,103.2530,29.2251,theft\n"
           b"a2,2026-11-20 11:00,103.2540,29.2260,fight\n"
           b"a3,not a time,103.2540,29.2260,fight\n"
           b"a4,2026-11-20 12:00,116.40,39.90,theft\n")
    files = {"file": ("calls.csv", io.BytesIO(csv), "text/csv")}
    r = env.login("operator").post("/api/incidents/import", files=files)
    assert r.status_code == 403
    cl = env.login("planner")
    r = cl.post("/api/incidents/import",
                files={"file": ("calls.csv", io.BytesIO(csv), "text/csv")})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["rows"] == 4 and rep["kept"] == 2 and rep["stored"] == 2
    assert {p["row"] for p in rep["problems"]} == {3, 4}
    assert rep["source"] == "calls.csv"
    # the same ids again: the store refuses the whole import
    r = cl.post("/api/incidents/import",
                files={"file": ("calls.csv", io.BytesIO(csv), "text/csv")})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["message"].startswith("calls.csv: 2 error(s), nothing stored")
    # the rows the store refused, and the rows the checks set aside, by the file's rows
    assert [(p["row"], p["rule"]) for p in d["problems"] if p["severity"] == "error"] == [
        (1, "unique-id"), (2, "unique-id")]
    assert [p["row"] for p in d["problems"]] == [1, 2, 3, 4]
    r = cl.post("/api/incidents/import",
                files={"file": ("calls.exe", io.BytesIO(b"MZ"), "application/octet-stream")})
    assert r.status_code == 415
    assert r.json() == {"detail": "file 'calls.exe': use one of .csv, .csv.gz, .txt, .xlsx, "
                                  ".xls, .geojson, .json, .gpkg, .kml, .zip"}
    # a zipped export (as portals hand them out) reads as its table; its problems name the
    # uploaded archive and the member, not the server's temporary file
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("export/calls.csv", csv.replace(b"a1,", b"z1,").replace(b"a2,", b"z2,"))
    r = cl.post("/api/incidents/import",
                files={"file": ("export.zip", io.BytesIO(zipped.getvalue()), "application/zip")})
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 2
    twice = io.BytesIO()
    with zipfile.ZipFile(twice, "w") as z:
        z.writestr("a.csv", csv)
        z.writestr("b.csv", csv)
    r = cl.post("/api/incidents/import",
                files={"file": ("two.zip", io.BytesIO(twice.getvalue()), "application/zip")})
    assert r.status_code == 422 and r.json()["detail"].startswith(
        "two.zip: the archive holds 2 tables (a.csv, b.csv)")
    r = cl.post("/api/incidents/import",
                files={"file": ("empty.csv", io.BytesIO(b"id,time\n"), "text/csv")})
    assert r.status_code == 422
    assert r.json() == {"detail": "empty.csv: the table has a header but no rows"}
    assert r.status_code == 422


# ---- users, audit, alerts acknowledged, OpenAPI ------------------------------------------------
def test_users_and_audit(env: Env) -> None:
    cl = env.login("commander")
    r = cl.post("/api/users", json={"name": "duty2", "role": "operator",
                                    "password": "another pass 2"})
    assert r.status_code == 201 and r.json() == {"name": "duty2", "role": "operator"}
    r = cl.post("/api/users", json={"name": "duty2", "role": "operator",
                                    "password": "another pass 2"})
    assert r.status_code == 409 and r.json() == {"detail": "user name 'duty2' is taken"}
    r = cl.post("/api/users", json={"name": "<b>x</b>", "role": "god", "password": "short"})
    assert r.status_code == 422
    assert [p["rule"] for p in r.json()["detail"]["problems"]] == [
        "name-format", "role-known", "password-length"]
    assert "duty2" in {u["name"] for u in cl.get("/api/users").json()["users"]}
    r = env.login("planner").post("/api/users", json={"name": "x", "role": "viewer",
                                                      "password": "12345678"})
    assert r.status_code == 403
    assert env.login("viewer").get("/api/audit").status_code == 403
    entries = env.login("planner").get("/api/audit", params={"limit": 50}).json()["entries"]
    assert any(e["action"] == "create" and e["object_type"] == "user"
               and e["user"] == "commander" for e in entries)


def test_acknowledge_an_alert(new_env) -> None:
    e = new_env()
    cl, _, _ = _outside_for_20_min(e)
    aid = cl.get("/api/alerts").json()["alerts"][0]["id"]
    assert e.login("viewer").post(f"/api/alerts/{aid}/ack").status_code == 403
    r = cl.post(f"/api/alerts/{aid}/ack")
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "operator"
    assert r.json()["id"] == aid and r.json()["acknowledged_at"].endswith("+00:00")
    r = cl.post("/api/alerts/99999/ack")
    assert r.status_code == 404 and r.json() == {"detail": "no alert with id 99999"}


def test_openapi_lists_every_resource(env: Env) -> None:
    doc = env.client.get("/openapi.json").json()
    paths = set(doc["paths"])
    for p in ("/api/scenarios", "/api/incidents", "/api/incidents/import", "/api/plans",
              "/api/plans/{plan_id}/diff/{other_id}", "/api/roster/{plan_id}",
              "/api/rings/now", "/api/kpis/{plan_id}", "/api/positions", "/api/units",
              "/api/dispatch", "/api/alerts", "/api/alerts/stream", "/api/users",
              "/api/audit", "/api/auth/login"):
        assert p in paths, p
    assert {t["name"] if isinstance(t, dict) else t for v in doc["paths"].values()
            for op in v.values() for t in op.get("tags", [])} >= {
        "scenarios", "incidents", "plans", "roster", "rings", "kpis", "positions", "units",
        "dispatch", "alerts", "users", "auth"}


def test_every_api_route_needs_a_login(env: Env) -> None:
    from fastapi.testclient import TestClient

    anon = TestClient(env.client.app)
    pid = env.centre.current
    for method, path in (("GET", "/api/scenarios"), ("GET", "/api/plans"),
                         ("GET", f"/api/plans/{pid}"), ("GET", f"/api/roster/{pid}"),
                         ("GET", f"/api/kpis/{pid}"), ("GET", "/api/rings/now"),
                         ("GET", "/api/units"), ("GET", "/api/alerts"),
                         ("GET", "/api/incidents"), ("GET", "/api/dispatch?x=1&y=1"),
                         ("POST", "/api/positions"), ("POST", "/api/plans"),
                         ("GET", "/api/audit"), ("GET", "/api/alerts/stream")):
        r = anon.request(method, path, json={"positions": []} if method == "POST" else None)
        assert r.status_code in (401, 422), (method, path, r.status_code)
        if r.status_code == 422:  # the body is checked first for POSTs; never stored
            continue
        assert r.json()["detail"] == "not logged in: log in at /login or send a bearer token"


def test_a_lost_database_is_reported_and_the_server_recovers(new_env) -> None:
    from xunfang import store

    e = new_env()
    cl = e.login("viewer")
    good = e.centre.store
    # the database goes away (a PostgreSQL server nobody listens for)
    e.centre.store = store.Store("postgresql+psycopg://nobody@127.0.0.1:1/none", retries=1,
                                 retry_pause=0.0)
    try:
        r = cl.get("/api/units")
        assert r.status_code == 503
        detail = r.json()["detail"]
        assert detail.startswith("database postgresql+psycopg://nobody@127.0.0.1:1/none "
                                 "unavailable after 2 attempt(s)"), detail
    finally:
        e.centre.store.dispose()
        e.centre.store = good
    assert cl.get("/api/units").status_code == 200


def test_status_sent_with_positions(new_env) -> None:
    from xunfang import store

    e = new_env()
    unit, _, at_post, _ = _unit_and_grids(e)
    cl = e.login("operator")
    t = e.clock()
    r = cl.post("/api/positions", json={"positions": [
        {**_pos(unit, t - timedelta(minutes=2), at_post), "status": "responding"},
        {**_pos(unit, t - timedelta(minutes=1), at_post), "status": "busy"}]})
    assert r.status_code == 200, r.text
    assert e.centre.live.state[unit].status == "busy"
    assert store.latest_status(e.centre.store, e.centre.scenario_id)[unit].status == "busy"
    r = cl.post("/api/positions", json={"positions": [
        {**_pos(unit, t, at_post), "status": "asleep"}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == [
        "body", "positions", 0, "status"]
    assert e.centre.live.state[unit].status == "busy"


def test_a_restart_keeps_what_was_stored(new_env, planned) -> None:
    from fastapi.testclient import TestClient

    from xunfang.web import Centre, create_app

    e = new_env()
    cl, unit, elsewhere = _outside_for_20_min(e)
    old_alert = cl.get("/api/alerts").json()["alerts"][0]
    old_plan = e.centre.current
    # the server stops; a new one starts on the same database with a new plan made
    sc, result, req = planned
    again = Centre(sc, result, req, db=e.centre.store, clock=e.clock)
    assert again.current != old_plan
    assert again.live.state[unit].xy == pytest.approx(elsewhere)
    assert again.live.alerts[f"grid:{unit}"].id == old_alert["id"]
    cl2 = TestClient(create_app(again, tick_seconds=0))
    assert cl2.post("/api/auth/login", json={"name": "viewer", "password": PASSWORD}
                    ).status_code == 200
    plans = cl2.get("/api/plans").json()["plans"]
    plans.sort(key=lambda p: p["id"])
    assert [p["id"] for p in plans] == [old_plan, again.current]
    # the stages were stored with the plan (tests/web/test_plan_stages_restart.py)
    assert [p["stages_detail"] for p in plans] == [True, True]
    assert [p["active"] for p in plans] == [False, True]
    doc = cl2.get(f"/api/plans/{old_plan}").json()
    assert doc["plan"]["seed"] == 0 and doc["stages"]["posture"] and "note" not in doc
    assert cl2.get(f"/api/roster/{old_plan}").json()["from"] == "2026-12-01"
    assert len(cl2.get(f"/api/plans/{old_plan}/sheet").json()["rows"]) == len(sc.units)
    assert "roads" in cl2.get(f"/api/plans/{old_plan}/layers").json()
    # the alert holds while the unit is still out (its track was replayed)
    again.live.evaluate()
    assert again.live.alerts[f"grid:{unit}"].id == old_alert["id"]


def test_dashboard_of_a_chosen_plan(env: Env) -> None:
    cl = env.login("viewer")
    pid = env.centre.current
    page = cl.get(f"/?plan={pid}")
    assert page.status_code == 200 and f'"plan": {pid}' in page.text
    assert '"can_live": false' in page.text and '"can_import": false' in page.text
    r = cl.get("/?plan=999")
    assert r.status_code == 404 and r.json() == {"detail": "no plan with id 999"}


def test_no_page_loads_anything_from_the_internet(env: Env) -> None:
    cl = env.login("viewer")
    assert cl.get("/api/docs").status_code == 404  # Swagger UI would load a CDN
    assert cl.get("/docs").status_code == 404
    for path in ("/", "/login", "/static/app/app.js", "/static/app/app.css"):
        text = cl.get(path).text
        assert "cdn" not in text.lower() and "//unpkg" not in text, path


def test_slot_of_a_day_outside_the_plan_is_the_same_time_of_day(env: Env) -> None:
    live = env.centre.live
    plan = live.plan
    inside = T0  # 10:30 local on the plan's day
    assert live.slot_at(inside).index == 10
    later = T0 + timedelta(days=4, hours=5)  # 15:30 local, four days on
    assert live.slot_at(later).start == plan.slots[15].start
    assert live.slot_at(later).index == 15


def test_throttle_window() -> None:
    from xunfang.web.auth import Throttle

    now = [0.0]
    th = Throttle(limit=2, window_s=60, clock=lambda: now[0])
    assert th.retry_after("ip") == 0
    th.fail("ip")
    th.fail("ip")
    assert th.retry_after("ip") == 61
    now[0] = 30
    assert th.retry_after("ip") == 31
    now[0] = 61
    assert th.retry_after("ip") == 0


def test_a_plan_whose_roster_cannot_be_stored_is_taken_back(
        planned, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Plan and roster are saved together: a failing roster save leaves no plan behind."""
    import pytest as _pytest

    from xunfang import store as store_mod
    from xunfang.web import Centre

    sc, result, req = planned
    db = store_mod.open_store(f"sqlite:///{tmp_path / 'c.db'}")
    centre = Centre(sc, result, req, db=db)
    before = len(store_mod.list_plans(db, centre.scenario_id))

    def broken(*args: object, **kwargs: object) -> None:
        raise store_mod.DatabaseUnavailable("simulated loss during the roster save")

    monkeypatch.setattr(store_mod, "save_roster", broken)
    with _pytest.raises(store_mod.DatabaseUnavailable):
        centre.add_plan(result, req, actor="system")
    assert len(store_mod.list_plans(db, centre.scenario_id)) == before
    db.dispose()


def test_import_a_records_systems_xls_export(env: Env) -> None:
    # "export to Excel" from a 110 system: an HTML table named .xls, one row per unit sent
    page = ("<html><head><meta charset='utf-8'></head><body><table>"
            "<tr><th>id</th><th>time</th><th>lon</th><th>lat</th><th>unit</th></tr>"
            "<tr><td>x1</td><td>2026-11-21 10:00</td><td>103.2530</td><td>29.2251</td>"
            "<td>派出所</td></tr>"
            "<tr><td>x1</td><td>2026-11-21 10:00</td><td>103.2530</td><td>29.2251</td>"
            "<td>巡特警</td></tr>"
            "<tr><td>x2</td><td>2026-11-21 11:00</td><td>103.2540</td><td>29.2260</td>"
            "<td>派出所</td></tr></table></body></html>").encode()
    r = env.login("planner").post(
        "/api/incidents/import",
        files={"file": ("导出.xls", io.BytesIO(page), "application/vnd.ms-excel")})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["rows"] == 3 and rep["stored"] == 2  # x1 once: not a unique-id refusal
    assert [p["row"] for p in rep["problems"]] == [2]
