"""Times of incidents.csv without an offset on the scenario's own timezone (no
source_timezone) that its clock skips or shows twice: the same rule as with source_timezone
and as `xunfang intel ingest --tz` — a time in the daylight-saving gap is left out with a
warning naming the file, row and field; one in the fold is kept as written, and said."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

import xunfang.scenarios
from xunfang import scenario
from xunfang.intel.ingest import FOLD, GAP

from .test_source_timezone_dst import first_times


def _county(tmp_path: Path, times: list[str]) -> Path:
    """The built-in county on America/Chicago's clock, its first rows' times ``times``."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'timezone = "Asia/Shanghai"' in text
    toml.write_text(text.replace('timezone = "Asia/Shanghai"', 'timezone = "America/Chicago"'),
                    encoding="utf-8")
    return first_times(folder, times)


def test_gap_left_out_and_fold_kept_on_the_scenario_clock(tmp_path: Path) -> None:
    """A review: without source_timezone, 2025-03-09T02:30 (no such time in Chicago) was
    loaded unchecked, where `intel ingest --tz America/Chicago` lists it."""
    plain = scenario.load(_county(tmp_path / "a", []))
    folder = _county(tmp_path / "b", ["2025-03-09T02:30", "2025-11-02T01:30",
                                      "2025-03-09T03:30"])
    res = scenario.check(folder)
    dst = [p for p in res.problems if p.rule in ("dst-gap", "dst-fold")]
    assert [(p.file, p.row, p.column, p.rule, p.severity) for p in dst] == [
        ("incidents.csv", 1, "time", "dst-gap", "warning"),
        ("incidents.csv", 2, "time", "dst-fold", "warning")]
    # ingest's own words for the rule, with the field that names the clock
    assert GAP.format(zone="America/Chicago") in dst[0].message
    assert FOLD.format(zone="America/Chicago") in dst[1].message
    assert "scenario.toml timezone" in dst[0].message and "left out" in dst[0].message
    assert "kept as written" in dst[1].message
    assert res.scenario is not None
    inc = res.scenario.incidents
    assert len(inc) == len(plain.incidents) - 1
    assert inc.ids[:2] == plain.incidents.ids[1:3]
    assert inc.time[0] == np.datetime64("2025-11-02T01:30")
    assert inc.time[1] == np.datetime64("2025-03-09T03:30")


def test_a_date_at_a_midnight_change_is_the_days_first_instant(tmp_path: Path) -> None:
    """America/Havana's clocks go forward at 00:00: a date alone is kept as 01:00 of that day,
    as ingest keeps it; 00:30 is left out."""
    folder = _county(tmp_path, ["2024-03-10", "2024-03-10T00:30"])
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'timezone = "America/Chicago"', 'timezone = "America/Havana"'), encoding="utf-8")
    res = scenario.check(folder)
    assert [p.row for p in res.problems if p.rule == "dst-gap"] == [2]
    inc = scenario.load(folder).incidents
    assert inc.time[inc.ids.index("I000001")] == np.datetime64("2024-03-10T01:00")
    assert "I000002" not in inc.ids
