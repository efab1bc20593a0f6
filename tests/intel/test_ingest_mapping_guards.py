"""Ingestion refuses what would be read wrongly without a word: conflicting column
mappings, a coordinate mapped beside its partner guessed from another kind of column, a
file whose incidents span more than any jurisdiction; and its report and messages say what
the file holds (its own coordinates, a folder for a folder, the CRS's real unit)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from xunfang.geo import reproject
from xunfang.intel import IngestError, ingest, parse_columns


def _chicago_like(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Chicago's layout: a time, longitude and latitude in degrees, and a district number."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "date": pd.date_range("2010-01-01", periods=n, freq="37min").strftime("%Y-%m-%d %H:%M"),
        "longitude": np.round(rng.uniform(-87.85, -87.55, n), 4),
        "latitude": np.round(rng.uniform(41.65, 42.00, n), 4),
        "district": rng.integers(1, 26, n),
    })


# -- parse_columns: one column per field, one kind of coordinates ------------------------------
def test_a_field_mapped_twice_is_refused_naming_it() -> None:
    with pytest.raises(IngestError, match=r"field 'time' is mapped twice \('when' and 'lng'\)"):
        parse_columns("time=when,time=lng")
    assert parse_columns("time=when,time=when") == {"time": "when"}  # the same: no conflict


def test_lon_lat_beside_x_y_is_refused_naming_them(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="--columns: maps lon, lat and x, y"):
        parse_columns("time=t,lon=a,lat=b,x=c,y=d")
    with pytest.raises(IngestError, match="maps lon and y"):
        parse_columns("time=t,lon=a,y=d")
    # the Python API's mapping too (a dict cannot repeat a field, but it can mix the kinds)
    p = tmp_path / "inc.csv"
    p.write_text("t,a,b,c,d\n2025-03-01 08:15,103.26,29.23,500000,3234000\n")
    with pytest.raises(IngestError, match=r"inc\.csv: --columns maps lon, lat and x, y"):
        ingest(p, columns={"time": "t", "lon": "a", "lat": "b", "x": "c", "y": "d"})


# -- the report shows the file's own coordinates -----------------------------------------------
def test_a_row_outside_the_jurisdiction_is_listed_with_the_files_own_values(
        tmp_path: Path) -> None:
    p = tmp_path / "eb_out.csv"
    p.write_text("id,time,lon,lat\n"
                 "A1,2025-03-01 08:15,103.2600,29.2300\n"
                 "A2,2025-03-01 10:00,103.40,29.30\n")  # some 15 km east of the town
    x, y = reproject(np.array([103.26]), np.array([29.23]), "EPSG:4326", "EPSG:32648")
    town = shapely.Point(float(x[0]), float(y[0])).buffer(3000)
    for coords in ("wgs84", "gcj02"):  # GCJ-02: the file's values, not the WGS 84 ones
        got = ingest(p, jurisdiction=town, target_crs="EPSG:32648", coords=coords)
        assert [(q.row, q.field, q.rule, q.value) for q in got.report.problems] == [
            (2, "lon and lat", "outside the jurisdiction", "103.40, 29.30")], coords  # as written
    got.report.write_csv(tmp_path / "ingest_report.csv")
    assert (tmp_path / "ingest_report.csv").read_text().splitlines()[1] == (
        '2,lon and lat,outside the jurisdiction,"103.40, 29.30"')


def test_a_far_row_of_a_gcj02_file_is_listed_with_the_files_own_values(
        tmp_path: Path) -> None:
    rows = "".join(f"2025-03-01 08:{i:02d},103.{2600 + 7 * i},29.{2300 + 5 * i}\n"
                   for i in range(20))
    p = tmp_path / "gcj.csv"
    p.write_text("time,lon,lat\n" + rows + "2025-03-01 09:00,113.26,29.23\n")  # a typo: 10°
    got = ingest(p, coords="gcj02")
    assert [(q.row, q.field, q.value) for q in got.report.problems] == [
        (21, "lon and lat", "113.26, 29.23")]


# -- messages: a folder is a folder, a CRS in feet is in feet ----------------------------------
def test_a_folder_is_called_a_folder_and_told_what_to_give(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IngestError, match=r"empty: a folder, neither a scenario \(no "
                                          r"scenario\.toml\) nor a file; give one file of "
                                          r"incidents \(\.csv, .*; it holds none of them"):
        ingest(empty)
    held = tmp_path / "held"
    held.mkdir()
    (held / "b.csv").write_text("time,lon,lat\n")
    (held / "a.shp").write_bytes(b"")
    (held / "readme.md").write_text("")
    with pytest.raises(IngestError, match=r"held: a folder, .*; it holds a\.shp, b\.csv$"):
        ingest(held)
    scenario = tmp_path / "town"
    scenario.mkdir()
    (scenario / "scenario.toml").write_text('name = "town"\ncrs = "EPSG:32648"\n')
    (scenario / "incidents.csv").write_text("time,x,y\n")
    with pytest.raises(IngestError, match=r"town: a scenario folder, not an incident file; .*"
                                          r"its own history is .*incidents\.csv.*--scenario"):
        ingest(scenario)
    with pytest.raises(IngestError, match=r"nothing\.csv: no such file"):
        ingest(tmp_path / "nothing.csv")


def test_a_crs_in_feet_is_named_in_feet_and_the_medians_keep_their_signs(
        tmp_path: Path) -> None:
    p = tmp_path / "chicago.csv"
    df = _chicago_like()
    df.to_csv(p, index=False)
    lon = f"{np.median(df.longitude):.4f}"  # west of Greenwich: it was printed as 87.6...
    assert lon.startswith("-")
    with pytest.raises(IngestError, match=r"--crs EPSG:3435 is projected \(US survey feet\) but "
                                          rf"the coordinates look like degrees \(median {lon}, "):
        ingest(p, columns={"time": "date", "x": "longitude", "y": "latitude"},
               crs="EPSG:3435")
    with pytest.raises(IngestError, match=r"--crs EPSG:32616 is projected \(metres\) but"):
        ingest(p, columns={"time": "date", "x": "longitude", "y": "latitude"},
               crs="EPSG:32616")
    with pytest.raises(IngestError, match=r"--crs EPSG:3435 is projected \(US survey feet\) but "
                                          "the mapped columns are lon/lat"):
        ingest(p, columns={"time": "date"}, crs="EPSG:3435")


# -- exact duplicates: found without a loop over the rows --------------------------------------
def _with_duplicates(path: Path, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` rows of which some repeat an earlier one (twice, thrice, far apart), and rows
    set aside (no time) among them, the file written to ``path``."""
    rng = np.random.default_rng(seed)
    df = _chicago_like(n, seed)
    copies = rng.choice(n, n // 10, replace=True)  # a row repeated may be repeated again
    df = pd.concat([df, df.iloc[copies]], ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df.loc[rng.choice(len(df), 5, replace=False), "date"] = ""
    df.to_csv(path, index=False)
    return df


def test_each_exact_duplicate_names_the_first_row_of_its_copies(tmp_path: Path) -> None:
    df = _with_duplicates(tmp_path / "dups.csv", 3000)
    rep = ingest(tmp_path / "dups.csv").report
    # the reference: each surviving row equal in every column to an earlier surviving row,
    # with the first of them (data rows are 1-based)
    live = df[df.date != ""]
    first = live.groupby(list(live.columns), sort=False).ngroup()
    first_row = pd.Series(live.index, index=live.index).groupby(first.to_numpy()).transform(
        "min")
    again = live.duplicated(keep="first").to_numpy()
    want = np.column_stack([live.index[again] + 1, first_row[again] + 1])
    assert len(want) > 250 and (want[:, 1] != want[:, 0]).all()
    assert rep.every_duplicate is not None
    assert rep.every_duplicate.tolist() == want.tolist()
    assert rep.duplicates == tuple((int(r), int(f)) for r, f in want[:1000].tolist())
    assert rep.counts["exact duplicate"] == len(want)


def test_finding_exact_duplicates_makes_no_python_call_per_row(tmp_path: Path) -> None:
    """A loop over the rows (dict.setdefault per row: 0.35 s of a million-row ingestion)
    shows as Python calls that grow with the file; the work of a vectorised pass does not.
    Counted with a profile hook: calls, not seconds, so a busy machine does not change it."""
    import sys
    from collections import Counter
    from types import FrameType

    def calls(n: int) -> Counter[str]:
        path = tmp_path / f"dups{n}.csv"
        _with_duplicates(path, n)
        ingest(path)  # imports and caches first: not counted
        seen: Counter[str] = Counter()

        def hook(frame: FrameType, event: str, arg: object) -> None:
            if event == "c_call":
                seen[getattr(arg, "__qualname__", "?")] += 1
            elif event == "call":
                seen[frame.f_code.co_name] += 1

        sys.setprofile(hook)
        try:
            ingest(path)
        finally:
            sys.setprofile(None)
        return seen

    small, big = calls(2_000), calls(20_000)
    grown = big - small
    # 19,800 more rows: fewer than one call per ten of them
    assert sum(grown.values()) < 1_980, grown.most_common(5)


# -- a coordinate mapped wrongly: refused, not placed 2,000 km apart ---------------------------
def test_a_coordinate_mapped_beside_its_partner_guessed_from_another_kind_is_refused(
        tmp_path: Path) -> None:
    p = tmp_path / "chicago.csv"
    df = _chicago_like()
    df.to_csv(p, index=False)
    with pytest.raises(IngestError, match=r"chicago\.csv: --columns maps lon to 'district', "
                                          r"whose values are whole numbers, few and close "
                                          r"together as a code's \(e\.g\. .*\), but "
                                          r"lat was found by its name, 'latitude', whose values "
                                          r"are numbers with fractions .*map both with "
                                          r"--columns lon=COLUMN,lat=COLUMN"):
        ingest(p, columns={"time": "date", "lon": "district"})
    # the other way round, and x/y alike
    with pytest.raises(IngestError, match=r"maps lat to 'district'.*but lon was found by its"):
        ingest(p, columns={"time": "date", "lat": "district"})
    xy = df.rename(columns={"longitude": "x", "latitude": "y"})
    x, y = reproject(df.longitude.to_numpy(), df.latitude.to_numpy(), "EPSG:4326",
                     "EPSG:32616")
    xy["x"], xy["y"] = np.round(x, 2), np.round(y, 2)
    xy.to_csv(p, index=False)
    with pytest.raises(IngestError, match=r"maps y to 'district'.*but x was found by its name"):
        ingest(p, columns={"time": "date", "y": "district"}, crs="EPSG:32616")
    # coordinates of one kind, one mapped and one found by its name: read as before
    assert len(ingest(p, columns={"time": "date", "y": "y"}, crs="EPSG:32616").table) == len(df)
    xy["x"] = np.round(x)  # whole metres beside metres with fractions: both metres, many
    xy.to_csv(p, index=False)  # values over kilometres, no code: read (a review)
    assert len(ingest(p, columns={"time": "date", "y": "y"}, crs="EPSG:32616").table) == len(df)
    assert len(ingest(p, columns={"time": "date", "x": "x", "y": "y"},
                      crs="EPSG:32616").table) == len(df)


def test_a_file_spread_over_more_than_a_countrys_file_is_refused_without_far_km(
        tmp_path: Path) -> None:
    """Both columns mapped, one of them wrongly (an amount, 0-180 with fractions, as
    longitudes): the far-row test grows with the spread, and the incidents would be placed
    thousands of km apart. --far-km 0 reads it as given."""
    p = tmp_path / "chicago.csv"
    df = _chicago_like()
    df["amount"] = np.round(np.random.default_rng(3).uniform(0, 180, len(df)), 2)
    df.to_csv(p, index=False)
    cols = {"time": "date", "lon": "amount", "lat": "latitude"}
    with pytest.raises(IngestError) as err:
        ingest(p, columns=cols)
    said = str(err.value)
    assert said.startswith(f"{p}: the middle 90% of the incidents spread over ")
    km = float(said.split("spread over ")[1].split(" km")[0].replace(",", ""))
    assert km > 5_000 and "(amount from " in said and ", latitude from " in said
    assert "more than 5,000 km" in said and "--far-km 0 (every row kept)" in said
    # with --far-km the user has said how far they may lie: read, and said in a note
    for far in (0, 20_000):  # (UTM metres 100 degrees off the zone's meridian are far)
        got = ingest(p, columns=cols, far_km=far)
        assert len(got.table) == len(df) or far
        assert any(n.startswith("the middle 90% of the incidents spread over")
                   for n in got.report.notes)
    # the right columns: a city, no note
    right = ingest(p, columns={"time": "date", "lon": "longitude", "lat": "latitude"})
    assert not any("spread over" in n for n in right.report.notes)


def test_a_province_wide_file_is_read_with_a_note_not_refused(tmp_path: Path) -> None:
    """A review: Xinjiang's file (its middle 90 % over 1,557 km), Inner Mongolia's and
    Chile's were refused as wider than any police jurisdiction, which a provincial bureau's
    or a railway police's file is not. Read, with a note saying how wide; district numbers
    with fractions read as longitudes (1,900 km) are told in the same note."""
    rng = np.random.default_rng(5)
    n = 600
    p = tmp_path / "xinjiang.csv"
    pd.DataFrame({
        "time": pd.date_range("2019-01-01", periods=n, freq="3h").strftime("%Y-%m-%d %H:%M"),
        "lon": np.round(rng.uniform(75.5, 94.0, n), 5),
        "lat": np.round(rng.uniform(36.5, 47.0, n), 5)}).to_csv(p, index=False)
    got = ingest(p)
    assert len(got.table) == n
    said = [x for x in got.report.notes if "spread over" in x]
    assert len(said) == 1 and "as wide as a province's" in said[0]
    km = float(said[0].split("spread over ")[1].split(" km")[0].replace(",", ""))
    assert 1_500 < km < 5_000
    q = tmp_path / "chicago.csv"
    df = _chicago_like()
    df["district"] = df.district + 0.5  # not whole: the kind test cannot tell
    df.to_csv(q, index=False)
    got = ingest(q, columns={"time": "date", "lon": "district", "lat": "latitude"})
    assert any("spread over" in x and "(district from " in x for x in got.report.notes)


def test_a_few_far_rows_do_not_make_a_file_too_wide(tmp_path: Path) -> None:
    """The spread is that of the middle 90 %: a few rows in another country (a place of
    their own, kept by the far-row test) do not refuse a city's file."""
    df = _chicago_like(400)
    df.loc[:9, ["longitude", "latitude"]] = np.column_stack([  # ten rows around Los Angeles
        np.linspace(-118.30, -118.20, 10), np.linspace(34.00, 34.10, 10)])
    p = tmp_path / "chicago.csv"
    df.to_csv(p, index=False)
    got = ingest(p, columns={"time": "date"})
    assert len(got.table) == len(df) and not any("spread over" in n for n in got.report.notes)
