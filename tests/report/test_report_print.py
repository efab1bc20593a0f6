"""report.html as a Chinese county's duty planner reads and prints it (review AO): the data's
values in the report's language, the checkpoint schedule's unit and crew under their own
headings, and an A4 print (headless chromium's page.pdf) where no heading, note or legend
ends a page with what it introduces on the next."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.report.tables import text_tables
from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.report.html import render_report
from xunfang.report.i18n import VALUES, t, value_label
from xunfang.scenario.loader import load


@pytest.fixture(scope="module")
def planned() -> tuple[PlanResult, PlanRequest]:
    """The built-in county's plan of a day, as the review printed it."""
    req = PlanRequest(start=date(2026, 12, 1))
    return build_plan(load("ebian"), req), req


@pytest.fixture(scope="module")
def pages(planned: tuple[PlanResult, PlanRequest]) -> dict[str, str]:
    result, req = planned
    return {lang: render_report(result, req, lang=lang) for lang in ("zh", "en")}


def _tables(page: str, section: str) -> list[list[list[str]]]:
    return text_tables(page, section)


def _column(rows: list[list[str]], head: str) -> list[str]:
    k = rows[0].index(head)
    return [r[k] for r in rows[1:]]


def _section(page: str, sid: str) -> str:
    part = page[page.index(f'<section id="{sid}">'):]
    return part[:part.index("</section>")]


def test_the_chinese_report_says_squads_kinds_fairness_and_status_in_chinese(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """English left in the zh report (review AO): squads (patrol, fixed, checkpoint…), site
    kinds (residential, primary_school…), the fairness rows' keys (gini_nights…), the
    solvers' OPTIMAL / optimal."""
    result, _ = planned
    sc = result.scenario
    zh = pages["zh"]
    # every squad and site kind of the built-in county has its words
    assert {f"squad:{u.squad}" for u in sc.units} <= set(VALUES)
    assert {f"site:{s.kind}" for s in sc.sites} <= set(VALUES)
    (sheet,) = _tables(zh, "plan")
    squads = _column(sheet, t("squad", "zh"))
    raw = {u.squad for u in sc.units}
    assert squads and not raw & set(squads), sorted(raw & set(squads))
    assert "巡逻" in squads and "设卡" in squads
    sites = next(rows for rows in _tables(zh, "access") if t("kind", "zh") in rows[0])
    kinds = _column(sites, t("kind", "zh"))
    assert len(kinds) == len(sc.sites)
    assert not {s.kind for s in sc.sites} & set(kinds)
    assert "小学" in kinds and "居民小区" in kinds
    roster = _section(zh, "roster")
    fairness = next(rows for rows in _tables(zh, "roster") if len(rows[0]) == 2)
    labels = [r[0] for r in fairness]
    assert result.roster is not None and len(labels) == len(result.roster.fairness)
    assert not any(re.search(r"[a-z]_[a-z]", x) for x in labels), labels
    assert "夜班天数的基尼系数" in labels  # the Gini said (review AT)
    assert "OPTIMAL" not in roster and "求解状态 最优" in roster
    assert "risk-peak" not in roster  # the special duties' reasons
    note = _section(zh, "plan").split("</p>")[0]
    assert "optimal" not in note and "求解状态：最优" in note


def test_the_english_report_says_them_in_words(pages: dict[str, str]) -> None:
    en = pages["en"]
    fairness = next(rows for rows in _tables(en, "roster") if len(rows[0]) == 2)
    labels = [r[0] for r in fairness]
    assert "Gini of nights" in labels and not any("_" in x for x in labels), labels
    kinds = _column(next(rows for rows in _tables(en, "access") if "Kind" in rows[0]), "Kind")
    assert "primary school" in kinds and "primary_school" not in kinds
    assert "solver status optimal" in _section(en, "roster")
    assert "fixed post" in _column(_tables(en, "plan")[0], "Squad")


def test_a_value_without_words_is_shown_as_written() -> None:
    """A scenario's own kinds and squads are its words: shown as the data has them."""
    for kind in ("site", "squad", "fairness", "status", "reason"):
        assert value_label(kind, "temple_fair", "zh") == "temple_fair"
        assert value_label(kind, "temple_fair", "en") == "temple_fair"
    assert value_label("site", "primary_school", "zh") == "小学"


def test_the_checkpoint_schedule_shows_unit_and_crew(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """The column headed 班组/Team held the unit (TX-C3) and the crew was not shown (review
    AO): the unit under 单元, the people the plan puts on board under 配员."""
    result, _ = planned
    cp = result.checkpoints
    assert cp is not None and cp.days[0]
    for lang in ("zh", "en"):
        schedule = _tables(pages[lang], "checkpoints")[-1]
        assert schedule[0] == [t("hour", lang), t("checkpoint_site", lang), t("unit", lang),
                               t("crew", lang)]
        # a team with no check drawn has its own row (free), the visits the others in order
        visits = [r for r in schedule[1:] if r[1] != t("checkpoint_free", lang)]
        assert len(schedule) - 1 == len(cp.days[0]) + len(cp.free[0])
        for row, visit in zip(visits, cp.days[0], strict=True):
            crew = result.plan.at(visit.team, visit.slot_index).crew
            assert row[2] == visit.team
            assert row[3] == (";".join(crew) or "—")
        people = {p.id for p in result.scenario.people}
        crews = [c for r in schedule[1:] for c in r[3].split(";") if c != "—"]
        assert crews and set(crews) <= people


# --- print ---------------------------------------------------------------------------------

#: Marks each heading (h2–h4) and legend, and the first thing after it that is not a heading,
#: note or legend (its table, map, chart…), with a link round its first text (round an svg
#: whole): chromium writes each link's box into the PDF on the page it prints on, which says
#: where each begins without changing the layout.
MARK = r"""() => {
  const mark = (el, url) => {
    const svg = el.tagName.toLowerCase() === 'svg' ? el : el.querySelector('svg');
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {acceptNode: x =>
      x.textContent.trim() && !x.parentElement.closest('svg')
        ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
    const text = walk.nextNode();
    const a = document.createElement('a');
    a.href = url;
    if (svg && (!text || svg.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING)) {
      svg.parentNode.insertBefore(a, svg); a.appendChild(svg);
    } else if (text) {
      text.parentNode.insertBefore(a, text); a.appendChild(text);
    }
  };
  const out = [];
  document.querySelectorAll('h2, h3, h4, .legend').forEach((h, k) => {
    let n = h.nextElementSibling;
    while (n && n.matches('h2, h3, h4, .legend, p.note, p.warn')) n = n.nextElementSibling;
    if (!n) return;
    out.push([k, h.textContent.trim().slice(0, 40)]);
    mark(h, 'http://mark.invalid/h/' + k);
    mark(n, 'http://mark.invalid/n/' + k);
  });
  return out;
}"""


def _link_pages(pdf: bytes) -> tuple[int, dict[str, list[int]]]:
    """The PDF's page count, and each link's pages (1-based) in page order. Skia writes
    pages and annotations as plain objects; the streams are skipped. A sliver of a link
    under 2 pt tall (the margin of a heading moved to the next page) is not counted."""
    body = re.sub(rb"stream\r?\n.*?endstream", b"", pdf, flags=re.S)
    objs = {int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", body, re.S)}

    def kids(o: bytes) -> list[int]:
        m = re.search(rb"/Kids \[([^\]]*)\]", o)
        return [int(x) for x in re.findall(rb"(\d+) 0 R", m[1])] if m else []

    def leaves(ids: list[int]) -> list[int]:
        out: list[int] = []
        for i in ids:
            out += leaves(kids(objs[i])) if b"/Type /Pages" in objs[i] else [i]
        return out

    root = next(o for o in objs.values() if b"/Type /Pages" in o and b"/Parent" not in o)
    where: dict[str, list[int]] = {}
    order = leaves(kids(root))
    for p, pid in enumerate(order, 1):
        m = re.search(rb"/Annots \[([^\]]*)\]", objs[pid])
        for a in re.findall(rb"(\d+) 0 R", m[1]) if m else []:
            uri = re.search(rb"/URI \((.*?)\)", objs[int(a)])
            rect = re.search(rb"/Rect \[([^\]]*)\]", objs[int(a)])
            if uri and rect:
                y0, y1 = (float(v) for v in rect[1].split()[1::2])
                if abs(y1 - y0) >= 2:
                    where.setdefault(uri[1].decode(), []).append(p)
    return len(order), where


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_heading_or_legend_ends_a_printed_page(
        browser: Any, pages: dict[str, str], tmp_path: Path, lang: str) -> None:
    """The review's A4 print (zh): the map's heading and legend on page 1, the map on page
    2; 各时段快反圈, 工时最多的人员, 单元时间轴 and 勤务表 each ended a page with its table on
    the next. Every heading and legend now prints on the page where what it introduces
    begins."""
    path = tmp_path / "report.html"
    path.write_text(pages[lang], encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())
    marked = page.evaluate(MARK)
    n_pages, where = _link_pages(page.pdf(format="A4"))
    page.close()
    assert n_pages > 5 and len(marked) > 15
    alone = []
    for k, text in marked:
        head, follows = where.get(f"http://mark.invalid/h/{k}"), where.get(
            f"http://mark.invalid/n/{k}")
        assert head and follows, (text, head, follows)
        if max(head) != min(follows):
            alone.append(f"{text!r} on page {max(head)}, what follows on page {min(follows)}")
    assert not alone, alone


def test_the_timeline_prints_across_the_page_with_ids_on_one_line(
        browser: Any, pages: dict[str, str], tmp_path: Path) -> None:
    """The timeline's unit ids wrapped in print (TX- / C1) and its 24 hours ran wider than
    the page (983 px of 688: chromium shrank every page to fit it): laid out for print at
    A4's width less its margins, each id is one line and the page fits."""
    path = tmp_path / "report.html"
    path.write_text(pages["zh"], encoding="utf-8")
    width = round((210 - 2 * 14) / 25.4 * 96)  # A4 less the @page margins, CSS px
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.emulate_media(media="print")
    page.goto(path.as_uri())
    lines = page.evaluate("""() => [...document.querySelectorAll(
        '#timeline tbody tr > td:first-child')].map(td => {
          const r = document.createRange(); r.selectNodeContents(td);
          return [td.textContent, new Set([...r.getClientRects()].map(x => x.top)).size];
        })""")
    box = page.locator("#timeline table").bounding_box()
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert lines and all(n == 1 for _, n in lines), [u for u, n in lines if n != 1]
    assert box is not None and box["x"] + box["width"] <= width + 1, (box, width)
    assert wide <= width  # nothing wider than the page, which chromium would shrink to fit
