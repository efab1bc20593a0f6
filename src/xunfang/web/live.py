"""Live operations: unit positions and status, alerts and dispatch suggestions.

Everything here is computed from the scenario, the current plan and what devices report; the
web routers only translate HTTP to these calls. Times are timezone-aware (UTC inside); a naive
timestamp is read as the scenario's local time. Positions are checked as one batch: if any row
is wrong, nothing of the batch is kept and every bad row is listed (row, field, rule, value).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from scipy.spatial import cKDTree

from xunfang import network
from xunfang._errors import Problem
from xunfang.geo import Projector
from xunfang.network import RoadNetwork
from xunfang.plan import OUT_OF_SERVICE, Assignment, Plan, Slot
from xunfang.planning import blockade, coverage
from xunfang.planning.deploy.asked import held_from
from xunfang.planning.deploy.solve import BUSY
from xunfang.scenario.model import GROUND_MODES, FloatArray, Scenario, Tier
from xunfang.sim.config import SimConfig
from xunfang.store.errors import StoreInputError

#: unit statuses (as the store keeps them); the first two may be dispatched
STATUSES: tuple[str, ...] = ("available", "patrolling", "responding", "busy", "off")
DISPATCHABLE = frozenset({"available", "patrolling"})
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LiveSettings:
    """The thresholds of the live picture (policy of the command centre, not code)."""

    outside_grid_minutes: float = 10.0  # a unit outside its grid this long raises an alert
    checkpoint_grace_minutes: float = 10.0  # minutes into a slot before a checkpoint counts
    visit_radius_m: float = 150.0  # a unit this close to a site or post is there
    fresh_minutes: float = 15.0  # a position older than this is not "now"
    silent_minutes: float = 30.0  # a unit on duty whose last position is this old: alert
    future_tolerance_s: float = 120.0  # device clocks may run this much ahead
    outside_margin_m: float = 2000.0  # positions farther than this beyond the roads: refused
    coverage_target_share: float = 0.9  # rings now below this share of nodes: alert
    max_batch: int = 10_000
    #: the tiers whose units answer calls and so hold the rings now: the simulator's
    #: (auxiliary forces — volunteers, merchants, guards, grid workers — are never dispatched)
    responder_tiers: tuple[Tier, ...] = SimConfig.responder_tiers


class LiveError(ValueError):
    """A batch or request that cannot be accepted; ``problems`` lists every bad row."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


@dataclass
class UnitState:
    unit: str
    status: str = "available"
    t: datetime | None = None
    xy: tuple[float, float] | None = None
    outside_since: datetime | None = None  # first position outside its grid, while outside
    outside_grid: str | None = None


@dataclass(frozen=True)
class Alert:
    id: int
    kind: str  # site_revisit | unit_outside_grid | checkpoint_unstaffed |
    #            coverage_below_target | plan_not_covering
    key: str
    severity: str
    message_zh: str
    message_en: str
    raised_at: datetime
    data: Mapping[str, object] = field(default_factory=dict)
    #: who acknowledged it and when (None until acknowledged; kept across a restart)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "key": self.key, "severity": self.severity,
                "message_zh": self.message_zh, "message_en": self.message_en,
                "raised_at": self.raised_at.isoformat(), "data": dict(self.data),
                "acknowledged_by": self.acknowledged_by,
                "acknowledged_at": (self.acknowledged_at.isoformat()
                                    if self.acknowledged_at is not None else None)}


@dataclass(frozen=True)
class AlertEvent:
    """One change of the alerts, in order (``n`` counts them): ``alert`` (raised), ``clear``
    or ``ack``; the event stream sends them so a dashboard drops cleared alerts and shows
    acknowledgements without polling the list."""

    n: int
    event: str
    alert: Alert
    at: datetime


@dataclass
class PositionRows:
    """A checked batch, as columns (what the repository stores)."""

    unit: list[str]
    t: list[datetime]
    x: np.ndarray
    y: np.ndarray
    status: list[str | None]

    def only(self, rows: Sequence[int]) -> PositionRows:
        """The rows of 0-based indexes ``rows``, in that order."""
        idx = list(rows)
        return PositionRows(unit=[self.unit[i] for i in idx], t=[self.t[i] for i in idx],
                            x=self.x[idx], y=self.y[idx],
                            status=[self.status[i] for i in idx])


def _local(t: datetime, tz: ZoneInfo) -> datetime:
    """Local naive time of an aware time."""
    return t.astimezone(tz).replace(tzinfo=None)


def slot_of(plan: Plan, local: datetime) -> Slot:
    """``plan``'s slot at naive local time ``local``; outside the plan's days, the slot of the
    same time of day on its first day (the plan is the day's pattern), else its first slot.
    The live checks and the dashboard's now-slot (routers.plans.plan_now) both take it."""
    for s in plan.slots:
        if s.start <= local < s.end:
            return s
    first = plan.slots[0].start.date()
    minute = local.hour * 60 + local.minute
    for s in plan.slots:
        m0 = s.start.hour * 60 + s.start.minute
        if s.start.date() == first and m0 <= minute < m0 + s.minutes:
            return s
    return plan.slots[0]


#: a plan's checkpoint schedule: by slot name, the (checkpoint post, team unit) visits
CheckpointSchedule = Mapping[str, tuple[tuple[str, str], ...]]


def route_grids(stages: Mapping[str, Any] | None) -> dict[tuple[str, int], str]:
    """The grid each route patrols, by (unit, slot): the routes stage of a plan.json
    (``stages.routes.routes`` rows of unit, slot and grid); empty where it has none."""
    routes = stages.get("routes") if isinstance(stages, Mapping) else None
    rows = routes.get("routes") if isinstance(routes, Mapping) else None
    out: dict[tuple[str, int], str] = {}
    for r in rows if isinstance(rows, list) else []:
        if isinstance(r, Mapping) and r.get("grid") and r.get("unit") is not None \
                and isinstance(r.get("slot"), int):
            out[(str(r["unit"]), int(r["slot"]))] = str(r["grid"])
    return out


def checkpoint_schedule(stages: Mapping[str, Any] | None) -> CheckpointSchedule | None:
    """The checkpoints the plan means staffed, by slot name: the checkpoints stage of a
    plan.json (``stages.checkpoints.schedule`` rows of slot, site and team); None where it
    has no such stage. A re-plan keeps the schedule while it takes a team out of service,
    so its checkpoint stays due, staffed or not."""
    cps = stages.get("checkpoints") if isinstance(stages, Mapping) else None
    rows = cps.get("schedule") if isinstance(cps, Mapping) else None
    if not isinstance(rows, list):
        return None
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        if isinstance(r, Mapping) and r.get("slot") and r.get("site") and r.get("team"):
            out.setdefault(str(r["slot"]), []).append((str(r["site"]), str(r["team"])))
    return {k: tuple(v) for k, v in out.items()}


def plan_covers(plan: Plan, local: datetime) -> bool:
    """Whether ``plan``'s days hold naive local time ``local``."""
    return plan.slots[0].start <= local < plan.slots[-1].end


#: how long a cleared alert is remembered for the event stream's reconnects
KEEP_CLEARED = timedelta(hours=24)
#: the alert events kept for the stream (raises, clears, acknowledgements)
MAX_EVENTS = 10_000


class LiveOps:
    """The live picture of one scenario under one plan."""

    def __init__(self, scenario: Scenario, net: RoadNetwork, plan: Plan, *,
                 settings: LiveSettings | None = None, clock: Clock = utc_now,
                 route_grid: Mapping[tuple[str, int], str] | None = None,
                 checkpoints: CheckpointSchedule | None = None) -> None:
        self.scenario = scenario
        self.net = net
        self.settings = settings or LiveSettings()
        self.clock = clock
        self.tz = ZoneInfo(scenario.timezone)
        self.lock = threading.RLock()
        self.units = {u.id: u for u in scenario.units}
        self.state = {u.id: UnitState(u.id) for u in scenario.units}
        self.posts = {p.id: p for p in scenario.posts}
        self.grids = {a.id: a.geometry for a in scenario.areas_of("grid")}
        for g in self.grids.values():
            shapely.prepare(g)
        self.projector = None if scenario.crs.is_local else Projector(scenario.crs.working)
        xy = scenario.roads.xy
        m = self.settings.outside_margin_m
        self.bounds = (float(xy[:, 0].min()) - m, float(xy[:, 1].min()) - m,
                       float(xy[:, 0].max()) + m, float(xy[:, 1].max()) + m)
        self.tier1 = [s for s in scenario.sites if s.tier == 1]
        self.tier1_tree = cKDTree(np.array([s.xy for s in self.tier1])) if self.tier1 else None
        self.started = clock()
        self.last_visit: dict[str, datetime] = {}
        self.alerts: dict[str, Alert] = {}  # active, by key
        self.history: list[Alert] = []  # every alert raised, in order
        self.cleared: dict[int, datetime] = {}
        self.seq = 0
        #: every raise, clear and acknowledgement in order (the event stream reads after n)
        self.events: list[AlertEvent] = []
        self.version = 0  # bumps on every accepted batch or status change
        self._rings_cache: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        #: hooks of the store: an alert raised (returns its id) and one cleared
        self.on_raise: Callable[[Alert], int] | None = None
        self.on_clear: Callable[[Alert, datetime], None] | None = None
        self._use_plan(plan, route_grid, checkpoints)

    # ---- plan and time ------------------------------------------------------------------
    def _use_plan(self, plan: Plan,
                  route_grid: Mapping[tuple[str, int], str] | None = None,
                  checkpoints: CheckpointSchedule | None = None) -> None:
        by_name = {s.name: s.index for s in plan.slots}
        staffed = {(a.slot, a.post) for a in plan.assignments if a.duty == "checkpoint"}
        unstaffed: dict[int, tuple[tuple[str, str], ...]] = {
            by_name[name]: tuple(v for v in visits
                                 if v[0] in self.posts and (by_name[name], v[0]) not in staffed)
            for name, visits in (checkpoints or {}).items() if name in by_name}
        with self.lock:
            self.plan = plan
            #: the checkpoints the plan's schedule names that no assignment of the plan
            #: staffs, by slot index: (post, team); found once per plan, not at every check
            self._checkpoints_unstaffed = unstaffed
            self._post_grid = {p.id: self._grid_of(p.xy) for p in self.scenario.posts}
            self._route_grid = {k: g for k, g in (route_grid or {}).items() if g in self.grids}
            self._nodes_grid: dict[tuple[str, ...], str | None] = {}
            self.version += 1  # the planned places of units (rings, dispatch) are the plan's

    def set_plan(self, plan: Plan,
                 route_grid: Mapping[tuple[str, int], str] | None = None,
                 checkpoints: CheckpointSchedule | None = None) -> None:
        """Make ``plan`` the one judged against, and judge the alerts against it at once:
        the units' grids of this slot, its checkpoints, whether it covers now.
        ``route_grid``: the grid each route patrols, by (unit, slot) (:func:`route_grids`);
        ``checkpoints``: the plan's checkpoint schedule (:func:`checkpoint_schedule`)."""
        self._use_plan(plan, route_grid, checkpoints)
        self.evaluate()

    def _grid_of(self, xy: tuple[float, float]) -> str | None:
        pt = shapely.Point(xy)
        for gid, geom in self.grids.items():
            if geom.covers(pt):
                return gid
        return None

    def slot_at(self, t: datetime) -> Slot:
        """The plan's slot at aware time ``t``; outside the plan's days, the slot of the same
        time of day on its first day (the plan is the day's pattern)."""
        return slot_of(self.plan, _local(t, self.tz))

    def covers(self, t: datetime) -> bool:
        """Whether the plan's days hold aware time ``t`` (else its first day is the pattern)."""
        return plan_covers(self.plan, _local(t, self.tz))

    def slot_now(self, t: datetime) -> tuple[Slot, datetime]:
        """The plan's slot at aware time ``t`` (as :meth:`slot_at`) and the local start of its
        occurrence holding ``t``: the slot's own start within the plan's days, else the same
        time of day on ``t``'s local date. Time into the slot and the freshness of positions
        are measured from this start, not from the pattern day's (review AM: on the day after
        a one-day plan, a fix of the plan's day counted as staffing a checkpoint)."""
        slot = self.slot_at(t)
        if self.covers(t):
            return slot, slot.start
        local = _local(t, self.tz)
        start = datetime.combine(local.date(), slot.start.time())
        if start > local:  # the fallback slot of a day the plan does not fill
            start -= timedelta(days=1)
        return slot, start

    def _aware(self, local: datetime) -> datetime:
        """The aware UTC time of naive local time ``local``."""
        return local.replace(tzinfo=self.tz).astimezone(UTC)

    def assigned_grid(self, a: Assignment) -> str | None:
        """The grid a unit is held to: its grid duty, else the grid holding its post, else
        the grid its route patrols (the plan's routes stage names it: "route in grid G3";
        a plan without that stage: the grid holding every node of the route). A drone on
        duty flies its sorties over several grids and is held to none (a review: one over a
        grid of its sortie raised "outside its grid", its launch post's). A review: route
        patrols, most of the units on duty, were held to no grid, and one that left its
        grid for another raised nothing."""
        if a.duty in ("off", "drone"):
            return None
        if a.grid is not None:
            return a.grid
        if a.post is not None:
            return self._post_grid.get(a.post)
        if a.duty == "route" and a.route:
            return self._route_grid.get((a.unit, a.slot)) or self._grid_of_nodes(a.route)
        return None

    def _grid_of_nodes(self, nodes: tuple[str, ...]) -> str | None:
        """The grid holding every one of ``nodes`` (road node ids), None where none does."""
        if nodes not in self._nodes_grid:
            try:
                idx = network.index_of(self.net, list(nodes))
            except (KeyError, ValueError):
                self._nodes_grid[nodes] = None
                return None
            points = shapely.points(self.net.xy[np.asarray(idx)])
            found = None
            for gid, geom in self.grids.items():
                if bool(np.all(shapely.covers(geom, points))):
                    found = gid
                    break
            self._nodes_grid[nodes] = found
        return self._nodes_grid[nodes]

    # ---- positions ----------------------------------------------------------------------
    def check_batch(self, rows: Sequence[Mapping[str, Any]]) -> PositionRows:
        """Check a batch (dicts with unit, t, lon/lat or x/y, optional status); raise
        :class:`LiveError` listing every bad row, else the rows in working-CRS metres."""
        st = self.settings
        if not rows:
            raise LiveError("the batch holds no positions")
        if len(rows) > st.max_batch:
            raise LiveError(f"the batch holds {len(rows)} positions; at most {st.max_batch} "
                            "per request")
        now = self.clock()
        problems: list[Problem] = []
        n = len(rows)
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        lonlat = np.zeros(n, dtype=bool)
        times: list[datetime] = []
        units: list[str] = []
        status: list[str | None] = []

        def bad(i: int, fld: str, rule: str, value: object) -> None:
            text = str(value)[:80]
            problems.append(Problem("positions", rule, rule + (f": {text}" if text else ""),
                                    row=i + 1, column=fld))

        for i, r in enumerate(rows):
            u = r["unit"]
            units.append(u)
            if u not in self.units:
                bad(i, "unit", "unknown unit", u)
            t: datetime = r["t"]
            if t.tzinfo is None:  # no UTC offset: the scenario's local time (said back)
                t = t.replace(tzinfo=self.tz)
            t = t.astimezone(UTC)
            times.append(t)
            if (t - now).total_seconds() > st.future_tolerance_s:
                bad(i, "t", f"in the future (server time {now.isoformat(timespec='seconds')})",
                    r["t"].isoformat())
            status.append(r.get("status"))
            has_ll = r.get("lon") is not None or r.get("lat") is not None
            has_xy = r.get("x") is not None or r.get("y") is not None
            if has_ll == has_xy:
                bad(i, "lon/lat", "give lon and lat, or x and y (one pair)", "")
                continue
            if has_ll:
                if r.get("lon") is None or r.get("lat") is None:
                    bad(i, "lon/lat", "lon and lat go together", "")
                    continue
                if self.projector is None:
                    bad(i, "lon/lat", "this scenario is in a local planar CRS: give x and y", "")
                    continue
                lon, lat = float(r["lon"]), float(r["lat"])
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    bad(i, "lon/lat", "not a longitude/latitude", f"{lon},{lat}")
                    continue
                x[i], y[i] = lon, lat
                lonlat[i] = True
            else:
                if r.get("x") is None or r.get("y") is None:
                    bad(i, "x/y", "x and y go together", "")
                    continue
                x[i], y[i] = float(r["x"]), float(r["y"])
        if lonlat.any() and self.projector is not None:
            px, py = self.projector.to_xy(x[lonlat], y[lonlat])
            x[lonlat], y[lonlat] = px, py
        x0, y0, x1, y1 = self.bounds
        with np.errstate(invalid="ignore"):
            out = ~((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        for i in np.flatnonzero(out & np.isfinite(x)).tolist():
            # the values sent: lon/lat, else x/y (a review: a refused x/y was quoted
            # "None,None", the lon/lat keys being there with None)
            a, b = ("lon", "lat") if lonlat[i] else ("x", "y")
            bad(i, "position", f"outside the jurisdiction (more than {st.outside_margin_m:g} m "
                "beyond its roads)", f"{rows[i].get(a)},{rows[i].get(b)}")
        # the order within the batch; against the unit's stored positions the store judges,
        # under its lock (a fix before the last stored one is refused there, unless it is
        # one already stored: a gateway's retry is skipped, not refused)
        last: dict[str, datetime] = {}
        for i, (u, t) in enumerate(zip(units, times, strict=True)):
            prev = last.get(u)
            if prev is not None and t < prev:
                bad(i, "t", f"out of order: earlier than unit {u}'s previous position "
                    f"({prev.isoformat(timespec='seconds')})", rows[i]["t"].isoformat())
            else:
                last[u] = t
        if problems:
            problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            raise LiveError(f"{len({p.row for p in problems})} of {n} positions refused; "
                            "nothing of the batch was stored", problems)
        return PositionRows(unit=units, t=times, x=x, y=y, status=status)

    def store_refusal(self, exc: StoreInputError, n: int) -> LiveError:
        """The store's refusal of a checked batch (:func:`store.store_positions`: a fix
        before the unit's last stored one, another fix at a time already held) as this
        API words its refusals: the row, the field and the rule."""
        words = {"time-order": "out of order", "same-time": "conflicting fix"}
        problems = [Problem("positions", f"{words.get(p.rule, p.rule)}: {p.message}",
                            f"{words.get(p.rule, p.rule)}: {p.message}", row=p.row,
                            column=p.column, severity=p.severity) for p in exc.problems]
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        return LiveError(f"{len({p.row for p in problems})} of {n} positions refused; "
                         "nothing of the batch was stored", problems)

    def apply(self, rows: PositionRows) -> None:
        """Take a checked batch into the live picture (unit state, site visits, grids).

        A unit's state only moves forward in time: batches stored at once by several
        requests are applied in whatever order their requests carry on, and the live map
        must end at the newest stored fix (a review: after 40 concurrent posts for one unit
        the map showed a fix 31 s older than the newest stored)."""
        with self.lock:
            for i, u in enumerate(rows.unit):
                s = self.state[u]
                t = rows.t[i]
                if s.t is not None and t < s.t:
                    continue
                xy = (float(rows.x[i]), float(rows.y[i]))
                s.t, s.xy = t, xy
                self._judge_grid(s, self.slot_at(t).index, t)
            if self.tier1_tree is not None and len(rows.unit):
                hits = self.tier1_tree.query_ball_point(
                    np.column_stack([rows.x, rows.y]), r=self.settings.visit_radius_m)
                for i, near in enumerate(hits):
                    for k in near:
                        sid = self.tier1[k].id
                        if sid not in self.last_visit or rows.t[i] > self.last_visit[sid]:
                            self.last_visit[sid] = rows.t[i]
            self.version += 1

    def _judge_grid(self, s: UnitState, slot: int, since: datetime) -> None:
        """Whether unit state ``s``'s last position is outside the grid it is held to in
        ``slot``: outside from ``since`` when it was not (or was outside another grid)."""
        assert s.xy is not None
        grid = self.assigned_grid(self.plan.at(s.unit, slot))
        if grid is None or self.grids[grid].covers(shapely.Point(s.xy)):
            s.outside_since, s.outside_grid = None, None
        elif s.outside_since is None or s.outside_grid != grid:
            s.outside_since, s.outside_grid = since, grid

    def set_status(self, unit: str, status: str) -> None:
        if unit not in self.units:
            raise KeyError(unit)
        with self.lock:
            self.state[unit].status = status
            self.version += 1

    def unit_rows(self) -> list[dict[str, object]]:
        """Every unit now: status, last position (and lon/lat), planned duty in this slot."""
        now = self.clock()
        slot = self.slot_at(now)
        out = []
        with self.lock:
            for u, unit in self.units.items():
                s = self.state[u]
                a = self.plan.at(u, slot.index)
                row: dict[str, object] = {
                    "unit": u, "tier": unit.tier, "mode": unit.mode, "squad": unit.squad,
                    "status": s.status, "duty": a.duty, "post": a.post, "grid": a.grid,
                    "assigned_grid": self.assigned_grid(a),
                    "t": s.t.isoformat() if s.t else None, "x": None, "y": None,
                    "lon": None, "lat": None,
                    "fresh": bool(s.t and (now - s.t).total_seconds()
                                  <= self.settings.fresh_minutes * 60),
                }
                if s.xy is not None:
                    row["x"], row["y"] = round(s.xy[0], 2), round(s.xy[1], 2)
                    if self.projector is not None:
                        lon, lat = self.projector.to_lonlat(np.array([s.xy[0]]),
                                                            np.array([s.xy[1]]))
                        row["lon"], row["lat"] = round(float(lon[0]), 7), round(float(lat[0]), 7)
                out.append(row)
        return out

    def replan_draft(self) -> dict[str, object]:
        """A re-plan of the live plan as the units' status has it now (what the dashboard's
        re-plan form starts from; the planner edits it): ``at`` now (local, to the minute);
        units ``busy`` or ``responding`` that the plan has on duty held in the grid of their
        fresh position, else their assigned grid, until the end of the next slot; units
        ``off`` that the plan has on duty out of service; units available or patrolling that
        the plan (an earlier re-plan) has out of service or busy at an incident back in
        service; ``held``: every unit the plan has out of service or busy from now on (what
        may come back). ``covers`` says whether the plan's days hold now (a re-plan starts within
        them). Busy units the draft cannot hold are in ``left_out`` with a ``reason`` (``drone``:
        drones fly sorties; ``no_grid``: no fresh position in a grid and none planned;
        ``off_duty``: the plan has them off duty now) and ``why`` in words. A review (H3 #6):
        busy units off duty in the plan were in neither list."""
        now = self.clock()
        local = _local(now, self.tz).replace(second=0, microsecond=0)
        slot = self.slot_at(now)
        slots = self.plan.slots
        k = [s.index for s in slots].index(slot.index)
        until = slots[min(k + 1, len(slots) - 1)].end
        busy: list[dict[str, str]] = []
        out: list[str] = []
        back: list[str] = []
        left: list[dict[str, str]] = []
        held = held_from(self.plan, slot.index)
        with self.lock:
            for u, unit in self.units.items():
                s = self.state[u]
                a = self.plan.at(u, slot.index)
                if s.status in DISPATCHABLE:
                    if u in held:
                        back.append(u)
                    continue
                if a.note in (OUT_OF_SERVICE, BUSY):
                    continue  # the plan holds it out or busy already: a re-plan carries that
                if a.duty == "off":
                    if s.status != "off":
                        left.append({"unit": u, "reason": "off_duty",
                                     "why": f"status {s.status}, but off duty in the plan now "
                                            f"({a.note or 'off'})"})
                    continue
                if s.status == "off":
                    out.append(u)
                    continue
                if unit.mode == "drone":
                    left.append({"unit": u, "reason": "drone",
                                 "why": f"status {s.status}: a drone flies sorties, it is not "
                                        "held at an incident"})
                    continue
                fresh = bool(s.t and s.xy is not None and (now - s.t).total_seconds()
                             <= self.settings.fresh_minutes * 60)
                grid = (self._grid_of(s.xy) if fresh and s.xy is not None else None) \
                    or self.assigned_grid(a)
                if grid is None:
                    left.append({"unit": u, "reason": "no_grid",
                                 "why": f"status {s.status}: no grid known (no fresh position "
                                        "in a grid, none planned)"})
                    continue
                busy.append({"unit": u, "grid": grid,
                             "until": until.isoformat(timespec="minutes")})
        return {"at": local.isoformat(timespec="minutes"), "covers": self.covers(now),
                "busy": busy, "out_of_service": out, "back_in_service": back, "hot": [],
                "left_out": left, "held": [u for u in self.units if u in held]}

    # ---- where units are now --------------------------------------------------------------
    def _placed(self, now: datetime
                ) -> tuple[list[tuple[str, tuple[float, float], str]], dict[str, str]]:
        """(unit, xy, basis) of every available on-duty unit: its fresh position ("live"),
        else where the plan puts it ("plan"); and for every other unit why it has no place
        now."""
        slot = self.slot_at(now)
        out = []
        skipped: dict[str, str] = {}
        for u in self.units:
            s = self.state[u]
            if s.status not in DISPATCHABLE:
                skipped[u] = f"status {s.status}: not available"
                continue
            a = self.plan.at(u, slot.index)
            if a.duty == "off":
                skipped[u] = "off duty in this slot"
                continue
            fresh = s.t is not None and (now - s.t).total_seconds() <= \
                self.settings.fresh_minutes * 60
            if fresh and s.xy is not None:
                out.append((u, s.xy, "live"))
            elif a.post is not None:
                out.append((u, self.posts[a.post].xy, "plan"))
            elif a.grid is not None:
                c = self.grids[a.grid].centroid
                out.append((u, (float(c.x), float(c.y)), "plan"))
            elif a.route:
                i = network.index_of(self.net, [a.route[0]])[0]
                out.append((u, (float(self.net.xy[i, 0]), float(self.net.xy[i, 1])), "plan"))
            else:
                skipped[u] = "no fresh position and no planned place"
        return out, skipped

    def dispatch(self, xy: tuple[float, float], *, k: int = 3) -> list[dict[str, object]]:
        """The ``k`` nearest available units by travel time now, from their live positions
        (or planned places when no fresh position), each by its own mode: the units that
        respond (:meth:`_responders`), as the rings count them (a review: a drone on its
        sortie and a foot volunteer, never dispatched, were offered as the response)."""
        now = self.clock()
        hour = _local(now, self.tz).hour
        with self.lock:
            cands, _ = self._responders(now)
        by_mode: dict[str, list[tuple[str, tuple[float, float], str]]] = {}
        for c in cands:
            by_mode.setdefault(self.units[c[0]].mode, []).append(c)
        rows: list[dict[str, object]] = []
        pt = np.array([xy], dtype=float)
        for mode, group in by_mode.items():
            m = mode if mode in GROUND_MODES or mode == "drone" else "car"
            snap_mode = m if m in GROUND_MODES else None
            nodes = network.snap(self.net, np.array([g[1] for g in group]), mode=snap_mode).node
            minutes = network.point_times(self.net, pt, nodes, mode=m, hour=hour,  # type: ignore[arg-type]
                                          direction="to_points")[0]
            for (u, _, basis), mins in zip(group, minutes.tolist(), strict=True):
                if math.isfinite(mins):
                    rows.append({"unit": u, "mode": mode, "tier": self.units[u].tier,
                                 "minutes": round(mins, 2), "basis": basis})
        rows.sort(key=lambda r: (r["minutes"], r["unit"]))
        return rows[:k]

    def _responders(self, now: datetime
                    ) -> tuple[list[tuple[str, tuple[float, float], str]], dict[str, str]]:
        """The units that hold the rings now, (unit, xy, basis) as :meth:`_placed`, and
        why each other unit does not: not available, off duty, no place, a drone (it brings
        no officer by road: the simulator never sends one as the response), or a tier that is
        never dispatched (``LiveSettings.responder_tiers``: volunteers, merchants …)."""
        placed, left_out = self._placed(now)
        tiers = self.settings.responder_tiers
        counted = []
        for c in placed:
            unit = self.units[c[0]]
            if unit.mode == "drone":
                left_out[c[0]] = "drone: does not respond on the roads"
            elif unit.tier not in tiers:
                left_out[c[0]] = (f"tier {unit.tier} ({unit.squad}): never dispatched; "
                                  f"responding tiers: {', '.join(tiers)}")
            else:
                counted.append(c)
        return counted, left_out

    def blockade(self, *, at: str | None = None, ring_minutes: float | None = None,
                 offender_speed_factor: float = 1.0, snap_m: float | None = None
                 ) -> dict[str, Any]:
        """The exit blockade now (封控): the responding units, from their fresh positions (else
        their planned places), each at its own mode on this hour's roads, sent to the town's
        exit posts, or with ``at`` (a node id) and ``ring_minutes`` to the exits of that
        ring against an offender leaving ``at`` — the core's :func:`blockade.seal_exits`, as
        ``xunfang rings blockade`` runs it from the posts. The answer names the units counted
        and those left out, as the rings do."""
        now = self.clock()
        hour = _local(now, self.tz).hour
        with self.lock:
            cands, left_out = self._responders(now)
        sources = blockade.units_where(
            self.net, [(u, xy, self.units[u].mode) for u, xy, _ in cands])
        seal = blockade.seal_exits(self.scenario, self.net, at=at, ring_minutes=ring_minutes,
                                   hour=hour, sources=sources,
                                   offender_speed_factor=offender_speed_factor, snap_m=snap_m)
        basis = {u: b for u, _, b in cands}
        # "live": each unit from its fresh fix, else its planned place (``counted``'s basis)
        return {**seal.as_json(), "hour": hour, "sources": "live",
                "counted": [{"unit": s.id, "mode": s.mode, "basis": basis[s.id],
                             "node": self.net.node_ids[s.node]} for s in sources],
                "left_out": [{"unit": u, "reason": why} for u, why in left_out.items()]}

    def rings_now(self) -> dict[str, Any]:
        """The 1-3-5 rings from the responding units where they are now (cached per state).

        Each unit counts from its fresh position, else its planned place, at its own mode's
        speeds on the roads at this hour (one search per mode on the one engine, as the
        simulator's travel table has a matrix per mode); a node or site is reached when the
        first unit of any mode gets there. ``counted`` and ``left_out`` name the units and
        why (a review: every unit counted as a car, a foot volunteer and merchant among them;
        on its lattice town 0.66 of the nodes were within target at 11:00, where the car and
        the two on foot at their own speed give 0.53, and the car alone, the one unit that is
        ever dispatched, 0.53 too)."""
        now = self.clock()
        hour = _local(now, self.tz).hour
        with self.lock:
            cands, left_out = self._responders(now)
            # keyed by the sources themselves (where each unit counts from, and whether by
            # its fix): a fix that goes stale moves its unit back to its planned place (a
            # review: keyed by state and hour, stale fixes counted as live to the hour's end)
            key = (hour, tuple(cands), tuple(left_out.items()))
            if self._rings_cache is not None and self._rings_cache[0] == key:
                return self._rings_cache[1]
        units: dict[str, Any] = {
            "counted": [{"unit": u, "tier": self.units[u].tier, "mode": self.units[u].mode,
                         "basis": basis} for u, _, basis in cands],
            "left_out": [{"unit": u, "tier": self.units[u].tier, "mode": self.units[u].mode,
                          "reason": why} for u, why in left_out.items()],
        }
        if not cands:
            result: dict[str, Any] = {"hour": hour, "sources": 0, "live_sources": 0,
                                      "share_within_target": 0.0, "bands": [], **units}
        else:
            rings = coverage.from_units(
                self.scenario, self.net, [(u, xy, self.units[u].mode) for u, xy, _ in cands],
                hour=hour)
            minutes = cast(FloatArray, rings.pop("minutes"))
            rings.pop("weighted_share_within_target")
            band = coverage.bands_of(minutes, self.scenario.policy.isochrone_minutes)
            result = {
                **rings,
                "hour": hour, "sources": len(cands),
                "live_sources": sum(1 for c in cands if c[2] == "live"),
                "bands_minutes": list(self.scenario.policy.isochrone_minutes),
                "bands": [int(b) for b in band.tolist()],
                **units,
            }
        with self.lock:
            self._rings_cache = (key, result)
        return result

    # ---- alerts -------------------------------------------------------------------------
    def evaluate(self) -> list[Alert]:
        """Raise the alerts the present state calls for and clear those it no longer does;
        returns the newly raised ones."""
        now = self.clock()
        st = self.settings
        want: dict[str, tuple[str, str, str, str, dict[str, object]]] = {}
        with self.lock:
            # the slot under the lock: a plan switched meanwhile (a review: a 2-day plan's
            # slot 34 judged against a 1-day plan) is judged whole, before or after
            slot, start = self.slot_now(now)
            slot_start = self._aware(start)
            if not self.covers(now):
                first, end = self.plan.slots[0].start, self.plan.slots[-1].end
                span = (first.isoformat(sep=" ", timespec="minutes"),
                        end.isoformat(sep=" ", timespec="minutes"))
                want["plan"] = (
                    "plan_not_covering", "warning",
                    f"当前方案（{span[0]} 至 {span[1]}）不含此刻，按其首日的时段安排研判",
                    f"the current plan ({span[0]} to {span[1]}) does not cover now; its first "
                    "day's pattern is applied",
                    {"first": first.replace(tzinfo=self.tz).isoformat(timespec="minutes"),
                     "end": end.replace(tzinfo=self.tz).isoformat(timespec="minutes"),
                     "pattern": True})
            # each unit's last position against its grid of this slot: a slot or plan that
            # changes its grid with no new fix re-judges it (review AM: an alert for the grid
            # of an earlier slot stayed open). Outside the new grid counts from the slot's
            # start, or the fix if later.
            for s in self.state.values():
                if s.xy is not None and s.t is not None:
                    self._judge_grid(s, slot.index, max(s.t, slot_start))
            for site in self.tier1:
                last = self.last_visit.get(site.id, self.started)
                allowed = float(self.scenario.policy.revisit_minutes.get(1, 120.0))
                waited = (now - last).total_seconds() / 60
                if waited > allowed:
                    want[f"site:{site.id}"] = (
                        "site_revisit", "warning",
                        f"一级重点部位 {site.name}（{site.id}）已 {waited:.0f} 分钟未巡，"
                        f"超过 {allowed:g} 分钟",
                        f"tier-1 site {site.name} ({site.id}) not visited for {waited:.0f} min, "
                        f"beyond its {allowed:g} min interval",
                        {"site": site.id, "minutes": round(waited, 1)})
            for u, s in self.state.items():
                age = (now - s.t).total_seconds() / 60 if s.t is not None else None
                on_duty = self.plan.at(u, slot.index).duty != "off" and s.status != "off"
                if s.t is not None and age is not None and age > st.silent_minutes and on_duty:
                    # a unit that reported and went silent while on duty (a review: a unit
                    # silent since 08:10 stayed "outside its grid" into the night, and
                    # nothing said it had gone quiet)
                    seen = _local(s.t, self.tz)
                    want[f"silent:{u}"] = (
                        "unit_silent", "warning",
                        f"{u} 已 {age:.0f} 分钟无位置上报（最后 {seen:%H:%M}）",
                        f"unit {u} has sent no position for {age:.0f} min (last {seen:%H:%M})",
                        {"unit": u, "minutes": round(age, 1)})
                # the grid is judged from a fresh position only: a stale one says nothing of
                # where the unit is now
                if s.outside_since is None or s.status == "off" or age is None \
                        or age > st.fresh_minutes:
                    continue
                mins = (now - s.outside_since).total_seconds() / 60
                if mins > st.outside_grid_minutes:
                    want[f"grid:{u}"] = (
                        "unit_outside_grid", "warning",
                        f"{u} 离开责任网格 {s.outside_grid} 已 {mins:.0f} 分钟",
                        f"unit {u} outside its grid {s.outside_grid} for {mins:.0f} min",
                        {"unit": u, "grid": s.outside_grid, "minutes": round(mins, 1)})
            into = (now - slot_start).total_seconds() / 60
            for cp, team in self._checkpoints_unstaffed.get(slot.index, ()):
                # a checkpoint the schedule names that no unit of the plan staffs (a
                # re-plan took its team out of service: a review saw CP4's alert cleared
                # while CP4 stood empty): unstaffed from the slot's start, no one being on
                # the way, unless a unit is there all the same
                post = self.posts[cp]
                if any(s.xy is not None and s.t is not None and s.t >= slot_start
                       and s.status != "off"
                       and math.dist(s.xy, post.xy) <= st.visit_radius_m
                       for s in self.state.values()):
                    continue
                off = (self.plan.at(team, slot.index) if team in self.state
                       and team in self.plan.units else None)
                why = f", {off.note}" if off is not None and off.duty == "off" \
                    and off.note else ""
                want[f"checkpoint:{cp}:{slot.index}"] = (
                    "checkpoint_unstaffed", "critical",
                    f"卡点 {post.name}（{cp}）本时段无人值守：方案未派警力（排班应由 {team}）",
                    f"checkpoint {post.name} ({cp}) unstaffed in this slot: the plan staffs "
                    f"it with no unit (due by the checkpoint schedule: {team}{why})",
                    {"post": cp, "unit": team, "slot": slot.index, "planned": False})
            if into >= st.checkpoint_grace_minutes:
                for a in self.plan.assignments:
                    if a.slot != slot.index or a.duty != "checkpoint" or a.post is None:
                        continue
                    s = self.state[a.unit]
                    post = self.posts[a.post]
                    there = (s.xy is not None and s.t is not None and s.t >= slot_start
                             and math.dist(s.xy, post.xy) <= st.visit_radius_m)
                    if not there:
                        want[f"checkpoint:{a.post}:{slot.index}"] = (
                            "checkpoint_unstaffed", "critical",
                            f"卡点 {post.name}（{a.post}）本时段无人值守（应由 {a.unit}）",
                            f"checkpoint {post.name} ({a.post}) unstaffed in this slot "
                            f"(due: {a.unit})",
                            {"post": a.post, "unit": a.unit, "slot": slot.index})
            live = any(s.t is not None and (now - s.t).total_seconds() <= st.fresh_minutes * 60
                       for s in self.state.values())
        if live:
            rings = self.rings_now()
            share = float(rings["share_within_target"])
            if share < st.coverage_target_share:
                want["coverage"] = (
                    "coverage_below_target", "warning",
                    f"处置圈覆盖 {share:.0%}，低于目标 {st.coverage_target_share:.0%}",
                    f"ring coverage {share:.0%} below the target {st.coverage_target_share:.0%}",
                    {"share": round(share, 4), "target": st.coverage_target_share})
        new: list[Alert] = []
        with self.lock:
            # a plan alert naming another plan's span is stale: cleared, and raised anew
            stale = [k for k, a in self.alerts.items()
                     if k not in want or (k == "plan" and dict(a.data) != want[k][4])]
            for key in stale:
                old = self.alerts.pop(key)
                self.cleared[old.id] = now
                if self.on_clear is not None:
                    self.on_clear(old, now)
                self._log("clear", old, now)
            for key, (kind, sev, zh, en, data) in want.items():
                if key in self.alerts:
                    continue
                alert = Alert(0, kind, key, sev, zh, en, now, data)
                self.seq = self.on_raise(alert) if self.on_raise is not None else self.seq + 1
                alert = Alert(self.seq, kind, key, sev, zh, en, now, data)
                self.alerts[key] = alert
                self.history.append(alert)
                self._log("alert", alert, now)
                new.append(alert)
            self._trim(now)
        return new

    def _trim(self, now: datetime) -> None:
        """Forget what no client needs any more: alerts cleared more than
        :data:`KEEP_CLEARED` ago and events beyond the last :data:`MAX_EVENTS` (a review: 300
        raise-and-clear cycles kept 1,201 events, 601 alerts and 600 clears, and every
        reconnect replayed them all). A client whose last event was trimmed re-reads the
        active alerts (GET /api/alerts), as the dashboard does on every reconnect."""
        cutoff = now - KEEP_CLEARED
        if any(t < cutoff for t in self.cleared.values()):
            self.cleared = {i: t for i, t in self.cleared.items() if t >= cutoff}
            active = {a.id for a in self.alerts.values()}
            self.history = [a for a in self.history if a.id in active or a.id in self.cleared]
        if len(self.events) > MAX_EVENTS:
            del self.events[:len(self.events) - MAX_EVENTS]

    def _log(self, event: str, alert: Alert, at: datetime) -> None:
        n = self.events[-1].n + 1 if self.events else 1
        self.events.append(AlertEvent(n, event, alert, at))

    def events_after(self, n: int) -> list[AlertEvent]:
        """The alert events after event ``n`` (0: all), in order."""
        with self.lock:
            if not self.events or self.events[-1].n <= n:
                return []
            # the log is dense from its first n: index arithmetic, not a scan
            return self.events[max(0, n - self.events[0].n + 1):]

    def last_event(self) -> int:
        with self.lock:
            return self.events[-1].n if self.events else 0

    def acknowledge(self, alert_id: int, by: str, at: datetime) -> Alert | None:
        """Record that ``by`` acknowledged alert ``alert_id`` at ``at`` (the store's record),
        on the live alert and in the history; None when this picture does not hold it."""
        with self.lock:
            found: Alert | None = None
            for i, a in enumerate(self.history):
                if a.id == alert_id:
                    found = replace(a, acknowledged_by=by, acknowledged_at=at)
                    self.history[i] = found
            for key, a in self.alerts.items():
                if a.id == alert_id:
                    found = replace(a, acknowledged_by=by, acknowledged_at=at)
                    self.alerts[key] = found
            if found is not None:
                self._log("ack", found, at)
            return found

    def alerts_since(self, seq: int) -> list[Alert]:
        with self.lock:
            return [a for a in self.history if a.id > seq]

    def active_alerts(self) -> list[Alert]:
        with self.lock:
            return sorted(self.alerts.values(), key=lambda a: a.id)
