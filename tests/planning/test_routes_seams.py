"""Where a unit's route starts and how its holds end: a unit held at an incident starts its
next route where it was held, and a hold never ends before it starts (the unit is queued
again when it has arrived, not at the run's end before that)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

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
    for a, b in zip(legs, legs[1:], strict=False):
        assert b.minutes[0] >= a.end - 1e-9, (a, b)  # one thing at a time
