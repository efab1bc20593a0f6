"""`xunfang intel forecast` and `evaluate` of a scenario count the categories its plan counts:
scenario.toml's risk_categories, --category overriding them (said)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

import xunfang.scenarios
from xunfang.cli.main import app
from xunfang.scenario import load

runner = CliRunner()


def _county(tmp_path: Path, extra: str) -> Path:
    """A copy of the built-in county with ``extra`` added to the top of its scenario.toml."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    head, rest = toml.read_text(encoding="utf-8").split("[policy]", 1)
    toml.write_text(head + extra + "\n\n[policy]" + rest, encoding="utf-8")
    return folder


def _forecast(*args: str) -> dict[str, object]:
    res = runner.invoke(app, ["intel", "forecast", *args, "--method", "naive", "--from",
                              "2026-01-05", "--json"])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def test_forecast_and_evaluate_of_a_scenario_count_its_risk_categories(
        tmp_path: Path) -> None:
    """A review: `intel forecast SCENARIO` counted every category where scenario.toml's
    risk_categories names two (G4 2.543 against the plan's 1.263): the faces disagreed."""
    sc = _county(tmp_path, 'risk_categories = [" 盗窃 ", "打架斗殴"]')
    own = _forecast(str(sc))
    named = _forecast(str(sc), "--category", "盗窃", "--category", "打架斗殴")
    every = _forecast("ebian")
    assert own["risk"] == named["risk"] and own["risk"] != every["risk"]
    assert own["category"] == ["盗窃", "打架斗殴"]
    assert "scenario.toml risk_categories" in str(own["category_note"])
    # --category overrides them, and says so
    theft = _forecast(str(sc), "--category", "盗窃")
    assert theft["category"] == ["盗窃"] and theft["risk"] != own["risk"]
    assert "in place of scenario.toml risk_categories" in str(theft["category_note"])
    res = runner.invoke(app, ["intel", "evaluate", str(sc), "--units", "grids", "--methods",
                              "naive", "--test-from", "2025-12-25", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    cats = load(str(sc)).incidents.category
    assert doc["category"] == ["盗窃", "打架斗殴"]
    assert doc["incidents_of_category"] == sum(c in ("盗窃", "打架斗殴") for c in cats)
