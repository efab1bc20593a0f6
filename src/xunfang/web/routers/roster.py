"""The roster (who is on duty) of a plan."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from xunfang.report.folder import json_ready
from xunfang.web.deps import CentreDep, Reader

router = APIRouter(prefix="/api/roster", tags=["roster"])


@router.get("/{plan_id}")
def get_roster(plan_id: int, _: Reader, c: CentreDep) -> object:
    e = c.entry(plan_id)
    if e.result is None or e.result.roster is None:
        why = (e.document.get("stages", {}).get("roster") or {}).get(
            "skipped", "the roster is kept only for plans made since the server started")
        raise HTTPException(404, f"plan {plan_id} has no roster: {why}")
    return json_ready(e.result.roster.as_json())
