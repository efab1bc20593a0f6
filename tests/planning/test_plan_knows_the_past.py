"""A plan is made from what is known before it starts: a record running on past its first
slot (a past day re-planned to compare with what came) steers no stage."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np

from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.scenario import load
from xunfang.scenario.model import Incidents


def _with_later_incidents(n: int = 3000) -> tuple[object, object]:
    sc = load("ebian")
    inc = sc.incidents
    grid = sc.areas_of("grid")[-1]
    at = np.asarray(grid.geometry.representative_point().coords[0])
    rng = np.random.default_rng(0)
    times = (np.datetime64("2026-12-02T00:00")
             + rng.integers(0, 20 * 1440, n).astype("timedelta64[m]"))
    both = Incidents(
        ids=inc.ids + tuple(f"F{i}" for i in range(n)),
        time=np.concatenate([inc.time, times]),
        xy=np.vstack([inc.xy, np.repeat(at[None], n, axis=0)]),
        category=inc.category + (inc.category[0],) * n,
        priority=np.concatenate([inc.priority, np.full(n, int(inc.priority[0]))]),
        extra={k: v + (v[0],) * n for k, v in inc.extra.items()})
    return sc, dataclasses.replace(sc, incidents=both)


def _timeless(value: object) -> object:
    """A stage's record without its timings."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list | tuple):
        return [_timeless(v) for v in value]
    return value


def test_incidents_after_the_plans_start_change_nothing() -> None:
    """A review: 3,000 incidents in one grid dated after the plan's first day moved that
    grid's share of the unit-slots from 2.8 % to 10.8 % (531 of 912 assignments changed)
    through the dosage yardstick, with nothing said. Now the plan is the same, and plan.json
    says how many incidents it left out."""
    sc, later = _with_later_incidents()
    req = PlanRequest(start=date(2026, 12, 1), days=1)
    a, b = build_plan(sc, req), build_plan(later, req)  # type: ignore[arg-type]
    assert a.plan.assignments == b.plan.assignments
    for stage in ("checkpoints", "rings", "kpis", "posture"):
        assert _timeless(a.stages[stage]) == _timeless(b.stages[stage]), stage
    assert "record" not in a.stages
    assert b.stages["record"]["incidents_from_plan_start"] == 3000
    assert b.scenario is later  # the report's scenario: the whole record
    # which says how many of its incidents the plan used
    from xunfang.report.html import render_report

    html = render_report(b, req, lang="en")
    total = len(later.incidents.ids)  # type: ignore[attr-defined]
    assert f"{total} ({total - 3000} before the plan; 3000 after it, not used)" in html
