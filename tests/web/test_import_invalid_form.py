"""The web import refused by FastAPI's own validation of its form (before the import's
handler runs) is audited as its other refusals are, and answered as FastAPI answers."""

from __future__ import annotations

import io
from typing import Any

from xunfang import store

from .conftest import Env


def _refusals(e: Env) -> list[Any]:
    return [a for a in store.list_audit(e.centre.store, object_type="incidents", limit=1000)
            if a.action == "import-refused"]


def test_a_form_field_too_long_is_refused_and_audited(env: Env) -> None:
    """A review: a columns field of 600 characters answered 422 string_too_long and left no
    audit entry, where README says every refused import is audited."""
    before = len(_refusals(env))
    files = {"file": ("long.csv", io.BytesIO(b"id,time\n"), "text/csv")}
    r = env.login("planner").post("/api/incidents/import", files=files,
                                  data={"columns": "time=" + "x" * 595})
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]  # FastAPI's own answer, as before
    assert (err["type"], err["loc"]) == ("string_too_long", ["body", "columns"]), err
    got = _refusals(env)
    assert len(got) == before + 1
    entry = got[0]  # newest first
    assert entry.user == "planner", entry
    assert entry.detail["file"] == "long.csv" and entry.detail["status"] == 422, entry.detail
    assert "columns" in entry.detail["why"] and "string_too_long" in entry.detail["why"]


def test_an_import_without_a_file_is_audited_without_its_name(env: Env) -> None:
    before = len(_refusals(env))
    r = env.login("operator").post("/api/incidents/import", data={"coords": "wgs84"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "missing", r.text
    got = _refusals(env)
    assert len(got) == before + 1
    assert (got[0].user, got[0].detail["file"]) == ("operator", "(no file name)"), got[0]
    assert "file: Field required (missing)" in got[0].detail["why"], got[0].detail


def test_another_paths_invalid_request_is_not_an_import_refusal(env: Env) -> None:
    before = len(_refusals(env))
    r = env.login("planner").post("/api/incidents", json={"lon": "east"})
    assert r.status_code == 422, r.text
    assert len(_refusals(env)) == before
