"""The intelligence stage of ``xunfang plan``: risk per prevention grid and planning slot.

The deployment stage reads the table from plan.json (``stages.intel``); the report draws a heat
map per slot and lists the hot grids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from xunfang.intel.check import Check, Unchecked, check_holidays, check_made, yardstick
from xunfang.intel.forecast import Forecast, forecast, hottest_first, per_slot, record_end
from xunfang.intel.ingest import IncidentTable
from xunfang.intel.methods import (
    EventSet,
    Method,
    MethodError,
    horizon_holidays,
    make_method,
    method_names,
)
from xunfang.intel.units import Slots, scenario_grids
from xunfang.plan import Slot
from xunfang.scenario.model import Scenario
from xunfang.scenario.record import outside_hint

FloatArray = npt.NDArray[np.float64]


FEW_INCIDENTS = 50  # a forecast from fewer is said to be a guess


@dataclass(frozen=True)
class RiskTable:
    """Expected incidents per grid (rows) and planning slot (columns)."""

    method: str
    chosen: str | None  # the method ``auto`` picked
    grids: tuple[str, ...]
    slots: tuple[str, ...]  # ISO start of each slot
    risk: FloatArray  # (grids, slots)
    trained_from: date
    trained_to: date  # exclusive
    as_of: date | None  # set where the history ends before the plan starts
    incidents_in_window: int
    # the forecast's own account: auto's validation, etas's fit, a window the record cuts short
    details: dict[str, Any] = field(default_factory=dict)
    # how the method did over the record's last weeks, or why it could not be checked
    check: Check | Unchecked | None = None
    # the whole record's incidents, and how many of them lie outside every grid: those are
    # not forecast (a GCJ-02 record read as WGS 84 lies some 500 m off; a review's county
    # had 16 % of its record outside the grids, and the plan said nothing of it)
    incidents: int = 0
    outside_grids: int = 0
    # each grid's area in m² where the grids differ in size (None where they are all alike,
    # or not known): :meth:`hot` ranks them per km², as /api/risk, ``xunfang intel forecast``
    # and the evaluation do (a review: the report ranked by expected incidents, beside them)
    sizes: FloatArray | None = None

    def few(self) -> bool:
        """True for a forecast from fewer than :data:`FEW_INCIDENTS` incidents: the plan and
        its report say it is little more than a guess."""
        return self.incidents_in_window < FEW_INCIDENTS

    def outside_share(self) -> float:
        """The share of the record's incidents outside every grid (0 for no record)."""
        return self.outside_grids / self.incidents if self.incidents else 0.0

    def hot(self, top: int = 5) -> list[tuple[str, float]]:
        """The ``top`` hottest grids with their expected incidents: per km² where the grids
        differ in size (:meth:`per_km2`), ties by grid order — :meth:`Forecast.hot_order`'s
        rule (:func:`~xunfang.intel.forecast.hottest_first`), which /api/risk, ``xunfang
        intel forecast`` and the forecast's check rank by (the evaluation's hit rate and PAI
        count the hottest places' area, so a big grid does not lead by its size)."""
        total = self.risk.sum(axis=1)
        dense = self.per_km2()
        order = hottest_first(total if dense is None else dense)[:top]
        return [(self.grids[i], float(total[i])) for i in order]

    def per_km2(self) -> FloatArray | None:
        """Each grid's expected incidents over the plan per km², where the grids differ in
        size (:attr:`sizes`); None where they rank by expected incidents."""
        if self.sizes is None:
            return None
        return np.asarray(self.risk.sum(axis=1) / self.sizes * 1e6, dtype=np.float64)

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "chosen": self.chosen,
            "unit": "grid",
            "grids": list(self.grids),
            "slots": list(self.slots),
            "risk": [[round(float(v), 5) for v in row] for row in self.risk],
            "expected_total": round(float(self.risk.sum()), 3),
            "hot": self._hot_json(),
            "hot_ranked_by": "expected" if self.sizes is None else "per_km2",
            "trained_from": self.trained_from.isoformat(),
            # the first day not trained on, as ``xunfang intel forecast --json``'s, its
            # GeoJSON's and /api/risk's (Forecast.as_json)
            "trained_to": self.trained_to.isoformat(),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "incidents_in_window": self.incidents_in_window,
            "incidents": self.incidents,
            "incidents_outside_grids": self.outside_grids,
            "details": {k: v for k, v in self.details.items() if k not in ("as_of", "chosen")},
            "check": self.check.as_json() if self.check is not None else None,
        }

    def _hot_json(self) -> list[dict[str, Any]]:
        dense = self.per_km2()
        out = []
        for g, v in self.hot():
            row: dict[str, Any] = {"grid": g, "expected": round(v, 3)}
            if dense is not None:
                row["per_km2"] = round(float(dense[self.grids.index(g)]), 3)
            out.append(row)
        return out


def grid_sizes(scenario: Scenario, grids: Sequence[str]) -> FloatArray | None:
    """The area in m² of each of ``grids`` (ids) of the scenario, where they differ in size
    (:attr:`RiskTable.sizes`); None where they are all alike or one is not the scenario's."""
    units = scenario_grids(scenario)
    at = {g: i for i, g in enumerate(units.ids)}
    if units.equal_size or any(g not in at for g in grids):
        return None
    return np.asarray(units.size[[at[g] for g in grids]], dtype=np.float64)


def hours_note(details: dict[str, Any]) -> tuple[str, str] | None:
    """What the forecast's ``details["hours"]`` says of the record's times of day, for a
    text in another language: ``("dates", "")`` for dates without times of day (each day's
    risk even over its hours), ``("midnight", "40%")`` for a heap of incidents at 00:00 taken
    as times not known; None where it says nothing. The words are
    :func:`xunfang.intel.forecast.forecast`'s."""
    text = str(details.get("hours", ""))
    if not text:
        return None
    if "dates without times of day" in text:
        return ("dates", "")
    return ("midnight", text.split(" ", 1)[0])


@dataclass(frozen=True)
class GridForecast:
    """A forecast of the scenario's grids, with the incidents it was made from."""

    forecast: Forecast
    events: EventSet
    added: int  # how many of ``more`` were new (and of the risk_categories)
    origin: date  # the day it is made as of: the record's end, or the first day
    # scenario.toml's risk_categories of which no incident came before the first day: they
    # count zero (the loader checked each against the whole record)
    absent: tuple[str, ...] = ()
    # of the ``added``, those the training window leaves out: on or after the day it is made
    # as of (a record's end, :func:`record_end`, that they are too few to move), and before
    # its first day. A review: 60 imported of November 2026 were said "stored: 60" while the
    # forecast was made as of the record's end, 2026-01-01, without them
    after_end: int = 0
    before_window: int = 0

    @property
    def used(self) -> int:
        """How many of ``more`` the forecast learnt from: new, of the risk_categories, in
        its training window."""
        return self.added - self.after_end - self.before_window


class NothingToForecast(MethodError):
    """A forecast with nothing to learn from, which the plan goes on without and says why.
    ``fields`` are what the message says, for a report that words it in its own language (a
    review: the Chinese report quoted the English sentence); ``reason`` is the key plan.json's
    skipped stage carries."""

    reason = ""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class NoGridIncidents(NothingToForecast):
    """No incident in any prevention grid: the record lies elsewhere (x/y in another CRS
    than scenario.toml's, lon/lat in another datum). ``fields``: the count, the record's
    coords, its datum, the crs."""

    reason = "outside"


class NoCategoryIncidents(NothingToForecast):
    """None of the incidents the forecast may learn from (those before the plan's first day)
    is of scenario.toml's ``risk_categories``: the loader found each in the whole record, so
    they all come later (a review: one 电诈 of December 2025 stopped a plan from June 2025
    with rc=1 and no plan). ``fields``: the count, the day, the categories."""

    reason = "categories"


def _outside_fields(scenario: Scenario, n: int) -> dict[str, str]:
    """What :func:`_outside_advice` says, as fields: the count, the record's coords (lonlat
    or xy), the datum scenario.toml names for lon/lat and its working CRS."""
    return {"n": f"{n:,}", "coords": "lonlat" if scenario.incident_coords == "lonlat" else "xy",
            "datum": str(scenario.crs.lonlat_datum), "crs": str(scenario.crs.working)}


def _outside_advice(scenario: Scenario, n: int) -> str:
    """Why none of the record's ``n`` incidents lies in a grid, and what to check: the
    words `xunfang scenario check` warns with."""
    hint = outside_hint(scenario.incident_coords == "lonlat", str(scenario.crs.lonlat_datum),
                        str(scenario.crs.working))
    return (f"none of the {n:,} incidents of incidents.csv lies in a prevention grid; {hint}")


def grid_forecast(scenario: Scenario, *, start: date, days: int = 1, method: str = "auto",
                  slots: Slots | None = None, train_days: int = 365, seed: int = 0,
                  more: tuple[Sequence[str], npt.NDArray[np.datetime64], FloatArray] | None
                  = None, more_categories: Sequence[str] | None = None) -> GridForecast:
    """The forecast of the scenario's prevention grids from its incident record and ``more``
    incidents (ids, local times, working-CRS points: a command centre's imported and
    reported ones; those whose id the record holds already are not counted twice), as
    ``xunfang intel forecast SCENARIO`` and the plan make it: a record that stops short of
    ``start`` is forecast as of its end, slots on the scenario's wall clock. Only the
    incidents of scenario.toml's ``risk_categories`` count (all where it names none), of
    ``more`` too: ``more_categories`` are their categories, and without them a scenario
    that names categories is refused (a review: the centre's 3,902 stored incidents of other
    categories raised /api/risk's expected total from 2.74 to 6.88). gbm's public holidays
    are its ``country``'s and those scenario.toml declares (:func:`declared_holidays`).
    ``more`` count in the record's end as its own incidents do: enough of them after a gap
    move it, a few do not (a month's partial import read as the newest record made the
    county's 6.88 expected a day 1.05, all of it in the imports' grid), and the result says
    how many the window leaves out (:attr:`GridForecast.after_end`)."""
    from xunfang.intel.sources import category_mask

    table = IncidentTable.from_scenario(scenario.incidents, scenario.crs.working,
                                        tz=scenario.timezone)
    # every id of the record, whatever its category: a stored copy of one of another
    # category is the record's incident all the same, not a new one
    record_ids = np.asarray(table.ids, dtype=str)
    # the record's incidents before the first day, of every category: with none of the
    # risk_categories among them the forecast has nothing to learn from, and says which it
    # counted (a review: /api/risk said "the training window holds no incident" of a record
    # with 4,460 before it, none 电诈)
    earlier = int((table.time.astype("datetime64[m]") < np.datetime64(start, "m")).sum())
    absent: tuple[str, ...] = ()
    if scenario.risk_categories:
        keep, missing = category_mask(table.category, scenario.risk_categories)
        table = table.take(np.flatnonzero(keep))
        absent = tuple(missing)
    time_, xy = table.time.astype("datetime64[m]"), table.xy
    added = 0
    added_t = np.zeros(0, dtype="datetime64[m]")
    if more is not None and len(more[0]):
        ids, t, pts = more
        # as text, not objects: numpy compares object arrays one pair at a time (11 s for
        # 200,000 stored against the county's 6,325)
        new = ~np.isin(np.asarray(ids, dtype=str), record_ids)
        if scenario.risk_categories:
            if more_categories is None or len(more_categories) != len(ids):
                raise MethodError(
                    f"scenario {scenario.name}: scenario.toml risk_categories counts only "
                    f"{', '.join(c.strip() for c in scenario.risk_categories)}, but the "
                    f"{len(ids):,} incidents added to the record come without their "
                    "categories: they cannot be counted by them")
            of, missing = category_mask(more_categories, scenario.risk_categories)
            new &= of
            absent = tuple(a for a in absent if a in missing)
        added = int(new.sum())
        added_t = np.asarray(t).astype("datetime64[m]")[new]
        time_ = np.concatenate([time_, added_t])
        xy = np.vstack([xy, np.asarray(pts, dtype=float).reshape(-1, 2)[new]])
    if scenario.risk_categories and earlier and not (time_ < np.datetime64(start, "m")).any():
        cats = ", ".join(c.strip() for c in scenario.risk_categories)
        raise NoCategoryIncidents(
            f"none of the {earlier:,} incidents of incidents.csv before {start} is of "
            f"scenario.toml risk_categories ({cats}): the record holds them from that day on "
            "only", {"n": f"{earlier:,}", "day": start.isoformat(), "categories": cats})
    if not len(time_):
        raise MethodError(f"scenario {scenario.name}: no incident record to forecast from")
    events = EventSet.build(scenario_grids(scenario), time_, xy)
    as_of = record_end(time_, start)
    try:
        # the holidays of the window and the horizon: a method without a calendar of its own
        # forecasts a holiday at the window's holidays' level over their weekdays'
        hol = horizon_holidays(scenario.country, declared_holidays(scenario), start=start,
                               days=days, train_days=train_days, as_of=as_of)
        fc = forecast(events, scenario_method(scenario, method, seed), start=start, days=days,
                      train_days=train_days, slots=slots, as_of=as_of, tz=scenario.timezone,
                      holidays=hol)
    except MethodError as exc:
        if len(events.unit) and not (events.unit >= 0).any():
            raise NoGridIncidents(_outside_advice(scenario, len(events.unit)),
                                  _outside_fields(scenario, len(events.unit))) from exc
        raise
    # counted once the window is settled: as_of is the whole record's end, stored ones too
    after_end = int((added_t >= np.datetime64(fc.trained_to, "m")).sum())
    before_window = int((added_t < np.datetime64(fc.trained_from, "m")).sum())
    return GridForecast(fc, events, added, as_of or start, absent, after_end, before_window)


def scenario_method(scenario: Scenario, method: str, seed: int) -> Method:
    """The method of that name with the scenario's public holidays: its ``country``'s
    calendar and those it declares."""
    return make_method(method, country=scenario.country, seed=seed,
                       holidays=declared_holidays(scenario))


def declared_holidays(scenario: Scenario) -> frozenset[date]:
    """The holidays scenario.toml declares (``[[policy.holidays]]``, less their make-up
    working days), which gbm counts beside its country's calendar, as the roster does."""
    return frozenset().union(*(h.days_off() for h in scenario.policy.holidays))


def grid_check(scenario: Scenario, g: GridForecast, *, method: str = "auto",
               train_days: int = 365, seed: int = 0) -> Check | Unchecked:
    """The forecast's method checked over the record's last weeks before it is made
    (:func:`xunfang.intel.check.check_made`), naive counts over 365 days beside it; or why
    it cannot be."""
    # the forecast's calendar: its checked days' holidays forecast as its own horizon's are
    hol = check_holidays(g.events, scenario.country, declared_holidays(scenario),
                         end=g.origin)
    return check_made(g.events,
                      yardstick(scenario_method(scenario, method, seed), train_days),
                      start=g.forecast.days[0], as_of=g.origin, tz=scenario.timezone, seed=seed,
                      holidays=hol)


def risk_stage(scenario: Scenario, slots: Sequence[Slot], *, method: str = "auto",
               train_days: int = 365, seed: int = 0, whole: Scenario | None = None
               ) -> RiskTable | dict[str, str]:
    """The forecast for the plan's slots, or ``{"skipped": why, "reason": key, ...}`` when
    the scenario has no grids (``grids``), no incident history (``history``), a record that
    starts on or after the plan's first day (``later``), no incident in any grid
    (``outside``) or none of its risk_categories before the first day (``categories``) to
    learn from: the report words each from its key and the fields beside it (counts, days,
    categories, CRS), not from the English text. ``whole`` is the scenario with its whole
    record where ``scenario`` holds only the incidents before the plan (the pipeline's
    ``known``): a record that starts later is not "missing or empty" (a review: a plan from
    2020 said so of the county's 6,325 incidents). The forecast carries its check over the
    record's last weeks, or why there is none (a record too short)."""
    if not scenario.areas_of("grid"):
        return {"skipped": "the scenario has no prevention grids to forecast for",
                "reason": "grids"}
    if not len(scenario.incidents):
        record = whole.incidents if whole is not None else scenario.incidents
        if len(record):
            first = str(np.datetime_as_string(record.time.min(), unit="D"))
            day = slots[0].start.date().isoformat()
            return {"skipped": f"the incident record starts on {first}, after the plan's "
                               f"first day {day}: none of its {len(record):,} incidents "
                               "comes before the plan to forecast from",
                    "reason": "later", "n": f"{len(record):,}", "first": first, "day": day}
        return {"skipped": "the scenario has no incident history to forecast from",
                "reason": "history"}
    start = slots[0].start.date()
    days = (slots[-1].end - slots[0].start).days or 1
    try:
        g = grid_forecast(scenario, start=start, days=days, method=method,
                          train_days=train_days, seed=seed)
    except NothingToForecast as exc:
        # the plan is written without a forecast, as before the forecast refused units that
        # hold no incident (af33638): a review's county moved 20 km east stopped planning
        return {"skipped": str(exc), "reason": exc.reason, **exc.fields}
    fc = g.forecast
    risk = per_slot(fc, [s.start for s in slots], slots[0].minutes)
    chosen = fc.details.get("chosen")
    details = dict(fc.details)
    if scenario.risk_categories:  # what the forecast counts, and how many it leaves out
        details["categories"] = [c.strip() for c in scenario.risk_categories]
        if g.absent:  # of the whole record's categories, none before the first day
            details["categories_absent"] = list(g.absent)
            details["categories_before"] = start.isoformat()
        details["left_out"] = len(scenario.incidents) - len(g.events.unit)
    if "gbm" in method_names(method):  # whose public holidays its calendar feature knows
        details["holidays"] = scenario.country
        if scenario.policy.holidays:
            details["holidays_declared"] = len(declared_holidays(scenario))
    outside = int((g.events.unit < 0).sum())
    if outside and scenario.incident_coords:  # the advice differs: a datum, or the CRS
        details["incident_coords"] = scenario.incident_coords
    return RiskTable(
        method=method, chosen=str(chosen) if chosen is not None else None,
        grids=fc.units.ids, slots=tuple(s.start.isoformat(timespec="minutes") for s in slots),
        risk=risk, trained_from=fc.trained_from, trained_to=fc.trained_to,
        as_of=g.origin if g.origin < start else None,
        incidents_in_window=fc.incidents_in_window, details=details,
        check=grid_check(scenario, g, method=method, train_days=train_days, seed=seed),
        incidents=len(g.events.unit), outside_grids=outside,
        sizes=None if fc.units.equal_size else np.asarray(fc.units.size, dtype=np.float64),
    )


def skipped_weighs(stages: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """What the deployment of a plan without a forecast weighs the grids by, from its
    stages (plan.json's): ``("record", {"n": ..., "y": ...})`` (``"record_any"`` without
    ``n`` where the count is not known) where the posture's dosage
    yardstick is the record and the record before the plan holds incidents of every other
    category (intel reason ``categories``: n of them before its first day), else ``("same",
    {})``: every grid the same (no record before the plan, none in a grid, or a forecast
    yardstick that has none). A review: the report and the command line said "every grid the
    same" of a plan whose needs were G4 13.9, G6 12.1, G3 6.2 from 4,460 incidents of other
    categories than scenario.toml's risk_categories."""
    intel = stages.get("intel") or {}
    yard = str((stages.get("posture") or {}).get("dosage_yardstick", ""))
    if yard.startswith("record"):
        if intel.get("reason") == "categories" and intel.get("n"):
            return "record", {"n": str(intel["n"]), "y": yard}
        # a record yardstick whatever the reason (risk_categories' incidents outside every
        # grid, the others in them: a review found "every grid the same" said of it)
        return "record_any", {"y": yard}
    return "same", {}
