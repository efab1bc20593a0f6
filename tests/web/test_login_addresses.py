"""Security review AS #3 and #6 through the API: the per-address throttle counts an IPv6
address by its /64 as the store does, and a planner reading /api/audit does not see a
password typed into the name field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, Env


def test_the_throttle_counts_an_ipv6_64_as_one_address(new_env) -> None:
    from xunfang.web.auth import Throttle

    e: Env = new_env(throttle=Throttle(limit=3))
    answers = []
    for i in range(1, 5):  # four addresses of one /64, a name each (no pair lock is met)
        cl = TestClient(e.client.app, client=(f"2001:db8:7:7::{i}", 40000))
        answers.append(cl.post("/api/auth/login",
                               json={"name": f"guess{i}", "password": "nope nope"}).status_code)
    assert answers == [401, 401, 401, 429]
    other = TestClient(e.client.app, client=("2001:db8:7:8::1", 40000))
    assert other.post("/api/auth/login",
                      json={"name": "viewer", "password": PASSWORD}).status_code == 200


def test_the_audit_does_not_show_a_password_typed_as_a_name(new_env) -> None:
    e: Env = new_env()
    typed = "Hunter2-typed-in-the-name-box"
    anon = TestClient(e.client.app)
    r = anon.post("/api/auth/login", json={"name": typed, "password": "nope nope"})
    assert r.status_code == 401
    r = anon.post("/api/auth/login", json={"name": "viewer", "password": "nope nope"})
    assert r.status_code == 401
    page = e.login("planner").get("/api/audit", params={"action": "login-failed"})
    assert page.status_code == 200 and typed not in page.text
    users = [x["user"] for x in page.json()["entries"]]
    assert "viewer" in users  # a known name as is
    assert any(u.startswith("unknown name #") for u in users), users
