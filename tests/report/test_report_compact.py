"""The report drawn in fewer bytes keeps what a planner reads (review HZ: the 7-day report was
1.95 MB, the aim 1.2 MB; bench/report_size.py measures it).

The timeline's runs of slots on one duty are one cell each, its hover saying the run's span;
the plan sheet says a unit's unit, tier, mode and squad once for up to 4 rows of a day; the maps'
path data give each point after the first as a step from the one before. Each slot, row,
grid, site and post is still there, each <use> finds what it uses."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.report.tables import cell_tables, path_points, plan_sheet_rows
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import SHEET_GROUP_ROWS, _timeline_runs, at_one_place
from xunfang.report.svgmap import path_d


def test_path_data_gives_the_same_points_in_steps() -> None:
    lines = [np.array([[417.5, 490.9], [419.6, 488.9], [450.4, 520.8], [450.4, 520.8]]),
             np.array([[0.0, 0.0], [0.5, -0.5], [10.0, 3.2]]), np.zeros((0, 2))]
    d = path_d(lines)
    assert d == "M417.5 490.9l2.1-2 30.8 31.9 0 0M0 0l.5-.5 9.5 3.7"
    assert path_points(d) == [[(417.5, 490.9), (419.6, 488.9), (450.4, 520.8), (450.4, 520.8)],
                          [(0.0, 0.0), (0.5, -0.5), (10.0, 3.2)]]
    # a ring: its closing point left to Z (a step back to the start drew the corner apart)
    ring = np.array([[1.0, 1.0], [5.0, 1.0], [5.0, 4.0], [1.0, 1.0]])
    assert path_d([ring], closed=True) == "M1 1l4 0 0 3Z"


def test_a_run_of_slots_on_one_duty_is_one_cell_saying_its_span() -> None:
    def cell(h: int, cls: str, text: str, what: str) -> dict[str, object]:
        return {"cls": cls, "text": text, "what": what, "span": 1,
                "start": datetime(2026, 12, 3, h), "end": datetime(2026, 12, 3, h) +
                (datetime(2026, 12, 3, 1) - datetime(2026, 12, 3, 0))}

    cells = [cell(h, "d-off", "", "休息 无人在岗") for h in range(8)]
    cells += [cell(h, "d-post", "RP1", "定点备勤 快反点 (RP1)") for h in range(8, 22)]
    cells += [cell(22, "d-post", "RP2", "定点备勤 (RP2)"), cell(23, "d-post", "RP1",
                                                             "定点备勤 快反点 (RP1)")]
    dated = _timeline_runs(cells, dated=True)
    assert [(c["cls"], c["text"], c["span"], c["title"]) for c in dated] == [
        ("d-off", "", 8, "12-03 00:00–08:00 休息 无人在岗"),
        ("d-post", "RP1", 14, "12-03 08:00–22:00 定点备勤 快反点 (RP1)"),
        ("d-post", "RP2", 1, "12-03 22:00 定点备勤 (RP2)"),  # one slot: its start, as before
        ("d-post", "RP1", 1, "12-03 23:00 定点备勤 快反点 (RP1)")]
    # a plan of one day: no date; a run to midnight ends at 24:00
    one = _timeline_runs(cells[:8] + [cell(h, "d-off", "", "休息 无人在岗")
                                      for h in range(8, 24)], dated=False)
    assert [(c["span"], c["title"]) for c in one] == [(24, "00:00–24:00 休息 无人在岗")]
    assert cells[0]["span"] == 1  # the slots' own cells are left as they were


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_timeline_keeps_every_slot_and_merges_each_run(
        county: tuple[PlanResult, Path, Path], lang: str) -> None:
    result, zh, en = county
    page = ((zh if lang == "zh" else en) / "report.html").read_text(encoding="utf-8")
    plan = result.plan
    (day,) = cell_tables(page, "timeline")  # the county's plan of one day
    assert [r[0].text for r in day[1:]] == list(plan.units)
    runs = 0
    for u, row in zip(plan.units, day[1:], strict=True):
        cells = row[1:]
        assert len(cells) == len(plan.slots)  # each slot under its hour, spans counted
        for s, c in zip(plan.slots, cells, strict=True):
            a = plan.at(u, s.index)
            want = "d-post" if at_one_place(a) else "d-" + a.duty
            assert c.attrs["class"] == want, (u, s.start, c.attrs)
            # the hover covers the slot: its start, or the span of the run holding it
            start = c.attrs["title"][:5]
            assert start <= f"{s.start:%H:%M}", (u, s.start, c.attrs["title"])
            if int(c.attrs.get("colspan", "1")) > 1:
                end = c.attrs["title"][6:11]
                assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", c.attrs["title"][:11])
                assert f"{s.start:%H:%M}" < end
        runs += sum(1 for c in cells if c.offset == (0, 0))
    section = page[page.index('<section id="timeline">'):]
    section = section[:section.index("</section>")]
    tds = section.count("<td ")  # the unit's own cell has no attribute: "<td>"
    assert tds == runs < len(plan.units) * len(plan.slots)
    assert 'colspan="' in section


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_sheet_says_each_units_cells_once_a_day(
        county: tuple[PlanResult, Path, Path], lang: str) -> None:
    result, zh, en = county
    page = ((zh if lang == "zh" else en) / "report.html").read_text(encoding="utf-8")
    rows = plan_sheet_rows(page)
    assert rows and all(len(r) == 7 for r in rows)
    units = [r[0] for r in rows]
    assert set(units) == {u.id for u in result.scenario.units}
    # each unit's rows together, in the scenario's order, its tier, mode and squad the same
    order = [u.id for u in result.scenario.units]
    assert units == sorted(units, key=order.index)
    for u in order:
        mine = [r for r in rows if r[0] == u]
        assert len({tuple(r[1:4]) for r in mine}) == 1
    section = page[page.index('<section id="plan">'):]
    section = section[:section.index("</section>")]
    bodies = re.findall(r"<tbody>(.*?)</tbody>", section, re.S)
    # a plan of one day: a unit's rows in blocks of SHEET_GROUP_ROWS (printed whole)
    assert len(bodies) == sum(-(-units.count(u) // SHEET_GROUP_ROWS) for u in order)
    assert max(units.count(u) for u in order) > SHEET_GROUP_ROWS  # (the case is tested)
    for body in bodies:
        n = body.count("<tr>")
        first = re.match(r'<tr><td(?: rowspan="(\d+)")?>', body)
        assert first is not None and int(first.group(1) or 1) == n
        assert 1 <= n <= SHEET_GROUP_ROWS
        assert body.count("<td") == 4 + 3 * n  # unit, tier, mode, squad once


def test_the_maps_draw_every_site_post_grid_and_their_uses_resolve(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    page = (zh / "report.html").read_text(encoding="utf-8")
    sc = result.scenario
    section = page[page.index('<section id="map">'):]
    main = section[section.index("<svg"):section.index("</svg>")]
    # every site and post with its hover in the report's language (a zh review: "(tier 1)",
    # "(station)"), every zone's name; the legend beside
    for s in sc.sites:
        assert f"<title>{s.name}（{s.tier} 级重点部位）</title>" in main
    assert sc.posts[0].kind == "station"
    assert f"<title>{sc.posts[0].name}（巡逻驻点）</title>" in main
    assert not re.search(r"<title>[^<]*\((?:tier|station|kiosk|camera|exit)", main)
    assert main.count("<title>") >= len(sc.sites) + len(sc.posts)
    assert 'class="legend"' in section
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    refs = re.findall(r'href="#([^"]+)"', page)
    assert refs and set(refs) <= ids
    grids = [a for a in sc.areas_of("grid")]
    heat = re.findall(r'<svg[^>]*class="heat".*?</svg>', page, re.S)
    assert heat
    for svg in heat:  # each slot's map: a fill and a hover for each grid, the roads, a title
        assert svg.count("<use ") == len(grids) + 1
        assert svg.count("<title>") == len(grids) and 'class="hlabel"' in svg
    # the path data read back: each road drawn with its points, none lost
    roads = re.search(r'<path id="heat-roads" d="([^"]+)"', page)
    assert roads is not None
    assert len(path_points(roads.group(1))) == sc.roads.n_edges
    # nothing fetched: no address but the SVG namespace
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= {"http://www.w3.org/2000/svg"}


def test_a_site_and_a_post_of_one_id_keep_their_own_hovers() -> None:
    """Sites and posts are checked for unique ids each in their own file: a post named
    like a site keeps the site's hover its tier (a review: S01's read as the post's)."""
    from dataclasses import replace

    from xunfang.report.html import _map_tips
    from xunfang.report.i18n import t
    from xunfang.report.svgmap import render_map
    from xunfang.scenario.loader import load

    sc = load("ebian")
    site = sc.sites[0]
    post = next(p for p in sc.posts if p.kind == "station")
    sc = replace(sc, posts=tuple(replace(p, id=site.id) if p is post else p for p in sc.posts))
    svg = render_map(sc, None, labels=False,
                     tips=_map_tips(sc, lambda k, **kw: t(k, "zh", **kw)))
    assert f"<title>{site.name}（{site.tier} 级重点部位）</title>" in svg
    assert f"<title>{post.name}（巡逻驻点）</title>" in svg
