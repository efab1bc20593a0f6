"""The own duty lists' rotas (planning/own_rota.py): how long each takes, whether CP-SAT
proves it, and how its shortfall compares with the bound counted by hand.

    python bench/own_rota.py [--json] [--days 1,7,14]

Cases: the built-in county's town-station list (nine people, three on duty at every hour)
and a six-person list (two at every hour), each for plans of ``--days`` days; and the town
list with two people on leave on the first day. The bound: a person works at most one
8-hour shift a day (11 h rest) and ``max_consecutive_days`` days in a row, so in a
repeating week at most 6 shifts (48 h). Leave is not in the bound. ``short / bound`` = 1.00
is the fewest uncovered hours the rules allow. For a plan of a week or more no count by
hand is tight (the evening before's night covers only the first hours; 56 h in any 7
days), and the status says whether CP-SAT proved the shortfall the fewest ("optimal" or
"shortfall optimal": proven; "feasible": not). Seconds are the
rota's alone, beside a 1-day plan of the county timed in the same run (which makes eight
rotas: what they add to a plan).

Each list's sworn officers (role ``police``: four of the town's nine, three of the six)
lead every hour (``lead``): ``lead short`` is the hours with none on, against its bound by
hand, 168 − sworn × 48 a repeating week (a week's plan: no tight count, as above).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from _common import loadavg, machine_basics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang import scenario as scenario_mod  # noqa: E402
from xunfang.plan import make_slots  # noqa: E402
from xunfang.planning.own_rota import own_rota  # noqa: E402
from xunfang.scenario.model import Leave  # noqa: E402

DAY = date(2026, 12, 4)


def bound(people: int, need: int, days: int) -> float | None:
    """The fewest person-hours a repeating week cannot cover, counted by hand (see the
    module doc), leave not counted; None for a plan of a week or more (no simple count is
    tight there: CP-SAT's proof, the status, says the shortfall is the fewest)."""
    if days < 7:
        return max(need * 24 * 7 - people * 48 + 0.0, 0.0)
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--days", default="1,7,14")
    a = ap.parse_args()
    sc = scenario_mod.load("ebian")
    town = [p.id for p in sc.people if p.team == "PS1"]
    small = [p.id for p in sc.people if p.team == "PS4"]
    sworn = [p.id for p in sc.people if p.role == "police"]
    load0 = loadavg()
    rows = []
    for days in [int(x) for x in a.days.split(",")]:
        slots = make_slots(DAY, days=days, slot_minutes=60)
        cases = [("town 9×3", sc, town, 3), ("station 6×2", sc, small, 2)]
        away = replace(sc, leave=tuple(Leave(person=p, start=DAY, end=DAY) for p in town[:2]))
        cases.append(("town 9×3, 2 on leave day 1", away, town, 3))
        for name, s, people, need in cases:
            t = time.perf_counter()
            r = own_rota(s, slots, ["x"], people, [need] * len(slots), sworn=sworn,
                         lead=[1] * len(slots))
            sec = time.perf_counter() - t
            short = r.week_short_hours if r.repeating else r.short_hours
            lead = r.week_lead_short_hours if r.repeating else r.lead_short_hours
            n_sworn = len(set(people) & set(sworn))
            b = bound(len(people), need, days)
            lb = bound(n_sworn, 1, days)
            rows.append({"case": name, "days": days, "seconds": round(sec, 2),
                         "status": r.status, "short": short, "bound": b,
                         "short_over_bound": round(short / b, 3) if b else None,
                         "short_proven": r.status != "feasible",
                         "plan_day_short": r.short_hours if r.repeating else None,
                         "lead_short": lead, "lead_bound": lb,
                         "plan_day_lead_short": r.lead_short_hours if r.repeating else None})
    plan_s = None
    try:
        from xunfang.planning.pipeline import PlanRequest, build_plan
        t = time.perf_counter()
        build_plan(sc, PlanRequest(start=DAY))
        plan_s = round(time.perf_counter() - t, 2)
    except Exception as exc:  # the rota figures stand without it; say why it is missing
        print(f"plan timing failed: {exc}", file=sys.stderr)
    out = {"bench": "own_rota", "machine": {**machine_basics(), "load_before": load0,
                                            "load_after": loadavg()},
           "plan_1_day_seconds": plan_s, "rows": rows}
    if a.json:
        print(json.dumps(out))
        return
    print("| case | days | seconds | status | short (person-h) | bound | short/bound | "
          "plan's own days short | lead short (h) | its bound | plan's days unled |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        sob = "—" if row["short_over_bound"] is None else f"{row['short_over_bound']:.2f}"
        pds = "—" if row["plan_day_short"] is None else f"{row['plan_day_short']:g}"
        bd = "—" if row["bound"] is None else f"{row['bound']:g}"
        lbd = "—" if row["lead_bound"] is None else f"{row['lead_bound']:g}"
        pdl = "—" if row["plan_day_lead_short"] is None else f"{row['plan_day_lead_short']:g}"
        print(f"| {row['case']} | {row['days']} | {row['seconds']} | {row['status']} | "
              f"{row['short']:g} | {bd} | {sob} | {pds} | {row['lead_short']:g} | {lbd} | "
              f"{pdl} |")
    print(f"\na 1-day county plan (8 lists' rotas included): {plan_s} s; "
          f"load {load0} → {loadavg()}")


if __name__ == "__main__":
    main()
