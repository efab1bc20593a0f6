"""The live 1-3-5 rings count only the units that respond, each at its own mode's speed
(review AY, fault 1: every unit was counted as a car — foot patrols, the drone, and the
volunteers and merchants who are never dispatched).

The lattice town of tests/planning/test_routes.py (5 × 3 streets 200 m apart, posts P1 at n00
and P2 at n42) with a volunteer and a merchant group added; the plans are made here, one duty
per unit for the whole day, so that each case says who is on duty where."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.planning.test_routes import LATTICE
from xunfang import network, scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, make_slots
from xunfang.planning import coverage
from xunfang.scenario.model import Mode, Scenario
from xunfang.web.live import LiveOps

#: 10:30 in the town's time zone (Asia/Shanghai) on the plan's day
NOW = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
HOUR = 10
UNITS = (LATTICE["units.csv"] + "V1,auxiliary,foot,volunteer,P2\n"
         "M1,auxiliary,foot,merchant,P2\n")


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, RoadNetwork]:
    from tests.conftest import write_files

    root: Path = write_files(tmp_path_factory.mktemp("rings") / "town",
                             {**LATTICE, "units.csv": UNITS})
    sc = scenario.load(root)
    return sc, RoadNetwork.from_scenario(sc)


def live_with(town: tuple[Scenario, RoadNetwork], on_duty: Mapping[str, str]) -> LiveOps:
    """The live picture at 10:30 under a plan where each unit of ``on_duty`` stands at the
    post named all day (a drone flies from it), every other unit is off."""
    sc, net = town
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)
    duties = []
    for u in sc.units:
        for s in slots:
            post = on_duty.get(u.id)
            duty = "off" if post is None else "drone" if u.mode == "drone" else "post"
            duties.append(Assignment(u.id, s.index, duty, post=post))  # type: ignore[arg-type]
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="test",
                slots=slots, units=tuple(u.id for u in sc.units), assignments=tuple(duties))
    return LiveOps(sc, net, plan, clock=lambda: NOW)


def minutes_from(net: RoadNetwork, sources: list[tuple[str, Mode]]) -> np.ndarray:
    """Minutes to every node from the first of ``sources`` (node id, mode) to get there."""
    return np.min([network.nearest(net, network.index_of(net, [node]), mode=mode,
                                   hour=HOUR).minutes[:, 0] for node, mode in sources], axis=0)


def expected(town: tuple[Scenario, RoadNetwork], minutes: np.ndarray) -> dict[str, object]:
    sc, net = town
    _, target = coverage.node_targets(sc, net.xy)
    return {"share_within_target": float(np.mean(minutes <= target)),
            "bands": coverage.bands_of(minutes, sc.policy.isochrone_minutes).tolist()}


def test_each_unit_moves_at_its_own_modes_speed(
        town: tuple[Scenario, RoadNetwork]) -> None:
    _, net = town
    r = live_with(town, {"C1": "P1", "F1": "P2"}).rings_now()
    mixed = minutes_from(net, [("n00", "car"), ("n42", "foot")])
    assert {k: r[k] for k in ("share_within_target", "bands")} == expected(town, mixed)
    # the case tells the modes apart: the foot patrol counted as a car gives other rings
    as_cars = expected(town, minutes_from(net, [("n00", "car"), ("n42", "car")]))
    assert as_cars["bands"] != r["bands"]
    assert r["modes"] == {"car": 1, "foot": 1}
    assert [(c["unit"], c["mode"], c["basis"]) for c in r["counted"]] == [
        ("C1", "car", "plan"), ("F1", "foot", "plan")]


def test_volunteers_merchants_and_drones_are_left_out_and_said_why(
        town: tuple[Scenario, RoadNetwork]) -> None:
    _, net = town
    r = live_with(town, {"F1": "P1", "V1": "P2", "M1": "P2", "D1": "P1"}).rings_now()
    alone = expected(town, minutes_from(net, [("n00", "foot")]))
    assert {k: r[k] for k in ("share_within_target", "bands")} == alone
    assert r["sources"] == 1 and [c["unit"] for c in r["counted"]] == ["F1"]
    why = {x["unit"]: x["reason"] for x in r["left_out"]}
    assert why["V1"].startswith("tier auxiliary (volunteer): never dispatched")
    assert why["M1"].startswith("tier auxiliary (merchant): never dispatched")
    assert why["D1"] == "drone: does not respond on the roads"
    assert why["C1"] == why["C2"] == "off duty in this slot"
    # counted as cars (the fault), the volunteers at P2 and the drone would hold rings
    assert expected(town, minutes_from(net, [("n00", "car"), ("n42", "car")]))[
        "share_within_target"] > r["share_within_target"]


def test_only_auxiliary_units_on_duty_hold_no_ring(town: tuple[Scenario, RoadNetwork]) -> None:
    r = live_with(town, {"V1": "P1", "M1": "P2"}).rings_now()
    assert r["sources"] == 0 and r["share_within_target"] == 0.0 and r["bands"] == []
    assert sorted(x["unit"] for x in r["left_out"]) == ["C1", "C2", "D1", "F1", "M1", "V1"]


def test_a_status_change_is_seen_by_the_rings(town: tuple[Scenario, RoadNetwork]) -> None:
    live = live_with(town, {"C1": "P1", "F1": "P2"})
    assert live.rings_now()["sources"] == 2
    live.set_status("C1", "busy")
    r = live.rings_now()
    assert [c["unit"] for c in r["counted"]] == ["F1"]
    assert {x["unit"]: x["reason"] for x in r["left_out"]}["C1"] == "status busy: not available"




def test_dispatch_offers_only_the_units_that_respond(
        town: tuple[Scenario, RoadNetwork]) -> None:
    """The volunteer and merchant stand at the incident's post and the drone flies from it,
    yet the suggestion is the car across town and the foot patrol: the units that respond."""
    sc, _ = town
    post = {p.id: p for p in sc.posts}["P2"]
    on_duty = {"C1": "P1", "F1": "P2", "V1": "P2", "M1": "P2"}
    drones = [u.id for u in sc.units if u.mode == "drone"]
    on_duty.update({d: "P2" for d in drones})
    rows = live_with(town, on_duty).dispatch(post.xy, k=10)
    assert {r["unit"] for r in rows} == {"C1", "F1"}
