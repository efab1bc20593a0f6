"""people.csv's ``tier`` column: the tier of the units a person crews (``crew_pool``).

A review: a blank tier was read as the tier "" — the person crewed no unit, and
``xunfang scenario check`` said only, of the unit, "they are of tier , precinct". Where the
column is given, a blank cell is a tier left out: an error naming people.csv, the row and the
column, as is a tier no unit has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xunfang import scenario
from xunfang.scenario.model import TIERS

Make = Callable[..., Path]

UNITS = "id,tier,mode,squad,home_post\nu1,special,car,patrol,p1\nu2,special,foot,patrol,p1\n"


def _errors(path: Path) -> list[tuple[str, int | None, str | None, str, str]]:
    return [(p.file, p.row, p.column, p.rule, p.message)
            for p in scenario.check(path).problems if p.severity == "error"]


def test_a_blank_tier_is_an_error_naming_file_row_and_column(make_scenario: Make) -> None:
    people = ("id,role,team,squad,tier\nx1,police,A,patrol,special\n"
              "x2,police,A,patrol,\nx3,police,A,patrol,precinct\n")
    errs = _errors(make_scenario({"units.csv": UNITS, "people.csv": people}))
    # one error, the row's own: not also one for each unit the person would crew
    assert [e[:4] for e in errs] == [("people.csv", 2, "tier", "missing-value")]
    assert errs[0][4] == f"tier is empty: write {', '.join(TIERS)} (the tier of the units " \
        "the person crews)"


def test_a_tier_that_is_no_unit_tier_is_an_error(make_scenario: Make) -> None:
    people = "id,role,team,squad,tier\nx1,police,A,patrol,Special\nx2,police,A,patrol,特警\n"
    errs = _errors(make_scenario({"units.csv": UNITS, "people.csv": people}))
    assert [e[:4] for e in errs] == [("people.csv", 1, "tier", "unknown-value"),
                                     ("people.csv", 2, "tier", "unknown-value")]
    assert "(did you mean 'special'?)" in errs[0][4]
    assert f"tier '特警' is not one of {', '.join(TIERS)}" in errs[1][4]


def test_without_the_column_or_with_every_tier_given_all_is_well(make_scenario: Make) -> None:
    plain = "id,role,team,squad\nx1,police,A,patrol\n"
    tiered = "id,role,team,squad,tier\nx1,police,A,patrol,special\n"
    assert not _errors(make_scenario({"units.csv": UNITS, "people.csv": plain}, name="plain"))
    assert not _errors(make_scenario({"units.csv": UNITS, "people.csv": tiered}, name="tier"))
