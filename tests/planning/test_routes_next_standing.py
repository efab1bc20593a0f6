"""A patrol route ends where its unit stands next: at the staging node (动中备勤), the post or
the site of the slot after it, by the slot's end. On the county's plans 38-55 routes a day
ended where the unit's next post was out of reach in the time the route left: the unit
"jumped" from the route's end to its post."""

from __future__ import annotations

from xunfang.planning.routes import UnitSlotRoute, plan_routes

from .test_routes import DAY
from .test_routes_standing import Make, _lattice, c1_staged


def _ends_at(r: UnitSlotRoute, node: str, by: float) -> None:
    last = r.legs[-1]
    assert r.nodes[-1] == node, (r.nodes, node)
    assert last.end <= by + 1e-6, (last, by)


def test_a_route_ends_where_the_unit_stands_next(make_scenario: Make) -> None:
    # C1 patrols W but stages at n41 (in E) 08:00-10:00 and at n11 (in W) at 14:00: its
    # 07:00 route ends at n41 by 08:00, its 13:00 route at n11 by 14:00 (its natural end,
    # without the next slot's node, is elsewhere: see below)
    sc, net = _lattice(make_scenario)
    posture, standing = c1_staged()
    rp = plan_routes(sc, net, DAY, posture, seed=1, standing=standing)
    _ends_at(rp.routes[("C1", 7)], "n41", 480.0)
    _ends_at(rp.routes[("C1", 13)], "n11", 840.0)
    # the drive to n41 (outside W) is a transit that arrives as the slot ends: the unit
    # waits in its grid, not at its next post, until it must leave
    last = rp.routes[("C1", 7)].legs[-1]
    assert last.kind == "transit" and abs(last.minutes[-1] - 480.0) < 1e-6, last
    assert rp.routes[("C1", 7)].legs[-2].nodes[-1] in {n for n in net.node_ids
                                                       if n.startswith(("n0", "n1", "n2"))}
    # the routes after the standing slots start where the unit stood (as before)
    assert rp.routes[("C1", 10)].legs[0].nodes[0] == "n41"
    assert rp.routes[("C1", 15)].legs[0].nodes[0] == "n11"
    # every interval the plan without the seam met is met with it
    free = plan_routes(sc, net, DAY, posture, seed=1)
    assert {s.site for s in rp.sites if s.met} >= {s.site for s in free.sites if s.met}
    assert {x.line for x in rp.lines if x.met} >= {x.line for x in free.lines if x.met}
    # without the next slot's node the routes end elsewhere (what the test guards)
    loose = plan_routes(sc, net, DAY, posture, seed=1,
                        standing={k: v for k, v in standing.items() if k[1] != 8})
    assert loose.routes[("C1", 7)].nodes[-1] != "n41"


def test_the_slot_after_the_last_is_the_first(make_scenario: Make) -> None:
    # the plan repeats: C1 staging at n31 at 00:00 ends its 23:00 route there by midnight
    sc, net = _lattice(make_scenario)
    posture = {("C1", s.index): "W" for s in DAY if s.index != 0}
    rp = plan_routes(sc, net, DAY, posture, seed=1, standing={("C1", 0): "n31"})
    _ends_at(rp.routes[("C1", 23)], "n31", 1440.0)
    assert rp.routes[("C1", 1)].legs[0].nodes[0] == "n31"


def test_the_last_route_ends_where_the_first_begins(make_scenario: Make) -> None:
    # C1 stages at n41 at 12:00 and patrols W otherwise: its 23:00 route ends where its
    # 00:00 route begins (the next day's first route carries on from there)
    sc, net = _lattice(make_scenario)
    posture = {("C1", s.index): "W" for s in DAY if s.index != 12}
    posture.update({("C2", s.index): "E" for s in DAY})
    rp = plan_routes(sc, net, DAY, posture, seed=3, standing={("C1", 12): "n41"})
    for u in ("C1", "C2"):
        _ends_at(rp.routes[(u, 23)], rp.routes[(u, 0)].nodes[0], 1440.0)
