"""Where posts and sites meet the road network: their given node, else the nearest usable one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from xunfang import network
from xunfang.network import RoadNetwork
from xunfang.scenario.model import IntArray, Mode, Post, Site


def place_nodes(net: RoadNetwork, places: Sequence[Post | Site], *, mode: Mode = "car"
                ) -> IntArray:
    """Node index of each place: its ``node`` where the file named one, else the nearest node
    that ``mode`` can use (the loader warns about places far from every road)."""
    out = np.full(len(places), -1, dtype=np.int64)
    named = [k for k, p in enumerate(places) if p.node is not None]
    if named:
        out[named] = network.index_of(net, [places[k].node for k in named])  # type: ignore[misc]
    rest = [k for k, p in enumerate(places) if p.node is None]
    if rest:
        ground: Mode = "car" if mode == "drone" else mode
        xy = np.array([places[k].xy for k in rest], dtype=float)
        out[rest] = np.asarray(network.snap(net, xy, to="node", mode=ground).node, np.int64)
    return out
