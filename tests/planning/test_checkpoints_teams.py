"""Checkpoint teams: spare teams stand down where fewer sites are open, no teams is refused."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from xunfang import scenario as scenario_mod
from xunfang.cli.main import app
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.checkpoints import GameError, plan_checkpoints

DAY = date(2026, 12, 1)
NIGHT = {20, 21, 22, 23, 0, 1, 2, 3, 4, 5}  # ebian's night hours (NCP1, NCP2 night-only)


@pytest.fixture(scope="module")
def ebian():  # type: ignore[no-untyped-def]
    sc = scenario_mod.load("ebian")
    return sc, RoadNetwork.from_scenario(sc), make_slots(DAY, days=1, slot_minutes=60)


def test_spare_teams_stand_down_by_day(ebian) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    # 6 sites, 2 of them night-only: 5 teams are one too many by day (4 open sites)
    plan = plan_checkpoints(sc, net, slots, 5, seed=0, days=2, max_types=1)
    assert plan.check.ok, plan.check.problems
    for s, slot in enumerate(slots):
        assert int(plan.game.teams[s]) == (5 if slot.start.hour in NIGHT else 4)
    for d in range(2):
        res = plan.reserve[d]
        assert {datetime.fromisoformat(r.slot).hour for r in res} == set(range(6, 20))
        assert len(res) == 14  # one team per day slot
        for slot in {r.slot for r in res}:
            working = {v.team for v in plan.days[d] if v.slot == slot}
            idle = {r.team for r in res if r.slot == slot}
            assert len(working) == 4 and len(idle) == 1 and not working & idle
    assert any("stand down as reserve" in n for n in plan.notes)
    doc = plan.as_json()
    assert len(doc["reserve"]) == 2 and {"slot", "team"} == set(doc["reserve"][0][0])
    assert plan.summary()["reserve"] == doc["reserve"][0]
    rows = plan.table(0).rows
    assert sum(r[2] == "(reserve: no site open)" for r in rows) == 14
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_no_teams_is_refused(ebian) -> None:  # type: ignore[no-untyped-def]
    sc, net, slots = ebian
    with pytest.raises(GameError, match=r"teams_per_slot: 0 checkpoint teams in every slot.*"
                                        r"--teams.*units\.csv"):
        plan_checkpoints(sc, net, slots, 0, seed=0, max_types=1)
    r = CliRunner().invoke(app, ["checkpoints", "ebian", "--teams", "0", "--from", "2026-12-01"])
    assert r.exit_code == 1
    flat = " ".join(r.output.split())
    assert "0 checkpoint teams in every slot" in flat and "SSE check: ok" not in flat


def test_cli_reserve_in_json(ebian) -> None:  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(app, ["checkpoints", "ebian", "--teams", "5", "--from", "2026-12-01",
                                 "--json", "--changeover-minutes", "0"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert len(doc["reserve"][0]) == 14
