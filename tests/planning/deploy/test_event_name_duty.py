"""The duty of a grid's shortfall when an event's level is its one need: "event NAME level
N", whatever the name holds. A review: the duty was cut from the need's words at the first
" (", so a fair named "庙会 (北区)" went short as "event 庙会" — a duty of no event, which the
report could not say (report/html.py's EVENT_LEVEL reads the duty)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from tests.planning.test_deploy import DAY, _inputs
from xunfang.network import RoadNetwork
from xunfang.planning import deploy
from xunfang.report.html import EVENT_LEVEL
from xunfang.scenario import load
from xunfang.scenario.model import Event


@pytest.mark.parametrize("name", ["庙会 (北区)", "Fair (north)"])
def test_an_event_named_with_brackets_keeps_its_name_in_the_duty(name: str) -> None:
    # the county without key sites (the event's level is then a grid's one need) and two
    # units for its level 2 (a unit in every grid) from 19:00 to 21:00
    sc = load("ebian")
    at = datetime(DAY.year, DAY.month, DAY.day)
    ev = Event(name=name, start=at + timedelta(hours=19), end=at + timedelta(hours=21),
               level=2, posts=("KS1",), extra_staff=0)
    sc = replace(sc, events=(ev,), sites=(),
                 units=tuple(u for u in sc.units if u.id in ("TX-C1", "TX-M1")))
    post = deploy.plan_posture(_inputs(sc, RoadNetwork.from_scenario(sc)))
    duty = f"event {name} level 2"
    short = [f for f in post.shortfalls if f.detail.startswith(duty + ":")]
    assert short, [(f.duty, f.detail) for f in post.shortfalls]
    assert {f.slot for f in short} == {19, 20}
    assert {f.duty for f in short} == {duty}
    m = EVENT_LEVEL.match(short[0].duty)
    assert m is not None and (m["event"], m["level"]) == (name, "2")
