"""Units standing at a post outside every grid count as presence in no grid: the reserves at
their home post and the units at event posts, as the checkpoints, fixed posts and pins do
(review P). The county's township stations PS4..PS7, home of the precinct cars PS4-C..PS7-C,
lie 1.0-2.4 km outside every grid; a car held in reserve at PS5, or standing at an event
post there, was counted in the nearest grid (G7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np

from tests.planning.test_deploy import _inputs, ebian  # noqa: F401  (fixtures)
from xunfang.planning import deploy
from xunfang.planning.routes import ground_presence
from xunfang.scenario.model import Event, Scenario

TOWNSHIP = {"PS4", "PS5", "PS6", "PS7"}


def _outside(sc: Scenario) -> set[str]:
    gi = sc.area_index("grid", np.array([p.xy for p in sc.posts]))
    return {p.id for p, g in zip(sc.posts, gi.tolist(), strict=True) if g < 0}


def _as_placed(sc: Scenario, inp: deploy.Inputs, post: deploy.Posture) -> None:
    """The posture's counts are the presence its assignments put in each grid, as every
    later stage reads it (routes.ground_presence: a unit at a post counts in the grid
    holding the post, in none outside every grid)."""
    ground = {k: int(v) for k, v in ground_presence(sc, post.assignments).items() if v}
    got = {(g, s.index): int(post.counts[i, k]) for i, g in enumerate(inp.grids)
           for k, s in enumerate(inp.slots) if post.counts[i, k]}
    assert got == ground


def test_a_reserve_at_a_home_post_outside_every_grid_counts_in_no_grid(ebian) -> None:  # noqa: F811
    sc, net = ebian
    assert _outside(sc) == TOWNSHIP
    # caps of a grid's share and no ring holders: units are held in reserve at home posts
    inp = _inputs(sc, net, options=deploy.Options(dosage_factor=1.0, dosage_floor=1,
                                                  hold_rings=False))
    post = deploy.plan_posture(inp)
    held = [a for a in post.assignments if a.note == "reserve at home post"
            and a.post in TOWNSHIP]
    assert held  # (the old counting held 16 unit-slots there, counted in G1, G2 and G7)
    _as_placed(sc, inp, post)
    outside = post.extra["outside_grids"]
    assert isinstance(outside, dict)
    assert {a.post for a in held} <= set(outside["posts"]) <= TOWNSHIP
    assert "reserves" in str(outside["note"])


def test_units_at_an_event_post_outside_every_grid_count_in_no_grid(ebian) -> None:  # noqa: F811
    sc, net = ebian
    fair = Event(name="fair", start=datetime(2025, 7, 1, 8), end=datetime(2025, 7, 1, 14),
                 level=1, posts=("PS5", "PS6"), extra_staff=2)
    inp = _inputs(replace(sc, events=(fair,)), net)
    post = deploy.plan_posture(inp)
    at = [a for a in post.assignments if a.note == "event fair"]
    # the posts are staffed (by the zones of the nearest grids), 2 units each for 6 slots
    assert sorted({a.post for a in at}) == ["PS5", "PS6"] and len(at) == 24
    assert not [s for s in post.shortfalls if s.duty == "event post"]
    _as_placed(sc, inp, post)
    assert {"PS5", "PS6"} <= set(post.extra["outside_grids"]["posts"])  # type: ignore[index]


def test_a_unit_at_a_post_in_a_grid_still_counts_there(ebian) -> None:  # noqa: F811
    sc, net = ebian
    fair = Event(name="fair", start=datetime(2025, 7, 1, 8), end=datetime(2025, 7, 1, 14),
                 level=1, posts=("PS2",), extra_staff=1)  # PS2: in G1
    inp = _inputs(replace(sc, events=(fair,)), net)
    post = deploy.plan_posture(inp)
    at = [a for a in post.assignments if a.note == "event fair"]
    assert len(at) == 12 and {a.post for a in at} == {"PS2"}
    _as_placed(sc, inp, post)  # the event's units count in G1, with its patrols
