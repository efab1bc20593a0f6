"""`xunfang scenario check` on incidents outside every prevention grid: the risk forecast
ranks grids and does not count them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

import xunfang.scenarios
from xunfang.cli.main import app
from xunfang.geo import Projector, from_wgs84

runner = CliRunner()


def _county(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    sc = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", sc)
    with (sc / "incidents.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return sc, rows


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _outside(sc: Path) -> list[dict[str, object]]:
    r = runner.invoke(app, ["scenario", "check", str(sc), "--json"])
    assert r.exit_code == 0, r.output
    return [p for p in json.loads(r.stdout)["problems"] if p["rule"] == "outside-grids"
            and p["file"] == "incidents.csv"]


def test_incidents_far_from_the_grids_are_a_warning(tmp_path: Path) -> None:
    """A review's copy of the county with 2,530 incidents 15 km from town checked with 0
    warnings (it warned of the sites outside the grids)."""
    sc, rows = _county(tmp_path)
    assert _outside(sc) == []  # the county's own record lies in its grids
    header, body = rows[0], rows[1:]
    for k, r in enumerate(body):
        if k % 5 == 2:  # data rows 3, 8, …
            r[2] = f"{float(r[2]) + 15000:.1f}"
    _write(sc / "incidents.csv", [header, *body])
    n, off = len(body), len(range(2, len(body), 5))
    (warning,) = _outside(sc)
    assert warning["severity"] == "warning" and warning["row"] == 3  # the first moved
    message = str(warning["message"])
    assert message.startswith(f"{off:,} of {n:,} incidents ({off / n:.1%}) lie outside every "
                              "grid, up to 1")
    assert "km from the nearest" in message and "the risk forecast does not count them" in message
    assert "gcj02" not in message  # x/y, not lon/lat: no datum to get wrong
    human = runner.invoke(app, ["scenario", "check", str(sc)])
    assert "1 warning(s)" in human.stdout


def test_a_gcj02_record_not_declared_is_told_what_to_declare(tmp_path: Path) -> None:
    """GCJ-02 lon/lat read as WGS 84 lie some 500 m off: at the county's edge, outside it."""
    sc, rows = _county(tmp_path)
    xy = np.array([[float(r[2]), float(r[3])] for r in rows[1:]])
    lon, lat = Projector("EPSG:32648").to_lonlat(xy[:, 0], xy[:, 1])
    glon, glat = from_wgs84(np.asarray(lon), np.asarray(lat), "gcj02")
    _write(sc / "incidents.csv", [["id", "time", "lon", "lat", "category", "priority"]] + [
        [r[0], r[1], f"{a:.7f}", f"{b:.7f}", r[4], r[5]]
        for r, a, b in zip(rows[1:], glon, glat, strict=True)])
    (warning,) = _outside(sc)
    assert 'coords = "gcj02"' in str(warning["message"])
    assert "it says 'wgs84'" in str(warning["message"])
    toml = (sc / "scenario.toml").read_text(encoding="utf-8")
    (sc / "scenario.toml").write_text(toml.replace('timezone = "Asia/Shanghai"',
                                                   'timezone = "Asia/Shanghai"\ncoords = "gcj02"'),
                                      encoding="utf-8")
    assert _outside(sc) == []
