"""POST /api/incidents/import reads an export's times on the clock scenario.toml's
source_timezone names, as the scenario's own incidents.csv is read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .conftest import Env
from .test_risk_categories_api import _centre_point, _import


def test_an_import_reads_its_times_on_scenario_source_timezone(
        new_env: Callable[..., Env]) -> None:
    """A review: POST /api/incidents/import read a UTC export (scenario.toml
    source_timezone = "UTC") as local time, 8 h off in Asia/Shanghai; incidents.csv is read
    by it, and so is an import now."""
    e = new_env()
    e.centre.scenario = replace(e.scenario, source_timezone="UTC")
    lon, lat = _centre_point(e.scenario, "G7")
    _import(e, ["id,time,lon,lat,category", f"utc1,2025-12-20 10:00,{lon:.6f},{lat:.6f},theft"])
    rows = e.login("viewer").get("/api/incidents").json()["incidents"]
    assert next(r for r in rows if r["ext_id"] == "utc1")["time"] == "2025-12-20T18:00:00+08:00"
    # a scenario without it: the times as written, on the scenario's clock
    plain = new_env()
    _import(plain, ["id,time,lon,lat,category",
                    f"loc1,2025-12-20 10:00,{lon:.6f},{lat:.6f},theft"])
    rows = plain.login("viewer").get("/api/incidents").json()["incidents"]
    assert next(r for r in rows if r["ext_id"] == "loc1")["time"] == "2025-12-20T10:00:00+08:00"
