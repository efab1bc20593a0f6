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

Two more reference lines, the ways a place's hours could be told better, measured so that
what the profile does not do has its reason (session 17):

- ``neighbourhood``: a place's hours shrunk towards its neighbourhood's (the cells within
  900 m, themselves shrunk towards the city's), the strength again by leave-one-out — where
  nightlife streets share their late hours, a sparse cell would borrow them.
- ``learned``: a LightGBM (Poisson) model of each place-hour's incidents, the issue's
  "gradient-boosted model on … calendar features (weekday, hour …)" for the hour: the hour,
  the place's and its 400 m and 900 m neighbourhoods' shrunk shares of that hour, their
  totals, trained on 2017's shares against 2018's counts (the profile as offset), its number
  of trees chosen on a quarter of the places held out, then given 2018's shares to foretell
  2019. The weekday pattern is the city's, as the profile's.
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
from xunfang.intel.forecast import STRENGTHS, _shrunk  # noqa: E402

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


def _counts(ev: EventSet, a: int, b: int) -> np.ndarray:
    """(units, 24): each place's incidents by hour over events a..b."""
    u, hr = ev.unit[a:b], ev.hour[a:b]
    keep = u >= 0
    out = np.zeros((ev.n_units, 24))
    np.add.at(out, (u[keep], hr[keep]), 1.0)
    return out


def _with_weekdays(ev: EventSet, a: int, b: int, unit_hour: np.ndarray) -> np.ndarray:
    """A place's hours times the city's weekday pattern, as the profile combines them."""
    u, wd, hr = ev.unit[a:b], ev.weekday[a:b], ev.hour[a:b]
    town = np.zeros((7, 24))
    np.add.at(town, (wd[u >= 0], hr[u >= 0]), 1.0)
    town_hour = _shrunk(town.sum(axis=0)[None, :], np.full(24, 1 / 24))[0]
    week = _shrunk(town, town_hour)
    prof = unit_hour[:, None, :] * (week / town_hour)[None, :, :]
    return prof / prof.sum(axis=2, keepdims=True)


def _shrunk_rows(counts: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Each row of ``counts`` shrunk towards its own row of ``base`` (shares), the strength
    chosen by leave-one-out as :func:`xunfang.intel.forecast.shrinkage` chooses it."""
    rows, cols = np.nonzero(counts)
    c, n = counts[rows, cols], counts.sum(axis=1)
    n = n[n > 0]
    gains = [(c * np.log(c - 1 + k * base[rows, cols])).sum() - (n * np.log(n - 1 + k)).sum()
             for k in STRENGTHS]
    k = float(STRENGTHS[int(np.argmax(gains))])
    return (counts + k * base) / (counts.sum(axis=1, keepdims=True) + k)


def _neighbours(units: U.Units, radius: float) -> Any:
    """Sparse (units × units) 0/1 matrix of the other places within ``radius`` metres."""
    import scipy.sparse as sp
    from scipy.spatial import cKDTree

    pairs = cKDTree(units.centroid).query_pairs(radius, output_type="ndarray")
    m = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                      shape=(len(units), len(units)))
    return (m + m.T).tocsr()


def _hour_features(counts: np.ndarray, near: Any, far: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per place-hour: the hour, the place's and its neighbourhoods' shrunk shares of it
    (log, over the city's), their totals; and the place's shrunk shares (the offset)."""
    city = _shrunk(counts.sum(axis=0)[None, :], np.full(24, 1 / 24))[0]
    own = _shrunk(counts, city)
    n1, n2 = near @ counts + counts, far @ counts + counts
    s1, s2 = _shrunk(n1, city), _shrunk(n2, city)
    total = counts.sum(axis=1)
    shape = counts.shape
    x = np.stack([np.broadcast_to(np.arange(24.0), shape), np.log(own / city),
                  np.log(s1 / city), np.log(s2 / city),
                  np.broadcast_to(np.log1p(total)[:, None], shape),
                  np.broadcast_to(np.log1p(n1.sum(axis=1))[:, None], shape)], axis=2)
    return x.reshape(-1, x.shape[2]), own


def learned_hours(ev: EventSet, before: np.ndarray, train: np.ndarray) -> np.ndarray:
    """(units, 24) hour shares from a LightGBM model taught how ``before``'s shares (one
    year) foretold ``train``'s counts (the next), applied to ``train``'s shares."""
    import lightgbm as lgb

    near, far = _neighbours(ev.units, 400.0), _neighbours(ev.units, 900.0)
    x, own = _hour_features(before, near, far)
    y = train.reshape(-1)
    total = np.repeat(train.sum(axis=1), 24)
    rows = (np.repeat(before.sum(axis=1), 24) > 0) & (total > 0)
    offset = np.log(np.maximum(total, 1.0)) + np.log(own.reshape(-1))  # used where total > 0
    held = np.repeat(np.random.default_rng(0).random(ev.n_units) < 0.25, 24)
    params = {"objective": "poisson", "learning_rate": 0.05, "num_leaves": 15,
              "min_data_in_leaf": 200, "verbose": -1, "seed": 0, "num_threads": 1}
    fit, val = rows & ~held, rows & held
    rounds = 1
    if fit.any() and val.any():
        trial = lgb.train(params, lgb.Dataset(x[fit], y[fit], init_score=offset[fit],
                                              categorical_feature=[0]),
                          num_boost_round=300,
                          valid_sets=[lgb.Dataset(x[val], y[val], init_score=offset[val],
                                                  categorical_feature=[0])],
                          callbacks=[lgb.early_stopping(10, verbose=False)])
        rounds = max(int(trial.best_iteration), 1)
    model = lgb.train(params, lgb.Dataset(x[rows], y[rows], init_score=offset[rows],
                                          categorical_feature=[0]), num_boost_round=rounds)
    x2, own2 = _hour_features(train, near, far)
    shares = own2 * np.exp(model.predict(x2, raw_score=True).reshape(own2.shape))
    return np.asarray(shares / shares.sum(axis=1, keepdims=True))


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
    train = _counts(ev, hist.a, hist.b)
    city = _shrunk(train.sum(axis=0)[None, :], np.full(24, 1 / 24))[0]
    area = _shrunk(_neighbours(units, 900.0) @ train + train, city)
    neighbourhood = _with_weekdays(ev, hist.a, hist.b, _shrunk_rows(train, area))
    a0 = int(np.searchsorted(ev.t, ev.day_of(date(2018, 1, 1)) - 365))
    learned = _with_weekdays(ev, hist.a, hist.b,
                             learned_hours(ev, _counts(ev, a0, hist.a), train))
    return {
        "train": int(hist.b - hist.a), "test": len(u),
        "pooled hour of day": float(np.mean(np.log(pooled[hr]))) - flat,
        "fixed weights": float(np.mean(np.log(fixed_weights(ev, hist.a, hist.b)[u, wd, hr])))
        - flat,
        "profile": float(np.mean(np.log(prof[u, wd, hr]))) - flat,
        "neighbourhood": float(np.mean(np.log(neighbourhood[u, wd, hr]))) - flat,
        "learned": float(np.mean(np.log(learned[u, wd, hr]))) - flat,
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
    every = np.asarray(got.table.time).astype("datetime64[m]")
    inside = (every >= np.datetime64("2018-01-01")) & (every < np.datetime64("2020-01-01"))
    times, xy = every[inside], got.table.xy[inside]
    # 2017, for the learned line's year before its training year (drawn apart, so that the
    # 2018-2019 draws are those of the lines before it)
    early = (every >= np.datetime64("2017-01-01")) & (every < np.datetime64("2018-01-01"))
    times17, xy17 = every[early], got.table.xy[early]
    lines: list[dict[str, Any]] = []
    for frac in FRACTIONS:
        runs = []
        for seed in range(args.draws if frac < 1 else 1):
            pick = np.random.default_rng(seed).random(len(times)) < frac
            pick17 = np.random.default_rng(1000 + seed).random(len(times17)) < frac
            runs.append(score(np.concatenate([xy17[pick17], xy[pick]]),
                              np.concatenate([times17[pick17], times[pick]])))
        line: dict[str, Any] = {"fraction": frac}
        for key in runs[0]:
            line[key] = float(np.mean([r[key] for r in runs]))
        line["profile beats pooled in"] = int(sum(r["profile"] > r["pooled hour of day"]
                                                  for r in runs))
        for other in ("neighbourhood", "learned"):
            line[f"{other} beats profile in"] = int(sum(r[other] > r["profile"] for r in runs))
        line["draws"] = len(runs)
        lines.append(line)
    result = {"bench": "intel_profile", **machine_basics(), "load": loadavg(),
              "unit": "nats per 2019 incident above a flat profile", "lines": lines}
    if args.json:
        print(json.dumps(result))
        return
    print(f"time-of-day profile, trained on 2018, scored on 2019 ({result['unit']})")
    print(f"{'city':>7} {'train':>7} {'test':>7} {'pooled':>8} {'fixed':>8} {'profile':>8} "
          f"{'beats pooled':>13} {'neighbourhood':>13} {'learned':>8} {'s':>6}")
    for ln in lines:
        print(f"{ln['fraction']:>6.1%} {ln['train']:>7.0f} {ln['test']:>7.0f} "
              f"{ln['pooled hour of day']:>8.4f} {ln['fixed weights']:>8.4f} "
              f"{ln['profile']:>8.4f} {ln['profile beats pooled in']:>6}/{ln['draws']:<6} "
              f"{ln['neighbourhood']:>13.4f} {ln['learned']:>8.4f} {ln['seconds']:>6.3f}")
    print("neighbourhood / learned beat the profile in: " + ", ".join(
        f"{ln['fraction']:.1%}: {ln['neighbourhood beats profile in']}/{ln['draws']}, "
        f"{ln['learned beats profile in']}/{ln['draws']}" for ln in lines))


if __name__ == "__main__":
    main()
