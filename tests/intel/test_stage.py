"""The intelligence stage inside ``xunfang plan``: risk per grid and slot, in plan.json, risk.csv
and the report."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from xunfang.intel import EventSet, MethodError, forecast, open_incidents
from xunfang.intel.forecast import per_slot
from xunfang.intel.methods import Naive
from xunfang.intel.sources import units_for
from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.report.folder import write_plan_folder
from xunfang.scenario import load


def test_per_slot_sums_and_splits_hours() -> None:
    src = open_incidents("ebian")
    assert src.scenario is not None
    ev = EventSet.build(units_for("grids", src.table, src.scenario), src.table.time,
                        src.table.xy)
    fc = forecast(ev, Naive(), start=date(2025, 6, 1), days=1, train_days=365)
    t0 = datetime(2025, 6, 1)
    two = per_slot(fc, [t0 + timedelta(hours=2 * k) for k in range(12)], 120)
    np.testing.assert_allclose(two[:, 0], fc.risk[0][:, 0] + fc.risk[0][:, 1])
    half = per_slot(fc, [t0 + timedelta(minutes=30 * k) for k in range(48)], 30)
    np.testing.assert_allclose(half[:, 0], fc.risk[0][:, 0] / 2)
    np.testing.assert_allclose(half.sum(axis=1), fc.risk[0].sum(axis=1))
    with pytest.raises(MethodError, match="outside the forecast days"):
        per_slot(fc, [t0 + timedelta(days=1)], 60)


@pytest.fixture(scope="module")
def ebian_plan() -> object:
    return build_plan(load("ebian"), PlanRequest(start=date(2026, 11, 29), days=1))


def test_plan_of_the_builtin_county_carries_the_risk_table(ebian_plan: object,
                                                           tmp_path: Path) -> None:
    result = ebian_plan
    risk = result.risk  # type: ignore[attr-defined]
    assert risk is not None and risk.risk.shape == (7, 24)
    # the county's record ends on 2025-12-31: the forecast says it starts from there
    assert risk.as_of == date(2026, 1, 1)
    assert risk.trained_from == date(2025, 1, 1)
    assert risk.incidents_in_window > 2000
    stage = result.stages["intel"]  # type: ignore[attr-defined]
    assert stage["method"] == "auto" and stage["chosen"] in ("naive", "decay", "kde",
                                                             "prospective")
    assert len(stage["risk"]) == 7 and len(stage["risk"][0]) == 24
    # the expected incidents of a day match the record's daily rate (about 8.6 a day)
    assert 5 < stage["expected_total"] < 12
    out = write_plan_folder(result, PlanRequest(start=date(2026, 11, 29)), tmp_path / "p",  # type: ignore[arg-type]
                            lang="en")
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["stages"]["intel"]["grids"] == list(risk.grids)
    with (out / "risk.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7 * 24 and rows[0]["slot"] == "2026-11-29T00:00"
    html = (out / "report.html").read_text(encoding="utf-8")
    # a risk map per slot, and one of visibility by grid in the KPI section
    assert 'id="risk"' in html and html.count('class="heat"') == 24 + 1
    hottest = risk.hot(1)[0][0]
    name = next(a.name for a in result.scenario.areas_of("grid")  # type: ignore[attr-defined]
                if a.id == hottest)
    assert html.index(name, html.index("Hot grids")) > 0
