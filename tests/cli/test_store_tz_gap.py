"""--tz given to an analysis of a store ingested without --tz: the store's times that the
zone's clock skips (its daylight-saving gap) are set aside by ingest's rule and said, never
counted in silence; a repeated (fold) time is kept, as `xunfang intel ingest --tz` keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import read_parquet
from xunfang.intel.ingest import GAP
from xunfang.intel.sources import open_incidents

runner = CliRunner()
CHI = "America/Chicago"
# 2018-03-11 02:00-02:59 does not exist in Chicago; 2018-11-04 01:00-01:59 happens twice
GAPS = ("2018-03-11 02:00", "2018-03-11 02:15", "2018-03-11 02:30", "2018-03-11 02:59")
FOLDS = ("2018-11-04 01:30",)


def _store(tmp_path: Path) -> Path:
    """A year of Chicago-like incidents with the four gap and one fold time, ingested
    without --tz."""
    rng = np.random.default_rng(5)
    n = 1500
    minutes = np.sort(rng.integers(0, 360 * 1440, n))
    times = [str(t).replace("T", " ")[:16] for t in
             np.datetime64("2018-03-20T00:00") + minutes.astype("timedelta64[m]")]
    times += [*GAPS, *FOLDS, "2018-03-11 03:00", "2018-03-11 01:59"]
    lon = -87.65 + 0.01 * rng.integers(0, 5, len(times))
    lat = 41.85 + 0.01 * rng.integers(0, 5, len(times))
    src = tmp_path / "chi.csv"
    src.write_text("date,lon,lat\n" + "".join(
        f"{t},{x:.4f},{y:.4f}\n" for t, x, y in zip(times, lon, lat, strict=True)),
        encoding="utf-8")
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "s"),
                              "--columns", "time=date,lon=lon,lat=lat"])
    assert res.exit_code == 0, res.output
    assert read_parquet(tmp_path / "s" / "incidents.parquet").tz is None
    return tmp_path / "s"


def test_store_read_on_a_zone_sets_its_gap_times_aside(tmp_path: Path) -> None:
    store = _store(tmp_path)
    whole = read_parquet(store / "incidents.parquet")
    src = open_incidents(store, tz=CHI)
    assert src.table.tz == CHI
    assert len(src.table) == len(whole) - len(GAPS)
    kept = {str(t)[:16].replace("T", " ") for t in src.table.time}
    assert not kept & set(GAPS)
    assert {*FOLDS, "2018-03-11 03:00", "2018-03-11 01:59"} <= kept
    rep = src.report
    assert rep is not None
    rule = GAP.format(zone=CHI)
    assert dict(rep.counts) == {rule: len(GAPS)}
    assert (rep.rows, rep.kept) == (len(whole), len(whole) - len(GAPS))
    assert sorted(p.value[:16] for p in rep.problems) == sorted(GAPS)
    assert all(p.field == "time" and p.rule == rule for p in rep.problems)
    assert any("ingested without --tz" in n and "set aside" in n for n in rep.notes)
    # a zone without daylight saving sets nothing aside and reports nothing
    other = open_incidents(store, tz="Asia/Shanghai")
    assert other.report is None and len(other.table) == len(whole)


def test_forecast_on_a_store_with_tz_says_what_it_set_aside(tmp_path: Path) -> None:
    store = _store(tmp_path)
    args = ["intel", "forecast", str(store), "--tz", CHI, "--from", "2019-03-09", "--days",
            "1", "--method", "naive"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    read = json.loads(res.stdout)["read"]
    assert read["counts"] == {GAP.format(zone=CHI): len(GAPS)}
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert f"{len(GAPS)} {GAP.format(zone=CHI)}" in text
    assert "ingested without --tz" in text
