"""Exit blockade after review BA: police units only, ring exits that lead to a map end or the
outside's main part (not into a pocket), exits the offender cannot reach dropped, places far
off the map refused, a ring with no exit that says so, no units said as such, the offender's
factor checked."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from tests.planning.test_blockade_offender import (
    EDGES,
    MINI_POSTS,
    MINI_TOML,
    NODES,
    TOML,
    _ring,
)
from xunfang import network, scenario
from xunfang.network import RoadNetwork
from xunfang.planning import blockade
from xunfang.planning.blockade import BlockadeError, map_ends, ring_exits, seal_exits
from xunfang.planning.routes import POLICE_TIERS
from xunfang.scenario.loader import load

Make = Callable[..., Path]


@pytest.fixture(scope="module")
def ebian() -> tuple[scenario.Scenario, RoadNetwork]:
    sc = load("ebian")
    return sc, RoadNetwork.from_scenario(sc)


# --- 1: only police seal --------------------------------------------------------------------


def test_auxiliary_units_do_not_seal(make_scenario: Make) -> None:
    units = ("id,tier,mode,squad,home_post\nc1,special,car,s,p1\n"
             "v1,auxiliary,foot,v,k1\nf1,precinct,foot,s,k1\n")
    sc = scenario.load(make_scenario({"scenario.toml": MINI_TOML, "posts.csv": MINI_POSTS,
                                      "units.csv": units}))
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net)
    assert {s.unit for s in b.assignment} <= {"c1", "f1"} and b.units == 2
    assert any("v1 left out" in n and "police" in n for n in b.notes)
    # the kiosk alone: its police walker goes, the volunteer does not
    b = seal_exits(sc, net, kinds=("kiosk",))
    assert [s.unit for s in b.assignment] == ["f1"] and b.units == 1


def test_ebian_seals_from_police_only(ebian: tuple[scenario.Scenario, RoadNetwork]) -> None:
    sc, net = ebian
    tier = {u.id: u.tier for u in sc.units}
    b = seal_exits(sc, net, at="n010", ring_minutes=5)
    assert b.assignment and all(tier[s.unit] in POLICE_TIERS for s in b.assignment
                                if s.unit is not None)
    police = [u for u in sc.units if u.tier in POLICE_TIERS and u.mode != "drone"]
    assert b.units == len(police)


# --- 2: a ring's exits lead to a map end or the outside's main part -------------------------


def test_a_pocket_outside_the_ring_is_no_exit(make_scenario: Make) -> None:
    # q1 (-500,500) hangs off w and q2 (-500,1000) off n: both outside 1.2 min (q1 1000 m
    # by w, q2 500 + 707 m by n), joined to each other and otherwise only to the inside
    nodes = NODES + "q1,-500,500\nq2,-500,1000\n"
    edges = EDGES + "w,q1,30\nq1,q2,30\nq2,n,30\n"
    sc = scenario.load(make_scenario({"scenario.toml": TOML, "network/nodes.csv": nodes,
                                      "network/edges.csv": edges,
                                      "posts.csv": "id,name,kind,node\nP,Centre,station,c\n"}))
    net = network.RoadNetwork.from_scenario(sc)
    got = {net.node_ids[i] for i in ring_exits(net, net.node_ids.index("c"),
                                               ring_minutes=1.2)}
    assert "q1" not in got and "q2" not in got
    assert got == {"w2", "e2", "n2", "m"}


def _exits_by_networkx(net: RoadNetwork, at: int, ring: float) -> set[int]:
    """The rule by networkx, independently: outer ends of roads out of the ring whose outside
    component (by car) holds a map end or is the one largest; and the map ends inside."""
    t = network.travel_times(net, np.array([at]), mode="car")[0]
    inside = t <= ring
    fwd, bwd = network.edge_minutes(net, mode="car")
    ends = map_ends(net)
    g = nx.Graph()
    g.add_nodes_from(np.flatnonzero(~inside).tolist())
    outer = set()
    for u, v, f, b in zip(net.roads.u.tolist(), net.roads.v.tolist(), fwd, bwd, strict=True):
        if not (np.isfinite(f) or np.isfinite(b)) or u == v:
            continue
        if not inside[u] and not inside[v]:
            g.add_edge(u, v)
        if inside[u] and not inside[v] and np.isfinite(f):
            outer.add(v)
        if inside[v] and not inside[u] and np.isfinite(b):
            outer.add(u)
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    main = comps[0] if len(comps[0]) > 1 and (len(comps) == 1
                                              or len(comps[1]) < len(comps[0])) else set()
    good = {n for c in comps if c is main or any(ends[k] for k in c) for n in c}
    return {n for n in outer if n in good} | set(np.flatnonzero(ends & inside).tolist())


def test_ebian_ring_exits_never_lead_into_a_pocket(
        ebian: tuple[scenario.Scenario, RoadNetwork]) -> None:
    _, net = ebian
    at = net.node_ids.index("n100")
    got = set(ring_exits(net, at, ring_minutes=3).tolist())
    ids = {net.node_ids[i] for i in got}
    # review BA: n031 and n032 lie outside, joined to each other and otherwise only inside
    assert not ids & {"n031", "n032", "n246", "n247", "n079"}
    for centre, ring in (("n100", 3.0), ("n010", 5.0), ("n200", 2.0)):
        i = net.node_ids.index(centre)
        assert set(ring_exits(net, i, ring_minutes=ring).tolist()) == _exits_by_networkx(
            net, i, ring), (centre, ring)


# --- 4: exits the offender cannot reach -----------------------------------------------------


def test_footway_exits_of_a_foot_ring_are_dropped(make_scenario: Make) -> None:
    # the star with c - n - n2 - n3 a footway: the fleeing car cannot leave that way; at
    # 6 min on foot (600 m) the ring holds c, w, e, n and m, a map end the car reaches too
    edges = "u,v,speed_kph,class\n" + "".join(
        f"{line},{'footway' if line.startswith(('c,n,', 'n,n2,', 'n2,n3,')) else 'residential'}\n"
        for line in EDGES.strip().split("\n")[1:])
    sc = scenario.load(make_scenario({
        "scenario.toml": TOML, "network/nodes.csv": NODES, "network/edges.csv": edges,
        "posts.csv": "id,name,kind,node\nK,Kiosk,kiosk,n\n",
        "units.csv": "id,tier,mode,squad,home_post\nF1,precinct,foot,s,K\n"}))
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net, at="c", ring_minutes=6, mode="foot", offender_speed_factor=0.1)
    assert {e.id for e in b.exits} == {"w2", "e2", "m"}  # n2 (a footway) dropped
    assert all(np.isfinite(e.offender_minutes or np.inf) for e in b.exits)
    assert [s.exit for s in b.assignment] and b.assignment[0].exit != "n2"
    assert any("cannot reach" in n and n.endswith("n2") for n in b.notes)


# --- 5: a place far off the map -------------------------------------------------------------


def test_xy_far_from_every_road_is_refused(make_scenario: Make) -> None:
    sc = _ring(make_scenario, "id,name,kind,node\nP,Centre,station,c\n")
    net = network.RoadNetwork.from_scenario(sc)
    with pytest.raises(BlockadeError, match=r"^at: "):
        blockade.locate_at(sc, net, "99999,99999", "car", option="at")
    near = f"{1500 + blockade.AT_MARGIN_M - 10:g},0"  # e3 is at (1500, 0)
    assert blockade.locate_at(sc, net, near, "car")[0] == "e3"
    far = f"{1500 + blockade.AT_MARGIN_M + 10:g},0"
    with pytest.raises(BlockadeError, match=r"--at: x,y .* from the nearest road node"):
        blockade.locate_at(sc, net, far, "car")


# --- 6: a ring no road leaves ---------------------------------------------------------------


def test_a_ring_no_road_leaves_says_so(make_scenario: Make) -> None:
    # a triangle of roads round c: a and b inside 1.2 min, p outside, joined only to a and b
    sc = scenario.load(make_scenario({
        "scenario.toml": TOML,
        "network/nodes.csv": "id,x,y\nc,0,0\na,-500,0\nb,500,0\np,0,800\n",
        "network/edges.csv": "u,v,speed_kph\nc,a,30\nc,b,30\na,p,30\nb,p,30\n",
        "posts.csv": "id,name,kind,node\nP,Centre,station,c\n",
        "units.csv": "id,tier,mode,squad,home_post\nc1,special,car,s,P\n"}))
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net, at="c", ring_minutes=1.2)
    assert not b.exits and not b.covers_network
    assert b.max_minutes is None and b.as_json()["max_minutes"] is None
    assert any("no road leaves the 1.2-minute ring" in n and n.endswith(": p")
               for n in b.notes)


# --- 7: no ground unit ----------------------------------------------------------------------


def test_only_drones_say_no_unit_to_send(make_scenario: Make) -> None:
    sc = _ring(make_scenario, "id,name,kind,node\nP,Centre,station,c\nX,Gate,exit,e3\n",
               "id,tier,mode,squad,home_post\nD1,special,drone,s,P\n")
    net = network.RoadNetwork.from_scenario(sc)
    for b in (seal_exits(sc, net), seal_exits(sc, net, at="c", ring_minutes=1.2)):
        assert b.units == 0 and b.exits
        assert {e.open_reason for e in b.exits} == {"no_units"}
    assert set(b.cannot_seal_in_time or ()) == {e.id for e in b.exits}


# --- 8: the offender's factor ---------------------------------------------------------------


def test_offender_factor_needs_a_ring_and_a_sane_value(make_scenario: Make) -> None:
    sc = _ring(make_scenario, "id,name,kind,node\nP,Centre,station,c\nX,Gate,exit,e3\n",
               "id,tier,mode,squad,home_post\nc1,special,car,s,P\n")
    net = network.RoadNetwork.from_scenario(sc)
    with pytest.raises(BlockadeError, match="--offender-speed-factor needs --at"):
        seal_exits(sc, net, offender_speed_factor=2.0)
    assert seal_exits(sc, net).assignment  # the default is no offender factor at all
    lo, hi = blockade.OFFENDER_FACTOR_RANGE
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow leaks out
        for bad in (1e-320, lo / 2, hi * 2):
            with pytest.raises(BlockadeError, match="--offender-speed-factor must be"):
                seal_exits(sc, net, at="c", ring_minutes=1.2, offender_speed_factor=bad)
        assert seal_exits(sc, net, at="c", ring_minutes=1.2, offender_speed_factor=lo).exits
