"""Why a tier-1 ring goes unheld while an event holds units (a review: a fair 09:00-15:00
left 12 rings unheld and a bonfire 20:00-02:00 34, and every reason named the cars kept on
grid patrol, none the event posts that had taken the zone's cars)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from tests.planning.test_deploy import DAY, _inputs
from xunfang.network import RoadNetwork
from xunfang.planning import deploy
from xunfang.planning.deploy.staging import RingCover, can_hold
from xunfang.scenario import load
from xunfang.scenario.model import Event, Post

HELD = re.compile(r"; (\d+) car\(s\) or motorcycle\(s\) of its zone are held at event posts "
                  r"\((.+)\)$")


@pytest.fixture(scope="module")
def fair() -> tuple[deploy.Inputs, deploy.Posture, RingCover]:
    """The county on DAY with a fair 09:00-15:00 (level 2) at KS1 and a temporary post by
    the square, asking 7 units (about 10 s)."""
    sc = load("ebian")
    sb1 = next(p for p in sc.posts if p.id == "SB1")
    tp = Post(id="TP1", name="庙会临时岗", kind="kiosk", xy=(sb1.xy[0] + 5.0, sb1.xy[1]),
              temporary=True)
    at = datetime(DAY.year, DAY.month, DAY.day)
    ev = Event(name="庙会", start=at + timedelta(hours=9), end=at + timedelta(hours=15),
               level=2, posts=("KS1", "TP1"), extra_staff=10)
    sc = replace(sc, posts=(*sc.posts, tp), events=(ev,))
    net = RoadNetwork.from_scenario(sc)
    inp = _inputs(sc, net)
    return inp, deploy.plan_posture(inp), RingCover(sc, net)


def test_an_unheld_ring_names_the_event_posts_holding_its_zones_cars(fair) -> None:
    inp, post, rings = fair
    sc = inp.scenario
    units = {u.id: u for u in sc.units}
    node_grid = np.full(sc.roads.n_nodes, -1, dtype=np.int64)
    for gi, nodes in enumerate(inp.grid_nodes):
        node_grid[nodes] = np.where(node_grid[nodes] < 0, gi, node_grid[nodes])
    staging = [f for f in post.shortfalls if f.duty == "staging"]
    named = 0
    for f in staging:
        hour = inp.slots[f.slot].start.hour
        # the grids a car reaches the site from within the target, and the cars and
        # motorcycles at the event's posts in that slot that may patrol one of them
        i = next(j for j, s in enumerate(rings.sites) if s.id == f.place)
        near = rings.times_to(hour)[i] <= rings.target
        grids = set(node_grid[near].tolist()) - {-1}
        at_event = sorted(a.unit for a in post.assignments
                          if a.slot == f.slot and a.duty == "post" and a.note == "event 庙会"
                          and can_hold(units[a.unit])
                          and grids.intersection(inp.allowed[a.unit].tolist()))
        m = HELD.search(f.detail)
        if at_event:
            assert m is not None, f.detail
            assert (int(m.group(1)), m.group(2)) == (len(at_event), "庙会")
            named += 1
        else:
            assert m is None and "event" not in f.detail.split(": ", 1)[1], f.detail
        if not 9 <= hour < 15:
            assert m is None
    # the fair's hours leave rings unheld with the zone's cars at its posts
    assert named > 0
