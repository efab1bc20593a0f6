"""Benchmark: post siting (LSCP, MCLP, p-median) against spopt, and MCLP at city scale.

    python bench/rings.py [--json] [--data ../shared/data]
                          [--sizes 500x50,1000x100,2000x200,5000x500]
                          [--spopt-python PATH] [--timeout 600] [--scale-p 5,7,10,20]

Data: the Baltimore drive network, read with ``xunfang.network.imports.import_osm`` and timed
by car at free flow under the default ``Policy()``.

**Against spopt.** For each size n x m, m candidate sites are drawn (seed 0) from the largest
strongly connected piece of the network (so that every travel time is finite, as spopt's
p-median needs), the full matrix of minutes from each site to each node is computed with
``xunfang.network.travel_times``, and n demand nodes are drawn among the nodes some site
reaches within 3 minutes (so that the LSCP is feasible), with integer weights 1..10. The same
float64 matrix (n, m) goes to both sides: ``SitingInstance.from_cost_matrix`` and ours, and
``LSCP``/``MCLP``/``PMedian.from_cost_matrix`` of spopt, solved with its default solver, PuLP's
CBC (``pulp.PULP_CBC_CMD(msg=False)``; ``solve(..., results=False)``, which skips spopt's
post-processing and is the most favourable timing for it). MCLP and p-median use p = ceil(LSCP
optimum / 2), so that the MCLP is not trivially complete. Each spopt run is a fresh subprocess
(the ``--spopt-python`` interpreter, where spopt is installed; spopt is a benchmark-only
dependency) killed after ``--timeout`` seconds; once a model times out, spopt is not run on
larger sizes. Before any figure is printed the objectives are asserted equal (p-median to 1e-6
relative) and both sides' plans are re-scored with ``xunfang.planning.siting.evaluate``.
Times are wall-clock: "total" is building plus solving (the matrix itself is common input and
not timed). "solve" is, for spopt, its ``solve`` call (PuLP writing the model, CBC, reading the
answer back); for ours, ``SitingResult.solve_seconds``: everything after the reductions
(heuristics, LP and Lagrangian bounds, HiGHS).

**Scale.** MCLP with 10,000 demand points — all nodes of the drive network plus the midpoints
of randomly drawn edges (seed 0), placed on the network with ``xunfang.network.point_times``
(which snaps them onto their edge) — and 1,000 candidate nodes (seed 0), 3-minute radius,
weights 1..10, solved to proven optimality for each p of ``--scale-p``. Points no site reaches
within 3 minutes stay in the instance and are reported as uncoverable.

Data: © OpenStreetMap contributors, ODbL 1.0 (see ../shared/data/README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RADIUS = 3.0
MODELS = ("lscp", "mclp", "pmedian")


# ---------------------------------------------------------------------------------------------
# spopt worker (runs under the interpreter that has spopt; imports nothing from xunfang)


def spopt_worker(model: str, npz: Path) -> dict[str, Any]:
    import pulp
    import spopt
    from spopt.locate import LSCP, MCLP, PMedian

    z = np.load(npz)
    minutes, weights, p = z["minutes"], z["weights"], int(z["p"])
    t0 = time.perf_counter()
    if model == "lscp":
        obj = LSCP.from_cost_matrix(minutes, RADIUS)
    elif model == "mclp":
        obj = MCLP.from_cost_matrix(minutes, weights, RADIUS, p_facilities=p)
    elif model == "pmedian":
        obj = PMedian.from_cost_matrix(minutes, weights, p_facilities=p)
    else:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    t1 = time.perf_counter()
    obj.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    t2 = time.perf_counter()
    chosen = [j for j, v in enumerate(obj.fac_vars) if v.value() is not None and v.value() > 0.5]
    return {
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "status": pulp.LpStatus[obj.problem.status],
        "objective": float(pulp.value(obj.problem.objective)),
        "chosen": chosen,
        "spopt": spopt.__version__,
        "pulp": pulp.__version__,
        "cbc": str(pulp.PULP_CBC_CMD().path),
    }


def run_spopt(python: str, model: str, npz: Path, timeout: float) -> dict[str, Any]:
    """One spopt solve in a fresh process group, killed (with CBC) after ``timeout`` seconds."""
    cmd = [python, str(Path(__file__).resolve()), "--spopt-worker", model, "--npz", str(npz)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    t0 = time.perf_counter()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its CBC child, nothing else
        proc.communicate()
        return {"status": "timeout", "total_s": time.perf_counter() - t0}
    if proc.returncode != 0:
        raise RuntimeError(f"spopt {model} failed:\n{err[-3000:]}")
    return dict(json.loads(out.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------------------------
# Our side


def run_ours(model: str, minutes: np.ndarray, weights: np.ndarray, p: int | None) -> dict[str, Any]:
    from xunfang.planning import siting

    t0 = time.perf_counter()
    inst = siting.SitingInstance.from_cost_matrix(minutes, weights=weights, target_minutes=RADIUS)
    r = siting.site(inst, model=model, p=p)  # type: ignore[arg-type]
    total = time.perf_counter() - t0
    return {
        "total_s": total,
        "build_s": r.build_seconds,
        "solve_s": r.solve_seconds,
        "status": r.status,
        "gap": r.gap,
        "objective": r.objective,
        "chosen": list(r.added),
        "n_demand_merged": r.n_demand_merged,
        "n_candidates_used": r.n_candidates_used,
    }


def score(model: str, minutes: np.ndarray, weights: np.ndarray, chosen: list[int]) -> float:
    """The objective of a plan, recomputed by the independent evaluator."""
    from xunfang.planning import siting

    inst = siting.SitingInstance.from_cost_matrix(minutes, weights=weights, target_minutes=RADIUS)
    ev = siting.evaluate(inst, chosen)
    if model == "lscp":
        assert ev["lscp_feasible"], "an LSCP plan leaves demand uncovered"
    return float(ev[model])  # type: ignore[literal-required]


# ---------------------------------------------------------------------------------------------
# Instances


def load_network(data: Path) -> tuple[Any, Any, float]:
    from xunfang import network as xn
    from xunfang.network.imports import import_osm
    from xunfang.scenario.model import Policy

    t0 = time.perf_counter()
    roads, _ = import_osm(data / "baltimore.osm.pbf", network_type="drive")
    net = xn.RoadNetwork.from_roads(roads, policy=Policy())
    return net, roads, time.perf_counter() - t0


def comparison_instance(net: Any, n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from xunfang import network as xn

    rng = np.random.default_rng(seed)
    piece = xn.components(net, connection="strong").largest
    sites = np.sort(rng.choice(piece, size=m, replace=False))
    full = xn.travel_times(net, sites, piece).T  # (nodes of the piece, m), all finite
    coverable = np.flatnonzero((full <= RADIUS).any(axis=1))
    if n > coverable.shape[0]:
        raise SystemExit(f"only {coverable.shape[0]} coverable nodes for {n} demand points")
    demand = np.sort(rng.choice(coverable, size=n, replace=False))
    weights = rng.integers(1, 11, size=n).astype(np.float64)
    return np.ascontiguousarray(full[demand]), weights


def scale_instance(
    net: Any, roads: Any, n: int, m: int, seed: int
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    from xunfang import network as xn

    rng = np.random.default_rng(seed)
    nodes = roads.n_nodes
    extra = max(0, n - nodes)
    edges = np.sort(rng.choice(roads.n_edges, size=extra, replace=False))
    mid = (net.xy[roads.u[edges]] + net.xy[roads.v[edges]]) / 2.0
    sites = np.sort(rng.choice(nodes, size=m, replace=False))
    t0 = time.perf_counter()
    at_nodes = xn.travel_times(net, sites, cutoff_minutes=RADIUS).T[: min(n, nodes)]
    at_mids = xn.point_times(net, mid, sites, cutoff_minutes=RADIUS, direction="to_points")
    matrix_s = time.perf_counter() - t0
    minutes = np.ascontiguousarray(np.vstack([at_nodes, at_mids]))
    weights = rng.integers(1, 11, size=minutes.shape[0]).astype(np.float64)
    info = {
        "demand_nodes": int(at_nodes.shape[0]),
        "demand_edge_midpoints": int(extra),
        "candidates": m,
        "matrix_s": matrix_s,
        "cells_within_radius": float(np.mean(minutes <= RADIUS)),
    }
    return minutes, weights, info


# ---------------------------------------------------------------------------------------------
# Machine


def machine(spopt_python: str | None) -> dict[str, Any]:
    import highspy
    import scipy

    mem = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    info: dict[str, Any] = {
        **machine_basics(),
        "memory": mem,
        "scipy": scipy.__version__,
        "highs": f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}."
        f"{highspy.HIGHS_VERSION_PATCH}",
    }
    if spopt_python:
        done = subprocess.run(
            [spopt_python, "-c", "import spopt, pulp; print(spopt.__version__, pulp.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        )
        info["spopt"], info["pulp"] = done.stdout.split()
    return info


# ---------------------------------------------------------------------------------------------
# Driver


def find_spopt(given: str | None) -> str | None:
    candidates = [given] if given else [sys.executable, "/tmp/spopt-venv/bin/python"]
    for python in candidates:
        if python and Path(python).exists():
            ok = subprocess.run([python, "-c", "import spopt, pulp"], capture_output=True)
            if ok.returncode == 0:
                return python
    if given:
        raise SystemExit(f"--spopt-python {given}: spopt and pulp are not importable there")
    return None


def compare(args: argparse.Namespace, net: Any, spopt_python: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    stopped: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="xunfang-rings-") as tmp:
        for size in args.sizes.split(","):
            n, m = (int(v) for v in size.lower().split("x"))
            minutes, weights = comparison_instance(net, n, m, args.seed)
            lscp = run_ours("lscp", minutes, weights, None)
            p = max(1, math.ceil(lscp["objective"] / 2))
            npz = Path(tmp) / f"{n}x{m}.npz"
            np.savez(npz, minutes=minutes, weights=weights, p=p)
            for model in MODELS:
                ours = lscp if model == "lscp" else run_ours(model, minutes, weights, p)
                assert ours["status"] == "optimal", (model, size, ours["status"])
                assert math.isclose(
                    score(model, minutes, weights, ours["chosen"]),
                    ours["objective"],
                    rel_tol=1e-9,
                    abs_tol=1e-9,
                )
                row: dict[str, Any] = {
                    "size": f"{n}x{m}",
                    "model": model,
                    "p": None if model == "lscp" else p,
                    "ours": ours,
                }
                if spopt_python and model not in stopped:
                    theirs = run_spopt(spopt_python, model, npz, args.timeout)
                    row["spopt"] = theirs
                    if theirs["status"] == "timeout":
                        stopped.add(model)
                    else:
                        assert theirs["status"] == "Optimal", theirs["status"]
                        check_equal(model, ours["objective"], theirs["objective"], size)
                        rescored = score(model, minutes, weights, theirs["chosen"])
                        check_equal(model, rescored, theirs["objective"], size)
                        row["speedup_total"] = theirs["total_s"] / ours["total_s"]
                        row["speedup_solve"] = theirs["solve_s"] / ours["solve_s"]
                rows.append(row)
                print(
                    f"# {size} {model}: ours {ours['total_s']:.2f} s"
                    + (f", spopt {row['spopt']['total_s']:.1f} s" if "spopt" in row else ""),
                    file=sys.stderr,
                    flush=True,
                )
    return rows


def check_equal(model: str, a: float, b: float, size: str) -> None:
    tol = 1e-6 * max(1.0, abs(a)) if model == "pmedian" else 1e-9
    if abs(a - b) > tol:
        raise SystemExit(f"{model} {size}: objectives differ: ours {a!r}, spopt {b!r}")


def scale(args: argparse.Namespace, net: Any, roads: Any) -> dict[str, Any]:
    from xunfang.planning import siting

    minutes, weights, info = scale_instance(
        net, roads, args.scale_demand, args.scale_sites, args.seed
    )
    runs = []
    for p in (int(v) for v in args.scale_p.split(",")):
        t0 = time.perf_counter()
        inst = siting.SitingInstance.from_cost_matrix(
            minutes, weights=weights, target_minutes=RADIUS
        )
        r = siting.mclp(inst, p=p)
        total = time.perf_counter() - t0
        assert r.status == "optimal", r.status
        assert math.isclose(siting.evaluate(inst, r.added)["mclp"], r.objective)
        runs.append(
            {
                "p": p,
                "total_s": total,
                "build_s": r.build_seconds,
                "solve_s": r.solve_seconds,
                "status": r.status,
                "gap": r.gap,
                "objective": r.objective,
                "covered_weight_share": r.covered_weight_share,
                "uncoverable": len(r.uncoverable),
                "n_demand_merged": r.n_demand_merged,
                "n_candidates_used": r.n_candidates_used,
            }
        )
        print(f"# scale p={p}: {total:.2f} s", file=sys.stderr, flush=True)
    return {**info, "demand": int(minutes.shape[0]), "runs": runs}


def print_table(s: dict[str, Any]) -> None:
    mc = s["machine"]
    print(
        f"Baltimore drive graph: {s['nodes']} nodes, {s['edges']} edges; car, free flow; "
        f"{RADIUS:g}-minute radius; import {s['import_s']:.2f} s"
    )
    print(
        f"CPU: {mc['cpu']} x {mc['nproc']}, {mc['memory']}; HiGHS {mc['highs']}"
        + (f"; spopt {mc['spopt']}, PuLP {mc['pulp']} (CBC)" if "spopt" in mc else "")
        + f"; load average before {s['loadavg_before']}, after {s['loadavg_after']}"
    )
    print()
    print(
        "| size (demand x sites) | model | p | optimum | ours total s | ours solve s "
        "| spopt total s | spopt solve s | total: ours faster by | solve: ours faster by |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in s["compare"]:
        o, t = row["ours"], row.get("spopt")
        if t is None:
            theirs = "| not run | | | "
        elif t["status"] == "timeout":
            theirs = f"| > {t['total_s']:.0f} (killed) | | | "
        else:
            theirs = (
                f"| {t['total_s']:.2f} | {t['solve_s']:.2f} | "
                f"{row['speedup_total']:.1f}x | {row['speedup_solve']:.1f}x "
            )
        p = "" if row["p"] is None else row["p"]
        print(
            f"| {row['size']} | {row['model']} | {p} | {o['objective']:.6g} "
            f"| {o['total_s']:.2f} | {o['solve_s']:.2f} {theirs}|"
        )
    sc = s["scale"]
    print()
    print(
        f"Scale: MCLP, {sc['demand']} demand points ({sc['demand_nodes']} nodes + "
        f"{sc['demand_edge_midpoints']} edge midpoints) x {sc['candidates']} candidate nodes, "
        f"{RADIUS:g}-minute radius ({100 * sc['cells_within_radius']:.1f}% of cells within "
        f"it); matrix {sc['matrix_s']:.2f} s (not in the times below)"
    )
    print()
    print(
        "| p | status | gap | covered weight | share | uncoverable points | merged points "
        "| sites used | total s | build s | solve s |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sc["runs"]:
        print(
            f"| {r['p']} | {r['status']} | {r['gap']:.1g} | {r['objective']:.0f} "
            f"| {100 * r['covered_weight_share']:.2f}% | {r['uncoverable']} "
            f"| {r['n_demand_merged']} | {r['n_candidates_used']} | {r['total_s']:.2f} "
            f"| {r['build_s']:.2f} | {r['solve_s']:.2f} |"
        )
    print()
    timed = [r for r in s["compare"] if "speedup_total" in r]
    if timed:
        worst = min(timed, key=lambda r: r["speedup_total"])
        ok = worst["speedup_total"] >= 10
        print(
            f"target >= 10x spopt (total time, every size spopt finished): worst "
            f"{worst['speedup_total']:.1f}x ({worst['model']} {worst['size']}) -> "
            f"{'met' if ok else 'NOT met'}"
        )
    slowest = max(sc["runs"], key=lambda r: r["total_s"])
    print(
        f"target 10,000 x 1,000 MCLP to proven optimality in <= 30 s: slowest "
        f"{slowest['total_s']:.1f} s (p = {slowest['p']}) -> "
        f"{'met' if slowest['total_s'] <= 30 else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data", help="real-data folder"
    )
    parser.add_argument(
        "--sizes",
        default="500x50,1000x100,2000x200,5000x500",
        help="comparison sizes, demand x sites, comma-separated",
    )
    parser.add_argument(
        "--spopt-python",
        default=None,
        help="interpreter with spopt installed (default: this one, else "
        "/tmp/spopt-venv/bin/python)",
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds before a spopt run is killed"
    )
    parser.add_argument("--scale-demand", type=int, default=10_000)
    parser.add_argument("--scale-sites", type=int, default=1_000)
    parser.add_argument("--scale-p", default="5,7,10,20", help="p values of the scale MCLP")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--spopt-worker", help=argparse.SUPPRESS)
    parser.add_argument("--npz", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.spopt_worker:
        print(json.dumps(spopt_worker(args.spopt_worker, args.npz)))
        return 0
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    spopt_python = find_spopt(args.spopt_python)
    if spopt_python is None:
        print(
            "# spopt not found: ours only (pip install spopt, or --spopt-python)", file=sys.stderr
        )
    before = loadavg()
    net, roads, import_s = load_network(args.data)
    summary: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(spopt_python),
        "data": str(args.data / "baltimore.osm.pbf"),
        "nodes": roads.n_nodes,
        "edges": roads.n_edges,
        "import_s": import_s,
        "radius_minutes": RADIUS,
        "seed": args.seed,
        "loadavg_before": before,
    }
    summary["compare"] = compare(args, net, spopt_python)
    summary["scale"] = scale(args, net, roads)
    summary["loadavg_after"] = loadavg()
    print_table(summary)
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
