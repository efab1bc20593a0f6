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
