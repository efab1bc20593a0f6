"""The roster (who is on duty) of a plan: the brigade's roster and the own duty lists' rotas.

Two endpoints:

* ``GET /api/roster/{plan_id}``: the brigade's roster (see :func:`get_roster`) with the own
  duty lists' rotas joined (``own_rotas``, ``own_days``, ``own_rotas_note``,
  ``own_rotas_why``). A plan with no brigade roster answers 404, as before (its ``detail``
  says why, and where its own rotas are).
* ``GET /api/roster/{plan_id}/own``: the own duty lists' rotas alone, the same keys. It
  answers for every plan of the scenario, a brigade roster or not: a plan whose scenario
  has no rotating teams (or whose roster stage was skipped) may still have stations whose
  own people crew their units, and the duty desk needs to see them. A separate endpoint
  rather than a 200 with ``roster: null`` keeps the brigade roster's answer (and its 404,
  which the dashboard and other clients read) as it was.

Each entry of ``own_rotas`` is one own duty list of the stored plan.json
(``stages.posture.own_duty_lists``, :func:`~xunfang.planning.deploy.solve.own_list_load`):
its ``units``, its ``people`` (names: the rota's ``week_hours`` keys), their ``roles``
(people.csv's role, None for a name the scenario does not know) and ``sworn`` (those of
``SWORN_ROLES``: 民警, who lead), the rota's ``duties`` as stored each with the person's
``role``, ``week_hours``, the shortfall figures (``short``, ``lead_short``, ``short_hours``,
``week_short_hours``, ``lead_short_hours``, ``week_lead_short_hours``), ``repeating_week``,
``status``, ``kept``, and ``short_days``: the plan's days (ISO dates) with a slot the rota
leaves short of people or of a sworn lead. ``own_days`` are the plan's days.

A plan stored before the rotas existed (its lists with no ``rota``), with no own duty lists
or without its stages gives ``own_rotas: []`` and says why in ``own_rotas_note`` (English;
``own_rotas_why``: ``no_stages``, ``no_lists`` or ``no_rota``, for the page's own words);
never an error. The note is None where every list has its rota.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, HTTPException

from xunfang.planning.deploy.inputs import SWORN_ROLES
from xunfang.planning.own_rota import short_days
from xunfang.planning.roster.result import LEAD_IN
from xunfang.web.centre import PlanEntry
from xunfang.web.deps import CentreDep, Reader
from xunfang.web.routers.plans import PlanId

router = APIRouter(prefix="/api/roster", tags=["roster"])

#: the rota's figures given as stored (OwnRota.as_json)
ROTA_FIGURES = ("short", "lead_short", "short_hours", "week_short_hours", "lead_short_hours",
                "week_lead_short_hours", "week_hours", "repeating_week", "status", "kept")
OWN_NOTES = {
    "no_stages": "this plan was stored without its stages: its own duty lists' rotas are "
                 "not known",
    "no_lists": "this plan has no own duty lists (no station's units are crewed by their own "
                "people, or it was stored before the plan counted them): no rota to show",
    "no_rota": "this plan's own duty lists were stored before the plan rota'd them (who "
               "works which shift): their rotas are not known",
}


def _rows(v: object) -> list[Mapping[str, Any]]:
    """The mappings of a stored list (anything else: none)."""
    return [x for x in v if isinstance(x, Mapping)] if isinstance(v, list) else []


def own_rotas(e: PlanEntry) -> dict[str, Any]:
    """The own duty lists' rotas of plan ``e`` (the module's doc): ``own_rotas``,
    ``own_days``, ``own_rotas_note`` and ``own_rotas_why``."""
    days = sorted({s.start.date() for s in e.plan.slots})
    role = {p.id: p.role for p in e.scenario.people}
    stages = e.document.get("stages")
    posture = stages.get("posture") if isinstance(stages, Mapping) else None
    lists = _rows(posture.get("own_duty_lists") if isinstance(posture, Mapping) else None)
    out: list[dict[str, Any]] = []
    for r in lists:
        rota = r.get("rota")
        if not isinstance(rota, Mapping):
            continue
        hours = rota.get("week_hours")
        people = [str(p) for p in hours] if isinstance(hours, Mapping) else []
        duties = [{**d, "role": role.get(str(d.get("person")))}
                  for d in _rows(rota.get("duties"))]
        units = r.get("units")
        out.append({
            "units": [str(u) for u in units] if isinstance(units, list) else [],
            "people": people,
            "roles": {p: role.get(p) for p in people},
            "sworn": [p for p in people if role.get(p) in SWORN_ROLES],
            "duties": duties, **{k: rota[k] for k in ROTA_FIGURES if k in rota},
            "short_days": sorted(d.isoformat() for d in short_days(rota, e.plan.slots))})
    why = None
    if not isinstance(stages, Mapping) or not stages:
        why = "no_stages"
    elif not lists:
        why = "no_lists"
    elif len(out) < len(lists):
        why = "no_rota"
    return {"own_rotas": out, "own_days": [d.isoformat() for d in days],
            "own_rotas_note": OWN_NOTES[why] if why else None, "own_rotas_why": why}


@router.get("/{plan_id}")
def get_roster(plan_id: PlanId, _: Reader, c: CentreDep) -> object:
    """The plan's roster; its ``rows`` are the plan folder's roster.csv's: first the duties of
    the day before that run into the plan's day (``reason`` "from the day before",
    ``lead_in`` counts them), then the roster's own. A review (H4 #1): the dashboard's roster
    had 29 rows where roster.csv has 36, the 7 missing being the night shift crewing every
    unit from 00:00 to 08:00. A roster stored before the centre kept its lead-in has
    ``lead_in`` null (not known) and says so in ``notes``. The own duty lists' rotas join it
    (``own_rotas`` and the rest: the module's doc); a plan with no roster is a 404, its own
    rotas at ``/api/roster/{plan_id}/own``."""
    e = c.entry(plan_id)
    doc = c.roster(plan_id)
    if doc is None:
        why = (e.document.get("stages", {}).get("roster") or {}).get(
            "skipped", "none was stored with it")
        raise HTTPException(404, f"plan {plan_id} has no roster: {why} (its own duty lists' "
                                 f"rotas: /api/roster/{plan_id}/own)")
    own = own_rotas(e)
    before = doc.get("lead_in")
    if not isinstance(before, list):
        notes = list(doc.get("notes") or [])
        notes.append("the duties of the day before running into the plan's first hours were "
                     "not stored with this roster (stored before the centre kept them): "
                     "the night shift crewing the units from the first hour is not listed")
        return {**doc, "lead_in": None, "notes": notes, **own}
    rows = [{**r, "reason": LEAD_IN} for r in before if isinstance(r, dict)]
    return {**doc, "rows": [*rows, *(doc.get("rows") or [])], "lead_in": len(rows), **own}


@router.get("/{plan_id}/own")
def get_own_rotas(plan_id: PlanId, _: Reader, c: CentreDep) -> object:
    """The own duty lists' rotas of the plan (the module's doc), whether or not it has a
    brigade roster: ``plan`` (its id), ``own_rotas``, ``own_days``, ``own_rotas_note``,
    ``own_rotas_why``."""
    return {"plan": plan_id, **own_rotas(c.entry(plan_id))}
