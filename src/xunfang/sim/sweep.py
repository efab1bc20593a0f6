"""Sweeps and what-ifs: the same incidents through variants of a plan, in parallel.

A variant is written ``KIND:ARGS``:

- ``plan`` — the plan as given;
- ``baseline:NAME`` — a reference plan (``posts``, ``even``, ``proportional``; its drones on
  standby at their posts, no sorties; the plan's camera views kept);
- ``add:UNIT@POST`` — one more unit like UNIT (tier, mode, squad) homed at POST, standing at
  POST (duty post) in every slot UNIT is on duty, off when UNIT is off;
- ``move:POST=NODE`` — POST moved to the network node NODE;
- ``handovers:H,H,...`` (also written ``shifts:H,H,...``) — the handovers (交接班,
  ``SimConfig.shift_starts``; ``[policy] handover_minutes`` long) at these hours instead;
  who is on duty in which slot stays the plan's (moving the duty hours themselves takes a
  new roster and plan);
- ``swap:UNIT=MODE`` — UNIT's vehicle swapped for another mode.

Every variant sees the same incidents and the same seed (common random numbers), so their
differences are not noise of the draw. A difference's interval on replayed incidents is a
bootstrap over the same days for both arms (``paired_intervals``), so the incidents' own
chance is in it as in the level intervals. Variants run in a local process pool, or on Ray.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from multiprocessing import get_context
from typing import Any

import numpy as np

from xunfang._errors import MissingDependencyError
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan
from xunfang.scenario.model import MODES, Post, Scenario, Unit
from xunfang.sim.baselines import BASELINES, baseline_plan
from xunfang.sim.config import SimConfig, SimError
from xunfang.sim.incidents import RiskForecast, SimIncidents
from xunfang.sim.kpis import (
    DAYS_T,
    Kpis,
    evaluate,
    is_share,
    mean_ci,
    percentile_ci,
    t_ci,
    unchanged_ci,
)
from xunfang.sim.simulate import simulate


@dataclass(frozen=True, eq=False)
class Variant:
    """One arm of a sweep: its name and the scenario, plan and settings it runs with."""

    name: str
    scenario: Scenario
    plan: Plan
    config: SimConfig


def _units_plan(plan: Plan, units: tuple[str, ...], extra: Sequence[Assignment]) -> Plan:
    return replace(plan, units=units, assignments=plan.assignments + tuple(extra), _index={})


def make_variant(text: str, scenario: Scenario, plan: Plan, config: SimConfig) -> Variant:
    """Parse ``KIND:ARGS`` (see the module) into a variant of ``scenario``/``plan``."""
    kind, _, args = text.partition(":")
    units = {u.id: u for u in scenario.units}
    posts = {p.id: p for p in scenario.posts}
    if kind == "plan" and not args:
        return Variant("plan", scenario, plan, config)
    if kind == "baseline":
        if args not in BASELINES:
            raise SimError(f"variant {text!r}: unknown baseline; use one of "
                           f"{', '.join(BASELINES)}")
        # the baselines deploy the plan's force (its units off duty stay off); their drones
        # stay at their posts (on standby: no sorties); the video desk watches the plan's
        # cameras in every arm, so the arms differ by the ground only
        base = replace(baseline_plan(args, scenario, plan.slots, like=plan),
                       camera_views=plan.camera_views)
        return Variant(text, scenario, base, config)
    if kind == "add":
        uid, _, post = args.partition("@")
        if uid not in units or post not in posts:
            raise SimError(f"variant {text!r}: write add:UNIT@POST with a unit and a post of "
                           f"the scenario (unit {uid!r}, post {post!r})")
        new_id = f"{uid}+1"
        k = 1
        while new_id in units:
            k += 1
            new_id = f"{uid}+{k}"
        unit = replace(units[uid], id=new_id, home_post=post)
        # the copy stands at POST whenever UNIT is on duty, whatever UNIT does there: it
        # had copied UNIT's grid and route duties, so add:C1@p3 drove C1's own routes and
        # POST only set where it started and rested (a review)
        extra = [Assignment(unit=new_id, slot=a.slot, duty="off") if a.duty == "off"
                 else Assignment(unit=new_id, slot=a.slot, duty="post", post=post)
                 for a in plan.of_unit(uid)]
        sc = replace(scenario, units=(*scenario.units, unit))
        return Variant(text, sc, _units_plan(plan, (*plan.units, new_id), extra), config)
    if kind == "move":
        pid, _, node = args.partition("=")
        if pid not in posts or node not in scenario.roads.node_ids:
            raise SimError(f"variant {text!r}: write move:POST=NODE with a post and a network "
                           f"node of the scenario (post {pid!r}, node {node!r})")
        i = scenario.roads.node_ids.index(node)
        xy = (float(scenario.roads.xy[i, 0]), float(scenario.roads.xy[i, 1]))
        moved: list[Post] = [replace(p, node=node, xy=xy) if p.id == pid else p
                             for p in scenario.posts]
        return Variant(text, replace(scenario, posts=tuple(moved)), plan, config)
    if kind in ("handovers", "shifts"):
        try:
            hours = tuple(int(h) for h in args.split(",") if h.strip())
        except ValueError:
            hours = (-1,)
        if not hours or any(not 0 <= h <= 23 for h in hours):
            raise SimError(f"variant {text!r}: write {kind}:H,H,... with the handover "
                           "hours 0..23")
        return Variant(text, scenario, plan, replace(config, shift_starts=hours))
    if kind == "swap":
        uid, _, mode = args.partition("=")
        if uid not in units or mode not in MODES:
            raise SimError(f"variant {text!r}: write swap:UNIT=MODE with a unit of the scenario "
                           f"and a mode among {', '.join(MODES)}")
        swapped: list[Unit] = [replace(u, mode=mode) if u.id == uid else u
                               for u in scenario.units]
        return Variant(text, replace(scenario, units=tuple(swapped)), plan, config)
    raise SimError(f"variant {text!r}: unknown kind {kind!r}; use plan, baseline:NAME, "
                   "add:UNIT@POST, move:POST=NODE, handovers:H,H,... or swap:UNIT=MODE")


def _run_variant(job: tuple[Variant, SimIncidents | RiskForecast, datetime, int, int, int]
                 ) -> tuple[str, Kpis, float]:
    variant, incidents, start, days, replications, seed = job
    net = RoadNetwork.from_scenario(variant.scenario)
    res = simulate(variant.scenario, net, variant.plan, incidents, start=start, days=days,
                   replications=replications, seed=seed, config=variant.config)
    return variant.name, evaluate(res), float(sum(res.seconds))


def run_sweep(variants: Sequence[Variant], incidents: SimIncidents | RiskForecast, *,
              start: date | datetime, days: int, replications: int, seed: int,
              workers: int = 0, backend: str = "process") -> dict[str, tuple[Kpis, float]]:
    """Simulate every variant (``replications`` each, the same incidents and seed) and
    evaluate it. ``workers`` processes (0: one per core, 1: in this process); ``backend``
    ``process`` (a local pool) or ``ray`` (the Ray cluster ``ray.init()`` connects to)."""
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise SimError(f"variant names must differ; got {names}")
    t0 = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    jobs = [(v, incidents, t0, days, replications, seed) for v in variants]
    if backend == "ray":
        try:
            import ray
        except ImportError as exc:
            raise MissingDependencyError("ray", "cluster", "xunfang sweep --backend ray"
                                         ) from exc
        if not ray.is_initialized():
            ray.init()
        remote = ray.remote(_run_variant)
        got: list[tuple[str, Kpis, float]] = ray.get([remote.remote(j) for j in jobs])
    elif backend != "process":
        raise SimError(f"backend must be 'process' or 'ray'; got {backend!r}")
    elif workers == 1 or len(jobs) == 1:
        got = [_run_variant(j) for j in jobs]
    else:
        n = workers or (os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=min(n, len(jobs)),
                                 mp_context=get_context("spawn")) as pool:
            got = list(pool.map(_run_variant, jobs))
    return {name: (k, secs) for name, k, secs in got}


def paired_differences(results: dict[str, tuple[Kpis, float]], against: str = "plan"
                       ) -> dict[str, dict[str, tuple[float, float, float, int]]]:
    """Per arm other than ``against``, per KPI: ``(difference, low, high, pairs)``, the mean
    of the per-replication differences arm − ``against``, its 95 % interval (see
    ``paired_intervals`` for which) and the pairs of replications. The arms share the
    incidents and the seed (replication r of every arm draws from the same stream), so the
    pairs cancel the noise of the draw that side-by-side intervals carry; pairs where either
    figure is undefined (NaN) are left out. Empty when ``against`` is not among the arms."""
    return {name: {kpi: row[:4] for kpi, row in rows.items()}
            for name, rows in paired_intervals(results, against).items()}


def paired_intervals(results: dict[str, tuple[Kpis, float]], against: str = "plan"
                     ) -> dict[str, dict[str, tuple[float, float, float, int, str]]]:
    """``paired_differences`` with the kind of each interval beside it:

    - ``"days bootstrap"`` / ``"incidents bootstrap"``: for replayed incidents, where both
      arms bootstrapped the figure (``Kpis.draws``): draw by draw, the arm's figure minus
      ``against``'s on the same days (the draws of runs on the same incidents and seed pick
      the same days and replication), percentiles 2.5 and 97.5; ``"days bootstrap SE, t"``
      (``kpis.DAYS_T``), a short run's: Student's t over its days on the differences'
      standard error, as its levels (``kpis.t_ci``), and for a share over incidents where
      no incident turned between the arms in any draw or replication, the share that may
      turn unseen (``kpis.unchanged_ci``, about ±3.7 / incidents) instead of [0, 0]. The
      t-interval over replications had covered only the simulator's noise on the same
      incidents: over 40 replayed weeks (handovers:6,14,22 against the plan, a 7 × 7
      lattice, two units, ~6 incidents a day) it held the 420-day difference for
      within_target 0.63, p50 0.60, p90 0.85, utilisation 0.60 of them (a review).
      ``bench/sim_coverage.py`` (the same lattice, 420 days, windows of 3 and 7 days,
      p50 / p90 / mean / within_target / utilisation): for handovers:6,14,22, whose effect
      falls on a few calls a week, the widened percentiles held 0.65 / 0.75 / 0.81 / 0.74 /
      0.28 on 3 days and 0.88 / 0.93 / 0.97 / 0.95 / 0.50 on 7; now 0.72 / 0.76 / 0.81 /
      1.00 / 0.28 and 0.92 / 0.97 / 0.97 / 1.00 / 0.52. Every window that still misses has
      the interval [0, 0]: the arms never differed on its days (28 % of 3-day windows for
      p50, 72 % for utilisation), and no resampling of those days can show a difference
      there. For move:p1=n3_3 (every call moves) 0.97 / 0.94 / 0.99 / 0.70 / 0.99 on
      3 days became 0.99 / 0.97 / 1.00 / 1.00 / 0.99;
    - ``"replications"``: the 95 % t-interval of the per-replication differences (sampled
      incidents, and the figures not over incidents); low and high NaN from fewer than two
      pairs."""
    if against not in results:
        return {}
    ref_k = results[against][0]
    base = ref_k.per_replication
    out: dict[str, dict[str, tuple[float, float, float, int, str]]] = {}
    for name, (k, _) in results.items():
        if name == against:
            continue
        rows: dict[str, tuple[float, float, float, int, str]] = {}
        for kpi, vals in k.per_replication.items():
            ref = base.get(kpi)
            if ref is None or len(ref) != len(vals):
                continue
            # rounded to 1e-9: equal figures computed in another order differ by ~1e-14,
            # which read as "-5.68e-14" where the arms agree
            d = [round(a - b, 9) + 0.0 for a, b in zip(vals, ref, strict=True)
                 if np.isfinite(a) and np.isfinite(b)]
            m, lo, hi = mean_ci(d)
            kind = "replications"
            a_draws, b_draws = k.draws.get(kpi), ref_k.draws.get(kpi)
            same = (k.interval.get(kpi) == ref_k.interval.get(kpi)
                    and k.bootstrap_units == ref_k.bootstrap_units)
            if a_draws and b_draws and len(a_draws) == len(b_draws) and same:
                dd = [round(a - b, 9) + 0.0 for a, b in zip(a_draws, b_draws, strict=True)]
                if k.interval[kpi] == DAYS_T:  # a short run: as its levels (kpis.t_ci)
                    ci = t_ci(m, dd, k.bootstrap_units, share=is_share(kpi), difference=True)
                    n = min(k.trials.get(kpi, 0), ref_k.trials.get(kpi, 0))
                    if n and not any(dd) and not any(d):
                        # no incident's outcome differed in these days: not that none can
                        ci = unchanged_ci(n)
                else:
                    ci = percentile_ci(dd)
                lo, hi = ci if ci is not None else (np.nan, np.nan)
                kind = k.interval[kpi]
            rows[kpi] = (m, lo, hi, len(d), kind)
        out[name] = rows
    return out


def _num(v: float) -> float | None:
    return round(float(v), 6) if np.isfinite(v) else None


def sweep_json(results: dict[str, tuple[Kpis, float]],
               diffs: dict[str, dict[str, tuple[float, float, float, int, str]]] | None = None
               ) -> dict[str, Any]:
    """Each arm's ``Kpis.as_json()``, seconds and ``per_replication`` (every headline
    figure's value in each replication, null where undefined, so that differences can be
    recomputed); every arm but the plan also gets ``vs_plan``: per KPI the paired
    ``difference`` from the plan, its 95 % ``ci`` (null from fewer than two pairs), the
    number of ``pairs`` and the ``interval`` it is (``paired_intervals``)."""
    if diffs is None:  # the caller's, when it has them (the command's table uses them too)
        diffs = paired_intervals(results)
    return {name: {**k.as_json(), "seconds": round(secs, 3),
                   "per_replication": {kpi: [_num(v) for v in vals]
                                       for kpi, vals in k.per_replication.items()},
                   **({"vs_plan": {kpi: {"difference": _num(m), "ci": (
                       None if not (np.isfinite(lo) and np.isfinite(hi))
                       else [_num(lo), _num(hi)]), "pairs": n, "interval": kind}
                       for kpi, (m, lo, hi, n, kind) in diffs[name].items()}}
                      if name in diffs else {})}
            for name, (k, secs) in results.items()}


def bars_svg(results: dict[str, tuple[Kpis, float]], kpis: Sequence[str]) -> str:
    """A small SVG: one panel per KPI, a bar per variant with its 95 % interval."""
    names = list(results)
    row_h, panel_w, label_w = 18, 260, 170
    height = 30 + len(names) * row_h
    width = label_w + len(kpis) * (panel_w + 20)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height + 10}" font-family="sans-serif" font-size="11">']
    for i, n in enumerate(names):
        y = 30 + i * row_h + 12
        parts.append(f'<text x="4" y="{y}">{_esc(n)}</text>')
    for j, kpi in enumerate(kpis):
        x0 = label_w + j * (panel_w + 20)
        vals = [results[n][0].summary.get(kpi, float("nan")) for n in names]
        cis = [results[n][0].ci.get(kpi) for n in names]
        top = max([v for v in vals if np.isfinite(v)] + [c[1] for c in cis if c] + [1e-12])
        parts.append(f'<text x="{x0}" y="16" font-weight="bold">{_esc(kpi)}</text>')
        for i, (v, c) in enumerate(zip(vals, cis, strict=True)):
            y = 30 + i * row_h
            if not np.isfinite(v):
                continue
            w = max(0.0, v) / top * (panel_w - 60)
            parts.append(f'<rect x="{x0}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                         f'fill="#4a7ab5"/>')
            if c:
                a, b = (max(0.0, c[0]) / top * (panel_w - 60), c[1] / top * (panel_w - 60))
                parts.append(f'<line x1="{x0 + a:.1f}" x2="{x0 + b:.1f}" y1="{y + 9}" '
                             f'y2="{y + 9}" stroke="#222"/>')
            parts.append(f'<text x="{x0 + w + 4:.1f}" y="{y + 13}">{v:.3g}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plan_kpis(scenario: Scenario, plan: Plan, incidents: SimIncidents | RiskForecast, *,
              start: date | datetime, days: int, replications: int, seed: int,
              baselines: Sequence[str] = BASELINES, config: SimConfig | None = None,
              workers: int = 1) -> dict[str, Any]:
    """The ``kpis`` object of plan.json: ``{"plan": {...}, "baselines": {"NAME": {...}}}``,
    each ``Kpis.as_json()`` (headline numbers with ``NAME_ci: [low, high]`` beside them,
    counts, and the tables the report draws), the plan and every baseline run on the same
    incidents and seed."""
    cfg = config or SimConfig()
    arms = [make_variant("plan", scenario, plan, cfg),
            *(make_variant(f"baseline:{b}", scenario, plan, cfg) for b in baselines)]
    got = run_sweep(arms, incidents, start=start, days=days, replications=replications,
                    seed=seed, workers=workers)
    return {"plan": got["plan"][0].as_json(),
            "baselines": {b: got[f"baseline:{b}"][0].as_json() for b in baselines}}
