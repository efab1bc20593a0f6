"""The recorded incidents as a weekly profile per grid: the naive risk the simulator's KPIs
weigh by (DESIGN.md §4) and the posture's dosage yardstick."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt

from xunfang.scenario.model import FloatArray, Scenario

# a record whose times are at least this share exactly 00:00 gives dates without times of day
DATES_ONLY = 0.99


def midnight_heap(minute_of_day: npt.ArrayLike) -> float | None:
    """The share of times at exactly 00:00 where they heap there — at least 20 of them, 2 %
    of all, and three times the median share of the other whole hours (01:00 … 23:00): a
    record that writes an unknown time of day as midnight (a review's file with 40 % at 00:00
    put 42 % of every day's risk in its first hour). Chicago's assaults: 0.4 % at 00:00
    against 0.7 % at a whole hour; a record rounded to whole hours has about 4 % at each.
    None where they do not heap. ``minute_of_day``: each time's minute of its day."""
    minute = np.asarray(minute_of_day, dtype=np.int64)
    if not len(minute):
        return None
    n_midnight = int(np.sum(minute == 0))
    at_midnight = n_midnight / len(minute)
    hours = np.bincount(minute[(minute % 60 == 0) & (minute > 0)] // 60, minlength=24)[1:]
    typical = float(np.median(hours)) / len(minute)
    return at_midnight if (n_midnight >= 20 and at_midnight >= 0.02
                           and at_midnight >= 3 * max(typical, 1 / 1440)) else None


def hour_unknown(times: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """The times whose hour of day is not known: all of a record of dates without times
    (:data:`DATES_ONLY`), or those at 00:00 where they heap there (:func:`midnight_heap`).
    Their incident counts in each hour of its day alike, never all at midnight (a review: a
    record of dates put the county's checkpoint schedule and 99 % of the dosage yardstick's
    weight at 00:00, where the forecast spread it over the day)."""
    t = np.asarray(times).astype("datetime64[m]")
    minute = (t - t.astype("datetime64[D]")).astype(np.int64)
    at = minute == 0
    if len(minute) and (at.mean() >= DATES_ONLY or midnight_heap(minute) is not None):
        return np.asarray(at, dtype=bool)
    return np.zeros(len(minute), dtype=bool)


def weekly_counts(scenario: Scenario, slot_minutes: int = 60,
                  before: datetime | None = None) -> tuple[FloatArray, float]:
    """Recorded incidents per grid (rows, in ``areas_of("grid")`` order) and slot of the week
    (7 × 1440 / ``slot_minutes`` columns from Monday 00:00), and the weeks the record spans
    (at least 1 day's worth). Incidents outside every grid are not counted; with ``before``
    (a plan's first slot), nor those from then on: a plan knows only the incidents before it
    (a review: 3,000 incidents dated after a plan's first day moved a grid's share of the
    units from 2.8 % to 10.8 %)."""
    grids = scenario.areas_of("grid")
    per_day = 1440 // slot_minutes
    counts = np.zeros((len(grids), 7 * per_day))
    inc = scenario.incidents
    times = inc.time.astype("datetime64[m]")
    xy = inc.xy
    if before is not None:
        known = times < np.datetime64(before.replace(tzinfo=None), "m")
        times, xy = times[known], xy[known]
    if len(times) == 0 or not grids:
        return counts, 1.0 / 7.0
    minute = (times - times.astype("datetime64[D]")).astype(np.int64)
    # numpy's day 0 (1970-01-01) was a Thursday: weekday = (days + 3) % 7, Monday = 0
    weekday = (times.astype("datetime64[D]").astype(np.int64) + 3) % 7
    col = weekday * per_day + minute // slot_minutes
    # on a border two grids share: the first listed (``contains`` left it out of both)
    cell = scenario.area_index("grid", xy)
    unknown = hour_unknown(times)
    ok = (cell >= 0) & ~unknown
    np.add.at(counts, (cell[ok], col[ok]), 1.0)
    spread = (cell >= 0) & unknown  # each slot of its day alike
    np.add.at(counts, (cell[spread][:, None],
                       weekday[spread][:, None] * per_day + np.arange(per_day)), 1.0 / per_day)
    span_days = max(1.0, float((times.max() - times.min()).astype(np.int64)) / 1440.0)
    return counts, span_days / 7.0


def weekly_weights(scenario: Scenario, before: datetime | None = None) -> FloatArray:
    """Recorded incidents a week per grid and hour of the week (7 × 24 columns from Monday
    00:00), plus 1 % of their mean so that quiet cells count: the weights of the simulator's
    KPIs (DESIGN §4) and, of the incidents ``before`` the plan, the posture's ``record``
    dosage yardstick."""
    return weights_of(*weekly_counts(scenario, 60, before))


def weights_of(counts: FloatArray, weeks: float) -> FloatArray:
    """:func:`weekly_weights` of counts :func:`weekly_counts` made (hourly), for a caller
    that needs the counts too."""
    week = counts / weeks
    out: FloatArray = week + 0.01 * max(float(week.mean()), 1e-12)
    return out


def outside_hint(lonlat: bool, datum: str, crs: str) -> str:
    """What to check when a record's incidents lie outside every grid: a lon/lat record's
    datum (a web map's GCJ-02 or BD-09 read as WGS 84), an x/y record's CRS. ``datum`` and
    ``crs`` are what scenario.toml says. The words of `xunfang scenario check`, the plan's
    command line and its forecast stage alike (a review: an x/y record had been told to check
    a web map's datum)."""
    if lonlat:
        return (f"lon/lat from 高德/腾讯 (GCJ-02) or 百度 (BD-09) maps need coords = \"gcj02\" "
                f"or \"bd09\" in scenario.toml (it says {datum!r})")
    return (f"x/y in another CRS than scenario.toml's crs ({crs!r}) lie elsewhere: check the "
            "CRS the record was exported in")

