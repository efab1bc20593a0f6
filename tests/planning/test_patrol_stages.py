"""The later deployment stages hand their typed layers (drone sorties, camera views) to the
plan through the pipeline."""

from __future__ import annotations

from typing import cast

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
