"""The 1-3-5 rings as they stand now (from where the available units are)."""

from __future__ import annotations

from fastapi import APIRouter

from xunfang.web.deps import CentreDep, Reader

router = APIRouter(prefix="/api/rings", tags=["rings"])


@router.get("/now")
def rings_now(_: Reader, c: CentreDep) -> dict[str, object]:
    """Share of nodes within their ring target from the available on-duty units: their fresh
    positions (``live_sources``), else the places the plan gives them."""
    return c.live.rings_now()
