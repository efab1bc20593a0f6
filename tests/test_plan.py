"""The Plan value: one assignment per unit and slot, provenance, round trip through JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from xunfang.plan import (
    OUT_OF_SERVICE,
    Assignment,
    CameraView,
    DroneSortie,
    Plan,
    PlanError,
    make_slots,
)


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


def test_out_of_service_is_an_off_duty_with_the_re_plans_note() -> None:
    """The one predicate the re-plan, the drones stage and the report share: off for want of
    a crew or outside a force's hours is not out of service."""
    assert Assignment("U", 0, "off", note=OUT_OF_SERVICE).out_of_service
    assert not Assignment("U", 0, "off", note="no crew on duty").out_of_service
    assert not Assignment("U", 0, "off").out_of_service
    assert not Assignment("U", 0, "post", post="P1", note=OUT_OF_SERVICE).out_of_service


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


SORTIE = DroneSortie(unit="d1", post="p1", start=30.0, end=55.0, grids=("G1",),
                     waypoints=((0.0, 0.0), (120.5, 80.0), (0.0, 0.0)))
VIEW = CameraView(operator=1, camera="cam1", start=4.0, minutes=2.0)


def test_air_layers_round_trip_and_old_plans_still_load() -> None:
    base = plan((Assignment("u1", 0, "post", post="p1"), Assignment("u1", 1, "off")))
    p = replace(base, drone_sorties=(SORTIE,), camera_views=(VIEW,))
    doc = json.loads(json.dumps(p.as_dict()))
    assert set(base.as_dict()) < set(doc)  # the old keys stay, two are added
    q = Plan.from_dict(doc)
    assert q.drone_sorties == (SORTIE,) and q.camera_views == (VIEW,)
    old = base.as_dict()
    assert "drone_sorties" not in old and Plan.from_dict(old).drone_sorties == ()


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"drone_sorties": (SORTIE, replace(SORTIE, start=50.0, end=70.0))},
     "drone 'd1' has overlapping sorties: minutes 30-55 and 50-70"),
    ({"drone_sorties": (replace(SORTIE, start=1440.0, end=1460.0),)},
     "starts at minute 1440, after the plan's 1440 minutes"),
    ({"camera_views": (replace(VIEW, start=2000.0),)}, "after the plan's 1440 minutes"),
])
def test_bad_air_layers(kwargs: dict[str, object], needle: str) -> None:
    base = plan((Assignment("u1", 0, "off"), Assignment("u1", 1, "off")))
    with pytest.raises(PlanError, match=needle):
        replace(base, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"start": 10.0, "end": 5.0}, "needs 0 <= start < end"),
    ({"waypoints": ()}, "needs at least one waypoint"),
    ({"waypoints": ((0.0, float("nan")),)}, "finite"),
])
def test_bad_sorties(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(PlanError, match=needle):
        replace(SORTIE, **kwargs)  # type: ignore[arg-type]


def test_from_dict_names_a_bad_waypoint() -> None:
    doc = plan((Assignment("u1", 0, "off"), Assignment("u1", 1, "off"))).as_dict()
    doc["drone_sorties"] = [{**SORTIE.as_dict(), "waypoints": [[1.0]]}]
    with pytest.raises(PlanError, match=r"expected a waypoint \[x, y\], got \[1.0\]"):
        Plan.from_dict(doc)


def test_check_names_drone_and_camera_problems() -> None:
    from xunfang import scenario

    sc = scenario.load("ebian")
    units = tuple(u.id for u in sc.units)
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=720)
    asg = tuple(Assignment(u, s.index, "off") for u in units for s in slots)
    car = next(u for u in sc.units if u.mode == "car")
    drone = next(u for u in sc.units if u.mode == "drone")
    cam = next(p for p in sc.posts if p.kind == "camera")
    p = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t", slots=slots,
             units=units, assignments=asg,
             drone_sorties=(replace(SORTIE, unit=car.id, post=car.home_post, grids=()),
                            replace(SORTIE, unit=drone.id, post=drone.home_post, grids=()),
                            replace(SORTIE, unit="ghost", post="nowhere", grids=("G?",),
                                    start=100.0, end=120.0)),
             camera_views=(replace(VIEW, camera=cam.id), VIEW,
                           replace(VIEW, camera=car.home_post)))
    problems = p.check(sc)
    assert any(f"unit {car.id!r} is a car unit; only units of mode 'drone'" in x
               for x in problems)
    assert any("unit 'ghost' is not in the scenario" in x for x in problems)
    assert any("unknown post 'nowhere'" in x for x in problems)
    assert any("unknown grids ['G?']" in x for x in problems)
    assert any("unknown camera 'cam1'" in x for x in problems)
    assert any(f"post {car.home_post!r} is a" in x and "not a camera" in x for x in problems)
    assert len(problems) == 6  # the drone's own sortie and the real camera are fine


def test_index_runs_gives_runs_of_consecutive_slots_in_order() -> None:
    from xunfang.plan import index_runs

    assert index_runs([14, 0, 1, 2, 2, 7, 15]) == [(0, 2), (7, 7), (14, 15)]
    assert index_runs([]) == []
