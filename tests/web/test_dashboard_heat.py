"""The dashboard's risk heat and header in the system's chromium (headless, Playwright): one
colour scale for every slot of the plan with its legend (a scale per slot drew a quiet hour as
hot as the peak), and a header whose slot does not run into the figures beside it at 1366 px."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from tests.web.test_browser import _page, browser, server  # noqa: F401  (the fixtures)
from xunfang.report.html import _class_label
from xunfang.web import Centre

N_CLASSES = 6  # the report's classes (report.svgmap.HEAT_COLOURS)


def _rgb(colour: str) -> str:
    """'#rrggbb' as the browser computes it: 'rgb(r, g, b)'."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_heat_has_one_scale_for_the_plan_and_a_legend(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    base, centre = server
    page, errors = _page(browser, base, "viewer")
    doc = page.request.get(f"{base}/api/plans/{centre.current_plan.id}").json()
    intel = doc["stages"]["intel"]
    grids, risk = intel["grids"], intel["risk"]  # what the dashboard draws
    n_slots = len(risk[0])
    top = max(max(row) for row in risk)
    step = top / N_CLASSES

    def klass(v: float) -> str:  # the report's rule, over every slot of the plan
        if v <= 0:
            return "0"
        k = min(N_CLASSES - 1, int(v / top * N_CLASSES))
        return _class_label(k * step, (k + 1) * step, step)

    # the legend: the unit, the classes highest first ("0" last where a grid expects nothing)
    legend = page.locator("#risk-legend")
    assert legend.is_visible()
    title = legend.locator(".legend-title").inner_text()
    assert "预计警情" in title and "每时段" in title, title
    labels = legend.locator(".legend-row .legend-label").all_inner_texts()
    want = [_class_label(k * step, (k + 1) * step, step) for k in reversed(range(N_CLASSES))]
    if any(v <= 0 for row in risk for v in row):
        want.append("0")
    assert labels == want
    assert str(n_slots) in legend.locator(".legend-note").inner_text()
    swatch = dict(zip(labels, page.eval_on_selector_all(
        "#risk-legend .legend-row .sw", "ss => ss.map(s => getComputedStyle(s).backgroundColor)"),
        strict=True))
    assert len(set(swatch.values())) == len(swatch)  # one colour a class
    m, box = page.locator("#map").bounding_box(), legend.bounding_box()
    assert m is not None and box is not None
    assert box["x"] >= m["x"] and box["x"] + box["width"] <= m["x"] + m["width"]
    assert box["y"] >= m["y"] and box["y"] + box["height"] <= m["y"] + m["height"]

    # every grid in every slot drawn in the colour the legend gives its value
    drawn: dict[int, dict[str, str]] = {}
    for i in range(n_slots):
        page.locator("#slot").fill(str(i))
        fills = page.evaluate("window.xunfang.heat.getLayers()"
                              ".map(l => [l.feature.properties.id, l.options.fillColor])")
        drawn[i] = dict(fills)
        for k, g in enumerate(grids):
            assert _rgb(drawn[i][g]) == swatch[klass(risk[k][i])], (g, i, risk[k][i])

    # the grid of the plan's peak: in its quietest slot it is not drawn as at the peak
    k, peak = max(((k, i) for k in range(len(grids)) for i in range(n_slots)),
                  key=lambda ki: risk[ki[0]][ki[1]])
    quiet = min((i for i in range(n_slots) if risk[k][i] > 0), key=lambda i: risk[k][i])
    assert klass(risk[k][quiet]) != klass(risk[k][peak]), "the scenario has no quiet slot"
    assert drawn[quiet][grids[k]] != drawn[peak][grids[k]]

    # the legend goes with the heat layer
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-overlays label:has-text('风险') input").click()
    assert page.locator("#risk-legend").count() == 0
    page.locator(".leaflet-control-layers-overlays label:has-text('风险') input").click()
    assert page.locator("#risk-legend").is_visible()
    assert not errors
    page.context.close()


@pytest.mark.parametrize(("width", "slider_min"), [(1366, 120), (1024, 80)])
def test_the_header_items_do_not_overlap_at_1366(
        server: tuple[str, Centre], browser: Any, width: int,  # noqa: F811
        slider_min: int) -> None:
    base, _ = server
    for lang, rings in (("zh", "当前处置圈覆盖"), ("en", "Rings now")):
        page, errors = _page(browser, base, "commander", size=(width, 768))
        if lang == "en":
            page.click("#lang-switch")
            page.wait_for_selector("body[data-ready='1']")
            assert "Expected incidents per slot" in page.locator("#risk-legend").inner_text()
        page.locator("#slot").fill("19")
        assert rings in page.locator(".rings-now").inner_text()
        items = ["header.top h1", "#plan-select", ".slotbar label", "#slot", "#slot-label",
                 ".rings-now", ".who"]
        boxes = {s: page.locator(s).bounding_box() for s in items}
        for (a, ba), (b, bb) in combinations(boxes.items(), 2):
            assert ba is not None and bb is not None
            apart = (ba["x"] + ba["width"] <= bb["x"] or bb["x"] + bb["width"] <= ba["x"]
                     or ba["y"] + ba["height"] <= bb["y"] or bb["y"] + bb["height"] <= ba["y"])
            assert apart, f"{lang}: {a} {ba} overlaps {b} {bb}"
        for s in items:  # all inside the window, on the header's one line
            b = boxes[s]
            assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= width, (lang, s, b)
            assert b["y"] + b["height"] <= 48, (lang, s, b)
        # the slot and the rings' figure whole, not cut short
        for s in ("#slot-label", ".rings-now", ".slotbar label"):
            assert page.eval_on_selector(
                s, "e => e.clientWidth > 0 && e.scrollWidth <= e.clientWidth + 1"), (lang, s)
        slider = boxes["#slot"]
        assert slider is not None and slider["width"] >= slider_min  # room to pick a slot
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert not errors
        page.context.close()
