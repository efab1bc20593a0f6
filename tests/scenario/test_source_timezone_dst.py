"""Times of incidents.csv without an offset, read on scenario.toml's source_timezone, that its
clock skips or shows twice (daylight-saving), said row by row: a skipped time is left out
and a repeated one kept (its first instant), as `xunfang intel ingest --tz` has them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np

import xunfang.scenarios
from xunfang import scenario


def _county(tmp_path: Path, times: list[str]) -> Path:
    """The built-in county read on America/Chicago's clock, its first rows' times ``times``."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    head, rest = toml.read_text(encoding="utf-8").split("[policy]", 1)
    toml.write_text(head + 'source_timezone = "America/Chicago"\n\n[policy]' + rest,
                    encoding="utf-8")
    return first_times(folder, times)


def first_times(folder: Path, times: list[str]) -> Path:
    """``folder``'s incidents.csv with its first rows' times ``times``."""
    path = folder / "incidents.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for k, when in enumerate(times, start=1):
        rows[k][1] = when
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder


def test_daylight_saving_gap_is_left_out_and_fold_kept_by_row(tmp_path: Path) -> None:
    """A review: 2025-03-09T02:30 (no such time in Chicago) and 2025-11-02T01:30 (twice) loaded
    as 16:30 and 14:30 of Asia/Shanghai, 0 warnings in `scenario check`. The gap is left out;
    the fold is kept, as `xunfang intel ingest --tz` keeps it, read as its first instant."""
    plain = scenario.load(_county(tmp_path / "a", []))
    folder = _county(tmp_path / "b", ["2025-03-09T02:30", "2025-11-02T01:30",
                                      "2025-11-02T01:30-05:00", "2025-03-09T03:30"])
    res = scenario.check(folder)
    dst = [p for p in res.problems if p.rule in ("dst-gap", "dst-fold")]
    assert [(p.file, p.row, p.column, p.rule, p.severity) for p in dst] == [
        ("incidents.csv", 1, "time", "dst-gap", "warning"),
        ("incidents.csv", 2, "time", "dst-fold", "warning")]
    assert "daylight-saving gap" in dst[0].message and "America/Chicago" in dst[0].message
    assert "left out" in dst[0].message and "source_timezone" in dst[0].message
    assert "occurs twice" in dst[1].message and "first of the two" in dst[1].message
    assert "2025-11-02T01:30-05:00" in dst[1].message
    assert res.scenario is not None
    sc = res.scenario
    assert len(sc.incidents) == len(plain.incidents) - 1
    # the fold row, the row with an offset and the hour after the gap are kept; the fold
    # read as 01:30 CDT (-05:00), as the row that says so: 14:30 in Asia/Shanghai
    assert sc.incidents.ids[:3] == plain.incidents.ids[1:4]
    assert sc.incidents.time[0] == sc.incidents.time[1] == np.datetime64("2025-11-02T14:30")


def test_a_date_where_the_clocks_go_forward_at_midnight_is_kept(tmp_path: Path) -> None:
    """A review: on America/Havana (clocks forward at 00:00) a date without its time,
    2024-03-10, was left out as a gap, where `intel ingest --source-tz` keeps it as the
    day's first instant; 00:30 that day is still left out."""
    folder = _county(tmp_path, ["2024-03-10", "2024-03-10T00:30"])
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'source_timezone = "America/Chicago"', 'source_timezone = "America/Havana"'),
        encoding="utf-8")
    res = scenario.check(folder)
    gaps = [p for p in res.problems if p.rule == "dst-gap"]
    assert [p.row for p in gaps] == [2]
    inc = scenario.load(folder).incidents
    kept = inc.time[inc.ids.index("I000001")]
    # Havana's 2024-03-10 begins at 01:00 CDT (UTC-4): 13:00 in Asia/Shanghai
    assert kept == np.datetime64("2024-03-10T13:00")
    assert "I000002" not in inc.ids
