"""The simulator on tiny hand-built scenarios (exact event traces) and against Erlang-C."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, make_slots
from xunfang.planning.posture import hold_at_home
from xunfang.scenario.model import Scenario
from xunfang.sim import (
    KINDS,
    SimConfig,
    SimError,
    SimIncidents,
    evaluate,
    history,
    simulate,
)
from xunfang.sim.engine import OFF_NETWORK, SERVED, UNSERVED

Make = Callable[..., Path]
DAY = date(2025, 3, 3)  # a Monday
# Roads have no class: the default 30 km/h applies (500 m a minute by car).
# a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a ; b -400- e(800,0)
XY = {"a": (0.0, 0.0), "b": (400.0, 0.0), "c": (400.0, 300.0), "d": (0.0, 300.0),
      "e": (800.0, 0.0)}
POSTS = "id,name,kind,node\np1,Station one,station,a\np2,Station two,station,e\ng1,Gate,exit,e\n"
GRID = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"kind": "grid", "id": "G1"},
     "geometry": {"type": "Polygon",
                  "coordinates": [[[-10, -10], [810, -10], [810, 310], [-10, 310], [-10, -10]]]}},
    {"type": "Feature", "properties": {"kind": "zone", "id": "Z1"},
     "geometry": {"type": "Polygon",
                  "coordinates": [[[-10, -10], [810, -10], [810, 310], [-10, 310], [-10, -10]]]}},
]}
# the call comes at once (no reporting delay): the traces below are of the dispatch alone
FIXED = SimConfig(service="fixed", default_on_scene_minutes=20.0, report_delay_minutes=0.0,
                  second_unit_categories=(), second_unit_site_tier=None)


def load(make: Make, units: str, extra: dict[str, str] | None = None) -> Scenario:
    return scenario.load(make({"posts.csv": POSTS, "units.csv": units,
                               "areas.geojson": json.dumps(GRID), **(extra or {})}))


def home_plan(sc: Scenario, days: int = 1) -> Plan:
    slots = make_slots(DAY, days=days, slot_minutes=sc.slot_minutes)
    return Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t", slots=slots,
                units=tuple(u.id for u in sc.units), assignments=hold_at_home(sc, slots))


def every_slot(sc: Scenario, duty: str, **where: object) -> Plan:
    """A one-day plan in which unit U1 has the same assignment (``duty`` at ``where``) in
    every hourly slot."""
    slots = make_slots(DAY, days=1, slot_minutes=60)
    return Plan(scenario=sc.name, inputs_hash="", seed=0, version="t", slots=slots,
                units=("U1",), assignments=tuple(
                    Assignment(unit="U1", slot=s.index, duty=duty, **where)  # type: ignore[arg-type]
                    for s in slots))


def incidents(rows: list[tuple[float, str, str, int]]) -> SimIncidents:
    """(minute, node, category, priority) rows at the nodes' positions."""
    return SimIncidents(
        ids=tuple(f"i{k}" for k in range(len(rows))),
        minutes=np.array([r[0] for r in rows], dtype=float),
        xy=np.array([XY[r[1]] for r in rows], dtype=float).reshape(-1, 2),
        category=tuple(r[2] for r in rows),
        priority=np.array([r[3] for r in rows], dtype=np.int64))


def segments(log: object, unit: int) -> list[tuple[str, int, int, float, float]]:
    sel = np.flatnonzero(log.s_unit == unit)  # type: ignore[attr-defined]
    sel = sel[np.argsort(log.s_start[sel], kind="stable")]  # type: ignore[attr-defined]
    return [(KINDS[log.s_kind[i]], int(log.s_from[i]), int(log.s_to[i]),  # type: ignore
             round(float(log.s_start[i]), 6), round(float(log.s_end[i]), 6))  # type: ignore
            for i in sel]


ONE_CAR = "id,tier,mode,squad,home_post\nU1,special,car,patrol,p1\n"
TWO_CARS = ONE_CAR + "U2,special,car,patrol,p2\n"
A, B, C, D, E = range(5)


def test_one_incident_exact_trace(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, home_plan(sc), incidents([(10.0, "b", "x", 2)]), start=DAY, days=1,
                   config=FIXED)
    log = res.logs[0]
    assert log.inc_status.tolist() == [SERVED]
    assert log.inc_arrival.tolist() == pytest.approx([10.8])
    assert log.inc_clear.tolist() == pytest.approx([30.8])
    assert log.response_minutes.tolist() == pytest.approx([0.8])
    # shift changes at 08:00 and 16:00 (00:00 is the run's start): 15 minutes each off-street
    assert segments(log, 0) == [
        ("stand", A, A, 0.0, 10.0), ("respond", A, B, 10.0, 10.8),
        ("scene", B, B, 10.8, 30.8), ("move", B, A, 30.8, 31.6), ("stand", A, A, 31.6, 480.0),
        ("handover", A, A, 480.0, 495.0), ("stand", A, A, 495.0, 960.0),
        ("handover", A, A, 960.0, 975.0), ("stand", A, A, 975.0, 1440.0)]


def test_queue_then_nearest_then_preemption(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    # i0 (priority 3) at b; i1 (priority 3) at e waits for the only unit; i2 (priority 1) at c
    # takes the unit off i0 (on scene since 10.8) at 12.0
    res = simulate(sc, net, home_plan(sc), incidents(
        [(10.0, "b", "x", 3), (11.0, "e", "x", 3), (12.0, "c", "x", 1)]),
        start=DAY, days=1, config=FIXED)
    log = res.logs[0]
    rows = sorted(zip(log.d_time.tolist(), log.d_incident.tolist(), log.d_role.tolist(),
                      log.d_arrival.tolist(), log.d_clear.tolist(),
                      log.d_preempted.tolist(), strict=True))
    # b->c 0.6; i2 clears at 32.6; then the queue by (priority, time): i0 (18.8 left: it had
    # 1.2 of its 20 minutes), c->b 0.6; then i1, b->e 0.8
    expected = [
        (10.0, 0, 1, 10.8, 12.0, True), (12.0, 2, 1, 12.6, 32.6, False),
        (32.6, 0, 3, 33.2, 52.0, False), (52.0, 1, 1, 52.8, 72.8, False)]
    # row by row: pytest >= 9.1 no longer compares nested tuples with approx
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got == pytest.approx(want)
    assert log.inc_preempted.tolist() == [1, 0, 0]
    assert log.response_minutes.tolist() == pytest.approx([0.8, 41.8, 0.6])
    assert log.inc_clear.tolist() == pytest.approx([52.0, 72.8, 32.6])
    # without pre-emption the urgent call waits for the unit, then goes before i1
    res2 = simulate(sc, net, home_plan(sc), incidents(
        [(10.0, "b", "x", 3), (11.0, "e", "x", 3), (12.0, "c", "x", 1)]),
        start=DAY, days=1, config=SimConfig(service="fixed", default_on_scene_minutes=20.0,
                                            report_delay_minutes=0.0,
                                            second_unit_categories=(),
                                            second_unit_site_tier=None, preemption=False))
    # free at 30.8 at b: i2 first (b->c 0.6, clear 51.4), then i1 (c->b->e 1.4)
    assert res2.logs[0].response_minutes.tolist() == pytest.approx([0.8, 41.8, 19.4])


def test_nearest_unit_and_second_unit(make_scenario: Make) -> None:
    sc = load(make_scenario, TWO_CARS)
    net = RoadNetwork.from_scenario(sc)
    cfg = SimConfig(service="fixed", default_on_scene_minutes=20.0, report_delay_minutes=0.0,
                    second_unit_categories=("fight",), second_unit_site_tier=None)
    res = simulate(sc, net, home_plan(sc), incidents(
        [(5.0, "d", "x", 2), (100.0, "c", "fight", 1)]), start=DAY, days=1, config=cfg)
    log = res.logs[0]
    # d: U1 from a in 0.6 (U2 from e needs 2.2); c: U1 (1.4) first, U2 (1.4 via b) second
    assert log.d_unit.tolist() == [0, 0, 1]
    assert log.d_role.tolist() == [1, 1, 2]
    assert log.d_travel.tolist() == pytest.approx([0.6, 1.4, 1.4])
    assert log.inc_second_unit.tolist() == [-1, 1]
    assert log.inc_second_wanted.tolist() == [False, True]


def test_handover_delays_a_call(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, home_plan(sc), incidents([(481.0, "b", "x", 2)]), start=DAY,
                   days=1, config=FIXED)
    # the crews change 480-495: the call waits until 495, then 0.8 minutes of driving at the
    # 08:00 rush-hour speed (default policy: 70 %)
    assert res.logs[0].inc_dispatch.tolist() == pytest.approx([495.0])
    assert res.logs[0].response_minutes.tolist() == pytest.approx([14.0 + 0.8 / 0.7])


def test_off_network_and_unserved_are_counted(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    inc = SimIncidents(ids=("far", "late"), minutes=np.array([1.0, 1430.0]),
                       xy=np.array([[50_000.0, 0.0], [400.0, 0.0]]), category=("x", "x"),
                       priority=np.array([2, 2]))
    # a call waiting at the end is served after it (the queue drains); one made while the
    # only unit is off duty for the rest of the run is never served
    inc2 = SimIncidents(ids=("far", "a", "b"), minutes=np.array([1.0, 1430.0, 1431.0]),
                        xy=np.array([[50_000.0, 0.0], [400.0, 0.0], [800.0, 0.0]]),
                        category=("x", "x", "x"), priority=np.array([2, 2, 2]))
    slots = make_slots(DAY, days=1, slot_minutes=60)
    plan = Plan(scenario=sc.name, inputs_hash="", seed=0, version="t", slots=slots,
                units=("U1",), assignments=tuple(
                    Assignment(unit="U1", slot=s.index,
                               **({"duty": "post", "post": "p1"} if s.index < 23
                                  else {"duty": "off"}))  # type: ignore[arg-type]
                    for s in slots))
    res = simulate(sc, net, plan, inc2, start=DAY, days=1, config=FIXED)
    log = res.logs[0]
    assert log.inc_status.tolist() == [OFF_NETWORK, UNSERVED, UNSERVED]
    res = simulate(sc, net, home_plan(sc), inc2, start=DAY, days=1, config=FIXED)
    assert res.logs[0].inc_status.tolist() == [OFF_NETWORK, SERVED, SERVED]
    res = simulate(sc, net, plan, inc2, start=DAY, days=1, config=FIXED)
    k = evaluate(res)
    assert k.counts["off_network"] == 1 and k.counts["unserved"] == 2
    assert k.counts["incidents"] == 3
    # unserved calls count as late; the off-network one on its own line
    assert k.summary["response_within_target"] == pytest.approx(0.0)
    assert len(inc) == 2


def test_bad_inputs_are_named(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    bad = every_slot(sc, "post", post="nowhere")
    with pytest.raises(SimError, match="unknown post 'nowhere'"):
        simulate(sc, net, bad, incidents([]), start=DAY, days=1)
    off = every_slot(sc, "off")
    with pytest.raises(SimError, match="no responding unit"):
        simulate(sc, net, off, incidents([]), start=DAY, days=1)
    with pytest.raises(SimError, match="within the run"):
        simulate(sc, net, home_plan(sc), incidents([(2000.0, "b", "x", 2)]), start=DAY, days=1)
    with pytest.raises(SimError, match="replications"):
        simulate(sc, net, home_plan(sc), incidents([]), start=DAY, days=1, replications=0)
    with pytest.raises(SimError, match="not on a slot boundary"):
        simulate(sc, net, home_plan(sc), incidents([]),
                 start=__import__("datetime").datetime(2025, 3, 3, 0, 30), days=1)


def test_grid_patrol_moves_on_the_roads_and_is_seeded(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    plan = every_slot(sc, "grid", grid="G1")
    inc = incidents([(100.0, "d", "x", 2)])
    one = simulate(sc, net, plan, inc, start=DAY, days=1, seed=7, config=FIXED).logs[0]
    two = simulate(sc, net, plan, inc, start=DAY, days=1, seed=7, config=FIXED).logs[0]
    other = simulate(sc, net, plan, inc, start=DAY, days=1, seed=8, config=FIXED).logs[0]
    assert segments(one, 0) == segments(two, 0)
    assert segments(one, 0) != segments(other, 0)
    segs = segments(one, 0)
    mins = RoadNetwork.from_scenario(sc)
    from xunfang.network import travel_times

    tt = travel_times(mins, np.arange(5), np.arange(5))
    for n, (kind, a, b, t0, t1) in enumerate(segs):
        # left for a call or the shift's handover, or cut at the end of the run
        cut = n + 1 == len(segs) or segs[n + 1][0] in ("respond", "handover")
        if kind in ("patrol_move", "move") and not cut:
            # default policy: 70 % speed at 7-9 and 17-19 h, 85 % at 11-13 h
            f = {7: 0.7, 8: 0.7, 17: 0.7, 18: 0.7, 11: 0.85, 12: 0.85}.get(int(t0 // 60), 1.0)
            assert t1 - t0 == pytest.approx(tt[a, b] / f, abs=1e-5)
        if kind == "dwell" and not cut:
            assert t1 - t0 == pytest.approx(10.0, abs=1e-5)
    assert sum(k == "patrol_move" for k, *_ in segs) > 80  # ~120 stops, 1 in 5 in place
    # the segments tile the day without overlap
    starts = [s[3] for s in segs]
    ends = [s[4] for s in segs]
    assert starts[0] == 0.0 and ends[-1] >= 1440.0
    assert all(e == pytest.approx(s) for e, s in zip(ends[:-1], starts[1:], strict=True))


def _erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """(utilisation, mean wait in queue) of M/M/c."""
    a = lam / mu
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return rho, p_wait / (c * mu - lam)


def _mmc(make: Make, days: int, seed: int) -> tuple[float, float, float, float]:
    """Three units at one post, every call at that post (no travel), Poisson arrivals,
    exponential on-scene times, one priority, no handovers: an M/M/3 queue at load 0.75.
    Returns (simulated, Erlang-C) utilisation and mean wait."""
    units = "id,tier,mode,squad,home_post\n" + "".join(
        f"U{i},special,car,patrol,p1\n" for i in range(3))
    sc = load(make, units)
    net = RoadNetwork.from_scenario(sc)
    c, mean_service, rho = 3, 30.0, 0.75
    lam = rho * c / mean_service
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1.0 / lam, int(lam * days * 1440 * 1.1)))
    times = times[times < days * 1440]
    n = times.size
    inc = SimIncidents(ids=tuple(map(str, range(n))), minutes=times, xy=np.zeros((n, 2)),
                       category=("x",) * n, priority=np.full(n, 2))
    cfg = SimConfig(service="exponential", default_on_scene_minutes=mean_service,
                    report_delay_minutes=0.0,
                    shift_starts=(), handover_minutes=0.0, preemption=False,
                    second_unit_categories=(), second_unit_site_tier=None)
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=days, seed=seed, config=cfg)
    log = res.logs[0]
    served = log.inc_status == SERVED
    assert served.all()  # calls still waiting at the end are served after it
    assert np.all(log.inc_travel == 0.0)
    wait = log.inc_dispatch - log.inc_minutes
    busy = log.d_clear - log.d_arrival
    util = float(busy.sum()) / (c * days * 1440)
    assert evaluate(res).summary["utilization"] == pytest.approx(util, rel=1e-3)
    want_util, want_wait = _erlang_c(c, lam, 1.0 / mean_service)
    return util, want_util, float(wait.mean()), want_wait


def test_single_zone_matches_erlang_c(make_scenario: Make) -> None:
    # 75,000 calls: the mean wait's sampling error is about 2.7 % (one standard deviation,
    # measured over 8 seeds, with no bias: -0.07 % on average), utilisation's 0.34 %
    util, want_util, wait, want_wait = _mmc(make_scenario, 700, 3)
    assert util == pytest.approx(want_util, rel=0.02)
    assert wait == pytest.approx(want_wait, rel=0.06)


@pytest.mark.slow
def test_single_zone_matches_erlang_c_within_2_percent(make_scenario: Make) -> None:
    # 2.2 million calls: the mean wait's sampling error falls to about 0.5 %
    util, want_util, wait, want_wait = _mmc(make_scenario, 20_000, 4)
    assert util == pytest.approx(want_util, rel=0.02)
    assert wait == pytest.approx(want_wait, rel=0.02)


def test_replay_history_window(make_scenario: Make) -> None:
    sc = scenario.load("ebian")
    got = history(sc.incidents, date(2025, 1, 1), 2)
    assert len(got) > 0
    assert got.minutes.min() >= 0 and got.minutes.max() < 2 * 1440
    assert np.all(np.diff(got.minutes) >= 0)


def test_straight_line_travel_with_detour(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    cfg = SimConfig(service="fixed", default_on_scene_minutes=20.0, report_delay_minutes=0.0,
                    second_unit_categories=(),
                    second_unit_site_tier=None, travel="straight", detour_factor=1.5)
    inc = SimIncidents(ids=("i",), minutes=np.array([10.0]), xy=np.array([[300.0, 400.0]]),
                       category=("x",), priority=np.array([2]))
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=cfg)
    # 500 m straight from the post at a, × 1.5, at the policy's car speed (60 km/h = 1 km/min)
    assert res.logs[0].response_minutes.tolist() == pytest.approx([0.75])
    assert res.logs[0].point_xy[res.logs[0].inc_point[0]].tolist() == [300.0, 400.0]


def test_unreachable_calls_are_counted(make_scenario: Make) -> None:
    # z is a road piece of its own, 300 m off the network: its calls are on the map (within
    # max_snap_m) but no unit can drive there
    sc = load(make_scenario, ONE_CAR, {
        "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\ne,800,0\n"
                             "y,1100,0\nz,1100,300\n",
        "network/edges.csv": "u,v\na,b\nb,c\nc,d\nd,a\nb,e\ny,z\n"})
    net = RoadNetwork.from_scenario(sc)
    inc = SimIncidents(ids=("far", "near"), minutes=np.array([5.0, 6.0]),
                       xy=np.array([[1100.0, 300.0], [400.0, 0.0]]), category=("x", "x"),
                       priority=np.array([2, 2]))
    res = simulate(sc, net, home_plan(sc), inc, start=DAY, days=1, config=FIXED)
    assert res.logs[0].inc_status.tolist() == [2, SERVED]  # 2: unreachable
    k = evaluate(res)
    assert k.counts["unreachable"] == 1 and k.counts["served"] == 1


def test_a_large_network_uses_only_the_nodes_the_run_needs(make_scenario: Make) -> None:
    sc = load(make_scenario, ONE_CAR)
    net = RoadNetwork.from_scenario(sc)
    cfg = SimConfig(service="fixed", default_on_scene_minutes=20.0, report_delay_minutes=0.0,
                    second_unit_categories=(),
                    second_unit_site_tier=None, max_matrix_nodes=3)
    res = simulate(sc, net, home_plan(sc), incidents([(10.0, "b", "x", 2)]), start=DAY,
                   days=1, config=cfg)
    assert res.setup.travel.n_points == 2  # the home post's node and the call's
    assert res.logs[0].response_minutes.tolist() == pytest.approx([0.8])
    with pytest.raises(SimError, match="max_matrix_nodes"):
        simulate(sc, net, home_plan(sc), incidents([(10.0, "b", "x", 2), (20.0, "c", "x", 2),
                                                    (30.0, "d", "x", 2)]),
                 start=DAY, days=1, config=cfg)
