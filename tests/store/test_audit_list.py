"""Reading the audit log: filters by action, user, object and time, and paging (offset and
an id cursor), in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from xunfang.store import Store, list_audit, write_audit

T = datetime(2026, 11, 1, 8, 0)


def _fill(store: Store) -> None:
    """12 entries, one an hour from T: logins of ann and bob alternating, every third an
    import-refused of carl."""
    def work(s: object) -> None:
        for i in range(12):
            if i % 3 == 2:
                who, action, kind = "carl", "import-refused", "incidents"
            else:
                who, action, kind = ("ann", "bob")[i % 2], "login", "user"
            write_audit(s, who, action, kind, i, {"i": i}, at=T + timedelta(hours=i))  # type: ignore[arg-type]

    store.run(work)


def _is(entries: list[object]) -> list[int]:
    return [e.detail["i"] for e in entries]  # type: ignore[attr-defined]


def test_filters_by_action_user_and_time(store: Store) -> None:
    _fill(store)
    assert _is(list_audit(store, action="import-refused")) == [11, 8, 5, 2]
    assert _is(list_audit(store, action="import-refused", limit=2)) == [11, 8]
    assert _is(list_audit(store, user="ann", action="login")) == [10, 6, 4, 0]
    assert _is(list_audit(store, since=T + timedelta(hours=9))) == [11, 10, 9]
    # an aware time is the same instant: 01:00 on the 2nd at +08:00 is 17:00 UTC (T + 9 h)
    plus8 = timezone(timedelta(hours=8))
    assert _is(list_audit(store, since=datetime(2026, 11, 2, 1, 0, tzinfo=plus8))) == [
        11, 10, 9]
    assert _is(list_audit(store, since=datetime(2026, 11, 1, 17, tzinfo=UTC),
                          user="bob")) == [9]
    assert list_audit(store, action="no-such-action") == []


def test_pages_by_offset_and_by_cursor_reach_the_oldest(store: Store) -> None:
    _fill(store)
    assert _is(list_audit(store, limit=5, offset=5)) == [6, 5, 4, 3, 2]
    assert _is(list_audit(store, limit=5, offset=10)) == [1, 0]
    seen: list[int] = []
    before = None
    while True:
        page = list_audit(store, limit=5, before=before)
        if not page:
            break
        seen += _is(page)
        before = page[-1].id
    assert seen == list(range(11, -1, -1))
    # the cursor with a filter: the refusals older than the newest one
    newest = list_audit(store, action="import-refused", limit=1)[0]
    assert _is(list_audit(store, action="import-refused", before=newest.id)) == [8, 5, 2]
