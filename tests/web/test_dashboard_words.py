"""The zh dashboard in Chinese throughout (review AO #4), in chromium on the built-in county:
every tab's interface words (the roster's heads and the core's values, the sheet's and the
suggestions' modes, the KPI chart's measures and series, the incident form, the header, the
import's note on the scenario's crs) are Chinese, the incident form offers the record's own
categories, and the en dashboard keeps its English."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely

from tests.web.conftest import PASSWORD, Env, make_env
from tests.web.test_browser import browser  # noqa: F401  (the fixture)
from tests.web.test_dashboard_keeps_up import open_page, serving
from xunfang import store

#: the English interface words the review found on the zh page (AO #4), matched whole
ENGLISH = ("date", "person", "team", "shift", "start", "end", "role", "kind",
           "early", "middle", "night", "office", "auxiliary", "police", "regular", "special",
           "car", "motorcycle", "balance", "drone",
           "response_within_target", "visibility", "over_deployment", "static_within_target",
           "plan", "posts", "even", "proportional",
           "lon", "lat", "theft", "seed", "commander", "read in", "the scenario's crs")
CHIEF = "值班长"
TABS = ("alerts", "incident", "sheet", "roster", "kpis")


def english_in(text: str) -> list[str]:
    """The words of ENGLISH in ``text`` as words (not inside another Latin word)."""
    return [w for w in ENGLISH if re.search(rf"(?<![A-Za-z_]){re.escape(w)}(?![A-Za-z_])", text)]


@pytest.fixture(scope="module")
def county(planned, db_kind, tmp_path_factory) -> Iterator[tuple[str, Env]]:
    e = make_env(planned, db_kind, tmp_path_factory.mktemp("words"))
    # a commander named in Chinese: the test users are named after their roles, and the name
    # (the user's own) is shown as written
    store.create_user(e.centre.store, CHIEF, "commander", PASSWORD)
    with serving(e) as base:
        yield base, e
    e.centre.store.dispose()


def shown(page: Any) -> str:
    """What the page shows: the body's text and the plan selector's options."""
    return page.inner_text("body") + "\n" + "\n".join(
        page.locator("#plan-select option").all_inner_texts())


def visit_tabs(page: Any) -> dict[str, str]:
    """Each tab opened in turn: what the page shows then (the KPI tab once drawn)."""
    out = {}
    for tab in TABS:
        page.click(f"button[data-tab={tab}]")
        if tab == "kpis":
            page.wait_for_selector("#kpi-chart .main-svg .legend")
        out[tab] = shown(page)
    return out


def report_incident(page: Any) -> None:
    """An incident at the roads' centre through the form: the suggestions' table drawn."""
    page.click("button[data-tab=incident]")
    lon, lat = page.evaluate(
        "(() => { const c = window.xunfang.layers.roads.getBounds().getCenter();"
        " return [c.lng, c.lat]; })()")
    page.fill("#inc-lon", f"{lon:.6f}")
    page.fill("#inc-lat", f"{lat:.6f}")
    page.click("#inc-submit")
    page.wait_for_selector("#suggestions tr.suggestion")


def import_xy(page: Any, e: Env, folder: Path) -> str:
    """An x/y file (no crs given) through the import form: the report shown."""
    area = e.scenario.areas_of("grid")[0]
    x, y = shapely.get_coordinates(shapely.point_on_surface(area.geometry))[0]
    f = folder / "xy.csv"
    f.write_text(f"id,time,x,y,category\nwxy1,2025-12-20 10:00,{x:.1f},{y:.1f},盗窃\n",
                 encoding="utf-8")
    page.click("button[data-tab=incident]")
    page.set_input_files("#import-file", str(f))
    page.click("#import-submit")
    page.wait_for_function(
        "(() => { const t = document.getElementById('import-report').textContent;"
        " return t && t !== '…'; })()")
    return page.inner_text("#import-report")


def test_the_zh_dashboard_shows_no_english_interface_word(county, browser, tmp_path) -> None:  # noqa: F811
    base, e = county
    page, errors = open_page(browser, base, CHIEF, "/?lang=zh")
    report_incident(page)
    seen = visit_tabs(page)
    found = {tab: english_in(text) for tab, text in seen.items()}
    assert not any(found.values()), found
    # the values are the page's words: the roster's shifts, the modes, the chart's series
    roster = page.inner_text("#roster")
    assert "早班" in roster and "辅警" in roster and "正常" in roster
    assert "汽车" in page.inner_text("#sheet") and "汽车" in page.inner_text("#suggestions")
    legend = page.locator("#kpi-chart .legend").text_content() or ""
    assert "本方案" in legend and "参照：定点驻守" in legend
    assert "见警率" in (page.locator("#kpi-chart .xaxislayer-above").text_content() or "")
    assert page.inner_text("#who") == f"{CHIEF} (指挥长)"
    # the import's note on the scenario's crs, worded on the page with the crs as sent
    note = import_xy(page, e, tmp_path)
    assert not english_in(note), english_in(note)
    assert f"x/y 按场景的坐标系 {e.scenario.crs.declared} 读入" in note
    assert not errors
    page.context.close()


def test_the_incident_form_offers_the_records_categories(county, browser) -> None:  # noqa: F811
    base, e = county
    page, errors = open_page(browser, base, "operator", "/?lang=zh")
    record = [c for c, _ in Counter(e.scenario.incidents.category).most_common()]
    assert page.input_value("input[name=category]") == record[0]  # the most frequent, not "theft"
    offered = page.eval_on_selector_all("#inc-categories option", "os => os.map(o => o.value)")
    assert offered[:len(record)] == record
    assert not errors
    page.context.close()


def test_the_en_dashboard_keeps_its_english(county, browser) -> None:  # noqa: F811
    base, _ = county
    page, errors = open_page(browser, base, CHIEF, "/?lang=en")
    report_incident(page)
    seen = visit_tabs(page)
    heads = page.locator("#roster tr:first-child th").all_inner_texts()
    assert heads == ["date", "person", "team", "shift", "start", "end", "role", "kind"]
    assert {"early", "auxiliary", "regular"} <= set(english_in(seen["roster"]))
    assert "car" in page.inner_text("#suggestions")
    assert {"lon", "lat", "seed", "commander"} <= set(english_in(seen["incident"]))
    assert {"plan", "posts", "proportional"} <= set(english_in(seen["kpis"]))
    assert not errors
    page.context.close()
