"""MCLP opens the fewest posts among its optimal plans (a review: p = 3 opened n4_3 beside
n3_5 and n5_3, which already covered 100 of 100 nodes; on a 22 x 22 lattice p = 8 opened 8
posts where 7 cover everything)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import sparse

from xunfang.planning import siting


def _brute(minutes: np.ndarray, w: np.ndarray, target: float, p: int) -> tuple[float, int]:
    """The most weight any plan of at most p sites covers, and the fewest sites doing so."""
    m = minutes.shape[1]
    best, fewest = -1.0, m + 1
    for k in range(p + 1):
        for cols in itertools.combinations(range(m), k):
            hit = (minutes[:, list(cols)] <= target).any(axis=1) if cols else np.zeros(
                minutes.shape[0], dtype=bool)
            got = float(w[hit].sum())
            if got > best + 1e-9:
                best, fewest = got, k
    return best, fewest


def test_mclp_opens_no_more_posts_than_an_optimal_plan_needs() -> None:
    rng = np.random.default_rng(3)
    extra = 0
    for _ in range(60):
        n, m = int(rng.integers(4, 9)), int(rng.integers(3, 7))
        minutes = np.where(rng.random((n, m)) < 0.45, rng.random((n, m)) * 2.0, np.inf)
        w = rng.integers(1, 4, n).astype(float)
        p = int(rng.integers(1, m + 1))
        res = siting.mclp(siting.SitingInstance.from_cost_matrix(
            minutes, target_minutes=1.5, weights=w), p=p)
        best, fewest = _brute(minutes, w, 1.5, p)
        assert res.status == "optimal" and res.objective == best
        assert res.count == fewest, (minutes.tolist(), w.tolist(), p, res.added)
        extra += p - fewest
    assert extra > 0  # the cases do leave room for idle posts


def test_the_greedy_plan_drops_a_post_a_swap_left_idle() -> None:
    # greedy opens columns 2, 1, 3; the swaps keep them, and then 1's rows (1 and 2) are
    # held by 3 and 2: column 1 adds nothing (found by a search of small random cases)
    cover = np.array([[0, 0, 1, 0], [1, 1, 0, 1], [0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 0, 1]],
                     dtype=float)
    w = np.array([2.0, 3.0, 3.0, 1.0, 2.0])
    a = sparse.csr_array(cover)
    y = siting._greedy_max(a, sparse.csr_array(cover.T), w, 3)
    held = cover @ y
    assert float(w[held > 0].sum()) == float(w.sum())  # all the weight, as before
    for j in np.flatnonzero(y).tolist():
        assert np.any((held == 1) & (cover[:, j] > 0)), f"column {j} adds nothing"
