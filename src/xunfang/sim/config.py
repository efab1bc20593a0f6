"""The simulator's own settings: on-scene times, dispatch rules, patrol habits, travel mode.

Every number here is ours (the article gives none); each can be set per run. The defaults are
documented beside each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from xunfang._errors import XunfangError
from xunfang.scenario.model import Tier

Service = Literal["exponential", "lognormal", "fixed"]
TravelMode = Literal["network", "straight"]


class SimError(XunfangError, ValueError):
    """The simulation cannot run on these inputs; the message names the input and the rule."""


def _default_on_scene() -> dict[str, float]:
    # Mean minutes on scene by category (ours): the categories of the built-in county and of
    # the usual 110 categories in English exports.
    return {
        "交通事故": 40.0, "打架斗殴": 45.0, "盗窃": 40.0, "纠纷": 30.0, "求助": 20.0,
        "扰乱秩序": 25.0, "诈骗": 45.0, "抢劫": 60.0, "故意伤害": 60.0,
        "ASSAULT": 60.0, "BATTERY": 45.0, "THEFT": 40.0, "ROBBERY": 60.0,
    }


def _default_serious() -> tuple[str, ...]:
    # Categories that get a second unit (ours): violence against persons.
    return ("打架斗殴", "抢劫", "故意伤害", "ASSAULT", "BATTERY", "ROBBERY", "HOMICIDE")


@dataclass(frozen=True)
class SimConfig:
    """How the simulated force behaves.

    - ``on_scene_minutes``: mean on-scene minutes by incident category; other categories take
      ``default_on_scene_minutes``. ``service`` is the distribution (``lognormal`` with
      coefficient of variation ``service_cv``, ``exponential`` or ``fixed``).
    - ``handover_minutes``: at every shift start (``shift_starts``, default the policy's), a
      unit on duty on both sides of it is off the street and unavailable this long (交接班).
    - ``preemption``: when no unit is free, a unit serving a less urgent incident (larger
      priority number; 1 is the most urgent) is taken off it; that incident waits again.
    - a second unit goes to incidents of ``second_unit_categories`` and to incidents within
      ``site_radius_m`` of a key site of tier <= ``second_unit_site_tier`` or inside a control
      ring of level <= ``second_unit_ring_level`` (0 or None: no such rule).
    - ``patrol_dwell_minutes``: stop at each patrol point (random node of the grid); route
      patrols stop ``route_dwell_minutes`` at each node of the route.
    - ``responder_tiers``: tiers dispatched to incidents (drones never are); ``visible_tiers``:
      tiers that count as uniformed presence (见警率). Drones count for neither.
    - ``max_snap_m``: an incident farther than this from the network is off the network and
      counted, not dispatched.
    - ``travel``: ``network`` (the road engine, a node-to-node matrix per mode and speed
      factors over the nodes the run uses, at most ``max_matrix_nodes``) or ``straight``
      (straight line × ``detour_factor`` at the mode's policy speed, with the policy's peak
      factors; for data without a road network).
    - ``engine``: ``compiled`` (the numba kernel, network travel) or ``python`` (the readable
      reference engine, the same model; straight-line travel always uses it).
    """

    on_scene_minutes: Mapping[str, float] = field(default_factory=_default_on_scene)
    default_on_scene_minutes: float = 30.0
    service: Service = "lognormal"
    service_cv: float = 0.6
    handover_minutes: float = 15.0
    shift_starts: tuple[int, ...] | None = None
    preemption: bool = True
    second_unit_categories: tuple[str, ...] = field(default_factory=_default_serious)
    second_unit_site_tier: int | None = 1
    second_unit_ring_level: int | None = None
    site_radius_m: float = 100.0
    patrol_dwell_minutes: float = 10.0
    route_dwell_minutes: float = 1.0
    responder_tiers: tuple[Tier, ...] = ("special", "precinct", "armed")
    visible_tiers: tuple[Tier, ...] = ("special", "precinct", "armed")
    max_snap_m: float = 500.0
    travel: TravelMode = "network"
    detour_factor: float = 1.3
    max_matrix_nodes: int = 4000
    engine: Literal["compiled", "python"] = "compiled"

    def __post_init__(self) -> None:
        def bad(name: str, rule: str, value: object) -> SimError:
            return SimError(f"SimConfig.{name} must be {rule}; got {value!r}")

        for name in ("default_on_scene_minutes", "handover_minutes", "patrol_dwell_minutes",
                     "route_dwell_minutes", "site_radius_m", "max_snap_m"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and v >= 0 and v == v and v != float("inf")):
                raise bad(name, "a finite number >= 0", v)
        for cat, v in self.on_scene_minutes.items():
            if not (v > 0 and v != float("inf")):
                raise bad(f"on_scene_minutes[{cat!r}]", "a finite number of minutes > 0", v)
        if self.default_on_scene_minutes <= 0:
            raise bad("default_on_scene_minutes", "> 0", self.default_on_scene_minutes)
        if self.service not in ("exponential", "lognormal", "fixed"):
            raise bad("service", "'exponential', 'lognormal' or 'fixed'", self.service)
        if not self.service_cv > 0:
            raise bad("service_cv", "> 0", self.service_cv)
        if self.travel not in ("network", "straight"):
            raise bad("travel", "'network' or 'straight'", self.travel)
        if not self.detour_factor >= 1.0:
            raise bad("detour_factor", ">= 1", self.detour_factor)
        if self.shift_starts is not None and any(not 0 <= h <= 23 for h in self.shift_starts):
            raise bad("shift_starts", "hours 0..23", self.shift_starts)
        if self.engine not in ("compiled", "python"):
            raise bad("engine", "'compiled' or 'python'", self.engine)
        if self.max_matrix_nodes < 1:
            raise bad("max_matrix_nodes", ">= 1", self.max_matrix_nodes)

    def on_scene(self, category: str) -> float:
        return float(self.on_scene_minutes.get(category, self.default_on_scene_minutes))
