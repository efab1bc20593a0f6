"""Security review AQ #3, #5 and #4, in-process: a state-changing request carrying the
session from another origin (a page on the same host at another port is the same *site*, so
SameSite=Strict sends the cookie) is refused, logins too (login CSRF); every answer forbids
framing. The browser's side: test_cross_origin_browser.py."""

from __future__ import annotations

import io

import pytest

from tests.web.conftest import PASSWORD, Env
from xunfang import store

OTHER = "http://127.0.0.1:9999"  # the attacker's page: same host, another port
OWN = "http://testserver"  # the TestClient's own origin


def _alert(e: Env, kind: str = "test_kind", subject: str = "s1", *,
           scenario_id: int | None = None) -> int:
    row, _ = store.raise_alert(e.centre.store, scenario_id or e.centre.scenario_id, kind,
                               subject, message="m", severity="warning", data={},
                               at=e.clock().replace(tzinfo=None))
    return row.id


# ---- #3 + #5: cross-origin requests carrying the session ---------------------------------------
@pytest.mark.parametrize("headers", [
    {"Origin": OTHER},
    {"Origin": "null"},
    {"Referer": f"{OTHER}/attack.html"},
    {"Sec-Fetch-Site": "same-site", "Origin": OTHER},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_a_cross_origin_post_with_the_session_is_refused(new_env, planned, headers) -> None:
    e = new_env()
    cl = e.login("planner", fresh=True)
    first = e.centre.current
    second = e.centre.add_plan(*planned[1:], actor="system").id
    r = cl.post(f"/api/plans/{second}/current", headers=headers)
    assert r.status_code == 403, r.text
    assert r.json()["detail"].startswith("cross-origin request refused: ")
    assert "this server's own pages" in r.json()["detail"]
    assert e.centre.current == first
    aid = _alert(e)
    r = cl.post(f"/api/alerts/{aid}/ack", headers=headers)
    assert r.status_code == 403
    assert store.list_alerts(e.centre.store, e.centre.scenario_id)[-1].acknowledged_by is None
    # a fetch(no-cors) multipart import: refused before anything is read or stored
    n = len(e.login("viewer").get("/api/incidents").json().get("incidents", []))
    r = cl.post("/api/incidents/import", headers=headers,
                files={"file": ("x.csv", io.BytesIO(b"time,x,y,category\n"), "text/csv")})
    assert r.status_code == 403
    assert len(e.login("viewer").get("/api/incidents").json().get("incidents", [])) == n


@pytest.mark.parametrize("headers", [
    {"Origin": OWN}, {"Referer": f"{OWN}/?plan=1"}, {"Sec-Fetch-Site": "same-origin"},
    {},  # no browser's: a script or test with a cookie (browsers send Origin on a POST)
])
def test_the_own_origin_and_non_browsers_go_on(new_env, planned, headers) -> None:
    e = new_env()
    cl = e.login("planner", fresh=True)
    second = e.centre.add_plan(*planned[1:], actor="system").id
    r = cl.post(f"/api/plans/{second}/current", headers=headers)
    assert r.status_code == 200, r.text
    assert e.centre.current == second


def test_a_bearer_token_from_anywhere_goes_on(new_env) -> None:
    """A device's token is no cookie a page can ride on: its requests pass the origin check
    (what it may do is the device scope's: positions and status)."""
    e = new_env()
    token = e.login("operator").post("/api/auth/token").json()["token"]
    from fastapi.testclient import TestClient

    device = TestClient(e.client.app)
    unit = e.scenario.units[0].id
    r = device.put(f"/api/units/{unit}/status", json={"status": "busy"},
                   headers={"Authorization": f"Bearer {token}", "Origin": OTHER})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path,kw", [
    ("/login", {"data": {"name": "viewer", "password": PASSWORD}}),
    ("/api/auth/login", {"json": {"name": "viewer", "password": PASSWORD}}),
])
def test_a_login_from_another_origin_is_refused(env: Env, path, kw) -> None:
    """Login CSRF: the attacker's form logs the victim (no cookie yet) into their account."""
    from fastapi.testclient import TestClient

    cl = TestClient(env.client.app, follow_redirects=False)
    r = cl.post(path, headers={"Origin": OTHER}, **kw)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    assert "cross-origin request refused" in r.json()["detail"]
    r = cl.post(path, headers={"Origin": OWN}, **kw)
    assert r.status_code in (200, 303) and "xf_session" in r.headers["set-cookie"]


# ---- #4: no framing ------------------------------------------------------------------------------
def test_every_answer_forbids_framing(env: Env) -> None:
    cl = env.login("viewer")
    answers = [cl.get("/"), cl.get("/login"), cl.get("/api/plans"),
               cl.get("/static/app/app.js"), env.client.get("/api/plans"),  # 401
               cl.get("/api/plans/424242"),  # 404
               env.login("planner").post("/api/plans/1/current", headers={"Origin": OTHER})]
    for r in answers:
        assert r.headers["x-frame-options"] == "DENY", r.url
        assert r.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
