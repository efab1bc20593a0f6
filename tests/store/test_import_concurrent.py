"""Two imports of overlapping exports at the same moment, and a write the database refuses:
no bare driver error, nothing half-stored, and the new rows of both files kept."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from tests.store.test_repo import NOW, incident
from xunfang.store import (
    Conflict,
    Store,
    StoreInputError,
    count_incidents,
    import_incidents,
    list_audit,
    repo,
)
from xunfang.store.errors import WriteFailed

N = 300  # rows of each file; the second file's first half is the first file's second half


def _both(store: Store, scenario_id: int, **kw: object) -> dict[str, object]:
    """The two files imported at once, each through a Store of its own (two server workers):
    what each import returned or raised, by file."""
    files = {"one.csv": [incident(i) for i in range(N)],
             "two.csv": [incident(i) for i in range(N // 2, N + N // 2)]}
    stores = {k: Store(store.url, retries=2, retry_pause=0.01) for k in files}
    out: dict[str, object] = {}

    def go(k: str) -> None:
        try:
            out[k] = import_incidents(stores[k], scenario_id, files[k], actor="t",
                                      file=k, now=NOW, **kw)  # type: ignore[arg-type]
        except Exception as exc:  # what each raised is the test's result
            out[k] = exc

    ts = [threading.Thread(target=go, args=(k,)) for k in files]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    for st in stores.values():
        st.dispose()
    return out


def test_overlapping_imports_at_once_skip_what_the_other_stored(
        store: Store, scenario_id: int, in_step: None) -> None:
    """skip_stored: the second to commit skips the 150 ids the first stored meanwhile and
    stores its 150 new ones (before: IntegrityError, a bare 500, its new rows lost)."""
    out = _both(store, scenario_id, skip_stored=True)
    assert sorted(out.values(), key=str) == [N // 2, N], out  # type: ignore[type-var]
    assert count_incidents(store, scenario_id) == N + N // 2
    audits = [a.detail for a in list_audit(store, object_type="incidents")]
    assert sorted(str(d.get("skipped_stored")) for d in audits if d) == [str(N // 2), "None"]


def test_overlapping_imports_at_once_refuse_the_shared_ids(
        store: Store, scenario_id: int, in_step: None) -> None:
    """Without skip_stored the second is refused as an overlapping file always is: every id
    the other stored listed, with the way to skip them."""
    out = _both(store, scenario_id)
    errors = [v for v in out.values() if isinstance(v, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], StoreInputError), out
    ids = sorted(int(str(p.message).split("'")[1][1:]) for p in errors[0].problems)
    assert ids == list(range(N // 2, N)), ids[:5]
    assert all(repo.SKIP_STORED_HINT in p.message for p in errors[0].problems)
    assert count_incidents(store, scenario_id) == N


def _refusing_trigger(store: Store, when: str) -> None:
    """A trigger that refuses one row's insert (as a database's own constraint may)."""
    if not store.is_sqlite:
        pytest.skip("the refusing trigger is written for SQLite")
    with store.engine.begin() as conn:
        conn.execute(text(f"CREATE TRIGGER refuse BEFORE INSERT ON incidents WHEN {when} "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the trigger'); END"))


def test_a_row_the_database_refuses_names_the_file_and_stores_nothing(
        store: Store, scenario_id: int) -> None:
    """A review: a trigger refusing row 200 left the store as before but raised the driver's
    IntegrityError (a bare 500); now a Conflict naming the file, the database's reason and
    that nothing was stored."""
    _refusing_trigger(store, "NEW.ext_id = 'i199'")
    with pytest.raises(Conflict) as info:
        import_incidents(store, scenario_id, [incident(i) for i in range(N)], actor="t",
                         file="calls.csv", now=NOW)
    msg = str(info.value)
    assert msg.startswith("calls.csv: ") and "nothing stored" in msg, msg
    assert "refused by the trigger" in msg and "INSERT" not in msg, msg
    assert count_incidents(store, scenario_id) == 0


def test_the_audit_records_the_rows_the_checks_set_aside(store: Store,
                                                         scenario_id: int) -> None:
    import_incidents(store, scenario_id, [incident(i) for i in range(3)], actor="t", file="a.csv",
                     now=NOW, set_aside=4)
    (entry,) = list_audit(store, object_type="incidents")
    assert entry.detail == {"rows": 3, "file": "a.csv", "set_aside": 4}


def test_another_failure_of_the_database_names_the_file_and_stores_nothing(
        store: Store, scenario_id: int) -> None:
    """A failure of the database that is no refusal (here a trigger writing to a table that
    is gone: OperationalError, not a lost connection) is a WriteFailed naming the file."""
    if not store.is_sqlite:
        pytest.skip("the failing trigger is written for SQLite")
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE gone (x INTEGER)"))
        conn.execute(text("CREATE TRIGGER fail AFTER INSERT ON incidents WHEN "
                          "NEW.ext_id = 'i5' BEGIN INSERT INTO gone VALUES (1); END"))
        conn.execute(text("DROP TABLE gone"))
    with pytest.raises(WriteFailed) as info:
        import_incidents(store, scenario_id, [incident(i) for i in range(9)], actor="t",
                         file="calls.csv", now=NOW)
    msg = str(info.value)
    assert msg.startswith("calls.csv: the database failed") and "nothing stored" in msg, msg
    assert "gone" in msg and "INSERT" not in msg, msg
    assert count_incidents(store, scenario_id) == 0
