"""Street presence per (grid, slot) in the simulator's KPIs: one pass (``kpis._presence``)
against the loop it replaced, measured in the same run.

    python bench/sim_presence.py [--grids 300] [--pieces 2000000] [--repeat 3] [--json]

The baseline is the code before 2026-11-30 (session 24): the police minutes and unit-minutes
by a mask over every street piece per grid, then the weighted visibility in a second pass
over the pieces (``_street`` twice). Synthetic log: a week of pieces, three quarters of the
units police, the rest auxiliary forces weighing 0, 0.5 or 0.8. Both must give the same
figures; the table gives each one's best time and the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import loadavg, machine_basics
from xunfang.sim import kpis


def baseline(setup: Any, log: Any, geo: Any, H: float, n_g: int, n_slots: int, L: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loop before _presence: police by a mask per grid, the weighted cover apart."""
    grid, start, end, _u, _s = kpis._street(setup, log, geo, H)
    police = np.zeros((n_g, n_slots))
    unit_min = np.zeros((n_g, n_slots))
    for g in range(n_g):
        sel = grid == g
        ms, me = kpis._merge(start[sel], end[sel])
        police[g] = kpis._minutes_per_slot(ms, me, n_slots, L)
        unit_min[g] = kpis._minutes_per_slot(start[sel], end[sel], n_slots, L)
    weight = setup.presence_weight
    grid, start, end, unit, _ = kpis._street(setup, log, geo, H, weight > 0)
    wu = weight[unit]
    cover = np.zeros((n_g, n_slots))
    order = np.argsort(grid, kind="stable")
    bounds = np.searchsorted(grid[order], np.arange(n_g + 1))
    for g in range(n_g):
        idx = order[bounds[g]:bounds[g + 1]]
        below = 0.0
        for level in np.unique(wu[idx]).tolist():
            at = idx[wu[idx] >= level]
            ms, me = kpis._merge(start[at], end[at])
            cover[g] += (level - below) * kpis._minutes_per_slot(ms, me, n_slots, L)
            below = level
    return police, unit_min, cover


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grids", type=int, default=300)
    ap.add_argument("--pieces", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    load0 = loadavg()
    rng = np.random.default_rng(1)
    n_g, U, N, P = args.grids, 400, args.pieces, 5000
    weight = np.where(np.arange(U) < 300, 1.0, rng.choice([0.0, 0.5, 0.8], U))
    setup = NS(visible=weight == 1.0, presence_weight=weight)
    H = 7 * 1440.0
    s0 = np.sort(rng.uniform(0, H, N))
    s1 = s0 + rng.exponential(5, N)
    fr = rng.integers(0, P, N)
    to = np.where(rng.random(N) < 0.5, fr, rng.integers(0, P, N))
    log = NS(s_unit=rng.integers(0, U, N).astype(np.int32), s_kind=np.zeros(N, np.int8),
             s_start=s0, s_end=s1, s_from=fr, s_to=to)
    geo = NS(point_grid=rng.integers(-1, n_g, P))
    best = {"baseline": np.inf, "presence": np.inf}
    diff = 0.0
    for _ in range(args.repeat):
        t = time.perf_counter()
        a = baseline(setup, log, geo, H, n_g, 168, 60.0)
        best["baseline"] = min(best["baseline"], time.perf_counter() - t)
        t = time.perf_counter()
        b = kpis._presence(setup, log, geo, H, n_g, 168, 60.0)
        best["presence"] = min(best["presence"], time.perf_counter() - t)
        diff = max(diff, *(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True)))
    ratio = best["presence"] / best["baseline"]
    doc = {"bench": "sim_presence", "grids": n_g, "pieces": N, "repeat": args.repeat,
           "baseline_s": round(best["baseline"], 3), "presence_s": round(best["presence"], 3),
           "ratio": round(ratio, 3), "max_abs_difference": diff,
           "machine": {**machine_basics(), "load_before": load0, "load_after": loadavg()}}
    if args.json:
        print(json.dumps(doc))
        return
    print(f"{'method':<10} {'best s':>8}")
    print(f"{'baseline':<10} {best['baseline']:>8.3f}")
    print(f"{'presence':<10} {best['presence']:>8.3f}")
    print(f"ratio {ratio:.3f} (presence / baseline); largest difference {diff:g} min; "
          f"load {load0} -> {loadavg()}")


if __name__ == "__main__":
    main()
