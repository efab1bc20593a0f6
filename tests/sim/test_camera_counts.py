"""The video desk's detections and the counts that explain them: incidents near a watched
camera (``camera_near_watched``), in one of its views while unfolding (``camera_in_view``),
called in by the desk (``camera_detected``). Both engines.

a(0,0) b(400,0) c(400,300) d(0,300) e(800,0); the camera c1 stands at b.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.sim.test_air import _plan
from tests.sim.test_engine import DAY, FIXED, Make, incidents
from xunfang.network import RoadNetwork
from xunfang.plan import CameraView
from xunfang.sim import evaluate, simulate

ENGINES = ["compiled", "python"]
# the desk looks at c1 for 2 minutes every 30 (as the default plan's 2-minute views)
VIEWS = tuple(CameraView(operator=0, camera="c1", start=float(m), minutes=2.0)
              for m in range(0, 1440, 30))


@pytest.mark.parametrize("engine", ENGINES)
def test_an_incident_in_a_watched_view_with_a_long_delay_is_detected(make_scenario: Make,
                                                                      engine: str) -> None:
    sc, plan = _plan(make_scenario, views=VIEWS)
    net = RoadNetwork.from_scenario(sc)
    # at b: 10 (seen at 30? no: visible 10-15, views 0-2 and 30-32: missed), 29 (seen at
    # 30), 61 (seen at once, in the view 60-62), 200 at d (500 m off: never seen)
    inc = incidents([(10.0, "b", "x", 2), (29.0, "b", "x", 2), (61.0, "b", "x", 2),
                     (200.0, "d", "x", 2)])
    cfg = replace(FIXED, engine=engine, report_delay_minutes=60.0,
                  camera_detect_probability=1.0, camera_detect_minutes=1.0)
    for seed in range(5):  # p = 1 and an hour's delay: detected whatever the draws
        res = simulate(sc, net, plan, inc, start=DAY, days=1, seed=seed, config=cfg)
        log = res.logs[0]
        assert log.inc_detected.tolist() == [False, True, True, False]
        assert log.inc_call[1:3].tolist() == pytest.approx([31.0, 62.0])
        k = evaluate(res)
        assert (k.counts["camera_near_watched"], k.counts["camera_in_view"],
                k.counts["camera_detected"]) == (3, 2, 2)
        assert k.summary["camera_detected_share"] == pytest.approx(0.5)


def test_in_view_is_counted_even_when_the_citizen_calls_first(make_scenario: Make) -> None:
    # no reporting delay: the citizen always calls first, the desk calls in nothing, yet the
    # incident was in view (the count says why the share is 0: not for want of a view)
    sc, plan = _plan(make_scenario, views=VIEWS)
    net = RoadNetwork.from_scenario(sc)
    res = simulate(sc, net, plan, incidents([(61.0, "b", "x", 2)]), start=DAY, days=1,
                   seed=0, config=replace(FIXED, camera_detect_probability=1.0))
    k = evaluate(res)
    assert (k.counts["camera_near_watched"], k.counts["camera_in_view"],
            k.counts["camera_detected"]) == (1, 1, 0)
    assert k.summary["camera_detected_share"] == 0.0
