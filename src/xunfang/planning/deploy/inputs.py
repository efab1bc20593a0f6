"""What the posture model reads, prepared once per plan: units on duty and their crews, the
grids with their nodes and key sites, the travel minutes between grids, and the requirements
(tier presence, joint patrols, events, pins) that the per-slot model must meet.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np

from xunfang import network
from xunfang._errors import Problem, XunfangError, problems_message
from xunfang.network import RoadNetwork, travel_times
from xunfang.plan import Slot
from xunfang.planning.own_rota import OwnDuty
from xunfang.planning.routes import grid_of_nodes
from xunfang.scenario.model import (
    Area,
    FloatArray,
    IntArray,
    Scenario,
    Unit,
    crew_pool,
    hours_text,
    person_tier,
)
from xunfang.scenario.record import weekly_counts, weights_of
from xunfang.scenario.tables import find_table, read_table, require_columns

#: Squads whose units hold their home post all shift (屯警 / 快反: fixed posts).
FIXED_SQUADS: tuple[str, ...] = ("fixed",)
#: Squads that man the checkpoint schedule.
CHECKPOINT_SQUADS: tuple[str, ...] = ("checkpoint",)
#: Tiers that count as uniformed presence and are placed by the posture model.
MOBILE_TIERS: tuple[str, ...] = ("special", "precinct", "armed")
#: People a unit needs on board to be on duty, by mode (drones need a drone pilot).
CREW_MIN: Mapping[str, int] = {"car": 2, "motorcycle": 1, "balance": 1, "foot": 1, "drone": 1}
#: The skill one of a unit's crew must hold, by mode, where the scenario's people carry it
#: at all (people.csv's ``skills``): a car's driver, a motorcycle's rider (its only seat), a
#: drone's pilot. Balance vehicles and foot patrols ask none.
MODE_SKILL: Mapping[str, str] = {"car": "driver", "motorcycle": "motorcycle",
                                 "drone": "drone_pilot"}
#: The roles (people.csv ``role``) of sworn officers (民警): a checkpoint's crew needs one,
#: since an auxiliary officer (辅警) may not stop and check (盘查) without one present.
SWORN_ROLES: tuple[str, ...] = ("police",)
#: Site kinds where crowds gather, and the hours they do (joint patrols, 叠加巡逻).
CROWD_HOURS: Mapping[str, tuple[int, ...]] = {
    "square": (19, 20, 21),
    "night_market": (19, 20, 21, 22),
    "business_street": (18, 19, 20, 21),
    "market": (7, 8, 9),
    "bus_station": (7, 8, 17, 18),
    "primary_school": (7, 16),
    "middle_school": (7, 17),
}


class DeployError(XunfangError, ValueError):
    """Bad input to the deployment stage (a pin, a re-plan state, an option)."""


@dataclass(frozen=True)
class Pin:
    """The planner's pin: ``unit`` at ``post`` (or in ``grid``) in ``slots`` (indices).
    Pins are always kept; a pin that cannot be kept (unit off duty) is a shortfall."""

    unit: str
    slots: tuple[int, ...]
    post: str | None = None
    grid: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if (self.post is None) == (self.grid is None):
            raise DeployError(f"pin of unit {self.unit!r}: give exactly one of post or grid")

    def as_dict(self, slots: Sequence[Slot] | None = None) -> dict[str, object]:
        """JSON-ready: unit, post or grid, slots, note; with ``slots`` (the plan's) also
        ``slots_from``/``slots_to``, the local times the pinned slots span."""
        out: dict[str, object] = {"unit": self.unit}
        if self.post is not None:
            out["post"] = self.post
        if self.grid is not None:
            out["grid"] = self.grid
        out["slots"] = list(self.slots)
        if slots is not None and self.slots:
            by = {s.index: s for s in slots}
            if self.slots[0] in by and self.slots[-1] in by:
                out["slots_from"] = by[self.slots[0]].name
                out["slots_to"] = by[self.slots[-1]].end.isoformat(timespec="minutes")
        if self.note:
            out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Pin:
        """The inverse of :meth:`as_dict` (plan.json's record of the pins)."""
        try:
            raw = data["slots"]
            if not isinstance(raw, list | tuple):
                raise TypeError(f"slots must be a list, got {raw!r}")
            return cls(unit=str(data["unit"]), slots=tuple(int(k) for k in raw),
                       post=None if data.get("post") is None else str(data["post"]),
                       grid=None if data.get("grid") is None else str(data["grid"]),
                       note=str(data.get("note", "")))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DeployError):
                raise
            raise DeployError(f"not a pin record: {data!r} ({exc})") from exc


class PinsError(DeployError):
    """A pins table has errors; ``problems`` names each file, row, column and rule."""

    def __init__(self, problems: Sequence[Problem], *, source: str) -> None:
        self.problems = tuple(problems)
        super().__init__(problems_message(self.problems, source, " in the pins; no plan made",
                                          limit=20))


PIN_COLUMNS: tuple[str, ...] = ("unit", "from", "to")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")  # Excel time cells read as HH:MM:SS


def _pin_time(text: str) -> tuple[str, time | datetime] | None:
    """``("clock", HH:MM)`` (24:00 allowed, as the end of a day) or ``("at", datetime)``."""
    m = _HHMM.match(text)
    if m:
        h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if (h, mi, sec) == (24, 0, 0):
            return ("clock", time.max)
        if h < 24 and mi < 60 and sec < 60:
            return ("clock", time(h, mi, sec))
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return None if at.tzinfo is not None else ("at", at)


def _clock_on(day: datetime, t: time) -> datetime:
    return day + timedelta(days=1) if t == time.max else day.replace(
        hour=t.hour, minute=t.minute, second=t.second)


def read_pins(path: Path, scenario: Scenario, slots: Sequence[Slot], *,
              label: str | None = None, taken: dict[tuple[str, int], str] | None = None,
              warnings: list[Problem] | None = None) -> tuple[Pin, ...]:
    """The planner's pins from a table (CSV in UTF-8 or GB18030, or .xlsx): columns
    ``unit``, ``post`` or ``grid`` (exactly one per row), ``from``, ``to`` and an optional
    ``note``. Times are local ``HH:MM`` (the same hours on every day of the plan; ``to`` may
    be 24:00) or ISO date-times; a pin covers every slot of ``slots`` it overlaps.

    Raise :class:`PinsError` listing every problem (file, row, column, rule): unknown unit,
    post or grid, both or neither of post and grid, ``to`` not after ``from``, times outside
    the plan, a drone (drones fly sorties), two pins of one unit in one slot. ``taken``
    maps (unit, slot index) to where an earlier pin holds it (``"FILE, row N"``; another
    file's pins read before) and is filled in with this table's. A pin of a police unit
    in slots outside its duty hours (units.csv ``hours``) is kept, and ``warnings`` gets a
    warning (rule ``pin-outside-hours``): the plan has the unit off then and lists the pin
    as a shortfall.
    """
    name = label or str(path)
    problems: list[Problem] = []
    table = read_table(path, label=name, problems=problems)
    if table is not None and not require_columns(table, PIN_COLUMNS, problems=problems):
        table = None
    if table is not None and not (table.has("post") or table.has("grid")):
        problems.append(Problem(file=name, row=0, column="post", rule="missing-column",
                                message="a pins table needs a 'post' or a 'grid' column "
                                        f"(columns found: {', '.join(table.header)})"))
        table = None
    errors = [p for p in problems if p.severity == "error"]
    if table is None or errors:
        raise PinsError(problems or [Problem(file=name, rule="unreadable",
                                             message="the pins table cannot be read")],
                        source=name)
    units = {u.id: u for u in scenario.units}
    posts = {p.id for p in scenario.posts}
    grids = {a.id for a in scenario.areas_of("grid")}
    slots_t = tuple(slots)
    if not slots_t:
        raise DeployError("read_pins: the plan has no slots")
    first, last = slots_t[0].start, slots_t[-1].end
    slot_at = {s.index: s for s in slots_t}
    days = sorted({datetime.combine(s.start.date(), time()) for s in slots_t})
    out: list[Pin] = []
    held: dict[tuple[str, int], str] = {} if taken is None else taken

    def err(row: int, column: str | None, rule: str, message: str) -> None:
        problems.append(Problem(file=name, row=row, column=column, rule=rule, message=message))

    for i, row in enumerate(table.rows):
        rn = table.numbers[i] if i < len(table.numbers) else i + 1
        uid = row.get("unit", "")
        post, grid = row.get("post", ""), row.get("grid", "")
        bad = False
        if not uid:
            err(rn, "unit", "required", "the unit is empty")
            bad = True
        elif uid not in units:
            err(rn, "unit", "unknown-unit", f"unit {uid!r} is not in units.csv")
            bad = True
        elif units[uid].mode == "drone":
            err(rn, "unit", "drone-pin", f"unit {uid!r} is a drone: drones fly sorties from "
                "their posts and cannot be pinned")
            bad = True
        if bool(post) == bool(grid):
            err(rn, "post" if post else "grid", "post-or-grid",
                "give exactly one of post and grid" + (f" (got post {post!r} and grid "
                                                       f"{grid!r})" if post else ""))
            bad = True
        elif post and post not in posts:
            err(rn, "post", "unknown-post", f"post {post!r} is not in posts.csv")
            bad = True
        elif grid and grid not in grids:
            err(rn, "grid", "unknown-grid", f"grid {grid!r} is not a grid of areas.geojson")
            bad = True
        t_from, t_to = _pin_time(row.get("from", "")), _pin_time(row.get("to", ""))
        for col, got in (("from", t_from), ("to", t_to)):
            if got is None:
                err(rn, col, "bad-time", f"{col} {row.get(col, '')!r} is neither a local "
                    "time HH:MM nor an ISO date-time (YYYY-MM-DDTHH:MM)")
                bad = True
        if bad or t_from is None or t_to is None:
            continue
        spans: list[tuple[datetime, datetime]] = []
        if t_from[0] == "clock" and t_to[0] == "clock":
            a_t, b_t = t_from[1], t_to[1]
            assert isinstance(a_t, time) and isinstance(b_t, time)
            if a_t == time.max:
                err(rn, "from", "bad-time", "from 24:00 is the end of the day; use 00:00")
                continue
            spans = [(_clock_on(d, a_t), _clock_on(d, b_t)) for d in days]
        elif t_from[0] == "at" and t_to[0] == "at":
            a_d, b_d = t_from[1], t_to[1]
            assert isinstance(a_d, datetime) and isinstance(b_d, datetime)
            spans = [(a_d, b_d)]
        else:
            err(rn, "to", "mixed-times", "from and to must both be HH:MM or both ISO "
                "date-times")
            continue
        a0, b0 = spans[0]
        if b0 <= a0:
            err(rn, "to", "bad-range", f"to {row['to']!r} is not after from {row['from']!r}")
            continue
        if a0 < first or spans[-1][1] > last:
            err(rn, "from" if a0 < first else "to", "outside-plan",
                f"{row['from']}..{row['to']} is outside the plan "
                f"({first.isoformat(timespec='minutes')}..{last.isoformat(timespec='minutes')})")
            continue
        ks = tuple(s.index for s in slots_t if any(s.start < b and s.end > a for a, b in spans))
        clash = [held[(uid, k)] for k in ks if (uid, k) in held]
        if clash:
            err(rn, "from", "overlap", f"unit {uid!r} is already pinned in these slots "
                f"({clash[0]}); a unit can be at one place at a time")
            continue
        for k in ks:
            held[(uid, k)] = f"{name}, row {rn}"
        u = units[uid]
        duty = u.hours if unit_kind(u) != "auxiliary" else None  # parsed once a row
        off = [k for k in ks if not _within(duty, slot_at[k])]
        if off and warnings is not None:
            at = slot_at[off[0]]
            warnings.append(Problem(
                file=name, row=rn, column="from" if off[0] == ks[0] else "to",
                rule="pin-outside-hours", severity="warning",
                message=f"unit {uid!r} is pinned in {len(off)} slot(s) outside its duty hours "
                        f"(units.csv hours {hours_text(duty or ())}), from "
                        f"{at.start.isoformat(timespec='minutes')}: the plan has it off then "
                        "and lists the pin as a shortfall"))
        out.append(Pin(unit=uid, slots=ks, post=post or None, grid=grid or None,
                       note=row.get("note", "")))
    if any(p.severity == "error" for p in problems):
        raise PinsError(problems, source=name)
    return tuple(out)


def scenario_pins_file(folder: Path) -> Path | None:
    """The scenario folder's own ``pins.csv`` (or ``pins.xlsx``), when it has one."""
    problems: list[Problem] = []
    found = find_table(folder, "pins", problems=problems)
    if problems:
        raise PinsError(problems, source=str(folder))
    return found


def check_pins(pins: Sequence[Pin], scenario: Scenario, slots: Sequence[Slot],
               grids: Sequence[str] | None = None) -> None:
    """Raise :class:`DeployError` for a pin ``prepare`` cannot keep: unknown unit, post,
    grid or slot, a drone, or one unit pinned twice in a slot (e.g. across two files)."""
    units = {u.id: u for u in scenario.units}
    post_ids = {p.id for p in scenario.posts}
    gids = set(grids) if grids is not None else {a.id for a in scenario.areas_of("grid")}
    slot_ids = {s.index for s in slots}
    seen: dict[tuple[str, int], Pin] = {}
    for pin in pins:
        if pin.unit not in units:
            raise DeployError(f"pin: unknown unit {pin.unit!r}")
        if units[pin.unit].mode == "drone":
            raise DeployError(f"pin of unit {pin.unit!r}: a drone flies sorties and cannot "
                              "be pinned")
        if pin.post is not None and pin.post not in post_ids:
            raise DeployError(f"pin of unit {pin.unit!r}: unknown post {pin.post!r}")
        if pin.grid is not None and pin.grid not in gids:
            raise DeployError(f"pin of unit {pin.unit!r}: unknown grid {pin.grid!r}")
        bad = [k for k in pin.slots if k not in slot_ids]
        if bad:
            raise DeployError(f"pin of unit {pin.unit!r}: slots {bad[:5]} are not in the plan")
        for k in pin.slots:
            other = seen.get((pin.unit, k))
            if other is not None:
                raise DeployError(f"unit {pin.unit!r} is pinned twice in slot {k} "
                                  f"({other.post or other.grid} and {pin.post or pin.grid})")
            seen[(pin.unit, k)] = pin


@dataclass(frozen=True)
class Options:
    """Weights and rules of the posture model (all policy, none hard-coded elsewhere)."""

    dosage_factor: float = 2.0  # at most this many times a grid's share of the units ...
    dosage_floor: int = 2  # ... and never a cap below this
    joint_patrol_units: int = 2  # units together at a crowded place in its peak hours
    w_visibility: float = 10.0
    w_coverage: float = 4.0
    # key-site visits: 0 since the patrol-work rows ask for them (3 before: it drew a second
    # unit into quiet grids with many sites)
    w_sites: float = 0.0
    w_over: float = 60.0  # (6, then 20; bench/plan_kpis.py --w-over: on the county the
    # plan's over-deployment moves by ±0.01 between 40 and 100, without a trend)
    w_move: float = 0.4
    w_keep: float = 2.0  # re-plan: cost of a count moved away from the plan in force
    w_short: float = 1000.0
    w_reserve: float = 0.05
    hold_rings: bool = True  # a unit standing within the target of every tier-1 site
    # units kept patrolling in a grid beside its staging units
    staging_patrols: int = 0  # (1 before the patrol-work rows, which now ask tier-1 grids
    # for their patrols; 1 adds a patrol beside every holder, in quiet grids too)
    # tier-1 grids get the police patrol work their sites' revisit intervals and lines'
    # frequencies need (routes.PatrolLoad, by mode), not just one patrol
    patrol_load: bool = True
    # what a grid's share of the units is measured against in the over-deployment term and
    # the dosage cap: "record", the recorded incidents per grid and hour of the week, the
    # yardstick of the over-deployment KPI the simulator reports (DESIGN §4: need = the
    # cell's weight share; sim.kpis.default_weights); "forecast", the intelligence stage's
    # risk; or "both": one over-deployment term against each, the forecast's at
    # dosage_forecast_weight of W_over, the cap from the record. Every other term
    # (visibility, 1-3-5 cover, key sites) follows the forecast either way. A scenario with
    # no incident record is priced against the forecast, and the posture's summary says so
    # (``dosage_yardstick``).
    # Why "both": a year's record per grid and hour of the week is thin where grids are many
    # (Baltimore: ~87 incidents an hour of the week over 42 grids), and a plan priced against
    # it alone fits its noise: against Baltimore's true risk map it stood +0.049 above
    # proportional (against the record −0.014). The forecast alone gave +0.003 and +0.020,
    # and raised the county's KPI (session 6: +0.003 to +0.028). Measured at bf57ac3
    # (bench/RESULTS.md "Issue 8, session 7: the over-deployment yardstick"), plan −
    # proportional over-deployment:
    #   weight     county 11-29 / 10-01 / 12-05 / 07-15 / 03-02    Baltimore record / true map
    #   0 (record) −0.029 / −0.017 / −0.000 / −0.032 / −0.019      −0.014 / +0.049
    #   0.25       −0.024 / −0.020 / −0.002 / −0.029 / −0.012      −0.014 / +0.025
    #   0.35       —      / —      / +0.001 / —      / —           −0.017 / +0.018
    #   0.5        —      / —      / +0.003 / —      / —           −0.012 / +0.013
    # (0.5 with the cap from both: 12-05 +0.006, Baltimore −0.014 / +0.008.) 0.25 is the
    # largest weight measured that keeps every county day below proportional.
    dosage_basis: str = "both"
    dosage_forecast_weight: float = 0.25
    # times the least work (the load is a lower bound: routes meet the intervals only with
    # room to spare; G4's single tour takes 122 min by car against its lines' 60). Measured on
    # the county (bench/plan_kpis.py, 400 replications, 5 days; session 6): 1.5 left 7-19
    # route misses a day (3 tier-1 sites and 7-10 line pieces, all in G4) and 167-326
    # simulated gap minutes; 1.75 and 2.0 leave none (gap 86-123 and 36-153 min), at the
    # price of 1-4 unheld ring-slots a day at the 07:00 and 17:00 school peaks, where the
    # force on duty cannot do everything (1.5: 0-1). (Session 4, before ring holders left
    # the dosage cap: 1.0 / 1.5 / 2.0 gave 299 / 143 / 808 gap minutes.)
    patrol_work_margin: float = 2.0
    # grids holding a piece of a mandatory line get a patrol at the line's frequency even
    # without tier-1 sites (Inputs.line_window). Off by default: on the county every line
    # grid has tier-1 sites (no change); on Baltimore it drives every line piece (route
    # misses 3 instead of 13) but raises over-deployment above proportional's (against the
    # record +0.038 [+0.037, +0.040], against the true map +0.070), since its line grids
    # are quiet; unmet line pieces are listed as route shortfalls either way
    line_presence: bool = False
    mip_gap: float = 1e-3  # relative: HiGHS stops once within it (the gap is reported)
    time_limit_s: float = 3.0  # per slot; a slot stopped by it reports status time_limit

    def __post_init__(self) -> None:
        for name in ("dosage_factor", "w_visibility", "w_coverage", "w_sites", "w_over",
                     "w_move", "w_keep", "w_short", "w_reserve", "time_limit_s",
                     "patrol_work_margin"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise DeployError(f"Options.{name} must be a finite number >= 0; got {v!r}")
        if isinstance(self.staging_patrols, bool) or not isinstance(
                self.staging_patrols, int) or self.staging_patrols < 0:
            raise DeployError(f"Options.staging_patrols must be a whole number >= 0; got "
                              f"{self.staging_patrols!r}")
        fw = self.dosage_forecast_weight
        if not (isinstance(fw, int | float) and not isinstance(fw, bool) and 0 <= fw <= 1):
            raise DeployError(f"Options.dosage_forecast_weight must be a number in [0, 1]; "
                              f"got {fw!r}")
        if self.dosage_basis not in ("record", "forecast", "both"):
            raise DeployError(f"Options.dosage_basis must be 'record', 'forecast' or 'both'; "
                              f"got {self.dosage_basis!r}")
        for name in ("dosage_floor", "joint_patrol_units"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise DeployError(f"Options.{name} must be a whole number >= 1; got {v!r}")


@dataclass(frozen=True, eq=False)
class Inputs:
    """Everything the per-slot model needs, in arrays indexed by grid (``grids``)."""

    scenario: Scenario
    slots: tuple[Slot, ...]
    grids: tuple[str, ...]
    grid_nodes: tuple[IntArray, ...]
    rep: IntArray  # a representative node of each grid (nearest to its centroid)
    risk: FloatArray  # (grids, slots), >= 0
    post_grid: Mapping[str, int]  # post id -> grid index (-1 outside every grid)
    post_node: Mapping[str, int]
    allowed: Mapping[str, IntArray]  # unit id -> grid indices it may patrol (its zone)
    site_need: FloatArray  # per grid: visits per slot its key sites need
    tier_window: Mapping[int, tuple[int, ...]]  # window (slots) -> grids with such sites
    tier1_grids: tuple[int, ...]
    crowd: tuple[tuple[int, int, str], ...]  # (slot, grid, site id) joint-patrol needs
    minutes: Mapping[int, FloatArray]  # hour -> (grids, grids) car minutes rep -> rep
    target: FloatArray  # per grid: response target minutes
    on_duty: tuple[frozenset[str], ...]  # units on duty per slot
    crew: Mapping[tuple[str, int], tuple[str, ...]]  # (unit, slot) -> people on board
    rostered_units: frozenset[str]  # units whose crews come from the roster
    pins: tuple[Pin, ...] = ()
    net: RoadNetwork | None = None  # for node-level steps after the counts (staging)
    #: (grids, slots): recorded incidents a week in the slot's hours of the week (every clock
    #: hour it overlaps, by the share of it the slot holds), + 1 % of the mean each
    #: (scenario.record; the simulator's KPI weights, weighed alike); None without a record
    record: FloatArray | None = None
    options: Options = field(default_factory=Options)
    #: whether ``risk`` is a forecast (prepare's ``risk``), or every grid the same for want
    #: of one (a plan whose forecast was skipped): the posture names its yardstick by it
    forecast: bool = True
    #: (grids, slots): the incidents ``record`` rests on, as counted (before the plan, in
    #: the slot's hours of the week): the dosage note says how few a need rests on
    record_counts: FloatArray | None = None
    #: window (slots) -> grids holding a piece of a mandatory line driven that often (a
    #: patrol in every window of w slots, as the key sites' tier windows)
    line_window: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    #: (unit, slot) -> why a rostered unit is off though people of its pool are free (its
    #: mode's skill), for the off assignment's note; absent: no crew on duty
    off_reason: Mapping[tuple[str, int], str] = field(default_factory=dict)
    #: unit -> why it is on duty all day with no named crew (its own duty list)
    unnamed_crews: Mapping[str, str] = field(default_factory=dict)
    #: the people who are sworn officers (``SWORN_ROLES``)
    sworn: frozenset[str] = frozenset()
    #: a re-plan: the own duty lists' shifts in the plan in force (plan.json's
    #: ``posture.own_duty_lists[].rota``), those begun before the re-plan's time kept; None
    #: when it has no rota (a plan written before them: the re-plan rota's every shift anew)
    rota_in_force: tuple[OwnDuty, ...] | None = None

    @property
    def n_grids(self) -> int:
        return len(self.grids)

    def checkpoint_short(self, unit: str, slot: int) -> str | None:
        """Why the crew of checkpoint unit ``unit`` may not man a checkpoint in ``slot``
        (slot index): a named crew with no sworn officer (民警) — auxiliaries may not stop
        and check (盘查) alone; None when it may (or its crew is not named)."""
        c = self.crew.get((unit, slot), ())
        if not c or self.sworn & set(c):
            return None
        return (f"no sworn officer (民警) in its crew ({', '.join(c)}): auxiliary officers "
                "may not stop and check (盘查) without one")


def unit_kind(u: Unit) -> str:
    """``fixed``, ``checkpoint``, ``mobile``, ``drone`` or ``auxiliary``: how the posture
    places a unit."""
    if u.mode == "drone":
        return "drone"
    if u.tier not in MOBILE_TIERS:
        return "auxiliary"
    if u.squad in FIXED_SQUADS:
        return "fixed"
    if u.squad in CHECKPOINT_SQUADS:
        return "checkpoint"
    return "mobile"


def crew_pools(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """The ids of the people who may crew each unit (:func:`scenario.model.crew_pool`: the
    scenario check forms the crews by the same rule)."""
    return {u.id: tuple(p.id for p in crew_pool(u, scenario.people)) for u in scenario.units}


def units_on_duty(scenario: Scenario, slots: Sequence[Slot],
                  on_duty_people: Sequence[Sequence[str]] | None,
                  rostered: Sequence[str] = ()
                  ) -> tuple[tuple[frozenset[str], ...], dict[tuple[str, int], tuple[str, ...]],
                             frozenset[str]]:
    """Units on duty per slot, their crews and the units whose crews are rostered
    (:func:`crewing` without its notes)."""
    c = crewing(scenario, slots, on_duty_people, rostered)
    return c.on_duty, c.crew, c.rostered_units


@dataclass(frozen=True)
class Crewing:
    """Who crews which unit in each slot, and what the crews lack (:func:`crewing`)."""

    on_duty: tuple[frozenset[str], ...]  # units available per slot (crewed, or not rostered)
    crew: dict[tuple[str, int], tuple[str, ...]]  # (unit, slot) -> people on board
    rostered_units: frozenset[str]  # units whose crews come from the roster
    #: (unit, slot) -> why a rostered unit is off though people of its pool are free
    off_reason: dict[tuple[str, int], str] = field(default_factory=dict)
    #: unit -> why it is on duty all day with no named crew (its pool is not rostered)
    unnamed: dict[str, str] = field(default_factory=dict)
    sworn: frozenset[str] = frozenset()  # the people who are sworn officers (SWORN_ROLES)
    #: (unit, slot) pairs where a police unit is off outside its duty hours (units.csv
    #: ``hours``); ``off_reason`` says so in words
    hours_off: frozenset[tuple[str, int]] = frozenset()


def _skills(scenario: Scenario) -> tuple[dict[str, frozenset[str]], frozenset[str],
                                         frozenset[str]]:
    """Each person's skills, every skill anyone holds, and the sworn officers (民警): what
    :func:`_needs` weighs a unit's crew by."""
    skills = {p.id: frozenset(p.skills) for p in scenario.people}
    known = frozenset(k for v in skills.values() for k in v)
    sworn = frozenset(p.id for p in scenario.people if p.role in SWORN_ROLES)
    return skills, known, sworn


def _needs(u: Unit, skills: Mapping[str, frozenset[str]], known: frozenset[str],
           sworn: frozenset[str]) -> tuple[int, frozenset[str] | None, frozenset[str] | None]:
    """What ``u``'s crew must be: its size (``CREW_MIN``), the people of whom one must be
    aboard (``MODE_SKILL``, where the scenario's people carry the skill at all; None: any)
    and, for a checkpoint unit, the sworn officers of whom one should be (None: no rule)."""
    want = MODE_SKILL.get(u.mode)
    hard = (frozenset(p for p, s in skills.items() if want in s)
            if want is not None and want in known else None)
    soft = sworn if unit_kind(u) == "checkpoint" else None
    return CREW_MIN.get(u.mode, 1), hard, soft


def _match(units: Sequence[Unit], free: Sequence[str],
           needs: Mapping[str, tuple[int, frozenset[str] | None, frozenset[str] | None]]
           ) -> dict[str, tuple[str, ...]]:
    """Crews for ``units`` (in priority order) from ``free`` (people in preference order:
    the least sought first). A bipartite matching of the units to the people holding the
    skill their mode asks, grown one unit at a time by augmenting paths (not first come:
    the rider a motorcycle needs is moved off a car's driving seat when another can drive
    it): a unit is crewed when the matching takes it in and the seats of the units crewed
    so far fit the people. Then a checkpoint unit's skilled seat goes to a sworn officer
    where the matching can give it one, else one of its other seats; the other seats are
    filled in unit order by the people left, least sought first."""
    allowed: dict[str, list[str]] = {}
    lead: dict[str, str] = {}  # unit -> the person in its skilled seat
    owner: dict[str, str] = {}  # person -> the unit whose skilled seat they hold

    def augment(uid: str, seen: set[str]) -> bool:
        for p in allowed[uid]:
            if p in seen:
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = uid
                lead[uid] = p
                return True
        return False  # (a failed search changes nothing)

    taken: list[Unit] = []
    seats = 0
    for u in units:
        n, hard, _sw = needs[u.id]
        if seats + n > len(free):
            continue
        if hard is not None:
            allowed[u.id] = [p for p in free if p in hard]
            if not augment(u.id, set()):
                continue
        taken.append(u)
        seats += n
    for u in taken:  # a sworn officer in the skilled seat of a checkpoint unit
        _n, hard, sw = needs[u.id]
        if sw is None or u.id not in lead or lead[u.id] in sw:
            continue
        was, every = lead.pop(u.id), allowed[u.id]
        del owner[was]
        allowed[u.id] = [p for p in every if p in sw]
        if not augment(u.id, set()):
            owner[was], lead[u.id] = u.id, was
        allowed[u.id] = every
    left = [p for p in free if p not in owner]
    crews = {u.id: [lead[u.id]] if u.id in lead else [] for u in taken}
    for u in taken:  # else a sworn officer in one of its other seats
        n, _hard, sw = needs[u.id]
        if sw is not None and len(crews[u.id]) < n and not sw & set(crews[u.id]):
            add = next((p for p in left if p in sw), None)
            if add is not None:
                crews[u.id].append(add)
                left.remove(add)
    for u in taken:
        more = needs[u.id][0] - len(crews[u.id])
        crews[u.id] += left[:more]
        left = left[more:]
    return {u: tuple(c) for u, c in crews.items()}


#: how a police unit's off reason begins outside its duty hours (units.csv ``hours``)
HOURS_OFF = "off outside its duty hours"


def _within(hours: tuple[int, ...] | None, s: Slot) -> bool:
    """Whether every clock hour of ``s`` lies within ``hours`` (None: all day)."""
    return hours is None or all(x in hours for x in s.clock_hours)


def in_duty_hours(u: Unit, s: Slot) -> bool:
    """Whether every clock hour of ``s`` lies within ``u``'s duty hours (:attr:`Unit.hours`;
    none: all day)."""
    return _within(u.hours, s)


def crewing(scenario: Scenario, slots: Sequence[Slot],
            on_duty_people: Sequence[Sequence[str]] | None,
            rostered: Sequence[str] = ()) -> Crewing:
    """Units on duty per slot, their crews, the units whose crews are rostered, and notes.

    A unit whose crew pool holds rostered people is on duty in a slot when enough of them
    (``CREW_MIN`` by mode) are on duty, not already on another unit, and one of them holds
    the skill the mode asks (``MODE_SKILL``: a car's driver, a motorcycle's rider, a drone's
    pilot — where the scenario's people carry that skill at all). Within a pool the units
    are taken in priority order (one unit at each home post, then the others in file order
    and the drones last, or the drones before them with ``[policy.drones] crew_first``),
    each crewed if it and every unit crewed before it can be at once (:func:`_match`, a
    matching by augmenting paths): a review found TX-M1, a motorcycle, ridden 08–16 by
    TXJ01, who has no motorcycle skill, while riders of the pool crewed other units. The
    least sought people take the seats any one may fill (pilots and sworn officers last,
    the others in file order). A checkpoint unit's crew holds a sworn officer (民警, role
    ``police``) wherever one can be found (auxiliaries may not do 盘查 alone): its pool's
    first, else a free one of its tier joins the crew.
    People on duty whom no unit of their own pool took then crew the ground units of their
    tier still off for want of a crew, in file order, one of them with the mode's skill: a
    checkpoint squad by day, an event's or a weekend's extra staff (a review: 12 of 36
    hours of a fair's extra staff were in no crew while motorcycles stood off for want of
    one). A unit whose pool holds nobody rostered — or every unit when there is no roster —
    is on duty all day with no named crew; ``unnamed`` says why (its own duty list) for
    each police unit (the auxiliary forces, tier not in ``MOBILE_TIERS``, are available all
    day: the posture leaves them off unless pinned, the auxiliary stage places them in
    their hours and names their crews). A police unit with duty hours (units.csv's
    ``hours``, :attr:`Unit.hours`) is on duty only in the slots whose clock hours all lie
    within them, rostered or not: outside them it is off (``off_reason`` says so) and its
    pool's people crew the others.
    """
    pools = crew_pools(scenario)
    ros = set(rostered)
    if on_duty_people is None:
        ros = set()
    skills, known, sworn = _skills(scenario)
    drones_first = scenario.policy.drones.crew_first
    police = [u for u in scenario.units if unit_kind(u) != "auxiliary"]
    rostered_units = frozenset(u.id for u in police if ros & set(pools[u.id]))
    needs = {u.id: _needs(u, skills, known, sworn) for u in police}
    hours = {u.id: u.hours for u in police}  # parsed once, not once a slot

    def in_hours(u: Unit, s: Slot) -> bool:
        return _within(hours[u.id], s)

    def rank(p: str) -> tuple[bool, bool]:
        """The least sought first: pilots last (one to spare flies a drone), and sworn
        officers after the others (one to spare joins a checkpoint crew)."""
        return ("drone_pilot" in skills[p], p in sworn)

    groups: dict[tuple[str, ...], list[Unit]] = {}
    for u in police:
        if u.id in rostered_units:
            groups.setdefault(pools[u.id], []).append(u)
    duty: list[frozenset[str]] = []
    crew: dict[tuple[str, int], tuple[str, ...]] = {}
    off_reason: dict[tuple[str, int], str] = {}
    hours_off: set[tuple[str, int]] = set()
    pooled = {p for pool in groups for p in pool}
    people = [p.id for p in scenario.people if p.id in pooled]  # file order
    order = {p: i for i, p in enumerate(people)}
    tier = {p.id: person_tier(p) for p in scenario.people}
    borrowers = [u for u in police if u.id in rostered_units and u.mode != "drone"]
    seats = {u.id: u.seats for u in police}
    for k, s in enumerate(slots):
        on = {u.id for u in scenario.units if u.id not in rostered_units
              and (u.id not in hours or in_hours(u, s))}
        present = set(on_duty_people[k]) if on_duty_people is not None and k < len(
            on_duty_people) else set()
        taken: set[str] = set()
        for pool, units in groups.items():
            free = sorted((p for p in pool if p in present), key=lambda p: (rank(p), order[p]))
            now = [u for u in units if in_hours(u, s)]
            got = _match(_crew_order(now, len(free), drones_first=drones_first), free,
                         needs)
            for uid, c in got.items():
                on.add(uid)
                crew[(uid, s.index)] = c
                taken.update(c)
        spare = sorted((p for p in people if p in present and p not in taken),
                       key=lambda p: (rank(p), order[p]))
        # a checkpoint crew with no sworn officer takes a free one of its tier on board
        for u in borrowers:
            c = crew.get((u.id, s.index), ())
            _n, _h, sw = needs[u.id]
            if (sw is None or not c or sw & set(c)
                    or (seats[u.id] is not None and len(c) >= (seats[u.id] or 0))):
                continue
            add = next((p for p in spare if p in sw and tier[p] in (None, u.tier)), None)
            if add is not None:
                crew[(u.id, s.index)] = (*c, add)
                spare.remove(add)
        for u in borrowers:
            if u.id in on or not spare or not in_hours(u, s):
                continue
            cands = [p for p in spare if tier[p] is None or tier[p] == u.tier]
            got = _match([u], cands, needs)
            if u.id in got:
                on.add(u.id)
                crew[(u.id, s.index)] = got[u.id]
                spare = [p for p in spare if p not in got[u.id]]
        for u in police:
            if not in_hours(u, s):
                hours_off.add((u.id, s.index))
                off_reason[(u.id, s.index)] = (
                    f"{HOURS_OFF} (units.csv hours {hours_text(hours[u.id] or ())})")
            elif u.id in rostered_units and u.id not in on:
                n, hard, _sw = needs[u.id]
                left = [p for p in spare if p in pools[u.id]]
                if hard is not None and len(left) >= n:  # enough people, none skilled
                    off_reason[(u.id, s.index)] = (
                        f"no crew with the {MODE_SKILL[u.mode]} skill: "
                        f"{', '.join(sorted(left, key=order.__getitem__))} on duty and free "
                        f"lack{'s' if len(left) == 1 else ''} it")
        duty.append(frozenset(on))
    unnamed: dict[str, str] = {}
    if ros:
        teams = sorted({p.team for p in scenario.people if p.id in ros})
        team_of = {p.id: p.team for p in scenario.people}
        for u in police:
            if u.id in rostered_units:
                continue
            pool = pools[u.id]
            when = ("in every hour" if hours[u.id] is None else
                    f"in its hours {hours_text(hours[u.id] or ())} (units.csv hours)")
            if pool:
                own = sorted({team_of[p] for p in pool})
                unnamed[u.id] = (
                    f"crewed by its own duty list: people.csv names {len(pool)} people for "
                    f"it ({', '.join(pool[:4])}{' …' if len(pool) > 4 else ''}; team "
                    f"{', '.join(own)}), whom this plan's roster (teams {', '.join(teams)}) "
                    f"does not rota: on duty {when}, its crew not named")
            else:
                unnamed[u.id] = (
                    f"no one in people.csv can crew it (squad {u.squad!r}, tier "
                    f"{u.tier!r}): on duty {when} with no crew")
    return Crewing(on_duty=tuple(duty), crew=crew, rostered_units=rostered_units,
                   off_reason=off_reason, unnamed=unnamed, sworn=sworn,
                   hours_off=frozenset(hours_off))


def crew_freed(scenario: Scenario, freed: Sequence[str], off: Collection[str],
               held: Collection[str] = (),
               keep: Mapping[str, Sequence[str]] | None = None) -> dict[str, tuple[str, ...]]:
    """Crews, in one slot, for the police units ``off`` (off duty for want of a crew) from
    the people ``freed`` (on duty and aboard nothing: the crew of a unit a re-plan took out
    of service), by :func:`crewing`'s rules for that slot: within each crew pool the units
    off in :func:`_crew_order` (first one at each home post not ``held`` by a unit on
    duty, then the others, drones last unless ``[policy.drones] crew_first``: a pilot to
    spare flies a drone), the least sought people (pilots and sworn officers last)
    taking the seats any one may fill; then the people no unit of their pool took crew the
    ground units of their tier still off, in file order. Units not in ``off`` are not
    touched (their crews stand); the people no unit takes stay aboard nothing.
    ``keep`` (unit -> crew: the crews these people formed in the slot before) holds each
    such crew on its unit first where the unit is in ``off`` and all its people are in
    ``freed``, so that nobody changes vehicle in mid-shift (review RV2: a freed rider took
    one motorcycle for four hours, then another). Unknown unit or person ids are an error
    naming them."""
    units = {u.id: u for u in scenario.units}
    bad_units = sorted(u for u in off if u not in units)
    if bad_units:
        raise DeployError(f"crew_freed: unknown unit(s) {bad_units[:5]} (rule: a unit of "
                          "units.csv off for want of a crew)")
    people_ids = {p.id for p in scenario.people}
    bad_people = sorted(p for p in freed if p not in people_ids)
    if bad_people:
        raise DeployError(f"crew_freed: unknown people {bad_people[:5]} (rule: people of "
                          "people.csv)")
    out: dict[str, tuple[str, ...]] = {}
    here = set(freed)
    for uid, c in (keep or {}).items():
        if uid in off and c and set(c) <= here:
            out[uid] = tuple(c)
            here -= set(c)
    if out:
        held = {*held, *(units[u].home_post for u in out if units[u].mode != "drone")}
        off = [u for u in off if u not in out]
    pools = crew_pools(scenario)
    skills, known, sworn = _skills(scenario)
    order = {p.id: i for i, p in enumerate(scenario.people)}
    tier = {p.id: person_tier(p) for p in scenario.people}
    police = [u for u in scenario.units if unit_kind(u) != "auxiliary" and u.id in off]
    needs = {u.id: _needs(u, skills, known, sworn) for u in police}

    def rank(p: str) -> tuple[bool, bool, int]:
        return ("drone_pilot" in skills[p], p in sworn, order[p])

    groups: dict[tuple[str, ...], list[Unit]] = {}
    for u in police:
        if here & set(pools[u.id]):
            groups.setdefault(pools[u.id], []).append(u)
    taken: set[str] = set()
    for pool, us in groups.items():
        free = sorted((p for p in pool if p in here and p not in taken), key=rank)
        got = _match(_crew_order(us, len(free), held=held,
                                 drones_first=scenario.policy.drones.crew_first), free, needs)
        for uid, c in got.items():
            out[uid] = c
            taken.update(c)
    spare = sorted((p for p in here if p not in taken), key=rank)
    for u in police:
        if u.id in out or u.mode == "drone" or not spare:
            continue
        cands = [p for p in spare if tier[p] is None or tier[p] == u.tier]
        got = _match([u], cands, needs)
        if u.id in got:
            out[u.id] = got[u.id]
            spare = [p for p in spare if p not in got[u.id]]
    return out


def crew_left(scenario: Scenario, unit: str, people: Sequence[str]) -> tuple[str, ...] | None:
    """The crew ``people`` still make for ``unit`` by crewing's rules (its mode's size and
    skill: :func:`_match`), or None when they make none — a unit whose freed crew a re-plan
    gives back to the unit they came from keeps the others only when they still crew it."""
    units = {u.id: u for u in scenario.units}
    if unit not in units:
        raise DeployError(f"crew_left: unknown unit {unit!r} (rule: a unit of units.csv)")
    skills, known, sworn = _skills(scenario)
    got = _match([units[unit]], [p for p in people if p in skills],
                 {unit: _needs(units[unit], skills, known, sworn)})
    return got.get(unit)


def _crew_order(units: Sequence[Unit], people: int, *, drones_first: bool = False,
                held: Collection[str] = ()) -> list[Unit]:
    """The order in which a pool's units get their crews from ``people`` on duty: first one
    unit at every home post (so that a short shift still holds each post), then the rest in
    file order, drones last — or, with ``drones_first`` (``[policy.drones] crew_first``),
    the drones right after the posts are held. At a post, the first unit in file order is
    taken unless its crew would leave too few people for the cheapest unit of each post
    still to come — then the first one that does (two people hold two posts on balance
    vehicles rather than one post with a car). Posts ``held`` (by a unit on duty that is
    not among ``units``) need no unit first."""
    ground = [u for u in units if u.mode != "drone"]
    posts: dict[str, list[Unit]] = {}
    for u in ground:
        if u.home_post not in held:
            posts.setdefault(u.home_post, []).append(u)
    cheapest = {p: min(CREW_MIN.get(u.mode, 1) for u in us) for p, us in posts.items()}
    first: list[Unit] = []
    left = people
    todo = list(posts)
    while todo:
        p = todo.pop(0)
        reserve = sum(cheapest[q] for q in todo)
        fits = [u for u in posts[p] if CREW_MIN.get(u.mode, 1) <= left - reserve]
        if not fits:
            fits = [u for u in posts[p] if CREW_MIN.get(u.mode, 1) <= left]
        if fits:
            first.append(fits[0])
            left -= CREW_MIN.get(fits[0].mode, 1)
    taken = {u.id for u in first}
    drones = [u for u in units if u.mode == "drone"]
    rest = [u for u in ground if u.id not in taken]
    return [*first, *drones, *rest] if drones_first else [*first, *rest, *drones]


def _grid_zone(scenario: Scenario) -> dict[str, str | None]:
    zones = scenario.areas_of("zone")
    out: dict[str, str | None] = {}
    for g in scenario.areas_of("grid"):
        z = g.extra.get("zone")
        if z is None:
            c = g.geometry.representative_point()
            hit = [a.id for a in zones if a.geometry.contains(c)]
            z = hit[0] if hit else None
        out[g.id] = None if z is None else str(z)
    return out


def zone_grids(scenario: Scenario, post_grid: Mapping[str, int],
               nearest_grid: Callable[[str], int]) -> dict[str, IntArray]:
    """Unit id -> the grid indices it may patrol: special and armed units every grid; the
    others (precinct, auxiliary …) the grids of the zone holding their home post's grid
    (``post_grid``: post id -> grid index, -1 outside every grid, then ``nearest_grid(post)``).
    A scenario with one zone or none lets every unit go everywhere. The posture keeps every
    unit within these grids, and so do the baselines compared with it."""
    gids = [g.id for g in scenario.areas_of("grid")]
    gz = _grid_zone(scenario)
    by_zone: dict[str | None, list[int]] = {}
    for i, gid in enumerate(gids):
        by_zone.setdefault(gz[gid], []).append(i)
    all_g = np.arange(len(gids), dtype=np.int64)
    out: dict[str, IntArray] = {}
    for u in scenario.units:
        if u.tier in ("special", "armed") or len(by_zone) <= 1 or not gids:
            out[u.id] = all_g
            continue
        home = post_grid.get(u.home_post, -1)
        if home < 0:  # home post outside every grid: the zone of the nearest grid
            home = nearest_grid(u.home_post)
        out[u.id] = np.asarray(by_zone[gz[gids[home]]], dtype=np.int64)
    return out


def _grid_reps(grids: Sequence[Area], xy: FloatArray,
               grid_nodes: Sequence[IntArray]) -> IntArray:
    """Per grid, its node nearest its centroid (of all nodes when it holds none)."""
    rep = np.zeros(len(grids), dtype=np.int64)
    for i, g in enumerate(grids):
        c = g.geometry.centroid
        nodes = grid_nodes[i]
        if nodes.size == 0:
            rep[i] = int(np.argmin(np.hypot(xy[:, 0] - c.x, xy[:, 1] - c.y)))
        else:
            d = np.hypot(xy[nodes, 0] - c.x, xy[nodes, 1] - c.y)
            rep[i] = int(nodes[int(np.argmin(d))])
    return rep


def _grid_nodes(scenario: Scenario, xy: FloatArray, n_grids: int) -> list[IntArray]:
    """The nodes of each grid: a node on a border two grids share in the first listed
    (:meth:`Scenario.area_index`; ``contains`` had left it in neither, unpatrolled)."""
    at = scenario.area_index("grid", xy)
    return [np.flatnonzero(at == g).astype(np.int64) for g in range(n_grids)]


def _post_places(scenario: Scenario, net: RoadNetwork
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """Post id -> the grid index holding it (-1: none), and -> its network node."""
    xy = net.xy
    node_index = {n: i for i, n in enumerate(net.node_ids)}
    post_grid: dict[str, int] = {}
    post_node: dict[str, int] = {}
    at = scenario.area_index("grid", np.array([p.xy for p in scenario.posts], dtype=np.float64))
    for p, gi in zip(scenario.posts, at.tolist(), strict=True):
        post_grid[p.id] = gi
        if p.node is not None and p.node in node_index:
            post_node[p.id] = node_index[p.node]
        else:
            post_node[p.id] = int(np.argmin(np.hypot(xy[:, 0] - p.xy[0], xy[:, 1] - p.xy[1])))
    return post_grid, post_node


def unit_zones(scenario: Scenario, net: RoadNetwork) -> dict[str, IntArray]:
    """:func:`zone_grids` as the posture computes it (a home post outside every grid takes
    the zone of the grid reached soonest by car): what baselines compared with a plan use."""
    grids = scenario.areas_of("grid")
    xy = net.xy
    grid_nodes = _grid_nodes(scenario, xy, len(grids))
    rep = _grid_reps(grids, xy, grid_nodes)
    post_grid, post_node = _post_places(scenario, net)
    return zone_grids(scenario, post_grid, _nearest_by_car(net, post_node, rep))


def _nearest_by_car(net: RoadNetwork, post_node: Mapping[str, int], rep: IntArray
                    ) -> Callable[[str], int]:
    def nearest(post: str) -> int:
        t = travel_times(net, [post_node[post]], rep, mode="car")[0]
        return int(np.argmin(t)) if np.isfinite(t).any() else 0
    return nearest


def prepare(scenario: Scenario, net: RoadNetwork, slots: Sequence[Slot], *,
            risk: FloatArray | None = None, risk_grids: Sequence[str] | None = None,
            on_duty_people: Sequence[Sequence[str]] | None = None,
            rostered: Sequence[str] = (), pins: Sequence[Pin] = (),
            options: Options | None = None, crews: Crewing | None = None) -> Inputs:
    """Prepare the posture inputs. ``risk`` is (grids, slots) in the order of ``risk_grids``
    (default the scenario's grids); without it every grid weighs the same. The units' crews
    are :func:`crewing` of ``on_duty_people`` and ``rostered``, or ``crews`` where the caller
    has worked them out already (the plan's checkpoint stage needs them first), for these
    slots; not both."""
    opts = options or Options()
    grids = scenario.areas_of("grid")  # none: every unit on duty holds its home post
    gids = tuple(g.id for g in grids)
    slots_t = tuple(slots)
    n_g, n_t = len(gids), len(slots_t)
    if crews is not None and (on_duty_people is not None or len(rostered)):
        raise DeployError("crews: give the crews or the people on duty and rostered they are "
                          "worked out from, not both")
    if crews is not None and len(crews.on_duty) != n_t:
        raise DeployError(f"crews: {len(crews.on_duty)} slot(s) of units on duty for {n_t} "
                          "slot(s) (rule: the crews of these slots)")
    if risk is None:
        r = np.ones((n_g, n_t))
    else:
        arr = np.asarray(risk, dtype=np.float64)
        order = list(risk_grids) if risk_grids is not None else list(gids)
        if arr.shape != (len(order), n_t):
            raise DeployError(f"risk must have shape (grids, slots) = ({len(order)}, {n_t}); "
                              f"got {arr.shape}")
        if not np.all(np.isfinite(arr)) or (arr < 0).any():
            raise DeployError("risk must be finite and >= 0")
        pos = {g: i for i, g in enumerate(order)}
        missing = [g for g in gids if g not in pos]
        if missing:
            raise DeployError(f"risk has no row for grids {missing[:5]}")
        r = arr[[pos[g] for g in gids]]
    xy = net.xy
    grid_nodes = tuple(_grid_nodes(scenario, xy, len(grids)))
    rep = _grid_reps(grids, xy, grid_nodes)

    post_grid, post_node = _post_places(scenario, net)
    # travel minutes between grid representatives, per distinct hour of the slots
    minutes: dict[int, FloatArray] = {}
    by_factors: dict[tuple[int, ...], FloatArray] = {}  # hours with the same speeds share
    for h in sorted({s.start.hour for s in slots_t}):
        key = tuple(i for i, pf in enumerate(scenario.policy.peak_factors)
                    if h in pf.hours and "car" in pf.modes)
        if key not in by_factors:
            by_factors[key] = (travel_times(net, rep, rep, mode="car", hour=h) if n_g
                               else np.zeros((0, 0)))
        minutes[h] = by_factors[key]
    allowed = zone_grids(scenario, post_grid, _nearest_by_car(net, post_node, rep))
    # key sites: visits needed, tier windows, crowds
    pol = scenario.policy
    site_need = np.zeros(n_g)
    windows: dict[int, set[int]] = {}
    tier1: set[int] = set()
    crowd: list[tuple[int, int, str]] = []
    target = np.full(n_g, float(pol.response_targets.get(3, 5.0)))
    site_grid = scenario.area_index(
        "grid", np.array([s.xy for s in scenario.sites], dtype=np.float64))
    for site, gi in zip(scenario.sites, site_grid.tolist(), strict=True):
        if gi < 0:
            continue
        revisit = float(pol.revisit_minutes.get(site.tier, max(pol.revisit_minutes.values())))
        minutes_slot = slots_t[0].minutes if slots_t else 60
        site_need[gi] += minutes_slot / max(revisit, 1.0)
        # presence in every window of w slots: a visit early in one slot and late in the
        # slot w later are w + 1 slots apart, so w = revisit // slot - 1 keeps the interval
        w = max(1, int(revisit // minutes_slot) - 1)
        windows.setdefault(w, set()).add(gi)
        if site.tier == 1:
            tier1.add(gi)
        target[gi] = min(target[gi], float(pol.response_targets.get(site.tier, target[gi])))
        hours = CROWD_HOURS.get(site.kind, ())
        for s in slots_t:
            if any(h in hours for h in s.clock_hours):  # a 2-hour slot's second hour too
                crowd.append((s.index, gi, site.id))
    # mandatory lines: a grid holding a piece of one is patrolled at the line's frequency,
    # tier-1 sites or not (an edge is the grid's of its tail, else of its head, as
    # routes._items cuts lines into pieces)
    line_windows: dict[int, set[int]] = {}
    if opts.line_presence and scenario.lines and n_g:
        minutes_slot = slots_t[0].minutes if slots_t else 60
        node_grid = grid_of_nodes(scenario, net.xy)  # the routes' own map of nodes
        for pline in scenario.lines:
            every = float(pline.every_minutes if pline.every_minutes is not None
                          else pol.line_every_minutes)
            w = max(1, int(every // minutes_slot) - 1)
            idx = network.index_of(net, pline.nodes)
            for a, b in itertools.pairwise(idx):
                g = int(node_grid[a]) if node_grid[a] >= 0 else int(node_grid[b])
                if g >= 0:
                    line_windows.setdefault(w, set()).add(g)
    if crews is None:
        crews = crewing(scenario, slots_t, on_duty_people, rostered)
    check_pins(pins, scenario, slots_t, gids)
    record = record_counts = None
    # each slot's hours of the week: every clock hour it overlaps (a 2-hour slot's second
    # hour too), weighed by the share of it the slot holds (as the checkpoint game and the
    # simulator's KPIs weigh them); the counts the note cites are those hours' incidents
    week_hours = [[(s.start.weekday() * 24 + h, x) for h, x in s.hour_shares]
                  for s in slots_t]
    counted, weeks = (weekly_counts(scenario, 60, slots_t[0].start)
                      if len(scenario.incidents) and n_g and slots_t else (None, 1.0))
    if counted is not None and counted.sum() > 0:
        # the KPIs' yardstick: recorded before the plan, per hour of week; none where no
        # incident before the plan lies in a grid (a review: a record 20 km off, in the
        # wrong CRS, weighed every grid at 1e-14 and moved units, while the plan said every
        # grid weighed the same)
        per_hour = weights_of(counted, weeks)
        record = np.stack([sum(x * per_hour[:, c] for c, x in hs) for hs in week_hours],
                          axis=1)
        record_counts = np.stack([counted[:, [c for c, _x in hs]].sum(axis=1)
                                  for hs in week_hours], axis=1)
    return Inputs(
        scenario=scenario, slots=slots_t, grids=gids, grid_nodes=grid_nodes, rep=rep, risk=r,
        post_grid=post_grid, post_node=post_node, allowed=allowed, site_need=site_need,
        tier_window={w: tuple(sorted(g)) for w, g in windows.items()},
        line_window={w: tuple(sorted(g)) for w, g in line_windows.items()},
        tier1_grids=tuple(sorted(tier1)), crowd=tuple(crowd), minutes=minutes, target=target,
        on_duty=crews.on_duty, crew=crews.crew, rostered_units=crews.rostered_units,
        off_reason=crews.off_reason, unnamed_crews=crews.unnamed,
        sworn=crews.sworn,
        pins=tuple(pins),
        options=opts, net=net, record=record, forecast=risk is not None,
        record_counts=record_counts)
