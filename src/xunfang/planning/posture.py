"""The starting posture: every unit held at its home post in every slot.

This is the ``posts`` baseline of DESIGN.md and the plan every later stage refines.
"""

from __future__ import annotations

from collections.abc import Sequence

from xunfang.plan import Assignment, Slot
from xunfang.scenario.model import Scenario


def hold_at_home(scenario: Scenario, slots: Sequence[Slot]) -> tuple[Assignment, ...]:
    """One ``post`` assignment per unit and slot, at the unit's home post."""
    return tuple(
        Assignment(unit=u.id, slot=s.index, duty="post", post=u.home_post)
        for u in scenario.units
        for s in slots
    )
