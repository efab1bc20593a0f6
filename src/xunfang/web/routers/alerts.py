"""Alerts: the active ones, and a server-sent event stream of their raises, clears and
acknowledgements."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from xunfang import store
from xunfang.web.deps import CentreDep, Reader, RowId, request_token, require
from xunfang.web.live import Alert, AlertEvent

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
AlertId = RowId
#: how often an open stream checks that its session or token still stands (logged out,
#: expired, user disabled, role no longer may view): a query each time, so not every poll
RECHECK_SECONDS = 5.0


def _event(a: Alert) -> str:
    return f"id: {a.id}\nevent: alert\ndata: {json.dumps(a.as_json(), ensure_ascii=False)}\n\n"


def _change(e: AlertEvent) -> str:
    """A ``clear`` or ``ack`` event. It has no ``id:`` line, so the browser's Last-Event-ID
    stays the last alert's id (what ``since`` means on a reconnect)."""
    a = e.alert
    if e.event == "clear":
        data: dict[str, object] = {"id": a.id, "key": a.key, "cleared_at": e.at.isoformat()}
    else:
        data = {"id": a.id, "acknowledged_by": a.acknowledged_by,
                "acknowledged_at": e.at.isoformat()}
    return f"event: {e.event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("")
def active(_: Reader, c: CentreDep) -> dict[str, object]:
    return {"alerts": [a.as_json() for a in c.live.active_alerts()]}


@router.post("/{alert_id}/ack")
def acknowledge(alert_id: AlertId, c: CentreDep,
                u: Annotated[store.UserRow, Depends(require("alert.ack"))]) -> dict[str, object]:
    """Acknowledge an alert of this centre's scenario (404 for another's). The first
    acknowledgement stands: acknowledging again answers 200 with who did first, changing
    nothing (the alert is seen, which is what the second user wanted; two operators clicking
    at once is no error)."""
    before = next((a for a in c.live.active_alerts() if a.id == alert_id), None)
    row = store.acknowledge_alert(c.store, alert_id, actor=u, scenario_id=c.scenario_id)
    fresh = before is None or before.acknowledged_by is None
    if fresh and row.acknowledged_by is not None and row.acknowledged_at is not None:
        # the live alert too, so the list and the stream show who saw it
        c.live.acknowledge(row.id, row.acknowledged_by,
                           row.acknowledged_at.replace(tzinfo=UTC))
    # the first acknowledgement's time too: the dashboard showed its own click's time after
    # a second acknowledgement (a review)
    at = row.acknowledged_at
    return {"id": row.id, "acknowledged_by": row.acknowledged_by,
            "acknowledged_at": at.replace(tzinfo=UTC).isoformat() if at else None}


@router.get("/stream")
async def stream(_: Reader, c: CentreDep, request: Request,
                 since: Annotated[int, Query(ge=0)] = 0,
                 poll: Annotated[float, Query(ge=0.05, le=5)] = 0.5,
                 timeout: Annotated[float, Query(ge=0, le=3600)] = 0) -> StreamingResponse:
    """text/event-stream: the active alerts after id ``since`` (``event: alert``), then every
    change as it happens: ``alert`` (raised), ``clear`` ({id, key, cleared_at}) of an alert
    this stream sent or that was active when it started, ``ack`` ({id, acknowledged_by,
    acknowledged_at}) of one of those. On a resume (``since`` or Last-Event-ID > 0) the
    alerts up to ``since`` that have been cleared are sent as ``clear`` and the active ones
    acknowledged as ``ack``, since the client may have missed those while away. ``timeout``
    > 0 ends the stream after that many seconds (EventSource reconnects with
    Last-Event-ID). It ends, too, within :data:`RECHECK_SECONDS` of its session or token no
    longer standing (logged out, expired, the user disabled); the reconnect is then 401."""
    last = request.headers.get("last-event-id", "")
    if last.isascii() and last.isdigit() and len(last) < 19:  # ("²".isdigit(): int fails)
        since = max(since, int(last))
    token = request_token(request)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout if timeout else None

    async def events() -> AsyncIterator[str]:
        live = c.live
        with live.lock:  # the active alerts and the event count at one moment
            n = live.last_event()
            active = live.active_alerts()
            cleared = sorted((i, t) for i, t in live.cleared.items() if i <= since)
            raised = {a.id: a for a in live.history}
        known = {a.id for a in active}
        for i, t in cleared:
            if i in raised:
                yield _change(AlertEvent(0, "clear", raised[i], t))
        for a in active:
            if a.id > since:
                yield _event(a)
            elif a.acknowledged_at is not None:
                yield _change(AlertEvent(0, "ack", a, a.acknowledged_at))
        idle = 0.0
        checked = loop.time()
        while not await request.is_disconnected() and (end is None or loop.time() < end):
            if loop.time() - checked >= RECHECK_SECONDS:
                # a review: the stream went on sending after logout; the dashboard opens it
                # without a timeout, so it is checked here, not only when it opened
                checked = loop.time()
                u = await asyncio.to_thread(store.user_for_token, c.store, token)
                if u is None or not store.permitted(u.role, "view"):
                    return
            new = live.events_after(n)
            for e in new:
                n = e.n
                if e.event == "alert":
                    if e.alert.id > since:
                        known.add(e.alert.id)
                        yield _event(e.alert)
                elif e.alert.id in known:
                    yield _change(e)
            idle = 0.0 if new else idle + poll
            if idle >= 15:
                yield ": keep-alive\n\n"
                idle = 0.0
            await asyncio.sleep(poll)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
