"""Coordinates: CRS parsing, UTM choice, and the Chinese web-map datums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xunfang import geo

china_lon = st.floats(min_value=73.6, max_value=134.8)
china_lat = st.floats(min_value=18.2, max_value=53.5)


def test_known_gcj02_offset() -> None:
    # Tiananmen, WGS 84 → GCJ-02: the published offset is about +0.0062° lon, +0.0014° lat
    lon, lat = geo.wgs84_to_gcj02(np.array([116.391349]), np.array([39.907375]))
    assert lon[0] - 116.391349 == pytest.approx(0.00624, abs=2e-4)
    assert lat[0] - 39.907375 == pytest.approx(0.00140, abs=2e-4)


@given(china_lon, china_lat)
def test_gcj02_round_trip(lon: float, lat: float) -> None:
    g = geo.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    w = geo.gcj02_to_wgs84(*g)
    assert abs(w[0][0] - lon) < 1e-7 and abs(w[1][0] - lat) < 1e-7


@given(china_lon, china_lat)
def test_bd09_round_trip(lon: float, lat: float) -> None:
    b = geo.gcj02_to_bd09(np.array([lon]), np.array([lat]))
    g = geo.bd09_to_gcj02(*b)
    assert abs(g[0][0] - lon) < 1e-7 and abs(g[1][0] - lat) < 1e-7


def test_to_wgs84_rejects_unknown_datum() -> None:
    with pytest.raises(ValueError, match="unknown lon/lat datum 'mars'"):
        geo.to_wgs84(np.array([1.0]), np.array([2.0]), "mars")  # type: ignore[arg-type]


def test_utm_zone() -> None:
    assert geo.utm_crs_for(103.26, 29.23) == "EPSG:32648"
    assert geo.utm_crs_for(-76.57, 39.28) == "EPSG:32618"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("local", ("local", False)), ("EPSG:4326", ("EPSG:4326", True)),
     ("epsg:32648", ("EPSG:32648", False))],
)
def test_parse_crs(text: str, expected: tuple[str, bool]) -> None:
    assert geo.parse_crs(text) == expected


def test_parse_crs_rejects_feet_and_nonsense() -> None:
    with pytest.raises(ValueError, match=r"in 'US survey foot', and xunfang computes in metres"):
        geo.parse_crs("EPSG:2227")  # California zone 3, US survey feet
    with pytest.raises(ValueError, match="unknown CRS 'nonsense'"):
        geo.parse_crs("nonsense")


def test_local_projector_refuses_lonlat() -> None:
    with pytest.raises(ValueError, match="no georeference"):
        geo.Projector("local").to_xy(np.array([1.0]), np.array([2.0]))


def test_a_tight_area_margin_for_zones_made_for_their_places() -> None:
    """UTM, MGA, MTM and Gauss-Krüger strips are used past their edges (5 degrees allowed);
    a state plane or a national grid holds its places (0.1): Denver's Colorado Central feet
    given as Colorado North fell 0.23 degrees past its north edge and were kept."""
    for crs in ("EPSG:32650", "EPSG:4549", "EPSG:31468", "EPSG:32188", "EPSG:28355"):
        assert geo.area_margin(crs) == geo.AREA_MARGIN, crs
    for crs in ("EPSG:2231", "EPSG:3435", "EPSG:27700", "EPSG:6677", "EPSG:2056"):
        assert geo.area_margin(crs) == geo.AREA_MARGIN_TIGHT, crs
    x, y = geo.reproject(np.array([-104.95]), np.array([39.73]), "EPSG:4326", "EPSG:2232")
    off = geo.misplaced(x, y, "EPSG:2231")
    assert off is not None and off.area is not None and off.margin == geo.AREA_MARGIN_TIGHT
    assert 41.1 < off.lat < 41.4 and off.near[0].startswith("EPSG:2232 (NAD83 / Colorado Central")
    assert geo.misplaced(x, y, "EPSG:2232") is None
