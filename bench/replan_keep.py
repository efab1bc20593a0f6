"""How much a re-plan keeps of the plan in force: the county's re-plans under today's rule
against keeping each grid's routes only up to its first changed slot (session 24's rule),
in the same run.

    python bench/replan_keep.py [--json] [--plan DIR] [--cases N] [--seed 26] [--rules now,upto]

The plan in force is the built-in county's for 2026-12-02 (or ``--plan``). The cases: a
review's five re-plans (three units out of service at 08:00; two foot patrols at 06:00; two
hot grids at 12:00; two units held at incidents at 03:00; one held and a hot grid at 17:00)
and ``--cases`` drawn with ``--seed`` (out of service or held at an incident, 02:00-19:00).
Per case and rule: whether the routes after a grid's changed slots were kept (``after``),
the grids drawn again from their first change on (``but``), the route shortfalls (the plan
in force's are the bound), the unit-slots whose duty, place or streets changed (the crews'
rows of changes.csv), the video desk's camera tours listed as changed, the routes kept, the
routes that end away from where their unit stands next (``jumps``, as bench/route_seams.py
counts them), and seconds (``--rules now`` runs today's rule alone). Lower changed rows at
equal shortfalls is the aim; seconds are a ratio to the other rule's in the same run.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from _common import loadavg, machine_basics
from route_seams import seams

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from typer.testing import CliRunner  # noqa: E402

from xunfang.cli.main import app  # noqa: E402
from xunfang.planning.deploy import from_plan  # noqa: E402

REVIEW_CASES = (
    ("08:00", ("--out-of-service", "TX-M1", "--out-of-service", "TX-M2",
               "--out-of-service", "TX-M5")),
    ("06:00", ("--out-of-service", "PS1-F", "--out-of-service", "PS2-F")),
    ("12:00", ("--hot", "G1:12:00-16:00:0.9", "--hot", "G7:12:00-16:00:0.9")),
    ("03:00", ("--busy", "PS3-F:G5:04:00", "--busy", "TX-M4:G6:05:00")),
    ("17:00", ("--busy", "WJ-1:G6:18:00", "--hot", "G2:17:00-20:00:0.5")),
)


def drawn_cases(units: list[str], n: int, seed: int) -> list[tuple[str, tuple[str, ...]]]:
    rng = random.Random(seed)
    out: list[tuple[str, tuple[str, ...]]] = []
    for i in range(n):
        h = rng.randrange(2, 20)
        args: list[str] = []
        if i % 2 == 0:
            for u in rng.sample(units, rng.randrange(1, 3)):
                args += ["--out-of-service", u]
        else:
            u = rng.choice([x for x in units if not x.startswith("PS")])
            args += ["--busy", f"{u}:G{rng.randrange(1, 8)}:{h + rng.randrange(1, 3):02d}:00"]
        out.append((f"{h:02d}:00", tuple(args)))
    return out


def run(plan: Path, at: str, args: tuple[str, ...], out: Path, rule: str) -> dict[str, Any]:
    orig = from_plan._kept_routes
    if rule == "upto":
        from_plan._kept_routes = functools.partial(orig, after=False)  # type: ignore[assignment]
    try:
        t = time.perf_counter()
        r = CliRunner().invoke(app, ["replan", str(plan), "--at", at, *args, "--out", str(out)])
        secs = time.perf_counter() - t
    finally:
        from_plan._kept_routes = orig  # type: ignore[assignment]
    if r.exit_code != 0:
        raise SystemExit(f"replan {at} {' '.join(args)} ({rule}) failed: {r.output[-500:]}")
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    routes, rp = doc["stages"]["routes"], doc["stages"]["replan"]
    return {"after": bool(routes.get("kept_after_changes")),
            "but": routes.get("kept_after_changes_but") or [],
            "route_shortfalls": len(routes.get("shortfalls", [])),
            "changed": int(rp.get("changed_assignments", rp.get("changed", 0))),
            "changed_camera_tours": int(rp.get("changed_camera_tours", 0)),
            "kept_routes": int(routes.get("kept_routes", 0)),
            # a route that ends away from where its unit stands next (bench/route_seams.py)
            "jumps": int(seams(out, "ebian")["jumps"]), "seconds": round(secs, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--plan", type=Path, default=None)
    ap.add_argument("--cases", type=int, default=14)
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--rules", default="now,upto",
                    help="the rules to run, comma-separated (now, upto)")
    a = ap.parse_args()
    rules = tuple(x for x in a.rules.split(",") if x)
    if not rules or any(x not in ("now", "upto") for x in rules):
        raise SystemExit(f"--rules: 'now' and/or 'upto', comma-separated; got {a.rules!r}")
    load0 = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plan = a.plan
        if plan is None:
            plan = root / "plan"
            r = CliRunner().invoke(app, ["plan", "ebian", "--from", str(date(2026, 12, 2)),
                                         "--out", str(plan)])
            if r.exit_code != 0:
                raise SystemExit(r.output[-500:])
        doc = json.loads((plan / "plan.json").read_text(encoding="utf-8"))
        bound = len(doc["stages"]["routes"].get("shortfalls", []))
        units = sorted({r["unit"] for r in doc["stages"]["routes"]["routes"]})
        cases = [*REVIEW_CASES, *drawn_cases(units, a.cases, a.seed)]
        rows = []
        for i, (at, args) in enumerate(cases):
            row: dict[str, Any] = {"case": i, "at": at, "args": " ".join(args)}
            for rule in rules:
                row[rule] = run(plan, at, args, root / f"{rule}-{i}", rule)
            rows.append(row)
            if not a.json:
                parts = [f"{i:2d} {at} {row['args'][:58]:58s}"]
                for rule in rules:
                    n = row[rule]
                    parts.append(f"{rule}: after={n['after']!s:5} "
                                 f"but={','.join(n['but']) or '-':6} "
                                 f"short={n['route_shortfalls']} changed={n['changed']:3d} "
                                 f"tours={n['changed_camera_tours']:3d} "
                                 f"kept={n['kept_routes']:3d} jumps={n['jumps']} "
                                 f"{n['seconds']:5.1f}s")
                print(" | ".join(parts), flush=True)
    n_review = len(REVIEW_CASES)
    tot = {rule: {"after": sum(r[rule]["after"] for r in rows),
                  "changed": sum(r[rule]["changed"] for r in rows),
                  # the video desk's tours the re-plan lists as changed (all cases, and the
                  # review's five alone)
                  "changed_camera_tours": sum(r[rule]["changed_camera_tours"] for r in rows),
                  "changed_camera_tours_review": sum(r[rule]["changed_camera_tours"]
                                                     for r in rows[:n_review]),
                  "kept_routes": sum(r[rule]["kept_routes"] for r in rows),
                  "jumps": sum(r[rule]["jumps"] for r in rows),
                  "route_shortfalls": sum(r[rule]["route_shortfalls"] for r in rows),
                  "over_bound": sum(r[rule]["route_shortfalls"] > bound for r in rows),
                  "seconds": round(sum(r[rule]["seconds"] for r in rows), 1)}
           for rule in rules}
    ratio = (round(tot["now"]["seconds"] / max(tot["upto"]["seconds"], 1e-9), 3)
             if "now" in tot and "upto" in tot else None)
    out = {"bench": "replan_keep", "cases": len(rows), "plan_route_shortfalls": bound,
           "totals": tot, "seconds_ratio_now_to_upto": ratio,
           "machine": {**machine_basics(), "load_before": load0, "load_after": loadavg()},
           "rows": rows}
    if a.json:
        print(json.dumps(out))
        return
    print(f"\n{len(rows)} re-plans; the plan in force's route shortfalls: {bound}")
    print(f"{'rule':6} {'after':>5} {'changed':>8} {'tours':>6} {'tours5':>6} {'kept':>6} "
          f"{'shortfalls':>10} {'over bound':>10} {'jumps':>6} {'seconds':>8}")
    for rule in rules:
        t = tot[rule]
        print(f"{rule:6} {t['after']:5d} {t['changed']:8d} {t['changed_camera_tours']:6d} "
              f"{t['changed_camera_tours_review']:6d} {t['kept_routes']:6d} "
              f"{t['route_shortfalls']:10d} {t['over_bound']:10d} {t['jumps']:6d} "
              f"{t['seconds']:8.1f}")
    print("tours: camera tours listed as changed (all re-plans); tours5: the review's five")
    print(f"seconds, now / upto: {ratio}; load {load0} -> {loadavg()}")


if __name__ == "__main__":
    main()
