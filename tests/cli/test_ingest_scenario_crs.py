"""`xunfang intel ingest --scenario` reads x/y columns in the scenario's crs where --crs is
not given, as its help says."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import xunfang.scenarios
from xunfang.cli.main import app

runner = CliRunner()


def test_x_y_columns_take_the_scenarios_crs(tmp_path: Path) -> None:
    """A review: with --scenario the command still asked for --crs for an x/y file."""
    src = Path(xunfang.scenarios.__file__).parent / "ebian" / "incidents.csv"
    rows = src.read_text(encoding="utf-8").splitlines()
    part = tmp_path / "part.csv"
    part.write_text("\n".join(rows[:201]) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "ingest", str(part), "--out", str(tmp_path / "o"),
                              "--scenario", "ebian", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["kept"] == 200 and doc["crs"] == "EPSG:32648"
    assert any("x/y read in EPSG:32648 (the scenario's crs)" in n for n in doc["notes"])
    stored = pd.read_parquet(tmp_path / "o" / "incidents.parquet")
    first = rows[1].split(",")
    assert abs(float(stored["x"].iloc[0]) - float(first[2])) < 0.01
    # a bare file without --crs: still refused by name
    res = runner.invoke(app, ["intel", "ingest", str(part), "--out", str(tmp_path / "b")])
    assert res.exit_code != 0 and "--crs" in res.output


@pytest.mark.parametrize(("rows", "said"), [
    # degrees read in the scenario's crs were refused as "--crs EPSG:32648 is projected"
    ("a,2025-03-01 08:00,103.26,29.23\nb,2025-03-01 09:00,103.27,29.24", "is projected"),
    # x/y some 3,000 km off the scenario's UTM zone as "--crs EPSG:32648 is used in ..."
    ("a,2025-03-01 08:00,3331479.8,3234817.9\nb,2025-03-01 09:00,3331579.8,3234917.9",
     "is used in")])
def test_a_crs_refused_for_the_numbers_is_named_where_it_came_from(
        tmp_path: Path, rows: str, said: str) -> None:
    """A review: the refusal named a --crs nobody gave; the CRS was the scenario's."""
    part = tmp_path / "xy.csv"
    part.write_text("id,time,x,y\n" + rows + "\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "ingest", str(part), "--out", str(tmp_path / "o"),
                              "--scenario", "ebian"])
    assert res.exit_code != 0
    text = " ".join(res.output.split())
    assert f"the scenario's crs EPSG:32648 {said}" in text and "--crs EPSG" not in text
