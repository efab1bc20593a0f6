"""The web import's refusals and notes: the file's own rows, every problem, the option to
skip an overlapping export's stored rows, the form's words for the CLI's options, and the
file's lon/lat (with the datum hint) for rows outside the jurisdiction."""

from __future__ import annotations

import io
from typing import Any

import shapely
from pyproj import Transformer

from xunfang.intel import jurisdiction_of
from xunfang.web.routers.incidents import for_form

from .conftest import Env
from .test_risk_categories_api import _centre_point


def _post(e: Env, rows: list[str], name: str = "week.csv", **form: str) -> Any:
    files = {"file": (name, io.BytesIO("\n".join(rows).encode()), "text/csv")}
    return e.login("planner").post("/api/incidents/import", files=files, data=form)


def test_a_refusal_names_the_files_rows_and_lists_every_problem(env: Env) -> None:
    """A review: data row 2's time 'not-a-time' and row 4's 2027-01-05 (in the future) were
    refused with only "row 3 ... not-future" (row 3 is valid; rows counted among the kept)."""
    lon, lat = _centre_point(env.scenario, "G7")
    r = _post(env, ["id,time,lon,lat,category",
                    f"rf1,2026-11-20 10:00,{lon},{lat},theft",
                    f"rf2,not-a-time,{lon},{lat},theft",
                    f"rf3,2026-11-20 11:00,{lon},{lat},theft",
                    f"rf4,2027-01-05 12:00,{lon},{lat},theft"])
    assert r.status_code == 422, r.text
    d = r.json()["detail"]
    got = [(p["row"], p["column"], p["severity"]) for p in d["problems"]]
    # the store's error first (it refused the file), then the rows the checks set aside
    assert got == [(4, "time", "error"), (2, "time", "rejected")]
    assert "not-a-time" in d["problems"][1]["message"]
    assert d["problems"][0]["rule"] == "not-future" and d["count"] == 2
    assert d["message"].startswith("week.csv: 1 error(s), nothing stored")
    assert "the checks also set aside 1 row(s)" in d["message"]


def test_skip_stored_imports_the_rest_of_an_overlapping_export(env: Env) -> None:
    """A review: weekly exports overlap, and the overlap refused the whole file ("id 'W000'
    is already stored") with no way to import the rest."""
    lon, lat = _centre_point(env.scenario, "G7")

    def week(ids: range) -> list[str]:
        return ["id,time,lon,lat,category"] + [
            f"W{i:03d},2026-11-{10 + i:02d} 10:00,{lon},{lat},theft" for i in ids]

    assert _post(env, week(range(0, 5))).json()["stored"] == 5
    r = _post(env, week(range(3, 8)))  # W003, W004 stored already, the same
    assert r.status_code == 422
    d = r.json()["detail"]
    assert [p["row"] for p in d["problems"]] == [1, 2]
    assert "skip ids already stored" in d["message"] and "skip_stored" in d["message"]
    assert "skip_stored skips" not in d["problems"][0]["message"]  # the form's words
    r = _post(env, week(range(3, 8)), skip_stored="true")
    assert r.status_code == 200, r.text
    assert (r.json()["stored"], r.json()["skipped"]) == (3, 2)
    # an id stored with other content stays an error, skip_stored or not
    r = _post(env, [*week(range(6, 7)), f"W007,2026-11-17 10:00,{lon + 0.002},{lat},theft"],
              name="moved.csv", skip_stored="true")
    assert r.status_code == 422
    (p,) = [p for p in r.json()["detail"]["problems"] if p["severity"] == "error"]
    assert p["row"] == 2 and "other content" in p["message"]


def test_the_cli_options_are_named_as_the_forms_fields(env: Env) -> None:
    """A review: the web answered "map one with --columns time=COLUMN", "--coords must be one
    of", "no --crs given" and pointed at a report file (write_csv) it cannot write."""
    r = _post(env, ["id,when,lon,lat", "n1,2026-11-20 10:00,103.25,29.22"])
    assert r.status_code == 422
    assert "the columns field: time=" in r.json()["detail"]
    assert "--" not in r.json()["detail"]
    r = _post(env, ["id,time,lon,lat", "n1,2026-11-20 10:00,103.25,29.22"], coords="wgs85")
    assert r.status_code == 422 and r.json()["detail"].startswith(
        "the coords field must be one of wgs84, gcj02, bd09")
    area = next(a for a in env.scenario.areas_of("grid") if a.id == "G7")
    x, y = shapely.get_coordinates(shapely.point_on_surface(area.geometry))[0]
    r = _post(env, ["id,time,x,y", f"nx1,2026-11-20 10:00,{x:.1f},{y:.1f}"], crs="")
    assert r.status_code == 200, r.text
    text = " ".join([*r.json()["notes"], r.json()["listed"]])
    assert "the crs field empty" in text and "--crs" not in text and "write_csv" not in text
    assert "ingest_report.csv" in r.json()["listed"]  # what the CLI's --out writes
    assert for_form("give --crs EPSG:4326, or --layer SHEET") == (
        "give the crs field (EPSG:4326), or a layer (the form has no field for it: "
        "`xunfang intel ingest --layer`) SHEET")


def test_rows_outside_show_the_files_lon_lat_and_the_datum_hint(env: Env) -> None:
    """A review: a GCJ-02 (Amap) file's rows outside the jurisdiction were listed by their
    projected x/y, with no word of the datum."""
    sc = env.scenario
    _x0, y0, x1, y1 = jurisdiction_of(sc).bounds  # type: ignore[union-attr]
    to_ll = Transformer.from_crs(sc.crs.working, "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(x1 + 3000, (y0 + y1) / 2)
    r = _post(env, ["id,time,lon,lat", f"o1,2026-11-20 10:00,{lon:.6f},{lat:.6f}",
                    f"o2,2026-11-20 10:00,{_centre_point(sc, 'G7')[0]},"
                    f"{_centre_point(sc, 'G7')[1]}"], name="amap.csv")
    assert r.status_code == 200, r.text
    rep = r.json()
    (p,) = rep["problems"]
    assert p["row"] == 1 and p["value"] == f"lon/lat {lon:.6f}, {lat:.6f}"
    (note,) = [n for n in rep["notes"] if "outside the jurisdiction" in n]
    assert "GCJ-02" in note and "the coords field (it was 'wgs84')" in note
    # refused (a time in the future): the row outside by its lon/lat, and the hint
    r = _post(env, ["id,time,lon,lat", f"o3,2026-11-20 10:00,{lon:.6f},{lat:.6f}",
                    f"o4,2027-01-05 10:00,{_centre_point(sc, 'G7')[0]},"
                    f"{_centre_point(sc, 'G7')[1]}"], name="amap.csv")
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["problems"][0]["rule"] == "not-future"  # the store's error first
    assert d["problems"][1]["message"].endswith(f"lon/lat {lon:.6f}, {lat:.6f}")
    assert "GCJ-02" in d["message"] and "the coords field" in d["message"]
    # the file's lon/lat, never turned again (a review: ingest's values, now the file's own,
    # had been taken for x/y and shown as "100.512182, 0.000264"); with GCJ-02 chosen the
    # hint does not ask for GCJ-02 again
    r = _post(env, ["id,time,lon,lat", f"o5,2026-11-20 10:00,{lon:.6f},{lat:.6f}",
                    f"o6,2026-11-20 10:00,{_centre_point(sc, 'G7')[0]},"
                    f"{_centre_point(sc, 'G7')[1]}"], name="amap.csv", coords="gcj02")
    assert r.status_code == 200, r.text
    rep = r.json()
    (p,) = rep["problems"]
    assert p["value"] == f"lon/lat {lon:.6f}, {lat:.6f}"
    (note,) = [n for n in rep["notes"] if "outside the jurisdiction" in n]
    assert "the coords field says gcj02" in note and "need coords" not in note
