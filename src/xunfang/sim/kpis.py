"""The KPI evaluator (DESIGN.md §4): one function from the event logs to every figure.

``evaluate(result)`` computes, per replication, then the mean and a 95 % interval. The
interval of the figures over incidents (response, travel, wait, time to scene, the camera,
drone-eyes and second-unit shares) depends on where the incidents came from: sampled afresh
in every replication, it is over the replications (Student t; none from a single
replication); replayed from the record, every replication has the same incidents, so a
t-interval over replications measures the simulator's own noise only (a review: p90 1.60
[1.51, 1.68] on a week of 52 incidents where a bootstrap over the days gives [1.19, 3.90]).
There it is a bootstrap over the days of the run pooled with the replications (``_bootstrap``):
each draw takes the run's days that hold incidents with replacement and one replication at
random, and the interval is the 2.5 and 97.5 percentiles of the figure over the draws (over
the incidents themselves when fewer than two days hold any). A few days understate how much
the figures move from week to week, so runs with fewer than ``SHORT_RUN_DAYS`` such days get
Student's t over their days on the draws' standard error instead (``t_ci``; ``widen_factor``
times the normal interval), a share over incidents no narrower than Wilson's interval
(``wilson_ci``), and a note (``Kpis.note``); a run whose incidents fall on one day cannot
show that spread at all, and says so. Utilisation is drawn over the same days when every day
of the run holds incidents. The other figures keep the t-interval over replications.
``Kpis.interval`` names the interval of every figure: ``"replications"``, ``"days
bootstrap"`` (percentiles), ``"days bootstrap SE, t"`` (``DAYS_T``, a short run) or
``"incidents bootstrap"``.

- **response**: for each incident, the first unit's arrival minus its call (queue wait plus
  travel; equal to the travel time of the unit sent whenever one was free);
  ``response_p50_min``/``response_p90_min`` over incidents reached, and
  ``response_within_target``: the share of incidents with a target (the target of their
  control ring or of the key site they are at, the smaller; DESIGN §1) reached within it —
  incidents never reached count as late. The same by ring level, site tier, zone, grid and
  slot of the day (pooled over replications) and the shares within each isochrone band (1, 3,
  5 min). Incidents out of every unit's reach (``unreachable``) count as late in every share
  and row and are reported (``counts``, each row's ``unreachable``); those off the network
  are counted on their own line, not dropped.
- **call to arrival** (the 1-3-5 rings as the public counts them): ``response`` above plus
  ``SimConfig.call_handling_minutes`` (接警处置: the centre answers, takes the call and
  decides whom to send) and ``SimConfig.turnout_minutes`` (the crew acknowledges and gets
  moving), fixed minutes added to every incident's response:
  ``call_to_arrival_p50_min``/``call_to_arrival_p90_min`` over incidents reached,
  ``call_to_arrival_within_target`` and ``call_to_arrival_within_N_min`` as the response
  shares. ``response_*`` itself leaves both out (the dispatcher's queue and the drive from
  the moment of the call only). The simulation still sends the unit at the call, from where
  it is then: the two delays are not simulated (no unit moves or frees up during them), so
  the figure is the response shifted, exact for the same dispatches. With the defaults (1 +
  1 min) no incident is reached within 1 minute, so ``call_to_arrival_within_1_min`` is 0
  and a tier-1 site's 1-minute target is never met in ``call_to_arrival_within_target``:
  that is the point of the figure (a 1-minute ring counted from the call is out of reach
  once the call is handled), not a fault.
- **visibility** (见警率): Σ w(g,t)·p(g,t) / Σ w(g,t) over (grid, slot) cells, p = the share of
  the slot with a uniformed unit (``SimConfig.visible_tiers``) on the street in the grid
  (standing, patrolling, driving, on scene; a leg between two points counts half to each end's
  grid) — an auxiliary force where the plan puts it counts by its weight
  (``SimConfig.auxiliary_weights``; at each moment the largest weight present) —, w = the
  weights (default: the recorded incidents per grid and hour of the week, plus
  1 % of their mean so quiet cells count).
- **patrol gap** (巡逻断档): Σ over key sites of max(0, longest interval without a uniformed
  unit at the site's node − allowed revisit interval of its tier) in minutes, the horizon's
  start and end included; and the number of (grid, slot) cells that require presence (weight
  at least the mean of that slot's cells) and had none.
- **over-deployment** (过度投放): Σ max(0, u(g,t) − need(g,t)) / Σ u(g,t), u = uniformed
  unit-slots in the cell, need = the slot's uniformed unit-slots × the cell's weight share.
- **time to scene**: ``scene_p50_min``/``scene_p90_min``, the first ground unit's arrival
  minus the incident's occurrence (the reporting delay, or the video desk's detection, plus
  the response), over incidents reached; ``camera_detected_share``: the share of incidents
  (served or not) the video desk called in (NaN when the plan watches no camera). Beside it
  in ``counts``: ``camera_near_watched``, incidents within ``camera_radius_m`` of a camera
  the desk watches at some time, ``camera_in_view``, those a view of the desk shows while
  they unfold (``engine.camera_seen``), of which the desk spots
  ``camera_detect_probability`` and calls in those no citizen called first
  (``camera_detected``). On ``ebian``'s default plan one operator watches each of 29 cameras
  8–96 minutes a day in 2-minute views: of 1,605 sampled incidents (200 days) 272 were near
  a watched camera, 34 in a view and 5 called in by the desk, so five replications of one day
  (37 incidents) show a share of 0 (see ``SimConfig``).
- **drones** (NaN when the plan has none): ``drone_eyes_first_share``, the share of incidents
  a drone reached before the first ground unit; ``drone_eyes_p50_min``, minutes from the call
  to the drone over the scene, over those; ``drone_sortie_minutes_per_day``, airborne minutes
  of sorties flown (launch to landing, cut where a call took the drone) per day of the run;
  ``drone_sorties_missed``, sorties of the plan missed because the drone was away on a call or
  recharging. Drones never count as response or as uniformed presence (visibility).
- **route points** (``counts``, ``route_points``): the points of the plan's route duties
  in every slot of the run, made or dropped (not reached before the slot ended), the dropped
  by the cause in their slot: a handover (the plan's routes start ``handover_minutes`` after
  a shift start, so one dropped here is a handover a call put off, or a handover longer or
  at other hours than the plan's), else a call, else none (the route ran past its slot).
- **workload**: per unit (the roster stage turns it into per person): on-duty and busy hours
  per week, utilisation, night and weekend shares of the duty hours; the spread (standard
  deviation, max − min) across units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import numpy.typing as npt
from scipy import stats

from xunfang.network import RoadNetwork, snap
from xunfang.plan import Slot
from xunfang.scenario.model import FloatArray, IntArray
from xunfang.scenario.record import weekly_weights
from xunfang.sim.engine import (
    A_MISSED,
    A_SORTIE,
    D_OFF,
    D_ROUTE,
    HANDOVER,
    KINDS,
    RESPOND,
    SCENE,
    SERVED,
    STATUSES,
    UNREACHABLE,
    UNSERVED,
    EventLog,
    SimSetup,
    camera_near,
    camera_seen,
    unit_handovers,
)
from xunfang.sim.places import locate
from xunfang.sim.simulate import SimResult

#: The headline figures, each a plain number per replication (in ``Kpis.summary``).
HEADLINE = (
    "response_p50_min", "response_p90_min", "response_mean_min", "response_within_target",
    "call_to_arrival_p50_min", "call_to_arrival_p90_min", "call_to_arrival_within_target",
    "travel_p50_min", "travel_p90_min", "wait_mean_min", "visibility", "patrol_gap_minutes",
    "patrol_gap_cells", "over_deployment", "utilization", "second_unit_share",
    "scene_p50_min", "scene_p90_min", "camera_detected_share", "drone_eyes_first_share",
    "drone_eyes_p50_min", "drone_sortie_minutes_per_day", "drone_sorties_missed",
)


@dataclass(frozen=True)
class Kpis:
    """KPI figures of a simulation: ``summary`` (mean over replications), ``ci`` (95 %
    interval, None from one replication), ``per_replication``, ``counts`` (incidents by
    outcome, summed over replications) and ``tables`` (rows of the breakdowns)."""

    replications: int
    summary: Mapping[str, float]
    ci: Mapping[str, tuple[float, float] | None]
    per_replication: Mapping[str, tuple[float, ...]]
    counts: Mapping[str, int]
    tables: Mapping[str, tuple[Mapping[str, object], ...]] = field(default_factory=dict)
    #: how each figure's ``ci`` was made: "replications", "days bootstrap" or "incidents
    #: bootstrap" (see the module's docstring); figures without an interval are absent
    interval: Mapping[str, str] = field(default_factory=dict)
    #: draws of the bootstrap (0: none made)
    bootstrap_draws: int = 0
    #: days (days bootstrap) or incidents (incidents bootstrap) resampled, 0 without one
    bootstrap_units: int = 0
    #: how many times wider than ± 1.96 bootstrap standard errors a short run's intervals
    #: are (``widen_factor``: Student's t over its days, ``t_ci``); 1: percentiles
    widened: float = 1.0
    #: "" or why the intervals understate the spread from week to week (``short_run_note``)
    note: str = ""
    #: the bootstrap's draws of each figure, in draw order (the draws of two runs on the same
    #: incidents and seed pick the same days: ``sweep.paired_differences`` pairs them)
    draws: Mapping[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    #: the incidents each share over incidents is over (``wilson_ci``), on a short replay
    trials: Mapping[str, int] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, object]:
        """Plain JSON: ``interval``, the kind of interval of the response figures (the
        headline ones), ``intervals``, that of every figure with one, and
        ``bootstrap_draws``; each headline
        ``NAME`` with ``NAME_ci: [low, high]`` (or null) beside it, then counts and tables."""
        out: dict[str, object] = {"replications": self.replications,
                                  "interval": self.interval.get("response_p90_min",
                                                                "replications"),
                                  "intervals": dict(self.interval),
                                  "bootstrap_draws": self.bootstrap_draws,
                                  "bootstrap_units": self.bootstrap_units,
                                  "interval_widened": round(self.widened, 4),
                                  "interval_note": self.note or None}
        for k, v in self.summary.items():
            out[k] = _num(v)
            ci = self.ci.get(k)
            out[f"{k}_ci"] = None if ci is None else [_num(ci[0]), _num(ci[1])]
        out["counts"] = dict(self.counts)
        out["tables"] = {k: [dict(r) for r in rows] for k, rows in self.tables.items()}
        return out


def _num(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), 6)


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean of the finite ``values`` and its 95 % t-interval over them (replications):
    ``(mean, low, high)``; the bounds NaN with fewer than two values, the mean too with none."""
    arr = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    m = float(arr.mean()) if arr.size else math.nan
    if arr.size < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.975, arr.size - 1) * arr.std(ddof=1) / math.sqrt(arr.size))
    return m, m - half, m + half


# the figures that are shares (and response_within_N_min): their intervals lie within [0, 1];
# every figure is a share, minutes or a count, never below 0 (a t-interval over five
# replications reached 1.043 for a share, -0.48 for patrol-gap minutes; reviews of the report)
SHARES = frozenset({"response_within_target", "call_to_arrival_within_target", "visibility",
                    "utilization", "over_deployment", "second_unit_share",
                    "camera_detected_share", "drone_eyes_first_share"})


def is_share(name: str) -> bool:
    return name in SHARES or name.startswith(("response_within_", "call_to_arrival_within_"))


def _ci(values: Sequence[float], share: bool = False) -> tuple[float, float] | None:
    _, lo, hi = mean_ci(values)
    if math.isnan(lo):
        return None
    return (max(lo, 0.0), min(hi, 1.0) if share else hi)


def _counted(status: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """The incidents the response figures count: served, unserved (never reached) and
    unreachable (no responder reaches the place by road); the last two as late. Leaving the
    unreachable out made a ring-1 incident on an isolated road vanish from compliance (a
    review: response_within_target 1.0 with it unreached)."""
    out: npt.NDArray[np.bool_] = np.isin(status, (SERVED, UNSERVED, UNREACHABLE))
    return out


def _pct(x: FloatArray, q: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, q)) if x.size else math.nan


# -- interval arithmetic ---------------------------------------------------------------------


def _merge(s: FloatArray, e: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The union of intervals [s, e) as disjoint sorted intervals."""
    if s.size == 0:
        return s, e
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    run = np.maximum.accumulate(e)
    new = np.ones(s.size, dtype=bool)
    new[1:] = s[1:] > run[:-1]
    idx = np.flatnonzero(new)
    return s[idx], np.maximum.reduceat(e, idx)


def _minutes_per_slot(s: FloatArray, e: FloatArray, n_slots: int, L: float) -> FloatArray:
    """Σ over intervals of their minutes inside each slot [jL, (j+1)L)."""
    x = np.arange(n_slots + 1, dtype=np.float64) * L
    ss, es = np.sort(s), np.sort(e)
    cs = np.concatenate([[0.0], np.cumsum(ss)])
    ce = np.concatenate([[0.0], np.cumsum(es)])
    ks = np.searchsorted(ss, x, side="left")
    ke = np.searchsorted(es, x, side="left")
    c = (ks * x - cs[ks]) - (ke * x - ce[ke])
    out: FloatArray = np.diff(c)
    return out


def _longest_gap(s: FloatArray, e: FloatArray, H: float) -> float:
    if s.size == 0:
        return H
    ms, me = _merge(s, e)
    gaps = np.concatenate([[ms[0]], ms[1:] - me[:-1], [H - me[-1]]])
    return float(max(0.0, gaps.max()))


# -- weights ---------------------------------------------------------------------------------


def default_weights(setup: SimSetup) -> FloatArray:
    """Recorded incidents per grid and hour of the week (7 × 24 columns from Monday 00:00),
    plus 1 % of their mean; uniform where the scenario records none."""
    sc = setup.scenario
    n_g = len(sc.areas_of("grid"))
    if len(sc.incidents) == 0 or n_g == 0:
        return np.ones((n_g, 1))
    return weekly_weights(sc)


def _cell_weights(setup: SimSetup, weights: FloatArray, n_slots: int) -> FloatArray:
    """(grids, run slots) weights from a cyclic (grids, columns) profile: 168 columns are a
    week of hours from Monday, 24 a day of hours, else columns of the plan's slots."""
    L = setup.slot_minutes
    cols = weights.shape[1]
    if cols not in (168, 24):
        col = (np.arange(n_slots) % cols).astype(np.int64)
        same: FloatArray = weights[:, col]
        return same
    # every clock hour a slot overlaps, by the share of it the slot holds (Slot.hour_shares:
    # a 2-hour slot both its hours, a half-hour slot half its hour), as the posture's
    # record yardstick weighs them
    out = np.zeros((weights.shape[0], n_slots))
    for k in range(n_slots):
        s = Slot(index=k, start=setup.start + timedelta(minutes=k * L), minutes=L)
        for h, share in s.hour_shares:
            c = ((s.start.weekday() * 24 + h + (24 if h < s.start.hour else 0)) % 168
                 if cols == 168 else h)
            out[:, k] += share * weights[:, c]
    return out


# -- the evaluator ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Geo:
    point_grid: IntArray
    site_point: IntArray
    site_tier: IntArray
    site_ids: tuple[str, ...]


def _geo(setup: SimSetup, log: EventLog) -> _Geo:
    sc = setup.scenario
    point_grid = sc.area_index("grid", log.point_xy)
    site_point = np.full(len(sc.sites), -1, dtype=np.int64)
    if sc.sites:
        local = {int(n): i for i, n in enumerate(setup.travel.nodes.tolist())}
        node_index = {nid: i for i, nid in enumerate(sc.roads.node_ids)}
        free = [s for s in sc.sites if s.node is None or s.node not in node_index]
        snapped: dict[str, int] = {}
        if free:
            net = RoadNetwork.from_scenario(sc)
            got = snap(net, np.array([s.xy for s in free]), to="node").node.tolist()
            snapped = {s.id: int(n) for s, n in zip(free, got, strict=True)}
        for i, s in enumerate(sc.sites):
            node = snapped[s.id] if s.id in snapped else node_index[str(s.node)]
            site_point[i] = local.get(node, -1)
    return _Geo(point_grid=point_grid, site_point=site_point,
                site_tier=np.array([s.tier for s in sc.sites], dtype=np.int64),
                site_ids=tuple(s.id for s in sc.sites))


def _street(setup: SimSetup, log: EventLog, geo: _Geo, H: float,
            units: npt.NDArray[np.bool_] | None = None
            ) -> tuple[IntArray, FloatArray, FloatArray, IntArray, npt.NDArray[np.bool_]]:
    """Street presence of uniformed units (or of ``units``, a mask over the simulated units)
    as (grid, start, end, unit, is_stay) pieces."""
    mask = setup.visible if units is None else units
    vis = mask[log.s_unit] & (log.s_kind < HANDOVER)
    s0, s1 = np.clip(log.s_start[vis], 0, H), np.clip(log.s_end[vis], 0, H)
    a, b, u = log.s_from[vis], log.s_to[vis], log.s_unit[vis]
    stay = a == b
    mid = (s0 + s1) / 2.0
    grid = np.concatenate([geo.point_grid[a[stay]], geo.point_grid[a[~stay]],
                           geo.point_grid[b[~stay]]])
    start = np.concatenate([s0[stay], s0[~stay], mid[~stay]])
    end = np.concatenate([s1[stay], mid[~stay], s1[~stay]])
    unit = np.concatenate([u[stay], u[~stay], u[~stay]])
    is_stay = np.concatenate([np.ones(int(stay.sum()), bool), np.zeros(2 * int((~stay).sum()),
                                                                        bool)])
    keep = end > start
    return grid[keep], start[keep], end[keep], unit[keep], is_stay[keep]


def _presence(setup: SimSetup, log: EventLog, geo: _Geo, H: float, n_g: int, n_slots: int,
              L: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per (grid, slot), from one pass over the street pieces of every unit that counts in
    visibility (``setup.presence_weight`` > 0, police among them): the minutes some police
    unit is there, the police unit-minutes, and the minutes weighted by the largest
    ``presence_weight`` of the units there (police 1, auxiliaries their weight)."""
    weight = setup.presence_weight
    grid, start, end, unit, _ = _street(setup, log, geo, H, weight > 0)
    wu = weight[unit]
    police_piece = setup.visible[unit]
    police = np.zeros((n_g, n_slots))
    unit_min = np.zeros((n_g, n_slots))
    cover = np.zeros((n_g, n_slots))
    # each grid's pieces found once (a review: a mask over every piece per grid and weight
    # level took 35.9 s against 11.3 s for police alone on 300 grids and 2M pieces)
    order = np.argsort(grid, kind="stable")
    bounds = np.searchsorted(grid[order], np.arange(n_g + 1))
    for g in range(n_g):
        idx = order[bounds[g]:bounds[g + 1]]
        if not len(idx):
            continue
        pol = idx[police_piece[idx]]
        ms, me = _merge(start[pol], end[pol])
        police[g] = _minutes_per_slot(ms, me, n_slots, L)
        unit_min[g] = _minutes_per_slot(start[pol], end[pol], n_slots, L)
        below = 0.0
        for level in np.unique(wu[idx]).tolist():
            at = idx[wu[idx] >= level]
            ms, me = _merge(start[at], end[at])
            cover[g] += (level - below) * _minutes_per_slot(ms, me, n_slots, L)
            below = level
    return police, unit_min, cover


def _incident_figures(setup: SimSetup, log: EventLog, target: FloatArray,
                      idx: IntArray | None = None) -> dict[str, float]:
    """The figures over the incidents of ``log`` (response, travel, wait, 1-3-5 shares, time
    to scene, camera, drone eyes, second unit), over all of them or over the rows ``idx``
    (repeats allowed: a bootstrap draw, see ``_bootstrap``). ``target``: minutes per
    incident (``Located.target``)."""
    sel = np.arange(log.n_incidents) if idx is None else idx
    out: dict[str, float] = {}
    status = log.inc_status[sel]
    resp = log.response_minutes[sel]
    target = target[sel]
    served = status == SERVED
    out["response_p50_min"] = _pct(resp[served], 50)
    out["response_p90_min"] = _pct(resp[served], 90)
    out["response_mean_min"] = float(np.nanmean(resp[served])) if served.any() else math.nan
    travel = log.inc_travel[sel]
    out["travel_p50_min"] = _pct(travel[served], 50)
    out["travel_p90_min"] = _pct(travel[served], 90)
    wait = (log.inc_dispatch - log.inc_call)[sel]
    out["wait_mean_min"] = float(np.nanmean(wait[served])) if served.any() else math.nan
    counted = _counted(status)
    has_t = counted & np.isfinite(target)
    ok = has_t & served & (resp <= target + 1e-9)
    out["response_within_target"] = (float(ok.sum() / has_t.sum()) if has_t.any()
                                      else math.nan)
    n_counted = int(counted.sum())
    for band in setup.scenario.policy.isochrone_minutes:
        out[f"response_within_{band:g}_min"] = (
            float((served & (resp <= band + 1e-9)).sum() / n_counted) if n_counted
            else math.nan)
    # the call as the public sees it: the simulated response plus the centre's call handling
    # and the crew's turnout (SimConfig), fixed minutes the simulation does not move
    extra = setup.config.call_handling_minutes + setup.config.turnout_minutes
    c2a = resp + extra
    out["call_to_arrival_p50_min"] = _pct(c2a[served], 50)
    out["call_to_arrival_p90_min"] = _pct(c2a[served], 90)
    ok2 = has_t & served & (c2a <= target + 1e-9)
    out["call_to_arrival_within_target"] = (float(ok2.sum() / has_t.sum()) if has_t.any()
                                             else math.nan)
    for band in setup.scenario.policy.isochrone_minutes:
        out[f"call_to_arrival_within_{band:g}_min"] = (
            float((served & (c2a <= band + 1e-9)).sum() / n_counted) if n_counted
            else math.nan)
    scene = log.scene_minutes[sel]
    out["scene_p50_min"] = _pct(scene[served], 50)
    out["scene_p90_min"] = _pct(scene[served], 90)
    out["camera_detected_share"] = (
        float((log.inc_detected[sel] & counted).sum() / n_counted)
        if setup.air.watched and n_counted else math.nan)
    if setup.air.n_drones:
        first = (log.inc_drone[sel] >= 0) & counted
        out["drone_eyes_first_share"] = (float(first.sum() / n_counted) if n_counted
                                         else math.nan)
        out["drone_eyes_p50_min"] = _pct((log.inc_drone_eyes - log.inc_call)[sel][first], 50)
    else:
        out["drone_eyes_first_share"] = out["drone_eyes_p50_min"] = math.nan
    wanted = log.inc_second_wanted[sel] & counted
    out["second_unit_share"] = (float((log.inc_second_unit[sel][wanted] >= 0).mean())
                                if wanted.any() else math.nan)
    return out


def _one(setup: SimSetup, log: EventLog, geo: _Geo, w: FloatArray, inc_xy: FloatArray
         ) -> tuple[dict[str, float], dict[str, FloatArray]]:
    sc = setup.scenario
    H = setup.horizon
    L = float(setup.slot_minutes)
    n_slots = math.ceil(H / L)
    # rings, sites, zones and grids by the incident's own position (not its snapped node)
    where = locate(sc, inc_xy, site_radius_m=setup.config.site_radius_m)
    out = _incident_figures(setup, log, where.target)
    second = out.pop("second_unit_share")
    if setup.air.n_drones:
        flown = log.a_kind == A_SORTIE
        airborne = (np.minimum(log.a_end[flown], H) - np.maximum(log.a_start[flown], 0.0))
        out["drone_sortie_minutes_per_day"] = float(np.maximum(airborne, 0.0).sum()
                                                    / (H / 1440.0))
        out["drone_sorties_missed"] = float((log.a_kind == A_MISSED).sum())
    else:
        out["drone_sortie_minutes_per_day"] = out["drone_sorties_missed"] = math.nan
    out["second_unit_share"] = second
    # presence per (grid, slot)
    n_g = len(sc.areas_of("grid"))
    # visibility counts the auxiliary forces too, by weight, where and when the plan puts
    # them: the minutes of each cell weighted by the largest weight present at each moment
    # (a review: the KPI never counted them); patrol gaps and over-deployment stay police
    police, unit_min, cover = _presence(setup, log, geo, H, n_g, n_slots, L)
    slot_len = np.minimum(L, H - np.arange(n_slots) * L)
    p = np.clip(cover / slot_len, 0.0, 1.0)
    wsum = float(w.sum())
    out["visibility"] = float((w * p).sum() / wsum) if wsum > 0 else math.nan
    required = (w > 0) & (w >= w.mean(axis=0, keepdims=True))
    out["patrol_gap_cells"] = float((required & (police <= 0)).sum())
    units_gt = unit_min / slot_len
    tot = units_gt.sum(axis=0, keepdims=True)
    share = np.divide(w, w.sum(axis=0, keepdims=True), out=np.zeros_like(w),
                      where=w.sum(axis=0, keepdims=True) > 0)
    need = tot * share
    denom = float(units_gt.sum())
    out["over_deployment"] = (float(np.maximum(0.0, units_gt - need).sum() / denom)
                              if denom > 0 else math.nan)
    # patrol gaps at key sites
    gap_total = 0.0
    site_gaps = np.zeros(len(geo.site_ids))
    vis_stay = setup.visible[log.s_unit] & (log.s_kind < HANDOVER) & (log.s_from == log.s_to)
    stay_pt = log.s_from[vis_stay]
    st_s, st_e = np.clip(log.s_start[vis_stay], 0, H), np.clip(log.s_end[vis_stay], 0, H)
    for i, pt in enumerate(geo.site_point.tolist()):
        allowed = sc.policy.revisit_minutes.get(int(geo.site_tier[i]), math.inf)
        sel = stay_pt == pt if pt >= 0 else np.zeros(stay_pt.shape, bool)
        longest = _longest_gap(st_s[sel], st_e[sel], H)
        site_gaps[i] = longest
        gap_total += max(0.0, longest - allowed)
    out["patrol_gap_minutes"] = gap_total
    # utilisation of responders: busy over on-duty minutes
    busy = (log.s_kind == RESPOND) | (log.s_kind == SCENE)
    busy_min = np.bincount(log.s_unit[busy], weights=np.minimum(log.s_end[busy], H)
                           - np.minimum(log.s_start[busy], H), minlength=len(setup.units))
    duty_min = _duty_minutes(setup, n_slots)
    r = setup.responder
    out["utilization"] = (float(busy_min[r].sum() / duty_min[r].sum())
                          if duty_min[r].sum() > 0 else math.nan)
    # the same per day of the run, for the bootstrap over days (``_bootstrap``)
    n_days = math.ceil(H / 1440.0)
    rb = busy & r[log.s_unit]
    busy_day = _minutes_per_slot(np.minimum(log.s_start[rb], H), np.minimum(log.s_end[rb], H),
                                 n_days, 1440.0)
    js = setup.plan_slot(np.arange(n_slots, dtype=np.int64))
    on_min = ((setup.duty[r][:, js] != D_OFF) * np.minimum(L, H - np.arange(n_slots) * L)
              ).sum(axis=0)
    duty_day = np.bincount((np.arange(n_slots) * L // 1440.0).astype(np.int64),
                           weights=on_min, minlength=n_days)[:n_days]
    arrays = {"cover": cover, "units": units_gt, "site_gap": site_gaps, "busy_min": busy_min,
              "duty_min": duty_min, "busy_day": busy_day, "duty_day": duty_day,
              "ring": where.ring.astype(np.float64),
              "site_tier": where.site_tier.astype(np.float64),
              "zone": where.zone.astype(np.float64), "grid": where.grid.astype(np.float64),
              "target": where.target}
    return out, arrays


def static_coverage(setup: SimSetup) -> tuple[dict[str, object], ...]:
    """The static response measure of DESIGN §4, per slot of the plan: the share of demand
    (nodes weighted by recorded incidents, plus 1 % of their mean) that some on-duty
    responder reaches within the node's target (its ring's, or its key site's when smaller)
    from where the plan puts it — its post, the medoid node of its grid (the node with the
    least total time to the grid's other nodes), or the first node of its route — by its
    mode at the slot's hour. Network travel only (empty in straight-line mode)."""
    tab = setup.travel
    if tab.minutes is None:
        return ()
    sc = setup.scenario
    pts_xy = tab.xy
    n = tab.n_points
    demand = np.zeros(n)
    if len(sc.incidents):
        from scipy.spatial import cKDTree

        _, idx = cKDTree(pts_xy).query(sc.incidents.xy)
        np.add.at(demand, idx, 1.0)
    demand += 0.01 * max(float(demand.mean()), 1e-12) if demand.any() else 1.0
    target = locate(sc, pts_xy, site_radius_m=setup.config.site_radius_m).target
    medoid: dict[tuple[int, int], int] = {}
    rows: list[dict[str, object]] = []
    for s in setup.plan.slots:
        ps = s.index - setup.plan.slots[0].index
        best = np.full(n, np.inf)
        on_duty = 0
        for u in np.flatnonzero(setup.responder):
            d, place = int(setup.duty[u, ps]), int(setup.place[u, ps])
            if d == D_OFF:
                continue
            on_duty += 1
            k = int(tab.hour_table[tab.modes.index(setup.unit_mode[u]), s.start.hour])
            if d == 3:  # grid: its medoid
                key = (place, k)
                if key not in medoid:
                    gp = setup.grid_points[place]
                    sub = tab.minutes[k][np.ix_(gp, gp)]
                    medoid[key] = int(gp[np.argmin(np.where(np.isfinite(sub), sub,
                                                            1e9).sum(axis=1))])
                src = medoid[key]
            elif d == 4:
                src = int(setup.route_points[place][0])
            else:
                src = place
            np.minimum(best, tab.minutes[k, src], out=best)
        ok = np.isfinite(target) & (best <= target + 1e-9)
        rows.append({"slot": s.name, "responders_on_duty": on_duty,
                     "share_within_target": _num(float(demand[ok].sum() / demand.sum()))})
    return tuple(rows)


def route_points(setup: SimSetup, log: EventLog, handovers: Sequence[Sequence[float]]
                 ) -> dict[str, int]:
    """The plan's route points of the run (each route duty's points in each run slot) and
    what became of them in ``log``: ``route_points_made`` (reached, or passed over as out of
    reach) and ``route_points_dropped`` (not reached before the slot ended), the dropped
    split by the slot they were due in: one where the unit handed over
    (``route_points_dropped_handover``: the plan leaves ``[policy] handover_minutes`` for it,
    so these are a handover a call put off or one the run makes longer or moves), else one
    where it answered a call
    (``route_points_dropped_call``), else the rest (``route_points_dropped_other``: the route
    ran past its slot by itself). ``handovers``: ``engine.unit_handovers``. Empty without
    ``log.route_made``."""
    if log.route_made is None:
        return {}
    L = float(setup.slot_minutes)
    J = log.route_made.shape[1]
    js = setup.plan_slot(np.arange(J, dtype=np.int64))
    duty = setup.duty[:, js]
    n_pts = np.array([len(r) for r in setup.route_points] + [0], dtype=np.int64)
    on_route = duty == D_ROUTE
    planned = np.where(on_route, n_pts[np.where(on_route, setup.place[:, js], -1)], 0)
    made = np.minimum(log.route_made, planned)
    dropped = planned - made
    ho = np.zeros_like(on_route)
    for u, times in enumerate(handovers):
        for h in times:
            j = int(h // L)
            if 0 <= j < J:
                ho[u, j] = True
    call = np.zeros_like(on_route)
    for u, t0, t1 in zip(log.d_unit.tolist(), log.d_time.tolist(), log.d_clear.tolist(),
                         strict=True):
        j0 = int(t0 // L)
        j1 = min(math.ceil(t1 / L), J) if math.isfinite(t1) else J
        call[u, j0:max(j1, j0 + 1)] = True
    return {"route_points_planned": int(planned.sum()),
            "route_points_made": int(made.sum()),
            "route_points_dropped": int(dropped.sum()),
            "route_points_dropped_handover": int(dropped[ho].sum()),
            "route_points_dropped_call": int(dropped[~ho & call].sum()),
            "route_points_dropped_other": int(dropped[~ho & ~call].sum())}


def _duty_minutes(setup: SimSetup, n_slots: int) -> FloatArray:
    js = setup.plan_slot(np.arange(n_slots, dtype=np.int64))
    on = setup.duty[:, js] != D_OFF
    L = float(setup.slot_minutes)
    slot_len = np.minimum(L, setup.horizon - np.arange(n_slots) * L)
    out: FloatArray = (on * slot_len).sum(axis=1)
    return out


#: bootstrap draws. On a week of 52 recorded incidents (ebian, 5 replications) 1000 draws
#: gave p90 intervals [1.70, 4.56], [1.66, 6.13], [1.68, 4.56] for three seeds: the lower
#: bound and within_target's bounds (±0.01) hold, the upper bound of a p90 rests on the few
#: slowest calls of seven days and moves with any number of draws. 1000 draws cost about
#: 1.5 s on 401 incidents over 56 days.
BOOTSTRAP_DRAWS = 1000
#: incident rows a bootstrap may go through (draws × incidents): past 50,000 incidents the
#: draws fall below 1000 (to at least ``BOOTSTRAP_MIN_DRAWS``), as each draw costs time in
#: proportion to the incidents (2.2 million synthetic calls over 20,000 days took 250 s with
#: 1000 draws); with that many days the interval is narrow and a few draws place it
BOOTSTRAP_BUDGET = 50_000_000
BOOTSTRAP_MIN_DRAWS = 20


#: replays with fewer days holding incidents than this get their bootstrap intervals widened
#: (``widen_factor``) and a note that they understate the spread from week to week. Coverage
#: of the 95 % days bootstrap as it was, measured (/tmp/revBD cov2.py: a 7 × 7 lattice, two
#: units, ~6 incidents a day, windows of a 420-day replay against the 420-day figure;
#: 3 replications): p50 / p90 / within_target / mean
#:   2 days (210 windows)  0.58 / 0.67 / 0.60 / 0.69, widened 0.94 / 0.88 / 0.96 / 0.93
#:   3 days (140)          0.79 / 0.80 / 0.77 / 0.84, widened 0.97 / 0.96 / 0.99 / 0.96
#:   7 days (60)           0.97 / 0.90 / 0.95 / 0.90, widened 1.00 / 0.93 / 0.98 / 0.97
#:   14 days (30, as was)  1.00 / 0.87 / 1.00 / 0.87 (few windows: ±0.06)
#: The p90 and the mean, over a long right tail, stay short of 95 % on few days; a one-day
#: run (incidents bootstrap) held it in 0.60 (p90) and 0.66 (mean) of days (the review).
#: ``bench/sim_coverage.py`` (that lattice again, calls anywhere in it, not on the nodes
#: only; 420 days, 2540 calls), p50 / p90 / mean / within_target / utilisation:
#:   2 days (210)  widened percentiles  0.914 / 0.905 / 0.981 / 0.824 / 0.995
#:                 t over the days        0.976 / 0.952 / 0.995 / 0.995 / 0.995
#:                 (``t_ci``; ``wilson_ci`` for within_target)
#:   3 days (140)  0.950 / 0.893 / 0.971 / 0.893 / 0.979, now 0.986 / 0.979 / 0.979 / 1.000 / 0.979
#:   7 days (60)   0.983 / 0.933 / 0.900 / 0.950 / 0.950, now 1.000 / 0.967 / 0.900 / 0.983 / 0.950
#: The mean on 7 days stays short: 0.90 either way, and 0.88 (p90 0.92) on 120 weeks of
#: another 840-day replay (``--runs 7 --paired-runs '' --seed 1 --total-days 840``), every
#: miss a week whose interval lies below the long-run figure: that rests on a few bad
#: days (queues) most weeks do not hold, which no resampling of a week's days can show;
#: t on the draws' semi-deviations below and above the figure fared no better (0.88).
SHORT_RUN_DAYS = 14


def widen_factor(n: int) -> float:
    """How much wider than the normal interval on the bootstrap's standard error (± 1.96 SE)
    a short run's interval over ``n`` resampled days is (``t_ci``): Student's t over n − 1
    degrees of freedom with the n / (n − 1) correction of the plug-in spread, over the normal
    quantile. 1 from SHORT_RUN_DAYS days on (the percentile interval); 9.2 for two days, 2.7
    for three, 1.35 for seven. It had scaled the percentile interval about the figure, whose
    ends on two or three days are not 1.96 standard errors out (``t_ci``)."""
    if n >= SHORT_RUN_DAYS or n < 2:
        return 1.0
    return float(stats.t.ppf(0.975, n - 1) * math.sqrt(n / (n - 1)) / stats.norm.ppf(0.975))


#: the interval kind of a short run's figures (``t_ci``): the bootstrap's standard error over
#: the days, times Student's t over days − 1 degrees of freedom
DAYS_T = "days bootstrap SE, t"


def t_ci(center: float, draws: Sequence[float], n: int, *, share: bool = False,
         difference: bool = False) -> tuple[float, float] | None:
    """``center`` ± t(0.975, n − 1) · sqrt(n / (n − 1)) · the standard deviation of the finite
    ``draws`` (a bootstrap over ``n`` days): the interval of a mean over ``n`` day-units whose
    standard error the bootstrap measured, the plug-in spread made unbiased. It is the normal
    interval on the bootstrap's standard error widened ``widen_factor(n)`` times, which is
    what that factor is for: applied to the percentiles of the draws instead, as it was, it
    fell short on two or three days, where a quarter (two days) or a twenty-seventh (three)
    of the draws repeat one day and the 2.5 and 97.5 percentiles are the extreme days'
    figures, about 1.4 standard errors out rather than the 1.96 the factor presumes: 95 %
    intervals of two-day runs held the long-run p90 in 0.91 of runs, this one in 0.96
    (``bench/sim_coverage.py``). Kept within [0, 1] for a share, above 0 for any other
    figure; a difference of shares within [-1, 1], of other figures unbounded."""
    arr = np.asarray(draws, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    if arr.size < 2 or n < 2 or not math.isfinite(center):
        return None
    half = float(stats.t.ppf(0.975, n - 1) * math.sqrt(n / (n - 1)) * arr.std(ddof=1))
    lo, hi = center - half, center + half
    if difference:
        return (max(lo, -1.0), min(hi, 1.0)) if share else (lo, hi)
    return (max(lo, 0.0), min(hi, 1.0) if share else hi)


def wilson_ci(share: float, n: int) -> tuple[float, float] | None:
    """Wilson's 95 % score interval of a share ``share`` of ``n`` incidents (None without
    incidents or a share). A short run's share often sits at 1 (or 0): every incident of
    two days within target gives every draw of the bootstrap 1 and a t-interval [1, 1],
    which held the long-run 0.85 in no such run (0.83 of two-day runs held it); Wilson's
    interval, which treats the incidents as independent, does not close at the edge."""
    if n < 1 or not math.isfinite(share):
        return None
    z = float(stats.norm.ppf(0.975))
    mid = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, mid - half), min(1.0, mid + half)


def unchanged_ci(n: int) -> tuple[float, float] | None:
    """The 95 % interval of a difference of two shares over the same ``n`` incidents where
    no incident's outcome differed between the arms: the difference is at most the share of
    incidents whose outcome the change turns, of which none in ``n`` were seen, so below
    1 − 0.025^(1/n) (Clopper–Pearson's upper bound, about 3.7 / n) either way. Every draw of
    the bootstrap is 0 there, and so was its interval, [0, 0] — which held a long-run
    difference of 0.008 in none of the three-day runs whose arms agreed on every incident
    (``bench/sim_coverage.py``, ``move:p1=n3_3``). None without incidents."""
    if n < 1:
        return None
    u = 1.0 - 0.025 ** (1.0 / n)
    return -u, u


def hull(a: tuple[float, float] | None, b: tuple[float, float] | None
         ) -> tuple[float, float] | None:
    """The smallest interval holding both ``a`` and ``b`` (either may be None)."""
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def _trials(setup: SimSetup, log: EventLog, target: FloatArray) -> dict[str, int]:
    """The incidents each share over incidents is a share of (``_incident_figures``), for
    ``wilson_ci``: the replayed incidents are those of every replication."""
    counted = _counted(log.inc_status)
    n = int(counted.sum())
    out = {"response_within_target": int((counted & np.isfinite(target)).sum()),
           "camera_detected_share": n, "drone_eyes_first_share": n,
           "second_unit_share": int((log.inc_second_wanted & counted).sum())}
    out["call_to_arrival_within_target"] = out["response_within_target"]
    for band in setup.scenario.policy.isochrone_minutes:
        out[f"response_within_{band:g}_min"] = n
        out[f"call_to_arrival_within_{band:g}_min"] = n
    return out


def widened(center: float, ci: tuple[float, float] | None, factor: float, *,
            share: bool = False, difference: bool = False) -> tuple[float, float] | None:
    """``ci`` stretched ``factor`` times about ``center`` on each side (kept within [0, 1]
    for a share, above 0 for any other figure; a difference of shares within [-1, 1])."""
    if ci is None or factor == 1.0 or not math.isfinite(center):
        return ci
    lo = center - factor * max(0.0, center - ci[0])
    hi = center + factor * max(0.0, ci[1] - center)
    if difference:
        return (max(lo, -1.0), min(hi, 1.0)) if share else (lo, hi)
    return (max(lo, 0.0), min(hi, 1.0) if share else hi)


@dataclass(frozen=True)
class _Boot:
    kind: str
    units: int  # days (or incidents) resampled
    draws: dict[str, tuple[float, ...]]


def _bootstrap(result: SimResult, targets: Sequence[FloatArray],
               days: Sequence[tuple[FloatArray, FloatArray]] = ()) -> _Boot:
    """The draws of each figure over incidents of a replayed run: a bootstrap over the run's
    days that hold incidents (whole days, so that a busy day's queue stays together) pooled
    with the replications (one at random per draw). A day without an incident adds nothing to
    any figure but its place in the draw: drawing it too made the interval of 5 incidents on
    the first of 7 days [0.4, 0.4] (the draws that missed day 1 had no figure and were
    dropped; a review). With fewer than two such days the incidents are drawn instead. The
    draws come from ``SeedSequence(result.seed)`` on a key of their own: the same result
    gives the same interval, and the arms of a sweep (the same incidents and seed) the same
    days in every draw, so their draws pair (``sweep.paired_differences``). ``days``: per
    replication the responders' busy and on-duty minutes per day of the run; when every day
    holds incidents, utilisation is drawn too (busy over on-duty minutes of the days drawn:
    it moves with the incidents as the response does; over 40 replayed weeks the interval
    over replications of a sweep's difference held the 420-day one in 0.60 of them, a
    review)."""
    st = result.setup
    logs = result.logs
    n_days = max(1, math.ceil(st.horizon / 1440.0))
    rng = np.random.default_rng(np.random.SeedSequence(result.seed, spawn_key=(2 ** 31,)))
    # incidents are in time order (SimIncidents), so a day's rows are one range
    minutes = logs[0].inc_minutes
    n = minutes.shape[0]
    day = np.clip((minutes // 1440.0).astype(np.int64), 0, n_days - 1)
    lo = np.searchsorted(day, np.arange(n_days), side="left")
    size = np.bincount(day, minlength=n_days)
    busy = np.flatnonzero(size > 0)
    if busy.size >= 2:
        kind = "days bootstrap"
        lo, size, units = lo[busy], size[busy], int(busy.size)
    else:
        kind = "incidents bootstrap"
        lo, size, units = np.arange(n), np.ones(n, dtype=np.int64), n
    every_day = (kind == "days bootstrap" and units == n_days and len(days) == len(logs))
    draws: dict[str, list[float]] = {}
    n_draws = min(BOOTSTRAP_DRAWS, max(BOOTSTRAP_MIN_DRAWS, BOOTSTRAP_BUDGET // max(n, 1)))
    for _ in range(n_draws):
        pick = rng.integers(0, units, units)
        r = int(rng.integers(0, len(logs)))
        cnt = size[pick]
        total = int(cnt.sum())
        # the rows of the drawn days, in draw order: lo[d], lo[d] + 1, … for each drawn d
        idx = (np.repeat(lo[pick] - np.cumsum(cnt) + cnt, cnt) + np.arange(total)
               ).astype(np.int64)
        for k, v in _incident_figures(st, logs[r], targets[r], idx).items():
            draws.setdefault(k, []).append(v)
        if every_day:
            busy_min, duty_min = days[r][0][pick].sum(), days[r][1][pick].sum()
            draws.setdefault("utilization", []).append(
                float(busy_min / duty_min) if duty_min > 0 else math.nan)
    return _Boot(kind=kind, units=units, draws={k: tuple(v) for k, v in draws.items()})


def percentile_ci(draws: Sequence[float]) -> tuple[float, float] | None:
    """Percentiles 2.5 and 97.5 of the finite ``draws``; None without any."""
    arr = np.asarray(draws, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    if not arr.size:
        return None
    return float(np.percentile(arr, 2.5)), float(np.percentile(arr, 97.5))


def short_run_note(kind: str, units: int, days: int) -> str:
    """The note of a replay too short for its intervals to hold the spread between weeks
    ("" when the run has SHORT_RUN_DAYS days holding incidents or more)."""
    if kind == "days bootstrap" and units >= SHORT_RUN_DAYS:
        return ""
    if kind == "days bootstrap":
        how = (f"with {units} day(s) with incidents, fewer than {SHORT_RUN_DAYS}, a bootstrap "
               "over the days understates the spread of the response figures from week to "
               "week: their 95 % intervals are Student's t over the days on the bootstrap's "
               f"standard error, x{widen_factor(units):.2f} the normal interval's width")
    else:
        how = (f"its incidents fall on fewer than two days, so the 95 % intervals of the "
               f"response figures are bootstrapped over its {units} incident(s) and the "
               "spread between days and weeks is not in it: they understate it")
    return (f"the run has {days} day(s): {how}; replay more days (--days, --from) or sample "
            "incidents (--sample)")


def evaluate(result: SimResult, *, weights: FloatArray | None = None) -> Kpis:
    """Every KPI of DESIGN.md §4 from the event logs of ``result``.

    ``weights`` (grids × columns, see ``_cell_weights``) weigh visibility, required presence
    and need; default ``default_weights``: the recorded incidents per grid and hour of week.
    """
    st = result.setup
    sc = st.scenario
    H = st.horizon
    L = float(st.slot_minutes)
    n_slots = math.ceil(H / L)
    w_prof = default_weights(st) if weights is None else np.asarray(weights, dtype=np.float64)
    n_g = len(sc.areas_of("grid"))
    if w_prof.ndim != 2 or w_prof.shape[0] != n_g:
        raise ValueError(f"weights must have shape (grids={n_g}, columns); got {w_prof.shape}")
    w = _cell_weights(st, w_prof, n_slots)
    per: dict[str, list[float]] = {}
    arrays: list[dict[str, FloatArray]] = []
    geo_cache: dict[int, _Geo] = {}
    counts = {name: 0 for name in STATUSES}
    counts.update(incidents=0, dispatches=0, second_wanted=0, second_sent=0, preempted=0,
                  camera_near_watched=0, camera_in_view=0, camera_detected=0, drone_first=0,
                  drone_sorties_flown=0, drone_sorties_missed=0)
    handovers = unit_handovers(st)
    for log, inc in zip(result.logs, result.incidents, strict=True):
        key = id(log.point_xy)
        if key not in geo_cache:
            geo_cache[key] = _geo(st, log)
        one, arr = _one(st, log, geo_cache[key], w, inc.xy)
        for k, v in one.items():
            per.setdefault(k, []).append(v)
        arrays.append(arr)
        for s, name in enumerate(STATUSES):
            counts[name] += int((log.inc_status == s).sum())
        counts["incidents"] += log.n_incidents
        counts["dispatches"] += int(log.d_unit.shape[0])
        counts["second_wanted"] += int(log.inc_second_wanted.sum())
        counts["second_sent"] += int((log.inc_second_unit >= 0).sum())
        counts["preempted"] += int(log.d_preempted.sum())
        # how many incidents a watched camera could have shown: near one, and in one of
        # its views while unfolding; the desk spots those with camera_detect_probability
        # and calls in the ones a citizen has not called yet (camera_detected)
        counts["camera_near_watched"] += int(camera_near(st, inc.xy).sum())
        seen = camera_seen(st, inc.xy, inc.minutes)
        counts["camera_in_view"] += int(np.isfinite(seen).sum())
        counts["camera_detected"] += int(log.inc_detected.sum())
        counts["drone_first"] += int((log.inc_drone >= 0).sum())
        counts["drone_sorties_flown"] += int((log.a_kind == A_SORTIE).sum())
        counts["drone_sorties_missed"] += int((log.a_kind == A_MISSED).sum())
        for k, v in route_points(st, log, handovers).items():
            counts[k] = counts.get(k, 0) + v
    summary = {k: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan
               for k, v in per.items()}
    ci: dict[str, tuple[float, float] | None] = {k: _ci(v, is_share(k))
                                                 for k, v in per.items()}
    interval = {k: "replications" for k in per}
    n_draws, note, units, factor = 0, "", 0, 1.0
    trials: dict[str, int] = {}
    boot_draws: dict[str, tuple[float, ...]] = {}
    if result.source == "replay" and counts["incidents"]:
        boot = _bootstrap(result, [a["target"] for a in arrays],
                          [(a["busy_day"], a["duty_day"]) for a in arrays])
        units, boot_draws = boot.units, boot.draws
        factor = widen_factor(units) if boot.kind == "days bootstrap" else 1.0
        note = short_run_note(boot.kind, units, math.ceil(H / 1440.0))
        if factor > 1.0:
            trials = _trials(st, result.logs[0], arrays[0]["target"])
        for k, vals in boot.draws.items():
            n_draws = len(vals)
            if factor > 1.0:  # a short run: t over its days on the draws' spread
                ci[k] = hull(t_ci(summary[k], vals, units, share=is_share(k)),
                             wilson_ci(summary[k], trials.get(k, 0)))
                interval[k] = DAYS_T
            else:
                ci[k] = percentile_ci(vals)
                interval[k] = boot.kind
    tables = _tables(result, arrays, geo_cache, w)
    static = static_coverage(st)
    if static:
        tables["static_by_slot"] = static
        shares = [float(r["share_within_target"]) for r in static  # type: ignore[arg-type]
                  if r["share_within_target"] is not None]
        summary["static_within_target"] = float(np.mean(shares)) if shares else math.nan
        ci["static_within_target"] = None  # the plan's geometry: no draw, no interval
    return Kpis(replications=result.replications, summary=summary, ci=ci,
                per_replication={k: tuple(v) for k, v in per.items()}, counts=counts,
                tables=tables, interval=interval, bootstrap_draws=n_draws,
                bootstrap_units=units, widened=factor, note=note, draws=boot_draws,
                trials=trials)


def _resp_rows(key: IntArray, labels: Mapping[int, str], resp: FloatArray, served: npt.NDArray[
        np.bool_], counted: npt.NDArray[np.bool_], unreach: npt.NDArray[np.bool_],
               target: FloatArray, reps: int) -> tuple[dict[str, object], ...]:
    rows: list[dict[str, object]] = []
    for k in sorted(labels):
        sel = (key == k) & counted
        n = int(sel.sum())
        if n == 0:
            continue
        ok = sel & served
        has_t = sel & np.isfinite(target)
        within = (has_t & served & (resp <= target + 1e-9)).sum()
        rows.append({
            "key": labels[k], "incidents": n, "per_replication": round(n / reps, 3),
            "reached": int(ok.sum()),
            "unreachable": int((sel & unreach).sum()),  # counted in "incidents", as late
            "p50_min": _num(_pct(resp[ok], 50)), "p90_min": _num(_pct(resp[ok], 90)),
            "within_target": _num(float(within / has_t.sum())) if has_t.any() else None,
            # the 1-3-5 bands over every incident of the group (unreached ones count as late)
            **{f"within_{m}_min": _num(float((ok & (resp <= m + 1e-9)).sum() / n))
               for m in (1, 3, 5)},
        })
    return tuple(rows)


def _tables(result: SimResult, arrays: list[dict[str, FloatArray]],
            geo_cache: Mapping[int, _Geo], w: FloatArray) -> dict[str, tuple[dict[str, object],
                                                                            ...]]:
    st = result.setup
    sc = st.scenario
    logs = result.logs
    reps = len(logs)

    def cat(name: str) -> FloatArray:
        out: FloatArray = np.concatenate([a[name] for a in arrays])
        return out

    resp = np.concatenate([lg.response_minutes for lg in logs])
    served = np.concatenate([lg.inc_status == SERVED for lg in logs])
    counted = np.concatenate([_counted(lg.inc_status) for lg in logs])
    unreach = np.concatenate([lg.inc_status == UNREACHABLE for lg in logs])
    target = cat("target")
    zones, grids = sc.areas_of("zone"), sc.areas_of("grid")
    L = st.slot_minutes
    minute = np.concatenate([(st.start_minute + lg.inc_minutes) % 1440 for lg in logs])
    slot_of_day = (minute // L).astype(np.int64)
    slot_labels = {j: f"{j * L // 60:02d}:{j * L % 60:02d}" for j in range(1440 // L)}
    tables: dict[str, tuple[dict[str, object], ...]] = {
        "by_ring": _resp_rows(cat("ring").astype(np.int64),
                              {0: "none", **{lv: f"ring {lv}" for lv in (1, 2, 3)}},
                              resp, served, counted, unreach, target, reps),
        "by_tier": _resp_rows(cat("site_tier").astype(np.int64),
                              {0: "no key site", **{t: f"tier {t}" for t in (1, 2, 3)}},
                              resp, served, counted, unreach, target, reps),
        "by_zone": _resp_rows(cat("zone").astype(np.int64),
                              {-1: "outside", **{i: z.id for i, z in enumerate(zones)}},
                              resp, served, counted, unreach, target, reps),
        "by_grid": _resp_rows(cat("grid").astype(np.int64),
                              {-1: "outside", **{i: g.id for i, g in enumerate(grids)}},
                              resp, served, counted, unreach, target, reps),
        "by_slot": _resp_rows(slot_of_day, slot_labels, resp, served, counted, unreach, target,
                              reps),
    }
    # the response-time distribution: incidents per replication in half-minute bins
    edges = np.arange(0.0, 15.0 + 0.5, 0.5)
    reached = resp[served & np.isfinite(resp)]
    hist = np.histogram(np.clip(reached, 0.0, 15.0 - 1e-9), bins=edges)[0] / reps
    tables["response_histogram"] = tuple(
        {"from_min": float(edges[j]), "to_min": float(edges[j + 1]) if j + 2 < edges.size
         else None, "incidents": _num(float(hist[j]))} for j in range(hist.size))
    # visibility per grid (mean over replications) and per slot of the day
    cover = np.mean([a["cover"] for a in arrays], axis=0)
    units = np.mean([a["units"] for a in arrays], axis=0)
    n_slots = cover.shape[1]
    slot_len = np.minimum(float(L), st.horizon - np.arange(n_slots) * L)
    p = np.clip(cover / slot_len, 0, 1)
    tables["visibility_by_grid"] = tuple(
        {"grid": g.id, "visibility": _num(float((w[i] * p[i]).sum() / w[i].sum())
                                          if w[i].sum() > 0 else math.nan),
         "presence_share": _num(float(p[i].mean())),
         "unit_slots": _num(float(units[i].sum())),
         "weight_share": _num(float(w[i].sum() / w.sum()) if w.sum() > 0 else math.nan)}
        for i, g in enumerate(grids))
    sod = ((st.start_minute + np.arange(n_slots) * L) % 1440) // L
    tables["visibility_by_slot"] = tuple(
        {"slot": slot_labels[j],
         "visibility": _num(float((w[:, sod == j] * p[:, sod == j]).sum()
                                  / w[:, sod == j].sum()) if w[:, sod == j].sum() > 0
                            else math.nan)}
        for j in sorted(set(sod.tolist())))
    # patrol gaps per site: ``longest_gap_min`` is the mean over replications of each one's
    # longest interval without a visit, ``excess_min`` the mean over replications of each
    # one's max(0, longest − allowed); so the rows' ``excess_min`` add up to the headline
    # ``patrol_gap_minutes`` (the mean over replications of Σ over sites of the same excess).
    # The excess of the mean longest gap was smaller whenever a site was over in some
    # replications only (182.5 rows against a headline of 333 minutes in a review).
    geo = next(iter(geo_cache.values())) if geo_cache else None
    if geo is not None and arrays:
        per_rep = np.array([a["site_gap"] for a in arrays], dtype=np.float64).reshape(
            len(arrays), len(geo.site_ids))
        allowed = np.array([sc.policy.revisit_minutes.get(int(t), math.inf)
                            for t in geo.site_tier.tolist()], dtype=np.float64)
        gaps = per_rep.mean(axis=0)
        excess = np.maximum(0.0, per_rep - allowed).mean(axis=0)
        tables["site_gaps"] = tuple(
            {"site": sid, "tier": int(geo.site_tier[i]), "allowed_min": _num(float(allowed[i])),
             "longest_gap_min": _num(float(gaps[i])), "excess_min": _num(float(excess[i]))}
            for i, sid in enumerate(geo.site_ids))
    tables["workload"] = _workload(st, arrays)
    return tables


def _workload(st: SimSetup, arrays: list[dict[str, FloatArray]]) -> tuple[dict[str, object],
                                                                          ...]:
    H = st.horizon
    weeks = H / (7 * 1440)
    L = float(st.slot_minutes)
    n_slots = math.ceil(H / L)
    js = st.plan_slot(np.arange(n_slots, dtype=np.int64))
    on = st.duty[:, js] != D_OFF
    begin = [st.start + timedelta(minutes=j * L) for j in range(n_slots)]
    night_h = set(st.scenario.policy.night_hours)
    night = np.array([b.hour in night_h for b in begin])
    weekend = np.array([b.weekday() >= 5 for b in begin])
    duty_min = np.mean([a["duty_min"] for a in arrays], axis=0)
    busy_min = np.mean([a["busy_min"] for a in arrays], axis=0)
    rows: list[dict[str, object]] = []
    for u, uid in enumerate(st.units):
        d = float(duty_min[u])
        rows.append({
            "unit": uid, "tier": st.unit_tier[u], "mode": st.unit_mode[u],
            "responder": bool(st.responder[u]),
            "duty_hours_per_week": _num(d / 60.0 / weeks),
            "busy_hours_per_week": _num(float(busy_min[u]) / 60.0 / weeks),
            "utilization": _num(float(busy_min[u]) / d) if d > 0 else None,
            "night_share": _num(float(on[u][night].sum() / on[u].sum())) if on[u].any()
            else None,
            "weekend_share": _num(float(on[u][weekend].sum() / on[u].sum())) if on[u].any()
            else None,
        })
    hours = np.array([r["duty_hours_per_week"] or 0.0 for r in rows], dtype=np.float64)
    busy = np.array([r["busy_hours_per_week"] or 0.0 for r in rows], dtype=np.float64)
    rows.append({"unit": "(spread)", "duty_hours_sd": _num(float(hours.std())),
                 "duty_hours_range": _num(float(np.ptp(hours)) if hours.size else math.nan),
                 "busy_hours_sd": _num(float(busy.std())),
                 "busy_hours_range": _num(float(np.ptp(busy)) if busy.size else math.nan)})
    return tuple(rows)


__all__ = ["DAYS_T", "HEADLINE", "KINDS", "Kpis", "default_weights", "evaluate", "hull",
           "mean_ci", "percentile_ci", "t_ci", "unchanged_ci", "widen_factor", "widened",
           "wilson_ci"]
