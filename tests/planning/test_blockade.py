"""Exit blockade: the lexicographic bottleneck assignment, checked by hand and by brute force."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from xunfang import network, scenario
from xunfang.planning.blockade import assign, ring_exits, seal_exits

Make = Callable[..., Path]
INF = math.inf


def test_bottleneck_before_total() -> None:
    # posts A, B; exits X, Y. A→X 1, A→Y 10, B→X 4, B→Y 5.
    # Total-optimal would be A→X, B→Y (6, bottleneck 5); also the only other, A→Y B→X, is 14
    # with bottleneck 10. So: A→X, B→Y, last exit after 5.
    m = np.array([[1.0, 4.0], [10.0, 5.0]])
    b = assign(m, exit_ids=("X", "Y"), post_ids=("A", "B"))
    assert b.max_minutes == 5.0 and b.total_minutes == 6.0 and b.unsealed == ()
    assert {(s.exit, s.post) for s in b.assignment} == {("X", "A"), ("Y", "B")}


def test_bottleneck_beats_a_smaller_total() -> None:
    # A→X 1, A→Y 6, B→X 5, B→Y 20: totals 21 (bottleneck 20) vs 11 (bottleneck 6)
    # and with a third post C→Y 7, C→X 7: A→X, C→Y has bottleneck 7, total 8 — worse than
    # A→Y, B→X (bottleneck 6, total 11): the bottleneck comes first.
    m = np.array([[1.0, 5.0, 7.0], [6.0, 20.0, 7.0]])
    b = assign(m, exit_ids=("X", "Y"), post_ids=("A", "B", "C"))
    assert (b.max_minutes, b.total_minutes) == (6.0, 11.0)


def test_more_exits_than_posts_gives_the_best_partial_seal() -> None:
    m = np.array([[2.0], [1.0], [INF]])
    b = assign(m, exit_ids=("X", "Y", "Z"), post_ids=("A",))
    assert [(s.exit, s.post) for s in b.assignment] == [("Y", "A")]
    assert b.unsealed == ("X", "Z") and b.max_minutes == 1.0


def test_nothing_reachable() -> None:
    b = assign(np.full((2, 1), INF), exit_ids=("X", "Y"), post_ids=("A",))
    assert b.assignment == () and b.unsealed == ("X", "Y") and b.max_minutes is None


def test_bad_matrix() -> None:
    with pytest.raises(ValueError, match=r"shape \(2, 2\), expected \(exits, posts\) = \(1, 2\)"):
        assign(np.ones((2, 2)), exit_ids=("X",), post_ids=("A", "B"))
    with pytest.raises(ValueError, match="non-negative"):
        assign(np.array([[-1.0]]), exit_ids=("X",), post_ids=("A",))


def _brute(m: np.ndarray) -> tuple[int, float, float]:
    """(sealed, bottleneck, total) of the lexicographic optimum, by trying every matching."""
    n_e, n_p = m.shape
    best = (0, 0.0, 0.0)
    best_key = (0, 0.0, 0.0)
    for k in range(min(n_e, n_p), 0, -1):
        for exits in itertools.combinations(range(n_e), k):
            for posts in itertools.permutations(range(n_p), k):
                times = [m[e, p] for e, p in zip(exits, posts, strict=True)]
                if not all(np.isfinite(times)):
                    continue
                key = (-k, max(times), sum(times))
                if best_key == (0, 0.0, 0.0) or key < best_key:
                    best_key = key
                    best = (k, max(times), sum(times))
        if best[0] == k:
            break
    return best


cells = st.one_of(st.integers(0, 9).map(float), st.just(INF))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_matches_brute_force(n_exits: int, n_posts: int, data: st.DataObject) -> None:
    m = data.draw(arrays(np.float64, (n_exits, n_posts), elements=cells))
    b = assign(m, exit_ids=tuple(f"x{i}" for i in range(n_exits)),
               post_ids=tuple(f"p{j}" for j in range(n_posts)))
    k, bottleneck, total = _brute(m)
    assert len(b.assignment) == k
    assert len({s.post for s in b.assignment}) == k  # one post seals one exit
    if k:
        assert b.max_minutes == bottleneck and b.total_minutes == pytest.approx(total)


def test_seal_exit_posts_and_a_ring(make_scenario: Make) -> None:
    # a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a ; b -400- e(800,0)
    sc = scenario.load(make_scenario({"posts.csv": (
        "id,name,kind,node\np1,Station,station,a\nk1,Kiosk,kiosk,c\n"
        "x1,East gate,exit,e\nx2,North gate,exit,d\ncam,Camera,camera,b\n")}))
    net = network.RoadNetwork.from_scenario(sc)
    b = seal_exits(sc, net)
    # p1→x2 (d) 0.6, k1→x1 (e) 0.6+0.8=1.4; the swap costs p1→e 1.6 — bottleneck 1.4 wins
    assert {(s.exit, s.post) for s in b.assignment} == {("x2", "p1"), ("x1", "k1")}
    assert b.max_minutes == pytest.approx(1.4) and b.total_minutes == pytest.approx(2.0)
    # ring around a at 0.7 min: inside a, d; roads out lead to b (from a) and c (from d)
    exits = ring_exits(net, 0, ring_minutes=0.7)
    assert [net.node_ids[i] for i in exits] == ["b", "c"]
    r = seal_exits(sc, net, at="a", ring_minutes=0.7)
    assert {s.exit for s in r.assignment} == {"b", "c"} and r.max_minutes == pytest.approx(0.8)
    with pytest.raises(ValueError, match="--at and --ring-minutes go together"):
        seal_exits(sc, net, at="a")
