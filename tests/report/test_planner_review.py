"""report.html as a duty planner printed a plan of several days of the built-in county
(review HD): every day's timeline, the roster's night shift on the date it starts, map bands
a grey print tells apart, charts whose axes and labels fit their data, times and places said
as people say them, the visibility map with its legend, a force standing at one site called
so — and the page fetches nothing and logs no error."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.planning.roster.result import lead_in
from xunfang.report.charts import bar_chart, line_chart, text_width
from xunfang.report.html import render_report, when_text
from xunfang.report.i18n import t
from xunfang.report.svgmap import BAND_COLOURS, SHARE_COLOURS
from xunfang.scenario.loader import load

DAYS = 2
START = date(2026, 12, 2)


@pytest.fixture(scope="module")
def planned() -> tuple[PlanResult, PlanRequest]:
    """The built-in county's plan of two days (the review's was seven; two tell "the first
    day only" from "every day" at a third of the time)."""
    req = PlanRequest(start=START, days=DAYS)
    return build_plan(load("ebian"), req), req


@pytest.fixture(scope="module")
def pages(planned: tuple[PlanResult, PlanRequest]) -> dict[str, str]:
    result, req = planned
    return {lang: render_report(result, req, lang=lang) for lang in ("zh", "en")}


class _Page(HTMLParser):
    """A page's tables per section (rows of cell texts, the header first), the texts of its
    elements of some classes, and all its text outside SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, str, list[list[str]]]] = []  # (section, class, rows)
        self.section = ""
        self.cell: list[str] | None = None
        self.svg = 0
        self.text: list[str] = []
        self.headings: list[tuple[str, str]] = []  # (class, text) of h3
        self.h3: list[str] | None = None
        self.h3_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id") or ""
        elif tag == "svg":
            self.svg += 1
        elif self.svg:
            return
        elif tag == "table":
            self.tables.append((self.section, a.get("class") or "", []))
        elif tag == "tr" and self.tables:
            self.tables[-1][2].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "h3":
            self.h3, self.h3_class = [], a.get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg -= 1
        elif tag in ("td", "th") and self.cell is not None and not self.svg:
            self.tables[-1][2][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "h3" and self.h3 is not None:
            self.headings.append((self.h3_class, "".join(self.h3).strip()))
            self.h3 = None

    def handle_data(self, data: str) -> None:
        if self.svg:
            return
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)
        if self.h3 is not None:
            self.h3.append(data)


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def _tables(page: str, section: str, cls: str | None = None) -> list[list[list[str]]]:
    return [rows for sec, c, rows in _parse(page).tables
            if sec == section and (cls is None or cls in c.split())]


def _section(page: str, sid: str) -> str:
    part = page[page.index(f'<section id="{sid}">'):]
    return part[:part.index("</section>")]


# 1 ----------------------------------------------------------------------------------------
def test_the_timeline_shows_every_day_of_the_plan_under_its_date(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """A review: the 7-day report's timeline showed the first day alone and did not say so.
    Each day of the plan has its own table under a heading naming its date, with every unit
    and every slot of that day."""
    result, _ = planned
    plan = result.plan
    days = sorted({s.start.date() for s in plan.slots})
    assert len(days) == DAYS
    for lang, page in pages.items():
        part = _section(page, "timeline")
        tables = _tables(page, "timeline", "timeline")
        assert len(tables) == len(days), (lang, len(tables))
        heads = [text for cls, text in _parse(part).headings if cls == "timeline-day"]
        assert [h[:5] for h in heads] == [f"{d:%m-%d}" for d in days], heads
        for d, rows in zip(days, tables, strict=True):
            hours = [f"{s.start:%H}" for s in plan.slots if s.start.date() == d]
            assert rows[0][1:] == hours
            assert [r[0] for r in rows[1:]] == list(plan.units)
        assert t("timeline_days", lang, n=len(days)).strip() in " ".join(part.split())


# 2 ----------------------------------------------------------------------------------------
def test_the_roster_table_dates_each_shift_by_the_day_it_starts(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """A review: team C worked 00–08 on 12-02 and the table showed 休 for C on 12-02, its
    night filed under 12-01 (the roster day). Every regular shift of the roster (and the
    night running into the first day) is in the cell of its team on the date it starts, with
    its hours; a cell holds no shift that starts on another date; the convention is said
    under the table; the day team is 常白班组, not "day"."""
    result, _ = planned
    ro = result.roster
    assert ro is not None
    zh = pages["zh"]
    rows = _tables(zh, "roster")[0]
    head, body = rows[0], rows[1:]
    teams = (*ro.teams, *ro.day_teams)
    assert "day" not in head and t("team_day", "zh") in head
    days = [info.day for info in ro.calendar]
    assert [r[0][:5] for r in body] == [f"{d:%m-%d}" for d in days]
    cell = {(d, team): body[i][2 + k] for i, d in enumerate(days)
            for k, team in enumerate(teams)}
    starts: dict[tuple[date, str], set[str]] = {}
    nights_after_midnight = 0
    for d in (*lead_in(ro), *ro.rows):
        if d.kind != "regular" or d.start.date() not in days:
            continue
        said = f"{t('shift_' + d.shift, 'zh')} {d.start:%H:%M}"
        starts.setdefault((d.start.date(), d.team), set()).add(said)
        nights_after_midnight += d.shift == "night" and d.start.date() != d.day
    assert nights_after_midnight, "the county's nights start at 00:00: the case reviewed"
    for (day, team), text in cell.items():
        want = starts.get((day, team), set())
        if want:
            assert all(w in text for w in want), (day, team, text, want)
        else:
            assert text == t("shift_off", "zh"), (day, team, text)
    assert t("roster_by_start", "zh") in _section(zh, "roster")


def test_the_hours_count_each_shift_on_the_day_it_starts(
        planned: tuple[PlanResult, PlanRequest]) -> None:
    """A review: hours were counted by roster day, the first day's 00:00–08:00 night (the
    day before's) left out. The people working that night (shown alone here: the table
    lists the 12 with most hours) have it in their hours and nights, and a shift starting
    after the table's last day is not counted."""
    result, req = planned
    ro = result.roster
    assert ro is not None
    first = {d.person: d for d in lead_in(ro) if d.kind == "regular"}
    assert first and all(d.start.date() == START for d in first.values())
    days = {info.day for info in ro.calendar}
    shown = replace(ro, hours={p: h for p, h in ro.hours.items() if p in first})
    page = render_report(replace(result, roster=shown), req, lang="en")
    table = next(rows for rows in _tables(page, "roster")
                 if t("regular_hours", "en") in rows[0])
    k = table[0].index(t("regular_hours", "en"))
    n = table[0].index(t("nights", "en"))
    assert {r[0] for r in table[1:]} == set(first)
    for r in table[1:]:
        want = sum(d.hours for d in (*lead_in(ro), *ro.rows) if d.person == r[0]
                   and d.kind == "regular" and d.start.date() in days)
        assert float(r[k]) == want >= first[r[0]].hours, (r, want)
        assert int(r[n]) >= 1, r


# 3 ----------------------------------------------------------------------------------------
def _luminance(colour: str) -> float:
    """WCAG's relative luminance of ``#rrggbb``."""
    c = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_travel_time_bands_differ_in_lightness() -> None:
    """A review: the 1-minute band (#1a9850) and the >5-minute band (#d73027) printed as the
    same grey (luminance 0.23 and 0.17, a contrast ratio of 1.3; the 3- and 5-minute bands
    1.01). The bands now darken band by band, a contrast ratio of at least 1.4 between
    neighbours, 4.5 between the nearest and the farthest."""
    lum = [_luminance(c) for c in BAND_COLOURS]
    assert lum == sorted(lum, reverse=True), lum
    assert all(_contrast(a, b) >= 1.4 for a, b in pairwise(BAND_COLOURS)), lum
    assert _contrast(BAND_COLOURS[0], BAND_COLOURS[-1]) >= 4.5


def test_the_map_legend_has_the_bands_colours(pages: dict[str, str]) -> None:
    legend = _section(pages["zh"], "map").split('<svg')[0]
    for c in BAND_COLOURS:
        assert f"background:{c}" in legend


# 4 ----------------------------------------------------------------------------------------
def _ticks(svg: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" class="tick" text-anchor="middle">([^<]*)</text>', svg)]


def test_an_hourly_chart_spaces_the_hours_evenly_and_its_labels_fit() -> None:
    """A review: 13 hours with incidents stood evenly apart (02:00 beside 09:00) and the
    last label read "22:0", cut at the edge. Given every hour (None where nothing came), the
    labels' x grows with the hour, none overlaps the next, and all lie inside the chart."""
    have = (2, 9, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22)
    labels = [f"{h:02d}:00" for h in range(24)]
    values = [0.5 if h in have else None for h in range(24)]
    svg = line_chart({"a": values}, labels, top=1.0, width=640)
    ticks = _ticks(svg)
    assert len(ticks) >= 6
    hours = [int(text[:2]) for _, text in ticks]
    xs = [x for x, _ in ticks]
    per_hour = [(b - a) / (hb - ha) for (a, ha), (b, hb)
                in zip(zip(xs, hours, strict=True), list(zip(xs, hours, strict=True))[1:],
                       strict=False)]
    assert max(per_hour) - min(per_hour) <= 0.1, per_hour  # evenly apart (x to 0.1 px)
    half = text_width("00:00") / 2
    assert all(b - a >= 2 * half for a, b in pairwise(xs))
    assert xs[0] - half >= 0 and xs[-1] + half <= 640
    # a label at the very last point fits too (13 labels given as they were)
    svg = line_chart({"a": [0.5] * len(have)}, [f"{h:02d}:00" for h in have], top=1.0)
    last_x, last = _ticks(svg)[-1]
    assert last_x + text_width(last) / 2 <= 640


def test_the_histogram_ends_where_the_data_end() -> None:
    """A review: the response times' axis ran to 14 min, the data ending at 2.5. The bars
    end at the last bin any series fills, its upper edge the last label."""
    edges = [f"{0.5 * k:g}" for k in range(29)]  # 0 … 14
    counts = [3.0, 5.0, 2.0, 1.0, 0.0, 0.5] + [0.0] * 22
    svg = bar_chart({"plan": counts, "base": [1.0] * 3 + [0.0] * 25}, edges, edges=True)
    ticks = [text for _, text in _ticks(svg)]
    assert ticks[-1] == "3", ticks  # the 2.5–3 bin is the last filled
    assert "14" not in ticks and len(re.findall(r"<rect [^>]*><title>", svg)) == 2 * 6
    with pytest.raises(ValueError, match="edge labels"):
        bar_chart({"plan": counts}, edges[:-1], edges=True)


def test_the_report_charts_hours_by_the_clock(pages: dict[str, str]) -> None:
    kpis = _section(pages["zh"], "kpis")
    charts = re.findall(r'<svg[^>]*class="chart".*?</svg>', kpis, re.S)
    assert len(charts) == 2
    ticks = _ticks(charts[1])
    hours = [int(text[:2]) for _, text in ticks]
    assert hours == sorted(hours) and len({b - a for a, b in pairwise(hours)}) == 1


# 5 ----------------------------------------------------------------------------------------
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_no_iso_time_is_printed(planned: tuple[PlanResult, PlanRequest],
                                pages: dict[str, str]) -> None:
    """A review: the Chinese shortfall table read "2026-12-02T07:00" and the English dosage
    note "at 2026-12-02T03:00". No visible text of either report holds an ISO time; the
    shortfalls' times are MM-DD HH:MM (a plan of several days)."""
    result, _ = planned
    posture = result.stages["posture"]
    assert posture.get("shortfalls") and ISO.search(str(posture.get("dosage", "")))
    for lang, page in pages.items():
        text = " ".join(_parse(page).text)
        assert not ISO.search(text), (lang, ISO.findall(text)[:5])
        (short,) = _tables(page, "shortfalls")
        assert all(re.fullmatch(r"\d\d-\d\d \d\d:\d\d", r[0]) for r in short[1:]), short
    assert when_text("at 2026-12-02T03:00:00+08:00.", True) == "at 12-02 03:00."
    assert when_text("2026-12-02T03:00", False) == "03:00"


# 6 ----------------------------------------------------------------------------------------
def test_the_rings_table_names_its_staging_points(planned: tuple[PlanResult, PlanRequest],
                                                  pages: dict[str, str]) -> None:
    """A review: the per-hour 1-3-5 table's 建议动中备勤点 read "n033, n083, …". Its cells
    name crossings and sites, no road node's id."""
    result, _ = planned
    ids = set(result.scenario.roads.node_ids)
    rings = result.stages["rings"]["slots"]
    assert any(r.get("staging", {}).get("nodes") for r in rings)  # the case reviewed
    for lang, page in pages.items():
        (rows,) = _tables(page, "access", "rings-by-hour")
        k = rows[0].index(t("staging", lang))
        cells = [r[k] for r in rows[1:]]
        assert any(c != "—" for c in cells)
        words = {w for c in cells for w in re.split(r"[\s,、;()（）/]+", c)}
        assert not words & ids, (lang, sorted(words & ids)[:5])


# 7, 8 and the page in a browser -------------------------------------------------------------
def test_a_force_standing_at_one_site_is_not_on_a_route(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """A review: BA-1 and YJ-1, standing at the hospital and the square in their hours,
    read 路线巡逻 (kind route) on the plan sheet. They read 定点值守 / point duty."""
    result, _ = planned
    plan = result.plan
    standing = {u for u in plan.units for a in plan.of_unit(u)
                if a.duty == "route" and (a.note or "").startswith("auxiliary force at S")}
    assert {"BA-1", "YJ-1"} <= standing
    for lang, page in pages.items():
        (sheet,) = _tables(page, "plan")
        duty = sheet[0].index(t("duty", lang))
        said = [r[duty] for r in sheet[1:] if r[0] in standing]
        on_duty = [x for x in said if x != t("duty_off", lang)]
        assert on_duty and all(x.startswith(t("duty_point", lang)) for x in on_duty), said


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_is_self_contained_and_its_visibility_map_readable(
        tmp_path: Path, pages: dict[str, str], browser: Any, lang: str) -> None:
    """In headless chromium: the page requests nothing but itself and logs no error; the
    visibility map (a review: 150 px wide, no legend) is at least 400 px wide beside a legend
    of its classes, every grid filled with a colour of the legend; the 1-3-5 table prints
    its header on each page."""
    path = tmp_path / f"report-{lang}.html"
    path.write_text(pages[lang], encoding="utf-8")
    tab = browser.new_page(viewport={"width": 1150, "height": 900})
    asked: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: asked.append(r.url))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(path.as_uri())
    assert asked == [path.as_uri()], asked
    assert not errors, errors
    vis = tab.locator("#kpis svg.sharemap")
    box = vis.bounding_box()
    assert box is not None and box["width"] >= 400, box
    legend = tab.locator("#visibility-legend .sw")
    assert legend.count() == len(SHARE_COLOURS)
    fills = set(vis.evaluate("s => [...s.querySelectorAll('path[fill]')]"
                             ".map(p => p.getAttribute('fill')).filter(f => f !== 'none')"))
    assert fills and fills <= set(SHARE_COLOURS), fills
    tab.emulate_media(media="print")
    head = tab.locator("table.rings-by-hour thead")
    assert head.evaluate("h => getComputedStyle(h).display") == "table-header-group"
    tab.close()
