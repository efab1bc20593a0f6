"""Benchmark: how ``auto`` chooses among forecasting methods, on Chicago 2018–2019.

    python bench/intel_auto_rules.py [--json] [--train-days 365,2920] [--data ../shared/data]
    python bench/intel_auto_rules.py --candidates [--json] [--train-days 365,2920]

Four variants of :class:`xunfang.intel.methods.Auto` over the same candidates (naive counts
over 365 days, decay, kde, prospective), each scored by the evaluation of ``xunfang intel
evaluate`` (250 m cells in EPSG:32616, study area the cells with an incident in the training
window, daily forecasts, paired bootstrap ratio to naive-365 at 5 % of the area):

* ``best/28``, ``best/91``: the candidate with the best validation hit rate over the last 28 or
  91 days of the training window;
* ``1se/28``, ``1se/91``: the one-standard-error rule (the first, simplest candidate within one
  standard error of the best; the default is ``1se/91``).

Baseline in the same run: naive-365. About 6 minutes per training window on two cores.

``--candidates``: auto (the one-SE rule over 91 days) among the year-memory candidates above
against auto among :func:`xunfang.intel.methods.auto_candidates` (the same plus counts over the
whole window, decay with a 3-year half-life and kde without decay), and those three alone, on
Chicago and on sparser cities made from it: a tenth and a quarter of its assaults (a seeded
sample of the rows, ``random_state=1``). About 15 minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang.intel import EventSet, evaluate, ingest  # noqa: E402
from xunfang.intel import units as U  # noqa: E402
from xunfang.intel.methods import (  # noqa: E402
    KDE,
    Auto,
    Decay,
    Naive,
    Prospective,
    RecentLevel,
    auto_candidates,
)


class BestByValidation(Auto):
    """Auto as it was: the best validation hit rate, however small the lead."""

    def _choose(self, cands: Any, daily: Any, size: Any) -> Any:
        return max(cands, key=lambda m: (daily[m.name].sum(), -cands.index(m)))


def variants() -> list[Any]:
    cands = (Naive(days=365), Decay(), KDE(), Prospective())
    out: list[Any] = [Naive(days=365)]
    for days in (28, 91):
        for cls, tag in ((BestByValidation, "best"), (Auto, "1se")):
            out.append(cls(candidates=cands, validation_days=days, name=f"auto {tag}/{days}"))
    return out


def candidate_variants() -> list[Any]:
    """Naive-365, the long-memory candidates alone, auto over the year-memory candidates and
    auto over :func:`auto_candidates`."""
    cands = auto_candidates()
    long = [m for m in cands if isinstance(m, RecentLevel)]
    year = tuple(m for m in cands if not isinstance(m, RecentLevel))
    return [Naive(days=365), *long, Auto(candidates=year, name="auto, year memory"),
            Auto(candidates=cands, name="auto (default)")]


def _events(data: Path, share: float) -> EventSet:
    import tempfile

    import pandas as pd

    src = data / "chicago_aggravated_assaults.csv.gz"
    with tempfile.TemporaryDirectory() as tmp:
        if share < 1:  # a sparser city: a seeded sample of the rows
            rows = pd.read_csv(src).sample(frac=share, random_state=1).sort_values("date")
            src = Path(tmp) / f"chicago_{int(share * 100)}.csv"
            rows.to_csv(src, index=False)
        got = ingest(src, columns={"time": "date", "lon": "longitude", "lat": "latitude"},
                     target_crs="EPSG:32616")
    units = U.cells(got.table.xy, 250.0, occupied=True)
    return EventSet.build(units, got.table.time, got.table.xy)


def run(data: Path, train_days: int, share: float = 1.0,
        methods: list[Any] | None = None) -> dict[str, Any]:
    ev = _events(data, share)
    res = evaluate(ev, methods or variants(), test_from=date(2018, 1, 1),
                   test_to=date(2019, 12, 31), train_days=train_days, study="training")
    rows = []
    for s in res.scores:
        point, lo, hi = res.ratio(s.method, "naive")
        rows.append({"method": s.method, "hit_0.05": s.hit_rate[0.05], "ratio": point,
                     "lo": lo, "hi": hi, "seconds": s.seconds, "notes": list(s.notes)})
    return {"train_days": train_days, "share": share, "test_incidents": res.test_incidents,
            "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--train-days", default="365,2920")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--candidates", action="store_true",
                    help="auto's candidates: the year's memory against the long memory too")
    args = ap.parse_args()
    days = [int(n) for n in str(args.train_days).split(",")]
    windows = ([run(args.data, n, share, candidate_variants())
                for share in (1.0, 0.25, 0.1) for n in days] if args.candidates
               else [run(args.data, n) for n in days])
    result: dict[str, Any] = {
        "bench": "intel_auto_rules", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine_basics(), "load": loadavg()}, "windows": windows}
    result["machine"]["load_after"] = loadavg()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"machine: {result['machine']}")
    for w in result["windows"]:
        city = "Chicago" if w["share"] == 1 else f"{w['share']:.0%} of Chicago's assaults"
        print(f"\n{city}, 2018-2019, {w['train_days']}-day window, {w['test_incidents']} "
              "test incidents")
        print(f"{'variant':<26}{'hit@5%':>8}{'x naive [95 %]':>26}{'s':>7}  chose")
        for r in w["rows"]:
            print(f"{r['method']:<26}{r['hit_0.05']:>8.4f}{r['ratio']:>10.3f} "
                  f"[{r['lo']:.3f}, {r['hi']:.3f}]{r['seconds']:>7.0f}  "
                  f"{', '.join(n.removeprefix('chose ') for n in r['notes'])}")


if __name__ == "__main__":
    main()
