"""The plan's rings of each slot from its own police units where they stand (review AY,
fault 2: from the posts alone a slot said key sites missed their target while its staging
unit stood beside them), and its blockade from those units only (an auxiliary foot patrol
stops no fleeing car)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from tests.conftest import write_files
from tests.planning.test_routes import LATTICE
from xunfang import network, scenario
from xunfang.network import RoadNetwork
from xunfang.planning import coverage
from xunfang.planning.pipeline import PlanRequest, build_plan

POSTS = LATTICE["posts.csv"] + "X1,North exit,exit,n40\nX2,South exit,exit,n02\n"
UNITS = LATTICE["units.csv"] + "V1,auxiliary,foot,volunteer,P2\n"


def test_each_slots_rings_and_blockade_are_the_plans_police_units(tmp_path: Path) -> None:
    root = write_files(tmp_path / "town", {**LATTICE, "posts.csv": POSTS, "units.csv": UNITS})
    sc = scenario.load(root)
    net = RoadNetwork.from_scenario(sc)
    result = build_plan(sc, PlanRequest(start=date(2026, 12, 1), days=1))
    rows = result.stages["rings"]["slots"]
    units = {u.id: u for u in sc.units}
    posts = {p.id: p for p in sc.posts}
    checked = 0
    for row in rows:
        mine = row["from_plan"]
        # independently: each police unit on ground duty from its post or route's first node
        sources = []
        for a in result.plan.assignments:
            u = units[a.unit]
            if a.slot != row["slot"] or a.duty in ("off", "drone", "video") or u.mode == "drone":
                continue
            assert u.tier != "auxiliary" or a.unit == "V1"
            if u.tier == "auxiliary":
                continue
            if a.post is not None:
                node = posts[a.post].node
            elif a.route:
                node = a.route[0]
            else:
                continue  # a grid's centre: checked by the count below, not re-derived
            sources.append((node, u.mode))
        if len(sources) != mine["units"]:
            continue
        hour = int(row["start"][11:13])
        minutes = np.min([network.nearest(net, network.index_of(net, [n]), mode=m,
                                          hour=hour).minutes[:, 0] for n, m in sources], axis=0)
        _, target = coverage.node_targets(sc, net.xy)
        assert mine["share_within_target"] == float(np.mean(minutes <= target))
        checked += 1
        # the volunteer stands on duty at P2 but neither holds a ring nor seals an exit
        seals = row["blockade_units"]["seals"]
        assert all(s["unit"] != "V1" for s in seals)
    assert checked >= len(rows) // 2, "too few slots re-derived"
    assert any(a.unit == "V1" and a.duty != "off" for a in result.plan.assignments)


def test_the_reports_hourly_rings_show_each_day_that_differs(tmp_path: Path) -> None:
    """Review BA: the by-hour table kept the first day of each hour, while the plan's units
    (and so its rings and blockade) differ from day to day. Each hour has one row per group
    of days that read alike, dated when there is more than one."""
    import re

    from xunfang.report.html import render_report

    units = UNITS + "M1,precinct,motorcycle,patrol,P2\n"
    root = write_files(tmp_path / "town", {**LATTICE, "posts.csv": POSTS, "units.csv": units})
    sc = scenario.load(root)
    # a seed whose two days differ in some hour (which ones depends on the routes' draws:
    # since session 22's reruns, seed 3's days read alike in every hour; seed 1's differ
    # at 07:00, 09:00 and 19:00)
    req = PlanRequest(start=date(2026, 12, 1), days=2, seed=1)
    result = build_plan(sc, req)
    rows = result.stages["rings"]["slots"]
    per_hour: dict[str, set[tuple[object, ...]]] = {}
    for row in rows:
        seal = row.get("blockade") or {}
        per_hour.setdefault(row["start"][11:16], set()).add(
            (row["from_plan"].get("share_within_target"), seal.get("max_minutes"),
             tuple(seal.get("unsealed", ())),
             tuple((h["unit"], tuple(h["sites"])) for h in row.get("staging_held", []))))
    differ = {h for h, v in per_hour.items() if len(v) > 1}
    assert differ, "the case must have an hour whose days differ"
    html = render_report(result, req, lang="en")
    table = html[html.index("An hour whose days differ"):]
    table = table[:table.index("</table>")]
    labels = re.findall(r"<tr><td>([^<]+)</td>", table)
    for hour in per_hour:
        mine = [lab for lab in labels if lab.startswith(hour)]
        if hour in differ:
            assert len(mine) >= 2 and all("(12-0" in lab for lab in mine), (hour, mine)
        else:
            assert mine == [hour], (hour, mine)
