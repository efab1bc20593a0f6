"""Benchmark: the deployment plan (issue 8) — the county's whole plan, its posture and
re-plans, and a synthetic city (1,000 grids, 300 units, 96 slots).

    python bench/plan.py [--json] [--city-grids 1000] [--city-units 300] [--city-slots 96]

County: ``build_plan`` on the built-in ``ebian`` (7 grids, 38 units, 24 hourly slots; the
whole pipeline: intelligence, roster, checkpoints, posture, rings and the simulated KPIs),
then the posture alone and a re-plan from noon with a unit out of service and a hot incident.
Targets: whole plan <= 10 s, re-plan <= 2 s. The reference measured in the same run is the
``proportional`` baseline plan (``xunfang.sim.baseline_plan``): the ratio says what the MIP
costs over a plan made by arithmetic.

City: a synthetic lattice (seed 0) of 1,000 square grids in 20 zones, 300 units (60 special
motorcycles free to go anywhere, 200 precinct cars in their zone, 40 fixed-post units), 300
key sites of tiers 1-3 and gamma-distributed risk, 96 slots of 15 minutes. Target <= 300 s.
The largest relative MIP gap over all slots is reported for both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import shapely

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang.network import RoadNetwork  # noqa: E402
from xunfang.plan import make_slots  # noqa: E402
from xunfang.planning import deploy  # noqa: E402
from xunfang.planning.deploy.replan import Hot  # noqa: E402
from xunfang.planning.pipeline import PlanRequest, build_plan  # noqa: E402
from xunfang.scenario.loader import load  # noqa: E402
from xunfang.scenario.model import (  # noqa: E402
    CRS,
    Area,
    Policy,
    Post,
    Roads,
    Scenario,
    Site,
    Unit,
)
from xunfang.sim import baseline_plan  # noqa: E402

DAY = date(2025, 7, 1)


def county() -> dict[str, object]:
    sc = load("ebian")
    req = PlanRequest(start=DAY)
    t = time.perf_counter()
    result = build_plan(sc, req)
    whole = time.perf_counter() - t
    slots = result.plan.slots
    t = time.perf_counter()
    baseline_plan("proportional", sc, slots)
    ref = time.perf_counter() - t
    net = result.network
    inp = deploy.prepare(sc, net, slots, risk=result.risk.risk if result.risk else None,
                         risk_grids=result.risk.grids if result.risk else None)
    t = time.perf_counter()
    post = deploy.plan_posture(inp)
    posture_s = time.perf_counter() - t
    t = time.perf_counter()
    again = deploy.replan(inp, post, deploy.ReplanState(
        at_slot=12, out_of_service=("PS1-C",), busy={"TX-M1": (13, "G3")},
        hot=(Hot(grid="G6", first=12, last=15, share=1.0),)))
    replan_s = time.perf_counter() - t
    st = result.stages["posture"]
    return {"whole_plan_s": round(whole, 3), "target_s": 10.0,
            "posture_s": round(posture_s, 3), "posture_max_gap": post.max_gap,
            "posture_status": post.status,
            "pipeline_posture_status": st["status"], "pipeline_max_gap": st["max_gap"],
            "shortfalls": len(st["shortfalls"]),  # type: ignore[arg-type]
            "replan_s": round(replan_s, 3), "replan_target_s": 2.0,
            "replan_changed": again.changed, "replan_max_gap": again.max_gap,
            "proportional_baseline_s": round(ref, 4),
            "posture_over_baseline": round(posture_s / max(ref, 1e-9), 1)}


def city(n_grids: int, n_units: int, n_slots: int, seed: int = 0) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    cols = 40
    rows = -(-n_grids // cols)
    k = 4  # nodes per grid side
    nx, ny = cols * k, rows * k
    step = 100.0
    ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="xy")
    xy = np.column_stack([ii.ravel() * step, jj.ravel() * step]).astype(np.float64)
    idx = np.arange(nx * ny).reshape(ny, nx)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    m = u.shape[0]
    roads = Roads(node_ids=tuple(f"n{i}" for i in range(nx * ny)), xy=xy,
                  u=u.astype(np.int64), v=v.astype(np.int64), length_m=np.full(m, step),
                  speed_kph=np.full(m, np.nan), oneway=np.zeros(m, dtype=bool),
                  road_class=("residential",) * m, name=("",) * m)
    zones_per_row = 5
    areas: list[Area] = []
    for g in range(n_grids):
        r, c = divmod(g, cols)
        box = shapely.box(c * k * step - step / 2, r * k * step - step / 2,
                          (c + 1) * k * step - step / 2, (r + 1) * k * step - step / 2)
        zone = f"Z{(r // max(1, rows // 4)) * zones_per_row + c // (cols // zones_per_row)}"
        areas.append(Area(id=f"G{g}", kind="grid", name=f"G{g}", geometry=box,
                          extra={"zone": zone}))
    centres = [a.geometry.centroid for a in areas]
    posts = [Post(id=f"P{g}", name=f"P{g}", kind="police_station",
                  xy=(centres[g].x, centres[g].y)) for g in range(0, n_grids, 5)]
    units: list[Unit] = []
    for i in range(n_units):
        home = posts[int(rng.integers(len(posts)))].id
        if i < n_units // 5:
            units.append(Unit(id=f"S{i}", tier="special", mode="motorcycle", squad="patrol",
                              home_post=home))
        elif i < n_units - n_units // 7:
            units.append(Unit(id=f"C{i}", tier="precinct", mode="car", squad="patrol",
                              home_post=home))
        else:
            units.append(Unit(id=f"F{i}", tier="special", mode="car", squad="fixed",
                              home_post=home))
    site_grids = rng.choice(n_grids, size=min(300, n_grids * 3 // 10), replace=False)
    sites = [Site(id=f"S{j}", name=f"S{j}", kind="bank", tier=int(rng.integers(1, 4)),
                  xy=(centres[g].x + 10, centres[g].y + 10))
             for j, g in enumerate(site_grids.tolist())]
    slot_minutes = 1440 // n_slots
    sc = Scenario(name="city", crs=CRS("local", "local"), timezone="UTC", horizon_days=1,
                  slot_minutes=slot_minutes, policy=Policy(), roads=roads,
                  areas=tuple(areas), sites=tuple(sites), posts=tuple(posts),
                  units=tuple(units))
    t = time.perf_counter()
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(DAY, days=1, slot_minutes=slot_minutes)
    risk = rng.gamma(0.6, 1.0, size=(n_grids, 1)) * (
        1.2 + np.sin(np.linspace(0, 2 * np.pi, len(slots))))[None, :]
    inp = deploy.prepare(sc, net, slots, risk=risk)
    prep_s = time.perf_counter() - t
    t = time.perf_counter()
    post = deploy.plan_posture(inp)
    solve_s = time.perf_counter() - t
    return {"grids": n_grids, "units": n_units, "slots": len(slots), "nodes": net.n_nodes,
            "prepare_s": round(prep_s, 2), "posture_s": round(solve_s, 2),
            "total_s": round(prep_s + solve_s, 2), "target_s": 300.0,
            "status": post.status, "max_gap": post.max_gap,
            "mip_seconds_max": round(max(s.seconds for s in post.solves), 3),
            "mip_seconds_total": round(sum(s.seconds for s in post.solves), 2),
            "slots_at_time_limit": sum(s.status == "time_limit" for s in post.solves),
            "columns_max": max(s.columns for s in post.solves),
            "rows_max": max(s.rows for s in post.solves),
            "shortfalls": len(post.shortfalls)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--city-grids", type=int, default=1000)
    ap.add_argument("--city-units", type=int, default=300)
    ap.add_argument("--city-slots", type=int, default=96)
    ap.add_argument("--skip-city", action="store_true")
    ap.add_argument("--skip-county", action="store_true")
    a = ap.parse_args()
    out: dict[str, object] = {
        "machine": machine_basics(), "load": loadavg(),
    }
    if not a.skip_county:
        out["county"] = county()
    if not a.skip_city:
        out["city"] = city(a.city_grids, a.city_units, a.city_slots)
    if a.json:
        print(json.dumps(out))
        return
    print(f"machine: {out['machine']}")
    for part in ("county", "city"):
        if part in out:
            print(f"\n{part}")
            for key, val in out[part].items():  # type: ignore[attr-defined]
                print(f"  {key:28s} {val}")


if __name__ == "__main__":
    main()
