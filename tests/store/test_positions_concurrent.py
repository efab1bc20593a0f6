"""Position batches posted at once (gateways, devices retrying): on SQLite and PostgreSQL the
store's checks hold as they do one batch after another, and no batch fails for another's
locks. A review (H4): 24 gateways at once, each batch with every unit in its own order,
deadlocked on PostgreSQL (503 after 4 attempts); concurrent fixes of one unit were all
stored, the history going back in time; a batch sent twice was stored twice."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from xunfang.store import (
    PositionIn,
    PositionRow,
    Store,
    StoreInputError,
    latest_positions,
    record_positions,
    save_scenario,
    upgrade,
)
from xunfang.store import repo as repo_mod

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
UNITS = [f"u{i:02d}" for i in range(40)]


@pytest.fixture
def strict(empty_url: str) -> Iterator[Store]:
    """A migrated store that never retries: a deadlock or lock failure is raised, not
    hidden by a second attempt."""
    st = Store(empty_url, retries=0)
    upgrade(st)
    yield st
    st.dispose()


def _scenario(st: Store) -> int:
    return save_scenario(st, name="gw", extent=(1000.0, 2000.0, 9000.0, 8000.0), actor="t",
                         ids={"units": UNITS}, inputs_hash="h", crs="local",
                         timezone="Asia/Shanghai").id


def _history(st: Store, sid: int) -> list[PositionRow]:
    def work(s: object) -> list[PositionRow]:
        return list(s.scalars(select(PositionRow).where(  # type: ignore[attr-defined]
            PositionRow.scenario_id == sid).order_by(PositionRow.id)).all())
    return st.run(work)


def _run_at_once(n: int, job: object) -> list[object]:
    """``job(i)`` in ``n`` threads released together; each one's result or exception."""
    gate = threading.Barrier(n, timeout=60)
    out: list[object] = [None] * n

    def go(i: int) -> None:
        gate.wait()
        try:
            out[i] = job(i)  # type: ignore[operator]
        except Exception as exc:  # (the test judges what each one met)
            out[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


def test_batches_sharing_units_in_any_order_never_deadlock(strict: Store) -> None:
    """12 gateways at once, each with all 40 units in its own order, 6 rounds: every batch
    stored or refused for its times, none failing on a lock (no retries here)."""
    sid = _scenario(strict)
    for rnd in range(6):
        t = NOW - timedelta(minutes=30) + timedelta(minutes=rnd)

        def job(g: int, t: datetime = t, rnd: int = rnd) -> int:
            us = UNITS[:]
            random.Random(rnd * 100 + g).shuffle(us)
            # each gateway's own time: none is a duplicate of another's
            tg = t + timedelta(milliseconds=g)
            return record_positions(strict, sid, [PositionIn(u, tg, 2000.0 + g, 3000.0)
                                                  for u in us], actor="gw", now=NOW)

        got = _run_at_once(12, job)
        failed = [r for r in got if isinstance(r, Exception)
                  and not isinstance(r, StoreInputError)]
        assert failed == [], f"round {rnd}: {failed[:2]}"
        assert any(r == len(UNITS) for r in got)
    # and the history of every unit goes forward in time, in the order it was stored
    hist = _history(strict, sid)
    for u in UNITS:
        ts = [p.t for p in hist if p.unit == u]
        assert ts == sorted(ts), u


def test_concurrent_fixes_of_one_unit_keep_the_history_in_time_order(
        strict: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """16 fixes of one unit posted at once, the oldest released first: each is stored only
    when no later fix was stored before it; the stored history goes forward in time and the
    unit's last position is the newest stored fix. Forced, not timed: every batch waits
    (up to half a second) for the others between its checks and its write of unit_last, so
    without a lock over the check and the write all of them pass their checks at once."""
    sid = _scenario(strict)
    gate = threading.Barrier(16, timeout=0.5)
    orig = repo_mod._upsert_last

    def waiting(*a: object, **k: object) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()
        orig(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(repo_mod, "_upsert_last", waiting)
    fixes = [PositionIn("u01", NOW - timedelta(seconds=60 - i), 2000.0 + 10 * i, 3000.0)
             for i in range(16)]
    got = _run_at_once(16, lambda i: record_positions(strict, sid, [fixes[i]], actor="gw",
                                                      now=NOW))
    odd = [r for r in got if isinstance(r, Exception) and not isinstance(r, StoreInputError)]
    assert odd == []
    refused = [r for r in got if isinstance(r, StoreInputError)]
    assert all(p.rule == "time-order" for r in refused for p in r.problems)
    accepted = [i for i, r in enumerate(got) if r == 1]
    ts = [p.t for p in _history(strict, sid)]
    assert len(ts) == len(accepted) and ts == sorted(ts)
    last = latest_positions(strict, sid)[0]
    newest = fixes[max(accepted)]
    assert last.t == newest.t.replace(tzinfo=None) and last.x == newest.x


def test_a_batch_sent_twice_at_once_is_stored_once(strict: Store) -> None:
    """A gateway re-sending its batch while the first is still being stored (8 copies at
    once): each fix is stored once; every copy is answered as stored or skipped."""
    from xunfang.store import store_positions

    sid = _scenario(strict)
    batch = [PositionIn(u, NOW - timedelta(seconds=30), 2500.0, 3500.0, speed_kph=20.0)
             for u in UNITS]
    got = _run_at_once(8, lambda i: store_positions(strict, sid, batch, actor="gw", now=NOW))
    assert not [r for r in got if isinstance(r, Exception)], got
    assert sum(r.stored for r in got) == len(UNITS)  # type: ignore[union-attr]
    assert len(_history(strict, sid)) == len(UNITS)


def test_duplicates_are_skipped_and_conflicts_refused(store: Store, scenario_id: int) -> None:
    from xunfang.store import store_positions

    t = NOW - timedelta(minutes=5)
    one = PositionIn("u1", t, 2000.0, 3000.0, speed_kph=12.5, heading=90.0)
    # the same fix twice in one batch: stored once, the second row skipped
    done = store_positions(store, scenario_id, [one, one], actor="gw", now=NOW)
    assert (done.stored, done.duplicates, done.rows) == (1, (2,), (1,))
    # the batch re-sent (a gateway's retry), with a new fix after it: only the new one
    later = PositionIn("u1", t + timedelta(seconds=10), 2010.0, 3000.0)
    done = store_positions(store, scenario_id, [one, later], actor="gw", now=NOW)
    assert (done.stored, done.duplicates, done.rows) == (1, (1,), (2,))
    # the first fix once more, now before the last stored one: still a duplicate
    assert store_positions(store, scenario_id, [one], actor="gw", now=NOW).duplicates == (1,)
    # another place at a time already stored: refused, naming the row
    moved = PositionIn("u1", t, 2100.0, 3000.0, speed_kph=12.5, heading=90.0)
    with pytest.raises(StoreInputError) as info:
        store_positions(store, scenario_id, [moved], actor="gw", now=NOW)
    assert [(p.row, p.column, p.rule) for p in info.value.problems] == [(1, "t", "same-time")]
    # two places at one time in one batch: the second refused
    t2 = t + timedelta(minutes=1)
    with pytest.raises(StoreInputError) as info:
        store_positions(store, scenario_id, [PositionIn("u2", t2, 2000.0, 3000.0),
                                             PositionIn("u2", t2, 2000.0, 3900.0)],
                        actor="gw", now=NOW)
    assert [(p.row, p.rule) for p in info.value.problems] == [(2, "same-time")]
    # another speed at the same time and place is another fix, not the same one
    with pytest.raises(StoreInputError, match="another position stored"):
        store_positions(store, scenario_id, [PositionIn("u1", t, 2000.0, 3000.0,
                                                        speed_kph=40.0, heading=90.0)],
                        actor="gw", now=NOW)
    assert [(p.unit, p.t) for p in _history(store, scenario_id)] == [
        ("u1", t.replace(tzinfo=None)), ("u1", (t + timedelta(seconds=10)).replace(tzinfo=None))]
