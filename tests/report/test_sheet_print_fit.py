"""plan_sheet.xlsx printed (review AT): 242 characters of columns fitted to one A4 landscape
width printed at 56% (about 6 pt), and a page had no header or page number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from xunfang.planning.pipeline import PlanResult
from xunfang.report.i18n import t


def _printed_share(ws: Any) -> float:
    """The scale a one-page-wide A4 landscape print gives the sheet: Excel's column width
    in pixels (96 dpi) is 7 a character and 5 of padding (Calibri 11)."""
    widths = [ws.column_dimensions[c].width for c in "ABCDEFGHI"]
    sheet_px = sum(7 * w + 5 for w in widths)
    page_px = (297 / 25.4 - ws.page_margins.left - ws.page_margins.right) * 96
    return min(1.0, page_px / sheet_px)


def test_the_plan_sheet_prints_at_a_readable_size_with_header_and_pages(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    for folder, lang in ((zh, "zh"), (en, "en")):
        ws = load_workbook(folder / "plan_sheet.xlsx").worksheets[-1]
        assert ws is not None
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        share = _printed_share(ws)
        assert share >= 0.8, f"{folder / 'plan_sheet.xlsx'} prints at {share:.0%} (< 80%)"
        for k in (2, 6, 7, 9):  # the unit's name, grid, place and note wrap
            assert ws.cell(2, k).alignment.wrap_text, k
        head, foot = ws.oddHeader.center.text or "", ws.oddFooter.center.text or ""
        assert f"{result.plan.slots[0].start:%Y-%m-%d}" in head
        assert (result.scenario.title or result.scenario.name) in head
        assert foot == t("sheet_print_footer", lang) and "&P" in foot and "&N" in foot
