"""kde on polygons against the exact integral of its Gaussian kernel over each polygon.

`KDE` sums its kernel over lattice points inside each polygon (`Units.area_samples`). For
axis-aligned squares the integral of a Gaussian kernel is exact in closed form (a product of
two normal CDF differences per incident), so the lattice's error can be measured: 1,600
squares of 400 m (their corners off the lattice) around Chicago's median incident, the
assaults of 2018-06-30 to 2019-06-30 decayed to 2019-07-01 (kde's defaults: 150 m, a one-year
half-life). Printed: the ratio kde / exact over the squares holding at least 1 % of the top
square's risk (5th, 50th, 95th percentile) and how many of the exact top 5 % kde ranks in its
top 5 %; the same for the squares' centre points alone (kde before session 12). Needs
../shared/data; about 30 s.

    python bench/intel_kde_polygons.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.special import ndtr

from xunfang.intel.methods import KDE, EventSet
from xunfang.intel.units import Units, polygons

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import loadavg, machine_basics

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIDE = 400.0
N = 40


def squares(xy: np.ndarray) -> tuple[Units, list[shapely.Geometry]]:
    cx, cy = np.median(xy, axis=0)
    ox, oy = cx - N / 2 * SIDE + 37, cy - N / 2 * SIDE + 11  # off the 150 m lattice
    boxes = [shapely.box(ox + i * SIDE, oy + j * SIDE, ox + (i + 1) * SIDE, oy + (j + 1) * SIDE)
             for i in range(N) for j in range(N)]
    return polygons(tuple(str(k) for k in range(len(boxes))), tuple(boxes)), boxes


def exact(boxes: list[shapely.Geometry], pts: np.ndarray, w: np.ndarray, h: float) -> np.ndarray:
    out = np.empty(len(boxes))
    for k, b in enumerate(boxes):
        x0, y0, x1, y1 = b.bounds
        fx = ndtr((x1 - pts[:, 0]) / h) - ndtr((x0 - pts[:, 0]) / h)
        fy = ndtr((y1 - pts[:, 1]) / h) - ndtr((y0 - pts[:, 1]) / h)
        out[k] = float(np.sum(w * fx * fy))
    return out


def compare(r: np.ndarray, ex: np.ndarray) -> dict[str, float]:
    ex = ex / ex.sum() * r.sum()
    busy = ex > ex.max() * 0.01
    p5, p50, p95 = np.percentile(r[busy] / ex[busy], [5, 50, 95])
    k = len(r) // 20

    def top(v: np.ndarray) -> set[int]:
        return set(np.argsort(-v, kind="stable")[:k].tolist())

    return {"ratio_p5": round(float(p5), 3), "ratio_p50": round(float(p50), 3),
            "ratio_p95": round(float(p95), 3), "top5_found": len(top(r) & top(ex)), "top5": k}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="also print one JSON line")
    args = ap.parse_args()
    load0 = loadavg()
    d = pd.read_csv(DATA / "chicago_aggravated_assaults.csv.gz")
    d = d[d["date"] >= "2018-01-01"]
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32616", always_xy=True).transform(
        d["longitude"].to_numpy(), d["latitude"].to_numpy())
    xy = np.column_stack([x, y])
    ok = np.isfinite(xy).all(axis=1)
    xy, tm = xy[ok], pd.to_datetime(d["date"][ok]).to_numpy().astype("datetime64[m]")
    units, boxes = squares(xy)
    ev = EventSet.build(units, tm, xy)
    day = ev.day_of(date(2019, 7, 1))
    hist = ev.window(day - 365, day)
    kde = KDE()
    t0 = time.perf_counter()
    r = kde.predict(hist, day)
    seconds = time.perf_counter() - t0
    w = np.exp(-np.log(2) / kde.half_life_days * (day - hist.t))
    pts = ev.xy[hist.a:hist.b]
    ex = exact(boxes, pts, w, kde.bandwidth_m)
    # the centre point alone: the kernel's value there, times the square's area
    centre = units.centroid
    tree_val = np.array([np.sum(w * np.exp(-0.5 * ((pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2)
                                             / kde.bandwidth_m ** 2)) for cx, cy in centre])
    rows = {"lattice (now)": compare(r, ex), "centre point": compare(tree_val, ex)}
    print(f"kde on {len(boxes)} squares of {SIDE:g} m against the exact integral "
          f"(Chicago, {hist.b - hist.a} incidents; kde fit+predict {seconds:.1f} s)")
    print(f"{'':16} {'p5':>6} {'p50':>6} {'p95':>6} {'top 5 % found':>14}")
    for name, row in rows.items():
        print(f"{name:16} {row['ratio_p5']:6.2f} {row['ratio_p50']:6.2f} {row['ratio_p95']:6.2f} "
              f"{row['top5_found']:>7} of {row['top5']}")
    if args.json:
        print(json.dumps({"bench": "intel_kde_polygons", "rows": rows, "seconds": seconds,
                          "machine": {**machine_basics(), "load_before": load0,
                                      "load_after": loadavg()}}))


if __name__ == "__main__":
    main()
