"""Travel time from the staffed posts to every place: the starting picture of the 1-3-5 rings.

For every road node, the nearest staffed post (by travel time from the post to the node), its
minutes and the isochrone band it falls in; for every site, the same against its tier's target.
This is the measurement the ``rings`` stage refines; it computes, it does not plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from xunfang import network
from xunfang.network import RoadNetwork
from xunfang.scenario.model import (
    STAFFED_POST_KINDS,
    FloatArray,
    IntArray,
    Mode,
    PostKind,
    Scenario,
)


@dataclass(frozen=True, eq=False)
class PostAccess:
    """Travel time from the nearest source post to every node and site, for one mode.

    ``post_of_node[i]`` indexes ``posts`` (-1 where no post reaches node i); ``minutes[i]`` is
    ``inf`` there. ``band_of_node[i]`` indexes ``bands`` (-1 beyond the last band).
    """

    mode: Mode
    posts: tuple[str, ...]
    bands: tuple[float, ...]
    minutes: FloatArray
    post_of_node: IntArray
    band_of_node: IntArray
    site_minutes: Mapping[str, float]
    site_targets: Mapping[str, float]
    node_ring_level: IntArray  # 1..3, or 0 where a node lies in no ring

    def share_within(self, limit: float, *, level: int | None = None) -> float:
        """Share of nodes (of a ring level, or all) reached within ``limit`` minutes."""
        mask = np.ones(len(self.minutes), bool) if level is None else self.node_ring_level == level
        if not mask.any():
            return float("nan")
        return float(np.mean(self.minutes[mask] <= limit))

    def summary(self) -> dict[str, object]:
        finite = self.minutes[np.isfinite(self.minutes)]
        worst = int(np.argmax(np.where(np.isfinite(self.minutes), self.minutes, -1.0)))
        sites_met = [self.site_minutes[s] <= self.site_targets[s] for s in self.site_minutes]
        return {
            "mode": self.mode,
            "posts": list(self.posts),
            "bands_minutes": list(self.bands),
            "share_of_nodes_within": {
                f"{b:g}": self.share_within(b) for b in self.bands
            },
            "unreachable_nodes": int(np.sum(~np.isfinite(self.minutes))),
            "median_minutes": float(np.median(finite)) if finite.size else None,
            "max_minutes": float(finite.max()) if finite.size else None,
            "worst_node_index": worst if finite.size else None,
            "sites_within_target": int(sum(sites_met)),
            "sites": len(self.site_minutes),
        }


def ring_levels(scenario: Scenario, xy: FloatArray) -> IntArray:
    """The control-ring level of each point: the innermost (lowest) ring that covers it."""
    level = np.zeros(len(xy), dtype=np.int64)
    if not len(xy):
        return level
    pts = shapely.points(xy[:, 0], xy[:, 1])
    for ring in sorted(scenario.areas_of("ring"), key=lambda a: -(a.level or 3)):
        inside = shapely.covers(ring.geometry, pts)
        level[inside] = ring.level or 3
    return level


def travel_from_posts(
    scenario: Scenario,
    net: RoadNetwork,
    *,
    mode: Mode = "car",
    kinds: Sequence[PostKind] = STAFFED_POST_KINDS,
    hour: int | None = None,
) -> PostAccess:
    """Minutes from the nearest post of ``kinds`` to every node and site, by ``mode``."""
    posts = [p for p in scenario.posts if p.kind in kinds]
    if not posts:
        raise ValueError(
            f"no posts of kinds {', '.join(kinds)} in scenario {scenario.name!r}: "
            "nothing to measure travel time from"
        )
    xy = np.array([p.xy for p in posts], dtype=float)
    snapped = network.snap(net, xy, to="node")
    sources = np.asarray(snapped.node, dtype=np.int64)
    near = network.nearest(net, sources, mode=mode, hour=hour)
    minutes = np.asarray(near.minutes[:, 0], dtype=float)
    post_of = np.asarray(near.facility[:, 0], dtype=np.int64)
    bands = scenario.policy.isochrone_minutes
    band = np.full(len(minutes), -1, dtype=np.int64)
    for k in range(len(bands) - 1, -1, -1):
        band[minutes <= bands[k]] = k
    site_minutes: dict[str, float] = {}
    site_targets: dict[str, float] = {}
    if scenario.sites:
        sxy = np.array([s.xy for s in scenario.sites], dtype=float)
        snode = np.asarray(network.snap(net, sxy, to="node").node, dtype=np.int64)
        for s, n in zip(scenario.sites, snode, strict=True):
            site_minutes[s.id] = float(minutes[n])
            site_targets[s.id] = float(scenario.policy.response_targets.get(s.tier, 5.0))
    return PostAccess(
        mode=mode,
        posts=tuple(p.id for p in posts),
        bands=tuple(bands),
        minutes=minutes,
        post_of_node=post_of,
        band_of_node=band,
        site_minutes=site_minutes,
        site_targets=site_targets,
        node_ring_level=ring_levels(scenario, net.xy),
    )
