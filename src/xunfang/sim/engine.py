"""The discrete-event simulator: a plan's units against incidents, with an event log out.

The model (DESIGN.md §4, issue 6):

- Every ground unit of the plan follows its assignment of each slot: it stands at
  its post or checkpoint (``post``/``checkpoint``), patrols its grid (``grid``: to a random
  node of the grid by the fastest road, a stop of ``patrol_dwell_minutes``, again), or drives
  the slot's route as planned (``route``): its points in the plan's order from the first,
  each by the fastest road, with the plan's stop at each (``Assignment.stops``: a site's
  stop, a hold's wait; ``route_dwell_minutes`` when the plan gives none), once; when the
  last is made before the slot ends it holds (``stand``) there. The plan's times follow
  from the route itself: it starts at the slot's start (a stop or leg the plan runs past a
  slot's end is the next slot's first point, with the rest of the stop: its leading hold
  leg). A call interrupts the route; back on patrol in the same slot the unit drives to the
  first point it has not yet made (reached) and goes on in order from there; points not
  reached before the slot ends are dropped (the next slot's route starts at its first
  point). It moves to a new place when its assignment changes or a route slot ends (a stop
  ends then, and at a handover; a leg under way is driven to its end); ``off`` units are off
  the street.
- At each shift start a unit on duty before and after it spends ``handover_minutes`` off the
  street (交接班; ``SimSetup.handover_minutes``: the config's, else the policy's); a unit
  busy then does it once free. A route duty's route starts after the handover (the plan's
  routes leave the policy's minutes for it: ``planning/routes.py``) and the points not
  reached by the slot's end are dropped like any others (``EventLog.route_made``;
  ``kpis.route_points`` counts them by cause).
- The dispatcher sends the responder (``SimConfig.responder_tiers``) that is free and on duty
  and reaches the incident soonest from where it is at that moment (a unit part-way along a
  road leg at fraction f: (1−f)·time from the leg's start + f·time from its end). With none
  free, a unit serving a less urgent incident is taken off it (pre-emption; the incident waits
  again with the rest of its on-scene time), else the incident waits in a queue by (priority,
  time) and takes the first unit that becomes free. A second unit goes to serious categories,
  tier-1 places (and optionally rings) when one is free at that moment.
- The incident sits at the nearest point of a road its responders may use: the unit drives to
  an end of that road it may drive from and along it to that point, and its crew walks the
  rest, straight from the road, at the foot speed (``prepare``).
- On-scene minutes are drawn per incident from the category's mean; then the unit goes back
  to its assignment (return to patrol).
- An incident happens at its time (a replayed record's time is the occurrence) and is called
  in later: after a citizen's reporting delay, or sooner by the video desk when one of the
  plan's camera views sees it (``SimConfig``); dispatch starts at the call, in call order.
- Drones (units of mode ``drone``) are never dispatched as the response and never count as
  presence: they fly the plan's sorties, stand by at their posts, and give eyes on scene when
  they beat the ground unit sent (``fly_drones``, after the ground loop, which they do not
  change).

The idle movements of a unit are generated lazily, one segment at a time, only when the
dispatcher needs to know where the unit is; everything is recorded in an ``EventLog``.
Randomness comes only from the generator passed in.

Two engines run this model: ``_Run`` below, the readable reference in Python, and
``_kernel.run_kernel``, the same loop compiled with numba (``SimConfig.engine``, default
``compiled``; straight-line travel always uses ``_Run``). ``tests/sim/test_kernel.py`` holds
them to equal logs.
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from xunfang.network import RoadNetwork, edge_minutes, index_of, snap
from xunfang.plan import Plan
from xunfang.scenario.model import FloatArray, IntArray, Mode, Scenario, on_both_sides
from xunfang.sim import travel as travel_mod
from xunfang.sim.config import SimConfig, SimError
from xunfang.sim.incidents import SimIncidents
from xunfang.sim.places import locate
from xunfang.sim.travel import TravelTable

KINDS = ("stand", "move", "patrol_move", "dwell", "respond", "scene", "handover", "off")
STAND, MOVE, PMOVE, DWELL, RESPOND, SCENE, HANDOVER, OFF = range(8)
#: Segment kinds where the unit is on the street (counted for presence).
STREET_KINDS = (STAND, MOVE, PMOVE, DWELL, RESPOND, SCENE)
STATUSES = ("served", "unserved", "unreachable", "off_network", "called_after_end")
SERVED, UNSERVED, UNREACHABLE, OFF_NETWORK, CALLED_AFTER_END = range(5)
#: Rows of the drone log: a sortie flown (cut short when the drone was sent to a call), a
#: flight to a call (launch or diversion to landing), a sortie missed (the drone was away or
#: recharging when it was due).
DRONE_KINDS = ("sortie", "call", "missed")
A_SORTIE, A_CALL, A_MISSED = range(3)
ROLES = ("", "first", "second", "resume")
D_OFF, D_POST, D_CHECKPOINT, D_GRID, D_ROUTE = range(5)
_DUTY_CODE = {"off": D_OFF, "post": D_POST, "checkpoint": D_CHECKPOINT, "grid": D_GRID,
              "route": D_ROUTE}
INF = math.inf

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]


@dataclass(frozen=True, eq=False)
class EventLog:
    """What happened in one replication, as columns.

    Incidents (one row each, in order of occurrence): ``inc_minutes`` (when it happened),
    ``inc_call`` (when the call came: a citizen's after the reporting delay, or the video
    desk's; dispatch starts here), ``inc_detected`` (called in by the video desk),
    ``inc_point`` (index into ``point_xy``), ``inc_status`` (index into ``STATUSES``),
    ``inc_first_unit`` (-1: none), ``inc_dispatch`` (minutes, when that unit was sent),
    ``inc_arrival`` (its arrival: the response ends here), ``inc_travel`` (its driving
    minutes, along the incident's road to the point nearest it, plus the walk from the road,
    ``prepare``), ``inc_clear``
    (last unit done), ``inc_second_unit`` (-1: not sent or not needed),
    ``inc_second_wanted``, ``inc_preempted`` (times a unit was taken off it),
    ``inc_drone`` (the drone sent for eyes on scene, index into ``SimSetup.drone_units``; -1:
    none) and ``inc_drone_eyes`` (its arrival over the scene, NaN: none).

    Dispatches (one row per unit sent): ``d_incident``, ``d_unit``, ``d_role`` (index into
    ``ROLES``), ``d_time``, ``d_arrival`` (NaN: taken off before arriving), ``d_clear`` (left
    the scene or was taken off), ``d_travel``, ``d_preempted``.

    Segments (what every unit did, end to end): ``s_unit``, ``s_kind`` (index into ``KINDS``),
    ``s_from``/``s_to`` (points; equal when standing), ``s_start``/``s_end`` (minutes). A
    segment may end after the horizon (a unit finishing an incident).

    Drones (one row per sortie flown or missed and per flight to a call): ``a_drone`` (index
    into ``SimSetup.drone_units``), ``a_kind`` (index into ``DRONE_KINDS``), ``a_start``/
    ``a_end`` (airborne from/to, minutes; a missed sortie's planned times), ``a_incident``
    (the call flown to; -1 for sorties).

    Routes: ``route_made`` (units × run slots), the points of each route duty's slot the unit
    made there; the rest of the plan's points of that slot were dropped (``kpis``:
    ``route_points_dropped``).
    """

    point_xy: FloatArray
    inc_minutes: FloatArray
    inc_point: IntArray
    inc_status: I8
    inc_first_unit: I32
    inc_dispatch: FloatArray
    inc_arrival: FloatArray
    inc_travel: FloatArray
    inc_clear: FloatArray
    inc_second_unit: I32
    inc_second_wanted: npt.NDArray[np.bool_]
    inc_preempted: I32
    d_incident: I32
    d_unit: I32
    d_role: I8
    d_time: FloatArray
    d_arrival: FloatArray
    d_clear: FloatArray
    d_travel: FloatArray
    d_preempted: npt.NDArray[np.bool_]
    s_unit: I32
    s_kind: I8
    s_from: I32
    s_to: I32
    s_start: FloatArray
    s_end: FloatArray
    inc_call: FloatArray
    inc_detected: npt.NDArray[np.bool_]
    inc_drone: I32
    inc_drone_eyes: FloatArray
    a_drone: I32
    a_kind: I8
    a_start: FloatArray
    a_end: FloatArray
    a_incident: I32
    #: (units, run slots): the points of the slot's route the unit made (reached, or passed
    #: over as out of reach) in that slot, 0 where it had no route; None from an engine that
    #: does not keep it
    route_made: IntArray | None = None

    @property
    def n_incidents(self) -> int:
        return int(self.inc_minutes.shape[0])

    @property
    def response_minutes(self) -> FloatArray:
        """Arrival of the first unit minus the call (queue wait plus travel; NaN where none
        arrived)."""
        out: FloatArray = self.inc_arrival - self.inc_call
        return out

    @property
    def scene_minutes(self) -> FloatArray:
        """Arrival of the first unit minus the incident's occurrence (reporting delay, queue
        wait and travel; NaN where none arrived)."""
        out: FloatArray = self.inc_arrival - self.inc_minutes
        return out


@dataclass(frozen=True, eq=False)
class SimSetup:
    """Everything the replications share: the plan laid out over the run, as arrays."""

    scenario: Scenario
    plan: Plan
    config: SimConfig
    start: datetime
    days: int
    units: tuple[str, ...]  # simulated ground units (the plan's, drones apart)
    unit_mode: tuple[Mode, ...]
    unit_tier: tuple[str, ...]
    responder: npt.NDArray[np.bool_]
    visible: npt.NDArray[np.bool_]
    home: IntArray  # point of each unit's home post
    duty: I8  # (units, plan slots)
    place: IntArray  # (units, plan slots): point (post/checkpoint), grid or route index
    slot_offset: int  # run slot j is plan slot (j + slot_offset) % n_plan_slots
    grid_points: tuple[IntArray, ...]  # per grid of the scenario, its points
    route_points: tuple[IntArray, ...]
    route_dwells: tuple[FloatArray, ...]  # stop minutes per route point, -1: the default
    travel: TravelTable
    shift_times: FloatArray  # minutes from the start of every shift change in the run
    air: AirLayer
    # each unit's weight in visibility: 1 for ``visible_tiers``, an auxiliary unit its squad's
    # ``auxiliary_weights``, else 0
    presence_weight: FloatArray

    @property
    def drone_units(self) -> tuple[str, ...]:
        return self.air.drones

    @property
    def horizon(self) -> float:
        return float(self.days * 1440)

    @property
    def slot_minutes(self) -> int:
        return self.plan.slots[0].minutes

    @property
    def handover_minutes(self) -> float:
        """The handover's minutes (交接班): ``SimConfig.handover_minutes`` when set, else the
        scenario policy's (``[policy] handover_minutes``)."""
        h = self.config.handover_minutes
        return float(self.scenario.policy.handover_minutes if h is None else h)

    @property
    def n_plan_slots(self) -> int:
        return len(self.plan.slots)

    def plan_slot(self, run_slot: IntArray) -> IntArray:
        out: IntArray = (run_slot + self.slot_offset) % self.n_plan_slots
        return out

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute


@dataclass(frozen=True, eq=False)
class AirLayer:
    """The plan's drones and the video desk's views laid out over the run (run minutes).

    Drones: ``drones`` (unit ids, plan order), ``home_xy`` (their home posts), ``on_duty``
    (drones × plan slots: not ``off``), and the sorties of the run sorted by (drone, start):
    ``sortie_drone``, ``sortie_start``/``sortie_end``, ``sortie_src`` (index into
    ``Plan.drone_sorties``), their waypoints ragged in ``wp_ptr``/``wp_xy``, and per drone its
    first sortie ``drone_ptr`` (length drones + 1). Cameras: ``camera_xy`` and per camera the
    disjoint intervals watched, ragged in ``view_ptr``/``view_start``/``view_end``. Speeds and
    times from ``SimConfig`` (the policy's where it says None): ``speed_m_per_min``,
    ``launch_minutes``, ``battery_minutes``, ``recharge_minutes``.
    """

    drones: tuple[str, ...]
    home_xy: FloatArray
    on_duty: npt.NDArray[np.bool_]
    sortie_drone: IntArray
    sortie_start: FloatArray
    sortie_end: FloatArray
    sortie_src: IntArray
    wp_ptr: IntArray
    wp_xy: FloatArray
    drone_ptr: IntArray
    cameras: tuple[str, ...]
    camera_xy: FloatArray
    view_ptr: IntArray
    view_start: FloatArray
    view_end: FloatArray
    speed_m_per_min: float
    launch_minutes: float
    battery_minutes: float
    recharge_minutes: float

    @property
    def n_drones(self) -> int:
        return len(self.drones)

    @property
    def watched(self) -> bool:
        return bool(self.view_start.size)


def _copies(start: float, end: float, shift: float, cycle: float, horizon: float
            ) -> list[float]:
    """Run-time offsets of a plan interval [start, end) (plan minutes) repeated every
    ``cycle`` minutes, the run beginning at plan minute ``shift``: those overlapping
    [0, horizon)."""
    base = start - shift
    k0 = math.floor((-(end - start) - base) / cycle)
    out: list[float] = []
    k = k0
    while base + k * cycle < horizon:
        a = base + k * cycle
        if a + (end - start) > 0:
            out.append(a)
        k += 1
    return out


def _air_layer(scenario: Scenario, plan: Plan, cfg: SimConfig, shift: float, horizon: float
               ) -> AirLayer:
    by_id = {u.id: u for u in scenario.units}
    posts = {p.id: p for p in scenario.posts}
    drones = tuple(u for u in plan.units if by_id[u].mode == "drone")
    d_index = {u: i for i, u in enumerate(drones)}
    home_xy = np.array([posts[by_id[u].home_post].xy for u in drones],
                       dtype=np.float64).reshape(-1, 2)
    P = len(plan.slots)
    on_duty = np.zeros((len(drones), P), dtype=bool)
    first = plan.slots[0].index
    for di, uid in enumerate(drones):
        for a in plan.of_unit(uid):
            on_duty[di, a.slot - first] = a.duty != "off"
    cycle = float(sum(s.minutes for s in plan.slots))
    rows: list[tuple[int, float, float, int]] = []
    for k, x in enumerate(plan.drone_sorties):
        for t0 in _copies(x.start, x.end, shift, cycle, horizon):
            rows.append((d_index[x.unit], t0, t0 + x.minutes, k))
    rows.sort()
    wps = [plan.drone_sorties[r[3]].waypoints for r in rows]
    wp_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    wp_ptr[1:] = np.cumsum([len(w) for w in wps])
    wp_xy = (np.array([xy for w in wps for xy in w], dtype=np.float64).reshape(-1, 2)
             if rows else np.zeros((0, 2)))
    s_drone = np.array([r[0] for r in rows], dtype=np.int64)
    drone_ptr = np.searchsorted(s_drone, np.arange(len(drones) + 1), side="left")
    cams = tuple(sorted({v.camera for v in plan.camera_views}))
    by_cam: dict[str, list[tuple[float, float]]] = {c: [] for c in cams}
    for v in plan.camera_views:
        for t0 in _copies(v.start, v.end, shift, cycle, horizon):
            by_cam[v.camera].append((t0, t0 + v.minutes))
    v_ptr = [0]
    v_s: list[float] = []
    v_e: list[float] = []
    for c in cams:  # merged into disjoint intervals per camera
        for w0, w1 in sorted(by_cam[c]):
            if len(v_s) > v_ptr[-1] and w0 <= v_e[-1]:
                v_e[-1] = max(v_e[-1], w1)
            else:
                v_s.append(w0)
                v_e.append(w1)
        v_ptr.append(len(v_s))
    pol = scenario.policy
    speed = pol.speeds_kph["drone"] if cfg.drone_speed_kmh is None else cfg.drone_speed_kmh
    launch = (pol.drone_launch_minutes if cfg.drone_launch_minutes is None
              else cfg.drone_launch_minutes)
    battery = (pol.drones.battery_minutes if cfg.drone_battery_minutes is None
               else cfg.drone_battery_minutes)
    recharge = (pol.drones.recharge_minutes if cfg.drone_recharge_minutes is None
                else cfg.drone_recharge_minutes)
    return AirLayer(
        drones=drones, home_xy=home_xy, on_duty=on_duty, sortie_drone=s_drone,
        sortie_start=np.array([r[1] for r in rows], dtype=np.float64),
        sortie_end=np.array([r[2] for r in rows], dtype=np.float64),
        sortie_src=np.array([r[3] for r in rows], dtype=np.int64), wp_ptr=wp_ptr, wp_xy=wp_xy,
        drone_ptr=drone_ptr.astype(np.int64), cameras=cams,
        camera_xy=np.array([posts[c].xy for c in cams], dtype=np.float64).reshape(-1, 2),
        view_ptr=np.array(v_ptr, dtype=np.int64), view_start=np.array(v_s, dtype=np.float64),
        view_end=np.array(v_e, dtype=np.float64), speed_m_per_min=float(speed) * 1000.0 / 60.0,
        launch_minutes=float(launch), battery_minutes=float(battery),
        recharge_minutes=float(recharge))


def _post_point(scenario: Scenario, net: RoadNetwork) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in scenario.posts:
        if p.node is not None:
            out[p.id] = int(index_of(net, p.node)[0])
        else:
            out[p.id] = int(snap(net, np.array([p.xy]), to="node").node[0])
    return out


def setup(scenario: Scenario, net: RoadNetwork, plan: Plan, *, start: date | datetime,
          days: int, config: SimConfig | None = None,
          extra_nodes: IntArray | None = None) -> SimSetup:
    """Check the plan against the scenario and lay it out for a run of ``days`` days from
    ``start`` (midnight of a date, or a datetime on a slot boundary of the plan)."""
    cfg = config or SimConfig()
    if cfg.handover_minutes is None:  # the policy's (SimConfig's when set)
        cfg = replace(cfg, handover_minutes=float(scenario.policy.handover_minutes))
    if days < 1:
        raise SimError(f"days must be at least 1; got {days}")
    problems = plan.check(scenario)
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise SimError(f"the plan does not fit scenario {scenario.name!r}: {shown}{more}")
    if not plan.slots:
        raise SimError("the plan has no slots")
    t0 = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    L = plan.slots[0].minutes
    if any(s.minutes != L for s in plan.slots):
        raise SimError("the plan's slots must all have the same length to be simulated")
    P = len(plan.slots)
    shift = (t0 - plan.slots[0].start) / timedelta(minutes=1)
    if shift % L:
        raise SimError(f"the run start {t0.isoformat()} is not on a slot boundary of the plan "
                       f"({L}-minute slots from {plan.slots[0].start.isoformat()})")
    if days * 1440 > P * L and (P * L) % 1440:
        raise SimError(f"the run ({days} days) is longer than the plan ({P * L} minutes) and "
                       "the plan does not span whole days, so it cannot be repeated")
    offset = int(shift // L) % P
    by_id = {u.id: u for u in scenario.units}
    units = tuple(u for u in plan.units if by_id[u].mode != "drone")
    if not units:
        raise SimError("the plan has no ground units to simulate (drones never respond)")
    post_point = _post_point(scenario, net)
    grids = scenario.areas_of("grid")
    grid_index = {g.id: i for i, g in enumerate(grids)}
    routes: dict[tuple[tuple[str, ...], tuple[float, ...]], int] = {}
    duty = np.zeros((len(units), P), dtype=np.int8)
    place = np.full((len(units), P), -1, dtype=np.int64)
    for ui, uid in enumerate(units):
        for a in plan.of_unit(uid):
            s = a.slot - plan.slots[0].index
            duty[ui, s] = _DUTY_CODE[a.duty]
            if a.duty in ("post", "checkpoint"):
                assert a.post is not None
                place[ui, s] = post_point[a.post]
            elif a.duty == "grid":
                assert a.grid is not None
                place[ui, s] = grid_index[a.grid]
            elif a.duty == "route":
                place[ui, s] = routes.setdefault((a.route, a.stops), len(routes))
    responder = np.array([by_id[u].tier in cfg.responder_tiers for u in units])
    if not (responder[:, None] & (duty != D_OFF)).any():
        raise SimError(
            f"no responding unit (tiers {', '.join(cfg.responder_tiers)}) is on duty in any "
            f"slot of the plan: nobody could be dispatched")
    home_node = np.array([post_point[by_id[u].home_post] for u in units], dtype=np.int64)
    # points: all nodes when the matrices fit, else the nodes the run uses
    big = cfg.travel == "network" and net.n_nodes > cfg.max_matrix_nodes
    # a grid's patrol points: the nodes that belong to it as the KPIs place them (a node on a
    # line two grids share to the first, ``Scenario.area_index``; strictly-inside nodes alone
    # left the grid lines unpatrolled, 13 of 49 nodes on a review's lattice)
    node_grid = scenario.area_index("grid", np.asarray(net.xy, dtype=np.float64))
    patrol_g = [np.flatnonzero(node_grid == gi) for gi in range(len(grids))]
    if big:  # a city: each grid patrol goes to a spread sample of its nodes
        used = [home_node, place[duty == D_POST], place[duty == D_CHECKPOINT]]
        used += [index_of(net, r) for r, _ in routes]
        if extra_nodes is not None:
            used.append(extra_nodes)
        patrolled = np.unique(place[duty == D_GRID])
        room = cfg.max_matrix_nodes - np.unique(np.concatenate(used)).size
        k = max(min(8, cfg.max_patrol_points),
                min(cfg.max_patrol_points, room // max(len(patrolled), 1)))
        patrol_g = [_spread(net.xy, n, k) for n in patrol_g]
        used += [patrol_g[i] for i in patrolled]
        nodes = np.unique(np.concatenate(used)).astype(np.int64)
    else:
        nodes = np.arange(net.n_nodes, dtype=np.int64)
    local = np.full(net.n_nodes, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.shape[0])
    # map places to points
    post_like = (duty == D_POST) | (duty == D_CHECKPOINT)
    place = np.where(post_like, local[np.where(post_like, place, 0)], place)
    grid_points = tuple(local[n][local[n] >= 0] for n in patrol_g)
    for gi in np.unique(place[duty == D_GRID]):
        if grid_points[gi].size == 0:
            raise SimError(f"grid {grids[gi].id!r} holds no road node to patrol")
    route_points = tuple(local[index_of(net, r)] for r, _ in routes)
    # minutes to stop at each route point: the plan's stops, else the config's (-1 marks it)
    route_dwells = tuple(np.asarray(st if st else [-1.0] * len(r), dtype=np.float64)
                         for r, st in routes)
    modes: tuple[Mode, ...] = tuple(dict.fromkeys(by_id[u].mode for u in units))
    table = travel_mod.build(net, nodes, modes, travel=cfg.travel, detour=cfg.detour_factor,
                             max_nodes=cfg.max_matrix_nodes)
    starts = scenario.policy.shift_starts if cfg.shift_starts is None else cfg.shift_starts
    sm = t0.hour * 60 + t0.minute
    shift_times = np.array(sorted(
        float(d * 1440 + h * 60 - sm) for d in range(days + 1) for h in set(starts)
        if 0 < d * 1440 + h * 60 - sm < days * 1440), dtype=np.float64)
    return SimSetup(
        scenario=scenario, plan=plan, config=cfg, start=t0, days=days, units=units,
        unit_mode=tuple(by_id[u].mode for u in units),
        unit_tier=tuple(by_id[u].tier for u in units), responder=responder,
        visible=np.array([by_id[u].tier in cfg.visible_tiers for u in units]),
        home=local[home_node], duty=duty, place=place, slot_offset=offset,
        grid_points=grid_points, route_points=route_points, route_dwells=route_dwells,
        travel=table,
        shift_times=shift_times,
        air=_air_layer(scenario, plan, cfg, float(offset * L), float(days * 1440)),
        presence_weight=np.array([
            1.0 if by_id[u].tier in cfg.visible_tiers
            else float(cfg.auxiliary_weights.get(by_id[u].squad, 0.0))
            if by_id[u].tier == "auxiliary" else 0.0 for u in units], dtype=np.float64))


def _spread(xy: FloatArray, nodes: IntArray, k: int) -> IntArray:
    """At most ``k`` of ``nodes`` spread over their extent: farthest-point sampling from the
    node nearest their centroid (deterministic); all of them when there are no more."""
    if nodes.size <= k:
        return nodes
    pts = xy[nodes]
    first = int(np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1)))
    pick = [first]
    d = ((pts - pts[first]) ** 2).sum(axis=1)
    for _ in range(k - 1):
        nxt = int(np.argmax(d))
        pick.append(nxt)
        d = np.minimum(d, ((pts - pts[nxt]) ** 2).sum(axis=1))
    return np.sort(nodes[np.asarray(pick, dtype=np.int64)])


@dataclass(frozen=True, eq=False)
class Prepared:
    """Incidents placed on the run's points, with what the dispatcher needs per incident."""

    incidents: SimIncidents
    point: IntArray
    status: I8  # UNREACHABLE / OFF_NETWORK / CALLED_AFTER_END preset, else SERVED (to be decided)
    service: FloatArray
    second: npt.NDArray[np.bool_]
    travel: TravelTable
    call: FloatArray  # when the call comes (minutes); dispatch starts here
    detected: npt.NDArray[np.bool_]  # called in by the video desk
    order: IntArray  # the incidents in order of their calls (stable)
    leg: FloatArray  # minutes on foot from the road to the incident (0: on the road)
    #: the points of the two ends of each incident's road, shape (n, 2) (both ``point`` in
    #: straight-line travel)
    ends: IntArray
    #: ``end_minutes[k, i, e]``: minutes of matrix k (``TravelTable.minutes``; speed index in
    #: straight-line travel) from end e of incident i's road along it to the incident's point
    #: on it, inf where the mode may not drive it from that end (one-way)
    end_minutes: FloatArray


def prepare(st: SimSetup, net: RoadNetwork, inc: SimIncidents, rng: np.random.Generator
            ) -> Prepared:
    """Snap incidents to points, mark those off the network or out of every unit's reach,
    draw on-scene minutes and decide who needs a second unit.

    An incident sits off the road by the straight distance to the nearest road its responders
    may use (``snap(to="edge")``, car roads when a car responds). The unit drives to whichever
    end of that road gets it there sooner, and from an end only in a direction it may drive
    (one-way), along the road to the point nearest the incident, for that share of the road's
    minutes at the hour; the crew walks the rest, straight from the road, at the scenario's
    foot speed (``speeds_kph['foot']``, default 5 km/h: the one speed the policy gives for
    moving off the road, the same for every unit). ``point`` (where the unit is on scene and
    goes on from) is the road's end nearer the incident. Before, the unit stopped at the
    nearest node and the crew walked from it even along the road: on ``ebian`` incidents lie
    2 m from a road but 37 m from a node (medians; 82 m at p90), and an incident 50 m down the
    road from a node took 0.6 min instead of 0.1 (a review). A unit that may not use the road
    at all (a mode barred from its class) goes to the nearer end and its crew walks from that
    node. Straight-line travel (``travel='straight'``) goes to the incident itself and has no
    leg."""
    cfg = st.config
    n = len(inc)
    status = np.zeros(n, dtype=np.int8)
    leg_m = np.zeros(n)
    # the walk off the road, at the scenario's foot speed (metres a minute)
    foot_mpm = float(st.scenario.policy.speeds_kph.get("foot", 5.0)) * 1000.0 / 60.0
    table = st.travel
    if n and np.any((inc.minutes < 0) | (inc.minutes >= st.horizon)):
        raise SimError(f"incident times must lie within the run (0 to {st.horizon:g} minutes)")
    if cfg.travel == "straight":
        base = table.n_points
        table = replace(table, xy=np.vstack([table.xy, inc.xy]))
        point = base + np.arange(n, dtype=np.int64)
        # off the network: farther than max_snap_m from every node of the scenario
        dist = snap(net, inc.xy, to="node").distance_m if n else np.zeros(0)
        status[dist > cfg.max_snap_m] = OFF_NETWORK
        ends = np.stack([point, point], axis=1)
        end_min = np.zeros((table.metres_per_minute.shape[0], n, 2))
    else:
        mode: Mode | None = "car" if "car" in st.unit_mode else None
        local = np.full(net.n_nodes, -1, dtype=np.int64)
        local[table.nodes] = np.arange(table.n_points)
        assert table.minutes is not None
        K = table.minutes.shape[0]
        end_min = np.full((K, n, 2), INF)
        if n:
            sn = snap(net, inc.xy, to="edge", mode=mode)
            point = local[sn.node]
            ends = np.stack([local[sn.u], local[sn.v]], axis=1)
            status[sn.distance_m > cfg.max_snap_m] = OFF_NETWORK
            leg_m = np.array(sn.distance_m, dtype=np.float64)
            f = np.asarray(sn.fraction, dtype=np.float64)
            near_v = sn.node == sn.v
            # the walk from the nearer end instead, for a mode that may not use the road
            d_end = np.hypot(*(inc.xy - net.xy[sn.node]).T)
            from_node = np.maximum(d_end - leg_m, 0.0) / foot_mpm
            done: set[int] = set()
            for m_i, md in enumerate(table.modes):
                for h in range(24):
                    k = int(table.hour_table[m_i, h])
                    if k in done:
                        continue
                    done.add(k)
                    fwd, bwd = edge_minutes(net, mode=md, hour=h)
                    fw, bw = fwd[sn.edge], bwd[sn.edge]
                    with np.errstate(invalid="ignore"):
                        # from u along u→v for f of the road, from v along v→u for 1 − f;
                        # none of the road from the end the incident is at
                        x0 = np.where(f <= 0.0, 0.0, f * fw)
                        x1 = np.where(f >= 1.0, 0.0, (1.0 - f) * bw)
                    barred = ~np.isfinite(fw) & ~np.isfinite(bw)
                    x0 = np.where(barred, np.where(near_v, INF, from_node), x0)
                    x1 = np.where(barred, np.where(near_v, from_node, INF), x1)
                    end_min[k, :, 0] = x0
                    end_min[k, :, 1] = x1
            # an end the run has no point for (a city's sampled points) is not used
            end_min[:, ends[:, 0] < 0, 0] = INF
            end_min[:, ends[:, 1] < 0, 1] = INF
        else:
            point = np.zeros(0, dtype=np.int64)
            ends = np.zeros((0, 2), dtype=np.int64)
        lost = (ends < 0).all(axis=1)
        if lost.any():
            # neither end among a city's sampled points (``simulate`` adds the incidents'
            # nearest nodes): the nearest node and the walk from it, as before the roads
            sn2 = snap(net, inc.xy[lost], to="node", mode=mode)
            point[lost] = local[sn2.node]
            ends[lost] = point[lost, None]
            end_min[:, lost, :] = 0.0
            leg_m[lost] = sn2.distance_m
        if np.any(point[lost] < 0):
            raise SimError("an incident snapped to a node outside the run's points; pass the "
                           "incident nodes as extra_nodes to setup()")
        point = np.where(point < 0, ends.max(axis=1), point)
        ends = np.where(ends < 0, point[:, None], ends)
        # unreachable: no responder reaches it from its home post at any hour
        reach = np.zeros(n, dtype=bool)
        for ui in np.flatnonzero(st.responder):
            m = table.modes.index(st.unit_mode[ui])
            for k in np.unique(table.hour_table[m]):
                via = table.minutes[k, st.home[ui]][ends] + end_min[k]
                reach |= np.isfinite(via.min(axis=1))
        status[(~reach) & (status == SERVED)] = UNREACHABLE
    means = np.array([cfg.on_scene(c) for c in inc.category], dtype=np.float64)
    if cfg.service == "fixed":
        service = means.copy()
    elif cfg.service == "exponential":
        service = rng.exponential(1.0, n) * means
    else:
        s2 = math.log1p(cfg.service_cv ** 2)
        service = means * np.exp(rng.normal(-s2 / 2.0, math.sqrt(s2), n))
    where = locate(st.scenario, inc.xy, site_radius_m=cfg.site_radius_m)
    second = np.isin(np.array(inc.category, dtype=object),
                     np.array(cfg.second_unit_categories, dtype=object))
    if cfg.second_unit_site_tier:
        second |= (where.site_tier > 0) & (where.site_tier <= cfg.second_unit_site_tier)
    if cfg.second_unit_ring_level:
        second |= (where.ring > 0) & (where.ring <= cfg.second_unit_ring_level)
    call, detected = _calls(st, inc, rng)
    status[(status == SERVED) & (call >= st.horizon)] = CALLED_AFTER_END
    leg = leg_m / foot_mpm
    return Prepared(incidents=inc, point=point.astype(np.int64), status=status,
                    service=service, second=second, travel=table, call=call,
                    detected=detected, order=np.argsort(call, kind="stable").astype(np.int64),
                    leg=leg, ends=np.ascontiguousarray(ends, dtype=np.int64),
                    end_minutes=np.ascontiguousarray(end_min, dtype=np.float64))


def camera_near(st: SimSetup, xy: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether each point lies within ``camera_radius_m`` of a camera the video desk watches
    at some time of the run (a camera of the plan's views)."""
    air, r = st.air, st.config.camera_radius_m
    out = np.zeros(xy.shape[0], dtype=bool)
    if not (air.watched and xy.shape[0]):
        return out
    from scipy.spatial import cKDTree

    d, _ = cKDTree(air.camera_xy).query(xy)
    out[:] = d <= r
    return out


def camera_seen(st: SimSetup, xy: FloatArray, minutes: FloatArray) -> FloatArray:
    """When a watched camera first shows each incident (at ``xy``, occurring at ``minutes``):
    the first moment a view of the video desk on a camera within ``camera_radius_m`` overlaps
    the incident's visible window (``camera_visible_minutes`` from its occurrence); inf where
    none does. ``_calls`` draws the operator's spotting over these; the KPIs count them
    (``camera_in_view``)."""
    cfg, air = st.config, st.air
    n = xy.shape[0]
    seen = np.full(n, INF)
    if not (air.watched and n):
        return seen
    from scipy.spatial import cKDTree

    tree = cKDTree(xy)
    window = cfg.camera_visible_minutes
    for c, near in enumerate(tree.query_ball_point(air.camera_xy, r=cfg.camera_radius_m)):
        if not near:
            continue
        lo, hi = int(air.view_ptr[c]), int(air.view_ptr[c + 1])
        vs, ve = air.view_start[lo:hi], air.view_end[lo:hi]
        if vs.size == 0:
            continue
        idx = np.asarray(near, dtype=np.int64)
        t = minutes[idx]
        k = np.searchsorted(ve, t, side="right")  # the first watched interval ending after t
        ok = k < vs.size
        kk = np.minimum(k, vs.size - 1)
        first = np.maximum(t, vs[kk])
        ok &= first <= t + window
        np.minimum.at(seen, idx[ok], first[ok])
    return seen


def _calls(st: SimSetup, inc: SimIncidents, rng: np.random.Generator
           ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Call times: the occurrence plus the citizen's reporting delay (exponential, mean by
    category), or earlier when the video desk spots it: a camera within ``camera_radius_m``
    watched while the incident unfolds (``camera_visible_minutes`` from its occurrence), with
    probability ``camera_detect_probability``, called in ``camera_detect_minutes`` after
    first seen. The draws come from a child stream of ``rng`` (``Generator.spawn``), so the
    ground model's own draws — and with mean 0 and no cameras every result — are those of a
    run without calls."""
    cfg = st.config
    n = len(inc)
    child = rng.spawn(1)[0]
    means = np.array([cfg.report_delay(c) for c in inc.category], dtype=np.float64)
    delay = child.exponential(1.0, n) * means
    chance = child.random(n)
    call: FloatArray = inc.minutes + delay
    detected = np.zeros(n, dtype=bool)
    if not (st.air.watched and cfg.camera_detect_probability > 0 and n):
        return call, detected
    seen = camera_seen(st, inc.xy, inc.minutes)
    t_det = seen + cfg.camera_detect_minutes
    detected = (chance < cfg.camera_detect_probability) & (t_det < call)
    call = np.where(detected, t_det, call)
    return call, detected


class _Run:
    """One replication. State per unit lives in Python lists (fast scalar access)."""

    def __init__(self, st: SimSetup, prep: Prepared, rng: np.random.Generator) -> None:
        self.st = st
        self.cfg = st.config
        self.rng = rng
        self.H = st.horizon
        self.L = float(st.slot_minutes)
        self.P = st.n_plan_slots
        self.off = st.slot_offset
        self.sm = st.start_minute
        tab = prep.travel
        self.tab = tab
        self.mat = tab.minutes
        self.mat_list: list[list[list[float]]] | None = (
            tab.minutes.tolist() if tab.minutes is not None and tab.n_points <= 1500 else None)
        self.ht: list[list[int]] = tab.hour_table.tolist()
        self.mode_i = [tab.modes.index(m) for m in st.unit_mode]
        self.k_by_hour = [[self.ht[m][h] for m in self.mode_i] for h in range(24)]
        self.U = len(st.units)
        self.duty: list[list[int]] = st.duty.tolist()
        self.place: list[list[int]] = st.place.tolist()
        self.grid_points = [g.tolist() for g in st.grid_points]
        self.route_points = [r.tolist() for r in st.route_points]
        self.route_dwells = [d.tolist() for d in st.route_dwells]
        self.gap = st.handover_minutes
        # a route duty's progress: the run slot of the route and how many of its points the
        # unit has made there (a call interrupts the walk; ``_idle`` resumes from here)
        self.r_slot = [-1] * self.U
        self.r_made = [0] * self.U
        # the points made of each run slot's route (``EventLog.route_made``)
        self.made = [[0] * math.ceil(self.H / self.L) for _ in range(self.U)]
        self._breaks()
        self.prep = prep
        inc = prep.incidents
        self.inc_t: list[float] = prep.call.tolist()  # calls: dispatch starts here
        self.inc_p: list[int] = inc.priority.tolist()
        self.inc_pt: list[int] = prep.point.tolist()
        self.remaining: list[float] = prep.service.tolist()
        self.leg: list[float] = prep.leg.tolist()
        # the incident's road: its two ends and, per matrix, the minutes from each along it
        self.e0: list[int] = prep.ends[:, 0].tolist()
        self.e1: list[int] = prep.ends[:, 1].tolist()
        self.x0: list[list[float]] = prep.end_minutes[:, :, 0].tolist()
        self.x1: list[list[float]] = prep.end_minutes[:, :, 1].tolist()
        self.n_disp = [0] * len(inc)
        self.preempted = [0] * len(inc)
        self.second_unit = [-1] * len(inc)
        self.responders = [u for u in range(self.U) if st.responder[u]]
        # unit state
        U = self.U
        self.busy = [False] * U
        self.kind = [OFF] * U
        self.sa = [0] * U
        self.sb = [0] * U
        self.t0 = [0.0] * U
        self.t1 = [0.0] * U
        self.gens: list[Iterator[tuple[int, int, int, float, float]] | None] = [None] * U
        self.b_inc = [-1] * U
        self.b_role = [0] * U
        self.b_from = [0] * U
        self.b_to = [0] * U
        self.b_t0 = [0.0] * U
        self.b_arr = [0.0] * U
        self.b_end = [0.0] * U
        self.b_row = [-1] * U
        self.b_since = [0.0] * U
        self.version = [0] * U
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.seq = 0
        self.queue: list[tuple[int, float, int]] = []
        # logs
        self.s_unit = array("i")
        self.s_kind = array("b")
        self.s_from = array("i")
        self.s_to = array("i")
        self.s_start = array("d")
        self.s_end = array("d")
        self.d_inc = array("i")
        self.d_unit = array("i")
        self.d_role = array("b")
        self.d_time = array("d")
        self.d_arr = array("d")
        self.d_clear = array("d")
        self.d_travel = array("d")
        self.d_pre = array("b")
        self._u01 = np.empty(0)
        self._u01_i = 0

    # -- plan lookups --------------------------------------------------------------------------
    def _breaks(self) -> None:
        st = self.st
        J = math.ceil(st.horizon / self.L)
        js = st.plan_slot(np.arange(J, dtype=np.int64))
        key = st.duty[:, js].astype(np.int64) * (1 << 40) + st.place[:, js] + 1
        self.changes: list[list[float]] = []
        self.handovers: list[list[float]] = []
        on = st.duty[:, js] != D_OFF
        # a route is the plan's for its slot: it starts again at every slot boundary, even when
        # the next slot's route is the same (``_idle``)
        route = st.duty[:, js] == D_ROUTE
        s = st.shift_times
        both = on_both_sides(on, s, self.L) if self.gap > 0 and s.size else None
        for u in range(self.U):
            ch = np.flatnonzero((key[u, 1:] != key[u, :-1]) | route[u, 1:]) + 1
            self.changes.append((ch * self.L).tolist())
            self.handovers.append([] if both is None else s[both[u]].tolist())
        # times a queued incident may find a unit newly free: ends of handovers, duty starts
        checks: set[float] = set()
        for u in range(self.U):
            checks.update(h + self.gap for h in self.handovers[u])
        starts = np.flatnonzero((~on[:, :-1] & on[:, 1:]).any(axis=0)) + 1
        checks.update((starts * self.L).tolist())
        self.checks = sorted(c for c in checks if c < self.st.horizon)

    def _duty(self, u: int, t: float) -> tuple[int, int]:
        ps = (int(t // self.L) + self.off) % self.P
        return self.duty[u][ps], self.place[u][ps]

    def _k(self, u: int, t: float) -> int:
        return self.ht[self.mode_i[u]][int((self.sm + t) // 60.0) % 24]

    def _tt(self, k: int, a: int, b: int) -> float:
        if self.mat_list is not None:
            return self.mat_list[k][a][b]
        return self.tab.one(k, a, b)

    def _uniform(self) -> float:
        if self._u01_i >= self._u01.shape[0]:
            self._u01 = self.rng.random(4096)
            self._u01_i = 0
        v = float(self._u01[self._u01_i])
        self._u01_i += 1
        return v

    # -- idle movement -------------------------------------------------------------------------
    def _idle(self, u: int, t: float, pos: int, pending: bool
              ) -> Iterator[tuple[int, int, int, float, float]]:
        H, gap = self.H, self.gap
        if pending and gap > 0:
            yield (HANDOVER, pos, pos, t, t + gap)
            t += gap
        ch, ho = self.changes[u], self.handovers[u]
        while t < H:
            duty, place = self._duty(u, t)
            i1 = bisect_right(ch, t)
            nc = ch[i1] if i1 < len(ch) else H
            i2 = bisect_right(ho, t)
            nh = ho[i2] if i2 < len(ho) else H
            nb = min(nc, nh, H)
            if duty == D_OFF:
                yield (OFF, pos, pos, t, nb)
                t = nb
            elif duty in (D_POST, D_CHECKPOINT):
                if pos != place:
                    tt = self._tt(self._k(u, t), pos, place)
                    if tt < INF:
                        yield (MOVE, pos, place, t, t + tt)
                        t += tt
                        pos = place
                if t < nb:
                    yield (STAND, pos, pos, t, nb)
                    t = nb
            elif duty == D_ROUTE:
                # the plan's route for this slot, once, in order (module docstring): the
                # first point not yet made in this run slot (0 when the slot starts; after a
                # call, where the unit left off), then on to the last; a point is made once
                # reached (a stop cut short by a call is not made again)
                pts, stops = self.route_points[place], self.route_dwells[place]
                j = int(t // self.L)
                if self.r_slot[u] != j:
                    self.r_slot[u], self.r_made[u] = j, 0
                i = self.r_made[u]
                while t < nb:
                    if i >= len(pts):  # the route is done: the unit holds (stands) there
                        yield (STAND, pos, pos, t, nb)
                        t = nb
                        break
                    nxt, stop = pts[i], stops[i]
                    dwell = stop if stop >= 0.0 else self.cfg.route_dwell_minutes
                    i += 1
                    tt = self._tt(self._k(u, t), pos, nxt) if nxt != pos else 0.0
                    if tt == INF:  # out of reach: on to the next point
                        self.r_made[u] = self.made[u][j] = i
                        continue
                    if tt > 0.0:
                        yield (PMOVE, pos, nxt, t, t + tt)
                        t += tt
                        pos = nxt
                    self.r_made[u] = self.made[u][j] = i
                    if dwell > 0.0 and t < nb:
                        # a stop ends when the duty changes or the shift hands over (below);
                        # the plan carries a stop past its slot's end on as the next slot's
                        # first point with the rest of the stop (a leading hold leg)
                        end = min(t + dwell, nb)
                        yield (DWELL, pos, pos, t, end)
                        t = end
            else:
                pts = self.grid_points[place]
                dwell = self.cfg.patrol_dwell_minutes
                stuck = 0
                while t < nb:
                    nxt = pts[int(self._uniform() * len(pts))]
                    tt = self._tt(self._k(u, t), pos, nxt) if nxt != pos else 0.0
                    if tt == INF or (tt == 0.0 and dwell <= 0.0):
                        stuck += 1
                        if stuck > 4 * len(pts) + 4:  # nothing reachable: stand until nb
                            yield (STAND, pos, pos, t, nb)
                            t = nb
                        continue
                    stuck = 0
                    if tt > 0.0:
                        yield (PMOVE, pos, nxt, t, t + tt)
                        t += tt
                        pos = nxt
                    if dwell > 0.0 and t < nb:
                        # a stop ends when the duty changes or the shift hands over: the
                        # unit leaves for its next duty (an auxiliary group's hour at a
                        # site ran on up to 15 min past it, through the handover)
                        end = min(t + dwell, nb)
                        yield (DWELL, pos, pos, t, end)
                        t = end
            if nb == nh and nh < H and t < H:
                yield (HANDOVER, pos, pos, t, t + gap)
                t += gap

    def _log_seg(self, u: int, kind: int, a: int, b: int, t0: float, t1: float) -> None:
        # a response is logged even when it takes no time (an incident on the sent unit's
        # node): its segment is where ``incident_outcomes`` reads where the unit came from
        # (dropped, the review's row w0 had an empty from_node)
        if t1 > t0 or kind == DWELL or (kind == RESPOND and t1 == t0):
            self.s_unit.append(u)
            self.s_kind.append(kind)
            self.s_from.append(a)
            self.s_to.append(b)
            self.s_start.append(t0)
            self.s_end.append(t1)

    def _start_idle(self, u: int, t: float, pos: int, pending: bool) -> None:
        self.busy[u] = False
        self.gens[u] = self._idle(u, t, pos, pending)
        self.kind[u], self.sa[u], self.sb[u], self.t0[u], self.t1[u] = OFF, pos, pos, t, t
        self._advance(u, t)

    def _advance(self, u: int, t: float) -> None:
        """Bring idle unit u to the segment that holds time t (logging those passed)."""
        while self.t1[u] <= t:
            if self.t1[u] > self.t0[u]:
                self.s_unit.append(u)
                self.s_kind.append(self.kind[u])
                self.s_from.append(self.sa[u])
                self.s_to.append(self.sb[u])
                self.s_start.append(self.t0[u])
                self.s_end.append(self.t1[u])
            gen = self.gens[u]
            assert gen is not None
            try:
                k, a, b, s0, s1 = next(gen)
            except StopIteration:
                pos = self.sb[u]
                self.kind[u], self.sa[u], self.sb[u] = OFF, pos, pos
                self.t0[u], self.t1[u] = max(self.t1[u], self.H), INF
                return
            self.kind[u], self.sa[u], self.sb[u], self.t0[u], self.t1[u] = k, a, b, s0, s1

    def _where(self, u: int, t: float) -> tuple[int, int, float]:
        """(from point, to point, fraction) of an idle unit already advanced to t."""
        a, b = self.sa[u], self.sb[u]
        if a == b:
            return a, b, 0.0
        t0, t1 = self.t0[u], self.t1[u]
        return a, b, (t - t0) / (t1 - t0) if t1 > t0 else 1.0

    def _to_inc(self, k: int, a: int, i: int) -> float:
        """Minutes of matrix k from point a to incident i's point on its road: by the end
        that gets there sooner (``prepare``), without the walk."""
        return min(self._tt(k, a, self.e0[i]) + self.x0[k][i],
                   self._tt(k, a, self.e1[i]) + self.x1[k][i])

    def _time_from(self, k: int, a: int, b: int, f: float, i: int) -> float:
        ta = self._to_inc(k, a, i)
        if a == b or f <= 0.0:
            return ta
        tb = self._to_inc(k, b, i)
        if f >= 1.0:
            return tb
        return (1.0 - f) * ta + f * tb

    # -- dispatching ---------------------------------------------------------------------------
    def _nearest(self, t: float, i: int, exclude: int = -1) -> tuple[int, float]:
        """The free, on-duty responder that reaches incident ``i`` soonest from where it is
        now (ties: the first in plan order). The hot loop of the simulator, written flat."""
        best, bu = INF, -1
        hour = int((self.sm + t) // 60.0) % 24
        ks = self.k_by_hour[hour]
        busy, kind, sa, sb, t0, t1 = self.busy, self.kind, self.sa, self.sb, self.t0, self.t1
        ml = self.mat_list
        e0, e1, x0, x1 = self.e0[i], self.e1[i], self.x0, self.x1
        for u in self.responders:
            if busy[u] or u == exclude:
                continue
            if t1[u] <= t:
                self._advance(u, t)
            if kind[u] >= HANDOVER:
                continue
            a, b = sa[u], sb[u]
            if ml is None:
                f = 0.0 if a == b else (t - t0[u]) / (t1[u] - t0[u])
                tt = self._time_from(ks[u], a, b, f, i)
            else:
                k = ks[u]
                rows, y0, y1 = ml[k], x0[k][i], x1[k][i]
                tt = min(rows[a][e0] + y0, rows[a][e1] + y1)
                if a != b:
                    s0, s1 = t0[u], t1[u]
                    f = (t - s0) / (s1 - s0) if s1 > s0 else 1.0
                    if f > 0.0:
                        tb = min(rows[b][e0] + y0, rows[b][e1] + y1)
                        tt = tb if f >= 1.0 else (1.0 - f) * tt + f * tb
            if tt < best:
                best, bu = tt, u
        return bu, best

    def _busy_where(self, u: int, t: float) -> tuple[int, int, float]:
        if t < self.b_arr[u]:
            span = self.b_arr[u] - self.b_t0[u]
            return self.b_from[u], self.b_to[u], (t - self.b_t0[u]) / span if span > 0 else 1.0
        return self.b_to[u], self.b_to[u], 0.0

    def _nearest_busy(self, t: float, i: int, prio: int) -> tuple[int, float]:
        best, bu = INF, -1
        hour = int((self.sm + t) // 60.0) % 24
        for u in self.responders:
            if not self.busy[u] or self.inc_p[self.b_inc[u]] <= prio:
                continue
            k = self.ht[self.mode_i[u]][hour]
            a, b, f = self._busy_where(u, t)
            tt = self._time_from(k, a, b, f, i)
            if tt < best:
                best, bu = tt, u
        return bu, best

    def _close_busy(self, u: int, t: float, preempted: bool) -> None:
        row = self.b_row[u]
        if t < self.b_arr[u]:
            self._log_seg(u, RESPOND, self.b_from[u], self.b_to[u], self.b_t0[u], t)
            self.d_arr[row] = math.nan
        else:
            self._log_seg(u, RESPOND, self.b_from[u], self.b_to[u], self.b_t0[u],
                          self.b_arr[u])
            self._log_seg(u, SCENE, self.b_to[u], self.b_to[u], self.b_arr[u], t)
        self.d_clear[row] = t
        if preempted:
            self.d_pre[row] = 1

    def _dispatch(self, u: int, i: int, t: float, tt: float, role: int) -> None:
        if self.busy[u]:  # pre-empted: leave the incident it serves
            j, r = self.b_inc[u], self.b_role[u]
            a, b, f = self._busy_where(u, t)
            arrived = t >= self.b_arr[u]
            self._close_busy(u, t, preempted=True)
            self.preempted[j] += 1
            if r != 2:
                if arrived:
                    self.remaining[j] = max(0.0, self.b_end[u] - t)
                heapq.heappush(self.queue, (self.inc_p[j], self.inc_t[j], j))
        else:
            a, b, f = self._where(u, t)
            kind = self.kind[u]
            if self.t1[u] > self.t0[u] and t > self.t0[u]:
                self._log_seg(u, kind, a, b, self.t0[u], t)
            self.gens[u] = None
            self.busy[u] = True
            self.b_since[u] = t
        src = b if f >= 0.5 else a
        dest = self.inc_pt[i]
        # the last leg on foot from the road (``prepare``); the unit counts as responding
        # (on its way) until it arrives
        tt += self.leg[i]
        arr = t + tt
        end = arr + self.remaining[i]
        self.b_inc[u], self.b_role[u], self.b_from[u], self.b_to[u] = i, role, src, dest
        self.b_t0[u], self.b_arr[u], self.b_end[u] = t, arr, end
        self.b_row[u] = len(self.d_inc)
        self.version[u] += 1
        self.seq += 1
        heapq.heappush(self.heap, (end, self.seq, 0, u, self.version[u]))
        self.d_inc.append(i)
        self.d_unit.append(u)
        self.d_role.append(role)
        self.d_time.append(t)
        self.d_arr.append(arr)
        self.d_clear.append(end)
        self.d_travel.append(tt)
        self.d_pre.append(0)
        self.n_disp[i] += 1

    def _arrive(self, i: int, t: float) -> None:
        if self.prep.status[i] != SERVED:
            return
        u, tt = self._nearest(t, i)
        if u < 0 and self.cfg.preemption:
            u, tt = self._nearest_busy(t, i, self.inc_p[i])
        if u < 0:
            heapq.heappush(self.queue, (self.inc_p[i], t, i))
            return
        self._dispatch(u, i, t, tt, 1)
        if self.prep.second[i]:
            u2, tt2 = self._nearest(t, i, exclude=u)
            if u2 >= 0:
                self._dispatch(u2, i, t, tt2, 2)
                self.second_unit[i] = u2

    def _serve_queue(self, t: float) -> None:
        held: list[tuple[int, float, int]] = []
        while self.queue:
            item = heapq.heappop(self.queue)
            j = item[2]
            u, tt = self._nearest(t, j)
            if u < 0:
                held.append(item)
                if tt == INF and not any(not self.busy[v] and self.kind[v] < HANDOVER
                                         for v in self.responders):
                    break  # nobody free at all
                continue
            self._dispatch(u, j, t, tt, 3 if self.n_disp[j] else 1)
        for item in held:
            heapq.heappush(self.queue, item)

    def _free(self, u: int, t: float) -> None:
        i, role = self.b_inc[u], self.b_role[u]
        self._close_busy(u, t, preempted=False)
        if role != 2:
            self.remaining[i] = 0.0
        scene = self.b_to[u]
        # calls made before the horizon are still served after it (the queue drains)
        if self.queue and self._duty(u, t)[0] != D_OFF:
            k = self._k(u, t)
            held: list[tuple[int, float, int]] = []
            sent = False
            while self.queue:
                item = heapq.heappop(self.queue)
                j = item[2]
                tt = self._to_inc(k, scene, j)
                if tt < INF:
                    self.busy[u] = False  # leaves this scene: a fresh dispatch
                    self._dispatch_from(u, j, t, tt, scene)
                    sent = True
                    break
                held.append(item)
            for item in held:
                heapq.heappush(self.queue, item)
            if sent:
                return
        ho = self.handovers[u]
        pending = bisect_right(ho, t) > bisect_right(ho, self.b_since[u])
        self._start_idle(u, t, scene, pending)
        if pending and self.queue and t + self.gap < self.H:
            self.seq += 1
            heapq.heappush(self.heap, (t + self.gap, self.seq, 1, -1, 0))

    def _dispatch_from(self, u: int, j: int, t: float, tt: float, scene: int) -> None:
        since = self.b_since[u]
        self.kind[u], self.sa[u], self.sb[u], self.t0[u], self.t1[u] = OFF, scene, scene, t, t
        self.gens[u] = None
        self._dispatch(u, j, t, tt, 3 if self.n_disp[j] else 1)
        self.b_since[u] = since

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> EventLog:
        st = self.st
        for u in range(self.U):
            self._start_idle(u, 0.0, int(st.home[u]), False)
        for c in self.checks:
            self.seq += 1
            self.heap.append((c, self.seq, 1, -1, 0))
        heapq.heapify(self.heap)
        heap = self.heap
        for i in self.prep.order.tolist():
            t = self.inc_t[i]
            while heap and heap[0][0] <= t:
                self._event(heapq.heappop(heap))
            self._arrive(i, t)
        while heap:
            self._event(heapq.heappop(heap))
        for u in range(self.U):
            if not self.busy[u]:
                self._advance(u, self.H)
                if self.t0[u] < self.H < self.t1[u]:
                    self._log_seg(u, self.kind[u], self.sa[u], self.sb[u], self.t0[u], self.H)
        return self._log()

    def _event(self, ev: tuple[float, int, int, int, int]) -> None:
        t, _, typ, u, ver = ev
        if typ == 0:
            if ver == self.version[u] and self.busy[u]:
                self._free(u, t)
        elif self.queue and t < self.H:
            self._serve_queue(t)

    def _log(self) -> EventLog:
        return _make_log(
            self.prep,
            np.frombuffer(self.d_inc, dtype=np.int32), np.frombuffer(self.d_unit, dtype=np.int32),
            np.frombuffer(self.d_role, dtype=np.int8), np.frombuffer(self.d_time, dtype=np.float64),
            np.frombuffer(self.d_arr, dtype=np.float64),
            np.frombuffer(self.d_clear, dtype=np.float64),
            np.frombuffer(self.d_travel, dtype=np.float64),
            np.frombuffer(self.d_pre, dtype=np.int8),
            np.asarray(self.second_unit), np.asarray(self.preempted),
            (np.frombuffer(self.s_unit, dtype=np.int32), np.frombuffer(self.s_kind, dtype=np.int8),
             np.frombuffer(self.s_from, dtype=np.int32), np.frombuffer(self.s_to, dtype=np.int32),
             np.frombuffer(self.s_start, dtype=np.float64),
             np.frombuffer(self.s_end, dtype=np.float64)),
            np.asarray(self.made, dtype=np.int64).reshape(self.U, -1))


def _make_log(prep: Prepared, d_inc: npt.NDArray[np.generic], d_unit: npt.NDArray[np.generic],
              d_role: npt.NDArray[np.generic], d_time: npt.NDArray[np.generic],
              d_arr: npt.NDArray[np.generic], d_clear: npt.NDArray[np.generic],
              d_travel: npt.NDArray[np.generic], d_pre: npt.NDArray[np.generic],
              second_unit: npt.NDArray[np.generic], preempted: npt.NDArray[np.generic],
              segs: tuple[npt.NDArray[np.generic], ...], route_made: IntArray) -> EventLog:
    """The event log of one replication from its raw columns (both engines end here)."""
    n = prep.incidents.minutes.shape[0]
    di = np.asarray(d_inc, dtype=np.int32).copy()
    du = np.asarray(d_unit, dtype=np.int32).copy()
    dr = np.asarray(d_role, dtype=np.int8).copy()
    dt = np.asarray(d_time, dtype=np.float64).copy()
    da = np.asarray(d_arr, dtype=np.float64).copy()
    dc = np.asarray(d_clear, dtype=np.float64).copy()
    dtt = np.asarray(d_travel, dtype=np.float64).copy()
    first_unit = np.full(n, -1, dtype=np.int32)
    dispatch = np.full(n, np.nan)
    arrival = np.full(n, np.nan)
    travel = np.full(n, np.nan)
    clear = np.full(n, np.nan)
    rows = np.flatnonzero((dr != 2) & np.isfinite(da))
    # the first arrival of a first or resuming unit is the incident's response
    order = rows[np.lexsort((da[rows], di[rows]))][::-1]
    first_unit[di[order]] = du[order]
    dispatch[di[order]] = dt[order]
    arrival[di[order]] = da[order]
    travel[di[order]] = dtt[order]
    if di.size:
        np.fmax.at(clear, di, dc)
    status = prep.status.copy()
    status[(status == SERVED) & np.isnan(arrival)] = UNSERVED
    return EventLog(
        point_xy=prep.travel.xy,
        inc_minutes=prep.incidents.minutes,
        inc_call=prep.call,
        inc_detected=prep.detected,
        inc_drone=np.full(n, -1, dtype=np.int32),
        inc_drone_eyes=np.full(n, np.nan),
        a_drone=np.zeros(0, dtype=np.int32), a_kind=np.zeros(0, dtype=np.int8),
        a_start=np.zeros(0), a_end=np.zeros(0), a_incident=np.zeros(0, dtype=np.int32),
        inc_point=prep.point,
        inc_status=status,
        inc_first_unit=first_unit,
        inc_dispatch=dispatch,
        inc_arrival=arrival,
        inc_travel=travel,
        inc_clear=clear,
        inc_second_unit=np.asarray(second_unit, dtype=np.int32).reshape(-1).copy(),
        inc_second_wanted=prep.second.copy(),
        inc_preempted=np.asarray(preempted, dtype=np.int32).reshape(-1).copy(),
        d_incident=di, d_unit=du, d_role=dr, d_time=dt, d_arrival=da, d_clear=dc,
        d_travel=dtt, d_preempted=np.asarray(d_pre).astype(bool),
        s_unit=np.asarray(segs[0], dtype=np.int32).copy(),
        s_kind=np.asarray(segs[1], dtype=np.int8).copy(),
        s_from=np.asarray(segs[2], dtype=np.int32).copy(),
        s_to=np.asarray(segs[3], dtype=np.int32).copy(),
        s_start=np.asarray(segs[4], dtype=np.float64).copy(),
        s_end=np.asarray(segs[5], dtype=np.float64).copy(),
        route_made=np.asarray(route_made, dtype=np.int64).copy(),
    )


def _ragged(rows: Sequence[Sequence[float]] | Sequence[npt.NDArray[np.generic]], dtype: type
            ) -> tuple[IntArray, npt.NDArray[np.generic]]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    vals = (np.concatenate([np.asarray(r, dtype=dtype) for r in rows]) if len(rows)
            else np.zeros(0, dtype=dtype))
    return ptr, np.ascontiguousarray(vals, dtype=dtype)


def _run_compiled(st: SimSetup, prep: Prepared, rng: np.random.Generator) -> EventLog:
    """The numba kernel (``_kernel.run_kernel``): the same model as ``_Run``."""
    from xunfang.sim._kernel import run_kernel

    tab = prep.travel
    assert tab.minutes is not None
    cfg = st.config
    helper = _Run.__new__(_Run)
    helper.st, helper.L, helper.U, helper.gap = st, float(st.slot_minutes), len(st.units), \
        st.handover_minutes
    _Run._breaks(helper)
    ch_ptr, ch_val = _ragged(helper.changes, np.float64)
    ho_ptr, ho_val = _ragged(helper.handovers, np.float64)
    mode_i = np.array([tab.modes.index(m) for m in st.unit_mode], dtype=np.int64)
    k_by_hour = np.ascontiguousarray(tab.hour_table[mode_i].T)  # (24, units)
    n_modes = len(tab.modes)
    gp_ptr, gp_val = _ragged([g for g in st.grid_points for _ in range(n_modes)], np.int64)
    rp_ptr, rp_val = _ragged(list(st.route_points), np.int64)
    _, rp_dw = _ragged(list(st.route_dwells), np.float64)
    # the patrol's random choices: at most one per stop of dwell minutes, per restart after a
    # call, and per retry of a stuck walk; drawn in blocks of 4096 like ``_Run._uniform``
    n_slots = math.ceil(st.horizon / st.slot_minutes)
    js = st.plan_slot(np.arange(n_slots, dtype=np.int64))
    grid_minutes = float((st.duty[:, js] == D_GRID).sum()) * st.slot_minutes
    need = grid_minutes / max(cfg.patrol_dwell_minutes, 1e-3) + 4 * len(prep.incidents) + 4096
    uniforms = rng.random(math.ceil(need / 4096) * 4096) if grid_minutes else np.zeros(1)
    made = np.zeros((len(st.units), n_slots), dtype=np.int64)  # filled by the kernel
    out = run_kernel(
        float(st.horizon), float(st.slot_minutes), st.n_plan_slots, st.slot_offset,
        st.start_minute, st.handover_minutes, float(cfg.patrol_dwell_minutes),
        float(cfg.route_dwell_minutes), bool(cfg.preemption),
        np.ascontiguousarray(st.duty, dtype=np.int64), np.ascontiguousarray(st.place),
        ch_ptr, ch_val, ho_ptr, ho_val, np.asarray(helper.checks, dtype=np.float64),
        mode_i, k_by_hour, np.ascontiguousarray(tab.minutes), gp_ptr, gp_val, n_modes,
        rp_ptr, rp_val, rp_dw, np.ascontiguousarray(st.home, dtype=np.int64),
        np.ascontiguousarray(st.responder, dtype=np.bool_), prep.call, prep.order,
        np.ascontiguousarray(prep.incidents.priority, dtype=np.int64), prep.point,
        prep.service.astype(np.float64), prep.status.astype(np.int64),
        prep.second.astype(np.bool_), uniforms, np.ascontiguousarray(prep.leg, np.float64),
        prep.ends, prep.end_minutes, made)
    s_u, s_k, s_a, s_b, s_0, s_1, d_i, d_u, d_r, d_t, d_arr, d_clr, d_tt, d_pre, sec, pre = out
    return _make_log(prep, d_i, d_u, d_r, d_t, d_arr, d_clr, d_tt, d_pre, sec, pre,
                     (s_u, s_k, s_a, s_b, s_0, s_1), made)


def run_once(st: SimSetup, net: RoadNetwork, incidents: SimIncidents,
             rng: np.random.Generator) -> EventLog:
    """One replication of ``incidents`` under the setup, randomness from ``rng`` only."""
    prep = prepare(st, net, incidents, rng)
    return _run(st, prep, rng)


def _run(st: SimSetup, prep: Prepared, rng: np.random.Generator) -> EventLog:
    """The compiled kernel where travel is by network matrices; the Python engine otherwise
    (straight-line travel) or when ``SimConfig.engine`` asks for it. Then the drones."""
    if st.config.engine == "python" or prep.travel.minutes is None:
        return fly_drones(st, prep, _Run(st, prep, rng).run(), compiled=False)
    return fly_drones(st, prep, _run_compiled(st, prep, rng), compiled=True)


def fly_drones(st: SimSetup, prep: Prepared, log: EventLog, *, compiled: bool) -> EventLog:
    """The drones of the plan over the ground run of ``log``: their sorties, and eyes on the
    scene of the calls they reach before the first ground unit (see ``SimConfig``).

    The drones never change what the ground units do (they are not the response), so they fly
    after the ground loop, over its log: the ground unit's arrival time the dispatcher knew at
    the call (the first unit sent then; none when the call waited) is what a drone must beat.
    Drones answer the calls the dispatcher handles (served or left waiting), not incidents off
    the network or out of every unit's reach. Two implementations of the same model: the
    readable ``_Air`` below (the Python engine) and ``_drones.drone_pass`` compiled by numba
    (the compiled engine); ``tests/sim/test_kernel.py`` holds them to equal logs.
    """
    air = st.air
    if air.n_drones == 0:
        return log
    n = log.n_incidents
    eta = np.full(n, INF)
    at_call = (log.d_role == 1) & (log.d_time == log.inc_call[log.d_incident])
    np.minimum.at(eta, log.d_incident[at_call],
                  (log.d_time + log.d_travel)[at_call])
    eligible = (log.inc_status == SERVED) | (log.inc_status == UNSERVED)
    cfg = st.config
    if compiled:
        from xunfang.sim import _drones

        out = _drones.drone_pass(
            prep.order, log.inc_call, np.ascontiguousarray(prep.incidents.xy[:, 0]),
            np.ascontiguousarray(prep.incidents.xy[:, 1]), eligible, eta,
            np.ascontiguousarray(air.home_xy[:, 0]), np.ascontiguousarray(air.home_xy[:, 1]),
            air.on_duty, float(st.slot_minutes), st.n_plan_slots, st.slot_offset,
            air.drone_ptr, air.sortie_start, air.sortie_end, air.wp_ptr,
            np.ascontiguousarray(air.wp_xy[:, 0]), np.ascontiguousarray(air.wp_xy[:, 1]),
            air.speed_m_per_min, air.launch_minutes, float(cfg.drone_overwatch_minutes),
            air.battery_minutes, air.recharge_minutes, st.horizon)
        inc_drone, eyes, a_drone, a_kind, a_start, a_end, a_inc, na = out
        na = int(na)
        a_drone, a_kind, a_start, a_end, a_inc = (a_drone[:na], a_kind[:na], a_start[:na],
                                                  a_end[:na], a_inc[:na])
    else:
        inc_drone, eyes, a_drone, a_kind, a_start, a_end, a_inc = _Air(
            st, prep.incidents.xy, eta).run(prep.order.tolist(), log.inc_call.tolist(),
                                            eligible.tolist())
    return replace(
        log, inc_drone=np.asarray(inc_drone, dtype=np.int32),
        inc_drone_eyes=np.asarray(eyes, dtype=np.float64),
        a_drone=np.asarray(a_drone, dtype=np.int32),
        a_kind=np.asarray(a_kind, dtype=np.int8),
        a_start=np.asarray(a_start, dtype=np.float64),
        a_end=np.asarray(a_end, dtype=np.float64),
        a_incident=np.asarray(a_inc, dtype=np.int32))


@dataclass
class _Drone:
    """One drone's state between calls."""

    home: tuple[float, float]
    sorties: list[int]  # its sorties (indices into the air layer), by start
    next: int = 0  # the first sortie not yet due
    free_at: float = -INF  # on the ground and charged from then on
    flying: int = -1  # the sortie it is flying, -1: none
    row: int = -1  # that sortie's row in the log


class _Air:
    """The drones of one replication, readable (the Python engine's half of ``fly_drones``)."""

    def __init__(self, st: SimSetup, inc_xy: FloatArray, ground_eta: FloatArray) -> None:
        air, cfg = st.air, st.config
        self.st, self.air = st, air
        self.inc_xy: list[list[float]] = inc_xy.tolist()
        self.ground_eta: list[float] = ground_eta.tolist()
        self.speed, self.launch = air.speed_m_per_min, air.launch_minutes
        self.overwatch, self.battery = cfg.drone_overwatch_minutes, air.battery_minutes
        self.recharge = air.recharge_minutes
        self.start: list[float] = air.sortie_start.tolist()
        self.end: list[float] = air.sortie_end.tolist()
        wp = air.wp_xy.tolist()
        ptr = air.wp_ptr.tolist()
        self.path: list[list[tuple[float, float]]] = [
            [(wp[j][0], wp[j][1]) for j in range(ptr[k], ptr[k + 1])]
            for k in range(len(self.start))]
        dp = air.drone_ptr.tolist()
        self.drones = [_Drone(home=(float(air.home_xy[d, 0]), float(air.home_xy[d, 1])),
                              sorties=list(range(dp[d], dp[d + 1])))
                       for d in range(air.n_drones)]
        self.on_duty: list[list[bool]] = air.on_duty.tolist()
        self.rows: list[tuple[int, int, float, float, int]] = []  # drone, kind, from, to, inc

    def _catch_up(self, d: int, due: float, inclusive: bool) -> None:
        """Fly or miss drone d's sorties starting by ``due``."""
        dr = self.drones[d]
        while dr.next < len(dr.sorties):
            k = dr.sorties[dr.next]
            s0 = self.start[k]
            if s0 > due or (s0 == due and not inclusive):
                break
            dr.next += 1
            if dr.free_at <= s0 + 1e-9:  # on the ground and charged: it flies
                dr.flying, dr.row = k, len(self.rows)
                dr.free_at = self.end[k] + self.recharge
                self.rows.append((d, A_SORTIE, s0, self.end[k], -1))
            else:  # away on a call or recharging
                self.rows.append((d, A_MISSED, s0, self.end[k], -1))

    def _position(self, k: int, t: float) -> tuple[float, float]:
        """Where a drone flying sortie k is at t: an even pace along its waypoints from the
        end of the launch to the landing."""
        fly0 = self.start[k] + self.launch
        span = self.end[k] - fly0
        frac = (t - fly0) / span if span > 0.0 else 0.0
        pts = self.path[k]
        legs = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(pts)]
        total = 0.0
        for leg in legs:
            total += leg
        if total <= 0.0 or frac <= 0.0:
            return pts[0]
        goal = min(frac, 1.0) * total
        done = 0.0
        for j, leg in enumerate(legs):
            if leg > 0.0 and done + leg >= goal:
                f = (goal - done) / leg
                a, b = pts[j], pts[j + 1]
                return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
            done += leg
        return pts[-1]

    def _offer(self, d: int, t: float, i: int) -> tuple[float, float] | None:
        """(eyes on scene, minutes home from the scene) of drone d for call i at t, or None
        when it is away, recharging, off duty or short of battery."""
        dr = self.drones[d]
        if dr.flying >= 0 and self.end[dr.flying] <= t:
            dr.flying = -1
        if dr.flying >= 0:  # airborne on a sortie: its battery drawn since the launch
            k = dr.flying
            px, py = self._position(k, t)
            left = self.battery - (t - self.start[k])
            extra = max(0.0, self.start[k] + self.launch - t)
        else:
            ps = (int(t // self.st.slot_minutes) + self.st.slot_offset) % self.st.n_plan_slots
            if not (dr.free_at <= t and self.on_duty[d][ps]):
                return None
            (px, py), left, extra = dr.home, self.battery, self.launch
        x, y = self.inc_xy[i]
        there = math.hypot(x - px, y - py) / self.speed
        back = math.hypot(dr.home[0] - x, dr.home[1] - y) / self.speed
        if left + 1e-9 < extra + there + self.overwatch + back:
            return None
        return t + extra + there, back

    def run(self, order: list[int], call: list[float], eligible: list[bool]
            ) -> tuple[list[int], list[float], list[int], list[int], list[float], list[float],
                       list[int]]:
        n = len(call)
        H = self.st.horizon
        inc_drone, eyes = [-1] * n, [math.nan] * n
        for i in order:
            t = call[i]
            if not eligible[i] or t >= H:
                continue
            best: tuple[float, float, int] | None = None  # eyes, back, drone
            for d in range(len(self.drones)):
                self._catch_up(d, t, inclusive=True)
                got = self._offer(d, t, i)
                if got is not None and (best is None or got[0] < best[0]):
                    best = (got[0], got[1], d)
            if best is None or not best[0] < self.ground_eta[i]:
                continue
            at, back, d = best
            dr = self.drones[d]
            if dr.flying >= 0:  # the sortie ends here: the drone turns to the call
                dd, kind, s0, _, inc = self.rows[dr.row]
                self.rows[dr.row] = (dd, kind, s0, t, inc)
                dr.flying = -1
            land = at + self.overwatch + back
            self.rows.append((d, A_CALL, t, land, i))
            dr.free_at = land + self.recharge
            inc_drone[i], eyes[i] = d, at
        for d in range(len(self.drones)):
            self._catch_up(d, H, inclusive=False)
        cols = list(zip(*self.rows, strict=True)) if self.rows else [(), (), (), (), ()]
        return (inc_drone, eyes, list(cols[0]), list(cols[1]), list(cols[2]), list(cols[3]),
                list(cols[4]))


def unit_handovers(st: SimSetup) -> list[list[float]]:
    """Per simulated unit, the run minutes of its handovers (交接班): the shift starts with
    the unit on duty on both sides (``SimSetup.handover_minutes`` > 0; none otherwise)."""
    helper = _Run.__new__(_Run)
    helper.st, helper.L, helper.U = st, float(st.slot_minutes), len(st.units)
    helper.gap = st.handover_minutes
    _Run._breaks(helper)
    return helper.handovers


def unit_index(st: SimSetup, ids: Sequence[str]) -> list[int]:
    pos = {u: i for i, u in enumerate(st.units)}
    return [pos[u] for u in ids]
