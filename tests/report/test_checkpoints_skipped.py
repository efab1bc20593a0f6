"""A plan with no checkpoint schedule says so and why (a review: the county's Saturday plan,
its sworn officers off at the weekend, had the checkpoints section gone without a word)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.report.html import render_report
from xunfang.scenario.loader import load


def test_a_saturday_without_sworn_officers_says_why_there_are_no_checks() -> None:
    request = PlanRequest(start=date(2026, 12, 5))
    result = build_plan(load("ebian"), request)
    assert result.checkpoints is None
    assert str(result.stages["checkpoints"]["skipped"]).startswith(
        "no checkpoint team can check in any slot: no sworn officer")
    zh = render_report(result, request, lang="zh")
    said = re.search(r'<p class="bad" id="checkpoints-skipped">(.*?)</p>', zh)
    assert said is not None and "本方案没有设卡排程" in said[1]
    assert "无民警带队，辅警不得单独盘查" in said[1] and "sworn" not in said[1]
    en = render_report(result, request, lang="en")
    assert "This plan has no checkpoint schedule: no checkpoint team can check" in en
    # a scenario with no checkpoint post has nothing to schedule, and says nothing
    quiet = replace(result, stages={**result.stages,
                                    "checkpoints": {"skipped": "the scenario has no "
                                                                "checkpoint posts"}})
    assert 'id="checkpoints-skipped"' not in render_report(quiet, request, lang="en")
