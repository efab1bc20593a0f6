"""A plan works out its units' crews once: the checkpoint stage (which teams a sworn officer
leads) and the posture read the same crews; they were computed twice per plan, once by each
(``deploy.units_on_duty`` for the checkpoints, again inside ``deploy.prepare``)."""

from __future__ import annotations

from datetime import date

import pytest

from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning import deploy, pipeline
from xunfang.planning.deploy import inputs as deploy_inputs
from xunfang.planning.pipeline import PlanRequest, build_plan

DAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    sc = scenario_mod.load("ebian")
    return sc, RoadNetwork.from_scenario(sc)


def test_a_plan_works_out_its_crews_once(county, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    sc, net = county
    calls: list[int] = []
    real = deploy_inputs.crewing

    def counted(scenario, slots, *a, **k):  # type: ignore[no-untyped-def]
        calls.append(len(slots))
        return real(scenario, slots, *a, **k)

    # wherever the plan reaches it from: the deploy package's inputs and the pipeline
    monkeypatch.setattr(deploy_inputs, "crewing", counted)
    monkeypatch.setattr(pipeline, "crewing", counted, raising=False)
    # the KPIs simulate the plan (minutes of work, no crews): not what is counted here
    monkeypatch.setattr(pipeline, "_kpis", lambda *a: (None, {"skipped": "test"}))
    result = build_plan(sc, PlanRequest(start=DAY, days=1), network=net, extras=())
    assert result.roster is not None and result.checkpoints is not None
    assert calls == [24]  # was [24, 24]: the checkpoint stage's, then the posture's


def test_prepare_takes_crews_worked_out_before_or_the_people_not_both(county) -> None:  # type: ignore[no-untyped-def]
    sc, net = county
    slots = make_slots(DAY, days=1, slot_minutes=sc.slot_minutes)
    roster, _ = pipeline._roster(sc, PlanRequest(start=DAY, days=1), None)
    assert roster is not None
    crews = pipeline._crews(sc, slots, roster)
    on = pipeline._on_duty_by_slot(roster, slots)
    given = deploy.prepare(sc, net, slots, crews=crews.crewing)
    worked = deploy.prepare(sc, net, slots, on_duty_people=on, rostered=crews.rostered)
    assert given.crew == worked.crew and given.on_duty == worked.on_duty
    assert given.rostered_units == worked.rostered_units and given.sworn == worked.sworn
    assert given.off_reason == worked.off_reason and given.unnamed_crews == worked.unnamed_crews
    with pytest.raises(deploy.DeployError, match="crews: give the crews or the people"):
        deploy.prepare(sc, net, slots, crews=crews.crewing, on_duty_people=on)
    with pytest.raises(deploy.DeployError, match="crews: give the crews or the people"):
        deploy.prepare(sc, net, slots, crews=crews.crewing, rostered=crews.rostered)
    with pytest.raises(deploy.DeployError, match=r"crews: 24 slot\(s\) of units on duty for 23"):
        deploy.prepare(sc, net, slots[:23], crews=crews.crewing)
