"""An event (events.csv) as the report shows it.

A review planned copies of the county with a fair and a bonfire and found in report.html: no
line for the event itself (its hours, level, posts, and the units asked against those
planned); its duty printed 定点备勤 as a permanent post's; the fair's Wednesday overtime listed
on Tuesday (the roster day of the night shift it extends); the bonfire's 00:00–02:00 duties
hidden behind the special duties' "…"; and its shortfall in English in the Chinese report.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.planning.test_deploy import DAY, _inputs
from tests.report.tables import plan_sheet_rows
from xunfang.network import RoadNetwork
from xunfang.plan import Plan
from xunfang.planning import deploy
from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.planning.roster.check import Duty
from xunfang.report.html import _roster_section, _short_row, render_report
from xunfang.report.i18n import Lang, t
from xunfang.scenario import load
from xunfang.scenario.model import Event

#: two English words in a row: a sentence left in English (ids are single words)
ENGLISH = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")


def _T(lang: Lang) -> Any:
    return lambda key, **kw: t(key, lang, **kw)


@pytest.fixture(scope="module")
def fair() -> tuple[PlanResult, list[dict[str, Any]]]:
    """The county's posture on DAY with an event asking more than it has (31 units at KS1
    from 19:00 to 23:00, level 3): its plan and the posture's shortfalls as plan.json holds
    them (about 10 s)."""
    sc = load("ebian")
    net = RoadNetwork.from_scenario(sc)
    at = datetime(DAY.year, DAY.month, DAY.day)
    ev = Event(name="庙会", start=at + timedelta(hours=19), end=at + timedelta(hours=23),
               level=3, posts=("KS1",), extra_staff=30)
    sc = replace(sc, events=(ev,))
    inp = _inputs(sc, net)
    post = deploy.plan_posture(inp)
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t",
                slots=inp.slots, units=tuple(u.id for u in sc.units),
                assignments=post.assignments)
    shorts = [asdict(s) for s in post.shortfalls]
    result = PlanResult(scenario=sc, network=net, plan=plan, coverage={},
                        stages={"posture": {"shortfalls": shorts}})
    return result, shorts


def test_the_event_line_counts_its_units_from_the_plan(fair) -> None:
    from xunfang.report.html import _events_section  # the review found no such line

    result, shorts = fair
    (row,) = _events_section(result, _T("zh"), None)
    assert (row["name"], row["hours"], row["slots"], row["asked"]) == (
        "庙会", f"{DAY:%m-%d} 19:00–23:00", 4, 31)
    assert row["level"] == t("event_level_3", "zh")
    (p,) = row["posts"]
    # the units standing at KS1 for the event, slot by slot, as the posture said it short
    at_post = [f for f in shorts if f["duty"] == "event post"]
    assert len(at_post) == 4
    have = sum(int(f["have"]) for f in at_post)
    assert (p["post"], p["asked"], p["planned"], p["short"]) == ("KS1", 124, have, 124 - have)
    assert p["when"] == ", ".join(f"{f['start'][11:16]} ({f['have']}/31)" for f in at_post)
    # the grids left short of the event's level (presence rows naming it)
    assert row["grid_short"] == sum(1 for f in shorts if "event 庙会 level 3" in f["detail"]
                                    or f["duty"] == "event 庙会 level 3")


def test_an_event_shortfall_said_in_chinese(fair) -> None:
    _, shorts = fair
    mine = [f for f in shorts if "庙会" in f["duty"] + f["detail"]]
    assert {f["duty"] for f in mine} >= {"event post"}
    for f in mine:
        zh = _short_row(f, _T("zh"))
        assert not ENGLISH.search(zh["duty"] + " " + zh["detail"]), zh
        assert "庙会" in zh["detail"]
        assert _short_row(f, _T("en"))["detail"] == f["detail"]  # English as plan.json says
    # a tier-1 ring left unheld while the zone's cars stand at the event's posts says so,
    # in Chinese too (a review: the reason named the patrols only)
    rings = [f for f in mine if f["duty"] == "staging"]
    assert rings
    for f in rings:
        n = re.search(r"; (\d+) car\(s\) or motorcycle\(s\) of its zone are held at event "
                      r"posts \(庙会\)$", f["detail"])
        assert n is not None, f["detail"]
        assert f"；本区 {n.group(1)} 辆汽车/摩托车被活动岗位占用（庙会）" in _short_row(
            f, _T("zh"))["detail"]
    # a grid's one need the event's level (the duty is then "event NAME level N")
    one = {"slot": 19, "start": "x", "duty": "event 庙会 level 2", "place": "G1", "need": 1,
           "have": 0, "detail": "event 庙会 level 2: not enough units on duty"}
    zh = _short_row(one, _T("zh"))
    assert (zh["duty"], zh["detail"]) == ("活动“庙会”2 级勤务", "活动“庙会”2 级勤务：在岗警力不足")


def test_a_grid_short_names_the_units_of_its_zone_at_the_event(fair) -> None:
    """A grid short of its presence while the event's posts hold units that may patrol it
    says how many, counted from the plan (a review: the reason named none of them)."""
    from xunfang.planning.deploy.inputs import unit_zones

    result, shorts = fair
    plan, sc = result.plan, result.scenario
    zones = unit_zones(sc, result.network)
    grids = [g.id for g in sc.areas_of("grid")]
    rows = [f for f in shorts if "not enough units on duty" in f["detail"]
            and f["duty"] != "event post"]
    named = 0
    for f in rows:
        g = grids.index(f["place"])
        at_event = [u for u in plan.units if plan.at(u, f["slot"]).note == "event 庙会"
                    and g in zones[u].tolist()]
        m = re.search(r": not enough units on duty; (\d+) unit\(s\) of its zone are held at "
                      r"event posts \(庙会\)$", f["detail"])
        assert (m is not None) == bool(at_event), f["detail"]
        if m is not None:
            assert int(m.group(1)) == len(at_event)
            assert f"；本区 {len(at_event)} 个单元被活动岗位占用（庙会）" in _short_row(
                f, _T("zh"))["detail"]
            named += 1
    assert named > 0


@pytest.fixture(scope="module")
def with_event(county) -> tuple[PlanResult, list[str]]:
    """The county's plan of 2026-12-01 with a 庙会 at KS1 from 10:00 to 13:00 (2 units a
    slot asked) and two motorcycles standing there for it, one of them gone at 12:00."""
    result, _, _ = county
    plan = result.plan
    ev = Event(name="庙会", start=datetime(2026, 12, 1, 10), end=datetime(2026, 12, 1, 13),
               level=1, posts=("KS1",), extra_staff=1)
    units = ["TX-M1", "TX-M2"]
    changed = {(u, k): replace(plan.at(u, k), duty="post", post="KS1", grid=None, route=(),
                               stops=(), note="event 庙会")
               for u in units for k in (10, 11, 12) if (u, k) != ("TX-M2", 12)}
    plan = replace(plan, assignments=tuple(changed.get((a.unit, a.slot), a)
                                           for a in plan.assignments))
    return replace(result, scenario=replace(result.scenario, events=(ev,)), plan=plan), units


def _section(page: str, sid: str) -> str:
    part = page[page.index(f'<section id="{sid}">'):]
    return html.unescape(part[:part.index("</section>")])


def _rows(part: str) -> list[list[str]]:
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", part, re.S)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_has_a_line_for_the_event(with_event, lang: Lang) -> None:
    result, _ = with_event
    page = render_report(result, PlanRequest(start=date(2026, 12, 1)), lang=lang)
    rows = _rows(_section(page, "events"))
    assert rows[0][0] == t("event_name", lang)
    assert rows[1] == ["庙会", "12-01 10:00–13:00", t("event_level_1", lang), "3",
                       "新华街商圈警务站 (KS1)", "2", "6", "5", "1", "12:00 (1/2)", "—"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_event_duty_reads_as_the_event_not_a_fixed_post(with_event, lang: Lang) -> None:
    result, units = with_event
    page = render_report(result, PlanRequest(start=date(2026, 12, 1)), lang=lang)
    sheet = [r for r in plan_sheet_rows(page) if r and r[0] in units]
    at_ks1 = [r for r in sheet if "新华街商圈警务站" in r[5]]  # neither's home post
    assert [(r[0], r[4]) for r in at_ks1] == [("TX-M1", "12-01 10:00–13:00"),
                                               ("TX-M2", "12-01 10:00–12:00")]
    assert all(r[5] == f"{t('duty_event_of', lang, event='庙会')}: 新华街商圈警务站"
               for r in at_ks1), at_ks1
    # the timeline's hover says it too
    assert t("duty_event", lang) in _section(page, "timeline")


def _roster_days(result: PlanResult, extra: tuple[Duty, ...], days: int = 2
                 ) -> list[dict[str, Any]]:
    ro = result.roster
    assert ro is not None
    first = ro.calendar[0]
    calendar = tuple(replace(first, day=first.day + timedelta(days=i)) for i in range(days))
    info = _roster_section(replace(result, roster=replace(ro, calendar=calendar,
                                                          rows=ro.rows + extra)),
                           _T("en"), "en")
    assert info is not None
    return list(info["days"])


def _special(person: str, day: date, start: datetime, hours: int, reason: str) -> Duty:
    return Duty(day=day, person=person, team="B", shift="special", start=start,
                end=start + timedelta(hours=hours), kind="special", reason=reason)


def test_a_special_duty_is_listed_on_the_day_it_is_worked(county) -> None:
    result, _, _ = county
    d1 = date(2026, 12, 1)
    # the overtime after a night shift of 12-01 (worked 12-02 00:00–08:00): 12-02 08:00–12:00
    late = _special("XB01", d1, datetime(2026, 12, 2, 8), 4, "event:庙会")
    day1, day2 = _roster_days(result, (late,))
    assert "XB01" not in day1["special_list"]
    assert "XB01 08:00–12:00 (event 庙会)" in day2["special_list"]
    # a day the table does not hold: on its roster day, dated
    (only,) = _roster_days(result, (late,), days=1)
    assert "XB01 12-02 08:00–12:00 (event 庙会)" in only["special_list"]


def test_an_events_duties_are_never_behind_the_ellipsis(county) -> None:
    result, _, _ = county
    d2 = date(2026, 12, 2)
    at = datetime(2026, 12, 2, 16)
    others = tuple(_special(f"XR{i:02d}", d2, at, 4, "risk") for i in range(8))
    night = tuple(_special(f"XE{i:02d}", d2, at + timedelta(hours=4), 2, "event:篝火")
                  for i in range(3))
    _, day2 = _roster_days(result, others + night)  # the event's after the others
    shown = day2["special_list"]
    assert all(f"XE{i:02d} 20:00–22:00 (event 篝火)" in shown for i in range(3))
    assert shown.endswith(" …") and sum(f"XR{i:02d}" in shown for i in range(8)) == 3
    # a day without an event's duty lists its first six, as before
    _, day2 = _roster_days(result, others)
    assert day2["special_list"] == "; ".join(
        f"XR{i:02d} 16:00–20:00 (risk hours)" for i in range(6)) + " …"

