"""Dispatch suggestions: the k nearest available units by travel time now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xunfang.web.deps import CentreDep, Reader
from xunfang.web.routers.incidents import locate

router = APIRouter(prefix="/api/dispatch", tags=["dispatch"])


@router.get("")
def suggest(_: Reader, c: CentreDep,
            lon: Annotated[float | None, Query(allow_inf_nan=False)] = None,
            lat: Annotated[float | None, Query(allow_inf_nan=False)] = None,
            x: Annotated[float | None, Query(allow_inf_nan=False)] = None,
            y: Annotated[float | None, Query(allow_inf_nan=False)] = None,
            k: Annotated[int, Query(ge=1, le=20)] = 3) -> dict[str, object]:
    xy = locate(c, lon, lat, x, y)
    return {"suggestions": c.live.dispatch(xy, k=k)}
