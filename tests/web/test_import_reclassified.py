"""The web import's note of rows stored beside a stored incident of their time and place but
of another category or priority: said only where the category or the priority differs."""

from __future__ import annotations

import io
from typing import Any

from .conftest import Env
from .test_risk_categories_api import _centre_point


def _post(e: Env, rows: list[str], name: str, **form: str) -> Any:
    files = {"file": (name, io.BytesIO("\n".join(rows).encode()), "text/csv")}
    return e.login("planner").post("/api/incidents/import", files=files, data=form)


def _recategorised(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in answer["notes_worded"] if w["key"] == "imp_recategorised"]


def test_a_second_incident_of_the_same_content_is_not_called_reclassified(env: Env) -> None:
    """A review: a file without an id column of one theft, imported again with a second theft
    of the same date, place, category and priority (another column tells them apart) and
    skip_stored, answered that row 2 matched the stored one "in time and place but not in
    category or priority ... (theft, priority 0) and (theft, priority 0)"."""
    lon, lat = _centre_point(env.scenario, "G5")
    head = "time,lon,lat,category,note"
    first = [head, f"2026-10-04,{lon},{lat},theft,a"]
    r = _post(env, first, "one.csv")
    assert r.status_code == 200 and r.json()["stored"] == 1, r.text
    r = _post(env, [*first, f"2026-10-04,{lon},{lat},theft,b"], "two.csv", skip_stored="true")
    assert r.status_code == 200, r.text
    assert (r.json()["stored"], r.json()["skipped"]) == (1, 1), r.text
    assert not [n for n in r.json()["notes"] if "not of its category" in n], r.json()["notes"]
    assert _recategorised(r.json()) == []


def test_a_row_of_another_priority_only_is_still_named(env: Env) -> None:
    """The note still names a row whose category is the stored incident's but whose priority
    is not (and not a stored incident of the row's own content beside it)."""
    lon, lat = _centre_point(env.scenario, "G6")
    head = "time,lon,lat,category,priority"
    first = [head, f"2026-10-05 08:00,{lon},{lat},theft,2"]
    r = _post(env, first, "p1.csv")
    assert r.status_code == 200 and r.json()["stored"] == 1, r.text
    r = _post(env, [*first, f"2026-10-05 08:00,{lon},{lat},theft,3"], "p2.csv",
              skip_stored="true")
    assert r.status_code == 200, r.text
    (w,) = _recategorised(r.json())
    assert [(x["row"], x["priority"], x["stored_priority"]) for x in w["rows"]] == [(2, 3, 2)]
