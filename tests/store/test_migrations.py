"""The schema comes from the packaged Alembic migrations, from an empty database up."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from xunfang.store import Store, current_revision, head_revision, upgrade
from xunfang.store.migrate import MIGRATIONS, downgrade
from xunfang.store.models import Base

TABLES = {"scenarios", "incidents", "plans", "rosters", "unit_positions", "unit_last",
          "unit_status", "alerts", "users", "sessions", "audit_log"}


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


def test_0002_fills_unit_last_from_the_history(empty_url: str) -> None:
    """A database at 0001 with positions stored keeps each unit's last one after the upgrade."""
    from datetime import datetime

    from sqlalchemy import text
    st = upgrade(empty_url, "0001")
    try:
        assert current_revision(st) == "0001"
        with st.engine.begin() as c:
            c.execute(text("INSERT INTO scenarios (id, name, title, source, inputs_hash, crs, "
                           "timezone, extent, ids, created_at, created_by, updated_at) VALUES "
                           "(1, 'old', '', '', '', 'local', 'UTC', '[0,0,1,1]', '{}', :t, '', "
                           ":t)"), {"t": datetime(2026, 1, 1)})
            for i, (unit, x) in enumerate([("a", 1.0), ("b", 2.0), ("a", 3.0)]):
                c.execute(text("INSERT INTO unit_positions (scenario_id, unit, t, x, y, source, "
                               "received_at) VALUES (1, :u, :t, :x, 0, '', :t)"),
                          {"u": unit, "t": datetime(2026, 1, 1, 0, i), "x": x})
        upgrade(st)
        with st.engine.connect() as c:
            rows = c.execute(text("SELECT unit, x FROM unit_last ORDER BY unit")).all()
        assert [tuple(r) for r in rows] == [("a", 3.0), ("b", 2.0)]
    finally:
        st.dispose()
