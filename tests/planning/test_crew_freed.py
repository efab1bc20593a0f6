"""crew_freed: the crew of a unit a re-plan takes out of service crews the units off for want
of a crew by crewing's rules (deploy/inputs.py; used by from_plan.free_crews)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_replan_freed_crew import PEOPLE
from tests.planning.test_routes import LATTICE
from xunfang import scenario
from xunfang.planning.deploy.inputs import DeployError, crew_freed
from xunfang.scenario.model import Scenario

Make = Callable[..., Path]

UNITS = ("id,tier,mode,squad,home_post\nC1,special,car,patrol,P1\n"
         "M1,special,motorcycle,patrol,P2\nM2,special,motorcycle,patrol,P2\n"
         "C2,special,car,patrol,P2\nD1,special,drone,patrol,P1\n"
         "F1,precinct,foot,patrol,P1\n")


def _load(make_scenario: Make, toml: str = "") -> Scenario:
    return scenario.load(make_scenario({
        **LATTICE, "units.csv": UNITS,
        "people.csv": PEOPLE + "PF1,police,A,patrol,,precinct\n",
        "scenario.toml": LATTICE["scenario.toml"] + toml}))


def test_a_freed_pilot_flies_the_drone_off_for_want_of_one(make_scenario: Make) -> None:
    sc = _load(make_scenario)
    assert crew_freed(sc, ["PA1"], {"D1"}) == {"D1": ("PA1",)}
    # no unit off, or none the pilot may crew (F1 is of another tier): aboard nothing
    assert crew_freed(sc, ["PA1"], set()) == {}
    assert crew_freed(sc, ["PA1"], {"F1"}) == {}


def test_ground_units_before_the_drone_unless_crew_first(make_scenario: Make) -> None:
    # by crewing's rules the drones come last: a motorcycle off takes the rider-pilot first
    sc = _load(make_scenario)
    assert crew_freed(sc, ["PA1"], {"M2", "D1"}, {"P2"}) == {"M2": ("PA1",)}
    first = _load(make_scenario, "[policy.drones]\ncrew_first = true\n")
    assert crew_freed(first, ["PA1"], {"M2", "D1"}, {"P2"}) == {"D1": ("PA1",)}
    # ... after one unit at each home post no unit on duty holds: M2 holds P2 first
    assert crew_freed(first, ["PA1"], {"M2", "D1"}) == {"M2": ("PA1",)}


def test_the_rest_of_a_freed_crew_takes_the_units_it_can(make_scenario: Make) -> None:
    sc = _load(make_scenario)
    # a car's crew freed: the car off for want of a crew takes both drivers; the pilot
    # among them is the least sought and is left for the drone
    got = crew_freed(sc, ["PA1", "PA2", "PA3"], {"C2", "D1"})
    assert set(got) == {"C2", "D1"} and got["D1"] == ("PA1",)
    assert set(got["C2"]) == {"PA2", "PA3"}
    # one driver alone cannot take a car (two seats): aboard nothing
    assert crew_freed(sc, ["PA2"], {"C2"}) == {}


def test_unknown_ids_are_named(make_scenario: Make) -> None:
    sc = _load(make_scenario)
    with pytest.raises(DeployError, match=r"unknown unit\(s\) \['X9'\]"):
        crew_freed(sc, ["PA1"], {"X9"})
    with pytest.raises(DeployError, match=r"unknown people \['NOBODY'\]"):
        crew_freed(sc, ["NOBODY"], {"D1"})
