"""A forecast for a planning horizon: risk per unit × slot for every day.

The method gives the expected incidents of each unit per day; the time-of-day profile
(:func:`week_hour_profile`) splits it into slots.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from xunfang.intel.evaluate import no_unit
from xunfang.intel.ingest import midnight_share
from xunfang.intel.methods import (
    EventSet,
    GbmModel,
    History,
    Method,
    MethodError,
    Model,
    Naive,
    Prospective,
)
from xunfang.intel.units import Slots, Units, as_day, ranked, whole_days
from xunfang.scenario.record import DATES_ONLY
from xunfang.scenario.record import midnight_heap as heap_at_midnight

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def week_hour_profile(history: History) -> FloatArray:
    """(units, 7, 24): the share of each unit's incidents in each weekday-hour; every row of a
    weekday sums to 1 over its 24 hours.

    A unit's own hour-of-day profile, shrunk towards the town's, times the town's weekday ×
    hour pattern, shrunk towards its hour of day: a unit's few incidents say when in the day
    its trouble comes, the town's thousands say how weekdays differ. How far each is shrunk
    (:func:`shrinkage`) is chosen on the window's own incidents, each left out in turn, so a
    town of 300 incidents a year keeps little more than its hour of day and Chicago's cells
    little more than the city's (``bench/intel_profile.py``: fixed weights of 20 and 1
    pseudo-incidents scored below the city's pooled hour of day at every size).

    A record of dates without times of day (see :func:`dates_only`) says nothing of the hour:
    every hour of a weekday gets an equal share, never all of it at midnight.
    """
    ev = history.events
    a, b = history.a, history.b
    n = ev.n_units
    if dates_only(history):
        return np.full((n, 7, 24), 1 / 24)
    u, wd, hr = ev.unit[a:b], ev.weekday[a:b], ev.hour[a:b]
    keep = u >= 0
    if midnight_heap(history) is not None:  # their hour is unknown: they say nothing of it
        keep &= _minute_of_day(history) != 0
    town = np.zeros((7, 24))
    np.add.at(town, (wd[keep], hr[keep]), 1.0)
    hours = town.sum(axis=0)
    flat = np.full(24, 1 / 24)
    town_hour = _shrunk(hours[None, :], flat)[0]
    week = _shrunk(town, town_hour)  # (7, 24): each weekday's hours
    own = np.zeros((n, 24))
    np.add.at(own, (u[keep], hr[keep]), 1.0)
    unit_hour = _shrunk(own, town_hour)
    prof = unit_hour[:, None, :] * (week / town_hour)[None, :, :]
    return np.asarray(prof / prof.sum(axis=2, keepdims=True), dtype=np.float64)


# the pseudo-incidents :func:`shrinkage` chooses among: from almost none (a group's own
# shares) to a million (the base's)
STRENGTHS = np.geomspace(0.1, 1e6, 71)


def shrinkage(counts: FloatArray, base: FloatArray) -> float:
    """How many pseudo-incidents of ``base`` (24 shares) to add to every row of ``counts``
    (groups × 24) so that each incident is best foretold by the rest of its group: the
    strength K in ``(counts + K · base) / (n + K)`` of :data:`STRENGTHS` with the highest
    leave-one-out log-likelihood, Σ c · log((c − 1 + K · base) / (n − 1 + K)) over the groups'
    hours with incidents."""
    rows, cols = np.nonzero(counts)
    if not len(rows):
        return float(STRENGTHS[-1])
    c = counts[rows, cols]
    n = counts.sum(axis=1)
    n = n[n > 0]
    k = STRENGTHS[:, None]
    gain = (c * np.log(c - 1 + k * base[cols])).sum(axis=1)
    loss = (n * np.log(n - 1 + k)).sum(axis=1)
    return float(STRENGTHS[int(np.argmax(gain - loss))])


def _shrunk(counts: FloatArray, base: FloatArray) -> FloatArray:
    """Each row of ``counts`` as shares, shrunk towards ``base`` by :func:`shrinkage`."""
    k = shrinkage(counts, base)
    return np.asarray((counts + k * base) / (counts.sum(axis=1, keepdims=True) + k),
                      dtype=np.float64)


def hottest_first(key: FloatArray) -> IntArray:
    """Places by ``key`` (expected incidents, or per km² or per km), highest first, ties by
    place order as the evaluation breaks them (:func:`~xunfang.intel.units.ranked`, within
    float noise): the one rule of every list of hot places."""
    n = len(key)
    return ranked(np.asarray(key, dtype=np.float64), np.arange(n, dtype=np.int64), np.ones(n),
                  equal=True)


@dataclass(frozen=True)
class Forecast:
    """Expected incidents per day × unit × slot."""

    method: str
    units: Units
    days: tuple[date, ...]
    slots: Slots
    risk: FloatArray  # (days, units, slots)
    trained_from: date
    trained_to: date  # exclusive
    details: dict[str, Any]
    incidents_in_window: int = 0  # the training window's incidents in a unit

    def slot_starts(self) -> list[str]:
        """ISO start time of every (day, slot), day-major."""
        out = []
        hours = (self.slots.shift_starts if self.slots.kind == "shift" else tuple(range(24)))
        for d in self.days:
            for h in hours:
                # a night shift starting at 00 belongs to the same roster day: D+1 00:00
                day = d + timedelta(days=1) if self.slots.kind == "shift" and h < hours[0] else d
                out.append(f"{day.isoformat()}T{h:02d}:00")
        return out

    def density(self) -> tuple[FloatArray, str] | None:
        """Each unit's expected incidents over the horizon per km² (per km of street), and
        that unit's name — where the units differ in size, and are ranked by it, as the
        evaluation ranks them (:func:`~xunfang.intel.units.ranked`); None for cells."""
        u = self.units
        if u.equal_size:
            return None
        per = 1e3 if u.kind == "segments" else 1e6
        return (self.risk.sum(axis=(0, 2)) / u.size * per,
                "per km" if u.kind == "segments" else "per km²")

    def hot_order(self, top: int | None = 10) -> IntArray:
        """The ``top`` units (all: None) with the highest expected incidents over the
        horizon, ties by unit order; where units differ in size, the highest per km² or per
        km of street (:meth:`density`; a review: Baltimore's longest segments and Chicago's
        biggest districts led by their totals, where the evaluation scores the densest)."""
        dense = self.density()
        return hottest_first(self.risk.sum(axis=(0, 2)) if dense is None else dense[0])[:top]

    def hot(self, top: int = 10) -> list[tuple[str, float]]:
        """The hottest units (:meth:`hot_order`) with their expected incidents."""
        total = self.risk.sum(axis=(0, 2))
        return [(self.units.ids[i], float(total[i])) for i in self.hot_order(top)]

    def as_json(self, *, risk: bool = True) -> dict[str, Any]:
        """The forecast as one JSON document (``xunfang intel forecast --json``, the web's
        risk layer). "trained_from" is the training window's first day; "trained_to" its
        exclusive end, the day after its last (kept for the readers of earlier documents:
        a forecast of 2019-03-01 trained to 2019-03-01 on days to 2019-02-28), and
        "trained_last_day" that last day, as the text output says it. "risk" holds each
        unit's expected incidents per slot, day-major as "slots", to 6 decimals; without
        ``risk`` it is left out, for a writer that writes it row by row
        (:meth:`risk_rows`)."""
        total = self.risk.sum(axis=(0, 2))
        dense = self.density()
        hot = []
        for i in self.hot_order():
            row: dict[str, Any] = {"unit": self.units.ids[i], "expected": round(float(total[i]), 3)}
            if dense is not None:
                row[density_key(dense[1])] = round(float(dense[0][i]), 3)
            hot.append(row)
        return {
            "method": self.method,
            "unit_kind": self.units.kind,
            "units": list(self.units.ids),
            "slot_kind": self.slots.kind,
            "slots": self.slot_starts(),
            "trained_from": self.trained_from.isoformat(),
            "trained_to": self.trained_to.isoformat(),
            "trained_last_day": (self.trained_to - timedelta(days=1)).isoformat(),
            **({"risk": list(self.risk_rows())} if risk else {}),
            "hot": hot,
            "details": self.details,
        }

    def risk_rows(self) -> Iterator[list[float]]:
        """as_json's "risk", a unit's row at a time: a year of Chicago's 7,173 cells by hour
        is 63 million numbers, 4.3 GB as one list of lists and its text."""
        per_unit = self.risk.transpose(1, 0, 2)
        for i in range(len(self.units)):
            yield rounded(per_unit[i], 6).reshape(-1).tolist()


def rounded(values: FloatArray, digits: int) -> FloatArray:
    """``values`` (a copy, C order) each as Python's ``round(float(v), digits)`` gives it, bit
    for bit: its ``.tolist()`` is the list a loop of ``round`` makes, 8 times faster (a
    review: a year of Chicago's 7,173 cells × 8,784 hours took 62 s in that loop, most of
    ``intel forecast --json``). v · 10^digits is rounded half to even and divided back, as
    numpy's ``round`` does; where that product lies within a few units in its last place of
    a half (its own rounding may have crossed it; ``round`` rounds the exact decimal value)
    or is not a finite number below 2^52, ``round`` itself gives the value."""
    out = np.array(values, dtype=np.float64, order="C", copy=True)
    flat = out.reshape(-1)
    scale = 10.0 ** digits
    for lo in range(0, len(flat), 1 << 20):  # by a million values: tens of MB of temporaries
        part = flat[lo:lo + (1 << 20)]
        y = part * scale
        whole = np.floor(y)
        with np.errstate(invalid="ignore"):
            doubt = ~(np.abs(y) < 2.0 ** 52) | (
                np.abs(y - whole - 0.5) <= 4 * np.spacing(np.abs(y)))
        exact = part[doubt].tolist()
        np.rint(y, out=y)
        y /= scale
        y[doubt] = [round(v, digits) for v in exact]
        part[:] = y
    return out


def density_key(label: str) -> str:
    """The JSON field of a density named as :meth:`Forecast.density` names it: "per_km2",
    "per_km"."""
    return label.replace(" ", "_").replace("²", "2")


def _minute_of_day(history: History) -> IntArray:
    return np.asarray(np.round((history.t % 1.0) * 1440), dtype=np.int64) % 1440


def midnight_heap(history: History) -> float | None:
    """The share of the window's incidents at exactly 00:00 where they heap there
    (:func:`xunfang.scenario.record.midnight_heap`), None where they do not."""
    return heap_at_midnight(_minute_of_day(history))


# a gap before the horizon this unlikely for the record's rate is its end (:func:`record_end`)
QUIET_SPELL = 1e-3
# a hole in a record (:func:`recorded_days`): a week or more without any incident where the
# record's rate expects at least 30 — an export missing six weeks, never a quiet spell: a
# record of weekday incidents has weekends of none, a small area's real quiet spells run to
# 21 days at 0.7 a day (15 expected; a review found a quarter of Chicago's sub-area-years with
# such spells under a looser rule), a county at 8 a day has a day of none
HOLE_DAYS = 7
HOLE_EXPECTED = 30.0


def recorded_days(events: EventSet, start: int, end: int) -> npt.NDArray[np.bool_]:
    """(end − start,): False for the days of ``[start, end)`` in a hole of the record: a run
    of at least :data:`HOLE_DAYS` days without any incident where the span's rate (over its
    other days) expects at least :data:`HOLE_EXPECTED` — days the record does not cover, not
    days of no trouble. The whole record's days where the events know them
    (``EventSet.record_daily``): one category's quiet weeks are days of its file all the
    same."""
    n = end - start
    if n <= 0:
        return np.zeros(0, dtype=bool)
    if events.record_daily is not None:
        daily = events.record_daily
        lo, hi = max(start, 0), min(end, len(daily))
        per_day = np.zeros(n, dtype=np.int64)
        if hi > lo:
            per_day[lo - start:hi - start] = daily[lo:hi]
    else:
        a, b = np.searchsorted(events.t, [start, end], side="left")
        per_day = np.bincount(np.floor(events.t[a:b]).astype(np.int64) - start, minlength=n)
    total = int(per_day.sum())
    out = np.ones(n, dtype=bool)
    if total == 0:
        return ~out
    runs = [(lo, hi) for lo, hi in _quiet_runs(per_day > 0) if hi - lo >= HOLE_DAYS]
    for _ in range(2):  # the rate over the days outside the holes found so far
        rate = total / max(1, int(out.sum()))
        out[:] = True
        for lo, hi in runs:
            if rate * (hi - lo) >= HOLE_EXPECTED:
                out[lo:hi] = False
    return out


def _quiet_runs(on: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The runs of False in ``on``, as [lo, hi) index pairs."""
    edges = np.flatnonzero(np.diff(np.concatenate([[1], on.astype(np.int8), [1]])))
    return [(int(lo), int(hi)) for lo, hi in zip(edges[::2], edges[1::2], strict=True)]


def record_holes(events: EventSet, start: int, end: int) -> list[tuple[date, date]]:
    """The holes of the record (see :func:`recorded_days`) that reach into the days
    ``[start, end)``, each as (first day, last day): found from the record's start, so a hole
    begun before ``start`` is given from its own first day."""
    return [(events.date_of(lo), events.date_of(hi - 1))
            for lo, hi in _quiet_runs(recorded_days(events, 0, end)) if hi > start]


SeasonOf = Literal["whole", "change", "own"]


def season_of(model: object) -> SeasonOf:
    """How :func:`forecast` gives a fitted model's level its time of year (auto's: its
    choice's):

    * ``"own"`` — gbm fitted on label days with a year and more behind them: the season
      factor is one of its features, and its level is left alone;
    * ``"change"`` — a level of the recent weeks, which follows the time of year already
      (prospective hot-spotting's eight weeks; gbm's lagged rates otherwise): scaled by the
      season of the day forecast over the season of the window's end, 1 for the next day and
      the change of season for a day months past the record's end. On Chicago 2018-2019 (a
      year's window) the whole factor raised the mean absolute error of daily totals from
      7.03 to 8.18 for prospective (a review) and from 7.31 to 8.84 for gbm (every tenth
      day);
    * ``"whole"`` — a window average: scaled by :func:`season_factor`."""
    inner = getattr(model, "model", model)  # AutoModel's chosen
    if isinstance(inner, GbmModel):
        return "own" if inner.learns_season else "change"
    return "change" if isinstance(inner, Prospective) else "whole"


def weekday_factor(history: History, prior: float = 20.0,
                   covered: npt.NDArray[np.bool_] | None = None) -> FloatArray:
    """(7,): each weekday's incidents over the window as a multiple of an average day's — a
    Saturday's level is not a Wednesday's (Chicago's assaults 2018-2019: Sunday 1.13, Wednesday
    0.94; the county's Saturday 1.15) — shrunk towards 1 by ``prior`` pseudo-incidents per
    weekday. On Chicago 2018-2019 it lowers the Poisson deviance of naive-365's daily totals
    from 2.609 to 2.425 (``bench/intel_levels.py``). The methods forecast a day's level
    without its weekday; ``forecast`` scales it by this. ``covered``: the window's
    :func:`recorded_days`, where the caller has them already."""
    ev = history.events
    if covered is None:
        covered = recorded_days(ev, history.start, history.origin)
    days = np.arange(history.start, history.origin)[covered]
    if not len(days):
        return np.ones(7)
    n_days = np.bincount((days + ev.epoch.weekday()) % 7, minlength=7).astype(float)
    inside = history.unit >= 0
    n = np.bincount(ev.weekday[history.a:history.b][inside], minlength=7).astype(float)
    expected = n.sum() * n_days / n_days.sum()
    return np.asarray((n + prior) / (expected + prior), dtype=np.float64)


def holiday_factor(history: History, holidays: Collection[date], prior: float = 20.0,
                   covered: npt.NDArray[np.bool_] | None = None) -> float:
    """A public holiday's level as a multiple of its weekday's: the window's incidents on its
    holidays (``holidays`` that it holds and the record covers) against as many as the
    window's other days of the same weekdays give, shrunk towards 1 by ``prior``
    pseudo-incidents (as :func:`weekday_factor`). 1 where the window holds no holiday. The
    county's record runs at 10.95 incidents a day on China's holidays, 8.22 on workdays
    (its generator's holiday periods are 1.2-1.45 times as busy): a holiday column of gbm's
    trees could not show it, the county's six holiday label days of a fit (42 rows of 7
    grids) fewer than a leaf's 50 rows, and National Day 2025 came out the same with
    China's calendar and without any (a review). ``covered``: the window's
    :func:`recorded_days`, where the caller has them already."""
    ev = history.events
    if covered is None:
        covered = recorded_days(ev, history.start, history.origin)
    days = np.arange(history.start, history.origin)[covered]
    if not len(days) or not holidays:
        return 1.0
    first = ev.date_of(history.start)
    # each holiday's day of the record, where the window holds it
    hol = np.array([(h - first).days for h in holidays], dtype=np.int64) + history.start
    is_hol = np.isin(days, hol)
    if not is_hol.any():
        return 1.0
    inside = history.unit >= 0
    per_day = np.bincount(np.floor(history.t[inside]).astype(np.int64) - history.start,
                          minlength=history.days)[:history.days][days - history.start]
    weekday = (days + ev.epoch.weekday()) % 7
    other = ~is_hol
    n_other = np.bincount(weekday[other], weights=per_day[other], minlength=7)
    d_other = np.bincount(weekday[other], minlength=7)
    rate = np.divide(n_other, d_other, out=np.zeros(7), where=d_other > 0)
    expected = float(rate[weekday[is_hol]].sum())
    n = float(per_day[is_hol].sum())
    return (n + prior) / (expected + prior)


YEAR = 365.2425


def season_factor(history: History, day: int, half_width: float = 21.0,
                  prior: float = 50.0, covered: npt.NDArray[np.bool_] | None = None) -> float:
    """The level of the time of year of ``day`` as a multiple of the window's: the window's
    incidents on days within ``half_width`` days of ``day``'s date in any year (last year's
    same weeks, and the window's last three weeks), against as many as an average day's would
    give, shrunk towards 1 by ``prior`` pseudo-incidents. 1 for a window shorter than a year
    (it holds no time of year twice). Days the record does not cover (:func:`recorded_days`)
    count neither way: six weeks an export lacks are no quiet season. A county's December is
    0.8 of its year (6.7 incidents a day in December 2025 against 8.6); on Chicago's assaults
    2018-2019 it lowers the mean absolute error of naive-365's daily totals from 8.10 to 6.57
    and their Poisson deviance from 2.43 to 1.65 (``bench/intel_levels.py``; half-width and
    prior chosen beforehand: 14 and 45 days score within 0.06 of it). ``covered``: the
    window's :func:`recorded_days`, where the caller has them already."""
    if history.days < 365:
        return 1.0
    inside = history.unit >= 0
    n = int(inside.sum())
    if not n:
        return 1.0
    if covered is None:
        covered = recorded_days(history.events, history.start, history.origin)
    days = np.arange(history.start, history.origin)[covered]

    def near(d: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
        r = (day - d) % YEAR
        return np.asarray(np.minimum(r, YEAR - r) <= half_width)

    n_near = int(near(np.floor(history.t[inside])).sum())
    expected = n * near(days).sum() / len(days)
    return float((n_near + prior) / (expected + prior))


def dates_only(history: History) -> bool:
    """True when the record gives dates without times of day: at least 99 % of the window's
    incidents at exactly 00:00 (the hour of day is then unknown, not midnight): the rule of
    the ingest report's note."""
    return midnight_share(np.round((history.t % 1.0) * 1440)) >= DATES_ONLY


def record_end(times: npt.NDArray[np.datetime64], start: date) -> date | None:
    """The day after the record's end, where the record stops short of the horizon (a
    county's export of last year, planned today): a window ending at ``start`` would count
    the days after it as days without incidents. ``times``: the whole record's (not one
    category's: its quiet weeks are no end of the file). The record ends where a gap begins
    that its rate (over the year before the gap) makes less likely than :data:`QUIET_SPELL`
    (Poisson: e^(−rate · days)) and after which it holds less than a tenth of that rate: a
    sparse record's quiet week is no end, nor a month of an export that went on; a last
    year's export followed by a few incidents reported this week ends where the export
    does. The plan and ``xunfang intel forecast`` forecast ``as_of`` the day returned
    (:func:`forecast`)."""
    t = np.sort(np.asarray(times).astype("datetime64[D]").astype(np.int64))  # days since 1970
    day0 = int(np.datetime64(start, "D").astype(np.int64))
    t = t[t < day0]
    if not len(t):
        return None
    days, per_day = np.unique(t, return_counts=True)
    cum = np.concatenate([[0], np.cumsum(per_day)])  # incidents before each distinct day
    # the gaps: after each distinct day until the next (the last: until ``start``)
    nxt = np.append(days[1:], day0)
    gap = nxt - days - 1
    # each gap's rate: the year of incidents up to its first day, over its span (≤ 365)
    lo = np.searchsorted(days, days - 364, side="left")
    span = np.minimum(365, days - days[0] + 1)
    year = cum[np.arange(1, len(days) + 1)] - cum[lo]
    # a rate from at least 20 incidents: a record's first days tell none
    rate = np.where(year >= 20, year / span, 0.0)
    after = cum[-1] - cum[np.arange(1, len(days) + 1)]  # incidents after each gap's start
    # the days from the gap's start to the record's last incident: a horizon years after
    # the record would make any early quiet spell its end (a review: a 2022 record, planned
    # in 2027, ended at a two-day spell in September and lost its last 400 incidents)
    covered = t[-1] - days
    ends = (rate * gap >= -np.log(QUIET_SPELL)) & (after <= 0.1 * rate * covered)
    # the last gap, with nothing after it, by the last year's rate however few incidents
    # it held (a record of 15 incidents in 2023 ends in 2023)
    ends[-1] |= year[-1] / span[-1] * gap[-1] >= -np.log(QUIET_SPELL)
    if not ends.any():
        return None
    k = int(np.flatnonzero(ends)[0])  # the earliest such gap: what follows it is no record
    end: date = np.datetime64(int(days[k]) + 1, "D").item()
    return end


def clock_hours(day: date, tz: str) -> FloatArray:
    """How many hours of ``day`` in the zone ``tz`` each wall-clock hour 0..23 holds: 1, or 0
    for the hour clocks skip in spring, 2 for the hour they repeat in autumn (a 23- or 25-hour
    day); 0.5 and 1.5 where they move by half an hour (Lord Howe Island). Counted by quarter
    hours of real time."""
    from zoneinfo import ZoneInfo

    zone = _zone(tz)
    utc = ZoneInfo("UTC")
    begin = datetime.combine(day, time(), zone).astimezone(utc)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(utc)
    out = np.zeros(24)
    t = begin
    while t < end:
        out[t.astimezone(zone).hour] += 0.25
        t += timedelta(minutes=15)
    return out


def _zone(tz: str) -> tzinfo:
    """The time zone ``tz`` names, or a clear error (a review: "Mars/Base" came out as
    zoneinfo's own ZoneInfoNotFoundError)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise MethodError(f"tz (--tz) {tz!r} is not a time zone; give an IANA name such as "
                          "Asia/Shanghai, America/Chicago or UTC") from None


def forecast(
    events: EventSet,
    method: Method,
    *,
    start: date,
    days: int,
    train_days: int,
    slots: Slots | None = None,
    as_of: date | None = None,
    tz: str | None = None,
    model: Model | None = None,
    holidays: Collection[date] = (),
) -> Forecast:
    """Fit on the ``train_days`` before ``start`` and forecast ``days`` days from it.

    Later days of the horizon are forecast from the same window (their own incidents are not
    known yet). ``as_of`` (before ``start``) ends the training window earlier — the history
    on record stops before the horizon: the methods then forecast with the same lead times
    from ``as_of`` (day 1 of the horizon as the day after the record), and the time-of-day
    profile follows the horizon's own weekdays; ``details`` says so.

    A day's level is the method's times its weekday's factor (:func:`weekday_factor`; gbm
    knows the weekday itself) and its time of year's (:func:`season_factor`; for a level of
    the recent weeks the change of season from the window's end, :func:`season_of`),
    over the days the record covers: where the window's last year holds a hole
    (:func:`recorded_days`), the level is scaled by that year's days over its recorded days
    (``details["coverage_factor"]``); prospective hot-spotting's level, by its eight weeks
    over their recorded days; gbm's not (its labels and rate are of recorded days only).

    Slots are wall-clock hours of the zone ``tz`` where it is known: on the day clocks go
    forward the skipped hour holds nothing, and on the day they go back the repeated hour's
    slot holds both of its hours (``details["clock_changes"]`` lists such days).

    ``holidays``: public holidays (the scenario's country's and declared ones): a method
    without a calendar of its own forecasts a holiday at its weekday's level times the
    window's holidays' over their weekdays' (:func:`holiday_factor`; gbm's offset has it
    already). (A review: a declared festival left the plan's forecast as it was, the
    county's holidays running at 10.95 incidents a day against 8.22 on workdays.)

    ``model``: ``method`` fitted earlier, on a window ending at most ``method.refit_days``
    before (a rolling check refits the expensive methods weekly, as the evaluation does); it
    predicts from the window before ``start``. By default ``method`` is fitted on it.
    """
    days = whole_days(days, MethodError, "--days")
    start = as_day(start, MethodError, "--from (start)")
    if as_of is not None:
        as_of = as_day(as_of, MethodError, "as_of")
    if days < 1:
        raise MethodError(f"--days must be at least 1, got {days}")
    train_days = whole_days(train_days, MethodError)
    if train_days < 1:  # a review: -5 gave an empty window's all-zero forecast
        raise MethodError(f"--train-days must be at least 1, got {train_days}")
    if tz is not None:
        _zone(tz)  # before any fitting
    if as_of is not None and as_of > start:
        raise MethodError(f"as_of {as_of} is after the first forecast day {start}")
    if not date(1900, 1, 1) <= start <= date(9000, 1, 1):
        raise MethodError(f"--from {start}: not a day to forecast (1900 to 9000)")
    slots = slots or Slots()
    origin = events.day_of(as_of or start)
    lead0 = events.day_of(start)
    hist = events.window(origin - train_days, origin)
    if hist.b == hist.a:
        raise MethodError(
            f"the training window {events.date_of(origin - train_days)} to "
            f"{events.date_of(origin - 1)} holds no incident: nothing to forecast from "
            f"(the incidents run from {events.epoch})")
    window = (f"the training window {events.date_of(hist.start)} to "
              f"{events.date_of(origin - 1)}")
    total, off, no_unit_note = no_unit(events, hist.a, hist.b, window)
    if off == total:  # every unit's level 0: a forecast of nothing (a review: units in the
        # wrong CRS placed none of 20,649 incidents, and the forecast came out all zeros)
        assert no_unit_note is not None
        raise MethodError(f"{no_unit_note}: nothing to forecast from")
    if model is None:
        model = method.fit(hist)
    prof = week_hour_profile(hist)
    # gbm knows the calendar (weekday, holidays; the season where it learnt it): its weekday
    # is its own, and its day is the horizon's, not the lead's
    calendar = isinstance(model, GbmModel)
    # days of the window the record does not cover (an export's missing weeks) held no
    # incident because nothing was recorded
    covered = recorded_days(events, hist.start, hist.origin)
    unrecorded = int((~covered).sum())
    by_weekday = np.ones(7) if calendar else weekday_factor(hist, covered=covered)
    hol = frozenset() if calendar else frozenset(holidays)
    # the horizon's holidays and their level over their weekdays': gbm's offset holds it (of
    # the holidays its fit knew, and the window's before the horizon: the same factor on
    # each day), the others are raised by it below
    of_day = ([model.calendar(events.date_of(lead0 + i)) for i in range(days)]
              if isinstance(model, GbmModel) else [hol] * days)
    horizon_hol = [i for i in range(days) if events.date_of(lead0 + i) in of_day[i]]
    by_holiday = (holiday_factor(hist, of_day[horizon_hol[0]], covered=covered)
                  if horizon_hol else 1.0)
    season_kind = season_of(model)
    # a level of the recent weeks moves by the season's change from the window's end
    at_end = season_factor(hist, origin, covered=covered) if season_kind == "change" else 1.0
    # a level is over the days recorded: a window average's over its last year, the memory
    # of the methods' level (naive's 365 days, auto's long memories at the last year's level,
    # decay's year of half-life); prospective's over the weeks it counts, its incidents over
    # all their days (a review: 27 of its 56 days unrecorded after a hole put its level at
    # about half the others'); not gbm's, whose label days and rate leave the holes out already
    inner = getattr(model, "model", model)  # AutoModel's chosen
    # naive's own days where they are not a year (a review: naive over 90 days with a
    # 27-day hole was scaled by the year's 365/338, not 90/63)
    memory = (covered[-7 * inner.weeks:] if isinstance(inner, Prospective)
              else covered[-inner.days:] if isinstance(inner, Naive)
              else covered[-365:] if season_kind == "whole" else covered[:0])
    if isinstance(inner, Prospective | Naive) and len(memory) and not memory.any():
        # nothing recorded in the days the level is counted over: a level of 0 would be a
        # forecast of nothing, said nowhere (a review: prospective's 8 weeks after the
        # record stopped; the command line forecasts as of the record's end)
        raise MethodError(
            f"{getattr(inner, 'name', method.name)} counts the last {len(memory)} days of "
            f"{window}, none of which the record covers: forecast as of the record's end "
            "(as_of, the day after its last incident)")
    coverage = (len(memory) / int(memory.sum()) if 0 < memory.sum() < len(memory) else 1.0)
    of_hour = slots.of_hour()
    n_slots = slots.per_day()
    # hourly risk per calendar day; one more day for the night shift of the last roster day.
    # Each roster day's slots are summed once its next calendar day is known, hour by hour
    # as ever (the same sums, bit for bit): two calendar days are kept, not the horizon's (a
    # review: a year of Chicago's 7,173 cells held 505 MB of them beside the result's 505 MB)
    out = np.zeros((days, len(events.units), n_slots))
    first = slots.shift_starts[0] if slots.kind == "shift" else 0
    before: FloatArray | None = None
    changes = []
    seasons: list[float] = []
    for i in range(days + 1):
        on = events.date_of(lead0 + i)
        daily: FloatArray
        # the horizon's own time of year
        season = (1.0 if season_kind == "own"
                  else season_factor(hist, lead0 + i, covered=covered) / at_end)
        if i < days:
            seasons.append(round(season, 3))
        if isinstance(model, GbmModel):  # (calendar; narrows the type)
            daily = model.predict(hist, origin + i, calendar_day=lead0 + i) * season
        else:
            daily = np.asarray(model.predict(hist, origin + i), dtype=float) * by_weekday[
                on.weekday()] * season * coverage * (by_holiday if on in hol else 1.0)
        hours = prof[:, on.weekday(), :]
        if tz is not None:
            held = clock_hours(on, tz)
            if (held != 1).any():
                hours = hours * held
                if i < days or slots.kind == "shift":  # the last night shift's morning too
                    changes.append({"day": on.isoformat(),
                                    "skipped": [int(h) for h in np.flatnonzero(held < 1)],
                                    "repeated": [int(h) for h in np.flatnonzero(held > 1)]})
        now = daily[:, None] * hours
        if before is not None:  # roster day i - 1: its hours from ``first``, and today's
            for h in range(24):  # before it (00-08 belongs to the night of the day before)
                out[i - 1, :, of_hour[h]] += (now if h < first else before)[:, h]
        before = now
    dates = [events.date_of(lead0 + i) for i in range(days)]
    details: dict[str, Any] = {}
    if hist.start > origin - train_days:
        details["window"] = (f"the record starts on {events.epoch}: the training window holds "
                             f"its {hist.days} days, not {train_days}")
    if as_of is not None and as_of < start:
        details["as_of"] = as_of.isoformat()
        details["gap_days"] = (start - as_of).days
    if no_unit_note is not None:
        details["no_unit"] = f"{no_unit_note}; they are not forecast"
    if changes:
        details["clock_changes"] = changes
    if unrecorded:
        details["unrecorded_days"] = unrecorded
        if coverage != 1.0:
            details["coverage_factor"] = round(coverage, 4)
    if not calendar:
        details["weekday_factor"] = [round(float(f), 3) for f in by_weekday]
    if horizon_hol:
        details["holiday_factor"] = round(by_holiday, 3)
        details["holiday_days"] = [events.date_of(lead0 + i).isoformat() for i in horizon_hol]
        if calendar:  # (a review: gbm's details named no holiday it had raised)
            details["holiday_factor_of"] = ("gbm's offset: the window's holidays over their "
                                            "weekdays, which its trees may move further")
    if season_kind != "own":
        details["season_factor"] = seasons
    if season_kind == "change":
        details["season_factor_of"] = "the change of season from the window's end"
    if dates_only(hist):
        details["hours"] = ("the incidents carry dates without times of day: each day's risk "
                            "is spread evenly over its hours")
    elif (heap := midnight_heap(hist)) is not None:
        details["hours"] = (f"{heap:.0%} of the window's incidents are at exactly 00:00, "
                            "far more than at any other whole hour: taken as times not known, "
                            "they count in each day's risk but not in how it is spread over "
                            "the hours")
    for attr in ("chosen", "theta", "omega", "iterations", "converged", "rounds"):
        if hasattr(model, attr):
            details[attr] = getattr(model, attr)
    if hasattr(model, "scores") and hasattr(method, "validation_start"):
        # auto's rolling validation, so that its choice can be checked and rerun
        details["validation"] = {
            "from": events.date_of(method.validation_start(hist)).isoformat(),
            "to": events.date_of(origin - 1).isoformat(),
            "coverage": getattr(method, "coverage", None),
            "hit_rate": {k: round(float(v), 5) for k, v in model.scores.items()}}
        tie = getattr(model, "tie_break", None)
        if method.validation_start(hist) >= origin:  # a window of a day: nothing to score
            details["validation"] = {
                "note": "the training window is too short to validate the candidates on "
                        "any day of it: the simplest stands"}
        elif getattr(model, "tied", False):
            details["validation"]["note"] = (
                "every candidate scored the same on every validation day (no hit at all, or "
                "too few incidents to tell them apart by log-likelihood): the simplest stands")
        if tie is not None:
            details["validation"]["log_likelihood"] = {k: round(float(v), 5)
                                                       for k, v in tie.items()}
            details["validation"]["note"] = (
                "every candidate hit the same places on every validation day (the top "
                f"{getattr(method, 'coverage', 0.05):.0%} of {len(events.units)} places): "
                "compared by how well each spread the days' incidents over all places "
                "(log-likelihood), the simplest within one standard error of the best taken")
    return Forecast(method.name, events.units, tuple(dates), slots, out,
                    events.date_of(hist.start), events.date_of(origin), details,
                    int((hist.unit >= 0).sum()))


def per_slot(fc: Forecast, starts: Sequence[datetime], minutes: int) -> FloatArray:
    """(units, slots): an hourly forecast summed (or split evenly) into planning slots that
    start at ``starts`` and last ``minutes`` — the share of each hour a slot covers."""
    if fc.slots.kind != "hour":
        raise MethodError("per_slot needs an hourly forecast (slots kind 'hour')")
    first = datetime.combine(fc.days[0], time())
    hours = fc.risk.transpose(1, 0, 2).reshape(len(fc.units), -1)  # (units, days·24)
    out = np.zeros((len(fc.units), len(starts)))
    for k, s in enumerate(starts):
        a = (s - first).total_seconds() / 3600.0
        b = a + minutes / 60.0
        if a < 0 or b > hours.shape[1] + 1e-9:
            raise MethodError(f"slot {s:%Y-%m-%d %H:%M} lies outside the forecast days "
                              f"{fc.days[0]} to {fc.days[-1]}")
        for h in range(int(np.floor(a)), int(np.ceil(b - 1e-9))):
            share = min(b, h + 1) - max(a, h)
            out[:, k] += hours[:, h] * share
    return out
