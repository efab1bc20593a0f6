"""The dashboard in the system's chromium (headless, Playwright) against a real uvicorn server:
the map renders with its layers, the slider changes the slot, an alert appears after positions
are posted, a viewer cannot edit. With CI set, a missing chromium fails these tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, add_users, fresh_store, serving_app
from xunfang.web import Centre

CHROMIUM = Path("/usr/bin/chromium")


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and the browser tests need chromium at {CHROMIUM}")
    pytest.skip(f"no chromium at {CHROMIUM}")


@pytest.fixture(scope="module")
def server(planned, db_kind, tmp_path_factory) -> Iterator[tuple[str, Centre]]:
    """The centre on each database the suite runs against (SQLite; PostgreSQL on CI)."""
    _need_chromium()

    sc, result, req = planned
    db = fresh_store(db_kind, tmp_path_factory.mktemp("browser"))
    add_users(db)
    centre = Centre(sc, result, req, db=db)
    with serving_app(centre, tick_seconds=1) as base:
        yield base, centre
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM),
                               args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def _page(browser, base: str, role: str, size=(1366, 768)):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # nothing may be fetched from anywhere but this server (no tiles, no CDN)
    page.on("request", lambda r: r.url.startswith((base, "data:")) or errors.append(r.url))
    page.goto(f"{base}/")
    assert page.url.endswith("/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    return page, errors


def test_map_renders_with_its_layers(server, browser) -> None:
    base, centre = server
    page, errors = _page(browser, base, "commander")
    layers = page.evaluate("Object.keys(window.xunfang.layers)")
    assert set(layers) >= {"roads", "zones", "grids", "rings", "sites1", "sites2", "sites3",
                           "planned", "posts", "checkpoints", "cameras", "isochrones", "risk",
                           "units", "incidents"}
    # 1366×768: no scrolling page, the map and the side panel side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    m, side = page.locator("#map").bounding_box(), page.locator("aside.side").bounding_box()
    assert m is not None and side is not None
    assert m["width"] >= 800 and m["x"] + m["width"] <= side["x"] + 1
    n_roads = page.evaluate("window.xunfang.layers.roads.getLayers().length")
    assert n_roads == centre.scenario.roads.n_edges
    # drawn (canvas renderer) and listed in the layer control, in Chinese by default
    assert page.locator(".leaflet-overlay-pane canvas").count() >= 1
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("道路" in t for t in labels) and any("风险" in t for t in labels)
    # the duty sheet, roster and KPI charts
    assert page.locator("#sheet tr").count() == len(centre.scenario.units) + 1
    assert page.locator("#roster tr").count() > 1
    page.click("button[data-tab=kpis]")
    page.wait_for_selector("#kpi-chart .main-svg")
    assert page.locator("#ring-chart .main-svg").count() >= 1
    # shares on a percent axis, as the printed report gives them
    for chart in ("#kpi-chart", "#ring-chart"):
        ticks = page.locator(f"{chart} .ytick text").all_text_contents()
        assert ticks and all(t.endswith("%") for t in ticks), (chart, ticks)
    assert not errors  # no script error, and every request went to this server
    page.context.close()


def test_slider_changes_the_slot(server, browser) -> None:
    base, centre = server
    page, errors = _page(browser, base, "viewer")
    slots = centre.current_plan.plan.slots

    def heat() -> list[str]:
        return page.evaluate(
            "window.xunfang.heat.getLayers().map(l => l.options.fillColor)")

    page.locator("#slot").fill("3")
    assert page.locator("#slot-label").get_attribute("data-slot") == "3"
    assert page.locator("#slot-label").inner_text() == slots[3].name.replace("T", " ")
    at3 = heat()
    page.locator("#slot").fill("19")
    assert page.locator("#slot-label").get_attribute("data-slot") == "19"
    assert heat() != at3  # the risk heat follows the slot
    assert page.locator("#sheet td.now").count() == len(centre.scenario.units)
    # the planned places follow the slot: one map layer per unit on duty (posts,
    # checkpoints, drones launching from their posts, grid duties, and the route units'
    # lines and staging points: review H4 #3 found those left out)
    plan = centre.current_plan.plan
    for i in (3, 19):
        page.locator("#slot").fill(str(i))
        placed = sum(1 for a in plan.assignments if a.slot == i and a.duty != "off")
        assert page.evaluate("window.xunfang.layers.planned.getLayers().length") == placed
    assert page.locator("#sheet td.now").first.get_attribute("data-slot") == "19"
    assert not errors
    page.context.close()


def test_an_alert_appears_after_positions_are_posted(server, browser) -> None:
    base, centre = server
    page, errors = _page(browser, base, "operator")
    live = centre.live
    now = datetime.now(UTC)
    slot = live.slot_at(now)
    before = live.slot_at(now - timedelta(minutes=25))
    # a unit at a post in a grid now and 25 minutes ago (the first position counts from
    # then; a unit that came from a checkpoint outside every grid would only be 0 min out)
    a = next(a for a in live.plan.assignments if a.slot == slot.index and a.duty == "post"
             and live.assigned_grid(a) is not None
             and live.assigned_grid(live.plan.at(a.unit, before.index)) == live.assigned_grid(a))
    other = next(g for g in live.grids if g != live.assigned_grid(a))
    p = live.grids[other].representative_point()
    body = {"positions": [
        {"unit": a.unit, "t": (now - timedelta(minutes=25)).isoformat(), "x": p.x, "y": p.y},
        {"unit": a.unit, "t": now.isoformat(), "x": p.x, "y": p.y}]}
    r = page.request.post(f"{base}/api/positions", data=body)
    assert r.status == 200, r.text()
    item = page.locator(f"#alerts li[data-kind=unit_outside_grid]:has-text('{a.unit}')")
    item.wait_for(timeout=10_000)
    assert "离开责任网格" in item.inner_text()
    # the unit shows on the map (live layer refreshed on the alert)
    page.wait_for_function("window.xunfang.layers.units.getLayers().length >= 1")
    assert not errors
    page.context.close()


def test_a_viewer_cannot_edit(server, browser) -> None:
    base, centre = server
    page, _ = _page(browser, base, "viewer")
    page.click("button[data-tab=incident]")
    assert page.locator("#inc-submit").is_disabled()
    assert page.locator("#read-only").is_visible()
    post = next(p for p in centre.scenario.posts if p.kind == "rapid")
    r = page.request.post(f"{base}/api/incidents",
                          data={"x": post.xy[0], "y": post.xy[1], "category": "theft"})
    assert r.status == 403
    r = page.request.post(f"{base}/api/plans", data={"start": "2026-12-01"})
    assert r.status == 403
    page.context.close()


def test_an_operator_reports_an_incident_and_sees_suggestions(server, browser) -> None:
    base, _ = server
    page, errors = _page(browser, base, "operator", size=(2560, 1440))
    # a wall screen: the map takes the room, the side panel grows with it
    assert page.evaluate("document.documentElement.scrollWidth") <= 2560
    assert page.locator("#map").bounding_box()["width"] >= 1600  # type: ignore[index]
    assert page.locator("aside.side").bounding_box()["width"] >= 700  # type: ignore[index]
    page.click("button[data-tab=incident]")
    # a click on the map places the incident
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.locator("#inc-lon").input_value() != ""
    page.click("#inc-submit")
    page.wait_for_selector("#suggestions tr.suggestion")
    assert page.locator("#suggestions tr.suggestion").count() == 3
    assert not errors
    # English on request
    page.click("#lang-switch")
    page.wait_for_selector("body[data-ready='1']")
    assert "Patrol command centre" in page.title()
    page.context.close()


def test_a_planner_imports_incidents_from_the_dashboard(server, browser) -> None:
    base, _ = server
    page, errors = _page(browser, base, "planner")
    assert page.locator("#plan-select option").count() >= 1
    page.click("button[data-tab=incident]")
    assert page.locator("#inc-submit").is_disabled() is False  # planners may report too
    csv = (b"id,time,lon,lat,category\n"
           b"b1,2026-11-20 10:00,103.2530,29.2251,theft\n"
           b"b2,not a time,103.2540,29.2260,fight\n")
    page.set_input_files("#import-file", files=[{"name": "calls.csv", "mimeType": "text/csv",
                                                 "buffer": csv}])
    page.click("#import-submit")
    page.wait_for_function("document.getElementById('import-report').textContent.includes('2')")
    text = page.locator("#import-report").inner_text()
    assert "读入 2" in text and "入库 1" in text and "拒收 1" in text
    assert "第2行" in text
    assert not errors
    page.context.close()
    # an operator sees no import form
    page, _ = _page(browser, base, "operator")
    assert page.locator("#import-form").is_hidden()
    page.context.close()


def test_names_from_files_are_not_markup(server, browser) -> None:
    base, _ = server
    page, errors = _page(browser, base, "planner")
    csv = (b"id,time,lon,lat,category\n"
           b"x1,2026-11-20 10:00,103.2531,29.2252,<img src=x onerror=window.pwned=1>\n")
    r = page.request.post(f"{base}/api/incidents/import", multipart={
        "file": {"name": "evil.csv", "mimeType": "text/csv", "buffer": csv}})
    assert r.status == 200 and r.json()["stored"] == 1
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    tips = page.evaluate("window.xunfang.layers.incidents.getLayers()"
                         ".map(l => l.getTooltip().getContent())")
    evil = [t for t in tips if "onerror" in t]
    assert evil and all("<img" not in t and "&#60;img" in t for t in evil)
    page.evaluate("window.xunfang.layers.incidents.getLayers().forEach(l => l.openTooltip())")
    assert page.evaluate("window.pwned === undefined")
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert not errors
    page.context.close()
