"""Review HD of the report as a duty planner reads it: the 1-3-5 table's staging units and
sites by name (it printed "PS1-C@S06"), the heat maps' outlines drawn once for all of them
(24 maps repeated the same path data), and the timeline's hovers pointing to the plan sheet
for a route's streets (a 7-day report said every route twice: 2.8 MB in all)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np

from xunfang.planning.pipeline import PlanResult
from xunfang.report.i18n import t
from xunfang.report.svgmap import render_risk_maps
from xunfang.scenario.loader import load


def _section(page: str, sid: str) -> str:
    part = page[page.index(f'<section id="{sid}">'):]
    return part[:part.index("</section>")]


def _held_cells(page: str) -> list[str]:
    """The rings-by-hour table's staging-held column (the 12th), unescaped."""
    part = _section(page, "access")
    table = part[part.index('<table class="rings-by-hour">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    return [html.unescape(re.findall(r"<td[^>]*>(.*?)</td>", r)[11]) for r in rows]


def test_the_rings_table_names_its_staging_units_and_sites(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    rings = result.stages["rings"]
    assert isinstance(rings, dict)
    held = [h for row in rings["slots"] for h in row.get("staging_held", [])]
    assert held  # the county stages units at its tier-1 sites
    sites = {s.id: s.name for s in result.scenario.sites}
    for folder, lang in ((zh, "zh"), (en, "en")):
        cells = _held_cells((folder / "report.html").read_text(encoding="utf-8"))
        said = " ".join(cells)
        assert "@" not in said, [c for c in cells if "@" in c][:3]  # was "PS1-C@S06"
        for h in held:
            for site in h["sites"]:
                # the site by its name with its id, as the rest of the report says it
                assert f"{sites[site]} ({site})" in said, (lang, site)
            assert h["unit"] in said
        if lang == "zh":
            assert any("守" in c for c in cells)


def test_the_heat_maps_draw_each_outline_once() -> None:
    sc = load("ebian")
    grids = tuple(a.id for a in sc.areas_of("grid"))
    slots = 24
    risk = np.arange(len(grids) * slots, dtype=float).reshape(len(grids), slots)
    maps = render_risk_maps(sc, grids, risk, [f"{h:02d}:00" for h in range(slots)])
    page = "".join(maps)
    outlines = re.findall(r' d="([^"]*)"', page)
    # one outline per grid and one road path, in the first map; the others use them
    assert len(outlines) == len(set(outlines)) == len(grids) + 1
    for k, svg in enumerate(maps):
        uses = re.findall(r'<use href="#([^"]+)"(?: fill="([^"]*)")?>?', svg)
        assert {u for u, _ in uses} == {f"heat-g{i}" for i in range(len(grids))} | {"heat-roads"}
        fills = [f for u, f in uses if u != "heat-roads"]
        # each map its own slot's colours, on the one scale (grid i's rises with the slot)
        assert len(fills) == len(grids) and all(fills), k
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    # the 24 maps' bytes: 0.46 MB of path data before, outlines now once
    assert len(page.encode()) < 60_000, len(page.encode())


def test_the_timeline_points_to_the_plan_sheet_for_a_routes_streets(
        county: tuple[PlanResult, Path, Path]) -> None:
    _, zh, en = county
    for folder, lang in ((zh, "zh"), (en, "en")):
        page = (folder / "report.html").read_text(encoding="utf-8")
        timeline = _section(page, "timeline")
        routes = [html.unescape(x) for x in
                  re.findall(r'<td class="d-route" title="([^"]*)"', timeline)]
        assert routes
        # no street list (the sheet's "A → B → …") in a hover: it says where to read them
        assert not [x for x in routes if "→" in x], routes[:2]
        assert any(t("timeline_route_see_sheet", lang) in x for x in routes)
        # and the plan sheet still gives them (each once; the turn order is the xlsx's)
        assert re.search(re.escape(t("duty_route", lang)) + r": [^<]*"
                         + ("、" if lang == "zh" else ", "), _section(page, "plan"))


def test_the_shortfalls_print_time_duty_and_counts_on_one_line(
        county: tuple[PlanResult, Path, Path], browser: Any) -> None:
    """In print at A4's width less its margins, the shortfall table's time, duty, need and
    have (cells and headers) are one line each (设卡盘查 and 需要/实有 were two)."""
    _, zh, _ = county
    width = round((210 - 2 * 14) / 25.4 * 96)
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.emulate_media(media="print")
    page.goto((zh / "report.html").as_uri())
    lines = page.evaluate("""() => [...document.querySelectorAll(
        '#shortfalls table:first-of-type tr')].flatMap(tr => [0, 1, 3, 4].map(i => {
          const td = tr.children[i]; const r = document.createRange();
          r.selectNodeContents(td);
          return [td.textContent, new Set([...r.getClientRects()].map(x => x.top)).size];
        }))""")
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert len(lines) > 4
    assert all(n == 1 for _, n in lines), [x for x, n in lines if n != 1]
    assert wide <= width


def test_the_checkpoint_solver_of_a_repeated_day_is_said_in_chinese() -> None:
    """A 7-day zh report read "求解方法 dobss (one day, repeated)": the stage's English mark
    of a game of identical days solved once."""
    from xunfang.report.html import checkpoint_method

    def zh(key: str, **kw: object) -> str:
        return t(key, "zh", **kw)

    said = checkpoint_method("dobss (one day, repeated)", zh)
    assert said == "dobss（按一天求解，逐日重复）"
    assert not re.search(r"[a-z]+ [a-z]+", said)
    assert checkpoint_method("dobss", zh) == "dobss"  # a game solved whole: as it is
