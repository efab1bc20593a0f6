"""Benchmark: the checkpoint game at scale, and small Bayesian games against brute force.

    python bench/checkpoints.py [--json] [--sites 200] [--slots 42] [--teams 30]
                                [--naive-lps 10] [--small 60] [--seed 0]

**Scale** (the issue's target: 200 sites × 42 slots per week = 8,400 targets, 30 teams, to
ε ≤ 1e-4 in ≤ 10 s). Random general-sum payoffs (seed): attacker 1..10 when not checked,
−10..−1 when checked; defender −10..−1 / 0..5; one attacker type. Solved with
``solve_origami`` (the compact minimax LP, then the multiple-LPs step with its bound, in
HiGHS). ε is measured two ways: the attacker's minimax payoff v* from HiGHS against an
independent ORIGAMI computation in numpy (bisection on v over the per-slot team sums, to
1e-13), and the gap between the proven bound and the defender's value of the returned
coverage under ``check_sse``. The baseline, measured in the same run, is the way the open
research implementations solve it: one LP per target (the multiple-LPs method without the
bound), timed on ``--naive-lps`` random targets and scaled to all 8,400. Comb sampling of
1,000 stratified days of the solution is timed too.

With ``--bayes K`` the same scale game with K attacker types is also given to DOBSS under
``--bayes-time-limit`` seconds; the value found, HiGHS' proven bound and the gap are printed.

**The stage** (``plan_checkpoints`` on the built-in ``ebian`` scenario, two teams, a
3-minute change-over so the travel rule binds, one attacker type, 7 days): the whole stage —
game, SSE, spreading the unused capacity, the flow sampler — under its default time budgets
(``--stage-spread-limit``, ``--stage-sample-limit``), timed; its notes say whether a budget
cut in.

**Small Bayesian games** (``--small`` of them, seed): 2-3 sites, 1-2 slots, 2-3 attacker types,
the travel rule in half of them; DOBSS (compact MILP) and the multiple LPs against DOBSS over
every pure strategy (``brute_force``: the original normal-form DOBSS MILP on the enumerated
daily schedules). The largest difference in the defender's value is reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang.planning.checkpoints import (  # noqa: E402
    brute_force,
    check_sse,
    comb_sample,
    make_game,
    solve_dobss,
    solve_multiple_lps,
    solve_origami,
)
from xunfang.planning.checkpoints.game import SecurityGame  # noqa: E402
from xunfang.planning.checkpoints.sample import empirical  # noqa: E402
from xunfang.planning.checkpoints.solvers import _best_response_lp  # noqa: E402


def machine() -> dict[str, Any]:
    import highspy
    import scipy

    return {
        **machine_basics(), "scipy": scipy.__version__,
        "highs": f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}."
                 f"{highspy.HIGHS_VERSION_PATCH}",
    }


def big_game(sites: int, slots: int, teams: int, seed: int) -> SecurityGame:
    rng = np.random.default_rng(seed)
    shape = (sites, slots)
    return make_game(
        [f"S{i}" for i in range(sites)], [f"T{s}" for s in range(slots)],
        att_uncovered=rng.uniform(1, 10, shape), att_covered=rng.uniform(-10, -1, shape),
        def_uncovered=rng.uniform(-10, -1, shape), def_covered=rng.uniform(0, 5, shape),
        teams=teams)


def origami_numpy(g: SecurityGame) -> float:
    """The attacker's minimax payoff without HiGHS: the smallest v at which every slot's teams
    suffice to hold each of its targets to v (coverage max(lo, (U^u - v)/(U^u - U^c)) ≤ hi)."""
    uu = g.att_uncovered[0].reshape(g.n_sites, g.n_slots)
    span = (g.att_uncovered[0] - g.att_covered[0]).reshape(g.n_sites, g.n_slots)
    lo = g.lo.reshape(g.n_sites, g.n_slots)
    hi = g.hi.reshape(g.n_sites, g.n_slots)

    def feasible(v: float) -> bool:
        need = np.maximum(lo, (uu - v) / span)
        return bool((need <= hi + 1e-15).all() and (need.sum(axis=0) <= g.teams + 1e-12).all())

    a = float((uu - hi * span).max())  # below this some target cannot be held to v
    b = float(uu.max())  # no coverage needed
    if feasible(a):
        return a
    for _ in range(200):
        mid = 0.5 * (a + b)
        if feasible(mid):
            b = mid
        else:
            a = mid
        if b - a < 1e-13:
            break
    return b


def scale(args: argparse.Namespace) -> dict[str, Any]:
    g = big_game(args.sites, args.slots, args.teams, args.seed)
    t0 = time.perf_counter()
    sol = solve_origami(g)
    seconds = time.perf_counter() - t0
    v_np = origami_numpy(g)
    chk = check_sse(g, sol.coverage, claimed=sol.defender_value, bound=sol.bound)
    eps_v = abs(float(sol.minimax[0]) - v_np)
    eps_gap = abs(sol.bound - chk.defender_value)
    # the naive way: one LP per target
    rng = np.random.default_rng(args.seed + 1)
    picks = rng.choice(g.n_targets, size=args.naive_lps, replace=False)
    t1 = time.perf_counter()
    for t in picks.tolist():
        _best_response_lp(g, {0: int(t)})
    per_lp = (time.perf_counter() - t1) / args.naive_lps
    naive = per_lp * g.n_targets
    t2 = time.perf_counter()
    checked = comb_sample(g, sol.coverage, 1000, seed=args.seed)
    sample_s = time.perf_counter() - t2
    dev = float(np.abs(empirical(checked) - sol.coverage).max())
    return {
        "targets": g.n_targets, "sites": g.n_sites, "slots": g.n_slots, "teams": args.teams,
        "seconds": seconds, "programs": sol.programs,
        "attacker_minimax_highs": float(sol.minimax[0]), "attacker_minimax_numpy": v_np,
        "eps_minimax": eps_v, "eps_gap": eps_gap, "sse_ok": chk.ok,
        "defender_value": sol.defender_value, "attacker_value": float(sol.attacker_values[0]),
        "naive_per_lp_seconds": per_lp, "naive_seconds_scaled": naive,
        "ours_faster_by": naive / seconds,
        "sample_1000_days_seconds": sample_s, "sample_max_deviation": dev,
        "met": bool(seconds <= 10.0 and max(eps_v, eps_gap) <= 1e-4 and chk.ok),
    }


def bayes(args: argparse.Namespace) -> dict[str, Any]:
    """The scale game with ``--bayes`` attacker types, by DOBSS under a time limit."""
    rng = np.random.default_rng(args.seed + 3)
    k = args.bayes
    shape = (k, args.sites, args.slots)
    g = make_game(
        [f"S{i}" for i in range(args.sites)], [f"T{s}" for s in range(args.slots)],
        type_names=[f"k{j}" for j in range(k)], prob=rng.dirichlet(np.ones(k)),
        att_uncovered=rng.uniform(1, 10, shape), att_covered=rng.uniform(-10, -1, shape),
        def_uncovered=rng.uniform(-10, -1, shape), def_covered=rng.uniform(0, 5, shape),
        teams=args.teams)
    t0 = time.perf_counter()
    sol = solve_dobss(g, time_limit=args.bayes_time_limit)
    return {"types": k, "time_limit": args.bayes_time_limit,
            "seconds": time.perf_counter() - t0, "defender_value": sol.defender_value,
            "bound": sol.bound, "gap": sol.bound - sol.defender_value}


def small(args: argparse.Namespace) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed + 2)
    worst_dobss = worst_mlp = 0.0
    t_dobss = t_mlp = t_brute = 0.0
    pure_counts = []
    for i in range(args.small):
        ns, nt, k = int(rng.integers(2, 4)), int(rng.integers(1, 3)), int(rng.integers(2, 4))
        shape = (k, ns, nt)
        moves = rng.random((nt - 1, ns, ns)) < 0.6 if (i % 2 and nt > 1) else None
        g = make_game(
            [f"s{j}" for j in range(ns)], [f"t{j}" for j in range(nt)],
            type_names=[f"k{j}" for j in range(k)], prob=rng.dirichlet(np.ones(k)),
            att_uncovered=rng.uniform(1, 10, shape), att_covered=-rng.uniform(0, 5, shape),
            def_uncovered=-rng.uniform(1, 10, shape), def_covered=rng.uniform(0, 5, shape),
            teams=[int(x) for x in rng.integers(1, ns, nt)], moves=moves)
        a = time.perf_counter()
        d = solve_dobss(g)
        b = time.perf_counter()
        m = solve_multiple_lps(g)
        c = time.perf_counter()
        value, _ = brute_force(g)
        e = time.perf_counter()
        t_dobss += b - a
        t_mlp += c - b
        t_brute += e - c
        worst_dobss = max(worst_dobss, abs(d.defender_value - value))
        worst_mlp = max(worst_mlp, abs(m.defender_value - value))
        from xunfang.planning.checkpoints.solvers import pure_strategies

        pure_counts.append(len(pure_strategies(g)))
    n = args.small
    return {
        "games": n, "max_abs_diff_dobss_vs_brute": worst_dobss,
        "max_abs_diff_multiple_lps_vs_brute": worst_mlp,
        "mean_seconds_dobss": t_dobss / n, "mean_seconds_multiple_lps": t_mlp / n,
        "mean_seconds_brute": t_brute / n,
        "pure_strategies_min": int(min(pure_counts)), "pure_strategies_max": int(max(pure_counts)),
        "met": bool(max(worst_dobss, worst_mlp) <= 1e-6),
    }


def stage(args: argparse.Namespace) -> dict[str, Any]:
    """The checkpoint stage end to end, with spread and a binding travel rule."""
    from datetime import date

    from xunfang import scenario as scenario_mod
    from xunfang.network import RoadNetwork
    from xunfang.plan import make_slots
    from xunfang.planning.checkpoints import plan_checkpoints

    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)
    t0 = time.perf_counter()
    cp = plan_checkpoints(sc, net, slots, 2, args.seed, days=7, max_types=1,
                          changeover_minutes=3.0, spread_time_limit=args.stage_spread_limit,
                          sample_time_limit=args.stage_sample_limit)
    seconds = time.perf_counter() - t0
    return {"scenario": "ebian", "sites": cp.game.n_sites, "slots": cp.game.n_slots,
            "teams": 2, "days": 7, "seconds": seconds, "sampler": cp.sampler,
            "spread": not np.isnan(cp.solution.spread_from),
            "binding_moves": int(cp.game.binding_moves().sum()),
            "budget_notes": [n for n in cp.notes if "time limit" in n or "time budget" in n]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="Print one JSON line.")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--slots", type=int, default=42)
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--naive-lps", type=int, default=10)
    parser.add_argument("--small", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bayes", type=int, default=0,
                        help="Also solve the scale game with this many attacker types (DOBSS).")
    parser.add_argument("--bayes-time-limit", type=float, default=60.0)
    parser.add_argument("--stage-spread-limit", type=float, default=30.0)
    parser.add_argument("--stage-sample-limit", type=float, default=60.0)
    args = parser.parse_args(argv)
    summary: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "loadavg_before": loadavg(),
    }
    summary["scale"] = scale(args)
    summary["small"] = small(args)
    summary["stage"] = stage(args)
    if args.bayes:
        summary["bayes"] = bayes(args)
    summary["loadavg_after"] = loadavg()
    if args.json:
        print(json.dumps(summary))
        return 0
    s, b = summary["scale"], summary["small"]
    print(f"checkpoint game, {s['sites']} sites × {s['slots']} slots = {s['targets']} targets, "
          f"{s['teams']} teams, 1 attacker type (seed {args.seed})")
    print(f"  solve_origami:  {s['seconds']:.2f} s, {s['programs']} LPs, SSE check "
          f"{'ok' if s['sse_ok'] else 'FAILED'}")
    print(f"  ε minimax (HiGHS vs numpy ORIGAMI): {s['eps_minimax']:.2e}; "
          f"ε bound vs value: {s['eps_gap']:.2e}")
    print(f"  one LP per target (naive): {s['naive_per_lp_seconds']:.3f} s per LP, "
          f"{s['naive_seconds_scaled']:.0f} s for all -> ours faster by "
          f"{s['ours_faster_by']:.0f}×")
    print(f"  comb sampling 1,000 days: {s['sample_1000_days_seconds']:.3f} s, max deviation "
          f"{s['sample_max_deviation']:.4f}")
    print(f"  target (≤ 10 s, ε ≤ 1e-4): {'met' if s['met'] else 'NOT met'}")
    print(f"small Bayesian games: {b['games']} ({b['pure_strategies_min']}-"
          f"{b['pure_strategies_max']} pure strategies)")
    print(f"  max |DOBSS − brute force| = {b['max_abs_diff_dobss_vs_brute']:.2e}, "
          f"max |multiple LPs − brute force| = {b['max_abs_diff_multiple_lps_vs_brute']:.2e}")
    print(f"  mean s: DOBSS {b['mean_seconds_dobss']:.4f}, multiple LPs "
          f"{b['mean_seconds_multiple_lps']:.4f}, brute force {b['mean_seconds_brute']:.4f}")
    t = summary["stage"]
    print(f"checkpoint stage ({t['scenario']}, {t['sites']} sites × {t['slots']} slots, "
          f"{t['teams']} teams, {t['days']} days, travel rule binding in {t['binding_moves']} "
          f"slot change(s), spread {'applied' if t['spread'] else 'not applied'}, sampler "
          f"{t['sampler']}): {t['seconds']:.2f} s"
          + "".join(f"; {n}" for n in t["budget_notes"]))
    if "bayes" in summary:
        y = summary["bayes"]
        print(f"scale game with {y['types']} attacker types, DOBSS, time limit "
              f"{y['time_limit']:.0f} s: {y['seconds']:.1f} s, value {y['defender_value']:.4f}, "
              f"bound {y['bound']:.4f}, gap {y['gap']:.4f}")
    print(f"load average before {summary['loadavg_before']}, after {summary['loadavg_after']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
