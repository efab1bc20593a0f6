"""Rotas for the own duty lists: which of a station's people work which shift.

The roster rotas the brigade's teams only. A police station's units (and the armed police's)
are on duty with their own people, whom the plan counts without naming: :func:`own_rota`
names them. For one list, given how many people its units need on duty in each slot of the
plan (``need``, the crew minimum of the units the plan has on), it gives each person shifts
of the scenario's pattern (its shift types: the 四班三运转 early, middle and night shifts at
``policy.shift_starts``) so that every hour has the people it needs, and keeps the roster's
labour rules (``policy.roster``, checked by :func:`~xunfang.planning.roster.check_roster`):

* at least ``min_rest_hours`` between two shifts, no early start after a night;
* at most ``max_consecutive_days`` working days in a row, ``max_week_hours`` in any 7 days;
* no shift on a leave date (``leave.csv``).

A plan shorter than a week is rota'd as a week that repeats (its days in turn, the week
wrapping round): the rules bind over a week, so a one-day rota that every person could work
once is not one they can work every day (the county's stations: nine people, three at every
hour, are 504 crew-hours a week against 9 × 48 that six days in seven allow). A week or more
is rota'd as it comes, with no history before its first day.

Where the list's units need a sworn officer (民警) on duty (``lead``: a station's duty group
is led by one; its auxiliaries, 辅警, may not enforce the law alone), at least that many of
its ``sworn`` people are on in every such hour: a head count alone had put three auxiliaries
on a town station's night shift.

Where the people cannot cover an hour the rota is short, and says so per slot (``short``;
``lead_short`` for the hours with no sworn officer where one is needed) and in person-hours;
it never stands a unit down (the posture has it on duty). A re-plan
keeps the shifts of the plan in force that started before its time (``kept``), and of the
later ones changes as few as the hours it must cover allow. CP-SAT solves it: one worker and
a fixed seed, so the same plan gives the same rota.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ortools.sat.python import cp_model

from xunfang.plan import Slot
from xunfang.planning.roster.check import leave_span
from xunfang.planning.roster.patterns import OFF_CODES, ShiftType, pattern
from xunfang.scenario.model import Leave, Scenario

#: objective weights: first the shortfall (proven), then, keeping it, the rest
W_EMPTY = 1000  # an uncovered person-hour outweighs every hour left with no one
W_HOUR = 1  # each hour worked (no shift where no one is needed)
W_MOST_HOURS = 5  # the most hours a week any one person works
W_MOST_NIGHTS = 3  # the most night shifts any one person works
W_CHANGE = 100  # a re-plan: each later shift of the plan in force dropped or added
TIME_LIMIT_S = 60.0  # a safety net: the budgets below end the solves first
#: CP-SAT deterministic time for the shortfall (a plan of 14 days for 20 people proves it
#: in about 3): a budget, not seconds, so that an unproven one is the same on every machine
SHORT_BUDGET = 20.0
#: CP-SAT deterministic time for the fair share once the shortfall is proven (about a
#: second here): the share is then the best found, not always proven best
FAIR_BUDGET = 2.0


class RotaError(ValueError):
    """A rota that cannot be made as asked (a re-plan's kept shifts clash)."""


@dataclass(frozen=True)
class OwnDuty:
    """One person's shift: ``day`` is the roster day (a night shift's day is its evening)."""

    person: str
    day: date
    shift: str  # the pattern's shift name: early, middle, night, day
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start) / timedelta(hours=1)


@dataclass(frozen=True)
class OwnRota:
    """The rota of one own duty list over the plan's days."""

    units: tuple[str, ...]
    people: tuple[str, ...]
    duties: tuple[OwnDuty, ...]  # the shifts that touch the plan's days, by start, person
    #: (slot index, people needed, people on duty) where fewer are on than needed
    short: tuple[tuple[int, int, int], ...]
    short_hours: float  # person-hours needed in the plan's days that no one works
    week_hours: Mapping[str, float]  # per person: the (repeating) week's hours, or the
    # busiest 7 days of a longer plan
    week_short_hours: float  # person-hours a week no one works (the repeating week's)
    repeating: bool  # the plan is shorter than a week: rota'd as a week that repeats
    #: optimal; "shortfall optimal" (the fair share is the best found in its budget);
    #: feasible (neither proven)
    status: str
    kept: int = 0  # shifts of the plan in force kept (a re-plan)
    #: (slot index, sworn officers needed, on duty) where fewer are on than the lead needs
    lead_short: tuple[tuple[int, int, int], ...] = ()
    lead_short_hours: float = 0.0  # hours of the plan's days short of a sworn lead
    week_lead_short_hours: float = 0.0  # the same a week (the repeating week's)

    def renamed(self, names: Mapping[str, str], units: tuple[str, ...]) -> OwnRota:
        """The same rota for another list alike: its people by ``names``, its ``units``."""
        return replace(self, units=units, people=tuple(names[p] for p in self.people),
                       duties=tuple(sorted((replace(d, person=names[d.person])
                                            for d in self.duties),
                                           key=lambda d: (d.start, d.person))),
                       week_hours={names[p]: h for p, h in self.week_hours.items()})

    def as_json(self) -> dict[str, object]:
        return {
            "duties": [{"person": d.person, "day": d.day.isoformat(), "shift": d.shift,
                        "from": d.start.isoformat(timespec="minutes"),
                        "to": d.end.isoformat(timespec="minutes")} for d in self.duties],
            "short": [{"slot": k, "need": n, "have": h} for k, n, h in self.short],
            "short_hours": round(self.short_hours, 1),
            "week_hours": {p: round(h, 1) for p, h in self.week_hours.items()},
            "week_short_hours": round(self.week_short_hours, 1),
            "repeating_week": self.repeating, "status": self.status, "kept": self.kept,
            "lead_short": [{"slot": k, "need": n, "have": h} for k, n, h in self.lead_short],
            "lead_short_hours": round(self.lead_short_hours, 1),
            "week_lead_short_hours": round(self.week_lead_short_hours, 1),
        }


def duties_from_json(rows: Iterable[Mapping[str, object]], where: str) -> tuple[OwnDuty, ...]:
    """plan.json's rota duties back (a re-plan's plan in force); a bad row is an error
    naming ``where`` and its field."""
    out: list[OwnDuty] = []
    for i, r in enumerate(rows):
        try:
            out.append(OwnDuty(person=str(r["person"]), day=date.fromisoformat(str(r["day"])),
                               shift=str(r["shift"]),
                               start=datetime.fromisoformat(str(r["from"])),
                               end=datetime.fromisoformat(str(r["to"]))))
        except (KeyError, ValueError) as exc:
            raise RotaError(f"{where}: rota duty {i}: {exc.__class__.__name__} {exc}") from None
    return tuple(out)


@dataclass(frozen=True)
class _Shift:
    r: int  # roster day, from the model's first day (-1: the evening before)
    st: ShiftType
    a: int  # first model hour (may pass the model's end in a repeating week)

    @property
    def b(self) -> int:
        return self.a + self.st.hours


#: Rotas solved in this process, by everything a rota depends on (:func:`_key`), the
#: oldest dropped past ``CACHE_SIZE``: a plan made again — a planner's second run with
#: another seed or language, the centre's re-plans, the tests' county plans — reuses its
#: lists' solves (1.7 s of the county's 6.2 s day plan). A rota is immutable, and the
#: solve deterministic (one worker, a fixed seed, deterministic budgets): a hit is the rota
#: the solve would give.
_SOLVED: OrderedDict[tuple[object, ...], OwnRota] = OrderedDict()
CACHE_SIZE = 64
_LOCK = threading.Lock()
#: hits and solves since the process began (the tests check the key by them)
CACHE_STATS = {"hits": 0, "solves": 0}


def own_rota(scenario: Scenario, slots: Sequence[Slot], units: Sequence[str],
             people: Sequence[str], need: Sequence[int], *, kept: Sequence[OwnDuty] = (),
             at: datetime | None = None, seed: int = 0,
             time_limit_s: float = TIME_LIMIT_S, sworn: Collection[str] = (),
             lead: Sequence[int] | None = None) -> OwnRota:
    """The rota of one own duty list (see the module doc): ``need`` per slot of ``slots``
    (which start at midnight and cover whole days); ``lead`` per slot, how many of those
    people must be of ``sworn`` (none: no such rule); ``kept`` and ``at`` for a re-plan."""
    if len(need) != len(slots):
        raise ValueError(f"need: {len(need)} values for {len(slots)} slots")
    lead = [0] * len(slots) if lead is None else list(lead)
    if len(lead) != len(slots):
        raise ValueError(f"lead: {len(lead)} values for {len(slots)} slots")
    key = _key(scenario, slots, units, people, need, kept, at, seed, time_limit_s, sworn,
               lead)
    with _LOCK:  # the centre plans in a thread pool: one's eviction under another's lookup
        hit = _SOLVED.get(key)
        if hit is not None:
            _SOLVED.move_to_end(key)
            CACHE_STATS["hits"] += 1
            return hit
    rota = _solve(scenario, slots, units, people, need, kept=kept, at=at, seed=seed,
                  time_limit_s=time_limit_s, sworn=sworn, lead=lead)
    with _LOCK:
        CACHE_STATS["solves"] += 1
        _SOLVED[key] = rota
        while len(_SOLVED) > CACHE_SIZE:
            _SOLVED.popitem(last=False)
    return rota


def _key(scenario: Scenario, slots: Sequence[Slot], units: Sequence[str],
         people: Sequence[str], need: Sequence[int], kept: Sequence[OwnDuty],
         at: datetime | None, seed: int, time_limit_s: float, sworn: Collection[str],
         lead: Sequence[int]) -> tuple[object, ...]:
    """What :func:`_solve` reads, hashable: the pattern, the labour rules, the list's
    people's leave and sworn officers, the slots, needs, kept shifts and solver settings."""
    policy = scenario.policy
    rules = policy.roster
    members = set(people)
    leads = set(sworn)
    return (policy.shift_pattern, tuple(policy.shift_starts),
            (rules.min_rest_hours, rules.no_night_then_early, rules.max_consecutive_days,
             rules.max_week_hours),
            tuple((lv.person, lv.start, lv.end) for lv in scenario.leave
                  if lv.person in members),
            tuple((s.index, s.start, s.minutes) for s in slots), tuple(units), tuple(people),
            tuple(int(n) for n in need), tuple(kept), at, seed, time_limit_s,
            tuple(p in leads for p in people), tuple(int(n) for n in lead))


def _solve(scenario: Scenario, slots: Sequence[Slot], units: Sequence[str],
           people: Sequence[str], need: Sequence[int], *, kept: Sequence[OwnDuty],
           at: datetime | None, seed: int, time_limit_s: float, sworn: Collection[str],
           lead: Sequence[int]) -> OwnRota:
    """:func:`own_rota`'s solve (its arguments checked)."""
    policy = scenario.policy
    rules = policy.roster
    pat = pattern(policy.shift_pattern, policy.shift_starts)
    types = [pat.shifts[c] for c in dict.fromkeys(pat.cycle) if c not in OFF_CODES]
    t0 = slots[0].start
    d0 = t0.date()
    n_days = math.ceil(sum(s.minutes for s in slots) / 1440)
    hp = 24 * n_days
    repeating = n_days < 7
    w = 7 if repeating else n_days
    h_all = 24 * w
    # people needed in each hour of the plan: the most of any slot overlapping it
    need_h = _by_hour(slots, need, t0, hp, n_days, h_all)
    lead_h = _by_hour(slots, lead, t0, hp, n_days, h_all)
    shifts: list[_Shift] = []
    for r in range(0 if repeating else -1, w):
        for st in types:
            a = 24 * r + st.start_hour
            if repeating or (a < h_all and a + st.hours > 0):
                shifts.append(_Shift(r, st, a))

    def hours_of(sh: _Shift) -> list[int]:
        """The model hours ``sh`` covers (wrapped round a repeating week, else clipped)."""
        if repeating:
            return [h % h_all for h in range(sh.a, sh.b)]
        return [h for h in range(max(sh.a, 0), min(sh.b, h_all))]

    def plan_day(sh: _Shift) -> date:
        # a shift running past the repeating week's end is in the plan by its wrapped hours
        # only: it is the evening before's (a review: 20:00–08:00 and 23:00–07:00 nights
        # were dated six days on, the plan's first hours listed as covered by no one's)
        wrapped = repeating and sh.b > h_all
        return d0 + timedelta(days=sh.r - (w if wrapped else 0))

    def in_plan(sh: _Shift) -> bool:
        return any(h < hp for h in hours_of(sh))

    def start_of(sh: _Shift) -> datetime | None:
        """The shift's start as plan time, None for a repeating week's later days."""
        if not in_plan(sh):
            return None
        return sh.st.start(plan_day(sh))

    starts = [start_of(sh) for sh in shifts]  # plan time, None off the plan's days
    m = cp_model.CpModel()
    x = {(p, i): m.new_bool_var(f"x_{p}_{i}") for p in people for i in range(len(shifts))}
    # pairs no one person may work both of: overlap, too little rest, an early after a night
    clash: list[tuple[int, int]] = []
    for i, si in enumerate(shifts):
        for j in range(i + 1, len(shifts)):
            sj = shifts[j]
            if repeating:
                d_ij = (sj.a - si.a) % h_all
                d_ji = (si.a - sj.a) % h_all
                gaps = [d_ij - si.st.hours, d_ji - sj.st.hours]
            else:
                first_, second = (si, sj) if si.a <= sj.a else (sj, si)
                gaps = [second.a - first_.b]
            bad = min(gaps) < rules.min_rest_hours
            if rules.no_night_then_early and not bad:
                for n_, e_ in ((si, sj), (sj, si)):
                    nxt = (n_.r + 1) % w if repeating else n_.r + 1
                    if n_.st.name == "night" and e_.r == nxt and e_.st.start_hour < 12:
                        bad = True
            if bad:
                clash.append((i, j))
    leave_of: dict[str, list[Leave]] = {}
    for lv in scenario.leave:
        leave_of.setdefault(lv.person, []).append(lv)
    kept_at = {(d.person, d.start) for d in kept}
    n_kept = 0
    all_worked: list[cp_model.IntVar] = []
    for p in people:
        for i, j in clash:
            m.add_bool_or([x[(p, i)].Not(), x[(p, j)].Not()])
        for i, (sh, start) in enumerate(zip(shifts, starts, strict=True)):
            if at is not None and start is not None and start < at:
                # a re-plan: what started before it happened as the plan in force had it
                keep = (p, start) in kept_at
                m.add(x[(p, i)] == int(keep))
                n_kept += keep
                continue
            if start is not None and _on_leave(start, sh.st.hours, leave_of.get(p, [])):
                m.add(x[(p, i)] == 0)
        # working days in a row and hours in any 7 days, by roster day
        days = sorted({sh.r for sh in shifts})
        worked = {r: m.new_bool_var(f"w_{p}_{r}") for r in days}
        all_worked.extend(worked.values())
        for i, sh in enumerate(shifts):
            m.add_implication(x[(p, i)], worked[sh.r])
        run = rules.max_consecutive_days + 1
        for r0 in days:
            if repeating and run > w:
                # the week repeats: seven working days in it are a run with no end, and one
                # day off a week keeps any longer run
                m.add(sum(worked.values()) <= w - 1)
                break
            window = [(r0 + q) % w if repeating else r0 + q for q in range(run)]
            if not repeating and window[-1] > days[-1]:
                break
            m.add(sum(worked[r] for r in window) <= rules.max_consecutive_days)
        for r0 in days:
            span = {(r0 + q) % w if repeating else r0 + q for q in range(7)}
            if not repeating and r0 + 6 > days[-1] and r0 != days[0]:
                break
            m.add(sum(sh.st.hours * x[(p, i)] for i, sh in enumerate(shifts) if sh.r in span)
                  <= rules.max_week_hours)
            if repeating:
                break  # the one week
    covers: list[list[int]] = [[] for _ in range(h_all)]
    for i, sh in enumerate(shifts):
        for h in hours_of(sh):
            covers[h].append(i)
    short = [m.new_int_var(0, need_h[h], f"s_{h}") for h in range(h_all)]
    for h in range(h_all):
        if need_h[h]:
            m.add(sum(x[(p, i)] for p in people for i in covers[h]) + short[h] >= need_h[h])
    sworn_set = set(sworn)
    sworn_in = [p for p in people if p in sworn_set]
    lead_short = [m.new_int_var(0, lead_h[h], f"l_{h}") for h in range(h_all)]
    for h in range(h_all):
        if lead_h[h]:
            m.add(sum(x[(p, i)] for p in sworn_in for i in covers[h]) + lead_short[h]
                  >= lead_h[h])
    # each person's hours in the model: the repeating week's, or the whole plan's
    week = {p: sum(sh.st.hours * x[(p, i)] for i, sh in enumerate(shifts)) for p in people}
    most = m.new_int_var(0, 24 * (w + 1), "most")
    most_n = m.new_int_var(0, len(shifts), "most_n")
    nights = [i for i, sh in enumerate(shifts) if sh.st.name == "night"]
    for p in people:
        m.add(most >= week[p])
        m.add(most_n >= sum(x[(p, i)] for i in nights))
    # first the fewest uncovered person-hours (the plan's own days first in a repeating
    # week: tomorrow is what is planned, the other days are the week it must keep), proven;
    # then, keeping that, the fewest hours and the fairest share of hours and nights
    weight = [2 if repeating and h < hp else 1 for h in range(h_all)]
    # an hour with no sworn officer where one is needed counts as a person-hour uncovered
    uncovered = sum(weight[h] * (short[h] + lead_short[h]) for h in range(h_all))
    # and of as many short hours, the fewest left with no one at all: one person crews a
    # foot patrol or a motorcycle where no one crews nothing (five people for the county's
    # three a day had left the night empty and the day full)
    empty = []
    for h in range(h_all):
        if need_h[h]:
            e = m.new_bool_var(f"e_{h}")
            m.add(short[h] <= need_h[h] - 1 + e)
            empty.append(e)
    m.minimize(W_EMPTY * uncovered + sum(empty))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.max_deterministic_time = SHORT_BUDGET
    # the model's LP with every constraint: the short bound (hours a person may work) is
    # then proven at once; at CP-SAT's default level a day of the county did not close in 20 s
    solver.parameters.linearization_level = 2
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RotaError(f"the rota of {', '.join(units)} cannot be made: "
                        f"{solver.status_name(status)} (the plan in force's shifts before "
                        f"{at} clash with the rules)" if at is not None else
                        f"the rota of {', '.join(units)}: {solver.status_name(status)}")
    proven = status == cp_model.OPTIMAL
    first_on = {key for key, v in x.items() if solver.value(v)}
    m.add(W_EMPTY * uncovered + sum(empty) <= round(solver.objective_value))
    for v in [*x.values(), *short, *lead_short, *empty, *all_worked]:
        m.add_hint(v, solver.value(v))
    # a re-plan changes as few of the plan in force's later shifts as it can
    changed = [1 - x[(p, i)] if (p, start) in kept_at else x[(p, i)]
               for p in people for i, start in enumerate(starts)
               if at is not None and start is not None and start >= at]
    m.minimize(W_CHANGE * sum(changed) + W_HOUR * sum(week.values()) + W_MOST_HOURS * most
               + W_MOST_NIGHTS * most_n)
    # a budget in CP-SAT's deterministic time, not seconds: the same rota on every machine
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.max_deterministic_time = FAIR_BUDGET
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        on = {key for key, v in x.items() if solver.value(v)}
    else:  # none found in the budget (20 people, 14 days): the shortfall's rota stands
        on = first_on
        status = cp_model.FEASIBLE
    duties = sorted((OwnDuty(person=p, day=plan_day(shifts[i]), shift=shifts[i].st.name,
                             start=shifts[i].st.start(plan_day(shifts[i])),
                             end=shifts[i].st.end(plan_day(shifts[i])))
                     for p, i in on if in_plan(shifts[i])),
                    key=lambda d: (d.start, d.person))
    on_h = [0] * h_all
    lead_on_h = [0] * h_all
    for p, i in on:
        for h in hours_of(shifts[i]):
            on_h[h] += 1
            lead_on_h[h] += p in sworn_set
    slot_short, short_hours = _slots_short(slots, need, on_h, t0, hp)
    slot_lead, lead_hours = _slots_short(slots, lead, lead_on_h, t0, hp)
    week_short = float(sum(max(need_h[h] - on_h[h], 0) for h in range(h_all))) * 7 / w
    week_lead = float(sum(max(lead_h[h] - lead_on_h[h], 0) for h in range(h_all))) * 7 / w
    if repeating:
        week_h = {p: float(sum(shifts[i].st.hours for q, i in on if q == p)) for p in people}
    else:
        week_h = {p: max(float(sum(shifts[i].st.hours for q, i in on
                                   if q == p and r0 <= shifts[i].r < r0 + 7))
                         for r0 in range(-1, max(w - 6, 0)))
                  for p in people}
    return OwnRota(units=tuple(units), people=tuple(people), duties=tuple(duties),
                   short=tuple(slot_short),
                   short_hours=short_hours,
                   week_hours=week_h, week_short_hours=week_short, repeating=repeating,
                   status=("optimal" if status == cp_model.OPTIMAL
                           else "shortfall optimal" if proven else "feasible"),
                   kept=n_kept, lead_short=tuple(slot_lead), lead_short_hours=lead_hours,
                   week_lead_short_hours=week_lead)


def _plan_hours(s: Slot, t0: datetime, hp: int) -> range:
    """The plan's hours (from ``t0``, fewer than ``hp``) that slot ``s`` overlaps."""
    first = int((s.start - t0) / timedelta(hours=1))
    return range(first, min(math.ceil((s.end - t0) / timedelta(hours=1)), hp))


def short_days(rota: Mapping[str, object], slots: Sequence[Slot]) -> set[date]:
    """The days of ``slots`` with a slot that a rota as plan.json has it (``as_json``)
    leaves short of people or of a sworn lead: what the report's duty sheet and the
    dashboard's mark."""
    day_of = {s.index: s.start.date() for s in slots}
    lists = [v for v in (rota.get("short"), rota.get("lead_short")) if isinstance(v, list)]
    slots_short = [r.get("slot") for v in lists for r in v if isinstance(r, Mapping)]
    return {day_of[k] for k in slots_short if isinstance(k, int) and k in day_of}


def _by_hour(slots: Sequence[Slot], per_slot: Sequence[int], t0: datetime, hp: int,
             n_days: int, h_all: int) -> list[int]:
    """``per_slot`` for each model hour: the most of any slot overlapping the plan's hour
    (a repeating week repeats the plan's days)."""
    plan_h = [0] * hp
    for s, n in zip(slots, per_slot, strict=True):
        for h in _plan_hours(s, t0, hp):
            plan_h[h] = max(plan_h[h], int(n))
    return [plan_h[(h // 24 % n_days) * 24 + h % 24] for h in range(h_all)]


def _slots_short(slots: Sequence[Slot], per_slot: Sequence[int], on_h: Sequence[int],
                 t0: datetime, hp: int) -> tuple[list[tuple[int, int, int]], float]:
    """The slots with fewer on (``on_h``, per model hour: the fewest of the slot's hours)
    than ``per_slot`` asks, as (slot index, needed, on), and the hours short by the slots'
    minutes (a half-hour slot short of one is half an hour)."""
    out: list[tuple[int, int, int]] = []
    hours = 0.0
    for s, n in zip(slots, per_slot, strict=True):
        have = min(on_h[h] for h in _plan_hours(s, t0, hp))
        if have < n:
            out.append((s.index, int(n), have))
            hours += (n - have) * s.minutes / 60
    return out, hours


def _on_leave(start: datetime, hours: int, leave: Sequence[Leave]) -> bool:
    """Whether any hour of a shift from ``start`` falls on a leave date, by the roster
    checker's own span of a leave (:func:`~xunfang.planning.roster.check.leave_span`); the
    hours before the plan's first day too: a 23:00 night the evening before a leave had
    been given."""
    end = start + timedelta(hours=hours)
    return any(start < b and end > a for a, b in map(leave_span, leave))
