"""report.html as a Chinese county's duty planner reads and prints it (review AO): the data's
values in the report's language, the checkpoint schedule's unit and crew under their own
headings, and an A4 print (headless chromium's page.pdf) where no heading, note or legend
ends a page with what it introduces on the next."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.report.html import render_report
from xunfang.report.i18n import VALUES, t, value_label
from xunfang.scenario.loader import load


@pytest.fixture(scope="module")
def planned() -> tuple[PlanResult, PlanRequest]:
    """The built-in county's plan of a day, as the review printed it."""
    req = PlanRequest(start=date(2026, 12, 1))
    return build_plan(load("ebian"), req), req


@pytest.fixture(scope="module")
def pages(planned: tuple[PlanResult, PlanRequest]) -> dict[str, str]:
    result, req = planned
    return {lang: render_report(result, req, lang=lang) for lang in ("zh", "en")}


class _Tables(HTMLParser):
    """Every table of a page as (section id, rows of cell texts), the header row first."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.section = ""
        self.cell: list[str] | None = None
        self.svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        elif tag == "svg":
            self.svg += 1
        elif self.svg:
            return
        elif tag == "table":
            self.tables.append((self.section, []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg -= 1
        elif tag in ("td", "th") and self.cell is not None and self.tables and not self.svg:
            self.tables[-1][1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.svg:
            self.cell.append(data)


def _tables(page: str, section: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return [rows for sec, rows in parser.tables if sec == section]


def _column(rows: list[list[str]], head: str) -> list[str]:
    k = rows[0].index(head)
    return [r[k] for r in rows[1:]]


def _section(page: str, sid: str) -> str:
    part = page[page.index(f'<section id="{sid}">'):]
    return part[:part.index("</section>")]


def test_the_chinese_report_says_squads_kinds_fairness_and_status_in_chinese(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """English left in the zh report (review AO): squads (patrol, fixed, checkpoint…), site
    kinds (residential, primary_school…), the fairness rows' keys (gini_nights…), the
    solvers' OPTIMAL / optimal."""
    result, _ = planned
    sc = result.scenario
    zh = pages["zh"]
    # every squad and site kind of the built-in county has its words
    assert {f"squad:{u.squad}" for u in sc.units} <= set(VALUES)
    assert {f"site:{s.kind}" for s in sc.sites} <= set(VALUES)
    (sheet,) = _tables(zh, "plan")
    squads = _column(sheet, t("squad", "zh"))
    raw = {u.squad for u in sc.units}
    assert squads and not raw & set(squads), sorted(raw & set(squads))
    assert "巡逻" in squads and "设卡" in squads
    sites = next(rows for rows in _tables(zh, "access") if t("kind", "zh") in rows[0])
    kinds = _column(sites, t("kind", "zh"))
    assert len(kinds) == len(sc.sites)
    assert not {s.kind for s in sc.sites} & set(kinds)
    assert "小学" in kinds and "居民小区" in kinds
    roster = _section(zh, "roster")
    fairness = next(rows for rows in _tables(zh, "roster") if len(rows[0]) == 2)
    labels = [r[0] for r in fairness]
    assert result.roster is not None and len(labels) == len(result.roster.fairness)
    assert not any(re.search(r"[a-z]_[a-z]", x) for x in labels), labels
    assert "夜班天数" in labels
    assert "OPTIMAL" not in roster and "求解状态 最优" in roster
    assert "risk-peak" not in roster  # the special duties' reasons
    note = _section(zh, "plan").split("</p>")[0]
    assert "optimal" not in note and "求解状态：最优" in note


def test_the_english_report_says_them_in_words(pages: dict[str, str]) -> None:
    en = pages["en"]
    fairness = next(rows for rows in _tables(en, "roster") if len(rows[0]) == 2)
    labels = [r[0] for r in fairness]
    assert "Gini of nights" in labels and not any("_" in x for x in labels), labels
    kinds = _column(next(rows for rows in _tables(en, "access") if "Kind" in rows[0]), "Kind")
    assert "primary school" in kinds and "primary_school" not in kinds
    assert "solver status optimal" in _section(en, "roster")
    assert "fixed post" in _column(_tables(en, "plan")[0], "Squad")


def test_a_value_without_words_is_shown_as_written() -> None:
    """A scenario's own kinds and squads are its words: shown as the data has them."""
    for kind in ("site", "squad", "fairness", "status", "reason"):
        assert value_label(kind, "temple_fair", "zh") == "temple_fair"
        assert value_label(kind, "temple_fair", "en") == "temple_fair"
    assert value_label("site", "primary_school", "zh") == "小学"


def test_the_checkpoint_schedule_shows_unit_and_crew(
        planned: tuple[PlanResult, PlanRequest], pages: dict[str, str]) -> None:
    """The column headed 班组/Team held the unit (TX-C3) and the crew was not shown (review
    AO): the unit under 单元, the people the plan puts on board under 配员."""
    result, _ = planned
    cp = result.checkpoints
    assert cp is not None and cp.days[0]
    for lang in ("zh", "en"):
        schedule = _tables(pages[lang], "checkpoints")[-1]
        assert schedule[0] == [t("hour", lang), t("checkpoint_site", lang), t("unit", lang),
                               t("crew", lang)]
        assert len(schedule) - 1 == len(cp.days[0])
        for row, visit in zip(schedule[1:], cp.days[0], strict=True):
            crew = result.plan.at(visit.team, visit.slot_index).crew
            assert row[2] == visit.team
            assert row[3] == (";".join(crew) or "—")
        people = {p.id for p in result.scenario.people}
        crews = [c for r in schedule[1:] for c in r[3].split(";") if c != "—"]
        assert crews and set(crews) <= people
