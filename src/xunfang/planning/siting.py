"""Siting staging posts: where to add posts so that the 1-3-5 rings are met (选址).

The matrix comes first: a :class:`SitingInstance` holds the travel minutes from every candidate
site to every demand point (``SitingInstance.from_cost_matrix``); ``from_network`` computes
that matrix with the travel-time engine and hands it on. Each model takes the instance and
returns a :class:`SitingResult` value; nothing is printed and nothing is kept on an object.
:func:`evaluate` recomputes every model's objective from the matrix alone, without a solver.

Notation. I: demand points with weight w_i > 0 (a weight-0 point is ignored by every model);
J: candidate sites that are not existing posts; E: existing posts (always open, never counted in
p or in ``count``); d_ij: minutes from site j to demand i (∞ = unreachable); t_i: the target
minutes of i; N_i = {j ∈ J : d_ij ≤ t_i} (no rounding); e_i = |{j ∈ E : d_ij ≤ t_i}|.
y_j ∈ {0, 1}: a new post at j.

LSCP — location set covering (Toregas, Swain, ReVelle & Bergman 1971), over I⁰ = {i ∈ I :
e_i = 0}::

    (L1) minimize   Σ_j y_j
    (L2) subject to Σ_{j ∈ N_i} y_j ≥ 1         for i ∈ I⁰
    (L3)            y_j ∈ {0, 1}

If some i ∈ I⁰ has N_i = ∅ the problem is infeasible: the result names those points.

MCLP — maximal covering (Church & ReVelle 1974); W₀ = Σ_{i ∈ I, e_i ≥ 1} w_i::

    (M1) maximize   W₀ + Σ_{i ∈ I⁰} w_i z_i
    (M2) subject to z_i − Σ_{j ∈ N_i} y_j ≤ 0    for i ∈ I⁰, N_i ≠ ∅
    (M3)            Σ_j y_j ≤ p
    (M4)            0 ≤ z_i ≤ 1  (continuous: with y integral, z_i = min(1, Σ y) at the optimum)
    (M5)            y_j ∈ {0, 1}

BCLP — backup coverage, BACOP1 of Hogan & ReVelle (1986): among the plans that cover every
coverable demand point once, maximize the weight covered twice. W₂ = Σ_{i ∈ I, e_i ≥ 2} w_i;
C = {i ∈ I : e_i ≤ 1, N_i ≠ ∅} (points with e_i = 0 and N_i = ∅ cannot be covered and are
reported in ``uncoverable``; points with e_i = 1 and N_i = ∅ stay covered once, u_i = 0)::

    (B1) maximize   W₂ + Σ_{i ∈ C} w_i u_i
    (B2) subject to Σ_{j ∈ N_i} y_j − u_i ≥ 1 − e_i   for i ∈ C
    (B3)            Σ_j y_j ≤ p
    (B4)            0 ≤ u_i ≤ 1  (continuous, integral at the optimum as in M4)
    (B5)            y_j ∈ {0, 1}

(B2) with u_i = 0 is the first coverage; u_i = 1 needs a second post. If (B2)–(B3) cannot
hold with p new posts the result is ``infeasible`` and its message says so.

In (M3) and (B3) — and (P4), (C5) below — "≤ p" replaces the textbooks' "= p": every
objective is monotone in y, so the optimum is the same, and ``count`` may be below p. MCLP
opens the fewest posts among its optimal plans (:func:`_max_cover`: none that adds nothing).
Before solving, the demand points of LSCP, MCLP and BCLP
with identical coverage sets N_i (and, for BCLP, the same e_i) are merged, their weights summed;
candidates that cover no remaining point are dropped; for LSCP and MCLP a candidate whose N_j
lies inside another's is dropped too (never needed: swap it for the other). ``n_demand_merged``
and ``n_candidates_used`` give the sizes after these reductions.

p-median — total weighted minutes to the nearest open post (existing included). Uncapacitated:
the radius formulation (Cornuéjols, Nemhauser & Wolsey 1980; Elloumi 2010; García, Labbé &
Marín 2011). For demand i let ε_i = min_{j ∈ E} d_ij (∞ without an existing post in reach),
D_i^1 < … < D_i^{K_i} the distinct minutes d_ij < ε_i of the candidates j ∈ J, S_i^k = {j ∈ J :
d_ij = D_i^k}, and D_i^{K_i+1} = ε_i. z_i^k ≥ 0 is 1 when no post within D_i^k is open::

    (P1) minimize   Σ_i w_i (D_i^1 + Σ_{k=1..K_i} (D_i^{k+1} − D_i^k) z_i^k)
    (P2) subject to z_i^1 + Σ_{j ∈ S_i^1} y_j ≥ 1
    (P3)            z_i^k − z_i^{k−1} + Σ_{j ∈ S_i^k} y_j ≥ 0        for k = 2..K_i
    (P4)            Σ_j y_j ≤ p
    (P5)            z_i^k ≥ 0 continuous; z_i^{K_i} = 0 when ε_i = ∞; y_j ∈ {0, 1}

A point with K_i = 0 costs w_i ε_i whatever is added. Summing (P2)–(P3) gives Elloumi's
z_i^k + Σ_{d_ij ≤ D_i^k} y_j ≥ 1; the chained form is the strong assignment formulation with the
assignments of each distance level aggregated (x_i^k = z_i^{k−1} − z_i^k ≤ Σ_{S_i^k} y_j), so its
LP bound is the classical strong bound, with one nonzero per (i, j) pair instead of one per
(i, j, level) and no level beyond the nearest existing post. That is why it is used: the
assignment formulation needs a variable and a linking row per pair, and Elloumi's unchained
rows are O(K_i²) nonzeros per point.

With capacities c_j (in units of weight; ``inf`` = unlimited) demand is assigned whole to one
post (single sourcing), over the pairs with finite d_ij::

    (C1) minimize   Σ_{i,j} w_i d_ij x_ij
    (C2) subject to Σ_j x_ij = 1                      for i ∈ I
    (C3)            x_ij − y_j ≤ 0                    for each pair
    (C4)            Σ_i w_i x_ij − c_j y_j ≤ 0        for j with finite c_j
    (C5)            Σ_{j ∈ J} y_j ≤ p
    (C6)            y_j = 1 for j ∈ E;  x_ij, y_j ∈ {0, 1}

p-center — minimize the largest minutes from a demand point to its post. The min–max MIP
(minimize r subject to r ≥ Σ_j d_ij x_ij) has an LP bound near zero and branches endlessly, so
the exact method used is a binary search over the sorted distinct finite minutes R (Minieka
1970): R is feasible when the set-covering rows (L2) with N_i(R) = {j ∈ J : d_ij ≤ R} over the
points with no existing post within R hold together with Σ_j y_j ≤ p — or, with capacities,
when (C2)–(C6) hold over the pairs d_ij ≤ R. Each test is a small covering MIP that stops at
its first feasible plan; the search starts at max_i min_j d_ij (a lower bound) and jumps to the
radius a feasible plan actually reaches.

How they are solved. Every MIP is built as CSR arrays with numpy and passed to HiGHS (highspy)
in one ``passModel`` call. Handing the whole reduced model to HiGHS is exact but slow at city
scale (the Baltimore MCLP of 10,000 points x 1,000 sites, p = 7: 34 s with presolve off, far
longer with it), so each model is solved in exact steps that keep the MIPs small:

* LSCP and MCLP (:func:`_min_cover`, :func:`_max_cover`): a greedy plan improved by swaps; the
  LP relaxation and, from its duals, a Lagrangian bound valid for any multipliers
  (:class:`_Relaxed`); the model restricted to the most promising sites, solved exactly, for a
  better plan; reduced-cost fixing of every site by that plan; if a site the fixing leaves free
  lay outside the restricted set, the model over all free sites. The returned plan is the
  best found; "optimal" means no plan is better, by the bound or by the last MIP.
* p-median (:func:`_pmedian_core`): greedy and Teitz–Bart swaps; the Lagrangian dual of the
  assignment rows by subgradient ascent (its optimum is the LP bound) and the plan its
  choice gives; the p-median over the most promising sites; Lagrangian fixing of the sites;
  then P1–P5 over the free sites with each point's levels cut after its plan's second-nearest
  post — a cut-short point is charged its next level, so the model is a relaxation — and
  points the solver's plan under-charges get more levels until none is (then its plan is
  optimal) or the relaxation's bound meets the best plan.
* p-center: the binary search above; a greedy cover settles a radius before any MIP.

The model status is read and mapped to ``optimal`` (within ``mip_gap``), ``time_limit`` or
``infeasible``; any other status raises :class:`SolverError` with HiGHS' text. A solution is read
only when HiGHS reports a feasible one. ``bound`` is the proven bound (HiGHS' dual bound, the
LP or Lagrangian bound, or the p-center search's smallest radius not proven too small) and
``gap`` = |objective − bound| / |objective| of the returned plan (0.0 when proven optimal with
``mip_gap=0``; differences within HiGHS' absolute tolerance of 1e-6 count as 0).
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypedDict, cast, get_args

import highspy
import numpy as np
import numpy.typing as npt
from highspy._core import _Highs
from scipy import sparse

from xunfang import network
from xunfang._errors import XunfangError
from xunfang.network import RoadNetwork
from xunfang.scenario.model import BoolArray, FloatArray, IntArray, Mode

__all__ = [
    "MODELS",
    "Evaluation",
    "ModelName",
    "SitingInstance",
    "SitingResult",
    "SolverError",
    "Status",
    "bclp",
    "evaluate",
    "lscp",
    "mclp",
    "pcenter",
    "pmedian",
    "site",
]

ModelName = Literal["lscp", "mclp", "bclp", "pmedian", "pcenter"]
MODELS: tuple[ModelName, ...] = get_args(ModelName)
Status = Literal["optimal", "time_limit", "infeasible"]

#: HiGHS' default absolute MIP gap: objective differences below it count as none.
_ABS_TOL = 1e-6


class SolverError(XunfangError, RuntimeError):
    """HiGHS stopped with a status that is neither optimal, time limit nor infeasible."""


# ---------------------------------------------------------------------------------------------
# The instance


@dataclass(frozen=True, eq=False)
class SitingInstance:
    """Demand points, candidate sites and the minutes between them. Build with
    :meth:`from_cost_matrix` (or :meth:`from_network`).

    ``minutes[i, j]`` is the travel time from candidate j to demand point i, shape
    (n_demand, n_candidates): a float64 array with ``inf`` for unreachable, or a scipy sparse
    matrix whose stored entries (explicit zeros included) are minutes and whose absent entries
    are unreachable. ``weights`` (>= 0) weigh demand points; a point meets its target when
    ``minutes <= target_minutes[i]`` (no rounding). ``existing[j]`` marks existing posts: always
    open, never counted in p or in ``count``. ``capacity[j]`` (weight units, ``inf`` =
    unlimited) is honoured by p-median and p-center. Ids, when given, name rows and columns in
    the results.
    """

    minutes: Any  # FloatArray or scipy.sparse.csr_array
    weights: FloatArray
    target_minutes: FloatArray
    existing: BoolArray
    capacity: FloatArray | None = None
    demand_ids: tuple[str, ...] | None = None
    candidate_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        minutes = _check_minutes(self.minutes)
        n, m = minutes.shape
        object.__setattr__(self, "minutes", minutes)
        object.__setattr__(self, "weights", _vector("weights", self.weights, n, "n_demand"))
        object.__setattr__(
            self,
            "target_minutes",
            _vector("target_minutes", self.target_minutes, n, "n_demand", scalar=True),
        )
        existing = np.asarray(self.existing)
        if existing.shape != (m,) or existing.dtype != np.bool_:
            raise ValueError(
                f"existing must be booleans of shape (n_candidates,) = ({m},); "
                f"got dtype {existing.dtype}, shape {existing.shape}"
            )
        existing = existing.copy()
        existing.setflags(write=False)
        object.__setattr__(self, "existing", existing)
        if self.capacity is not None:
            cap = _vector("capacity", self.capacity, m, "n_candidates", allow_inf=True)
            object.__setattr__(self, "capacity", cap)
        for name, size, what in (
            ("demand_ids", n, "n_demand"),
            ("candidate_ids", m, "n_candidates"),
        ):
            ids = getattr(self, name)
            if ids is not None:
                object.__setattr__(self, name, _ids(name, ids, size, what))

    @property
    def n_demand(self) -> int:
        return int(self.minutes.shape[0])

    @property
    def n_candidates(self) -> int:
        """All columns: candidate sites and existing posts."""
        return int(self.minutes.shape[1])

    @classmethod
    def from_cost_matrix(
        cls,
        minutes: npt.ArrayLike | sparse.sparray | sparse.spmatrix,
        *,
        target_minutes: float | npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
        existing: npt.ArrayLike | None = None,
        capacity: npt.ArrayLike | None = None,
        demand_ids: Sequence[str] | None = None,
        candidate_ids: Sequence[str] | None = None,
    ) -> SitingInstance:
        """The instance of a (n_demand, n_candidates) matrix of minutes, candidate → demand.

        ``target_minutes`` is one number or one per demand point; ``weights`` default to 1;
        ``existing`` (booleans per column) defaults to none. Raises ``ValueError`` naming the
        argument, the rule and the bad value.
        """
        mat: Any = (
            minutes if sparse.issparse(minutes) else np.asarray(minutes, dtype=np.float64)
        )
        if mat.ndim != 2:
            raise ValueError(
                f"minutes must be 2-D (n_demand, n_candidates); got shape {mat.shape}"
            )
        n, m = (int(v) for v in mat.shape)
        return cls(
            minutes=mat,
            weights=np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64),
            target_minutes=np.asarray(target_minutes, dtype=np.float64),
            existing=np.zeros(m, dtype=bool) if existing is None else np.asarray(existing),
            capacity=None if capacity is None else np.asarray(capacity, dtype=np.float64),
            demand_ids=None if demand_ids is None else tuple(demand_ids),
            candidate_ids=None if candidate_ids is None else tuple(candidate_ids),
        )

    @classmethod
    def from_network(
        cls,
        net: RoadNetwork,
        *,
        demand_nodes: npt.ArrayLike,
        candidate_nodes: npt.ArrayLike,
        target_minutes: float | npt.ArrayLike,
        existing_nodes: npt.ArrayLike = (),
        mode: Mode = "car",
        hour: int | None = None,
        weights: npt.ArrayLike | None = None,
        cutoff_minutes: float | None = None,
        capacity: npt.ArrayLike | None = None,
    ) -> SitingInstance:
        """The instance of node indices on a road network, minutes by
        ``xunfang.network.travel_times`` from each site to each demand node.

        Columns are ``candidate_nodes`` (less any that hold an existing post: the post is
        already there) followed by ``existing_nodes``; ids are the nodes' ids. ``capacity``,
        when given, has one value per column in that order. ``cutoff_minutes`` bounds the
        searches (beyond it: unreachable) — ``max(target_minutes)`` is enough for LSCP, MCLP
        and BCLP; p-median and p-center need the full times (None).
        """
        demand = _node_list(net, "demand_nodes", demand_nodes)
        cands = _node_list(net, "candidate_nodes", candidate_nodes)
        exist = _node_list(net, "existing_nodes", existing_nodes)
        cands = cands[~np.isin(cands, exist)]
        cols = np.concatenate([cands, exist])
        times = network.travel_times(
            net, cols, demand, mode=mode, hour=hour, cutoff_minutes=cutoff_minutes
        )
        ids = net.node_ids
        return cls.from_cost_matrix(
            np.ascontiguousarray(times.T),
            target_minutes=target_minutes,
            weights=weights,
            existing=np.arange(cols.shape[0]) >= cands.shape[0],
            capacity=capacity,
            demand_ids=[ids[i] for i in demand.tolist()],
            candidate_ids=[ids[j] for j in cols.tolist()],
        )


def _check_minutes(minutes: Any) -> Any:
    if sparse.issparse(minutes):
        if minutes.ndim != 2:
            raise ValueError(f"minutes must be 2-D (n_demand, n_candidates); got {minutes.shape}")
        coo = sparse.coo_array(minutes)  # keeps every stored entry, duplicates included
        row = np.asarray(coo.row, dtype=np.int64)
        col = np.asarray(coo.col, dtype=np.int64)
        data = np.asarray(coo.data, dtype=np.float64)
        order = np.lexsort((col, row))
        same = (np.diff(row[order]) == 0) & (np.diff(col[order]) == 0)
        if np.any(same):
            at = order[int(np.flatnonzero(same)[0])]
            raise ValueError(
                f"minutes (sparse) must store each cell once; demand {int(row[at])}, "
                f"candidate {int(col[at])} is stored twice"
            )
        bad = np.isnan(data) | (data < 0)
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"minutes must be >= 0 (inf or absent = unreachable); demand {int(row[at])}, "
                f"candidate {int(col[at])} has {data[at]}"
            )
        csr = sparse.csr_array((data, (row, col)), shape=coo.shape)
        csr.sort_indices()
        for arr in (csr.data, csr.indices, csr.indptr):
            arr.setflags(write=False)
        return csr
    arr = np.array(minutes, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"minutes must be 2-D (n_demand, n_candidates); got shape {arr.shape}")
    bad = np.isnan(arr) | (arr < 0)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"minutes must be >= 0 or inf (unreachable); demand {i}, candidate {j} has {arr[i, j]}"
        )
    arr.setflags(write=False)
    return arr


def _vector(
    name: str,
    values: object,
    size: int,
    what: str,
    *,
    scalar: bool = False,
    allow_inf: bool = False,
) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if scalar and arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        one = " (or one number)" if scalar else ""
        raise ValueError(f"{name} must have shape ({what},) = ({size},){one}; got {arr.shape}")
    ok = ~np.isnan(arr) & (arr >= 0) & (np.isfinite(arr) | allow_inf)
    if not ok.all():
        k = int(np.flatnonzero(~ok)[0])
        rule = ">= 0 (inf allowed)" if allow_inf else "finite and >= 0"
        raise ValueError(f"{name} must be {rule}; entry {k} is {arr[k]}")
    arr = arr.copy()
    arr.setflags(write=False)
    return arr


def _ids(name: str, ids: Sequence[str], size: int, what: str) -> tuple[str, ...]:
    out = tuple(ids)
    if len(out) != size:
        raise ValueError(f"{name} must hold {what} = {size} ids; got {len(out)}")
    bad = [i for i in out if not isinstance(i, str)]
    if bad:
        raise ValueError(f"{name} must be strings; got {bad[0]!r}")
    if len(set(out)) != size:
        seen: set[str] = set()
        dup = next(i for i in out if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise ValueError(f"{name} must be unique; {dup!r} appears more than once")
    return out


def _node_list(net: RoadNetwork, name: str, nodes: npt.ArrayLike) -> IntArray:
    arr = np.asarray(nodes)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be a 1-D array of node indices (map ids with "
            f"xunfang.network.index_of); got dtype {arr.dtype}, shape {arr.shape}"
        )
    bad = (arr < 0) | (arr >= net.n_nodes)
    if bad.any():
        raise ValueError(
            f"{name} must be node indices 0..{net.n_nodes - 1}; got {arr[bad][:5].tolist()}"
        )
    out = arr.astype(np.int64)
    if np.unique(out).shape[0] != out.shape[0]:
        vals, counts = np.unique(out, return_counts=True)
        raise ValueError(
            f"{name} must be distinct nodes; node {net.node_ids[int(vals[counts > 1][0])]!r} "
            "is listed more than once"
        )
    return out


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, eq=False)
class SitingResult:
    """What a siting model found.

    ``added`` are the column indices of the new posts (``added_ids`` their ids), ``count`` how
    many. ``objective`` is the value of the returned plan (``nan`` when there is none): LSCP
    the number of new posts, MCLP the covered weight, BCLP the weight covered twice, p-median
    the weighted minutes, p-center the largest minutes — existing posts included throughout.
    ``bound`` is the proven bound on the optimum and ``gap`` = |objective − bound| / |objective|
    (0.0 when proven optimal, ``inf`` without a plan). ``status`` is ``optimal`` (within the
    asked ``mip_gap``), ``time_limit`` or ``infeasible``; ``message`` says why when it is not
    ``optimal``. ``uncoverable`` lists the demand points (weight > 0) that no site — candidate
    or existing — reaches within its target (within any time for p-median and p-center).
    ``assignment[i]`` (p-median, p-center) is the column serving demand i (-1 for weight 0 or
    no plan). ``covered_weight_share`` is the share of weight within its target with the
    existing plus the added posts. ``n_demand_merged`` and ``n_candidates_used`` are the rows
    (demand points after merging) and columns (sites) the solver saw; ``n_candidates`` counts
    the non-existing candidates.
    """

    model: ModelName
    status: Status
    objective: float
    bound: float
    gap: float
    added: tuple[int, ...]
    count: int
    added_ids: tuple[str, ...] | None
    uncoverable: tuple[int, ...]
    uncoverable_ids: tuple[str, ...] | None
    covered_weight_share: float
    assignment: tuple[int, ...] | None
    p: int | None
    n_demand: int
    n_demand_merged: int
    n_candidates: int
    n_candidates_used: int
    build_seconds: float
    solve_seconds: float
    message: str = ""

    def as_dict(self) -> dict[str, object]:
        """The JSON object of ``xunfang rings site``: ids where the instance has them."""

        def num(x: float) -> float | None:
            return x if math.isfinite(x) else None

        return {
            "model": self.model,
            "added": list(self.added_ids if self.added_ids is not None else self.added),
            "count": self.count,
            "objective": num(self.objective),
            "status": self.status,
            "gap": num(self.gap),
            "uncoverable": list(
                self.uncoverable_ids if self.uncoverable_ids is not None else self.uncoverable
            ),
            "covered_weight_share": self.covered_weight_share,
            "message": self.message,
        }


class Evaluation(TypedDict):
    """What :func:`evaluate` recomputes for one choice of new posts (existing ones open too).

    ``lscp`` is the count, valid as an LSCP plan when ``lscp_feasible``; ``mclp`` the covered
    weight; ``bclp`` the weight covered at least twice, valid when ``bclp_feasible`` (every
    demand point some site can cover is covered); ``pmedian`` the weighted minutes to the
    serving post and ``pcenter`` the largest (over weight > 0), ``inf`` when a point is
    unreachable; ``capacity_ok`` whether each post's assigned weight is within its capacity.
    """

    count: int
    covered_weight: float
    covered_weight_share: float
    uncovered: tuple[int, ...]
    lscp: int
    lscp_feasible: bool
    mclp: float
    bclp: float
    bclp_feasible: bool
    pmedian: float
    pcenter: float
    assignment: tuple[int, ...]
    capacity_ok: bool


# ---------------------------------------------------------------------------------------------
# Pairs: the finite cells of the matrix, row by row (CSR, columns sorted within a row)


@dataclass(frozen=True)
class _Pairs:
    indptr: IntArray
    col: IntArray
    minutes: FloatArray

    @property
    def n_rows(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def row(self) -> IntArray:
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.indptr))

    def select(self, keep: BoolArray) -> _Pairs:
        counts = np.bincount(self.row[keep], minlength=self.n_rows)
        indptr = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return _Pairs(indptr, self.col[keep], self.minutes[keep])


def _pairs(inst: SitingInstance) -> _Pairs:
    """Every finite cell of the matrix."""
    mat = inst.minutes
    if sparse.issparse(mat):
        keep = np.isfinite(mat.data)
        whole = _Pairs(
            np.asarray(mat.indptr, dtype=np.int64),
            np.asarray(mat.indices, dtype=np.int64),
            np.asarray(mat.data, dtype=np.float64),
        )
        return whole if keep.all() else whole.select(keep)
    finite = np.isfinite(mat)
    rows, cols = np.nonzero(finite)  # row-major: rows ascending, columns sorted within
    indptr = np.zeros(mat.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=mat.shape[0]), out=indptr[1:])
    return _Pairs(indptr, cols.astype(np.int64), mat[rows, cols])


def _wsum(index: IntArray, *, weights: FloatArray, minlength: int) -> FloatArray:
    """Sum of ``weights`` per ``index`` value (``np.bincount`` with weights, typed)."""
    return np.asarray(np.bincount(index, weights=weights, minlength=minlength), dtype=np.float64)


def _row_counts(p: _Pairs, mask: BoolArray) -> IntArray:
    return np.bincount(p.row[mask], minlength=p.n_rows).astype(np.int64)


def _merge_rows(p: _Pairs, rows: IntArray, key: IntArray) -> tuple[IntArray, _Pairs]:
    """Group ``rows`` of ``p`` whose column sets (and ``key`` value) are identical.

    Returns the group of each row (0..g-1) and the column sets of the groups (minutes dropped).
    Exact: the rows are padded into one integer array and grouped with ``np.unique``.
    """
    lens = np.diff(p.indptr)[rows]
    width = int(lens.max()) if rows.size else 0
    pad = np.full((rows.shape[0], width + 2), -1, dtype=np.int64)
    pad[:, 0] = key
    pad[:, 1] = lens
    if width:
        offs = np.arange(width)
        take = offs[None, :] < lens[:, None]
        pad[:, 2:][take] = p.col[_cells(p.indptr, rows)]
    _, first, group = np.unique(pad, axis=0, return_index=True, return_inverse=True)
    rep = rows[first]
    indptr = np.zeros(rep.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.diff(p.indptr)[rep], out=indptr[1:])
    cells = _cells(p.indptr, rep)
    merged = _Pairs(indptr, p.col[cells], p.minutes[cells])
    return group.reshape(-1).astype(np.int64), merged


def _cells(indptr: IntArray, rows: IntArray) -> IntArray:
    """Positions of the cells of ``rows`` (in that order) in a CSR with ``indptr``."""
    starts, lens = indptr[rows], indptr[rows + 1] - indptr[rows]
    total = int(lens.sum())
    head = np.zeros(rows.shape[0], dtype=np.int64)
    np.cumsum(lens[:-1], out=head[1:])
    return np.repeat(starts - head, lens) + np.arange(total, dtype=np.int64)


def _undominated(merged: _Pairs, key: IntArray) -> tuple[IntArray, _Pairs]:
    """Drop the candidates whose coverage set lies inside another's, then merge again.

    A candidate j whose rows are a subset of candidate k's rows (the lower index kept among
    equal sets) is never needed by LSCP or MCLP: swapping j for k, or dropping j when k is
    open, loses no coverage. (Not so for BCLP, where j and k together cover twice.) Only the
    candidates covering j's rarest row can hold j's rows, so only those pairs are tested, as
    bitsets over the rows: j ⊆ k when ``j & ~k`` is zero in every word.
    Returns each merged row's new group and the merged rows of the reduced relation.
    """
    used, pos = _compact(merged.col)
    k, r = used.shape[0], merged.n_rows
    if k < 2:
        return np.arange(r, dtype=np.int64), merged
    words = (r + 63) // 64
    bits = np.zeros((k, words), dtype=np.uint64)
    row = merged.row
    one_bit = np.left_shift(np.uint64(1), (row % 64).astype(np.uint64))
    np.bitwise_or.at(bits, (pos, row // 64), one_bit)
    # each column's rarest row, and the columns covering it
    degree = np.diff(merged.indptr)[row]
    order = np.lexsort((degree, pos))
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = pos[order][1:] != pos[order][:-1]
    rarest = np.empty(k, dtype=np.int64)
    rarest[pos[order][first]] = row[order][first]
    cells = _cells(merged.indptr, rarest)
    j = np.repeat(np.arange(k), np.diff(merged.indptr)[rarest])
    other = pos[cells]
    keep = other != j
    j, other = j[keep], other[keep]
    dominated = np.zeros(k, dtype=bool)
    chunk = max(1, (1 << 20) // words)
    for start in range(0, j.shape[0], chunk):
        a, b = j[start : start + chunk], other[start : start + chunk]
        inside = ~np.any(bits[a] & ~bits[b], axis=1)  # rows(a) ⊆ rows(b)
        equal = inside & ~np.any(bits[b] & ~bits[a], axis=1)
        hit = inside & (~equal | (b < a))
        dominated[a[hit]] = True
    reduced = merged.select(~dominated[pos])
    return _merge_rows(reduced, np.arange(r, dtype=np.int64), key)


def _compact(cols: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct columns used (sorted) and each entry's position among them."""
    used, pos = np.unique(cols, return_inverse=True)
    return used.astype(np.int64), pos.reshape(-1).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# HiGHS


@dataclass(frozen=True)
class _Mip:
    """A MIP in arrays: columns (cost, bounds, integrality) and rows in CSR."""

    maximize: bool
    offset: float
    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    row_lower: FloatArray
    row_upper: FloatArray
    row: IntArray  # COO triplets, turned into CSR in _solve
    col: IntArray
    val: FloatArray


@dataclass(frozen=True)
class _Solved:
    status: Status
    x: FloatArray | None  # None when HiGHS holds no feasible solution
    bound: float
    seconds: float


_STATUS: dict[object, Status] = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    # Our objectives are bounded (binary sites, bounded z/u/x), so "unbounded or infeasible"
    # can only mean infeasible.
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
}


def _read_status(status: highspy.HighsModelStatus, text: str) -> Status:
    """Our status of a HiGHS model status; anything else raises with HiGHS' text."""
    got = _STATUS.get(status)
    if got is None:
        raise SolverError(
            f"HiGHS stopped with model status {text!r} ({status.name}); expected optimal, "
            "time limit or infeasible"
        )
    return got


def _highs(
    mip: _Mip, *, time_limit: float | None, mip_gap: float, presolve: bool = True
) -> tuple[_Highs, Any]:
    """A silent HiGHS holding ``mip`` (passed in one call), and the CSR matrix passed."""
    n_rows = mip.row_lower.shape[0]
    n_cols = mip.cost.shape[0]
    a = sparse.csr_array((mip.val, (mip.row, mip.col)), shape=(n_rows, n_cols))
    a.sum_duplicates()
    # highspy.Highs prints a banner to C stdout when constructed, before any option can be
    # set (it calls into HiGHS in __init__); the core class stays silent once output_flag is
    # off, which keeps `--json` output clean.
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("mip_abs_gap", _ABS_TOL)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
    if not presolve:
        h.setOptionValue("presolve", "off")
    status = h.passModel(
        n_cols,
        n_rows,
        int(a.nnz),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize if mip.maximize else highspy.ObjSense.kMinimize),
        float(mip.offset),
        np.ascontiguousarray(mip.cost, dtype=np.float64),
        np.ascontiguousarray(mip.lower, dtype=np.float64),
        np.ascontiguousarray(mip.upper, dtype=np.float64),
        np.ascontiguousarray(mip.row_lower, dtype=np.float64),
        np.ascontiguousarray(mip.row_upper, dtype=np.float64),
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        np.ascontiguousarray(a.data, dtype=np.float64),
        mip.integer.astype(np.int32),
    )
    _accepted(status, f"{n_rows} rows, {n_cols} columns")
    return h, a


def _accepted(status: highspy.HighsStatus, what: str) -> None:
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected the model ({what}) with status {status.name}")


def _run(h: _Highs) -> tuple[Status, float]:
    """Run HiGHS; our status (raising on any other) and the seconds it took."""
    t0 = time.perf_counter()
    h.run()  # its return status adds nothing to the model status read below
    seconds = time.perf_counter() - t0
    model_status = h.getModelStatus()
    # a failed run leaves a model status outside _STATUS (solve error …): _read_status raises
    return _read_status(model_status, h.modelStatusToString(model_status)), seconds


def _solve(
    mip: _Mip,
    *,
    time_limit: float | None,
    mip_gap: float,
    first_feasible: bool = False,
    start: FloatArray | None = None,
    presolve: bool = True,
) -> _Solved:
    h, _ = _highs(mip, time_limit=time_limit, mip_gap=mip_gap, presolve=presolve)
    if first_feasible:
        # A feasibility test: any plan will do, so the gap tolerance spans every objective.
        h.setOptionValue("mip_abs_gap", float(np.sum(np.abs(mip.cost))) + 1.0)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.ascontiguousarray(start, dtype=np.float64)
        sol.value_valid = True
        h.setSolution(sol)
    ours, seconds = _run(h)
    info = h.getInfo()
    x = None
    if ours != "infeasible" and info.primal_solution_status == highspy.kSolutionStatusFeasible:
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    bound = float(info.mip_dual_bound) if ours != "infeasible" else math.nan
    return _Solved(status=ours, x=x, bound=bound, seconds=seconds)


@dataclass(frozen=True)
class _Relaxed:
    """The LP relaxation of a MIP and the Lagrangian bound built from its duals.

    For any multipliers π on the rows, every x with L ≤ Ax ≤ U and l ≤ x ≤ u has, when
    maximizing, cᵀx ≤ Σ_r π_r β_r + Σ_j max(g_j l_j, g_j u_j) with g = c − Aᵀπ and β_r = U_r
    where π_r > 0, L_r where π_r < 0. This holds whatever π is, so HiGHS' LP duals are used
    without trusting their tolerances. Minimizing is maximizing −cᵀx (``sign`` = −1); ``value``
    is in that maximizing sense.
    """

    ok: bool
    x: FloatArray
    value: float
    g: FloatArray
    term: FloatArray
    margin: float
    sign: float
    seconds: float
    pi: FloatArray | None = None  # the multipliers of the rows the bound was built with

    @property
    def bound(self) -> float:
        """Bound on the MIP optimum: upper when maximizing, lower when minimizing."""
        return self.sign * self.value if self.ok else self.sign * math.inf

    def proves(self, incumbent: float, step: float) -> bool:
        """Whether no plan is better than ``incumbent`` (values are multiples of ``step``)."""
        return self.ok and self.value + self.margin < self.sign * incumbent + step

    def potential(self, k: int) -> FloatArray:
        """The bound (maximizing sense) with each binary column 0..k-1 forced to 1."""
        if not self.ok:
            return np.zeros(k)
        return self.value - self.term[:k] + self.g[:k]

    def fixings(self, k: int, incumbent: float, step: float) -> tuple[BoolArray, BoolArray]:
        """Binary columns 0..k-1 that no plan better than ``incumbent`` has at 1, and at 0.

        Forcing y_j to 1 (to 0) replaces column j's term of the bound by g_j (by 0); where that
        bound is below ``incumbent + step`` (step = 1 when every plan's value is an integer,
        else 0), no plan better than the incumbent has y_j = 1 (= 0) — reduced-cost fixing.
        """
        if not self.ok:
            return np.zeros(k, dtype=bool), np.zeros(k, dtype=bool)
        inc = self.sign * incumbent + step - self.margin
        with_one = self.value - self.term[:k] + self.g[:k]
        with_zero = self.value - self.term[:k]
        zero = with_one < inc
        one = (with_zero < inc) & ~zero
        return zero, one


def _relax(mip: _Mip, time_limit: float | None, *, presolve: bool = True) -> _Relaxed:
    sign = 1.0 if mip.maximize else -1.0
    lp = replace(mip, integer=np.zeros_like(mip.integer))
    h, a = _highs(lp, time_limit=time_limit, mip_gap=0.0, presolve=presolve)
    # These LPs are very degenerate, so their duals are not unique; the serial dual simplex
    # gives duals that fix far more sites than the primal simplex's (measured on the Baltimore
    # 10,000 x 1,000 MCLP, p = 10: 336 against 280 of 458), and whole solves 2-3x faster.
    h.setOptionValue("simplex_strategy", 1)
    status, seconds = _run(h)
    n = mip.cost.shape[0]
    failed = _Relaxed(False, np.zeros(n), math.inf, np.zeros(n), np.zeros(n), 0.0, sign, seconds)
    sol = h.getSolution()
    if status != "optimal" or not sol.dual_valid:
        return failed
    x = np.asarray(sol.col_value, dtype=np.float64)
    duals = np.asarray(sol.row_dual, dtype=np.float64)
    cost = sign * mip.cost
    best: _Relaxed | None = None
    for pi in (duals, -duals):  # either sign convention gives a valid bound; keep the tighter
        beta = np.where(pi > 0, mip.row_upper, mip.row_lower)
        use = np.isfinite(beta) & (pi != 0)
        pi = np.where(use, pi, 0.0)
        beta = np.where(use, beta, 0.0)
        g = cost - a.T @ pi
        up = np.where(g > 0, mip.upper, 0.0)
        low = np.where(g < 0, mip.lower, 0.0)
        term = np.where(g > 0, g * up, 0.0) + np.where(g < 0, g * low, 0.0)
        value = sign * mip.offset + float(pi @ beta) + float(term.sum())
        scale = float(np.abs(pi * beta).sum() + np.abs(term).sum() + abs(mip.offset))
        if math.isfinite(value) and (best is None or value < best.value):
            best = _Relaxed(True, x, value, g, term, 1e-9 * scale + 1e-9, sign, seconds, pi)
    return failed if best is None else best


def _gap(objective: float, bound: float) -> float:
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    diff = abs(objective - bound)
    if diff <= _ABS_TOL:
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf


# ---------------------------------------------------------------------------------------------
# Argument checks


def _check_p(inst: SitingInstance, p: object) -> int:
    n_new = int(np.count_nonzero(~inst.existing))
    if isinstance(p, bool) or not isinstance(p, int | np.integer):
        raise ValueError(f"p must be an integer number of new posts >= 0; got {p!r}")
    if p < 0:
        raise ValueError(f"p must be >= 0 new posts; got {p}")
    if p > n_new:
        raise ValueError(
            f"p must be at most the number of candidate sites that are not existing posts "
            f"({n_new}); got {p}"
        )
    return int(p)


def _real(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return float(x)


def _check_options(time_limit: object, mip_gap: object) -> tuple[float | None, float]:
    limit = None
    if time_limit is not None:
        limit = _real(time_limit)
        if limit is None or not (math.isfinite(limit) and limit > 0):
            raise ValueError(f"time_limit must be None or seconds > 0; got {time_limit!r}")
    gap = _real(mip_gap)
    if gap is None or not 0.0 <= gap < 1.0:
        raise ValueError(f"mip_gap must be a fraction in [0, 1); got {mip_gap!r}")
    return limit, gap


def _no_capacity(inst: SitingInstance, model: str) -> None:
    if inst.capacity is not None:
        raise ValueError(
            f"{model} does not take capacities (pmedian and pcenter do); build the instance "
            "without capacity, e.g. dataclasses.replace(instance, capacity=None)"
        )


# ---------------------------------------------------------------------------------------------
# Shared pieces of the result


class _Clock:
    """The wall-clock split of one model call: building (the matrix read, coverage, merging and
    reductions) until the first solving step, solving (heuristics, bounds, HiGHS) after it."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.solving_from: float | None = None

    def solving(self) -> None:
        """Mark the start of solving (the first call counts)."""
        if self.solving_from is None:
            self.solving_from = time.perf_counter()

    def add(self, solved: _Solved) -> _Solved:
        self.solving()
        return solved

    def build(self) -> float:
        end = time.perf_counter() if self.solving_from is None else self.solving_from
        return end - self.start

    def solve(self) -> float:
        return 0.0 if self.solving_from is None else time.perf_counter() - self.solving_from


def _share(inst: SitingInstance, pairs: _Pairs, open_cols: BoolArray) -> float:
    active = inst.weights > 0
    total = float(inst.weights[active].sum())
    if total == 0:
        return 1.0
    hit = open_cols[pairs.col] & (pairs.minutes <= inst.target_minutes[pairs.row])
    covered = np.bincount(pairs.row[hit], minlength=pairs.n_rows) > 0
    return float(inst.weights[covered & active].sum() / total)


def _result(
    inst: SitingInstance,
    model: ModelName,
    pairs: _Pairs,
    clock: _Clock,
    *,
    status: Status,
    added: IntArray,
    objective: float,
    bound: float,
    p: int | None,
    uncoverable: IntArray,
    n_demand_merged: int,
    n_candidates_used: int,
    assignment: IntArray | None = None,
    message: str = "",
    gap: float | None = None,
) -> SitingResult:
    added = np.sort(np.asarray(added, dtype=np.int64))
    open_cols = inst.existing.copy()
    open_cols[added] = True
    cids, dids = inst.candidate_ids, inst.demand_ids
    unc = tuple(int(i) for i in uncoverable.tolist())
    if gap is None:
        gap = _gap(objective, bound) if status != "infeasible" else math.inf
    return SitingResult(
        model=model,
        status=status,
        objective=float(objective),
        bound=float(bound),
        gap=float(gap),
        added=tuple(int(j) for j in added.tolist()),
        count=int(added.shape[0]),
        added_ids=None if cids is None else tuple(cids[j] for j in added.tolist()),
        uncoverable=unc,
        uncoverable_ids=None if dids is None else tuple(dids[i] for i in unc),
        covered_weight_share=_share(inst, pairs, open_cols),
        assignment=None if assignment is None else tuple(int(a) for a in assignment.tolist()),
        p=p,
        n_demand=inst.n_demand,
        n_demand_merged=int(n_demand_merged),
        n_candidates=int(np.count_nonzero(~inst.existing)),
        n_candidates_used=int(n_candidates_used),
        build_seconds=clock.build(),
        solve_seconds=clock.solve(),
        message=message,
    )


def _chosen(x: FloatArray | None, used: IntArray) -> IntArray:
    if x is None:
        return np.zeros(0, dtype=np.int64)
    return used[x[: used.shape[0]] > 0.5]


# ---------------------------------------------------------------------------------------------
# Coverage models: LSCP, MCLP, BCLP


@dataclass(frozen=True)
class _Coverage:
    """The coverage relation split for the covering models.

    ``cover``: cells within target (all columns). ``new``: cells of non-existing columns.
    ``e``: existing posts covering each demand point; ``active``: weight > 0.
    """

    cover: _Pairs
    new: _Pairs
    e: IntArray
    active: BoolArray
    n_new: IntArray  # new candidates covering each point


def _coverage(inst: SitingInstance, pairs: _Pairs) -> _Coverage:
    within = pairs.minutes <= inst.target_minutes[pairs.row]
    cover = pairs.select(within)
    ex = inst.existing[cover.col]
    new = cover.select(~ex)
    return _Coverage(
        cover=cover,
        new=new,
        e=_row_counts(cover, ex),
        active=inst.weights > 0,
        n_new=np.diff(new.indptr),
    )


def _covered_by(rows: _Pairs, chosen: IntArray, n_cols: int) -> IntArray:
    """How many of the ``chosen`` columns each row holds."""
    pick = np.zeros(n_cols, dtype=bool)
    pick[chosen] = True
    return _row_counts(rows, pick[rows.col])


# Covering cores. Measured reason for not handing the whole model to HiGHS at once
# (bench/rings.py): on the Baltimore MCLP of 10,000 points x 1,000 sites (3 minutes, 0.7 M
# nonzeros after merging), HiGHS with its presolve took 63 s for p = 5 (26 s of it presolve)
# and, with presolve off, 34 s for p = 7; these cores take 4 s and 14 s. A heuristic plan, the
# LP bound (_Relaxed) and a small restricted MIP fix most sites before the last MIP. The fixing
# is exact: a site is fixed only where the bound proves that no plan better than the best one
# found uses it (or omits it), and the best plan found is returned.


@dataclass(frozen=True)
class _Outcome:
    """What a covering core found: the plan (instance columns), its status and bound."""

    status: Status
    chosen: IntArray | None  # None: no plan
    bound: float
    rows: int
    cols: int


def _incidence(rows: _Pairs) -> tuple[IntArray, Any, Any]:
    """Columns used, and the 0/1 matrix rows x used columns as CSR and its transpose."""
    used, pos = _compact(rows.col)
    shape = (rows.n_rows, used.shape[0])
    a = sparse.csr_array((np.ones(pos.shape[0]), (rows.row, pos)), shape=shape)
    return used, a, sparse.csr_array(a.T)


def _column(at: Any, j: int) -> IntArray:
    return np.asarray(at.indices[at.indptr[j] : at.indptr[j + 1]], dtype=np.int64)


def _greedy_max(a: Any, at: Any, w: FloatArray, p: int) -> BoolArray:
    """At most p columns covering much weight: greedy by weight newly covered."""
    k = a.shape[1]
    y = np.zeros(k, dtype=bool)
    count = np.zeros(a.shape[0], dtype=np.int64)
    for _ in range(min(p, k)):
        gain = at @ (w * (count == 0))
        gain[y] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        y[j] = True
        count[_column(at, j)] += 1
    return _idle_dropped(a, at, w, _swap(a, at, w, y))


def _idle_dropped(a: Any, at: Any, w: FloatArray, y: BoolArray) -> BoolArray:
    """``y`` less the open columns that add nothing: every row they hold of weight > 0 is held
    by another open column too. A swap can leave one so (the column swapped in covers its
    rows), and the MIP's "≤ p" lets HiGHS open one at no cost (a review: n4_3 opened beside
    n3_5 and n5_3, which already covered 100 of 100 nodes)."""
    y = y.copy()
    count = np.asarray(a @ y.astype(np.float64)).round().astype(np.int64)
    for j in np.flatnonzero(y).tolist():
        rows_j = _column(at, j)
        if not np.any((count[rows_j] == 1) & (w[rows_j] > 0)):
            y[j] = False
            count[rows_j] -= 1
    return y


def _swap(a: Any, at: Any, w: FloatArray, y: BoolArray) -> BoolArray:
    """Best single swaps (one open column for one closed) while one gains weight."""
    y = y.copy()
    count = np.asarray(a @ y.astype(np.float64)).round().astype(np.int64)
    for _ in range(100 * max(1, int(y.sum()))):
        best, out, into = 0.0, -1, -1
        for j in np.flatnonzero(y).tolist():
            rows_j = _column(at, j)
            without = count.copy()
            without[rows_j] -= 1
            loss = float(w[rows_j][without[rows_j] == 0].sum())
            gain = at @ (w * (without == 0))
            gain[y] = -np.inf
            k = int(np.argmax(gain))
            delta = float(gain[k]) - loss
            if delta > best + 1e-9 * max(1.0, loss):
                best, out, into = delta, j, k
        if out < 0:
            break
        y[out], y[into] = False, True
        count[_column(at, out)] -= 1
        count[_column(at, into)] += 1
    return y


def _greedy_cover(a: Any, at: Any) -> BoolArray:
    """Columns covering every row: greedy by rows newly covered, then redundant ones dropped."""
    k = a.shape[1]
    y = np.zeros(k, dtype=bool)
    count = np.zeros(a.shape[0], dtype=np.int64)
    order: list[int] = []
    while np.any(count == 0):
        gain = at @ (count == 0).astype(np.float64)
        gain[y] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break  # a row no column covers: the caller has removed those
        y[j] = True
        order.append(j)
        count[_column(at, j)] += 1
    for j in reversed(order):
        rows_j = _column(at, j)
        if np.all(count[rows_j] >= 2):
            y[j] = False
            count[rows_j] -= 1
    return y


def _mclp_mip(rows: _Pairs, w: FloatArray, p: int, offset: float) -> tuple[_Mip, IntArray]:
    used, pos = _compact(rows.col)
    k, r = used.shape[0], rows.n_rows
    # columns: y_0..y_{k-1}, z_0..z_{r-1}; rows: (M2) per merged point, then (M3)
    mip = _Mip(
        maximize=True,
        offset=offset,
        cost=np.concatenate([np.zeros(k), w]),  # (M1)
        lower=np.zeros(k + r),
        upper=np.ones(k + r),  # (M4), (M5)
        integer=np.concatenate([np.ones(k, dtype=bool), np.zeros(r, dtype=bool)]),
        row_lower=np.full(r + 1, -np.inf),
        row_upper=np.concatenate([np.zeros(r), [float(p)]]),
        row=np.concatenate([rows.row, np.arange(r), np.full(k, r)]),
        col=np.concatenate([pos, k + np.arange(r), np.arange(k)]),
        val=np.concatenate([-np.ones(pos.shape[0]), np.ones(r), np.ones(k)]),
    )
    return mip, used


def _lscp_mip(rows: _Pairs, offset: float, p: int | None = None) -> tuple[_Mip, IntArray]:
    used, pos = _compact(rows.col)
    k, r = used.shape[0], rows.n_rows
    extra = 0 if p is None else 1  # Σ y ≤ p for the p-center tests
    mip = _Mip(
        maximize=False,
        offset=offset,
        cost=np.ones(k),  # (L1)
        lower=np.zeros(k),
        upper=np.ones(k),
        integer=np.ones(k, dtype=bool),  # (L3)
        row_lower=np.concatenate([np.ones(r), np.full(extra, -np.inf)]),  # (L2)
        row_upper=np.concatenate([np.full(r, np.inf), np.full(extra, float(p or 0))]),
        row=np.concatenate([rows.row, np.full(k * extra, r)]),
        col=np.concatenate([pos, np.arange(k * extra)]),
        val=np.ones(pos.shape[0] + k * extra),
    )
    return mip, used


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.perf_counter()


def _restrict(rows: _Pairs, w: FloatArray, fixed_one: IntArray, free: IntArray
              ) -> tuple[float, _Pairs, FloatArray, int]:
    """Rows left once ``fixed_one`` columns are open and only ``free`` ones may open.

    Returns the weight of rows covered by the fixed columns, the rest merged (rows with no
    free column dropped), their weights, and how many rows had no free column.
    """
    hit = np.zeros(rows.n_rows, dtype=bool)
    hit[rows.row[np.isin(rows.col, fixed_one)]] = True
    keep = ~hit[rows.row] & np.isin(rows.col, free)
    sub = rows.select(keep)
    has = np.diff(sub.indptr) > 0
    left = np.flatnonzero(has)
    stranded = int(np.count_nonzero(~hit & ~has))
    if left.size == 0:
        return float(w[hit].sum()), _Pairs(np.zeros(1, dtype=np.int64), left, np.zeros(0)), \
            np.zeros(0), stranded
    group, merged = _merge_rows(sub, left, np.zeros(left.shape[0], dtype=np.int64))
    again, merged = _undominated(merged, np.zeros(merged.n_rows, dtype=np.int64))
    weight = _wsum(again[group], weights=w[left], minlength=merged.n_rows)
    return float(w[hit].sum()), merged, weight, stranded


def _max_cover(
    rows: _Pairs, w: FloatArray, p: int, offset: float, *, clock: _Clock,
    deadline: float | None, mip_gap: float,
) -> _Outcome:
    """Exact MCLP (M1–M5) over merged rows with weights ``w``, with the fewest posts among the
    plans of the most weight: (M1) first, then min Σ_j y_j over its optima (lexicographic).

    (M3)'s "≤ p" leaves posts that add nothing free to open: HiGHS returned such plans (a
    review: p = 3 opened n3_5, n4_3 and n5_3 where n3_5 and n5_3 covered all 100 nodes; on a
    22 x 22 lattice p = 8 opened 8 where LSCP needs 7). So the plan found (c posts, value V)
    loses its idle posts, and then, while the MCLP with c − 1 posts still reaches V, its plan
    replaces it; the search stops when the LP bound of c − 1 posts (or the exact MCLP) is
    below V. The MCLP optimum grows with p, so the first c − 1 short of V proves c least. A
    tiny cost on y would do it in one solve only where weights have a known least step, and
    the user's weights need not.
    """
    again, rows = _undominated(rows, np.zeros(rows.n_rows, dtype=np.int64))
    w = _wsum(again, weights=w, minlength=rows.n_rows)
    used, a, at = _incidence(rows)
    pos = np.searchsorted(used, np.arange(int(used.max()) + 1))

    def idle_dropped(cols: IntArray) -> IntArray:
        y = np.zeros(used.shape[0], dtype=bool)
        y[pos[cols]] = True
        return used[_idle_dropped(a, at, w, y)]

    def value(cols: IntArray) -> float:
        return offset + float(w[_covered_by(rows, cols, pos.shape[0]) > 0].sum())

    clock.solving()
    relaxed = _relax(_mclp_mip(rows, w, p, offset)[0], _remaining(deadline))
    out = _max_cover_at(rows, w, p, offset, clock=clock, deadline=deadline, mip_gap=mip_gap,
                        relaxed=relaxed)
    if out.chosen is None:
        return out
    best = idle_dropped(out.chosen)
    if out.status != "optimal":
        return replace(out, chosen=best)
    target = value(best)
    tol = 1e-9 * max(1.0, abs(target))
    while best.shape[0] > 0:
        fewer = best.shape[0] - 1
        if fewer == 0:
            if offset >= target - tol:
                best = best[:0]
            break
        # p's multipliers bound the MCLP of fewer posts too (valid for any multipliers): only
        # (M3)'s right-hand side moves, by p - fewer. Enough in the usual case, and free; else
        # the LP of fewer posts (on the 10,000 x 1,000 bench MCLP it cost 1-3 s, p = 5 and 20).
        pi_p = 0.0 if relaxed.pi is None else max(float(relaxed.pi[-1]), 0.0)
        if relaxed.ok and relaxed.value - pi_p * (p - fewer) + relaxed.margin < target - tol:
            break  # no plan of fewer posts reaches the optimum: best has the fewest
        left = _remaining(deadline)
        if left is not None and left <= 0:
            break
        lp = _relax(_mclp_mip(rows, w, fewer, offset)[0], left)
        if lp.ok and lp.value + lp.margin < target - tol:
            break
        again_out = _max_cover_at(rows, w, fewer, offset, clock=clock, deadline=deadline,
                                  mip_gap=mip_gap, relaxed=lp)
        if again_out.chosen is None or value(again_out.chosen) < target - tol:
            break
        best = idle_dropped(again_out.chosen)
    return replace(out, chosen=best)


def _max_cover_at(
    rows: _Pairs, w: FloatArray, p: int, offset: float, *, clock: _Clock,
    deadline: float | None, mip_gap: float, relaxed: _Relaxed | None = None,
) -> _Outcome:
    """Exact MCLP (M1–M5) over merged rows with weights ``w``; ``offset`` is already covered.

    1. Greedy and swaps give a plan; the LP relaxation gives a bound (:class:`_Relaxed`).
    2. The MCLP restricted to a few promising sites (the LP's support, the sites with the
       highest bound when forced open, the plan's) is solved exactly; its plan, if better,
       becomes the incumbent. 3. The incumbent fixes sites by the LP bound. If every site left
       free was in the restricted set, the incumbent is optimal; otherwise the MCLP over all
       sites left free is solved, which proves it. ``rows`` are undominated already;
    ``relaxed``, when given, is the LP relaxation of this MCLP (step 1's).
    """
    used, a, at = _incidence(rows)
    k, r = used.shape[0], rows.n_rows
    n_cols = int(used.max()) + 1

    def value(cols: IntArray) -> float:
        return offset + float(w[_covered_by(rows, cols, n_cols) > 0].sum())

    clock.solving()
    best = used[_greedy_max(a, at, w, p)]
    step = 1.0 if np.all(w == np.round(w)) and offset == round(offset) else 0.0
    if relaxed is None:
        relaxed = _relax(_mclp_mip(rows, w, p, offset)[0], _remaining(deadline))
    left = _remaining(deadline)
    if not relaxed.ok and left is not None and left <= 0:
        return _Outcome("time_limit", best, math.inf, r, k)
    # (without an LP answer nothing is fixed, and the rounds below solve the whole model)
    # sites by promise: bound when forced open, then LP value, then weight they cover
    rank = np.lexsort((-(at @ w), -relaxed.x[:k], -relaxed.potential(k)))
    chosen = np.zeros(k, dtype=bool)
    chosen[rank[: 3 * p + 30]] = True
    chosen |= (relaxed.x[:k] > 1e-6) | np.isin(used, best)
    while True:
        incumbent = value(best)
        if relaxed.proves(incumbent, step):
            return _Outcome("optimal", best, incumbent, r, k)
        zero, one = relaxed.fixings(k, incumbent, step)
        if int(one.sum()) > p:  # no plan better than the incumbent
            return _Outcome("optimal", best, incumbent, r, k)
        full = not np.any(~zero & ~chosen)
        ones, free = used[one], used[~zero & ~one & chosen]
        done, sub, sw, _ = _restrict(rows, w, ones, free)
        p_left = p - ones.shape[0]
        if sub.n_rows == 0 or p_left == 0:
            plan: IntArray | None = ones
            solved = _Solved("optimal", None, math.nan, 0.0)
        else:
            left = _remaining(deadline)
            if left is not None and left <= 0:
                return _Outcome("time_limit", best, relaxed.bound, r, k)
            mip2, used2 = _mclp_mip(sub, sw, p_left, offset + done)
            y0 = np.isin(used2, best)
            _, a2, _ = _incidence(sub)
            z0 = np.minimum(a2 @ y0.astype(np.float64), 1.0)
            start = np.concatenate([y0, z0]) if y0.sum() <= p_left else None
            gap = mip_gap if full else 0.0
            solved = clock.add(
                _solve(mip2, time_limit=left, mip_gap=gap, start=start, presolve=False)
            )
            if solved.status == "infeasible":  # y = 0 is always feasible
                raise SolverError("HiGHS found an MCLP infeasible although y = 0 is feasible")
            plan = None if solved.x is None else np.concatenate([ones, _chosen(solved.x, used2)])
        if plan is not None and value(plan) > incumbent:
            best = plan
        if solved.status != "optimal" or (full and mip_gap > 0):
            # plans the fixing left out are worth less than incumbent + step: at most incumbent
            high = solved.bound if math.isfinite(solved.bound) else relaxed.bound
            return _Outcome(solved.status, best, min(relaxed.bound, max(high, incumbent)), r, k)
        if full:
            return _Outcome("optimal", best, value(best), r, k)
        chosen = np.ones(k, dtype=bool)  # next round: every site the new incumbent leaves free


def _min_cover(
    rows: _Pairs, *, clock: _Clock, deadline: float | None, mip_gap: float
) -> _Outcome:
    """Exact LSCP (L1–L3) over merged rows, each of which some column covers — the rounds of
    :func:`_max_cover`, with greedy covering (redundant sites dropped) as the heuristic and the
    LP's support as the restricted set."""
    _, rows = _undominated(rows, np.zeros(rows.n_rows, dtype=np.int64))
    used, a, at = _incidence(rows)
    k, r = used.shape[0], rows.n_rows
    clock.solving()
    best = used[_greedy_cover(a, at)]
    mip, _ = _lscp_mip(rows, 0.0)
    relaxed = _relax(mip, _remaining(deadline))
    left = _remaining(deadline)
    if not relaxed.ok and left is not None and left <= 0:
        return _Outcome("time_limit", best, -math.inf, r, k)
    chosen = (relaxed.x[:k] > 1e-6) | np.isin(used, best)
    while True:
        incumbent = float(best.shape[0])
        if relaxed.proves(incumbent, 1.0):
            return _Outcome("optimal", best, incumbent, r, k)
        zero, one = relaxed.fixings(k, incumbent, 1.0)
        full = not np.any(~zero & ~chosen)
        ones, free = used[one], used[~zero & ~one & chosen]
        _, sub, _, stranded = _restrict(rows, np.ones(r), ones, free)
        if stranded:  # a row only fixed-out (or, this round, unchosen) sites cover
            if full:
                return _Outcome("optimal", best, incumbent, r, k)
            chosen = np.ones(k, dtype=bool)
            continue
        if sub.n_rows == 0:
            plan: IntArray | None = ones
            solved = _Solved("optimal", None, math.nan, 0.0)
        else:
            left = _remaining(deadline)
            if left is not None and left <= 0:
                return _Outcome("time_limit", best, relaxed.bound, r, k)
            mip2, used2 = _lscp_mip(sub, float(ones.shape[0]))
            start = np.isin(used2, best).astype(np.float64)
            gap = mip_gap if full else 0.0
            solved = clock.add(
                _solve(mip2, time_limit=left, mip_gap=gap, start=start, presolve=False)
            )
            if solved.status == "infeasible":  # every row has a free column
                raise SolverError("HiGHS found an LSCP infeasible although every row has a site")
            plan = None if solved.x is None else np.concatenate([ones, _chosen(solved.x, used2)])
        if plan is not None and plan.shape[0] < best.shape[0]:
            best = plan
        if solved.status != "optimal" or (full and mip_gap > 0):
            # plans the fixing left out need more than incumbent - 1 posts: at least incumbent
            low = solved.bound if math.isfinite(solved.bound) else relaxed.bound
            return _Outcome(solved.status, best, max(relaxed.bound, min(low, incumbent)), r, k)
        if full:
            return _Outcome("optimal", best, float(best.shape[0]), r, k)
        chosen = np.ones(k, dtype=bool)


def lscp(
    inst: SitingInstance,
    *,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> SitingResult:
    """Fewest new posts so that every demand point with weight > 0 meets its target, existing
    posts kept (formulation L1–L3 of the module docstring).

    Demand points that no candidate and no existing post reaches in time make the problem
    infeasible: the result has status ``infeasible`` and names them in ``uncoverable``.
    """
    time_limit, mip_gap = _check_options(time_limit, mip_gap)
    _no_capacity(inst, "lscp")
    clock = _Clock()
    deadline = None if time_limit is None else clock.start + time_limit
    pairs = _pairs(inst)
    cov = _coverage(inst, pairs)
    need = cov.active & (cov.e == 0)
    unc = np.flatnonzero(need & (cov.n_new == 0))
    none = np.zeros(0, dtype=np.int64)
    if unc.size:
        return _result(
            inst, "lscp", pairs, clock, status="infeasible", added=none, objective=math.nan,
            bound=math.nan, p=None, uncoverable=unc, n_demand_merged=0, n_candidates_used=0,
            message=f"{unc.size} demand point(s) are reached within their target by no "
            "candidate and no existing post",
        )
    rows = np.flatnonzero(need)
    if rows.size == 0:
        return _result(
            inst, "lscp", pairs, clock, status="optimal", added=none, objective=0.0, bound=0.0,
            p=None, uncoverable=none, n_demand_merged=0, n_candidates_used=0,
        )
    _, merged = _merge_rows(cov.new, rows, np.zeros(rows.shape[0], dtype=np.int64))
    out = _min_cover(merged, clock=clock, deadline=deadline, mip_gap=mip_gap)
    added = none if out.chosen is None else out.chosen
    return _result(
        inst, "lscp", pairs, clock, status=out.status, added=added,
        objective=float(added.shape[0]) if out.chosen is not None else math.nan,
        bound=out.bound, p=None, uncoverable=none, n_demand_merged=out.rows,
        n_candidates_used=out.cols, message=_time_message(out.status, out.chosen is not None),
    )


def _time_message(status: Status, has_plan: bool) -> str:
    if status != "time_limit":
        return ""
    if not has_plan:
        return "the time limit was reached before any plan was found"
    return "the time limit was reached; the plan is the best found, the bound the best proven"


def mclp(
    inst: SitingInstance,
    *,
    p: int,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> SitingResult:
    """At most ``p`` new posts maximizing the weight of demand within its target (M1–M5), the
    fewest posts among the plans of that weight (so ``count`` may be below ``p``).

    ``objective`` is the covered weight, existing posts' coverage included; ``uncoverable``
    names the weighted demand points that no site reaches in time (they stay uncovered).
    """
    time_limit, mip_gap = _check_options(time_limit, mip_gap)
    p = _check_p(inst, p)
    _no_capacity(inst, "mclp")
    clock = _Clock()
    deadline = None if time_limit is None else clock.start + time_limit
    pairs = _pairs(inst)
    cov = _coverage(inst, pairs)
    w = inst.weights
    unc = np.flatnonzero(cov.active & (cov.e == 0) & (cov.n_new == 0))
    w0 = float(w[cov.active & (cov.e >= 1)].sum())
    rows = np.flatnonzero(cov.active & (cov.e == 0) & (cov.n_new > 0))
    if rows.size == 0 or p == 0:
        return _result(
            inst, "mclp", pairs, clock, status="optimal", added=np.zeros(0, dtype=np.int64),
            objective=w0, bound=w0, p=p, uncoverable=unc, n_demand_merged=0,
            n_candidates_used=0,
        )
    group, merged = _merge_rows(cov.new, rows, np.zeros(rows.shape[0], dtype=np.int64))
    wr = _wsum(group, weights=w[rows], minlength=merged.n_rows)
    out = _max_cover(merged, wr, p, w0, clock=clock, deadline=deadline, mip_gap=mip_gap)
    added = np.zeros(0, dtype=np.int64) if out.chosen is None else out.chosen
    objective = math.nan
    if out.chosen is not None:
        hit = _covered_by(cov.new, added, inst.n_candidates) > 0
        objective = w0 + float(w[hit & cov.active & (cov.e == 0)].sum())
    return _result(
        inst, "mclp", pairs, clock, status=out.status, added=added, objective=objective,
        bound=out.bound, p=p, uncoverable=unc, n_demand_merged=out.rows,
        n_candidates_used=out.cols, message=_time_message(out.status, out.chosen is not None),
    )


def bclp(
    inst: SitingInstance,
    *,
    p: int,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> SitingResult:
    """At most ``p`` new posts maximizing the weight covered at least twice, every coverable
    demand point covered at least once (BACOP1, B1–B5) — for tier-1 places covered twice.

    ``objective`` is the weight covered twice or more, existing posts included. When ``p`` new
    posts cannot cover every coverable point once, the status is ``infeasible``.
    """
    time_limit, mip_gap = _check_options(time_limit, mip_gap)
    p = _check_p(inst, p)
    _no_capacity(inst, "bclp")
    clock = _Clock()
    pairs = _pairs(inst)
    cov = _coverage(inst, pairs)
    w = inst.weights
    unc = np.flatnonzero(cov.active & (cov.e == 0) & (cov.n_new == 0))
    w2 = float(w[cov.active & (cov.e >= 2)].sum())
    rows = np.flatnonzero(cov.active & (cov.e <= 1) & (cov.n_new > 0))
    none = np.zeros(0, dtype=np.int64)
    if rows.size == 0:
        return _result(
            inst, "bclp", pairs, clock, status="optimal", added=none, objective=w2, bound=w2,
            p=p, uncoverable=unc, n_demand_merged=0, n_candidates_used=0,
        )
    group, merged = _merge_rows(cov.new, rows, cov.e[rows])
    wr = _wsum(group, weights=w[rows], minlength=merged.n_rows)
    er = np.zeros(merged.n_rows, dtype=np.int64)
    er[group] = cov.e[rows]
    used, pos = _compact(merged.col)
    k, r = used.shape[0], merged.n_rows
    # columns: y_0..y_{k-1}, u_0..u_{r-1}; rows: (B2) per merged point, then (B3)
    mip = _Mip(
        maximize=True,
        offset=w2,
        cost=np.concatenate([np.zeros(k), wr]),  # (B1)
        lower=np.zeros(k + r),
        upper=np.ones(k + r),  # (B4), (B5)
        integer=np.concatenate([np.ones(k, dtype=bool), np.zeros(r, dtype=bool)]),
        row_lower=np.concatenate([1.0 - er, [-np.inf]]),
        row_upper=np.concatenate([np.full(r, np.inf), [float(p)]]),
        row=np.concatenate([merged.row, np.arange(r), np.full(k, r)]),
        col=np.concatenate([pos, k + np.arange(r), np.arange(k)]),
        val=np.concatenate([np.ones(pos.shape[0]), -np.ones(r), np.ones(k)]),
    )
    solved = clock.add(_solve(mip, time_limit=time_limit, mip_gap=mip_gap))
    if solved.status == "infeasible":
        first = int(np.count_nonzero(er == 0))
        return _result(
            inst, "bclp", pairs, clock, status="infeasible", added=none, objective=math.nan,
            bound=math.nan, p=p, uncoverable=unc, n_demand_merged=r, n_candidates_used=k,
            message=f"{p} new post(s) cannot cover every coverable demand point once "
            f"({first} merged point group(s) have no existing post in reach); "
            "raise p (lscp gives the least that covers them all)",
        )
    added = _chosen(solved.x, used)
    objective = math.nan
    if solved.x is not None:
        twice = cov.e + _covered_by(cov.new, added, inst.n_candidates) >= 2
        objective = float(w[twice & cov.active].sum())
    return _result(
        inst, "bclp", pairs, clock, status=solved.status, added=added, objective=objective,
        bound=solved.bound, p=p, uncoverable=unc, n_demand_merged=r, n_candidates_used=k,
        message=_time_message(solved.status, solved.x is not None),
    )


# ---------------------------------------------------------------------------------------------
# p-median and p-center


def _nearest_open(
    inst: SitingInstance, pairs: _Pairs, open_cols: BoolArray
) -> tuple[FloatArray, IntArray]:
    """Minutes to the nearest open column and that column (ties: lowest index; -1 if none)."""
    ok = open_cols[pairs.col]
    rows, cols, mins = pairs.row[ok], pairs.col[ok], pairs.minutes[ok]
    order = np.lexsort((cols, mins, rows))
    rows, cols, mins = rows[order], cols[order], mins[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    best = np.full(inst.n_demand, np.inf)
    col = np.full(inst.n_demand, -1, dtype=np.int64)
    best[rows[first]] = mins[first]
    col[rows[first]] = cols[first]
    return best, col


def _unreachable(inst: SitingInstance, pairs: _Pairs) -> IntArray:
    return np.flatnonzero((inst.weights > 0) & (np.diff(pairs.indptr) == 0))


def pmedian(
    inst: SitingInstance,
    *,
    p: int,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> SitingResult:
    """At most ``p`` new posts minimizing the total weighted minutes from each demand point to
    its post (existing posts included): the radius formulation P1–P5 without capacities, the
    single-source assignment C1–C6 with them. ``assignment`` gives each point's post.

    Demand points (weight > 0) that no site reaches at all make it ``infeasible`` and are named
    in ``uncoverable``.
    """
    time_limit, mip_gap = _check_options(time_limit, mip_gap)
    p = _check_p(inst, p)
    clock = _Clock()
    pairs = _pairs(inst)
    unc = _unreachable(inst, pairs)
    if unc.size:
        return _unreachable_result(inst, "pmedian", pairs, clock, p, unc)
    if not np.any(inst.weights > 0):
        nobody = np.zeros(0, dtype=np.int64)
        return _result(
            inst, "pmedian", pairs, clock, status="optimal", added=nobody, objective=0.0,
            bound=0.0, p=p, uncoverable=nobody, n_demand_merged=0, n_candidates_used=0,
            assignment=np.full(inst.n_demand, -1, dtype=np.int64),
        )
    if inst.capacity is not None:
        return _capacitated(inst, "pmedian", pairs, clock, p, time_limit, mip_gap)
    w = inst.weights
    active = w > 0
    deadline = None if time_limit is None else clock.start + time_limit
    eps, _ = _nearest_open(inst, pairs, inst.existing)
    keep = active[pairs.row] & ~inst.existing[pairs.col] & (pairs.minutes < eps[pairs.row])
    kept = pairs.select(keep)
    rows = np.flatnonzero(np.diff(kept.indptr) > 0)
    lone = active & (np.diff(kept.indptr) == 0)  # served by an existing post whatever is added
    const = float(np.sum(w[lone] * eps[lone]))
    none = np.zeros(0, dtype=np.int64)
    if rows.size == 0:
        _, serve = _nearest_open(inst, pairs, inst.existing)
        return _result(
            inst, "pmedian", pairs, clock, status="optimal", added=none, objective=const,
            bound=const, p=p, uncoverable=none, n_demand_merged=0, n_candidates_used=0,
            assignment=np.where(active, serve, -1),
        )
    used = np.unique(kept.col)
    # the rows that a new post could serve better, as a dense matrix rows x sites (inf: no
    # way, or no nearer than the row's existing post), with each row's existing-post minutes
    dense = np.full((rows.shape[0], used.shape[0]), np.inf)
    dense[np.searchsorted(rows, kept.row), np.searchsorted(used, kept.col)] = kept.minutes
    out = _pmedian_core(
        dense, w[rows], eps[rows], p, const, clock=clock, deadline=deadline, mip_gap=mip_gap
    )
    if out.status == "infeasible":
        return _result(
            inst, "pmedian", pairs, clock, status="infeasible", added=none,
            objective=math.nan, bound=math.nan, p=p, uncoverable=none,
            n_demand_merged=out.rows, n_candidates_used=out.cols,
            message=f"{p} new post(s) cannot reach every demand point (some are reached only "
            "by candidate sites far apart); raise p",
        )
    added = none if out.chosen is None else used[out.chosen]
    open_cols = inst.existing.copy()
    open_cols[added] = True
    nearest, serve = _nearest_open(inst, pairs, open_cols)
    objective = float(np.sum(w[active] * nearest[active])) if out.chosen is not None else math.nan
    return _result(
        inst, "pmedian", pairs, clock, status=out.status, added=added, objective=objective,
        bound=objective if out.status == "optimal" and mip_gap == 0 else out.bound, p=p,
        uncoverable=none, n_demand_merged=out.rows, n_candidates_used=out.cols,
        assignment=np.where(active, serve, -1) if out.chosen is not None else None,
        message=_time_message(out.status, out.chosen is not None),
    )


def _pmedian_core(
    dense: FloatArray,
    w: FloatArray,
    cap: FloatArray,
    p: int,
    const: float,
    *,
    clock: _Clock,
    deadline: float | None,
    mip_gap: float,
) -> _Outcome:
    """Exact uncapacitated p-median over ``dense`` (rows x sites, minutes, inf = no way) with
    each row's minutes to its existing post ``cap`` (inf: none) and a constant ``const``.

    1. Greedy and swaps (Teitz & Bart) give a plan. 2. A Lagrangian relaxation of the
    assignment rows (:func:`_pmedian_lagrange`) gives a lower bound and fixes sites that no
    better plan opens (or closes). 3. The radius model P1–P5 over the sites left is solved with
    each row's levels cut at the plan's second-nearest post; a row cut short is charged its next
    level (a relaxation), and rows the solver's plan under-charges get more levels until none is.
    ``chosen`` indexes the columns of ``dense``.
    """
    r_all, k_all = dense.shape

    def reach(cols: IntArray, d: FloatArray = dense, c: FloatArray = cap) -> FloatArray:
        if cols.size == 0:
            return c.copy()
        return np.asarray(np.minimum(c, d[:, cols].min(axis=1)), dtype=np.float64)

    def cost(cols: IntArray) -> float:
        return const + float(np.sum(w * reach(cols)))

    clock.solving()
    empty = np.zeros(0, dtype=np.int64)
    if p == 0:
        value = cost(empty)
        if math.isfinite(value):
            return _Outcome("optimal", empty, value, r_all, k_all)
        return _Outcome("infeasible", None, math.nan, r_all, k_all)
    best = np.flatnonzero(_pmedian_heuristic(dense, w, cap, p))
    upper = cost(best)
    margin = 1e-9 * max(1.0, abs(upper))
    lower = -math.inf
    zero = one = np.zeros(k_all, dtype=bool)
    if math.isfinite(upper):  # a plan serving every row: bound and fix by it
        lag = _pmedian_lagrange(dense, w, cap, p, upper - const, deadline)
        lower = const + lag.bound
        # the Lagrangian's own choice, improved by swaps, is often a better plan
        plan = np.flatnonzero(_pmedian_swap(dense, w, cap, lag.chosen & (lag.rho < 0)))
        if cost(plan) < upper:
            best, upper = plan, cost(plan)
        if lower + margin >= upper:
            return _Outcome("optimal", best, upper, r_all, k_all)
        # then the p-median over the most promising sites alone (smallest ρ_j, the plan's)
        promising = np.union1d(np.argsort(lag.rho, kind="stable")[: 3 * p + 30], best)
        if promising.shape[0] < k_all:
            got = _radius_loop(
                dense[:, promising], w, cap, p, const,
                np.flatnonzero(np.isin(promising, best)),
                clock=clock, deadline=deadline, mip_gap=0.0,
            )
            if got.chosen is not None and cost(promising[got.chosen]) < upper:
                best = promising[got.chosen]
                upper = cost(best)
        zero, one = lag.fixings(upper - const, margin)
        if lower + margin >= upper or int(one.sum()) > p:  # no better plan than this one
            return _Outcome("optimal", best, upper, r_all, k_all)

    def no_better() -> _Outcome:
        # every plan the fixing left is no better: the heuristic plan is optimal, or — without
        # one serving every row — there is none
        if math.isfinite(upper):
            return _Outcome("optimal", best, upper, r_all, k_all)
        return _Outcome("infeasible", None, math.nan, r_all, k_all)

    ones, free = np.flatnonzero(one), np.flatnonzero(~zero & ~one)
    # fixed-open sites act as existing posts; the MIP chooses among the free ones
    cap2 = reach(ones)
    p_left = p - ones.shape[0]
    sub = dense[:, free]
    sub_rows = np.flatnonzero((sub < cap2[:, None]).any(axis=1))
    const2 = const + float(np.sum(np.delete(w * cap2, sub_rows)))
    if not math.isfinite(const2):
        return no_better()
    if free.size == 0 or p_left == 0 or sub_rows.size == 0:
        if cost(ones) < upper:
            best = ones
        return _Outcome("optimal", best, cost(best), r_all, k_all)
    d2, c2, w2 = sub[sub_rows], cap2[sub_rows], w[sub_rows]
    local = np.flatnonzero(np.isin(free, best)) if np.all(np.isin(ones, best)) else None
    got = _radius_loop(
        d2, w2, c2, p_left, const2, local, clock=clock, deadline=deadline, mip_gap=mip_gap
    )
    if got.status == "infeasible":
        return no_better()
    if got.chosen is not None:
        plan = np.concatenate([ones, free[got.chosen]])
        if cost(plan) < upper:
            best = plan
    value = cost(best)
    if not math.isfinite(value):
        return _Outcome(got.status, None, lower, r_all, k_all)
    if got.status == "optimal" and mip_gap == 0:
        return _Outcome("optimal", best, value, r_all, k_all)
    # plans the fixing left out cost at least the heuristic's
    bound = max(lower, min(got.bound, upper)) if math.isfinite(got.bound) else lower
    return _Outcome(got.status, best, bound, r_all, k_all)


@dataclass(frozen=True)
class _Lagrange:
    """The best Lagrangian bound found for the p-median and what it needs for fixing.

    Relaxing each row's assignment Σ_j x_ij = 1 with a multiplier λ_i leaves
    L(λ) = Σ_i λ_i + Σ_i min(0, w_i ε_i − λ_i) + Σ of the p smallest ρ_j, with
    ρ_j = Σ_i min(0, w_i d_ij − λ_i): a lower bound for any λ (the existing post is an option
    always open). Forcing site j open (closed) swaps it with the p-th (the (p+1)-th) smallest.
    """

    bound: float
    rho: FloatArray
    chosen: BoolArray
    pth: float
    next_out: float

    def fixings(self, upper: float, margin: float) -> tuple[BoolArray, BoolArray]:
        """Sites no plan cheaper than ``upper`` opens (first), and closes (second)."""
        with_one = self.bound - self.pth + self.rho
        with_zero = self.bound - self.rho + self.next_out
        zero = ~self.chosen & (with_one - margin >= upper)
        one = self.chosen & (with_zero - margin >= upper)
        return zero, one


def _pmedian_lagrange(
    dense: FloatArray,
    w: FloatArray,
    cap: FloatArray,
    p: int,
    upper: float,
    deadline: float | None,
) -> _Lagrange:
    """Subgradient ascent (Polyak steps) on the Lagrangian dual of the p-median; for this
    relaxation its optimum is the LP bound. Bounded by 300 steps and the deadline."""
    cost = w[:, None] * dense  # inf: no way
    own = w * cap
    k = dense.shape[1]
    p_eff = min(p, k)
    lam = np.minimum(own, np.min(cost, axis=1, initial=np.inf))
    lam = np.where(np.isfinite(lam), lam, 0.0)
    best: _Lagrange | None = None
    theta, stall = 2.0, 0
    for _ in range(300):
        red = np.minimum(0.0, cost - lam[:, None])
        rho = red.sum(axis=0)
        order = np.argsort(rho, kind="stable")
        chosen = np.zeros(k, dtype=bool)
        chosen[order[:p_eff]] = True
        value = float(lam.sum() + np.minimum(0.0, own - lam).sum() + rho[chosen].sum())
        if best is None or value > best.bound:
            pth = float(rho[order[p_eff - 1]]) if p_eff > 0 else 0.0
            nxt = float(rho[order[p_eff]]) if p_eff < k else 0.0
            best = _Lagrange(value, rho, chosen, pth, nxt)
            stall = 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2.0, 0
        if theta < 1e-4 or value >= upper - 1e-9 * max(1.0, abs(upper)):
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        g = 1.0 - (own < lam) - ((cost < lam[:, None]) & chosen[None, :]).sum(axis=1)
        norm = float(g @ g)
        if norm == 0:
            break
        lam = lam + theta * max(upper - value, 1e-9) / norm * g
    assert best is not None
    return best


def _radius_loop(
    dense: FloatArray,
    w: FloatArray,
    cap: FloatArray,
    p: int,
    const: float,
    start_plan: IntArray | None,
    *,
    clock: _Clock,
    deadline: float | None,
    mip_gap: float,
) -> _Outcome:
    """P1–P5 over rows x sites of ``dense`` (every row has a site nearer than ``cap``), each
    row's levels cut short and extended until the solver's plan is charged in full."""
    rows_n, k = dense.shape
    within = np.isfinite(dense) & (dense < cap[:, None])
    rr, cc = np.nonzero(within)
    indptr = np.zeros(rows_n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rr, minlength=rows_n), out=indptr[1:])
    lv = _levels(_Pairs(indptr, cc.astype(np.int64), dense[rr, cc]), cap)
    rows = np.arange(rows_n, dtype=np.int64)

    def reach(cols: IntArray) -> FloatArray:
        if cols.size == 0:
            return cap.copy()
        return np.asarray(np.minimum(cap, dense[:, cols].min(axis=1)), dtype=np.float64)

    def cost(cols: IntArray) -> float:
        return const + float(np.sum(w * reach(cols)))

    best = start_plan if start_plan is not None else np.flatnonzero(
        _pmedian_heuristic(dense, w, cap, p)
    )
    # levels kept per row: up to the plan's second-nearest post (where a row goes when its
    # post moves), so that the plan and its neighbours stay representable
    second = np.sort(dense[:, best], axis=1)[:, 1] if best.size >= 2 else reach(best)
    count = np.minimum(lv.count, _level_index(lv, rows, np.minimum(cap, second)) + 1)
    bound = -math.inf
    lone = np.zeros(rows_n, dtype=bool)
    while True:
        left = _remaining(deadline)
        if left is not None and left <= 0:
            return _Outcome("time_limit", best, bound, rows_n, k)
        mip, mip_used, start = _pmedian_mip(lv, rows, count, w, lone, p, reach(best), best)
        mip = replace(mip, offset=mip.offset + const)
        solved = clock.add(_solve(mip, time_limit=left, mip_gap=mip_gap, start=start))
        if solved.status == "infeasible":
            # a cut-short row is never infeasible (its last z is free), so this is the rows
            # with every level kept, exactly as in the full model
            return _Outcome("infeasible", None, math.nan, rows_n, k)
        if math.isfinite(solved.bound):
            bound = max(bound, solved.bound)  # the model relaxes the full one: a lower bound
        if solved.x is None:
            return _Outcome(solved.status, best, bound, rows_n, k)
        plan = _chosen(solved.x, mip_used)
        if cost(plan) < cost(best):
            best = plan
        if solved.status != "optimal":
            return _Outcome(solved.status, best, bound, rows_n, k)
        if bound >= cost(best) - _ABS_TOL:  # the relaxation's bound meets the best plan
            return _Outcome("optimal", best, cost(best), rows_n, k)
        # a row whose nearest post under the MIP's plan lies beyond the minutes it was charged
        # (the next level's, for a row cut short) makes the relaxation loose: keep more levels
        minutes = reach(plan)
        under = minutes > _next_minutes(lv, rows, count) + 1e-12
        if not under.any():
            return _Outcome("optimal", best, cost(best) if mip_gap == 0 else bound, rows_n, k)
        need = _level_index(lv, rows, minutes) + 1
        count = np.where(under, np.minimum(lv.count, np.maximum(2 * count, need)), count)


@dataclass(frozen=True)
class _Levels:
    """The distinct minutes of each demand row to the candidate sites nearer than its nearest
    existing post, in increasing order (the D_i^k of P1–P5), and the pairs at each level.

    Pairs (``row``, ``col``, ``minutes``) are sorted by row, then minutes; ``level`` is each
    pair's global level; levels are numbered row by row, ``start[i]`` is row i's first level
    and ``count[i]`` its number of levels (K_i).
    """

    row: IntArray
    col: IntArray
    minutes: FloatArray
    level: IntArray
    lv_row: IntArray
    lv_minutes: FloatArray
    lv_next: FloatArray  # the next level's minutes in the same row, or the row's ε_i
    start: IntArray
    count: IntArray
    eps: FloatArray


def _levels(kept: _Pairs, eps: FloatArray) -> _Levels:
    row, mins = kept.row, kept.minutes
    order = np.lexsort((kept.col, mins, row))
    row, mins, col = row[order], mins[order], kept.col[order]
    new = np.ones(row.shape[0], dtype=bool)
    new[1:] = (row[1:] != row[:-1]) | (mins[1:] != mins[:-1])
    level = np.cumsum(new) - 1
    lv_row, lv_minutes = row[new], mins[new]
    count = np.bincount(lv_row, minlength=kept.n_rows).astype(np.int64)
    start = np.zeros(kept.n_rows, dtype=np.int64)
    np.cumsum(count[:-1], out=start[1:])
    lv_next = eps[lv_row].copy()
    same = lv_row[1:] == lv_row[:-1]
    lv_next[:-1][same] = lv_minutes[1:][same]
    return _Levels(row, col, mins, level, lv_row, lv_minutes, lv_next, start, count, eps)


def _level_index(lv: _Levels, rows: IntArray, minutes: FloatArray) -> IntArray:
    """Per row of ``rows``, how many of its levels lie strictly below ``minutes`` (the level
    of ``minutes`` when it is one of them; ``count`` when it is at or past the last)."""
    at = np.full(lv.count.shape[0], -np.inf)
    at[rows] = minutes
    below = lv.lv_minutes < at[lv.lv_row]
    return np.bincount(lv.lv_row[below], minlength=lv.count.shape[0])[rows].astype(np.int64)


def _next_minutes(lv: _Levels, rows: IntArray, count: IntArray) -> FloatArray:
    """The minutes a row is charged when no post lies within its first ``count`` levels: the
    next level's, or its nearest existing post's (inf: none) once every level is kept."""
    return np.asarray(lv.lv_next[lv.start[rows] + count - 1], dtype=np.float64)


def _pmedian_mip(
    lv: _Levels,
    rows: IntArray,
    count: IntArray,
    w: FloatArray,
    lone: BoolArray,
    p: int,
    plan_minutes: FloatArray,
    plan: IntArray,
) -> tuple[_Mip, IntArray, FloatArray | None]:
    """P1–P5 over the first ``count`` levels of each row in ``rows`` (a relaxation when a row is
    cut short: it is charged the next level's minutes, a lower bound), and a start from ``plan``.
    """
    eps = lv.eps
    keep_row = np.zeros(lv.count.shape[0], dtype=np.int64)
    keep_row[rows] = count
    local = np.arange(lv.lv_row.shape[0]) - lv.start[lv.lv_row]
    kept_lv = local < keep_row[lv.lv_row]
    lv_ids = np.flatnonzero(kept_lv)
    renum = np.full(lv.lv_row.shape[0], -1, dtype=np.int64)
    renum[lv_ids] = np.arange(lv_ids.shape[0])
    n_lv = lv_ids.shape[0]
    lv_row, lv_d, lv_local = lv.lv_row[lv_ids], lv.lv_minutes[lv_ids], local[lv_ids]
    nxt = lv.lv_next[lv_ids]
    open_top = ~np.isfinite(nxt)  # no existing post and every level kept: z = 0 (P5)
    z_cost = w[lv_row] * np.where(open_top, 0.0, nxt - lv_d)
    first = lv_local == 0
    offset = float(np.sum(w[lv_row[first]] * lv_d[first]) + np.sum(w[lone] * eps[lone]))
    pair_keep = kept_lv[lv.level]
    pair_level = renum[lv.level[pair_keep]]
    used, pos = _compact(lv.col[pair_keep])
    k = used.shape[0]
    idx = np.arange(n_lv)
    prev = ~first
    # columns: y_0..y_{k-1}, z_0..z_{n_lv-1}; rows: one per level (P2)/(P3), then (P4)
    mip = _Mip(
        maximize=False,
        offset=offset,
        cost=np.concatenate([np.zeros(k), z_cost]),  # (P1)
        lower=np.zeros(k + n_lv),
        upper=np.concatenate([np.ones(k), np.where(open_top, 0.0, np.inf)]),  # (P5)
        integer=np.concatenate([np.ones(k, dtype=bool), np.zeros(n_lv, dtype=bool)]),
        row_lower=np.concatenate([np.where(first, 1.0, 0.0), [-np.inf]]),
        row_upper=np.concatenate([np.full(n_lv, np.inf), [float(p)]]),
        row=np.concatenate([pair_level, idx, idx[prev], np.full(k, n_lv)]),
        col=np.concatenate([pos, k + idx, k + idx[prev] - 1, np.arange(k)]),
        val=np.concatenate(
            [np.ones(pos.shape[0]), np.ones(n_lv), -np.ones(int(prev.sum())), np.ones(k)]
        ),
    )
    # start: y from the plan; z_i^k = 1 while the plan's minutes exceed D_i^k
    y0 = np.isin(used, plan).astype(np.float64)
    reach_of_row = np.full(lv.count.shape[0], np.inf)
    reach_of_row[rows] = plan_minutes
    z0 = (reach_of_row[lv_row] > lv_d).astype(np.float64)
    start = None if np.any(z0[open_top] > 0) or y0.sum() > p else np.concatenate([y0, z0])
    return mip, used, start


def _pmedian_heuristic(dense: FloatArray, w: FloatArray, cap: FloatArray, p: int) -> BoolArray:
    """At most p columns of ``dense`` (rows x sites, minutes) with a low weighted sum of
    min(cap, nearest open): greedy, then best single swaps (Teitz & Bart) while one helps."""
    finite = dense[np.isfinite(dense)]
    big = 2.0 * (float(finite.max()) if finite.size else 1.0) + 1.0  # stands in for "no way"
    d = np.where(np.isfinite(dense), dense, big)
    c = np.where(np.isfinite(cap), cap, big)
    k = d.shape[1]
    y = np.zeros(k, dtype=bool)
    cur = c.copy()
    for _ in range(min(p, k)):
        total = w @ np.minimum(cur[:, None], d)
        total[y] = np.inf
        j = int(np.argmin(total))
        if not total[j] < float(w @ cur) - 1e-12:
            break
        y[j] = True
        cur = np.minimum(cur, d[:, j])
    return _pmedian_swap(dense, w, cap, y)


def _pmedian_swap(dense: FloatArray, w: FloatArray, cap: FloatArray, y: BoolArray) -> BoolArray:
    """Best single swaps (Teitz & Bart) from the open columns ``y`` while one helps."""
    finite = dense[np.isfinite(dense)]
    big = 2.0 * (float(finite.max()) if finite.size else 1.0) + 1.0
    d = np.where(np.isfinite(dense), dense, big)
    c = np.where(np.isfinite(cap), cap, big)
    y = y.copy()
    cur = c if not y.any() else np.minimum(c, d[:, y].min(axis=1))
    for _ in range(20 * max(1, int(y.sum()))):
        open_cols = np.flatnonzero(y)
        if open_cols.size == 0:
            break
        now = float(w @ cur)
        best, out, into = 0.0, -1, -1
        for j in open_cols.tolist():
            others = open_cols[open_cols != j]
            without = c if others.size == 0 else np.minimum(c, d[:, others].min(axis=1))
            total = w @ np.minimum(without[:, None], d)
            total[y] = np.inf
            kk = int(np.argmin(total))
            gain = now - float(total[kk])
            if gain > best + 1e-9 * max(1.0, now):
                best, out, into = gain, j, kk
        if out < 0:
            break
        y[out], y[into] = False, True
        cur = np.minimum(c, d[:, np.flatnonzero(y)].min(axis=1))
    return y


def _unreachable_result(
    inst: SitingInstance,
    model: ModelName,
    pairs: _Pairs,
    clock: _Clock,
    p: int,
    unc: IntArray,
) -> SitingResult:
    return _result(
        inst, model, pairs, clock, status="infeasible", added=np.zeros(0, dtype=np.int64),
        objective=math.nan, bound=math.nan, p=p, uncoverable=unc, n_demand_merged=0,
        n_candidates_used=0,
        message=f"{unc.size} demand point(s) with weight > 0 are reached by no candidate and "
        "no existing post",
    )


@dataclass(frozen=True)
class _Assign:
    """The single-source assignment MIP (C2)–(C6) over some pairs; objective (C1) optional."""

    mip: _Mip
    used: IntArray  # columns of the instance, in MIP order
    pair_row: IntArray
    pair_col: IntArray  # instance columns
    pair_min: FloatArray
    n_rows: int


def _assignment_mip(
    inst: SitingInstance, sel: _Pairs, p: int, *, cost_minutes: bool
) -> _Assign | None:
    """The MIP, or None when a demand point has no post that could take it at all."""
    w = inst.weights
    cap = cast(FloatArray, inst.capacity)
    active_rows = np.flatnonzero(w > 0)
    keep = (w[sel.row] > 0) & (w[sel.row] <= cap[sel.col])  # a point too big for a post: no pair
    prow, pcol, pmin = sel.row[keep], sel.col[keep], sel.minutes[keep]
    if np.unique(prow).shape[0] < active_rows.shape[0]:
        return None
    used, ypos = _compact(np.concatenate([pcol, np.flatnonzero(inst.existing)]))
    ypos = ypos[: pcol.shape[0]]
    k, n_pairs = used.shape[0], pcol.shape[0]
    rpos = np.searchsorted(active_rows, prow)
    n_i = active_rows.shape[0]
    exist = inst.existing[used]
    capped = np.flatnonzero(np.isfinite(cap[used]))
    xs = k + np.arange(n_pairs)
    r_c3 = n_i + np.arange(n_pairs)
    r_c4 = n_i + n_pairs + np.searchsorted(capped, ypos)
    has_cap = np.isin(ypos, capped)
    r_c5 = n_i + n_pairs + capped.shape[0]
    new_y = np.flatnonzero(~exist)
    mip = _Mip(
        maximize=False,
        offset=0.0,
        cost=np.concatenate(
            [np.zeros(k), w[prow] * pmin if cost_minutes else np.zeros(n_pairs)]
        ),  # (C1)
        lower=np.concatenate([exist.astype(np.float64), np.zeros(n_pairs)]),  # (C6)
        upper=np.ones(k + n_pairs),
        integer=np.ones(k + n_pairs, dtype=bool),
        row_lower=np.concatenate(
            [np.ones(n_i), np.full(n_pairs + capped.shape[0] + 1, -np.inf)]
        ),
        row_upper=np.concatenate(
            [np.ones(n_i), np.zeros(n_pairs + capped.shape[0]), [float(p)]]
        ),
        row=np.concatenate(
            [rpos, r_c3, r_c3, r_c4[has_cap], n_i + n_pairs + np.arange(capped.shape[0]),
             np.full(new_y.shape[0], r_c5)]
        ),
        col=np.concatenate([xs, xs, ypos, xs[has_cap], capped, new_y]),
        val=np.concatenate(
            [np.ones(n_pairs), np.ones(n_pairs), -np.ones(n_pairs),  # (C2), (C3)
             w[prow][has_cap], -cap[used][capped],  # (C4)
             np.ones(new_y.shape[0])]  # (C5)
        ),
    )
    return _Assign(mip, used, prow, pcol, pmin, n_i)


def _read_assignment(inst: SitingInstance, a: _Assign, x: FloatArray) -> tuple[IntArray, IntArray]:
    k = a.used.shape[0]
    y = x[:k] > 0.5
    added = a.used[y & ~inst.existing[a.used]]
    on = x[k:] > 0.5
    assignment = np.full(inst.n_demand, -1, dtype=np.int64)
    assignment[a.pair_row[on]] = a.pair_col[on]
    return added, assignment


def _assigned_minutes(inst: SitingInstance, a: _Assign, x: FloatArray) -> FloatArray:
    on = x[a.used.shape[0]:] > 0.5
    return a.pair_min[on]


def _capacitated(
    inst: SitingInstance,
    model: ModelName,
    pairs: _Pairs,
    clock: _Clock,
    p: int,
    time_limit: float | None,
    mip_gap: float,
) -> SitingResult:
    a = _assignment_mip(inst, pairs, p, cost_minutes=True)
    solved = None if a is None else clock.add(
        _solve(a.mip, time_limit=time_limit, mip_gap=mip_gap)
    )
    none = np.zeros(0, dtype=np.int64)
    if a is None or solved is None or solved.status == "infeasible":
        return _result(
            inst, model, pairs, clock, status="infeasible", added=none, objective=math.nan,
            bound=math.nan, p=p, uncoverable=none,
            n_demand_merged=0 if a is None else a.n_rows,
            n_candidates_used=0 if a is None else int(np.count_nonzero(~inst.existing[a.used])),
            message=f"{p} new post(s) and the existing ones cannot serve every demand point "
            "within the capacities",
        )
    n_used = int(np.count_nonzero(~inst.existing[a.used]))
    added, assignment, objective = none, None, math.nan
    if solved.x is not None:
        added, assignment = _read_assignment(inst, a, solved.x)
        on = solved.x[a.used.shape[0]:] > 0.5
        objective = float(np.sum(inst.weights[a.pair_row[on]] * a.pair_min[on]))
    return _result(
        inst, model, pairs, clock, status=solved.status, added=added, objective=objective,
        bound=solved.bound, p=p, uncoverable=none, n_demand_merged=a.n_rows,
        n_candidates_used=n_used, assignment=assignment,
        message=_time_message(solved.status, solved.x is not None),
    )


@dataclass(frozen=True)
class _Try:
    """One radius test of the p-center search."""

    status: Literal["feasible", "infeasible", "unknown"]
    added: IntArray
    radius: float  # the largest minutes the plan actually needs
    assignment: IntArray | None
    rows: int
    cols: int


def _center_test(
    inst: SitingInstance,
    pairs: _Pairs,
    radius: float,
    p: int,
    clock: _Clock,
    time_limit: float | None,
) -> _Try:
    """Can at most p new posts (and the existing ones) serve every point within ``radius``?"""
    none = np.zeros(0, dtype=np.int64)
    within = pairs.select(pairs.minutes <= radius)
    if inst.capacity is not None:
        a = _assignment_mip(inst, within, p, cost_minutes=False)
        if a is None:
            return _Try("infeasible", none, math.inf, None, 0, 0)
        # (C5)'s count is the objective here, so a plan stops the search at once (first_feasible)
        cost = np.zeros_like(a.mip.cost)
        cost[: a.used.shape[0]] = (~inst.existing[a.used]).astype(np.float64)
        mip = replace(a.mip, cost=cost)
        solved = clock.add(_solve(mip, time_limit=time_limit, mip_gap=0.0, first_feasible=True))
        cols = int(np.count_nonzero(~inst.existing[a.used]))
        if solved.status == "infeasible":
            return _Try("infeasible", none, math.inf, None, a.n_rows, cols)
        if solved.x is None:
            return _Try("unknown", none, math.inf, None, a.n_rows, cols)
        added, assignment = _read_assignment(inst, a, solved.x)
        used_min = _assigned_minutes(inst, a, solved.x)
        r = float(used_min.max()) if used_min.size else 0.0
        return _Try("feasible", added, r, assignment, a.n_rows, cols)
    active = inst.weights > 0
    ex = inst.existing[within.col]
    e = _row_counts(within, ex)
    new = within.select(~ex)
    rows = np.flatnonzero(active & (e == 0))
    if np.any(np.diff(new.indptr)[rows] == 0):
        return _Try("infeasible", none, math.inf, None, 0, 0)
    if rows.size:
        _, merged = _merge_rows(new, rows, np.zeros(rows.shape[0], dtype=np.int64))
        _, merged = _undominated(merged, np.zeros(merged.n_rows, dtype=np.int64))
        used, a, at = _incidence(merged)
        k, r = used.shape[0], merged.n_rows
        greedy = _greedy_cover(a, at)
        if int(greedy.sum()) <= p:  # a quick plan settles it
            added = used[greedy]
        else:
            mip, _ = _lscp_mip(merged, 0.0, p)
            solved = clock.add(
                _solve(mip, time_limit=time_limit, mip_gap=0.0, first_feasible=True,
                       presolve=False)
            )
            if solved.status == "infeasible":
                return _Try("infeasible", none, math.inf, None, r, k)
            if solved.x is None:
                return _Try("unknown", none, math.inf, None, r, k)
            added = _chosen(solved.x, used)
    else:
        added, r, k = none, 0, 0
    open_cols = inst.existing.copy()
    open_cols[added] = True
    best, serve = _nearest_open(inst, pairs, open_cols)
    reach = float(best[active].max()) if active.any() else 0.0
    return _Try("feasible", added, reach, np.where(active, serve, -1), r, k)


def pcenter(
    inst: SitingInstance,
    *,
    p: int,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> SitingResult:
    """At most ``p`` new posts minimizing the largest minutes from a demand point (weight > 0)
    to its post, existing posts included — by binary search over the distinct minutes with a
    covering (or, with capacities, an assignment) feasibility MIP at each radius.

    ``mip_gap`` stops the search once the best radius is within that fraction of the proven
    lower bound; ``time_limit`` bounds the whole search (the result then holds the best plan
    found and the bound proven so far).
    """
    time_limit, mip_gap = _check_options(time_limit, mip_gap)
    p = _check_p(inst, p)
    clock = _Clock()
    deadline = None if time_limit is None else clock.start + time_limit
    pairs = _pairs(inst)
    unc = _unreachable(inst, pairs)
    if unc.size:
        return _unreachable_result(inst, "pcenter", pairs, clock, p, unc)
    active = inst.weights > 0
    none = np.zeros(0, dtype=np.int64)
    if not active.any():
        return _result(
            inst, "pcenter", pairs, clock, status="optimal", added=none, objective=0.0,
            bound=0.0, p=p, uncoverable=none, n_demand_merged=0, n_candidates_used=0,
            assignment=np.full(inst.n_demand, -1, dtype=np.int64),
        )
    on_active = active[pairs.row]
    nearest_any, _ = _nearest_open(inst, pairs, np.ones(inst.n_candidates, dtype=bool))
    lower = float(nearest_any[active].max())
    radii = np.unique(pairs.minutes[on_active])
    radii = radii[radii >= lower]

    def remaining() -> float | None:
        return None if deadline is None else deadline - time.perf_counter()

    clock.solving()
    lo, hi = 0, radii.shape[0] - 1
    best: _Try | None = None
    timed_out = False
    # establish a feasible radius first: the largest one
    left = remaining()
    test = _center_test(inst, pairs, float(radii[hi]), p, clock, left)
    if test.status == "infeasible":
        return _result(
            inst, "pcenter", pairs, clock, status="infeasible", added=none,
            objective=math.nan, bound=math.nan, p=p, uncoverable=none,
            n_demand_merged=test.rows, n_candidates_used=test.cols,
            message=f"{p} new post(s) and the existing ones cannot serve every demand point "
            "at any radius; raise p",
        )
    if test.status == "unknown":
        timed_out = True
    else:
        best = test
        hi = int(np.searchsorted(radii, test.radius))
    while best is not None and lo < hi:
        if mip_gap > 0 and radii[hi] - radii[lo] <= mip_gap * radii[hi]:
            break
        left = remaining()
        if left is not None and left <= 0:
            timed_out = True
            break
        mid = (lo + hi) // 2
        test = _center_test(inst, pairs, float(radii[mid]), p, clock, left)
        if test.status == "unknown":
            timed_out = True
            break
        if test.status == "infeasible":
            lo = mid + 1
        else:
            best = test
            hi = int(np.searchsorted(radii, test.radius))
    bound = float(radii[lo])
    if best is None:
        return _result(
            inst, "pcenter", pairs, clock, status="time_limit", added=none,
            objective=math.nan, bound=bound, p=p, uncoverable=none, n_demand_merged=0,
            n_candidates_used=0, gap=math.inf,
            message="the time limit was reached before any plan was found",
        )
    objective = best.radius
    return _result(
        inst, "pcenter", pairs, clock, status="time_limit" if timed_out else "optimal",
        added=best.added, objective=objective, bound=bound, p=p, uncoverable=none,
        n_demand_merged=best.rows, n_candidates_used=best.cols, assignment=best.assignment,
        message="the time limit was reached; the plan is the best radius found, the bound the "
        "smallest radius not yet proven too small" if timed_out else "",
    )


# ---------------------------------------------------------------------------------------------
# The dispatcher and the evaluator


def site(
    inst: SitingInstance,
    *,
    model: ModelName,
    p: int | None = None,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> SitingResult:
    """Run one siting model by name: ``lscp`` (no p), ``mclp``, ``bclp``, ``pmedian``,
    ``pcenter`` (each needs ``p``, the number of new posts, existing ones not counted)."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}; got {model!r}")
    if model == "lscp":
        if p is not None:
            raise ValueError(
                f"p must be None for lscp (it finds the fewest new posts itself); got {p!r}"
            )
        return lscp(inst, time_limit=time_limit, mip_gap=mip_gap)
    if p is None:
        raise ValueError(f"p (the number of new posts) is required for model {model!r}")
    runs: dict[str, Callable[..., SitingResult]] = {
        "mclp": mclp,
        "bclp": bclp,
        "pmedian": pmedian,
        "pcenter": pcenter,
    }
    return runs[model](inst, p=p, time_limit=time_limit, mip_gap=mip_gap)


def evaluate(
    inst: SitingInstance,
    chosen: Iterable[int],
    *,
    assignment: Sequence[int] | None = None,
) -> Evaluation:
    """Every model's objective for new posts at the columns ``chosen`` (existing posts open
    too), recomputed from the matrix without a solver.

    Without ``assignment`` each demand point is served by its nearest open post (ties: lowest
    column); with it (one column per demand point, -1 for weight 0), p-median and p-center are
    measured on that assignment. Raises ``ValueError`` on a chosen column that is out of range,
    repeated or an existing post, and on an assignment to a closed or unreachable post.
    """
    picked = [int(c) for c in chosen]
    m, n = inst.n_candidates, inst.n_demand
    bad = [c for c in picked if not 0 <= c < m]
    if bad:
        raise ValueError(f"chosen must be column indices 0..{m - 1}; got {bad[:5]}")
    if len(set(picked)) != len(picked):
        raise ValueError(f"chosen must not repeat a column; got {sorted(picked)}")
    if any(inst.existing[c] for c in picked):
        dup = [c for c in picked if inst.existing[c]]
        raise ValueError(f"chosen must be new posts, not existing ones; columns {dup} exist")
    open_cols = np.sort(np.concatenate([np.flatnonzero(inst.existing), picked]).astype(int))
    sub = _dense_columns(inst.minutes, open_cols)  # (n, n_open), inf = unreachable
    t = inst.target_minutes[:, None]
    w = inst.weights
    active = w > 0
    hits = (sub <= t).sum(axis=1)
    covered = hits >= 1
    total = float(w[active].sum())
    cw = float(w[active & covered].sum())
    coverable = _dense_any_within(inst.minutes, inst.target_minutes)
    if open_cols.size:
        pos = np.argmin(sub, axis=1)
        near = sub[np.arange(n), pos]
        serve = np.where(np.isfinite(near), open_cols[pos], -1)
    else:
        near = np.full(n, np.inf)
        serve = np.full(n, -1)
    if assignment is not None:
        got = np.asarray(assignment, dtype=np.int64)
        if got.shape != (n,):
            raise ValueError(f"assignment must hold one column per demand point ({n}); "
                             f"got shape {got.shape}")
        where = {int(c): k for k, c in enumerate(open_cols.tolist())}
        for i in np.flatnonzero(active).tolist():
            c = int(got[i])
            if c not in where or not np.isfinite(sub[i, where[c]]):
                raise ValueError(
                    f"assignment must send each demand point to an open post that reaches it; "
                    f"demand {i} is assigned column {c}"
                )
        near = np.array(
            [sub[i, where[int(got[i])]] if active[i] else 0.0 for i in range(n)], dtype=float
        )
        serve = np.where(active, got, -1)
    load = _wsum(serve[active & (serve >= 0)], weights=w[active & (serve >= 0)],
                       minlength=m)
    cap_ok = inst.capacity is None or bool(np.all(load <= inst.capacity + 1e-9))
    dist = near[active]
    return Evaluation(
        count=len(picked),
        covered_weight=cw,
        covered_weight_share=cw / total if total > 0 else 1.0,
        uncovered=tuple(int(i) for i in np.flatnonzero(active & ~covered).tolist()),
        lscp=len(picked),
        lscp_feasible=bool(np.all(covered[active])),
        mclp=cw,
        bclp=float(w[active & (hits >= 2)].sum()),
        bclp_feasible=bool(np.all(covered[active & coverable])),
        pmedian=float(np.sum(w[active] * dist)) if np.all(np.isfinite(dist)) else math.inf,
        pcenter=float(dist.max()) if dist.size else 0.0,
        assignment=tuple(int(c) if active[i] else -1 for i, c in enumerate(serve.tolist())),
        capacity_ok=cap_ok,
    )


def _dense_columns(minutes: Any, cols: IntArray) -> FloatArray:
    if not sparse.issparse(minutes):
        return np.asarray(minutes[:, cols], dtype=np.float64)
    sub = sparse.csc_array(minutes)[:, cols].tocoo()
    out = np.full(sub.shape, np.inf)
    out[sub.row, sub.col] = sub.data
    return out


def _dense_any_within(minutes: Any, target: FloatArray) -> BoolArray:
    if not sparse.issparse(minutes):
        return np.asarray((minutes <= target[:, None]).any(axis=1))
    coo = minutes.tocoo()
    hit = coo.data <= target[coo.row]
    return np.bincount(coo.row[hit], minlength=minutes.shape[0]) > 0
