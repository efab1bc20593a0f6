"""A re-plan's changes of the air and video layers: the drones' sorties and the video desk's
camera tours from the re-plan's first slot on (a review: changes.csv listed neither, 69 of a
re-plan's 185 changed rows of the duty sheet)."""

from __future__ import annotations

from datetime import date

from xunfang.plan import DroneSortie, make_slots
from xunfang.planning.deploy.from_plan import (
    NotFlown,
    SortieChange,
    merge_sorties,
    sortie_changes,
    tour_changes,
)


def s(unit: str, a: float, b: float, grids: tuple[str, ...] = ("G1",)) -> DroneSortie:
    return DroneSortie(unit=unit, post="P", start=a, end=b, grids=grids,
                       waypoints=((0.0, 0.0),))


def test_the_sorties_not_flown_are_returned_with_why() -> None:
    old = [s("D1", 600, 630), s("D1", 700, 740)]
    new = [s("D1", 730, 760), s("D1", 800, 820), s("D1", 900, 920), s("D2", 730, 750)]
    air, held = merge_sorties(old, new, 720.0, recharge=30.0, max_per_day=3)
    assert air == (s("D1", 600, 630), s("D1", 700, 740), s("D1", 800, 820),
                   s("D2", 730, 750))
    # 730 launches while D1 is still up from the kept 700 sortie; 900 would be its 4th
    assert held == (NotFlown(s("D1", 730, 760), "recharge", after=s("D1", 700, 740)),
                    NotFlown(s("D1", 900, 920), "max_sorties"))


def test_sortie_changes_say_each_sortie_added_dropped_moved_or_not_flown() -> None:
    old = [s("D1", 600, 630), s("D1", 760, 790), s("D1", 800, 820, ("G1", "G2")),
           s("D2", 900, 920), s("D2", 1000, 1020)]
    new = [s("D1", 600, 630), s("D1", 765, 795), s("D1", 800, 820, ("G1", "G2")),
           s("D1", 1100, 1120, ("G3",))]
    held = [NotFlown(s("D2", 905, 925), "recharge", after=s("D2", 880, 900)),
            NotFlown(s("D2", 1200, 1220), "max_sorties")]
    got = sortie_changes(old, new, held, 720.0)
    # before the re-plan's first slot nothing is said; the same flight twice is no change
    assert got == (
        SortieChange("D1", "moved", old=s("D1", 760, 790), new=s("D1", 765, 795)),
        SortieChange("D2", "dropped", old=s("D2", 900, 920), held=held[0]),
        SortieChange("D2", "dropped", old=s("D2", 1000, 1020)),
        SortieChange("D1", "added", new=s("D1", 1100, 1120, ("G3",))),
        SortieChange("D2", "not_flown", held=held[1]))
    # another grid at the same time is a sortie moved too
    assert sortie_changes([s("D1", 800, 820)], [s("D1", 800, 820, ("G2",))], [], 720.0) == (
        SortieChange("D1", "moved", old=s("D1", 800, 820), new=s("D1", 800, 820, ("G2",))),)
    assert sortie_changes(old, old, [], 720.0) == ()


def test_tour_changes_from_the_first_slot_with_their_ends() -> None:
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)

    def doc(*tours: tuple[int, int, float, list[str]]) -> dict[str, object]:
        return {"tours": [{"operator": o, "slot": k, "start": m, "cameras": c}
                          for o, k, m, c in tours]}

    old = doc((0, 11, 660.0, ["A"]), (0, 12, 720.0, ["A", "B"]), (0, 12, 750.0, ["C"]),
              (0, 13, 780.0, ["A"]), (1, 13, 780.0, ["B"]))
    new = doc((0, 11, 660.0, ["B"]), (0, 12, 720.0, ["B", "A"]), (0, 12, 750.0, ["C"]),
              (0, 13, 780.0, ["A"]), (2, 13, 780.0, ["C"]))
    got = tour_changes(old, new, slots, 12)
    assert [(t.operator, t.slot, t.start, t.end, t.old, t.new) for t in got] == [
        (0, 12, 720.0, 750.0, ("A", "B"), ("B", "A")),  # the order watched is the tour
        (1, 13, 780.0, 840.0, ("B",), ()),  # a seat without a tour now
        (2, 13, 780.0, 840.0, (), ("C",)),  # a seat given one
    ]
    assert tour_changes(old, {"skipped": "no cameras"}, slots, 13)[0].new == ()
    assert tour_changes(None, None, slots, 12) == ()
