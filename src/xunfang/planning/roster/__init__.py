"""The duty roster (勤务): shift patterns, a person-level CP-SAT roster, an independent checker.

Entry point: :func:`make_roster` (scenario, first day, number of days, seed, optional hourly
risk profile) → :class:`RosterResult`. :func:`check_roster` verifies every hard rule of a
roster from its rows alone; :func:`write_csv` / :func:`write_xlsx` write it.
"""

from xunfang.planning.roster.calendar import (
    DAY_KINDS,
    DayInfo,
    DayKind,
    calendar_notes,
    day_calendar,
)
from xunfang.planning.roster.check import Duty, Violation, check_roster
from xunfang.planning.roster.patterns import (
    DEFAULT_ANCHOR,
    NAMED,
    ShiftPattern,
    ShiftType,
    TeamDay,
    check_pattern,
    pattern,
    team_calendar,
)
from xunfang.planning.roster.result import (
    CSV_COLUMNS,
    PersonHours,
    RosterInfeasible,
    RosterResult,
    SolveStats,
    gini,
    read_roster_csv,
    write_csv,
    write_xlsx,
)
from xunfang.planning.roster.rules import (
    Preference,
    RosterRules,
    StaffingRule,
    SurgeRule,
    default_staffing,
    default_surges,
    leave_problems,
    read_leave,
    read_preferences,
    read_staffing,
    scenario_staffing,
)
from xunfang.planning.roster.solve import make_roster, roster_scope

__all__ = [
    "CSV_COLUMNS",
    "DAY_KINDS",
    "DEFAULT_ANCHOR",
    "NAMED",
    "DayInfo",
    "DayKind",
    "Duty",
    "PersonHours",
    "Preference",
    "RosterInfeasible",
    "RosterResult",
    "RosterRules",
    "ShiftPattern",
    "ShiftType",
    "SolveStats",
    "StaffingRule",
    "SurgeRule",
    "TeamDay",
    "Violation",
    "calendar_notes",
    "check_pattern",
    "check_roster",
    "day_calendar",
    "default_staffing",
    "default_surges",
    "gini",
    "leave_problems",
    "make_roster",
    "pattern",
    "read_leave",
    "read_preferences",
    "read_roster_csv",
    "read_staffing",
    "roster_scope",
    "scenario_staffing",
    "team_calendar",
    "write_csv",
    "write_xlsx",
]
