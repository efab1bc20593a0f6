"""Properties of the engine on random networks, checked against networkx's Dijkstra.

The reference graphs are built here from the raw edges, independently of the engine: each edge
takes ``length_m / min(speed_kph, car speed)`` and parallel edges keep the fastest.
"""

from __future__ import annotations

import dataclasses
import math

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xunfang import network as xn
from xunfang.scenario.model import Policy, Roads

CAR_KPH = 60.0
POLICY = Policy(oneway_modes=("car",), peak_factors=())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def road_networks(draw: st.DrawFn, *, directed: bool) -> Roads:
    n = draw(st.integers(1, 14))
    m = draw(st.integers(0, 3 * n))
    ends = st.integers(0, n - 1)
    u = [draw(ends) for _ in range(m)]
    v = [draw(ends) for _ in range(m)]
    length = [draw(st.integers(0, 3000)) for _ in range(m)]
    speed = [draw(st.sampled_from([10.0, 25.0, 40.0, 60.0, 90.0])) for _ in range(m)]
    oneway = [draw(st.booleans()) if directed else False for _ in range(m)]
    xy = [(draw(st.integers(0, 3000)), draw(st.integers(0, 3000))) for _ in range(n)]
    return Roads(
        node_ids=tuple(f"n{i}" for i in range(n)),
        xy=np.array(xy, dtype=float).reshape(n, 2),
        u=np.array(u, dtype=np.int64),
        v=np.array(v, dtype=np.int64),
        length_m=np.array(length, dtype=float),
        speed_kph=np.array(speed, dtype=float),
        oneway=np.array(oneway, dtype=bool),
        road_class=("residential",) * m,
        name=("",) * m,
    )


def reference(roads: Roads) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(roads.n_nodes))

    def add(a: int, b: int, minutes: float) -> None:
        if not g.has_edge(a, b) or g[a][b]["minutes"] > minutes:
            g.add_edge(a, b, minutes=minutes)

    for e in range(roads.n_edges):
        kph = min(float(roads.speed_kph[e]), CAR_KPH)
        minutes = float(roads.length_m[e]) / (kph * 1000.0 / 60.0)
        a, b = int(roads.u[e]), int(roads.v[e])
        add(a, b, minutes)
        if not roads.oneway[e]:
            add(b, a, minutes)
    return g


def reference_matrix(g: nx.DiGraph, sources: list[int] | range) -> np.ndarray:
    out = np.full((len(sources), g.number_of_nodes()), math.inf)
    for row, s in enumerate(sources):
        for node, minutes in nx.single_source_dijkstra_path_length(g, s, weight="minutes").items():
            out[row, node] = minutes
    return out


def close(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isinf(actual), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=1e-9, atol=1e-9)


@SETTINGS
@given(roads=st.one_of(road_networks(directed=True), road_networks(directed=False)))
def test_agrees_with_networkx(roads: Roads) -> None:
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    everyone = range(roads.n_nodes)
    close(xn.travel_times(net, everyone), reference_matrix(reference(roads), everyone))


@SETTINGS
@given(roads=road_networks(directed=False))
def test_undirected_networks_are_symmetric(roads: Roads) -> None:
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    full = xn.travel_times(net, range(roads.n_nodes))
    np.testing.assert_allclose(full, full.T, rtol=1e-12)


@SETTINGS
@given(roads=road_networks(directed=True))
def test_triangle_inequality(roads: Roads) -> None:
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    d = xn.travel_times(net, range(roads.n_nodes))
    via = np.min(d[:, :, None] + d[None, :, :], axis=1)  # best i → j → k over j
    assert np.all(d <= via * (1 + 1e-12) + 1e-12)
    assert np.all(np.diag(d) == 0)


@SETTINGS
@given(
    roads=road_networks(directed=True),
    cutoff=st.floats(0, 10, allow_nan=False),
    data=st.data(),
)
def test_cutoff_and_targets_agree_with_the_full_search(
    roads: Roads, cutoff: float, data: st.DataObject
) -> None:
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    everyone = range(roads.n_nodes)
    full = xn.travel_times(net, everyone)
    cut = xn.travel_times(net, everyone, cutoff_minutes=cutoff)
    close(cut, np.where(full <= cutoff, full, math.inf))
    targets = data.draw(st.lists(st.integers(0, roads.n_nodes - 1), max_size=6))
    close(xn.travel_times(net, everyone, targets), full[:, targets])
    close(
        xn.travel_times(net, everyone, targets, cutoff_minutes=cutoff),
        np.where(full[:, targets] <= cutoff, full[:, targets], math.inf),
    )


@SETTINGS
@given(roads=road_networks(directed=True), k=st.integers(1, 3), data=st.data())
def test_nearest_k_matches_the_sorted_matrix(roads: Roads, k: int, data: st.DataObject) -> None:
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    facilities = data.draw(st.lists(st.integers(0, roads.n_nodes - 1), max_size=5))
    got = xn.nearest(net, facilities, k=k)
    full = xn.travel_times(net, facilities).T  # (n, n_facilities): facility → node
    expected = np.full((roads.n_nodes, k), math.inf)
    width = min(k, len(facilities))
    expected[:, :width] = np.sort(full, axis=1)[:, :width]
    close(got.minutes, expected)
    # every facility named reaches the node in the minutes given, and none twice
    for node in range(roads.n_nodes):
        named = [f for f in got.facility[node] if f >= 0]
        assert len(set(named)) == len(named)
        close(full[node, named], got.minutes[node, : len(named)])
    assert np.all((got.facility == -1) == np.isinf(got.minutes))
    # k = 1 is the multi-source search that isochrones use too
    one = xn.nearest(net, facilities)
    close(one.minutes[:, 0], expected[:, 0])


@SETTINGS
@given(roads=road_networks(directed=True), data=st.data())
def test_point_times_match_a_node_inserted_on_the_edge(roads: Roads, data: st.DataObject) -> None:
    """A point snapped onto edge u→v at fraction f behaves as a node splitting that edge."""
    if roads.n_edges == 0:
        return
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    x = data.draw(st.floats(-500, 3500, allow_nan=False))
    y = data.draw(st.floats(-500, 3500, allow_nan=False))
    where = xn.snap(net, [x, y], to="edge")
    e, f = int(where.edge[0]), float(where.fraction[0])
    g = reference(roads)
    p = roads.n_nodes  # the new node
    kph = min(float(roads.speed_kph[e]), CAR_KPH)
    minutes = float(roads.length_m[e]) / (kph * 1000.0 / 60.0)
    u, v = int(roads.u[e]), int(roads.v[e])

    def add(a: int, b: int, minutes: float) -> None:  # a self-loop gives two arcs a → p
        if not g.has_edge(a, b) or g[a][b]["minutes"] > minutes:
            g.add_edge(a, b, minutes=minutes)

    add(p, v, (1 - f) * minutes)
    add(u, p, f * minutes)
    if not roads.oneway[e]:
        add(p, u, f * minutes)
        add(v, p, (1 - f) * minutes)
    from_point = reference_matrix(g, [p])[:, :p]
    close(xn.point_times(net, [x, y]), from_point)
    to_point = np.array(
        [
            [
                nx.shortest_path_length(g, s, p, weight="minutes")
                if nx.has_path(g, s, p)
                else math.inf
                for s in range(p)
            ]
        ]
    )
    close(xn.point_times(net, [x, y], direction="to_points"), to_point)


@SETTINGS
@given(roads=road_networks(directed=True), data=st.data())
def test_point_times_searching_from_few_targets_agree_with_per_point_searches(
    roads: Roads, data: st.DataObject
) -> None:
    if roads.n_edges == 0:
        return
    net = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    coord = st.floats(-500, 3500, allow_nan=False)
    pts = data.draw(st.lists(st.tuples(coord, coord), min_size=2, max_size=5))
    targets = data.draw(
        st.lists(st.integers(0, roads.n_nodes - 1), min_size=1, max_size=len(pts) - 1)
    )
    cutoff = data.draw(st.none() | st.floats(0, 10, allow_nan=False))
    for direction in ("from_points", "to_points"):
        per_point = xn.point_times(net, pts, direction=direction)[:, targets]
        if cutoff is not None:
            per_point = np.where(per_point <= cutoff, per_point, math.inf)
        per_target = xn.point_times(net, pts, targets, direction=direction, cutoff_minutes=cutoff)
        close(per_target, per_point)


@SETTINGS
@given(roads=road_networks(directed=False), data=st.data())
def test_a_straight_course_in_pieces_snaps_as_the_straight_edge(roads: Roads,
                                                                 data: st.DataObject) -> None:
    """Courses that run straight from u to v, cut into collinear pieces, place points where the
    straight edges do: the same distance, the same point on the road."""
    if roads.n_edges == 0:
        return
    cuts = [sorted(data.draw(st.lists(st.floats(0.0, 1.0), max_size=4)))
            for _ in range(roads.n_edges)]
    a, b = roads.xy[roads.u], roads.xy[roads.v]
    course = tuple(np.vstack([a[e], *(a[e] + t * (b[e] - a[e]) for t in cuts[e]), b[e]])
                   for e in range(roads.n_edges))
    straight = xn.RoadNetwork.from_roads(roads, policy=POLICY)
    curved = xn.RoadNetwork.from_roads(dataclasses.replace(roads, shape=course), policy=POLICY)
    pts = np.array([[data.draw(st.floats(-500, 3500)), data.draw(st.floats(-500, 3500))]
                    for _ in range(5)])
    want = xn.snap(straight, pts, to="edge")
    got = xn.snap(curved, pts, to="edge")
    np.testing.assert_allclose(got.distance_m, want.distance_m, rtol=1e-9, atol=1e-6)

    def foot(s: xn.Snap) -> np.ndarray:
        return roads.xy[s.u] + s.fraction[:, None] * (roads.xy[s.v] - roads.xy[s.u])

    np.testing.assert_allclose(foot(got), foot(want), rtol=1e-9, atol=1e-6)
