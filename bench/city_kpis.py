"""The whole plan against the baselines on a real street network: Baltimore (OpenStreetMap)
with incidents sampled from the TRUE synthetic risk map (not from the plan's own forecast).

Builds the scenario with ``xunfang.scenario.from_osm`` from ../shared/data/baltimore.osm.pbf
into a temporary folder (history up to the day before --start), runs ``build_plan`` as
``xunfang plan`` does, then simulates the plan and each baseline (``posts``, ``even``,
``proportional``) on the same incidents in every replication — drawn with
``from_osm.sample_period`` from the map the history came from — and the same simulator
random numbers (common random numbers). Visibility and over-deployment weigh grids by the true
map's rates; over-deployment is also measured against the simulator's default yardstick, the
recorded incidents per grid and hour of the week (what ``xunfang plan`` reports in plan.json),
as ``over_deployment_record``. Prints a table (mean and 95 % interval over replications, and
the paired difference plan − baseline) and, with --json, one JSON line.

--network takes another street network instead: an OpenStreetMap file, or a GIS line layer
(--layer) as the scenario builder reads it (e.g. the Montréal centrelines; give the city's
--timezone too):

    PYTHONPATH=src python bench/city_kpis.py [--json] [--replications 20] [--days 1]
    PYTHONPATH=src python bench/city_kpis.py --network ../shared/data/montreal_networks.gpkg \
        --layer mtl_network --timezone America/Toronto --replications 20
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench_option_pairs, loadavg, machine_basics
from xunfang.network import RoadNetwork
from xunfang.planning.deploy import DeployError
from xunfang.planning.pipeline import PlanRequest, build_plan, options_from_pairs
from xunfang.scenario import load
from xunfang.scenario.from_osm import (
    BuildOptions,
    FromOsmError,
    RiskMap,
    build_from_osm,
    sample_period,
)
from xunfang.scenario.model import Scenario
from xunfang.sim import SimConfig, SimResult, evaluate, make_variant
from xunfang.sim.engine import run_once, setup
from xunfang.sim.kpis import mean_ci

PBF = Path(__file__).resolve().parents[2] / "shared" / "data" / "baltimore.osm.pbf"
KEYS = ("response_within_target", "response_p50_min", "response_p90_min",
        "patrol_gap_minutes", "over_deployment", "visibility", "over_deployment_record")
ARMS = ("plan", "baseline:posts", "baseline:even", "baseline:proportional")


def true_weights(sc: Scenario, risk: RiskMap) -> np.ndarray:
    """Expected incidents per grid and hour of the week under the true map (+1 % of the mean,
    as the simulator's default weights)."""
    grids = sc.areas_of("grid")
    w = np.zeros((len(grids), 168))
    for c, g in enumerate(grids):
        inside = shapely.contains_xy(g.geometry, risk.node_xy[:, 0], risk.node_xy[:, 1])
        w[c] = risk.rate[:, inside].sum(axis=1)
    return w + 0.01 * max(float(w.mean()), 1e-12)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--days", type=int, default=1, help="days planned and simulated")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 30))
    ap.add_argument("--seed", type=int, default=1, help="seed of the scenario and the plan")
    ap.add_argument("--sim-seed", type=int, default=11)
    ap.add_argument("--network", type=Path, default=PBF,
                    help="road file: OpenStreetMap (.osm.pbf …) or GIS lines (.gpkg …); "
                         "default the Baltimore extract")
    ap.add_argument("--layer", default=None, help="the road layer of a GIS file")
    ap.add_argument("--timezone", default="America/New_York", help="IANA time zone of the city")
    ap.add_argument("--grid-m", type=float, default=1000.0)
    ap.add_argument("--incidents-per-day", type=float, default=40.0)
    ap.add_argument("--staging-patrols", type=int, default=None,
                    help="the posture's Options.staging_patrols (default: its default)")
    ap.add_argument("--w-over", type=float, default=None,
                    help="the posture's over-deployment weight (default: its default)")
    ap.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                    help="any other posture option (planning.deploy.Options), e.g. "
                         "dosage_basis=forecast; repeatable")
    args = ap.parse_args()
    machine = {**machine_basics(), "load_before": loadavg()}
    try:
        opts = options_from_pairs(bench_option_pairs(args.staging_patrols, args.w_over,
                                                     args.option))
    except DeployError as exc:
        ap.error(str(exc))

    default = args.network == PBF and args.layer is None
    city = "baltimore" if default else (args.layer or args.network.name.split(".")[0])
    label = ("Baltimore (OSM)" if default else f"{args.network.name}"
             f"{f', layer {args.layer}' if args.layer else ''}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / city
        t0 = time.perf_counter()
        try:
            built = build_from_osm(args.network, folder, BuildOptions(
                grid_m=args.grid_m, seed=args.seed, incidents_per_day=args.incidents_per_day,
                history_days=365, history_end=args.start, timezone=args.timezone,
                name=city, layer=args.layer))
        except FromOsmError as exc:
            ap.error(str(exc))
        build_s = time.perf_counter() - t0
        sc = load(folder)
        risk = built.risk
        t0 = time.perf_counter()
        res = build_plan(sc, PlanRequest(start=args.start, days=args.days, seed=args.seed,
                                         deploy_options=opts))
        plan_s = time.perf_counter() - t0

    net = res.network
    cfg = SimConfig()
    weights = true_weights(sc, risk)
    start = datetime.combine(args.start, datetime.min.time())
    R = args.replications
    inc_streams = np.random.SeedSequence([args.sim_seed, 1]).spawn(R)
    runs = [sample_period(risk, start, args.days, rng=np.random.default_rng(s))
            for s in inc_streams]
    sim_streams = np.random.SeedSequence([args.sim_seed, 2]).spawn(R)
    per: dict[str, dict[str, list[float]]] = {}
    summary: dict[str, dict[str, object]] = {}
    sim_s = 0.0
    for arm in ARMS:
        v = make_variant(arm, sc, res.plan, cfg)
        vnet = net if v.scenario is sc else RoadNetwork.from_scenario(v.scenario)
        t0 = time.perf_counter()
        st = setup(v.scenario, vnet, v.plan, start=start, days=args.days, config=cfg)
        logs = tuple(run_once(st, vnet, inc, np.random.default_rng(s))
                     for inc, s in zip(runs, sim_streams, strict=True))
        sim_s += time.perf_counter() - t0
        result = SimResult(setup=st, incidents=tuple(runs), logs=logs, seed=args.sim_seed,
                           seconds=(0.0,) * R, source="sample")
        k = evaluate(result, weights=weights)
        # the same runs against the simulator's default yardstick, the recorded incidents per
        # grid and hour of the week (the over-deployment xunfang plan reports in plan.json)
        k_record = evaluate(result)
        name = arm.removeprefix("baseline:")
        per[name] = {key: list(k.per_replication[key]) for key in KEYS
                     if key != "over_deployment_record"}
        per[name]["over_deployment_record"] = list(k_record.per_replication["over_deployment"])
        summary[name] = {key: dict(zip(("mean", "low", "high"), mean_ci(per[name][key]),
                                       strict=True)) for key in KEYS}
        summary[name]["dispatched"] = k.counts.get("dispatches", 0)
    paired: dict[str, dict[str, dict[str, float]]] = {}
    for name in ("posts", "even", "proportional"):
        paired[name] = {}
        for key in ("response_within_target", "patrol_gap_minutes", "over_deployment",
                    "visibility", "over_deployment_record"):
            d = [a - b for a, b in zip(per["plan"][key], per[name][key], strict=True)]
            paired[name][key] = dict(zip(("mean", "low", "high"), mean_ci(d), strict=True))

    stages = res.stages
    posture = stages.get("posture", {})
    roster = stages.get("roster", {})
    routes = stages.get("routes", {})
    misses = [str(m) for m in (routes.get("shortfalls", []) if isinstance(routes, dict) else [])]
    mode = {u.id: u.mode for u in sc.units}
    placed = [a for a in res.plan.assignments if a.duty != "off" and mode[a.unit] != "drone"]
    duties: dict[str, int] = {}
    for a in placed:
        duties[a.duty] = duties.get(a.duty, 0) + 1
    doc = {
        "bench": "city_kpis", "date": datetime.now().isoformat(timespec="seconds"),
        "machine": {**machine, "load_after": loadavg()},
        "args": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(args).items()},
        "scenario": {k: v for k, v in built.as_json().items() if k != "folder"},
        "build_seconds": round(build_s, 2), "plan_seconds": round(plan_s, 2),
        "sim_seconds": round(sim_s, 2),
        "incidents_per_replication": float(np.mean([len(r) for r in runs])),
        "shortfalls": {name: len(s.get("shortfalls", []))
                       for name, s in stages.items() if isinstance(s, dict)
                       and "shortfalls" in s},
        "route_misses": {"tier1_sites": sum("(tier 1," in m for m in misses),
                         "tier2_sites": sum("(tier 2," in m for m in misses),
                         "tier3_sites": sum("(tier 3," in m for m in misses),
                         "line_pieces": sum(m.startswith("line ") for m in misses)},
        "plan_unit_slots_by_duty": duties,
        "posture_status": posture.get("status") if isinstance(posture, dict) else None,
        "roster": {k: roster[k] for k in ("teams", "pattern") if isinstance(roster, dict)
                   and k in roster},
        "kpis": summary, "paired_plan_minus": paired,
    }
    verdict = []
    # better: the paired 95 % interval lies on the right side of 0; "not raised": the plan's
    # over-deployment is not significantly above the baseline's (interval reaches 0 or below)
    for name, diff in paired.items():
        better_share = diff["response_within_target"]["low"] > 0
        better_gap = diff["patrol_gap_minutes"]["high"] < 0
        no_more_over = diff["over_deployment"]["low"] <= 0
        no_more_record = diff["over_deployment_record"]["low"] <= 0
        verdict.append((name, better_share, better_gap, no_more_over, no_more_record))
    doc["beats"] = {n: {"share_within_target": a, "patrol_gap": b, "over_deployment_not_raised": c,
                        "over_deployment_record_not_raised": d}
                    for n, a, b, c, d in verdict}
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, default=str))
        return
    print(f"{label} · {built.nodes} nodes · {built.grids} grids · "
          f"{sum(built.units.values())} units · {args.days} day(s) from {args.start} · "
          f"{R} replications, {doc['incidents_per_replication']:.1f} incidents each "
          "(true risk map)")
    print(f"build {build_s:.1f} s · plan {plan_s:.1f} s · simulation {sim_s:.1f} s · "
          f"shortfalls {doc['shortfalls']}")
    print(f"route misses {doc['route_misses']} · plan unit-slots by duty {duties}")
    head = ("arm", "within target", "p50 min", "p90 min", "patrol gap (min)", "over-depl.",
            "visibility", "over-depl. (record)")
    print(" | ".join(head))
    for name, s in summary.items():
        cells = [name]
        for key in KEYS:
            m = s[key]
            assert isinstance(m, dict)
            cells.append(f"{m['mean']:.3f} [{m['low']:.3f}, {m['high']:.3f}]"
                         if key in ("response_within_target", "over_deployment", "visibility",
                                    "over_deployment_record")
                         else f"{m['mean']:.1f} [{m['low']:.1f}, {m['high']:.1f}]")
        print(" | ".join(cells))
    print("paired plan − baseline (mean [95 % CI]):")
    for name, diff in paired.items():
        print(f"  {name:<13}", *(f"{k}={v['mean']:+.3f} [{v['low']:+.3f}, {v['high']:+.3f}]"
                                 for k, v in diff.items()))
    for name, a, b, c, d in verdict:
        print(f"  vs {name:<13} share within target better: {a}; patrol gap lower: {b}; "
              f"over-deployment not raised: {c} (true map), {d} (record)")


if __name__ == "__main__":
    main()
