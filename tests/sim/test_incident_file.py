"""`sim.incidents.read_file`: rows the simulator cannot replay are refused by row and field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.sim.test_engine import GRID, ONE_CAR, POSTS, Make
from xunfang import scenario
from xunfang.sim import SimError
from xunfang.sim.incidents import read_file

FILES = {"posts.csv": POSTS, "units.csv": ONE_CAR, "areas.geojson": json.dumps(GRID)}
HEAD = "id,time,x,y,category,priority\n"


@pytest.mark.parametrize("prio", ["0", "-4"])
def test_a_priority_below_one_is_refused(make_scenario: Make, tmp_path: Path,
                                         prio: str) -> None:
    sc = scenario.load(make_scenario(FILES))
    f = tmp_path / "calls.csv"
    f.write_text(HEAD + "c1,2025-03-03T00:10,400,0,x,1\n"
                 f"c2,2025-03-03T01:10,400,0,x,{prio}\n", encoding="utf-8")
    with pytest.raises(SimError) as e:
        read_file(f, sc, date(2025, 3, 3), 1)
    msg = str(e.value)
    assert "calls.csv" in msg and "row 2, column 'priority'" in msg and ">= 1" in msg
    assert repr(prio) in msg


def test_a_duplicate_id_names_both_rows(make_scenario: Make, tmp_path: Path) -> None:
    sc = scenario.load(make_scenario(FILES))
    f = tmp_path / "calls.csv"
    f.write_text(HEAD + "q1,2025-03-03T00:10,400,0,x,1\nq2,2025-03-03T00:20,400,0,x,2\n"
                 "q1,2025-03-03T01:10,0,0,x,2\n", encoding="utf-8")
    with pytest.raises(SimError) as e:
        read_file(f, sc, date(2025, 3, 3), 1)
    msg = str(e.value)
    assert "calls.csv, row 3, column 'id'" in msg and "'q1'" in msg and "row 1" in msg
    # without an id column the rows are numbered, and one priority 1 is fine
    g = tmp_path / "noid.csv"
    g.write_text("time,x,y,category,priority\n2025-03-03T00:10,400,0,x,1\n"
                 "2025-03-03T00:10,400,0,x,1\n", encoding="utf-8")
    assert read_file(g, sc, date(2025, 3, 3), 1).ids == ("1", "2")
