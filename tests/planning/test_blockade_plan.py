"""The plan's per-hour blockade (the report's figure) seals from the plan's units where they
stand in the slot, not from the fixed posts (review AV)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from xunfang import network, scenario
from xunfang.plan import Assignment, make_slots
from xunfang.planning import pipeline

Make = Callable[..., Path]
MINI_POSTS = ("id,name,kind,node\np1,Station,station,a\nk1,Kiosk,kiosk,c\n"
              "x1,East gate,exit,e\nx2,North gate,exit,d\n")
MINI_TOML = 'name = "mini"\ncrs = "local"\n[policy.speeds_kph]\nfoot = 6\ncar = 30\n'


def test_rings_by_slot_seals_from_the_plan(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "scenario.toml": MINI_TOML, "posts.csv": MINI_POSTS,
        "units.csv": "id,tier,mode,squad,home_post\nc1,special,car,s,p1\nc2,special,car,s,p1\n"}))
    net = network.RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)[:2]
    plan = [
        # slot 0: c1 off duty, c2 staging at e (the east gate): one exit sealed at once
        Assignment(unit="c1", slot=0, duty="off"),
        Assignment(unit="c2", slot=0, duty="route", route=("e",)),
        # slot 1: both at the station
        Assignment(unit="c1", slot=1, duty="post", post="p1"),
        Assignment(unit="c2", slot=1, duty="post", post="p1"),
    ]
    rows = pipeline._rings_by_slot(sc, net, slots, plan)["slots"]
    assert isinstance(rows, list)
    first, second = rows
    assert first["blockade"] == {"max_minutes": 0.0, "total_minutes": 0.0, "unsealed": ["x2"]}
    assert first["blockade_units"]["from"] == "plan" and first["blockade_units"]["units"] == 1
    assert first["blockade_units"]["seals"] == [
        {"exit": "x1", "unit": "c2", "at": "e", "minutes": 0.0}]
    assert second["blockade"]["unsealed"] == [] and second["blockade_units"]["units"] == 2
    assert second["blockade"]["max_minutes"] == pytest.approx(1.6)
