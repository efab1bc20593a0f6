"""How low can over-deployment go on the built-in county for a plan that meets issue 8's
requirements? A floor, by a small MIP per slot, next to the plan's and the ``proportional``
baseline's own figures in the same (static) measure.

    PYTHONPATH=src python bench/over_deployment_floor.py [--days 2026-11-29,2026-10-01]
        [--at-sites] [--json]

The measure is the simulator's over-deployment (DESIGN.md §4: Σ max(0, u − need) / Σ u, need =
the slot's uniformed units × the grid's share of the recorded incidents in that hour of the
week) taken on the plan as written: each uniformed unit counted in the grid where it stands or
patrols for the whole slot (no calls, no driving between grids). The simulated figure moves
units to calls and splits legs between grids, so it differs a little (bench/plan_kpis.py).

The floor: per slot, the least Σ max(0, u_g − need_g) over every placement of the same
uniformed units (the plan's on duty) in which

- the units the policy binds stand where the plan stands them (fixed posts, the checkpoint
  team; the baselines keep them too),
- every tier-1 site not already within its one-minute target of a standing responder has a car
  standing within that target (at *any* node of the network: the plan's own holders are not
  assumed), and
- every grid holding a tier-1 site has at least one police unit patrolling it (the tier-1
  revisit interval; a unit standing to hold a ring does not patrol),

with u_g integer (scipy.optimize.milp, HiGHS). Every plan meeting the requirements has at least
this over-deployment in this measure: if the floor is above ``proportional``'s figure, no such
plan can beat ``proportional`` on over-deployment, whatever its weights.
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
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import loadavg, machine_basics
from xunfang.network import RoadNetwork, travel_times
from xunfang.plan import Plan
from xunfang.planning.deploy.staging import RingCover
from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.planning.places import place_nodes
from xunfang.scenario import load
from xunfang.scenario.model import Scenario
from xunfang.scenario.record import weekly_weights
from xunfang.sim import SimConfig
from xunfang.sim.sweep import make_variant

POLICE = ("special", "precinct", "armed")
#: The price of a requirement left unmet in the floor (above any over-deployment: units).
SLACK = 1000.0


def _grid_of_xy(sc: Scenario, xy: np.ndarray) -> np.ndarray:
    out = np.full(len(xy), -1, dtype=np.int64)
    for g, area in enumerate(sc.areas_of("grid")):
        inside = shapely.contains_xy(area.geometry, xy[:, 0], xy[:, 1]) & (out < 0)
        out[inside] = g
    return out


class Measure:
    """Uniformed units per grid in a slot of a plan, and the slot's need (KPI weights)."""

    def __init__(self, sc: Scenario, net: RoadNetwork, day: date) -> None:
        self.sc, self.net = sc, net
        self.units = {u.id: u for u in sc.units}
        self.node_grid = _grid_of_xy(sc, net.xy)
        self.post_node = dict(zip((p.id for p in sc.posts),
                                  place_nodes(net, sc.posts).tolist(), strict=True))
        self.grids = [a.id for a in sc.areas_of("grid")]
        self.w = weekly_weights(sc)  # the KPI's weights (sim.kpis.default_weights)
        self.wd = day.weekday()
        self.node_index = {n: i for i, n in enumerate(net.node_ids)}

    def grid_of(self, a) -> int:  # type: ignore[no-untyped-def]
        if a.duty in ("post", "checkpoint") and a.post is not None:
            return int(self.node_grid[self.post_node[a.post]])
        if a.grid is not None:
            return self.grids.index(a.grid)
        if a.route:
            return int(self.node_grid[self.node_index[a.route[0]]])
        return -1

    def on(self, plan: Plan, k: int) -> list:  # type: ignore[type-arg]
        return [a for a in plan.assignments if a.slot == k and a.duty != "off"
                and self.units[a.unit].tier in POLICE and self.units[a.unit].mode != "drone"]

    def need(self, k: int, n: int) -> np.ndarray:
        w = self.w[:, (self.wd * 24 + k) % 168]
        out: np.ndarray = n * w / w.sum()
        return out

    def over(self, plan: Plan, k: int) -> tuple[float, int]:
        rows = self.on(plan, k)
        u = np.zeros(len(self.grids))
        for a in rows:
            g = self.grid_of(a)
            if g >= 0:
                u[g] += 1
        return float(np.maximum(0.0, u - self.need(k, len(rows))).sum()), len(rows)


def floor_slot(m: Measure, rings: RingCover, plan: Plan, k: int, hour: int,
               tier1_grids: set[int], reach: np.ndarray, *, at_sites: bool = False
               ) -> tuple[float, int]:
    """The least over-deployment (unit-slots) of slot ``k`` under the requirements above,
    and how many requirements the units on duty cannot meet at all (rings, patrols)."""
    rows = m.on(plan, k)
    n = len(rows)
    need = m.need(k, n)
    n_g = len(m.grids)
    bound = [a for a in rows if a.duty in ("post", "checkpoint")]
    fixed = np.zeros(n_g)
    for a in bound:
        g = m.grid_of(a)
        if g >= 0:
            fixed[g] += 1
    covered = rings.covered(bound, hour)
    open_sites = np.flatnonzero(~covered)
    free = n - len(bound)
    # holder candidates: nodes in a grid within the target of some open site
    near = reach[:, open_sites] <= rings.target if open_sites.size else np.zeros((0, 0), bool)
    cand = (np.flatnonzero(near.any(axis=1) & (m.node_grid >= 0)) if open_sites.size
            else np.zeros(0, np.int64))
    if at_sites:
        cand = np.intersect1d(cand, rings.site_idx)
    # a ring no car can stand within (in a grid) binds no plan: it is left out
    keep = near[cand].any(axis=0) if cand.size else np.zeros(open_sites.size, dtype=bool)
    open_sites, near = open_sites[keep], near[:, keep]
    # variables: y (holders at candidate nodes), p (patrols per grid), o (over per grid),
    # then the slacks of the rings and of the tier-1 grids' patrols: where the units on duty
    # cannot meet every requirement, the floor meets as many as they can (each slack costs
    # more than any over-deployment) and counts the rest
    n_o = open_sites.size
    ny = len(cand)
    o0, r0, q0 = ny + n_g, ny + 2 * n_g, ny + 2 * n_g + n_o
    nv = q0 + n_g
    c = np.zeros(nv)
    c[o0:r0] = 1.0
    c[r0:] = SLACK
    A: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    for j in range(n_o):  # every open ring held
        row = np.zeros(nv)
        row[:ny] = near[cand, j]
        row[r0 + j] = 1.0
        A.append(row); lo.append(1.0); hi.append(np.inf)  # noqa: E702
    row = np.zeros(nv)  # the free units: holders plus patrols
    row[:ny + n_g] = 1.0
    A.append(row); lo.append(free); hi.append(free)  # noqa: E702
    for g in range(n_g):  # o_g >= fixed_g + holders_g + p_g - need_g
        row = np.zeros(nv)
        row[:ny] = -(m.node_grid[cand] == g).astype(np.float64)
        row[ny + g] = -1.0
        row[o0 + g] = 1.0
        A.append(row); lo.append(fixed[g] - need[g]); hi.append(np.inf)  # noqa: E702
    for g in tier1_grids:  # a police patrol in every grid with a tier-1 site
        row = np.zeros(nv)
        row[ny + g] = 1.0
        row[q0 + g] = 1.0
        A.append(row); lo.append(1.0); hi.append(np.inf)  # noqa: E702
    ub = np.full(nv, np.inf)
    ub[:ny] = 1.0
    integrality = np.r_[np.ones(ny + n_g), np.zeros(nv - ny - n_g)]
    cons = LinearConstraint(np.array(A), lo, hi)
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(np.zeros(nv), ub))
    if res.status == 4:  # HiGHS's "solve error" on a few of these models: again, no presolve
        res = milp(c, constraints=cons, integrality=integrality,
                   bounds=Bounds(np.zeros(nv), ub), options={"presolve": False})
    if res.status != 0:
        raise RuntimeError(f"slot {k}: the floor model is {res.message} (free {free}, need "
                           f"{need.round(2).tolist()}, fixed {fixed.tolist()}, "
                           f"{ny} candidates, {n_o} open rings)")
    short = float(res.x[r0:].sum())
    return float(res.x[o0:r0].sum()), round(short)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", default="2026-11-29,2026-10-01")
    ap.add_argument("--at-sites", action="store_true",
                    help="staging units only at the tier-1 sites' own nodes (as the posture "
                         "placed them before it chose holding nodes)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sc = load("ebian")
    net = RoadNetwork.from_scenario(sc)
    out: dict[str, object] = {"bench": "over_deployment_floor", "machine": machine_basics(),
                              "at_sites": args.at_sites, "load_before": loadavg(), "days": {}}
    rings = RingCover(sc, net)
    print(f"{'day':<12}{'floor':>8}{'plan':>8}{'proportional':>14}{'unmet':>7}{'seconds':>9}")
    for text in args.days.split(","):
        day = date.fromisoformat(text.strip())
        t0 = time.perf_counter()
        r = build_plan(sc, PlanRequest(start=day))
        m = Measure(sc, net, day)
        prop = make_variant("baseline:proportional", sc, r.plan, SimConfig()).plan
        site_grid = m.node_grid[rings.site_idx]
        tier1_grids = {int(g) for g in site_grid if g >= 0}
        floor = plan_o = prop_o = total = 0.0
        unmet = 0
        for s in r.plan.slots:
            reach = travel_times(net, np.arange(net.n_nodes), rings.site_idx, mode="car",
                                 hour=s.start.hour)
            f_o, f_short = floor_slot(m, rings, r.plan, s.index, s.start.hour, tier1_grids,
                                      reach, at_sites=args.at_sites)
            floor += f_o
            unmet += f_short
            o, n = m.over(r.plan, s.index)
            plan_o += o
            total += n
            prop_o += m.over(prop, s.index)[0]
        secs = time.perf_counter() - t0
        row = {"floor": floor / total, "plan": plan_o / total, "proportional": prop_o / total,
               "unmet": unmet, "seconds": round(secs, 1)}
        out["days"][str(day)] = row  # type: ignore[index]
        print(f"{day!s:<12}{row['floor']:8.3f}{row['plan']:8.3f}{row['proportional']:14.3f}"
              f"{unmet:7d}{secs:9.1f}")
    out["load_after"] = loadavg()
    print(f"load before/after: {out['load_before']} / {out['load_after']}")
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
