"""The simulator's own settings: on-scene times, dispatch rules, patrol habits, travel mode.

Every number here is ours (the article gives none); each can be set per run. The defaults are
documented beside each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from xunfang._errors import XunfangError
from xunfang.scenario.model import AUXILIARY_WEIGHTS, Tier

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
      ``None`` (the default): the scenario policy's ``handover_minutes`` (15 unless its
      scenario.toml says otherwise); a number set here wins over the policy's. The plan's
      routes leave room for the policy's handover (``planning/routes.py`` starts a route in
      that slot this much later); a longer one here, or other ``shift_starts``, make the
      route start later than planned, and the points it does not reach before the slot ends
      are dropped, and counted (``kpis.route_points``: ``route_points_dropped_handover``).
    - ``preemption``: when no unit is free, a unit serving a less urgent incident (larger
      priority number; 1 is the most urgent) is taken off it; that incident waits again.
    - a second unit goes to incidents of ``second_unit_categories`` and to incidents within
      ``site_radius_m`` of a key site of tier <= ``second_unit_site_tier`` or inside a control
      ring of level <= ``second_unit_ring_level`` (0 or None: no such rule).
    - ``patrol_dwell_minutes``: stop at each patrol point (random node of the grid); route
      patrols stop ``route_dwell_minutes`` at each node of the route.
    - ``responder_tiers``: tiers dispatched to incidents (drones never are); ``visible_tiers``:
      tiers that count as uniformed presence (见警率) with weight 1, in patrol gaps and in
      over-deployment. Drones count for neither. ``auxiliary_weights``: units of tier
      ``auxiliary`` (not in ``visible_tiers``) count in visibility only, by their squad's
      weight (default ``scenario.model.AUXILIARY_WEIGHTS``; a squad not named counts 0),
      where and when the plan puts them (the auxiliary stage: their hours, their sites); they
      are never dispatched. A cell's presence at a moment is the largest weight there.
    - ``max_snap_m``: an incident farther than this from the network is off the network and
      counted, not dispatched.
    - ``travel``: ``network`` (the road engine, a node-to-node matrix per mode and speed
      factors over the nodes the run uses, at most ``max_matrix_nodes``) or ``straight``
      (straight line × ``detour_factor`` at the mode's policy speed, with the policy's peak
      factors; for data without a road network).
    - ``max_patrol_points``: on a network larger than ``max_matrix_nodes``, a grid patrol
      goes to at most this many of its grid's nodes — fewer when the matrices would not fit
      otherwise, at least 8 (or this many) — spread over the grid by farthest-point sampling
      (deterministic); to all of them on a network that fits.
    - ``engine``: ``compiled`` (the numba kernel, network travel) or ``python`` (the readable
      reference engine, the same model; straight-line travel always uses it).

    Calls and cameras (an incident has an occurrence time and a call time; dispatch starts at
    the call; the record's time is the occurrence):

    - ``report_delay_minutes``: mean minutes from occurrence to a citizen's call, exponential,
      drawn per incident from the seed; ``report_delay_by_category`` overrides it by category;
      0 means the call comes at once (the model before calls existed). Default 2.5 min: ours.
      The Kansas City response-time study (KCPD, *Response Time Analysis*, 1977; Spelman &
      Brown, *Calling the Police*, 1981) found the citizen's reporting delay the largest part
      of the time from an event to police arrival, often several minutes; 2.5 minutes is a
      deliberately modest mean for the involvement incidents a patrol plan is measured on.
    - a camera sees an incident within ``camera_radius_m`` of it (default 60 m, the video
      stage's site radius) while the incident unfolds, from its occurrence for
      ``camera_visible_minutes`` (default 5, ours); when a view of the video desk on that
      camera overlaps that window, the operator spots it with probability
      ``camera_detect_probability`` (default 0.5, ours: no published live-detection rate fits)
      and calls it in ``camera_detect_minutes`` (default 1) after first seeing it — unless a
      citizen's call comes first. Measured on ``ebian``'s default 1-day plan (200 sampled
      days): one operator watches each of the 29 cameras 8–96 minutes a day in 2-minute
      views; of 1,605 incidents 272 lay within 60 m of a watched camera, 34 were in a view
      while unfolding (a camera shows an incident for 5 minutes; the desk looks at it 2
      minutes in every 30 to 360 on average), and 5 (0.3 %) were called in by the desk;
      with p = 1, 13 of the 34 (a citizen called the rest first: the reporting delay's
      median is 1.7 min, the desk calls 1 min after seeing at the soonest). A share of 0 on
      a few days is the plan's thin watch, not a fault (``counts``: ``camera_near_watched``,
      ``camera_in_view``).

    Call handling and turnout (the KPI ``call_to_arrival_*``; never simulated: the unit is
    sent at the call, and these minutes are added to its response):

    - ``call_handling_minutes``: from the call reaching the command centre to the dispatch
      order (接警处置: answer, take the details, choose the unit). Default 1.0 min: ours, an
      assumption; no police standard was found, and the fire/EMS one (NFPA 1710 citing NFPA
      1221: 95 % of alarms answered within 15 s, 90 % processed within 64 s) comes to about
      1.3 min at its limits.
    - ``turnout_minutes``: from the dispatch order to the crew moving (acknowledge, into the
      vehicle). Default 1.0 min: ours, an assumption; NFPA 1710 allows 60 s for EMS and 80 s
      for fire crews in a station; a patrol already on the street needs less.
    0 for both gives ``call_to_arrival_*`` equal to ``response_*``.

    Drones (never dispatched as the response; never counted as uniformed presence): a drone
    flies the plan's sorties and stands by at its home post between them while its slot's
    duty is not ``off``. At a call, the drone that gets eyes on the scene soonest — airborne,
    or on standby and charged (``drone_launch_minutes`` to launch) — flies there in a
    straight line at ``drone_speed_kmh`` if it arrives before the first ground unit sent and
    its battery covers the flight there, ``drone_overwatch_minutes`` over the scene and the
    flight home. It then lands at its home post and recharges ``drone_recharge_minutes``;
    sorties starting while it is away or recharging are missed. A drone launches with
    ``drone_battery_minutes``. Speed and launch default to the scenario policy's
    (``speeds_kph['drone']``, ``drone_launch_minutes``), battery and recharge to its
    ``[policy.drones]`` (25 and 35 min by default, as the plan's sorties take them); overwatch
    10 min (ours).
    """

    on_scene_minutes: Mapping[str, float] = field(default_factory=_default_on_scene)
    default_on_scene_minutes: float = 30.0
    service: Service = "lognormal"
    service_cv: float = 0.6
    handover_minutes: float | None = None
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
    auxiliary_weights: Mapping[str, float] = field(
        default_factory=lambda: dict(AUXILIARY_WEIGHTS))
    max_snap_m: float = 500.0
    travel: TravelMode = "network"
    detour_factor: float = 1.3
    max_matrix_nodes: int = 4000
    max_patrol_points: int = 120
    engine: Literal["compiled", "python"] = "compiled"
    report_delay_minutes: float = 2.5
    report_delay_by_category: Mapping[str, float] = field(default_factory=dict)
    camera_radius_m: float = 60.0
    camera_visible_minutes: float = 5.0
    camera_detect_probability: float = 0.5
    camera_detect_minutes: float = 1.0
    call_handling_minutes: float = 1.0
    turnout_minutes: float = 1.0
    drone_speed_kmh: float | None = None
    drone_launch_minutes: float | None = None
    drone_overwatch_minutes: float = 10.0
    drone_battery_minutes: float | None = None
    drone_recharge_minutes: float | None = None

    def __post_init__(self) -> None:
        def bad(name: str, rule: str, value: object) -> SimError:
            return SimError(f"SimConfig.{name} must be {rule}; got {value!r}")

        for name in ("default_on_scene_minutes", "patrol_dwell_minutes",
                     "route_dwell_minutes", "site_radius_m", "max_snap_m",
                     "report_delay_minutes", "camera_radius_m", "camera_visible_minutes",
                     "camera_detect_minutes", "drone_overwatch_minutes",
                     "call_handling_minutes", "turnout_minutes"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and v >= 0 and v == v and v != float("inf")):
                raise bad(name, "a finite number >= 0", v)
        for cat, v in self.on_scene_minutes.items():
            if not (v > 0 and v != float("inf")):
                raise bad(f"on_scene_minutes[{cat!r}]", "a finite number of minutes > 0", v)
        for squad, v in self.auxiliary_weights.items():
            if not (isinstance(v, int | float) and 0.0 <= v <= 1.0):
                raise bad(f"auxiliary_weights[{squad!r}]", "a weight in [0, 1]", v)
        for cat, v in self.report_delay_by_category.items():
            if not (v >= 0 and v != float("inf")):
                raise bad(f"report_delay_by_category[{cat!r}]", "a finite number >= 0", v)
        if not 0.0 <= self.camera_detect_probability <= 1.0:
            raise bad("camera_detect_probability", "a probability in [0, 1]",
                      self.camera_detect_probability)
        for name in ("drone_speed_kmh", "drone_launch_minutes", "drone_recharge_minutes",
                     "handover_minutes"):
            v = getattr(self, name)
            if v is not None and not (v >= 0 and v != float("inf")):
                raise bad(name, "None (the policy's) or a finite number >= 0", v)
        if self.drone_speed_kmh is not None and not self.drone_speed_kmh > 0:
            raise bad("drone_speed_kmh", "> 0", self.drone_speed_kmh)
        b = self.drone_battery_minutes
        if b is not None and not (b > 0 and b != float("inf")):
            raise bad("drone_battery_minutes", "None (the policy's) or a finite number > 0", b)
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
        if self.max_patrol_points < 1:
            raise bad("max_patrol_points", ">= 1", self.max_patrol_points)

    def on_scene(self, category: str) -> float:
        return float(self.on_scene_minutes.get(category, self.default_on_scene_minutes))

    def report_delay(self, category: str) -> float:
        """Mean minutes from an incident of ``category`` to its citizen call."""
        return float(self.report_delay_by_category.get(category, self.report_delay_minutes))
