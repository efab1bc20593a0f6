"""The dashboard's re-plan tab (动态调整) in the system's chromium against a real server: the
form starts from the units' live status, a planner adds a hot place and re-plans, the change
list is shown and the page follows the re-plan made current; a viewer has no such tab."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.conftest import FakeClock, add_users, fresh_store, serving_app
from tests.web.test_browser import _need_chromium, _page, browser  # noqa: F401 (the fixture)
from xunfang import store
from xunfang.web import Centre


@pytest.fixture
def server(planned, db_kind, tmp_path) -> Iterator[tuple[str, Centre]]:
    """A centre at 10:30 on its plan's day (a fake clock: the plan covers now)."""
    _need_chromium()
    sc, result, req = planned
    db = fresh_store(db_kind, tmp_path)
    add_users(db)
    centre = Centre(sc, result, req, db=db, clock=FakeClock())
    with serving_app(centre, tick_seconds=0) as base:
        yield base, centre
    db.dispose()


@pytest.fixture
def login(server, browser) -> Iterator[object]:  # noqa: F811
    """Log in as a role; the pages' contexts are closed before the server stops (an open
    alert stream outliving the server left a database connection to the garbage
    collector, which a later test's setup reported)."""
    made = []

    def go(role: str):
        page, errors = _page(browser, server[0], role)
        made.append(page.context)
        return page, errors

    yield go
    for ctx in made:
        ctx.close()


def _on_duty_car(centre: Centre) -> str:
    rows = centre.live.unit_rows()
    return next(str(r["unit"]) for r in rows if r["mode"] == "car" and r["duty"] != "off"
                and r["assigned_grid"])


def test_a_planner_re_plans_from_the_live_status(server, login) -> None:
    _, centre = server
    first = centre.current
    gone = _on_duty_car(centre)
    store.record_status(centre.store, centre.scenario_id, gone, "off", actor="test",
                        now=centre.clock())
    centre.live.set_status(gone, "off")
    page, errors = login("planner")
    page.click("#replan-tab")
    # the draft from the live status: now, and the unit gone off duty out of service
    page.wait_for_function("document.getElementById('replan-at').value !== ''")
    assert page.input_value("#replan-at") == "2026-12-01T10:30"
    chosen = page.eval_on_selector("#replan-oos", "s => [...s.selectedOptions].map(o => o.value)")
    assert chosen == [gone]
    page.click("#replan-add-hot")
    row = page.locator("#replan-hot .replan-row").first
    row.locator("select[data-f=grid]").select_option("G5")
    row.locator("input[data-f=from]").fill("2026-12-01T11:00")
    row.locator("input[data-f=to]").fill("2026-12-01T15:00")
    page.click("#replan-submit")
    page.wait_for_selector("#replan-status[data-plan]", timeout=120_000)
    new = int(page.get_attribute("#replan-status", "data-plan") or 0)
    assert new != first and centre.current == new
    units = page.eval_on_selector_all("#replan-changes tr.change",
                                      "rs => rs.map(r => r.dataset.unit)")
    assert gone in units
    # the stored change list is the one shown
    doc = centre.entry(new).document
    assert len(units) == len(doc["changes"]) and doc["stages"]["replan"]["hot"][0]["grid"] == "G5"
    # the page follows the re-plan made current: its duty sheet is the new plan's
    page.wait_for_function(f"window.xunfang.plan === {new}", timeout=20_000)
    status = page.text_content("#replan-status") or ""
    assert f"#{new}" in status and "10:00" in status
    # the plan selector names the re-plan in the page's words (the dashboard's default: zh)
    page.wait_for_function(f"[...document.querySelectorAll('#plan-select option')]"
                           f".some(o => o.value === '{new}')")
    option = page.text_content(f"#plan-select option[value='{new}']") or ""
    assert f"方案 #{first} 自 2026-12-01 10:00 起的调整" in option, option
    assert "推演" not in option  # made current: it may take over
    # a what-if (not made current) is marked so in the selector
    page.uncheck("#replan-make-current")
    page.click("#replan-submit")
    page.wait_for_function(f"(document.getElementById('replan-status').dataset.plan || '') "
                           f"!== '{new}'", timeout=120_000)
    trial = int(page.get_attribute("#replan-status", "data-plan") or 0)
    assert centre.current == new != trial
    page.evaluate("window.xunfang.recheck()")
    page.wait_for_function(f"[...document.querySelectorAll('#plan-select option')]"
                           f".some(o => o.value === '{trial}')")
    option = page.text_content(f"#plan-select option[value='{trial}']") or ""
    assert option.endswith("（推演）"), option
    assert errors == []


def test_the_tab_speaks_the_page_s_language_and_a_viewer_has_none(server, login) -> None:
    base, _ = server
    page, errors = login("viewer")
    assert page.locator("#replan-tab").is_hidden()
    page, errors = login("planner")
    page.goto(f"{base}/?lang=zh")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    assert (page.text_content("#replan-tab") or "").strip() == "动态调整"
    page.click("#replan-tab")
    page.wait_for_function("document.getElementById('replan-at').value !== ''")
    page.click("#replan-add-busy")
    busy = page.locator("#replan-busy .replan-row").first
    # drones fly sorties: the busy row offers no drone
    offered = busy.locator("select[data-f=unit] option").all_text_contents()
    assert offered and not any("无人机" in o or "drone" in o for o in offered)
    # an ask the API refuses: its reason in the status line, nothing stored
    busy.locator("input[data-f=until]").fill("2026-12-01T09:00")
    n = len(store.list_plans(server[1].store, server[1].scenario_id))
    page.click("#replan-submit")
    page.wait_for_function("(document.getElementById('replan-status').textContent || '')"
                           ".includes('busy[0]')")
    # in the page's words (a re-review: English on the zh page)
    assert "须晚于调整起始时刻" in (page.text_content("#replan-status") or "")
    assert len(store.list_plans(server[1].store, server[1].scenario_id)) == n
    assert errors == []
