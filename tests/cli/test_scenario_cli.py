"""`xunfang scenario from-osm` on a fresh Typer app with the module's ``register``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from xunfang.cli.scenario import register
from xunfang.scenario import load

runner = CliRunner()


def _app(existing_group: bool = False) -> typer.Typer:
    app = typer.Typer()
    if existing_group:  # as in xunfang.cli.main, which already has a `scenario` group
        group = typer.Typer()

        @group.command("check")
        def check() -> None:
            typer.echo("checked")

        app.add_typer(group, name="scenario")
    else:
        @app.command("version")
        def version() -> None:  # a second command, so `scenario` stays a group
            typer.echo("0")
    register(app)
    return app


def test_from_osm_writes_a_folder_that_loads(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "balt"
    r = runner.invoke(_app(), ["scenario", "from-osm", str(data_dir / "baltimore.osm.pbf"),
                               str(out), "--grid-m", "1500", "--seed", "2", "--history-days",
                               "30", "--history-end", "2026-11-29", "--timezone",
                               "America/New_York", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    sc = load(out)
    assert doc["grids"] == len(sc.areas_of("grid")) and doc["incidents"] == len(sc.incidents)
    assert doc["crs"] == "EPSG:32618" and sc.name == "balt"
    assert doc["posts"]["police_station"] == len(sc.areas_of("zone"))
    # the human table, into a second folder
    r = runner.invoke(_app(), ["scenario", "from-osm", str(data_dir / "baltimore.osm.pbf"),
                               str(tmp_path / "two"), "--history-days", "28",
                               "--history-end", "2026-11-29"])
    assert r.exit_code == 0, r.output
    assert "scenario written to" in r.stdout and "xunfang plan" in r.stdout


def test_register_joins_an_existing_scenario_group(data_dir: Path, tmp_path: Path) -> None:
    app = _app(existing_group=True)
    assert runner.invoke(app, ["scenario", "check"]).stdout.strip() == "checked"
    r = runner.invoke(app, ["scenario", "from-osm", "--help"])
    assert r.exit_code == 0 and "--grid-m" in r.stdout


def test_bad_arguments_exit_1_with_the_rule(data_dir: Path, tmp_path: Path) -> None:
    app = _app()
    pbf = str(data_dir / "baltimore.osm.pbf")
    cases = [
        ([str(tmp_path / "nope.osm.pbf"), str(tmp_path / "a")], "does not exist"),
        ([pbf, str(tmp_path / "b"), "--grid-m", "0"], "--grid-m must be a positive number"),
        ([pbf, str(tmp_path / "c"), "--grid-m", "-100"], "--grid-m must be a positive number"),
        ([pbf, str(tmp_path / "d"), "--incidents-per-day", "0"],
         "--incidents-per-day must be a positive rate"),
    ]
    cases.append(([pbf, str(tmp_path / "e"), "--bbox", "-76.6,39.27,-76.56"],
                  "--bbox '-76.6,39.27,-76.56': give four numbers"))
    cases.append(([pbf, str(tmp_path / "f"), "--bbox", "-76.5,39.27,-76.6,39.3"],
                  "--bbox must be WEST,SOUTH,EAST,NORTH"))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("x", encoding="utf-8")
    cases.append(([pbf, str(busy)], "not empty"))
    for argv, message in cases:
        r = runner.invoke(app, ["scenario", "from-osm", *argv])
        assert r.exit_code == 1, (argv, r.output)
        assert message in " ".join(r.stderr.split()), (argv, r.stderr)
