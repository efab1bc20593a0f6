"""`xunfang intel ingest --scenario` reads an export's times on the clock scenario.toml's
source_timezone names, as the scenario's own incidents.csv is read."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

import xunfang.scenarios
from xunfang.cli.main import app
from xunfang.intel import read_parquet

runner = CliRunner()


def _county(tmp_path: Path, extra: str) -> Path:
    """A copy of the built-in county with ``extra`` added to the top of its scenario.toml."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    head, rest = toml.read_text(encoding="utf-8").split("[policy]", 1)
    toml.write_text(head + extra + "\n\n[policy]" + rest, encoding="utf-8")
    return folder


def test_ingest_with_a_scenario_reads_times_on_its_source_timezone(tmp_path: Path) -> None:
    """A review: `intel ingest --scenario` read a UTC export as local time where
    scenario.toml says source_timezone = "UTC" (8 h off in Asia/Shanghai)."""
    sc = _county(tmp_path, 'source_timezone = "UTC"')
    src = tmp_path / "in.csv"
    src.write_text("id,time,lon,lat\na1,2025-03-01 08:00,103.262,29.228\n", encoding="utf-8")

    def hour(*more: str) -> int:
        out = tmp_path / f"o{len(more)}"
        res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(out),
                                  "--scenario", str(sc), *more])
        assert res.exit_code == 0, res.output
        table = read_parquet(out / "incidents.parquet")
        return int(str(table.time[0])[11:13])

    assert hour() == 16
    assert hour("--source-tz", "Asia/Shanghai") == 8  # the option overrides it
