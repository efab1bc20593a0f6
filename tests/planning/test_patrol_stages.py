"""The later deployment stages hand their typed layers (drone sorties, camera views) to the
plan through the pipeline."""

from __future__ import annotations

from typing import Any, cast

import pytest

from xunfang.plan import Assignment, CameraView, DroneSortie
from xunfang.planning.patrol_stages import PlanLayers, Result
from xunfang.planning.pipeline import DeployContext, apply_extra_stages, apply_extras

SORTIE = DroneSortie(unit="d1", post="p1", start=5.0, end=25.0, waypoints=((0.0, 0.0),))
VIEW = CameraView(operator=0, camera="cam", start=0.0, minutes=2.0)


def test_layers_are_collected_in_stage_order() -> None:
    posture = (Assignment("d1", 0, "post", post="p1"), Assignment("u1", 0, "post", post="p1"))

    def drones(_: DeployContext) -> Result:
        moved = (Assignment("d1", 0, "drone", post="p1", note="drone: 1 sortie"),)
        return moved, {"shortfalls": []}, PlanLayers(drone_sorties=(SORTIE,))

    def video(_: DeployContext) -> Result:
        return (), {"shortfalls": []}, PlanLayers(camera_views=(VIEW,))

    def plain(_: DeployContext) -> Result:
        return (), {"shortfalls": []}

    ctx = cast(DeployContext, object())
    stages = [("drones", drones), ("video", video), ("aux", plain)]
    out, summaries, layers = apply_extra_stages(ctx, posture, stages)
    assert out[0].duty == "drone" and list(summaries) == ["drones", "video", "aux"]
    assert layers == PlanLayers(drone_sorties=(SORTIE,), camera_views=(VIEW,))
    # the older two-value form stays
    assert apply_extras(ctx, posture, stages)[0] == out

    def stray(_: DeployContext) -> Result:
        return (Assignment("u9", 0, "off"),), {}

    with pytest.raises(ValueError, match="stage 'stray' assigned unit 'u9' in slot 0"):
        apply_extra_stages(ctx, posture, [("stray", stray)])


def test_the_drone_and_video_stages_give_the_plan_its_air_layers() -> None:
    from datetime import date
    from types import SimpleNamespace

    from xunfang import scenario
    from xunfang.network import RoadNetwork
    from xunfang.plan import Plan, make_slots
    from xunfang.planning.patrol_stages import drones_stage, video_stage
    from xunfang.planning.posture import hold_at_home

    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2025, 3, 3), days=1, slot_minutes=sc.slot_minutes)
    posture = hold_at_home(sc, slots)
    ctx = DeployContext(scenario=sc, network=net, slots=slots,
                        posture=cast(Any, SimpleNamespace(assignments=posture)),
                        inputs=cast(Any, None), risk=None, seed=4)
    out, summaries, layers = apply_extra_stages(
        ctx, posture, [("drones", drones_stage), ("video", video_stage)])
    sorties = summaries["drones"]["sorties"]
    assert isinstance(sorties, list) and len(layers.drone_sorties) == len(sorties) > 0
    for typed, doc in zip(layers.drone_sorties, sorties, strict=True):
        assert (typed.unit, typed.post, typed.grids) == (doc["unit"], doc["post"],
                                                        tuple(doc["grids"]))
        assert typed.start == pytest.approx(doc["start"], abs=0.01)
        assert len(typed.waypoints) == len(doc["waypoints"]) >= 2
    drones = {u.id for u in sc.units if u.mode == "drone"}
    assert {x.unit for x in layers.drone_sorties} <= drones
    # every slot with a sortie has the drone on 'drone' duty
    at = {(a.unit, a.slot): a for a in out}
    for x in layers.drone_sorties:
        assert at[(x.unit, int(x.start // sc.slot_minutes))].duty == "drone"
    cams = {p.id for p in sc.posts if p.kind == "camera"}
    assert layers.camera_views and {v.camera for v in layers.camera_views} <= cams
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=4, version="t",
                slots=slots, units=tuple(u.id for u in sc.units), assignments=out,
                drone_sorties=layers.drone_sorties, camera_views=layers.camera_views)
    assert plan.check(sc) == []
    back = Plan.from_dict(plan.as_dict())
    assert back.drone_sorties == plan.drone_sorties and back.camera_views == plan.camera_views
