"""Travel-time lookups for the simulator, precomputed once per run.

``network`` mode: for the nodes a run can use (posts, grid and route nodes, incident nodes),
one matrix of minutes per (mode, set of peak factors), from ``xunfang.network.travel_times``;
``hour_table[mode, hour]`` names the matrix of each hour. ``straight`` mode: straight-line
metres × detour factor at the mode's policy speed times the hour's peak factors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from xunfang.network import RoadNetwork, travel_times
from xunfang.scenario.model import FloatArray, IntArray, Mode, Policy
from xunfang.sim.config import SimError


def factor_key(policy: Policy, mode: Mode, hour: int) -> tuple[int, ...]:
    return tuple(i for i, pf in enumerate(policy.peak_factors)
                 if hour in pf.hours and mode in pf.modes)


def _straight_factor(policy: Policy, mode: Mode, hour: int) -> float:
    f = 1.0
    for pf in policy.peak_factors:
        if hour in pf.hours and mode in pf.modes and not pf.classes:
            f *= pf.factor
    return f


@dataclass(frozen=True, eq=False)
class TravelTable:
    """Minutes between the run's points. ``nodes[i]`` is the network node of local point i
    (network mode); ``xy`` the points' planar metres; ``minutes[k, i, j]`` the matrix k
    (network mode; None in straight mode); ``hour_table[m, h]`` the matrix (or speed) index of
    mode m (position in ``modes``) at hour h; ``metres_per_minute[k]`` the straight-line
    speed (after detour) of index k in straight mode."""

    modes: tuple[Mode, ...]
    nodes: IntArray
    xy: FloatArray
    minutes: FloatArray | None
    hour_table: IntArray
    metres_per_minute: FloatArray

    @property
    def n_points(self) -> int:
        return int(self.xy.shape[0])

    def to(self, k: IntArray, a: IntArray, b: IntArray, f: FloatArray, dest: int) -> FloatArray:
        """Minutes to ``dest`` from points part-way (fraction ``f``) from ``a`` to ``b``."""
        if self.minutes is not None:
            ta = self.minutes[k, a, dest]
            tb = self.minutes[k, b, dest]
        else:
            d = self.xy[dest]
            speed = self.metres_per_minute[k]
            ta = np.hypot(*(self.xy[a] - d).T) / speed
            tb = np.hypot(*(self.xy[b] - d).T) / speed
        with np.errstate(invalid="ignore"):
            out = np.where(f <= 0.0, ta, np.where(f >= 1.0, tb, (1.0 - f) * ta + f * tb))
        return np.asarray(out, dtype=np.float64)

    def one(self, k: int, a: int, b: int) -> float:
        if self.minutes is not None:
            return float(self.minutes[k, a, b])
        d = self.xy[a] - self.xy[b]
        return float(np.hypot(d[0], d[1]) / self.metres_per_minute[k])


def build(net: RoadNetwork, nodes: IntArray, modes: Sequence[Mode], *, travel: str,
          detour: float, max_nodes: int, extra_xy: FloatArray | None = None) -> TravelTable:
    """The table over network ``nodes`` (network mode), or over those nodes' positions plus
    ``extra_xy`` points (straight mode) for ``modes``."""
    policy = net.policy
    modes_t = tuple(modes)
    if travel == "straight":
        xy = net.xy[nodes] if extra_xy is None else np.vstack([net.xy[nodes], extra_xy])
        keys: dict[tuple[Mode, float], int] = {}
        table = np.zeros((len(modes_t), 24), dtype=np.int64)
        speeds: list[float] = []
        for m_i, mode in enumerate(modes_t):
            for h in range(24):
                f = _straight_factor(policy, mode, h)
                key = (mode, f)
                if key not in keys:
                    keys[key] = len(speeds)
                    speeds.append(policy.speeds_kph[mode] * 1000.0 / 60.0 * f / detour)
                table[m_i, h] = keys[key]
        return TravelTable(modes=modes_t, nodes=np.asarray(nodes, dtype=np.int64),
                           xy=np.ascontiguousarray(xy), minutes=None, hour_table=table,
                           metres_per_minute=np.array(speeds))
    if nodes.shape[0] > max_nodes:
        raise SimError(
            f"the run uses {nodes.shape[0]} network nodes, more than max_matrix_nodes="
            f"{max_nodes} for the node-to-node matrices; raise SimConfig.max_matrix_nodes "
            f"(memory grows with its square) or use travel='straight'")
    mats: list[FloatArray] = []
    index: dict[tuple[Mode, tuple[int, ...]], int] = {}
    table = np.zeros((len(modes_t), 24), dtype=np.int64)
    for m_i, mode in enumerate(modes_t):
        for h in range(24):
            key2 = (mode, factor_key(policy, mode, h))
            if key2 not in index:
                index[key2] = len(mats)
                mats.append(travel_times(net, nodes, nodes, mode=mode, hour=h))
            table[m_i, h] = index[key2]
    return TravelTable(modes=modes_t, nodes=np.asarray(nodes, dtype=np.int64),
                       xy=np.ascontiguousarray(net.xy[nodes]), minutes=np.stack(mats),
                       hour_table=table, metres_per_minute=np.ones(len(mats)))
