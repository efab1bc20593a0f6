"""Incident imports name the file's own rows and may skip an overlapping export's rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tests.store.test_repo import NOW, incident
from xunfang.store import Store, StoreInputError, count_incidents, import_incidents, list_audit


def test_problems_name_the_files_rows_not_the_batch_place(store: Store,
                                                          scenario_id: int) -> None:
    """Rows 2 and 3 of a file were set aside by ingest: the batch's third incident is the
    file's row 5, and the refusal says so (it had said row 3)."""
    batch = [replace(incident(1), row=1), replace(incident(2), row=4),
             replace(incident(3, time=datetime(2027, 1, 5, 12, 0)), row=5)]
    with pytest.raises(StoreInputError) as info:
        import_incidents(store, scenario_id, batch, actor="t", file="calls.csv", now=NOW)
    (p,) = info.value.problems
    assert (p.row, p.column, p.rule) == (5, "time", "not-future")
    assert "calls.csv, row 5" in str(info.value)


def test_a_repeated_id_names_the_file_row_of_its_first_copy(store: Store,
                                                            scenario_id: int) -> None:
    batch = [replace(incident(1), row=3), replace(incident(2, id="i1"), row=8)]
    with pytest.raises(StoreInputError) as info:
        import_incidents(store, scenario_id, batch, actor="t", now=NOW)
    (p,) = info.value.problems
    assert p.row == 8 and "repeats row 3" in p.message


def test_skip_stored_leaves_out_the_same_incidents_only(store: Store,
                                                        scenario_id: int) -> None:
    import_incidents(store, scenario_id, [incident(i) for i in range(3)], actor="t", now=NOW)
    again = [replace(incident(i), row=i + 1) for i in range(5)]  # i0-i2 again, i3 and i4 new
    with pytest.raises(StoreInputError) as info:  # all or none unless asked
        import_incidents(store, scenario_id, again, actor="t", now=NOW)
    assert [p.row for p in info.value.problems] == [1, 2, 3]
    assert all("skip_stored" in p.message for p in info.value.problems)
    assert count_incidents(store, scenario_id) == 3
    assert import_incidents(store, scenario_id, again, actor="t", now=NOW,
                            skip_stored=True) == 2
    assert count_incidents(store, scenario_id) == 5
    assert list_audit(store, object_type="incidents")[0].detail == {
        "rows": 2, "file": "incidents", "skipped_stored": 3}


def test_skip_stored_still_refuses_an_id_stored_with_other_content(store: Store,
                                                                  scenario_id: int) -> None:
    import_incidents(store, scenario_id, [incident(1), incident(2)], actor="t", now=NOW)
    moved = [incident(1), replace(incident(2, x=2500.0), row=7), incident(9)]
    with pytest.raises(StoreInputError) as info:
        import_incidents(store, scenario_id, moved, actor="t", now=NOW, skip_stored=True)
    (p,) = info.value.problems
    assert (p.row, p.rule) == (7, "unique-id")
    assert "other content" in p.message and "2002.0" in p.message
    assert count_incidents(store, scenario_id) == 2
