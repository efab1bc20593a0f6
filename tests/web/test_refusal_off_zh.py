"""A re-plan refused because a unit given busy is off in the plan says why it is off in the
page's language: the plan's note (no crew, outside its duty hours, out of service) was left
in English inside the Chinese refusal."""

from __future__ import annotations

import pytest

from xunfang.web.i18n import replan_refusal

HEAD = ("the plan cannot be re-planned: busy[0]: unit 'PS4-C' is off duty in the plan at "
        "2026-12-04T08:00, the slot of at ")
SAID = ("无法调整方案：busy[0]：警力 'PS4-C' 在方案中 2026-12-04T08:00 时段（调整起始时刻所在时段）"
        "不在岗")


@pytest.mark.parametrize(("note", "zh"), [
    ("off outside its duty hours (units.csv hours 10-2)", "值勤时间（10-2 时）以外"),
    ("no crew on duty", "无人在岗"),
    ("out of service", "停用"),
    ("something no pattern knows", "something no pattern knows"),  # kept as written
])
def test_the_off_note_is_said_in_chinese(note: str, zh: str) -> None:
    assert replan_refusal(f"{HEAD}({note})", "zh") == f"{SAID}（{zh}）"
    assert replan_refusal(f"{HEAD}({note})", "en") == f"{HEAD}({note})"
