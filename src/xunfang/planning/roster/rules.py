"""What a roster must satisfy: hard rules, minimum staffing, special-duty demand, leave.

* :class:`RosterRules` — the labour rules every person's duties keep (hard).
* :class:`StaffingRule` — at least ``count`` people matching a filter on duty in given hours
  (hard): by role, skill (any of), squad or team. Defaults come from the scenario
  (:func:`default_staffing`); a staffing file adds rules (:func:`read_staffing`).
* :class:`SurgeRule` — extra people on special duty in given hours (soft, reported when not
  met): noon and evening reinforcement, weekend and holiday surges, events, night
  checkpoints (:func:`default_surges`; an hourly risk profile replaces the fixed noon and
  evening hours).
* Leave: :func:`read_leave` reads an extra leave file; :func:`leave_problems` finds overlaps.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from xunfang._errors import Problem, ScenarioError
from xunfang.planning.roster.calendar import DAY_KINDS, DayKind
from xunfang.planning.roster.patterns import ShiftPattern
from xunfang.scenario.model import Event, Leave, Person, Policy, RosterPolicy, Scenario
from xunfang.scenario.tables import find_table, read_required

ALL_HOURS: tuple[int, ...] = tuple(range(24))
LEADER_SKILLS: tuple[str, ...] = ("leader", "team_leader")

#: the defaults of the labour rules are scenario.toml's (``[policy.roster]``), held once
_DEFAULT = RosterPolicy()


@dataclass(frozen=True)
class RosterRules:
    """Labour rules (hard). Hours are whole hours; days are roster days. The defaults are
    :class:`~xunfang.scenario.model.RosterPolicy`'s (11 h rest, no early start after a
    night, 6 days in a row, 56 h in any 7 days, 12 h unbroken)."""

    min_rest_hours: int = _DEFAULT.min_rest_hours
    no_night_then_early: bool = _DEFAULT.no_night_then_early
    max_consecutive_days: int = _DEFAULT.max_consecutive_days
    # in any 7 consecutive roster days, special duties included
    max_week_hours: int = _DEFAULT.max_week_hours
    # longest unbroken stretch on duty (a shift with its extension)
    max_duty_hours: int = _DEFAULT.max_duty_hours

    @classmethod
    def of(cls, policy: Policy) -> RosterRules:
        """The rules scenario.toml's ``[policy.roster]`` sets (the defaults where it is
        silent)."""
        r = policy.roster
        return cls(min_rest_hours=r.min_rest_hours, no_night_then_early=r.no_night_then_early,
                   max_consecutive_days=r.max_consecutive_days,
                   max_week_hours=r.max_week_hours, max_duty_hours=r.max_duty_hours)


#: each labour rule's name (as violations give it) and the ``[policy.roster]`` key setting it
RULE_SETTINGS: dict[str, str] = {
    "rest": "min_rest_hours", "night-then-early": "no_night_then_early",
    "consecutive-days": "max_consecutive_days", "weekly-hours": "max_week_hours",
    "max-duty-hours": "max_duty_hours",
}


@dataclass(frozen=True)
class StaffingRule:
    """At least ``count`` rostered people matching the filter on duty in each matching hour.

    ``skills`` matches a person with any of them. ``team`` limits the rule to the hours that
    team is on its regular shift. ``source`` names where the rule came from.
    """

    name: str
    count: int
    role: str | None = None
    skills: tuple[str, ...] = ()
    squad: str | None = None
    team: str | None = None
    hours: tuple[int, ...] = ALL_HOURS
    days: tuple[DayKind, ...] = DAY_KINDS
    source: str = "default"

    def matches(self, p: Person) -> bool:
        return ((self.role is None or p.role == self.role)
                and (not self.skills or any(s in p.skills for s in self.skills))
                and (self.squad is None or p.squad == self.squad)
                and (self.team is None or p.team == self.team))

    def describe(self) -> str:
        what = [f"role {self.role}" if self.role else "",
                f"skill {'/'.join(self.skills)}" if self.skills else "",
                f"squad {self.squad}" if self.squad else "",
                f"team {self.team}" if self.team else ""]
        who = ", ".join(w for w in what if w) or "anyone"
        return f"{self.name}: ≥ {self.count} on duty ({who})"


@dataclass(frozen=True)
class SurgeRule:
    """``extra`` people on special duty in the given hours of the given day kinds, or in the
    window ``[start, end)`` when set (events)."""

    reason: str
    extra: int
    hours: tuple[int, ...] = ALL_HOURS
    days: tuple[DayKind, ...] = DAY_KINDS
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Preference:
    """A wish of one person: no special duty on ``day`` (``want=False``), or one (``True``)."""

    person: str
    day: date
    want: bool = False


# --- defaults ------------------------------------------------------------------------------------


def default_staffing(sc: Scenario, rostered: Sequence[Person], teams: Sequence[str],
                     p: ShiftPattern) -> tuple[StaffingRule, ...]:
    """Minimum staffing derived from the scenario, every rule met by each full team alone.

    * everyone: at least (smallest rotating team − 2) on duty every hour (two may be absent);
    * a leader every hour: a police officer where every team has one ("an officer leads each
      team where the scenario has enough officers"), else a ``leader``/``team_leader``;
    * drivers: one per car of the rostered tiers, at most as many as the team with fewest;
    * a drone pilot in the hours of the first shift of the pattern ("on day shifts") when
      the scenario has drones and every team a pilot;
    * each squad that every team has: at least one of it on duty every hour.
    """
    by_team = {t: [q for q in rostered if q.team == t] for t in teams}
    if not by_team or any(not v for v in by_team.values()):
        return ()
    smallest = min(len(v) for v in by_team.values())
    rules: list[StaffingRule] = [
        StaffingRule("on-duty", max(1, smallest - 2)),
    ]
    if all(any(q.role == "police" for q in v) for v in by_team.values()):
        rules.append(StaffingRule("leader", 1, role="police"))
    elif all(any(s in q.skills for s in LEADER_SKILLS for q in v) for v in by_team.values()):
        rules.append(StaffingRule("leader", 1, skills=LEADER_SKILLS))
    tiers = {str(q.extra.get("tier", "")) for q in rostered} - {""}
    cars = [u for u in sc.units if u.mode == "car" and (not tiers or u.tier in tiers)]
    drivers = min(sum("driver" in q.skills for q in v) for v in by_team.values())
    if cars and drivers:
        rules.append(StaffingRule("driver", min(len(cars), drivers), skills=("driver",)))
    drones = [u for u in sc.units if u.mode == "drone" and (not tiers or u.tier in tiers)]
    pilots = min(sum("drone_pilot" in q.skills for q in v) for v in by_team.values())
    first = next((p.shifts[c] for c in p.cycle if c in p.shifts), None)
    if drones and pilots and first is not None:
        day_hours = tuple(sorted({h % 24 for h in range(first.start_hour,
                                                         first.start_hour + first.hours)}))
        rules.append(StaffingRule("drone-pilot", 1, skills=("drone_pilot",), hours=day_hours))
    squads = set.intersection(*({q.squad for q in v} for v in by_team.values()))
    for s in sorted(squads):
        rules.append(StaffingRule(f"squad-{s}", 1, squad=s))
    return tuple(rules)


NOON_HOURS: tuple[int, ...] = (12, 13)
EVENING_HOURS: tuple[int, ...] = (18, 19, 20, 21)
SURGE_HOURS: tuple[int, ...] = tuple(range(12, 24))


def default_surges(events: Sequence[Event] = (), risk_profile: Sequence[float] | None = None,
                   *, night_checkpoints: int = 0, night_hours: Sequence[int] = ()
                   ) -> tuple[SurgeRule, ...]:
    """Special-duty demand: noon and evening reinforcement, weekend/holiday surges, events.

    Without a risk profile, one extra person at noon (12–14) and in the evening (18–22) every
    day. With one (24 floats, hour 0..23), the reinforcement hours are those whose risk is at
    least 1.25 × the mean (one extra) or 1.75 × the mean (two extra). Weekends and holidays
    add one more from 12:00 to 24:00; each event adds its ``extra_staff`` (else its level)
    over its hours; ``night_checkpoints`` adds that many people in ``night_hours``.
    """
    rules: list[SurgeRule] = []
    if risk_profile is None:
        rules.append(SurgeRule("noon", 1, NOON_HOURS))
        rules.append(SurgeRule("evening", 1, EVENING_HOURS))
    else:
        risk = [float(r) for r in risk_profile]
        if len(risk) != 24 or any(not r >= 0 for r in risk):
            raise ValueError("risk_profile: 24 non-negative numbers, one per hour 0..23, "
                             f"got {len(risk)} values")
        mean = sum(risk) / 24
        if mean > 0:
            one = tuple(h for h in range(24) if risk[h] >= 1.25 * mean)
            two = tuple(h for h in range(24) if risk[h] >= 1.75 * mean)
            if one:
                rules.append(SurgeRule("risk", 1, one))
            if two:
                rules.append(SurgeRule("risk-peak", 1, two))
    rules.append(SurgeRule("weekend", 1, SURGE_HOURS, days=("weekend",)))
    rules.append(SurgeRule("holiday", 1, SURGE_HOURS, days=("holiday",)))
    for e in events:
        rules.append(SurgeRule(f"event:{e.name}", max(1, e.extra_staff or e.level),
                               start=e.start, end=e.end))
    if night_checkpoints > 0:
        rules.append(SurgeRule("night-checkpoint", night_checkpoints, tuple(night_hours)))
    return tuple(rules)


# --- files ---------------------------------------------------------------------------------------


def _hour(text: str) -> int:
    value = text.strip()
    if ":" in value:
        hh, mm = value.split(":", 1)
        if int(mm) != 0:
            raise ValueError
        value = hh
    h = int(value)
    if not 0 <= h <= 24:
        raise ValueError
    return h


def read_staffing(path: Path, rostered: Sequence[Person], teams: Sequence[str]
                  ) -> tuple[StaffingRule, ...]:
    """Staffing rules from a CSV/XLSX table; raise :class:`ScenarioError` naming every bad row.

    Columns: ``count`` (required); ``rule`` (a name); ``role``, ``skill`` (``;``-separated,
    any of), ``squad``, ``team``; ``from``/``to`` hours (``to`` exclusive, wraps past
    midnight; default all day); ``days`` (``all`` or ``;``-separated workday, weekend,
    holiday). A rule asking for more people than the rostered people who match it is an error.
    """
    label = path.name
    t, problems = read_required(path, ("count",))
    roles = {q.role for q in rostered}
    skills = {s for q in rostered for s in q.skills}
    squads = {q.squad for q in rostered}
    out: list[StaffingRule] = []
    for i, row in enumerate(t.rows, start=1):
        n = len(problems)

        def err(rule: str, col: str, msg: str, i: int = i) -> None:
            problems.append(Problem(label, rule, msg, row=i, column=col))

        try:
            count = int(row["count"])
            if count < 0:
                raise ValueError
        except ValueError:
            err("bad-number", "count", f"count {row['count']!r} is not a whole number ≥ 0")
            count = 0
        role = row.get("role", "") or None
        if role is not None and role not in roles:
            err("unknown-role", "role", f"role {role!r} is not a role of the rostered people "
                f"({', '.join(sorted(roles))})")
        sk = tuple(s.strip() for s in row.get("skill", "").split(";") if s.strip())
        for s in sk:
            if s not in skills:
                err("unknown-skill", "skill", f"skill {s!r} is not a skill of any rostered "
                    f"person ({', '.join(sorted(skills))})")
        squad = row.get("squad", "") or None
        if squad is not None and squad not in squads:
            err("unknown-squad", "squad", f"squad {squad!r} is not a squad of the rostered "
                f"people ({', '.join(sorted(squads))})")
        team = row.get("team", "") or None
        if team is not None and team not in teams:
            err("unknown-team", "team", f"team {team!r} is not a rotating team "
                f"({', '.join(teams)})")
        hours: tuple[int, ...] = ALL_HOURS
        if row.get("from", "") or row.get("to", ""):
            try:
                a = _hour(row.get("from", "") or "0")
                b = _hour(row.get("to", "") or "24")
                hours = tuple(h % 24 for h in range(a, b if b > a else b + 24))
            except ValueError:
                err("bad-hour", "from", f"from/to {row.get('from')!r}/{row.get('to')!r} are "
                    "not whole hours 0..24")
        days: tuple[DayKind, ...] = DAY_KINDS
        dtext = row.get("days", "").strip()
        if dtext and dtext != "all":
            kinds = [d.strip() for d in dtext.split(";") if d.strip()]
            bad = [d for d in kinds if d not in DAY_KINDS]
            if bad:
                err("unknown-day-kind", "days", f"days {bad} are not among all, "
                    f"{', '.join(DAY_KINDS)}")
            else:
                days = tuple(d for d in DAY_KINDS if d in kinds)
        if len(problems) > n:
            continue
        rule = StaffingRule(row.get("rule", "") or f"row-{i}", count, role, sk, squad, team,
                            hours, days, source=f"{label}, row {i}")
        have = sum(rule.matches(q) for q in rostered)
        if count > have:
            err("more-than-exist", "count", f"the rule asks for {count} people on duty but "
                f"only {have} rostered people match it ({rule.describe()})")
            continue
        out.append(rule)
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems, source=str(path))
    return tuple(out)


def read_leave(path: Path, people: Iterable[Person]) -> tuple[Leave, ...]:
    """Leave from a CSV/XLSX table with columns person, from, to (dates, both inclusive)."""
    label = path.name
    t, problems = read_required(path, ("person", "from", "to"))
    known = {q.id for q in people}
    out: list[Leave] = []
    for i, row in enumerate(t.rows, start=1):
        if row["person"] not in known:
            problems.append(Problem(label, "unknown-person", f"person {row['person']!r} is not "
                                    "in people.csv", row=i, column="person"))
            continue
        try:
            a = date.fromisoformat(row["from"][:10])
            b = date.fromisoformat(row["to"][:10])
        except ValueError:
            problems.append(Problem(label, "bad-date", f"from/to {row['from']!r}/{row['to']!r}"
                                    " are not dates (YYYY-MM-DD)", row=i, column="from"))
            continue
        if b < a:
            problems.append(Problem(label, "bad-range", f"leave ends ({b}) before it starts "
                                    f"({a})", row=i, column="to"))
            continue
        out.append(Leave(person=row["person"], start=a, end=b,
                         extra={"file": label, "row": i}))
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems, source=str(path))
    return tuple(out)


def _where(lv: Leave, index: int) -> tuple[str, int]:
    f = lv.extra.get("file")
    r = lv.extra.get("row")
    if isinstance(f, str) and isinstance(r, int):
        return f, r
    return "leave.csv", index + 1  # the scenario's own leave, in file order


def leave_problems(leave: Sequence[Leave]) -> list[Problem]:
    """Overlapping leave of one person (each overlap named by both rows)."""
    problems: list[Problem] = []
    by_person: dict[str, list[tuple[int, Leave]]] = {}
    for i, lv in enumerate(leave):
        by_person.setdefault(lv.person, []).append((i, lv))
    for person, items in by_person.items():
        items.sort(key=lambda x: (x[1].start, x[1].end))
        for (i, a), (j, b) in itertools.pairwise(items):
            if b.start <= a.end:
                fa, ra = _where(a, i)
                fb, rb = _where(b, j)
                problems.append(Problem(
                    fb, "overlapping-leave",
                    f"leave of {person} {b.start}–{b.end} overlaps {fa} row {ra} "
                    f"({a.start}–{a.end})", row=rb, column="from"))
    return problems



_YES = {"1", "yes", "y", "true", "t", "是", "want"}
_NO = {"0", "no", "n", "false", "f", "否", "avoid", ""}


def read_preferences(path: Path, rostered: Iterable[Person]) -> tuple[Preference, ...]:
    """Wishes from a CSV/XLSX table: person, date[, want] (want: yes = a special duty
    welcome that day, no or empty = none please)."""
    label = path.name
    t, problems = read_required(path, ("person", "date"))
    known = {q.id for q in rostered}
    out: list[Preference] = []
    for i, row in enumerate(t.rows, start=1):
        if row["person"] not in known:
            problems.append(Problem(label, "unknown-person", f"person {row['person']!r} is not "
                                    "a rostered person", row=i, column="person"))
            continue
        try:
            d = date.fromisoformat(row["date"][:10])
        except ValueError:
            problems.append(Problem(label, "bad-date", f"date {row['date']!r} is not a date "
                                    "(YYYY-MM-DD)", row=i, column="date"))
            continue
        w = row.get("want", "").strip().lower()
        if w not in _YES and w not in _NO:
            problems.append(Problem(label, "bad-value", f"want {row.get('want')!r} is not yes "
                                    "or no", row=i, column="want"))
            continue
        out.append(Preference(row["person"], d, w in _YES))
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems, source=str(path))
    return tuple(out)


def scenario_staffing(sc: Scenario, rostered: Sequence[Person], teams: Sequence[str]
                      ) -> tuple[StaffingRule, ...]:
    """The rules of ``staffing.csv`` / ``staffing.xlsx`` in the scenario's folder (none when
    the folder has no such table); errors as :func:`read_staffing`."""
    from xunfang.scenario.loader import resolve

    source = sc.source
    if not source:
        return ()
    folder = resolve(source.removeprefix("builtin:"))
    problems: list[Problem] = []
    path = find_table(folder, "staffing", problems=problems)
    if problems:
        raise ScenarioError(problems, source=str(folder))
    return () if path is None else read_staffing(path, rostered, teams)
