"""Drone sorties: over thin grids, within battery, recharge, daily and hour limits."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.planning.test_routes import DAY, LATTICE
from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.planning.drones import DroneParams, plan_drones
from xunfang.scenario.model import Scenario

Make = Callable[..., Path]
TWO_DRONES = LATTICE["units.csv"] + "D2,special,drone,patrol,P2\n"


def lattice(make_scenario: Make, **files: str | None) -> Scenario:
    return scenario.load(make_scenario({**LATTICE, **files}))


def every_slot(weights: dict[str, float]) -> dict[tuple[str, int], float]:
    return {(g, s.index): w for g, w in weights.items() for s in DAY}


def test_sorties_keep_battery_recharge_and_daily_limits(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    p = DroneParams(battery_minutes=20, recharge_minutes=30, hover_minutes=5, max_sorties=10)
    dp = plan_drones(sc, None, DAY, every_slot({"E": 1.0, "W": 0.0}), seed=0, params=p)
    assert 1 <= len(dp.sorties) <= 10
    speed = sc.policy.speeds_kph["drone"] * 1000 / 60
    for s in dp.sorties:
        assert s.unit == "D1" and s.post == "P1" and s.grids == ("E",)
        assert s.minutes <= 20 + 1e-9
        assert s.waypoints[0] == s.waypoints[-1] == (0.0, 0.0)
        # the time is launch + straight flight + hover
        flight = sum(math.dist(a, b) for a, b in itertools.pairwise(s.waypoints)) / speed
        assert s.minutes == pytest.approx(sc.policy.drone_launch_minutes + flight + 5)
    for a, b in itertools.pairwise(dp.sorties):
        assert b.start >= a.end + 30 - 1e-9
    assert len(dp.sorties) == 10  # the daily limit binds: 24 slots of weight, 10 sorties
    assert any("not flown for want of a free drone" in x for x in dp.shortfalls)
    in_first = sum(1 for s in dp.sorties if s.slot == dp.sorties[0].slot)
    assert dp.flown[("E", dp.sorties[0].slot)] == 5 * in_first
    assert not any(g == "W" for g, _ in dp.flown)


def test_two_drones_spread_over_the_thin_grids(make_scenario: Make) -> None:
    sc = lattice(make_scenario, **{"units.csv": TWO_DRONES})
    thin = {("W", 0): 1.0, ("E", 0): 0.6}
    p = DroneParams(max_grids_per_sortie=1, recharge_minutes=60)
    dp = plan_drones(sc, None, DAY[:1], thin, seed=3, params=p)
    assert sorted(s.grids[0] for s in dp.sorties) == ["E", "W"]
    # over W the drone flies along the mandatory line L1 (its corners), over E to a point
    w = next(s for s in dp.sorties if s.grids == ("W",))
    assert {(0.0, 0.0), (400.0, 0.0), (400.0, 400.0), (0.0, 400.0)} <= set(w.waypoints)
    e = next(s for s in dp.sorties if s.grids == ("E",))
    assert len(e.waypoints) == 3
    assert dp.shortfalls == ()
    duties = dp.to_assignments()
    assert [(a.unit, a.slot, a.duty, a.post) for a in duties] == [
        ("D1", 0, "drone", "P1"), ("D2", 0, "drone", "P2")]  # both fly, launched from posts
    assert "sortie(s) over" in duties[0].note


def test_range_hours_and_no_drones_are_shortfalls(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    # 1 minute launch + 800 m out and back at 1 km/min + 5 min hover > 6 minutes
    short = plan_drones(sc, None, DAY, every_slot({"E": 1.0}), seed=0,
                        params=DroneParams(battery_minutes=6))
    assert short.sorties == ()
    assert any("out of drone range" in x and "E" in x for x in short.shortfalls)
    day = plan_drones(sc, None, DAY, every_slot({"W": 1.0}), seed=0,
                      params=DroneParams(hours=tuple(range(8, 20))))
    assert all(8 <= DAY[s.slot].start.hour < 20 for s in day.sorties)
    assert any("outside the drones' flying hours in 12 slot(s)" in x for x in day.shortfalls)
    no = lattice(make_scenario, **{"units.csv": LATTICE["units.csv"].replace(
        "D1,special,drone,patrol,P1\n", "")})
    none = plan_drones(no, None, DAY, every_slot({"W": 1.0}), seed=0)
    assert none.sorties == () and "no drones" in none.shortfalls[0]


def test_crew_on_duty_and_seed(make_scenario: Make) -> None:
    sc = lattice(make_scenario, **{"units.csv": TWO_DRONES})
    thin = every_slot({"W": 1.0, "E": 1.0})
    dp = plan_drones(sc, None, DAY, thin, seed=1, on_duty={s.index: ["D2"] for s in DAY})
    assert {s.unit for s in dp.sorties} == {"D2"}
    a = plan_drones(sc, None, DAY, thin, seed=5)
    b = plan_drones(sc, None, DAY, thin, seed=5)
    assert a.as_json() == b.as_json()


def test_bad_input_is_named(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    with pytest.raises(ValueError, match=r"thin: key \('Q', 0\) names no grid"):
        plan_drones(sc, None, DAY, {("Q", 0): 1.0}, seed=0)
    with pytest.raises(ValueError, match=r"thin: key \('W', 77\) names no slot"):
        plan_drones(sc, None, DAY, {("W", 77): 1.0}, seed=0)
    with pytest.raises(ValueError, match="must be finite and >= 0"):
        plan_drones(sc, None, DAY, {("W", 0): -1.0}, seed=0)
    with pytest.raises(ValueError, match=r"params\.battery_minutes"):
        plan_drones(sc, None, DAY, {}, seed=0, params=DroneParams(battery_minutes=0))
    with pytest.raises(ValueError, match=r"params\.max_sorties"):
        plan_drones(sc, None, DAY, {}, seed=0, params=DroneParams(max_sorties=0))
    with pytest.raises(ValueError, match="on_duty: slot 3 names units that are not drones"):
        plan_drones(sc, None, DAY, {}, seed=0, on_duty={3: ["C1"]})


def test_ebian_drones() -> None:
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    grids = [a.id for a in sc.areas_of("grid")]
    thin = {(g, s.index): (1.0 if g in ("G1", "G7") else 0.1) for g in grids for s in DAY}
    dp = plan_drones(sc, net, DAY, thin, seed=0)
    assert {s.unit for s in dp.sorties} == {"TX-D1", "TX-D2"}
    assert all(s.minutes <= dp.params.battery_minutes + 1e-9 for s in dp.sorties)
    flown = {g for s in dp.sorties for g in s.grids}
    assert {"G1", "G7"} <= flown
    doc = dp.as_json()
    json.dumps(doc)
    lon, lat = doc["sorties"][0]["waypoints"][0]  # type: ignore[index]
    assert 103.2 < lon < 103.3 and 29.2 < lat < 29.3
