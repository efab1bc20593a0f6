"""report.html says what the plan leaves undone, and a re-plan's report says it is one (review
HR): the checkpoint slots no team could man and the units on duty with no named crew, each
with why, in both languages; the overview's teams by name; a re-plan's report headed as a
re-plan of its plan, keeping the plan in force's roster and checkpoint sections (and saying
so), loading in a browser with no error."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.planning.pipeline import PlanResult
from xunfang.report.html import kept_sections, slot_spans, unmanned_reason
from xunfang.report.i18n import t

runner = CliRunner()
LANGS = ("zh", "en")
AT = "14:00"


def _page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def _section(page: str, sid: str) -> str:
    part = page[page.index(f'<section id="{sid}">'):]
    return part[:part.index("</section>")]


def _table_after(page: str, anchor: str) -> list[list[str]]:
    """The rows (cells as text) of the first table after ``anchor`` (an element's id)."""
    part = page[page.index(f'id="{anchor}"'):]
    table = part[part.index("<table"):part.index("</table>")]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]


def _items(part: str) -> list[str]:
    """The texts of the first list's items in ``part``."""
    ul = part[part.index("<ul"):part.index("</ul>")]
    return [html.unescape(re.sub(r"<[^>]+>", "", x)).strip()
            for x in re.findall(r"<li>(.*?)</li>", ul, flags=re.S)]


def _text(part: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


@pytest.fixture(scope="module")
def replans(county: tuple[PlanResult, Path, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Path]:
    """The county's plan re-planned from 14:00 in each language, its checkpoint car out of
    service (``--force``: the fixture's plan flies its drones, a policy the built-in county's
    files do not say)."""
    _result, zh_dir, en_dir = county
    root = tmp_path_factory.mktemp("hr-replan")
    out = {}
    for lang, folder in (("zh", zh_dir), ("en", en_dir)):
        target = root / lang
        r = runner.invoke(app, ["replan", str(folder), "--at", AT, "--out-of-service", "TX-C3",
                                "--force", "--out", str(target)])
        assert r.exit_code == 0, r.output
        out[lang] = target
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_checkpoint_slots_left_unmanned_are_listed_by_hours_with_why(
        county: tuple[PlanResult, Path, Path], lang: str) -> None:
    """Review HR #1: plan.json listed the checkpoint slots no team could man (no sworn officer
    to lead the crew) and the report did not. The checkpoint section lists them, a row per team
    and reason with its hours as runs (not a line a slot), the rows' slots adding up to all of
    them, the reason in the report's language."""
    result, zh_dir, en_dir = county
    cp = result.checkpoints
    assert cp is not None and cp.unmanned and cp.unmanned[0], "the county leaves some unmanned"
    gone = cp.unmanned[0]
    page = _page(zh_dir if lang == "zh" else en_dir)
    part = _section(page, "checkpoints")
    assert 'id="checkpoints-unmanned"' in part
    # the schedule stays the section's last table (the print tests read it there)
    assert part.rindex("<table") < part.index('id="checkpoints-unmanned"')
    items = _items(part[part.index('id="checkpoints-unmanned"'):])
    groups = dict.fromkeys((u.team, u.reason) for u in gone)
    assert len(items) == len(groups) < len(gone)
    assert t("cp_unmanned_note", lang, n=len(gone)) in _text(part)
    say = lambda k, **kw: t(k, lang, **kw)  # noqa: E731
    whys = set()
    for (team, reason), item in zip(groups, items, strict=True):
        ks = [u.slot_index for u in gone if (u.team, u.reason) == (team, reason)]
        why = unmanned_reason(reason, say)
        whys.add(why)
        spans = slot_spans(result, ks)
        assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d(, \d\d:\d\d–\d\d:\d\d)*", spans), spans
        assert item == t("cp_unmanned_item", lang, unit=f"巡逻突击运兵车3（卡口车组） ({team})",
                         when=spans, n=len(ks), why=why)
    if lang == "zh":
        assert all("无民警带队" in w and "auxiliary" not in w for w in whys), whys
    # the note says what those teams do (the reviewer: it said they patrol): they stand by at
    # their home post, as the plan has them
    home = {u.id: u.home_post for u in result.scenario.units}
    for u in gone:
        a = result.plan.at(u.team, u.slot_index)
        assert a.duty == "post" and a.post == home[u.team], (u, a)
    assert t("cp_unmanned_note", "zh", n=1).endswith("这些班组在驻地备勤（值勤时间以外的则休息）：")


def test_slot_spans_join_runs_and_date_them_over_several_days(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, _, _ = county
    first = result.plan.slots[0].index
    assert slot_spans(result, [first + k for k in (0, 1, 2, 7, 23)]) == (
        "00:00–03:00, 07:00–08:00, 23:00–24:00")


@pytest.mark.parametrize("lang", LANGS)
def test_the_units_on_duty_with_no_named_crew_are_shown_with_why(
        county: tuple[PlanResult, Path, Path], lang: str) -> None:
    """Review HR #2: posture.unnamed_crews (the stations' cars and foot patrols and the
    armed police's car, on duty all day with no named crew) was in plan.json alone. The plan
    sheet's section names every such unit, with the reason in the report's language."""
    result, zh_dir, en_dir = county
    unnamed = result.stages["posture"]["unnamed_crews"]
    assert {"PS1-C", "PS1-F", "WJ-1"} <= set(unnamed)
    part = _section(_page(zh_dir if lang == "zh" else en_dir), "unnamed-crews")
    rows = _table_after(part, "unnamed-crews")
    assert rows[0] == [t("unnamed_units", lang), t("unnamed_why", lang)]
    rows = rows[1:]
    shown = " ".join(r[0] for r in rows)
    for unit in unnamed:
        assert f"({unit})" in shown, unit
    # a station's car and foot patrol share a reason and a row
    assert any("(PS1-C)" in r[0] and "(PS1-F)" in r[0] for r in rows), rows
    ps1 = next(r[1] for r in rows if "(PS1-C)" in r[0])
    if lang == "zh":
        assert ps1.startswith("按本单位值班表配员") and "常白班组" in ps1 and "roster" not in ps1
    else:
        assert ps1 == unnamed["PS1-C"].replace(", day)", ", day team)")


@pytest.mark.parametrize("lang", LANGS)
def test_the_overview_names_the_teams(county: tuple[PlanResult, Path, Path], lang: str) -> None:
    """Review HR #4: the overview's team table showed raw ids (PS1, BA, YJ). A station's team
    is named by its station, a force's by its units, the roster's teams as rotating teams,
    each with its id."""
    _result, zh_dir, en_dir = county
    part = _section(_page(zh_dir if lang == "zh" else en_dir), "counts")
    heads = [t("team", lang), t("role", lang), t("count", lang)]
    i = part.index("".join(f"<th>{h}</th>" for h in heads))
    table = part[i:part.index("</table>", i)]
    teams = {html.unescape(c) for c in re.findall(r"<tr><td>([^<]*)</td>", table)}
    assert "沙坪派出所 (PS1)" in teams and "武警联勤武装巡逻车 (WJ)" in teams, teams
    assert "沙坪派出所网格工作队 (PS1-G)" in teams
    assert t("team_rotating", lang, team="A") in teams and t("team_day", lang) in teams
    assert not {"PS1", "BA", "YJ", "A", "day"} & teams, teams


@pytest.mark.parametrize("lang", LANGS)
def test_a_replan_report_says_it_is_one_and_keeps_the_roster_and_checkpoints(
        county: tuple[PlanResult, Path, Path], replans: dict[str, Path], lang: str) -> None:
    """Review HR #3: a re-plan's report never said it was a re-plan and dropped the roster
    and checkpoint sections. It is headed as a re-plan of its plan from --at, for what it was
    given, with its changes; the roster and checkpoint sections are the plan in force's
    report's (each saying so); the checks the out-of-service team can no longer make are
    named; the units with no named crew are still listed."""
    result, zh_dir, en_dir = county
    plan_dir = zh_dir if lang == "zh" else en_dir
    old, page = _page(plan_dir), _page(replans[lang])
    assert 'id="replan"' not in old
    head = page[page.index("<header>"):page.index("</header>")]
    text = _text(head)
    assert t("replan_title", lang) in text
    assert str(plan_dir) in text and AT in text
    assert t("replan_out", lang, unit="TX-C3", at=AT) in text
    # the plan in force's report by its absolute path (the re-plan's report is read from its
    # own folder), and how many sections it gave
    assert t("replan_kept", lang, path=(plan_dir / "report.html").resolve(), n=2) in text
    for sid in ("roster", "checkpoints"):
        kept = _section(page, sid)
        # the checkpoint section points to the checks the re-plan leaves unmanned (the
        # reviewer: "unchanged" beside checks that will not run)
        said = t("replan_section_kept", lang) + (
            t("replan_section_cp_lost", lang) if sid == "checkpoints" else "")
        assert said in _text(kept)
        # the section as the plan in force's report has it, its note added
        assert kept.replace(f'<p class="note replan-kept">{html.escape(said)}</p>',
                            "") == _section(old, sid)
    lost = [v for v in result.stages["checkpoints"]["schedule"]
            if v["team"] == "TX-C3" and v["slot"][11:16] >= AT]
    assert lost, "TX-C3 has checks after 14:00"
    names = {p.id: p.name for p in result.scenario.posts}
    checks = t("list_sep", lang).join(
        t("replan_cp_item", lang, when=v["slot"][11:16], site=names[v["site"]], unit="TX-C3")
        for v in lost)
    assert t("replan_cp_lost", lang, n=len(lost), checks=checks) in text
    assert '<section id="unnamed-crews">' in page


def test_a_replan_in_another_language_points_to_the_plan_report(
        county: tuple[PlanResult, Path, Path], tmp_path: Path) -> None:
    """The plan in force's report in another language than the re-plan's gives no sections
    to keep (not half one language, half the other): the re-plan's report says where they
    are."""
    _result, zh_dir, _ = county
    assert set(kept_sections(_page(zh_dir), "zh")) == {"roster", "checkpoints"}
    assert kept_sections(_page(zh_dir), "en") == {}
    r = runner.invoke(app, ["replan", str(zh_dir), "--at", AT, "--force", "--lang", "en",
                            "--out", str(tmp_path / "en")])
    assert r.exit_code == 0, r.output
    page = _page(tmp_path / "en")
    assert t("replan_kept_none", "en", path=zh_dir / "report.html") in _text(page)
    assert '<section id="roster">' not in page


@pytest.mark.parametrize("lang", LANGS)
def test_the_plan_and_replan_reports_load_with_no_error(
        county: tuple[PlanResult, Path, Path], replans: dict[str, Path], browser: Any,
        lang: str) -> None:
    """In headless chromium both reports request nothing but themselves and log no error."""
    _result, zh_dir, en_dir = county
    for folder in (zh_dir if lang == "zh" else en_dir, replans[lang]):
        path = folder / "report.html"
        tab = browser.new_page()
        asked: list[str] = []
        errors: list[str] = []
        tab.on("request", lambda r, asked=asked: asked.append(r.url))
        tab.on("console", lambda m, errors=errors: errors.append(m.text)
               if m.type == "error" else None)
        tab.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        tab.goto(path.as_uri())
        assert asked == [path.as_uri()], asked
        assert not errors, errors
        assert tab.locator("#checkpoints-unmanned").count() == 1
        tab.close()


def test_a_replan_of_a_replan_keeps_the_sections_once(replans: dict[str, Path],
                                                      tmp_path: Path) -> None:
    """A re-plan of a re-plan is headed as a re-plan of that one and keeps the sections it
    kept, each saying once that it is the plan in force's."""
    r = runner.invoke(app, ["replan", str(replans["zh"]), "--at", "16:00", "--force",
                            "--out", str(tmp_path / "again")])
    assert r.exit_code == 0, r.output
    page = _page(tmp_path / "again")
    head = _text(page[page.index("<header>"):page.index("</header>")])
    assert str(replans["zh"]) in head
    # the unit the first re-plan took out of service stays out, and the banner says so (the
    # reviewer's r3 named none of them)
    # from when that re-plan took it out (14:00), not from this one's first slot (16:00)
    assert t("replan_out_before", "zh", unit="TX-C3", at=AT) in head
    note = html.escape(t("replan_section_kept", "zh"))
    for sid in ("roster", "checkpoints"):
        assert _section(page, sid).count(note) == 1, sid


def test_an_older_plans_all_day_reason_is_still_said_in_chinese() -> None:
    """The planner now says "on duty in every hour" (a plan of several days is not "all
    day"); a plan.json written before still says "all day", and its reason is still put
    into the report's words, not left in English."""
    from xunfang.report.html import UNNAMED_SAID

    older = ("no one in people.csv can crew it (squad 'WJ', tier 'armed'): on duty all day "
             "with no crew")
    now = older.replace("all day", "in every hour")
    for why in (older, now):
        hits = [key for pattern, key in UNNAMED_SAID if pattern.match(why)]
        assert hits == ["unnamed_no_one"], why
