"""Writing a plan folder: plan.json, GeoJSON layers and report.html, all or nothing.

Everything is written into a temporary folder beside the target and moved into place at the
end, so a failure leaves no half-written plan folder (and an older plan folder intact).
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from xunfang import __version__
from xunfang._files import new_sibling, swap_in
from xunfang.intel.stage import RiskTable
from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.planning.roster import write_csv as write_roster_csv
from xunfang.planning.roster import write_xlsx as write_roster_xlsx
from xunfang.report.html import (
    PlaceNames,
    ReplanReport,
    at_one_place,
    clock,
    duty_key,
    note_text,
    own_lists,
    render_report,
    staging,
)
from xunfang.report.i18n import Lang, roster_words
from xunfang.report.i18n import t as say
from xunfang.report.layers import plan_layers
from xunfang.report.sheet_words import word
from xunfang.scenario import counts

#: the libraries whose versions can move a plan's figures (solvers, numerics, the learned
#: forecaster): plan.json records them, so that two runs whose seed and inputs agree but whose
#: figures differ can be told apart (a review: the lower-bound dependencies moved 763 KPI
#: numbers and the roster, with version, inputs hash and seed all equal)
ENVIRONMENT_PACKAGES = ("numpy", "scipy", "pandas", "numba", "highspy", "ortools", "lightgbm",
                        "shapely", "pyproj", "pyarrow")


def environment() -> dict[str, Any]:
    """Python's version and the :data:`ENVIRONMENT_PACKAGES` installed (None: absent)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {"python": platform.python_version(),
            "packages": {name: of(name) for name in ENVIRONMENT_PACKAGES}}


def plan_document(result: PlanResult, request: PlanRequest, *,
                  lang: Lang | None = None) -> dict[str, Any]:
    """The content of plan.json: provenance (the version, the libraries', the report's
    language ``lang`` when a folder is written), the request (pins and deployment options
    included: ``xunfang replan`` plans from them), the plan, and a section per stage."""
    sc = result.scenario
    return {
        "xunfang_version": __version__,
        "environment": environment(),
        **({"lang": lang} if lang is not None else {}),
        "scenario": {
            "name": sc.name,
            "title": sc.title,
            "source": sc.source,
            "crs": {"declared": sc.crs.declared, "working": sc.crs.working},
            "counts": counts(sc),
        },
        "inputs_hash": sc.inputs_hash,
        "seed": request.seed,
        "request": request.as_dict(result.plan.slots),
        "plan": result.plan.as_dict(),
        "kpis": result.kpis,
        "stages": dict(result.stages),
    }


def json_ready(data: object) -> object:
    """``data`` with every NaN or infinite float as ``None``: JSON has no such numbers, and a
    share of nothing (no incidents, no nodes of a ring level) is undefined, not zero."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, Mapping):
        return {k: json_ready(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_ready(v) for v in data]
    return data


def _dump(path: Path, data: object) -> None:
    text = json.dumps(json_ready(data), ensure_ascii=False, indent=1, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


PLAN_FOLDER_ENTRIES = frozenset({"plan.json", "report.html", "layers", "risk.csv",
                                 "roster.csv", "roster.xlsx", "plan_sheet.csv",
                                 "plan_sheet.xlsx", "own_rota.csv"})

#: own_rota.csv's columns: the own duty lists' shifts (plan.json's
#: ``posture.own_duty_lists[].rota.duties``), one row a person's shift; ``day`` is the roster
#: day, as roster.csv has it (a night shift's is its evening); ``role`` (people.csv's: who
#: of a shift is the sworn officer leading it) last, so that a reader by position still works
OWN_ROTA_COLUMNS = ("person", "team", "units", "day", "shift", "from", "to", "role")

#: plan_sheet.csv's columns: the ids programs read, then the place as people name it
#: (``place_name``, added after the others so that a reader by position still works)
PLAN_SHEET_COLUMNS = ("unit", "slot_start", "slot_end", "kind", "place", "crew", "duty",
                      "place_name")


def _sheet_entries(result: PlanResult, lang: Lang, names: PlaceNames | None = None
                   ) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """The plan sheet's rows, each as plan_sheet.csv's row (ids, ISO times) and what the
    paper form adds (start and end, the grid patrolled, the video desk's number), in the
    order of the units file, then time; the video desk's camera tours last. ``names``: the
    plan's place names in ``lang`` (else built here)."""
    plan = result.plan
    names = names if names is not None else PlaceNames(result, lang)
    site_at = {str(s.node): s.id for s in result.scenario.sites if s.node}
    out: list[tuple[dict[str, str], dict[str, Any]]] = []
    for u in plan.units:
        for a in plan.of_unit(u):
            if a.duty == "off":
                continue
            s = plan.slots[a.slot - plan.slots[0].index]
            # a one-stop route is a staging unit standing there: the key site's id (its name is
            # place_name's; a review: 94 rows a day had "S25 彝家新寨小区", not an id); one the
            # routes stage drives is a route though it loops back to its one waypoint (review
            # AT: PS2-G drove 39 nodes and read "S20 城西铁合金厂"): its driven nodes
            driven = names.driven_of(a)
            place = a.post or a.grid or (
                site_at.get(a.route[0], a.route[0]) if len(a.route) == 1 and not driven
                else " > ".join(a.route if len(a.route) > 1 or not driven else driven))
            out.append(({"unit": u, "slot_start": s.name,
                         "slot_end": s.end.isoformat(timespec="minutes"), "kind": a.duty,
                         "place": str(place), "crew": ";".join(a.crew), "duty": a.note,
                         "place_name": names.place(a, s.start.hour)},
                        {"start": s.start, "end": s.end, "grid": names.grid(a),
                         "desk": None, "duty_key": duty_key(a), "slot": a.slot,
                         "short": _short_place(a, names)}))
    # the video desk's camera tours: its operators are not units, one row per tour
    video = result.stages.get("video", {})
    tours = video.get("tours", []) if isinstance(video, Mapping) else []
    by_index = {sl.index: sl for sl in plan.slots}
    tours = tours if isinstance(tours, list) else []
    # a tour runs from its start (minutes from the plan's start) to the next tour of its
    # operator in the slot, the last one to the slot's end (review AR: every tour showed its
    # slot's start and end, and its start as "minute 720" rather than 12:00)
    starts: dict[tuple[int, int], list[float]] = {}
    for t in tours:
        starts.setdefault((int(t["operator"]), int(t["slot"])), []).append(float(t["start"]))
    t0 = plan.slots[0].start if plan.slots else None
    for t in tours:
        tour_slot = by_index.get(int(t["slot"]))
        if tour_slot is None or t0 is None:
            continue
        m = float(t["start"])
        later = [x for x in starts[(int(t["operator"]), int(t["slot"]))] if x > m]
        begin = t0 + timedelta(minutes=m)
        end = t0 + timedelta(minutes=min(later)) if later else tour_slot.end
        cams = [str(c) for c in t["cameras"]]
        out.append(({"unit": f"video-desk-{int(t['operator']) + 1}",
                     "slot_start": begin.isoformat(timespec="minutes"),
                     "slot_end": end.isoformat(timespec="minutes"), "kind": "video",
                     "place": ";".join(cams), "crew": "",
                     "duty": f"camera tour {clock(begin)}–{clock(end, end=True)}",
                     "place_name": "; ".join(names.post(c) for c in cams)},
                    {"start": begin, "end": end, "grid": None,
                     "desk": int(t["operator"]) + 1, "duty_key": "duty_video",
                     "slot": tour_slot.index, "cameras": tuple(cams)}))
    return out


def _short_place(a: Any, names: PlaceNames) -> str:
    """Where assignment ``a`` is, as the hour-by-hour sheet's narrow cell holds it: its
    post's or grid's id, a route's grid (the streets change every hour), a unit standing at
    a key site that site's id, at a crossing its main street's name (the schedule names the
    crossing), else the node's id."""
    if a.post:
        return str(a.post)
    if a.grid:
        return str(a.grid)
    if a.route and (len(a.route) == 1 or at_one_place(a) or staging(a)):
        node = str(a.route[0])
        if node in names.site_at:
            return str(names.site_at[node])
        streets = names.meets.get(names.index.get(node, -1))
        return streets[0] if streets else node  # a crossing by its main street
    return str(names.grid(a) or "")


def plan_sheet_rows(result: PlanResult, lang: Lang = "zh",
                    names: PlaceNames | None = None) -> list[dict[str, str]]:
    """The daily plan sheet (勤务表): one row per unit and slot it is on duty (off slots are
    left out), in the order of the units file, then time.

    ``place`` keeps the ids other programs read (a post, a grid, a route's nodes ``n108 >
    n203``, a key site's ``S06`` where a unit stands at it, cameras ``CAM01;CAM09``);
    ``place_name`` says the same as a crew reads it on paper (:class:`PlaceNames`: the
    streets of a route, a staging node's crossing, names with ids in brackets), in ``lang``
    where words are added ("X路/Y街口")."""
    return [row for row, _ in _sheet_entries(result, lang, names)]


def write_plan_sheet(result: PlanResult, path: Path, lang: Lang = "zh",
                     names: PlaceNames | None = None) -> None:
    """plan_sheet.csv: ``unit, slot_start, slot_end, kind, place, crew, duty, place_name``
    (UTF-8 with a byte-order mark so that spreadsheet programs read the Chinese text)."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=PLAN_SHEET_COLUMNS)
        w.writeheader()
        w.writerows(plan_sheet_rows(result, lang, names))


#: plan_sheet.xlsx's columns, as i18n keys of their headers
PLAN_SHEET_XLSX = ("sheet_unit", "sheet_unit_name", "sheet_start", "sheet_end", "sheet_kind",
                   "sheet_grid", "sheet_place", "sheet_crew", "sheet_duty")


#: plan_sheet.xlsx's column widths (1-based column: characters) where its own size would
#: print too small, and the columns that wrap: one A4 landscape page wide, the widths the
#: longest values asked (242 characters on the county: the place 60, the note 50, the unit's
#: name 29, the grid 26) printed at 56% (about 6 pt); these 173 print at 83% with side
#: margins of 0.4 in, the unit's name, grid, place and note wrapping instead
SHEET_XLSX_WIDTHS = {2: 16, 3: 17, 4: 17, 6: 16, 7: 36, 8: 16, 9: 30}
SHEET_XLSX_WRAP = (2, 6, 7, 8, 9)  # the crew too: an auxiliary force's is five people or more
SHEET_XLSX_SIDE_MARGIN = 0.4  # inches, left and right (openpyxl's default 0.75)


#: how the duty schedule lists a route patrol's grids, by the plan's language
ROUTE_GRIDS_JOIN = {"zh": "、", "en": "; "}


@dataclass(frozen=True)
class SheetRun:
    """One row of plan_sheet.xlsx's duty schedule: unit ``unit`` (plan_sheet.csv's id, a
    video desk's ``video-desk-N``) from ``start`` to ``end`` on one duty ``kind`` (said in the
    sheet's language, as the per-slot sheet says it; ``duty`` its i18n key) with one ``crew``
    (plan_sheet.csv's crew) at ``places``: one place, or the grids a route patrol patrols,
    each once, in the order it first patrols them; ``rows`` the per-slot rows it joins."""

    unit: str
    start: datetime
    end: datetime
    duty: str
    kind: str
    places: tuple[str, ...]
    crew: str
    rows: int


def _run_place(row: Mapping[str, str], more: Mapping[str, Any], names: PlaceNames) -> str:
    """A per-slot row's place as the duty schedule says it: a route patrol's grid (its
    streets change every hour; the per-slot sheet keeps them), else the row's place name."""
    if more["duty_key"] == "duty_route" and more["grid"]:
        return names.grid_name(str(more["grid"]))
    return row["place_name"]


def sheet_runs(entries: list[tuple[dict[str, str], dict[str, Any]]], names: PlaceNames,
               lang: Lang) -> dict[str, list[SheetRun]]:
    """The per-slot rows ``entries`` (:func:`_sheet_entries`) joined into runs, by unit in
    the entries' order of units, each unit's in time.

    A run is a unit's consecutive rows (each starting where the one before ends) of the same
    duty kind and crew, and the same place; but a route patrol's hours are one run whatever
    grids they patrol, listing them (its route, and often its grid, change every hour: one
    row an hour was the per-slot sheet again; the hour-by-hour sheet says which grid when,
    and a day-long foot patrol between two grids listed 20 in turn)."""
    by_unit: dict[str, list[tuple[dict[str, str], dict[str, Any]]]] = {}
    for row, more in entries:
        by_unit.setdefault(row["unit"], []).append((row, more))
    out: dict[str, list[SheetRun]] = {}
    for unit, rows in by_unit.items():
        runs: list[SheetRun] = []
        for row, more in sorted(rows, key=lambda e: e[1]["start"]):
            duty, place = more["duty_key"], _run_place(row, more, names)
            last = runs[-1] if runs else None
            if (last is not None and last.end == more["start"]
                    and (last.duty, last.crew) == (duty, row["crew"])
                    and (duty == "duty_route" or last.places == (place,))):
                places = last.places + ((place,) if place not in last.places else ())
                runs[-1] = replace(last, end=more["end"], places=places, rows=last.rows + 1)
            else:
                runs.append(SheetRun(unit, more["start"], more["end"], duty,
                                     say(duty, lang), (place,), row["crew"], 1))
        out[unit] = runs
    return out


#: the duty schedule's and the hour-by-hour sheet's duty colours (fills, by i18n key of the
#: duty; ColorBrewer's Set3 pastels, light enough to read a label printed on them)
DUTY_FILLS = {"duty_post": "FFFFB3", "duty_grid": "B3DE69", "duty_route": "80B1D3",
              "duty_point": "FDB462", "duty_staging": "BEBADA", "duty_event": "FB8072",
              "duty_checkpoint": "FCCDE5", "duty_drone": "8DD3C7", "duty_video": "D9D9D9"}

#: the duty schedule's columns (sheet_words keys of their headers) and widths in characters
#: (126 in all: one A4 landscape page wide at 100%; 146 where the times carry their date,
#: about 99%), the place and crew wrapping
SCHEDULE_COLUMNS = ("col_group", "col_unit", "col_from", "col_to", "col_duty", "col_place",
                    "col_crew")
SCHEDULE_WIDTHS = {1: 14, 2: 22, 3: 7, 4: 7, 5: 12, 6: 40, 7: 24}
SCHEDULE_DATED_WIDTH = 17  # a time with its date, "2026-12-03 08:00"
#: the hour-by-hour sheet's unit column and hour columns, in characters
HOURS_UNIT_WIDTH = 24
HOURS_CELL_WIDTH = 5.5
#: A4 landscape's printable area with the margins below, in points, for the hour-by-hour
#: sheet's scale (Excel ignores manual page breaks under "fit to", so the scale that puts
#: one day on one page is worked out here): 297 × 210 mm less 0.4 in sides, 0.6 in top and
#: bottom (the page header and footer sit in them)
PAGE_WIDTH_PT = 297 / 25.4 * 72 - 2 * 0.4 * 72
PAGE_HEIGHT_PT = 210 / 25.4 * 72 - 2 * 0.6 * 72
ROW_PT = 15.0  # Excel's default row height
HOURS_NOTE_PT = 30.0  # the note row, two lines


def _unit_groups(result: PlanResult, units: list[str], lang: Lang
                 ) -> list[tuple[str, list[str]]]:
    """``units`` (plan_sheet.csv's ids) in groups of tier and squad, the groups in the order
    units.csv first names them, each group's units in units.csv's order; the video desks
    last, in their number's order."""
    from xunfang.report.i18n import value_label

    of = {u.id: u for u in result.scenario.units}
    groups: dict[tuple[str, str], list[str]] = {}
    for u in result.scenario.units:
        if u.id in units:
            groups.setdefault((u.tier, u.squad), []).append(u.id)
    desks = sorted((x for x in units if x not in of), key=lambda x: int(x.rsplit("-", 1)[1]))
    out = [(f"{say(f'tier_{tier}', lang)} · {value_label('squad', squad, lang)}", ids)
           for (tier, squad), ids in groups.items()]
    return out + ([(word("group_video", lang), desks)] if desks else [])


def _unit_label(result: PlanResult, unit: str, lang: Lang) -> str:
    """A unit as the printed sheets name it: its name with its id in brackets (the id as
    plan_sheet.csv has it), a video desk by its number."""
    if unit.startswith("video-desk-"):
        return say("sheet_video_desk", lang, n=int(unit.rsplit("-", 1)[1]))
    name = {u.id: str(u.extra.get("name") or "") for u in result.scenario.units}.get(unit, "")
    return f"{name} ({unit})" if name and name != unit else unit


def _plan_dates(result: PlanResult) -> str:
    slots = result.plan.slots
    return (f"{slots[0].start:%Y-%m-%d}" + (f"–{slots[-1].start:%Y-%m-%d}"
            if slots[-1].start.date() != slots[0].start.date() else "")) if slots else ""


def _print_as_form(ws: Any, result: PlanResult, lang: Lang) -> None:
    """A4 landscape with narrow side margins, each printed page saying whose plan of which
    days it is and its number of how many (review AT: a loose page said neither); "&" is
    Excel's code letter."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = SHEET_XLSX_SIDE_MARGIN
    title = result.scenario.title or result.scenario.name
    ws.oddHeader.center.text = say("sheet_print_header", lang, scenario=title,
                                   dates=_plan_dates(result)).replace("&", "&&")
    ws.oddFooter.center.text = say("sheet_print_footer", lang)


def _time_text(at: datetime, *, end: bool, dated: bool) -> str:
    """A run's start or end as the schedule prints it: ``HH:MM`` (an end at midnight
    ``24:00``, the day it closes), with that day's date when ``dated``."""
    said = clock(at, end=end)
    day = (at - timedelta(days=1)).date() if end and said == "24:00" else at.date()
    return f"{day:%Y-%m-%d} {said}" if dated else said


def _write_schedule(ws: Any, result: PlanResult, runs: dict[str, list[SheetRun]],
                    lang: Lang) -> None:
    """The duty schedule (勤务安排): a note line saying what a row is, the header, then a
    row per run, grouped by tier and squad (:func:`_unit_groups`), the group's and the
    unit's cells merged down their rows; off-duty units in a row of their own."""
    from openpyxl.styles import Alignment, Font, PatternFill

    from xunfang.planning.roster.result import finish_sheet

    slots = result.plan.slots
    spans_days = bool(slots) and slots[0].start.date() != (slots[-1].end
                                                           - timedelta(minutes=1)).date()
    title = result.scenario.title or result.scenario.name
    ws.append([word("schedule_note", lang, scenario=title, dates=_plan_dates(result),
                    hours=word("hours_title", lang), slots=say("plan_sheet", lang))])
    ws.append([word(k, lang) for k in SCHEDULE_COLUMNS])
    units = [u.id for u in result.scenario.units] + [u for u in runs if u.startswith(
        "video-desk-")]
    top = Alignment(vertical="top", wrap_text=True)
    merges: list[tuple[int, int, int]] = []  # (column, first row, last row)
    for group, ids in _unit_groups(result, units, lang):
        first_of_group = ws.max_row + 1
        for unit in ids:
            first = ws.max_row + 1
            label = _unit_label(result, unit, lang)
            for r in runs.get(unit, []):
                dated = spans_days or (r.end - timedelta(minutes=1)).date() != r.start.date()
                ws.append([group, label, _time_text(r.start, end=False, dated=dated),
                           _time_text(r.end, end=True, dated=dated), r.kind,
                           ROUTE_GRIDS_JOIN[lang].join(r.places), r.crew])
                if r.duty in DUTY_FILLS:
                    ws.cell(ws.max_row, 5).fill = PatternFill("solid",
                                                              fgColor=DUTY_FILLS[r.duty])
            if unit not in runs:
                ws.append([group, label, "", "", word("off_all_plan", lang), "", ""])
            merges.append((2, first, ws.max_row))
        merges.append((1, first_of_group, ws.max_row))
    for cells in ws.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = top
    widths = dict(SCHEDULE_WIDTHS)
    if spans_days or any(len(str(ws.cell(r, 3).value or "")) > 5
                         for r in range(3, ws.max_row + 1)):
        widths[3] = widths[4] = SCHEDULE_DATED_WIDTH
    finish_sheet(ws, widths=widths)
    # the merged cells are written once finish_sheet has sized the columns: a merged cell
    # keeps its first row's value, the rows under it none (a filter on them would hide all
    # but a unit's first run, so the sheet has none); the header is row 2, under the note
    for col, a, b in merges:
        if b > a:
            ws.merge_cells(start_row=a, start_column=col, end_row=b, end_column=col)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SCHEDULE_COLUMNS))
    ws.cell(1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 2 * ROW_PT
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws.auto_filter.ref = None
    ws.freeze_panes = "C3"
    ws.print_title_rows = "2:2"
    _print_as_form(ws, result, lang)


def _write_by_hour(ws: Any, result: PlanResult,
                   entries: list[tuple[dict[str, str], dict[str, Any]]], lang: Lang) -> None:
    """The hour-by-hour sheet (时段一览): a note, a key of the duties' colours, then for each
    day of the plan a block of the units (rows, grouped as the schedule's) by the day's
    slots (columns), each cell the place's short label filled in its duty's colour, blank
    where the unit is off; a page break before each day after the first, and a print scale
    that puts a day's block on one A4 landscape page."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.pagebreak import Break

    from xunfang.planning.roster.result import finish_sheet

    slots = result.plan.slots
    cells: dict[tuple[str, int], tuple[str, str]] = {}  # (unit, slot) → (label, duty key)
    cameras: dict[tuple[str, int], set[str]] = {}  # a desk's cameras toured in the slot
    for row, more in entries:
        at = (row["unit"], int(more["slot"]))
        if more["desk"] is not None:
            cameras.setdefault(at, set()).update(more["cameras"])
            cells[at] = (word("cameras", lang, n=len(cameras[at])), more["duty_key"])
        else:
            cells[at] = (str(more["short"]), more["duty_key"])
    units = [u.id for u in result.scenario.units] + sorted(
        {u for u, _ in cells if u.startswith("video-desk-")})
    groups = _unit_groups(result, units, lang)
    days: dict[Any, list[Any]] = {}
    for s in slots:
        days.setdefault(s.start.date(), []).append(s)
    width = max((len(d) for d in days.values()), default=0)
    hourly = all(s.start.minute == 0 for s in slots)
    title = result.scenario.title or result.scenario.name
    ws.append([word("hours_note", lang, scenario=title, schedule=word("schedule_title", lang))])
    used = [k for k in DUTY_FILLS if any(key == k for _, key in cells.values())]
    # the key: each duty's word on its colour, over as many hour columns as the words need
    span = max(1, min(3, width // max(1, len(used))))
    ws.cell(2, 1, word("legend", lang))
    for i, k in enumerate(used):
        cell = ws.cell(2, 2 + i * span, say(k, lang))
        cell.fill = PatternFill("solid", fgColor=DUTY_FILLS[k])
        if span > 1:
            ws.merge_cells(start_row=2, start_column=2 + i * span, end_row=2,
                           end_column=1 + (i + 1) * span)
    centre = Alignment(horizontal="center", vertical="center", shrink_to_fit=True)
    bold = Font(bold=True)
    breaks: list[int] = []
    for day, day_slots in days.items():
        if ws.max_row > 2:
            breaks.append(ws.max_row)
        weekday = say(f"weekday_{day.weekday()}", lang)
        ws.append([word("hours_day", lang, date=f"{day:%Y-%m-%d}", weekday=weekday)])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([word("col_unit", lang),
                   *(f"{s.start:%H}" if hourly else f"{s.start:%H:%M}" for s in day_slots)])
        for cell in ws[ws.max_row]:
            cell.font = bold
            cell.alignment = centre
        for _, ids in groups:
            for unit in ids:
                ws.append([_unit_label(result, unit, lang)])
                r = ws.max_row
                for c, s in enumerate(day_slots, start=2):
                    got = cells.get((unit, s.index))
                    cell = ws.cell(r, c)
                    cell.alignment = centre
                    if got is not None:
                        cell.value = got[0]
                        cell.fill = PatternFill("solid", fgColor=DUTY_FILLS.get(got[1],
                                                                               "FFFFFF"))
    finish_sheet(ws, widths={1: HOURS_UNIT_WIDTH, **{c: HOURS_CELL_WIDTH
                                                     for c in range(2, width + 2)}})
    # the key's words shrink to fit their cells, as the hours' labels do
    for cell in ws[2][1:]:
        if cell.value is not None:
            cell.alignment = centre
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, width + 1))
    ws.cell(1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = HOURS_NOTE_PT
    # no filter (blocks of days); the note and the key on every printed page (each day has
    # its own header row); a page per day: Excel ignores manual breaks when it fits to
    # pages, so the scale is set
    ws.auto_filter.ref = None
    ws.freeze_panes = "B1"
    ws.print_title_rows = "1:2"
    for r in breaks:
        ws.row_breaks.append(Break(id=r))
    per_day = 2 + sum(len(ids) for _, ids in groups)
    tall = HOURS_NOTE_PT + ROW_PT + per_day * ROW_PT  # a day, under the note and key
    wide = (HOURS_UNIT_WIDTH + width * HOURS_CELL_WIDTH) * 5.25 + (width + 1) * 3.75
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = max(10, min(100, int(100 * min(PAGE_WIDTH_PT / wide,
                                                         PAGE_HEIGHT_PT / tall))))
    _print_as_form(ws, result, lang)
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25


def write_plan_sheet_xlsx(result: PlanResult, path: Path, lang: Lang = "zh",
                          names: PlaceNames | None = None) -> None:
    """plan_sheet.xlsx, the plan sheet as the paper form a duty planner prints and hands
    out, in three sheets:

    1. the duty schedule (勤务安排, :func:`_write_schedule`): a row per run (:func:`sheet_runs`:
       a unit's unbroken time on one duty at one place with one crew), grouped by tier and
       squad, the unit's cell merged down its runs;
    2. by hour (时段一览, :func:`_write_by_hour`): units by hours, a block per day, each cell
       the place's short label coloured by duty, a day to a printed page;
    3. the plan sheet (勤务表): a row per unit and slot on duty, as plan_sheet.csv's rows:
       headers in the plan's language, each unit's name, start and end as Excel date-time
       cells (they sort and filter as times), the grid patrolled and the place named as in
       plan_sheet.csv's ``place_name``, a frozen header row and columns sized to what they
       hold.

    A review found the one sheet of 603 rows (a unit standing at its post all shift read
    eight times) no form to hand out: a command centre reads a duty sheet per unit.
    plan_sheet.csv stays the machine form (English column names, ids)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from xunfang.planning.roster.result import XLSX_DATETIME, finish_sheet

    unit_names = {u.id: str(u.extra.get("name") or "") for u in result.scenario.units}
    names = names if names is not None else PlaceNames(result, lang)
    entries = _sheet_entries(result, lang, names)
    wb = Workbook()
    schedule = wb.active
    assert schedule is not None
    schedule.title = word("schedule_title", lang)
    _write_schedule(schedule, result, sheet_runs(entries, names, lang), lang)
    _write_by_hour(wb.create_sheet(word("hours_title", lang)), result, entries, lang)
    ws = wb.create_sheet(say("plan_sheet", lang))
    ws.append([say(k, lang) for k in PLAN_SHEET_XLSX])
    for row, more in entries:
        desk = more["desk"]
        unit = (say("sheet_video_desk", lang, n=desk) if desk is not None
                else unit_names.get(row["unit"], ""))
        kind = say(more["duty_key"], lang)  # a staging unit's route duty: 屯警, not 路线巡逻
        ws.append([row["unit"], unit, more["start"].replace(tzinfo=None),
                   more["end"].replace(tzinfo=None), kind,
                   names.grid_name(more["grid"]) if more["grid"] else "",
                   row["place_name"], row["crew"], note_text(row["duty"], names, lang)])
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in ws.iter_rows(min_row=2):
        for cell in cells[2:4]:
            cell.number_format = XLSX_DATETIME
        for k in SHEET_XLSX_WRAP:
            cells[k - 1].alignment = wrap
    finish_sheet(ws, widths=SHEET_XLSX_WIDTHS)
    # printed as the paper form (review AR: it had no print setup): landscape A4, one page
    # wide, as many long as it takes, the header row repeated on every page
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    _print_as_form(ws, result, lang)
    wb.save(path)


def write_risk_csv(risk: RiskTable, path: Path) -> None:
    """The risk table long: grid, slot start, expected incidents (the deployment stage's input
    as a spreadsheet can open it)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["grid", "slot", "expected"])
        for i, g in enumerate(risk.grids):
            for k, s in enumerate(risk.slots):
                w.writerow([g, s, f"{risk.risk[i, k]:.5f}"])


def plans_inside(folder: Path) -> list[str]:
    """The sub-folders of ``folder`` that hold a plan.json, by name: the re-plans that
    ``xunfang replan PLAN_DIR`` writes into the plan folder it re-plans (``replan-HHMM`` by
    default), or any plan folder written there."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and (p / "plan.json").is_file())


def plans_inside_message(out: Path, names: list[str], *, option: str = "--out") -> str:
    """Why ``out`` is not replaced: it holds the plan folders ``names`` (re-plans of it)."""
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"{option} {out} holds {len(names)} plan folder(s) of its own ({shown}: re-plans "
            "that xunfang replan wrote into it); replacing the plan would delete them with "
            "the plan they were made from. Keep them: rename the folder first (e.g. mv "
            f"{out} {out}-old) or choose another {option}; or, if they are no longer needed, "
            "remove them yourself")


def check_earlier(out: Path, *, what: str, required: tuple[str, ...],
                  allowed: frozenset[str] | set[str]) -> None:
    """Raise ``FileExistsError`` unless ``out`` is absent, empty, or an earlier ``what``: it
    holds the ``required`` entries and nothing but ``allowed`` ones, and no plan folders of
    its own (:func:`plans_inside`: re-plans that would be deleted with it)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise FileExistsError(f"--out {out} exists and is not a folder")
    inside = plans_inside(out)
    entries = {p.name for p in out.iterdir()} - set(inside)
    if (entries or inside) and not (set(required) <= entries and entries <= allowed):
        missing = [n for n in required if n not in entries]
        held = ", ".join(sorted(entries - allowed)[:5]) or "no " + " and no ".join(missing)
        raise FileExistsError(f"--out {out} is a folder that is not an earlier {what} (it "
                              f"holds {held}); choose a new or empty folder")
    if inside:
        raise FileExistsError(plans_inside_message(out, inside))


def check_replaceable(out: Path) -> None:
    """Raise ``FileExistsError`` unless ``out`` is absent, empty, or an earlier plan folder
    that may be replaced.

    An earlier plan folder holds plan.json and nothing but what a plan folder holds
    (:data:`PLAN_FOLDER_ENTRIES`); anything else in it is refused, so a typo in ``--out`` can
    never delete a user's files. A plan folder holding re-plans of it (``xunfang replan
    PLAN_DIR`` writes ``PLAN_DIR/replan-HHMM`` by default; any sub-folder holding a plan.json
    counts) is refused too, with a message of its own: the re-plans were made from the plan
    that would be replaced and would be deleted with it, and once it is gone they cannot be
    made again. Nothing is moved or deleted: the message names them and says how to keep
    them (rename the folder first, or choose another ``--out``).
    """
    check_earlier(out, what="plan folder", required=("plan.json",),
                  allowed=PLAN_FOLDER_ENTRIES)
    if out == Path.cwd() or out in Path.cwd().parents:
        raise FileExistsError(f"--out {out} is the current folder or one above it")


def write_own_rota_csv(result: PlanResult, path: Path) -> bool:
    """The own duty lists' rotas as ``OWN_ROTA_COLUMNS`` rows, by start and person; nothing
    is written (False) when the plan has no own duty list."""
    lists = own_lists(result)
    if not lists:
        return False
    team = {p.id: p.team for p in result.scenario.people}
    role = {p.id: p.role for p in result.scenario.people}
    rows: list[tuple[str, ...]] = []
    for r in lists:
        rota = r.get("rota")
        if not isinstance(rota, Mapping):
            continue
        units = ";".join(str(u) for u in r["units"])
        rows.extend((str(d["person"]), team.get(str(d["person"]), ""), units, str(d["day"]),
                     str(d["shift"]), str(d["from"]), str(d["to"]),
                     role.get(str(d["person"]), ""))
                    for d in rota.get("duties", []))
    rows.sort(key=lambda row: (row[5], row[0]))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(OWN_ROTA_COLUMNS)
        w.writerows(rows)
    return True


def write_plan_folder(result: PlanResult, request: PlanRequest, out: Path, *,
                      lang: Lang = "zh", replan: ReplanReport | None = None) -> Path:
    """Write the plan folder ``out`` atomically; return it.

    An existing ``out`` is replaced only when it is empty or an earlier plan folder (it holds
    plan.json and nothing but what a plan folder holds, and no re-plans of it); anything else
    is refused (:func:`check_replaceable`), so a typo in ``--out`` can never delete a user's
    files.
    """
    out = Path(out).absolute()
    check_replaceable(out)
    tmp = new_sibling(out, "writing")
    try:
        _dump(tmp / "plan.json", plan_document(result, request, lang=lang))
        layers = tmp / "layers"
        layers.mkdir()
        for name, layer in plan_layers(result.scenario, result.coverage.get("car")).items():
            _dump(layers / name, layer)
        # one set of place names for the sheets and the report (built five times before:
        # each builds the streets' index and caches the routes' paths)
        names = PlaceNames(result, lang)
        write_plan_sheet(result, tmp / "plan_sheet.csv", lang, names)
        write_plan_sheet_xlsx(result, tmp / "plan_sheet.xlsx", lang, names)
        if result.risk is not None:
            write_risk_csv(result.risk, tmp / "risk.csv")
        if result.roster is not None:
            # with the night shift of the day before: the crews of the plan's first hours
            # (review P: 56 crew-slots of the county's first morning were in no row)
            write_roster_csv(result.roster, tmp / "roster.csv", with_lead_in=True)
            # its sheets in the plan's language (the roster package does not know the report)
            write_roster_xlsx(result.roster, tmp / "roster.xlsx", roster_words(lang),
                              with_lead_in=True)
        write_own_rota_csv(result, tmp / "own_rota.csv")
        (tmp / "report.html").write_text(render_report(
            result, request, lang=lang, names=names, replan=replan), encoding="utf-8")
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out

