"""The report shows the posture's dosage note: the grids the model left well under their
share of the units, and why (a trade-off of its objective, not a shortage)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from xunfang.planning import deploy
from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.report.html import render_report, when_text
from xunfang.scenario.loader import load


def test_the_report_shows_the_dosage_note() -> None:
    sc = load("ebian")
    req = PlanRequest(start=date(2025, 7, 1))
    result = build_plan(sc, req)
    slots = result.plan.slots
    inp = deploy.prepare(sc, result.network, slots)
    n_g, n_t = inp.n_grids, len(slots)
    risk = np.full((n_g, n_t), 0.1 / (n_g - 1))
    risk[2] = 0.9  # one grid with 90 % of the risk: the requirements leave it under half
    post = deploy.plan_posture(replace(inp, risk=risk, record=risk.copy()))
    doc = post.summary()
    note = doc["dosage"]["note"]  # type: ignore[index]
    html = render_report(replace(result, stages={**result.stages, "posture": doc}), req,
                         lang="en")
    section = html[html.index('<section id="shortfalls">'):]
    section = section[:section.index("</section>")]
    # its times said as the report's (review HD: "at 2025-07-01T03:00")
    assert when_text(str(note), False).replace("'", "&#39;") in section
    # the Chinese report says it in Chinese, from the same grid-slots
    zh = render_report(replace(result, stages={**result.stages, "posture": doc}), req,
                       lang="zh")
    part = zh[zh.index('<section id="shortfalls">'):]
    part = part[:part.index("</section>")]
    rows = doc["dosage"]["grid_slots"]  # type: ignore[index]
    assert f"警力剂量：{len(rows)} 个网格·时段" in part and "earns nothing" not in part
    # and all the English note says: the mobile units beyond their grid's first, the ring
    # holders and what frees them, the yardstick, the worst slot's time as HH:MM (a review)
    dose = doc["dosage"]  # type: ignore[index]
    lo, hi = dose["beyond_first"]  # type: ignore[index]
    assert f"有 {lo}–{hi} 个在本网格第一个单元之外巡逻" in part or f"有 {lo} 个" in part
    note_zh = part[part.index("警力剂量"):]
    note_zh = note_zh[:note_zh.index("</p>")]
    assert "hold_rings=false" in note_zh and "警情记录中的份额" in note_zh
    worst = note_zh.split("缺口最大为")[1][:20]
    assert "T" not in worst and ":" in worst
    # and a posture with no such grid says nothing of it
    quiet = {k: v for k, v in doc.items() if k != "dosage"}
    plain = render_report(replace(result, stages={**result.stages, "posture": quiet}), req,
                          lang="en")
    assert "earns nothing" not in plain


def _dose(start: str) -> dict[str, object]:
    """A posture's dosage with one grid-slot, the worst, starting at ``start``."""
    row = {"grid": "G4", "slot": 26, "start": start, "need": 6.4, "have": 1}
    return {"note": "Dosage: …", "under_share": 0.5, "under_units": 2, "yardstick": "record",
            "grid_slots": [row], "most_short": ["G4"], "worst": row,
            "ring_holders_per_slot": 0.0, "mobile_on_duty": [20, 20], "beyond_first": [3, 3]}


def test_the_chinese_dosage_note_dates_the_worst_slot_of_a_plan_of_several_days() -> None:
    """A review: the Chinese note said the worst slot's HH:MM only (start[11:16]), and a plan
    of several days did not say which day's; it now says MM-DD HH:MM there, HH:MM on a plan
    of one day (the hot grids' peak is written the same way)."""
    from datetime import datetime, timedelta
    from types import SimpleNamespace

    from xunfang.report.html import _deploy_section
    from xunfang.report.i18n import t

    def note(days: int, start: str) -> str:
        t0 = datetime(2026, 12, 1)
        slots = [SimpleNamespace(start=t0 + timedelta(hours=h), index=h)
                 for h in range(24 * days)]
        result = SimpleNamespace(plan=SimpleNamespace(slots=slots, units=()),
                                 stages={"posture": {"dosage": _dose(start)}})
        return str(_deploy_section(result, lambda k, **kw: t(k, "zh", **kw),  # type: ignore[arg-type]
                                   "zh")["dosage"])

    several = note(2, "2026-12-02T03:00")
    even = {**_dose("2026-12-01T03:00"), "yardstick": "same"}
    result = SimpleNamespace(plan=SimpleNamespace(slots=[SimpleNamespace(
        start=datetime(2026, 12, 1, h), index=h) for h in range(24)], units=()),
        stages={"posture": {"dosage": even}})
    # a plan with no forecast and no record in a grid: every grid's need an even split,
    # said so in both languages (the English is the posture's own note)
    text = str(_deploy_section(result, lambda k, **kw: t(k, "zh", **kw), "zh")["dosage"])  # type: ignore[arg-type]
    assert "网格在各网格均分（无风险预测，网格内无警情记录）中的份额" in text, text
    from xunfang.planning.deploy.solve import _dosage_note

    inp = SimpleNamespace(slots=[SimpleNamespace(index=0, name="2026-12-01T03:00")],
                          grids=("G1", "G2"))
    got = _dosage_note(inp, np.array([[0], [4]]), [(0, np.array([3.0, 3.0]), 4, 0, 2)],  # type: ignore[arg-type]
                       "same")
    assert got is not None and got["yardstick"] == "same"
    assert ("the grid's share of the even split (no forecast, no record in a grid)"
            in str(got["note"]))
    assert "缺口最大为 G4 12-02 03:00（实有 1，需求 6.4）" in several, several
    one = note(1, "2026-12-01T03:00")
    assert "缺口最大为 G4 03:00（实有 1，需求 6.4）" in one, one


def test_the_kpi_note_says_what_the_incidents_were_sampled_from() -> None:
    """A review: the report said "incidents sampled from the forecast" of a plan without
    one (its KPIs sampled from the record's weekly profile)."""
    sc = load("ebian")
    req = PlanRequest(start=date(2025, 7, 1))
    result = build_plan(sc, req)
    with_forecast = render_report(result, req, lang="en")
    assert "Incidents sampled from the forecast" in with_forecast
    kpis = {**result.stages["kpis"], "incidents": "sampled from the record's weekly profile"}  # type: ignore[dict-item]
    plain = render_report(replace(result, stages={**result.stages, "kpis": kpis}), req,
                          lang="zh")
    assert "按历史警情的每周分布抽样警情" in plain and "按预测抽样警情" not in plain


def test_the_dosage_note_says_what_a_record_need_rests_on() -> None:
    """A review: "worst G3 at Saturday 04:00: 5 of 12.8" rested on 4 of the 5 incidents two
    years recorded at that hour of the week, while the forecast put G3 at 0.010 then; the
    report showed nothing to reconcile the two. The note now says the counts behind the
    worst need, and how many of its grid-slots rest on a thin record, in both languages."""
    from types import SimpleNamespace

    from xunfang.planning.deploy.solve import THIN_RECORD, _dosage_note
    from xunfang.report.html import _dosage_text
    from xunfang.report.i18n import t

    slots = [SimpleNamespace(index=0, name="2026-12-05T04:00"),
             SimpleNamespace(index=1, name="2026-12-05T11:00")]
    counts = np.array([[1.0, 40.0], [4.0, 20.0]])  # G1, G2 at Saturday 04:00 and 11:00
    inp = SimpleNamespace(slots=slots, grids=("G1", "G2"), record_counts=counts)
    have = np.array([[6, 10], [1, 1]])
    dose = [(0, np.array([2.0, 12.8]), 8, 0, 5), (1, np.array([8.0, 4.0]), 8, 0, 5)]
    got = _dosage_note(inp, have, dose, "record")  # type: ignore[arg-type]
    assert got is not None
    worst = got["worst"]
    assert worst == {"slot": 0, "start": "2026-12-05T04:00", "grid": "G2", "need": 12.8,
                     "have": 1, "record_in_grid": 4.0, "record_at_hour": 5.0}
    assert got["thin"] == 1 and got["thin_below"] == THIN_RECORD == 30
    note = str(got["note"])
    assert ("worst G2 at 2026-12-05T04:00: 1 of 12.8 (the record holds 5 incidents at that "
            "hour of the week, 4 of them in G2); 1 of the 2 rest on fewer than 30 recorded "
            "incidents at their hour of the week, a thin yardstick.") in note
    zh = _dosage_text(got, lambda k, **kw: t(k, "zh", **kw), "zh")
    assert ("缺口最大时段的需求依据：历史记录中一周内该时段（各周合计）共 5 起警情，"
            "其中 4 起在 G2。" in zh)
    assert "其中 1 个网格·时段所依据的该时段警情记录少于 30 起，需求估计依据不足。" in zh
    # a forecast yardstick has no record counts to show
    plain = _dosage_note(inp, have, dose, "forecast")  # type: ignore[arg-type]
    assert plain is not None and "record_at_hour" not in plain["worst"]
    assert plain["thin"] == 0 and "thin yardstick" not in str(plain["note"])
    assert "需求依据" not in _dosage_text(plain, lambda k, **kw: t(k, "zh", **kw), "zh")


def test_the_chinese_report_names_the_shortfall_duties_in_chinese() -> None:
    """The shortfall table of a Chinese report had the posture's English duty names
    ("fixed post", "joint patrol"); they are now its words, an event's level keeping its
    name, the English report as plan.json says them."""
    from datetime import datetime
    from types import SimpleNamespace

    from xunfang.report.html import _deploy_section
    from xunfang.report.i18n import t

    rows = [{"slot": 0, "start": "2026-12-01T08:00", "duty": d, "place": "G1", "need": 2,
             "have": 1, "detail": "not enough units on duty"}
            for d in ("fixed post", "joint patrol", "staging", "event Fair level 2")]
    result = SimpleNamespace(
        plan=SimpleNamespace(slots=[SimpleNamespace(start=datetime(2026, 12, 1, 8), index=0)],
                             units=()),
        stages={"posture": {"shortfalls": rows}})

    def duties(lang: str) -> list[str]:
        got = _deploy_section(result, lambda k, **kw: t(k, lang, **kw), lang)  # type: ignore[arg-type]
        return [f["duty"] for f in got["shortfalls"]]

    assert duties("zh") == ["固定岗", "联合巡逻", "驻守点", "活动“Fair”2 级勤务"]
    assert duties("en") == ["fixed post", "joint patrol", "staging", "event Fair level 2"]


def test_the_report_lists_the_other_stages_shortfalls() -> None:
    """A review: the report said "No shortfall." / "无缺口。" of a plan whose drones stage
    left 101 thin grid-slots unflown (plan.json's stages.drones.shortfalls)."""
    from datetime import datetime
    from types import SimpleNamespace

    from xunfang.report.html import _deploy_section
    from xunfang.report.i18n import t

    said = "101 thin (grid, slot) cell(s) not flown for want of a free drone"
    slots = [SimpleNamespace(start=datetime(2026, 12, 1, 8), index=0)]
    for stages, want in (({"posture": {}, "drones": {"shortfalls": [said]}},
                          [("无人机巡飞", said)]),
                         ({"posture": {}, "drones": {"shortfalls": []}}, [])):
        result = SimpleNamespace(plan=SimpleNamespace(slots=slots, units=()), stages=stages)
        got = _deploy_section(result, lambda k, **kw: t(k, "zh", **kw), "zh")  # type: ignore[arg-type]
        assert got["other_short"] == want
    sc = load("ebian")
    req = PlanRequest(start=date(2026, 12, 1))
    result = build_plan(sc, req)
    drones = result.stages["drones"]["shortfalls"]  # type: ignore[index]
    assert drones  # the county's drones leave thin grid-slots unflown that day
    html = render_report(result, req, lang="zh")
    part = html[html.index('<section id="shortfalls">'):]
    part = part[:part.index("</section>")]
    assert ("无缺口" not in part) == bool(drones)
    from xunfang.report.html import PlaceNames, _cells_said, _stage_short_text

    when = _cells_said(result, PlaceNames(result, "zh"))  # cells by name and time (review AR)
    for text in drones:  # type: ignore[union-attr]
        # in the report's language (review AO: the Chinese report showed the English)
        said = _stage_short_text("drones", str(text), lambda k, **kw: t(k, "zh", **kw), "zh",
                                 when)
        assert said != text and said.replace("'", "&#39;") in part
