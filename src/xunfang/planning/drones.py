"""Drone sorties (无人机巡逻): flights over the grids the ground plan leaves thin.

Entry point: :func:`plan_drones`. The drones are the scenario's units of mode ``drone``; each
launches from and lands at its home post, and flies only while its pilot is on duty
(``on_duty``, the posture's crews) and inside the flying hours. ``thin[(grid id, slot
index)]`` weighs how uncovered a grid is in a slot; a grid with no weight, or weight at most
``DroneParams.min_thin``, is not flown.

What is thin (:func:`thin_cells`, the weights the pipeline's drones stage flies): a (grid,
slot) cell whose share of the slot's risk exceeds its share of the slot's ground presence,
r / R > n / N (r, n: the cell's risk and ground units; R, N: their sums over the grids in the
slot; a slot with no ground unit anywhere leaves every grid with risk thin). The posture
shares the slot's ground units out by risk among other things, so a cell that got fewer than
its risk's share of them is where the ground plan falls short and a drone adds most; a cell
holding its share or more is covered as well as the slot's force allows and is neither
flown nor a shortfall. A thin cell weighs r / (1 + n): the more risk and the fewer units, the
sooner it is flown. (A review: risk / (1 + n) over every cell called all 168 grid-hours of
the county "thin", hours with three units in the grid among them, so the shortfall could not
tell a gap from noise.)

A sortie: launch (``policy.drone_launch_minutes``), straight flights at
``policy.speeds_kph["drone"]`` to the first grid, along the longest stretch of a mandatory line
inside it (a point inside the polygon when no line crosses it), ``hover_minutes`` over it, on to
the next grid, and back to the post; the whole within ``battery_minutes``, and the whole
inside one stretch of time the drone is crewed and may fly (a sortie never runs past its
pilot's shift, the flying hours or the horizon). Between sorties the drone is on the ground
``recharge_minutes`` (battery swap or charge and the pilot's rest), at most ``max_sorties``
sorties a day. The limits are scenario.toml's ``[policy.drones]`` (:meth:`DroneParams.of`).

Method: a greedy over the whole horizon, not slot by slot. Each (drone, slot) offers the
sortie that drone would fly from the slot's earliest free moment: the first grid by weight per
minute of flight to it, then the grid of the most weight that the battery still allows
(inserted where it lengthens the flight least), up to ``max_grids_per_sortie``. The sortie of
the most weight over all drones and slots is flown first (lazily re-weighed: weights only fall),
so a drone's daily sorties go to the day's thinnest hours rather than to the first hours of the
day (a review: twelve sorties spent by 11:00 on night weights, the evening peak unflown). A
grid's weight counts in the slot the drone hovers over it; a flown grid keeps a tenth of it,
so the next sortie goes elsewhere first. Weights left unflown are listed as shortfalls by
reason — no drone crewed, outside the flying hours, out of range of the drones on duty, the
daily limit, or the drones busy over weightier grids — heaviest cells first. Cells not flown for
want of a crew say why concretely: which drones, which of their pilots (the people of the
drone's crew pool with the ``drone_pilot`` skill) ride which ground units in which slots, are
on duty with their ground unit out of service (a re-plan's), or that none is on duty, and
that ``[policy.drones] crew_first = true`` would crew a drone before the ground units beyond
one per home post. Slots are said as runs (``0-7, 14-23``).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import numpy as np
import shapely

from xunfang.geo import Projector
from xunfang.plan import Assignment, Slot, index_runs
from xunfang.planning.routes import grid_of_nodes
from xunfang.scenario.model import DronePolicy, Policy, Scenario, crew_pool

__all__ = ["FLOWN_FACTOR", "DroneDuty", "DroneParams", "DronePlan", "Sortie", "plan_drones",
           "thin_cells"]

#: A grid's weight left in a slot after a sortie flew over it: a tenth, so the other drones
#: (and the next sortie) take the other thin grids first.
FLOWN_FACTOR = 0.1

_POLICY = DronePolicy()


@dataclass(frozen=True)
class DroneParams:
    """The limits of a sortie and a drone's day: scenario.toml's ``[policy.drones]``
    (:meth:`of`), with ``min_thin`` the planner's own threshold."""

    battery_minutes: float = _POLICY.battery_minutes  # airborne per sortie, launch to landing
    recharge_minutes: float = _POLICY.recharge_minutes  # on the ground between sorties
    hover_minutes: float = _POLICY.hover_minutes  # over each grid
    max_sorties: int = _POLICY.max_sorties  # per drone and day of the horizon
    max_grids_per_sortie: int = _POLICY.grids_per_sortie
    min_thin: float = 0.0  # only grids with more weight than this are flown
    hours: tuple[int, ...] = _POLICY.hours  # hours in which drones may fly

    @classmethod
    def of(cls, policy: Policy, *, min_thin: float = 0.0) -> DroneParams:
        """The limits ``[policy.drones]`` sets (the defaults where it is silent)."""
        d = policy.drones
        return cls(battery_minutes=d.battery_minutes, recharge_minutes=d.recharge_minutes,
                   hover_minutes=d.hover_minutes, max_sorties=d.max_sorties,
                   max_grids_per_sortie=d.grids_per_sortie, min_thin=min_thin,
                   hours=tuple(d.hours))

    def check(self) -> None:
        for name in ("battery_minutes", "hover_minutes"):
            v = getattr(self, name)
            if not (_number(v) and math.isfinite(v) and v > 0):
                raise ValueError(f"params.{name}: must be minutes > 0; got {v!r}")
        for name in ("recharge_minutes", "min_thin"):
            v = getattr(self, name)
            if not (_number(v) and math.isfinite(v) and v >= 0):
                raise ValueError(f"params.{name}: must be a finite number >= 0; got {v!r}")
        for name in ("max_sorties", "max_grids_per_sortie"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"params.{name}: must be a whole number >= 1; got {v!r}")
        if isinstance(self.hours, str | bytes) or not isinstance(self.hours, Collection):
            raise ValueError(f"params.hours: must be a collection of hours 0..23; got "
                             f"{self.hours!r}")
        if not self.hours:
            raise ValueError("params.hours: name at least one hour 0..23; got none")
        bad = [h for h in self.hours
               if isinstance(h, bool) or not isinstance(h, int | np.integer) or not 0 <= h <= 23]
        if bad:
            raise ValueError(f"params.hours: must be whole hours 0..23; got {bad}")


def thin_cells(risk: Mapping[tuple[str, int], float], ground: Mapping[tuple[str, int], float]
               ) -> dict[tuple[str, int], float]:
    """The (grid, slot) cells the ground plan leaves thin and their weights (the module's
    rule): cell (g, s) of ``risk`` is thin when r·N > n·R — its share of the slot's risk
    exceeds its share of the slot's ground units (``ground``, absent: none), sums over the
    grids ``risk`` names in the slot — and weighs r / (1 + n). Cells not thin are left out.
    Raises ``ValueError`` naming the cell for a negative or non-finite risk or ground count.
    """
    risk_sum: dict[int, float] = {}
    units_sum: dict[int, float] = {}
    for (g, s), r in risk.items():
        n = ground.get((g, s), 0.0)
        if not (math.isfinite(r) and r >= 0):
            raise ValueError(f"risk: ({g!r}, {s}) must be finite and >= 0; got {r!r}")
        if not (math.isfinite(n) and n >= 0):
            raise ValueError(f"ground: ({g!r}, {s}) must be finite and >= 0; got {n!r}")
        risk_sum[s] = risk_sum.get(s, 0.0) + r
        units_sum[s] = units_sum.get(s, 0.0) + n
    out: dict[tuple[str, int], float] = {}
    for (g, s), r in risk.items():
        n = ground.get((g, s), 0.0)
        big_r, big_n = risk_sum[s], units_sum[s]
        # r / R > n / N without dividing; the tolerance keeps an exact share (say 2 of 8
        # units on a quarter of the risk) from counting as thin by rounding
        if r > 0 and (big_n == 0 or r * big_n - n * big_r > 1e-9 * big_r * big_n):
            out[(g, s)] = r / (1.0 + n)
    return out


def _number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


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


class Flight(Protocol):
    """What a drone's duty is counted from: a :class:`Sortie`, or a plan's ``DroneSortie``."""

    @property
    def unit(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def grids(self) -> tuple[str, ...]: ...


def duty_in(unit: str, slot: int, post: str, flights: Iterable[Flight], lo: float, hi: float
            ) -> DroneDuty:
    """Drone ``unit``'s duty in ``slot`` (minutes ``lo`` to ``hi``) at ``post``: the flights
    of it in the air then, the grids they fly over (in order, once each) and their airborne
    minutes in the slot. The drones stage and a re-plan (from the sorties it flies) say it
    alike."""
    up = [x for x in flights if x.unit == unit and x.start < hi and x.end > lo]
    grids: list[str] = []
    for x in up:
        grids.extend(g for g in x.grids if g not in grids)
    return DroneDuty(unit=unit, slot=slot, post=post, grids=tuple(grids), sorties=len(up),
                     airborne_minutes=sum(min(x.end, hi) - max(x.start, lo) for x in up))


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
            "method": ("greedy over the horizon, the sortie of the most thin weight first, "
                       "within the pilots' shifts, flying hours, battery, recharge and the "
                       "day's sorties"),
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


def _flying_parts(slot: Slot, at: float, hours: Collection[int]) -> list[tuple[float, float]]:
    """The minutes [a, b) of ``slot`` (starting at minute ``at`` of the run) whose clock hour
    is a flying hour: the whole slot, none of it, or the hours of a long slot that are."""
    parts: list[tuple[float, float]] = []
    t = 0.0
    while t < slot.minutes - 1e-9:
        now = slot.start + timedelta(minutes=t)
        to_hour = 60.0 - now.minute - now.second / 60.0
        step = min(to_hour, slot.minutes - t)
        if now.hour in hours:
            if parts and abs(parts[-1][1] - (at + t)) < 1e-9:
                parts[-1] = (parts[-1][0], at + t + step)
            else:
                parts.append((at + t, at + t + step))
        t += step
    return parts


def plan_drones(
    scenario: Scenario,
    net: object,
    slots: Sequence[Slot],
    thin: Mapping[tuple[str, int], float],
    *,
    seed: int,
    params: DroneParams | None = None,
    on_duty: Mapping[int, Collection[str]] | None = None,
    crews: Mapping[tuple[str, int], Sequence[str]] | None = None,
    benched: Mapping[tuple[str, int], Sequence[str]] | None = None,
    held: Mapping[tuple[str, int], Sequence[str]] | None = None,
) -> DronePlan:
    """Sorties of the scenario's drones over the grids ``thin`` weighs.

    ``net`` is the scenario's ``RoadNetwork`` (kept for the common stage signature; drones fly
    straight lines, so it is not queried). ``on_duty`` maps a slot index to the drones crewed
    in it (default: every drone in every slot; a slot it does not name has none); a drone
    neither flies nor has a duty in a slot it is not crewed in. ``crews`` names who crews a
    unit in a slot (the posture's crews): a sortie never runs across a change of pilot, and
    the ground units' crews say which unit a grounded drone's pilot rides (the shortfall).
    ``benched`` names, per (ground unit, slot), the people rostered to crew a unit a re-plan
    took out of service whom the re-plan gave no unit off for want of a crew
    (:func:`~xunfang.planning.deploy.from_plan.free_crews`: a pilot to spare there already
    crews the grounded drone): on duty, aboard nothing (the shortfall says so of a pilot,
    not "no pilot on duty"; the posture's crews stand). ``held`` names, per (ground unit,
    slot), the crew of a unit a re-plan holds at an incident (the posture has it off, no one
    aboard): the shortfall says its pilot is there, not "no pilot on duty".
    ``params`` default to the scenario's ``[policy.drones]``. Raises ``ValueError`` naming
    the argument for unknown grids or slots, negative or non-finite weights, and bad
    parameters.
    """
    del net
    p = params if params is not None else DroneParams.of(scenario.policy)
    p.check()
    hours = frozenset(int(h) for h in p.hours)
    slots = tuple(slots)
    if not slots:
        raise ValueError("slots: at least one slot is needed")
    grids = {a.id: a for a in scenario.areas_of("grid")}
    pos = {s.index: k for k, s in enumerate(slots)}
    for (g, s), w in thin.items():
        if g not in grids:
            raise ValueError(f"thin: key ({g!r}, {s}) names no grid of the scenario")
        if s not in pos:
            raise ValueError(f"thin: key ({g!r}, {s}) names no slot given")
        if not (math.isfinite(w) and w >= 0):
            raise ValueError(f"thin: weight of ({g!r}, {s}) must be finite and >= 0; got {w!r}")
    pol = scenario.policy
    kpm = pol.speeds_kph["drone"] * 1000.0 / 60.0  # metres per minute
    launch = float(pol.drone_launch_minutes)
    posts = {q.id: q for q in scenario.posts}
    drones = [u for u in scenario.units if u.mode == "drone"]
    units = {u.id: u for u in scenario.units}
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
    if on_duty is not None:
        for s, us in on_duty.items():
            if s not in pos:
                raise ValueError(f"on_duty: slot {s} is not among the slots given")
            unknown = sorted(set(us) - {u.id for u in drones})
            if unknown:
                raise ValueError(f"on_duty: slot {s} names units that are not drones: "
                                 f"{unknown}")
    crewed: list[frozenset[str]] = [
        frozenset(home) if on_duty is None else frozenset(on_duty.get(s.index, ())) & set(home)
        for s in slots]
    over = _over_grids(scenario)

    def fly(a: tuple[float, float], b: tuple[float, float]) -> float:
        return math.dist(a, b) / kpm

    def tour_minutes(origin: tuple[float, float], gs: Sequence[str]) -> float:
        pts = [origin, *(q for g in gs for q in over[g]), origin]
        return (launch + sum(fly(a, b) for a, b in itertools.pairwise(pts))
                + p.hover_minutes * len(gs))

    def hover_times(origin: tuple[float, float], gs: Sequence[str], t: float) -> list[float]:
        """The middle of each grid's hover, in run minutes, for a sortie launched at ``t``:
        the drone flies the grid's stretch, then hovers at its end."""
        out: list[float] = []
        now, at = t + launch, origin
        for g in gs:
            for q in over[g]:
                now += fly(at, q)
                at = q
            out.append(now + p.hover_minutes / 2)
            now += p.hover_minutes
        return out

    rng = np.random.default_rng(seed)
    t0 = slots[0].start
    starts = [(s.start - t0).total_seconds() / 60.0 for s in slots]
    ends = [a + s.minutes for a, s in zip(starts, slots, strict=True)]
    parts = [_flying_parts(s, a, hours) for s, a in zip(slots, starts, strict=True)]
    # each drone's stretches of time crewed and in the flying hours, merged across slots
    # (a stretch ends where the pilot changes: a review found a sortie flown on across the
    # 08:00 handover from one pilot to the next)
    windows: dict[str, list[tuple[float, float]]] = {}
    for u in home:
        run: list[tuple[float, float, tuple[str, ...]]] = []
        for k in range(len(slots)):
            if u not in crewed[k]:
                continue
            who = tuple(crews.get((u, slots[k].index), ())) if crews is not None else ()
            for a, b in parts[k]:
                if run and abs(run[-1][1] - a) < 1e-9 and run[-1][2] == who:
                    run[-1] = (run[-1][0], b, who)
                else:
                    run.append((a, b, who))
        windows[u] = [(a, b) for a, b, _ in run]
    # a grid's way in, way out and the stretch flown over it, for insertions priced by what
    # they add (a review: pricing every trial route whole took 118 s on 1,024 grids and 20
    # drones over two days of quarter-hour slots)
    entry = {g: pts[0] for g, pts in over.items()}
    leave = {g: pts[-1] for g, pts in over.items()}
    inner = {g: sum(math.dist(a, b) for a, b in itertools.pairwise(pts))
             for g, pts in over.items()}
    round_trip = {u: {g: tour_minutes(o, [g]) for g in grids} for u, o in home.items()}
    reach = {u: {g for g, m in round_trip[u].items() if m <= p.battery_minutes} for u in home}
    left = {key: float(w) for key, w in thin.items() if w > p.min_thin}
    by_slot: dict[int, list[str]] = {}
    for g, s in sorted(left):
        by_slot.setdefault(s, []).append(g)
    mine: dict[str, list[tuple[float, float]]] = {u: [] for u in home}  # (start, end) flown
    count_day: dict[tuple[str, int], int] = {}
    noise = {(u, k): float(rng.random()) for u in home for k in range(len(slots))}

    def slot_at(t: float) -> int:
        """The position of the slot holding run minute ``t`` (the last one at its end)."""
        k = int(np.searchsorted(starts, t, side="right")) - 1
        return min(max(k, 0), len(slots) - 1)

    def day_of(t: float) -> int:
        return int((t - starts[0]) // 1440)

    def route_for(u: str, k: int) -> list[str]:
        """The sortie drone ``u`` would fly over slot ``k``'s weights (empty: none)."""
        sl = slots[k].index
        cands = [(left[(g, sl)], g) for g in by_slot.get(sl, ())
                 if left[(g, sl)] > 0 and g in reach[u]]
        if not cands:
            return []
        origin = home[u]
        first = max(cands, key=lambda c: (c[0] / round_trip[u][c[1]], c[1]))[1]
        route = [first]
        now = round_trip[u][first]  # the route's minutes
        cands.sort(key=lambda c: (-c[0], c[1]))
        while len(route) < p.max_grids_per_sortie:
            added = False
            for _, g in cands:  # the weightiest grid the battery still allows
                if g in route:
                    continue
                best_i, best = 0, math.inf
                for i in range(len(route) + 1):  # where it lengthens the flight least
                    a = origin if i == 0 else leave[route[i - 1]]
                    b = origin if i == len(route) else entry[route[i]]
                    more = (math.dist(a, entry[g]) + inner[g] + math.dist(leave[g], b)
                            - math.dist(a, b)) / kpm + p.hover_minutes
                    if more < best:
                        best_i, best = i, more
                if now + best <= p.battery_minutes + 1e-9:
                    trial = [*route[:best_i], g, *route[best_i:]]
                    exact = tour_minutes(origin, trial)
                    if exact <= p.battery_minutes:
                        route, now, added = trial, exact, True
                        break
            if not added:
                break
        return route

    def start_in(u: str, k: int, dur: float) -> float | None:
        """The earliest start in slot ``k`` at which drone ``u`` can fly ``dur`` minutes: in
        one of its windows to the end, clear of its other sorties and their recharge, under
        the day's limit."""
        for a, b in parts[k]:
            win = next((w for w in windows[u] if w[0] - 1e-9 <= a < w[1]), None)
            if win is None:
                continue
            for t in sorted({a, *(e + p.recharge_minutes for _, e in mine[u])}):
                if not a - 1e-9 <= t < b or t + dur > win[1] + 1e-9:
                    continue
                if any(t < e + p.recharge_minutes - 1e-9 and x < t + dur + p.recharge_minutes
                       - 1e-9 for x, e in mine[u]):
                    continue
                if count_day.get((u, day_of(t)), 0) >= p.max_sorties:
                    continue
                return t
        return None

    def offer(u: str, k: int) -> tuple[float, float, list[str]] | None:
        """(weight, start, grids) of drone ``u``'s best sortie from slot ``k``, or None."""
        route = route_for(u, k)
        while route:
            dur = tour_minutes(home[u], route)
            t = start_in(u, k, dur)
            if t is not None:  # the weight where it hovers (a review: a late launch
                # hovered in the next slot and caught none of the weight it was chosen for)
                w = sum(left.get((g, slots[slot_at(h)].index), 0.0)
                        for g, h in zip(route, hover_times(home[u], route, t), strict=True))
                return (w, t, route) if w > 0 else None
            # too long for the time left: drop the lightest grid (the straight line past it
            # is no longer than the way over it)
            light = min(route, key=lambda g: (left[(g, slots[k].index)], g))
            route = [g for g in route if g != light]
        return None

    heap: list[tuple[float, float, str, int]] = []
    for u in home:
        for k in range(len(slots)):
            if u in crewed[k] and parts[k] and by_slot.get(slots[k].index):
                o = offer(u, k)
                if o is not None:
                    heap.append((-o[0], noise[(u, k)], u, k))
    heapq.heapify(heap)
    sorties: list[Sortie] = []
    flown: dict[tuple[str, int], float] = {}
    while heap:
        _, nz, u, k = heapq.heappop(heap)
        o = offer(u, k)
        if o is None or o[0] <= 0:
            continue
        if heap and o[0] < -heap[0][0] - 1e-12:  # lazily re-weighed: not the best any more
            heapq.heappush(heap, (-o[0], nz, u, k))
            continue
        _, t, route = o
        dur = tour_minutes(home[u], route)
        weight = 0.0
        for g, h in zip(route, hover_times(home[u], route, t), strict=True):
            key = (g, slots[slot_at(h)].index)
            weight += left.get(key, 0.0)
            if key in left:
                left[key] *= FLOWN_FACTOR
            flown[key] = flown.get(key, 0.0) + p.hover_minutes
        sorties.append(Sortie(
            unit=u, post=home_post[u], slot=slots[k].index, start=t, end=t + dur,
            grids=tuple(route), waypoints=(home[u], *(q for g in route for q in over[g]),
                                           home[u]), weight=weight))
        mine[u].append((t, t + dur))
        count_day[(u, day_of(t))] = count_day.get((u, day_of(t)), 0) + 1
        heapq.heappush(heap, (-o[0], nz, u, k))  # a long slot may hold another

    sorties.sort(key=lambda s: (s.start, s.unit))
    duties: dict[tuple[str, int], DroneDuty] = {}
    for uid in home:
        for k, sl in enumerate(slots):
            if uid not in crewed[k]:
                continue  # no pilot: the posture's "off" stands
            duties[(uid, sl.index)] = duty_in(uid, sl.index, home_post[uid], sorties,
                                              starts[k], ends[k])

    def fits(u: str, g: str, k: int) -> bool:
        """Whether drone ``u`` has, from some flying part of slot ``k`` on, time enough on
        duty and in the flying hours for a round trip over grid ``g``."""
        return any(w[0] - 1e-9 <= a < w[1] and w[1] - a >= round_trip[u][g] - 1e-9
                   for a, _ in parts[k] for w in windows[u])

    known = any("drone_pilot" in q.skills for q in scenario.people)
    pilots = {d: tuple(q.id for q in crew_pool(units[d], scenario.people)
                       if not known or "drone_pilot" in q.skills) for d in home}
    rides = None if crews is None else _by_slot(
        {k: c for k, c in crews.items() if k[0] in units and units[k[0]].mode != "drone"})
    idle = _by_slot(benched or {})
    away = _by_slot(held or {})

    def grounded(cells: Sequence[int]) -> list[str]:
        return _grounded(sorted(home), cells, pilots, rides, idle, away,
                         crew_first=scenario.policy.drones.crew_first)

    shortfalls.extend(_unflown(thin, flown, slots, crewed, parts, reach, count_day, p,
                               has_drones=bool(home), day_of=day_of, starts=starts,
                               fits=fits, grounded=grounded))
    return DronePlan(sorties=tuple(sorties), duties=duties, flown=flown,
                     shortfalls=tuple(shortfalls), params=p, seed=seed,
                     crs=scenario.crs.working)


def _unflown(thin: Mapping[tuple[str, int], float], flown: Mapping[tuple[str, int], float],
             slots: Sequence[Slot], crewed: Sequence[frozenset[str]],
             parts: Sequence[list[tuple[float, float]]], reach: Mapping[str, set[str]],
             count_day: Mapping[tuple[str, int], int], p: DroneParams, *, has_drones: bool,
             day_of: Callable[[float], int], starts: Sequence[float],
             fits: Callable[[str, str, int], bool],
             grounded: Callable[[Sequence[int]], list[str]]) -> list[str]:
    """The thin (grid, slot) cells no sortie flew over, one sentence per reason, each with
    its cells' weight and its six heaviest cells (``G1@5``: grid G1 in slot 5); the cells
    not flown for want of a crew add why (``grounded(slots)``'s clauses)."""
    pos = {s.index: k for k, s in enumerate(slots)}
    cells = sorted((((g, s), w) for (g, s), w in thin.items()
                    if w > p.min_thin and (g, s) not in flown), key=lambda c: (-c[1], c[0]))
    if not cells:
        return []
    if not has_drones:
        return [f"{len(cells)} thin (grid, slot) cell(s) and no drone to fly them"]
    why: dict[str, list[tuple[str, int, float]]] = {}
    for (g, s), w in cells:
        k = pos[s]
        crew = crewed[k]
        if not crew:
            reason = "uncrewed"
        elif not parts[k]:
            reason = "hours"
        elif not (reachers := [u for u in crew if g in reach[u]]):
            reason = "range"
        elif not (able := [u for u in reachers if fits(u, g, k)]):
            reason = "time"
        elif all(count_day.get((u, day_of(starts[k])), 0) >= p.max_sorties for u in able):
            reason = "daily"
        else:
            reason = "busy"
        why.setdefault(reason, []).append((g, s, w))
    said = {
        "uncrewed": "with no drone crewed",
        "hours": "outside the drones' flying hours",
        "range": (f"out of range of the drones on duty (round trip with one hover beyond "
                  f"{p.battery_minutes:g} min)"),
        "time": ("with too little of the drones' time on duty and in flying hours left for "
                 "a round trip"),
        "daily": f"after every drone on duty had flown its {p.max_sorties} sorties of the day",
        "busy": "while the drones on duty were airborne or recharging over weightier grids",
    }
    out = []
    for reason in ("uncrewed", "hours", "range", "time", "daily", "busy"):
        rows = why.get(reason)
        if not rows:
            continue
        shown = ", ".join(f"{g}@{s}" for g, s, _ in rows[:6])
        why_not = (" — " + "; ".join(grounded(sorted({s for _, s, _ in rows})))
                   if reason == "uncrewed" else "")
        out.append(f"{len(rows)} thin (grid, slot) cell(s) not flown {said[reason]}, weight "
                   f"{sum(w for _, _, w in rows):.3g}: {shown}" + (" …" if len(rows) > 6 else "")
                   + why_not)
    return out


def _runs(slots: Sequence[int]) -> str:
    """Slot indices as runs, ``0-7, 14-23`` (a lone slot as itself): a review found a 3-day
    plan's grounded-drone reason naming 72 slots one by one."""
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in index_runs(slots))


def _by_slot(crews: Mapping[tuple[str, int], Sequence[str]]) -> dict[int, dict[str, str]]:
    """(unit, slot) -> people, turned round: slot -> person -> the unit they are with."""
    out: dict[int, dict[str, str]] = {}
    for (uid, at), people in crews.items():
        for person in people:
            out.setdefault(at, {})[person] = uid
    return out


def _grounded(drones: Sequence[str], slots: Sequence[int], pilots: Mapping[str, Sequence[str]],
              rides: Mapping[int, Mapping[str, str]] | None,
              benched: Mapping[int, Mapping[str, str]] | None = None,
              held: Mapping[int, Mapping[str, str]] | None = None, *,
              crew_first: bool) -> list[str]:
    """Why ``drones`` have no crew in ``slots``, one clause per pilot and ground unit ridden
    ("pilot P of D1, D2 rides M1 in slot(s) 0-1"), per pilot on duty whose ground unit is out
    of service (``benched``: slot -> person -> that unit; a review: the reason said "no pilot
    on duty" of two rostered pilots whose motorcycle a re-plan took out of service), per
    pilot aboard a ground unit held at an incident (``held``, as ``benched``), per
    stretch with no pilot on duty, and what ``[policy.drones] crew_first`` would change;
    drones whose stories are alike share their clauses. ``rides`` (slot -> person -> ground
    unit) None: the crews are not known. Slots are said as runs (:func:`_runs`)."""
    story: dict[str, tuple[tuple[str, str, str, tuple[int, ...]], ...]] = {}
    for d in drones:
        by: dict[tuple[str, str, str], list[int]] = {}
        for s in slots:
            if rides is None:
                by.setdefault(("unknown", "", ""), []).append(s)
                continue
            # the first of these that has a pilot of ``d`` in slot ``s`` says where they are
            for kind, where in (("rides", rides), ("held", held or {}),
                                ("benched", benched or {})):
                with_unit = [(q, where[s][q]) for q in pilots.get(d, ())
                             if q in where.get(s, {})]
                for q, unit in with_unit:
                    by.setdefault((kind, q, unit), []).append(s)
                if with_unit:
                    break
            else:
                by.setdefault(("none", "", ""), []).append(s)
        story[d] = tuple(sorted(((kind, q, unit, tuple(ss)) for (kind, q, unit), ss
                                 in by.items()), key=lambda c: (c[3][0], c[1], c[2])))
    alike: dict[tuple[tuple[str, str, str, tuple[int, ...]], ...], list[str]] = {}
    for d in drones:
        alike.setdefault(story[d], []).append(d)
    out: list[str] = []
    ride = False
    for clauses, ds in sorted(alike.items(), key=lambda kv: kv[1]):
        who = ", ".join(ds)
        for kind, q, unit, ss in clauses:
            at = _runs(ss)
            if kind == "unknown":
                out.append(f"no crew named for {who} in slot(s) {at}")
            elif kind == "rides":
                ride = True
                out.append(f"pilot {q} of {who} rides {unit} in slot(s) {at}")
            elif kind == "held":
                out.append(f"pilot {q} of {who} is aboard {unit}, held at an incident, "
                           f"in slot(s) {at}")
            elif kind == "benched":
                out.append(f"pilot {q} of {who} is on duty, their unit {unit} out of service, "
                           f"in slot(s) {at}")
            else:
                out.append(f"no pilot of {who} on duty in slot(s) {at}")
    if ride:
        out.append("[policy.drones] crew_first = true is set, and the drones still come after "
                   "one ground unit at each home post" if crew_first else
                   "[policy.drones] crew_first = true would crew a drone before the ground "
                   "units beyond one per home post")
    return out
