"""The intelligence stage inside ``xunfang plan``: risk per grid and slot, in plan.json, risk.csv
and the report."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
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
from xunfang.intel.stage import RiskTable, grid_forecast, risk_stage
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning import coverage
from xunfang.planning.deploy.from_plan import _risk_table as read_risk
from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.report.folder import write_plan_folder
from xunfang.report.html import _risk_section
from xunfang.report.i18n import t
from xunfang.report.layers import forecast_layer, peak_slot
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
    # a risk map per slot; visibility by grid in the KPI section is a map of its own
    # (review HD)
    assert 'id="risk"' in html and html.count('class="heat"') == 24
    assert html.count('class="sharemap"') == 1
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
    # a plan of two days: each map carries its day
    assert len(maps) == 24 and ">11-30 21:00<" in maps[21] and ">11-30 23:00<" in maps[23]
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
    # G1's peak lies on the second day, which has no map: said so (a review)
    assert peaks[names["G4"]] == "11-30 21:00"
    assert peaks[names["G1"]] == "12-01 05:00 (no map: risk.csv)"
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


def _county_with(tmp_path: Path, change: object) -> Path:
    """A copy of the built-in county whose incidents.csv rows (after the header) are
    ``change(rows)``: each row a list of its fields (id, time, x, y, category, priority)."""
    sc = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", sc)
    with (sc / "incidents.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with (sc / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0], *change(rows[1:])])  # type: ignore[operator]
    return sc


def _en(key: str, **kw: object) -> str:
    return t(key, "en", **kw)


def test_incidents_outside_every_grid_are_counted_and_said(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A record with a quarter of its incidents 15 km from town planned in silence: the plan
    printed nothing, plan.json and the report held no count (a review). They now do, in
    `xunfang intel forecast`'s words."""
    def moved(rows: list[list[str]]) -> list[list[str]]:
        for k, r in enumerate(rows):
            if k % 4 == 0:
                r[2] = f"{float(r[2]) + 15000:.1f}"
        return rows

    sc = load(str(_county_with(tmp_path, moved)))
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots)
    assert isinstance(risk, RiskTable)
    n = len(sc.incidents)
    off = (n + 3) // 4
    assert (risk.incidents, risk.outside_grids) == (n, off)
    doc = risk.as_json()
    assert (doc["incidents"], doc["incidents_outside_grids"]) == (n, off)
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots),
                                scenario=sc))
    said = " ".join(capsys.readouterr().err.split())
    assert f"warning: {off} of {n} incidents ({off / n:.1%}) lie outside every grid" in said
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None
    # the county's record is in x/y: the advice is the CRS's, not a web map's datum
    assert ("warn", _en("risk_outside", off=off, total=n, p=f"{off / n:.1%}")
            + _en("risk_outside_xy")) in info["caveats"]
    zh = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}),  # type: ignore[arg-type]
                       lambda key, **kw: t(key, "zh", **kw))[2]
    assert zh is not None and any(f"有 {off} 起" in text and "位于所有防控网格之外" in text
                                  for _, text in zh["caveats"])
    # the county's own record lies in its grids: nothing said
    whole = risk_stage(load("ebian"), slots)
    assert isinstance(whole, RiskTable) and whole.outside_grids == 0
    _, _, quiet = _risk_section(SimpleNamespace(risk=whole, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert quiet is not None and [c[1][:5] for c in quiet["caveats"]] == ["auto:"]


def test_dates_without_times_give_no_peak_slot(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A record of dates without times of day spreads each day evenly over its hours; the
    report's hot grids and the GeoJSON layer gave every grid the peak 00:00 (a review). They
    give none now, and the plan and the report say why."""
    def dates(rows: list[list[str]]) -> list[list[str]]:
        for r in rows:
            r[1] = r[1][:10]
        return rows

    sc = load(str(_county_with(tmp_path, dates)))
    slots = make_slots(date(2026, 1, 1), days=2, slot_minutes=60)
    risk = risk_stage(sc, slots)
    assert isinstance(risk, RiskTable) and "dates without times of day" in risk.details["hours"]
    _, hot, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert hot and all(r["peak"] == "—" for r in hot)
    assert info is not None and ("note", _en("risk_dates_only")) in info["caveats"]
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots)))
    assert "note: the incidents carry dates without times of day" in " ".join(
        capsys.readouterr().err.split())
    # the layer of the same forecast: no riskiest slot for any grid
    g = grid_forecast(sc, start=date(2026, 1, 1), days=2)
    layer = forecast_layer(g.forecast, sc.crs.working)
    assert all(f["properties"]["peak_slot"] is None
               and f["properties"]["peak_expected"] is None for f in layer["features"])
    # a record with times keeps its peaks, at different hours for different grids
    timed = risk_stage(load("ebian"), slots)
    assert isinstance(timed, RiskTable)
    _, hot2, _ = _risk_section(SimpleNamespace(risk=timed, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert all(r["peak"] != "—" for r in hot2) and len({r["peak"] for r in hot2}) > 1
    layer2 = forecast_layer(grid_forecast(load("ebian"), start=date(2026, 1, 1)).forecast,
                            sc.crs.working)
    assert all(f["properties"]["peak_slot"] for f in layer2["features"])


def test_peak_slot_of_half_hours_and_of_even_days() -> None:
    starts = [f"2026-01-01T{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
    row = np.full(48, 0.1)
    assert peak_slot(row, starts) is None  # all equal
    row[42] = row[43] = 0.3  # 21:00 split into two halves: its hour is the peak
    assert peak_slot(row, starts) == 42
    row[10] = 0.3  # tied at another hour of day: no one peak
    assert peak_slot(row, starts) is None
    assert peak_slot(np.zeros(48), starts) is None


def test_a_hole_in_the_record_is_said_in_the_report(tmp_path: Path) -> None:
    """Six weeks missing from the record: plan.json held the unrecorded days and the coverage
    factor, the report said nothing (a review)."""
    def holed(rows: list[list[str]]) -> list[list[str]]:
        return [r for r in rows if not "2025-09-01" <= r[1][:10] < "2025-10-13"]

    sc = load(str(_county_with(tmp_path, holed)))
    risk = risk_stage(sc, make_slots(date(2026, 1, 1), days=1, slot_minutes=60))
    assert isinstance(risk, RiskTable)
    days, factor = risk.details["unrecorded_days"], risk.details["coverage_factor"]
    assert days >= 42 and factor > 1
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None
    assert ("warn", _en("risk_unrecorded", n=days) + _en("risk_coverage", f=f"{factor:.3f}")
            ) in info["caveats"]


def test_few_incidents_and_an_old_record_are_said_in_the_report() -> None:
    """The report left out the command line's "rests on 12 incidents" warning, and said of a
    record that ends long before the plan only that the forecast starts from its end, never
    how old it is (a review)."""
    sc = load("ebian")
    grids = tuple(a.id for a in sc.areas_of("grid"))
    starts = [f"2026-11-30T{h:02d}:00" for h in range(24)]
    old = RiskTable(method="naive", chosen=None, grids=grids, slots=tuple(starts),
                    risk=np.ones((len(grids), 24)), trained_from=date(2025, 7, 1),
                    trained_to=date(2026, 1, 1), as_of=date(2026, 1, 1),
                    incidents_in_window=12)
    _, _, info = _risk_section(SimpleNamespace(risk=old, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None
    assert ("warn", _en("risk_few", n=12)) in info["caveats"]
    assert "little more than a guess" in _en("risk_few", n=12)
    # 2025-12-31 is 334 days before 2026-11-30, as the command line says it
    assert "ends on 2025-12-31, 334 days before the plan" in info["as_of"]
    # of which the 333 between its end and the plan are unknown (a review: "335 days since")
    assert "knows nothing of the 333 days between" in info["as_of"]
    assert "止于 2025-12-31，早于方案首日 334 天" in _risk_section(
        SimpleNamespace(risk=old, scenario=sc, stages={}),  # type: ignore[arg-type]
        lambda key, **kw: t(key, "zh", **kw))[2]["as_of"]  # type: ignore[index]
    # and the window is said to hold its last day
    assert info["window"] == "2025-07-01 – 2025-12-31"
    assert "both days included" in _en("risk_note", method="m", window="w", n=1, total=1)
    enough = replace(old, incidents_in_window=50)
    _, _, info2 = _risk_section(SimpleNamespace(risk=enough, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info2 is not None and info2["caveats"] == []


def test_plan_json_trained_to_is_the_first_day_not_trained_on() -> None:
    """plan.json gave the last day trained on, `intel forecast --json`, its GeoJSON and
    /api/risk the first day after it (a review): now the latter everywhere, and a plan
    folder of either reads back to the same window."""
    sc = load("ebian")
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="naive")
    assert isinstance(risk, RiskTable)
    fc = grid_forecast(sc, start=date(2026, 1, 1), method="naive").forecast
    doc = risk.as_json()
    assert doc["trained_to"] == fc.as_json()["trained_to"] == "2026-01-01"
    assert forecast_layer(fc, sc.crs.working)["trained_to"] == doc["trained_to"]
    assert read_risk(doc, "plan.json").trained_to == risk.trained_to  # type: ignore[union-attr]
    older = {k: v for k, v in doc.items() if k not in ("incidents", "incidents_outside_grids")}
    older["trained_to"] = "2025-12-31"  # a plan.json of before: the last day trained on
    assert read_risk(older, "plan.json").trained_to == risk.trained_to  # type: ignore[union-attr]


def test_report_maps_of_a_plan_of_several_days_carry_their_date() -> None:
    """With --days 2 the maps, of the first day, were labelled 00:00 … 23:00 with no date."""
    sc = load("ebian")
    grids = tuple(a.id for a in sc.areas_of("grid"))
    starts = [(datetime(2026, 11, 30) + timedelta(hours=k)).isoformat(timespec="minutes")
              for k in range(48)]
    table = _risk_table(grids, starts, np.ones((len(grids), 48)))
    maps, _, info = _risk_section(SimpleNamespace(risk=table, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert len(maps) == 24 and ">11-30 00:00<" in maps[0] and ">11-30 23:00<" in maps[23]
    assert info is not None and info["maps_of"] == _en("risk_maps_of", d="2026-11-30")
    one = _risk_table(grids, starts[:24], np.ones((len(grids), 24)))
    maps1, _, info1 = _risk_section(SimpleNamespace(risk=one, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert ">00:00<" in maps1[0] and info1 is not None and info1["maps_of"] == ""


def _caveats(risk: RiskTable, sc: object, lang: str = "en") -> list[tuple[str, str]]:
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}),  # type: ignore[arg-type]
                               lambda key, **kw: t(key, lang, **kw))
    assert info is not None
    return list(info["caveats"])


def test_outside_grid_advice_follows_the_record_lonlat_or_xy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A review: a record in UTM x/y (Baltimore) was told to check "lon/lat taken from Amap
    or Tencent maps ... gcj02". The datum's advice is for a lon/lat record; x/y's is the
    CRS's, in the report and on the command line."""
    from pyproj import Transformer

    to_ll = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)

    def lonlat(rows: list[list[str]]) -> list[list[str]]:
        out = [["id", "time", "lon", "lat", "category", "priority"]]
        for k, r in enumerate(rows):
            lon, lat = to_ll.transform(float(r[2]) + (15000 if k % 4 == 0 else 0), float(r[3]))
            out.append([r[0], r[1], f"{lon:.6f}", f"{lat:.6f}", r[4], r[5]])
        return out

    folder = _county_with(tmp_path, lonlat)
    rows = (folder / "incidents.csv").read_text(encoding="utf-8").splitlines()
    (folder / "incidents.csv").write_text("\n".join(rows[1:]) + "\n", encoding="utf-8")
    sc = load(str(folder))
    assert sc.incident_coords == "lonlat"
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="naive")
    assert isinstance(risk, RiskTable) and risk.outside_grids
    text = " ".join(c[1] for c in _caveats(risk, sc))
    assert "Amap" in text and "the CRS" not in text
    assert "高德" in " ".join(c[1] for c in _caveats(risk, sc, "zh"))
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots),
                                scenario=sc))
    assert "gcj02" in capsys.readouterr().err
    # the same record in x/y: the CRS, not a web map
    xy = load(str(_county_with(tmp_path / "xy", lambda rows: [
        [r[0], r[1], f"{float(r[2]) + (15000 if k % 4 == 0 else 0):.1f}", *r[3:]]
        for k, r in enumerate(rows)])))
    assert xy.incident_coords == "xy"
    risk = risk_stage(xy, slots, method="naive")
    assert isinstance(risk, RiskTable) and risk.outside_grids
    text = " ".join(c[1] for c in _caveats(risk, xy))
    assert "CRS" in text and "Amap" not in text and "gcj02" not in text
    assert "高德" not in " ".join(c[1] for c in _caveats(risk, xy, "zh"))
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots),
                                scenario=xy))
    err = " ".join(capsys.readouterr().err.split())
    assert "CRS" in err and "gcj02" not in err


def test_an_unconverged_fit_is_said_by_the_plan_and_its_report(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A review: `plan --risk-method etas` used a fit whose EM stopped after 500 iterations
    unconverged (details converged: False), and the plan and report said nothing, where
    `intel forecast` says it. Both say it now; a converged fit is not said."""
    sc = load("ebian")
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    base = risk_stage(sc, slots, method="naive")
    assert isinstance(base, RiskTable)
    for converged in (True, False):
        risk = replace(base, method="etas", details={**base.details, "converged": converged,
                                                     "iterations": 500})
        _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots),
                                    scenario=sc))
        err = " ".join(capsys.readouterr().err.split())
        said = _en("risk_unconverged", method="etas", n=500)
        if converged:
            assert "unconverged" not in err
            assert said not in [c[1] for c in _caveats(risk, sc)]
        else:
            assert "etas: EM stopped after 500 iterations unconverged" in err
            assert ("warn", said) in _caveats(risk, sc)
            assert any("500" in c[1] and "未收敛" in c[1] for c in _caveats(risk, sc, "zh"))
    # read back from plan.json, as a re-rendered report does
    doc = replace(base, method="etas", details={"converged": False, "iterations": 500})
    again = read_risk(doc.as_json(), "plan.json")
    assert again is not None and ("warn", _en("risk_unconverged", method="etas", n=500)) in \
        _caveats(again, sc)


def test_the_day_the_clocks_change_is_said_by_the_plan_and_its_report(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A review: on the day the clocks go back (2026-11-01 in America/New_York) the 01:00
    slot held two hours of risk and showed as the hottest map; the plan and report said
    nothing (plan.json held it in details.clock_changes only). They say which slot holds two
    hours, and on the spring day which is an hour short; the slots stay as they are."""
    sc = replace(load("ebian"), timezone="America/New_York")
    for day, key, hour, words in ((date(2026, 11, 1), "risk_clock_back", 1,
                                   "01:00 happens twice, and its slot holds two hours"),
                                  (date(2026, 3, 8), "risk_clock_forward", 2,
                                   "02:00 is skipped, and its slot holds an hour less")):
        slots = make_slots(day, days=1, slot_minutes=60)
        risk = risk_stage(sc, slots, method="naive")
        assert isinstance(risk, RiskTable) and risk.risk.shape[1] == 24
        _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots),
                                    scenario=sc))
        err = " ".join(capsys.readouterr().err.split())
        assert f"on {day} in America/New_York: {words}" in err
        assert ("warn", _en(key, day=str(day), tz="America/New_York", h=f"{hour:02d}:00")) \
            in _caveats(risk, sc)
        # what it means for the duties (review AH: the plan sheet's 02:00 rows were read as
        # real duties)
        assert "plan_sheet.csv" in err and "roster counts the elapsed hours" in err
        assert ("go on to 03:00" in err) == (hour == 2)
    quiet = risk_stage(sc, make_slots(date(2026, 11, 2), days=1, slot_minutes=60),
                       method="naive")
    assert isinstance(quiet, RiskTable)
    assert not [c for c in _caveats(quiet, sc) if "clocks" in c[1]]


def _county_toml(folder: Path, extra: str) -> Path:
    """``folder`` (a copy of the county) with ``extra`` added to the top of its scenario.toml."""
    toml = folder / "scenario.toml"
    head, rest = toml.read_text(encoding="utf-8").split("[policy]", 1)
    toml.write_text(head + extra + "\n\n[policy]" + rest, encoding="utf-8")
    return folder


def test_a_risk_category_absent_before_the_plan_counts_zero_and_is_said(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A review: ten 诈骗 of December 2025 renamed 电诈, risk_categories = ["电诈", "盗窃"]:
    `scenario check` passed, and a plan from 2025-06-01 failed, "risk_categories '电诈' matches
    no incident's category", though the record holds ten. The loader checks the whole
    record; before the plan's first day the category counts zero, and that is said."""
    def renamed(rows: list[list[str]]) -> list[list[str]]:
        fraud = [r for r in rows if r[4] == "诈骗" and r[1].startswith("2025-12")][:10]
        for r in fraud:
            r[4] = "电诈"
        return rows

    folder = _county_toml(_county_with(tmp_path, renamed), 'risk_categories = ["电诈", " 盗窃 "]')
    sc = load(str(folder))
    first = datetime(2025, 6, 1)
    slots = make_slots(first.date(), days=1, slot_minutes=60)
    risk = risk_stage(sc.known_before(first), slots, method="naive")
    assert isinstance(risk, RiskTable)
    thefts = sum(c == "盗窃" for c, t in zip(sc.incidents.category, sc.incidents.time,
                                             strict=True) if t < np.datetime64(first))
    assert risk.incidents == thefts
    assert risk.details["categories"] == ["电诈", "盗窃"]  # without the blanks
    assert risk.details["categories_absent"] == ["电诈"]
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots)))
    said = " ".join(capsys.readouterr().err.split())
    assert "incidents of 电诈 (none before 2025-06-01), 盗窃 only" in said
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None and any("电诈 (none before 2025-06-01), 盗窃" in text
                                    for _, text in info["caveats"])
    # a typo is still refused, by the loader, against the whole record
    from xunfang import scenario as scenario_mod

    bad = _county_toml(_county_with(tmp_path / "b", renamed), 'risk_categories = ["电炸"]')
    assert any(p.column == "risk_categories" and p.severity == "error"
               for p in scenario_mod.check(bad).problems)


def test_stored_incidents_count_by_the_scenario_categories(tmp_path: Path) -> None:
    """A review: the centre's stored incidents were added whatever their category, and the
    record's own incidents of other categories were new to the duplicate guard (it saw the
    selected ones only): v1's 3,902 raised the expected total from 2.74 to 6.88."""
    sc = load(str(_county_toml(_county_with(tmp_path, lambda rows: rows),
                               'risk_categories = ["盗窃"]')))
    inc = sc.incidents
    start = date(2026, 12, 1)
    alone = grid_forecast(sc, start=start, method="naive")
    again = grid_forecast(sc, start=start, method="naive",
                          more=(list(inc.ids), inc.time, inc.xy),
                          more_categories=list(inc.category))
    assert again.added == 0
    assert again.forecast.risk.sum() == pytest.approx(alone.forecast.risk.sum())
    # the same incidents under new ids: those of the category count, no other
    fresh = grid_forecast(sc, start=start, method="naive",
                          more=([f"new{i}" for i in inc.ids], inc.time, inc.xy),
                          more_categories=list(inc.category))
    assert fresh.added == sum(c == "盗窃" for c in inc.category)
    # without their categories they cannot be counted by them: refused, saying why
    with pytest.raises(MethodError, match=r"risk_categories.*without their categories"):
        grid_forecast(sc, start=start, method="naive",
                      more=([f"new{i}" for i in inc.ids], inc.time, inc.xy))


def test_a_record_outside_every_grid_plans_without_a_forecast(tmp_path: Path) -> None:
    """A regression (af33638): the county's record moved 20 km east no longer planned, the
    forecast refusing "nothing to forecast from". The plan is written without a forecast,
    as before, with the advice on the record's CRS (incidents.csv, scenario.toml's crs)."""
    folder = _county_with(tmp_path, lambda rows: [
        [r[0], r[1], f"{float(r[2]) + 20000:.1f}", *r[3:]] for r in rows])
    sc = load(str(folder))
    slots = make_slots(date(2026, 1, 5), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="naive")
    assert isinstance(risk, dict)
    assert "incidents.csv" in risk["skipped"] and "'EPSG:32648'" in risk["skipped"]
    res = CliRunner().invoke(app, ["plan", str(folder), "--out", str(tmp_path / "p"),
                                   "--from", "2026-01-05", "--risk-method", "naive"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stderr.split())
    assert "warning: no incident forecast (none of the" in said and "scenario.toml's crs" in said
    assert (tmp_path / "p" / "plan.json").is_file()
    # and nothing of the record steers or scores it (a review): no record yardstick (it
    # weighed every grid at 1e-14 and moved units, while the plan said every grid weighed
    # the same), no rings "100 % met weighted by incidents" 20 km off, no KPIs of 0
    # incidents
    doc = json.loads((tmp_path / "p" / "plan.json").read_text(encoding="utf-8"))
    assert "no incident of the record lies in a grid" in doc["stages"]["posture"][
        "dosage_yardstick"]
    assert "lies in a grid" in doc["stages"]["kpis"]["skipped"]
    assert not np.asarray(coverage.incident_weights(sc, RoadNetwork.from_scenario(sc))).any()
    # plan.json and the report say the incident-weighted shares weigh none of them
    assert doc["stages"]["rings"]["incident_weights"] == {
        "incidents": len(sc.incidents), "weighed": 0, "off_network_m": 500.0}
    html = (tmp_path / "p" / "report.html").read_text(encoding="utf-8")
    n = f"{len(sc.incidents):,}"
    assert (f"只计 {n} 起历史警情中的 0 起：其余 {n} 起距路网超过 500 米" in html
            or f"weigh 0 of the record's {n} incidents" in html)


def test_the_report_says_whose_public_holidays_gbm_knows() -> None:
    """A review: the plan's command line and plan.json said "gbm: US public holidays
    (scenario.toml country)"; its report said nothing of it."""
    sc = replace(load("ebian"), country="US")
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="naive")
    assert isinstance(risk, RiskTable)
    _, _, quiet = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert quiet is not None and not any("public holidays" in c[1] for c in quiet["caveats"])
    gbm = replace(risk, details={**risk.details, "holidays": "US"})
    _, _, info = _risk_section(SimpleNamespace(risk=gbm, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None
    assert ("note", _en("risk_holidays", c="US")) in info["caveats"]
    assert "gbm: US public holidays" in _en("risk_holidays", c="US")


def test_risk_categories_only_after_the_first_day_plan_without_a_forecast(
        tmp_path: Path) -> None:
    """scenario.toml risk_categories = ["电诈"] with its one 电诈 dated after the plan's first
    day stopped `xunfang plan` with rc=1 and no plan (a review); the plan now goes on without
    a forecast, and the report says why in its own words."""
    folder = _late_fraud(tmp_path)
    sc = load(str(folder))
    slots = make_slots(date(2025, 6, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc.known_before(slots[0].start), slots, method="naive")
    assert isinstance(risk, dict) and risk["reason"] == "categories"
    assert "risk_categories (电诈)" in risk["skipped"] and "2025-06-01" in risk["skipped"]
    _, _, info = _risk_section(SimpleNamespace(risk=None, scenario=sc,  # type: ignore[arg-type]
                                               stages={"intel": risk}), _en)
    assert info is not None
    assert info["skipped"] == (_en("risk_skipped_categories", **risk)
                               + _en("risk_weighs_same"))
    assert "incidents.csv missing or empty" not in info["skipped"]


def test_a_record_outside_every_grid_is_not_reported_missing(tmp_path: Path) -> None:
    """Every incident 20 km east: the command line said to check the CRS, but the report said
    incidents.csv was missing or empty (a review: it picked its words by "grids" in the
    reason). The reason has its own words, with the CRS's advice, in both languages."""
    def east(rows: list[list[str]]) -> list[list[str]]:
        for r in rows:
            r[2] = f"{float(r[2]) + 20000:.1f}"
        return rows

    sc = load(str(_county_with(tmp_path, east)))
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="naive")
    assert isinstance(risk, dict) and risk["reason"] == "outside"
    for lang, words in (("en", "scenario.toml's crs"), ("zh", "坐标系")):
        _, _, info = _risk_section(  # type: ignore[arg-type]
            SimpleNamespace(risk=None, scenario=sc, stages={"intel": risk}),
            lambda key, lang=lang, **kw: t(key, lang, **kw))
        assert info is not None and words in info["skipped"], info
        assert t("risk_skipped_history", lang) != info["skipped"]
    # a plan.json written before the stage gave its reason: still its own words
    old = {"skipped": "the scenario has no prevention grids to forecast for"}
    _, _, info = _risk_section(SimpleNamespace(risk=None, scenario=sc,  # type: ignore[arg-type]
                                               stages={"intel": old}), _en)
    assert info is not None and info["skipped"] == _en("risk_skipped_grids")


def _late_fraud(tmp_path: Path) -> Path:
    """The built-in county with scenario.toml risk_categories = ["电诈"] and its one 电诈
    dated 2025-12-20 (the review's scenario)."""
    def one_late(rows: list[list[str]]) -> list[list[str]]:
        return [*rows, ["IX1", "2025-12-20T10:00", rows[0][2], rows[0][3], "电诈", "1"]]

    folder = _county_with(tmp_path, one_late)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("\n[", '\nrisk_categories = ["电诈"]\n\n[', 1), encoding="utf-8")
    return folder


def _zh(key: str, **kw: object) -> str:
    return t(key, "zh", **kw)


def test_a_plan_before_the_record_is_not_told_the_record_is_missing() -> None:
    """A review: a plan from 2020-01-01 on the county said 无警情预测…（incidents.csv 缺失或为空）
    …请补充历史警情 and plan.json's reason "history", of a record of 6,325 incidents that
    starts later. The case has its own reason and words, in both languages."""
    sc = load("ebian")
    slots = make_slots(date(2020, 1, 1), days=1, slot_minutes=60)
    known = sc.known_before(slots[0].start)
    assert not len(known.incidents)
    risk = risk_stage(known, slots, method="naive", whole=sc)
    assert isinstance(risk, dict) and risk["reason"] == "later", risk
    n, first = len(sc.incidents), str(sc.incidents.time.min())[:10]
    assert risk["n"] == f"{n:,}" and risk["first"] == first and risk["day"] == "2020-01-01"
    for T, missing in ((_en, "missing or empty"), (_zh, "缺失或为空")):
        _, _, info = _risk_section(SimpleNamespace(  # type: ignore[arg-type]
            risk=None, scenario=sc, stages={"intel": risk}), T)
        assert info is not None and missing not in info["skipped"], info
        assert f"{n:,}" in info["skipped"] and first in info["skipped"]
        assert "2020-01-01" in info["skipped"]
    # without the whole record (no incident at all) it is still "history"
    assert risk_stage(known, slots, method="naive")["reason"] == "history"  # type: ignore[index]


def test_the_chinese_report_words_the_reasons_from_their_fields(tmp_path: Path) -> None:
    """A review: the Chinese report put the stage's English sentence inside its reason (none
    in a grid, none of the risk_categories). The counts, days, categories and CRS are
    plan.json fields, worded in each language."""
    late = load(str(_late_fraud(tmp_path / "a")))
    slots = make_slots(date(2025, 6, 1), days=1, slot_minutes=60)
    known = late.known_before(slots[0].start)
    cats = risk_stage(known, slots, method="naive")
    assert isinstance(cats, dict) and cats["reason"] == "categories"
    n = f"{len(known.incidents):,}"
    assert cats["n"] == n and cats["categories"] == "电诈" and cats["day"] == "2025-06-01"

    def east(rows: list[list[str]]) -> list[list[str]]:
        for r in rows:
            r[2] = f"{float(r[2]) + 20000:.1f}"
        return rows

    off = load(str(_county_with(tmp_path / "b", east)))
    slots2 = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    out = risk_stage(off, slots2, method="naive")
    assert isinstance(out, dict) and out["reason"] == "outside"
    assert out["coords"] == "xy" and out["crs"] == "EPSG:32648"
    for risk, sc, words in ((cats, late, (n, "电诈", "2025-06-01")),
                            (out, off, (f"{len(off.incidents):,}", "EPSG:32648"))):
        _, _, info = _risk_section(SimpleNamespace(  # type: ignore[arg-type]
            risk=None, scenario=sc, stages={"intel": risk}), _zh)
        assert info is not None
        said = info["skipped"]
        assert risk["skipped"] not in said and "none of the" not in said, said
        assert all(w in said for w in words), (words, said)


def test_without_a_forecast_the_grids_weigh_by_the_record_where_it_is_the_yardstick(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A review: with no 电诈 before the plan the report said 部署按各网格同等风险安排 and the
    command line "every grid weighs the same in the deployment", but the posture's dosage
    yardstick was the record ("record and forecast"): G4 needed 13.9, G3 6.2, from the
    record's incidents of other categories. The texts say what the grids weigh by: the
    record where it is the yardstick, every grid the same only where nothing weighs them."""
    late = load(str(_late_fraud(tmp_path)))
    slots = make_slots(date(2025, 6, 1), days=1, slot_minutes=60)
    known = late.known_before(slots[0].start)
    risk = risk_stage(known, slots, method="naive")
    assert isinstance(risk, dict) and risk["reason"] == "categories"
    n = f"{len(known.incidents):,}"  # every category's, before the plan
    for yard, by_record in (("record and forecast", True), ("record", True),
                            ("forecast", False)):
        stages = {"intel": risk, "posture": {"dosage_yardstick": yard}}
        for T, same in ((_en, "weighs every grid the same, not by intelligence"),
                        (_zh, "部署按各网格同等风险安排")):
            _, _, info = _risk_section(SimpleNamespace(  # type: ignore[arg-type]
                risk=None, scenario=late, stages=stages), T)
            assert info is not None
            said = info["skipped"]
            assert (same not in said) is by_record, (yard, said)
            assert (f"dosage_yardstick：{yard}" in said or f"dosage_yardstick: {yard}) by "
                    f"the record of the {n} incidents" in said) is by_record, (yard, said)
        _risk_notes(SimpleNamespace(risk=None, stages=stages,
                                    plan=SimpleNamespace(slots=slots)))
        err = " ".join(capsys.readouterr().err.split())
        assert ("every grid weighs the same in the deployment" not in err) is by_record, err
        assert (f"by the record's {n} incidents" in err) is by_record, err
    # a record outside every grid weighs none (since 940cc88 it is no yardstick): every
    # grid the same; where the record is the yardstick all the same (risk_categories'
    # incidents outside every grid, the others in them: a later review), the record
    out = {"skipped": "x", "reason": "outside", "n": "5", "coords": "xy", "crs": "EPSG:32648",
           "datum": "wgs84"}
    for yard, said in (("forecast (dosage_basis is both, but no incident of the record lies "
                        "in a grid before the plan)", "部署按各网格同等风险安排"),
                       ("record and forecast", "按方案首日之前各类别警情的记录计算")):
        _, _, info = _risk_section(SimpleNamespace(  # type: ignore[arg-type]
            risk=None, scenario=late, stages={"intel": out, "posture": {
                "dosage_yardstick": yard}}), _zh)
        assert info is not None and said in info["skipped"]


def test_grid_forecast_names_the_categories_when_none_precedes_the_day(
        tmp_path: Path) -> None:
    """A review: /api/risk's forecast (the whole record, from 2025-06-01) said "the training
    window … holds no incident" of a record with thousands of incidents before the day, none
    电诈; it names the categories counted, as `xunfang intel forecast` does since 87526d5."""
    sc = load(str(_late_fraud(tmp_path)))
    earlier = int((sc.incidents.time < np.datetime64("2025-06-01", "m")).sum())
    assert earlier > 0
    with pytest.raises(MethodError, match=(
            rf"none of the {earlier:,} incidents of incidents.csv before 2025-06-01 is of "
            r"scenario.toml risk_categories \(电诈\)")):
        grid_forecast(sc, start=date(2025, 6, 1), method="naive")
    # after the 电诈, it forecasts
    g = grid_forecast(sc, start=date(2026, 1, 1), method="naive")
    assert g.forecast.incidents_in_window == 1


def test_a_skipped_forecast_with_a_record_yardstick_says_the_record_whatever_the_reason() -> None:
    """A review: risk_categories' incidents all outside every grid (reason "outside") while
    the record's other categories lay in them: the plan said "every grid weighs the same",
    though the record's yardstick spread the units."""
    from xunfang.intel.stage import skipped_weighs

    stages = {"intel": {"skipped": "…", "reason": "outside"},
              "posture": {"dosage_yardstick": "record and forecast"}}
    weighs, kw = skipped_weighs(stages)
    assert (weighs, kw) == ("record_any", {"y": "record and forecast"})
    assert "by the record of the incidents of every category" in _en(f"risk_weighs_{weighs}",
                                                                    **kw)
    none = {**stages, "posture": {"dosage_yardstick": "forecast (dosage_basis is both, but no "
                                  "incident of the record lies in a grid before the plan)"}}
    assert skipped_weighs(none) == ("same", {})


def test_the_plans_gbm_counts_the_holidays_the_scenario_declares() -> None:
    """scenario.toml's ``[[policy.holidays]]`` reach gbm's calendar beside its country's,
    less their make-up working days, and the plan and its report say how many days."""
    from xunfang.intel.methods import Gbm
    from xunfang.intel.stage import scenario_method
    from xunfang.scenario.model import Holiday

    base = load("ebian")
    fair = Holiday("county fair", date(2026, 4, 20), date(2026, 4, 23),
                   workdays=(date(2026, 4, 22),))
    sc = replace(base, policy=replace(base.policy, holidays=(fair,)))
    m = scenario_method(sc, "gbm", 0)
    assert isinstance(m, Gbm)
    assert m.declared == {date(2026, 4, 20), date(2026, 4, 21), date(2026, 4, 23)}
    assert isinstance(scenario_method(base, "gbm", 0), Gbm)
    assert not scenario_method(base, "gbm", 0).declared  # type: ignore[attr-defined]
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="gbm")
    assert isinstance(risk, RiskTable)
    assert risk.details["holidays"] == "CN" and risk.details["holidays_declared"] == 3
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None
    said = [c[1] for c in info["caveats"] if "public holidays" in c[1]]
    assert said == [_en("risk_holidays_declared", c="CN", n=3)]
    assert "and the 3 days of its [[policy.holidays]]" in said[0]


def test_incidents_added_after_the_record_end_are_counted_apart(tmp_path: Path) -> None:
    """A review: 60 incidents of November 2026 added to the county's record (which ends in
    2025) were said to be used, the forecast made as of 2026-01-01 without them. A few after
    the record's end do not move it and are counted apart; as many as the record's own rate
    do, and are used."""
    sc = load(str(_county_with(tmp_path, lambda rows: rows)))
    inc = sc.incidents
    start = date(2026, 12, 1)
    nov = np.array([f"2026-11-{1 + k % 28:02d}T10:00" for k in range(60)], "datetime64[m]")
    few = grid_forecast(sc, start=start, method="naive",
                        more=([f"n{k}" for k in range(60)], nov, inc.xy[:60]))
    assert few.forecast.trained_to == date(2026, 1, 1)
    assert (few.added, few.after_end, few.before_window, few.used) == (60, 60, 0, 0)
    # the record's last eleven months again, as this year's: the newest record, used
    late = (inc.time >= np.datetime64("2025-01-01")) & (inc.time < np.datetime64("2025-12-01"))
    shifted = inc.time[late] + np.timedelta64(365, "D")
    whole = grid_forecast(sc, start=start, method="naive",
                          more=([f"y{i}" for i in np.flatnonzero(late)], shifted,
                                inc.xy[late]))
    assert whole.forecast.trained_to > date(2026, 11, 1)
    assert whole.after_end == 0 and whole.used == whole.added - whole.before_window > 0


def test_the_auto_tie_note_says_the_rule_it_chose_by() -> None:
    """A review: the note said auto "chose by" the log-likelihood, where naive stood at
    -1.61035 against prospective's -1.60929: it takes the simplest candidate within one
    standard error of the best."""
    g = grid_forecast(load("ebian"), start=date(2026, 12, 1), days=1, method="auto")
    v = g.forecast.details["validation"]
    assert "log_likelihood" in v  # the county's grids tie on hits: scored by log-likelihood
    assert "the simplest within one standard error of the best taken" in v["note"]
    sc = load("ebian")
    risk = risk_stage(sc, make_slots(date(2026, 12, 1), days=1, slot_minutes=60))
    assert isinstance(risk, RiskTable)
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}), _en)  # type: ignore[arg-type]
    assert info is not None
    assert any("the simplest within one standard error of the best" in c[1]
               for c in info["caveats"]), info["caveats"]
