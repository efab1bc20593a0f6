"""The grounded drones' reason (drones.py's _grounded) after a re-plan takes a pilot's ground
unit out of service, and its slots said as runs of hours (review HB2: the reason said "no
pilot of TX-D1, TX-D2 on duty" of two rostered pilots on duty whose motorcycle was out of
service, and a 3-day plan's Chinese reason named every hour one by one, 1,596 characters)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.planning.test_drones_thin import ENGLISH, PEOPLE
from tests.planning.test_routes import DAY, LATTICE
from xunfang import scenario
from xunfang.plan import make_slots
from xunfang.planning.drones import plan_drones
from xunfang.report.html import _cells_said, _stage_short_text
from xunfang.report.i18n import Lang, t

Make = Callable[..., Path]


def _reason(make_scenario: Make, **kw: Any) -> str:
    """The one shortfall of a day no drone is crewed: PA rides C1 in slots 0-7; from slot 8
    C1 is out of service, PA and PB, its rostered crew, on duty aboard nothing."""
    sc = scenario.load(make_scenario({**LATTICE, "people.csv": PEOPLE}))
    crews = {("C1", s.index): ("PA", "PB") for s in DAY[:8]}
    dp = plan_drones(sc, None, DAY, {("W", s.index): 1.0 for s in DAY}, seed=0,
                     on_duty={s.index: [] for s in DAY}, crews=crews, **kw)
    assert dp.sorties == () and len(dp.shortfalls) == 1
    return dp.shortfalls[0]


def test_a_pilot_whose_unit_is_out_of_service_is_said_on_duty(make_scenario: Make) -> None:
    benched = {("C1", s.index): ("PA", "PB") for s in DAY[8:]}
    said = _reason(make_scenario, benched=benched)
    assert said.endswith(
        " — pilot PA of D1 rides C1 in slot(s) 0-7; "
        "pilot PA of D1 is on duty, their unit C1 out of service, in slot(s) 8-23; "
        "[policy.drones] crew_first = true would crew a drone before the ground units beyond "
        "one per home post"), said
    assert "no pilot" not in said
    # in Chinese whole, the unit out of service (停用) and the pilot on duty (在岗)
    zh = _stage_short_text("drones", said, lambda k, **kw: t(k, "zh", **kw), "zh")
    assert zh != said and not ENGLISH.search(zh), zh
    assert "D1 的飞手 PA 在 8-23 在岗，但其地面单元 C1 停用" in zh, zh
    en = _stage_short_text("drones", said, lambda k, **kw: t(k, "en", **kw), "en")
    assert en == said


def test_without_a_unit_out_of_service_no_pilot_is_on_duty(make_scenario: Make) -> None:
    said = _reason(make_scenario)
    assert "; no pilot of D1 on duty in slot(s) 8-23; " in said, said
    assert "out of service" not in said


def _days(n: int) -> Any:
    slots = make_slots(date(2026, 12, 3), days=n, slot_minutes=60)
    return SimpleNamespace(plan=SimpleNamespace(slots=slots, units=()), stages={}), slots


def test_the_report_says_the_slots_as_runs_of_hours() -> None:
    result, slots = _days(3)
    when = _cells_said(result, None)
    first = slots[0].index
    # runs (drones.py's) and a plan stored before with every slot one by one, alike
    ones = ", ".join(str(first + k) for k in [*range(24, 32), *range(64, 72)])
    runs = f"{first + 24}-{first + 31}, {first + 64}-{first + 71}"
    for value in (ones, runs):
        assert when("slots", value) == "12-04 00:00–08:00, 12-05 16:00–24:00", value
    assert when("slots", str(first + 5)) == "12-03 05:00–06:00"
    one_day, day = _days(1)
    assert _cells_said(one_day, None)("slots", f"{day[0].index}-{day[7].index}") == (
        "00:00–08:00")
    # a slot the plan does not hold leaves the part as written
    assert when("slots", "9999") == "9999"


def test_the_chinese_reason_of_three_days_is_short(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario({**LATTICE, "people.csv": PEOPLE}))
    result, slots = _days(3)
    crews = {("C1", s.index): ("PA",) for s in slots if s.start.hour < 8}
    dp = plan_drones(sc, None, slots, {("W", s.index): 1.0 for s in slots}, seed=0,
                     on_duty={s.index: [] for s in slots}, crews=crews)
    said = dp.shortfalls[0]

    def zh(lang: Lang = "zh") -> str:
        return _stage_short_text("drones", said, lambda k, **kw: t(k, lang, **kw), lang,
                                 _cells_said(result, None))

    text = zh()
    assert "飞手 PA 在 12-03 00:00–08:00, 12-04 00:00–08:00, 12-05 00:00–08:00 编入地面单元 C1" \
        in text, text
    assert "D1 在 12-03 08:00–24:00, 12-04 08:00–24:00, 12-05 08:00–24:00 无飞手在岗" in text
    assert len(text) < 400 and not re.search(r"\d\d:\d\d, \d\d-\d\d \d\d:\d\d,", text), text


def _stage_said(make_scenario: Make, off: dict[int, str]) -> str:
    """The drones stage's shortfalls over a re-plan's posture: C1 on patrol with PA and PB,
    but off with the note ``off[k]`` in slot ``k``, PA and PB still its crew in the inputs
    (a posture has no one aboard a unit off)."""
    from xunfang.plan import Assignment
    from xunfang.planning.patrol_stages import drones_stage

    sc = scenario.load(make_scenario({**LATTICE, "people.csv": PEOPLE}))
    rows = [Assignment(unit="C1", slot=s.index, duty="off", note=off[k]) if k in off
            else Assignment(unit="C1", slot=s.index, duty="grid", grid="W", crew=("PA", "PB"))
            for k, s in enumerate(DAY)]
    rows += [Assignment(unit=u, slot=s.index, duty="off", note="no crew on duty")
             for u in ("C2", "F1", "D1") for s in DAY]
    ctx = SimpleNamespace(scenario=sc, network=None, slots=DAY, seed=0, risk=None, ground={},
                          posture=SimpleNamespace(assignments=tuple(rows)),
                          inputs=SimpleNamespace(crew={("C1", s.index): ("PA", "PB")
                                                       for s in DAY}))
    _, doc, *_ = drones_stage(ctx)  # type: ignore[arg-type]
    return " ".join(doc["shortfalls"])  # type: ignore[arg-type]


def test_the_drones_stage_names_the_crew_of_a_unit_out_of_service(make_scenario: Make) -> None:
    """C1 out of service from slot 8 on, PA and PB still its rostered crew."""
    from xunfang.plan import OUT_OF_SERVICE

    said = _stage_said(make_scenario, {k: OUT_OF_SERVICE for k in range(8, len(DAY))})
    assert ("pilot PA of D1 rides C1 in slot(s) 0-7; pilot PA of D1 is on duty, their unit C1 "
            "out of service, in slot(s) 8-23") in said, said


def test_a_pilot_whose_unit_is_held_at_an_incident_is_said_aboard_it(
        make_scenario: Make) -> None:
    # review: the county re-planned at 10:00 with TX-M1 held in G3 until 12:00 said "no pilot
    # of TX-D1, TX-D2 on duty in slot(s) 10-11" of TXFB02, aboard TX-M1 at the incident
    held = {("C1", s.index): ("PA", "PB") for s in DAY[8:10]}
    said = _reason(make_scenario, held=held)
    assert ("pilot PA of D1 rides C1 in slot(s) 0-7; pilot PA of D1 is aboard C1, held at an "
            "incident, in slot(s) 8-9; no pilot of D1 on duty in slot(s) 10-23; ") in said, said
    zh = _stage_short_text("drones", said, lambda k, **kw: t(k, "zh", **kw), "zh")
    assert zh != said and not ENGLISH.search(zh), zh
    assert "D1 的飞手 PA 在 8-9 随地面单元 C1 在警情现场处置" in zh, zh


def test_the_drones_stage_names_the_crew_of_a_unit_held_at_an_incident(
        make_scenario: Make) -> None:
    """C1 held at an incident in slots 8-9 (the busy note), its crew the inputs'."""
    from xunfang.planning.deploy.solve import BUSY

    said = _stage_said(make_scenario, {8: BUSY, 9: BUSY})
    assert "pilot PA of D1 is aboard C1, held at an incident, in slot(s) 8-9" in said, said
    assert "no pilot" not in said, said
