"""evaluate's and forecast's JSON say what a rerun is matched by: the seed, xunfang's
version and each input's hash (a review: neither held any, though --seed moves gbm and every
bootstrap interval; plan.json already had them)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from xunfang import __version__
from xunfang.cli.main import app
from xunfang.scenario import load

runner = CliRunner()


def _file(tmp_path: Path) -> Path:
    rows = [f"2024-01-{1 + i // 6:02d} {(i * 4) % 24:02d}:10,{103.26 + (i % 7) * 0.002:.4f},"
            f"{29.23 + (i % 5) * 0.002:.4f}" for i in range(120)]
    path = tmp_path / "inc.csv"
    path.write_text("time,lon,lat\n" + "\n".join(rows) + "\n")
    return path


def test_evaluate_json_names_seed_version_and_the_files_hash(tmp_path: Path) -> None:
    path = _file(tmp_path)
    res = runner.invoke(app, ["intel", "evaluate", str(path), "--methods", "naive",
                              "--train-days", "7", "--test-from", "2024-01-15", "--seed", "3",
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["seed"] == 3 and doc["xunfang_version"] == __version__
    assert doc["inputs"]["incidents"] == {
        "path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def test_forecast_json_of_a_scenario_names_its_inputs_hash() -> None:
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--days", "1", "--method", "naive",
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["seed"] == 0 and doc["xunfang_version"] == __version__
    assert doc["inputs"]["incidents"]["inputs_hash"] == load("ebian").inputs_hash


def test_a_store_folder_is_hashed_and_the_same_file_ingested_twice_hashes_alike(
        tmp_path: Path) -> None:
    """A review: a store folder's sha256 was null, and two ingests of one CSV made stores
    that hashed apart (the time of writing was inside)."""
    path = _file(tmp_path)
    for out in ("a", "a2"):
        res = runner.invoke(app, ["intel", "ingest", str(path), "--out", str(tmp_path / out)])
        assert res.exit_code == 0, res.output
    first = (tmp_path / "a" / "incidents.parquet").read_bytes()
    (tmp_path / "a2" / "incidents.parquet").rename(tmp_path / "b.parquet")
    res = runner.invoke(app, ["intel", "ingest", str(path), "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a" / "incidents.parquet").read_bytes() == first
    res = runner.invoke(app, ["intel", "evaluate", str(tmp_path / "a"), "--methods", "naive",
                              "--train-days", "7", "--test-from", "2024-01-15", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["inputs"]["incidents"]["sha256"] == hashlib.sha256(first).hexdigest()
