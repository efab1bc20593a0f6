"""The checkpoint stage on the built-in county and on small scenarios: payoffs from the
incidents or a table, night-only sites, baselines, schedules and bad input."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from xunfang import scenario as scenario_mod
from xunfang._errors import ScenarioError
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.checkpoints import (
    GameError,
    build_game,
    check_sse,
    plan_checkpoints,
    read_payoffs,
)

Make = Callable[..., Path]
DAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def ebian():  # type: ignore[no-untyped-def]
    sc = scenario_mod.load("ebian")
    return sc, RoadNetwork.from_scenario(sc), make_slots(DAY, days=1, slot_minutes=60)


@pytest.fixture(scope="module")
def ebian_plan(ebian):  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    return plan_checkpoints(sc, net, slots, 2, seed=5, days=3)


def test_ebian_plan_json_shape(ebian_plan) -> None:  # type: ignore[no-untyped-def]
    doc = ebian_plan.as_json()
    assert set(doc) == {"marginals", "defender_value", "attacker_value", "schedules",
                        "baselines", "reserve", "free", "unmanned"}
    assert doc["unmanned"] == []  # no roster: every team can check
    assert len(doc["marginals"]) == 6 * 24
    assert set(doc["marginals"][0]) == {"site", "slot", "coverage"}
    assert set(doc["baselines"]) == {"uniform", "fixed"}
    assert set(doc["baselines"]["uniform"]) == {"attacker_value"}
    assert len(doc["schedules"]) == 3
    for d, day in enumerate(doc["schedules"]):
        for v in day:
            assert set(v) == {"site", "slot", "team"}
            assert datetime.fromisoformat(v["slot"]).date() == date(2026, 12, 1 + d)
            assert v["team"] in ("TX-C3", "CP-T2")  # the checkpoint squad's unit, then named


def test_ebian_night_only_sites_and_team_counts(ebian_plan) -> None:  # type: ignore[no-untyped-def]
    g = ebian_plan.game
    night = {20, 21, 22, 23, 0, 1, 2, 3, 4, 5}
    cov = {(m["site"], m["slot"]): m["coverage"] for m in ebian_plan.marginals()}
    for (site, slot), c in cov.items():
        if site.startswith("NCP") and datetime.fromisoformat(slot).hour not in night:
            assert c == 0.0
    per_slot = ebian_plan.solution.coverage.reshape(g.n_sites, g.n_slots).sum(axis=0)
    assert (per_slot <= 2 + 1e-7).all()
    for day in ebian_plan.days:
        for v in day:
            if v.site.startswith("NCP"):
                assert datetime.fromisoformat(v.slot).hour in night


def test_ebian_sse_beats_the_baselines(ebian_plan) -> None:  # type: ignore[no-untyped-def]
    plan = ebian_plan
    assert plan.check.ok, plan.check.problems
    assert plan.solution.method == "dobss" and plan.game.n_types == 3
    assert abs(plan.solution.bound - plan.defender_value) < 1e-6
    # the SSE is the best commitment: no worse for the defender than either baseline
    for b in plan.baselines.values():
        assert plan.defender_value >= b.defender_value - 1e-9
    # an observed fixed schedule is exploited: the attacker gains more than against the SSE
    assert plan.baselines["fixed"].attacker_value > plan.attacker_value
    assert plan.baselines["uniform"].attacker_value > plan.attacker_value
    assert 0 < plan.entropy_bits <= plan.entropy_bound_bits + 1e-9
    s = plan.summary()
    assert s["sse_ok"] is True and s["sites"] == ["CP1", "CP2", "CP3", "CP4", "NCP1", "NCP2"]
    t = plan.table(0)
    assert t.columns == ("slot", "site", "site_name", "team")
    assert all(len(r) == 4 for r in t.rows) and len(t.rows) == len(plan.days[0])


def test_seeds(ebian) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    a = plan_checkpoints(sc, net, slots, 1, seed=1, days=2, max_types=1).as_json()
    b = plan_checkpoints(sc, net, slots, 1, seed=1, days=2, max_types=1).as_json()
    c = plan_checkpoints(sc, net, slots, 1, seed=2, days=2, max_types=1).as_json()
    assert a == b
    assert a["marginals"] == c["marginals"] and a["schedules"] != c["schedules"]


def test_risk_array_drives_coverage(ebian) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    risk = np.ones((6, 24))
    risk[0, :] = 50.0  # CP1 is where the forecast puts the danger
    plan = plan_checkpoints(sc, net, slots, 1, seed=0, risk=risk, max_types=1)
    c = plan.solution.coverage.reshape(6, 24)
    assert (c[0] >= c[1:].max(axis=0) - 1e-9).all()
    with pytest.raises(GameError, match=r"risk: expected shape \(6 sites, 24 slots\)"):
        plan_checkpoints(sc, net, slots, 1, seed=0, risk=np.ones((6, 23)))
    bad = np.ones((6, 24))
    bad[2, 3] = -1
    with pytest.raises(GameError, match=r"site .CP3. slot 2026-12-01T03:00 has risk -1\.0"):
        plan_checkpoints(sc, net, slots, 1, seed=0, risk=bad)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(sites=["CP1", "NOPE"]), "sites: 'NOPE' is not a post id"),
    (dict(sites=["CP1", "PS1"]), "post 'PS1' is a 'police_station' post"),
    (dict(teams_per_slot=-1), "counts must not be negative"),
    (dict(teams_per_slot=[1] * 23), "23 counts given for 24 slots"),
    (dict(min_staffing={"CP1": 0.6, "CP2": 0.6}), "more minimum staffing than teams"),
    (dict(min_staffing={"XX": 0.1}), "min_staffing: site 'XX' is not one of the game's sites"),
    (dict(max_staffing={"CP1": 1.5}), "max_staffing: site 'CP1': 1.5 is not a share"),
    (dict(seed=-1), "seed: must be a non-negative integer"),
])
def test_bad_stage_input(ebian, kwargs: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    args: dict[str, object] = dict(teams_per_slot=1, seed=0, max_types=1)
    args.update(kwargs)
    with pytest.raises(GameError) as info:
        plan_checkpoints(sc, net, slots, **args)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_exit_posts_may_be_sites(ebian) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    plan = plan_checkpoints(sc, net, slots, 1, seed=0, sites=["CP1", "X5", "X6"], max_types=1)
    assert plan.game.site_ids == ("CP1", "X5", "X6")
    assert plan.check.ok


def test_travel_rule_from_the_network(ebian) -> None:  # type: ignore[no-untyped-def]
    """CP1 and CP2 are 9.1 min apart by car: a 5-minute change-over forbids that move within a
    shift, but not across a shift change (08:00, 16:00, 00:00)."""
    sc, net, slots = ebian
    g, _posts, minutes = build_game(sc, net, slots, 1, changeover_minutes=5.0, max_types=1)
    assert g.moves is not None and minutes is not None
    i, j = g.site_ids.index("CP1"), g.site_ids.index("CP2")
    assert minutes[0, i, j] > 5.0
    assert not g.moves[0, i, j]  # 00:00 -> 01:00
    assert g.moves[7, i, j]  # 07:00 -> 08:00 is a shift change
    assert g.binding_moves().sum() == 21  # 23 changes, 2 of them at a shift start
    g10, _, _ = build_game(sc, net, slots, 1, changeover_minutes=10.0, max_types=1)
    assert not g10.binding_moves().any()
    plan = plan_checkpoints(sc, net, slots, 2, seed=0, days=5, changeover_minutes=5.0,
                            max_types=1)
    assert plan.sampler == "flow" and plan.check.ok
    assert plan.max_schedule_probability <= 0.01
    assert plan_checkpoints(sc, net, slots, 2, seed=0, max_types=1).sampler == "comb"
    one = plan_checkpoints(sc, net, slots, 1, seed=0, days=3, changeover_minutes=5.0,
                           max_types=1)
    assert one.sampler == "markov" and one.max_schedule_probability <= 0.01
    for day in plan.days:  # consecutive slots of one team within a shift: never CP1 <-> CP2
        by_team: dict[str, list[tuple[int, str]]] = {}
        for v in day:
            by_team.setdefault(v.team, []).append((v.slot_index, v.site))
        for visits in by_team.values():
            for (s0, a), (s1, b) in itertools.pairwise(visits):
                if s1 == s0 + 1 and slots[s1].start.hour not in (0, 8, 16):
                    assert g.moves[s0, g.site_ids.index(a), g.site_ids.index(b)]


PAYOFF_HEADER = "type,probability,site,att_covered,att_uncovered,def_covered,def_uncovered"


def payoff_rows(sites: list[str]) -> list[str]:
    rows = []
    for t, p in (("盗窃", 0.6), ("斗殴", 0.4)):
        for k, s in enumerate(sites):
            rows.append(f"{t},{p},{s},-2,{3 + k},1,{-3 - k}")
    return rows


def test_payoff_table(ebian, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    sites = ["CP1", "CP2", "CP3", "CP4", "NCP1", "NCP2"]
    path = tmp_path / "payoffs.csv"
    # NCP2 at 21:00 is given twice: once for every slot, once for its own slot -> error;
    # here every slot once, with an hour-specific row replacing nothing
    path.write_text("\n".join([PAYOFF_HEADER, *payoff_rows(sites)]) + "\n", encoding="utf-8")
    table = read_payoffs(path, sites, slots)
    assert table.type_names == ("盗窃", "斗殴")
    np.testing.assert_allclose(table.prob, [0.6, 0.4])
    assert table.att_uncovered.shape == (2, 6, 24)
    plan = plan_checkpoints(sc, net, slots, 1, seed=0, payoffs=table)
    assert plan.game.type_names == ("盗窃", "斗殴")
    assert check_sse(plan.game, plan.solution.coverage).defender_value == pytest.approx(
        plan.defender_value)


@pytest.mark.parametrize(("text", "rule", "where"), [
    ("type,probability,site,att_covered,att_uncovered,def_covered\nx,1,CP1,-1,1,0\n",
     "missing-column", "column 'def_uncovered'"),
    (PAYOFF_HEADER + "\nx,1,CPX,-1,1,0,-1\n", "unknown-site", "row 1, column 'site'"),
    (PAYOFF_HEADER + "\nx,1,CP1,-1,abc,0,-1\n", "number", "row 1, column 'att_uncovered'"),
    (PAYOFF_HEADER + "\nx,1,CP1,-1,1,0,-1\nx,0.5,CP2,-1,1,0,-1\n", "one-probability-per-type",
     "row 2, column 'probability'"),
    (PAYOFF_HEADER + "\nx,1,CP1,-1,1,0,-1\n", "missing-target", "site 'CP2'"),
])
def test_bad_payoff_tables(ebian, tmp_path: Path, text: str, rule: str, where: str) -> None:  # type: ignore[no-untyped-def]
    _, _, slots = ebian
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_payoffs(path, ["CP1", "CP2"], slots)
    assert any(p.rule == rule for p in info.value.problems)
    assert where in str(info.value)


def test_payoff_table_probabilities_and_slots(ebian, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, slots = ebian
    path = tmp_path / "p.csv"
    rows = [f"x,0.7,{s},-1,1,0,-1" for s in ("CP1", "CP2")]
    path.write_text("\n".join([PAYOFF_HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"sum to 0\.7"):
        read_payoffs(path, ["CP1", "CP2"], slots)
    # hour-specific rows: CP2 at 03:00 given twice (all slots and 03:00)
    text = (PAYOFF_HEADER + ",slot\n" + "x,1,CP1,-1,1,0,-1,\nx,1,CP2,-1,1,0,-1,\n"
            "x,1,CP2,-1,5,0,-5,03:00\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="slot 2026-12-01T03:00 is given twice"):
        read_payoffs(path, ["CP1", "CP2"], slots)
    path.write_text(PAYOFF_HEADER + ",slot\nx,1,CP1,-1,1,0,-1,25:00\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="names no slot"):
        read_payoffs(path, ["CP1", "CP2"], slots)


def test_degenerate_table_is_rejected(ebian, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _sc, _net, slots = ebian
    path = tmp_path / "p.csv"
    sites = ["CP1", "CP2", "CP3", "CP4", "NCP1", "NCP2"]
    rows = [f"x,1,{s},3,1,0,-1" for s in sites]  # the attacker gains by being checked
    path.write_text("\n".join([PAYOFF_HEADER, *rows]) + "\n", encoding="utf-8")
    # the file, the row, the column and the rule (the game's own check knew no file or row)
    with pytest.raises(ScenarioError) as info:
        read_payoffs(path, sites, slots)
    first = info.value.problems[0]
    assert (first.file, first.row, first.column, first.rule) == (
        str(path), 1, "att_covered", "degenerate-payoffs")
    assert "att_covered 3 must be below att_uncovered 1" in first.message
    assert len(info.value.problems) == len(sites)


def test_small_scenario_without_incidents(make_scenario: Make) -> None:
    posts = ("id,name,kind,node,night_only\np1,Station,station,a,0\nc1,West,checkpoint,a,0\n"
             "c2,East,checkpoint,e,0\nc3,Night,checkpoint,c,1\n")
    sc = scenario_mod.load(make_scenario({"posts.csv": posts}))
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=1, slot_minutes=240)
    plan = plan_checkpoints(sc, net, slots, 1, seed=0)
    assert plan.game.type_names == ("attacker",)
    # without incidents every open target is alike (attacker 10 uncovered, -5 covered): the
    # night slots, with three sites open, hold the attacker to 10 - 15/3 = 5; by day the two
    # open sites need only as much (1/3 each) — more is allowed but gains nothing
    c = plan.solution.coverage.reshape(3, 6)
    assert plan.attacker_value == pytest.approx(5.0, abs=1e-6)
    for s, slot in enumerate(slots):
        if slot.start.hour in sc.policy.night_hours:
            np.testing.assert_allclose(c[:, s], 1 / 3, atol=1e-7)
        else:
            assert c[2, s] == 0.0 and (c[:2, s] >= 1 / 3 - 1e-7).all()
    assert plan.team_names == ("CP-T1",)
    with pytest.raises(GameError, match="no post of kind 'checkpoint'"):
        plan_checkpoints(scenario_mod.load(make_scenario({}, name="bare")), net, slots, 1, seed=0)


@pytest.mark.parametrize("types", [1, 2])
def test_identical_days_solved_as_one(ebian, types: int) -> None:  # type: ignore[no-untyped-def]
    """Two identical days: the one-day game repeated has the whole game's SSE value."""
    from xunfang.planning.checkpoints import solve
    from xunfang.planning.checkpoints.stage import _day_game, solve_by_day

    sc, net, _ = ebian
    slots = make_slots(DAY, days=2, slot_minutes=240)
    g, _, _ = build_game(sc, net, slots, 1, max_types=types, changeover_minutes=5.0)
    day = _day_game(g, slots)
    assert day is not None and day.n_slots == 6
    whole = solve(g)
    split = solve_by_day(g, slots)
    assert "one day, repeated" in split.method
    assert split.defender_value == pytest.approx(whole.defender_value, abs=1e-6)
    assert check_sse(g, split.coverage, bound=whole.defender_value).ok
    # a risk forecast that differs between the days: no shortcut
    risk = np.ones((6, 12))
    risk[:, 6:] = 2.0
    risk[0, 7] = 9.0
    g2, _, _ = build_game(sc, net, slots, 1, max_types=types, risk=risk)
    assert _day_game(g2, slots) is None


def test_days_that_differ_or_are_joined_at_midnight_are_not_one_day(ebian) -> None:  # type: ignore[no-untyped-def]
    """The one-day shortcut holds only for days that are each the first day's game
    (:func:`same_play`) and a travel rule that does not bind across midnight; a day with no
    team on duty is no game of its own, and that is a plain "no", not an error."""
    from dataclasses import replace

    from xunfang.planning.checkpoints.stage import _day_game, solve_by_day

    sc, net, _ = ebian
    slots = make_slots(DAY, days=2, slot_minutes=240)
    g, _, _ = build_game(sc, net, slots, 1, max_types=1, changeover_minutes=5.0)
    day = _day_game(g, slots)
    assert day is not None and day.slot_names == g.slot_names[:6]
    assert np.array_equal(day.teams, g.teams[:6]) and np.array_equal(day.hi, g.hi.reshape(
        g.n_sites, 12)[:, :6].reshape(-1))
    # the travel rule binding at midnight (day 1's last slot to day 2's first) joins the days
    moves = np.ones((11, g.n_sites, g.n_sites), dtype=np.bool_) if g.moves is None \
        else g.moves.copy()
    moves[5, 0, 1] = False
    joined = replace(g, moves=moves, hi=np.ones_like(g.hi))
    assert joined.binding_moves()[5]
    assert _day_game(joined, slots) is None
    # the second day with no team on duty (a roster's day without a sworn officer): its
    # targets are no attacker's choice, so that day alone is no game — not a copy, no error
    off, _, _ = build_game(sc, net, slots, [1] * 6 + [0] * 6, max_types=1)
    off = replace(off, active=off.is_active() & np.repeat(
        (off.teams > 0)[None, :], off.n_sites, axis=0).reshape(-1))
    assert _day_game(off, slots) is None
    assert "one day, repeated" not in solve_by_day(off, slots).method


def test_night_site_open_in_a_slot_that_holds_a_night_hour(make_scenario: Make) -> None:
    """A night-only checkpoint is open in a slot that overlaps a night hour, and its payoff
    there counts only the night hours' incidents. With 3-hour slots, 18:00–21:00 holds
    20:00 (a night hour of the default policy): by the slot's start hour alone the night
    checkpoint stayed closed until 21:00, and had it been open, the 18:00 incidents beside
    it (when it is closed) would have made it the slot's prize."""
    from xunfang.planning.checkpoints.stage import checkpoint_sites, derive_payoffs

    posts = ("id,name,kind,node,night_only\np1,Station,station,a,0\nc1,West,checkpoint,a,0\n"
             "c3,Night,checkpoint,c,1\n")
    incidents = ("time,x,y,category,priority\n"
                 + "2026-11-20T18:30:00,400,300,theft,2\n" * 3
                 + "2026-11-20T20:30:00,400,300,theft,2\n"
                 + "2026-11-20T18:30:00,0,0,theft,2\n")
    sc = scenario_mod.load(make_scenario({"posts.csv": posts, "incidents.csv": incidents}))
    assert 20 in sc.policy.night_hours and 18 not in sc.policy.night_hours
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=1, slot_minutes=180)
    evening = next(k for k, s in enumerate(slots) if s.start.hour == 18)
    g, posts_, _ = build_game(sc, net, slots, 1, radius_m=100.0)
    ids = [p.id for p in posts_]
    active = g.active.reshape(g.n_sites, g.n_slots)
    assert active[ids.index("c3"), evening]  # open: the slot holds 20:00
    assert not active[ids.index("c3"), evening - 1]  # 15:00–18:00: no night hour
    assert active[ids.index("c1")].all()
    pay = derive_payoffs(sc, checkpoint_sites(sc, None), slots, radius_m=100.0)
    att = pay.att_uncovered[0]
    # one incident in the night hour at c3 and one at c1 in the slot: alike (the three at
    # 18:30 by c3 fall while it is closed); counted by the slot's every hour, 4 against 1
    assert att[ids.index("c3"), evening] == pytest.approx(att[ids.index("c1"), evening])
