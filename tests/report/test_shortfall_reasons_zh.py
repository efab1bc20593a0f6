"""Every posture shortfall the planning core writes is said in Chinese on the zh report and
dashboard: a checkpoint visit or a pin lost (its unit off duty, busy at an incident, pinned
elsewhere) and a fixed post none of whose units holds it were English there, ids and all
(planning/deploy/solve.py's lost() and its fixed posts; html.POSTURE_SHORT_SAID had no
pattern for them, and a fixed post's "F1 (out of service)" kept its English reason)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import pytest

from tests.planning.test_deploy import _inputs
from xunfang.network import RoadNetwork
from xunfang.plan import Plan
from xunfang.planning import deploy
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import PlaceNames, _short_row
from xunfang.report.i18n import Lang, t
from xunfang.scenario import load

#: an English word left in a zh text: ids (TX-C3, KS1, G3) are upper case and digits
ENGLISH_WORD = re.compile(r"\b[a-z]{2,}\b")


def _T(lang: Lang) -> Any:
    return lambda key, **kw: t(key, lang, **kw)


def _row(duty: str, detail: str) -> dict[str, object]:
    return {"slot": 5, "start": "2026-12-02T05:00", "duty": duty, "place": "CP1",
            "need": 1, "have": 0, "detail": detail}


#: each checkpoint, pin and fixed-post detail the core words (solve.py), and its Chinese
SAID = [
    ("checkpoint", "team TX-C3 is off duty (out of service)", "卡点组 TX-C3 不在岗（停用）"),
    ("checkpoint", "team TX-C3 is off duty (no crew on duty)", "卡点组 TX-C3 不在岗（无人在岗）"),
    ("checkpoint", "team TX-C3 is busy at an incident in G3", "卡点组 TX-C3 正在 G3 处警"),
    ("checkpoint", "team TX-C3 is pinned to KS1", "卡点组 TX-C3 已指定部署到 KS1"),
    ("pin", "pinned unit PS1-G is off duty (auxiliary force: off outside its hours)",
     "指定部署的单元 PS1-G 不在岗（群防群治力量：非值守时段）"),
    ("pin", "pinned unit TX-M1 is busy at an incident in G2", "指定部署的单元 TX-M1 正在 G2 处警"),
    ("fixed post", "no unit holds the post: TX-B3 (out of service), TX-C1 (no crew on duty)",
     "无单元值守该岗位：TX-B3（停用）、TX-C1（无人在岗）"),
]


@pytest.mark.parametrize(("duty", "detail", "zh"), SAID)
def test_checkpoint_pin_and_fixed_post_details_are_said_in_chinese(duty: str, detail: str,
                                                                   zh: str) -> None:
    said = _short_row(_row(duty, detail), _T("zh"))
    assert said["detail"] == zh
    assert not ENGLISH_WORD.search(said["duty"] + said["detail"]), said
    # English keeps plan.json's words
    assert _short_row(_row(duty, detail), _T("en"))["detail"] == detail


def test_a_detail_half_known_stays_as_written() -> None:
    # a fixed post's unit off for a reason no pattern knows: the whole detail stays English
    odd = "no unit holds the post: TX-B3 (on a course)"
    assert _short_row(_row("fixed post", odd), _T("zh"))["detail"] == odd
    assert _short_row(_row("pin", "pinned unit X is lost"), _T("zh"))["detail"] == \
        "pinned unit X is lost"


@pytest.fixture(scope="module")
def lost() -> tuple[PlanResult, list[dict[str, Any]]]:
    """The county's posture with a checkpoint team pinned and then out of service over its
    checkpoint visits, a motorcycle busy at an incident over one, two pinned motorcycles one
    out of service and one busy, and the
    three units of fixed post RP1 out of service from 20:00: its plan and the shortfalls as
    plan.json holds them (about 10 s)."""
    sc = load("ebian")
    net = RoadNetwork.from_scenario(sc)
    pins = (deploy.Pin(unit="TX-C3", slots=(2,), post="KS1", note="market"),
            deploy.Pin(unit="TX-M1", slots=(4,), post="KS1"),
            deploy.Pin(unit="TX-M2", slots=(3,), grid="G2"))
    inp = _inputs(sc, net, pins=pins)
    cps = {("TX-C3", 2): "CP1", ("TX-M4", 5): "CP2", ("TX-C3", 9): "CP4"}
    post = deploy.plan_posture(inp, checkpoint_at=cps,
                               out_of_service={"TX-C3": 8, "TX-M1": 4, "TX-C1": 20,
                                               "TX-B3": 20, "TX-B4": 20},
                               busy={"TX-M4": (6, "G3"), "TX-M2": (3, "G3")})
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t",
                slots=inp.slots, units=tuple(u.id for u in sc.units),
                assignments=post.assignments)
    shorts = [asdict(s) for s in post.shortfalls]
    result = PlanResult(scenario=sc, network=net, plan=plan, coverage={},
                        stages={"posture": {"shortfalls": shorts}})
    return result, shorts


def test_the_planned_losses_are_said_in_chinese_on_the_report_and_dashboard(lost) -> None:
    from xunfang.web.routers.plans import plan_shortfalls  # the dashboard's shortfalls

    result, shorts = lost
    got = {(f["duty"], f["slot"], f["detail"]) for f in shorts
           if f["duty"] in ("checkpoint", "pin", "fixed post")}
    assert {("checkpoint", 2, "team TX-C3 is pinned to KS1"),
            ("checkpoint", 5, "team TX-M4 is busy at an incident in G3"),
            ("checkpoint", 9, "team TX-C3 is off duty (out of service)"),
            ("pin", 4, "pinned unit TX-M1 is off duty (out of service)"),
            ("pin", 3, "pinned unit TX-M2 is busy at an incident in G3")} <= got, got
    fixed = [d for duty, _, d in got if duty == "fixed post"]
    assert fixed and all(d.startswith("no unit holds the post: ") for d in fixed), fixed
    # every posture shortfall of the plan, not only these, leaves no English on the zh face
    for f in shorts:
        said = _short_row(f, _T("zh"))
        assert not ENGLISH_WORD.search(str(said["duty"]) + str(said["detail"])), (f, said)
    zh = [str(f["text"]) for f in plan_shortfalls(result, PlaceNames(result, "zh"))]
    assert len(zh) == len(shorts)
    for text in zh:
        assert not ENGLISH_WORD.search(text), text
    assert any("卡点组 TX-C3 已指定部署到 KS1" in x for x in zh)
    assert any("指定部署的单元 TX-M1 不在岗（停用）" in x for x in zh)
    assert any("无单元值守该岗位：TX-C1（停用）、TX-B3（停用）、TX-B4（停用）" in x for x in zh), zh
    en = [str(f["text"]) for f in plan_shortfalls(result, PlaceNames(result, "en"))]
    assert any("team TX-C3 is pinned to KS1" in x for x in en)


def test_the_zh_report_lists_them_in_chinese(lost) -> None:
    import html

    from tests.planning.test_deploy import DAY
    from xunfang.planning.pipeline import PlanRequest
    from xunfang.report.html import render_report

    result, _ = lost
    page = html.unescape(render_report(result, PlanRequest(start=DAY), lang="zh"))
    for said in ("卡点组 TX-C3 已指定部署到 KS1", "卡点组 TX-M4 正在 G3 处警",
                 "卡点组 TX-C3 不在岗（停用）", "指定部署的单元 TX-M2 正在 G3 处警",
                 "无单元值守该岗位：TX-C1（停用）、TX-B3（停用）、TX-B4（停用）"):
        assert said in page, said
    for english in ("team TX-", "pinned unit", "is off duty", "busy at an incident in",
                    "no unit holds the post", "out of service"):
        assert english not in page, english
