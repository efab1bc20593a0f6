"""The roster (who is on duty) of a plan."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from xunfang.web.deps import CentreDep, Reader
from xunfang.web.routers.plans import PlanId

router = APIRouter(prefix="/api/roster", tags=["roster"])


@router.get("/{plan_id}")
def get_roster(plan_id: PlanId, _: Reader, c: CentreDep) -> object:
    doc = c.roster(plan_id)
    if doc is None:
        why = (c.entry(plan_id).document.get("stages", {}).get("roster") or {}).get(
            "skipped", "none was stored with it")
        raise HTTPException(404, f"plan {plan_id} has no roster: {why}")
    return doc
