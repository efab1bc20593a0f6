"""A re-plan from the command centre's API against the same re-plan by the command line's own
steps, in the same run: the county's plan for 2026-12-02 and the five re-plans of
``replan_keep.REVIEW_CASES``.

    python bench/web_replan.py [--json]

Per case: seconds of ``POST /api/plans/{id}/replan`` (a Centre on SQLite, the plan read back
from the store as a restarted centre does: its plan.json document, not the plan made in this
process) and of the CLI's steps in process (read_plan_folder, build_state, replan_plan,
change_rows: no start-up, no writing), their ratio, and whether the two change lists are the
same rows (they must be).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from replan_keep import REVIEW_CASES  # noqa: E402

DAY = date(2026, 12, 2)


def ask_of(at: str, args: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The API's ask and the CLI's lists from a case's command-line arguments."""
    cli: dict[str, list[str]] = {"--busy": [], "--out-of-service": [], "--hot": []}
    for opt, val in zip(args[::2], args[1::2], strict=True):
        cli[opt].append(val)
    ask: dict[str, Any] = {"at": f"{DAY}T{at}", "lang": "zh",
                           "out_of_service": cli["--out-of-service"], "busy": [], "hot": []}
    for b in cli["--busy"]:
        unit, grid, until = b.split(":", 2)
        ask["busy"].append({"unit": unit, "grid": grid, "until": f"{DAY}T{until}"})
    for h in cli["--hot"]:
        grid, rest = h.split(":", 1)
        span, share = rest.rsplit(":", 1)
        a, b = span.split("-")
        ask["hot"].append({"grid": grid, "from": f"{DAY}T{a}", "to": f"{DAY}T{b}",
                           "share": float(share)})
    return ask, cli


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    load0 = loadavg()

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from xunfang import scenario, store
    from xunfang.cli.replan import build_state
    from xunfang.planning.deploy.from_plan import read_plan_folder, replan_plan
    from xunfang.planning.pipeline import PlanRequest, build_plan
    from xunfang.report.changes import change_rows
    from xunfang.report.folder import write_plan_folder
    from xunfang.web import Centre, create_app

    sc = scenario.load("ebian")
    req = PlanRequest(start=DAY, days=1, seed=0)
    result = build_plan(sc, req)
    tmp = Path(tempfile.mkdtemp(prefix="web_replan_"))
    folder = tmp / "plan"
    write_plan_folder(result, req, folder, lang="zh")
    db = store.open_store(f"sqlite:///{tmp / 'centre.db'}")
    store.create_user(db, "planner", "planner", "bench password 1")
    centre = Centre(sc, result, req, db=db, clock=lambda: datetime(2026, 12, 1, 16, 0,
                                                                    tzinfo=UTC))
    client = TestClient(create_app(centre, tick_seconds=0))
    r = client.post("/api/auth/login", json={"name": "planner", "password": "bench password 1"})
    assert r.status_code == 200, r.text
    stored = centre.current
    centre._entries.pop(stored, None)  # read back from the store, as after a restart
    pif = read_plan_folder(folder)

    rows = []
    for at, args in REVIEW_CASES:
        ask, cli = ask_of(at, args)

        def by_cli(at: str = at, cli: dict[str, list[str]] = cli) -> list[dict[str, str]]:
            state, _ = build_state(pif, sc, at, cli["--busy"], cli["--out-of-service"],
                                   cli["--hot"])
            rep = replan_plan(pif, sc, state, network=result.network)
            return change_rows(rep, pif, "zh")

        def by_api(ask: dict[str, Any] = ask) -> list[dict[str, str]]:
            r = client.post(f"/api/plans/{stored}/replan", json=ask)
            assert r.status_code == 201, r.text
            got: list[dict[str, str]] = r.json()["changes"]
            return got

        # each twice, in both orders (what one warms the other uses): the faster of each
        times: dict[str, list[float]] = {"cli": [], "api": []}
        lists: dict[str, list[dict[str, str]]] = {}
        for order in (("cli", "api"), ("api", "cli")):
            for name in order:
                t0 = time.perf_counter()
                lists[name] = by_cli() if name == "cli" else by_api()
                times[name].append(time.perf_counter() - t0)
        t_core, t_web = min(times["cli"]), min(times["api"])
        core_rows = lists["cli"]
        same = lists["api"] == core_rows
        rows.append({"at": at, "args": " ".join(args), "changes": len(core_rows),
                     "same_rows": same, "seconds_cli_steps": round(t_core, 3),
                     "seconds_api": round(t_web, 3), "ratio": round(t_web / t_core, 3)})
    db.dispose()
    ratios = sorted(x["ratio"] for x in rows)
    out = {"bench": "web_replan", "day": str(DAY), "cases": rows,
           "median_ratio": ratios[len(ratios) // 2],
           "all_same": all(x["same_rows"] for x in rows),
           "machine": {**machine_basics(), "load_before": load0, "load_after": loadavg()}}
    if opts.json:
        print(json.dumps(out))
        return
    print(f"{'at':5} {'ask':58} {'changes':>7} {'same':>5} {'cli s':>6} {'api s':>6} "
          f"{'api/cli':>7}")
    for x in rows:
        print(f"{x['at']:5} {x['args'][:58]:58} {x['changes']:7d} {x['same_rows']!s:>5} "
              f"{x['seconds_cli_steps']:6.2f} {x['seconds_api']:6.2f} {x['ratio']:7.2f}")
    print(f"median api/cli {out['median_ratio']}; all change lists the same: "
          f"{out['all_same']}; load {load0} -> {loadavg()}")


if __name__ == "__main__":
    main()
