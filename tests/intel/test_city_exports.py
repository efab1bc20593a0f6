"""Other cities' exports as a review acting as their analysts found them: positions and times
written as placeholders or typos (Boston's -1, -1, Vancouver's suppressed X = 0, Y = 0, NYPD's
years 1019 and 2109, swapped columns, a CRS far from where it is used), a time split over
five columns, GIS date-times without a zone, text encodings."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import ingest
from xunfang.intel.ingest import (
    CLOCK_ONLY_RULE,
    FAR_KM_RULE,
    FAR_RULE,
    NO_CLOCK_RULE,
    SAME_ID_RULE,
    YEAR_RULE,
    IngestError,
)

runner = CliRunner()
LONLAT = {"time": "date", "lon": "longitude", "lat": "latitude"}


@pytest.fixture(scope="module")
def chicago(data_dir: Path) -> pd.DataFrame:
    """Chicago's assaults of 2017-01 .. 2017-06 (about 6,000)."""
    df = pd.read_csv(data_dir / "chicago_aggravated_assaults.csv.gz")
    return df[(df.date >= "2017-01-01") & (df.date < "2017-07-01")].reset_index(drop=True)


def _csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


def _far_rows(report: object) -> list[int]:
    return sorted(p.row for p in report.problems  # type: ignore[attr-defined]
                  if p.rule.startswith("more than") and "km from the middle" in p.rule)


def test_placeholder_positions_far_from_the_rest_are_listed(chicago: pd.DataFrame,
                                                            tmp_path: Path) -> None:
    clean = ingest(_csv(chicago, tmp_path / "clean.csv"), columns=LONLAT, keep_duplicates=True)
    assert not _far_rows(clean.report) and len(clean.table) == len(chicago)
    df = chicago.copy()
    rng = np.random.default_rng(7)
    minus = rng.choice(len(df), 60, replace=False)  # Boston: -1, -1 for "no position"
    df.loc[minus, ["longitude", "latitude"]] = -1.0
    typo = int(np.setdiff1d(np.arange(len(df)), minus)[0])
    df.loc[typo, "latitude"] = 4.18  # 41.8 with a digit lost
    got = ingest(_csv(df, tmp_path / "boston.csv"), columns=LONLAT, keep_duplicates=True)
    # data row numbers are 1-based (the header is row 0)
    assert _far_rows(got.report) == sorted([*(minus + 1).tolist(), typo + 1])
    rule = FAR_RULE.format(km=500)
    assert got.report.counts[rule] == 61  # the limit: 500 km here (the floor)
    assert len(got.table) == len(chicago) - 61
    # nothing else moved: every kept row where the clean file has it
    kept = np.setdiff1d(np.arange(len(df)), np.append(minus, typo))
    assert np.array_equal(got.table.x, clean.table.x[kept])
    assert np.array_equal(got.table.y, clean.table.y[kept])


def test_a_wide_record_keeps_its_far_but_real_places(tmp_path: Path) -> None:
    # a city with most incidents at its centre and districts 150-350 km out (Chongqing
    # municipality's 万州, 黔江, 秀山): not placeholders
    rng = np.random.default_rng(3)
    lon = np.concatenate([106.55 + rng.normal(0, 0.01, 300), [108.41, 108.77, 109.0]])
    lat = np.concatenate([29.56 + rng.normal(0, 0.01, 300), [30.81, 29.53, 28.45]])
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=303, freq="7h")
                       .strftime("%Y-%m-%d %H:%M"), "longitude": lon, "latitude": lat})
    got = ingest(_csv(df, tmp_path / "county.csv"), columns=LONLAT)
    assert len(got.table) == 303 and not _far_rows(got.report)
    # a province's file: the limit grows with its spread (20 × the median distance)
    wide = df.assign(longitude=103.26 + rng.uniform(-4, 4, 303),
                     latitude=29.23 + rng.uniform(-3, 3, 303))
    assert len(ingest(_csv(wide, tmp_path / "province.csv"), columns=LONLAT).table) == 303
    # a state's file, most of it in one city: the others 560-580 km out are places, kept
    ca = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=900, freq="5h")
                       .strftime("%Y-%m-%d %H:%M"),
                       "longitude": np.concatenate([-118.25 + rng.normal(0, 0.05, 600),
                                                    -122.42 + rng.normal(0, 0.02, 200),
                                                    -121.49 + rng.normal(0, 0.02, 100)]),
                       "latitude": np.concatenate([34.05 + rng.normal(0, 0.05, 600),
                                                   37.77 + rng.normal(0, 0.02, 200),
                                                   38.58 + rng.normal(0, 0.02, 100)])})
    ca.loc[[5, 6, 7], ["longitude", "latitude"]] = -1.0  # but a placeholder is still one
    ca.loc[8, "latitude"] = 3.405  # and a typo
    # a placeholder a geocoder scattered by 100 m: no place (judged on the sphere, not in
    # the UTM zone's metres, stretched 86° from its meridian)
    ca.loc[10:19, "longitude"] = -1.0 + rng.uniform(-0.001, 0.001, 10)
    ca.loc[10:19, "latitude"] = -1.0 + rng.uniform(-0.001, 0.001, 10)
    got = ingest(_csv(ca, tmp_path / "ca.csv"), columns=LONLAT)
    assert len(got.table) == 886
    assert _far_rows(got.report) == [6, 7, 8, 9, *range(11, 21)]
    # --far-km is a hard limit: San Francisco and Sacramento go too
    assert len(ingest(tmp_path / "ca.csv", columns=LONLAT, far_km=400).table) == 600 - 14
    # --far-km: another limit, or none
    near = ingest(_csv(df, tmp_path / "county.csv"), columns=LONLAT, far_km=100)
    assert len(near.table) == 300 and near.report.counts == {FAR_KM_RULE.format(km=100): 3}
    boston = df.copy()
    boston.loc[:9, ["longitude", "latitude"]] = -1.0
    src = _csv(boston, tmp_path / "minus.csv")
    assert len(ingest(src, columns=LONLAT).table) == 293
    assert len(ingest(src, columns=LONLAT, far_km=0).table) == 303
    with pytest.raises(IngestError, match=r"--far-km must be 0 \(keep every row\) or more"):
        ingest(src, columns=LONLAT, far_km=-5)
    res = runner.invoke(app, ["intel", "evaluate", str(src), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--far-km", "0",
                              "--methods", "naive", "--train-days", "30", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["read"]["kept"] == 303
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--far-km", "0"])
    assert res.exit_code == 1 and "--far-km applies to incident files only" in res.stderr


def test_zeros_in_a_projected_crs_are_a_missing_position(chicago: pd.DataFrame,
                                                        tmp_path: Path) -> None:
    x, y = Transformer.from_crs(4326, 32616, always_xy=True).transform(
        chicago.longitude.to_numpy(), chicago.latitude.to_numpy())
    df = pd.DataFrame({"date": chicago.date, "X": x, "Y": y})
    df.loc[[3, 40, 41], ["X", "Y"]] = 0.0  # Vancouver's VPD: suppressed locations
    got = ingest(_csv(df, tmp_path / "vpd.csv"), columns={"time": "date", "x": "X", "y": "Y"},
                 crs="EPSG:32616", keep_duplicates=True)
    assert got.report.counts["coordinates (0, 0): a missing position written as zeros"] == 3
    assert len(got.table) == len(chicago) - 3 and not _far_rows(got.report)


def test_swapped_lon_lat_in_the_americas_is_refused(chicago: pd.DataFrame,
                                                    tmp_path: Path) -> None:
    src = _csv(chicago, tmp_path / "c.csv")
    with pytest.raises(IngestError, match=r"in Antarctica: the columns seem swapped; map them "
                                          r"with --columns lon=longitude,lat=latitude"):
        ingest(src, columns={"time": "date", "lon": "latitude", "lat": "longitude"})


def test_a_crs_far_from_where_it_puts_the_data_is_refused(chicago: pd.DataFrame,
                                                          tmp_path: Path) -> None:
    # Illinois state-plane feet (EPSG:3435) declared as UTM 16N metres (NAD83)
    x, y = Transformer.from_crs(4326, 3435, always_xy=True).transform(
        chicago.longitude.to_numpy(), chicago.latitude.to_numpy())
    src = _csv(pd.DataFrame({"date": chicago.date, "X": x, "Y": y}), tmp_path / "feet.csv")
    cols = {"time": "date", "x": "X", "y": "Y"}
    with pytest.raises(IngestError, match=r"--crs EPSG:26916 is used in .*longitude -90 to -84"
                                          r".*but it puts the incidents' middle at"):
        ingest(src, columns=cols, crs="EPSG:26916")
    assert len(ingest(src, columns=cols, crs="EPSG:3435", keep_duplicates=True).table) == len(
        chicago)
    u16 = Transformer.from_crs(4326, 32616, always_xy=True).transform(
        chicago.longitude.to_numpy(), chicago.latitude.to_numpy())
    z16 = _csv(pd.DataFrame({"date": chicago.date, "X": u16[0], "Y": u16[1]}),
               tmp_path / "z16.csv")
    with pytest.raises(IngestError, match=r"check that x and y are not swapped"):
        ingest(z16, columns={"time": "date", "x": "Y", "y": "X"}, crs="EPSG:32616")
    # a city just beyond its UTM zone's edge (Chicago, -87.6°, in zone 17's metres) is used
    u17 = Transformer.from_crs(4326, 32617, always_xy=True).transform(
        chicago.longitude.to_numpy(), chicago.latitude.to_numpy())
    z17 = _csv(pd.DataFrame({"date": chicago.date, "X": u17[0], "Y": u17[1]}),
               tmp_path / "z17.csv")
    assert len(ingest(z17, columns=cols, crs="EPSG:32617", keep_duplicates=True).table) == len(
        chicago)


def test_years_no_record_holds_are_listed(chicago: pd.DataFrame, tmp_path: Path) -> None:
    df = chicago.copy()
    df.loc[5, "date"] = "1019-03-02 10:00"  # NYPD's CMPLNT_FR_DT typos
    df.loc[9, "date"] = "2109-06-14 10:00"
    src = _csv(df, tmp_path / "nypd.csv")
    got = ingest(src, columns=LONLAT, keep_duplicates=True)
    listed = [(p.row, p.rule, p.value) for p in got.report.problems]
    until = (pd.Timestamp.now() + pd.Timedelta(days=366)).strftime("%Y-%m-%d")
    assert listed == [(6, YEAR_RULE.format(until=until), "1019-03-02 10:00"),
                      (10, YEAR_RULE.format(until=until), "2109-06-14 10:00")]
    assert len(got.table) == len(chicago) - 2
    # the default test period ends on the last incident: 2017-06-30, not 2109
    res = runner.invoke(app, ["intel", "evaluate", str(src), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--methods", "naive",
                              "--train-days", "60", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["test_to"] == "2017-06-30"


def test_a_time_in_five_columns(chicago: pd.DataFrame, tmp_path: Path) -> None:
    t = pd.to_datetime(chicago.date)
    vpd = pd.DataFrame({"YEAR": t.dt.year, "MONTH": t.dt.month, "DAY": t.dt.day,
                        "HOUR": t.dt.hour, "MINUTE": t.dt.minute,
                        "lon": chicago.longitude, "lat": chicago.latitude})
    vpd["HOUR"] = vpd["HOUR"].astype("Int64")
    vpd.loc[7, "HOUR"] = None  # no hour: a missing time, never midnight
    vpd.loc[8, "MONTH"] = 13
    got = ingest(_csv(vpd, tmp_path / "vpd.csv"),
                 columns={"time": "YEAR+MONTH+DAY+HOUR+MINUTE"}, keep_duplicates=True)
    keep = np.setdiff1d(np.arange(len(vpd)), [7, 8])
    assert np.array_equal(got.table.time, t.to_numpy(dtype="datetime64[s]")[keep])
    assert {p.row: p.rule for p in got.report.problems} == {
        8: NO_CLOCK_RULE, 9: "time not a date-time"}
    # pandas writes a column with a blank as floats ('22.0'): read as the numbers they are
    floats = vpd.astype({"HOUR": "float64", "MINUTE": "float64"})
    got = ingest(_csv(floats, tmp_path / "floats.csv"),
                 columns={"time": "YEAR+MONTH+DAY+HOUR+MINUTE"}, keep_duplicates=True)
    assert np.array_equal(got.table.time, t.to_numpy(dtype="datetime64[s]")[keep])
    (blank,) = [p for p in got.report.problems if p.row == 8]
    assert blank.rule == NO_CLOCK_RULE and blank.value.startswith("2017 + 1 + 1 +  + ")
    # the time of day as HHMM in the fourth column
    hhmm = vpd.assign(HHMM=t.dt.hour * 100 + t.dt.minute)
    got = ingest(_csv(hhmm, tmp_path / "hhmm.csv"), columns={"time": "YEAR+MONTH+DAY+HHMM"},
                 keep_duplicates=True)
    assert np.array_equal(got.table.time, t.to_numpy(dtype="datetime64[s]")[
        np.arange(len(vpd)) != 8])
    # dates alone, as YEAR+MONTH+DAY
    days = ingest(_csv(vpd, tmp_path / "d.csv"), columns={"time": "YEAR+MONTH+DAY"},
                  keep_duplicates=True)
    assert str(days.table.time[0]) == str(t.dt.normalize().iloc[0].to_datetime64())[:19]
    # another order is not guessed: the error says how to give it
    dmy = vpd[["DAY", "MONTH", "YEAR", "lon", "lat"]]
    unread = ingest(_csv(dmy, tmp_path / "dmy.csv"), columns={"time": "DAY+MONTH+YEAR"})
    assert len(unread.table) == 0
    said = unread.report.nothing_kept()
    assert ("time not a date-time (the columns' values joined with spaces, as shown; give "
            "their layout with --time-format, e.g. '%d %m %Y %H:%M')") in said
    assert "e.g. row 1, DAY+MONTH+YEAR: '1 1 2017'" in said
    read = ingest(tmp_path / "dmy.csv", columns={"time": "DAY+MONTH+YEAR"},
                  time_format="%d %m %Y", keep_duplicates=True)
    assert len(read.table) == len(vpd) - 1  # month 13


def test_gis_date_times_without_a_zone_are_local_times(tmp_path: Path) -> None:
    import pyogrio.raw

    t = np.array(["2018-07-01T00:01:00", "2018-07-01T23:30:00"], dtype="datetime64[ms]")
    pts = shapely.to_wkb(shapely.points([104.06, 104.07], [30.66, 30.67]))
    src = tmp_path / "jq.gpkg"
    pyogrio.raw.write(src, pts, [t, np.array(["a", "b"], dtype=object)], ["bjsj", "jqbh"],
                      layer="jq", geometry_type="Point", crs="EPSG:4326", driver="GPKG")
    got = ingest(src, columns={"time": "bjsj", "id": "jqbh"}, tz="Asia/Shanghai")
    # as written, not as UTC instants 8 hours later (one in three on the next day)
    assert got.table.time.astype(str).tolist() == ["2018-07-01T00:01:00",
                                                   "2018-07-01T23:30:00"]
    assert ingest(src, columns={"time": "bjsj"}).table.time.astype(str).tolist()[1] == (
        "2018-07-01T23:30:00")  # no --tz needed: no offset is written
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"t": "2018-07-01T00:01:00+00:00"},
         "geometry": {"type": "Point", "coordinates": [104.06, 30.66]}}]}
    (tmp_path / "o.geojson").write_text(json.dumps(doc), encoding="utf-8")
    assert ingest(tmp_path / "o.geojson", columns={"time": "t"},
                  tz="Asia/Shanghai").table.time.astype(str).tolist() == ["2018-07-01T08:01:00"]


CN_ROWS = "".join(f"2019-01-{1 + i % 28:02d} 10:00,刑事案件{i % 3},104.06,{30.66 + i / 1000:.4f}\n"
                  for i in range(300))
CN_COLUMNS = {"time": "时间", "lon": "经度", "lat": "纬度", "category": "类别"}


def test_text_encodings_of_other_places(tmp_path: Path) -> None:
    # a German spreadsheet's CSV (Windows-1252) is not read as GB18030 ('K鰎perverletzung')
    rows = "".join(f"2019-01-{1 + i % 28:02d} 10:00,Körperverletzung,{13.40 + i / 1000:.4f},"
                   "52.52\n" for i in range(300))
    de = tmp_path / "de.csv"
    de.write_bytes(("Zeit,Art,Längengrad,Breitengrad\n" + rows).encode("cp1252"))
    got = ingest(de, columns={"time": "Zeit", "lon": "Längengrad", "lat": "Breitengrad",
                              "category": "Art"}, keep_duplicates=True)
    assert got.report.encoding == "cp1252" and "Windows-1252" in got.report.notes[0]
    assert set(got.table.category) == {"Körperverletzung"} and len(got.table) == 300
    # a Chinese 110 export in GB18030 is still GB18030, with nothing to say
    cn = tmp_path / "cn.csv"
    cn.write_bytes(("时间,类别,经度,纬度\n" + CN_ROWS).encode("gb18030"))
    got = ingest(cn, columns=CN_COLUMNS)
    assert (got.report.encoding, got.report.notes) == ("gb18030", ())
    assert got.table.category[0] == "刑事案件0"
    # Traditional characters in GBK (no GB2312 among them) are Chinese all the same
    trad = "".join(f"2019-01-{1 + i % 28:02d} 10:00,臺北市搶奪{i % 3},竊盜機車,121.5,"
                   f"{25.03 + i / 1000:.4f}\n" for i in range(200))
    tw = tmp_path / "tw.csv"
    tw.write_bytes(("時間,類別,說明,經度,緯度\n" + trad).encode("gbk"))
    got = ingest(tw, columns={"time": "時間", "lon": "經度", "lat": "緯度",
                              "category": "類別"})
    assert got.report.encoding == "gb18030" and got.table.category[0] == "臺北市搶奪0"
    # the accents of a Western file 2 MB in: judged where they are
    late = tmp_path / "late.csv"
    plain = "".join(f"2019-01-{1 + i % 28:02d} 10:00,Diebstahl,13.40,{52.0 + i / 1e5:.5f}\n"
                    for i in range(60000))
    late.write_bytes(("Zeit,Art,lon,lat\n" + plain + rows).encode("cp1252"))
    got = ingest(late, columns={"time": "Zeit", "category": "Art"}, keep_duplicates=True)
    assert got.report.encoding == "cp1252" and got.table.category[-1] == "Körperverletzung"
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated
    u16 = tmp_path / "u16.txt"
    u16.write_bytes(("时间\t类别\t经度\t纬度\n" + CN_ROWS.replace(",", "\t")).encode("utf-16"))
    got = ingest(u16, columns=CN_COLUMNS)
    assert got.report.encoding == "utf-16" and len(got.table) == 300
    assert got.table.category[0] == "刑事案件0"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_character_cut_in_two_costs_its_value_not_the_file(tmp_path: Path,
                                                             encoding: str) -> None:
    lines = ("时间,类别,经度,纬度\n" + CN_ROWS).encode(encoding).split(b"\n")
    whole = "刑".encode(encoding)
    lines[51] = lines[51].replace(whole, whole[:-1], 1)  # the category of data row 51
    src = tmp_path / "cut.csv"
    src.write_bytes(b"\n".join(lines))
    got = ingest(src, columns=CN_COLUMNS)
    assert got.report.encoding == encoding and len(got.table) == 300
    (note,) = got.report.notes
    assert note.startswith(f"1 byte sequence(s) are not {encoding.upper()}: read as '\ufffd' "
                           "on line(s) 52 of the file")
    assert "\ufffd" in got.table.category[50] and got.table.category[49] == "刑事案件1"
    # bytes that are no text at all: refused, naming the line
    junk = tmp_path / "junk.csv"
    junk.write_bytes("时间,类别,经度,纬度\n".encode() + bytes([0x81, 0x20]) * 2000 + b"\n")
    with pytest.raises(IngestError, match=r"neither UTF-8 nor GB18030 nor Windows-1252; the "
                                          r"first byte that is not UTF-8 is byte \d+, on line 2"):
        ingest(junk, columns=CN_COLUMNS)


def test_one_incident_on_several_rows_counts_once(tmp_path: Path) -> None:
    # a 110 dispatch export: one row per unit sent (处警单位), the incident's id repeated
    head = "警情编号,报警时间,警情类别,经度,纬度,处警单位\n"
    rows = [f"J{i:04d},2019-01-{1 + i % 28:02d} 10:00,盗窃,104.06,{30.66 + i / 1000:.4f},"
            f"派出所{i % 4}\n" for i in range(200)]
    rows[10] = rows[10].replace("派出所2", "派出所3")
    again = [rows[10].replace("派出所3", "巡特警"), rows[20].replace("派出所0", "交警")]
    # the same id at another time (a number given anew each year), of another kind, or in
    # another place (a placeholder id shared by different incidents)
    other = [rows[30].replace("2019-01-03", "2020-01-03"), rows[40].replace("盗窃", "抢劫"),
             rows[50].replace("104.06", "104.08")]
    src = tmp_path / "jq.csv"
    src.write_text(head + "".join(rows + again + other), encoding="utf-8")
    cols = {"id": "警情编号", "time": "报警时间", "category": "警情类别", "lon": "经度",
            "lat": "纬度"}
    got = ingest(src, columns=cols)
    assert len(got.table) == 203
    listed = [(p.row, p.field, p.value) for p in got.report.problems]
    assert listed == [(201, "警情编号", "J0010 (as row 11)"),
                      (202, "警情编号", "J0020 (as row 21)")]
    assert got.report.counts == {SAME_ID_RULE: 2}
    kept = ingest(src, columns=cols, keep_duplicates=True)
    assert len(kept.table) == 205 and "2 rows repeat an earlier row's id" in kept.report.notes[0]
    # a placeholder id on every row: incidents apart in time or place, all kept
    shared = tmp_path / "none.csv"
    shared.write_text(head + "".join(r.replace(r.split(",")[0], "无", 1) for r in rows),
                      encoding="utf-8")
    assert len(ingest(shared, columns=cols).table) == 200


def test_columns_of_pairs_in_either_order(chicago: pd.DataFrame, tmp_path: Path) -> None:
    ref = ingest(_csv(chicago, tmp_path / "ref.csv"), columns=LONLAT, keep_duplicates=True)
    lon, lat = chicago.longitude.to_numpy(), chicago.latitude.to_numpy()
    df = pd.DataFrame({"date": chicago.date,
                       "lonlat": [f"({a}, {b})" for a, b in zip(lon, lat, strict=True)],
                       "bare": [f"{a},{b}" for a, b in zip(lon, lat, strict=True)],
                       "socrata": [f"({b}, {a})" for a, b in zip(lon, lat, strict=True)]})
    src = _csv(df, tmp_path / "pairs.csv")

    def read(**cols: str) -> object:
        return ingest(src, columns={"time": "date", **cols}, keep_duplicates=True)

    # Chicago's (41.8, -87.6) either way round: read as latitude, -87.6 would be polar
    for got in (read(lonlat="lonlat"), read(lonlat="bare"), read(latlon="socrata"),
                read(point="socrata"), read(point="bare")):
        assert np.abs(got.table.x - ref.table.x).max() < 0.01  # type: ignore[attr-defined]
        assert not got.report.notes  # type: ignore[attr-defined]
    # the Americas' (lon, lat) named in Socrata's order would be in Antarctica
    with pytest.raises(IngestError, match=r"the pairs of bare seem to be in the other order; "
                                          r"map the column as lonlat=bare"):
        read(latlon="bare")
    # Paris's (2.35, 48.86): no order to tell; Socrata's taken, and said
    paris = pd.DataFrame({"date": chicago.date[:50], "pos": [
        f"({2.35 + i / 1000:.4f}, 48.86)" for i in range(50)]})
    got = ingest(_csv(paris, tmp_path / "paris.csv"), columns={"time": "date", "point": "pos"},
                 keep_duplicates=True)
    assert "read as (latitude, longitude), Socrata's order" in got.report.notes[0]
    got = ingest(tmp_path / "paris.csv", columns={"time": "date", "lonlat": "pos"},
                 keep_duplicates=True)
    assert got.report.crs == "EPSG:32631" and not got.report.notes
    # a Chinese export's '104.06,30.66': the longitude beyond ±90 tells the order
    cn = pd.DataFrame({"date": chicago.date[:50], "经纬度": [
        f"{104.06 + i / 1000:.4f},{30.66:.2f}" for i in range(50)]})
    got = ingest(_csv(cn, tmp_path / "cn.csv"), columns={"time": "date", "point": "经纬度"},
                 keep_duplicates=True)
    assert len(got.table) == 50 and not got.report.notes and got.report.crs == "EPSG:32648"
    with pytest.raises(IngestError, match=r"map the column as lonlat=经纬度"):
        ingest(tmp_path / "cn.csv", columns={"time": "date", "latlon": "经纬度"})
    with pytest.raises(IngestError, match=r"maps lonlat and lat"):
        read(lonlat="bare", lat="bare")
    # one typo does not turn a column; a middle near a pole one way is the other way
    odd = cn.copy()
    odd.loc[3, "经纬度"] = "30.66,104.06"
    got = ingest(_csv(odd, tmp_path / "odd.csv"), columns={"time": "date", "point": "经纬度"},
                 keep_duplicates=True)
    assert len(got.table) == 49 and got.report.crs == "EPSG:32648"
    urumqi = pd.DataFrame({"date": chicago.date[:50], "p": [
        f"{87.61 + i / 1000:.4f},43.82" for i in range(50)]})
    got = ingest(_csv(urumqi, tmp_path / "u.csv"), columns={"time": "date", "point": "p"},
                 keep_duplicates=True)
    assert got.report.crs == "EPSG:32645" and not got.report.notes
    with pytest.raises(IngestError, match=r"latitude 87\.6\d, where no UTM zone reaches "
                                          r"\(80°S to 84°N\): are p \(lon\) and p \(lat\)"):
        ingest(tmp_path / "u.csv", columns={"time": "date", "latlon": "p"})


def test_a_time_of_day_as_a_fraction_of_the_day(tmp_path: Path) -> None:
    # a workbook's 时间 cell in General format: 0.9375 is 22:30
    rows = "".join(f"2018-01-{1 + i % 28:02d},{f},104.06,{30.66 + i / 1000:.4f}\n"
                   for i, f in enumerate(["0.9375", "0", "0.5", "0.000694444444444444"] * 30))
    rows += "2018-01-05,0.9999999,104.06,30.5\n"  # rounds to 24:00: the day's last second
    src = tmp_path / "frac.csv"
    src.write_text("日期,时间,lon,lat\n" + rows, encoding="utf-8")
    got = ingest(src, columns={"time": "日期+时间"})
    assert got.table.time[:4].astype(str).tolist() == [
        "2018-01-01T22:30:00", "2018-01-02T00:00:00", "2018-01-03T12:00:00",
        "2018-01-04T00:01:00"]
    assert len(got.table) == 121 and not got.report.notes
    assert str(got.table.time[-1]) == "2018-01-05T23:59:59"


def test_what_reading_set_aside_is_said_under_every_command(chicago: pd.DataFrame,
                                                           tmp_path: Path) -> None:
    df = chicago.copy()
    df.loc[df.index % 3 != 0, "date"] = "sometime"  # two rows in three: an unread time
    src = _csv(df, tmp_path / "most.csv")
    cols = ["--columns", "time=date,lon=longitude,lat=latitude"]
    res = runner.invoke(app, ["intel", "evaluate", str(src), *cols, "--methods", "naive,decay",
                              "--train-days", "30", "--test-from", "2017-06-01"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert f"warning: {len(df) - len(df) // 3 - 1:,} of the file's {len(df):,} rows" in said
    assert "these figures rest on" in said
    res = runner.invoke(app, ["intel", "forecast", str(src), *cols, "--method", "naive",
                              "--from", "2017-07-01"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert "naive forecast for 2017-07-01, trained on" in said  # one day: no "+ 0 days"
    assert "time not a date-time" in said and "warning:" in said
    res = runner.invoke(app, ["intel", "forecast", str(src), *cols, "--method", "naive",
                              "--from", "2017-07-01", "--json"])
    read = json.loads(res.stdout)["read"]
    unread = int((df.index % 3 != 0).sum())
    assert read["counts"]["time not a date-time"] == unread
    assert read["rows"] == len(df) and read["kept"] <= len(df) - unread


def test_no_hit_by_either_method_is_no_ratio(tmp_path: Path) -> None:
    # every test incident in a cell the window never saw: no method hits, no ratio, no warning
    rows = [f"2019-01-{d:02d} 10:00,-87.6{d:02d},41.8\n" for d in range(1, 29)]
    src = tmp_path / "move.csv"
    src.write_text("time,lon,lat\n" + "".join(rows), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = runner.invoke(app, ["intel", "evaluate", str(src), "--methods", "naive,decay",
                                  "--train-days", "7", "--test-from", "2019-01-20"])
    assert res.exit_code == 0, res.output
    assert "— (no hit)" in res.stdout and "nan" not in res.stdout


def test_evaluate_an_ingested_folder(chicago: pd.DataFrame, tmp_path: Path) -> None:
    src = _csv(chicago, tmp_path / "c.csv")
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "o1"),
                              "--columns", "time=date,lon=longitude,lat=latitude"])
    assert res.exit_code == 0, res.output
    assert "(row 1 is the first under the header" in " ".join(res.stdout.split())
    args = ["--methods", "naive", "--train-days", "30", "--test-from", "2017-06-01", "--json"]
    by_folder = runner.invoke(app, ["intel", "evaluate", str(tmp_path / "o1"), *args])
    by_store = runner.invoke(app, ["intel", "evaluate", str(tmp_path / "o1" /
                                                            "incidents.parquet"), *args])
    assert by_folder.exit_code == 0, by_folder.output
    assert json.loads(by_folder.stdout)["methods"][0]["hit_rate"] == json.loads(
        by_store.stdout)["methods"][0]["hit_rate"]
    res = runner.invoke(app, ["intel", "evaluate", str(tmp_path), *args])
    assert res.exit_code == 1
    assert "a folder, neither a scenario (no scenario.toml) nor an ingested store" in res.stderr


def test_chinese_meridiems_under_a_given_layout_and_dates_run_into_clocks(
        tmp_path: Path) -> None:
    rows = "".join(f"2017/1/{1 + i % 28} {'上午' if i % 2 else '下午'} 10:0{i % 10}:00,104.06,"
                   f"{30.66 + i / 1000:.4f}\n" for i in range(60))
    src = tmp_path / "pm.csv"
    src.write_text("t,lon,lat\n" + rows, encoding="utf-8")
    given = ingest(src, columns={"time": "t"}, time_format="%Y/%m/%d %p %I:%M:%S")
    guessed = ingest(src, columns={"time": "t"})
    assert given.table.time[:2].astype(str).tolist() == ["2017-01-01T22:00:00",
                                                         "2017-01-02T10:01:00"]
    assert np.array_equal(given.table.time, guessed.table.time) and len(given.table) == 60
    rows = "".join(f"2017年01月{1 + i % 28:02d}日00:0{i % 10}:00,104.06,{30.66 + i / 1000:.4f}\n"
                   for i in range(60))
    src.write_text("t,lon,lat\n" + rows, encoding="utf-8")
    got = ingest(src, columns={"time": "t"})
    assert got.report.time_format == "%Y年%m月%d日%H:%M:%S" and len(got.table) == 60


XLS_HEAD = ["警情编号", "报警时间", "警情类别", "经度", "纬度"]


def _xls_rows(n: int = 40) -> list[list[object]]:
    return [[f"J{i:03d}", f"2019-01-{1 + i % 28:02d} 22:{i % 60:02d}:00", "盗窃",
             104.06 + i / 1000, 30.66] for i in range(n)]


def test_files_named_xls_read_by_what_they_hold(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl
    import xlwt

    cols = {"id": "警情编号", "time": "报警时间", "category": "警情类别", "lon": "经度",
            "lat": "纬度"}
    expect = [f"2019-01-{1 + i % 28:02d}T22:{i % 60:02d}:00" for i in range(40)]
    # Excel 97-2003: a real date cell, a text cell, numbers
    book = xlwt.Workbook()
    ws = book.add_sheet("警情")
    for c, h in enumerate(XLS_HEAD):
        ws.write(0, c, h)
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for r, row in enumerate(_xls_rows(), start=1):
        for c, v in enumerate(row):
            if c == 1 and r % 2:
                ws.write(r, c, dt.datetime.fromisoformat(str(v)), when)
            else:
                ws.write(r, c, v)
    book.save(str(tmp_path / "biff.xls"))
    # an .xlsx renamed; an HTML table; tab-separated text — all named .xls
    wb = openpyxl.Workbook()
    wb.active.append(XLS_HEAD)
    for row in _xls_rows():
        wb.active.append(row)
    wb.save(tmp_path / "renamed.xls")
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>\n"
                    for row in _xls_rows())
    (tmp_path / "page.xls").write_text(
        '<html><head><meta charset="utf-8"></head><body><table><tr>'
        + "".join(f"<th>{h}</th>" for h in XLS_HEAD) + "</tr>\n" + cells
        + "<tr><td>合计</td><td>40</td></tr></table></body></html>", encoding="utf-8")
    (tmp_path / "tabs.xls").write_bytes(("\t".join(XLS_HEAD) + "\n" + "".join(
        "\t".join(str(v) for v in row) + "\n" for row in _xls_rows())).encode("gb18030"))
    for name, note in (("biff.xls", None), ("renamed.xls", "an .xlsx workbook named .xls"),
                       ("page.xls", "an HTML table named .xls"),
                       ("tabs.xls", "a text table named .xls")):
        got = ingest(tmp_path / name, columns=cols)
        assert got.table.time.astype(str).tolist() == expect, name
        assert got.table.ids[0] == "J000" and got.table.category[0] == "盗窃", name
        assert np.allclose(got.table.x, ingest(tmp_path / "biff.xls", columns=cols).table.x)
        if note:
            assert any(note in n for n in got.report.notes), (name, got.report.notes)
    # the HTML table's total row is a row of the wrong width, listed
    assert [(p.row, p.rule) for p in ingest(tmp_path / "page.xls",
                                            columns=cols).report.problems] == [
        (41, "row has a different number of fields than the header")]
    with pytest.raises(IngestError, match=r"has no sheet of that name; its sheets are '警情'"):
        ingest(tmp_path / "biff.xls", columns=cols, layer="Sheet2")
    # a date cell and a time cell apart; an XHTML page that declares its encoding
    book = xlwt.Workbook()
    ws = book.add_sheet("s")
    for c, h in enumerate(["日期", "时间", "经度", "纬度"]):
        ws.write(0, c, h)
    day, clock = xlwt.easyxf(num_format_str="yyyy-mm-dd"), xlwt.easyxf(num_format_str="hh:mm")
    for r in range(1, 21):
        ws.write(r, 0, dt.datetime(2023, 3, r), day)
        ws.write(r, 1, dt.time(10, 30), clock)
        ws.write(r, 2, 113.26 + r / 1000)
        ws.write(r, 3, 23.13)
    book.save(str(tmp_path / "apart.xls"))
    got = ingest(tmp_path / "apart.xls", columns={"time": "日期+时间"})
    assert got.table.time[:2].astype(str).tolist() == ["2023-03-01T10:30:00",
                                                       "2023-03-02T10:30:00"]
    (tmp_path / "x.xls").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        "<body><table><tr>" + "".join(f"<th>{h}</th>" for h in XLS_HEAD) + "</tr>\n"
        + cells + "</table></body></html>", encoding="utf-8")
    assert len(ingest(tmp_path / "x.xls", columns=cols).table) == 40


def test_evaluate_names_a_month_the_record_misses(chicago: pd.DataFrame, tmp_path: Path) -> None:
    gap = chicago[(chicago.date < "2017-03-01") | (chicago.date >= "2017-04-01")]
    src = _csv(gap, tmp_path / "gap.csv")
    args = ["intel", "evaluate", str(src), "--columns", "time=date,lon=longitude,lat=latitude",
            "--methods", "naive", "--train-days", "60", "--test-from", "2017-05-01"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert ("note: the record has no incident from 2017-03-01 to 2017-03-31 (31 days)"
            in " ".join(res.stdout.split()))
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert doc["record_holes"] == [["2017-03-01", "2017-03-31"]]
    whole = runner.invoke(app, ["intel", "evaluate", str(_csv(chicago, tmp_path / "c.csv")),
                                *args[3:], "--json"])
    assert "record_holes" not in json.loads(whole.stdout)


def test_a_days_end_written_24_00_is_the_next_midnight(tmp_path: Path) -> None:
    rows = "".join(f"12/{1 + i % 28:02d}/2019,{'24:00:00' if i % 3 == 0 else '17:00:00'},"
                   f"-73.9,{40.7 + i / 1000:.4f}\n" for i in range(60))
    src = tmp_path / "nypd.csv"
    src.write_text("CMPLNT_FR_DT,CMPLNT_FR_TM,lon,lat\n" + rows, encoding="utf-8")
    got = ingest(src, columns={"time": "CMPLNT_FR_DT+CMPLNT_FR_TM"})
    assert got.table.time[:2].astype(str).tolist() == ["2019-12-02T00:00:00",
                                                       "2019-12-02T17:00:00"]
    assert len(got.table) == 60
    iso = tmp_path / "iso.csv"
    iso.write_text("time,lon,lat\n2019-12-31T24:00,-73.9,40.7\n2019-12-31 23:00,-73.9,40.71\n",
                   encoding="utf-8")
    assert ingest(iso).table.time.astype(str).tolist() == ["2020-01-01T00:00:00",
                                                           "2019-12-31T23:00:00"]
    zoned = tmp_path / "z.csv"  # with an offset: the instant, in the jurisdiction's zone
    zoned.write_text("time,lon,lat\n2019-12-31T24:00:00Z,104.06,30.66\n", encoding="utf-8")
    assert ingest(zoned, tz="Asia/Shanghai").table.time.astype(str).tolist() == [
        "2020-01-01T08:00:00"]


def test_a_gcj02_file_gets_its_forecast_layer_in_gcj02(tmp_path: Path) -> None:
    from xunfang.geo import wgs84_to_gcj02

    rng = np.random.default_rng(5)
    lon, lat = 104.06 + rng.normal(0, 0.01, 400), 30.66 + rng.normal(0, 0.01, 400)
    glon, glat = wgs84_to_gcj02(lon, lat)
    times = pd.date_range("2019-01-01", periods=400, freq="5h").strftime("%Y-%m-%d %H:%M")
    src = _csv(pd.DataFrame({"time": times, "lon": glon, "lat": glat}), tmp_path / "gcj.csv")
    out = tmp_path / "fc.geojson"
    res = runner.invoke(app, ["intel", "forecast", str(src), "--coords", "gcj02", "--method",
                              "naive", "--geojson", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["coords"] == "gcj02"
    wgs = _csv(pd.DataFrame({"time": times, "lon": lon, "lat": lat}), tmp_path / "wgs.csv")
    plain = tmp_path / "plain.geojson"
    assert runner.invoke(app, ["intel", "forecast", str(wgs), "--method", "naive",
                               "--geojson", str(plain)]).exit_code == 0
    ref = json.loads(plain.read_text(encoding="utf-8"))
    assert "coords" not in ref
    a = {f["properties"]["unit"]: np.array(f["geometry"]["coordinates"][0])
         for f in doc["features"]}
    b = {f["properties"]["unit"]: np.array(f["geometry"]["coordinates"][0])
         for f in ref["features"]}
    assert a.keys() == b.keys()
    for k, ring in b.items():  # each corner where a GCJ-02 map draws the WGS 84 one
        shifted = np.column_stack(wgs84_to_gcj02(ring[:, 0], ring[:, 1]))
        assert np.abs(a[k] - shifted).max() < 1e-6
        assert np.abs(a[k] - ring).max() > 1e-3  # ≈ 300-500 m off: not the same place


def test_auto_says_how_often_it_chose_what(chicago: pd.DataFrame, tmp_path: Path) -> None:
    src = _csv(chicago, tmp_path / "c.csv")
    res = runner.invoke(app, ["intel", "evaluate", str(src), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--methods", "naive,auto",
                              "--train-days", "60", "--test-from", "2017-05-01", "--json"])
    assert res.exit_code == 0, res.output
    notes = json.loads(res.stdout)["methods"][1]["notes"]
    counts = [re.fullmatch(r"chose .+ at (\d+) of 9 refits \(first on 2017-0[56]-\d\d\)", n)
              for n in notes]
    assert all(counts) and sum(int(c[1]) for c in counts if c) == 9, notes


def test_gauss_kruger_zone_numbers_and_the_antimeridian(tmp_path: Path) -> None:
    from xunfang.geo import reproject

    rng = np.random.default_rng(2)
    lon, lat = 113.26 + rng.normal(0, 0.01, 50), 23.13 + rng.normal(0, 0.01, 50)
    times = pd.date_range("2023-01-01", periods=50, freq="9h").strftime("%Y-%m-%d %H:%M")
    cols = {"time": "time", "x": "x", "y": "y"}
    for right, wrong in (("EPSG:4547", "EPSG:4526"), ("EPSG:4526", "EPSG:4547")):
        x, y = reproject(lon, lat, "EPSG:4326", right)  # 4526 writes zone 38 in front of x
        src = _csv(pd.DataFrame({"time": times, "x": x, "y": y}), tmp_path / "gz.csv")
        assert len(ingest(src, columns=cols, crs=right).table) == 50
        with pytest.raises(IngestError, match=rf"--crs {wrong} cannot place the incidents' "
                                              r"middle .*3-degree zone with its number"):
            ingest(src, columns=cols, crs=wrong)
    # Fiji just past 180°, in the zone west of it: used there, not refused
    x, y = reproject(np.full(50, -179.9) + rng.normal(0, 0.01, 50),
                     np.full(50, -16.5), "EPSG:4326", "EPSG:32760")
    src = _csv(pd.DataFrame({"time": times, "x": x, "y": y}), tmp_path / "fj.csv")
    assert len(ingest(src, columns=cols, crs="EPSG:32760").table) == 50


def test_second_review_cases(chicago: pd.DataFrame, tmp_path: Path) -> None:
    # a time of day alone in a date-time column is not dated today; it says where the date is
    src = tmp_path / "clock.csv"
    src.write_text("time,lon,lat\n2019-01-05 06:00,104.06,30.66\n06:00:00,104.06,30.67\n"
                   "0.25,104.06,30.68\n", encoding="utf-8")
    got = ingest(src)
    assert got.table.time.astype(str).tolist() == ["2019-01-05T06:00:00"]
    assert got.report.counts == {CLOCK_ONLY_RULE: 2}
    # Simplified Chinese full of Latin codes is GB18030, not Windows-1252
    rows = "".join(f"2019-01-{1 + i % 28:02d} 10:00,{('KTV', 'A座', 'B栋', 'C区')[i % 4]},"
                   f"川A{12345 + i},104.06,{30.66 + i / 1000:.4f}\n" for i in range(200))
    gbk = tmp_path / "codes.csv"
    gbk.write_bytes(("时间,类别,车牌,经度,纬度\n" + rows).encode("gbk"))
    got = ingest(gbk, columns={"time": "时间", "category": "类别", "lon": "经度", "lat": "纬度"})
    assert got.report.encoding == "gb18030" and got.table.category[1] == "A座"
    assert got.table.extra["车牌"][0] == "川A12345"
    # one odd pair does not turn Chicago's Socrata column
    lon, lat = chicago.longitude.to_numpy()[:200], chicago.latitude.to_numpy()[:200]
    pairs = [f"({b}, {a})" for a, b in zip(lon, lat, strict=True)]
    pairs[5] = "(418.8, -87.63)"
    df = pd.DataFrame({"date": chicago.date[:200], "Location": pairs})
    got = ingest(_csv(df, tmp_path / "loc.csv"), columns={"time": "date", "point": "Location"},
                 keep_duplicates=True)
    assert len(got.table) == 199 and got.report.crs == "EPSG:32616"
    # an id with a blank after it is the same id
    head = "id,time,lon,lat\n"
    same = tmp_path / "sp.csv"
    same.write_text(head + "X1,2019-01-05 10:00,104.06,30.66\nX1 ,2019-01-05 10:00,104.06,"
                    "30.66\nX2,2019-01-05 11:00,104.06,30.67\n", encoding="utf-8")
    assert ingest(same).report.counts == {SAME_ID_RULE: 1}


def test_an_xls_date_cell_of_zero_is_no_date(tmp_path: Path) -> None:
    import datetime as dt

    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("s")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    for c, h in enumerate(["time", "lon", "lat"]):
        ws.write(0, c, h)
    for r in range(1, 11):
        ws.write(r, 0, dt.datetime(2023, 3, r, 10, 30) if r != 5 else 0, day)
        ws.write(r, 1, 113.26)
        ws.write(r, 2, 23.13 + r / 1000)
    book.save(str(tmp_path / "zero.xls"))
    got = ingest(tmp_path / "zero.xls")
    assert len(got.table) == 9 and got.report.counts == {"time missing": 1}


def test_third_review_cases(chicago: pd.DataFrame, tmp_path: Path) -> None:
    # Western words whose accented pairs land on GB2312 characters stay Windows-1252
    for words, enc in ((["Roubo", "Furto", "Violação de domicílio"], "cp1252"),
                       (["Dégât", "Vol"], "cp1252")):
        rows = "".join(f"2019-01-{1 + i % 28:02d} 10:00,{words[i % len(words)]},13.4,"
                       f"{52.0 + i / 1000:.4f}\n" for i in range(60))
        src = tmp_path / "w.csv"
        src.write_bytes(("time,kind,lon,lat\n" + rows).encode(enc))
        got = ingest(src, columns={"category": "kind"})
        assert got.report.encoding == "cp1252", words
        assert set(got.table.category) == set(words)
    # half the pairs '0,0': the others still tell the order
    pts = [f"{104.06 + i / 1000:.4f},30.66" for i in range(50)] + ["0,0"] * 50
    df = pd.DataFrame({"date": chicago.date[:100], "loc": pts})
    got = ingest(_csv(df, tmp_path / "z.csv"), columns={"time": "date", "point": "loc"},
                 keep_duplicates=True)
    assert len(got.table) == 50 and got.report.crs == "EPSG:32648"
    # a placeholder scattered by 100 m in a Chicago file (its UTM zone 86° away): listed
    c = chicago.copy()
    rng = np.random.default_rng(4)
    c.loc[:9, "longitude"] = -1.0 + rng.uniform(-0.001, 0.001, 10)
    c.loc[:9, "latitude"] = -1.0 + rng.uniform(-0.001, 0.001, 10)
    # and a real far town of eight positions 3 km wide on a cell's corner: kept
    c.loc[10:17, "longitude"] = -118.393 + np.linspace(0, 0.03, 8)
    c.loc[10:17, "latitude"] = 34.390 + np.linspace(0, 0.01, 8)
    got = ingest(_csv(c, tmp_path / "c.csv"), columns=LONLAT, keep_duplicates=True)
    assert _far_rows(got.report) == list(range(1, 11))
    # times of day in more spellings are not dated today
    src = tmp_path / "t.csv"
    src.write_text("time,lon,lat\n2019-01-05 06:00,104.06,30.66\n18:30:00.000000,104.06,30.67\n"
                   "06:00:00 p.m.,104.06,30.68\n下午6:00,104.06,30.69\n06:00:00Z,104.06,30.7\n",
                   encoding="utf-8")
    got = ingest(src, tz="Asia/Shanghai")
    assert len(got.table) == 1 and got.report.counts == {CLOCK_ONLY_RULE: 4}
