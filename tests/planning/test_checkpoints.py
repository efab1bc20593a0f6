"""The checkpoint game: hand-solved equilibria, solvers against each other and brute force,
the SSE check, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from xunfang.planning.checkpoints import (
    GameError,
    brute_force,
    check_sse,
    make_game,
    minimax,
    solve,
    solve_dobss,
    solve_multiple_lps,
    solve_origami,
)
from xunfang.planning.checkpoints.solvers import pure_strategies, transition_ok

SOLVERS = (solve_origami, solve_dobss, solve_multiple_lps)


def two_targets() -> object:
    # U^a = (1 - 2 c1, 2 - 3 c2), U^d = (-1 + 6 c1, -2 + 3 c2), one team.
    return make_game(["a", "b"], ["08:00"], att_uncovered=[1, 2], att_covered=[-1, -1],
                     def_uncovered=[-1, -2], def_covered=[5, 1], teams=1)


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_targets_textbook(solver) -> None:  # type: ignore[no-untyped-def]
    """By hand: the attacker is indifferent at c = (2/5, 3/5) (payoff 1/5 at both); the tie
    goes to the defender, who prefers an attack on a (payoff -1 + 6·2/5 = 1.4 > -0.2). Any
    c1 > 2/5 makes b the unique best response (at most -0.2 for the defender)."""
    g = two_targets()
    sol = solver(g)
    np.testing.assert_allclose(sol.coverage, [0.4, 0.6], atol=1e-7)
    assert sol.defender_value == pytest.approx(1.4, abs=1e-7)
    assert sol.attacker_values[0] == pytest.approx(0.2, abs=1e-7)
    assert int(sol.attacked[0]) == 0
    assert sol.bound == pytest.approx(1.4, abs=1e-7)


def test_two_targets_minimax_and_brute_force() -> None:
    g = two_targets()
    v, _c = minimax(g)
    assert v == pytest.approx(0.2, abs=1e-9)
    value, cov = brute_force(g)
    assert value == pytest.approx(1.4, abs=1e-7)
    np.testing.assert_allclose(cov, [0.4, 0.6], atol=1e-7)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("teams", "coverage", "value"), [
    # one team: ORIGAMI covers a until its payoff falls to b's (c_a = 1/3), then a and b
    # together: 3(1 - c_a) = 2(1 - c_b) = v with c_a + c_b = 1 gives v = 6/5 > 1 = c's payoff.
    (1, [0.6, 0.4, 0.0], -1.2),
    # two teams: all three in the attack set, 3(1-c_a) = 2(1-c_b) = 1 - c_c = v, Σc = 2:
    # v = 6/11, c = (9/11, 8/11, 5/11).
    (2, [9 / 11, 8 / 11, 5 / 11], -6 / 11),
])
def test_three_targets_textbook(solver, teams, coverage, value) -> None:  # type: ignore[no-untyped-def]
    g = make_game(["a", "b", "c"], ["08:00"], att_uncovered=[3, 2, 1], att_covered=0,
                  def_uncovered=[-3, -2, -1], def_covered=0, teams=teams)
    sol = solver(g)
    np.testing.assert_allclose(sol.coverage, coverage, atol=1e-7)
    assert sol.defender_value == pytest.approx(value, abs=1e-7)
    assert sol.attacker_values[0] == pytest.approx(-value, abs=1e-7)


def test_night_only_target_is_no_target_and_unstaffed() -> None:
    """A site that is closed (hi = 0) and not active carries no coverage and draws no attack."""
    g = make_game(["a", "b"], ["03:00", "12:00"], att_uncovered=[[4, 4], [9, 9]],
                  att_covered=-1, def_uncovered=[[-4, -4], [-9, -9]], def_covered=0, teams=1,
                  hi=[[1, 1], [1, 0]], active=[[True, True], [True, False]])
    sol = solve(g)
    c = sol.coverage.reshape(2, 2)
    assert c[1, 1] == 0.0
    # the attacker can attack b only at 03:00; noon belongs to a alone
    assert c[0, 1] == pytest.approx(1.0)
    assert sol.attacked[0] != 3


def random_game(rng: np.random.Generator, *, travel: bool, lo: bool = False) -> object:
    ns, nt, k = int(rng.integers(2, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 4))
    shape = (k, ns, nt)
    moves = rng.random((nt - 1, ns, ns)) < 0.6 if travel and nt > 1 else None
    active = (rng.random((ns, nt)) < 0.8) | (np.arange(ns)[:, None] == 0)
    return make_game(
        [f"s{i}" for i in range(ns)], [f"t{j}" for j in range(nt)],
        type_names=[f"k{x}" for x in range(k)], prob=rng.dirichlet(np.ones(k)),
        att_uncovered=rng.uniform(1, 10, shape), att_covered=-rng.uniform(0, 5, shape),
        def_uncovered=-rng.uniform(1, 10, shape), def_covered=rng.uniform(0, 5, shape),
        teams=[int(x) for x in rng.integers(1, ns, nt)], moves=moves, active=active,
        lo=rng.uniform(0, 0.3, (ns, nt)) / ns if lo else 0.0,
    )


@pytest.mark.parametrize("seed", range(12))
def test_bayesian_dobss_equals_multiple_lps_and_brute_force(seed: int) -> None:
    """Random small Bayesian games (1-3 types, 2-3 sites, 1-2 slots, the travel rule in half
    of them): DOBSS, multiple LPs and DOBSS over every pure strategy agree."""
    rng = np.random.default_rng(seed)
    g = random_game(rng, travel=seed % 2 == 1)
    d = solve_dobss(g)
    m = solve_multiple_lps(g)
    value, cov = brute_force(g)
    assert d.defender_value == pytest.approx(value, abs=1e-6)
    assert m.defender_value == pytest.approx(value, abs=1e-6)
    # the brute-force strategy's marginals reach the same value under the SSE check
    assert check_sse(g, cov).defender_value == pytest.approx(value, abs=1e-6)
    for sol in (d, m):
        chk = check_sse(g, sol.coverage, claimed=sol.defender_value, bound=value)
        assert chk.ok, chk.problems
    if g.n_types == 1:
        assert solve_origami(g).defender_value == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_minimum_staffing_solvers_agree(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    g = random_game(rng, travel=False, lo=True)
    d, m = solve_dobss(g), solve_multiple_lps(g)
    assert d.defender_value == pytest.approx(m.defender_value, abs=1e-6)
    assert not g.infeasibility(d.coverage)


def test_sse_check_breaks_ties_for_the_defender_and_flags_bad_claims() -> None:
    g = two_targets()
    chk = check_sse(g, np.array([0.4, 0.6]))
    assert int(chk.ties[0]) == 2 and int(chk.attacked[0]) == 0
    assert chk.defender_value == pytest.approx(1.4)
    # a little more on a: b becomes the unique best response
    chk = check_sse(g, np.array([0.5, 0.5]))
    assert int(chk.attacked[0]) == 1 and chk.defender_value == pytest.approx(-0.5)
    bad = check_sse(g, np.array([0.5, 0.5]), bound=1.4)
    assert not bad.ok and "below the proven optimum" in bad.problems[0]
    over = check_sse(g, np.array([0.7, 0.6]))
    assert any("2 teams" not in p and "sums to 1.3" in p for p in over.problems)


def test_travel_rule_in_pure_strategies() -> None:
    moves = np.array([[True, False], [False, True]])  # no team can switch sites
    assert transition_ok(moves, (0,), (0,), 1)
    assert not transition_ok(moves, (0,), (1,), 1)
    assert transition_ok(moves, (0,), (1,), 2)  # a second team is free
    g = make_game(["a", "b"], ["t0", "t1"], att_uncovered=1, att_covered=0, def_uncovered=-1,
                  def_covered=0, teams=1, moves=moves[None])
    rows = {tuple(r) for r in pure_strategies(g).astype(int).tolist()}
    # site-major targets: (a t0, a t1, b t0, b t1)
    assert (1, 0, 0, 1) not in rows and (0, 1, 1, 0) not in rows and (1, 1, 0, 0) in rows


def test_travel_rule_binds_in_the_lp() -> None:
    """Two far-apart sites, one team: a team that must switch sites between slots cannot, so
    covering a at t0 and b at t1 with certainty is impossible; the LP agrees with brute force
    and differs from the game without the rule."""
    ua = np.array([[10.0, 1.0], [1.0, 10.0]])  # a matters at t0, b at t1
    kw = dict(att_uncovered=ua, att_covered=0.0, def_uncovered=-ua, def_covered=0.0, teams=1)
    free = make_game(["a", "b"], ["t0", "t1"], **kw)  # type: ignore[arg-type]
    rule = make_game(["a", "b"], ["t0", "t1"],
                     moves=np.array([[[True, False], [False, True]]]), **kw)  # type: ignore[arg-type]
    v_free, v_rule = solve(free).defender_value, solve(rule).defender_value
    assert v_rule < v_free - 1e-3
    assert v_rule == pytest.approx(brute_force(rule)[0], abs=1e-7)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(prob=[0.5, 0.4]), "sum to 0.9"),
    (dict(prob=[1.2, -0.2]), "'k1' has probability -0.2"),
    (dict(att_covered=[[5, 0], [0, 0]]), "degenerate payoffs: type 'k0', site 'a' slot t0"),
    (dict(def_covered=-5), "defender must gain"),
    (dict(teams=-1), "must not be negative"),
    (dict(teams=3), "3 teams but only 2 site(s)"),
    (dict(lo=0.6), "needs 1.2 teams by the sites' minimum staffing but has 1"),
    (dict(lo=0.5, hi=0.2), "at least 0.5 but at most 0.2"),
    (dict(hi=1.5), "shares between 0 and 1"),
    (dict(active=False), "no target the attacker may choose"),
])
def test_bad_games(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = dict(att_uncovered=2.0, att_covered=0.0, def_uncovered=-2.0,
                                   def_covered=0.0, teams=1, type_names=["k0", "k1"],
                                   prob=[0.5, 0.5])
    base.update(kwargs)
    with pytest.raises(GameError, match=None) as info:
        make_game(["a", "b"], ["t0"], **base)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_travel_and_staffing_conflict_is_named() -> None:
    g = make_game(["a", "b"], ["t0", "t1"], att_uncovered=1, att_covered=0, def_uncovered=-1,
                  def_covered=0, teams=1, lo=[[0.9, 0.0], [0.0, 0.9]],
                  moves=np.array([[[True, False], [False, True]]]))
    with pytest.raises(GameError, match="travel rule"):
        solve(g)


def test_unknown_method() -> None:
    with pytest.raises(GameError, match="unknown solver 'cplex'"):
        solve(two_targets(), "cplex")  # type: ignore[arg-type]


def test_a_time_limit_reaches_dobss(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's checkpoint stage bounds DOBSS (a city's game of several attacker types ran
    for minutes): ``solve`` passes its limit on, and a generous one changes nothing."""
    from xunfang.planning.checkpoints import solvers

    g = random_game(np.random.default_rng(3), travel=False)
    seen: list[float | None] = []
    real = solvers.solve_dobss

    def spy(game: object, *, time_limit: float | None = None, prune: bool = True) -> object:
        seen.append(time_limit)
        return real(game, time_limit=time_limit, prune=prune)  # type: ignore[arg-type]

    monkeypatch.setattr(solvers, "solve_dobss", spy)
    got = solvers.solve(g, "dobss", time_limit=30.0)  # type: ignore[arg-type]
    assert seen == [30.0]
    assert got.defender_value == pytest.approx(brute_force(g)[0], abs=1e-6)
    assert got.bound >= got.defender_value - 1e-9
