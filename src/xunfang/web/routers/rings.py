"""The 1-3-5 rings: as they stand now (from where the available units are), and from the
scenario's posts as `xunfang rings analyze` computes them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from xunfang.planning import blockade, coverage
from xunfang.scenario.model import SOURCE_POST_KINDS, STAFFED_POST_KINDS, Mode
from xunfang.web.deps import CentreDep, Reader
from xunfang.web.routers.incidents import locate

router = APIRouter(prefix="/api/rings", tags=["rings"])


@router.get("/now")
def rings_now(_: Reader, c: CentreDep) -> dict[str, object]:
    """Share of nodes within their ring target from the responding on-duty units, each at
    its own mode's speed: their fresh positions (``live_sources``), else the places the plan
    gives them. ``counted`` and ``left_out`` name the units and why."""
    return c.live.rings_now()


@router.get("/analyze")
def rings_analyze(
    _: Reader,
    c: CentreDep,
    mode: Mode = "car",
    speed_kph: Annotated[float | None, Query(
        gt=0, allow_inf_nan=False,
        description="Make every road this speed (km/h) and ignore peak hours.")] = None,
    posts: Annotated[str | None, Query(
        max_length=200, description="Source post kinds, comma-separated (default: the "
        f"staffed kinds); any of {', '.join(SOURCE_POST_KINDS)}.")] = None,
    target_minutes: Annotated[float | None, Query(
        gt=0, allow_inf_nan=False,
        description="One target for every place (default: by ring level/tier).")] = None,
    hour: Annotated[int | None, Query(
        ge=0, le=23, description="Hour of day for peak-hour speeds (default: free flow).")]
    = None,
) -> dict[str, object]:
    """`xunfang rings analyze --json` on the centre's scenario and roads, with the same
    options: for every node the nearest and backup post, minutes, target and whether it is
    met; the key sites likewise. The same core call as the CLI (coverage.analyze, as_json)."""
    net = c.network
    if speed_kph is not None:
        net = coverage.with_uniform_speed(net, speed_kph, mode=mode)
    asked = STAFFED_POST_KINDS if posts is None else tuple(
        k.strip() for k in posts.split(",") if k.strip())
    try:
        kinds = coverage.check_kinds(asked, option="posts")
    except coverage.CoverageError as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        cov = coverage.analyze(c.scenario, net, mode=mode, hour=hour, kinds=kinds,
                               target_minutes=target_minutes)
    except coverage.CoverageError as exc:  # no post of those kinds (at that hour)
        raise HTTPException(422, f"posts: {exc}") from None
    return coverage.as_json(cov)


@router.get("/blockade")
def rings_blockade(
    _: Reader,
    c: CentreDep,
    at: Annotated[str | None, Query(
        max_length=200, description="The incident: a node id, a post or site id, or x,y in "
        "the scenario's planar metres (or give lon/lat or x/y).")] = None,
    lon: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    lat: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    x: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    y: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    ring_minutes: Annotated[float | None, Query(
        gt=0, allow_inf_nan=False,
        description="With an incident place: the ring's radius in car minutes.")] = None,
    offender_speed_factor: Annotated[float, Query(
        ge=blockade.OFFENDER_FACTOR_RANGE[0], le=blockade.OFFENDER_FACTOR_RANGE[1],
        allow_inf_nan=False,
        description="With ring_minutes: the offender leaves the incident at car speed times "
                    "this.")] = 1.0,
) -> dict[str, object]:
    """Who seals which exit now, from where the responding units are: the town's exit posts,
    or the exits of the ring of ``ring_minutes`` around the incident, each seal against the
    offender's time (``xunfang rings blockade``, but from the live positions)."""
    given = at is not None or any(v is not None for v in (lon, lat, x, y))
    if given != (ring_minutes is not None):
        raise HTTPException(422, "ring_minutes: give it with the incident's place (at, lon/lat "
                                 "or x/y), or neither for the town's exit posts")
    if ring_minutes is None and offender_speed_factor != 1.0:  # review BA: was ignored
        raise HTTPException(422, "offender_speed_factor: give it with ring_minutes and the "
                                 "incident's place; without an incident there is no offender")
    node: str | None = None
    snap_m: float | None = None
    read = None
    try:
        if at is not None:
            if any(v is not None for v in (lon, lat, x, y)):
                raise HTTPException(422, "at: give the place once, as at or as lon/lat or x/y")
            node, snap_m, read = blockade.locate_at(c.scenario, c.network, at, "car",
                                                    option="at")
        elif given:
            node, snap_m, read = blockade.snap_xy(c.network, locate(c, lon, lat, x, y), "car")
        doc = c.live.blockade(at=node, ring_minutes=ring_minutes,
                              offender_speed_factor=offender_speed_factor, snap_m=snap_m)
    except blockade.BlockadeError as exc:
        raise HTTPException(422, str(exc)) from None
    doc["centre_read"] = read
    return doc
