"""Review H4 #2 and #4 on the duty sheet's answer, on the built-in county's plan of the
fixture day and a plan of the next day with seed 3 (the review's plan 2, with a posture
shortfall): it carries the plan's shortfalls (in the page's language) and the video desk's
camera tours (plan_sheet.csv's rows of kind video), and its ``place`` is plan_sheet.csv's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from tests.web.conftest import Env, make_env
from xunfang.report.folder import plan_sheet_rows
from xunfang.report.html import OTHER_SHORT_STAGES
from xunfang.report.i18n import t


@pytest.fixture(scope="module")
def county(planned, db_kind, tmp_path_factory) -> Iterator[tuple[Env, int, int]]:
    """The centre on the fixture's plan (current) and the review's plan 2: the next day,
    seed 3, made through the centre as POST /api/plans makes it."""
    e = make_env(planned, db_kind, tmp_path_factory.mktemp("h7"))
    first = e.centre.current
    second = e.centre.make_plan(date(2026, 12, 2), 1, 3, actor="test").id
    yield e, first, second
    e.centre.store.dispose()


def test_the_sheets_place_is_plan_sheet_csvs_and_it_has_the_camera_tours(county) -> None:
    e, first, second = county
    cl = e.login("viewer")
    for pid in (first, second):
        entry = e.centre.entry(pid)
        assert entry.result is not None
        sheet = cl.get(f"/api/plans/{pid}/sheet?lang=zh").json()
        want = plan_sheet_rows(entry.result, "zh")
        units = {(r["unit"], r["slot_start"]): r["place"] for r in want if r["kind"] != "video"}
        got = {(row["unit"], sheet["slots"][i]): c["place"] for row in sheet["rows"]
               for i, c in enumerate(row["cells"]) if c["duty"] != "off"}
        assert got == units
        tours = [r for r in want if r["kind"] == "video"]
        assert tours and [(v["desk"], v["start"], v["end"], v["place"], v["where"])
                          for v in sheet["video"]] == [
            (r["unit"], r["slot_start"], r["slot_end"], r["place"], r["place_name"])
            for r in tours]


def test_the_sheet_says_the_plans_shortfalls(county) -> None:
    e, first, second = county
    cl = e.login("viewer")
    for pid in (first, second):
        doc = e.centre.entry(pid).document
        posture = doc["stages"]["posture"]["shortfalls"]
        others = [(k, s) for k in OTHER_SHORT_STAGES for s in
                  (doc["stages"].get(k) or {}).get("shortfalls") or []]
        for lang in ("zh", "en"):
            got = cl.get(f"/api/plans/{pid}/sheet?lang={lang}").json()["shortfalls"]
            by_slot = [f for f in got if f["slot"] is not None]
            assert [(f["slot"], f["duty"], f["place"], f["need"], f["have"])
                    for f in by_slot] == [(f["slot"], f["duty"], f["place"], f["need"],
                                           f["have"]) for f in posture]
            for f in by_slot:
                assert f["duty_said"] == t("short_" + f["duty"], lang)
                assert f"{f['need']}" in f["text"] and f"{f['have']}" in f["text"]
                assert f["start"][11:16] in f["text"]
                if lang == "zh":  # the reason in Chinese, not plan.json's English
                    assert not re.search(r"[a-z]{4,}", f["text"]), f["text"]
                else:
                    src = next(s for s in posture if s["slot"] == f["slot"]
                               and s["place"] == f["place"])
                    assert src["detail"] in f["text"]
            day = [(f["stage"], f["text"]) for f in got if f["slot"] is None]
            assert [k for k, _ in day] == [k for k, _ in others]
            for (_, x), (_, src) in zip(day, others, strict=True):
                if lang == "en":  # plan.json's sentence (its cells' slots as clock times)
                    assert x.split(":")[0] == src.split(":")[0]
                else:  # said in Chinese
                    assert not re.search(r"[a-z]{4,}", x), x
    # plan 2 has a posture shortfall (the review's: 05:00, G4, patrol work, need 2, have 1)
    assert e.centre.entry(second).document["stages"]["posture"]["shortfalls"]
