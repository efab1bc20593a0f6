"""ETAS's fit by per-incident sums in linear time equals the fit over every pair.

The pair version (every same-unit pair within the cut, stored) is kept here as the
reference: its number of pairs grows with the square of a unit's incidents (Chicago's 23
districts, 72 cells of 5 km: 17.8 million pairs and 13.8 s a fit)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from xunfang.intel import EventSet
from xunfang.intel import methods as M
from xunfang.intel import units as U
from xunfang.intel.methods import Etas, History

CUT = 60.0


def pairs(units: np.ndarray, t: np.ndarray, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """All (later, earlier) pairs of one unit, more than 0 and less than ``cutoff`` days
    apart (the fit's pairs before the sums; ``units``/``t`` sorted by unit, then time)."""
    n = len(t)
    out_i, out_j = [], []
    idx = np.arange(n)
    k = 1
    while k < n:
        i = idx[k:]
        j = i - k
        near = (units[i] == units[j]) & (t[i] - t[j] < cutoff)
        if not near.any():
            break
        ok = near & (t[i] > t[j])
        out_i.append(i[ok])
        out_j.append(j[ok])
        k += 1
    if not out_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


@dataclass(frozen=True)
class PairStep(M._EtasStep):
    """The EM step's statistics as they were, over the stored pairs."""

    def statistics(self, p: M._Params) -> tuple[float, np.ndarray, float, float]:
        pi, pj = pairs(self.us, self.ts, self.cutoff)
        dt = self.ts[pi] - self.ts[pj]
        mu, theta, omega = p
        trig = theta * omega * np.exp(-omega * dt)
        lam = np.maximum(mu[self.us] + np.bincount(pi, weights=trig, minlength=len(self.us)),
                         1e-300)
        ll = (float(np.sum(np.log(lam))) - self.big_t * float(mu.sum())
              - theta * self.exposure(omega))
        new_mu = np.bincount(self.us, weights=mu[self.us] / lam,
                             minlength=self.n_units) / self.big_t
        p_pair = trig / lam[pi]
        return ll, new_mu, float(p_pair.sum()), float(np.sum(p_pair * dt))


def pair_log_likelihood(h: History, mu: np.ndarray, theta: float, omega: float) -> float:
    keep = h.unit >= 0
    t, u = h.t[keep], h.unit[keep]
    order = np.lexsort((t, u))
    t, u = t[order], u[order]
    pi, pj = pairs(u, t, CUT)
    s = np.bincount(pi, weights=theta * omega * np.exp(-omega * (t[pi] - t[pj])),
                    minlength=len(t))
    reach = np.minimum(h.origin - t, CUT)
    return float(np.sum(np.log(mu[u] + s)) - h.days * mu.sum()
                 - theta * np.sum(-np.expm1(-omega * reach)))


def record(seed: int) -> EventSet:
    """A random record of 4 units: a self-exciting process plus same-minute copies and
    incidents exactly 60 days (86,400 minutes) after others."""
    rng = np.random.default_rng(seed)
    days = 700
    minutes, units = [], []
    for u in range(4):
        parents = rng.integers(0, days * 1440, rng.integers(20, 120))
        kids = parents[rng.random(len(parents)) < 0.5]
        kids = kids + rng.exponential(rng.uniform(0.5, 20) * 1440, len(kids)).astype(np.int64)
        m = np.concatenate([parents, kids])
        m = np.concatenate([m, m[: rng.integers(1, 6)], m[: rng.integers(1, 6)] + 86_400])
        m = m[m < days * 1440]
        minutes.append(m)
        units.append(np.full(len(m), u))
    cells = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 399, 99))
    m_all, u_all = np.concatenate(minutes), np.concatenate(units)
    time = np.datetime64("2021-03-01T00:00") + m_all.astype("timedelta64[m]")
    return EventSet.build(cells, time, cells.centroid[u_all])


@pytest.mark.parametrize("omega", [1 / 60, 0.03, 0.7, 10.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sums_equal_the_sums_over_pairs(seed: int, omega: float) -> None:
    ev = record(seed)
    order = np.lexsort((ev.t, ev.unit))
    t, u = ev.t[order], ev.unit[order]
    pi, pj = pairs(u, t, CUT)
    dt = t[pi] - t[pj]
    assert (dt == 0).sum() == 0 and ((t[1:] == t[:-1]) & (u[1:] == u[:-1])).any()
    assert np.isclose(np.diff(t), CUT, rtol=0, atol=1e-9).any() or any(
        np.isclose(t[u == k][:, None] - t[u == k][None, :], CUT, rtol=0, atol=1e-9).any()
        for k in range(4))  # pairs exactly at the cut
    near, lagged = M._etas_sums(u, t, CUT, omega)
    s = np.bincount(pi, weights=np.exp(-omega * dt), minlength=len(t))
    d = np.bincount(pi, weights=dt * np.exp(-omega * dt), minlength=len(t))
    assert ((near == 0) == (s == 0)).all()
    np.testing.assert_allclose(near, s, rtol=1e-12, atol=0)
    np.testing.assert_allclose(lagged, d, rtol=1e-12, atol=0)


def test_exactly_at_the_cut_and_the_same_minute() -> None:
    # day 0 twice at one minute, day 60 (exactly the cut after), day 60 + 1 minute
    t = np.array([0.0, 0.0, 86_400 / 1440, 86_401 / 1440])
    u = np.zeros(4, dtype=np.int64)
    near, _ = M._etas_sums(u, t, CUT, 0.1)
    pi, pj = pairs(u, t, CUT)
    expect = np.bincount(pi, weights=np.exp(-0.1 * (t[pi] - t[pj])), minlength=4)
    np.testing.assert_allclose(near, expect, rtol=1e-14, atol=0)
    assert near[0] == near[1] == 0  # the same minute triggers nothing
    assert near[3] == pytest.approx(math.exp(-0.1 / 1440), rel=1e-14)  # day 60 only


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_an_em_step_s_statistics_equal_those_over_pairs(seed: int) -> None:
    """The log-likelihood, the next μ, Σ p_pair and Σ p_pair·Δt: the same to 1e-12."""
    ev = record(seed)
    h = ev.window(0, 700)
    us, ts, reach, n_units, big_t = Etas()._prepare(h)
    args = (us, ts, CUT, reach, n_units, big_t, 1 / CUT)
    rng = np.random.default_rng(seed)
    for p in [(rng.uniform(0.01, 0.2, n_units), 0.3, 0.1), (np.full(n_units, 0.05), 0.8, 9.0),
              (np.full(n_units, 0.1), 0.0, 0.5), (rng.uniform(0, 0.1, n_units), 0.5, 1 / 60)]:
        ll, mu, total, lag = M._EtasStep(*args).statistics(p)
        ll_ref, mu_ref, total_ref, lag_ref = PairStep(*args).statistics(p)
        assert ll == pytest.approx(ll_ref, rel=1e-12)
        np.testing.assert_allclose(mu, mu_ref, rtol=1e-12, atol=0)
        assert total == pytest.approx(total_ref, rel=1e-12, abs=0)
        assert lag == pytest.approx(lag_ref, rel=1e-12, abs=0)
        assert (total > 0) == (p[1] > 0)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_fit_equals_the_fit_over_pairs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fitted to tol 1e-8: the same maximum, its log-likelihood to 1e-12. The parameters
    agree to the fit's own precision, not to 1e-12: the M-step's 1-D solve of ω resolves
    log ω to about 1.5e-8 (scipy's bounded Brent), so sums that differ in their last bit
    move each step's ω that much, and the EM's path with it — the pair version against
    itself with its pairs summed in reverse order differs as much (2.3e-4 in θ on seed 2 at
    the default tol 1e-5; up to 7.6e-7 here at 1e-8)."""
    ev = record(seed)
    h = ev.window(0, 700)
    etas = Etas(tol=1e-8, max_iter=2000)
    got = etas.fit(h)
    ev.cache.pop("etas:warm")
    with monkeypatch.context() as mp:
        mp.setattr(M, "_EtasStep", PairStep)
        ref = etas.fit(h)
    assert got.converged and ref.converged
    assert ref.theta > 0.01
    assert got.theta == pytest.approx(ref.theta, rel=1e-5)
    assert got.omega == pytest.approx(ref.omega, rel=1e-5)
    np.testing.assert_allclose(got.mu, ref.mu, rtol=1e-5, atol=0)
    ll = etas.log_likelihood(h, got.mu, got.theta, got.omega)
    assert ll == pytest.approx(pair_log_likelihood(h, got.mu, got.theta, got.omega),
                               rel=1e-12)
    assert ll == pytest.approx(pair_log_likelihood(h, ref.mu, ref.theta, ref.omega),
                               rel=1e-12)


def test_many_incidents_in_a_few_units_in_linear_time() -> None:
    """100,000 incidents in 4 units over 2 years (a district's): 68 million pairs, which the
    pair version stored (about 1.6 GB); the sums take a pass."""
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 730, 100_000))
    u = rng.integers(0, 4, len(t))
    order = np.lexsort((t, u))
    t, u = t[order], u[order]
    near, lagged = M._etas_sums(u, t, CUT, 0.05)  # (its time is bench/intel.py's)
    # unit 0's last incident: against the sums over its own earlier ones
    last = np.flatnonzero(u == 0)[-1]
    earlier = t[(u == 0) & (t < t[last]) & (t[last] - t < CUT)]
    assert near[last] == pytest.approx(np.exp(-0.05 * (t[last] - earlier)).sum(), rel=1e-10)
    assert lagged[last] == pytest.approx(
        ((t[last] - earlier) * np.exp(-0.05 * (t[last] - earlier))).sum(), rel=1e-10)


def test_a_fit_on_coarse_units_takes_a_pass_a_step() -> None:
    """8,000 incidents in 2 units over 200 days (coarse units: districts): about 9.6 million
    pairs within the cut, which the pair version stored and summed every step (62.8 s for
    this fit, 667 MB peak); by the sums, a pass over the incidents a step (0.15 s; timed
    in bench/intel.py, not here: the machine is shared)."""
    rng = np.random.default_rng(5)
    minutes = np.sort(rng.integers(0, 200 * 1440, 8000))
    u = rng.integers(0, 2, len(minutes))
    cells = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 199, 99))
    ev = EventSet.build(cells, np.datetime64("2021-03-01T00:00")
                        + minutes.astype("timedelta64[m]"), cells.centroid[u])
    model = Etas().fit(ev.window(0, 200))
    assert model.converged
    # no triggering in a uniform record: the background is each unit's rate
    np.testing.assert_allclose(model.mu * 200 / np.bincount(u), 1, rtol=1e-3)
