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
    # Miami's feet (EPSG:2236) in 17N: 0.8 degrees past it, at latitude 4.7 (a review found
    # it stored unsaid when only a degree and more past the zone was tested)
    mia = _points((-80.3, -80.1), (25.7, 25.85))
    p3 = tmp_path / "mia_ft.csv"
    _in(mia, "EPSG:2236").to_csv(p3, index=False)
    with pytest.raises(IngestError, match=r"EPSG:32617 is in metres.*EPSG:2236"):
        ingest(p3, crs="EPSG:32617")


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
    # past a zone's edge, where a chance feet CRS placed the numbers too (reviews found these
    # refused): Shenzhen in 49N, Tulsa, Lufkin, Texarkana (Texas's statewide 14N) and
    # Roswell in 12N, Memphis in 16N
    for lon, lat, crs in (((114.0, 114.12), (22.5, 22.6), "EPSG:32649"),
                          ((-96.05, -95.9), (36.1, 36.2), "EPSG:32614"),
                          ((-94.8, -94.65), (31.3, 31.4), "EPSG:32614"),
                          ((-94.1, -94.0), (33.4, 33.5), "EPSG:32614"),
                          ((-104.6, -104.45), (33.35, 33.45), "EPSG:32612"),
                          ((-90.1, -89.95), (35.1, 35.2), "EPSG:32616")):
        df = _in(_points(lon, lat), crs)
        assert misplaced(df.x, df.y, crs) is None, crs


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


# -- 4. whole numbers beside fractions: a code only ---------------------------------------------
def test_whole_metres_beside_fractions_are_read_and_a_code_is_shown_as_written(
        tmp_path: Path) -> None:
    """A review: an easting in whole metres mapped beside a northing with one decimal found
    by its name, and a one-row file whose easting happened to be whole, were refused; the
    message showed "4.62197e+06" for the file's 4621974.1."""
    df = _in(_points((-87.85, -87.55), (41.65, 42.0)), "EPSG:32616", 1)
    df["x"] = np.round(df.x)
    p = tmp_path / "xwhole.csv"
    df.rename(columns={"x": "easting"}).to_csv(p, index=False)
    assert len(ingest(p, columns={"x": "easting"}, crs="EPSG:32616").table) == len(df)
    one = tmp_path / "one.csv"
    one.write_text("time,easting,y\n2018-04-01 10:00,448262,4636123.4\n")
    assert len(ingest(one, columns={"x": "easting"}, crs="EPSG:32616").table) == 1
    # a district number (1-25) as x beside the northing: refused, values as the file has them
    df["district"] = np.random.default_rng(1).integers(1, 26, len(df))
    df.to_csv(p, index=False)
    with pytest.raises(IngestError) as err:
        ingest(p, columns={"x": "district"}, crs="EPSG:32616")
    said = str(err.value)
    assert "maps x to 'district', whose values are whole numbers, few" in said
    shown = said.split("'y', whose values are numbers with fractions (e.g. ")[1].split(")")[0]
    assert shown.split(", ") == [f"{v:.1f}" for v in pd.unique(df.y)[:3]]
    assert "e+06" not in said


# -- 7. ids padded with blanks ------------------------------------------------------------------
def test_ids_are_stored_without_the_blanks_round_them(tmp_path: Path) -> None:
    p = tmp_path / "padded.csv"
    p.write_text("id,time,lon,lat,category\n"
                 "S0 ,2025-03-01 08:15,103.2600,29.2300,theft \n"
                 " S1,2025-03-01 09:15,103.2610,29.2310,theft\n"
                 "S0,2025-03-02 08:15,103.2620,29.2320,fraud\n")
    got = ingest(p)
    assert list(got.table.ids) == ["S0", "S1", "S0"]
    assert list(got.table.category) == ["theft", "theft", "fraud"]


# -- 5. a Chinese survey's X (northing) and Y (easting with its zone) ---------------------------
def test_x_and_y_the_other_way_round_are_told_to_be_swapped(tmp_path: Path) -> None:
    df = _in(_points((104.8, 105.1), (29.4, 29.6)), "EPSG:4523", 2)
    p = tmp_path / "gk.csv"
    df.rename(columns={"x": "Y", "y": "X"})[["time", "X", "Y"]].to_csv(p, index=False)
    with pytest.raises(IngestError, match=r"--crs EPSG:4523 cannot place the incidents' middle "
                                          r"as given .* places it with x and y swapped .*"
                                          r"map them with --columns x=Y,y=X$"):
        ingest(p, columns={"x": "X", "y": "Y"}, crs="EPSG:4523")
    got = ingest(p, columns={"x": "Y", "y": "X"}, crs="EPSG:4523")
    assert len(got.table) == len(df)
    # swapped and no placement either way: the message as before, no swap advised
    p2 = tmp_path / "nowhere.csv"
    df.assign(x=df.x + 9e7).to_csv(p2, index=False)
    with pytest.raises(IngestError) as err:
        ingest(p2, crs="EPSG:4523")
    assert "swapped (x" not in str(err.value)


# -- 6. the messages name what is missing, and show what the file writes -------------------------
def test_one_coordinate_of_a_pair_mapped_names_the_other(tmp_path: Path) -> None:
    p = tmp_path / "long.csv"
    p.write_text("time,LONG,Latitude\n2019-01-01 00:00,-87.65,41.85\n"
                 "2019-01-01 01:00,-87.66,41.86\n")
    with pytest.raises(IngestError, match=r"long\.csv: lat is read from 'Latitude' but lon from "
                                          r"no column: no column is named lon/lng/longitude/"
                                          r"经度; map it with --columns lon=COLUMN"):
        ingest(p, columns={"lat": "Latitude"})
    # the partner's own column mapped to the other field: said so (a review: lon=latitude
    # was told "no column is named lat/latitude")
    p3 = tmp_path / "both.csv"
    p3.write_text("time,longitude,latitude\n2019-01-01 00:00,-87.65,41.85\n")
    with pytest.raises(IngestError, match=r"lon is read from 'latitude' but lat from no "
                                          r"column: its column 'latitude' is mapped to lon"):
        ingest(p3, columns={"lon": "latitude"})
    # an empty partner column is not "mapped to" the other (a review)
    p4 = tmp_path / "empty.csv"
    p4.write_text("time,longitude,lat\n2019-01-01 00:00,-87.65,\n")
    with pytest.raises(IngestError) as err:
        ingest(p4, columns={"lon": "longitude"})
    assert "mapped to lon" not in str(err.value) and "lat from no column" in str(err.value)
    # field names in any case
    assert parse_columns("Lat=Latitude,LON=LONG") == {"lat": "Latitude", "lon": "LONG"}
    assert len(ingest(p, columns=parse_columns("Lat=Latitude,LON=LONG")).table) == 2


def test_a_built_in_scenarios_name_given_as_a_file_says_what_to_give() -> None:
    with pytest.raises(IngestError, match=r"^ebian: no such file; ebian is a built-in scenario"
                                          r".*incidents\.csv --scenario ebian\).*"
                                          r"`intel forecast ebian`"):
        ingest("ebian")
    with pytest.raises(IngestError, match=r"^no_such_thing: no such file$"):
        ingest("no_such_thing")


def test_rows_outside_the_jurisdiction_show_x_and_y_as_written(tmp_path: Path) -> None:
    import shapely

    p = tmp_path / "xy.csv"
    p.write_text("time,x,y\n2025-03-01 08:15,344601,3242285\n2025-03-01 09:15,379864,3269565\n")
    town = shapely.Point(344601, 3242285).buffer(3000)
    got = ingest(p, crs="EPSG:32648", jurisdiction=town)
    assert [q.value for q in got.report.problems] == ["379864, 3269565"]
