"""Scenarios: a jurisdiction's roads, areas, sites, posts, forces, policy and history.

``load(path_or_name)`` reads a scenario folder (DESIGN.md §3) or a built-in scenario into a
frozen :class:`Scenario`; ``check`` reports every problem without raising.
"""

from xunfang.scenario.loader import (
    CheckResult,
    builtin_names,
    check,
    counts,
    load,
    load_with_warnings,
    resolve,
)
from xunfang.scenario.model import (
    CRS,
    Area,
    Event,
    Incidents,
    Leave,
    PatrolLine,
    Person,
    Policy,
    Post,
    Roads,
    Scenario,
    Site,
    Unit,
)

__all__ = [
    "CRS",
    "Area",
    "CheckResult",
    "Event",
    "Incidents",
    "Leave",
    "PatrolLine",
    "Person",
    "Policy",
    "Post",
    "Roads",
    "Scenario",
    "Site",
    "Unit",
    "builtin_names",
    "check",
    "counts",
    "load",
    "load_with_warnings",
    "resolve",
]
