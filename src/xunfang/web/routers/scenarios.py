"""The scenario the centre runs on, and the built-in scenarios."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from xunfang.scenario import counts
from xunfang.scenario.loader import builtin_names
from xunfang.web.deps import CentreDep, Reader

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])


def _summary(c: CentreDep) -> dict[str, object]:
    sc = c.scenario
    return {"name": sc.name, "title": sc.title or sc.name, "crs": sc.crs.working,
            "timezone": sc.timezone, "slot_minutes": sc.slot_minutes,
            "inputs_hash": sc.inputs_hash, "counts": counts(sc),
            "policy": {"response_targets": {str(k): v for k, v in
                                            sc.policy.response_targets.items()},
                       "revisit_minutes": {str(k): v for k, v in
                                           sc.policy.revisit_minutes.items()},
                       "isochrone_minutes": list(sc.policy.isochrone_minutes)}}


@router.get("")
def list_scenarios(_: Reader, c: CentreDep) -> dict[str, object]:
    return {"current": c.scenario.name, "builtin": list(builtin_names())}


@router.get("/{name}")
def get_scenario(name: str, _: Reader, c: CentreDep) -> dict[str, object]:
    if name != c.scenario.name:
        raise HTTPException(404, f"scenario {name!r} is not the one this centre runs "
                                 f"({c.scenario.name!r})")
    return _summary(c)
