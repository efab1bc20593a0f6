"""The ingest report says where the kept incidents lie, so that a planner sees a wrong CRS
that no rule can refuse (a state-plane file in feet read as UTM metres lands at sea inside
the zone)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import ingest
from xunfang.intel.ingest import where_said

runner = CliRunner()


def _boston(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    """500 incidents around Boston, written in Massachusetts state-plane US feet."""
    rng = np.random.default_rng(0)
    lon = -71.06 + rng.normal(0, 0.03, 500)
    lat = 42.33 + rng.normal(0, 0.03, 500)
    x, y = Transformer.from_crs(4326, 2249, always_xy=True).transform(lon, lat)
    rows = [f"2024-01-{1 + i // 24:02d} {i % 24:02d}:00,{a:.2f},{b:.2f}"
            for i, (a, b) in enumerate(zip(x, y, strict=True))]
    path = tmp_path / "boston.csv"
    path.write_text("time,X,Y\n" + "\n".join(rows) + "\n")
    return path, lon, lat


def test_the_middle_and_box_are_where_the_incidents_are(tmp_path: Path) -> None:
    path, lon, lat = _boston(tmp_path)
    rep = ingest(path, columns={"time": "time", "x": "X", "y": "Y"}, crs="EPSG:2249").report
    assert rep.middle is not None and rep.box_km is not None
    # the median point, within a few metres of the median of the true positions
    assert rep.middle[0] == pytest.approx(np.median(lon), abs=2e-3)
    assert rep.middle[1] == pytest.approx(np.median(lat), abs=2e-3)
    # the middle 90 % box, counted independently in the stored UTM 19N metres
    ux, uy = Transformer.from_crs(4326, 32619, always_xy=True).transform(lon, lat)
    w = (np.quantile(ux, 0.95) - np.quantile(ux, 0.05)) / 1000
    h = (np.quantile(uy, 0.95) - np.quantile(uy, 0.05)) / 1000
    assert rep.box_km == pytest.approx((w, h), abs=0.01)
    doc = rep.as_json()
    assert doc["middle"]["lat"] == pytest.approx(42.33, abs=0.01) and doc["box_km"]
    said = where_said(rep)
    assert said is not None and "42.3274°N, 71.0615°W" in said


def test_feet_read_as_metres_show_the_wrong_place(tmp_path: Path) -> None:
    """The case no rule refuses: the metre reading lies inside UTM 19N, at sea at 26.6°N.
    The report's place line is how a planner sees it."""
    path, _, _ = _boston(tmp_path)
    out = tmp_path / "st"
    res = runner.invoke(app, ["intel", "ingest", str(path), "--out", str(out), "--columns",
                              "time=time,x=X,y=Y", "--crs", "EPSG:32619", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["middle"]["lat"] == pytest.approx(26.6, abs=0.1)  # not Boston's 42.3
    res = runner.invoke(app, ["intel", "ingest", str(path), "--out", str(out), "--columns",
                              "time=time,x=X,y=Y", "--crs", "EPSG:32619"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "where: the incidents' middle lies at 26.59" in text and "°N, 66.2" in text


def test_a_local_crs_has_a_box_and_no_middle(tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text("time,x,y\n" + "\n".join(
        f"2024-01-01 {h:02d}:00,{1000 + 100 * h},{2000 + 50 * h}" for h in range(21)) + "\n")
    rep = ingest(path, columns={"time": "time", "x": "x", "y": "y"}, crs="local").report
    assert rep.middle is None
    # x from 1,000 to 3,000 m: its 5th to 95th percentile 1,100 to 2,900 m
    assert rep.box_km == pytest.approx((1.8, 0.9))
    said = where_said(rep)
    assert said is not None and said.startswith("90% of them lie within 1.8 km")


def test_evaluate_says_where_the_file_lies(tmp_path: Path) -> None:
    path, _, _ = _boston(tmp_path)
    res = runner.invoke(app, ["intel", "evaluate", str(path), "--columns",
                              "time=time,x=X,y=Y", "--crs", "EPSG:2249", "--methods", "naive",
                              "--train-days", "7", "--test-from", "2024-01-15", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["read"]["middle"]["lat"] == pytest.approx(42.33, abs=0.01)
