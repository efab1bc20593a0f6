"""Auxiliary forces (群防群治): volunteers, merchant joint-defence groups and security guards.

Entry point: :func:`place_auxiliary`. These forces are not dispatched: they stand on their own
streets in their own hours — the evening market, the school gates, the bank street — and the
plan counts them in visibility (见警率) with a weight below a police unit's.

How the scenario models them (DESIGN.md §3): units of tier ``auxiliary`` whose ``squad`` names
the kind of force (``volunteer``, ``merchant``, ``guard``; grid workers, squad ``grid``, are
deployed by the posture like other units and are not placed here), a home post, and people of
the same squad whose role (volunteer, merchant, guard) counts the crew. Optional extra columns
of units.csv override the defaults of :data:`DEFAULT_RULES`: ``hours`` (``"18-22"``,
``"7-8;16-17"``: whole hours, end exclusive) and ``sites`` (site ids separated by ``;``).

Placement, per unit and slot in the unit's hours: the key site of its kinds, near its home post
(within ``radius_m``), that is busy at that hour (:data:`SITE_HOURS`: school gates at the school
run on school days, the night market in the evening …): the fewest units of the same kind
already there in the slot first (two volunteer groups take two places), then the highest tier,
then the nearest; when none is busy, the unit's home post. When the scenario has no auxiliary
forces nothing is derived, and the plan says so in its notes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from xunfang.plan import Slot
from xunfang.planning.routes import grid_of_nodes
from xunfang.scenario.model import Post, Scenario, Site, Unit

__all__ = ["DEFAULT_RULES", "SITE_HOURS", "AuxPlan", "AuxRule", "Placement", "place_auxiliary"]


@dataclass(frozen=True)
class AuxRule:
    """Where and when one kind of auxiliary force works, and how a presence counts."""

    site_kinds: tuple[str, ...]
    hours: tuple[int, ...]
    weight: float  # in visibility, a police unit counts 1
    role: str  # the people's role that crews it


_EVENING = (18, 19, 20, 21, 22)
_SCHOOL_RUN = (7, 11, 16)

#: The defaults: volunteers (义警) at squares, school gates and the night market in the school
#: run and the evening; merchants (商户联防) in their market streets in trading hours; guards
#: (警保联动) at banks, hospitals and enterprises by day and in the evening.
DEFAULT_RULES: Mapping[str, AuxRule] = {
    "volunteer": AuxRule(
        site_kinds=("square", "night_market", "primary_school", "middle_school", "school",
                    "kindergarten", "business_street", "park"),
        hours=(*_SCHOOL_RUN, 17, *_EVENING), weight=0.5, role="volunteer"),
    "merchant": AuxRule(
        site_kinds=("market", "business_street", "night_market", "supermarket"),
        hours=tuple(range(8, 23)), weight=0.5, role="merchant"),
    "guard": AuxRule(
        site_kinds=("bank", "hospital", "enterprise", "supermarket", "business_street"),
        hours=tuple(range(8, 22)), weight=0.8, role="guard"),
}

#: When a kind of site is busy (hours; all other kinds are busy whenever the force works).
#: School kinds are busy on weekdays only.
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
    """Where an auxiliary unit stands in a slot and how it counts."""

    unit: str
    slot: int
    kind: str  # volunteer | merchant | guard
    place: str  # the site id, or the home post id
    at_site: bool
    xy: tuple[float, float]
    grid: str | None
    people: int
    weight: float  # in visibility
    reason: str


@dataclass(frozen=True, eq=False)
class AuxPlan:
    """The placements of every auxiliary unit per slot; ``notes`` say what was not derived."""

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
                          "weight": r.weight} for k, r in self.rules.items()},
            "placements": [{"unit": p.unit, "slot": p.slot, "kind": p.kind, "place": p.place,
                            "at_site": p.at_site, "grid": p.grid, "people": p.people,
                            "weight": p.weight, "reason": p.reason} for p in self.placements],
            "presence": [{"grid": g, "slot": s, "weight": round(w, 3)}
                         for (g, s), w in sorted(self.presence().items())],
            "notes": list(self.notes),
        }


def _hours(text: str, unit: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if not (0 <= a <= 23 and 0 <= b <= 24):
                    raise ValueError
                out.extend(range(a, b) if a < b else [*range(a, 24), *range(0, b)])
            else:
                h = int(part)
                if not 0 <= h <= 23:
                    raise ValueError
                out.append(h)
        except ValueError:
            raise ValueError(f"units.csv, unit {unit!r}, column 'hours': {part!r} is not an "
                             "hour 0-23 or a range like 18-22") from None
    return tuple(sorted(set(out)))


def place_auxiliary(
    scenario: Scenario,
    slots: Sequence[Slot],
    *,
    rules: Mapping[str, AuxRule] = DEFAULT_RULES,
    radius_m: float = 800.0,
) -> AuxPlan:
    """Where each auxiliary unit (tier ``auxiliary``, squad a key of ``rules``) stands in
    each slot of its hours. Raises ``ValueError`` naming the unit and column for a bad
    ``hours`` or ``sites`` value, and for a radius that is not positive."""
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
    others = sorted({u.squad for u in scenario.units if u.tier == "auxiliary"} - set(rules))
    if others:
        notes.append(f"auxiliary units of squad(s) {', '.join(others)} are deployed by the "
                     "posture, not placed here")
    # the crew: people of the unit's squad with the kind's role, shared among its units
    n_units = {k: sum(1 for _, kk in units if kk == k) for k in rules}
    crew: dict[str, int] = {}
    for u, kind in units:
        people = [p for p in scenario.people if p.squad == u.squad and p.role == rules[kind].role]
        crew[u.id] = len(people) // n_units[kind] + (
            1 if [x.id for x, kk in units if kk == kind].index(u.id)
            < len(people) % n_units[kind] else 0)

    placements: list[Placement] = []
    ready: list[tuple[Unit, str, Post, tuple[int, ...], list[Site]]] = []
    for u, kind in units:
        rule = rules[kind]
        home = posts.get(u.home_post)
        if home is None:
            notes.append(f"auxiliary unit {u.id}: home post {u.home_post!r} is not a post; "
                         "not placed")
            continue
        hours = _hours(str(u.extra["hours"]), u.id) if u.extra.get("hours") else rule.hours
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
        h = sl.start.hour
        weekday = sl.start.weekday() < 5
        taken: dict[tuple[str, str], int] = {}  # units of a kind at each site: spread them
        for u, kind, home, hours, own in ready:
            rule = rules[kind]
            if h not in hours:
                continue
            busy = [x for x in own
                    if h in SITE_HOURS.get(x.kind, hours)
                    and (x.kind not in _SCHOOL_KINDS or weekday)]
            if busy:
                site = min(busy, key=lambda x: (taken.get((kind, x.id), 0), x.tier,
                                                math.dist(x.xy, home.xy), x.id))
                taken[(kind, site.id)] = taken.get((kind, site.id), 0) + 1
                placements.append(Placement(
                    unit=u.id, slot=sl.index, kind=kind, place=site.id, at_site=True,
                    xy=site.xy, grid=None, people=crew[u.id], weight=rule.weight,
                    reason=f"{site.kind} busy at {h:02d}:00"))
            else:
                placements.append(Placement(
                    unit=u.id, slot=sl.index, kind=kind, place=home.id, at_site=False,
                    xy=home.xy, grid=None, people=crew[u.id], weight=rule.weight,
                    reason="no site of its kinds busy: at its post"))
    if placements and grid_ids:
        gi = grid_of_nodes(scenario, np.array([p.xy for p in placements], dtype=np.float64))
        placements = [
            Placement(**{**p.__dict__, "grid": grid_ids[int(g)] if g >= 0 else None})
            for p, g in zip(placements, gi, strict=True)]
    placements.sort(key=lambda p: (p.slot, p.unit))
    return AuxPlan(placements=tuple(placements), notes=tuple(notes), rules=dict(rules))
