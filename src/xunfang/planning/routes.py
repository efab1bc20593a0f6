"""Patrol routes (巡逻路线): for every unit and slot of the posture, where it drives or walks.

Entry point: :func:`plan_routes`. The posture (from the deployment stage) says which grid each
patrolling unit works in each slot; this stage turns every run of consecutive slots of a unit in
one grid into a timed node sequence on the road network that

* covers the grid's pieces of the mandatory patrol lines (``scenario.lines``; ``every_minutes``,
  else ``policy.line_every_minutes``) — a line that crosses grids is cut into pieces, one per
  grid, each covered by the units of its grid;
* visits the grid's key sites (tier 1..3) with a stop of ``stop_minutes`` (10–15 min: the Koper
  curve) at least every ``policy.revisit_minutes[tier]``;
* stays on the grid's streets (edges with at least one end inside the grid polygon) — except the
  transit from where the unit was to the grid, which is marked ``transit``;
* follows its mode: foot and balance-vehicle units make short loops (items more than
  ``loop_minutes[mode]`` of travel from where they entered the grid are left to others),
  motorcycles and cars range over the whole grid;
* is randomised from ``seed`` (the next item is drawn among those nearly as urgent as the most
  urgent one, and stop lengths are drawn), so patrols are not predictable.

Method: an event-driven earliest-deadline heuristic over all units at once. When a unit is
free it picks, among the items of its grid it can finish before its run ends, one whose
*slack* (its deadline, last visit + interval, minus the travel time to it) is within
``choice_window_minutes`` of the smallest slack; visits by every police unit (``POLICE_TIERS``)
count for every unit. A police unit alone in its grid (in the slot it decides in) draws only
among those after which it can still reach the grid's other items falling due before its run
ends, when there are such. While a key site or line piece misses its interval and nothing
rules out every draw (its grid without a police unit for a stretch that, with a site's
shortest stop, outlasts the interval; or no street of a present police unit's mode leading
to it, unless a police unit starts on it), the loop is run again with other draws of the
seed (``attempts``, within ``ROUTE_RUN_BUDGET``), and the run missing least over the whole
plan is kept. Auxiliary forces (volunteers, guards) walk routes too and stop at sites, but
their visits do not meet the revisit and line intervals, nor do they count in the load bound:
a key site's patrol is a police visit, as the simulator's patrol gap counts it.

Bounds: for each (grid, slot) the stage reports a *load* lower bound and checks it against the
number of units there, and the shortest single closed tour OR-Tools routing finds through
every item of the grid (``RoutePlan.tour``): a tour no longer than the grid's shortest
interval certifies that one unit can meet every interval. Between the two, load ≤ tour /
shortest interval always holds. Each visit to item i takes a unit at least w_i minutes (its stop or
traversal plus the shortest travel into it from any other item of the grid, by the fastest
mode present), so keeping every interval r_i needs at least Σ w_i / r_i units in steady state;
when the load exceeds the units present, no assignment of those units can meet every
interval, and the stage says so as a shortfall. The achieved intervals are measured on the
routes themselves (cyclically over the horizon: the day repeats) and every interval above its
requirement is a shortfall too — never hidden.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from xunfang import network
from xunfang.geo import Projector
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Slot
from xunfang.planning.places import place_nodes
from xunfang.scenario.model import (
    BoolArray,
    FloatArray,
    IntArray,
    Mode,
    Scenario,
    on_both_sides,
)

__all__ = [
    "DEFAULT_LOOP_MINUTES",
    "DEFAULT_ROUTE_ATTEMPTS",
    "Leg",
    "LineReport",
    "PatrolLoad",
    "RoutePlan",
    "SiteReport",
    "UnitSlotRoute",
    "grid_of_nodes",
    "ground_presence",
    "plan_routes",
    "posture_of",
    "standing_of",
]

#: How far (travel minutes from where it entered the grid) a unit of each mode ranges: foot
#: and balance-vehicle units make short loops, motorcycles and cars the whole grid (None).
DEFAULT_LOOP_MINUTES: Mapping[Mode, float | None] = {
    "foot": 20.0, "balance": 15.0, "motorcycle": None, "car": None,
}

LegKind = Literal["transit", "site", "line", "hold"]

#: How many times :func:`plan_routes` runs its event loop, each with other draws of the seed,
#: while an item some draw might serve misses its interval (the first run is the seed's own).
DEFAULT_ROUTE_ATTEMPTS = 8

#: Routed (unit, slot) pairs the runs of :func:`plan_routes` may take in all: the county's
#: day and week (a few hundred and 2,800) get every run, a city of 28,800 unit-slots one.
ROUTE_RUN_BUDGET = 40_000

#: Unit tiers whose visits meet a site's revisit interval and a line's frequency (police on
#: patrol; the simulator's default uniformed tiers).
POLICE_TIERS = ("special", "precinct", "armed")


@dataclass(frozen=True)
class Leg:
    """One piece of a route: the nodes passed (node ids) and the minute (from the start of the
    horizon) at which each is reached. ``kind`` says why: ``transit`` (to the grid), ``site``
    (to a key site, then a stop from ``stop_start`` to ``stop_end``), ``line`` (driving a
    piece of a mandatory line, ``ref`` its line id), ``hold`` (nothing left that fits before
    the run ends: the unit stays). ``ref`` is the site or line id."""

    kind: LegKind
    ref: str
    nodes: tuple[str, ...]
    minutes: tuple[float, ...]
    stop_start: float | None = None
    stop_end: float | None = None
    #: the item a site or line leg keeps ("site:S01", "line:L1#0") and the minute it counts
    #: as visited (a re-plan that keeps this route gives the visit back to the next draw)
    item: str | None = None
    visit: float | None = None

    @property
    def end(self) -> float:
        return self.stop_end if self.stop_end is not None else self.minutes[-1]


@dataclass(frozen=True)
class UnitSlotRoute:
    """A unit's route in one slot: the legs that start in the slot, its grid and mode."""

    unit: str
    slot: int
    grid: str
    mode: Mode
    legs: tuple[Leg, ...]
    #: the slot's end (minutes from the start of the horizon): a stop or hold running past
    #: it counts in :attr:`stops` only to it (the next slot's route starts with its rest)
    until: float = math.inf

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node passed, in order (consecutive duplicates dropped)."""
        out: list[str] = []
        for leg in self.legs:
            for n in leg.nodes:
                if not out or out[-1] != n:
                    out.append(n)
        return tuple(out)

    @property
    def minutes(self) -> tuple[float, ...]:
        """The minute each node of :attr:`nodes` is reached (from the start of the horizon)."""
        out: list[tuple[str, float]] = []
        for leg in self.legs:
            for n, t in zip(leg.nodes, leg.minutes, strict=True):
                if not out or out[-1][0] != n:
                    out.append((n, t))
        return tuple(t for _, t in out)

    @property
    def stops(self) -> tuple[float, ...]:
        """Minutes stopped at each of :attr:`waypoints`: a site's stop, a hold's wait, 0
        at the ends of line pieces and transits (aligned with :attr:`waypoints`)."""
        out: list[tuple[str, float]] = []
        for leg in self.legs:
            pts = ((leg.nodes[-1],) if leg.kind in ("site", "transit", "hold")
                   else (leg.nodes[0], leg.nodes[-1]))
            for k, n in enumerate(pts):
                wait = 0.0
                if k == len(pts) - 1:
                    if leg.stop_start is not None and leg.stop_end is not None:
                        wait = min(leg.stop_end, self.until) - leg.stop_start
                    elif leg.kind == "hold":
                        wait = min(leg.end, self.until) - leg.minutes[0]
                if out and out[-1][0] == n:
                    out[-1] = (n, out[-1][1] + wait)
                else:
                    out.append((n, wait))
        return tuple(max(0.0, m) for _, m in out)

    @property
    def waypoints(self) -> tuple[str, ...]:
        """The nodes that matter: the stops at sites and the ends of line pieces, in order
        (what a simulator cycling through the route needs; the full path is :attr:`nodes`)."""
        out: list[str] = []
        for leg in self.legs:
            pts = ((leg.nodes[-1],) if leg.kind in ("site", "transit", "hold")
                   else (leg.nodes[0], leg.nodes[-1]))
            for n in pts:
                if not out or out[-1] != n:
                    out.append(n)
        return tuple(out)


@dataclass(frozen=True)
class LineReport:
    """A mandatory line against its frequency: ``required`` and ``achieved`` (the longest
    interval between passes of any of its pieces, minutes; ``None`` when some piece is never
    driven), the grid of each piece, and the edges outside every grid."""

    line: str
    required: float
    achieved: float | None
    pieces: tuple[tuple[str, int, float | None], ...]  # (grid, edges, achieved interval)
    outside_edges: int

    @property
    def met(self) -> bool:
        return (self.achieved is not None and self.achieved <= self.required + 1e-6
                and self.outside_edges == 0)


@dataclass(frozen=True)
class SiteReport:
    """A key site against its revisit interval: every stop (arrival minute), the longest
    interval between arrivals (cyclic over the horizon; ``None`` if never visited)."""

    site: str
    tier: int
    grid: str | None
    required: float
    achieved: float | None
    visits: tuple[float, ...]

    @property
    def met(self) -> bool:
        return self.achieved is not None and self.achieved <= self.required + 1e-6


@dataclass(frozen=True, eq=False)
class RoutePlan:
    """The routes of every patrolling unit and slot, the line and site reports, the load
    bound per (grid, slot) and every shortfall, in words."""

    routes: Mapping[tuple[str, int], UnitSlotRoute]
    lines: tuple[LineReport, ...]
    sites: tuple[SiteReport, ...]
    load: Mapping[tuple[str, int], tuple[float, int]]  # (grid, slot) -> (load bound, units)
    #: (grid, slot) -> (minutes of the shortest single closed tour found through every item of
    #: the grid by the fastest mode there, OR-Tools; None when none exists — the grid's
    #: shortest required interval). A tour no longer than that interval is a certificate: one
    #: unit repeating it meets every interval of the grid.
    tour: Mapping[tuple[str, int], tuple[float | None, float]]
    shortfalls: tuple[str, ...]
    horizon_minutes: float
    seed: int
    #: (runs of the event loop made, the run kept (1: the seed's own draws), the most allowed:
    #: ``attempts``, or fewer within ROUTE_RUN_BUDGET)
    attempts: tuple[int, int, int] = (1, 1, 1)
    _slots: tuple[Slot, ...] = field(default=(), repr=False)
    _xy: Mapping[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    _crs: str = field(default="local", repr=False)

    def route_nodes(self, unit: str, slot: int, *, full: bool = False) -> tuple[str, ...]:
        """The node ids of ``unit``'s route in ``slot``: the waypoints (stops and line-piece
        ends), or every node passed with ``full=True``."""
        r = self.routes[(unit, slot)]
        return r.nodes if full else r.waypoints

    def order_entropy(self) -> dict[str, float]:
        """Unpredictability per unit: the entropy (bits) of which key site follows which in
        its stops, averaged over the sites it leaves (0: always the same next site; a fixed
        cycle scores 0 however long it is)."""
        out: dict[str, float] = {}
        by_unit: dict[str, list[tuple[float, str]]] = {}
        for (u, _), r in self.routes.items():
            for leg in r.legs:
                if leg.kind == "site" and leg.stop_start is not None:
                    by_unit.setdefault(u, []).append((leg.stop_start, leg.ref))
        for u, stops in sorted(by_unit.items()):
            seq = [ref for _, ref in sorted(stops)]
            nxt: dict[str, dict[str, int]] = {}
            for a, b in itertools.pairwise(seq):
                nxt.setdefault(a, {})[b] = nxt.setdefault(a, {}).get(b, 0) + 1
            ent = []
            for counts in nxt.values():
                c = np.array(list(counts.values()), dtype=np.float64)
                q = c / c.sum()
                ent.append(float(-(q * np.log2(q)).sum()))
            out[u] = float(np.mean(ent)) if ent else 0.0
        return out

    def to_assignments(self, *, full: bool = False) -> tuple[Assignment, ...]:
        """One ``Assignment(duty="route")`` per routed (unit, slot), route = node ids."""
        return tuple(
            Assignment(unit=u, slot=s, duty="route", route=self.route_nodes(u, s, full=full),
                       stops=() if full else r.stops, note=f"route in grid {r.grid}")
            for (u, s), r in sorted(self.routes.items()))

    def geojson(self) -> dict[str, object]:
        """GeoJSON tracks: one LineString per (unit, slot) with the time of each vertex in
        ``properties.times`` (ISO local time, the ``coordTimes`` convention), and a Point per
        stop. WGS 84 lon/lat, or the scenario's local metres when its CRS is ``local``."""
        if not self._slots:
            return {"type": "FeatureCollection", "features": []}
        t0 = self._slots[0].start
        proj = None if self._crs == "local" else Projector(self._crs)

        def coords(ids: Sequence[str]) -> list[list[float]]:
            xy = np.array([self._xy[i] for i in ids], dtype=np.float64).reshape(-1, 2)
            if proj is None:
                return [[round(float(x), 2), round(float(y), 2)] for x, y in xy]
            lon, lat = proj.to_lonlat(xy[:, 0], xy[:, 1])
            return [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat, strict=True)]

        def iso(m: float) -> str:
            from datetime import timedelta
            return (t0 + timedelta(minutes=m)).isoformat(timespec="seconds")

        feats: list[dict[str, object]] = []
        for (u, s), r in sorted(self.routes.items()):
            ids, mins = r.nodes, r.minutes
            geom: dict[str, object] = (
                {"type": "LineString", "coordinates": coords(ids)} if len(ids) > 1
                else {"type": "Point", "coordinates": coords(ids)[0]})
            feats.append({"type": "Feature", "geometry": geom, "properties": {
                "kind": "track", "unit": u, "slot": s, "grid": r.grid, "mode": r.mode,
                "times": [iso(m) for m in mins]}})
            for leg in r.legs:
                if leg.kind == "site" and leg.stop_start is not None and leg.stop_end is not None:
                    feats.append({"type": "Feature", "geometry": {
                        "type": "Point", "coordinates": coords(leg.nodes[-1:])[0]},
                        "properties": {"kind": "stop", "unit": u, "slot": s, "site": leg.ref,
                                       "from": iso(leg.stop_start), "to": iso(leg.stop_end)}})
        out: dict[str, object] = {"type": "FeatureCollection", "features": feats}
        if proj is None:
            out["crs_note"] = "local planar metres (the scenario has no georeference)"
        return out

    def as_json(self) -> dict[str, object]:
        """The stage's JSON summary for plan.json (routes as waypoints with times)."""
        def r2(x: float | None) -> float | None:
            return None if x is None else round(x, 2)
        return {
            "method": ("earliest-deadline heuristic with seeded random choice, run again with "
                       "other draws of the seed while an item some draw might serve misses "
                       "its interval (the best run over the whole plan kept); load lower "
                       "bound"),
            "seed": self.seed,
            "attempts": {"run": self.attempts[0], "kept": self.attempts[1],
                         "max": self.attempts[2]},
            "routes": [
                {"unit": u, "slot": s, "grid": r.grid, "mode": r.mode,
                 "waypoints": list(r.waypoints),
                 # every node driven, in order: the duty sheet names the streets of these
                 # edges (the waypoints' fastest paths skip a line piece's loop and take
                 # shortcuts never driven: review AR, 346 of the county's 392 routes)
                 "nodes": list(r.nodes),
                 "legs": [{"kind": leg.kind, "ref": leg.ref, "from": r2(leg.minutes[0]),
                           "to": r2(leg.end), "nodes": len(leg.nodes),
                           **({} if leg.item is None else
                              {"item": leg.item, "visit": round(leg.visit or 0.0, 6)})}
                          for leg in r.legs]}
                for (u, s), r in sorted(self.routes.items())],
            "lines": [{"line": x.line, "required_minutes": x.required,
                       "achieved_minutes": r2(x.achieved), "met": x.met,
                       "outside_edges": x.outside_edges,
                       "pieces": [{"grid": g, "edges": e, "achieved_minutes": r2(a)}
                                  for g, e, a in x.pieces]} for x in self.lines],
            "sites": [{"site": x.site, "tier": x.tier, "grid": x.grid,
                       "required_minutes": x.required, "achieved_minutes": r2(x.achieved),
                       "visits": len(x.visits), "met": x.met} for x in self.sites],
            "load": [{"grid": g, "slot": s, "load_units": round(ld, 3), "units": n,
                      "tour_minutes": (None if self.tour.get((g, s), (None, 0.0))[0] is None
                                       else round(float(self.tour[(g, s)][0] or 0.0), 2)),
                      "shortest_interval_minutes": self.tour.get((g, s), (None, math.inf))[1]}
                     for (g, s), (ld, n) in sorted(self.load.items())],
            "order_entropy_bits": {u: round(e, 3) for u, e in self.order_entropy().items()},
            "shortfalls": list(self.shortfalls),
        }


# ---------------------------------------------------------------------------------------------


def grid_of_nodes(scenario: Scenario, xy: FloatArray) -> IntArray:
    """Index into ``scenario.areas_of("grid")`` of the first grid holding each point (-1:
    none; a point on a shared border belongs to the first grid listed)."""
    return scenario.area_index("grid", xy)


def posture_of(scenario: Scenario, assignments: Iterable[Assignment]
               ) -> dict[tuple[str, int], str]:
    """The posture :func:`plan_routes` takes, from a plan's assignments: (unit, slot) → grid
    for every ``grid`` duty of a ground unit (drones fly sorties: :mod:`.drones`)."""
    drones = {u.id for u in scenario.units if u.mode == "drone"}
    return {(a.unit, a.slot): a.grid for a in assignments
            if a.duty == "grid" and a.grid is not None and a.unit not in drones}


def standing_of(scenario: Scenario, net: RoadNetwork, assignments: Iterable[Assignment]
                ) -> dict[tuple[str, int], str]:
    """Where each ground unit stands still, (unit, slot) → node id, in the slots it does: at a
    post or checkpoint (the post's node for the unit's mode, as :func:`~.places.place_nodes`
    finds it, the node the unit's home is taken at too) or on a one-node route (a staging
    unit, 动中备勤, or a force standing at a key site) — the ``standing`` of
    :func:`plan_routes`, so that a route starts where its unit stood the slot before. Grid
    patrols, routes of more than one node, drones, the video desk and off duty stand nowhere.

    Raises ``ValueError`` naming the unit and slot for an assignment at a post the scenario
    does not have, or at a node the network does not have."""
    modes = {u.id: u.mode for u in scenario.units}
    posts = {p.id: p for p in scenario.posts}
    at_post: dict[tuple[str, Mode], str] = {}
    out: dict[tuple[str, int], str] = {}
    for a in assignments:
        mode = modes.get(a.unit)
        if mode is None or mode == "drone":
            continue
        if a.duty in ("post", "checkpoint") and a.post is not None:
            post = posts.get(a.post)
            if post is None:
                raise ValueError(f"assignments: unit {a.unit!r} in slot {a.slot} is at post "
                                 f"{a.post!r}, not a post of the scenario")
            if (a.post, mode) not in at_post:
                at_post[(a.post, mode)] = net.node_ids[int(place_nodes(net, [post],
                                                                       mode=mode)[0])]
            out[(a.unit, a.slot)] = at_post[(a.post, mode)]
        elif a.duty == "route" and len(a.route) == 1:
            try:
                network.index_of(net, a.route)
            except KeyError:
                raise ValueError(f"assignments: unit {a.unit!r} in slot {a.slot} stands at "
                                 f"{a.route[0]!r}, not a node of the network") from None
            out[(a.unit, a.slot)] = a.route[0]
    return out


def ground_presence(scenario: Scenario, assignments: Iterable[Assignment]
                    ) -> dict[tuple[str, int], float]:
    """Ground units per (grid, slot) from a plan's assignments — the ``ground`` of
    :func:`xunfang.planning.video.plan_video` and the base of the drones' ``thin``: a unit
    on a grid or route duty counts in its grid (a route: the grid most of its nodes lie in),
    a unit at a post or checkpoint in the grid holding the post; drones and ``off`` count 0."""
    grid_ids = [a.id for a in scenario.areas_of("grid")]
    drones = {u.id for u in scenario.units if u.mode == "drone"}
    posts = {p.id: p.xy for p in scenario.posts}
    node_xy = dict(zip(scenario.roads.node_ids, map(tuple, scenario.roads.xy), strict=True))
    out: dict[tuple[str, int], float] = {}
    pending: list[tuple[int, tuple[float, float] | list[tuple[float, float]]]] = []
    for a in assignments:
        if a.unit in drones or a.duty == "off":
            continue
        if a.grid is not None:
            out[(a.grid, a.slot)] = out.get((a.grid, a.slot), 0.0) + 1.0
        elif a.post is not None and a.post in posts:
            pending.append((a.slot, posts[a.post]))
        elif a.route:
            pending.append((a.slot, [node_xy[n] for n in a.route if n in node_xy]))
    for slot, where in pending:
        pts = np.array(where if isinstance(where, list) else [where], dtype=np.float64)
        if pts.size == 0:
            continue
        gi = grid_of_nodes(scenario, pts.reshape(-1, 2))
        gi = gi[gi >= 0]
        if gi.size:
            g = grid_ids[int(np.bincount(gi).argmax())]
            out[(g, slot)] = out.get((g, slot), 0.0) + 1.0
    return out


@dataclass
class _Item:
    key: str  # "site:S01" or "line:L1#0"
    kind: Literal["site", "line"]
    ref: str  # site id or line id
    grid: int
    every: float
    nodes: tuple[int, ...]  # site: (node,); line piece: the line's nodes in order
    tier: int = 0


@dataclass
class _Sub:
    """A grid's streets for one mode and hour: local CSR and cached Dijkstra rows."""

    nodes: IntArray  # global indices of local nodes
    local: dict[int, int]
    mat: csr_matrix
    direct: dict[tuple[int, int], float]  # arcs this mode may drive: (u, v) -> minutes
    joined: frozenset[tuple[int, int]]  # node pairs joined by a street, for any mode
    rows: dict[int, tuple[FloatArray, IntArray]] = field(default_factory=dict)

    @property
    def leaves(self) -> BoolArray:
        """Per local node: a street this mode may drive leaves it."""
        return np.asarray(np.diff(self.mat.indptr) > 0, dtype=bool)

    def row(self, g: int) -> tuple[FloatArray, IntArray]:
        got = self.rows.get(g)
        if got is None:
            d, p = dijkstra(self.mat, directed=True, indices=self.local[g],
                            return_predecessors=True)
            got = (np.asarray(d, np.float64), np.asarray(p, np.int64))
            self.rows[g] = got
        return got

    def time(self, a: int, b: int) -> float:
        if a not in self.local or b not in self.local:
            return math.inf
        return float(self.row(a)[0][self.local[b]])

    def path(self, a: int, b: int) -> tuple[list[int], list[float]]:
        """Global node indices a..b and their minutes from a."""
        d, p = self.row(a)
        lb = self.local[b]
        seq = [lb]
        while seq[-1] != self.local[a]:
            seq.append(int(p[seq[-1]]))
        seq.reverse()
        return [int(self.nodes[k]) for k in seq], [float(d[k]) for k in seq]


class _Router:
    def __init__(self, scenario: Scenario, net: RoadNetwork) -> None:
        self.sc, self.net = scenario, net
        self.grids = scenario.areas_of("grid")
        self.node_grid = grid_of_nodes(scenario, net.xy)
        self._full: dict[tuple[Mode, tuple[int, ...]], tuple[csr_matrix, FloatArray, FloatArray]]
        self._full = {}
        self._subs: dict[tuple[int, Mode, tuple[int, ...]], _Sub] = {}
        self._full_rows: dict[tuple[Mode, tuple[int, ...], int], tuple[FloatArray, IntArray]] = {}
        self._to_rows: dict[tuple[Mode, tuple[int, ...], int], FloatArray] = {}
        self._middles: dict[tuple[int, Mode, tuple[int, ...]], int] = {}

    def key(self, mode: Mode, hour: int) -> tuple[int, ...]:
        return tuple(i for i, pf in enumerate(self.sc.policy.peak_factors)
                     if hour in pf.hours and mode in pf.modes)

    def _edges(self, mode: Mode, hour: int) -> tuple[csr_matrix, FloatArray, FloatArray]:
        k = (mode, self.key(mode, hour))
        got = self._full.get(k)
        if got is None:
            fwd, bwd = network.edge_minutes(self.net, mode=mode, hour=hour)
            r = self.net.roads
            tail = np.concatenate([r.u, r.v])
            head = np.concatenate([r.v, r.u])
            mins = np.concatenate([fwd, bwd])
            ok = np.isfinite(mins) & (tail != head)
            mat = _csr(self.net.n_nodes, tail[ok], head[ok], mins[ok])
            got = (mat, fwd, bwd)
            self._full[k] = got
        return got

    def sub(self, grid: int, mode: Mode, hour: int) -> _Sub:
        k = (grid, mode, self.key(mode, hour))
        got = self._subs.get(k)
        if got is None:
            _, fwd, bwd = self._edges(mode, hour)
            r = self.net.roads
            ing = (self.node_grid[r.u] == grid) | (self.node_grid[r.v] == grid)
            nodes = np.unique(np.concatenate([r.u[ing], r.v[ing]])).astype(np.int64)
            local = {int(g): i for i, g in enumerate(nodes)}
            lu = np.array([local[int(x)] for x in r.u[ing]], dtype=np.int64)
            lv = np.array([local[int(x)] for x in r.v[ing]], dtype=np.int64)
            tail = np.concatenate([lu, lv])
            head = np.concatenate([lv, lu])
            mins = np.concatenate([fwd[ing], bwd[ing]])
            ok = np.isfinite(mins) & (tail != head)
            gu, gv = nodes[tail], nodes[head]
            direct: dict[tuple[int, int], float] = {}
            for a, b, w in zip(gu[ok].tolist(), gv[ok].tolist(), mins[ok].tolist(), strict=True):
                direct[(a, b)] = min(w, direct.get((a, b), math.inf))
            joined = frozenset(zip(gu.tolist(), gv.tolist(), strict=True))
            got = _Sub(nodes=nodes, local=local,
                       mat=_csr(len(nodes), tail[ok], head[ok], mins[ok]),
                       direct=direct, joined=joined)
            self._subs[k] = got
        return got

    def _full_row(self, a: int, mode: Mode, hour: int) -> tuple[FloatArray, IntArray]:
        """Minutes and predecessors from ``a`` over the whole network (cached)."""
        k = (mode, self.key(mode, hour), a)
        got = self._full_rows.get(k)
        if got is None:
            mat = self._edges(mode, hour)[0]
            d, p = dijkstra(mat, directed=True, indices=a, return_predecessors=True)
            got = (np.asarray(d, np.float64), np.asarray(p, np.int64))
            self._full_rows[k] = got
        return got

    def time_to(self, b: int, mode: Mode, hour: int) -> FloatArray:
        """Minutes from every node to ``b`` over the whole network (inf: no way; cached)."""
        k = (mode, self.key(mode, hour), b)
        got = self._to_rows.get(k)
        if got is None:
            mat = self._edges(mode, hour)[0]
            got = np.asarray(dijkstra(mat.T.tocsr(), directed=True, indices=b), np.float64)
            self._to_rows[k] = got
        return got

    def full_time(self, a: int, b: int, mode: Mode, hour: int) -> float:
        """Minutes from ``a`` to ``b`` over the whole network (inf: no way)."""
        return float(self._full_row(a, mode, hour)[0][b])

    def full_path(self, a: int, b: int, mode: Mode, hour: int) -> tuple[list[int], list[float]]:
        d, p = self._full_row(a, mode, hour)
        if not np.isfinite(d[b]):
            return [], []
        seq = [b]
        while seq[-1] != a:
            seq.append(int(p[seq[-1]]))
        seq.reverse()
        return seq, [float(d[x]) for x in seq]

    def nearest_in(self, sub: _Sub, a: int, mode: Mode, hour: int) -> int:
        """The grid node reached soonest from ``a`` over the whole network (``a`` itself
        when it is on the grid's streets)."""
        leaves = sub.leaves
        if a in sub.local and leaves[sub.local[a]]:
            return a
        d = np.where(leaves, self._full_row(a, mode, hour)[0][sub.nodes], np.inf)
        if not np.isfinite(d).any():
            return -1
        return int(sub.nodes[int(np.argmin(d))])

    def middle(self, grid: int, mode: Mode, hour: int) -> int:
        """The node inside ``grid`` that a street ``mode`` drives there leaves, nearest the
        grid's centre (ties: the lower index; -1: none)."""
        k = (grid, mode, self.key(mode, hour))
        got = self._middles.get(k)
        if got is None:
            sub = self.sub(grid, mode, hour)
            own = sub.nodes[sub.leaves & (self.node_grid[sub.nodes] == grid)]
            c = self.grids[grid].geometry.centroid
            dist = np.hypot(self.net.xy[own, 0] - c.x, self.net.xy[own, 1] - c.y)
            got = int(own[np.lexsort((own, dist))[0]]) if own.size else -1
            self._middles[k] = got
        return got


class PatrolLoad:
    """The patrol work of each grid, in units: how many units of a mode, patrolling the grid
    all the time, its key sites' revisit intervals and its line pieces' frequencies need at
    the least (Σ w_i / r_i, the load bound of :func:`plan_routes`, with stops of
    ``stop_minutes``); ``math.inf`` when the mode cannot do some item inside the grid, 0 for a
    grid with nothing to patrol. A mode that makes short loops (``loop_minutes``) counts only
    where one loop reaches every item: some item lies within the loop's minutes of all the
    others (else ``math.inf``: such units patrol the grid but cannot carry its work). The
    posture asks for that much police work per grid."""

    def __init__(self, scenario: Scenario, net: RoadNetwork, *, stop_minutes: float = 10.0,
                 loop_minutes: Mapping[Mode, float | None] = DEFAULT_LOOP_MINUTES) -> None:
        self.loop = dict(loop_minutes)
        self.router = _Router(scenario, net)
        items, _, _ = _items(scenario, net, self.router.node_grid)
        self.by_grid: dict[int, list[_Item]] = {}
        for it in items:
            self.by_grid.setdefault(it.grid, []).append(it)
        self.stop = float(stop_minutes)
        self._cache: dict[tuple[int, Mode, tuple[int, ...]], float] = {}

    def units(self, grid: int, mode: Mode, hour: int) -> float:
        """Units of ``mode`` the work of grid index ``grid`` at ``hour`` needs (see above)."""
        key = (grid, mode, self.router.key(mode, hour))
        got = self._cache.get(key)
        if got is None:
            its = self.by_grid.get(grid, [])
            got = 0.0
            if its:
                sub = self.router.sub(grid, mode, hour)
                got = _load(sub, its, self.stop)[0]
                limit = self.loop.get(mode)
                if limit is not None and math.isfinite(got):
                    ends = [n for it in its for n in (it.nodes[0], it.nodes[-1])]
                    radius = min(max(sub.time(c, n) for n in ends) for c in ends)
                    if radius > limit:
                        got = math.inf
            self._cache[key] = got
        return got


def _csr(n: int, tail: IntArray, head: IntArray, w: FloatArray) -> csr_matrix:
    """CSR of arcs, keeping the fastest of parallel arcs (scipy would sum them)."""
    order = np.lexsort((w, head, tail))
    tail, head, w = tail[order], head[order], w[order]
    first = np.ones(tail.shape[0], dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    # a zero-minute arc would vanish from a sparse matrix: keep it as a tiny positive time
    return csr_matrix((np.maximum(w[first], 1e-9), (tail[first], head[first])), shape=(n, n))


def _items(scenario: Scenario, net: RoadNetwork, node_grid: IntArray
           ) -> tuple[list[_Item], dict[str, list[str]], list[str]]:
    """Site items, line-piece items, per line its piece keys, and the shortfalls found."""
    pol = scenario.policy
    items: list[_Item] = []
    pieces: dict[str, list[str]] = {}
    short: list[str] = []
    site_nodes = place_nodes(net, scenario.sites) if scenario.sites else np.zeros(0, np.int64)
    for s, node in zip(scenario.sites, site_nodes, strict=True):
        if s.tier not in pol.revisit_minutes:
            short.append(f"site {s.id}: tier {s.tier} has no revisit interval in the policy "
                         "(policy.revisit_minutes); it is not routed")
            continue
        g = int(node_grid[int(node)])
        if g < 0:
            short.append(f"site {s.id} (tier {s.tier}) lies outside every grid: no grid route "
                         f"visits it (revisit every {pol.revisit_minutes[s.tier]:g} min unmet)")
            continue
        items.append(_Item(key=f"site:{s.id}", kind="site", ref=s.id, grid=g,
                           every=float(pol.revisit_minutes[s.tier]), nodes=(int(node),),
                           tier=s.tier))
    for line in scenario.lines:
        every = float(line.every_minutes if line.every_minutes is not None
                      else pol.line_every_minutes)
        idx = [int(i) for i in network.index_of(net, line.nodes)]
        pieces[line.id] = []
        outside: list[str] = []
        cur: list[int] = []
        cur_g = -2
        for a, b in itertools.pairwise(idx):
            g = int(node_grid[a]) if node_grid[a] >= 0 else int(node_grid[b])
            if g < 0:
                outside.append(f"{net.node_ids[a]}→{net.node_ids[b]}")
            if g != cur_g or g < 0:
                if cur_g >= 0 and len(cur) > 1:
                    _add_piece(items, pieces, line.id, cur_g, cur, every)
                cur = [a, b] if g >= 0 else []
                cur_g = g
            else:
                cur.append(b)
        if cur_g >= 0 and len(cur) > 1:
            _add_piece(items, pieces, line.id, cur_g, cur, every)
        if outside:
            short.append(f"line {line.id}: {len(outside)} edge(s) lie outside every grid "
                         f"(first {', '.join(outside[:3])}); no grid route covers them")
        if len(idx) < 2:
            short.append(f"line {line.id}: fewer than two nodes, nothing to patrol")
    return items, pieces, short


def _add_piece(items: list[_Item], pieces: dict[str, list[str]], line: str, g: int,
               nodes: list[int], every: float) -> None:
    key = f"line:{line}#{len(pieces[line])}"
    pieces[line].append(key)
    items.append(_Item(key=key, kind="line", ref=line, grid=g, every=every, nodes=tuple(nodes)))


def _traverse(sub: _Sub, nodes: Sequence[int]) -> tuple[list[int], list[float]]:
    """Drive a piece node by node inside the grid: the path and the minute of each node from
    its start; empty when some step cannot be driven. Two nodes joined by a street must be
    driven along that street (no detour round a footway); nodes the file lists in a row with
    no street between them are joined by the fastest path inside the grid."""
    path, mins = [nodes[0]], [0.0]
    for a, b in itertools.pairwise(nodes):
        if a == b:
            continue
        if (a, b) in sub.joined:
            w = sub.direct.get((a, b))
            if w is None:
                return [], []
            path.append(b)
            mins.append(mins[-1] + w)
            continue
        if a not in sub.local or b not in sub.local or not math.isfinite(sub.time(a, b)):
            return [], []
        p, m = sub.path(a, b)
        base = mins[-1]
        path.extend(p[1:])
        mins.extend(base + x for x in m[1:])
    return path, mins


def _kept_nodes(net: RoadNetwork, arg: str, given: Mapping[tuple[str, int], str],
                within: Mapping[tuple[str, int], object], outside: str, verb: str
                ) -> dict[tuple[str, int], int]:
    """``given``'s node ids as network indexes, each (unit, slot) checked to be in
    ``within``; errors name the argument ``arg``."""
    out: dict[tuple[str, int], int] = {}
    for (uid, sidx), node in given.items():
        if (uid, sidx) not in within:
            raise ValueError(f"{arg}: unit {uid!r} in slot {sidx} {outside}")
        try:
            out[(uid, sidx)] = int(network.index_of(net, node)[0])
        except KeyError:
            raise ValueError(f"{arg}: the route of unit {uid!r} in slot {sidx} {verb} at "
                             f"{node!r}, not a node of the network") from None
    return out


def _from_zero(leg: Leg) -> Leg:
    """The part of ``leg`` from minute 0 on: from the last node it passed before 0 (reached
    at 0), or the stop it is making at 0. Its item and visit stay (a visit before 0 is the
    warm-up's: the reports count only those from 0 on)."""
    mins = leg.minutes
    i = next((j for j, m in enumerate(mins) if m >= 0), len(mins))
    j = max(0, i - 1)
    nodes = leg.nodes[j:] if i < len(mins) else (leg.nodes[-1], leg.nodes[-1])
    minutes = (0.0, *mins[i:]) if i < len(mins) else (0.0, 0.0)
    return replace(leg, nodes=nodes, minutes=minutes,
                   stop_start=None if leg.stop_start is None else max(0.0, leg.stop_start))


def _interval(visits: Sequence[float], horizon: float) -> float | None:
    """Longest gap between the visits in the horizon [0, H), taken as cyclic (the plan
    repeats: the gap across the end is H − last + first). ``None`` when there is no visit."""
    inside = sorted(v for v in visits if v >= 0)
    if not inside:
        return None
    gaps = [b - a for a, b in itertools.pairwise(inside)]
    gaps.append(horizon - inside[-1] + inside[0])
    return max(gaps)


def plan_routes(
    scenario: Scenario,
    net: RoadNetwork,
    slots: Sequence[Slot],
    posture: Mapping[tuple[str, int], str],
    *,
    seed: int,
    stop_minutes: tuple[float, float] = (10, 15),
    loop_minutes: Mapping[Mode, float | None] = DEFAULT_LOOP_MINUTES,
    choice_window_minutes: float = 10.0,
    attempts: int = DEFAULT_ROUTE_ATTEMPTS,
    kept_routes: Mapping[tuple[str, int], str] | None = None,
    kept_visits: Sequence[tuple[str, float, str]] = (),
    kept_starts: Mapping[tuple[str, int], str] | None = None,
    kept_until: Mapping[tuple[str, int], float] | None = None,
    held: Mapping[tuple[str, int], str] | None = None,
    standing: Mapping[tuple[str, int], str] | None = None,
) -> RoutePlan:
    """Routes for every (unit, slot) of ``posture`` (unit id, slot index → grid id).

    ``kept_routes``: (unit, slot) of ``posture`` whose route is already fixed (a re-plan keeps the
    plan in force's), each to the node id where it ends: no route is drawn for them, they
    count as present in their grid, and a unit's next drawn run starts from that node.
    ``kept_visits``: the visits those routes make, (item key as :attr:`Leg.item`, minute
    from the first slot's start, unit), which the draw takes as made.
    ``kept_starts``: (unit, slot) of ``kept_routes`` to the node id where that route begins,
    for kept routes that follow a drawn one of the same unit: the drawn run ends there (its
    items leave time to drive there, and it holds there till the slot ends), so that the
    kept route carries on from where the unit stands.
    ``kept_until``: (unit, slot) of ``kept_routes`` to the minute its last leg ends (a stop
    may run past the slot's end): a drawn run right after it starts with the rest.
    ``held``: (unit, slot) → grid id where the unit is held at an incident in that slot (a
    re-plan's busy units; not in the posture, not routed): a run of the unit right after
    such a slot starts where it was held, the grid's node nearest its middle (where the stage
    stands a unit in a grid), not at its home post.
    ``standing``: (unit, slot) → node id where the unit stands still in that slot (a staging
    node, a post or a site: :func:`standing_of`; not in the posture, not held): a run of the
    unit right after such a slot starts at that node, not at its home post — in its grid, or
    with the drive from there into the grid as its first leg, in the run's time; and a run
    right before such a slot ends at that node (its items leave time to drive there, it
    waits in its grid and drives there to arrive when the run ends), so that the unit's
    route ends where it stands next. The slot before the first is the last, the slot after
    the last the first (the plan repeats, as the warm-up takes it).

    ``attempts`` bounds how many times the event loop runs (each with other draws of the
    seed) while a key site or line piece some draw might serve misses its interval, and
    ``ROUTE_RUN_BUDGET`` bounds the routed unit-slots of all runs; the first run is the seed's
    own, so a plan that meets every interval at once is unchanged.

    Raises ``ValueError`` naming the argument and the rule for an unknown unit, slot or grid, a
    drone in the posture, slots that are not consecutive, bad stop/loop/window minutes, or
    ``attempts`` below 1.
    """
    slots = tuple(slots)
    if not slots:
        raise ValueError("slots: at least one slot is needed")
    for a, b in itertools.pairwise(slots):
        if b.start != a.end:
            raise ValueError(f"slots: must be consecutive; slot {b.index} starts at {b.name}, "
                             f"not at the end of slot {a.index}")
    lo, hi = float(stop_minutes[0]), float(stop_minutes[1])
    if not (0 < lo <= hi and math.isfinite(hi)):
        raise ValueError(f"stop_minutes: need 0 < low <= high minutes; got {stop_minutes!r}")
    if not (choice_window_minutes >= 0 and math.isfinite(choice_window_minutes)):
        raise ValueError(f"choice_window_minutes: must be finite and >= 0; got "
                         f"{choice_window_minutes!r}")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"attempts: must be a whole number >= 1; got {attempts!r}")
    for lm, v in loop_minutes.items():
        if v is not None and not (v > 0 and math.isfinite(v)):
            raise ValueError(f"loop_minutes[{lm!r}]: must be None or minutes > 0; got {v!r}")
    units = {u.id: u for u in scenario.units}
    grid_ids = [a.id for a in scenario.areas_of("grid")]
    gidx = {g: i for i, g in enumerate(grid_ids)}
    pos_of = {s.index: k for k, s in enumerate(slots)}
    fixed = dict(kept_routes or {})
    kept_end = _kept_nodes(net, "kept_routes", fixed, posture, "is not in the posture", "ends")
    kept_start = _kept_nodes(net, "kept_starts", kept_starts or {}, fixed,
                             "has no kept route", "begins")
    kept_until = dict(kept_until or {})
    for (uid, sidx), gid in (held or {}).items():
        if uid not in units or sidx not in pos_of or gid not in gidx or (uid, sidx) in posture:
            raise ValueError(f"held: unit {uid!r} in slot {sidx} at grid {gid!r}: no such unit, "
                             "slot or grid, or the unit patrols in that slot (posture)")
    held_k = {(uid, pos_of[sidx]): gidx[gid] for (uid, sidx), gid in (held or {}).items()}
    for (uid, sidx) in (standing or {}):
        if uid not in units or sidx not in pos_of or (uid, sidx) in posture:
            raise ValueError(f"standing: unit {uid!r} in slot {sidx}: no such unit or slot, or "
                             "the unit patrols in that slot (posture)")
        if (uid, sidx) in (held or {}):
            raise ValueError(f"standing: unit {uid!r} in slot {sidx} is held at an incident "
                             "(held): it stands in one place only")
    stand_k: dict[tuple[str, int], int] = {}
    for (uid, sidx), node in (standing or {}).items():
        try:
            stand_k[(uid, pos_of[sidx])] = int(network.index_of(net, node)[0])
        except KeyError:
            raise ValueError(f"standing: unit {uid!r} in slot {sidx} stands at {node!r}, not a "
                             "node of the network") from None
    for (uid, sidx), gid in posture.items():
        if uid not in units:
            raise ValueError(f"posture: unit {uid!r} (slot {sidx}) is not in the scenario's units")
        if units[uid].mode == "drone":
            raise ValueError(f"posture: unit {uid!r} is a drone; drones fly sorties "
                             "(plan_drones), not road routes")
        if sidx not in pos_of:
            raise ValueError(f"posture: slot {sidx} of unit {uid!r} is not among the slots given")
        if gid not in gidx:
            raise ValueError(f"posture: grid {gid!r} (unit {uid!r}, slot {sidx}) is not a "
                             f"grid of the scenario (grids: {', '.join(grid_ids) or 'none'})")

    router = _Router(scenario, net)
    items, line_pieces, shortfalls = _items(scenario, net, router.node_grid)
    by_key = {it.key: it for it in items}
    for key, minute, uid in kept_visits:
        if key not in by_key or uid not in units or not math.isfinite(minute):
            raise ValueError(f"kept_visits: ({key!r}, {minute!r}, {uid!r}) names no key site or "
                             "line piece of the scenario, no unit, or no finite minute")
    by_grid: dict[int, list[_Item]] = {}
    for it in items:
        by_grid.setdefault(it.grid, []).append(it)
    t0 = slots[0].start
    starts = [(s.start - t0).total_seconds() / 60.0 for s in slots]
    horizon = starts[-1] + slots[-1].minutes

    def slot_at(t: float) -> int:
        k = int(np.searchsorted(starts, t % horizon, side="right")) - 1
        return max(0, min(k, len(slots) - 1))

    # runs: per unit, maximal runs of consecutive slots in one grid: (start, end, grid)
    runs: dict[str, list[tuple[float, float, int]]] = {}
    for u in units:
        ks = sorted(pos_of[s] for (uu, s) in posture if uu == u and (uu, s) not in fixed)
        for k in ks:
            g = gidx[posture[(u, slots[k].index)]]
            rs = runs.setdefault(u, [])
            if rs and rs[-1][2] == g and abs(rs[-1][1] - starts[k]) < 1e-9:
                rs[-1] = (rs[-1][0], starts[k] + slots[k].minutes, g)
            else:
                rs.append((starts[k], starts[k] + slots[k].minutes, g))
    # the shift handover (交接班): a unit on duty on both sides of a shift start is off the
    # street ``policy.handover_minutes`` then (the simulator's rule, ``on_both_sides``), so
    # its run across or from that minute stops at it and goes on that much later; a run
    # going on straight after the unit's run before it is driven from where that one ended
    # (``resumed``). The county's routes were timed over their whole slot and lost 35 of
    # 8,550 planned points a day to the simulated handovers.
    resumed: set[tuple[str, float]] = set()
    delayed = _handovers(scenario, slots, starts, horizon, runs, posture, fixed, held_k,
                         stand_k, pos_of)

    # the load bound per (grid, slot), and undrivable pieces per (grid, mode)
    load: dict[tuple[str, int], tuple[float, int]] = {}
    present: dict[tuple[int, int], list[str]] = {}
    for (uid, sidx), gid in posture.items():
        if units[uid].tier in POLICE_TIERS:
            present.setdefault((gidx[gid], pos_of[sidx]), []).append(uid)
    undrivable: set[tuple[str, Mode]] = set()
    tour: dict[tuple[str, int], tuple[float | None, float]] = {}
    cache: dict[tuple[int, Mode, tuple[int, ...]],
                tuple[float, float | None, frozenset[str]]] = {}
    doable: set[str] = set()  # items some police unit present can do in some slot
    for (g, k), us in sorted(present.items()):
        hour = slots[k].start.hour
        best, best_tour = math.inf, math.inf
        modes = sorted({units[u].mode for u in us})
        its = by_grid.get(g, [])
        for mode in modes:
            ck = (g, mode, router.key(mode, hour))
            if ck not in cache:
                sub = router.sub(g, mode, hour)
                rate, undoable = _load(sub, its, lo)
                undrivable.update((it.key, mode) for it in undoable if it.kind == "line")
                # what the mode cannot do: an item it cannot do inside the grid, or a site
                # no street of the mode leads into (a footway-only place for a car)
                into = np.bincount(sub.mat.indices, minlength=sub.mat.shape[0])
                cache[ck] = (rate, _tour_minutes(sub, its, lo), frozenset(
                    [it.key for it in undoable] + [
                        it.key for it in its if it.kind == "site"
                        and it.nodes[0] in sub.local and into[sub.local[it.nodes[0]]] == 0]))
            rate, t_min, cannot = cache[ck]
            doable.update(it.key for it in its if it.key not in cannot)
            best = min(best, rate)
            if t_min is not None:
                best_tour = min(best_tour, t_min)
        load[(grid_ids[g], slots[k].index)] = (best, len(us))
        tour[(grid_ids[g], slots[k].index)] = (
            None if not math.isfinite(best_tour) else best_tour,
            min((it.every for it in its), default=math.inf))
    for key, mode in sorted(undrivable):
        line_id = key.split(":", 1)[1].split("#")[0]
        it = by_key[key]
        shortfalls.append(
            f"line {line_id}: its piece in grid {grid_ids[it.grid]} cannot be driven by {mode} "
            f"inside the grid (from {net.node_ids[it.nodes[0]]} to "
            f"{net.node_ids[it.nodes[-1]]}, either way)")
    for (gid, sidx), (ld, n) in sorted(load.items()):
        if ld > n + 1e-9:
            need = "no number of units" if not math.isfinite(ld) else f"at least {ld:.2f} units"
            shortfalls.append(
                f"grid {gid} slot {sidx}: the revisit and line intervals need {need} "
                f"(load bound), {n} patrol there: no plan with these units meets them all")

    # The plan repeats: the horizon's last visit of an item is followed by its first visit of
    # the next horizon. The event loop runs over a warm-up copy of the horizon first (so the
    # horizon does not start with everything due at once); in the horizon itself, once an
    # item's first visit is known, its last visit must come late enough that the gap across
    # the end (H − last + first) keeps its interval. Only the horizon's legs are kept.
    for u, rs in runs.items():
        warm = [(a - horizon, b - horizon, g) for a, b, g in rs]
        if rs and abs(warm[-1][1] - rs[0][0]) < 1e-9 and warm[-1][2] == rs[0][2]:
            warm[-1] = (warm[-1][0], rs[0][1], rs[0][2])
            rs = rs[1:]
        runs[u] = warm + rs
        # (a run whose start a handover moved, straight after the unit's run before it)
        resumed.update((u, b0) for (_, a1, _), (b0, _, _) in itertools.pairwise(runs[u])
                       if (u, b0 % horizon) in delayed and abs(b0 - delayed[(u, b0 % horizon)]
                                                               - a1) < 1e-9)
    order = {u: i for i, u in enumerate(sorted(runs))}  # ties in the event heap
    # A re-plan's drawn stretches of a grid (police units' runs, merged), with a kept route
    # after them: an item falling due where no drawn run is in its grid is due by the end of
    # the last drawn stretch before then, unless a kept route visits it in time. The kept
    # routes were drawn with other units' visits around them (a review: a re-plan at 08:00
    # taking TX-M1 out of service left S13's visit of its 17:00 route to no one; the drawn
    # 16:00-18:00 stretch saw S13 due only after it ended and left it, kept 18:00 did not
    # visit it, so the longest interval was 293 min of 240)
    cover: dict[int, tuple[list[float], list[float]]] = {}
    if fixed:
        spans: dict[int, list[tuple[float, float]]] = {}
        for u, rs in runs.items():
            if units[u].tier in POLICE_TIERS:
                for x0, x1, g in rs:
                    spans.setdefault(g, []).append((x0, x1))
        for g, sp in spans.items():
            merged: list[list[float]] = []
            for x0, x1 in sorted(sp):
                if merged and x0 <= merged[-1][1] + 1e-9:
                    merged[-1][1] = max(merged[-1][1], x1)
                else:
                    merged.append([x0, x1])
            cover[g] = ([m[0] for m in merged], [m[1] for m in merged])
    # where each unit starts: its home post's node, else its first grid's first node
    posts = {p.id: p for p in scenario.posts}
    home: dict[str, int] = {}
    for u in runs:
        post = posts.get(units[u].home_post)
        if post is not None:
            home[u] = int(place_nodes(net, [post], mode=units[u].mode)[0])
        else:
            home[u] = int(router.sub(runs[u][0][2], units[u].mode, 0).nodes[0])

    def start_of(u: str, r0: float) -> int:
        """Where ``u`` stands when its run from minute ``r0`` starts, coming from no route:
        where it was held at an incident in the slot before (``held``), else where it stood
        then (``standing``; the slot before the first is the last), else its home post. (A
        unit held in G3 until 14:30 began its 15:00 route at its home post, as if it had
        been driven home; a car staging at n271 at 04:00 began its 05:00 route at its home
        post n161: 34 such jumps in the county's plan of 2026-12-02.)"""
        k = slot_at(r0)
        g = held_k.get((u, k - 1)) if k > 0 else None
        if g is None:
            return stand_k.get((u, (k - 1) % len(slots)), home[u])
        node = router.middle(g, units[u].mode, slots[k - 1].start.hour)
        return node if node >= 0 else home[u]

    # One pass of the event loop over the warm-up and the horizon, with ``rng``'s draws:
    # the legs per unit, every police visit per item, where each unit ends, the runs
    # skipped because their grid cannot be reached, and the items offered to a police unit
    # in the horizon (one never offered was out of every police unit's reach in this run: a
    # foot patrol's loop, a grid it cannot reach, a run too short to drive the piece).
    def drive(rng: np.random.Generator) -> _Run:
        short: list[str] = []
        offered: set[str] = set()
        last: dict[str, float] = {it.key: -horizon for it in items}
        first: dict[str, float] = {}

        def deadline(it: _Item, t: float) -> tuple[float, float]:
            """(due, release) of ``it`` at minute ``t``: when its next visit is due, and the
            earliest minute a visit is of use (``-inf``: any time). In a re-plan, an item
            falling due where no drawn unit is in its grid is due by the end of the last
            drawn stretch before then, and of use only from one interval before the next
            kept visit (a visit before that leaves the interval up to it too long: the
            lattice's drawn hour visited S4 at 685 and the kept visit after it came at 937,
            252 min of 240, where an arrival at 697-705 met both)."""
            d = last[it.key] + it.every
            f = first.get(it.key)
            if t >= 0 and f is not None:
                if d >= horizon + f:
                    return math.inf, -math.inf  # the next horizon's first visit comes in time
                d = min(d, horizon)
            ahead = coming.get(it.key)
            nxt = math.inf
            if ahead:  # a kept route's visit comes in time: nothing is due before it
                i = bisect.bisect_right(ahead, t)
                if i < len(ahead):
                    if ahead[i] <= d:
                        return ahead[i] + it.every, -math.inf
                    nxt = ahead[i]
            span = cover.get(it.grid)
            # (d = horizon: due by the day's end for the next day's first visit; review H9:
            # ``d < horizon`` left S29, due across midnight, to kept routes that skip it)
            if span is not None and d <= horizon:
                j = bisect.bisect_right(span[0], d) - 1
                if j >= 0 and t < span[1][j] < d:
                    end = span[1][j]
                    rel = nxt - it.every
                    return end, (rel if rel <= end - lo else -math.inf)
            return d, -math.inf

        def visited(it: _Item, at: float, u: str) -> None:
            if units[u].tier not in POLICE_TIERS:
                return
            last[it.key] = at
            visits[it.key].append(at)
            if at >= 0 and it.key not in first:
                first[it.key] = at
        visits: dict[str, list[float]] = {it.key: [] for it in items}
        legs: dict[str, list[tuple[int, Leg]]] = {u: [] for u in runs}
        pos = {u: start_of(u, rs[0][0]) for u, rs in runs.items()}
        run_i = {u: 0 for u in runs}
        heap: list[tuple[float, int, str]] = [(runs[u][0][0], order[u], u) for u in runs]
        heapq.heapify(heap)
        anchor: dict[str, int] = {}
        # the kept routes' visits (and their warm-up copies), taken as made when the loop
        # reaches their minute
        given = sorted((m + shift, key, uid) for key, m, uid in kept_visits
                       for shift in (-horizon, 0.0))
        coming: dict[str, list[float]] = {}
        for m_g, key_g, u_g in given:
            if units[u_g].tier in POLICE_TIERS:
                coming.setdefault(key_g, []).append(m_g)
        gi = 0

        def add(u: str, leg: Leg) -> None:
            if leg.minutes[0] >= -1e-9:
                legs[u].append((slot_at(leg.minutes[0]), leg))
            elif leg.end > 1e-9:
                # begun in the warm-up and still under way when the horizon starts: its rest
                # opens the first slot's route, and the visit it makes after 0 is in the
                # plan (the reports had counted that visit, which no route made: on 16
                # county plans, 8 intervals reported met were missed by the routes, S07
                # tier 1 at 198 min reported as 116)
                legs[u].append((0, _from_zero(leg)))

        def transit(u: str, a: int, b: int, t: float, g: int, hour: int) -> float:
            """Drive ``u`` from ``a`` to ``b`` over the whole network at ``hour``'s speeds (a
            transit leg towards grid ``g``); the minute it arrives."""
            p, m = router.full_path(a, b, units[u].mode, hour)
            add(u, Leg("transit", grid_ids[g], tuple(net.node_ids[x] for x in p),
                       tuple(t + x for x in m)))
            pos[u] = b
            return t + m[-1]

        def hold(u: str, node: int, t: float, until: float, g: int, *, wake: float | None,
                 only_if_ahead: bool = False) -> float:
            """Hold ``u`` at ``node`` from minute ``t`` to ``until`` (a hold leg towards grid
            ``g``) and queue it to decide again at ``wake`` (``None``: not queued, the caller
            decides on); the minute the hold ends. ``only_if_ahead``: no leg unless ``until``
            is still ahead of ``t`` (a drive that arrived at or after it holds nowhere). A
            hold never ends before it starts, and the unit is never queued before ``t``: an
            ``until`` or ``wake`` before it is taken as ``t`` (a drive into the grid that
            ended after the run's end wrote a hold from its arrival back to the run's end, and
            queued the unit then, so that its next run began before it had arrived)."""
            until = max(until, t)
            if not only_if_ahead or t < until - 1e-9:
                add(u, Leg("hold", grid_ids[g], (net.node_ids[node],) * 2, (t, until)))
            if wake is not None:
                heapq.heappush(heap, (max(wake, t), order[u], u))
            return until

        while heap:
            t, _, u = heapq.heappop(heap)
            while gi < len(given) and given[gi][0] <= t:
                visited(by_key[given[gi][1]], given[gi][0], given[gi][2])
                gi += 1
            unit = units[u]
            mode = unit.mode
            rs = runs[u]
            while run_i[u] < len(rs) and rs[run_i[u]][1] <= t + 1e-9:
                run_i[u] += 1
                # (a run cut by a handover goes on from the same anchor in its grid)
                if (run_i[u] >= len(rs) or (u, rs[run_i[u]][0]) not in resumed
                        or rs[run_i[u]][2] != rs[run_i[u] - 1][2]):
                    anchor.pop(u, None)
            if run_i[u] >= len(rs):
                continue
            r0, r1, g = rs[run_i[u]]
            if t < r0 - 1e-9:
                if (u, r0) not in resumed:
                    # off route in between (at a post, off duty, held at an incident)
                    pos[u] = start_of(u, r0)
                    anchor.pop(u, None)
                # (else the shift handover: the unit waits where its run before ended)
                heapq.heappush(heap, (r0, order[u], u))  # decide when the run starts, in turn
                continue
            hour = slots[slot_at(t)].start.hour
            sub = router.sub(g, mode, hour)
            # a kept route of this unit right after the run: the run ends where that begins;
            # else where the unit stands in the slot after the run (a post, a staging node;
            # after the last slot, the first's: the plan repeats), so that it is there when
            # that slot starts (the county's plan of 2026-12-02 left 38 routes ending where
            # the unit's next post was out of reach in the time the route left)
            after_k = slot_at(r1)
            goal = (kept_start.get((u, slots[after_k].index), -1)
                    if kept_start and 0 <= r1 < horizon - 1e-9 else -1)
            to_post = goal < 0  # (not a kept route's start)
            if to_post:
                goal = stand_k.get((u, after_k), -1)
            if goal < 0 and r1 >= horizon - 1e-9 and legs[u] and legs[u][0][0] == 0:
                # the horizon's last run: where the unit's route of the first slot begins
                # (the next day's first route carries on from there)
                goal = int(network.index_of(net, [legs[u][0][1].nodes[0]])[0])
            back = router.time_to(goal, mode, hour) if goal >= 0 else None
            if back is not None and not math.isfinite(back[pos[u]]):
                goal, back = -1, None  # no way there: the seam is left to the caller's check
            if u not in anchor and kept_end:
                k_run = slot_at(r0)  # a run after a kept route starts where that ends
                key_k = (u, slots[k_run - 1].index) if k_run > 0 else None
                end = kept_end.get(key_k) if key_k is not None else None
                if end is not None:
                    pos[u] = end
                    # its stop still running: the rest opens the run, as in a plan drawn
                    # whole (review R1: a re-plan's drawn hour visited S05 at 601 while the
                    # kept hour before stopped at S01 until 610)
                    busy = kept_until.get(key_k) if key_k is not None and r0 >= 0 else None
                    if busy is not None and busy > t + 1e-9:
                        stay = min(busy, r1)
                        over = stay >= r1 - 1e-9  # it lasts the run: queued at the run's end
                        t = hold(u, end, t, stay, g, wake=r1 if over else None)
                        if over:
                            continue
            here = pos[u]
            if u not in anchor:
                entry = router.nearest_in(sub, here, mode, hour)
                if entry < 0:
                    short.append(f"unit {u} ({mode}) cannot reach grid {grid_ids[g]} at "
                                      f"minute {t:.0f}: the run is skipped")
                    run_i[u] += 1
                    heapq.heappush(heap, (t, order[u], u))
                    continue
                if entry != here:
                    t = transit(u, here, entry, t, g, hour)
                    here = entry
                anchor[u] = entry
            limit = loop_minutes.get(mode)

            # over the grid's own streets; an item they do not join to here (one-way streets
            # and streets that leave the grid split a real city's grids) over the whole
            # network, the way there a transit leg, rather than never offered
            cands: list[tuple[float, _Item, int, list[int], list[float], float, bool]] = []

            def reach(a: int, b: int, _sub: _Sub = sub, _m: Mode = mode,
                      _h: int = hour) -> tuple[float, bool]:
                d = _sub.time(a, b)
                return (d, False) if math.isfinite(d) else (router.full_time(a, b, _m, _h), True)

            wait = math.inf  # the first minute an item held back for its release is of use
            for it in by_grid.get(g, []):
                when, rel = deadline(it, t)
                if it.kind == "site":
                    entry = it.nodes[0]
                    travel, far = reach(here, entry)
                    if not math.isfinite(travel):
                        continue
                    if limit is not None and reach(anchor[u], entry)[0] > limit:
                        continue
                    if t + travel + lo + (0.0 if back is None else back[entry]) > r1 + 1e-9:
                        continue
                    if t + travel < rel:
                        wait = min(wait, rel - travel)
                        continue
                    cands.append((when - (t + travel), it, entry, [], [], travel, far))
                else:
                    for nodes in (it.nodes, it.nodes[::-1]):
                        p, m = _traverse(sub, nodes)
                        if not p:
                            continue
                        travel, far = reach(here, p[0])
                        if not math.isfinite(travel):
                            continue
                        if limit is not None and reach(anchor[u], p[0])[0] > limit:
                            continue
                        if (t + travel + m[-1] + (0.0 if back is None else back[p[-1]])
                                > r1 + 1e-9):
                            continue
                        if t + travel < rel:
                            wait = min(wait, rel - travel)
                            continue
                        cands.append((when - (t + travel), it, p[0], p, m, travel, far))
            if unit.tier in POLICE_TIERS and t >= 0:  # the warm-up's offers are not kept
                offered.update(b[1].key for b in cands)
            if not cands and wait < r1 - 1e-9:
                # only items of use later (a re-plan's last chance): hold here until the first
                hold(u, here, t, wait, g, wake=wait)
                continue
            if not cands:
                # nothing fits before the run ends: hold here until then. In a grid with nothing
                # to visit (no key site, no line) "here" is where the unit first met the grid's
                # streets, often a node across its border on a street leaving it: it drives to
                # the grid's middle first, so that it stands where it is counted and sent from.
                # (Montreal without key sites or lines: 76 % of the hold minutes stood outside
                # their grid. Grids with items are left alone: their units hold where the last
                # visit left them; moving those too raised the county's over-deployment on
                # 2026-12-05 from -0.001 to +0.002 against proportional.)
                if goal >= 0:  # to where the kept route after the run begins, or the unit
                    if here != goal:  # stands next
                        if to_post and back is not None:
                            # it waits in its grid and leaves in time to be there when the
                            # run ends (rather than stand at its next post from now on)
                            t = hold(u, here, t, r1 - float(back[here]), g, wake=None,
                                     only_if_ahead=True)
                        t = transit(u, here, goal, t, g, hour)
                        here = goal
                    # (the drive there may end at or after the run's end: no hold then, and
                    # the unit decides again when it arrives)
                    hold(u, here, t, r1, g, wake=max(t, r1), only_if_ahead=True)
                    continue
                if not by_grid.get(g) and router.node_grid[here] != g:
                    mid = router.middle(g, mode, hour)
                    if mid >= 0 and t + router.full_time(here, mid, mode, hour) < r1 - 1e-9:
                        t = transit(u, here, mid, t, g, hour)
                        here = mid
                # (the drive into the grid may end after the run's end: no hold then)
                hold(u, here, t, r1, g, wake=r1, only_if_ahead=True)
                continue
            urgent = [b for b in cands if b[0] <= 2.0 * hi + choice_window_minutes]
            if urgent:  # earliest deadline first, drawn among the nearly most urgent
                smin = min(b[0] for b in urgent)
                pool = [b for b in urgent if b[0] <= smin + choice_window_minutes]
            else:  # nothing due soon: the item with the least of its interval left
                fmin = min(b[0] / b[1].every for b in cands)
                pool = [b for b in cands if b[0] / b[1].every <= fmin + 0.1]
            if (len(pool) > 1 and unit.tier in POLICE_TIERS
                    and len(present.get((g, slot_at(t)), ())) <= 1):
                # alone in its grid: no other unit takes what this choice makes late, so it
                # draws among the items after which it can still reach the others in time
                # (on the lattice's one-car grid, 6 first draws in 20 missed an interval
                # with this rule, 16 without it)
                watch = _watch(cands, t, r1)
                safe = [b for b in pool if _keeps_others(b, t, watch, sub, hi)]
                pool = safe or pool
            _, it, entry, p, m, travel, far = pool[int(rng.integers(len(pool)))]
            if far:  # the way there leaves the grid's streets: a transit leg of its own
                t = transit(u, here, entry, t, g, hour)
                travel = 0.0
                here = entry
                path, mins = [here], [0.0]
            elif entry == here:
                path, mins = [here], [0.0]
            else:
                path, mins = sub.path(here, entry)
            if it.kind == "site":
                arrive = t + travel
                stop = float(rng.uniform(lo, hi)) if hi > lo else lo
                stop = min(stop, r1 - arrive - (0.0 if back is None else back[entry]))
                add(u, Leg("site", it.ref, tuple(net.node_ids[x] for x in path),
                           tuple(t + x for x in mins), stop_start=arrive, stop_end=arrive + stop,
                           item=it.key, visit=arrive))
                visited(it, arrive, u)
                t_next, pos[u] = arrive + stop, entry
            else:
                begin = t + travel
                full = path + p[1:]
                fm = [t + x for x in mins] + [begin + x for x in m[1:]]
                add(u, Leg("line", it.ref, tuple(net.node_ids[x] for x in full), tuple(fm),
                           item=it.key, visit=begin))
                visited(it, begin, u)
                t_next, pos[u] = begin + m[-1], p[-1]
            heapq.heappush(heap, (t_next, order[u], u))
        for at_g, key_g, u_g in given[gi:]:
            visited(by_key[key_g], at_g, u_g)
        return _Run(legs, visits, pos, short, offered)

    # The draws that make routes unpredictable can also strand an item: one unit leaves a
    # grid just before the item falls due and the next one comes too late (on grid G4's
    # posture of 2026-07-15, 7 seeds in 20 left a tier-1 site or a line piece past its
    # interval, with every load bound met). So the loop is run again with other draws of
    # the seed while an item some draw might serve is missed, up to ``attempts`` times, and
    # the run that misses the fewest tier-1 sites and line pieces, then the fewest items,
    # then the fewest minutes, is kept. An item no draw can serve calls for no other run:
    # its grid has no police unit for a stretch that outlasts its interval, or no police
    # unit there has a street of its mode to it and none starts on it. (One that no run
    # offered to a police unit in the horizon is said to be out of their reach; whether it
    # is, is left to the runs: which node a unit enters its grid at, and so what a foot
    # patrol's loop reaches, depends on the draws.) The runs are bounded by
    # ROUTE_RUN_BUDGET routed unit-slots in all, so a big city's plan, whose misses are
    # many and rarely all mended, runs once.
    structural = _structurally_unmet(items, present, slots, lo)
    # (a police unit that starts on a site no street leads into, and patrols its grid,
    # stops there all the same)
    police_starts = {(n, g) for u, n in home.items() if units[u].tier in POLICE_TIERS
                     for _, _, g in runs[u]}
    structural |= {it.key for it in items if it.key not in doable
                   and not (it.kind == "site" and (it.nodes[0], it.grid) in police_starts)}
    most = min(attempts, max(1, ROUTE_RUN_BUDGET // max(1, len(posture))))
    kept: tuple[tuple[int, int, float], int, _Run] | None = None
    tried = 0
    unoffered = {it.key for it in items}
    for attempt in range(most):
        tried = attempt + 1
        drove = drive(_stream(seed, attempt))
        unoffered -= drove.offered  # said out of reach only when no run offered it
        missed = _missed(items, drove.visits, horizon)
        score = _score(by_key, missed)
        if kept is None or score < kept[0]:
            kept = (score, attempt, drove)
        if not set(missed) - structural:
            break
    assert kept is not None
    legs, visits, pos = kept[2].legs, kept[2].visits, kept[2].pos
    shortfalls.extend(kept[2].short)

    # group the legs by (unit, slot)
    routes: dict[tuple[str, int], UnitSlotRoute] = {}
    for (uid, sidx), gid in posture.items():
        if (uid, sidx) in fixed:
            continue  # its route is the caller's
        k = pos_of[sidx]
        end_k = starts[k] + slots[k].minutes
        mine = tuple(leg for kk, leg in legs.get(uid, []) if kk == k)
        prev = [leg for kk, leg in legs.get(uid, []) if kk < k]
        if not mine:
            # the unit was still busy with a leg begun in the slot before: where it ends
            node = prev[-1].nodes[-1] if prev else net.node_ids[pos.get(uid, 0)]
            mine = (Leg("hold", gid, (node, node), (starts[k], end_k)),)
        elif prev and prev[-1].end > max(starts[k], prev[-1].minutes[-1]) + 1e-9:
            # a stop (or hold) begun in the slot before runs into this one: its rest opens
            # this slot's route, and the slot before counts it only to its own end (a review:
            # the stops of 113 of Baltimore's 672 one-hour routes added up to over 60 min)
            node = prev[-1].nodes[-1]
            rest = (max(starts[k], prev[-1].minutes[-1]), min(prev[-1].end, end_k))
            mine = (Leg("hold", gid, (node, node), rest), *mine)
        routes[(uid, sidx)] = UnitSlotRoute(unit=uid, slot=sidx, grid=gid,
                                            mode=units[uid].mode, legs=mine, until=end_k)

    # reports
    site_reports: list[SiteReport] = []
    for site in scenario.sites:
        key = f"site:{site.id}"
        it_s = by_key.get(key)
        req = float(scenario.policy.revisit_minutes.get(site.tier, math.nan))
        got = _interval(visits.get(key, []), horizon)
        site_reports.append(SiteReport(
            site=site.id, tier=site.tier, grid=None if it_s is None else grid_ids[it_s.grid],
            required=req, achieved=got,
            visits=tuple(round(v, 3) for v in visits.get(key, []) if v >= 0)))
        if it_s is not None and not site_reports[-1].met:
            what = "never visited" if got is None else f"longest interval {got:.0f} min"
            shortfalls.append(
                f"site {site.id} (tier {site.tier}, grid {grid_ids[it_s.grid]}): {what}, "
                f"required every {req:g} min"
                + _staffing(it_s.grid, present, slots, load, grid_ids[it_s.grid], tour,
                            tried, key not in unoffered))
    line_reports: list[LineReport] = []
    for pline in scenario.lines:
        req = float(pline.every_minutes if pline.every_minutes is not None
                    else scenario.policy.line_every_minutes)
        pcs: list[tuple[str, int, float | None]] = []
        for key in line_pieces.get(pline.id, []):
            it_l = by_key[key]
            pcs.append((grid_ids[it_l.grid], len(it_l.nodes) - 1,
                        _interval(visits[key], horizon)))
        idx = network.index_of(net, pline.nodes)
        outside = sum(1 for na, nb in itertools.pairwise(idx)
                      if router.node_grid[na] < 0 and router.node_grid[nb] < 0)
        vals = [x for _, _, x in pcs]
        achieved = None if (not vals or any(x is None for x in vals)) else max(
            x for x in vals if x is not None)
        rep = LineReport(line=pline.id, required=req, achieved=achieved, pieces=tuple(pcs),
                         outside_edges=outside)
        line_reports.append(rep)
        for key_l, (g_id, _, got_l) in zip(line_pieces.get(pline.id, []), pcs, strict=True):
            if got_l is None or got_l > req + 1e-6:
                what = "never driven" if got_l is None else f"longest interval {got_l:.0f} min"
                shortfalls.append(
                    f"line {pline.id} piece in grid {g_id}: {what}, required every {req:g} min"
                    + _staffing(gidx[g_id], present, slots, load, g_id, tour, tried,
                                key_l not in unoffered))
    xy = {nid: (float(x), float(y)) for nid, (x, y) in zip(net.node_ids, net.xy, strict=True)}
    return RoutePlan(routes=routes, lines=tuple(line_reports), sites=tuple(site_reports),
                     load=load, tour=tour, shortfalls=tuple(shortfalls), horizon_minutes=horizon,
                     seed=seed, attempts=(tried, kept[1] + 1, most), _slots=slots, _xy=xy,
                     _crs=scenario.crs.working)


def _handovers(scenario: Scenario, slots: Sequence[Slot], starts: Sequence[float],
               horizon: float, runs: dict[str, list[tuple[float, float, int]]],
               posture: Mapping[tuple[str, int], str], fixed: Mapping[tuple[str, int], str],
               held: Mapping[tuple[str, int], int], standing: Mapping[tuple[str, int], int],
               pos_of: Mapping[int, int]) -> dict[tuple[str, float], float]:
    """Cut each unit's ``runs`` (in place) at its shift handovers: the shift starts in the
    horizon (the plan repeats, so its first minute is one when it is a shift start) with the
    unit on duty on both sides (:func:`~xunfang.scenario.model.on_both_sides`, cyclic; on
    duty: on patrol, on a kept route, held at an incident or standing somewhere). A run
    through one stops at it, and a run from one starts ``policy.handover_minutes`` later.
    Returns (unit, the later start) → the handover's length, for each start so moved."""
    gap = float(scenario.policy.handover_minutes)
    if gap <= 0 or not runs:
        return {}
    day0 = datetime.combine(slots[0].start.date(), datetime.min.time())
    t0 = slots[0].start
    times = np.array(sorted({
        (day0 + timedelta(days=d, hours=h) - t0).total_seconds() / 60.0
        for d in range(int(horizon // 1440) + 2) for h in set(scenario.policy.shift_starts)
        if 0 <= (day0 + timedelta(days=d, hours=h) - t0).total_seconds() / 60.0
        < horizon - 1e-9}), dtype=np.float64)
    if times.size == 0:
        return {}
    who = sorted(runs)
    on = np.zeros((len(who), len(slots)), dtype=bool)
    row = {u: i for i, u in enumerate(who)}
    for keys in (posture, fixed):
        for (u, sidx) in keys:
            if u in row:
                on[row[u], pos_of[sidx]] = True
    for keys_k in (held, standing):
        for (u, k) in keys_k:
            if u in row:
                on[row[u], k] = True
    both = on_both_sides(on, times, float(slots[0].minutes), cyclic=True)
    moved: dict[tuple[str, float], float] = {}
    for u in who:
        hs = times[both[row[u]]].tolist()
        out: list[tuple[float, float, int]] = []
        for a, b, g in runs[u]:
            for h in hs:
                if a - 1e-9 <= h < b - 1e-9:
                    if h > a + 1e-9:
                        out.append((a, h, g))
                    a = h + gap
                    moved[(u, a)] = gap
            if a < b - 1e-9:
                out.append((a, b, g))
        runs[u] = out
    return moved


@dataclass
class _Run:
    """One run of the routes' event loop (:func:`plan_routes`)."""

    legs: dict[str, list[tuple[int, Leg]]]
    visits: dict[str, list[float]]
    pos: dict[str, int]
    short: list[str]
    offered: set[str]


_Cand = tuple[float, _Item, int, list[int], list[float], float, bool]


def _watch(cands: Sequence[_Cand], t: float, r1: float) -> list[tuple[_Item, float, set[int]]]:
    """The items a unit must keep in reach, from its candidates at minute ``t`` (each one
    within its loop and done before its run ends at ``r1``): those falling due before ``r1``
    that it can still reach in time, with their deadline and the nodes a visit begins at."""
    out: dict[str, tuple[_Item, float, set[int]]] = {}
    for slack, it, entry, _, _, travel, _ in cands:
        due = t + travel + slack
        if slack < 0 or not math.isfinite(due) or due >= r1:
            continue  # late whatever this unit does now, or not due in its run
        out.setdefault(it.key, (it, due, set()))[2].add(entry)
    return list(out.values())


def _keeps_others(b: _Cand, t: float, watch: Sequence[tuple[_Item, float, set[int]]],
                  sub: _Sub, stop_hi: float) -> bool:
    """Whether a unit that does candidate ``b`` at minute ``t`` (a site's stop taken at its
    longest, ``stop_hi``) can still begin every other item of ``watch`` (:func:`_watch`)
    before it falls due, over its grid's streets (an item those streets do not join to is
    not judged)."""
    _, it, entry, p, m, travel, _ = b
    finish = t + travel + (stop_hi if it.kind == "site" else m[-1])
    after = entry if it.kind == "site" else p[-1]
    for j, due, starts in watch:
        if j is it:
            continue
        later = min(sub.time(after, e) for e in starts)
        if math.isfinite(later) and finish + later > due:
            return False
    return True


def _stream(seed: int, attempt: int) -> np.random.Generator:
    """The draws of the routes' run ``attempt``: the seed's own stream first, then streams
    spawned from it (a spawn key, so that no other seed's stream comes back)."""
    if attempt == 0:
        return np.random.default_rng(seed)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(attempt,)))


def _score(items: Mapping[str, _Item], missed: Mapping[str, float]) -> tuple[int, int, float]:
    """How badly a run misses (lower is better): tier-1 sites and line pieces missed, then
    every item missed, then the minutes over their intervals."""
    return (sum(1 for k in missed if items[k].kind == "line" or items[k].tier == 1),
            len(missed), float(sum(missed.values())))


def _missed(items: Sequence[_Item], visits: Mapping[str, list[float]],
            horizon: float) -> dict[str, float]:
    """The items past their interval: key → minutes over it (the horizon when never
    visited), with the reports' tolerance."""
    out: dict[str, float] = {}
    for it in items:
        got = _interval(visits.get(it.key, []), horizon)
        if got is None:
            out[it.key] = horizon
        elif got > it.every + 1e-6:
            out[it.key] = got - it.every
    return out


def _structurally_unmet(items: Sequence[_Item], present: Mapping[tuple[int, int], list[str]],
                        slots: Sequence[Slot], stop: float) -> set[str]:
    """The items no draw of the event loop can serve: their grid has no police unit for a
    stretch of slots (cyclic: the plan repeats) that, with the visit before it (a site's
    shortest stop, ``stop``, or a line piece's drive, which must end before its unit
    leaves), outlasts the item's interval. (A slot whose load bound exceeds its units is
    not such a reason: the bound is the grid's, that slot's, and another draw may still
    keep this item.)"""
    n = len(slots)
    unpatrolled: dict[int, float] = {}  # per grid, its longest stretch without police
    for g in {it.grid for it in items}:
        empty = [(g, k) not in present for k in range(n)]
        if all(empty):
            unpatrolled[g] = math.inf
            continue
        run = longest = 0.0
        for k in range(2 * n):  # twice round, for a stretch across the horizon's end
            run = run + slots[k % n].minutes if empty[k % n] else 0.0
            longest = max(longest, run)
        unpatrolled[g] = longest
    # a visit is counted when it begins and must end inside its unit's run
    return {it.key for it in items
            if (unpatrolled[it.grid] + stop > it.every + 1e-6 if it.kind == "site"
                else unpatrolled[it.grid] >= it.every - 1e-6)}


def _ends(sub: _Sub, it: _Item) -> list[tuple[float, int, int]]:
    """(service minutes, entry node, exit node) of each way a unit can do ``it``."""
    if it.kind == "site":
        return [] if it.nodes[0] not in sub.local else [(0.0, it.nodes[0], it.nodes[0])]
    out = []
    for nodes in (it.nodes, it.nodes[::-1]):
        p, m = _traverse(sub, nodes)
        if p:
            out.append((m[-1], p[0], p[-1]))
    return out


def _tour_minutes(sub: _Sub, its: Sequence[_Item], stop: float) -> float | None:
    """The shortest closed tour found (OR-Tools routing, one vehicle) through every item of a
    grid — each site with a ``stop``-minute stop, each line piece driven its faster way —
    in minutes; ``None`` when some item cannot be done or reached inside the grid."""
    ways = []
    for it in its:
        opts = _ends(sub, it)
        if not opts:
            return None
        service, entry, exit_ = min(opts)
        ways.append((stop if it.kind == "site" else service, entry, exit_))
    n = len(ways)
    if n == 0:
        return 0.0
    cost = np.zeros((n, n), dtype=np.int64)  # hundredths of a minute: travel i→j + service j
    for i, (_, _, x) in enumerate(ways):
        for j, (svc, e, _) in enumerate(ways):
            travel = 0.0 if i == j else sub.time(x, e)
            if not math.isfinite(travel):
                return None
            cost[i, j] = round((travel + svc) * 100)
    if n == 1:  # one item: do it, then back to its start (a one-way line may have no way back)
        back = sub.time(ways[0][2], ways[0][1])
        if not math.isfinite(back):
            return None
        return float(cost[0, 0] + round(back * 100)) / 100.0
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    model = pywrapcp.RoutingModel(manager)

    def arc(a: int, b: int) -> int:
        return int(cost[manager.IndexToNode(a), manager.IndexToNode(b)])

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(arc))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    sol = model.SolveWithParameters(params)
    if sol is None:
        return None
    return float(sol.ObjectiveValue()) / 100.0


def _load(sub: _Sub, its: Sequence[_Item], stop: float) -> tuple[float, list[_Item]]:
    """The load bound of a grid's items for one mode (Σ w_i / r_i units; ``math.inf`` when
    the mode cannot do some item inside the grid), and the items it cannot do."""
    rate, undoable = 0.0, []
    for it in its:
        w = _w(sub, it, its, stop)
        if w is None:
            undoable.append(it)
        else:
            rate += w / it.every
    return (math.inf if undoable else rate), undoable


def _w(sub: _Sub, it: _Item, its: Sequence[_Item], stop: float) -> float | None:
    """A lower bound on the minutes one visit to ``it`` takes a unit of this grid and mode:
    its stop (sites) or traversal (line pieces), plus the shortest travel into its entry from
    the exit of any item of the grid, itself included (a visit always follows some visit or
    the arrival in the grid). ``None`` when the unit cannot do the item inside the grid."""
    ways = _ends(sub, it)
    if not ways:
        return None
    exits = {x for o in its for _, _, x in _ends(sub, o)}
    best = math.inf
    for service, entry, _ in ways:
        into = min((sub.time(x, entry) for x in exits), default=0.0)
        best = min(best, (stop if it.kind == "site" else service)
                   + (into if math.isfinite(into) else 0.0))
    return best


def _staffing(g: int, present: Mapping[tuple[int, int], list[str]],
              slots: Sequence[Slot], load: Mapping[tuple[str, int], tuple[float, int]],
              grid_id: str,
              tour: Mapping[tuple[str, int], tuple[float | None, float]] | None = None,
              runs: int = 1, reached: bool = True) -> str:
    """Why an interval was missed: the slots nobody patrols grid ``g``; else, for an item
    never offered to the grid's police units (``reached`` false), that they cannot reach
    it; else the load bound against the units there (a bound within the units means the
    heuristic missed what some plan might meet)."""
    empty = [slots[k].index for k in range(len(slots)) if (g, k) not in present]
    if not empty and not reached:
        return (" (no run brought a police unit to it: it is off the streets of their modes "
                "in the grid, beyond a foot or balance patrol's loop, or too long to finish "
                "before a unit leaves)")
    if not empty:
        worst = max((load[(grid_id, s.index)] for s in slots if (grid_id, s.index) in load),
                    key=lambda x: x[0] - x[1], default=None)
        if worst is None:
            return ""
        text = (f" (the load lower bound, {worst[0]:.2f} units for {worst[1]} at worst, does "
                "not prove it impossible")
        # each slot's tour against its own tightest interval (a review: the longest tour of
        # one slot against the tightest interval of another said "cannot" of a grid whose
        # every slot's tour fit)
        tours = [tour[(grid_id, s.index)] for s in slots if tour and (grid_id, s.index) in tour]
        found = [(t, e) for t, e in tours if t is not None]
        over = [(t, e) for t, e in found if t > e + 1e-9]
        if found and not over:
            text += (f"; one unit repeating a {max(t for t, _ in found):.0f}-min tour "
                     "(OR-Tools) would meet every interval: the heuristic missed it")
        elif over:
            # the grid's tightest interval, not the item's own (a review read "130 min,
            # longer than the 60-min interval" of a site required every 120 min)
            t, e = max(over, key=lambda te: (te[0] - te[1], te[0]))
            text += (f"; one unit alone cannot keep the grid's intervals: the shortest "
                     f"tour of all its places found, {t:.0f} min, is longer than "
                     f"its tightest interval, {e:g} min")
        if runs > 1:
            text += f"; the routes kept are the best of {runs} seeded runs over the whole plan"
        return text + ")"
    shown = ", ".join(str(s) for s in empty[:6]) + (" …" if len(empty) > 6 else "")
    # police units only: auxiliaries walk the grid too, but their visits do not count
    return f" (no police unit patrols the grid in {len(empty)} slot(s): {shown})"
