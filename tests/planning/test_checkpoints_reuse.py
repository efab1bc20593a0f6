"""A plan of several dates solves the checkpoint game once when the dates' games are the same
(a 7-day plan solved the same one-day game eight times: once for the horizon, once a date —
47 of its checkpoint stage's 48 seconds on a loaded machine), and a game that differs is
solved as its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import numpy as np
import pytest

from tests.planning.test_checkpoints_spread import _game
from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning import pipeline
from xunfang.planning.checkpoints import stage


@pytest.fixture()
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each call of the DOBSS/LP solve the stage makes, by the game's slot count."""
    calls: list[int] = []
    real = stage.solve

    def counted(g, *a, **k):  # type: ignore[no-untyped-def]
        calls.append(g.n_slots)
        return real(g, *a, **k)

    monkeypatch.setattr(stage, "solve", counted)
    return calls


def test_a_two_day_plan_solves_its_game_once_and_samples_each_date_as_its_own_plan(
        solves: list[int]) -> None:
    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    first = date(2026, 12, 3)
    slots = make_slots(first, days=2, slot_minutes=60)
    cp, doc = pipeline._checkpoints(sc, net, slots, SimpleNamespace(seed=0))  # type: ignore[arg-type]
    assert cp is not None and cp.check.ok
    assert solves == [24]  # was [24, 24, 24]: the horizon's day, then each date's
    # each date's schedule is still the 1-day plan of that date, solved on its own
    solves.clear()
    for k in range(2):
        day = [s for s in slots if s.start.date() == slots[24 * k].start.date()]
        one, _ = pipeline._checkpoints(sc, net, tuple(day), SimpleNamespace(seed=0))  # type: ignore[arg-type]
        assert one is not None
        assert [(v.slot, v.site, v.team) for v in one.days[0]] == [
            (v.slot, v.site, v.team) for v in cp.days[0] if v.slot[:10] == str(day[0].start.date())]
        assert one.defender_value == pytest.approx(cp.defender_value, abs=1e-9)
    assert solves == [24, 24]
    assert doc["by_date"][0]["date"] == str(first)


def test_same_play_ignores_the_slots_names_and_nothing_else() -> None:
    g = _game(3, travel=True, types=2)
    renamed = replace(g, slot_names=tuple(f"x{n}" for n in g.slot_names))
    assert stage.same_play(g, renamed)
    payoff = g.att_uncovered.copy()
    payoff[0, 0] += 0.5
    assert not stage.same_play(g, replace(g, att_uncovered=payoff))
    assert not stage.same_play(g, replace(g, teams=g.teams + 1))
    moves = g.moves.copy()
    moves[0, 1, 2] = False
    assert not stage.same_play(g, replace(g, moves=moves))
    assert not stage.same_play(g, replace(g, moves=None))


def test_a_solution_of_another_game_is_not_reused(solves: list[int]) -> None:
    a, b = _game(3, travel=False, types=1), _game(4, travel=False, types=1)
    slots = make_slots(date(2026, 12, 3), days=1, slot_minutes=60)[:6]
    sa = stage.solve_by_day(a, slots)
    assert solves == [6]
    sb = stage.solve_by_day(b, slots, reuse=[(a, sa)])
    assert solves == [6, 6]  # solved: b is another game
    assert not np.array_equal(sa.coverage, sb.coverage)
    again = stage.solve_by_day(replace(a, slot_names=tuple("abcdef")), slots,
                               reuse=[(a, sa)])
    assert solves == [6, 6] and again is sa


def test_dates_with_other_teams_are_each_solved_once_and_the_horizon_is_them_side_by_side(
        solves: list[int]) -> None:
    """Crewed by the roster, a plan's dates may differ (a weekend's sworn officers): each
    date's game is solved, and the horizon's strategy is theirs side by side, valued over
    the horizon — not a 168-slot DOBSS (30 s at its time limit on the county's week)."""
    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2026, 12, 3), days=2, slot_minutes=60)
    at = [("TX-C3",) if 8 <= s.start.hour < (20 if k < 24 else 16) else ()
          for k, s in enumerate(slots)]
    days = [stage.plan_checkpoints(sc, net, slots[24 * d:24 * d + 24], None, 0,
                                   hold_total=True, teams_at=at[24 * d:24 * d + 24])
            for d in range(2)]
    assert solves == [24, 24]
    whole = stage.plan_checkpoints(sc, net, slots, None, 0, hold_total=True, teams_at=at,
                                   reuse=days)
    assert solves == [24, 24]  # not [24, 24, 48]
    assert whole.check.ok and "each date its own game" in whole.solution.method
    cov = whole.solution.coverage.reshape(whole.game.n_sites, 48)
    for d in range(2):
        assert np.allclose(cov[:, 24 * d:24 * d + 24],
                           days[d].solution.coverage.reshape(whole.game.n_sites, 24))
    # valued over the horizon: the attacker takes the better of the two dates for them
    assert whole.attacker_value >= max(x.attacker_value for x in days) - 1e-9
