"""What a planner asks a re-plan for, checked against the plan in force: the moment it starts,
units held at incidents, units out of service, new hot places (动态调整的输入).

The command line (``xunfang replan --at --busy --out-of-service --hot``) and the command
centre's API (``POST /api/plans/{id}/replan``) ask in their own syntax; both check the same
rules here and get the same :class:`~.replan.ReplanState`. Every error names the ask by the
``label`` its face gave it (``--busy 'PS1-C:G3:16:30'`` or ``busy[0]``) and the rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from xunfang.plan import OUT_OF_SERVICE, Plan, Slot
from xunfang.planning.deploy.inputs import DeployError
from xunfang.planning.deploy.replan import Hot, ReplanState
from xunfang.planning.deploy.solve import BUSY
from xunfang.scenario.model import Scenario

_HHMM = re.compile(r"^\d{1,2}:\d{2}$")
#: the share of the slot's total risk a hot place adds when none is given
HOT_SHARE = 0.5
#: the largest share a hot place may add
MAX_HOT_SHARE = 100.0


class AskError(DeployError):
    """A re-plan asked for something the plan in force or the scenario does not allow; the
    message names the ask and the rule broken."""


@dataclass(frozen=True)
class BusyAsk:
    """``unit`` is held at an incident in ``grid`` until ``until`` (``HH:MM`` on a one-day
    plan's day or an ISO date-time)."""

    unit: str
    grid: str
    until: str
    label: str  # how an error names this ask: "--busy 'PS1-C:G3:16:30'", "busy[0]"


@dataclass(frozen=True)
class HotAsk:
    """``grid`` is hot from ``start`` to ``end`` (moments as :class:`BusyAsk`'s ``until``):
    it gets ``share`` more of the slot's total risk and one unit more than planned."""

    grid: str
    start: str
    end: str
    label: str
    share: float = HOT_SHARE


def parse_moment(text: str, slots: Sequence[Slot], option: str) -> datetime:
    """``HH:MM`` on the plan's day (a one-day plan only; ``24:00`` is its end) or an ISO
    date-time in local time, within the plan (its end included); :class:`AskError` names
    ``option``."""
    first, end = slots[0].start, slots[-1].end
    if _HHMM.match(text):
        if len({s.start.date() for s in slots}) > 1:
            raise AskError(f"{option} {text!r}: the plan covers several days; give an ISO "
                           "date-time (YYYY-MM-DDTHH:MM)")
        h, m = (int(x) for x in text.split(":"))
        if (h, m) == (24, 0):
            return end
        if h > 23 or m > 59:
            raise AskError(f"{option} {text!r}: not a time of day HH:MM")
        at = first.replace(hour=h, minute=m)
    else:
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise AskError(f"{option} {text!r}: neither a time HH:MM nor an ISO date-time "
                           "(YYYY-MM-DDTHH:MM)") from None
        if not re.search(r"\d:\d\d", text):  # a date alone would be its midnight (H3 #5)
            raise AskError(f"{option} {text!r}: give a time of day too (YYYY-MM-DDTHH:MM)")
        if at.tzinfo is not None:
            raise AskError(f"{option} {text!r}: give the local time without a UTC offset")
    if not first <= at <= end:
        raise AskError(f"{option} {text!r} is outside the plan "
                       f"({first.isoformat(timespec='minutes')}.."
                       f"{end.isoformat(timespec='minutes')})")
    return at


def slot_holding(slots: Sequence[Slot], at: datetime) -> Slot | None:
    return next((s for s in slots if s.start <= at < s.end), None)


def _last_slot_before(slots: Sequence[Slot], until: datetime) -> Slot:
    """The last slot that starts before ``until`` (the slot ``until`` ends in)."""
    return [s for s in slots if s.start < until][-1]


def held_from(plan: Plan, slot: int) -> set[str]:
    """The units ``plan`` has out of service or busy at an incident (an earlier re-plan's) in
    slot index ``slot`` or later: the units a re-plan may bring back in service."""
    later = [s.index for s in plan.slots if s.index >= slot]
    return {u for u in plan.units
            if any(plan.at(u, k).note in (OUT_OF_SERVICE, BUSY) for k in later)}


def replan_state(plan: Plan, scenario: Scenario, at: str, *, at_label: str = "--at",
                 busy: Sequence[BusyAsk] = (), out_of_service: Sequence[tuple[str, str]] = (),
                 hot: Sequence[HotAsk] = (), back: Sequence[tuple[str, str]] = ()
                 ) -> tuple[ReplanState, Slot]:
    """The re-plan's state and its first slot (the one holding ``at``) from what was asked:
    ``out_of_service`` and ``back`` (units back in service) as (unit, label) pairs.
    :class:`AskError` names the ask and the rule: an unknown unit or grid, a unit busy twice
    or both busy and out of service, a drone held at an incident (drones fly sorties), a unit
    held that is off duty then, an end not after the start, a hot place that ends before the
    re-plan starts, a share out of range, a unit back in service that the plan has neither
    out of service nor busy from then on, or that is also asked busy or out of service."""
    slots = plan.slots
    at_moment = parse_moment(at, slots, at_label)
    at_slot = slot_holding(slots, at_moment)
    if at_slot is None:
        raise AskError(f"{at_label} {at!r} is the end of the plan: nothing is left to re-plan")
    units = {u.id: u for u in scenario.units}
    grids = {a.id for a in scenario.areas_of("grid")}

    def known_grid(grid: str, label: str) -> None:
        if grid not in grids:
            raise AskError(f"{label}: unknown grid {grid!r} (grids: {', '.join(sorted(grids))})")

    busy_map: dict[str, tuple[int, str]] = {}
    for b in busy:
        if b.unit not in units:
            raise AskError(f"{b.label}: unknown unit {b.unit!r} (not in units.csv)")
        known_grid(b.grid, b.label)
        if b.unit in busy_map:
            raise AskError(f"{b.label}: unit {b.unit!r} is given busy twice")
        if units[b.unit].mode == "drone":
            raise AskError(f"{b.label}: unit {b.unit!r} is a drone; drones fly sorties")
        until = parse_moment(b.until, slots, f"{b.label} until")
        if until <= at_moment:
            raise AskError(f"{b.label}: until ({b.until}) must be after the re-plan's start "
                           f"({at_label} {at})")
        held = plan.at(b.unit, at_slot.index)
        if held.duty == "off":
            raise AskError(f"{b.label}: unit {b.unit!r} is off duty in the plan at "
                           f"{at_slot.name}, the slot of {at_label} ({held.note})")
        busy_map[b.unit] = (_last_slot_before(slots, until).index, b.grid)
    oos: list[str] = []
    for unit, label in out_of_service:
        if unit not in units:
            raise AskError(f"{label}: unknown unit {unit!r} (not in units.csv)")
        if unit in busy_map:
            raise AskError(f"{label}: unit {unit!r} is also given busy")
        if unit not in oos:
            oos.append(unit)
    hots: list[Hot] = []
    for h in hot:
        known_grid(h.grid, h.label)
        start = parse_moment(h.start, slots, f"{h.label} from")
        end = parse_moment(h.end, slots, f"{h.label} to")
        if end <= start:
            raise AskError(f"{h.label}: its end ({h.end}) must be after its start ({h.start})")
        if end <= at_slot.start:
            raise AskError(f"{h.label}: it ends before the re-plan starts ({at_slot.name}, "
                           f"the slot of {at_label})")
        if not 0 <= h.share <= MAX_HOT_SHARE:  # also NaN
            raise AskError(f"{h.label}: the share must be between 0 and {MAX_HOT_SHARE:g} (a "
                           f"share of the slot's total risk added to the grid); got {h.share!r}")
        first_slot = slot_holding(slots, max(start, at_slot.start))
        assert first_slot is not None  # it starts before end <= the plan's end
        hots.append(Hot(grid=h.grid, first=first_slot.index,
                        last=_last_slot_before(slots, end).index, share=h.share))
    backs: list[str] = []
    may_come_back = held_from(plan, at_slot.index) if back else set()
    for unit, label in back:
        if unit not in units:
            raise AskError(f"{label}: unknown unit {unit!r} (not in units.csv)")
        if unit in busy_map or unit in oos:
            raise AskError(f"{label}: unit {unit!r} is also given "
                           f"{'busy' if unit in busy_map else 'out of service'}")
        if unit not in may_come_back:
            raise AskError(f"{label}: unit {unit!r} is neither out of service nor busy at an "
                           f"incident in the plan from {at_slot.name} on: it is in service")
        if unit not in backs:
            backs.append(unit)
    return ReplanState(at_slot=at_slot.index, busy=busy_map, out_of_service=tuple(oos),
                       hot=tuple(hots), back_in_service=tuple(backs)), at_slot
