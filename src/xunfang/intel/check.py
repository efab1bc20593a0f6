"""How a forecast did over the record's last weeks: the check a planner reads beside the map.

Each day of the record's last weeks is forecast from the days before it, exactly as the plan
forecasts its horizon (:func:`~xunfang.intel.forecast.forecast`: the method's daily level,
the weekday factor, the time-of-day profile), and compared with what came:

* **where** — the share of the day's incidents in the hottest k units by expected
  incidents (the ranking of the report's hot-grid list), pooled over the days, and the share
  of the area those units make up;
* **where and when** — the share in the hottest 10 % of unit-hours (what the deployment
  doses by);
* **how many** — the expected incidents a day against the day's, and the mean absolute
  error of each day's level.

Naive counts over the last 365 days stand beside the plan's method as a yardstick. Unlike
:func:`~xunfang.intel.evaluate.evaluate` (fixed, comparable rules over a chosen test period)
this check is short and local: it tells the planner how far to trust tomorrow's map, with a
bootstrap interval that says how much four weeks can tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from xunfang._errors import XunfangError
from xunfang.intel.forecast import forecast
from xunfang.intel.methods import EventSet, Method, Model, Naive

FloatArray = npt.NDArray[np.float64]

HOUR_SHARE = 0.10  # the hottest tenth of unit-hours
MIN_TRAIN_DAYS = 28  # a check day needs at least four weeks of record before it


class CheckError(XunfangError):
    """A check that cannot be made: ``code`` "short" (a record too short to learn from and
    check against) or "empty" (no incident in the check days)."""

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
    hours: float  # share in the hottest HOUR_SHARE of unit-hours
    expected_per_day: float
    error_per_day: float  # mean absolute error of each day's level

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "train_days": self.train_days,
                "hot": [round(v, 4) for v in self.hot],
                "hot_area": [round(v, 4) for v in self.hot_area],
                "hot_ci": [round(v, 4) for v in self.hot_ci],
                "hours": round(self.hours, 4),
                "expected_per_day": round(self.expected_per_day, 3),
                "error_per_day": round(self.error_per_day, 3)}


@dataclass(frozen=True)
class Check:
    first: date
    last: date
    incidents: int  # the check days' incidents in a unit
    per_day: float  # of them, a day
    ks: tuple[int, ...]  # how many hottest units each ``hot`` share counts
    units: int
    rows: tuple[CheckRow, ...]

    def as_json(self) -> dict[str, Any]:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(),
                "days": (self.last - self.first).days + 1, "incidents": self.incidents,
                "per_day": round(self.per_day, 3), "units": self.units, "hottest": list(self.ks),
                "hour_share": HOUR_SHARE, "rows": [r.as_json() for r in self.rows]}


def hottest_counts(n: int) -> tuple[int, ...]:
    """The k of the 'hottest k units' columns: a tenth, a quarter and half of the units (at
    least one each, no k twice) — 1, 2 and 4 of the county's 7 grids."""
    return tuple(sorted({max(1, round(f * n)) for f in (0.1, 0.25, 0.5)}))


def check_period(events: EventSet, end: date, *, days: int = 28, min_incidents: int = 100,
                 max_days: int = 91) -> tuple[int, int]:
    """The check days ``[a, b)`` before ``end``: the last ``days``, lengthened by whole weeks
    while they hold fewer than ``min_incidents`` (four weeks of a quiet county say little),
    to at most ``max_days``; never closer than :data:`MIN_TRAIN_DAYS` to the record's start."""
    b = events.day_of(end)
    first_allowed = MIN_TRAIN_DAYS
    if b - first_allowed < 7:
        raise CheckError(
            f"the record holds {max(b, 0)} days before {end}: too short to check a forecast "
            f"against (needs {first_allowed + 7}: four weeks to learn from, one to check)", "short")
    n = min(days, b - first_allowed)
    while n < max_days and b - n - 7 >= first_allowed and _held(events, b - n, b) < min_incidents:
        n += 7
    a = b - n
    if _held(events, a, b) == 0:
        raise CheckError(f"no incident in a unit from {events.date_of(a)} to "
                         f"{events.date_of(b - 1)}: nothing to check the forecast against", "empty")
    return a, b


def _held(events: EventSet, a: int, b: int) -> int:
    h = events.window(a, b)
    return int((h.unit >= 0).sum())


def check(events: EventSet, methods: Sequence[tuple[Method, int]], *, end: date,
          days: int = 28, tz: str | None = None, resamples: int = 1000, seed: int = 0) -> Check:
    """Each ``(method, train_days)`` forecast every day of the check period before ``end``
    (:func:`check_period`) from the days before it, one day ahead, and scored."""
    a, b = check_period(events, end, days=days)
    units = events.units
    n = len(units)
    ks = hottest_counts(n)
    size = units.size / units.size.sum()
    n_hours = max(1, round(HOUR_SHARE * n * 24))
    bounds = np.searchsorted(events.t, np.arange(a, b + 1), side="left")
    actual = []
    for i in range(b - a):
        u = events.unit[bounds[i]:bounds[i + 1]]
        h = events.hour[bounds[i]:bounds[i + 1]]
        keep = u >= 0
        actual.append((u[keep], h[keep]))
    per_day = np.array([len(u) for u, _ in actual], dtype=float)
    total = per_day.sum()
    rows = []
    rng = np.random.default_rng(seed)
    boot = rng.integers(0, b - a, size=(resamples, b - a))
    for method, train_days in methods:
        hot = np.zeros((b - a, len(ks)))
        area = np.zeros((b - a, len(ks)))
        hours = np.zeros(b - a)
        expected = np.zeros(b - a)
        model: Model | None = None
        fitted = -10**9
        chosen: set[str] = set()
        for i, d in enumerate(range(a, b)):
            if model is None or d - fitted >= method.refit_days:
                model = method.fit(events.window(d - train_days, d))
                fitted = d
                if (c := getattr(model, "chosen", None)) is not None:
                    chosen.add(str(c))
            fc = forecast(events, method, start=events.date_of(d), days=1,
                          train_days=train_days, tz=tz, model=model)
            risk = fc.risk[0]  # (units, 24 hours)
            level = risk.sum(axis=1)
            expected[i] = level.sum()
            u, h = actual[i]
            order = np.lexsort((np.arange(n), -level))
            for m, k in enumerate(ks):
                hot[i, m] = np.isin(u, order[:k]).sum()
                area[i, m] = size[order[:k]].sum()
            flat = risk.reshape(-1)
            top = np.lexsort((np.arange(flat.size), -flat))[:n_hours]
            hours[i] = np.isin(u * 24 + h, top).sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            share = hot[:, 0][boot].sum(axis=1) / per_day[boot].sum(axis=1)
        lo, hi = np.nanpercentile(share, [2.5, 97.5])
        name = method.name + (" → " + ", ".join(sorted(chosen)) if chosen else "")
        rows.append(CheckRow(
            method=name, train_days=train_days,
            hot=tuple(float(v) for v in hot.sum(axis=0) / total),
            hot_area=tuple(float(v) for v in area.mean(axis=0)),
            hot_ci=(float(lo), float(hi)),
            hours=float(hours.sum() / total),
            expected_per_day=float(expected.mean()),
            error_per_day=float(np.abs(expected - per_day).mean())))
    return Check(first=events.date_of(a), last=events.date_of(b - 1), incidents=int(total),
                 per_day=float(per_day.mean()), ks=ks, units=n, rows=tuple(rows))


def yardstick(method: Method, train_days: int) -> list[tuple[Method, int]]:
    """The method checked and naive counts over 365 days beside it (once, if it is that)."""
    out: list[tuple[Method, int]] = [(method, train_days)]
    if not (isinstance(method, Naive) and train_days == 365):
        out.append((Naive(), 365))
    return out
