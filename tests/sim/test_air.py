"""Drones and camera detections in the simulator: exact traces on a tiny hand-built county.

Distances (see test_engine): a(0,0) b(400,0) c(400,300) d(0,300) e(800,0); cars drive 500 m
a minute, drones fly 1,000 m a minute (the policy's 60 km/h) after a 1-minute launch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
import pytest

from tests.sim.test_engine import DAY, FIXED, Make, home_plan, incidents, load
from xunfang.network import RoadNetwork
from xunfang.plan import CameraView, DroneSortie, Plan
from xunfang.scenario.model import Scenario
from xunfang.sim import SimConfig, SimError, evaluate, simulate
from xunfang.sim.engine import A_CALL, A_MISSED, A_SORTIE, SERVED, EventLog

Engine = Literal["compiled", "python"]
CAR_AND_DRONE = ("id,tier,mode,squad,home_post\nU1,special,car,patrol,p1\n"
                 "D1,special,drone,patrol,p2\n")
CAMERA_POST = {"posts.csv": "id,name,kind,node\np1,Station one,station,a\n"
                            "p2,Station two,station,e\ng1,Gate,exit,e\nc1,Camera,camera,b\n"}
# a sortie from p2 (e) to a and back, launched at minute 5, landing at 25: airborne from 6
OUT_AND_BACK = DroneSortie(unit="D1", post="p2", start=5.0, end=25.0, grids=("G1",),
                           waypoints=((800.0, 0.0), (0.0, 0.0), (800.0, 0.0)))


def _plan(make: Make, sorties: tuple[DroneSortie, ...] = (),
          views: tuple[CameraView, ...] = ()) -> tuple[Scenario, Plan]:
    sc = load(make, CAR_AND_DRONE, CAMERA_POST)
    return sc, replace(home_plan(sc), drone_sorties=sorties, camera_views=views)


def _drone_rows(log: EventLog) -> list[tuple[str, float, float, int]]:
    names = {A_SORTIE: "sortie", A_CALL: "call", A_MISSED: "missed"}
    return [(names[int(k)], round(float(s), 6), round(float(e), 6), int(i))
            for k, s, e, i in zip(log.a_kind, log.a_start, log.a_end, log.a_incident,
                                  strict=True)]


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_an_airborne_drone_reaches_the_call_first(make_scenario: Make, engine: Engine) -> None:
    sc, plan = _plan(make_scenario, (OUT_AND_BACK,))
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, plan, incidents([(10.0, "b", "x", 2)]),
                   start=DAY, days=1, config=replace(FIXED, engine=engine))
    log = res.logs[0]
    # at 10 the drone is 4/19 of the way along 1,600 m: 336.8 m west of e, 63.2 m from b
    there = (400.0 - 1600.0 * 4.0 / 19.0) / 1000.0
    assert log.inc_drone.tolist() == [0]
    assert log.inc_drone_eyes.tolist() == pytest.approx([10.0 + there])
    # the ground response is unchanged: the car from a, 0.8 min
    assert log.inc_arrival.tolist() == pytest.approx([10.8])
    # the sortie ends at the call; 10 min overwatch, 0.4 min home to e, then it recharges
    assert _drone_rows(log) == [("sortie", 5.0, 10.0, -1),
                                ("call", 10.0, round(10.0 + there + 10.0 + 0.4, 6), 0)]
    k = evaluate(res)
    assert k.summary["drone_eyes_first_share"] == 1.0
    assert k.summary["drone_eyes_p50_min"] == pytest.approx(there)
    assert k.summary["drone_sortie_minutes_per_day"] == pytest.approx(5.0)
    assert k.summary["drone_sorties_missed"] == 0.0


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_a_drone_without_battery_for_the_overwatch_is_not_sent(make_scenario: Make,
                                                               engine: Engine) -> None:
    sc, plan = _plan(make_scenario, (OUT_AND_BACK,))
    net = RoadNetwork.from_scenario(sc)
    there = (400.0 - 1600.0 * 4.0 / 19.0) / 1000.0
    # 20 minutes left at 10 (launched at 5): there + overwatch + 0.4 home must fit
    fits = 20.0 - there - 0.4 - 1e-6
    for overwatch, sent in ((fits, True), (fits + 0.01, False)):
        cfg = replace(FIXED, drone_overwatch_minutes=overwatch, engine=engine)
        log = simulate(sc, net, plan, incidents([(10.0, "b", "x", 2)]),
                       start=DAY, days=1, config=cfg).logs[0]
        assert (log.inc_drone.tolist() == [0]) is sent
    # not sent: the sortie is flown to its end, no call row
    assert _drone_rows(log) == [("sortie", 5.0, 25.0, -1)]
    assert np.isnan(log.inc_drone_eyes).all()


def test_a_drone_that_would_arrive_after_the_car_stays(make_scenario: Make) -> None:
    sc, plan = _plan(make_scenario)
    net = RoadNetwork.from_scenario(sc)
    # at a (the car's post): car 0 min; the drone from e: 1 + 0.8 min -> not sent
    # at e: car 1.6 min; the drone on standby at e: 1 min launch -> sent
    log = simulate(sc, net, plan, incidents([(10.0, "a", "x", 2), (100.0, "e", "x", 2)]),
                   start=DAY, days=1, config=FIXED).logs[0]
    assert log.inc_drone.tolist() == [-1, 0]
    assert log.inc_drone_eyes[1] == pytest.approx(101.0)
    assert _drone_rows(log) == [("call", 100.0, 111.0, 1)]


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_a_sortie_due_while_the_drone_recharges_is_missed(make_scenario: Make,
                                                          engine: Engine) -> None:
    later = DroneSortie(unit="D1", post="p2", start=30.0, end=50.0,
                        waypoints=((800.0, 0.0), (400.0, 300.0), (800.0, 0.0)))
    last = replace(later, start=60.0, end=80.0)
    sc, plan = _plan(make_scenario, (later, last))
    net = RoadNetwork.from_scenario(sc)
    # a call at e at 10: the drone on standby goes (eyes 11), lands 21, recharged at 56
    res = simulate(sc, net, plan, incidents([(10.0, "e", "x", 2)]),
                   start=DAY, days=1, config=replace(FIXED, engine=engine))
    log = res.logs[0]
    assert _drone_rows(log) == [("call", 10.0, 21.0, 0), ("missed", 30.0, 50.0, -1),
                                ("sortie", 60.0, 80.0, -1)]
    k = evaluate(res)
    assert k.summary["drone_sorties_missed"] == 1.0
    assert k.summary["drone_sortie_minutes_per_day"] == pytest.approx(20.0)
    assert k.counts["drone_sorties_missed"] == 1 and k.counts["drone_sorties_flown"] == 1


def test_a_drone_off_duty_stands_down(make_scenario: Make) -> None:
    sc, plan = _plan(make_scenario)
    asg = tuple(replace(a, duty="off", post=None) if a.unit == "D1" else a
                for a in plan.assignments)
    plan = replace(plan, assignments=asg, _index={})
    net = RoadNetwork.from_scenario(sc)
    log = simulate(sc, net, plan, incidents([(100.0, "e", "x", 2)]),
                   start=DAY, days=1, config=FIXED).logs[0]
    assert log.inc_drone.tolist() == [-1]


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_a_camera_detection_saves_the_reporting_delay(make_scenario: Make,
                                                     engine: Engine) -> None:
    watch = (CameraView(operator=0, camera="c1", start=9.0, minutes=2.0),)
    sc, plan = _plan(make_scenario, views=watch)
    net = RoadNetwork.from_scenario(sc)
    inc = incidents([(10.0, "b", "x", 2), (200.0, "d", "x", 2)])  # d: 500 m from the camera
    base = replace(FIXED, engine=engine, report_delay_minutes=3.0,
                   camera_detect_probability=1.0, camera_detect_minutes=0.5)
    cam = simulate(sc, net, plan, inc, start=DAY, days=1, seed=3, config=base).logs[0]
    blind = simulate(sc, net, plan, inc, start=DAY, days=1, seed=3,
                     config=replace(base, camera_detect_probability=0.0)).logs[0]
    delay = blind.inc_call - 10.0  # the citizens' delays (the same draws in both runs)
    assert delay[0] > 0.5
    assert cam.inc_detected.tolist() == [True, False]
    assert cam.inc_call[0] == pytest.approx(10.5) and cam.inc_call[1] == blind.inc_call[1]
    # time to scene shorter by the reporting delay less the operator's half minute
    saved = blind.scene_minutes - cam.scene_minutes
    assert saved[0] == pytest.approx(delay[0] - 0.5)
    assert cam.scene_minutes[0] == pytest.approx(0.5 + 0.8)
    # the response (from the call) is the car's 0.8 min either way
    assert cam.response_minutes[0] == pytest.approx(0.8)
    assert blind.response_minutes[0] == pytest.approx(0.8)
    k = evaluate(simulate(sc, net, plan, inc, start=DAY, days=1, seed=3, config=base))
    assert k.summary["camera_detected_share"] == 0.5
    assert k.summary["scene_p50_min"] == pytest.approx(float(np.median(cam.scene_minutes)))


def test_a_camera_sees_only_while_the_incident_unfolds(make_scenario: Make) -> None:
    late = (CameraView(operator=0, camera="c1", start=16.0, minutes=2.0),)
    sc, plan = _plan(make_scenario, views=late)
    net = RoadNetwork.from_scenario(sc)
    inc = incidents([(10.0, "b", "x", 2)])
    cfg = replace(FIXED, report_delay_minutes=30.0, camera_detect_probability=1.0)
    # visible 5 minutes from 10: a view from 16 is too late; visible 6: seen at 16, called 17
    log = simulate(sc, net, plan, inc, start=DAY, days=1, seed=1, config=cfg).logs[0]
    assert log.inc_detected.tolist() == [False]
    log = simulate(sc, net, plan, inc, start=DAY, days=1, seed=1,
                   config=replace(cfg, camera_visible_minutes=6.0)).logs[0]
    assert log.inc_call.tolist() == pytest.approx([17.0]) and log.inc_detected.all()


def test_no_delay_and_no_air_layer_is_the_old_model(make_scenario: Make) -> None:
    sc, plan = _plan(make_scenario)
    net = RoadNetwork.from_scenario(sc)
    log = simulate(sc, net, plan, incidents([(10.0, "b", "x", 2)]),
                   start=DAY, days=1, config=FIXED).logs[0]
    assert log.inc_call.tolist() == log.inc_minutes.tolist()
    assert log.inc_status.tolist() == [SERVED]
    assert log.inc_arrival.tolist() == pytest.approx([10.8])


def test_a_call_after_the_end_is_counted_not_dropped(make_scenario: Make) -> None:
    sc, plan = _plan(make_scenario)
    net = RoadNetwork.from_scenario(sc)
    cfg = replace(FIXED, report_delay_minutes=600.0)
    res = simulate(sc, net, plan, incidents([(1439.0, "b", "x", 2)]),
                   start=DAY, days=1, seed=0, config=cfg)
    assert res.logs[0].inc_call[0] >= 1440.0
    assert evaluate(res).counts["called_after_end"] == 1


@pytest.mark.parametrize(("sortie", "view", "needle"), [
    (replace(OUT_AND_BACK, unit="U1"), None,
     "unit 'U1' is a car unit; only units of mode 'drone' fly sorties"),
    (replace(OUT_AND_BACK, post="nowhere"), None, "unknown post 'nowhere'"),
    (replace(OUT_AND_BACK, unit="D9"), None, "unit 'D9' is not in the scenario"),
    (None, CameraView(operator=0, camera="cx", start=0.0, minutes=2.0),
     "unknown camera 'cx'"),
    (None, CameraView(operator=0, camera="p1", start=0.0, minutes=2.0),
     "post 'p1' is a station post, not a camera"),
])
def test_bad_air_layers_are_refused(make_scenario: Make, sortie: DroneSortie | None,
                                    view: CameraView | None, needle: str) -> None:
    sc, plan = _plan(make_scenario, () if sortie is None else (sortie,),
                     () if view is None else (view,))
    net = RoadNetwork.from_scenario(sc)
    with pytest.raises(SimError, match=needle):
        simulate(sc, net, plan, incidents([(10.0, "b", "x", 2)]),
                 start=DAY, days=1, config=FIXED)


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"camera_detect_probability": 1.5}, "camera_detect_probability must be a probability"),
    ({"report_delay_minutes": -1.0}, "report_delay_minutes must be a finite number >= 0"),
    ({"report_delay_by_category": {"x": float("inf")}}, r"report_delay_by_category\['x'\]"),
    ({"drone_speed_kmh": 0.0}, "drone_speed_kmh must be > 0"),
    ({"drone_battery_minutes": 0.0},
     r"drone_battery_minutes must be None \(the policy's\) or a finite number > 0"),
])
def test_bad_air_settings(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(SimError, match=needle):
        SimConfig(**kwargs)  # type: ignore[arg-type]


def test_sorties_and_views_repeat_with_the_plan_and_follow_the_run_start(
        make_scenario: Make) -> None:
    from datetime import datetime, time

    sortie = DroneSortie(unit="D1", post="p2", start=100.0, end=120.0,
                         waypoints=((800.0, 0.0), (0.0, 0.0), (800.0, 0.0)))
    view = CameraView(operator=0, camera="c1", start=700.0, minutes=2.0)
    sc, plan = _plan(make_scenario, (sortie,), (view,))
    net = RoadNetwork.from_scenario(sc)
    # two days of a one-day plan: the sortie flies on both
    res = simulate(sc, net, plan, incidents([]), start=DAY, days=2, config=FIXED)
    assert _drone_rows(res.logs[0]) == [("sortie", 100.0, 120.0, -1),
                                        ("sortie", 1540.0, 1560.0, -1)]
    air = res.setup.air
    assert air.view_start.tolist() == [700.0, 2140.0] and air.view_end.tolist() == [702.0, 2142.0]
    # a day from noon: the plan's minute 100 is the run's 820, its minute 700 the run's 1420
    noon = datetime.combine(DAY, time(12))
    res = simulate(sc, net, plan, incidents([]), start=noon, days=1, config=FIXED)
    assert _drone_rows(res.logs[0]) == [("sortie", 820.0, 840.0, -1)]
    assert res.setup.air.view_start.tolist() == [1420.0]
