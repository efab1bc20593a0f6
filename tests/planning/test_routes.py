"""Patrol routes: lines at their frequency, sites at their revisit intervals, shortfalls named."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from xunfang import network, scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, make_slots
from xunfang.planning.routes import (
    PatrolLoad,
    UnitSlotRoute,
    grid_of_nodes,
    ground_presence,
    plan_routes,
    posture_of,
)
from xunfang.scenario.model import Scenario

Make = Callable[..., Path]


def _lattice() -> dict[str, str]:
    """5 × 3 streets 200 m apart; grid W holds columns 0-2, grid E columns 3-4."""
    nodes = ["id,x,y"] + [f"n{c}{r},{200 * c},{200 * r}" for c in range(5) for r in range(3)]
    edges = ["u,v,class"]
    for c in range(5):
        for r in range(3):
            if c < 4:
                edges.append(f"n{c}{r},n{c + 1}{r},residential")
            if r < 2:
                edges.append(f"n{c}{r},n{c}{r + 1},residential")
    edges.append("n00,n01,footway")  # a parallel footway: no car uses it

    def square(gid: str, x0: float, x1: float) -> dict[str, object]:
        ring = [[x0, -50], [x1, -50], [x1, 450], [x0, 450], [x0, -50]]
        return {"type": "Feature", "properties": {"kind": "grid", "id": gid, "name": gid},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}

    areas = {"type": "FeatureCollection",
             "features": [square("W", -50, 500), square("E", 500, 850)]}
    return {
        # (no shift handover: these tests time routes over whole slots; one car keeping a
        # line every 30 min in W misses an interval in 7 seeds of 8 with a 15-minute one,
        # test_routes_handover.py)
        "scenario.toml": ('name = "lattice"\ncrs = "local"\n[policy]\n'
                          'revisit_minutes = { "1" = 60, "2" = 120, "3" = 240 }\n'
                          'handover_minutes = 0\n'),
        "network/nodes.csv": "\n".join(nodes) + "\n",
        "network/edges.csv": "\n".join(edges) + "\n",
        "areas.geojson": json.dumps(areas),
        "posts.csv": ("id,name,kind,node\nP1,West station,station,n00\n"
                      "P2,East station,station,n42\nK1,Cam west,camera,n11\n"
                      "K2,Cam east,camera,n31\nK3,Cam far,camera,n42\n"),
        "sites.csv": ("id,name,kind,tier,node\nS1,School,school,1,n11\n"
                      "S2,Hospital,hospital,1,n31\nS3,Bank,bank,2,n42\nS4,Cafe,cafe,3,n02\n"),
        "lines.csv": ("line,seq,node,every_minutes\n"
                      + "".join(f"L1,{i},{n},30\n" for i, n in enumerate(
                          ["n00", "n10", "n20", "n21", "n22", "n12", "n02", "n01", "n00"]))),
        "units.csv": ("id,tier,mode,squad,home_post\nC1,special,car,patrol,P1\n"
                      "C2,special,car,patrol,P2\nF1,precinct,foot,patrol,P1\n"
                      "D1,special,drone,patrol,P1\n"),
    }


LATTICE = _lattice()
#: why an item no run offered to a police unit was missed, as the routes say it
UNREACHED = ("no run brought a police unit to it: it is off the streets of their modes in the "
             "grid, beyond a foot or balance patrol's loop, or too long to finish before a "
             "unit leaves")
DAY = make_slots(date(2024, 6, 3), days=1, slot_minutes=60)


def load(make_scenario: Make, **files: str | None) -> tuple[Scenario, RoadNetwork]:
    sc = scenario.load(make_scenario({**LATTICE, **files}))
    return sc, RoadNetwork.from_scenario(sc)


def everywhere(units_grids: dict[str, str]) -> dict[tuple[str, int], str]:
    return {(u, s.index): g for u, g in units_grids.items() for s in DAY}


def test_lines_and_sites_met_when_each_grid_has_a_car(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W", "C2": "E"}), seed=3)
    assert rp.shortfalls == ()
    (line,) = rp.lines
    assert line.met and line.achieved is not None and line.achieved <= 30.0
    assert [p[0] for p in line.pieces] == ["W"]
    for site in rp.sites:
        assert site.met and site.achieved is not None and site.achieved <= site.required
        # a visit is a stop of 10-15 minutes: consecutive arrivals are at least 10 min apart
        assert np.all(np.diff(site.visits) >= 10.0 - 1e-9) or len(site.visits) < 2
    # the measured intervals agree with the stops in the routes themselves
    s1 = sorted(leg.stop_start for r in rp.routes.values() for leg in r.legs
                if leg.kind == "site" and leg.ref == "S1" and leg.stop_start is not None)
    assert s1 == pytest.approx(sorted(rp.sites[0].visits), abs=1e-2)
    # the load bound is below the single car of each grid
    assert all(ld <= n for ld, n in rp.load.values())
    # the OR-Tools tour of W: two 10-minute stops plus driving L1 (8 streets of 200 m at
    # 25 km/h), and the bound and the tour agree: load <= tour / shortest interval
    tour_w, every_w = rp.tour[("W", 0)]
    assert tour_w is not None and every_w == 30.0
    assert 20.0 + 8 * 0.2 / 25 * 60 <= tour_w <= 30.0
    for key, (ld, _) in rp.load.items():
        t_min, every = rp.tour[key]
        assert t_min is not None and ld <= t_min / every + 1e-9


def test_stops_last_10_to_15_minutes_and_routes_stay_in_their_grid(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W", "C2": "E"}), seed=5)
    grid = grid_of_nodes(sc, net.xy)
    gid = {"W": 0, "E": 1}
    idx = {n: i for i, n in enumerate(net.node_ids)}
    for (_, _), r in rp.routes.items():
        for leg in r.legs:
            if leg.kind == "site" and leg.stop_start is not None and leg.stop_end is not None:
                span = leg.stop_end - leg.stop_start
                end_of_day = abs(leg.stop_end - 1440.0) < 1e-6
                assert 10.0 - 1e-9 <= span <= 15.0 + 1e-9 or end_of_day
            if leg.kind == "transit":
                continue
            for a, b in zip(leg.nodes[:-1], leg.nodes[1:], strict=True):
                if a != b:  # every street driven has an end inside the grid
                    assert gid[r.grid] in (grid[idx[a]], grid[idx[b]])
            assert np.all(np.diff(leg.minutes) >= -1e-9)


def test_a_grid_without_units_is_a_listed_gap(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W"}), seed=1)
    text = "\n".join(rp.shortfalls)
    assert "site S2 (tier 1, grid E): never visited, required every 60 min" in text
    assert "no police unit patrols the grid in 24 slot(s)" in text
    assert not any("S1" in s for s in rp.shortfalls)
    # no draw can serve a grid nobody patrols: E's items call for no other run of the loop,
    # W's do (seed 2's own draws miss one of W's intervals), and the runs stop at the first
    # that meets W's
    assert any("grid W" in s for s in plan_routes(sc, net, DAY, everywhere({"C1": "W"}),
                                                  seed=2, attempts=1).shortfalls)
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W"}), seed=2)
    run, kept, most = rp.attempts
    assert 2 <= run == kept < most == 8  # kept: which run, 1 for the seed's own draws
    assert rp.as_json()["attempts"] == {"run": run, "kept": kept, "max": 8}
    assert not any("grid W" in s for s in rp.shortfalls)
    by_id = {s.site: s for s in rp.sites}
    assert by_id["S2"].achieved is None and not by_id["S2"].met


def test_intervals_no_force_can_meet_are_shortfalls(make_scenario: Make) -> None:
    # every tier-1 site every 12 minutes with 10-15 minute stops: two sites need > 1 unit
    toml = ('name = "lattice"\ncrs = "local"\n[policy]\n'
            'revisit_minutes = { "1" = 12, "2" = 120, "3" = 240 }\n')
    sites = "id,name,kind,tier,node\nS1,School,school,1,n11\nS5,Square,square,1,n21\n"
    sc, net = load(make_scenario, **{"scenario.toml": toml, "sites.csv": sites})
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W"}), seed=1)
    ld, n = rp.load[("W", 0)]
    assert n == 1 and ld > 20.0 / 12.0  # two 10-minute stops every 12 minutes
    assert any(s.startswith("grid W slot 0: the revisit and line intervals need at least")
               for s in rp.shortfalls)
    for site in rp.sites:  # the routes really miss them, and say so
        assert not site.met
        assert any(s.startswith(f"site {site.site} (tier 1, grid W): longest interval")
                   for s in rp.shortfalls)


def test_line_outside_every_grid_and_undrivable_pieces(make_scenario: Make) -> None:
    nodes = LATTICE["network/nodes.csv"] + "x1,2000,0\nx2,2200,0\n"
    edges = LATTICE["network/edges.csv"] + "n40,x1,residential\nx1,x2,residential\n"
    lines = ("line,seq,node,every_minutes\nL9,1,n40,60\nL9,2,x1,60\nL9,3,x2,60\n"
             "LF,1,n00,60\nLF,2,n01,60\n")
    # LF runs over n00-n01, which is also a street: make it footway-only
    edges = edges.replace("n00,n01,residential\n", "")
    sc, net = load(make_scenario, **{"network/nodes.csv": nodes, "network/edges.csv": edges,
                                     "lines.csv": lines})
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W", "C2": "E"}), seed=1)
    text = "\n".join(rp.shortfalls)
    assert "line L9: 1 edge(s) lie outside every grid (first x1→x2)" in text
    assert "line LF: its piece in grid W cannot be driven by car" in text
    lf = next(x for x in rp.lines if x.line == "LF")
    assert lf.achieved is None and not lf.met
    # on foot the same piece is walked
    rp2 = plan_routes(sc, net, DAY, everywhere({"F1": "W", "C2": "E"}), seed=1)
    assert not any("LF: its piece" in s for s in rp2.shortfalls)
    lf2 = next(x for x in rp2.lines if x.line == "LF")
    assert lf2.achieved is not None


def test_seeded_and_unpredictable(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    a = plan_routes(sc, net, DAY, posture, seed=11)
    b = plan_routes(sc, net, DAY, posture, seed=11)
    c = plan_routes(sc, net, DAY, posture, seed=12)
    seq = [a.route_nodes("C1", s.index) for s in DAY]
    assert seq == [b.route_nodes("C1", s.index) for s in DAY]
    assert a.as_json() == b.as_json()
    assert seq != [c.route_nodes("C1", s.index) for s in DAY]
    # not one fixed cycle either: the order of stops differs from hour to hour
    stops = [tuple(leg.ref for leg in a.routes[("C1", s.index)].legs if leg.kind == "site")
             for s in DAY]
    assert len(set(stops)) > 3
    # which site follows which is not fixed (W has two sites: at most one bit)
    assert 0.1 < a.order_entropy()["C1"] <= 1.0


def test_runs_transit_and_assignments(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    posture = {("C1", s.index): ("W" if s.index < 12 else "E") for s in DAY}
    rp = plan_routes(sc, net, DAY, posture, seed=2)
    legs12 = rp.routes[("C1", 12)].legs
    assert legs12[0].kind == "transit" and legs12[0].ref == "E"
    out = rp.to_assignments()
    assert len(out) == 24 and all(isinstance(x, Assignment) and x.duty == "route" for x in out)
    known = set(net.node_ids)
    assert all(set(x.route) <= known for x in out)
    full = rp.route_nodes("C1", 3, full=True)
    # consecutive nodes of the full route are joined by a street
    for u, v in itertools.pairwise(full):
        iu, iv = network.index_of(net, [u, v])
        assert np.isfinite(network.travel_times(net, [iu], [iv], mode="car")[0, 0])
    gj = rp.geojson()
    tracks = [f for f in gj["features"] if f["properties"]["kind"] == "track"]  # type: ignore[index]
    assert len(tracks) == 24 and "crs_note" in gj
    t0 = tracks[0]
    assert len(t0["properties"]["times"]) == len(t0["geometry"]["coordinates"])  # type: ignore[index]
    json.dumps(rp.as_json())


def test_foot_units_keep_short_loops(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    rp = plan_routes(sc, net, DAY, everywhere({"F1": "W"}), seed=1,
                     loop_minutes={"foot": 3.0})
    # S4 at n02 is 2 streets from P1 at n00 (4.8 min on foot), beyond a 3-minute loop
    s4 = next(s for s in rp.sites if s.site == "S4")
    assert s4.achieved is None
    assert any(s.startswith("site S4 (tier 3, grid W): never visited") for s in rp.shortfalls)


def test_bad_input_is_named(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    with pytest.raises(ValueError, match="posture: unit 'nobody'"):
        plan_routes(sc, net, DAY, {("nobody", 0): "W"}, seed=0)
    with pytest.raises(ValueError, match="posture: grid 'Q'"):
        plan_routes(sc, net, DAY, {("C1", 0): "Q"}, seed=0)
    with pytest.raises(ValueError, match="'D1' is a drone"):
        plan_routes(sc, net, DAY, {("D1", 0): "W"}, seed=0)
    with pytest.raises(ValueError, match="posture: slot 99"):
        plan_routes(sc, net, DAY, {("C1", 99): "W"}, seed=0)
    with pytest.raises(ValueError, match="stop_minutes"):
        plan_routes(sc, net, DAY, {}, seed=0, stop_minutes=(15, 10))
    with pytest.raises(ValueError, match="slots: must be consecutive"):
        plan_routes(sc, net, (DAY[0], DAY[2]), {}, seed=0)
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match=r"attempts: must be a whole number >= 1"):
            plan_routes(sc, net, DAY, {}, seed=0, attempts=bad)  # type: ignore[arg-type]


def test_ebian_lines_and_tier1_sites_met() -> None:
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    posture = everywhere({"TX-M1": "G1", "TX-M2": "G2", "TX-M3": "G3", "TX-M4": "G4",
                          "PS2-C": "G4", "TX-M5": "G5", "TX-M6": "G6", "PS1-C": "G7"})
    rp = plan_routes(sc, net, DAY, posture, seed=0)
    assert len(rp.lines) == 5 and all(x.met for x in rp.lines), rp.shortfalls
    for key, (ld, _) in rp.load.items():
        t_min, every = rp.tour[key]
        assert t_min is not None and ld <= t_min / every + 1e-9
    tier1 = [s for s in rp.sites if s.tier == 1]
    assert len(tier1) == 10 and all(s.met for s in tier1), rp.shortfalls
    coords = [c for f in rp.geojson()["features"]  # type: ignore[attr-defined]
              if f["geometry"]["type"] == "LineString" for c in f["geometry"]["coordinates"]]
    lon, lat = np.array(coords).T
    assert lon.min() > 103.2 and lon.max() < 103.3 and lat.min() > 29.2 and lat.max() < 29.3


def test_a_unit_back_from_a_break_does_not_claim_visits_ahead(make_scenario: Make) -> None:
    # C1 patrols W all day; F1 joins it in the early and late slots only. Every visit F1 makes
    # is made in its own slots, so C1 keeps W's intervals throughout the middle of the day.
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    posture.update({("F1", s.index): "W" for s in DAY if s.index < 6 or s.index >= 18})
    rp = plan_routes(sc, net, DAY, posture, seed=4)
    assert rp.shortfalls == ()
    for (_, s), r in rp.routes.items():
        for leg in r.legs:
            assert DAY[s].index * 60 - 1e-9 <= leg.minutes[0] < (DAY[s].index + 1) * 60


def test_posture_and_ground_presence_from_a_plan(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    plan = [Assignment(unit="C1", slot=0, duty="grid", grid="W"),
            Assignment(unit="C2", slot=0, duty="post", post="P2"),
            Assignment(unit="F1", slot=0, duty="route", route=("n30", "n31", "n01")),
            Assignment(unit="D1", slot=0, duty="grid", grid="E"),
            Assignment(unit="C1", slot=1, duty="off")]
    assert posture_of(sc, plan) == {("C1", 0): "W"}  # the drone is not routed
    # C1 in W; C2 at P2 (n42, in E); F1's route mostly in E; the drone and 'off' count 0
    assert ground_presence(sc, plan) == {("W", 0): 1.0, ("E", 0): 2.0}
    rp = plan_routes(sc, net, DAY[:2], posture_of(sc, plan), seed=0)
    assert set(rp.routes) == {("C1", 0)}


def test_a_one_way_line_alone_in_its_grid_is_not_a_crash(make_scenario: Make) -> None:
    """A grid whose only item is a line on a one-way street (no way back inside the grid):
    the single-tour certificate is 'none found', not an overflow."""
    nodes = LATTICE["network/nodes.csv"] + "z1,2000,0\nz2,2200,0\n"
    edges = ("u,v,class,oneway\n"
             + LATTICE["network/edges.csv"].split("\n", 1)[1].replace("\n", ",0\n")
             + "n40,z1,residential,0\nz1,z2,residential,1\n")
    areas = json.loads(LATTICE["areas.geojson"])
    areas["features"].append({"type": "Feature", "properties": {"kind": "grid", "id": "N"},
                              "geometry": {"type": "Polygon", "coordinates": [[
                                  [1900, -50], [2300, -50], [2300, 50], [1900, 50],
                                  [1900, -50]]]}})
    lines = "line,seq,node,every_minutes\nL3,1,z1,60\nL3,2,z2,60\n"
    sc, net = load(make_scenario, **{"network/nodes.csv": nodes, "network/edges.csv": edges,
                                     "areas.geojson": json.dumps(areas), "lines.csv": lines})
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "N", "C2": "E"}), seed=1)
    assert rp.tour.get(("N", 0), (0.0, 0.0))[0] is None


def test_auxiliary_visits_do_not_meet_the_intervals(make_scenario: Make) -> None:
    # a volunteer walking grid E stops at its sites, but a key site's patrol is a police
    # visit (the simulator's patrol gap counts police only): E is a listed gap until a car
    # patrols it too
    units = LATTICE["units.csv"] + "A1,auxiliary,foot,volunteers,P2\n"
    sc, net = load(make_scenario, **{"units.csv": units})
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W", "A1": "E"}), seed=2)
    stops = [leg.ref for r in rp.routes.values() if r.unit == "A1" for leg in r.legs
             if leg.kind == "site"]
    assert "S2" in stops
    by_id = {s.site: s for s in rp.sites}
    assert by_id["S2"].achieved is None and not by_id["S2"].met
    assert "no police unit patrols the grid in 24 slot(s)" in "\n".join(rp.shortfalls)
    rp2 = plan_routes(sc, net, DAY, everywhere({"C1": "W", "A1": "E", "C2": "E"}), seed=2)
    assert all(s.met for s in rp2.sites), rp2.shortfalls


def test_patrol_load_is_the_routes_load_bound_by_mode(make_scenario: Make) -> None:
    sc, net = load(make_scenario)
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "W", "C2": "E"}), seed=3)
    work = PatrolLoad(sc, net)
    for g, gid in enumerate(("W", "E")):
        car = work.units(g, "car", 0)
        assert car == pytest.approx(rp.load[(gid, 0)][0])
        assert 0.0 < car <= work.units(g, "foot", 0) < math.inf
    assert work.units(0, "car", 0) < work.units(0, "foot", 0)  # W's line: walking is slower
    # a foot loop too short to reach every item of the grid cannot carry its work
    short = PatrolLoad(sc, net, loop_minutes={"foot": 1.0, "car": None})
    assert short.units(0, "foot", 0) == math.inf and math.isfinite(short.units(0, "car", 0))


def test_a_grid_split_inside_is_reached_over_the_whole_network(make_scenario: Make) -> None:
    """A real city's grid is often split by one-way streets and streets that leave it: an
    item its own streets do not join to where the unit stands is reached over the whole
    network, by a transit leg, instead of never (Baltimore: 5 route misses fewer)."""
    drop = {("n30", "n31"), ("n31", "n32"), ("n30", "n40"), ("n40", "n41")}
    edges = "\n".join(e for e in LATTICE["network/edges.csv"].strip().split("\n")
                      if tuple(e.split(",")[:2]) not in drop) + "\n"
    # E's streets: {n20-n30} and {n21-n31-n41-n42-n32-n22}; C1 from P1 (n00) enters E at
    # n20, and S5 sits on the part it enters, S2 on the other
    sites = LATTICE["sites.csv"] + "S5,Kiosk,kiosk,1,n30\n"
    sc, net = load(make_scenario, **{"network/edges.csv": edges, "sites.csv": sites})
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "E", "C2": "W"}), seed=2)
    by_id = {s.site: s for s in rp.sites}
    for site in ("S2", "S5"):
        assert by_id[site].met and len(by_id[site].visits) >= 10, (by_id[site], rp.shortfalls)
    grid = grid_of_nodes(sc, net.xy)
    idx = {n: i for i, n in enumerate(net.node_ids)}
    legs = [leg for (u, _), r in rp.routes.items() if u == "C1" for leg in r.legs]
    assert any(leg.kind == "transit" and "n21" in leg.nodes for leg in legs)
    for leg in legs:  # off the grid's streets only in transit legs
        if leg.kind != "transit":
            assert all(1 in (grid[idx[x]], grid[idx[y]])
                       for x, y in itertools.pairwise(leg.nodes) if x != y), leg


def test_a_unit_in_a_grid_with_nothing_to_visit_stands_inside_it(make_scenario: Make) -> None:
    """A grid with no key site and no line: its unit holds, but inside the grid, near its
    middle, not on the first node of its streets it met coming from a neighbour (E's
    streets begin at n20, in W: C1 from P1 stood there all day, counted in W and sent from
    there; Montreal without key sites: 76 % of the hold minutes outside their grid)."""
    sites = "id,name,kind,tier,node\nS1,School,school,1,n11\nS4,Cafe,cafe,3,n02\n"
    sc, net = load(make_scenario, **{"sites.csv": sites})
    rp = plan_routes(sc, net, DAY, everywhere({"C1": "E", "C2": "W"}), seed=2)
    grid = grid_of_nodes(sc, net.xy)
    idx = {n: i for i, n in enumerate(net.node_ids)}
    holds = [leg for (u, _), r in rp.routes.items() if u == "C1" for leg in r.legs
             if leg.kind == "hold"]
    assert holds and sum(leg.minutes[1] - leg.minutes[0] for leg in holds) > 1400
    assert {leg.nodes[0] for leg in holds} == {"n31"}  # E's node nearest its middle
    assert all(grid[idx[leg.nodes[0]]] == 1 for leg in holds)


#: Grid G4's police units on the county's plan of 2026-07-15 (slot indexes of that day): on
#: this posture the routes' first draw of some seeds left line L3's piece in G4 past its
#: 120 minutes (126-168 min) with every load bound met (session 22).
G4_0715 = {"PS1-C": [5, 12], "PS1-F": [0, 1, 2, 3, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18,
                                       19, 20, 21, 22, 23],
           "PS3-C": [1, 2, 4], "PS3-F": [12, 18], "PS7-C": [4, 10, 13, 15, 16, 19, 22],
           "TX-M1": [0], "TX-M2": [3, 6, 7, 17, 18], "TX-M3": [8, 9, 10, 14],
           "TX-M4": [3, 11, 20], "WJ-1": [6, 19, 21, 23]}


def test_a_draw_that_strands_an_item_is_run_again() -> None:
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    day = make_slots(date(2026, 7, 15), days=1, slot_minutes=60)
    posture = {(u, k): "G4" for u, ks in G4_0715.items() for k in ks}

    def g4_misses(rp: object) -> list[str]:
        return [x for x in rp.shortfalls  # type: ignore[attr-defined]
                if "grid G4" in x and "no police unit patrols" not in x]

    stranded = kept_first = 0
    for seed in range(8):
        once = plan_routes(sc, net, day, posture, seed=seed, attempts=1)
        rp = plan_routes(sc, net, day, posture, seed=seed)
        # every grid but G4 has nobody: their items call for no other run, so the runs
        # stop as soon as G4's items are met
        assert g4_misses(rp) == [], (seed, rp.shortfalls)
        assert all(s.met for s in rp.sites if s.grid == "G4")
        assert all(i is not None and i <= x.required + 1e-6
                   for x in rp.lines for g, _, i in x.pieces if g == "G4")
        run, kept, most = rp.attempts
        assert most == 8 and run == kept
        if g4_misses(once):
            stranded += 1
            assert kept >= 2
        else:  # the seed's own draw met them: that very plan is kept
            kept_first += 1
            assert rp.attempts == (1, 1, 8)
            assert rp.routes == once.routes and rp.shortfalls == once.shortfalls
    assert stranded >= 1 and kept_first >= 1


def test_an_overloaded_slot_does_not_stop_the_runs(make_scenario: Make) -> None:
    # review: a slot whose load bound exceeds its units (W at 05:00, the foot patrol alone
    # with L1 every 18 min) had marked every item of W as out of every draw's reach, so the
    # runs stopped after the first although other draws keep more of W's items
    lines = "line,seq,node,every_minutes\n" + "".join(
        f"L1,{i},{n},18\n" for i, n in enumerate(
            ["n00", "n10", "n20", "n21", "n22", "n12", "n02", "n01", "n00"]))
    sc, net = load(make_scenario, **{"lines.csv": lines})
    posture = {("C1", s.index): ("E" if s.index == 5 else "W") for s in DAY}
    posture[("F1", 5)] = "W"
    posture.update({("C2", s.index): "E" for s in DAY})
    for seed in (0, 1):
        once = plan_routes(sc, net, DAY, posture, seed=seed, attempts=1)
        rp = plan_routes(sc, net, DAY, posture, seed=seed)
        ld, n = rp.load[("W", 5)]
        assert ld > n == 1
        assert rp.attempts[0] == 8  # L1 cannot be kept at 05:00: every run is tried
        def worst(sf: tuple[str, ...]) -> int:  # what the runs are ranked by first
            return sum(1 for x in sf if x.startswith("line ") or "(tier 1," in x)

        assert worst(rp.shortfalls) <= worst(once.shortfalls)
        assert ("the routes kept are the best of 8 seeded runs over the whole plan"
                in "\n".join(rp.shortfalls))


def test_items_out_of_every_police_units_reach_are_said_so(make_scenario: Make) -> None:
    # review: a foot patrol alone in a grid five times the lattice's size never reaches the
    # sites beyond its 20-minute loop; the runs were made 8 times for them, and the sentence
    # blamed the heuristic
    sc, net = _scaled(make_scenario, 5, 400, '{ "1" = 300, "2" = 400, "3" = 600 }')
    rp = plan_routes(sc, net, DAY, everywhere({"F1": "W", "C2": "E"}), seed=0)
    # where a unit enters its grid, and so what its loop reaches, depends on the draws: the
    # runs are made, and an item none of them offered to a police unit is said out of reach
    assert rp.attempts[0] == 8
    far = [x for x in rp.shortfalls if x.startswith(("site S1 ", "site S4 "))]
    assert len(far) == 2
    assert all(" never visited, required every " in x and x.endswith(f" min ({UNREACHED})")
               for x in far), far


def test_runs_draw_streams_of_their_own_and_tier1_misses_weigh_most() -> None:
    from xunfang.planning.routes import _Item, _score, _stream

    def draws(seed: int, attempt: int) -> list[float]:
        return [float(x) for x in _stream(seed, attempt).random(4)]

    assert draws(7, 0) == [float(x) for x in np.random.default_rng(7).random(4)]
    # a later run's stream is no other seed's own: [seed, attempt] as entropy gave seed
    # 2**32 + 1's own stream to seed 1's second run
    assert draws(1, 1) != draws(2**32 + 1, 0)
    assert len({tuple(draws(1, a)) for a in range(8)}) == 8
    one = _Item(key="site:A", kind="site", ref="A", grid=0, every=60, nodes=(0,), tier=1)
    three = _Item(key="site:C", kind="site", ref="C", grid=0, every=240, nodes=(1,), tier=3)
    line = _Item(key="line:L#0", kind="line", ref="L", grid=0, every=60, nodes=(0, 1))
    items = {i.key: i for i in (one, three, line)}
    # one tier-1 minute over is worse than a tier-3 site missed by hours
    assert _score(items, {"site:A": 1.0}) > _score(items, {"site:C": 500.0})
    assert _score(items, {"line:L#0": 1.0}) > _score(items, {"site:C": 500.0})
    assert _score(items, {"site:C": 5.0}) < _score(items, {"site:C": 6.0})


def test_a_unit_alone_keeps_the_others_in_reach_and_every_seed_meets_w(
        make_scenario: Make) -> None:
    # one car in W, whose OR-Tools tour (about 30 min) certifies that one car can keep L1
    # every 30 min, S1 every 60 and S4 every 240: the first draw of 16 seeds in 20 missed
    # one (a 15-minute stop taken with L1 due in 8); alone in its grid, a unit now draws
    # among the items after which it still reaches the others in time
    sc, net = load(make_scenario)
    for posture in (everywhere({"C1": "W"}), everywhere({"C1": "W", "C2": "E"})):
        first = [plan_routes(sc, net, DAY, posture, seed=seed, attempts=1) for seed in range(20)]
        missed_first = sum(any("grid W" in x for x in rp.shortfalls) for rp in first)
        assert missed_first <= 10, missed_first  # 6 and 8 measured (16 and 15 before)
        for seed in range(20):  # and with the runs again, every seed keeps every interval
            rp = plan_routes(sc, net, DAY, posture, seed=seed)
            assert not any("grid W" in x for x in rp.shortfalls), (seed, rp.shortfalls)
        # still drawn: the stops' order is not one cycle
        assert 0.1 < first[0].order_entropy()["C1"] <= 1.0


def _scaled(make_scenario: Make, scale: float, every: int, sites_every: str
            ) -> tuple[Scenario, RoadNetwork]:
    """The lattice ``scale`` times as large, L1 every ``every`` min, and a second foot
    patrol F2 at the east station."""
    nodes = ["id,x,y"] + [f"n{c}{r},{200 * scale * c},{200 * scale * r}"
                          for c in range(5) for r in range(3)]

    def square(gid: str, x0: float, x1: float) -> dict[str, object]:
        ring = [[x0, -50], [x1, -50], [x1, 450 * scale], [x0, 450 * scale], [x0, -50]]
        return {"type": "Feature", "properties": {"kind": "grid", "id": gid, "name": gid},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}

    areas = {"type": "FeatureCollection",
             "features": [square("W", -50, 500 * scale), square("E", 500 * scale, 850 * scale)]}
    toml = ('name = "lattice"\ncrs = "local"\n[policy]\n'
            f"revisit_minutes = {sites_every}\n")
    lines = "line,seq,node,every_minutes\n" + "".join(
        f"L1,{i},{n},{every}\n" for i, n in enumerate(
            ["n00", "n10", "n20", "n21", "n22", "n12", "n02", "n01", "n00"]))
    return load(make_scenario, **{
        "network/nodes.csv": "\n".join(nodes) + "\n", "areas.geojson": json.dumps(areas),
        "scenario.toml": toml, "lines.csv": lines,
        "units.csv": LATTICE["units.csv"] + "F2,precinct,foot,patrol,P2\n"})


def test_out_of_reach_is_said_from_the_horizon_of_every_run(make_scenario: Make) -> None:
    # review: offers made in the warm-up (F1 starts at its station n00 a day early) had
    # counted, so S4 and L1, which no police unit reaches in the day itself, made 8 runs
    # and the sentence blamed the heuristic
    sc, net = _scaled(make_scenario, 3, 400, '{ "1" = 300, "2" = 400, "3" = 600 }')
    posture = {}
    for s in DAY:
        posture[("C2", s.index)] = "E"
        posture[("F1", s.index)] = "W" if s.index < 12 else "E"
        posture[("F2", s.index)] = "E" if s.index < 12 else "W"
    for seed in (0, 1):
        rp = plan_routes(sc, net, DAY, posture, seed=seed)
        said = {x.split(":")[0]: x for x in rp.shortfalls if "grid W" in x}
        assert set(said) == {"site S4 (tier 3, grid W)", "line L1 piece in grid W"}, said
        assert all(UNREACHED in x for x in said.values())
    # and one the first run never offered but a later one did is not said out of reach:
    # C1 reaches W's far line only in slot 5, from wherever its draws left it in E (the
    # first run alone said "out of reach" for 11 seeds in 20, and stopped there)
    sc, net = _scaled(make_scenario, 9, 1440, '{ "1" = 1440, "2" = 1440, "3" = 1440 }')
    posture = {}
    for s in DAY:
        posture[("C2", s.index)] = "E"
        posture[("F2", s.index)] = "W"
        posture[("C1", s.index)] = "W" if s.index == 5 else "E"
    first_said = 0
    for seed in range(6):
        once = plan_routes(sc, net, DAY, posture, seed=seed, attempts=1)
        first_said += any(x.startswith("line L1 piece in grid W") and UNREACHED in x
                          for x in once.shortfalls)
        rp = plan_routes(sc, net, DAY, posture, seed=seed)
        assert not any(UNREACHED in x for x in rp.shortfalls
                       if x.startswith("line L1 piece in grid W")), (seed, rp.shortfalls)
    assert first_said >= 2


def test_runs_within_the_budget_and_items_no_mode_reaches_call_for_none(
        make_scenario: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    from xunfang.planning import routes

    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W"})  # seed 2's own draws miss in W (see above)
    monkeypatch.setattr(routes, "ROUTE_RUN_BUDGET", 2 * len(posture))
    assert plan_routes(sc, net, DAY, posture, seed=2).attempts == (2, 2, 2)
    monkeypatch.setattr(routes, "ROUTE_RUN_BUDGET", len(posture) - 1)  # at least one run
    assert plan_routes(sc, net, DAY, posture, seed=2).attempts == (1, 1, 1)
    monkeypatch.undo()
    # review: a tier-1 site on a footway only, with cars only in W: no draw reaches it, so
    # it calls for no other run, and the sentence says why without blaming foot patrols
    nodes = LATTICE["network/nodes.csv"] + "nx,-30,100\n"
    edges = LATTICE["network/edges.csv"] + "n00,nx,footway\n"
    sites = LATTICE["sites.csv"] + "S5,Shrine,temple,1,nx\n"
    sc, net = load(make_scenario, **{"network/nodes.csv": nodes, "network/edges.csv": edges,
                                     "sites.csv": sites})
    for seed in (0, 3):
        rp = plan_routes(sc, net, DAY, everywhere({"C1": "W", "C2": "E"}), seed=seed)
        s5 = [x for x in rp.shortfalls if x.startswith("site S5 ")]
        assert s5 == [f"site S5 (tier 1, grid W): never visited, required every 60 min "
                      f"({UNREACHED})"], rp.shortfalls
        # the runs stop at the first that misses S5 alone (before: all 8 runs were made)
        run, kept, most = rp.attempts
        assert run == kept < most == 8, rp.attempts


def test_a_site_no_street_leads_into_is_kept_when_a_unit_starts_on_it(
        make_scenario: Make) -> None:
    # review: a car whose station stands on a site that only a one-way street leaves (no
    # street leads in) stops there each time it comes back to the station; the site had
    # been ruled out of every draw, and the runs stopped after the first
    edges = LATTICE["network/edges.csv"].strip().split("\n")
    files = {"network/nodes.csv": LATTICE["network/nodes.csv"] + "nx,-30,100\n",
             "network/edges.csv": "\n".join(["u,v,class,oneway"]
                                            + [e + ",0" for e in edges[1:]]
                                            + ["nx,n01,residential,1"]) + "\n",
             "posts.csv": LATTICE["posts.csv"] + "P3,Box,station,nx\n",
             "sites.csv": ("id,name,kind,tier,node\nS5,Shrine,temple,2,nx\n"
                           "S4,Cafe,cafe,3,n02\nS6,Bank,bank,3,n22\n"),
             "lines.csv": None,
             "units.csv": LATTICE["units.csv"] + "C3,special,car,patrol,P3\n"}
    sc, net = load(make_scenario, **files)
    posture = {("C3", s.index): "W" for s in DAY if s.index % 2 == 0}  # back at P3 between
    runs = []
    for seed in range(6):
        rp = plan_routes(sc, net, DAY, posture, seed=seed, choice_window_minutes=100)
        s5 = next(x for x in rp.sites if x.site == "S5")
        assert len(s5.visits) >= 6  # it is visited: no sentence may call it out of reach
        assert not any(UNREACHED in x for x in rp.shortfalls)
        runs.append(rp.attempts[0])
    assert max(runs) > 1, runs  # and a miss there calls for other draws (before: 1 run each)


def test_a_slot_counts_the_stops_it_holds(make_scenario: Make) -> None:
    # review: a stop or a hold begun near a slot's end was counted whole in that slot (the
    # stops of 113 of Baltimore's 672 one-hour routes added up to more than 60 minutes):
    # a slot counts a stop to its own end, and the next slot's route opens with the rest
    sc, net = load(make_scenario)
    crossed = 0
    for seed in range(4):
        posture = {k: g for k, g in everywhere({"C1": "W", "C2": "E", "F1": "W"}).items()
                   if k[1] % 5 != 4}  # runs of four slots, then a slot off the grid
        rp = plan_routes(sc, net, DAY, posture, seed=seed)
        for (u, s), r in rp.routes.items():
            assert sum(r.stops) <= 60.0 + 1e-6, (u, s, r.stops)
            last = r.legs[-1]
            nxt = rp.routes.get((u, s + 1))
            # (a leg still driving at the slot's end is the slot's: only its stop runs on)
            if last.end > max(r.until, last.minutes[-1]) + 1e-6 and nxt is not None:
                crossed += 1
                first = nxt.legs[0]
                assert first.kind == "hold" and first.nodes[0] == last.nodes[-1]
                assert first.minutes[0] == pytest.approx(max(r.until, last.minutes[-1]))
                assert first.end == pytest.approx(min(last.end, nxt.until))
                # its first stop holds the rest (and what the unit does there next)
                assert nxt.stops[0] >= first.end - first.minutes[0] - 1e-6
    assert crossed > 5, crossed


def _kept(keep: dict[tuple[str, int], UnitSlotRoute]
          ) -> tuple[dict[tuple[str, int], str], list[tuple[str, float, str]]]:
    """What a re-plan hands plan_routes of the routes it keeps: where each ends, their visits."""
    ends = {k: r.nodes[-1] for k, r in keep.items()}
    visits = [(leg.item, leg.visit, k[0]) for k, r in keep.items() for leg in r.legs
              if leg.item is not None and leg.visit is not None]
    return ends, visits


def test_kept_routes_are_not_drawn_and_their_visits_count(make_scenario: Make) -> None:
    # a re-plan keeps the plan in force's routes where nothing changed: plan_routes draws
    # only the others, from where a kept route ends, and takes the kept visits as made
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    whole = plan_routes(sc, net, DAY, posture, seed=3)
    keep = {k: r for k, r in whole.routes.items() if k[0] == "C1" and k[1] < 12}
    ends, visits = _kept(keep)
    assert visits and all(leg.item for r in keep.values() for leg in r.legs
                          if leg.kind in ("site", "line"))
    part = plan_routes(sc, net, DAY, posture, seed=5, kept_routes=ends, kept_visits=visits)
    assert not set(keep) & set(part.routes)  # not drawn again
    assert set(part.routes) == set(posture) - set(keep)
    # the kept visits are in the reports: W's key sites are met over the whole day, with
    # at least the kept morning's visits
    for site in part.sites:
        if site.grid == "W":
            kept_here = [v for it, v, _ in visits if it == f"site:{site.site}" and v >= 0]
            assert site.met and len(site.visits) >= len(kept_here) > 0, site
    # C1's first drawn slot starts where its kept route ended
    first = part.routes[("C1", 12)]
    assert first.legs[0].nodes[0] == ends[("C1", 11)]
    # without the kept visits the morning is empty: the reports say the sites were missed
    bare = plan_routes(sc, net, DAY, posture, seed=5, kept_routes=ends)
    assert any(not s.met for s in bare.sites if s.grid == "W")
    with pytest.raises(ValueError, match="kept_routes: unit 'C9' in slot 0 is not in the"):
        plan_routes(sc, net, DAY, posture, seed=5, kept_routes={("C9", 0): "n00"})
    with pytest.raises(ValueError, match="kept_routes: the route of unit 'C1' in slot 0 ends"):
        plan_routes(sc, net, DAY, posture, seed=5, kept_routes={("C1", 0): "zz"})
    with pytest.raises(ValueError, match="kept_visits: \\('site:S9'"):
        plan_routes(sc, net, DAY, posture, seed=5, kept_visits=[("site:S9", 1.0, "C1")])


def test_a_drawn_stretch_between_kept_routes_ends_where_the_next_begins(
        make_scenario: Make) -> None:
    # a re-plan keeps C1's routes but for 10:00-12:00 (its grid busy then): the drawn hours
    # end where the kept 12:00 route begins (before, the unit stood wherever its draw left
    # it, and the kept route began elsewhere: seeds 1 and 2 of this draw)
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    whole = plan_routes(sc, net, DAY, posture, seed=0)
    keep = {k: r for k, r in whole.routes.items() if k[0] == "C1" and k[1] not in (10, 11)}
    ends, visits = _kept(keep)
    begin = keep[("C1", 12)].legs[0].nodes[0]
    for seed in range(6):
        part = plan_routes(sc, net, DAY, posture, seed=seed, kept_routes=ends,
                           kept_visits=visits, kept_starts={("C1", 12): begin})
        last = part.routes[("C1", 11)].legs[-1]
        assert last.nodes[-1] == begin, seed
        assert last.minutes[-1] <= 12 * 60 + 1e-6
        assert all(s.met for s in part.sites if s.grid == "W"), (seed, part.shortfalls)
    with pytest.raises(ValueError, match="kept_starts: unit 'C1' in slot 10 has no kept"):
        plan_routes(sc, net, DAY, posture, seed=5, kept_routes=ends,
                    kept_starts={("C1", 10): begin})
    with pytest.raises(ValueError, match="kept_starts: the route of unit 'C1' in slot 12 "):
        plan_routes(sc, net, DAY, posture, seed=5, kept_routes=ends,
                    kept_starts={("C1", 12): "zz"})


def test_every_visit_the_reports_count_is_made_by_a_route() -> None:
    # the draw runs over a warm-up copy of the day first; a leg begun there and still under
    # way at 00:00 was dropped from the routes, but the visit it made after 00:00 was counted:
    # on 16 county plans, 8 intervals reported met were missed by the routes (S07, tier 1,
    # 198 min reported as 116). Its rest now opens the first slot's route.
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    day = make_slots(date(2026, 11, 28), days=1, slot_minutes=60)
    posture = {(u, k): "G4" for u, ks in G4_0715.items() for k in ks}
    posture.update({("TX-M5", k): "G2" for k in range(24)})
    seen_rest = 0
    for seed in range(6):
        rp = plan_routes(sc, net, day, posture, seed=seed, attempts=1)
        made: dict[str, list[float]] = {}
        for r in rp.routes.values():
            for leg in r.legs:
                assert leg.minutes[0] >= 0
                if leg.item is not None and leg.visit is not None and leg.visit >= 0:
                    made.setdefault(leg.item, []).append(leg.visit)
        for s in rp.sites:
            assert sorted(s.visits) == sorted(round(v, 3) for v in made.get(f"site:{s.site}",
                                                                            [])), s.site
        for r in rp.routes.values():
            seen_rest += r.slot == 0 and r.legs[0].minutes[0] == 0 and r.legs[0].kind != "hold"
    assert seen_rest >= 1


def test_a_drawn_run_after_a_kept_stop_starts_when_that_stop_ends(make_scenario: Make) -> None:
    # review R1: a re-plan's drawn hour visited a site at minute 601 while the kept hour
    # before it stopped at another site until 610: the drawn run now opens with the rest
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    whole = plan_routes(sc, net, DAY, posture, seed=0)
    keep = {k: r for k, r in whole.routes.items() if k[0] == "C1" and k[1] < 12}
    ends, visits = _kept(keep)
    busy_to = 12 * 60 + 9.5  # the kept hour's last stop runs 9.5 min into the next
    part = plan_routes(sc, net, DAY, posture, seed=1, kept_routes=ends, kept_visits=visits,
                       kept_until={("C1", 11): busy_to})
    first = part.routes[("C1", 12)].legs
    assert first[0].kind == "hold" and first[0].minutes == (12 * 60, busy_to)
    assert first[0].nodes[0] == ends[("C1", 11)]
    assert all(leg.minutes[0] >= busy_to - 1e-9 for leg in first[1:])
    assert all(leg.visit is None or leg.visit >= busy_to for leg in first)


def test_a_drawn_stretch_before_kept_routes_that_skip_a_site_visits_it_in_time(
        make_scenario: Make) -> None:
    # a re-plan takes C1 out of grid W for one hour: the visit of S4 (every 240 min) its
    # route made that hour is no one's, and the kept routes after it visit S4 only one
    # interval later. The drawn hour before it is the last chance: it visits S4 there
    # (a review: the county's re-plan at 08:00 with TX-M1 out of service left S13 at
    # 293 min of 240 for want of this, and fell back to drawing every later route again)
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    met = visited = cases = 0
    for seed in range(4):
        whole = plan_routes(sc, net, DAY, posture, seed=seed)
        s4 = sorted((leg.visit, k[1]) for k, r in whole.routes.items() for leg in r.legs
                    if leg.item == "site:S4" and leg.visit is not None and leg.visit >= 0)
        for v, j in s4:
            after = [w for w, _ in s4 if w > v]
            # a visit in the drawn hour j - 1 can meet the interval on both sides
            if not 3 <= j <= 20 or not after or after[0] - 240.0 > j * 60.0 - 15.0:
                continue
            moved = {**posture, ("C1", j): "E"}
            keep = {k: r for k, r in whole.routes.items()
                    if k not in (("C1", j - 1), ("C1", j), ("C2", j))}
            ends, visits = _kept(keep)
            part = plan_routes(sc, net, DAY, moved, seed=seed, kept_routes=ends,
                               kept_visits=visits)
            (site,) = [s for s in part.sites if s.site == "S4"]
            cases += 1
            met += site.met
            visited += any(leg.item == "site:S4" for leg in part.routes[("C1", j - 1)].legs)
    # every drawn hour visits it, late enough for the kept visit after it (visiting as soon
    # as it fell due met 2 of the 4; without the last chance 1 of 4 was visited at all)
    assert cases >= 4
    assert visited == cases, (visited, cases)
    assert met == cases, (met, cases)


def test_a_drawn_stretch_visits_what_falls_due_across_midnight_when_kept_routes_end_the_day(
        make_scenario: Make) -> None:
    # review H9: S29, due past midnight, was left by the drawn 20:00 hour to the kept
    # 22:00-23:00 routes, which skip it (688 min of 480): a deadline at the day's end (the
    # next day's first visit) is a last chance too
    sc, net = load(make_scenario)
    posture = everywhere({"C1": "W", "C2": "E"})
    met = cases = 0
    for seed in range(6):
        whole = plan_routes(sc, net, DAY, posture, seed=seed)
        s4 = sorted(leg.visit for r in whole.routes.values() for leg in r.legs
                    if leg.item == "site:S4" and leg.visit is not None and leg.visit >= 0)
        j = int(s4[-1] // 60)  # the hour of the day's last visit of S4
        # C1's hours from j on go to E, its hour before is drawn: a visit there can meet
        # both the interval from the visit before and the one across midnight to the day's
        # first visit when the one ends no earlier than the other begins
        before = s4[-2] if len(s4) > 1 else s4[0]
        if j < 3 or before + 240.0 < 1440.0 - 240.0 + s4[0]:
            continue
        moved = {**posture, **{("C1", k): "E" for k in range(j, 24)}}
        keep = {k: r for k, r in whole.routes.items()
                if not (k[0] == "C1" and k[1] >= j - 1) and not (k[0] == "C2" and k[1] >= j)}
        ends, visits = _kept(keep)
        part = plan_routes(sc, net, DAY, moved, seed=seed, kept_routes=ends, kept_visits=visits)
        (site,) = [s for s in part.sites if s.site == "S4"]
        cases += 1
        met += site.met
    assert cases >= 2
    assert met == cases, (met, cases)
