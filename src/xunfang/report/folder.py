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
from datetime import timedelta
from pathlib import Path
from typing import Any

from xunfang import __version__
from xunfang._files import new_sibling, swap_in
from xunfang.intel.stage import RiskTable
from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.planning.roster import write_csv as write_roster_csv
from xunfang.planning.roster import write_xlsx as write_roster_xlsx
from xunfang.report.html import PlaceNames, clock, duty_key, note_text, render_report
from xunfang.report.i18n import Lang, roster_words
from xunfang.report.i18n import t as say
from xunfang.report.layers import plan_layers
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
                                 "plan_sheet.xlsx"})

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
    site_at = {str(s.node): f"{s.id} {s.name}" for s in result.scenario.sites if s.node}
    out: list[tuple[dict[str, str], dict[str, Any]]] = []
    for u in plan.units:
        for a in plan.of_unit(u):
            if a.duty == "off":
                continue
            s = plan.slots[a.slot - plan.slots[0].index]
            # a one-stop route is a staging unit standing there: name the key site; one the
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
                         "desk": None, "duty_key": duty_key(a)}))
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
                     "desk": int(t["operator"]) + 1, "duty_key": "duty_video"}))
    return out


def plan_sheet_rows(result: PlanResult, lang: Lang = "zh",
                    names: PlaceNames | None = None) -> list[dict[str, str]]:
    """The daily plan sheet (勤务表): one row per unit and slot it is on duty (off slots are
    left out), in the order of the units file, then time.

    ``place`` keeps the ids other programs read (a post, a grid, a route's nodes ``n108 >
    n203``, a key site's ``S06 name`` where a unit stands at it, cameras ``CAM01;CAM09``);
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


def write_plan_sheet_xlsx(result: PlanResult, path: Path, lang: Lang = "zh",
                          names: PlaceNames | None = None) -> None:
    """plan_sheet.xlsx, the plan sheet as the paper form a duty planner prints: one sheet,
    headers in the plan's language, each unit's name, start and end as Excel date-time cells
    (they sort and filter as times), the grid patrolled and the place named as in
    plan_sheet.csv's ``place_name``, a frozen header row and columns sized to what they hold.
    plan_sheet.csv stays the machine form (English column names, ids)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from xunfang.planning.roster.result import XLSX_DATETIME, finish_sheet

    unit_names = {u.id: str(u.extra.get("name") or "") for u in result.scenario.units}
    names = names if names is not None else PlaceNames(result, lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = say("plan_sheet", lang)
    ws.append([say(k, lang) for k in PLAN_SHEET_XLSX])
    for row, more in _sheet_entries(result, lang, names):
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
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = SHEET_XLSX_SIDE_MARGIN
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    # each printed page says whose plan of which days it is, and its number of how many
    # (review AT: a loose page of the form said neither); "&" is Excel's code letter
    slots = result.plan.slots
    dates = (f"{slots[0].start:%Y-%m-%d}" + (f"–{slots[-1].start:%Y-%m-%d}"
             if slots[-1].start.date() != slots[0].start.date() else "")) if slots else ""
    title = result.scenario.title or result.scenario.name
    ws.oddHeader.center.text = say("sheet_print_header", lang, scenario=title,
                                   dates=dates).replace("&", "&&")
    ws.oddFooter.center.text = say("sheet_print_footer", lang)
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


def write_plan_folder(result: PlanResult, request: PlanRequest, out: Path, *,
                      lang: Lang = "zh") -> Path:
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
        (tmp / "report.html").write_text(render_report(result, request, lang=lang,
                                                       names=names), encoding="utf-8")
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out

