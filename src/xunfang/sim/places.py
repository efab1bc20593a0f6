"""Where points fall among the scenario's areas and sites: zone, grid, ring level, site tier,
and the response target (minutes) that applies there."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from xunfang.scenario.model import FloatArray, IntArray, Scenario


@dataclass(frozen=True, eq=False)
class Located:
    """Per point: ``zone``/``grid`` index into ``scenario.areas_of(kind)`` (-1 outside all),
    ``ring`` the innermost control-ring level holding it (0: none), ``site_tier`` of the
    nearest key site within the radius (0: none), ``target`` minutes: the ring's target (the
    general, largest one outside every ring, as in ``planning.coverage``), or the site tier's
    when smaller."""

    zone: IntArray
    grid: IntArray
    ring: IntArray
    site_tier: IntArray
    target: FloatArray


def locate(scenario: Scenario, xy: FloatArray, *, site_radius_m: float) -> Located:
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    n = xy.shape[0]
    ring = np.zeros(n, dtype=np.int64)
    for a in sorted(scenario.areas_of("ring"), key=lambda r: -(r.level or 0)):
        if a.level is None:
            continue
        # on a ring's edge counts as inside it: the innermost ring whose edge or inside
        # holds the point gives its level
        inside = shapely.intersects_xy(a.geometry, xy[:, 0], xy[:, 1])
        ring[inside] = a.level  # innermost (smallest level) written last
    tier = np.zeros(n, dtype=np.int64)
    if scenario.sites and n:
        sxy = np.array([s.xy for s in scenario.sites], dtype=np.float64)
        stier = np.array([s.tier for s in scenario.sites], dtype=np.int64)
        dist, idx = cKDTree(sxy).query(xy, distance_upper_bound=site_radius_m)
        hit = np.isfinite(dist)
        tier[hit] = stier[idx[hit]]
    # as the coverage stage does: outside every ring, the general (largest) target applies
    targets = scenario.policy.response_targets
    general = float(max(targets.values())) if targets else np.nan
    target = np.full(n, general)
    for level, minutes in targets.items():
        target = np.where(ring == level, minutes, target)
    for level, minutes in targets.items():
        target = np.where(tier == level, np.fmin(target, minutes), target)
    return Located(zone=scenario.area_index("zone", xy), grid=scenario.area_index("grid", xy),
                   ring=ring, site_tier=tier, target=target)
