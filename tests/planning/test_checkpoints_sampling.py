"""Comb sampling: 10,000 sampled days keep every target's marginal, no day repeats often,
and the teams it assigns keep the rules."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.stats import binomtest

from xunfang.planning.checkpoints import GameError, assign_teams, comb_sample, make_game, solve
from xunfang.planning.checkpoints.sample import day_keys, empirical, slot_entropy_bits

N_DAYS = 10_000


@pytest.fixture(scope="module")
def game_and_coverage():  # type: ignore[no-untyped-def]
    """6 sites × 24 one-hour slots, 2 teams; sites 4 and 5 are night-only (20:00-06:00)."""
    rng = np.random.default_rng(7)
    ns, nt = 6, 24
    night = np.array([h >= 20 or h < 6 for h in range(nt)])
    open_ = np.ones((ns, nt), dtype=bool)
    open_[4:, ~night] = False
    ua = rng.uniform(1, 10, (ns, nt))
    g = make_game([f"CP{i}" for i in range(ns)], [f"{h:02d}:00" for h in range(nt)],
                  att_uncovered=ua, att_covered=-2.0, def_uncovered=-ua, def_covered=0.0,
                  teams=2, hi=open_.astype(float), active=open_)
    cov = solve(g).coverage
    return g, cov


def test_the_game_is_mixed(game_and_coverage) -> None:  # type: ignore[no-untyped-def]
    _g, cov = game_and_coverage
    frac = (cov > 1e-6) & (cov < 1 - 1e-6)
    assert frac.sum() >= 50  # enough randomness to test the sampler on


def test_iid_days_pass_a_bonferroni_binomial_test(game_and_coverage) -> None:  # type: ignore[no-untyped-def]
    g, cov = game_and_coverage
    checked = comb_sample(g, cov, N_DAYS, seed=11, stratified=False)
    counts = checked.sum(axis=0).reshape(-1)
    alpha = 0.01 / g.n_targets  # Bonferroni over every target, family-wise 1 %
    for t in range(g.n_targets):
        c = float(cov[t])
        if c <= 1e-9 or c >= 1 - 1e-9:
            assert counts[t] == round(c) * N_DAYS, g.target_name(t)
            continue
        p = binomtest(int(counts[t]), N_DAYS, c).pvalue
        assert p >= alpha, f"{g.target_name(t)}: {counts[t]} of {N_DAYS} at c = {c:.4f}"


def test_stratified_days_within_half_a_point(game_and_coverage) -> None:  # type: ignore[no-untyped-def]
    g, cov = game_and_coverage
    checked = comb_sample(g, cov, N_DAYS, seed=12)
    dev = np.abs(empirical(checked) - cov)
    assert dev.max() <= 0.005
    # the module's bound: 2 ⌈N/G⌉ / N with groups of 1,000 days
    assert dev.max() <= 2 * 10 / N_DAYS + 1e-12


@pytest.mark.parametrize("stratified", [True, False])
def test_days_keep_the_rules_and_do_not_repeat(game_and_coverage, stratified: bool) -> None:  # type: ignore[no-untyped-def]
    g, cov = game_and_coverage
    checked = comb_sample(g, cov, N_DAYS, seed=13, stratified=stratified)
    per_slot = checked.sum(axis=1)  # (days, slots)
    assert per_slot.max() <= 2
    closed = (g.hi.reshape(g.n_sites, g.n_slots) == 0)
    assert not checked[:, closed].any()
    freq = Counter(day_keys(checked))
    # no single daily schedule has probability above 1 %: none is seen even 1 % of the time
    assert max(freq.values()) <= N_DAYS // 100
    assert len(freq) > 0.99 * N_DAYS
    assert slot_entropy_bits(checked[:2000]) > 10


def test_teams_cover_each_checked_site_once(game_and_coverage) -> None:  # type: ignore[no-untyped-def]
    g, cov = game_and_coverage
    checked = comb_sample(g, cov, 300, seed=14)
    days = assign_teams(g, checked, seed=15)
    for d, visits in enumerate(days):
        got = np.zeros_like(checked[d])
        seen: set[tuple[int, int]] = set()
        for v in visits:
            assert (v.slot, v.team) not in seen  # a team is at one site per slot
            seen.add((v.slot, v.team))
            assert 0 <= v.team < 2
            got[v.site, v.slot] = True
        assert (got == checked[d]).all()


def test_teams_never_make_a_forbidden_move() -> None:
    """One team, two sites it cannot drive between in the change-over: when a day asks for it
    the assignment says so, and never silently makes the move."""
    moves = np.array([[[True, False], [False, True]]])
    g = make_game(["a", "b"], ["t0", "t1"], att_uncovered=1, att_covered=0, def_uncovered=-1,
                  def_covered=0, teams=1, moves=moves)
    ok = np.array([[[True, True], [False, False]]])  # a then a
    days = assign_teams(g, ok, seed=0)
    assert [(v.slot, v.site, v.team) for v in days[0]] == [(0, 0, 0), (1, 0, 0)]
    bad = np.array([[[True, False], [False, True]]])  # a then b
    with pytest.raises(GameError, match="no team can reach"):
        assign_teams(g, bad, seed=0)
    # a new shift at t1: the team starts fresh
    assert len(assign_teams(g, bad, seed=0, fresh=[True, True])[0]) == 2


def test_seeded(game_and_coverage) -> None:  # type: ignore[no-untyped-def]
    g, cov = game_and_coverage
    a = comb_sample(g, cov, 50, seed=3)
    assert (a == comb_sample(g, cov, 50, seed=3)).all()
    assert (a != comb_sample(g, cov, 50, seed=4)).any()
    with pytest.raises(GameError, match="at least one day"):
        comb_sample(g, cov, 0, seed=3)


# --- the flow sampler (the travel rule binds) ---------------------------------------------------


@pytest.fixture(scope="module")
def travel_game():  # type: ignore[no-untyped-def]
    """The built-in county, 2 teams, a 5-minute change-over: CP1-CP2-type moves are forbidden
    within a shift."""
    from datetime import date

    from xunfang import scenario as scenario_mod
    from xunfang.network import RoadNetwork
    from xunfang.plan import make_slots
    from xunfang.planning.checkpoints import build_game

    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)
    g, _, _ = build_game(sc, net, slots, 2, changeover_minutes=5.0, max_types=1)
    assert g.binding_moves().sum() == 21
    return g, solve(g).coverage


def test_flow_decomposition_is_exact_and_keeps_the_rule(travel_game) -> None:  # type: ignore[no-untyped-def]
    from xunfang.planning.checkpoints import flow_decompose
    from xunfang.planning.checkpoints.solvers import transition_ok

    g, cov = travel_game
    dec = flow_decompose(g, cov, seed=0)
    assert dec.weights.sum() == pytest.approx(1.0)
    assert np.abs(dec.marginals() - cov).max() <= 1e-5
    assert dec.max_probability <= 0.01  # no single day above 1 %
    assert dec.entropy_bits() > 8
    assert g.moves is not None
    for sched in dec.schedules[:200]:
        grid = sched.reshape(g.n_sites, g.n_slots)
        assert (grid.sum(axis=0) <= g.teams).all()
        for s in np.flatnonzero(g.binding_moves()):
            a = tuple(np.flatnonzero(grid[:, s]).tolist())
            b = tuple(np.flatnonzero(grid[:, s + 1]).tolist())
            assert transition_ok(g.moves[s], a, b, 2)


def test_flow_days_pass_the_binomial_test_and_get_teams(travel_game) -> None:  # type: ignore[no-untyped-def]
    from xunfang.planning.checkpoints import flow_decompose, flow_sample

    g, cov = travel_game
    dec = flow_decompose(g, cov, seed=1)
    checked = flow_sample(g, dec, N_DAYS, seed=2)
    counts = checked.sum(axis=0).reshape(-1)
    alpha = 0.01 / g.n_targets
    for t in np.flatnonzero((cov > 1e-6) & (cov < 1 - 1e-6)):
        assert binomtest(int(counts[t]), N_DAYS, float(cov[t])).pvalue >= alpha
    freq = Counter(day_keys(checked))
    assert max(freq.values()) <= N_DAYS // 100 + 30  # ≤ 1 % by construction, plus noise
    # every drawn day gets its teams without a forbidden move (TravelError otherwise)
    days = assign_teams(g, checked[:300], seed=3)
    assert sum(len(d) for d in days) == int(checked[:300].sum())


def test_coverage_over_the_teams_never_overfills_a_slot() -> None:
    """Coverage above a slot's teams (by a solver's tolerance, here exaggerated to 0.01) is
    scaled back: unscaled, about 1 % of the days would get a third site for two teams."""
    g = make_game(["a", "b", "c"], ["t0"], att_uncovered=1, att_covered=0, def_uncovered=-1,
                  def_covered=0, teams=2)
    cov = np.array([2 / 3, 2 / 3, 2 / 3]) + 0.01 / 3  # sums to 2.01
    checked = comb_sample(g, cov, 20_000, seed=0, stratified=False)
    assert checked.sum(axis=1).max() == 2


def test_markov_sampler_for_one_team() -> None:
    """The county's one checkpoint team with a 5-minute change-over: days from the chain keep
    the marginals (Bonferroni binomial test over 10,000 days), keep the travel rule, and no
    day has probability above 1 % (the chain's likeliest path, computed exactly)."""
    from datetime import date

    from xunfang import scenario as scenario_mod
    from xunfang.network import RoadNetwork
    from xunfang.plan import make_slots
    from xunfang.planning.checkpoints import build_game, markov_sample

    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)
    g, _, _ = build_game(sc, net, slots, 1, changeover_minutes=5.0, max_types=1)
    cov = solve(g).coverage
    ms = markov_sample(g, cov, N_DAYS, seed=0)
    counts = ms.checked.sum(axis=0).reshape(-1)
    alpha = 0.01 / g.n_targets
    for t in np.flatnonzero((cov > 1e-6) & (cov < 1 - 1e-6)):
        assert binomtest(int(counts[t]), N_DAYS, float(cov[t])).pvalue >= alpha
    assert ms.max_probability <= 0.01
    assert max(Counter(day_keys(ms.checked)).values()) <= N_DAYS // 100
    assert ms.entropy_bits > 10
    assert (ms.checked.sum(axis=1) <= 1).all()
    days = assign_teams(g, ms.checked[:500], seed=1)  # TravelError on a forbidden move
    assert sum(len(d) for d in days) == int(ms.checked[:500].sum())
    with pytest.raises(GameError, match="one team"):
        g2, _, _ = build_game(sc, net, slots, 2, changeover_minutes=5.0, max_types=1)
        markov_sample(g2, solve(g2).coverage, 10, seed=0)
