"""The dashboard's risk heat in the system's chromium (headless, Playwright): one
colour scale for every slot of the plan with its legend (a scale per slot drew a quiet hour as
hot as the peak)."""

from __future__ import annotations

from typing import Any

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

