"""Review H8: scenario folders that checked clean (or with a warning) and then planned wrong.

Each test is one of the review's broken copies of a scenario, cut down to the mini scenario
of tests/conftest.py where that shows the same fault."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xunfang import scenario
from xunfang._errors import Problem

Make = Callable[..., Path]

UNITS = "id,tier,mode,squad,home_post\nu1,special,car,patrol,p1\nu2,special,foot,patrol,p1\n"


def errors_of(path: Path) -> list[Problem]:
    return [p for p in scenario.check(path).problems if p.severity == "error"]


def test_header_only_posts_makes_every_home_post_unknown(make_scenario: Make) -> None:
    # (review: posts.csv with its header only planned 0 units, one warning, exit 0)
    errs = errors_of(make_scenario({"posts.csv": "id,name,kind,node\n", "units.csv": UNITS}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("units.csv", 1, "home_post", "unknown-post"),
        ("units.csv", 2, "home_post", "unknown-post")]
    assert "no data rows" in errs[0].message


def test_edge_shorter_than_the_straight_line_is_an_error(make_scenario: Make) -> None:
    # (review: one length_m typed in km, 0.2483 for 248 m, checked clean)
    errs = errors_of(make_scenario(
        {"network/edges.csv": "u,v,length_m\na,b,0.4\nb,c,\nc,d,395\nd,a,\nb,e,\n"}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("network/edges.csv", 1, "length_m", "shorter-than-straight")]
    assert "a→b" in errs[0].message and "400.0 m" in errs[0].message
    assert "kilometres" in errs[0].message


def test_every_edge_in_kilometres_is_one_error_saying_so(make_scenario: Make) -> None:
    # (review: every length_m in km checked clean; the plan's p50 response was 0.00094 min)
    errs = errors_of(make_scenario(
        {"network/edges.csv": "u,v,length_m\na,b,0.4\nb,c,0.3\nc,d,0.4\nd,a,0.3\nb,e,0.4\n"}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("network/edges.csv", 1, "length_m", "shorter-than-straight")]
    assert "5 of 5 edges" in errs[0].message and "kilometres" in errs[0].message


def test_rounded_and_longer_lengths_pass(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario(
        {"network/edges.csv": "u,v,length_m\na,b,399.2\nb,c,300\nc,d,520\nd,a,\nb,e,\n"}))
    assert sc.roads.length_m[0] == 399.2
