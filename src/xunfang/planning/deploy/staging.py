"""Hold the one-minute rings (屯警街面, 动中备勤): a unit standing within reach of every
tier-1 place in every slot.

The posture decides how many units each grid gets; a unit patrolling its grid is seldom within
a tier-1 place's target (one minute in the article's 1-3-5 rings: a car covers some 800 m in
it, a unit on foot 80 m). Simulated on the built-in county, patrols alone reach only 72–76 %
of the calls at tier-1 places within a minute, whatever the deployment. So, slot by slot, for
every tier-1 site (in order of its grid's risk in the slot) that no standing responder already
reaches within its target — a crewed fixed post, a checkpoint, a reserve at its post, or a
staging unit placed before — one car or motorcycle patrolling the site's grid is taken to stand
at the site: its assignment becomes a one-stop ``route`` at the site's node, noted as staging.
The count per grid does not change, and a grid keeps at least one other unit on patrol (its
lines and other sites are routed with those), so a site whose grid has no second unit goes
short — listed, with the reason. The unit that held a site in the slot before keeps it when it
can (no needless changes at the hour). A standing unit covers every tier-1 site within the
target of its own mode from where it stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from xunfang.network import RoadNetwork, travel_times
from xunfang.plan import Assignment
from xunfang.planning.places import place_nodes
from xunfang.scenario.model import FloatArray, Scenario, Site, Unit

#: Modes fast enough to hold a ring while patrolling around it.
HOLDING_MODES = ("car", "motorcycle")
#: Unit tiers the dispatcher sends (their standing units count as holding a ring).
RESPONDER_TIERS = ("special", "precinct", "armed")


def can_hold(unit: Unit) -> bool:
    """Whether ``unit`` can hold a ring: a responder car or motorcycle."""
    return unit.mode in HOLDING_MODES and unit.tier in RESPONDER_TIERS


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
    an hour (travel times cached), how many staging units each grid needs, and who holds
    them in a slot."""

    def __init__(self, scenario: Scenario, net: RoadNetwork) -> None:
        self.scenario, self.net = scenario, net
        self.sites = _sites(scenario)
        self.target = float(scenario.policy.response_targets.get(1, 1.0))
        self.units = {u.id: u for u in scenario.units}
        self.post_node = dict(zip((p.id for p in scenario.posts),
                                  place_nodes(net, scenario.posts).tolist(), strict=True))
        self.site_idx = place_nodes(net, self.sites) if self.sites else np.zeros(0, np.int64)
        self._cache: dict[tuple[str, int, int], FloatArray] = {}

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
            if (u.tier in RESPONDER_TIERS and u.mode != "drone"
                    and a.duty in ("post", "checkpoint") and a.post is not None):
                out |= self.reach(u.mode, hour, self.post_node[a.post]) <= self.target
        return out

    def holders_needed(self, standing: Sequence[Assignment], hour: int,
                       grid_of_site: Mapping[str, str | None]) -> dict[str, int]:
        """Per grid: the staging units (cars, greedily at the sites) its tier-1 sites need
        beyond what the standing responders cover."""
        covered = self.covered(standing, hour)
        out: dict[str, int] = {}
        for i, site in enumerate(self.sites):
            g = grid_of_site.get(site.id)
            if covered[i] or g is None:
                continue
            covered |= self.reach("car", hour, int(self.site_idx[i])) <= self.target
            out[g] = out.get(g, 0) + 1
        return out

    def hold(self, rows: Sequence[Assignment], slot: int, hour: int,
             grid_risk: Mapping[str, float], grid_of_site: Mapping[str, str | None], *,
             prefer: Mapping[str, str] | None = None,
             locked: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset()
             ) -> Staging:
        """Staging units for the tier-1 sites in one slot (see the module): ``rows`` are the
        slot's assignments, ``hour`` sets the speeds, ``grid_risk`` (grid -> the slot's risk)
        orders the sites, ``prefer`` (stop node -> unit) names the unit to stand there when it
        can (the holder of the slot before, or of the plan in force in a re-plan);
        ``locked`` (unit, slot) are never taken (busy, pinned)."""
        prefer = prefer or {}
        sites, units, ids = self.sites, self.units, self.net.node_ids
        if not sites:
            return Staging(tuple(rows), {}, ())
        speed = self.scenario.policy.speeds_kph
        out: dict[str, Assignment] = {a.unit: a for a in rows}
        holds: dict[tuple[str, int], tuple[str, ...]] = {}
        shorts: list[StagingShort] = []
        covered = self.covered(rows, hour)
        patrols: dict[str, list[str]] = {}
        for a in rows:
            if (a.duty == "grid" and a.grid is not None and (a.unit, slot) not in locked
                    and units[a.unit].tier in RESPONDER_TIERS):  # cars and others
                patrols.setdefault(a.grid, []).append(a.unit)
        order = sorted(range(len(sites)), key=lambda i: (
            -grid_risk.get(grid_of_site.get(sites[i].id) or "", 0.0), sites[i].id))
        for i in order:
            if covered[i]:
                continue
            site = sites[i]
            g = grid_of_site.get(site.id)
            pool = patrols.get(g or "", [])
            cands = [u for u in pool if units[u].mode in HOLDING_MODES]
            if not cands:
                shorts.append(StagingShort(slot, site.id, g, "no car or motorcycle patrols "
                                           f"grid {g}" if g else "the site lies in no grid"))
                continue
            if len(pool) < 2:
                shorts.append(StagingShort(slot, site.id, g, f"grid {g} has one unit on patrol"
                                           " and keeps it patrolling"))
                continue
            node = int(self.site_idx[i])
            prev = prefer.get(ids[node])
            unit = (prev if prev in cands else
                    max(cands, key=lambda u: (speed.get(units[u].mode, 0.0), -cands.index(u))))
            pool.remove(unit)
            got = self.reach(units[unit].mode, hour, node) <= self.target
            got[i] = True
            newly = [sites[j].id for j in np.flatnonzero(got & ~covered).tolist()]
            covered |= got
            out[unit] = replace(
                out[unit], duty="route", grid=None, route=(ids[node],),
                note=f"staging at {site.id} {site.name}: holds the {self.target:g}-minute ring "
                     f"of {', '.join(newly)} (patrols around it between calls)")
            holds[(unit, slot)] = tuple(newly)
        return Staging(tuple(out[a.unit] for a in rows), holds, tuple(shorts))
