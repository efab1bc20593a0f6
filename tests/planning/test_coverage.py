"""The 1-3-5 rings on a hand-solved town of five nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from xunfang import network, scenario
from xunfang.planning import coverage
from xunfang.planning.coverage import CoverageError, analyze
from xunfang.planning.pipeline import PlanRequest, build_plan

Make = Callable[..., Path]

# Roads have no class: the default 30 km/h applies (500 m a minute by car, 83.3 m on foot).
# a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a ; b -400- e(800,0)
KIOSK = "id,name,kind,node\np1,Station one,station,a\ng1,East gate,exit,e\nk1,Kiosk,kiosk,e\n"


def ring(level: int, x1: float) -> dict[str, object]:
    coords = [[-1, -1], [x1, -1], [x1, 301], [-1, 301], [-1, -1]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [coords]},
            "properties": {"kind": "ring", "id": f"r{level}", "level": level}}


def test_minutes_from_the_station(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario())
    net = network.RoadNetwork.from_scenario(sc)
    car = analyze(sc, net, mode="car")
    by_node = dict(zip(sc.roads.node_ids, car.minutes.tolist(), strict=True))
    assert by_node == pytest.approx({"a": 0.0, "b": 0.8, "c": 1.4, "d": 0.6, "e": 1.6})
    assert car.sources == ("p1",)  # the exit is never a source
    assert coverage.bands_of(car.minutes, (1, 3, 5)).tolist() == [0, 0, 1, 0, 1]
    assert car.backup.tolist() == [-1] * 5 and np.all(np.isinf(car.backup_minutes))
    # no rings: every node is held to the general (level 3) target of 5 minutes
    assert car.target.tolist() == [5.0] * 5 and car.share() == 1.0
    foot = analyze(sc, net, mode="foot")
    assert foot.minutes.tolist() == pytest.approx([0, 4.8, 8.4, 3.6, 9.6])
    assert foot.uncovered == ("c", "e")
    assert foot.worst() == ("e", pytest.approx(9.6))
    peak = analyze(sc, net, mode="car", hour=8)  # factor 0.7 at 08:00 by default
    np.testing.assert_allclose(peak.minutes, car.minutes / 0.7)


def test_backup_post_and_one_target(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"posts.csv": KIOSK}))
    cov = analyze(sc, network.RoadNetwork.from_scenario(sc), target_minutes=1.0)
    # b and c are as near to the kiosk as to the station: ties go to the first source
    assert [cov.sources[i] for i in cov.post] == ["p1", "p1", "p1", "p1", "k1"]
    assert cov.minutes.tolist() == pytest.approx([0.0, 0.8, 1.4, 0.6, 0.0])
    assert [cov.sources[i] for i in cov.backup] == ["k1", "k1", "k1", "k1", "p1"]
    assert cov.backup_minutes.tolist() == pytest.approx([1.6, 0.8, 1.4, 2.2, 1.6])
    assert cov.uncovered == ("c",)
    doc = coverage.as_json(cov)
    assert doc["target_minutes"] == 1.0 and doc["uncovered"] == ["c"]
    assert doc["nodes"][2] == {"node": "c", "post": "p1", "minutes": 1.4, "target": 1.0,
                               "backup_post": "k1", "backup_minutes": 1.4}
    assert doc["worst"] == {"node": "c", "minutes": 1.4}


def test_sites_against_their_tier_target(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "sites.csv": "id,name,kind,tier,node\ns1,School,school,1,c\ns2,Bank,bank,2,e\n",
    }))
    cov = analyze(sc, network.RoadNetwork.from_scenario(sc))
    assert cov.site_minutes().tolist() == pytest.approx([1.4, 1.6])
    assert cov.site_target.tolist() == [1.0, 3.0]
    assert cov.site_meets().tolist() == [False, True]


def test_ring_levels_set_node_targets(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"areas.geojson": json.dumps(
        {"type": "FeatureCollection", "features": [ring(3, 801), ring(1, 1)]})}))
    cov = analyze(sc, network.RoadNetwork.from_scenario(sc))
    assert cov.level.tolist() == [1, 3, 3, 1, 3]
    assert cov.target.tolist() == [1.0, 5.0, 5.0, 1.0, 5.0]
    assert cov.share(mask=cov.level == 1) == 1.0
    shares = coverage.area_shares(sc, cov)
    assert shares["ring:r1"] == {"share": 1.0, "nodes": 2}


def test_unreachable_nodes_are_named(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nz,9000,0\n",
        "network/edges.csv": "u,v\na,b\n",
        "posts.csv": "id,name,kind,node\np1,S,station,a\n",
    }))
    cov = analyze(sc, network.RoadNetwork.from_scenario(sc))
    assert cov.unreachable == ("z",) and "z" in cov.uncovered
    assert coverage.as_json(cov)["nodes"][2]["minutes"] is None


def test_night_only_checkpoints_are_sources_at_night_only(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"posts.csv": (
        "id,name,kind,node,night_only\np1,S,station,a,0\nc1,Night check,checkpoint,e,1\n")}))
    net = network.RoadNetwork.from_scenario(sc)
    kinds = ("station", "checkpoint")
    assert analyze(sc, net, kinds=kinds, hour=14).sources == ("p1",)
    assert analyze(sc, net, kinds=kinds, hour=23).sources == ("p1", "c1")


def test_uniform_speed(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario())
    net = coverage.with_uniform_speed(network.RoadNetwork.from_scenario(sc), 60.0, mode="car")
    cov = analyze(sc, net, hour=8)  # no peak factors at a uniform speed
    assert cov.minutes.tolist() == pytest.approx([0.0, 0.4, 0.7, 0.3, 0.8])
    with pytest.raises(CoverageError, match="--speed-kph must be a positive"):
        coverage.with_uniform_speed(net, 0.0, mode="car")


def test_option_errors_list_the_valid_values(make_scenario: Make) -> None:
    with pytest.raises(CoverageError,
                       match=r"'exit' \(exit posts are never sources\); valid: station"):
        coverage.check_kinds(["station", "exit"])
    with pytest.raises(CoverageError, match="unknown mode 'tank'; valid: car"):
        coverage.check_mode("tank")
    sc = scenario.load(make_scenario({"posts.csv": "id,name,kind,node\ng1,Gate,exit,e\n"}))
    with pytest.raises(CoverageError, match="no source posts of kinds station"):
        analyze(sc, network.RoadNetwork.from_scenario(sc))
    # the pipeline still plans, and says why the rings were skipped
    result = build_plan(sc, PlanRequest(start=date(2026, 1, 1)))
    assert "skipped" in result.stages["rings"]


def test_rings_by_slot_in_the_plan(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"posts.csv": KIOSK}))
    result = build_plan(sc, PlanRequest(start=date(2026, 1, 1), days=1))
    rings = result.stages["rings"]
    assert isinstance(rings, dict)
    slots = rings["slots"]
    assert len(slots) == 24
    assert slots[8]["share_within_target"] == 1.0
    # the only exit is at the kiosk: sealed at once, in every slot
    assert slots[8]["blockade"] == {"max_minutes": 0.0, "total_minutes": 0.0, "unsealed": []}


def test_plan_request_validation() -> None:
    with pytest.raises(ValueError, match="days must be at least 1, got 0"):
        PlanRequest(start=date(2026, 1, 1), days=0)
    for bad in (-1, 2**31):  # CP-SAT, the roster's solver, takes a 32-bit seed
        with pytest.raises(ValueError, match=r"seed must be from 0 to 2147483647 \(the "
                                             r"roster's solver, CP-SAT, takes no larger one\)"):
            PlanRequest(start=date(2026, 1, 1), seed=bad)
    assert PlanRequest(start=date(2026, 1, 1), seed=2**31 - 1).seed == 2**31 - 1


def test_the_plans_staging_points_are_nodes_a_car_reaches() -> None:
    """A review: the rings' staging points proposed n227, reached only by a flight of steps
    (plan.json listed it among the nodes unreachable by car), for the county's cars."""
    from xunfang.planning import coverage as C
    from xunfang.planning.pipeline import _staging

    sc = scenario.load("ebian")
    net = network.RoadNetwork.from_scenario(sc)
    cov = C.analyze(sc, net, mode="car", hour=10)
    assert "n227" in cov.unreachable
    reachable = [n for n, m in zip(cov.node_ids, cov.minutes.tolist(), strict=True)
                 if np.isfinite(m)]
    got = _staging(sc, net, 10, C.incident_weights(sc, net), reachable=reachable)
    nodes = got["nodes"]
    # (the posts already cover every node a car reaches twice: n227 had been added to cover
    # itself, the one node they do not reach)
    assert got["status"] == "optimal" and not set(nodes) & set(cov.unreachable), got  # type: ignore[arg-type]
