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
    # the head and the rules in the page's words (a review: all English but "第N行"), the
    # store's error first (a review: it was the 41st of 41, behind "… and 11 more")
    assert lines[0].startswith("bad.csv：1 处错误，未入库任何警情（行号为数据行：不计表头"), \
        lines[0]
    assert "检查另剔除 40 行" in lines[0], lines[0]
    assert lines[1].startswith("第80行 time: 时间在将来（time 2027-06-01 10:00"), lines[1]
    assert lines[2] == "第1行 time: 时间无法识别为日期时间：not-a-time", lines[2]
    assert lines[-1] == "……另有 11 条", lines[-1]  # 40 bad times and 1 future: 30 shown
    assert len(lines) == 1 + 30 + 1

    week = "id,time,lon,lat\n" + "".join(f"ov{i},2026-11-{10 + i} 10:00,{lon},{lat}\n"
                                         for i in range(4))
    assert "入库 4" in _upload(page, "week1.csv", week)
    week2 = week + f"ov9,2026-11-19 10:00,{lon},{lat}\n"
    text = _upload(page, "week2.csv", week2)
    assert "未入库任何警情" in text and "跳过已入库的相同编号" in text, text
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
    # what the current forecast makes of them, by /api/risk's own counts, and no raw URL (a
    # review: "the current forecast: /api/risk", which may leave them all out)
    page.wait_for_function("document.getElementById('risk-stale').dataset.stored !== undefined")
    stale = page.locator("#risk-stale").inner_text()
    counts = page.request.get(f"{base}/api/risk").json()["incidents"]
    used = counts.get("stored_used", counts["stored"])
    assert "此后导入的 2 起警情未计入此图" in stale and "/api/" not in stale, stale
    assert f"计入已入库警情 {used} 起（共 {counts['stored']} 起" in stale, (stale, counts)
    if counts.get("stored_after_record_end"):
        assert f"{counts['stored_after_record_end']} 起在记录截止" in stale, (stale, counts)
    assert not errors
    page.context.close()


def test_a_success_lists_its_exact_duplicates_and_what_its_rows_count(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: exact duplicates were counted as rejected and never listed; nothing said the
    rows are data rows (the header not counted)."""
    base, centre = server
    page, errors = _page(browser, base, "planner")
    page.click("button[data-tab=incident]")
    page.uncheck("#import-skip")
    lon, lat = _centre_point(centre.scenario, "G7")
    row = f"dp1,2026-11-22 10:00,{lon},{lat}"
    text = _upload(page, "dups.csv", f"id,time,lon,lat\n{row}\n{row}\n"
                                     f"dp2,2026-11-22 11:00,{lon},{lat}\n{row}\n")
    assert "入库 2" in text and "拒收 2" in text, text
    lines = text.splitlines()
    assert "完全重复（拒收）: 2" in lines, text
    assert "第2行: 同第1行" in lines and "第4行: 同第1行" in lines, text
    assert "注: 行号为数据行：不计表头（.xlsx 工作表中的行号再加 1）" in lines, text
    assert not errors
    page.context.close()


def test_the_english_dashboard_keeps_the_servers_words(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    base, centre = server
    page, errors = _page(browser, base, "planner")
    page.goto(f"{base}/?lang=en")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    page.click("button[data-tab=incident]")
    lon, lat = _centre_point(centre.scenario, "G7")
    text = _upload(page, "en.csv", f"id,time,lon,lat\nen1,not-a-time,{lon},{lat}\n"
                                   f"en2,2027-06-01 10:00,{lon},{lat}\n")
    lines = text.splitlines()
    assert lines[0].startswith("en.csv: 1 error(s), nothing stored (rows are data rows"), text
    assert lines[1].startswith("row 2 time: time 2027-06-01 10:00 is in the future"), text
    assert lines[2].startswith("row 1 time: time not a date-time: not-a-time"), text
    assert not errors
    page.context.close()


def test_the_imports_own_notes_are_in_the_pages_words(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: the zh page showed the note on a file without ids (and the one on rows taken
    as stored incidents) in English."""
    base, centre = server
    page, errors = _page(browser, base, "planner")
    page.click("button[data-tab=incident]")
    page.check("#import-skip")
    lon, lat = _centre_point(centre.scenario, "G7")
    text = _upload(page, "noid.csv", f"time,lon,lat,category\n2026-11-03 10:00,{lon:.7f},"
                                     f"{lat:.7f},theft\n")
    assert "入库 1" in text, text
    assert "注: 文件没有编号列：每行的编号由其时间、地点" in text and "no id column" not in text
    text = _upload(page, "noid5.csv", f"time,lon,lat,category\n2026-11-03 10:00,{lon:.5f},"
                                      f"{lat:.5f},theft\n")
    assert "入库 0" in text and "跳过已入库 1" in text, text
    assert "注: 1 行无编号的记录与已入库警情的时间、类别、等级相同且相距 1 米以内" in text, text
    assert not errors
    page.context.close()
