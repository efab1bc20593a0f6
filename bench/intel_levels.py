"""How well a forecast's daily level (expected incidents of the whole area) meets the day.

Hit rates and log-likelihoods score where incidents fall, not how many: the plan doses by
the level. For every day of 2018-2019 on Chicago's assaults (250 m cells of the incidents;
naive counts over 365 days, the methods' common level), `xunfang.intel.forecast` with and
without its weekday and season factors is compared with the day's incidents in the cells:
mean absolute error and mean Poisson deviance. Then a record missing six weeks
(2018-11-15 … 2018-12-31 taken out, an export's hole): naive-365's level over 2019-11-20 …
2019-12-31 with the whole record and with the hole. Needs ../shared/data; about a minute.
With ``--gbm``, also the learned model's level (and naive's, for the same days) on every
tenth day of 2018-2019 with a 365-day and an 8-year window, each day forecast one day ahead
from a fit of the days before it (about five minutes more).

    python bench/intel_levels.py [--gbm] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from xunfang.intel import EventSet, forecast, open_incidents
from xunfang.intel.methods import Gbm, Naive
from xunfang.intel.sources import units_for

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import loadavg, machine_basics

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def deviance(actual: np.ndarray, expected: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(actual > 0, actual * np.log(actual / expected), 0.0)
    return float(np.mean(2 * (term - (actual - expected))))


def incidents_on(ev: EventSet, day: date) -> float:
    """The incidents of ``day`` in the units."""
    d = ev.day_of(day)
    a, b = np.searchsorted(ev.t, [d, d + 1])
    return float((ev.unit[a:b] >= 0).sum())


def hole_table(units: object, times: np.ndarray, xy: np.ndarray,
               whole: EventSet) -> dict[str, dict[str, float]]:
    """naive-365's daily level over 2019-11-20 … 2019-12-31 with the whole record and with
    six weeks of the year before taken out (their days left out of the window's average)."""
    t = times.astype("datetime64[m]")
    keep = ~((t >= np.datetime64("2018-11-15")) & (t < np.datetime64("2019-01-01")))
    lacking = EventSet.build(whole.units, t[keep], xy[keep])
    out = {}
    for name, ev in (("whole record", whole), ("six weeks missing", lacking)):
        day, level, actual = date(2019, 11, 20), [], []
        while day <= date(2019, 12, 31):
            level.append(float(forecast(ev, Naive(), start=day, days=1,
                                        train_days=365).risk.sum()))
            actual.append(incidents_on(whole, day))
            day += timedelta(days=1)
        lv, ac = np.asarray(level), np.asarray(actual)
        out[name] = {"mae": round(float(np.mean(np.abs(lv - ac))), 3),
                     "level": round(float(lv.mean()), 3), "actual": round(float(ac.mean()), 3)}
    return out


def gbm_table(ev: EventSet) -> dict[str, dict[str, float]]:
    """gbm's and naive's daily level, each tenth day of 2018-2019 forecast one day ahead:
    mean absolute error, mean Poisson deviance, the mean level and the trees grown."""
    out = {}
    days = [date(2018, 1, 1) + timedelta(days=10 * i) for i in range(73)]
    act = np.asarray([incidents_on(ev, day) for day in days])
    for window in (365, 2920):
        for name, method in (("naive", Naive(days=window)), ("gbm", Gbm())):
            level, rounds = [], []
            for day in days:
                fc = forecast(ev, method, start=day, days=1, train_days=window)
                level.append(float(fc.risk.sum()))
                rounds.append(fc.details.get("rounds", 0))
            lv = np.asarray(level)
            out[f"{name}, {window}-day window"] = {
                "mae": round(float(np.mean(np.abs(lv - act))), 3),
                "deviance": round(deviance(act, lv), 3), "level": round(float(lv.mean()), 2),
                "actual": round(float(act.mean()), 2),
                "rounds": round(float(np.mean(rounds)), 1)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="also print one JSON line")
    ap.add_argument("--gbm", action="store_true", help="also gbm's level (slower)")
    args = ap.parse_args()
    load0 = loadavg()
    t0 = time.perf_counter()
    src = open_incidents(DATA / "chicago_aggravated_assaults.csv.gz",
                         columns={"time": "date", "lon": "longitude", "lat": "latitude"})
    units = units_for("cells", src.table, None, cell_m=250.0)
    ev = EventSet.build(units, src.table.time, src.table.xy)
    day, last = date(2018, 1, 1), date(2019, 12, 31)
    both, weekday, flat, actual = [], [], [], []
    while day <= last:
        fc = forecast(ev, Naive(), start=day, days=1, train_days=365)
        total = float(fc.risk.sum())
        both.append(total)
        weekday.append(total / fc.details["season_factor"][0])
        flat.append(weekday[-1] / fc.details["weekday_factor"][day.weekday()])
        actual.append(incidents_on(ev, day))
        day += timedelta(days=1)
    act = np.asarray(actual)
    rows = {}
    for name, exp in (("flat (no weekday)", np.asarray(flat)),
                      ("weekday factor", np.asarray(weekday)),
                      ("weekday × season (now)", np.asarray(both))):
        rows[name] = {"mae": round(float(np.mean(np.abs(exp - act))), 3),
                      "deviance": round(deviance(act, exp), 3)}
    hole_rows = hole_table(units, src.table.time, src.table.xy, ev)
    gbm_rows = gbm_table(ev) if args.gbm else {}
    seconds = time.perf_counter() - t0
    print(f"Chicago 2018-2019, {len(act)} days, {int(act.sum())} incidents in cells: daily level "
          f"of naive-365 ({seconds:.0f} s)")
    print(f"{'':24} {'MAE':>7} {'deviance':>9}")
    for name, row in rows.items():
        print(f"{name:24} {row['mae']:7.2f} {row['deviance']:9.3f}")
    print("\nnaive-365, 2019-11-20 to 2019-12-31: a record missing 2018-11-15 to 2018-12-31")
    print(f"{'':24} {'MAE':>7} {'level':>7} {'actual':>7}")
    for name, row in hole_rows.items():
        print(f"{name:24} {row['mae']:7.2f} {row['level']:7.2f} {row['actual']:7.2f}")
    if gbm_rows:
        print("\nevery tenth day of 2018-2019, forecast one day ahead (naive-N: counts over "
              "the window)")
        print(f"{'':24} {'MAE':>7} {'deviance':>9} {'level':>7} {'actual':>7} {'trees':>6}")
        for name, row in gbm_rows.items():
            print(f"{name:24} {row['mae']:7.2f} {row['deviance']:9.3f} {row['level']:7.2f} "
                  f"{row['actual']:7.2f} {row['rounds']:6.1f}")
    if args.json:
        print(json.dumps({"bench": "intel_levels", "rows": rows, "hole": hole_rows,
                          "gbm": gbm_rows,
                          "seconds": seconds,
                          "machine": {**machine_basics(), "load_before": load0,
                                      "load_after": loadavg()}}))


if __name__ == "__main__":
    main()
