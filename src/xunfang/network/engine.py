"""The one travel-time engine: road network per mode and hour, and its queries.

``RoadNetwork.from_roads(roads, policy=...)`` resolves the speed of every road once; the
graph of a (mode, hour) is built on first use and kept. The queries are module functions that
take the network first: ``travel_times``, ``nearest``, ``isochrones``, ``point_times``,
``shortest_path``, ``snap``, ``index_of``, ``components``.

Units: coordinates and lengths in metres, speeds in km/h, every time in the public API in
minutes (the graphs hold seconds inside). Node arguments are node *indices* (rows of
``net.xy``); ``index_of`` maps node ids to them.

Speed rules (``Policy``):

1. car speed of an edge = its ``speed_kph`` if given, else ``class_speeds_kph[class]``, else
   ``default_speed_kph``;
2. for a ground mode m: ``min(car speed, speeds_kph[m])`` — so a car is capped at its policy
   speed, and walkers and balance vehicles move at their own speed except on roads slower still
   (a 3 km/h ``steps`` class slows a walker);
3. at an hour h, each ``PeakFactor`` whose ``hours`` hold h, whose ``modes`` hold m and whose
   ``classes`` hold the edge's class (empty: every class) multiplies that speed by its factor;
   ``hour=None`` is free flow;
4. edges whose class is in ``excluded_classes[m]`` are not used by m; ``oneway`` edges run
   u → v only for modes in ``oneway_modes``, every other edge both ways; of parallel edges the
   fastest counts.

The drone has no graph: ``drone_launch_minutes`` plus the straight-line distance at
``speeds_kph["drone"]`` (times any peak factor naming the drone with no classes), for every
pair including a node and itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import numba
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from xunfang.network import _dijkstra
from xunfang.scenario.model import (
    GROUND_MODES,
    MODES,
    FloatArray,
    IntArray,
    Mode,
    Policy,
    Roads,
    Scenario,
)

__all__ = [
    "Components",
    "Nearest",
    "RoadNetwork",
    "Snap",
    "components",
    "edge_minutes",
    "index_of",
    "isochrones",
    "nearest",
    "point_times",
    "shortest_path",
    "snap",
    "travel_times",
]

Int32Array = npt.NDArray[np.int32]
Direction = Literal["from_points", "to_points"]


# ---------------------------------------------------------------------------------------------
# The network value


@dataclass(frozen=True, eq=False)
class _Graph:
    """The directed graph of one mode under one set of speed factors (seconds inside).

    ``forward_s`` / ``backward_s`` hold each road edge's time u → v and v → u (``inf`` where the
    mode may not use it that way); the CSR arrays keep the fastest of parallel arcs and drop
    self-loops.
    """

    indptr: Int32Array
    indices: Int32Array
    seconds: FloatArray
    forward_s: FloatArray
    backward_s: FloatArray


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Roads plus policy, ready for travel-time queries. Build with ``from_roads``.

    ``node_ids`` and ``xy`` (metres, working CRS) are the scenario's nodes in file order; node
    indices everywhere are positions in them. The object is immutable from outside; the graphs
    of each (mode, speed factors) are built on first use and cached inside, thread-safely, so
    the arrays of ``roads`` must not be changed in place afterwards. It pickles as its roads and
    policy (the caches are rebuilt on the other side).
    """

    roads: Roads
    policy: Policy
    _car_kph: FloatArray = field(init=False, repr=False)
    _cache: dict[object, object] = field(init=False, repr=False, default_factory=dict)
    _lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        roads, policy = self.roads, self.policy
        _check_roads(roads)
        _check_policy(policy)
        given = np.asarray(roads.speed_kph, dtype=np.float64)
        by_class = np.array(
            [policy.class_speeds_kph.get(c, policy.default_speed_kph) for c in roads.road_class],
            dtype=np.float64,
        ).reshape(given.shape)
        car = np.where(np.isnan(given), by_class, given)
        car.setflags(write=False)
        object.__setattr__(self, "_car_kph", car)

    def __reduce__(self) -> tuple[Callable[..., RoadNetwork], tuple[Roads, Policy]]:
        # pickle (multiprocessing, ray) carries roads and policy; the caches are rebuilt
        return (_rebuild, (self.roads, self.policy))

    @classmethod
    def from_roads(cls, roads: Roads, *, policy: Policy) -> RoadNetwork:
        """The network of ``roads`` under ``policy``'s speeds, exclusions and one-way rules.

        Raises ``ValueError`` naming the edge or policy entry that breaks a rule (node index out
        of range, negative length, speed not positive, missing mode speed, …).
        """
        return cls(roads=roads, policy=policy)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> RoadNetwork:
        """``from_roads(scenario.roads, policy=scenario.policy)``."""
        return cls.from_roads(scenario.roads, policy=scenario.policy)

    @property
    def node_ids(self) -> tuple[str, ...]:
        return self.roads.node_ids

    @property
    def xy(self) -> FloatArray:
        """Node coordinates, shape (n, 2), metres."""
        return self.roads.xy

    @property
    def n_nodes(self) -> int:
        return self.roads.n_nodes

    @property
    def n_edges(self) -> int:
        return self.roads.n_edges

    # -- cached pieces -----------------------------------------------------------------------

    def _cached(self, key: object, build: Callable[[], object]) -> object:
        got = self._cache.get(key)
        if got is None:
            with self._lock:
                got = self._cache.get(key)
                if got is None:
                    got = build()
                    self._cache[key] = got
        return got

    def _factors(self, mode: Mode, hour: int | None) -> tuple[int, ...]:
        if hour is None:
            return ()
        return tuple(
            i
            for i, pf in enumerate(self.policy.peak_factors)
            if hour in pf.hours and mode in pf.modes
        )

    def _graph(self, mode: Mode, hour: int | None, *, reverse: bool = False) -> _Graph:
        key = ("graph", mode, self._factors(mode, hour), reverse)
        return cast(_Graph, self._cached(key, lambda: self._build_graph(mode, hour, reverse)))

    def _build_graph(self, mode: Mode, hour: int | None, reverse: bool) -> _Graph:
        if reverse:
            fwd = self._graph(mode, hour)
            return _csr_graph(
                self.n_nodes, self.roads.v, self.roads.u, fwd.forward_s, fwd.backward_s
            )
        roads, policy = self.roads, self.policy
        kph = np.minimum(self._car_kph, policy.speeds_kph[mode])
        for i in self._factors(mode, hour):
            pf = policy.peak_factors[i]
            if pf.classes:
                hit = np.isin(np.asarray(roads.road_class, dtype=object), pf.classes)
                kph = np.where(hit, kph * pf.factor, kph)
            else:
                kph = kph * pf.factor
        # 3600 s per hour over 1000 m per km: exact for whole metres and km/h
        seconds = roads.length_m * 3600.0 / (kph * 1000.0)
        excluded = policy.excluded_classes.get(mode, ())
        if excluded:
            out = np.isin(np.asarray(roads.road_class, dtype=object), excluded)
            seconds = np.where(out, np.inf, seconds)
        backward = seconds.copy()
        if mode in policy.oneway_modes:
            backward[np.asarray(roads.oneway, dtype=bool)] = np.inf
        return _csr_graph(self.n_nodes, roads.u, roads.v, seconds, backward)

    def _kdtree(self, mode: Mode | None) -> tuple[cKDTree, IntArray]:
        def build() -> tuple[cKDTree, IntArray]:
            if mode is None:
                keep = np.arange(self.n_nodes, dtype=np.int64)
            else:
                g = self._graph(mode, None)
                usable = np.isfinite(g.forward_s) | np.isfinite(g.backward_s)
                keep = np.unique(np.concatenate([self.roads.u[usable], self.roads.v[usable]]))
            return cKDTree(self.xy[keep]), keep.astype(np.int64)

        return cast(tuple[cKDTree, IntArray], self._cached(("kdtree", mode), build))

    def _index(self) -> dict[str, int]:
        def build() -> dict[str, int]:
            return {nid: i for i, nid in enumerate(self.node_ids)}

        return cast(dict[str, int], self._cached("index", build))


def _rebuild(roads: Roads, policy: Policy) -> RoadNetwork:
    return RoadNetwork.from_roads(roads, policy=policy)


def _csr_graph(
    n: int, u: IntArray, v: IntArray, forward_s: FloatArray, backward_s: FloatArray
) -> _Graph:
    """Arcs u→v (forward_s) and v→u (backward_s) as CSR, fastest of parallels, no self-loops.

    scipy's ``csr_matrix((data, (i, j)))`` would *sum* parallel arcs, so the CSR is built here:
    sort by (tail, head, time) and keep the first of each (tail, head).
    """
    tail = np.concatenate([u, v])
    head = np.concatenate([v, u])
    secs = np.concatenate([forward_s, backward_s])
    keep = np.isfinite(secs) & (tail != head)
    tail, head, secs = tail[keep], head[keep], secs[keep]
    order = np.lexsort((secs, head, tail))
    tail, head, secs = tail[order], head[order], secs[order]
    first = np.ones(tail.shape[0], dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, secs = tail[first], head[first], secs[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    fwd = np.ascontiguousarray(forward_s, dtype=np.float64)
    bwd = np.ascontiguousarray(backward_s, dtype=np.float64)
    for a in (fwd, bwd, secs):
        a.setflags(write=False)
    return _Graph(
        indptr=indptr.astype(np.int32),
        indices=head.astype(np.int32),
        seconds=np.ascontiguousarray(secs, dtype=np.float64),
        forward_s=fwd,
        backward_s=bwd,
    )


# ---------------------------------------------------------------------------------------------
# Validation: every message names the argument, the rule and the bad value.


def _check_roads(roads: Roads) -> None:
    n, m = roads.n_nodes, roads.n_edges
    xy = np.asarray(roads.xy)
    if xy.shape != (n, 2):
        raise ValueError(f"roads.xy must have shape (n_nodes, 2) = ({n}, 2); got {xy.shape}")
    if not np.all(np.isfinite(xy)):
        bad = int(np.flatnonzero(~np.isfinite(xy).all(axis=1))[0])
        raise ValueError(
            f"roads.xy must be finite metres; node {roads.node_ids[bad]!r} has {xy[bad]}"
        )
    if len(set(roads.node_ids)) != n:
        seen: set[str] = set()
        dup = ""
        for nid in roads.node_ids:
            if nid in seen:
                dup = nid
                break
            seen.add(nid)
        raise ValueError(f"roads.node_ids must be unique; {dup!r} appears more than once")
    for name in ("u", "v", "length_m", "speed_kph", "oneway"):
        arr = np.asarray(getattr(roads, name))
        if arr.shape != (m,):
            raise ValueError(f"roads.{name} must have shape ({m},) like roads.u; got {arr.shape}")
    if len(roads.road_class) != m:
        raise ValueError(
            f"roads.road_class must have one class per edge ({m}); got {len(roads.road_class)}"
        )
    for name in ("u", "v"):
        arr = np.asarray(getattr(roads, name))
        if m and (arr.min() < 0 or arr.max() >= n):
            e = int(np.flatnonzero((arr < 0) | (arr >= n))[0])
            raise ValueError(
                f"roads.{name} must index node_ids (0..{n - 1}); edge {e} has {int(arr[e])}"
            )
    if roads.shape is not None and len(roads.shape) != m:
        raise ValueError(
            f"roads.shape must hold one course per edge ({m}); got {len(roads.shape)}"
        )
    length = np.asarray(roads.length_m, dtype=np.float64)
    bad_len = ~(np.isfinite(length) & (length >= 0))
    if bad_len.any():
        e = int(np.flatnonzero(bad_len)[0])
        raise ValueError(
            f"roads.length_m must be finite and >= 0 metres; edge {e} "
            f"({roads.node_ids[roads.u[e]]!r}→{roads.node_ids[roads.v[e]]!r}) has {length[e]}"
        )
    speed = np.asarray(roads.speed_kph, dtype=np.float64)
    bad_speed = ~(np.isnan(speed) | (np.isfinite(speed) & (speed > 0)))
    if bad_speed.any():
        e = int(np.flatnonzero(bad_speed)[0])
        raise ValueError(
            f"roads.speed_kph must be > 0 km/h or NaN (class speed); edge {e} "
            f"({roads.node_ids[roads.u[e]]!r}→{roads.node_ids[roads.v[e]]!r}) has {speed[e]}"
        )


def _positive(what: str, value: float) -> None:
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a finite speed > 0 km/h; got {value!r}")


def _check_policy(policy: Policy) -> None:
    for mode in MODES:
        if mode not in policy.speeds_kph:
            raise ValueError(
                f"policy.speeds_kph must give a speed for every mode; {mode!r} is missing"
            )
        _positive(f"policy.speeds_kph[{mode!r}]", policy.speeds_kph[mode])
    for cls, kph in policy.class_speeds_kph.items():
        _positive(f"policy.class_speeds_kph[{cls!r}]", kph)
    _positive("policy.default_speed_kph", policy.default_speed_kph)
    if not (np.isfinite(policy.drone_launch_minutes) and policy.drone_launch_minutes >= 0):
        raise ValueError(
            f"policy.drone_launch_minutes must be finite and >= 0; "
            f"got {policy.drone_launch_minutes!r}"
        )
    for i, pf in enumerate(policy.peak_factors):
        if not (np.isfinite(pf.factor) and pf.factor > 0):
            raise ValueError(
                f"policy.peak_factors[{i}].factor must be a finite number > 0; got {pf.factor!r}"
            )
        bad_hours = [h for h in pf.hours if not 0 <= h <= 23]
        if bad_hours:
            raise ValueError(f"policy.peak_factors[{i}].hours must be hours 0..23; got {bad_hours}")
        bad_modes = [md for md in pf.modes if md not in MODES]
        if bad_modes:
            raise ValueError(
                f"policy.peak_factors[{i}].modes must be among {MODES}; got {bad_modes}"
            )


def _mode(mode: object, *, ground: bool = False) -> Mode:
    allowed = GROUND_MODES if ground else MODES
    if mode not in allowed:
        raise ValueError(f"mode must be one of {allowed}; got {mode!r}")
    return mode


def _hour(hour: object) -> int | None:
    if hour is None:
        return None
    if isinstance(hour, bool) or not isinstance(hour, int | np.integer) or not 0 <= hour <= 23:
        raise ValueError(f"hour must be None (free flow) or an integer 0..23; got {hour!r}")
    return int(hour)


def _limit_s(cutoff_minutes: float | None) -> float:
    """The search limit in seconds, a hair above the cut-off so rounding loses no node."""
    if cutoff_minutes is None:
        return float(np.inf)
    c = float(cutoff_minutes)
    if np.isnan(c) or c < 0:
        raise ValueError(f"cutoff_minutes must be None or >= 0 minutes; got {cutoff_minutes!r}")
    return c * 60.0 * (1.0 + 1e-12) + 1e-9


def _nodes(net: RoadNetwork, what: str, values: object) -> IntArray:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of node indices; got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        hint = " (map node ids with index_of(net, ids))" if arr.dtype.kind in "UOS" else ""
        raise ValueError(
            f"{what} must be integer node indices{hint}; got dtype {arr.dtype} "
            f"(first value {arr[0]!r})"
        )
    bad = (arr < 0) | (arr >= net.n_nodes)
    if bad.any():
        raise ValueError(
            f"{what} must be node indices 0..{net.n_nodes - 1}; got {arr[bad][:5].tolist()}"
        )
    return arr.astype(np.int64)


def _points(what: str, xy: object) -> FloatArray:
    arr = np.asarray(xy, dtype=np.float64)
    if arr.ndim == 1 and arr.shape == (2,):
        arr = arr.reshape(1, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{what} must be planar points of shape (n, 2) in metres; got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        i = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{what} must be finite metres; point {i} is {arr[i].tolist()}")
    return arr


# ---------------------------------------------------------------------------------------------
# Travel times


def _run_rows(
    g: _Graph,
    seed_ptr: IntArray,
    seed_node: IntArray,
    seed_secs: FloatArray,
    limit_s: float,
    targets: IntArray | None,
    n: int,
) -> FloatArray:
    rows = seed_ptr.shape[0] - 1
    ptr = np.ascontiguousarray(seed_ptr, dtype=np.int64)
    nodes = np.ascontiguousarray(seed_node, dtype=np.int32)
    secs = np.ascontiguousarray(seed_secs, dtype=np.float64)
    # Rows are split into blocks that the threads take in turn: several blocks per thread keep
    # both busy when some searches are much larger than others.
    blocks = max(1, min(rows, 8 * numba.get_num_threads()))
    if targets is None:
        out = np.empty((rows, n), dtype=np.float64)
        if rows:
            _dijkstra.rows_full(
                g.indptr, g.indices, g.seconds, ptr, nodes, secs, limit_s, blocks, out
            )
        return out
    out = np.empty((rows, targets.shape[0]), dtype=np.float64)
    if rows == 0 or targets.shape[0] == 0:
        out.fill(np.inf)
        return out
    col = np.full(n, -1, dtype=np.int64)
    col[targets[::-1]] = np.arange(targets.shape[0] - 1, -1, -1)  # first column of each node
    distinct = int(np.count_nonzero(col >= 0))
    _dijkstra.rows_targets(
        g.indptr, g.indices, g.seconds, ptr, nodes, secs, limit_s, col, distinct, blocks, out
    )
    first = col[targets]
    repeated = first != np.arange(targets.shape[0])
    if repeated.any():
        out[:, repeated] = out[:, first[repeated]]
    return out


def _drone_minutes(net: RoadNetwork, a: FloatArray, b: FloatArray, hour: int | None) -> FloatArray:
    """Minutes from points ``a`` (p, 2) to points ``b`` (q, 2): launch plus straight flight."""
    kph = net.policy.speeds_kph["drone"]
    if hour is not None:
        for pf in net.policy.peak_factors:
            if hour in pf.hours and "drone" in pf.modes and not pf.classes:
                kph *= pf.factor
    metres = cdist(a, b)
    out: FloatArray = net.policy.drone_launch_minutes + metres * 60.0 / (kph * 1000.0)
    return out


def _cut(out: FloatArray, cutoff_minutes: float | None) -> FloatArray:
    if cutoff_minutes is not None:
        out[out > cutoff_minutes] = np.inf
    return out


def travel_times(
    net: RoadNetwork,
    sources: npt.ArrayLike,
    targets: npt.ArrayLike | None = None,
    *,
    mode: Mode = "car",
    hour: int | None = None,
    cutoff_minutes: float | None = None,
) -> FloatArray:
    """Minutes from each source node to each target node (all nodes when ``targets`` is None).

    Returns float64 of shape (len(sources), n_nodes or len(targets)); ``inf`` where a target
    cannot be reached or lies beyond ``cutoff_minutes``. ``hour`` (0..23) applies the policy's
    peak factors; None is free flow. A cut-off search never looks beyond the cut-off, and a
    search with targets stops once every target is settled.
    """
    src = _nodes(net, "sources", sources)
    tgt = None if targets is None else _nodes(net, "targets", targets)
    mode = _mode(mode)
    h = _hour(hour)
    limit = _limit_s(cutoff_minutes)
    if mode == "drone":
        dest = net.xy if tgt is None else net.xy[tgt]
        return _cut(_drone_minutes(net, net.xy[src], dest, h), cutoff_minutes)
    g = _graph_for(net, mode, h)
    ptr = np.arange(src.shape[0] + 1, dtype=np.int64)
    out = _run_rows(g, ptr, src, np.zeros(src.shape[0]), limit, tgt, net.n_nodes)
    return _cut(out, cutoff_minutes)


def times_to(
    net: RoadNetwork,
    targets: npt.ArrayLike,
    *,
    mode: Mode = "car",
    hour: int | None = None,
    cutoff_minutes: float | None = None,
) -> FloatArray:
    """Minutes from every node to each target node: shape (len(targets), n_nodes), row t the
    time from each node *to* target t (one search per target on the reversed streets, so
    one-way streets count the right way); ``inf`` beyond ``cutoff_minutes`` or unreachable.
    Equal to ``travel_times(net, all nodes, targets).T``, at the cost of one search per
    target instead of one per node."""
    tgt = _nodes(net, "targets", targets)
    mode = _mode(mode)
    h = _hour(hour)
    limit = _limit_s(cutoff_minutes)
    if mode == "drone":
        return _cut(_drone_minutes(net, net.xy, net.xy[tgt], h).T.copy(), cutoff_minutes)
    g = _graph_for(net, mode, h, reverse=True)
    ptr = np.arange(tgt.shape[0] + 1, dtype=np.int64)
    out = _run_rows(g, ptr, tgt, np.zeros(tgt.shape[0]), limit, None, net.n_nodes)
    return _cut(out, cutoff_minutes)


def _graph_for(net: RoadNetwork, mode: Mode, hour: int | None, reverse: bool = False) -> _Graph:
    return net._graph(mode, hour, reverse=reverse)


@dataclass(frozen=True, eq=False)
class Nearest:
    """The k nearest facilities of every node: ``facility[i, j]`` is an index into the
    ``facilities`` argument (-1 where fewer than j+1 reach node i), ``minutes[i, j]`` its travel
    time from facility to node (``inf`` where none). Columns are sorted by minutes, ties by the
    smaller facility index."""

    facility: IntArray
    minutes: FloatArray

    @property
    def k(self) -> int:
        return int(self.facility.shape[1])


def nearest(
    net: RoadNetwork,
    facilities: npt.ArrayLike,
    *,
    mode: Mode = "car",
    hour: int | None = None,
    cutoff_minutes: float | None = None,
    k: int = 1,
) -> Nearest:
    """For every node, the ``k`` nearest distinct facilities (node indices) by minutes from
    facility to node — one multi-source search, whatever the number of facilities.

    ``k=2`` gives backup coverage: the second-nearest facility. A facility listed twice counts
    as two facilities at the same node.
    """
    fac = _nodes(net, "facilities", facilities)
    mode = _mode(mode)
    h = _hour(hour)
    limit = _limit_s(cutoff_minutes)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be an integer >= 1 (facilities per node); got {k!r}")
    k = int(k)
    n = net.n_nodes
    if fac.shape[0] == 0:
        return Nearest(np.full((n, k), -1, dtype=np.int64), np.full((n, k), np.inf))
    if mode == "drone":
        minutes = _drone_minutes(net, net.xy[fac], net.xy, h).T  # (n, n_fac)
        order = np.argsort(minutes, axis=1, kind="stable")[:, :k]
        got = np.take_along_axis(minutes, order, axis=1)
        label = order.astype(np.int64)
        if k > fac.shape[0]:
            pad = k - fac.shape[0]
            got = np.hstack([got, np.full((n, pad), np.inf)])
            label = np.hstack([label, np.full((n, pad), -1, dtype=np.int64)])
    else:
        g = _graph_for(net, mode, h)
        label, secs = _dijkstra.k_nearest(
            g.indptr, g.indices, g.seconds, fac.astype(np.int32), k, limit
        )
        got = secs / 60.0
    if cutoff_minutes is not None:
        beyond = got > cutoff_minutes
        got[beyond] = np.inf
        label[beyond] = -1
    return Nearest(facility=label, minutes=got)


def isochrones(
    net: RoadNetwork,
    sources: npt.ArrayLike,
    *,
    bands: Sequence[float] | None = None,
    mode: Mode = "car",
    hour: int | None = None,
) -> IntArray:
    """Per node, the index of the first band (minutes, increasing) that holds its travel time
    from the nearest source; -1 outside every band. ``bands`` defaults to the policy's
    ``isochrone_minutes`` (the 1-3-5 rings)."""
    b = np.asarray(net.policy.isochrone_minutes if bands is None else bands, dtype=np.float64)
    if b.ndim != 1 or b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError(f"bands must be finite minutes >= 0, at least one; got {b.tolist()}")
    if np.any(np.diff(b) <= 0):
        raise ValueError(f"bands must be strictly increasing minutes; got {b.tolist()}")
    src = _nodes(net, "sources", sources)
    mode = _mode(mode)
    h = _hour(hour)
    top = float(b[-1])
    if src.shape[0] == 0:
        return np.full(net.n_nodes, -1, dtype=np.int64)
    if mode == "drone":
        minutes = _drone_minutes(net, net.xy[src], net.xy, h).min(axis=0)
    else:
        g = _graph_for(net, mode, h)
        ptr = np.array([0, src.shape[0]], dtype=np.int64)
        seeds = np.zeros(src.shape[0])
        minutes = _run_rows(g, ptr, src, seeds, _limit_s(top), None, net.n_nodes)[0]
    band: IntArray = np.searchsorted(b, minutes, side="left").astype(np.int64)
    band[band >= b.shape[0]] = -1
    return band


# ---------------------------------------------------------------------------------------------
# Points off the nodes


@dataclass(frozen=True, eq=False)
class Snap:
    """Where planar points fall on the network.

    ``node`` is the nearest node (``to="node"``) or the nearer end (by ``fraction``) of the
    nearest edge; ``distance_m`` the straight distance from the point to it (to the edge's
    course for ``to="edge"``). For edge snaps ``edge`` indexes ``roads`` edges, ``u``/``v`` are
    its ends and ``fraction`` (0 at u, 1 at v) where the point's nearest point of the course
    lies, as a share of the course's length — the share of the edge's time that
    ``point_times`` and the simulator use. The course is ``roads.shape`` where the roads carry
    one (OpenStreetMap and GIS line imports, edges.csv's ``course`` column), else the straight
    segment u–v; for node snaps ``edge`` is -1, ``u == v == node`` and ``fraction`` is 0.
    """

    node: IntArray
    distance_m: FloatArray
    edge: IntArray
    u: IntArray
    v: IntArray
    fraction: FloatArray


def snap(
    net: RoadNetwork,
    xy: npt.ArrayLike,
    *,
    to: Literal["node", "edge"] = "node",
    mode: Mode | None = None,
) -> Snap:
    """Snap planar points (metres, shape (p, 2)) to the nearest node or edge.

    With ``mode``, only nodes and edges that mode may use are candidates (an incident on a
    footway snaps to the nearest drivable road for ``mode="car"``).
    """
    pts = _points("xy", xy)
    if mode is not None:
        mode = _mode(mode, ground=True)
    if to == "node":
        tree, keep = net._kdtree(mode)
        if keep.shape[0] == 0:
            raise ValueError(f"snap(to='node', mode={mode!r}): the mode may use no node")
        dist, pos = tree.query(pts)
        node = keep[np.asarray(pos, dtype=np.int64)]
        return Snap(
            node=node,
            distance_m=np.asarray(dist, dtype=np.float64),
            edge=np.full(pts.shape[0], -1, dtype=np.int64),
            u=node.copy(),
            v=node.copy(),
            fraction=np.zeros(pts.shape[0]),
        )
    if to != "edge":
        raise ValueError(f"to must be 'node' or 'edge'; got {to!r}")
    return _snap_edges(net, pts, mode)


@dataclass(frozen=True, eq=False)
class _Pieces:
    """The straight pieces of the edges one mode may use, in a tree, for snapping.

    An edge with a course (``roads.shape``: an OpenStreetMap or GIS line import) is its
    course's pieces; one without (edges.csv with no ``course``) is the one piece u–v. ``start_m``
    is the course length from u to the piece's start, ``total_m`` the whole course's length,
    ``whole`` marks an edge that is a single piece (its fraction is the projection itself).
    """

    tree: shapely.STRtree
    edge: IntArray
    a: FloatArray
    b: FloatArray
    start_m: FloatArray
    total_m: FloatArray
    whole: npt.NDArray[np.bool_]


def _pieces(net: RoadNetwork, keep: IntArray) -> _Pieces:
    roads, xy = net.roads, net.xy
    u, v = roads.u[keep], roads.v[keep]
    if roads.shape is None:
        a, b = xy[u], xy[v]
        edge = keep
        length = np.sqrt(((b - a) ** 2).sum(axis=1))
        start = np.zeros(keep.shape[0])
        total = length
        whole = np.ones(keep.shape[0], dtype=bool)
    else:
        courses = [roads.course(e) for e in keep.tolist()]
        counts = np.fromiter((len(c) for c in courses), dtype=np.int64, count=len(courses))
        flat = (np.concatenate(courses).astype(np.float64, copy=False) if courses
                else np.zeros((0, 2)))
        last = np.cumsum(counts) - 1  # each course's last point starts no piece
        first = np.ones(flat.shape[0], dtype=bool)
        first[last] = False
        at = np.flatnonzero(first)
        a, b = flat[at], flat[at + 1]
        per = counts - 1
        edge = np.repeat(keep, per)
        length = np.sqrt(((b - a) ** 2).sum(axis=1))
        ends = np.cumsum(length)
        head = np.cumsum(per) - per  # each course's first piece
        before = (ends - length)[head]  # course length before it, over the flat array
        start = (ends - length) - np.repeat(before, per)
        total = np.repeat(ends[head + per - 1] - before, per)
        whole = np.repeat(per == 1, per)
    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    return _Pieces(tree=tree, edge=edge.astype(np.int64), a=a, b=b, start_m=start,
                   total_m=total, whole=whole)


def _snap_edges(net: RoadNetwork, pts: FloatArray, mode: Mode | None) -> Snap:
    """Each point's nearest edge the mode may use: the nearest point of its course (its
    straight line u–v where the roads hold no course), the distance to it, and how far along
    the course it lies as a share of the course's length (the share of the edge's time)."""

    def build() -> _Pieces:
        if mode is None:
            keep = np.arange(net.n_edges, dtype=np.int64)
        else:
            g = net._graph(mode, None)
            keep = np.flatnonzero(np.isfinite(g.forward_s) | np.isfinite(g.backward_s))
        return _pieces(net, keep.astype(np.int64))

    pieces = cast(_Pieces, net._cached(("snap-pieces", mode), build))
    if pieces.edge.shape[0] == 0:
        raise ValueError(f"snap(to='edge', mode={mode!r}): the mode may use no edge")
    idx = pieces.tree.query_nearest(shapely.points(pts), all_matches=False)
    # query_nearest gives (point index, tree index) pairs; with all_matches=False, one per point
    k = np.empty(pts.shape[0], dtype=np.int64)
    k[idx[0]] = idx[1]
    edge = pieces.edge[k]
    u = net.roads.u[edge].astype(np.int64)
    v = net.roads.v[edge].astype(np.int64)
    a, b = pieces.a[k], pieces.b[k]
    ab = b - a
    den = (ab**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(den > 0, ((pts - a) * ab).sum(axis=1) / den, 0.0)
    t = np.clip(t, 0.0, 1.0)
    foot = a + t[:, None] * ab
    dist = np.sqrt(((pts - foot) ** 2).sum(axis=1))
    total = pieces.total_m[k]
    with np.errstate(invalid="ignore", divide="ignore"):
        along = np.where(total > 0, (pieces.start_m[k] + t * np.sqrt(den)) / total, 0.0)
    fraction = np.where(pieces.whole[k], t, np.clip(along, 0.0, 1.0))
    node = np.where(fraction <= 0.5, u, v)
    return Snap(node=node, distance_m=dist, edge=edge, u=u, v=v, fraction=fraction)


def point_times(
    net: RoadNetwork,
    xy: npt.ArrayLike,
    targets: npt.ArrayLike | None = None,
    *,
    mode: Mode = "car",
    hour: int | None = None,
    cutoff_minutes: float | None = None,
    direction: Direction = "from_points",
) -> FloatArray:
    """Minutes between planar points (metres) and nodes, the points snapped onto edges.

    Row i is point i; columns are all nodes, or ``targets``. ``direction="from_points"`` gives
    the time from the point to each node, ``"to_points"`` from each node to the point (how long
    a unit at a node needs to reach an incident). A point at fraction f of edge u→v leaves by v
    after (1 − f) of the edge's time, and by u after f of its reverse time when the mode may
    drive the edge backwards; one-way rules hold on the partial edge as on the rest. The
    straight distance from the point to the road (``snap(...).distance_m``) is not added. For
    the drone the points are not snapped.

    One search runs per point, or per target when there are fewer targets than points (many
    incidents against a few posts), whichever is fewer; both give the same minutes.
    """
    pts = _points("xy", xy)
    tgt = None if targets is None else _nodes(net, "targets", targets)
    mode = _mode(mode)
    h = _hour(hour)
    limit = _limit_s(cutoff_minutes)
    if direction not in ("from_points", "to_points"):
        raise ValueError(f"direction must be 'from_points' or 'to_points'; got {direction!r}")
    if mode == "drone":
        dest = net.xy if tgt is None else net.xy[tgt]
        out = _drone_minutes(net, pts, dest, h)
        return _cut(out, cutoff_minutes)
    s = _snap_edges(net, pts, mode)
    g = _graph_for(net, mode, h)
    fwd, bwd = g.forward_s[s.edge], g.backward_s[s.edge]
    f = s.fraction

    def part(share: FloatArray, secs: FloatArray) -> FloatArray:
        out = np.full_like(secs, np.inf)  # no way stays no way (0 × inf would be NaN)
        np.multiply(share, secs, out=out, where=np.isfinite(secs))
        return out

    if direction == "from_points":
        # leave by v along u→v, or by u along v→u
        to_v, to_u = part(1.0 - f, fwd), part(f, bwd)
    else:
        # arrive from u along u→v, or from v along v→u
        to_v, to_u = part(1.0 - f, bwd), part(f, fwd)
    p = pts.shape[0]
    if tgt is not None and tgt.shape[0] < p:
        # Fewer targets than points (many incidents, few posts): one search per target, on the
        # graph that runs the other way, then add each point's partial edge at both of its ends.
        ends = _graph_for(net, mode, h, reverse=direction == "from_points")
        ptr = np.arange(tgt.shape[0] + 1, dtype=np.int64)
        node_min = _run_rows(ends, ptr, tgt, np.zeros(tgt.shape[0]), limit, None, net.n_nodes)
        via_v = node_min[:, s.v] + to_v / 60.0
        via_u = node_min[:, s.u] + to_u / 60.0
        out = np.ascontiguousarray(np.minimum(via_v, via_u).T)
        return _cut(out, cutoff_minutes)
    search = g if direction == "from_points" else _graph_for(net, mode, h, reverse=True)
    seed_node = np.stack([s.v, s.u], axis=1).reshape(-1)
    seed_secs = np.stack([to_v, to_u], axis=1).reshape(-1)
    seed_ptr = np.arange(0, 2 * p + 1, 2, dtype=np.int64)
    out = _run_rows(search, seed_ptr, seed_node, seed_secs, limit, tgt, net.n_nodes)
    return _cut(out, cutoff_minutes)


# ---------------------------------------------------------------------------------------------
# Paths, ids, per-edge times and connectivity


def shortest_path(
    net: RoadNetwork,
    source: int,
    target: int,
    *,
    mode: Mode = "car",
    hour: int | None = None,
) -> IntArray:
    """The node indices of a fastest path from ``source`` to ``target`` (both included).

    Uses scipy's Dijkstra with predecessors on the engine's graph (one source, no need for the
    parallel kernels). Raises ``ValueError`` when the target cannot be reached by the mode.
    """
    s = int(_nodes(net, "source", source)[0])
    t = int(_nodes(net, "target", target)[0])
    mode = _mode(mode, ground=True)
    g = _graph_for(net, mode, _hour(hour))
    n = net.n_nodes
    mat = csr_matrix((g.seconds, g.indices, g.indptr), shape=(n, n))
    dist, pred = dijkstra(mat, directed=True, indices=s, return_predecessors=True)
    if not np.isfinite(dist[t]):
        raise ValueError(
            f"target node {net.node_ids[t]!r} cannot be reached from source node "
            f"{net.node_ids[s]!r} by mode {mode!r}"
        )
    path = [t]
    while path[-1] != s:
        path.append(int(pred[path[-1]]))
    return np.array(path[::-1], dtype=np.int64)


def index_of(net: RoadNetwork, ids: Iterable[str] | str) -> IntArray:
    """Node indices of node ids (strings, exactly as in the files).

    Raises ``KeyError`` naming the unknown ids.
    """
    wanted = [ids] if isinstance(ids, str) else list(ids)
    index = net._index()
    missing = [i for i in wanted if i not in index]
    if missing:
        shown = ", ".join(repr(i) for i in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise KeyError(f"ids: unknown node id(s) {shown}{more} (not in the network's node_ids)")
    return np.array([index[i] for i in wanted], dtype=np.int64)


def edge_minutes(
    net: RoadNetwork, *, mode: Mode = "car", hour: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """Minutes to drive each road edge u → v and v → u by ``mode`` (``inf`` where not allowed)."""
    g = _graph_for(net, _mode(mode, ground=True), _hour(hour))
    return g.forward_s / 60.0, g.backward_s / 60.0


@dataclass(frozen=True, eq=False)
class Components:
    """Connected pieces of a mode's network: ``label[i]`` is node i's component, numbered by
    decreasing size (0 is the largest); ``sizes[c]`` counts nodes. Nodes the mode cannot use
    at all are components of their own."""

    label: IntArray
    sizes: IntArray

    @property
    def n_components(self) -> int:
        return int(self.sizes.shape[0])

    @property
    def largest(self) -> IntArray:
        """Node indices of the largest component."""
        return np.flatnonzero(self.label == 0).astype(np.int64)


def components(
    net: RoadNetwork,
    *,
    mode: Mode = "car",
    connection: Literal["weak", "strong"] = "weak",
) -> Components:
    """Weakly (or strongly: every node reaches every other) connected components for ``mode``.

    More than one component means the network is in pieces for that mode: ``inf`` travel
    times between them. To drop the small pieces from the roads themselves, use
    ``xunfang.network.imports.largest_component(roads)``.
    """
    mode = _mode(mode, ground=True)
    if connection not in ("weak", "strong"):
        raise ValueError(f"connection must be 'weak' or 'strong'; got {connection!r}")
    g = _graph_for(net, mode, None)
    n = net.n_nodes
    mat = csr_matrix((np.ones_like(g.seconds), g.indices, g.indptr), shape=(n, n))
    _, raw = connected_components(mat, directed=True, connection=connection)
    return _ranked(np.asarray(raw, dtype=np.int64))


def _ranked(raw: IntArray) -> Components:
    sizes = np.bincount(raw)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    return Components(label=rank[raw].astype(np.int64), sizes=sizes[order].astype(np.int64))
