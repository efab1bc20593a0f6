"""A scenario folder from the real Baltimore OpenStreetMap extract: it builds, loads, is seeded,
plans, and refuses bad input with a message naming the argument and the rule."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import shapely

from xunfang.geo import Projector
from xunfang.scenario import check, load
from xunfang.scenario.from_osm import (
    BuildOptions,
    FromOsmError,
    build_from_osm,
    load_risk_map,
    sample_period,
)

END = date(2026, 11, 29)


def _opts(**kw: object) -> BuildOptions:
    base: dict[str, object] = {"seed": 3, "timezone": "America/New_York", "history_end": END,
                               "history_days": 60}
    base.update(kw)
    return BuildOptions(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def baltimore(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city") / "baltimore"
    build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts())
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_folder_has_every_file_and_loads_without_problems(baltimore: Path) -> None:
    for name in ("scenario.toml", "network/nodes.csv", "network/edges.csv",
                 "network/ATTRIBUTION.txt", "areas.geojson", "sites.csv", "posts.csv",
                 "lines.csv", "units.csv", "people.csv", "incidents.csv",
                 "truth/risk_map.json", "README.md"):
        assert (baltimore / name).is_file(), name
    sc = load(baltimore)
    assert sc.crs.declared == "EPSG:32618"  # UTM 18N: Baltimore lies at 76.6 W
    assert sc.roads.source == "osm" and sc.timezone == "America/New_York"
    assert 3000 < sc.roads.n_nodes < 4000  # service roads out, largest two-way piece kept
    grids, zones, rings = (sc.areas_of(k) for k in ("grid", "zone", "ring"))
    assert 30 <= len(grids) <= 64 and len(zones) >= 4 and {r.level for r in rings} == {1, 2, 3}
    assert all(abs(g.geometry.area - 1e6) < 1 for g in grids)  # 1 km squares
    # every grid lies in one zone, holds road nodes, and the rings nest inside the grids
    xy = sc.roads.xy
    for g in grids:
        assert shapely.contains_xy(g.geometry, xy[:, 0], xy[:, 1]).sum() >= 3
        assert any(z.id == g.extra["zone"] for z in zones)
    tiers = [s.tier for s in sc.sites]
    assert tiers.count(1) == len(zones) and tiers.count(2) == tiers.count(3) == 2 * len(zones)
    kinds = {p.kind for p in sc.posts}
    assert {"police_station", "rapid", "standby", "station", "checkpoint", "exit",
            "camera"} <= kinds
    assert [p.night_only for p in sc.posts if p.kind == "checkpoint"] == [False, True]
    assert len(sc.lines) >= 2 and all(ln.every_minutes in (120, 180, 240) for ln in sc.lines)
    modes = {u.mode for u in sc.units}
    assert {"car", "motorcycle", "foot", "drone"} <= modes
    assert {p.team for p in sc.people} >= {"A", "B", "C", "D"}
    posts = {p.id for p in sc.posts}
    assert all(u.home_post in posts for u in sc.units)
    # the precinct cars' own duty lists can crew them round the clock (4 people could not)
    assert [w.message for w in check(baltimore).warnings if w.rule == "duty-hours"] == []


def test_each_team_can_crew_every_special_unit(baltimore: Path) -> None:
    sc = load(baltimore)
    special = [u for u in sc.units if u.tier == "special"]
    need = {"car": 2, "motorcycle": 1, "foot": 1, "drone": 1}
    for team in "ABCD":
        people = [p for p in sc.people if p.team == team]
        for squad in {u.squad for u in special}:
            seats = sum(need[u.mode] for u in special if u.squad == squad)
            assert sum(p.squad == squad for p in people) >= seats, (team, squad)
        assert sum("drone_pilot" in p.skills for p in people) >= 2


def test_incident_history_follows_the_risk_map(baltimore: Path) -> None:
    sc = load(baltimore)
    inc = sc.incidents
    days = 60
    assert abs(len(inc) / days - 40.0) < 4 * np.sqrt(40.0 * days) / days  # Poisson, 4 sd
    assert inc.time.min() >= np.datetime64("2026-09-30T00:00")
    assert inc.time.max() < np.datetime64("2026-11-29T00:00")
    hours = (inc.time.astype("datetime64[h]").astype(np.int64) % 24)
    night = np.isin(hours, [3, 4, 5]).mean()
    evening = np.isin(hours, [18, 19, 20]).mean()
    assert evening > 1.8 * night  # the hour profile is there
    risk = load_risk_map(baltimore)
    assert risk.per_day == pytest.approx(40.0)
    w = risk.node_weight()
    top = np.argsort(-w)[: len(w) // 10]  # the riskiest tenth of the nodes
    near = shapely.STRtree(shapely.points(risk.node_xy[top]))
    close = near.query(shapely.points(inc.xy), predicate="dwithin", distance=50.0)
    share = np.unique(close[0]).size / len(inc)
    assert share > 0.3  # well above the tenth a uniform spread would give


def test_test_period_is_drawn_from_the_true_map(baltimore: Path) -> None:
    risk = load_risk_map(baltimore)
    a = sample_period(risk, date(2026, 12, 1), 2, rng=np.random.default_rng(7))
    b = sample_period(risk, date(2026, 12, 1), 2, rng=np.random.default_rng(7))
    c = sample_period(risk, date(2026, 12, 1), 2, rng=np.random.default_rng(8))
    assert np.array_equal(a.xy, b.xy) and a.category == b.category
    assert not np.array_equal(a.minutes, c.minutes)
    assert 40 < len(a) < 130 and a.minutes.max() < 2 * 1440 and np.all(np.diff(a.minutes) >= 0)
    assert set(a.priority.tolist()) <= {1, 2, 3}
    with pytest.raises(FromOsmError, match="days must be at least 1"):
        sample_period(risk, date(2026, 12, 1), 0, rng=np.random.default_rng(0))


def test_same_seed_writes_the_same_bytes(data_dir: Path, tmp_path: Path,
                                         baltimore: Path) -> None:
    again = tmp_path / "baltimore"
    build_from_osm(data_dir / "baltimore.osm.pbf", again, _opts())
    assert _digest(again) == _digest(baltimore)
    other = tmp_path / "other"
    build_from_osm(data_dir / "baltimore.osm.pbf", other, _opts(seed=4, name="baltimore"))
    assert _digest(other)["incidents.csv"] != _digest(baltimore)["incidents.csv"]


def test_bad_input_names_the_argument_and_rule(data_dir: Path, tmp_path: Path) -> None:
    pbf = data_dir / "baltimore.osm.pbf"
    with pytest.raises(FromOsmError, match=r"PBF .*missing\.osm\.pbf.*does not exist"):
        build_from_osm(tmp_path / "missing.osm.pbf", tmp_path / "a", _opts())
    text = tmp_path / "roads.osm.pbf"
    text.write_text("id,x,y\n1,2,3\n", encoding="utf-8")
    with pytest.raises(FromOsmError, match=r"PBF .*roads\.osm\.pbf.*not a readable "
                                           "OpenStreetMap file"):
        build_from_osm(text, tmp_path / "b", _opts())
    csv = tmp_path / "roads.csv"
    csv.write_text("id,x,y\n", encoding="utf-8")
    with pytest.raises(FromOsmError, match=r"PBF .*roads\.csv.*must end in \.osm"):
        build_from_osm(csv, tmp_path / "c", _opts())
    for bad in (0.0, -5.0, float("nan")):
        with pytest.raises(FromOsmError, match="--grid-m must be a positive number"):
            build_from_osm(pbf, tmp_path / "d", _opts(grid_m=bad))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FromOsmError, match=r"OUTDIR .*busy.*not empty.*--force"):
        build_from_osm(pbf, busy, _opts())
    with pytest.raises(FromOsmError, match=r"--force replaces only a scenario folder"):
        build_from_osm(pbf, busy, _opts(force=True))
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(FromOsmError, match=r"--units 2: this city needs at least"):
        build_from_osm(pbf, tmp_path / "e", _opts(units=2))
    with pytest.raises(FromOsmError, match="--timezone 'Mars/Olympus'"):
        build_from_osm(pbf, tmp_path / "f", _opts(timezone="Mars/Olympus"))
    with pytest.raises(FromOsmError, match="--history-days must be at least 28"):
        build_from_osm(pbf, tmp_path / "g", _opts(history_days=7))
    assert not any((tmp_path / x).exists() for x in "abcdefg")


def test_force_replaces_a_scenario_folder(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "city"
    build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts(history_days=28, grid_m=2000))
    (out / "stale.csv").write_text("x\n", encoding="utf-8")
    build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts(history_days=28, force=True))
    assert not (out / "stale.csv").exists()
    assert len(load(out).areas_of("grid")) > 20  # 1 km grids now, not 2 km


SMALL_BOX = (-76.60, 39.27, -76.56, 39.30)  # about 3.4 x 3.3 km of the extract


def test_a_small_plan_runs_on_it(data_dir: Path, tmp_path: Path) -> None:
    """The whole pipeline (intel, roster, checkpoints, posture, routes, rings, KPIs) on a
    district of the city clipped by --bbox, with a small force."""
    from xunfang.planning.pipeline import PlanRequest, build_plan

    out = tmp_path / "small"
    build_from_osm(data_dir / "baltimore.osm.pbf", out,
                   _opts(units=10, history_days=120, bbox=SMALL_BOX))
    sc = load(out)
    lon, lat = Projector(sc.crs.working).to_lonlat(sc.roads.xy[:, 0], sc.roads.xy[:, 1])
    assert lon.min() >= SMALL_BOX[0] and lat.max() <= SMALL_BOX[3]
    assert 300 < sc.roads.n_nodes < 2000
    res = build_plan(sc, PlanRequest(start=END, seed=1))
    plan = res.plan
    assert plan.check(sc) == []
    assert len(plan.slots) == 24 and set(plan.units) == {u.id for u in sc.units}
    assert {a.unit for a in plan.assignments} >= {u.id for u in sc.units if u.mode != "drone"}
    assert res.roster is not None and res.checkpoints is not None
    posture = res.stages["posture"]
    assert posture["status"] in ("optimal", "time_limit")
    assert res.kpis is not None
    kpis = res.kpis
    assert set(kpis["baselines"]) == {"posts", "even", "proportional"}  # type: ignore[index]
    share = kpis["plan"]["response_within_target"]  # type: ignore[index]
    assert 0.0 < share <= 1.0


def test_bbox_must_be_ordered_and_hold_roads(data_dir: Path, tmp_path: Path) -> None:
    pbf = data_dir / "baltimore.osm.pbf"
    with pytest.raises(FromOsmError, match="--bbox must be WEST,SOUTH,EAST,NORTH"):
        build_from_osm(pbf, tmp_path / "a", _opts(bbox=(-76.5, 39.2, -76.6, 39.3)))
    with pytest.raises(FromOsmError, match=r"--bbox 10,10,10\.01,10\.01: holds 0 road edges"):
        build_from_osm(pbf, tmp_path / "b", _opts(bbox=(10.0, 10.0, 10.01, 10.01)))


def test_force_failing_midway_leaves_the_old_folder(data_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Review N fault 1: --force removed the old folder before writing the new one, so a failure
    midway (a full disk on incidents.csv) left half a scenario that `scenario check` passed."""
    import errno

    from xunfang.scenario import from_osm as fo

    out = tmp_path / "city"
    build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts(history_days=28, grid_m=2000))
    before = _digest(out)
    real = fo._write_csv

    def full_disk(path: Path, header: object, rows: object) -> None:
        if Path(path).name == "incidents.csv":
            raise OSError(errno.ENOSPC, "No space left on device (simulated)")
        real(path, header, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(fo, "_write_csv", full_disk)
    with pytest.raises(OSError, match="No space left"):
        build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts(history_days=28, force=True))
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city"]  # no build folder left over
    # a new folder that fails midway is not left half-written either
    with pytest.raises(OSError, match="No space left"):
        build_from_osm(data_dir / "baltimore.osm.pbf", tmp_path / "new", _opts(history_days=28))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city"]


def test_force_swap_failure_restores_the_old_folder(data_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from xunfang.scenario import from_osm as fo

    out = tmp_path / "city"
    build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts(history_days=28, grid_m=2000))
    before = _digest(out)
    real = fo.os.rename

    def refuse_new(src: object, dst: object) -> None:
        if ".building-" in str(src):
            raise OSError("rename refused (simulated)")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(fo.os, "rename", refuse_new)
    with pytest.raises(FromOsmError, match=r"OUTDIR .*city.*could not be moved into place"):
        build_from_osm(data_dir / "baltimore.osm.pbf", out, _opts(history_days=28, force=True))
    monkeypatch.undo()
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city"]


def test_a_small_bbox_is_refused_naming_the_bbox_and_rule(data_dir: Path, tmp_path: Path) -> None:
    """Review N fault 4: the 10-edge check ran before service roads were dropped and the largest
    car piece kept, so these boxes crashed ("argmax of an empty sequence", "Probabilities
    contain NaN", a siting ValueError) without naming --bbox."""
    pbf = data_dir / "baltimore.osm.pbf"
    with pytest.raises(FromOsmError, match=r"--bbox -76\.548,39\.279,-76\.546,39\.281: holds 29 "
                                           r"road edges, 0 once service roads are left out.*"
                                           r"at least 10 edges in that piece"):
        build_from_osm(pbf, tmp_path / "a", _opts(bbox=(-76.548, 39.279, -76.546, 39.281)))
    with pytest.raises(FromOsmError, match=r"--bbox -76\.608,39\.279,-76\.606,39\.281: holds 10 "
                                           r"road edges, 7 .* and 0 in the largest piece"):
        build_from_osm(pbf, tmp_path / "b", _opts(bbox=(-76.608, 39.279, -76.606, 39.281)))
    with pytest.raises(FromOsmError, match=r"--bbox -76\.59,39\.267,-76\.588,39\.269: the "
                                           r"gridded area has \d free main-road nodes for the 3 "):
        build_from_osm(pbf, tmp_path / "c", _opts(bbox=(-76.59, 39.267, -76.588, 39.269)))
    assert not any((tmp_path / x).exists() for x in "abc")
    assert list(tmp_path.iterdir()) == []
