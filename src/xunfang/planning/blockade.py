"""Sealing the exits after a serious incident (圈层查控): who goes to which exit.

Given exits and the posts that can go (each seals at most one exit), find the assignment that

1. seals as many exits as can be sealed at all (when exits outnumber the posts that reach
   them, the best partial seal, naming the exits left open),
2. among those, minimizes the time until the last of them is sealed (the bottleneck), and
3. among those, minimizes the total travel time.

This lexicographic bottleneck assignment is solved exactly: the largest matching on reachable
pairs gives (1); a binary search over the sorted distinct travel times, with a maximum
bipartite matching restricted to pairs no slower than the threshold, gives the smallest
bottleneck (2); a rectangular minimum-cost assignment (scipy's ``linear_sum_assignment``, the
Jonker–Volgenant algorithm) on the pairs within the bottleneck gives (3).

Exits are ``exit`` posts, or the exits of a ring around an incident: the first nodes beyond
the T-minute isochrone on every road leaving it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from xunfang import network
from xunfang.network import RoadNetwork
from xunfang.planning.places import place_nodes
from xunfang.scenario.model import (
    SOURCE_POST_KINDS,
    STAFFED_POST_KINDS,
    FloatArray,
    IntArray,
    Mode,
    PostKind,
    Scenario,
)


@dataclass(frozen=True)
class Seal:
    exit: str
    post: str
    minutes: float


@dataclass(frozen=True)
class Blockade:
    """The sealing plan: who goes where, the time the last exit is sealed, and what stays open."""

    assignment: tuple[Seal, ...]
    unsealed: tuple[str, ...]
    max_minutes: float | None  # None when nothing can be sealed
    total_minutes: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "max_minutes": self.max_minutes,
            "total_minutes": self.total_minutes,
            "assignment": [{"exit": s.exit, "post": s.post, "minutes": round(s.minutes, 4)}
                           for s in self.assignment],
            "unsealed": list(self.unsealed),
        }


def _matching_size(ok: np.ndarray) -> int:
    """Size of a maximum matching of exits (rows) to posts (columns) over ``ok`` pairs."""
    if not ok.any():
        return 0
    match = maximum_bipartite_matching(csr_matrix(ok.astype(np.int8)), perm_type="column")
    return int(np.sum(match >= 0))


def assign(minutes: FloatArray, *, exit_ids: Sequence[str], post_ids: Sequence[str]
           ) -> Blockade:
    """The lexicographic bottleneck assignment of the (exits × posts) ``minutes`` matrix.

    ``minutes[i, j]`` is the travel time of post j to exit i (``inf``: cannot reach it).
    """
    m = np.asarray(minutes, dtype=np.float64)
    if m.shape != (len(exit_ids), len(post_ids)):
        raise ValueError(f"minutes has shape {m.shape}, expected (exits, posts) = "
                         f"({len(exit_ids)}, {len(post_ids)})")
    if np.any(np.isnan(m)) or np.any(m < 0):
        raise ValueError("minutes must be non-negative numbers (inf where a post cannot reach)")
    finite = np.isfinite(m)
    best = _matching_size(finite)
    if best == 0:
        return Blockade(assignment=(), unsealed=tuple(exit_ids), max_minutes=None,
                        total_minutes=None)
    # (2) the smallest threshold that still allows a matching of size `best`
    values = np.unique(m[finite])
    lo, hi = 0, len(values) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _matching_size(m <= values[mid]) == best:
            hi = mid
        else:
            lo = mid + 1
    bottleneck = float(values[lo])
    # (3) minimum total among matchings of size `best` within the bottleneck: pairs beyond it
    # cost more than any feasible total, so the solver uses as many allowed pairs as it can
    allowed = m <= bottleneck
    big = float(m[allowed].sum()) + 1.0
    cost = np.where(allowed, m, big * (len(exit_ids) + 1))
    rows, cols = linear_sum_assignment(cost)
    seals = [Seal(exit=exit_ids[i], post=post_ids[j], minutes=float(m[i, j]))
             for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if allowed[i, j]]
    if len(seals) != best:  # the penalty argument above guarantees this; check, never assume
        raise RuntimeError(f"assignment sealed {len(seals)} exits, the matching {best}")
    sealed = {s.exit for s in seals}
    seals.sort(key=lambda s: (-s.minutes, s.exit))
    return Blockade(
        assignment=tuple(seals),
        unsealed=tuple(e for e in exit_ids if e not in sealed),
        max_minutes=max(s.minutes for s in seals),
        total_minutes=float(sum(s.minutes for s in seals)),
    )


def ring_exits(net: RoadNetwork, at: int, *, ring_minutes: float, mode: Mode = "car",
               hour: int | None = None) -> IntArray:
    """Nodes just outside the ``ring_minutes`` isochrone around node ``at``.

    Every road that leaves the ring (an edge from a node reached within ``ring_minutes`` to
    one that is not) gives its outer end as an exit to seal; sorted, without repeats.
    """
    if not np.isfinite(ring_minutes) or ring_minutes <= 0:
        raise ValueError(f"--ring-minutes must be positive, got {ring_minutes}")
    t = network.travel_times(net, np.array([at]), mode=mode, hour=hour)[0]
    inside = t <= ring_minutes
    fwd, bwd = network.edge_minutes(net, mode=mode, hour=hour)
    u, v = net.roads.u, net.roads.v
    out_fwd = inside[u] & ~inside[v] & np.isfinite(fwd)
    out_bwd = inside[v] & ~inside[u] & np.isfinite(bwd)
    return np.unique(np.concatenate([v[out_fwd], u[out_bwd]])).astype(np.int64)


def seal_exits(
    scenario: Scenario,
    net: RoadNetwork,
    *,
    kinds: Sequence[PostKind] = STAFFED_POST_KINDS,
    at: str | None = None,
    ring_minutes: float | None = None,
    mode: Mode = "car",
    hour: int | None = None,
) -> Blockade:
    """Seal the scenario's ``exit`` posts — or, with ``at`` and ``ring_minutes``, the exits of
    the ring around node ``at`` — from the posts of ``kinds`` staffed at ``hour``."""
    if (at is None) != (ring_minutes is None):
        raise ValueError("--at and --ring-minutes go together: give both or neither")
    posts = scenario.staffed_posts(kinds, hour=hour)
    if not posts:
        raise ValueError(f"no posts of kinds {', '.join(kinds)} to send; sources may be: "
                         f"{', '.join(SOURCE_POST_KINDS)}")
    post_nodes = place_nodes(net, posts, mode=mode)
    if at is not None and ring_minutes is not None:
        centre = int(network.index_of(net, [at])[0])
        exit_nodes = ring_exits(net, centre, ring_minutes=ring_minutes, mode=mode, hour=hour)
        exit_ids = tuple(net.node_ids[int(i)] for i in exit_nodes)
    else:
        exits = scenario.posts_of("exit")
        if not exits:
            raise ValueError(f"scenario {scenario.name!r} has no exit posts; give --at NODE "
                             "--ring-minutes T to seal a ring around an incident instead")
        exit_nodes = place_nodes(net, exits, mode=mode)
        exit_ids = tuple(e.id for e in exits)
    if not len(exit_nodes):
        return Blockade(assignment=(), unsealed=(), max_minutes=0.0, total_minutes=0.0)
    minutes = network.travel_times(net, post_nodes, exit_nodes, mode=mode, hour=hour).T
    return assign(minutes, exit_ids=exit_ids, post_ids=tuple(p.id for p in posts))
