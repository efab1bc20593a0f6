"""Why a grid's interval was missed, said of its tours slot by slot: a tour too long for
its own slot's tightest interval is named with that interval; where every slot's tour fits
its own, one unit repeating it would meet them (a review: the longest tour of one slot
against the tightest interval of another had said "cannot" of a grid whose tours all fit)."""

from __future__ import annotations

from datetime import date

from xunfang.plan import make_slots
from xunfang.planning.routes import _staffing

SLOTS = make_slots(date(2026, 12, 4), days=1, slot_minutes=60)[:2]
PRESENT = {(0, 0): ["u"], (0, 1): ["u"]}
LOAD = {("G1", 0): (0.5, 1), ("G1", 1): (0.5, 1)}


def test_each_slot_s_tour_fits_its_own_interval() -> None:
    tour: dict[tuple[str, int], tuple[float | None, float]] = {
        ("G1", 0): (100.0, 120.0), ("G1", 1): (50.0, 60.0)}
    said = _staffing(0, PRESENT, SLOTS, LOAD, "G1", tour)
    assert "one unit repeating a 100-min tour (OR-Tools) would meet every interval" in said
    assert "cannot" not in said


def test_a_tour_too_long_for_its_own_slot_is_named_with_that_slot_s_interval() -> None:
    tour: dict[tuple[str, int], tuple[float | None, float]] = {
        ("G1", 0): (100.0, 120.0), ("G1", 1): (130.0, 60.0)}
    said = _staffing(0, PRESENT, SLOTS, LOAD, "G1", tour)
    assert ("one unit alone cannot keep the grid's intervals: the shortest tour of all its "
            "places found, 130 min, is longer than its tightest interval, 60 min") in said
    none: dict[tuple[str, int], tuple[float | None, float]] = {
        ("G1", 0): (None, 120.0), ("G1", 1): (None, 60.0)}
    assert "tour" not in _staffing(0, PRESENT, SLOTS, LOAD, "G1", none)
