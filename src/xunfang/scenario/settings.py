"""The schema of ``scenario.toml`` (pydantic at the edge), turned into a frozen :class:`Policy`."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from xunfang.scenario.model import (
    MODES,
    DronePolicy,
    Holiday,
    Mode,
    PeakFactor,
    Policy,
    RosterPolicy,
    _default_class_speeds,
    _default_excluded,
    _default_speeds,
    shift_order_problem,
)

_DEFAULT = Policy()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeakFactorIn(_Strict):
    hours: list[int] = Field(min_length=1)
    factor: float = Field(gt=0, le=2)
    modes: list[Mode] = ["car", "motorcycle"]
    classes: list[str] = []

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[int]) -> list[int]:
        bad = [h for h in v if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"hours must be 0..23, got {bad}")
        return v


class HolidayIn(_Strict):
    name: str
    from_: date = Field(alias="from")
    to: date
    workdays: list[date] = []

    @model_validator(mode="after")
    def _order(self) -> HolidayIn:
        if self.to < self.from_:
            raise ValueError(f"holiday {self.name!r} ends ({self.to}) before it starts "
                             f"({self.from_})")
        return self


_ROSTER = RosterPolicy()
_DRONES = DronePolicy()


class DronesIn(_Strict):
    """``[policy.drones]``: a sortie's and a drone's day's limits (:class:`DronePolicy`)."""

    battery_minutes: float = Field(_DRONES.battery_minutes, gt=0, allow_inf_nan=False)
    recharge_minutes: float = Field(_DRONES.recharge_minutes, ge=0, allow_inf_nan=False)
    hover_minutes: float = Field(_DRONES.hover_minutes, gt=0, allow_inf_nan=False)
    max_sorties: StrictInt = Field(_DRONES.max_sorties, ge=1)
    grids_per_sortie: StrictInt = Field(_DRONES.grids_per_sortie, ge=1)
    hours: list[StrictInt] = list(_DRONES.hours)
    crew_first: StrictBool = _DRONES.crew_first

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("name at least one hour 0..23 (no hour: no drone ever flies)")
        bad = [h for h in v if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"hours are hours of the day 0..23, got {bad}")
        if len(set(v)) != len(v):
            raise ValueError(f"hours are named once each, got {v}")
        return v

    def to_drones(self) -> DronePolicy:
        return DronePolicy(
            battery_minutes=self.battery_minutes, recharge_minutes=self.recharge_minutes,
            hover_minutes=self.hover_minutes, max_sorties=self.max_sorties,
            grids_per_sortie=self.grids_per_sortie, hours=tuple(sorted(self.hours)),
            crew_first=self.crew_first)


class RosterIn(_Strict):
    """``[policy.roster]``: the roster's labour rules and rotation (:class:`RosterPolicy`)."""

    # strict: whole hours and days as TOML integers, switches as true/false (a review:
    # min_rest_hours = true became 1 h, "11" 11 h, no_night_then_early = "no" or 0 false)
    min_rest_hours: StrictInt = Field(_ROSTER.min_rest_hours, ge=0, le=24)
    no_night_then_early: StrictBool = _ROSTER.no_night_then_early
    max_consecutive_days: StrictInt = Field(_ROSTER.max_consecutive_days, ge=1, le=31)
    max_week_hours: StrictInt = Field(_ROSTER.max_week_hours, ge=1, le=168)
    max_duty_hours: StrictInt = Field(_ROSTER.max_duty_hours, ge=1, le=24)
    anchor: date = _ROSTER.anchor
    phases: dict[str, StrictInt] = {}

    @field_validator("phases")
    @classmethod
    def _phases(cls, v: dict[str, int]) -> dict[str, int]:
        bad = {t: k for t, k in v.items() if k < 0}
        if bad:
            raise ValueError(f"phases are days of the pattern's cycle counted from 0, got {bad}")
        return v

    def to_roster(self) -> RosterPolicy:
        return RosterPolicy(
            min_rest_hours=self.min_rest_hours, no_night_then_early=self.no_night_then_early,
            max_consecutive_days=self.max_consecutive_days,
            max_week_hours=self.max_week_hours, max_duty_hours=self.max_duty_hours,
            anchor=self.anchor, phases=dict(self.phases))


def _tier_map(v: dict[str, float], what: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for k, m in v.items():
        try:
            level = int(k)
        except ValueError:
            raise ValueError(f"{what} keys are levels 1..3, got {k!r}") from None
        if not 1 <= level <= 3:
            raise ValueError(f"{what} keys are levels 1..3, got {k!r}")
        if m <= 0:
            raise ValueError(f"{what}[{k}] must be positive minutes, got {m}")
        out[level] = float(m)
    return out


class PolicyIn(_Strict):
    response_targets: dict[str, float] = {str(k): v for k, v in
                                          _DEFAULT.response_targets.items()}
    revisit_minutes: dict[str, float] = {str(k): v for k, v in
                                         _DEFAULT.revisit_minutes.items()}
    line_every_minutes: float = Field(_DEFAULT.line_every_minutes, gt=0)
    shift_pattern: str = _DEFAULT.shift_pattern
    shift_starts: list[int] = list(_DEFAULT.shift_starts)
    # 交接班 minutes; below slot_minutes (ScenarioToml checks it)
    handover_minutes: float = Field(_DEFAULT.handover_minutes, ge=0, allow_inf_nan=False)
    speeds_kph: dict[Mode, float] = {}
    class_speeds_kph: dict[str, float] = {}
    default_speed_kph: float = Field(_DEFAULT.default_speed_kph, gt=0)
    excluded_classes: dict[Mode, list[str]] = {}
    oneway_modes: list[Mode] = list(_DEFAULT.oneway_modes)
    drone_launch_minutes: float = Field(_DEFAULT.drone_launch_minutes, ge=0)
    peak_factors: list[PeakFactorIn] | None = None
    holidays: list[HolidayIn] = []
    isochrone_minutes: list[float] = list(_DEFAULT.isochrone_minutes)
    night_hours: list[int] = list(_DEFAULT.night_hours)
    roster: RosterIn = RosterIn()
    drones: DronesIn = DronesIn()

    @field_validator("response_targets", "revisit_minutes")
    @classmethod
    def _levels(cls, v: dict[str, float]) -> dict[str, float]:
        _tier_map(v, "the map")
        return v

    @field_validator("speeds_kph", "class_speeds_kph")
    @classmethod
    def _speeds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: s for k, s in v.items() if not s > 0}
        if bad:
            raise ValueError(f"speeds must be positive km/h, got {bad}")
        return v

    @field_validator("shift_starts", "night_hours")
    @classmethod
    def _hours(cls, v: list[int]) -> list[int]:
        if not v or any(not 0 <= h <= 23 for h in v):
            raise ValueError(f"hours are 0..23, got {v}")
        return v

    @field_validator("shift_starts")
    @classmethod
    def _shifts(cls, v: list[int]) -> list[int]:
        # out of order, 8, 0, 16 gave shifts labelled 08-24, 00-16, 16-08 (a review)
        problem = shift_order_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("isochrone_minutes")
    @classmethod
    def _bands(cls, v: list[float]) -> list[float]:
        if not v or any(b <= 0 for b in v) or v != sorted(v):
            raise ValueError(f"isochrone_minutes must be positive and increasing, got {v}")
        return v

    def to_policy(self) -> Policy:
        speeds = _default_speeds()
        speeds.update(self.speeds_kph)
        classes = _default_class_speeds()
        classes.update(self.class_speeds_kph)
        excluded = _default_excluded()
        excluded.update({m: tuple(c) for m, c in self.excluded_classes.items()})
        peaks = (
            _DEFAULT.peak_factors
            if self.peak_factors is None
            else tuple(
                PeakFactor(hours=tuple(p.hours), factor=p.factor, modes=tuple(p.modes),
                           classes=tuple(p.classes))
                for p in self.peak_factors
            )
        )
        return Policy(
            # a partial map overrides only the levels it names; the others keep their defaults
            response_targets={**_DEFAULT.response_targets,
                              **_tier_map(self.response_targets, "response_targets")},
            revisit_minutes={**_DEFAULT.revisit_minutes,
                             **_tier_map(self.revisit_minutes, "revisit_minutes")},
            line_every_minutes=self.line_every_minutes,
            shift_pattern=self.shift_pattern,
            shift_starts=tuple(self.shift_starts),
            handover_minutes=float(self.handover_minutes),
            speeds_kph=speeds,
            class_speeds_kph=classes,
            default_speed_kph=self.default_speed_kph,
            excluded_classes=excluded,
            oneway_modes=tuple(self.oneway_modes),
            drone_launch_minutes=self.drone_launch_minutes,
            peak_factors=peaks,
            holidays=tuple(
                Holiday(name=h.name, start=h.from_, end=h.to, workdays=tuple(h.workdays))
                for h in self.holidays
            ),
            isochrone_minutes=tuple(self.isochrone_minutes),
            night_hours=tuple(self.night_hours),
            roster=self.roster.to_roster(),
            drones=self.drones.to_drones(),
        )


class ScenarioToml(_Strict):
    """The top level of scenario.toml. Only ``name`` and ``crs`` are required."""

    name: str = Field(min_length=1)
    crs: str = Field(min_length=1)
    title: str = ""
    coords: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    timezone: str = "Asia/Shanghai"
    horizon_days: int = Field(1, ge=1, le=366)
    slot_minutes: int = Field(60, ge=5, le=1440)
    policy: PolicyIn = PolicyIn()
    description: str = ""
    # the clock incidents.csv's times without a UTC offset were written in, where it is not
    # ``timezone`` (a record exported in UTC without "Z"): ``xunfang intel --source-tz``'s
    # idea. Without it such times are local times, and a UTC record's hours shift silently.
    source_timezone: str | None = None
    # the public-holiday calendar of the risk forecast's gbm: an ISO code of the holidays
    # package (CN, US, ...); China's by default, as the built-in county's; "" or "none":
    # no public holidays (the roster's weekends only, [[policy.holidays]] on top)
    country: str = "CN"
    # the incident categories the risk forecast counts, matched whole and in any case as
    # ``xunfang intel forecast --category``; empty: every category
    risk_categories: list[str] = []

    @field_validator("slot_minutes")
    @classmethod
    def _slot(cls, v: int) -> int:
        if 1440 % v:
            raise ValueError(f"slot_minutes must divide a day (1440 minutes), got {v}")
        return v

    @model_validator(mode="after")
    def _handover(self) -> ScenarioToml:
        # a handover as long as a slot leaves a route in the slot after a shift start no time
        h = self.policy.handover_minutes
        if h >= self.slot_minutes:
            raise SettingError(("policy", "handover_minutes"),
                               f"policy.handover_minutes must be a number of minutes >= 0 "
                               f"and less than slot_minutes ({self.slot_minutes}), got {h:g}")
        return self

    @field_validator("timezone", "source_timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if v is None:
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (e.g. 'Asia/Shanghai', 'UTC')") from None
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        # a force without public holidays could not say so (a review): "" or "none"
        if v.strip().lower() in ("", "none"):
            return ""
        return holiday_country(v)

    @field_validator("risk_categories")
    @classmethod
    def _categories(cls, v: list[str]) -> list[str]:
        if any(not c.strip() for c in v):
            raise ValueError("an empty category's name selects nothing: name each category "
                             "the risk forecast counts, or leave risk_categories out for all")
        return v


def holiday_country(code: str) -> str:
    """``code`` as the holidays package names a country (upper case), or a ValueError that
    says what it must be: the calendar gbm's holiday feature is drawn from."""
    import holidays

    known = holidays.list_supported_countries()
    c = code.strip().upper()
    if c not in known:
        raise ValueError(f"{code!r} is not a country with a public-holiday calendar (an ISO "
                         "3166 code of the holidays package, e.g. 'CN', 'US', 'GB')")
    return c


def known_modes() -> tuple[str, ...]:
    return tuple(MODES)


class SettingError(ValueError):
    """A rule between settings broken, raised by a model validator: ``loc`` names the
    setting to blame (pydantic gives such an error no location of its own)."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def describe_loc(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a dotted TOML key (``policy.speeds_kph.car``)."""
    return ".".join(str(p) for p in loc if p != "__root__")
