"""plan_sheet.xlsx as a duty planner prints and hands it out (review HE): its one sheet had a
row per unit per hour (603 rows for the county's day, a unit standing at its post all shift
read eight times); a command centre reads a duty sheet per unit. Now a duty schedule of runs
(勤务安排), the units by hour on one page a day (时段一览), and the per-slot sheet last."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.report.folder import DUTY_FILLS, ROUTE_GRIDS_JOIN, write_plan_sheet_xlsx
from xunfang.report.i18n import TEXT, VALUES, Lang, t
from xunfang.report.sheet_words import SHEET_WORDS, word
from xunfang.scenario.loader import load


def _value(ws: Any, row: int, col: int) -> Any:
    """A cell's value, a merged range's lower cells reading its first cell's."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws.cell(rng.min_row, rng.min_col).value
    return ws.cell(row, col).value


def _per_slot(ws: Any) -> list[dict[str, Any]]:
    """The per-slot sheet's rows, each with its unit's label as the other sheets print it."""
    out = []
    for r in ws.iter_rows(min_row=2, values_only=True):
        unit, name = str(r[0]), str(r[1] or "")
        label = name if unit.startswith("video-desk-") else (
            f"{name} ({unit})" if name and name != unit else unit)
        out.append({"unit": unit, "label": label, "start": r[2], "end": r[3], "kind": r[4],
                    "grid": r[5] or "", "place": r[6] or "", "crew": r[7] or ""})
    return out


def _at(text: str, day: date) -> datetime:
    """A schedule's time (``HH:MM`` on ``day``, or ``YYYY-MM-DD HH:MM``; ``24:00`` the
    day's end) as a naive date-time."""
    if " " in text:
        d, hm = text.split(" ")
        day = date.fromisoformat(d)
    else:
        hm = text
    h, m = (int(x) for x in hm.split(":"))
    return datetime(day.year, day.month, day.day) + timedelta(hours=h, minutes=m)


def check_workbook(path: Path, result: PlanResult, lang: Lang) -> dict[str, int]:
    """Every rule of the three sheets; returns their row counts."""
    wb = load_workbook(path)
    names = [word("schedule_title", lang), word("hours_title", lang), t("plan_sheet", lang)]
    assert wb.sheetnames == names
    sched, hours, slots_ws = (wb[n] for n in names)
    per_slot = _per_slot(slots_ws)
    assert per_slot, "the per-slot sheet is empty"
    plan_slots = result.plan.slots
    day0 = plan_slots[0].start.date()
    multi_day = plan_slots[-1].start.date() != day0

    # --- 1. the duty schedule: runs reconstruct the per-slot rows exactly -----------------
    assert [c.value for c in sched[2]] == [word(k, lang) for k in (
        "col_group", "col_unit", "col_from", "col_to", "col_duty", "col_place", "col_crew")]
    assert sched.print_title_rows in ("$2:$2", "2:2")  # the header on every printed page
    assert sched.page_setup.orientation == "landscape" and sched.page_setup.fitToWidth == 1
    assert int(sched.page_setup.paperSize) == int(sched.PAPERSIZE_A4)
    assert sched.sheet_properties.pageSetUpPr.fitToPage
    off = word("off_all_plan", lang)
    route = t("duty_route", lang)
    covered = [0] * len(per_slot)
    by_label: dict[str, list[int]] = {}
    for i, p in enumerate(per_slot):
        by_label.setdefault(p["label"], []).append(i)
    runs: list[dict[str, Any]] = []
    for r in range(3, sched.max_row + 1):
        got = [_value(sched, r, c) for c in range(1, 8)]
        group, label, begin, end, kind, place, crew = (str(v or "") for v in got)
        if kind == off:
            assert label not in by_label, f"{label} is on duty but its row says {off}"
            runs.append({"label": label, "group": group, "off": True})
            continue
        a, b = _at(begin, day0), _at(end, day0)
        assert a < b, (r, begin, end)
        if multi_day:
            assert begin[:4].isdigit() and end[:4].isdigit(), (begin, end)
        inside = sorted((i for i in by_label[label] if per_slot[i]["start"] >= a
                         and per_slot[i]["end"] <= b), key=lambda i: per_slot[i]["start"])
        assert inside, f"row {r}: {label} {begin}–{end} holds no per-slot row"
        assert per_slot[inside[0]]["start"] == a and per_slot[inside[-1]]["end"] == b, r
        for i, j in pairwise(inside):
            assert per_slot[i]["end"] == per_slot[j]["start"], f"row {r}: a gap"
        places = []
        for i in inside:
            p = per_slot[i]
            covered[i] += 1
            assert (p["kind"], p["crew"]) == (kind, crew), (r, p)
            places.append(p["grid"] if kind == route and p["grid"] else p["place"])
        # one place; a route patrol's grids each once, the first patrolled first
        listed = list(dict.fromkeys(places))
        assert kind == route or len(listed) == 1, (r, listed)
        assert ROUTE_GRIDS_JOIN[lang].join(listed) == place, (r, listed, place)
        runs.append({"label": label, "group": group, "start": a, "end": b, "off": False,
                     "key": (kind, crew) if kind == route else (kind, place, crew)})
    assert covered == [1] * len(per_slot), "a per-slot row in no run, or in two"
    # runs are whole: no two touching runs of a unit alike
    for x, y in pairwise(r for r in runs if not r["off"]):
        assert not (x["label"] == y["label"] and x["end"] == y["start"]
                    and x["key"] == y["key"]), (x, y)

    # merged ranges: a unit's rows are one block, its cell merged down them; a group's too
    for col, of in ((2, "label"), (1, "group")):
        spans = sorted((m.min_row, m.max_row) for m in sched.merged_cells.ranges
                       if m.min_col == m.max_col == col)
        blocks, r = [], 3
        while r <= sched.max_row:
            a, b = next(((a, b) for a, b in spans if a == r), (r, r))
            assert all(sched.cell(k, col).value is None for k in range(a + 1, b + 1))
            blocks.append((a, b))
            r = b + 1
        values = [runs[a - 3][of] for a, _ in blocks]
        assert len(values) == len(set(values)), f"column {col}: a block split"
        for a, b in blocks:  # a block is one unit's (group's) rows, and all of them
            assert {x[of] for x in runs[a - 3:b - 2]} == {runs[a - 3][of]}
    labels = list(dict.fromkeys(x["label"] for x in runs))
    assert set(labels) >= set(by_label)
    # groups: tier and squad in the order units.csv first names them, video desks last
    units = result.scenario.units
    order = list(dict.fromkeys((u.tier, u.squad) for u in units))
    of_label = {(f"{u.extra.get('name')} ({u.id})" if u.extra.get("name") else u.id): u
                for u in units}
    ranks = [order.index((of_label[lab].tier, of_label[lab].squad)) if lab in of_label
             else len(order) for lab in labels]
    assert ranks == sorted(ranks), "the units are not grouped as units.csv orders them"
    assert [lab for lab in labels if lab in of_label] == [
        lab for g in order for lab, u in of_label.items() if (u.tier, u.squad) == g]

    # --- 2. by hour: one cell per unit-hour, coloured by duty ------------------------------
    kind_key = {t(k, lang): k for k in DUTY_FILLS}
    legend = [c for c in hours[2] if c.value is not None]
    assert legend[0].value == word("legend", lang)
    for c in legend[1:]:
        assert c.fill.fgColor.rgb[-6:] == DUTY_FILLS[kind_key[str(c.value)]]
    slot_of = {s.start.replace(tzinfo=None): s for s in plan_slots}
    want: dict[tuple[str, datetime], str] = {}
    for p in per_slot:  # a video desk's tours start within their slot
        start = p["start"].replace(minute=0) if p["unit"].startswith("video-desk-") else (
            p["start"])
        assert start in slot_of, p
        want[(p["label"], start)] = kind_key[p["kind"]]
    days = sorted({s.start.date() for s in plan_slots})
    heads = [r for r in range(1, hours.max_row + 1) if hours.cell(r, 1).value in {
        word("hours_day", lang, date=f"{d:%Y-%m-%d}",
             weekday=t(f"weekday_{d.weekday()}", lang)) for d in days}]
    assert len(heads) == len(days)
    # a page a day: a break before each day but the first
    assert sorted(b.id for b in hours.row_breaks.brk) == [h - 1 for h in heads[1:]]
    n_cells = 0
    for day, head in zip(days, heads, strict=True):
        day_slots = [s for s in plan_slots if s.start.date() == day]
        assert [hours.cell(head + 1, c).value for c in range(2, len(day_slots) + 2)] == [
            f"{s.start:%H}" for s in day_slots]
        assert hours.cell(head + 1, len(day_slots) + 2).value is None
        shown = []
        for r in range(head + 2, head + 2 + len(labels)):
            label = str(hours.cell(r, 1).value)
            shown.append(label)
            for c, s in enumerate(day_slots, start=2):
                cell = hours.cell(r, c)
                n_cells += 1
                key = want.pop((label, s.start.replace(tzinfo=None)), None)
                if key is None:
                    assert cell.value is None and cell.fill.fill_type is None, (r, c)
                else:
                    assert cell.value, (r, c)
                    assert cell.fill.fgColor.rgb[-6:] == DUTY_FILLS[key], (r, c)
        assert shown == labels, "the by-hour rows are not the schedule's units"
    assert not want, f"unit-hours on duty in no cell: {list(want)[:5]}"
    assert n_cells == len(labels) * len(plan_slots), "not one cell per unit-hour"
    # a day a page: the note and key repeated above it, at a scale that fits a day's rows
    assert hours.print_title_rows in ("$1:$2", "1:2")
    assert not hours.sheet_properties.pageSetUpPr.fitToPage and hours.page_setup.scale >= 50
    assert hours.page_setup.orientation == "landscape"
    per_page = 30 + 15 * (3 + len(labels))  # points: note, key, the day's heading and rows
    assert per_page * hours.page_setup.scale / 100 <= 210 / 25.4 * 72 - 72 * (
        hours.page_margins.top + hours.page_margins.bottom), "a day does not fit a page"

    # --- zh: no English words of duties, tiers, squads or the sheets' own ------------------
    if lang == "zh":
        english = {v["en"] for k, v in TEXT.items() if k.startswith(("duty_", "tier_"))}
        english |= {v["en"] for k, v in VALUES.items() if k.startswith("squad:")}
        english |= {v["en"] for v in SHEET_WORDS.values() if "{" not in v["en"]}
        said = re.compile("|".join(rf"\b{re.escape(e)}\b" for e in english if e),
                          re.IGNORECASE)
        for ws in (sched, hours):
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    assert not said.search(str(v or "")), v
    return {"schedule": sched.max_row, "by_hour": hours.max_row,
            "per_slot": slots_ws.max_row}


def test_the_duty_schedule_joins_each_units_hours_into_runs(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, en = county
    for folder, lang in ((zh, "zh"), (en, "en")):
        rows = check_workbook(folder / "plan_sheet.xlsx", result, lang)
        with (folder / "plan_sheet.csv").open(encoding="utf-8-sig") as f:
            assert rows["per_slot"] == sum(1 for _ in csv.reader(f)), "per-slot rows moved"
        # a unit at its post all shift is one row, not eight
        assert rows["schedule"] < rows["per_slot"] / 2, rows


@pytest.mark.slow
def test_a_week_has_a_block_a_day_and_dated_runs(tmp_path: Path) -> None:
    request = PlanRequest(start=date(2026, 12, 3), days=7)
    result = build_plan(load("ebian"), request)
    for lang in ("zh", "en"):
        path = tmp_path / f"{lang}.xlsx"
        write_plan_sheet_xlsx(result, path, lang)
        rows = check_workbook(path, result, lang)
        assert rows["schedule"] < rows["per_slot"] / 2, rows
