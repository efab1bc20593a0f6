"""The plan (方案): for every unit and time slot, where it is and what it does.

A :class:`Plan` is the one value every planning stage refines and the simulator measures.
It records the seed and the hash of the inputs it came from, so a plan can be reproduced and
checked against the scenario it claims to belong to.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal, cast

from xunfang._errors import XunfangError
from xunfang.scenario.model import Scenario

Duty = Literal["post", "grid", "route", "checkpoint", "drone", "video", "off"]
DUTIES: tuple[Duty, ...] = ("post", "grid", "route", "checkpoint", "drone", "video", "off")
#: Where each duty is: ``drone`` sorties fly over a grid or a route, or wait at a post;
#: ``video`` patrol watches from a (camera or command) post or over a grid.
PLACES: Mapping[str, tuple[str, ...]] = {
    "post": ("post",), "checkpoint": ("post",), "grid": ("grid",), "route": ("route",),
    "drone": ("post", "grid", "route"), "video": ("post", "grid"),
}


class PlanError(XunfangError, ValueError):
    """A plan is inconsistent with itself or with its scenario."""


@dataclass(frozen=True)
class Slot:
    """A planning time slot: ``start`` (naive local time) and its length in minutes."""

    index: int
    start: datetime
    minutes: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def clock_hours(self) -> tuple[int, ...]:
        """The clock hours the slot overlaps (a 2-hour slot from 06:00: 6 and 7; a half-hour
        slot from 06:30: 6)."""
        return tuple(h for h, _share in self.hour_shares)

    @property
    def hour_starts(self) -> tuple[int, ...]:
        """The clock hours whose start (HH:00) falls within the slot (a 2-hour slot from
        06:00: 6 and 7; a half-hour slot from 06:30: none): where a shift that starts on the
        hour hands over."""
        return tuple(h for h in self.clock_hours
                     if h != self.start.hour or self.start.minute == 0)

    @property
    def hour_shares(self) -> tuple[tuple[int, float], ...]:
        """Each clock hour the slot overlaps with the share of that hour it holds (a 2-hour
        slot from 06:00: (6, 1), (7, 1); a half-hour slot from 06:30: (6, 0.5); 90 minutes
        from 01:30: (1, 0.5), (2, 1)): what an hourly count is weighed by in the slot."""
        out: list[tuple[int, float]] = []
        t = self.start.replace(minute=0, second=0, microsecond=0)
        while t < self.end:
            nxt = t + timedelta(hours=1)
            held = min(nxt, self.end) - max(t, self.start)
            out.append((t.hour, held / timedelta(hours=1)))
            t = nxt
        return tuple(out)

    @property
    def name(self) -> str:
        """The slot's ISO start time, the name used in JSON output."""
        return self.start.isoformat(timespec="minutes")


def handovers(slots: Sequence[Slot], shift_starts: Iterable[int]) -> tuple[bool, ...]:
    """Per slot whether a shift starting on the hour (``policy.shift_starts``) hands over
    within it (:attr:`Slot.hour_starts`): the posture's handover cover and the checkpoint
    teams' fresh start (a 2-hour slot from 06:00 holds a 07:00 handover; a half-hour slot
    from 07:30 none)."""
    starts = set(shift_starts)
    return tuple(any(h in starts for h in s.hour_starts) for s in slots)


def index_runs(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Slot indices as runs of consecutive ones, each (first, last), in order, repeats
    counted once: ``[0, 1, 2, 5]`` -> ``[(0, 2), (5, 5)]`` (the drones' and the checkpoint
    game's reasons and the report say slots as runs, not one by one)."""
    runs: list[tuple[int, int]] = []
    for k in sorted(set(indices)):
        if runs and k == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], k)
        else:
            runs.append((k, k))
    return runs


def make_slots(start: date, *, days: int, slot_minutes: int) -> tuple[Slot, ...]:
    """The slots covering ``days`` days from midnight of ``start``."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if slot_minutes < 1 or (24 * 60) % slot_minutes:
        raise ValueError(f"slot_minutes must divide a day (1440 minutes), got {slot_minutes}")
    t0 = datetime.combine(start, time())
    n = days * 24 * 60 // slot_minutes
    return tuple(
        Slot(index=i, start=t0 + timedelta(minutes=i * slot_minutes), minutes=slot_minutes)
        for i in range(n)
    )


#: The note of a unit taken out of service in a re-plan (its duty ``off``).
OUT_OF_SERVICE = "out of service"


@dataclass(frozen=True)
class Assignment:
    """Where one unit is in one slot. Exactly one of post, grid or route says where."""

    unit: str
    slot: int
    duty: Duty
    post: str | None = None
    grid: str | None = None
    route: tuple[str, ...] = ()  # node ids, in order
    note: str = ""
    crew: tuple[str, ...] = ()  # the people on board (person ids), when rostered
    # minutes to stop at each node of ``route`` (a 10-15 min stop at a key site, 0 driving
    # past); empty: the simulator's default stop at every node
    stops: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.stops:
            if len(self.stops) != len(self.route):
                raise PlanError(f"unit {self.unit!r} slot {self.slot}: {len(self.stops)} "
                                f"stops for a route of {len(self.route)} nodes; give one per "
                                "node or none")
            bad = [m for m in self.stops if not (math.isfinite(m) and m >= 0)]
            if bad:
                raise PlanError(f"unit {self.unit!r} slot {self.slot}: stops must be minutes "
                                f">= 0; got {bad[0]!r}")
        where = {"post": self.post is not None, "grid": self.grid is not None,
                 "route": bool(self.route)}
        given = [k for k, v in where.items() if v]
        if self.duty == "off":
            if given:
                raise PlanError(f"unit {self.unit!r} slot {self.slot}: an 'off' duty has no "
                                f"place, got {', '.join(given)}")
        elif len(given) != 1 or given[0] not in PLACES[self.duty]:
            raise PlanError(f"unit {self.unit!r} slot {self.slot}: duty {self.duty!r} needs "
                            f"exactly a {' or a '.join(PLACES[self.duty])}, got "
                            f"{', '.join(given) or 'none'}")

    @property
    def out_of_service(self) -> bool:
        """Whether a re-plan took the unit out of service in this slot (off, with that note;
        off for any other reason — no crew, its hours — is not)."""
        return self.duty == "off" and self.note == OUT_OF_SERVICE

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"unit": self.unit, "slot": self.slot, "duty": self.duty}
        if self.post is not None:
            out["post"] = self.post
        if self.grid is not None:
            out["grid"] = self.grid
        if self.route:
            out["route"] = list(self.route)
        if self.stops:
            out["stops"] = [round(m, 3) for m in self.stops]
        if self.note:
            out["note"] = self.note
        if self.crew:
            out["crew"] = list(self.crew)
        return out


@dataclass(frozen=True)
class DroneSortie:
    """One planned drone flight: the drone ``unit`` launches from ``post`` at ``start`` and
    lands at ``end`` (minutes from the plan's first slot), flying over ``grids`` in order along
    ``waypoints`` (planar metres of the scenario's working CRS: post, grids, post)."""

    unit: str
    post: str
    start: float
    end: float
    grids: tuple[str, ...] = ()
    waypoints: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        what = f"drone sortie of {self.unit!r} at minute {self.start:g}"
        if not (math.isfinite(self.start) and math.isfinite(self.end)
                and 0 <= self.start < self.end):
            raise PlanError(f"{what}: needs 0 <= start < end (finite minutes); got start "
                            f"{self.start!r}, end {self.end!r}")
        if not self.waypoints:
            raise PlanError(f"{what}: needs at least one waypoint (x, y)")
        if any(len(w) != 2 or not all(math.isfinite(c) for c in w) for w in self.waypoints):
            raise PlanError(f"{what}: waypoints must be finite (x, y) pairs")

    @property
    def minutes(self) -> float:
        return self.end - self.start

    def as_dict(self) -> dict[str, object]:
        return {"unit": self.unit, "post": self.post, "start": self.start, "end": self.end,
                "grids": list(self.grids),
                "waypoints": [[float(x), float(y)] for x, y in self.waypoints]}


@dataclass(frozen=True)
class CameraView:
    """The video desk's ``operator`` (0, 1, ...) watching ``camera`` (a post of kind camera)
    for ``minutes`` from ``start`` (minutes from the plan's first slot)."""

    operator: int
    camera: str
    start: float
    minutes: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and self.start >= 0 and math.isfinite(self.minutes)
                and self.minutes > 0):
            raise PlanError(f"camera view of {self.camera!r} by operator {self.operator}: "
                            f"needs start >= 0 and minutes > 0; got start {self.start!r}, "
                            f"minutes {self.minutes!r}")

    @property
    def end(self) -> float:
        return self.start + self.minutes

    def as_dict(self) -> dict[str, object]:
        return {"operator": self.operator, "camera": self.camera, "start": self.start,
                "minutes": self.minutes}


@dataclass(frozen=True)
class Plan:
    """Every unit's duty in every slot, with the provenance of the plan.

    ``drone_sorties`` and ``camera_views`` are the air and video layers when the drone and
    video stages ran (empty otherwise): the flights the drones make (their slots' assignments
    say ``drone`` with a note) and the cameras the video desk watches, both in minutes from
    the first slot. The simulator flies the one and watches through the other.
    """

    scenario: str
    inputs_hash: str
    seed: int
    version: str
    slots: tuple[Slot, ...]
    units: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    stages: tuple[str, ...] = ()  # the planning stages that produced it, in order
    drone_sorties: tuple[DroneSortie, ...] = ()
    camera_views: tuple[CameraView, ...] = ()
    _index: Mapping[tuple[str, int], int] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[tuple[str, int], int] = {}
        for i, a in enumerate(self.assignments):
            key = (a.unit, a.slot)
            if key in index:
                raise PlanError(f"unit {a.unit!r} has two assignments in slot {a.slot}")
            index[key] = i
        missing = [
            (u, s.index) for u in self.units for s in self.slots if (u, s.index) not in index
        ]
        if missing:
            u, s = missing[0]
            raise PlanError(
                f"every unit needs an assignment in every slot: {len(missing)} missing, "
                f"first unit {u!r} slot {s}"
            )
        if len(index) != len(self.units) * len(self.slots):
            raise PlanError("assignments name units or slots the plan does not have")
        object.__setattr__(self, "_index", index)
        end = sum(s.minutes for s in self.slots)
        last: dict[str, DroneSortie] = {}
        for x in sorted(self.drone_sorties, key=lambda x: (x.unit, x.start)):
            if x.start >= end:
                raise PlanError(f"drone sortie of {x.unit!r} starts at minute {x.start:g}, "
                                f"after the plan's {end} minutes")
            prev = last.get(x.unit)
            if prev is not None and x.start < prev.end:
                raise PlanError(f"drone {x.unit!r} has overlapping sorties: minutes "
                                f"{prev.start:g}-{prev.end:g} and {x.start:g}-{x.end:g}")
            last[x.unit] = x
        for v in self.camera_views:
            if v.start >= end:
                raise PlanError(f"camera view of {v.camera!r} starts at minute {v.start:g}, "
                                f"after the plan's {end} minutes")

    def at(self, unit: str, slot: int) -> Assignment:
        return self.assignments[self._index[(unit, slot)]]

    def of_unit(self, unit: str) -> tuple[Assignment, ...]:
        return tuple(self.at(unit, s.index) for s in self.slots)

    def check(self, scenario: Scenario) -> list[str]:
        """Every way the plan disagrees with ``scenario`` (empty when it fits)."""
        problems: list[str] = []
        posts = {p.id for p in scenario.posts}
        grids = {a.id for a in scenario.areas if a.kind == "grid"}
        units = {u.id for u in scenario.units}
        nodes = set(scenario.roads.node_ids)
        for u in self.units:
            if u not in units:
                problems.append(f"plan unit {u!r} is not in the scenario")
        for a in self.assignments:
            if a.post is not None and a.post not in posts:
                problems.append(f"unit {a.unit!r} slot {a.slot}: unknown post {a.post!r}")
            if a.grid is not None and a.grid not in grids:
                problems.append(f"unit {a.unit!r} slot {a.slot}: unknown grid {a.grid!r}")
            bad = [n for n in a.route if n not in nodes]
            if bad:
                problems.append(f"unit {a.unit!r} slot {a.slot}: unknown route nodes {bad[:3]}")
        mode = {u.id: u.mode for u in scenario.units}
        for x in self.drone_sorties:
            what = f"drone sortie of {x.unit!r} at minute {x.start:g}"
            if x.unit not in mode:
                problems.append(f"{what}: unit {x.unit!r} is not in the scenario")
            elif mode[x.unit] != "drone":
                problems.append(f"{what}: unit {x.unit!r} is a {mode[x.unit]} unit; only "
                                "units of mode 'drone' fly sorties")
            elif x.unit not in self.units:
                problems.append(f"{what}: unit {x.unit!r} is not among the plan's units")
            if x.post not in posts:
                problems.append(f"{what}: unknown post {x.post!r}")
            bad_g = [g for g in x.grids if g not in grids]
            if bad_g:
                problems.append(f"{what}: unknown grids {bad_g[:3]}")
        cameras = {p.id for p in scenario.posts if p.kind == "camera"}
        for cam in sorted({v.camera for v in self.camera_views} - cameras):
            kind = next((p.kind for p in scenario.posts if p.id == cam), None)
            problems.append(f"camera view of {cam!r}: " + (
                f"post {cam!r} is a {kind} post, not a camera" if kind is not None
                else f"unknown camera {cam!r} (cameras are posts of kind 'camera')"))
        return problems

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "inputs_hash": self.inputs_hash,
            "seed": self.seed,
            "version": self.version,
            "stages": list(self.stages),
            "slots": [
                {"index": s.index, "start": s.name, "minutes": s.minutes} for s in self.slots
            ],
            "units": list(self.units),
            "assignments": [a.as_dict() for a in self.assignments],
        } | ({"drone_sorties": [x.as_dict() for x in self.drone_sorties]}
             if self.drone_sorties else {}) | (
            {"camera_views": [v.as_dict() for v in self.camera_views]}
            if self.camera_views else {})

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Plan:
        """The inverse of :meth:`as_dict` (reads the ``plan`` object of plan.json)."""
        try:
            slots = tuple(
                Slot(
                    index=_int(s["index"]),
                    start=datetime.fromisoformat(str(s["start"])),
                    minutes=_int(s["minutes"]),
                )
                for s in cast(Sequence[Mapping[str, object]], data["slots"])
            )
            assignments = tuple(
                Assignment(
                    unit=str(a["unit"]),
                    slot=_int(a["slot"]),
                    duty=_duty(a["duty"]),
                    post=None if a.get("post") is None else str(a["post"]),
                    grid=None if a.get("grid") is None else str(a["grid"]),
                    route=tuple(str(n) for n in cast(Iterable[object], a.get("route", ()))),
                    stops=tuple(float(cast(float, m))
                                for m in cast(Iterable[object], a.get("stops", ()))),
                    note=str(a.get("note", "")),
                    crew=tuple(str(c) for c in cast(Iterable[object], a.get("crew", ()))),
                )
                for a in cast(Sequence[Mapping[str, object]], data["assignments"])
            )
            return cls(
                scenario=str(data["scenario"]),
                inputs_hash=str(data["inputs_hash"]),
                seed=_int(data["seed"]),
                version=str(data["version"]),
                slots=slots,
                units=tuple(str(u) for u in cast(Iterable[object], data["units"])),
                assignments=assignments,
                stages=tuple(str(s) for s in cast(Iterable[object], data.get("stages", ()))),
                drone_sorties=tuple(
                    DroneSortie(
                        unit=str(x["unit"]), post=str(x["post"]),
                        start=_float(x["start"]), end=_float(x["end"]),
                        grids=tuple(str(g) for g in cast(Iterable[object], x.get("grids", ()))),
                        waypoints=tuple(
                            _xy(w) for w in cast(Iterable[object], x.get("waypoints", ()))))
                    for x in cast(Sequence[Mapping[str, object]],
                                  data.get("drone_sorties", ()))),
                camera_views=tuple(
                    CameraView(operator=_int(v["operator"]), camera=str(v["camera"]),
                               start=_float(v["start"]), minutes=_float(v["minutes"]))
                    for v in cast(Sequence[Mapping[str, object]],
                                  data.get("camera_views", ()))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, PlanError):
                raise
            raise PlanError(f"not a plan: {exc!r}") from exc


def _duty(value: object) -> Duty:
    if not isinstance(value, str) or value not in DUTIES:
        raise PlanError(f"unknown duty {value!r}; use one of {', '.join(DUTIES)}")
    return value  # narrowed to Duty by the membership test


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PlanError(f"expected a number, got {value!r}")
    return float(value)


def _xy(value: object) -> tuple[float, float]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise PlanError(f"expected a waypoint [x, y], got {value!r}")
    return (_float(value[0]), _float(value[1]))


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PlanError(f"expected a whole number, got {value!r}")
    return int(value)


def tomorrow(tz: str) -> date:
    """Tomorrow in the jurisdiction's time zone, the default first day of a plan: a planner in
    Beijing at 01:00 plans the day after today there, whatever zone the server's clock is
    set to."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
