"""Coordinates: the working planar CRS, projections, and China's web-map datums.

Every stage computes in planar metres. Lon/lat input is projected to the UTM zone of the data;
a projected EPSG code is used as it is; ``local`` is a planar system with no georeference.

GCJ-02 ("Mars coordinates") and BD-09 are the obfuscated datums of Chinese web maps. No
maintained PyPI package converts them (the ones that exist, e.g. ``eviltransform`` and
``coord-convert``, last changed in 2018-2019 and ship no inverse within a stated accuracy), so
the published forward formulas are written out below and inverted by fixed-point iteration to
better than 1e-7 degrees (≈ 1 cm), which the tests check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from pyproj import CRS as ProjCRS
from pyproj import Proj, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import CRSInfo, query_crs_info, query_utm_crs_info
from pyproj.enums import PJType

FloatArray = npt.NDArray[np.float64]
Datum = Literal["wgs84", "gcj02", "bd09"]
DATUMS: tuple[Datum, ...] = ("wgs84", "gcj02", "bd09")


def utm_crs_for(lon: float, lat: float) -> str:
    """The WGS 84 UTM zone (``"EPSG:n"``) that holds the point."""
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(lon, lat, lon, lat),
    )
    if not infos:
        raise ValueError(f"no UTM zone found for lon={lon}, lat={lat}")
    return f"EPSG:{infos[0].code}"


def parse_crs(text: str, *, any_unit: bool = False) -> tuple[str, bool]:
    """Normalise a declared CRS. Returns ``(crs, geographic)``; ``local`` is planar.

    Raises ``ValueError`` naming the value where pyproj does not know it, or (unless
    ``any_unit``: input that is reprojected, see :func:`computes_in_utm`) where a projected
    CRS's unit is not the metre.
    """
    if text.strip().lower() == "local":
        return "local", False
    try:
        crs = ProjCRS.from_user_input(text)
    except Exception as exc:  # pyproj raises its own CRSError; say what we were given
        raise ValueError(f"unknown CRS {text!r} (use 'local' or an EPSG code): {exc}") from exc
    auth = crs.to_authority(min_confidence=70)
    name = f"{auth[0]}:{auth[1]}" if auth is not None else crs.to_wkt()
    if crs.is_geographic:
        return name, True
    if not crs.is_projected:
        raise ValueError(f"CRS {text!r} is neither projected nor geographic")
    if not any_unit and not _metres(crs):
        unit = crs.axis_info[0].unit_name
        raise ValueError(
            f"CRS {crs.name!r} ({name}) has coordinates in {unit!r}, and xunfang computes in "
            "metres; reproject the data to a metre CRS first (for example ogr2ogr -t_srs EPSG:<utm "
            "zone> out.gpkg in.gpkg) or give it in lon/lat"
        )
    return name, False


def _metres(crs: ProjCRS) -> bool:
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    return unit in ("metre", "meter", "m")


@dataclass(frozen=True)
class CrsArea:
    """Where a CRS is meant to be used (degrees; ``west > east`` across the antimeridian)."""

    name: str
    west: float
    south: float
    east: float
    north: float


def area_of_use(crs: str) -> CrsArea | None:
    """Where a CRS is meant to be used, by pyproj's database (``None``: not recorded)."""
    if crs == "local":
        return None
    a = ProjCRS.from_user_input(crs).area_of_use
    if a is None:
        return None
    # the database's names run on ("Between 84°W and 78°W, northern hemisphere … onshore and
    # offshore. Bahamas. Ecuador - north of equator. Canada - …"): their first sentence
    name = (a.name or "its area").split(". ")[0].rstrip(".")
    return CrsArea(name, a.west, a.south, a.east, a.north)


# degrees by which data's middle may lie outside a projected CRS's area of use: a zone of
# meridian strips (UTM, MGA, MTM, Gauss-Krüger: ZONE_STRIPS) AREA_MARGIN (a city just beyond
# its UTM zone's edge is common: Roswell 3.5 degrees east of 12N), any other (a state plane,
# a national grid, Japan's plane rectangular zones, whose areas hold the places they were
# made for) AREA_MARGIN_TIGHT: an audit found Denver's Colorado Central feet given as
# Colorado North (EPSG:2231) stored at 41.24°N, 0.23 degrees past that zone's north edge
AREA_MARGIN = 5.0
AREA_MARGIN_TIGHT = 0.1
ZONE_STRIPS = re.compile(r"UTM zone|MGA zone|MTM zone|Gauss[- ]Kr[uü]ger|\bGK\b|[36]-degree",
                         re.IGNORECASE)


def area_margin(crs: str) -> float:
    """The degrees by which data's middle may lie outside ``crs``'s area of use (see
    :data:`AREA_MARGIN`)."""
    return AREA_MARGIN if ZONE_STRIPS.search(ProjCRS.from_user_input(crs).name) else (
        AREA_MARGIN_TIGHT)
# degrees of latitude by which a CRS in feet must place a metre CRS's misplaced middle
# farther from the equator than the metre CRS does, to be taken as the numbers' CRS: feet
# read as metres fall far toward the equator (state-plane northings run from an origin near
# the state, UTM's from the equator): Chicago's in 16N by 17.7 to 24.9 degrees, New York's
# in 18N 38.9, Miami's in 17N 21.1, Seattle's in 10N 40.4. Genuine metres past their zone
# that a feet CRS also places lie within 8.1 (Roswell in 12N; Lufkin, Texarkana, Shreveport
# in 14N 1.7 to 3.2; Shenzhen in 49N by Borneo's feet 15.7 toward the equator). Reviews
# found genuine cities refused when any feet CRS that fitted counted, and Miami's feet
# stored unsaid when only a degree past the zone was tested.
FEET_LAT_GAP = 12.0


@dataclass(frozen=True)
class Misplaced:
    """Where a projected CRS puts data's middle when it is not the data's CRS: nowhere
    (``lon``/``lat`` NaN: outside the projection), or outside its ``area`` of use."""

    x: float  # the middle as given
    y: float
    lon: float
    lat: float
    area: CrsArea | None
    # feet CRSs (``"EPSG:n name"``) that place the middle inside their own area of use, where
    # the metre CRS puts it just outside its own: feet read as metres
    feet: tuple[str, ...] = ()
    # CRSs in the same unit near ``area`` (``"EPSG:n (name)"``) that place the middle inside
    # their own area of use: a neighbouring zone's numbers (only for a CRS of a tight margin)
    near: tuple[str, ...] = ()
    margin: float = AREA_MARGIN  # the degrees past ``area`` that were allowed


def misplaced(xs: npt.ArrayLike, ys: npt.ArrayLike, crs: str) -> Misplaced | None:
    """Whether x, y cannot be in ``crs``: it cannot place their middle (a Gauss-Krüger zone's
    x with or without the zone number in front: 38 424 204 against 424 204), or its area of
    use (by pyproj's database) lies more than :func:`area_margin` degrees from where it puts
    it (another zone, x and y swapped), or it puts the middle outside its area of use within
    that margin and a CRS in feet whose area meets it places the middle inside its own, far
    from the equator of where the metre CRS does (:data:`FEET_LAT_GAP`; see
    :func:`feet_crs_for`: state-plane feet read as UTM metres, which a review found put
    Chicago 3 degrees east of zone 16N and New York 1.5 east of 18N, both within the
    margin); None where it can."""
    mx, my = float(np.median(np.asarray(xs))), float(np.median(np.asarray(ys)))
    lon, lat = reproject(np.array([mx]), np.array([my]), crs, "EPSG:4326")
    x, y = float(lon[0]), float(lat[0])
    if not (np.isfinite(x) and np.isfinite(y)):
        return Misplaced(mx, my, math.nan, math.nan, None)
    area = area_of_use(crs)
    if area is None:
        return None
    margin = area_margin(crs)
    if not _within(area, x, y, margin):
        near = fitting_crs_for(mx, my, crs, area) if margin < AREA_MARGIN else ()
        return Misplaced(mx, my, x, y, area, near=near, margin=margin)
    if _within(area, x, y) or not _metres(ProjCRS.from_user_input(crs)):
        return None
    feet = feet_crs_for(mx, my, area, beyond_lat=y)
    return Misplaced(mx, my, x, y, area, feet) if feet else None


def _within(area: CrsArea, lon: float, lat: float, margin: float = 0.0) -> bool:
    """Whether (lon, lat) lies in ``area`` widened by ``margin`` degrees on every side (its
    longitudes either way round the antimeridian)."""
    m = margin
    span = (area.east - area.west) % 360 if area.east != area.west + 360 else 360.0
    return (area.south - m <= lat <= area.north + m
            and (span + 2 * m >= 360 or (lon - (area.west - m)) % 360 <= span + 2 * m))


def inside_area(xs: npt.ArrayLike, ys: npt.ArrayLike, crs: str) -> bool:
    """Whether ``crs`` places the middle of x, y inside its area of use (no margin; False
    where it cannot place it or records no area)."""
    mx, my = float(np.median(np.asarray(xs))), float(np.median(np.asarray(ys)))
    lon, lat = reproject(np.array([mx]), np.array([my]), crs, "EPSG:4326")
    area = area_of_use(crs)
    x, y = float(lon[0]), float(lat[0])
    return area is not None and math.isfinite(x) and math.isfinite(y) and _within(area, x, y)


#: a CRS in feet by its name ("… (ftUS)", "… (ft)")
_FEET_NAME = re.compile(r"\(ft[A-Za-z]*\)")


def _placing(x: float, y: float, aoi: AreaOfInterest, keep: Callable[[CRSInfo], bool]
             ) -> Iterator[tuple[CRSInfo, float, float]]:
    """The EPSG projected CRSs used in ``aoi`` (not deprecated, with an area of use, and
    ``keep(info)``) that place ``x``, ``y`` inside their own area of use, each with the
    longitude and latitude it gives them: by the projection alone (no datum shift)."""
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS,
                               contains=False, area_of_interest=aoi):
        a = info.area_of_use
        if info.deprecated or a is None or not keep(info):
            continue
        try:
            lon, lat = Proj(ProjCRS.from_epsg(int(info.code)))(x, y, inverse=True)
        except Exception:  # a CRS pyproj cannot build here: no candidate
            continue
        if (math.isfinite(lon) and math.isfinite(lat) and a.west <= lon <= a.east
                and a.south <= lat <= a.north):
            yield info, lon, lat


def feet_crs_for(x: float, y: float, area: CrsArea, beyond_lat: float | None = None
                 ) -> tuple[str, ...]:
    """The EPSG CRSs in feet (US state planes and their like) that place ``x``, ``y`` inside
    their own area of use and inside ``area`` (the region of the metre CRS given, which its
    user chose for the data), as ``"EPSG:n (name)"``, NAD83's first. By the projection
    alone (no datum shift: metres do not matter here); the 259 candidates of a UTM zone take
    0.2 s (measured), and only data outside its CRS's area asks. ``beyond_lat``: the
    latitude the metre CRS puts the middle at; only CRSs that place it
    :data:`FEET_LAT_GAP` farther from the equator count."""
    found: list[tuple[bool, str]] = []
    for info, lon, lat in _placing(
            x, y, AreaOfInterest(area.west, area.south, area.east, area.north),
            lambda info: bool(_FEET_NAME.search(info.name))):
        if beyond_lat is not None and not abs(lat) >= abs(beyond_lat) + FEET_LAT_GAP:
            continue  # not where feet read as metres come from (see FEET_LAT_GAP)
        if _within(area, lon, lat):
            found.append((not info.name.startswith("NAD83 /"),
                          f"EPSG:{info.code} ({info.name})"))
    return tuple(name for _, name in sorted(found))


def fitting_crs_for(x: float, y: float, crs: str, area: CrsArea, within: float = 3.0
                    ) -> tuple[str, ...]:
    """The EPSG projected CRSs, in the unit of ``crs`` (feet or not, by name) and used within
    ``within`` degrees of its ``area``, that place ``x``, ``y`` inside their own area of use,
    as ``"EPSG:n (name)"``, those of ``crs``'s datum first, then those placing them nearest
    ``area``: the zone a file's numbers are likelier in (Denver's Colorado Central feet
    given as Colorado North). By the projection alone, as :func:`feet_crs_for`; asked only
    where data lies outside its CRS's area."""
    given = ProjCRS.from_user_input(crs)
    datum = given.name.split(" / ")[0]
    feet = bool(_FEET_NAME.search(given.name))
    own = given.to_epsg()
    w = within
    aoi = AreaOfInterest(max(area.west - w, -180.0), max(area.south - w, -90.0),
                         min(area.east + w, 180.0), min(area.north + w, 90.0))
    found: list[tuple[bool, float, int, str]] = []
    for info, lon, lat in _placing(
            x, y, aoi, lambda info: (bool(_FEET_NAME.search(info.name)) == feet
                                     and info.code.isdigit() and int(info.code) != own)):
        # nearest the area of ``crs`` first: a neighbouring zone's numbers land beside it
        off = math.hypot(max(area.south - lat, 0.0, lat - area.north),
                         max(area.west - lon, 0.0, lon - area.east)
                         if area.west <= area.east else 0.0)
        found.append((info.name.split(" / ")[0] != datum, round(off, 1), int(info.code),
                      f"EPSG:{info.code} ({info.name})"))
    return tuple(name for *_, name in sorted(found))


def computes_in_utm(crs: str) -> bool:
    """True for a projected CRS whose distances are not ground metres: one in feet (US state
    planes, EPSG:3435) or a Mercator (see :func:`stretches_distances`). Data given in such a
    CRS is reprojected to its local UTM zone."""
    if crs == "local":
        return False
    parsed = ProjCRS.from_user_input(crs)
    return parsed.is_projected and (not _metres(parsed) or stretches_distances(crs))


def choose_layer(listed: Sequence[Sequence[object]], layer: str | None, geometry: str) -> str:
    """Which layer of a GIS file to read, from its layers as ``pyogrio.list_layers`` gives
    them (name, geometry type): the one named, else the file's only layer, else its only layer
    of ``geometry`` (``"point"``, ``"linestring"``, matched in the type's name).

    Raises :class:`LayerChoiceError` (with the layers described) when the named layer does not
    exist or the choice is not clear; callers word the message for their own option."""
    names = [str(row[0]) for row in listed]
    described = ", ".join(f"{row[0]} ({row[1]})" for row in listed) or "(none)"
    if layer is not None:
        if layer not in names:
            raise LayerChoiceError("missing", names, described)
        return layer
    if len(names) == 1:
        return names[0]
    of_kind = [str(row[0]) for row in listed if geometry in str(row[1]).lower()]
    if len(of_kind) == 1:
        return of_kind[0]
    raise LayerChoiceError("ambiguous", names, described)


class LayerChoiceError(ValueError):
    """No layer could be chosen: ``reason`` is ``missing`` (the named one does not exist) or
    ``ambiguous`` (several layers and no name)."""

    def __init__(self, reason: str, names: list[str], described: str) -> None:
        super().__init__(f"{reason} layer; the layers are: {described}")
        self.reason = reason
        self.names = names
        self.described = described

    def explain(self, option: str, given: str | None, what: str, source: str) -> str:
        """The message for a command-line ``option`` (e.g. ``--layer``) that chose (``given``)
        or should choose the ``what`` layer (e.g. "road") of ``source``."""
        if self.reason == "missing":
            return (f"{option} {given!r}: {source} has no such layer; its layers are: "
                    f"{self.described}")
        return (f"{option}: {source} holds {len(self.names)} layers; name the {what} layer "
                f"with {option} (the layers are: {self.described})")


def stretches_distances(crs: str) -> bool:
    """True for Mercator-family CRSs (EPSG:3857 web maps, EPSG:3395) whose metres are not
    ground metres: a distance is stretched by 1/cos(latitude), 30 % at Beijing. Data in such a
    CRS is read as lon/lat and computed in its UTM zone instead."""
    if crs == "local":
        return False
    op = ProjCRS.from_user_input(crs).coordinate_operation
    method = (op.method_name if op is not None else "").lower()
    return "mercator" in method and "transverse" not in method


@dataclass(frozen=True)
class Projector:
    """Converts between WGS 84 lon/lat and a working planar CRS in metres."""

    working: str

    def _forward(self) -> Transformer:
        return Transformer.from_crs("EPSG:4326", self.working, always_xy=True)

    def _inverse(self) -> Transformer:
        return Transformer.from_crs(self.working, "EPSG:4326", always_xy=True)

    def to_xy(self, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
        if self.working == "local":
            raise ValueError("a 'local' CRS has no georeference: lon/lat cannot be placed in it")
        x, y = self._forward().transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def to_lonlat(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        if self.working == "local":
            raise ValueError("a 'local' CRS has no georeference: no lon/lat for its points")
        lon, lat = self._inverse().transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon, float), np.asarray(lat, float)


def reproject(x: FloatArray, y: FloatArray, src: str, dst: str) -> tuple[FloatArray, FloatArray]:
    """Planar or geographic coordinates from ``src`` to ``dst`` (lon/lat order for geographic)."""
    if src == dst:
        return np.asarray(x, float), np.asarray(y, float)
    t = Transformer.from_crs(src, dst, always_xy=True)
    a, b = t.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(a, float), np.asarray(b, float)


# --- GCJ-02 / BD-09 --------------------------------------------------------------------------
_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formulas
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _gcj_delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lon - 105.0
    y = lat - 35.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: FloatArray,
    lat: FloatArray,
    guess: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(x) = (lon, lat)`` by fixed-point iteration from ``guess``.

    The datum shifts are small and smooth (their derivative is far below 1), so each step cuts
    the error by orders of magnitude; 1e-10 degrees is reached in a few steps.
    """
    tlon = np.asarray(lon, float)
    tlat = np.asarray(lat, float)
    xlon, xlat = guess
    for _ in range(30):
        flon, flat = forward(xlon, xlat)
        elon, elat = flon - tlon, flat - tlat
        xlon = xlon - elon
        xlat = xlat - elat
        if np.all(np.abs(elon) < 1e-10) and np.all(np.abs(elat) < 1e-10):
            break
    return xlon, xlat


def gcj02_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`wgs84_to_gcj02` (error < 1e-9 degrees)."""
    start = (np.asarray(lon, float).copy(), np.asarray(lat, float).copy())
    return _invert(wgs84_to_gcj02, lon, lat, start)


def gcj02_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lon, float)
    y = np.asarray(lat, float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`gcj02_to_bd09`: the published closed form (good to ~1e-5°), then
    refined by fixed-point iteration on the forward formula to better than 1e-9°."""
    blon = np.asarray(lon, float)
    blat = np.asarray(lat, float)
    x = blon - 0.0065
    y = blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _invert(gcj02_to_bd09, blon, blat, (z * np.cos(theta), z * np.sin(theta)))


# the box the published GCJ-02 formulas (eviltransform, coordtransform) shift points in:
# outside it they leave a point as it is, since China's web maps use WGS 84 there
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)


def in_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    """The points inside the box where GCJ-02 and BD-09 differ from WGS 84 (see
    :data:`CHINA_LON`); the formulas leave the others unchanged."""
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    return np.asarray((lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1])
                      & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1]), dtype=bool)


def to_wgs84(lon: FloatArray, lat: FloatArray, datum: Datum) -> tuple[FloatArray, FloatArray]:
    """Lon/lat in ``datum`` converted to WGS 84. As in the published formulas, a point outside
    China (:func:`in_china`) is not shifted: the datums are used only there (a caller that
    takes such a point for an error, as ingestion does, finds it with :func:`in_china`)."""
    return _in_china_only(lon, lat, datum, _shifted)


def from_wgs84(lon: FloatArray, lat: FloatArray, datum: Datum) -> tuple[FloatArray, FloatArray]:
    """WGS 84 lon/lat in ``datum`` (the inverse of :func:`to_wgs84`): for drawing on a Chinese
    web map (高德/腾讯 in GCJ-02, 百度 in BD-09). Points outside China are not shifted."""
    return _in_china_only(lon, lat, datum, _unshifted)


Shift = Callable[[FloatArray, FloatArray, Datum], tuple[FloatArray, FloatArray]]


def _in_china_only(lon: FloatArray, lat: FloatArray, datum: Datum,
                   shift: Shift) -> tuple[FloatArray, FloatArray]:
    """``shift`` applied to the points in China, the others as they are (``wgs84``: all)."""
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    if datum == "wgs84":
        return lon, lat
    if datum not in DATUMS:
        raise ValueError(f"unknown lon/lat datum {datum!r}; use one of {', '.join(DATUMS)}")
    inside = in_china(lon, lat)
    if inside.all():
        return shift(lon, lat, datum)
    out_lon, out_lat = lon.copy(), lat.copy()
    if inside.any():
        out_lon[inside], out_lat[inside] = shift(lon[inside], lat[inside], datum)
    return out_lon, out_lat


def _unshifted(lon: FloatArray, lat: FloatArray, datum: Datum) -> tuple[FloatArray, FloatArray]:
    a, b = wgs84_to_gcj02(lon, lat)
    return gcj02_to_bd09(a, b) if datum == "bd09" else (a, b)


def _shifted(lon: FloatArray, lat: FloatArray, datum: Datum) -> tuple[FloatArray, FloatArray]:
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
