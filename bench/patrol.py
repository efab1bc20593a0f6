"""Benchmark: routes, drones, video and auxiliary stages on the county and a synthetic city.

    python bench/patrol.py [--json]

County: the built-in ``ebian`` scenario, 24 hourly slots, one ground unit per grid (two in the
busiest grid, G4), seed 0. City: a synthetic 100 x 100 street lattice (100 m blocks, 10,000
nodes), 32 x 32 = 1,024 square grids of about 3 x 3 blocks, 3,000 key sites (tiers 1-3),
200 mandatory lines, 300 ground units each patrolling its own grid for 96 quarter-hour slots,
2 drones, 600 cameras. Reference in the same run: one full car Dijkstra row
(``xunfang.network.travel_times``) per routed (unit, slot), from the unit's home post — what
re-routing every unit in every slot on the whole network would cost at the least (timed on
200 sampled rows and scaled to all).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang import scenario  # noqa: E402
from xunfang.network import RoadNetwork  # noqa: E402
from xunfang.plan import make_slots  # noqa: E402
from xunfang.planning.auxiliary import place_auxiliary  # noqa: E402
from xunfang.planning.drones import plan_drones, thin_cells  # noqa: E402
from xunfang.planning.routes import plan_routes  # noqa: E402
from xunfang.planning.video import plan_video  # noqa: E402


def make_city(root: Path, *, side: int = 100, block: int = 10, seed: int = 0) -> Path:
    """A side x side lattice, grids of block x block nodes ((side/block)^2 ... grids)."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "network").mkdir(exist_ok=True)
    (root / "scenario.toml").write_text('name = "city"\ncrs = "local"\nslot_minutes = 15\n')
    rows = ["id,x,y"] + [f"n{c}_{r},{100 * c},{100 * r}" for c in range(side) for r in range(side)]
    (root / "network/nodes.csv").write_text("\n".join(rows) + "\n")
    edges = ["u,v,class"]
    for c in range(side):
        for r in range(side):
            cls = "secondary" if c % block == 0 or r % block == 0 else "residential"
            if c + 1 < side:
                edges.append(f"n{c}_{r},n{c + 1}_{r},{cls}")
            if r + 1 < side:
                edges.append(f"n{c}_{r},n{c}_{r + 1},{cls}")
    (root / "network/edges.csv").write_text("\n".join(edges) + "\n")
    feats = []
    gw = 100 * side / GRIDS_PER_SIDE
    for i in range(GRIDS_PER_SIDE):
        for j in range(GRIDS_PER_SIDE):
            x0, y0 = i * gw - 50, j * gw - 50
            ring = [[x0, y0], [x0 + gw, y0], [x0 + gw, y0 + gw], [x0, y0 + gw], [x0, y0]]
            feats.append({"type": "Feature", "properties": {"kind": "grid", "id": f"g{i}_{j}",
                                                            "name": f"g{i}_{j}"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (root / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                    "features": feats}))
    sites = ["id,name,kind,tier,node"]
    for k in range(3000):
        c, r = rng.integers(side, size=2)
        sites.append(f"s{k},site {k},shop,{1 + k % 3},n{c}_{r}")
    (root / "sites.csv").write_text("\n".join(sites) + "\n")
    lines = ["line,seq,node,every_minutes"]
    for k in range(200):
        c, r = rng.integers(side - 6, size=2)
        path = [(c + d, r) for d in range(5)] + [(c + 5, r + d) for d in range(5)]
        lines += [f"L{k},{i},n{a}_{b},120" for i, (a, b) in enumerate(path)]
    (root / "lines.csv").write_text("\n".join(lines) + "\n")
    posts = ["id,name,kind,node", "P0,HQ,station,n50_50", "D0,Dock,station,n25_25",
             "D1,Dock2,station,n75_75"]
    for k in range(600):
        c, r = rng.integers(side, size=2)
        posts.append(f"K{k},cam {k},camera,n{c}_{r}")
    (root / "posts.csv").write_text("\n".join(posts) + "\n")
    units = ["id,tier,mode,squad,home_post"]
    units += [f"u{k},precinct,{'car' if k % 3 else 'foot'},patrol,P0" for k in range(300)]
    units += ["dr0,special,drone,patrol,D0", "dr1,special,drone,patrol,D1"]
    (root / "units.csv").write_text("\n".join(units) + "\n")
    return root


GRIDS_PER_SIDE = 32  # 1,024 grids


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run(sc, slots, posture, seed=0):  # type: ignore[no-untyped-def]
    net = RoadNetwork.from_scenario(sc)
    grids = [a.id for a in sc.areas_of("grid")]
    rp, t_routes = timed(lambda: plan_routes(sc, net, slots, posture, seed=seed))
    # same-run reference: one full car Dijkstra row per routed (unit, slot), the floor of
    # re-routing every unit every slot on the whole network (sampled: 200 rows, scaled)
    from xunfang.network import index_of, travel_times
    keys = sorted(posture)
    sample = keys[:: max(1, len(keys) // 200)][:200]
    homes = {u.id: u.home_post for u in sc.units}
    post_node = {p.id: p.node for p in sc.posts}
    src = index_of(net, [post_node[homes[u]] for u, _ in sample])
    travel_times(net, [int(src[0])], mode="car")  # graph built and kernels compiled first
    _, t_ref = timed(lambda: [travel_times(net, [int(x)], mode="car") for x in src])
    t_ref *= len(keys) / len(sample)
    ground = {}
    for (_u, s), g in posture.items():
        ground[(g, s)] = ground.get((g, s), 0) + 1
    # the drones' rule (drones.thin_cells) on an even risk: the city has no incident history,
    # so a cell is thin where it holds fewer than its share of the hour's ground units
    thin = thin_cells({(g, s.index): 1.0 for g in grids for s in slots}, ground)
    dp, t_drones = timed(lambda: plan_drones(sc, net, slots, thin, seed=seed))
    vp, t_video = timed(lambda: plan_video(sc, slots, {}, ground, operators=2, seed=seed))
    ap, t_aux = timed(lambda: place_auxiliary(sc, slots))
    return {
        "routes_s": round(t_routes, 3),
        "reference_dijkstra_rows_s": round(t_ref, 3),
        "routes_over_reference": round(t_routes / t_ref, 2), "drones_s": round(t_drones, 3),
        "video_s": round(t_video, 3), "auxiliary_s": round(t_aux, 3),
        "routed_unit_slots": len(rp.routes), "route_shortfalls": len(rp.shortfalls),
        "route_runs": rp.attempts[0],
        "lines_met": f"{sum(x.met for x in rp.lines)}/{len(rp.lines)}",
        "tier1_sites_met": f"{sum(s.met for s in rp.sites if s.tier == 1)}/"
                           f"{sum(1 for s in rp.sites if s.tier == 1)}",
        "load_bound_over_units": sum(1 for ld, n in rp.load.values() if ld > n),
        "sorties": len(dp.sorties), "video_shortfalls": len(vp.shortfalls),
        "aux_placements": len(ap.placements),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--city", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()
    out: dict[str, object] = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                              "machine": machine_basics(), "load": loadavg()}
    sc = scenario.load("ebian")
    day = make_slots(date(2024, 6, 3), days=1, slot_minutes=60)
    units = {"TX-M1": "G1", "TX-M2": "G2", "TX-M3": "G3", "TX-M4": "G4", "PS2-C": "G4",
             "TX-M5": "G5", "TX-M6": "G6", "PS1-C": "G7"}
    posture = {(u, s.index): g for u, g in units.items() for s in day}
    out["county"] = run(sc, day, posture)
    if args.city:
        with tempfile.TemporaryDirectory() as tmp:
            (city, t_load) = timed(lambda: scenario.load(make_city(Path(tmp) / "city")))
        slots = make_slots(date(2024, 6, 3), days=1, slot_minutes=15)
        grids = [a.id for a in city.areas_of("grid")]
        ground_units = [u.id for u in city.units if u.mode != "drone"]
        posture = {(u, s.index): grids[(k * 7) % len(grids)]
                   for k, u in enumerate(ground_units) for s in slots}
        res = run(city, slots, posture)
        res["load_s"] = round(t_load, 2)
        res["grids"] = len(grids)
        out["city"] = res
    if args.json:
        print(json.dumps(out))
    else:
        for name in ("county", "city"):
            if name in out:
                print(f"== {name}")
                for k, v in out[name].items():  # type: ignore[union-attr]
                    print(f"  {k:24s} {v}")


if __name__ == "__main__":
    main()
