"""The roster as a typed value (:class:`RosterResult`) and its CSV / Excel writers."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from xunfang._errors import XunfangError
from xunfang.planning.roster.calendar import DayInfo
from xunfang.planning.roster.check import Duty, DutyKind, Violation
from xunfang.planning.roster.rules import RosterRules, StaffingRule

#: ``start``/``end`` are the scenario timezone's wall clock; ``hours`` is the elapsed time
#: between them (7 or 9 for an 8-hour shift across a daylight-saving change), and the two
#: ``*_utc_offset`` columns (e.g. -06:00, empty without a timezone) say why it differs.
CSV_COLUMNS = ("date", "person", "team", "shift", "start", "end", "role", "squad", "kind",
               "reason", "hours", "start_utc_offset", "end_utc_offset")


class RosterInfeasible(XunfangError, ValueError):
    """The rules cannot all hold. ``violations`` says which rule fails on which day for whom;
    ``result`` is the best roster of the relaxed problem (short staffing allowed), if any.

    ``timed_out``: the solver stopped at its time limit before it found any roster, which
    says nothing about the rules (a review: a 0.1 s limit read "the rules cannot all hold").
    """

    def __init__(self, violations: Sequence[Violation], *, headline: str,
                 result: RosterResult | None = None, timed_out: bool = False) -> None:
        self.violations = tuple(violations)
        self.result = result
        self.timed_out = timed_out
        lines = [headline, *(f"  - {v}" for v in self.violations[:40])]
        if len(self.violations) > 40:
            lines.append(f"  … and {len(self.violations) - 40} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class PersonHours:
    """One rostered person's load over the roster."""

    person: str
    team: str
    rotating: bool
    regular_hours: float
    special_hours: float
    special_duties: int
    nights: int  # roster days with a duty in the small hours (00:00–06:00)
    weekend_days: int  # weekend days (not make-up workdays) worked
    holiday_days: int  # public holidays worked
    leave_days: int

    @property
    def total_hours(self) -> float:
        return self.regular_hours + self.special_hours

    def as_dict(self, weeks: float) -> dict[str, object]:
        """The load as a row; the per-week rates only over a roster of a week or more (a
        review: one 12-hour day read as 84 h a week, which looks like a breach of the cap)."""
        whole = weeks >= 1
        return {
            "person": self.person, "team": self.team, "rotating": self.rotating,
            "regular_hours": self.regular_hours, "special_hours": self.special_hours,
            "total_hours": self.total_hours,
            "regular_hours_per_week": round(self.regular_hours / weeks, 3) if whole else None,
            "total_hours_per_week": round(self.total_hours / weeks, 3) if whole else None,
            "special_duties": self.special_duties, "nights": self.nights,
            "weekend_days": self.weekend_days, "holiday_days": self.holiday_days,
            "leave_days": self.leave_days,
        }


@dataclass(frozen=True)
class SolveStats:
    """What the solver did: status, objective and bound, times."""

    status: str  # OPTIMAL | FEASIBLE
    build_seconds: float  # reading the request, candidates and the CP-SAT model
    objective: float
    bound: float
    wall_seconds: float
    first_solution_seconds: float | None
    within_1pct_seconds: float | None  # first solution proven within 1 % of the bound
    n_variables: int
    n_candidates: int
    num_workers: int
    # the special-duty shapes the model offered: OPTIMAL is optimal among these only, not
    # over any hours a person could work (extensions before or after a shift; stand-alone
    # blocks on a day off, the fixed ones and those fitted to the hours asked for)
    extension_hours: tuple[int, ...] = ()
    block_hours: tuple[int, ...] = ()

    def shapes(self) -> str:
        """The offered shapes in words, for the status line."""
        ext = (" or ".join(map(str, self.extension_hours)) + " h before or after a shift"
               if self.extension_hours else "no extension of a shift (none fits "
               "max_duty_hours)")
        blocks = (" or ".join(map(str, self.block_hours)) + " h blocks on a day off (fixed, "
                  "and fitted to the hours asked for)" if self.block_hours else
                  "no block on a day off")
        return f"{ext}, {blocks}"

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "build_seconds": round(self.build_seconds, 3),
                "objective": self.objective, "bound": self.bound,
                "gap": round(self.gap, 6), "wall_seconds": round(self.wall_seconds, 3),
                "first_solution_seconds": _r(self.first_solution_seconds),
                "within_1pct_seconds": _r(self.within_1pct_seconds),
                "n_variables": self.n_variables, "n_candidates": self.n_candidates,
                "num_workers": self.num_workers}

    def shapes_dict(self) -> dict[str, object]:
        """The JSON's ``solver.shapes``."""
        return {"extension_hours": list(self.extension_hours),
                "block_hours": list(self.block_hours), "optimal_among_these": True}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0: all equal; 0 for an empty or all-zero set)."""
    n = len(values)
    if n == 0:
        return 0.0
    mean = sum(values) / n
    if mean <= 0:
        return 0.0
    xs = sorted(values)
    # Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i) over the sorted values (0-based i)
    s = sum((2 * i - n + 1) * x for i, x in enumerate(xs))
    return s / (n * n * mean)


@dataclass(frozen=True)
class RosterResult:
    """A roster: who is on duty when, staff per hourly slot, hours, fairness, solver figures.

    ``rows`` holds one :class:`Duty` per person per worked shift or special duty in the
    horizon; ``context`` the regular shifts just before and after it (for checking the rules
    at the edges; not part of the roster). ``on_duty[i]`` lists the people on duty in the
    hour starting at ``slots[i]``; ``staff[key][i]`` counts them by ``all``, ``role:R``,
    ``skill:S``, ``squad:Q`` and ``team:T`` — the input of deployment.

    ``fairness`` holds Gini coefficients over the rotating people of their nights (days with
    a duty in 00–06), weekend and holiday days worked and special-duty hours, each also per
    day available (not on leave); ``demand``/``unmet`` the special-duty people asked for and
    not found per slot.
    """

    scenario: str
    inputs_hash: str
    start: date
    days: int
    seed: int
    pattern: str
    teams: tuple[str, ...]
    day_teams: tuple[str, ...]
    rules: RosterRules
    staffing: tuple[StaffingRule, ...]
    calendar: tuple[DayInfo, ...]
    rows: tuple[Duty, ...]
    context: tuple[Duty, ...]
    slots: tuple[datetime, ...]
    on_duty: tuple[tuple[str, ...], ...]
    staff: Mapping[str, tuple[int, ...]]
    hours: Mapping[str, PersonHours]
    fairness: Mapping[str, float]
    demand: tuple[int, ...]  # special-duty people asked for, per hourly slot
    unmet: tuple[int, ...]  # of which not met, per hourly slot
    solve: SolveStats
    violations: tuple[Violation, ...] = ()  # the independent checker's findings (empty)
    unmet_staffing: tuple[Violation, ...] = field(default=())
    # the rotation and calendar the roster was made with (a review: neither the JSON nor
    # roster.xlsx said them, so a roster could not be told from one of another rotation):
    # the anchor date, each rotating team's day of the cycle on it, the public-holiday
    # country ("" none)
    anchor: date | None = None
    phases: Mapping[str, int] = field(default_factory=dict)
    country: str = ""
    notes: tuple[str, ...] = ()  # warnings about the inputs (calendar_notes)

    def settings(self) -> dict[str, object]:
        """The labour rules, rotation and country used, as the JSON's and roster.xlsx's
        ``settings``."""
        return {"min_rest_hours": self.rules.min_rest_hours,
                "no_night_then_early": self.rules.no_night_then_early,
                "max_consecutive_days": self.rules.max_consecutive_days,
                "max_week_hours": self.rules.max_week_hours,
                "max_duty_hours": self.rules.max_duty_hours,
                "pattern": self.pattern,
                "anchor": self.anchor.isoformat() if self.anchor else None,
                "phases": dict(self.phases), "country": self.country}

    @property
    def weeks(self) -> float:
        return self.days / 7.0

    def special_rows(self) -> tuple[Duty, ...]:
        return tuple(d for d in self.rows if d.kind == "special")

    def mean_regular_hours_per_week(self) -> float:
        """Mean over rotating people of their regular (pattern) hours per week."""
        rot = [h for h in self.hours.values() if h.rotating]
        if not rot:
            return 0.0
        return sum(h.regular_hours for h in rot) / len(rot) / self.weeks

    def as_json(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "inputs_hash": self.inputs_hash,
            "from": self.start.isoformat(),
            "days": self.days,
            "seed": self.seed,
            "pattern": self.pattern,
            "teams": list(self.teams),
            "day_teams": list(self.day_teams),
            "rules": {
                "min_rest_hours": self.rules.min_rest_hours,
                "no_night_then_early": self.rules.no_night_then_early,
                "max_consecutive_days": self.rules.max_consecutive_days,
                "max_week_hours": self.rules.max_week_hours,
                "max_duty_hours": self.rules.max_duty_hours,
            },
            "settings": self.settings(),
            "staffing": [{"rule": r.name, "describe": r.describe(), "source": r.source,
                          "hours": list(r.hours), "days": list(r.days)}
                         for r in self.staffing],
            "calendar": [{"date": c.day.isoformat(), "kind": c.kind, "holiday": c.holiday,
                          "makeup": c.makeup, "events": list(c.events)}
                         for c in self.calendar],
            "rows": [duty_dict(d) for d in self.rows],
            "slots": [s.isoformat(timespec="minutes") for s in self.slots],
            "on_duty": [list(x) for x in self.on_duty],
            "staff": {k: list(v) for k, v in self.staff.items()},
            "demand": list(self.demand),
            "unmet": list(self.unmet),
            "hours": [h.as_dict(self.weeks) for h in self.hours.values()],
            "mean_regular_hours_per_week": (round(self.mean_regular_hours_per_week(), 4)
                                            if self.weeks >= 1 else None),
            "fairness": {k: round(v, 6) for k, v in self.fairness.items()},
            "solver": {**self.solve.as_dict(), "shapes": self.solve.shapes_dict()},
            "violations": [v.as_dict() for v in self.violations],
            "notes": list(self.notes),
        }


def _utc_offset(t: datetime, tz: str) -> str:
    """``t``'s UTC offset in ``tz`` as ±HH:MM ("" without a timezone)."""
    if not tz:
        return ""
    return t.replace(tzinfo=ZoneInfo(tz)).isoformat(timespec="minutes")[-6:]


def duty_dict(d: Duty) -> dict[str, object]:
    return {
        "date": d.day.isoformat(), "person": d.person, "team": d.team, "shift": d.shift,
        "start": d.start.isoformat(timespec="minutes"),
        "end": d.end.isoformat(timespec="minutes"),
        "role": d.role, "squad": d.squad, "kind": d.kind, "reason": d.reason,
        "hours": d.hours,  # elapsed in the duty's timezone, not end − start on the clock
        "start_utc_offset": _utc_offset(d.start, d.tz),
        "end_utc_offset": _utc_offset(d.end, d.tz),
    }


#: the ``reason`` of a duty of the day before the roster that runs into its first hours
#: (:func:`lead_in`), as a plan folder's roster.csv and roster.xlsx list it
LEAD_IN = "from the day before"


def lead_in(result: RosterResult) -> tuple[Duty, ...]:
    """The duties of the days before the roster that run into its first hours (the night
    shift of the day before, 00:00–08:00 on the first day), their ``reason`` :data:`LEAD_IN`:
    the people ``on_duty`` counts then. Review P: a plan's roster.csv listed only the roster's
    own days, so the crews of the plan's first morning could not be checked against it."""
    if not result.slots:
        return ()
    t0 = result.slots[0]
    return tuple(replace(d, reason=LEAD_IN) for d in sorted(
        result.context, key=lambda d: (d.start, d.person))
        if d.day < result.start and d.end > t0)


def _rows(result: RosterResult, with_lead_in: bool) -> tuple[Duty, ...]:
    return (*lead_in(result), *result.rows) if with_lead_in else result.rows


def write_csv(result: RosterResult, path: Path, *, with_lead_in: bool = False) -> Path:
    """roster.csv: one row per person per worked shift or special duty (UTF-8 with BOM, so
    Excel opens the Chinese text right); ``with_lead_in`` (a plan folder's) first lists the
    duties of the day before that run into the first day (:func:`lead_in`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for d in _rows(result, with_lead_in):
            row = duty_dict(d)
            w.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return path


def read_roster_csv(path: Path) -> tuple[Duty, ...]:
    """The duties of a roster.csv written by :func:`write_csv` (e.g. last month's, as the
    ``history`` of the next roster); raises :class:`ScenarioError` naming bad rows."""
    from xunfang._errors import Problem, ScenarioError
    from xunfang.scenario.tables import read_required

    label = path.name
    t, problems = read_required(path, ("date", "person", "team", "shift", "start", "end"))
    out: list[Duty] = []
    for i, row in enumerate(t.rows, start=1):
        try:
            day = date.fromisoformat(row["date"])
            a = datetime.fromisoformat(row["start"])
            b = datetime.fromisoformat(row["end"])
        except ValueError:
            problems.append(Problem(label, "bad-time", "date/start/end are not ISO 8601 "
                                    f"({row['date']!r}, {row['start']!r}, {row['end']!r})",
                                    row=i, column="start"))
            continue
        if b <= a:
            problems.append(Problem(label, "bad-range", f"end {b} is not after start {a}",
                                    row=i, column="end"))
            continue
        kind: DutyKind = "special" if row.get("kind") == "special" else "regular"
        out.append(Duty(day, row["person"], row["team"], row["shift"], a, b,
                        row.get("role", ""), row.get("squad", ""), kind,
                        row.get("reason", "")))
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems, source=str(path))
    return tuple(out)


def _cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _naive(t: datetime) -> datetime:
    """``t`` on the wall clock without its zone: an Excel cell holds no zone (openpyxl
    refuses an aware datetime), and the utc-offset columns keep what the zone said."""
    return t.replace(tzinfo=None)


def finish_sheet(ws: Any, widths: Mapping[int, float] | None = None) -> None:
    """Freeze the header row, filter on it, and size each column to its longest value (2 to
    40 characters, a CJK character counted twice as Excel draws it), or as ``widths`` says
    by 1-based column: every column was openpyxl's default width 13, too narrow for a time
    and far too wide for a team letter (review AO). Set up for print: A4 landscape, one page
    wide, the header row on every page."""
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    longest: dict[int, int] = {}
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if v is None:
                continue
            n = (16 if isinstance(v, datetime) else 10 if isinstance(v, date)
                 else sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)))
            longest[c.column] = max(longest.get(c.column, 0), n)
    for col, n in longest.items():
        w = (widths or {}).get(col, min(40, max(4, n) + 2))
        ws.column_dimensions[get_column_letter(col)].width = w
    # printed on A4 landscape, every column on the page's width (as many pages down as it
    # takes), the header row repeated on each page: a planner's review found the sheets
    # printed at 100 % with the right-hand columns on pages of their own and no headers
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


#: the Excel number formats of date and date-time cells (sortable, filterable as dates)
XLSX_DATE = "yyyy-mm-dd"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"


def write_xlsx(result: RosterResult, path: Path,
               words: Mapping[str, str] | None = None, *, with_lead_in: bool = False) -> Path:
    """roster.xlsx: sheets roster, staff per hour, hours per person, calendar, fairness (with
    the solver's figures and the labour rules, rotation and country used).

    Dates and times are Excel date cells (review AO: they were text such as
    '2026-12-01T08:00', which Excel's date filters and sorting do not treat as dates), on
    the scenario's wall clock; each sheet has a frozen header row and columns sized to what
    they hold.

    ``words`` says the sheets in the plan's language (review AR: a Chinese plan's workbook
    was all English), by key: ``sheet:NAME`` a sheet's name, ``column:NAME`` a header (the
    English one as written here), ``shift:``, ``kind:``, ``reason:``, ``role:``, ``squad:``,
    ``team:``, ``day:``, ``fairness:``, ``solver:``, ``status:`` and ``bool:`` values, and
    ``skill:`` names; a key it lacks (or no ``words``) keeps the English. The caller builds
    them (report.folder, from report.i18n): the roster does not know the report.
    ``with_lead_in`` as :func:`write_csv`'s."""
    from openpyxl import Workbook

    said = words or {}

    def w(kind: str, value: object) -> object:
        if value is None or value == "":
            return value
        return said.get(f"{kind}:{value}", value)

    def reasons(text: str | None) -> str | None:
        # "risk;risk-peak", "event:NAME", "cover:RULE": each part, an event's name kept
        if not text:
            return text
        out = []
        for part in text.split(";"):
            head, sep, name = part.partition(":")
            out.append(str(w("reason", head)) + name if sep else str(w("reason", part)))
        return ";".join(out)

    def staff_key(key: str) -> str:
        # "role:police", "team:A", "skill:driver", "all"; a skill after its header's word
        # (技能 驾驶员: a skill's name alone reads as a role)
        kind, sep, value = key.partition(":")
        if kind == "skill" and key in said and "column:skill" in said:
            return f"{said['column:skill']} {said[key]}"
        if key in said:
            return said[key]
        if not sep:
            return str(w("column", key))
        return f"{w('column', kind)} {value}" if f"column:{kind}" in said else key

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(w("sheet", "roster"))
    ws.append([w("column", c) for c in CSV_COLUMNS])
    for d in _rows(result, with_lead_in):
        row = duty_dict(d)
        row.update({"date": d.day, "start": _naive(d.start), "end": _naive(d.end),
                    "shift": w("shift", d.shift), "kind": w("kind", d.kind),
                    "reason": reasons(d.reason), "role": w("role", d.role),
                    "squad": w("squad", d.squad), "team": w("team", d.team)})
        ws.append([row[c] for c in CSV_COLUMNS])
    keys = list(result.staff)
    ws2 = wb.create_sheet(str(w("sheet", "staff per hour")))
    ws2.append([w("column", "slot"), *(staff_key(k) for k in keys),
                *(w("column", c) for c in ("special demand", "unmet", "on duty"))])
    for i, s in enumerate(result.slots):
        ws2.append([_naive(s), *(result.staff[k][i] for k in keys),
                    result.demand[i], result.unmet[i], " ".join(result.on_duty[i])])
    ws3 = wb.create_sheet(str(w("sheet", "hours per person")))
    hdicts = [h.as_dict(result.weeks) for h in result.hours.values()]
    if hdicts:
        cols = list(hdicts[0])
        ws3.append([w("column", c) for c in cols])
        for hd in hdicts:
            ws3.append([w("bool", hd[c]) if isinstance(hd[c], bool) else hd[c] for c in cols])
    ws4 = wb.create_sheet(str(w("sheet", "calendar")))
    ws4.append([w("column", c) for c in ("date", "kind", "holiday", "makeup", "events")])
    for c in result.calendar:
        ws4.append([c.day, w("day", c.kind), c.holiday, w("bool", c.makeup),
                    "; ".join(c.events)])
    ws5 = wb.create_sheet(str(w("sheet", "fairness")))
    ws5.append([w("column", "measure"), w("column", "value")])
    for k, v in result.fairness.items():
        ws5.append([w("fairness", k), v])
    for k2, v2 in result.solve.as_dict().items():
        ws5.append([w("solver", k2) if f"solver:{k2}" in said else f"solver {k2}",
                    w("status", v2) if k2 == "status" else v2])
    ws5.append([said.get("solver:shapes", "special-duty shapes offered"),
                result.solve.shapes()])
    # the labour rules, rotation and country used, under the solver's rows (a sheet of their
    # own would change the workbook's sheets, which readers of it list)
    for k3, v3 in result.settings().items():
        if isinstance(v3, dict):
            v3 = ", ".join(f"{t}={k}" for t, k in v3.items())
        ws5.append([w("setting", k3) if f"setting:{k3}" in said else f"setting {k3}",
                    w("bool", v3) if isinstance(v3, bool) else v3])
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = XLSX_DATETIME
                elif isinstance(cell.value, date):
                    cell.number_format = XLSX_DATE
        finish_sheet(sheet)
    wb.save(path)
    return path
