"""/api/risk under scenario.toml's risk_categories: the incidents the centre stores count by
their category, as the record's do."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from xunfang.scenario.model import Scenario

from .conftest import Env


def _centre_point(sc: Scenario, grid: str) -> tuple[float, float]:
    area = next(a for a in sc.areas_of("grid") if a.id == grid)
    x, y = shapely.get_coordinates(shapely.point_on_surface(area.geometry))[0]
    lon, lat = Transformer.from_crs(sc.crs.working, "EPSG:4326", always_xy=True).transform(x, y)
    return float(lon), float(lat)


def _import(e: Env, rows: list[str]) -> dict[str, Any]:
    files = {"file": ("more.csv", io.BytesIO("\n".join(rows).encode()), "text/csv")}
    r = e.login("planner").post("/api/incidents/import", files=files)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_risk_counts_the_stored_incidents_of_risk_categories_only(
        new_env: Callable[..., Env]) -> None:
    """A review: /api/risk counted every stored incident whatever scenario.toml's
    risk_categories, and the record's own incidents of other categories stored again were
    new to it (the duplicate guard saw the selected ones only): the county's expected total
    went from 2.74 to 6.88. The stored incidents carry their category now."""
    e = new_env()
    sc = e.scenario
    kept = "盗窃"
    other = next(c for c in sorted(set(sc.incidents.category)) if c != kept)
    e.centre.scenario = replace(sc, risk_categories=(f" {kept} ",))
    viewer = e.login("viewer")
    params = {"from": "2026-12-01", "method": "naive"}
    before = viewer.get("/api/risk", params=params).json()
    assert before["incidents"]["stored"] == 0
    lon, lat = _centre_point(sc, "G7")
    rows = ["id,time,lon,lat,category"]
    rows += [f"web{k},2025-12-{20 + k % 10:02d} 1{k % 10}:00,{lon:.6f},{lat:.6f},"
             f"{kept if k % 2 else other}" for k in range(60)]
    # the record's own incidents of the other category, stored again: not new
    theirs = [i for i, c in zip(sc.incidents.ids, sc.incidents.category, strict=True)
              if c == other][-20:]
    rows += [f"{i},2025-12-30 10:00,{lon:.6f},{lat:.6f},{other}" for i in theirs]
    assert _import(e, rows)["stored"] == 80
    after = viewer.get("/api/risk", params=params).json()
    assert after["incidents"]["stored"] == 30  # the 30 of the category counted, no other
    total = float(np.sum(after["risk"])) - float(np.sum(before["risk"]))
    assert 0 < total < float(np.sum(before["risk"]))
    assert after["categories"] == [kept]  # what it counted, as the plan says it
