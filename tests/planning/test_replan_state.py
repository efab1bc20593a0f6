"""Re-plans (动态调整): as little changed as asked for, the morning kept with its shortfalls,
changes counted by place; a plan folder read back or refused with the reason."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, make_slots
from xunfang.planning import deploy
from xunfang.planning.deploy.from_plan import PlanFolderError, read_plan_folder
from xunfang.planning.deploy.replan import Hot, changes, place
from xunfang.scenario.loader import load
from xunfang.scenario.model import Scenario

DAY = date(2026, 12, 1)
Planned = tuple[Scenario, deploy.Inputs, deploy.Posture]


@pytest.fixture(scope="module")
def planned() -> Planned:
    sc = load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=1, slot_minutes=sc.slot_minutes)
    rng = np.random.default_rng(5)
    risk = rng.gamma(2.0, 1.0, size=(len(sc.areas_of("grid")), 1)) * np.linspace(
        0.5, 1.5, len(slots))[None, :]
    # SB1's fixed-post units have no crew in the evening: shortfalls to keep or re-plan
    inp = deploy.prepare(sc, net, slots, risk=risk)
    off = {"TX-C2", "TX-B1", "TX-B2"}
    inp = replace(inp, on_duty=tuple(d - off if k >= 8 else d for k, d in
                                     enumerate(inp.on_duty)))
    return sc, inp, deploy.plan_posture(inp)


def _moves(before: deploy.Posture, after: deploy.Posture) -> list[tuple[str, int, str, str]]:
    return [(c.unit, c.slot, place(c.old)[1] if c.old else "", place(c.new)[1])
            for c in changes(before.assignments, after.assignments)]


def test_a_hot_grid_gets_one_unit_more_and_nothing_else_moves(planned: Planned) -> None:
    _, inp, post = planned
    g = inp.grids.index("G6")
    state = deploy.ReplanState(at_slot=12, hot=(Hot(grid="G6", first=12, last=15, share=0.5),))
    hot = deploy.replan(inp, post, state)
    assert (hot.counts[g, 12:16] == post.counts[g, 12:16] + 1).all()
    moves = _moves(post, hot)
    # one unit into G6 in each hot slot; the grids a unit leaves may take another unit's
    # place in turn when a requirement asks for it (with the patrol work planned at 2× its
    # bound, a car leaving G4 leaves G4's work short: 8 changes here, 4 at 1.5×), but
    # nothing moves outside the hot slots and every chain starts with a unit into G6
    assert len(moves) == hot.changed <= 8, moves
    assert {k for _, k, _, _ in moves} == {12, 13, 14, 15}, moves
    assert all(sum(new == "G6" for _, k2, _, new in moves if k2 == k) == 1
               for k in range(12, 16)), moves
    # the posture's own default weight lets over-deployment send units home to reserve
    loose = deploy.replan(inp, post, state, keep_weight=2.0)
    assert loose.changed > hot.changed
    assert any(a.note == "reserve at home post" for a in
               (c.new for c in changes(post.assignments, loose.assignments)))
    with pytest.raises(deploy.DeployError, match="keep_weight must be a finite number"):
        deploy.replan(inp, post, state, keep_weight=float("nan"))


def test_out_of_service_and_busy_keep_the_morning_and_its_shortfalls(planned: Planned) -> None:
    _, inp, post = planned
    new = deploy.replan(inp, post, deploy.ReplanState(
        at_slot=10, out_of_service=("PS2-C",), busy={"TX-M1": (11, "G2")}))
    at = {(a.unit, a.slot): a for a in new.assignments}
    old = {(a.unit, a.slot): a for a in post.assignments}
    assert all(at[k] == v for k, v in old.items() if k[1] < 10)
    assert [f for f in new.shortfalls if f.slot < 10] == [f for f in post.shortfalls
                                                          if f.slot < 10]
    assert [s.slot for s in new.solves] == list(range(24))
    assert [s for s in new.solves if s.slot < 10] == [s for s in post.solves if s.slot < 10]
    # the evening's fixed-post shortfalls are found again, not lost
    late = {(f.slot, f.place, f.detail) for f in post.shortfalls if f.slot >= 10}
    assert late and late <= {(f.slot, f.place, f.detail) for f in new.shortfalls}
    assert all(at[("PS2-C", k)].duty == "off" and at[("PS2-C", k)].note == "out of service"
               for k in range(10, 24))
    assert at[("TX-M1", 11)].grid == "G2" and at[("TX-M1", 11)].note == "busy at an incident"
    with pytest.raises(deploy.DeployError, match="both busy and out of service"):
        deploy.replan(inp, post, deploy.ReplanState(at_slot=10, out_of_service=("TX-M1",),
                                                    busy={"TX-M1": (11, "G2")}))


def test_changes_are_places_not_notes() -> None:
    a = Assignment(unit="U", slot=3, duty="grid", grid="G1", note="patrol (risk share 0.20)")
    b = replace(a, note="patrol (risk share 0.31)", crew=("p1",))
    c = replace(a, grid="G2")
    assert changes([a], [b]) == ()
    (ch,) = changes([a], [c])
    assert (ch.unit, ch.slot, ch.old, ch.new) == ("U", 3, a, c)
    assert place(Assignment(unit="U", slot=0, duty="off")) == ("off", "")
    assert place(Assignment(unit="U", slot=0, duty="route", route=("n1", "n2", "n3"))) == (
        "route", "n1..n3")


def _plan_json(tmp_path: Path, **stages: object) -> Path:
    slots = make_slots(DAY, days=1, slot_minutes=60)
    plan = Plan(scenario="x", inputs_hash="h" * 64, seed=0, version="t", slots=slots,
                units=("U",), assignments=tuple(Assignment(unit="U", slot=s.index, duty="off")
                                                for s in slots))
    doc = {"scenario": {"source": "builtin:ebian"}, "request": {"from": DAY.isoformat(),
                                                                 "days": 1},
           "plan": plan.as_dict(), "stages": stages}
    (tmp_path / "plan.json").write_text(json.dumps(doc), encoding="utf-8")
    return tmp_path


def test_read_plan_folder_names_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(PlanFolderError, match=r"no plan\.json"):
        read_plan_folder(tmp_path)
    with pytest.raises(PlanFolderError, match="no 'posture'"):
        read_plan_folder(_plan_json(tmp_path, intel={"skipped": "x"}))
    with pytest.raises(PlanFolderError, match=r"stages.posture is malformed \(counts of "
                                              r"shape \(1, 3\) for 1 grids and 24 slots\)"):
        read_plan_folder(_plan_json(tmp_path, posture={
            "grids": ["G1"], "counts": [[0, 0, 0]], "shortfalls": [], "solves": []}))
    pif = read_plan_folder(_plan_json(tmp_path, posture={
        "grids": ["G1"], "counts": [[0] * 24], "shortfalls": [], "solves": [],
        "pins": [{"unit": "U", "post": "P", "slots": [3, 4]}]},
        checkpoints={"schedule": [{"slot": "2026-12-01T05:00", "site": "CP1", "team": "U"}]}))
    assert pif.scenario_name() == "ebian" and pif.risk is None
    assert pif.pins == (deploy.Pin("U", (3, 4), post="P"),)
    assert pif.checkpoint_at == {("U", 5): "CP1"}
    with pytest.raises(PlanFolderError, match="checkpoint schedule slot '2026-12-02T05:00'"):
        read_plan_folder(_plan_json(tmp_path, posture={
            "grids": [], "counts": [], "shortfalls": [], "solves": []},
            checkpoints={"schedule": [{"slot": "2026-12-02T05:00", "site": "C", "team": "U"}]}))


def test_sorties_in_the_air_at_the_replan_are_kept_and_not_doubled() -> None:
    from xunfang.plan import DroneSortie
    from xunfang.planning.deploy.from_plan import merge_sorties

    def s(unit: str, a: float, b: float) -> DroneSortie:
        return DroneSortie(unit=unit, post="P", start=a, end=b, waypoints=((0.0, 0.0),))

    old = [s("D1", 600, 630), s("D1", 700, 740), s("D2", 650, 680), s("D1", 760, 790)]
    new = [s("D1", 700, 735), s("D1", 730, 760), s("D1", 745, 775), s("D2", 725, 750)]
    merged, held = merge_sorties(old, new, 720.0)
    dropped = len(held)
    # the morning's and the one in the air at 12:00 (700-740) kept; the re-plan's 730 one
    # would launch while D1 is still up: dropped; the old afternoon sortie is the re-plan's
    assert merged == (s("D1", 600, 630), s("D1", 700, 740), s("D2", 650, 680),
                      s("D1", 745, 775), s("D2", 725, 750))
    assert dropped == 1
