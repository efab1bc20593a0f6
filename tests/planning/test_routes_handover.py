"""The shift handover (交接班) is planned: a unit on duty on both sides of a shift start is off
the street ``policy.handover_minutes`` then (as the simulator takes it), so its route in the
slot from that minute starts that much later, from where its route before ended, and its
route before ends by then. The county's routes were timed over their whole slot, and the
simulator dropped their last points (35 of 8,550 a day)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from xunfang import scenario
from xunfang._errors import ScenarioError
from xunfang.network import RoadNetwork
from xunfang.planning.routes import RoutePlan, plan_routes
from xunfang.scenario.model import Scenario

from .test_routes import DAY, LATTICE, everywhere

Make = Callable[..., Path]


def _lattice(make_scenario: Make, handover: float) -> tuple[Scenario, RoadNetwork]:
    sc = scenario.load(make_scenario(LATTICE))
    return replace(sc, policy=replace(sc.policy, handover_minutes=handover)), \
        RoadNetwork.from_scenario(sc)


def _plan(sc: Scenario, net: RoadNetwork) -> RoutePlan:
    # C1 patrols W from 08:00 on (off before), C2 E all day
    posture = {("C1", s.index): "W" for s in DAY if s.index >= 8}
    posture.update(everywhere({"C2": "E"}))
    return plan_routes(sc, net, DAY, posture, seed=1)


def test_without_a_handover_every_route_starts_with_its_slot(make_scenario: Make) -> None:
    # (the same routes as before the handover was planned: checked against that code)
    sc, net = _lattice(make_scenario, 0.0)
    rp = _plan(sc, net)
    for h in (0, 8, 16):
        assert rp.routes[("C2", h)].legs[0].minutes[0] < h * 60.0 + 15.0


def test_the_route_after_a_shift_start_begins_after_the_handover(make_scenario: Make) -> None:
    sc, net = _lattice(make_scenario, 15.0)
    rp = _plan(sc, net)
    # C2 is on duty on both sides of 08:00, 16:00 and 00:00 (the plan repeats): its routes
    # then start 15 minutes in, where its route before ended; the routes before end by then
    for h in (0, 8, 16):
        first = rp.routes[("C2", h)].legs[0]
        assert first.minutes[0] == h * 60.0 + 15.0, (h, first)
        before = rp.routes[("C2", (h - 1) % 24)]
        assert max(leg.end for leg in before.legs) <= (h * 60.0 or 1440.0) + 1e-6
        assert first.nodes[0] == before.legs[-1].nodes[-1], h
    # the other slots start with the slot
    assert rp.routes[("C2", 9)].legs[0].minutes[0] <= 540.0 + 1e-6
    # C1 comes on duty at 08:00 (off before): no handover, its route starts at 08:00
    assert rp.routes[("C1", 8)].legs[0].minutes[0] == 480.0
    # the handover is no stop of the route: the simulator takes it apart
    assert rp.routes[("C2", 8)].stops[0] < 15.0 or rp.routes[("C2", 8)].legs[0].kind != "hold"


def test_a_handover_of_a_slot_or_more_is_refused(make_scenario: Make) -> None:
    toml = LATTICE["scenario.toml"].replace("handover_minutes = 0", "handover_minutes = 60")
    with pytest.raises(ScenarioError, match=r"scenario\.toml.*handover_minutes must "
                                                     r"be .* less than slot_minutes \(60\)") as e:
        scenario.load(make_scenario({**LATTICE, "scenario.toml": toml}))
    # the error names the setting (review RV2: it named column '')
    assert [p.column for p in e.value.problems if p.file == "scenario.toml"] == [
        "policy.handover_minutes"]
    toml = LATTICE["scenario.toml"].replace("handover_minutes = 0", "handover_minutes = -5")
    with pytest.raises(ScenarioError, match=r"scenario\.toml.*handover_minutes"):
        scenario.load(make_scenario({**LATTICE, "scenario.toml": toml}))


def test_a_scenario_without_the_field_hands_over_15_minutes(make_scenario: Make) -> None:
    toml = LATTICE["scenario.toml"].replace("handover_minutes = 0\n", "")
    sc = scenario.load(make_scenario({**LATTICE, "scenario.toml": toml}))
    assert sc.policy.handover_minutes == 15.0
