"""Alerts: the active ones, and a server-sent event stream of new ones."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from xunfang import store
from xunfang.web.deps import CentreDep, Reader, require
from xunfang.web.live import Alert

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


def _event(a: Alert) -> str:
    return f"id: {a.id}\nevent: alert\ndata: {json.dumps(a.as_json(), ensure_ascii=False)}\n\n"


@router.get("")
def active(_: Reader, c: CentreDep) -> dict[str, object]:
    return {"alerts": [a.as_json() for a in c.live.active_alerts()]}


@router.post("/{alert_id}/ack")
def acknowledge(alert_id: int, c: CentreDep,
                u: Annotated[store.UserRow, Depends(require("alert.ack"))]) -> dict[str, object]:
    row = store.acknowledge_alert(c.store, alert_id, actor=u)
    return {"id": row.id, "acknowledged_by": row.acknowledged_by}


@router.get("/stream")
async def stream(_: Reader, c: CentreDep, request: Request,
                 since: Annotated[int, Query(ge=0)] = 0,
                 poll: Annotated[float, Query(ge=0.05, le=5)] = 0.5,
                 timeout: Annotated[float, Query(ge=0, le=3600)] = 0) -> StreamingResponse:
    """text/event-stream: the active alerts after id ``since``, then every new one as it is
    raised. ``timeout`` > 0 ends the stream after that many seconds (EventSource reconnects
    with Last-Event-ID)."""
    last = request.headers.get("last-event-id", "")
    if last.isdigit():
        since = max(since, int(last))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout if timeout else None

    async def events() -> AsyncIterator[str]:
        seq = since
        first = [a for a in c.live.active_alerts() if a.id > seq]
        for a in first:
            yield _event(a)
            seq = max(seq, a.id)
        idle = 0.0
        while not await request.is_disconnected() and (end is None or loop.time() < end):
            new = c.live.alerts_since(seq)
            for a in new:
                yield _event(a)
                seq = a.id
            idle = 0.0 if new else idle + poll
            if idle >= 15:
                yield ": keep-alive\n\n"
                idle = 0.0
            await asyncio.sleep(poll)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
