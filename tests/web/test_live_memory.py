"""A centre running for days keeps a bounded picture: alerts cleared more than a day ago are
forgotten (by the live picture; the store keeps every alert) and the event log holds the last
MAX_EVENTS events (a review: 300 raise-and-clear cycles kept 1,201 events, 601 alerts and 600
clears in memory, and a stream's reconnect replayed every clear)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.conftest import T0, Env
from xunfang import store
from xunfang.web import live as live_mod


def test_cleared_alerts_and_old_events_are_forgotten(town: Env,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_mod, "MAX_EVENTS", 20)
    e = town
    op = e.login("operator")
    live = e.centre.live
    cycles = 30  # an alert for S1 raised and cleared about every 70 minutes: 35 hours
    for i in range(cycles):
        e.clock.t = T0 + timedelta(minutes=70 * i + 65)
        e.centre.evaluate()  # S1 (and S2) due: raised
        r = op.post("/api/positions", json={"positions": [
            {"unit": "C1", "t": e.clock.t.isoformat(), "x": 200.0, "y": 200.0}]})
        assert r.status_code == 200, r.text
        e.clock.t += timedelta(minutes=1)
        e.centre.evaluate()  # S1 visited: cleared
    day_ago = e.clock.t - live_mod.KEEP_CLEARED
    assert live.cleared and all(t >= day_ago for t in live.cleared.values())
    rows = store.list_alerts(e.centre.store, e.centre.scenario_id, open_only=False)
    cleared_ever = sum(1 for r in rows if r.cleared_at is not None)
    assert len(live.cleared) < cleared_ever - 5  # those of the first hours are forgotten
    active = {a.id for a in live.alerts.values()}
    assert {a.id for a in live.history} == active | set(live.cleared)
    assert len(live.events) == 20 and live.events[-1].n > 2 * cycles
    # the store keeps every one
    assert sum(1 for r in rows if r.subject == "site:S1") == cycles
    # a stream resumed from a trimmed event gets the events kept, in order
    kept = live.events_after(1)
    assert [x.n for x in kept] == [x.n for x in live.events]
