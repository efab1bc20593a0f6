"""The KPIs of a plan (plan.json "kpis": the plan and its baselines, simulated)."""

from __future__ import annotations

from fastapi import APIRouter

from xunfang.web.deps import CentreDep, Reader
from xunfang.web.routers.plans import PlanId

router = APIRouter(prefix="/api/kpis", tags=["kpis"])


@router.get("/{plan_id}")
def get_kpis(plan_id: PlanId, _: Reader, c: CentreDep) -> dict[str, object]:
    e = c.entry(plan_id)
    rings = e.document.get("stages", {}).get("rings")
    return {"plan": plan_id, "kpis": e.document.get("kpis"), "rings_by_slot": rings}
