"""Unit positions and status from devices or a GPS gateway (batch endpoint)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang.web.deps import CentreDep, require
from xunfang.web.live import LiveError

router = APIRouter(prefix="/api/positions", tags=["positions"])
Poster = Annotated[store.UserRow, Depends(require("position.post"))]

#: what the API says of a time without a UTC offset (the field's description, and the answer)
NAIVE_TIME = ("ISO 8601 date and time of the fix, best with its UTC offset (2026-12-01T10:30:00Z, "
              "2026-12-01T18:30:00+08:00). A time without an offset is read as the scenario's "
              "local time (its time zone, e.g. Asia/Shanghai), not UTC; the answer then says "
              "so under \"times_without_offset\".")


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=64)
    t: datetime = Field(description=NAIVE_TIME)
    lon: float | None = Field(None, allow_inf_nan=False)
    lat: float | None = Field(None, allow_inf_nan=False)
    x: float | None = Field(None, allow_inf_nan=False)
    y: float | None = Field(None, allow_inf_nan=False)
    speed_kph: float | None = Field(None, ge=0, allow_inf_nan=False)
    heading: float | None = Field(None, ge=0, lt=360, allow_inf_nan=False)
    status: Literal["available", "patrolling", "responding", "busy", "off"] | None = None


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    positions: list[Position] = Field(min_length=1, max_length=10_000)


@router.post("")
def post_positions(body: Batch, u: Poster, c: CentreDep) -> dict[str, object]:
    """All or nothing: any bad row refuses the batch and every bad row is listed (row,
    column, rule); lon/lat (WGS 84) or x/y in the scenario's CRS; an optional status per fix
    (the unit's last one in the batch is kept). A fix the store already holds (same unit,
    time and place: a gateway re-sending a batch), or given twice in the batch, is skipped
    and counted in ``skipped_duplicates`` (its rows in ``duplicate_rows``); another fix of a
    unit at a time it already has one is refused, naming the row. Times without a UTC
    offset are read in the scenario's time zone (``times_without_offset`` says which)."""
    rows = [p.__dict__ for p in body.positions]
    naive = sum(1 for p in body.positions if p.t.tzinfo is None)
    # said in every answer, a refusal too: a gateway sending UTC without an offset has its
    # fixes read 8 hours off in Asia/Shanghai, and is refused as "out of order" or "future"
    zone = ({"times_without_offset": {"rows": naive, "read_in_time_zone": c.scenario.timezone}}
            if naive else {})
    try:
        checked = c.live.check_batch(rows)
    except LiveError as exc:
        raise HTTPException(422, {"message": exc.message, **zone,
                                  "problems": [p.as_dict() for p in exc.problems]}) from None
    try:
        done = store.store_positions(
            c.store, c.scenario_id,
            [store.PositionIn(unit=checked.unit[i], t=checked.t[i], x=float(checked.x[i]),
                              y=float(checked.y[i]), speed_kph=body.positions[i].speed_kph,
                              heading=body.positions[i].heading)
             for i in range(len(checked.unit))], actor=u, source="api", now=c.clock())
    except store.StoreInputError as exc:
        refusal = c.live.store_refusal(exc, len(rows))
        raise HTTPException(422, {"message": refusal.message, **zone,
                                  "problems": [p.as_dict() for p in refusal.problems]}) from None
    # a status sent with a fix is recorded when it changes the unit's status
    changed: dict[str, tuple[str, datetime]] = {}
    for i, p in enumerate(body.positions):
        if p.status is not None:
            changed[p.unit] = (p.status, checked.t[i])
    for unit, (status, t) in changed.items():
        if c.live.state[unit].status != status:
            store.record_status(c.store, c.scenario_id, unit, status, actor=u, t=t,
                                now=c.clock())
    c.live.apply(checked.only([r - 1 for r in done.rows]))
    for unit, (status, _) in changed.items():
        c.live.set_status(unit, status)
    new = c.evaluate()
    return {"accepted": done.stored, "skipped_duplicates": len(done.duplicates),
            "duplicate_rows": list(done.duplicates[:100]), "alerts_raised": [a.id for a in new],
            **zone}
