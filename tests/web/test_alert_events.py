"""Acknowledgements shown with the alerts, and the alert stream's clear and ack events
(review AM, faults 8 and 5), on the lattice town (tests/web/conftest.py ``town``)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.web.conftest import Env
from xunfang import store


def _site_alerts(e: Env) -> dict[str, int]:
    """The tier-1 sites' revisit alerts raised (past their interval), by site: alert id."""
    live = e.centre.live
    e.clock.t = live.started + timedelta(minutes=e.scenario.policy.revisit_minutes[1] + 1)
    live.evaluate()
    ids = {str(a.data["site"]): a.id for a in live.active_alerts() if a.kind == "site_revisit"}
    assert len(ids) == 2, ids
    return ids


def _events(text: str) -> list[tuple[str, dict[str, object]]]:
    """(event name, data) of each event of a text/event-stream body, in order."""
    out = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if not line.startswith(":"))
        if "data" in lines:
            out.append((lines.get("event", "message"), json.loads(lines["data"])))
    return out


def test_an_acknowledgement_is_shown_with_the_alert(town: Env) -> None:
    ids = _site_alerts(town)
    cl = town.login("operator")
    before = {a["id"]: a for a in cl.get("/api/alerts").json()["alerts"]}
    assert before[ids["S1"]]["acknowledged_by"] is None
    assert before[ids["S1"]]["acknowledged_at"] is None
    r = cl.post(f"/api/alerts/{ids['S1']}/ack")
    assert r.status_code == 200, r.text
    row = next(a for a in store.list_alerts(town.centre.store, town.centre.scenario_id)
               if a.id == ids["S1"])
    assert row.acknowledged_at is not None
    after = {a["id"]: a for a in town.login("viewer").get("/api/alerts").json()["alerts"]}
    assert after[ids["S1"]]["acknowledged_by"] == "operator"
    assert datetime.fromisoformat(str(after[ids["S1"]]["acknowledged_at"])) == \
        row.acknowledged_at.replace(tzinfo=UTC)
    assert after[ids["S2"]]["acknowledged_by"] is None
    # an alert made from stored fields alone (as a restart does) is unacknowledged until told
    a = town.centre.live.alerts["site:S2"]
    assert replace(a, data={}).acknowledged_by is None


def test_the_stream_sends_clears_and_acknowledgements(town: Env) -> None:
    ids = _site_alerts(town)
    live = town.centre.live
    plan = live.plan
    s1 = next(s for s in live.tier1 if s.id == "S1")

    operator = town.login("operator")
    failed: list[BaseException] = []

    def meanwhile() -> None:
        # while the stream runs: S1 visited (its alert clears), S2's acknowledged, and an
        # alert raised after the stream began is cleared (the plan not covering now)
        try:
            r = operator.post("/api/positions", json={"positions": [
                {"unit": "C1", "t": town.clock().isoformat(), "x": s1.xy[0], "y": s1.xy[1]}]})
            assert r.status_code == 200, r.text
            assert operator.post(f"/api/alerts/{ids['S2']}/ack").status_code == 200
            live.set_plan(replace(plan, slots=tuple(replace(s, start=s.start + timedelta(days=9))
                                                    for s in plan.slots)))
            live.set_plan(plan)
        except BaseException as exc:  # said by the test, not lost in the thread
            failed.append(exc)

    cl = town.login("viewer")
    go = threading.Thread(target=meanwhile)
    # read until the last event expected (the timeout bounds a stream that misses it). The
    # changes begin once the two active alerts have come, so after the stream took its snapshot
    # (a 0.2 s timer raced the stream's opening and lost under load: 6 runs in 20)
    text = ""
    with cl.stream("GET", "/api/alerts/stream?timeout=30&poll=0.05") as r:
        assert r.status_code == 200
        for chunk in r.iter_text():
            text += chunk
            if go.ident is None and text.count("event: ") >= 2:
                go.start()
            if text.count("event: ") == 6:
                break
    if go.ident is not None:
        go.join()
    assert not failed, failed
    events = _events(text)
    names = [n for n, _ in events]
    assert {d["id"] for _, d in events[:2]} == set(ids.values())
    cleared = {d["id"]: d for n, d in events if n == "clear"}
    assert cleared[ids["S1"]]["key"] == "site:S1"
    assert cleared[ids["S1"]]["cleared_at"] == live.cleared[ids["S1"]].isoformat()
    # in the order they happened: the two active at the start, S1 cleared, S2 acknowledged,
    # the plan alert raised and cleared
    assert names == ["alert", "alert", "clear", "ack", "alert", "clear"], names
    plan_alert = events[4][1]
    assert plan_alert["key"] == "plan" and set(cleared) == {ids["S1"], plan_alert["id"]}
    assert cleared[plan_alert["id"]]["key"] == "plan"
    acks = [d for n, d in events if n == "ack"]
    assert len(acks) == 1 and acks[0]["id"] == ids["S2"]
    assert acks[0]["acknowledged_by"] == "operator"
    at = live.alerts["site:S2"].acknowledged_at
    assert at is not None and acks[0]["acknowledged_at"] == at.isoformat()
    # clear and ack events carry no id: the browser's Last-Event-ID stays an alert's id
    ids_sent = [line for line in text.splitlines() if line.startswith("id: ")]
    assert len(ids_sent) == 3
    # a resume from the last alert id: what changed of the alerts up to it is sent again
    last = max(int(line[4:]) for line in ids_sent)
    with cl.stream("GET", "/api/alerts/stream?timeout=0.2", headers={"Last-Event-ID": str(last)}
                   ) as r:
        again = _events("".join(r.iter_text()))
    assert sorted((n, d["id"]) for n, d in again) == sorted(
        [("clear", ids["S1"]), ("clear", plan_alert["id"]), ("ack", ids["S2"])])
