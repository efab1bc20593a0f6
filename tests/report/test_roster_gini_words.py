"""roster.xlsx in Chinese as review AT read it: the day team and the skills were left in
English, and the fairness sheet's labels did not say they are Gini coefficients."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from xunfang.planning.pipeline import PlanResult


def test_the_chinese_roster_workbook_says_teams_skills_and_gini(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    assert result.roster is not None
    wb = load_workbook(zh / "roster.xlsx")
    roster = list(wb["排班表"].iter_rows(values_only=True))
    col = roster[0].index("班组")
    teams = {r[col] for r in roster[1:]}
    assert "day" not in teams and "常白班组" in teams, teams
    staff = next(wb["每小时在岗"].iter_rows(values_only=True))
    skills = [h for h in staff if isinstance(h, str) and h.startswith("技能")]
    assert skills and not any(re.search(r"[a-z]", h) for h in skills), skills
    fair = list(wb["公平性"].iter_rows(values_only=True))
    gini = [r[0] for r, k in zip(fair[1:], result.roster.fairness, strict=False)
            if k.startswith("gini")]
    assert gini and all("基尼系数" in str(x) for x in gini), gini
