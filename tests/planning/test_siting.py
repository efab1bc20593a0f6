"""Post siting: hand-solved instances with exact optima, brute force on random ones, bad input."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from xunfang import network
from xunfang.planning import siting
from xunfang.planning.siting import (
    MODELS,
    SitingInstance,
    SitingResult,
    SolverError,
    bclp,
    evaluate,
    lscp,
    mclp,
    pcenter,
    pmedian,
    site,
)

INF = math.inf

# Six demand points d1..d6, four candidate sites A..D; minutes from site to point, inf where no
# road leads. Target 3 minutes everywhere. Weights 3, 2, 4, 1, 2, 6 (total 18).
#
#          A    B    C    D
#   d1     1    5   inf   4
#   d2     2    2    6   inf
#   d3     6    1    3    5
#   d4    inf   4    2    6
#   d5     5   inf   1    2
#   d6     4    6    5    1
#
# Within 3 minutes: A covers {d1, d2}, B {d2, d3}, C {d3, d4, d5}, D {d5, d6}.
MINUTES = [
    [1, 5, INF, 4],
    [2, 2, 6, INF],
    [6, 1, 3, 5],
    [INF, 4, 2, 6],
    [5, INF, 1, 2],
    [4, 6, 5, 1],
]
WEIGHTS = [3, 2, 4, 1, 2, 6]
DEMAND = ("d1", "d2", "d3", "d4", "d5", "d6")
SITES = ("A", "B", "C", "D")


def town(**kw: object) -> SitingInstance:
    args: dict[str, object] = {
        "target_minutes": 3.0,
        "weights": WEIGHTS,
        "demand_ids": DEMAND,
        "candidate_ids": SITES,
    }
    args.update(kw)
    return SitingInstance.from_cost_matrix(MINUTES, **args)  # type: ignore[arg-type]


def agrees(inst: SitingInstance, r: SitingResult) -> None:
    """The solver's objective is what the independent evaluator recomputes for its plan."""
    ev = evaluate(inst, r.added, assignment=r.assignment)
    assert ev[r.model] == pytest.approx(r.objective)
    assert ev["covered_weight_share"] == pytest.approx(r.covered_weight_share)
    assert ev["count"] == r.count == len(r.added)


# ---------------------------------------------------------------------------------------------
# Hand-solved


def test_lscp_hand_solved() -> None:
    # d1 is covered only by A, d4 only by C, d6 only by D: A, C, D are needed, and together
    # they cover d2 (A), d3 (C) and d5 (C, D) too. Optimum 3 posts: A, C, D.
    r = lscp(town())
    assert (r.status, r.objective, r.count, r.gap) == ("optimal", 3.0, 3, 0.0)
    assert r.added_ids == ("A", "C", "D")
    assert r.covered_weight_share == 1.0
    assert r.uncoverable == () and r.uncoverable_ids == ()
    agrees(town(), r)
    assert r.as_dict() == {
        "model": "lscp",
        "added": ["A", "C", "D"],
        "count": 3,
        "objective": 3.0,
        "status": "optimal",
        "gap": 0.0,
        "uncoverable": [],
        "covered_weight_share": 1.0,
        "message": "",
    }


def test_mclp_hand_solved() -> None:
    # Covered weight per site: A 3+2 = 5, B 2+4 = 6, C 4+1+2 = 7, D 2+6 = 8 -> p = 1: D (8).
    # Pairs: AB 9, AC 12, AD 13, BC 9, BD 14, CD 13 -> p = 2: B, D (14).
    # A, C, D cover everything -> p = 3: 18.
    inst = town()
    for p, ids, value in ((1, ("D",), 8.0), (2, ("B", "D"), 14.0), (3, ("A", "C", "D"), 18.0)):
        r = mclp(inst, p=p)
        assert (r.status, r.added_ids, r.objective, r.gap) == ("optimal", ids, value, 0.0)
        assert r.covered_weight_share == pytest.approx(value / 18)
        agrees(inst, r)
    assert mclp(inst, p=0).objective == 0.0


def test_bclp_hand_solved() -> None:
    # Every point must be covered once: as for the LSCP that takes A, C and D, so p = 2 is
    # infeasible. With p = 3 the only twice-covered point is d5 (C and D): weight 2. With all
    # four sites d2 (A, B), d3 (B, C) and d5 (C, D) are covered twice: 2 + 4 + 2 = 8.
    inst = town()
    r3 = bclp(inst, p=3)
    assert (r3.status, r3.added_ids, r3.objective) == ("optimal", ("A", "C", "D"), 2.0)
    agrees(inst, r3)
    r4 = bclp(inst, p=4)
    assert (r4.status, r4.objective, r4.count) == ("optimal", 8.0, 4)
    agrees(inst, r4)
    r2 = bclp(inst, p=2)
    assert r2.status == "infeasible" and r2.added == () and math.isnan(r2.objective)
    assert "cannot cover every coverable demand point once" in r2.message


def test_pmedian_hand_solved() -> None:
    # Weighted minutes of each pair (nearest open site per point):
    #   AB 3+4+4+4+10+24 = 49   AC 3+4+12+2+2+24 = 47   AD 3+4+20+6+4+6 = 43
    #   BC 15+4+4+2+2+30 = 57   BD 12+4+4+4+4+6 = 34    CD 12+12+12+2+2+6 = 46
    # -> p = 2: B, D with 34. No single site reaches every point (A misses d4, B d5, C d1,
    # D d2), so p = 1 is infeasible.
    inst = town()
    r = pmedian(inst, p=2)
    assert (r.status, r.added_ids, r.objective, r.gap) == ("optimal", ("B", "D"), 34.0, 0.0)
    # d1→D (4 < 5), d2→B, d3→B, d4→B (4 < 6), d5→D, d6→D
    assert r.assignment == (3, 1, 1, 1, 3, 3)
    agrees(inst, r)
    r1 = pmedian(inst, p=1)
    assert r1.status == "infeasible" and r1.uncoverable == ()
    assert "cannot reach every demand point" in r1.message


def test_pcenter_hand_solved() -> None:
    # Largest minutes to the nearest open site: AB 5, AC 4, AD 6, BC 5, BD 4, CD 6 -> p = 2
    # gives 4 (A, C or B, D). Triples: ABC 4, ABD 4, ACD 3, BCD 4 -> p = 3: A, C, D with 3.
    inst = town()
    r2 = pcenter(inst, p=2)
    assert (r2.status, r2.objective, r2.gap) == ("optimal", 4.0, 0.0)
    assert r2.added_ids in (("A", "C"), ("B", "D"))
    agrees(inst, r2)
    r3 = pcenter(inst, p=3)
    assert (r3.status, r3.added_ids, r3.objective) == ("optimal", ("A", "C", "D"), 3.0)
    agrees(inst, r3)
    assert pcenter(inst, p=1).status == "infeasible"


def test_existing_posts_are_kept_and_not_counted() -> None:
    # D is an existing post (covers d5, d6). LSCP: d1 needs A, d4 needs C -> 2 new posts.
    # MCLP p = 1: D's 8 is there already; A adds 5, B 6, C 4+1 = 5 -> B, 14.
    # p-median p = 1: B with D is the BD pair above, 34. BCLP p = 2: A and C are forced to
    # cover d1 and d4; d5 is then covered by C and D: 2.
    inst = town(existing=[False, False, False, True])
    r = lscp(inst)
    assert (r.objective, r.count, r.added_ids) == (2.0, 2, ("A", "C"))
    m = mclp(inst, p=1)
    assert (m.added_ids, m.objective, m.count) == (("B",), 14.0, 1)
    pm = pmedian(inst, p=1)
    assert (pm.added_ids, pm.objective) == (("B",), 34.0)
    b = bclp(inst, p=2)
    assert (b.added_ids, b.objective) == (("A", "C"), 2.0)
    for res in (r, m, pm, b):
        assert 3 not in res.added
        agrees(inst, res)
    with pytest.raises(ValueError, match=r"p must be at most the number .*\(3\); got 4"):
        mclp(inst, p=4)
    # p = 0: only the existing post
    assert mclp(inst, p=0).objective == 8.0
    assert pcenter(inst, p=0).status == "infeasible"  # D reaches nothing of d2


def test_infeasible_lscp_names_the_uncoverable_points() -> None:
    rows = [*MINUTES, [4, INF, 5, INF]]  # d7: nothing within 3 minutes
    ids = (*DEMAND, "d7")
    inst = SitingInstance.from_cost_matrix(
        rows, weights=[*WEIGHTS, 1], target_minutes=3.0, demand_ids=ids, candidate_ids=SITES
    )
    r = lscp(inst)
    assert r.status == "infeasible" and r.uncoverable == (6,) and r.uncoverable_ids == ("d7",)
    assert r.added == () and math.isnan(r.objective) and r.gap == math.inf
    assert r.as_dict()["uncoverable"] == ["d7"] and r.as_dict()["objective"] is None
    # MCLP and BCLP solve the rest and still name it
    m = mclp(inst, p=2)
    assert (m.status, m.objective, m.uncoverable_ids) == ("optimal", 14.0, ("d7",))
    # with weight 0 it needs no coverage
    zero = SitingInstance.from_cost_matrix(rows, weights=[*WEIGHTS, 0], target_minutes=3.0)
    assert lscp(zero).objective == 3.0


def test_unreachable_demand_makes_pmedian_and_pcenter_infeasible() -> None:
    rows = [*MINUTES, [INF, INF, INF, INF]]
    inst = SitingInstance.from_cost_matrix(rows, target_minutes=3.0)
    for model in ("pmedian", "pcenter"):
        r = site(inst, model=model, p=4)
        assert r.status == "infeasible" and r.uncoverable == (6,)
        assert "reached by no candidate" in r.message


def test_per_point_targets_no_rounding() -> None:
    # d1 with target 0.999 is no longer covered by A (1 minute); with target 1.0 it is.
    strict = town(target_minutes=[0.999, 3, 3, 3, 3, 3])
    r = lscp(strict)
    assert r.status == "infeasible" and r.uncoverable_ids == ("d1",)
    assert lscp(town(target_minutes=[1.0, 3, 3, 3, 3, 3])).objective == 3.0


def test_capacitated_pmedian_and_pcenter_hand_solved() -> None:
    # Three points of weight 2; X reaches them in 1, 1, 1 minutes, Y in 3, 2, 4.
    # Without capacities X alone serves all: 6. With capacity X = 4, Y = 6: p = 1 -> only Y
    # can serve all (6 <= 6): 2*(3+2+4) = 18. p = 2 -> X serves two, Y the point that costs
    # least extra (d2: +1): 2*1 + 2*2 + 2*1 = 8, and the largest minutes are then 2.
    minutes = [[1, 3], [1, 2], [1, 4]]
    free = SitingInstance.from_cost_matrix(minutes, weights=[2, 2, 2], target_minutes=5)
    assert pmedian(free, p=1).objective == 6.0
    inst = replace(free, capacity=np.array([4.0, 6.0]))
    one = pmedian(inst, p=1)
    assert (one.added, one.objective, one.assignment) == ((1,), 18.0, (1, 1, 1))
    two = pmedian(inst, p=2)
    assert (two.objective, two.assignment) == (8.0, (0, 1, 0))
    ev = evaluate(inst, two.added, assignment=two.assignment)
    assert ev["capacity_ok"] and ev["pmedian"] == 8.0
    assert not evaluate(inst, [0, 1])["capacity_ok"]  # nearest is X for all: 6 > 4
    center = pcenter(inst, p=2)
    assert (center.objective, center.assignment) == (2.0, (0, 1, 0))
    agrees(inst, center)
    tight = replace(free, capacity=np.array([4.0, 1.0]))
    assert pmedian(tight, p=2).status == "infeasible"
    assert pcenter(tight, p=2).status == "infeasible"


def test_sparse_matrix_gives_the_same_answers() -> None:
    dense = np.array(MINUTES, dtype=float)
    finite = np.isfinite(dense)
    rows, cols = np.nonzero(finite)
    mat = sparse.coo_array((dense[finite], (rows, cols)), shape=dense.shape)
    inst = SitingInstance.from_cost_matrix(mat, weights=WEIGHTS, target_minutes=3.0)
    ref = town()
    for model in MODELS:
        p = None if model == "lscp" else 2 if model != "bclp" else 3
        a, b = site(inst, model=model, p=p), site(ref, model=model, p=p)
        assert (a.objective, a.added) == (b.objective, b.added)
        agrees(inst, a)


def test_merging_is_reported() -> None:
    # d1 twice more (identical coverage {A}) and d6 twice more ({D}): 10 points, 6 sets.
    rows = [*MINUTES, MINUTES[0], MINUTES[0], MINUTES[5], MINUTES[5]]
    inst = SitingInstance.from_cost_matrix(rows, weights=[*WEIGHTS, 1, 1, 1, 1], target_minutes=3)
    r = mclp(inst, p=2)
    # B+D: 14 + the two extra d6 = 16; A+D: 13 + 2 + 2 = 17 -> A, D
    assert (r.objective, r.added) == (17.0, (0, 3))
    assert r.n_demand == 10 and r.n_demand_merged <= 6 and r.n_candidates_used <= 4
    assert r.build_seconds >= 0 and r.solve_seconds >= 0


# ---------------------------------------------------------------------------------------------
# Brute force on random small instances (merging, dominance and fixing must not change optima)


def brute(inst: SitingInstance, model: str, p: int | None) -> float | None:
    new = [j for j in range(inst.n_candidates) if not inst.existing[j]]
    sizes = range(len(new) + 1) if p is None else range(p + 1)
    best: float | None = None
    for size in sizes:
        for combo in itertools.combinations(new, size):
            for assignment in assignments(inst, combo):
                ev = evaluate(inst, combo, assignment=assignment)
                if inst.capacity is not None and not ev["capacity_ok"]:
                    continue
                if model == "lscp":
                    if ev["lscp_feasible"]:
                        return float(size)
                    continue
                if model == "bclp" and not ev["bclp_feasible"]:
                    continue
                value = float(ev[model])  # type: ignore[literal-required]
                if math.isinf(value):
                    continue
                if model in ("mclp", "bclp"):
                    best = value if best is None else max(best, value)
                else:
                    best = value if best is None else min(best, value)
    return best


def assignments(inst: SitingInstance, combo: tuple[int, ...]) -> list[list[int] | None]:
    """Nearest-post serving, or — with capacities — every assignment to open posts."""
    if inst.capacity is None:
        return [None]
    open_cols = sorted({*combo, *np.flatnonzero(inst.existing).tolist()})
    minutes = np.asarray(inst.minutes)
    options = []
    for i in range(inst.n_demand):
        if inst.weights[i] == 0:
            options.append([-1])
        else:
            options.append([j for j in open_cols if np.isfinite(minutes[i, j])] or [-2])
    if any(o == [-2] for o in options):
        return []
    return [list(a) for a in itertools.product(*options)]


@st.composite
def instances(draw: st.DrawFn, capacity: bool = False) -> SitingInstance:
    m = draw(st.integers(1, 5))
    pool = draw(st.integers(1, 4))
    n = draw(st.integers(1, 4 if capacity else 8))
    cell = st.one_of(st.integers(0, 7).map(float), st.just(INF))
    patterns = [draw(st.lists(cell, min_size=m, max_size=m)) for _ in range(pool)]
    # rows drawn from a small pool: identical rows (to merge) are common
    rows = [patterns[draw(st.integers(0, pool - 1))] for _ in range(n)]
    weights = draw(st.lists(st.integers(0, 3).map(float), min_size=n, max_size=n))
    targets = draw(st.lists(st.sampled_from([1.0, 2.5, 4.0]), min_size=n, max_size=n))
    existing = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    cap = None
    if capacity:
        cap = draw(st.lists(st.sampled_from([2.0, 3.0, 5.0, INF]), min_size=m, max_size=m))
    return SitingInstance.from_cost_matrix(
        rows, weights=weights, target_minutes=targets, existing=existing, capacity=cap
    )


def check_against_brute_force(inst: SitingInstance, model: str, p: int | None) -> None:
    r = site(inst, model=model, p=p)  # type: ignore[arg-type]
    expected = brute(inst, model, p)
    if expected is None:
        assert r.status == "infeasible"
        return
    assert r.status == "optimal"
    assert r.objective == pytest.approx(expected, abs=1e-9)
    assert r.gap == 0.0
    assert r.count <= (p if p is not None else inst.n_candidates)
    assert not any(inst.existing[j] for j in r.added)
    agrees(inst, r)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(), data=st.data())
def test_every_model_matches_brute_force(inst: SitingInstance, data: st.DataObject) -> None:
    n_new = int(np.count_nonzero(~inst.existing))
    p = data.draw(st.integers(0, n_new))
    for model in MODELS:
        check_against_brute_force(inst, model, None if model == "lscp" else p)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(capacity=True), data=st.data())
def test_capacitated_models_match_brute_force(inst: SitingInstance, data: st.DataObject) -> None:
    n_new = int(np.count_nonzero(~inst.existing))
    p = data.draw(st.integers(0, n_new))
    for model in ("pmedian", "pcenter"):
        check_against_brute_force(inst, model, p)


def test_larger_random_instances_match_plain_formulations() -> None:
    # 120 points x 25 sites: brute force is out of reach, so compare with the textbook MIPs
    # (no merging, no dominance, no fixing) solved by HiGHS directly.
    rng = np.random.default_rng(7)
    for _ in range(3):
        xy_d, xy_s = rng.random((120, 2)) * 10, rng.random((25, 2)) * 10
        minutes = np.hypot(*(xy_d[:, None, :] - xy_s[None, :, :]).transpose(2, 0, 1))
        w = rng.integers(1, 10, 120).astype(float)
        inst = SitingInstance.from_cost_matrix(minutes, weights=w, target_minutes=2.5)
        for p in (3, 6):
            r = mclp(inst, p=p)
            assert r.objective == pytest.approx(plain_mclp(minutes <= 2.5, w, p))
            agrees(inst, r)
        r = lscp(inst)
        if r.status == "optimal":
            assert r.objective == pytest.approx(plain_lscp(minutes <= 2.5))


def test_larger_random_pmedian_matches_the_assignment_formulation() -> None:
    # 60 points x 14 sites with unreachable pairs and existing posts: the heuristic, the
    # Lagrangian fixing and the cut-short levels must give the textbook optimum
    rng = np.random.default_rng(5)
    for _ in range(4):
        xy_d, xy_s = rng.random((60, 2)) * 10, rng.random((14, 2)) * 10
        minutes = np.round(np.hypot(*(xy_d[:, None, :] - xy_s[None, :, :]).transpose(2, 0, 1)), 1)
        minutes[rng.random(minutes.shape) < 0.2] = INF
        existing = np.zeros(14, dtype=bool)
        existing[:2] = True
        w = rng.integers(0, 6, 60).astype(float)
        inst = SitingInstance.from_cost_matrix(
            minutes, weights=w, target_minutes=2.0, existing=existing
        )
        for p in (2, 4):
            r = pmedian(inst, p=p)
            assert r.status == "optimal"
            assert r.objective == pytest.approx(plain_pmedian(minutes, w, existing, p), rel=1e-9)
            agrees(inst, r)


def plain_pmedian(minutes: np.ndarray, w: np.ndarray, existing: np.ndarray, p: int) -> float:
    n, m = minutes.shape
    h = highspy.Highs()
    h.silent()
    y = h.addBinaries(m)
    x = {}
    for i in range(n):
        if w[i] == 0:
            continue
        row = []
        for j in np.flatnonzero(np.isfinite(minutes[i])):
            x[i, j] = h.addVariable(lb=0, ub=1)
            h.addConstr(x[i, j] <= y[j])
            row.append(x[i, j])
        h.addConstr(sum(row) == 1)
    for j in np.flatnonzero(existing):
        h.addConstr(y[j] == 1)
    h.addConstr(sum(y[j] for j in range(m) if not existing[j]) <= p)
    h.minimize(sum(float(w[i] * minutes[i, j]) * v for (i, j), v in x.items()))
    return float(h.getInfo().objective_function_value)


def plain_mclp(cover: np.ndarray, w: np.ndarray, p: int) -> float:
    n, m = cover.shape
    h = highspy.Highs()
    h.silent()
    y = h.addBinaries(m)
    z = h.addVariables(n, lb=0, ub=1)
    for i in range(n):
        h.addConstr(z[i] <= sum(y[j] for j in np.flatnonzero(cover[i])))
    h.addConstr(sum(y[j] for j in range(m)) <= p)
    h.maximize(sum(float(w[i]) * z[i] for i in range(n)))
    return float(h.getInfo().objective_function_value)


def plain_lscp(cover: np.ndarray) -> float:
    n, m = cover.shape
    h = highspy.Highs()
    h.silent()
    y = h.addBinaries(m)
    for i in range(n):
        h.addConstr(sum(y[j] for j in np.flatnonzero(cover[i])) >= 1)
    h.minimize(sum(y[j] for j in range(m)))
    return float(h.getInfo().objective_function_value)


# ---------------------------------------------------------------------------------------------
# Solver status: time limits, gaps, errors


def harder_instance(seed: int = 3) -> SitingInstance:
    rng = np.random.default_rng(seed)
    xy_d, xy_s = rng.random((3000, 2)) * 20, rng.random((300, 2)) * 20
    d = np.hypot(*(xy_d[:, None, :] - xy_s[None, :, :]).transpose(2, 0, 1))
    return SitingInstance.from_cost_matrix(
        np.where(d <= 4, d, np.inf), weights=rng.integers(1, 20, 3000), target_minutes=3.0
    )


@pytest.mark.parametrize("limit", [0.05, 2.0])
@pytest.mark.parametrize("model", ["mclp", "lscp", "pcenter"])
def test_time_limit_status_and_gap_are_consistent(model: str, limit: float) -> None:
    # These take several seconds to solve exactly; a limit may still legitimately finish.
    inst = harder_instance()
    p = {"lscp": None, "mclp": 12, "pcenter": 40}[model]
    r = site(inst, model=model, p=p, time_limit=limit)  # type: ignore[arg-type]
    assert r.status in ("optimal", "time_limit")
    if r.status == "optimal":
        assert r.gap == 0.0 and r.objective == pytest.approx(r.bound)
    elif math.isnan(r.objective):
        assert r.added == () and r.gap == math.inf and "before any plan" in r.message
    else:
        # the plan's value never beats the proven bound, and the gap is measured against it
        if model == "mclp":
            assert r.objective <= r.bound + 1e-6
        else:
            assert r.objective >= r.bound - 1e-6
        if math.isfinite(r.bound) and r.objective != 0:
            assert r.gap == pytest.approx(abs(r.objective - r.bound) / abs(r.objective))
        assert "time limit" in r.message
        agrees(inst, r)


def test_asked_gap_is_honoured() -> None:
    inst = harder_instance()
    r = mclp(inst, p=12, mip_gap=0.05)
    assert r.status == "optimal" and 0.0 <= r.gap <= 0.05 + 1e-12
    assert r.objective <= r.bound + 1e-6
    exact = mclp(inst, p=12)
    assert exact.gap == 0.0 and r.objective <= exact.objective <= r.bound + 1e-6


def test_highs_error_status_raises_with_its_text() -> None:
    with pytest.raises(SolverError, match="HiGHS stopped with model status 'Solve error'"):
        siting._read_status(highspy.HighsModelStatus.kSolveError, "Solve error")
    with pytest.raises(SolverError, match="HiGHS rejected the model"):
        siting._accepted(highspy.HighsStatus.kError, "3 rows, 2 columns")


def test_an_impossible_solver_answer_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    # HiGHS calling a covering MIP infeasible that has a plan would be a solver bug: say so.
    def infeasible(*args: object, **kw: object) -> siting._Solved:
        return siting._Solved("infeasible", None, math.nan, 0.0)

    def nothing(a: object, *args: object) -> np.ndarray:
        return np.zeros(a.shape[1], dtype=bool)  # type: ignore[attr-defined]

    def everything(a: object, *args: object) -> np.ndarray:
        return np.ones(a.shape[1], dtype=bool)  # type: ignore[attr-defined]

    monkeypatch.setattr(siting, "_solve", infeasible)
    monkeypatch.setattr(siting, "_greedy_max", nothing)  # a poor plan: the MIP must run
    monkeypatch.setattr(siting, "_greedy_cover", everything)
    with pytest.raises(SolverError, match="MCLP infeasible although y = 0 is feasible"):
        mclp(town(), p=2)
    with pytest.raises(SolverError, match="LSCP infeasible although every row has a site"):
        lscp(town())


# ---------------------------------------------------------------------------------------------
# Bad input


def test_bad_matrices_are_named() -> None:
    with pytest.raises(ValueError, match=r"minutes must be 2-D .*got shape \(3,\)"):
        SitingInstance.from_cost_matrix([1, 2, 3], target_minutes=3)
    with pytest.raises(ValueError, match=r"must be >= 0 or inf .*demand 1, candidate 0 has nan"):
        SitingInstance.from_cost_matrix([[1, 2], [np.nan, 1]], target_minutes=3)
    with pytest.raises(ValueError, match=r"demand 0, candidate 1 has -2.0"):
        SitingInstance.from_cost_matrix([[1, -2]], target_minutes=3)
    dup = sparse.coo_array(([1.0, 2.0], ([0, 0], [1, 1])), shape=(1, 2))
    with pytest.raises(ValueError, match=r"store each cell once; demand 0, candidate 1"):
        SitingInstance.from_cost_matrix(dup, target_minutes=3)
    neg = sparse.coo_array(([-1.0], ([0], [1])), shape=(1, 2))
    with pytest.raises(ValueError, match=r"minutes must be >= 0 \(inf or absent"):
        SitingInstance.from_cost_matrix(neg, target_minutes=3)
    with pytest.raises(ValueError, match=r"minutes must be 2-D .*got shape \(3,\)"):
        SitingInstance.from_cost_matrix(sparse.coo_array(np.ones(3)), target_minutes=3)
    with pytest.raises(ValueError, match=r"minutes must be 2-D .*got \(3,\)"):
        SitingInstance(
            minutes=sparse.coo_array(np.ones(3)),
            weights=np.ones(1),
            target_minutes=np.ones(1),
            existing=np.zeros(1, dtype=bool),
        )


def test_bad_vectors_and_ids_are_named() -> None:
    m = [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(ValueError, match=r"weights must have shape \(n_demand,\) = \(2,\); got"):
        SitingInstance.from_cost_matrix(m, weights=[1, 2, 3], target_minutes=3)
    with pytest.raises(ValueError, match=r"weights must be finite and >= 0; entry 1 is -1.0"):
        SitingInstance.from_cost_matrix(m, weights=[1, -1], target_minutes=3)
    with pytest.raises(ValueError, match=r"target_minutes must have shape .*\(or one number\)"):
        SitingInstance.from_cost_matrix(m, target_minutes=[1, 2, 3])
    with pytest.raises(ValueError, match=r"target_minutes must be finite and >= 0; entry 0 is inf"):
        SitingInstance.from_cost_matrix(m, target_minutes=INF)
    with pytest.raises(ValueError, match=r"existing must be booleans of shape \(n_candidates,\)"):
        SitingInstance.from_cost_matrix(m, target_minutes=3, existing=[1, 0])
    with pytest.raises(ValueError, match=r"capacity must be >= 0 \(inf allowed\); entry 0 is -1.0"):
        SitingInstance.from_cost_matrix(m, target_minutes=3, capacity=[-1, INF])
    with pytest.raises(ValueError, match=r"demand_ids must hold n_demand = 2 ids; got 1"):
        SitingInstance.from_cost_matrix(m, target_minutes=3, demand_ids=["a"])
    with pytest.raises(ValueError, match=r"candidate_ids must be unique; 'x' appears more"):
        SitingInstance.from_cost_matrix(m, target_minutes=3, candidate_ids=["x", "x"])
    with pytest.raises(ValueError, match=r"demand_ids must be strings; got 7"):
        SitingInstance.from_cost_matrix(m, target_minutes=3, demand_ids=["a", 7])  # type: ignore[list-item]


def test_bad_options_are_named() -> None:
    inst = town()
    with pytest.raises(ValueError, match=r"p must be an integer number of new posts .*got True"):
        mclp(inst, p=True)
    with pytest.raises(ValueError, match=r"p must be >= 0 new posts; got -1"):
        pmedian(inst, p=-1)
    with pytest.raises(ValueError, match=r"p must be at most .*\(4\); got 5"):
        bclp(inst, p=5)
    with pytest.raises(ValueError, match=r"time_limit must be None or seconds > 0; got 0"):
        lscp(inst, time_limit=0)
    with pytest.raises(ValueError, match=r"mip_gap must be a fraction in \[0, 1\); got 1.5"):
        pcenter(inst, p=2, mip_gap=1.5)
    capped = town(capacity=[1, 1, 1, 1])
    for f in (lscp, mclp, bclp):
        with pytest.raises(ValueError, match=r"does not take capacities \(pmedian and pcenter"):
            f(capped) if f is lscp else f(capped, p=1)  # type: ignore[call-arg, operator]


def test_dispatcher_errors() -> None:
    inst = town()
    valid = "lscp, mclp, bclp, pmedian, pcenter"
    with pytest.raises(ValueError, match=rf"model must be one of {valid}; got 'mlcp'"):
        site(inst, model="mlcp", p=2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"p must be None for lscp"):
        site(inst, model="lscp", p=2)
    with pytest.raises(ValueError, match=r"p \(the number of new posts\) is required .*'mclp'"):
        site(inst, model="mclp")
    assert site(inst, model="lscp").objective == 3.0
    assert site(inst, model="pcenter", p=3, time_limit=10).objective == 3.0


def test_evaluator_rejects_bad_plans() -> None:
    inst = town(existing=[False, False, False, True])
    with pytest.raises(ValueError, match=r"chosen must be column indices 0..3; got \[9\]"):
        evaluate(inst, [9])
    with pytest.raises(ValueError, match=r"chosen must not repeat a column; got \[1, 1\]"):
        evaluate(inst, [1, 1])
    with pytest.raises(ValueError, match=r"chosen must be new posts, not existing .*\[3\]"):
        evaluate(inst, [3])
    with pytest.raises(ValueError, match=r"assignment must hold one column per demand point \(6\)"):
        evaluate(inst, [1], assignment=[1, 1])
    with pytest.raises(ValueError, match=r"demand 0 is assigned column 0"):
        evaluate(inst, [1], assignment=[0, 1, 1, 1, 3, 3])  # A is not open
    with pytest.raises(ValueError, match=r"demand 1 is assigned column 3"):
        evaluate(inst, [1], assignment=[3, 3, 1, 1, 3, 3])  # D does not reach d2
    ev = evaluate(inst, [1])
    assert ev["pmedian"] == 34.0 and ev["pcenter"] == 4.0 and ev["uncovered"] == (0, 3)


# ---------------------------------------------------------------------------------------------
# From a road network


def test_from_network_on_the_mini_town(make_scenario: object) -> None:
    from xunfang import scenario

    sc = scenario.load(make_scenario())  # type: ignore[operator]
    net = network.RoadNetwork.from_scenario(sc)
    # a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a ; b -400- e(800,0);
    # 30 km/h = 500 m a minute. Sites b and e, existing post at a; all nodes are demand.
    idx = network.index_of(net, ["a", "b", "c", "d", "e"])
    inst = SitingInstance.from_network(
        net,
        demand_nodes=idx,
        candidate_nodes=network.index_of(net, ["a", "b", "e"]),
        existing_nodes=network.index_of(net, ["a"]),
        target_minutes=1.0,
    )
    assert inst.candidate_ids == ("b", "e", "a")  # a holds the post: not a candidate too
    assert inst.existing.tolist() == [False, False, True]
    np.testing.assert_allclose(inst.minutes[:, 2], [0, 0.8, 1.4, 0.6, 1.6])
    # a covers a, b, d within 1 minute; c (1.4 from a, 0.6 from b) and e (0.8 from b) need b
    r = lscp(inst)
    assert (r.added_ids, r.objective) == (("b",), 1.0)
    with pytest.raises(ValueError, match=r"demand_nodes must be a 1-D array of node indices"):
        SitingInstance.from_network(net, demand_nodes=["a"], candidate_nodes=idx, target_minutes=1)
    with pytest.raises(ValueError, match=r"candidate_nodes must be node indices 0..4; got \[9\]"):
        SitingInstance.from_network(net, demand_nodes=idx, candidate_nodes=[9], target_minutes=1)
    with pytest.raises(ValueError, match=r"demand_nodes must be distinct nodes; node 'a'"):
        SitingInstance.from_network(net, demand_nodes=[0, 0], candidate_nodes=idx, target_minutes=1)


def test_real_network_matches_brute_force(data_dir: Path) -> None:
    # Baltimore (real OSM): 40 demand nodes, 8 candidate nodes, 3-minute car radius.
    from xunfang.network.imports import import_osm
    from xunfang.scenario.model import Policy

    roads, _ = import_osm(data_dir / "baltimore.osm.pbf", network_type="drive")
    net = network.RoadNetwork.from_roads(roads, policy=Policy())
    comp = network.components(net, connection="strong").largest
    rng = np.random.default_rng(11)
    demand = np.sort(rng.choice(comp, 40, replace=False))
    cands = np.sort(rng.choice(comp, 8, replace=False))
    inst = SitingInstance.from_network(
        net,
        demand_nodes=demand,
        candidate_nodes=cands,
        target_minutes=3.0,
        weights=rng.integers(1, 5, 40),
    )
    assert np.isfinite(inst.minutes).all()  # one strongly connected piece
    for model, p in (("mclp", 3), ("bclp", 6), ("pmedian", 3), ("pcenter", 3)):
        check_against_brute_force(inst, model, p)
    check_against_brute_force(inst, "lscp", None)
