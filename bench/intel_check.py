"""The forecast's check (`xunfang.intel.check`) of every method: the county's plan and
Chicago's December 2019.

The county (built in): the record's last four weeks (2025-12-04 … 2025-12-31), each day
forecast one day ahead and 335 days ahead — a plan for 1 December 2026 is made 335 days past
the record's end. Chicago's assaults (../shared/data; skipped without it): 2019-12-04 …
2019-12-31 one day ahead, 250 m cells, windows of 365 and 2,920 days. Each line: the share
of the days' incidents in the hottest k places (and the share of area they make up), in the
hottest 10 % of place-hours, the expected incidents a day, the mean absolute error of each
day's level, and the first column's incidents per unit of area over naive-365's (a ratio)
with its paired 95 % interval.
About 40 s.

    python bench/intel_check.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from xunfang.intel import EventSet, open_incidents
from xunfang.intel.check import check, yardstick
from xunfang.intel.methods import make_method
from xunfang.intel.sources import units_for

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import loadavg, machine_basics

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
METHODS = ("naive", "decay", "kde", "prospective", "etas", "gbm", "auto")


def table(name: str, ev: EventSet, end: date, *, lead: int = 1, train_days: int = 365,
          tz: str | None = None) -> dict[str, Any]:
    rows = []
    for m in METHODS:
        t0 = time.perf_counter()
        chk = check(ev, yardstick(make_method(m, country="CN"), train_days), end=end, lead=lead,
                    tz=tz)
        r = chk.rows[0]
        rows.append({**r.as_json(), "seconds": round(time.perf_counter() - t0, 2)})
    head = (f"{name}: {chk.first} to {chk.last}, {chk.days} days, {chk.incidents} incidents "
            f"({chk.per_day:.2f} a day), {lead} day(s) ahead, window {train_days} d, "
            f"hottest {', '.join(map(str, chk.ks))} of {chk.units}")
    print(head)
    print(f"{'method':34} {'hot (area)':>42} {'hours':>7} {'level':>6} {'error':>6} "
          f"{'x naive [95 %]':>22} {'s':>5}")
    for r in rows:
        hot = "  ".join(f"{100 * v:4.1f}% ({100 * a:2.0f}%)"
                        for v, a in zip(r["hot"], r["hot_area"], strict=True))
        vs = r["vs_naive"]
        diff = ("= naive" if r["same_as_naive"] else
                f"{vs[0]:.2f} [{vs[1]:.2f}, {vs[2]:.2f}]" if vs else "—")
        print(f"{r['method'][:34]:34} {hot:>42} {100 * r['hours']:6.1f}% "
              f"{r['expected_per_day']:6.2f} {r['error_per_day']:6.2f} {diff:>22} "
              f"{r['seconds']:5.1f}")
    print()
    return {"name": name, "check": {k: v for k, v in chk.as_json().items() if k != "rows"},
            "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="also print one JSON line")
    args = ap.parse_args()
    load0 = loadavg()
    t0 = time.perf_counter()
    src = open_incidents("ebian")
    ev = EventSet.build(units_for("grids", src.table, src.scenario), src.table.time,
                        src.table.xy)
    out = [table("county", ev, date(2026, 1, 1), lead=lead, tz="Asia/Shanghai")
           for lead in (1, 335)]
    chicago = DATA / "chicago_aggravated_assaults.csv.gz"
    if chicago.exists():
        src = open_incidents(chicago, columns={"time": "date", "lon": "longitude",
                                               "lat": "latitude"})
        ev = EventSet.build(units_for("cells", src.table, None, cell_m=250.0), src.table.time,
                            src.table.xy)
        out += [table("chicago", ev, date(2020, 1, 1), train_days=n) for n in (365, 2920)]
    else:
        print(f"{chicago} not found: Chicago left out")
    if args.json:
        print(json.dumps({"bench": "intel_check", "tables": out,
                          "seconds": round(time.perf_counter() - t0, 1),
                          "machine": {**machine_basics(), "load_before": load0,
                                      "load_after": loadavg()}}))


if __name__ == "__main__":
    main()
