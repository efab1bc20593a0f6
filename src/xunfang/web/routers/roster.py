"""The roster (who is on duty) of a plan."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from xunfang.planning.roster.result import LEAD_IN
from xunfang.web.deps import CentreDep, Reader
from xunfang.web.routers.plans import PlanId

router = APIRouter(prefix="/api/roster", tags=["roster"])


@router.get("/{plan_id}")
def get_roster(plan_id: PlanId, _: Reader, c: CentreDep) -> object:
    """The plan's roster; its ``rows`` are the plan folder's roster.csv's: first the duties of
    the day before that run into the plan's day (``reason`` "from the day before",
    ``lead_in`` counts them), then the roster's own. A review (H4 #1): the dashboard's roster
    had 29 rows where roster.csv has 36, the 7 missing being the night shift crewing every
    unit from 00:00 to 08:00. A roster stored before the centre kept its lead-in has
    ``lead_in`` null (not known) and says so in ``notes``."""
    e = c.entry(plan_id)
    doc = c.roster(plan_id)
    if doc is None:
        why = (e.document.get("stages", {}).get("roster") or {}).get(
            "skipped", "none was stored with it")
        raise HTTPException(404, f"plan {plan_id} has no roster: {why}")
    before = doc.get("lead_in")
    if not isinstance(before, list):
        notes = list(doc.get("notes") or [])
        notes.append("the duties of the day before running into the plan's first hours were "
                     "not stored with this roster (stored before the centre kept them): "
                     "the night shift crewing the units from the first hour is not listed")
        return {**doc, "lead_in": None, "notes": notes}
    rows = [{**r, "reason": LEAD_IN} for r in before if isinstance(r, dict)]
    return {**doc, "rows": [*rows, *(doc.get("rows") or [])], "lead_in": len(rows)}
