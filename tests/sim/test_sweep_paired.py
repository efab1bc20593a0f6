"""`xunfang sweep`: paired differences against the plan, intervals as [low, high], and the
variants' whole names at 80 columns (a review: "31.5 ±54" for the interval [0, 108], three
baselines all cut to "baseli…", and no difference from the plan though the arms share the
incidents and seed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.sim.test_engine import DAY, GRID, POSTS, TWO_CARS, Make, home_plan, incidents, load
from xunfang.cli.main import app
from xunfang.sim import SimConfig
from xunfang.sim.kpis import mean_ci, percentile_ci
from xunfang.sim.sweep import (
    make_variant,
    paired_differences,
    paired_intervals,
    run_sweep,
    sweep_json,
)

CFG = SimConfig(second_unit_categories=(), second_unit_site_tier=None)  # lognormal scenes


def test_paired_differences_are_of_the_replications(make_scenario: Make) -> None:
    sc = load(make_scenario, TWO_CARS)
    plan = home_plan(sc)
    inc = incidents([(10.0, "e", "x", 2), (12.0, "d", "x", 2), (14.0, "c", "x", 1),
                     (15.0, "b", "x", 2), (40.0, "e", "x", 2)])
    arms = [make_variant(t, sc, plan, CFG) for t in ("plan", "move:p1=c", "add:U1@p1")]
    got = run_sweep(arms, inc, start=DAY, days=1, replications=4, seed=3, workers=1)
    diffs = paired_differences(got)
    kinds = paired_intervals(got)
    assert set(diffs) == {"move:p1=c", "add:U1@p1"}
    base = got["plan"][0].per_replication
    seen = set()
    for name in diffs:
        for kpi, (m, lo, hi, n) in diffs[name].items():
            pairs = [a - b for a, b in zip(got[name][0].per_replication[kpi], base[kpi],
                                           strict=True) if np.isfinite(a) and np.isfinite(b)]
            assert n == len(pairs)
            want = mean_ci(pairs)
            assert m == pytest.approx(want[0], abs=1e-8, nan_ok=True)
            kind = kinds[name][kpi][4]
            seen.add(kind)
            if kind == "replications":
                assert (lo, hi) == pytest.approx(want[1:], abs=1e-8, nan_ok=True)
            else:  # replayed: the draws of the two arms, paired (one day: the incidents)
                assert kind == "incidents bootstrap"
                want_ci = percentile_ci([a - b for a, b in zip(
                    got[name][0].draws[kpi], got["plan"][0].draws[kpi], strict=True)])
                assert (lo, hi) == pytest.approx(want_ci or (np.nan, np.nan), abs=1e-8,
                                                 nan_ok=True)
    assert seen == {"replications", "incidents bootstrap"}
    doc = sweep_json(got)
    assert "vs_plan" not in doc["plan"]
    p50 = doc["move:p1=c"]["vs_plan"]["response_p50_min"]
    assert p50["pairs"] == 4 and len(p50["ci"]) == 2
    assert p50["interval"] == "incidents bootstrap"
    assert doc["move:p1=c"]["vs_plan"]["visibility"]["interval"] == "replications"
    assert p50["ci"][0] <= p50["difference"] <= p50["ci"][1]
    # the table's figures stay where they were
    assert doc["move:p1=c"]["response_p50_min"] == pytest.approx(
        got["move:p1=c"][0].summary["response_p50_min"], abs=1e-6)


def test_the_sweep_table_at_80_columns(make_scenario: Make, tmp_path: Path) -> None:
    path = make_scenario({"posts.csv": POSTS, "units.csv": TWO_CARS,
                          "areas.geojson": json.dumps(GRID)})
    f = tmp_path / "calls.csv"
    f.write_text("id,time,x,y,category,priority\nc1,2025-03-03T00:10,400,0,x,2\n"
                 "c2,2025-03-03T03:00,400,300,x,1\nc3,2025-03-03T05:00,800,0,x,2\n",
                 encoding="utf-8")
    r = CliRunner().invoke(app, ["sweep", str(path), "--incidents", str(f), "--days", "1",
                                 "--replications", "3", "--workers", "1", "--baselines",
                                 "--variant", "move:p1=c"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(x) for x in lines) <= 80
    for name in ("baseline:posts", "baseline:even", "baseline:proportional", "move:p1=c"):
        assert any(x.startswith(name + " ") for x in lines), name
    assert "±" not in r.stdout and "…" not in r.stdout
    assert "vs plan" in r.stdout
