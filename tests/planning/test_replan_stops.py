"""A route drawn again over the same streets with other stops is a change the crew must hear
of (review H9: PS1-F's 16:00 route stopped at S13 rather than S12 over the same nodes; the
duty sheet's places changed and changes.csv said nothing)."""

from __future__ import annotations

from xunfang.plan import Assignment
from xunfang.planning.deploy.from_plan import _driven
from xunfang.planning.deploy.replan import changes


def _doc(stops: list[str]) -> dict[str, object]:
    return {"routes": [{"unit": "U", "slot": 3, "grid": "G1", "nodes": ["n1", "n2", "n3"],
                        "waypoints": stops}]}


def test_other_stops_over_the_same_streets_are_a_change() -> None:
    a = Assignment(unit="U", slot=3, duty="route", route=("n1", "n3"))
    ch = changes([a], [a], streets=(_driven(_doc(["n1", "n3"])), _driven(_doc(["n2", "n3"]))))
    assert [(c.unit, c.slot, c.what) for c in ch] == [("U", 3, "streets")]
    same = changes([a], [a], streets=(_driven(_doc(["n1", "n3"])), _driven(_doc(["n1", "n3"]))))
    assert not same
