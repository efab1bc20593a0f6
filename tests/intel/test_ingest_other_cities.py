"""An audit fed the ingester other cities' files: lon/lat degrees given with a metre CRS
beside a few (0, 0) rows, a neighbouring state-plane zone, German numbers, priorities in
English and German words, a placeholder date, no --tz, an HTML table in GB2312 named .xls.
Each is read, or refused with a message that says what is wrong, naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.geo import reproject
from xunfang.intel import IngestError, ingest
from xunfang.intel.ingest import (
    CLOCK_ONLY_RULE,
    NUMBER_FORMAT_RULE,
    PLACEHOLDER_RULE,
    PRIORITY_RULE,
    _numbers,
)

runner = CliRunner()


def _times(n: int) -> list[str]:
    return list(pd.date_range("2023-03-01", periods=n, freq="53min").strftime("%Y-%m-%d %H:%M"))


# -- 1. lon/lat degrees with a metre CRS, beside (0, 0) rows and a stray far row -------------
def _hefei(path: Path, zeros: int = 4) -> Path:
    rng = np.random.default_rng(7)
    n = 300
    lon, lat = rng.uniform(117.1, 117.3, n), rng.uniform(31.7, 31.9, n)
    rows = [f"{t},{a:.6f},{b:.6f}" for t, a, b in zip(_times(n), lon, lat, strict=True)]
    rows += [f"2023-02-0{i + 1} 10:00,0,0" for i in range(zeros)]
    rows.append("2023-02-09 10:00,87.6,43.8")  # one row in Urumqi
    path.write_text("报警时间,经度,纬度\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_degrees_with_a_metre_crs_are_refused_though_zeros_and_a_far_row_stretch_them(
        tmp_path: Path) -> None:
    """The fit check took the spread of every row: four (0, 0) rows and one in Urumqi made
    Hefei's degrees spread over 117 "metres", and every incident was stored at 0.0003°N."""
    p = _hefei(tmp_path / "hefei.csv")
    cols = {"time": "报警时间", "x": "经度", "y": "纬度"}
    with pytest.raises(IngestError, match=r"hefei\.csv: --crs EPSG:32650 is projected \(metres\) "
                                          r"but the coordinates look like degrees \(median "
                                          r"117\.\d+, 31\.\d+, the middle 90% spread over 0\.\d+\)"
                                          r": they seem to be longitude and latitude \(lon/lat "
                                          r"degrees\), not metres; map them as such with "
                                          r"--columns lon=经度,lat=纬度, without --crs"):
        ingest(p, columns=cols, crs="EPSG:32650", tz="Asia/Shanghai")
    # as the message says: read, in Hefei, the zeros and the far row listed
    got = ingest(p, columns={"time": "报警时间", "lon": "经度", "lat": "纬度"},
                 tz="Asia/Shanghai")
    assert got.report.kept == 300 and got.report.middle is not None
    assert abs(got.report.middle[0] - 117.2) < 0.05 and abs(got.report.middle[1] - 31.8) < 0.05


def test_metres_with_some_zero_rows_are_still_read(tmp_path: Path) -> None:
    """Leaving the (0, 0) rows out of the check refuses no genuine metres."""
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(117.1, 117.3, 200), rng.uniform(31.7, 31.9, 200)
    x, y = reproject(lon, lat, "EPSG:4326", "EPSG:32650")
    rows = [f"{t},{a:.1f},{b:.1f}" for t, a, b in zip(_times(200), x, y, strict=True)]
    p = tmp_path / "m.csv"
    p.write_text("time,x,y\n" + "\n".join(rows + ["2023-01-01 00:00,0,0"] * 30) + "\n")
    got = ingest(p, crs="EPSG:32650")
    assert got.report.kept == 200


# -- 2. a neighbouring state-plane zone ------------------------------------------------------
def test_a_neighbouring_state_plane_zone_is_refused_naming_the_zone_that_fits(
        tmp_path: Path) -> None:
    """Denver's Colorado Central feet (EPSG:2232) given as Colorado North (EPSG:2231) land at
    41.24°N, past that zone's north edge (41.01°) but within the 5-degree margin meant for
    UTM zones: they were stored there."""
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-105.05, -104.85, 300), rng.uniform(39.65, 39.8, 300)
    x, y = reproject(lon, lat, "EPSG:4326", "EPSG:2232")
    p = tmp_path / "denver.csv"
    pd.DataFrame({"time": _times(300), "x": np.round(x), "y": np.round(y)}).to_csv(p, index=False)
    with pytest.raises(IngestError, match=r"denver\.csv: --crs EPSG:2231 is used in United States "
                                          r"\(USA\) - Colorado .*latitude 39\.56 to 41\.01\), but "
                                          r"it puts the incidents' middle at longitude -104\.9\d, "
                                          r"latitude 41\.2\d, more than 0\.1 degrees outside that "
                                          r"area: .*inside their own areas: EPSG:2232 \(NAD83 / "
                                          r"Colorado Central \(ftUS\)\)"):
        ingest(p, crs="EPSG:2231")
    got = ingest(p, crs="EPSG:2232")
    assert got.report.kept == 300 and got.report.middle is not None
    assert abs(got.report.middle[1] - 39.72) < 0.05


# -- 3. numbers with thousands marks ---------------------------------------------------------
def _german(v: float) -> str:
    return f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")  # 5.640.551,90


def test_german_numbers_are_read_in_a_semicolon_and_a_comma_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    e, n = rng.uniform(686000, 696000, 100), rng.uniform(5329000, 5339000, 100)
    rows = [f"{t};{_german(a)};{_german(b)}" for t, a, b in zip(_times(100), e, n, strict=True)]
    semi = tmp_path / "muenchen.csv"
    semi.write_text("Tatzeit;Rechtswert;Hochwert\n" + "\n".join(rows) + "\n", encoding="utf-8")
    comma = tmp_path / "muenchen_komma.csv"
    comma.write_text("Tatzeit,Rechtswert,Hochwert\n" + "\n".join(
        ",".join(f'"{v}"' for v in r.split(";")) for r in rows) + "\n", encoding="utf-8")
    for p in (semi, comma):
        got = ingest(p, columns={"time": "Tatzeit", "x": "Rechtswert", "y": "Hochwert"},
                     crs="EPSG:25832", tz="Europe/Berlin")
        assert got.report.kept == 100 and not got.report.counts, (p, got.report.counts)
        np.testing.assert_allclose(got.table.x, np.round(e, 2), atol=1e-6)
        np.testing.assert_allclose(got.table.y, np.round(n, 2), atol=1e-6)


def test_thousands_marks_in_their_common_forms() -> None:
    nbsp, narrow = "\u00a0", "\u202f"
    values = pd.Series(["5.640.551,90", "640.551,9", "5.640.551", f"5{nbsp}640{nbsp}551,90",
                        f"5{narrow}640{narrow}551,90", "5 640 551,90", "5 640 551.90",
                        "5,640,551.90", "1234567,89", "-1.234,5", "", None])
    got = _numbers(values, decimal_comma=True)
    np.testing.assert_allclose(got[:10], [5640551.9, 640551.9, 5640551, 5640551.9, 5640551.9,
                                          5640551.9, 5640551.9, 5640551.9, 1234567.89,
                                          -1234.5])
    assert np.isnan(got[10:]).all()
    # a column that groups its thousands with dots: "640.551" is 640551, not 640.551
    np.testing.assert_allclose(_numbers(pd.Series(["5.640.551,90", "640.551"])),
                               [5640551.9, 640551.0])
    # and one that does not keeps its decimal points
    np.testing.assert_allclose(_numbers(pd.Series(["48.137", "11.575"])), [48.137, 11.575])
    # ambiguous without a decimal-comma table: unread ("1,234" is 1234 or 1.234)
    assert np.isnan(_numbers(pd.Series(["1,234"]))).all()


def test_a_number_format_not_understood_is_said_so_naming_its_column(tmp_path: Path) -> None:
    """Not "coordinate missing": the value is there, in a format not read."""
    p = tmp_path / "odd.csv"
    p.write_text("Tatzeit;Rechtswert;Hochwert\n"
                 "01.03.2023 10:00;691.000,5;5.334.000,5\n"
                 "01.03.2023 11:00;691.000,5;5.334.000.50\n"
                 "01.03.2023 12:00;691.100,5;\n", encoding="utf-8")
    got = ingest(p, columns={"time": "Tatzeit", "x": "Rechtswert", "y": "Hochwert"},
                 crs="EPSG:25832", tz="Europe/Berlin")
    assert got.report.kept == 1
    assert {(q.row, q.field, q.rule, q.value) for q in got.report.problems} == {
        (2, "Hochwert", NUMBER_FORMAT_RULE, "5.334.000.50"),
        (3, "Hochwert", "coordinate missing or not a number", "")}


# -- 4. priorities in English and German words -----------------------------------------------
def _with_priorities(path: Path, words: list[str]) -> Path:
    rows = "".join(f"{t},11.57,48.13,{w}\n" for t, w in zip(_times(len(words)), words,
                                                            strict=True))
    path.write_text("time,lon,lat,Prio\n" + rows, encoding="utf-8")
    return path


def test_priority_words_in_english_and_german_are_read(tmp_path: Path) -> None:
    words = ["hoch", "mittel", "niedrig", "High", "MEDIUM", "low", " Hoch ", "2"]
    got = ingest(_with_priorities(tmp_path / "p.csv", words), columns={"priority": "Prio"})
    assert got.table.priority.tolist() == [1, 2, 3, 1, 2, 3, 1, 2]
    assert not got.report.counts
    assert any(n.startswith("7 priorities written in words read as numbers (hoch → 1, "
                            "mittel → 2, niedrig → 3, High → 1, MEDIUM → 2, low → 3 …)")
               for n in got.report.notes), got.report.notes


def test_a_column_of_no_priority_is_said_once_not_on_every_row(tmp_path: Path) -> None:
    """12,011 "priority not a whole number" lines buried the rows truly set aside."""
    words = ["dringend", "normal", "später"] * 40
    got = ingest(_with_priorities(tmp_path / "p.csv", words), columns={"priority": "Prio"})
    assert got.report.kept == 120 and (got.table.priority == 0).all()
    assert PRIORITY_RULE not in got.report.counts and not got.report.problems
    said = [n for n in got.report.notes if n.startswith("column problem")]
    assert said == [
        "column problem: the priority column 'Prio' holds no priority (a whole number, 1 the "
        "most urgent, or a word such as 一级, P1, 紧急/一般, high/medium/low, "
        "hoch/mittel/niedrig): its 3 distinct values are 'dringend' (40), 'normal' (40), "
        "'später' (40); every row kept "
        "with priority 0 (none); map priority to another column, or leave it unmapped"]
    # a column of priorities with a few odd values: those rows listed, one by one, as before
    mixed = ingest(_with_priorities(tmp_path / "q.csv", ["1", "2", "soon", "3"]),
                   columns={"priority": "Prio"})
    assert [(q.row, q.value) for q in mixed.report.problems] == [(3, "soon")]
    assert not any(n.startswith("column problem") for n in mixed.report.notes)


# -- 5. a placeholder date -------------------------------------------------------------------
def test_a_placeholder_date_is_listed_as_no_time(tmp_path: Path) -> None:
    """'1900/1/1 0:00', a null date as exports write it, was kept as a time in 1900."""
    p = tmp_path / "ph.csv"
    p.write_text("报警时间,经度,纬度\n2023-03-01 10:00,117.2,31.8\n1900/1/1 0:00,117.21,31.81\n"
                 "1900-01-01 00:00:00,117.2,31.8\n1900-01-01 08:30,117.2,31.81\n"
                 "2023-03-02 11:00,117.22,31.82\n", encoding="utf-8")
    got = ingest(p, tz="Asia/Shanghai")
    assert got.report.kept == 3  # 1900-01-01 08:30 is a time of its own (a typo, maybe)
    assert [(q.row, q.rule, q.value) for q in got.report.problems] == [
        (2, PLACEHOLDER_RULE, "1900/1/1 0:00"), (3, PLACEHOLDER_RULE, "1900-01-01 00:00:00")]
    # a spreadsheet's day 0 written out: the same, not a typo in the year
    zero = tmp_path / "zero.csv"
    zero.write_text("time,lon,lat\n1899-12-30 00:00,117.2,31.8\n2023-03-01 10:00,117.2,31.8\n")
    got = ingest(zero)
    assert got.report.kept == 1 and got.report.counts == {PLACEHOLDER_RULE: 1}



def test_the_unix_epoch_and_a_serial_day_0_are_placeholders(tmp_path: Path) -> None:
    """A time stored as 0 seconds, shown on the local clock ('1970-01-01 08:00:00' in
    Beijing), was kept as an incident 54 years before the rest; a serial date 0 in a column
    of serial dates was called a time of day without its date ('0') or not a date-time
    ('0.0')."""
    p = tmp_path / "epoch.csv"
    p.write_text("time,lon,lat\n2023-03-01 10:00,117.2,31.8\n1970-01-01 08:00:00,117.2,31.8\n"
                 "1969-12-31 19:00,117.2,31.8\n1970-01-01 00:00,117.2,31.8\n"
                 "1970-01-01 08:07:13,117.2,31.8\n1970-01-02 08:00,117.2,31.8\n",
                 encoding="utf-8")
    got = ingest(p)
    # a time off the quarter hour, or a day later, is a time of its own
    assert got.report.kept == 3
    assert [(q.row, q.rule) for q in got.report.problems] == [
        (2, PLACEHOLDER_RULE), (3, PLACEHOLDER_RULE), (4, PLACEHOLDER_RULE)]
    serial = tmp_path / "serial.csv"
    serial.write_text("time,lon,lat\n" + "".join(f"{45000 + i * 0.37:.4f},117.2,31.8\n"
                                                  for i in range(200))
                      + "0,117.2,31.8\n0.0,117.2,31.8\n0.25,117.2,31.8\n", encoding="utf-8")
    got = ingest(serial)
    assert got.report.kept == 200
    assert [(q.row, q.rule, q.value) for q in got.report.problems] == [
        (201, PLACEHOLDER_RULE, "0"), (202, PLACEHOLDER_RULE, "0.0"),
        (203, CLOCK_ONLY_RULE, "0.25")]


def test_chinese_urgency_words_are_priorities(tmp_path: Path) -> None:
    """110 records grade calls 紧急/一般 (and 特急, 加急): every row was kept with no
    priority and one note called the column none."""
    words = ["紧急", "一般", "特急", "加急", "普通", "较急", "一般", "2"]
    got = ingest(_with_priorities(tmp_path / "p.csv", words), columns={"priority": "Prio"})
    assert got.table.priority.tolist() == [1, 3, 1, 2, 3, 2, 3, 2]
    assert not got.report.counts

# -- 6. the time zone assumed ----------------------------------------------------------------
def test_the_time_zone_read_in_is_said_also_when_none_is_given(tmp_path: Path) -> None:
    p = tmp_path / "inc.csv"
    p.write_text("time,lon,lat\n2023-03-01 10:00,117.2,31.8\n")
    out = tmp_path / "out"
    res = runner.invoke(app, ["intel", "ingest", str(p), "--out", str(out)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert ("time zone: no --tz given: the times are taken as written, local times of a zone "
            "not named (none had a UTC offset); name it with --tz, e.g. Asia/Shanghai") in said
    res = runner.invoke(app, ["intel", "ingest", str(p), "--out", str(out), "--tz",
                              "Asia/Shanghai", "--json"])
    doc = json.loads(res.stdout)
    assert doc["tz"] == "Asia/Shanghai" and doc["tz_said"] == "times read in Asia/Shanghai"
    assert ingest(p).report.as_json()["tz"] is None


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



def test_an_html_table_named_xls_reports_the_encoding_it_was_read_in(tmp_path: Path) -> None:
    """A GB2312 page saved as .xls (a records system's 'export to Excel') was reported as
    read in UTF-8."""
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}">'
            "</head><body><table><tr><td>{t}</td><td>{x}</td><td>{y}</td></tr>"
            "<tr><td>2023-03-01 10:00</td><td>117.2</td><td>31.8</td></tr></table></body>"
            "</html>")
    gb = tmp_path / "gb.xls"
    gb.write_bytes(page.format(cs="gb2312", t="报警时间", x="经度", y="纬度").encode("gb2312"))
    got = ingest(gb)
    assert got.report.encoding == "gb18030" and got.report.kept == 1
    latin = tmp_path / "latin.xls"
    latin.write_bytes(page.format(cs="ISO-8859-1", t="Zeit", x="Länge", y="Breite")
                      .encode("latin-1"))
    got = ingest(latin, columns={"time": "Zeit", "lon": "Länge", "lat": "Breite"})
    assert got.report.encoding == "iso8859-1" and got.report.kept == 1
    utf8 = tmp_path / "utf8.xls"
    utf8.write_bytes(page.format(cs="utf-8", t="报警时间", x="经度", y="纬度").encode("utf-8"))
    assert ingest(utf8).report.encoding == "utf-8"
