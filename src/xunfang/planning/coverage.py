"""The 1-3-5 minute rings (1、3、5分钟快反圈): who reaches every place, how fast, and as backup.

For every road node, site, grid and control ring: the nearest source post (or unit position)
by travel time from the post to the place, its minutes, the second-nearest (backup) and its
minutes, and whether the place meets its target — its control-ring level or site tier (1, 3, 5
minutes by default), or one target for all. A place meets its target when minutes ≤ target (no
rounding); an unreachable place has infinite minutes and never meets it.

Targets of nodes come from the innermost control ring that covers them (level 1 core area,
2 crowded places, 3 general area); a node outside every ring is held to the general (level 3)
target, the loosest of the town's.

Sources are the posts staffed at the hour asked; without an hour, only the posts staffed at
every hour: a night-only checkpoint counts in the policy's night hours only, never "all day"
(a review: 66 % of nodes within target with a night checkpoint counted at any hour, 28 % at
hour 12). The posts so left out are named (``Coverage.night_only_out``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely

from xunfang import network
from xunfang.network import RoadNetwork
from xunfang.planning import siting
from xunfang.planning.places import place_nodes
from xunfang.scenario.model import (
    MODES,
    POST_KINDS,
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


class CoverageError(ValueError):
    """An option names something the scenario does not have; the message lists what it has."""


def check_kinds(kinds: Sequence[str], *, allowed: Sequence[str] = SOURCE_POST_KINDS,
                option: str = "--posts") -> tuple[PostKind, ...]:
    """Validate post kinds given as an option; unknown ones are an error listing the valid."""
    bad = [k for k in kinds if k not in allowed]
    if bad:
        never = [k for k in bad if k in POST_KINDS]
        why = (f" ({', '.join(never)} posts are never sources)" if never else "")
        raise CoverageError(
            f"{option}: unknown or unusable post kind(s) {', '.join(map(repr, bad))}{why}; "
            f"valid: {', '.join(allowed)}"
        )
    if not kinds:
        raise CoverageError(f"{option}: give at least one post kind; valid: {', '.join(allowed)}")
    return tuple(kinds)  # type: ignore[arg-type]  # checked against allowed above


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise CoverageError(f"--mode: unknown mode {mode!r}; valid: {', '.join(MODES)}")
    return mode  # narrowed to Mode by the membership test above


def with_uniform_speed(net: RoadNetwork, speed_kph: float, *, mode: Mode) -> RoadNetwork:
    """The same roads with every road at ``speed_kph`` for ``mode`` and no peak-hour factors.

    Contest-style questions ("at 60 km/h, which nodes lie within 3 minutes") ask exactly this;
    roads the mode may not use stay closed to it.
    """
    if not np.isfinite(speed_kph) or speed_kph <= 0:
        raise CoverageError(f"--speed-kph must be a positive number of km/h, got {speed_kph}")
    roads = replace(net.roads, speed_kph=np.full(net.roads.n_edges, float(speed_kph)))
    speeds = dict(net.policy.speeds_kph)
    speeds[mode] = float(speed_kph)
    policy = replace(net.policy, speeds_kph=speeds, peak_factors=())
    return RoadNetwork.from_roads(roads, policy=policy)


def node_targets(scenario: Scenario, xy: FloatArray) -> tuple[IntArray, FloatArray]:
    """Each point's control-ring level (0 = in no ring) and its target minutes."""
    level = np.zeros(len(xy), dtype=np.int64)
    if len(xy):
        pts = shapely.points(xy[:, 0], xy[:, 1])
        for ring in sorted(scenario.areas_of("ring"), key=lambda a: -(a.level or 3)):
            level[shapely.covers(ring.geometry, pts)] = ring.level or 3
    targets = scenario.policy.response_targets
    general = max(targets.values())
    target = np.array([targets.get(int(lv), general) if lv else general for lv in level],
                      dtype=np.float64)
    return level, target


@dataclass(frozen=True, eq=False)
class Coverage:
    """Nearest and backup source of every node, with minutes and targets (one mode, one hour).

    ``post[i]`` and ``backup[i]`` index ``sources`` (-1: none reaches node i); ``minutes`` and
    ``backup_minutes`` are ``inf`` there. ``target[i]`` is node i's target minutes.
    """

    mode: Mode
    hour: int | None
    sources: tuple[str, ...]
    node_ids: tuple[str, ...]
    post: IntArray
    minutes: FloatArray
    backup: IntArray
    backup_minutes: FloatArray
    target: FloatArray
    level: IntArray
    target_minutes: float | None  # one target for all, or None for per-place targets
    site_ids: tuple[str, ...]
    site_node: IntArray
    site_target: FloatArray
    night_only_out: tuple[str, ...] = ()  # posts of the kinds asked not staffed at the hour

    @property
    def meets(self) -> BoolArray:
        return self.minutes <= self.target

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(n for n, ok in zip(self.node_ids, self.meets.tolist(), strict=True)
                     if not ok)

    @property
    def unreachable(self) -> tuple[str, ...]:
        return tuple(n for n, m in zip(self.node_ids, self.minutes.tolist(), strict=True)
                     if not np.isfinite(m))

    def share(self, *, weights: FloatArray | None = None, mask: BoolArray | None = None
              ) -> float:
        """Weighted share of nodes (of ``mask``) that meet their target; NaN for no weight."""
        w = np.ones(len(self.minutes)) if weights is None else np.asarray(weights, float)
        if mask is not None:
            w = np.where(mask, w, 0.0)
        total = float(w.sum())
        return float(w[self.meets].sum() / total) if total > 0 else float("nan")

    def site_minutes(self) -> FloatArray:
        return self.minutes[self.site_node] if len(self.site_node) else np.zeros(0)

    def site_meets(self) -> BoolArray:
        return self.site_minutes() <= self.site_target

    def worst(self) -> tuple[str, float] | None:
        """The node reached last (an unreachable node first), or None without nodes."""
        if not len(self.minutes):
            return None
        i = int(np.argmax(np.where(np.isfinite(self.minutes), self.minutes, np.inf)))
        return self.node_ids[i], float(self.minutes[i])


def analyze(
    scenario: Scenario,
    net: RoadNetwork,
    *,
    mode: Mode = "car",
    hour: int | None = None,
    kinds: Sequence[PostKind] = STAFFED_POST_KINDS,
    target_minutes: float | None = None,
    sources: Sequence[Post] | None = None,
) -> Coverage:
    """Nearest and backup source post of every node and site, by ``mode`` at ``hour``.

    ``sources`` overrides the posts of ``kinds`` (e.g. unit positions as pseudo-posts). The
    posts of ``kinds`` are those staffed at ``hour`` (every hour without one; module
    docstring).
    """
    if target_minutes is not None and (not np.isfinite(target_minutes) or target_minutes <= 0):
        raise CoverageError(f"--target-minutes must be positive, got {target_minutes}")
    out = () if sources is not None else night_only_out(scenario, kinds, hour)
    posts = (tuple(sources) if sources is not None
             else scenario.staffed_posts(kinds, hour=hour, all_day=True))
    if not posts:
        raise CoverageError(
            f"no source posts of kinds {', '.join(kinds)} in scenario {scenario.name!r}"
            + (f" at hour {hour}" if hour is not None else " staffed at every hour")
            + (f" ({night_only_text(scenario, out)})" if out else "")
            + "; sources may be: " + ", ".join(SOURCE_POST_KINDS)
        )
    src_nodes = place_nodes(net, posts, mode=mode)
    k = min(2, len(posts))
    near = network.nearest(net, src_nodes, mode=mode, hour=hour, k=k)
    post = np.asarray(near.facility[:, 0], dtype=np.int64)
    minutes = np.asarray(near.minutes[:, 0], dtype=np.float64)
    if k == 2:
        backup = np.asarray(near.facility[:, 1], dtype=np.int64)
        backup_minutes = np.asarray(near.minutes[:, 1], dtype=np.float64)
    else:
        backup = np.full(len(post), -1, dtype=np.int64)
        backup_minutes = np.full(len(post), np.inf)
    level, target = node_targets(scenario, net.xy)
    if target_minutes is not None:
        target = np.full(len(target), float(target_minutes))
    sites = scenario.sites
    if sites:
        site_node = place_nodes(net, sites, mode=mode)
        pol = scenario.policy.response_targets
        site_target = np.array(
            [float(target_minutes) if target_minutes is not None
             else pol.get(s.tier, max(pol.values())) for s in sites], dtype=np.float64)
    else:
        site_node = np.zeros(0, dtype=np.int64)
        site_target = np.zeros(0)
    return Coverage(
        mode=mode, hour=hour, sources=tuple(p.id for p in posts), node_ids=net.node_ids,
        post=post, minutes=minutes, backup=backup, backup_minutes=backup_minutes,
        target=target, level=level, target_minutes=target_minutes,
        site_ids=tuple(s.id for s in sites), site_node=site_node, site_target=site_target,
        night_only_out=tuple(p.id for p in out),
    )


def night_only_out(scenario: Scenario, kinds: Sequence[PostKind], hour: int | None
                   ) -> tuple[Post, ...]:
    """Posts of ``kinds`` the rings leave out at ``hour`` (without one: at some hour): the
    night-only ones outside the policy's night hours."""
    staffed = scenario.staffed_posts(kinds, hour=hour, all_day=True)
    # (a temporary post is left out at every hour, not for the night: a review found rings
    # analyze calling an event's posts night-only)
    return tuple(p for p in scenario.posts_of(*kinds) if p not in staffed and not p.temporary)


def _hour_runs(hours: Sequence[int]) -> str:
    """Hours as runs of consecutive hours (wrapping at midnight): "20–5" for 20..23, 0..5."""
    runs: list[list[int]] = []
    for h in hours:
        if runs and h == (runs[-1][-1] + 1) % 24:
            runs[-1].append(h)
        else:
            runs.append([h])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


def night_only_text(scenario: Scenario, posts: Sequence[Post]) -> str:
    """What the output says of the night-only posts left out."""
    return (f"night-only post(s) {', '.join(p.id for p in posts)} are staffed at hours "
            f"{_hour_runs(scenario.policy.night_hours)} only (policy night_hours); give --hour "
            "to count them in those hours")


def usable_nodes(scenario: Scenario, net: RoadNetwork, *, mode: Mode = "car",
                 hour: int | None = None, kinds: Sequence[PostKind] = STAFFED_POST_KINDS
                 ) -> IntArray:
    """Nodes a post of ``mode`` may stand on: those ``mode`` reaches from the staffed posts of
    ``kinds`` (at ``hour``), the rule the plan's staging points follow (a review: n227, reached
    only by a flight of steps, proposed for the county's cars by the plan and then by
    ``rings site``, which counted it as covering itself). Without such posts, the nodes on a
    road the mode may use (every node for drones)."""
    posts = scenario.staffed_posts(kinds, hour=hour, all_day=True)
    if posts:
        near = network.nearest(net, place_nodes(net, posts, mode=mode), mode=mode, hour=hour)
        return np.flatnonzero(np.isfinite(near.minutes[:, 0])).astype(np.int64)
    if mode == "drone":
        return np.arange(net.n_nodes, dtype=np.int64)
    comp = network.components(net, mode=mode)
    return np.flatnonzero(comp.sizes[comp.label] > 1).astype(np.int64)


def site_posts(
    scenario: Scenario,
    net: RoadNetwork,
    *,
    model: str,
    p: int | None = None,
    target_minutes: float | None = None,
    kinds: Sequence[PostKind] = STAFFED_POST_KINDS,
    candidates: Sequence[str] | None = None,
    mode: Mode = "car",
    hour: int | None = None,
    weights: FloatArray | None = None,
    time_limit: float | None = None,
) -> siting.SitingResult:
    """Where to add staging posts: a siting model over every road node as demand.

    Demand targets are the nodes' ring-level targets (or ``target_minutes`` for all); the
    existing posts of ``kinds`` staffed at ``hour`` (every hour without one) are kept and not
    counted; candidates are the nodes the mode may use (:func:`usable_nodes`), or the node ids
    given. ``p`` counts new posts only. Option errors name the CLI option (``--p``, …).
    """
    if target_minutes is not None and (not np.isfinite(target_minutes) or target_minutes <= 0):
        raise CoverageError(f"--target-minutes must be positive, got {target_minutes}")
    if model not in siting.MODELS:
        raise CoverageError(f"--model: unknown model {model!r}; valid: {', '.join(siting.MODELS)}")
    if model == "lscp" and p is not None:
        raise CoverageError(f"--p: lscp takes no --p (it finds the fewest new posts itself); "
                            f"got --p {p}")
    if model != "lscp" and p is None:
        raise CoverageError(f"--p (the number of new posts) is required for model {model}")
    if p is not None and p < 0:
        raise CoverageError(f"--p must be a number of new posts >= 0; got {p}")
    if time_limit is not None and not (np.isfinite(time_limit) and time_limit > 0):
        raise CoverageError(f"--time-limit must be seconds > 0; got {time_limit:g}")
    if candidates is None:
        cand = usable_nodes(scenario, net, mode=mode, hour=hour, kinds=kinds)
    else:
        index = {n: i for i, n in enumerate(net.node_ids)}
        unknown = [c for c in candidates if c not in index]
        if unknown:
            raise CoverageError(f"--candidates: {len(unknown)} unknown node id(s), e.g. "
                                f"{', '.join(map(repr, unknown[:5]))}")
        if not candidates:
            raise CoverageError("--candidates: the list is empty")
        ids, counts = np.unique(np.asarray(candidates, dtype=object), return_counts=True)
        if np.any(counts > 1):
            raise CoverageError(f"--candidates: node {ids[counts > 1][0]!r} is listed more "
                                "than once; list each candidate node once")
        cand = np.array([index[c] for c in candidates], dtype=np.int64)
    existing = place_nodes(net, scenario.staffed_posts(kinds, hour=hour, all_day=True),
                           mode=mode)
    _, node_target = node_targets(scenario, net.xy)
    target = node_target if target_minutes is None else np.full(net.n_nodes, target_minutes)
    coverage_model = model in ("lscp", "mclp", "bclp")
    inst = siting.SitingInstance.from_network(
        net, demand_nodes=np.arange(net.n_nodes), candidate_nodes=cand,
        existing_nodes=np.unique(existing), target_minutes=target, mode=mode, hour=hour,
        weights=weights, cutoff_minutes=float(target.max()) if coverage_model else None,
    )
    n_new = int(np.count_nonzero(~inst.existing))
    if p is not None and p > n_new:
        raise CoverageError(f"--p: at most {n_new} new post(s), the candidate nodes that hold "
                            f"no post; got --p {p}")
    return siting.site(inst, model=model, p=p, time_limit=time_limit)


#: An incident farther than this from every node is off the network: it weighs no node (the
#: simulator's ``max_snap_m``; a review: a record 20 km off, in the wrong CRS, snapped to the
#: edge nodes and showed the rings "100 % met, weighted by incidents")
OFF_NETWORK_M = 500.0


def incident_weights(scenario: Scenario, net: RoadNetwork) -> FloatArray:
    """Incidents on record per node (each incident counted at its nearest node, those off
    the network not at all)."""
    w = np.zeros(net.n_nodes)
    if len(scenario.incidents):
        snapped = network.snap(net, scenario.incidents.xy, to="node", mode="car")
        near = np.asarray(snapped.distance_m) <= OFF_NETWORK_M
        np.add.at(w, np.asarray(snapped.node, dtype=np.int64)[near], 1.0)
    return w


def area_shares(scenario: Scenario, cov: Coverage, *, weights: FloatArray | None = None
                ) -> dict[str, dict[str, float]]:
    """Share of nodes meeting their target per grid, zone and ring (``kind:id`` keys)."""
    if len(cov.node_ids) != scenario.roads.n_nodes:
        raise CoverageError("the coverage was computed on another network than the scenario's")
    pts = shapely.points(scenario.roads.xy)
    out: dict[str, dict[str, float]] = {}
    for a in scenario.areas:
        inside = shapely.covers(a.geometry, pts)
        out[f"{a.kind}:{a.id}"] = {
            "share": cov.share(weights=weights, mask=inside),
            "nodes": int(inside.sum()),
        }
    return out


def bands_of(minutes: FloatArray, bands: Sequence[float]) -> IntArray:
    """Index of the first isochrone band each time falls within; -1 beyond the last."""
    out = np.full(len(minutes), -1, dtype=np.int64)
    for k in range(len(bands) - 1, -1, -1):
        out[minutes <= bands[k]] = k
    return out


def as_json(cov: Coverage) -> dict[str, object]:
    """The object ``xunfang rings analyze --json`` prints."""

    def num(x: float) -> float | None:
        return round(float(x), 4) if np.isfinite(x) else None

    def src(i: int) -> str | None:
        return cov.sources[i] if i >= 0 else None

    nodes = [
        {"node": n, "post": src(int(p)), "minutes": num(m), "target": float(t),
         "backup_post": src(int(b)), "backup_minutes": num(bm)}
        for n, p, m, t, b, bm in zip(cov.node_ids, cov.post.tolist(), cov.minutes.tolist(),
                                     cov.target.tolist(), cov.backup.tolist(),
                                     cov.backup_minutes.tolist(), strict=True)
    ]
    worst = cov.worst()
    site_min = cov.site_minutes()
    return {
        "target_minutes": cov.target_minutes,
        "mode": cov.mode,
        "hour": cov.hour,
        "night_only_out": list(cov.night_only_out),
        "sources": list(cov.sources),
        "nodes": nodes,
        "uncovered": list(cov.uncovered),
        "unreachable": list(cov.unreachable),
        "worst": None if worst is None else {"node": worst[0], "minutes": num(worst[1])},
        "share_within_target": cov.share(),
        "sites": [
            {"site": s, "node": cov.node_ids[int(n)], "minutes": num(m), "target": float(t),
             "meets": bool(m <= t)}
            for s, n, m, t in zip(cov.site_ids, cov.site_node.tolist(), site_min.tolist(),
                                  cov.site_target.tolist(), strict=True)
        ],
    }


def summary(scenario: Scenario, cov: Coverage, *, weights: Mapping[str, FloatArray]
            ) -> dict[str, object]:
    """Coverage shares for plan.json and the report: overall, by ring level, sites, weights."""
    by_level = {}
    for lv in (1, 2, 3):
        mask = cov.level == lv
        if mask.any():
            by_level[str(lv)] = cov.share(mask=mask)
    site_meets = cov.site_meets()
    return {
        "mode": cov.mode,
        "hour": cov.hour,
        "sources": len(cov.sources),
        "share_within_target": cov.share(),
        "weighted_share_within_target": {k: cov.share(weights=w) for k, w in weights.items()},
        "share_within_target_by_ring_level": by_level,
        "sites_meeting_target": int(site_meets.sum()),
        "sites": len(site_meets),
        "sites_missing_target": [s for s, ok in zip(cov.site_ids, site_meets.tolist(),
                                                    strict=True) if not ok],
        "uncovered_nodes": len(cov.uncovered),
        "unreachable_nodes": list(cov.unreachable),
        "backup_share_within_target": float(np.mean(cov.backup_minutes <= cov.target))
        if len(cov.target) else float("nan"),
    }


def from_units(scenario: Scenario, net: RoadNetwork,
               units: Sequence[tuple[str, tuple[float, float], Mode]], *, hour: int | None,
               weights: Mapping[str, FloatArray] | None = None) -> dict[str, object]:
    """The rings from units where they stand (``(unit, xy, mode)``), each at its own mode's
    speeds at ``hour``: one search per mode on the one engine, a node or site reached when the
    first unit of any mode gets there (sites snap to the roads each mode may use, so the
    shares are taken here from the combined minutes, not from one :class:`Coverage`).

    The centre's rings now and the plan's rings of each slot are both this (a review: the
    plan's rings were from the posts alone, so a slot said two key sites missed their target
    while its own staging unit stood 0.6 minutes from one of them)."""
    by_mode: dict[Mode, list[Post]] = {}
    for uid, xy, mode in units:
        by_mode.setdefault(mode, []).append(Post(id=uid, name=uid, kind="rapid", xy=xy))
    if not by_mode:
        raise CoverageError("no unit to measure the rings from")
    covs = [analyze(scenario, net, mode=m, hour=hour, sources=ps) for m, ps in by_mode.items()]
    minutes = np.min([c.minutes for c in covs], axis=0)
    site_minutes = np.min([c.site_minutes() for c in covs], axis=0)
    first = covs[0]  # targets and ring levels are the places', the same by any mode
    meets = minutes <= first.target
    site_meets = site_minutes <= first.site_target

    def share(w: FloatArray) -> float:
        total = float(np.sum(w))
        return float(np.sum(w[meets]) / total) if total > 0 else float("nan")

    return {
        "share_within_target": float(meets.mean()),
        "weighted_share_within_target": {k: share(np.asarray(w, float))
                                          for k, w in (weights or {}).items()},
        "share_within_target_by_ring_level": {
            str(lv): float(meets[first.level == lv].mean())
            for lv in (1, 2, 3) if (first.level == lv).any()},
        "sites_meeting_target": int(site_meets.sum()),
        "sites": len(site_meets),
        "sites_missing_target": [s for s, ok in zip(first.site_ids, site_meets.tolist(),
                                                    strict=True) if not ok],
        "uncovered_nodes": int((~meets).sum()),
        "modes": {m: len(ps) for m, ps in by_mode.items()},
        "minutes": minutes,
    }
