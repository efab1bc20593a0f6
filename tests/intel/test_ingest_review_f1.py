"""Review F1: ingestion catches what it read wrongly without a word (state-plane feet read
as UTM metres, one column given for both coordinates, a Chinese survey's X and Y the other
way round), and refuses no real file for being wide or for whole-number coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xunfang.geo import misplaced, reproject
from xunfang.intel import IngestError, ingest, parse_columns


def _points(lon: tuple[float, float], lat: tuple[float, float], n: int = 300,
            seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "time": pd.date_range("2018-01-01", periods=n, freq="41min").strftime("%Y-%m-%d %H:%M"),
        "lon": rng.uniform(*lon, n), "lat": rng.uniform(*lat, n)})


def _in(df: pd.DataFrame, crs: str, decimals: int = 0) -> pd.DataFrame:
    x, y = reproject(df.lon.to_numpy(), df.lat.to_numpy(), "EPSG:4326", crs)
    return pd.DataFrame({"time": df.time, "x": np.round(x, decimals), "y": np.round(y, decimals)})


# -- 1. state-plane feet read as UTM metres ----------------------------------------------------
def test_state_plane_feet_given_a_utm_zone_are_refused_naming_the_feet_crs(
        tmp_path: Path) -> None:
    """Chicago's X/Y Coordinate (whole feet, EPSG:3435) given as EPSG:32616 lands 3 degrees
    east of the zone, within its 5-degree margin: it was stored at -80.9, 16.7 unsaid."""
    city = _points((-87.85, -87.55), (41.65, 42.0))
    p = tmp_path / "chi_ft.csv"
    _in(city, "EPSG:3435").to_csv(p, index=False)
    with pytest.raises(IngestError, match=r"--crs EPSG:32616 is in metres.*outside it.*"
                                          r"EPSG:3435 \(NAD83 / Illinois East \(ftUS\)\).*"
                                          r"give the CRS in feet .* with --crs"):
        ingest(p, crs="EPSG:32616")
    got = ingest(p, crs="EPSG:3435")  # the right CRS: read, in the city
    lon, lat = reproject(got.table.x, got.table.y, got.table.crs, "EPSG:4326")
    assert abs(np.median(lon) + 87.7) < 0.1 and abs(np.median(lat) - 41.82) < 0.1
    # New York's feet (EPSG:2263) in zone 18N: 1.5 degrees east of it, at latitude 1.8
    nyc = _points((-74.0, -73.8), (40.6, 40.8))
    p2 = tmp_path / "nyc_ft.csv"
    _in(nyc, "EPSG:2263").to_csv(p2, index=False)
    with pytest.raises(IngestError, match=r"EPSG:32618 is in metres.*EPSG:2263"):
        ingest(p2, crs="EPSG:32618")


def test_metres_near_and_beyond_a_zone_edge_are_read(tmp_path: Path, data_dir: Path) -> None:
    """Genuine metres pass: Chicago in its zone, the Quad Cities half a degree west of zone
    16N's edge, Cleveland beyond its east edge, and the Montreal layer (MTM zone 8)."""
    for lon, lat in (((-87.85, -87.55), (41.65, 42.0)), ((-90.7, -90.3), (41.4, 41.6)),
                     ((-81.8, -81.5), (41.4, 41.55))):
        df = _in(_points(lon, lat), "EPSG:32616")
        assert misplaced(df.x, df.y, "EPSG:32616") is None
        p = tmp_path / "m.csv"
        df.to_csv(p, index=False)
        assert len(ingest(p, crs="EPSG:32616").table) == len(df)
    gpkg = data_dir / "montreal_events.gpkg"
    assert len(ingest(gpkg, layer="bike_accidents").table) > 0


# -- 2. one column for both coordinates --------------------------------------------------------
def test_one_column_mapped_to_both_coordinates_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"--columns: maps lon and lat both to 'Latitude'"):
        parse_columns("time=t,lon=Latitude,lat=Latitude")
    with pytest.raises(IngestError, match=r"maps x and y both to 'X Coordinate'"):
        parse_columns("time=t,x=X Coordinate,y= X Coordinate")
    df = _points((-87.85, -87.55), (41.65, 42.0))
    p = tmp_path / "chi.csv"
    df.rename(columns={"lon": "Longitude", "lat": "Latitude"}).to_csv(p, index=False)
    for pair in (("lon", "lat"), ("x", "y")):  # the Python API's mapping too
        with pytest.raises(IngestError, match=rf"chi\.csv: --columns maps {pair[0]} and "
                                              rf"{pair[1]} both to 'Latitude'"):
            ingest(p, columns={"time": "time", pair[0]: "Latitude", pair[1]: "Latitude"},
                   crs=None if pair[0] == "lon" else "EPSG:32616")
    assert len(ingest(p, columns={"time": "time", "lon": "Longitude", "lat": "Latitude"})
               .table) == len(df)
