"""Benchmark: unit positions ingested by the command centre's store, in batches.

    python bench/store_ingest.py [--json] [--positions 60000] [--units 200]
                                 [--batches 1,100,1000] [--single 2000] [--pg URL]

A GPS gateway posts the positions of ``--units`` units (one every 10 s each, inside the
built-in county's extent) in batches of each ``--batches`` size, ``--positions`` in all (only
the first ``--single`` for batches of 1: a device posting each fix on its own), through
``xunfang.store.record_positions``: one transaction per batch that checks every row (unit
known, inside the jurisdiction, not in the future, in time order within the batch and after
the unit's last stored position — a grouped ``max(t)`` query) and inserts them all.

Baseline, measured in the same run on a fresh schema: the same rows inserted with a bare
SQLAlchemy Core ``insert`` executemany per batch, no checks at all — the floor the store can
approach. "ratio" is ours / baseline throughput. The target of the issue is ≥ 1,000 positions
a second on a 2-core machine (the web endpoint adds JSON parsing on top; see its own bench).

Backends: a SQLite file in a temporary folder (WAL, synchronous=NORMAL, the store's settings),
and PostgreSQL when ``--pg`` or ``XUNFANG_TEST_PG`` gives a URL (its ``public`` schema is
dropped and recreated: use a throwaway database).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from xunfang import store  # noqa: E402
from xunfang.store.models import PositionRow  # noqa: E402

EXTENT = (327647.8, 3231787.2, 334452.5, 3237567.2)  # ebian's road network, EPSG:32648


def positions(n: int, units: int, t0: datetime) -> list[store.PositionIn]:
    x0, y0, x1, y1 = EXTENT
    out = []
    for i in range(n):
        u, k = i % units, i // units
        out.append(store.PositionIn(f"u{u:04d}", t0 + timedelta(seconds=10 * k),
                                    x0 + (x1 - x0) * ((u * 37 + k * 7) % 1000) / 1000,
                                    y0 + (y1 - y0) * ((u * 53 + k * 11) % 1000) / 1000,
                                    speed_kph=float(k % 60)))
    return out


def fresh(url: str, units: int) -> tuple[store.Store, int]:
    if url.startswith("postgresql"):
        eng = create_engine(url)
        with eng.begin() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    st = store.upgrade(url)
    sc = store.save_scenario(st, name="bench", extent=EXTENT, actor="bench", crs="EPSG:32648",
                             ids={"units": [f"u{u:04d}" for u in range(units)]})
    return st, sc.id


def run_ours(url: str, rows: list[store.PositionIn], batch: int, units: int,
             now: datetime) -> float:
    st, sid = fresh(url, units)
    t = time.perf_counter()
    for k in range(0, len(rows), batch):
        store.record_positions(st, sid, rows[k:k + batch], actor="gateway", source="bench",
                               now=now)
    dt = time.perf_counter() - t
    n = st.run(lambda s: s.execute(text("SELECT count(*) FROM unit_positions")).scalar())
    assert n == len(rows), (n, len(rows))
    st.dispose()
    return dt


def run_raw(url: str, rows: list[store.PositionIn], batch: int, units: int) -> float:
    st, sid = fresh(url, units)
    t = time.perf_counter()
    for k in range(0, len(rows), batch):
        with st.engine.begin() as conn:
            conn.execute(insert(PositionRow), [
                {"scenario_id": sid, "unit": p.unit, "t": p.t, "x": p.x, "y": p.y,
                 "speed_kph": p.speed_kph, "heading": None, "source": "bench",
                 "received_at": p.t} for p in rows[k:k + batch]])
    dt = time.perf_counter() - t
    st.dispose()
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    ap.add_argument("--positions", type=int, default=60_000)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--batches", default="1,100,1000")
    ap.add_argument("--single", type=int, default=2000,
                    help="positions posted one by one for the batch size 1")
    ap.add_argument("--pg", default=os.environ.get("XUNFANG_TEST_PG", ""),
                    help="a throwaway PostgreSQL database (default: $XUNFANG_TEST_PG)")
    args = ap.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    now = store.utcnow()
    rows = positions(args.positions, args.units,
                     now - timedelta(seconds=10 * (args.positions // args.units + 1)))
    backends: list[tuple[str, str]] = []
    tmp = tempfile.TemporaryDirectory()
    backends.append(("sqlite", f"sqlite:///{tmp.name}/bench.db"))
    if args.pg:
        backends.append(("postgresql", store.resolve_url(args.pg)))
    results: list[dict[str, Any]] = []
    for name, url in backends:
        for b in batches:
            if name == "sqlite":
                Path(tmp.name, "bench.db").unlink(missing_ok=True)
            some = rows[:args.single] if b == 1 else rows
            ours = run_ours(url, some, b, args.units, now)
            if name == "sqlite":
                for f in Path(tmp.name).glob("bench.db*"):
                    f.unlink()
            raw = run_raw(url, some, b, args.units)
            if name == "sqlite":
                for f in Path(tmp.name).glob("bench.db*"):
                    f.unlink()
            n = len(some)
            results.append({"backend": name, "batch": b, "positions": n,
                            "ours_seconds": round(ours, 3), "ours_per_second": round(n / ours),
                            "raw_seconds": round(raw, 3), "raw_per_second": round(n / raw),
                            "ratio_ours_over_raw": round(raw / ours, 3)})
    tmp.cleanup()
    doc = {"bench": "store_ingest",
           "date": datetime.now().astimezone().isoformat(timespec="seconds"),
           "machine": {**machine_basics(), "load": loadavg()},
           "units": args.units, "results": results}
    if args.json:
        sys.stdout.write(json.dumps(doc) + "\n")
        return
    print(f"positions of {args.units} units; {os.cpu_count()} cpus, load {loadavg()}")
    print(f"{'backend':10} {'batch':>6} {'positions':>9} {'ours pos/s':>11} "
          f"{'raw insert pos/s':>17} {'ours/raw':>9}")
    for r in results:
        print(f"{r['backend']:10} {r['batch']:6d} {r['positions']:9d} {r['ours_per_second']:11,d} "
              f"{r['raw_per_second']:17,d} {r['ratio_ours_over_raw']:9.2f}")


if __name__ == "__main__":
    main()
