"""Connected pieces of the raw road network (any direction, any mode).

The loader warns when a network is in pieces and the importers can keep the largest; both use
these two functions. For the pieces one mode can use, see :func:`xunfang.network.components`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from xunfang.scenario.model import IntArray, Roads


def weak_components(roads: Roads) -> tuple[int, IntArray]:
    """``(count, label per node)`` of the weakly connected components (edge direction ignored)."""
    n = roads.n_nodes
    graph = sparse.coo_matrix(
        (np.ones(roads.n_edges, dtype=np.int8), (roads.u, roads.v)), shape=(n, n)
    )
    count, labels = connected_components(graph, directed=True, connection="weak")
    return int(count), labels.astype(np.int64)


def largest_component(roads: Roads) -> Roads:
    """The largest weakly connected component (most nodes; ties: the first node's), order kept.

    Weak connectivity ignores edge direction, so a one-way street that leads out of a
    neighbourhood with no way back is kept; the travel-time engine reports such places as
    unreachable where they are.
    """
    count, labels = weak_components(roads)
    if count <= 1:
        return roads
    keep_node = labels == int(np.argmax(np.bincount(labels)))
    # weak components: v is in it whenever u is
    return restrict(roads, keep_node, keep_node[roads.u])


def restrict(roads: Roads, keep_node: npt.NDArray[np.bool_], keep_edge: npt.NDArray[np.bool_]
             ) -> Roads:
    """The nodes ``keep_node`` and the edges ``keep_edge`` (both ends among the kept nodes),
    in their order, renumbered."""
    new_index = np.cumsum(keep_node) - 1
    idx = np.flatnonzero(keep_edge)
    return Roads(
        node_ids=tuple(i for i, k in zip(roads.node_ids, keep_node.tolist(), strict=True) if k),
        xy=roads.xy[keep_node],
        u=new_index[roads.u[idx]].astype(np.int64),
        v=new_index[roads.v[idx]].astype(np.int64),
        length_m=roads.length_m[idx],
        speed_kph=roads.speed_kph[idx],
        oneway=roads.oneway[idx],
        road_class=tuple(roads.road_class[i] for i in idx.tolist()),
        name=tuple(roads.name[i] for i in idx.tolist()),
        source=roads.source,
        shape=None if roads.shape is None else tuple(roads.shape[i] for i in idx.tolist()),
    )
