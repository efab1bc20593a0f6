"""Where the database is, and what a lost connection does."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from xunfang.store import (
    DatabaseUnavailable,
    Store,
    StoreError,
    create_user,
    list_users,
    resolve_url,
    upgrade,
)
from xunfang.store.db import default_db_path
from xunfang.store.models import UserRow


def test_db_argument_beats_the_environment(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("XUNFANG_DB", "sqlite:////env.db")
    assert resolve_url("sqlite:////arg.db") == "sqlite:////arg.db"
    assert resolve_url(None) == "sqlite:////env.db"


def test_default_is_a_file_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.delenv("XUNFANG_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "xunfang" / "xunfang.db"
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'data' / 'xunfang' / 'xunfang.db'}"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec ignores relative
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "xunfang" / "xunfang.db"


def test_paths_and_postgres_urls_are_normalised(tmp_path: Path) -> None:
    assert resolve_url(str(tmp_path / "c.db")) == f"sqlite:///{tmp_path / 'c.db'}"
    assert resolve_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_unsupported_scheme_names_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StoreError, match=r"^--db: unsupported database URL scheme 'mysql'"):
        resolve_url("mysql://h/db")
    monkeypatch.setenv("XUNFANG_DB", "oracle://h/db")
    with pytest.raises(StoreError, match=r"^XUNFANG_DB: unsupported .* 'oracle'"):
        resolve_url(None)


def test_default_file_and_its_folder_are_created(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.delenv("XUNFANG_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    st = upgrade(resolve_url(None))
    st.dispose()
    assert (tmp_path / "d" / "xunfang" / "xunfang.db").is_file()


def test_a_transient_disconnect_is_retried(store: Store) -> None:
    calls = []

    def work(s: object) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"),
                                   connection_invalidated=True)
        return 42

    assert store.run(work) == 42
    assert len(calls) == 2


def test_a_lasting_outage_is_reported_not_a_crash(store: Store) -> None:
    def work(s: object) -> int:
        raise OperationalError("SELECT 1", {}, Exception("connection refused\ndetail"),
                               connection_invalidated=True)

    with pytest.raises(DatabaseUnavailable, match=r"unavailable after 3 attempt.*refused$"):
        store.run(work)


def test_sqlite_locks_are_retried_but_missing_tables_are_not(tmp_path: Path) -> None:
    st = Store(f"sqlite:///{tmp_path / 'x.db'}", retries=2, retry_pause=0.01)
    calls: list[str] = []

    def locked(s: object) -> str:
        calls.append("locked")
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return "ok"

    assert st.run(locked) == "ok" and calls == ["locked", "locked"]
    calls.clear()

    def no_table(s: object) -> None:
        calls.append("missing")
        s.execute(text("SELECT * FROM users"))  # type: ignore[attr-defined]

    with pytest.raises(OperationalError, match="no such table: users"):
        st.run(no_table)
    assert calls == ["missing"]
    st.dispose()


def test_other_errors_are_not_retried_and_roll_back(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    calls = []

    def work(s: object) -> None:
        calls.append(1)
        s.add(UserRow(name="zed", role="viewer", password_hash="x"))  # type: ignore[attr-defined]
        s.flush()  # type: ignore[attr-defined]
        s.add(UserRow(name="ann", role="viewer", password_hash="x"))  # type: ignore[attr-defined]
        s.flush()  # type: ignore[attr-defined]

    with pytest.raises(IntegrityError):
        store.run(work)
    assert len(calls) == 1
    assert [u.name for u in list_users(store)] == ["ann"]


def test_unreachable_server_is_reported_without_the_password() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    st = Store(f"postgresql+psycopg://u:secret@127.0.0.1:{port}/db", retries=1,
               retry_pause=0.01)
    with pytest.raises(DatabaseUnavailable) as info:
        st.run(lambda s: s.execute(text("SELECT 1")))
    assert "secret" not in str(info.value)
    assert "***" in str(info.value)
    with pytest.raises(DatabaseUnavailable, match="cannot open database"):
        upgrade(st)


def test_connections_killed_by_the_server_are_replaced(store: Store, empty_url: str) -> None:
    """The pool's connections are cut (a restart of the server): the next call still works."""
    if not empty_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    create_user(store, "ann", "viewer", "password-1")
    with store.engine.connect() as conn:  # put a connection in the pool
        conn.execute(text("SELECT 1"))
    admin = create_engine(empty_url)
    with admin.begin() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert killed and killed >= 1
    assert store.run(lambda s: s.scalar(select(UserRow.name))) == "ann"


def test_connection_lost_in_the_middle_of_work_is_retried(store: Store,
                                                          empty_url: str) -> None:
    """The server drops the connection during a unit of work: it is run again, once, whole."""
    if not empty_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    admin = create_engine(empty_url)
    calls = []

    def work(s: object) -> str | None:
        calls.append(1)
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar()  # type: ignore[attr-defined]
        if len(calls) == 1:
            with admin.begin() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        s.add(UserRow(name="bea", role="viewer", password_hash="x"))  # type: ignore[attr-defined]
        s.flush()  # type: ignore[attr-defined]
        return "done"

    try:
        assert store.run(work) == "done"
    finally:
        admin.dispose()
    assert len(calls) == 2
    assert [u.name for u in list_users(store)] == ["bea"]
