"""The travel-time engine on hand-solved small networks: every expected minute worked out below.

The network used by most tests (metres; one-way edges marked →)::

    e (0,600)                    d (1500,500)
    |  4: footway 600 m           |  \\
    |  5: steps 150 m             |2  \\ 3: residential 1000 m, speed_kph 20
    |                             |     \\
    a (0,0) ==0,6== b (1000,0) -1→ c (1500,0) -7→ f (2500,0)

    0: a–b primary 1000 m (class speed 60)      6: a–b primary 1000 m, speed_kph 30 (parallel)
    1: b→c residential 500 m, one-way (30)       2: c–d class "alley" 250 m (unknown: default 15)
    7: c→f residential 1000 m, one-way (30)

Policy: car 60, motorcycle 30, balance 12, foot 6, drone 60 km/h; footway and steps closed to
cars and motorcycles, steps closed to balance vehicles; one-way for car and motorcycle; at 08:00
cars go at half speed; at 17:00 cars and walkers go at half speed on primary roads.

Car minutes (1000 m at 60 km/h = 1 min): a–b 1 (edge 6 is 2: the faster parallel counts, not
their sum), b→c 1, c–d 1, d–b 3, c→f 2. From a: b 1, c 2, d 3, f 4, e unreachable.
From c: d 1, b 4 (via d: c→b is against the one-way), a 5, f 2.
Foot (6 km/h, steps 3 km/h): c–b 5 (one-way does not bind walkers), c–d 2.5, d–b 10, a–b 10,
a–e 3 (steps, faster than the 6-minute footway), c→f 10.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from xunfang import network as xn
from xunfang.scenario.model import CRS, PeakFactor, Policy, Roads, Scenario

INF = math.inf
A, B, C, D, E, F = range(6)


def make_roads(
    nodes: dict[str, tuple[float, float]],
    edges: list[tuple[str, str, float, float, bool, str]],
) -> Roads:
    """Roads from {id: (x, y)} and (u, v, length_m, speed_kph or nan, oneway, class) rows."""
    ids = tuple(nodes)
    pos = {k: i for i, k in enumerate(ids)}
    return Roads(
        node_ids=ids,
        xy=np.array([nodes[k] for k in ids], dtype=float).reshape(-1, 2),
        u=np.array([pos[e[0]] for e in edges], dtype=np.int64),
        v=np.array([pos[e[1]] for e in edges], dtype=np.int64),
        length_m=np.array([e[2] for e in edges], dtype=float),
        speed_kph=np.array([e[3] for e in edges], dtype=float),
        oneway=np.array([e[4] for e in edges], dtype=bool),
        road_class=tuple(e[5] for e in edges),
        name=tuple("" for _ in edges),
    )


NAN = float("nan")
NODES = {
    "a": (0.0, 0.0),
    "b": (1000.0, 0.0),
    "c": (1500.0, 0.0),
    "d": (1500.0, 500.0),
    "e": (0.0, 600.0),
    "f": (2500.0, 0.0),
}
EDGES = [
    ("a", "b", 1000.0, NAN, False, "primary"),  # 0
    ("b", "c", 500.0, NAN, True, "residential"),  # 1
    ("c", "d", 250.0, NAN, False, "alley"),  # 2
    ("d", "b", 1000.0, 20.0, False, "residential"),  # 3
    ("a", "e", 600.0, NAN, False, "footway"),  # 4
    ("a", "e", 150.0, NAN, False, "steps"),  # 5
    ("a", "b", 1000.0, 30.0, False, "primary"),  # 6
    ("c", "f", 1000.0, NAN, True, "residential"),  # 7
]


def make_policy(**changes: object) -> Policy:
    base = Policy(
        speeds_kph={"car": 60.0, "motorcycle": 30.0, "balance": 12.0, "foot": 6.0, "drone": 60.0},
        class_speeds_kph={"primary": 60.0, "residential": 30.0, "footway": 6.0, "steps": 3.0},
        default_speed_kph=15.0,
        excluded_classes={
            "car": ("footway", "steps"),
            "motorcycle": ("footway", "steps"),
            "balance": ("steps",),
            "foot": ("motorway",),
        },
        oneway_modes=("car", "motorcycle"),
        drone_launch_minutes=1.0,
        peak_factors=(
            PeakFactor(hours=(8,), factor=0.5, modes=("car",)),
            PeakFactor(hours=(17,), factor=0.5, modes=("car", "foot"), classes=("primary",)),
        ),
        isochrone_minutes=(1.0, 3.0, 5.0),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def net() -> xn.RoadNetwork:
    return xn.RoadNetwork.from_roads(make_roads(NODES, EDGES), policy=make_policy())


def close(actual: object, expected: object) -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=1e-12, atol=1e-12)


# --- speeds, modes and rules ------------------------------------------------------------------


def test_car_minutes_follow_class_default_and_given_speeds(net: xn.RoadNetwork) -> None:
    close(xn.travel_times(net, [A]), [[0, 1, 2, 3, INF, 4]])


def test_one_way_binds_cars_and_a_detour_is_taken(net: xn.RoadNetwork) -> None:
    close(xn.travel_times(net, [C]), [[5, 4, 0, 1, INF, 2]])
    close(xn.travel_times(net, [F]), [[INF, INF, INF, INF, INF, 0]])


def test_walkers_ignore_one_way_use_their_own_speed_and_slow_on_steps(
    net: xn.RoadNetwork,
) -> None:
    close(xn.travel_times(net, [C], mode="foot"), [[15, 5, 0, 2.5, 18, 10]])
    close(xn.travel_times(net, [F], mode="foot"), [[25, 15, 10, 12.5, 28, 0]])


def test_motorcycle_is_capped_at_its_policy_speed(net: xn.RoadNetwork) -> None:
    # a–b: min(60, 30) = 30 km/h → 2 min; b→c 1; c–d min(15, 30) → 1; c→f 2
    close(xn.travel_times(net, [A], mode="motorcycle"), [[0, 2, 3, 4, INF, 5]])


def test_balance_vehicle_may_not_use_steps_but_may_use_footways(net: xn.RoadNetwork) -> None:
    # a–e: footway 600 m at min(6, 12) = 6 km/h → 6 min; a–b at 12 km/h → 5 min
    got = xn.travel_times(net, [A], mode="balance")
    close(got[0, [A, B, E]], [0, 5, 6])


def test_parallel_edges_keep_the_fastest_not_the_sum(net: xn.RoadNetwork) -> None:
    # edge 0 takes 1 min and edge 6 takes 2 min; scipy's csr_matrix would give 3
    close(xn.travel_times(net, [B], [A]), [[1.0]])
    close(xn.edge_minutes(net)[0][[0, 6]], [1.0, 2.0])


def test_a_policy_without_one_way_modes_opens_every_edge_both_ways() -> None:
    net = xn.RoadNetwork.from_roads(make_roads(NODES, EDGES), policy=make_policy(oneway_modes=()))
    close(xn.travel_times(net, [C]), [[2, 1, 0, 1, INF, 2]])


def test_edge_minutes_give_both_directions(net: xn.RoadNetwork) -> None:
    fwd, bwd = xn.edge_minutes(net)
    close(fwd, [1, 1, 1, 3, INF, INF, 2, 2])
    close(bwd, [1, INF, 1, 3, INF, INF, 2, INF])


# --- time of day -----------------------------------------------------------------------------


def test_peak_hour_halves_car_speed_everywhere(net: xn.RoadNetwork) -> None:
    close(xn.travel_times(net, [A], hour=8), [[0, 2, 4, 6, INF, 8]])
    # the factor names cars only
    close(xn.travel_times(net, [A], mode="motorcycle", hour=8), [[0, 2, 3, 4, INF, 5]])


def test_peak_factor_limited_to_classes_and_modes(net: xn.RoadNetwork) -> None:
    # 17:00: primary roads at half speed: a–b edge 0 → 2 min, edge 6 → 4 min; the rest as free
    close(xn.travel_times(net, [A], hour=17), [[0, 2, 3, 4, INF, 5]])
    # walkers on primary at 3 km/h: a–b 20 min; a–e steps unaffected
    close(xn.travel_times(net, [A], mode="foot", hour=17)[0, [B, E]], [20, 3])


def test_free_flow_hours_share_one_graph(net: xn.RoadNetwork) -> None:
    free = xn.travel_times(net, [A])
    for hour in (None, 0, 3, 23):
        close(xn.travel_times(net, [A], hour=hour), free)


# --- drone -----------------------------------------------------------------------------------


def test_drone_flies_straight_after_its_launch(net: xn.RoadNetwork) -> None:
    got = xn.travel_times(net, [A], [A, D, E], mode="drone")
    # 60 km/h = 1000 m per minute, plus 1 minute to launch
    close(got, [[1.0, 1.0 + math.hypot(1500, 500) / 1000, 1.6]])
    # e is unreachable on the ground but not in the air
    assert np.isfinite(xn.travel_times(net, [A], mode="drone")).all()


def test_drone_honours_cutoff_and_drone_peak_factors() -> None:
    windy = make_policy(peak_factors=(PeakFactor(hours=(3,), factor=0.5, modes=("drone",)),))
    net = xn.RoadNetwork.from_roads(make_roads(NODES, EDGES), policy=windy)
    close(xn.travel_times(net, [A], [B], mode="drone", hour=3), [[3.0]])
    close(xn.travel_times(net, [A], [B, F], mode="drone", cutoff_minutes=2.5), [[2.0, INF]])


# --- cut-off and targets ---------------------------------------------------------------------


def test_cutoff_gives_inf_beyond_and_exact_minutes_within(net: xn.RoadNetwork) -> None:
    close(xn.travel_times(net, [A], cutoff_minutes=2.0), [[0, 1, 2, INF, INF, INF]])
    close(xn.travel_times(net, [A], cutoff_minutes=0), [[0, INF, INF, INF, INF, INF]])
    close(xn.travel_times(net, [A], [D, C], cutoff_minutes=2.5), [[INF, 2]])


def test_targets_select_columns_in_order_with_repeats(net: xn.RoadNetwork) -> None:
    got = xn.travel_times(net, [A, C], [F, A, F, E])
    close(got, [[4, 0, 4, INF], [2, 5, 2, INF]])


def test_empty_sources_and_targets(net: xn.RoadNetwork) -> None:
    assert xn.travel_times(net, []).shape == (0, 6)
    assert xn.travel_times(net, [A], []).shape == (1, 0)


def test_node_index_types_are_accepted(net: xn.RoadNetwork) -> None:
    close(xn.travel_times(net, np.array([A], dtype=np.int32), np.uint8(C)), [[2.0]])


# --- nearest facilities ------------------------------------------------------------------------


def test_nearest_facility_by_time_from_facility(net: xn.RoadNetwork) -> None:
    got = xn.nearest(net, [C, A])  # facility 0 at c, facility 1 at a
    assert got.k == 1
    np.testing.assert_array_equal(got.facility[:, 0], [1, 1, 0, 0, -1, 0])
    close(got.minutes[:, 0], [0, 1, 0, 1, INF, 2])


def test_nearest_two_gives_backup_coverage(net: xn.RoadNetwork) -> None:
    got = xn.nearest(net, [C, A], k=2)
    np.testing.assert_array_equal(got.facility, [[1, 0], [1, 0], [0, 1], [0, 1], [-1, -1], [0, 1]])
    close(got.minutes, [[0, 5], [1, 4], [0, 2], [1, 3], [INF, INF], [2, 4]])


def test_nearest_ties_go_to_the_smaller_facility_index(net: xn.RoadNetwork) -> None:
    got = xn.nearest(net, [A, A, B], k=3)
    np.testing.assert_array_equal(got.facility[A], [0, 1, 2])
    close(got.minutes[A], [0, 0, 1])
    np.testing.assert_array_equal(got.facility[B], [2, 0, 1])


def test_nearest_pads_when_fewer_facilities_than_k_and_cuts_off(net: xn.RoadNetwork) -> None:
    got = xn.nearest(net, [A], k=2, cutoff_minutes=2)
    np.testing.assert_array_equal(got.facility[:, 0], [0, 0, 0, -1, -1, -1])
    assert (got.facility[:, 1] == -1).all()
    assert np.isinf(got.minutes[:, 1]).all()
    empty = xn.nearest(net, [], k=2)
    assert empty.facility.shape == (6, 2)
    assert (empty.facility == -1).all()


def test_nearest_by_drone(net: xn.RoadNetwork) -> None:
    got = xn.nearest(net, [F, A], mode="drone", k=2)
    np.testing.assert_array_equal(got.facility[E], [1, 0])
    close(got.minutes[E], [1.6, 1 + math.hypot(2500, 600) / 1000])


def test_nearest_agrees_with_the_matrix_at_peak(net: xn.RoadNetwork) -> None:
    fac = [B, D, E]
    full = xn.travel_times(net, fac, mode="foot", hour=17)
    got = xn.nearest(net, fac, mode="foot", hour=17, k=3)
    close(got.minutes, np.sort(full.T, axis=1))


# --- isochrones ------------------------------------------------------------------------------


def test_isochrone_bands_default_to_the_policy(net: xn.RoadNetwork) -> None:
    # minutes from a: 0, 1, 2, 3, inf, 4 in bands (1, 3, 5)
    np.testing.assert_array_equal(xn.isochrones(net, [A]), [0, 0, 1, 1, -1, 2])


def test_isochrones_use_the_nearest_source_and_given_bands(net: xn.RoadNetwork) -> None:
    # from {a, f}: 0, 1, 2, 3, inf, 0 → bands (0.5, 2.5): 0, 1, 1, -1, -1, 0
    got = xn.isochrones(net, [A, F], bands=[0.5, 2.5])
    np.testing.assert_array_equal(got, [0, 1, 1, -1, -1, 0])
    np.testing.assert_array_equal(xn.isochrones(net, []), [-1] * 6)
    # on foot from a: b 10, c 15, d 17.5, e 3 (steps), f 25
    np.testing.assert_array_equal(
        xn.isochrones(net, [A], mode="foot", bands=[3]), [0, -1, -1, -1, 0, -1]
    )


def test_isochrones_by_drone(net: xn.RoadNetwork) -> None:
    # 1 min launch + distance / 1000 m per min: 1, 2, 2.5, 2.58, 1.6, 3.5
    got = xn.isochrones(net, [A], mode="drone", bands=[1.0, 2.0, 3.0])
    np.testing.assert_array_equal(got, [0, 1, 2, 2, 1, -1])


# --- snapping and points off the nodes -------------------------------------------------------


def test_snap_to_node(net: xn.RoadNetwork) -> None:
    got = xn.snap(net, [[1010.0, 20.0], [0.0, 590.0]])
    np.testing.assert_array_equal(got.node, [B, E])
    close(got.distance_m, [math.hypot(10, 20), 10.0])
    np.testing.assert_array_equal(got.edge, [-1, -1])
    np.testing.assert_array_equal(got.u, got.node)


def test_snap_to_node_usable_by_the_mode(net: xn.RoadNetwork) -> None:
    got = xn.snap(net, [0.0, 590.0], mode="car")  # e has no car road: a is the nearest
    np.testing.assert_array_equal(got.node, [A])
    close(got.distance_m, [590.0])


def test_snap_to_edge(net: xn.RoadNetwork) -> None:
    got = xn.snap(net, [[400.0, 30.0], [1500.0, 200.0], [2600.0, 0.0]], to="edge")
    assert got.edge[0] in (0, 6)  # two parallel a–b edges on the same line
    np.testing.assert_array_equal(got.edge[1:], [2, 7])
    np.testing.assert_array_equal(got.u, [A, C, C])
    np.testing.assert_array_equal(got.v, [B, D, F])
    close(got.fraction, [0.4, 0.4, 1.0])  # beyond the end: clamped to v
    close(got.distance_m, [30.0, 0.0, 100.0])
    np.testing.assert_array_equal(got.node, [A, C, F])


def test_snap_to_edge_usable_by_the_mode(net: xn.RoadNetwork) -> None:
    anywhere = xn.snap(net, [0.0, 300.0], to="edge")
    assert anywhere.edge[0] in (4, 5)
    close(anywhere.fraction, [0.5])
    by_car = xn.snap(net, [0.0, 300.0], to="edge", mode="car")
    assert by_car.edge[0] in (0, 6)
    close(by_car.distance_m, [300.0])


def curved() -> xn.RoadNetwork:
    """p–q a 200 m primary road that runs up, across and down (its course), not the straight
    100 m between its ends; r–s 100 m of steps, straight, 10 m above its middle stretch::

        r (0,60) ---------- s (100,60)      edge 1: steps (cars may not use them)
        +------------------+  y=50          edge 0: p→(0,50)→(100,50)→q
        |                  |
        p (0,0)            q (100,0)
    """
    roads = make_roads(
        {"p": (0.0, 0.0), "q": (100.0, 0.0), "r": (0.0, 60.0), "s": (100.0, 60.0)},
        [("p", "q", 200.0, NAN, False, "primary"), ("r", "s", 100.0, NAN, False, "steps")],
    )
    course = (np.array([[0.0, 0.0], [0.0, 50.0], [100.0, 50.0], [100.0, 0.0]]),
              np.array([[0.0, 60.0], [100.0, 60.0]]))
    return xn.RoadNetwork.from_roads(dataclasses.replace(roads, shape=course),
                                     policy=make_policy())


def test_snap_to_edge_follows_the_course_of_a_curved_road() -> None:
    # points on p–q's course: on it (0 m), as far along as the course runs (of 200 m), not
    # projected onto the straight line p–q, and not on r–s, 10 m from (50, 50)
    net = curved()
    got = xn.snap(net, [[0.0, 20.0], [25.0, 50.0], [50.0, 50.0], [100.0, 40.0]], to="edge")
    np.testing.assert_array_equal(got.edge, [0, 0, 0, 0])
    close(got.distance_m, [0.0, 0.0, 0.0, 0.0])
    close(got.fraction, [20 / 200, 75 / 200, 100 / 200, 160 / 200])
    np.testing.assert_array_equal(got.node, [0, 0, 0, 1])  # the nearer end along the road
    # off the road: the distance to its course; by car the steps are not candidates
    off = xn.snap(net, [[50.0, 57.0], [-5.0, 10.0]], to="edge")
    np.testing.assert_array_equal(off.edge, [1, 0])
    close(off.distance_m, [3.0, 5.0])
    by_car = xn.snap(net, [50.0, 57.0], to="edge", mode="car")
    np.testing.assert_array_equal(by_car.edge, [0])
    close(by_car.distance_m, [7.0])
    close(by_car.fraction, [0.5])


def test_point_times_split_a_curved_road_along_its_course() -> None:
    # p–q: 200 m at 60 km/h = 0.2 min; (25, 50) is 75 m of it from p and 125 m from q
    net = curved()
    close(xn.point_times(net, [25.0, 50.0], [0, 1]), [[0.075, 0.125]])
    close(xn.point_times(net, [[25.0, 50.0], [100.0, 40.0]], [0], direction="to_points"),
          [[0.075], [0.16]])


def test_a_course_for_every_edge() -> None:
    roads = dataclasses.replace(make_roads(NODES, EDGES), shape=(np.zeros((2, 2)),))
    with pytest.raises(ValueError, match=r"roads.shape must hold one course per edge \(8\); got 1"):
        xn.RoadNetwork.from_roads(roads, policy=make_policy())


def test_point_times_from_a_point_on_a_two_way_edge(net: xn.RoadNetwork) -> None:
    # on c–d at 0.4: c after 0.4 min, d after 0.6, b via d 3.6, a 4.6, f via c 2.4
    got = xn.point_times(net, [[1500.0, 200.0]])
    close(got, [[4.6, 3.6, 0.4, 0.6, INF, 2.4]])


def test_point_times_honour_one_way_on_the_partial_edge(net: xn.RoadNetwork) -> None:
    # on b→c at 0.5: cars leave only towards c (0.5), then d 1.5, b 4.5, a 5.5, f 2.5
    close(xn.point_times(net, [1250.0, 10.0]), [[5.5, 4.5, 0.5, 1.5, INF, 2.5]])
    # reaching it: from b 0.5, a 1.5, d 3.5, c 4.5 (round by d and b), f never
    got = xn.point_times(net, [1250.0, 10.0], direction="to_points")
    close(got, [[1.5, 0.5, 4.5, 3.5, INF, INF]])
    # on foot both ways: half of 5 min each
    close(xn.point_times(net, [1250.0, 10.0], [B, C], mode="foot"), [[2.5, 2.5]])


def test_point_times_for_many_points_and_few_targets(net: xn.RoadNetwork) -> None:
    # three points, two targets: searched from the targets; same minutes as above
    pts = [[1500.0, 200.0], [1250.0, 10.0], [1250.0, 10.0]]
    close(xn.point_times(net, pts, [A, F]), [[4.6, 2.4], [5.5, 2.5], [5.5, 2.5]])
    # reaching the first point: from b by b→c then 0.4 of c–d, from c 0.4
    got = xn.point_times(net, pts, [B, C], direction="to_points")
    close(got, [[1.4, 0.4], [0.5, 4.5], [0.5, 4.5]])


def test_point_times_with_cutoff_hour_and_drone(net: xn.RoadNetwork) -> None:
    close(
        xn.point_times(net, [1250.0, 0.0], [A, B, C, D], hour=8, cutoff_minutes=3),
        [[INF, INF, 1, 3]],
    )
    close(xn.point_times(net, [[0.0, 300.0]], [A], mode="drone"), [[1.3]])


# --- paths, ids, components, construction ------------------------------------------------------


def test_shortest_path_follows_the_one_way_rules(net: xn.RoadNetwork) -> None:
    np.testing.assert_array_equal(xn.shortest_path(net, A, D), [A, B, C, D])
    np.testing.assert_array_equal(xn.shortest_path(net, C, A), [C, D, B, A])
    np.testing.assert_array_equal(xn.shortest_path(net, A, A), [A])
    np.testing.assert_array_equal(xn.shortest_path(net, A, E, mode="foot"), [A, E])


def test_index_of_maps_ids(net: xn.RoadNetwork) -> None:
    np.testing.assert_array_equal(xn.index_of(net, ["f", "a"]), [F, A])
    np.testing.assert_array_equal(xn.index_of(net, "c"), [C])


def test_components_weak_and_strong(net: xn.RoadNetwork) -> None:
    weak = xn.components(net)
    assert weak.n_components == 2  # e has no car road
    np.testing.assert_array_equal(weak.label, [0, 0, 0, 0, 1, 0])
    np.testing.assert_array_equal(weak.sizes, [5, 1])
    np.testing.assert_array_equal(weak.largest, [A, B, C, D, F])
    strong = xn.components(net, connection="strong")  # f cannot be left by car
    np.testing.assert_array_equal(strong.sizes, [4, 1, 1])
    assert strong.label[A] == strong.label[D] == 0
    assert xn.components(net, mode="foot").n_components == 1


def test_from_scenario_uses_roads_and_policy() -> None:
    roads = make_roads(NODES, EDGES)
    sc = Scenario(
        name="t",
        crs=CRS(declared="local", working="local"),
        timezone="Asia/Shanghai",
        horizon_days=1,
        slot_minutes=60,
        policy=make_policy(),
        roads=roads,
    )
    net = xn.RoadNetwork.from_scenario(sc)
    assert net.node_ids == roads.node_ids
    assert net.n_nodes == 6
    assert net.n_edges == 8
    close(xn.travel_times(net, [A]), [[0, 1, 2, 3, INF, 4]])


def test_the_network_is_immutable(net: xn.RoadNetwork) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.policy = make_policy()  # type: ignore[misc]


def test_concurrent_queries_from_threads_agree_with_serial_ones() -> None:
    # a fresh network: the graphs of each hour are built while other threads ask for them
    net = xn.RoadNetwork.from_roads(make_roads(NODES, EDGES), policy=make_policy())
    hours = [None, 8, 17, None, 8, 17, 3, 8]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda h: xn.travel_times(net, range(6), hour=h), hours))
    serial = xn.RoadNetwork.from_roads(make_roads(NODES, EDGES), policy=make_policy())
    for hour, matrix in zip(hours, got, strict=True):
        close(matrix, xn.travel_times(serial, range(6), hour=hour))


def test_the_network_pickles_without_its_caches(net: xn.RoadNetwork) -> None:
    before = xn.travel_times(net, [C], hour=8)
    copy = pickle.loads(pickle.dumps(net))
    assert copy is not net
    close(xn.travel_times(copy, [C], hour=8), before)


def test_default_policy_on_an_empty_network() -> None:
    empty = make_roads({"a": (0.0, 0.0)}, [])
    net = xn.RoadNetwork.from_roads(empty, policy=Policy())
    close(xn.travel_times(net, [0]), [[0.0]])
    np.testing.assert_array_equal(xn.nearest(net, [0]).facility, [[0]])


# --- every raise -----------------------------------------------------------------------------


def test_bad_roads_are_refused() -> None:
    roads = make_roads(NODES, EDGES)
    policy = make_policy()
    cases: list[tuple[Roads, str]] = [
        (dataclasses.replace(roads, xy=roads.xy[:3]), r"roads\.xy must have shape"),
        (
            dataclasses.replace(roads, xy=np.where(roads.xy == 500.0, np.nan, roads.xy)),
            r"roads\.xy must be finite metres; node 'd'",
        ),
        (
            dataclasses.replace(roads, node_ids=("a", "b", "c", "d", "e", "a")),
            r"node_ids must be unique; 'a'",
        ),
        (
            dataclasses.replace(roads, v=roads.v[:3]),
            r"roads\.v must have shape \(8,\) like roads\.u",
        ),
        (dataclasses.replace(roads, road_class=("x",)), r"road_class must have one class"),
        (
            dataclasses.replace(roads, v=np.where(roads.v == 5, 9, roads.v)),
            r"roads\.v must index node_ids \(0\.\.5\); edge 7 has 9",
        ),
        (
            dataclasses.replace(roads, length_m=-roads.length_m),
            r"length_m must be finite and >= 0 metres; edge 0 \('a'→'b'\) has -1000",
        ),
        (
            dataclasses.replace(roads, speed_kph=np.where(np.isnan(roads.speed_kph), 0, 1.0)),
            r"speed_kph must be > 0 km/h or NaN \(class speed\); edge 0 .* has 0",
        ),
    ]
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            xn.RoadNetwork.from_roads(bad, policy=policy)


def test_bad_policies_are_refused() -> None:
    roads = make_roads(NODES, EDGES)
    no_drone = {"car": 60.0, "motorcycle": 30.0, "balance": 12.0, "foot": 6.0}
    cases: list[tuple[Policy, str]] = [
        (make_policy(speeds_kph=no_drone), r"speeds_kph must give a speed for every mode; 'drone'"),
        (
            make_policy(speeds_kph={**no_drone, "drone": 0.0}),
            r"speeds_kph\['drone'\] must be a finite speed > 0 km/h; got 0",
        ),
        (
            make_policy(class_speeds_kph={"primary": -5.0}),
            r"class_speeds_kph\['primary'\] must be a finite speed > 0",
        ),
        (make_policy(default_speed_kph=math.nan), r"default_speed_kph must be a finite speed"),
        (make_policy(drone_launch_minutes=-1.0), r"drone_launch_minutes must be finite and >= 0"),
        (
            make_policy(peak_factors=(PeakFactor(hours=(8,), factor=0.0),)),
            r"peak_factors\[0\]\.factor must be a finite number > 0; got 0",
        ),
        (
            make_policy(peak_factors=(PeakFactor(hours=(24,), factor=0.5),)),
            r"peak_factors\[0\]\.hours must be hours 0\.\.23; got \[24\]",
        ),
        (
            make_policy(peak_factors=(PeakFactor(hours=(8,), factor=0.5, modes=("bus",)),)),  # type: ignore[arg-type]
            r"peak_factors\[0\]\.modes must be among .*; got \['bus'\]",
        ),
    ]
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            xn.RoadNetwork.from_roads(roads, policy=bad)


def test_bad_node_arguments_are_refused(net: xn.RoadNetwork) -> None:
    with pytest.raises(ValueError, match=r"sources must be node indices 0\.\.5; got \[6, -1\]"):
        xn.travel_times(net, [A, 6, -1])
    with pytest.raises(ValueError, match=r"sources must be integer node indices \(map node ids"):
        xn.travel_times(net, ["a"])
    with pytest.raises(ValueError, match=r"targets must be integer node indices; got dtype float"):
        xn.travel_times(net, [A], [1.5])
    with pytest.raises(ValueError, match=r"sources must be a 1-D array .* shape \(1, 2\)"):
        xn.travel_times(net, [[A, B]])
    with pytest.raises(ValueError, match=r"facilities must be node indices"):
        xn.nearest(net, [99])
    with pytest.raises(KeyError, match=r"unknown node id\(s\) 'zz', 'yy'"):
        xn.index_of(net, ["a", "zz", "yy"])
    with pytest.raises(KeyError, match=r"'k0', 'k1', 'k2', 'k3', 'k4' and 2 more"):
        xn.index_of(net, [f"k{i}" for i in range(7)])


def test_bad_options_are_refused(net: xn.RoadNetwork) -> None:
    with pytest.raises(ValueError, match=r"mode must be one of .*; got 'bus'"):
        xn.travel_times(net, [A], mode="bus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"hour must be None \(free flow\) or an integer 0\.\.23"):
        xn.travel_times(net, [A], hour=24)
    with pytest.raises(ValueError, match=r"hour must be .*; got True"):
        xn.travel_times(net, [A], hour=True)
    with pytest.raises(ValueError, match=r"hour must be .*; got 8\.0"):
        xn.nearest(net, [A], hour=8.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"cutoff_minutes must be None or >= 0 minutes; got -1"):
        xn.travel_times(net, [A], cutoff_minutes=-1)
    with pytest.raises(ValueError, match=r"k must be an integer >= 1 .*; got 0"):
        xn.nearest(net, [A], k=0)
    with pytest.raises(ValueError, match=r"bands must be strictly increasing minutes; got \[3"):
        xn.isochrones(net, [A], bands=[3, 1])
    with pytest.raises(ValueError, match=r"bands must be finite minutes >= 0, at least one"):
        xn.isochrones(net, [A], bands=[])
    with pytest.raises(ValueError, match=r"to must be 'node' or 'edge'; got 'road'"):
        xn.snap(net, [0.0, 0.0], to="road")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"mode must be one of \('car', 'motorcycle', 'balance'"):
        xn.snap(net, [0.0, 0.0], mode="drone")
    with pytest.raises(ValueError, match=r"xy must be planar points of shape \(n, 2\)"):
        xn.snap(net, [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"xy must be finite metres; point 1 is \[0\.0, nan\]"):
        xn.point_times(net, [[0.0, 0.0], [0.0, math.nan]])
    with pytest.raises(ValueError, match=r"direction must be 'from_points' or 'to_points'"):
        xn.point_times(net, [0.0, 0.0], direction="in")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"connection must be 'weak' or 'strong'; got 'both'"):
        xn.components(net, connection="both")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"target node 'e' cannot be reached .* 'a' by mode 'car'"):
        xn.shortest_path(net, A, E)


def test_snapping_on_a_network_the_mode_cannot_use() -> None:
    only_steps = make_roads(
        {"a": (0.0, 0.0), "b": (10.0, 0.0)}, [("a", "b", 10.0, NAN, False, "steps")]
    )
    net = xn.RoadNetwork.from_roads(only_steps, policy=make_policy())
    with pytest.raises(ValueError, match=r"snap\(to='node', mode='car'\): the mode may use no"):
        xn.snap(net, [0.0, 0.0], mode="car")
    with pytest.raises(ValueError, match=r"snap\(to='edge', mode='car'\): the mode may use no"):
        xn.point_times(net, [0.0, 0.0])


def test_times_to_targets_are_times_from_every_node_the_one_way_way(
        net: xn.RoadNetwork) -> None:
    every = np.arange(net.n_nodes)
    for mode in ("car", "foot", "drone"):
        for cutoff in (None, 1.0):
            got = xn.times_to(net, [0, 3], mode=mode, hour=8, cutoff_minutes=cutoff)
            want = xn.travel_times(net, every, [0, 3], mode=mode, hour=8,
                                   cutoff_minutes=cutoff).T
            np.testing.assert_allclose(got, want)
    # with one-way streets, the time to a node is not the time from it
    to0 = xn.times_to(net, [0], mode="car")[0]
    from0 = xn.travel_times(net, [0], mode="car")[0]
    assert not np.allclose(to0, from0)
