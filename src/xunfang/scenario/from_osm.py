"""A complete scenario folder from an OpenStreetMap file: for a command centre starting in a city.

The roads may also come from a GIS line layer (``.gpkg``, ``.shp``, ``.geojson``: municipal
street centrelines, ``BuildOptions.layer``), read by
:func:`xunfang.network.imports.import_lines` with its road class and street name columns
(``class_column`` / ``name_column``, else the first of :data:`CLASS_COLUMNS` /
:data:`NAME_COLUMNS` the layer has) and, where named, its one-way and speed columns
(``oneway_column``, ``speed_column``). Everything else below is the same. Such layers often lack
what an OpenStreetMap file gives; the builder then falls back, and the folder's README says
which: no one-way column — every street two-way; no speed — the policy's class speeds; no
class (or none mapping to trunk–tertiary) — stations, siting candidates and exits range over
every node; no street names — the mandatory lines follow the longest straight chains
("strokes") of two-way primary/secondary edges instead of named roads.

``build_from_osm(pbf, outdir, options)`` reads the drive network of the OSM extract (through
``xunfang.network.imports``), clips it to ``bbox`` (WGS 84) when one is given, leaves out
``highway=service`` ways (driveways, parking aisles, alleys — as osmnx's drive network does;
``service_roads=True`` keeps them), keeps the largest piece a car can drive through both ways
(the strongly connected component, one-way streets respected), and writes every file of
DESIGN.md §3 around it:

* ``scenario.toml`` — name, the local UTM zone as ``crs``, timezone, one-day horizon in hourly
  slots, the article's policy (1-3-5 rings, tier revisit 120/240/480 min, 四班三运转).
* ``network/`` — nodes.csv (x/y in that UTM zone) + edges.csv (with each curved street's
  ``course``) + ATTRIBUTION.txt (ODbL).
* ``areas.geojson`` — square prevention grids of ``grid_m`` over the network's extent (a cell
  with little road is dropped: less than ``min_road_share`` of the median cell's road length,
  or fewer than 3 nodes), patrol zones of ``zone_grids`` × ``zone_grids`` cells, and three
  control rings (1: around the two strongest hot spots; 2: around the tier-1/2 sites; 3: the
  whole gridded area).
* ``sites.csv`` — key sites: the highest-risk road nodes of the risk map, at least
  ``site_spacing_m`` apart, tier 1 (one per zone), tier 2 and 3 (twice as many each).
* ``posts.csv`` — a police station per zone (the zone's risk-weighted median main-road node),
  a rapid-response point at each ring-1 hot spot, standby points and patrol stations placed by
  the project's siting model (maximal covering of the risk within the 3-minute ring, existing
  posts counted, :func:`xunfang.planning.siting.mclp`), a street kiosk at the busiest tier-2
  site, exits where main roads reach the edge of the network's hull, ``checkpoints``
  checkpoints at the busiest exits (the later half night-only; default 2 — the pipeline's
  checkpoint game, DOBSS without a time limit, ran for many minutes with 3 or 4 checkpoints
  kilometres apart on the Baltimore network), and cameras at tier-1/2 sites and checkpoints.
* ``lines.csv`` — mandatory patrol lines along the longest named main roads (fastest car
  path between the road's two ends, cut at ``line_max_km``), every 120/180/240 minutes.
* ``units.csv`` / ``people.csv`` — ``units`` ground units of the special tier (a car at each
  rapid and standby point, checkpoint cars, patrol cars, motorcycles and foot patrols) plus one
  or two drones, a precinct car per police station (6 people: its own duty list, round the
  clock) and two volunteer foot groups; people in
  four rotating teams A–D, each team able to crew every special unit with two spares per squad,
  so the roster (四班三运转) can staff them.
* ``incidents.csv`` — ``history_days`` of incidents up to ``history_end`` sampled from the
  risk map, and ``truth/risk_map.json``, the map's parameters.

**The risk map is synthetic** (the network is real): a seeded surface of Gaussian hot spots
(each with its own hours: commercial, night life, transit or residential) on a background, times
the road length at each node weighted by road class, with an hour-of-week profile; counts are
Poisson per hour and node, scaled to ``incidents_per_day`` a day on average; categories depend
on the hour, priorities on the category. It shows what the system does on a real street
network; it says nothing about crime in the city. :func:`sample_period` draws a test period's
incidents from the same true map, so a plan can be checked on incidents its own forecast did
not produce.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from xunfang._errors import XunfangError
from xunfang._files import new_sibling, swap_in
from xunfang.geo import LayerChoiceError, Projector, choose_layer
from xunfang.network import RoadNetwork, shortest_path
from xunfang.network import imports as net_imports
from xunfang.network.topology import restrict
from xunfang.planning import siting
from xunfang.scenario.model import CRS, FloatArray, IntArray, Mode, Policy, Roads
from xunfang.sim.incidents import SimIncidents

__all__ = [
    "CATEGORIES",
    "CLASS_COLUMNS",
    "NAME_COLUMNS",
    "BuildOptions",
    "BuildSummary",
    "FromOsmError",
    "HotSpot",
    "RiskMap",
    "build_from_osm",
    "load_risk_map",
    "sample_period",
]


#: The fewest road edges a scenario is built on (in the file, the --bbox, and the largest piece
#: a car can drive through both ways).
MIN_EDGES = 10


class FromOsmError(XunfangError, ValueError):
    """The scenario cannot be built from these inputs; the message names the argument or file
    and the rule broken."""


# --- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildOptions:
    """How the scenario is built. Every number is ours (documented in the module)."""

    grid_m: float = 1000.0
    units: int | None = None  # ground units of the special tier; None: about one per two grids
    seed: int = 0
    incidents_per_day: float = 40.0
    history_days: int = 365
    history_end: date | None = None  # the day after the last incident; None: today
    name: str | None = None  # default: the output folder's name
    title: str = ""
    timezone: str = "UTC"
    zone_grids: int = 3
    min_road_share: float = 0.2
    site_spacing_m: float = 350.0
    line_max_km: float = 3.5
    service_roads: bool = False  # keep highway=service (driveways, parking aisles)
    checkpoints: int = 2  # at the busiest exits; the later half night-only
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north (WGS 84)
    force: bool = False
    # a GIS line layer (.gpkg, .shp, .geojson) instead of an OpenStreetMap file: its layer (may
    # be left out when the file holds one line layer) and the columns of road class and street
    # name (None: the first of CLASS_COLUMNS / NAME_COLUMNS the layer has, else none)
    layer: str | None = None
    class_column: str | None = None
    name_column: str | None = None
    # one-way (yes/true/1/FT along the line, -1/TF against it) and speed (km/h) columns: used
    # only where named
    oneway_column: str | None = None
    speed_column: str | None = None

    def check(self) -> None:
        """Raise :class:`FromOsmError` naming the first bad option and its rule."""
        if not (math.isfinite(self.grid_m) and self.grid_m > 0):
            raise FromOsmError(f"--grid-m must be a positive number of metres; got {self.grid_m}")
        if self.grid_m < 100:
            raise FromOsmError(f"--grid-m must be at least 100 m (a prevention grid is a few "
                               f"blocks); got {self.grid_m}")
        if self.units is not None and self.units < 1:
            raise FromOsmError(f"--units must be a positive number of units; got {self.units}")
        if self.seed < 0:
            raise FromOsmError(f"--seed must be a non-negative integer; got {self.seed}")
        if not (math.isfinite(self.incidents_per_day) and self.incidents_per_day > 0):
            raise FromOsmError("--incidents-per-day must be a positive rate; got "
                               f"{self.incidents_per_day}")
        if self.history_days < 28:
            raise FromOsmError("--history-days must be at least 28 (four weeks for the weekly "
                               f"profile of the forecast); got {self.history_days}")
        if self.checkpoints < 0:
            raise FromOsmError(f"--checkpoints must be 0 or more; got {self.checkpoints}")
        if self.bbox is not None:
            w, so, e, n = self.bbox
            if not (-180 <= w < e <= 180 and -90 <= so < n <= 90):
                raise FromOsmError(f"--bbox must be WEST,SOUTH,EAST,NORTH in degrees with "
                                   f"west < east and south < north; got {self.bbox}")
        if self.zone_grids < 1:
            raise FromOsmError(f"--zone-grids must be at least 1; got {self.zone_grids}")
        if not 0 <= self.min_road_share < 1:
            raise FromOsmError(f"min_road_share must be in [0, 1); got {self.min_road_share}")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(self.timezone)
        except (KeyError, ValueError, OSError):
            raise FromOsmError(f"--timezone {self.timezone!r} is not an IANA time zone "
                               "(e.g. America/New_York, Asia/Shanghai)") from None


@dataclass(frozen=True)
class BuildSummary:
    """What :func:`build_from_osm` wrote."""

    folder: Path
    crs: str
    nodes: int
    edges: int
    dropped_nodes: int  # outside the largest strongly connected piece
    grids: int
    dropped_grids: int
    zones: int
    sites: int
    posts: dict[str, int]
    lines: int
    units: dict[str, int]
    people: int
    incidents: int
    risk: RiskMap

    def as_json(self) -> dict[str, object]:
        return {"folder": str(self.folder), "crs": self.crs, "nodes": self.nodes,
                "edges": self.edges, "dropped_nodes": self.dropped_nodes, "grids": self.grids,
                "dropped_grids": self.dropped_grids, "zones": self.zones, "sites": self.sites,
                "posts": self.posts, "lines": self.lines, "units": self.units,
                "people": self.people, "incidents": self.incidents,
                "incidents_per_day": self.risk.per_day}


# --- the risk map ---------------------------------------------------------------------------------

#: Categories (English, as US 911 exports name them) and their mix by day (07–20) and night.
CATEGORIES: tuple[str, ...] = ("THEFT", "BATTERY", "ASSAULT", "ROBBERY", "DISTURBANCE",
                               "TRAFFIC", "ASSISTANCE", "FRAUD")
_MIX_DAY = (0.26, 0.12, 0.06, 0.04, 0.12, 0.18, 0.15, 0.07)
_MIX_NIGHT = (0.18, 0.20, 0.10, 0.08, 0.20, 0.10, 0.12, 0.02)
#: Probability of priority 1, 2, 3 (1 is the most urgent) by category.
_PRIORITY = {
    "THEFT": (0.10, 0.50, 0.40), "BATTERY": (0.60, 0.35, 0.05), "ASSAULT": (0.70, 0.25, 0.05),
    "ROBBERY": (0.75, 0.20, 0.05), "DISTURBANCE": (0.20, 0.50, 0.30),
    "TRAFFIC": (0.25, 0.50, 0.25), "ASSISTANCE": (0.10, 0.40, 0.50),
    "FRAUD": (0.05, 0.30, 0.65),
}
#: Background incidents by hour of day (lowest 03–06, highest 17–21).
_BACKGROUND_HOURS = (0.9, 0.75, 0.6, 0.45, 0.35, 0.35, 0.45, 0.7, 0.9, 0.95, 1.0, 1.05, 1.1,
                     1.1, 1.1, 1.15, 1.25, 1.35, 1.4, 1.4, 1.35, 1.25, 1.1, 1.0)
#: Hot-spot kinds and their hours (factor by hour of day).
_SPOT_HOURS: dict[str, tuple[float, ...]] = {
    "commercial": tuple(0.15 if h < 9 or h > 21 else (1.6 if 11 <= h <= 18 else 0.9)
                        for h in range(24)),
    "nightlife": tuple(2.2 if h >= 21 or h <= 2 else (1.0 if h in (19, 20, 3) else 0.15)
                       for h in range(24)),
    "transit": tuple(2.0 if h in (7, 8, 16, 17, 18) else (0.8 if 6 <= h <= 21 else 0.2)
                     for h in range(24)),
    "residential": tuple(1.6 if 17 <= h <= 23 else (0.5 if 8 <= h <= 16 else 0.3)
                         for h in range(24)),
}
#: Weekday factors (Monday 0): Friday and Saturday evenings (18–02) busier, Sunday quieter.
_EVENING = frozenset((18, 19, 20, 21, 22, 23))
#: Road class weights of the risk (main streets carry more).
_CLASS_WEIGHT = {"motorway": 0.05, "motorway_link": 0.1, "trunk": 0.4, "trunk_link": 0.2,
                 "primary": 1.6, "primary_link": 0.4, "secondary": 1.4, "secondary_link": 0.4,
                 "tertiary": 1.2, "tertiary_link": 0.4, "unclassified": 0.8,
                 "residential": 1.0, "living_street": 1.0, "service": 0.4, "road": 0.8}
_BASE = 0.35  # background level against hot-spot amplitudes of 1.5-5
_MAIN = frozenset({"trunk", "primary", "secondary", "tertiary"})
_BIG = frozenset({"motorway", "trunk", "primary", "secondary"})  # exits are on these
_LINE_CLASSES = frozenset({"primary", "secondary"})  # mandatory lines run along these


def _week_factor(weekday: int, hour: int) -> float:
    if weekday == 4 and hour in _EVENING:
        return 1.3
    if weekday == 5:
        return 1.45 if hour in _EVENING or hour <= 2 else 1.15
    if weekday == 6:
        return 1.1 if 9 <= hour <= 17 else (1.2 if hour <= 2 else 0.9)
    return 1.0


@dataclass(frozen=True)
class HotSpot:
    """A Gaussian bump of the risk map: centre (metres), spread, strength and hours."""

    x: float
    y: float
    sigma_m: float
    amplitude: float
    kind: str


@dataclass(frozen=True, eq=False)
class RiskMap:
    """The true (synthetic) incident rate: ``rate[h, i]`` is the expected number of incidents
    at node ``i`` in hour-of-week ``h`` (Monday 00–01 is 0). ``node_xy`` in the scenario's
    working CRS; incidents lie within ``jitter_m`` (normal, per axis) of their node."""

    node_ids: tuple[str, ...]
    node_xy: FloatArray
    rate: FloatArray
    hotspots: tuple[HotSpot, ...]
    seed: int
    jitter_m: float = 8.0
    categories: tuple[str, ...] = CATEGORIES

    @property
    def per_day(self) -> float:
        return float(self.rate.sum()) / 7.0

    def node_weight(self) -> FloatArray:
        """Expected incidents a week at each node."""
        return np.asarray(self.rate.sum(axis=0), dtype=np.float64)

    def as_json(self) -> dict[str, object]:
        return {"synthetic": True, "seed": self.seed, "incidents_per_day": self.per_day,
                "jitter_m": self.jitter_m, "base": _BASE,
                "hotspots": [vars(h) for h in self.hotspots],
                "background_hours": list(_BACKGROUND_HOURS),
                "hotspot_hours": {k: list(v) for k, v in _SPOT_HOURS.items()},
                "class_weight": _CLASS_WEIGHT, "categories": list(self.categories),
                "mix_day": list(_MIX_DAY), "mix_night": list(_MIX_NIGHT),
                "priority": {k: list(v) for k, v in _PRIORITY.items()}}


def _node_road_m(roads: Roads) -> FloatArray:
    """Half the class-weighted length of the edges at each node (metres)."""
    w = np.array([_CLASS_WEIGHT.get(c, 0.6) for c in roads.road_class], dtype=np.float64)
    half = 0.5 * roads.length_m * w
    out = np.zeros(roads.n_nodes)
    np.add.at(out, roads.u, half)
    np.add.at(out, roads.v, half)
    return out


def _rate(roads: Roads, spots: Sequence[HotSpot], per_day: float) -> FloatArray:
    road = _node_road_m(roads)
    x, y = roads.xy[:, 0], roads.xy[:, 1]
    bg = np.asarray(_BACKGROUND_HOURS)
    parts = [np.outer(bg, _BASE * road)]  # (24, N)
    for s in spots:
        bump = s.amplitude * np.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * s.sigma_m ** 2))
        parts.append(np.outer(np.asarray(_SPOT_HOURS[s.kind]), bump * road))
    day = np.sum(parts, axis=0)  # (24, N)
    week = np.array([_week_factor(d, h) for d in range(7) for h in range(24)])
    rate = np.tile(day, (7, 1)) * week[:, None]
    total = rate.sum() / 7.0
    return np.asarray(rate * (per_day / total), dtype=np.float64)


def _hotspots(roads: Roads, rng: np.random.Generator) -> tuple[HotSpot, ...]:
    road = _node_road_m(roads)
    lo, hi = roads.xy.min(axis=0), roads.xy.max(axis=0)
    area_km2 = float(np.prod(np.maximum(hi - lo, 1.0))) / 1e6
    k = int(np.clip(round(area_km2 / 6.0), 3, 12))
    p = road / road.sum()
    kinds = tuple(_SPOT_HOURS)
    spots = []
    centres = rng.choice(roads.n_nodes, size=k, replace=False, p=p)
    for j, c in enumerate(centres.tolist()):
        spots.append(HotSpot(x=round(float(roads.xy[c, 0]), 1), y=round(float(roads.xy[c, 1]), 1),
                             sigma_m=round(float(rng.uniform(250.0, 700.0)), 1),
                             amplitude=round(float(rng.uniform(1.5, 5.0)), 3),
                             kind=kinds[(j + int(rng.integers(len(kinds)))) % len(kinds)]))
    return tuple(spots)


def _risk_from_json(roads: Roads, doc: dict[str, object], per_day: float, seed: int,
                    jitter_m: float) -> RiskMap:
    raw = doc.get("hotspots")
    if not isinstance(raw, list):
        raise FromOsmError("truth/risk_map.json: 'hotspots' must be a list")
    spots = tuple(HotSpot(**h) for h in raw)
    return RiskMap(node_ids=roads.node_ids, node_xy=roads.xy,
                   rate=_rate(roads, spots, per_day), hotspots=spots, seed=seed,
                   jitter_m=jitter_m)


def load_risk_map(folder: str | os.PathLike[str]) -> RiskMap:
    """The true risk map of a scenario folder written by :func:`build_from_osm` (its
    ``truth/risk_map.json`` over the folder's network)."""
    from xunfang.scenario.loader import load

    path = Path(folder) / "truth" / "risk_map.json"
    if not path.is_file():
        raise FromOsmError(f"{path}: no risk map here (only folders written by "
                           "'xunfang scenario from-osm' have one)")
    doc = json.loads(path.read_text(encoding="utf-8"))
    sc = load(Path(folder))
    return _risk_from_json(sc.roads, doc, float(doc["incidents_per_day"]), int(doc["seed"]),
                           float(doc["jitter_m"]))


@dataclass(frozen=True)
class _Draw:
    minutes: FloatArray  # from the period's start, sorted
    node: IntArray
    xy: FloatArray
    category: tuple[str, ...]
    priority: IntArray


def _draw(risk: RiskMap, start: datetime, hours: int, rng: np.random.Generator) -> _Draw:
    """Poisson incidents per node and hour for ``hours`` hours from ``start`` (on the hour)."""
    first = start.weekday() * 24 + start.hour
    how = (first + np.arange(hours)) % 168
    totals = risk.rate.sum(axis=1)  # (168,)
    counts = rng.poisson(totals[how])  # per hour of the period
    n = int(counts.sum())
    hour_of = np.repeat(np.arange(hours), counts)
    node = np.empty(n, dtype=np.int64)
    how_of = how[hour_of]
    for h in np.unique(how_of).tolist():  # one draw per hour of week: 168 at most
        sel = np.flatnonzero(how_of == h)
        p = risk.rate[h] / totals[h]
        node[sel] = rng.choice(risk.node_xy.shape[0], size=sel.size, p=p)
    minutes = hour_of * 60.0 + rng.random(n) * 60.0
    order = np.argsort(minutes, kind="stable")
    minutes, node = minutes[order], node[order]
    hod = (start.hour + (minutes // 60).astype(np.int64)) % 24
    night = (hod >= 21) | (hod < 7)
    day_p = np.asarray(_MIX_DAY) / sum(_MIX_DAY)
    night_p = np.asarray(_MIX_NIGHT) / sum(_MIX_NIGHT)
    cat = np.where(night, rng.choice(len(CATEGORIES), size=n, p=night_p),
                   rng.choice(len(CATEGORIES), size=n, p=day_p))
    u = rng.random(n)
    prio = np.empty(n, dtype=np.int64)
    for c, name in enumerate(CATEGORIES):
        sel = cat == c
        cum = np.cumsum(_PRIORITY[name])
        prio[sel] = 1 + np.searchsorted(cum, u[sel] * cum[-1], side="right")
    prio = np.minimum(prio, 3)
    xy = risk.node_xy[node] + rng.normal(0.0, risk.jitter_m, size=(n, 2))
    return _Draw(minutes=minutes, node=node, xy=xy,
                 category=tuple(CATEGORIES[c] for c in cat.tolist()), priority=prio)


def sample_period(risk: RiskMap, start: date | datetime, days: int, *,
                  rng: np.random.Generator) -> SimIncidents:
    """A test period's incidents drawn from the TRUE risk map (not from any forecast), in the
    simulator's form: minutes from midnight of ``start`` (or from ``start``, on the hour)."""
    if days < 1:
        raise FromOsmError(f"days must be at least 1; got {days}")
    t0 = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    if t0.minute or t0.second or t0.microsecond:
        raise FromOsmError(f"start must be on the hour; got {t0.isoformat()}")
    d = _draw(risk, t0, days * 24, rng)
    return SimIncidents(ids=tuple(f"T{i + 1}" for i in range(len(d.minutes))),
                        minutes=d.minutes, xy=d.xy, category=d.category, priority=d.priority)


# --- the network ----------------------------------------------------------------------------------


def _subset(roads: Roads, keep_edge: npt.NDArray[np.bool_]) -> Roads:
    """The edges ``keep_edge`` and the nodes they use, order kept."""
    used = np.zeros(roads.n_nodes, dtype=bool)
    used[roads.u[keep_edge]] = True
    used[roads.v[keep_edge]] = True
    return restrict(roads, used, keep_edge)


def _clip(roads: Roads, crs: CRS, bbox: tuple[float, float, float, float]) -> Roads:
    """The edges with both ends inside ``bbox`` (WGS 84 west, south, east, north)."""
    lon, lat = Projector(crs.working).to_lonlat(roads.xy[:, 0], roads.xy[:, 1])
    w, s, e, n = bbox
    inside = (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
    out = _subset(roads, inside[roads.u] & inside[roads.v])
    if out.n_edges < 10:
        raise FromOsmError(f"--bbox {','.join(f'{v:g}' for v in bbox)}: holds {out.n_edges} "
                           "road edges of the file; a scenario needs a street network (at "
                           "least 10)")
    return out


def _without_service(roads: Roads) -> Roads:
    """``roads`` less ``highway=service`` (driveways, parking aisles, alleys), as osmnx's drive
    network leaves them out; nodes left without an edge go too."""
    return _subset(roads, np.array([c != "service" for c in roads.road_class], dtype=bool))


def _strong_car_piece(roads: Roads) -> Roads:
    """The largest piece of ``roads`` a car can drive through both ways (one-way respected)."""
    fwd = np.concatenate([roads.u, roads.v[~roads.oneway]])
    bwd = np.concatenate([roads.v, roads.u[~roads.oneway]])
    g = sparse.csr_array((np.ones(fwd.size), (fwd, bwd)), shape=(roads.n_nodes, roads.n_nodes))
    _, labels = connected_components(g, directed=True, connection="strong")
    keep = labels == int(np.argmax(np.bincount(labels)))
    return restrict(roads, keep, keep[roads.u] & keep[roads.v])


def _read_roads(src: Path, opts: BuildOptions) -> tuple[Roads, CRS, _Source]:
    """The roads of ``src``: an OpenStreetMap file (its drive network) or a GIS line layer."""
    if src.name.lower().endswith(net_imports.LINE_SUFFIXES):
        return _read_lines(src, opts)
    given = [f"--{o.replace('_', '-')}" for o in ("layer", "class_column", "name_column",
                                                   "oneway_column", "speed_column")
             if getattr(opts, o) is not None]
    if given:
        raise FromOsmError(f"{', '.join(given)}: only for GIS line layers "
                           f"({', '.join(net_imports.LINE_SUFFIXES)}), not for the OpenStreetMap "
                           f"file {str(src)!r}")
    roads, crs = _read_osm(src)
    return roads, crs, _Source(path=src, kind="osm")


#: Columns read as the road class / the street name of a GIS line layer when the options do not
#: name one (the first present, case-insensitive): Montréal's géobase, then common English names.
CLASS_COLUMNS: tuple[str, ...] = ("ClsRte", "highway", "road_class", "fclass", "class", "type")
NAME_COLUMNS: tuple[str, ...] = ("name", "nom_voie", "nom", "street", "st_name", "full_name")


def _unprefixed(exc: Exception, path: Path, layer: str | None = None) -> str:
    """The import error's message less its leading ``path: `` (or ``path, layer 'x': ``): our
    message names the file already."""
    text = str(exc)
    for prefix in (f"{path}, layer {layer!r}: ", f"{path}: "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _read_lines(src: Path, opts: BuildOptions) -> tuple[Roads, CRS, _Source]:
    if not src.exists():
        raise FromOsmError(f"PBF {str(src)!r}: the file does not exist")
    if not src.is_file():
        raise FromOsmError(f"PBF {str(src)!r}: not a file")
    try:
        import pyogrio

        listed = pyogrio.list_layers(src)
    except ImportError:
        raise FromOsmError(f"PBF {str(src)!r}: reading GIS line layers needs pyogrio "
                           "(pip install pyogrio)") from None
    except Exception as exc:  # GDAL cannot open it
        raise FromOsmError(f"PBF {str(src)!r}: cannot be read as a GIS file: {exc}") from None
    try:
        layer = choose_layer(listed, opts.layer, "linestring")
    except LayerChoiceError as exc:
        raise FromOsmError(exc.explain("--layer", opts.layer, "road", repr(str(src)))) from None
    fields = [str(f) for f in pyogrio.read_info(src, layer=layer)["fields"]]

    def column(option: str, given: str | None, known: Sequence[str]) -> str | None:
        if given is not None:
            if given not in fields:
                listed_fields = ", ".join(fields) or "(none)"
                raise FromOsmError(f"--{option} {given!r}: layer {layer!r} of {str(src)!r} has "
                                   f"no such column; its columns are: {listed_fields}")
            return given
        lower = {f.lower(): f for f in fields}
        return next((lower[k.lower()] for k in known if k.lower() in lower), None)

    class_col = column("class-column", opts.class_column, CLASS_COLUMNS)
    name_col = column("name-column", opts.name_column, NAME_COLUMNS)
    oneway_col = column("oneway-column", opts.oneway_column, ())
    speed_col = column("speed-column", opts.speed_column, ())
    try:
        roads, crs = net_imports.import_lines(src, layer=layer, class_column=class_col,
                                              name_column=name_col, oneway_column=oneway_col,
                                              speed_column=speed_col, cli_options=True)
    except (net_imports.NetworkImportError, ValueError) as exc:
        raise FromOsmError(f"PBF {str(src)!r}, --layer {layer!r}: "
                           f"{_unprefixed(exc, src, layer)}") from None
    if roads.n_edges < 10:
        raise FromOsmError(f"PBF {str(src)!r}, --layer {layer!r}: holds {roads.n_edges} road "
                           "edges; a scenario needs a street network (at least 10)")
    if not crs.declared.upper().startswith("EPSG:"):
        raise FromOsmError(f"PBF {str(src)!r}, --layer {layer!r}: its CRS {crs.declared!r} has "
                           "no EPSG code; the scenario's areas are written with one")
    return roads, crs, _Source(path=src, kind="lines", layer=layer, class_column=class_col,
                               name_column=name_col, oneway_column=oneway_col,
                               speed_column=speed_col)


@dataclass(frozen=True)
class _Source:
    """Where the roads came from: what the folder's README and scenario.toml say of them."""

    path: Path
    kind: str  # "osm" | "lines"
    layer: str | None = None
    class_column: str | None = None
    name_column: str | None = None
    oneway_column: str | None = None
    speed_column: str | None = None

    @property
    def label(self) -> str:
        return self.path.name if self.layer is None else f"{self.path.name}, layer {self.layer}"


def _read_osm(pbf: Path) -> tuple[Roads, CRS]:
    if not pbf.exists():
        raise FromOsmError(f"PBF {str(pbf)!r}: the file does not exist")
    if not pbf.is_file():
        raise FromOsmError(f"PBF {str(pbf)!r}: not a file")
    if not pbf.name.lower().endswith(net_imports.OSM_SUFFIXES):
        raise FromOsmError(f"PBF {str(pbf)!r}: not an OpenStreetMap file name; it must end in "
                           f"{', '.join(net_imports.OSM_SUFFIXES)} (or be a GIS line layer: "
                           f"{', '.join(net_imports.LINE_SUFFIXES)})")
    try:
        roads, crs = net_imports.import_osm(pbf, network_type="drive")
    except net_imports.NetworkImportError as exc:
        raise FromOsmError(f"PBF {str(pbf)!r}: {_unprefixed(exc, pbf)}") from None
    except Exception as exc:  # osmium's own errors: the file is not readable OSM data
        raise FromOsmError(f"PBF {str(pbf)!r}: cannot be read as OpenStreetMap data: "
                           f"{exc}") from None
    if roads.n_edges < 10:
        raise FromOsmError(f"PBF {str(pbf)!r}: holds {roads.n_edges} drivable road edges; a "
                           "scenario needs a street network (at least 10)")
    return roads, crs


# --- geometry helpers -----------------------------------------------------------------------------


def _spread(order: Sequence[int], xy: FloatArray, count: int, spacing: float,
            taken: Sequence[int] = ()) -> list[int]:
    """The first ``count`` of ``order`` at least ``spacing`` metres from each other and from
    ``taken``."""
    chosen: list[int] = []
    pts = [xy[t] for t in taken]
    for i in order:
        if len(chosen) >= count:
            break
        p = xy[i]
        if all(float(np.hypot(*(p - q))) >= spacing for q in pts):
            chosen.append(int(i))
            pts.append(p)
    return chosen


def _poly_coords(geom: shapely.Polygon | shapely.MultiPolygon) -> dict[str, object]:
    def ring(r: shapely.LinearRing) -> list[list[float]]:
        return [[round(float(a), 1), round(float(b), 1)] for a, b in r.coords]

    def poly(p: shapely.Polygon) -> list[list[list[float]]]:
        return [ring(p.exterior), *(ring(i) for i in p.interiors)]

    if isinstance(geom, shapely.Polygon):
        return {"type": "Polygon", "coordinates": poly(geom)}
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in geom.geoms]}


def _as_area(geom: shapely.Geometry) -> shapely.Polygon | shapely.MultiPolygon:
    geom = shapely.make_valid(geom)
    if isinstance(geom, shapely.GeometryCollection):
        polys = [g for g in geom.geoms if isinstance(g, shapely.Polygon | shapely.MultiPolygon)]
        geom = shapely.union_all(polys)
    if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        raise FromOsmError(f"internal: an area is a {geom.geom_type}, not a polygon")
    return geom


# --- the build ------------------------------------------------------------------------------------


@dataclass
class _Grid:
    id: str
    row: int
    col: int
    geom: shapely.Polygon
    road_km: float
    zone: str = ""


@dataclass
class _Post:
    id: str
    name: str
    kind: str
    node: int
    night_only: bool = False


@dataclass
class _Unit:
    id: str
    tier: str
    mode: str
    squad: str
    home_post: str
    seats: int | None
    name: str


@dataclass
class _Person:
    id: str
    role: str
    team: str
    squad: str
    skills: list[str] = field(default_factory=list)
    tier: str = "special"


def _check_outdir(outdir: Path, force: bool) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise FromOsmError(f"OUTDIR {str(outdir)!r}: exists and is not a folder")
    if outdir.is_dir() and any(outdir.iterdir()):
        if not force:
            raise FromOsmError(f"OUTDIR {str(outdir)!r}: exists and is not empty; choose a new "
                               "folder or pass --force to replace its contents")
        if not (outdir / "scenario.toml").is_file():
            raise FromOsmError(f"OUTDIR {str(outdir)!r}: --force replaces only a scenario folder "
                               "(one with scenario.toml); this one has none, so it is left alone")


def _swap_in(work: Path, out: Path) -> None:
    """:func:`xunfang._files.swap_in`, its failure said as the command's."""
    try:
        swap_in(work, out)
    except OSError as exc:
        raise FromOsmError(f"OUTDIR {str(out)!r}: the new scenario could not be moved into "
                           f"place ({exc}); the folder is left as it was") from None


def build_from_osm(pbf: str | os.PathLike[str], outdir: str | os.PathLike[str],
                   options: BuildOptions | None = None) -> BuildSummary:
    """Build the scenario folder ``outdir`` from the OpenStreetMap file ``pbf`` — or from a GIS
    line layer (``.gpkg``, ``.shp``, ``.geojson``; ``options.layer``), read by
    :func:`xunfang.network.imports.import_lines` (see module)."""
    opts = options or BuildOptions()
    opts.check()
    src = Path(pbf)
    out = Path(outdir)
    _check_outdir(out, opts.force)
    raw, crs0, source = _read_roads(src, opts)
    clipped = raw if opts.bbox is None else _clip(raw, crs0, opts.bbox)
    kept = clipped if opts.service_roads else _without_service(clipped)
    roads = _strong_car_piece(kept) if kept.n_edges else kept
    if roads.n_edges < MIN_EDGES:
        # checked again here: a box can hold enough edges that are mostly service roads or
        # small one-way pieces (the build then failed on an empty argmax or NaN weights)
        where = (f"--bbox {','.join(f'{v:g}' for v in opts.bbox)}" if opts.bbox is not None
                 else f"PBF {str(src)!r}")
        service = "" if opts.service_roads else \
            f", {kept.n_edges} once service roads are left out (--service-roads keeps them)"
        raise FromOsmError(f"{where}: holds {clipped.n_edges} road edges{service} and "
                           f"{roads.n_edges} in the largest piece a car can drive through both "
                           f"ways; a scenario needs a street network (at least {MIN_EDGES} "
                           "edges in that piece)")
    crs = CRS(declared=crs0.working, working=crs0.working)
    rng = np.random.default_rng(opts.seed)
    name = opts.name or out.resolve().name

    # the risk map (synthetic, seeded)
    spots = _hotspots(roads, rng)
    risk = RiskMap(node_ids=roads.node_ids, node_xy=roads.xy,
                   rate=_rate(roads, spots, opts.incidents_per_day), hotspots=spots,
                   seed=opts.seed)
    weight = risk.node_weight()
    xy = roads.xy

    grids, dropped = _grids(roads, opts)
    if not grids:
        raise FromOsmError(f"--grid-m {opts.grid_m:g}: no grid cell holds enough road; use "
                           "smaller cells")
    zones = _zones(grids, opts.zone_grids)
    grid_union = shapely.union_all([g.geom for g in grids])

    # sites: the highest-risk nodes inside the gridded area, spread out
    inside = shapely.contains_xy(grid_union, xy[:, 0], xy[:, 1])
    order = [int(i) for i in np.argsort(-weight, kind="stable") if inside[i]]
    n1 = max(3, len(zones))
    picked = _spread(order, xy, n1 * 5, opts.site_spacing_m)
    tiers = [1] * min(n1, len(picked)) + [2] * (2 * n1) + [3] * (2 * n1)
    sites = list(zip(picked, tiers[:len(picked)], strict=True))

    net = RoadNetwork.from_roads(roads, policy=_policy_for_build())
    posts = _posts(roads, net, weight, zones, grids, sites, spots, opts)
    rings = _rings(grid_union, spots, sites, xy, weight)
    lines = _lines(roads, net, opts, _line_names(roads))
    units, people = _forces(posts, opts, len(grids))

    # the incident history from the same map
    end = opts.history_end or date.today()
    t0 = datetime.combine(end - timedelta(days=opts.history_days), datetime.min.time())
    hist = _draw(risk, t0, opts.history_days * 24, rng)

    # everything is written into a new sibling folder and swapped in only when complete: a
    # failure midway (a full disk) leaves OUTDIR as it was, never half a scenario
    work = new_sibling(out, "building")
    try:
        net_imports.write_network(roads, crs, work, name=name, source=src)
        (work / "scenario.toml").unlink()  # written again below, with the policy
        _write_toml(work / "scenario.toml", name, opts, crs.declared, source)
        _write_areas(work / "areas.geojson", crs.declared, zones, grids, rings)
        ids = roads.node_ids
        _write_csv(work / "sites.csv", ("id", "name", "kind", "tier", "x", "y", "node"), [
            (f"S{k + 1:03d}", f"Hot spot {k + 1} ({roads_name_at(roads, i)})", "hot_spot",
             str(t), f"{xy[i, 0]:.1f}", f"{xy[i, 1]:.1f}", ids[i])
            for k, (i, t) in enumerate(sites)])
        _write_csv(work / "posts.csv", ("id", "name", "kind", "night_only", "x", "y", "node"), [
            (p.id, p.name, p.kind, "1" if p.night_only else "0", f"{xy[p.node, 0]:.1f}",
             f"{xy[p.node, 1]:.1f}", ids[p.node]) for p in posts])
        _write_csv(work / "lines.csv", ("line", "seq", "node", "every_minutes"), [
            (lid, str(s + 1), ids[n], f"{every:g}") for lid, nodes, every in lines
            for s, n in enumerate(nodes)])
        _write_csv(work / "units.csv",
                   ("id", "tier", "mode", "squad", "home_post", "seats", "name"),
                   [(u.id, u.tier, u.mode, u.squad, u.home_post,
                     "" if u.seats is None else str(u.seats), u.name) for u in units])
        _write_csv(work / "people.csv", ("id", "role", "team", "squad", "skills", "tier"),
                   [(p.id, p.role, p.team, p.squad, ";".join(p.skills), p.tier) for p in people])
        _write_csv(work / "incidents.csv", ("id", "time", "x", "y", "category", "priority"), [
            (f"I{k + 1:07d}", (t0 + timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%M"),
             f"{hist.xy[k, 0]:.1f}", f"{hist.xy[k, 1]:.1f}", hist.category[k],
             str(int(hist.priority[k]))) for k, m in enumerate(hist.minutes.tolist())])
        (work / "truth").mkdir(exist_ok=True)
        (work / "truth" / "risk_map.json").write_text(
            json.dumps(risk.as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _write_readme(work / "README.md", name, source, opts, roads, raw.n_nodes, len(grids),
                      dropped, risk, end, len(lines))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _swap_in(work, out)
    kinds: dict[str, int] = {}
    for p in posts:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    modes: dict[str, int] = {}
    for u in units:
        modes[f"{u.tier}/{u.mode}"] = modes.get(f"{u.tier}/{u.mode}", 0) + 1
    return BuildSummary(folder=out, crs=crs.declared, nodes=roads.n_nodes, edges=roads.n_edges,
                        dropped_nodes=raw.n_nodes - roads.n_nodes, grids=len(grids),
                        dropped_grids=dropped, zones=len(zones), sites=len(sites), posts=kinds,
                        lines=len(lines), units=modes, people=len(people),
                        incidents=len(hist.minutes), risk=risk)


def roads_name_at(roads: Roads, node: int) -> str:
    """The name of a named road at ``node`` (main roads first), else its node id."""
    at = np.flatnonzero((roads.u == node) | (roads.v == node))
    named = [(roads.road_class[e] not in _MAIN, roads.name[e]) for e in at.tolist()
             if roads.name[e]]
    return min(named)[1] if named else f"node {roads.node_ids[node]}"


def _policy_for_build() -> Policy:
    return Policy(speeds_kph=cast(dict[Mode, float], dict(_SPEEDS)))


_SPEEDS = {"car": 50.0, "motorcycle": 45.0, "balance": 12.0, "foot": 5.0, "drone": 60.0}


def _grids(roads: Roads, opts: BuildOptions) -> tuple[list[_Grid], int]:
    g = opts.grid_m
    lo = np.floor(roads.xy.min(axis=0) / g) * g
    hi = roads.xy.max(axis=0)
    ncol = max(1, math.ceil((hi[0] - lo[0]) / g))
    nrow = max(1, math.ceil((hi[1] - lo[1]) / g))
    mid = 0.5 * (roads.xy[roads.u] + roads.xy[roads.v])
    col = np.clip(((mid[:, 0] - lo[0]) // g).astype(np.int64), 0, ncol - 1)
    row = np.clip(((mid[:, 1] - lo[1]) // g).astype(np.int64), 0, nrow - 1)
    km = np.zeros((nrow, ncol))
    np.add.at(km, (row, col), roads.length_m / 1000.0)
    ncol_n = np.clip(((roads.xy[:, 0] - lo[0]) // g).astype(np.int64), 0, ncol - 1)
    nrow_n = np.clip(((roads.xy[:, 1] - lo[1]) // g).astype(np.int64), 0, nrow - 1)
    nodes = np.zeros((nrow, ncol), dtype=np.int64)
    np.add.at(nodes, (nrow_n, ncol_n), 1)
    nonzero = km[km > 0]
    floor = opts.min_road_share * float(np.median(nonzero)) if nonzero.size else 0.0
    out: list[_Grid] = []
    dropped = 0
    wr, wc = max(2, len(str(nrow))), max(2, len(str(ncol)))  # ids stay unique past 99
    for r in range(nrow - 1, -1, -1):  # north first, west to east: reading order on a map
        for c in range(ncol):
            if km[r, c] <= 0:
                continue
            if km[r, c] < floor or nodes[r, c] < 3:
                dropped += 1
                continue
            x0, y0 = lo[0] + c * g, lo[1] + r * g
            geom = shapely.box(x0, y0, x0 + g, y0 + g)
            out.append(_Grid(id=f"G{nrow - r:0{wr}d}{c + 1:0{wc}d}", row=nrow - 1 - r, col=c,
                             geom=geom, road_km=float(km[r, c])))
    return out, dropped


def _zones(grids: list[_Grid], k: int) -> list[tuple[str, list[_Grid]]]:
    blocks: dict[tuple[int, int], list[_Grid]] = {}
    for gr in grids:
        blocks.setdefault((gr.row // k, gr.col // k), []).append(gr)
    zones = []
    for n, key in enumerate(sorted(blocks), start=1):
        zid = f"Z{n}"
        for gr in blocks[key]:
            gr.zone = zid
        zones.append((zid, blocks[key]))
    return zones


def _nearest(xy: FloatArray, p: tuple[float, float], allowed: npt.NDArray[np.bool_]) -> int:
    d = np.hypot(xy[:, 0] - p[0], xy[:, 1] - p[1])
    d = np.where(allowed, d, np.inf)
    return int(np.argmin(d))


def _main_nodes(roads: Roads) -> npt.NDArray[np.bool_]:
    """The nodes on a main road (trunk to tertiary); every node when no edge has such a class
    (a GIS layer without a class column): posts and siting candidates then range over all."""
    main = np.array([c in _MAIN for c in roads.road_class], dtype=bool)
    if not main.any():
        return np.ones(roads.n_nodes, dtype=bool)
    out = np.zeros(roads.n_nodes, dtype=bool)
    out[roads.u[main]] = True
    out[roads.v[main]] = True
    return out


def _posts(roads: Roads, net: RoadNetwork, weight: FloatArray,
           zones: list[tuple[str, list[_Grid]]], grids: list[_Grid],
           sites: list[tuple[int, int]], spots: Sequence[HotSpot], opts: BuildOptions
           ) -> list[_Post]:
    xy = roads.xy
    main = _main_nodes(roads)
    used: set[int] = set()
    posts: list[_Post] = []

    def free(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        m = mask.copy()
        m[list(used)] = False
        return m

    # a police station per zone: the risk-weighted median main-road node of the zone
    for k, (zid, cells) in enumerate(zones, start=1):
        area = shapely.union_all([c.geom for c in cells])
        inz = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
        cand = np.flatnonzero(free(inz & main)) if (inz & main).any() else np.flatnonzero(inz)
        pts = np.flatnonzero(inz)
        w = weight[pts]
        if cand.size > 400:  # the 400 nearest the zone's risk-weighted centre are enough
            centre = (w[:, None] * xy[pts]).sum(axis=0) / max(float(w.sum()), 1e-12)
            near = np.argsort(np.hypot(*(xy[cand] - centre).T), kind="stable")[:400]
            cand = np.sort(cand[near])
        cost = [float((w * np.hypot(*(xy[pts] - xy[c]).T)).sum()) for c in cand.tolist()]
        best = int(cand[int(np.argmin(cost))])
        used.add(best)
        posts.append(_Post(f"PS{k}", f"Police station {zid} ({roads_name_at(roads, best)})",
                           "police_station", best))
    # rapid-response points at the strongest hot spots (ring 1)
    strong = sorted(spots, key=lambda s: -s.amplitude)[:2]
    for k, s in enumerate(strong, start=1):
        n = _nearest(xy, (s.x, s.y), free(np.ones(roads.n_nodes, dtype=bool)))
        used.add(n)
        posts.append(_Post(f"RP{k}", f"Rapid-response point {k} ({roads_name_at(roads, n)})",
                           "rapid", n))
    # standby points and patrol stations: maximal covering of the risk in the 3-minute ring
    # (car, free flow), the posts above counted as existing
    p = max(3, round(0.75 * len(zones)))
    gridded = shapely.union_all([g.geom for g in grids])
    inside = shapely.contains_xy(gridded, xy[:, 0], xy[:, 1])
    cand_all = np.flatnonzero(free(main & inside))
    rng = np.random.default_rng(opts.seed + 1)
    if cand_all.size > 500:  # a sample of main-road nodes keeps the matrix small
        cand_all = np.sort(rng.choice(cand_all, size=500, replace=False))
    if cand_all.size < p:  # too little road: the siting would fail without naming why
        where = ("the roads" if opts.bbox is None
                 else f"--bbox {','.join(f'{v:g}' for v in opts.bbox)}")
        raise FromOsmError(f"{where}: the gridded area has {cand_all.size} free main-road "
                           f"nodes for the {p} standby points and patrol stations; a scenario "
                           "needs more road" + ("" if opts.bbox is None else " (a larger box)"))
    demand = np.flatnonzero(inside & (weight > 0))
    inst = siting.SitingInstance.from_network(
        net, demand_nodes=demand, candidate_nodes=cand_all,
        existing_nodes=np.array([q.node for q in posts], dtype=np.int64), target_minutes=3.0,
        weights=weight[demand], cutoff_minutes=3.0)
    res = siting.mclp(inst, p=p, time_limit=30.0)
    ids = {n: i for i, n in enumerate(roads.node_ids)}
    added = [ids[a] for a in (res.added_ids or ())]
    added.sort(key=lambda n: -float(weight[n]))
    half = (len(added) + 1) // 2
    for k, n in enumerate(added[:half], start=1):
        used.add(n)
        posts.append(_Post(f"SB{k}", f"Standby point {k} ({roads_name_at(roads, n)})",
                           "standby", n))
    for k, n in enumerate(added[half:], start=1):
        used.add(n)
        posts.append(_Post(f"ST{k}", f"Patrol station {k} ({roads_name_at(roads, n)})",
                           "station", n))
    # a street kiosk at the busiest tier-2 site
    tier2 = [i for i, t in sites if t == 2 and i not in used]
    if tier2:
        used.add(tier2[0])
        posts.append(_Post("KS1", f"Street police kiosk ({roads_name_at(roads, tier2[0])})",
                           "kiosk", tier2[0]))
    # exits where main roads reach the edge of the network's hull; checkpoints at the four busiest
    hull = shapely.convex_hull(shapely.multipoints(xy))
    edge = np.asarray(shapely.distance(shapely.points(xy), hull.boundary), dtype=np.float64)
    big = np.array([c in _BIG for c in roads.road_class], dtype=bool)
    on_big = np.zeros(roads.n_nodes, dtype=bool)
    on_big[roads.u[big]] = True
    on_big[roads.v[big]] = True
    if not big.any():  # no road classes (a GIS layer without one): any road at the edge
        on_big[:] = True
    near = np.flatnonzero(on_big & (edge < 300.0))
    near = near[np.argsort(edge[near], kind="stable")]
    exits = _spread(near.tolist(), xy, 10, 800.0)
    for k, n in enumerate(exits, start=1):
        posts.append(_Post(f"X{k}", f"Exit {k} ({roads_name_at(roads, n)})", "exit", n))
    cps = sorted(exits, key=lambda n: -float(weight[n]))[:opts.checkpoints]
    for k, n in enumerate(cps, start=1):
        night = k > (len(cps) + 1) // 2
        label = "Night checkpoint" if night else "Checkpoint"
        posts.append(_Post(f"CP{k}", f"{label} {k} ({roads_name_at(roads, n)})", "checkpoint",
                           n, night_only=night))
    # cameras at tier-1/2 sites and the checkpoints
    cams = [i for i, t in sites if t <= 2] + cps
    for k, n in enumerate(cams, start=1):
        posts.append(_Post(f"CAM{k:02d}", f"Camera {k} ({roads_name_at(roads, n)})", "camera",
                           n))
    return posts


def _rings(grid_union: shapely.Geometry, spots: Sequence[HotSpot], sites: list[tuple[int, int]],
           xy: FloatArray, weight: FloatArray) -> list[tuple[int, shapely.Geometry]]:
    strong = sorted(spots, key=lambda s: -s.amplitude)[:2]
    r1 = shapely.union_all([shapely.Point(s.x, s.y).buffer(400.0) for s in strong])
    r2 = shapely.union_all([shapely.Point(*xy[i]).buffer(300.0) for i, t in sites if t <= 2])
    return [(1, shapely.intersection(r1, grid_union)),
            (2, shapely.intersection(shapely.union(r1, r2), grid_union)),
            (3, grid_union)]


def _line_names(roads: Roads) -> tuple[str, ...]:
    """The names the mandatory lines follow: the street names, or — when no primary/secondary
    edge has one (a GIS layer without a name column) — the straightest chains of such edges."""
    if any(nm and cl in _LINE_CLASSES for nm, cl in zip(roads.name, roads.road_class,
                                                         strict=True)):
        return roads.name
    return _strokes(roads)


def _strokes(roads: Roads, max_turn_deg: float = 40.0) -> tuple[str, ...]:
    """Unnamed primary/secondary two-way edges chained into "strokes": at each node the two
    edges that continue each other most straightly (turn under ``max_turn_deg``, straightest
    pair first) are joined; a stroke stands in for a named road. Other edges get ``""``."""
    sel = np.flatnonzero(np.array([c in _LINE_CLASSES for c in roads.road_class], dtype=bool)
                         & ~roads.oneway)
    parent = {int(e): int(e) for e in sel}

    def find(e: int) -> int:
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    at: dict[int, list[tuple[int, FloatArray]]] = {}
    for e in sel.tolist():
        a, b = int(roads.u[e]), int(roads.v[e])
        d = roads.xy[b] - roads.xy[a]
        n = float(np.hypot(*d))
        if n <= 0:
            continue
        at.setdefault(a, []).append((e, d / n))   # leaving a towards b
        at.setdefault(b, []).append((e, -d / n))  # leaving b towards a
    cos_max = math.cos(math.radians(max_turn_deg))
    for node in sorted(at):
        arms = at[node]
        pairs = []
        for i in range(len(arms)):
            for j in range(i + 1, len(arms)):
                straight = -float(arms[i][1] @ arms[j][1])  # 1: arms point opposite ways
                if arms[i][0] != arms[j][0] and straight >= cos_max:
                    pairs.append((-straight, i, j))
        done: set[int] = set()
        for _, i, j in sorted(pairs):
            if i in done or j in done:
                continue
            done.update((i, j))
            parent[find(arms[i][0])] = find(arms[j][0])
    names = [""] * roads.n_edges
    for e in sel.tolist():
        names[e] = f"stroke {find(int(e))}"
    return tuple(names)


def _lines(roads: Roads, net: RoadNetwork, opts: BuildOptions,
           road_names: Sequence[str] | None = None) -> list[tuple[str, list[int], float]]:
    """Mandatory lines along the longest named two-way main roads (the fastest car path
    between the road's two ends, kept only where every step is a two-way street, so that a
    unit can patrol it back and forth), cut at ``line_max_km``. ``road_names`` (default the
    street names) says which edges make one road."""
    names_of = roads.name if road_names is None else tuple(road_names)
    by_name: dict[str, float] = {}
    for e, (nm, cl) in enumerate(zip(names_of, roads.road_class, strict=True)):
        if nm and cl in _LINE_CLASSES and not roads.oneway[e]:
            by_name[nm] = by_name.get(nm, 0.0) + float(roads.length_m[e])
    names = sorted(by_name, key=lambda n: (-by_name[n], n))
    want = max(2, min(6, round(len(names) / 4)))
    out: list[tuple[str, list[int], float]] = []
    everies = (120.0, 180.0, 240.0)
    two = ~roads.oneway
    two_way = set(zip(roads.u[two].tolist(), roads.v[two].tolist(), strict=True)) | set(
        zip(roads.v[two].tolist(), roads.u[two].tolist(), strict=True))
    for nm in names:
        if len(out) >= want:
            break
        es = [e for e, n in enumerate(names_of) if n == nm]
        nodes = np.unique(np.concatenate([roads.u[es], roads.v[es]]))
        pts = roads.xy[nodes]
        centred = pts - pts.mean(axis=0)
        axis = np.linalg.svd(centred, full_matrices=False)[2][0]
        proj = centred @ axis
        a, b = int(nodes[int(np.argmin(proj))]), int(nodes[int(np.argmax(proj))])
        try:
            path = shortest_path(net, a, b, mode="car")
        except ValueError:
            continue
        if not all((a_, b_) in two_way for a_, b_ in zip(path[:-1].tolist(),
                                                          path[1:].tolist(), strict=True)):
            continue  # a line is patrolled back and forth: two-way streets only
        steps = np.hypot(*np.diff(roads.xy[path], axis=0).T)
        keep = int(np.searchsorted(np.cumsum(steps), opts.line_max_km * 1000.0)) + 1
        path = path[: max(2, min(keep + 1, len(path)))]
        if len(path) < 2:
            continue
        out.append((f"L{len(out) + 1}", [int(n) for n in path.tolist()],
                    everies[len(out) % len(everies)]))
    return out


TEAMS: tuple[str, ...] = ("A", "B", "C", "D")
_CREW = {"car": 2, "motorcycle": 1, "foot": 1, "balance": 1, "drone": 1}


def _forces(posts: list[_Post], opts: BuildOptions, n_grids: int
            ) -> tuple[list[_Unit], list[_Person]]:
    by_kind: dict[str, list[_Post]] = {}
    for p in posts:
        by_kind.setdefault(p.kind, []).append(p)
    rapid = by_kind.get("rapid", [])
    standby = by_kind.get("standby", [])
    stations = by_kind.get("station", []) or standby or rapid
    cps = by_kind.get("checkpoint", [])
    n_cp = (len(cps) + 1) // 2
    fixed_cars = len(rapid) + len(standby)
    need = fixed_cars + n_cp + 3
    n = opts.units if opts.units is not None else max(need, min(200, round(0.5 * n_grids) + need))
    if n < need:
        raise FromOsmError(f"--units {n}: this city needs at least {need} (a car at each of the "
                           f"{fixed_cars} rapid/standby points, {n_cp} checkpoint car(s) and 3 "
                           "patrol units)")
    rest = n - fixed_cars - n_cp
    moto = round(0.35 * rest)
    foot = round(0.2 * rest)
    cars = rest - moto - foot
    units: list[_Unit] = []
    for k, p in enumerate([*rapid, *standby], start=1):
        units.append(_Unit(f"SP-F{k}", "special", "car", "fixed", p.id, 5,
                           f"Fixed car {k} at {p.id}"))
    for k in range(1, n_cp + 1):
        home = stations[(k - 1) % len(stations)].id
        units.append(_Unit(f"SP-K{k}", "special", "car", "checkpoint", home, 5,
                           f"Checkpoint car {k}"))
    for k in range(1, cars + 1):
        home = stations[(k - 1) % len(stations)].id
        units.append(_Unit(f"SP-C{k}", "special", "car", "patrol", home, 4, f"Patrol car {k}"))
    for k in range(1, moto + 1):
        home = stations[(k - 1) % len(stations)].id
        units.append(_Unit(f"SP-M{k}", "special", "motorcycle", "patrol", home, 1,
                           f"Motorcycle {k}"))
    homes = [*rapid, *standby] or stations
    for k in range(1, foot + 1):
        home = homes[(k - 1) % len(homes)].id
        units.append(_Unit(f"SP-W{k}", "special", "foot", "fixed", home, None,
                           f"Foot patrol {k}"))
    drones = 2 if n >= 10 else 1
    for k in range(1, drones + 1):
        home = (standby or stations)[(k - 1) % len(standby or stations)].id
        units.append(_Unit(f"SP-D{k}", "special", "drone", "patrol", home, None, f"Drone {k}"))
    people: list[_Person] = []
    # four rotating teams, each able to crew every special unit, two spares per squad
    squads = ("fixed", "checkpoint", "patrol")
    for t in TEAMS:
        k = 0
        for sq in squads:
            mine = [u for u in units if u.squad == sq and u.tier == "special"]
            crew: list[list[str]] = []
            for u in mine:
                for seat in range(_CREW[u.mode]):
                    skills = []
                    if u.mode == "car" and seat == 0:
                        skills.append("driver")
                    if u.mode == "motorcycle":
                        skills.append("motorcycle")
                    if u.mode == "drone":
                        skills.append("drone_pilot")
                    crew.append(skills)
            crew += [["driver"], ["motorcycle"] if sq == "patrol" else []]
            for j, skills in enumerate(crew):
                k += 1
                lead = j == 0
                people.append(_Person(f"{t}{k:03d}", "police" if lead else "auxiliary", t, sq,
                                      [*skills, "team_leader"] if lead else skills))
    # precinct cars (one per police station, their own crews, not rotated) and volunteers;
    # a two-person car round the clock is 48 crew-hours a day: 6 people at 8 hours a day (4
    # had been named, and the scenario check warns of a duty list short of its units' hours)
    for p in by_kind.get("police_station", []):
        units.append(_Unit(f"{p.id}-C", "precinct", "car", "patrol", p.id, 5,
                           f"{p.name} patrol car"))
        for j in range(6):
            people.append(_Person(f"{p.id}-{j + 1}", "police" if j < 3 else "auxiliary", p.id,
                                  "patrol", ["driver"] if j in (0, 3) else [], "precinct"))
    vol_home = (by_kind.get("kiosk") or standby or stations)
    for k in range(1, 3):
        home = vol_home[(k - 1) % len(vol_home)].id
        units.append(_Unit(f"VOL-{k}", "auxiliary", "foot", "volunteer", home, None,
                           f"Volunteer group {k}"))
    for j in range(8):
        people.append(_Person(f"V{j + 1:02d}", "volunteer", "VOL", "volunteer", [], "auxiliary"))
    return units, people


# --- writers --------------------------------------------------------------------------------------


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _write_toml(path: Path, name: str, opts: BuildOptions, crs: str, source: _Source) -> None:
    speeds = "\n".join(f"{m} = {v:g}" for m, v in _SPEEDS.items())
    if source.kind == "osm":
        title = opts.title or f"{name} (OpenStreetMap network, synthetic risk)"
        head = (f"# Built by `xunfang scenario from-osm` from {source.path.name} (seed "
                f"{opts.seed}).\n# Road data © OpenStreetMap contributors, ODbL 1.0. Incidents "
                "are SYNTHETIC (see README.md).")
        crs_note = "the local UTM zone of the network"
    else:
        title = opts.title or f"{name} (GIS street network, synthetic risk)"
        head = (f"# Built by `xunfang scenario from-osm` from {source.label} (seed {opts.seed}).\n"
                "# Road data: GIS street centrelines (credit their owner, see README.md). "
                "Incidents are SYNTHETIC.")
        crs_note = "the CRS of the layer"
    path.write_text(f"""{head}
name = {json.dumps(name, ensure_ascii=False)}
title = {json.dumps(title, ensure_ascii=False)}
crs = "{crs}"  # {crs_note}
timezone = "{opts.timezone}"
horizon_days = 1
slot_minutes = 60

[policy]
# the article's 1-3-5 minute rings and tier revisit intervals (as the built-in county)
response_targets = {{ "1" = 1, "2" = 3, "3" = 5 }}
revisit_minutes = {{ "1" = 120, "2" = 240, "3" = 480 }}
# four teams, three 8-hour shifts (四班三运转)
shift_pattern = "4-3"
shift_starts = [8, 16, 0]

[policy.speeds_kph]
{speeds}
""", encoding="utf-8")


def _write_areas(path: Path, crs: str, zones: list[tuple[str, list[_Grid]]],
                 grids: list[_Grid], rings: list[tuple[int, shapely.Geometry]]) -> None:
    code = crs.split(":")[1]
    feats: list[dict[str, object]] = []
    for zid, cells in zones:
        geom = _as_area(shapely.union_all([c.geom for c in cells]))
        feats.append({"type": "Feature", "properties": {
            "id": zid, "kind": "zone", "name": f"Patrol zone {zid[1:]}", "level": None},
            "geometry": _poly_coords(geom)})
    for g in grids:
        feats.append({"type": "Feature", "properties": {
            "id": g.id, "kind": "grid", "name": f"Grid {g.row + 1:02d}-{g.col + 1:02d}",
            "level": None,
            "zone": g.zone, "road_km": round(g.road_km, 2)},
            "geometry": _poly_coords(g.geom)})
    names = {1: "Core area ring", 2: "Crowded places ring", 3: "General area ring"}
    for level, geom in rings:
        feats.append({"type": "Feature", "properties": {
            "id": f"R{level}", "kind": "ring", "name": names[level], "level": level},
            "geometry": _poly_coords(_as_area(geom))})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{code}"}},
           "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")


def _roads_from_lines(source: _Source, opts: BuildOptions, roads: Roads, raw_nodes: int,
                      n_lines: int) -> str:
    """The README's paragraphs on a GIS line layer: what it gave, and each fallback taken."""
    classes: dict[str, int] = {}
    for c in roads.road_class:
        classes[c or "(none)"] = classes.get(c or "(none)", 0) + 1
    mix = ", ".join(f"{c} {n}" for c, n in sorted(classes.items(), key=lambda kv: -kv[1]))
    has_class = any(c in _MAIN or c in _BIG for c in roads.road_class)
    has_names = any(roads.name)
    one = int(np.count_nonzero(roads.oneway))
    speed = int(np.count_nonzero(~np.isnan(roads.speed_kph)))
    flag = "" if opts.service_roads else " less `service` (lanes, alleys)"
    rows = [
        f"- Road class: column `{source.class_column}`, mapped to OpenStreetMap classes by "
        "`xunfang.network.imports.LINE_CLASS_MAP` (Montréal: Autoroute → motorway, Nationale → "
        "trunk, Artère → primary, Collectrice → tertiary, Locale → residential, Ruelle → "
        f"service); edges kept by class: {mix}." if source.class_column else
        "- Road class: none (no class column). FALLBACK: every road weighs 0.6 in the risk "
        "map, and police stations, siting candidates and exits range over every node instead "
        "of the main roads.",
        f"- Street names: column `{source.name_column}`." if has_names else
        "- Street names: none. FALLBACK: mandatory lines follow the longest *strokes* — chains "
        "of two-way primary/secondary edges that continue each other within 40° at each "
        "intersection — instead of named main roads; posts are labelled by node id. "
        f"{n_lines} line(s) written.",
        (f"- One-way: column `{source.oneway_column}`, " if source.oneway_column else
         "- One-way: ") + (f"{one} one-way edges." if one else
        ("it marks none" if source.oneway_column else "no column (--oneway-column)") +
        ", so every street is two-way (FALLBACK); the largest piece is then simply the "
        "largest connected one."),
        (f"- Speed: column `{source.speed_column}`, " if source.speed_column else
         "- Speed: ") + (f"{speed} edges with a speed; the others at the policy's class speed."
        if speed else ("it gives none" if source.speed_column else "no column "
        "(--speed-column)") + "; every edge runs at the policy's speed for its class "
        "(FALLBACK)."),
    ]
    if not has_class and source.class_column:
        rows.append("- No edge maps to a main class (trunk to tertiary): FALLBACK as for no "
                    "class column — stations, candidates and exits range over every node.")
    import textwrap

    bullets = "\n".join(textwrap.fill(r, width=92, subsequent_indent="  ") for r in rows)
    return (f"""**The roads are real** (GIS street centrelines, `{source.label}`;
credit the data's owner wherever results are shown): read by
`xunfang.network.imports.import_lines` (line ends within 0.5 m merged into one
intersection){flag}, {roads.n_nodes} of its {raw_nodes}
intersections kept (the largest piece a car can drive through both ways), {roads.n_edges} edges.

What the layer gives, and where the builder falls back (it was written for OpenStreetMap):

""" + bullets + "\n")


def _write_readme(path: Path, name: str, source: _Source, opts: BuildOptions, roads: Roads,
                  raw_nodes: int, grids: int, dropped: int, risk: RiskMap, end: date,
                  n_lines: int) -> None:
    spots = "\n".join(f"| {k + 1} | {h.kind} | {h.x:.0f}, {h.y:.0f} | {h.sigma_m:.0f} | "
                      f"{h.amplitude:.2f} |" for k, h in enumerate(risk.hotspots))
    src = source.path
    if source.kind == "osm":
        cmd = f"xunfang scenario from-osm {src.name} …"
        about = ("**The roads are real** (OpenStreetMap, © OpenStreetMap contributors, ODbL 1.0): "
                 f"""the drive
network of `{src.name}`, {roads.n_nodes} of its {raw_nodes} intersections kept (the largest
piece a car can drive through both ways, one-way streets respected), {roads.n_edges} edges.
""")
    else:
        cmd = f"xunfang scenario from-osm {src.name} … --layer {source.layer}"
        about = _roads_from_lines(source, opts, roads, raw_nodes, n_lines)
    path.write_text(f"""# `{name}` — a real street network with SYNTHETIC incidents

Built by `{cmd} --seed {opts.seed} --grid-m {opts.grid_m:g}`.

{about}
**Everything else is generated**: grids, zones, rings, key sites, posts, lines, units, people
and incidents. Key sites are the highest-risk nodes of a synthetic risk map ("hot spot N"),
not real places; posts are placed by the project's siting model over that map.

## The risk map (synthetic)

Expected incidents per node and hour = road length at the node (class-weighted: primary 1.6,
secondary 1.4, tertiary 1.2, residential 1, service 0.4, motorways ~0) × (background {_BASE} ×
hour profile + Σ hot-spot bumps × their kind's hours) × a weekday factor (Friday evening 1.3,
Saturday 1.15 / evening 1.45, Sunday), scaled to {risk.per_day:.1f} incidents a day. Counts
are Poisson; each incident lies N(0, {risk.jitter_m:g} m) from its node; categories follow a
day or night mix, priorities the category. No seasons, holidays or near repeats. The
parameters are in `truth/risk_map.json` (the planner never reads it; checks draw test
periods from it with `xunfang.scenario.from_osm.sample_period`).

| hot spot | kind | centre (x, y) | σ (m) | amplitude |
|---|---|---|---|---|
{spots}

History: {opts.history_days} days up to {end.isoformat()} (exclusive), in `incidents.csv`.
Grids: {grids} squares of {opts.grid_m:g} m ({dropped} cells with little road dropped), zones of
{opts.zone_grids}×{opts.zone_grids} cells. These incidents show what the system does on a real
network; they say nothing about crime in the city.
""", encoding="utf-8")
