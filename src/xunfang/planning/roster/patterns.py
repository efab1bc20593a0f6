"""Shift patterns (勤务模式): cyclic team rotations, the team calendar and the coverage check.

A pattern is a cycle of day codes (one letter per day: a shift or a day off) worked by
``n_teams`` teams, each team ``offset`` days behind the one before. On day ``k`` after the
anchor date, team ``i`` (0-based) is at phase ``(k - i·offset) mod len(cycle)`` — or, with
explicit ``phases`` (scenario.toml's ``[policy.roster] phases``: the day of the cycle each
team works on the anchor date), at ``(k + phases[i]) mod len(cycle)``, so the rotation can
be stated as the force works it (reordering the teams reaches only every ``offset``-th
phase).

Shift hours come from the policy (``Policy.shift_starts``: early, middle, night). A shift
belongs to a *roster day* D and may run past midnight: the night shift of D starts at 24:00 of
D (00:00 of D+1) when the night start hour is before the middle one, so middle → night leaves
24 h of rest. 12-hour shifts start at the first start hour (day) and 12 h later (night).

Day codes: ``E`` early, ``M`` middle, ``N`` night (8 h); ``D`` day and ``Y`` night (夜, 12 h);
``O`` off; ``S`` standby (备勤: on call, not on the street, no hours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

#: Fixed anchor of every team calendar: team 0 is at phase 0 on this day (a Monday), so the
#: calendar of any month continues the one before it.
DEFAULT_ANCHOR = date(2024, 1, 1)

OFF_CODES = frozenset({"O", "S"})


@dataclass(frozen=True)
class ShiftType:
    """One kind of shift: ``name`` (early, middle, night, day), hours from 00:00 of its day."""

    code: str
    name: str
    start_hour: int  # hours after 00:00 of the roster day; 24 = midnight at its end
    hours: int

    def start(self, day: date) -> datetime:
        return datetime.combine(day, time()) + timedelta(hours=self.start_hour)

    def end(self, day: date) -> datetime:
        return self.start(day) + timedelta(hours=self.hours)


@dataclass(frozen=True)
class ShiftPattern:
    """A cyclic rotation of ``n_teams`` teams, ``offset`` days apart."""

    name: str
    cycle: tuple[str, ...]
    n_teams: int
    offset: int
    shifts: Mapping[str, ShiftType]
    teams_on_duty: int = 1  # how many teams must be on duty at every hour

    def phase(self, team_index: int, phases: Sequence[int] | None = None) -> int:
        """The day of the cycle team ``team_index`` works on the anchor date."""
        if phases is not None:
            return phases[team_index] % len(self.cycle)
        return (-team_index * self.offset) % len(self.cycle)

    def code(self, team_index: int, day: date, anchor: date = DEFAULT_ANCHOR,
             phases: Sequence[int] | None = None) -> str:
        k = (day - anchor).days
        return self.cycle[(k + self.phase(team_index, phases)) % len(self.cycle)]

    def shift(self, team_index: int, day: date, anchor: date = DEFAULT_ANCHOR,
              phases: Sequence[int] | None = None) -> ShiftType | None:
        return self.shifts.get(self.code(team_index, day, anchor, phases))

    @property
    def work_days(self) -> int:
        return sum(1 for c in self.cycle if c not in OFF_CODES)

    @property
    def hours_per_week(self) -> float:
        """Average street hours per week of one team."""
        hours = sum(self.shifts[c].hours for c in self.cycle if c in self.shifts)
        return 7.0 * hours / len(self.cycle)


def shift_types(shift_starts: Sequence[int]) -> dict[str, ShiftType]:
    """The shift kinds under a policy's start hours (early, middle, night)."""
    if len(shift_starts) < 1:
        raise ValueError("shift_starts needs at least one hour")
    starts = list(shift_starts) + [(shift_starts[0] + 8 * i) % 24 for i in range(1, 3)]
    e = starts[0]
    m_off = starts[1]
    while m_off < e + 8:
        m_off += 24
    n_off = starts[2]
    while n_off < m_off + 8:
        n_off += 24
    day12 = shift_starts[0]
    return {
        "E": ShiftType("E", "early", e, 8),
        "M": ShiftType("M", "middle", m_off, 8),
        "N": ShiftType("N", "night", n_off, 8),
        "D": ShiftType("D", "day", day12, 12),
        "Y": ShiftType("Y", "night", day12 + 12, 12),
    }


NAMED: dict[str, tuple[str, int, int, str]] = {
    # name: (cycle, teams, offset, description)
    "4-3": ("EEMMNNOO", 4, 2, "四班三运转: 2 early, 2 middle, 2 night, 2 off"),
    "4-3-12": ("EEEMMMONNNOO", 4, 3, "四班三运转 (12-day): 白白白中中中休夜夜夜休休"),
    "3-2": ("DDYYOO", 3, 2, "三班两运转: 白白夜夜休休, 12 h shifts"),
    "4-2": ("DDYYOOOO", 4, 2, "四班两运转: 白白夜夜休休休休, 12 h shifts"),
    "5-3": ("EEMMNNSSOO", 5, 2, "五班三运转: 8 h shifts, one team on standby, one resting"),
}


def pattern(spec: str, shift_starts: Sequence[int] = (8, 16, 0)) -> ShiftPattern:
    """A named pattern (``4-3``, ``4-3-12``, ``3-2``, ``4-2``, ``5-3``) or a custom one.

    A custom pattern is ``CYCLE/TEAMS[/OFFSET]``, e.g. ``EEMMNNOO/4/2``; OFFSET defaults to
    len(CYCLE) / TEAMS. Raises ValueError naming the bad part.
    """
    shifts = shift_types(shift_starts)
    if spec in NAMED:
        cycle, teams, offset, _ = NAMED[spec]
        return ShiftPattern(spec, tuple(cycle), teams, offset, shifts)
    parts = spec.split("/")
    if len(parts) not in (2, 3):
        raise ValueError(
            f"shift pattern {spec!r}: use a name ({', '.join(NAMED)}) or CYCLE/TEAMS[/OFFSET] "
            "such as EEMMNNOO/4/2"
        )
    cycle = parts[0].strip().upper()
    bad = sorted({c for c in cycle if c not in shifts and c not in OFF_CODES})
    if not cycle or bad:
        raise ValueError(f"shift pattern {spec!r}: unknown day codes {bad or 'none given'}; "
                         "use E M N (8 h), D Y (12 h), O (off), S (standby)")
    try:
        teams = int(parts[1])
        offset = int(parts[2]) if len(parts) == 3 else len(cycle) // max(teams, 1)
    except ValueError:
        raise ValueError(f"shift pattern {spec!r}: TEAMS and OFFSET are whole numbers"
                         ) from None
    if teams < 1 or offset < 0:
        raise ValueError(f"shift pattern {spec!r}: needs at least one team and offset ≥ 0")
    return ShiftPattern(spec, tuple(cycle), teams, offset, shifts)


def check_pattern(p: ShiftPattern, phases: Sequence[int] | None = None) -> list[str]:
    """Every hour of the steady-state cycle with a wrong number of teams on duty.

    Returns one message per run of bad hours (empty when every hour has exactly
    ``teams_on_duty`` teams); a day is named by its position in the cycle. ``phases``: the
    teams' own days of the cycle on the anchor date (:meth:`ShiftPattern.phase`).
    """
    length = len(p.cycle)
    period = length
    hours = period * 24
    count = [0] * hours
    for team in range(p.n_teams):
        for k in range(period):
            st = p.shifts.get(p.cycle[(k + p.phase(team, phases)) % length])
            if st is None:
                continue
            for h in range(st.start_hour, st.start_hour + st.hours):
                count[(k * 24 + h) % hours] += 1
    out: list[str] = []
    h = 0
    while h < hours:
        if count[h] == p.teams_on_duty:
            h += 1
            continue
        j = h
        while j < hours and count[j] == count[h]:
            j += 1
        word = "uncovered" if count[h] < p.teams_on_duty else "over-covered"
        out.append(
            f"pattern {p.name!r}: day {h // 24 + 1} of the {length}-day cycle, "
            f"{h % 24:02d}:00–{(j - 1) % 24 + 1:02d}:00: {count[h]} team(s) on duty, needs "
            f"{p.teams_on_duty} ({word})"
        )
        h = j
    return out


@dataclass(frozen=True)
class TeamDay:
    """One team's duty on one roster day (``shift`` None when off or on standby)."""

    day: date
    team: str
    code: str
    shift: ShiftType | None


def team_calendar(p: ShiftPattern, teams: Sequence[str], start: date, days: int,
                  anchor: date = DEFAULT_ANCHOR, phases: Sequence[int] | None = None
                  ) -> tuple[TeamDay, ...]:
    """Every team's day code for ``days`` days from ``start`` (teams in pattern order)."""
    if len(teams) != p.n_teams:
        raise ValueError(f"pattern {p.name!r} needs {p.n_teams} teams, got {len(teams)}")
    out: list[TeamDay] = []
    for k in range(days):
        d = start + timedelta(days=k)
        for i, t in enumerate(teams):
            c = p.code(i, d, anchor, phases)
            out.append(TeamDay(d, t, c, p.shifts.get(c)))
    return tuple(out)


def phase_problems(p: ShiftPattern, team_ids: Sequence[str] | None,
                   phases: Mapping[str, int]) -> list[tuple[str, str]]:
    """What is wrong with ``phases`` (each rotating team's day of ``p``'s cycle on the anchor
    date) for the rotating teams ``team_ids``, as (rule, message) pairs: a team without a
    phase or not rotating, a day past the cycle, or phases that leave hours with too few or
    too many teams on duty. ``team_ids`` None: the teams are not known (only the days and
    the coverage of as many phases as the pattern has teams are judged). The roster and
    ``scenario check`` both call it, so the check refuses what the roster would (a review:
    a phase for a team E that does not rotate, 8 in an 8-day cycle, two teams on one phase
    passed the check, and the roster refused them)."""
    length = len(p.cycle)
    out: list[tuple[str, str]] = []
    teams = ", ".join(team_ids) if team_ids is not None else ""
    for t in team_ids or ():
        if t not in phases:
            out.append(("phase-missing", f"rotating team {t!r} has no phase; give each of "
                        f"{teams} its day of the {length}-day cycle on the anchor date"))
    for t, k in phases.items():
        if team_ids is not None and t not in team_ids:
            out.append(("unknown-team", f"team {t!r} is not a rotating team of this roster "
                        f"({teams})"))
        elif not 0 <= k < length:
            out.append(("bad-phase", f"team {t!r}: phase {k} is not a day of pattern "
                        f"{p.name!r}'s {length}-day cycle (0..{length - 1})"))
    if not out and (team_ids is not None or len(phases) == p.n_teams):
        seq = tuple(phases[t] for t in team_ids) if team_ids is not None else tuple(
            phases.values())
        out += [("phase-coverage", f"phases {dict(phases)}: {m}")
                for m in check_pattern(p, seq)]
    return out
