"""Incidents the simulator replays or samples, as parallel columns in minutes from the start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely

from xunfang.scenario.model import FloatArray, Incidents, IntArray, Scenario, first_holder
from xunfang.scenario.record import weekly_counts
from xunfang.sim.config import SimError

if TYPE_CHECKING:
    from xunfang.sim.simulate import SimResult

__all__ = ["RiskForecast", "SimIncidents", "history", "read_file", "read_incidents", "sample"]


def _midnight(start: date | datetime) -> datetime:
    if isinstance(start, datetime):
        return start
    return datetime.combine(start, time())


@dataclass(frozen=True, eq=False)
class SimIncidents:
    """Incidents of one run: ``minutes`` from the run's start (sorted), planar ``xy`` (metres,
    the scenario's working CRS), ``category`` and ``priority`` (1 is the most urgent)."""

    ids: tuple[str, ...]
    minutes: FloatArray
    xy: FloatArray
    category: tuple[str, ...]
    priority: IntArray

    def __post_init__(self) -> None:
        n = len(self.ids)
        shapes = {"minutes": self.minutes.shape, "xy": self.xy.shape[:1],
                  "priority": self.priority.shape}
        for name, shp in shapes.items():
            if shp != (n,):
                raise SimError(f"SimIncidents.{name} must have {n} rows like ids; got {shp}")
        if len(self.category) != n:
            raise SimError(f"SimIncidents.category must have {n} rows; got {len(self.category)}")
        if n and np.any(np.diff(self.minutes) < 0):
            raise SimError("SimIncidents.minutes must be sorted in time")
        if n and not np.all(np.isfinite(self.xy)):
            i = int(np.flatnonzero(~np.isfinite(self.xy).all(axis=1))[0])
            raise SimError(f"incident {self.ids[i]!r}: position must be finite metres")

    def __len__(self) -> int:
        return len(self.ids)


def history(incidents: Incidents, start: date | datetime, days: int) -> SimIncidents:
    """The recorded incidents from midnight of ``start`` for ``days`` days, in time order."""
    if days < 1:
        raise SimError(f"days must be at least 1; got {days}")
    t0 = np.datetime64(_midnight(start), "m")
    t1 = t0 + np.timedelta64(days * 1440, "m")
    times = incidents.time.astype("datetime64[m]")
    keep = np.flatnonzero((times >= t0) & (times < t1))
    order = keep[np.argsort(times[keep], kind="stable")]
    minutes = (times[order] - t0).astype(np.int64).astype(np.float64)
    return SimIncidents(
        ids=tuple(incidents.ids[i] for i in order),
        minutes=minutes,
        xy=np.asarray(incidents.xy, dtype=np.float64)[order].reshape(-1, 2),
        category=tuple(incidents.category[i] for i in order),
        priority=np.asarray(incidents.priority, dtype=np.int64)[order],
    )


@dataclass(frozen=True, eq=False)
class RiskForecast:
    """A forecast to sample incidents from: ``risk[c, j]`` is the expected number of incidents
    in cell ``c`` during slot ``j`` (slots of ``slot_minutes`` from midnight of the run's first
    day; a run longer than the columns reuses them cyclically, so 24 columns of one hour are a
    daily profile and 168 a weekly one). ``cells`` are the cells' polygons (planar metres);
    ``mix`` the (category, priority) pairs drawn for each incident with ``mix_weights``."""

    risk: FloatArray
    cells: tuple[shapely.Polygon | shapely.MultiPolygon, ...]
    slot_minutes: int
    names: tuple[str, ...] = ()
    mix: tuple[tuple[str, int], ...] = (("incident", 2),)
    mix_weights: tuple[float, ...] = (1.0,)

    def __post_init__(self) -> None:
        r = np.asarray(self.risk, dtype=np.float64)
        if r.ndim != 2 or r.shape[0] != len(self.cells) or r.shape[1] == 0:
            raise SimError(
                f"risk must have shape (cells, slots) with {len(self.cells)} cells; "
                f"got {r.shape}")
        if not np.all(np.isfinite(r)) or np.any(r < 0):
            raise SimError("risk must hold finite expected counts >= 0")
        if self.slot_minutes < 1 or 1440 % self.slot_minutes:
            raise SimError(f"slot_minutes must divide a day; got {self.slot_minutes}")
        if len(self.mix) != len(self.mix_weights) or not self.mix:
            raise SimError("mix and mix_weights must be non-empty and of equal length")
        if self.names and len(self.names) != len(self.cells):
            raise SimError("names must name every cell")

    @classmethod
    def from_history(cls, scenario: Scenario, *, per_year: float | None = None,
                     slot_minutes: int = 60) -> RiskForecast:
        """A weekly profile (cells = the scenario's grids, 7 × 24 h columns) from the recorded
        incidents, scaled to ``per_year`` incidents a year (default: the recorded rate), with
        the recorded mix of categories and priorities. The naive forecast, and the stand-in
        until the intelligence stage feeds its own."""
        grids = scenario.areas_of("grid")
        if not grids:
            raise SimError(f"scenario {scenario.name!r} has no grids to sample incidents in")
        inc = scenario.incidents
        if len(inc) == 0:
            raise SimError(f"scenario {scenario.name!r} has no incidents to build a profile")
        counts, weeks = weekly_counts(scenario, slot_minutes)
        risk = counts / weeks  # expected per week-slot
        if per_year is not None:
            risk *= per_year / (risk.sum() * 365.0 / 7.0)
        pairs: dict[tuple[str, int], int] = {}
        for c_, p_ in zip(inc.category, inc.priority.tolist(), strict=True):
            pairs[(c_, int(p_))] = pairs.get((c_, int(p_)), 0) + 1
        mix = tuple(sorted(pairs))
        return cls(risk=risk, cells=tuple(g.geometry for g in grids), slot_minutes=slot_minutes,
                   names=tuple(g.id for g in grids), mix=mix,
                   mix_weights=tuple(float(pairs[m]) for m in mix))


def sample(forecast: RiskForecast, node_xy: FloatArray, *, days: int,
           rng: np.random.Generator, start_weekday: int = 0) -> SimIncidents:
    """Poisson incidents from ``forecast`` over ``days`` days: a Poisson count per (cell, slot),
    times uniform within the slot, each at a uniformly drawn network node inside its cell
    (``node_xy``: the nodes' planar coordinates). ``start_weekday`` (Monday 0) aligns a weekly
    profile with the run's first day."""
    if days < 1:
        raise SimError(f"days must be at least 1; got {days}")
    L = forecast.slot_minutes
    per_day = 1440 // L
    n_slots = days * per_day
    cols = forecast.risk.shape[1]
    offset = (start_weekday * per_day) if cols == 7 * per_day else 0
    col = (np.arange(n_slots) + offset) % cols
    lam = forecast.risk[:, col]  # (cells, slots)
    counts = rng.poisson(lam)
    cell_nodes: list[npt.NDArray[np.int64]] = []
    # a node on a border two cells share belongs to the first of them, as a scenario's
    # grids place points (Scenario.area_index; ``contains`` left it in neither)
    at = first_holder(forecast.cells, node_xy)
    for c in range(len(forecast.cells)):
        inside = np.flatnonzero(at == c)
        if inside.size == 0 and counts[c].sum() > 0:
            name = forecast.names[c] if forecast.names else str(c)
            raise SimError(f"risk cell {name!r} holds no network node to place incidents at")
        cell_nodes.append(inside.astype(np.int64))
    cell_idx, slot_idx = np.nonzero(counts)
    reps = counts[cell_idx, slot_idx]
    cell_of = np.repeat(cell_idx, reps)
    slot_of = np.repeat(slot_idx, reps)
    n = cell_of.shape[0]
    minutes = slot_of * float(L) + rng.random(n) * L
    node = np.empty(n, dtype=np.int64)
    for c in range(len(forecast.cells)):
        sel = np.flatnonzero(cell_of == c)
        if sel.size:
            node[sel] = cell_nodes[c][rng.integers(cell_nodes[c].size, size=sel.size)]
    w = np.asarray(forecast.mix_weights, dtype=np.float64)
    pick = rng.choice(len(forecast.mix), size=n, p=w / w.sum())
    order = np.argsort(minutes, kind="stable")
    cats = [forecast.mix[i][0] for i in pick[order].tolist()]
    prio = np.array([forecast.mix[i][1] for i in pick[order].tolist()], dtype=np.int64)
    return SimIncidents(
        ids=tuple(f"S{i + 1}" for i in range(n)),
        minutes=minutes[order],
        xy=node_xy[node[order]].reshape(-1, 2),
        category=tuple(cats),
        priority=prio.reshape(-1),
    )


def run_start(start: date | datetime) -> datetime:
    """Midnight of the run's first day (a datetime is kept as given)."""
    return _midnight(start)


def weekday_of(start: date | datetime) -> int:
    return _midnight(start).weekday()


def day_list(start: date | datetime, days: int) -> Sequence[date]:
    d0 = _midnight(start).date()
    return [d0 + timedelta(days=i) for i in range(days)]


def read_file(path: str | Path, scenario: Scenario, start: date | datetime, days: int
              ) -> SimIncidents:
    """The incidents of :func:`read_incidents` from midnight of ``start`` for ``days`` days."""
    return history(read_incidents(path, scenario), start, days)


def read_incidents(path: str | Path, scenario: Scenario) -> Incidents:
    """Every incident of a CSV file (UTF-8 or GB18030): ``time`` (ISO 8601), ``x``/``y`` in
    the scenario's working CRS or ``lon``/``lat`` (in the scenario's lon/lat datum),
    ``category``, ``priority`` (a whole number >= 1) and optionally ``id`` (unique). Errors
    name the file, the 1-based data row and the column."""
    import pandas as pd

    from xunfang.geo import reproject, to_wgs84

    p = Path(path)
    try:
        try:
            df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError:
            df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="gb18030")
    except (OSError, ValueError) as exc:
        raise SimError(f"{p}: cannot read the incident file: {exc}") from exc
    cols = set(df.columns)
    need = {"time", "category", "priority"}
    missing = sorted(need - cols)
    if missing:
        raise SimError(f"{p}: missing column(s) {', '.join(missing)} (need time, category, "
                       "priority and x/y or lon/lat)")
    planar = {"x", "y"} <= cols
    if not planar and not {"lon", "lat"} <= cols:
        raise SimError(f"{p}: needs columns x and y (metres) or lon and lat")
    times = pd.to_datetime(df["time"], errors="coerce", format="ISO8601")
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise SimError(f"{p}, row {i + 1}, column 'time': not an ISO 8601 time: "
                       f"{df['time'].iloc[i]!r}")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert(scenario.timezone).dt.tz_localize(None)
    prio = pd.to_numeric(df["priority"], errors="coerce")
    bad = np.flatnonzero(prio.isna().to_numpy() | (prio % 1 != 0).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise SimError(f"{p}, row {i + 1}, column 'priority': not a whole number: "
                       f"{df['priority'].iloc[i]!r}")
    # the dispatcher ranks smaller numbers first (1 the most urgent, SimConfig.preemption),
    # so a 0 or a -4 would jump every priority-1 call and pre-empt its unit (a review: -4
    # and 0 were replayed without a word)
    low = np.flatnonzero((prio < 1).to_numpy())
    if low.size:
        i = int(low[0])
        raise SimError(f"{p}, row {i + 1}, column 'priority': must be a whole number >= 1 "
                       f"(1 the most urgent); got {df['priority'].iloc[i]!r}")
    a_col, b_col = ("x", "y") if planar else ("lon", "lat")
    xy = np.empty((len(df), 2))
    for j, c in enumerate((a_col, b_col)):
        v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            i = int(bad[0])
            raise SimError(f"{p}, row {i + 1}, column {c!r}: not a number: {df[c].iloc[i]!r}")
        xy[:, j] = v
    if not planar:
        if scenario.crs.is_local:
            raise SimError(f"{p}: lon/lat columns need a georeferenced scenario; "
                           f"{scenario.name!r} uses a local CRS (give x and y)")
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], scenario.crs.lonlat_datum)
        x, y = reproject(lon, lat, "EPSG:4326", scenario.crs.working)
        xy = np.column_stack([x, y])
    ids = df["id"].tolist() if "id" in cols else [str(i + 1) for i in range(len(df))]
    seen: dict[str, int] = {}
    for i, iid in enumerate(ids):
        if "id" in cols and not iid:
            raise SimError(f"{p}, row {i + 1}, column 'id': empty (give every row an id, "
                           "or leave the column out)")
        if iid in seen:
            # the per-incident output and the KPIs' tables are keyed by id: two rows of one
            # id would read as one incident
            raise SimError(f"{p}, row {i + 1}, column 'id': {iid!r} already used in row "
                           f"{seen[iid] + 1}; ids must be unique")
        seen[iid] = i
    empty = [i for i, c in enumerate(df["category"].tolist()) if not c]
    if empty:
        raise SimError(f"{p}, row {empty[0] + 1}, column 'category': empty")
    return Incidents(ids=tuple(ids), time=times.to_numpy().astype("datetime64[m]"), xy=xy,
                     category=tuple(df["category"].tolist()),
                     priority=prio.to_numpy().astype(np.int64))


#: The columns of :func:`incident_outcomes` (and of ``xunfang simulate --incidents-out``).
OUTCOME_COLUMNS = (
    "replication", "id", "time", "call_time", "category", "priority", "x", "y", "node", "grid",
    "ring", "site_tier", "target_min", "status", "unit", "from_node", "from_place",
    "dispatch_time", "wait_min", "travel_min", "arrival_time", "response_min",
    "within_target", "second_unit")


def incident_outcomes(result: SimResult) -> list[dict[str, object]]:
    """One row per incident per replication of ``result`` (columns ``OUTCOME_COLUMNS``): the
    incident (occurrence and call times, place: its snapped network ``node``, ``grid``,
    control ``ring`` level and key ``site_tier``, 0 none, and its response ``target_min``, as
    the KPIs take them), its ``status`` (served, unserved, unreachable, off_network,
    called_after_end), the first ``unit`` sent and where it was sent from (``from_node``;
    ``from_place``: the post standing on that node, else the grid holding it), the queue
    ``wait_min`` (dispatch minus call), ``travel_min``, the arrival, ``response_min`` (arrival
    minus call) and ``within_target`` (True/False; empty where no target applies or the
    incident is not counted: off the network or called after the end). An unreachable
    incident (no responder reaches it by road) is never reached: False, and it counts in
    ``missing_target``, as the KPIs count it late. Times are ISO 8601 on
    the scenario's clock. The KPIs are figures over these rows; the rows let a planner see
    which incidents made them."""
    from xunfang.sim.engine import RESPOND, SERVED, STATUSES, UNREACHABLE, UNSERVED
    from xunfang.sim.places import locate

    st = result.setup
    sc = st.scenario
    node_ids = sc.roads.node_ids
    nodes = st.travel.nodes
    grids = [a.id for a in sc.areas_of("grid")]
    post_at: dict[str, str] = {}
    for p in sc.posts:
        if p.node is not None:
            post_at[str(p.node)] = (f"{post_at[str(p.node)]}/{p.id}"
                                    if str(p.node) in post_at else p.id)

    def when(m: float) -> str:
        return ((st.start + timedelta(minutes=float(m))).isoformat(timespec="seconds")
                if np.isfinite(m) else "")

    def node_of(pt: int) -> str:
        k = int(nodes[pt]) if 0 <= pt < nodes.shape[0] else -1
        return str(node_ids[k]) if 0 <= k < len(node_ids) else ""

    def num(v: float) -> object:
        return round(float(v), 3) if np.isfinite(v) else ""

    rows: list[dict[str, object]] = []
    for r, (log, inc) in enumerate(zip(result.logs, result.incidents, strict=True), start=1):
        where = locate(sc, inc.xy, site_radius_m=st.config.site_radius_m)
        # per run: straight-line travel appends the run's incidents to its points
        pt_grid = sc.area_index("grid", log.point_xy)
        resp = log.response_minutes
        respond = log.s_kind == RESPOND
        for i in range(log.n_incidents):
            status = int(log.inc_status[i])
            u = int(log.inc_first_unit[i])
            t_d = float(log.inc_dispatch[i])
            from_node = from_place = ""
            if u >= 0 and np.isfinite(t_d):
                # the unit's drive to this call starts where it stood when sent
                seg = np.flatnonzero(respond & (log.s_unit == u)
                                     & (np.abs(log.s_start - t_d) < 1e-6))
                if seg.size:
                    pt = int(log.s_from[seg[0]])
                    from_node = node_of(pt)
                    g = int(pt_grid[pt]) if 0 <= pt < pt_grid.shape[0] else -1
                    from_place = post_at.get(from_node) or (grids[g] if g >= 0 else "")
            target = float(where.target[i])
            # counted as the KPIs count them: an unreachable incident is late (never
            # reached); leaving it out showed "missing their target 0" beside a
            # response_within_target of 0.5 (a review, one unreachable of two)
            counted = status in (SERVED, UNSERVED, UNREACHABLE)
            within: object = ""
            if counted and np.isfinite(target):
                within = bool(status == SERVED and resp[i] <= target + 1e-9)
            g_i = int(where.grid[i])
            second = int(log.inc_second_unit[i])
            rows.append({
                "replication": r, "id": inc.ids[i], "time": when(inc.minutes[i]),
                "call_time": when(log.inc_call[i]), "category": inc.category[i],
                "priority": int(inc.priority[i]), "x": round(float(inc.xy[i, 0]), 2),
                "y": round(float(inc.xy[i, 1]), 2), "node": node_of(int(log.inc_point[i])),
                "grid": grids[g_i] if g_i >= 0 else "", "ring": int(where.ring[i]),
                "site_tier": int(where.site_tier[i]), "target_min": num(target),
                "status": STATUSES[status], "unit": st.units[u] if u >= 0 else "",
                "from_node": from_node, "from_place": from_place,
                "dispatch_time": when(t_d), "wait_min": num(t_d - float(log.inc_call[i])),
                "travel_min": num(float(log.inc_travel[i])),
                "arrival_time": when(log.inc_arrival[i]), "response_min": num(resp[i]),
                "within_target": within,
                "second_unit": st.units[second] if second >= 0 else ""})
    return rows


def missing_target(rows: Sequence[dict[str, object]]) -> int:
    """How many of :func:`incident_outcomes`' rows missed their response target (reached
    late or never reached)."""
    return sum(1 for row in rows if row["within_target"] is False)
