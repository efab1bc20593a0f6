"""Jumps between a unit's route and where it stands next, counted from a plan folder.

    python bench/route_seams.py PLAN_DIR [--scenario ebian] [--json]

For every routed (unit, slot) of plan.json's routes stage, the next slot of the same unit:
a route (its first node), a post or checkpoint (the post's node for the unit's mode, as the
routes stage places it) or a one-node route (a staging unit's node). A *jump* is a route whose
last node is not that node and whose drive there (fastest path over the whole network at the
next slot's hour, the routes stage's speeds) takes longer than the route's slack: the minutes
left in its slot after its last drive or stop (a trailing hold is slack). The slot after the
last is the first (the plan repeats); those seams are counted apart (``wrap``). Off duty, a
unit held at an incident and drones are no seam.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xunfang import network  # noqa: E402
from xunfang.network import RoadNetwork  # noqa: E402
from xunfang.plan import Plan  # noqa: E402
from xunfang.planning.routes import _Router, standing_of  # noqa: E402
from xunfang.scenario.loader import load  # noqa: E402


def seams(plan_dir: Path, scenario: str) -> dict[str, Any]:
    path = plan_dir / "plan.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    plan = Plan.from_dict(doc.get("plan", doc))
    routes_doc = doc.get("stages", {}).get("routes")
    if not isinstance(routes_doc, dict) or not isinstance(routes_doc.get("routes"), list):
        raise SystemExit(f"{path}: stages.routes.routes is missing: no routes to measure")
    sc = load(scenario)
    net = RoadNetwork.from_scenario(sc)
    router = _Router(sc, net)
    modes = {u.id: u.mode for u in sc.units}
    standing = standing_of(sc, net, plan.assignments)
    rows = {(str(r["unit"]), int(r["slot"])): r for r in routes_doc["routes"]}
    order = [s.index for s in plan.slots]
    t0 = plan.slots[0].start
    ends = {s.index: (s.end - t0).total_seconds() / 60.0 for s in plan.slots}
    hours = {s.index: s.start.hour for s in plan.slots}
    found: list[dict[str, Any]] = []
    checked = 0
    for (u, s), r in sorted(rows.items()):
        k = order.index(s)
        nxt = order[(k + 1) % len(order)]
        wrap = k + 1 == len(order)
        a = plan.at(u, nxt)
        if (u, nxt) in rows:
            goal = str(rows[(u, nxt)]["nodes"][0])
        elif (u, nxt) in standing:
            goal = standing[(u, nxt)]
        else:
            continue  # off duty, held at an incident: no place to be
        checked += 1
        end = str(r["nodes"][-1])
        if end == goal:
            continue
        legs = r["legs"]
        moving = [leg for leg in legs if leg["kind"] != "hold"]
        # the slack: from the end of the last drive or stop to the slot's end
        last = max((float(leg["to"]) for leg in moving), default=float(legs[0]["from"]))
        slack = max(0.0, ends[s] - last)
        a_i, b_i = (int(x) for x in network.index_of(net, [end, goal]))
        drive = router.full_time(a_i, b_i, modes[u], hours[nxt])
        if drive > slack + 1e-6:
            duty = "staging" if a.duty == "route" and len(a.route) == 1 else a.duty
            found.append({"unit": u, "slot": s, "next_slot": nxt, "next_duty": duty,
                          "end": end, "next_node": goal, "drive_minutes": round(drive, 1),
                          "slack_minutes": round(slack, 1), "wrap": wrap})
    inside = [f for f in found if not f["wrap"]]
    return {"plan": str(plan_dir), "seams": checked, "jumps": len(inside),
            "wrap_jumps": len(found) - len(inside),
            "by_next_duty": {d: sum(1 for f in inside if f["next_duty"] == d)
                             for d in sorted({f["next_duty"] for f in inside})},
            "drive_minutes": round(sum(f["drive_minutes"] for f in inside), 1),
            "rows": found}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("plan", type=Path)
    ap.add_argument("--scenario", default="ebian")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    out = seams(a.plan, a.scenario)
    if a.json:
        print(json.dumps(out))
        return
    for f in out["rows"]:
        print(f"{f['unit']:8} slot {f['slot']:3} -> {f['next_slot']:3} ({f['next_duty']:10}) "
              f"{f['end']} -> {f['next_node']}: {f['drive_minutes']:6.1f} min, slack "
              f"{f['slack_minutes']:5.1f}{' (wrap)' if f['wrap'] else ''}")
    print(f"{out['plan']}: {out['seams']} seams, {out['jumps']} jumps "
          f"({out['drive_minutes']} min of driving), {out['wrap_jumps']} across the plan's end; "
          f"by next duty {out['by_next_duty']}")


if __name__ == "__main__":
    main()
