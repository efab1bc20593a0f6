"""The intelligence stage inside ``xunfang plan``: risk per grid and slot, in plan.json, risk.csv
and the report."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

import xunfang.scenarios
from xunfang.cli.main import _risk_notes, app
from xunfang.intel import EventSet, MethodError, forecast, open_incidents
from xunfang.intel.forecast import per_slot
from xunfang.intel.methods import Naive
from xunfang.intel.sources import units_for
from xunfang.intel.stage import RiskTable, risk_stage
from xunfang.plan import make_slots
from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.report.folder import write_plan_folder
from xunfang.report.html import _risk_section
from xunfang.report.i18n import t
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
    # the forecast's check over the record's last four weeks, naive counts beside it
    check = doc["stages"]["intel"]["check"]
    assert (check["first"], check["last"], check["hottest"]) == ("2025-12-04", "2025-12-31",
                                                                 [1, 2, 4])
    assert [r["method"] for r in check["rows"]] == [f"auto → {stage['chosen']}", "naive"]
    part = html[html.index('id="risk-check"'):html.index("</section>",
                                                          html.index('id="risk-check"'))]
    # auto chose naive: one row, said to be naive's forecast, with its share's interval
    assert "Hottest 4 grids" in part and "<td>naive</td>" not in part and "Actual" in part
    assert "the same forecast as naive counts, every day" in part
    assert f"{check['per_day']:.1f}" in part


def _risk_table(grids: tuple[str, ...], starts: list[str], risk: np.ndarray) -> RiskTable:
    return RiskTable(method="naive", chosen=None, grids=grids, slots=tuple(starts), risk=risk,
                     trained_from=date(2025, 1, 1), trained_to=date(2026, 1, 1), as_of=None,
                     incidents_in_window=10)


def test_report_maps_every_hour_of_a_day_of_half_hour_slots() -> None:
    """A plan of 30-minute slots drew its first 24 slots: half a day, and the county's 21:00
    peak never showed (a review found it). The maps are now the day's 24 hours."""
    sc = load("ebian")
    grids = tuple(a.id for a in sc.areas_of("grid"))
    starts = [(datetime(2026, 11, 30) + timedelta(minutes=30 * k)).isoformat(
        timespec="minutes") for k in range(96)]  # two days
    risk = np.zeros((len(grids), 96))
    risk[3, 42] = risk[3, 43] = 0.004  # G4 at 21:00–22:00, a quiet county's few incidents
    risk[0, 48 + 10] = 0.001  # G1 on the second day only
    result = SimpleNamespace(risk=_risk_table(grids, starts, risk), scenario=sc, stages={})
    maps, hot, info = _risk_section(
        result, lambda key, **kw: t(key, "en", **kw))  # type: ignore[arg-type]
    assert len(maps) == 24 and ">21:00<" in maps[21] and ">23:00<" in maps[23]
    assert info is not None and info["more"] == t("risk_more", "en", n=48)
    # the legend reads the small numbers, and names the colour of a grid with none
    labels = [label for _, label in info["classes"]]
    assert labels[0] == "0" and labels[-1] == "0.0067–0.0080"
    # a grid is named on the map; the peak carries its day when the plan has several; a grid
    # with nothing expected has no peak
    assert ">G4</text>" in maps[0]
    # two-hour slots: the day's 12 maps, not 24 over two days
    starts2 = [(datetime(2026, 11, 30) + timedelta(hours=2 * k)).isoformat(timespec="minutes")
               for k in range(24)]
    two = SimpleNamespace(risk=_risk_table(grids, starts2, np.ones((len(grids), 24))),
                          scenario=sc, stages={})
    maps2, _, info2 = _risk_section(two, lambda key, **kw: t(key, "en", **kw))  # type: ignore[arg-type]
    assert len(maps2) == 12 and info2 is not None and info2["more"] == t("risk_more", "en", n=12)
    peaks = {r["grid"]: r["peak"] for r in hot}
    names = {a.id: a.name for a in sc.areas_of("grid")}
    assert peaks[names["G4"]] == "11-30 21:00" and peaks[names["G1"]] == "12-01 05:00"
    assert peaks[names["G2"]] == "—"


def test_a_plan_without_a_forecast_says_so(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario without an incident record planned in silence, every grid weighed the same;
    the report and the command line now say so."""
    sc = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", sc)
    (sc / "incidents.csv").unlink()
    res = CliRunner().invoke(app, ["plan", str(sc), "--out", str(tmp_path / "p"), "--lang",
                                   "en", "--from", "2026-11-30"])
    assert res.exit_code == 0, res.output
    assert "warning: no incident forecast" in " ".join(res.stderr.split())
    html = (tmp_path / "p" / "report.html").read_text(encoding="utf-8")
    assert 'class="warn">No incident forecast: the scenario has no incident record' in html
    # five incidents of one day: planned (at their level), with a warning
    rows = (Path(xunfang.scenarios.__file__).parent / "ebian" / "incidents.csv").read_text(
        encoding="utf-8").splitlines()
    (sc / "incidents.csv").write_text("\n".join([rows[0], *rows[-5:]]) + "\n",
                                      encoding="utf-8")
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(load(str(sc)), slots)
    assert isinstance(risk, RiskTable) and risk.risk.sum() == pytest.approx(5.0, rel=0.01)
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots)))
    said = " ".join(capsys.readouterr().err.split())
    assert "the forecast rests on 5 incidents" in said and "the record starts on" in said
