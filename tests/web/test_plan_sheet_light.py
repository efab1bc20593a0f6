"""The dashboard's duty sheet names places as the printed plan sheet does, the map reads a
light part of the plan document, and answers are gzip-compressed (the alerts' event stream
excepted). Review AT: the web sheet said ``n194…n194``; the map fetched the whole 811 KB
plan.json for its 28 KB of intel and rings, uncompressed."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from tests.web.conftest import Env
from xunfang.report.folder import plan_sheet_rows
from xunfang.report.html import PlaceNames
from xunfang.web.routers.plans import entry_result

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _sheet(env: Env, lang: str) -> dict[str, Any]:
    r = env.login("viewer").get(f"/api/plans/{env.centre.current}/sheet?lang={lang}")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_web_sheet_names_places_as_the_printed_sheet(env: Env, lang: str) -> None:
    sheet = _sheet(env, lang)
    result = env.centre.current_plan.result
    assert result is not None
    printed = {(r["unit"], r["slot_start"]): r for r in plan_sheet_rows(result, lang)}
    plan = env.centre.current_plan.plan
    staging = 0
    for row in sheet["rows"]:
        for a, cell in zip(plan.of_unit(row["unit"]), row["cells"], strict=True):
            assert cell["duty"] == a.duty
            if a.duty == "off":
                assert cell["where"] == ""
                continue
            paper = printed[(a.unit, plan.slots[a.slot - plan.slots[0].index].name)]
            assert cell["where"] == paper["place_name"], (a, cell)
            # the ids stay, for programs: plan_sheet.csv's place itself (review H4 #4: the
            # cell had a staging unit's node, n153, where the file has "S05 峨边县人民医院")
            assert cell["place"] == paper["place"]
            assert not re.fullmatch(r"n\d+…n\d+", cell["where"])
            if a.duty == "route" and len(a.route) == 1:
                staging += 1
                assert cell["where"] != a.route[0]  # its crossing or site, not the id
                assert cell["grid"]
    assert staging, "the county's plan has staging units"
    assert sheet["lang"] == lang


def test_the_sheet_names_a_stored_plan_from_its_stages(env: Env) -> None:
    """A plan read back from the store (no result in memory) is named from its document's
    stages: the same names."""
    e = env.centre.entry(env.centre.current)
    assert e.result is not None
    stored = dataclasses.replace(e, result=None)
    made, read = PlaceNames(e.result, "zh"), PlaceNames(entry_result(stored), "zh")
    for a in e.plan.assignments:
        if a.duty != "off":
            assert read.place(a, 10) == made.place(a, 10)


def test_the_sheet_follows_the_page_language_cookie(env: Env) -> None:
    cl = env.login("viewer")
    cl.cookies.set("lang", "en")
    try:
        got = cl.get(f"/api/plans/{env.centre.current}/sheet").json()
    finally:
        cl.cookies.delete("lang")
    assert got["lang"] == "en" and got == _sheet(env, "en")


def test_the_map_reads_only_the_stages_it_draws(env: Env) -> None:
    cl = env.login("viewer")
    pid = env.centre.current
    whole = cl.get(f"/api/plans/{pid}").json()
    r = cl.get(f"/api/plans/{pid}/stages?only=intel,rings,nosuch")
    assert r.status_code == 200, r.text
    part = r.json()
    assert part["stages"] == {k: whole["stages"][k] for k in ("intel", "rings")}
    assert part["plan"]["slots"] == whole["plan"]["slots"]
    assert part["absent"] == ["nosuch"]
    assert len(r.content) * 5 < len(json.dumps(whole).encode())
    bad = cl.get(f"/api/plans/{pid}/stages?only=intel,Rings!")
    assert bad.status_code == 422 and "only" in bad.json()["detail"]
    assert "'Rings!'" in bad.json()["detail"]


def test_answers_are_gzipped_but_not_the_event_stream(env: Env) -> None:
    cl = env.login("viewer")
    pid = env.centre.current
    r = cl.get(f"/api/plans/{pid}", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert r.headers.get("x-frame-options") == "DENY"  # the security headers kept
    assert int(r.headers["content-length"]) * 3 < len(r.content)  # decoded by the client
    small = cl.get("/api/plans", headers={"Accept-Encoding": "gzip"})
    if len(small.content) < 1024:
        assert "content-encoding" not in small.headers
    with cl.stream("GET", "/api/alerts/stream?timeout=0.3",
                   headers={"Accept-Encoding": "gzip"}) as s:
        assert s.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in s.headers
        body = b"".join(s.iter_raw())
    gzip_magic = b"\x1f\x8b"
    assert not body.startswith(gzip_magic)
