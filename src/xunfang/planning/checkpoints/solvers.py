"""Strong Stackelberg equilibria of the checkpoint game with HiGHS.

All solvers work on the compact (marginal) form: the defender commits to coverage ``c`` (one
probability per target, see :mod:`.game`), not to a distribution over the astronomically many
daily schedules; :mod:`.sample` turns ``c`` back into schedules.

* :func:`minimax` — min over feasible c of one type's best payoff (an LP); a lower bound on that
  type's payoff under *any* defender strategy, used to prune targets the type never attacks.
* :func:`solve_origami` — one attacker type, ORIGAMI-style (Kiekintveld et al. 2009): first the
  compact LP minimising the attacker's best payoff v* (the "maximal indifference" coverage);
  then, because the Strong Stackelberg Equilibrium (SSE) need not be that coverage when the
  game has general-sum payoffs or side constraints, the multiple-LPs method on the compact form
  (Conitzer & Sandholm 2006): for each target t* the LP "maximise the defender's payoff at t*
  subject to t* being a best response". Only targets with att_uncovered ≥ v* can be a best
  response, and LP(t*) is at most the defender's payoff at coverage
  min(hi, (att_uncovered − v*)/(att_uncovered − att_covered)); LPs are solved in decreasing
  order of that bound and stop once the bound cannot beat the best found, so the answer is
  exact and usually takes one or two LPs.
* :func:`solve_multiple_lps` — several types: the multiple-LPs method on the Harsanyi
  transformation (one LP per tuple of best responses, one target per type), with the same
  pruning and bound ordering.
* :func:`solve_dobss` — several types: DOBSS (Paruchuri et al. 2008) in its compact
  security-game form (the ERASER MILP of Kiekintveld et al. 2009): binary best-response
  indicators per type and target, big-M rows, the defender's value maximised.
* :func:`dobss_normal_form` — the original DOBSS MILP over explicit pure strategies (for small
  games: the cross-check "brute force over pure strategies", with :func:`pure_strategies`).
* :func:`spread` — after the SSE, the capacity it leaves unused is spread over the other
  targets with every value held (an LP);
* :func:`check_sse` — each type's best response to c, ties broken in the defender's favour,
  and the defender's value that results; the strategy is an SSE when that value equals the
  optimum the solvers prove.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
from highspy._core import _Highs
from scipy import sparse

from xunfang._errors import XunfangError
from xunfang.planning.checkpoints.game import GameError, SecurityGame
from xunfang.scenario.model import BoolArray, FloatArray, IntArray

#: Two attacker payoffs closer than this are a tie (broken in the defender's favour).
TIE_TOL = 1e-7
#: Feasibility tolerance handed to HiGHS.
FEAS_TOL = 1e-9


class SolverError(XunfangError, RuntimeError):
    """HiGHS stopped with a status other than optimal or infeasible."""


# --- a small model builder ----------------------------------------------------------------------


class _Model:
    """Columns and COO rows of an LP/MILP, passed to HiGHS in one call."""

    def __init__(self) -> None:
        self.lb: list[FloatArray] = []
        self.ub: list[FloatArray] = []
        self.cost: list[FloatArray] = []
        self.integer: list[IntArray] = []
        self.n_cols = 0
        self.rlo: list[FloatArray] = []
        self.rhi: list[FloatArray] = []
        self.ri: list[IntArray] = []
        self.ci: list[IntArray] = []
        self.vv: list[FloatArray] = []
        self.n_rows = 0

    def cols(self, lb: object, ub: object, n: int, cost: object = 0.0,
             integer: bool = False) -> IntArray:
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=np.float64), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=np.float64), (n,)).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self.integer.append(np.full(n, 1 if integer else 0, dtype=np.int64))
        idx = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.n_cols += n
        return idx

    def rows(self, lower: object, upper: object, m: int, r: IntArray, c: IntArray,
             v: object) -> IntArray:
        """Add m rows; ``r`` indexes them 0..m-1, ``c`` the columns, ``v`` the values."""
        self.rlo.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (m,)).copy())
        self.rhi.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (m,)).copy())
        r = np.asarray(r, dtype=np.int64)
        self.ri.append(r + self.n_rows)
        self.ci.append(np.asarray(c, dtype=np.int64))
        self.vv.append(np.broadcast_to(np.asarray(v, dtype=np.float64), r.shape).copy())
        idx = np.arange(self.n_rows, self.n_rows + m, dtype=np.int64)
        self.n_rows += m
        return idx

    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray,
                              sparse.csr_array]:
        """(column lower, column upper, cost, row lower, row upper, CSR matrix)."""
        def cat(parts: list[FloatArray]) -> FloatArray:
            return (np.concatenate(parts).astype(np.float64) if parts
                    else np.zeros(0, dtype=np.float64))

        ri = np.concatenate(self.ri) if self.ri else np.zeros(0, dtype=np.int64)
        ci = np.concatenate(self.ci) if self.ci else np.zeros(0, dtype=np.int64)
        a = sparse.csr_array((cat(self.vv), (ri, ci)), shape=(self.n_rows, self.n_cols))
        a.sum_duplicates()
        return cat(self.lb), cat(self.ub), cat(self.cost), cat(self.rlo), cat(self.rhi), a

    def highs(self, *, maximize: bool, mip_gap: float = 1e-9,
              time_limit: float | None = None) -> _Highs:
        """A silent HiGHS holding the model."""
        lb, ub, cost, rlo, rhi, a = self.arrays()
        integer = (np.concatenate(self.integer).astype(np.int32) if self.integer
                   else np.zeros(0, dtype=np.int32))
        # the core class stays silent once output_flag is off (highspy.Highs prints a banner)
        h = _Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("primal_feasibility_tolerance", FEAS_TOL)
        h.setOptionValue("dual_feasibility_tolerance", FEAS_TOL)
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("mip_abs_gap", 1e-9)
        h.setOptionValue("mip_feasibility_tolerance", FEAS_TOL)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        status = h.passModel(
            self.n_cols, self.n_rows, int(a.nnz), int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize), 0.0,
            cost, lb, ub, rlo, rhi, a.indptr.astype(np.int32), a.indices.astype(np.int32),
            np.ascontiguousarray(a.data, dtype=np.float64), integer,
        )
        if status == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS rejected the model ({self.n_rows} rows, {self.n_cols} "
                              "columns)")
        return h

    def solve(self, *, maximize: bool, mip_gap: float = 1e-9,
              time_limit: float | None = None) -> tuple[str, FloatArray | None, float]:
        """("optimal" | "infeasible", x or None, objective)."""
        h = self.highs(maximize=maximize, mip_gap=mip_gap, time_limit=time_limit)
        return run(h)


def run(h: _Highs) -> tuple[str, FloatArray | None, float]:
    """Run HiGHS: ("optimal" | "infeasible" | "time_limit", x or None, objective); a time limit
    without a feasible solution, and any other status, raises."""
    h.run()
    ms = h.getModelStatus()
    if ms in (highspy.HighsModelStatus.kInfeasible,
              highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible", None, math.nan
    if (ms == highspy.HighsModelStatus.kTimeLimit
            and h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible):
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        return "time_limit", x, float(h.getInfo().objective_function_value)
    if ms != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS stopped with model status {h.modelStatusToString(ms)!r}")
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return "optimal", x, float(h.getInfo().objective_function_value)


@dataclass(frozen=True)
class _Base:
    model: _Model
    cov: IntArray  # coverage column of each target
    flows: tuple[Flow, ...] = ()  # one per transition where the travel rule binds


@dataclass(frozen=True)
class Flow:
    """The columns of the teams' moves from slot ``s`` to ``s + 1``: ``f[k]`` moves a team
    from site ``pi[k]`` to ``pj[k]``; ``gout[k]`` takes one off site ``a_sites[k]`` (to no site),
    ``gin[k]`` puts one on site ``b_sites[k]`` (from no site)."""

    s: int
    pi: IntArray
    pj: IntArray
    f: IntArray
    a_sites: IntArray
    gout: IntArray
    b_sites: IntArray
    gin: IntArray


def _base(g: SecurityGame) -> _Base:
    """The coverage columns with bounds, team counts per slot and the travel-rule flows."""
    m = _Model()
    n_sites, n_slots = g.n_sites, g.n_slots
    cov = m.cols(g.lo, g.hi, g.n_targets)
    grid = cov.reshape(n_sites, n_slots)
    # sum_i c[i, s] <= teams[s]
    m.rows(-np.inf, g.teams.astype(np.float64), n_slots,
           np.tile(np.arange(n_slots), n_sites), cov, 1.0)
    if g.share_lo is not None or g.share_hi is not None:
        # staffing: share_lo[i] m_i <= sum_s c[i, s] <= share_hi[i] m_i
        s_lo, s_hi = g.share_bounds()
        m.rows(s_lo, s_hi, n_sites, np.repeat(np.arange(n_sites), n_slots), cov, 1.0)
    total = float(g.teams.max())
    flows = []
    hi = g.hi.reshape(n_sites, n_slots) > 0
    for s in np.flatnonzero(g.binding_moves()).tolist():
        assert g.moves is not None
        ok = g.moves[s] & hi[:, s][:, None] & hi[:, s + 1][None, :]
        pi, pj = np.nonzero(ok)
        f = m.cols(0.0, 1.0, pi.size)
        a_sites = np.flatnonzero(hi[:, s])
        b_sites = np.flatnonzero(hi[:, s + 1])
        gout_cols = m.cols(0.0, 1.0, a_sites.size)
        gin_cols = m.cols(0.0, 1.0, b_sites.size)
        # out of (i, s): sum_j f[i, j] + gout[i] - c[i, s] = 0
        r_out = np.concatenate([pi, a_sites, a_sites])
        c_out = np.concatenate([f, gout_cols, grid[a_sites, s]])
        v_out = np.concatenate([np.ones(pi.size + a_sites.size), -np.ones(a_sites.size)])
        m.rows(0.0, 0.0, n_sites, r_out, c_out, v_out)
        # into (j, s + 1): sum_i f[i, j] + gin[j] - c[j, s + 1] = 0
        r_in = np.concatenate([pj, b_sites, b_sites])
        c_in = np.concatenate([f, gin_cols, grid[b_sites, s + 1]])
        v_in = np.concatenate([np.ones(pj.size + b_sites.size), -np.ones(b_sites.size)])
        m.rows(0.0, 0.0, n_sites, r_in, c_in, v_in)
        # teams not at a site in slot s: sum gin + sum_i c[i, s] <= T
        m.rows(-np.inf, total, 1, np.zeros(b_sites.size + a_sites.size, dtype=np.int64),
               np.concatenate([gin_cols, grid[a_sites, s]]), 1.0)
        flows.append(Flow(s=s, pi=pi, pj=pj, f=f, a_sites=a_sites, gout=gout_cols,
                          b_sites=b_sites, gin=gin_cols))
    return _Base(model=m, cov=cov, flows=tuple(flows))


def _diff(g: SecurityGame) -> tuple[FloatArray, FloatArray]:
    """(K, n) slopes of the attacker's and the defender's payoff in the coverage."""
    return g.att_covered - g.att_uncovered, g.def_covered - g.def_uncovered


def _infeasible(g: SecurityGame) -> GameError:
    """Say which constraint leaves no feasible coverage."""
    if g.moves is not None and bool(g.binding_moves().any()):
        relaxed = SecurityGame(
            site_ids=g.site_ids, slot_names=g.slot_names, type_names=g.type_names, prob=g.prob,
            def_covered=g.def_covered, def_uncovered=g.def_uncovered,
            att_covered=g.att_covered, att_uncovered=g.att_uncovered, teams=g.teams, lo=g.lo,
            hi=g.hi, moves=None, share_lo=g.share_lo, share_hi=g.share_hi)
        b = _base(relaxed)
        status, _, _ = b.model.solve(maximize=False)
        if status == "optimal":
            return GameError("constraints leave no feasible schedule: the travel rule between "
                             "consecutive slots cannot be met together with the sites' minimum "
                             "staffing (raise the change-over time or lower min staffing)")
    return GameError("constraints leave no feasible schedule: the sites' minimum staffing, "
                     "maximum staffing and team counts contradict each other")


# --- solutions ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Solution:
    """An SSE candidate: coverage, each type's attacked target and the values.

    ``bound`` is a proven upper bound on the defender's SSE value (equal to
    ``defender_value`` up to solver tolerance when solved to optimality); ``programs`` counts
    the LPs/MILPs solved; ``minimax[k]`` is type k's minimax payoff v*_k where computed.
    ``proven`` is False when the solver stopped at its time limit: the coverage is its best
    found and ``bound`` HiGHS' dual bound, which no strategy need attain (on ebian, two teams
    and four capped sites, the 30 s bound was −0.748 where 240 s proved −1.119 optimal).
    """

    method: str
    coverage: FloatArray
    defender_value: float
    attacker_values: FloatArray  # (K,)
    attacked: IntArray  # (K,) target index
    bound: float
    programs: int
    seconds: float
    minimax: FloatArray = field(default_factory=lambda: np.zeros(0))  # (K,) v*_k
    spread_from: float = math.nan  # total coverage before :func:`spread` (nan: not spread)
    proven: bool = True  # solved to optimality (False: stopped at the time limit)
    spread_skipped: str = ""  # why :func:`spread` left the coverage as it is (out of time)

    def attacker_value(self, prob: FloatArray) -> float:
        return float(np.dot(prob, self.attacker_values))


def minimax(g: SecurityGame, k: int = 0) -> tuple[float, FloatArray]:
    """min over feasible coverage of type k's best payoff: (v*, a coverage attaining it)."""
    b = _base(g)
    m = b.model
    v = m.cols(-np.inf, np.inf, 1, cost=1.0)
    da, _ = _diff(g)
    act = np.flatnonzero(g.is_active())
    n = act.size
    r = np.concatenate([np.arange(n), np.arange(n)])
    c = np.concatenate([b.cov[act], np.full(n, v[0])])
    vals = np.concatenate([da[k, act], -np.ones(n)])
    m.rows(-np.inf, -g.att_uncovered[k, act], n, r, c, vals)
    status, x, obj = m.solve(maximize=False)
    if status != "optimal" or x is None:
        raise _infeasible(g)
    return obj, x[b.cov]


def _candidates(g: SecurityGame, k: int, vstar: float) -> tuple[IntArray, FloatArray]:
    """Targets type k may attack in an SSE and the bound on the defender's payoff there."""
    da, dd = _diff(g)
    cap = np.minimum(g.hi, (g.att_uncovered[k] - vstar) / -da[k])
    ok = (g.att_uncovered[k] >= vstar - TIE_TOL) & (cap >= g.lo - TIE_TOL) & g.is_active()
    cap = np.clip(cap, g.lo, g.hi)
    ub = g.def_uncovered[k] + dd[k] * cap
    idx = np.flatnonzero(ok)
    order = np.argsort(-ub[idx], kind="stable")
    return idx[order], ub[idx[order]]


def _best_response_lp(g: SecurityGame, attacked: dict[int, int]) -> tuple[float, FloatArray
                                                                            | None]:
    """max Σ_k p_k U^d_k(t_k) s.t. t_k is a best response of each type k (types not in
    ``attacked`` are ignored: their probability is 0 in the single-type case)."""
    b = _base(g)
    m = b.model
    da, dd = _diff(g)
    act = g.is_active()
    cost = np.zeros(m.n_cols)
    const = 0.0
    for k, tk in attacked.items():
        w = float(g.prob[k]) if len(attacked) > 1 else 1.0
        cost[b.cov[tk]] += w * dd[k, tk]
        const += w * g.def_uncovered[k, tk]
        others = np.flatnonzero(act & (np.arange(g.n_targets) != tk))
        no = others.size
        # U^a_k(t) <= U^a_k(t_k):  da[t] c_t - da[t_k] c_tk <= ua[t_k] - ua[t]
        r = np.concatenate([np.arange(no), np.arange(no)])
        c = np.concatenate([b.cov[others], np.full(no, b.cov[tk])])
        v = np.concatenate([da[k, others], np.full(no, -da[k, tk])])
        m.rows(-np.inf, g.att_uncovered[k, tk] - g.att_uncovered[k, others], no, r, c, v)
    # the objective lives on the coverage columns
    m.cost[0] = cost[: g.n_targets]
    status, x, obj = m.solve(maximize=True)
    if status != "optimal" or x is None:
        return -math.inf, None
    return obj + const, x[b.cov]


def _finish(g: SecurityGame, method: str, cov: FloatArray, bound: float, programs: int,
            t0: float, vstar: FloatArray, *, proven: bool = True) -> Solution:
    cov = np.clip(cov, g.lo, g.hi)
    chk = check_sse(g, cov)
    return Solution(method=method, coverage=cov, defender_value=chk.defender_value,
                    attacker_values=chk.attacker_values, attacked=chk.attacked, bound=bound,
                    programs=programs, seconds=time.perf_counter() - t0, minimax=vstar,
                    proven=proven)


def solve_origami(g: SecurityGame, *, k: int = 0) -> Solution:
    """The SSE against attacker type ``k`` alone (see the module doc)."""
    t0 = time.perf_counter()
    vstar, _ = minimax(g, k)
    cand, ub = _candidates(g, k, vstar)
    best, best_c, programs = -math.inf, None, 1
    for t, bound in zip(cand.tolist(), ub.tolist(), strict=True):
        if bound <= best + 1e-9:
            break
        val, cov = _best_response_lp(g, {k: t})
        programs += 1
        if cov is not None and val > best:
            best, best_c = val, cov
    if best_c is None:
        raise _infeasible(g)
    sol = _finish(g, "origami", best_c, best, programs, t0, np.array([vstar]))
    if g.n_types > 1:  # report as a one-type game: values of type k only
        return Solution(method=sol.method, coverage=sol.coverage,
                        defender_value=float(
                            g.defender_utility(sol.coverage)[k, sol.attacked[k]]),
                        attacker_values=sol.attacker_values, attacked=sol.attacked,
                        bound=best, programs=programs, seconds=sol.seconds, minimax=sol.minimax)
    return sol


def solve_multiple_lps(g: SecurityGame, *, max_programs: int = 100_000) -> Solution:
    """The SSE of the Bayesian game by multiple LPs over tuples of best responses."""
    t0 = time.perf_counter()
    vstars = np.array([minimax(g, k)[0] for k in range(g.n_types)])
    cands = [_candidates(g, k, float(vstars[k])) for k in range(g.n_types)]
    n_tuples = math.prod(len(c[0]) for c in cands)
    if n_tuples > max_programs:
        raise GameError(f"multiple LPs: {n_tuples} tuples of best responses to try (more than "
                        f"{max_programs}); use DOBSS for this game")
    tuples = list(itertools.product(*[range(len(c[0])) for c in cands]))
    bounds = np.array([sum(g.prob[k] * cands[k][1][j] for k, j in enumerate(tp))
                       for tp in tuples])
    order = np.argsort(-bounds, kind="stable")
    best, best_c, programs = -math.inf, None, g.n_types
    for o in order.tolist():
        if bounds[o] <= best + 1e-9:
            break
        attacked = {k: int(cands[k][0][j]) for k, j in enumerate(tuples[o])}
        val, cov = _best_response_lp(g, attacked)
        programs += 1
        if cov is not None and val > best:
            best, best_c = val, cov
    if best_c is None:
        raise _infeasible(g)
    return _finish(g, "multiple-lps", best_c, best, programs, t0, vstars)


def solve_dobss(g: SecurityGame, *, time_limit: float | None = None,
                prune: bool = True) -> Solution:
    """The SSE of the Bayesian game by the DOBSS MILP in compact (marginal) form.

    With ``time_limit`` (seconds) HiGHS may stop early: the best strategy found is returned,
    its ``bound`` the proven upper bound on the SSE value (the gap is bound − value)."""
    t0 = time.perf_counter()
    vstars = (np.array([minimax(g, k)[0] for k in range(g.n_types)]) if prune
              else np.full(g.n_types, -np.inf))
    b = _base(g)
    m = b.model
    da, dd = _diff(g)
    kk = g.n_types
    act = np.flatnonzero(g.is_active())
    na = act.size
    # value columns with the tightest bounds known: v*_k <= a_k <= max payoff of an open
    # target; d_k at most the best the defender can get at a target type k may attack
    a_lo = np.where(np.isfinite(vstars), vstars, g.att_covered[:, act].min(axis=1))
    a_hi = g.att_uncovered[:, act].max(axis=1)
    a = m.cols(a_lo - 1e-9, a_hi + 1e-9, kk)
    d_hi = np.array([_candidates(g, k, float(a_lo[k]))[1].max() for k in range(kk)])
    d = m.cols(-np.inf, d_hi + 1e-9, kk, cost=g.prob)
    for k in range(kk):
        allowed = act[g.att_uncovered[k, act] >= a_lo[k] - TIE_TOL]
        nq = allowed.size
        q = m.cols(0.0, 1.0, nq, integer=True)
        ua, ud = g.att_uncovered[k], g.def_uncovered[k]
        # sum_t q_t = 1
        m.rows(1.0, 1.0, 1, np.zeros(nq, dtype=np.int64), q, 1.0)
        # a_k - da c_t >= ua  (a_k is at least every open target's payoff)
        m.rows(ua[act], np.inf, na, np.concatenate([np.arange(na)] * 2),
               np.concatenate([np.full(na, a[k]), b.cov[act]]),
               np.concatenate([np.ones(na), -da[k, act]]))
        # a_k - da c_t + M q_t <= ua + M  (the attacked target attains a_k); M is the most
        # a_k can exceed the target's payoff, a_hi - U^a(hi)
        ma = a_hi[k] - (ua[allowed] + da[k, allowed] * g.hi[allowed]) + 1e-6
        r3 = np.concatenate([np.arange(nq)] * 3)
        m.rows(-np.inf, ua[allowed] + ma, nq, r3,
               np.concatenate([np.full(nq, a[k]), b.cov[allowed], q]),
               np.concatenate([np.ones(nq), -da[k, allowed], ma]))
        # d_k - dd c_t + M q_t <= ud + M  (the defender gets its payoff at the attacked target)
        md = d_hi[k] - (ud[allowed] + dd[k, allowed] * g.lo[allowed]) + 1e-6
        m.rows(-np.inf, ud[allowed] + md, nq, r3,
               np.concatenate([np.full(nq, d[k]), b.cov[allowed], q]),
               np.concatenate([np.ones(nq), -dd[k, allowed], md]))
    h = m.highs(maximize=True, time_limit=time_limit)
    status, x, obj = run(h)
    if status == "infeasible" or x is None:
        raise _infeasible(g)
    # at a time limit the incumbent is returned with HiGHS' proven bound (bound > value)
    bound = obj if status == "optimal" else float(h.getInfo().mip_dual_bound)
    return _finish(g, "dobss", x[b.cov], bound, 1 + (kk if prune else 0), t0, vstars,
                   proven=status == "optimal")


def solve(g: SecurityGame, method: str = "auto", *, time_limit: float | None = None
          ) -> Solution:
    """``auto``: ORIGAMI-style for one type, DOBSS for several. ``time_limit`` (seconds)
    bounds the DOBSS MILP: at the limit its best strategy is returned with HiGHS' proven bound
    (``Solution.bound``; the gap is bound − value)."""
    if method == "auto":
        method = "origami" if g.n_types == 1 else "dobss"
    if method == "origami":
        if g.n_types != 1:
            raise GameError(f"method 'origami' solves one attacker type; the game has "
                            f"{g.n_types} (use dobss or multiple-lps)")
        return solve_origami(g)
    if method == "dobss":
        return solve_dobss(g, time_limit=time_limit)
    if method == "multiple-lps":
        return solve_multiple_lps(g)
    raise GameError(f"method: unknown solver {method!r}; use auto, origami, dobss or "
                    "multiple-lps")


def spread(g: SecurityGame, sol: Solution, *, tol: float = 1e-7,
           time_limit: float | None = None, hold_total: bool = False) -> Solution:
    """The SSE coverage with the capacity it leaves unused spread over the other targets.

    An SSE pins only the attacked targets' coverage and keeps every other target below each
    type's value; the solvers return a vertex that often leaves teams idle (on the county with
    one team, in 6 of 24 hours the team checked nowhere with probability ≥ 0.87) and some
    targets checked almost surely — a predictable schedule. Two LPs over the same feasible set
    (team counts, staffing shares, travel rule), with the attacked targets' coverage fixed and
    every other target's attacker payoff held below each type's value (targets tied with the
    attacked one keep at least their coverage, so no tie turns in the attacker's favour): first
    the most total coverage, then, with that total, the most Σ_t min(c_t, 1 − c_t) over the
    open targets (a linear stand-in for the entropy bound Σ_t H(c_t)). The defender's and every
    type's value are unchanged (checked to ``tol``; if not, ``sol`` is returned as it is). On
    the county (one team, three types) the entropy bound rose from 23.6 to 56.3 bits, the team
    is at a site in 24 of 24 hours, and no target is checked with probability above 0.64.

    With ``hold_total`` the first LP is skipped and the total stays the equilibrium's: only
    where the checks fall is spread, not how many there are — the plan keeps the team-hours the
    solver's vertex left free for patrol, but no longer the vertex's pattern (on the county's
    7-day plan the vertex checked one site with probability ≥ 0.9 in 9 of 24 hours and
    nowhere with probability ≥ 0.87 in 6, the same hours every day).

    ``time_limit`` (seconds, None: none) bounds the two LPs together (a review: 52.8 s on 200
    sites × 42 slots with the travel rule): if the first does not finish, ``sol`` is returned
    with ``spread_skipped`` saying so; if the second does not, the first's coverage is used.
    """
    chk = check_sse(g, sol.coverage)
    c0 = np.clip(sol.coverage, g.lo, g.hi)
    b = _base(g)
    m = b.model
    da, _ = _diff(g)
    act = g.is_active()
    fixed = np.unique(chk.attacked)
    lb = np.array(g.lo, dtype=np.float64)
    ub = np.array(g.hi, dtype=np.float64)
    for k in range(g.n_types):
        ua = g.att_uncovered[k] + da[k] * c0
        tied = act & (ua >= chk.attacker_values[k] - 2 * TIE_TOL)
        lb[tied] = np.maximum(lb[tied], c0[tied])
        free = np.flatnonzero(act & ~tied)
        # ua[t] + da[t] c_t <= v_k - 2 TIE_TOL: no new tie within the check's tolerance
        m.rows(-np.inf, chk.attacker_values[k] - 2 * TIE_TOL - g.att_uncovered[k, free],
               free.size, np.arange(free.size), b.cov[free], da[k, free])
    lb[fixed] = ub[fixed] = c0[fixed]
    lb = np.minimum(lb, ub)
    m.lb[0] = lb
    m.ub[0] = ub
    m.cost[0] = np.ones(g.n_targets)
    t0 = time.perf_counter()

    def lp(limit: float | None) -> tuple[str, FloatArray | None, float]:
        try:
            return m.solve(maximize=True, time_limit=limit)
        except SolverError:  # a time limit before any feasible point: run() raises
            if limit is not None and time.perf_counter() - t0 >= limit:
                return "time_limit", None, math.nan
            raise

    x: FloatArray | None = None
    if hold_total:
        status, total = "optimal", float(c0.sum())
    else:
        status, x, total = lp(time_limit)
    if status == "time_limit" and time_limit is not None:
        return replace(sol, spread_skipped=(
            f"spreading the unused capacity stopped at its time limit of {time_limit:g} s: "
            "skipped, the equilibrium's coverage is used as it is and the entropy bound is "
            "not improved"))
    if not hold_total and (status != "optimal" or x is None or total <= c0.sum() + tol):
        return sol
    # with that total, the most Σ_t min(c_t, 1 − c_t) over the open targets: a linear
    # stand-in for Σ_t H(c_t) that pulls coverage away from 0 and 1 alike
    open_ = np.flatnonzero(g.hi > 0)
    no = open_.size
    w = m.cols(0.0, 0.5, no, cost=1.0)
    m.cost[0] = np.zeros(g.n_targets)
    m.rows(total - tol, total + tol if hold_total else np.inf, 1,
           np.zeros(g.n_targets, dtype=np.int64), b.cov, 1.0)
    # w_t <= c_t and w_t <= 1 - c_t
    m.rows(0.0, np.inf, no, np.concatenate([np.arange(no)] * 2),
           np.concatenate([b.cov[open_], w]), np.concatenate([np.ones(no), -np.ones(no)]))
    m.rows(-np.inf, 1.0, no, np.concatenate([np.arange(no)] * 2),
           np.concatenate([b.cov[open_], w]), np.ones(2 * no))
    if hold_total:
        # the total held, the slot's idle teams are an outcome an observer learns as well (a
        # team that never checks at 06:00): the same stand-in pulls each slot's expected checks
        # T_s away from 0 and from its teams, v_s <= T_s and v_s <= teams_s - T_s
        ns = g.n_slots
        v = m.cols(0.0, g.teams.astype(np.float64) / 2, ns, cost=1.0)
        rows = np.concatenate([np.tile(np.arange(ns), g.n_sites), np.arange(ns)])
        m.rows(0.0, np.inf, ns, rows, np.concatenate([b.cov, v]),
               np.concatenate([np.ones(g.n_targets), -np.ones(ns)]))
        m.rows(-np.inf, g.teams.astype(np.float64), ns, rows, np.concatenate([b.cov, v]), 1.0)
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.1)
    status, y, _ = lp(left)
    if status == "optimal" and y is not None:
        x = y
    elif hold_total:  # nothing but the second LP to use
        return replace(sol, spread_skipped=(
            f"spreading the checks stopped at its time limit of {time_limit:g} s: skipped, "
            "the equilibrium's coverage is used as it is" if status == "time_limit"
            else f"spreading the checks failed ({status}): the equilibrium's coverage is "
            "used as it is"))
    # clipped to the LP's own bounds, not just the game's: HiGHS keeps a bound only to 1e-9,
    # and a tied target left 8e-10 below its equilibrium coverage became the attacker's
    # strict best by 5.5e-9 (hidden by the check's tie tolerance; the defender's payoff there
    # was 1.95 worse) in 3 of 19 random games. Exact bounds keep ties exact.
    assert x is not None
    cov = np.clip(x[b.cov], lb, ub)
    new = check_sse(g, cov)
    if (new.problems or abs(new.defender_value - chk.defender_value) > tol
            or np.abs(new.attacker_values - chk.attacker_values).max() > tol):
        return sol
    return Solution(method=sol.method, coverage=cov, defender_value=new.defender_value,
                    attacker_values=new.attacker_values, attacked=new.attacked,
                    bound=sol.bound, programs=sol.programs + 2, seconds=sol.seconds,
                    minimax=sol.minimax, spread_from=float(c0.sum()), proven=sol.proven)


# --- the SSE check ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SSECheck:
    """Each type's best response to a coverage, ties broken for the defender.

    ``ties[k]`` counts the targets within ``TIE_TOL`` of type k's best payoff. ``feasible``
    lists how the coverage breaks the game's bounds and team counts (empty when it keeps them).
    """

    attacked: IntArray
    attacker_values: FloatArray
    defender_values: FloatArray  # (K,) defender's payoff against each type
    defender_value: float
    ties: IntArray
    problems: tuple[str, ...]
    # "not proven optimal: value V, bound B, gap G" for a solve stopped at its time limit
    # (not a failure: the bound is only the solver's dual bound); "" otherwise
    optimality: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def check_sse(g: SecurityGame, coverage: FloatArray, *, claimed: float | None = None,
              bound: float | None = None, proven: bool = True, tol: float = 1e-6) -> SSECheck:
    """The attacker's best responses to ``coverage`` and the defender's value.

    With ``claimed`` the recomputed value must equal it; with ``bound`` (a proven upper bound
    on the SSE value, e.g. from another solver) the value must reach it — together these make
    the coverage a Strong Stackelberg Equilibrium up to ``tol``. With ``proven=False`` the
    ``bound`` is a time-limited solver's dual bound, not a proven optimum: a value below it is
    reported in ``optimality`` ("not proven optimal: …"), not as a problem.
    """
    c = np.asarray(coverage, dtype=np.float64)
    problems = list(g.infeasibility(c))
    ua = np.where(g.is_active()[None, :], g.attacker_utility(c), -np.inf)
    ud = g.defender_utility(c)
    best = ua.max(axis=1)
    tied = ua >= best[:, None] - TIE_TOL
    masked = np.where(tied, ud, -np.inf)
    attacked = masked.argmax(axis=1).astype(np.int64)
    kr = np.arange(g.n_types)
    dv = ud[kr, attacked]
    value = float(np.dot(g.prob, dv))
    if claimed is not None and abs(value - claimed) > tol * max(1.0, abs(claimed)):
        problems.append(f"defender value {value:.9g} differs from the claimed {claimed:.9g}")
    optimality = ""
    if bound is not None and value < bound - tol * max(1.0, abs(bound)):
        if proven:
            problems.append(f"defender value {value:.9g} is below the proven optimum "
                            f"{bound:.9g}")
        else:
            optimality = (f"not proven optimal: value {value:.9g}, bound {bound:.9g}, gap "
                          f"{bound - value:.3g} (the solver stopped at its time limit)")
    return SSECheck(attacked=attacked, attacker_values=ua[kr, attacked], defender_values=dv,
                    defender_value=value, ties=tied.sum(axis=1).astype(np.int64),
                    problems=tuple(problems), optimality=optimality)


def attacker_best(g: SecurityGame, coverage: FloatArray) -> tuple[float, float]:
    """(attacker's best expected payoff, defender's value) against any coverage — for the
    baselines; averaged over types by their probability."""
    chk = check_sse(g, coverage)
    return float(np.dot(g.prob, chk.attacker_values)), chk.defender_value


# --- brute force over pure strategies (small games) ---------------------------------------------


def pure_strategies(g: SecurityGame, *, limit: int = 20_000) -> BoolArray:
    """Every daily schedule as a (count, n_targets) bool matrix: per slot any set of at most
    ``teams[s]`` sites that may be checked then, joined over slots where the teams can make
    the moves the travel rule asks for. Minimum staffing is a bound on marginals, not on one
    schedule, so it must be 0 here."""
    if np.any(g.lo > 0) or g.share_lo is not None or g.share_hi is not None:
        raise GameError("pure strategies: staffing shares bound marginals, not schedules; "
                        "enumerate only games without them")
    hi = g.hi.reshape(g.n_sites, g.n_slots) > 0
    per_slot: list[list[tuple[int, ...]]] = []
    count = 1
    for s in range(g.n_slots):
        open_ = np.flatnonzero(hi[:, s]).tolist()
        sets = [c for r in range(int(g.teams[s]) + 1) for c in itertools.combinations(open_, r)]
        per_slot.append(sets)
        count *= len(sets)
        if count > limit:
            raise GameError(f"pure strategies: more than {limit} schedules; too big to enumerate")
    binding = g.binding_moves()
    out = []
    for combo in itertools.product(*per_slot):
        if g.moves is not None and any(
            not transition_ok(g.moves[s], combo[s], combo[s + 1], int(g.teams.max()))
            for s in np.flatnonzero(binding).tolist()
        ):
            continue
        row = np.zeros((g.n_sites, g.n_slots), dtype=np.bool_)
        for s, sites in enumerate(combo):
            row[list(sites), s] = True
        out.append(row.reshape(-1))
    return np.array(out, dtype=np.bool_).reshape(len(out), g.n_targets)


def transition_ok(moves: BoolArray, a: tuple[int, ...], b: tuple[int, ...], teams: int) -> bool:
    """Can ``teams`` teams, with one at each site of ``a``, take up every site of ``b``?
    Teams not at a site (``teams - len(a)``) may take any site; a team may leave any site."""
    from scipy.sparse.csgraph import maximum_bipartite_matching

    free = teams - len(a)
    if not b:
        return True
    if not a:
        return free >= len(b)
    ok = moves[np.ix_(list(a), list(b))].T.astype(np.int8)  # rows: sites of b
    match = maximum_bipartite_matching(sparse.csr_array(ok), perm_type="column")
    return int(np.sum(match >= 0)) + free >= len(b)


def dobss_normal_form(defender: FloatArray, attacker: FloatArray, prob: FloatArray
                      ) -> tuple[float, FloatArray]:
    """The original DOBSS MILP (Paruchuri et al. 2008) of a Bayesian normal-form game.

    ``defender[k, i, j]`` / ``attacker[k, i, j]``: payoffs when the defender plays pure
    strategy i and type k plays j. Returns (defender's SSE value, mixed strategy x over i).
    """
    kk, ni, nj = defender.shape
    m = _Model()
    z = m.cols(0.0, 1.0, kk * ni * nj,
               cost=(prob[:, None, None] * defender).reshape(-1)).reshape(kk, ni, nj)
    q = m.cols(0.0, 1.0, kk * nj, integer=True).reshape(kk, nj)
    a = m.cols(-np.inf, np.inf, kk)
    big = float(attacker.max() - attacker.min()) + 1.0
    for k in range(kk):
        # sum_ij z = 1
        m.rows(1.0, 1.0, 1, np.zeros(ni * nj, dtype=np.int64), z[k].reshape(-1), 1.0)
        # q_j <= sum_i z_ij <= 1
        m.rows(0.0, 1.0, nj, np.concatenate([np.repeat(np.arange(nj), ni), np.arange(nj)]),
               np.concatenate([z[k].T.reshape(-1), q[k]]),
               np.concatenate([np.ones(ni * nj), -np.ones(nj)]))
        # sum_j q = 1
        m.rows(1.0, 1.0, 1, np.zeros(nj, dtype=np.int64), q[k], 1.0)
        # 0 <= a - sum_i C_ij x_i <= (1 - q_j) M  with x_i = sum_h z_ih
        r = np.repeat(np.arange(nj), ni * nj)
        cols = np.tile(z[k].reshape(-1), nj)
        vals = np.concatenate([np.repeat(-attacker[k][:, j], nj) for j in range(nj)])
        m.rows(0.0, np.inf, nj, np.concatenate([r, np.arange(nj)]),
               np.concatenate([cols, np.full(nj, a[k])]), np.concatenate([vals, np.ones(nj)]))
        m.rows(-np.inf, big, nj, np.concatenate([r, np.arange(nj), np.arange(nj)]),
               np.concatenate([cols, np.full(nj, a[k]), q[k]]),
               np.concatenate([vals, np.ones(nj), np.full(nj, big)]))
        if k:
            # the same mixed strategy against every type
            m.rows(0.0, 0.0, ni, np.concatenate([np.repeat(np.arange(ni), nj)] * 2),
                   np.concatenate([z[k].reshape(-1), z[0].reshape(-1)]),
                   np.concatenate([np.ones(ni * nj), -np.ones(ni * nj)]))
    status, x, obj = m.solve(maximize=True)
    if status != "optimal" or x is None:
        raise SolverError("DOBSS (normal form) found no solution")
    return obj, x[z[0]].sum(axis=1)


def brute_force(g: SecurityGame) -> tuple[float, FloatArray]:
    """The SSE value by DOBSS over every pure strategy (small games): (value, coverage)."""
    pure = pure_strategies(g)
    cov = pure.astype(np.float64)  # (I, n)
    act = g.is_active()
    p = pure[:, act]
    defender = np.where(p[None, :, :], g.def_covered[:, None, act], g.def_uncovered[:, None, act])
    attacker = np.where(p[None, :, :], g.att_covered[:, None, act], g.att_uncovered[:, None, act])
    value, x = dobss_normal_form(defender, attacker, g.prob)
    return value, x @ cov
