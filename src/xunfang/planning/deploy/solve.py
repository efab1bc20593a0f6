"""The posture per slot: how many units in each grid (a MIP, HiGHS), then which unit where
(an assignment, ``scipy.optimize.linear_sum_assignment``).

Per slot t, with G the grids, C the classes of mobile units on duty (units that may patrol
the same grids, by zone, of one mode, able or not to hold a ring), P the event posts of the
slot::

    x[c,g] ∈ Z≥0  units of class c patrolling grid g (g in the zone of c)
    e[c,p] ∈ Z≥0  units of class c standing at event post p
    r[c]   ∈ Z≥0  units of class c held at their home post (reserve)
    n[g]   = p0[g] + Σ_c x[c,g] + Σ_{p in g} e[c,p]   (p0: fixed posts, checkpoints, pins)

    maximize  Σ_g W_vis·s[g]·y[g] + W_cov·s[g]·v[g] + W_site·q[g]·z[g]/2
              − W_over·o[g]/N − W_move·d[g]/N − W_short·(h[g] + h[p]) − W_res·r[c]
    subject to Σ_g x[c,g] + Σ_p e[c,p] + r[c] = N[c]          (every unit on duty somewhere)
               y[g] ≤ n[g], y ∈ [0, 1]                          (risk-weighted visibility)
               v[g] ≤ Σ_{g' reaching g within its target} n[g'], v ∈ [0, 1]   (1-3-5 cover;
                                     g itself and its 8 nearest such g')
               z[g] ≤ n[g], z ∈ [0, 2]                          (key-site visits)
               o[g] ≥ n[g] + R[g] − need[g], need = N_vis · ρ[g]  (over-deployment; R the
                                     units held in reserve at home posts in g; ρ the grid's
                                     share of the record in the slot's hour of the week, the
                                     KPI's yardstick, or s[g]: Options.dosage_basis; with
                                     "both", one o row against each, their W_over split by
                                     Options.dosage_forecast_weight)
               p0[g] + Σ_c x[c,g] − Σ_{i in g} y[i] ≤ cap[g] = max(req, p0, floor,
                                     ⌈dosage·need⌉)  (dosage: ring holders outside it)
               Σ_c e[c,p] + h[p] = need[p]                        (event posts)
               Σ_{i near s} y[i] + hc[s] ≥ 1, y ∈ {0,1}            (staging: a car stands at
                                     candidate node i for every open tier-1 ring s,
                                     staging.RingCover; Y[g] = Σ_{i in g} y[i])
               Σ_{c holding} x[c,g] ≥ Y[g]                        (its cars and motorcycles)
               n[g] − Y[g] + h[g] ≥ req[g]                       (tier presence, handover,
                                     event level: units standing to hold rings do not count)
               n[g] − Y[g] + Σ_{i near c} y[i] + hj[g] ≥ J[g]    (joint patrol at crowded
                                     site c in its peak slots: a car standing at c to hold
                                     c's own ring is one of the joint patrol's units)
               n[g] − Y[g] ≥ staging_patrols · [Y[g] > 0]         (patrols beside holders)
               n[g] + hh[g] ≥ n_plan[g] + 1                       (re-plan: a hot incident)
               Σ_{c police} x[c,g]/L[g,mode c] − Y[g]/L[g,car] + hw[g] ≥ M − pinned work
                                     (patrol work of grids with tier-1 sites: L = the units
                                     of a mode their revisit intervals and lines need at the
                                     least, routes.PatrolLoad; M = patrol_work_margin)
               d[g] ≥ |n[g] − n_prev[g]|                          (continuity)
               k[c,g] ≥ |x[c,g] − x_plan[c,g]|  (re-plan only, W_keep: keep the plan)

s[g] is the grid's share of the slot's risk, q[g] its share of the key-site visits needed.
Shortfall slacks h, hc, hw, hh are priced at W_short (hc at half of it) so they are used
only when no unit can be found; each one used is a listed shortfall (an unheld ring is
listed by the staging step). Continuity between slots is the move penalty on the counts and
the travel minutes in the assignment.

A post outside every grid (``post_grid`` -1) is in no g: a unit standing there (p0, e, r)
is presence in no grid's n[g], R[g] or counts, and so in no row over them (the 1-3-5 cover
row included: its minutes run between grids, and the county's township stations lie 1-2.4
km outside theirs); it travels from the nearest grid, and an event post there is staffed by
the classes whose zone holds that grid. The tier-1 rings (staging) are measured from the
post's own node.

Only a grid's first unit earns anything (y, v ≤ 1) and o prices only the units above need, so
a unit beyond a grid's first earns nothing while some grid is below its need: the units the
requirements leave go to first units in more grids before a second in the hottest, whose count
is what is left. The summary's ``dosage`` note lists the grid-slots this leaves under half
their need (``UNDER_SHARE``) and says why.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

import highspy
import numpy as np
from highspy._core import _Highs
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from xunfang.plan import OUT_OF_SERVICE, Assignment, Slot, handovers
from xunfang.planning.deploy.inputs import (
    CREW_MIN,
    DeployError,
    Inputs,
    crew_pools,
    unit_kind,
)
from xunfang.planning.deploy.staging import RingCover, can_hold
from xunfang.planning.own_rota import OwnRota, own_rota
from xunfang.planning.routes import POLICE_TIERS, PatrolLoad
from xunfang.scenario.model import Event, FloatArray, IntArray, Unit

_BIG = 1e6
#: the posture's note of an auxiliary force in a slot its stage does not place it in (the
#: auxiliary stage places it in its hours; a re-plan had said "no crew on duty" there)
AUXILIARY_OFF = "auxiliary force: off outside its hours"
#: The note of a unit held at an incident (a re-plan's ``busy``).
BUSY = "busy at an incident"

#: Minutes of travel a staging unit is spared for staying in its site's grid at the next slot
#: (so the same unit keeps holding a ring rather than another taking over each hour).
HOLDER_STAYS = 5.0
#: In the counts, the worth of a staging unit standing where one stood the slot before (or
#: where the plan in force has one, in a re-plan), and the small cost of any staging unit (no
#: more of them than the rings need).
HOLD_KEEP = 0.5
HOLD_COST = 0.01
#: An unheld ring costs this share of a shortfall's price: where a unit would either patrol a
#: grid its presence requirements ask for or stand to hold a ring, it patrols (a grid's lone
#: patrol is not taken to stand).
RING_SHORT = 0.5
#: The posture's note on dosage (``Posture.summary()["dosage"]``) lists the grid-slots given
#: under this share of their need (the dosage yardstick: the slot's uniformed units × the
#: grid's share) and at least ``UNDER_UNITS`` units fewer. Visibility and the 1-3-5 cover
#: count a grid's first unit, the over-deployment term the units above its need: a unit
#: beyond a grid's first earns nothing while any grid is below its need, so a hot grid gets
#: its second and later units only from what requirements and first units leave (Baltimore,
#: 42 grids, 26 mobile units, 5 of them ring holders: the hottest grid, 17 % of the 19:00
#: risk, got 1 unit of a need of 5.3, none being left over). The plan says so.
UNDER_SHARE = 0.5
UNDER_UNITS = 2.0
#: A need measured against the record rests on the incidents recorded in its slot's hour of
#: the week; with fewer than this many in all grids the note calls it thin (a review: "worst
#: G3 at Saturday 04:00, 5 of 12.8" rested on 4 of the 5 incidents two years held then,
#: where the forecast put G3 at 0.010; 55 of the county's 168 hours of the week hold fewer
#: than 30, 31 fewer than 15)
THIN_RECORD = 30
#: The tiers whose own duty lists a sworn officer (民警, ``SWORN_ROLES``) leads in every hour
#: their units are on duty: a police station's patrol car and foot patrol, whose auxiliary
#: officers (辅警) may not enforce the law alone. The armed police's joint patrol and the
#: auxiliary forces are led otherwise. The rule holds where the scenario names any sworn
#: officer at all (a list without one is then short of its lead in every hour, and says so).
LEAD_TIERS: tuple[str, ...] = ("special", "precinct")


@dataclass(frozen=True)
class Shortfall:
    """A duty that goes short in a slot: what was needed, what was found, and why."""

    slot: int
    start: str
    duty: str  # tier presence, joint patrol, handover, event post, fixed post, checkpoint, pin
    place: str
    need: int
    have: int
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"slot": self.slot, "start": self.start, "duty": self.duty, "place": self.place,
                "need": self.need, "have": self.have, "detail": self.detail}


@dataclass(frozen=True)
class SlotSolve:
    """How the slot's MIP went: HiGHS' status, objective, dual bound and relative gap."""

    slot: int
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    columns: int
    rows: int

    def as_dict(self) -> dict[str, object]:
        # no seconds here: plan.json is byte-for-byte reproducible (the bench reports them)
        return {"slot": self.slot, "status": self.status, "objective": round(self.objective, 6),
                "bound": round(self.bound, 6), "gap": round(self.gap, 9),
                "columns": self.columns, "rows": self.rows}


@dataclass(frozen=True, eq=False)
class Posture:
    """Every unit's place in every slot, the counts per grid, shortfalls and solver figures."""

    assignments: tuple[Assignment, ...]
    grids: tuple[str, ...]
    counts: IntArray  # (grids, slots): uniformed units present (mobile + posts + pins)
    shortfalls: tuple[Shortfall, ...]
    solves: tuple[SlotSolve, ...]
    on_duty: tuple[tuple[str, ...], ...]
    seconds: float
    changed: int = 0  # assignments that differ from the plan re-planned (re-plan only)
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def max_gap(self) -> float:
        return max((s.gap for s in self.solves), default=0.0)

    @property
    def status(self) -> str:
        st = {s.status for s in self.solves}
        return "optimal" if st <= {"optimal"} else ("time_limit" if "time_limit" in st
                                                   else sorted(st)[0])

    def summary(self) -> dict[str, object]:
        by: dict[str, int] = {}
        on: dict[int, int] = {}  # per slot: units the posture has on duty (not the
        # units available: those counted every auxiliary force in every hour)
        for a in self.assignments:
            by[a.duty] = by.get(a.duty, 0) + 1
            on[a.slot] = on.get(a.slot, 0) + (a.duty != "off")
        return {
            "method": "per-slot MIP (HiGHS) of counts per grid and unit class, then "
                      "min-cost assignment of units (linear_sum_assignment)",
            "status": self.status, "max_gap": self.max_gap,
            "solves": [s.as_dict() for s in self.solves],
            "assignments": len(self.assignments), "by_duty": by,
            "units_on_duty": [on[k] for k in sorted(on)],
            "grids": list(self.grids),
            "counts": self.counts.tolist(),
            "shortfalls": [s.as_dict() for s in self.shortfalls],
            **({"changed": self.changed} if self.changed else {}),
            **dict(self.extra),
        }


class _Mip:
    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.integer: list[int] = []
        self.rows: list[dict[int, float]] = []
        self.rlo: list[float] = []
        self.rhi: list[float] = []

    def var(self, lo: float, hi: float, cost: float, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lo.append(lo)
        self.hi.append(hi)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(self, coefs: Mapping[int, float], lo: float, hi: float) -> None:
        self.rows.append(dict(coefs))
        self.rlo.append(lo)
        self.rhi.append(hi)

    def solve(self, *, gap: float, time_limit: float) -> tuple[str, FloatArray, float, float]:
        nc, nr = len(self.cost), len(self.rows)
        if nc == 0:
            return "optimal", np.zeros(0), 0.0, 0.0
        ri: list[int] = []
        ci: list[int] = []
        vv: list[float] = []
        for r, coefs in enumerate(self.rows):
            for c, v in coefs.items():
                if v:
                    ri.append(r)
                    ci.append(c)
                    vv.append(v)
        a = sparse.csr_array((vv, (ri, ci)), shape=(nr, nc))
        h = _Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
        st = h.passModel(nc, nr, int(a.nnz), int(highspy.MatrixFormat.kRowwise),
                         int(highspy.ObjSense.kMaximize), 0.0,
                         np.asarray(self.cost, dtype=np.float64),
                         np.asarray(self.lo, dtype=np.float64),
                         np.asarray(self.hi, dtype=np.float64),
                         np.asarray(self.rlo, dtype=np.float64),
                         np.asarray(self.rhi, dtype=np.float64),
                         a.indptr.astype(np.int32), a.indices.astype(np.int32),
                         np.asarray(a.data, dtype=np.float64),
                         np.asarray(self.integer, dtype=np.int32))
        if st == highspy.HighsStatus.kError:
            raise DeployError(f"HiGHS rejected the posture model ({nr} rows, {nc} columns)")
        h.run()
        ms = h.getModelStatus()
        info = h.getInfo()
        if info.primal_solution_status != highspy.kSolutionStatusFeasible:
            raise DeployError(f"the posture model found no feasible plan: "
                              f"{h.modelStatusToString(ms)} (every requirement has a "
                              "shortfall slack, so this is a solver failure)")
        status = ("optimal" if ms == highspy.HighsModelStatus.kOptimal else
                  "time_limit" if ms == highspy.HighsModelStatus.kTimeLimit else
                  h.modelStatusToString(ms))
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        obj = float(info.objective_function_value)
        bound = float(info.mip_dual_bound)
        return status, x, obj, bound


def _first_due(inp: Inputs) -> IntArray:
    """The ``last_seen`` the horizon starts from: the grids of a presence window of w slots
    (key-site tiers, lines) fall due in turn over the first slots, the riskiest first,
    instead of all in the first slot, where asking every tier-2 and tier-3 grid for a patrol
    at once asked more than the night shift has (Montreal, 500 m grids: 10 of 11 posture
    shortfalls were in slot 0). The horizon repeats (the routes measure a site's interval
    across its end, from the last visit to the first), so a grid falls due first no later
    than slot (T − 1) mod w of T slots: patrols every w slots from there still come within
    w slots of the next day's first (24 hourly slots, tier 3's 7: slots 0–2)."""
    out = np.full(inp.n_grids, -10**6, dtype=np.int64)
    n_t = len(inp.slots)
    window: dict[int, int] = {}
    for windows in (inp.tier_window, inp.line_window):
        for w, gs in windows.items():
            for g in gs:
                window[g] = min(w, window.get(g, w))
    by_w: dict[int, list[int]] = {}
    for g, w in window.items():
        by_w.setdefault(w, []).append(g)
    # the horizon's risk per grid as a share of the largest, to 3 decimals, so that a re-plan
    # from plan.json's risk (rounded to 5 decimals) orders the grids as the plan did
    total = inp.risk.sum(axis=1)
    rel = np.round(total / max(float(total.max()), 1e-12), 3) if total.size else total
    for w, members in by_w.items():
        members.sort(key=lambda g: (-float(rel[g]), g))
        spread = (n_t - 1) % w + 1 if n_t >= w else 1  # first-due slots 0 .. spread - 1
        for i, g in enumerate(members):
            out[g] = (i * spread) // len(members) - w  # due from slot i * spread // len
    return out


@dataclass
class _State:
    """What the slots already planned leave behind for the next one."""

    last_seen: IntArray  # per grid: index (in slot order) of the last slot with presence
    where: dict[str, int]  # unit -> grid index of its last place (-1: unknown)
    prev_counts: FloatArray
    first_seen: IntArray  # per grid: index of the first slot with presence (-1: none yet)

    def seen(self, grids: Sequence[int], k: int) -> None:
        """The grids ``grids`` are patrolled in slot position ``k``."""
        self.last_seen[list(grids)] = k
        for g in grids:
            if self.first_seen[g] < 0:
                self.first_seen[g] = k

    def due(self, g: int, w: int, k: int, n_t: int) -> bool:
        """Whether grid ``g`` of a presence window of ``w`` slots needs a patrol in slot
        position ``k`` of ``n_t``: ``w`` slots after its last, or, across the horizon's end
        (the routes measure a site's interval from the last visit to the next day's first),
        once slot n_t - w + its first is reached with no patrol since."""
        last = int(self.last_seen[g])
        if k - last >= w:
            return True
        first = int(self.first_seen[g])
        return first >= 0 and k >= n_t - w + first > last


#: A grid counts as covered (1-3-5) by units in itself or in the nearest grids that reach it
#: within its target; beyond this many the cover row adds nothing but density (v <= 1).
REACH_NEAREST = 8


def _reach(minutes: FloatArray, target: FloatArray, *, hour: int,
           cache: dict[int, list[set[int]]]) -> list[set[int]]:
    """Per grid g: g and the ``REACH_NEAREST`` nearest grids reaching it within its target."""
    got = cache.get(hour)
    if got is None:
        got = []
        for g in range(minutes.shape[0]):
            col = minutes[:, g]
            ok = np.flatnonzero(col <= target[g])
            if ok.size > REACH_NEAREST:
                ok = ok[np.argsort(col[ok], kind="stable")[:REACH_NEAREST]]
            got.append(set(ok.tolist()) | {g})
        cache[hour] = got
    return got


def _grid_of_post(inp: Inputs, post: str) -> int:
    g = inp.post_grid.get(post, -1)
    if g >= 0 or inp.n_grids == 0:
        return g
    node = inp.post_node[post]
    xy = inp.scenario.roads.xy
    reps = xy[inp.rep]
    return int(np.argmin(np.hypot(reps[:, 0] - xy[node, 0], reps[:, 1] - xy[node, 1])))


def _at_post(inp: Inputs, post: str, outside: set[str]) -> tuple[int, int]:
    """The grid a unit standing at ``post`` counts as presence in, and the grid it is in for
    travel: by :meth:`Scenario.area_index` (``post_grid``), as every other point of the plan;
    a post outside every grid counts in none, and is added to ``outside`` (review P:
    Baltimore's checkpoint CP1, 78 m outside every grid, counted in G0302), though the unit
    travels from the nearest grid."""
    g = inp.post_grid.get(post, -1)
    if g < 0:
        outside.add(post)
    return g, _grid_of_post(inp, post)


def _events_at(inp: Inputs, k: int) -> list[Event]:
    s = inp.slots[k]
    return [e for e in inp.scenario.events if e.start < s.end and e.end > s.start]


def plan_posture(inp: Inputs, *, checkpoint_at: Mapping[tuple[str, int], str] | None = None,
                 first: int = 0, anchor: Posture | None = None,
                 out_of_service: Mapping[str, int] | None = None,
                 busy: Mapping[str, tuple[int, str]] | None = None,
                 hot: Mapping[tuple[int, int], float] | None = None,
                 hot_kept: Mapping[tuple[int, int], float] | None = None) -> Posture:
    """Plan slots ``first``.. of ``inp`` (indices into ``inp.slots``).

    ``checkpoint_at`` maps (unit, slot index) to the checkpoint post of the schedule.
    Re-plan arguments: ``anchor`` the plan in force (its assignments before ``first`` are kept
    and later counts are the continuity anchor), ``out_of_service`` unit -> first slot position
    it is out, ``busy`` unit -> (last busy slot position, grid id) it is held at, ``hot``
    (slot position, grid index) -> extra risk share of a new hot incident (one unit more
    than the plan in force there), ``hot_kept`` the same for one an earlier re-plan gave (the
    plan in force already has its unit: its count is kept).
    """
    t_start = time.perf_counter()
    sc = inp.scenario
    opts = inp.options
    # None: priced against the forecast alone
    record = inp.record if opts.dosage_basis in ("record", "both") else None
    cps = dict(checkpoint_at or {})
    units = {u.id: u for u in sc.units}
    kinds = {u.id: unit_kind(u) for u in sc.units}
    visible = set(POLICE_TIERS)
    n_g, n_t = inp.n_grids, len(inp.slots)
    gindex = {g: i for i, g in enumerate(inp.grids)}
    pins: dict[tuple[str, int], tuple[str | None, str | None, str]] = {}
    for pin in inp.pins:
        for k in pin.slots:
            pins[(pin.unit, k)] = (pin.post, pin.grid, pin.note)
    out_oos = dict(out_of_service or {})
    busy_at = dict(busy or {})
    hot_new = dict(hot or {})
    hot_risk = dict(hot_new)
    for kg, extra in (hot_kept or {}).items():
        hot_risk[kg] = hot_risk.get(kg, 0.0) + extra
    pol = sc.policy
    handover = handovers(inp.slots, pol.shift_starts)
    node_grid = np.full(sc.roads.n_nodes, -1, dtype=np.int64)
    for gi, nodes in enumerate(inp.grid_nodes):
        node_grid[nodes] = np.where(node_grid[nodes] < 0, gi, node_grid[nodes])
    home_grid = {u.id: _grid_of_post(inp, u.home_post) for u in sc.units}  # for travel
    # the grid a unit held in reserve at its home post counts as presence in: none for a
    # post outside every grid (the county's township stations PS4..PS7, 1.0-2.4 km outside:
    # a car in reserve at PS5 counted in G7), as for checkpoints, fixed posts and pins
    home_seen = {u.id: inp.post_grid.get(u.home_post, -1) for u in sc.units}

    assignments: dict[tuple[str, int], Assignment] = {}
    reach_cache: dict[int, list[set[int]]] = {}
    counts = np.zeros((n_g, n_t), dtype=np.int64)
    shortfalls: list[Shortfall] = []
    solves: list[SlotSolve] = []
    state = _State(last_seen=_first_due(inp), where={u: home_grid[u] for u in units},
                   prev_counts=np.zeros(n_g), first_seen=np.full(n_g, -1, dtype=np.int64))
    rings = RingCover(sc, inp.net) if opts.hold_rings and inp.net is not None else None
    work = PatrolLoad(sc, inp.net) if opts.patrol_load and inp.net is not None else None
    # grids whose sites or mandatory lines want a patrol in every slot
    every_slot = set(inp.tier_window.get(1, ())) | set(inp.line_window.get(1, ()))
    grid_of_node = [inp.grids[g] if g >= 0 else None for g in node_grid.tolist()]
    locked: set[tuple[str, int]] = set()  # busy or pinned: never taken for staging
    outside: set[str] = set()  # posts stood at outside every grid: presence in none
    last_holds: dict[str, str] = {}  # stop node -> the unit standing there in the slot before
    held_grid: dict[str, int] = {}  # that unit -> the grid of its stop
    holds_by_slot: dict[str, list[dict[str, object]]] = {}
    # per slot planned: the need of each grid (the dosage yardstick), the mobile units on
    # duty, those standing to hold rings and those patrolling beyond their grid's first
    dose: list[tuple[int, FloatArray, int, int, int]] = []
    shorts_by_slot: dict[str, list[str]] = {}
    net_index = ({n: i for i, n in enumerate(inp.net.node_ids)} if inp.net is not None
                 else {})
    net_ids = inp.net.node_ids if inp.net is not None else ()
    anchor_idx: dict[tuple[str, int], Assignment] = {}
    anchor_holds: dict[tuple[int, str], str] = {}
    if anchor is not None:
        keep = {(a.unit, a.slot): a for a in anchor.assignments}
        anchor_idx, anchor_holds = _staged_as_grids(anchor, inp, net_index, node_grid)
        for k in range(first):
            s = inp.slots[k]
            for u in units:
                a = keep[(u, s.index)]
                assignments[(u, s.index)] = a
            counts[:, k] = anchor.counts[:, k]
            # the grids the plan in force patrolled, as its own pass saw them: a police unit
            # on grid duty, not busy at an incident and not standing to hold a ring (a
            # one-stop route)
            state.seen(sorted({gindex[a.grid] for u in units
                               if (a := keep[(u, s.index)]).duty == "grid"
                               and a.grid is not None and not a.route
                               and units[u].tier in visible
                               and a.note != BUSY}), k)
        if first > 0:
            state.prev_counts = anchor.counts[:, first - 1].astype(np.float64)
            for u in units:
                a = anchor_idx[(u, inp.slots[first - 1].index)]
                if a.grid is not None:
                    state.where[u] = gindex[a.grid]
                elif a.post is not None:
                    state.where[u] = _grid_of_post(inp, a.post)

    for k in range(first, n_t):
        s = inp.slots[k]
        on = {u for u in inp.on_duty[k] if not (u in out_oos and out_oos[u] <= k)}
        p0 = np.zeros(n_g)
        # grid -> the police units patrolling it (not standing at a post), as they are put:
        # before the counts, those bound there (pins); after them, every patrol
        patrols: dict[int, list[str]] = {}

        def put(u: str, a: Assignment, gi: int, *, at: int | None = None, _k: int = k,
                _p0: FloatArray = p0, _pt: dict[int, list[str]] = patrols) -> None:
            """Place ``u``: ``a`` counts as presence in grid ``gi`` (none when -1); ``at``
            the grid it is in for travel, when not ``gi`` (a post outside every grid: the
            nearest, :func:`_at_post`)."""
            assignments[(u, a.slot)] = replace(a, crew=inp.crew.get((u, a.slot), ()))
            if gi >= 0 and units[u].tier in visible and a.duty != "off":
                _p0[gi] += 1
                if a.duty == "grid" and a.note != BUSY:
                    _pt.setdefault(gi, []).append(u)
            where = gi if at is None else at
            if where >= 0:
                state.where[u] = where

        def lost(u: str, why: str, *, _s: Slot = s) -> None:
            """The checkpoint visit and the pin of ``u`` in this slot go short: it ``why``."""
            if (u, _s.index) in cps:
                shortfalls.append(Shortfall(_s.index, _s.name, "checkpoint",
                                            cps[(u, _s.index)], 1, 0, f"team {u} {why}"))
            if (u, _s.index) in pins:
                pp, pg, _ = pins[(u, _s.index)]
                shortfalls.append(Shortfall(_s.index, _s.name, "pin", str(pp or pg), 1, 0,
                                            f"pinned unit {u} {why}"))

        mobile: list[str] = []
        uncrewed: dict[str, list[str]] = {}  # fixed post -> its units off duty, and why
        for u, unit in units.items():
            kind = kinds[u]
            if u not in on:
                reason = (OUT_OF_SERVICE if u in out_oos and out_oos[u] <= k
                          else AUXILIARY_OFF if kind == "auxiliary"
                          else inp.off_reason.get((u, s.index), "no crew on duty"))
                assignments[(u, s.index)] = Assignment(unit=u, slot=s.index, duty="off",
                                                       note=reason)
                if kind == "fixed":
                    uncrewed.setdefault(unit.home_post, []).append(f"{u} ({reason})")
                lost(u, f"is off duty ({reason})")
                continue
            if u in busy_at and busy_at[u][0] >= k:
                bg = busy_at[u][1]
                locked.add((u, s.index))
                put(u, Assignment(unit=u, slot=s.index, duty="grid", grid=bg,
                                  note=BUSY), gindex[bg])
                lost(u, f"is busy at an incident in {bg}")  # the incident comes first
                continue
            if (u, s.index) in pins:
                pp, pg, note = pins[(u, s.index)]
                locked.add((u, s.index))
                if (u, s.index) in cps:  # the planner's pin comes first
                    shortfalls.append(Shortfall(s.index, s.name, "checkpoint",
                                                cps[(u, s.index)], 1, 0,
                                                f"team {u} is pinned to {pp or pg}"))
                if pp is not None:
                    seen_g, at_g = _at_post(inp, pp, outside)
                    put(u, Assignment(unit=u, slot=s.index, duty="post", post=pp,
                                      note=("pinned " + note).strip()), seen_g, at=at_g)
                else:
                    assert pg is not None
                    put(u, Assignment(unit=u, slot=s.index, duty="grid", grid=pg,
                                      note=("pinned " + note).strip()),
                        gindex[pg])
                continue
            if (u, s.index) in cps and (no := inp.checkpoint_short(u, s.index)):
                shortfalls.append(Shortfall(s.index, s.name, "checkpoint", cps[(u, s.index)],
                                            1, 0, f"team {u}: {no}"))
                seen_g, at_g = _at_post(inp, unit.home_post, outside)
                put(u, Assignment(unit=u, slot=s.index, duty="post", post=unit.home_post,
                                  note=f"checkpoint not manned: {no}"), seen_g, at=at_g)
            elif (u, s.index) in cps:
                cpost = cps[(u, s.index)]
                seen_g, at_g = _at_post(inp, cpost, outside)
                put(u, Assignment(unit=u, slot=s.index, duty="checkpoint", post=cpost,
                                  note="checkpoint schedule"), seen_g, at=at_g)
            elif kind in ("fixed", "checkpoint"):
                seen_g, at_g = _at_post(inp, unit.home_post, outside)
                put(u, Assignment(unit=u, slot=s.index, duty="post", post=unit.home_post,
                                  note=("fixed post" if kind == "fixed" else
                                        "checkpoint team between checkpoints")),
                    seen_g, at=at_g)
            elif kind == "drone":
                put(u, Assignment(unit=u, slot=s.index, duty="post", post=unit.home_post,
                                  note="drone ready at its post"), -1)
            elif kind == "auxiliary":
                # placed by the auxiliary stage in its hours only (a review found volunteers
                # and guards on the plan sheet's routes all 24 slots with empty crews)
                assignments[(u, s.index)] = Assignment(
                    unit=u, slot=s.index, duty="off", note=AUXILIARY_OFF)
            else:
                mobile.append(u)
        # a fixed post is short when none of its units holds it (a unit without a crew while
        # another holds the post is simply off, like any unit the roster leaves uncrewed)
        held = {assignments[(uu, s.index)].post for uu in units if kinds[uu] == "fixed"
                and assignments[(uu, s.index)].duty == "post"}
        for post, off in uncrewed.items():
            if post not in held:
                shortfalls.append(Shortfall(s.index, s.name, "fixed post", post, 1, 0,
                                            f"no unit holds the post: {', '.join(off)}"))

        # requirements of the slot
        req = np.zeros(n_g)
        # grid -> its needs, each (duty, what): the duty a shortfall of that need alone is
        # (a grid's one need names it; several are "presence"), and the need as the detail
        # says it — kept apart, not parsed back out of the words (an event named "Fair
        # (north)" made the duty "event Fair")
        why: dict[int, list[tuple[str, str]]] = {}

        def need(g: int, n: int, duty: str, what: str | None = None, _req: FloatArray = req,
                 _why: dict[int, list[tuple[str, str]]] = why) -> None:
            if n > _req[g]:
                _req[g] = n
            _why.setdefault(g, []).append((duty, duty if what is None else what))

        for what, windows in (("tier", inp.tier_window), ("line", inp.line_window)):
            for w, gs in windows.items():
                for g in gs:
                    if state.due(g, w, k, n_t):  # a patrol: units at posts do not
                        # visit the grid's sites, so one more than the units standing there
                        need(g, int(p0[g]) - len(patrols.get(g, ())) + 1,
                             f"{what} presence", f"{what} presence (every {w} slots)")
        if handover[k]:  # a shift hands over within the slot
            for g in inp.tier1_grids:
                need(g, 1, "handover cover")
        # joint patrols (叠加巡逻) at crowded sites in their peak slots: their own rows, since
        # a car standing at the site to hold its ring is one of the joint patrol's units
        joint = np.zeros(n_g)
        joint_sites: dict[int, list[str]] = {}
        for (si, g, site) in inp.crowd:
            if si == s.index:
                joint[g] = max(joint[g], float(opts.joint_patrol_units))
                joint_sites.setdefault(g, []).append(site)
        # staging: the tier-1 rings no standing responder holds, and the nodes a car could
        # hold each from (the counts below choose which, in the grids that need units most)
        open_sites = np.zeros(0, dtype=np.int64)
        cand = np.zeros(0, dtype=np.int64)
        near_site = np.zeros((0, 0), dtype=bool)
        if rings is not None:
            standing = [assignments[(u, s.index)] for u in units
                        if (u, s.index) in assignments]
            open_sites = np.flatnonzero(~rings.covered(standing, s.start.hour))
            cand, near_site = rings.candidates(open_sites, s.start.hour, node_grid)
        hot_req: dict[int, int] = {}  # grid -> units (all, staging included) it must have
        for (kk, g) in hot_risk:  # a new hot incident: one unit more than planned there;
            if kk == k:          # one an earlier re-plan gave: the count that plan gave it
                planned_n = int(anchor.counts[g, k]) if anchor is not None else 1
                hot_req[g] = planned_n + int((kk, g) in hot_new)
        event_posts: list[tuple[str, int, str]] = []
        for ev in _events_at(inp, k):
            if ev.level >= 2:
                for g in range(n_g):
                    need(g, 1, f"event {ev.name} level {ev.level}")
            if ev.level >= 3:
                for g in inp.tier1_grids:
                    need(g, 2, f"event {ev.name} level {ev.level}")
            for p in ev.posts:
                event_posts.append((p, ev.units_per_post, ev.name))

        # risk shares
        r = inp.risk[:, k].astype(np.float64).copy()
        for (kk, g), extra_share in hot_risk.items():
            if kk == k:
                r[g] += extra_share * max(r.sum(), 1e-9)
        r = r + 1e-3 * max(float(r.mean()) if n_g else 0.0, 1e-9)
        share = r / r.sum() if n_g else r
        q = inp.site_need / inp.site_need.sum() if inp.site_need.sum() > 0 else np.zeros(n_g)
        n_vis = float(p0.sum()) + len(mobile)
        if record is not None:
            rec = record[:, k].astype(np.float64).copy()
            for (kk, g), extra_share in hot_risk.items():
                if kk == k:
                    rec[g] += extra_share * max(rec.sum(), 1e-9)
            need_g = n_vis * rec / max(rec.sum(), 1e-12)
        else:
            need_g = n_vis * share
        # the yardsticks the over-deployment term prices, each at its weight of W_over (the
        # dosage cap follows the first)
        needs = [(need_g, 1.0)]
        if record is not None and opts.dosage_basis == "both":
            fw = opts.dosage_forecast_weight
            needs = [(need_g, 1.0 - fw), (n_vis * share, fw)]
        cap = np.maximum.reduce([np.ceil(opts.dosage_factor * need_g),
                                 np.full(n_g, float(opts.dosage_floor)), req, joint, p0])
        prev_n = state.prev_counts
        scale = max(n_vis, 1.0)

        # classes: mobile units by the grids they may patrol and whether they can hold a
        # ring (a responder car or motorcycle), so that the counts put staging units where
        # the rings need them (a grid patrolled on foot alone cannot hold its ring)
        classes: dict[tuple[tuple[int, ...], str, bool], list[str]] = {}
        for u in mobile:
            classes.setdefault((tuple(inp.allowed[u].tolist()), units[u].mode,
                                can_hold(units[u])), []).append(u)
        mip = _Mip()
        xs: dict[tuple[int, int], int] = {}
        es: dict[tuple[int, int], int] = {}
        # (class, grid of the home post, -1 outside every grid) -> units in reserve
        rs: dict[tuple[int, int], int] = {}
        class_keys = list(classes)
        for ci, ckey in enumerate(class_keys):
            key = ckey[0]
            nc = len(classes[ckey])
            for g in key:
                xs[(ci, g)] = mip.var(0, nc, 0.0, True)
            for pi, (p, _, _) in enumerate(event_posts):
                gp = _grid_of_post(inp, p)
                if gp in key:
                    es[(ci, pi)] = mip.var(0, nc, 0.0, True)
            homes: dict[int, int] = {}  # a unit in reserve stands at its home post
            for u in classes[ckey]:
                homes[home_seen[u]] = homes.get(home_seen[u], 0) + 1
            for h, nh in sorted(homes.items()):
                rs[(ci, h)] = mip.var(0, nh, -opts.w_reserve, True)
            if anchor is not None:  # keep the plan in force: its count of the class per grid
                planned: dict[int, int] = {}
                for u in classes[ckey]:
                    a0 = anchor_idx.get((u, s.index))
                    if a0 is not None and a0.grid is not None:
                        planned[gindex[a0.grid]] = planned.get(gindex[a0.grid], 0) + 1
                for g in key:
                    kd = mip.var(0, math.inf, -opts.w_keep / max(len(mobile), 1))
                    ref = float(planned.get(g, 0))
                    mip.row({xs[(ci, g)]: 1.0, kd: -1.0}, -math.inf, ref)
                    mip.row({xs[(ci, g)]: 1.0, kd: 1.0}, ref, math.inf)
            coefs = {xs[(ci, g)]: 1.0 for g in key}
            coefs.update({es[(c2, pi)]: 1.0 for (c2, pi) in es if c2 == ci})
            coefs.update({j: 1.0 for (c2, _h), j in rs.items() if c2 == ci})
            mip.row(coefs, nc, nc)
        reserve_at: dict[int, dict[int, float]] = {}  # grid -> its home posts' reserves
        for (_c, h), j in rs.items():
            if h >= 0:  # a reserve outside every grid is no grid's presence
                reserve_at.setdefault(h, {})[j] = -1.0
        # n[g] as coefficients over x and e
        ncoef: list[dict[int, float]] = [dict() for _ in range(n_g)]
        pcoef: list[dict[int, float]] = [dict() for _ in range(n_g)]
        for (_ci, g), j in xs.items():
            ncoef[g][j] = 1.0
            pcoef[g][j] = 1.0
        for (_ci, pi), j in es.items():
            # a unit at an event post is presence in the grid holding the post, in none
            # outside every grid (the classes that may staff it are still those of the
            # nearest grid's zone, and the unit travels from there)
            gp = inp.post_grid.get(event_posts[pi][0], -1)
            if gp >= 0:
                ncoef[gp][j] = 1.0
        # m[g] = units added to grid g (patrols and event posts): one column per grid, so
        # that the rows over several grids (cover) stay sparse at city scale
        madd: list[dict[int, float]] = [dict() for _ in range(n_g)]
        for g in range(n_g):
            if ncoef[g]:
                mg = mip.var(0, math.inf, 0.0)
                mip.row({**ncoef[g], mg: -1.0}, 0.0, 0.0)
                madd[g] = {mg: 1.0}
        # y[i]: a staging unit stands at candidate node i (taken from the cars and motorcycles
        # the counts put in its grid); every open ring held by one, or a listed shortfall
        ys: dict[int, int] = {}
        ygrid: list[dict[int, float]] = [dict() for _ in range(n_g)]  # grid -> {y: -1}
        holding_cols: list[dict[int, float]] = [dict() for _ in range(n_g)]
        for (ci, g), j in xs.items():
            if class_keys[ci][2]:
                holding_cols[g][j] = 1.0
        # a holder of the slot before stays (HOLD_KEEP); in a re-plan a node the plan in
        # force holds in this slot weighs more than one held the slot before, so that when
        # one car could hold what two held in the plan, the re-plan keeps the plan's two
        # rather than a node of the slot before (a ring holder freed is a change)
        in_force = {nid for (kk, nid) in anchor_holds if kk == s.index}
        keep_w = opts.w_keep / max(len(mobile), 1)
        for i, nd in enumerate(cand.tolist()):
            g = int(node_grid[nd])
            if not holding_cols[g]:
                continue  # no car or motorcycle may patrol that grid
            bonus = 0.0
            if net_ids[nd] in last_holds or net_ids[nd] in in_force:
                bonus = HOLD_KEEP
            if net_ids[nd] in in_force:
                bonus += keep_w
            ys[i] = mip.var(0, 1, bonus - HOLD_COST, True)
            ygrid[g][ys[i]] = -1.0
        cshort: dict[int, int] = {}
        for j in range(open_sites.size):
            hc = mip.var(0, 1, -RING_SHORT * opts.w_short)
            cshort[j] = hc
            mip.row({**{ys[i]: 1.0 for i in np.flatnonzero(near_site[:, j]).tolist()
                        if i in ys}, hc: 1.0}, 1.0, math.inf)
        for g in range(n_g):
            if ygrid[g]:  # the holders are cars and motorcycles of the grid ...
                mip.row({**holding_cols[g], **ygrid[g]}, 0.0, math.inf)
                if opts.staging_patrols:  # ... beside which some keep patrolling
                    zg = mip.var(0, 1, 0.0, True)
                    for yv in ygrid[g]:
                        mip.row({zg: 1.0, yv: -1.0}, 0.0, math.inf)
                    hz = mip.var(0, opts.staging_patrols, -opts.w_short)
                    mip.row({**madd[g], **ygrid[g], zg: -float(opts.staging_patrols),
                             hz: 1.0}, 0.0, math.inf)
        minutes = inp.minutes[s.start.hour]
        near = _reach(minutes, inp.target, hour=s.start.hour, cache=reach_cache)
        hshort: dict[int, int] = {}
        jshort: dict[int, int] = {}
        # open ring (column of near_site) of each tier-1 site by id
        ring_col: dict[str, int] = {} if rings is None else {
            rings.sites[int(p)].id: j for j, p in enumerate(open_sites.tolist())}
        for g in range(n_g):
            mg_ = madd[g]
            neg = {j: -1.0 for j in mg_}
            y = mip.var(0, 1, opts.w_visibility * share[g])
            mip.row({**neg, y: 1.0}, -math.inf, p0[g])
            reach = near[g]
            v = mip.var(0, 1, opts.w_coverage * share[g])
            cv: dict[int, float] = {v: 1.0}
            for g2 in reach:
                for j in madd[g2]:
                    cv[j] = -1.0
            mip.row(cv, -math.inf, float(sum(p0[g2] for g2 in reach)))
            if q[g] > 0:
                z = mip.var(0, 2, opts.w_sites * q[g] / 2)
                mip.row({**neg, z: 1.0}, -math.inf, p0[g])
            for nd, wt in needs:
                o = mip.var(0, math.inf, -opts.w_over / scale * wt)
                # units held in reserve at a home post in the grid stand there: they count
                mip.row({**neg, **reserve_at.get(g, {}), o: 1.0}, p0[g] - nd[g], math.inf)
            if req[g] > p0[g]:  # patrols: the units added less those standing to hold rings
                h = mip.var(0, req[g], -opts.w_short)
                hshort[g] = h
                mip.row({**mg_, **ygrid[g], h: 1.0}, req[g] - p0[g], math.inf)
            if joint[g] > p0[g]:  # the same, but a car holding the crowded site's own ring
                at_site = {ys[i] for site in joint_sites[g] if site in ring_col
                           for i in np.flatnonzero(near_site[:, ring_col[site]]).tolist()
                           if i in ys}
                h = mip.var(0, joint[g], -opts.w_short)
                jshort[g] = h
                mip.row({**mg_, **{yv: c for yv, c in ygrid[g].items() if yv not in at_site},
                         h: 1.0}, joint[g] - p0[g], math.inf)
            if mg_:
                patrol = pcoef[g]
                if patrol:  # event posts are needs, not dosage: outside the cap, as are
                    # the cars standing to hold rings (the 1-3-5 cover is a requirement)
                    mip.row({**patrol, **ygrid[g]}, -math.inf, max(cap[g] - p0[g], 0.0))
                d = mip.var(0, math.inf, -opts.w_move / scale)
                mip.row({**mg_, d: -1.0}, -math.inf, prev_n[g] - p0[g])
                mip.row({**mg_, d: 1.0}, prev_n[g] - p0[g], math.inf)
        wshort: dict[int, tuple[int, float, float]] = {}  # grid -> (slack, work, car units)
        if work is not None:  # the police patrol work of the grids visited every slot
            hour = s.start.hour

            def share_of(mode: str, g: int, _h: int = hour) -> float:
                w = work.units(g, mode, _h)  # type: ignore[arg-type]
                return 0.0 if not math.isfinite(w) else 1.0 / w

            for g in sorted(every_slot):
                car = work.units(g, "car", hour)
                if car <= 0.0:
                    continue
                # the whole work, less what units patrolling it already (pins) do; the
                # cars standing to hold rings do none (−y, at a car's share)
                rhs = (opts.patrol_work_margin
                       - sum(share_of(units[u].mode, g) for u in patrols.get(g, [])))
                cols_w = {xs[(ci, g)]: share_of(ckey[1], g)
                          for ci, ckey in enumerate(class_keys)
                          if (ci, g) in xs and units[classes[ckey][0]].tier in POLICE_TIERS
                          and share_of(ckey[1], g) > 0}
                if rhs <= 1e-9:
                    continue
                hw = mip.var(0, rhs, -opts.w_short)
                cols_w.update({yv: -share_of("car", g) for yv in ygrid[g]})
                mip.row({**cols_w, hw: 1.0}, rhs, math.inf)
                wshort[g] = (hw, rhs, car)
        hotshort: dict[int, int] = {}
        for g, n_hot in hot_req.items():  # on the grid's whole count: more presence there
            if n_hot > p0[g]:
                hh = mip.var(0, n_hot, -opts.w_short)
                hotshort[g] = hh
                mip.row({**madd[g], hh: 1.0}, n_hot - p0[g], math.inf)
        eshort: dict[int, int] = {}
        for pi, (_p, npost, _) in enumerate(event_posts):
            h = mip.var(0, npost, -opts.w_short)
            eshort[pi] = h
            mip.row({**{j: 1.0 for (c2, p2), j in es.items() if p2 == pi}, h: 1.0},
                    npost, npost)
        t_mip = time.perf_counter()
        status, x, obj, bound = mip.solve(gap=opts.mip_gap, time_limit=opts.time_limit_s)
        t_mip = time.perf_counter() - t_mip
        gap = abs(obj - bound) / max(abs(obj), 1e-9)
        gap = 0.0 if abs(obj - bound) <= 1e-6 else gap
        solves.append(SlotSolve(s.index, status, obj, bound, gap, t_mip, len(mip.cost),
                                len(mip.rows)))
        chosen = sorted((int(cand[i]) for i, yv in ys.items() if x[yv] > 0.5),
                        key=lambda nd: (-float(inp.risk[int(node_grid[nd]), k]), nd))
        for g, h in hshort.items():
            short = round(x[h])
            if short > 0:
                shortfalls.append(Shortfall(s.index, s.name, why[g][0][0]
                                            if len(why[g]) == 1 else "presence",
                                            inp.grids[g], int(req[g]), int(req[g]) - short,
                                            "; ".join(dict.fromkeys(w for _, w in why[g])) +
                                            ": not enough units on duty" +
                                            _zone_at_events(g, x, es, class_keys,
                                                            event_posts)))
        for g, h in jshort.items():
            short = round(x[h])
            if short > 0:
                shortfalls.append(Shortfall(s.index, s.name, "joint patrol", inp.grids[g],
                                            int(joint[g]), int(joint[g]) - short,
                                            f"joint patrol at {', '.join(joint_sites[g])}: not "
                                            "enough units on duty"))
        for g, (hw, _rhs, car) in wshort.items():
            if x[hw] > 1e-6:
                m = opts.patrol_work_margin
                given = max(0.0, m - float(x[hw]))  # in multiples of the least work
                shortfalls.append(Shortfall(
                    s.index, s.name, "patrol work", inp.grids[g], math.ceil(m * car - 1e-9),
                    math.floor(given * car + 1e-9),
                    f"its key sites' revisit intervals and its lines' frequencies need at "
                    f"least the work of {car:.2f} police cars patrolling all the time, planned "
                    f"with {m:g}× that; the police patrolling there give {given:.2f}×"))
        for g, hh in hotshort.items():
            short = round(x[hh])
            if short > 0:
                shortfalls.append(Shortfall(s.index, s.name, "hot incident", inp.grids[g],
                                            hot_req[g], hot_req[g] - short,
                                            "hot incident: one unit more than planned; not "
                                            "enough units on duty"))
        for pi, h in eshort.items():
            short = round(x[h])
            if short > 0:
                p, npost, name = event_posts[pi]
                shortfalls.append(Shortfall(s.index, s.name, "event post", p, npost,
                                            npost - short, f"event {name}: not enough units "
                                            "on duty in its zone"))
        # assign units of each class to the places the counts say
        at_event: dict[str, str] = {}  # unit -> the event at whose post it stands
        for ci, ckey in enumerate(class_keys):
            key = ckey[0]
            us = classes[ckey]
            cols: list[tuple[str, int, int]] = []  # (kind, grid or post index, grid)
            for g in key:
                cols += [("grid", g, g)] * round(x[xs[(ci, g)]])
            for (c2, pi), j in es.items():
                if c2 == ci:
                    gp = _grid_of_post(inp, event_posts[pi][0])
                    cols += [("event", pi, gp)] * round(x[j])
            for (c2, h), j in rs.items():
                if c2 == ci:
                    cols += [("reserve", -1, h)] * round(x[j])
            if len(cols) != len(us):
                raise DeployError(f"slot {s.name}: the counts place {len(cols)} units of a "
                                  f"class of {len(us)}")
            cost = np.zeros((len(us), len(cols)))
            for i, u in enumerate(us):
                at = state.where.get(u, home_grid[u])
                old = (_anchor_place(anchor_idx, inp.grids, u, s.index)
                       if anchor is not None else None)
                for j, (kind, idx, g) in enumerate(cols):
                    dest = home_grid[u] if kind == "reserve" else g
                    tt = float(minutes[at, dest]) if at >= 0 and dest >= 0 else 0.0
                    cost[i, j] = tt if math.isfinite(tt) else _BIG
                    if kind == "reserve" and g != home_seen[u]:
                        cost[i, j] = _BIG  # the reserve place at another unit's home post
                    if old is not None and old != (kind, idx):
                        cost[i, j] += 1000.0
                    if kind == "grid" and held_grid.get(u) == g:
                        cost[i, j] -= HOLDER_STAYS  # the staging unit keeps its site
            rows, colsel = linear_sum_assignment(cost)
            for i, j in zip(rows.tolist(), colsel.tolist(), strict=True):
                u = us[i]
                kind, idx, g = cols[j]
                unit = units[u]
                if kind == "grid":
                    a = Assignment(unit=u, slot=s.index, duty="grid", grid=inp.grids[idx],
                                   note=f"patrol (risk share {share[idx]:.2f})")
                    put(u, a, idx)
                elif kind == "event":
                    p, _, name = event_posts[idx]
                    at_event[u] = name
                    seen_g, at_g = _at_post(inp, p, outside)
                    put(u, Assignment(unit=u, slot=s.index, duty="post", post=p,
                                      note=f"event {name}"), seen_g, at=at_g)
                else:
                    seen_g, at_g = _at_post(inp, unit.home_post, outside)
                    put(u, Assignment(unit=u, slot=s.index, duty="post", post=unit.home_post,
                                      note="reserve at home post"), seen_g, at=at_g)
        counts[:, k] = p0.astype(np.int64)
        state.prev_counts = counts[:, k].astype(np.float64)
        if rings is not None:  # staging units for the tier-1 rings (this slot's patrols)
            prefer = dict(last_holds)
            prefer.update({node: u for (kk, node), u in anchor_holds.items()
                           if kk == s.index})
            st = rings.hold([assignments[(u, s.index)] for u in units], s.index,
                            s.start.hour, chosen, open_sites, grid_of_node,
                            prefer=prefer, locked=locked)
            for a in st.assignments:
                assignments[(a.unit, a.slot)] = a
            last_holds = {}
            held_grid = {}
            for (u, _k), sites in sorted(st.holds.items()):
                node = assignments[(u, s.index)].route[0]
                last_holds[node] = u
                held_grid[u] = int(node_grid[net_index[node]])
                holds_by_slot.setdefault(str(s.index), []).append(
                    {"unit": u, "node": node, "sites": list(sites)})
            for sh in st.shorts:
                col = ring_col.get(sh.site)
                from_grids = (set() if col is None else
                              set(node_grid[cand[near_site[:, col]]].tolist()) - {-1})
                shortfalls.append(Shortfall(s.index, s.name, "staging", sh.site, 1, 0,
                                            f"no unit stands within the tier-1 target of "
                                            f"{sh.site}: {sh.reason}"
                                            + _held_at_events(at_event, from_grids, inp,
                                                              units)))
                shorts_by_slot.setdefault(str(s.index), []).append(sh.site)
        by_grid: dict[str | None, int] = {}
        for u in mobile:
            a = assignments[(u, s.index)]
            if a.duty == "grid":
                by_grid[a.grid] = by_grid.get(a.grid, 0) + 1
        dose.append((k, need_g.copy(), len(mobile), len(holds_by_slot.get(str(s.index), [])),
                     sum(c - 1 for c in by_grid.values())))
        # the grids patrolled this slot: a unit standing to hold a ring (held_grid, this
        # slot's holders) visits no other site
        state.seen([g for g, us in patrols.items() if any(u not in held_grid for u in us)], k)
    out = tuple(assignments[(u.id, s.index)] for u in sc.units for s in inp.slots)
    staged: dict[str, object] = {"dosage_yardstick": _yardstick_name(
        opts.dosage_basis, record is not None, inp.forecast)}
    dosage = _dosage_note(inp, counts, dose, "record" if record is not None
                          else "forecast" if inp.forecast else "same")
    if dosage is not None:
        staged["dosage"] = dosage
    if inp.unnamed_crews:
        staged["unnamed_crews"] = dict(inp.unnamed_crews)
    # a re-plan keeps the shifts begun before its first slot (its first slot may be the
    # plan's: a night begun the evening before), unless the plan in force has no rota
    own = own_list_load(inp, assignments, at=inp.slots[first].start
                        if anchor is not None and inp.rota_in_force is not None else None)
    if own:
        staged["own_duty_lists"] = own
    if outside:
        staged["outside_grids"] = {
            "posts": sorted(outside),
            "note": f"post(s) {', '.join(sorted(outside))} lie outside every grid: the units "
                    "standing there (checkpoints, fixed posts, pins, event posts, reserves) "
                    "count in no grid's presence"}
    if rings is not None:
        all_holds = [h for hs in holds_by_slot.values() for h in hs]
        staged["staging"] = {
            "holds": len(all_holds), "short": sum(len(v) for v in shorts_by_slot.values()),
            "sites_held": sum(len(cast(list[str], h["sites"])) for h in all_holds),
            "by_slot": holds_by_slot, "short_by_slot": shorts_by_slot}
    elapsed = time.perf_counter() - t_start
    solves_t = tuple(solves)
    return Posture(assignments=out, grids=inp.grids, counts=counts,
                   shortfalls=tuple(shortfalls), solves=solves_t,
                   on_duty=tuple(tuple(sorted(x)) for x in inp.on_duty), seconds=elapsed,
                   extra=staged)


def _zone_at_events(g: int, x: FloatArray, es: Mapping[tuple[int, int], int],
                    class_keys: Sequence[tuple[tuple[int, ...], str, bool]],
                    event_posts: Sequence[tuple[str, int, str]]) -> str:
    """What a grid short of units in a slot lost to events, from the slot's counts: the
    units of its zone (of classes that may patrol it) the counts stand at event posts
    (``es``: (class, event post) -> column of ``x``) and which events; "" when none."""
    n: dict[str, int] = {}
    for (ci, pi), j in es.items():
        if g in class_keys[ci][0] and round(x[j]) > 0:
            name = event_posts[pi][2]
            n[name] = n.get(name, 0) + round(x[j])
    if not n:
        return ""
    return (f"; {sum(n.values())} unit(s) of its zone are held at event posts "
            f"({', '.join(n)})")


def _held_at_events(at_event: Mapping[str, str], from_grids: set[int], inp: Inputs,
                    units: Mapping[str, Unit]) -> str:
    """What a tier-1 ring left unheld in a slot lost to events, from the slot's plan: the
    cars and motorcycles of its zone — units that may patrol a grid (``from_grids``) holding
    a node a car reaches it from within the target, so could have stood within it — that
    stand at event posts instead (``at_event``: unit -> event); "" when none does (a review:
    a fair's 09:00-15:00 unheld rings were put down to the cars kept on grid patrol only,
    while four of the zone's cars stood at the fair's posts)."""
    held = [u for u in sorted(at_event) if can_hold(units[u])
            and from_grids.intersection(inp.allowed[u].tolist())]
    if not held:
        return ""
    events = ", ".join(dict.fromkeys(at_event[u] for u in held))
    return (f"; {len(held)} car(s) or motorcycle(s) of its zone are held at event posts "
            f"({events})")


def _yardstick_name(basis: str, record: bool, forecast: bool) -> str:
    """What the dosage is measured against, as plan.json's ``dosage_yardstick`` says it:
    the record, the forecast or both (``basis``, Options.dosage_basis), as far as the plan
    has them. Without a forecast its share is every grid the same (a review: a plan whose
    forecast was skipped said "record and forecast" beside "not by a forecast")."""
    fc = "forecast" if forecast else "every grid the same for want of a forecast"
    if record:
        return f"record and {fc}" if basis == "both" else "record"
    if basis == "forecast":
        return fc
    return (f"{fc} (dosage_basis is {basis}, but no incident of the record lies in a grid "
            "before the plan)")


def own_list_load(inp: Inputs, assignments: Mapping[tuple[str, int], Assignment],
                  at: datetime | None = None) -> list[dict[str, object]]:
    """What the plan asks of each own duty list (people.csv's people for a station's units,
    whom the roster does not rota: the unnamed crews whose pool names people, a re-plan's
    as the plan recorded them; the others have no one): the crew-hours a day its units
    are on duty in the plan (``CREW_MIN`` by mode, a lower bound: a car may carry more), the
    hours a week that makes for each of its people against ``max_week_hours``, and the most
    people its units need at once. The plan counts these units on duty without naming their
    crews (a review: four people a station had been counted 168 hours a week), so each list
    also gets its rota (:func:`~xunfang.planning.own_rota.own_rota`): who works which shift,
    under the roster's labour rules and with a sworn officer on in each hour its police
    units are on (``LEAD_TIERS``), and the hours no one can cover. A re-plan (``at``)
    keeps the plan in force's shifts begun before it (``inp.rota_in_force``)."""
    sc = inp.scenario
    mode = {u.id: u.mode for u in sc.units}
    led = {u.id for u in sc.units if u.tier in LEAD_TIERS}
    pools = crew_pools(sc)
    by_pool: dict[tuple[str, ...], list[str]] = {}
    for unit in inp.unnamed_crews:
        if pools.get(unit):
            by_pool.setdefault(pools[unit], []).append(unit)
    days = sum(s.minutes for s in inp.slots) / 1440
    most = sc.policy.roster.max_week_hours
    out: list[dict[str, object]] = []
    alike: dict[tuple[tuple[int, ...], tuple[int, ...], tuple[bool, ...]], OwnRota] = {}
    for pool, units in by_pool.items():
        hours = 0.0
        need: list[int] = []
        lead: list[int] = []
        for s in inp.slots:
            on = [u for u in units if assignments[(u, s.index)].duty != "off"]
            need.append(sum(CREW_MIN.get(mode[u], 1) for u in on))
            lead.append(int(bool(inp.sworn) and any(u in led for u in on)))
            hours += need[-1] * s.minutes / 60
        peak = max(need, default=0)
        a_day = hours / days if days else 0.0
        each = a_day * 7 / len(pool)
        members = set(pool)
        kept = [d for d in inp.rota_in_force or () if d.person in members]
        # lists alike — the same need and lead, as many people with their sworn officers in
        # the same places, none on leave, nothing kept (the county's town stations; its
        # other stations and the armed police) — have the same
        # rota but for the names: solved once, renamed (one worker, a fixed seed: the same)
        shape = (tuple(need), tuple(lead), tuple(p in inp.sworn for p in pool))
        plain = not kept and not any(lv.person in members for lv in sc.leave)
        if plain and shape in alike:
            rota = alike[shape].renamed(dict(zip(alike[shape].people, pool, strict=True)),
                                        tuple(units))
        else:
            rota = own_rota(sc, inp.slots, units, pool, need, at=at, kept=kept,
                            sworn=inp.sworn, lead=lead)
            if plain:
                alike[shape] = rota
        out.append({"units": units, "people": len(pool), "crew_hours_a_day": round(a_day, 1),
                    "week_hours_each": round(each, 1), "max_week_hours": most,
                    "most_at_once": peak, "over": each > most + 1e-9 or peak > len(pool)
                    or rota.week_short_hours > 0 or rota.week_lead_short_hours > 0,
                    "rota": rota.as_json()})
    return out


def _dosage_note(inp: Inputs, counts: IntArray,
                 dose: Sequence[tuple[int, FloatArray, int, int, int]], yardstick: str
                 ) -> dict[str, object] | None:
    """The grid-slots planned under ``UNDER_SHARE`` of their need and ``UNDER_UNITS`` units
    short of it, and why (None when there are none): ``dose`` per slot position planned
    (position, need per grid, mobile units on duty, ring holders, patrols beyond their
    grid's first); ``yardstick`` names what the need's shares are of (the dosage cap's: the
    ``record``, or the ``forecast`` without one; ``same`` where there is neither: every grid
    an equal share). The model trades them away (see ``UNDER_SHARE``); the plan says so."""
    under: list[dict[str, object]] = []
    left: list[int] = []
    on: list[int] = []
    for k, need, mobile, _holders, extra in dose:
        have = counts[:, k].astype(np.float64)
        low = np.flatnonzero((have < UNDER_SHARE * need) & (need - have >= UNDER_UNITS))
        if low.size:
            left.append(extra)
            on.append(mobile)
        for g in sorted(low.tolist(), key=lambda g: (have[g] - need[g], g)):
            s = inp.slots[k]
            row: dict[str, object] = {"slot": s.index, "start": s.name, "grid": inp.grids[g],
                                      "need": round(float(need[g]), 1), "have": int(have[g])}
            if yardstick == "record" and inp.record_counts is not None:
                # what the need rests on: the record's incidents in the slot's hour of the
                # week, in the grid and in all
                row["record_in_grid"] = round(float(inp.record_counts[g, k]), 1)
                row["record_at_hour"] = round(float(inp.record_counts[:, k].sum()), 1)
            under.append(row)
    if not under:
        return None
    thin = sum(1 for r in under if cast(float, r.get("record_at_hour", THIN_RECORD))
               < THIN_RECORD)
    worst = min(under, key=lambda r: (cast(int, r["have"]) - cast(float, r["need"]),
                                      cast(int, r["slot"])))
    short: dict[str, float] = {}
    for r in under:
        short[cast(str, r["grid"])] = (short.get(cast(str, r["grid"]), 0.0)
                                       + cast(float, r["need"]) - cast(int, r["have"]))
    top = sorted(short, key=lambda g: (-short[g], g))[:3]
    lo_m, hi_m = min(on), max(on)
    holders = [d[3] for d in dose]
    held = (f"{sum(holders) / len(holders):.1f} ring holders a slot on average, "
            if any(holders) else "")
    text = (
        f"dosage: {len(under)} grid-slot(s) get under {UNDER_SHARE:.0%} of their need (the "
        f"slot's uniformed units × the grid's share of the "
        + ("even split (no forecast, no record in a grid)" if yardstick == "same"
           else yardstick)
        + f") and at least "
        f"{UNDER_UNITS:g} units fewer, in {', '.join(top)}; worst {worst['grid']} at "
        f"{worst['start']}: {worst['have']} of {worst['need']}"
        + (f" (the record holds {worst['record_at_hour']:g} incidents at that hour of the "
           f"week, {worst['record_in_grid']:g} of them in {worst['grid']})"
           if "record_at_hour" in worst else "")
        + (f"; {thin} of the {len(under)} rest on fewer than {THIN_RECORD} recorded incidents "
           f"at their hour of the week, a thin yardstick" if thin else "")
        + f". The posture meets the "
        f"requirements first ({held}key-site patrol work and presence), then puts one unit "
        f"in as many grids as their risk warrants (visibility and the 1-3-5 cover count a "
        f"grid's first unit); a unit beyond a grid's first earns nothing while any grid is "
        f"below its need, so the hottest grids get only what is left: in those slots "
        f"{min(left)}–{max(left)} of the {lo_m if lo_m == hi_m else f'{lo_m}–{hi_m}'} mobile "
        f"units on duty patrolled beyond their grid's first. A trade-off of the model, not "
        f"a shortage" + (" (hold_rings=false frees the ring holders)." if any(holders)
                         else "."))
    return {"note": text, "under_share": UNDER_SHARE, "under_units": UNDER_UNITS,
            "grid_slots": under, "yardstick": yardstick, "thin": thin,
            "thin_below": THIN_RECORD,
            "most_short": top, "worst": worst,
            # what the note says of those slots, for the report to say in its own language
            "mobile_on_duty": [lo_m, hi_m], "beyond_first": [min(left), max(left)],
            "ring_holders_per_slot": (round(sum(holders) / len(holders), 1) if any(holders)
                                      else 0.0)}


def _anchor_place(index: Mapping[tuple[str, int], Assignment], grids: Sequence[str],
                  unit: str, slot: int) -> tuple[str, int] | None:
    """The (kind, index) of ``unit`` in ``slot`` of the plan in force, for the assignment's
    cost of change (grids by index; posts and reserve compare as ``reserve``)."""
    a = index.get((unit, slot))
    if a is None:
        return None
    if a.grid is not None:
        return ("grid", list(grids).index(a.grid))
    return ("reserve", -1)


def _staged_as_grids(anchor: Posture, inp: Inputs, ids: Mapping[str, int],
                     node_grid: IntArray) -> tuple[dict[tuple[str, int], Assignment],
                                                   dict[tuple[int, str], str]]:
    """The plan in force with each staging unit (a one-stop route) put back on patrol of the
    grid of its stop, as the counts saw it, and who held which stop in which slot (the
    re-plan keeps the same holders where it can)."""
    idx: dict[tuple[str, int], Assignment] = {}
    held: dict[tuple[int, str], str] = {}
    for a in anchor.assignments:
        if len(a.route) == 1 and a.route[0] in ids and node_grid[ids[a.route[0]]] >= 0:
            g = inp.grids[int(node_grid[ids[a.route[0]]])]
            held[(a.slot, a.route[0])] = a.unit
            a = replace(a, duty="grid", route=(), grid=g)
        idx[(a.unit, a.slot)] = a
    return idx, held
