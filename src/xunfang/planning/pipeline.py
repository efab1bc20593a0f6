"""The planning pipeline: wires the stages, in order, into one :class:`Plan`.

Stages do not call each other; this module does. Each stage takes typed inputs and returns a
typed result; the pipeline keeps each stage's JSON-ready summary for plan.json and the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from xunfang import __version__
from xunfang.network import RoadNetwork
from xunfang.plan import Plan, make_slots
from xunfang.planning import posture
from xunfang.planning.access import PostAccess, travel_from_posts
from xunfang.scenario.model import STAFFED_POST_KINDS, Scenario

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanRequest:
    """What to plan: the first day, how many days, and the seed of every random choice."""

    start: date
    days: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed}")


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The plan and everything the stages measured on the way."""

    scenario: Scenario
    network: RoadNetwork
    plan: Plan
    access: Mapping[str, PostAccess]  # by mode
    stages: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


def _noop(_: str) -> None:
    return None


def build_plan(
    scenario: Scenario,
    request: PlanRequest,
    *,
    network: RoadNetwork | None = None,
    progress: Progress = _noop,
) -> PlanResult:
    """Run every stage on ``scenario`` for ``request`` and return the plan with its measures."""
    progress("network")
    net = network if network is not None else RoadNetwork.from_scenario(scenario)
    slots = make_slots(request.start, days=request.days, slot_minutes=scenario.slot_minutes)

    progress("posture")
    assignments = posture.hold_at_home(scenario, slots)

    progress("access")
    access: dict[str, PostAccess] = {}
    has_sources = any(p.kind in STAFFED_POST_KINDS for p in scenario.posts)
    if has_sources:
        for mode in ("car", "foot"):
            access[mode] = travel_from_posts(scenario, net, mode=mode)

    plan = Plan(
        scenario=scenario.name,
        inputs_hash=scenario.inputs_hash,
        seed=request.seed,
        version=__version__,
        slots=slots,
        units=tuple(u.id for u in scenario.units),
        assignments=assignments,
        stages=("posture", "access"),
    )
    stages: dict[str, Mapping[str, object]] = {
        "network": {
            "nodes": net.n_nodes,
            "edges": scenario.roads.n_edges,
            "source": scenario.roads.source,
        },
        "posture": {"method": "hold_at_home", "assignments": len(assignments)},
        "access": (
            {mode: a.summary() for mode, a in access.items()}
            if access
            else {"skipped": "the scenario has no staffed posts to measure from"}
        ),
    }
    return PlanResult(scenario=scenario, network=net, plan=plan, access=access, stages=stages)
