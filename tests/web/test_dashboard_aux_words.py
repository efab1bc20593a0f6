"""The dashboard says an auxiliary force holding one key site in its hours (BA-1, YJ-1 …) is
on point duty (定点值守), as the printed report does, not route patrol (路线巡逻): the plan
stores it as a "route" of one node, and the sheet's titles and the map's hovers said it by
that duty (V("duty", "route"))."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Env
from xunfang.report.html import at_one_place
from xunfang.report.i18n import t
from xunfang.web.i18n import values

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

APP_JS = Path(__file__).parents[2] / "src" / "xunfang" / "web" / "static" / "app.js"


def _get(env: Env, path: str) -> dict[str, Any]:
    r = env.login("viewer").get(f"/api/plans/{env.centre.current}/{path}")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_point_duty_is_said_as_the_report_says_it(env: Env) -> None:
    plan = env.centre.current_plan.plan
    point = {(a.unit, a.slot) for a in plan.assignments if at_one_place(a)}
    assert point, "the county's plan has auxiliary forces holding key sites"
    for lang in ("zh", "en"):
        assert values(lang)["duty:point"] == t("duty_point", lang)
    assert values("zh")["duty:point"] == "定点值守"
    # the duty sheet: each cell's word, the duty itself kept for programs
    sheet = _get(env, "sheet?lang=zh")
    words: dict[tuple[str, int], str] = {}
    for row in sheet["rows"]:
        for a, cell in zip(plan.of_unit(row["unit"]), row["cells"], strict=True):
            assert cell["duty"] == a.duty
            words[(a.unit, a.slot)] = cell["word"]
    assert {k for k, w in words.items() if w == "point"} == point
    assert "route" in words.values()  # a patrol's route is still said as route patrol
    # the map's planned places, slot by slot
    places = _get(env, "places?lang=zh")
    first = plan.slots[0].index
    seen = {(p["unit"], first + i): p["word"] for i, ps in enumerate(places["places"])
            for p in ps}
    assert {k for k, w in seen.items() if w == "point"} == point & set(seen)
    assert point & set(seen)
    # the page says the word, not the stored duty, in the sheet's titles and the map's hovers
    js = APP_JS.read_text(encoding="utf-8")
    assert 'title: V("duty", c.word || c.duty)' in js
    assert '${V("duty", p.word || p.duty)}' in js
