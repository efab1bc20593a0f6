"""Benchmark: unit positions posted to the command centre's batch endpoint over HTTP.

    python bench/web.py [--json] [--positions 20000] [--batches 100,1000,5000] [--pg URL]

A uvicorn server runs ``xunfang serve``'s application (the built-in county, today's plan, a
fresh store) in a subprocess; this process plays a GPS gateway: it logs in once, takes a
device token and posts the positions of the county's units (one fix every second each, near
their posts, in time order) to ``POST /api/positions`` in batches of each ``--batches`` size,
``--positions`` in all, one request after the other, and waits for every answer. Each request
is parsed and validated (pydantic), checked row by row by the live layer (unit known, inside
the jurisdiction, not in the future, in time order), stored in one transaction by
``xunfang.store.record_positions`` (which checks again), applied to the live picture and
followed by an alert evaluation (grids, sites, checkpoints and the rings now).

Baseline, measured in the same run on the same rows: ``xunfang.store.record_positions``
called directly in-process on a fresh store — the storage floor under the endpoint (no HTTP,
no JSON, no live picture, no alerts). "ratio" is endpoint / store throughput. The issue's
target is ≥ 1,000 positions a second through the endpoint on a 2-core machine.

Backends: a SQLite file in a temporary folder, and PostgreSQL when ``--pg`` or
``XUNFANG_TEST_PG`` gives a URL (a fresh database is created beside it for each run).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PASSWORD = "bench gateway 1"


def _fresh_pg(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from xunfang import store

    base = make_url(store.resolve_url(url))
    name = f"{base.database}_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def serve_worker(db: str, port: int) -> None:
    """The server: a centre on the built-in county with a gateway user, on ``port``."""
    import uvicorn

    from xunfang import store
    from xunfang.web import builtin_centre, create_app

    st = store.open_store(db)
    store.create_user(st, "gateway", "operator", PASSWORD)
    centre = builtin_centre("ebian", db=st)
    print("ready", flush=True)
    uvicorn.run(create_app(centre, tick_seconds=5), host="127.0.0.1", port=port,
                log_level="warning")


def _rows(n: int, start: datetime) -> list[dict[str, Any]]:
    """``n`` fixes of the county's units near their home posts, one per unit per second."""
    import numpy as np

    from xunfang import scenario

    sc = scenario.load("ebian")
    posts = {p.id: p.xy for p in sc.posts}
    units = [(u.id, posts[u.home_post]) for u in sc.units]
    rng = np.random.default_rng(0)
    jitter = rng.uniform(-150, 150, size=(n, 2))
    out = []
    for i in range(n):
        uid, (x, y) = units[i % len(units)]
        t = start + timedelta(seconds=i // len(units))
        out.append({"unit": uid, "t": t.isoformat(), "x": round(x + jitter[i, 0], 2),
                    "y": round(y + jitter[i, 1], 2)})
    return out


def endpoint_run(db: str, rows: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--serve-worker", db, "--port",
                             str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the server did not start")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as cl:
            for _ in range(200):
                try:
                    if cl.post("/api/auth/login", json={"name": "gateway",
                                                        "password": PASSWORD}).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = cl.post("/api/auth/token").json()["token"]
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            bodies = [json.dumps({"positions": rows[k:k + batch]})
                      for k in range(0, len(rows), batch)]
            t0 = time.perf_counter()
            for body in bodies:
                r = cl.post("/api/positions", content=body, headers=headers)
                if r.status_code != 200:
                    raise RuntimeError(f"{r.status_code}: {r.text[:300]}")
            secs = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
    return {"seconds": secs, "per_s": len(rows) / secs, "requests": len(bodies),
            "ms_per_request": 1000 * secs / len(bodies)}


def store_run(db: str, rows: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    from xunfang import scenario, store

    st = store.open_store(db)
    sc = store.register_scenario(st, scenario.load("ebian"), actor="bench")
    items = [store.PositionIn(unit=r["unit"], t=datetime.fromisoformat(r["t"]), x=r["x"],
                              y=r["y"]) for r in rows]
    t0 = time.perf_counter()
    for k in range(0, len(items), batch):
        store.record_positions(st, sc.id, items[k:k + batch], actor="bench")
    secs = time.perf_counter() - t0
    st.dispose()
    return {"seconds": secs, "per_s": len(rows) / secs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=20_000)
    parser.add_argument("--batches", default="100,1000,5000")
    parser.add_argument("--pg", default=os.environ.get("XUNFANG_TEST_PG"))
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--serve-worker", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_worker:
        serve_worker(args.serve_worker, args.port)
        return 0
    start = datetime.now(UTC) - timedelta(hours=3)
    rows = _rows(args.positions, start)
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    results = []
    print(f"{args.positions} positions of 38 units, {machine_basics()['cpu']}, "
          f"{os.cpu_count()} cores, load {loadavg()}, {datetime.now(UTC):%Y-%m-%d}")
    print(f"{'backend':<11} {'batch':>6} {'endpoint/s':>11} {'ms/request':>11} "
          f"{'store/s':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="xunfang-bench-web-") as tmp:
        for backend in backends:
            for batch in [int(b) for b in args.batches.split(",")]:
                def db(tag: str, backend: str = backend, batch: int = batch) -> str:
                    if backend == "sqlite":
                        return f"sqlite:///{Path(tmp) / f'{tag}-{batch}.db'}"
                    return _fresh_pg(args.pg)

                ep = endpoint_run(db("endpoint"), rows, batch)
                base = store_run(db("store"), rows, batch)
                row = {"backend": backend, "batch": batch, "positions": len(rows),
                       "endpoint_per_s": round(ep["per_s"]),
                       "ms_per_request": round(ep["ms_per_request"], 1),
                       "store_per_s": round(base["per_s"]),
                       "ratio": round(ep["per_s"] / base["per_s"], 3)}
                results.append(row)
                print(f"{backend:<11} {batch:>6} {row['endpoint_per_s']:>11,} "
                      f"{row['ms_per_request']:>11} {row['store_per_s']:>9,} "
                      f"{row['ratio']:>6}")
    if args.json:
        print(json.dumps({"bench": "web", "date": f"{datetime.now(UTC):%Y-%m-%d}",
                          "machine": machine_basics(), "load": loadavg(),
                          "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
