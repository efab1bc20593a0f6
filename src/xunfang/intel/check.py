"""How a forecast did over the record's last weeks: the check a planner reads beside the map.

Each day of the record's last weeks is forecast from the days before it, exactly as the plan
forecasts its horizon (:func:`~xunfang.intel.forecast.forecast`: the method's daily level,
the weekday factor, the time-of-day profile), and compared with what came:

* **where** — the share of the day's incidents in the hottest k units by expected
  incidents, per km² (per km of street) where the units differ in size (the ranking of
  :meth:`~xunfang.intel.forecast.Forecast.hot_order`, the report's hot-grid list and
  ``xunfang intel forecast``'s hottest places), pooled over the days, and the share
  of the area those units make up; units tied at the k-th place share its credit evenly
  (whole counts tie by the hundred in a big city's cells: an order of ties would move the
  share by 1.6 points);
* **where and when** — the share in the hottest 10 % of unit-hours (what the deployment
  doses by);
* **how many** — the expected incidents a day against the day's, and the mean absolute
  error of each day's level.

Each day is forecast with the plan's own lead: a plan made as of a record that ended a year
before it is checked a year ahead too, where the record is long enough. Days the record does
not cover (:func:`~xunfang.intel.forecast.recorded_days`) are left out. Naive counts over the
last 365 days stand beside the plan's method as a yardstick: the ratio of incidents per unit
of area in the hottest places, with its paired bootstrap interval. Unlike
:func:`~xunfang.intel.evaluate.evaluate` (fixed, comparable rules over a chosen test period)
this check is short and local: it tells the planner how far to trust tomorrow's map.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from xunfang._errors import XunfangError
from xunfang.intel.forecast import dates_only, density_key, forecast, recorded_days
from xunfang.intel.methods import EventSet, Method, Model, Naive

FloatArray = npt.NDArray[np.float64]

HOUR_SHARE = 0.10  # the hottest tenth of unit-hours
MIN_TRAIN_DAYS = 28  # a check day needs at least four weeks of record before it
MIN_INCIDENTS = 30  # fewer over the check's days: too few to tell anything


class CheckError(XunfangError):
    """A check that cannot be made: ``code`` "short" (a record too short to learn from and
    check against), "empty" (no incident in the check days) or "few" (fewer than
    :data:`MIN_INCIDENTS` in them, even over 13 weeks)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Unchecked:
    """Why a forecast carries no check (a report translates the code)."""

    code: str
    why: str

    def as_json(self) -> dict[str, Any]:
        return {"skipped": self.why, "code": self.code}


@dataclass(frozen=True)
class CheckRow:
    method: str  # as the plan names it: "auto → naive" where auto chose
    train_days: int
    hot: tuple[float, ...]  # share of the incidents in the hottest k units, per k
    hot_area: tuple[float, ...]  # the mean share of the area those units make up
    hot_ci: tuple[float, float]  # 95 % bootstrap interval of hot[0], over days
    hours: float  # share in the hottest HOUR_SHARE of unit-hours (nan: dates without times)
    expected_per_day: float
    error_per_day: float  # mean absolute error of each day's level
    # incidents per unit of area in its hottest k[0] places over the yardstick's (a ratio,
    # fair where places differ in size), with its paired 95 % bootstrap interval; None for
    # the yardstick itself
    vs_naive: tuple[float, float, float] | None = None
    same_as_naive: bool = False  # every day's forecast scored as the yardstick's (auto → naive)

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "train_days": self.train_days,
                "hot": [round(v, 4) for v in self.hot],
                "hot_area": [round(v, 4) for v in self.hot_area],
                "hot_ci": [round(v, 4) for v in self.hot_ci],
                "hours": round(self.hours, 4) if np.isfinite(self.hours) else None,
                "expected_per_day": round(self.expected_per_day, 3),
                "error_per_day": round(self.error_per_day, 3),
                "vs_naive": ([round(v, 4) if np.isfinite(v) else None for v in self.vs_naive]
                             if self.vs_naive is not None else None),
                "same_as_naive": self.same_as_naive}


@dataclass(frozen=True)
class Check:
    first: date
    last: date
    days: int  # the days checked: those the record covers from first to last
    incidents: int  # their incidents in a unit
    per_day: float  # of them, a day
    ks: tuple[int, ...]  # how many hottest units each ``hot`` share counts
    units: int
    rows: tuple[CheckRow, ...]
    lead: int = 1  # days ahead each day was forecast (1: from the day before)
    wanted_lead: int = 1  # the lead asked for (a plan's); longer than the record allowed
    # what the hottest k are ranked by: "expected" incidents, or their density where the
    # units differ in size ("per_km2", "per_km"; Forecast.density's)
    ranked_by: str = "expected"
    # the days checked that were forecast at the holiday level (each a holiday of the
    # calendar the forecast uses, as its own horizon's are); ``holidays``: a calendar was
    # given (the forecast's: its country's and the declared days), so that they were
    holiday_days: tuple[date, ...] = ()
    holidays: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(),
                "days": self.days, "incidents": self.incidents,
                "per_day": round(self.per_day, 3), "units": self.units, "hottest": list(self.ks),
                "hour_share": HOUR_SHARE, "lead_days": self.lead,
                "wanted_lead_days": self.wanted_lead, "hottest_ranked_by": self.ranked_by,
                "holidays_as_forecast": self.holidays,
                "holiday_days": [d.isoformat() for d in self.holiday_days],
                "rows": [r.as_json() for r in self.rows]}


def hottest_counts(n: int) -> tuple[int, ...]:
    """The k of the 'hottest k units' columns: a tenth, a quarter and half of the units (at
    least one each, no k twice) — 1, 2 and 4 of the county's 7 grids."""
    return tuple(sorted({max(1, round(f * n)) for f in (0.1, 0.25, 0.5)}))


def check_period(events: EventSet, end: date, *, days: int = 28, min_incidents: int = 100,
                 max_days: int = 91, lead: int = 1) -> tuple[int, int]:
    """The check days ``[a, b)`` before ``end``: the last ``days``, lengthened by whole weeks
    while they hold fewer than ``min_incidents`` (four weeks of a quiet county say little),
    to at most ``max_days``; each forecast ``lead`` days ahead from at least
    :data:`MIN_TRAIN_DAYS` of record."""
    b = events.day_of(end)
    first_allowed = MIN_TRAIN_DAYS + lead - 1
    if b - first_allowed < 7:
        ahead = f", {lead} days ahead" if lead > 1 else ""
        raise CheckError(
            f"the record holds {max(b, 0)} days before {end}: too short to check a forecast "
            f"against{ahead} (needs {first_allowed + 7}: four weeks to learn from"
            f"{', the lead' if lead > 1 else ''}, one to check)", "short")
    n = min(days, max_days, b - first_allowed)
    while (n + 7 <= max_days and b - n - 7 >= first_allowed
           and _held(events, b - n, b) < min_incidents):
        n += 7
    a = b - n
    if _held(events, a, b) == 0:
        raise CheckError(f"no incident in a unit from {events.date_of(a)} to "
                         f"{events.date_of(b - 1)}: nothing to check the forecast against",
                         "empty")
    return a, b


def _held(events: EventSet, a: int, b: int) -> int:
    h = events.window(a, b)
    return int((h.unit >= 0).sum())


def _top(values: FloatArray, k: int) -> FloatArray:
    """Each place's share of a place among the ``k`` highest ``values``: 1 above the k-th
    value, 0 below, and the places tied with it (to a relative 1e-9: whole counts scaled by
    one factor differ by rounding) share what is left evenly."""
    order = np.sort(values)[::-1]
    kth = order[min(k, len(values)) - 1]
    tol = 1e-9 * max(abs(kth), 1e-300)
    above = values > kth + tol
    tied = np.abs(values - kth) <= tol
    out = above.astype(float)
    out[tied] = (min(k, len(values)) - above.sum()) / tied.sum()
    return np.asarray(out, dtype=np.float64)


def check(events: EventSet, methods: Sequence[tuple[Method, int]], *, end: date,
          days: int = 28, lead: int = 1, tz: str | None = None, resamples: int = 1000,
          seed: int = 0, holidays: Collection[date] | None = None) -> Check:
    """Each ``(method, train_days)`` forecast every day of the check period before ``end``
    (:func:`check_period`) ``lead`` days ahead — made as of the day ``lead − 1`` days before
    it, as a plan past its record's end is (a shorter lead where the record is too short for
    it) — and scored. The first method is compared with the last (the yardstick).

    ``holidays``: the calendar the forecast checked uses (its country's holidays over the
    check's windows and the declared ones, :func:`~xunfang.intel.forecast.forecast`'s): a
    checked day that is one of them is forecast at the holiday level, as the forecast's own
    holidays are (a review: the check ran naive without them, a forecast other than the one
    delivered). gbm knows its calendar itself. None: no calendar (``evaluate``'s rules)."""
    wanted = max(1, lead)
    try:
        a, b = check_period(events, end, days=days, lead=wanted)
        lead = wanted
    except CheckError:
        if wanted == 1:
            raise
        a, b = check_period(events, end, days=days)
        lead = 1
    units = events.units
    n = len(units)
    ks = hottest_counts(n)
    size = units.size / units.size.sum()
    n_hours = max(1, round(HOUR_SHARE * n * 24))
    # the days the record covers (by the year before the check's rate), the others left out
    span = max(0, a - 365)
    covered = recorded_days(events, span, b)[a - span:]
    check_days = [d for d, ok in zip(range(a, b), covered, strict=True) if ok]
    if not check_days:
        raise CheckError(f"the record does not cover {events.date_of(a)} to "
                         f"{events.date_of(b - 1)}: nothing to check the forecast against",
                         "empty")
    bounds = np.searchsorted(events.t, np.arange(a, b + 1), side="left")
    actual = []
    for d in check_days:
        i = d - a
        u = events.unit[bounds[i]:bounds[i + 1]]
        h = events.hour[bounds[i]:bounds[i + 1]]
        keep = u >= 0
        actual.append((u[keep], h[keep]))
    m_days = len(check_days)
    per_day = np.array([len(u) for u, _ in actual], dtype=float)
    if per_day.sum() < MIN_INCIDENTS:
        raise CheckError(f"only {int(per_day.sum())} incident(s) in a unit from "
                         f"{events.date_of(a)} to {events.date_of(b - 1)}: too few to check a "
                         f"forecast against (at least {MIN_INCIDENTS})", "few")
    # a record of dates without times of day says nothing of the hour: no hour column
    timed = not dates_only(events.window(a, b))
    total = per_day.sum()
    rng = np.random.default_rng(seed)
    boot = rng.integers(0, m_days, size=(resamples, m_days))
    denominators = per_day[boot].sum(axis=1)
    scored = []
    ranked_by = "expected"
    raised: set[int] = set()  # the check days forecast at the holiday level, by any method
    for method, train_days in methods:
        hot = np.zeros((m_days, len(ks)))
        area = np.zeros((m_days, len(ks)))
        hours = np.zeros(m_days)
        expected = np.zeros(m_days)
        model: Model | None = None
        fitted = -10**9
        chosen: set[str] = set()
        # the window the last day's forecast held: a record shorter than train_days cuts it
        held = min(train_days, check_days[-1] - lead + 1)
        for i, d in enumerate(check_days):
            made = d - lead + 1  # the day the forecast is made as of
            if model is None or made - fitted >= method.refit_days:
                model = method.fit(events.window(made - train_days, made))
                fitted = made
                if (c := getattr(model, "chosen", None)) is not None:
                    chosen.add(str(c))
            fc = forecast(events, method, start=events.date_of(d), days=1,
                          train_days=train_days, tz=tz, model=model,
                          as_of=events.date_of(made) if lead > 1 else None,
                          holidays=holidays or ())
            if "holiday_days" in fc.details:
                raised.add(d)
            risk = fc.risk[0]  # (units, 24 hours)
            level = risk.sum(axis=1)
            expected[i] = level.sum()
            # the hottest by the forecast's own rule (Forecast.hot_order: per km² where the
            # units differ in size), the one its list of hot places and the report rank by
            # (a review: this ranked by expected incidents under a list ranked per km²)
            dense = fc.density()
            key = level if dense is None else dense[0]
            ranked_by = "expected" if dense is None else density_key(dense[1])
            u, h = actual[i]
            on = np.bincount(u, minlength=n).astype(float)
            for m, k in enumerate(ks):
                share = _top(key, k)
                hot[i, m] = float(share @ on)
                area[i, m] = float(share @ size)
            at = np.bincount(u * 24 + h, minlength=n * 24).astype(float)
            hours[i] = float(_top(risk.reshape(-1), n_hours) @ at)
        with np.errstate(divide="ignore", invalid="ignore"):
            own = hot[:, 0][boot].sum(axis=1) / denominators
        lo, hi = np.nanpercentile(own, [2.5, 97.5])
        scored.append((method.name + (" → " + ", ".join(sorted(chosen)) if chosen else ""),
                       held, hot, area, (float(lo), float(hi)), hours, expected))
    _, _, b_hot, b_area, _, b_hours, b_expected = scored[-1]
    base, base_area = b_hot[:, 0], b_area[:, 0]
    rows = []
    for j, (name, train_days, hot, area, ci, hours, expected) in enumerate(scored):
        vs: tuple[float, float, float] | None = None
        same = False
        if j < len(scored) - 1:
            same = bool(np.array_equal(hot, b_hot) and np.array_equal(area, b_area)
                        and np.array_equal(hours, b_hours)
                        and np.allclose(expected, b_expected, rtol=1e-12, atol=0))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = ((hot[:, 0][boot].sum(axis=1) / area[:, 0][boot].sum(axis=1))
                         / (base[boot].sum(axis=1) / base_area[boot].sum(axis=1)))
                point = ((hot[:, 0].sum() / area[:, 0].sum())
                         / (base.sum() / base_area.sum()))
            # inf where the yardstick had no hit in a resample: as Evaluation.ratio, no
            # interpolation between inf and a finite ratio
            r_lo, r_hi = (np.nanpercentile(ratio, [2.5, 97.5], method="inverted_cdf"
                                           if np.isinf(ratio).any() else "linear")
                          if not np.isnan(ratio).all() else (math.nan, math.nan))
            vs = (float(point), float(r_lo), float(r_hi))
        rows.append(CheckRow(
            method=name, train_days=train_days, same_as_naive=same,
            hot=tuple(float(v) for v in hot.sum(axis=0) / total),
            hot_area=tuple(float(v) for v in area.mean(axis=0)),
            hot_ci=ci, hours=float(hours.sum() / total) if timed else math.nan,
            expected_per_day=float(expected.mean()),
            error_per_day=float(np.abs(expected - per_day).mean()), vs_naive=vs))
    return Check(first=events.date_of(a), last=events.date_of(b - 1), days=m_days,
                 incidents=int(total), per_day=float(per_day.mean()), ks=ks, units=n,
                 rows=tuple(rows), lead=lead, wanted_lead=wanted, ranked_by=ranked_by,
                 holiday_days=tuple(events.date_of(d) for d in sorted(raised)),
                 holidays=holidays is not None)


def check_made(events: EventSet, methods: Sequence[tuple[Method, int]], *, start: date,
               as_of: date | None = None, tz: str | None = None,
               seed: int = 0, holidays: Collection[date] | None = None) -> Check | Unchecked:
    """The check of a forecast for ``start`` made as of ``as_of`` (the day after the record's
    end; ``start`` where the record reaches it): over the weeks before it, with the lead of
    the forecast's first day — or why there is none. The plan, the web API and
    ``xunfang intel forecast --check`` show this. ``holidays``: the forecast's calendar
    (:func:`check_holidays`), its checked days' holidays forecast as its own are."""
    end = as_of or start
    try:
        return check(events, methods, end=end, lead=(start - end).days + 1, tz=tz, seed=seed,
                     holidays=holidays)
    except CheckError as exc:
        return Unchecked(exc.code, str(exc))


def check_holidays(events: EventSet, country: str | None, declared: Collection[date], *,
                   end: date) -> frozenset[date]:
    """The holidays of a check before ``end`` (:func:`check_made`): ``country``'s over the
    record to ``end`` (every check day's window lies in it) and ``declared``, the calendar
    the forecast checked uses (:func:`~xunfang.intel.methods.horizon_holidays`)."""
    from xunfang.intel.methods import holidays_between

    return holidays_between(country, declared, events.epoch, end)


def yardstick(method: Method, train_days: int) -> list[tuple[Method, int]]:
    """The method checked and naive counts over 365 days beside it (once, if it is that)."""
    out: list[tuple[Method, int]] = [(method, train_days)]
    if not (isinstance(method, Naive) and train_days == 365):
        out.append((Naive(), 365))
    return out
