"""Offline import of real road data into a scenario's ``network/`` folder.

Two kinds of source are read, with no network access:

* OpenStreetMap files (``.osm`` XML, ``.osm.pbf``, ``.osm.bz2``, ``.osm.gz``) through pyosmium:
  :func:`import_osm`. The ways whose ``highway`` tag fits a network type are kept; graph nodes
  are way ends and nodes shared by two or more kept ways (intersections); every edge follows
  its way between two graph nodes, and its length is the geodesic length of that polyline.
* Road centrelines of a GIS layer (GeoPackage, shapefile, GeoJSON) through pyogrio:
  :func:`import_lines`. Each line (each part of a multi-line) is an edge; its two ends are nodes,
  and ends closer than ``tolerance_m`` are merged into one node.

Both return the typed :class:`~xunfang.scenario.model.Roads` (planar metres of the working CRS)
and the :class:`~xunfang.scenario.model.CRS`; :func:`write_network` writes them as the
``nodes.csv`` + ``edges.csv`` of DESIGN.md §3, and :func:`import_network` (what the CLI calls)
does both and returns an :class:`ImportSummary`.

osmium and pyogrio are the optional extra ``gis`` (``pip install 'xunfang[gis]'``); they are
imported where used. OpenStreetMap data is © OpenStreetMap contributors, ODbL 1.0: roads
imported from it carry ``source="osm"`` and the scenario.toml written says so.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pyproj import Geod, Transformer
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from xunfang._errors import MissingDependencyError, XunfangError
from xunfang.geo import (
    LayerChoiceError,
    Projector,
    choose_layer,
    computes_in_utm,
    misplaced,
    parse_crs,
    utm_crs_for,
)
from xunfang.network import topology
from xunfang.network.topology import largest_component, weak_components
from xunfang.scenario.model import CRS, Roads

__all__ = [
    "LINE_CLASS_MAP",
    "LINE_SUFFIXES",
    "OSM_SUFFIXES",
    "ImportSummary",
    "NetworkImportError",
    "NetworkType",
    "import_lines",
    "import_network",
    "import_osm",
    "largest_component",
    "parse_maxspeed",
    "write_network",
]

NetworkType = Literal["drive", "walk", "all"]
NETWORK_TYPES: tuple[NetworkType, ...] = ("drive", "walk", "all")

OSM_SUFFIXES: tuple[str, ...] = (".osm", ".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz")
LINE_SUFFIXES: tuple[str, ...] = (".gpkg", ".shp", ".geojson", ".json")

_GEOD = Geod(ellps="WGS84")


class NetworkImportError(XunfangError, ValueError):
    """A road file cannot be imported as it is; the message names the file and the rule."""


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`import_network` wrote.

    ``nodes``, ``edges``, ``oneway_edges`` and ``total_km`` describe the network as written;
    ``components`` counts the weakly connected components of the network as imported, before
    ``largest_component`` kept only the biggest one (so a value above 1 says what was dropped).
    """

    nodes: int
    edges: int
    oneway_edges: int
    total_km: float
    crs: CRS
    components: int
    scenario_dir: Path
    source: Path
    #: rows of the scenario's tables whose ``node`` the new network lacks (written anyway only
    #: with ``force``; otherwise the import is refused)
    missing_node_refs: int = 0


# --- OpenStreetMap ---------------------------------------------------------------------------

#: ``highway`` values a car may use (the drive network).
DRIVE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
        "tertiary_link",
        "living_street",
        "service",
        "road",
    }
)
#: ``highway`` values that are not (or no longer, or not yet) a road: skipped by every type.
NOT_ROADS: frozenset[str] = frozenset(
    {
        "proposed",
        "construction",
        "abandoned",
        "disused",
        "planned",
        "razed",
        "demolished",
        "no",
        "raceway",
        "bus_guideway",
        "escape",
        "emergency_bay",
        "rest_area",
        "services",
        "platform",
        "elevator",
        "bus_stop",
    }
)
#: ``highway`` values closed to people on foot (the walk network), as in the default policy.
NO_WALK_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "busway",
    }
)

_DENY = frozenset({"no", "private"})
_ALLOW = frozenset(
    {
        "yes",
        "designated",
        "permissive",
        "destination",
        "official",
        "customers",
        "delivery",
        "permit",
        "emergency",
    }
)
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSE = frozenset({"-1", "reverse"})
_ONEWAY_TWO_WAY = frozenset({"no", "false", "0", "reversible", "alternating"})

_MPH = 1.609344
_KNOT = 1.852
_SPEED_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots?)?\s*$", re.IGNORECASE)


def parse_maxspeed(text: str | None) -> float:
    """A ``maxspeed`` value in km/h; NaN where it gives no number.

    ``"50"`` and ``"50 km/h"`` are km/h, ``"30 mph"`` is converted, ``"10 knots"`` too; a list
    (``"50;30"``) gives the mean of its values, as osmnx does; words such as ``"none"``,
    ``"walk"``, ``"signals"`` or zone codes like ``"RU:urban"`` give NaN.
    """
    if text is None:
        return math.nan
    values: list[float] = []
    for part in str(text).split(";"):
        m = _SPEED_RE.match(part)
        if m is None:
            return math.nan
        value = float(m.group(1))
        unit = (m.group(2) or "").lower()
        if unit == "mph":
            value *= _MPH
        elif unit.startswith("knot"):
            value *= _KNOT
        values.append(value)
    if not values:
        return math.nan
    mean = sum(values) / len(values)
    return mean if mean > 0 else math.nan


def _permitted(tags: Mapping[str, str], keys: Sequence[str]) -> bool | None:
    """The first explicit yes/no among ``keys`` (most specific first), or None."""
    for key in keys:
        value = tags.get(key)
        if value is None:
            continue
        value = value.strip().lower()
        if value in _DENY:
            return False
        if value in _ALLOW:
            return True
    return None


def _keep_way(highway: str, tags: Mapping[str, str], network_type: NetworkType) -> bool:
    """Whether a way with this ``highway`` value and tags belongs to the network type."""
    if highway in NOT_ROADS or tags.get("area") == "yes":
        return False
    if network_type == "all":
        return True
    if network_type == "drive":
        if highway not in DRIVE_HIGHWAYS:
            return False
        allowed = _permitted(tags, ("motorcar", "motor_vehicle", "vehicle", "access"))
        return allowed is not False
    if highway in NO_WALK_HIGHWAYS:
        return False
    allowed = _permitted(tags, ("foot", "access"))
    return allowed is not False


def _osm_direction(highway: str, tags: Mapping[str, str], network_type: NetworkType) -> int:
    """+1 one-way along the way, -1 one-way against it, 0 two-way. Kept for every
    ``network_type``, walk too: the one engine also routes cars on a walk network, and it
    ignores one-way for the modes outside ``Policy.oneway_modes`` (foot)."""
    oneway = (tags.get("oneway") or "").strip().lower()
    if oneway in _ONEWAY_FORWARD:
        return 1
    if oneway in _ONEWAY_REVERSE:
        return -1
    if oneway in _ONEWAY_TWO_WAY:
        return 0
    if tags.get("junction") in ("roundabout", "circular") or highway == "motorway":
        return 1
    return 0


def _require_osmium() -> Any:
    try:
        import osmium
    except ImportError as exc:
        raise MissingDependencyError("osmium", "gis", "Importing OpenStreetMap files") from exc
    return osmium


def _require_pyogrio() -> Any:
    try:
        import pyogrio
        import pyogrio.raw
    except ImportError as exc:
        raise MissingDependencyError("pyogrio", "gis", "Importing GIS line layers") from exc
    return pyogrio


def _check_file(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"road file {str(p)!r} does not exist or is not a file")
    return p


def import_osm(
    path: str | os.PathLike[str],
    *,
    network_type: NetworkType = "drive",
) -> tuple[Roads, CRS]:
    """Read an OpenStreetMap file (``.osm`` XML or ``.osm.pbf``) into roads.

    ``network_type`` picks the ways by their ``highway`` tag:

    * ``drive``: motorway … residential, the ``*_link`` roads, living_street, service, road and
      unclassified; a way closed to cars (``access``, ``vehicle``, ``motor_vehicle`` or
      ``motorcar`` = ``no``/``private``, the most specific tag deciding) is left out.
    * ``walk``: every road and path except motorway, trunk, their links and busways, and ways
      with ``foot`` (or, failing that, ``access``) = ``no``/``private``; one-way tags are
      kept (the engine lets foot modes walk both ways, and cars routed on this network still
      keep to one-way streets).
    * ``all``: every ``highway`` way, without access rules.

    Whatever the type, ways that are not roads (yet or any more: proposed, construction,
    abandoned, razed …) and ``area=yes`` outlines are skipped.

    Graph nodes are way ends and nodes used twice or more by kept ways (intersections, and a
    way crossing itself); an edge follows its way from one graph node to the next and its
    ``length_m`` is the geodesic (WGS 84 ellipsoid) length of that polyline. ``oneway`` =
    yes/true/1 runs along the way, ``-1`` against it (u and v swapped), and roundabouts and
    motorways are one-way unless tagged ``oneway=no``. ``speed_kph`` is ``maxspeed`` parsed by
    :func:`parse_maxspeed`. Self-loops (a closed way touching nothing else) are dropped, and so
    are nodes left without edges. Node ids are the OSM node ids as strings, in numeric order.

    ``roads.xy`` is in the UTM zone of the data's centre; the CRS returned is
    ``CRS(declared="EPSG:4326", working=<that UTM zone>)``.
    """
    if network_type not in NETWORK_TYPES:
        raise ValueError(f"network_type={network_type!r} is not one of {', '.join(NETWORK_TYPES)}")
    p = _check_file(path)
    osmium = _require_osmium()

    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    piece_len: list[int] = []
    piece_way: list[int] = []  # index into the per-way attribute lists
    classes: list[str] = []
    names: list[str] = []
    speeds: list[float] = []
    directions: list[int] = []
    speed_cache: dict[str, float] = {}

    processor = (
        osmium.FileProcessor(str(p), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for obj in processor:
            if not obj.is_way():
                continue
            tags = {t.k: t.v for t in obj.tags}
            highway = tags.get("highway", "")
            if not _keep_way(highway, tags, network_type):
                continue
            way_index = len(classes)
            pieces_before = len(piece_len)
            # Split the way where a node has no location (a clipped extract), and drop
            # repeated consecutive nodes.
            run = 0
            last = -1
            for node in obj.nodes:
                ref = int(node.ref)
                loc = node.location
                if not loc.valid():
                    if run >= 2:
                        piece_len.append(run)
                        piece_way.append(way_index)
                    elif run:
                        del refs[-run:], lons[-run:], lats[-run:]
                    run, last = 0, -1
                    continue
                if ref == last:
                    continue
                refs.append(ref)
                lons.append(loc.lon)
                lats.append(loc.lat)
                run += 1
                last = ref
            if run >= 2:
                piece_len.append(run)
                piece_way.append(way_index)
            elif run:
                del refs[-run:], lons[-run:], lats[-run:]
            if len(piece_len) == pieces_before:
                continue
            raw_speed = tags.get("maxspeed")
            if raw_speed is None:
                speed = math.nan
            else:
                if raw_speed not in speed_cache:
                    speed_cache[raw_speed] = parse_maxspeed(raw_speed)
                speed = speed_cache[raw_speed]
            classes.append(highway)
            names.append(tags.get("name", ""))
            speeds.append(speed)
            directions.append(_osm_direction(highway, tags, network_type))
    except RuntimeError as exc:  # libosmium reports unreadable input this way
        raise NetworkImportError(f"{p}: not a readable OpenStreetMap file: {exc}") from exc

    if not piece_len:
        raise NetworkImportError(
            f"{p}: no way fits network_type={network_type!r} "
            "(no highway=* ways, or all of them filtered out)"
        )

    ref_arr = np.asarray(refs, dtype=np.int64)
    lon = np.asarray(lons, dtype=np.float64)
    lat = np.asarray(lats, dtype=np.float64)
    lengths = np.asarray(piece_len, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + lengths - 1
    piece_of = np.repeat(np.arange(len(lengths)), lengths)

    # Graph nodes: piece ends, and nodes used at least twice by kept ways.
    _, inverse, counts = np.unique(ref_arr, return_inverse=True, return_counts=True)
    is_node = counts[inverse] >= 2
    is_node[starts] = True
    is_node[ends] = True
    pos = np.flatnonzero(is_node)
    same_piece = piece_of[pos[:-1]] == piece_of[pos[1:]]
    a = pos[:-1][same_piece]
    b = pos[1:][same_piece]

    # Geodesic length of every segment; the boundary "segment" between two pieces never lies
    # inside an edge's [a, b) range, so it needs no masking.
    _, _, seg = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    seg = np.append(np.asarray(seg, dtype=np.float64), 0.0)
    bounds = np.empty(2 * len(a), dtype=np.int64)
    bounds[0::2] = a
    bounds[1::2] = b
    edge_len = np.add.reduceat(seg, bounds)[0::2] if len(a) else np.zeros(0)

    way = np.asarray(piece_way, dtype=np.int64)[piece_of[a]]
    direction = np.asarray(directions, dtype=np.int64)[way]
    reverse = direction < 0
    flat_u = np.where(reverse, b, a)  # position in the flat arrays of each edge's u and v
    flat_v = np.where(reverse, a, b)
    keep = ref_arr[flat_u] != ref_arr[flat_v]  # drop self-loops
    flat_u, flat_v, edge_len, way, direction = (
        flat_u[keep],
        flat_v[keep],
        edge_len[keep],
        way[keep],
        direction[keep],
    )
    if len(flat_u) == 0:
        raise NetworkImportError(f"{p}: the kept ways form no edge (only self-loops)")
    u_ref = ref_arr[flat_u]
    v_ref = ref_arr[flat_v]

    node_refs, first = np.unique(np.concatenate((u_ref, v_ref)), return_index=True)
    node_flat = np.concatenate((flat_u, flat_v))[first]
    node_lon = lon[node_flat]
    node_lat = lat[node_flat]
    centre_lon = float(node_lon.min() + node_lon.max()) / 2.0
    centre_lat = float(node_lat.min() + node_lat.max()) / 2.0
    working = utm_crs_for(centre_lon, centre_lat)
    x, y = Projector(working).to_xy(node_lon, node_lat)

    u = np.searchsorted(node_refs, u_ref).astype(np.int64)
    v = np.searchsorted(node_refs, v_ref).astype(np.int64)
    cls_arr = np.asarray(classes, dtype=object)[way]
    name_arr = np.asarray(names, dtype=object)[way]
    # each edge's course: the way's nodes between its ends, u to v
    all_x, all_y = Projector(working).to_xy(lon, lat)
    course = np.column_stack((all_x, all_y))
    shape = tuple(course[a:b + 1] if a <= b else course[b:a + 1][::-1]
                  for a, b in zip(flat_u.tolist(), flat_v.tolist(), strict=True))
    roads = Roads(
        node_ids=tuple(str(r) for r in node_refs.tolist()),
        xy=np.column_stack((x, y)),
        u=u,
        v=v,
        length_m=edge_len.astype(np.float64),
        speed_kph=np.asarray(speeds, dtype=np.float64)[way],
        oneway=direction != 0,
        road_class=tuple(str(c) for c in cls_arr),
        name=tuple(str(n) for n in name_arr),
        source="osm",
        shape=shape,
    )
    return roads, CRS(declared="EPSG:4326", working=working)


# --- GIS line layers --------------------------------------------------------------------------

#: Road classes of GIS layers mapped to the OSM-style class names of the policy's
#: ``class_speeds_kph`` (keys are compared lower-case, without accents, spaces squeezed).
#:
#: Montréal's géobase (column ``ClsRte`` of ``montreal_networks.gpkg``; in that file it holds
#: text, not numeric codes) follows the OSM Canada convention: Autoroute → motorway (80 km/h
#: in the default policy), Nationale (provincial numbered route) → trunk (60), Régionale →
#: secondary (40), Artère → primary (45), Collectrice (municipale) → tertiary (35), Locale →
#: residential (25), Ruelle (lane) → service (15). The common English names of municipal
#: centreline layers are mapped the same way. A value not listed — and a class name the policy
#: already knows, such as ``residential`` — is kept as written; the policy's class speeds (or
#: its default speed) then apply. Pass ``class_map`` to add or override entries.
LINE_CLASS_MAP: Mapping[str, str] = {
    # Montréal géobase (ClsRte), French
    "autoroute": "motorway",
    "bretelle": "motorway_link",
    "nationale": "trunk",
    "route nationale": "trunk",
    "regionale": "secondary",
    "route regionale": "secondary",
    "artere": "primary",
    "artere principale": "primary",
    "artere secondaire": "secondary",
    "collectrice": "tertiary",
    "collectrice municipale": "tertiary",
    "locale": "residential",
    "rue locale": "residential",
    "ruelle": "service",
    # English wording of municipal centreline layers
    "freeway": "motorway",
    "expressway": "motorway",
    "interstate": "motorway",
    "ramp": "motorway_link",
    "major arterial": "primary",
    "arterial": "primary",
    "minor arterial": "secondary",
    "collector": "tertiary",
    "local": "residential",
    "lane": "service",
    "alley": "service",
}


def _norm_key(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:g}"
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip()
    return str(value).strip()


def _line_direction(value: object) -> int:
    """+1 / -1 / 0 from a one-way column: yes/true/1/y/t/ft/forward, -1/tf/reverse/backward."""
    text = _cell_text(value).lower()
    if text in ("yes", "true", "1", "y", "t", "ft", "forward", "1.0"):
        return 1
    if text in ("-1", "tf", "reverse", "backward", "-1.0"):
        return -1
    return 0


def _layer_crs(declared: str | None, override: str | None, where: str,
               crs_option: str | None = None) -> tuple[str, bool]:
    """The layer's CRS as ``(name, geographic)``; raises where it is missing or not in metres."""
    text = override if override is not None else declared
    if text is None or not str(text).strip():
        raise NetworkImportError(
            f"{where}: the layer has no CRS; give it"
            + (f" with {crs_option}" if crs_option else "")
            + " (an EPSG code, or 'local' for planar metres with no georeference)"
        )
    try:
        name, geographic = parse_crs(str(text), any_unit=True)
    except ValueError as exc:
        raise NetworkImportError(f"{where}: {exc}") from None
    # web-map Mercator metres and state-plane feet are not ground metres: go through
    # lon/lat to the UTM zone (a US city's centrelines come in feet, EPSG:3435 for Chicago's;
    # they were refused, where its incidents and districts in feet were read)
    return name, geographic or computes_in_utm(name)


def _check_place(coords: npt.NDArray[np.float64], crs: str, where: str) -> None:
    """Refuse a CRS the lines cannot be in (:func:`xunfang.geo.misplaced`): one given for a
    file without (a review: Chicago's centrelines in feet, given EPSG:2263, were placed in
    New York; given a UTM zone, read as metres, 28.2 km of streets instead of 8.6)."""
    if parse_crs(crs, any_unit=True)[1]:  # lon/lat
        lon, lat = coords[:, 0], coords[:, 1]
        if np.abs(lon).max() > 180 or np.abs(lat).max() > 90:
            raise NetworkImportError(
                f"{where}: {crs} is lon/lat (degrees), but the lines' coordinates reach "
                f"x {np.abs(lon).max():.0f}, y {np.abs(lat).max():.0f}: give the projected "
                "CRS they are in")
        return
    off = misplaced(coords[:, 0], coords[:, 1], crs)
    if off is None:
        return
    if off.area is None:
        raise NetworkImportError(
            f"{where}: {crs} cannot place the lines' middle (x {off.x:.0f}, y {off.y:.0f}): "
            "give the CRS they are in")
    a = off.area
    raise NetworkImportError(
        f"{where}: {crs} is used in {a.name} (longitude {a.west:g} to {a.east:g}, latitude "
        f"{a.south:g} to {a.north:g}), but it puts the lines' middle at longitude "
        f"{off.lon:.2f}, latitude {off.lat:.2f}: give the CRS they are in (feet or metres, "
        "which zone)")


def _option(name: str, cli: bool) -> str:
    """``class_column`` as the API calls it, or ``--class-column`` as the command line does."""
    return f"--{name.replace('_', '-')}" if cli else name


def _pick_layer(pyogrio: Any, p: Path, layer: str | None, cli: bool = False) -> str:
    try:
        listed = pyogrio.list_layers(p)
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise NetworkImportError(f"{p}: GDAL cannot open it as a GIS file: {exc}") from exc
    try:
        return choose_layer(listed, layer, "linestring")
    except LayerChoiceError as exc:
        if exc.reason == "missing":
            raise NetworkImportError(
                f"{p}: no layer {layer!r}; the layers are: {', '.join(exc.names) or '(none)'}"
            ) from None
        raise NetworkImportError(
            f"{p}: holds {len(exc.names)} layers, so name the road layer with "
            f"{_option('layer', cli)}{'' if cli else '=…'}; "
            f"the layers are: {exc.described}"
        ) from None


def import_lines(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    class_column: str | None = None,
    speed_column: str | None = None,
    oneway_column: str | None = None,
    name_column: str | None = None,
    tolerance_m: float = 0.5,
    crs: str | None = None,
    class_map: Mapping[str, str] | None = None,
    crs_option: str | None = None,
    cli_options: bool = False,
) -> tuple[Roads, CRS]:
    """Read road centrelines from a GIS layer (GeoPackage, shapefile, GeoJSON) into roads.

    Every LineString — and every part of a MultiLineString — is one edge; its ``length_m`` is
    the length of the whole polyline (planar in a projected layer, geodesic for lon/lat).
    Nodes are the lines' ends; ends closer than ``tolerance_m`` metres are merged into one node
    at their mean position (single linkage over a KD-tree, so chains of close ends merge too).
    Lines are not split where they cross or touch another line's interior: the layer must be
    noded (as municipal centreline layers are). Lines whose two ends merge are dropped as
    self-loops; null and empty geometries are skipped.

    ``layer`` may be left out when the file has one layer, or one line layer. The optional
    columns give the road class (mapped by ``LINE_CLASS_MAP`` and ``class_map``), the speed
    (km/h; text such as ``"30 mph"`` is parsed), one-way (yes/true/1/FT along the line,
    -1/TF against it, anything else two-way) and the name.

    The layer's CRS — or ``crs``, which says what the coordinates are when the file does not
    (or says wrongly) — decides the working CRS: a geographic CRS is projected to the UTM zone
    of the data (declared ``EPSG:4326``), a projected CRS in metres is used as it is, ``local``
    is planar metres; feet and web-Mercator metres are projected to the UTM zone. A missing
    CRS is refused, naming ``crs_option`` (the command line's option for ``crs``) where given;
    with ``cli_options`` the layer and column errors name the command line's options
    (``--layer``, ``--class-column``, ...) instead of the parameters.
    Node ids are ``n0``, ``n1``, … in order of x, then y.
    """
    p = _check_file(path)
    if not tolerance_m >= 0.0 or not math.isfinite(tolerance_m):
        raise ValueError(f"tolerance_m={tolerance_m!r} must be a finite number of metres >= 0")
    pyogrio = _require_pyogrio()
    import shapely

    layer_name = _pick_layer(pyogrio, p, layer, cli_options)
    where = f"{p}, layer {layer_name!r}"
    info = pyogrio.read_info(p, layer=layer_name)
    fields = [str(f) for f in info["fields"]]
    wanted: list[str] = []
    for option, column in (
        ("class_column", class_column),
        ("speed_column", speed_column),
        ("oneway_column", oneway_column),
        ("name_column", name_column),
    ):
        if column is None:
            continue
        if column not in fields:
            raise NetworkImportError(
                f"{where}: no column {column!r} (given as {_option(option, cli_options)}); "
                "the columns are: "
                f"{', '.join(fields) or '(none)'}"
            )
        if column not in wanted:
            wanted.append(column)
    declared, geographic = _layer_crs(info.get("crs"), crs, where, crs_option)

    meta, _, wkb, field_data = pyogrio.raw.read(p, layer=layer_name, columns=wanted)
    columns = {str(name): data for name, data in zip(meta["fields"], field_data, strict=True)}
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.empty(0, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        raise NetworkImportError(f"{where}: the layer has no features with a geometry")
    types = shapely.get_type_id(geoms)
    line_types = (shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING)
    bad = present & ~np.isin(types, [int(t) for t in line_types])
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        kind = shapely.get_type_id(geoms[first])
        raise NetworkImportError(
            f"{where}: {int(bad.sum())} of {len(geoms)} features are not lines (feature "
            f"{first + 1} is a {shapely.GeometryType(kind).name.title()}); road centrelines "
            "must be LineString or MultiLineString"
        )

    feature_index = np.flatnonzero(present)
    parts, part_feature = shapely.get_parts(geoms[feature_index], return_index=True)
    part_feature = feature_index[part_feature]
    n_coords = shapely.get_num_coordinates(parts)
    usable = n_coords >= 2
    parts, part_feature, n_coords = parts[usable], part_feature[usable], n_coords[usable]
    if len(parts) == 0:
        raise NetworkImportError(f"{where}: no line has two or more points")
    coords = shapely.get_coordinates(parts)
    if declared != "local":
        _check_place(coords, declared, where)
    starts = np.concatenate(([0], np.cumsum(n_coords)[:-1])).astype(np.int64)
    ends = starts + n_coords - 1

    if geographic:
        lonlat = Transformer.from_crs(declared, "EPSG:4326", always_xy=True)
        lon, lat = lonlat.transform(coords[:, 0], coords[:, 1])
        lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        _, _, seg_arr = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        seg = np.asarray(seg_arr, dtype=np.float64)
        working = utm_crs_for(
            float(lon.min() + lon.max()) / 2.0, float(lat.min() + lat.max()) / 2.0
        )
        x, y = Projector(working).to_xy(lon, lat)
        xy = np.column_stack((x, y))
        out_crs = CRS(declared="EPSG:4326", working=working)
    else:
        xy = np.asarray(coords, dtype=np.float64)
        seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
        out_crs = CRS(declared=declared, working=declared)
    seg = np.append(seg, 0.0)
    bounds = np.empty(2 * len(starts), dtype=np.int64)
    bounds[0::2] = starts
    bounds[1::2] = ends
    length = np.add.reduceat(seg, bounds)[0::2]

    # Merge the ends: union-find over the pairs closer than the tolerance.
    n_parts = len(parts)
    end_xy = np.concatenate((xy[starts], xy[ends]))
    pairs = cKDTree(end_xy).query_pairs(r=float(tolerance_m), output_type="ndarray")
    graph = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
        shape=(len(end_xy), len(end_xy)),
    )
    n_nodes, label = connected_components(graph, directed=False)
    count = np.bincount(label, minlength=n_nodes).astype(np.float64)
    node_x = np.bincount(label, weights=end_xy[:, 0], minlength=n_nodes) / count
    node_y = np.bincount(label, weights=end_xy[:, 1], minlength=n_nodes) / count
    u_lab = label[:n_parts]
    v_lab = label[n_parts:]

    # Attributes, per part.
    mapping = {_norm_key(k): v for k, v in LINE_CLASS_MAP.items()}
    if class_map:
        mapping.update({_norm_key(k): v for k, v in class_map.items()})
    n_features = len(geoms)
    if class_column is not None:
        raw_cls = [_cell_text(c) for c in columns[class_column]]
        feat_cls = [mapping.get(_norm_key(c), c) for c in raw_cls]
    else:
        feat_cls = [""] * n_features
    if speed_column is not None:
        feat_speed = np.array(
            [
                parse_maxspeed(t) if t else math.nan
                for t in (_cell_text(s) for s in columns[speed_column])
            ],
            dtype=np.float64,
        )
    else:
        feat_speed = np.full(n_features, math.nan)
    if oneway_column is not None:
        feat_dir = np.array([_line_direction(o) for o in columns[oneway_column]], dtype=np.int64)
    else:
        feat_dir = np.zeros(n_features, dtype=np.int64)
    feat_name = (
        [_cell_text(n) for n in columns[name_column]]
        if name_column is not None
        else [""] * n_features
    )

    direction = feat_dir[part_feature]
    reverse = direction < 0
    u_lab, v_lab = np.where(reverse, v_lab, u_lab), np.where(reverse, u_lab, v_lab)
    keep = u_lab != v_lab
    if not keep.any():
        raise NetworkImportError(
            f"{where}: every line is a self-loop at tolerance_m={tolerance_m} (its ends merge)"
        )
    # each part's course, u to v (a one-way line drawn against its direction runs backwards)
    courses = [xy[a:b + 1][::-1] if r else xy[a:b + 1]
               for a, b, r in zip(starts.tolist(), ends.tolist(), reverse.tolist(), strict=True)]
    u_lab, v_lab, length, part_feature, direction = (
        u_lab[keep],
        v_lab[keep],
        length[keep],
        part_feature[keep],
        direction[keep],
    )
    kept = [c for c, k in zip(courses, keep.tolist(), strict=True) if k]

    # Node ids n0, n1, … in order of x then y, over the nodes that still have an edge.
    used = np.zeros(n_nodes, dtype=bool)
    used[u_lab] = True
    used[v_lab] = True
    used_labels = np.flatnonzero(used)
    order = used_labels[np.lexsort((node_y[used_labels], node_x[used_labels]))]
    new_index = np.full(n_nodes, -1, dtype=np.int64)
    new_index[order] = np.arange(len(order), dtype=np.int64)

    node_xy = np.column_stack((node_x[order], node_y[order]))
    # each course from its node to its node: the ends merged within tolerance_m
    shape = tuple(np.vstack((node_xy[a], c[1:-1], node_xy[b])) for c, a, b in zip(
        kept, new_index[u_lab].tolist(), new_index[v_lab].tolist(), strict=True))
    roads = Roads(
        node_ids=tuple(f"n{i}" for i in range(len(order))),
        xy=node_xy,
        u=new_index[u_lab],
        v=new_index[v_lab],
        length_m=length.astype(np.float64),
        speed_kph=feat_speed[part_feature].astype(np.float64),
        oneway=direction != 0,
        road_class=tuple(feat_cls[i] for i in part_feature.tolist()),
        name=tuple(feat_name[i] for i in part_feature.tolist()),
        source="lines",
        shape=shape,
    )
    return roads, out_crs


# --- components -------------------------------------------------------------------------------


# --- writing a scenario's network/ ------------------------------------------------------------


def _trim(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _write_atomic(target: Path, rows: Iterable[Sequence[str]] | None, text: str | None) -> Path:
    """Write to a temporary file beside ``target``; return it (renamed later by the caller)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes the file private (0600); a network folder is shared like any other
        # file the user writes, so give it the mode the umask gives new files
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if rows is not None:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerows(rows)
            if text is not None:
                fh.write(text)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _course_cells(roads: Roads, crs: CRS, geographic: bool) -> list[str] | None:
    """Each edge's ``course`` cell of edges.csv: its course as WKT ``LINESTRING (x y, …)`` from u
    to v in the coordinates nodes.csv is written in (lon/lat to 7 decimals where ``geographic``,
    else x/y to the centimetre), its ends the nodes' positions; empty for an edge whose course
    is the straight line between its ends (no interior point). ``None`` where the roads carry
    no courses (the column is then left out)."""
    if roads.shape is None:
        return None
    cells = [""] * roads.n_edges
    curved = [e for e, c in enumerate(roads.shape) if len(c) > 2]
    if not curved:
        return cells
    pieces = []
    for e in curved:
        c = np.array(roads.shape[e], dtype=np.float64)
        c[0] = roads.xy[roads.u[e]]  # the ends are the nodes' places, as nodes.csv has them
        c[-1] = roads.xy[roads.v[e]]
        pieces.append(c)
    flat = np.vstack(pieces)
    if geographic:
        a, b = Projector(crs.working).to_lonlat(flat[:, 0], flat[:, 1])
        decimals = 7
    else:
        a, b = flat[:, 0], flat[:, 1]
        decimals = 2
    text = [f"{_trim(x, decimals)} {_trim(y, decimals)}"
            for x, y in zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True)]
    at = 0
    for e, c in zip(curved, pieces, strict=True):
        cells[e] = f"LINESTRING ({', '.join(text[at:at + len(c)])})"
        at += len(c)
    return cells


def write_network(
    roads: Roads,
    crs: CRS,
    out_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    source: str | os.PathLike[str] | None = None,
) -> Path:
    """Write ``roads`` as a scenario's ``network/nodes.csv`` and ``network/edges.csv``.

    Nodes are written as ``id,lon,lat`` (WGS 84, 7 decimals ≈ 1 cm) when the declared CRS is
    geographic — converted back from the working xy — and as ``id,x,y`` (3 decimals) otherwise.
    Edges are ``u,v,length_m,speed_kph,oneway,name,class``: length in metres to the millimetre,
    speed in km/h (empty where unknown), oneway 1/0 — and ``course`` where the roads carry
    courses (OpenStreetMap and GIS line imports): each curved edge's course as WKT
    ``LINESTRING (x y, …)`` from u to v in the nodes' coordinates (see :func:`_course_cells`),
    empty for a straight one, so a scenario loaded from the files snaps points to the streets'
    courses as one reading the road file does. Files are UTF-8, quoted by the csv module, and
    each is written to a temporary file and renamed into place.

    ``out_dir/scenario.toml`` is written — with ``name`` (default: the folder's name), ``crs``
    and a comment naming ``source`` — only if it does not exist yet. Returns ``out_dir``.
    """
    scenario_dir = Path(out_dir)
    net_dir = scenario_dir / "network"
    net_dir.mkdir(parents=True, exist_ok=True)
    ids = roads.node_ids
    lon, lat, geographic = _file_coords(roads, crs)
    if geographic:
        node_rows: list[Sequence[str]] = [("id", "lon", "lat")]
        node_rows.extend(
            (i, f"{a:.7f}", f"{b:.7f}")
            for i, a, b in zip(ids, lon.tolist(), lat.tolist(), strict=True)
        )
        toml_crs = "EPSG:4326"
    else:
        node_rows = [("id", "x", "y")]
        node_rows.extend(
            (i, f"{a:.3f}", f"{b:.3f}")
            for i, a, b in zip(ids, roads.xy[:, 0].tolist(), roads.xy[:, 1].tolist(), strict=True)
        )
        toml_crs = crs.declared
    toml_path = scenario_dir / "scenario.toml"
    if toml_path.exists():
        _check_existing_crs(toml_path, toml_crs)
    courses = _course_cells(roads, crs, geographic)
    edge_rows: list[Sequence[str]] = [
        ("u", "v", "length_m", "speed_kph", "oneway", "name", "class")
        + (() if courses is None else ("course",))
    ]
    edge_rows.extend(
        (
            ids[a],
            ids[b],
            f"{length:.3f}",
            "" if math.isnan(speed) else _trim(speed, 3),
            "1" if one else "0",
            road_name,
            road_class,
        )
        + (() if courses is None else (courses[k],))
        for k, (a, b, length, speed, one, road_name, road_class) in enumerate(zip(
            roads.u.tolist(),
            roads.v.tolist(),
            roads.length_m.tolist(),
            roads.speed_kph.tolist(),
            roads.oneway.tolist(),
            roads.name,
            roads.road_class,
            strict=True,
        ))
    )
    pending = [
        (_write_atomic(net_dir / "nodes.csv", node_rows, None), net_dir / "nodes.csv"),
        (_write_atomic(net_dir / "edges.csv", edge_rows, None), net_dir / "edges.csv"),
    ]
    if roads.source == "osm":
        # the attribution travels with the network files: the loader reads it back, and the
        # report credits OpenStreetMap contributors (ODbL 1.0 requires it)
        note = f"{OSM_ATTRIBUTION}\n"
        pending.append((_write_atomic(net_dir / ATTRIBUTION_FILE, None, note),
                        net_dir / ATTRIBUTION_FILE))
    if not toml_path.exists():
        lines = []
        if source is not None:
            lines.append(f"# imported from {Path(source).name} by xunfang")
        if roads.source == "osm":
            lines.append("# road data © OpenStreetMap contributors, ODbL 1.0")
        scenario_name = name if name is not None else scenario_dir.resolve().name
        lines.append(f"name = {json.dumps(scenario_name, ensure_ascii=False)}")
        lines.append(f"crs = {json.dumps(toml_crs, ensure_ascii=False)}")
        text = "\n".join(lines) + "\n"
        pending.append((_write_atomic(toml_path, None, text), toml_path))
    for tmp, target in pending:
        os.replace(tmp, target)
    if roads.source != "osm":  # a credit left by an earlier OSM import no longer applies
        (net_dir / ATTRIBUTION_FILE).unlink(missing_ok=True)
    return scenario_dir


def _check_existing_crs(toml_path: Path, crs: str) -> None:
    """Refuse to write a network whose CRS differs from an existing scenario.toml's."""
    try:
        declared = tomllib.loads(toml_path.read_text(encoding="utf-8")).get("crs")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NetworkImportError(f"{toml_path}: cannot read it to check its crs: {exc}") from None
    if declared is None:
        return
    try:
        same = parse_crs(str(declared))[0] == parse_crs(crs)[0]
    except ValueError:
        same = False
    if not same:
        raise NetworkImportError(
            f"{toml_path} declares crs {declared!r} but the imported network is in {crs!r}; "
            "import into a new folder, or change the scenario's crs first"
        )


ATTRIBUTION_FILE = "ATTRIBUTION.txt"
OSM_ATTRIBUTION = "Road data © OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)"


# --- the one call of the CLI ------------------------------------------------------------------


def _kind_of(p: Path) -> Literal["osm", "lines"]:
    lower = p.name.lower()
    if lower.endswith(OSM_SUFFIXES):
        return "osm"
    if lower.endswith(LINE_SUFFIXES):
        return "lines"
    raise NetworkImportError(
        f"{p}: cannot tell the format from the file suffix; OpenStreetMap files end in "
        f"{', '.join(OSM_SUFFIXES)} and GIS line layers in {', '.join(LINE_SUFFIXES)}"
    )


def import_network(
    path: str | os.PathLike[str],
    *,
    out_dir: str | os.PathLike[str],
    network_type: NetworkType = "drive",
    layer: str | None = None,
    class_column: str | None = None,
    speed_column: str | None = None,
    oneway_column: str | None = None,
    name_column: str | None = None,
    tolerance_m: float = 0.5,
    crs: str | None = None,
    largest_component: bool = False,
    name: str | None = None,
    crs_option: str | None = None,
    force: bool = False,
    cli_options: bool = False,
) -> ImportSummary:
    """Import a road file into ``out_dir/network/`` and summarise what was written.

    The suffix picks the reader: ``.osm``, ``.osm.pbf``, ``.pbf`` (and ``.osm.bz2``,
    ``.osm.gz``) go to :func:`import_osm` with ``network_type``; ``.gpkg``, ``.shp``,
    ``.geojson``, ``.json`` go to :func:`import_lines` with the layer, column, tolerance and
    CRS options (those options are an error for an OpenStreetMap file). With
    ``largest_component`` only the largest weakly connected component is written.

    When ``out_dir`` is a scenario whose tables (posts, sites, lines, ...) name nodes by their
    ``node`` column, each such node must be in the new network: otherwise the import is refused
    with :class:`NetworkImportError` naming the files and rows, and nothing is written — unless
    ``force`` (the CLI's ``--force``), which writes anyway and counts those rows in
    ``missing_node_refs``.
    """
    p = _check_file(path)
    kind = _kind_of(p)
    if kind == "osm":
        given = [
            option
            for option, value in (
                ("layer", layer),
                ("class_column", class_column),
                ("speed_column", speed_column),
                ("oneway_column", oneway_column),
                ("name_column", name_column),
                ("crs", crs),
            )
            if value is not None
        ]
        if given:
            raise NetworkImportError(
                f"{p}: {', '.join(_option(g, cli_options) for g in given)} apply to GIS line "
                "layers, not to OpenStreetMap files"
            )
        roads, out_crs = import_osm(p, network_type=network_type)
    else:
        roads, out_crs = import_lines(
            p,
            layer=layer,
            class_column=class_column,
            speed_column=speed_column,
            oneway_column=oneway_column,
            name_column=name_column,
            tolerance_m=tolerance_m,
            crs=crs,
            crs_option=crs_option,
            cli_options=cli_options,
        )
    components, _ = weak_components(roads)
    if largest_component:
        roads = topology.largest_component(roads)
    missing = node_refs_missing(out_dir, _written_coords(roads, out_crs))
    n_missing = sum(len(rows) for rows in missing.values())
    if n_missing and not force:
        raise NetworkImportError(
            f"{Path(out_dir)}: the new network lacks (or has elsewhere) nodes its tables use — "
            f"{describe_missing(missing)}; nothing was written. Import into a new folder, or "
            "pass --force to replace network/ anyway (then fix or rebuild those rows)"
        )
    scenario_dir = write_network(roads, out_crs, out_dir, name=name, source=p)
    return ImportSummary(
        nodes=roads.n_nodes,
        edges=roads.n_edges,
        oneway_edges=int(np.count_nonzero(roads.oneway)),
        total_km=float(roads.length_m.sum()) / 1000.0,
        crs=out_crs,
        components=components,
        scenario_dir=scenario_dir,
        source=p,
        missing_node_refs=n_missing,
    )


def _file_coords(roads: Roads, crs: CRS
                 ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], bool]:
    """The nodes' coordinates in the system nodes.csv is written in, and whether it is
    geographic: lon/lat where the declared CRS is geographic, else the working x/y."""
    if crs.declared != "local" and parse_crs(crs.declared)[1]:
        lon, lat = Projector(crs.working).to_lonlat(roads.xy[:, 0], roads.xy[:, 1])
        return np.asarray(lon), np.asarray(lat), True
    return roads.xy[:, 0], roads.xy[:, 1], False


def _written_coords(roads: Roads, crs: CRS) -> dict[str, tuple[float, float]]:
    """Each node's coordinates as :func:`write_network` writes them (lon/lat or x/y)."""
    a, b, _ = _file_coords(roads, crs)
    return dict(zip(roads.node_ids, zip(a.tolist(), b.tolist(), strict=True), strict=True))


def _old_coords(folder: Path) -> tuple[dict[str, tuple[float, float]], float]:
    """The node coordinates of ``folder/network/nodes.csv`` (empty if none or unreadable) and
    how close two of them must be to be the same place (1 m, or 1e-5 degrees)."""
    path = folder / "network" / "nodes.csv"
    out: dict[str, tuple[float, float]] = {}
    if not path.is_file():
        return out, 1.0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        ab = ("lon", "lat") if "lon" in cols else ("x", "y")
        for row in reader:
            try:
                out[row["id"]] = (float(row[ab[0]]), float(row[ab[1]]))
            except (KeyError, TypeError, ValueError):
                continue
    return out, (1e-5 if ab[0] == "lon" else 1.0)


def node_refs_missing(
    scenario_dir: str | os.PathLike[str], new_nodes: Mapping[str, tuple[float, float]]
) -> dict[str, list[tuple[int, str]]]:
    """The rows of ``scenario_dir``'s tables (``*.csv``, ``*.xlsx`` beside ``scenario.toml``)
    whose ``node`` column names a node the new network (id -> coordinates as written) lacks,
    or has at another place than the folder's present network/nodes.csv (ids such as ``n12``
    are reused by another layer for another crossing): file name -> [(row, node), ...] (row 1
    is the first data row). Empty when the folder holds no such table."""
    from xunfang.scenario.tables import read_table

    folder = Path(scenario_dir)
    if not folder.is_dir():
        return {}
    old, tol = _old_coords(folder)

    def lost(node: str) -> bool:
        if node not in new_nodes:
            return True
        if node not in old:
            return False
        (a0, b0), (a1, b1) = old[node], new_nodes[node]
        return abs(a0 - a1) > tol or abs(b0 - b1) > tol

    out: dict[str, list[tuple[int, str]]] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        if path.suffix.lower() == ".csv":  # the header first: incidents.csv may be large
            with path.open("rb") as fh:
                head = fh.readline().decode("utf-8-sig", errors="replace")
            if "node" not in head:
                continue
        table = read_table(path, label=path.name, problems=[])
        if table is None or not table.has("node"):
            continue
        bad = [(i, row["node"]) for i, row in enumerate(table.rows, start=1)
               if row.get("node") and lost(row["node"])]
        if bad:
            out[path.name] = bad
    return out


def describe_missing(missing: Mapping[str, Sequence[tuple[int, str]]], shown: int = 3) -> str:
    """``posts.csv rows 1, 2, 5 (node '123', ...) and 4 more; ...`` for an error message."""
    parts = []
    for file, rows in missing.items():
        head = ", ".join(f"{i} (node {n!r})" for i, n in rows[:shown])
        more = f" and {len(rows) - shown} more" if len(rows) > shown else ""
        parts.append(f"{file}: {len(rows)} row{'s' if len(rows) != 1 else ''} — rows {head}{more}")
    return "; ".join(parts)
