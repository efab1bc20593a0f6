"""The report's 勤务表 on A4 (review AR): its short columns each print on one line and a row
that is not a route's streets is no taller than two lines (the tier, mode and squad columns
were squeezed to one CJK character a line, rows about 70 px tall)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xunfang.planning.pipeline import PlanResult
from xunfang.report.i18n import t

#: the lines of text each cell of the plan sheet's rows takes: [unit, cells' line counts]; a
#: row after a unit's first of the day holds its slots, duty and crew, the unit's four cells
#: spanning it from the first (their counts, the first row's, stand in for them)
LINES = """(route) => { let unit = '', head = [];
  return [...document.querySelectorAll('#plan tbody tr')].map(tr => {
    const n = [...tr.cells].map(td => {
      const r = document.createRange(); r.selectNodeContents(td);
      return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; });
    if (tr.cells.length === 7) { unit = tr.cells[0].textContent; head = n.slice(0, 4); }
    const all = tr.cells.length === 7 ? n : head.concat(n);
    return [unit, all, tr.cells[tr.cells.length - 2].textContent.startsWith(route + ': ')];
  }); }"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_sheet_prints_its_short_columns_on_one_line(
        browser: Any, county: tuple[PlanResult, Path, Path], lang: str) -> None:
    _, zh, en = county
    folder = zh if lang == "zh" else en
    # laid out as page.pdf(format="A4") lays it out: print media, A4 less the @page margins
    width = round((210 - 2 * 14) / 25.4 * 96)
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.emulate_media(media="print")
    page.goto((folder / "report.html").as_uri())
    rows = page.evaluate(LINES, t("duty_route", lang))
    assert page.pdf(format="A4")  # it prints
    page.close()
    assert len(rows) > 100
    # unit, tier, mode, squad and time: one line each; the crew too
    squeezed = [(u, n) for u, n, _ in rows if max(n[:5]) > 1 or n[6] > 1]
    assert not squeezed, squeezed[:5]
    # a duty other than a route's streets (a post, a grid, staging's ring) in two lines at
    # most in Chinese; the English staging note is longer, three
    most = 2 if lang == "zh" else 3
    tall = [(u, n) for u, n, route in rows if not route and n[5] > most]
    assert not tall, tall[:5]
