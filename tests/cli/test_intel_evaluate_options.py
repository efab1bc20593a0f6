"""xunfang intel evaluate's options and printed figures, as a review found them: --naive-days
recorded, --methods taken whole, the default test end, the few-cells note, the intervals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def _places(tmp_path: Path, places: int = 14, days: int = 120,
            b_until: int | None = None) -> Path:
    """A file from 2025-01-01 of ``days`` days: at each of ``places`` places about 1 km
    apart (each in a 250 m cell of its own), an incident of category A every day at 10:00
    and, more often at the first places, one at 14:00; with ``b_until`` one of category B at
    the first place every day up to that day (its index), none after."""
    rng = np.random.default_rng(5)
    rows = ["time,lon,lat,kind"]
    for d in range(days):
        day = np.datetime64("2025-01-01") + d
        for p in range(places):
            where = f"{103.20 + 0.01 * p:.4f},29.2300"
            rows.append(f"{day}T10:00,{where},A")
            if rng.random() < 1 / (1 + p):
                rows.append(f"{day}T14:00,{where},A")
        if b_until is not None and d <= b_until:
            rows.append(f"{day}T18:00,103.2000,29.2300,B")
    src = tmp_path / "places.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


COLUMNS = ["--columns", "time=time,lon=lon,lat=lat,category=kind"]


def _said(res: object) -> str:
    return " ".join(res.stdout.split())  # type: ignore[attr-defined]


def test_naive_days_are_recorded_labelled_and_kept_within_the_window(tmp_path: Path) -> None:
    """A review: --naive-days was in neither the JSON nor the table, and one beyond
    --train-days was cut to it silently (365 over a 30-day window gave 30's figures)."""
    src = str(_places(tmp_path, days=90))
    base = ["intel", "evaluate", src, *COLUMNS, "--test-from", "2025-03-15"]
    res = runner.invoke(app, [*base, "--methods", "naive,decay", "--train-days", "60",
                              "--naive-days", "28", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["naive_days"] == 28 and doc["methods"][0]["days"] == 28
    assert "naive_days_note" not in doc
    text = _said(runner.invoke(app, [*base, "--methods", "naive,decay", "--train-days", "60",
                                     "--naive-days", "28"]))
    assert "× naive 28 d @0.05" in text and "naive (28 d)" in text
    # beyond the window: refused by name, not cut silently
    res = runner.invoke(app, [*base, "--methods", "naive", "--train-days", "30",
                              "--naive-days", "365"])
    assert res.exit_code == 1
    said = " ".join(res.stderr.split())
    assert "--naive-days 365 exceeds --train-days 30" in said
    assert "give --naive-days 30 or fewer" in said
    # the default's 365 over a 30-day window: the days counted recorded, the cut said
    res = runner.invoke(app, [*base, "--methods", "naive", "--train-days", "30", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["naive_days"] == 30 and "cut to the window" in doc["naive_days_note"]
    text = _said(runner.invoke(app, [*base, "--methods", "naive", "--train-days", "30"]))
    assert "note: naive counts the window's 30 days" in text and "× naive 30 d" in text


def test_methods_are_taken_whole_in_any_case_and_never_empty(tmp_path: Path) -> None:
    """A review: a repeated --methods kept the last only, --methods "" ran every method and
    --methods NAIVE was refused where --category takes any case."""
    src = str(_places(tmp_path, days=60))
    base = ["intel", "evaluate", src, *COLUMNS, "--test-from", "2025-02-20", "--train-days",
            "30", "--json"]
    res = runner.invoke(app, [*base, "--methods", "naive", "--methods", "decay"])
    assert res.exit_code == 0, res.output
    assert [m["method"] for m in json.loads(res.stdout)["methods"]] == ["naive", "decay"]
    res = runner.invoke(app, [*base, "--methods", "NAIVE,Decay"])
    assert res.exit_code == 0, res.output
    assert [m["method"] for m in json.loads(res.stdout)["methods"]] == ["naive", "decay"]
    for empty in ("", " , "):
        res = runner.invoke(app, [*base, "--methods", empty])
        assert res.exit_code == 1, (empty, res.output)
        assert "--methods is empty" in res.stderr
    res = runner.invoke(app, [*base, "--methods", "naive", "--methods", "sepp"])
    assert res.exit_code == 1 and "--methods: unknown method 'sepp'" in res.stderr


def test_the_default_test_end_is_the_files_last_day_whatever_the_category(
        tmp_path: Path) -> None:
    """A review: with --category, the test period's default end was the category's last
    incident, not the file's last day: a --test-from after it failed '--test-to ... is before
    --test-from' though --test-to was never given. It ends with the file, as forecast's
    --from starts after the file's end."""
    # 2025-01-01 .. 2025-03-31; B daily up to 2025-03-10 (index 68), none after
    src = str(_places(tmp_path, places=3, days=90, b_until=68))
    base = ["intel", "evaluate", src, *COLUMNS, "--category", "B", "--methods", "naive",
            "--train-days", "30", "--json"]
    res = runner.invoke(app, [*base, "--test-from", "2025-03-01"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["test_from"], doc["test_to"]) == ("2025-03-01", "2025-03-31")
    assert doc["test_incidents"] == 10  # B's of 03-01 to 03-10; its quiet days count too
    # past B's last incident: the file's days all the same, never an error of --test-to
    res = runner.invoke(app, [*base, "--test-from", "2025-03-20"])
    assert res.exit_code == 1 and "--test-to" not in res.stderr
    assert "no incident between 2025-03-20 and 2025-03-31: nothing to test" in res.stderr


def test_every_coverage_whose_cells_are_off_c_is_noted_with_its_real_share(
        tmp_path: Path) -> None:
    """A review: the few-cells note fired only where the cells taken made up more than
    1.5 x c: with 14 cells, 5 % took one cell, 7.1 % of the area, and PAI 0.05 was shown
    as 5.79 where on the real 7.1 % it is 4.06, unnoted. Every coverage of the table a fifth
    or more off c is noted, with the share taken and PAI 0.05 on it."""
    src = str(_places(tmp_path, places=14, days=60))
    args = ["intel", "evaluate", src, *COLUMNS, "--methods", "naive,decay", "--train-days",
            "30", "--test-from", "2025-02-15"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    area = doc["methods"][0]["area"]
    assert doc["units"] == 14
    assert area["0.05"] == pytest.approx(1 / 14) and area["0.1"] == pytest.approx(1 / 14)
    said = _said(runner.invoke(app, args))
    # 1 of 14 cells at 1, 2, 5 and 10 %; 3 of 14 (21.4 %) at 20 % is within a fifth of c
    assert ("made up 7.1% at 0.01, 7.1% at 0.02, 7.1% at 0.05, 7.1% at 0.1 of it on "
            "average") in said
    assert ("overstates the concentration where they made up more than c and understates it "
            "where less") in said
    real = ", ".join(f"{m['method']} {m['hit_rate']['0.05'] / m['area']['0.05']:.2f}"
                     for m in doc["methods"])
    assert f"PAI 0.05 on the share taken: {real}" in said
