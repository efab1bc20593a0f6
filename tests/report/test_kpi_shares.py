"""The KPI table gives shares as percentages, as the maps' legends do (a zh review: 见警率
0.969 beside a legend in %), and times and minutes as numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xunfang.planning.pipeline import PlanResult


@pytest.mark.parametrize(("lang", "label"), [("zh", "见警率"), ("en", "Visibility")])
def test_shares_in_the_kpi_table_are_percentages(county: tuple[PlanResult, Path, Path],
                                                 lang: str, label: str) -> None:
    result, zh, en = county
    html = ((zh if lang == "zh" else en) / "report.html").read_text(encoding="utf-8")
    row = re.search(rf"<tr><td>{label}</td>(.*?)</tr>", html)
    assert row is not None
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(1))
    vis = result.kpis["plan"]["visibility"]
    lo, hi = result.kpis["plan"]["visibility_ci"]
    assert cells[0] == f"{100 * vis:.1f}% [{100 * lo:.1f}%, {100 * hi:.1f}%]"
    assert all(re.fullmatch(r"\d+\.\d% \[\d+\.\d%, \d+\.\d%\]|—", c) for c in cells)
    p50 = re.search(r"<tr><td>(?:到场时间中位数（分钟）|Response p50 \(min\))</td>(.*?)</tr>", html)
    assert p50 is not None and "%" not in p50.group(1)
