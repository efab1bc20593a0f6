"""Which (grid, slot) cells the ground plan leaves thin, and why the drones did not fly them.

A review: the drones' ``thin`` was risk / (1 + ground units) over every cell, so all 168
grid-hours of the county were "thin" and "not flown", hours with three units in the grid
among them, and the reason ("no pilot on duty, or none to spare") did not say which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.planning.test_routes import DAY, LATTICE
from xunfang import scenario
from xunfang.planning.drones import DroneParams, plan_drones, thin_cells
from xunfang.report.html import _stage_short_text
from xunfang.report.i18n import Lang, t

Make = Callable[..., Path]

#: two English words in a row (tests/report/test_stage_sentences.py's yardstick)
ENGLISH = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")

PEOPLE = ("id,role,team,squad,skills,tier\n"
          "PA,police,A,patrol,driver;drone_pilot,special\n"
          "PB,police,A,patrol,driver,special\n"
          "PC,police,B,patrol,drone_pilot,special\n"
          "PF,police,A,patrol,,precinct\n")


def test_thin_is_a_share_of_the_risk_above_the_share_of_the_ground_units() -> None:
    # slot 0: 4 units on risk 1.0. A holds exactly its share (2 of 4 on half the risk): not
    # thin; B has 30 % of the risk and no unit: thin; C has 20 % and half the units: not.
    # slot 1: no unit anywhere: every grid with risk is thin, one with none is not.
    risk = {("A", 0): 0.5, ("B", 0): 0.3, ("C", 0): 0.2,
            ("A", 1): 0.4, ("B", 1): 0.0, ("C", 1): 0.1}
    ground = {("A", 0): 2.0, ("C", 0): 2.0}
    assert thin_cells(risk, ground) == {("B", 0): pytest.approx(0.3),
                                        ("A", 1): pytest.approx(0.4),
                                        ("C", 1): pytest.approx(0.1)}
    # a thin cell with units keeps the weight risk / (1 + units): A has 70 % of the risk and
    # 1 of 3 units
    got = thin_cells({("A", 0): 0.7, ("B", 0): 0.3}, {("A", 0): 1.0, ("B", 0): 2.0})
    assert got == {("A", 0): pytest.approx(0.35)}


@pytest.mark.parametrize(("risk", "ground", "needle"), [
    ({("A", 0): -0.1}, {}, r"risk: \('A', 0\) must be finite and >= 0; got -0\.1"),
    ({("A", 0): float("nan")}, {}, r"risk: \('A', 0\) must be finite and >= 0; got nan"),
    ({("A", 0): 0.1}, {("A", 0): -1.0}, r"ground: \('A', 0\) must be finite and >= 0"),
])
def test_bad_risk_or_ground_is_named(risk: dict[tuple[str, int], float],
                                     ground: dict[tuple[str, int], float], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        thin_cells(risk, ground)


def test_min_thin_still_drops_light_thin_cells(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario(LATTICE))
    # W is thin in every slot (all the risk, none of the 2 units); E holds its share
    thin = thin_cells({(g, s.index): r for g, r in (("W", 0.8), ("E", 0.2)) for s in DAY},
                      {("E", s.index): 2.0 for s in DAY})
    assert set(thin) == {("W", s.index) for s in DAY}
    flown = plan_drones(sc, None, DAY, thin, seed=0)
    assert {g for g, _ in flown.flown} == {"W"}
    assert plan_drones(sc, None, DAY, thin, seed=0, params=DroneParams(min_thin=0.8)
                       ).sorties == ()


def _grounded(make_scenario: Make, toml: str = "") -> str:
    """The shortfall of a day no drone is crewed: pilot PA rides car C1 in slots 0-7, no
    pilot of D1 is on duty after; PC (a pilot too) is not on duty at all."""
    sc = scenario.load(make_scenario({**LATTICE, "people.csv": PEOPLE,
                                      "scenario.toml": LATTICE["scenario.toml"] + toml}))
    crews = {("C1", s.index): ("PA", "PB") for s in DAY[:8]}
    dp = plan_drones(sc, None, DAY, {("W", s.index): 1.0 for s in DAY}, seed=0,
                     on_duty={s.index: [] for s in DAY}, crews=crews)
    assert dp.sorties == () and len(dp.shortfalls) == 1
    return dp.shortfalls[0]


def test_the_grounded_drones_say_whose_pilot_rides_what(make_scenario: Make) -> None:
    said = _grounded(make_scenario)
    early = f"{DAY[0].index}-{DAY[7].index}"  # runs of slots (review HB2)
    late = f"{DAY[8].index}-{DAY[-1].index}"
    assert said == (
        "24 thin (grid, slot) cell(s) not flown with no drone crewed, weight 24: W@0, W@1, "
        "W@2, W@3, W@4, W@5 … — "
        f"pilot PA of D1 rides C1 in slot(s) {early}; "
        f"no pilot of D1 on duty in slot(s) {late}; "
        "[policy.drones] crew_first = true would crew a drone before the ground units beyond "
        "one per home post")
    # with crew_first already set, the sentence does not offer it
    set_ = _grounded(make_scenario, "[policy.drones]\ncrew_first = true\n")
    assert set_.endswith("; [policy.drones] crew_first = true is set, and the drones still "
                         "come after one ground unit at each home post")


def test_the_grounded_sentence_is_said_in_chinese_whole(make_scenario: Make) -> None:
    def said(text: str, lang: Lang) -> str:
        return _stage_short_text("drones", text, lambda k, **kw: t(k, lang, **kw), lang)

    for text in (_grounded(make_scenario),
                 _grounded(make_scenario, "[policy.drones]\ncrew_first = true\n")):
        zh = said(text, "zh")
        assert zh != text and not ENGLISH.search(zh), zh
        assert not re.search(r"[a-z]{4,}", zh), zh  # not even crew_first or scenario.toml
        assert "飞手 PA 在 0-7 编入地面单元 C1 执勤" in zh
        assert "D1 在 8-23 无飞手在岗" in zh
        assert said(text, "en") == text  # the English report: the stage's own words
