"""GET /api/risk says truly how many of the centre's stored incidents its forecast learnt from:
those after the record's end, too few to move it, are counted and said left out."""

from __future__ import annotations

import io

from .conftest import Env
from .test_risk_categories_api import _centre_point


def test_stored_incidents_after_the_record_end_are_said_left_out(env: Env) -> None:
    """A review: 60 incidents of November 2026 imported into G7, and /api/risk from
    2026-12-01 said "stored: 60" while it was made as of the record's end, 2026-01-01, G7
    unchanged and nothing said of the 60."""
    sc = env.scenario
    viewer = env.login("viewer")
    params = {"from": "2026-12-01", "method": "naive"}
    before = viewer.get("/api/risk", params=params).json()
    lon, lat = _centre_point(sc, "G7")
    rows = ["id,time,lon,lat,category"]
    rows += [f"nov{k},2026-11-{1 + k % 28:02d} 1{k % 10}:00,{lon:.6f},{lat:.6f},theft"
             for k in range(60)]
    # and 5 of the record's last days, which the window holds
    rows += [f"dec{k},2025-12-2{k} 10:00,{lon:.6f},{lat:.6f},theft" for k in range(5)]
    files = {"file": ("more.csv", io.BytesIO("\n".join(rows).encode()), "text/csv")}
    r = env.login("planner").post("/api/incidents/import", files=files)
    assert r.status_code == 200, r.text
    doc = viewer.get("/api/risk", params=params).json()
    assert doc["trained_to"] == "2026-01-01" == before["trained_to"]
    counts = doc["incidents"]
    assert counts["stored"] == 65 and counts["stored_used"] == 5
    assert counts["stored_after_record_end"] == 60 and "stored_before_window" not in counts
    said = counts["window_note"]
    assert "60 of the 65 stored incidents are left out" in said and "2026-01-01" in said
    # a window that starts after the December ones leaves them out too, and says why
    doc = viewer.get("/api/risk", params={**params, "train_days": 3}).json()
    counts = doc["incidents"]
    assert counts["stored_used"] == 0 and counts["stored_before_window"] == 5
    assert "train_days" in counts["window_note"]
