"""A scenario folder from a GIS line layer (the real Montréal street centrelines, GeoPackage in
EPSG:32188) instead of an OpenStreetMap file: it builds, loads, lies on the network, and says in
its README where it fell back for what the layer does not give."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import shapely

from xunfang.scenario import load
from xunfang.scenario.from_osm import BuildOptions, FromOsmError, build_from_osm

END = date(2026, 11, 29)


def _opts(**kw: object) -> BuildOptions:
    base: dict[str, object] = {"seed": 2, "timezone": "America/Toronto", "history_end": END,
                               "history_days": 28, "layer": "small_mtl_network",
                               "grid_m": 500.0}
    base.update(kw)
    return BuildOptions(**base)  # type: ignore[arg-type]


def test_montreal_layer_builds_and_loads(data_dir: Path, tmp_path: Path) -> None:
    gpkg = data_dir / "montreal_networks.gpkg"
    out = tmp_path / "mtl"
    summary = build_from_osm(gpkg, out, _opts())
    sc = load(out)
    assert sc.crs.declared == "EPSG:32188" and sc.timezone == "America/Toronto"
    assert not (out / "network" / "ATTRIBUTION.txt").exists()  # not OpenStreetMap data
    # the layer's 1,244 segments, ends merged: a few hundred intersections, one connected piece
    assert 600 < sc.roads.n_nodes < 1244 and sc.roads.n_nodes == summary.nodes
    assert not sc.roads.oneway.any()  # the layer has no one-way column: all two-way
    assert set(sc.roads.road_class) <= {"trunk", "primary", "tertiary", "residential"}
    node_xy = {i: sc.roads.xy[k] for k, i in enumerate(sc.roads.node_ids)}
    grids = sc.areas_of("grid")
    assert len(grids) == summary.grids >= 9
    assert all(abs(g.geometry.area - 250_000) < 1 for g in grids)  # 500 m squares
    union = shapely.union_all([g.geometry for g in grids])
    for g in grids:  # every grid holds road nodes
        assert shapely.contains_xy(g.geometry, sc.roads.xy[:, 0], sc.roads.xy[:, 1]).sum() >= 3
    # sites and posts sit on network nodes (their x/y are the node's)
    assert len(sc.sites) == summary.sites > 0
    for item in (*sc.sites, *sc.posts):
        assert item.node in node_xy, item.id
        assert np.hypot(*(np.asarray(item.xy) - node_xy[item.node])) < 0.1, item.id
    # incidents: within a few metres of the network and inside its extent, in the history window
    inc = sc.incidents
    assert inc is not None and len(inc) > 28 * 20
    lo, hi = sc.roads.xy.min(axis=0) - 50, sc.roads.xy.max(axis=0) + 50
    assert ((inc.xy >= lo) & (inc.xy <= hi)).all()
    assert shapely.contains_xy(union.buffer(100), inc.xy[:, 0], inc.xy[:, 1]).mean() > 0.9
    first, last = np.datetime64("2026-11-01T00:00"), np.datetime64("2026-11-29T00:00")
    assert (inc.time >= first).all() and (inc.time < last).all()
    # no street names in the layer: the lines follow strokes of arterials, on real edges
    assert summary.lines >= 2
    edges = set(zip(sc.roads.u.tolist(), sc.roads.v.tolist(), strict=True))
    index = {i: k for k, i in enumerate(sc.roads.node_ids)}
    for line in sc.lines:
        steps = [index[n] for n in line.nodes]
        assert all((a, b) in edges or (b, a) in edges
                   for a, b in itertools.pairwise(steps)), line.id
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "small_mtl_network" in readme and "column `ClsRte`" in readme
    assert "Street names: none. FALLBACK" in readme
    assert "One-way: no column (--oneway-column), so every street is two-way" in readme


def test_a_gis_file_needs_a_layer_that_exists(data_dir: Path, tmp_path: Path) -> None:
    gpkg = data_dir / "montreal_networks.gpkg"
    with pytest.raises(FromOsmError, match=r"--layer: .*holds 3 layers.*small_mtl_network"):
        build_from_osm(gpkg, tmp_path / "a", _opts(layer=None))
    with pytest.raises(FromOsmError, match=r"--layer 'roads': .*no such layer"):
        build_from_osm(gpkg, tmp_path / "b", _opts(layer="roads"))
    with pytest.raises(FromOsmError, match=r"--class-column 'kind': .*columns are: ClsRte"):
        build_from_osm(gpkg, tmp_path / "c", _opts(class_column="kind"))
    with pytest.raises(FromOsmError, match=r"--layer: only for GIS line layers"):
        build_from_osm(data_dir / "baltimore.osm.pbf", tmp_path / "d", _opts())
    assert not any((tmp_path / x).exists() for x in "abcd")


def test_cli_takes_the_layer_and_names_it_when_wrong(data_dir: Path, tmp_path: Path) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from xunfang.cli.scenario import register

    app = typer.Typer()

    @app.command("version")
    def version() -> None:  # a second command, so `scenario` stays a group
        typer.echo("0")

    register(app)
    gpkg = str(data_dir / "montreal_networks.gpkg")
    runner = CliRunner()
    bad = runner.invoke(app, ["scenario", "from-osm", gpkg, str(tmp_path / "a"),
                              "--layer", "roads"])
    assert bad.exit_code == 1 and "--layer 'roads'" in " ".join(bad.output.split())
    out = tmp_path / "b"
    ok = runner.invoke(app, ["scenario", "from-osm", gpkg, str(out), "--layer",
                             "small_mtl_network", "--grid-m", "1000", "--history-days", "28",
                             "--history-end", "2026-11-29", "--timezone", "America/Toronto",
                             "--json"])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["crs"] == "EPSG:32188" and doc["grids"] == len(load(out).areas_of("grid")) > 0


def _layer_with_oneway(data_dir: Path, path: Path) -> Path:
    """small_mtl_network with a one-way column `sens` (every 10th line one-way along it) and a
    speed column `vit` (40 km/h on every 4th line)."""
    import pyogrio.raw

    meta, _, wkb, fd = pyogrio.raw.read(data_dir / "montreal_networks.gpkg",
                                        layer="small_mtl_network")
    n = len(wkb)
    sens = np.array(["1" if i % 10 == 0 else "0" for i in range(n)], dtype=object)
    vit = np.array(["40" if i % 4 == 0 else "" for i in range(n)], dtype=object)
    cls = list(meta["fields"]).index("ClsRte")
    pyogrio.raw.write(path, wkb, field_data=[fd[cls], sens, vit],
                      fields=["ClsRte", "sens", "vit"], geometry_type="LineString",
                      crs="EPSG:32188", layer="roads")
    return path


def test_a_layers_oneway_and_speed_columns_reach_both_commands(data_dir: Path,
                                                               tmp_path: Path) -> None:
    """Review N fault 5: neither command could use a layer's one-way / speed / name columns
    (from-osm built every street two-way and its README said "the layer gives none")."""
    import json

    from typer.testing import CliRunner

    from xunfang.cli.main import app

    gpkg = str(_layer_with_oneway(data_dir, tmp_path / "sens.gpkg"))
    runner = CliRunner()
    out = tmp_path / "b"
    ok = runner.invoke(app, ["scenario", "from-osm", gpkg, str(out), "--oneway-column", "sens",
                             "--speed-column", "vit", "--grid-m", "500", "--history-days",
                             "28", "--history-end", "2026-11-29", "--timezone",
                             "America/Toronto"])
    assert ok.exit_code == 0, ok.output
    sc = load(out)
    assert sc.roads.oneway.sum() > 20 and (~np.isnan(sc.roads.speed_kph)).sum() > 100
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert f"One-way: column `sens`, {int(sc.roads.oneway.sum())} one-way edges" in readme
    assert "Speed: column `vit`" in readme and "gives none" not in readme
    bad = runner.invoke(app, ["scenario", "from-osm", gpkg, str(tmp_path / "c"),
                              "--oneway-column", "dir"])
    assert bad.exit_code == 1 and "--oneway-column 'dir'" in " ".join(bad.output.split())
    net = tmp_path / "n"
    r = runner.invoke(app, ["network", "import", gpkg, "--out", str(net), "--class-column",
                            "ClsRte", "--oneway-column", "sens", "--speed-column", "vit",
                            "--json"])
    assert r.exit_code == 0, r.output
    assert int(json.loads(r.stdout)["oneway_edges"]) > 100
