"""Errors a person can act on: each names the place, the rule and the bad value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and which rule it broke.

    ``row`` is the 1-based data row of a table (the header is row 0), or the 1-based feature
    number of a GeoJSON file; ``None`` where the problem concerns the whole file.
    """

    file: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


class XunfangError(Exception):
    """Base class of the errors xunfang raises on purpose."""


def problems_message(problems: Sequence[Problem], source: str, outcome: str, *,
                     limit: int) -> str:
    """"SOURCE: N error(s)OUTCOME" and the first ``limit`` errors, a line each; warnings are
    not listed."""
    errors = [p for p in problems if p.severity == "error"]
    lines = [f"{source}: {len(errors)} error(s){outcome}",
             *(f"  - {p}" for p in errors[:limit])]
    if len(errors) > limit:
        lines.append(f"  … and {len(errors) - limit} more")
    return "\n".join(lines)


class ScenarioError(XunfangError, ValueError):
    """A scenario folder has errors. ``problems`` lists every one found (warnings too)."""

    def __init__(self, problems: Sequence[Problem], *, source: str = "scenario") -> None:
        self.problems = tuple(problems)
        super().__init__(problems_message(self.problems, source, " found", limit=50))


class MissingDependencyError(XunfangError, ImportError):
    """An optional dependency is needed for this call; the message gives the install command."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package {package!r}: "
            f"pip install 'xunfang[{extra}]'"
        )
