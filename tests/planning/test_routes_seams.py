"""Where a unit's route starts and how its holds end: a unit held at an incident starts its
next route where it was held, and a hold never ends before it starts (the unit is queued
again when it has arrived, not at the run's end before that)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.routes import Leg, plan_routes

from .test_routes import LATTICE

Make = Callable[..., Path]


def _legs(rp: object, unit: str) -> list[Leg]:
    routes = rp.routes  # type: ignore[attr-defined]
    return sorted((leg for (u, _), r in routes.items() if u == unit for leg in r.legs),
                  key=lambda leg: leg.minutes[0])


def test_a_drive_into_the_grid_longer_than_the_run_holds_nowhere(make_scenario: Make) -> None:
    # 3-minute slots: the foot patrol F1 from P1 (n00) needs 4.8 min to reach grid E's
    # streets (n20, 400 m), longer than its one-slot run in E. Nothing fits in the run, and
    # the last hold (until the run ends) was written from its arrival back to the run's end
    # (an end before its start), and the unit queued at the run's end: its next run, back
    # in W, began before it had arrived in E
    sc = scenario.load(make_scenario(LATTICE))
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2024, 6, 3), days=1, slot_minutes=3)
    posture = {("F1", 30): "E", ("F1", 31): "W"}
    rp = plan_routes(sc, net, slots, posture, seed=1, attempts=1)
    legs = _legs(rp, "F1")
    into = [leg for leg in legs if leg.kind == "transit" and leg.ref == "E"]
    assert into and into[0].minutes[-1] > 31 * 3  # the case: it arrives after its run ends
    for leg in legs:
        assert leg.end >= leg.minutes[0] - 1e-9, leg  # no hold ends before it starts
    for a, b in itertools.pairwise(legs):
        assert b.minutes[0] >= a.end - 1e-9, (a, b)  # one thing at a time


def test_a_unit_held_at_an_incident_starts_its_next_route_where_it_was_held(
        make_scenario: Make) -> None:
    # C1 patrols W but is held at an incident in E 08:00-10:00: its 10:00 route drives from E's
    # node nearest its middle (n31, where the stage stands a unit in E; its street to n21
    # is one of W's); it began at its home post P1 (n00), as if it had been driven home
    sc = scenario.load(make_scenario(LATTICE))
    net = RoadNetwork.from_scenario(sc)
    day = make_slots(date(2024, 6, 3), days=1, slot_minutes=60)
    posture = {("C1", s.index): "W" for s in day if s.index not in (8, 9)}
    posture.update({("C2", s.index): "E" for s in day})
    held = {("C1", 8): "E", ("C1", 9): "E"}
    rp = plan_routes(sc, net, day, posture, seed=1, held=held)
    first = rp.routes[("C1", 10)].legs[0]
    assert first.nodes[0] == "n31" and first.nodes[1] != "n31", first
    assert first.minutes[0] == 600.0 and first.minutes[1] > 600.0
    assert ("C1", 8) not in rp.routes and ("C1", 9) not in rp.routes
    # without ``held`` the unit comes from no route at its home post (P1, n00, in W)
    home = plan_routes(sc, net, day, posture, seed=1)
    assert home.routes[("C1", 10)].legs[0].nodes[0] == "n00"
    with pytest.raises(ValueError, match="held: unit 'C1' in slot 7 at grid 'E'"):
        plan_routes(sc, net, day, posture, seed=1, held={("C1", 7): "E"})
    with pytest.raises(ValueError, match="held: unit 'C1' in slot 8 at grid 'X'"):
        plan_routes(sc, net, day, posture, seed=1, held={("C1", 8): "X"})
