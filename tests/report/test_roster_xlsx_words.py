"""roster.xlsx in the plan's language (review AR: a Chinese plan's workbook was all English:
sheet names, headers, shifts, kinds, reasons, fairness measures, calendar days)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from xunfang.planning.pipeline import PlanResult
from xunfang.planning.roster import write_xlsx
from xunfang.report.i18n import t, value_label


def _sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_the_chinese_plan_writes_a_chinese_roster_workbook(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    assert result.roster is not None
    sheets = _sheets(zh / "roster.xlsx")
    assert list(sheets) == ["排班表", "每小时在岗", "人员工时", "日历", "公平性"]
    roster = sheets["排班表"]
    head = roster[0]
    assert head[:4] == ("日期", "人员", "班组", "班次")
    col = {h: k for k, h in enumerate(head)}
    shifts = {r[col["班次"]] for r in roster[1:]}
    want = {t(f"shift_{d.shift}", "zh") if d.shift != "special" else "加班"
            for d in result.roster.rows}
    assert shifts == want and "early" not in shifts
    assert {r[col["类型"]] for r in roster[1:]} <= {"正常班", "加班勤务"}
    reasons = {r[col["原因"]] for r in roster[1:] if r[col["原因"]]}
    assert reasons and not any("risk" in str(x) for x in reasons), reasons
    assert {r[col["身份"]] for r in roster[1:]} == {
        value_label("role", d.role, "zh") for d in result.roster.rows}
    fair = sheets["公平性"]
    assert fair[0] == ("指标", "数值")
    assert fair[1][0] == value_label("fairness", next(iter(result.roster.fairness)), "zh")
    assert not any(str(r[0]).startswith(("gini", "solver ")) for r in fair[1:])
    days = sheets["日历"]
    assert days[1][1] == t(f"day_{result.roster.calendar[0].kind}", "zh")
    for rows in sheets.values():  # every header in Chinese, no English name left
        assert not any(isinstance(h, str) and h.isascii() and h.isalpha() for h in rows[0]), \
            rows[0]


def test_without_words_the_workbook_stays_english(
        county: tuple[PlanResult, Path, Path], tmp_path: Path) -> None:
    result, _, en = county
    assert result.roster is not None
    for path in (en / "roster.xlsx", write_xlsx(result.roster, tmp_path / "r.xlsx")):
        sheets = _sheets(path)
        assert list(sheets) == ["roster", "staff per hour", "hours per person", "calendar",
                                "fairness"]
        assert sheets["roster"][0][:4] == ("date", "person", "team", "shift")
