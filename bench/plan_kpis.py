"""The built-in county's plan (every stage wired) against the three baselines, which deploy the
same force (the units the plan's roster crews), on incidents sampled from the plan's own
forecast; the same incidents for every arm in each replication, so the plan's lead over a
baseline is a paired difference with a 95 % t-interval over replications.

    PYTHONPATH=src python bench/plan_kpis.py [--replications 20] [--days 2026-11-29,2026-10-01]
        [--seed 1] [--staging-patrols N] [--w-over W] [--option NAME=VALUE ...] [--json]

The plan "beats" a baseline on a KPI when the interval of the paired difference lies entirely
on the good side of zero (higher share within target and visibility; fewer gap minutes and
less over-deployment).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench_option_pairs, loadavg, machine_basics
from xunfang.planning.deploy import DeployError
from xunfang.planning.pipeline import PlanRequest, build_plan, options_from_pairs
from xunfang.scenario import load
from xunfang.sim import BASELINES, RiskForecast, SimConfig
from xunfang.sim.kpis import mean_ci
from xunfang.sim.sweep import make_variant, run_sweep

#: KPI -> +1 when higher is better, -1 when lower is better.
KPIS = {"response_within_target": +1, "patrol_gap_minutes": -1, "over_deployment": -1,
        "visibility": +1, "response_p90_min": -1}


def paired(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float]:
    """Mean of a - b with its 95 % t-interval over the paired replications."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return mean_ci(d.tolist())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--days", default="2026-11-29,2026-10-01")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--staging-patrols", type=int, default=None,
                    help="units kept patrolling beside a grid's staging units (default: the "
                         "posture's Options)")
    ap.add_argument("--w-over", type=float, default=None,
                    help="the posture's over-deployment weight (default: its default)")
    ap.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                    help="any other posture option (planning.deploy.Options), e.g. "
                         "dosage_basis=forecast or w_sites=3; repeatable")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    try:
        opts = options_from_pairs(bench_option_pairs(args.staging_patrols, args.w_over,
                                                     args.option))
    except DeployError as exc:
        ap.error(str(exc))
    sc = load("ebian")
    out: dict[str, object] = {"bench": "plan_kpis", "machine": machine_basics(),
                              "staging_patrols": args.staging_patrols, "w_over": args.w_over,
                              "options": args.option,
                              "load_before": loadavg(), "replications": args.replications,
                              "days": {}}
    for text in args.days.split(","):
        d = date.fromisoformat(text.strip())
        t0 = time.perf_counter()
        r = build_plan(sc, PlanRequest(start=d, deploy_options=opts))
        build_s = time.perf_counter() - t0
        assert r.risk is not None
        src = replace(RiskForecast.from_history(sc, slot_minutes=60), risk=r.risk.risk)
        cfg = SimConfig()
        arms = [make_variant("plan", sc, r.plan, cfg),
                *(make_variant(f"baseline:{b}", sc, r.plan, cfg) for b in BASELINES)]
        t0 = time.perf_counter()
        got = run_sweep(arms, src, start=d, days=1, replications=args.replications,
                        seed=args.seed, workers=1)
        sim_s = time.perf_counter() - t0
        plan_k = got["plan"][0]
        day: dict[str, object] = {
            "build_seconds": round(build_s, 2), "simulate_seconds": round(sim_s, 2),
            "posture_shortfalls": len(r.stages["posture"].get("shortfalls", [])),
            "routes_shortfalls": len(r.stages["routes"].get("shortfalls", [])),
            "arms": {}, "plan_minus": {}, "beats": {}}
        print(f"{d}: plan built in {build_s:.1f} s, {len(arms)} arms × {args.replications} "
              f"replications simulated in {sim_s:.1f} s; shortfalls posture "
              f"{day['posture_shortfalls']}, routes {day['routes_shortfalls']}")
        print(f"  {'arm':<14}" + "".join(f"{k:>34}" for k in KPIS))
        for name, (k, _) in got.items():
            arm = name.removeprefix("baseline:")
            cells = []
            row: dict[str, object] = {}
            for kpi in KPIS:
                v, ci = k.summary[kpi], k.ci.get(kpi)
                row[kpi] = v
                row[kpi + "_ci"] = list(ci) if ci else None
                cells.append(f"{v:10.3f} [{ci[0]:9.3f},{ci[1]:9.3f}]" if ci else f"{v:10.3f}")
            day["arms"][arm] = row  # type: ignore[index]
            print(f"  {arm:<14}" + "".join(f"{c:>34}" for c in cells))
        print("  plan − baseline, paired (95 %); * = plan better, interval clear of 0")
        for b in BASELINES:
            k = got[f"baseline:{b}"][0]
            diffs, beats, cells = {}, {}, []
            for kpi, sign in KPIS.items():
                m, lo, hi = paired(plan_k.per_replication[kpi], k.per_replication[kpi])
                diffs[kpi] = [m, lo, hi]
                beats[kpi] = bool(sign * lo > 0 if sign > 0 else sign * hi > 0)
                cells.append(f"{m:+10.3f} [{lo:+9.3f},{hi:+9.3f}]{'*' if beats[kpi] else ' '}")
            day["plan_minus"][b] = diffs  # type: ignore[index]
            day["beats"][b] = beats  # type: ignore[index]
            print(f"  {b:<14}" + "".join(f"{c:>34}" for c in cells))
        out["days"][str(d)] = day  # type: ignore[index]
    out["load_after"] = loadavg()
    print(f"load before/after: {out['load_before']} / {out['load_after']}")
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
