"""Baselines compared with a plan deploy the plan's force: who is on duty is the roster's."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from tests.sim.test_engine import DAY
from xunfang import scenario
from xunfang.plan import Assignment, make_slots
from xunfang.planning.deploy.inputs import unit_kind
from xunfang.sim import SimError
from xunfang.sim.baselines import baseline_plan
from xunfang.sim.config import SimConfig
from xunfang.sim.sweep import make_variant


def _with_off(plan, off: dict[int, set[str]]):
    got = [Assignment(unit=a.unit, slot=a.slot, duty="off", note="no crew on duty")
           if a.unit in off.get(a.slot, set()) else a for a in plan.assignments]
    return replace(plan, assignments=tuple(got), _index={})


def test_baseline_like_a_plan_keeps_its_units_off() -> None:
    sc = scenario.load("ebian")
    slots = make_slots(DAY, days=1, slot_minutes=60)
    base = baseline_plan("posts", sc, slots)
    off = {0: {"TX-M1", "PS1-C", "TX-C1"}, 5: {"TX-M2"}}
    like = _with_off(base, off)
    for name in ("even", "proportional", "posts"):
        b = baseline_plan(name, sc, slots, like=like)
        at = {(a.unit, a.slot): a for a in b.assignments}
        assert all(at[(u, k)].duty == "off" for k, us in off.items() for u in us)
        on0 = sum(1 for a in b.assignments if a.slot == 0 and a.duty != "off")
        on1 = sum(1 for a in b.assignments if a.slot == 1 and a.duty != "off")
        assert on0 == on1 - 3
        if name != "posts":
            grid0 = Counter(a.grid for a in b.assignments if a.slot == 0 and a.duty == "grid")
            mobile = [u.id for u in sc.units if unit_kind(u) == "mobile"]
            assert sum(grid0.values()) == len(mobile) - 2  # TX-M1 and PS1-C are off
        # fixed posts, the checkpoint team and the auxiliary forces are bound as in the plan
        for u in sc.units:
            if unit_kind(u) in ("fixed", "checkpoint", "auxiliary"):
                assert all(at[(u.id, k)].duty == like.at(u.id, k).duty
                           and at[(u.id, k)].post == like.at(u.id, k).post
                           for k in range(len(slots)))
    # the variant of a sweep compares against the plan's force
    v = make_variant("baseline:even", sc, like, SimConfig())
    assert v.plan.at("TX-M1", 0).duty == "off"
    assert v.plan.at("TX-M1", 1).duty == "grid"


def test_baseline_like_a_plan_of_other_slots_is_an_error() -> None:
    sc = scenario.load("ebian")
    slots = make_slots(DAY, days=1, slot_minutes=60)
    like = baseline_plan("posts", sc, slots[:12])
    with pytest.raises(SimError, match="other slots"):
        baseline_plan("even", sc, slots, like=like)


def test_baselines_keep_every_unit_in_its_zone() -> None:
    # the precinct units patrol their precinct's zone in the plan (deploy.zone_grids); a
    # baseline compared with it keeps them there too, and still spreads its units by its rule
    from xunfang.network import RoadNetwork
    from xunfang.planning.deploy import prepare

    sc = scenario.load("ebian")
    slots = make_slots(DAY, days=1, slot_minutes=60)
    inp = prepare(sc, RoadNetwork.from_scenario(sc), slots)
    zones = {u: {inp.grids[g] for g in gs.tolist()} for u, gs in inp.allowed.items()}
    assert any(len(z) < len(inp.grids) for z in zones.values())  # zones bind someone
    for name in ("even", "proportional"):
        b = baseline_plan(name, sc, slots)
        per_grid = Counter(a.grid for a in b.assignments if a.duty == "grid")
        assert len(per_grid) == len(inp.grids), name  # every grid patrolled
        for a in b.assignments:
            if a.duty == "grid":
                assert a.grid in zones[a.unit], (name, a.unit, a.grid)
