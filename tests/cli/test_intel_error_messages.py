"""xunfang intel's errors name the option and the rule broken, and keep what explains them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def _one_row(tmp_path: Path) -> Path:
    src = tmp_path / "sub.csv"
    src.write_text("time,lon,lat\n2025-03-01 08:00,103.262,29.228\n", encoding="utf-8")
    return src


def _said(text: str) -> str:
    return " ".join(text.split())


def test_ingest_out_must_be_a_folder(tmp_path: Path) -> None:
    """A review: `ingest sub.csv --out sub.csv` said only "[Errno 20] Not a directory:
    .../ingest_report.failed.csv"."""
    src = _one_row(tmp_path)
    for out in (src, src / "deeper" / "store"):
        res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(out)])
        assert res.exit_code == 1, res.output
        said = _said(res.stderr)
        assert f"--out {out}: {src} is a file" in said, said
        assert "--out names the folder" in said and "Errno" not in said
    assert src.read_text(encoding="utf-8").startswith("time,lon,lat")  # left as it was


def test_ingest_scenario_errors_name_the_option_and_folder(tmp_path: Path) -> None:
    """A review: `--scenario /tmp/notscen` said "scenario.toml: scenario.toml is required",
    naming neither the folder nor the option."""
    src = _one_row(tmp_path)
    folder = tmp_path / "notscen"
    folder.mkdir()
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(tmp_path / "o"),
                              "--scenario", str(folder)])
    assert res.exit_code == 1, res.output
    said = _said(res.stderr)
    assert f"--scenario {folder}: not a scenario that can be read" in said
    assert "scenario.toml is required" in said
    assert not (tmp_path / "o").exists()


def test_no_incident_in_a_unit_keeps_the_polygons_crs_note(tmp_path: Path,
                                                          data_dir: Path) -> None:
    """A review: --polygons-crs EPSG:3435 over a KML (whose CRS is declared) failed "none of
    the ... incidents lies in a unit" and dropped the note that the file's own CRS was
    overridden: the one thing that said why."""
    kml = data_dir / "chicago_police_districts.kml"
    src = tmp_path / "chicago.csv"
    src.write_text("time,lon,lat\n" + "".join(
        f"2025-02-{d:02d} 10:00,-87.65,41.85\n2025-02-{d:02d} 12:00,-87.70,41.90\n"
        for d in range(1, 29)), encoding="utf-8")
    for command in (["forecast", str(src), "--method", "naive"],
                    ["evaluate", str(src), "--methods", "naive", "--train-days", "14"]):
        res = runner.invoke(app, ["intel", *command, "--polygons", str(kml),
                                  "--polygons-crs", "EPSG:3435"])
        assert res.exit_code == 1, res.output
        said = _said(res.stderr)
        assert "none of the 56 incidents lies in a unit" in said
        assert f"{kml} declares EPSG:4326; read in EPSG:3435 (--polygons-crs) instead" in said
