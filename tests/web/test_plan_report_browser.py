"""The dashboard's "Print report / 打印报告" link in the system's chromium against a real
server: it opens the viewed plan's report (GET /api/plans/{id}/report), whose sections and
SVG maps render with no console error and nothing fetched from outside the page; a
re-plan's report too, headed as one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.conftest import add_users, fresh_store, serving_app
from tests.web.test_browser import _need_chromium, _page, browser  # noqa: F401 (the fixture)
from xunfang.web import Centre
from xunfang.web.centre import ReplanAsk


@pytest.fixture(scope="module")
def server(planned, db_kind, tmp_path_factory) -> Iterator[tuple[str, Centre]]:
    _need_chromium()
    sc, result, req = planned
    db = fresh_store(db_kind, tmp_path_factory.mktemp("report-browser"))
    add_users(db)
    centre = Centre(sc, result, req, db=db)
    with serving_app(centre) as base:
        yield base, centre
    db.dispose()


def _open_report(page, base: str, href: str) -> tuple[list[str], list[str]]:
    """Open ``href`` in ``page`` (its session), counting console errors and every request
    for anything but the report's own page."""
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = base + href

    def seen(r) -> None:
        if r.url != url:
            outside.append(r.url)

    page.on("request", seen)
    r = page.goto(url)
    assert r is not None and r.status == 200, r and r.text()
    page.wait_for_load_state("load")
    return errors, outside


def _check_renders(page, lang_attr: str) -> dict[str, object]:
    got = page.evaluate("""() => ({
        lang: document.documentElement.lang,
        sections: [...document.querySelectorAll('section[id]')].map(s => s.id),
        svgs: [...document.querySelectorAll('svg')].map(s => {
            const b = s.getBoundingClientRect(); return [b.width, b.height]; }),
        scripts: document.scripts.length,
        styled: getComputedStyle(document.body).fontFamily,
    })""")
    assert got["lang"] == lang_attr
    assert {"counts", "map", "risk", "roster", "checkpoints", "plan",
            "provenance"} <= set(got["sections"])
    # the maps and charts are drawn: some, each with a size on the page
    assert len(got["svgs"]) >= 5
    assert all(w > 0 and h > 0 for w, h in got["svgs"]), got["svgs"]
    assert got["scripts"] == 0
    return got


def test_the_dashboard_link_opens_the_viewed_plan_s_report(server, browser) -> None:  # noqa: F811
    base, centre = server
    page, errors = _page(browser, base, "viewer")
    link = page.locator("#print-report")
    assert link.inner_text() == "打印报告"
    href = link.get_attribute("href")
    assert href == f"/api/plans/{centre.current}/report?lang=zh"
    assert link.get_attribute("target") == "_blank"
    assert errors == []
    report = page.context.new_page()
    console, outside = _open_report(report, base, href)
    _check_renders(report, "zh-CN")
    assert console == [] and outside == []
    page.context.close()


def test_the_english_dashboard_and_a_re_plan_s_report(server, browser) -> None:  # noqa: F811
    base, centre = server
    first = centre.current
    new, _ = centre.replan(first, ReplanAsk(at="12:00",
                                            out_of_service=(("TX-M2", "out_of_service[0]"),)),
                           actor="test", lang="en")
    page, errors = _page(browser, base, "viewer")
    page.goto(f"{base}/?plan={new.id}&lang=en")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    link = page.locator("#print-report")
    assert link.inner_text() == "Print report"
    href = link.get_attribute("href")
    assert href == f"/api/plans/{new.id}/report?lang=en"
    report = page.context.new_page()
    console, outside = _open_report(report, base, href)
    _check_renders(report, "en")
    head = report.locator("#replan").inner_text()
    assert f"This plan re-plans stored plan {first}" in head and "TX-M2" in head
    assert report.locator("#replan-changes tbody tr").count() >= 1
    assert report.locator(".replan-kept").count() == 2
    assert console == [] and outside == [] and errors == []
    page.context.close()
