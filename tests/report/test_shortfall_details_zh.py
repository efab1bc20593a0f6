"""The posture's shortfall details the report's patterns did not say are Chinese in the
Chinese report as on the dashboard (review H4 #2: the dashboard had them, the report kept
plan.json's English: "its key sites' revisit intervals … need at least the work of …")."""

from __future__ import annotations

from xunfang.report.html import _short_row
from xunfang.report.i18n import t


def _row(duty: str, detail: str) -> dict[str, object]:
    return {"slot": 5, "start": "2026-12-02T05:00", "duty": duty, "place": "G4",
            "need": 2, "have": 1, "detail": detail}


def test_patrol_work_hot_and_joint_details_are_said_in_chinese() -> None:
    def zh(key: str, **kw: object) -> str:
        return t(key, "zh", **kw)

    def en(key: str, **kw: object) -> str:
        return t(key, "en", **kw)

    work = ("its key sites' revisit intervals and its lines' frequencies need at least the "
            "work of 0.63 police cars patrolling all the time, planned with 2× that; the "
            "police patrolling there give 0.50×")
    said = _short_row(_row("patrol work", work), zh)
    assert said["duty"] == "巡逻工作量"
    assert said["detail"] == ("其重点部位的复巡间隔与必巡线的频次至少需要相当于 0.63 辆警车全时巡逻"
                              "的工作量，按其 2 倍安排；在此巡逻的警力只提供 0.50 倍")
    hot = _short_row(_row("hot incident",
                          "hot incident: one unit more than planned; not enough units on duty"),
                     zh)
    assert hot["detail"] == "热点警情：需比计划多一个单元；在岗警力不足"
    # English keeps plan.json's words; a detail no pattern knows stays as it is
    assert _short_row(_row("patrol work", work), en)["detail"] == work
    assert _short_row(_row("patrol work", "something else"), zh)["detail"] == \
        "something else"
