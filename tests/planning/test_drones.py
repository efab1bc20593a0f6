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
    assert any("not flown after every drone on duty had flown its 10 sorties of the day" in x
               for x in dp.shortfalls)
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
    assert any("out of range of the drones on duty" in x and "E@" in x
               for x in short.shortfalls)
    day = plan_drones(sc, None, DAY, every_slot({"W": 1.0}), seed=0,
                      params=DroneParams(hours=tuple(range(8, 20))))
    assert all(8 <= DAY[s.slot].start.hour < 20 for s in day.sorties)
    assert any(x.startswith("12 thin (grid, slot) cell(s) not flown outside the drones' "
                            "flying hours") for x in day.shortfalls)
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


# --- review of the drone stage (session 23) --------------------------------------------------


def test_a_sortie_stays_inside_its_pilots_shift_the_flying_hours_and_the_horizon(
        make_scenario: Make) -> None:
    sc = lattice(make_scenario, **{"units.csv": TWO_DRONES})
    thin = every_slot({"W": 1.0, "E": 1.0})
    shift = {s.index: ["D1"] for s in DAY if 8 <= s.start.hour < 16}  # D1 crewed 08–16
    dp = plan_drones(sc, None, DAY, thin, seed=0, on_duty=shift)
    assert dp.sorties and {x.unit for x in dp.sorties} == {"D1"}
    assert all(x.start >= 480 - 1e-9 and x.end <= 960 + 1e-9 for x in dp.sorties)
    # a drone has a duty only where it is crewed: elsewhere the posture's "off" stands
    assert {k for k in dp.duties} == {("D1", s) for s in shift}
    # each slot's airborne minutes are the sorties' minutes inside it, and add up
    for (_u, s), d in dp.duties.items():
        a, b = 60.0 * s, 60.0 * (s + 1)
        inside = sum(max(0.0, min(x.end, b) - max(x.start, a)) for x in dp.sorties)
        assert d.airborne_minutes == pytest.approx(inside)
        assert (d.sorties > 0) == (inside > 0)
    assert sum(d.airborne_minutes for d in dp.duties.values()) == pytest.approx(
        sum(x.minutes for x in dp.sorties))
    hours = plan_drones(sc, None, DAY, thin, seed=0,
                        params=DroneParams(hours=tuple(range(8, 20)), battery_minutes=25))
    assert all(x.start >= 480 - 1e-9 and x.end <= 1200 + 1e-9 for x in hours.sorties)
    assert max(x.end for x in hours.sorties) > 1140  # the last flying hour is used
    last = plan_drones(sc, None, DAY[-1:], {("E", DAY[-1].index): 1.0}, seed=0)
    assert last.sorties and all(x.end <= 1440 + 1e-9 for x in last.sorties)


def test_long_slots_fly_their_flying_hours_and_short_slots_carry_a_sortie_over() -> None:
    from xunfang.plan import make_slots
    from xunfang.planning.drones import _flying_parts

    two = make_slots(DAY[0].start.date(), days=1, slot_minutes=120)
    # a 2-hour slot 06–08 with flying hours from 07: its second hour only
    assert _flying_parts(two[3], 360.0, set(range(7, 20))) == [(420.0, 480.0)]
    assert _flying_parts(two[3], 360.0, set(range(9, 20))) == []
    assert _flying_parts(two[3], 360.0, set(range(24))) == [(360.0, 480.0)]


def test_quarter_hour_slots_book_a_sortie_to_every_slot_it_spans(make_scenario: Make) -> None:
    from xunfang.plan import make_slots

    sc = lattice(make_scenario)
    quarter = make_slots(DAY[0].start.date(), days=1, slot_minutes=15)
    thin = {("E", s.index): 1.0 for s in quarter}
    # 20 minutes over the grid: a sortie of about 22 minutes, longer than a slot
    dp = plan_drones(sc, None, quarter, thin, seed=0,
                     params=DroneParams(battery_minutes=25, hover_minutes=20))
    assert dp.sorties
    x = dp.sorties[0]
    spanned = [s.index for s in quarter if s.index * 15 < x.end and (s.index + 1) * 15 > x.start]
    assert len(spanned) >= 2  # a sortie longer than a slot
    assert all(dp.duties[("D1", s)].sorties == 1 for s in spanned)


def test_the_days_sorties_go_to_its_thinnest_hours(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    # faint weight all night and morning, the evening peak heavy: six sorties a day
    thin = {(g, s.index): (1.0 if 17 <= s.start.hour <= 22 else 0.01)
            for g in ("W", "E") for s in DAY}
    dp = plan_drones(sc, None, DAY, thin, seed=0, params=DroneParams(max_sorties=6))
    assert len(dp.sorties) == 6
    assert all(17 <= DAY[x.slot].start.hour <= 22 for x in dp.sorties), [
        DAY[x.slot].start.hour for x in dp.sorties]
    # the cells left are said heaviest first, with the daily limit as their reason
    (daily,) = [x for x in dp.shortfalls if "sorties of the day" in x]
    first = daily.split(": ", 1)[1].split(", ")[0]
    assert thin[(first.split("@")[0], int(first.split("@")[1]))] == max(
        w for (g, s), w in thin.items() if (g, s) not in dp.flown)


def test_each_unflown_cell_is_given_its_own_reason(make_scenario: Make) -> None:
    sc = lattice(make_scenario, **{"units.csv": TWO_DRONES})
    thin = every_slot({"W": 1.0})
    # nobody crewed at all: every cell for want of a pilot, not of a free drone
    none = plan_drones(sc, None, DAY, thin, seed=0, on_duty={})
    assert none.sorties == () and len(none.shortfalls) == 1
    assert none.shortfalls[0].startswith("24 thin (grid, slot) cell(s) not flown with no drone "
                                         "crewed, weight 24:")
    assert none.shortfalls[0].endswith(" — no crew named for D1, D2 in slot(s) "
                                       f"{DAY[0].index}-{DAY[-1].index}")
    # only D2 (at P2, 894 m from the west grid's line) is crewed, with a short battery: the
    # west grid is out of *its* range (9.4 min), though D1 at the line's corner reaches it (7.6)
    p = DroneParams(battery_minutes=8.5)
    d2 = plan_drones(sc, None, DAY, thin, seed=0, params=p, on_duty={s.index: ["D2"]
                                                                    for s in DAY})
    assert d2.sorties == ()
    assert d2.shortfalls[0].startswith("24 thin (grid, slot) cell(s) not flown out of range "
                                       "of the drones on duty")
    assert plan_drones(sc, None, DAY, thin, seed=0, params=p,
                       on_duty={s.index: ["D1"] for s in DAY}).sorties
    # weights at or below min_thin are neither flown nor said
    zero = plan_drones(sc, None, DAY, every_slot({"W": 0.0}), seed=0)
    assert zero.sorties == () and zero.shortfalls == ()


@pytest.mark.parametrize(("params", "needle"), [
    ({"min_thin": float("nan")}, r"params\.min_thin: must be a finite number >= 0"),
    ({"min_thin": -1.0}, r"params\.min_thin: must be a finite number >= 0"),
    ({"hours": ("8",)}, r"params\.hours: must be whole hours 0\.\.23; got \['8'\]"),
    ({"hours": 8}, r"params\.hours: must be a collection of hours 0\.\.23; got 8"),
    ({"hours": (8.5,)}, r"params\.hours: must be whole hours 0\.\.23; got \[8\.5\]"),
    ({"hours": (True,)}, r"params\.hours: must be whole hours"),
    ({"hours": ()}, r"params\.hours: name at least one hour"),
    ({"recharge_minutes": float("inf")}, r"params\.recharge_minutes"),
])
def test_bad_params_are_refused_by_name(make_scenario: Make, params: dict[str, object],
                                        needle: str) -> None:
    sc = lattice(make_scenario)
    with pytest.raises(ValueError, match=needle):
        plan_drones(sc, None, DAY, {}, seed=0, params=DroneParams(**params))  # type: ignore[arg-type]


def test_the_limits_are_scenario_policy(make_scenario: Make) -> None:
    toml = LATTICE["scenario.toml"] + (
        "\n[policy.drones]\nbattery_minutes = 18\nrecharge_minutes = 20\nhover_minutes = 3\n"
        "max_sorties = 4\ngrids_per_sortie = 1\nhours = [9, 10, 11, 12]\n")
    sc = lattice(make_scenario, **{"scenario.toml": toml})
    p = DroneParams.of(sc.policy)
    assert (p.battery_minutes, p.recharge_minutes, p.hover_minutes, p.max_sorties,
            p.max_grids_per_sortie, p.hours) == (18, 20, 3, 4, 1, (9, 10, 11, 12))
    dp = plan_drones(sc, None, DAY, every_slot({"W": 1.0, "E": 1.0}), seed=0)
    assert dp.params == p and len(dp.sorties) == 4
    assert all(x.start >= 540 and x.end <= 780 and len(x.grids) == 1 for x in dp.sorties)
    # the simulator flies with the same battery and recharge (a review: it had its own 25/35)
    from xunfang.plan import Assignment, Plan
    from xunfang.sim import SimConfig
    from xunfang.sim.engine import _air_layer

    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t", slots=DAY,
                units=("D1",), assignments=tuple(Assignment("D1", s.index, "post", post="P1")
                                                 for s in DAY))
    air = _air_layer(sc, plan, SimConfig(), 0.0, 1440.0)
    assert (air.battery_minutes, air.recharge_minutes) == (18, 20)
    mine = _air_layer(sc, plan, SimConfig(drone_battery_minutes=30, drone_recharge_minutes=0),
                      0.0, 1440.0)
    assert (mine.battery_minutes, mine.recharge_minutes) == (30, 0)
    # bad values are refused where they are written
    bad = LATTICE["scenario.toml"] + "\n[policy.drones]\nhours = [25]\nbattery_minutes = 0\n"
    from xunfang._errors import ScenarioError

    with pytest.raises(ScenarioError) as err:
        lattice(make_scenario, **{"scenario.toml": bad})
    text = str(err.value)
    assert "scenario.toml" in text and "policy.drones.hours" in text
    assert "policy.drones.battery_minutes" in text


def test_a_replan_keeps_the_days_limit_and_recharge_with_the_sorties_kept(
        make_scenario: Make) -> None:
    # the drone stage plans the whole day again; its afternoon need not follow the morning it
    # flew, so the re-plan's sorties are held to the limits together with the kept ones (a
    # review: 4 kept and 4 new sorties on a day limited to 4)
    from xunfang.plan import DroneSortie
    from xunfang.planning.deploy.from_plan import merge_sorties

    sc = lattice(make_scenario)
    p = DroneParams(max_sorties=4, recharge_minutes=30)
    before = {("E", s.index): (1.0 if s.index < 12 else 0.1) for s in DAY}
    after = {("E", s.index): (1.0 if s.index < 12 else 2.0) for s in DAY}

    def typed(dp: object) -> list[DroneSortie]:
        return [DroneSortie(unit=x.unit, post=x.post, start=x.start, end=x.end, grids=x.grids,
                            waypoints=x.waypoints) for x in dp.sorties]  # type: ignore[attr-defined]

    a = typed(plan_drones(sc, None, DAY, before, seed=0, params=p))
    b = typed(plan_drones(sc, None, DAY, after, seed=0, params=p))
    kept = [x for x in a if x.start < 720]
    assert kept and any(x.start >= 720 for x in b)
    merged, held = merge_sorties(a, b, 720.0, p.recharge_minutes, p.max_sorties)
    dropped = len(held)
    assert len(merged) <= 4 and [x for x in merged if x.start < 720] == kept
    assert dropped == sum(1 for x in b if x.start >= 720) - (len(merged) - len(kept))
    for x, y in itertools.combinations(sorted(merged, key=lambda s: s.start), 2):
        assert y.start >= x.end + 30 - 1e-9


def test_a_sortie_never_runs_across_a_change_of_pilot(make_scenario: Make) -> None:
    sc = lattice(make_scenario)
    thin = {(g, 7): 1.0 for g in ("W", "E")} | {(g, 8): 0.01 for g in ("W", "E")}
    p = DroneParams(battery_minutes=25, hover_minutes=20, recharge_minutes=5,
                    max_grids_per_sortie=1)
    on = {7: ["D1"], 8: ["D1"]}
    same = plan_drones(sc, None, DAY, thin, seed=0, params=p, on_duty=on,
                       crews={("D1", 7): ("A1",), ("D1", 8): ("A1",)})
    assert any(x.start < 480 < x.end for x in same.sorties)  # one pilot: it may fly on
    handover = plan_drones(sc, None, DAY, thin, seed=0, params=p, on_duty=on,
                           crews={("D1", 7): ("A1",), ("D1", 8): ("B1",)})
    assert handover.sorties
    assert not any(x.start < 480 < x.end for x in handover.sorties)


def test_no_flying_hour_is_refused_where_it_is_written(make_scenario: Make) -> None:
    from xunfang._errors import ScenarioError

    bad = LATTICE["scenario.toml"] + "\n[policy.drones]\nhours = []\n"
    with pytest.raises(ScenarioError, match=r"policy\.drones\.hours.*at least one hour"):
        lattice(make_scenario, **{"scenario.toml": bad})


def test_no_sortie_is_flown_for_nothing_and_each_reason_is_true(make_scenario: Make) -> None:
    from xunfang.plan import make_slots

    sc = lattice(make_scenario, **{"units.csv": TWO_DRONES})
    quarter = make_slots(DAY[0].start.date(), days=1, slot_minutes=15)
    # a late launch in slot 39 would hover in slot 40: the weight counts where it hovers
    p = DroneParams(battery_minutes=25, recharge_minutes=20, hover_minutes=5)
    dp = plan_drones(sc, None, quarter, {("E", 39): 1.0, ("E", 40): 0.9}, seed=0, params=p,
                     on_duty={s.index: ["D1"] for s in quarter})
    assert dp.sorties and all(x.weight > 0 for x in dp.sorties)
    # crewed for the last quarter hour only: no round trip of 22 minutes fits (it was "busy")
    long = DroneParams(battery_minutes=25, hover_minutes=20)
    last = plan_drones(sc, None, quarter, {("E", 95): 1.0}, seed=0, params=long,
                       on_duty={95: ["D1"]})
    assert last.sorties == ()
    assert last.shortfalls == ("1 thin (grid, slot) cell(s) not flown with too little of the "
                               "drones' time on duty and in flying hours left for a round "
                               "trip, weight 1: E@95",)
    # D2 cannot reach the west grid, D1 flies its two sorties: the rest is the daily limit,
    # not "busy" (D2 had sorties left, but could not fly there)
    two = DroneParams(battery_minutes=8.5, max_sorties=2)
    dp = plan_drones(sc, None, DAY, every_slot({"W": 1.0}), seed=0, params=two)
    assert {x.unit for x in dp.sorties} == {"D1"} and len(dp.sorties) == 2
    assert len(dp.shortfalls) == 1 and "had flown its 2 sorties of the day" in dp.shortfalls[0]
