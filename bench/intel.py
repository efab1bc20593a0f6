"""Benchmark: incident ingestion at a million rows, and fit + predict per method.

    python bench/intel.py [--json] [--rows 1000000] [--cells 10000] [--repeat 3]
                          [--chicago] [--data ../shared/data]
    python bench/intel.py --scale [--scale-rows 3000000] [--scale-window 2920]
                          [--scale-days 28] [--json]

**Ingestion.** A CSV of ``--rows`` incidents (seed 0: the Chicago aggravated assaults
resampled with 30 m jitter and random minutes, 0.1 % bad times, 0.1 % missing coordinates,
0.1 % exact duplicates) is ingested with ``xunfang.intel.ingest`` (lon/lat → UTM, every
rejected row listed) and written to Parquet. Baseline in the same run: ``pandas.read_csv`` of
the same file with no checks at all. Target: ingestion + Parquet ≤ 10 s.

**Memory** (``--memory``; skips the other benches): peak resident memory of a fresh process
that ingests the ``--rows`` CSV and writes its Parquet store, against a fresh process that only
runs ``pandas.read_csv`` on the same file (the baseline, as a ratio); once for the plain file
and once with a free-text column added (``narrative``: 13-220 characters of words, one row of
2,000), as exports with a description or address column have; and once as a city's full crime
export, the plain file with seventeen more text columns (codes, names, flags, dates: Chicago's
portal layout). No fixed target: the figure to watch is the ratio, and that neither the
narrative nor the export's columns multiply it.

**Methods.** ``--cells`` square cells of 250 m (a 100 × 100 block), three years of incidents
(40 a day, seed 0, on a fixed hot-spot surface), one forecast day split into 24 hourly slots
(``xunfang.intel.forecast``): the time of ``fit`` plus ``predict`` plus the split, best of
``--repeat``. ``network_kde`` runs on a lattice road network of about the same number of street
segments. Target: ≤ 2 s for every method but ``etas`` (whose time is reported). Baseline in
the same run: ``naive`` (a bincount), the cheapest forecast there is.

**Chicago** (``--chicago``): every method's rolling-origin daily forecasts over 2018–2019 with
250 m cells in EPSG:32616, 365-day training window, study area = cells with an incident in
the window — the evaluation of ``xunfang intel evaluate`` — with hit rate and PAI at 5 %, and
each method's ratio to naive-365 with its paired bootstrap interval. Slow (the learned model is
refitted weekly): tens of minutes on two cores.

**A big city** (``--scale``; skips the other benches): ``--scale-rows`` incidents (seed 0: the
Chicago assaults resampled over 2010–2019 with 30 m jitter and random minutes, 3 million by
default, a city with twenty times Chicago's assaults), 250 m cells where incidents fell, and
the evaluation of ``xunfang intel evaluate`` for every method but ``network_kde`` over
``--scale-days`` test days from 2019-01-01 with ``--scale-window`` training days (8 years by
default, the window the best Chicago figures come from). Reported: each method's seconds for
the whole evaluation and per test day (expensive fits, and ``auto``'s rolling validation, are
refitted weekly, so a day is the average), against ``naive`` in the same run. No fixed target:
the figure to watch is that no method's day grows with the window's length.

**Ceilings** (``--ceilings``, Chicago only; skips the timing benches): hindsight reference
lines (``xunfang.intel.hindsight``) under the same evaluation — each ranks a test day's cells by
the incidents of the *other* test days of 2018–2019, conditioned on what a forecast could know
on the day: the weekday, weekend or not, the season, the location category's or the district's
city-wide profile for days like it, the training window's history, recent incidents (near
repeats). Each family's parameter is the best of a grid, chosen in hindsight. A table of each
family's best line, and every line in the JSON. A few minutes per training window.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang.intel import (  # noqa: E402
    EventSet,
    evaluate,
    forecast,
    ingest,
    make_method,
    write_parquet,
)
from xunfang.intel import units as U  # noqa: E402

METHODS = ("naive", "decay", "kde", "prospective", "etas", "network_kde", "gbm", "auto")
TARGET_ROWS = 1_000_000  # the ingestion target's rows (≤ 10 s)


def machine() -> dict[str, Any]:
    return {**machine_basics(), "load": loadavg(), "platform": platform.platform()}


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def make_csv(path: Path, rows: int, data: Path) -> None:
    import pandas as pd

    src = pd.read_csv(data / "chicago_aggravated_assaults.csv.gz")
    rng = np.random.default_rng(0)
    pick = rng.integers(0, len(src), rows)
    t = pd.to_datetime(src["date"].to_numpy()[pick]) + pd.to_timedelta(
        rng.integers(0, 60, rows), unit="m")
    lon = src["longitude"].to_numpy()[pick] + rng.normal(0, 0.0004, rows)
    lat = src["latitude"].to_numpy()[pick] + rng.normal(0, 0.0003, rows)
    times = t.strftime("%Y-%m-%d %H:%M").to_numpy().astype(object)
    bad = rng.random(rows) < 0.001
    times[bad] = "not a time"
    lon = lon.round(6).astype(object)
    lon[rng.random(rows) < 0.001] = ""
    df = pd.DataFrame({"id": np.char.add("C", np.arange(rows).astype(str)), "date": times,
                       "longitude": lon, "latitude": lat.round(6),
                       "loc_cat": src["loc_cat"].to_numpy()[pick]})
    dup = np.flatnonzero(rng.random(rows) < 0.001)
    dup = dup[dup > 0]
    df.iloc[dup] = df.iloc[dup - 1].to_numpy()  # an exact copy of the row before
    df.to_csv(path, index=False)


def _peak_mb(code: str, csv: Path) -> float:
    """Peak resident memory (MB) of a fresh Python running ``code`` on ``csv``."""
    import subprocess

    probe = (f"import sys; sys.path[:0] = [{str(ROOT / 'src')!r}, {str(ROOT / 'bench')!r}]; "
             f"from pathlib import Path; csv = Path({str(csv)!r}); {code}; "
             "from _common import peak_mb; print(peak_mb())")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                         text=True)
    return float(out.stdout.split()[-1])


def export_columns(rows: int) -> dict[str, Any]:
    """The other columns of a city's full crime export (Chicago's portal has these 17 beside
    its date, latitude and longitude): codes, names, flags, numbers and dates as text."""
    rng = np.random.default_rng(2)

    def pick(*values: str) -> Any:
        return np.array(values)[rng.integers(0, len(values), rows)]

    def num(lo: int, hi: int) -> Any:
        return rng.integers(lo, hi, rows).astype(str)

    return {
        "Case Number": np.char.add("JA", num(100_000, 999_999)),
        "Block": np.char.add(np.char.add("0", num(10, 99)), "XX W MADISON ST"),
        "IUCR": num(100, 2000), "Primary Type": pick("THEFT", "BATTERY", "ASSAULT", "ROBBERY"),
        "Description": pick("SIMPLE", "AGGRAVATED: HANDGUN", "$500 AND UNDER", "OVER $500"),
        "Location Description": pick("STREET", "RESIDENCE", "APARTMENT", "SIDEWALK"),
        "Arrest": pick("true", "false"), "Domestic": pick("true", "false"),
        "Beat": num(111, 2535), "District": num(1, 25), "Ward": num(1, 51),
        "Community Area": num(1, 78), "FBI Code": pick("04B", "08B", "06"),
        "X Coordinate": num(1_100_000, 1_205_000), "Y Coordinate": num(1_813_000, 1_952_000),
        "Year": num(2010, 2020), "Updated On": pick("02/10/2018 03:50:01 PM"),
    }


def bench_memory(rows: int, data: Path) -> list[dict[str, Any]]:
    import pandas as pd

    ours = ("from xunfang.intel import ingest, write_parquet; g = ingest(csv, columns="
            "{'time': 'date', 'lon': 'longitude', 'lat': 'latitude', 'category': 'loc_cat'}); "
            "write_parquet(g.table, csv.with_suffix('.parquet'))")
    base = "import pandas as pd; pd.read_csv(csv)"
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        make_csv(csv, rows, data)
        for label in ("plain", "narrative", "export"):
            if label == "export":
                df = pd.read_csv(csv, dtype=str, keep_default_na=False)
                df.drop(columns="narrative").assign(**export_columns(len(df))).to_csv(
                    csv, index=False)
            if label == "narrative":
                df = pd.read_csv(csv, dtype=str, keep_default_na=False)
                rng = np.random.default_rng(1)
                words = np.array(["ASSAULT", "AGGRAVATED", "HANDGUN", "STREET", "APARTMENT",
                                  "VEHICLE", "NON-FATAL", "OTHER DANGEROUS WEAPON", "SIDEWALK",
                                  "RESIDENCE PORCH/HALLWAY"])
                df["narrative"] = [" ".join(rng.choice(words, k))
                                   for k in rng.integers(2, 20, len(df))]
                df.loc[5, "narrative"] = "X" * 2000
                df.to_csv(csv, index=False)
            t0 = time.perf_counter()
            mb = _peak_mb(ours, csv)
            secs = time.perf_counter() - t0
            ref = _peak_mb(base, csv)
            out.append({"file": label, "rows": rows, "csv_mb": round(csv.stat().st_size / 1e6, 1),
                        "ingest_peak_mb": round(mb), "read_csv_peak_mb": round(ref),
                        "ratio": round(mb / ref, 2), "ingest_process_seconds": round(secs, 1)})
    return out


def bench_ingest(rows: int, data: Path, repeat: int) -> dict[str, Any]:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        make_csv(csv, rows, data)
        size_mb = csv.stat().st_size / 1e6
        base, _ = best(lambda: pd.read_csv(csv), repeat)

        def run() -> Any:
            got = ingest(csv, columns={"time": "date", "lon": "longitude", "lat": "latitude",
                                       "category": "loc_cat"})
            write_parquet(got.table, Path(tmp) / "incidents.parquet")
            return got

        ours, got = best(run, repeat)
        # the same rows handed over as a DataFrame (a notebook's; its times parsed, as
        # pandas users hold them): no target of the issue's, measured beside the file's.
        # read_csv(parse_dates=..., date_format=...) left the column as text for its 0.1 %
        # "not a time" rows, which timed the ingestion of text again: parsed here, those NaT
        frame = pd.read_csv(csv, keep_default_na=True)
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d %H:%M",
                                       errors="coerce")
        framed, fgot = best(lambda: ingest(frame, columns={
            "time": "date", "lon": "longitude", "lat": "latitude", "category": "loc_cat"}),
            repeat)
    # the target is for a million rows: 2,000 rows in 0.1 s meet nothing
    meets: bool | str = ours <= 10.0 if rows >= TARGET_ROWS else "not applicable"
    return {"rows": rows, "csv_mb": round(size_mb, 1), "kept": got.report.kept,
            "rejected": got.report.rejected, "counts": dict(got.report.counts),
            "seconds": round(ours, 2), "pandas_read_csv_seconds": round(base, 2),
            "ratio_to_read_csv": round(ours / base, 2), "target_seconds": 10.0,
            "target_rows": TARGET_ROWS, "meets": meets,
            "dataframe_seconds": round(framed, 2), "dataframe_kept": fgot.report.kept,
            "dataframe_time_dtype": str(frame["date"].dtype)}


def synthetic_events(cells: int, years: int = 3, per_day: float = 40.0) -> EventSet:
    side = round(cells ** 0.5)
    units = U.cells(np.zeros((0, 2)), 250.0, bounds=(0, 0, side * 250 - 1, side * 250 - 1))
    rng = np.random.default_rng(0)
    # a hot-spot surface: a few Gaussian bumps over a low floor
    cx, cy = units.centroid.T
    surf = np.full(len(units), 0.05)
    for _ in range(30):
        mx, my = rng.uniform(0, side * 250, 2)
        surf += rng.uniform(0.5, 3) * np.exp(-((cx - mx) ** 2 + (cy - my) ** 2) / (2 * 600**2))
    p = surf / surf.sum()
    days = years * 365
    n = rng.poisson(per_day * days)
    u = rng.choice(len(units), n, p=p)
    xy = units.centroid[u] + rng.uniform(-125, 125, (n, 2))
    t = np.datetime64("2021-01-01T00:00") + rng.integers(0, days * 1440, n).astype(
        "timedelta64[m]")
    return EventSet.build(units, t, xy)


def lattice_network(segments: int) -> Any:
    from xunfang.network import RoadNetwork
    from xunfang.scenario.model import Policy, Roads

    side = round((segments / 2) ** 0.5) + 1
    ids = tuple(f"n{i}_{j}" for i in range(side) for j in range(side))
    xy = np.array([[i * 250.0, j * 250.0] for i in range(side) for j in range(side)])
    u, v = [], []
    for i in range(side):
        for j in range(side):
            k = i * side + j
            if i + 1 < side:
                u.append(k)
                v.append(k + side)
            if j + 1 < side:
                u.append(k)
                v.append(k + 1)
    m = len(u)
    roads = Roads(node_ids=ids, xy=xy, u=np.array(u), v=np.array(v),
                  length_m=np.full(m, 250.0), speed_kph=np.full(m, np.nan),
                  oneway=np.zeros(m, dtype=bool), road_class=("",) * m, name=("",) * m)
    return RoadNetwork.from_roads(roads, policy=Policy())


def bench_methods(cells: int, repeat: int) -> list[dict[str, Any]]:
    import lightgbm  # noqa: F401 - a one-time import (seconds, cold) is not a fit

    ev = synthetic_events(cells)
    net = lattice_network(cells)
    seg_units = U.segments(net.roads)
    seg_ev = EventSet.build(seg_units, (np.datetime64("2021-01-01T00:00") + (ev.t * 1440)
                                        .astype("timedelta64[m]")), ev.xy)
    start = date(2023, 12, 1)
    rows = []
    base = None
    for name in METHODS:
        events = seg_ev if name == "network_kde" else ev
        method = make_method(name, network=net, country="US")
        # a fresh kernel cache per repetition: the first forecast of a data set pays for it
        def run(events: EventSet = events, method: Any = method) -> Any:
            events.cache.clear()
            return forecast(events, method, start=start, days=1, train_days=365)

        secs, fc = best(run, repeat)
        if name == "naive":
            base = secs
        assert fc.risk.shape == (1, len(events.units), 24)
        rows.append({"method": name, "units": len(events.units), "seconds": round(secs, 3),
                     "ratio_to_naive": round(secs / base, 1) if base else None,
                     "target_seconds": None if name == "etas" else 2.0,
                     "meets": True if name == "etas" else secs <= 2.0})
    return rows


def bench_etas_coarse(data: Path, repeat: int) -> list[dict[str, Any]]:
    """``etas`` against ``naive`` on coarse units, where each unit holds many incidents and
    the fit's pairs within its 60-day cut grew with the square of them: the Chicago assaults
    (EPSG:32616) on the 23 police districts (``chicago_police_districts.kml``) and on 5 km
    cells, one forecast day from 2020-01-01 with 365 and 2920 training days, best of
    ``repeat`` (a fresh cache each time)."""
    got = ingest(data / "chicago_aggravated_assaults.csv.gz",
                 columns={"time": "date", "lon": "longitude", "lat": "latitude"},
                 target_crs="EPSG:32616")
    layouts = {
        "23 police districts": U.polygons_from_file(data / "chicago_police_districts.kml",
                                                   crs="EPSG:32616"),
        "5 km cells": U.cells(got.table.xy, 5000.0),
    }
    rows = []
    for label, units in layouts.items():
        ev = EventSet.build(units, got.table.time, got.table.xy)
        for train in (365, 2920):
            secs: dict[str, float] = {}
            fits = {}
            for name in ("naive", "etas"):
                method = make_method(name)

                def run(ev: EventSet = ev, method: Any = method, train: int = train) -> Any:
                    ev.cache.clear()
                    return forecast(ev, method, start=date(2020, 1, 1), days=1,
                                    train_days=train)

                secs[name], fits[name] = best(run, repeat)
            d = fits["etas"].details
            origin = ev.day_of(date(2020, 1, 1))
            window = ev.window(origin - train, origin)
            rows.append({"units": label, "n_units": len(units), "train_days": train,
                         "incidents": window.b - window.a,
                         "naive_seconds": round(secs["naive"], 3),
                         "etas_seconds": round(secs["etas"], 3),
                         "ratio_to_naive": round(secs["etas"] / secs["naive"], 1),
                         "etas": {k: d.get(k) for k in ("theta", "omega", "iterations",
                                                        "converged")}})
    return rows


@dataclass(frozen=True)
class OtherTestDays:
    """Not a forecast: a reference line. Ranks cells by the incidents of every *other* day of
    the test period (2018-2019) — hindsight no method has — to show how much of the gap
    between naive counts and a perfect ranking stationary knowledge can close."""

    events: EventSet
    first: int
    last: int
    name: str = "hindsight (other test days)"
    refit_days: int = 10**9

    def fit(self, history: Any) -> OtherTestDays:
        return self

    def predict(self, history: Any, day: int) -> np.ndarray:
        total = self.events.window(self.first, self.last + 1).counts()
        return total - self.events.window(day, day + 1).counts()


def bench_scale(data: Path, rows: int, window: int, test_days: int) -> dict[str, Any]:
    from datetime import timedelta

    got = ingest(data / "chicago_aggravated_assaults.csv.gz",
                 columns={"time": "date", "lon": "longitude", "lat": "latitude"},
                 target_crs="EPSG:32616")
    rng = np.random.default_rng(0)
    pick = rng.integers(0, len(got.table.xy), rows)
    xy = got.table.xy[pick] + rng.normal(0, 30, (rows, 2))
    t = (np.asarray(got.table.time)[pick].astype("datetime64[m]")
         + rng.integers(0, 60, rows).astype("timedelta64[m]"))
    t0 = time.perf_counter()
    ev = EventSet.build(U.cells(xy, 250.0), t, xy)
    build = time.perf_counter() - t0
    first = date(2019, 1, 1)
    last = first + timedelta(days=test_days - 1)
    out: dict[str, Any] = {"rows": rows, "units": len(ev.units), "window_days": window,
                           "test_days": test_days, "build_seconds": round(build, 2),
                           "methods": []}
    base: float | None = None
    for name in (m for m in METHODS if m != "network_kde"):
        # the rule for a bare file, on the full block laid for stable cell numbers
        # (a block is studied whole by default, as a jurisdiction's cells)
        res = evaluate(ev, [make_method(name, country="US")], test_from=first, test_to=last,
                       train_days=window, study="training")
        m = res.scores[0]
        per_day = m.seconds / test_days
        base = per_day if name == "naive" else base
        out["methods"].append({
            "method": name, "seconds": round(m.seconds, 1), "seconds_per_day": round(per_day, 3),
            "ratio_to_naive": round(per_day / base, 1) if base else None,
            "hit_rate_0.05": round(m.hit_rate[0.05], 4)})
    return out


def chicago_events(data: Path) -> tuple[EventSet, dict[str, Any]]:
    """The Chicago assaults as an EventSet in EPSG:32616 with 250 m cells, and the per-incident
    location category and district, aligned with the events."""
    cols = {"time": "date", "lon": "longitude", "lat": "latitude"}
    path = data / "chicago_aggravated_assaults.csv.gz"
    got = ingest(path, columns={**cols, "category": "loc_cat"}, target_crs="EPSG:32616")
    dist = ingest(path, columns={**cols, "category": "district"}, target_crs="EPSG:32616")
    assert np.array_equal(got.table.ids, dist.table.ids)
    units = U.cells(got.table.xy, 250.0)
    ev = EventSet.build(units, got.table.time, got.table.xy)
    order = np.argsort(np.asarray(got.table.time).astype("datetime64[m]"), kind="stable")
    return ev, {"loc_cat": got.table.category[order], "district": dist.table.category[order]}


def ceiling_lines(period: Any) -> list[tuple[str, str, Any]]:
    """(family, parameters, line) for every hindsight line of the grid."""
    from xunfang.intel.hindsight import Hindsight

    out: list[tuple[str, str, Any]] = []

    def add(family: str, params: str, **kw: Any) -> None:
        out.append((family, params, Hindsight(period, label=f"{family} [{params}]", **kw)))

    add("static (other test days)", "-")
    for share in (0.25, 0.5):
        for seed in (0, 1, 2):
            add(f"static from {share:.0%} of the other test days", f"seed {seed}",
                days_share=share, seed=seed)
    for a in (0.1, 0.25, 0.5, 1.0):
        add("weekday", f"alpha={a}", condition="weekday", alpha=a)
        add("weekend vs weekday", f"alpha={a}", condition="weekend", alpha=a)
        for k in (14, 30, 45):
            add("season", f"±{k} d, alpha={a}", condition="season", season_days=k, alpha=a)
    for n in (1, 3, 7):
        for w in (0.0, 0.5):
            for b in (0.001, 0.003, 0.01, 0.03, 0.1):
                add("near repeat", f"{n} d, nbrs={w}, beta={b}", near_repeat_days=n,
                    near_repeat_beta=b, neighbours=w)
    for lab in ("loc_cat", "district"):
        for wd, k in ((True, 30), (True, 60), (True, None), (False, 30)):
            add(f"{lab} profile", f"weekday={wd}, season={k}", profile=lab, by_weekday=wd,
                season_days=k)
    for g in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0):
        add("static + window history", f"gamma={g}", history=g)
    for g in (0.5, 1.0, 2.0, 4.0):
        for b in (0.0, 0.001):
            add("loc_cat profile + history + near repeat",
                f"weekday, ±30 d, gamma={g}, 1 d beta={b}", profile="loc_cat", season_days=30,
                history=g, near_repeat_days=1, near_repeat_beta=b)
    return out


def bench_ceilings(ev: EventSet, labels: dict[str, Any], train_days: int) -> dict[str, Any]:
    from xunfang.intel.hindsight import TestPeriod

    t0, t1 = ev.day_of(date(2018, 1, 1)), ev.day_of(date(2019, 12, 31))
    period = TestPeriod.build(ev, t0, t1, labels)
    lines = ceiling_lines(period)
    refs = [make_method("naive"), make_method("decay")]
    res = evaluate(ev, [*refs, *(line for _, _, line in lines)],
                   test_from=date(2018, 1, 1), test_to=date(2019, 12, 31),
                   train_days=train_days, study="training")
    by = {s.method: s for s in res.scores}
    rows = []
    for family, params, m in [("reference", "", r) for r in refs] + [
            (f, p, line) for f, p, line in lines]:
        point, lo, hi = res.ratio(m.name, "naive", 0.05)
        rows.append({"family": family, "params": params, "line": m.name,
                     "hit_rate_0.05": by[m.name].hit_rate[0.05],
                     "ratio_to_naive_at_0.05": {"ratio": point, "lo": lo, "hi": hi}})
    # the perfect stationary map: each study-area cell's true rate over 2018-2019, estimated by
    # deconvolution (not scored by the evaluator; the study area is that of the first test day)
    from xunfang.intel.hindsight import perfect_map_ceiling

    area = np.flatnonzero(ev.window(t0 - train_days, t0).counts() > 0)
    naive_hit = by["naive"].hit_rate[0.05]
    parts = [("2018-2019 as one period", [(t0, t1)]),
             ("each year its own map", [(t0, ev.day_of(date(2018, 12, 31))),
                                        (ev.day_of(date(2019, 1, 1)), t1)])]
    for label, spans in parts:
        hits = lo = hi = 0.0
        for a, b in spans:
            ar = np.flatnonzero(ev.window(a - train_days, a).counts() > 0)
            n_inc = int(np.searchsorted(ev.t, b + 1) - np.searchsorted(ev.t, a))
            p, plo, phi = perfect_map_ceiling(ev.window(a, b + 1).counts()[ar], n_inc, 0.05)
            hits, lo, hi = hits + p * n_inc, lo + plo * n_inc, hi + phi * n_inc
        n_all = res.test_incidents
        rows.append({"family": f"perfect stationary map, {label}",
                     "params": "NPMLE estimate, not scored", "line": f"perfect map [{label}]",
                     "hit_rate_0.05": hits / n_all,
                     "ratio_to_naive_at_0.05": {"ratio": hits / n_all / naive_hit,
                                                "lo": lo / n_all / naive_hit,
                                                "hi": hi / n_all / naive_hit}})
    k = max(1, round(0.05 * len(area)))
    in_sample = float(np.sort(ev.window(t0, t1 + 1).counts()[area])[::-1][:k].sum())
    rows.append({"family": "in-sample top 5 % (counts each day's own)",
                 "params": "not a ranking, an optimistic bound", "line": "in-sample",
                 "hit_rate_0.05": in_sample / res.test_incidents,
                 "ratio_to_naive_at_0.05": {"ratio": in_sample / res.test_incidents / naive_hit,
                                            "lo": None, "hi": None}})
    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = r["family"] if r["family"] != "reference" else r["line"]
        if f not in best or (r["ratio_to_naive_at_0.05"]["ratio"]
                             > best[f]["ratio_to_naive_at_0.05"]["ratio"]):
            best[f] = r
    return {"train_days": train_days, "test_incidents": res.test_incidents,
            "units": res.units, "best_per_family": list(best.values()), "lines": rows}


def print_ceilings(result: dict[str, Any]) -> None:
    for c in result["ceilings"]:
        print(f"\nChicago 2018-2019 hindsight ceilings, 250 m cells, {c['train_days']}-day "
              f"window, {c['test_incidents']} test incidents (best of each family's grid):")
        print(f"{'family':<48}{'best parameters':<44}{'hit@5%':>8}{'× naive@5% [95 %]':>26}")
        for r in c["best_per_family"]:
            q = r["ratio_to_naive_at_0.05"]
            ci = "" if q["lo"] is None else f" [{q['lo']:.3f}, {q['hi']:.3f}]"
            print(f"{r['family'] if r['family'] != 'reference' else r['line']:<48}"
                  f"{r['params']:<44}{r['hit_rate_0.05']:>8.4f}{q['ratio']:>10.3f}{ci}")


def bench_chicago(data: Path, train_days: int, oracle_only: bool = False) -> dict[str, Any]:
    got = ingest(data / "chicago_aggravated_assaults.csv.gz",
                 columns={"time": "date", "lon": "longitude", "lat": "latitude",
                          "category": "loc_cat"}, target_crs="EPSG:32616")
    units = U.cells(got.table.xy, 250.0)
    ev = EventSet.build(units, got.table.time, got.table.xy)
    names = ["naive"] if oracle_only else [m for m in METHODS if m != "network_kde"]
    t0, t1 = ev.day_of(date(2018, 1, 1)), ev.day_of(date(2019, 12, 31))
    res = evaluate(ev, [*(make_method(n, country="US") for n in names),
                        OtherTestDays(ev, t0, t1)],
                   test_from=date(2018, 1, 1), test_to=date(2019, 12, 31), train_days=train_days,
                   study="training")  # the rule (the block is studied whole by default)
    out = res.as_json()
    for m in out["methods"]:
        point, lo, hi = res.ratio(m["method"], "naive", 0.05)
        m["ratio_to_naive_at_0.05"] = {"ratio": point, "lo": lo, "hi": hi}
    return out


def finish(result: dict[str, Any], as_json: bool) -> bool:
    """Record the load after the run; print the JSON line and return True with ``--json``,
    else print the machine line (the table follows) and return False."""
    result["machine"]["load_after"] = loadavg()
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return True
    print(f"machine: {result['machine']}")
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chicago", action="store_true")
    ap.add_argument("--hindsight-only", action="store_true",
                    help="Chicago: only naive and the hindsight reference line (fast)")
    ap.add_argument("--train-days", default="365",
                    help="Chicago: training windows to evaluate, comma-separated (e.g. 365,2920)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--memory", action="store_true",
                    help="only the peak memory of ingestion (plain and with a free-text column)")
    ap.add_argument("--scale", action="store_true",
                    help="only the evaluation of every method on a big city's incidents")
    ap.add_argument("--scale-rows", type=int, default=3_000_000)
    ap.add_argument("--scale-window", type=int, default=2920)
    ap.add_argument("--scale-days", type=int, default=28)
    ap.add_argument("--ceilings", action="store_true",
                    help="Chicago: only the hindsight ceilings (conditional reference lines)")
    args = ap.parse_args()
    result: dict[str, Any] = {"bench": "intel", "when": datetime.now(UTC).isoformat(
        timespec="seconds"), "machine": machine()}
    if args.memory:
        result["memory"] = bench_memory(args.rows, args.data)
        if finish(result, args.json):
            return
        print(f"\n{'file':<10}{'rows':>10}{'CSV MB':>8}{'ingest peak MB':>16}"
              f"{'read_csv peak MB':>18}{'ratio':>7}{'ingest s':>10}")
        for r in result["memory"]:
            print(f"{r['file']:<10}{r['rows']:>10,}{r['csv_mb']:>8}{r['ingest_peak_mb']:>16}"
                  f"{r['read_csv_peak_mb']:>18}{r['ratio']:>7}{r['ingest_process_seconds']:>10}")
        return
    if args.scale:
        result["scale"] = sc = bench_scale(args.data, args.scale_rows, args.scale_window,
                                           args.scale_days)
        if finish(result, args.json):
            return
        print(f"\n{sc['rows']:,} incidents on {sc['units']:,} cells (events built in "
              f"{sc['build_seconds']} s), {sc['window_days']}-day window, {sc['test_days']} "
              "test days from 2019-01-01:")
        print(f"{'method':<12}{'evaluation s':>14}{'s per day':>11}{'× naive':>9}{'hit@5%':>9}")
        for r in sc["methods"]:
            print(f"{r['method']:<12}{r['seconds']:>14}{r['seconds_per_day']:>11.3f}"
                  f"{r['ratio_to_naive']:>9}{r['hit_rate_0.05']:>9.3f}")
        return
    if args.ceilings:
        ev, labels = chicago_events(args.data)
        result["ceilings"] = [bench_ceilings(ev, labels, int(n))
                              for n in str(args.train_days).split(",")]
        if not finish(result, args.json):
            print_ceilings(result)
        return
    result["ingest"] = bench_ingest(args.rows, args.data, args.repeat)
    result["methods"] = bench_methods(args.cells, args.repeat)
    result["etas_coarse"] = bench_etas_coarse(args.data, args.repeat)
    if args.chicago:
        result["chicago"] = [bench_chicago(args.data, int(n), args.hindsight_only)
                             for n in str(args.train_days).split(",")]
    if finish(result, args.json):
        return
    ing = result["ingest"]
    verdict = (ing["meets"] if isinstance(ing["meets"], str)
               else "met" if ing["meets"] else "MISSED")
    print(f"\ningest {ing['rows']:,} rows ({ing['csv_mb']} MB CSV): {ing['seconds']} s "
          f"(pandas.read_csv alone {ing['pandas_read_csv_seconds']} s, ratio "
          f"{ing['ratio_to_read_csv']}); kept {ing['kept']:,}, rejected {ing['rejected']:,} "
          f"{ing['counts']}; target ≤ 10 s (at {ing['target_rows']:,} rows): "
          f"{verdict}; "
          f"the same rows as a DataFrame: {ing['dataframe_seconds']} s, kept "
          f"{ing['dataframe_kept']:,}")
    print(f"\n{'method':<12}{'units':>8}{'fit+predict s':>15}{'× naive':>9}  target")
    for r in result["methods"]:
        tgt = "report" if r["target_seconds"] is None else (
            "met" if r["meets"] else "MISSED")
        print(f"{r['method']:<12}{r['units']:>8}{r['seconds']:>15.3f}"
              f"{r['ratio_to_naive']:>9}  {tgt}")
    print("\netas on coarse units (Chicago assaults, one forecast day from 2020-01-01):")
    print(f"{'units':<22}{'train days':>11}{'incidents':>10}{'naive s':>9}{'etas s':>9}"
          f"{'× naive':>9}")
    for r in result["etas_coarse"]:
        print(f"{r['units']:<22}{r['train_days']:>11}{r['incidents']:>10,}"
              f"{r['naive_seconds']:>9.3f}{r['etas_seconds']:>9.3f}{r['ratio_to_naive']:>9}")
    for ev in result.get("chicago", []):
        print(f"\nChicago 2018-2019, 250 m cells, {ev['train_days']}-day window, "
              f"{ev['test_incidents']} test incidents:")
        print(f"{'method':<28}" + "".join(f"{'hit@' + k:>9}" for k in
                                        ev["methods"][0]["hit_rate"])
              + f"{'PAI@5%':>8}{'PEI@5%':>8}{'loglik':>8}{'× naive@5% [95 %]':>26}{'s':>7}")
        for m in ev["methods"]:
            r = m["ratio_to_naive_at_0.05"]
            print(f"{m['method']:<28}" + "".join(f"{v:>9.3f}" for v in m["hit_rate"].values())
                  + f"{m['pai']['0.05']:>8.2f}{m['pei']['0.05']:>8.3f}"
                  f"{m['log_likelihood']:>8.3f}"
                  f"{r['ratio']:>10.3f} [{r['lo']:.3f}, {r['hi']:.3f}]{m['seconds']:>7.0f}")


if __name__ == "__main__":
    main()
