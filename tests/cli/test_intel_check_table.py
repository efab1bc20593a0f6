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
