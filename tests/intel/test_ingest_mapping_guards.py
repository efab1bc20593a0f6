"""Ingestion refuses what would be read wrongly without a word: conflicting column
mappings, a coordinate mapped beside its partner guessed from another kind of column, a
file whose incidents span more than any jurisdiction; and its report and messages say what
the file holds (its own coordinates, a folder for a folder, the CRS's real unit)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xunfang.intel import IngestError, ingest, parse_columns


def _chicago_like(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Chicago's layout: a time, longitude and latitude in degrees, and a district number."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "date": pd.date_range("2010-01-01", periods=n, freq="37min").strftime("%Y-%m-%d %H:%M"),
        "longitude": np.round(rng.uniform(-87.85, -87.55, n), 4),
        "latitude": np.round(rng.uniform(41.65, 42.00, n), 4),
        "district": rng.integers(1, 26, n),
    })


# -- parse_columns: one column per field, one kind of coordinates ------------------------------
def test_a_field_mapped_twice_is_refused_naming_it() -> None:
    with pytest.raises(IngestError, match=r"field 'time' is mapped twice \('when' and 'lng'\)"):
        parse_columns("time=when,time=lng")
    assert parse_columns("time=when,time=when") == {"time": "when"}  # the same: no conflict


def test_lon_lat_beside_x_y_is_refused_naming_them(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="--columns: maps lon, lat and x, y"):
        parse_columns("time=t,lon=a,lat=b,x=c,y=d")
    with pytest.raises(IngestError, match="maps lon and y"):
        parse_columns("time=t,lon=a,y=d")
    # the Python API's mapping too (a dict cannot repeat a field, but it can mix the kinds)
    p = tmp_path / "inc.csv"
    p.write_text("t,a,b,c,d\n2025-03-01 08:15,103.26,29.23,500000,3234000\n")
    with pytest.raises(IngestError, match=r"inc\.csv: --columns maps lon, lat and x, y"):
        ingest(p, columns={"time": "t", "lon": "a", "lat": "b", "x": "c", "y": "d"})
