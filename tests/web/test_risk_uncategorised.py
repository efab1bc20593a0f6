"""Incidents imported without a category under scenario.toml risk_categories: stored, and
said not to count, at the import and at /api/risk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .conftest import Env
from .test_risk_categories_api import _centre_point, _import


def test_uncategorised_imports_are_said_to_be_left_out(new_env: Callable[..., Env]) -> None:
    """A review: 40 rows without a category column answered "stored: 40", and /api/risk
    counted 0 of them ({record: 6325, stored: 0}) with no note."""
    e = new_env()
    sc = e.scenario
    e.centre.scenario = replace(sc, risk_categories=("盗窃",))
    viewer = e.login("viewer")
    params = {"from": "2026-12-01", "method": "naive"}
    before = viewer.get("/api/risk", params=params).json()
    assert "note" not in before["incidents"]
    lon, lat = _centre_point(sc, "G7")
    rows = ["id,time,lon,lat"] + [f"w{k},2025-12-2{k % 10} 10:00,{lon:.6f},{lat:.6f}"
                                  for k in range(40)]
    got = _import(e, rows)
    assert got["stored"] == 40
    said = " ".join(got["notes"])
    assert "40 incidents have no category" in said and "risk_categories (盗窃)" in said, said
    after = viewer.get("/api/risk", params=params)
    assert after.status_code == 200, after.text
    counts = after.json()["incidents"]
    assert counts["stored"] == 0
    assert counts["note"].startswith("40 of the 40 stored incidents are left out")
    assert "40 of them without a category" in counts["note"]
    assert "risk_categories (盗窃)" in counts["note"]
    # rows of the category: counted, and nothing more said of them
    more = ["id,time,lon,lat,category"] + [f"t{k},2025-12-2{k % 10} 11:00,{lon:.6f},"
                                           f"{lat:.6f},盗窃" for k in range(5)]
    assert not any("risk_categories" in n for n in _import(e, more)["notes"])
    again = viewer.get("/api/risk", params=params).json()["incidents"]
    assert again["stored"] == 5 and again["note"].startswith("40 of the 45 stored")
