"""The dashboard in chromium draws its map from the plan's light stages answer, compressed,
and its duty sheet names places (review AT: it fetched the whole 811 KB plan.json, not
compressed, and the sheet said ``n194…n194``)."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PASSWORD
from tests.web.test_browser import browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def test_the_map_fetches_only_its_stages_gzipped_and_the_sheet_names_places(
        server, browser) -> None:  # noqa: F811
    base, centre = server
    got: list[tuple[str, str | None]] = []

    def seen(response) -> None:  # type: ignore[no-untyped-def]
        if "/api/plans/" in response.url:
            got.append((response.url[len(base):],
                        response.request.all_headers().get("accept-encoding")
                        and response.all_headers().get("content-encoding")))
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    page.on("response", seen)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    pid = centre.current
    paths = [p for p, _ in got]
    assert f"/api/plans/{pid}" not in paths  # not the whole document
    stages = [enc for p, enc in got if p.startswith(f"/api/plans/{pid}/stages?only=intel,rings")]
    assert stages == ["gzip"]
    assert page.evaluate("window.xunfang.planDoc.plan.slots.length") == 24
    assert page.evaluate("window.xunfang.heatScale.top") > 0  # the forecast's heat drawn
    cells = page.locator("#sheet td").all_inner_texts()
    assert cells and not any(re.fullmatch(r"n\d+…n\d+", c) for c in cells)
    assert any("路" in c for c in cells)  # streets and crossings, in the page's Chinese
    page.click("button[data-tab=kpis]")
    page.wait_for_selector("#kpi-chart .main-svg")
    assert not errors
    ctx.close()
