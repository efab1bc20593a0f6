"""Exit blockade after review AV: seals timed against the offender, ring exits that lead
somewhere (and the map's road ends), units instead of posts, one exit per node, exits far
from every road."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from xunfang import network, scenario
from xunfang.planning.blockade import BlockadeError, assign, ring_exits, seal_exits

Make = Callable[..., Path]
INF = float("inf")

#: every road 30 km/h (500 m a minute by car), walking 6 km/h (100 m a minute)
TOML = 'name = "ring"\ncrs = "local"\n[policy.speeds_kph]\nfoot = 6\ncar = 30\n'

# A star around the incident c (0,0). Within 1.2 min (600 m): c, w, e, n, m.
#   w2 (-1000,0) - w (-500,0) - c - e (500,0) - e2 (1000,0) - e3 (1500,0)
#   c - n (0,500) - n2 (0,1000) - n3 (0,1500);  c - m (-300,-400), a road end on the map's edge
#   k (500,-500) joins e and c only: outside the ring, but every road from it leads back in
NODES = ("id,x,y\nc,0,0\nw,-500,0\nw2,-1000,0\ne,500,0\ne2,1000,0\ne3,1500,0\nn,0,500\n"
         "n2,0,1000\nn3,0,1500\nm,-300,-400\nk,500,-500\n")
EDGES = ("u,v,speed_kph\nc,w,30\nw,w2,30\nc,e,30\ne,e2,30\ne2,e3,30\nc,n,30\nn,n2,30\n"
         "n2,n3,30\nc,m,30\nk,e,30\nk,c,30\n")


def _ring(make: Make, posts: str, units: str | None = None) -> scenario.Scenario:
    files: dict[str, str | None] = {"scenario.toml": TOML, "network/nodes.csv": NODES,
                                    "network/edges.csv": EDGES, "posts.csv": posts}
    if units is not None:
        files["units.csv"] = units
    return scenario.load(make(files))


# --- the objective: seals in time first ----------------------------------------------------


def test_in_time_seals_beat_a_smaller_bottleneck() -> None:
    # exits X (offender at 2 min), Y (offender at 10); units A, B.
    # A→X 1.9, B→Y 9: both before the offender, last seal at 9.
    # A→Y 1.0, B→X 2.5: last seal at 2.5, but X is sealed after the offender has passed.
    m = np.array([[1.9, 2.5], [1.0, 9.0]])
    b = assign(m, exit_ids=("X", "Y"), post_ids=("A", "B"), offender=np.array([2.0, 10.0]))
    assert {(s.exit, s.post, s.in_time) for s in b.assignment} == {
        ("X", "A", True), ("Y", "B", True)}
    assert b.max_minutes == 9.0
    # without an offender the bottleneck decides, as before, and no seal says in time or not
    b = assign(m, exit_ids=("X", "Y"), post_ids=("A", "B"))
    assert b.max_minutes == 2.5 and {s.in_time for s in b.assignment} == {None}


def test_a_late_seal_still_counts_after_the_in_time_ones() -> None:
    # one unit could only be late at X; sealing X late beats leaving it open
    m = np.array([[5.0], [INF]])
    b = assign(m, exit_ids=("X", "Y"), post_ids=("A",), offender=np.array([1.0, 1.0]))
    assert [(s.exit, s.in_time) for s in b.assignment] == [("X", False)]
    assert b.unsealed == ("Y",)


def _brute(m: np.ndarray, off: np.ndarray) -> tuple[int, int, float, float]:
    """(in time, sealed, bottleneck, total) of the lexicographic optimum, by trying all."""
    n_e, n_p = m.shape
    best: tuple[float, ...] | None = None
    for k in range(1, min(n_e, n_p) + 1):
        for exits in itertools.combinations(range(n_e), k):
            for posts in itertools.permutations(range(n_p), k):
                times = [m[e, p] for e, p in zip(exits, posts, strict=True)]
                if not all(np.isfinite(times)):
                    continue
                early = sum(m[e, p] < off[e] for e, p in zip(exits, posts, strict=True))
                key = (-early, -k, max(times), sum(times))
                if best is None or key < best:
                    best = key
    if best is None:
        return (0, 0, 0.0, 0.0)
    return (int(-best[0]), int(-best[1]), float(best[2]), float(best[3]))


cells = st.one_of(st.integers(0, 9).map(float), st.just(INF))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_matches_brute_force_with_an_offender(n_exits: int, n_posts: int,
                                               data: st.DataObject) -> None:
    m = data.draw(arrays(np.float64, (n_exits, n_posts), elements=cells))
    off = data.draw(arrays(np.float64, (n_exits,), elements=st.integers(0, 9).map(float)))
    b = assign(m, exit_ids=tuple(f"x{i}" for i in range(n_exits)),
               post_ids=tuple(f"p{j}" for j in range(n_posts)), offender=off)
    early, k, bottleneck, total = _brute(m, off)
    assert sum(1 for s in b.assignment if s.in_time) == early
    assert len(b.assignment) == k and len({s.post for s in b.assignment}) == k
    if k:
        assert b.max_minutes == bottleneck and b.total_minutes == pytest.approx(total)


# --- the ring's exits ----------------------------------------------------------------------


def test_ring_exits_lead_on_and_map_ends_count(make_scenario: Make) -> None:
    sc = _ring(make_scenario, "id,name,kind,node\nP,Station,station,c\n")
    net = network.RoadNetwork.from_scenario(sc)
    c = int(network.index_of(net, ["c"])[0])
    exits = sorted(net.node_ids[i] for i in ring_exits(net, c, ring_minutes=1.2))
    # e2 and n2 lead on; w2 is a road end on the map's edge; m is one inside the ring;
    # k only leads back into the ring: no exit
    assert exits == ["e2", "m", "n2", "w2"]


def test_seals_carry_the_offender_time(make_scenario: Make) -> None:
    sc = _ring(make_scenario,
               "id,name,kind,node\nP,Centre,station,c\nQ,North,station,n3\n",
               "id,tier,mode,squad,home_post\ncar1,special,car,s,P\ncar2,special,car,s,Q\n")
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net, at="c", ring_minutes=1.2)
    off = {e.id: e.offender_minutes for e in b.exits}
    # the offender drives 500 m a minute from c: m 500 m, the others 1000 m
    assert off == pytest.approx({"e2": 2.0, "m": 1.0, "n2": 2.0, "w2": 2.0})
    seals = {s.exit: (s.unit, s.in_time) for s in b.assignment}
    # car2 at n3 reaches n2 in 1 min, before the offender; car1 leaves c with the offender
    # and arrives with it, not before: late, at the nearest exit
    assert seals == {"n2": ("car2", True), "m": ("car1", False)}
    assert b.in_time == 1 and b.late == ("m",)
    reasons = {e.id: e.open_reason for e in b.exits}
    assert reasons == {"n2": None, "m": "too_late", "e2": "too_late", "w2": "too_late"}
    assert set(b.cannot_seal_in_time or ()) == {"m", "e2", "w2"}
    # a slower offender (half car speed) gives car1 time to reach m first
    b = seal_exits(sc, net, at="c", ring_minutes=1.2, offender_speed_factor=0.5)
    assert b.in_time == 2
    with pytest.raises(BlockadeError, match="--offender-speed-factor must be a positive"):
        seal_exits(sc, net, at="c", ring_minutes=1.2, offender_speed_factor=0.0)


def test_a_ring_over_the_whole_network_says_so(make_scenario: Make) -> None:
    sc = _ring(make_scenario, "id,name,kind,node\nP,Centre,station,c\n")
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net, at="c", ring_minutes=100)
    # the only exits are the roads leaving the map: w2, e3, n3 and m
    assert {e.id for e in b.exits} == {"w2", "e3", "n3", "m"} and b.covers_network
    assert "holds every node car can reach" in b.notes[-1]
    # a closed loop: no road leaves, no exit
    loop = scenario.load(make_scenario({
        "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\n",
        "network/edges.csv": "u,v\na,b\nb,c\nc,d\nd,a\n",
        "posts.csv": "id,name,kind,node\np1,Station,station,a\n"}, name="loop"))
    b = seal_exits(loop, network.RoadNetwork.from_scenario(loop), at="a", ring_minutes=100)
    assert b.exits == () and b.covers_network and "there is no exit to seal" in b.notes[-1]


def test_a_centre_cars_cannot_use_is_refused(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nf,400,-300\n",
        "network/edges.csv": "u,v,class\na,b,residential\nb,f,footway\n",
        "posts.csv": "id,name,kind,node\np1,Station,station,a\n"}))
    net = network.RoadNetwork.from_scenario(sc)
    with pytest.raises(BlockadeError, match="--at: node 'f' lies on no road car may use"):
        seal_exits(sc, net, at="f", ring_minutes=1)


# --- who goes: units, each at its own speed ------------------------------------------------

MINI_UNITS = ("id,tier,mode,squad,home_post\nc1,special,car,s,p1\nc2,special,car,s,p1\n"
              "f1,precinct,foot,v,k1\nd1,special,drone,s,p1\n")
MINI_POSTS = ("id,name,kind,node\np1,Station,station,a\nk1,Kiosk,kiosk,c\n"
              "x1,East gate,exit,e\nx2,North gate,exit,d\n")
MINI_TOML = 'name = "mini"\ncrs = "local"\n[policy.speeds_kph]\nfoot = 6\ncar = 30\n'


def test_units_seal_not_posts(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"scenario.toml": MINI_TOML, "posts.csv": MINI_POSTS,
                                      "units.csv": MINI_UNITS}))
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net)
    # the station's two cars seal both exits (a→d 300 m, a→e 800 m); the kiosk's walkers
    # would take 4 and 7 min; the drone seals nothing
    assert {(s.exit, s.unit) for s in b.assignment} in (
        {("x1", "c1"), ("x2", "c2")}, {("x1", "c2"), ("x2", "c1")})
    assert b.max_minutes == pytest.approx(1.6)
    assert any("drones cannot seal an exit: d1" in n for n in b.notes)
    # only the kiosk: its foot patrol walks (c→d 400 m at 100 m a minute), one exit
    b = seal_exits(sc, net, kinds=("kiosk",))
    assert [(s.exit, s.unit, s.mode) for s in b.assignment] == [("x2", "f1", "foot")]
    assert b.assignment[0].minutes == pytest.approx(4.0) and b.unsealed == ("x1",)


def test_night_checkpoints_send_only_at_night(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "scenario.toml": MINI_TOML,
        "posts.csv": "id,name,kind,night_only,node\nn1,Night check,checkpoint,1,a\n"
                     "x1,East gate,exit,0,e\n",
        "units.csv": "id,tier,mode,squad,home_post\nc1,special,car,s,n1\n"}))
    net = network.RoadNetwork.from_scenario(sc)
    with pytest.raises(BlockadeError, match="--from: no posts of kinds checkpoint"):
        seal_exits(sc, net, kinds=("checkpoint",))  # no --hour: nobody is known there
    with pytest.raises(BlockadeError, match="--from: no posts"):
        seal_exits(sc, net, kinds=("checkpoint",), hour=12)
    assert len(seal_exits(sc, net, kinds=("checkpoint",), hour=23).assignment) == 1


def test_exit_posts_at_one_node_are_one_exit(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "scenario.toml": MINI_TOML,
        "posts.csv": MINI_POSTS + "x3,East gate too,exit,e\n",
        "units.csv": "id,tier,mode,squad,home_post\nc1,special,car,s,p1\nc2,special,car,s,p1\n"}))
    b = seal_exits(sc, network.RoadNetwork.from_scenario(sc))
    assert [(e.id, e.posts) for e in b.exits] == [("x1", ("x1", "x3")), ("x2", ("x2",))]
    assert b.unsealed == () and len(b.assignment) == 2
    assert any("x1, x3 stand at one node e" in n for n in b.notes)


def test_an_exit_far_from_every_road_is_not_sealed(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "posts.csv": "id,name,kind,x,y\np1,Station,station,0,0\nx1,East,exit,800,0\n"
                     "x9,Nowhere,exit,3000,0\n"}))  # 2.2 km off the roads
    b = seal_exits(sc, network.RoadNetwork.from_scenario(sc))
    assert [s.exit for s in b.assignment] == ["x1"] and b.unsealed == ("x9",)
    far = next(e for e in b.exits if e.id == "x9")
    assert far.open_reason == "off_road" and far.off_road_m == pytest.approx(
        float(3000 - 800), abs=1)
    assert any(n.startswith("exit x9 lies 2.2 km from its nearest road node e") for n in b.notes)
