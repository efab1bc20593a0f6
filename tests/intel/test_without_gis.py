"""Without the gis extra (pyogrio), GIS incident files and polygons are refused with what to
install, not a bare ModuleNotFoundError (a review, on a core install: `intel forecast
montreal_events.gpkg` gave a traceback)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xunfang.intel import IngestError, ingest
from xunfang.intel.units import UnitsError, polygons_from_file

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>A</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>103.2,29.2 103.3,29.2 103.3,29.3 103.2,29.2
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""


@pytest.fixture
def no_pyogrio(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "pyogrio" or m.startswith("pyogrio.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyogrio", None)  # import pyogrio: ImportError


def test_a_gis_incident_file_says_to_install_the_gis_extra(tmp_path: Path,
                                                           no_pyogrio: None) -> None:
    gj = tmp_path / "inc.geojson"
    gj.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(IngestError, match=r"inc\.geojson: reading GIS layers needs pyogrio: "
                       r"pip install 'xunfang\[gis\]'"):
        ingest(gj)


def test_kml_polygons_say_to_install_the_gis_extra(tmp_path: Path, no_pyogrio: None) -> None:
    kml = tmp_path / "districts.kml"
    kml.write_text(KML, encoding="utf-8")
    with pytest.raises(UnitsError, match=r"needs pyogrio: pip install 'xunfang\[gis\]'"):
        polygons_from_file(kml, crs="EPSG:32648")
