"""Priorities as Chinese records systems write them (一级, Ⅱ级, 3类) are read as the numbers
they say, with a note; a word that says no number is listed and the row kept with priority 0,
as before. The ingest report is written with a BOM, so Excel in China reads it as UTF-8."""

from __future__ import annotations

from pathlib import Path

from xunfang.intel import ingest
from xunfang.intel.ingest import PRIORITY_RULE


def test_priority_words_are_read_as_numbers(tmp_path: Path) -> None:
    words = ["一级", "二级", "Ⅲ级", "II类", "1级", "P2", "level 3", "2", "尽快", ""]
    rows = "".join(f"2025-03-01 08:{i:02d},103.26,29.23,{w}\n" for i, w in enumerate(words))
    p = tmp_path / "inc.csv"
    p.write_text("报警时间,经度,纬度,警情等级\n" + rows, encoding="utf-8")
    got = ingest(p, columns={"time": "报警时间", "lon": "经度", "lat": "纬度",
                             "priority": "警情等级"}, tz="Asia/Shanghai")
    assert got.table.priority.tolist() == [1, 2, 3, 2, 1, 2, 3, 2, 0, 0]
    assert any(n.startswith("7 priorities written in words read as numbers (一级 → 1, "
                            "二级 → 2, Ⅲ级 → 3, II类 → 2, 1级 → 1, P2 → 2 …)")
               for n in got.report.notes), got.report.notes
    # a word that names no number: listed by row, the row kept without a priority
    assert [(q.row, q.rule, q.value) for q in got.report.problems] == [
        (9, PRIORITY_RULE, "尽快")]
    got.report.write_csv(tmp_path / "ingest_report.csv")
    raw = (tmp_path / "ingest_report.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrow,field,rule,value")
    assert "警情等级" in raw.decode("utf-8-sig")
