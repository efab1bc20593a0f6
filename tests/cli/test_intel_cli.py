"""xunfang intel ingest | evaluate | forecast, as a user runs them."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import read_parquet

runner = CliRunner()


def test_ingest_writes_the_store_and_lists_every_rejected_row(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("when,lng,la\n2025-03-01 08:00,103.26,29.23\nbad,103.26,29.23\n"
                   "2025-03-01 08:00,103.26,29.23\n", encoding="utf-8")
    out = tmp_path / "store"
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(out), "--columns",
                              "time=when,lon=lng,lat=la", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["rows"] == 3 and doc["kept"] == 1
    assert doc["counts"] == {"time not a date-time": 1, "exact duplicate": 1}
    assert doc["problems"][0] == {"row": 2, "field": "when", "rule": "time not a date-time",
                                  "value": "bad"}
    assert len(read_parquet(out / "incidents.parquet")) == 1
    report = (out / "ingest_report.csv").read_text(encoding="utf-8")
    assert "2,when,time not a date-time,bad" in report and "exact duplicate" in report


def test_ingest_with_the_scenario_jurisdiction(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    # the first point is in Ebian's town, the second 50 km away
    src.write_text("time,lon,lat\n2025-03-01 08:00,103.262,29.228\n"
                   "2025-03-01 09:00,103.80,29.60\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "o"),
                              "--scenario", "ebian", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["crs"] == "EPSG:32648"
    assert doc["counts"].get("outside the jurisdiction") == 1


def test_ingest_errors_name_the_argument(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("time,x,y\n2025-03-01 08:00,331479.8,3234817.9\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "o"),
                              "--crs", "EPSG:4326"])
    assert res.exit_code == 1
    assert "look like metres" in res.stderr
    assert not (tmp_path / "o" / "incidents.parquet").exists()
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "o"),
                              "--columns", "when"])
    assert res.exit_code == 1 and "FIELD=COLUMN" in res.stderr


def test_evaluate_json_shape_on_the_builtin_county() -> None:
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--units", "grids", "--methods",
                              "naive,decay", "--test-from", "2025-11-01", "--test-to",
                              "2025-11-30", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [m["method"] for m in doc["methods"]] == ["naive", "decay"]
    for m in doc["methods"]:
        assert set(m["hit_rate"]) == {"0.01", "0.02", "0.05", "0.1", "0.2"}
        assert set(m["pai"]) == set(m["hit_rate"])
        assert m["seconds"] >= 0
        assert 0 <= m["hit_rate"]["0.2"] <= 1
    assert doc["study_area"] == "jurisdiction"
    assert doc["methods"][0]["ratio_to_naive_at_0.05"]["ratio"] == 1.0


def test_evaluate_bad_input(tmp_path: Path) -> None:
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--methods", "naive,sepp"])
    assert res.exit_code == 1 and "unknown method 'sepp'" in res.stderr
    # dates beyond the record (2024-01-01 to 2025-12-31): named as such, not as each other
    # (a review: "--test-to 2022-12-31 is before --test-from 2023-03-01"), and days past its
    # end never scored as days without incidents
    for args, said in (
            (["--test-from", "2030-01-01", "--test-to", "2030-01-31"],
             "--test-to 2030-01-31 is after the record's last day (2025-12-31)"),
            (["--test-from", "2026-03-01"],
             "--test-from 2026-03-01 is after the record's last day (2025-12-31)"),
            (["--test-from", "2025-12-01", "--test-to", "2026-03-10"],
             "give --test-to 2025-12-31 or earlier"),
            (["--test-to", "2023-03-01"],
             "--test-to 2023-03-01 is before the record's first day (2024-01-01)")):
        res = runner.invoke(app, ["intel", "evaluate", "ebian", "--methods", "naive", *args])
        assert res.exit_code == 1 and said in res.stderr, (args, res.stderr)
    res = runner.invoke(app, ["intel", "evaluate", str(tmp_path / "none.csv")])
    assert res.exit_code == 1 and "no such file" in res.stderr


def test_forecast_json_for_the_planning_horizon() -> None:
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--from", "2026-01-01", "--days",
                              "2", "--method", "decay", "--slots", "shift", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["method"] == "decay" and doc["unit_kind"] == "grids"
    assert doc["slots"] == ["2026-01-01T08:00", "2026-01-01T16:00", "2026-01-02T00:00",
                            "2026-01-02T08:00", "2026-01-02T16:00", "2026-01-03T00:00"]
    assert all(len(row) == 6 for row in doc["risk"])


def test_forecast_past_the_record_is_made_as_of_its_end_as_the_plan_does() -> None:
    """The county's record ends on 2025-12-31. A forecast for a day in November 2026 counted
    the eleven unrecorded months as quiet days (0.6 incidents a day instead of 8.6) and could
    not reproduce the plan's risk; it is now made as of the record's end, as the plan's."""
    args = ["intel", "forecast", "ebian", "--method", "naive", "--json"]
    # (a Monday as 2026-11-30 is, and no holiday: New Year's Day is forecast at the
    # holidays' level)
    at_end = json.loads(runner.invoke(app, [*args, "--from", "2026-01-05"]).stdout)
    res = runner.invoke(app, [*args, "--from", "2026-11-30"])
    assert res.exit_code == 0, res.output
    later = json.loads(res.stdout)
    assert later["details"]["as_of"] == "2026-01-01" and later["details"]["gap_days"] == 333
    assert sum(map(sum, later["risk"])) == pytest.approx(sum(map(sum, at_end["risk"])),
                                                         rel=0.05)
    assert later["slots"][0] == "2026-11-30T00:00"
    text = runner.invoke(app, ["intel", "forecast", "ebian", "--from", "2026-11-30"])
    said = " ".join(text.stdout.split())
    assert "auto → " in said  # which method auto chose
    assert "ends on 2025-12-31, 334 days before 2026-11-30: forecast as of 2026-01-01" in said



def test_forecast_checks_its_method_over_the_records_last_weeks(tmp_path: Path) -> None:
    args = ["intel", "forecast", "ebian", "--from", "2026-11-30", "--method", "decay", "--check"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    chk = doc["check"]  # made as of the record's end, as the forecast is
    assert (chk["first"], chk["last"], chk["incidents"]) == ("2025-12-04", "2025-12-31", 194)
    assert [r["method"] for r in chk["rows"]] == ["decay", "naive"]
    said = " ".join(runner.invoke(app, args).stdout.split())
    assert ("check: 2025-12-04 to 2025-12-31 (28 days, 194 incidents, 6.9 a day), each day "
            "forecast 334 days ahead") in said  # as this forecast is: 334 days past the record
    assert chk["lead_days"] == 334
    assert "decay: 1.00 times naive's incidents per unit of area in its hottest 1 grid, " \
        "95 % interval" in said
    # a file of three weeks: too short to check, said so; the forecast is still made
    src = tmp_path / "short.csv"
    rows = [f"2025-03-{d:02d} 1{d % 10}:00,103.262,29.228" for d in range(1, 22)]
    src.write_text("time,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "forecast", str(src), "--method", "naive", "--check"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert "not checked: the record holds 21 days before 2025-03-22: too short" in said


def test_forecast_of_one_category() -> None:
    args = ["intel", "forecast", "ebian", "--from", "2026-01-01", "--method", "naive", "--json"]
    every = json.loads(runner.invoke(app, args).stdout)
    res = runner.invoke(app, [*args, "--category", "盗窃"])
    assert res.exit_code == 0, res.output
    theft = json.loads(res.stdout)
    assert theft["category"] == ["盗窃"]
    total = sum(map(sum, every["risk"]))
    part = sum(map(sum, theft["risk"]))
    assert 0 < part < 0.5 * total  # thefts are a quarter of the county's record
    res = runner.invoke(app, [*args, "--category", "盗"])
    assert res.exit_code == 1 and "'盗窃' (" in res.stderr


def test_forecast_writes_the_grids_as_a_gis_layer(tmp_path: Path) -> None:
    out = tmp_path / "risk.geojson"
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--from", "2026-01-01", "--method",
                              "naive", "--geojson", str(out)])
    assert res.exit_code == 0, res.output
    layer = json.loads(out.read_text(encoding="utf-8"))
    assert layer["unit_kind"] == "grids" and layer["days"] == ["2026-01-01"]
    lon, lat = layer["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 103.0 < lon < 103.5 and 29.0 < lat < 29.5  # the county seat, in lon/lat


def test_plan_risk_method_is_checked(tmp_path: Path) -> None:
    res = runner.invoke(app, ["plan", "ebian", "--risk-method", "sepp", "--out",
                              str(tmp_path / "p")])
    assert res.exit_code == 1 and "unknown method 'sepp'" in res.stderr
    assert not (tmp_path / "p").exists()
    res = runner.invoke(app, ["plan", "ebian", "--risk-method", "network_kde", "--out",
                              str(tmp_path / "p")])
    assert res.exit_code == 1 and "per grid" in res.stderr


def test_ingest_bad_time_zone_names_the_argument_and_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("time,lon,lat\n2025-03-01 08:00,103.26,29.23\n", encoding="utf-8")
    for args in (["--tz", "Mars/Olympus"], ["--tz", "UTC", "--source-tz", "Mars/Olympus"]):
        res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "o"),
                                  *args])
        assert res.exit_code == 1, res.output
        assert f"{args[-2]} 'Mars/Olympus' is not a time zone" in res.stderr
        assert "Traceback" not in res.output + res.stderr
        assert not (tmp_path / "o").exists()


def test_a_scenario_without_zones_or_grids_studies_its_cells_as_a_bare_file(
        tmp_path: Path) -> None:
    """Cells over a scenario with no jurisdiction are a bare file's occupied cells: the study
    area is where the training window held incidents (Units.study), as in auto's validation,
    not every cell any incident occupied (the test period's own among them)."""
    import shutil

    import xunfang

    folder = tmp_path / "open"
    shutil.copytree(Path(xunfang.__file__).parent / "scenarios" / "ebian", folder)
    areas = json.loads((folder / "areas.geojson").read_text(encoding="utf-8"))
    areas["features"] = [f for f in areas["features"]
                         if f["properties"].get("kind") not in ("zone", "grid")]
    (folder / "areas.geojson").write_text(json.dumps(areas), encoding="utf-8")
    res = runner.invoke(app, ["intel", "evaluate", str(folder), "--units", "cells",
                              "--methods", "naive", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["study_area"] == "training"
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--units", "cells", "--methods",
                              "naive", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["study_area"] == "jurisdiction"


def test_evaluate_says_when_the_first_windows_are_short_and_what_units_took() -> None:
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--methods", "naive",
                              "--test-from", "2024-11-01", "--test-to", "2024-11-10", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "starts on 2024-01-01" in doc["window_note"]
    # the county's grids are 10-16 % of it each: "1 %" is one grid, and PAI divides by it
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--units", "grids", "--methods",
                              "naive", "--test-from", "2025-06-01", "--test-to", "2025-06-30"])
    said = " ".join(res.stdout.split())
    assert "units are taken whole, so the top units made up" in said
    doc = json.loads(runner.invoke(app, ["intel", "evaluate", "ebian", "--units", "grids",
                                         "--methods", "naive", "--test-from", "2025-06-01",
                                         "--test-to", "2025-06-30", "--json"]).stdout)
    m = doc["methods"][0]
    assert m["area"]["0.01"] > 0.1
    assert m["pai"]["0.01"] == pytest.approx(m["hit_rate"]["0.01"] / m["area"]["0.01"])



def forecast_category_b(tmp_path: Path, days: int, a: Callable[[int], bool],
                        b: Callable[[int], bool], start: str) -> Result:
    """``intel forecast --category B --method naive --json`` of a file of ``days`` days from
    2025-01-01 with an incident of category A at 10:00 on the days ``a`` keeps and one of B at
    11:00 on the days ``b`` keeps, at one place."""
    rows = ["time,lon,lat,kind"]
    for d in range(days):
        day = np.datetime64("2025-01-01") + d
        rows += [f"{day}T10:00,103.262,29.228,A"] * a(d)
        rows += [f"{day}T11:00,103.262,29.228,B"] * b(d)
    src = tmp_path / "two.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return runner.invoke(app, ["intel", "forecast", str(src), "--columns",
                               "time=time,lon=lon,lat=lat,category=kind", "--category", "B",
                               "--from", start, "--method", "naive", "--json"])


def test_a_categorys_quiet_weeks_are_not_the_end_of_the_file(tmp_path: Path) -> None:
    """The file runs to 2025-06-30; its category B's last incident is on 2025-06-01 and its
    first on 2025-03-01, two months after the file's. A forecast of B for 2025-07-01 is not
    'as of' B's end, and its window starts with the file (a review found both)."""
    # 2025-01-01 .. 2025-06-30; B from 2025-03-01 to 2025-06-01
    res = forecast_category_b(tmp_path, 181, lambda d: True, lambda d: 59 <= d <= 151,
                              "2025-07-01")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "as_of" not in doc["details"]
    assert doc["trained_from"] == "2025-01-01"
    # 93 incidents of B over the file's 181 days (at a Tuesday's level)
    tuesday = doc["details"]["weekday_factor"][1]
    assert sum(map(sum, doc["risk"])) == pytest.approx(93 / 181 * tuesday, rel=1e-3)


def test_evaluate_and_forecast_keep_duplicates_when_told(tmp_path: Path) -> None:
    """A city that writes one row per victim repeats an incident's row: evaluate and forecast
    dropped such rows with no way to keep them but a .parquet store ingested first."""
    rows = ["time,lon,lat"]
    for d in range(40):
        day = np.datetime64("2025-01-01") + d
        rows += [f"{day}T10:00,103.262,29.228"] * 2  # every incident twice
    src = tmp_path / "victims.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ["intel", "evaluate", str(src), "--methods", "naive", "--test-from", "2025-02-01",
            "--train-days", "30", "--json"]
    dropped = json.loads(runner.invoke(app, args).stdout)
    kept = json.loads(runner.invoke(app, [*args, "--keep-duplicates"]).stdout)
    assert dropped["test_incidents"] == 9 and kept["test_incidents"] == 18
    fc = ["intel", "forecast", str(src), "--method", "naive", "--json"]
    once = sum(map(sum, json.loads(runner.invoke(app, fc).stdout)["risk"]))
    twice = sum(map(sum, json.loads(runner.invoke(app, [*fc, "--keep-duplicates"]).stdout)[
        "risk"]))
    assert twice == pytest.approx(2 * once, rel=1e-4)  # the JSON rounds each slot
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--keep-duplicates"])
    assert res.exit_code == 1 and "--keep-duplicates applies to incident files only" in " ".join(
        res.stderr.split())


def test_a_categorys_quiet_weeks_are_days_of_its_file(tmp_path: Path) -> None:
    """Category B is quiet for six weeks of a file whose other category goes on: B's window
    average is over every day of the file, not over B's busy days only; six weeks the whole
    file lacks are left out."""
    # 2025-01-01 .. 2025-12-31: the file lacks days 100-141, B is quiet for days 200-241
    res = forecast_category_b(tmp_path, 365, lambda d: not 100 <= d < 142,
                              lambda d: not 100 <= d < 142 and not 200 <= d < 242,
                              "2026-01-01")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)["details"]
    assert d["unrecorded_days"] == 42 and d["coverage_factor"] == pytest.approx(365 / 323,
                                                                               abs=1e-4)


def _chicago_like(tmp_path: Path) -> Path:
    """A year of incidents at a few places, up to the spring clock change of 2019."""
    rng = np.random.default_rng(3)
    n = 2000
    minutes = np.sort(rng.integers(0, 365 * 1440, n))
    times = np.datetime64("2018-03-09T00:00") + minutes.astype("timedelta64[m]")
    lon = -87.65 + 0.01 * rng.integers(0, 5, n)
    lat = 41.85 + 0.01 * rng.integers(0, 5, n)
    src = tmp_path / "chi.csv"
    src.write_text("date,lon,lat\n" + "".join(
        f"{str(t).replace('T', ' ')},{x:.4f},{y:.4f}\n"
        for t, x, y in zip(times, lon, lat, strict=True)), encoding="utf-8")
    return src


def test_a_store_keeps_its_time_zone_and_its_clock_changes(tmp_path: Path) -> None:
    """A review: a store forgot the --tz it was ingested with, so its forecast over the spring
    clock change gave the hour that does not exist (02:00) incidents, and --tz was refused.
    The store now keeps its zone: its forecast is the file's, 02:00 empty; a store ingested
    without --tz takes the zone given to the forecast, and one with a zone refuses another."""
    src = _chicago_like(tmp_path)
    cols = ["--columns", "time=date,lon=lon,lat=lat"]
    args = ["--from", "2019-03-09", "--days", "3", "--method", "naive", "--json"]
    zone = ["--tz", "America/Chicago"]
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "s"),
                              *cols, *zone])
    assert res.exit_code == 0, res.output
    assert read_parquet(tmp_path / "s" / "incidents.parquet").tz == "America/Chicago"
    docs = []
    for spec, more in ((str(src), [*cols, *zone]), (str(tmp_path / "s"), [])):
        res = runner.invoke(app, ["intel", "forecast", spec, *more, *args])
        assert res.exit_code == 0, res.output
        docs.append(json.loads(res.stdout))
    assert docs[1]["tz"] == "America/Chicago"
    assert docs[1]["details"]["clock_changes"] == docs[0]["details"]["clock_changes"]
    assert docs[1]["details"]["clock_changes"][0]["day"] == "2019-03-10"
    assert docs[1]["risk"] == docs[0]["risk"]
    spring = docs[1]["slots"].index("2019-03-10T02:00")
    assert all(row[spring] == 0 for row in docs[1]["risk"])
    res = runner.invoke(app, ["intel", "forecast", str(tmp_path / "s"), "--tz", "Europe/Paris",
                              *args])
    assert res.exit_code == 1
    assert "--tz applies to incident files only" in res.output
    assert "local times in America/Chicago" in res.output
    # ingested without a zone: the forecast names it, checked as a file's
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "n"), *cols])
    assert res.exit_code == 0, res.output
    assert read_parquet(tmp_path / "n" / "incidents.parquet").tz is None
    res = runner.invoke(app, ["intel", "forecast", str(tmp_path / "n"), *args[:-1]])
    assert "the store was ingested without --tz" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["intel", "forecast", str(tmp_path / "n"), "--tz", "Mars/Olympus",
                              *args])
    assert res.exit_code == 1 and "--tz 'Mars/Olympus' is not a time zone" in res.stderr
    res = runner.invoke(app, ["intel", "forecast", str(tmp_path / "n"), *zone, *args])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["risk"] == docs[0]["risk"]


def test_evaluate_says_what_its_figures_leave_out(tmp_path: Path) -> None:
    """A review: the log-likelihood silently left out the test incidents outside the study
    area (11 % of Chicago's, 60 % of a synthetic city's), and PAI of a study area of few cells
    divided by c where one cell was 7 % of it, with no note."""
    res = runner.invoke(app, ["intel", "evaluate", "ebian", "--units", "cells", "--cell-m",
                              "1000", "--methods", "naive"])
    assert res.exit_code == 0, res.output
    assert "the study area holds few cells" in " ".join(res.stdout.split())
    lines = ["time,lon,lat"]
    for day in range(1, 29):  # a year's February: one place, then a new one on the 28th
        lines.append(f"2025-02-{day:02d} 10:00,103.2600,29.2300")
    lines += ["2025-02-28 11:00,103.3000,29.2600", "2025-02-28 12:00,103.3000,29.2600"]
    src = tmp_path / "two.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["intel", "evaluate", str(src), "--columns", "time=time,lon=lon,lat=lat",
            "--methods", "naive", "--train-days", "20", "--test-from", "2025-02-27"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["test_incidents"] == 4 and doc["test_incidents_outside_study_area"] == 2
    assert doc["methods"][0]["log_likelihood_incidents"] == 2
    res = runner.invoke(app, args)
    assert "2 of the 4 test incidents (50.0%) fell outside the study area" in " ".join(
        res.stdout.split())


def test_forecast_by_shift_of_a_file_and_its_slots_in_text(tmp_path: Path) -> None:
    """A review: a file's shifts were fixed at 08/16/00, and the text output never showed
    how the risk splits by slot (only --json did)."""
    src = _chicago_like(tmp_path)
    base = ["intel", "forecast", str(src), "--columns", "time=date,lon=lon,lat=lat",
            "--from", "2019-01-10", "--method", "naive"]
    res = runner.invoke(app, [*base, "--slots", "shift", "--shifts", "7,19", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["slots"] == ["2019-01-10T07:00", "2019-01-10T19:00"]
    day, night = np.asarray(doc["risk"]).sum(axis=0)
    # the roster day runs from 07:00 to 07:00 the next day: its night ends on the 11th
    hourly = json.loads(runner.invoke(app, [*base, "--days", "2", "--json"]).stdout)
    hours = np.asarray(hourly["risk"]).sum(axis=0)
    assert day == pytest.approx(hours[7:19].sum(), abs=1e-4)
    assert night == pytest.approx(hours[19:31].sum(), abs=1e-4)
    res = runner.invoke(app, [*base, "--slots", "shift", "--shifts", "7,19"])
    text = " ".join(res.stdout.split())
    assert f"by shift: 07-19 {day:.3g}, 19-07 {night:.3g}" in text
    assert "roster days from 07:00 to the next day's" in text
    assert "busiest hours: " in " ".join(runner.invoke(app, base).stdout.split())
    for args, said in ((["--slots", "shift", "--shifts", "8,0,16"], "the day's order"),
                       (["--slots", "shift", "--shifts", "8,x"], "whole hours"),
                       (["--shifts", "8,16,0"], "add --slots shift")):
        res = runner.invoke(app, [*base, *args])
        assert res.exit_code == 1 and said in res.stderr, (args, res.stderr)
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--slots", "shift", "--shifts",
                              "8,20"])
    assert res.exit_code == 1 and "a scenario declares its own" in res.stderr


def test_a_gcj02_scenarios_layer_is_drawn_in_gcj02(tmp_path: Path) -> None:
    """A review: a scenario declaring coords = "gcj02" got its --geojson layer in WGS 84,
    some 380 m off on 高德's tiles, and --coords was refused for a scenario."""
    import shutil

    import xunfang

    folder = tmp_path / "gcj"
    shutil.copytree(Path(xunfang.__file__).parent / "scenarios" / "ebian", folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'timezone = "Asia/Shanghai"', 'timezone = "Asia/Shanghai"\ncoords = "gcj02"', 1),
        encoding="utf-8")
    layers = []
    for name, spec in (("w.geojson", "ebian"), ("g.geojson", str(folder))):
        res = runner.invoke(app, ["intel", "forecast", spec, "--from", "2026-01-01",
                                  "--method", "naive", "--geojson", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
        layers.append(json.loads((tmp_path / name).read_text(encoding="utf-8")))
    assert "coords" not in layers[0] and layers[1]["coords"] == "gcj02"
    (lon0, lat0), (lon1, lat1) = (layer["features"][0]["geometry"]["coordinates"][0][0][0]
                                  for layer in layers)
    east, north = (lon1 - lon0) * 97_000, (lat1 - lat0) * 111_000  # metres at 29° N
    assert 200 < math.hypot(east, north) < 800


def test_options_naming_other_units_are_refused_not_resolved(tmp_path: Path) -> None:
    """A review: --units grids with --polygons ranked the polygons, --cell-m on a scenario's
    grids was ignored, and evaluate refused --network without --units segments where
    forecast took the road file's segments."""
    src = _chicago_like(tmp_path)
    cols = ["--columns", "time=date,lon=lon,lat=lat"]
    poly = tmp_path / "p.geojson"
    poly.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "all"}, "geometry": {
            "type": "Polygon", "coordinates": [[[-87.7, 41.8], [-87.5, 41.8], [-87.5, 41.95],
                                                [-87.7, 41.95], [-87.7, 41.8]]]}}]}),
        encoding="utf-8")
    res = runner.invoke(app, ["intel", "evaluate", str(src), *cols, "--units", "grids",
                              "--polygons", str(poly)])
    assert res.exit_code == 1 and "--polygons names the units to rank" in res.stderr
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--cell-m", "100"])
    assert res.exit_code == 1
    assert "--cell-m sizes cells, but the units ranked here are grids (the default)" in (
        " ".join(res.stderr.split()))
    streets = tmp_path / "streets.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"highway": "residential"}, "geometry": {
            "type": "LineString", "coordinates": [[-87.66 + 0.01 * i, 41.85 + 0.01 * k]
                                                  for i in range(7)]}}
        for k in range(5)]}), encoding="utf-8")
    res = runner.invoke(app, ["intel", "evaluate", str(src), *cols, "--network", str(streets),
                              "--methods", "naive", "--test-from", "2019-01-01", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["units"] >= 5


def test_a_road_file_without_a_crs_or_in_feet(tmp_path: Path) -> None:
    """A review: a road file without a CRS was refused with the advice to "pass
    crs='EPSG:<code>'", which no command-line option takes; one in state-plane feet was
    refused where incidents and districts in feet were read. --network-crs gives the CRS;
    feet are computed in the local UTM zone."""
    import warnings

    import shapely
    from pyogrio.raw import write as raw_write
    from pyproj import Transformer

    src = _chicago_like(tmp_path)
    lines_ll = [shapely.LineString([(-87.66 + 0.01 * i, 41.85 + 0.01 * k) for i in range(7)])
                for k in range(5)]
    cols = ["--columns", "time=date,lon=lon,lat=lat"]
    args = ["--methods", "naive", "--test-from", "2019-01-01", "--json"]
    figures = []
    for name, epsg in (("nocrs", 32616), ("feet", 3435)):
        t = Transformer.from_crs(4326, epsg, always_xy=True)
        lines = [shapely.transform(g, lambda c, t=t: np.column_stack(t.transform(c[:, 0],
                                                                              c[:, 1])))
                 for g in lines_ll]
        path = tmp_path / f"{name}.gpkg"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            raw_write(path, np.array(shapely.to_wkb(np.array(lines, dtype=object)),
                                     dtype=object), field_data=[np.arange(5)], fields=["k"],
                      crs=None if name == "nocrs" else f"EPSG:{epsg}",
                      geometry_type="LineString", driver="GPKG", layer=name)
        base = ["intel", "evaluate", str(src), *cols, "--network", str(path), *args]
        if name == "nocrs":
            res = runner.invoke(app, base)
            assert res.exit_code == 1
            assert "the layer has no CRS; give it with --network-crs" in res.stderr
            # a CRS its lines cannot be in (UTM metres read as Maryland's feet): refused
            res = runner.invoke(app, [*base, "--network-crs", "EPSG:2248"])
            assert res.exit_code == 1 and "EPSG:2248 is used in" in res.stderr
            assert "but it puts the lines' middle at" in " ".join(res.stderr.split())
            base += ["--network-crs", "EPSG:32616"]
        res = runner.invoke(app, base)
        assert res.exit_code == 0, res.output
        figures.append(json.loads(res.stdout)["methods"][0]["hit_rate"])
    assert figures[0] == figures[1]  # the same streets, whichever way they came


def test_places_of_different_sizes_rank_by_density_as_evaluate_does(tmp_path: Path) -> None:
    """A review: the forecast's hottest places and its GeoJSON's rank ordered polygons and
    street segments by their totals, while the evaluation scores them per km² (per km):
    the biggest places led. Now both rank as the evaluation, and say by what."""
    src = _chicago_like(tmp_path)  # 25 places on a 0.01° lattice, about as busy each
    big = [[-87.655, 41.845], [-87.615, 41.845], [-87.615, 41.895], [-87.655, 41.895],
           [-87.655, 41.845]]  # four columns of places
    small = [[-87.612, 41.845], [-87.608, 41.845], [-87.608, 41.895], [-87.612, 41.895],
             [-87.612, 41.845]]  # one column, a tenth of the width
    poly = tmp_path / "p.geojson"
    poly.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": n}, "geometry": {
            "type": "Polygon", "coordinates": [ring]}} for n, ring in (("big", big),
                                                                      ("small", small))]}),
        encoding="utf-8")
    out = tmp_path / "r.geojson"
    res = runner.invoke(app, ["intel", "forecast", str(src), "--columns",
                              "time=date,lon=lon,lat=lat", "--polygons", str(poly),
                              "--method", "naive", "--geojson", str(out), "--json"])
    assert res.exit_code == 0, res.output
    hot = json.loads(res.stdout)["hot"]
    assert [h["unit"] for h in hot] == ["small", "big"]
    assert hot[0]["expected"] < hot[1]["expected"] and hot[0]["per_km2"] > hot[1]["per_km2"]
    layer = json.loads(out.read_text(encoding="utf-8"))
    assert layer["rank_by"] == "per_km2"
    props = {f["properties"]["unit"]: f["properties"] for f in layer["features"]}
    assert props["small"]["rank"] == 1 and props["big"]["rank"] == 2
    assert props["big"]["area_m2"] > 8 * props["small"]["area_m2"]
    assert props["small"]["per_km2"] == pytest.approx(
        props["small"]["expected"] / props["small"]["area_m2"] * 1e6, rel=1e-4)


def test_the_hours_line_says_when_they_cannot_be_told_apart() -> None:
    """A review: a nearly flat profile printed the same figure as busiest and quietest."""
    from types import SimpleNamespace

    from xunfang.cli.intel import _by_slot
    from xunfang.intel import Slots

    def line(per_hour: np.ndarray) -> str:
        return str(_by_slot(SimpleNamespace(slots=Slots("hour"),
                                            risk=per_hour.reshape(1, 1, 24))))

    assert line(np.full(24, 0.5)) == "by hour: 0.5 in each (the same every hour)"
    nearly = 0.0133 + np.linspace(0, 1e-6, 24)
    assert line(nearly).startswith("by hour: about 0.0133 in each (nearly the same")
    assert line(np.arange(24.0)).startswith("busiest hours: 23:00 23, 22:00 22, 21:00 21")


def test_check_and_evaluate_print_no_inf_or_nan(tmp_path: Path) -> None:
    """A review: --check printed "inf times naive's incidents … interval inf to inf" where
    naive's hottest cell held nothing on the days checked, and evaluate's table "nan" where
    no test incident fell in the study area (the JSON gives null)."""
    rng = np.random.default_rng(1)
    minutes = np.sort(rng.integers(0, 300 * 1440, 300))
    times = np.datetime64("2023-01-01T00:00") + minutes.astype("timedelta64[m]")
    lon = np.r_[np.full(150, -87.65), np.full(150, -87.59)]  # the trouble moved 5 km away
    src = tmp_path / "moved.csv"
    src.write_text("time,lon,lat\n" + "".join(
        f"{str(t).replace('T', ' ')},{x},41.85\n" for t, x in zip(times, lon, strict=True)),
        encoding="utf-8")
    res = runner.invoke(app, ["intel", "forecast", str(src), "--check", "--method", "decay"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "no ratio to it can be given" in text and "inf" not in text
    # a test day whose incidents all fall outside the study area: a month at one place,
    # then a day at another
    lines = ["time,lon,lat"] + [f"2023-01-{d:02d} 10:00,-87.65,41.85" for d in range(1, 31)]
    lines += ["2023-01-31 10:00,-87.59,41.85", "2023-01-31 11:00,-87.59,41.85"]
    away = tmp_path / "away.csv"
    away.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "evaluate", str(away), "--methods", "naive",
                              "--train-days", "20", "--test-from", "2023-01-31"])
    assert res.exit_code == 0, res.output
    assert "nan" not in res.stdout and "fell outside the study area" in res.stdout
    assert "│        — │       — │" in res.stdout  # PEI and log-likelihood: none


def test_a_method_that_cannot_be_fitted_is_left_out_not_every_method(tmp_path: Path) -> None:
    """A review: on a record under a year, gbm's "the training window is too short to learn
    from" stopped every method's evaluation. gbm is left out, said so; the others score."""
    lines = ["time,lon,lat"] + [f"2023-01-{d:02d} 1{h}:00,-87.65,41.8{h}"
                                for d in range(1, 32) for h in range(3)]
    src = tmp_path / "month.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["intel", "evaluate", str(src), "--methods", "naive,gbm", "--train-days", "20",
            "--test-from", "2023-01-25"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [m["method"] for m in doc["methods"]] == ["naive"]
    assert "too short to learn from" in doc["skipped"]["gbm"]
    assert "fitted for 2023-01-25" in doc["skipped"]["gbm"]
    res = runner.invoke(app, args)
    assert "gbm: not evaluated" in res.stdout
    res = runner.invoke(app, [*args[:3], "--methods", "gbm", "--train-days", "20",
                              "--test-from", "2023-01-25"])
    assert res.exit_code == 1 and "no method could be evaluated: gbm:" in res.stderr


def test_forecast_says_when_etas_did_not_converge(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: an unconverged EM fit showed only in the JSON's details; evaluate said it."""
    rng = np.random.default_rng(1)
    minutes = np.sort(rng.uniform(0, 300 * 1440, 300)).astype(np.int64)
    times = np.datetime64("2023-01-01T00:00") + minutes.astype("timedelta64[m]")
    src = tmp_path / "onecell.csv"
    src.write_text("time,lon,lat\n" + "".join(f"{str(t).replace('T', ' ')},-87.65,41.85\n"
                                             for t in times), encoding="utf-8")
    doc = json.loads(runner.invoke(app, ["intel", "forecast", str(src), "--method", "etas",
                                         "--json"]).stdout)
    said = " ".join(runner.invoke(app, ["intel", "forecast", str(src), "--method",
                                        "etas"]).stdout.split())
    assert ("EM stopped after" in said) == (doc["details"]["converged"] is False)
    # this record's EM settles (since the exact M-step); stopped after 3 iterations it does not
    import xunfang.intel
    from xunfang.intel.methods import Etas

    monkeypatch.setattr(xunfang.intel, "make_method", lambda *a, **k: Etas(max_iter=3))
    doc = json.loads(runner.invoke(app, ["intel", "forecast", str(src), "--method", "etas",
                                         "--json"]).stdout)
    said = " ".join(runner.invoke(app, ["intel", "forecast", str(src), "--method",
                                        "etas"]).stdout.split())
    assert doc["details"]["converged"] is False
    assert "EM stopped after" in said


def test_auto_on_a_window_of_a_day_says_it_could_not_validate(tmp_path: Path) -> None:
    """A review: one incident gave auto a validation "from 2023-01-30 to 2023-01-29" with a
    hit rate of 0.0 listed for every candidate."""
    src = tmp_path / "one.csv"
    src.write_text("time,lon,lat\n2023-01-29 10:00,-87.65,41.85\n", encoding="utf-8")
    res = runner.invoke(app, ["intel", "forecast", str(src), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["details"]["validation"] == {
        "note": "the training window is too short to validate the candidates on any day of "
                "it: the simplest stands"}


def test_a_record_of_one_day_is_said_as_such(tmp_path: Path) -> None:
    """A review: a record of one day got "--test-to 2023-05-01 is before --test-from
    2023-05-02", naming options never given."""
    src = tmp_path / "day.csv"
    src.write_text("time,lon,lat\n" + "".join(f"2023-05-01 {h:02d}:00,-87.65,41.85\n"
                                              for h in range(12)), encoding="utf-8")
    res = runner.invoke(app, ["intel", "evaluate", str(src), "--methods", "naive"])
    assert res.exit_code == 1
    assert "the record holds one day (2023-05-01): no day before a test day" in res.stderr
