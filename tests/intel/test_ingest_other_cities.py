"""An audit fed the ingester other cities' files: lon/lat degrees given with a metre CRS
beside a few (0, 0) rows, a neighbouring state-plane zone, German numbers, priorities in
English and German words, a placeholder date, no --tz, an HTML table in GB2312 named .xls.
Each is read, or refused with a message that says what is wrong, naming the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xunfang.intel import IngestError, ingest


def _times(n: int) -> list[str]:
    return list(pd.date_range("2023-03-01", periods=n, freq="53min").strftime("%Y-%m-%d %H:%M"))


# -- 7. every error names the file -----------------------------------------------------------
def test_an_error_of_the_crs_names_the_file(tmp_path: Path) -> None:
    """The checks of CRSs and options word their own messages; "--crs EPSG:4326 is
    geographic …" was said without the file it was about."""
    p = tmp_path / "metres.csv"
    p.write_text("time,x,y\n2025-03-01 08:00,331479.8,3234817.9\n")
    with pytest.raises(IngestError, match=r"^\S*metres\.csv: --crs EPSG:4326 is geographic"):
        ingest(p, crs="EPSG:4326")
    frame = pd.read_csv(p, dtype=str)
    with pytest.raises(IngestError, match=r"^DataFrame: --crs EPSG:4326 is geographic"):
        ingest(frame, crs="EPSG:4326")
    # a message that names the file already is left as it is
    with pytest.raises(IngestError, match=r"^\S*metres\.csv: x/y columns need their CRS"):
        ingest(p)
