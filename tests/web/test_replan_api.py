"""POST /api/plans/{id}/replan: the command centre re-plans the rest of the day (动态调整) as
``xunfang replan`` does — the same rules, the same change list — and stores the new plan.

The county's plan (the ``env`` fixture, 10:30 on the plan's day) is re-planned from the web
and, written out as a plan folder, from the command line: the two change lists must be the
same rows. Bad asks give a 422 naming the field and the rule, and store nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.web.conftest import Env, restart
from xunfang import store
from xunfang.cli.main import app

runner = CliRunner()
ASK: dict[str, Any] = {"at": "12:00", "out_of_service": ["TX-M2"],
                       "busy": [{"unit": "PS1-C", "grid": "G3", "until": "14:30"}],
                       "hot": [{"grid": "G5", "from": "13:00", "to": "17:00", "share": 0.8}],
                       "lang": "en"}


def _plans(e: Env) -> int:
    return len(store.list_plans(e.centre.store, e.centre.scenario_id))


@pytest.fixture(scope="module")
def replanned(env: Env) -> dict[str, Any]:
    """The county's current plan re-planned from the web (made current)."""
    cl = env.login("planner")
    r = cl.post(f"/api/plans/{env.centre.current}/replan", json={**ASK, "make_current": True})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_the_web_and_the_command_line_change_the_same(env: Env, replanned: dict[str, Any],
                                                      tmp_path: Path) -> None:
    cl = env.login("viewer")
    first = replanned["from_plan"]
    folder = tmp_path / "plan"
    folder.mkdir()
    # the stored plan in force as a plan folder: its plan.json is the API's document
    (folder / "plan.json").write_text(cl.get(f"/api/plans/{first}").text, encoding="utf-8")
    args = [str(folder), "--at", "12:00", "--out-of-service", "TX-M2",
            "--busy", "PS1-C:G3:14:30", "--hot", "G5:13:00-17:00:0.8", "--lang", "en",
            "--json", "--out", str(tmp_path / "re")]
    res = runner.invoke(app, ["replan", *args])
    assert res.exit_code == 0, res.output
    cli = json.loads(res.stdout)
    assert cli["changes"] and replanned["changes"] == cli["changes"]
    for key in ("changed", "changed_by_kind", "units_changed", "shortfalls",
                "shortfalls_added", "shortfalls_resolved", "route_shortfalls", "status"):
        assert replanned[key] == cli[key], key
    # the unit out of service is off from 12:00 on in the new plan, as on the command line
    doc = cl.get(f"/api/plans/{replanned['id']}").json()
    off = [a for a in doc["plan"]["assignments"] if a["unit"] == "TX-M2" and a["slot"] >= 12]
    assert off and all(a["duty"] == "off" for a in off)
    assert doc["stages"]["replan"]["from_plan"] == f"stored plan {first}"
    assert doc["stages"]["replan"]["out_of_service"] == ["TX-M2"]
    cli_doc = json.loads((tmp_path / "re" / "plan.json").read_text(encoding="utf-8"))
    assert doc["plan"]["assignments"] == cli_doc["plan"]["assignments"]


def test_the_re_plan_is_stored_current_with_its_changes_and_roster(
        env: Env, replanned: dict[str, Any]) -> None:
    cl = env.login("viewer")
    new, first = replanned["id"], replanned["from_plan"]
    assert replanned["current"] == new == env.centre.current
    plans = cl.get("/api/plans").json()
    assert plans["current"] == new
    row = next(p for p in plans["plans"] if p["id"] == new)
    assert row["name"].startswith(f"re-plan of {first} from ") and row["by"] == "planner"
    got = cl.get(f"/api/plans/{new}/changes").json()
    assert got["changes"] == replanned["changes"] and got["lang"] == "en"
    assert got["replan"]["busy"] == [{"unit": "PS1-C", "grid": "G3", "until_slot": 14}]
    # the brigade roster is the plan in force's (a re-plan does not roster again); the own
    # duty lists' rotas joined to it are each plan's own (a re-plan rotas them again)
    own = ("own_rotas", "own_days", "own_rotas_note", "own_rotas_why")
    rosters = [cl.get(f"/api/roster/{p}").json() for p in (new, first)]
    brigade = [{k: v for k, v in r.items() if k not in own} for r in rosters]
    assert brigade[0] == brigade[1]
    lists = env.centre.entry(new).document["stages"]["posture"]["own_duty_lists"]
    assert [o["duties"] for o in rosters[0]["own_rotas"]] == [
        [{**d, "role": o["roles"][d["person"]]} for d in r["rota"]["duties"]]
        for o, r in zip(rosters[0]["own_rotas"], lists, strict=True)]
    # the plan in force has no change list
    r = cl.get(f"/api/plans/{first}/changes")
    assert r.status_code == 404 and "not a re-plan" in r.json()["detail"]
    audit = env.login("commander").get("/api/audit", params={"object_id": str(new)})
    assert audit.status_code == 200, audit.text
    assert {a["user"] for a in audit.json()["entries"]} == {"planner"}


@pytest.mark.parametrize(("ask", "message"), [
    ({"at": "12:00", "busy": [{"unit": "X-1", "grid": "G3", "until": "14:00"}]},
     "busy[0]: unknown unit 'X-1'"),
    ({"at": "12:00", "busy": [{"unit": "PS1-C", "grid": "G99", "until": "14:00"}]},
     "busy[0]: unknown grid 'G99'"),
    ({"at": "12:00", "busy": [{"unit": "PS1-C", "grid": "G3", "until": "11:00"}]},
     "busy[0]: until (11:00) must be after the re-plan's start (at 12:00)"),
    ({"at": "12:00", "busy": [{"unit": "PS1-C", "grid": "G3", "until": "14:99"}]},
     "busy[0] until '14:99': not a time of day HH:MM"),
    ({"at": "12:00", "out_of_service": ["TX-M2", "Z"]}, "out_of_service[1]: unknown unit 'Z'"),
    ({"at": "12:00", "hot": [{"grid": "G3", "from": "14:00", "to": "13:00"}]},
     "hot[0]: its end (13:00) must be after its start (14:00)"),
    ({"at": "12:00", "hot": [{"grid": "G3", "from": "13:00", "to": "14:00", "share": 101}]},
     "hot[0]: the share must be between 0 and 100"),
    ({"at": "2026-12-03T12:00"}, "at '2026-12-03T12:00' is outside the plan"),
    ({"at": "24:00"}, "at '24:00' is the end of the plan: nothing is left to re-plan"),
])
def test_a_bad_ask_names_the_field_and_stores_nothing(env: Env, ask: dict[str, Any],
                                                      message: str) -> None:
    cl = env.login("planner")
    before = _plans(env)
    r = cl.post(f"/api/plans/{env.centre.current}/replan", json=ask)
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"], r.json()["detail"]
    assert _plans(env) == before


def test_who_may_re_plan_and_what_the_schema_refuses(env: Env) -> None:
    pid = env.centre.current
    for role in ("viewer", "operator"):
        r = env.login(role).post(f"/api/plans/{pid}/replan", json={"at": "12:00"})
        assert r.status_code == 403, (role, r.text)
    cl = env.login("planner")
    before = _plans(env)
    for body in ({"at": "12:00", "bogus": 1},
                 {"at": "12:00", "hot": [{"grid": "G3", "from": "13:00", "to": "14:00",
                                          "share": "NaN"}]},
                 {"at": "12:00", "busy": [{"unit": "PS1-C", "grid": "G3"}]}):
        r = cl.post(f"/api/plans/{pid}/replan", json=body)
        assert r.status_code == 422, r.text
    assert cl.post("/api/plans/999999/replan", json={"at": "12:00"}).status_code == 404
    assert _plans(env) == before


def test_the_draft_comes_from_the_units_live_status(new_env: Any) -> None:
    e: Env = new_env()
    cl = e.login("commander")
    rows = {r["unit"]: r for r in cl.get("/api/units").json()["units"]}
    on = [u for u, r in rows.items() if r["duty"] not in ("off", "drone") and r["mode"] == "car"
          and r["assigned_grid"]]
    busy, gone = on[0], on[1]
    assert cl.put(f"/api/units/{busy}/status", json={"status": "busy"}).status_code == 200
    assert cl.put(f"/api/units/{gone}/status", json={"status": "off"}).status_code == 200
    pid = e.centre.current
    d = cl.get(f"/api/plans/{pid}/replan").json()
    assert d["at"] == "2026-12-01T10:30" and d["covers"] is True
    assert d["out_of_service"] == [gone]
    # no position yet: held in its assigned grid until the end of the next slot
    assert d["busy"] == [{"unit": busy, "grid": rows[busy]["assigned_grid"],
                          "until": "2026-12-01T12:00"}]
    # the draft, posted as it is, re-plans from now
    r = cl.post(f"/api/plans/{pid}/replan",
                json={k: d[k] for k in ("at", "busy", "out_of_service", "hot")})
    assert r.status_code == 201, r.text
    assert r.json()["at"].startswith("2026-12-01T10:00") and r.json()["current"] == pid
    # another plan than the current one has no live draft
    r2 = cl.get(f"/api/plans/{r.json()['id']}/replan")
    assert r2.status_code == 409 and "not the current plan" in r2.json()["detail"]


def test_a_plan_read_back_after_a_restart_is_re_planned(new_env: Any) -> None:
    e: Env = new_env()
    first = e.centre.current
    centre, cl = restart(e)
    # the restarted centre made a plan of its own; the first is read from the store
    r = cl.post(f"/api/plans/{first}/replan", json={"at": "15:00", "lang": "zh",
                                                     "out_of_service": ["TX-M2"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["from_plan"] == first and body["current"] == centre.current != body["id"]
    assert any(c["unit"] == "TX-M2" for c in body["changes"])
    centre.store.dispose()
