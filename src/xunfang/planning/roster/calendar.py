"""The roster calendar: workdays, weekends, public holidays with make-up days (调休), events.

Public holidays come from the ``holidays`` package for the scenario's country
(``Scenario.country``, scenario.toml's ``country``, as the risk forecast reads it; China's by
default), and make-up working days (调休) from its ``weekend_workdays`` for China only — other
countries have no such days (a review: a scenario with ``country = "US"`` got China's National
Day off and a Sunday make-up workday, and worked Thanksgiving and Christmas as workdays).
Holidays declared in the scenario's policy (``Policy.holidays``, with their ``workdays``) are
added on top, so a county can state its own or a year the package does not know yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import holidays as holidays_pkg

from xunfang.scenario.model import Event, Policy

DayKind = Literal["workday", "weekend", "holiday"]
DAY_KINDS: tuple[DayKind, ...] = ("workday", "weekend", "holiday")


@dataclass(frozen=True)
class DayInfo:
    """One calendar day: its kind, the holiday's name, whether it is a make-up workday."""

    day: date
    kind: DayKind
    holiday: str = ""
    makeup: bool = False  # a weekend day worked in exchange for a holiday (调休)
    events: tuple[str, ...] = ()


def day_calendar(start: date, days: int, policy: Policy,
                 events: Sequence[Event] = (), country: str = "CN") -> tuple[DayInfo, ...]:
    """Every day from ``start`` for ``days`` days, with its kind and the events touching it;
    public holidays are ``country``'s (an ISO code of the ``holidays`` package; "" none)."""
    end = start + timedelta(days=days)
    years = list(range(start.year, end.year + 1))
    named: dict[date, str] = {}
    makeup: set[date] = set()
    if country:  # "": no public holidays (scenario.toml country = "none")
        cal = holidays_pkg.country_holidays(country, years=years)
        named = {d: str(n) for d, n in cal.items()}
        if country.upper() == "CN":
            makeup = set(getattr(cal, "weekend_workdays", ()))
    for h in policy.holidays:
        d = h.start
        while d <= h.end:
            named[d] = h.name
            d += timedelta(days=1)
        makeup.update(h.workdays)
    out: list[DayInfo] = []
    for k in range(days):
        d = start + timedelta(days=k)
        t0 = datetime.combine(d, datetime.min.time())
        t1 = t0 + timedelta(days=1)
        ev = tuple(e.name for e in events if e.start < t1 and e.end > t0)
        if d in named and d not in makeup:
            out.append(DayInfo(d, "holiday", named[d], False, ev))
        elif d.weekday() >= 5 and d not in makeup:
            out.append(DayInfo(d, "weekend", "", False, ev))
        else:
            out.append(DayInfo(d, "workday", "", d in makeup, ev))
    return tuple(out)


def calendar_notes(start: date, days: int, policy: Policy, country: str = "CN") -> list[str]:
    """Warnings about the calendar of ``days`` days from ``start``: China's years for which
    the ``holidays`` package has no make-up workdays (调休) and scenario.toml's
    ``[[policy.holidays]]`` declare none (a review: 2027's weekends were all rest days, its
    make-up Saturdays and Sundays not yet published in the package, without a word)."""
    if country.upper() != "CN":
        return []
    end = start + timedelta(days=days - 1)
    out: list[str] = []
    for year in range(start.year, end.year + 1):
        cal = holidays_pkg.country_holidays("CN", years=[year])
        known = {d for d in getattr(cal, "weekend_workdays", ()) if d.year == year}
        known |= {d for h in policy.holidays for d in h.workdays if d.year == year}
        if not known:
            out.append(f"the holidays package has no make-up workdays (调休) for China in "
                       f"{year}: the roster treats every weekend day of {year} as a rest day; "
                       "declare the year's holidays and their workdays with "
                       "[[policy.holidays]] in scenario.toml")
    return out
