"""The plan's checkpoint schedule: random from day to day as the equilibrium's mixed strategy
allows, and every team-slot either checked or given a reason (a review: a 7-day plan of the
county checked the same site in the same hour on every day in 13 of 24 hours and checked
nowhere in hours 02, 04 and 08 on any day, with teams_per_slot 1 and nothing said — the plan
sampled the solver's vertex, which checked one site with probability >= 0.9 in 9 hours)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import numpy as np
import pytest

from tests.planning.test_checkpoints_spread import _game  # the same small games
from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.checkpoints import (
    check_sse,
    default_teams,
    flow_decompose,
    solve,
    spread,
)
from xunfang.planning.checkpoints.stage import solve_by_day

DAY = date(2026, 12, 3)


def _spread_score(c: np.ndarray) -> float:
    """Σ_t min(c_t, 1 − c_t): the linear stand-in for the entropy bound that spread raises."""
    return float(np.minimum(c, 1 - c).sum())


@pytest.mark.parametrize(("seed", "travel", "types"), [(1, False, 1), (2, True, 1),
                                                       (3, False, 2), (4, True, 2)])
def test_spread_holding_the_total_moves_the_checks_not_their_number(
        seed: int, travel: bool, types: int) -> None:
    g = _game(seed, travel=travel, types=types)
    sol = solve(g)
    before = check_sse(g, sol.coverage)
    out = spread(g, sol, hold_total=True)
    after = check_sse(g, out.coverage)
    assert not after.problems and not g.infeasibility(out.coverage)
    assert abs(after.defender_value - before.defender_value) <= 1e-7
    assert np.abs(after.attacker_values - before.attacker_values).max() <= 1e-7
    assert out.coverage.sum() == pytest.approx(sol.coverage.sum(), abs=1e-6)
    assert _spread_score(out.coverage) >= _spread_score(sol.coverage) - 1e-7
    if travel:  # still realisable by teams that keep the travel rule
        dec = flow_decompose(g, out.coverage, seed=0)
        assert np.abs(dec.marginals() - out.coverage).max() < 1e-6


@pytest.fixture(scope="module")
def week():  # type: ignore[no-untyped-def]
    from xunfang.planning.pipeline import _checkpoints

    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=7, slot_minutes=60)
    cp, doc = _checkpoints(sc, net, slots, SimpleNamespace(seed=0))  # type: ignore[arg-type]
    assert cp is not None
    return len(default_teams(sc)), slots, cp, doc


def test_a_week_of_the_plan_is_not_the_same_day_repeated(week) -> None:  # type: ignore[no-untyped-def]
    _teams, slots, cp, doc = week
    assert cp.check.ok, cp.check.problems
    # what each hour checks on each date ("-" for nowhere)
    by_hour: dict[int, dict[str, str]] = {h: {} for h in range(24)}
    for v in cp.days[0]:
        by_hour[int(v.slot[11:13])][v.slot[:10]] = v.site
    dates = sorted({s.start.date().isoformat() for s in slots})
    same = [h for h in range(24) if len({by_hour[h].get(d, "-") for d in dates}) == 1]
    assert len(same) <= 3, same  # 13 of 24 hours on the vertex's schedule
    # the plan leaves the same team-hours free as the equilibrium's vertex and keeps its values
    raw = solve_by_day(cp.game, slots, spread_capacity=False)
    assert cp.solution.coverage.sum() == pytest.approx(raw.coverage.sum(), abs=1e-6)
    assert cp.defender_value == pytest.approx(raw.defender_value, abs=1e-7)
    # no hour is left (almost) never checked: the vertex's hours 02, 04, 07, 08, 10 and 14
    # had 0.00-0.13 expected checks, every day
    per_hour = cp.solution.coverage.reshape(cp.game.n_sites, -1).sum(axis=0)
    assert per_hour.min() >= 0.25, per_hour.round(2)
    # each date's predictability is in the stage's summary
    rows = doc["by_date"]
    assert [r["date"] for r in rows] == dates
    for r in rows:
        assert r["team_slots"] == 24 * _teams and r["expected_checks"] <= 24
        assert r["max_coverage"] <= 0.8  # the vertex: 1.0
        assert 0 < r["max_schedule_probability"] < 1e-4  # the vertex: 0.024
        assert r["entropy_bits"] > 25  # the vertex: 14.2


def test_every_team_slot_is_checked_or_says_why(week) -> None:  # type: ignore[no-untyped-def]
    on_duty, slots, cp, doc = week  # ebian: one checkpoint unit, TX-C3
    visits = {(v.slot, v.team) for v in cp.days[0]}
    reserve = {(r.slot, r.team) for r in cp.reserve[0]}
    free = {(f.slot, f.team): f for f in cp.free[0]}
    expected = cp.solution.coverage.reshape(cp.game.n_sites, -1).sum(axis=0)
    for s, slot in enumerate(slots):
        key = slot.start.isoformat(timespec="minutes")
        teams = list(cp.team_names[:on_duty])
        for t in teams:
            where = [(key, t) in visits, (key, t) in reserve, (key, t) in free]
            assert sum(where) == 1, (key, t, where)
        f = free.get((key, teams[0]))
        if f is not None:
            assert f.expected_checks == pytest.approx(expected[s]) and f.expected_checks < 1
            assert "no check drawn" in f.reason
    assert free  # the equilibrium leaves team-hours free: some are drawn free
    listed = {(x["slot"], x["team"]) for x in doc["free"]}
    assert listed == set(free) and all(x["reason"] for x in doc["free"])
    rows = cp.table(0).rows
    assert sum(r[2] == "(free: no check drawn)" for r in rows) == len(free)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_lists_the_free_team_slots_and_each_day_s_predictability(
        week, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The report's checkpoint table has a row for a team with no check drawn (it left those
    hours out, so a planner saw teams_per_slot 1 and no one at 02:00), and its note gives the
    schedule's entropy per day and the likeliest day's probability, not the horizon's sum."""
    from xunfang.report.html import _checkpoint_section, t

    _teams, slots, cp, _doc = week
    sc = scenario_mod.load("ebian")

    def at(unit: str, slot: int) -> object:
        raise KeyError((unit, slot))

    result = SimpleNamespace(checkpoints=cp, scenario=sc,
                             plan=SimpleNamespace(slots=slots, at=at))
    info = _checkpoint_section(result, lambda key, **kw: t(key, lang, **kw))  # type: ignore[arg-type]
    assert info is not None
    free_rows = [r for r in info["rows"] if r["site"] == t("checkpoint_free", lang)]  # type: ignore[arg-type]
    assert len(free_rows) == len(cp.free[0]) > 0
    assert len(info["rows"]) == len(cp.days[0]) + len(cp.free[0])
    assert [r["slot"] for r in info["rows"]] == sorted(r["slot"] for r in info["rows"])
    ents = [float(r["entropy_bits"]) for r in cp.by_date]
    assert float(info["entropy"]) == pytest.approx(min(ents), abs=0.051)
    assert float(info["entropy"]) < cp.entropy_bits / 2  # a day's, not the week's sum
    assert float(info["top"]) == pytest.approx(max(float(r["max_schedule_probability"])
                                                   for r in cp.by_date), rel=0.05)
