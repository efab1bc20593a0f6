"""Review H4's findings on the live picture and the position API (fixed in H6): route
patrols held to their grid, the live map following the newest stored fix, duplicate fixes
skipped and conflicting ones refused, non-finite numbers and huge bodies refused in a few
hundred bytes, x/y quoted as sent, times without an offset read in the scenario's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import numpy as np

from tests.web.conftest import Env
from xunfang import store
from xunfang.web.live import PositionRows


def _route_unit(env: Env) -> tuple[str, str, tuple[float, float], tuple[float, float]]:
    """A unit patrolling a route now, the grid the plan's routes stage gives its route, a
    point inside that grid and one in another grid."""
    live = env.centre.live
    slot = live.slot_at(env.clock())
    stages = env.centre.current_plan.document["stages"]
    planned = {(str(r["unit"]), int(r["slot"])): str(r["grid"])
               for r in stages["routes"]["routes"] if r.get("grid")}
    for a in env.centre.current_plan.plan.assignments:
        if a.slot == slot.index and a.duty == "route" and (a.unit, a.slot) in planned:
            grid = planned[(a.unit, a.slot)]
            other = next(g for g in live.grids if g != grid)
            inside, away = (live.grids[g].representative_point() for g in (grid, other))
            return a.unit, grid, (inside.x, inside.y), (away.x, away.y)
    raise AssertionError("no route patrol now in the plan")


def _pos(unit: str, t: object, xy: tuple[float, float], **kw: object) -> dict[str, object]:
    return {"unit": unit, "t": t.isoformat(), "x": xy[0], "y": xy[1], **kw}  # type: ignore[attr-defined]


def test_a_route_patrol_outside_its_grid_raises_an_alert(new_env: Callable[..., Env]) -> None:
    """H4 #1: a route unit (most units on duty) reporting from another grid for 20 minutes
    raised nothing, /api/units giving it no assigned grid; a post unit did raise."""
    env = new_env()
    unit, grid, inside, away = _route_unit(env)
    cl = env.login("operator")
    rows = {u["unit"]: u for u in cl.get("/api/units").json()["units"]}
    assert rows[unit]["duty"] == "route" and rows[unit]["assigned_grid"] == grid
    t = env.clock()
    r = cl.post("/api/positions", json={"positions": [_pos(unit, t - timedelta(minutes=20),
                                                           away), _pos(unit, t, away)]})
    assert r.status_code == 200, r.text
    alerts = cl.get("/api/alerts").json()["alerts"]
    mine = [a for a in alerts if a["kind"] == "unit_outside_grid" and a["data"]["unit"] == unit]
    assert len(mine) == 1 and mine[0]["data"]["grid"] == grid
    # back in its grid: the alert clears
    env.clock.advance(1)
    r = cl.post("/api/positions", json={"positions": [_pos(unit, env.clock(), inside)]})
    assert r.status_code == 200, r.text
    alerts = cl.get("/api/alerts").json()["alerts"]
    assert not [a for a in alerts if a["kind"] == "unit_outside_grid"
                and a["data"]["unit"] == unit]


def test_the_live_state_never_goes_back_in_time(new_env: Callable[..., Env]) -> None:
    """H4 #3: concurrent posts of one unit were applied to the live picture in whatever
    order their requests ended, and the map kept an older fix than the newest stored one.
    A batch applied after a newer one leaves the unit at the newer fix."""
    env = new_env()
    live = env.centre.live
    unit = next(iter(live.units))
    t = env.clock()

    def rows(at: object, x: float) -> PositionRows:
        return PositionRows(unit=[unit], t=[at], x=np.array([x]),  # type: ignore[list-item]
                            y=np.array([3_230_000.0]), status=[None])

    live.apply(rows(t, 330_000.0))
    live.apply(rows(t - timedelta(seconds=31), 330_200.0))
    s = live.state[unit]
    assert s.t == t and s.xy == (330_000.0, 3_230_000.0)


def test_duplicates_are_skipped_and_a_conflicting_fix_refused(
        new_env: Callable[..., Env]) -> None:
    """H4 #4: the same fix twice in a batch was stored twice, a re-sent batch again, and
    another place at a stored time was accepted."""
    env = new_env()
    unit, _, inside, _ = _route_unit(env)
    cl = env.login("operator")
    t = env.clock() - timedelta(minutes=4)
    fix = _pos(unit, t, inside, speed_kph=20.0)

    def stored() -> int:
        return len(store.position_history(env.centre.store, env.centre.scenario_id, unit))

    r = cl.post("/api/positions", json={"positions": [fix, fix]})
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["skipped_duplicates"], r.json()["duplicate_rows"]) \
        == (1, 1, [2])
    r = cl.post("/api/positions", json={"positions": [fix]})  # a gateway's retry
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["skipped_duplicates"]) == (0, 1)
    assert stored() == 1
    moved = {**fix, "x": inside[0] + 50.0}
    r = cl.post("/api/positions", json={"positions": [moved]})
    assert r.status_code == 422, r.text
    p = r.json()["detail"]["problems"]
    assert [(q["row"], q["column"]) for q in p] == [(1, "t")]
    assert p[0]["rule"].startswith("conflicting fix")
    later = _pos(unit, t + timedelta(seconds=5), inside)
    r = cl.post("/api/positions", json={"positions": [later, {**later, "y": inside[1] + 9}]})
    assert r.status_code == 422 and r.json()["detail"]["problems"][0]["row"] == 2, r.text
    assert stored() == 1


def test_non_finite_numbers_are_refused_naming_the_field(env: Env) -> None:
    """H4 #5: NaN or Infinity (JSON's extensions that Python reads) answered 500 or dropped
    the connection: the answer naming the value could not be written as JSON."""
    cl = env.login("operator")
    t = env.clock().isoformat()
    before = len(store.incident_points(env.centre.store, env.centre.scenario_id))
    for body, field in (
            (f'{{"positions":[{{"unit":"C1","t":"{t}","lon":NaN,"lat":29.23}}]}}', "lon"),
            (f'{{"positions":[{{"unit":"C1","t":"{t}","lon":103.25,"lat":29.23,'
             '"speed_kph":Infinity}]}', "speed_kph"),
            (f'{{"positions":[{{"unit":"C1","t":"{t}","x":-Infinity,"y":1}}]}}', "x")):
        r = cl.post("/api/positions", content=body.encode(),
                    headers={"content-type": "application/json"})
        assert r.status_code == 422, r.text
        d = r.json()["detail"]
        assert d[0]["loc"][-1] == field and d[0]["type"] == "finite_number"
    r = cl.post("/api/incidents", content=b'{"lon":103.25,"lat":NaN,"category":"x",'
                b'"priority":2}', headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "lat"]
    assert len(store.incident_points(env.centre.store, env.centre.scenario_id)) == before


def test_a_huge_batch_is_refused_without_echoing_it(env: Env) -> None:
    """H4 #6: a batch over 10,000 rows was refused with the whole input echoed (7.7 MB in,
    6.9 MB back)."""
    cl = env.login("operator")
    row = {"unit": "C1", "t": env.clock().isoformat(), "lon": 103.25, "lat": 29.23}
    r = cl.post("/api/positions", json={"positions": [row] * 20_001})
    assert r.status_code == 422
    assert len(r.content) < 2_000, len(r.content)
    d = r.json()["detail"][0]
    assert d["type"] == "too_long" and "20001" in str(d["input"])
    # a short value refused is still quoted as sent
    r = cl.post("/api/positions", json={"positions": [{**row, "lon": "abc"}]})
    assert r.json()["detail"][0]["input"] == "abc"


def test_a_refused_xy_is_quoted_as_sent(env: Env) -> None:
    """H4 #6: a position refused as outside the jurisdiction, given as x/y, was quoted
    "None,None"."""
    cl = env.login("operator")
    unit = next(iter(env.centre.live.units))
    r = cl.post("/api/positions", json={"positions": [
        {"unit": unit, "t": env.clock().isoformat(), "x": 1e9, "y": 2e9}]})
    assert r.status_code == 422, r.text
    msg = r.json()["detail"]["problems"][0]["message"]
    assert msg.endswith(": 1000000000.0,2000000000.0") and "None" not in msg


def test_a_time_without_offset_is_said_to_be_local(new_env: Callable[..., Env]) -> None:
    """H4 #6: a time without a UTC offset was read in the scenario's zone and nothing said
    so: the API's description says it, and the answer names the zone used."""
    env = new_env()
    unit, _, inside, _ = _route_unit(env)
    cl = env.login("operator")
    local = env.clock().astimezone(env.centre.live.tz).replace(tzinfo=None)
    r = cl.post("/api/positions", json={"positions": [_pos(unit, local, inside)]})
    assert r.status_code == 200, r.text
    assert r.json()["times_without_offset"] == {"rows": 1,
                                                "read_in_time_zone": "Asia/Shanghai"}
    r = cl.post("/api/positions", json={"positions": [
        _pos(unit, env.clock() + timedelta(seconds=1), inside)]})
    assert "times_without_offset" not in r.json()
    # a refusal says it too (UTC sent without its offset reads 8 hours early here)
    r = cl.post("/api/positions", json={"positions": [
        _pos(unit, env.clock().replace(tzinfo=None), inside)]})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["times_without_offset"]["read_in_time_zone"] == "Asia/Shanghai"
    spec = env.client.get("/openapi.json").json()
    t = spec["components"]["schemas"]["Position"]["properties"]["t"]
    assert "without an offset" in t["description"] and "local time" in t["description"]
    incident_t = spec["components"]["schemas"]["IncidentIn"]["properties"]["t"]
    assert "without an offset" in incident_t["description"]
