"""The report's hot grids and heat-map scale: ranked by the forecast's one rule, and a scale
that holds every slot the plan forecasts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from xunfang.intel.stage import RiskTable, grid_sizes
from xunfang.intel.units import scenario_grids
from xunfang.report.html import _risk_section
from xunfang.report.i18n import t
from xunfang.report.svgmap import heat_colour
from xunfang.scenario import load


@pytest.fixture(scope="module")
def county() -> Any:
    return load("ebian")


def _en(key: str, **kw: object) -> str:
    return t(key, "en", **kw)


def _table(sc: Any, totals: dict[str, float], slots: list[str], sizes: bool = True,
           shape: np.ndarray | None = None) -> RiskTable:
    grids = tuple(scenario_grids(sc).ids)
    w = np.full(len(slots), 1 / len(slots)) if shape is None else shape / shape.sum()
    risk = np.array([[totals.get(g, 0.1) * x for x in w] for g in grids])
    return RiskTable(method="naive", chosen=None, grids=grids, slots=tuple(slots), risk=risk,
                     trained_from=date(2025, 1, 1), trained_to=date(2026, 1, 1), as_of=None,
                     incidents_in_window=3000,
                     sizes=grid_sizes(sc, grids) if sizes else None)


def _hours(day: str, n: int = 24) -> list[str]:
    return [f"{day}T{h:02d}:00" for h in range(n)]


def test_hot_grids_rank_per_km2_with_the_expected_beside(county: Any) -> None:
    """A review: the report ranked its hot grids by expected incidents, /api/risk and `intel
    forecast` per km² (Forecast.hot_order). G3 (0.90 km²) expects more, G5 (0.57 km²) more
    per km²: G5 leads, as everywhere else, and the table says by what rule."""
    size = dict(zip(scenario_grids(county).ids, scenario_grids(county).size / 1e6,
                    strict=True))
    totals = {"G3": 1.2, "G5": 1.0}
    assert totals["G3"] > totals["G5"] and totals["G5"] / size["G5"] > totals["G3"] / size["G3"]
    risk = _table(county, totals, _hours("2026-12-01"))
    assert [g for g, _ in risk.hot(2)] == ["G5", "G3"]
    doc = risk.as_json()
    assert doc["hot_ranked_by"] == "per_km2" and doc["hot"][0]["grid"] == "G5"
    assert doc["hot"][0]["per_km2"] == pytest.approx(1.0 / size["G5"], abs=1e-3)
    assert doc["hot"][0]["expected"] == pytest.approx(1.0)
    names = {a.id: a.name for a in county.areas_of("grid")}
    # a table read back from plan.json carries no sizes: the scenario's grids give them
    for table in (risk, _table(county, totals, _hours("2026-12-01"), sizes=False)):
        _, hot, info = _risk_section(SimpleNamespace(risk=table, scenario=county, stages={}),  # type: ignore[arg-type]
                                     _en)
        assert [r["grid"] for r in hot[:2]] == [names["G5"], names["G3"]]
        assert hot[0]["expected"] == "1.00" and hot[0]["per_km2"] == f"{1.0 / size['G5']:.2f}"
        assert info is not None and "per km²" in info["hot_rule"] and info["per_km2"]


def _two_days(county: Any) -> RiskTable:
    """Two days of hours: day 1's highest 0.2 (G4 at 20:00), day 2's G4 at 21:00 0.266, as
    the review's plan (its day 1 ran to 0.24)."""
    slots = _hours("2026-12-04") + _hours("2026-12-05")
    shape = np.full(48, 0.01)
    table = _table(county, {}, slots, shape=shape)
    g4 = table.grids.index("G4")
    table.risk[:, :] = 0.02
    table.risk[g4, 20] = 0.2
    table.risk[g4, 24 + 21] = 0.266
    return table


def test_the_heat_scale_holds_every_slot_and_the_peak_is_drawn(county: Any) -> None:
    """A review: a two-day report's legend said "one scale for all slots" but ran to day 1's
    top, 0.24; day 2's peak, 0.266 (G4, 12-05 21:00), named in the hot table, had no map."""
    table = _two_days(county)
    maps, hot, info = _risk_section(SimpleNamespace(risk=table, scenario=county, stages={}),  # type: ignore[arg-type]
                                    _en)
    assert info is not None
    # the legend's classes run to the plan's highest, day 2's (not day 1's 0.20)
    assert info["classes"][-1][1].endswith("–0.27")
    # the first day's 24 maps and the peak's after them, all on that scale
    assert len(maps) == 25 and "12-05 21:00 (plan" in maps[-1] and "peak)" in maps[-1]
    assert "The last map is the plan's highest slot, 12-05 21:00" in info["more"]
    g4 = next(r for r in hot if r["grid"] == next(a.name for a in county.areas_of("grid")
                                                   if a.id == "G4"))
    assert g4["peak"] == "12-05 21:00"  # drawn: named as it is
    assert heat_colour(0.2, 0.266) != heat_colour(0.2, 0.2)  # the test can tell the scales
    assert f'fill="{heat_colour(0.2, 0.266)}"' in maps[20]
    assert f'fill="{heat_colour(0.266, 0.266)}"' in maps[24]
    # a second grid peaking on day 2 at another hour has no map, and says so
    g3 = table.grids.index("G3")
    table.risk[g3, 24 + 3] = 0.1
    _, hot, _ = _risk_section(SimpleNamespace(risk=table, scenario=county, stages={}),  # type: ignore[arg-type]
                              _en)
    name = next(a.name for a in county.areas_of("grid") if a.id == "G3")
    assert next(r for r in hot if r["grid"] == name)["peak"] == "12-05 03:00 (no map: risk.csv)"
