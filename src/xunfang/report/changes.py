"""A re-plan's changes as crews and programs read them: changes.csv's rows and the summary
that ``xunfang replan --json`` prints and ``POST /api/plans/{id}/replan`` answers.

A face module: it names places with the report's :class:`~xunfang.report.html.PlaceNames`
(streets, crossings, posts by name) in the report's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from xunfang.plan import DroneSortie, Plan, Slot
    from xunfang.planning.deploy.from_plan import PlanInForce, Replanned
    from xunfang.report.html import PlaceNames
    from xunfang.report.i18n import Lang

#: What a re-plan folder holds beside a plan folder's files: the change list.
CHANGES_FILE = "changes.csv"
#: ``old_place``/``new_place`` keep the ids programs read (a post, a grid, a route's grid or a
#: staging unit's node); ``old_place_name``/``place_name`` say them as a crew does, as
#: plan_sheet.csv's ``place_name`` (the streets of a route, a staging node's crossing or key
#: site, names with ids in brackets), in the report's language; ``changed`` says what:
#: ``place`` (another duty or place) or ``streets`` (a route drawn again in its grid). After
#: the units' rows come the drones' sorties (kind ``sortie``, ``changed`` ``added``,
#: ``dropped``, ``moved`` or ``not_flown``: :func:`sortie_rows`) and the video desk's camera
#: tours (kind ``video``, ``changed`` ``cameras``: :func:`tour_rows`) that changed
#: ``duty_said`` is ``new_duty`` in the report's language (a review (H3 #3): the zh dashboard
#: showed "out of service", "route in grid G6", "camera tour 16:00–16:30").
#: ``new_crew`` names the people aboard after the change (a sortie's: its pilot), and
#: ``crew_from`` those of them who were aboard another unit in that slot in the plan in
#: force, ``PERSON:UNIT`` (the pilot of a motorcycle taken out of service who now flies a
#: drone that was off for want of one: ``PA1:M1`` on the drone's rows; the rider a
#: motorcycle back in service takes back from the unit he crewed: ``PA1:D1``)
CHANGES_COLUMNS = ("unit", "slot_start", "slot_end", "old_kind", "old_place", "new_kind",
                   "new_place", "new_duty", "old_place_name", "place_name", "changed",
                   "duty_said", "new_crew", "crew_from")


def change_rows(rep: Replanned, pif: PlanInForce, lang: str = "zh") -> list[dict[str, str]]:
    """One row per changed unit and slot: the old and the new kind and place, by id and by
    name (:class:`~xunfang.report.html.PlaceNames` in ``lang``: the old place from the plan
    in force's stages, the new from the re-plan's); then the drones' sorties and the video
    desk's camera tours that changed (:func:`sortie_rows`, :func:`tour_rows`)."""
    from xunfang.planning.deploy.from_plan import place_in
    from xunfang.planning.pipeline import PlanResult
    from xunfang.report.html import PlaceNames, note_text

    was, now = place_in(pif.route_grid), place_in(rep.route_grid)
    new_names = PlaceNames(rep.result, lang)
    old_names = PlaceNames(PlanResult(scenario=rep.result.scenario, network=rep.result.network,
                                      plan=pif.plan, coverage={}, stages=pif.stages), lang)
    by_index = {s.index: s for s in pif.slots}
    aboard = {(p, a.slot): a.unit for a in pif.plan.assignments for p in a.crew}

    def came_from(unit: str, slot: int, crew: tuple[str, ...]) -> str:
        """``PERSON:UNIT`` for each of ``crew`` aboard another unit in the plan in force."""
        return ";".join(f"{p}:{aboard[(p, slot)]}" for p in crew
                        if aboard.get((p, slot), unit) != unit)

    rows: list[dict[str, str]] = []
    for c in rep.changes:
        s = by_index[c.slot]
        ok, op = was(c.old) if c.old is not None else ("", "")
        nk, np_ = now(c.new)
        rows.append({"unit": c.unit, "slot_start": s.name,
                     "slot_end": s.end.isoformat(timespec="minutes"), "old_kind": ok,
                     "old_place": op, "new_kind": nk, "new_place": np_,
                     "new_duty": c.new.note,
                     "old_place_name": (old_names.place(c.old, s.start.hour)
                                        if c.old is not None else ""),
                     "place_name": new_names.place(c.new, s.start.hour),
                     "changed": c.what,
                     "duty_said": (note_text(c.new.note, new_names, cast("Lang", lang))
                                   if c.new.note else ""),
                     "new_crew": ";".join(c.new.crew),
                     "crew_from": came_from(c.unit, c.slot, c.new.crew)})
    return rows + sortie_rows(rep, pif, new_names) + tour_rows(rep, pif, new_names)


#: the words of a sortie row's and a camera tour row's duty: in English (``new_duty``, as
#: programs read it) and in the report's language (``duty_said``); ``recharge`` and
#: ``max_sorties`` say why a sortie the limits keep on the ground is not flown
DUTY_WORDS: dict[str, dict[str, str]] = {
    "en": {"sortie": "sortie {span} from {post}{pilot}", "pilot": ", pilot {crew}",
           "was": " (was {span} from {post} over {grids})", "none_was": "no sortie (was {said})",
           "none": "no sortie",
           "held": "; the re-planned sortie {span} over {grids} is not flown: {why}",
           "recharge": "{unit} would not be back from the {after} sortie and {recharge:g} min "
                       "recharged by then",
           "max_sorties": "{unit} has flown the {n} sorties its day allows by then",
           "tour": "camera tour {a}–{b}", "no_tour": "no camera tour"},
    "zh": {"sortie": "{span} 自 {post} 起飞的架次{pilot}", "pilot": "，飞手 {crew}",
           "was": "（原为 {span} 自 {post} 起飞，飞经 {grids}）",
           "none_was": "无架次（原为 {said}）",
           "none": "无架次",
           "held": "；调整后 {span} 飞经 {grids} 的架次不起飞：{why}",
           "recharge": "{unit} 届时尚未从 {after} 的架次返回并充电 {recharge:g} 分钟",
           "max_sorties": "{unit} 届时已飞满当日允许的 {n} 个架次",
           "tour": "视频轮巡 {a}–{b}", "no_tour": "无视频轮巡"},
}


def duty_words(lang: str) -> dict[str, str]:
    """:data:`DUTY_WORDS` of ``lang`` (English for a language it has none of)."""
    return DUTY_WORDS.get(lang, DUTY_WORDS["en"])


def sortie_rows(rep: Replanned, pif: PlanInForce, names: PlaceNames) -> list[dict[str, str]]:
    """changes.csv's rows of the drones' sorties the re-plan added, dropped, moved or drew
    and does not fly (a row each, kind ``sortie``): ``unit`` the drone, ``slot_start`` and
    ``slot_end`` the sortie's launch and landing (the old one's where none flies now), the
    places the grids flown in order (``G3 > G4``; ``names`` say them), ``new_duty`` the
    launch post, pilot and times before and after in words, ``changed`` ``added``,
    ``dropped``, ``moved`` or ``not_flown`` (the re-plan's drone stage drew it; the
    battery's recharge or the day's sorties keep it on the ground, and ``new_duty`` says
    which)."""
    from xunfang.planning.deploy.asked import slot_holding
    from xunfang.planning.drones import DroneParams
    from xunfang.report.html import clock

    t0 = pif.slots[0].start
    limits = DroneParams.of(rep.result.scenario.policy)

    def at(m: float) -> datetime:
        return t0 + timedelta(minutes=m)

    def span(x: DroneSortie) -> str:
        return f"{clock(at(x.start))}–{clock(at(x.end), end=True)}"

    def pilot(plan: Plan, x: DroneSortie) -> str:
        s = slot_holding(plan.slots, at(x.start))
        return ";".join(plan.at(x.unit, s.index).crew) if s is not None else ""

    def grids(x: DroneSortie | None) -> tuple[str, str]:
        if x is None:
            return "", ""
        return " > ".join(x.grids), " > ".join(names.grid_name(g) for g in x.grids)

    def duty(c: Any, lang: str) -> str:
        """The sortie row's duty in ``lang``: grids by id in English (as programs read
        them), by name in the report's language."""
        w = duty_words(lang)

        def over(x: DroneSortie) -> str:
            return " > ".join(x.grids if lang == "en" else
                              [names.grid_name(g) for g in x.grids])

        def said(x: DroneSortie, plan: Plan) -> str:
            crew = pilot(plan, x)
            return w["sortie"].format(span=span(x), post=x.post,
                                      pilot=w["pilot"].format(crew=crew) if crew else "")

        now_plan = rep.result.plan
        if c.new is not None:
            text = said(c.new, now_plan)
            if c.old is not None:
                text += w["was"].format(span=span(c.old), post=c.old.post, grids=over(c.old))
        elif c.old is not None:
            text = w["none_was"].format(said=said(c.old, pif.plan))
        else:
            text = w["none"]
        if c.held is not None:
            h = c.held
            why = w.get(h.reason, "{reason}").format(
                unit=c.unit, reason=h.reason, recharge=limits.recharge_minutes,
                n=limits.max_sorties, after=span(h.after) if h.after is not None else "")
            text += w["held"].format(span=span(h.sortie), grids=over(h.sortie), why=why)
        return text

    rows: list[dict[str, str]] = []
    for c in rep.sortie_changes:
        x = c.new or c.old or (c.held.sortie if c.held is not None else None)
        assert x is not None
        op, on = grids(c.old)
        np_, nn = grids(c.new)
        rows.append({"unit": c.unit, "slot_start": at(x.start).isoformat(timespec="minutes"),
                     "slot_end": at(x.end).isoformat(timespec="minutes"),
                     "old_kind": "sortie" if c.old is not None else "", "old_place": op,
                     "new_kind": "sortie" if c.new is not None else "", "new_place": np_,
                     "new_duty": duty(c, "en"), "old_place_name": on, "place_name": nn,
                     "changed": c.what, "duty_said": duty(c, names.lang),
                     "new_crew": pilot(rep.result.plan, c.new) if c.new is not None else "",
                     "crew_from": ""})
    return rows


def tour_rows(rep: Replanned, pif: PlanInForce, names: PlaceNames) -> list[dict[str, str]]:
    """changes.csv's rows of the video desk's camera tours the re-plan changed (kind
    ``video``), as plan_sheet.csv has them: ``unit`` the desk's seat (``video-desk-1``),
    ``slot_start`` and ``slot_end`` the tour's, the places its cameras in the order watched
    (``CAM01;CAM09``; ``names`` say them), ``new_duty`` ``camera tour HH:MM–HH:MM`` (``no
    camera tour`` where the seat has none now), ``changed`` ``cameras``."""
    from xunfang.report.html import clock

    t0 = pif.slots[0].start
    rows: list[dict[str, str]] = []

    def duty(new: tuple[str, ...], a: datetime, b: datetime, lang: str) -> str:
        w = duty_words(lang)
        return (w["tour"].format(a=clock(a), b=clock(b, end=True)) if new else w["no_tour"])

    for t in rep.tour_changes:
        a, b = t0 + timedelta(minutes=t.start), t0 + timedelta(minutes=t.end)
        rows.append({"unit": f"video-desk-{t.operator + 1}",
                     "slot_start": a.isoformat(timespec="minutes"),
                     "slot_end": b.isoformat(timespec="minutes"),
                     "old_kind": "video" if t.old else "", "old_place": ";".join(t.old),
                     "new_kind": "video" if t.new else "", "new_place": ";".join(t.new),
                     "new_duty": duty(t.new, a, b, "en"),
                     "old_place_name": "; ".join(names.post(c) for c in t.old),
                     "place_name": "; ".join(names.post(c) for c in t.new),
                     "changed": "cameras", "duty_said": duty(t.new, a, b, names.lang),
                     "new_crew": "", "crew_from": ""})
    return rows




def _route_key(text: str) -> str:
    """What a route shortfall is about (``site S06 (tier 1, grid G3)``, ``line L1 piece in
    grid G3``, ``grid G3 slot 14``): a site missed by other minutes is the same one."""
    return text.split(":", 1)[0]


def _key(f: dict[str, object]) -> tuple[object, ...]:
    return (f["slot"], f["duty"], f["place"], f["need"], f["have"], f["detail"])


def replan_summary(rep: Replanned, pif: PlanInForce, at_slot: Slot,
                   rows: list[dict[str, str]]) -> dict[str, Any]:
    """What a re-plan changed and what it left short: ``changes`` (``rows``, changes.csv's),
    the posture's shortfalls from ``at_slot`` on (``shortfalls``, and those ``_added`` and
    ``_resolved`` against the plan in force's, which had ``shortfalls_in_force``), the routes'
    (over the whole plan, ``route_shortfalls`` and the same), the solve's ``status`` and
    ``max_gap``, the plan's pins and the deployment options it was re-planned with."""
    from xunfang.planning.deploy.from_plan import route_shortfalls
    from xunfang.planning.pipeline import options_as_dict

    before = [f for f in pif.shortfalls if f.slot >= at_slot.index]
    was = {_key(f.as_dict()) for f in before}
    now = {_key(f.as_dict()) for f in rep.new_shortfalls}
    r_before = route_shortfalls(pif.stages.get("routes"))
    r_now = route_shortfalls(rep.result.stages.get("routes"))
    was_about, now_about = {_route_key(x) for x in r_before}, {_route_key(x) for x in r_now}
    return {
        "at": at_slot.name, "at_slot": at_slot.index, "changed": len(rows),
        "changed_by_kind": {"assignments": len(rep.changes),
                            "sorties": len(rep.sortie_changes),
                            "camera_tours": len(rep.tour_changes)},
        "units_changed": sorted({c.unit for c in rep.changes}
                                | {c.unit for c in rep.sortie_changes}),
        "changes": rows, "shortfalls": [f.as_dict() for f in rep.new_shortfalls],
        "shortfalls_added": [f.as_dict() for f in rep.new_shortfalls
                             if _key(f.as_dict()) not in was],
        "shortfalls_resolved": [f.as_dict() for f in before if _key(f.as_dict()) not in now],
        "shortfalls_in_force": len(before),
        "route_shortfalls": r_now,
        "route_shortfalls_added": [t for t in r_now if _route_key(t) not in was_about],
        "route_shortfalls_resolved": [t for t in r_before if _route_key(t) not in now_about],
        "route_shortfalls_in_force": len(r_before),
        "status": rep.posture.status, "max_gap": rep.posture.max_gap,
        "pins": len(pif.pins), "deploy_options": options_as_dict(pif.deploy_options),
    }
