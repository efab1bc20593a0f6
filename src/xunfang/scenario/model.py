"""The typed values of a jurisdiction (辖区): what a scenario folder holds once loaded.

Everything here is a frozen dataclass. Coordinates are planar metres in the scenario's
*working CRS* (``Scenario.crs.working``): the declared projected CRS, a local planar system,
or — for lon/lat input — the UTM zone of the data. Ids are strings exactly as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Mode = Literal["car", "motorcycle", "balance", "foot", "drone"]
MODES: tuple[Mode, ...] = ("car", "motorcycle", "balance", "foot", "drone")
GROUND_MODES: tuple[Mode, ...] = ("car", "motorcycle", "balance", "foot")

AreaKind = Literal["zone", "grid", "ring"]
AREA_KINDS: tuple[AreaKind, ...] = ("zone", "grid", "ring")

PostKind = Literal[
    "station", "rapid", "standby", "kiosk", "police_station", "checkpoint", "exit", "camera"
]
POST_KINDS: tuple[PostKind, ...] = (
    "station", "rapid", "standby", "kiosk", "police_station", "checkpoint", "exit", "camera"
)
#: Posts that are sources of response and sealing by default (DESIGN.md §3).
STAFFED_POST_KINDS: tuple[PostKind, ...] = (
    "station", "rapid", "standby", "kiosk", "police_station"
)

#: Posts that may be sources of response and sealing; exit and camera posts never are.
SOURCE_POST_KINDS: tuple[PostKind, ...] = (*STAFFED_POST_KINDS, "checkpoint")

Tier = Literal["special", "precinct", "auxiliary", "armed"]
TIERS: tuple[Tier, ...] = ("special", "precinct", "auxiliary", "armed")

#: The kinds of auxiliary force (群防群治) a unit of tier ``auxiliary`` is, by its ``squad``,
#: and the role in people.csv of the people who staff it: grid workers (网格员), volunteers
#: (义警), merchant joint-defence groups (商户联防) and security guards (警保联动). The
#: auxiliary stage (``planning/auxiliary.py``) places every one of them on its streets in its
#: hours; none is dispatched, routed or counted as police.
AUXILIARY_ROLES: Mapping[str, str] = {
    "grid": "grid_worker", "volunteer": "volunteer", "merchant": "merchant", "guard": "guard",
}

#: How much one auxiliary unit's presence counts in visibility (见警率) by its kind, where a
#: police unit counts 1 (ours): a volunteer group, merchants or grid workers in red vests are
#: seen, but are not police; security guards in uniform at a bank count a little more.
AUXILIARY_WEIGHTS: Mapping[str, float] = {
    "grid": 0.5, "volunteer": 0.5, "merchant": 0.5, "guard": 0.8,
}


def parse_hours(text: str) -> tuple[int, ...]:
    """The whole hours of an auxiliary unit's ``hours`` column (units.csv): hours 0-23 and
    ranges ``a-b`` (end exclusive; ``22-2`` runs past midnight) separated by ``;``.
    Raises ``ValueError`` saying the rule for a part that is none of these; ``a-a`` is
    refused (it could mean no hour or all 24: write ``0-24`` for the whole day)."""
    out: list[int] = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        bad = f"{part!r} is not an hour 0-23 or a range like 18-22 (end exclusive, up to 24)"
        ends = part.split("-", 1)
        if not all(x.strip().isdigit() for x in ends):
            raise ValueError(bad)
        if len(ends) == 1:
            h = int(ends[0])
            if not 0 <= h <= 23:
                raise ValueError(bad)
            out.append(h)
            continue
        a, b = int(ends[0]), int(ends[1])
        if not (0 <= a <= 23 and 0 <= b <= 24):
            raise ValueError(bad)
        if a == b:
            raise ValueError(f"{part!r} is an empty range (start = end); write 0-24 for the "
                             "whole day")
        out.extend(range(a, b) if a < b else [*range(a, 24), *range(0, b)])
    if not out:
        raise ValueError(f"{text!r} names no hour")
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class CRS:
    """How the scenario's coordinates are read and where they are computed.

    ``declared`` is what scenario.toml says (``"local"`` or ``"EPSG:n"``); ``working`` is the
    planar CRS in metres used inside (``"local"`` or ``"EPSG:n"``); ``lonlat_datum`` is the
    datum of lon/lat columns: ``wgs84`` or the Chinese web-map systems ``gcj02`` / ``bd09``.
    """

    declared: str
    working: str
    lonlat_datum: Literal["wgs84", "gcj02", "bd09"] = "wgs84"

    @property
    def is_local(self) -> bool:
        return self.working == "local"


@dataclass(frozen=True, eq=False)
class Roads:
    """The road network as read: nodes and directed-or-two-way edges, before any mode.

    Edge arrays are parallel; ``u``/``v`` index ``node_ids``. ``speed_kph`` is NaN where the
    file gave none (the policy's class speeds apply). ``oneway`` edges run u → v only.
    """

    node_ids: tuple[str, ...]
    xy: FloatArray
    u: IntArray
    v: IntArray
    length_m: FloatArray
    speed_kph: FloatArray
    oneway: BoolArray
    road_class: tuple[str, ...]
    name: tuple[str, ...]
    source: str = "csv"  # "csv" | "osm": osm data carries the ODbL attribution duty
    # each edge's course from u to v, (points, 2) in the working CRS, where the file gave it
    # (OpenStreetMap and GIS line imports, edges.csv's ``course`` column; None where no edge
    # has one, and a straight edge among curved ones is its two ends): a curved
    # street is no straight line between its ends when incidents are placed on it
    shape: tuple[FloatArray, ...] | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def course(self, k: int) -> FloatArray:
        """Edge ``k``'s course from u to v, (points, 2): its ``shape`` where the roads carry
        one, else the straight line between its ends (what a map draws)."""
        if self.shape is not None and len(self.shape[k]) >= 2:
            return self.shape[k]
        return self.xy[[int(self.u[k]), int(self.v[k])]]


@dataclass(frozen=True)
class Area:
    """A polygon of the jurisdiction: a patrol zone, a prevention grid or a control ring."""

    id: str
    kind: AreaKind
    name: str
    geometry: shapely.Polygon | shapely.MultiPolygon
    level: int | None = None  # control-ring level 1..3 (core, crowded, general)
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Site:
    """A key site (重点部位); ``tier`` 1..3 sets its revisit interval and response target."""

    id: str
    name: str
    kind: str
    tier: int
    xy: tuple[float, float]
    node: str | None = None  # the node it was placed at, where the file gave one
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Post:
    """A place where units stand, checks are made, exits are sealed or cameras look."""

    id: str
    name: str
    kind: PostKind
    xy: tuple[float, float]
    node: str | None = None
    night_only: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)
    #: staffed only in the hours of the events naming it (posts.csv ``temporary``): never a
    #: standing source of response or sealing
    temporary: bool = False

    @property
    def staffed(self) -> bool:
        return self.kind in STAFFED_POST_KINDS and not self.temporary


@dataclass(frozen=True)
class PatrolLine:
    """A mandatory patrol line (必巡线): an ordered node path patrolled every ``every_minutes``."""

    id: str
    nodes: tuple[str, ...]
    every_minutes: float | None = None


@dataclass(frozen=True)
class Unit:
    """A deployable vehicle or patrol group, with its mode, tier, squad and home post."""

    id: str
    tier: Tier
    mode: Mode
    squad: str
    home_post: str
    seats: int | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def hours(self) -> tuple[int, ...] | None:
        """The hours of the day the unit is on duty (units.csv's optional ``hours`` column,
        :func:`parse_hours`); ``None``: no such column or a blank cell. For a police unit
        its duty hours — a police station's car that patrols 08–24, not round the clock (a
        review: the county's station cars and the armed patrol counted 168 h a week with
        four people each); for an auxiliary unit the hours the auxiliary stage places it.
        Raises ``ValueError`` naming the unit and the column for a cell :func:`parse_hours`
        refuses (the loader names its row)."""
        text = str(self.extra.get("hours") or "").strip()
        try:
            return parse_hours(text) if text else None
        except ValueError as exc:
            raise ValueError(f"units.csv, unit {self.id!r}, column 'hours': {exc}") from None


def hours_text(hours: Sequence[int]) -> str:
    """Hours of the day as :func:`parse_hours` reads them, in runs: ``8-24``, ``20-2`` (a run
    past midnight), ``9-12;14-18``; all 24 as ``0-24``."""
    on = set(hours)
    if len(on) == 24:
        return "0-24"
    starts = sorted(h for h in on if (h - 1) % 24 not in on)
    runs = []
    for a in starts:
        b = a
        while (b + 1) % 24 in on:
            b = (b + 1) % 24
        end = (b + 1) % 24
        runs.append(f"{a}-{24 if end == 0 else end}")
    return ";".join(runs)


@dataclass(frozen=True)
class Person:
    id: str
    role: str
    team: str
    squad: str
    skills: tuple[str, ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)


def person_tier(p: Person) -> str | None:
    """The tier of the units ``p`` may crew: people.csv's optional ``tier`` column (kept in
    the person's extra columns); ``None``: no tier column, any tier (a blank or unknown
    tier where the column is given is an error of the loader's, and read as any tier)."""
    t = p.extra.get("tier")
    return None if t is None else str(t)


def crew_pool(unit: Unit, people: Sequence[Person]) -> tuple[Person, ...]:
    """The people who may crew ``unit``: same squad and tier (when people carry a tier),
    narrowed to the team named like the unit (``PS1`` crews ``PS1-C``) when there is one.
    One rule for the deployment (``deploy.inputs.crew_pools``) and the scenario check."""
    cands = [p for p in people if p.squad == unit.squad
             and (person_tier(p) is None or person_tier(p) == unit.tier)]
    named = [p for p in cands if unit.id == p.team or unit.id.startswith(p.team + "-")]
    return tuple(named or cands)


@dataclass(frozen=True)
class Leave:
    person: str
    start: date
    end: date  # inclusive
    extra: Mapping[str, object] = field(default_factory=dict)


#: An event's patrol level: 1 only its posts, 2 also at least one unit in every grid, 3 also
#: two in the grids of tier-1 sites (the deployment's needs, ``planning.deploy.solve``)
EVENT_LEVELS: tuple[int, ...] = (1, 2, 3)


@dataclass(frozen=True)
class Event:
    """A period of raised patrol level (节点勤务): a festival, a fair, a meeting."""

    name: str
    start: datetime
    end: datetime
    level: int
    posts: tuple[str, ...] = ()
    extra_staff: int = 0
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def units_per_post(self) -> int:
        """The units each of its posts asks in every slot of its hours: 1 + extra_staff ÷
        the number of posts, rounded down (the deployment stands them, the report counts
        them against it)."""
        return 1 + self.extra_staff // max(1, len(self.posts))


@dataclass(frozen=True, eq=False)
class Incidents:
    """Incident history as parallel columns (columnar, for speed)."""

    ids: tuple[str, ...]
    time: npt.NDArray[np.datetime64]  # naive local time of the scenario's timezone, minutes
    xy: FloatArray
    category: tuple[str, ...]
    priority: IntArray
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # unknown columns

    def __len__(self) -> int:
        return len(self.ids)

    def before(self, when: datetime) -> Incidents:
        """The incidents before ``when`` (naive local time)."""
        keep = np.flatnonzero(self.time < np.datetime64(when.replace(tzinfo=None), "m"))
        if len(keep) == len(self):
            return self
        return Incidents(
            ids=tuple(self.ids[i] for i in keep), time=self.time[keep], xy=self.xy[keep],
            category=tuple(self.category[i] for i in keep), priority=self.priority[keep],
            extra={k: tuple(v[i] for i in keep) for k, v in self.extra.items()})

    @classmethod
    def empty(cls) -> Incidents:
        return cls(
            ids=(),
            time=np.array([], dtype="datetime64[m]"),
            xy=np.zeros((0, 2)),
            category=(),
            priority=np.zeros(0, dtype=np.int64),
        )


@dataclass(frozen=True)
class PeakFactor:
    """Travel speeds multiplied by ``factor`` in the given hours, modes and road classes."""

    hours: tuple[int, ...]
    factor: float
    modes: tuple[Mode, ...] = ("car", "motorcycle")
    classes: tuple[str, ...] = ()  # empty: every class


@dataclass(frozen=True)
class Holiday:
    """A public holiday period with its make-up working days (调休)."""

    name: str
    start: date
    end: date
    workdays: tuple[date, ...] = ()

    def days_off(self) -> frozenset[date]:
        """The days of the period that are holidays: every day from ``start`` to ``end``
        but its make-up working days."""
        n = (self.end - self.start).days + 1
        return frozenset(d for d in (self.start + timedelta(days=k) for k in range(max(n, 0)))
                         if d not in self.workdays)


def _default_speeds() -> dict[Mode, float]:
    return {"car": 60.0, "motorcycle": 50.0, "balance": 12.0, "foot": 5.0, "drone": 60.0}


def _default_class_speeds() -> dict[str, float]:
    return {
        "motorway": 80.0, "motorway_link": 50.0, "trunk": 60.0, "trunk_link": 40.0,
        "primary": 45.0, "primary_link": 35.0, "secondary": 40.0, "secondary_link": 30.0,
        "tertiary": 35.0, "tertiary_link": 30.0, "unclassified": 30.0, "residential": 25.0,
        "living_street": 15.0, "service": 15.0, "road": 30.0, "track": 15.0,
        "pedestrian": 10.0, "footway": 10.0, "path": 10.0, "steps": 3.0, "cycleway": 15.0,
    }


def _default_excluded() -> dict[Mode, tuple[str, ...]]:
    no_motor = ("pedestrian", "footway", "path", "steps", "cycleway", "bridleway", "corridor")
    return {
        "car": no_motor,
        "motorcycle": no_motor,
        "balance": ("motorway", "motorway_link", "trunk", "trunk_link", "steps"),
        "foot": ("motorway", "motorway_link", "trunk", "trunk_link"),
    }


@dataclass(frozen=True)
class DronePolicy:
    """scenario.toml's ``[policy.drones]``: the limits of a drone's sortie and day, for the
    plan's sorties and the simulator alike (defaults: a small quadcopter with spare
    batteries). ``hours``: the hours of the day in which drones may fly. ``crew_first``: a
    pilot on duty flies a drone once one unit holds each home post, before riding a spare
    ground unit (default: the ground units are crewed first and a drone flies only with a
    pilot to spare, as the 1-3-5 rings need the brigade's vehicles)."""

    battery_minutes: float = 25.0  # airborne per sortie, launch to landing
    recharge_minutes: float = 35.0  # on the ground between sorties (batteries, pilot rest)
    hover_minutes: float = 5.0  # over each grid of a sortie
    max_sorties: int = 12  # per drone and day of the horizon
    grids_per_sortie: int = 3
    hours: tuple[int, ...] = tuple(range(24))
    crew_first: bool = False


@dataclass(frozen=True)
class RosterPolicy:
    """scenario.toml's ``[policy.roster]``: the labour rules every roster keeps and the
    rotation as the force works it.

    The rules are those of ``xunfang.planning.roster.RosterRules`` (the same defaults: 11 h
    rest, 6 days in a row, 56 h in any 7 days, 12 h unbroken, no early start after a night).
    ``phases`` maps each rotating team to the day of the pattern's cycle (0-based) it works
    on ``anchor``; without it, the first team is at day 0 and each next one ``offset`` days
    behind. A review: the rules were reachable from Python only, and no setting put a team
    on a chosen shift.
    """

    min_rest_hours: int = 11
    no_night_then_early: bool = True
    max_consecutive_days: int = 6
    max_week_hours: int = 56
    max_duty_hours: int = 12
    anchor: date = date(2024, 1, 1)  # a Monday; the roster's DEFAULT_ANCHOR
    phases: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """Every number that is policy, not code; defaults follow the article and DOMAIN.md.

    Times are minutes, speeds km/h. ``response_targets`` maps a ring level and a site tier
    (1..3) to its target minutes (the 1-3-5 rings); ``revisit_minutes`` maps a site tier to
    the longest allowed interval between patrol visits.
    """

    response_targets: Mapping[int, float] = field(
        default_factory=lambda: {1: 1.0, 2: 3.0, 3: 5.0}
    )
    revisit_minutes: Mapping[int, float] = field(
        default_factory=lambda: {1: 120.0, 2: 240.0, 3: 480.0}
    )
    line_every_minutes: float = 240.0
    shift_pattern: str = "4-3"  # 四班三运转
    shift_starts: tuple[int, ...] = (8, 16, 0)  # early, middle, night (hours)
    # 交接班: minutes a unit on duty on both sides of a shift start is off the street then
    # (the routes start this much later: planning/routes.py; the simulator's default)
    handover_minutes: float = 15.0
    speeds_kph: Mapping[Mode, float] = field(default_factory=_default_speeds)
    class_speeds_kph: Mapping[str, float] = field(default_factory=_default_class_speeds)
    default_speed_kph: float = 30.0  # car speed of a road whose class is unknown
    excluded_classes: Mapping[Mode, tuple[str, ...]] = field(default_factory=_default_excluded)
    oneway_modes: tuple[Mode, ...] = ("car", "motorcycle")
    drone_launch_minutes: float = 1.0
    peak_factors: tuple[PeakFactor, ...] = (
        PeakFactor(hours=(7, 8, 17, 18), factor=0.7),
        PeakFactor(hours=(11, 12), factor=0.85),
    )
    holidays: tuple[Holiday, ...] = ()
    isochrone_minutes: tuple[float, ...] = (1.0, 3.0, 5.0)
    night_hours: tuple[int, ...] = (20, 21, 22, 23, 0, 1, 2, 3, 4, 5)  # night-only posts staffed
    roster: RosterPolicy = field(default_factory=RosterPolicy)  # [policy.roster]
    drones: DronePolicy = field(default_factory=DronePolicy)  # [policy.drones]


def shift_order_problem(starts: Sequence[int]) -> str | None:
    """What is wrong with shift start hours, or None: each shift runs to the next one's
    start, so the hours are distinct, 0..23, and in the day's order from the first
    (8, 16, 0 or 22, 6, 14; never 8, 0, 16, whose shifts read 08-24, 00-16, 16-08)."""
    v = list(starts)
    if not v or any(not 0 <= h <= 23 for h in v):
        return f"hours are 0..23, got {v}"
    if len(set(v)) != len(v):
        return f"shift starts must be distinct hours, got {v}"
    if len(v) > 1 and sum((b - a) % 24 for a, b in zip(v, v[1:] + v[:1], strict=True)) != 24:
        return ("shift starts must follow the day's order (each shift ends where the next "
                f"begins, e.g. [8, 16, 0]), got {v}")
    return None


def on_both_sides(on: BoolArray, times: FloatArray, slot_minutes: float, *,
                  cyclic: bool = False) -> BoolArray:
    """Which shift starts hand over (交接班): for each of ``times`` (minutes from the first
    slot's start), whether the unit is on duty both in the slot that ends there and in the
    one that starts there (one slot, for a time inside a slot). ``on``: on duty per slot of
    ``slot_minutes``, slots on the last axis (``(units, slots)`` gives ``(units, times)``).
    A slot before the first or after the last is the nearest one, or, ``cyclic`` (the plan
    repeats), the last or the first. The one rule of the simulator's handovers
    (``sim/engine.py``) and of the routes' late start after them (``planning/routes.py``)."""
    n = on.shape[-1]
    t = np.asarray(times, dtype=np.float64)
    after = np.floor(t / slot_minutes).astype(np.int64)
    before = np.ceil(t / slot_minutes).astype(np.int64) - 1
    if cyclic:
        after, before = after % n, before % n
    else:
        after, before = np.clip(after, 0, n - 1), np.clip(before, 0, n - 1)
    out: BoolArray = on[..., after] & on[..., before]
    return out


def first_holder(geometries: Sequence[shapely.Geometry], xy: FloatArray) -> IntArray:
    """Index of the first of ``geometries`` whose inside or border holds each point, -1 where
    none does (:meth:`Scenario.area_index`; the simulator's risk cells too)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    out = np.full(xy.shape[0], -1, dtype=np.int64)
    for i, g in enumerate(geometries):
        free = out < 0
        if not free.any():
            break
        out[np.flatnonzero(free)[shapely.intersects_xy(g, xy[free, 0], xy[free, 1])]] = i
    return out


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything about one jurisdiction (辖区): the one input of every stage."""

    name: str
    crs: CRS
    timezone: str
    horizon_days: int
    slot_minutes: int
    policy: Policy
    roads: Roads
    areas: tuple[Area, ...] = ()
    sites: tuple[Site, ...] = ()
    posts: tuple[Post, ...] = ()
    lines: tuple[PatrolLine, ...] = ()
    units: tuple[Unit, ...] = ()
    people: tuple[Person, ...] = ()
    leave: tuple[Leave, ...] = ()
    events: tuple[Event, ...] = ()
    incidents: Incidents = field(default_factory=Incidents.empty)
    source: str = ""  # the folder it was loaded from, or "builtin:NAME" for a shipped one
    inputs_hash: str = ""  # sha256 over the folder's files (names and bytes)
    title: str = ""  # a display name (may be Chinese); defaults to name
    # the public-holiday calendar of the risk forecast's gbm (an ISO country code of the
    # holidays package): a city in America/New_York got China's, as every scenario did
    country: str = "CN"
    # the incident categories the risk forecast counts (matched whole, any case, as
    # ``xunfang intel forecast --category``); empty: every category
    risk_categories: tuple[str, ...] = ()
    # how incidents.csv placed its incidents: "lonlat", "xy" or "both" ("" without a record); the
    # advice for incidents outside every grid differs (a datum for lon/lat, the CRS for x/y)
    incident_coords: str = ""
    # scenario.toml's source_timezone: the clock incident files of this scenario are written
    # on (None: the scenario's own); the web import and `intel ingest --scenario` read by it
    source_timezone: str | None = None

    def known_before(self, when: datetime) -> Scenario:
        """The scenario as a plan starting at ``when`` knows it: its incidents before then."""
        known = self.incidents.before(when)
        return self if known is self.incidents else replace(self, incidents=known)

    def areas_of(self, kind: AreaKind) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.kind == kind)

    def area_index(self, kind: AreaKind, xy: FloatArray) -> IntArray:
        """Index into :meth:`areas_of` ``kind`` of the area holding each point, -1 where none
        does. A point on a border two areas share belongs to the first of them listed: one
        area, the same every time, for the plan, the simulator and the record alike (a
        review: ``contains`` left a node on a grid line in no grid, so 13 of a lattice's 49
        nodes, a rapid-response post's among them, counted for none)."""
        return first_holder([a.geometry for a in self.areas_of(kind)], xy)

    def posts_of(self, *kinds: PostKind) -> tuple[Post, ...]:
        return tuple(p for p in self.posts if p.kind in kinds)

    def staffed_posts(self, kinds: Sequence[PostKind], *, hour: int | None = None,
                      all_day: bool = False) -> tuple[Post, ...]:
        """Posts of ``kinds`` staffed at ``hour``: night-only checkpoints in night hours only,
        temporary posts (an event's) never — units stand there only in its hours, and count
        where they stand.

        Without an hour every post of ``kinds`` counts, unless ``all_day``: then only the posts
        staffed at every hour (night-only ones are not). The rings take ``all_day``: a review
        found a night checkpoint counted at noon, 66 % of nodes "within target" where 28 % were
        at hour 12.
        """
        night = set(self.policy.night_hours)
        return tuple(
            p for p in self.posts
            if p.kind in kinds and not p.temporary and not (
                p.night_only and (all_day if hour is None else hour not in night))
        )
