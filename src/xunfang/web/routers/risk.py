"""The risk forecast of the centre's prevention grids: `xunfang intel forecast SCENARIO`, with
the incidents the centre has imported and taken since."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query

from xunfang import store
from xunfang._errors import XunfangError
from xunfang.intel import Slots
from xunfang.intel.stage import GridForecast, grid_check, grid_forecast
from xunfang.plan import tomorrow
from xunfang.web.deps import CentreDep, Reader

router = APIRouter(prefix="/api/risk", tags=["risk"])


@router.get("")
def get_risk(
    _: Reader,
    c: CentreDep,
    start: Annotated[date | None, Query(alias="from", description=(
        "First day (default: tomorrow in the scenario's time zone)."))] = None,
    days: Annotated[int, Query(ge=1, le=31)] = 1,
    method: Annotated[str, Query(min_length=1, max_length=64)] = "auto",
    slots: Literal["hour", "shift"] = "hour",
    train_days: Annotated[int, Query(ge=1, le=3650)] = 365,
    check: Annotated[bool, Query(description=(
        "Also check the method over the record's last weeks, naive counts beside it."))]
    = False,
) -> dict[str, object]:
    """Expected incidents per grid and slot, from the scenario's record and every incident
    stored here (imported or reported; one the record holds already is not counted twice).
    A record that stops before the first day is forecast as of its end, as the plan does."""
    sc = c.scenario
    first = start or tomorrow(sc.timezone)
    # only what happened before the first day: a forecast never sees its own days
    ids, times, xs, ys, cats = store.incident_points(c.store, c.scenario_id,
                                                     until=datetime.combine(first, time()))
    more = (ids, np.array(times, dtype="datetime64[m]"),
            np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)]))
    try:
        g = grid_forecast(sc, start=first, days=days, method=method,
                          slots=Slots(slots, tuple(sc.policy.shift_starts)),
                          train_days=train_days, more=more, more_categories=cats)
    except (XunfangError, ValueError, OverflowError) as exc:
        raise HTTPException(422, str(exc)) from None
    doc = g.forecast.as_json()
    doc["tz"] = sc.timezone
    # "stored": the new ones of the categories; where the training window leaves some out,
    # "stored_used" those in it, the others counted by why (a review: "stored: 60" of 60
    # imported after the record's end, none of them used, and nothing said)
    counts: dict[str, object] = {"record": len(sc.incidents), "stored": g.added}
    doc["incidents"] = counts
    counts.update(_outside_window(g))
    if sc.risk_categories:  # what the forecast counts: the plan's risk_categories
        doc["categories"] = [name.strip() for name in sc.risk_categories]
        if g.absent:
            doc["categories_absent"] = list(g.absent)
        note = _left_out(sc.risk_categories, ids, cats, sc.incidents.ids)
        if note:  # beside the counts it explains
            counts["note"] = note
    if check:  # the method over the last weeks before it: as the plan's report shows it
        doc["check"] = grid_check(sc, g, method=method, train_days=train_days).as_json()
    return doc


def _left_out(wanted: tuple[str, ...], ids: list[str], cats: list[str],
              record: tuple[str, ...]) -> str:
    """What the forecast says of the stored incidents (not the record's own) it leaves out
    for their category; "" where it leaves none. A review: 40 imported without a category
    were stored, and /api/risk counted 0 of them without a word."""
    from xunfang.intel.sources import left_out_by_category

    if not len(ids):
        return ""
    new = ~np.isin(np.asarray(ids, dtype=str), np.asarray(record, dtype=str))
    other, none = left_out_by_category(cats, wanted)
    out = new & other
    if not out.any():
        return ""
    blank = int((new & none).sum())
    without = f" ({blank:,} of them without a category)" if blank else ""
    return (f"{int(out.sum()):,} of the {int(new.sum()):,} stored incidents are left out"
            f"{without}: the forecast counts only scenario.toml risk_categories "
            f"({', '.join(c.strip() for c in wanted)})")


def _outside_window(g: GridForecast) -> dict[str, object]:
    """The stored incidents the training window leaves out, counted, and why ("window_note");
    {} where it leaves none."""
    fc = g.forecast
    out: dict[str, object] = {}
    why = []
    if g.after_end:
        out["stored_after_record_end"] = g.after_end
        why.append(
            f"{g.after_end:,} come on or after the record's end, {fc.trained_to}: after the "
            "gap where its incidents stop they are too few, at its rate, to be the record "
            "going on, so the forecast is made as of that end, as a plan is (made as of "
            "them, it would count the gap's days as days of no incident)")
    if g.before_window:
        out["stored_before_window"] = g.before_window
        why.append(f"{g.before_window:,} come before the training window's first day, "
                   f"{fc.trained_from} (train_days)")
    if why:
        out["stored_used"] = g.used
        out["window_note"] = (f"{g.added - g.used:,} of the {g.added:,} stored incidents are "
                              f"left out of the forecast: {'; '.join(why)}")
    return out
