"""forecast --check's table in a pipe: whole, as evaluate's is."""

from __future__ import annotations

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
