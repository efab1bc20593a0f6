"""xunfang intel's options are documented: each has its help text, and README's command table
names each (a review found eight missing, and --seed without help)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"


def _intel() -> dict[str, Any]:
    """The commands of `xunfang intel` (click's, as vendored by typer)."""
    group: Any = typer.main.get_command(app)
    return dict(group.commands["intel"].commands)


def _options(command: Any) -> list[str]:
    return [o for p in command.params for o in p.opts if o.startswith("--")]


def _row(command: str) -> str:
    """README's table row of `xunfang intel COMMAND`."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines()
            if line.startswith(f"| `xunfang intel {command} ")]
    assert len(rows) == 1, command
    return rows[0]


@pytest.mark.parametrize("name", ["ingest", "evaluate", "forecast"])
def test_every_option_has_help_and_a_place_in_the_readme(name: str) -> None:
    command = _intel()[name]
    for p in command.params:
        if p.param_type_name == "option":
            assert p.help, f"intel {name} {p.opts[0]} has no help text"
    # evaluate and forecast read a file with ingest's options, as their rows say
    reading = set(_options(_intel()["ingest"])) - {"--out", "--scenario", "--json"}
    row = _row(name)
    if name != "ingest":
        assert "(and ingest's reading options for a file)" in row
    shown = {o for o in _options(command) if f"[{o}" in row or f"`{o}" in row
             or f" {o} " in row}
    missing = [o for o in _options(command)
               if o not in shown and (name == "ingest" or o not in reading)]
    assert not missing, f"README's row of intel {name} leaves out {missing}"


def test_polygons_help_names_every_kind_of_file_the_readme_does() -> None:
    polygons = next(p for p in _intel()["evaluate"].params if "--polygons" in p.opts)
    assert polygons.help
    for kind in ("GeoPackage", "GeoJSON", "shapefile", "KML"):
        assert kind in polygons.help and kind in _row("evaluate"), kind


def test_the_table_shows_the_hit_rates_interval_at_5_percent() -> None:
    """The JSON had each hit rate's bootstrap interval, the table none."""
    args = ["intel", "evaluate", "ebian", "--units", "grids", "--methods", "naive,decay",
            "--test-from", "2025-11-01", "--test-to", "2025-11-30"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "hit 0.05 [95 %]" in res.stdout
    for m in doc["methods"]:
        lo, hi = m["hit_rate_ci"]["0.05"]
        row = next(line for line in res.stdout.splitlines()
                   if line.startswith(f"│ {m['method']} "))
        assert f"{m['hit_rate']['0.05']:.3f} [{lo:.3f}, {hi:.3f}]" in row, row
