"""Benchmark: how well the time-of-day profile says when next year's incidents come.

    python bench/intel_profile.py [--json] [--draws 10] [--data ../shared/data]

A forecast's daily risk per place is split into hours by
:func:`xunfang.intel.week_hour_profile` (each place's share of its incidents in each hour of
each weekday). This bench trains it on the 365 days of 2018 and scores it on the incidents of
2019: the mean log-probability of each 2019 incident's (weekday, hour) under its own 250 m
cell's profile (EPSG:32616), in nats per incident, against a flat profile (1/24, the
baseline: every line is given as the gain over it, higher is better) and the city's pooled
hour-of-day profile (one profile for every place and weekday, +1 per hour). Run on the
Chicago assaults and on random subsamples of them (cities of 2 %, 6.7 % and 20 % of
Chicago's ~15,000 assaults a year: ~300, ~1,000, ~3,000), ``--draws`` seeds each.

The line ``fixed weights`` is the profile as it was before session 16 (a place shrunk
towards the city by 20 pseudo-incidents, each weekday-hour of the city's pattern by one): kept
here as the reference the chosen weights must beat. No fixed target: a profile worse than
the pooled hour-of-day line at some size is a fault.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang.intel import EventSet, ingest, week_hour_profile  # noqa: E402
from xunfang.intel import units as U  # noqa: E402

FRACTIONS = (0.02, 0.067, 0.2, 1.0)


def fixed_weights(ev: EventSet, a: int, b: int, prior_weight: float = 20.0) -> np.ndarray:
    """The profile before session 16 (the reference line)."""
    u, wd, hr = ev.unit[a:b], ev.weekday[a:b], ev.hour[a:b]
    keep = u >= 0
    town = np.ones((7, 24))
    np.add.at(town, (wd[keep], hr[keep]), 1.0)
    town_hour = town.sum(axis=0) / town.sum()
    own = np.zeros((ev.n_units, 24))
    np.add.at(own, (u[keep], hr[keep]), 1.0)
    unit_hour = (own + prior_weight * town_hour) / (own.sum(axis=1, keepdims=True) + prior_weight)
    weekday = (town / town.sum(axis=1, keepdims=True)) / town_hour
    prof = unit_hour[:, None, :] * weekday[None, :, :]
    return prof / prof.sum(axis=2, keepdims=True)


def score(xy: np.ndarray, times: np.ndarray) -> dict[str, float]:
    units = U.cells(xy, 250.0)
    ev = EventSet.build(units, times, xy)
    d0 = ev.day_of(date(2019, 1, 1))
    hist = ev.window(d0 - 365, d0)
    d1 = ev.day_of(date(2020, 1, 1))
    a, b = np.searchsorted(ev.t, [d0, d1])
    u, wd, hr = ev.unit[a:b], ev.weekday[a:b], ev.hour[a:b]
    keep = u >= 0
    u, wd, hr = u[keep], wd[keep], hr[keep]
    pooled = np.bincount(ev.hour[hist.a:hist.b], minlength=24) + 1.0
    pooled /= pooled.sum()
    t0 = time.perf_counter()
    prof = week_hour_profile(hist)
    seconds = time.perf_counter() - t0
    flat = np.log(1 / 24)
    return {
        "train": int(hist.b - hist.a), "test": len(u),
        "pooled hour of day": float(np.mean(np.log(pooled[hr]))) - flat,
        "fixed weights": float(np.mean(np.log(fixed_weights(ev, hist.a, hist.b)[u, wd, hr])))
        - flat,
        "profile": float(np.mean(np.log(prof[u, wd, hr]))) - flat,
        "seconds": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--draws", type=int, default=10)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    got = ingest(args.data / "chicago_aggravated_assaults.csv.gz",
                 columns={"time": "date", "lon": "longitude", "lat": "latitude"},
                 target_crs="EPSG:32616")
    times = np.asarray(got.table.time).astype("datetime64[m]")
    inside = (times >= np.datetime64("2018-01-01")) & (times < np.datetime64("2020-01-01"))
    times, xy = times[inside], got.table.xy[inside]
    lines: list[dict[str, Any]] = []
    for frac in FRACTIONS:
        runs = []
        for seed in range(args.draws if frac < 1 else 1):
            pick = np.random.default_rng(seed).random(len(times)) < frac
            runs.append(score(xy[pick], times[pick]))
        line: dict[str, Any] = {"fraction": frac}
        for key in runs[0]:
            line[key] = float(np.mean([r[key] for r in runs]))
        line["profile beats pooled in"] = int(sum(r["profile"] > r["pooled hour of day"]
                                                  for r in runs))
        line["draws"] = len(runs)
        lines.append(line)
    result = {"bench": "intel_profile", **machine_basics(), "load": loadavg(),
              "unit": "nats per 2019 incident above a flat profile", "lines": lines}
    if args.json:
        print(json.dumps(result))
        return
    print(f"time-of-day profile, trained on 2018, scored on 2019 ({result['unit']})")
    print(f"{'city':>7} {'train':>7} {'test':>7} {'pooled':>8} {'fixed':>8} {'profile':>8} "
          f"{'beats pooled':>13} {'s':>6}")
    for ln in lines:
        print(f"{ln['fraction']:>6.1%} {ln['train']:>7.0f} {ln['test']:>7.0f} "
              f"{ln['pooled hour of day']:>8.4f} {ln['fixed weights']:>8.4f} "
              f"{ln['profile']:>8.4f} {ln['profile beats pooled in']:>6}/{ln['draws']:<6} "
              f"{ln['seconds']:>6.3f}")


if __name__ == "__main__":
    main()
