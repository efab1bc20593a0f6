"""A database xunfang cannot use is refused in words that name it and say why (a review: a
schema written by a newer xunfang gave alembic's "Can't locate revision identified by
'0005'", and a file that is not a database sqlalchemy's traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from xunfang import store
from xunfang.store import DatabaseUnavailable


def test_a_schema_newer_than_this_xunfang_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "centre.db"
    st = store.open_store(str(db))
    head = store.head_revision()
    with st.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    st.dispose()
    with pytest.raises(DatabaseUnavailable) as info:
        store.open_store(str(db))
    said = str(info.value)
    assert f"database sqlite:///{db} is at schema revision '9999'" in said
    assert f", schema {head})" in said and "written by a newer xunfang" in said
    assert "pip install -U xunfang" in said and "nothing was changed" in said
    st = store.open_store(str(db), migrate=False)
    assert store.current_revision(st) == "9999"  # untouched
    st.dispose()


def test_a_file_that_is_no_database_is_named(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"this is a text file, not SQLite\n" * 100)
    with pytest.raises(DatabaseUnavailable,
                       match=rf"cannot open database sqlite:///{notes}: file is not a "
                             "database"):
        store.open_store(str(notes))
    assert notes.read_bytes().startswith(b"this is a text file")  # nothing written
