"""Benchmark: a many-source travel-time matrix on the real Baltimore drive network.

    python bench/network.py [--sources 1000] [--cutoff 10] [--json] [--data ../shared/data]

The network is read with ``xunfang.network.import_osm(..., network_type="drive")`` and timed by
car at free flow under the default policy. Each method runs in a fresh subprocess (same graph,
same sources) so that its peak memory is its own: peak RSS (``VmHWM``, ``_common.peak_mb``: the
whole process: Python, numpy, the library, the graph and the result), and the growth of RSS
during the query (``VmRSS`` before vs peak after). Times are the best of ``--repeat`` runs of
the query alone (graph building is reported apart). networkx is slow, so it runs a subset of
the sources (``--nx-sources``) and its time is scaled linearly to the full count. Before any
figure is reported every method's matrix is checked against ours (max abs difference in
minutes, and the same unreachable cells).

Methods: networkx ``single_source_dijkstra_path_length`` per source; igraph
``Graph.distances(source=..., weights=...)`` (one call; no cut-off option; the time includes
turning its list of lists into an array); scipy ``csgraph.dijkstra`` (with ``limit`` for the
cut-off); ours ``xunfang.network.travel_times`` on all cores, on one core, and with the cut-off.
Our first call is timed apart: with an empty numba cache (JIT compile) and with the cache warm.

Data: © OpenStreetMap contributors, ODbL 1.0 (see ../shared/data/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from _common import loadavg, machine_basics, peak_mb

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))


# ---------------------------------------------------------------------------------------------
# Workers (one per subprocess)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _load_network(graph: Path) -> Any:
    from xunfang import network as xn
    from xunfang.scenario.model import Policy, Roads

    z = np.load(graph, allow_pickle=False)
    roads = Roads(
        node_ids=tuple(str(i) for i in z["node_ids"]),
        xy=z["xy"],
        u=z["u"],
        v=z["v"],
        length_m=z["length_m"],
        speed_kph=z["speed_kph"],
        oneway=z["oneway"],
        road_class=tuple(str(c) for c in z["road_class"]),
        name=("",) * len(z["u"]),
        source="osm",
    )
    return xn.RoadNetwork.from_roads(roads, policy=Policy())


def _arcs(net: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed arcs (tail, head, seconds) from the public per-edge minutes, parallels kept."""
    from xunfang import network as xn

    fwd, bwd = xn.edge_minutes(net, mode="car")
    u, v = net.roads.u, net.roads.v
    tail = np.concatenate([u, v])
    head = np.concatenate([v, u])
    secs = np.concatenate([fwd, bwd]) * 60.0
    ok = np.isfinite(secs)
    return tail[ok], head[ok], secs[ok]


def _best(repeat: int, run: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    best = float("inf")
    out: np.ndarray | None = None
    for _ in range(repeat):
        out = None  # free the last result first: peak memory is one result, not two
        t0 = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t0)
    assert out is not None
    return best, out


def worker(
    method: str, graph: Path, sources_file: Path, out_file: Path, args: Any
) -> dict[str, Any]:
    sources = np.load(sources_file)
    cutoff_s = args.cutoff * 60.0
    t0 = time.perf_counter()
    net = _load_network(graph)
    n = net.n_nodes
    info: dict[str, Any] = {"method": method}
    result: np.ndarray

    if method.startswith("ours") or method == "jit":
        from xunfang import network as xn

        if method == "jit":
            t = time.perf_counter()
            xn.travel_times(net, sources[:1])
            info["first_call_s"] = time.perf_counter() - t
            t = time.perf_counter()
            xn.travel_times(net, sources[:1])
            info["second_call_s"] = time.perf_counter() - t
            return info
        xn.travel_times(net, sources[:1])  # compile or load from the cache: timed apart
        info["build_s"] = time.perf_counter() - t0
        cut = args.cutoff if method == "ours_cutoff" else None
        base = _rss_mb()
        secs, result = _best(args.repeat, lambda: xn.travel_times(net, sources, cutoff_minutes=cut))
        import numba

        info["threads"] = numba.get_num_threads()
    elif method in ("networkx", "networkx_cutoff"):
        import networkx as nx

        tail, head, secs_arc = _arcs(net)
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        for a, b, w in zip(tail.tolist(), head.tolist(), secs_arc.tolist(), strict=True):
            if not g.has_edge(a, b) or g[a][b]["w"] > w:
                g.add_edge(a, b, w=w)
        info["build_s"] = time.perf_counter() - t0
        subset = sources[: args.nx_sources]
        nx_cut = cutoff_s if method == "networkx_cutoff" else None
        base = _rss_mb()

        def run_nx() -> np.ndarray:
            out = np.full((subset.shape[0], n), np.inf)
            for row, s in enumerate(subset.tolist()):
                got = nx.single_source_dijkstra_path_length(g, s, cutoff=nx_cut, weight="w")
                out[row, list(got)] = list(got.values())
            return out / 60.0

        secs, result = _best(1, run_nx)
        info["timed_sources"] = int(subset.shape[0])
        info["measured_s"] = secs
        secs = secs * sources.shape[0] / subset.shape[0]
    elif method == "igraph":
        import igraph as ig

        tail, head, secs_arc = _arcs(net)
        g = ig.Graph(n=n, edges=np.column_stack([tail, head]).tolist(), directed=True)
        weights = secs_arc.tolist()
        info["build_s"] = time.perf_counter() - t0
        base = _rss_mb()
        src_list = sources.tolist()

        def run_ig() -> np.ndarray:
            out = np.array(g.distances(source=src_list, weights=weights), dtype=float)
            out /= 60.0
            return out

        secs, result = _best(args.repeat, run_ig)
    elif method in ("scipy", "scipy_cutoff"):
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        tail, head, secs_arc = _arcs(net)
        # csr_matrix would add parallel arcs together: keep the fastest of each pair
        order = np.lexsort((secs_arc, head, tail))
        tail, head, secs_arc = tail[order], head[order], secs_arc[order]
        first = np.ones(tail.shape[0], bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        mat = csr_matrix((secs_arc[first], (tail[first], head[first])), shape=(n, n))
        info["build_s"] = time.perf_counter() - t0
        limit = cutoff_s if method == "scipy_cutoff" else np.inf
        base = _rss_mb()

        def run_scipy() -> np.ndarray:
            out: np.ndarray = dijkstra(mat, directed=True, indices=sources, limit=limit)
            out /= 60.0
            return out

        secs, result = _best(args.repeat, run_scipy)
    else:
        raise ValueError(f"method must be a known method name; got {method!r}")

    info["seconds"] = secs
    info["rss_before_mb"] = base
    info["peak_rss_mb"] = peak_mb()
    info["query_growth_mb"] = info["peak_rss_mb"] - base
    np.save(out_file, result)
    return info


# ---------------------------------------------------------------------------------------------
# The driver


def _run_worker(method: str, tmp: Path, args: Any, env_extra: dict[str, str]) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(env_extra)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        method,
        "--tmp",
        str(tmp),
        "--sources",
        str(args.sources),
        "--nx-sources",
        str(args.nx_sources),
        "--cutoff",
        str(args.cutoff),
        "--repeat",
        str(args.repeat),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {method!r} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _machine() -> dict[str, Any]:
    import igraph
    import networkx
    import numba
    import scipy

    return {
        **machine_basics(),
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "networkx": networkx.__version__,
        "igraph": igraph.__version__,
    }


def _agreement(ours: np.ndarray, other: np.ndarray, cutoff: float | None) -> tuple[float, bool]:
    ref = ours[: other.shape[0]]
    if cutoff is not None:
        ref = np.where(ref <= cutoff, ref, np.inf)
    same_inf = bool(np.array_equal(np.isinf(ref), np.isinf(other)))
    finite = np.isfinite(ref) & np.isfinite(other)
    diff = float(np.max(np.abs(ref[finite] - other[finite]))) if finite.any() else 0.0
    return diff, same_inf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000, help="number of source nodes")
    parser.add_argument("--nx-sources", type=int, default=50, help="sources timed for networkx")
    parser.add_argument("--cutoff", type=float, default=10.0, help="cut-off in minutes")
    parser.add_argument("--repeat", type=int, default=5, help="runs per method (best is kept)")
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data", help="real-data folder"
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        info = worker(
            args.worker,
            args.tmp / "graph.npz",
            args.tmp / "sources.npy",
            args.tmp / f"{args.worker}.npy",
            args,
        )
        print(json.dumps(info))
        return 0

    from xunfang.network.imports import import_osm

    pbf = args.data / "baltimore.osm.pbf"
    t0 = time.perf_counter()
    roads, crs = import_osm(pbf, network_type="drive")
    import_s = time.perf_counter() - t0
    n = roads.n_nodes
    if not 1 <= args.sources <= n:
        parser.error(f"--sources must be between 1 and the node count {n}; got {args.sources}")
    rng = np.random.default_rng(0)
    sources = np.sort(rng.choice(n, size=args.sources, replace=False)).astype(np.int64)
    rng.shuffle(sources)

    load_before = loadavg()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="xunfang-bench-") as name:
        tmp = Path(name)
        np.savez(
            tmp / "graph.npz",
            node_ids=np.array(roads.node_ids),
            xy=roads.xy,
            u=roads.u,
            v=roads.v,
            length_m=roads.length_m,
            speed_kph=roads.speed_kph,
            oneway=roads.oneway,
            road_class=np.array(roads.road_class),
        )
        np.save(tmp / "sources.npy", sources)
        cold = tmp / "numba-cache"
        cold.mkdir()
        results["jit_cold"] = _run_worker("jit", tmp, args, {"NUMBA_CACHE_DIR": str(cold)})
        results["jit_warm"] = _run_worker("jit", tmp, args, {"NUMBA_CACHE_DIR": str(cold)})
        plan = [
            ("ours", {}),
            ("ours_1thread", {"NUMBA_NUM_THREADS": "1"}),
            ("ours_cutoff", {}),
            ("scipy", {}),
            ("scipy_cutoff", {}),
            ("igraph", {}),
            ("networkx", {}),
            ("networkx_cutoff", {}),
        ]
        for method, env in plan:
            results[method] = _run_worker(method, tmp, args, env)
        ours = np.load(tmp / "ours.npy")
        arcs = None
        for method, _ in plan:
            other = np.load(tmp / f"{method}.npy")
            cut = args.cutoff if method.endswith("cutoff") else None
            diff, same_inf = _agreement(ours, other, cut)
            results[method]["max_abs_diff_min"] = diff
            results[method]["same_unreachable"] = same_inf
            if diff > 1e-6 or not same_inf:
                raise SystemExit(
                    f"{method} disagrees with ours: max abs diff {diff} min, "
                    f"same unreachable cells: {same_inf}"
                )
        reach_full = float(np.isfinite(ours).mean())
        reach_cut = float((ours <= args.cutoff).mean())
        from xunfang import network as xn
        from xunfang.scenario.model import Policy

        net = xn.RoadNetwork.from_roads(roads, policy=Policy())
        fwd, bwd = xn.edge_minutes(net)
        arcs = int(np.isfinite(fwd).sum() + np.isfinite(bwd).sum())

    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "data": str(pbf),
        "crs": crs.working,
        "import_s": import_s,
        "nodes": n,
        "edges": roads.n_edges,
        "arcs": arcs,
        "sources": int(args.sources),
        "cutoff_minutes": args.cutoff,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "reachable_share": reach_full,
        "within_cutoff_share": reach_cut,
        "methods": results,
    }
    _print_table(summary)
    if args.json:
        print(json.dumps(summary))
    return 0


LABELS = {
    "ours": "xunfang (numba, all cores)",
    "ours_1thread": "xunfang (numba, 1 thread)",
    "ours_cutoff": "xunfang, cut-off",
    "scipy": "scipy csgraph.dijkstra",
    "scipy_cutoff": "scipy, limit= cut-off",
    "igraph": "igraph Graph.distances",
    "networkx": "networkx (scaled)",
    "networkx_cutoff": "networkx, cutoff= cut-off (scaled)",
}


def _print_table(s: dict[str, Any]) -> None:
    m = s["methods"]
    ours = m["ours"]["seconds"]
    ours_cut = m["ours_cutoff"]["seconds"]
    print(
        f"Baltimore drive graph: {s['nodes']} nodes, {s['edges']} edges, {s['arcs']} car arcs; "
        f"{s['sources']} sources; car, free flow; cut-off {s['cutoff_minutes']:g} min "
        f"({100 * s['within_cutoff_share']:.0f}% of cells within it, "
        f"{100 * s['reachable_share']:.0f}% reachable at all)"
    )
    print(
        f"CPU: {s['machine']['cpu']} x {s['machine']['nproc']}; import_osm {s['import_s']:.2f} s; "
        f"load average before {s['loadavg_before']}, after {s['loadavg_after']}"
    )
    print()
    head = (
        "| method | seconds | ours (full) faster by | ours (cut-off) faster by "
        "| peak RSS MB | query RSS growth MB | max abs diff min |"
    )
    print(head)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, label in LABELS.items():
        r = m[key]
        note = ""
        if key.startswith("networkx"):
            note = f" ({r['timed_sources']} sources: {r['measured_s']:.2f} s)"
        full = "" if key.startswith("ours") else f"{r['seconds'] / ours:.1f}x"
        cut = "" if key.startswith("ours") else f"{r['seconds'] / ours_cut:.1f}x"
        print(
            f"| {label}{note} | {r['seconds']:.3f} | {full} | {cut} | {r['peak_rss_mb']:.0f} "
            f"| {r['query_growth_mb']:.0f} | {r['max_abs_diff_min']:.1e} |"
        )
    print()
    cold, warm = m["jit_cold"], m["jit_warm"]
    print(
        f"first call (1 source): {cold['first_call_s']:.2f} s with an empty numba cache "
        f"(JIT compile), {warm['first_call_s']:.2f} s with the cache warm; "
        f"next call {warm['second_call_s'] * 1000:.1f} ms"
    )
    targets = [
        ("ours >= 30x networkx", m["networkx"]["seconds"] / ours, 30.0),
        ("ours >= 2x igraph", m["igraph"]["seconds"] / ours, 2.0),
        ("ours with cut-off >= 30x networkx with cut-off",
         m["networkx_cutoff"]["seconds"] / ours_cut, 30.0),
    ]
    for what, ratio, need in targets:
        print(f"target {what}: {ratio:.1f}x -> {'met' if ratio >= need else 'NOT met'}")


if __name__ == "__main__":
    raise SystemExit(main())
