"""Travel time from the staffed posts, on a hand-solved town of five nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from xunfang import network, scenario
from xunfang.planning.access import travel_from_posts
from xunfang.planning.pipeline import PlanRequest, build_plan

Make = Callable[..., Path]

# Roads have no class: the default 30 km/h applies (500 m a minute by car, 83.3 m on foot).
# a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a ; b -400- e(800,0)


def test_minutes_from_the_station(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario())
    net = network.RoadNetwork.from_scenario(sc)
    car = travel_from_posts(sc, net, mode="car")
    by_node = dict(zip(sc.roads.node_ids, car.minutes.tolist(), strict=True))
    assert by_node == pytest.approx({"a": 0.0, "b": 0.8, "c": 1.4, "d": 0.6, "e": 1.6})
    assert car.posts == ("p1",)  # the exit is not a source
    assert car.band_of_node.tolist() == [0, 0, 1, 0, 1]  # 1-minute band, then 3-minute
    assert car.share_within(1.0) == pytest.approx(0.6)
    foot = travel_from_posts(sc, net, mode="foot")
    assert foot.minutes.tolist() == pytest.approx([0, 4.8, 8.4, 3.6, 9.6])
    peak = travel_from_posts(sc, net, mode="car", hour=8)  # factor 0.7 at 08:00 by default
    np.testing.assert_allclose(peak.minutes, car.minutes / 0.7)


def test_sites_against_their_tier_target(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({
        "sites.csv": "id,name,kind,tier,node\ns1,School,school,1,c\ns2,Bank,bank,2,e\n",
    }))
    acc = travel_from_posts(sc, network.RoadNetwork.from_scenario(sc))
    assert acc.site_minutes == pytest.approx({"s1": 1.4, "s2": 1.6})
    assert acc.site_targets == {"s1": 1.0, "s2": 3.0}
    assert acc.summary()["sites_within_target"] == 1


def test_ring_levels_pick_the_innermost(make_scenario: Make) -> None:
    def ring(level: int, x1: float) -> dict[str, object]:
        coords = [[-1, -1], [x1, -1], [x1, 301], [-1, 301], [-1, -1]]
        return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [coords]},
                "properties": {"kind": "ring", "id": f"r{level}", "level": level}}

    sc = scenario.load(make_scenario({"areas.geojson": json.dumps(
        {"type": "FeatureCollection", "features": [ring(3, 801), ring(1, 1)]})}))
    acc = travel_from_posts(sc, network.RoadNetwork.from_scenario(sc))
    assert acc.node_ring_level.tolist() == [1, 3, 3, 1, 3]
    assert acc.share_within(1.0, level=1) == 1.0
    assert acc.share_within(1.0, level=3) == pytest.approx(1 / 3)
    assert np.isnan(acc.share_within(1.0, level=2))


def test_no_staffed_posts_is_an_error_naming_the_kinds(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({"posts.csv": "id,name,kind,node\ng1,Gate,exit,e\n"}))
    with pytest.raises(ValueError, match="no posts of kinds station, rapid"):
        travel_from_posts(sc, network.RoadNetwork.from_scenario(sc))
    # the pipeline still plans, and says why the measurement was skipped
    result = build_plan(sc, PlanRequest(start=date(2026, 1, 1)))
    assert "skipped" in result.stages["access"]


def test_plan_request_validation() -> None:
    with pytest.raises(ValueError, match="days must be at least 1, got 0"):
        PlanRequest(start=date(2026, 1, 1), days=0)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        PlanRequest(start=date(2026, 1, 1), seed=-1)
