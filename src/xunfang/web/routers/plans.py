"""Plans: list, create (the whole planning pipeline), fetch, layers, duty sheet, diff."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang.plan import Plan
from xunfang.planning.deploy import DeployError
from xunfang.planning.pipeline import PlanResult, options_from_dict
from xunfang.report.html import PlaceNames
from xunfang.report.i18n import Lang
from xunfang.web.centre import Centre, PlanEntry, covering_plan
from xunfang.web.deps import CentreDep, Reader, RowId, require
from xunfang.web.live import plan_covers, slot_of

router = APIRouter(prefix="/api/plans", tags=["plans"])
Planner = Annotated[store.UserRow, Depends(require("plan.edit"))]
MAX_ID = store.MAX_ROW_ID
PlanId = RowId


class NewPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date
    days: int = Field(1, ge=1, le=7)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    make_current: bool = False
    # the posture's weights and rules that differ from their defaults, by name (as in
    # plan.json's request.deploy_options and `xunfang plan --option`)
    deploy_options: dict[str, bool | int | float | str] = Field(default_factory=dict)


def plan_now(plan: Plan, timezone: str, t: datetime) -> dict[str, object]:
    """Where aware time ``t`` falls in ``plan``: ``slot``, the index of its slot, and
    ``covers``, whether the plan's days hold it (its first slot's start <= local t < its last
    slot's end). Outside them the slot is the one of the same time of day on the plan's first
    day (the plan is the day's pattern: what the live checks apply), so it is always an index
    of this plan. A review: the dashboard took the current plan's now-slot for the plan it
    showed, 34 of a 2-day plan for a 1-day plan of 24 slots, and its page never came up."""
    local = t.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return {"slot": slot_of(plan, local).index, "covers": plan_covers(plan, local),
            "time": _with_offset(local, timezone)}


def _with_offset(local: datetime, timezone: str) -> str:
    """Naive local time as ISO with the zone's offset, as every time the API gives."""
    return local.replace(tzinfo=ZoneInfo(timezone)).isoformat(timespec="minutes")


#: how a plan not covering now becomes current: Centre.roll_over's rule
TAKES_OVER = ("it becomes current by itself (as \"system\") once the current plan no longer "
              "covers now, if it is then the newest stored plan made from these scenario "
              "files that covers now")


def taking_over(c: Centre, local: datetime, but: int | None = None) -> tuple[int, str] | None:
    """(id, name) of the stored plan Centre.roll_over would make current at ``local`` (naive
    local time) in place of a current plan not covering it: the newest of this scenario, made
    from the same scenario files, that covers it (other than plan ``but``); None where none
    does. The same query as roll_over's (store.plans_covering)."""
    return covering_plan(c.store, c.scenario_id, c.scenario, local, but)


def refuse_not_covering(c: Centre, what: str, first: datetime, end: datetime,
                        local: datetime, but: int | None = None) -> None:
    """409 where making current a plan whose days (``first`` to ``end``) do not hold now
    would be undone by the next tick: another stored plan covers now, and Centre.roll_over
    would make it current within seconds. A review: plan 2 (of tomorrow) was made current
    with 200, and 2 s later roll_over made plan 1 current again (audited as system): the
    planner's choice silently undone. Where no stored plan covers now, the choice stands
    (live checks apply the plan's first day's pattern, as the dashboard's banner says), so
    it is not refused."""
    other = taking_over(c, local, but)
    if other is None:
        return
    raise HTTPException(409, f"{what} runs from {first:%Y-%m-%d %H:%M} to "
                             f"{end:%Y-%m-%d %H:%M} ({c.scenario.timezone}), not now "
                             f"({local:%Y-%m-%d %H:%M}), and plan {other[0]} ({other[1]}) "
                             f"covers now: made current, it would be replaced by plan "
                             f"{other[0]} at the next tick, so it is not; {TAKES_OVER}")


@router.get("")
def list_plans(_: Reader, c: CentreDep,
               plan: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> dict[str, object]:
    """The stored plans, which is current, and ``now``: the current plan's slot at this
    moment and whether it covers it (``plan_now``); with ``?plan=ID`` also ``viewed``, the
    same for that plan. The dashboard asks every minute, to follow the clock and a change of
    the current plan made elsewhere."""
    t = c.clock()
    tz = c.scenario.timezone
    out: dict[str, object] = {"current": c.current, "plans": c.list_plans(),
                              "now": {"plan": c.current, **plan_now(c.current_plan.plan, tz, t)},
                              # which stored plan takes over at the current one's end
                              "next": c.next_plan()}
    if plan is not None:
        out["viewed"] = {"plan": plan, **plan_now(c.entry(plan).plan, tz, t)}
    return out


@router.delete("/{plan_id}")
def delete_plan(plan_id: PlanId, u: Planner, c: CentreDep) -> dict[str, object]:
    """Delete a stored plan (audited), not the current one (409): a what-if that should not
    take over when the current plan ends (``next`` in ``GET /api/plans`` says which will)."""
    try:
        c.delete_plan(plan_id, actor=u)
    except store.Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    return {"deleted": plan_id, "next": c.next_plan()}


@router.post("", status_code=201)
def create_plan(body: NewPlan, u: Planner, c: CentreDep) -> dict[str, object]:
    """Runs every planning stage (as `xunfang plan` does) and stores the plan (audited).
    Its ``deploy_options`` are checked first (422 naming ``deploy_options.NAME`` and the
    rule, nothing stored) and kept in the plan's request, so its re-plans use them."""
    try:
        options = options_from_dict(body.deploy_options, where="deploy_options")
    except DeployError as exc:
        raise HTTPException(422, str(exc)) from None
    if body.make_current:  # checked before planning: its days start at midnight (make_slots)
        local = c.clock().astimezone(ZoneInfo(c.scenario.timezone)).replace(tzinfo=None)
        first = datetime.combine(body.start, datetime.min.time())
        end = first + timedelta(days=body.days)
        if not first <= local < end:
            refuse_not_covering(c, "make_current: the plan asked for", first, end, local)
    try:
        e = c.make_plan(body.start, body.days, body.seed, actor=u,
                        activate=body.make_current, deploy_options=options)
    except ValueError as exc:
        if isinstance(exc, store.StoreInputError):
            raise
        raise HTTPException(422, f"the plan cannot be made: {exc}") from None
    if body.make_current:
        c.set_current(e.id, actor=u)
    return e.summary()


@router.post("/{plan_id}/current")
def make_current(plan_id: PlanId, u: Planner, c: CentreDep, request: Request,
                 force: Annotated[bool, Query()] = False) -> dict[str, object]:
    """Make a stored plan current (audited); 409 for one whose days do not hold now while
    another stored plan does (:func:`refuse_not_covering`), and for a re-plan of a plan that
    is no longer current (unless ``?force=true``): it would drop what the current plan
    changed since. A review (H6 B): a what-if re-plan of plan 30, made current after
    another planner had put re-plan 32 of it in force, put 32's unit out of service back on
    duty without a word."""
    e = c.entry(plan_id)  # 404 for another scenario's
    p = e.plan
    if plan_id != c.current and not force:
        made_from = e.from_plan  # the entry's, not the whole row read again
        if made_from is not None and made_from != c.current:
            from xunfang.web.app import request_lang
            from xunfang.web.i18n import replan_refusal

            raise HTTPException(409, replan_refusal(
                f"plan {plan_id} re-plans plan {made_from}, but plan {c.current} is "
                "current: made current, it would drop what has changed since; re-plan the "
                "current plan, or ask again with ?force=true", request_lang(request.scope)))
    local = c.clock().astimezone(ZoneInfo(c.scenario.timezone)).replace(tzinfo=None)
    if not p.slots[0].start <= local < p.slots[-1].end:
        refuse_not_covering(c, f"plan {plan_id}", p.slots[0].start, p.slots[-1].end, local,
                            but=plan_id)
    c.set_current(plan_id, actor=u)
    return {"current": plan_id}


@router.get("/{plan_id}")
def get_plan(plan_id: PlanId, _: Reader, c: CentreDep) -> dict[str, object]:
    """The plan's plan.json document."""
    return c.entry(plan_id).document


#: what ``?only=`` of /api/plans/{id}/stages takes: stage names of plan.json's "stages"
STAGE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@router.get("/{plan_id}/stages")
def get_stages(plan_id: PlanId, _: Reader, c: CentreDep,
               only: Annotated[str | None, Query(max_length=400)] = None
               ) -> dict[str, object]:
    """The plan's slots and the stages of its plan.json named in ``?only=`` (comma
    separated; all of them without it), without the assignments, routes and KPIs of the
    whole document: what the dashboard's map draws (``only=intel,rings``: the forecast's
    heat and the rings by slot). ``absent`` lists the names asked that this plan has no
    stage of (a plan stored before that stage existed). A review (AT): the dashboard fetched
    the whole document, 811 KB for a 1-day plan and 1.5 MB for 2 days, for its 28 KB of
    intel and rings."""
    doc = c.entry(plan_id).document
    stages = doc.get("stages")
    stages = stages if isinstance(stages, dict) else {}
    if only is None:
        names = list(stages)
    else:
        names = [n.strip() for n in only.split(",") if n.strip()]
        bad = [n for n in names if not STAGE_NAME.match(n)]
        if bad or not names:
            raise HTTPException(422, f"only {only!r}: give stage names of plan.json's "
                                     f"\"stages\" separated by commas (lower-case letters, "
                                     f"digits and _; such as intel,rings); "
                                     f"{'not a name: ' + repr(bad[0]) if bad else 'none given'}")
    plan = doc.get("plan")
    slots = plan.get("slots", []) if isinstance(plan, dict) else []
    return {"id": plan_id, "plan": {"slots": slots},
            "stages": {n: stages[n] for n in names if n in stages},
            "absent": [n for n in names if n not in stages]}


@router.get("/{plan_id}/layers")
def get_layers(plan_id: PlanId, _: Reader, c: CentreDep) -> dict[str, object]:
    """GeoJSON (WGS 84) of roads, areas (zones, grids, rings), sites, posts and the rings."""
    return c.entry(plan_id).layers()


#: the report's own policy: it is one self-contained page (inline CSS and SVG, no script),
#: so nothing outside it is fetched even were its text to ask
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              "frame-ancestors 'none'")


@router.get("/{plan_id}/report", response_class=HTMLResponse)
def plan_report(plan_id: PlanId, _: Reader, c: CentreDep,
                lang: Annotated[Literal["zh", "en"] | None, Query()] = None) -> HTMLResponse:
    """The plan's printable report: the report.html ``xunfang plan`` (``xunfang replan`` for a
    re-plan) writes for it, in ``?lang`` (default: the plan's own), self-contained, with a
    file name to save it under (:func:`~xunfang.web.report.plan_report`). A re-plan's is
    headed as one, keeps the roster and checkpoint sections of the plan it re-plans and
    lists its changes. A plan read back from the store (after a restart) is rendered from
    what the store holds of it, the same page. 409 naming what is missing for a plan stored
    without it (its roster, the checkpoint game's coverage; a re-plan's plan deleted), 422
    for a plan stored without its stages."""
    from xunfang.web import report

    try:
        html, lang = report.plan_report(c, plan_id, lang)
    except report.ReportMissing as exc:
        raise HTTPException(409, str(exc)) from None
    except report.ReportUnfit as exc:
        raise HTTPException(422, str(exc)) from None
    name = report.report_filename(c, plan_id, lang)
    return HTMLResponse(html, headers={
        "content-disposition": f'inline; filename="{name}"',
        "content-security-policy": REPORT_CSP, "content-language": lang})


def entry_result(e: PlanEntry) -> PlanResult:
    """The plan's result as the report's writers read it: the one made in this process, or
    one put together from the stored document (its stages: the routes' grids and driven
    nodes that name a route's streets)."""
    if e.result is not None:
        return e.result
    stages = e.document.get("stages")
    return PlanResult(scenario=e.scenario, network=e.network, plan=e.plan, coverage={},
                      stages=stages if isinstance(stages, dict) else {})


@router.get("/{plan_id}/sheet")
def duty_sheet(plan_id: PlanId, _: Reader, c: CentreDep, request: Request,
               lang: Annotated[Literal["zh", "en"] | None, Query()] = None
               ) -> dict[str, object]:
    """The duty sheet (勤务表): one row per unit, one cell per slot. A cell's ``where`` names
    the place as the printed plan sheet does (:class:`~xunfang.report.html.PlaceNames`: a
    post or site by name with its id in brackets, a grid by name, a route by its streets, a
    staging node by its crossing or key site) in ``?lang`` (else the page's, as
    :func:`~xunfang.web.app.request_lang` reads it); ``place`` is plan_sheet.csv's ``place``
    of the unit and slot (the ids programs read: a post, a grid, a route's driven nodes
    ``n108 > n203``, a key site ``S05 name`` where a unit stands at it; "" off duty) and
    ``grid`` the grid patrolled. A review (AT): ``where`` was ``n194…n194`` for a staging
    unit, and posts and grids were bare ids, while the printed sheet named streets,
    crossings, posts and sites.

    ``video``: the video desk's camera tours, plan_sheet.csv's rows of kind ``video`` (its
    operators are not units). ``shortfalls``: the plan's shortfalls (:func:`plan_shortfalls`).
    A review (H4 #2, #4): the sheet had no camera tour (plan_sheet.csv has 48), no
    shortfall, and 87 cells whose ``place`` differed from plan_sheet.csv's (``n153`` for
    "S05 峨边县人民医院", a route's one waypoint for its six driven nodes)."""
    from xunfang.report.folder import plan_sheet_rows
    from xunfang.web.app import request_lang

    e = c.entry(plan_id)
    p = e.plan
    result = entry_result(e)
    names = PlaceNames(result, lang or request_lang(request.scope))
    hour = {s.index: s.start.hour for s in p.slots}
    units = {u.id: u for u in c.scenario.units}
    # plan_sheet.csv's own rows: one writer of ``place`` for the sheet and the file
    csv_rows = plan_sheet_rows(result, cast(Lang, names.lang), names)
    start_of = {s.index: s.name for s in p.slots}
    place_of = {(r["unit"], r["slot_start"]): r["place"] for r in csv_rows
                if r["kind"] != "video"}
    rows = []
    for uid in p.units:
        u = units.get(uid)
        cells = [{"duty": a.duty, "word": duty_word(a),
                  "where": names.place(a, hour.get(a.slot)) if a.duty != "off" else "",
                  "place": (place_of.get((uid, start_of.get(a.slot, "")), "")
                            if a.duty != "off" else ""),
                  "grid": (names.grid(a) or "") if a.duty != "off" else ""}
                 for a in p.of_unit(uid)]
        rows.append({"unit": uid, "tier": u.tier if u else "", "mode": u.mode if u else "",
                     "squad": u.squad if u else "", "cells": cells})
    video = [{"desk": r["unit"], "start": r["slot_start"], "end": r["slot_end"],
              "cameras": r["place"].split(";") if r["place"] else [], "place": r["place"],
              "where": r["place_name"], "duty": r["duty"]}
             for r in csv_rows if r["kind"] == "video"]
    return {"plan": plan_id, "lang": names.lang, "slots": [s.name for s in p.slots],
            "rows": rows, "video": video, "shortfalls": plan_shortfalls(result, names)}


def duty_word(a: Any) -> str:
    """The value the dashboard says ``a``'s duty by (web/i18n.py VALUES ``duty:…``):
    ``point`` for an auxiliary force standing at one key site in its hours (the printed
    report's 定点值守, :func:`~xunfang.report.html.at_one_place`; a review: the dashboard
    called BA-1 at the hospital 路线巡逻), else the duty itself."""
    from xunfang.report.html import at_one_place

    return "point" if at_one_place(a) else str(a.duty)


def plan_shortfalls(result: PlanResult, names: PlaceNames) -> list[dict[str, object]]:
    """The plan's shortfalls in ``names.lang``, as the printed report says them: the
    posture's per slot (``slot``, ``start``, ``duty``, ``place`` and ``need``/``have`` as
    plan.json has them; ``duty_said``, ``place_name`` and ``detail`` in words; ``text`` the
    line the dashboard shows), then the other stages' sentences (routes, drones, video,
    auxiliary: ``slot`` null, their cells' slots as clock times in ``text``, the stage's own
    sentence in ``source``). A review
    (H4 #2): plan.json's "05:00, G4, patrol work, need 2, have 1" was nowhere on the page."""
    from xunfang.report.html import (
        OTHER_SHORT_STAGES,
        _cells_said,
        _short_row,
        _stage_short_text,
    )
    from xunfang.report.i18n import t

    lang = cast(Lang, names.lang)

    def T(key: str, **kw: object) -> str:
        return t(key, lang, **kw)

    at = {s.index: s for s in result.plan.slots}
    days = len({s.start.date() for s in result.plan.slots}) > 1
    out: list[dict[str, object]] = []
    posture = result.stages.get("posture")
    shorts = posture.get("shortfalls") if isinstance(posture, Mapping) else None
    for f in shorts if isinstance(shorts, list) else []:
        if not isinstance(f, Mapping):
            continue
        said = _short_row(dict(f), T)
        detail = str(said.get("detail") or "")
        place = str(f.get("place") or "")
        place_name = (names.grid_name(place) if place in names.grid_names
                      else names.site(place) if place in names.sites else names.post(place))
        slot = at.get(int(f.get("slot", -1)))
        when = (f"{slot.start:%m-%d %H:%M}" if days else f"{slot.start:%H:%M}") if slot else ""
        duty = str(said.get("duty") or f.get("duty") or "")
        out.append({"stage": "posture", "slot": f.get("slot"), "start": f.get("start"),
                    "duty": f.get("duty"), "duty_said": duty, "place": place,
                    "place_name": place_name, "need": f.get("need"), "have": f.get("have"),
                    "detail": detail,
                    "text": SHORT_LINE[lang].format(when=when, place=place_name, duty=duty,
                                                    need=f.get("need"), have=f.get("have"),
                                                    detail=detail)})
    said_when = _cells_said(result, names)
    for k in OTHER_SHORT_STAGES:
        stage = result.stages.get(k)
        texts = stage.get("shortfalls") if isinstance(stage, Mapping) else None
        for text in texts if isinstance(texts, list) else []:
            out.append({"stage": k, "stage_said": T("short_stage_" + k), "slot": None,
                        "text": _stage_short_text(k, str(text), T, lang, said_when),
                        "source": str(text)})
    return out


#: a posture shortfall's line on the dashboard
SHORT_LINE: dict[str, str] = {
    "zh": "{when} {place}：{duty}需 {need}，实有 {have}。{detail}",
    "en": "{when} {place}: {duty}, need {need}, have {have}. {detail}",
}


@router.get("/{plan_id}/places")
def plan_places(plan_id: PlanId, _: Reader, c: CentreDep, request: Request,
                slot: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
                lang: Annotated[Literal["zh", "en"] | None, Query()] = None
                ) -> dict[str, object]:
    """Where the plan puts every unit on duty, slot by slot, in the layers' coordinates: a
    post or checkpoint at its point; a route as the nodes it drives (the routes stage's
    ``nodes``, else the assignment's route) with its grid; a staging unit (a one-node route)
    at its node; a grid duty at a point in its grid. Each place has ``unit``, ``mode``,
    ``duty``, ``kind`` (post, checkpoint, route, staging, grid), ``where`` (the place by
    name in ``?lang``), ``grid`` and ``grid_name``.

    Without ``?slot``: every slot's places (``places[i]``), a route's as its node ids
    (``route``) whose coordinates ``nodes`` gives once, a point's as ``at`` — what the
    dashboard's map draws as the slider moves. With ``?slot=i``: slot i's places as a
    GeoJSON FeatureCollection (a route a LineString). A review (H4 #3): the map's "planned
    places" drew posts and checkpoints only, 4 of the 17 units on duty at 03:00, every
    patrol unit left out."""
    import numpy as np
    import shapely

    from xunfang.report.layers import transformer
    from xunfang.web.app import request_lang

    e = c.entry(plan_id)
    p = e.plan
    if slot is not None and slot >= len(p.slots):
        raise HTTPException(422, f"slot {slot}: plan {plan_id} has slots 0 to "
                                 f"{len(p.slots) - 1}")
    sc = c.scenario
    names = PlaceNames(entry_result(e), lang or request_lang(request.scope))
    t = transformer(sc)
    node_xy = t(sc.roads.xy)
    post_xy = {q.id: t(np.asarray([q.xy], dtype=float))[0].tolist() for q in sc.posts}
    grid_xy = {a.id: t(shapely.get_coordinates(shapely.point_on_surface(a.geometry)))[0]
               .tolist() for a in sc.areas_of("grid")}
    modes = {u.id: u.mode for u in sc.units}
    used: set[str] = set()

    def places(s: Any) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for uid in p.units:
            a = p.at(uid, s.index)
            if a.duty == "off":
                continue
            grid = (names.grid(a) or "") if not a.post else ""
            at: list[float] | None = None
            route: list[str] | None = None
            if a.post:
                kind = "checkpoint" if a.duty == "checkpoint" else "post"
                at = post_xy.get(str(a.post))
            elif a.route:
                nodes = [n for n in names.driven_of(a) or a.route if n in names.index]
                kind = "route" if len(set(nodes)) > 1 else "staging"
                if kind == "route":
                    route = nodes
                    used.update(nodes)
                elif nodes:
                    at = node_xy[names.index[nodes[0]]].tolist()
            else:
                kind = "grid"
                at = grid_xy.get(str(a.grid))
            if at is None and route is None:
                continue
            out.append({"unit": uid, "mode": modes.get(uid, ""), "duty": a.duty,
                        "word": duty_word(a), "kind": kind,
                        "where": names.place(a, s.start.hour), "grid": grid,
                        "grid_name": names.grid_name(grid) if grid else "",
                        "at": at, "route": route})
        return out

    if slot is None:
        every = [places(s) for s in p.slots]
        return {"plan": plan_id, "lang": names.lang, "slots": [s.name for s in p.slots],
                "nodes": {n: node_xy[names.index[n]].tolist() for n in sorted(used)},
                "places": every}
    s = p.slots[slot]
    feats = []
    for q in places(s):
        route = q.pop("route")
        at = q.pop("at")
        geometry = ({"type": "LineString",
                     "coordinates": [node_xy[names.index[n]].tolist()
                                     for n in cast(list[str], route)]}
                    if route is not None else {"type": "Point", "coordinates": at})
        feats.append({"type": "Feature", "geometry": geometry, "properties": q})
    return {"plan": plan_id, "slot": slot, "start": s.name, "lang": names.lang,
            "type": "FeatureCollection", "features": feats}


@router.get("/{plan_id}/diff/{other_id}")
def diff_plans(plan_id: PlanId, other_id: PlanId, _: Reader, c: CentreDep) -> dict[str, object]:
    """Every (unit, slot) whose duty or place differs between two plans, and KPI deltas."""
    a, b = c.entry(plan_id), c.entry(other_id)
    pa, pb = a.plan, b.plan
    if len(pa.slots) != len(pb.slots):
        raise HTTPException(422, f"plans {plan_id} and {other_id} have different numbers of "
                                 f"slots ({len(pa.slots)} and {len(pb.slots)})")
    changes = []
    for u in sorted(set(pa.units) | set(pb.units)):
        for s in pa.slots:
            x = pa.at(u, s.index).as_dict() if u in pa.units else None
            y = pb.at(u, s.index).as_dict() if u in pb.units else None
            if x != y:
                changes.append({"unit": u, "slot": s.index, "a": x, "b": y})
    ka = (a.document.get("kpis") or {}).get("plan") or {}
    kb = (b.document.get("kpis") or {}).get("plan") or {}
    deltas = {k: round(float(kb[k]) - float(ka[k]), 6) for k in ka
              if isinstance(ka.get(k), int | float) and isinstance(kb.get(k), int | float)}
    return {"a": plan_id, "b": other_id, "same_inputs": pa.inputs_hash == pb.inputs_hash,
            "seeds": [pa.seed, pb.seed], "changed": len(changes), "changes": changes,
            "kpi_deltas": deltas}


class BusyIn(BaseModel):
    """A unit held at an incident in ``grid`` until ``until`` (HH:MM or ISO local)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    unit: str = Field(min_length=1, max_length=64)
    grid: str = Field(min_length=1, max_length=64)
    until: str = Field(min_length=1, max_length=40)


class HotIn(BaseModel):
    """A new hot place: ``grid`` from ``from`` to ``to`` gets ``share`` more of the slot's
    total risk and one unit more than planned."""

    model_config = ConfigDict(extra="forbid", strict=True)
    grid: str = Field(min_length=1, max_length=64)
    start: str = Field(alias="from", min_length=1, max_length=40)
    end: str = Field(alias="to", min_length=1, max_length=40)
    share: float = Field(0.5, allow_inf_nan=False)


class ReplanIn(BaseModel):
    """``xunfang replan``'s arguments: ``at`` (HH:MM on a one-day plan's day or an ISO local
    date-time; default now), ``busy``, ``out_of_service``, ``back_in_service``, ``hot``,
    ``force``; and ``make_current`` (the new plan takes over from the plan in force: the
    re-plan of the current plan in the day's run) and ``lang`` of the change list's place
    names. Strict: ``true`` is no number, ``"yes"`` no boolean (a review: both were taken)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    at: str | None = Field(None, min_length=1, max_length=40)
    busy: list[BusyIn] = Field(default_factory=list, max_length=500)
    out_of_service: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500)
    back_in_service: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500)
    hot: list[HotIn] = Field(default_factory=list, max_length=100)
    force: bool = False
    make_current: bool = False
    lang: Literal["zh", "en"] | None = None


@router.get("/{plan_id}/replan")
def replan_draft(plan_id: PlanId, _: Reader, c: CentreDep) -> dict[str, object]:
    """A draft of ``POST /api/plans/{id}/replan`` for the current plan from the units' live
    status (:meth:`~xunfang.web.live.LiveOps.replan_draft`): what the dashboard's re-plan form
    starts from. 409 for another plan: live status is the current plan's."""
    if plan_id != c.current:
        raise HTTPException(409, f"plan {plan_id} is not the current plan ({c.current}): the "
                                 "units' live status drafts a re-plan of the current plan "
                                 "only; post your own ask to re-plan another")
    return {"plan": plan_id, **c.live.replan_draft()}


@router.post("/{plan_id}/replan", status_code=201)
def replan_plan(plan_id: PlanId, body: ReplanIn, u: Planner, c: CentreDep,
                request: Request) -> dict[str, object]:
    """Re-plan a stored plan from ``at`` (动态调整) as ``xunfang replan`` re-plans a plan
    folder — the same rules and the same change list — and store the new plan (audited) with
    its ``changes`` and the plan in force's roster; with ``make_current`` it becomes current.
    422 naming the field and the rule for a bad ask (``busy[0]: unknown unit 'X'``), a plan
    stored without its stages or one made from other scenario files (unless ``force``);
    nothing is stored then. The answer: the new plan's summary (``id``), ``current`` and the
    re-plan's summary (:func:`~xunfang.report.changes.replan_summary`: changes, shortfalls
    added and resolved)."""
    from xunfang.planning.deploy.asked import BusyAsk, HotAsk
    from xunfang.web.app import request_lang
    from xunfang.web.centre import ReplanAsk
    from xunfang.web.i18n import replan_refusal

    lang = body.lang or request_lang(request.scope)
    e = c.entry(plan_id)
    tz = ZoneInfo(c.scenario.timezone)
    local = c.clock().astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    ask = ReplanAsk(
        at=body.at or local.isoformat(timespec="minutes"),
        busy=tuple(BusyAsk(b.unit, b.grid, b.until, label=f"busy[{i}]")
                   for i, b in enumerate(body.busy)),
        out_of_service=tuple((x, f"out_of_service[{i}]")
                             for i, x in enumerate(body.out_of_service)),
        hot=tuple(HotAsk(h.grid, h.start, h.end, label=f"hot[{i}]", share=h.share)
                  for i, h in enumerate(body.hot)),
        back=tuple((x, f"back_in_service[{i}]") for i, x in enumerate(body.back_in_service)),
        force=body.force)
    if body.make_current:  # checked before planning, as create_plan does
        p = e.plan
        if not p.slots[0].start <= local < p.slots[-1].end:
            refuse_not_covering(c, f"make_current: plan {plan_id}", p.slots[0].start,
                                p.slots[-1].end, local)
    try:
        new, summary = c.replan(plan_id, ask, actor=u, make_current=body.make_current,
                                lang=lang)
    except DeployError as exc:  # said in the page's language (H3 #3)
        raise HTTPException(422, replan_refusal(f"the plan cannot be re-planned: {exc}",
                                                lang)) from None
    except store.Conflict as exc:
        raise HTTPException(409, replan_refusal(str(exc), lang)) from None
    summary["shortfalls_added_said"] = added_said(new, summary, cast(Lang, new.document.get(
        "changes_lang", "en")))
    return {**new.summary(), "current": c.current, "from_plan": plan_id, **summary}


def added_said(e: PlanEntry, summary: Mapping[str, Any], lang: Lang) -> list[str]:
    """The re-plan's new shortfalls (the posture's, then the routes') as the dashboard's
    shortfall list says them in ``lang`` (:func:`plan_shortfalls`). A review (H3 #3): the zh
    tab showed "fixed post SB1: 0/1 — no unit holds the post"."""
    def key(f: Mapping[str, Any]) -> tuple[object, ...]:
        return (f["slot"], f["duty"], f["place"], f["need"], f["have"])

    posture = {key(f) for f in summary["shortfalls_added"]}
    routes = set(summary["route_shortfalls_added"])
    result = entry_result(e)
    return [str(x["text"]) for x in plan_shortfalls(result, PlaceNames(result, lang))
            if (x["stage"] == "posture" and key(x) in posture)
            or (x["stage"] == "routes" and x.get("source") in routes)]


@router.get("/{plan_id}/changes")
def plan_changes(plan_id: PlanId, _: Reader, c: CentreDep) -> dict[str, object]:
    """A re-plan's change list as stored with it (changes.csv's rows, ``lang`` their place
    names' language) and its record (plan.json's ``stages.replan``: from which plan, at,
    busy, out of service, hot); 404 for a plan that is not a re-plan."""
    doc = c.entry(plan_id).document
    stages = doc.get("stages")
    record = stages.get("replan") if isinstance(stages, dict) else None
    if not isinstance(record, dict) or "changes" not in doc:
        raise HTTPException(404, f"plan {plan_id} is not a re-plan made here: it has no "
                                 "change list")
    return {"id": plan_id, "replan": record, "lang": doc.get("changes_lang"),
            "changes": doc["changes"]}
