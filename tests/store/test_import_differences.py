"""An id stored with other content is refused naming each field that differs, the stored
value and the row's (a review: only the stored values, rounded to 0.1 m, looking the same)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.store.test_repo import NOW, incident
from xunfang.store import Store, StoreInputError, import_incidents


def _refusal(store: Store, scenario_id: int, again: object, **kw: object) -> str:
    with pytest.raises(StoreInputError) as info:
        import_incidents(store, scenario_id, [again], actor="t", now=NOW,  # type: ignore[list-item]
                         skip_stored=True, **kw)  # type: ignore[arg-type]
    (p,) = info.value.problems
    assert p.rule == "unique-id" and "other content" in p.message
    return p.message


def test_a_position_a_few_centimetres_off_is_named_with_both_values(
        store: Store, scenario_id: int) -> None:
    first = incident(1, x=2001.8123, y=3000.4377)
    import_incidents(store, scenario_id, [first], actor="t", now=NOW)
    msg = _refusal(store, scenario_id, replace(first, x=2001.83, y=3000.41))
    assert "position 0.033 m apart" in msg, msg
    assert "stored 2001.812, 3000.438, this row 2001.830, 3000.410" in msg, msg
    for unchanged in ("time", "category", "priority"):
        assert f"{unchanged}:" not in msg, msg
    # as the file wrote it, where the caller can say
    msg = _refusal(store, scenario_id, replace(first, x=2001.83, y=3000.41),
                   where=lambda x, y: f"lon/lat <{x:.2f}>")
    assert "stored lon/lat <2001.81>, this row lon/lat <2001.83>" in msg, msg


def test_each_differing_field_is_named(store: Store, scenario_id: int) -> None:
    first = incident(2)
    import_incidents(store, scenario_id, [first], actor="t", now=NOW)
    msg = _refusal(store, scenario_id, replace(first, time=first.time + timedelta(minutes=5),
                                               category="fraud", priority=1))
    assert "time: stored 2026-11-01 08:02:00, this row 2026-11-01 08:07:00" in msg, msg
    assert "category: stored 'theft', this row 'fraud'" in msg, msg
    assert "priority: stored 2, this row 1" in msg, msg
    assert "position" not in msg, msg
