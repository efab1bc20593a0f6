"""The compiled kernel and the readable Python engine run the same model: equal logs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, CameraView, DroneSortie, Plan, make_slots
from xunfang.sim import RiskForecast, SimConfig, simulate
from xunfang.sim.engine import A_CALL, A_MISSED, A_SORTIE, EventLog

DAY = date(2025, 1, 6)


def _plan(sc: scenario.Scenario) -> Plan:
    slots = make_slots(DAY, days=1, slot_minutes=60)
    grids = [a.id for a in sc.areas_of("grid")]
    line = sc.lines[0].nodes
    out = []
    for i, u in enumerate(sc.units):
        for s in slots:
            if u.id == "PS1-F" and s.index % 6 == 0:
                out.append(Assignment(unit=u.id, slot=s.index, duty="off"))
            elif u.id == "WJ-1" and s.index >= 22:  # planned stops: 12 min, or driving past
                stops = tuple(12.0 if k % 4 == 0 else 0.0 for k in range(len(line)))
                out.append(Assignment(unit=u.id, slot=s.index, duty="route", route=line,
                                      stops=stops))
            elif u.id == "WJ-1" and s.index >= 20:
                out.append(Assignment(unit=u.id, slot=s.index, duty="route", route=line))
            elif u.mode in ("motorcycle", "balance", "foot"):
                g = grids[(i + s.index // 8) % len(grids)]  # grids change with the shift
                out.append(Assignment(unit=u.id, slot=s.index, duty="grid", grid=g))
            else:
                out.append(Assignment(unit=u.id, slot=s.index, duty="post", post=u.home_post))
    return Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t",
                slots=slots, units=tuple(u.id for u in sc.units), assignments=tuple(out))


def _with_air(sc: scenario.Scenario, plan: Plan) -> Plan:
    """Sorties of both drones every 50 minutes over two grids, and two operators at the video
    desk going round every camera, 2 minutes a view."""
    posts = {p.id: p.xy for p in sc.posts}
    grids = sc.areas_of("grid")
    sorties = []
    for d, u in enumerate(u for u in sc.units if u.mode == "drone"):
        home = posts[u.home_post]
        for k in range(28):
            g1, g2 = grids[(k + d) % len(grids)], grids[(k + d + 3) % len(grids)]
            p1, p2 = g1.geometry.representative_point(), g2.geometry.representative_point()
            sorties.append(DroneSortie(
                unit=u.id, post=u.home_post, start=k * 50.0 + 7.0 * d,
                end=k * 50.0 + 7.0 * d + 22.0, grids=(g1.id, g2.id),
                waypoints=(home, (p1.x, p1.y), (p2.x, p2.y), home)))
    cams = [p.id for p in sc.posts if p.kind == "camera"]
    views = [CameraView(operator=op, camera=cams[(2 * i + op) % len(cams)], start=2.0 * i,
                        minutes=2.0) for i in range(720) for op in (0, 1)]
    return replace(plan, drone_sorties=tuple(sorties), camera_views=tuple(views))


def _same(la: EventLog, lb: EventLog) -> None:
    for name in ("inc_status", "inc_first_unit", "inc_second_unit", "inc_preempted",
                 "d_incident", "d_unit", "d_role", "d_preempted", "inc_detected", "inc_drone",
                 "a_drone", "a_kind", "a_incident"):
        assert np.array_equal(getattr(la, name), getattr(lb, name)), name
    for name in ("inc_dispatch", "inc_arrival", "inc_travel", "inc_clear", "d_time",
                 "d_arrival", "d_clear", "d_travel", "inc_call", "inc_drone_eyes", "a_start",
                 "a_end"):
        assert np.allclose(getattr(la, name), getattr(lb, name), equal_nan=True,
                           rtol=0, atol=1e-9), name
    ka = np.lexsort((la.s_start, la.s_unit))
    kb = np.lexsort((lb.s_start, lb.s_unit))
    assert la.s_unit.shape == lb.s_unit.shape
    for name in ("s_unit", "s_kind", "s_from", "s_to"):
        assert np.array_equal(getattr(la, name)[ka], getattr(lb, name)[kb]), name
    for name in ("s_start", "s_end"):
        assert np.allclose(getattr(la, name)[ka], getattr(lb, name)[kb], atol=1e-9), name
    # the route points each engine made (the review: compared by hand, not by a test)
    assert la.route_made is not None and lb.route_made is not None
    assert np.array_equal(la.route_made, lb.route_made)


def test_engines_agree_with_drones_and_cameras() -> None:
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    plan = _with_air(sc, _plan(sc))
    fc = RiskForecast.from_history(sc, per_year=150_000)
    fast = SimConfig(camera_radius_m=150.0, camera_detect_probability=0.8)
    slow = replace(fast, engine="python")
    a = simulate(sc, net, plan, fc, start=DAY, days=2, replications=2, seed=11, config=fast)
    b = simulate(sc, net, plan, fc, start=DAY, days=2, replications=2, seed=11, config=slow)
    for la, lb in zip(a.logs, b.logs, strict=True):
        # every part of the model is exercised: detections, drones first, sorties flown,
        # sorties missed, calls that waited
        assert la.inc_detected.sum() > 0 and (la.inc_drone >= 0).sum() > 0
        assert (la.a_kind == A_SORTIE).sum() > 0 and (la.a_kind == A_MISSED).sum() > 0
        assert (la.a_kind == A_CALL).sum() == (la.inc_drone >= 0).sum()
        assert (la.inc_call > la.inc_minutes).sum() > 0
        _same(la, lb)


def test_compiled_and_python_engines_agree_exactly() -> None:
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    plan = _plan(sc)
    # a heavy load, so that calls queue, units are taken off calls and second units go out
    fc = RiskForecast.from_history(sc, per_year=300_000)
    fast = SimConfig()
    slow = replace(fast, engine="python")
    a = simulate(sc, net, plan, fc, start=DAY, days=3, replications=2, seed=5, config=fast)
    b = simulate(sc, net, plan, fc, start=DAY, days=3, replications=2, seed=5, config=slow)
    for la, lb in zip(a.logs, b.logs, strict=True):
        assert la.d_preempted.sum() > 0 and (la.d_role == 2).sum() > 0
        assert (la.inc_dispatch > la.inc_call).sum() > 0  # some calls waited
        _same(la, lb)
