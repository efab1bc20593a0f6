"""Hold the one-minute rings (屯警街面, 动中备勤): a unit standing within reach of every
tier-1 place in every slot.

The posture decides how many units each grid gets; a unit patrolling its grid is seldom within
a tier-1 place's target (one minute in the article's 1-3-5 rings: a car covers some 800 m in
it, a unit on foot 80 m). Simulated on the built-in county, patrols alone reach only 72–76 %
of the calls at tier-1 places within a minute, whatever the deployment. So, slot by slot, the
tier-1 sites no standing responder already reaches within the target (a crewed fixed post, a
checkpoint, a reserve at its post) are *open*; :meth:`RingCover.candidates` offers, per open
site and grid, the nearest nodes a car reaches it from within the target, and the posture's
counts choose among them (a set cover inside its MIP: as few staging units as the rings need,
in the grids that need units most, where one stood the slot before). :meth:`RingCover.hold`
then takes, for each chosen node, a car or motorcycle the counts put on patrol in its grid to
stand there: its assignment becomes a one-stop ``route`` at the node, noted as staging. The
unit that held the node in the slot before keeps it when it can (no needless changes at the
hour). Every open site still out of reach is short — listed, with the reason. A standing unit
covers every tier-1 site within the target of its own mode from where it stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from xunfang.network import RoadNetwork, times_to, travel_times
from xunfang.plan import Assignment
from xunfang.planning.places import place_nodes
from xunfang.planning.routes import POLICE_TIERS
from xunfang.scenario.model import FloatArray, IntArray, Scenario, Site, Unit

#: Nodes offered per open tier-1 site and grid to stand at (the nearest within the target).
CANDIDATES_PER_SITE = 4
#: Modes fast enough to hold a ring while patrolling around it.
HOLDING_MODES = ("car", "motorcycle")


def can_hold(unit: Unit) -> bool:
    """Whether ``unit`` can hold a ring: a responder car or motorcycle."""
    return unit.mode in HOLDING_MODES and unit.tier in POLICE_TIERS


@dataclass(frozen=True)
class StagingShort:
    """A tier-1 site no unit stands within reach of in a slot, and why."""

    slot: int
    site: str
    grid: str | None
    reason: str


@dataclass(frozen=True)
class Staging:
    """The assignments after staging, the holds (unit, slot) -> site ids held, the shorts."""

    assignments: tuple[Assignment, ...]
    holds: Mapping[tuple[str, int], tuple[str, ...]]
    shorts: tuple[StagingShort, ...]


def _sites(scenario: Scenario) -> list[Site]:
    return [s for s in scenario.sites if s.tier == 1]


class RingCover:
    """Which tier-1 sites a unit of a mode reaches within the tier-1 target from a node, at
    an hour (travel times cached), the nodes a car can hold the open rings from, and who
    holds them in a slot."""

    def __init__(self, scenario: Scenario, net: RoadNetwork) -> None:
        self.scenario, self.net = scenario, net
        self.sites = _sites(scenario)
        self.target = float(scenario.policy.response_targets.get(1, 1.0))
        self.units = {u.id: u for u in scenario.units}
        self.post_node = dict(zip((p.id for p in scenario.posts),
                                  place_nodes(net, scenario.posts).tolist(), strict=True))
        self.site_idx = place_nodes(net, self.sites) if self.sites else np.zeros(0, np.int64)
        self._cache: dict[tuple[str, int, int], FloatArray] = {}
        self._to: dict[int, FloatArray] = {}

    def reach(self, mode: str, hour: int, node: int) -> FloatArray:
        """Minutes from ``node`` to each tier-1 site, by ``mode`` at ``hour``."""
        key = (mode, hour, node)
        if key not in self._cache:
            self._cache[key] = travel_times(self.net, [node], self.site_idx,
                                            mode=mode, hour=hour)[0]  # type: ignore[arg-type]
        return self._cache[key]

    def covered(self, standing: Sequence[Assignment], hour: int) -> npt.NDArray[np.bool_]:
        """Tier-1 sites reached within the target by the responders standing at posts."""
        out = np.zeros(len(self.sites), dtype=bool)
        for a in standing:
            u = self.units[a.unit]
            if (u.tier in POLICE_TIERS and u.mode != "drone"
                    and a.duty in ("post", "checkpoint") and a.post is not None):
                out |= self.reach(u.mode, hour, self.post_node[a.post]) <= self.target
        return out

    def candidates(self, open_sites: IntArray, hour: int, node_grid: IntArray
                   ) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Nodes a car can hold the rings of ``open_sites`` (indices into ``sites``) from:
        per site and grid (``node_grid``; none outside every grid) the ``CANDIDATES_PER_SITE``
        nearest nodes from which a car reaches it within the target at ``hour``, so that a
        ring near a grid's edge may be held from the grid that needs units more.
        Returns the nodes and ``near[i, j]``: node i reaches open site j within the target."""
        if open_sites.size == 0:
            return np.zeros(0, np.int64), np.zeros((0, 0), dtype=bool)
        to = self.times_to(hour)[open_sites]  # (open sites, nodes): minutes node -> site
        ok = np.isfinite(to) & (to <= self.target) & (node_grid >= 0)[None, :]
        picked: set[int] = set()
        for j in range(open_sites.size):
            nodes = np.flatnonzero(ok[j])
            nodes = nodes[np.argsort(to[j, nodes], kind="stable")]
            for g in np.unique(node_grid[nodes]).tolist():  # the nearest in every grid
                picked.update(nodes[node_grid[nodes] == g][:CANDIDATES_PER_SITE].tolist())
        cand = np.array(sorted(picked), dtype=np.int64)
        near: npt.NDArray[np.bool_] = ok[:, cand].T if cand.size else np.zeros(
            (0, open_sites.size), dtype=bool)
        return cand, near

    def times_to(self, hour: int) -> FloatArray:
        """(sites, nodes): minutes by car from every node to each tier-1 site at ``hour``."""
        got = self._to.get(hour)
        if got is None:
            got = times_to(self.net, self.site_idx, mode="car", hour=hour,
                           cutoff_minutes=self.target)
            self._to[hour] = got
        return got

    def hold(self, rows: Sequence[Assignment], slot: int, hour: int, nodes: Sequence[int],
             open_sites: IntArray, grid_of_node: Sequence[str | None], *,
             prefer: Mapping[str, str] | None = None,
             locked: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset()
             ) -> Staging:
        """Staging units at ``nodes`` (network indices, in order; chosen by the posture's
        counts among :meth:`candidates`) in one slot: ``rows`` are the slot's assignments,
        ``hour`` sets the speeds; at each node one car or motorcycle patrolling the node's
        grid (``grid_of_node``) is taken to stand there, ``prefer`` (node id -> unit) naming
        the unit to take when it can (the holder of the slot before, or of the plan in force
        in a re-plan); ``locked`` (unit, slot) are never taken (busy, pinned). Every site of
        ``open_sites`` still out of reach afterwards is a :class:`StagingShort`."""
        prefer = prefer or {}
        sites, units, ids = self.sites, self.units, self.net.node_ids
        out: dict[str, Assignment] = {a.unit: a for a in rows}
        holds: dict[tuple[str, int], tuple[str, ...]] = {}
        shorts: list[StagingShort] = []
        covered = np.ones(len(sites), dtype=bool)
        covered[open_sites] = False
        speed = self.scenario.policy.speeds_kph
        patrols: dict[str, list[str]] = {}
        for a in rows:
            if (a.duty == "grid" and a.grid is not None and (a.unit, slot) not in locked
                    and can_hold(units[a.unit])):
                patrols.setdefault(a.grid, []).append(a.unit)
        for node in nodes:
            g = grid_of_node[node]
            cands = patrols.get(g or "", [])
            if not cands:
                continue  # the counts put no car there after all: the sites go short below
            prev = prefer.get(ids[node])
            unit = (prev if prev in cands else
                    max(cands, key=lambda u: (speed.get(units[u].mode, 0.0), -cands.index(u))))
            cands.remove(unit)
            got = self.reach(units[unit].mode, hour, node) <= self.target
            newly = [sites[j].id for j in np.flatnonzero(got & ~covered).tolist()]
            if not newly:
                cands.append(unit)
                continue
            covered |= got
            at = np.flatnonzero(self.site_idx == node)
            where = (f"{sites[at[0]].id} {sites[at[0]].name}" if at.size
                     else f"node {ids[node]}")
            out[unit] = replace(
                out[unit], duty="route", grid=None, route=(ids[node],),
                note=f"staging at {where}: holds the {self.target:g}-minute ring of "
                     f"{', '.join(newly)} (patrols around it between calls)")
            holds[(unit, slot)] = tuple(newly)
        short = np.flatnonzero(~covered)
        if short.size:
            reachable = self._held_from_a_grid(short, hour, grid_of_node)
            left = sum(len(v) for v in patrols.values())  # on grid patrol, free to stand
            on_duty = [a for a in rows if a.duty != "off" and can_hold(units[a.unit])]
            taken = (sum(1 for a in on_duty if (a.unit, slot) in holds),
                     sum(1 for a in on_duty if (a.unit, slot) in locked),
                     sum(1 for a in on_duty if (a.unit, slot) not in holds
                         and (a.unit, slot) not in locked and a.duty != "grid"))
            for i, ok in zip(short.tolist(), reachable, strict=True):
                shorts.append(StagingShort(slot, sites[i].id,
                                           grid_of_node[int(self.site_idx[i])],
                                           short_reason(len(on_duty), ok, left, taken,
                                                        self.target)))
        return Staging(tuple(out[a.unit] for a in rows), holds, tuple(shorts))

    def _held_from_a_grid(self, short: IntArray, hour: int,
                          grid_of_node: Sequence[str | None]) -> list[bool]:
        """Per site of ``short``: whether a car could hold its ring from a node in a grid."""
        to = self.times_to(hour)[short]
        in_grid = np.array([g is not None for g in grid_of_node], dtype=bool)
        ok = np.isfinite(to) & (to <= self.target) & in_grid[None, :]
        return [bool(x) for x in ok.any(axis=1)]


def short_reason(on_duty: int, reachable: bool, left: int, taken: tuple[int, int, int],
                 target: float) -> str:
    """Why a tier-1 ring is not held in a slot (review P: the one reason given, "no car or
    motorcycle on duty could be spared", was said while five patrolled grids; the posture had
    weighed their patrol presence above the ring, RING_SHORT): ``on_duty`` cars and
    motorcycles on duty; ``reachable`` whether any node in a grid lies within the ``target``
    of the site; ``left`` of them patrolling grids, free to stand; ``taken`` those holding
    other rings, pinned or busy, and at posts, checkpoints or events."""
    if on_duty == 0:
        return "no car or motorcycle is on duty"
    if not reachable:
        return (f"no road node in a grid lies within the {target:g}-minute target of it, "
                "so no patrol can stand within it")
    if left:
        return (f"the plan kept {left} car(s) or motorcycle(s) on grid patrol rather than "
                "standing within it (the posture weighed their patrol presence above the ring)")
    held, locked, other = taken
    return (f"every car or motorcycle on duty is taken: {held} hold other rings, {locked} "
            f"are pinned or busy at an incident, {other} stand at posts, checkpoints or events")
