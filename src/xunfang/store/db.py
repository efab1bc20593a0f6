"""Where the database is, the engine, transactions and the retry on a lost connection.

The database URL is resolved the same way by every command (``serve``, ``user add``):
the ``--db`` argument, else the ``XUNFANG_DB`` environment variable, else a SQLite file in the
user's data folder (``$XDG_DATA_HOME/xunfang/xunfang.db``, ``~/.local/share/xunfang/xunfang.db``;
``%LOCALAPPDATA%\\xunfang`` on Windows, ``~/Library/Application Support/xunfang`` on macOS).
A bare path (``centre.db``) means a SQLite file; ``postgresql://`` means psycopg 3.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from xunfang.store.errors import DatabaseUnavailable, StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

ENV_VAR = "XUNFANG_DB"


def data_dir() -> Path:
    """The user's data folder for xunfang (computed like platformdirs' user_data_dir)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "xunfang"


def default_db_path() -> Path:
    return data_dir() / "xunfang.db"


def resolve_url(db: str | None = None) -> str:
    """The SQLAlchemy URL of ``--db``, else ``$XUNFANG_DB``, else the default SQLite file.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://`` (psycopg 3); a plain
    path becomes ``sqlite:///<absolute path>``. Raises :class:`StoreError` for an unsupported
    scheme, naming the argument.
    """
    source = "--db"
    value = db
    if not value:
        value = os.environ.get(ENV_VAR) or None
        source = ENV_VAR
    if not value:
        return f"sqlite:///{default_db_path()}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    scheme, rest = value.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    if scheme in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        return value
    raise StoreError(f"{source}: unsupported database URL scheme {scheme!r}; use a file path, "
                     "sqlite:///PATH or postgresql://USER@HOST/DB")


def redact(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "unable to open",
                     "disk i/o error")


def _is_transient(exc: BaseException, is_sqlite: bool) -> bool:
    """A lost or refused connection, a lock or a serialization failure: worth another try.

    On PostgreSQL every ``OperationalError`` is (connection lost or refused, server shutting
    down, deadlock, serialization failure); SQLite raises ``OperationalError`` for missing
    tables too, so only its lock and open errors count.
    """
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if not is_sqlite:
        return True
    text = str(exc.orig).lower()
    return any(m in text for m in _SQLITE_TRANSIENT)


class Store:
    """One database: the engine, a session factory and transactional, retried units of work.

    Use :meth:`run` for a unit of work: ``store.run(lambda s: ...)`` commits when the function
    returns and rolls back when it raises, so nothing is half-written. A lost or refused
    connection (``OperationalError``) is retried ``retries`` times with a growing pause, then
    reported as :class:`DatabaseUnavailable` — never a crash with a driver traceback.
    """

    def __init__(self, url: str, *, retries: int = 3, retry_pause: float = 0.2,
                 echo: bool = False) -> None:
        self.url = url
        self.retries = retries
        self.retry_pause = retry_pause
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
        try:
            u = make_url(url)
        except (ArgumentError, ValueError):
            raise StoreError(f"not a database URL: {url!r} (use a file path, sqlite:///PATH or "
                             "postgresql://USER@HOST/DB)") from None
        self.is_sqlite = u.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if u.database and u.database != ":memory:":
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs["connect_args"] = {"connect_timeout": 10}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Store({redact(self.url)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on exit, rolled back on an exception.

        No retry here (the caller's code may have side effects); prefer :meth:`run`.
        """
        with self._sessions() as s, s.begin():
            yield s

    def run(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` in one transaction, retrying on a lost connection."""
        attempt = 0
        while True:
            try:
                with self._sessions() as s, s.begin():
                    return work(s)
            except (OperationalError, DBAPIError) as exc:
                if not _is_transient(exc, self.is_sqlite):
                    raise
                attempt += 1
                if attempt > self.retries:
                    raise DatabaseUnavailable(
                        f"database {redact(self.url)} unavailable after {attempt} attempt(s): "
                        f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}"
                    ) from exc
                log.warning("database connection lost (%s); retry %d of %d",
                            type(exc.orig).__name__, attempt, self.retries)
                self.engine.dispose()
                time.sleep(self.retry_pause * attempt)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
