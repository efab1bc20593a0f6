"""GET /api/risk: the forecast of the centre's grids, as `xunfang intel forecast SCENARIO`
makes it, with the incidents the centre has imported or taken since."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from xunfang.intel import Slots
from xunfang.intel.stage import grid_forecast

from .conftest import Env


def test_risk_of_the_grids_with_the_centres_own_incidents(env: Env) -> None:
    sc = env.scenario
    viewer = env.login("viewer")
    r = viewer.get("/api/risk", params={"from": "2026-12-01", "method": "naive"})
    assert r.status_code == 200, r.text
    doc = r.json()
    own = grid_forecast(sc, start=date(2026, 12, 1), method="naive").forecast
    assert doc["units"] == list(own.units.ids) and doc["unit_kind"] == "grids"
    np.testing.assert_allclose(np.asarray(doc["risk"]).sum(axis=1), own.risk.sum(axis=(0, 2)),
                               atol=1e-5)
    assert doc["details"]["as_of"] == "2026-01-01"  # the county's record ends in 2025
    assert doc["incidents"] == {"record": len(sc.incidents), "stored": 0}
    assert doc["tz"] == "Asia/Shanghai" and len(doc["slots"]) == 24
    assert "check" not in doc
    checked = viewer.get("/api/risk", params={"from": "2026-12-01", "method": "decay",
                                              "check": "true"}).json()
    assert checked["check"]["first"] == "2025-12-04" and [
        r["method"] for r in checked["check"]["rows"]] == ["decay", "naive"]
    g7 = doc["units"].index("G7")

    def level(doc: dict[str, Any]) -> float:  # G7's day without its weekday and season
        d = doc["details"]
        return float(np.sum(doc["risk"][g7])) / d["weekday_factor"][1] / d["season_factor"][0]

    before = level(doc)
    # 60 incidents imported into the quietest grid, in the record's last days, and one the
    # record holds already (its id): the 60 count, the copy does not
    area = next(a for a in sc.areas_of("grid") if a.id == "G7")
    x, y = shapely.get_coordinates(shapely.point_on_surface(area.geometry))[0]
    lon, lat = Transformer.from_crs(sc.crs.working, "EPSG:4326", always_xy=True).transform(x, y)
    rows = ["id,time,lon,lat,category"]
    rows += [f"web{k},2025-12-{20 + k % 10:02d} 1{k % 10}:00,{lon:.6f},{lat:.6f},theft"
             for k in range(60)]
    rows.append(f"{sc.incidents.ids[-1]},2025-12-31 22:15,{lon:.6f},{lat:.6f},theft")
    files = {"file": ("more.csv", io.BytesIO("\n".join(rows).encode()), "text/csv")}
    r = env.login("planner").post("/api/incidents/import", files=files)
    assert r.status_code == 200, r.text
    doc = viewer.get("/api/risk", params={"from": "2026-12-01", "method": "naive"}).json()
    assert doc["incidents"]["stored"] == 60
    assert level(doc) - before == pytest.approx(60 / 365, rel=0.05)
    # one incident reported this week, after the record's last: the record still ends in
    # 2025 (the gap before it read as eleven quiet months: 0.56 a day instead of 8.1)
    late = io.BytesIO(f"id,time,lon,lat\nnow1,2026-11-30 09:00,{lon:.6f},{lat:.6f}\n".encode())
    r = env.login("planner").post("/api/incidents/import",
                                  files={"file": ("late.csv", late, "text/csv")})
    assert r.status_code == 200, r.text
    doc = viewer.get("/api/risk", params={"from": "2026-12-01", "method": "naive"}).json()
    assert doc["details"]["as_of"] == "2026-01-01" and doc["incidents"]["stored"] == 61
    assert float(np.sum(doc["risk"])) > 5
    # shifts of the scenario's policy, several days
    doc = viewer.get("/api/risk", params={"from": "2026-12-01", "days": 2, "slots": "shift",
                                          "method": "decay"}).json()
    shifts = Slots("shift", tuple(sc.policy.shift_starts)).per_day()
    assert len(doc["slots"]) == 2 * shifts and doc["method"] == "decay"


@pytest.mark.parametrize(("params", "status", "said"), [
    ({"method": "sepp"}, 422, "unknown method 'sepp'"),
    ({"method": "network_kde"}, 422, "street segments"),
    ({"days": 0}, 422, "greater than or equal to 1"),
    ({"slots": "week"}, 422, "'hour' or 'shift'"),
    ({"from": "2026-13-01"}, 422, "valid date"),
    ({"from": "9999-12-20"}, 422, "not a day to forecast"),
    ({"from": "0001-01-02"}, 422, "not a day to forecast"),
])
def test_risk_refuses_bad_requests(env: Env, params: dict[str, object], status: int,
                                   said: str) -> None:
    r = env.login("viewer").get("/api/risk", params=params)
    assert r.status_code == status and said in r.text, r.text


def test_risk_needs_a_login(env: Env) -> None:
    from fastapi.testclient import TestClient

    assert TestClient(env.client.app).get("/api/risk").status_code == 401
