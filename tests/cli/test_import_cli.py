"""`xunfang network import` on the real data, then check and plan the imported scenario."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def _first_nodes(scenario: Path, k: int) -> list[str]:
    with (scenario / "network" / "nodes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    step = max(1, len(rows) // k)
    return [rows[i * step]["id"] for i in range(k)]


def test_import_osm_then_plan_credits_openstreetmap(data_dir: Path, tmp_path: Path) -> None:
    sc = tmp_path / "baltimore"
    r = runner.invoke(app, ["network", "import", str(data_dir / "baltimore.osm.pbf"),
                            "--out", str(sc), "--largest-component", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["nodes"] > 5000 and summary["oneway_edges"] > 1000
    posts = "id,name,kind,node\n" + "".join(
        f"s{i},Station {i},police_station,{n}\n" for i, n in enumerate(_first_nodes(sc, 4)))
    (sc / "posts.csv").write_text(posts, encoding="utf-8")
    r = runner.invoke(app, ["scenario", "check", str(sc), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["counts"]["nodes"] == summary["nodes"]
    out = tmp_path / "plan"
    r = runner.invoke(app, ["plan", str(sc), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in html
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["stages"]["network"]["source"] == "osm"
    roads = json.loads((out / "layers" / "roads.geojson").read_text(encoding="utf-8"))
    lon, lat = roads["features"][0]["geometry"]["coordinates"][0]
    assert -76.61 < lon < -76.52 and 39.25 < lat < 39.31  # back in WGS 84, in Baltimore


def test_import_gpkg_lines_then_check(data_dir: Path, tmp_path: Path) -> None:
    sc = tmp_path / "montreal"
    r = runner.invoke(app, ["network", "import", str(data_dir / "montreal_networks.gpkg"),
                            "--layer", "mtl_network", "--class-column", "ClsRte",
                            "--out", str(sc), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert abs(summary["total_km"] - 318.5) < 0.5
    r = runner.invoke(app, ["scenario", "check", str(sc), "--json"])
    doc = json.loads(r.stdout)
    assert doc["counts"]["edges"] == summary["edges"]
    assert all(p["severity"] == "warning" for p in doc["problems"])


def test_import_errors_are_clear(data_dir: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["network", "import", str(data_dir / "montreal_networks.gpkg"),
                            "--layer", "nope", "--out", str(tmp_path / "x")])
    assert r.exit_code == 1
    assert "nope" in r.output and "mtl_network" in r.output
    bad = tmp_path / "roads.txt"
    bad.write_text("hello", encoding="utf-8")
    r = runner.invoke(app, ["network", "import", str(bad), "--out", str(tmp_path / "y")])
    assert r.exit_code == 1 and "roads.txt" in r.output
    assert not (tmp_path / "y" / "network").exists()


def test_import_refuses_a_scenario_in_another_crs(data_dir: Path, tmp_path: Path) -> None:
    sc = tmp_path / "town"
    sc.mkdir()
    (sc / "scenario.toml").write_text('name = "town"\ncrs = "EPSG:4326"\n', encoding="utf-8")
    r = runner.invoke(app, ["network", "import", str(data_dir / "montreal_networks.gpkg"),
                            "--layer", "mtl_network", "--out", str(sc)])
    assert r.exit_code == 1
    assert "declares crs 'EPSG:4326' but the imported network is in 'EPSG:32188'" in r.output
    assert not (sc / "network" / "nodes.csv").exists()


def test_reimport_drops_a_stale_osm_credit(data_dir: Path, tmp_path: Path) -> None:
    sc = tmp_path / "town"
    (sc / "network").mkdir(parents=True)
    (sc / "network" / "ATTRIBUTION.txt").write_text("OpenStreetMap", encoding="utf-8")
    r = runner.invoke(app, ["network", "import", str(data_dir / "montreal_networks.gpkg"),
                            "--layer", "mtl_network", "--out", str(sc)])
    assert r.exit_code == 0, r.output
    assert not (sc / "network" / "ATTRIBUTION.txt").exists()


def test_a_line_layer_without_a_crs_is_given_one_with_crs(tmp_path: Path) -> None:
    """The road import said "pass crs='EPSG:<code>'", which the command did not take."""
    import warnings

    import numpy as np
    import shapely
    from pyogrio.raw import write as raw_write

    lines = [shapely.LineString([(500_000 + 100 * i, 3_234_000 + 100 * k) for i in range(5)])
             for k in range(3)]
    path = tmp_path / "roads.gpkg"
    with warnings.catch_warnings():  # pyogrio's: "'crs' was not provided" (the case tested)
        warnings.simplefilter("ignore", UserWarning)
        raw_write(path, np.array(shapely.to_wkb(np.array(lines, dtype=object)), dtype=object),
                  field_data=[np.arange(3)], fields=["k"], crs=None,
                  geometry_type="LineString", driver="GPKG", layer="roads")
    r = runner.invoke(app, ["network", "import", str(path), "--out", str(tmp_path / "a")])
    assert r.exit_code == 1 and "the layer has no CRS; give it with --crs" in " ".join(
        r.output.split())
    r = runner.invoke(app, ["network", "import", str(path), "--out", str(tmp_path / "b"),
                            "--crs", "EPSG:32648", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["edges"] == 3  # a line is an edge


def _digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_import_into_a_scenario_keeps_its_nodes_or_needs_force(data_dir: Path,
                                                                tmp_path: Path) -> None:
    """Review N fault 2: importing another layer into a scenario replaced network/ though its
    posts and lines named nodes the new network lacked (exit 0, then check found 76 errors)."""
    gpkg = str(data_dir / "montreal_networks.gpkg")
    sc = tmp_path / "mtl"
    r = runner.invoke(app, ["network", "import", gpkg, "--layer", "mtl_network", "--out", str(sc)])
    assert r.exit_code == 0, r.output
    nodes = _first_nodes(sc, 40)
    (sc / "posts.csv").write_text("id,name,kind,node\n" + "".join(
        f"s{i},Station {i},police_station,{n}\n" for i, n in enumerate(nodes[:8])),
        encoding="utf-8")
    (sc / "lines.csv").write_text("line,seq,node,every_minutes\n" + "".join(
        f"L1,{i + 1},{n},120\n" for i, n in enumerate(nodes[8:])), encoding="utf-8")
    assert runner.invoke(app, ["scenario", "check", str(sc)]).exit_code == 0
    # the same layer again keeps every node: allowed without --force
    r = runner.invoke(app, ["network", "import", gpkg, "--layer", "mtl_network", "--out", str(sc)])
    assert r.exit_code == 0, r.output
    before = _digest(sc)
    r = runner.invoke(app, ["network", "import", gpkg, "--layer", "small_mtl_network",
                            "--out", str(sc)])
    assert r.exit_code == 1
    assert "posts.csv: " in r.output and "lines.csv: " in r.output and "--force" in r.output
    assert _digest(sc) == before  # nothing written
    r = runner.invoke(app, ["network", "import", gpkg, "--layer", "small_mtl_network",
                            "--out", str(sc), "--force", "--json"])
    assert r.exit_code == 0, r.output
    missing = json.loads(r.stdout)["missing_node_refs"]
    assert missing > 0 and f"{missing} rows" in r.stderr
    assert _digest(sc) != before


def test_cli_errors_name_the_options_and_the_file_once(data_dir: Path, tmp_path: Path) -> None:
    """Review N fault 6 (cosmetic): the multi-layer error said "layer=…" on the command line,
    a wrong column "(given as class_column)", and from-osm printed a corrupt file's path twice."""
    gpkg = str(data_dir / "montreal_networks.gpkg")
    r = runner.invoke(app, ["network", "import", gpkg, "--out", str(tmp_path / "a")])
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "name the road layer with --layer;" in text, text
    r = runner.invoke(app, ["network", "import", gpkg, "--layer", "mtl_network",
                            "--oneway-column", "sens", "--out", str(tmp_path / "a")])
    assert r.exit_code == 1 and "(given as --oneway-column)" in " ".join(r.output.split())
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"garbage")
    r = runner.invoke(app, ["scenario", "from-osm", str(bad), str(tmp_path / "b")])
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "not a readable OpenStreetMap file" in text, text
    # rich wraps a long path anywhere (in xdist workers, mid-name): count it without spaces
    assert "".join(r.output.split()).count("bad.osm.pbf") == 1, text


def test_imported_osm_folder_keeps_the_streets_courses(data_dir: Path, tmp_path: Path) -> None:
    """`network import` writes each curved edge's course into edges.csv and the loader reads it
    back: the folder's Roads.shape is the .osm.pbf reader's (to the files' precision, ~1 cm) and
    points on curved streets snap onto them. Before, the folder held only straight chords: a
    review put 93 of 3,000 points on Baltimore's roads onto the wrong road (worst 409 m)."""
    import numpy as np
    import shapely

    from xunfang import network, scenario
    from xunfang.network.imports import import_osm

    pbf = data_dir / "baltimore.osm.pbf"
    sc = tmp_path / "baltimore"
    r = runner.invoke(app, ["network", "import", str(pbf), "--out", str(sc), "--json"])
    assert r.exit_code == 0, r.output
    with (sc / "network" / "edges.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert 2000 < sum(bool(row["course"]) for row in rows) < len(rows)  # straight: left empty
    want, crs = import_osm(pbf)
    got = scenario.load(sc)
    assert got.crs.working == crs.working and got.roads.n_edges == want.n_edges
    assert got.roads.shape is not None and want.shape is not None
    worst = max(float(np.abs(a - b).max())
                for a, b in zip(got.roads.shape, want.shape, strict=True))
    assert worst < 0.02
    # the middle of the 20 most bowed streets: far from their chords, on their courses
    lines = [shapely.LineString(c) for c in want.shape]
    mid = shapely.get_coordinates([shapely.line_interpolate_point(g, 0.5, normalized=True)
                                   for g in lines])
    chord = shapely.linestrings(np.stack([want.xy[want.u], want.xy[want.v]], axis=1))
    bow = shapely.distance(shapely.points(mid), chord)
    pick = np.argsort(-bow)[:20]
    assert bow[pick].min() > 50
    s = network.snap(network.RoadNetwork.from_scenario(got), mid[pick], to="edge")
    np.testing.assert_allclose(s.distance_m, 0, atol=0.05)
    on = shapely.distance(shapely.points(mid[pick]), np.array(lines, dtype=object)[s.edge])
    np.testing.assert_allclose(on, 0, atol=0.05)  # the edge snapped to is one the point is on
    same = s.edge == pick
    np.testing.assert_allclose(s.fraction[same], 0.5, atol=1e-3)
