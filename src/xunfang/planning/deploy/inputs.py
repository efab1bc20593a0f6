"""What the posture model reads, prepared once per plan: units on duty and their crews, the
grids with their nodes and key sites, the travel minutes between grids, and the requirements
(tier presence, joint patrols, events, pins) that the per-slot model must meet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from xunfang._errors import XunfangError
from xunfang.network import RoadNetwork, travel_times
from xunfang.plan import Slot
from xunfang.scenario.model import FloatArray, IntArray, Person, Scenario, Unit

#: Squads whose units hold their home post all shift (屯警 / 快反: fixed posts).
FIXED_SQUADS: tuple[str, ...] = ("fixed",)
#: Squads that man the checkpoint schedule.
CHECKPOINT_SQUADS: tuple[str, ...] = ("checkpoint",)
#: Tiers that count as uniformed presence and are placed by the posture model.
MOBILE_TIERS: tuple[str, ...] = ("special", "precinct", "armed")
#: People a unit needs on board to be on duty, by mode (drones need a drone pilot).
CREW_MIN: Mapping[str, int] = {"car": 2, "motorcycle": 1, "balance": 1, "foot": 1, "drone": 1}
#: Site kinds where crowds gather, and the hours they do (joint patrols, 叠加巡逻).
CROWD_HOURS: Mapping[str, tuple[int, ...]] = {
    "square": (19, 20, 21),
    "night_market": (19, 20, 21, 22),
    "business_street": (18, 19, 20, 21),
    "market": (7, 8, 9),
    "bus_station": (7, 8, 17, 18),
    "primary_school": (7, 16),
    "middle_school": (7, 17),
}


class DeployError(XunfangError, ValueError):
    """Bad input to the deployment stage (a pin, a re-plan state, an option)."""


@dataclass(frozen=True)
class Pin:
    """The planner's pin: ``unit`` at ``post`` (or in ``grid``) in ``slots`` (indices).
    Pins are always kept; a pin that cannot be kept (unit off duty) is a shortfall."""

    unit: str
    slots: tuple[int, ...]
    post: str | None = None
    grid: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if (self.post is None) == (self.grid is None):
            raise DeployError(f"pin of unit {self.unit!r}: give exactly one of post or grid")


@dataclass(frozen=True)
class Options:
    """Weights and rules of the posture model (all policy, none hard-coded elsewhere)."""

    dosage_factor: float = 2.0  # at most this many times a grid's share of the units ...
    dosage_floor: int = 2  # ... and never a cap below this
    joint_patrol_units: int = 2  # units together at a crowded place in its peak hours
    w_visibility: float = 10.0
    w_coverage: float = 4.0
    w_sites: float = 3.0
    w_over: float = 6.0
    w_move: float = 0.4
    w_keep: float = 2.0  # re-plan: cost of a count moved away from the plan in force
    w_short: float = 1000.0
    w_reserve: float = 0.05
    mip_gap: float = 1e-3  # relative: HiGHS stops once within it (the gap is reported)
    time_limit_s: float = 3.0  # per slot; a slot stopped by it reports status time_limit

    def __post_init__(self) -> None:
        for name in ("dosage_factor", "w_visibility", "w_coverage", "w_sites", "w_over",
                     "w_move", "w_keep", "w_short", "w_reserve", "time_limit_s"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise DeployError(f"Options.{name} must be a finite number >= 0; got {v!r}")
        if self.dosage_floor < 1 or self.joint_patrol_units < 1:
            raise DeployError("Options.dosage_floor and joint_patrol_units must be >= 1")


@dataclass(frozen=True, eq=False)
class Inputs:
    """Everything the per-slot model needs, in arrays indexed by grid (``grids``)."""

    scenario: Scenario
    slots: tuple[Slot, ...]
    grids: tuple[str, ...]
    grid_nodes: tuple[IntArray, ...]
    rep: IntArray  # a representative node of each grid (nearest to its centroid)
    risk: FloatArray  # (grids, slots), >= 0
    post_grid: Mapping[str, int]  # post id -> grid index (-1 outside every grid)
    post_node: Mapping[str, int]
    allowed: Mapping[str, IntArray]  # unit id -> grid indices it may patrol (its zone)
    site_need: FloatArray  # per grid: visits per slot its key sites need
    tier_window: Mapping[int, tuple[int, ...]]  # window (slots) -> grids with such sites
    tier1_grids: tuple[int, ...]
    crowd: tuple[tuple[int, int, str], ...]  # (slot, grid, site id) joint-patrol needs
    minutes: Mapping[int, FloatArray]  # hour -> (grids, grids) car minutes rep -> rep
    target: FloatArray  # per grid: response target minutes
    on_duty: tuple[frozenset[str], ...]  # units on duty per slot
    crew: Mapping[tuple[str, int], tuple[str, ...]]  # (unit, slot) -> people on board
    rostered_units: frozenset[str]  # units whose crews come from the roster
    pins: tuple[Pin, ...] = ()
    options: Options = field(default_factory=Options)

    @property
    def n_grids(self) -> int:
        return len(self.grids)


def unit_kind(u: Unit) -> str:
    """``fixed``, ``checkpoint``, ``mobile``, ``drone`` or ``auxiliary``: how the posture
    places a unit."""
    if u.mode == "drone":
        return "drone"
    if u.tier not in MOBILE_TIERS:
        return "auxiliary"
    if u.squad in FIXED_SQUADS:
        return "fixed"
    if u.squad in CHECKPOINT_SQUADS:
        return "checkpoint"
    return "mobile"


def _tier_of(p: Person) -> str | None:
    t = p.extra.get("tier")
    return None if t is None else str(t)


def crew_pools(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """The people who may crew each unit: same squad and tier (when people carry a tier),
    narrowed to the team named like the unit (``PS1`` crews ``PS1-C``) when there is one."""
    out: dict[str, tuple[str, ...]] = {}
    for u in scenario.units:
        cands = [p for p in scenario.people if p.squad == u.squad
                 and (_tier_of(p) is None or _tier_of(p) == u.tier)]
        named = [p for p in cands if u.id == p.team or u.id.startswith(p.team + "-")]
        out[u.id] = tuple(p.id for p in (named or cands))
    return out


def units_on_duty(scenario: Scenario, slots: Sequence[Slot],
                  on_duty_people: Sequence[Sequence[str]] | None,
                  rostered: Sequence[str] = ()
                  ) -> tuple[tuple[frozenset[str], ...], dict[tuple[str, int], tuple[str, ...]],
                             frozenset[str]]:
    """Units on duty per slot, their crews and the units whose crews are rostered.

    A unit whose crew pool holds rostered people is on duty in a slot when enough of them
    (``CREW_MIN`` by mode; a drone needs a ``drone_pilot``) are on duty and not already on
    another unit of the pool (units in file order, ground units first). A unit whose pool
    holds nobody rostered — or every unit when there is no roster — is on duty all day.
    """
    pools = crew_pools(scenario)
    ros = set(rostered)
    if on_duty_people is None:
        ros = set()
    skills = {p.id: set(p.skills) for p in scenario.people}
    rostered_units = frozenset(u.id for u in scenario.units if ros & set(pools[u.id]))
    groups: dict[tuple[str, ...], list[Unit]] = {}
    for u in scenario.units:
        if u.id in rostered_units:
            groups.setdefault(pools[u.id], []).append(u)
    duty: list[frozenset[str]] = []
    crew: dict[tuple[str, int], tuple[str, ...]] = {}
    for k, s in enumerate(slots):
        on = {u.id for u in scenario.units if u.id not in rostered_units}
        present = set(on_duty_people[k]) if on_duty_people is not None and k < len(
            on_duty_people) else set()
        for pool, units in groups.items():
            free = [p for p in pool if p in present]
            for u in sorted(units, key=lambda x: x.mode == "drone"):
                need = CREW_MIN.get(u.mode, 1)
                if u.mode == "drone":
                    pick = [p for p in free if "drone_pilot" in skills[p]][:need]
                else:
                    pick = free[:need]
                if len(pick) == need:
                    on.add(u.id)
                    crew[(u.id, s.index)] = tuple(pick)
                    free = [p for p in free if p not in pick]
        duty.append(frozenset(on))
    return tuple(duty), crew, rostered_units


def _grid_zone(scenario: Scenario) -> dict[str, str | None]:
    zones = scenario.areas_of("zone")
    out: dict[str, str | None] = {}
    for g in scenario.areas_of("grid"):
        z = g.extra.get("zone")
        if z is None:
            c = g.geometry.representative_point()
            hit = [a.id for a in zones if a.geometry.contains(c)]
            z = hit[0] if hit else None
        out[g.id] = None if z is None else str(z)
    return out


def prepare(scenario: Scenario, net: RoadNetwork, slots: Sequence[Slot], *,
            risk: FloatArray | None = None, risk_grids: Sequence[str] | None = None,
            on_duty_people: Sequence[Sequence[str]] | None = None,
            rostered: Sequence[str] = (), pins: Sequence[Pin] = (),
            options: Options | None = None) -> Inputs:
    """Prepare the posture inputs. ``risk`` is (grids, slots) in the order of ``risk_grids``
    (default the scenario's grids); without it every grid weighs the same."""
    opts = options or Options()
    grids = scenario.areas_of("grid")  # none: every unit on duty holds its home post
    gids = tuple(g.id for g in grids)
    slots_t = tuple(slots)
    n_g, n_t = len(gids), len(slots_t)
    if risk is None:
        r = np.ones((n_g, n_t))
    else:
        arr = np.asarray(risk, dtype=np.float64)
        order = list(risk_grids) if risk_grids is not None else list(gids)
        if arr.shape != (len(order), n_t):
            raise DeployError(f"risk must have shape (grids, slots) = ({len(order)}, {n_t}); "
                              f"got {arr.shape}")
        if not np.all(np.isfinite(arr)) or (arr < 0).any():
            raise DeployError("risk must be finite and >= 0")
        pos = {g: i for i, g in enumerate(order)}
        missing = [g for g in gids if g not in pos]
        if missing:
            raise DeployError(f"risk has no row for grids {missing[:5]}")
        r = arr[[pos[g] for g in gids]]
    xy = net.xy
    grid_nodes = tuple(np.flatnonzero(shapely.contains_xy(g.geometry, xy[:, 0], xy[:, 1]))
                       .astype(np.int64) for g in grids)
    rep = np.zeros(n_g, dtype=np.int64)
    for i, g in enumerate(grids):
        c = g.geometry.centroid
        nodes = grid_nodes[i]
        if nodes.size == 0:
            d = np.hypot(xy[:, 0] - c.x, xy[:, 1] - c.y)
            rep[i] = int(np.argmin(d))
        else:
            d = np.hypot(xy[nodes, 0] - c.x, xy[nodes, 1] - c.y)
            rep[i] = int(nodes[int(np.argmin(d))])
    node_index = {n: i for i, n in enumerate(net.node_ids)}

    def grid_of_xy(x: float, y: float) -> int:
        for i, g in enumerate(grids):
            if shapely.contains_xy(g.geometry, x, y):
                return i
        return -1

    post_grid = {p.id: grid_of_xy(*p.xy) for p in scenario.posts}
    post_node: dict[str, int] = {}
    for p in scenario.posts:
        if p.node is not None and p.node in node_index:
            post_node[p.id] = node_index[p.node]
        else:
            post_node[p.id] = int(np.argmin(np.hypot(xy[:, 0] - p.xy[0], xy[:, 1] - p.xy[1])))
    # travel minutes between grid representatives, per distinct hour of the slots
    minutes: dict[int, FloatArray] = {}
    by_factors: dict[tuple[int, ...], FloatArray] = {}  # hours with the same speeds share
    for h in sorted({s.start.hour for s in slots_t}):
        key = tuple(i for i, pf in enumerate(scenario.policy.peak_factors)
                    if h in pf.hours and "car" in pf.modes)
        if key not in by_factors:
            by_factors[key] = (travel_times(net, rep, rep, mode="car", hour=h) if n_g
                               else np.zeros((0, 0)))
        minutes[h] = by_factors[key]
    # zones
    gz = _grid_zone(scenario)
    zone_grids: dict[str | None, list[int]] = {}
    for i, gid in enumerate(gids):
        zone_grids.setdefault(gz[gid], []).append(i)
    allowed: dict[str, IntArray] = {}
    all_g = np.arange(n_g, dtype=np.int64)
    for u in scenario.units:
        if u.tier in ("special", "armed") or len(zone_grids) <= 1:
            allowed[u.id] = all_g
            continue
        home = post_grid.get(u.home_post, -1)
        if n_g == 0:
            allowed[u.id] = all_g
            continue
        if home < 0:  # home post outside every grid: the zone of the nearest grid
            node = post_node[u.home_post]
            t = travel_times(net, [node], rep, mode="car")[0]
            home = int(np.argmin(t)) if np.isfinite(t).any() else 0
        allowed[u.id] = np.asarray(zone_grids[gz[gids[home]]], dtype=np.int64)
    # key sites: visits needed, tier windows, crowds
    pol = scenario.policy
    site_need = np.zeros(n_g)
    windows: dict[int, set[int]] = {}
    tier1: set[int] = set()
    crowd: list[tuple[int, int, str]] = []
    target = np.full(n_g, float(pol.response_targets.get(3, 5.0)))
    for site in scenario.sites:
        gi = grid_of_xy(*site.xy)
        if gi < 0:
            continue
        revisit = float(pol.revisit_minutes.get(site.tier, max(pol.revisit_minutes.values())))
        minutes_slot = slots_t[0].minutes if slots_t else 60
        site_need[gi] += minutes_slot / max(revisit, 1.0)
        # presence in every window of w slots: a visit early in one slot and late in the
        # slot w later are w + 1 slots apart, so w = revisit // slot - 1 keeps the interval
        w = max(1, int(revisit // minutes_slot) - 1)
        windows.setdefault(w, set()).add(gi)
        if site.tier == 1:
            tier1.add(gi)
        target[gi] = min(target[gi], float(pol.response_targets.get(site.tier, target[gi])))
        hours = CROWD_HOURS.get(site.kind, ())
        for s in slots_t:
            if s.start.hour in hours:
                crowd.append((s.index, gi, site.id))
    duty, crew, rostered_units = units_on_duty(scenario, slots_t, on_duty_people, rostered)
    unit_ids = {u.id for u in scenario.units}
    post_ids = {p.id for p in scenario.posts}
    slot_ids = {s.index for s in slots_t}
    for pin in pins:
        if pin.unit not in unit_ids:
            raise DeployError(f"pin: unknown unit {pin.unit!r}")
        if pin.post is not None and pin.post not in post_ids:
            raise DeployError(f"pin of unit {pin.unit!r}: unknown post {pin.post!r}")
        if pin.grid is not None and pin.grid not in gids:
            raise DeployError(f"pin of unit {pin.unit!r}: unknown grid {pin.grid!r}")
        bad = [k for k in pin.slots if k not in slot_ids]
        if bad:
            raise DeployError(f"pin of unit {pin.unit!r}: slots {bad[:5]} are not in the plan")
    return Inputs(
        scenario=scenario, slots=slots_t, grids=gids, grid_nodes=grid_nodes, rep=rep, risk=r,
        post_grid=post_grid, post_node=post_node, allowed=allowed, site_need=site_need,
        tier_window={w: tuple(sorted(g)) for w, g in windows.items()},
        tier1_grids=tuple(sorted(tier1)), crowd=tuple(crowd), minutes=minutes, target=target,
        on_duty=duty, crew=crew, rostered_units=rostered_units, pins=tuple(pins),
        options=opts)
