"""Incident ingestion: every row accounted for, coordinates converted, clear errors."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from xunfang.geo import reproject, wgs84_to_gcj02
from xunfang.intel import IngestError, ingest, read_parquet, write_parquet

HEAD = "编号,报警时间,经度,纬度,类别\n"
ROWS = [
    "A1,2025-03-01 08:15,103.2600,29.2300,盗窃",
    "A2,2025-03-01 09:30,103.2610,29.2310,纠纷",
    "A3,not a time,103.2620,29.2320,纠纷",      # bad time (row 3)
    "A4,2025-03-02 10:00,,29.2320,盗窃",         # missing lon (row 4)
    "A5,2025-03-02 11:00,203.0,29.2320,盗窃",    # lon out of range (row 5)
    "A6,2025-03-02 12:00,0,0,盗窃",              # (0, 0) (row 6)
    "A2,2025-03-01 09:30,103.2610,29.2310,纠纷",  # exact duplicate of row 2 (row 7)
]


def write(tmp_path: Path, text: str, name: str = "inc.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_every_row_is_kept_or_listed_with_its_rule(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "\n".join(ROWS) + "\n")
    got = ingest(path)  # Chinese headers are recognised without a mapping
    rep = got.report
    assert rep.rows == 7 and rep.kept == 2 and rep.rejected == 5
    by_row = {p.row: p for p in rep.problems}
    assert by_row[3].rule == "time not a date-time" and by_row[3].value == "not a time"
    assert by_row[4].field == "经度" and "missing" in by_row[4].rule
    assert "[-180, 180]" in by_row[5].rule
    assert "(0, 0)" in by_row[6].rule
    assert rep.duplicates == ((7, 2),)
    assert rep.counts["exact duplicate"] == 1
    assert sum(rep.counts.values()) == rep.rejected
    assert list(got.table.ids) == ["A1", "A2"]
    assert rep.crs == "EPSG:32648"  # the UTM zone of Ebian
    x, y = reproject(np.array([103.26]), np.array([29.23]), "EPSG:4326", "EPSG:32648")
    assert got.table.x[0] == pytest.approx(x[0]) and got.table.y[0] == pytest.approx(y[0])
    assert str(got.table.time[0]) == "2025-03-01T08:15:00"
    assert list(got.table.category) == ["盗窃", "纠纷"]


def test_gb18030_gzip_and_mapping(tmp_path: Path) -> None:
    text = "when,lng,la,kind\n2025-03-01T08:15,103.26,29.23,盗窃\n"
    p = tmp_path / "inc.csv.gz"
    p.write_bytes(gzip.compress(text.encode("gb18030")))
    got = ingest(p, columns={"time": "when", "lon": "lng", "lat": "la", "category": "kind"})
    assert got.report.encoding == "gb18030"
    assert got.table.category[0] == "盗窃"
    assert got.table.ids[0] == "row1"  # no id column: the row number


def test_text_read_from_disk_or_from_memory_alike(tmp_path: Path) -> None:
    """A plain file is parsed from disk, a gzipped one or an archive's member from memory:
    byte-order mark, GB18030, an empty file and an undecodable byte behave the same way."""
    import zipfile

    from xunfang.intel.ingest import _check_text

    text = "\ufeffid,time,lon,lat,kind\nA1,2025-03-01 08:15,103.26,29.23,盗窃\n"
    for name, encoding in (("bom.csv", "utf-8"), ("gb.csv", "gb18030")):
        plain = write(tmp_path, text if encoding == "utf-8" else text[1:], name, encoding)
        packed = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(packed, "w") as z:
            z.write(plain, name)
        for src in (plain, packed):
            got = ingest(src, columns={"category": "kind"})
            assert got.report.encoding == encoding, src
            assert got.table.ids.tolist() == ["A1"] and got.table.category[0] == "盗窃", src
    # GB18030 behind a UTF-8 byte-order mark (a converter's slip): the mark is no part of the
    # first name in any path (it read as '锘縤d', eating the name's first byte), and that
    # column stays text ('007' is not 7)
    mixed = b"\xef\xbb\xbf" + "id,time,lon,lat,类别\n".encode("gb18030") + b"".join(
        f"{i},2025-03-01 08:15,103.26,29.23,盗窃\n".encode("gb18030") for i in ("007", "7"))
    (tmp_path / "mixed.csv").write_bytes(mixed)
    (tmp_path / "mixed.csv.gz").write_bytes(gzip.compress(mixed))
    with zipfile.ZipFile(tmp_path / "mixed.zip", "w") as z:
        z.writestr("mixed.csv", mixed)
    for name in ("mixed.csv", "mixed.csv.gz", "mixed.zip"):
        got = ingest(tmp_path / name, columns={"category": "类别"})
        assert got.report.encoding == "gb18030" and got.report.kept == 2, name
        assert got.table.ids.tolist() == ["007", "7"], name
        assert got.table.category.tolist() == ["盗窃", "盗窃"], name
    # an undecodable byte after the mark is named by its place in the file
    # (since session 15 a byte no character begins with costs its value, said by its line)
    (tmp_path / "mixed_bad.csv").write_bytes(mixed + b"\x80,x\n")
    got = ingest(tmp_path / "mixed_bad.csv")
    assert got.report.encoding == "gb18030" and got.report.kept == 2
    assert "not GB18030: read as '\ufffd' on line(s) 4 of the file" in got.report.notes[0]
    blank = write(tmp_path, " \n\n", "blank.csv")
    with pytest.raises(IngestError, match=r"blank\.csv: the file is empty"):
        ingest(blank)
    # the byte named is the file's, in whatever pieces it is checked
    body = ("é" * 40).encode() + b"\xff\xfe" + b"a" * 10
    bad = write(tmp_path, "", "bad.csv")
    bad.write_bytes(body)
    for piece in (1, 3, 7, 1 << 24):
        for raw in (None, body):
            with pytest.raises(UnicodeDecodeError) as exc:
                _check_text(bad, raw, "utf-8", chunk=piece)
            assert exc.value.start == 80, (piece, raw is None)
    with pytest.raises(IngestError, match=r"bad\.csv: the text is UTF-8 with 2 broken byte "
                                          r"sequence\(s\), the first at byte 80, on line 1"):
        ingest(bad)


def test_duplicates_found_column_by_column_as_pandas_finds_them() -> None:
    """Rows equal in every column get one number (empty equal to empty), as
    ``DataFrame.duplicated`` compares them, also when the numbers must be renumbered
    part-way (many columns of many values)."""
    import pandas as pd

    from xunfang.intel.ingest import _row_groups

    rng = np.random.default_rng(3)
    n = 3000
    cols = {f"c{i}": rng.integers(0, 3 if i % 2 else 900, n).astype(str).astype(object)
            for i in range(12)}
    df = pd.DataFrame(cols).astype("str")
    df.iloc[rng.integers(0, n, 200)] = df.iloc[rng.integers(0, n, 200)].to_numpy()
    df.loc[rng.random(n) < 0.05, "c0"] = None
    df["x"] = rng.integers(0, 2, n).astype(float)
    df.loc[rng.random(n) < 0.05, "x"] = np.nan
    key, _ = _row_groups(df)
    assert key.min() >= 0 and key.max() < 2**62  # renumbered, never wrapped round int64
    assert np.array_equal(pd.Series(key).duplicated().to_numpy(), df.duplicated().to_numpy())
    assert df.duplicated().sum() > 30
    same = df.groupby(list(df.columns), dropna=False, sort=False).ngroup().to_numpy()
    assert len(np.unique(np.column_stack([key, same]), axis=0)) == len(np.unique(same))


def test_gcj02_and_bd09_are_converted_back_to_wgs84(tmp_path: Path) -> None:
    lon, lat = np.array([103.26]), np.array([29.23])
    glon, glat = wgs84_to_gcj02(lon, lat)
    path = write(tmp_path, f"time,lon,lat\n2025-03-01 08:00,{glon[0]:.8f},{glat[0]:.8f}\n")
    plain = ingest(path)
    fixed = ingest(path, coords="gcj02")
    x, y = reproject(lon, lat, "EPSG:4326", "EPSG:32648")
    assert abs(fixed.table.x[0] - x[0]) < 0.5 and abs(fixed.table.y[0] - y[0]) < 0.5
    # read as WGS84, a GCJ-02 position is hundreds of metres off
    assert np.hypot(plain.table.x[0] - x[0], plain.table.y[0] - y[0]) > 100


def test_projected_xy_and_a_crs_that_does_not_fit(tmp_path: Path) -> None:
    path = write(tmp_path, "time,x,y\n2025-03-01 08:00,331479.8,3234817.9\n")
    got = ingest(path, crs="EPSG:32648")
    assert got.table.crs == "EPSG:32648" and got.table.x[0] == pytest.approx(331479.8)
    with pytest.raises(IngestError, match=r"geographic.*look like metres"):
        ingest(path, crs="EPSG:4326")
    lonlat = write(tmp_path, "time,x,y\n2025-03-01 08:00,103.26,29.23\n2025-03-01 09:00,"
                   "103.27,29.24\n", name="ll.csv")
    with pytest.raises(IngestError, match=r"projected.*look like degrees"):
        ingest(lonlat, crs="EPSG:32648")
    with pytest.raises(IngestError, match="need their CRS"):
        ingest(path)


def test_time_zones_and_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "time,lon,lat\n2025-03-01T00:15:00Z,103.26,29.23\n")
    with pytest.raises(IngestError, match="--tz"):
        ingest(path)
    got = ingest(path, tz="Asia/Shanghai")
    assert str(got.table.time[0]) == "2025-03-01T08:15:00"
    fmt = write(tmp_path, "time,lon,lat\n01/03/2025 08:15,103.26,29.23\n2025-03-01,103.26,"
                "29.23\n", name="fmt.csv")
    got = ingest(fmt, time_format="%d/%m/%Y %H:%M")
    assert str(got.table.time[0]) == "2025-03-01T08:15:00"
    assert got.report.problems[0].row == 2
    assert got.report.problems[0].rule == "time not in format %d/%m/%Y %H:%M"


def test_outside_the_jurisdiction_is_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "time,x,y\n2025-03-01 08:00,50,50\n2025-03-01 09:00,500,50\n")
    got = ingest(path, crs="EPSG:32648", jurisdiction=shapely.box(0, 0, 100, 100))
    assert got.report.kept == 1
    assert got.report.problems[0].row == 2
    assert got.report.problems[0].rule == "outside the jurisdiction"


@pytest.mark.parametrize(("text", "match"), [
    ("", "empty"),
    ("time,lon,lat\n", "no rows"),
    ("lon,lat\n103.2,29.2\n", "no time column"),
    ("time,a,b\n2025-03-01,1,2\n", "no coordinates"),
])
def test_files_that_cannot_be_ingested(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(IngestError, match=match):
        ingest(write(tmp_path, text))


def test_bad_mapping_names_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, "time,lon,lat\n2025-03-01,103.2,29.2\n")
    with pytest.raises(IngestError, match="maps time to 'when', which is not a column"):
        ingest(path, columns={"time": "when"})
    with pytest.raises(IngestError, match="--coords"):
        ingest(path, coords="wgs72")


def test_excel_geojson_and_parquet_round_trip(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "time", "lon", "lat", "priority"])
    ws.append(["E1", "2025-03-01 08:00", "103.26", "29.23", "2"])
    wb.save(tmp_path / "inc.xlsx")
    got = ingest(tmp_path / "inc.xlsx")
    assert got.table.ids[0] == "E1" and got.table.priority[0] == 2

    import pandas as pd

    df = pd.DataFrame({"id": ["G1", "G2"], "time": ["2025-03-01 08:00", "2025-03-02 09:00"]})
    pts = shapely.points([[103.26, 29.23], [103.27, 29.24]])
    from pyogrio.raw import write as raw_write  # pyogrio's writer without GeoPandas

    raw_write(tmp_path / "inc.gpkg", shapely.to_wkb(pts),
              [df["id"].to_numpy(), df["time"].to_numpy()], ["id", "time"],
              geometry_type="Point", crs="EPSG:4326", driver="GPKG")
    geojson = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
               '{"time": "2025-03-01 08:00"}, "geometry": {"type": "Point", "coordinates": '
               '[103.26, 29.23]}}]}')
    (tmp_path / "inc.geojson").write_text(geojson, encoding="utf-8")
    assert ingest(tmp_path / "inc.geojson").report.kept == 1
    gis = ingest(tmp_path / "inc.gpkg")
    assert gis.report.kept == 2 and gis.table.crs == "EPSG:32648"

    store = write_parquet(gis.table, tmp_path / "s.parquet")
    back = read_parquet(store)
    assert back.crs == gis.table.crs
    np.testing.assert_array_equal(back.time, gis.table.time)
    np.testing.assert_allclose(back.x, gis.table.x)
    assert list(back.ids) == ["G1", "G2"]
    with pytest.raises(IngestError, match="Parquet"):
        read_parquet(write(tmp_path, "not parquet", name="x.parquet"))


def test_time_layouts_are_recognised_or_asked_for(tmp_path: Path) -> None:
    us = write(tmp_path, "time,lon,lat\n01/13/2018 11:05:00 PM,103.26,29.23\n"
               "02/01/2018 01:00:00 AM,103.26,29.23\n", name="us.csv")
    got = ingest(us)
    assert got.report.time_format == "%m/%d/%Y %I:%M:%S %p"
    assert [str(t) for t in got.table.time] == ["2018-01-13T23:05:00", "2018-02-01T01:00:00"]
    cn = write(tmp_path, "time,lon,lat\n2018年1月13日 23:05,103.26,29.23\n", name="cn.csv")
    assert str(ingest(cn).table.time[0]) == "2018-01-13T23:05:00"
    ambiguous = write(tmp_path, "time,lon,lat\n01/02/2018 10:00,103.26,29.23\n", name="a.csv")
    with pytest.raises(IngestError, match="day-first and month-first"):
        ingest(ambiguous)
    assert str(ingest(ambiguous, time_format="%d/%m/%Y %H:%M").table.time[0]) == (
        "2018-02-01T10:00:00")


def test_utc_offsets_may_differ_and_mix_with_local_times(tmp_path: Path) -> None:
    rows = ["2024-01-01T08:00+00:00", "2024-01-01T09:00+08:00", "2024-01-01 09:30",
            "2024-01-01T01:00Z", "20240101T010000-0500", "not a time"]
    path = write(tmp_path, "time,lon,lat\n" + "".join(f"{r},103.26,29.23\n" for r in rows))
    got = ingest(path, tz="Asia/Shanghai")  # values without an offset are local in --tz
    assert [str(t) for t in got.table.time] == [
        "2024-01-01T16:00:00", "2024-01-01T09:00:00", "2024-01-01T09:30:00",
        "2024-01-01T09:00:00", "2024-01-01T14:00:00"]
    assert [(p.row, p.rule) for p in got.report.problems] == [(6, "time not a date-time")]
    # ... or in --source-tz; most values in another layout, a few ISO 8601 with an offset
    rows = ["2024/01/01 09:00"] * 3 + ["2024-01-01T09:00+08:00", "2024/01/01 10:00"]
    path = write(tmp_path, "time,lon,lat\n" + "".join(f"{r},103.26,29.23\n" for r in rows),
                 name="utc.csv")
    got = ingest(path, tz="Asia/Shanghai", source_tz="UTC", keep_duplicates=True)
    assert [str(t)[11:16] for t in got.table.time] == ["17:00"] * 3 + ["09:00", "18:00"]
    with pytest.raises(IngestError, match="--tz"):  # offsets still need the local zone
        ingest(path)


@pytest.mark.parametrize("option", ["tz", "source_tz"])
def test_a_bad_time_zone_names_the_option_and_the_value(tmp_path: Path, option: str) -> None:
    path = write(tmp_path, "time,lon,lat\n2024-01-01 09:00,103.26,29.23\n")
    zones = {"tz": "Asia/Shanghai", "source_tz": "UTC", option: "Mars/Olympus"}
    flag = "--" + option.replace("_", "-")
    with pytest.raises(IngestError, match=f"{flag} 'Mars/Olympus' is not a time zone"):
        ingest(path, **zones)  # type: ignore[arg-type]
    with pytest.raises(IngestError, match="--source-tz needs --tz"):
        ingest(path, source_tz="UTC")


def test_a_priority_not_a_whole_number_is_listed_and_the_row_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "time,lon,lat,priority\n" + "".join(
        f"2024-01-01 0{i}:00,103.26,29.23,{p}\n"
        for i, p in enumerate(["2", "soon", "", "2.5", "3.0"], start=1)))
    got = ingest(path)
    assert list(got.table.priority) == [2, 0, 0, 0, 3]  # empty or unusable: 0, no priority
    rule = "priority not a whole number: row kept with priority 0 (none), as if empty"
    assert [(p.row, p.field, p.rule, p.value) for p in got.report.problems] == [
        (2, "priority", rule, "soon"), (4, "priority", rule, "2.5")]
    assert got.report.kept == 5 and got.report.counts == {rule: 2}


def test_rows_of_the_wrong_width_are_listed_and_the_others_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("id,time,lon,lat\n"
            "A,2024-01-01 09:00,103.26,29.23\n"
            "\n"                                     # an empty line: skipped, not counted
            "B,2024-01-01 09:00,103.26\n"            # row 2: too few fields
            "C,2024-01-01 10:00,103.26,29.23,x\n"    # row 3: too many
            "D,2024-01-01 11:00,103.26,29.23\n"
            "D,2024-01-01 11:00,103.26,29.23\n"      # row 5: a duplicate of row 4
            "E,NA,103.26,29.23\n")                   # row 6: no time
    path = write(tmp_path, text)
    rule = "row has a different number of fields than the header (4)"

    def check() -> None:
        got = ingest(path)
        rep = got.report
        assert rep.rows == 6 and rep.kept == 2 and list(got.table.ids) == ["A", "D"]
        assert [(p.row, p.field, p.rule, p.value) for p in rep.problems] == [
            (2, "*", rule, "3 fields: B,2024-01-01 09:00,103.26"),
            (3, "*", rule, "5 fields: C,2024-01-01 10:00,103.26,29.23,x"),
            (6, "time", "time missing", "")]
        assert rep.duplicates == ((5, 4),)
        assert sum(rep.counts.values()) == rep.rejected

    check()
    # the row-by-row reader, used when the fast one and the count of rows disagree, agrees
    mod = sys.modules["xunfang.intel.ingest"]  # the package's `ingest` is the function
    monkeypatch.setattr(mod, "_wrong_width", lambda raw, enc, sep: (0, []))
    check()
    with pytest.raises(IngestError, match=r"no row has as many fields.*row 1 has 2 fields"):
        ingest(write(tmp_path, "time,lon,lat\n2024-01-01 09:00,103.2\n", name="short.csv"))


def test_daylight_saving_gap_and_fold_have_their_own_rules(tmp_path: Path) -> None:
    rows = ["2024-03-10 02:30", "2024-11-03 01:30", "2024-03-10 05:30", "soon"]
    path = write(tmp_path, "time,lon,lat\n" + "".join(f"{r},103.26,29.23\n" for r in rows))
    got = ingest(path, tz="Asia/Shanghai", source_tz="America/Chicago")
    # the repeated hour's time converted as the first of its two instants (CDT, -05:00),
    # said in a note, as a scenario's source_timezone reads it (a review: ingest had refused
    # it where the scenario loader kept it)
    assert [str(t) for t in got.table.time] == ["2024-11-03T14:30:00", "2024-03-10T18:30:00"]
    assert [(p.row, p.rule) for p in got.report.problems] == [
        (1, "local time does not exist in America/Chicago (daylight-saving gap)"),
        (4, "time not a date-time")]
    assert any("first of the two instants" in n for n in got.report.notes)
    # on the jurisdiction's own clock (no --source-tz, or the same zone): the skipped hour's
    # time never happened and is listed; the repeated hour's is kept, its day and hour the
    # same whichever of the two it was (a review: the gap kept silently, the fold set aside)
    for source in (None, "America/Chicago"):
        got = ingest(path, tz="America/Chicago", source_tz=source)
        assert [str(t) for t in got.table.time] == ["2024-11-03T01:30:00",
                                                    "2024-03-10T05:30:00"]
        assert [(p.row, p.rule) for p in got.report.problems] == [
            (1, "local time does not exist in America/Chicago (daylight-saving gap)"),
            (4, "time not a date-time")]
    # another name of the same clock is the same clock
    assert len(ingest(path, tz="America/Chicago", source_tz="US/Central").table) == 2
    # where the clocks go forward at midnight (São Paulo, 2018-11-04), a date without its
    # time stays on its date (a review: the whole day of a date-only record was listed)
    dates = write(tmp_path, "time,lon,lat\n2018-11-04,-46.63,-23.55\n2018-11-03,-46.63,"
                  "-23.55\n", name="sp.csv")
    for source in (None, "America/Sao_Paulo"):
        got = ingest(dates, tz="America/Sao_Paulo", source_tz=source)
        assert sorted(str(t)[:10] for t in got.table.time) == ["2018-11-03", "2018-11-04"]
    # and with a zone's abbreviation beside it (a review: Havana's midnight 'CST' refused the
    # whole file with pandas' words)
    havana = write(tmp_path, "time,lon,lat\n2019-03-10 00:00 CST,-82.38,23.13\n"
                   "2019-03-09 12:00 CST,-82.38,23.13\n", name="havana.csv")
    assert len(ingest(havana, tz="UTC", source_tz="America/Havana").table) == 2
    got = ingest(dates, tz="America/Chicago", source_tz="America/Sao_Paulo")
    assert sorted(str(t) for t in got.table.time) == ["2018-11-02T22:00:00",
                                                      "2018-11-03T22:00:00"]


def test_a_damaged_gzip_file_is_refused_naming_it(tmp_path: Path) -> None:
    data = gzip.compress((HEAD + "\n".join(ROWS) + "\n").encode() * 50)
    cut = write(tmp_path, "", "cut.csv.gz")
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match=r"cut\.csv\.gz: the gzip file is truncated"):
        ingest(cut)
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(data[:20] + bytes(b ^ 0x5A for b in data[20:40]) + data[40:])
    with pytest.raises(IngestError, match=r"bad\.csv\.gz: the gzip file is damaged"):
        ingest(bad)


def test_gcj02_or_bd09_points_outside_china_are_listed_not_shifted(tmp_path: Path) -> None:
    # Chicago with --coords gcj02: the formulas would move it 3.5 km; the datum is China's only
    text = ("time,lon,lat\n2025-03-01 08:15,103.26,29.23\n2025-03-01 09:15,-87.6277,41.7922\n"
            "2025-03-01 10:15,-87.6683,41.7513\n")
    for coords, name in (("gcj02", "GCJ-02"), ("bd09", "BD-09")):
        rep = ingest(write(tmp_path, text), coords=coords).report
        assert rep.kept == 1
        rule = f"outside China: {name} coordinates are used only there"
        assert [p.row for p in rep.problems if p.rule.startswith(rule)] == [2, 3]
        assert sum(rep.counts.values()) == 2


def test_to_wgs84_leaves_points_outside_china_as_they_are() -> None:
    from xunfang.geo import to_wgs84

    lon, lat = np.array([-87.6277, 116.39]), np.array([41.7922, 39.91])
    wlon, wlat = to_wgs84(lon, lat, "gcj02")
    assert (wlon[0], wlat[0]) == (lon[0], lat[0])
    assert abs(wlon[1] - lon[1]) > 1e-3


def test_no_usable_coordinates_says_why(tmp_path: Path) -> None:
    only = write(tmp_path, "time,lon,lat\n2025-03-01 09:15,-87.6277,41.7922\n", "chi.csv")
    with pytest.raises(IngestError, match=r"chi\.csv: no row has usable coordinates "
                                          r"\(lon, lat\): 1 outside China"):
        ingest(only, coords="gcj02")
    metres = write(tmp_path, "time,lon,lat\n2025-03-01 09:15,36039485.4,3244170.1\n"
                             "2025-03-01 10:15,36039585.4,3244270.1\n", "m.csv")
    with pytest.raises(IngestError, match=r"metres or feet.*--columns x=lon,y=lat.*--crs"):
        ingest(metres)
    swapped = write(tmp_path, "time,lon,lat\n2025-03-01 09:15,29.23,103.26\n"
                              "2025-03-01 10:15,29.24,103.27\n", "s.csv")
    with pytest.raises(IngestError, match=r"columns seem swapped.*lon=lat,lat=lon"):
        ingest(swapped)


def test_a_row_missing_both_coordinates_is_counted_once(tmp_path: Path) -> None:
    text = ("time,lon,lat\n2025-03-01 08:15,103.26,29.23\n2025-03-01 09:15,,\n"
            "2025-03-01 10:15,x,\n2025-03-01 11:15,103.26,\n")
    rep = ingest(write(tmp_path, text)).report
    assert rep.rows == 4 and rep.kept == 1
    assert rep.counts == {"coordinate missing or not a number": 3}
    assert sum(rep.counts.values()) == rep.rejected
    assert [(p.row, p.field, p.value) for p in rep.problems] == [
        (4, "lat", ""), (2, "lon and lat", ", "), (3, "lon and lat", "x, ")]


def _geojson(tmp_path: Path, geometries: list[object], name: str = "g.geojson") -> Path:
    import json

    feats = [{"type": "Feature", "geometry": g,
              "properties": {"time": f"2025-03-01 0{i}:15"}} for i, g in enumerate(geometries)]
    p = tmp_path / name
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return p


def test_gis_features_that_are_no_point_are_listed_once_under_their_type(
        tmp_path: Path) -> None:
    square = [[[103.0, 29.0], [103.1, 29.0], [103.1, 29.1], [103.0, 29.0]]]
    p = _geojson(tmp_path, [
        {"type": "Point", "coordinates": [103.26, 29.23]},
        {"type": "MultiPoint", "coordinates": [[103.27, 29.24]]},  # one point: that point
        {"type": "MultiPoint", "coordinates": [[103.27, 29.24], [103.28, 29.25]]},
        {"type": "Polygon", "coordinates": square},
        None,
        {"type": "LineString", "coordinates": [[103.0, 29.0], [103.1, 29.1]]},
    ])
    rep = ingest(p).report
    assert rep.rows == 6 and rep.kept == 2
    assert sorted((q.row, q.field, q.rule) for q in rep.problems) == [
        (3, "geometry", "geometry is not a point (MultiPoint of several points)"),
        (4, "geometry", "geometry is not a point (Polygon)"),
        (5, "geometry", "geometry missing (null)"),
        (6, "geometry", "geometry is not a point (LineString)")]
    assert sum(rep.counts.values()) == rep.rejected
    kml = tmp_path / "areas.kml"
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>a</name><ExtendedData><Data name=\"time\"><value>"
        "2025-03-01 08:15</value></Data></ExtendedData><Polygon><outerBoundaryIs><LinearRing>"
        "<coordinates>103.0,29.0 103.1,29.0 103.1,29.1 103.0,29.0</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark></Document></kml>")
    with pytest.raises(IngestError, match=r"areas\.kml: no row has a point geometry: "
                                          r"1 geometry is not a point \(Polygon\)"):
        ingest(kml)


def test_an_alias_never_takes_a_column_empty_in_every_row(tmp_path: Path) -> None:
    text = ("time,date,lon,lat\n,2025-03-01 08:15,103.26,29.23\n ,2025-03-01 09:15,103.27,29.24\n")
    got = ingest(write(tmp_path, text))
    assert got.report.kept == 2 and str(got.table.time[0]) == "2025-03-01T08:15:00"
    # KML read by GDAL: an empty 'timestamp' beside the real time, which no alias names
    only = write(tmp_path, "timestamp,发生时间,lon,lat\n,2025-03-01 08:15,103.26,29.23\n", "k.csv")
    with pytest.raises(IngestError, match=r"k\.csv: no time column; map one with --columns.*"
                                          r"timestamp is empty in every row"):
        ingest(only)
    nothing = write(tmp_path, "time,lon,lat\n2025-03-01 08:15,,\n", "e.csv")
    with pytest.raises(IngestError, match=r"no coordinates.*lon, lat are empty in every row"):
        ingest(nothing)
    assert ingest(only, columns={"time": "发生时间"}).report.kept == 1


def test_x_y_mapped_explicitly_are_not_displaced_by_lon_lat_aliases(tmp_path: Path) -> None:
    x, y = reproject(np.array([103.26, 103.27]), np.array([29.23, 29.24]), "EPSG:4326",
                     "EPSG:32648")
    text = "time,east,north,longitude,latitude\n" + "".join(
        f"2025-03-01 0{i}:15,{a},{b},0,0\n" for i, (a, b) in enumerate(zip(x, y, strict=True)))
    got = ingest(write(tmp_path, text), columns={"x": "east", "y": "north"}, crs="EPSG:32648")
    assert got.report.kept == 2 and got.report.crs == "EPSG:32648"
    assert np.allclose(got.table.x, x) and np.allclose(got.table.y, y)
    assert "longitude" in got.table.extra  # kept as a column of its own, not as coordinates
    # and lon/lat mapped: x/y aliases stay out
    text = "time,x,y,lng_wgs,lat_wgs\n2025-03-01 08:15,1,2,103.26,29.23\n"
    got = ingest(write(tmp_path, text, "b.csv"), columns={"lon": "lng_wgs", "lat": "lat_wgs"})
    assert got.report.kept == 1 and got.report.crs == "EPSG:32648"


def test_a_title_row_above_the_header_is_named_as_such(tmp_path: Path) -> None:
    body = "时间,经度,纬度,类别\n2025-03-01 08:15,103.26,29.23,盗窃\n"
    for top in ("峨边县警情统计表,,,\n", "基本信息,,位置信息,\n"):
        p = write(tmp_path, top + body, "t.csv")
        with pytest.raises(IngestError, match=r"t\.csv: the header row has \d empty column "
                                              r"names.*title row.*data row 1 reads like a "
                                              r"header \(时间, 经度, 纬度, 类别\)"):
            ingest(p)
    import pandas as pd

    xl = tmp_path / "t.xlsx"
    rows = [["峨边县警情统计表", None, None], ["时间", "经度", "纬度"],
            ["2025-03-01 08:15", "103.26", "29.23"]]
    pd.DataFrame(rows).to_excel(xl, header=False, index=False)
    with pytest.raises(IngestError, match=r"t\.xlsx: the header row has 2 empty column names"):
        ingest(xl)
    # one empty name (a saved index column) is still read
    assert ingest(write(tmp_path, ",time,lon,lat\n0,2025-03-01 08:15,103.26,29.23\n",
                        "i.csv")).report.kept == 1


def test_the_report_file_lists_every_rejected_row_beyond_the_listed_cap(tmp_path: Path) -> None:
    import pandas as pd

    from xunfang.intel.ingest import MAX_LISTED

    n = MAX_LISTED + 500
    good = "2025-03-01 08:15,103.26,29.23"
    lines = [f"{'bad' if i % 2 else '2025-03-01 09:15'},{103 + i / 1e5},"
             f"{'' if i % 2 == 0 else 29.23}" for i in range(2 * n)]
    p = write(tmp_path, "time,lon,lat\n" + good + "\n" + "\n".join(lines) + "\n" + good + "\n")
    rep = ingest(p).report
    assert rep.counts == {"time not a date-time": n, "coordinate missing or not a number": n,
                          "exact duplicate": 1}
    assert len(rep.problems) == 2 * MAX_LISTED  # the report object keeps its sample
    rep.write_csv(tmp_path / "r.csv")
    listed = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    assert len(listed) == rep.rejected == 2 * n + 1
    assert listed["row"].astype(int).tolist() == list(range(2, 2 * n + 3))
    assert listed["rule"].value_counts().to_dict() == dict(rep.counts)
    assert listed.iloc[-1].tolist() == [str(2 * n + 2), "*", "exact duplicate", "same as row 1"]
    assert rep.as_json()["listed"].startswith(f"problems and duplicates: the first {MAX_LISTED}")


def _gbk_shapefile(folder: Path) -> Path:
    from pyogrio.raw import write

    folder.mkdir()
    shp = folder / "jq.shp"
    pts = shapely.points([103.26, 103.27], [29.23, 29.24])
    write(shp, shapely.to_wkb(pts), [np.array(["2025-03-01 08:15", "2025-03-01 09:15"],
                                              dtype=object),
                                     np.array(["盗窃", "纠纷"], dtype=object)],
          ["时间", "类别"], driver="ESRI Shapefile", geometry_type="Point", crs="EPSG:4326",
          encoding="GBK")
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()
    return shp


def test_a_gbk_shapefile_without_a_cpg_is_read_as_gb18030_and_noted(tmp_path: Path) -> None:
    import zipfile

    shp = _gbk_shapefile(tmp_path / "shp")
    assert (shp.parent / "jq.dbf").read_bytes().find("时间".encode("gbk")) > 0
    zipped = tmp_path / "jq.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in shp.parent.iterdir():
            z.write(f, f.name)
    for path in (shp, zipped):
        got = ingest(path)
        assert got.report.kept == 2 and got.report.encoding == "gb18030"
        assert list(got.table.category) == ["盗窃", "纠纷"]
        assert any("no .cpg" in n and "GB18030" in n for n in got.report.notes)


def _workbook(path: Path, sheets: dict[str, list[list[object]]],
              merged: dict[str, list[str]] | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for ref in (merged or {}).get(title, []):
            ws.merge_cells(ref)
    book.save(path)
    return path


WB_HEAD = ["时间", "经度", "纬度", "类别"]


def test_a_workbook_of_several_sheets_needs_layer_to_name_one(tmp_path: Path) -> None:
    import zipfile

    jan = [WB_HEAD, ["2025-01-01 08:15", 103.26, 29.23, "盗窃"]]
    feb = [WB_HEAD, ["2025-02-01 08:15", 103.27, 29.24, "纠纷"],
           ["2025-02-02 08:15", 103.27, 29.24, "纠纷"]]
    p = _workbook(tmp_path / "m.xlsx", {"1月": jan, "2月": feb, "说明": []})
    with pytest.raises(IngestError, match=r"m\.xlsx: the workbook has 2 sheets holding data "
                                          r"\('1月', '2月'\); choose one with --layer SHEET"):
        ingest(p)
    got = ingest(p, layer="2月")
    assert got.report.rows == 2 and list(got.table.category) == ["纠纷", "纠纷"]
    with pytest.raises(IngestError, match=r"--layer '3月': .*no sheet of that name; its "
                                          r"sheets are '1月', '2月', '说明'"):
        ingest(p, layer="3月")
    # one sheet holding data among empty ones: read, and the notes say which
    one = _workbook(tmp_path / "o.xlsx", {"空": [], "明细": feb})
    rep = ingest(one).report
    assert rep.rows == 2 and any("sheet '明细' read" in n for n in rep.notes)
    zipped = tmp_path / "m.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.write(p, "m.xlsx")
    assert ingest(zipped, layer="1月").report.rows == 1
    # a chart sheet beside the data: no cells, no data (it raised AttributeError: a review)
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "data"
    for row in feb:
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3))
    book.create_chartsheet("chart").add_chart(chart)
    book.save(tmp_path / "c.xlsx")
    assert ingest(tmp_path / "c.xlsx").report.rows == 2
    with pytest.raises(IngestError, match="is not a GIS file or a workbook"):
        ingest(write(tmp_path, "time,lon,lat\n2025-03-01 08:15,103.26,29.23\n"), layer="x")


def test_merged_cells_read_as_their_top_left_value_and_are_noted(tmp_path: Path) -> None:
    rows: list[list[object]] = [WB_HEAD]
    cats = ["盗窃"] * 3 + ["纠纷"] * 2 + ["诈骗"]
    for i, c in enumerate(cats):
        rows.append([f"2025-03-0{i + 1} 08:15", 103.26 + i / 1000, 29.23, c])
    p = _workbook(tmp_path / "mc.xlsx", {"Sheet1": rows}, {"Sheet1": ["D2:D4", "D5:D6"]})
    got = ingest(p)
    assert list(got.table.category) == cats  # not '盗窃', '', '', '纠纷', '', '诈骗'
    assert any(n.startswith("2 merged cell ranges (3 cells, in 类别) read as their top-left")
               for n in got.report.notes)


def test_chinese_police_headers_are_recognised(tmp_path: Path) -> None:
    """A police system's export names its columns 案件编号, 接警时间, 案件类别, 警情等级: read
    without --columns (a review had to map 案件类别 by hand)."""
    src = tmp_path / "jq.csv"
    src.write_bytes("案件编号,接警时间,经度,纬度,案件类别,警情等级\n"
                    "A1,2025-03-01 08:00,103.262,29.228,盗窃,2\n".encode("gb18030"))
    got = ingest(src)
    assert got.report.kept == 1
    assert got.table.ids.tolist() == ["A1"] and got.table.category.tolist() == ["盗窃"]
    assert got.table.priority.tolist() == [2]


def test_columns_without_a_name_or_a_value_are_left_out(tmp_path: Path) -> None:
    """A spreadsheet's CSV ends every row with commas ('time,lon,lat,,,'): three columns
    without a name were refused as a title row above the header (a review)."""
    p = write(tmp_path, "time,lon,lat,,,\n2025-03-01 08:15,103.26,29.23,,,\n"
                        "2025-03-01 09:15,103.27,29.23,,,\n")
    rep = ingest(p).report
    assert rep.kept == 2 and "3 columns without a name or a value left out" in rep.notes
    # with a value in them, they are a title row's doing: still refused
    p = write(tmp_path, "time,lon,lat,,,\n2025-03-01 08:15,103.26,29.23,a,b,c\n")
    with pytest.raises(IngestError, match="3 empty column names"):
        ingest(p)


def test_a_dataframe_is_read_as_its_file_would_be(tmp_path: Path) -> None:
    """A notebook's DataFrame (datetimes, floats, missing values) gives the table and the
    listed rows that the same columns written as a CSV give; a time zone-aware column is
    converted to --tz like a file's offsets."""
    import pandas as pd

    path = write(tmp_path, HEAD + "\n".join(ROWS) + "\n")
    frame = pd.read_csv(path, dtype=str)
    frame["经度"] = pd.to_numeric(frame["经度"])
    frame["纬度"] = pd.to_numeric(frame["纬度"])
    frame["报警时间"] = pd.to_datetime(frame["报警时间"], errors="coerce")
    frame.loc[2, "报警时间"] = pd.NaT  # "not a time" in the file: missing here
    cols = {"time": "报警时间", "lon": "经度", "lat": "纬度", "id": "编号"}
    got, want = ingest(frame, columns=cols), ingest(path, columns=cols)
    assert got.report.source == "DataFrame" and got.report.rows == want.report.rows == 7
    assert got.report.kept == want.report.kept == 2
    np.testing.assert_array_equal(got.table.time, want.table.time)
    np.testing.assert_allclose(got.table.xy, want.table.xy)
    # every rejected row listed by its label in the frame (the file's data rows from 1)
    assert sorted((p.row + 1, p.field) for p in got.report.problems) == sorted(
        (p.row, p.field) for p in want.report.problems)
    assert got.report.counts.get("time missing") == 1
    aware = frame.assign(报警时间=frame["报警时间"].dt.tz_localize("Asia/Shanghai")
                         .dt.tz_convert("UTC"))
    utc = ingest(aware, columns=cols, tz="Asia/Shanghai")
    np.testing.assert_array_equal(utc.table.time, want.table.time)
    with pytest.raises(IngestError, match="DataFrame has no layers"):
        ingest(frame, columns=cols, layer="x")


def test_a_dataframes_rows_are_listed_by_its_own_labels() -> None:
    """A review: a filtered frame's bad rows at labels 45 and 20 were listed as rows 6 and
    4; an integer id column with a gap (floats to pandas) became ids '1.0'; a time in a
    named DatetimeIndex was 'not a column'."""
    import pandas as pd

    frame = pd.DataFrame({
        "id": [1, 2, None, 4],
        "time": ["2025-03-01 08:00", "not a time", "2025-03-02 09:00", "2025-03-03 10:00"],
        "lon": [103.26, 103.261, float("nan"), 103.262],
        "lat": [29.23, 29.231, 29.232, 29.233]}, index=[45, 20, 7, 3])
    got = ingest(frame, columns={"time": "time", "lon": "lon", "lat": "lat", "id": "id"})
    assert sorted(p.row for p in got.report.problems) == [7, 20]
    assert list(got.table.ids) == ["1", "4"]
    indexed = frame.drop(columns="time").iloc[[0, 3]].set_index(
        pd.DatetimeIndex(["2025-03-01 08:00", "2025-03-03 10:00"], name="报警时间"))
    by_index = ingest(indexed, columns={"time": "报警时间", "lon": "lon", "lat": "lat"})
    np.testing.assert_array_equal(by_index.table.time, got.table.time)
    assert any("numbered from 1" in n for n in by_index.report.notes)


def test_odd_dataframes_are_read_or_refused_by_name() -> None:
    """A review: integer column labels could not be mapped; a Series failed inside Path();
    an unnamed index of times was 'not a column'; repeated labels were said to be 'no whole
    numbers'; one float id at 2**53 or above wrote every id as '3.0'."""
    import pandas as pd

    rows = [["2025-03-01 08:00", 103.26, 29.23], ["2025-03-02 09:00", 103.261, 29.231]]
    by_number = ingest(pd.DataFrame(rows), columns={"time": 0, "lon": 1, "lat": 2})  # type: ignore[dict-item]
    assert by_number.report.kept == 2
    with pytest.raises(IngestError, match=r"a file .* or a pandas DataFrame, got a Series"):
        ingest(pd.DataFrame(rows)[0], columns={"time": "0"})  # type: ignore[arg-type]
    times = pd.DatetimeIndex(["2025-03-01 08:00", "2025-03-02 09:00"])
    frame = pd.DataFrame({"lon": [103.26, 103.261], "lat": [29.23, 29.231]}, index=times)
    got = ingest(frame, columns={"time": "index", "lon": "lon", "lat": "lat"})
    np.testing.assert_array_equal(got.table.time, by_number.table.time)
    assert any("read as the column 'index'" in n for n in got.report.notes)
    twice = frame.reset_index().set_axis([10, 10])
    again = ingest(twice, columns={"time": "index", "lon": "lon", "lat": "lat"})
    assert any("labels repeat" in n for n in again.report.notes)
    ids = pd.DataFrame({"id": [3.0, float(2**60)], "time": ["2025-03-01 08:00"] * 2,
                        "lon": [103.26, 103.27], "lat": [29.23, 29.24]})
    assert list(ingest(ids, columns={"id": "id", "time": "time", "lon": "lon",
                                     "lat": "lat"}).table.ids) == ["3", str(2**60)]


def test_a_gap_time_written_with_its_zones_name_is_the_instant_it_names(
        tmp_path: Path) -> None:
    """'02:30 CST' on Chicago's spring day is 08:30 UTC, 03:30 on the clock, as
    '02:30-06:00' is read; it had been listed as a daylight-saving gap (a review). A time
    in the gap without a name is still listed."""
    path = write(tmp_path, "time,lon,lat\n"
                 "2018-03-11 02:30 CST,-87.63,41.88\n"
                 "2018-03-11 02:30 CDT,-87.64,41.88\n"
                 "2018-03-11 02:30,-87.65,41.88\n"
                 "2018-03-11 02:30-06:00,-87.66,41.88\n")
    got = ingest(path, tz="America/Chicago")
    assert [str(t) for t in got.table.time] == [
        "2018-03-11T03:30:00", "2018-03-11T01:30:00", "2018-03-11T03:30:00"]
    assert [p.row for p in got.report.problems] == [3]
    assert "daylight-saving gap" in got.report.problems[0].rule
    # the same on another clock: the name gives the instant (08:30 and 07:30 UTC)
    got = ingest(path, tz="UTC", source_tz="America/Chicago")
    assert [str(t) for t in got.table.time] == [
        "2018-03-11T08:30:00", "2018-03-11T07:30:00", "2018-03-11T08:30:00"]
    assert [p.row for p in got.report.problems] == [3]
