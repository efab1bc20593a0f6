"""`xunfang intel forecast` and `evaluate` of a scenario count the categories its plan counts:
scenario.toml's risk_categories, --category overriding them (said)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.scenario import load

from .test_ingest_source_tz import _county

runner = CliRunner()


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


def _with_late(folder: Path, category: str) -> None:
    """One incident of ``category`` appended to the copy's record, dated 2025-12-20."""
    csv_ = folder / "incidents.csv"
    first = csv_.read_text(encoding="utf-8").splitlines()[1].split(",")
    with csv_.open("a", encoding="utf-8") as f:
        f.write(f"IX1,2025-12-20T10:00,{first[2]},{first[3]},{category},1\n")


def test_a_forecast_before_every_incident_of_the_categories_names_them(
        tmp_path: Path) -> None:
    """A review: with risk_categories = ["电诈"] and its one 电诈 in December, a forecast from
    June said "no incident before 2025-06-01" of a record with thousands before it; and with
    other categories beside it, the note left out that 电诈 counted none, which the plan and
    its report say."""
    sc = _county(tmp_path, 'risk_categories = ["电诈"]')
    _with_late(sc, "电诈")
    res = runner.invoke(app, ["intel", "forecast", str(sc), "--method", "naive", "--from",
                              "2025-06-01"])
    said = " ".join(res.output.split())
    assert res.exit_code != 0
    assert "scenario.toml risk_categories (电诈)" in said and "none of the" in said, said
    toml = sc / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'risk_categories = ["电诈"]', 'risk_categories = ["盗窃", "电诈"]'), encoding="utf-8")
    res = runner.invoke(app, ["intel", "forecast", str(sc), "--method", "naive", "--from",
                              "2025-06-01", "--json"])
    assert res.exit_code == 0, res.output
    assert "电诈 (none before 2025-06-01)" in json.loads(res.stdout)["category_note"]
