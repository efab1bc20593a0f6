"""Benchmark: a county-year of incidents through ``xunfang.sim`` against a plain SimPy model.

    python bench/sim.py [--json] [--per-year 100000] [--days 365] [--replications 3]
                        [--seed 0] [--skip-simpy]

Scenario: the built-in county ``ebian`` with 4 more precinct patrol cars, so that 40 ground
units are on the street around the clock, every tier dispatched (``responder_tiers`` = all
four), and its 2 drones: they fly the sorties the drone stage plans over the grids (risk by
the record) and give eyes on scene when they beat the ground unit; two video-desk operators
tour the 29 cameras as the video stage plans; calls come after the default reporting delay
(exponential, mean 2.5 min) or the video desk's detection. ``--no-air``: no sorties, no views,
calls at once (the ground model alone; the drones still stand by).
Plan (one day, repeated): cars stand at their home posts; motorcycles, balance vehicles and
foot patrols patrol the 7 grids (a random node of the grid by the fastest road, 10 minutes
there, again). Incidents: sampled once (seed) from the county's recorded profile per grid
and hour of week, scaled to ``--per-year`` a year; the same list goes to both simulators in
every replication. Everything else as ``SimConfig()``: lognormal on-scene times by category,
handovers of 15 minutes at 08/16/00 h, pre-emption, second units to fights and tier-1 sites,
rush-hour speeds.

The SimPy model is the same model written the plain, idiomatic SimPy way: one process per unit
(its plan walked as timeouts: standing, each patrol leg and stop, handovers; interrupted by the
dispatcher) and one process per incident (started at its time by a source process, the usual
SimPy pattern, or with ``--simpy-arrivals upfront`` all created at the start, which makes
SimPy's event heap 100,000 deep and slower); it calls the dispatcher. A checker process retries
the queue when handovers end (after the units at that instant: a zero timeout). It shares only
the travel-time lookups (the same matrices) and the plan laid out as arrays; it draws its own
random numbers. The call times (reporting delay, camera detections) come from ``prepare`` for
both, and both hand their ground log to the same drone pass (``engine.fly_drones``), which
does not feed back into the ground model. Both write the same event log, and one evaluator
computes both sides' KPIs;
they must agree within sampling error (the difference of the means within the 95 % intervals of
the two sides).

Times are wall-clock per replication of the simulation itself (``setup`` — laying out the
plan and the travel-time matrices — is timed on its own; it is shared by the replications).
Ours is the compiled kernel (``xunfang.sim._kernel``, numba); its compilation on first use (or
loading from numba's on-disk cache) is timed apart as the warm-up. ``--python-engine`` times
the readable Python engine instead (the same model and the same log).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import sys
import time
from bisect import bisect_right
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang import scenario as scenario_mod  # noqa: E402
from xunfang.network import RoadNetwork  # noqa: E402
from xunfang.plan import Assignment, Plan, make_slots  # noqa: E402
from xunfang.scenario.model import Scenario, Unit  # noqa: E402
from xunfang.sim import RiskForecast, SimConfig, evaluate  # noqa: E402
from xunfang.sim.engine import (  # noqa: E402
    D_OFF,
    D_ROUTE,
    DWELL,
    HANDOVER,
    MOVE,
    OFF,
    PMOVE,
    RESPOND,
    SCENE,
    SERVED,
    STAND,
    UNSERVED,
    EventLog,
    Prepared,
    SimSetup,
    _Run,
    _run,
    fly_drones,
    prepare,
    setup,
)
from xunfang.sim.incidents import sample  # noqa: E402
from xunfang.sim.simulate import SimResult  # noqa: E402

START = date(2025, 1, 6)  # a Monday
KPIS = ("response_p50_min", "response_p90_min", "response_within_target", "wait_mean_min",
        "visibility", "over_deployment", "utilization", "second_unit_share", "scene_p50_min",
        "scene_p90_min", "camera_detected_share", "drone_eyes_first_share",
        "drone_eyes_p50_min", "drone_sortie_minutes_per_day", "drone_sorties_missed")


def _first_day(inc: Any) -> Any:
    from xunfang.sim import SimIncidents

    k = int(np.searchsorted(inc.minutes, 1440.0))
    return SimIncidents(ids=inc.ids[:k], minutes=inc.minutes[:k], xy=inc.xy[:k],
                        category=inc.category[:k], priority=inc.priority[:k])


def air_layers(sc: Scenario, net: RoadNetwork, plan: Plan, seed: int) -> Plan:
    """The plan with the county's drones flying sorties over every grid (risk by the record's
    incidents per grid and hour, the drone stage's defaults) and two video-desk operators
    touring its cameras (the video stage's defaults)."""
    from xunfang.plan import CameraView, DroneSortie
    from xunfang.planning.drones import plan_drones
    from xunfang.planning.video import plan_video

    fc = RiskForecast.from_history(sc, slot_minutes=60)
    grids = [a.id for a in sc.areas_of("grid")]
    wd = START.weekday()
    risk = {(g, s.index): float(fc.risk[i, (wd * 24 + s.index) % fc.risk.shape[1]])
            for i, g in enumerate(grids) for s in plan.slots}
    dp = plan_drones(sc, net, plan.slots, risk, seed=seed)
    vp = plan_video(sc, plan.slots, risk, {}, operators=2, seed=seed)
    return replace(
        plan,
        drone_sorties=tuple(DroneSortie(unit=x.unit, post=x.post, start=x.start, end=x.end,
                                        grids=x.grids, waypoints=x.waypoints)
                            for x in dp.sorties),
        camera_views=tuple(CameraView(operator=v.operator, camera=v.camera, start=v.start,
                                      minutes=v.minutes) for t in vp.tours for v in t.views))


def county(per_year: float, days: int, seed: int,
           engine: Literal["compiled", "python"] = "compiled", air: bool = True
           ) -> tuple[Scenario, RoadNetwork, Plan, SimConfig, Any]:
    sc = scenario_mod.load("ebian")
    extra = tuple(Unit(id=f"PSX-C{i}", tier="precinct", mode="car", squad="patrol",
                       home_post=f"PS{i}") for i in (1, 2, 3, 4))
    sc = replace(sc, units=sc.units + extra)
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(START, days=1, slot_minutes=60)
    grids = [a.id for a in sc.areas_of("grid")]
    asg = []
    for i, u in enumerate(sc.units):
        for s in slots:
            if u.mode in ("motorcycle", "balance", "foot"):
                asg.append(Assignment(unit=u.id, slot=s.index, duty="grid",
                                      grid=grids[i % len(grids)]))
            else:
                asg.append(Assignment(unit=u.id, slot=s.index, duty="post", post=u.home_post))
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=seed, version="bench",
                slots=slots, units=tuple(u.id for u in sc.units), assignments=tuple(asg))
    if air:
        plan = air_layers(sc, net, plan, seed)
    cfg = SimConfig(responder_tiers=("special", "precinct", "armed", "auxiliary"),
                    engine=engine)
    fc = RiskForecast.from_history(sc, per_year=per_year)
    inc = sample(fc, net.xy, days=days, rng=np.random.default_rng(seed),
                 start_weekday=START.weekday())
    return sc, net, plan, cfg, inc


# ---------------------------------------------------------------------------------------------
# The SimPy model


class SimpyModel:
    """The same model in plain SimPy: a process per unit and per incident."""

    def __init__(self, st: SimSetup, prep: Prepared, seed: int, arrivals: str = "source"
                 ) -> None:
        import simpy

        self.simpy = simpy
        self.env = simpy.Environment()
        self.st, self.prep, self.cfg = st, prep, st.config
        self.rng = np.random.default_rng(seed)
        self.H = st.horizon
        self.L = float(st.slot_minutes)
        tab = prep.travel
        assert tab.minutes is not None
        self.mat = tab.minutes.tolist()  # the shared travel-time lookups
        self.ht = tab.hour_table.tolist()
        self.mode_i = [tab.modes.index(m) for m in st.unit_mode]
        self.duty = st.duty.tolist()
        self.place = st.place.tolist()
        self.grid_points = [g.tolist() for g in st.grid_points]
        self.route_points = [r.tolist() for r in st.route_points]
        self.route_dwells = [d.tolist() for d in st.route_dwells]
        self.gap = self.cfg.handover_minutes
        # the plan's change points and handovers per unit (the same layout as ours)
        helper = _Run.__new__(_Run)
        helper.st, helper.L, helper.U, helper.gap = st, self.L, len(st.units), self.gap
        _Run._breaks(helper)
        self.changes, self.handovers, self.checks = helper.changes, helper.handovers, \
            helper.checks
        inc = prep.incidents
        self.inc_t = prep.call.tolist()  # dispatch starts at the call
        self.inc_p = inc.priority.tolist()
        self.inc_pt = prep.point.tolist()
        self.remaining = prep.service.tolist()
        n = len(inc)
        self.n_disp = [0] * n
        self.preempted = [0] * n
        self.second_unit = [-1] * n
        self.queue: list[tuple[int, float, int]] = []
        self.units = [SimpyUnit(self, u) for u in range(len(st.units))]
        self.responders = [self.units[u] for u in range(len(st.units)) if st.responder[u]]
        self.seg_log: list[tuple[int, int, int, int, float, float]] = []
        self.disp: list[list[float]] = []  # [inc, unit, role, time, arrival, clear, travel, pre]
        if arrivals == "upfront":  # every incident's process created at the start
            for i in prep.order.tolist():
                self.env.process(self.incident(i))
        else:  # a source process starts each incident's process at its time
            self.env.process(self.source())
        self.env.process(self.checker())

    def tt(self, u: int, a: int, b: int, t: float) -> float:
        k = self.ht[self.mode_i[u]][int((self.st.start_minute + t) // 60.0) % 24]
        return float(self.mat[k][a][b])

    def time_from(self, u: int, a: int, b: int, f: float, dest: int, t: float) -> float:
        ta = self.tt(u, a, dest, t)
        if a == b or f <= 0.0:
            return ta
        tb = self.tt(u, b, dest, t)
        return tb if f >= 1.0 else (1.0 - f) * ta + f * tb

    def incident(self, i: int) -> Any:
        yield self.env.timeout(self.inc_t[i] - self.env.now)
        if self.prep.status[i] != SERVED:
            return
        self.call(i)

    def source(self) -> Any:
        for i in self.prep.order.tolist():
            yield self.env.timeout(self.inc_t[i] - self.env.now)
            self.env.process(self.incident(i))

    def checker(self) -> Any:
        for c in self.checks:
            yield self.env.timeout(c - self.env.now)
            # let the units whose handover ends now come back first (same-time order)
            yield self.env.timeout(0)
            self.serve_queue()

    def nearest(self, dest: int, exclude: int = -1) -> tuple[SimpyUnit | None, float]:
        t = self.env.now
        best, bu = math.inf, None
        for un in self.responders:
            if un.busy or un.u == exclude or un.kind >= HANDOVER:
                continue
            a, b, f = un.where(t)
            tt = self.time_from(un.u, a, b, f, dest, t)
            if tt < best:
                best, bu = tt, un
        return bu, best

    def call(self, i: int) -> None:
        t = self.env.now
        dest = self.inc_pt[i]
        un, tt = self.nearest(dest)
        if un is None and self.cfg.preemption:
            best = math.inf
            for v in self.responders:
                if v.busy and self.inc_p[v.job[0]] > self.inc_p[i]:
                    a, b, f = v.busy_where(t)
                    x = self.time_from(v.u, a, b, f, dest, t)
                    if x < best:
                        best, un, tt = x, v, x
        if un is None:
            heapq.heappush(self.queue, (self.inc_p[i], t, i))
            return
        un.assign(i, tt, 1)
        if self.prep.second[i]:
            u2, tt2 = self.nearest(dest, exclude=un.u)
            if u2 is not None:
                u2.assign(i, tt2, 2)
                self.second_unit[i] = u2.u

    def serve_queue(self) -> None:
        held = []
        while self.queue:
            item = heapq.heappop(self.queue)
            un, tt = self.nearest(self.inc_pt[item[2]])
            if un is None:
                held.append(item)
                break
            un.assign(item[2], tt, 3 if self.n_disp[item[2]] else 1)
        for item in held:
            heapq.heappush(self.queue, item)

    def run(self) -> EventLog:
        self.env.run()
        for un in self.units:
            if not un.busy and un.t0 < self.H:
                un.log(un.kind, un.a, un.b, un.t0, min(un.t1, self.H))
        # the drones fly over the ground run with the same pass as ours (they do not change
        # what the ground units do)
        return fly_drones(self.st, self.prep, self.event_log(), compiled=True)

    def event_log(self) -> EventLog:
        prep = self.prep
        n = len(self.inc_t)
        d = np.array(self.disp, dtype=np.float64).reshape(-1, 8)
        d_inc, d_unit = d[:, 0].astype(np.int32), d[:, 1].astype(np.int32)
        d_role = d[:, 2].astype(np.int8)
        arrival = np.full(n, np.nan)
        dispatch = np.full(n, np.nan)
        travel = np.full(n, np.nan)
        first = np.full(n, -1, dtype=np.int32)
        clear = np.full(n, np.nan)
        rows = np.flatnonzero((d_role != 2) & np.isfinite(d[:, 4]))
        order = rows[np.lexsort((d[rows, 4], d_inc[rows]))][::-1]
        first[d_inc[order]] = d_unit[order]
        dispatch[d_inc[order]] = d[order, 3]
        arrival[d_inc[order]] = d[order, 4]
        travel[d_inc[order]] = d[order, 6]
        if d_inc.size:
            np.fmax.at(clear, d_inc, d[:, 5])
        status = prep.status.copy()
        status[(status == SERVED) & np.isnan(arrival)] = UNSERVED
        s = np.array(self.seg_log, dtype=np.float64).reshape(-1, 6)
        return EventLog(
            point_xy=prep.travel.xy, inc_minutes=prep.incidents.minutes, inc_point=prep.point,
            inc_status=status, inc_first_unit=first, inc_dispatch=dispatch,
            inc_arrival=arrival, inc_travel=travel, inc_clear=clear,
            inc_second_unit=np.array(self.second_unit, dtype=np.int32).reshape(-1),
            inc_second_wanted=prep.second.copy(),
            inc_preempted=np.array(self.preempted, dtype=np.int32).reshape(-1),
            d_incident=d_inc, d_unit=d_unit, d_role=d_role, d_time=d[:, 3],
            d_arrival=d[:, 4], d_clear=d[:, 5], d_travel=d[:, 6], d_preempted=d[:, 7] > 0,
            s_unit=s[:, 0].astype(np.int32), s_kind=s[:, 1].astype(np.int8),
            s_from=s[:, 2].astype(np.int32), s_to=s[:, 3].astype(np.int32),
            s_start=s[:, 4].copy(), s_end=s[:, 5].copy(),
            inc_call=prep.call, inc_detected=prep.detected,
            inc_drone=np.full(n, -1, dtype=np.int32), inc_drone_eyes=np.full(n, np.nan),
            a_drone=np.zeros(0, dtype=np.int32), a_kind=np.zeros(0, dtype=np.int8),
            a_start=np.zeros(0), a_end=np.zeros(0), a_incident=np.zeros(0, dtype=np.int32))


class SimpyUnit:
    """One unit: a process walking its plan, interrupted by the dispatcher."""

    def __init__(self, m: SimpyModel, u: int) -> None:
        self.m, self.u, self.env = m, u, m.env
        home = int(m.st.home[u])
        self.kind, self.a, self.b, self.t0, self.t1 = OFF, home, home, 0.0, 0.0
        self.busy = False
        self.job = (-1, 0, 0.0, 0.0, 0.0, home, home, -1)  # inc, role, t0, arr, end, from, to
        self.since = 0.0
        self.pending = False
        self.pos = home
        self.proc = self.env.process(self.run())

    def log(self, kind: int, a: int, b: int, t0: float, t1: float) -> None:
        if t1 > t0:
            self.m.seg_log.append((self.u, kind, a, b, t0, t1))

    def where(self, t: float) -> tuple[int, int, float]:
        if self.a == self.b:
            return self.a, self.b, 0.0
        span = self.t1 - self.t0
        return self.a, self.b, (t - self.t0) / span if span > 0 else 1.0

    def busy_where(self, t: float) -> tuple[int, int, float]:
        _, _, t0, arr, _, a, b, _ = self.job
        if t < arr:
            return a, b, (t - t0) / (arr - t0) if arr > t0 else 1.0
        return b, b, 0.0

    def seg(self, kind: int, a: int, b: int, dt: float) -> Any:
        t = self.env.now
        self.kind, self.a, self.b, self.t0, self.t1 = kind, a, b, t, t + dt
        return self.env.timeout(dt)

    def assign(self, i: int, tt: float, role: int) -> None:
        """The dispatcher sends this unit to incident i (interrupting what it does)."""
        m, t = self.m, self.env.now
        if self.busy:  # pre-empted
            j, r, t0, arr, end, a0, b0, row = self.job
            a, b, f = self.busy_where(t)
            if t < arr:
                self.log(RESPOND, a0, b0, t0, t)
                m.disp[row][4] = math.nan
            else:
                self.log(RESPOND, a0, b0, t0, arr)
                self.log(SCENE, b0, b0, arr, t)
            m.disp[row][5] = t
            m.disp[row][7] = 1
            m.preempted[j] += 1
            if r != 2:
                if t >= arr:
                    m.remaining[j] = max(0.0, end - t)
                heapq.heappush(m.queue, (m.inc_p[j], m.inc_t[j], j))
        else:
            a, b, f = self.where(t)
            self.log(self.kind, a, b, self.t0, t)
            self.since = t
        src = b if f >= 0.5 else a
        dest = m.inc_pt[i]
        arr = t + tt
        end = arr + m.remaining[i]
        self.job = (i, role, t, arr, end, src, dest, len(m.disp))
        m.disp.append([i, self.u, role, t, arr, end, tt, 0])
        m.n_disp[i] += 1
        self.busy = True
        self.proc.interrupt()

    def run(self) -> Any:
        simpy = self.m.simpy
        idle = self.idle(self.pos, False)
        while True:
            try:
                if self.busy:
                    arr, end = self.job[3], self.job[4]
                    if self.env.now < arr:
                        yield self.env.timeout(arr - self.env.now)
                    yield self.env.timeout(end - self.env.now)
                    idle = self.finish()
                    continue
                yield from idle
                yield self.env.event()  # past the horizon: sleep until sent somewhere
            except simpy.Interrupt:
                continue  # the dispatcher changed this unit's job

    def finish(self) -> Any:  # returns the idle walk, or None when sent to a queued call
        """Done on scene: log, then the next queued call or back to the plan."""
        m, t = self.m, self.env.now
        i, role, t0, arr, _end, a, b, _row = self.job
        self.log(RESPOND, a, b, t0, arr)
        self.log(SCENE, b, b, arr, t)
        if role != 2:
            m.remaining[i] = 0.0
        ps = (int(t // m.L) + m.st.slot_offset) % m.st.n_plan_slots
        if m.queue and m.duty[self.u][ps] != D_OFF:
            held: list[tuple[int, float, int]] = []
            while m.queue:
                item = heapq.heappop(m.queue)
                tt = m.tt(self.u, b, m.inc_pt[item[2]], t)
                if tt < math.inf:
                    self.busy = False
                    self.kind, self.a, self.b, self.t0, self.t1 = OFF, b, b, t, t
                    since = self.since
                    self.assign_direct(item[2], tt)
                    self.since = since
                    for h in held:
                        heapq.heappush(m.queue, h)
                    return None
                held.append(item)
            for h in held:
                heapq.heappush(m.queue, h)
        ho = m.handovers[self.u]
        pending = bisect_right(ho, t) > bisect_right(ho, self.since)
        self.busy = False
        if pending and m.queue and t + m.gap < m.H:
            self.env.process(self._retry(m.gap))
        return self.idle(b, pending)

    def _retry(self, dt: float) -> Any:
        yield self.env.timeout(dt)
        yield self.env.timeout(0)  # after this unit's own handover has ended
        self.m.serve_queue()

    def assign_direct(self, i: int, tt: float) -> None:
        m, t = self.m, self.env.now
        dest = m.inc_pt[i]
        arr = t + tt
        end = arr + m.remaining[i]
        role = 3 if m.n_disp[i] else 1
        self.job = (i, role, t, arr, end, self.b, dest, len(m.disp))
        m.disp.append([i, self.u, role, t, arr, end, tt, 0])
        m.n_disp[i] += 1
        self.busy = True

    def idle(self, pos: int, pending: bool) -> Any:
        """Walk the plan from ``pos`` as a sequence of timeouts (the idle process body)."""
        m, env = self.m, self.env
        u = self.u
        if pending and m.gap > 0:
            yield self.seg(HANDOVER, pos, pos, m.gap)
            self.log(HANDOVER, pos, pos, self.t0, self.t1)
        ch, ho = m.changes[u], m.handovers[u]
        while env.now < m.H:
            t = env.now
            ps = (int(t // m.L) + m.st.slot_offset) % m.st.n_plan_slots
            duty, place = m.duty[u][ps], m.place[u][ps]
            i1 = bisect_right(ch, t)
            nc = ch[i1] if i1 < len(ch) else m.H
            i2 = bisect_right(ho, t)
            nh = ho[i2] if i2 < len(ho) else m.H
            nb = min(nc, nh, m.H)
            if duty == D_OFF:
                yield self.seg(OFF, pos, pos, nb - t)
                self.log(OFF, pos, pos, self.t0, self.t1)
            elif duty in (1, 2):
                if pos != place:
                    tt = m.tt(u, pos, place, t)
                    if tt < math.inf:
                        yield self.seg(MOVE, pos, place, tt)
                        self.log(MOVE, pos, place, self.t0, self.t1)
                        pos = place
                if env.now < nb:
                    yield self.seg(STAND, pos, pos, nb - env.now)
                    self.log(STAND, pos, pos, self.t0, self.t1)
            else:
                route = duty == D_ROUTE
                pts = m.route_points[place] if route else m.grid_points[place]
                dwell = m.cfg.route_dwell_minutes if route else m.cfg.patrol_dwell_minutes
                k = 0
                while env.now < nb:
                    nxt = pts[k % len(pts)] if route else pts[int(m.rng.integers(len(pts)))]
                    if route:  # the plan's stop at the point, else the default
                        stop = m.route_dwells[place][k % len(pts)]
                        dwell = stop if stop >= 0 else m.cfg.route_dwell_minutes
                    k += 1
                    tt = m.tt(u, pos, nxt, env.now) if nxt != pos else 0.0
                    if tt == math.inf:
                        continue
                    if tt > 0:
                        yield self.seg(PMOVE, pos, nxt, tt)
                        self.log(PMOVE, pos, nxt, self.t0, self.t1)
                        pos = nxt
                    if dwell > 0:
                        yield self.seg(DWELL, pos, pos, dwell)
                        self.log(DWELL, pos, pos, self.t0, self.t1)
            if nb == nh and nh < m.H and env.now < m.H:
                yield self.seg(HANDOVER, pos, pos, m.gap)
                self.log(HANDOVER, pos, pos, self.t0, self.t1)
        self.kind, self.a, self.b, self.t0, self.t1 = OFF, pos, pos, env.now, math.inf


# ---------------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    import simpy

    return {**machine_basics(), "simpy": simpy.__version__}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-year", type=float, default=100_000.0)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--replications", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-simpy", action="store_true")
    ap.add_argument("--python-engine", action="store_true",
                    help="time xunfang's readable Python engine instead of the kernel")
    ap.add_argument("--simpy-arrivals", choices=("source", "upfront"), default="source",
                    help="SimPy incidents started by a source process at their times (the "
                    "usual pattern), or all created at the start")
    ap.add_argument("--no-air", action="store_true",
                    help="no drone sorties and no camera views (drones still stand by), and "
                    "calls at once (report delay 0): the ground model alone")
    ap.add_argument("--json", action="store_true", help="also print one JSON line")
    args = ap.parse_args(argv)
    load_before = loadavg()
    sc, net, plan, cfg, inc = county(args.per_year, args.days, args.seed,
                                     "python" if args.python_engine else "compiled",
                                     air=not args.no_air)
    if args.no_air:
        cfg = replace(cfg, report_delay_minutes=0.0)
    tic = time.perf_counter()
    st = setup(sc, net, plan, start=START, days=args.days, config=cfg)
    setup_s = time.perf_counter() - tic
    # the kernel compiles on first use (or loads from numba's on-disk cache): not timed
    tic = time.perf_counter()
    _run(st, prepare(st, net, _first_day(inc), np.random.default_rng(0)),
         np.random.default_rng(0))
    warm_s = time.perf_counter() - tic
    streams = np.random.SeedSequence(args.seed).spawn(2 * args.replications)
    ours_logs, simpy_logs, ours_s, simpy_s = [], [], [], []
    for r in range(args.replications):
        rng = np.random.default_rng(streams[r])
        tic = time.perf_counter()
        prep = prepare(st, net, inc, rng)
        ours_logs.append(_run(st, prep, rng))
        ours_s.append(time.perf_counter() - tic)
        if not args.skip_simpy:
            rng2 = np.random.default_rng(streams[args.replications + r])
            tic = time.perf_counter()
            prep2 = prepare(st, net, inc, rng2)
            simpy_logs.append(SimpyModel(st, prep2, int(rng2.integers(2**31)),
                                          args.simpy_arrivals).run())
            simpy_s.append(time.perf_counter() - tic)
        print(f"replication {r + 1}: ours {ours_s[-1]:.2f} s"
              + (f", SimPy {simpy_s[-1]:.2f} s" if simpy_s else ""), file=sys.stderr)

    def kpis(logs: list[EventLog], secs: list[float]) -> Any:
        res = SimResult(setup=st, incidents=tuple(inc for _ in logs), logs=tuple(logs),
                        seed=args.seed, seconds=tuple(secs), source="sample")
        return evaluate(res)

    k_ours = kpis(ours_logs, ours_s)
    k_simpy = kpis(simpy_logs, simpy_s) if simpy_logs else None
    rows = []
    agree_all = True
    for name in KPIS:
        a = k_ours.summary[name]
        row: dict[str, Any] = {"kpi": name, "ours": a, "ours_ci": k_ours.ci[name]}
        if k_simpy is not None:
            b = k_simpy.summary[name]
            ca, cb = k_ours.ci[name], k_simpy.ci[name]
            half = ((ca[1] - ca[0]) / 2 if ca else 0.0) + ((cb[1] - cb[0]) / 2 if cb else 0.0)
            agree = (abs(a - b) <= max(half, 1e-9) if math.isfinite(a) and math.isfinite(b)
                     else math.isfinite(a) == math.isfinite(b))
            agree_all &= agree
            row.update(simpy=b, simpy_ci=cb, diff=a - b, agree=agree)
        rows.append(row)
    summary = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": _machine(), "loadavg_before": load_before, "loadavg_after": loadavg(),
        "incidents": len(inc), "days": args.days,
        "units": len(st.units), "responders": int(st.responder.sum()),
        "drones": st.air.n_drones, "drone_sorties_per_day": len(plan.drone_sorties),
        "camera_views_per_day": len(plan.camera_views),
        "report_delay_mean_min": cfg.report_delay_minutes,
        "replications": args.replications, "setup_s": round(setup_s, 3),
        "warmup_s": round(warm_s, 3),
        "simpy_arrivals": args.simpy_arrivals,
        "engine": cfg.engine,
        "ours_s": [round(s, 3) for s in ours_s],
        "ours_mean_s": round(float(np.mean(ours_s)), 3),
        "simpy_s": [round(s, 3) for s in simpy_s],
        "simpy_mean_s": round(float(np.mean(simpy_s)), 3) if simpy_s else None,
        "speedup": round(float(np.mean(simpy_s) / np.mean(ours_s)), 2) if simpy_s else None,
        "segments_per_replication": int(np.mean([lg.s_unit.shape[0] for lg in ours_logs])),
        "dispatches_per_replication": int(np.mean([lg.d_unit.shape[0] for lg in ours_logs])),
        "kpis_agree": agree_all if simpy_s else None,
        "kpis": rows,
    }
    print(f"county-year: {len(inc):,} incidents, {len(st.units)} units "
          f"({int(st.responder.sum())} dispatched), {args.days} days, "
          f"{args.replications} replications; setup {setup_s:.2f} s, "
          f"kernel warm-up {warm_s:.2f} s")
    print(f"ours: {summary['ours_mean_s']} s per replication {summary['ours_s']}")
    if simpy_s:
        print(f"SimPy: {summary['simpy_mean_s']} s per replication {summary['simpy_s']} "
              f"-> ours {summary['speedup']}x faster")
    print(f"{'kpi':<24}{'ours':>10}{'95% CI':>22}{'SimPy':>10}{'95% CI':>22}  agree")
    for row in rows:
        def ci(c: Any) -> str:
            if c is not None and not all(math.isfinite(x) for x in c):
                return "-"
            return f"[{c[0]:.4f}, {c[1]:.4f}]" if c else "-"
        print(f"{row['kpi']:<24}{row['ours']:>10.4f}{ci(row['ours_ci']):>22}"
              + (f"{row['simpy']:>10.4f}{ci(row['simpy_ci']):>22}  {row['agree']}"
                 if 'simpy' in row else ""))
    print(f"load average before {load_before}, after {summary['loadavg_after']}")
    if args.json:
        print(json.dumps(summary, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
