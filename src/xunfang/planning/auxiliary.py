"""Auxiliary forces (群防群治): grid workers, volunteers, merchant joint-defence groups and
security guards.

Entry point: :func:`place_auxiliary`. These forces are not dispatched: they stand on their own
streets in their own hours — the evening market, the school gates, the bank street, the
residential blocks of a grid — and the plan counts them in visibility (见警率) with a weight
below a police unit's. They are never routed, never hold a ring and never seal an exit (those
count police only, ``routes.POLICE_TIERS``).

How the scenario models them (DESIGN.md §3): units of tier ``auxiliary`` whose ``squad`` names
the kind of force (``scenario.model.AUXILIARY_ROLES``: ``grid``, ``volunteer``, ``merchant``,
``guard``), a home post, and people of the same squad whose role (grid_worker, volunteer,
merchant, guard) staffs it. Every kind is placed here, grid workers included: the posture
leaves all auxiliary units off and the auxiliary stage (``patrol_stages.auxiliary_stage``)
puts each one on duty only in the slots this module places it. Optional extra columns of
units.csv override the defaults of :data:`DEFAULT_RULES`: ``hours`` (``"18-22"``,
``"7-8;16-17"``: whole hours, end exclusive, ``scenario.model.parse_hours``) and ``sites``
(site ids separated by ``;``); the loader checks both.

The crew: the people of the unit's squad with the kind's role (narrowed to the team named like
the unit, as the posture's crews are), less those on leave that day, shared in file order
among the units drawing on the same people. A unit nobody staffs on a day is not placed that
day, and the notes say so; in a scenario with no people.csv at all (nobody rostered, every
unit on duty) it is placed without a named crew.

Placement, per unit and slot whose hours overlap the unit's hours (on its days: grid workers
on workdays of the scenario's calendar, ``roster.calendar.day_calendar``): the key site of its
kinds, near its home post (within ``radius_m``), that is busy in those hours
(:data:`SITE_HOURS`: school gates at the school run on school days — workdays of the calendar,
make-up workdays included, public holidays not — the night market in the evening …): the
fewest units of the same kind already there in the slot first (two volunteer groups take two
places), then the highest tier, then the nearest; when none is busy, the unit's home post.
A placement outside every grid counts in no grid's visibility; the notes say so. When the
scenario has no auxiliary forces nothing is derived, and the plan says so in its notes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from xunfang.plan import Slot
from xunfang.planning.roster.calendar import day_calendar
from xunfang.planning.routes import grid_of_nodes
from xunfang.scenario.model import (
    AUXILIARY_ROLES,
    AUXILIARY_WEIGHTS,
    Post,
    Scenario,
    Site,
    Unit,
)

__all__ = ["DEFAULT_RULES", "SITE_HOURS", "AuxPlan", "AuxRule", "Placement", "place_auxiliary"]


@dataclass(frozen=True)
class AuxRule:
    """Where and when one kind of auxiliary force works, and how a presence counts."""

    site_kinds: tuple[str, ...]
    hours: tuple[int, ...]
    weight: float  # in visibility, a police unit counts 1
    role: str  # the people's role that crews it
    workdays_only: bool = False  # on workdays of the scenario's calendar only


_EVENING = (18, 19, 20, 21, 22)
_SCHOOL_RUN = (7, 11, 16)

#: The defaults: volunteers (义警) at squares, school gates and the night market in the school
#: run and the evening; merchants (商户联防) in their market streets in trading hours; guards
#: (警保联动) at banks, hospitals and enterprises by day and in the evening; grid workers
#: (网格员) in the residential blocks near their station in office hours on workdays.
DEFAULT_RULES: Mapping[str, AuxRule] = {
    "volunteer": AuxRule(
        site_kinds=("square", "night_market", "primary_school", "middle_school", "school",
                    "kindergarten", "business_street", "park"),
        hours=(*_SCHOOL_RUN, 17, *_EVENING), weight=AUXILIARY_WEIGHTS["volunteer"],
        role=AUXILIARY_ROLES["volunteer"]),
    "merchant": AuxRule(
        site_kinds=("market", "business_street", "night_market", "supermarket"),
        hours=tuple(range(8, 23)), weight=AUXILIARY_WEIGHTS["merchant"],
        role=AUXILIARY_ROLES["merchant"]),
    "guard": AuxRule(
        site_kinds=("bank", "hospital", "enterprise", "supermarket", "business_street"),
        hours=tuple(range(8, 22)), weight=AUXILIARY_WEIGHTS["guard"],
        role=AUXILIARY_ROLES["guard"]),
    "grid": AuxRule(
        site_kinds=("residential",), hours=(*range(8, 12), *range(14, 18)),
        weight=AUXILIARY_WEIGHTS["grid"], role=AUXILIARY_ROLES["grid"], workdays_only=True),
}

#: When a kind of site is busy (hours; all other kinds are busy whenever the force works).
#: School kinds are busy on school days only (workdays of the calendar).
SITE_HOURS: Mapping[str, tuple[int, ...]] = {
    "primary_school": _SCHOOL_RUN, "middle_school": _SCHOOL_RUN, "school": _SCHOOL_RUN,
    "kindergarten": _SCHOOL_RUN,
    "night_market": (19, 20, 21, 22, 23, 0),
    "market": tuple(range(6, 13)),
    "square": (6, 7, 18, 19, 20, 21),
    "park": (6, 7, 8, 17, 18, 19, 20),
    "bank": tuple(range(9, 17)),
    "business_street": tuple(range(10, 22)),
}
_SCHOOL_KINDS = ("primary_school", "middle_school", "school", "kindergarten")


@dataclass(frozen=True)
class Placement:
    """Where an auxiliary unit stands in a slot, who staffs it and how it counts."""

    unit: str
    slot: int
    kind: str  # grid | volunteer | merchant | guard
    place: str  # the site id, or the home post id
    at_site: bool
    xy: tuple[float, float]
    grid: str | None  # None: outside every grid (counted in no grid's visibility)
    people: int
    weight: float  # in visibility
    reason: str
    crew: tuple[str, ...] = ()  # the people (person ids)
    hours: str = ""  # the hours of the slot it works, "HH:00–HH:00"


@dataclass(frozen=True, eq=False)
class AuxPlan:
    """The placements of every auxiliary unit per slot; ``notes`` say what was not derived
    or not counted."""

    placements: tuple[Placement, ...]
    notes: tuple[str, ...] = ()
    rules: Mapping[str, AuxRule] = field(default_factory=dict)

    def by_slot(self) -> dict[int, tuple[Placement, ...]]:
        out: dict[int, list[Placement]] = {}
        for p in self.placements:
            out.setdefault(p.slot, []).append(p)
        return {k: tuple(v) for k, v in sorted(out.items())}

    def presence(self) -> dict[tuple[str, int], float]:
        """Visibility weight per (grid, slot index): what the auxiliary forces add to the
        uniformed presence there (they are counted, never dispatched)."""
        out: dict[tuple[str, int], float] = {}
        for p in self.placements:
            if p.grid is not None:
                out[(p.grid, p.slot)] = out.get((p.grid, p.slot), 0.0) + p.weight
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "dispatched": False,
            "rules": {k: {"site_kinds": list(r.site_kinds), "hours": list(r.hours),
                          "weight": r.weight, "role": r.role,
                          "workdays_only": r.workdays_only} for k, r in self.rules.items()},
            "placements": [{"unit": p.unit, "slot": p.slot, "kind": p.kind, "place": p.place,
                            "at_site": p.at_site, "grid": p.grid, "people": p.people,
                            "crew": list(p.crew), "hours": p.hours,
                            "weight": p.weight, "reason": p.reason} for p in self.placements],
            "presence": [{"grid": g, "slot": s, "weight": round(w, 3)}
                         for (g, s), w in sorted(self.presence().items())],
            "notes": list(self.notes),
        }


def _crews(scenario: Scenario, units: Sequence[tuple[Unit, str]],
           rules: Mapping[str, AuxRule], days: Sequence[date]
           ) -> dict[tuple[str, date], tuple[str, ...]]:
    """Each unit's crew per day: the people of its squad with its kind's role (narrowed to
    the team named like the unit when there is one), not on leave that day, shared in file
    order among the units drawing on the same people."""
    pools: dict[str, tuple[str, ...]] = {}
    for u, kind in units:
        cands = [p for p in scenario.people
                 if p.squad == u.squad and p.role == rules[kind].role]
        named = [p for p in cands if u.id == p.team or u.id.startswith(p.team + "-")]
        pools[u.id] = tuple(p.id for p in (named or cands))
    sharing: dict[tuple[str, ...], list[str]] = {}
    for u, _ in units:
        sharing.setdefault(pools[u.id], []).append(u.id)
    out: dict[tuple[str, date], tuple[str, ...]] = {}
    for d in days:
        away = {lv.person for lv in scenario.leave if lv.start <= d <= lv.end}
        for pool, ids in sharing.items():
            free = [x for x in pool if x not in away]
            n = len(ids)
            at = 0
            for i, uid in enumerate(ids):
                size = len(free) // n + (1 if i < len(free) % n else 0)
                out[(uid, d)] = tuple(free[at:at + size])
                at += size
    return out


def place_auxiliary(
    scenario: Scenario,
    slots: Sequence[Slot],
    *,
    rules: Mapping[str, AuxRule] = DEFAULT_RULES,
    radius_m: float = 800.0,
) -> AuxPlan:
    """Where each auxiliary unit (tier ``auxiliary``, squad a key of ``rules``) stands in
    each slot of its hours, and who staffs it. Raises ``ValueError`` naming the unit and
    column for a bad ``hours`` or ``sites`` value, and for a radius that is not positive."""
    if not (math.isfinite(radius_m) and radius_m > 0):
        raise ValueError(f"radius_m: must be metres > 0; got {radius_m!r}")
    posts = {p.id: p for p in scenario.posts}
    sites = {s.id: s for s in scenario.sites}
    grid_ids = [a.id for a in scenario.areas_of("grid")]
    units: list[tuple[Unit, str]] = []
    for u in scenario.units:
        if u.tier == "auxiliary" and u.squad in rules:
            units.append((u, u.squad))
    notes: list[str] = []
    if not units:
        notes.append("the scenario has no auxiliary forces (units of tier 'auxiliary' in squad "
                     f"{', '.join(sorted(rules))}): nothing derived")
        return AuxPlan(placements=(), notes=tuple(notes), rules=dict(rules))
    others = sorted(u.id for u in scenario.units
                    if u.tier == "auxiliary" and u.squad not in rules)
    if others:
        notes.append(f"auxiliary unit(s) {', '.join(others)}: squad not one of "
                     f"{', '.join(sorted(rules))}; not placed (off all day)")
    days: list[date] = sorted({sl.start.date() for sl in slots})
    cal = {c.day: c for c in (day_calendar(days[0], (days[-1] - days[0]).days + 1,
                                           scenario.policy, scenario.events, scenario.country)
                              if days else ())}
    crews = _crews(scenario, units, rules, days)
    unstaffed: dict[str, list[date]] = {}

    placements: list[Placement] = []
    ready: list[tuple[Unit, str, Post, tuple[int, ...], list[Site]]] = []
    for u, kind in units:
        rule = rules[kind]
        home = posts.get(u.home_post)
        if home is None:
            notes.append(f"auxiliary unit {u.id}: home post {u.home_post!r} is not a post; "
                         "not placed")
            continue
        hours = u.hours or rule.hours
        if u.extra.get("sites"):
            ids = [x.strip() for x in str(u.extra["sites"]).split(";") if x.strip()]
            bad = [x for x in ids if x not in sites]
            if bad:
                raise ValueError(f"units.csv, unit {u.id!r}, column 'sites': unknown site(s) "
                                 f"{', '.join(bad)} (not in sites.csv)")
            own: list[Site] = [sites[x] for x in ids]
        else:
            own = [x for x in scenario.sites if x.kind in rule.site_kinds
                   and math.dist(x.xy, home.xy) <= radius_m]
        if not own:
            notes.append(f"auxiliary unit {u.id} ({kind}): no site of kinds "
                         f"{', '.join(rule.site_kinds)} within {radius_m:g} m of post "
                         f"{home.id}; it stands at the post in its hours")
        ready.append((u, kind, home, hours, own))
    for sl in slots:
        in_slot = sl.clock_hours
        day = cal.get(sl.start.date())
        workday = day is not None and day.kind == "workday"
        taken: dict[tuple[str, str], int] = {}  # units of a kind at each site: spread them
        for u, kind, home, hours, own in ready:
            rule = rules[kind]
            works = [h for h in in_slot if h in hours]
            if not works or (rule.workdays_only and not workday):
                continue
            crew = crews[(u.id, sl.start.date())]
            if not crew and scenario.people:  # no people.csv at all: no one is rostered,
                # and like every other unit it is on duty without a named crew
                unstaffed.setdefault(u.id, []).append(sl.start.date())
                continue
            span = f"{works[0]:02d}:00–{(works[-1] + 1):02d}:00"

            def busy_hour(x: Site, _works: list[int] = works, _hours: tuple[int, ...] = hours,
                          _school: bool = workday) -> int | None:
                if x.kind in _SCHOOL_KINDS and not _school:
                    return None
                site_hours = SITE_HOURS.get(x.kind, _hours)
                return next((h for h in _works if h in site_hours), None)

            busy = [(x, h) for x in own if (h := busy_hour(x)) is not None]
            if busy:
                site, h = min(busy, key=lambda xh: (taken.get((kind, xh[0].id), 0),
                                                    xh[0].tier,
                                                    math.dist(xh[0].xy, home.xy), xh[0].id))
                taken[(kind, site.id)] = taken.get((kind, site.id), 0) + 1
                placements.append(Placement(
                    unit=u.id, slot=sl.index, kind=kind, place=site.id, at_site=True,
                    xy=site.xy, grid=None, people=len(crew), weight=rule.weight,
                    reason=f"{site.kind} busy at {h:02d}:00", crew=crew, hours=span))
            else:
                placements.append(Placement(
                    unit=u.id, slot=sl.index, kind=kind, place=home.id, at_site=False,
                    xy=home.xy, grid=None, people=len(crew), weight=rule.weight,
                    reason="no site of its kinds busy: at its post", crew=crew, hours=span))
    for uid, missed in unstaffed.items():
        ds = sorted(set(missed))
        u = next(x for x, _ in units if x.id == uid)
        notes.append(f"auxiliary unit {uid}: nobody to staff it on {', '.join(map(str, ds))} "
                     f"(people.csv has no one of squad {u.squad!r} with role "
                     f"{rules[u.squad].role!r} who is not on leave); not placed then")
    if placements and grid_ids:
        gi = grid_of_nodes(scenario, np.array([p.xy for p in placements], dtype=np.float64))
        placements = [replace(p, grid=grid_ids[int(g)] if g >= 0 else None)
                      for p, g in zip(placements, gi, strict=True)]
    outside = sorted({p.place for p in placements if p.grid is None})
    if outside:
        notes.append(f"auxiliary place(s) {', '.join(outside)} lie outside every grid: the "
                     "units there count in no grid's visibility")
    placements.sort(key=lambda p: (p.slot, p.unit))
    return AuxPlan(placements=tuple(placements), notes=tuple(notes), rules=dict(rules))
