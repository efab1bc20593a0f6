"""A patrol route starts where its unit stood the slot before: at the staging node (动中备勤),
the post or the site it stood at, not at its home post. On the county's plan of 2026-12-02, 34
routes began at a unit's home post while the unit had stood elsewhere the hour before (a car
staging at n271 at 04:00 began its 05:00 route at n161)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment
from xunfang.planning.routes import plan_routes, standing_of

from .test_routes import DAY, LATTICE

Make = Callable[..., Path]


def _lattice(make_scenario: Make) -> tuple[Any, RoadNetwork]:
    sc = scenario.load(make_scenario(LATTICE))
    return sc, RoadNetwork.from_scenario(sc)


def c1_staged() -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], str]]:
    """The posture and ``standing`` of C1 (home P1, n00) patrolling W but staging at n41 (in
    E, no street of W's) 08:00-10:00 and at n11 (in W) at 14:00; C2 patrols E all day."""
    posture = {("C1", s.index): "W" for s in DAY if s.index not in (8, 9, 14)}
    posture.update({("C2", s.index): "E" for s in DAY})
    standing = {("C1", 8): "n41", ("C1", 9): "n41", ("C1", 14): "n11"}
    return posture, standing


def test_a_route_starts_where_the_unit_stood_the_slot_before(make_scenario: Make) -> None:
    # C1 stages at n41 08:00-10:00 and at n11 14:00 (c1_staged): its 10:00 route drives
    # from n41 into W, the drive in the route's own time; its 15:00 route starts at n11,
    # where it stood
    sc, net = _lattice(make_scenario)
    posture, standing = c1_staged()
    rp = plan_routes(sc, net, DAY, posture, seed=1, standing=standing)
    first = rp.routes[("C1", 10)].legs[0]
    assert first.kind == "transit" and first.nodes[0] == "n41", first
    assert first.minutes[0] == 600.0 and first.minutes[-1] > 600.0  # counted in the hour
    assert rp.routes[("C1", 15)].legs[0].nodes[0] == "n11"
    assert rp.routes[("C1", 15)].legs[0].minutes[0] == 900.0
    # (W has no patrol at 08:00-10:00 and 14:00: its intervals are short, as without)
    # without ``standing`` the unit comes from no route at its home post: the jump
    home = plan_routes(sc, net, DAY, posture, seed=1)
    assert home.routes[("C1", 10)].legs[0].nodes[0] == "n00"
    assert home.routes[("C1", 15)].legs[0].nodes[0] == "n00"


def test_the_slot_before_the_first_is_the_last(make_scenario: Make) -> None:
    # the plan repeats (the warm-up takes it so): C1 staging at n31 at 23:00 starts its
    # 00:00 route there
    sc, net = _lattice(make_scenario)
    posture = {("C1", s.index): "W" for s in DAY if s.index != 23}
    rp = plan_routes(sc, net, DAY, posture, seed=1, standing={("C1", 23): "n31"})
    assert rp.routes[("C1", 0)].legs[0].nodes[0] == "n31"
    assert rp.routes[("C1", 0)].legs[0].minutes[0] == 0.0


def test_standing_is_checked(make_scenario: Make) -> None:
    sc, net = _lattice(make_scenario)
    posture = {("C1", s.index): "W" for s in DAY if s.index not in (8, 9)}
    with pytest.raises(ValueError, match=r"standing: unit 'C1' in slot 7: .* patrols in "
                                         r"that slot"):
        plan_routes(sc, net, DAY, posture, seed=1, standing={("C1", 7): "n31"})
    with pytest.raises(ValueError, match="standing: unit 'X9' in slot 8: no such unit"):
        plan_routes(sc, net, DAY, posture, seed=1, standing={("X9", 8): "n31"})
    with pytest.raises(ValueError, match="standing: unit 'C1' in slot 8 stands at 'zz', not a "
                                         "node of the network"):
        plan_routes(sc, net, DAY, posture, seed=1, standing={("C1", 8): "zz"})
    with pytest.raises(ValueError, match="standing: unit 'C1' in slot 8 is held at an "
                                         "incident"):
        plan_routes(sc, net, DAY, posture, seed=1, standing={("C1", 8): "n31"},
                    held={("C1", 8): "E"})


def test_standing_of_reads_posts_staging_nodes_and_sites(make_scenario: Make) -> None:
    sc, net = _lattice(make_scenario)
    rows = (
        Assignment("C1", 0, "post", post="P2"),              # a post: its node
        Assignment("C1", 1, "checkpoint", post="P1"),        # a checkpoint: its node
        Assignment("C1", 2, "route", route=("n21",), note="staging at node n21"),
        Assignment("C1", 3, "route", route=("n21", "n31")),  # a patrol: stands nowhere
        Assignment("C1", 4, "grid", grid="W"),
        Assignment("C1", 5, "off"),
        Assignment("D1", 0, "post", post="P1"),              # a drone: no road
    )
    assert standing_of(sc, net, rows) == {("C1", 0): "n42", ("C1", 1): "n00",
                                          ("C1", 2): "n21"}
    with pytest.raises(ValueError, match="unit 'C1' in slot 0 is at post 'PX', not a post"):
        standing_of(sc, net, (Assignment("C1", 0, "post", post="PX"),))
    with pytest.raises(ValueError, match="unit 'C1' in slot 0 stands at 'zz', not a node"):
        standing_of(sc, net, (Assignment("C1", 0, "route", route=("zz",)),))


def test_the_routes_stage_starts_a_route_at_the_staging_node(make_scenario: Make) -> None:
    # the stage reads where the unit stood from the posture's rows: a staging unit is a
    # one-node route there (deploy.staging)
    from xunfang.planning.patrol_stages import routes_stage
    from xunfang.planning.pipeline import DeployContext

    sc, net = _lattice(make_scenario)
    rows = tuple(
        Assignment("C1", s.index, "route", route=("n31",), note="staging at node n31")
        if s.index == 8 else
        Assignment("C1", s.index, "post", post="P2") if s.index == 12 else
        Assignment("C1", s.index, "grid", grid="W") for s in DAY)
    ctx = DeployContext(scenario=sc, network=net, slots=DAY,
                        posture=cast(Any, SimpleNamespace(assignments=rows)),
                        inputs=cast(Any, None), risk=None, seed=0)
    got, doc = routes_stage(ctx)[:2]
    routes = {(r["unit"], r["slot"]): r for r in cast(list[dict[str, Any]], doc["routes"])}
    assert routes[("C1", 9)]["nodes"][0] == "n31"
    assert routes[("C1", 13)]["nodes"][0] == "n42"  # P2's node
    assert {a.slot for a in got} == {s.index for s in DAY} - {8, 12}
