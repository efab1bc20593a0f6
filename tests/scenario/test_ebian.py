"""The built-in county seat has exactly the article's structure (DESIGN.md, opening paragraph)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from xunfang import network, scenario
from xunfang.cli.main import app
from xunfang.scenario import Scenario


@pytest.fixture(scope="module")
def ebian() -> Scenario:
    return scenario.load("ebian")


def test_ebian_is_listed_and_loads_clean() -> None:
    assert "ebian" in scenario.builtin_names()
    result = scenario.check("ebian")
    assert result.problems == ()
    assert result.scenario is not None and result.scenario.source == "builtin:ebian"


def test_article_structure(ebian: Scenario) -> None:
    c = scenario.counts(ebian)
    assert (c["zones"], c["lines"], c["grids"]) == (3, 5, 7)  # 3 巡防区, 5 必巡线, 7 防控网格
    posts = c["posts_by_kind"]
    assert isinstance(posts, dict)
    assert posts["station"] == 2 and posts["rapid"] == 1 and posts["standby"] == 1
    assert posts["police_station"] == 7
    assert posts["checkpoint"] >= 3 and c["night_checkpoints"] == 2
    assert {a.level for a in ebian.areas_of("ring")} == {1, 2, 3}
    assert set(Counter(s.tier for s in ebian.sites)) == {1, 2, 3}
    special = Counter(u.mode for u in ebian.units if u.tier == "special")
    assert special == {"car": 3, "motorcycle": 6, "balance": 4, "drone": 2}
    assert {u.tier for u in ebian.units} == {"special", "precinct", "auxiliary", "armed"}


def test_brigade_people(ebian: Scenario) -> None:
    brigade = [p for p in ebian.people if p.extra.get("tier") == "special"]  # an extra column
    roles = Counter(p.role for p in brigade)
    assert roles["police"] == 3 and roles["auxiliary"] == 30
    assert len({p.team for p in brigade if p.role == "auxiliary"}) == 4  # 四班三运转


def test_town_geometry(ebian: Scenario) -> None:
    r = ebian.roads
    assert 250 <= r.n_nodes <= 500  # a few hundred intersections
    town = [a.geometry for a in ebian.areas_of("zone")]
    minx = min(g.bounds[0] for g in town)
    maxx = max(g.bounds[2] for g in town)
    assert ebian.crs.working == "EPSG:32648"
    assert maxx - minx > 2000
    net = network.RoadNetwork.from_scenario(ebian)
    comps = network.components(net, mode="car")
    # one piece for cars: every node on a drivable road is in the largest component
    car_classes = set(r.road_class) - set(ebian.policy.excluded_classes["car"])
    on_car_road = np.zeros(r.n_nodes, bool)
    drivable = np.array([c in car_classes for c in r.road_class])
    on_car_road[r.u[drivable]] = on_car_road[r.v[drivable]] = True
    assert np.all(comps.label[on_car_road] == 0)  # component 0 is the largest


def test_two_years_of_incidents(ebian: Scenario) -> None:
    t = ebian.incidents.time
    span_days = (t.max() - t.min()).astype("timedelta64[D]").astype(int)
    assert span_days >= 2 * 365 - 2
    per_day = len(t) / span_days
    assert 4 <= per_day <= 15
    hours = (t.astype("datetime64[h]") - t.astype("datetime64[D]")).astype(int)
    by_hour = np.bincount(hours, minlength=24)
    assert by_hour[20] > 2 * by_hour[4]  # evenings busier than the small hours


def test_scenario_check_cli_shows_the_article_counts() -> None:
    r = CliRunner().invoke(app, ["scenario", "check", "ebian", "--json"])
    assert r.exit_code == 0
    c = json.loads(r.stdout)["counts"]
    assert c["zones"] == 3 and c["grids"] == 7 and c["lines"] == 5
    assert c["units_by_tier_mode"]["special"] == {"balance": 4, "car": 3, "drone": 2,
                                                  "motorcycle": 6}


def test_plan_ebian(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    r = CliRunner().invoke(app, ["plan", "--out", str(out), "--from", "2026-12-01",
                                 "--days", "7", "--seed", "5"])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["scenario"]["name"] == "ebian"
    assert len(doc["plan"]["slots"]) == 7 * 24
    car = doc["stages"]["isochrones"]["car"]
    assert car["share_of_nodes_within"]["5"] > 0.9
    slots = doc["stages"]["rings"]["slots"]
    assert len(slots) == 7 * 24
    evening = slots[18]
    assert evening["start"] == "2026-12-01T18:00" and evening["blockade"]["unsealed"] == []
    assert 0 < evening["weighted_share_within_target"]["incidents"] <= 1
    staging = evening["staging"]
    assert staging["status"] == "optimal" and staging["units"] == 13
    assert 1 <= len(staging["nodes"]) <= staging["units"]
    # peak-hour speeds are slower: 18:00 is not better covered than 03:00
    assert evening["share_within_target"] <= slots[3]["share_within_target"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "巡防勤务方案" in html and "合成" in html  # Chinese by default, says it is synthetic
