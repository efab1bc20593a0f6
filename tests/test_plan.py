"""The Plan value: one assignment per unit and slot, provenance, round trip through JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest

from xunfang.plan import Assignment, Plan, PlanError, make_slots


def plan(assignments: tuple[Assignment, ...], units: tuple[str, ...] = ("u1",)) -> Plan:
    return Plan(scenario="s", inputs_hash="h", seed=1, version="v",
                slots=make_slots(date(2026, 1, 1), days=1, slot_minutes=720),
                units=units, assignments=assignments)


def test_slots() -> None:
    slots = make_slots(date(2026, 3, 28), days=2, slot_minutes=60)
    assert len(slots) == 48
    assert slots[25].name == "2026-03-29T01:00" and slots[25].end.hour == 2


@pytest.mark.parametrize(("days", "minutes", "needle"),
                         [(0, 60, "days must be at least 1"), (1, 7, "must divide a day")])
def test_bad_slots(days: int, minutes: int, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        make_slots(date(2026, 1, 1), days=days, slot_minutes=minutes)


def test_round_trip() -> None:
    p = plan((Assignment("u1", 0, "post", post="p1"),
              Assignment("u1", 1, "route", route=("a", "b"), note="夜巡")))
    doc = json.loads(json.dumps(p.as_dict(), ensure_ascii=False))
    q = Plan.from_dict(doc)
    assert q.assignments == p.assignments and q.slots == p.slots and q.seed == 1
    assert q.at("u1", 1).route == ("a", "b")


def test_every_unit_needs_every_slot() -> None:
    with pytest.raises(PlanError, match="1 missing, first unit 'u1' slot 1"):
        plan((Assignment("u1", 0, "post", post="p1"),))


def test_no_two_assignments_in_one_slot() -> None:
    a = Assignment("u1", 0, "post", post="p1")
    with pytest.raises(PlanError, match="two assignments in slot 0"):
        plan((a, a, Assignment("u1", 1, "off")))


def test_from_dict_rejects_bad_duty() -> None:
    doc = plan((Assignment("u1", 0, "off"), Assignment("u1", 1, "off"))).as_dict()
    doc["assignments"][0]["duty"] = "nap"  # type: ignore[index]
    with pytest.raises(PlanError, match="unknown duty 'nap'"):
        Plan.from_dict(doc)


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"duty": "post"}, "duty 'post' needs exactly a post, got none"),
    ({"duty": "grid", "post": "p1"}, "duty 'grid' needs exactly a grid, got post"),
    ({"duty": "route", "post": "p1", "route": ("a",)}, "needs exactly a route, got post, route"),
    ({"duty": "off", "grid": "g1"}, "an 'off' duty has no place, got grid"),
])
def test_assignment_names_exactly_one_place(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(PlanError, match=needle):
        Assignment("u1", 0, **kwargs)  # type: ignore[arg-type]
