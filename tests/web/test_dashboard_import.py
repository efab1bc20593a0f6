"""The dashboard's import form in the system's chromium (headless, Playwright): the fields
the API takes (coords, crs, skip_stored), a file picker that offers every suffix the server
reads, refusals as readable lines, and a heat map that says whose forecast it draws."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.web.test_browser import _page, browser, server  # noqa: F401  (the fixtures)
from tests.web.test_risk_categories_api import _centre_point
from xunfang.geo import wgs84_to_gcj02
from xunfang.web import Centre
from xunfang.web.routers.incidents import UPLOAD_SUFFIXES


def _upload(page: Any, name: str, text: str) -> str:
    page.set_input_files("#import-file", files=[{"name": name, "mimeType": "text/csv",
                                                 "buffer": text.encode()}])
    page.evaluate("document.getElementById('import-report').textContent = ''")
    page.click("#import-submit")
    page.wait_for_function("(t => t && t !== '…')(document.getElementById('import-report')"
                           ".textContent)")
    return str(page.locator("#import-report").inner_text())


def test_the_picker_and_form_offer_what_the_server_takes(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: accept= hid .xls and .txt (the server reads both, the README lists .xls);
    the form had no coords or crs field though the API takes both."""
    base, _ = server
    page, errors = _page(browser, base, "planner")
    accept = set(str(page.locator("#import-file").get_attribute("accept")).split(","))
    assert accept == {"." + s.rsplit(".", 1)[-1] for s in UPLOAD_SUFFIXES}
    assert {".xls", ".txt", ".gz"} <= accept
    assert page.eval_on_selector_all("#import-coords option", "os => os.map(o => o.value)") == [
        "wgs84", "gcj02", "bd09"]
    assert page.locator("#import-crs").count() == 1
    assert page.locator("#import-skip").count() == 1
    assert not errors
    page.context.close()


def test_a_gcj02_file_is_stored_where_it_lies(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: an Amap (GCJ-02) file could not say so from the form and was stored some
    hundreds of metres off."""
    base, centre = server
    page, errors = _page(browser, base, "planner")
    page.click("button[data-tab=incident]")
    lon, lat = _centre_point(centre.scenario, "G7")
    glon, glat = (float(v[0]) for v in wgs84_to_gcj02(np.array([lon]), np.array([lat])))
    page.select_option("#import-coords", "gcj02")
    text = _upload(page, "amap.csv", f"id,time,lon,lat\ngc1,2026-11-20 10:00,{glon:.7f},"
                                     f"{glat:.7f}\n")
    assert "入库 1" in text, text
    got = page.request.get(f"{base}/api/incidents?limit=5000").json()["incidents"]
    (row,) = [i for i in got if i["ext_id"] == "gc1"]
    # within a metre of where it is (the GCJ-02 offset here is some hundreds of metres)
    assert abs(row["lon"] - lon) < 1e-5 and abs(row["lat"] - lat) < 1e-5, (row, lon, lat)
    assert not errors
    page.context.close()


def test_refusals_read_as_lines_and_the_overlap_can_be_skipped(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: a refusal showed as raw JSON ({"message":...,"problems":[{...), 233 problems
    on one line; and an overlapping weekly export was refused whole."""
    base, centre = server
    page, errors = _page(browser, base, "planner")
    page.click("button[data-tab=incident]")
    lon, lat = _centre_point(centre.scenario, "G7")
    bad = "id,time,lon,lat\n" + "".join(
        f"rx{i},{'not-a-time' if i % 2 else '2026-11-20 10:00'},{lon},{lat}\n"
        for i in range(1, 80)) + f"rx80,2027-06-01 10:00,{lon},{lat}\n"
    text = _upload(page, "bad.csv", bad)
    assert '{"' not in text and '"problems"' not in text, text
    lines = text.splitlines()
    assert lines[0].startswith("bad.csv: 1 error(s), nothing stored"), lines[0]
    assert lines[1].startswith("第1行 time: time not a date-time"), lines[1]
    assert lines[-1] == "……另有 11 条", lines[-1]  # 40 bad times and 1 future: 30 shown
    assert len(lines) == 1 + 30 + 1

    week = "id,time,lon,lat\n" + "".join(f"ov{i},2026-11-{10 + i} 10:00,{lon},{lat}\n"
                                         for i in range(4))
    assert "入库 4" in _upload(page, "week1.csv", week)
    week2 = week + f"ov9,2026-11-19 10:00,{lon},{lat}\n"
    text = _upload(page, "week2.csv", week2)
    assert "nothing stored" in text and "skip ids already stored" in text, text
    assert "第4行 id:" in text
    page.check("#import-skip")
    text = _upload(page, "week2.csv", week2)
    assert "入库 1" in text and "跳过已入库 4" in text, text
    assert not errors
    page.context.close()


def test_the_heat_says_it_is_the_plans_forecast(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: after imports the heat kept the plan's forecast while /api/risk gave the new
    one for the same day, with nothing to tell them apart."""
    base, centre = server
    page, errors = _page(browser, base, "planner")
    plan = centre.current_plan
    intel = page.request.get(f"{base}/api/plans/{plan.id}").json()["stages"]["intel"]
    source = page.locator("#risk-source").inner_text()
    assert f"方案 #{plan.id} 的预测" in source and intel["trained_to"] in source, source
    assert page.locator("#risk-stale").count() == 0
    tip = page.evaluate("window.xunfang.heat.getLayers()[0].getTooltip().getContent()")
    assert f"方案 #{plan.id}" in tip
    page.click("button[data-tab=incident]")
    lon, lat = _centre_point(centre.scenario, "G7")
    assert "入库 2" in _upload(page, "more.csv", f"id,time,lon,lat\nst1,2026-11-21 10:00,{lon},"
                                                f"{lat}\nst2,2026-11-21 11:00,{lon},{lat}\n")
    stale = page.locator("#risk-stale").inner_text()
    assert "2 起" in stale and "/api/risk" in stale, stale
    assert not errors
    page.context.close()
