"""bench/intel.py's ingestion figures: what its target and its DataFrame say they are."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench() -> Any:
    sys.path.insert(0, str(BENCH))  # its _common
    try:
        spec = importlib.util.spec_from_file_location("bench_intel", BENCH / "intel.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["bench_intel"] = mod  # (its dataclasses look their module up)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(BENCH))


def test_a_small_run_meets_no_million_row_target_and_its_frame_holds_times(
        data_dir: Path) -> None:
    """2,000 rows in a fraction of a second said "target ≤ 10 s: met"; the DataFrame's
    "parsed" times were text (read_csv left the column as str for the 0.1 % bad rows)."""
    got = _bench().bench_ingest(2000, data_dir, 1)
    assert got["meets"] == "not applicable"
    assert got["target_rows"] == 1_000_000
    assert got["dataframe_time_dtype"].startswith("datetime64"), got["dataframe_time_dtype"]
    # the bad times are NaT in the frame and rejected as in the file
    assert got["dataframe_kept"] == got["kept"]
