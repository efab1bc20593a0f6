"""roster.xlsx as Excel uses it (review AO): dates and times are date cells that sort and
filter as dates, the header row is frozen, and the columns are sized to what they hold."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from xunfang.planning import roster as R
from xunfang.planning.roster.result import XLSX_DATE, XLSX_DATETIME
from xunfang.scenario.loader import load


def test_roster_xlsx_has_date_cells_a_frozen_header_and_sized_columns(tmp_path: Path) -> None:
    r = R.make_roster(load("ebian"), date(2026, 12, 1), 1)
    wb = load_workbook(R.write_xlsx(r, tmp_path / "roster.xlsx"))
    ws = wb["roster"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, (c.value for c in row), strict=True))
            for row in ws.iter_rows(min_row=2)]
    assert len(rows) == len(r.rows)
    for d, row in zip(r.rows, rows, strict=True):
        # the wall clock of the duty, as a datetime Excel sorts (it was the text '…T08:00')
        assert row["start"] == d.start.replace(tzinfo=None)
        assert row["end"] == d.end.replace(tzinfo=None)
        assert isinstance(row["date"], datetime) and row["date"].date() == d.day
    assert ws.cell(2, head.index("start") + 1).number_format == XLSX_DATETIME
    assert ws.cell(2, head.index("date") + 1).number_format == XLSX_DATE
    slot = wb["staff per hour"].cell(2, 1).value
    assert isinstance(slot, datetime) and slot == r.slots[0].replace(tzinfo=None)
    assert isinstance(wb["calendar"].cell(2, 1).value, datetime)
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEFG"}
    # a date-time column is wider than the team letter's, and neither is openpyxl's 13
    assert widths["E"] > widths["C"] and 13 not in (widths["C"], widths["E"])
    assert widths["E"] >= len("2026-12-01 08:00")


def test_roster_xlsx_prints_one_page_wide_with_the_header_on_every_page(tmp_path: Path) -> None:
    """A planner's review: the workbook printed at 100 % portrait, the right-hand columns on
    pages of their own and no header after the first page."""
    r = R.make_roster(load("ebian"), date(2026, 12, 1), 1)
    wb = load_workbook(R.write_xlsx(r, tmp_path / "roster.xlsx"))
    for sheet in wb.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert str(setup.paperSize) == str(sheet.PAPERSIZE_A4), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
