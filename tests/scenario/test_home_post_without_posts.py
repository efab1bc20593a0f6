"""Unknown home posts as the posts table stands: missing, unread, or read with no rows.

read_units says each unit's home_post unknown where there is no posts table to find it in,
but not where a posts table is there and could not be read (its own error is said once, not
once per unit): posts_rows, None in both cases, cannot tell the two apart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from xunfang import scenario

Make = Callable[..., Path]

UNITS = "id,tier,mode,squad,home_post\nu1,special,car,patrol,p1\nu2,special,foot,patrol,p1\n"


@pytest.mark.parametrize(
    ("files", "said", "first"),
    [
        ({"posts.csv": None}, [("unknown-post", 1), ("unknown-post", 2)], None),
        ({"posts.xlsx": b"never read"}, [("ambiguous-table", None), ("unknown-post", 1),
                                         ("unknown-post", 2)], "ambiguous-table"),
        ({"posts.csv": "id,name,kind,node\n"},
         [("unknown-post", 1), ("unknown-post", 2)], "empty-file"),
        ({"scenario.toml": 'name = "mini"\ncrs = "EPSG:999999"\n'}, [("crs", None)], "crs"),
        ({"posts.csv": b"id,name,kind,node\np1,\xff\xff\xff,station,a\n"},
         [("encoding", None)], "encoding"),
        ({"posts.csv": "id,name,node\np1,S,a\n"}, [("missing-column", 0)], "missing-column"),
    ],
    ids=["no-posts", "two-posts-tables", "header-only", "crs-unusable", "undecodable",
         "no-kind-column"],
)
def test_home_posts_are_unknown_only_where_no_posts_table_could_hold_them(
        make_scenario: Make, files: dict[str, str | bytes | None],
        said: list[tuple[str, int | None]], first: str | None) -> None:
    result = scenario.check(make_scenario({"units.csv": UNITS, **files}))
    assert [(p.rule, p.row) for p in result.errors] == said
    assert first is None or result.problems[0].rule == first
    unknown = [p for p in result.errors if p.rule == "unknown-post"]
    assert all(("no data rows" in p.message) == (first == "empty-file") for p in unknown)
