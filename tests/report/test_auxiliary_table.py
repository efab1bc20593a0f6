"""The report's table of the auxiliary forces (review B: report.html never showed where the
volunteers, merchants, guards and grid workers stand, nor when, nor how many)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from xunfang.planning.pipeline import PlanResult


def _table(page: str) -> list[list[str]]:
    part = page[page.index('<section id="auxiliary">'):]
    part = part[:part.index("</section>")]
    cells = r"<t[dh][^>]*>(.*?)</t[dh]>"
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(cells, r)]
            for r in re.findall(r"<tr>(.*?)</tr>", part, re.S)]


def test_auxiliary_placements_in_the_report(county: tuple[PlanResult, Path, Path]) -> None:
    result, zh_dir, en_dir = county
    placed = result.stages["auxiliary"]["placements"]
    assert placed
    zh = _table((zh_dir / "report.html").read_text(encoding="utf-8"))
    en = _table((en_dir / "report.html").read_text(encoding="utf-8"))
    assert zh[0] == ["单元", "类别", "时段", "地点", "人数", "配员"]
    assert en[0] == ["Unit", "Kind", "Hours", "Place", "People", "Crew"]
    assert len(zh) == len(en) > 1
    # every placement is in a row: its unit, its place, its people; consecutive slots at one
    # place are one row
    for p in placed:
        assert any(f"({p['unit']})" in r[0] and f"({p['place']})" in r[3]
                   and r[4] == str(p["people"]) for r in en[1:]), p
    yj2 = [r for r in zh[1:] if "(YJ-2)" in r[0]]
    assert yj2 and all(r[1] == "义警" for r in yj2)
    assert any(r[2] == "12-01 18:00–22:00" and "(S16)" in r[3] for r in yj2), yj2
    assert any(r[2] == "12-01 22:00–23:00" and "滨河夜市 (S17)" in r[3] for r in yj2), yj2
    assert any(r[1] == "security guards" for r in en[1:])
    # the report makes no request outside itself
    page = (zh_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']https?://""", page)
