"""Numba shortest-path kernels over a compact CSR graph (int32 structure, float64 seconds).

Why these exist beside ``scipy.sparse.csgraph.dijkstra`` (measured, ``bench/RESULTS.md``):
on the Baltimore drive graph (5,466 nodes, 13,642 car arcs) a 1,000-source full matrix took
scipy 0.535 s, igraph 0.882 s and networkx ~11.6 s (scaled from 50 sources); ``rows_full``
takes 0.341 s on one thread and 0.204 s on the machine's 2 cores (2.6x scipy, 4.3x igraph,
57x networkx), and 0.151 s with a 10-minute cut-off (0.089 s at 5 minutes, where scipy's
``limit`` gives 0.231 s). scipy runs one source after another on one core with a Fibonacci
heap; igraph has no parallel multi-source call and returns lists of lists. The kernels here
use a 4-ary heap with lazy deletion, run the sources in parallel with ``prange``, stop at a
cut-off without touching the rest of the graph, and also serve what scipy cannot: seeds with
start offsets (points part-way along edges) and the k nearest distinct facilities in one
search.

All kernels are compiled on first call (``cache=True`` keeps the machine code on disk, so the
compile cost — reported separately by the bench — is paid once per installation), never at
import. Nothing here validates its inputs: ``engine.py`` does that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numba import prange

from xunfang._jit import cached_njit

F = TypeVar("F", bound=Callable[..., Any])
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _jit(*, parallel: bool = False, inline: bool = False) -> Callable[[F], F]:
    """``numba.njit`` with the house options, typed for mypy (numba ships no stubs)."""
    opts: dict[str, Any] = {"nogil": True}
    if parallel:
        opts["parallel"] = True
    if inline:
        opts["inline"] = "always"
    return cached_njit(**opts)


# Heap entries are (key, node) pairs in two parallel arrays; the heap is a 4-ary min-heap with
# lazy deletion: a node may sit in it several times, and a popped entry whose key is larger than
# the node's current distance is stale and skipped. Measured on a 4,857-node build of the same
# Baltimore extract (1,000 sources, one thread): binary heap 0.40 s, 3-ary 0.29 s, 4-ary 0.27 s,
# 8-ary 0.29 s, indexed binary heap with decrease-key 0.41 s, radix heap (monotone keys on the
# float bits, linked buckets) 0.39 s; reordering the nodes (RCM, grid sort) gained nothing: the
# graph fits in L2.
ARITY = 4


@_jit(inline=True)
def _push(keys: F64, nodes: I32, size: int, key: float, node: int) -> int:
    i = size
    while i > 0:
        parent = (i - 1) // ARITY
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        nodes[i] = nodes[parent]
        i = parent
    keys[i] = key
    nodes[i] = node
    return size + 1


@_jit(inline=True)
def _pop(keys: F64, nodes: I32, size: int) -> int:
    """Remove the root; the caller has read it already. Returns the new size."""
    size -= 1
    if size == 0:
        return 0
    key = keys[size]
    node = nodes[size]
    i = 0
    while True:
        first = ARITY * i + 1
        if first >= size:
            break
        best = first
        best_key = keys[first]
        for j in range(first + 1, min(first + ARITY, size)):
            if keys[j] < best_key:
                best_key = keys[j]
                best = j
        if best_key >= key:
            break
        keys[i] = best_key
        nodes[i] = nodes[best]
        i = best
    keys[i] = key
    nodes[i] = node
    return size


@_jit(parallel=True)
def rows_full(
    indptr: I32,
    indices: I32,
    weights: F64,
    seed_ptr: I64,
    seed_node: I32,
    seed_secs: F64,
    limit: float,
    n_blocks: int,
    out: F64,
) -> None:
    """Row r of ``out`` gets the minutes from the seeds of row r to every node.

    The seeds of row r are ``seed_node[seed_ptr[r]:seed_ptr[r + 1]]`` with start offsets
    ``seed_secs`` (seconds). Labels beyond ``limit`` seconds are not expanded and stay ``inf``.
    ``out`` must be a C-contiguous float64 array of shape (rows, n); it is overwritten.
    """
    n_rows = seed_ptr.shape[0] - 1
    n = indptr.shape[0] - 1
    cap = indices.shape[0] + seed_node.shape[0] + 1
    for b in prange(n_blocks):
        keys = np.empty(cap, np.float64)
        nodes = np.empty(cap, np.int32)
        lo = b * n_rows // n_blocks
        hi = (b + 1) * n_rows // n_blocks
        for r in range(lo, hi):
            dist = out[r]
            for i in range(n):
                dist[i] = np.inf
            size = 0
            for s in range(seed_ptr[r], seed_ptr[r + 1]):
                node = seed_node[s]
                d0 = seed_secs[s]
                if d0 < dist[node] and d0 <= limit:
                    dist[node] = d0
                    size = _push(keys, nodes, size, d0, node)
            while size > 0:
                d = keys[0]
                v = nodes[0]
                size = _pop(keys, nodes, size)
                if d > dist[v]:
                    continue
                for e in range(indptr[v], indptr[v + 1]):
                    nd = d + weights[e]
                    w = indices[e]
                    if nd < dist[w] and nd <= limit:
                        dist[w] = nd
                        size = _push(keys, nodes, size, nd, w)
            for i in range(n):
                dist[i] = dist[i] / 60.0


@_jit(parallel=True)
def rows_targets(
    indptr: I32,
    indices: I32,
    weights: F64,
    seed_ptr: I64,
    seed_node: I32,
    seed_secs: F64,
    limit: float,
    target_col: I64,
    n_targets: int,
    n_blocks: int,
    out: F64,
) -> None:
    """Like ``rows_full`` but fills only the columns of target nodes and stops once all are settled.

    ``target_col[v]`` is the first column of node v in ``out`` (-1 if v is not a target);
    columns of repeated targets are filled afterwards by the caller. ``out`` has shape
    (rows, n_targets_total) and is overwritten in the columns named by ``target_col``.
    """
    n_rows = seed_ptr.shape[0] - 1
    n = indptr.shape[0] - 1
    cap = indices.shape[0] + seed_node.shape[0] + 1
    for b in prange(n_blocks):
        keys = np.empty(cap, np.float64)
        nodes = np.empty(cap, np.int32)
        dist = np.full(n, np.inf)
        touched = np.empty(n, np.int32)
        lo = b * n_rows // n_blocks
        hi = (b + 1) * n_rows // n_blocks
        for r in range(lo, hi):
            n_touched = 0
            left = n_targets
            size = 0
            for s in range(seed_ptr[r], seed_ptr[r + 1]):
                node = seed_node[s]
                d0 = seed_secs[s]
                if d0 <= limit and d0 < dist[node]:
                    if dist[node] == np.inf:
                        touched[n_touched] = node
                        n_touched += 1
                    dist[node] = d0
                    size = _push(keys, nodes, size, d0, node)
            for c in range(out.shape[1]):
                out[r, c] = np.inf
            while size > 0 and left > 0:
                d = keys[0]
                v = nodes[0]
                size = _pop(keys, nodes, size)
                if d > dist[v]:
                    continue
                col = target_col[v]
                if col >= 0:
                    out[r, col] = d / 60.0
                    left -= 1
                for e in range(indptr[v], indptr[v + 1]):
                    nd = d + weights[e]
                    w = indices[e]
                    if nd < dist[w] and nd <= limit:
                        if dist[w] == np.inf:
                            touched[n_touched] = w
                            n_touched += 1
                        dist[w] = nd
                        size = _push(keys, nodes, size, nd, w)
            for i in range(n_touched):
                dist[touched[i]] = np.inf


@_jit()
def k_nearest(
    indptr: I32, indices: I32, weights: F64, seed_node: I32, k: int, limit: float
) -> tuple[I64, F64]:
    """The k nearest distinct seeds of every node, by time from seed to node (seconds).

    One search with up to k labels per node: a label (seed s reaches node v at d) is final when
    popped, unless v already holds k labels or a label of s. Pruning is exact: if x on a
    shortest s→v path already holds k seeds closer than s, those k seeds are closer to v than s
    too. Ties are broken by the smaller seed index. Returns (seed, seconds), each (n, k), with
    -1 / inf where fewer than k seeds reach a node within ``limit``.
    """
    n = indptr.shape[0] - 1
    label = np.full((n, k), -1, np.int64)
    dist = np.full((n, k), np.inf)
    count = np.zeros(n, np.int32)
    cap = k * indices.shape[0] + seed_node.shape[0] + 1
    keys = np.empty(cap, np.float64)
    nodes = np.empty(cap, np.int32)
    owners = np.empty(cap, np.int32)
    size = 0
    for s in range(seed_node.shape[0]):
        # push (0, seed_node[s], s); ordered by (key, owner)
        i = size
        while i > 0:
            p = (i - 1) >> 1
            if keys[p] < 0.0 or (keys[p] == 0.0 and owners[p] <= s):
                break
            keys[i] = keys[p]
            nodes[i] = nodes[p]
            owners[i] = owners[p]
            i = p
        keys[i] = 0.0
        nodes[i] = seed_node[s]
        owners[i] = s
        size += 1
    while size > 0:
        d = keys[0]
        v = nodes[0]
        s = owners[0]
        # pop the root
        size -= 1
        if size > 0:
            kk = keys[size]
            kn = nodes[size]
            ko = owners[size]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= size:
                    break
                r = c + 1
                if r < size and (
                    keys[r] < keys[c] or (keys[r] == keys[c] and owners[r] < owners[c])
                ):
                    c = r
                if keys[c] > kk or (keys[c] == kk and owners[c] >= ko):
                    break
                keys[i] = keys[c]
                nodes[i] = nodes[c]
                owners[i] = owners[c]
                i = c
            keys[i] = kk
            nodes[i] = kn
            owners[i] = ko
        c_v = count[v]
        if c_v >= k:
            continue
        seen = False
        for j in range(c_v):
            if label[v, j] == s:
                seen = True
                break
        if seen:
            continue
        label[v, c_v] = s
        dist[v, c_v] = d
        count[v] = c_v + 1
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            nd = d + weights[e]
            if nd > limit or count[w] >= k:
                continue
            held = False
            for j in range(count[w]):
                if label[w, j] == s:
                    held = True
                    break
            if held:
                continue
            i = size
            while i > 0:
                p = (i - 1) >> 1
                if keys[p] < nd or (keys[p] == nd and owners[p] <= s):
                    break
                keys[i] = keys[p]
                nodes[i] = nodes[p]
                owners[i] = owners[p]
                i = p
            keys[i] = nd
            nodes[i] = w
            owners[i] = s
            size += 1
    return label, dist
