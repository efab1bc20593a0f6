"""Siting candidates a mode can use, and posts staffed at every hour (a review of the rings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from xunfang import network, scenario
from xunfang.planning import coverage
from xunfang.planning.coverage import CoverageError

Make = Callable[..., Path]
STEPS = {
    "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\ne,800,0\nf,800,100\n",
    "network/edges.csv": "u,v,class\na,b,\nb,c,\nc,d,\nd,a,\nb,e,\ne,f,steps\n",
}


def ids(net: network.RoadNetwork, idx: Iterable[int]) -> set[str]:
    return {net.node_ids[int(i)] for i in idx}


def test_usable_nodes_leave_out_what_only_steps_reach(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario(STEPS))
    net = network.RoadNetwork.from_scenario(sc)
    assert ids(net, coverage.usable_nodes(sc, net, mode="car")) == set("abcde")
    assert ids(net, coverage.usable_nodes(sc, net, mode="foot")) == set("abcdef")
    # without posts: the nodes on a road the mode may use
    bare = scenario.load(make_scenario({**STEPS, "posts.csv": None}, name="bare"))
    assert ids(net, coverage.usable_nodes(bare, net, mode="car")) == set("abcde")
    res = coverage.site_posts(bare, net, model="mclp", p=2, target_minutes=0.7)
    assert "f" not in (res.added_ids or ()) and res.uncoverable_ids == ("f",)


def test_staffed_posts_all_day_leaves_night_only_posts_out(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"posts.csv": (
        "id,name,kind,node,night_only\np1,S,station,a,0\nc1,Night check,checkpoint,e,1\n")}))
    kinds = ("station", "checkpoint")
    assert [p.id for p in sc.staffed_posts(kinds)] == ["p1", "c1"]  # unchanged default
    assert [p.id for p in sc.staffed_posts(kinds, all_day=True)] == ["p1"]
    assert [p.id for p in sc.staffed_posts(kinds, hour=23, all_day=True)] == ["p1", "c1"]
    assert [p.id for p in sc.staffed_posts(kinds, hour=12)] == ["p1"]
    net = network.RoadNetwork.from_scenario(sc)
    cov = coverage.analyze(sc, net, kinds=kinds)
    assert cov.sources == ("p1",) and cov.night_only_out == ("c1",)
    with pytest.raises(CoverageError, match=r"night-only post\(s\) c1 are staffed at hours "
                                            r"20–5 only"):
        coverage.analyze(sc, net, kinds=("checkpoint",), hour=12)


def test_site_posts_rejects_a_repeated_candidate(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario())
    net = network.RoadNetwork.from_scenario(sc)
    with pytest.raises(CoverageError, match="--candidates: node 'b' is listed more than once"):
        coverage.site_posts(sc, net, model="lscp", candidates=["b", "c", "b"])
