"""From marginal coverage to concrete daily schedules (seeded).

**Comb sampling** (systematic sampling, as in ARMOR's successors): in each slot the sites are
laid end to end in a random order, each as an interval as long as its coverage ``c[i, s]``, and
a comb with teeth one apart and a random offset ``u`` in [0, 1) picks the sites its teeth fall
in. Every site is picked with probability exactly ``c[i, s]`` (no interval is longer than 1,
so at most one tooth falls in it) and exactly ⌊Σc⌋ or ⌈Σc⌉ ≤ ``teams[s]`` sites are picked.
Slots are sampled independently, so one day's schedule has probability the product over slots.

**Days of a plan** are drawn independently, each from its own random stream derived from the
seed and the day's date (:func:`day_streams`: ``SeedSequence([seed, date ordinal, use])``), so
a date's schedule is the same whatever ``--days`` or ``--from`` it is sampled with, differs
from date to date, and knowing one day tells an observer nothing about the next (the
stratified sampling below made day 2 depend on day 1: a site with coverage 0.5 was checked on
day 2 with probability 0.32 given day 1, and the plan's entropy assumed independent days).

**Stratified** over many days (for simulation studies, not for the plan's days): days are cut
into groups of ``group`` days; within a group each slot keeps one random order and the offsets
of its days are stratified — one in each of the intervals [d/G, (d+1)/G), in a random order of
the days. A site's interval (at most two pieces once wrapped round) then holds within ±2 of c·G
of the group's offsets, so over N days every target's empirical coverage lies within 2·⌈N/G⌉/N
of its marginal (0.2 percentage points for 10,000 days in groups of 1,000), while each day
stays an exact draw from the comb's law.

**Teams**: the sites picked in a slot get teams by a minimum-travel assignment (scipy's
``linear_sum_assignment``) from where the teams stood in the previous slot; a team not at a
site (newly on duty, or idle) may take any site, and at a shift change every team starts fresh.
A move the travel rule forbids is never made: where no assignment avoids one, the day is
reported as breaking the rule (:class:`TravelError`) — which cannot happen when the rule does
not bind (see :meth:`SecurityGame.binding_moves`), nor for days of the flow sampler.

**Flow sampler** (where the travel rule binds, so that slots cannot be sampled one by one):
:func:`flow_decompose` writes the coverage as an explicit mixture of whole-day schedules that
keep the rule (a Birkhoff–von Neumann-style decomposition of the teams' flow in the
time-expanded network), and :func:`flow_sample` draws days from it independently. With one
team, :func:`markov_sample` draws the team's path as a Markov chain on that flow instead (exact
marginals, exact entropy, and far more distinct days than a decomposition has).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.optimize import linear_sum_assignment

from xunfang.planning.checkpoints.game import GameError, SecurityGame
from xunfang.scenario.model import BoolArray, FloatArray


class TravelError(GameError):
    """A sampled day asks a team for a move the travel rule forbids."""


#: The uses of a day's random streams (:func:`day_streams`): the sites checked, the teams.
SITES, TEAMS = 0, 1


def day_streams(seed: int, days: Sequence[date], use: int) -> list[np.random.Generator]:
    """One generator per day from ``SeedSequence([seed, day.toordinal(), use])``: a day's
    draws depend on the seed, its date and the use only (not on the other days sampled)."""
    if seed < 0:
        raise GameError(f"seed: must be a non-negative integer, got {seed}")
    return [np.random.default_rng(np.random.SeedSequence([seed, d.toordinal(), use]))
            for d in days]


def _uniforms(rngs: Sequence[np.random.Generator], shape: tuple[int, ...]) -> FloatArray:
    """(len(rngs), *shape) uniforms in [0, 1), row d from stream d."""
    return np.stack([r.random(shape) for r in rngs]) if rngs else np.zeros((0, *shape))


def _n_days(n_days: int | None, seed: int | None,
            day_rngs: Sequence[np.random.Generator] | None) -> int:
    """The number of days to draw: ``n_days`` with one ``seed``, or one per day stream."""
    if (seed is None) == (day_rngs is None):
        raise GameError("sampling: give either a seed or one random stream per day")
    n = len(day_rngs) if day_rngs is not None else n_days
    if n is None or n < 1 or (day_rngs is not None and n_days is not None and n_days != n):
        raise GameError(f"days: at least one day must be sampled (one stream per day), got "
                        f"{n_days} day(s) and {None if day_rngs is None else len(day_rngs)} "
                        "stream(s)")
    return n


def comb_sample(
    g: SecurityGame,
    coverage: FloatArray,
    n_days: int | None = None,
    *,
    seed: int | None = None,
    stratified: bool = True,
    group: int = 1000,
    day_rngs: Sequence[np.random.Generator] | None = None,
) -> BoolArray:
    """(n_days, n_sites, n_slots): which sites are checked in each slot of each sampled day.

    With ``day_rngs`` (one stream per day, see :func:`day_streams`) every day is drawn from
    its own stream alone, independently of the others (``stratified`` does not apply)."""
    n_days = _n_days(n_days, seed, day_rngs)
    if group < 1:
        raise GameError(f"group: must be at least 1, got {group}")
    c = np.clip(np.asarray(coverage, dtype=np.float64), 0.0, g.hi).reshape(g.n_sites, g.n_slots)
    # a solver's coverage may exceed a slot's teams by its tolerance (1e-9): scale it back, so
    # that the comb never picks one site more than there are teams
    total = c.sum(axis=0)
    over = total > g.teams
    c[:, over] *= g.teams[over] / total[over]
    rng = np.random.default_rng(seed)
    out = np.zeros((n_days, g.n_sites, g.n_slots), dtype=np.bool_)
    rows = np.arange(n_days)[:, None]
    # per day and slot: n_sites uniforms for the order, one for the comb's offset
    own = None if day_rngs is None else _uniforms(day_rngs, (g.n_slots, g.n_sites + 1))
    for s in range(g.n_slots):
        col = c[:, s]
        if own is not None:
            order = np.argsort(own[:, s, :-1], axis=1)
            u = own[:, s, -1]
        elif stratified:
            # one random order per group of days, offsets stratified within the group
            order = np.empty((n_days, g.n_sites), dtype=np.int64)
            u = np.empty(n_days)
            for start in range(0, n_days, group):
                size = min(group, n_days - start)
                order[start:start + size] = rng.permutation(g.n_sites)[None, :]
                u[start:start + size] = (rng.permutation(size) + rng.random(size)) / size
        else:
            order = np.argsort(rng.random((n_days, g.n_sites)), axis=1)
            u = rng.random(n_days)
        edges = np.concatenate([np.zeros((n_days, 1)), np.cumsum(col[order], axis=1)], axis=1)
        # site order[d, k] is picked when a tooth u + j falls in [edges[k], edges[k+1])
        teeth = np.floor(edges - u[:, None])
        picked = np.diff(teeth, axis=1) > 0
        out[rows, order, s] = picked
    return out


@dataclass(frozen=True)
class Visit:
    """One team checking one site in one slot of a sampled day."""

    day: int
    slot: int  # index into the game's slots
    site: int  # index into the game's sites
    team: int  # index into the team names


def assign_teams(
    g: SecurityGame,
    checked: BoolArray,
    *,
    seed: int | None = None,
    minutes: FloatArray | None = None,
    fresh: Sequence[bool] | None = None,
    day_rngs: Sequence[np.random.Generator] | None = None,
) -> list[list[Visit]]:
    """Teams for the sampled sites of each day (see the module doc).

    ``minutes[s, i, j]`` is the travel time from site i in slot s to site j in slot s + 1 (the
    cost minimised; default 0 for every allowed move), ``fresh[s]`` says that slot s starts a
    new shift (no team carries over into it). With ``day_rngs`` day d's ties are broken by
    stream d alone (one stream per day of ``checked``).
    """
    n_days = checked.shape[0]
    _n_days(n_days, seed, day_rngs)
    rng = np.random.default_rng(seed)
    t_max = int(g.teams.max()) if g.n_slots else 0
    allowed = g.moves
    days: list[list[Visit]] = []
    for d in range(n_days):
        if day_rngs is not None:
            rng = day_rngs[d]
        visits: list[Visit] = []
        where = np.full(t_max, -1, dtype=np.int64)  # site of each team, -1 none
        for s in range(g.n_slots):
            sites = np.flatnonzero(checked[d, :, s])
            on_duty = int(g.teams[s])
            if sites.size > on_duty:
                raise GameError(f"slot {g.slot_names[s]}: {sites.size} sites picked for "
                                f"{on_duty} teams")
            new_shift = s == 0 or (fresh is not None and fresh[s])
            if new_shift:
                where[:] = -1
            where[on_duty:] = -1  # teams going off duty leave their site
            teams = rng.permutation(on_duty)
            cost = np.zeros((on_duty, sites.size))
            bad = np.zeros((on_duty, sites.size), dtype=np.bool_)
            if not new_shift and s > 0:
                prev = where[teams]
                at = prev >= 0
                if at.any() and sites.size:
                    if minutes is not None:
                        cost[at] = minutes[s - 1][np.ix_(prev[at], sites)]
                    if allowed is not None:
                        bad[at] = ~allowed[s - 1][np.ix_(prev[at], sites)]
            cost = np.where(bad | ~np.isfinite(cost), 1e9, cost)
            rows, cols = linear_sum_assignment(cost)
            if np.any(bad[rows, cols]):
                r = int(rows[np.argmax(bad[rows, cols])])
                raise TravelError(
                    f"day {d}, slot {g.slot_names[s]}: no team can reach every picked site "
                    f"(team at {g.site_ids[int(where[teams[r]])]!r} would have to move too far)")
            where[:on_duty] = -1
            for r, k in zip(rows.tolist(), cols.tolist(), strict=True):
                team = int(teams[r])
                where[team] = int(sites[k])
                visits.append(Visit(day=d, slot=s, site=int(sites[k]), team=team))
        days.append(visits)
    return days


def day_keys(checked: BoolArray) -> list[bytes]:
    """One hashable key per sampled day (its checked sites), for counting distinct days."""
    flat = np.ascontiguousarray(checked.reshape(checked.shape[0], -1))
    return [bytes(np.packbits(row)) for row in flat]


def slot_entropy_bits(checked: BoolArray) -> float:
    """Σ over slots of the plug-in entropy (bits) of the sampled set of sites in that slot —
    the schedule's entropy when slots are sampled independently, as comb sampling does."""
    total = 0.0
    n = checked.shape[0]
    for s in range(checked.shape[2]):
        keys = np.packbits(checked[:, :, s], axis=1)
        _, counts = np.unique(keys, axis=0, return_counts=True)
        p = counts / n
        total += float(-(p * np.log2(p)).sum())
    return total


def slot_max_probability(checked: BoolArray) -> float:
    """Π over slots of the largest sampled frequency of one set of sites: the estimated
    probability of the likeliest day when slots are sampled independently."""
    out = 1.0
    n = checked.shape[0]
    for s in range(checked.shape[2]):
        keys = np.packbits(checked[:, :, s], axis=1)
        _, counts = np.unique(keys, axis=0, return_counts=True)
        out *= float(counts.max()) / n
    return out


def empirical(checked: BoolArray) -> FloatArray:
    """Share of sampled days on which each target was checked (site-major, like coverage)."""
    return np.asarray(checked.mean(axis=0).reshape(-1), dtype=np.float64)


# --- the flow sampler: where the travel rule binds ----------------------------------------------


@dataclass(frozen=True, eq=False)
class Decomposition:
    """A distribution over whole-day schedules with the coverage as its marginals.

    ``schedules[k]`` (site-major targets) is drawn with probability ``weights[k]``; every
    schedule keeps the team counts and the travel rule.
    """

    schedules: BoolArray  # (K, n_targets)
    weights: FloatArray  # (K,), sums to 1
    # how the time budget cut the decomposition short ("" when it did not)
    stopped: str = ""

    @property
    def max_probability(self) -> float:
        return float(self.weights.max())

    def entropy_bits(self) -> float:
        w = self.weights[self.weights > 0]
        return float(-(w * np.log2(w)).sum())

    def marginals(self) -> FloatArray:
        return np.asarray(self.weights @ self.schedules, dtype=np.float64)


def flow_decompose(g: SecurityGame, coverage: FloatArray, *, seed: int,
                   max_probability: float = 0.01, max_repeats: int = 64,
                   time_budget: float | None = None) -> Decomposition:
    """Write the coverage as a mixture of whole-day schedules that keep the travel rule.

    The teams' moves form a flow in the time-expanded network of (site, slot) nodes; its
    polytope (team counts as bounds, unit capacities) has integral vertices, so a fractional
    flow with the coverage as its node values is a convex combination of schedules. As in the
    Birkhoff–von Neumann decomposition, each step finds an integral vertex z (HiGHS simplex with
    a random objective) on the face where the remaining flow y (weight w) is tight, subtracts
    the largest λ·z that keeps (y − λz)/(w − λ) in the polytope — which makes one more bound or
    row tight — and repeats until the weight is spent (a remainder below 1e-5, left by rounding,
    goes to the likeliest schedule). Decompositions with different random objectives are mixed
    with equal weight until no schedule has probability above ``max_probability`` (or after
    ``max_repeats``): that spreads the probability over more schedules and keeps the marginals.

    ``time_budget`` (seconds, None: none) stops the decomposing: a review's 200 sites × 42
    slots with 10 teams ran ~14 min without finishing, 50 × 24 with 5 teams 41 s. At the
    budget a repeat under way is dropped (the finished ones keep the marginals exactly); if
    the first is not finished, the weight left goes to the likeliest schedule found, so the
    marginals are off by at most that weight. ``Decomposition.stopped`` says which.
    """
    from xunfang.planning.checkpoints.solvers import _base, run

    if max_repeats < 1:
        raise GameError(f"max_repeats: at least 1, got {max_repeats}")
    t0 = time.perf_counter()
    stopped = ""
    rng = np.random.default_rng(seed)
    c = np.clip(np.asarray(coverage, dtype=np.float64), 0.0, 1.0)
    pure = SecurityGame(
        site_ids=g.site_ids, slot_names=g.slot_names, type_names=g.type_names, prob=g.prob,
        def_covered=g.def_covered, def_uncovered=g.def_uncovered, att_covered=g.att_covered,
        att_uncovered=g.att_uncovered, teams=g.teams, lo=np.zeros(g.n_targets),
        hi=(g.hi > 0).astype(np.float64), moves=g.moves, active=g.active)
    base = _base(pure)
    lb0, ub0, _, rlo, rhi, a = base.model.arrays()
    n_cols, n_rows = lb0.size, rlo.size
    cols = np.arange(n_cols, dtype=np.int32)
    rows = np.arange(n_rows, dtype=np.int32)
    h = base.model.highs(maximize=False)
    # a fractional flow with node values c
    fl, fu = lb0.copy(), ub0.copy()
    fl[base.cov] = np.maximum(c - 1e-9, 0.0)
    fu[base.cov] = np.minimum(c + 1e-9, ub0[base.cov])
    h.changeColsBounds(n_cols, cols, fl, fu)
    status, y0, _ = run(h)
    if status != "optimal" or y0 is None:
        raise TravelError("the coverage admits no team moves that keep the travel rule")
    fin_u, fin_l = np.isfinite(rhi), np.isfinite(rlo)
    found: dict[bytes, float] = {}
    keys: dict[bytes, BoolArray] = {}
    eps = 1e-9
    done = 0
    while done < max_repeats:
        done += 1
        before = dict(found)
        y = np.clip(y0.copy(), 0.0, None)
        y[base.cov] = c
        w = 1.0
        for _step in range(4 * (n_cols + n_rows) + 10):
            if w <= 1e-9:
                break
            if time_budget is not None and time.perf_counter() - t0 > time_budget and found:
                if done > 1:  # drop the repeat under way: the finished ones are exact
                    found = before
                    done -= 1
                    stopped = (f"stopped at its time budget of {time_budget:g} s after "
                               f"{done} decomposition(s); the marginals are exact")
                else:
                    stopped = (f"stopped at its time budget of {time_budget:g} s before the "
                               f"first decomposition finished: weight {w:.3g} left was put on "
                               f"the likeliest schedule, so each target's coverage is off by "
                               f"at most {w:.3g}")
                    k = max(found, key=lambda x: found[x])
                    found[k] += w
                    w = 0.0
                break
            zl = np.where(y >= w - eps, 1.0, lb0)
            zu = np.where(y <= eps, 0.0, ub0)
            ay = a @ y
            rl, ru = rlo.copy(), rhi.copy()
            tight_u = fin_u & (ay >= rhi * w - 1e-7)
            rl[tight_u] = rhi[tight_u]
            tight_l = fin_l & (ay <= rlo * w + 1e-7)
            ru[tight_l] = rlo[tight_l]
            h.changeColsBounds(n_cols, cols, zl, zu)
            h.changeRowsBounds(n_rows, rows, rl, ru)  # type: ignore[attr-defined]  # not in stub
            h.changeColsCost(n_cols, cols, rng.normal(size=n_cols))
            status, z, _ = run(h)
            if (status != "optimal" or z is None) and w < 1e-5:
                break  # rounding noise: the rest (< 1e-5) goes to the likeliest schedule
            if status != "optimal" or z is None:
                raise TravelError(f"flow decomposition: no schedule on the face at weight {w:.3g}")
            zr = np.round(z)
            if np.abs(z - zr).max() > 1e-6:
                raise TravelError("flow decomposition: HiGHS returned a fractional vertex")
            one = zr > 0.5
            lam = w
            if one.any():
                lam = min(lam, float(y[one].min()))
            free = ~one & (ub0 > 0)
            if free.any():
                lam = min(lam, float((w - y[free]).min()))
            az = a @ zr
            d = rhi - az
            m = fin_u & (d > eps)
            if m.any():
                lam = min(lam, float(((rhi[m] * w - ay[m]) / d[m]).min()))
            d = az - rlo
            m = fin_l & (d > eps)
            if m.any():
                lam = min(lam, float(((ay[m] - rlo[m] * w) / d[m]).min()))
            lam = max(lam, 0.0)
            if lam <= 1e-12:
                # numerically tight everywhere: put the rest on this schedule
                lam = w
            key_arr = zr[base.cov] > 0.5
            key = bytes(np.packbits(key_arr))
            found[key] = found.get(key, 0.0) + lam
            keys[key] = key_arr
            y = np.clip(y - lam * zr, 0.0, None)
            w -= lam
        else:
            raise TravelError("flow decomposition did not finish")
        if stopped:
            break
        if w > 1e-9:
            k = max(found, key=lambda x: found[x])
            found[k] += w
        if max(found.values()) / done <= max_probability:
            break
    names = [k for k in found if found[k] > 0]
    weights = np.array([found[k] for k in names])
    return Decomposition(schedules=np.array([keys[k] for k in names], dtype=np.bool_),
                         weights=weights / weights.sum(), stopped=stopped)


def flow_sample(g: SecurityGame, dec: Decomposition, n_days: int | None = None, *,
                seed: int | None = None,
                day_rngs: Sequence[np.random.Generator] | None = None) -> BoolArray:
    """(n_days, n_sites, n_slots): days drawn independently from the decomposition (with
    ``day_rngs``, day d from stream d)."""
    n_days = _n_days(n_days, seed, day_rngs)
    if day_rngs is not None:
        pick = np.array([r.choice(dec.weights.size, p=dec.weights) for r in day_rngs],
                        dtype=np.int64)
    else:
        pick = np.random.default_rng(seed).choice(dec.weights.size, size=n_days, p=dec.weights)
    return dec.schedules[pick].reshape(n_days, g.n_sites, g.n_slots)


@dataclass(frozen=True, eq=False)
class MarkovSample:
    """Days drawn from a Markov chain over the one team's site, with its exact entropy and the
    probability of its likeliest day."""

    checked: BoolArray  # (n_days, n_sites, n_slots)
    entropy_bits: float
    max_probability: float


def markov_sample(g: SecurityGame, coverage: FloatArray, n_days: int | None = None, *,
                  seed: int | None = None,
                  day_rngs: Sequence[np.random.Generator] | None = None) -> MarkovSample:
    """Days for a game with one team where the travel rule binds.

    The team's day is a path through the (site, slot) nodes; a flow with the coverage as its
    node values (HiGHS' interior point without crossover, which spreads the flow over many
    moves instead of a few) gives the chain: from site i in slot s the team goes to j with
    probability f[i, j] / c[i, s], to no site with gout[i] / c[i, s], and from no site to j
    with gin[j] / (1 − Σ_i c[i, s]). Where the rule does not bind the next slot is drawn
    independently of the last. Each slot's distribution is then exactly the coverage. With
    ``day_rngs`` day d's path is drawn from stream d alone.
    """
    from xunfang.planning.checkpoints.solvers import _base, run

    if int(g.teams.max()) != 1:
        raise GameError("markov_sample: for games with one team (use flow_decompose)")
    n_days = _n_days(n_days, seed, day_rngs)
    ns, nt = g.n_sites, g.n_slots
    c = np.clip(np.asarray(coverage, dtype=np.float64), 0.0, g.hi).reshape(ns, nt)
    total = c.sum(axis=0)
    over = total > g.teams
    c[:, over] *= g.teams[over] / total[over]
    # state k < ns: at site k; state ns: at no site
    dist = np.vstack([c, np.maximum(0.0, 1.0 - c.sum(axis=0))[None, :]])  # (ns + 1, nt)
    dist /= dist.sum(axis=0, keepdims=True)
    trans: dict[int, FloatArray] = {}
    base = _base(g)
    if base.flows:
        _, ub, _, _, _, _ = base.model.arrays()
        h = base.model.highs(maximize=False)
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
        lo_c = np.maximum(c.reshape(-1) - 1e-9, 0.0)
        hi_c = np.minimum(c.reshape(-1) + 1e-9, ub[base.cov])
        h.changeColsBounds(base.cov.size, base.cov.astype(np.int32), lo_c, hi_c)
        status, x, _ = run(h)
        if status == "infeasible" or x is None:
            raise TravelError("the coverage admits no team moves that keep the travel rule")
        x = np.clip(x, 0.0, None)
        for fl in base.flows:
            m = np.zeros((ns + 1, ns + 1))
            m[fl.pi, fl.pj] = x[fl.f]
            m[fl.a_sites, ns] = x[fl.gout]
            m[ns, fl.b_sites] = x[fl.gin]
            m[ns, ns] = max(0.0, dist[ns, fl.s] - m[ns, :ns].sum())
            trans[fl.s] = m
    if day_rngs is not None:
        draws = _uniforms(day_rngs, (nt,))
    else:  # slot by slot, as many as days (the order the single-seed draws always had)
        rng = np.random.default_rng(seed)
        draws = np.stack([rng.random(n_days) for _ in range(nt)], axis=1)
    states = np.empty((n_days, nt), dtype=np.int64)
    cum0 = np.cumsum(dist[:, 0])
    states[:, 0] = np.minimum(np.searchsorted(cum0, draws[:, 0] * cum0[-1], "right"), ns)
    entropy = _h(dist[:, 0])
    # Viterbi: log-probability of the likeliest path to each state
    with np.errstate(divide="ignore"):
        best = np.log(dist[:, 0])
    for s in range(nt - 1):
        if s in trans:
            joint = trans[s]
            rows = joint.sum(axis=1, keepdims=True)
            p = np.divide(joint, rows, out=np.zeros_like(joint), where=rows > 0)
            # rows of states with no mass: never used; make them valid distributions
            p[rows[:, 0] <= 0] = dist[:, s + 1]
        else:
            p = np.repeat(dist[:, s + 1][None, :], ns + 1, axis=0)
        p /= p.sum(axis=1, keepdims=True)
        cum = np.cumsum(p, axis=1)
        u = draws[:, s + 1][:, None] * cum[states[:, s], -1:]
        states[:, s + 1] = np.minimum((u > cum[states[:, s]]).sum(axis=1), ns)
        entropy += float(sum(dist[i, s] * _h(p[i]) for i in range(ns + 1) if dist[i, s] > 0))
        with np.errstate(divide="ignore"):
            best = (best[:, None] + np.log(p)).max(axis=0)
    checked = np.zeros((n_days, ns, nt), dtype=np.bool_)
    d_idx, s_idx = np.nonzero(states < ns)
    checked[d_idx, states[d_idx, s_idx], s_idx] = True
    return MarkovSample(checked=checked, entropy_bits=entropy,
                        max_probability=float(np.exp(best.max())))


def _h(p: FloatArray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum())
