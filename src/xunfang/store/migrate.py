"""Create or upgrade the schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.exc import DatabaseError

from xunfang.store.db import Store, redact
from xunfang.store.errors import DatabaseUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    """The revision the database is at, ``None`` for an empty database."""
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(target: Store | str, revision: str = "head") -> Store:
    """Bring the database at ``target`` (a :class:`Store` or a URL) up to ``revision``.

    Idempotent: a database already at head is left as it is. Returns the store.
    """
    store = target if isinstance(target, Store) else Store(target)
    cfg = alembic_config(store.url)
    try:
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            known = ScriptDirectory.from_config(cfg)
            at = MigrationContext.configure(conn).get_current_revision()
            if at is not None and at not in {s.revision for s in known.walk_revisions()}:
                # alembic's own words were "Can't locate revision identified by '0005'"
                raise DatabaseUnavailable(
                    f"database {redact(store.url)} is at schema revision {at!r}, which this "
                    f"xunfang ({_version()}, schema {known.get_current_head()}) does not know: "
                    "it was written by a newer xunfang. Upgrade xunfang (pip install -U "
                    "xunfang), or give another --db; nothing was changed")
            command.upgrade(cfg, revision)
    except DatabaseError as exc:  # also "file is not a database" (SQLite), not only lost ones
        raise DatabaseUnavailable(
            f"cannot open database {redact(store.url)}: "
            f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}") from exc
    except CommandError as exc:
        raise DatabaseUnavailable(f"cannot migrate database {redact(store.url)}: {exc}"
                                  ) from exc
    return store


def _version() -> str:
    from xunfang import __version__

    return __version__


def downgrade(target: Store | str, revision: str = "base") -> None:
    store = target if isinstance(target, Store) else Store(target)
    cfg = alembic_config(store.url)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
