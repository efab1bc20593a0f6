"""The scenario folder's own pins (pins.csv or pins.xlsx), checked as ``xunfang plan`` reads
them: the same reader, so the same errors (file, row, column, rule).

A pin's times are local ``HH:MM`` (every day of the plan) or ISO date-times, and whether
they fall within a plan depends on the plan's days, which a scenario check does not know.
The check therefore reads the pins over the days they name themselves (from the first to
the last date of an ISO time; one day when there is none): every other rule (unknown unit,
post or grid, a drone, both or neither of post and grid, a bad time or range, a unit pinned
twice at once) is checked exactly as ``xunfang plan`` checks it, and a pin outside its
unit's duty hours is a warning, as there. That the plan's days cover
the pins is checked when the plan is made. A scenario with errors of its own is missing the
rows in error, so its pins wait (a warning) until those are fixed.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from xunfang._errors import Problem
from xunfang.scenario.model import Scenario
from xunfang.scenario.tables import read_table

#: A plan covers at most this many days (``xunfang plan --days``).
MAX_DAYS = 366


def _iso_dates(path: Path, label: str) -> list[tuple[date, int, str]]:
    """(date, row, column) of every ISO date-time in the from/to columns (unreadable tables
    and cells are left to the pins reader, which reports them)."""
    table = read_table(path, label=label, problems=[])
    out: list[tuple[date, int, str]] = []
    if table is None:
        return out
    for i, row in enumerate(table.rows):
        rn = table.numbers[i] if i < len(table.numbers) else i + 1
        for col in ("from", "to"):
            text = row.get(col, "")
            if "-" not in text:  # HH:MM, or empty
                continue
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                continue
            out.append((at.date(), rn, col))
    return out


def pins_problems(folder: Path, scenario: Scenario, *, scenario_ok: bool = True
                  ) -> list[Problem]:
    """Every problem of ``folder``'s pins.csv (or .xlsx) against ``scenario``; ``[]`` when
    the folder has none or they are right. When the scenario has errors (``scenario_ok``
    false) its rows in error are missing from it and a pin of such a unit or post would be
    reported unknown: the pins are then not read, and a warning says so."""
    from xunfang.plan import make_slots, tomorrow
    from xunfang.planning.deploy.inputs import PinsError, read_pins, scenario_pins_file

    try:
        path = scenario_pins_file(folder)
    except PinsError as exc:  # pins.csv and pins.xlsx both
        return list(exc.problems)
    if path is None:
        return []
    label = str(path)
    if not scenario_ok:
        return [Problem(file=label, rule="not-checked", severity="warning",
                        message="the pins are checked once the scenario's errors are fixed")]
    dated = _iso_dates(path, label)
    if dated:
        first, last = min(d for d, _, _ in dated), max(d for d, _, _ in dated)
    else:
        first = last = tomorrow(scenario.timezone)  # xunfang plan's default first day
    days = (last - first).days + 1
    if days > MAX_DAYS:
        _, row, col = max(dated)
        return [Problem(file=label, row=row, column=col, rule="outside-plan",
                        message=f"the pins run from {first} to {last}, {days} days; a plan "
                                f"covers at most {MAX_DAYS} days, so none can keep them all")]
    slots = make_slots(first, days=days, slot_minutes=scenario.slot_minutes)
    warnings: list[Problem] = []
    try:
        read_pins(path, scenario, slots, label=label, warnings=warnings)
    except PinsError as exc:
        return list(exc.problems)
    return warnings
