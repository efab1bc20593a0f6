"""Benchmark: where report.html's bytes are, per section and per kind, and how long the
report takes to write.

    python bench/report_size.py [--json] [--days 1] [--from 2026-12-03] [--scenario ebian]
    python bench/report_size.py --html PLAN_DIR/report.html [--json]

Without ``--html`` it plans the scenario (``xunfang plan``'s pipeline, its defaults) for
``--days`` from ``--from``, then times ``render_report`` on the result (``--repeat`` times, the
best kept) and measures what it wrote; with ``--html`` it measures a report written before
(e.g. by ``xunfang plan ... --out D``). The aim set in the reviews: 1.2 MB for 7 days.

Per section (``<section id>``; "head" is everything before the first, styles included) it
prints the bytes and how many of them are SVG, SVG path data (``d=``/``points=``), <use>
references, tables, SVG <title> hovers, cells' ``title=`` hovers, styles and scripts; the
last line is a ``--json`` record.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from itertools import pairwise
from pathlib import Path

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SECTION = re.compile(r'<section id="([^"]+)"')
KINDS = {
    "svg": re.compile(r"<svg\b.*?</svg>", re.S),
    "path_data": re.compile(r'\s(?:d|points)="[^"]*"'),
    "use": re.compile(r"<use\b[^>]*>"),
    "table": re.compile(r"<table\b.*?</table>", re.S),
    "title": re.compile(r"<title>.*?</title>", re.S),  # SVG hovers
    "title_attr": re.compile(r'\stitle="[^"]*"'),  # table cells' hovers (the timeline's)
    "style": re.compile(r"<style\b.*?</style>", re.S),
    "script": re.compile(r"<script\b.*?</script>", re.S),
}


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def breakdown(html: str) -> list[dict[str, object]]:
    """One row per section (and "head" before the first): its bytes, by kind."""
    starts = [(m.start(), m.group(1)) for m in SECTION.finditer(html)]
    bounds = [(0, "head"), *starts, (len(html), "")]
    rows = []
    for (a, name), (b, _) in pairwise(bounds):
        part = html[a:b]
        row: dict[str, object] = {"section": name, "bytes": _bytes(part)}
        for kind, rx in KINDS.items():
            row[kind] = sum(_bytes(m.group(0)) for m in rx.finditer(part))
        row["svgs"] = len(KINDS["svg"].findall(part))
        rows.append(row)
    return rows


def _plan(scenario: str, start: date, days: int) -> tuple[object, object]:
    """``xunfang plan SCENARIO --from START --days DAYS``'s result, its defaults."""
    from xunfang import scenario as scenario_mod
    from xunfang.planning.pipeline import PlanRequest, build_plan

    request = PlanRequest(start=start, days=days)
    return build_plan(scenario_mod.load(scenario), request), request


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--html", type=Path, help="measure this report.html instead of planning")
    ap.add_argument("--scenario", default="ebian")
    ap.add_argument("--from", dest="start", default="2026-12-03")
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lang", default="zh", choices=("zh", "en"))
    args = ap.parse_args()
    if args.days < 1:
        ap.error(f"--days {args.days}: give 1 or more")
    if args.repeat < 1:
        ap.error(f"--repeat {args.repeat}: give 1 or more")
    load0 = loadavg()
    seconds: float | None = None
    if args.html is not None:
        if not args.html.is_file():
            ap.error(f"--html {args.html}: no such file")
        html = args.html.read_text(encoding="utf-8")
        source = str(args.html)
    else:
        from xunfang.report.html import render_report

        result, request = _plan(args.scenario, date.fromisoformat(args.start), args.days)
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            html = render_report(result, request, lang=args.lang)  # type: ignore[arg-type]
            best = min(best, time.perf_counter() - t0)
        seconds = best
        source = f"{args.scenario} {args.start} {args.days} day(s) {args.lang}"
    rows = breakdown(html)
    total = _bytes(html)
    cols = ["bytes", "svg", "path_data", "use", "table", "title", "title_attr", "style",
            "script", "svgs"]
    print(f"report.html of {source}: {total:,} bytes ({total / 1e6:.2f} MB)"
          + (f", written in {seconds:.2f} s (best of {args.repeat})" if seconds else ""))
    print(f"{'section':<24}" + "".join(f"{c:>11}" for c in cols))
    for r in sorted(rows, key=lambda r: -int(r["bytes"])):  # type: ignore[call-overload]
        print(f"{r['section']!s:<24}" + "".join(f"{r[c]:>11,}" for c in cols))
    print(f"{'(all)':<24}" + "".join(f"{sum(int(r[c]) for r in rows):>11,}"  # type: ignore[call-overload]
                                     for c in cols))
    print(f"load average before {load0}, after {loadavg()}")
    if args.json:
        print(json.dumps({"bench": "report_size", "source": source, "bytes": total,
                          "render_seconds": seconds, "sections": rows,
                          "machine": {**machine_basics(), "load_before": load0,
                                      "load_after": loadavg()}}))


if __name__ == "__main__":
    main()
