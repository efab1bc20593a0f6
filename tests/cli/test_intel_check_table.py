"""forecast --check's table in a pipe: whole, as evaluate's is."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def test_the_check_table_is_not_cut_in_a_pipe() -> None:
    """A review: piped (rich's 80 columns), the check's headers were cut to "hottest 10 % of
    cell-ho…" where evaluate widens its table."""
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--units", "cells", "--method",
                              "decay", "--check"])
    assert res.exit_code == 0, res.output
    assert "…" not in res.stdout
    header = next(line for line in res.stdout.splitlines() if "method" in line)
    # every header on one line, each whole
    for text in ("hottest 12 cells (area)", "hottest 10 % of cell-hours", "expected a day",
                 "error a day"):
        assert text in header, header


def test_the_check_table_says_its_hottest_are_ranked_per_km2() -> None:
    """The check ranks grids of unequal size per km², as the forecast's list does; its
    table's headers say so (they had said only "(area)")."""
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--method", "decay", "--check"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert "hottest places (per km²)" in said
    header = [line for line in res.stdout.splitlines() if "┃" in line]
    joined = " ".join(" ".join(h.split("┃")[2].split()) for h in header)
    assert "hottest 1 grid (area, per km²)" in joined, joined


def test_the_forecast_json_writes_its_risk_row_by_row_as_the_document_holds_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A year of Chicago's cells as one JSON list took 4.3 GB (a review): the command writes
    the risk a unit's row at a time, and the line is the document as_json makes of the
    command's own forecast."""
    import json

    import xunfang.cli.intel as C

    made: list[Any] = []
    real = C._write_forecast_json

    def spy(doc: dict[str, Any], fc: Any) -> None:
        made.append(fc)
        real(doc, fc)

    monkeypatch.setattr(C, "_write_forecast_json", spy)
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--method", "naive", "--from",
                              "2026-01-02", "--days", "3", "--json"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1 and len(made) == 1
    doc = json.loads(lines[0])
    want = made[0].as_json()
    assert {k: v for k, v in doc.items() if k in want} == want
    assert len(doc["risk"]) == len(want["units"]) == 7
    assert len(doc["risk"][0]) == len(want["slots"]) == 72
