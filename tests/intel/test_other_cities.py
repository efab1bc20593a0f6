"""Another city's incident file, as cities publish them: state-plane feet, web-map metres, UTC
times, a date and a time of day in two columns, a GeoPackage of several layers, and street
segments from a road file instead of a scenario. Each either reads to the same incidents as the
plain lon/lat file, or is refused with a message that names the option to give."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import ingest
from xunfang.intel.ingest import NO_CLOCK_RULE, NUMBER_FORMAT_RULE, IngestError

runner = CliRunner()
LONLAT = {"time": "date", "lon": "longitude", "lat": "latitude"}


@pytest.fixture(scope="module")
def chicago(data_dir: Path) -> pd.DataFrame:
    """Chicago's assaults of 2017-01 .. 2017-03 (about 2,900), as the shared file gives them."""
    df = pd.read_csv(data_dir / "chicago_aggravated_assaults.csv.gz")
    return df[(df.date >= "2017-01-01") & (df.date < "2017-04-01")].reset_index(drop=True)


def _projected(df: pd.DataFrame, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    t = Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = t.transform(df.longitude.to_numpy(), df.latitude.to_numpy())
    return np.asarray(x), np.asarray(y)


@pytest.mark.parametrize(("epsg", "unit"), [(3435, "US survey foot"), (3857, "web Mercator")])
def test_projected_feet_or_mercator_are_computed_in_utm_metres(
        chicago: pd.DataFrame, tmp_path: Path, epsg: int, unit: str) -> None:
    x, y = _projected(chicago, epsg)
    src = tmp_path / "xy.csv"
    pd.DataFrame({"date": chicago.date, "X": x, "Y": y}).to_csv(src, index=False)
    got = ingest(src, columns={"time": "date", "x": "X", "y": "Y"}, crs=f"EPSG:{epsg}")
    ref = ingest(_lonlat_csv(chicago, tmp_path), columns=LONLAT)
    assert ref.report.crs == "EPSG:32616" and ref.report.source_crs == "EPSG:4326"
    assert got.report.crs == "EPSG:32616", unit  # cells of 250 ground metres, not 250 feet
    assert got.report.source_crs == f"EPSG:{epsg}"
    assert len(got.table) == len(ref.table) == len(chicago)
    # the lon/lat file has 4 decimals (≈ 10 m); both went through the same lon/lat values
    assert np.abs(got.table.x - ref.table.x).max() < 0.01
    assert np.abs(got.table.y - ref.table.y).max() < 0.01


def _lonlat_csv(df: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "lonlat.csv"
    df[["date", "longitude", "latitude"]].to_csv(path, index=False)
    return path


def test_metre_crs_is_kept(chicago: pd.DataFrame, tmp_path: Path) -> None:
    x, y = _projected(chicago, 26971)  # NAD83 / Illinois East in metres: used as it is
    src = tmp_path / "m.csv"
    pd.DataFrame({"date": chicago.date, "x": x, "y": y}).to_csv(src, index=False)
    got = ingest(src, crs="EPSG:26971")
    assert got.report.crs == "EPSG:26971" and got.report.source_crs is None


def _evaluate(*args: str) -> dict:
    res = runner.invoke(app, ["intel", "evaluate", *args, "--methods", "naive,decay",
                              "--test-from", "2017-03-01", "--test-to", "2017-03-31",
                              "--train-days", "59", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_evaluate_utc_times_with_tz_equals_local_times(chicago: pd.DataFrame,
                                                       tmp_path: Path) -> None:
    local = pd.to_datetime(chicago.date)
    inst = local.dt.tz_localize("America/Chicago", ambiguous="NaT", nonexistent="NaT")
    keep = inst.notna().to_numpy()  # one hour of the spring gap or autumn fold: not both ways
    utc = tmp_path / "utc.csv"
    pd.DataFrame({"when": inst[keep].dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "longitude": chicago.longitude[keep],
                  "latitude": chicago.latitude[keep]}).to_csv(utc, index=False)
    plain = _lonlat_csv(chicago[keep], tmp_path)
    bare = runner.invoke(app, ["intel", "evaluate", str(utc), "--columns", "time=when",
                               "--methods", "naive"])
    assert bare.exit_code == 1 and "--tz" in " ".join(bare.output.split())
    a = _evaluate(str(utc), "--columns", "time=when", "--tz", "America/Chicago")
    b = _evaluate(str(plain))
    assert a["test_incidents"] == b["test_incidents"] > 800
    for m, n in zip(a["methods"], b["methods"], strict=True):
        assert m["hit_rate"] == n["hit_rate"]


def test_evaluate_state_plane_feet_equals_lonlat(chicago: pd.DataFrame, tmp_path: Path) -> None:
    x, y = _projected(chicago, 3435)
    feet = tmp_path / "feet.csv"
    pd.DataFrame({"Date": pd.to_datetime(chicago.date).dt.strftime("%m/%d/%Y %I:%M:%S %p"),
                  "X Coordinate": x, "Y Coordinate": y}).to_csv(feet, index=False)
    a = _evaluate(str(feet), "--columns", "time=Date,x=X Coordinate,y=Y Coordinate",
                  "--crs", "EPSG:3435")
    b = _evaluate(str(_lonlat_csv(chicago, tmp_path)))
    assert a["units"] == b["units"] and a["test_incidents"] == b["test_incidents"]
    assert [m["hit_rate"] for m in a["methods"]] == [m["hit_rate"] for m in b["methods"]]


def test_date_and_time_of_day_in_two_columns(tmp_path: Path) -> None:
    src = tmp_path / "nyc.csv"
    src.write_text(
        "CMPLNT_FR_DT,CMPLNT_FR_TM,Latitude,Longitude\n"
        "01/15/2019,14:30:00,40.75,-73.99\n"
        "01/16/2019,,40.75,-73.98\n"  # the time of day missing: not midnight, listed
        ",09:00:00,40.75,-73.97\n"
        "01/17/2019,23:59:00,40.76,-73.99\n", encoding="utf-8")
    got = ingest(src, columns={"time": "CMPLNT_FR_DT+CMPLNT_FR_TM"})
    assert got.table.time.astype(str).tolist() == ["2019-01-15T14:30:00", "2019-01-17T23:59:00"]
    assert got.report.counts == {"time missing": 1, NO_CLOCK_RULE: 1}
    assert sorted((p.row, p.field, p.rule) for p in got.report.problems) == [
        (2, "CMPLNT_FR_DT+CMPLNT_FR_TM", NO_CLOCK_RULE),
        (3, "CMPLNT_FR_DT+CMPLNT_FR_TM", "time missing")]
    assert set(got.table.extra) == {"CMPLNT_FR_DT", "CMPLNT_FR_TM"}  # the parts are kept
    with pytest.raises(IngestError, match=r"maps time to 'DATE\+CMPLNT_FR_TM', but 'DATE' is "
                                          r"not a column; columns are CMPLNT_FR_DT"):
        ingest(src, columns={"time": "DATE+CMPLNT_FR_TM"})


def test_a_column_named_with_a_plus_is_read_as_it_is(tmp_path: Path) -> None:
    src = tmp_path / "plus.csv"
    src.write_text("date+time,lon,lat\n2019-01-15 14:30,-73.99,40.75\n", encoding="utf-8")
    got = ingest(src, columns={"time": "date+time"})
    assert got.table.time.astype(str).tolist() == ["2019-01-15T14:30:00"]


def test_a_geopackage_of_several_layers_needs_layer(data_dir: Path, tmp_path: Path) -> None:
    gpkg = data_dir / "montreal_events.gpkg"
    with pytest.raises(IngestError, match=r"holds 4 layers; name the incident layer with "
                                          r"--layer \(the layers are: mtl_libraries \(Point\)"):
        ingest(gpkg)
    with pytest.raises(IngestError, match=r"--layer 'bikes': .* has no such layer; its layers "
                                          r"are: .*bike_accidents \(Point\)"):
        ingest(gpkg, layer="bikes")
    got = ingest(gpkg, layer="bike_accidents", columns={"time": "Date"})
    assert got.report.rows == 347 and got.report.crs == "EPSG:32188"
    res = runner.invoke(app, ["intel", "ingest", str(gpkg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    said = " ".join(res.output.split())
    assert "name the incident layer with --layer" in said and "__x" not in said
    assert not (tmp_path / "o").exists()  # nothing written


def _montreal(data_dir: Path, *more: str) -> object:
    return runner.invoke(app, [
        "intel", "evaluate", str(data_dir / "montreal_events.gpkg"), "--layer",
        "bike_accidents", "--columns", "time=Date", "--units", "segments", "--network",
        str(data_dir / "montreal_networks.gpkg"), "--network-layer", "mtl_network",
        "--test-from", "2016-09-01", "--train-days", "180", *more])


def test_segments_of_a_road_file_rank_a_bare_incident_file(data_dir: Path) -> None:
    res = _montreal(data_dir, "--methods", "naive,kde,network_kde,auto", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["units"] == 2945  # every line of the layer, each a segment
    assert [m["method"] for m in doc["methods"]] == ["naive", "kde", "network_kde", "auto"]
    ratio = {m["method"]: m["ratio_to_naive_at_0.05"]["ratio"] for m in doc["methods"]}
    # kernels rank better than counts on so few incidents (a measured property of these
    # data, see bench/RESULTS.md: 2.5-3.7x naive at 5 %)
    assert ratio["network_kde"] > 1.5 and ratio["kde"] > 1.5
    # auto validates over enough incidents, scored per metre of street as the evaluation
    # scores: it picks a kernel (over 28 days and by unit count it chose naive: 1.4x)
    assert ratio["auto"] > 2.0
    notes = doc["methods"][3]["notes"]
    assert notes and all(n.startswith("chose ") for n in notes)
    assert not any(n.startswith("chose naive ") for n in notes)
    for m in doc["methods"]:
        assert 0 <= m["hit_rate"]["0.01"] <= m["hit_rate"]["0.2"] <= 1


def test_road_file_option_errors(data_dir: Path, tmp_path: Path) -> None:
    cells = _montreal(data_dir, "--units", "cells")
    assert cells.exit_code == 1
    assert "--network ranks street segments: use --units segments" in " ".join(
        cells.output.split())
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--network-layer", "x"])
    assert res.exit_code == 1 and "--network-layer needs --network FILE" in res.output
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--layer", "x"])
    assert res.exit_code == 1 and "--layer applies to incident files only" in " ".join(
        res.output.split())
    bare = tmp_path / "b.csv"
    bare.write_text("time,lon,lat\n2025-03-01 08:00,103.26,29.23\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "evaluate", str(bare), "--units", "segments"])
    assert res.exit_code == 1
    assert "or a road file with --network FILE" in " ".join(res.output.split())


def test_far_incidents_lie_on_no_segment(data_dir: Path) -> None:
    from xunfang.intel.sources import SNAP_M, read_streets
    from xunfang.intel.units import segments

    roads, crs = read_streets(data_dir / "montreal_networks.gpkg", layer="mtl_network")
    assert crs == "EPSG:32188"
    u = segments(roads, snap_m=SNAP_M)
    mid = u.centroid[0]
    got = u.assign(np.array([mid, mid + np.array([5000.0, 5000.0])]))
    assert got[0] >= 0 and got[1] == -1


def test_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    """A European export: fields split by ';', decimals written with a comma."""
    src = tmp_path / "paris.csv"
    src.write_text(
        "date;longitude;latitude;type\n"
        "2019-01-15 14:30;2,3522;48,8566;vol\n"
        "2019-01-15 15:00;2,35;48,86\n"  # a field short: listed, the rest read
        "2019-01-16 09:00;2.3601;48.8611;vol, avec violence\n"  # dots are read too
        "2019-01-16 10:00;1.234,5;48,86;vol\n", encoding="utf-8")  # 1234.5: no longitude
    got = ingest(src)
    assert len(got.table) == 2
    lon, lat = Transformer.from_crs(got.table.crs, 4326, always_xy=True).transform(
        got.table.x, got.table.y)
    np.testing.assert_allclose(lon, [2.3522, 2.3601], atol=1e-7)
    np.testing.assert_allclose(lat, [48.8566, 48.8611], atol=1e-7)
    assert got.table.category.tolist() == ["vol", "vol, avec violence"]  # "type": category
    assert got.report.counts == {
        "row has a different number of fields than the header (4)": 1,
        "longitude must lie in [-180, 180] and latitude in [-90, 90]": 1}
    rows = {(p.row, p.field, p.value) for p in got.report.problems}
    assert (2, "*", "3 fields: 2019-01-15 15:00;2,35;48,86") in rows
    assert (4, "longitude and latitude", "1.234,5, 48,86") in rows
    # the time column as spreadsheet serials, written with the same decimal comma
    serial = tmp_path / "serial.csv"
    serial.write_text("date;longitude;latitude\n" + "".join(
        f"{v};2,35;48,{8566 + i}\n" for i, v in enumerate(["43466,0020833", "43631,57304398",
                                                            "43466.5"] * 40 + ["43466,5,1"])),
        encoding="utf-8")
    got = ingest(serial)
    assert got.report.time_format == "excel_serial"
    assert [str(t) for t in got.table.time[:3]] == [
        "2019-01-01T00:03:00", "2019-06-15T13:45:11", "2019-01-01T12:00:00"]
    assert got.report.counts == {"time not a date-time": 1}  # '43466,5,1' is no number
    assert {p.value for p in got.report.problems} == {"43466,5,1"}


def test_tabs(tmp_path: Path) -> None:
    src = tmp_path / "t.txt"
    src.write_text("time\tlon\tlat\n2019-01-15 14:30\t-73.99\t40.75\n", encoding="utf-8")
    assert len(ingest(src).table) == 1


def test_a_comma_file_keeps_commas_out_of_numbers(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"  # "40,75" quoted in a comma file: not a decimal (ambiguous)
    src.write_text('time,lon,lat\n2019-01-15 14:30,-73.99,"40,75"\n'
                   "2019-01-15 14:31,-73.99,40.75\n", encoding="utf-8")
    got = ingest(src)  # listed as a number whose format is not understood
    assert len(got.table) == 1 and got.report.counts == {NUMBER_FORMAT_RULE: 1}


def test_a_long_free_text_value_does_not_widen_every_row(tmp_path: Path) -> None:
    """numpy's fixed-width str would store 3,000 rows at the width of the one 50,000-character
    narrative (600 MB); text columns are Python strings, each its own length."""
    from xunfang.intel import read_parquet, write_parquet

    src = tmp_path / "n.csv"
    lines = ["id,time,lon,lat,narrative"] + [
        f"R{i},2019-01-15 14:{i % 60:02d},-73.99,40.75,{'x' * 50_000 if i == 7 else 'short'}"
        for i in range(3000)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = ingest(src)
    note = got.table.extra["narrative"]
    assert got.table.ids.dtype == object  # and extras in Arrow buffers, each its own length
    assert len(note[7]) == 50_000 and note[8] == "short"
    back = read_parquet(write_parquet(got.table, tmp_path / "s.parquet"))
    assert back.extra["narrative"][7] == note[7] and back.extra["narrative"][8] == "short"
    assert back.ids.tolist() == got.table.ids.tolist()


# -- review fixes: each input below was mishandled before -------------------------------------
def test_a_workbook_date_cell_and_time_cell_join(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["date", "tod", "lon", "lat"])
    ws.append([dt.date(2024, 1, 1), dt.time(14, 30), -73.99, 40.75])
    ws.append([dt.datetime(2024, 1, 2), dt.time(0, 5), -73.99, 40.75])
    src = tmp_path / "w.xlsx"
    wb.save(src)
    got = ingest(src, columns={"time": "date+tod"})
    assert got.table.time.astype(str).tolist() == ["2024-01-01T14:30:00", "2024-01-02T00:05:00"]


def test_incidents_on_no_street(data_dir: Path, chicago: pd.DataFrame, tmp_path: Path) -> None:
    net = ["--units", "segments", "--network", str(data_dir / "montreal_networks.gpkg"),
           "--network-layer", "small_mtl_network", "--methods", "naive,kde"]
    # Chicago's incidents on Montreal's streets: none within 100 m of one
    res = runner.invoke(app, ["intel", "evaluate", str(_lonlat_csv(chicago, tmp_path)), *net,
                              "--test-from", "2017-03-01", "--train-days", "59"])
    assert res.exit_code == 1
    said = " ".join(res.output.split())
    assert f"none of the {len(chicago)} incidents" in said and "more than 100 m from every" in said
    # Montreal's collisions on a part of its streets: about half lie elsewhere, and it is said
    part = runner.invoke(app, ["intel", "evaluate", str(data_dir / "montreal_events.gpkg"),
                               "--layer", "bike_accidents", "--columns", "time=Date", *net,
                               "--test-from", "2016-09-01", "--train-days", "180"])
    assert part.exit_code == 0, part.output
    said = " ".join(part.output.split())
    assert "of 295 incidents" in said and "count as misses of every method" in said
    doc = json.loads(runner.invoke(app, [
        "intel", "evaluate", str(data_dir / "montreal_events.gpkg"), "--layer",
        "bike_accidents", "--columns", "time=Date", *net, "--test-from", "2016-09-01",
        "--train-days", "180", "--json"]).stdout)
    assert 100 < doc["incidents_on_no_unit"] < 200
    # of the test period's: each is a miss in the test incidents' count
    assert 0 < doc["test_incidents_on_no_unit"] < doc["incidents_on_no_unit"]
    assert doc["test_incidents_on_no_unit"] < doc["test_incidents"]
    # naive has no hit in some resampled periods: the upper bound is unbounded, and JSON
    # carries null (not the NaN or Infinity no JSON parser reads)
    assert doc["methods"][1]["ratio_to_naive_at_0.05"]["hi"] is None


def test_auto_scores_the_same_whatever_else_is_listed(data_dir: Path) -> None:
    a = json.loads(_montreal(data_dir, "--methods", "naive,auto", "--json").stdout)
    b = json.loads(_montreal(data_dir, "--methods", "naive,network_kde,auto", "--json").stdout)
    assert a["methods"][-1]["hit_rate"] == b["methods"][-1]["hit_rate"]
    assert a["methods"][-1]["notes"] == b["methods"][-1]["notes"]


def test_option_misuse_is_refused_naming_the_option(data_dir: Path, chicago: pd.DataFrame,
                                                    tmp_path: Path) -> None:
    gpkg = str(data_dir / "montreal_events.gpkg")
    roads = str(data_dir / "montreal_networks.gpkg")

    def said(*args: str) -> str:
        res = runner.invoke(app, ["intel", "evaluate", *args])
        assert res.exit_code == 1, res.output
        return " ".join(res.output.split())

    assert ("--network-layer: " in said(gpkg, "--layer", "bike_accidents", "--units",
                                        "segments", "--network", roads)
            and "name the road layer with --network-layer" in said(
                gpkg, "--layer", "bike_accidents", "--units", "segments", "--network", roads))
    assert "give one" in said(gpkg, "--units", "segments", "--network", roads, "--polygons",
                              str(data_dir / "chicago_police_districts.kml"))
    assert "--network is for a bare incident file" in said("ebian", "--units", "segments",
                                                           "--network", roads)
    assert "--coords applies to incident files only" in said("ebian", "--coords", "gcj02")
    csv = str(_lonlat_csv(chicago, tmp_path))
    assert "--layer 'x': " in said(csv, "--layer", "x") and "is not a GIS file" in said(
        csv, "--layer", "x")


def test_a_quoted_header_over_two_lines_keeps_its_separator(tmp_path: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_text('"incident\nid";time;lon;lat\nA;2019-01-15 14:30;2,35;48,85\n',
                   encoding="utf-8")
    got = ingest(src)
    assert len(got.table) == 1 and got.table.extra["incident\nid"].tolist() == ["A"]


def test_a_tab_file_does_not_read_thousands_commas_as_decimals(tmp_path: Path) -> None:
    src = tmp_path / "t.tsv.txt"
    src.write_text("time\tx\ty\n2019-01-15 14:30\t445,123\t4511000\n"
                   "2019-01-15 14:31\t445123\t4511000\n", encoding="utf-8")
    got = ingest(src, crs="EPSG:32618")
    assert len(got.table) == 1 and got.report.counts == {NUMBER_FORMAT_RULE: 1}


def test_a_header_naming_a_column_twice(tmp_path: Path) -> None:
    src = tmp_path / "d.csv"
    src.write_text("id;time;lon;lat;lat\n1;2019-01-15 14:30;2,35;48,85;48,86\n",
                   encoding="utf-8")
    with pytest.raises(IngestError, match=r"names 'lat' more than once"):
        ingest(src)


def test_a_file_of_dates_only_is_noted(data_dir: Path, tmp_path: Path) -> None:
    got = ingest(data_dir / "montreal_events.gpkg", layer="bike_accidents",
                 columns={"time": "Date"})
    assert got.report.notes and "dates without times of day" in got.report.notes[0]
    timed = ingest(_lonlat_csv(pd.DataFrame({
        "date": ["2019-01-15 14:30", "2019-01-16 00:00"], "longitude": [-73.99, -73.98],
        "latitude": [40.75, 40.75]}), tmp_path))
    assert timed.report.notes == ()
    res = runner.invoke(app, ["intel", "ingest", str(data_dir / "montreal_events.gpkg"),
                              "--layer", "bike_accidents", "--columns", "time=Date", "--out",
                              str(tmp_path / "o")])
    assert res.exit_code == 0 and "note: 100% of the times are exactly 00:00" in " ".join(
        res.output.split())


@pytest.mark.parametrize(("values", "layout"), [
    (["1546318800000", "1546413000000.0"], "epoch_ms"),  # ArcGIS REST exports
    (["1546318800", "1546413000"], "epoch_s")])
def test_unix_times_are_utc_instants(tmp_path: Path, values: list[str], layout: str) -> None:
    src = tmp_path / "e.csv"
    rows = [f"{v},-87.6,{41.8 + i / 1000:.3f}\n" for i in range(100) for v in values]
    src.write_text("time,lon,lat\n" + "".join(rows) + "yesterday,-87.6,41.8\n",
                   encoding="utf-8")  # one bad value in 201: still read as Unix times
    with pytest.raises(IngestError, match=r"Unix times .*--tz"):
        ingest(src)
    got = ingest(src, tz="America/Chicago")
    assert got.report.time_format == layout
    # 2019-01-01 05:00 UTC is 2018-12-31 23:00 in Chicago; 2019-01-02 07:10 UTC is 01:10
    assert got.table.time.astype(str).tolist()[:2] == ["2018-12-31T23:00:00",
                                                       "2019-01-02T01:10:00"]
    assert got.report.counts == {"time not a date-time": 1}


def test_bigquery_utc_word_and_spreadsheet_serial_dates(tmp_path: Path) -> None:
    """'2019-01-01 00:03:00 UTC' (BigQuery's public crime tables exported as CSV) is an
    instant like '+00:00'; '43466.0020833' (a CSV saved from a spreadsheet whose time column
    was numbers) is a serial date, a local time. Neither was read before: every row was
    rejected as 'time not a date-time'."""
    def write(name: str, values: list[str]) -> Path:
        src = tmp_path / name
        src.write_text("time,lon,lat\n" + "".join(
            f"{v},-87.6,{41.8 + i / 1000:.3f}\n" for i, v in enumerate(values)),
            encoding="utf-8")
        return src

    bq = write("bq.csv", ["2019-01-01 05:03:00 UTC", "2019-01-01 06:03:00 GMT",
                          "2019-01-01 07:03:00"])
    with pytest.raises(IngestError, match=r"UTC offset; name the jurisdiction's time zone"):
        ingest(bq)
    got = ingest(bq, tz="America/Chicago")  # 05:03 UTC is 23:03 the day before in Chicago
    assert got.table.time.astype(str).tolist() == [
        "2018-12-31T23:03:00", "2019-01-01T00:03:00", "2019-01-01T07:03:00"]
    # a layout given reads the word itself, as it did before
    given = ingest(write("bq2.csv", ["2019-01-01 05:03:00 UTC"] * 2), tz="America/Chicago",
                   time_format="%Y-%m-%d %H:%M:%S UTC", keep_duplicates=True)
    assert given.report.kept == 2
    # serials: 13:45:11 is 0.5730439814... of a day (rounded to the second, not to ten)
    values = ["43466.0020833", "43631.57304398", "43830.9993056", "43467.0"] * 50 + ["60601"]
    got = ingest(write("serial.csv", values))
    assert got.report.time_format == "excel_serial" and len(got.table) == 200
    assert got.table.time.astype(str).tolist()[:4] == [
        "2019-01-01T00:03:00", "2019-06-15T13:45:11", "2019-12-31T23:59:00",
        "2019-01-02T00:00:00"]
    assert got.report.counts == {"time not a date-time": 1}  # 60601: the year 2065
    # local times: --source-tz converts them as it converts any time without an offset
    moved = ingest(tmp_path / "serial.csv", tz="Asia/Shanghai", source_tz="UTC",
                   time_format="excel_serial")
    assert moved.table.time.astype(str).tolist()[0] == "2019-01-01T08:03:00"
    assert moved.report.counts == {"time not in format excel_serial": 1}
    # as Unix times: a column of serials reads the odd other value as nothing, not by guess
    iso = ingest(write("mixed.csv", ["2019-01-05 10:00", *values[:199]]))
    assert iso.report.time_format == "excel_serial" and iso.report.counts == {
        "time not a date-time": 1}
    # no guess: before 1990, five-digit numbers without a time of day (ZIP codes, ids, or
    # whole serial days: those are read with --time-format excel_serial), or too few serials
    for name, vals in (("old.csv", ["30000.5"] * 10), ("zips.csv", ["43215", "43201"] * 5),
                       ("few.csv", ["43466.25"] * 9 + ["none"])):
        assert ingest(write(name, vals), keep_duplicates=True).report.kept == 0, name
    days = ingest(write("days.csv", ["43215", "43201"]), time_format="excel_serial")
    assert days.table.time.astype(str).tolist() == ["2018-04-25T00:00:00",
                                                    "2018-04-11T00:00:00"]


def test_unix_times_at_midnight_utc_are_dates(tmp_path: Path) -> None:
    """ArcGIS keeps a date field as midnight UTC: '1546300800000' is the day 2019-01-01, not
    an instant that Chicago saw at 18:00 on New Year's Eve. Only where (nearly) every value
    sits at midnight UTC: then the record gives dates, and no time zone is needed."""
    days = [1546300800000 + k * 86_400_000 for k in range(150)]  # 2019-01-01 .. 2019-05-30
    src = tmp_path / "dates.csv"
    src.write_text("time,lon,lat\n" + "".join(
        f"{v},-87.6,{41.8 + i / 1000:.3f}\n" for i, v in enumerate(days)), encoding="utf-8")
    got = ingest(src)
    assert got.report.time_format == "epoch_ms"
    assert got.table.time.astype(str).tolist()[:2] == ["2019-01-01T00:00:00",
                                                       "2019-01-02T00:00:00"]
    assert any("dates without times of day" in note for note in got.report.notes)
    assert ingest(src, tz="America/Chicago").table.time.astype(str).tolist()[0] == (
        "2019-01-01T00:00:00")
    # one value in fifty at another hour: instants after all, converted (and --tz asked for)
    timed = tmp_path / "timed.csv"
    vals = [d + (3_600_000 if i % 50 == 0 else 0) for i, d in enumerate(days)]
    timed.write_text("time,lon,lat\n" + "".join(
        f"{v},-87.6,{41.8 + i / 1000:.3f}\n" for i, v in enumerate(vals)), encoding="utf-8")
    with pytest.raises(IngestError, match=r"Unix times .*--tz"):
        ingest(timed)
    assert ingest(timed, tz="America/Chicago").table.time.astype(str).tolist()[:2] == [
        "2018-12-31T19:00:00", "2019-01-01T18:00:00"]
    # one instant among 150 dates: the dates stay dates, the instant is converted (so --tz)
    odd = tmp_path / "odd.csv"
    odd.write_text("time,lon,lat\n" + "".join(
        f"{v + (7_200_000 if i == 149 else 0)},-87.6,{41.8 + i / 1000:.3f}\n"
        for i, v in enumerate(days)), encoding="utf-8")
    with pytest.raises(IngestError, match=r"Unix times .*--tz"):
        ingest(odd)
    times = ingest(odd, tz="America/Chicago").table.time.astype(str).tolist()
    assert times[0] == "2019-01-01T00:00:00" and times[-1] == "2019-05-29T21:00:00"
    # a few values are no column of dates: an upload of one report at 08:00 in Beijing
    one = tmp_path / "one.csv"
    one.write_text("time,lon,lat\n1704153600000,103.26,29.23\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"Unix times .*--tz"):
        ingest(one)
    assert ingest(one, tz="Asia/Shanghai").table.time.astype(str).tolist() == [
        "2024-01-02T08:00:00"]


def test_a_file_with_no_usable_row_is_an_error_and_keeps_the_old_store(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("time,lon,lat\n2019-01-15 14:30,-87.6,41.8\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,lon,lat\nfoo,-87.6,41.8\n2019-01-15 14:30,,41.8\n", encoding="utf-8")
    out = tmp_path / "store"
    assert runner.invoke(app, ["intel", "ingest", str(good), "--out", str(out)]).exit_code == 0
    before = (out / "incidents.parquet").read_bytes()
    report = (out / "ingest_report.csv").read_bytes()
    res = runner.invoke(app, ["intel", "ingest", str(bad), "--out", str(out)])
    assert res.exit_code == 1
    said = " ".join(res.output.split())
    assert ("no row can be used (2 rows: 1 time not a date-time; 1 coordinate missing or not a "
            "number; e.g. row 1, time: 'foo')") in said
    # the store and its own report stay; the failed file's rows are listed beside them (the
    # report of the good store was overwritten by the failed one's: a review)
    assert (out / "incidents.parquet").read_bytes() == before
    assert (out / "ingest_report.csv").read_bytes() == report
    assert "ingest_report.failed.csv" in said
    assert "1,time,time not a date-time,foo" in (out / "ingest_report.failed.csv").read_text()
    # the next good ingest clears it
    assert runner.invoke(app, ["intel", "ingest", str(good), "--out", str(out)]).exit_code == 0
    assert not (out / "ingest_report.failed.csv").exists()


def test_unix_times_outside_1990_to_next_year_are_listed(tmp_path: Path) -> None:
    src = tmp_path / "e.csv"
    rows = [f"1546318800000,-87.6,{41.8 + i / 1000:.3f}\n" for i in range(200)]
    rows += ["1546318800,-87.6,41.7\n",  # seconds among milliseconds: not 1970-01-18
             "99999999999999,-87.6,41.7\n"]  # not a year 5138 (nor a crash)
    src.write_text("time,lon,lat\n" + "".join(rows), encoding="utf-8")
    got = ingest(src, tz="America/Chicago")
    assert got.report.time_format == "epoch_ms" and len(got.table) == 200
    assert got.report.counts == {"time not a date-time": 2}
    with pytest.raises(IngestError, match=r"--source-tz applies to times written without"):
        ingest(src, tz="America/Chicago", source_tz="UTC")
    stamps = tmp_path / "s.csv"  # YYYYMMDDhhmm: a compact local stamp, not milliseconds
    stamps.write_text("time,lon,lat\n201901151430,-87.6,41.8\n", encoding="utf-8")
    assert ingest(stamps).table.time.astype(str).tolist() == ["2019-01-15T14:30:00"]


def test_x_y_in_degrees_without_a_crs_says_which_crs(tmp_path: Path) -> None:
    src = tmp_path / "arcgis.csv"  # ArcGIS Hub exports: X and Y in WGS 84 degrees
    src.write_text("X,Y,time\n-87.6,41.8,2019-01-15 14:30\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"look like degrees: .* give --crs EPSG:4326"):
        ingest(src)
    assert ingest(src, crs="EPSG:4326").report.crs == "EPSG:32616"
    metres = tmp_path / "m.csv"
    metres.write_text("X,Y,time\n445000,4630000,2019-01-15 14:30\n", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        ingest(metres)
    assert "look like degrees" not in str(err.value)


def test_compact_stamps_are_recognised_only_in_full_width(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"  # YYYYMMDDHH: no layout we know; not 2019-01-01 15:14
    src.write_text("time,lon,lat\n2019011514,-87.6,41.8\n2019011609,-87.6,41.8\n",
                   encoding="utf-8")
    got = ingest(src)
    assert got.report.kept == 0 and got.report.counts == {"time not a date-time": 2}
    got = ingest(src, time_format="%Y%m%d%H")
    assert got.table.time.astype(str).tolist() == ["2019-01-15T14:00:00", "2019-01-16T09:00:00"]


def test_category_selects_whole_names_in_any_case_and_a_typo_lists_the_categories(
        chicago: pd.DataFrame, tmp_path: Path) -> None:
    # a city's full crime file: category names in capitals, some holding commas
    names = {"street": "ASSAULT, AGGRAVATED: STREET", "residence": "Residence"}
    df = chicago.assign(kind=chicago.loc_cat.map(names).fillna("OTHER, ANY"))
    whole = tmp_path / "all.csv"
    df[["date", "longitude", "latitude", "kind"]].to_csv(whole, index=False)
    picked = df[df.kind.isin(names.values())]
    part = tmp_path / "picked.csv"
    picked[["date", "longitude", "latitude"]].to_csv(part, index=False)
    window = ["--methods", "naive,kde", "--train-days", "60", "--test-from", "2017-03-02",
              "--json"]
    res = runner.invoke(app, ["intel", "evaluate", str(whole), "--columns",
                              "time=date,lon=longitude,lat=latitude,category=kind",
                              "--category", "assault, aggravated: street ",
                              "--category", "RESIDENCE", *window])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["incidents_of_category"] == len(picked) > 1000
    assert got["category"] == ["assault, aggravated: street", "RESIDENCE"]  # as matched
    ref = json.loads(runner.invoke(app, ["intel", "evaluate", str(part), "--columns",
                                         "time=date,lon=longitude,lat=latitude", *window]).stdout)
    assert got["test_incidents"] == ref["test_incidents"]
    for a, b in zip(got["methods"], ref["methods"], strict=True):
        assert a["hit_rate"] == b["hit_rate"]
    # a name that matches nothing stops the run and lists what there is, largest first
    res = runner.invoke(app, ["intel", "evaluate", str(whole), "--columns",
                              "time=date,lon=longitude,lat=latitude,category=kind",
                              "--category", "ASSAULT", *window])
    assert res.exit_code == 1
    assert "--category 'ASSAULT' matches no incident's category" in res.output
    assert "'ASSAULT, AGGRAVATED: STREET' (" in res.output and "'Residence' (" in res.output
    # no category column mapped: say which option maps it
    res = runner.invoke(app, ["intel", "evaluate", str(part), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--category", "x",
                              *window])
    assert res.exit_code == 1 and "--columns category=COLUMN" in res.output
    res = runner.invoke(app, ["intel", "evaluate", str(whole), "--columns",
                              "time=date,lon=longitude,lat=latitude,category=kind",
                              "--category", " ", *window])
    assert res.exit_code == 1 and "--category needs a category's name" in res.output


def test_a_zip_of_one_shapefile_or_csv_reads_as_the_file_itself(
        chicago: pd.DataFrame, tmp_path: Path) -> None:
    # open-data portals hand out shapefiles, and big CSVs, zipped
    import zipfile

    import shapely
    from pyogrio.raw import write

    x, y = _projected(chicago, 3435)
    shp = tmp_path / "shp" / "assaults.shp"
    shp.parent.mkdir()
    write(str(shp), shapely.to_wkb(shapely.points(x, y)),
          [chicago.date.to_numpy().astype(object)], ["date"], crs="EPSG:3435",
          geometry_type="Point", driver="ESRI Shapefile")
    ref = ingest(_lonlat_csv(chicago, tmp_path), columns=LONLAT)
    zshp = tmp_path / "assaults_shp.zip"
    with zipfile.ZipFile(zshp, "w") as z:
        for f in sorted(shp.parent.iterdir()):
            z.write(f, f"Assaults/{f.name}")
        z.writestr("__MACOSX/Assaults/._assaults.shp", b"resource fork")
    got = ingest(zshp, columns={"time": "date"})
    assert got.report.source_crs == "EPSG:3435" and len(got.table) == len(chicago)
    assert np.abs(got.table.x - ref.table.x).max() < 0.01
    assert np.array_equal(got.table.time, ref.table.time)
    zcsv = tmp_path / "assaults_csv.zip"
    with zipfile.ZipFile(zcsv, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(tmp_path / "lonlat.csv", "lonlat.csv")
        z.writestr("README.txt.pdf", b"not a table")
    got = ingest(zcsv, columns=LONLAT)
    assert np.array_equal(got.table.x, ref.table.x) and got.report.encoding == "utf-8"
    # two tables, or none: refused with the members listed, nothing guessed
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as z:
        z.write(tmp_path / "lonlat.csv", "2016.csv")
        z.write(tmp_path / "lonlat.csv", "2017.csv")
    with pytest.raises(IngestError, match=r"2 tables \(2016.csv, 2017.csv\).*Unpack the one"):
        ingest(two, columns=LONLAT)
    none = tmp_path / "none.zip"
    with zipfile.ZipFile(none, "w") as z:
        z.writestr("notes.pdf", b"%PDF")
    with pytest.raises(IngestError, match=r"holds no table.*Its members: notes\.pdf"):
        ingest(none, columns=LONLAT)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(IngestError, match=r"bad\.zip: not a readable ZIP archive"):
        ingest(bad, columns=LONLAT)
    with pytest.raises(IngestError, match=r"--layer 'x': .*assaults_csv.zip!lonlat.csv is not a "
                                          "GIS file"):
        ingest(zcsv, columns=LONLAT, layer="x")
    # a problem inside names the archive and its member
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("a.csv", "date,date\n1,2\n")
    with pytest.raises(IngestError, match=r"broken.zip!a.csv: the header names 'date'"):
        ingest(broken, columns=LONLAT)


def _times(tmp_path: Path, text: str, columns: dict[str, str], **kw: object) -> object:
    src = tmp_path / "t.csv"
    src.write_text(text, encoding="utf-8")
    return ingest(src, columns={**columns, "lon": "lon", "lat": "lat"}, **kw)  # type: ignore[arg-type]


def test_us_date_and_hhmm_columns_and_am_pm_layouts(tmp_path: Path) -> None:
    # Los Angeles: DATE OCC a date cell at "12:00:00 AM", TIME OCC military time unpadded;
    # one value in 200 is no time of day (2460), one is missing
    rows = ["01/08/2020 12:00:00 AM,2230", "01/01/2020 12:00:00 AM,5",
            "02/13/2020 12:00:00 AM,1200", "02/13/2020 12:00:00 AM,0030"] * 50
    rows[-2:] = ["02/14/2020 12:00:00 AM,2460", "02/15/2020 12:00:00 AM,"]
    la = "DATE OCC,TIME OCC,lon,lat\n" + "".join(f"{r},-118.35,34.03\n" for r in rows)
    got = _times(tmp_path, la, {"time": "DATE OCC+TIME OCC"}, keep_duplicates=True)
    assert [str(t) for t in got.table.time[:4]] == [  # type: ignore[attr-defined]
        "2020-01-08T22:30:00", "2020-01-01T00:05:00", "2020-02-13T12:00:00",
        "2020-02-13T00:30:00"]
    assert len(got.table.time) == 198  # type: ignore[attr-defined]
    rules = {p.row: p.rule for p in got.report.problems}  # type: ignore[attr-defined]
    assert rules == {199: "time not a date-time", 200: NO_CLOCK_RULE}  # never midnight
    # a column of hours (0-23), as Boston's HOUR
    got = _times(tmp_path, "DAY,HOUR,lon,lat\n2019-05-01,0,-71.06,42.36\n"
                 "2019-05-01,23,-71.06,42.36\n", {"time": "DAY+HOUR"})
    assert [str(t) for t in got.table.time] == [  # type: ignore[attr-defined]
        "2019-05-01T00:00:00", "2019-05-01T23:00:00"]
    # with --time-format the values are read as written
    got = _times(tmp_path, "D,T,lon,lat\n2019-05-01,0930,-71.06,42.36\n", {"time": "D+T"},
                 time_format="%Y-%m-%d %H%M")
    assert str(got.table.time[0]) == "2019-05-01T09:30:00"  # type: ignore[attr-defined]
    # San Francisco: year first, 12-hour clock
    got = _times(tmp_path, "when,lon,lat\n2023/03/13 11:41:00 PM,-122.41,37.77\n"
                 "2023/03/14 01:05:00 AM,-122.42,37.78\n", {"time": "when"})
    assert [str(t) for t in got.table.time] == [  # type: ignore[attr-defined]
        "2023-03-13T23:41:00", "2023-03-14T01:05:00"]
    # day-first and month-first both read a 12-hour sample: asked, not guessed
    with pytest.raises(IngestError, match="read both day-first and month-first"):
        _times(tmp_path, "when,lon,lat\n03/04/2019 01:00:00 PM,-0.1,51.5\n", {"time": "when"})


def test_a_month_without_its_day_is_listed_not_read_as_the_first(tmp_path: Path) -> None:
    # the UK's police data give the month only: "2019-01" is not 2019-01-01
    got = _times(tmp_path, "Month,lon,lat\n2019-01,-0.1,51.5\n2019-02-17 08:00,-0.1,51.5\n"
                 "2019,-0.1,51.5\n2019年3月,-0.1,51.5\n", {"time": "Month"})
    assert [str(t) for t in got.table.time] == ["2019-02-17T08:00:00"]  # type: ignore[attr-defined]
    listed = {p.row: (p.rule, p.value) for p in got.report.problems}  # type: ignore[attr-defined]
    rule = "time gives no day, only a month or a year (forecasts are by day)"
    assert listed == {1: (rule, "2019-01"), 3: (rule, "2019"), 4: (rule, "2019年3月")}


def test_evaluate_says_what_it_set_aside(chicago: pd.DataFrame, tmp_path: Path) -> None:
    df = chicago[["date", "longitude", "latitude"]].copy()
    df.loc[3, ["longitude", "latitude"]] = 0.0  # a missing position written as zeros
    df.loc[5, "date"] = "unknown"
    src = tmp_path / "c.csv"
    df.to_csv(src, index=False)
    args = ["intel", "evaluate", str(src), "--columns", "time=date,lon=longitude,lat=latitude",
            "--methods", "naive", "--train-days", "30", "--test-from", "2017-03-01"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert doc["read"]["rows"] == len(df) and doc["read"]["kept"] == len(df) - 2
    assert doc["read"]["counts"] == {
        "time not a date-time": 1, "coordinates (0, 0): a missing position written as zeros": 1}
    out = " ".join(runner.invoke(app, args).stdout.split())
    assert f"{len(df):,} rows read, {len(df) - 2:,} used (1 time not a date-time;" in out


@pytest.mark.parametrize(("value", "expect"), [
    ("2019年1月2日 15时04分", "2019-01-02T15:04:00"),
    ("2019年1月2日 15时04分05秒", "2019-01-02T15:04:05"),
    ("02-JAN-19 03.04.05.000000 PM", "2019-01-02T15:04:05"),  # an Oracle TIMESTAMP
    ("02-Jan-2019 15:04", "2019-01-02T15:04:00"),
    ("Jan 2, 2019 3:04 PM", "2019-01-02T15:04:00"),
    ("02 Jan 2019 15:04", "2019-01-02T15:04:00"),
])
def test_more_layouts_records_systems_export(tmp_path: Path, value: str, expect: str) -> None:
    got = _times(tmp_path, f'when,lon,lat\n"{value}",116.4,39.9\n"{value}",116.5,39.9\n',
                 {"time": "when"})
    assert [str(t) for t in got.table.time] == [expect, expect]  # type: ignore[attr-defined]


def test_time_of_day_digits_edge_cases(tmp_path: Path) -> None:
    # zero-padded HHMM before 01:00 is HHMM, not hours
    got = _times(tmp_path, "D,T,lon,lat\n2020-01-08,0005,-118.3,34.0\n"
                 "2020-01-09,0023,-118.3,34.0\n", {"time": "D+T"})
    assert [str(t) for t in got.table.time] == [  # type: ignore[attr-defined]
        "2020-01-08T00:05:00", "2020-01-09T00:23:00"]
    # a clock value among the digits: each digit value is still HHMM, the clock read as is;
    # full-width digits are no ASCII time: listed, not a crash
    rows = ["2020-01-08,2230", "2020-01-08,22:31", "2020-01-08,５"] + [
        f"2020-01-{d:02d},{(d - 5) * 100 + 7}" for d in range(10, 29)] * 6
    got = _times(tmp_path, "D,T,lon,lat\n" + "".join(f"{r},-118.3,34.0\n" for r in rows),
                 {"time": "D+T"}, keep_duplicates=True)
    assert [str(t) for t in got.table.time[:2]] == [  # type: ignore[attr-defined]
        "2020-01-08T22:30:00", "2020-01-08T22:31:00"]
    assert [(p.row, p.rule) for p in got.report.problems] == [  # type: ignore[attr-defined]
        (3, "time not a date-time")]
    # a layout given reads '2230' as written: no 'only a year' rule for it
    got = _times(tmp_path, "T,lon,lat\n2230,-118.3,34.0\n", {"time": "T"}, time_format="%H%M")
    assert str(got.table.time[0]) == "1900-01-01T22:30:00"  # type: ignore[attr-defined]


def test_a_us_export_sorted_by_date_is_not_ambiguous(tmp_path: Path) -> None:
    # the first 2,000 rows have days 1-12 only; later rows settle month-first
    days = pd.date_range("2020-01-01", periods=2600, freq="15min")
    text = "when,lon,lat\n" + "".join(
        f"{d.strftime('%m/%d/%Y %I:%M:%S %p')},-87.6,41.8\n" for d in days)
    got = _times(tmp_path, text, {"time": "when"})
    assert got.report.time_format == "%m/%d/%Y %I:%M:%S %p"  # type: ignore[attr-defined]
    assert str(got.table.time[-1]) == "2020-01-28T01:45:00"  # type: ignore[attr-defined]


def test_zip_members_beside_the_table_and_unreadable_members(
        chicago: pd.DataFrame, tmp_path: Path) -> None:
    import zipfile

    csv = _lonlat_csv(chicago.iloc[:50], tmp_path)
    z1 = tmp_path / "export.zip"
    with zipfile.ZipFile(z1, "w") as z:
        z.write(csv, "data/crimes.csv")
        z.writestr("data/README.txt", "about the data")
        z.writestr("data/metadata.json", "{}")
    assert len(ingest(z1, columns=LONLAT).table) == 50
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr(zipfile.ZipInfo("folder/"), b"")
    with pytest.raises(IngestError, match=r"holds no table.*Its members: none"):
        ingest(empty, columns=LONLAT)
    # an encrypted member (flag bit 0 set by hand): a clear error, not a traceback
    locked = tmp_path / "locked.zip"
    with zipfile.ZipFile(locked, "w") as z:
        z.write(csv, "crimes.csv")
    raw = bytearray(locked.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.find(sig)
        flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
        raw[flag_at] |= 1
    locked.write_bytes(bytes(raw))
    with pytest.raises(IngestError, match=r"locked\.zip!crimes\.csv: cannot be unpacked"):
        ingest(locked, columns=LONLAT)
    # a GIS member GDAL cannot read is named as archive!member
    bad = tmp_path / "bad_gis.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("points.geojson", "{not json")
    with pytest.raises(IngestError) as exc:
        ingest(bad, columns=LONLAT)
    assert "bad_gis.zip!points.geojson" in str(exc.value) and "/vsizip/" not in str(exc.value)


def test_forecast_a_city_file_without_a_scenario(
        chicago: pd.DataFrame, tmp_path: Path, data_dir: Path) -> None:
    import shapely

    src = _lonlat_csv(chicago, tmp_path)
    out = tmp_path / "layers" / "risk.geojson"
    res = runner.invoke(app, ["intel", "forecast", str(src), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--method", "naive",
                              "--train-days", "60", "--geojson", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["unit_kind"] == "cells" and doc["crs"] == "EPSG:32616" and doc["cell_m"] == 250
    assert doc["slots"][0] == "2017-04-01T00:00" and len(doc["slots"]) == 24  # the next day
    layer = json.loads(out.read_text(encoding="utf-8"))
    feats = layer["features"]
    assert len(feats) == len(doc["units"]) and layer["method"] == "naive"
    assert sorted(f["properties"]["rank"] for f in feats) == list(range(1, len(feats) + 1))
    hottest = next(f for f in feats if f["properties"]["rank"] == 1)
    assert hottest["properties"]["unit"] == doc["hot"][0]["unit"]
    assert hottest["properties"]["expected"] == pytest.approx(doc["hot"][0]["expected"],
                                                              abs=1e-3)
    # the square is where that cell's incidents are, in lon/lat
    square = shapely.geometry.shape(hottest["geometry"])
    pts = shapely.points(chicago.longitude.to_numpy(), chicago.latitude.to_numpy())
    assert shapely.contains(square, pts).sum() >= 3
    quiet = [f for f in feats if f["properties"]["expected"] == 0]
    assert all(f["properties"]["peak_slot"] is None for f in quiet)
    # the police districts as the places, and shifts as the slots
    res = runner.invoke(app, ["intel", "forecast", str(src), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--method", "decay",
                              "--polygons", str(data_dir / "chicago_police_districts.kml"),
                              "--slots", "shift", "--days", "2", "--geojson", str(out),
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["unit_kind"] == "polygons" and len(doc["slots"]) == 6 and "cell_m" not in doc
    layer = json.loads(out.read_text(encoding="utf-8"))
    assert {f["geometry"]["type"] for f in layer["features"]} == {"MultiPolygon"}
    # grids are a scenario's
    res = runner.invoke(app, ["intel", "forecast", str(src), "--columns",
                              "time=date,lon=longitude,lat=latitude", "--units", "grids"])
    assert res.exit_code == 1 and "--units grids needs a scenario folder" in res.output


def test_forecast_from_a_day_inside_the_file_and_odd_polygons(
        chicago: pd.DataFrame, tmp_path: Path) -> None:
    import shapely

    src = _lonlat_csv(chicago, tmp_path)
    cols = ["--columns", "time=date,lon=longitude,lat=latitude", "--method", "naive"]
    res = runner.invoke(app, ["intel", "forecast", str(src), *cols, "--from", "2017-03-01",
                              "--train-days", "59", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # the cells are where the record before the day put incidents, not where later ones fell
    before = chicago[chicago.date < "2017-03-01"]
    (tmp_path / "before").mkdir()
    t = ingest(_lonlat_csv(before, tmp_path / "before"), columns=LONLAT).table
    cells = {f"{int(a // 250)}_{int(b // 250)}" for a, b in zip(t.x, t.y, strict=True)}
    assert set(doc["units"]) == cells
    # a district drawn with a spike (make_valid gives a polygon and a line): still a place;
    # incidents outside every polygon are counted
    x0, y0 = chicago.longitude.median(), chicago.latitude.median()
    ring = [(x0 - .02, y0 - .02), (x0 + .02, y0 - .02), (x0 + .02, y0 + .02), (x0, y0 + .02),
            (x0, y0 + .05), (x0, y0 + .02), (x0 - .02, y0 + .02), (x0 - .02, y0 - .02)]
    poly = tmp_path / "spike.geojson"
    poly.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "D1"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    out = tmp_path / "o.geojson"
    res = runner.invoke(app, ["intel", "forecast", str(src), *cols, "--polygons", str(poly),
                              "--geojson", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    inside = shapely.contains_xy(shapely.Polygon(ring), chicago.longitude, chicago.latitude)
    assert doc["incidents_on_no_unit"] == len(chicago) - int(inside.sum())
    shape = shapely.geometry.shape(json.loads(out.read_text())["features"][0]["geometry"])
    assert shape.area == pytest.approx(0.04 * 0.04, rel=1e-3)
    # a --geojson that cannot be a file is refused before any work
    res = runner.invoke(app, ["intel", "forecast", str(src), *cols, "--geojson",
                              str(tmp_path)])
    assert res.exit_code == 1 and "not a file that can be written" in res.output


def test_a_column_of_points_wkt_or_socrata_pairs(chicago: pd.DataFrame, tmp_path: Path) -> None:
    ref = ingest(_lonlat_csv(chicago, tmp_path), columns=LONLAT)
    lon, lat = chicago.longitude.to_numpy(), chicago.latitude.to_numpy()
    wkt = [f"POINT ({a} {b})" for a, b in zip(lon, lat, strict=True)]
    pairs = [f"({b}, {a})" for a, b in zip(lon, lat, strict=True)]  # Chicago's Location
    wkt[7], pairs[7] = "", "(nowhere)"
    df = pd.DataFrame({"date": chicago.date, "Point": wkt, "Location": pairs,
                       "Latitude": 0.0, "Longitude": 0.0})  # decoys the mapping must not take
    src = tmp_path / "points.csv"
    df.to_csv(src, index=False)
    for col in ("Point", "Location"):
        got = ingest(src, columns={"time": "date", "point": col})
        keep = np.arange(len(chicago)) != 7
        assert np.abs(got.table.x - ref.table.x[keep]).max() < 0.01, col
        assert np.abs(got.table.y - ref.table.y[keep]).max() < 0.01, col
        assert [(p.row, p.field, p.rule) for p in got.report.problems] == [  # one line a row
            (8, f"{col} (lon) and {col} (lat)", "coordinate missing or not a number")]
    # projected WKT with its CRS
    x, y = _projected(chicago, 3435)
    pd.DataFrame({"date": chicago.date, "geom": [f"POINT ({a} {b})" for a, b in zip(
        x, y, strict=True)]}).to_csv(src, index=False)
    got = ingest(src, columns={"time": "date", "point": "geom"}, crs="EPSG:3435")
    assert np.abs(got.table.x - ref.table.x).max() < 0.01
    with pytest.raises(IngestError, match="maps point and lon"):
        ingest(src, columns={"time": "date", "point": "geom", "lon": "geom"})


@pytest.mark.parametrize(("values", "expect", "tz"), [
    # an offset as a word, in any case and with a number: instants, here in Beijing
    (["2019-01-13 00:03:00 utc", "2019-01-14 13:04:00 Utc"],
     ["2019-01-13T08:03:00", "2019-01-14T21:04:00"], "Asia/Shanghai"),
    (["2019-01-13 00:03:00 GMT+8", "2019-01-14 13:04:00 UTC+08:00"],
     ["2019-01-13T00:03:00", "2019-01-14T13:04:00"], "Asia/Shanghai"),
    (["2019-01-13 00:03:00 +0000 UTC", "2019-01-14 13:04:00 -0500 UTC"],  # Go's time.String
     ["2019-01-13T08:03:00", "2019-01-15T02:04:00"], "Asia/Shanghai"),
    # RFC 1123 (HTTP, e-mail, many web exports) and JavaScript's Date.toString
    (["Sun, 13 Jan 2019 00:03:00 GMT", "Mon, 14 Jan 2019 13:04:00 GMT"],
     ["2019-01-13T08:03:00", "2019-01-14T21:04:00"], "Asia/Shanghai"),
    (["Sun Jan 13 2019 00:03:00 GMT+0800 (China Standard Time)",
      "Mon Jan 14 2019 13:04:00 GMT+0800 (中国标准时间)"],
     ["2019-01-13T00:03:00", "2019-01-14T13:04:00"], "Asia/Shanghai"),
    # a US 12-hour time followed by its offset, a word or a number
    (["01/13/2019 12:03:00 AM UTC", "01/14/2019 01:04:00 PM UTC"],
     ["2019-01-12T18:03:00", "2019-01-14T07:04:00"], "America/Chicago"),
    (["01/13/2019 12:03 PM -06:00", "01/14/2019 1:04 PM -0500"],
     ["2019-01-13T12:03:00", "2019-01-14T12:04:00"], "America/Chicago"),
    # Oracle's TIMESTAMP WITH TIME ZONE: a clock with dots, then the offset
    (["02-JAN-19 03.04.05.000000 PM +08:00", "03-JAN-19 12.04.05.000000 AM -05:00"],
     ["2019-01-02T15:04:05", "2019-01-03T13:04:05"], "Asia/Shanghai"),
    # SQL Server's default text: runs of spaces, AM/PM against the minutes
    (["Jan 13 2019 12:03AM", "Jan 14 2019  1:04PM"],
     ["2019-01-13T00:03:00", "2019-01-14T13:04:00"], None),
    # a Chinese spreadsheet's 上午/下午 (and 凌晨, 中午, 晚上), before or after the clock
    (["2019/1/13 上午12:03:00", "2019/1/14 下午1:04:00", "2019-01-14 凌晨0:30",
      "2019-01-14 中午12:30", "2019-01-14 11:59 晚上", "2019-01-14 下午13:05"],
     ["2019-01-13T00:03:00", "2019-01-14T13:04:00", "2019-01-14T00:30:00",
      "2019-01-14T12:30:00", "2019-01-14T23:59:00", "2019-01-14T13:05:00"], None),
])
def test_offsets_as_words_weekdays_and_chinese_meridiems(
        tmp_path: Path, values: list[str], expect: list[str], tz: str | None) -> None:
    """Each of these layouts had every row rejected as 'time not a date-time'."""
    text = "when,lon,lat\n" + "".join(f'"{v}",116.4,{39.9 + i / 1000:.3f}\n'
                                      for i, v in enumerate(values))
    got = _times(tmp_path, text, {"time": "when"}, tz=tz)
    assert [str(t) for t in got.table.time] == expect  # type: ignore[attr-defined]
    assert got.report.counts == {}  # type: ignore[attr-defined]


def test_zone_abbreviations_are_read_for_the_zone_that_uses_them(tmp_path: Path) -> None:
    """'CST' is China's and the US Central zone's winter name: no offset by itself. With the
    zone named (--tz, or --source-tz when the times are in another zone), the abbreviations
    that zone uses are read as its local times; any other is listed, naming it."""
    def write(values: list[str]) -> Path:
        src = tmp_path / "abbr.csv"
        src.write_text("time,lon,lat\n" + "".join(
            f"{v},-87.6,{41.8 + i / 1000:.3f}\n" for i, v in enumerate(values)),
            encoding="utf-8")
        return src

    src = write(["2019-01-13 00:03:00 CST", "2019-07-14 13:04:00 CDT",
                 "2019-07-14 13:05:00 EST", "2019-07-14 13:06:00"])
    got = ingest(src, tz="America/Chicago")
    assert [str(t) for t in got.table.time] == [
        "2019-01-13T00:03:00", "2019-07-14T13:04:00", "2019-07-14T13:06:00"]
    rule = ("time ends in a zone abbreviation (EST) that America/Chicago does not use (it "
            "uses CDT, CST); name the zone of the times with --source-tz")
    assert got.report.counts == {rule: 1}
    assert [(p.row, p.field, p.value) for p in got.report.problems] == [
        (3, "time", "2019-07-14 13:05:00 EST")]
    # no zone named: each is listed, saying what to give
    none = ingest(src, keep_duplicates=True)
    assert none.report.counts == {
        "time ends in a zone abbreviation (CDT, CST, EST), which is no UTC offset; name the "
        "zone that uses it with --tz, or --source-tz if it differs": 3}
    # times in Chicago's zone, the jurisdiction in Beijing's: converted
    moved = ingest(src, tz="Asia/Shanghai", source_tz="America/Chicago")
    assert [str(t) for t in moved.table.time][:2] == ["2019-01-13T14:03:00",
                                                      "2019-07-15T02:04:00"]
    # the night clocks go back: 01:30 comes twice, and only the abbreviation tells which;
    # without one, the first of the two instants, said in a note (as a scenario's
    # source_timezone reads it)
    fold = ingest(write(["2019-11-03 01:30:00 CDT", "2019-11-03 01:30:00 CST",
                         "2019-11-03 01:31:00"]), tz="UTC", source_tz="America/Chicago")
    assert [str(t) for t in fold.table.time] == ["2019-11-03T06:30:00", "2019-11-03T07:30:00",
                                                 "2019-11-03T06:31:00"]
    assert fold.report.counts == {}
    assert any(n.startswith("1 times fall in the hour America/Chicago's clocks repeat")
               and "first of the two instants" in n and n.endswith("(row 3)")
               for n in fold.report.notes)
    # Beijing's own CST, and a month name at the end is no abbreviation
    cn = ingest(write(["2019-01-13 00:03:00 CST", "13 JAN"]), tz="Asia/Shanghai")
    assert [str(t) for t in cn.table.time] == ["2019-01-13T00:03:00"]
    assert cn.report.counts == {"time not a date-time": 1}
    # the offset test on text of any dtype (the ingest passes pandas' string dtype)
    from xunfang.intel.ingest import _aware
    for dtype in (object, "string"):
        assert _aware(pd.Series(["01-JAN-19 03.04.05.000000 PM +08:00", "2019-01-01"],
                                dtype=dtype)).tolist() == [True, False]
    # an offset before the abbreviation decides (Go's time.String): any zone named
    go = ingest(write(["2019-01-13 00:03:00 +0800 CST", "2019-07-14 13:04:00 -0500 EST"]),
                tz="UTC")
    assert [str(t) for t in go.table.time] == ["2019-01-12T16:03:00", "2019-07-14T18:04:00"]
    # words that name no zone: read as before ('SUN', 'JUNE'), or not a date-time ('NOON',
    # 'HRS'), never the abbreviation rule, which would send the user to --tz for nothing
    words = ingest(write(["2019-01-13 00:03:00"] * 96 + [
        "2019-01-13 12:03 SUN", "2019 13 JUNE", "2019-01-13 12:00 NOON", "2019-01-13 1430 HRS"]),
        tz="Asia/Shanghai", keep_duplicates=True)
    assert [str(t) for t in words.table.time[-2:]] == ["2019-01-13T12:03:00",
                                                       "2019-06-13T00:00:00"]
    assert words.report.counts == {"time not a date-time": 2}
    # 晚上12:30 is midnight, but of which day: not read
    night = ingest(write(["2019-01-13 晚上11:30"] * 50 + ["2019-01-13 晚上12:30"]),
                   keep_duplicates=True)
    assert [str(t) for t in night.table.time[:1]] == ["2019-01-13T23:30:00"]
    assert night.report.counts == {"time not a date-time": 1}
    # a layout given reads the values as written
    given = ingest(write(["2019-01-13 00:03:00 CST"] * 2), time_format="%Y-%m-%d %H:%M:%S CST",
                   keep_duplicates=True)
    assert given.report.kept == 2
