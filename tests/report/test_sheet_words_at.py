"""The duty sheet's words as review AT read them: a run's end on a later day carries its
date, staging is not route patrol (plan_sheet.xlsx, the report's timeline), and the English
staging note reads as English."""

from __future__ import annotations

import csv
import html
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from openpyxl import load_workbook

from xunfang.network import RoadNetwork
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import STAGING_NOTE, PlaceNames, note_text
from xunfang.report.i18n import t
from xunfang.scenario.loader import load


def test_a_run_ending_on_a_later_day_carries_that_date() -> None:
    from xunfang.report.html import span_text

    d = datetime
    # 48 h on one duty read "12-01 00:00–24:00"; staging to 02:00 next day "12-01 00:00–02:00"
    assert span_text(d(2026, 12, 1, 0), d(2026, 12, 3, 0)) == "12-01 00:00–12-02 24:00"
    assert span_text(d(2026, 12, 1, 0), d(2026, 12, 2, 2)) == "12-01 00:00–12-02 02:00"
    # within a day, and a day's end at midnight, stay as they were
    assert span_text(d(2026, 12, 1, 8), d(2026, 12, 1, 16)) == "12-01 08:00–16:00"
    assert span_text(d(2026, 12, 1, 16), d(2026, 12, 2, 0)) == "12-01 16:00–24:00"
    assert span_text(d(2026, 12, 1, 22), d(2026, 12, 2, 6)) == "12-01 22:00–12-02 06:00"


def _csv(folder: Path) -> list[dict[str, str]]:
    with (folder / "plan_sheet.csv").open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_staging_is_called_staging_in_the_xlsx_and_the_timeline(
        county: tuple[PlanResult, Path, Path]) -> None:
    _, zh, en = county
    for folder, lang in ((zh, "zh"), (en, "en")):
        rows = _csv(folder)
        ws = load_workbook(folder / "plan_sheet.xlsx").worksheets[-1]
        assert ws is not None
        kinds = [c for (c,) in ws.iter_rows(min_row=2, min_col=5, max_col=5, values_only=True)]
        staged = [k for r, k in zip(rows, kinds, strict=True) if STAGING_NOTE.match(r["duty"])]
        assert staged and set(staged) == {t("duty_staging", lang)}, set(staged)
        # the timeline's hover of a staging cell: its time, then 屯警 / staging
        text = (folder / "report.html").read_text(encoding="utf-8")
        titles = [html.unescape(x) for x in re.findall(r'title="(\d\d:\d\d [^"]*)"', text)]
        mark = "屯警：守住" if lang == "zh" else "-minute ring of"  # the staging note's words
        held = [x for x in titles if mark in x]
        assert held
        for x in held:
            assert x.split(" ", 1)[1].startswith(t("duty_staging", lang) + " "), x
            assert t("duty_route", lang) not in x, x


def test_the_english_staging_note_reads_as_english(make_scenario: Any) -> None:
    folder = make_scenario({"network/edges.csv": "u,v,name\na,b,人民路\nb,c,人民东路\n"
                                                 "c,d,建设路\nd,a,\nc,e,人民东路\n"})
    sc = load(folder)
    result: Any = SimpleNamespace(scenario=sc, network=RoadNetwork.from_scenario(sc),
                                  stages={})
    names = PlaceNames(result, "en")
    note = ("staging at node {n}: holds the 3.0-minute ring of S1 (patrols around it between "
            "calls)")
    where = note_text(note.format(n="b"), names, "en")
    assert where.startswith("staging where 人民路 becomes 人民东路: holds"), where
    crossing = note_text(note.format(n="c"), names, "en")
    assert crossing.startswith("staging at the 人民东路 / 建设路 crossing: holds"), crossing
    assert "at where" not in where + crossing
    zh = note_text(note.format(n="b"), PlaceNames(result, "zh"), "zh")
    assert zh.startswith("在人民路（人民东路起点）屯警"), zh
