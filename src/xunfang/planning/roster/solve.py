"""The person-level roster with CP-SAT (OR-Tools): regular shifts plus special duties.

Model. Every rostered person has *fixed* duties — the regular shift of their team on each
roster day (the pattern's calendar), or the 08–16 office day (常白班) of a day team on
workdays — dropped where any of its hours falls on a leave date. The decisions are
*candidate special duties*, each a boolean ``x_c``:

* extensions of a regular shift: ``L`` hours just before its start or after its end, for L in
  :func:`extension_hours` (those of 2 and 4 that fit ``max_duty_hours`` with the shift, and
  the longest that fits);
* stand-alone blocks on a day without a regular duty (08–12, 12–16, 16–20, 20–24, 08–16,
  12–20, 16–24, those within ``max_duty_hours``), and each run of hours asked for that day
  as one block (:func:`day_blocks`).

The result is optimal among these shapes only (the solver's ``shapes`` say which were
offered), not over any hours a person could work.

Only candidates that cover an hour where something is asked for are made: an hour of
special-duty demand (surge) or an hour where a staffing rule matching the person is short
with the fixed duties alone. A candidate that breaks a hard rule together with fixed duties
alone is not made (the rule is remembered, to explain shortfalls).

Hard rules over candidates c, c' of one person (fixed duties are constants):

* ``x_c + x_c' ≤ 1`` when they overlap, leave 0 < gap < ``min_rest_hours``, or touch and
  together span more than ``max_duty_hours`` (the two extensions of one regular shift touch
  it at both ends: 2 h before and 2 h after an 8-hour shift are 12 h on end, not a rest);
* every shortest run of touching duties (fixed or candidate) longer than ``max_duty_hours``
  has at least one candidate of it unchosen (:func:`_limit_unbroken`: chains of three and
  extensions at both ends of a shift, whatever the rest time);
* ``w_d ≥ x_c`` for the candidates of day d (w_d = 1 on a day with a fixed duty); in every
  window of ``max_consecutive_days + 1`` days, ``Σ w_d ≤ max_consecutive_days``;
* in every 7-day window, fixed hours + ``Σ L_c x_c ≤ max_week_hours``.

The regular shifts of the days before and after the horizon take part in the windows, so the
rules hold across the edges against the regular shifts (the special duties of a neighbouring
roster are not known here: roster consecutive periods together, or check them with
``check_roster`` and the other roster's rows as context). Coverage, with slack::

    staffing rule r, hour h:  Σ_{c covers h, person matches r} x_c + s_rh ≥ count_r − fixed_rh
    demand, hour h:           Σ_{c covers h} x_c + u_h ≥ demand_h

Objective (minimise): 10⁶·Σ s (hard staffing: any s > 0 means the rules cannot all hold, and
the shortfall is explained) + 10³·Σ u (unmet special-duty demand) + 10 per special-duty hour
(+5 per hour at night 22–06 and per hour on a weekend or holiday) + 300 per broken
preference + 3·Σ_p Σ_k max(0, L_p − k·step) for the special hours L_p of each person and
again for those on weekends and holidays (a convex penalty that spreads them fairly; step =
4 h per week of horizon).

When any staffing slack is positive at the end, :class:`RosterInfeasible` lists each short
rule, day and hours, and for every matching person why they are not there: on leave, or the
rule an extra duty would break (rest, overlap, hours on end, days in a row, weekly hours).
Regular shifts that break a rule by themselves (e.g. 三班两运转 against a 56 h week) are
reported before any solving, by the independent checker.
"""

from __future__ import annotations

import itertools
import time as _time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ortools.sat.python import cp_model

from xunfang._errors import Problem, ScenarioError
from xunfang.planning.roster.calendar import DayInfo, calendar_notes, day_calendar
from xunfang.planning.roster.check import (
    HOUR,
    Duty,
    Violation,
    check_roster,
    elapsed_hours,
    leave_span,
    pattern_breaks,
    week_cap,
)
from xunfang.planning.roster.patterns import (
    ShiftPattern,
    ShiftType,
    check_pattern,
    pattern,
    phase_problems,
)
from xunfang.planning.roster.result import (
    PersonHours,
    RosterInfeasible,
    RosterResult,
    SolveStats,
    gini,
)
from xunfang.planning.roster.rules import (
    Preference,
    RosterRules,
    StaffingRule,
    SurgeRule,
    default_staffing,
    default_surges,
    leave_problems,
)
from xunfang.scenario.model import Leave, Person, Scenario

EXT_HOURS: tuple[int, ...] = (2, 4)
BLOCKS: tuple[tuple[int, int], ...] = ((8, 4), (12, 4), (16, 4), (20, 4), (8, 8), (12, 8),
                                       (16, 8))
NIGHT = frozenset({22, 23, 0, 1, 2, 3, 4, 5})  # hours that cost extra as special duty
SMALL_HOURS = frozenset({0, 1, 2, 3, 4, 5})  # a duty in these hours counts as a night
#: CP-SAT full-problem workers for two cores: an LP-heavy one proves the bound, a
#: reduced-cost one finds solutions. CP-SAT's own pair for two workers (default_lp) did not
#: close a 30 % gap on a month of the built-in county in 30 s; this pair proves it optimal
#: in about a second (measured; bench/roster.py compares both at 300 people).
SUBSOLVERS: tuple[str, ...] = ("reduced_costs", "max_lp")
W_SLACK = 1_000_000
W_UNMET = 1_000
W_HOUR = 10
W_NIGHT_HOUR = 5
W_WEEKEND_HOUR = 5
W_PREF = 300
W_FAIR = 3
W_FAIR_WEEKEND = 3
STEP_HOURS = 4


@dataclass
class _Cand:
    person: int
    day: date
    start: datetime
    end: datetime
    kind: str  # pre | post | block
    hours: int
    var: cp_model.IntVar | None = None


def extension_hours(shift_hours: float, max_duty_hours: int) -> tuple[int, ...]:
    """The lengths of the extensions offered before or after a regular shift of
    ``shift_hours``: those of :data:`EXT_HOURS` that fit ``max_duty_hours`` with the shift,
    and the longest that fits (8-hour shifts: 2 and 4 h under 12, 2 h under 10, 2 and 3 h
    under 11; 12-hour shifts under 12: none). A fixed (2, 4) offered 4 h where only 2 fit
    and never the 3 h that 11 allows (a review)."""
    room = int(max_duty_hours - shift_hours + 1e-9)
    if room <= 0:
        return ()
    return tuple(sorted({n for n in EXT_HOURS if n <= room} | {room}))


def day_blocks(runs: Sequence[tuple[int, int]], max_duty_hours: int
               ) -> tuple[tuple[int, int], ...]:
    """The stand-alone duties (start hour, hours) offered on a day without a regular duty:
    the :data:`BLOCKS` no longer than ``max_duty_hours``, and for each run [a, b) of hours
    asked for that day, the run itself (its first and its last ``max_duty_hours`` where it
    is longer). The fixed blocks alone missed demand a rest rule lets through only in part
    (a review: with min_rest_hours = 16 and demand at 12–14 and 18–22 the roster met 34 of
    132 person-hours; an hourly model met 44 or more)."""
    out = {(s0, n) for s0, n in BLOCKS if n <= max_duty_hours}
    for a, b in runs:
        if b - a <= max_duty_hours:
            out.add((a, b - a))
        else:
            out.add((a, max_duty_hours))
            out.add((b - max_duty_hours, max_duty_hours))
    return tuple(sorted(out))


def _teams(sc: Scenario, p: ShiftPattern, teams: Sequence[str] | None) -> tuple[str, ...]:
    have = sorted({q.team for q in sc.people})
    if teams is None:
        guess = tuple(chr(ord("A") + i) for i in range(p.n_teams))
        if all(t in have for t in guess):
            return guess
        raise ScenarioError([Problem(
            "people.csv", "teams-unknown",
            f"pattern {p.name!r} needs {p.n_teams} rotating teams; name them (teams=…, "
            f"--teams) among the teams of people.csv: {', '.join(have)}", column="team")],
            source=sc.source or sc.name)
    teams = tuple(teams)
    bad = [t for t in teams if t not in have]
    problems = [Problem("--teams", "unknown-team", f"team {t!r} is not a team of people.csv "
                        f"({', '.join(have)})") for t in bad]
    # a team named twice works two phases of the rotation while another is dropped unseen
    # (a review: A,A,B,C left D out and the roster failed with a long, wrong explanation)
    twice = sorted({t for t in teams if teams.count(t) > 1})
    problems += [Problem("--teams", "duplicate-team", f"team {t!r} is named "
                         f"{teams.count(t)} times in {', '.join(teams)}; each rotating team "
                         "works one phase of the pattern, so name each once") for t in twice]
    if len(teams) != p.n_teams:
        problems.append(Problem("--teams", "team-count", f"pattern {p.name!r} needs "
                                f"{p.n_teams} teams, got {len(teams)}: {', '.join(teams)}"))
    if problems:
        raise ScenarioError(problems, source=sc.source or sc.name)
    return teams


def _clash(a1: datetime, b1: datetime, a2: datetime, b2: datetime, rules: RosterRules,
           tz: str = "", fixed: Sequence[tuple[datetime, datetime]] = ()) -> str | None:
    """The rule two duties of one person break together (None: they may both be worked).

    Rest and unbroken length are elapsed hours in ``tz`` (the scenario's timezone): a
    special duty gets no share of the hour the clock's change excuses the regular pattern
    (:mod:`~xunfang.planning.roster.check`). ``fixed``: the person's regular duties; one
    filling the gap between the two exactly makes them one unbroken stretch, judged on its
    length, not as a short rest (a review: 2 h before and 2 h after an 8-hour shift, 12 h
    on end, was refused as a rest break; an independent hourly CP-SAT baseline covered one
    person-hour more of a staffing shortfall and one hour more of special-duty demand)."""
    if a2 < a1:
        a1, b1, a2, b2 = a2, b2, a1, b1
    if a2 < b1:
        return "overlap"
    gap = elapsed_hours(b1, a2, tz)
    if gap > 0 and (b1, a2) in fixed:
        gap = 0
    if gap == 0:
        span = elapsed_hours(a1, max(b1, b2), tz)
        return "max-duty-hours" if span > rules.max_duty_hours else None
    if gap < rules.min_rest_hours:
        return "rest"
    return None


def _limit_unbroken(m: cp_model.CpModel, cs: Sequence[_Cand], fixed: Sequence[Duty],
                    rules: RosterRules, tz: str) -> None:
    """Keep every unbroken stretch of one person's duties within ``max_duty_hours``.

    The person's time is cut at every start and end of a fixed duty or candidate; a run of
    adjacent pieces each covered (by a fixed duty, or by a candidate that may be chosen) is
    one stretch on duty without a break when all are worked. For every shortest such run
    longer than ``max_duty_hours`` (elapsed hours in ``tz``), not all its pieces may be
    worked: Σ over its open pieces of the candidates covering them ≤ their count − 1 (the
    candidates covering one piece overlap, so at most one is chosen). Pairs alone missed
    this (a review: with ``min_rest_hours = 8`` the 4 h extensions before and after one
    8-hour shift were never compared, 16 h on end against 12; chains of three duties were
    never limited at all)."""
    if not cs:
        return
    lo = min(c.start for c in cs) - timedelta(days=1)
    hi = max(c.end for c in cs) + timedelta(days=1)
    spans = [(f.start, f.end) for f in fixed if f.end > lo and f.start < hi]
    points = sorted({t for a, b in spans for t in (a, b)}
                    | {t for c in cs for t in (c.start, c.end)})
    pieces: list[tuple[float, bool, list[cp_model.IntVar]]] = []
    for a, b in itertools.pairwise(points):
        held = any(fa <= a and b <= fb for fa, fb in spans)
        vs = [c.var for c in cs if c.var is not None and c.start <= a and b <= c.end]
        pieces.append((elapsed_hours(a, b, tz), held, vs))
    for s in range(len(pieces)):
        total = 0.0
        for e in range(s, len(pieces)):
            length, held, vs = pieces[e]
            if not held and not vs:
                break  # a gap: the stretch ends here
            total += length
            if total > rules.max_duty_hours + 1e-9:
                run = [p for p in pieces[s:e + 1] if not p[1]]
                if run:  # a run of fixed duties alone is the pattern's (checked before)
                    m.add(sum(v for _, _, pvs in run for v in pvs) <= len(run) - 1)
                break


def _phases(sc: Scenario, pat: ShiftPattern, team_ids: Sequence[str],
            phases: Mapping[str, int], where: str) -> tuple[int, ...] | None:
    """The rotating teams' days of the cycle on the anchor date, in ``team_ids`` order (None:
    the pattern's own offsets); a :class:`ScenarioError` naming ``[policy.roster] phases``
    for a team missing or unknown, a day past the cycle, or phases that leave hours with
    too few or too many teams on duty."""
    if not phases:
        return None
    col = "policy.roster.phases" if where == "scenario.toml" else None
    problems = [Problem(where, rule, msg, column=col)
                for rule, msg in phase_problems(pat, team_ids, phases)]
    if not problems:
        return tuple(phases[t] for t in team_ids)
    raise ScenarioError(problems, source=sc.source or sc.name)


def _pattern_keeps_rules(pat: ShiftPattern, rules: RosterRules) -> None:
    """Refuse, one line per rule, a pattern whose regular shifts alone break a labour rule
    (:func:`~xunfang.planning.roster.check.pattern_breaks`, which ``scenario check`` calls
    too)."""
    lines = pattern_breaks(pat, rules)
    if lines:
        raise RosterInfeasible(lines, headline=f"pattern {pat.name!r} cannot be worked under "
                               "the labour rules")


def _history_covers_the_eve(history: Sequence[Duty], start: date, source: str) -> None:
    """A :class:`ScenarioError` naming ``--history`` when it is given but does not reach the
    day before ``start``: the days between are rostered by the pattern alone, so its
    special duties at the edge go unchecked (a review: the roster of 12-01..12-12 as the
    history of a roster from 01-01 was ignored without a word)."""
    if not history:
        return
    eve = start - timedelta(days=1)
    before = [du.day for du in history if du.day < start]
    last = max(before, default=None)
    if last == eve:
        return
    if last is None:
        gap = (f"it has no day before {start} (its days: {min(du.day for du in history)} .. "
               f"{max(du.day for du in history)})")
    else:
        gap = f"it ends on {last}, leaving {last + timedelta(days=1)} .. {eve} out"
    raise ScenarioError([Problem(
        "--history", "history-gap",
        f"the history must be the roster of the days just before --from {start}, up to "
        f"{eve}; {gap}, so the rest, days-in-a-row and weekly rules at the edge could not "
        "be checked against it: give the roster.csv that ends on the day before --from")],
        source=source)


def _history_lines_up(history: Sequence[Duty], pat: ShiftPattern, team_ids: Sequence[str],
                      start: date, first: date, anchor: date, phases: Sequence[int] | None,
                      people: Sequence[Person], source: str) -> None:
    """A :class:`ScenarioError` for each rotating team whose regular shifts in ``history``
    (the days just before ``start``) are not those the rotation gives it: the history's
    rotation and this roster's don't line up (the team and its last such date named)."""
    team_of = {q.id: q.team for q in people}
    worked: dict[tuple[str, date], set[str]] = defaultdict(set)
    for du in history:
        t = team_of.get(du.person)
        if t is not None and du.kind == "regular" and t in team_ids and first <= du.day < start:
            worked[(t, du.day)].add(du.shift)
    problems: list[Problem] = []
    for i, t in enumerate(team_ids):
        # the days the team worked (a day without its rows may be the whole team's leave)
        for d in sorted((d for (tt, d) in worked if tt == t), reverse=True):
            st = pat.shift(i, d, anchor, phases)
            want = st.name if st is not None else None
            got = worked.get((t, d), set())
            if got != ({want} if want else set()):
                problems.append(Problem(
                    "--history", "rotation-mismatch",
                    f"team {t} worked {'/'.join(sorted(got)) or 'no regular shift'} on {d} in "
                    f"the history, but pattern {pat.name!r} from {anchor} "
                    f"(phase {pat.phase(i, phases)}) gives it {want or 'a day off'}: the "
                    "rotations don't line up; state the force's rotation with [policy.roster] "
                    "anchor and phases in scenario.toml"))
                break
    if problems:
        raise ScenarioError(problems, source=source)


def roster_scope(scenario: Scenario, pattern_spec: str | None = None,
                 teams: Sequence[str] | None = None, day_teams: Sequence[str] | None = None
                 ) -> tuple[ShiftPattern, tuple[str, ...], tuple[str, ...], list[Person]]:
    """The pattern, rotating teams, day teams and rostered people of a roster request.

    Raises :class:`ScenarioError` for an unknown or uncovering pattern and unknown teams.
    """
    policy = scenario.policy
    # name where the pattern came from: --pattern (pattern_spec) or scenario.toml's
    # policy.shift_pattern (a review: a bad --pattern was blamed on scenario.toml)
    where, col = (("--pattern", None) if pattern_spec
                  else ("scenario.toml", "policy.shift_pattern"))
    try:
        pat = pattern(pattern_spec or policy.shift_pattern, policy.shift_starts)
    except ValueError as exc:
        raise ScenarioError([Problem(where, "bad-pattern", str(exc), column=col)],
                            source=scenario.source or scenario.name) from None
    uncovered = check_pattern(pat)
    if uncovered:
        raise ScenarioError([Problem(where, "pattern-coverage", m, column=col)
                             for m in uncovered], source=scenario.source or scenario.name)
    team_ids = _teams(scenario, pat, teams)
    all_teams = {q.team for q in scenario.people}
    dteams = tuple(day_teams) if day_teams is not None else (
        ("day",) if "day" in all_teams else ())
    # there is no --day-teams option: the day team is people.csv's team "day" by default, so
    # a clash is named on --teams (a review: --teams A,B,C,day blamed "--day-teams")
    problems: list[Problem] = []
    for t in dteams:
        if t in team_ids:
            problems.append(Problem(
                "--teams" if teams is not None else "day_teams", "rotating-day-team",
                f"team {t!r} is named as a rotating team, but it is the day team (office "
                "hours on workdays); a team either rotates or works office hours: leave "
                f"{t!r} out of --teams"))
        elif t not in all_teams:
            problems.append(Problem("day_teams", "unknown-team", f"day team {t!r} is not a "
                                    f"team of people.csv ({', '.join(sorted(all_teams))})"))
    if problems:
        raise ScenarioError(problems, source=scenario.source or scenario.name)
    people = [q for q in scenario.people if q.team in team_ids or q.team in dteams]
    if not people:
        raise ScenarioError([Problem("people.csv", "no-people", "no person belongs to the "
                                     f"teams {', '.join((*team_ids, *dteams))}")],
                            source=scenario.source or scenario.name)
    return pat, team_ids, dteams, people


#: The largest seed CP-SAT takes (its ``random_seed`` is a 32-bit signed integer).
MAX_SEED = 2**31 - 1


def make_roster(
    scenario: Scenario,
    start: date,
    days: int,
    seed: int = 0,
    risk_profile: Sequence[float] | None = None,
    *,
    pattern_spec: str | None = None,
    teams: Sequence[str] | None = None,
    day_teams: Sequence[str] | None = None,
    anchor: date | None = None,
    phases: Mapping[str, int] | None = None,
    rules: RosterRules | None = None,
    staffing: Sequence[StaffingRule] = (),
    default_staffing_rules: bool = True,
    surges: Sequence[SurgeRule] | None = None,
    extra_leave: Sequence[Leave] = (),
    preferences: Sequence[Preference] = (),
    history: Sequence[Duty] = (),
    night_checkpoints: int = 0,
    time_limit: float = 20.0,
    gap_limit: float = 0.0,
    num_workers: int = 2,
    subsolvers: Sequence[str] | None = SUBSOLVERS,
    deterministic: bool = True,
) -> RosterResult:
    """The duty roster of ``days`` days from ``start`` (both inclusive of the horizon).

    ``pattern_spec`` defaults to the policy's ``shift_pattern``; ``teams`` to A, B, C, …;
    ``day_teams`` (office-hours teams) to ``("day",)`` where people.csv has that team.
    ``risk_profile`` (24 floats) sets the noon/evening reinforcement hours; ``surges``
    replaces the special-duty demand altogether. ``history`` — the rows of the roster before
    (e.g. last month's ``result.rows``) — replaces the pattern's regular shifts on the days
    before ``start`` that it covers, so its special duties count in the rest, days-in-a-row
    and weekly rules at the edge; where its regular shifts are not those the rotation gives
    its team, :class:`ScenarioError` says the rotations don't line up. ``rules``, ``anchor``
    and ``phases`` (each rotating team's day of the cycle on ``anchor``) default to
    scenario.toml's ``[policy.roster]``. ``deterministic`` (CP-SAT's interleaved search): the same
    inputs and seed give the same roster whatever the machine's load, as long as the solve
    ends before ``time_limit`` (a solve stopped by the clock returns what it had). Raises
    :class:`ScenarioError` for bad input
    and :class:`RosterInfeasible` (with the explanation) when the rules cannot all hold.
    """
    t_build = _time.perf_counter()
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to {MAX_SEED} (CP-SAT's random_seed), got {seed}")
    policy = scenario.policy
    rules = rules or RosterRules.of(policy)
    tz = scenario.timezone
    pat, team_ids, dteams, people = roster_scope(scenario, pattern_spec, teams, day_teams)
    anchor = anchor if anchor is not None else policy.roster.anchor
    phase_of = _phases(scenario, pat, team_ids,
                       phases if phases is not None else policy.roster.phases,
                       "phases" if phases is not None else "scenario.toml")
    _pattern_keeps_rules(pat, rules)
    pidx = {q.id: i for i, q in enumerate(people)}
    known_all = {q.id for q in scenario.people}
    leave = (*scenario.leave, *extra_leave)
    lp = leave_problems(leave)
    lp += [Problem("preferences", "unknown-person", f"person {pf.person!r} is not rostered")
           for pf in preferences if pf.person not in pidx]
    lp += [Problem("leave", "unknown-person", f"person {lv.person!r} is not in people.csv")
           for lv in extra_leave if lv.person not in known_all]
    lp += [Problem("history", "unknown-person", f"person {p!r} of the history is not in "
                   "people.csv") for p in sorted({du.person for du in history} - known_all)]
    if lp:
        raise ScenarioError(lp, source=scenario.source or scenario.name)
    staff_rules = list(default_staffing(scenario, people, team_ids, pat)
                       if default_staffing_rules else ())
    staff_rules += list(staffing)
    for r in staff_rules:
        have = sum(r.matches(q) for q in people)
        if r.count > have:
            raise ScenarioError([Problem(r.source, "more-than-exist", f"{r.describe()}: only "
                                         f"{have} rostered people match")],
                                source=scenario.source or scenario.name)
    surge_rules = tuple(surges) if surges is not None else default_surges(
        scenario.events, risk_profile, night_checkpoints=night_checkpoints,
        night_hours=policy.night_hours)

    # --- calendar, fixed duties ------------------------------------------------------------
    pad = max(6, rules.max_consecutive_days)
    first = start - timedelta(days=pad)
    cal_all = day_calendar(first, days + 2 * pad, policy, scenario.events,
                           scenario.country)
    cal = cal_all[pad:pad + days]
    kind_of = {c.day: c.kind for c in cal_all}
    on_leave: set[tuple[str, date]] = set()
    for lv in leave:
        dday = max(lv.start, first)
        while dday <= min(lv.end, first + timedelta(days=days + 2 * pad)):
            on_leave.add((lv.person, dday))
            dday += timedelta(days=1)
    # leave dates are whole calendar days: a duty with any hour on one is dropped, whatever
    # its roster day (a review: the night shift of the day before a leave, 00:00–08:00 on
    # its first date, was kept, as was a special duty leading into it)
    leave_spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for lv in leave:
        leave_spans[lv.person].append(leave_span(lv))

    def during_leave(pid: str, a: datetime, b: datetime) -> bool:
        return any(a < lb and b > la for la, lb in leave_spans.get(pid, ()))
    early = next((pat.shifts[c] for c in pat.cycle if c in pat.shifts), pat.shifts["E"])
    office = ShiftType("F", "office", early.start_hour, 8)
    team_index = {t: i for i, t in enumerate(team_ids)}
    end_day = start + timedelta(days=days)
    fixed: list[Duty] = []
    known_days = {du.day for du in history if du.day < start}
    for du in history:
        if first <= du.day < start and du.person in pidx:
            fixed.append(replace(du, tz=tz))  # a roster.csv read back has wall-clock times
    for ci in cal_all:
        if ci.day in known_days:
            continue
        for q in people:
            st: ShiftType | None
            if q.team in team_index:
                st = pat.shift(team_index[q.team], ci.day, anchor, phase_of)
            else:
                st = office if ci.kind == "workday" else None
            if st is None or during_leave(q.id, st.start(ci.day), st.end(ci.day)):
                continue
            fixed.append(Duty(ci.day, q.id, q.team, st.name, st.start(ci.day), st.end(ci.day),
                              q.role, q.squad, "regular", tz=tz))
    _history_covers_the_eve(history, start, scenario.source or scenario.name)
    _history_lines_up(history, pat, team_ids, start, first, anchor, phase_of, people,
                      scenario.source or scenario.name)
    in_h = [du for du in fixed if start <= du.day < end_day]
    ctx = [du for du in fixed if not start <= du.day < end_day]
    pre = check_roster(in_h, rules=rules, leave=leave, context=ctx)
    if pre:
        raise RosterInfeasible(pre, headline=f"pattern {pat.name!r}: the regular shifts alone "
                               "break the labour rules")

    # --- demand per hour -------------------------------------------------------------------
    t0 = datetime.combine(start, datetime.min.time())
    n_h = 24 * days
    demand = [0] * n_h
    why: list[list[str]] = [[] for _ in range(n_h)]
    for h in range(n_h):
        t = t0 + h * HOUR
        dk = kind_of[t.date()]
        for sr in surge_rules:
            if sr.start is not None and sr.end is not None:
                if not sr.start <= t < sr.end:
                    continue
            elif dk not in sr.days or t.hour not in sr.hours:
                continue
            demand[h] += sr.extra
            why[h].append(sr.reason)
    present_fixed: list[set[int]] = [set() for _ in range(n_h)]
    teams_at: list[set[str]] = [set() for _ in range(n_h)]
    for du in fixed:
        a = int((du.start - t0) / HOUR)
        b = int((du.end - t0) / HOUR)
        for h in range(max(0, a), min(n_h, b)):
            present_fixed[h].add(pidx[du.person])
            teams_at[h].add(du.team)
    deficit: list[dict[int, int]] = []
    for r in staff_rules:
        dd: dict[int, int] = {}
        for h in range(n_h):
            t = t0 + h * HOUR
            if kind_of[t.date()] not in r.days or t.hour not in r.hours:
                continue
            if r.team is not None and r.team not in teams_at[h]:
                continue
            have = sum(1 for i in present_fixed[h] if r.matches(people[i]))
            if have < r.count:
                dd[h] = r.count - have
        deficit.append(dd)
    rules_of = [[ri for ri, r in enumerate(staff_rules) if r.matches(q)] for q in people]

    # --- candidates ------------------------------------------------------------------------
    fixed_of: dict[int, list[Duty]] = defaultdict(list)
    fixed_hours: dict[tuple[int, date], float] = defaultdict(float)
    # the same on the clock: the 7-day cap as the checker judges it (week_cap: a 4-2 week
    # across the autumn change is 57 h elapsed, 56 on the clock; a cap of 56 made the model
    # infeasible, and no special duty may add to it)
    fixed_clock: dict[tuple[int, date], float] = defaultdict(float)

    def cap_of(i: int, days: Sequence[date]) -> tuple[float, float]:
        """The regular duties' elapsed hours over ``days`` and the 7-day cap for them."""
        e = sum(fixed_hours.get((i, x), 0.0) for x in days)
        return e, week_cap(rules.max_week_hours, e,
                           sum(fixed_clock.get((i, x), 0.0) for x in days))
    for du in fixed:
        i = pidx[du.person]
        fixed_of[i].append(du)
        fixed_hours[(i, du.day)] += du.hours
        fixed_clock[(i, du.day)] += du.clock_hours
    dropped: dict[tuple[int, date], set[str]] = defaultdict(set)

    def useful(i: int, a: datetime, b: datetime) -> bool:
        ha = max(0, int((a - t0) / HOUR))
        hb = min(n_h, int((b - t0) / HOUR))
        for h in range(ha, hb):
            if demand[h] > 0:
                return True
            if any(h in deficit[ri] for ri in rules_of[i]):
                return True
        return False

    def legal_with_fixed(i: int, day: date, a: datetime, b: datetime, hours: int
                         ) -> str | None:
        if during_leave(people[i].id, a, b):
            return "leave"
        for f in fixed_of[i]:
            if abs((f.day - day).days) > 2:
                continue
            why_not = _clash(f.start, f.end, a, b, rules, tz)
            if why_not is not None:
                return why_not
            if (rules.no_night_then_early and f.shift == "night"
                    and day == f.day + timedelta(days=1)
                    and a < datetime.combine(day, datetime.min.time()) + 12 * HOUR):
                return "night-then-early"
        for k in range(7):
            w0 = day - timedelta(days=6 - k)
            tot, cap = cap_of(i, [w0 + timedelta(days=j) for j in range(7)])
            if tot + hours > cap + 1e-9:
                return "weekly-hours"
        if (i, day) not in fixed_hours:
            left = 0
            while (i, day - timedelta(days=left + 1)) in fixed_hours:
                left += 1
            right = 0
            while (i, day + timedelta(days=right + 1)) in fixed_hours:
                right += 1
            if left + right + 1 > rules.max_consecutive_days:
                return "consecutive-days"
        return None

    def wanted_runs(i: int, day: date) -> list[tuple[int, int]]:
        """The runs [a, b) of the clock hours of ``day`` where person i's duty is asked for:
        special-duty demand, or a staffing rule matching them short."""
        h0 = int((datetime.combine(day, datetime.min.time()) - t0) / HOUR)
        want = [0 <= h0 + k < n_h and (demand[h0 + k] > 0 or any(
            h0 + k in deficit[ri] for ri in rules_of[i])) for k in range(24)]
        runs: list[tuple[int, int]] = []
        k = 0
        while k < 24:
            if not want[k]:
                k += 1
                continue
            j = k
            while j < 24 and want[j]:
                j += 1
            runs.append((k, j))
            k = j
        return runs

    cands: list[_Cand] = []
    ext_offered: set[int] = set()
    block_offered: set[int] = set()
    for i in range(len(people)):
        own_days = {du.day for du in fixed_of[i]}
        options: list[tuple[date, datetime, datetime, str]] = []
        for f in fixed_of[i]:
            if not start <= f.day < end_day:
                continue
            for L in extension_hours(f.hours, rules.max_duty_hours):
                options.append((f.day, f.start - L * HOUR, f.start, "pre"))
                options.append((f.day, f.end, f.end + L * HOUR, "post"))
                ext_offered.add(L)
        for ci in cal:
            if ci.day in own_days:
                continue
            base = datetime.combine(ci.day, datetime.min.time())
            shapes = set(day_blocks(wanted_runs(i, ci.day), rules.max_duty_hours))
            for s0, L in sorted(shapes):
                options.append((ci.day, base + s0 * HOUR, base + (s0 + L) * HOUR, "block"))
                block_offered.add(L)
        for day, ta, tb, kind in options:
            if not useful(i, ta, tb):
                continue
            # the weekly sum and fairness count the elapsed hours worked, not the clock's
            worked = round(elapsed_hours(ta, tb, tz))
            bad = legal_with_fixed(i, day, ta, tb, worked)
            if bad is not None:
                dropped[(i, day)].add(bad)
                continue
            cands.append(_Cand(i, day, ta, tb, kind, worked))

    # --- model -----------------------------------------------------------------------------
    m = cp_model.CpModel()
    for k, c in enumerate(cands):
        c.var = m.new_bool_var(f"x{k}")
    by_person: dict[int, list[_Cand]] = defaultdict(list)
    for c in cands:
        by_person[c.person].append(c)
    spans_of = {i: [(f.start, f.end) for f in fs] for i, fs in fixed_of.items()}
    for i, cs in by_person.items():
        cs.sort(key=lambda c: c.start)
        for a_i in range(len(cs)):
            ca = cs[a_i]
            for b_i in range(a_i + 1, len(cs)):
                cn = cs[b_i]
                if cn.start >= ca.end + rules.min_rest_hours * HOUR:
                    break
                if _clash(ca.start, ca.end, cn.start, cn.end, rules, tz,
                          spans_of.get(i, ())) is not None:
                    assert ca.var is not None and cn.var is not None
                    m.add_bool_or([ca.var.Not(), cn.var.Not()])
        _limit_unbroken(m, cs, fixed_of.get(i, ()), rules, tz)
        # working days and windows
        day_vars: dict[date, list[cp_model.IntVar]] = defaultdict(list)
        for c in cs:
            assert c.var is not None
            day_vars[c.day].append(c.var)
        own_days = {du.day for du in fixed_of[i]}
        w: dict[date, cp_model.IntVar | int] = {}
        for day, vs in day_vars.items():
            if day in own_days:
                continue
            wv = m.new_bool_var(f"w{i}_{day}")
            for v in vs:
                m.add_implication(v, wv)
            w[day] = wv
        n_win = rules.max_consecutive_days + 1
        for day in sorted(w):
            for k in range(n_win):
                w0 = day - timedelta(days=n_win - 1 - k)
                win = [w0 + timedelta(days=j) for j in range(n_win)]
                if min(x for x in win if x in w) != day:
                    continue  # each window once: from its first variable day
                terms: list[cp_model.IntVar] = []
                const = 0
                for x in win:
                    if x in own_days:
                        const += 1
                    elif x in w:
                        wx = w[x]
                        assert not isinstance(wx, int)
                        terms.append(wx)
                if terms and const + len(terms) > rules.max_consecutive_days:
                    m.add(sum(terms) <= rules.max_consecutive_days - const)
        hours_by_day: dict[date, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for c in cs:
            assert c.var is not None
            hours_by_day[c.day].append((c.hours, c.var))
        seen: set[date] = set()
        for day in sorted(hours_by_day):
            for k in range(7):
                w0 = day - timedelta(days=6 - k)
                if w0 in seen:
                    continue
                win = [w0 + timedelta(days=j) for j in range(7)]
                lin = [(hh, v) for x in win for hh, v in hours_by_day.get(x, [])]
                const_h, cap = cap_of(i, win)
                seen.add(w0)
                if const_h + sum(hh for hh, _ in lin) > cap:
                    m.add(sum(hh * v for hh, v in lin) <= int(cap - const_h))
    cover: list[list[_Cand]] = [[] for _ in range(n_h)]
    for c in cands:
        ha = max(0, int((c.start - t0) / HOUR))
        hb = min(n_h, int((c.end - t0) / HOUR))
        for h in range(ha, hb):
            cover[h].append(c)
    obj: list[cp_model.LinearExprT] = []
    slacks: list[tuple[int, int, cp_model.IntVar]] = []
    for ri, dd in enumerate(deficit):
        r = staff_rules[ri]
        for h, need in dd.items():
            sv = m.new_int_var(0, need, f"sv{ri}_{h}")
            vs = [c.var for c in cover[h] if r.matches(people[c.person]) and c.var is not None]
            m.add(sum(vs) + sv >= need)
            slacks.append((ri, h, sv))
            obj.append(W_SLACK * sv)
    unmet_vars: dict[int, cp_model.IntVar] = {}
    for h in range(n_h):
        if demand[h] > 0:
            u = m.new_int_var(0, demand[h], f"u{h}")
            vs = [c.var for c in cover[h] if c.var is not None]
            m.add(sum(vs) + u >= demand[h])
            unmet_vars[h] = u
            obj.append(W_UNMET * u)
    pref = {(pidx[pf.person], pf.day): pf.want for pf in preferences}
    load: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    load_we: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for c in cands:
        assert c.var is not None
        night_h = sum(1 for h in range(int((c.end - c.start) / HOUR))
                      if (c.start + h * HOUR).hour in NIGHT)
        weekend = kind_of.get(c.day) in ("weekend", "holiday")
        cost = W_HOUR * c.hours + W_NIGHT_HOUR * night_h + (W_WEEKEND_HOUR * c.hours
                                                            if weekend else 0)
        obj.append(cost * c.var)
        load[c.person].append((c.hours, c.var))
        if weekend:
            load_we[c.person].append((c.hours, c.var))
    for (i, day), want in pref.items():
        vs = [c.var for c in by_person.get(i, []) if c.day == day and c.var is not None]
        if not want:
            for v in vs:
                obj.append(W_PREF * v)
        elif vs:
            miss = m.new_bool_var(f"pref{i}_{day}")
            m.add_bool_or([*vs, miss])
            obj.append(W_PREF * miss)
        # a wish for a duty on a day without a fitting candidate cannot be granted: ignored
    # fair spread: a convex, separable penalty on each person's special hours (and on
    # those on weekends and holidays) — every further STEP_HOURS·weeks costs W_FAIR more per
    # hour, so hours go to the least loaded first (kinder to the LP bound than a max)
    step = max(1, round(STEP_HOURS * max(1.0, days / 7)))
    for weight, loads in ((W_FAIR, load), (W_FAIR_WEEKEND, load_we)):
        for i, lst in loads.items():
            ub = sum(hh for hh, _ in lst)
            expr = sum(hh * v for hh, v in lst)
            kk = 1
            while kk * step < ub:
                e = m.new_int_var(0, ub - kk * step, f"e{i}_{kk}_{weight}")
                m.add(e >= expr - kk * step)
                obj.append(weight * e)
                kk += 1
    m.minimize(sum(obj))

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = num_workers
    prm.random_seed = seed
    # the workers race; with several optimal rosters, which one comes back depended on which
    # worker found its roster first (1 run in 4 of the county's day gave another roster, so
    # another plan). Interleaved search runs them in fixed batches: reproducible
    prm.interleave_search = deterministic
    if subsolvers:
        prm.subsolvers.extend(subsolvers)
    prm.max_time_in_seconds = time_limit
    if gap_limit > 0:
        prm.relative_gap_limit = gap_limit
    trace: list[tuple[float, float]] = []

    class _Trace(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            trace.append((self.wall_time, self.objective_value))

    tracer = _Trace()
    t_start = _time.perf_counter()
    status = solver.solve(m, tracer)
    wall = _time.perf_counter() - t_start
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # every staffing and demand row has its slack: the model always has a solution, so
        # no roster means the clock stopped the search (UNKNOWN), not that the rules fail
        timed_out = status == cp_model.UNKNOWN
        raise RosterInfeasible(
            [], headline=f"CP-SAT found no roster in {time_limit:g} s "
            f"(status {solver.status_name(status)})"
            + ("; it ran out of time before finding one: allow more time (time_limit)"
               if timed_out else ""), timed_out=timed_out)
    bound = solver.best_objective_bound
    objective = solver.objective_value
    within = next((t for t, o in trace if o - bound <= 0.01 * max(abs(o), 1e-9)), None)
    stats = SolveStats(
        status=solver.status_name(status), build_seconds=t_start - t_build,
        objective=objective, bound=bound,
        wall_seconds=wall, first_solution_seconds=trace[0][0] if trace else None,
        within_1pct_seconds=within, n_variables=len(m.proto.variables),
        n_candidates=len(cands), num_workers=num_workers,
        extension_hours=tuple(sorted(ext_offered)), block_hours=tuple(sorted(block_offered)))

    # --- the roster ------------------------------------------------------------------------
    chosen = [c for c in cands if c.var is not None and solver.boolean_value(c.var)]
    specials: list[Duty] = []
    for c in chosen:
        q = people[c.person]
        ha = max(0, int((c.start - t0) / HOUR))
        hb = min(n_h, int((c.end - t0) / HOUR))
        reasons: list[str] = []
        for h in range(ha, hb):
            for rr in why[h]:
                if rr not in reasons:
                    reasons.append(rr)
            for ri in rules_of[c.person]:
                tag = f"cover:{staff_rules[ri].name}"
                if h in deficit[ri] and tag not in reasons:
                    reasons.append(tag)
        specials.append(Duty(c.day, q.id, q.team, "special", c.start, c.end, q.role,
                             q.squad, "special", ";".join(reasons), tz=tz))
    rows = sorted([*in_h, *specials], key=lambda d: (d.start, d.person, d.end))
    unmet = [int(solver.value(unmet_vars[h])) if h in unmet_vars else 0 for h in range(n_h)]
    short = [(ri, h, int(solver.value(s))) for ri, h, s in slacks if solver.value(s) > 0]
    result = replace(
        _result(scenario, start, days, seed, pat, team_ids, dteams, rules, staff_rules, cal,
                rows, ctx, people, leave, demand, unmet, stats),
        anchor=anchor, phases={t: pat.phase(k, phase_of) for k, t in enumerate(team_ids)},
        country=scenario.country or "",
        notes=tuple(calendar_notes(start, days, policy, scenario.country)))
    if short:
        raise RosterInfeasible(
            _explain(short, staff_rules, people, t0, on_leave, dropped, result,
                     _Context(by_person, {id(c) for c in chosen}, fixed_of, rules, tz)),
            headline=f"the staffing rules cannot all hold: {sum(k for _, _, k in short)} "
                     "person-hours short", result=result)
    return result


@dataclass(frozen=True)
class _Context:
    by_person: dict[int, list[_Cand]]
    chosen: set[int]  # ids of the chosen candidates
    fixed_of: dict[int, list[Duty]]
    rules: RosterRules
    tz: str = ""  # the scenario's timezone: rest and hours are elapsed time in it


def _why_not(i: int, day: date, hours: set[int], t0: datetime, ctx: _Context) -> set[str]:
    """The rules an extra duty of person i on ``day`` covering some of ``hours`` (hour
    indices from t0) breaks together with the person's fixed and chosen duties: each unchosen
    candidate that covers them is tried, or, where none does, a duty over exactly those hours.
    """
    rules = ctx.rules
    mine = ctx.by_person.get(i, [])
    taken = [c for c in mine if id(c) in ctx.chosen]
    duties: list[tuple[date, datetime, datetime]] = [
        (f.day, f.start, f.end) for f in ctx.fixed_of.get(i, [])]
    duties += [(x.day, x.start, x.end) for x in taken]
    tries: list[tuple[datetime, datetime]] = []
    for c in mine:
        ha = int((c.start - t0) / HOUR)
        if (id(c) not in ctx.chosen and c.day == day
                and any(h in hours for h in range(ha, int((c.end - t0) / HOUR)))):
            tries.append((c.start, c.end))
    if not tries and hours:
        tries.append((t0 + min(hours) * HOUR, t0 + (max(hours) + 1) * HOUR))
    out: set[str] = set()
    load: dict[date, float] = defaultdict(float)
    for dday, a, b in duties:
        load[dday] += elapsed_hours(a, b, ctx.tz)
    for a, b in tries:
        for dday, fa, fb in duties:
            if abs((dday - day).days) > 2:
                continue
            why = _clash(fa, fb, a, b, rules, ctx.tz,
                         [(f.start, f.end) for f in ctx.fixed_of.get(i, [])])
            if why is not None:
                out.add(f"{why} (with the duty {fa:%m-%d %H:%M}–{fb:%H:%M})")
        extra = elapsed_hours(a, b, ctx.tz)
        for k in range(7):
            w0 = day - timedelta(days=6 - k)
            tot = sum(load.get(w0 + timedelta(days=j), 0.0) for j in range(7)) + extra
            if tot > rules.max_week_hours:
                out.add(f"weekly-hours ({tot:g} h in the 7 days from {w0})")
                break
        if day not in load:
            left = right = 0
            while day - timedelta(days=left + 1) in load:
                left += 1
            while day + timedelta(days=right + 1) in load:
                right += 1
            if left + right + 1 > rules.max_consecutive_days:
                out.add(f"consecutive-days ({left + right + 1} in a row)")
    return out


def _explain(short: list[tuple[int, int, int]], staff_rules: Sequence[StaffingRule],
             people: Sequence[Person], t0: datetime, on_leave: set[tuple[str, date]],
             dropped: dict[tuple[int, date], set[str]], result: RosterResult,
             ctx: _Context) -> list[Violation]:
    """One violation per staffing rule and day with its short hours, naming who is missing
    and which rule keeps each of them from an extra duty."""
    groups: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
    for ri, h, k in short:
        groups[(ri, (t0 + h * HOUR).date())].append((h, k))
    out: list[Violation] = []
    for (ri, day), hs in sorted(groups.items(), key=lambda x: (x[0][1], x[0][0])):
        r = staff_rules[ri]
        hs.sort()
        spans: list[str] = []
        a = hs[0][0]
        prev = a
        for h, _ in [*hs[1:], (-1, 0)]:
            if h != prev + 1:
                spans.append(f"{a % 24:02d}:00–{(prev % 24) + 1:02d}:00")
                a = h
            prev = h
        on = set(result.on_duty[hs[0][0]])
        who: list[str] = []
        for i, q in enumerate(people):
            if not r.matches(q) or q.id in on:
                continue
            if (q.id, day) in on_leave:
                who.append(f"{q.id} on leave")
            else:
                why = _why_not(i, day, {h for h, _ in hs}, t0, ctx) or set(
                    dropped.get((i, day), set()))
                if why:
                    who.append(f"{q.id} off duty, an extra duty would break "
                               f"{'/'.join(sorted(why))}")
                elif result.solve.status != "OPTIMAL":
                    who.append(f"{q.id} off duty (an extra duty may fit: the solver stopped "
                               "at its time limit)")
                else:
                    who.append(f"{q.id} off duty, no extra duty shape covers these hours")
        most = max(k for _, k in hs)
        out.append(Violation(
            f"min-staffing:{r.name}", day, None,
            f"{r.describe()} [{r.source}] is short by up to {most} at "
            f"{', '.join(spans)}; " + ("; ".join(who) if who else "nobody else matches")))
    return out


def _result(sc: Scenario, start: date, days: int, seed: int, pat: ShiftPattern,
            teams: tuple[str, ...], dteams: tuple[str, ...], rules: RosterRules,
            staff_rules: Sequence[StaffingRule], cal: Sequence[DayInfo], rows: list[Duty],
            ctx: list[Duty], people: Sequence[Person], leave: Sequence[Leave],
            demand: list[int], unmet: list[int], stats: SolveStats) -> RosterResult:
    t0 = datetime.combine(start, datetime.min.time())
    n_h = 24 * days
    slots = tuple(t0 + h * HOUR for h in range(n_h))
    present: list[set[str]] = [set() for _ in range(n_h)]
    for du in rows:
        a = max(0, int((du.start - t0) / HOUR))
        b = min(n_h, int((du.end - t0) / HOUR))
        for h in range(a, b):
            present[h].add(du.person)
    # the night shift of the day before the horizon runs into its first hours
    for du in ctx:
        a = max(0, int((du.start - t0) / HOUR))
        b = min(n_h, int((du.end - t0) / HOUR))
        for h in range(a, b):
            present[h].add(du.person)
    by_id = {q.id: q for q in people}
    keys: dict[str, list[int]] = {"all": [0] * n_h}
    for q in people:
        for key in (f"role:{q.role}", f"squad:{q.squad}", f"team:{q.team}",
                    *(f"skill:{sk}" for sk in q.skills)):
            keys.setdefault(key, [0] * n_h)
    for h in range(n_h):
        for pid in present[h]:
            q = by_id[pid]
            keys["all"][h] += 1
            keys[f"role:{q.role}"][h] += 1
            keys[f"squad:{q.squad}"][h] += 1
            keys[f"team:{q.team}"][h] += 1
            for sk in q.skills:
                keys[f"skill:{sk}"][h] += 1
    kind_of = {ci.day: ci.kind for ci in cal}
    leave_days: dict[str, int] = defaultdict(int)
    for lv in leave:
        for ci in cal:
            if lv.start <= ci.day <= lv.end:
                leave_days[lv.person] += 1
    per: dict[str, dict[str, float]] = {q.id: defaultdict(float) for q in people}
    worked: dict[str, set[date]] = defaultdict(set)
    night_days: dict[str, set[date]] = defaultdict(set)
    for du in rows:
        acc = per[du.person]
        acc["regular" if du.kind == "regular" else "special"] += du.hours
        if du.kind == "special":
            acc["n_special"] += 1
        worked[du.person].add(du.day)
        if any((du.start + k * HOUR).hour in SMALL_HOURS
               for k in range(int(du.clock_hours))):  # clock hours, not elapsed
            night_days[du.person].add(du.day)
    hours: dict[str, PersonHours] = {}
    for q in people:
        acc = per[q.id]
        hours[q.id] = PersonHours(
            person=q.id, team=q.team, rotating=q.team in teams,
            regular_hours=acc["regular"], special_hours=acc["special"],
            special_duties=int(acc["n_special"]), nights=len(night_days[q.id]),
            weekend_days=sum(1 for x in worked[q.id] if kind_of.get(x) == "weekend"),
            holiday_days=sum(1 for x in worked[q.id] if kind_of.get(x) == "holiday"),
            leave_days=leave_days[q.id])
    rot = [h for h in hours.values() if h.rotating]

    def avail(h: PersonHours) -> float:
        return max(1, days - h.leave_days) / days

    fairness = {
        "gini_nights": gini([h.nights for h in rot]),
        "gini_weekend_days": gini([h.weekend_days + h.holiday_days for h in rot]),
        "gini_special_hours": gini([h.special_hours for h in rot]),
        "gini_nights_per_available_day": gini([h.nights / avail(h) for h in rot]),
        "gini_weekend_days_per_available_day": gini(
            [(h.weekend_days + h.holiday_days) / avail(h) for h in rot]),
        "gini_special_hours_all": gini([h.special_hours for h in hours.values()]),
        "max_special_hours": max((h.special_hours for h in hours.values()), default=0.0),
    }
    violations = check_roster(rows, rules=rules, leave=leave, context=ctx, people=by_id,
                              staffing=staff_rules, calendar=cal, rotating_teams=teams,
                              teams_on_duty=pat.teams_on_duty)
    return RosterResult(
        scenario=sc.name, inputs_hash=sc.inputs_hash, start=start, days=days, seed=seed,
        pattern=pat.name, teams=teams, day_teams=dteams, rules=rules,
        staffing=tuple(staff_rules), calendar=tuple(cal), rows=tuple(rows), context=tuple(ctx),
        slots=slots, on_duty=tuple(tuple(sorted(s)) for s in present),
        staff={k: tuple(v) for k, v in keys.items()}, hours=hours, fairness=fairness,
        demand=tuple(demand), unmet=tuple(unmet), solve=stats,
        violations=tuple(violations))

