"""The recorded incidents as a weekly profile per grid: the naive risk the simulator's KPIs
weigh by (DESIGN.md §4) and the posture's dosage yardstick."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import shapely

from xunfang.scenario.model import FloatArray, Scenario


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
    cell = np.full(len(times), -1)
    for c, g in enumerate(grids):
        inside = shapely.contains_xy(g.geometry, xy[:, 0], xy[:, 1])
        cell[(cell < 0) & inside] = c
    ok = cell >= 0
    np.add.at(counts, (cell[ok], col[ok]), 1.0)
    span_days = max(1.0, float((times.max() - times.min()).astype(np.int64)) / 1440.0)
    return counts, span_days / 7.0


def weekly_weights(scenario: Scenario, before: datetime | None = None) -> FloatArray:
    """Recorded incidents a week per grid and hour of the week (7 × 24 columns from Monday
    00:00), plus 1 % of their mean so that quiet cells count: the weights of the simulator's
    KPIs (DESIGN §4) and, of the incidents ``before`` the plan, the posture's ``record``
    dosage yardstick."""
    counts, weeks = weekly_counts(scenario, 60, before)
    week = counts / weeks
    out: FloatArray = week + 0.01 * max(float(week.mean()), 1e-12)
    return out
