"""Drone sorties (无人机巡逻): flights over the grids the ground plan leaves thin.

Entry point: :func:`plan_drones`. The drones are the scenario's units of mode ``drone``; each
launches from and lands at its home post. ``thin[(grid id, slot index)]`` weighs how uncovered
a grid is in a slot (the deployment stage's gap: risk not matched by ground presence); a grid
with no weight, or weight at most ``DroneParams.min_thin``, is not flown.

A sortie: launch (``policy.drone_launch_minutes``), straight flights at
``policy.speeds_kph["drone"]`` to the first grid, along the longest stretch of a mandatory line
inside it (a point inside the polygon when no line crosses it), ``hover_minutes`` over it, on to
the next grid, and back to the post; the whole within ``battery_minutes``. Between sorties the
drone is on the ground ``recharge_minutes`` (battery swap or charge and the pilot's rest), at
most ``max_sorties`` sorties a day, and only in ``hours``.

Method: slot by slot, each drone free in the slot (drones in a seeded order) flies the grids
with the most weight left: the first grid by weight per minute of flight to it, then the
grid that adds the most weight while the battery allows (inserted where it lengthens the
flight least), up to ``max_grids_per_sortie``. A flown grid keeps a tenth of its weight in the
slot, so the next drone goes elsewhere first. Weights
left unflown are listed as shortfalls with the reason (no drone free, out of range, outside
flying hours).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from xunfang.geo import Projector
from xunfang.plan import Assignment, Slot
from xunfang.planning.routes import grid_of_nodes
from xunfang.scenario.model import Scenario

__all__ = ["FLOWN_FACTOR", "DroneDuty", "DroneParams", "DronePlan", "Sortie", "plan_drones"]

#: A grid's weight left in a slot after a sortie flew over it: a tenth, so the other drones
#: (and the next sortie) take the other thin grids first.
FLOWN_FACTOR = 0.1


@dataclass(frozen=True)
class DroneParams:
    """The limits of a sortie and a drone's day (policy-like; defaults for a small
    quadcopter with spare batteries)."""

    battery_minutes: float = 25.0  # airborne per sortie, launch to landing
    recharge_minutes: float = 35.0  # on the ground between sorties (batteries, pilot rest)
    hover_minutes: float = 5.0  # over each grid
    max_sorties: int = 12  # per drone and day of the horizon
    max_grids_per_sortie: int = 3
    min_thin: float = 0.0  # only grids with more weight than this are flown
    hours: tuple[int, ...] = tuple(range(24))  # hours in which drones may fly

    def check(self) -> None:
        for name in ("battery_minutes", "hover_minutes"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"params.{name}: must be minutes > 0; got {v!r}")
        if not (math.isfinite(self.recharge_minutes) and self.recharge_minutes >= 0):
            raise ValueError(f"params.recharge_minutes: must be minutes >= 0; got "
                             f"{self.recharge_minutes!r}")
        for name in ("max_sorties", "max_grids_per_sortie"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"params.{name}: must be a whole number >= 1; got {v!r}")
        bad = [h for h in self.hours if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"params.hours: must be hours 0..23; got {bad}")


@dataclass(frozen=True)
class Sortie:
    """One flight: its drone, post, slot, start and end (minutes from the horizon start), the
    grids it flies over in order and the waypoints (planar metres: post, grids, post)."""

    unit: str
    post: str
    slot: int
    start: float
    end: float
    grids: tuple[str, ...]
    waypoints: tuple[tuple[float, float], ...]
    weight: float  # thin weight flown over

    @property
    def minutes(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class DroneDuty:
    """What the plan says of a drone in a slot: at its post, flying ``sorties`` over
    ``grids`` for ``airborne_minutes`` (none: standing by at the post)."""

    unit: str
    slot: int
    post: str
    grids: tuple[str, ...]
    sorties: int
    airborne_minutes: float

    def to_assignment(self) -> Assignment:
        note = (f"drone: {self.sorties} sortie(s) over {', '.join(self.grids)}, "
                f"{self.airborne_minutes:.0f} min airborne" if self.sorties
                else "drone: on standby at its post")
        return Assignment(unit=self.unit, slot=self.slot,
                          duty="drone" if self.sorties else "post", post=self.post, note=note)


@dataclass(frozen=True, eq=False)
class DronePlan:
    """Every sortie, each drone's duty per slot, and the thin weight left unflown."""

    sorties: tuple[Sortie, ...]
    duties: Mapping[tuple[str, int], DroneDuty]
    flown: Mapping[tuple[str, int], float]  # (grid, slot) -> minutes hovered over it
    shortfalls: tuple[str, ...]
    params: DroneParams
    seed: int
    crs: str = "local"

    def to_assignments(self) -> tuple[Assignment, ...]:
        """One assignment per drone and slot: ``drone`` (launched from its post, the sorties in
        the note) in slots it flies, ``post`` (standby) in the others."""
        return tuple(d.to_assignment() for _, d in sorted(self.duties.items()))

    def as_json(self) -> dict[str, object]:
        proj = None if self.crs == "local" else Projector(self.crs)

        def pts(w: Sequence[tuple[float, float]]) -> list[list[float]]:
            xy = np.array(w, dtype=np.float64).reshape(-1, 2)
            if proj is None:
                return [[round(float(x), 1), round(float(y), 1)] for x, y in xy]
            lon, lat = proj.to_lonlat(xy[:, 0], xy[:, 1])
            return [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat,
                                                                              strict=True)]

        return {
            "method": "greedy sorties over the thinnest grids within battery and recharge",
            "seed": self.seed,
            "params": {"battery_minutes": self.params.battery_minutes,
                       "recharge_minutes": self.params.recharge_minutes,
                       "hover_minutes": self.params.hover_minutes,
                       "max_sorties": self.params.max_sorties,
                       "max_grids_per_sortie": self.params.max_grids_per_sortie,
                       "hours": list(self.params.hours)},
            "coordinates": "x/y metres (local)" if proj is None else "lon/lat (WGS 84)",
            "sorties": [{"unit": s.unit, "post": s.post, "slot": s.slot,
                         "start": round(s.start, 2), "end": round(s.end, 2),
                         "grids": list(s.grids), "waypoints": pts(s.waypoints),
                         "weight": round(s.weight, 4)} for s in self.sorties],
            "duties": [{"unit": d.unit, "slot": d.slot, "post": d.post, "grids": list(d.grids),
                        "sorties": d.sorties, "airborne_minutes": round(d.airborne_minutes, 2)}
                       for _, d in sorted(self.duties.items())],
            "shortfalls": list(self.shortfalls),
        }


def _over_grids(scenario: Scenario) -> dict[str, tuple[tuple[float, float], ...]]:
    """What a sortie flies over in each grid: the longest stretch of a mandatory line inside
    it (its nodes in line order, simplified to 20 m), else a point inside the polygon."""
    index = {n: i for i, n in enumerate(scenario.roads.node_ids)}
    best: dict[int, list[tuple[float, float]]] = {}
    for line in scenario.lines:
        idx = [index[n] for n in line.nodes if n in index]
        if not idx:
            continue
        pts = np.asarray(scenario.roads.xy, dtype=np.float64)[idx]
        where = grid_of_nodes(scenario, pts)
        start = 0
        for k in range(1, len(idx) + 1):
            if k == len(idx) or where[k] != where[start]:
                g = int(where[start])
                if g >= 0 and k - start > len(best.get(g, [])):
                    best[g] = [(float(x), float(y)) for x, y in pts[start:k]]
                start = k
    out: dict[str, tuple[tuple[float, float], ...]] = {}
    for i, area in enumerate(scenario.areas_of("grid")):
        run = best.get(i, [])
        if len(run) >= 2:
            simple = shapely.simplify(shapely.LineString(run), 20.0)
            out[area.id] = tuple((float(a), float(b)) for a, b in simple.coords)
        else:
            pt = shapely.point_on_surface(area.geometry)
            out[area.id] = ((float(pt.x), float(pt.y)),)
    return out


def plan_drones(
    scenario: Scenario,
    net: object,
    slots: Sequence[Slot],
    thin: Mapping[tuple[str, int], float],
    *,
    seed: int,
    params: DroneParams | None = None,
    on_duty: Mapping[int, Collection[str]] | None = None,
) -> DronePlan:
    """Sorties of the scenario's drones over the grids ``thin`` weighs.

    ``net`` is the scenario's ``RoadNetwork`` (kept for the common stage signature; drones fly
    straight lines, so it is not queried). ``on_duty`` maps a slot index to the drones crewed
    in it (default: every drone in every slot). Raises ``ValueError`` naming the argument for
    unknown grids or slots, negative or non-finite weights, and bad parameters.
    """
    del net
    p = params if params is not None else DroneParams()
    p.check()
    slots = tuple(slots)
    if not slots:
        raise ValueError("slots: at least one slot is needed")
    grids = {a.id: a for a in scenario.areas_of("grid")}
    slot_ids = {s.index: k for k, s in enumerate(slots)}
    for (g, s), w in thin.items():
        if g not in grids:
            raise ValueError(f"thin: key ({g!r}, {s}) names no grid of the scenario")
        if s not in slot_ids:
            raise ValueError(f"thin: key ({g!r}, {s}) names no slot given")
        if not (math.isfinite(w) and w >= 0):
            raise ValueError(f"thin: weight of ({g!r}, {s}) must be finite and >= 0; got {w!r}")
    pol = scenario.policy
    kpm = pol.speeds_kph["drone"] * 1000.0 / 60.0  # metres per minute
    launch = float(pol.drone_launch_minutes)
    posts = {q.id: q for q in scenario.posts}
    drones = [u for u in scenario.units if u.mode == "drone"]
    shortfalls: list[str] = []
    if not drones:
        shortfalls.append("the scenario has no drones (units of mode 'drone'): nothing flown")
    home: dict[str, tuple[float, float]] = {}
    home_post: dict[str, str] = {}
    for d in drones:
        post = posts.get(d.home_post)
        if post is None:
            shortfalls.append(f"drone {d.id}: home post {d.home_post!r} is not a post; "
                              "it does not fly")
            continue
        home[d.id] = post.xy
        home_post[d.id] = d.home_post
    over = _over_grids(scenario)
    if on_duty is not None:
        for s, us in on_duty.items():
            if s not in slot_ids:
                raise ValueError(f"on_duty: slot {s} is not among the slots given")
            unknown = sorted(set(us) - {u.id for u in drones})
            if unknown:
                raise ValueError(f"on_duty: slot {s} names units that are not drones: "
                                 f"{unknown}")

    def fly(a: tuple[float, float], b: tuple[float, float]) -> float:
        return math.dist(a, b) / kpm

    def tour_minutes(origin: tuple[float, float], gs: Sequence[str]) -> float:
        pts = [origin, *(q for g in gs for q in over[g]), origin]
        return (launch + sum(fly(a, b) for a, b in itertools.pairwise(pts))
                + p.hover_minutes * len(gs))

    rng = np.random.default_rng(seed)
    t0 = slots[0].start
    starts = [(s.start - t0).total_seconds() / 60.0 for s in slots]
    left = {key: float(w) for key, w in thin.items() if w > p.min_thin}
    by_slot: dict[int, list[str]] = {}
    for g, s in left:
        by_slot.setdefault(s, []).append(g)
    free_at = {u: -math.inf for u in home}
    count_day: dict[tuple[str, int], int] = {}
    sorties: list[Sortie] = []
    flown: dict[tuple[str, int], float] = {}
    for k, sl in enumerate(slots):
        if sl.start.hour not in p.hours:
            continue
        s_start, s_end = starts[k], starts[k] + sl.minutes
        crew = set(on_duty.get(sl.index, ())) if on_duty is not None else set(home)
        order = [u for u in (list(home)[int(j)] for j in rng.permutation(len(home)))
                 if u in crew]
        for u in order:
            origin = home[u]
            t = max(s_start, free_at[u])
            while t < s_end - 1e-9:
                day = int((t - starts[0]) // 1440)
                if count_day.get((u, day), 0) >= p.max_sorties:
                    break
                cands = [(g, left[(g, sl.index)]) for g in by_slot.get(sl.index, ())
                         if left[(g, sl.index)] > 0]
                if not cands:
                    break
                # the first grid: most weight per minute of the round trip, seeded tie noise
                ok = [(w / tour_minutes(origin, [g]) * (1 + 1e-6 * rng.random()), g)
                      for g, w in cands if tour_minutes(origin, [g]) <= p.battery_minutes]
                if not ok:
                    break
                _, first = max(ok)
                route = [first]
                while len(route) < p.max_grids_per_sortie:
                    best: tuple[float, str] | None = None
                    for g, w in cands:
                        if g in route:
                            continue
                        trial = min(([*route[:i], g, *route[i:]] for i in range(len(route) + 1)),
                                    key=lambda r: tour_minutes(origin, r))
                        if tour_minutes(origin, trial) <= p.battery_minutes:
                            score = w * (1 + 1e-6 * rng.random())
                            if best is None or score > best[0]:
                                best = (score, g)
                    if best is None:
                        break
                    g_new = best[1]
                    route = min(([*route[:i], g_new, *route[i:]] for i in range(len(route) + 1)),
                                key=lambda r: tour_minutes(origin, r))
                dur = tour_minutes(origin, route)
                weight = 0.0
                for g in route:
                    weight += left[(g, sl.index)]
                    left[(g, sl.index)] *= FLOWN_FACTOR
                    flown[(g, sl.index)] = flown.get((g, sl.index), 0.0) + p.hover_minutes
                sorties.append(Sortie(
                    unit=u, post=home_post[u],
                    slot=sl.index, start=t, end=t + dur, grids=tuple(route),
                    waypoints=(origin, *(q for g in route for q in over[g]), origin),
                    weight=weight))
                count_day[(u, day)] = count_day.get((u, day), 0) + 1
                free_at[u] = t + dur + p.recharge_minutes
                t = free_at[u]

    duties: dict[tuple[str, int], DroneDuty] = {}
    for uid in home:
        for sl in slots:
            mine = [x for x in sorties if x.unit == uid and x.slot == sl.index]
            gs: list[str] = []
            for x in mine:
                gs.extend(g for g in x.grids if g not in gs)
            duties[(uid, sl.index)] = DroneDuty(
                unit=uid, slot=sl.index, post=home_post[uid], grids=tuple(gs), sorties=len(mine),
                airborne_minutes=sum(x.minutes for x in mine))

    unflown = sorted(((g, s), thin[(g, s)]) for (g, s) in thin
                     if thin[(g, s)] > p.min_thin and (g, s) not in flown)
    if unflown and home:
        reach = {g: min(tour_minutes(o, [g]) for o in home.values()) for g in grids}
        out_of_range = sorted({g for (g, _), _ in unflown if reach[g] > p.battery_minutes})
        if out_of_range:
            shortfalls.append(
                "grids out of drone range (round trip with one hover beyond "
                f"{p.battery_minutes:g} min): {', '.join(out_of_range)}")
        pos = {s.index: k for k, s in enumerate(slots)}
        night = sorted({s for (_, s), _ in unflown if slots[pos[s]].start.hour not in p.hours})
        if night:
            shortfalls.append(f"thin grids outside the drones' flying hours in {len(night)} "
                              f"slot(s): {', '.join(str(s) for s in night[:6])}")
        rest = [(g, s, w) for (g, s), w in unflown
                if reach[g] <= p.battery_minutes and slots[pos[s]].start.hour in p.hours]
        if rest:
            total = sum(w for _, _, w in rest)
            shown = ", ".join(f"{g}@{s}" for g, s, _ in rest[:6])
            shortfalls.append(
                f"{len(rest)} thin (grid, slot) cell(s) not flown for want of a free drone "
                f"(battery, recharge or daily limit), weight {total:.3g}: {shown}"
                + (" …" if len(rest) > 6 else ""))
    elif unflown:
        shortfalls.append(f"{len(unflown)} thin (grid, slot) cell(s) and no drone to fly them")
    sorties.sort(key=lambda s: (s.start, s.unit))
    return DronePlan(sorties=tuple(sorties), duties=duties, flown=flown,
                     shortfalls=tuple(shortfalls), params=p, seed=seed,
                     crs=scenario.crs.working)
