"""The schema comes from the packaged Alembic migrations, from an empty database up."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from xunfang.store import Store, current_revision, head_revision, upgrade
from xunfang.store.migrate import MIGRATIONS, downgrade
from xunfang.store.models import Base

TABLES = {"scenarios", "incidents", "plans", "rosters", "unit_positions", "unit_status",
          "alerts", "users", "sessions", "audit_log"}


def test_upgrade_from_empty_creates_every_table(empty_url: str) -> None:
    st = Store(empty_url)
    try:
        assert current_revision(st) is None
        assert not TABLES & set(inspect(st.engine).get_table_names())
        upgrade(st)
        assert current_revision(st) == head_revision()
        assert set(inspect(st.engine).get_table_names()) >= TABLES
        upgrade(st)  # a second run changes nothing
        assert current_revision(st) == head_revision()
    finally:
        st.dispose()


def test_migrations_match_the_models(empty_url: str) -> None:
    """The migrated schema is exactly what the models declare (no forgotten migration)."""
    st = upgrade(empty_url)
    try:
        with st.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        st.dispose()


def test_downgrade_to_base_then_up_again(empty_url: str) -> None:
    st = upgrade(empty_url)
    try:
        downgrade(st, "base")
        assert not TABLES & set(inspect(st.engine).get_table_names())
        upgrade(st)
        assert set(inspect(st.engine).get_table_names()) >= TABLES
    finally:
        st.dispose()


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert any(p.suffix == ".py" for p in (MIGRATIONS / "versions").iterdir())
