"""The other stages' shortfall sentences and the timeline's notes in the report's language.

Reviews AO and FI: the Chinese report showed the routes' and the video desk's shortfall
sentences in English (only the drones' were said in Chinese), and the timeline's hover text
gave the assignments' notes in English. The sentences here are the planners' own, made by
running them on the county with too few units, operators or policy to meet their rules.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from tests.report.tables import cell_tables
from xunfang.planning.drones import plan_drones
from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.planning.routes import plan_routes
from xunfang.planning.video import plan_video
from xunfang.report.html import render_report

#: a sentence no pattern knows (a stage may add one): shown as plan.json writes it
UNKNOWN = "a sentence the report does not know (kept as written)"

#: two English words in a row: what a sentence left in English shows (ids such as G4, CAM01,
#: OR-Tools or policy.revisit_minutes are single words)
ENGLISH = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")


def _sentences(result: PlanResult) -> dict[str, list[str]]:
    """Each stage's shortfall sentences as its planner writes them, for the county."""
    sc, net, slots = result.scenario, result.network, result.plan.slots
    grids = [a.id for a in sc.areas_of("grid")]
    foot = [u.id for u in sc.units if u.mode == "foot"]
    # a foot unit in each grid: intervals missed, with the load bound and the tour found
    thin = {(u, s.index): grids[i % len(grids)] for i, u in enumerate(foot) for s in slots}
    # one unit in one grid: the other grids' sites and line pieces, never visited
    lone = {(foot[0], s.index): grids[0] for s in slots}
    # a policy without the last tier's revisit interval: its sites are not routed
    tiers = dict(sc.policy.revisit_minutes)
    tiers.pop(max(tiers))
    untiered = replace(sc, policy=replace(sc.policy, revisit_minutes=tiers))
    routes = [x for scen, posture in ((sc, thin), (sc, lone), (untiered, lone))
              for x in plan_routes(scen, net, slots, posture, seed=1).shortfalls]
    risk = {(g, s.index): 1.0 for g in grids for s in slots}
    no_cameras = replace(sc, posts=tuple(p for p in sc.posts if p.kind != "camera"))
    video = [x for scen, ops, every in ((sc, [0] * 3 + [1] * (len(slots) - 3), 30.0),
                                        (sc, 1, 10.0), (no_cameras, 1, 30.0))
             for x in plan_video(scen, slots, risk, {}, operators=ops,
                                 tier1_every_minutes=every, seed=1).shortfalls]
    drone = next(u for u in sc.units if u.mode == "drone")
    homeless = replace(sc, units=tuple(replace(u, home_post="nowhere") if u is drone else u
                                       for u in sc.units))
    no_drones = replace(sc, units=tuple(u for u in sc.units if u.mode != "drone"))
    thin_drones = {(g, s.index): 1.0 for g in grids for s in slots}
    drones = [x for scen in (homeless, no_drones)
              for x in plan_drones(scen, net, slots, thin_drones, seed=1).shortfalls]
    return {k: list(dict.fromkeys(v)) for k, v in
            (("routes", routes), ("video", video), ("drones", drones))}


def _listed(page: str) -> list[tuple[str, str]]:
    """The report's other-stage shortfalls: (stage, sentence) as a reader sees them."""
    part = page[page.index('<section id="shortfalls">'):]
    part = part[:part.index("</section>")]
    return [(html.unescape(a), html.unescape(b))
            for a, b in re.findall(r"<li><b>(.*?)</b>: (.*?)</li>", part, re.S)]


def test_stage_shortfalls_said_in_the_report_language(
        county: tuple[PlanResult, Path, Path]) -> None:
    result = county[0]
    said = _sentences(result)
    # every pattern family is exercised by a sentence the planners wrote
    assert len(said["routes"]) > 10 and len(said["video"]) > 5 and len(said["drones"]) >= 2
    assert any("load lower bound" in x for x in said["routes"])
    assert any("no police unit patrols the grid" in x for x in said["routes"])
    assert any("no revisit interval" in x for x in said["routes"])
    stages = {k: {**result.stages.get(k, {}), "shortfalls": [*v, UNKNOWN]}
              for k, v in said.items()}
    stages["auxiliary"] = {**result.stages.get("auxiliary", {}), "shortfalls": []}
    shown = replace(result, stages={**result.stages, **stages})
    request = PlanRequest(start=date(2026, 12, 1))

    zh = render_report(shown, request, lang="zh")
    rows = _listed(zh)
    # one row per sentence, none dropped; the unknown one of each stage as written
    assert len(rows) == sum(len(v) + 1 for v in said.values())
    assert [x for _, x in rows].count(UNKNOWN) == len(said)
    english = [(stage, x) for stage, x in rows if x != UNKNOWN and ENGLISH.search(x)]
    assert not english, f"zh report, shortfalls left in English: {english[:3]}"
    assert not any(x in zh for v in said.values() for x in v)
    # the heading says what is true: all translated, the unknown kept as written
    assert "无人机一项已译" not in zh and "未能识别的句子保留原文" in zh

    en = render_report(shown, request, lang="en")
    # the English report says every sentence as the stage wrote it, but slot numbers and
    # (grid, slot) cells as clock times and grid names (review AR: "G1@1, G1@2 …")
    want = [x for k in ("routes", "drones", "video") for x in [*said[k], UNKNOWN]]
    got = [x for _, x in _listed(en)]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if re.search(r"slot\(s\): \d|@\d", w):
            assert g.split(": ")[0] == w.split(": ")[0] and not re.search(r"@\d", g), (g, w)
        else:
            assert g == w


def test_timeline_hover_gives_the_notes_in_the_report_language(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh_dir, en_dir = county
    plan = result.plan
    first = [s for s in plan.slots if s.start.date() == plan.slots[0].start.date()]
    staging = sum(1 for u in plan.units for s in first
                  if plan.at(u, s.index).note.startswith("staging at"))
    sorties = sum(1 for u in plan.units for s in first
                  if plan.at(u, s.index).note.startswith("drone: ") and "sortie" in
                  plan.at(u, s.index).note)
    assert staging and sorties  # the county stages units at key sites and flies drones

    def titles(folder: Path) -> list[str]:
        page = (folder / "report.html").read_text(encoding="utf-8")
        part = page[page.index('<section id="timeline">'):]
        part = part[:part.index("</section>")]
        (day1, *_) = cell_tables(page, "timeline")
        # a run's one cell stands for each of its slots: its hover counted once a slot
        return [c.attrs["title"] for row in day1[1:] for c in row[1:]
                if c.attrs.get("class", "").startswith("d-")]

    zh = titles(zh_dir)
    assert len(zh) == len(plan.units) * len(first)
    english = [x for x in zh if ENGLISH.search(x)]
    assert not english, f"zh timeline, hover text in English: {english[:3]}"
    # each staging unit's ring and each drone's sorties are said (they were left out)
    assert sum("分钟圈" in x for x in zh) == staging
    assert sum("架次" in x for x in zh) == sorties
    en = titles(en_dir)
    assert sum("staging " in x and "-minute ring of" in x for x in en) == staging
    assert sum("sortie(s) over" in x for x in en) == sorties


#: sentences the county does not lead the planners to write, as their f-strings write them
#: (planning/routes.py, drones.py): each pattern must take the stage's words whole
RARE = (
    ("routes", "grid G3 slot 5: the revisit and line intervals need at least 2.40 units (load "
               "bound), 1 patrol there: no plan with these units meets them all"),
    ("routes", "grid G3 slot 5: the revisit and line intervals need no number of units (load "
               "bound), 1 patrol there: no plan with these units meets them all"),
    ("routes", "unit PS1-F (foot) cannot reach grid G3 at minute 125: the run is skipped"),
    ("routes", "line L1: its piece in grid G3 cannot be driven by car inside the grid (from n12 "
               "to n40, either way)"),
    ("routes", "line L1: 3 edge(s) lie outside every grid (first n1→n2, n2→n3, n3→n4); no grid "
               "route covers them"),
    ("routes", "line L9: fewer than two nodes, nothing to patrol"),
    ("routes", "site S40 (tier 2) lies outside every grid: no grid route visits it (revisit "
               "every 240 min unmet)"),
    ("routes", "site S01 (tier 1, grid G3): longest interval 130 min, required every 120 min "
               "(the load lower bound, 0.50 units for 1 at worst, does not prove it impossible; "
               "one unit repeating a 95-min tour (OR-Tools) would meet every interval: the "
               "heuristic missed it)"),
    ("routes", "line L3 piece in grid G4: longest interval 126 min, required every 120 min "
               "(the load lower bound, 0.63 units for 1 at worst, does not prove it impossible; "
               "one unit alone cannot keep the grid's intervals: the shortest tour of all its "
               "places found, 130 min, is longer than its tightest interval, 60 min; "
               "the routes kept are the best of 8 seeded runs over the whole plan)"),
    ("routes", "site S01 (tier 1, grid G3): longest interval 130 min, required every 120 min "
               "(the load lower bound, 0.50 units for 1 at worst, does not prove it impossible; "
               "one unit repeating a 95-min tour (OR-Tools) would meet every interval: the "
               "heuristic missed it; the routes kept are the best of 8 seeded runs over the "
               "whole plan)"),
    ("routes", "site S01 (tier 1, grid G3): never visited, required every 120 min (no run "
               "brought a police unit to it: it is off the streets of their modes in the grid, "
               "beyond a foot or balance patrol's loop, or too long to finish before a unit "
               "leaves)"),
    ("drones", "2 thin (grid, slot) cell(s) not flown out of range of the drones on duty "
               "(round trip with one hover beyond 25 min), weight 0.12: G7@3, G9@4"),
    ("drones", "8 thin (grid, slot) cell(s) not flown outside the drones' flying hours, "
               "weight 0.4: G1@0, G1@1, G2@0, G2@1, G3@0, G3@1 …"),
    ("drones", "5 thin (grid, slot) cell(s) not flown with no drone crewed (no pilot on duty, "
               "or none to spare from the ground units), weight 0.2: G2@5"),
    ("drones", "3 thin (grid, slot) cell(s) not flown with too little of the drones' time on "
               "duty and in flying hours left for a round trip, weight 0.3: G5@23"),
    ("drones", "4 thin (grid, slot) cell(s) not flown after every drone on duty had flown its "
               "12 sorties of the day, weight 0.3: G2@22"),
    ("drones", "9 thin (grid, slot) cell(s) not flown while the drones on duty were airborne "
               "or recharging over weightier grids, weight 0.9: G4@19"),
    # as plans stored before 0a78b61 said a tour too long (the centre's store holds them)
    ("routes", "line L3 piece in grid G4: longest interval 126 min, required every 120 min "
               "(the load lower bound, 0.63 units for 1 at worst, does not prove it impossible; "
               "the shortest single tour found, 130 min, is longer than the 60-min interval)"),
)


def test_rare_sentences_said_and_unknown_parts_kept() -> None:
    from xunfang.report.html import _stage_short_text
    from xunfang.report.i18n import Lang, t

    def said(stage: str, text: str, lang: Lang) -> str:
        return _stage_short_text(stage, text, lambda k, **kw: t(k, lang, **kw), lang)

    for stage, text in RARE:
        zh = said(stage, text, "zh")
        assert zh != text and not ENGLISH.search(zh), (stage, zh)
        if text != RARE[-1][1]:
            assert said(stage, text, "en") == text  # the English report: the stage's words
    # a unit's mode is said in Chinese too
    assert "汽车" in said("routes", RARE[3][1], "zh")
    # how many seeded runs the routes made is said, after the tour
    assert said("routes", RARE[8][1], "zh").endswith(
        "；所用路线为按种子共排 8 次中整体最好的一次）")
    assert "启发式排线未找到；所用路线为按种子共排 8 次" in said("routes", RARE[9][1], "zh")
    assert said("routes", RARE[10][1], "zh").endswith(
        "（各次排线均无警力单元到达：不在其交通方式可走的网格街道上、超出步巡或平衡车的"
        "短程巡逻范围，或来不及在单元离开前巡完）")
    assert "最短环线 130 分钟，长于其中最紧的 60 分钟间隔" in said("routes", RARE[-1][1], "zh")
    assert "longer than its tightest interval, 60 min)" in said("routes", RARE[-1][1], "en")
    # a sentence whose reason no pattern knows stays whole as written, not half translated
    odd = "site S01 (tier 1, grid G3): never visited, required every 120 min (a new reason)"
    assert said("routes", odd, "zh") == odd
    assert said("video", UNKNOWN, "zh") == UNKNOWN


def test_a_ring_short_reason_said_in_the_report_language() -> None:
    """Review P: a tier-1 ring's shortfall says which case it is (none on duty, no node in
    reach, kept on grid patrol, all taken); the report says each in Chinese, and the words
    of plan.json files written before."""
    from xunfang.planning.deploy.staging import short_reason
    from xunfang.report.html import _short_row
    from xunfang.report.i18n import Lang, t

    def row(detail: str, lang: Lang) -> str:
        f = {"slot": 18, "start": "18:00", "duty": "staging", "place": "S07", "need": 1,
             "have": 0, "detail": detail}
        return str(_short_row(f, lambda k, **kw: t(k, lang, **kw))["detail"])

    reasons = [short_reason(0, True, 0, (0, 0, 0), 1.0),
               short_reason(7, False, 5, (0, 0, 0), 1.0),
               short_reason(7, True, 5, (2, 0, 0), 1.0),
               short_reason(7, True, 0, (4, 2, 1), 1.0),
               "no car or motorcycle on duty could be spared to stand within it"]
    assert reasons[2].startswith("the plan kept 5 car(s) or motorcycle(s) on grid patrol")
    for why in reasons:
        text = f"no unit stands within the tier-1 target of S07: {why}"
        zh = row(text, "zh")
        assert zh.startswith("没有单元驻守在 S07 ") and not ENGLISH.search(zh), zh
        assert row(text, "en") == text
    assert "方案把 5 辆汽车/摩托车留在网格巡逻" in row(
        f"no unit stands within the tier-1 target of S07: {reasons[2]}", "zh")
    assert "4 辆守其他部位的圈，2 辆为指定部署或正在处警，1 辆" in row(
        f"no unit stands within the tier-1 target of S07: {reasons[3]}", "zh")
    odd = "no unit stands within the tier-1 target of S07: a new reason"
    assert row(odd, "zh") == odd
