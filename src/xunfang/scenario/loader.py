"""Load a scenario folder (DESIGN.md §3) into a :class:`Scenario`, collecting every problem.

The loader reads every file it can, gathers each problem with its file, row, column and rule,
and raises :class:`ScenarioError` once at the end if any is an error. Warnings are kept on the
:class:`CheckResult` and do not stop a load.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from pydantic import ValidationError
from scipy.spatial import cKDTree

from xunfang import geo
from xunfang._errors import Problem, ScenarioError
from xunfang.network import topology
from xunfang.scenario.model import (
    AREA_KINDS,
    AUXILIARY_ROLES,
    CRS,
    EVENT_LEVELS,
    MODES,
    POST_KINDS,
    SOURCE_POST_KINDS,
    TIERS,
    Area,
    AreaKind,
    BoolArray,
    Event,
    FloatArray,
    Incidents,
    Leave,
    Mode,
    PatrolLine,
    Person,
    Post,
    PostKind,
    Roads,
    Scenario,
    Site,
    Tier,
    Unit,
    crew_pool,
    hours_text,
    parse_hours,
)
from xunfang.scenario.record import outside_hint
from xunfang.scenario.settings import ScenarioToml, describe_loc
from xunfang.scenario.tables import Table, decode_text, find_table, read_table, require_columns

BUILTIN_PACKAGE = "xunfang.scenarios"
COURSE_END_M = 1.0  # an edge's course (edges.csv) starts and ends this close to its nodes
MAX_PLANAR_M = 1e8  # 100,000 km: beyond any projected coordinate on Earth
SHORT_EDGE_M = 1.0  # an edge's length_m may fall short of the straight line between its
SHORT_EDGE_SHARE = 0.02  # nodes by this much (or this share of it): rounding, projection
AREA_MARGIN_M = 2000.0  # an area wholly this far outside the road network's extent is misplaced
SNAP_WARN_M = 300.0  # a place this far from every road node is probably misplaced
SNAP_ERROR_M = 5000.0  # ... and this far, beyond any snap to a road: an error
NODE_MISMATCH_M = 250.0  # x/y and node of one row disagreeing by more (a site set back from
# its access node by a forecourt or a campus is normal; a block away is a mistake)
_SKILL_SEPARATORS = re.compile(r"[;,、；，]")
_TRUE = {"1", "true", "yes", "y", "t", "是"}
_FALSE = {"0", "false", "no", "n", "f", "否", ""}


@dataclass(frozen=True)
class CheckResult:
    """What a check of a scenario folder found: the scenario (when it loads) and problems."""

    source: str
    problems: tuple[Problem, ...]
    scenario: Scenario | None = None
    components: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (size, sample node ids)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors


def builtin_names() -> tuple[str, ...]:
    """Names of the scenarios shipped inside the package."""
    root = resources.files(BUILTIN_PACKAGE)
    return tuple(
        sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "scenario.toml").is_file())
    )


def resolve(source: str | Path) -> Path:
    """A scenario folder from a path or a built-in name (``ebian``)."""
    path = Path(source)
    if path.is_dir():
        return path
    name = str(source)
    if name in builtin_names():
        return Path(str(resources.files(BUILTIN_PACKAGE) / name))
    if path.exists():
        raise ScenarioError(
            [Problem(file=str(path), rule="not-a-folder",
                     message="a scenario is a folder holding scenario.toml and network/")],
            source=str(source),
        )
    raise ScenarioError(
        [Problem(file=str(path), rule="not-found",
                 message=f"no such folder, and no built-in scenario of that name "
                         f"(built-in: {', '.join(builtin_names()) or 'none'})")],
        source=str(source),
    )


def load(source: str | Path, *, largest_component: bool = False) -> Scenario:
    """Load a scenario folder or built-in scenario; raise :class:`ScenarioError` on errors.

    The folder's pins.csv is not read here: ``xunfang plan`` reads it for the plan's days."""
    result = _check(source, largest_component=largest_component)
    if result.scenario is None or not result.ok:
        raise ScenarioError(result.problems, source=result.source)
    return result.scenario


def load_with_warnings(source: str | Path, *, largest_component: bool = False
                       ) -> tuple[Scenario, tuple[Problem, ...]]:
    """:func:`load`, and the warnings ``scenario check`` would print for the scenario's own
    files (pins.csv, read by ``xunfang plan`` for the plan's days, aside)."""
    result = _check(source, largest_component=largest_component)
    if result.scenario is None or not result.ok:
        raise ScenarioError(result.problems, source=result.source)
    return result.scenario, result.warnings


def check(source: str | Path, *, largest_component: bool = False) -> CheckResult:
    """Read a scenario and report every problem; never raises for problems in the files.

    The folder's optional pins.csv (or .xlsx) is checked too, by the reader ``xunfang plan``
    uses (:mod:`xunfang.scenario.check_pins`), when the scenario itself could be read."""
    result = _check(source, largest_component=largest_component)
    if result.scenario is None:
        return result
    from xunfang.scenario.check_pins import pins_problems

    pins = pins_problems(resolve(source), result.scenario, scenario_ok=result.ok)
    return replace(result, problems=(*result.problems, *pins)) if pins else result


def _check(source: str | Path, *, largest_component: bool = False) -> CheckResult:
    try:
        folder = resolve(source)
    except ScenarioError as exc:
        return CheckResult(source=str(source), problems=exc.problems)
    builtin = not Path(source).is_dir()
    label = f"builtin:{source}" if builtin else str(folder)
    return _Loader(folder, largest_component=largest_component).run(label)


def inputs_hash(folder: Path) -> str:
    """sha256 over the folder's files: relative names and bytes, in sorted order."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and not any(part.startswith((".", "__")) for part in rel.parts):
            h.update(str(rel.as_posix()).encode())
            h.update(b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


# --- the loader --------------------------------------------------------------------------------


@dataclass
class _Positions:
    """How to turn a row's coordinates into working-CRS metres."""

    crs: CRS
    geographic: bool
    projector: geo.Projector | None

    def lonlat_to_xy(self, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
        assert self.projector is not None
        wlon, wlat = geo.to_wgs84(lon, lat, self.crs.lonlat_datum)
        return self.projector.to_xy(wlon, wlat)

    def xy_to_working(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        """x/y in the declared CRS to the working one (they differ for web-map Mercator)."""
        if self.crs.declared == self.crs.working or self.geographic:
            return np.asarray(x, float), np.asarray(y, float)
        return geo.reproject(x, y, self.crs.declared, self.crs.working)


@dataclass
class _Loader:
    folder: Path
    largest_component: bool
    problems: list[Problem] = field(default_factory=list)
    node_index: dict[str, int] = field(default_factory=dict)
    node_xy: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    bad_nodes: set[str] = field(default_factory=set)
    osm_data: bool = False  # network/ATTRIBUTION.txt credits OpenStreetMap
    row_numbers: dict[str, tuple[int, ...]] = field(default_factory=dict)
    tree: cKDTree | None = None  # nearest road node of places given by coordinates
    dropped_nodes: dict[str, tuple[float, float]] = field(default_factory=dict)
    incident_coords: str = ""  # "lonlat" or "xy": how incidents.csv placed its incidents
    unit_rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # id → (file, row)
    person_rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # id → (file, row)
    posts_rows: int | None = None  # data rows of posts.csv (None: not read)
    people_read: bool = False  # people.csv (or .xlsx) was read

    # -- helpers ---------------------------------------------------------------------------
    def _row(self, file: str, row: int | None) -> int | None:
        """The file's own row number of data row ``row`` (blank rows skipped when reading)."""
        numbers = self.row_numbers.get(file)
        if row is None or row < 1 or numbers is None or row > len(numbers):
            return row
        return numbers[row - 1]

    def err(self, file: str, rule: str, message: str, *, row: int | None = None,
            column: str | None = None) -> None:
        self.problems.append(Problem(file=file, rule=rule, message=message,
                                     row=self._row(file, row), column=column))

    def warn(self, file: str, rule: str, message: str, *, row: int | None = None,
             column: str | None = None) -> None:
        self.problems.append(Problem(file=file, rule=rule, message=message,
                                     row=self._row(file, row), column=column,
                                     severity="warning"))

    def read(self, path: Path, label: str) -> Table | None:
        t = read_table(path, label=label, problems=self.problems)
        if t is not None:
            self.row_numbers[label] = t.numbers
        return t

    def table(self, stem: str, required: tuple[str, ...]) -> Table | None:
        path = find_table(self.folder, stem, problems=self.problems)
        if path is None:
            return None
        t = self.read(path, path.name)
        if t is None:
            return None
        if not require_columns(t, required, problems=self.problems):
            return None
        return t

    def number(self, t: Table, i: int, row: Mapping[str, str], col: str, *,
               required: bool = True, positive: bool = False, integer: bool = False,
               default: float | None = None) -> float | None:
        raw = row.get(col, "")
        if raw == "":
            if required:
                self.err(t.file, "missing-value", f"{col} is empty", row=i, column=col)
            return default
        try:
            v = float(raw)
        except ValueError:
            self.err(t.file, "not-a-number", f"{col} {raw!r} is not a number", row=i,
                     column=col)
            return None
        if not math.isfinite(v):
            self.err(t.file, "not-finite", f"{col} {raw!r} is not a finite number", row=i,
                     column=col)
            return None
        if integer and not v.is_integer():
            self.err(t.file, "not-an-integer", f"{col} {raw!r} is not a whole number", row=i,
                     column=col)
            return None
        if positive and v <= 0:
            self.err(t.file, "not-positive", f"{col} must be > 0, got {raw}", row=i,
                     column=col)
            return None
        return v

    def flag(self, t: Table, i: int, row: Mapping[str, str], col: str) -> bool:
        raw = row.get(col, "").strip().lower()
        if raw in _TRUE:
            return True
        if raw not in _FALSE:
            self.err(t.file, "not-a-flag", f"{col} {row.get(col)!r} is not 1/0/true/false",
                     row=i, column=col)
        return False

    def unique_id(self, t: Table, i: int, row: Mapping[str, str], seen: dict[str, int],
                  col: str = "id") -> str | None:
        v = row.get(col, "")
        if not v:
            self.err(t.file, "missing-id", f"{col} is empty", row=i, column=col)
            return None
        if v in seen:
            self.err(t.file, "duplicate-id", f"{col} {v!r} already used in row {seen[v]}",
                     row=i, column=col)
            return None
        seen[v] = i
        return v

    def choice(self, t: Table, i: int, row: Mapping[str, str], col: str,
               allowed: Sequence[str]) -> str | None:
        v = row.get(col, "")
        if v not in allowed:
            self.err(t.file, "unknown-value",
                     f"{col} {v!r} is not one of {', '.join(allowed)}", row=i, column=col)
            return None
        return v

    def extra(self, t: Table, row: Mapping[str, str], known: Iterable[str]) -> dict[str, object]:
        k = set(known)
        return {c: row[c] for c in t.header if c not in k}

    def check_shifts(self, settings: ScenarioToml, teams: Iterable[str] = ()) -> None:
        """The policy's shift start hours against its shift pattern, as the roster works
        them: as many starts as the pattern has shifts a day (8-hour early, middle and night,
        or 12-hour day and night, the night 12 hours after the day), every hour covered by
        its teams (a review: [7, 19] under 4-3 passed the check and the plan then refused
        the pattern; [8, 16, 0, 4] passed both, the roster ignoring the fourth start while
        the forecast's and the deployment's shifts used it). Errors, for a scenario with people
        to roster: `xunfang plan` rosters by scenario.toml's pattern and refuses them (a review
        H8: the check warned of "四班三运转" and of [8, 16] under 4-3, exit 0, and the plan then
        refused both; `xunfang roster --pattern` may still name another)."""
        from xunfang.planning.roster.patterns import check_pattern, pattern

        pol = settings.policy
        starts = list(pol.shift_starts)
        try:
            pat = pattern(pol.shift_pattern, starts)
        except ValueError as exc:
            self.err("scenario.toml", "bad-pattern", str(exc), column="policy.shift_pattern")
            return
        kinds = {c for c in pat.cycle if c in pat.shifts}
        eight, twelve = kinds & {"E", "M", "N"}, kinds & {"D", "Y"}
        needed = 3 if eight and not twelve else 2 if twelve and not eight else None
        where = f"the shift pattern {pol.shift_pattern!r}"
        if needed is not None and len(starts) != needed:
            self.err("scenario.toml", "shift-starts",
                      f"{where} works {needed} shifts a day ("
                      + ("early, middle, night: 8 hours each" if needed == 3
                         else "day and night: 12 hours each")
                      + f"), so shift_starts needs {needed} start hours; got {starts}",
                      column="policy.shift_starts")
            return
        if needed == 2 and starts[1] != (starts[0] + 12) % 24:
            self.err("scenario.toml", "shift-starts",
                      f"{where} works 12-hour shifts: the night starts 12 hours after the day, "
                      f"at {(starts[0] + 12) % 24:02d}; got {starts}",
                      column="policy.shift_starts")
            return
        wrong = check_pattern(pat)
        if wrong:  # one problem: the same cause shows on every day of the cycle
            more = f"; and {len(wrong) - 1} more such runs of hours" if len(wrong) > 1 else ""
            self.err("scenario.toml", "pattern-coverage",
                      f"{wrong[0]}{more} (shift_starts {starts})",
                      column="policy.shift_starts")
            return
        # a team's regular shifts over two cycles and a week, by the roster's own rules (a
        # review: 3-2's 12-hour shifts work 60 h in some 7 days; the plan refused them), with
        # the setting that would allow it, as the roster names it (max_week_hours = 60)
        from xunfang.planning.roster.check import Duty, check_roster, pattern_breaks
        from xunfang.planning.roster.patterns import DEFAULT_ANCHOR, phase_problems
        from xunfang.planning.roster.rules import RosterRules

        rules = RosterRules.of(pol.to_policy())  # [policy.roster]
        duties = []
        for d in range(2 * len(pat.cycle) + 7):
            day = DEFAULT_ANCHOR + timedelta(days=d)
            st = pat.shift(0, day)
            if st is not None:
                duties.append(Duty(day, "a team member", "team 1", st.name, st.start(day),
                                   st.end(day)))
        broken = check_roster(duties, rules=rules)
        if broken:
            self.err("scenario.toml", "pattern-rules",
                      f"under {where} (shift_starts {starts}) a team's regular shifts alone "
                      f"break the labour rules, as a cycle worked from {DEFAULT_ANCHOR} shows: "
                      f"{broken[0].message} [{broken[0].rule}]; the roster will refuse it: "
                      + "; ".join(v.message for v in pattern_breaks(pat, rules)),
                      column="policy.shift_pattern")
        # [policy.roster] phases by the roster's own rule: the rotating teams are A, B, …
        # as the roster takes them by default, where people.csv has them all
        phases = dict(pol.roster.phases)
        if phases:
            guess = tuple(chr(ord("A") + i) for i in range(pat.n_teams))
            team_ids = guess if all(t in set(teams) for t in guess) else None
            for rule, msg in phase_problems(pat, team_ids, phases):
                self.err("scenario.toml", rule, msg, column="policy.roster.phases")

    # -- the run ---------------------------------------------------------------------------
    def run(self, source: str) -> CheckResult:
        settings = self.read_toml()
        pos = self.read_crs(settings) if settings else None
        roads = self.read_network(pos) if pos else None
        components: tuple[tuple[int, tuple[str, ...]], ...] = ()
        if roads is not None:
            all_xy = dict(zip(roads.node_ids, map(tuple, roads.xy.tolist()), strict=True))
            roads, components = self.check_components(roads)
            self.dropped_nodes = {n: p for n, p in all_xy.items() if n not in set(roads.node_ids)}
            self.node_index = {n: i for i, n in enumerate(roads.node_ids)}
            self.node_xy = roads.xy
        areas = self.read_areas(pos) if pos else ()
        sites = self.read_sites(pos, areas) if pos else ()
        posts = self.read_posts(pos) if pos else ()
        lines = self.read_lines(roads)
        units = self.read_units(posts, sites)
        people = self.read_people()
        self.check_auxiliary(units, people)
        self.check_unit_squads(units, people)
        if settings is not None and people:  # shifts to roster: as the roster will work them
            self.check_shifts(settings, {q.team for q in people})
            self.check_teams(settings, units, people)
            self.check_duty_hours(settings, units, people)
        leave = self.read_leave(people)
        events = self.read_events(posts)
        named = {q for e in events for q in e.posts}
        for post in posts:
            if post.temporary and post.id not in named:
                self.warn("posts.csv", "temporary-unused", f"post {post.id!r} is temporary, but "
                          "no event of events.csv names it: nobody ever stands there",
                          column="temporary")
        incidents = self.read_incidents(pos, settings, areas) if pos and settings else None
        scenario = None
        if settings is not None and pos is not None and roads is not None:
            scenario = Scenario(
                name=settings.name,
                title=settings.title or settings.name,
                crs=pos.crs,
                timezone=settings.timezone,
                horizon_days=settings.horizon_days,
                slot_minutes=settings.slot_minutes,
                policy=settings.policy.to_policy(),
                roads=roads,
                areas=areas,
                sites=sites,
                posts=posts,
                lines=lines,
                units=units,
                people=people,
                leave=leave,
                events=events,
                incidents=incidents if incidents is not None else Incidents.empty(),
                source=source,
                inputs_hash=inputs_hash(self.folder),
                country=settings.country,
                risk_categories=tuple(settings.risk_categories),
                incident_coords=self.incident_coords,
                source_timezone=settings.source_timezone,
            )
        return CheckResult(source=source, problems=tuple(self.problems), scenario=scenario,
                           components=components)

    # -- scenario.toml ----------------------------------------------------------------------
    def read_toml(self) -> ScenarioToml | None:
        path = self.folder / "scenario.toml"
        if not path.is_file():
            self.err("scenario.toml", "missing-file",
                     "scenario.toml is required (with at least name and crs)")
            return None
        text = decode_text(path.read_bytes(), file="scenario.toml", problems=self.problems)
        if text is None:
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.err("scenario.toml", "toml-syntax", f"not valid TOML: {exc}")
            return None
        try:
            return ScenarioToml.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors():
                blamed = getattr((e.get("ctx") or {}).get("error"), "loc", ())
                self.err("scenario.toml", "invalid-setting", e["msg"],
                         column=describe_loc(tuple(e["loc"]) or tuple(blamed)))
            return None

    def read_crs(self, settings: ScenarioToml) -> _Positions | None:
        try:
            declared, geographic = geo.parse_crs(settings.crs)
        except ValueError as exc:
            self.err("scenario.toml", "crs", str(exc), column="crs")
            return None
        working = declared
        if geographic:
            centre = self._lonlat_centre()
            if centre is None:
                return None
            working = geo.utm_crs_for(*centre)
        elif geo.stretches_distances(declared):
            # web-map Mercator metres are not ground metres: compute in the data's UTM zone
            centre = self._xy_centre(declared)
            if centre is None:
                return None
            working = geo.utm_crs_for(*centre)
            self.warn("scenario.toml", "crs-stretched",
                      f"{declared} (web-map Mercator) stretches distances by 1/cos(latitude); "
                      f"coordinates are converted to {working} (UTM) for every computation",
                      column="crs")
        crs = CRS(declared=declared, working=working, lonlat_datum=settings.coords)
        projector = None if declared == "local" else geo.Projector(working)
        return _Positions(crs=crs, geographic=geographic, projector=projector)

    def _xy_centre(self, declared: str) -> tuple[float, float] | None:
        """The WGS 84 centre of nodes given as x/y in ``declared``."""
        path = find_table(self.folder / "network", "nodes", problems=[])
        t = None if path is None else read_table(path, label="network/nodes.csv", problems=[])
        if t is None or not (t.has("x") and t.has("y")):
            return (0.0, 0.0)  # read_network reports what is wrong
        pts = []
        for row in t.rows:
            try:
                pts.append((float(row["x"]), float(row["y"])))
            except ValueError:
                continue
        ok = np.array([p for p in pts if np.all(np.isfinite(p))] or [(0.0, 0.0)])
        lon, lat = geo.reproject(np.median(ok[:, :1], axis=0), np.median(ok[:, 1:], axis=0),
                                 declared, "EPSG:4326")
        return float(lon[0]), float(lat[0])

    def _lonlat_centre(self) -> tuple[float, float] | None:
        """The WGS 84 centre of the nodes, to pick a UTM zone for lon/lat data."""
        path = find_table(self.folder / "network", "nodes", problems=[])
        if path is None:
            osm = self._osm_file()
            if osm is not None:
                return (0.0, 0.0)  # the OSM import chooses its own zone
            return None
        t = read_table(path, label="network/nodes.csv", problems=[])
        if t is None or not (t.has("lon") and t.has("lat")):
            return (0.0, 0.0)  # read_network reports it; any zone will do for the check
        lon, lat = [], []
        for row in t.rows:
            try:
                lon.append(float(row["lon"]))
                lat.append(float(row["lat"]))
            except ValueError:
                continue
        ok = [(a, b) for a, b in zip(lon, lat, strict=True) if -180 <= a <= 180 and -90 <= b <= 90]
        if not ok:
            return (0.0, 0.0)
        return float(np.median([a for a, _ in ok])), float(np.median([b for _, b in ok]))

    def _osm_file(self) -> Path | None:
        net = self.folder / "network"
        if not net.is_dir():
            return None
        found = sorted(p for p in net.iterdir() if p.name.endswith((".osm", ".osm.pbf", ".pbf")))
        return found[0] if found else None

    # -- positions ---------------------------------------------------------------------------
    def positions(self, t: Table, pos: _Positions, *, allow_node: bool
                  ) -> list[tuple[float, float] | None]:
        """Each row's working-CRS position from x/y, lon/lat or node (None when bad)."""
        has_xy = t.has("x") and t.has("y")
        has_ll = t.has("lon") and t.has("lat")
        has_node = allow_node and t.has("node")
        if not (has_xy or has_ll or has_node):
            need = "x/y, lon/lat or node" if allow_node else "x/y or lon/lat"
            self.err(t.file, "missing-column", f"no coordinates: give columns {need}", row=0)
            return [None] * len(t.rows)
        out: list[tuple[float, float] | None] = [None] * len(t.rows)
        lonlat_rows: list[int] = []
        lons: list[float] = []
        lats: list[float] = []
        xy_rows: list[int] = []
        xs: list[float] = []
        ys: list[float] = []
        for i, row in enumerate(t.rows, start=1):
            if has_xy and (row["x"] or row["y"]):
                if pos.geographic:
                    self.err(t.file, "crs-mismatch",
                             f"x/y given but the scenario crs {pos.crs.declared} is "
                             "geographic; give lon/lat or a projected crs", row=i, column="x")
                    continue
                x = self.number(t, i, row, "x")
                y = self.number(t, i, row, "y")
                if x is None or y is None:
                    continue
                far = [(c, v) for c, v in (("x", x), ("y", y)) if abs(v) > MAX_PLANAR_M]
                if far:
                    self.err(t.file, "bad-coordinate",
                             f"{far[0][0]} {far[0][1]:g} is beyond ±{MAX_PLANAR_M:.0e} m: "
                             "not a planar coordinate in metres", row=i, column=far[0][0])
                    continue
                xy_rows.append(i - 1)
                xs.append(x)
                ys.append(y)
            elif has_ll and (row["lon"] or row["lat"]):
                if pos.projector is None:
                    self.err(t.file, "crs-mismatch",
                             "lon/lat given but the scenario crs is 'local' (no georeference); "
                             "give x/y", row=i, column="lon")
                    continue
                lon = self.number(t, i, row, "lon")
                lat = self.number(t, i, row, "lat")
                if lon is None or lat is None:
                    continue
                if not (-180 <= lon <= 180):
                    self.err(t.file, "bad-coordinate", f"lon {lon} is outside -180..180",
                             row=i, column="lon")
                    continue
                if not (-90 <= lat <= 90):
                    self.err(t.file, "bad-coordinate", f"lat {lat} is outside -90..90",
                             row=i, column="lat")
                    continue
                lonlat_rows.append(i - 1)
                lons.append(lon)
                lats.append(lat)
            elif has_node and row.get("node"):
                j = self.node_index.get(row["node"])
                if j is None and row["node"] in self.dropped_nodes:
                    self.warn(t.file, "dropped-node",
                              f"node {row['node']!r} is not in the largest piece of the "
                              "network; placed at its coordinates", row=i, column="node")
                    out[i - 1] = self.dropped_nodes[row["node"]]
                    continue
                if j is None:
                    if self.node_index:
                        self.err(t.file, "unknown-node",
                                 f"node {row['node']!r} is not in network/nodes",
                                 row=i, column="node")
                    continue
                out[i - 1] = (float(self.node_xy[j, 0]), float(self.node_xy[j, 1]))
            else:
                self.err(t.file, "missing-coordinates",
                         "the row has no coordinates" + (" and no node" if has_node else ""),
                         row=i, column="x" if has_xy else ("lon" if has_ll else "node"))
        if xy_rows:
            px, py = pos.xy_to_working(np.array(xs), np.array(ys))
            for k, r in enumerate(xy_rows):
                out[r] = (float(px[k]), float(py[k]))
        if lonlat_rows:
            px, py = pos.lonlat_to_xy(np.array(lons), np.array(lats))
            for k, r in enumerate(lonlat_rows):
                out[r] = (float(px[k]), float(py[k]))
        return out

    # -- network ------------------------------------------------------------------------------
    def read_network(self, pos: _Positions) -> Roads | None:
        net = self.folder / "network"
        if not net.is_dir():
            self.err("network/", "missing-file",
                     "network/ is required: nodes.csv + edges.csv, or one .osm/.osm.pbf file")
            return None
        has_tables = (net / "nodes.csv").is_file() or (net / "nodes.xlsx").is_file()
        osm = self._osm_file()
        if osm is not None and not has_tables:
            return self.read_osm(osm, pos)
        nodes_path = find_table(net, "nodes", problems=self.problems)
        edges_path = find_table(net, "edges", problems=self.problems)
        if osm is not None and nodes_path is not None:
            self.warn(f"network/{osm.name}", "two-networks",
                      f"network/ holds both {osm.name} and {nodes_path.name}"
                      + (f"/{edges_path.name}" if edges_path is not None else "")
                      + f"; the tables are used and {osm.name} is ignored — remove one")
        if nodes_path is None or edges_path is None:
            missing = "nodes.csv" if nodes_path is None else "edges.csv"
            self.err(f"network/{missing}", "missing-file",
                     f"network/{missing} is required (or one .osm/.osm.pbf file instead)")
            return None
        attribution = net / "ATTRIBUTION.txt"
        self.osm_data = attribution.is_file() and "OpenStreetMap" in attribution.read_text(
            encoding="utf-8", errors="replace")
        nodes = self.read(nodes_path, f"network/{nodes_path.name}")
        edges = self.read(edges_path, f"network/{edges_path.name}")
        if nodes is None or edges is None:
            return None
        if not require_columns(nodes, ("id",), problems=self.problems):
            return None
        seen: dict[str, int] = {}
        ids: list[str | None] = [self.unique_id(nodes, i, r, seen)
                                 for i, r in enumerate(nodes.rows, start=1)]
        xy = self.positions(nodes, pos, allow_node=False)
        keep = [k for k in range(len(ids)) if ids[k] is not None and xy[k] is not None]
        node_ids = tuple(cast(str, ids[k]) for k in keep)
        # rows already reported as bad: edges naming them are left out without a second error
        self.bad_nodes = {n for n, p in zip(ids, xy, strict=True) if n is not None and p is None}
        node_xy = np.array([xy[k] for k in keep], dtype=float).reshape(-1, 2)
        index = {n: i for i, n in enumerate(node_ids)}
        if not nodes.rows:
            self.err(nodes.file, "empty-file", "the network has no nodes")
        # each node given by lon/lat (not x/y): an edge's course is in its u node's terms
        has_xy = nodes.has("x") and nodes.has("y")
        node_lonlat = np.array([not (has_xy and bool(nodes.rows[k]["x"] or nodes.rows[k]["y"]))
                                for k in keep], dtype=bool)
        return self.read_edges(edges, node_ids, node_xy, index, pos, node_lonlat)

    def read_courses(self, t: Table, index: Mapping[str, int], pos: _Positions,
                     node_lonlat: BoolArray) -> dict[int, FloatArray | str]:
        """The ``course`` cells of edges.csv: data row → the course in working-CRS metres (its
        ends not yet checked), or why the cell is not a course. A course is WKT
        ``LINESTRING (x y, x y, …)`` from u to v in the coordinates nodes.csv gives its u node:
        lon/lat (converted like the nodes, datum included) or x/y of the scenario's crs."""
        rows = [(i, row["course"]) for i, row in enumerate(t.rows, start=1)
                if row.get("course") and row["u"] in index]
        out: dict[int, FloatArray | str] = {}
        if not rows:
            return out
        with np.errstate(invalid="ignore"):
            geoms = shapely.from_wkt(np.array([c for _, c in rows], dtype=object),
                                     on_invalid="ignore")
        parsed: list[tuple[int, FloatArray, bool]] = []
        for (i, cell), g in zip(rows, geoms.tolist(), strict=True):
            shown = cell if len(cell) <= 60 else cell[:57] + "..."
            if g is None:
                try:
                    shapely.from_wkt(cell)
                    reason = "unreadable"
                except Exception as exc:  # GEOS names what it could not read
                    reason = str(exc).splitlines()[0]
                    if "must contain 0 or >1" in reason:  # GEOS on LINESTRING (x y)
                        reason = "it has 1 point; a LINESTRING needs at least 2"
                out[i] = (f"course {shown!r} is not WKT LINESTRING (x y, x y, …): {reason}")
                continue
            if not isinstance(g, shapely.LineString):
                out[i] = f"course is a {g.geom_type}, not a LINESTRING (x y, x y, …)"
                continue
            c = np.asarray(shapely.get_coordinates(g), dtype=np.float64)
            if len(c) < 2:
                out[i] = f"course has {len(c)} point(s); a LINESTRING needs at least 2"
                continue
            if not np.all(np.isfinite(c)):
                out[i] = f"course {shown!r} holds a coordinate that is not a finite number"
                continue
            lonlat = bool(node_lonlat[index[t.rows[i - 1]["u"]]])
            if lonlat and not (np.all(np.abs(c[:, 0]) <= 180) and np.all(np.abs(c[:, 1]) <= 90)):
                out[i] = ("course holds a point outside lon -180..180 / lat -90..90: its u node "
                          "is given by lon/lat, so the course must be too")
                continue
            if not lonlat and np.any(np.abs(c) > MAX_PLANAR_M):
                out[i] = (f"course holds a point beyond ±{MAX_PLANAR_M:.0e} m: not planar "
                          "x/y in metres like its u node")
                continue
            parsed.append((i, c, lonlat))
        for lonlat in (False, True):
            part = [(i, c) for i, c, ll in parsed if ll == lonlat]
            if not part:
                continue
            flat = np.vstack([c for _, c in part])
            if lonlat:
                x, y = pos.lonlat_to_xy(flat[:, 0], flat[:, 1])
            else:
                x, y = pos.xy_to_working(flat[:, 0], flat[:, 1])
            moved = np.column_stack([x, y])
            cut = np.cumsum([len(c) for _, c in part])[:-1]
            for (i, _), c in zip(part, np.split(moved, cut), strict=True):
                out[i] = (c if np.all(np.isfinite(c)) else
                          "course holds a point the scenario's crs cannot place")
        return out

    def read_edges(self, t: Table, node_ids: tuple[str, ...], node_xy: FloatArray,
                   index: Mapping[str, int], pos: _Positions | None = None,
                   node_lonlat: BoolArray | None = None) -> Roads | None:
        if not require_columns(t, ("u", "v"), problems=self.problems):
            return None
        if not t.rows:
            self.err(t.file, "empty-file", "the network has no edges")
        courses: dict[int, FloatArray | str] = {}
        if t.has("course") and pos is not None and node_lonlat is not None:
            courses = self.read_courses(t, index, pos, node_lonlat)
        shape: list[FloatArray | None] = []
        u: list[int] = []
        v: list[int] = []
        length: list[float] = []
        speed: list[float] = []
        oneway: list[bool] = []
        cls: list[str] = []
        names: list[str] = []
        short: list[tuple[int, str, str, str, float, float]] = []  # length_m < crow flies
        given = 0  # edges with a length_m
        for i, row in enumerate(t.rows, start=1):
            a = index.get(row["u"])
            b = index.get(row["v"])
            bad = False
            for col, node in (("u", a), ("v", b)):
                if node is None and row[col] in self.bad_nodes:
                    bad = True
                elif node is None:
                    self.err(t.file, "unknown-node",
                             f"{col} {row[col]!r} is not a node in network/nodes",
                             row=i, column=col)
                    bad = True
            if bad or a is None or b is None:
                continue
            if a == b:
                self.warn(t.file, "self-loop", f"edge {row['u']}→{row['v']} is a loop; "
                          "it is left out", row=i)
                continue
            course = courses.get(i)
            if isinstance(course, str):
                self.err(t.file, "bad-course", course, row=i, column="course")
                continue
            if course is not None:
                ends = (float(np.hypot(*(course[0] - node_xy[a]))),
                        float(np.hypot(*(course[-1] - node_xy[b]))))
                if max(ends) > COURSE_END_M:
                    back = max(float(np.hypot(*(course[0] - node_xy[b]))),
                               float(np.hypot(*(course[-1] - node_xy[a])))) <= COURSE_END_M
                    self.err(t.file, "bad-course",
                             f"course starts {ends[0]:.1f} m from u {row['u']!r} and ends "
                             f"{ends[1]:.1f} m from v {row['v']!r}; it must run from u to v, "
                             f"its ends within {COURSE_END_M:g} m of the nodes"
                             + (" (it runs from v to u: reverse it)" if back else ""),
                             row=i, column="course")
                    continue
                course = course.copy()
                course[0] = node_xy[a]  # the ends are the nodes' places exactly
                course[-1] = node_xy[b]
            chord = (float(np.hypot(*(node_xy[a] - node_xy[b]))) if course is None else
                     float(np.hypot(*np.diff(course, axis=0).T).sum()))
            if t.has("length_m") and row["length_m"]:
                ln = self.number(t, i, row, "length_m", positive=True)
                if ln is None:
                    continue
                straight = float(np.hypot(*(node_xy[a] - node_xy[b])))
                if ln < straight - max(SHORT_EDGE_M, SHORT_EDGE_SHARE * straight):
                    short.append((i, row["u"], row["v"], row["length_m"], ln, straight))
                given += 1
            else:  # the straight-line distance, or the course's length where it has one
                ln = chord
                if not math.isfinite(ln):
                    self.err(t.file, "bad-coordinate",
                             f"the distance from {row['u']!r} to {row['v']!r} overflows: "
                             "check the nodes' coordinates", row=i, column="length_m")
                    continue
                if ln <= 0:
                    self.err(t.file, "zero-length",
                             f"nodes {row['u']!r} and {row['v']!r} are at the same place and "
                             "length_m is not given", row=i, column="length_m")
                    continue
            sp = math.nan
            if t.has("speed_kph") and row["speed_kph"]:
                s = self.number(t, i, row, "speed_kph", positive=True)
                if s is None:
                    continue
                sp = s
            ow = self.flag(t, i, row, "oneway") if t.has("oneway") else False
            u.append(a)
            v.append(b)
            length.append(ln)
            speed.append(sp)
            oneway.append(ow)
            cls.append(row.get("class", ""))
            names.append(row.get("name", ""))
            shape.append(course)
        self.short_edges(t, short, given)
        # the courses where any edge has one (an import's), each straight edge its two ends
        courses_read = any(c is not None for c in shape)
        return Roads(
            node_ids=node_ids,
            xy=node_xy,
            u=np.array(u, dtype=np.int64),
            v=np.array(v, dtype=np.int64),
            length_m=np.array(length, dtype=float),
            speed_kph=np.array(speed, dtype=float),
            oneway=np.array(oneway, dtype=bool),
            road_class=tuple(cls),
            name=tuple(names),
            source="osm" if self.osm_data else "csv",
            shape=tuple(c if c is not None else np.stack([node_xy[p], node_xy[q]])
                        for c, p, q in zip(shape, u, v, strict=True)) if courses_read else None,
        )

    def short_edges(self, t: Table, short: Sequence[tuple[int, str, str, str, float, float]],
                    given: int) -> None:
        """An error for each edge whose length_m is shorter than the straight line between
        its nodes in the scenario's metric crs (a road cannot be shorter than the crow flies;
        ``SHORT_EDGE_M`` or ``SHORT_EDGE_SHARE`` of it allowed for rounding). A review: every
        length_m in kilometres checked clean and the plan measured a p50 response of 0.00094
        min. Most edges short at about a thousandth of the line: one error, kilometres."""
        if not short:
            return
        ratios = sorted(ln / straight for *_, ln, straight in short if straight > 0)
        km = bool(ratios) and 0.0005 <= ratios[len(ratios) // 2] <= 0.002
        if len(short) >= 3 and len(short) * 2 > given:
            i, u, v, raw, _, straight = short[0]
            self.err(t.file, "shorter-than-straight",
                     f"{len(short):,} of {given:,} edges have a length_m shorter than the "
                     f"straight line between their nodes (the first, edge {u}→{v} at this row: "
                     f"length_m {raw}, straight line {straight:.1f} m)"
                     + (": length_m looks like kilometres; give metres (× 1000)" if km else
                        ": check the unit of length_m (metres) and the nodes' crs"),
                     row=i, column="length_m")
            return
        # the short edges all touching one node: that node is misplaced (a review's copy
        # with one node moved 20 km made three such edges)
        common = set.intersection(*({u, v} for _, u, v, *_ in short))
        node = (f"; every such edge ({len(short)}) touches node {sorted(common)[0]!r}: check "
                "its coordinates in network/nodes" if len(short) > 1 and len(common) == 1
                else "")
        for i, u, v, raw, ln, straight in short:
            hint = ("; it looks like kilometres: give metres (× 1000)"
                    if 0.0005 <= ln / straight <= 0.002 else node)
            self.err(t.file, "shorter-than-straight",
                     f"edge {u}→{v}: length_m {raw} is shorter than the straight line between "
                     f"its nodes ({straight:.1f} m): a road cannot be shorter than the crow "
                     f"flies{hint}", row=i, column="length_m")

    def read_osm(self, path: Path, pos: _Positions) -> Roads | None:
        from xunfang.network import imports

        label = f"network/{path.name}"
        try:
            roads, crs = imports.import_osm(path)
        except Exception as exc:  # an unreadable file is reported, not raised
            self.err(label, "osm", f"cannot import OpenStreetMap file: {exc}")
            return None
        if pos.crs.working != crs.working:
            if pos.crs.declared == "local":
                self.err("scenario.toml", "crs-mismatch",
                         "an OpenStreetMap network needs a georeferenced crs, not 'local'",
                         column="crs")
                return None
            if pos.geographic:
                # the zone was chosen before the OSM file was read: follow the import
                pos.crs = replace(pos.crs, working=crs.working)
                pos.projector = geo.Projector(crs.working)
            else:
                x, y = geo.reproject(roads.xy[:, 0], roads.xy[:, 1], crs.working,
                                     pos.crs.working)
                shape = None
                if roads.shape is not None:  # the streets' courses move with their nodes
                    flat = np.vstack(roads.shape)
                    sx, sy = geo.reproject(flat[:, 0], flat[:, 1], crs.working,
                                           pos.crs.working)
                    cut = np.cumsum([len(c) for c in roads.shape])[:-1]
                    shape = tuple(np.split(np.column_stack([sx, sy]), cut))
                roads = replace(roads, xy=np.column_stack([x, y]), shape=shape)
        return roads

    def check_components(self, roads: Roads
                         ) -> tuple[Roads, tuple[tuple[int, tuple[str, ...]], ...]]:
        if roads.n_nodes == 0:
            return roads, ()
        k, labels = topology.weak_components(roads)
        sizes = np.bincount(labels, minlength=k)
        order = np.argsort(-sizes, kind="stable")
        comps = tuple(
            (int(sizes[c]), tuple(roads.node_ids[j] for j in np.flatnonzero(labels == c)[:5]))
            for c in order
        )
        if k <= 1:
            return roads, comps
        pieces = "; ".join(f"{s} nodes (e.g. {', '.join(ex)})" for s, ex in comps[:10])
        more = f"; and {k - 10} more" if k > 10 else ""
        action = ("kept the largest" if self.largest_component
                  else "use --largest-component to keep the largest")
        self.warn("network/", "disconnected",
                  f"the network is in {k} unconnected pieces: {pieces}{more}; {action}")
        if not self.largest_component:
            return roads, comps
        return topology.largest_component(roads), comps

    # -- areas ---------------------------------------------------------------------------------
    def read_areas(self, pos: _Positions) -> tuple[Area, ...]:
        path = self.folder / "areas.geojson"
        if not path.is_file():
            return ()
        label = "areas.geojson"
        text = decode_text(path.read_bytes(), file=label, problems=self.problems)
        if text is None:
            return ()
        if not text.strip():
            self.err(label, "empty-file", "the file is empty")
            return ()
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            self.err(label, "json-syntax", f"not valid JSON: {exc}")
            return ()
        feats = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(feats, list):
            self.err(label, "geojson", "expected a FeatureCollection with a features list")
            return ()
        areas: list[tuple[int, Area, FloatArray]] = []
        seen: dict[tuple[str, str], int] = {}
        for i, f in enumerate(feats, start=1):
            a = self.read_area(label, i, f, pos, seen)
            if a is not None:
                geom = cast(Mapping[str, object], cast(dict[str, object], f)["geometry"])
                areas.append((i, a, _raw_bounds(geom)))
        off = self.areas_off_network(label, areas, pos)
        return tuple(a for i, a, _ in areas if i not in off)

    def areas_off_network(self, label: str, areas: Sequence[tuple[int, Area, FloatArray]],
                          pos: _Positions) -> set[int]:
        """The features (by number) lying wholly outside the road network's extent (with
        ``AREA_MARGIN_M`` around it), each an error, left out: a review's areas.geojson
        exported as GeoJSON is (RFC 7946: WGS 84 lon/lat) under a metric scenario crs checked
        with 32 warnings about sites outside every grid, and the plan's KPIs were null.
        Coordinates within lon -180..180 and lat -90..90 under a projected crs are named as
        lon/lat; the whole file so, in one error."""
        if not len(self.node_xy) or not areas:
            return set()
        lo = self.node_xy.min(axis=0) - AREA_MARGIN_M
        hi = self.node_xy.max(axis=0) + AREA_MARGIN_M
        off = []
        for i, a, raw in areas:
            x0, y0, x1, y1 = a.geometry.bounds
            if x1 < lo[0] or x0 > hi[0] or y1 < lo[1] or y0 > hi[1]:
                looks = (not pos.geographic and pos.crs.declared != "local"
                         and bool(np.all(np.abs(raw[[0, 2]]) <= 180))
                         and bool(np.all(np.abs(raw[[1, 3]]) <= 90)))
                off.append((i, a, raw, looks))
        if not off:
            return set()
        (nx0, ny0), (nx1, ny1) = self.node_xy.min(axis=0), self.node_xy.max(axis=0)
        extent = (f"the road network's extent (x {nx0:.0f}..{nx1:.0f}, y {ny0:.0f}..{ny1:.0f} "
                  f"in {pos.crs.working}, {AREA_MARGIN_M / 1000:g} km around it)")
        lonlat = (f": its coordinates are lon/lat degrees, but scenario.toml's crs "
                  f"{pos.crs.declared} is in metres (GeoJSON exported per RFC 7946 is WGS 84 "
                  f"lon/lat): export it in {pos.crs.declared}, or give crs = \"EPSG:4326\" "
                  "with every file in lon/lat")
        if len(off) == len(areas) and len(off) > 1:
            looks = all(lk for *_, lk in off)
            self.err(label, "areas-off-network",
                     f"all {len(off)} features lie wholly outside {extent}"
                     + (lonlat.replace("its coordinates are", "their coordinates are")
                        if looks else ": check the file's crs against scenario.toml's crs"),
                     row=off[0][0], column="geometry")
        else:
            for i, a, _, looks in off:
                self.err(label, "areas-off-network",
                         f"{a.kind} {a.id!r} lies wholly outside {extent}"
                         + (lonlat if looks else ": check its coordinates (x/y swapped? "
                            "another crs?)"), row=i, column="geometry")
        return {i for i, *_ in off}

    def read_area(self, label: str, i: int, f: object, pos: _Positions,
                  seen: dict[tuple[str, str], int]) -> Area | None:
        if not isinstance(f, dict):
            self.err(label, "geojson", "a feature is not an object", row=i)
            return None
        props = f.get("properties") or {}
        geom = f.get("geometry") or {}
        if not isinstance(props, dict):
            self.err(label, "geojson", "the feature's properties are not an object", row=i,
                     column="properties")
            return None
        if not isinstance(geom, dict):
            self.err(label, "geojson", "the feature's geometry is not an object", row=i,
                     column="geometry")
            return None
        kind = props.get("kind")
        if kind not in AREA_KINDS:
            self.err(label, "unknown-value",
                     f"kind {kind!r} is not one of {', '.join(AREA_KINDS)}", row=i,
                     column="kind")
            return None
        aid = props.get("id", f.get("id"))
        if aid is None or str(aid) == "":
            self.err(label, "missing-id", "the feature has no id", row=i, column="id")
            return None
        aid = str(aid)
        if (kind, aid) in seen:
            self.err(label, "duplicate-id",
                     f"{kind} id {aid!r} already used by feature {seen[(kind, aid)]}",
                     row=i, column="id")
            return None
        seen[(kind, aid)] = i
        level = props.get("level")
        if kind == "ring":
            if level not in (1, 2, 3, "1", "2", "3"):
                self.err(label, "bad-level",
                         f"a ring needs level 1, 2 or 3, got {level!r}", row=i, column="level")
                return None
            level = int(level)
        elif level is not None and level != "":
            try:
                level = int(level)
            except (TypeError, ValueError):
                self.err(label, "bad-level", f"level {level!r} is not a whole number", row=i,
                         column="level")
                return None
        else:
            level = None
        polygon = self.polygon(label, i, geom, pos)
        if polygon is None:
            return None
        known = {"kind", "id", "name", "level"}
        return Area(id=aid, kind=cast(AreaKind, kind), name=str(props.get("name", aid)),
                    geometry=polygon, level=level,
                    extra={k: v for k, v in props.items() if k not in known})

    def polygon(self, label: str, i: int, geom: Mapping[str, object], pos: _Positions
                ) -> shapely.Polygon | shapely.MultiPolygon | None:
        gtype = geom.get("type")
        coords = geom.get("coordinates")
        if gtype == "Polygon":
            polys = [coords]
        elif gtype == "MultiPolygon" and isinstance(coords, list):
            polys = coords
        else:
            self.err(label, "geometry", f"geometry type {gtype!r} is not Polygon or MultiPolygon",
                     row=i, column="geometry")
            return None
        parts: list[shapely.Polygon] = []
        for poly in polys:
            if not isinstance(poly, list) or not poly:
                self.err(label, "geometry", "a polygon has no rings", row=i, column="geometry")
                return None
            rings: list[FloatArray] = []
            for ring in poly:
                try:
                    arr = np.asarray(ring, dtype=float)
                except (TypeError, ValueError):
                    self.err(label, "bad-coordinate", "polygon coordinates are not numbers",
                             row=i, column="geometry")
                    return None
                if arr.ndim != 2 or arr.shape[1] < 2 or not np.all(np.isfinite(arr)):
                    self.err(label, "bad-coordinate", "polygon coordinates are not [x, y] pairs",
                             row=i, column="geometry")
                    return None
                arr = arr[:, :2]
                if len(arr) < 4:
                    self.err(label, "polygon-ring",
                             f"a polygon ring needs at least 4 positions, got {len(arr)}",
                             row=i, column="geometry")
                    return None
                if not np.array_equal(arr[0], arr[-1]):
                    self.err(label, "unclosed-polygon",
                             f"a polygon ring is not closed: it starts at {arr[0].tolist()} "
                             f"and ends at {arr[-1].tolist()}", row=i, column="geometry")
                    return None
                if pos.geographic:
                    bad = (np.abs(arr[:, 0]) > 180) | (np.abs(arr[:, 1]) > 90)
                    if bad.any():
                        self.err(label, "bad-coordinate",
                                 "lon/lat out of range in a polygon (the scenario crs is "
                                 "geographic: GeoJSON coordinates are lon/lat)", row=i,
                                 column="geometry")
                        return None
                    x, y = pos.lonlat_to_xy(arr[:, 0], arr[:, 1])
                    arr = np.column_stack([x, y])
                else:
                    x, y = pos.xy_to_working(arr[:, 0], arr[:, 1])
                    arr = np.column_stack([x, y])
                rings.append(arr)
            parts.append(shapely.Polygon(rings[0], holes=rings[1:]))
        shape: shapely.Polygon | shapely.MultiPolygon = (
            parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
        )
        if not shape.is_valid:
            self.err(label, "invalid-polygon",
                     f"the polygon is not valid: {shapely.is_valid_reason(shape)} "
                     "(self-intersecting or overlapping rings)", row=i, column="geometry")
            return None
        if shape.area <= 0:
            self.err(label, "invalid-polygon", "the polygon has no area", row=i,
                     column="geometry")
            return None
        return shape

    # -- sites and posts -------------------------------------------------------------------------
    def read_sites(self, pos: _Positions, areas: Sequence[Area]) -> tuple[Site, ...]:
        t = self.table("sites", ("id", "name", "kind", "tier"))
        if t is None:
            return ()
        xy = self.positions(t, pos, allow_node=True)
        seen: dict[str, int] = {}
        sites: list[Site] = []
        grids = [a for a in areas if a.kind == "grid"]
        for i, row in enumerate(t.rows, start=1):
            sid = self.unique_id(t, i, row, seen)
            tier = self.number(t, i, row, "tier", integer=True)
            if tier is not None and tier not in (1, 2, 3):
                self.err(t.file, "bad-tier", f"tier must be 1, 2 or 3, got {row['tier']}",
                         row=i, column="tier")
                tier = None
            p = xy[i - 1]
            if sid is None or tier is None or p is None:
                continue
            if grids and not any(g.geometry.covers(shapely.Point(p)) for g in grids):
                self.warn(t.file, "outside-grids", f"site {sid!r} lies outside every grid",
                          row=i)
            sites.append(Site(
                id=sid, name=row["name"], kind=row["kind"], tier=int(tier), xy=p,
                node=self.placed_node(t, i, row, p),
                extra=self.extra(t, row, ("id", "name", "kind", "tier", "x", "y", "lon", "lat",
                                          "node")),
            ))
        return tuple(sites)

    def read_posts(self, pos: _Positions) -> tuple[Post, ...]:
        t = self.table("posts", ("id", "name", "kind"))
        if t is None:
            return ()
        self.posts_rows = len(t.rows)
        xy = self.positions(t, pos, allow_node=True)
        seen: dict[str, int] = {}
        posts: list[Post] = []
        for i, row in enumerate(t.rows, start=1):
            pid = self.unique_id(t, i, row, seen)
            kind = self.choice(t, i, row, "kind", POST_KINDS)
            night = self.flag(t, i, row, "night_only") if t.has("night_only") else False
            temp = self.flag(t, i, row, "temporary") if t.has("temporary") else False
            p = xy[i - 1]
            if pid is None or kind is None or p is None:
                continue
            if night and kind != "checkpoint":
                self.warn(t.file, "night-only", f"night_only is meant for checkpoints, not "
                          f"{kind}", row=i, column="night_only")
            posts.append(Post(
                id=pid, name=row["name"], kind=cast(PostKind, kind), xy=p,
                node=self.placed_node(t, i, row, p),
                night_only=night, temporary=temp,
                extra=self.extra(t, row, ("id", "name", "kind", "night_only", "temporary", "x",
                                          "y", "lon", "lat", "node")),
            ))
        return tuple(posts)

    def placed_node(self, t: Table, i: int, row: Mapping[str, str], p: tuple[float, float]
                    ) -> str | None:
        """The node a site or post stands at: its ``node`` where given (checked against its
        x/y), else none — it is snapped by position, with a warning when that is far."""
        node = row.get("node", "")
        if node and node in self.node_index:
            j = self.node_index[node]
            gap = float(np.hypot(*(self.node_xy[j] - np.asarray(p))))
            if gap > NODE_MISMATCH_M:
                self.warn(t.file, "node-mismatch",
                          f"the coordinates lie {gap:.0f} m from node {node!r}; the node is used",
                          row=i, column="node")
            return node
        if node and node not in self.dropped_nodes and self.node_index:
            self.err(t.file, "unknown-node", f"node {node!r} is not in network/nodes",
                     row=i, column="node")
            return None
        if len(self.node_xy):
            if self.tree is None:
                self.tree = cKDTree(self.node_xy)
            gap = float(self.tree.query(np.asarray(p))[0])
            if gap > SNAP_ERROR_M:
                # beyond any snap to a road (a review: a post 3,248 km off, its lon/lat typed
                # into x/y, was only warned of, and the plan measured from the nearest node)
                lonlat = ""
                with contextlib.suppress(KeyError, ValueError):
                    if abs(float(row["x"])) <= 180 and abs(float(row["y"])) <= 90:
                        lonlat = " (x/y look like lon/lat degrees: give them as lon/lat)"
                self.err(t.file, "far-from-roads",
                         f"the place is {gap / 1000:,.1f} km from the nearest road node, over "
                         f"the {SNAP_ERROR_M / 1000:g} km any place may lie from the roads"
                         f"{lonlat}; check its coordinates", row=i,
                         column="x" if t.has("x") else "lon" if t.has("lon") else None)
            elif gap > SNAP_WARN_M:
                self.warn(t.file, "far-from-roads",
                          f"the place is {gap:.0f} m from the nearest road node, where travel "
                          "times are measured from; check its coordinates", row=i)
        return None

    # -- lines ------------------------------------------------------------------------------------
    def read_lines(self, roads: Roads | None) -> tuple[PatrolLine, ...]:
        t = self.table("lines", ("line", "seq", "node"))
        if t is None:
            return ()
        steps: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        every: dict[str, float] = {}
        broken: set[str] = set()  # lines with a bad row, already reported
        for i, row in enumerate(t.rows, start=1):
            line = row["line"]
            if not line:
                self.err(t.file, "missing-id", "line is empty", row=i, column="line")
                continue
            seq = self.number(t, i, row, "seq", integer=True)
            node = row["node"]
            if roads is not None and node in self.dropped_nodes:
                if line not in broken:
                    self.warn(t.file, "dropped-node",
                              f"line {line!r} passes through node {node!r}, outside the largest "
                              "piece of the network; the line is left out", row=i,
                              column="node")
                broken.add(line)
                continue
            if roads is not None and node not in self.node_index:
                self.err(t.file, "unknown-node", f"node {node!r} is not in network/nodes",
                         row=i, column="node")
                broken.add(line)
                continue
            if t.has("every_minutes") and row["every_minutes"]:
                e = self.number(t, i, row, "every_minutes", positive=True)
                if e is not None:
                    if line in every and every[line] != e:
                        self.err(t.file, "inconsistent", f"line {line!r} has two every_minutes "
                                 f"values ({every[line]} and {e})", row=i,
                                 column="every_minutes")
                    every[line] = e
            if seq is not None:
                if any(s == int(seq) for s, _, _ in steps[line]):
                    self.err(t.file, "duplicate-id", f"line {line!r} has seq {int(seq)} twice",
                             row=i, column="seq")
                    continue
                steps[line].append((int(seq), node, i))
        adjacent: set[tuple[int, int]] = set()
        if roads is not None:
            adjacent = set(zip(roads.u.tolist(), roads.v.tolist(), strict=True))
            adjacent |= {(b, a) for a, b in adjacent}
        lines: list[PatrolLine] = []
        for line, st in steps.items():
            if line in broken:
                continue
            st.sort()
            nodes = tuple(n for _, n, _ in st)
            if len(nodes) < 2:
                self.err(t.file, "short-line", f"line {line!r} needs at least 2 nodes",
                         row=st[0][2], column="node")
                continue
            for (_, a, _), (_, b, row_b) in itertools.pairwise(st):
                if adjacent and (self.node_index[a], self.node_index[b]) not in adjacent:
                    self.warn(t.file, "not-adjacent",
                              f"line {line!r}: nodes {a!r} and {b!r} are not joined by an edge; "
                              "the shortest path between them is used", row=row_b, column="node")
            lines.append(PatrolLine(id=line, nodes=nodes, every_minutes=every.get(line)))
        return tuple(lines)

    # -- forces -----------------------------------------------------------------------------------
    def read_units(self, posts: Sequence[Post], sites: Sequence[Site] = ()
                   ) -> tuple[Unit, ...]:
        t = self.table("units", ("id", "tier", "mode", "squad", "home_post"))
        if t is None:
            return ()
        post_ids = {p.id for p in posts}
        kind_of = {p.id: p.kind for p in posts}
        temporary = {p.id for p in posts if p.temporary}
        # looked up here, not told by posts_rows: that is None both where there is no posts
        # table (every home_post is then unknown) and where there is one that was not read,
        # being unreadable or the CRS unusable (its own error said, not one per unit)
        posts_there = find_table(self.folder, "posts", problems=[]) is not None
        seen: dict[str, int] = {}
        units: list[Unit] = []
        for i, row in enumerate(t.rows, start=1):
            uid = self.unique_id(t, i, row, seen)
            tier = self.choice(t, i, row, "tier", TIERS)
            mode = self.choice(t, i, row, "mode", MODES)
            home = row["home_post"]
            home_ok = home in post_ids
            # a posts.csv with its header only is no posts at all (a review: every unit
            # then left out of the plan with one warning, exit 0): each home_post is unknown
            no_posts = self.posts_rows == 0
            if not home_ok and (post_ids or not posts_there or no_posts):
                self.err(t.file, "unknown-post", f"home_post {home!r} is not in posts.csv"
                         + (" (posts.csv has a header but no data rows)" if no_posts else ""),
                         row=i, column="home_post")
            elif home_ok and kind_of[home] not in SOURCE_POST_KINDS:
                # units stand at their home post: an exit or a camera is a place they guard
                # or watch, not one they start from (events.csv refuses them as its posts;
                # a review: a camera and an exit passed as home posts)
                self.err(t.file, "bad-post-kind", f"home_post {home!r} is a post of kind "
                         f"{kind_of[home]!r}: a unit's home post must be of kind "
                         f"{', '.join(SOURCE_POST_KINDS)}", row=i, column="home_post")
                home_ok = False
            elif home_ok and home in temporary:
                # (a review: a unit based at an event's post stood there all day)
                self.err(t.file, "temporary-home", f"home_post {home!r} is a temporary post "
                         "(staffed only in its events' hours): a unit's home post must be a "
                         "standing one", row=i, column="home_post")
                home_ok = False
            seats = None
            if t.has("seats") and row["seats"]:
                s = self.number(t, i, row, "seats", integer=True, positive=True)
                seats = None if s is None else int(s)
            if t.has("hours") and row["hours"].strip():
                try:
                    parse_hours(row["hours"])
                except ValueError as exc:
                    self.err(t.file, "bad-hours", f"hours: {exc}", row=i, column="hours")
            if tier == "auxiliary":
                self.check_auxiliary_row(t, i, row, uid, sites)
            if uid is None or tier is None or mode is None or not home_ok:
                continue
            self.unit_rows[uid] = (t.file, i)
            units.append(Unit(
                id=uid, tier=cast(Tier, tier), mode=cast(Mode, mode), squad=row["squad"],
                home_post=home, seats=seats,
                extra=self.extra(t, row, ("id", "tier", "mode", "squad", "home_post", "seats")),
            ))
        return tuple(units)

    def check_auxiliary_row(self, t: Table, i: int, row: Mapping[str, str], uid: str | None,
                            sites: Sequence[Site]) -> None:
        """An auxiliary unit's squad (the kind of force the plan places) and ``sites``
        (review B: a squad typo dropped the unit in silence, and a bad ``hours`` or
        ``sites`` value was refused only at plan time, without its row; ``hours``, which
        police units may carry too, is checked for every row by :meth:`read_units`)."""
        kinds = ", ".join(sorted(AUXILIARY_ROLES))
        if row["squad"] not in AUXILIARY_ROLES:
            self.warn(t.file, "auxiliary-squad",
                      f"auxiliary unit {uid!r} has squad {row['squad']!r}, not one of {kinds} "
                      "(the kinds of auxiliary force the plan places): it is never placed",
                      row=i, column="squad")
        if t.has("sites") and row["sites"].strip():
            known = {x.id for x in sites}
            bad = [x.strip() for x in row["sites"].split(";")
                   if x.strip() and x.strip() not in known]
            if bad:
                self.err(t.file, "unknown-site", f"sites: {', '.join(bad)} not in sites.csv "
                         "(site ids separated by ';')", row=i, column="sites")

    def check_auxiliary(self, units: Sequence[Unit], people: Sequence[Person]) -> None:
        """Warn of an auxiliary unit nobody in people.csv can staff (its squad and the kind's
        role): it is not placed (review B: a role typo, ``volunteers``, left the volunteers
        placed with 0 people and no word); and of each person of an auxiliary kind's squad
        whose role is not the kind's."""
        if not people:
            return
        for u in units:
            role = AUXILIARY_ROLES.get(u.squad)
            if u.tier != "auxiliary" or role is None:
                continue
            if not any(p.squad == u.squad and p.role == role for p in people):
                file, i = self.unit_rows.get(u.id, ("units.csv", 0))
                self.warn(file, "auxiliary-unstaffed",
                          f"auxiliary unit {u.id!r} (squad {u.squad!r}): no one in people.csv "
                          f"has squad {u.squad!r} and role {role!r}; it is never placed",
                          row=i, column="squad")
        squads = {u.squad for u in units if u.tier == "auxiliary"}
        for p in people:
            role = AUXILIARY_ROLES.get(p.squad)
            if p.squad in squads and role is not None and p.role != role:
                file, i = self.person_rows.get(p.id, ("people.csv", 0))
                self.warn(file, "auxiliary-role",
                          f"person {p.id!r} of squad {p.squad!r} has role {p.role!r}; the "
                          f"{p.squad} units are staffed by role {role!r} only",
                          row=i, column="role")

    def check_teams(self, settings: ScenarioToml, units: Sequence[Unit],
                    people: Sequence[Person]) -> None:
        """An error for each person whose team the roster does not work (the pattern's
        rotating teams A, B, … and the day team ``day``) who would crew a unit beside people
        it does: only rostered people of such a unit's crew are ever on duty, so the person
        is never used (a review: team 'E', or 'a' for 'A', took the person off the roster
        in silence). Crews as the deployment forms them: same squad and tier, the team named
        like the unit where there is one. Skipped where the rotating teams are not A, B, …
        (the roster then needs --teams, and says so)."""
        worked = _worked_teams(settings, people)
        if worked is None:
            return
        pol = settings.policy
        team_of = {q.id: q.team for q in people}
        pools = [(u.id, {q.id for q in crew_pool(u, people)}) for u in units]
        for q in people:
            if q.team in worked:
                continue
            beside = [uid for uid, pool in pools
                      if q.id in pool and any(team_of[o] in worked for o in pool)]
            if not beside:
                continue
            like = [t for t in worked if t.casefold() == q.team.strip().casefold()]
            file, i = self.person_rows.get(q.id, ("people.csv", 0))
            self.err(file, "unknown-team",
                     f"person {q.id!r}: team {q.team!r} is not a team the roster works "
                     f"({', '.join(worked)}: the rotating teams of shift pattern "
                     f"{pol.shift_pattern!r}"
                     + (" and the day team" if "day" in worked else "") + ")"
                     + (f" (did you mean {like[0]!r}?)" if like else "")
                     + f"; of squad {q.squad!r}, the person would crew "
                     f"{', '.join(beside[:3])}{' …' if len(beside) > 3 else ''} beside "
                     "rostered people, but is never on duty", row=i, column="team")

    def check_duty_hours(self, settings: ScenarioToml, units: Sequence[Unit],
                         people: Sequence[Person]) -> None:
        """A warning for the police units crewed by their own duty list (a pool of people
        the roster does not rota) whose hours ask more of the pool than it can give: more
        crew-hours a day (``CREW_MIN`` by mode × the hours in units.csv's ``hours``, 24
        without) than its people work (``max_week_hours`` ÷ 7 each), or more people at once
        than it has (a review: a station's car and foot group, on duty in every hour, drew
        on the same four people: 72 crew-hours a day of 32). The plan still counts them on
        duty in those hours: the planner is told, not overruled."""
        from xunfang.planning.deploy.inputs import CREW_MIN

        worked = _worked_teams(settings, people)
        if worked is None:
            return
        team_of = {q.id: q.team for q in people}
        per_day = settings.policy.roster.max_week_hours / 7
        by_pool: dict[tuple[str, ...], list[Unit]] = {}
        for u in units:
            pool = tuple(q.id for q in crew_pool(u, people))
            if (u.tier == "auxiliary" or u.mode == "drone" or not pool
                    or any(team_of[p] in worked for p in pool)):
                continue
            by_pool.setdefault(pool, []).append(u)
        for pool, own in by_pool.items():
            try:
                hours = {u.id: u.hours or tuple(range(24)) for u in own}
            except ValueError:
                continue  # read_units names the cell
            ask = sum(CREW_MIN.get(u.mode, 1) * len(hours[u.id]) for u in own)
            peak = max(sum(CREW_MIN.get(u.mode, 1) for u in own if h in hours[u.id])
                       for h in range(24))
            have = len(pool) * per_day
            if ask <= have + 1e-9 and peak <= len(pool):
                continue
            said = ", ".join(f"{u.id} {hours_text(hours[u.id])}" for u in own)
            file, i = self.unit_rows.get(own[0].id, ("units.csv", 0))
            self.warn(file, "duty-hours",
                      f"units {said} (units.csv hours; 0-24 where none) are crewed by their "
                      f"own duty list of {len(pool)} people ({', '.join(pool[:4])}"
                      f"{' …' if len(pool) > 4 else ''}), whom the roster does not rota: "
                      f"they ask {ask} crew-hours a day and up to {peak} people at once, "
                      f"where {len(pool)} people working {per_day:g} hours a day "
                      f"(max_week_hours {settings.policy.roster.max_week_hours} ÷ 7) give "
                      f"{have:g}; the plan counts the units on duty in those hours all the "
                      "same: give them hours their people can work", row=i, column="hours")

    def check_unit_squads(self, units: Sequence[Unit], people: Sequence[Person]) -> None:
        """An error for each police unit (not auxiliary: :meth:`check_auxiliary` names
        those) whose squad no one in people.csv belongs to: its crew comes from its squad's
        people on duty, so it would stand all day with none (a review: TX-C1's squad typed
        'fxied' planned the car every slot with an empty crew, nothing said). Where no
        police unit's squad is anyone's (no people.csv, or one of auxiliary forces only),
        police crews are not modelled: one warning says so."""
        squads = sorted({p.squad for p in people})
        police = [u for u in units if u.tier != "auxiliary"]
        if police and not any(u.squad in squads for u in police):
            # no police crew modelled at all: every unit on duty in every slot, uncrewed
            # (README); said once (a review: without people.csv all 38 units stood every
            # slot with empty crews and the drones flew 542 sortie-minutes a day, unsaid)
            self.warn("people.csv", "no-crews",
                      ("there is no people.csv" if not self.people_read else
                       f"no one in people.csv belongs to a police unit's squad "
                       f"({', '.join(sorted({u.squad for u in police}))})")
                      + f": crews are not modelled — all {len(police)} police units of "
                      "units.csv are on duty in every slot with no crew and drones fly "
                      "without pilots; give people.csv (id, role, team, squad) to staff them "
                      "from a roster")
            return
        for u in police:
            if u.squad not in squads:
                file, i = self.unit_rows.get(u.id, ("units.csv", 0))
                self.err(file, "unknown-squad",
                         f"unit {u.id!r}: squad {u.squad!r} is no one's squad in people.csv "
                         f"(its squads: {', '.join(squads)}); the unit's crew comes from its "
                         "squad, so it would have none", row=i, column="squad")
                continue
            # people of its squad, but none it may crew: they all carry another tier
            if not crew_pool(u, people):
                tiers = {q.extra.get("tier") for q in people if q.squad == u.squad}
                file, i = self.unit_rows.get(u.id, ("units.csv", 0))
                self.err(file, "unknown-squad",
                         f"unit {u.id!r} of tier {u.tier!r}: no one of squad {u.squad!r} in "
                         f"people.csv is of tier {u.tier!r} (they are of tier "
                         f"{', '.join(sorted(str(x) for x in tiers))}); a unit's crew is its "
                         "squad's people of its tier, so it would have none", row=i,
                         column="tier")

    def read_people(self) -> tuple[Person, ...]:
        t = self.table("people", ("id", "role", "team", "squad"))
        if t is None:
            return ()
        self.people_read = True
        seen: dict[str, int] = {}
        people: list[Person] = []
        for i, row in enumerate(t.rows, start=1):
            pid = self.unique_id(t, i, row, seen)
            if not row["role"]:
                self.err(t.file, "missing-value", "role is empty", row=i, column="role")
                continue
            if pid is None:
                continue
            # skills joined as people join them: ; or , in either width, or 、 (a review:
            # "armed、driver、drone_pilot" was one unknown skill, and the pilot no pilot)
            skills = tuple(s.strip() for s in _SKILL_SEPARATORS.split(row.get("skills", ""))
                           if s.strip())
            self.person_rows[pid] = (t.file, i)
            extra = self.extra(t, row, ("id", "role", "team", "squad", "skills"))
            if t.has("tier") and not self.person_tier_ok(t, i, row):
                # said here once; read on as any tier, so no unit's check says it again
                extra.pop("tier")
            people.append(Person(
                id=pid, role=row["role"], team=row["team"], squad=row["squad"], skills=skills,
                extra=extra,
            ))
        return tuple(people)

    def person_tier_ok(self, t: Table, i: int, row: Mapping[str, str]) -> bool:
        """A person's ``tier`` (people.csv's optional column: the tier of the units the
        person crews, :func:`~xunfang.scenario.model.crew_pool`) is one of the units' tiers.
        An error otherwise, blank included: where the column is given, a blank cell is a
        tier left out, not "any tier" (a review: a blank tier was read as tier "", the person
        crewed no unit, and the check said "they are of tier , precinct")."""
        v = row["tier"]
        if v in TIERS:
            return True
        tiers = ", ".join(TIERS)
        if not v.strip():
            self.err(t.file, "missing-value", f"tier is empty: write {tiers} (the tier of "
                     "the units the person crews)", row=i, column="tier")
            return False
        like = [x for x in TIERS if x.casefold() == v.strip().casefold()]
        self.err(t.file, "unknown-value",
                 f"tier {v!r} is not one of {tiers} (the tier of the units the person crews)"
                 + (f" (did you mean {like[0]!r}?)" if like else ""), row=i, column="tier")
        return False

    def _date(self, t: Table, i: int, row: Mapping[str, str], col: str) -> date | None:
        """The cell as a date, written YYYY-MM-DD and nothing else. Leave is whole calendar
        days (README: no hour of a leave date is on duty), so a time is refused rather than
        cut off (a review: 2026-12-02T14:00 to T16:00 became the whole day, and
        2026-12-02xx passed as 2026-12-02)."""
        raw = row[col].strip()
        day = None
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                day = None
        if day is not None:
            return day
        timed = False
        with contextlib.suppress(ValueError):
            timed = len(raw) > 10 and bool(datetime.fromisoformat(raw))
        self.err(t.file, "bad-date",
                 f"{col} {row[col]!r} is not a date (YYYY-MM-DD)"
                 + (f": leave is taken in whole calendar days, from and to included, so "
                    f"give the date alone ({raw[:10]}); part of a day cannot be given"
                    if timed else ""), row=i, column=col)
        return None

    def _datetime(self, t: Table, i: int, row: Mapping[str, str], col: str
                  ) -> datetime | None:
        try:
            return datetime.fromisoformat(row[col])
        except ValueError:
            self.err(t.file, "bad-time",
                     f"{col} {row[col]!r} is not an ISO 8601 time (YYYY-MM-DDTHH:MM)",
                     row=i, column=col)
            return None

    def read_leave(self, people: Sequence[Person]) -> tuple[Leave, ...]:
        t = self.table("leave", ("person", "from", "to"))
        if t is None:
            return ()
        known = {p.id for p in people}
        out: list[Leave] = []
        for i, row in enumerate(t.rows, start=1):
            if row["person"] not in known:
                self.err(t.file, "unknown-person", f"person {row['person']!r} is not in "
                         "people.csv", row=i, column="person")
                continue
            a = self._date(t, i, row, "from")
            b = self._date(t, i, row, "to")
            if a is None or b is None:
                continue
            if b < a:
                self.err(t.file, "bad-range", f"leave ends ({b}) before it starts ({a})",
                         row=i, column="to")
                continue
            out.append(Leave(person=row["person"], start=a, end=b,
                             extra=self.extra(t, row, ("person", "from", "to"))))
        return tuple(out)

    def read_events(self, posts: Sequence[Post]) -> tuple[Event, ...]:
        t = self.table("events", ("name", "from", "to", "level"))
        if t is None:
            return ()
        kind_of = {p.id: p.kind for p in posts}
        out: list[Event] = []
        taken: dict[str, list[tuple[datetime, datetime, str, int]]] = {}
        if not (t.has("posts") or t.has("extra_staff")):
            # (a review: a file headed as DESIGN.md words it, "temporary posts" and "extra
            # staffing", loaded with no warning, its events with no posts and no staff)
            self.warn(t.file, "no-event-posts", "events.csv has neither a posts nor an "
                      "extra_staff column: its events raise the level only (columns: name, "
                      "from, to, level[, posts][, extra_staff], posts as ids joined by ;)")
        for i, row in enumerate(t.rows, start=1):
            a = self._datetime(t, i, row, "from")
            b = self._datetime(t, i, row, "to")
            level = self.number(t, i, row, "level", integer=True)
            extra = self.number(t, i, row, "extra_staff", required=False, integer=True,
                                default=0.0)
            plist = tuple(p.strip() for p in row.get("posts", "").split(";") if p.strip())
            twice = sorted({p for p in plist if plist.count(p) > 1})
            if twice:  # (a review: T1;T1 stood twice the units there)
                self.err(t.file, "duplicate-post", f"posts lists {twice} more than once",
                         row=i, column="posts")
                continue
            unknown = [p for p in plist if p not in kind_of]
            if unknown:
                self.err(t.file, "unknown-post", f"posts {unknown} are not in posts.csv",
                         row=i, column="posts")
                continue
            # (a review: an empty name, a level of 9 or -2, extra staff of -3 and exits and
            # cameras as event posts all passed the check; -3 then failed the plan's solver
            # after 26 s naming no file)
            if not row.get("name", "").strip():
                self.err(t.file, "missing-value", "name is empty", row=i, column="name")
                continue
            if level is not None and level not in EVENT_LEVELS:
                self.err(t.file, "bad-level", f"level {row['level']!r} is not 1 (the event's "
                         "posts only), 2 (also at least one unit in every grid) or 3 (also "
                         "two in the grids of tier-1 sites)", row=i, column="level")
                continue
            if extra is not None and extra < 0:
                self.err(t.file, "negative", f"extra_staff must be >= 0, got "
                         f"{row['extra_staff']}", row=i, column="extra_staff")
                continue
            unstaffed = [p for p in plist if kind_of[p] not in SOURCE_POST_KINDS]
            if unstaffed:
                self.err(t.file, "bad-post-kind", f"posts {unstaffed} are "
                         f"{sorted({kind_of[p] for p in unstaffed})} posts: units stand at an "
                         f"event's posts, so they must be of kind "
                         f"{', '.join(SOURCE_POST_KINDS)}", row=i, column="posts")
                continue
            if a is None or b is None or level is None or extra is None:
                continue
            if b <= a:
                self.err(t.file, "bad-range", f"event ends ({b}) before it starts ({a})",
                         row=i, column="to")
                continue
            for p in plist:
                for a2, b2, name2, row2 in taken.get(p, ()):
                    if a < b2 and a2 < b:
                        self.warn(t.file, "events-overlap", f"post {p!r} serves this event and "
                                  f"{name2!r} (row {row2}) from {max(a, a2)} to {min(b, b2)}: "
                                  "the units each asks for stand there together", row=i,
                                  column="posts")
                taken.setdefault(p, []).append((a, b, row["name"], i))
            out.append(Event(name=row["name"], start=a, end=b, level=int(level), posts=plist,
                             extra_staff=int(extra or 0),
                             extra=self.extra(t, row, ("name", "from", "to", "level", "posts",
                                                       "extra_staff"))))
        return tuple(out)

    # -- incidents --------------------------------------------------------------------------------
    def read_incidents(self, pos: _Positions, settings: ScenarioToml,
                       areas: Sequence[Area] = ()) -> Incidents | None:
        t = self.table("incidents", ("time", "category", "priority"))
        if t is None:
            return None
        tz = ZoneInfo(settings.timezone)
        # times without an offset are on the clock scenario.toml's source_timezone names (a
        # record exported in UTC without "Z"), else on the scenario's own
        written = ZoneInfo(settings.source_timezone) if settings.source_timezone else None
        xy = self.positions(t, pos, allow_node=False)
        ids: list[str] = []
        times: list[datetime] = []
        pts: list[tuple[float, float]] = []
        cats: list[str] = []
        prio: list[int] = []
        kept: list[int] = []
        seen: dict[str, int] = {}
        # the clock a time without an offset is on: scenario.toml's source_timezone, else
        # the scenario's own timezone
        clock_name = settings.source_timezone or settings.timezone
        clock = written or tz
        for i, row in enumerate(t.rows, start=1):
            iid = self.unique_id(t, i, row, seen) if t.has("id") else str(i)
            when = self._datetime(t, i, row, "time")
            if when is not None and when.tzinfo is None:
                # one rule for a clock time the change to or from summer time skips or
                # repeats, on either clock, as `xunfang intel ingest --tz` has it: one in the
                # gap never happened and is left out, said by row; one in the fold is kept.
                # (Reviews: 2025-03-09T02:30 and 2025-11-02T01:30 on America/Chicago loaded
                # as 16:30 and 14:30 of Asia/Shanghai, nothing said; then both left out with
                # source_timezone and both kept, unchecked, without it.)
                dst = _dst_rule(when.replace(tzinfo=clock), clock_name)
                if dst is not None and dst[0] == "dst-gap" and (
                        when.hour, when.minute, when.second) == (0, 0, 0):
                    # a date without its time where the clocks go forward at midnight
                    # (Havana, Santiago, Beirut): the day's first instant, as ingest keeps it
                    # (a review: the loader left 2024-03-10 out on America/Havana)
                    when = when.replace(tzinfo=clock).astimezone(UTC).astimezone(clock)
                    dst = None
                if dst is not None and dst[0] == "dst-gap":
                    self.warn(t.file, dst[0], f"time {row['time']!r} on {_clock_field(settings)}"
                              f": {dst[1]}; the incident is left out (give its UTC offset, "
                              "e.g. -05:00, to keep it)", row=i, column="time")
                    continue
                if dst is not None and written is not None:
                    # converted to the scenario's clock, it needs one instant: the first
                    # (fold=0, summer time), said with its offset
                    first = when.replace(tzinfo=written, fold=0)
                    self.warn(t.file, dst[0], f"time {row['time']!r} on "
                              f"{_clock_field(settings)}: {dst[1]}; kept, read as the first of "
                              f"the two ({first.isoformat(timespec='minutes')}; give its UTC "
                              "offset to read it as the other)", row=i, column="time")
                elif dst is not None:
                    # kept as written: its day and hour on the scenario's clock are the same
                    # whichever of the two it was
                    self.warn(t.file, dst[0], f"time {row['time']!r} on "
                              f"{_clock_field(settings)}: {dst[1]}; kept as written (its day "
                              "and hour are the same whichever of the two it was)",
                              row=i, column="time")
                if written is not None:
                    when = when.replace(tzinfo=written, fold=0)
            if when is not None and when.tzinfo is not None:
                when = when.astimezone(tz).replace(tzinfo=None)
            p = self.number(t, i, row, "priority", integer=True)
            if p is not None and p < 1:
                # the simulator serves the smallest number first, so a 0 or a -4 would jump
                # every priority-1 call (the rule incident files for `simulate` and the live
                # centre's reports keep too; a review found this file alone let them through)
                self.err(t.file, "priority-below-1", f"priority must be a whole number >= 1 "
                         f"(1 the most urgent), got {row['priority']}", row=i, column="priority")
                p = None
            if not row["category"]:
                self.err(t.file, "missing-value", "category is empty", row=i,
                         column="category")
                continue
            if iid is None or when is None or p is None or xy[i - 1] is None:
                continue
            ids.append(iid)
            times.append(when)
            pts.append(cast(tuple[float, float], xy[i - 1]))
            cats.append(row["category"])
            prio.append(int(p))
            kept.append(i - 1)
        self.outside_grids(t, areas, pts, kept, settings)
        self.check_risk_categories(cats, settings)
        self.incident_coords = ("lonlat" if not t.has("x") else "xy" if not t.has("lon")
                                else "both")
        known = {"id", "time", "x", "y", "lon", "lat", "category", "priority"}
        extra = {c: tuple(t.rows[k][c] for k in kept) for c in t.header if c not in known}
        return Incidents(
            extra=extra,
            ids=tuple(ids),
            time=np.array(times, dtype="datetime64[m]"),
            xy=np.array(pts, dtype=float).reshape(-1, 2),
            category=tuple(cats),
            priority=np.array(prio, dtype=np.int64),
        )


    def check_risk_categories(self, cats: Sequence[str], settings: ScenarioToml) -> None:
        """An error for each of scenario.toml's ``risk_categories`` no incident holds,
        matched as ``xunfang intel forecast --category`` matches (the whole name, any case):
        a typo must not quietly forecast from nothing, or from a part."""
        if not settings.risk_categories:
            return
        held = {c.strip().casefold() for c in cats}
        for name in settings.risk_categories:
            if name.strip().casefold() not in held:
                counts: dict[str, int] = defaultdict(int)
                for c in cats:
                    counts[c.strip()] += 1
                top = sorted(counts.items(), key=lambda nc: (-nc[1], nc[0]))
                listed = ", ".join(f"'{n}' ({k})" for n, k in top[:12])
                more = f" and {len(top) - 12} more" if len(top) > 12 else ""
                self.err("scenario.toml", "unknown-category",
                         f"risk_categories names {name!r}, which no incident of "
                         f"incidents.csv holds (the whole name, any case); the categories "
                         f"are {listed or 'none'}{more}", column="risk_categories")

    def outside_grids(self, t: Table, areas: Sequence[Area], pts: list[tuple[float, float]],
                      kept: list[int], settings: ScenarioToml) -> None:
        """One warning for the incidents outside every prevention grid: the risk forecast
        ranks grids, and does not count them. A review's copy of the county with 2,530
        incidents 15 km from town checked with no warning (the plan forecast in silence
        from the rest); a GCJ-02 record read as WGS 84 puts some of them outside."""
        grids = [a.geometry for a in areas if a.kind == "grid"]
        if not grids or not pts:
            return
        points = shapely.points(np.asarray(pts, dtype=float))
        inside = np.zeros(len(pts), dtype=bool)
        inside[np.unique(shapely.STRtree(grids).query(points, "intersects")[0])] = True
        off = np.flatnonzero(~inside)
        if not len(off):
            return
        far = float(shapely.distance(shapely.union_all(grids), points[off]).max())
        hint = "; " + outside_hint(t.has("lon"), str(settings.coords), str(settings.crs))
        n = len(pts)
        self.warn(t.file, "outside-grids",
                  f"{len(off):,} of {n:,} incidents ({len(off) / n:.1%}) lie outside every "
                  f"grid, up to {far / 1000:.1f} km from the nearest (the first at this row): "
                  f"the risk forecast does not count them{hint}", row=kept[int(off[0])] + 1)


def _raw_bounds(geom: Mapping[str, object]) -> FloatArray:
    """A GeoJSON geometry's bounds as written (x0, y0, x1, y1), before any projection."""
    coords = geom.get("coordinates")
    flat = np.asarray([p[:2] for p in _positions_of(coords)], dtype=float).reshape(-1, 2)
    return np.concatenate([flat.min(axis=0), flat.max(axis=0)])


def _positions_of(coords: object) -> list[list[float]]:
    if isinstance(coords, list) and coords and isinstance(coords[0], (int, float)):
        return [cast(list[float], coords)]
    if isinstance(coords, list):
        return [p for c in coords for p in _positions_of(c)]
    return []


# --- summaries ---------------------------------------------------------------------------------


def counts(sc: Scenario) -> dict[str, object]:
    """The counts ``xunfang scenario check --json`` prints."""
    by_tier_mode: dict[str, dict[str, int]] = defaultdict(dict)
    for (tier, mode), n in sorted(Counter((u.tier, u.mode) for u in sc.units).items()):
        by_tier_mode[tier][mode] = n
    return {
        "nodes": sc.roads.n_nodes,
        "edges": sc.roads.n_edges,
        "zones": len(sc.areas_of("zone")),
        "grids": len(sc.areas_of("grid")),
        "rings": len(sc.areas_of("ring")),
        "lines": len(sc.lines),
        "sites_by_tier": {str(k): v for k, v in sorted(Counter(s.tier for s in sc.sites).items())},
        "posts_by_kind": dict(sorted(Counter(p.kind for p in sc.posts).items())),
        "night_checkpoints": sum(1 for p in sc.posts if p.kind == "checkpoint" and p.night_only),
        "units_by_tier_mode": dict(by_tier_mode),
        "people_by_team": dict(sorted(Counter(p.team for p in sc.people).items())),
        "people_by_role": dict(sorted(Counter(p.role for p in sc.people).items())),
        "incidents": len(sc.incidents),
        # (a review: neither the events nor the holidays of a week's plan were listed)
        "events": [f"{e.name} {e.start:%Y-%m-%d %H:%M}–{e.end:%Y-%m-%d %H:%M} level {e.level}"
                   for e in sc.events],
        "holidays": [f"{h.name} {h.start}–{h.end}"
                     + (f" (make-up workdays {', '.join(map(str, h.workdays))})"
                        if h.workdays else "") for h in sc.policy.holidays],
        "leave_rows": len(sc.leave),
    }


def _clock_field(settings: ScenarioToml) -> str:
    """The scenario.toml field naming the clock incidents.csv's times are on."""
    if settings.source_timezone:
        return f"scenario.toml source_timezone ({settings.source_timezone})"
    return f"scenario.toml timezone ({settings.timezone})"


def _dst_rule(when: datetime, zone: str) -> tuple[str, str] | None:
    """``(rule, why)`` for a wall-clock time ``when`` (its tzinfo the zone it is read on)
    that the zone's clock skips (a daylight-saving gap) or shows twice (a fold); else None.
    The words are :mod:`xunfang.intel.ingest`'s (imported only for such a time: pandas)."""
    there = when.astimezone(UTC).astimezone(when.tzinfo)
    if there.replace(tzinfo=None) != when.replace(tzinfo=None):
        from xunfang.intel.ingest import GAP
        return ("dst-gap", GAP.format(zone=zone))
    if when.replace(fold=0).utcoffset() != when.replace(fold=1).utcoffset():
        from xunfang.intel.ingest import FOLD
        return ("dst-fold", FOLD.format(zone=zone))
    return None


def _worked_teams(settings: ScenarioToml, people: Sequence[Person]) -> list[str] | None:
    """The teams the roster works: the pattern's rotating teams A, B, … and the day team
    ``day`` where people.csv has one; None where the pattern is bad (check_shifts names it)
    or its rotating teams are not all in people.csv (the roster then needs --teams)."""
    from xunfang.planning.roster.patterns import pattern

    pol = settings.policy
    try:
        n = pattern(pol.shift_pattern, list(pol.shift_starts)).n_teams
    except ValueError:
        return None
    have = {q.team for q in people}
    rotating = [chr(ord("A") + k) for k in range(n)]
    if not all(t in have for t in rotating):
        return None
    return [*rotating, *(["day"] if "day" in have else [])]
