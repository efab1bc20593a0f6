"""Device tokens (review AQ #2): scoped to posting positions and unit status, unable to make
more tokens or to reach any other endpoint, listed, revocable, their creation and revocation
audited; and failed logins locking a (name, address) pair, not the account (review AQ #8)."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta

import pytest

from tests.web.conftest import PASSWORD, Env

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

DEVICE_RULE = ("device tokens may only position.post, status.post (POST /api/positions, PUT "
               "/api/units/{unit}/status); log in for anything else")
#: what a device token may call: its two actions, and /me (to check itself)
DEVICE_ROUTES = {("POST", "/api/positions"), ("PUT", "/api/units/{unit}/status"),
                 ("GET", "/api/auth/me")}
#: no token needed or used as such (logging in; logging out revokes the token sent)
OPEN_ROUTES = {("POST", "/api/auth/login"), ("POST", "/api/auth/logout")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _a_unit_at_its_post(e: Env) -> tuple[str, tuple[float, float]]:
    live = e.centre.live
    slot = live.slot_at(e.clock())
    for a in e.centre.current_plan.plan.assignments:
        if a.slot == slot.index and a.duty == "post" and a.post is not None:
            return a.unit, live.posts[a.post].xy
    raise AssertionError("no unit on post duty now")


def test_a_device_token_cannot_make_tokens_or_users(env: Env) -> None:
    """The reviewer's chain: admin's token t1 made t2, and t2 created a commander (201)."""
    admin = env.login("commander")
    r = admin.post("/api/auth/token", json={"label": "gateway 1"})
    assert r.status_code == 200, r.text
    t1 = r.json()["token"]
    device = TestClient(env.client.app)
    r = device.post("/api/auth/token", headers=bearer(t1))
    assert r.status_code == 403
    assert r.json() == {"detail": f"a device token may not use this endpoint: {DEVICE_RULE}"}
    r = device.post("/api/users", headers=bearer(t1),
                    json={"name": "mallory", "role": "commander", "password": "x" * 12})
    assert r.status_code == 403 and r.json()["detail"].endswith(DEVICE_RULE)
    assert "mallory" not in [u["name"] for u in admin.get("/api/users").json()["users"]]
    # what it may do, /me says
    me = device.get("/api/auth/me", headers=bearer(t1)).json()
    assert me == {"name": "commander", "role": "commander", "scope": "device",
                  "actions": ["position.post", "status.post"]}


def test_a_device_token_is_refused_by_every_other_endpoint(env: Env) -> None:
    t = env.login("commander").post("/api/auth/token").json()["token"]
    device = TestClient(env.client.app)
    unit, _ = _a_unit_at_its_post(env)
    checked = 0
    # every route of the API, as the OpenAPI document lists them
    for route, ops in env.client.get("/openapi.json").json()["paths"].items():
        if not route.startswith("/api"):
            continue
        for method in (m.upper() for m in ops):
            if (method, route) in DEVICE_ROUTES | OPEN_ROUTES:
                continue
            path = re.sub(r"\{unit\}", unit, route)
            path = re.sub(r"\{[^}]+\}", "1", path)
            r = device.request(method, path, headers=bearer(t),
                               json={} if method in ("POST", "PUT", "PATCH") else None)
            assert r.status_code == 403, (method, route, r.status_code, r.text)
            assert r.json()["detail"].endswith(DEVICE_RULE), (method, route)
            checked += 1
    assert checked >= 20  # every API route but the few above
    # pages: a device token (as a cookie) opens none
    page = TestClient(env.client.app, cookies={"xf_session": t})
    r = page.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_a_device_token_posts_positions_and_status(new_env) -> None:
    e = new_env()
    t = e.login("operator").post("/api/auth/token").json()["token"]
    device = TestClient(e.client.app)
    unit, xy = _a_unit_at_its_post(e)
    r = device.post("/api/positions", headers=bearer(t), json={"positions": [
        {"unit": unit, "t": e.clock().isoformat(), "x": xy[0], "y": xy[1]}]})
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    r = device.put(f"/api/units/{unit}/status", headers=bearer(t), json={"status": "busy"})
    assert r.status_code == 200 and e.centre.live.state[unit].status == "busy"
    # a viewer's token is still bound by the role
    r = e.login("viewer").post("/api/auth/token")
    assert r.status_code == 403 and r.json()["detail"].startswith("role 'viewer' may not")


def _utc(s: str) -> datetime:
    t = datetime.fromisoformat(s)
    assert t.utcoffset() == timedelta(0), s
    return t


def test_tokens_are_listed_revoked_and_audited(new_env) -> None:
    e = new_env()
    cmd, op = e.login("commander"), e.login("operator")
    made = {}
    for who, cl, label in (("commander", cmd, "gw-north"), ("operator", op, "car 7"),
                           ("operator", op, None)):
        r = cl.post("/api/auth/token", json={"label": label} if label else None)
        assert r.status_code == 200, r.text
        made[r.json()["id"]] = (who, label, r.json()["token"])
    # the commander sees every token, the operator their own; never a secret
    listed = cmd.get("/api/auth/tokens").json()["tokens"]
    assert [(x["id"], x["user"], x["label"]) for x in listed] == [
        (i, who, label) for i, (who, label, _) in made.items()]
    for x in listed:
        assert set(x) == {"id", "user", "label", "created_at", "expires_at", "last_used_at"}
        assert _utc(x["expires_at"]) - _utc(x["created_at"]) == timedelta(days=30)
        assert all(tok not in str(x.values()) for _, _, tok in made.values())
    mine = op.get("/api/auth/tokens").json()["tokens"]
    assert {x["user"] for x in mine} == {"operator"} and len(mine) == 2
    # logins are not device tokens and are not listed
    assert e.login("viewer").get("/api/auth/tokens").json() == {"tokens": []}
    # the operator cannot revoke (nor learn of) the commander's token; the commander can
    # revoke the operator's; a revoked token stops working at once
    cmd_id = next(i for i, v in made.items() if v[0] == "commander")
    op_id = next(i for i, v in made.items() if v[1] == "car 7")
    r = op.delete(f"/api/auth/tokens/{cmd_id}")
    assert r.status_code == 404 and r.json() == {"detail": f"no device token with id {cmd_id}"}
    device = TestClient(e.client.app)
    assert device.get("/api/auth/me", headers=bearer(made[op_id][2])).status_code == 200
    r = cmd.delete(f"/api/auth/tokens/{op_id}")
    assert r.status_code == 200 and r.json()["revoked"] is True and r.json()["label"] == "car 7"
    assert device.get("/api/auth/me", headers=bearer(made[op_id][2])).status_code == 401
    assert op_id not in [x["id"] for x in cmd.get("/api/auth/tokens").json()["tokens"]]
    # a device token cannot list or revoke tokens
    r = device.get("/api/auth/tokens", headers=bearer(made[cmd_id][2]))
    assert r.status_code == 403
    r = device.delete(f"/api/auth/tokens/{cmd_id}", headers=bearer(made[cmd_id][2]))
    assert r.status_code == 403
    # audited: who, whose, label, expiry
    entries = cmd.get("/api/audit", params={"object_type": "token"}).json()["entries"]
    got = sorted((a["action"], a["user"], a["object_id"], a["detail"]["user"],
                  a["detail"]["label"]) for a in entries)
    assert got == sorted([("create", who, str(i), who, label)
                          for i, (who, label, _) in made.items()]
                         + [("revoke", "commander", str(op_id), "operator", "car 7")])
    assert all("expires_at" in a["detail"] for a in entries)


def test_a_token_label_is_checked(env: Env) -> None:
    cl = env.login("operator")
    r = cl.post("/api/auth/token", json={"label": "<b>car</b>"})
    assert r.status_code == 422 and r.json()["detail"].startswith("label: 1-64 characters")
    r = cl.post("/api/auth/token", json={"label": "x" * 65})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "label"]


def test_failed_logins_lock_the_name_for_that_address_only(new_env) -> None:
    """The reviewer locked 'victim' (and 'admin') for everyone with five wrong passwords."""
    e = new_env()
    attacker = TestClient(e.client.app, client=("203.0.113.9", 40000))
    office = TestClient(e.client.app, client=("10.1.2.3", 40000))
    for _ in range(5):
        r = attacker.post("/api/auth/login", json={"name": "commander", "password": "nope no"})
        assert r.status_code == 401
    r = attacker.post("/api/auth/login", json={"name": "commander", "password": PASSWORD})
    assert r.status_code == 401
    assert r.json()["detail"].startswith("account locked for this address after 5 failed "
                                         "logins in a row; try again after ")
    r = office.post("/api/auth/login", json={"name": "commander", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "commander"


def test_a_lock_does_not_tell_whether_a_name_exists(new_env) -> None:
    e = new_env()
    answers = {}
    for i, name in enumerate(("planner", "no.such.user")):
        cl = TestClient(e.client.app, client=(f"198.51.100.{i + 1}", 40000))
        answers[name] = [
            (r.status_code, re.sub(r"after \S+ \S+ UTC", "after T", r.json()["detail"]))
            for r in (cl.post("/api/auth/login", json={"name": name, "password": "nope no"})
                      for _ in range(6))]
    assert answers["planner"] == answers["no.such.user"]
    assert answers["planner"][-1][1].startswith("account locked for this address")
