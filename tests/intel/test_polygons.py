"""Polygon files as users bring them (a review's cases): drawn on a Chinese web map, a name
field empty in some features, an empty or flat polygon, no CRS, a KML of folders, a folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyogrio.raw import write as raw_write
from pyproj import Transformer
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import UnitsError, open_incidents
from xunfang.intel import units as U
from xunfang.intel.sources import units_for

runner = CliRunner()
UTM16 = "EPSG:32616"  # Chicago's UTM zone, the working CRS of these tests


def _feature(props: dict[str, object], geom: shapely.Geometry) -> dict[str, object]:
    return {"type": "Feature", "properties": props,
            "geometry": json.loads(shapely.to_geojson(geom))}


def _geojson(path: Path, feats: list[dict[str, object]], **members: object) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats, **members}))
    return path


def _gpkg(path: Path, geoms: list[shapely.Geometry], names: list[object],
          crs: str | None) -> Path:
    import warnings

    with warnings.catch_warnings():  # pyogrio's: "'crs' was not provided" (the case tested)
        warnings.simplefilter("ignore", UserWarning)
        raw_write(path, np.array(shapely.to_wkb(np.array(geoms, dtype=object)), dtype=object),
                  field_data=[np.asarray(names, dtype=object)], fields=["name"], crs=crs,
                  geometry_type="Polygon", driver="GPKG", layer=path.stem)
    return path


def _boxes(n: int, x: float = -87.70, y: float = 41.85, d: float = 0.01
           ) -> list[shapely.Geometry]:
    return [shapely.box(x + d * i, y, x + d * (i + 1), y + d) for i in range(n)]


def test_gcj02_polygons_written_by_a_forecast_read_back_where_they_were(
        tmp_path: Path) -> None:
    """A forecast's --geojson in GCJ-02 (its "coords" member says so) read back as
    --polygons was taken for WGS 84, some 500 m off: only 55.5 % of Chengdu's incidents fell
    in their own cell (a review). The member is honoured, and --polygons-coords names the
    datum of a file without one."""
    rng = np.random.default_rng(3)
    n = 600
    csv = tmp_path / "cd.csv"
    pd.DataFrame({"time": pd.date_range("2024-01-01", periods=n, freq="5h").strftime(
        "%Y-%m-%d %H:%M"), "lon": 104.06 + rng.uniform(-0.04, 0.04, n),
        "lat": 30.65 + rng.uniform(-0.04, 0.04, n)}).to_csv(csv, index=False)
    layer = tmp_path / "c.geojson"
    res = runner.invoke(app, ["intel", "forecast", str(csv), "--coords", "gcj02", "--cell-m",
                              "1000", "--method", "naive", "--geojson", str(layer)])
    assert res.exit_code == 0, res.output
    doc = json.loads(layer.read_text())
    assert doc["coords"] == "gcj02"
    table = open_incidents(csv, coords="gcj02").table
    cells = U.cells(table.xy, 1000.0, occupied=True)
    own = np.asarray(cells.ids)[cells.assign(table.xy)]

    def in_own_cell(units: U.Units) -> float:
        got = units.assign(table.xy)
        return float(np.mean(np.where(got >= 0, np.asarray(units.ids)[got], "") == own))

    back = U.polygons_from_file(layer, crs=table.crs, id_field="unit")
    assert in_own_cell(back) > 0.99
    # without the member: WGS 84 by default (said beside GCJ-02 incidents), the option
    # names the datum
    bare = _geojson(tmp_path / "bare.geojson", doc["features"])
    plain = U.polygons_from_file(bare, crs=table.crs, id_field="unit", incidents_coords="gcj02")
    assert in_own_cell(plain) < 0.8
    assert any("--polygons-coords gcj02" in note for note in plain.notes)
    told = U.polygons_from_file(bare, crs=table.crs, id_field="unit", coords="gcj02")
    assert in_own_cell(told) > 0.99 and not told.notes
    # the option overrides the member
    assert in_own_cell(U.polygons_from_file(layer, crs=table.crs, id_field="unit",
                                            coords="wgs84")) < 0.8
    with pytest.raises(UnitsError, match="--polygons-coords must be one of wgs84, gcj02, bd09"):
        U.polygons_from_file(layer, crs=table.crs, coords="amap")
    # the command line passes the option through
    res = runner.invoke(app, ["intel", "forecast", str(csv), "--coords", "gcj02", "--method",
                              "naive", "--polygons", str(bare), "--polygons-id", "unit",
                              "--polygons-coords", "gcj02", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["incidents_on_no_unit"] == 0


def test_a_datum_is_for_lon_lat_polygons(tmp_path: Path) -> None:
    t = Transformer.from_crs(4326, UTM16, always_xy=True)
    utm = [shapely.transform(b, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))
           for b in _boxes(2)]
    path = _gpkg(tmp_path / "utm.gpkg", utm, ["a", "b"], UTM16)
    with pytest.raises(UnitsError, match=r"--polygons-coords gcj02: .* is in EPSG:32616, "
                       "not lon/lat"):
        U.polygons_from_file(path, crs=UTM16, coords="gcj02")
    # --polygons-crs over a file's own CRS: said
    assert not U.polygons_from_file(path, crs=UTM16, src_crs=UTM16).notes
    over = U.polygons_from_file(path, crs=UTM16, src_crs="EPSG:26916")
    assert over.notes == (f"{path} declares EPSG:32616; read in EPSG:26916 (--polygons-crs) "
                          "instead",)


def test_an_id_field_empty_in_some_features_is_refused(tmp_path: Path) -> None:
    """Features without a value in --polygons-id were merged into one unit called 'nan'
    (two of Chicago's districts), or the whole file into one (a KML's empty description)."""
    b = _boxes(4)
    path = _geojson(tmp_path / "d.geojson", [
        _feature({"NAME": "D1", "num": 1}, b[0]), _feature({"NAME": None, "num": 2}, b[1]),
        _feature({"NAME": " ", "num": 3}, b[2]), _feature({"NAME": "D4", "num": 4}, b[3])])
    with pytest.raises(UnitsError, match=r"--polygons-id NAME: every polygon needs a value .*"
                       r"2 of the 4 features have none: feature 2, feature 3; fields with a "
                       r"value in every feature: num"):
        U.polygons_from_file(path, crs=UTM16, id_field="NAME")
    nothing = _geojson(tmp_path / "n.geojson", [
        _feature({"name": "A", "description": None}, g) for g in b[:2]])
    with pytest.raises(UnitsError, match=r"--polygons-id description: .*no feature has one"):
        U.polygons_from_file(nothing, crs=UTM16, id_field="description")
    # a field with a value in every feature: taken
    assert U.polygons_from_file(path, crs=UTM16, id_field="num").ids == ("1", "2", "3", "4")


def test_an_empty_or_flat_polygon_is_refused_by_name(tmp_path: Path) -> None:
    """An empty polygon crashed kde and evaluate ("arange: cannot compute length": its
    representative point was missing); a flat one (its points on a line) became a unit of
    about 40 m² once its line of latitude was reprojected."""
    b = _boxes(3)
    empty = _gpkg(tmp_path / "e.gpkg", [b[0], b[1], shapely.Polygon()], ["a", "b", "d"],
                  "EPSG:4326")
    with pytest.raises(UnitsError, match=r"feature 3 \('d'\) has an empty geometry"):
        U.polygons_from_file(empty, crs=UTM16)
    x, y = -87.65, 41.85
    flat = shapely.Polygon([(x, y), (x + 0.01, y), (x + 0.02, y), (x, y)])
    path = _geojson(tmp_path / "f.geojson", [_feature({"name": "A"}, b[0]),
                                             _feature({"name": "Z"}, flat)])
    with pytest.raises(UnitsError, match=r"feature 2 \('Z'\) has no area"):
        U.polygons_from_file(path, crs=UTM16)
    # built directly (a scenario's grids): refused before its representative points are short
    with pytest.raises(UnitsError, match="polygon 'z' without area"):
        U.polygons(("a", "z"), (shapely.box(0, 0, 1, 1), shapely.Polygon()))


def test_a_file_without_a_crs_must_be_lon_lat_or_be_given_one(tmp_path: Path) -> None:
    """A GeoPackage of undefined SRS (a shapefile without its .prj) was taken for lon/lat:
    projected metres then lay off the earth and no incident fell in any polygon."""
    t = Transformer.from_crs(4326, UTM16, always_xy=True)
    lonlat = _boxes(2)
    utm = [shapely.transform(g, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))
           for g in lonlat]
    path = _gpkg(tmp_path / "nocrs.gpkg", utm, ["a", "b"], None)
    with pytest.raises(UnitsError, match=r"nocrs.gpkg: the polygon file has no CRS .* its "
                       r"coordinates are not lon/lat .*--polygons-crs EPSG:NNNN"):
        U.polygons_from_file(path, crs=UTM16)
    given = U.polygons_from_file(path, crs=UTM16, src_crs=UTM16)
    inside = np.array([shapely.get_coordinates(shapely.point_on_surface(g))[0] for g in utm])
    np.testing.assert_array_equal(given.assign(inside), [0, 1])
    with pytest.raises(UnitsError, match="--polygons-crs: unknown CRS 'EPSG:0'"):
        U.polygons_from_file(path, crs=UTM16, src_crs="EPSG:0")
    # lon/lat without a CRS: read so, and said
    degrees = U.polygons_from_file(_gpkg(tmp_path / "deg.gpkg", lonlat, ["a", "b"], None),
                                   crs=UTM16)
    np.testing.assert_array_equal(degrees.assign(inside), [0, 1])
    assert "declares no CRS" in degrees.notes[0]
    # a --polygons-… option without --polygons
    table = open_incidents("ebian").table
    with pytest.raises(UnitsError, match="--polygons-crs needs --polygons FILE"):
        units_for("cells", table, None, polygons_crs=UTM16)


KML_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
            "<Document><name>test</name>")


def _placemark(name: str, geom: shapely.Geometry) -> str:
    if geom.geom_type == "Point":
        body = f"<Point><coordinates>{geom.x},{geom.y}</coordinates></Point>"
    elif geom.geom_type == "LineString":
        body = ("<LineString><coordinates>" + " ".join(f"{x},{y}" for x, y in geom.coords)
                + "</coordinates></LineString>")
    else:
        body = ("<Polygon><outerBoundaryIs><LinearRing><coordinates>"
                + " ".join(f"{x},{y}" for x, y in geom.exterior.coords)
                + "</coordinates></LinearRing></outerBoundaryIs></Polygon>")
    return f"<Placemark><name>{name}</name>{body}</Placemark>"


def test_a_kml_of_folders_is_read_whole(tmp_path: Path) -> None:
    """Google Earth and My Maps put placemarks in folders, each a layer to GDAL: the file was
    refused ("holds 2 layers"). Every folder's polygons are the units; a folder of label pins
    is skipped, each pin named."""
    b = _boxes(3)
    pin = shapely.Point(-87.695, 41.855)
    path = tmp_path / "folders.kml"
    path.write_text(KML_HEAD + _placemark("A", b[0])
                    + f"<Folder><name>North</name>{_placemark('B', b[1])}"
                    f"<Folder><name>deep</name>{_placemark('C', b[2])}</Folder></Folder>"
                    f"<Folder><name>labels</name>{_placemark('label', pin)}</Folder>"
                    "</Document></kml>")
    u = U.polygons_from_file(path, crs=UTM16)
    assert sorted(u.ids) == ["A", "B", "C"]
    assert len(u.notes) == 1 and "1 placemark that is no polygon skipped" in u.notes[0]
    assert "'label'" in u.notes[0] and "folder 'labels'" in u.notes[0]
    # one folder, named
    assert U.polygons_from_file(path, crs=UTM16, layer="North").ids == ("B",)
    # a stray pin in a single-layer KML: skipped, by its name
    one = tmp_path / "mixed.kml"
    one.write_text(KML_HEAD + _placemark("A", b[0]) + _placemark("label", pin)
                   + "</Document></kml>")
    u = U.polygons_from_file(one, crs=UTM16)
    assert u.ids == ("A",) and "feature 2 ('label') (Point)" in u.notes[0]
    # a feature refused after a pin is skipped: by its number in the file
    x, y = -87.65, 41.85
    flat = shapely.Polygon([(x, y), (x + 0.01, y), (x + 0.02, y), (x, y)])
    one.write_text(KML_HEAD + _placemark("label", pin) + _placemark("A", b[0])
                   + _placemark("Z", flat) + "</Document></kml>")
    with pytest.raises(UnitsError, match=r"feature 3 \('Z'\) has no area"):
        U.polygons_from_file(one, crs=UTM16)
    # lines only: refused, by name
    lines = tmp_path / "lines.kml"
    lines.write_text(KML_HEAD + _placemark("L", shapely.LineString([(-87.7, 41.85),
                                                                  (-87.6, 41.9)]))
                     + "</Document></kml>")
    with pytest.raises(UnitsError, match=r"feature 1 \('L'\) is not a polygon \(LineString\)"):
        U.polygons_from_file(lines, crs=UTM16)


def test_a_folder_holding_one_shapefile(tmp_path: Path) -> None:
    """An unzipped shapefile's folder was 'no such file'."""
    folder = tmp_path / "districts"
    folder.mkdir()
    with pytest.raises(UnitsError, match=r"districts: a folder, holding no shapefile \(.shp\)"):
        U.polygons_from_file(folder, crs=UTM16)
    b = _boxes(2)
    raw_write(folder / "d.shp", np.array(shapely.to_wkb(np.array(b, dtype=object)),
                                         dtype=object),
              field_data=[np.array(["a", "b"], dtype=object)], fields=["name"],
              crs="EPSG:4326", geometry_type="Polygon", driver="ESRI Shapefile")
    assert U.polygons_from_file(folder, crs=UTM16).ids == ("a", "b")


def test_polygons_merged_or_numbered_are_said(tmp_path: Path) -> None:
    """A review: two districts of one name in two folders became one unit, and one blank
    name renamed every polygon 1..N, both without a word."""
    boxes = _boxes(3)
    merged = U.polygons_from_file(_gpkg(tmp_path / "one.gpkg", boxes, ["a", "a", "b"],
                                        "EPSG:4326"), crs=UTM16)
    assert merged.ids == ("a", "b")
    assert any("features of one name are one unit: 'a' (2 pieces)" in n for n in merged.notes)
    numbered = U.polygons_from_file(_gpkg(tmp_path / "blank.gpkg", boxes, ["a", None, "c"],
                                          "EPSG:4326"), crs=UTM16)
    assert numbered.ids == ("1", "2", "3")
    assert any("names every polygon (name has blanks): they are numbered 1 to 3"
               in n for n in numbered.notes)
    named = U.polygons_from_file(_gpkg(tmp_path / "fine.gpkg", boxes, ["a", "b", "c"],
                                       "EPSG:4326"), crs=UTM16)
    assert named.notes == ()
