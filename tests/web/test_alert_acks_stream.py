"""Security review AQ #6, #7 and #1: an alert of another scenario is not acknowledged here,
the first acknowledgement stands, and the alert stream ends once its session no longer
stands (logged out, the user disabled)."""

from __future__ import annotations

import threading
import time
from datetime import UTC

import pytest

from tests.web.test_cross_origin import _alert
from xunfang import store
from xunfang.web.routers import alerts as alerts_router


# ---- #6, #7: acknowledgements --------------------------------------------------------------------
def test_an_alert_of_another_scenario_is_not_acknowledged_here(new_env) -> None:
    e = new_env()
    other = store.save_scenario(e.centre.store, name="elsewhere", extent=[0, 0, 1, 1],
                                ids={}, actor="system").id
    assert other != e.centre.scenario_id
    aid = _alert(e, scenario_id=other)
    r = e.login("operator").post(f"/api/alerts/{aid}/ack")
    assert r.status_code == 404
    assert r.json() == {"detail": f"no alert of this scenario with id {aid}"}
    row = store.list_alerts(e.centre.store, other)[-1]
    assert row.id == aid and row.acknowledged_by is None


def test_the_first_acknowledgement_stands(new_env) -> None:
    e = new_env()
    aid = _alert(e)
    r = e.login("planner").post(f"/api/alerts/{aid}/ack")
    first_at = store.list_alerts(e.centre.store, e.centre.scenario_id)[-1].acknowledged_at
    assert first_at is not None
    first = {"id": aid, "acknowledged_by": "planner",
             "acknowledged_at": first_at.replace(tzinfo=UTC).isoformat()}
    assert r.status_code == 200 and r.json() == first
    r = e.login("commander").post(f"/api/alerts/{aid}/ack")
    assert r.status_code == 200 and r.json() == first  # the first one's time, too
    row = store.list_alerts(e.centre.store, e.centre.scenario_id)[-1]
    assert (row.acknowledged_by, row.acknowledged_at) == ("planner", first_at)
    audit = e.login("commander").get("/api/audit", params={"limit": 500}).json()["entries"]
    acks = [x for x in audit if x["action"] == "acknowledge" and x["object_id"] == str(aid)]
    assert [x["user"] for x in acks] == ["planner"]


# ---- #1: the alert stream after logout -----------------------------------------------------------
@pytest.mark.parametrize("how", ["logout", "disabled"])
def test_the_alert_stream_ends_when_the_session_no_longer_stands(new_env, monkeypatch,
                                                                 how) -> None:
    monkeypatch.setattr(alerts_router, "RECHECK_SECONDS", 0.2)
    e = new_env()
    cl = e.login("viewer", fresh=True)
    token = cl.cookies.get("xf_session")
    assert token

    def end_it() -> None:
        if how == "logout":
            store.revoke_session(e.centre.store, token)
        else:
            e.centre.store.run(lambda s: setattr(
                s.query(store.UserRow).filter_by(name="viewer").one(), "disabled", True))

    # the session ends once the stream is open (its 200 is past the login check); the stream
    # then ends at its next check, 0.2 s on, far inside its 60 s timeout even under load
    t = threading.Thread(target=end_it)
    started = time.monotonic()
    with cl.stream("GET", "/api/alerts/stream?poll=0.05&timeout=60") as r:
        assert r.status_code == 200
        t.start()
        text = "".join(r.iter_text())
    t.join()
    assert time.monotonic() - started < 30, text  # ended, not at the 60 s timeout
    assert cl.get("/api/alerts/stream?timeout=0.1").status_code == 401
