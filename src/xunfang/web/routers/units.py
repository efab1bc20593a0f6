"""Units now: status, last position, this slot's duty; status changes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang.web.deps import CentreDep, Reader, require

router = APIRouter(prefix="/api/units", tags=["units"])
StatusPoster = Annotated[store.UserRow, Depends(require("status.post"))]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["available", "patrolling", "responding", "busy", "off"]
    note: str = Field("", max_length=500)


@router.get("")
def list_units(_: Reader, c: CentreDep) -> dict[str, object]:
    return {"units": c.live.unit_rows()}


@router.put("/{unit}/status")
def set_status(unit: str, body: StatusIn, u: StatusPoster, c: CentreDep) -> dict[str, str]:
    if unit not in c.live.units:
        raise HTTPException(404, f"unknown unit {unit[:64]!r}")
    store.record_status(c.store, c.scenario_id, unit, body.status, actor=u, note=body.note,
                        now=c.clock())
    c.live.set_status(unit, body.status)
    c.evaluate()
    return {"unit": unit, "status": body.status}
