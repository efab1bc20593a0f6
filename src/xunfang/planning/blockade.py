"""Sealing the exits after a serious incident (圈层查控): who goes to which exit.

Units go from where they stand, each at its own mode's speed (a foot patrol walks, a car
drives; drones watch, they cannot stop a car), and each seals at most one exit. Around an
incident an offender leaves at car speed (``offender_speed_factor`` times it), so every exit
has an offender time, and a seal counts only if it lands before it. The assignment

1. seals in time as many exits as can be (the unit arrives before the offender),
2. among those, seals as many exits as can be sealed at all (late seals still narrow the
   search), naming the exits left open and why,
3. among those, minimizes the time until the last of them is sealed (the bottleneck), and
4. among those, minimizes the total travel time.

Review AV: the former objective (1 absent) sent PS4 to n190 at 6.46 min though an offender at
car speed passes it at 1.32 min, and reported it sealed; around n234 at 1 min 11 of 12 seals
came after the offender, while another assignment seals 3 in time. Without an incident (the
town's exit posts) there is no offender origin and (1) does not apply.

(1) and (2) are one maximum-weight matching (an in-time pair weighs more than all late pairs
together); a binary search over the sorted distinct travel times, re-solving with pairs no
slower than the threshold, gives the smallest bottleneck (3); a minimum-cost assignment
(scipy's ``linear_sum_assignment``, the Jonker–Volgenant algorithm) on the pairs within the
bottleneck, with the weights far above any total of minutes, gives (4).

Exits are the town's ``exit`` posts (one per node: two posts at a node are one exit), or the
exits of a ring around an incident: where a road leaves the T-minute isochrone and leads on
(the outer end of an edge from inside to outside, if roads through outside nodes only lead
from it to a map end or into the outside's main part), and the map's road ends inside the
ring (a dead end on the edge of the map, or an ``exit`` post at a dead end, is a road
leaving the map: review AV found the roads to 金口河 (n001) and 黑竹沟 (n027) inside the
ring around n010 and not sealed). A pocket just outside
the ring that leads only back in (n117 around n300; n031 and n032, joined to each other, around
n100: review BA) is no exit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from xunfang import network
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment
from xunfang.planning.places import place_nodes
from xunfang.planning.routes import POLICE_TIERS
from xunfang.scenario.model import (
    GROUND_MODES,
    SOURCE_POST_KINDS,
    STAFFED_POST_KINDS,
    BoolArray,
    FloatArray,
    IntArray,
    Mode,
    Post,
    PostKind,
    Scenario,
)

#: an exit post farther than this from its road node is not sealed by reaching the node
#: (the same yardstick as coverage.OFF_NETWORK_M for incidents; review AV: an exit 120 km
#: from every road was "sealed in 0.00 min")
OFF_ROAD_M = 500.0

#: a road end this close to the convex hull of all nodes is a road leaving the map, not a
#: cul-de-sac (on the county the five map ends lie on the hull, 0.0 m; the nearest
#: cul-de-sac, n038, lies 421 m inside it)
MAP_EDGE_M = 1.0

#: an incident place given as x,y farther than this from every road node the mode can use
#: is refused: the web's default ``outside_margin_m`` for positions beyond the roads (review
#: BA: ``--at 99999,99999`` was snapped over 140 km to a road node and sealed a ring there)
AT_MARGIN_M = 2000.0

#: when no road leaves a ring, its note names the pocket's nodes up to this many
POCKET_NAMED = 10

#: the range of ``offender_speed_factor``: a hundredth of car speed is slower than walking
#: the county's roads, a hundred times is beyond any vehicle; far below it the offender's
#: times overflow (review BA: 1e-320 leaked numpy's "overflow in divide")
OFFENDER_FACTOR_RANGE = (0.01, 100.0)

#: why an exit is not sealed in time ("no_units": no ground unit to send at all)
OPEN_REASONS = ("unreachable", "too_late", "too_few_units", "off_road", "no_units")


class BlockadeError(ValueError):
    """A blockade that cannot be computed as asked; the message names the option."""


@dataclass(frozen=True)
class Seal:
    exit: str
    post: str  # where the unit came from: its post, or the node it stood at on a route
    minutes: float
    unit: str | None = None  # None when the scenario lists no units (posts send one each)
    mode: Mode | None = None
    node: str | None = None  # the exit's node
    offender_minutes: float | None = None  # None: no incident, no offender
    in_time: bool | None = None  # the unit arrives before the offender; None: no offender

    def as_json(self) -> dict[str, object]:
        return {"exit": self.exit, "post": self.post, "minutes": round(self.minutes, 4),
                "unit": self.unit, "mode": self.mode, "node": self.node,
                "offender_minutes": (None if self.offender_minutes is None
                                     else _round(self.offender_minutes)),
                "in_time": self.in_time}


@dataclass(frozen=True)
class Exit:
    """One exit: its id (the first exit post at its node, or the node), node, the exit posts
    there, the offender's time to it, and why it is open (None when sealed in time, or sealed
    with no offender to beat)."""

    id: str
    node: str
    posts: tuple[str, ...] = ()
    offender_minutes: float | None = None
    open_reason: str | None = None
    off_road_m: float | None = None

    def as_json(self) -> dict[str, object]:
        return {"exit": self.id, "node": self.node, "posts": list(self.posts),
                "offender_minutes": (None if self.offender_minutes is None
                                     else _round(self.offender_minutes)),
                "open_reason": self.open_reason,
                "off_road_m": None if self.off_road_m is None else round(self.off_road_m, 1)}


@dataclass(frozen=True)
class Source:
    """One unit that can go: its id, where it stands (post id, or node id on a route), the
    node, and its mode."""

    id: str
    post: str
    node: int
    mode: Mode
    unit: bool = True  # False: a post of a scenario without units, at the asked mode


@dataclass(frozen=True)
class Blockade:
    """The sealing plan: who goes where, the time the last exit is sealed, and what stays open."""

    assignment: tuple[Seal, ...]
    unsealed: tuple[str, ...]
    max_minutes: float | None  # None when nothing can be sealed
    total_minutes: float | None
    exits: tuple[Exit, ...] = ()
    notes: tuple[str, ...] = ()
    centre: str | None = None
    radius_minutes: float | None = None
    mode: Mode | None = None
    hour: int | None = None
    offender_speed_factor: float | None = None
    units: int | None = None  # units that could go
    covers_network: bool = False  # the ring holds every node the offender can reach
    snap_m: float | None = None  # how far --at's place lay from the centre node
    sources: str = "posts"  # "units" at their home posts, "plan" where they stand, "posts"

    @property
    def in_time(self) -> int | None:
        if self.centre is None:
            return None
        return sum(1 for s in self.assignment if s.in_time)

    @property
    def late(self) -> tuple[str, ...]:
        return tuple(s.exit for s in self.assignment if s.in_time is False)

    @property
    def cannot_seal_in_time(self) -> tuple[str, ...] | None:
        """Exits no unit can reach before the offender (unreachable, or every unit too slow);
        None without an incident (no offender to beat)."""
        if self.centre is None:
            return None
        return tuple(e.id for e in self.exits
                     if e.open_reason in ("unreachable", "too_late", "off_road", "no_units"))

    def as_json(self) -> dict[str, object]:
        return {
            "max_minutes": self.max_minutes,
            "total_minutes": self.total_minutes,
            "assignment": [s.as_json() for s in self.assignment],
            "unsealed": list(self.unsealed),
            "centre": self.centre,
            "radius_minutes": self.radius_minutes,
            "mode": self.mode,
            "hour": self.hour,
            "offender_speed_factor": self.offender_speed_factor,
            "sources": self.sources,
            "units": self.units,
            "sealed_in_time": self.in_time,
            "sealed_late": list(self.late),
            "cannot_seal_in_time": (None if self.cannot_seal_in_time is None
                                    else list(self.cannot_seal_in_time)),
            "covers_network": self.covers_network,
            "snap_m": None if self.snap_m is None else round(self.snap_m, 1),
            "exits": [e.as_json() for e in self.exits],
            "notes": list(self.notes),
        }


def _round(x: float) -> float | None:
    return round(x, 4) if math.isfinite(x) else None


def _best(weight: IntArray, allowed: BoolArray) -> int:
    """Largest total weight of a matching over ``allowed`` pairs."""
    if not allowed.any():
        return 0
    w = np.where(allowed, weight, 0)
    rows, cols = linear_sum_assignment(w, maximize=True)
    return int(w[rows, cols].sum())


def assign(minutes: FloatArray, *, exit_ids: Sequence[str], post_ids: Sequence[str],
           offender: FloatArray | None = None) -> Blockade:
    """The lexicographic assignment of the (exits × units) ``minutes`` matrix (see the module).

    ``minutes[i, j]`` is the travel time of unit j to exit i (``inf``: cannot reach it);
    ``offender[i]`` the offender's time to exit i (None: no offender, every seal counts).
    Seals carry ``in_time`` only when ``offender`` is given.
    """
    m = np.asarray(minutes, dtype=np.float64)
    if m.shape != (len(exit_ids), len(post_ids)):
        raise ValueError(f"minutes has shape {m.shape}, expected (exits, posts) = "
                         f"({len(exit_ids)}, {len(post_ids)})")
    if np.any(np.isnan(m)) or np.any(m < 0):
        raise ValueError("minutes must be non-negative numbers (inf where a post cannot reach)")
    off = None
    if offender is not None:
        off = np.asarray(offender, dtype=np.float64)
        if off.shape != (len(exit_ids),) or np.any(np.isnan(off)):
            raise ValueError(f"offender has shape {off.shape}, expected one time per exit "
                             f"({len(exit_ids)},), no NaN")
    finite = np.isfinite(m)
    in_time = finite & (m < off[:, None]) if off is not None else np.zeros_like(finite)
    # an in-time pair outweighs every late pair of any matching together
    weight = finite.astype(np.int64) + in_time.astype(np.int64) * (min(m.shape) + 1)
    best = _best(weight, finite)
    if best == 0:
        return Blockade(assignment=(), unsealed=tuple(exit_ids), max_minutes=None,
                        total_minutes=None)
    # the smallest threshold that still allows a matching of weight `best`
    values = np.unique(m[finite])
    lo, hi = 0, len(values) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _best(weight, finite & (m <= values[mid])) == best:
            hi = mid
        else:
            lo = mid + 1
    allowed = finite & (m <= values[lo])
    # least total minutes among the matchings of weight `best` within the bottleneck: a unit
    # of weight is worth more than all allowed minutes together
    big = float(m[allowed].sum()) + 1.0
    cost = np.where(allowed, m - weight * big, 0.0)
    rows, cols = linear_sum_assignment(cost)
    pairs = [(i, j) for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if allowed[i, j]]
    got = int(sum(weight[i, j] for i, j in pairs))
    if got != best:  # the weights above guarantee this; check, never assume
        raise RuntimeError(f"assignment weighs {got}, the best matching {best}")
    seals = [Seal(exit=exit_ids[i], post=post_ids[j], minutes=float(m[i, j]),
                  offender_minutes=None if off is None else float(off[i]),
                  in_time=None if off is None else bool(in_time[i, j]))
             for i, j in pairs]
    sealed = {s.exit for s in seals}
    seals.sort(key=lambda s: (-s.minutes, s.exit))
    return Blockade(
        assignment=tuple(seals),
        unsealed=tuple(e for e in exit_ids if e not in sealed),
        max_minutes=max(s.minutes for s in seals),
        total_minutes=float(sum(s.minutes for s in seals)),
    )


def _usable(net: RoadNetwork, mode: Mode, hour: int | None) -> tuple[BoolArray, IntArray]:
    """Nodes ``mode`` can use (an edge it may drive touches them) and each node's number of
    neighbours by such edges."""
    fwd, bwd = network.edge_minutes(net, mode=mode, hour=hour)
    ok = np.isfinite(fwd) | np.isfinite(bwd)
    u, v = net.roads.u[ok], net.roads.v[ok]
    loop = u == v
    pairs = np.unique(np.stack([np.minimum(u, v), np.maximum(u, v)])[:, ~loop], axis=1)
    degree = np.bincount(pairs.ravel(), minlength=net.n_nodes).astype(np.int64)
    return degree > 0, degree


def map_ends(net: RoadNetwork, *, mode: Mode = "car", hour: int | None = None,
             exit_nodes: Iterable[int] = ()) -> BoolArray:
    """Road ends where a road leaves the map: nodes with one neighbour for ``mode`` that lie
    on the convex hull of the network's nodes (within MAP_EDGE_M), or that hold an exit
    post (``exit_nodes``)."""
    _, degree = _usable(net, mode, hour)
    ends = degree == 1
    out = np.zeros(net.n_nodes, dtype=bool)
    if ends.any():
        hull = shapely.convex_hull(shapely.multipoints(net.xy)).boundary
        idx = np.flatnonzero(ends)
        near = shapely.distance(shapely.points(net.xy[idx]), hull) <= MAP_EDGE_M
        out[idx[near]] = True
    given = np.fromiter(exit_nodes, dtype=np.int64)
    if given.size:
        out[given[degree[given] == 1]] = True
    return out


def ring_exits(net: RoadNetwork, at: int, *, ring_minutes: float, mode: Mode = "car",
               hour: int | None = None, ends: BoolArray | None = None) -> IntArray:
    """Exits of the ``ring_minutes`` isochrone around node ``at`` (see the module): outer
    ends of roads leaving it that lead on, and the map's road ends inside it (``ends``, by
    default :func:`map_ends`); sorted, without repeats."""
    if not np.isfinite(ring_minutes) or ring_minutes <= 0:
        raise BlockadeError(f"--ring-minutes must be positive, got {ring_minutes}")
    t = network.travel_times(net, np.array([at]), mode=mode, hour=hour)[0]
    inside = t <= ring_minutes
    fwd, bwd = network.edge_minutes(net, mode=mode, hour=hour)
    u, v = net.roads.u, net.roads.v
    out_fwd = inside[u] & ~inside[v] & np.isfinite(fwd)
    out_bwd = inside[v] & ~inside[u] & np.isfinite(bwd)
    outer = np.unique(np.concatenate([v[out_fwd], u[out_bwd]]))
    if ends is None:
        ends = map_ends(net, mode=mode, hour=hour)
    keep = outer[ends[outer] | _leads_on(net, inside, fwd, bwd, ends)[outer]]
    inner_ends = np.flatnonzero(ends & inside)
    return np.unique(np.concatenate([keep, inner_ends])).astype(np.int64)


def _leads_on(net: RoadNetwork, inside: BoolArray, fwd: FloatArray, bwd: FloatArray,
              ends: BoolArray) -> BoolArray:
    """Nodes outside the ring from which roads of the mode, through outside nodes only, lead
    to a map end or into the outside's main part (its largest connected piece, if larger than
    every other and of more than one node): one connected-components pass. Review BA: the
    former test looked one road deep, so a pocket of two nodes joined to each other and
    otherwise only to the inside (n031, n032 around n100 at 3 min on ebian) made two exits;
    over 8 centres and radii 1, 2, 3, 5 min, 57 of 445 exits led only into 2-5 outside
    nodes."""
    u, v = net.roads.u, net.roads.v
    road = (np.isfinite(fwd) | np.isfinite(bwd)) & ~inside[u] & ~inside[v] & (u != v)
    n = net.n_nodes
    graph = coo_matrix((np.ones(int(road.sum())), (u[road], v[road])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    label = np.where(inside, -1, label)
    size = np.bincount(label[~inside], minlength=n)
    good = np.zeros(n, dtype=bool)
    good[np.unique(label[~inside & ends])] = True
    top = np.flatnonzero(size == size.max()) if size.size else size
    if len(top) == 1 and size[top[0]] > 1:  # a tie names no main part: map ends decide
        good[top[0]] = True
    return ~inside & good[np.maximum(label, 0)] & (label >= 0)


def check_mode(mode: str) -> Mode:
    """``mode`` if units of it can seal an exit; drones cannot (review AV: ``--mode drone``
    with no --at let drones "seal" exits, with --at it failed without naming --mode)."""
    if mode not in GROUND_MODES:
        why = ("drones cannot seal an exit (they watch from the air, they cannot stop a car)"
               if mode == "drone" else "unknown mode")
        raise BlockadeError(f"--mode {mode}: {why}; give one of {', '.join(GROUND_MODES)}")
    return mode


def locate_at(scenario: Scenario, net: RoadNetwork, at: str, mode: Mode, *,
              option: str = "--at") -> tuple[str, float | None, str]:
    """The incident place ``at`` as a road node id: a node as given, a post or site at its
    node (else the nearest node ``mode`` can use), or ``x,y`` (planar metres) at the nearest
    such node; with the snap distance in metres (None for a node) and how the place was read.
    The command line's ``--at`` and the centre's blockade both read a place this way; x,y
    more than AT_MARGIN_M from every road node is refused."""
    if at in set(net.node_ids):
        return at, None, f"node {at}"
    ground = check_mode(mode)
    places = {p.id: p for p in scenario.posts} | {s.id: s for s in scenario.sites}
    if at in places:
        place = places[at]
        node = int(place_nodes(net, [place], mode=ground)[0])
        d = math.dist(place.xy, tuple(net.xy[node]))
        return net.node_ids[node], d, f"{at} ({place.name})"
    parts = at.split(",")
    try:
        xy = [float(v) for v in parts] if len(parts) == 2 else None
    except ValueError:
        xy = None
    if xy is None or not all(map(math.isfinite, xy)):
        raise BlockadeError(f"{option}: node {at!r} is not in the scenario's network, nor is "
                            "it a post or site id, or x,y coordinates in the scenario's planar "
                            "metres")
    nid, d, read = snap_xy(net, (xy[0], xy[1]), ground)
    if d > AT_MARGIN_M:
        raise BlockadeError(f"{option}: x,y {xy[0]:g},{xy[1]:g} lies {d:.0f} m from the "
                            f"nearest road node {ground} may use (more than {AT_MARGIN_M:g} m "
                            "beyond the scenario's roads): give a place in the jurisdiction")
    return nid, d, read


def snap_xy(net: RoadNetwork, xy: tuple[float, float], mode: Mode
            ) -> tuple[str, float, str]:
    """Planar ``xy`` at the nearest road node ``mode`` can use: (node id, metres, how read)."""
    snap = network.snap(net, np.array([xy]), to="node", mode=check_mode(mode))
    return (net.node_ids[int(snap.node[0])], float(snap.distance_m[0]),
            f"x,y {xy[0]:g},{xy[1]:g}")


def units_where(net: RoadNetwork, units: Iterable[tuple[str, tuple[float, float], Mode]]
                ) -> tuple[Source, ...]:
    """Units that can go, from where they stand as planar points ((unit, xy, mode); the
    centre's fresh fixes or planned places): each at the nearest node its mode can use;
    drones and any other mode that cannot seal send nobody."""
    out = []
    for uid, xy, mode in units:
        if mode not in GROUND_MODES:
            continue
        node = int(network.snap(net, np.array([xy]), to="node", mode=mode).node[0])
        out.append(Source(id=uid, post=net.node_ids[node], node=node, mode=mode))
    return tuple(out)


def _posts_at(scenario: Scenario, kinds: Sequence[PostKind], hour: int | None
              ) -> tuple[tuple[Post, ...], list[str]]:
    """Posts of ``kinds`` staffed at ``hour``: a night-only checkpoint only when ``hour`` is a
    night hour (with no hour nobody is known to stand there: review AV found night
    checkpoints sealing exits at any time)."""
    posts = scenario.staffed_posts(kinds, hour=hour, all_day=True)
    notes = [(f"{p.id} is temporary: staffed only in the hours of its events"
              if p.temporary else f"{p.id} is a night-only checkpoint: not staffed "
              + ("without --hour" if hour is None else f"at hour {hour}"))
             for p in scenario.posts if p.kind in kinds and p not in posts]
    return posts, notes


def units_at_posts(scenario: Scenario, net: RoadNetwork, *,
                   kinds: Sequence[PostKind] = STAFFED_POST_KINDS, hour: int | None = None,
                   mode: Mode = "car") -> tuple[tuple[Source, ...], tuple[str, ...], str]:
    """Every police unit (``POLICE_TIERS``) at its home post of ``kinds`` (staffed at
    ``hour``), each at its own mode, drones and other tiers left out; a scenario without units
    sends one per post at ``mode`` as before. Returns the sources, notes on what was left out,
    and "units" or "posts". Review BA: volunteers, guards and grid workers (auxiliary) sealed
    ebian's exits here (24 of 25 in time around n010 at 5 min; police alone 22) while the
    plan and the centre seal from the police units only."""
    posts, notes = _posts_at(scenario, kinds, hour)
    if not posts:
        raise BlockadeError(f"--from: no posts of kinds {', '.join(kinds)} to send; sources "
                            f"may be: {', '.join(SOURCE_POST_KINDS)}")
    if not scenario.units:
        nodes = place_nodes(net, posts, mode=mode)
        notes.append(f"the scenario lists no units: each post sends one at {mode} speed")
        return (tuple(Source(id=p.id, post=p.id, node=int(n), mode=mode, unit=False)
                      for p, n in zip(posts, nodes.tolist(), strict=True)),
                tuple(notes), "posts")
    by_id = {p.id: p for p in posts}
    units = [u for u in scenario.units if u.home_post in by_id]
    others = [u.id for u in units if u.tier not in POLICE_TIERS]
    if others:
        notes.append(f"only police ({', '.join(POLICE_TIERS)}) seal exits: "
                     f"{', '.join(others)} left out")
    units = [u for u in units if u.tier in POLICE_TIERS]
    drones = [u.id for u in units if u.mode not in GROUND_MODES]
    if drones:
        notes.append(f"drones cannot seal an exit: {', '.join(drones)} left out")
    ground = [u for u in units if u.mode in GROUND_MODES]
    empty = [p.id for p in posts if not any(u.home_post == p.id for u in ground)]
    if empty:
        notes.append(f"posts with no ground police unit send nobody: {', '.join(empty)}")
    out = []
    for u in ground:
        node = int(place_nodes(net, [by_id[u.home_post]], mode=u.mode)[0])
        out.append(Source(id=u.id, post=u.home_post, node=node, mode=u.mode))
    if out:
        notes.append("every unit counted at its home post, as if on duty (a plan's report "
                     "seals from the units on duty where they stand in each hour)")
    return tuple(out), tuple(notes), "units"


def units_in_plan(scenario: Scenario, net: RoadNetwork, assignments: Iterable[Assignment]
                  ) -> tuple[Source, ...]:
    """The plan's units on ground duty in one slot where they stand: at their post or
    checkpoint, at the first node of their route (a staging unit's node), at the road node
    nearest their grid's centre. Units off duty (no crew), drones and video desks send
    nobody."""
    units = {u.id: u for u in scenario.units}
    posts = {p.id: p for p in scenario.posts}
    grids = {a.id: a for a in scenario.areas_of("grid")}
    index = {n: i for i, n in enumerate(net.node_ids)}
    out = []
    for a in assignments:
        u = units.get(a.unit)
        if u is None or u.mode not in GROUND_MODES or a.duty in ("off", "drone", "video"):
            continue
        if a.post is not None and a.post in posts:
            node, where = int(place_nodes(net, [posts[a.post]], mode=u.mode)[0]), a.post
        elif a.route and a.route[0] in index:
            node, where = index[a.route[0]], a.route[0]
        elif a.grid is not None and a.grid in grids:
            c = grids[a.grid].geometry.representative_point()
            node = int(network.snap(net, [[c.x, c.y]], mode=u.mode).node[0])
            where = a.grid
        else:
            continue
        out.append(Source(id=u.id, post=where, node=node, mode=u.mode))
    return tuple(out)


def _open_reasons(m: FloatArray, off: FloatArray | None, b: Blockade, exit_ids: Sequence[str]
                  ) -> list[str | None]:
    sealed_in_time = {s.exit for s in b.assignment if s.in_time is not False}
    out: list[str | None] = []
    for i, e in enumerate(exit_ids):
        row = m[i]
        if e in sealed_in_time:
            out.append(None)
        elif not row.size:
            out.append("no_units")
        elif not np.isfinite(row).any():
            out.append("unreachable")
        elif off is not None and not (row < off[i]).any():
            out.append("too_late")
        else:
            out.append("too_few_units")
    return out


def seal_exits(
    scenario: Scenario,
    net: RoadNetwork,
    *,
    kinds: Sequence[PostKind] = STAFFED_POST_KINDS,
    at: str | None = None,
    ring_minutes: float | None = None,
    mode: Mode = "car",
    hour: int | None = None,
    sources: Sequence[Source] | None = None,
    offender_speed_factor: float = 1.0,
    snap_m: float | None = None,
    memo: dict[object, FloatArray] | None = None,
) -> Blockade:
    """Seal the scenario's ``exit`` posts — or, with ``at`` and ``ring_minutes``, the exits of
    the ring (in ``mode`` minutes) around node ``at`` against an offender at car speed times
    ``offender_speed_factor`` — from ``sources`` (default: the units at their posts of
    ``kinds`` staffed at ``hour``, :func:`units_at_posts`). ``memo``, kept by a caller that
    seals the same exits again and again (the plan's slots), holds every node's time to the
    exits by mode and peak factors: one search per exit, mode and factor set for the whole
    plan instead of one per unit and slot (the county's 24 slots: 1.4 s without, measured on
    two busy cores)."""
    if (at is None) != (ring_minutes is None):
        raise BlockadeError("--at and --ring-minutes go together: give both or neither")
    mode = check_mode(mode)
    lo, hi = OFFENDER_FACTOR_RANGE
    if not (math.isfinite(offender_speed_factor) and lo <= offender_speed_factor <= hi):
        raise BlockadeError("--offender-speed-factor must be a positive number in "
                            f"{lo:g}..{hi:g} (1 = car speed), got {offender_speed_factor}")
    if at is None and offender_speed_factor != 1.0:
        raise BlockadeError("--offender-speed-factor needs --at and --ring-minutes: without "
                            "an incident there is no offender to beat")
    notes: list[str] = []
    if sources is None:
        sources, said, kind = units_at_posts(scenario, net, kinds=kinds, hour=hour, mode=mode)
        notes.extend(said)
    else:
        kind = "plan"
    exit_posts = scenario.posts_of("exit")
    exit_post_nodes = place_nodes(net, exit_posts, mode=mode) if exit_posts else np.zeros(
        0, np.int64)
    centre: int | None = None
    off: FloatArray | None = None
    off_road: dict[str, float] = {}
    covers = False
    if at is not None and ring_minutes is not None:
        centre = int(network.index_of(net, [at])[0])
        usable, _ = _usable(net, mode, hour)
        car_ok, _ = _usable(net, "car", hour)
        if not (usable[centre] and car_ok[centre]):
            who = mode if not usable[centre] else "car (the offender)"
            raise BlockadeError(f"--at: node {at!r} lies on no road {who} may use "
                                "(footways, steps or paths only); give a node on a road, or "
                                "x,y to snap to the nearest one")
        ends = map_ends(net, mode=mode, hour=hour, exit_nodes=exit_post_nodes.tolist())
        exit_nodes = ring_exits(net, centre, ring_minutes=ring_minutes, mode=mode, hour=hour,
                                ends=ends)
        reach = network.travel_times(net, np.array([centre]), mode="car", hour=hour)[0]
        # exits the fleeing car cannot reach (footways out of a foot ring) are no way out for
        # the offender: dropped, never sealed before a road exit (review BA: around c on a
        # star of roads the only unit walked to a footway exit, both road exits left open)
        lost = exit_nodes[~np.isfinite(reach[exit_nodes])]
        if len(lost):
            exit_nodes = exit_nodes[np.isfinite(reach[exit_nodes])]
            notes.append(f"exits the offender's car cannot reach from {at} are not sealed: "
                         + ", ".join(net.node_ids[int(n)] for n in lost))
        exit_ids = tuple(net.node_ids[int(i)] for i in exit_nodes)
        exit_posts_at = {net.node_ids[n]: tuple(
            p.id for p, k in zip(exit_posts, exit_post_nodes.tolist(), strict=True) if k == n)
            for n in exit_nodes.tolist()}
        off = reach[exit_nodes] / offender_speed_factor
        ring_t = network.travel_times(net, np.array([centre]), mode=mode, hour=hour)[0]
        covers = bool(np.all(ring_t[np.isfinite(ring_t)] <= ring_minutes))
        if not covers and not len(exit_nodes):
            # review BA: the ring around n21 at 1 min on the town said nothing, JSON
            # max_minutes 0.0, which read as "sealed in 0 min"
            pocket = [net.node_ids[int(n)] for n in
                      np.flatnonzero(np.isfinite(ring_t) & (ring_t > ring_minutes))]
            named = (": " + ", ".join(pocket) if len(pocket) <= POCKET_NAMED
                     else f" ({len(pocket)} nodes)")
            notes.append(f"no road leaves the {ring_minutes:g}-minute ring around {at} for a "
                         "map end or the outside's main part: no exit to seal; beyond it "
                         f"{mode} reaches only a pocket{named}")
        elif covers and not len(exit_nodes):
            notes.append(f"the {ring_minutes:g}-minute ring around {at} holds every node "
                         f"{mode} can reach from it and no road leaves the map inside it: "
                         "there is no exit to seal (a smaller ring has exits; sealing this "
                         "one means closing the whole network)")
        elif covers:
            notes.append(f"the {ring_minutes:g}-minute ring around {at} holds every node "
                         f"{mode} can reach from it: its only exits are the "
                         f"{len(exit_nodes)} road(s) leaving the map")
    else:
        if not exit_posts:
            raise BlockadeError(f"scenario {scenario.name!r} has no exit posts; give --at NODE "
                                "--ring-minutes T to seal a ring around an incident instead")
        # one exit per node: two exit posts at a node are one road to close (review AV: two
        # posts at n40 sent two units there and left E4 open); an exit far from every road
        # stays itself, never merged with a near one at its nearest node
        first: dict[object, list[str]] = {}
        node_of_key: dict[object, int] = {}
        for p, n in zip(exit_posts, exit_post_nodes.tolist(), strict=True):
            d = math.dist(p.xy, tuple(net.xy[n]))
            key: object = n
            if d > OFF_ROAD_M:
                key = ("off road", p.id)
                off_road[p.id] = d
                notes.append(f"exit {p.id} lies {d / 1000:.1f} km from its nearest road node "
                             f"{net.node_ids[n]} (more than {OFF_ROAD_M:g} m): reaching the "
                             "node does not seal it; left open")
            first.setdefault(key, []).append(p.id)
            node_of_key[key] = n
        exit_nodes = np.array([node_of_key[k] for k in first], dtype=np.int64)
        exit_ids = tuple(ids[0] for ids in first.values())
        exit_posts_at = {ids[0]: tuple(ids) for ids in first.values()}
        for k, ids in first.items():
            if len(ids) > 1:
                notes.append(f"exit posts {', '.join(ids)} stand at one node "
                             f"{net.node_ids[node_of_key[k]]}: one exit")
    base = dict(centre=at, radius_minutes=ring_minutes, mode=mode, hour=hour,
                offender_speed_factor=offender_speed_factor if at is not None else None,
                units=len(sources), covers_network=covers, snap_m=snap_m, sources=kind)
    if not len(exit_nodes):  # nothing to seal: no time to say
        return Blockade(assignment=(), unsealed=(), max_minutes=None, total_minutes=None,
                        notes=tuple(notes), **base)  # type: ignore[arg-type]
    m = np.full((len(exit_nodes), len(sources)), np.inf)
    for md in sorted({s.mode for s in sources}):
        cols = [j for j, s in enumerate(sources) if s.mode == md]
        nodes = np.array([sources[j].node for j in cols], dtype=np.int64)
        if memo is None:
            m[:, cols] = network.travel_times(net, nodes, exit_nodes, mode=md, hour=hour).T
            continue
        # hours with the same peak factors for the mode drive the same roads
        factors = tuple(k for k, pf in enumerate(net.policy.peak_factors)
                        if hour is not None and hour in pf.hours and md in pf.modes)
        key = (md, factors, tuple(exit_nodes.tolist()))
        if key not in memo:  # every node's time to each exit: one search per exit
            memo[key] = network.times_to(net, exit_nodes, mode=md, hour=hour)
        m[:, cols] = memo[key][:, nodes]
    for i, e in enumerate(exit_ids):
        if e in off_road:
            m[i] = np.inf
    labels = tuple(s.id for s in sources)
    b = assign(m, exit_ids=exit_ids, post_ids=labels, offender=off)
    by_label = {s.id: s for s in sources}
    node_of = dict(zip(exit_ids, exit_nodes.tolist(), strict=True))
    seals = tuple(
        Seal(exit=s.exit, post=by_label[s.post].post, minutes=s.minutes,
             unit=s.post if by_label[s.post].unit else None, mode=by_label[s.post].mode,
             node=net.node_ids[node_of[s.exit]], offender_minutes=s.offender_minutes,
             in_time=s.in_time)
        for s in b.assignment)
    reasons = _open_reasons(m, off, b, exit_ids)
    exits = tuple(
        Exit(id=e, node=net.node_ids[n], posts=exit_posts_at.get(e, ()),
             offender_minutes=None if off is None else float(off[i]),
             open_reason="off_road" if e in off_road else reasons[i],
             off_road_m=off_road.get(e))
        for i, (e, n) in enumerate(zip(exit_ids, exit_nodes.tolist(), strict=True)))
    return Blockade(assignment=seals, unsealed=b.unsealed, max_minutes=b.max_minutes,
                    total_minutes=b.total_minutes, exits=exits, notes=tuple(notes),
                    **base)  # type: ignore[arg-type]
