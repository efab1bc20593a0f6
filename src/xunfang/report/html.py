"""The printable, self-contained report.html (zh-CN or English) of a plan."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from html import escape as html_escape
from typing import Any, cast

import jinja2
import numpy as np

from xunfang.intel.check import HOUR_SHARE, Check, Unchecked
from xunfang.intel.stage import RiskTable, grid_sizes, hours_note, skipped_weighs
from xunfang.plan import index_runs
from xunfang.planning.deploy.inputs import SWORN_ROLES
from xunfang.planning.own_rota import short_days
from xunfang.planning.pipeline import (
    NO_CHECKPOINT_TEAM,
    NO_TEAM_CAN_CHECK,
    PlanRequest,
    PlanResult,
)
from xunfang.planning.roster.result import lead_in
from xunfang.report.charts import bar_chart, line_chart
from xunfang.report.i18n import LANGS, TEXT, Lang, t, team_name, value_label
from xunfang.report.layers import peak_slot
from xunfang.report.svgmap import (
    BAND_COLOURS,
    HEAT_COLOURS,
    NO_RISK_COLOUR,
    TEMPORARY_STYLE,
    TIER_COLOURS,
    UNREACHED,
    render_map,
    render_risk_maps,
    render_share_map,
    render_site_map,
    share_classes,
    star_points,
)
from xunfang.scenario import counts
from xunfang.scenario.model import FloatArray, Scenario


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xunfang.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{100 * x:.1f}%"


def _fmt2(x: float) -> str:
    return _fmt(x, 2)


def _runs(values: list[str]) -> list[tuple[int, int, str]]:
    """Consecutive equal values as (first index, last index, value)."""
    out: list[tuple[int, int, str]] = []
    for i, v in enumerate(values):
        if out and out[-1][2] == v:
            out[-1] = (out[-1][0], i, v)
        else:
            out.append((i, i, v))
    return out


def _first_hours(slots: tuple[str, ...], risk: FloatArray, *, dated: bool = False
                 ) -> tuple[list[str], FloatArray, int]:
    """The maps of the first 24 hours — slots shorter than an hour summed into their hour (a
    plan of 30-minute slots would otherwise show half a day), longer ones as they are: labels,
    (grids, maps) and how many slots they hold. ``dated``: each label carries its day
    ("11-30 21:00"), for a plan of several days (a map labelled by its hour alone was read as
    any day's)."""
    keys: list[str] = []
    labels: list[str] = []
    cols: list[FloatArray] = []
    used = 0
    end = (datetime.fromisoformat(slots[0]) + timedelta(days=1)).isoformat() if slots else ""
    for k, s in enumerate(slots):
        key = s[:13]  # 'YYYY-MM-DDTHH'
        if keys and keys[-1] == key:
            cols[-1] = cols[-1] + risk[:, k]
        elif len(keys) == 24 or s >= end[:len(s)]:  # two-hour slots: 12 maps, not 2 days
            break
        else:
            keys.append(key)
            labels.append(f"{s[5:10]} {s[11:16]}" if dated else s[11:16])
            cols.append(risk[:, k].astype(float))
        used += 1
    return labels, (np.column_stack(cols) if cols else risk[:, :0]), used


def _plan_hours(slots: tuple[str, ...], risk: FloatArray) -> tuple[list[str], FloatArray]:
    """Every slot of the plan as the maps draw it (:func:`_first_hours`): slots shorter than
    an hour summed into their hour, longer ones as they are — their 'YYYY-MM-DDTHH' keys and
    (grids, hours). The heat maps' one scale runs to its highest (a review: it ran to the
    first day's top, 0.24, and day 2's peak of 0.266 had no colour on it)."""
    keys: list[str] = []
    cols: list[FloatArray] = []
    for k, s in enumerate(slots):
        if keys and keys[-1] == s[:13]:
            cols[-1] = cols[-1] + risk[:, k]
        else:
            keys.append(s[:13])
            cols.append(risk[:, k].astype(float))
    return keys, (np.column_stack(cols) if cols else risk[:, :0])


def _class_label(lo: float, hi: float, step: float) -> str:
    """A legend class 'lo–hi' with as many decimals as the step needs (a county of a few
    incidents a year has classes of 0.001, which two decimals print as '0.00–0.00')."""
    digits = 2 if step >= 0.01 or step <= 0 else min(6, 1 - int(np.floor(np.log10(step))))
    return f"{lo:.{digits}f}–{hi:.{digits}f}"


def _risk_section(result: PlanResult, T: Any) -> tuple[list[str], list[dict[str, str]],
                                                       dict[str, Any] | None]:
    """Heat maps per hour of the first day (at most 24) and the hot grids of the horizon; or,
    where the plan has no forecast, why, and what the deployment then weighs the grids by
    (the record where it is the dosage yardstick and holds incidents, else every grid the
    same)."""
    risk = result.risk
    if risk is None:
        intel = result.stages.get("intel", {})
        why = str(intel.get("skipped", ""))
        if not why:
            return [], [], None
        # the stage's reason picks the words (a review: a record lying outside every grid was
        # reported as "incidents.csv missing or empty"); a plan.json written before the stage
        # gave one has its English text only
        reason = str(intel.get("reason") or ("grids" if "prevention grids to" in why
                                              else "history"))
        if reason not in ("grids", "history", "later", "outside", "categories"):
            reason = "history"
        fields = {k: v for k, v in intel.items() if k not in ("skipped", "reason")}
        if reason == "outside":  # the advice is the record's: a datum, or the CRS
            hint = ("risk_skipped_outside_any" if "n" not in fields
                    else f"risk_skipped_outside_{fields.get('coords', 'xy')}")
            text = T("risk_skipped_outside", hint=T(hint, **fields),
                     count=T("risk_skipped_count", n=fields["n"]) if "n" in fields else "")
        elif reason in ("categories", "later") and "n" not in fields:  # an older plan.json
            text = T("risk_skipped_categories_any" if reason == "categories"
                     else "risk_skipped_history")
        else:
            text = T(f"risk_skipped_{reason}", **fields)
        if reason != "grids":  # what the deployment weighs the grids by instead
            weighs, kw = skipped_weighs(result.stages)
            text += T(f"risk_weighs_{weighs}", **kw)
        return [], [], {"skipped": text}
    several_days = len({s[:10] for s in risk.slots}) > 1
    labels, first_day, used = _first_hours(risk.slots, risk.risk, dated=several_days)
    n = first_day.shape[1]
    # one scale for every slot of the plan, to its highest (the maps' own scale is the top of
    # those drawn): where that lies after the first day's maps, its map is drawn after them
    keys, every = _plan_hours(risk.slots, risk.risk)
    drawn = set(keys[:n])
    drawn_maps, drawn_labels = first_day, labels
    peak_map = ""
    if every.size and float(every.max()) > (float(first_day.max()) if n else 0.0):
        j = int(np.argmax(every.max(axis=0)))
        peak_map = f"{keys[j][5:10]} {keys[j][11:13]}:00"
        drawn.add(keys[j])
        drawn_maps = np.column_stack([first_day, every[:, j]])
        drawn_labels = [*labels, peak_map + T("risk_peak_mark")]
    maps = render_risk_maps(result.scenario, risk.grids, drawn_maps, drawn_labels)
    names = {a.id: a.name for a in result.scenario.areas_of("grid")}
    total = float(risk.risk.sum())
    top = float(every.max()) if every.size else 0.0
    step = top / len(HEAT_COLOURS)
    if risk.sizes is None:  # a table read back without them: the scenario's grids have them
        risk = replace(risk, sizes=grid_sizes(result.scenario, risk.grids))
    # ranked as /api/risk, `intel forecast` and the check rank (per km² where the grids
    # differ in size), the expected incidents beside it
    dense = risk.per_km2()
    hot = []
    for gid, v in risk.hot(len(risk.grids)):
        i = risk.grids.index(gid)
        # none where nothing is expected or the risk is even over the hours (dates only)
        peak = peak_slot(risk.risk[i], risk.slots)
        when = ("—" if peak is None else risk.slots[peak][5:16].replace("T", " ")
                if several_days else risk.slots[peak][11:16])
        if peak is not None and risk.slots[peak][:13] not in drawn:  # said, not left to guess
            when += T("risk_peak_not_drawn")
        hot.append({"grid": names.get(gid, gid), "expected": _fmt(v, 2),
                    "per_km2": _fmt(float(dense[i]), 2) if dense is not None else "",
                    "share": _pct(v / total) if total > 0 else "—", "peak": when})
    classes = [(c, _class_label(k * step, (k + 1) * step, step))
               for k, c in enumerate(HEAT_COLOURS)]
    if n and (drawn_maps <= 0).any():  # the colour of a grid with nothing expected, explained
        classes.insert(0, (NO_RISK_COLOUR, "0"))
    first = risk.slots[0][:10] if risk.slots else ""
    info = {
        "skipped": "",
        "method": risk.method + (f" → {risk.chosen}" if risk.chosen else ""),
        # to the last day trained on, said to be included (plan.json's trained_to is the day
        # after it, as every forecast's)
        "window": f"{risk.trained_from} – {risk.trained_to - timedelta(days=1)}",
        "incidents": str(risk.incidents_in_window),
        "total": _fmt(total, 1),
        "classes": classes,
        "as_of": (T("risk_as_of", last=str(risk.as_of - timedelta(days=1)),
                    n=(date.fromisoformat(first) - risk.as_of).days + 1,
                    m=(date.fromisoformat(first) - risk.as_of).days)
                  if risk.as_of and first else "") + (
            " " + T("risk_short", d=str(risk.trained_from),
                    n=(risk.trained_to - risk.trained_from).days)
            if "window" in risk.details else ""),
        "maps_of": T("risk_maps_of", d=first) if several_days else "",
        "more": (T("risk_more", n=len(risk.slots) - used) if len(risk.slots) > used else "")
        + (T("risk_peak_map", when=peak_map) if peak_map else ""),
        "caveats": _risk_caveats(risk, T, result.scenario.timezone),
        "check": _check_section(risk.check, T),
        "hot_rule": T("hot_ranked_expected" if dense is None else "hot_ranked_per_km2"),
        "per_km2": dense is not None,
    }
    return maps, hot, info


def _incidents_count(result: PlanResult, c: Mapping[str, Any], T: Any) -> object:
    """The record's incidents, and how many of them the plan used where it ran on past the
    plan's first slot (a review: the report said 6,325 where the plan used 4,460)."""
    record: Mapping[str, Any] = result.stages.get("record") or {}
    later = int(record.get("incidents_from_plan_start", 0))
    if not later:
        return c["incidents"]
    total = int(c["incidents"])
    return T("incidents_before", total=total, n=total - later, later=later)


def _risk_caveats(risk: RiskTable, T: Any, tz: str = "") -> list[tuple[str, str]]:
    """What the command line says of the forecast, and plan.json holds, as the report's
    (class, text) lines: a forecast from few incidents, incidents outside every grid (not
    forecast; the advice is the record's, a datum for lon/lat, the CRS for x/y), an EM fit
    that did not converge, a day the clocks change on (``tz``, the scenario's zone: a slot
    holding two hours of risk, or one short of an hour), the categories counted, a record
    of dates without times of day or with a heap at 00:00, auto's candidates told apart by
    log-likelihood, days the record does not cover."""
    out: list[tuple[str, str]] = []
    d = risk.details
    if risk.few():
        out.append(("warn", T("risk_few", n=risk.incidents_in_window)))
    if risk.outside_grids:
        coords = str(d.get("incident_coords", ""))
        hint = {"lonlat": "risk_outside_lonlat", "xy": "risk_outside_xy"}.get(
            coords, "risk_outside_both")
        out.append(("warn", T("risk_outside", off=risk.outside_grids, total=risk.incidents,
                              p=f"{risk.outside_share():.1%}") + T(hint)))
    if d.get("converged") is False:  # etas's fit, as `xunfang intel forecast` says it
        out.append(("warn", T("risk_unconverged", method=risk.chosen or risk.method,
                              n=d.get("iterations", "?"))))
    for change in d.get("clock_changes") or ():
        for key, hours in (("risk_clock_back", change.get("repeated") or ()),
                           ("risk_clock_forward", change.get("skipped") or ())):
            for h in hours:
                out.append(("warn", T(key, day=str(change.get("day", "")), tz=tz,
                                      h=f"{int(h):02d}:00")))
    if d.get("categories"):  # the names as matched: without the blanks around them
        absent = {str(a).strip() for a in d.get("categories_absent") or ()}
        names = [str(c).strip() for c in d["categories"]]
        out.append(("note", T("risk_categories", c=", ".join(
            T("risk_category_absent", c=c, day=str(d.get("categories_before", "")))
            if c in absent else c for c in names), n=int(d.get("left_out", 0)))))
    if d.get("holidays"):  # whose public holidays gbm's calendar knows, as the plan says it
        out.append(("note", T("risk_holidays_declared", c=str(d["holidays"]),
                              n=int(d["holidays_declared"])) if d.get("holidays_declared")
                      else T("risk_holidays", c=str(d["holidays"]))))
    hours = hours_note(risk.details)
    if hours is not None:
        out.append(("note", T("risk_dates_only") if hours[0] == "dates"
                    else T("risk_midnight", p=hours[1])))
    validation = risk.details.get("validation") or {}
    if "log_likelihood" in validation:  # auto's candidates tied on their hits
        out.append(("note", T("risk_tied", n=len(risk.grids),
                              c=f"{float(validation.get('coverage') or 0.05):.0%}")))
    elif validation.get("note") and "hit_rate" in validation:  # tied, nothing told them apart
        out.append(("note", T("risk_tied_default")))
    unrecorded = risk.details.get("unrecorded_days")
    if unrecorded:
        factor = risk.details.get("coverage_factor")
        out.append(("warn", T("risk_unrecorded", n=unrecorded) + (
            T("risk_coverage", f=f"{float(factor):.3f}") if factor is not None else "")))
    return out


def _check_section(chk: Check | Unchecked | None, T: Any) -> dict[str, Any] | None:
    """The forecast's check over the record's last weeks: each method's row, what came."""
    if chk is None:
        return None
    if isinstance(chk, Unchecked):
        return {"skipped": T("check_" + chk.code)}
    first = chk.rows[0]
    shown = chk.rows[:1] if first.same_as_naive else chk.rows  # naive's row twice says nothing
    rows = [{"method": r.method + ("" if r.train_days == 365 else f" ({r.train_days} d)")
             + (T("check_same") if r.same_as_naive else ""),
             "hot": [f"{_pct(v)} ({_pct(a)})" for v, a in zip(r.hot, r.hot_area, strict=True)],
             "hours": _pct(r.hours), "expected": _fmt(r.expected_per_day, 1),
             "error": _fmt(r.error_per_day, 1)} for r in shown]
    k = chk.ks[0]
    what = T("check_what_one") if k == 1 else T("check_what", k=k)
    name = first.method + ("" if first.train_days == 365 else f" ({first.train_days} d)")
    if first.vs_naive is not None and not first.same_as_naive:
        r, lo, hi = first.vs_naive
        compare = T("check_vs", method=name, what=what, r=_fmt(r, 2), lo=_fmt(lo, 2),
                    hi=_fmt(hi, 2))
    else:  # the plan's method is the yardstick, or forecasts as it does
        lo, hi = first.hot_ci
        compare = T("check_ci", method=name, what=what, lo=_pct(lo), hi=_pct(hi))
    left_out = (chk.last - chk.first).days + 1 - chk.days
    return {
        "skipped": "",
        "note": T("check_note", first=str(chk.first), last=str(chk.last),
                  rule=T(f"rank_{chk.ranked_by}"),
                  days=(chk.last - chk.first).days + 1, n=chk.incidents,
                  ahead=T("check_ahead_one") if chk.lead == 1 else T("check_ahead",
                                                                     lead=chk.lead)),
        "ci": compare,
        "warn": " ".join(x for x in (
            T("check_lead_short", lead=chk.wanted_lead) if chk.lead < chk.wanted_lead else "",
            T("check_gaps", n=left_out) if left_out else "") if x),
        "heads": [T("check_hottest", k=k) if k > 1 else T("check_hottest_one") for k in chk.ks],
        "hours_head": T("check_hours", p=f"{100 * HOUR_SHARE:g}"),
        "rows": rows,
        "actual": _fmt(chk.per_day, 1),
    }


SHIFT_LETTER = {"early": "早", "middle": "中", "night": "夜", "day": "白", "office": "白"}


def _reasons(text: str, lang: Lang) -> str:
    """A special duty's reasons ("risk;risk-peak", roster.rules' codes) in the report's
    language; an event's and a staffing rule's ("event:NAME", "cover:RULE") keep their name,
    an unknown code is shown as written."""
    out = []
    for code in (c for c in text.split(";") if c):
        head, sep, name = code.partition(":")
        out.append(value_label("reason", head, lang) + name
                   if sep and head in ("event", "cover") else value_label("reason", code, lang))
    return "; ".join(out)


#: how many of a day's special duties the roster table lists (the count says how many more)
SPECIAL_SHOWN = 6


def _special_list(duties: list[tuple[str, bool]]) -> str:
    """A day's special duties (text, serves an event) as the roster table lists them, in
    their order: every event's duty — an event's hours are never hidden (a review: the
    bonfire's 00:00–02:00 duties were behind the "…") — and the others up to SPECIAL_SHOWN
    in all, "…" for those left out."""
    room = SPECIAL_SHOWN - sum(ev for _, ev in duties)
    shown = []
    for text, ev in duties:
        if ev or room > 0:
            shown.append(text)
            room -= not ev
    return "; ".join(shown) + (" …" if len(shown) < len(duties) else "")


def _roster_section(result: PlanResult, T: Any, lang: Lang) -> dict[str, Any] | None:
    """The roster calendar: each team's shift per day, special duties, hours, fairness."""
    ro = result.roster
    if ro is None:
        return None
    teams = (*ro.teams, *ro.day_teams)
    # each team's regular shifts by the date they start, with their hours ("夜班 00:00–08:00"):
    # the roster files a night shift of 00:00–08:00 under its roster day, the evening before
    # (planning/roster/patterns.py), and a review read team C's night of 12-02 00:00–08:00 as
    # 12-01's, 12-02 showing C off; the night running into the first day (lead_in) is the
    # first day's, a night starting after the last day is named under the table
    shift_of: dict[tuple[str, str], list[str]] = {}
    table_days = {info.day for info in ro.calendar}
    later: dict[str, set[str]] = {}  # a regular shift starting after the table's last day
    for d in (*lead_in(ro), *ro.rows):
        if d.kind != "regular":
            continue
        said = ((T(f"shift_{d.shift}") if d.shift in SHIFT_LETTER else d.shift)
                + f" {d.start:%H:%M}–{clock(d.end, end=True)}")
        if d.start.date() in table_days:
            got = shift_of.setdefault((d.start.date().isoformat(), d.team), [])
            if said not in got:
                got.append(said)
        elif d.start.date() > max(table_days, default=d.start.date()):
            later.setdefault(f"{d.start:%m-%d %H:%M}", set()).add(d.team)
    # each day's special duties (the text, whether it serves an event): on the day they are
    # worked, not the roster day of the shift they extend (a review: the fair's Wed 08–12
    # overtime of a Tue night shift was listed on Tue); one worked on a day the table does
    # not hold stays on its roster day, dated
    special: dict[str, list[tuple[str, bool]]] = {}
    for d in ro.rows:
        if d.kind != "regular":
            worked = d.start.date()
            day, start = ((worked, f"{d.start:%H:%M}") if worked in table_days
                          else (d.day, f"{d.start:%m-%d %H:%M}"))
            special.setdefault(day.isoformat(), []).append((
                f"{d.person} {start}–{clock(d.end, end=True)} ({_reasons(d.reason, lang)})",
                any(c.startswith("event:") for c in d.reason.split(";"))))
    days = []
    for info in ro.calendar:
        k = info.day.isoformat()
        duties = special.get(k, [])
        days.append({
            "day": f"{info.day:%m-%d} {T('weekday_' + str(info.day.weekday()))}",
            "kind": T("day_" + info.kind) + (f" · {info.holiday}" if info.holiday else "")
                    + (f" · {T('makeup')}" if info.makeup else ""),
            "holiday": info.kind != "workday",
            "shifts": [" / ".join(shift_of.get((k, t), [])) or T("shift_off") for t in teams],
            "special": len(duties),
            "special_list": _special_list(duties),
        })
    # each person's hours over the table's days as the table dates them, by the day a duty
    # starts (a review: the hours were counted by roster day, the first day's 00:00–08:00
    # night left out and a night after the last day counted); nights: the table's days
    # with a duty in their small hours (00:00–06:00), as the roster counts them
    load: dict[str, list[float]] = {p: [0.0, 0.0] for p in ro.hours}
    small: dict[str, set[date]] = {p: set() for p in ro.hours}
    for d in (*lead_in(ro), *ro.rows):
        if d.person not in load or d.start.date() not in table_days:
            continue
        load[d.person][d.kind != "regular"] += d.hours
        for day in {d.start.date(), d.end.date()} & table_days:
            midnight = datetime.combine(day, datetime.min.time())
            if d.start < midnight + timedelta(hours=6) and d.end > midnight:
                small[d.person].add(day)
    hours = sorted(ro.hours.values(), key=lambda h: (-sum(load[h.person]), h.person))
    sep = "、" if lang == "zh" else ", "
    return {
        "teams": [team_name(t, lang) for t in teams], "days": days,
        "convention": T("roster_by_start") + "".join(
            T("roster_starts_later", when=when, teams=sep.join(
                team_name(t, lang) for t in sorted(ts))) for when, ts in sorted(later.items())),
        # the measures by name, not roster.solve's keys (gini_nights…); the most hours of
        # one person is hours, not a Gini
        "fairness": [(value_label("fairness", k, lang), f"{v:g}" if k.startswith("max_")
                      else f"{v:.3f}") for k, v in sorted(ro.fairness.items())],
        "hours": [{"person": h.person, "team": team_name(h.team, lang),
                   "regular": _fmt(load[h.person][0], 0),
                   "special": _fmt(load[h.person][1], 0), "nights": len(small[h.person])}
                  for h in hours[:12]],
        "people": len(ro.hours),
        "status": value_label("status", ro.solve.status, lang),
    }


def _crew_short(crew: Sequence[str], lang: Lang) -> str:
    """A crew as the printed plan sheet's narrow column holds it on one line: the people of a
    car or a checkpoint team ("TXJ03;TXFA06"), an auxiliary force's first one and how many
    ("YJP01 等5人", "YJP01 +4"); the auxiliary section and plan_sheet.csv name them all."""
    if len(crew) <= 2:
        return ";".join(crew)
    return f"{crew[0]} 等{len(crew)}人" if lang == "zh" else f"{crew[0]} +{len(crew) - 1}"


def _crew_at(result: PlanResult, unit: str, slot: int) -> str:
    """The people on board ``unit`` in slot ``slot`` as the plan crews it ("TXJ03;TXFA06"),
    "—" for none or for a checkpoint team that is no unit of the plan (CP-T<n>)."""
    try:
        crew = result.plan.at(unit, slot).crew
    except KeyError:
        return "—"
    return ";".join(crew) or "—"


#: planning/checkpoints/stage.solve_by_day's mark of a game of identical days solved as one
REPEATED_DAY = " (one day, repeated)"


def checkpoint_method(method: str, T: Any) -> str:
    """The checkpoint game's solver as the report says it: a game of identical days solved
    as one day and repeated said in the report's words (review HD: a 7-day zh report read
    "求解方法 dobss (one day, repeated)")."""
    if method.endswith(REPEATED_DAY):
        return str(T("checkpoint_method_repeated", method=method[:-len(REPEATED_DAY)]))
    return method


def _checkpoint_section(result: PlanResult, T: Any) -> dict[str, Any] | None:
    """The checkpoint game's first day: each site's expected slots, and who is where when —
    the unit the schedule sends and its crew, under their own headings (a review: a column
    headed 班组/Team held the unit, TX-C3, and its crew was nowhere)."""
    cp = result.checkpoints
    if cp is None:
        return None
    names = {p.id: p.name for p in result.scenario.posts}
    info = cp.summary()
    cov: dict[str, float] = {}
    for m in cp.marginals():
        cov[str(m["site"])] = cov.get(str(m["site"]), 0.0) + float(m["coverage"])  # type: ignore[arg-type]
    n_days = max(1, round(sum(sl.minutes for sl in result.plan.slots) / 1440))
    cov = {k: v / n_days for k, v in cov.items()}
    base = info["baselines"]
    assert isinstance(base, dict)
    # each date's predictability (the horizon's entropy sums the dates): the least random date
    ents = [r["entropy_bits"] for r in cp.by_date]
    tops = [r["max_schedule_probability"] for r in cp.by_date]
    free = [{"slot": f"{f.slot[5:10]} {f.slot[11:16]}", "site": T("checkpoint_free"),
             "unit": f.team, "crew": _crew_at(result, f.team, f.slot_index)}
            for f in (cp.free[0] if cp.free else ())]
    return {
        "rows": sorted([{"slot": f"{v.slot[5:10]} {v.slot[11:16]}",
                         "site": names.get(v.site, v.site), "unit": v.team,
                         "crew": _crew_at(result, v.team, v.slot_index)} for v in cp.days[0]]
                       + free, key=lambda r: r["slot"]),
        "sites": [{"site": names.get(s, s), "slots": _fmt(v, 1)} for s, v in cov.items()],
        "map": render_site_map(result.scenario, cov),
        "attacker": _fmt(cp.attacker_value, 3),
        "uniform": _fmt(float(base["uniform"]["attacker_value"]), 3),
        "fixed": _fmt(float(base["fixed"]["attacker_value"]), 3),
        "entropy": (_fmt(min(float(x) for x in ents), 1)  # type: ignore[arg-type]
                    if ents and None not in ents else "—"),
        "top": (f"{max(float(x) for x in tops):.2g}"  # type: ignore[arg-type]
                if tops and None not in tops else "—"),
        "method": checkpoint_method(str(info["method"]), T),
        "sse": T("yes") if cp.check.ok else T("no"),
        "unmanned": _unmanned_rows(result, [(u.team, u.slot_index, u.reason)
                                            for u in (cp.unmanned[0] if cp.unmanned else ())],
                                   T),
    }


#: why a checkpoint team cannot check in a slot (planning/pipeline.py's _manned): no crew, or
#: no sworn officer (民警) to lead its crew, the roster's sworn officers named after
UNMANNED_SWORN = re.compile(
    r"no sworn officer \(民警\) on duty to lead its crew \((?P<crew>[^)]*)\): auxiliary "
    r"officers may not stop and check alone(?:; the roster's sworn officers \((?P<sworn>[^)]*)"
    r"\) are off duty or busy)?$")


#: a police unit off outside its duty hours (planning/deploy/inputs.py's crewing)
HOURS_OFF_SAID = re.compile(r"off outside its duty hours \(units\.csv hours (?P<hours>[^)]+)\)$")


def checkpoints_skipped(result: PlanResult, T: Any) -> str | None:
    """Why the plan has no checkpoint schedule though the scenario has checkpoints, in the
    report's language (None when it has one, or no checkpoint post): a review of the
    county's Saturday plan found the section gone without a word — the roster's sworn
    officers, the day team, are off at weekends and auxiliaries may not check alone."""
    stage = result.stages.get("checkpoints")
    why = stage.get("skipped") if isinstance(stage, Mapping) else None
    if result.checkpoints is not None or not isinstance(why, str):
        return None
    if why.startswith(NO_TEAM_CAN_CHECK):
        return str(T("checkpoints_skipped_unmanned",
                     why=unmanned_reason(why[len(NO_TEAM_CAN_CHECK):], T)))
    if why == NO_CHECKPOINT_TEAM:
        return str(T("checkpoints_skipped_no_team"))
    return None  # no checkpoint post: nothing to schedule


def unmanned_reason(text: str, T: Any) -> str:
    """A checkpoint team's reason for not checking in the report's language (no crew, off
    outside its duty hours: said as any unit's off reason, ``off_why``; no sworn officer to
    lead the crew); a reason of other words stays as plan.json writes it."""
    said = _said(SHORT_PART_SAID["off_why"], text, T, None)
    if said is not None:
        return said
    m = UNMANNED_SWORN.match(text)
    if m is None:
        return text
    return str(T("cp_unmanned_sworn", crew=m["crew"])
               + (T("cp_unmanned_sworn_off", sworn=m["sworn"]) if m["sworn"] else ""))


def slot_spans(result: PlanResult, indices: Sequence[int]) -> str:
    """Slots (by index) as runs of clock times, ``00:00–08:00, 20:00–24:00``; dated
    (``12-03 00:00–08:00``) in a plan of several days, a run over midnight with its end's
    date."""
    at = {s.index: s for s in result.plan.slots}
    several = len({s.start.date() for s in result.plan.slots}) > 1
    out = []
    for first, last in index_runs(indices):
        a, b = at[first].start, at[last].end
        out.append(span_text(a, b) if several else f"{clock(a)}–{clock(b, end=True)}")
    return ", ".join(out)


def _unmanned_rows(result: PlanResult, unmanned: Sequence[tuple[str, int, str]], T: Any
                   ) -> list[dict[str, Any]]:
    """The checkpoint slots no team could man (review HR #1: plan.json listed them, the
    report did not): one row per team and reason, its slots as runs of hours (a week's 108
    team-slots in a few lines), in the order they first occur."""
    groups: dict[tuple[str, str], list[int]] = {}
    for team, index, reason in unmanned:
        groups.setdefault((team, reason), []).append(index)
    names = {u.id: str(u.extra.get("name") or "") for u in result.scenario.units}
    return [{"unit": f"{names[team]} ({team})" if names.get(team) else team, "n": len(ks),
             "when": slot_spans(result, ks), "why": unmanned_reason(reason, T)}
            for (team, reason), ks in groups.items()]


#: when such a unit is on duty: every hour, or its duty hours (units.csv ``hours``)
_UNNAMED_WHEN = r"(?:all day|in every hour|in its hours (?P<hours>\S+) \(units\.csv hours\))"
#: why a unit on duty has no named crew (planning/deploy/inputs.py's crewing): its own duty
#: list, which the plan's roster does not rota, or nobody in people.csv who may crew it
UNNAMED_SAID: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"crewed by its own duty list: people\.csv names (?P<n>\d+) people for it "
                r"\((?P<people>[^;]*); team (?P<team>[^)]*)\), whom this plan's roster "
                r"\(teams (?P<teams>[^)]*)\) does not rota: on duty " + _UNNAMED_WHEN
                + r", its crew not named$"), "unnamed_own_list"),
    (re.compile(r"no one in people\.csv can crew it \(squad '(?P<squad>[^']*)', tier "
                r"'(?P<tier>[^']*)'\): on duty " + _UNNAMED_WHEN + r" with no crew$"),
     "unnamed_no_one"),
)


def _unnamed_rows(result: PlanResult, T: Any, unit_label: Callable[[str], str],
                  lang: Lang) -> list[dict[str, str]]:
    """The units on duty whose crew has no named people, and why (posture.unnamed_crews;
    review HR #2: a week's plan had 11 such units on duty 168 h and the report did not say
    so): one row per reason, the units of the same reason (a station's car and foot
    patrol) together."""
    posture = result.stages.get("posture")
    unnamed = posture.get("unnamed_crews") if isinstance(posture, Mapping) else None
    if not isinstance(unnamed, Mapping):
        return []
    groups: dict[str, list[str]] = {}
    for unit, why in unnamed.items():
        groups.setdefault(str(why), []).append(str(unit))
    sep = str(T("list_sep"))
    rows = []
    for why, units in groups.items():
        said = why
        for pattern, key in UNNAMED_SAID:
            m = pattern.match(why)
            if m is not None:
                kw = m.groupdict()
                if "teams" in kw:  # the roster's day team in the report's words
                    kw["teams"] = sep.join(team_name(x, lang) for x in kw["teams"].split(", "))
                if "people" in kw:  # the planner's ", " in the report's list separator
                    kw["people"] = sep.join(kw["people"].split(", "))
                hours = kw.pop("hours", None)
                kw["when"] = str(T("unnamed_in_hours", hours=hours) if hours
                                 else T("unnamed_every_hour"))
                said = str(T(key, **kw))
                break
        rows.append({"units": sep.join(unit_label(u) for u in units), "why": said})
    return rows


def own_lists(result: PlanResult) -> list[Mapping[str, Any]]:
    """plan.json's ``posture.own_duty_lists`` (empty without)."""
    posture = result.stages.get("posture")
    lists = posture.get("own_duty_lists") if isinstance(posture, Mapping) else None
    return [r for r in lists if isinstance(r, Mapping)] if isinstance(lists, list) else []


def _own_load_rows(result: PlanResult, T: Any, unit_label: Callable[[str], str]
                   ) -> list[dict[str, object]]:
    """What the plan asks of each own duty list (posture.own_duty_lists): its units, its
    people, the crew-hours a day, the hours a week each of them works and the most needed at
    once, and the person-hours its rota leaves uncovered a week and in the plan's days;
    ``over`` where that is more than ``max_week_hours``, than the list has, or than its rota
    can cover."""
    sep = str(T("list_sep"))
    rows: list[dict[str, object]] = []
    for r in own_lists(result):
        got = r.get("rota")
        rota: Mapping[str, Any] = got if isinstance(got, Mapping) else {}
        week, here = rota.get("week_short_hours", 0), rota.get("short_hours", 0)
        lead_w, lead_p = rota.get("week_lead_short_hours", 0), rota.get("lead_short_hours", 0)
        short = [str(T("own_rota_short", week=f"{week:g}", here=f"{here:g}"))] if week or here \
            else []
        if lead_w or lead_p:
            short.append(str(T("own_rota_lead_short", week=f"{lead_w:g}", here=f"{lead_p:g}")))
        rows.append({
            "units": sep.join(unit_label(str(u)) for u in r["units"]), "people": r["people"],
            "a_day": f"{r['crew_hours_a_day']:g}", "each": f"{r['week_hours_each']:g}",
            "most": r["max_week_hours"], "at_once": r["most_at_once"], "over": r["over"],
            # the hours' own verdict, apart from the rota's (a review: "56 (most 56) — more
            # than its people can work" marked a figure within its cap)
            "hours_over": float(r["week_hours_each"]) > float(r["max_week_hours"]) + 1e-9
            or int(r["most_at_once"]) > int(r["people"]),
            "short": str(T("need_sep")).join(short) or T("own_rota_covered")})
    return rows


def _own_rota_rows(result: PlanResult, T: Any, unit_label: Callable[[str], str]
                   ) -> tuple[list[str], list[dict[str, object]]]:
    """The own duty lists' rotas as a duty sheet: the plan's days, and per person of each
    list the shifts that start on each day ("夜班 00:00–08:00", as the roster's table dates
    them: by the day a shift starts), or off, the sworn officers marked (民警: who leads);
    a cell is marked where the rota leaves that day's slots short of people or of a lead."""
    slots = result.plan.slots
    days = sorted({s.start.date() for s in slots})
    sep = str(T("list_sep"))
    role = {p.id: p.role for p in result.scenario.people}
    rows: list[dict[str, object]] = []
    for r in own_lists(result):
        rota = r.get("rota")
        if not isinstance(rota, Mapping):
            continue
        marked = short_days(rota, slots)
        shifts: dict[tuple[str, date], list[str]] = {}
        for d in rota.get("duties", []):
            a, b = datetime.fromisoformat(d["from"]), datetime.fromisoformat(d["to"])
            name = T(f"shift_{d['shift']}") if d["shift"] in SHIFT_LETTER else d["shift"]
            # a night begun the evening before the plan's first day is its first day's, dated
            early = a.date() < days[0]
            shifts.setdefault((d["person"], days[0] if early else a.date()), []).append(
                f"{name} {a:%m-%d %H:%M}–{clock(b, end=True)}" if early
                else f"{name} {clock(a)}–{clock(b, end=True)}")
        people = list(rota.get("week_hours", {}))
        units = sep.join(unit_label(str(u)) for u in r["units"])
        for k, person in enumerate(people):
            rows.append({
                "units": units if k == 0 else "", "span": len(people) if k == 0 else 0,
                "person": (T("own_rota_sworn", person=person) if role.get(person) in SWORN_ROLES
                           else person), "week": f"{rota['week_hours'][person]:g}",
                "cells": [{"text": " / ".join(shifts.get((person, day), []))
                           or T("shift_off"), "short": day in marked} for day in days]})
    return [f"{day:%m-%d} {T('weekday_' + str(day.weekday()))}" for day in days], rows


def team_label(team: str, sc: Scenario, lang: Lang, rotating: frozenset[str] = frozenset()
               ) -> str:
    """A team of people.csv as the overview names it (review HR #4: raw ids, "PS1", "BA"):
    the day team and a rotating team of the roster (``rotating``) in the roster's words, a
    team named like a post (``PS1``: 沙坪派出所) or like units (``PS1-G``, ``YJ``: the units'
    names) by that name, with its id."""
    if team == "day":
        return team_name(team, lang)
    if team in rotating:
        return t("team_rotating", lang, team=team)
    posts = {p.id: p.name for p in sc.posts}
    if posts.get(team):
        name = posts[team]
    else:
        names = list(dict.fromkeys(
            str(u.extra.get("name") or "") for u in sc.units
            if u.id == team or u.id.startswith(team + "-")))
        names = [n for n in names if n]
        name = t("list_sep", lang).join(names[:2]) + (" …" if len(names) > 2 else "")
    return f"{name} ({team})" if name and name != team else team


KPI_ROWS = ("response_p50_min", "response_p90_min", "response_within_target", "visibility",
            "patrol_gap_minutes", "over_deployment")
#: Rows shown when some arm has them (the plan's drones and cameras, the call's delay).
KPI_AIR_ROWS = ("scene_p50_min", "scene_p90_min", "camera_detected_share",
                "drone_eyes_first_share", "drone_eyes_p50_min", "drone_sortie_minutes_per_day",
                "drone_sorties_missed")
SHARE_KPIS = ("response_within_target", "visibility", "over_deployment",
              "camera_detected_share", "drone_eyes_first_share")


def _kpi_section(result: PlanResult, T: Any) -> dict[str, Any] | None:
    """Plan against the baselines: the KPI table with 95 % intervals, the response-time
    distribution, the 1-3-5 shares per slot and visibility per grid."""
    k = result.kpis
    if not k:
        return None
    plan = k["plan"]
    arms: dict[str, Any] = {T("kpi_plan"): plan}
    base = k.get("baselines", {})
    assert isinstance(plan, dict) and isinstance(base, dict)
    for name, v in base.items():
        arms[T("baseline_" + name)] = v

    def cell(doc: dict[str, Any], key: str) -> str:
        # shares as percentages, as the maps' legends give them (a review: 见警率 0.969)
        show = _pct if key in SHARE_KPIS else _fmt2
        v, ci = doc.get(key), doc.get(key + "_ci")
        text = show(float(v)) if isinstance(v, (int, float)) else "—"
        if ci:
            text += f" [{show(float(ci[0]))}, {show(float(ci[1]))}]"
        return text

    keys = [*KPI_ROWS, *(key for key in KPI_AIR_ROWS
                         if any(isinstance(doc.get(key), (int, float)) for doc in arms.values()))]
    rows = [{"kpi": T("kpi_" + key), "cells": [cell(doc, key) for doc in arms.values()]}
            for key in keys]
    hist = plan["tables"]["response_histogram"]
    hist_series = {name: [float(r["incidents"]) for r in doc["tables"]["response_histogram"]]
                   for name, doc in list(arms.items())[:2]}
    # the bins' edges, the last bin's upper one too (the chart ends at the last bin filled;
    # the last bin of the table is open, "∞")
    hist_labels = [f"{r['from_min']:g}" for r in hist] + [
        "∞" if r.get("to_min") is None else f"{r['to_min']:g}" for r in hist[-1:]]
    # every slot of the day at its place, "—" gaps where no incident came (a review: the
    # 13 hours with incidents stood evenly apart, 02:00 beside 09:00)
    slots = {str(r["key"]): r for r in plan["tables"]["by_slot"]}
    step = max(1, int(result.scenario.slot_minutes))
    day_keys = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, step)]
    slot_labels = (day_keys if set(slots) <= set(day_keys) else list(slots))
    slot_series = {T("within_min", b=m): [slots[k].get(f"within_{m}_min") if k in slots
                                          else None for k in slot_labels]
                   for m in (1, 3, 5)}
    vis = {str(r["grid"]): float(r["visibility"]) for r in plan["tables"]["visibility_by_grid"]
           if r.get("visibility") is not None}
    grids = tuple(vis)
    c = plan.get("counts", {})
    return {
        "arms": list(arms), "rows": rows,
        "hist": bar_chart(hist_series, hist_labels, y_label=T("incidents_per_day"),
                          x_label=T("chart_minutes"), edges=True),
        "slots": line_chart(slot_series, slot_labels, top=1.0, x_label=T("chart_hour")),
        # a map of its own size and classes, with its legend (a review: it was one 150-px
        # heat-map cell, on the risk maps' scale, with none)
        "vis_map": render_share_map(result.scenario, vis),
        "vis_classes": share_classes(),
        "vis_rows": [{"grid": g, "v": _pct(vis[g])} for g in grids],
        "counts": T("kpi_counts", **{k2: c.get(k2, 0) for k2 in (
            "incidents", "served", "unserved", "unreachable", "off_network")}),
        "replications": plan.get("replications"),
        # what the incidents were sampled from, as plan.json's kpis stage says (a review: the
        # report said "from the forecast" of plans without one)
        "from_record": "record" in str((result.stages.get("kpis") or {}).get("incidents", "")),
    }


def _dosage_text(dosage: object, T: Any, lang: str, several_days: bool = False) -> str:
    """The posture's dosage note in the report's language: plan.json's English note, or the
    same said from its fields, the grids and the worst slot as the posture chose them (a
    Chinese report showed the English paragraph, then a Chinese one that left half of it
    out). The worst slot is HH:MM, with its date (MM-DD
    HH:MM, as the hot grids' peak) on a plan of ``several_days`` (a review: a plan of
    several days said 03:00 and not which day's)."""
    if not isinstance(dosage, dict):
        return ""
    if lang == "en":
        return when_text(str(dosage.get("note", "")), several_days)
    rows = [r for r in dosage.get("grid_slots", []) if isinstance(r, dict)]
    worst = dosage.get("worst")
    if not rows or not isinstance(worst, dict):
        return ""
    top = [str(g) for g in dosage.get("most_short") or ()]  # as the posture ranked them
    start = str(worst["start"])
    when = ((start[5:16].replace("T", " ") if several_days else start[11:16])
            if len(start) >= 16 and start[10] == "T" else start)
    holders = float(dosage.get("ring_holders_per_slot") or 0.0)
    on = dosage.get("mobile_on_duty") or []
    extra = dosage.get("beyond_first") or []

    def span(v: Any) -> str:
        return f"{v[0]}–{v[1]}" if len(v) == 2 and v[0] != v[1] else str(v[0]) if v else "?"

    basis = T({"record": "dosage_basis_record", "same": "dosage_basis_same"}.get(
        str(dosage.get("yardstick")), "dosage_basis_forecast"))
    text = T("dosage_note", n=len(rows), share=f"{float(dosage.get('under_share', 0.5)):.0%}",
             units=f"{float(dosage.get('under_units', 2)):g}", basis=basis,
             grids="、".join(top), grid=worst["grid"], start=when, have=worst["have"],
             need=worst["need"],
             holders=T("dosage_holders", h=f"{holders:.1f}") if holders else "",
             extra=span(extra), on=span(on))
    text = str(text) + (str(T("dosage_hold_rings")) if holders else "")
    if "record_at_hour" in worst:  # what the worst need rests on (a record yardstick)
        text += str(T("dosage_rests_on", total=f"{float(worst['record_at_hour']):g}",
                      n=f"{float(worst['record_in_grid']):g}", grid=worst["grid"]))
    if dosage.get("thin"):
        text += str(T("dosage_thin", thin=dosage["thin"], below=dosage.get("thin_below", 30)))
    return text


#: the plan's stages besides the posture whose shortfalls are sentences (plan.json)
OTHER_SHORT_STAGES = ("routes", "drones", "video", "auxiliary")


#: an ISO date-time as plan.json writes a slot's start ("2026-12-02T07:00", seconds and a
#: UTC offset allowed)
ISO_TIME = re.compile(r"\b\d{4}-(?P<md>\d\d-\d\d)T(?P<hm>\d\d:\d\d)(?::\d\d(?:\.\d+)?)?"
                      r"(?:Z|[+-]\d\d:\d\d)?\b")


def when_text(text: str, several_days: bool) -> str:
    """``text`` with every ISO date-time in it said as the report says a time: ``07:00`` in
    a plan of one day, ``12-02 07:00`` in one of several (a review: the Chinese shortfall
    table and the English dosage note read "2026-12-02T07:00")."""
    return ISO_TIME.sub(lambda m: f"{m['md']} {m['hm']}" if several_days else m["hm"], text)


def _short_row(f: Any, T: Any) -> Any:
    """A shortfall with its duty in the report's language (the known duties; an event's
    level, "event NAME level N", keeps its name) and its detail too where a pattern of
    POSTURE_SHORT_SAID or the needs of NEED_SAID know it (:func:`_posture_detail`; else as
    plan.json words it: a review found an event's shortfall in English in the Chinese
    report)."""
    if not isinstance(f, dict):
        return f
    duty = str(f.get("duty", ""))
    level = EVENT_LEVEL.match(duty)
    try:
        said = (T("short_event_level", event=level["event"], level=level["level"]) if level
                else T("short_" + duty))
    except KeyError:
        return f
    detail = f.get("detail")
    if isinstance(detail, str):
        detail = _posture_detail(duty, level is not None, detail, T) or detail
    return {**f, "duty": said, "detail": detail}


def _posture_detail(duty: str, event_level: bool, detail: str, T: Any) -> str | None:
    """A posture shortfall's ``detail`` in the report's language: by the patterns of its
    duty in POSTURE_SHORT_SAID, or (a grid's needs) NEED_SAID, and the units of its zone held
    at event posts after it (HELD_AT_EVENTS), where any; None when a part is not one the
    patterns know (the detail then stays as plan.json words it, not half translated)."""
    at_events = HELD_AT_EVENTS.search(detail)
    head = detail if at_events is None else detail[:at_events.start()]
    if duty in POSTURE_SHORT_SAID:
        said = _said(POSTURE_SHORT_SAID[duty], head, T, None)
    elif event_level or duty in NEED_DUTIES:
        said = _needs_said(head, T)
    else:
        return None
    if said is None or at_events is None:
        return said
    return said + str(T(HELD_AT_EVENTS_SAID[at_events["who"]], n=at_events["n"],
                        events=at_events["events"]))


#: road classes ranked as a crossing is named by them (the main road first, "X路/Y街口")
ROAD_RANK = {c: k for k, c in enumerate(("motorway", "trunk", "primary", "secondary",
                                         "tertiary", "unclassified", "residential"))}


class PlaceNames:
    """Places as a duty planner says them on paper: a route as the streets it drives, a
    staging node as its crossing, posts, sites and cameras by name with the id in brackets.

    Review AO: plan_sheet.csv and the report's plan sheet gave crews raw ids (``n108 > n203 >
    …``, ``CAM01;CAM09``, staging "at node n271") though the scenario names every street
    (network/edges.csv's name column), post, site and camera; a crew cannot follow a route of
    node ids on paper. Ids stay where programs read them (plan_sheet.csv's place column).
    """

    def __init__(self, result: PlanResult, lang: str = "zh") -> None:
        sc = result.scenario
        roads = sc.roads
        self.lang = lang
        self.net = result.network
        self.ids = roads.node_ids
        self.index = {n: i for i, n in enumerate(roads.node_ids)}
        self.xy = roads.xy
        self.street: dict[tuple[int, int], str] = {}  # (a, b) either way → the street's name
        self.adjacent: set[tuple[int, int]] = set()
        meets: dict[int, dict[str, tuple[int, int]]] = {}  # node → name → (rank, order)
        # the streets leaving each node (a one-way pair counted once): two named streets at a
        # node of two edges are one road changing its name, not a crossing (review AR: n271,
        # where 人民路 becomes 人民东路, was printed 人民路/人民东路口)
        self.neighbours: dict[int, set[int]] = {}
        for e in range(roads.n_edges):
            a, b = int(roads.u[e]), int(roads.v[e])
            self.adjacent |= {(a, b), (b, a)}
            if a != b:
                self.neighbours.setdefault(a, set()).add(b)
                self.neighbours.setdefault(b, set()).add(a)
            name = str(roads.name[e]).strip() if e < len(roads.name) else ""
            if not name:
                continue
            self.street.setdefault((a, b), name)
            self.street.setdefault((b, a), name)
            rank = ROAD_RANK.get(str(roads.road_class[e]), len(ROAD_RANK))
            for n in (a, b):
                got = meets.setdefault(n, {})
                got[name] = min(got.get(name, (rank, e)), (rank, e))
        self.meets = {n: [nm for nm, _ in sorted(d.items(), key=lambda kv: kv[1])]
                      for n, d in meets.items()}
        self.named_nodes = np.array(sorted(self.meets), dtype=np.int64)
        self.posts = {p.id: p.name for p in sc.posts}
        self.sites = {s.id: s.name for s in sc.sites}
        self.site_at = {s.node: s.id for s in sc.sites if s.node}
        self.grid_ids = [a.id for a in sc.areas_of("grid")]
        self.grid_names = {a.id: a.name for a in sc.areas_of("grid")}
        self.node_grid: Any = None  # the grid holding each node, worked out when first asked
        self.modes = {u.id: u.mode for u in sc.units}
        routes = result.stages.get("routes", {})
        planned = cast(list[Any], routes.get("routes") or []) if isinstance(routes, Mapping) else []
        self.route_grid = {(str(r["unit"]), int(r["slot"])): str(r["grid"]) for r in planned
                           if isinstance(r, Mapping) and r.get("grid")}
        # every node each route drives (the routes stage's "nodes"; a plan.json written before
        # it had them names the waypoints' fastest paths instead)
        self.driven = {(str(r["unit"]), int(r["slot"])): tuple(str(n) for n in r["nodes"])
                       for r in planned if isinstance(r, Mapping) and r.get("nodes")}
        self._paths: dict[tuple[int, int, str, int | None], list[int]] = {}
        self._scenario = sc

    @staticmethod
    def _with_id(name: str, id_: str) -> str:
        return f"{name} ({id_})" if name and name != id_ else id_

    def post(self, post_id: str) -> str:
        """A post, checkpoint or camera: ``城西巡逻驻点 (ST1)``; an unknown id as written."""
        return self._with_id(self.posts.get(post_id, ""), post_id)

    def site(self, site_id: str) -> str:
        return self._with_id(self.sites.get(site_id, ""), site_id)

    def any_place(self, place_id: str) -> str:
        """A grid, key site, post or road node named by its id (a shortfall's place): its
        name with the id, a node its crossing; an id of none of them as written."""
        if place_id in self.grid_names:
            return self.grid_name(place_id)
        if place_id in self.sites:
            return self.site(place_id)
        if place_id in self.posts:
            return self.post(place_id)
        return self.node(place_id) if place_id in self.index else place_id

    def grid_name(self, grid_id: str) -> str:
        return self._with_id(self.grid_names.get(grid_id, ""), grid_id)

    def crossing(self, node_id: str) -> str:
        """A node as its crossing (``X路/Y街口``: three or more streets leave it), where a
        road changes its name (``X路（Y路起点）``: two), the street it lies on, or the
        nearest named street (``X路附近``); a node of no network, or of no named street, by
        its id."""
        i = self.index.get(node_id)
        if i is None:
            return node_id
        names = self.meets.get(i, [])
        if len(names) >= 2 and len(self.neighbours.get(i, ())) <= 2:
            return (f"{names[0]}（{names[1]}起点）" if self.lang == "zh"
                    else f"where {names[0]} becomes {names[1]}")
        if len(names) >= 2:
            return (f"{names[0]}/{names[1]}口" if self.lang == "zh"
                    else f"{names[0]} / {names[1]} crossing")
        if names:
            return names[0]
        if not self.named_nodes.size:
            return node_id
        d = np.hypot(*(self.xy[self.named_nodes] - self.xy[i]).T)
        near = self.meets[int(self.named_nodes[int(np.argmin(d))])][0]
        return f"{near}附近" if self.lang == "zh" else f"near {near}"

    def node(self, node_id: str) -> str:
        """A one-node route (staging): the key site standing there, else its crossing."""
        site = self.site_at.get(node_id)
        return self.site(site) if site else self.crossing(node_id)

    def _path(self, a: int, b: int, mode: str, hour: int | None) -> list[int]:
        """The nodes driven from waypoint ``a`` to ``b``: the street between them, or the
        fastest path of the unit's mode (a route's waypoints are its stops and line-piece
        ends, not every crossing); ``[a, b]`` when the mode cannot get there."""
        if (a, b) in self.adjacent:
            return [a, b]
        key = (a, b, mode, hour)
        if key not in self._paths:
            from xunfang import network

            try:
                path = network.shortest_path(self.net, a, b, mode=cast(Any, mode), hour=hour)
                self._paths[key] = [int(x) for x in path]
            except ValueError:
                self._paths[key] = [a, b]
        return self._paths[key]

    def route(self, nodes: tuple[str, ...], unit: str = "", hour: int | None = None) -> str:
        """A route as the names of the streets it drives, in order, a street named once for
        each stretch along it (``沿河公路 → 滨河路 → 沙坪路``); a street without a name by
        its end nodes' ids. One node: :meth:`node`.

        ``nodes`` is best every node driven (:meth:`route_of` passes the routes stage's): two
        nodes not on one street are joined by the fastest path of the unit's mode, which is
        right only for waypoints a transit joins. Between a route's waypoints that path
        skips a line piece that starts and ends at one node (a loop) and takes shortcuts
        never driven (review AR: 346 of the county's 392 routes left out a driven street,
        142 named one not driven)."""
        if len(nodes) == 1:
            return self.node(nodes[0])
        return " → ".join(self._fold(self._parts(nodes, unit, hour)))

    def _parts(self, nodes: tuple[str, ...], unit: str, hour: int | None) -> list[str]:
        """The streets :meth:`route` names, one per stretch, in the order driven."""
        from itertools import pairwise

        mode = self.modes.get(unit, "car")
        mode = "car" if mode == "drone" else mode
        parts: list[str] = []

        def add(part: str) -> None:
            if not parts or parts[-1] != part:
                parts.append(part)

        for x, y in pairwise(nodes):
            a, b = self.index.get(x), self.index.get(y)
            if a is None or b is None:
                add(x)
                add(y)
                continue
            path = self._path(a, b, mode, hour)
            for p, q in pairwise(path):
                name = self.street.get((p, q))
                if name:
                    add(name)
                else:
                    add(self.ids[p])
                    add(self.ids[q])
        return parts

    def streets_of(self, a: Any, hour: int | None = None) -> str:
        """An assignment's route as the streets it drives, each once, in the order first
        driven (``滨河路、向阳街、沙坪路``): the report's plan sheet says a route so (its
        turn-by-turn order, :meth:`route_of`, stands in plan_sheet.xlsx and plan_sheet.csv
        for the crew; review HZ: the 7-day report's routes were 490 KB of its 1.41 MB)."""
        nodes = self._nodes_of(a)
        if len(nodes) == 1:
            return self.node(nodes[0])
        parts = self._parts(nodes, str(a.unit), hour)
        return ("、" if self.lang == "zh" else ", ").join(dict.fromkeys(parts))

    def _fold(self, parts: list[str]) -> list[str]:
        """``parts`` with each run of a block of streets driven again and again said once
        with its count, ``（建设路 → 校门道）×16`` (``(A → B) ×16`` in English): a unit
        holding a line piece or a site drives the same few streets back and forth, and the
        county's longest route read 566 characters, 16 of them that one pair. Greedy from
        the left, the block that covers most (the shortest of equals), blocks of up to 8."""
        out: list[str] = []
        i = 0
        while i < len(parts):
            best_k, best_r = 1, 1
            for k in range(2, min(8, (len(parts) - i) // 2) + 1):
                r = 1
                while parts[i + r * k:i + (r + 1) * k] == parts[i:i + k]:
                    r += 1
                if r > 1 and k * r > best_k * best_r:
                    best_k, best_r = k, r
            if best_r > 1:
                block = " → ".join(parts[i:i + best_k])
                out.append(f"（{block}）×{best_r}" if self.lang == "zh"
                           else f"({block}) ×{best_r}")
                i += best_k * best_r
            else:
                out.append(parts[i])
                i += 1
        return out

    def route_of(self, a: Any, hour: int | None = None) -> str:
        """An assignment's route by its streets: those of every edge the routes stage drives
        (:meth:`route`), or, for a route the stage did not plan (staging) or a plan.json
        without the driven nodes, those between its waypoints. The driven nodes decide
        whenever the stage planned them: a route looping back to its start has one waypoint
        (review AT: PS2-G at 05:00 drove 39 nodes, a site's visit and line L4 twice, and read
        as standing at that site, its route ['n061'])."""
        return self.route(self._nodes_of(a), a.unit, hour)

    def _nodes_of(self, a: Any) -> tuple[str, ...]:
        """The nodes an assignment's route is named by: those the routes stage drives, else
        its waypoints."""
        return self.driven_of(a) or tuple(a.route)

    def driven_of(self, a: Any) -> tuple[str, ...] | None:
        """The nodes the routes stage drives for assignment ``a`` when it drives more than
        one (None: staging, a route the stage did not plan, or an older plan.json)."""
        driven = self.driven.get((str(a.unit), int(a.slot)))
        return driven if driven and len(set(driven)) > 1 else None

    def grid(self, a: Any) -> str | None:
        """The grid an assignment patrols: its own grid, the grid its route was planned in
        (the routes stage), or the grid holding most of its route's nodes (a staging node)."""
        if a.grid:
            return str(a.grid)
        if not a.route:
            return None
        planned = self.route_grid.get((a.unit, a.slot))
        if planned:
            return planned
        if self.node_grid is None:
            from xunfang.planning.routes import grid_of_nodes

            self.node_grid = grid_of_nodes(self._scenario, self.xy)
        held = [int(self.node_grid[self.index[n]]) for n in a.route if n in self.index]
        held = [g for g in held if g >= 0]
        return self.grid_ids[Counter(held).most_common(1)[0][0]] if held else None

    def place(self, a: Any, hour: int | None = None) -> str:
        """Where an assignment is, by name: its post, its grid, or its route."""
        if a.post:
            return self.post(str(a.post))
        if a.grid:
            return self.grid_name(str(a.grid))
        return self.route_of(a, hour) if a.route else ""


#: One pattern of a planning stage's English sentence and its i18n key: the pattern's named
#: groups are the key's fields (a group named in SHORT_PART_SAID is itself said by its own
#: patterns; one named ``mode`` is a unit's mode, said by value_label).
Said = tuple[re.Pattern[str], str]

#: the stages' shortfall sentences (plan.json's words, as planning/routes.py, drones.py and
#: video.py write them) and their i18n keys: a Chinese report showed them in English (reviews
#: AO, FI). A sentence no pattern matches stays as written. The auxiliary stage's are its
#: notes of units not placed and of places outside every grid (patrol_stages.auxiliary_stage).
STAGE_SHORT_SAID: dict[str, tuple[Said, ...]] = {
    "auxiliary": (
        (re.compile(r"auxiliary unit\(s\) (?P<units>.+): squad not one of (?P<kinds>.+); not "
                    r"placed \(off all day\)$"), "aux_short_squad"),
        (re.compile(r"auxiliary unit (?P<unit>\S+): nobody to staff it on (?P<dates>.+) "
                    r"\(people\.csv has no one of squad (?P<squad>'[^']*') with role "
                    r"(?P<role>'[^']*') who is not on leave\); not placed then$"),
         "aux_short_unstaffed"),
        (re.compile(r"auxiliary place\(s\) (?P<places>.+) lie outside every grid: the units "
                    r"there count in no grid's visibility$"), "aux_short_outside"),
        (re.compile(r"auxiliary unit (?P<unit>\S+): home post (?P<post>'[^']*'|\"[^\"]*\") is "
                    r"not a post; not placed$"), "aux_short_no_post"),
    ),
    "drones": (
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown with no drone crewed, "
                    r"weight (?P<w>\S+): (?P<shown>.*?) — (?P<drone_grounded>.+)$"),
         "drone_short_grounded"),
        # a plan stored before the drones said who rides what (drones.py at bd7eb2f)
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown with no drone crewed "
                    r"\(no pilot on duty, or none to spare from the ground units\), weight "
                    r"(?P<w>\S+): (?P<shown>.*)$"),
         "drone_short_uncrewed"),
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown outside the drones' "
                    r"flying hours, weight (?P<w>\S+): (?P<shown>.*)$"), "drone_short_hours"),
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown out of range of the "
                    r"drones on duty \(round trip with one hover beyond (?P<b>[\d.]+) min\), "
                    r"weight (?P<w>\S+): (?P<shown>.*)$"), "drone_short_range"),
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown with too little of the "
                    r"drones' time on duty and in flying hours left for a round trip, weight "
                    r"(?P<w>\S+): (?P<shown>.*)$"), "drone_short_time"),
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown after every drone on "
                    r"duty had flown its (?P<m>\d+) sorties of the day, weight (?P<w>\S+): "
                    r"(?P<shown>.*)$"), "drone_short_daily"),
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) not flown while the drones on "
                    r"duty were airborne or recharging over weightier grids, weight (?P<w>\S+): "
                    r"(?P<shown>.*)$"), "drone_short_busy"),
        (re.compile(r"(?P<n>\d+) thin \(grid, slot\) cell\(s\) and no drone to fly them$"),
         "drone_short_none"),
        (re.compile(r"the scenario has no drones \(units of mode 'drone'\): nothing flown$"),
         "drone_short_no_drones"),
        (re.compile(r"drone (?P<drone>\S+): home post (?P<post>'[^']*'|\"[^\"]*\") is not a "
                    r"post; it does not fly$"), "drone_short_no_post"),
    ),
    "routes": (
        (re.compile(r"site (?P<site>\S+): tier (?P<tier>\S+) has no revisit interval in the "
                    r"policy \(policy\.revisit_minutes\); it is not routed$"),
         "routes_short_no_interval"),
        (re.compile(r"site (?P<site>\S+) \(tier (?P<tier>\S+)\) lies outside every grid: no "
                    r"grid route visits it \(revisit every (?P<m>[\d.]+) min unmet\)$"),
         "routes_short_site_outside"),
        (re.compile(r"line (?P<line>\S+): (?P<n>\d+) edge\(s\) lie outside every grid \(first "
                    r"(?P<edges>[^()]*)\); no grid route covers them$"),
         "routes_short_line_outside"),
        (re.compile(r"line (?P<line>\S+): fewer than two nodes, nothing to patrol$"),
         "routes_short_line_nodes"),
        (re.compile(r"line (?P<line>\S+): its piece in grid (?P<grid>\S+) cannot be driven by "
                    r"(?P<mode>\S+) inside the grid \(from (?P<a>\S+) to (?P<b>\S+), either "
                    r"way\)$"), "routes_short_undrivable"),
        (re.compile(r"grid (?P<grid>\S+) slot (?P<slot>\d+): the revisit and line intervals need "
                    r"no number of units \(load bound\), (?P<n>\d+) patrol there: no plan with "
                    r"these units meets them all$"), "routes_short_load_none"),
        (re.compile(r"grid (?P<grid>\S+) slot (?P<slot>\d+): the revisit and line intervals need "
                    r"at least (?P<need>\S+) units \(load bound\), (?P<n>\d+) patrol there: no "
                    r"plan with these units meets them all$"), "routes_short_load"),
        (re.compile(r"unit (?P<unit>\S+) \((?P<mode>[^()]+)\) cannot reach grid (?P<grid>\S+) "
                    r"at minute (?P<m>\S+): the run is skipped$"), "routes_short_unreached"),
        (re.compile(r"site (?P<site>\S+) \(tier (?P<tier>\S+), grid (?P<grid>\S+)\): "
                    r"(?P<what>never visited|longest interval \S+ min), required every "
                    r"(?P<req>[\d.]+) min(?P<why>.*)$"), "routes_short_site"),
        (re.compile(r"line (?P<line>\S+) piece in grid (?P<grid>\S+): "
                    r"(?P<what>never driven|longest interval \S+ min), required every "
                    r"(?P<req>[\d.]+) min(?P<why>.*)$"), "routes_short_line"),
    ),
    "video": (
        (re.compile(r"the scenario has no camera posts: no video patrol is planned$"),
         "video_short_no_cameras"),
        (re.compile(r"camera (?P<camera>\S+) \(tier 1\): (?P<what>never watched|longest "
                    r"interval \S+ min), required every (?P<req>[\d.]+) min$"),
         "video_short_camera"),
        (re.compile(r"no video operator in (?P<n>\d+) slot\(s\): (?P<slots>.*)$"),
         "video_short_idle"),
        (re.compile(r"(?P<n>\d+) tier-1 cameras every (?P<every>[\d.]+) min with "
                    r"(?P<step>[\d.]+)-minute views need at least (?P<need>\d+) operator\(s\) at "
                    r"every step \(a rotation of (?P<period>\d+) views\); (?P<k>\d+) camera\(s\) "
                    r"left out of the rotation: (?P<cams>.*)$"), "video_short_rotation"),
    ),
}

#: the posture's shortfall details by duty (planning/deploy/solve.py and staging.py's words):
#: a tier-1 ring not held and why (review P: the reason tells none on duty, none in reach, the
#: plan kept N on grid patrol, or all taken); a checkpoint visit or a pin lost to its unit off
#: duty, busy at an incident or (a checkpoint's) pinned elsewhere; a fixed post none of whose
#: units holds it, each with why. The units held at event posts after a detail are
#: HELD_AT_EVENTS'. A detail no pattern matches stays as written.
#: the crew rules' sentences (planning/deploy/inputs.py): a checkpoint crew with no sworn
#: officer (Inputs.checkpoint_short, after "team UNIT: " in a shortfall and "checkpoint not
#: manned: " in the unit's note), and a unit off for want of its mode's skill (its note, and
#: a checkpoint team's off reason)
NO_SWORN = (r"no sworn officer \(民警\) in its crew \((?P<crew>[^)]*)\): auxiliary officers "
            r"may not stop and check \(盘查\) without one$")
NO_SKILL = re.compile(r"no crew with the (?P<skill>\S+) skill: (?P<who>.+) on duty and free "
                      r"lacks? it$")

POSTURE_SHORT_SAID: dict[str, tuple[Said, ...]] = {
    "staging": (
        (re.compile(r"no unit stands within the tier-1 target of (?P<site>\S+): "
                    r"(?P<ring_why>.+)$"), "posture_short_staging"),
    ),
    "event post": (
        (re.compile(r"event (?P<event>.+): not enough units on duty in its zone$"),
         "posture_short_event"),
    ),
    # (review H4 #2: these four were English in both faces)
    "patrol work": (
        (re.compile(r"its key sites' revisit intervals and its lines' frequencies need at "
                    r"least the work of (?P<car>\S+) police cars patrolling all the time, "
                    r"planned with (?P<m>\S+)× that; the police patrolling there give "
                    r"(?P<given>\S+)×$"), "posture_short_work"),
    ),
    "hot incident": (
        (re.compile(r"hot incident: one unit more than planned; not enough units on duty$"),
         "posture_short_hot"),
    ),
    "joint patrol": (
        (re.compile(r"joint patrol at (?P<sites>.+): not enough units on duty$"),
         "posture_short_joint"),
    ),
    "fixed post": (
        (re.compile(r"no unit holds the post: (?P<off_units>.+)$"), "posture_short_fixed"),
    ),
    # (solve.py's lost(): these were English on the zh report and dashboard)
    "checkpoint": (
        (re.compile(r"team (?P<unit>\S+) is off duty \((?P<off_why>.+)\)$"),
         "posture_short_cp_off"),
        (re.compile(r"team (?P<unit>\S+) is busy at an incident in (?P<grid>\S+)$"),
         "posture_short_cp_busy"),
        (re.compile(r"team (?P<unit>\S+) is pinned to (?P<place>\S+)$"),
         "posture_short_cp_pinned"),
        # (inputs.checkpoint_short: English on the zh dashboard's sheet when it came in)
        (re.compile(r"team (?P<unit>\S+): " + NO_SWORN), "posture_short_cp_sworn"),
    ),
    "pin": (
        (re.compile(r"pinned unit (?P<unit>\S+) is off duty \((?P<off_why>.+)\)$"),
         "posture_short_pin_off"),
        (re.compile(r"pinned unit (?P<unit>\S+) is busy at an incident in (?P<grid>\S+)$"),
         "posture_short_pin_busy"),
    ),
}

#: the units of a short place's zone standing at event posts, at the end of a posture detail
#: (planning/deploy/solve.py: _held_at_events after a ring's, its cars and motorcycles;
#: _zone_at_events after a grid's needs, its units), and the i18n key of each
HELD_AT_EVENTS = re.compile(r"; (?P<n>\d+) (?P<who>car\(s\) or motorcycle\(s\)|unit\(s\)) of "
                            r"its zone are held at event posts \((?P<events>.+)\)$")
HELD_AT_EVENTS_SAID = {"car(s) or motorcycle(s)": "ring_why_events",
                       "unit(s)": "needs_zone_at_events"}

#: a grid's need an event's level sets (planning/deploy/solve.py: "event NAME level N"), the
#: duty of its shortfall when it is the grid's one need
EVENT_LEVEL = re.compile(r"event (?P<event>.+) level (?P<level>\d+)$")

#: the posture's duties whose shortfall detail lists the grid's needs ("tier presence (every
#: 2 slots); event X level 2: not enough units on duty"), said by NEED_SAID
NEED_DUTIES = ("tier presence", "line presence", "handover cover", "presence")

#: each need of such a list (planning/deploy/solve.py's words) and its i18n key
NEED_SAID: tuple[Said, ...] = (
    (re.compile(r"tier presence \(every (?P<n>\d+) slots\)$"), "need_tier"),
    (re.compile(r"line presence \(every (?P<n>\d+) slots\)$"), "need_line"),
    (re.compile(r"handover cover$"), "short_handover cover"),
    (EVENT_LEVEL, "short_event_level"),
)


def _needs_said(detail: str, T: Any) -> str | None:
    """A grid's shortfall detail, its needs joined by "; " and then ": not enough units on
    duty" (the units held at event posts after it cut off), in the report's language; None
    when a need is not one NEED_SAID knows (the detail then stays as plan.json words it, not
    half translated)."""
    needs, sep, tail = detail.rpartition(": ")
    if not sep or tail != "not enough units on duty":
        return None
    parts = [_said(NEED_SAID, need, T, None) for need in needs.split("; ")]
    if any(p is None for p in parts):
        return None
    return str(T("posture_short_needs", needs=T("need_sep").join(cast(list[str], parts))))


#: slot numbers in a drone clause: runs ``0-7, 14-23`` (drones.py's _runs), or one by one
#: ``0, 1, 2`` (a plan stored before)
SLOT_RUNS = r"\d+(?:-\d+)?(?:, \d+(?:-\d+)?)*"

#: parts said alike in several sentences: what became of an interval, and why a route missed
#: it (planning/routes.py's _staffing: the slots nobody patrols, else the load bound, the
#: tour OR-Tools found and how many seeded runs the routes made). An empty part is said as
#: nothing.
SHORT_PART_SAID: dict[str, tuple[Said, ...]] = {
    # why the drones have no crew (planning/drones.py's _grounded): clauses joined by "; "
    "drone_grounded": (
        (re.compile(r"(?P<drone_clause>[^;]+); (?P<drone_grounded>.+)$"), "drone_grounded_more"),
        (re.compile(r"(?P<drone_clause>[^;]+)$"), "drone_grounded_last"),
    ),
    "drone_clause": (
        (re.compile(r"pilot (?P<pilot>\S+) of (?P<drones>.+) rides (?P<unit>\S+) in slot\(s\) "
                    rf"(?P<slots>{SLOT_RUNS})$"), "drone_clause_rides"),
        (re.compile(r"pilot (?P<pilot>\S+) of (?P<drones>.+) is aboard (?P<unit>\S+), held at "
                    rf"an incident, in slot\(s\) (?P<slots>{SLOT_RUNS})$"), "drone_clause_held"),
        (re.compile(r"pilot (?P<pilot>\S+) of (?P<drones>.+) is on duty, their unit "
                    rf"(?P<unit>\S+) out of service, in slot\(s\) (?P<slots>{SLOT_RUNS})$"),
         "drone_clause_benched"),
        (re.compile(rf"no pilot of (?P<drones>.+) on duty in slot\(s\) (?P<slots>{SLOT_RUNS})$"),
         "drone_clause_no_pilot"),
        (re.compile(rf"no crew named for (?P<drones>.+) in slot\(s\) (?P<slots>{SLOT_RUNS})$"),
         "drone_clause_unknown"),
        (re.compile(r"\[policy\.drones\] crew_first = true would crew a drone before the ground "
                    r"units beyond one per home post$"), "drone_clause_crew_first"),
        (re.compile(r"\[policy\.drones\] crew_first = true is set, and the drones still come "
                    r"after one ground unit at each home post$"), "drone_clause_crew_first_set"),
    ),
    "ring_why": (  # planning/deploy/staging.py's short_reason (and its words before review P)
        (re.compile(r"no car or motorcycle is on duty$"), "ring_why_none"),
        (re.compile(r"no road node in a grid lies within the (?P<m>[\d.]+)-minute target of "
                    r"it, so no patrol can stand within it$"), "ring_why_unreachable"),
        (re.compile(r"the plan kept (?P<n>\d+) car\(s\) or motorcycle\(s\) on grid patrol "
                    r"rather than standing within it \(the posture weighed their patrol "
                    r"presence above the ring\)$"), "ring_why_kept"),
        (re.compile(r"every car or motorcycle on duty is taken: (?P<held>\d+) hold other "
                    r"rings, (?P<locked>\d+) are pinned or busy at an incident, (?P<other>\d+) "
                    r"stand at posts, checkpoints or events$"), "ring_why_taken"),
        (re.compile(r"no car or motorcycle on duty could be spared to stand within it$"),
         "ring_why_old"),
    ),
    # why a unit is off duty (solve.py: the notes of its "off" assignment), and a fixed
    # post's units off duty, each with why ("F1 (no crew on duty), F2 (out of service)")
    "off_why": (
        (re.compile(r"no crew on duty$"), "note_no_crew"),
        (HOURS_OFF_SAID, "note_hours_off"),
        (re.compile(r"out of service$"), "note_out_of_service"),
        (re.compile(r"auxiliary force: off outside its hours$"), "note_auxiliary_off"),
        (NO_SKILL, "note_no_skill"),
    ),
    "off_units": (
        (re.compile(r"(?P<unit>\S+) \((?P<off_why>[^()]+)\)$"), "posture_off_unit"),
    ),
    "what": (
        (re.compile(r"never visited$"), "short_never_visited"),
        (re.compile(r"never driven$"), "short_never_driven"),
        (re.compile(r"never watched$"), "short_never_watched"),
        (re.compile(r"longest interval (?P<m>\S+) min$"), "short_longest"),
    ),
    "why": (
        (re.compile(r" \(no police unit patrols the grid in (?P<n>\d+) slot\(s\): "
                    r"(?P<slots>[^()]*)\)$"),
         "short_why_unpatrolled"),
        (re.compile(r" \(no run brought a police unit to it: it is off the streets of their "
                    r"modes in the grid, beyond a foot or balance patrol's loop, or too long to "
                    r"finish before a unit leaves\)$"), "short_why_unreached"),
        (re.compile(r" \(the load lower bound, (?P<need>\S+) units for (?P<n>\d+) at worst, does "
                    r"not prove it impossible(?P<tour>[^()]*?(?:\(OR-Tools\)[^()]*?)?)"
                    r"(?P<runs>(?:; the routes kept are the best of \d+ seeded runs over the "
                    r"whole plan)?)\)$"),
         "short_why_load"),
    ),
    "runs": (
        (re.compile(r"; the routes kept are the best of (?P<n>\d+) seeded runs over the whole "
                    r"plan$"), "short_runs"),
    ),
    "tour": (
        (re.compile(r"; one unit repeating a (?P<m>\S+)-min tour \(OR-Tools\) would meet every "
                    r"interval: the heuristic missed it$"), "short_tour_meets"),
        (re.compile(r"; one unit alone cannot keep the grid's intervals: the shortest tour "
                    r"of all its places found, (?P<m>\S+) min, is longer than its tightest "
                    r"interval, (?P<every>[\d.]+) min$"), "short_tour_longer"),
        # as plans stored before 0a78b61 said it (the centre's store, older plan folders)
        (re.compile(r"; the shortest single tour found, (?P<m>\S+) min, is longer than the "
                    r"(?P<every>[\d.]+)-min interval$"), "short_tour_longer"),
    ),
}


#: the parts of SHORT_PART_SAID that are lists joined by ", ": each item said by the part's
#: patterns, joined by the i18n key's separator
LIST_PARTS = {"off_units": "list_sep"}


def _said(patterns: tuple[Said, ...], text: str, T: Any, lang: Lang | None,
          when: Callable[[str, str], str] | None = None) -> str | None:
    """``text`` by the first of ``patterns`` it matches, in the report's language; None when
    none matches it whole (a part no pattern matches leaves the sentence unmatched too, so
    that nothing comes out half translated). ``when(group, value)`` says a group's slot
    numbers as clock times (:func:`_cells_said`)."""
    for pattern, key in patterns:
        m = pattern.match(text)
        if m is None:
            continue
        kw: dict[str, str] = {}
        for name, value in m.groupdict().items():
            if name in LIST_PARTS and value:
                items = [_said(SHORT_PART_SAID[name], item, T, lang, when)
                         for item in value.split(", ")]
                if any(item is None for item in items):
                    return None
                value = str(T(LIST_PARTS[name])).join(cast(list[str], items))
            elif name in SHORT_PART_SAID and value:
                part = _said(SHORT_PART_SAID[name], value, T, lang, when)
                if part is None:
                    return None
                value = part
            elif name == "mode" and lang == "zh":
                value = value_label("mode", value, lang)
            elif name == "skill" and f"skill:{value}" in TEXT:  # a crew's missing skill
                value = str(T(f"skill:{value}"))
            elif when is not None and value:
                value = when(name, value)
            kw[name] = value
        return str(T(key, **kw))
    return None


def off_why_text(note: str, lang: Lang) -> str:
    """Why a unit is off (its "off" assignment's note: no crew, outside its duty hours, out
    of service …) in ``lang``; as written where no pattern knows it. The web's re-plan
    refusals say it (a unit given busy while the plan has it off)."""
    said = _said(SHORT_PART_SAID["off_why"], note,
                 lambda key, **kw: t(key, lang, **kw), lang)
    return note if said is None else said


def _stage_short_text(stage: str, text: str, T: Any, lang: Lang | None = None,
                      when: Callable[[str, str], str] | None = None) -> str:
    """A stage's shortfall sentence of plan.json in the report's language (``lang`` says the
    units' modes in it; the English report keeps them as plan.json writes them)."""
    said = _said(STAGE_SHORT_SAID.get(stage, ()), text, T, lang, when)
    return text if said is None else said


def _cells_said(result: PlanResult, names: PlaceNames | None) -> Callable[[str, str], str]:
    """The drones' shortfall parts by name and clock time: ``shown``'s (grid, slot) cells
    ``G1@1, G1@2 …`` as ``城关网格 (G1) 01:00, …`` and ``slots``' numbers as times (review
    AR: a duty planner cannot read slot numbers); with the date when the plan runs over
    more than one day. A part not of that form stays as written."""
    plan = result.plan
    at = {sl.index: sl.start for sl in plan.slots}
    days = len({sl.start.date() for sl in plan.slots}) > 1

    def time(index: str) -> str | None:
        start = at.get(int(index))
        return None if start is None else f"{start:%m-%d %H:%M}" if days else f"{start:%H:%M}"

    def when(group: str, value: str) -> str:
        if group not in ("shown", "slots"):
            return value
        if group == "slots":  # runs of hours (a review: 72 hours one by one on 3 days)
            indices: list[int] = []
            for part in value.split(", "):
                m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
                if m is None:
                    return value
                indices.extend(range(int(m[1]), int(m[2] or m[1]) + 1))
            return (slot_spans(result, indices) if indices and all(k in at for k in indices)
                    else value)
        more = value.endswith(" …")
        out = []
        for part in value.removesuffix(" …").split(", "):
            m = re.fullmatch(r"(\S+)@(\d+)" if group == "shown" else r"(\d+)", part)
            said = m and time(m[m.lastindex or 0])
            if not m or said is None:
                return value
            grid = names.grid_name(m[1]) if names and group == "shown" else m[1]
            out.append(f"{grid} {said}" if group == "shown" else said)
        return ", ".join(out) + (" …" if more else "")

    return when


#: the plan's notes (the planning stages' English: deploy/solve.py, deploy/staging.py,
#: routes.py, drones.py, and the video desk's tours) as the report's timeline and
#: plan_sheet.xlsx say them: i18n key and the pattern of the note; a note the patterns miss
#: (a planner's own words after "pinned") is written as it is
NOTE_SAID: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("note_route", re.compile(r"route in grid (?P<grid>\S+)$")),
    ("note_staging", re.compile(r"staging at (?:node (?P<node>\S+)|(?P<site>\S+) [^:]*): holds "
                                r"the (?P<m>[\d.]+)-minute ring of (?P<sites>[^(]+?) "
                                r"\(patrols around it between calls\)$")),
    ("note_sorties", re.compile(r"drone: (?P<n>\d+) sortie\(s\) over (?P<grids>.+), "
                                r"(?P<m>\d+) min airborne$")),
    ("note_standby", re.compile(r"drone: on standby at its post$")),
    ("note_fixed", re.compile(r"fixed post$")),
    ("note_checkpoint", re.compile(r"checkpoint schedule$")),
    ("note_between", re.compile(r"checkpoint team between checkpoints$")),
    ("note_auxiliary", re.compile(r"auxiliary force at its post$")),
    ("note_auxiliary_site", re.compile(r"auxiliary force at (?P<site>\S+) in its hours$")),
    ("note_auxiliary_off", re.compile(r"auxiliary force: off outside its hours$")),
    ("note_tour", re.compile(r"camera tour from minute (?P<m>[\d.]+)$")),
    ("note_tour_clock", re.compile(r"camera tour (?P<start>\d\d:\d\d)–(?P<end>\d\d:\d\d)$")),
    ("note_no_crew", re.compile(r"no crew on duty$")),
    ("note_hours_off", HOURS_OFF_SAID),
    ("note_no_sworn", re.compile(r"checkpoint not manned: " + NO_SWORN)),
    ("note_no_skill", NO_SKILL),
    ("note_out_of_service", re.compile(r"out of service$")),
    ("note_busy", re.compile(r"busy at an incident$")),
    ("note_drone_ready", re.compile(r"drone ready at its post$")),
    ("note_auxiliary_streets", re.compile(r"auxiliary force on its home streets$")),
    ("note_patrol_share", re.compile(r"patrol \(risk share (?P<share>[\d.]+)\)$")),
    ("note_event", re.compile(r"event (?P<event>.+)$")),
    ("note_reserve", re.compile(r"reserve at home post$")),
    ("note_pinned", re.compile(r"pinned(?: (?P<what>.*))?$")),
)


#: a staging unit's note (the pattern NOTE_SAID says it by)
STAGING_NOTE = dict(NOTE_SAID)["note_staging"]


def clock(at: datetime, *, end: bool = False) -> str:
    """``at`` as a clock time ``HH:MM``; an ``end`` at midnight as ``24:00``, the day it
    closes (review AR: ``16:00–00:00`` and a whole day's ``00:00–00:00`` read as
    nothing)."""
    if end and (at.hour, at.minute) == (0, 0):
        return "24:00"
    return f"{at:%H:%M}"


def span_text(start: datetime, end: datetime) -> str:
    """A run's span on the plan sheet, ``MM-DD HH:MM–HH:MM``, the end with its own date when
    it closes on a later day than the start (an end at midnight closes the day before, at
    ``24:00``). Review AT: a unit on one duty for 48 h read ``12-01 00:00–24:00`` and a
    staging run from 12-01 00:00 to 12-02 02:00 ``12-01 00:00–02:00``: the later day lost."""
    at = clock(end, end=True)
    closes = (end - timedelta(days=1)).date() if at == "24:00" else end.date()
    if closes == start.date():
        return f"{start:%m-%d %H:%M}–{at}"
    return f"{start:%m-%d %H:%M}–{closes:%m-%d} {at}"


def english_at(place: str) -> str:
    """``place`` (a :meth:`PlaceNames.crossing` or site in English) after "staging": ``where
    X becomes Y`` and ``near X`` as they are, ``at the X / Y crossing``, else ``at X`` (review
    AT: the note read "staging at where 人民路 becomes 人民东路")."""
    if place.startswith(("where ", "near ")):
        return place
    return f"at the {place}" if place.endswith(" crossing") else f"at {place}"


def staging(a: Any) -> bool:
    """Whether assignment ``a`` is a staging unit's (on duty, its note deploy/staging.py's):
    it stands at a node holding a key site's ring, no route patrol."""
    return a.duty != "off" and bool(STAGING_NOTE.match(a.note or ""))


#: a unit standing at an event's post (planning/deploy/solve.py's note; NOTE_SAID says it)
EVENT_NOTE = dict(NOTE_SAID)["note_event"]


def event_of(a: Any) -> str | None:
    """The name of the event whose post assignment ``a`` stands at, else None."""
    m = EVENT_NOTE.match(a.note or "") if a.duty == "post" else None
    return m["event"] if m else None


#: an auxiliary force standing at a key site in its hours (planning's note; NOTE_SAID says it)
AUX_SITE_NOTE = dict(NOTE_SAID)["note_auxiliary_site"]


def at_one_place(a: Any) -> bool:
    """Whether ``a`` is a "route" the plan says stands at one place: an auxiliary force
    holding a key site in its hours (a review: BA-1 at the hospital read 路线巡逻)."""
    return a.duty == "route" and bool(AUX_SITE_NOTE.match(a.note or ""))


def duty_key(a: Any) -> str:
    """The i18n key of ``a``'s duty: ``duty_staging`` for a staging unit (review AT:
    plan_sheet.xlsx and the timeline's hover called it route patrol), ``duty_point`` for a
    force standing at one site (:func:`at_one_place`), ``duty_event`` for a unit at an
    event's post (a review: it read 定点备勤, as a permanent post's), else ``duty_`` and its
    kind."""
    if staging(a):
        return "duty_staging"
    if at_one_place(a):
        return "duty_point"
    return "duty_event" if event_of(a) is not None else "duty_" + a.duty


def note_text(note: str, names: PlaceNames, lang: Lang) -> str:
    """A plan note in the plan's language, with the places it names by name (a staging
    node's crossing, the key sites whose ring it holds) rather than ids: the report's timeline
    (review FI: its hover text gave the English notes) and plan_sheet.xlsx."""
    for key, pattern in NOTE_SAID:
        m = pattern.match(note)
        if m is None:
            continue
        kw = {k: v for k, v in m.groupdict().items() if v is not None}
        if key == "note_staging":
            # a node by the key site standing there, else its crossing: as the sheet's
            # place_name says it (PlaceNames.node), so that a row's note and place agree
            kw["place"] = (names.node(kw.pop("node")) if "node" in kw
                           else names.site(kw.pop("site")))
            kw["at"] = english_at(kw["place"])
            kw["sites"] = ("、" if lang == "zh" else ", ").join(
                names.site(x.strip()) for x in kw["sites"].split(","))
        if key == "note_auxiliary_site":
            kw["site"] = names.site(kw["site"])
        if key == "note_no_skill" and f"skill:{kw['skill']}" in TEXT:
            kw["skill"] = t(f"skill:{kw['skill']}", lang)
        if key == "note_pinned":
            # the planner's own words after "pinned" stay as written
            return t("note_pinned", lang) + (" " + kw["what"] if kw.get("what") else "")
        if "grid" in kw:
            kw["grid"] = names.grid_name(kw["grid"])
        return t(key, lang, **kw)
    return note


#: the plan sheet's rows under one unit cell (rowspan) at most: chromium prints such a block
#: on one page, and a unit's 24 rows of a day held together left the 7-day report's print
#: 127 A4 pages where it had 105 (4: 107, and each page starts with its unit's name)
SHEET_GROUP_ROWS = 4


def _timeline_runs(cells: list[dict[str, Any]], dated: bool) -> list[dict[str, Any]]:
    """A unit's timeline cells of one day with each run of consecutive slots on the same
    duty (its colour, its text and its hover's words) made one cell spanning them, its hover
    the run's span (``MM-DD HH:MM–HH:MM``, or ``HH:MM–HH:MM`` in a plan of one day); a cell
    alone keeps its slot's start. The 7-day report repeated one hover in every slot of a
    run: 0.57 MB of its 1.95 MB, for 6,384 slots in 1,981 runs (bench/report_size.py)."""
    out: list[dict[str, Any]] = []
    for c in cells:
        last = out[-1] if out else None
        if last is not None and (last["cls"], last["text"], last["what"]) == (
                c["cls"], c["text"], c["what"]):
            last["span"] += 1
            last["end"] = c["end"]
        else:
            out.append(dict(c))
    for c in out:
        when = (f"{c['start']:%m-%d %H:%M}" if dated else f"{c['start']:%H:%M}")
        if c["span"] > 1:
            when = (span_text(c["start"], c["end"]) if dated
                    else f"{c['start']:%H:%M}–{clock(c['end'], end=True)}")
        c["title"] = f"{when} {c['what']}" if c["what"] else when
    return out


def _deploy_section(result: PlanResult, T: Any, lang: str,
                    names: PlaceNames | None = None) -> dict[str, Any]:
    """The timeline per unit, one table for each day of the plan (a review: a 7-day report
    showed the first day's alone and did not say so), and the shortfalls of the posture;
    ``names`` the report's place names (else built here)."""
    plan = result.plan
    by_day: dict[date, list[Any]] = {}
    for s in plan.slots:
        by_day.setdefault(s.start.date(), []).append(s)
    # built only when there are units to name places for (a plan of none needs no network)
    if names is None and plan.units:
        names = PlaceNames(result, lang)
    timeline = []
    dated = len(by_day) > 1  # a hover's time with its date in a plan of several days
    for day, slots in by_day.items():
        rows = []
        for u in plan.units:
            assert names is not None
            cells = []
            for s in slots:
                a = plan.at(u, s.index)
                # a route's cell shows the grid it patrols, as the note above the timeline
                # says (review AO: it showed the route's first node, "n271…")
                text = a.post or names.grid(a) or ""
                # a patrol route's streets are the plan sheet's (its row of that hour says
                # them): here the hover points there, or the 7-day report repeated every
                # route twice (review HD: 0.58 MB of its 2.8 MB were these hovers)
                where = ("" if a.duty == "off" else T("timeline_route_see_sheet")
                         if a.route and len(a.route) > 1 and not (a.post or a.grid)
                         and not staging(a) else names.place(a, s.start.hour))
                # the hover text ends with the assignment's note in the report's language
                # (the staging unit's ring, the drone's sorties: review FI)
                note = note_text(a.note, names, cast(Lang, lang)) if a.note else ""
                cells.append({"cls": "d-post" if at_one_place(a) else "d-" + a.duty,
                              "text": text, "span": 1, "start": s.start, "end": s.end,
                              "what": " ".join(x for x in (T(duty_key(a)), where, note) if x)})
            rows.append({"unit": u, "cells": _timeline_runs(cells, dated)})
        timeline.append({"day": f"{day:%m-%d} {T('weekday_' + str(day.weekday()))}",
                         "id": f"timeline-{day.isoformat()}",
                         "hours": [f"{s.start:%H}" for s in slots], "rows": rows})
    posture = result.stages.get("posture", {})
    several_days = dated
    shortfalls = [_short_row(f, T) for f in cast(list[Any], posture.get("shortfalls", []))]
    # each one's time and place as the rest of the report says them (copies: plan.json's
    # own rows stay as they are)
    shortfalls = [{**f, "start": when_text(str(f.get("start", "")), several_days),
                   "place": names.any_place(f["place"]) if names is not None
                   and isinstance(f.get("place"), str) else f.get("place", "")}
                  if isinstance(f, dict) else f for f in shortfalls]
    gap = posture.get("max_gap")
    dosage = posture.get("dosage")  # grids the model left well under their share, and why
    # the other stages' shortfalls, each a sentence of plan.json's (a review: the report said
    # "No shortfall" of a plan whose drones left 101 thin grid-slots unflown)
    when = _cells_said(result, names)
    other = [(T("short_stage_" + k), _stage_short_text(k, str(text), T, cast(Lang, lang),
                                                        when))
             for k in OTHER_SHORT_STAGES if isinstance(result.stages.get(k), dict)
             for text in cast(list[Any], result.stages[k].get("shortfalls") or [])]
    outside = posture.get("outside_grids")  # posts stood at that count in no grid (review P)
    posts = outside.get("posts") if isinstance(outside, Mapping) else None
    outside_note = (T("posture_outside_grids", posts="、".join(map(str, posts)) if lang == "zh"
                      else ", ".join(map(str, posts))) if posts else "")
    return {"timeline": timeline,
            "shortfalls": shortfalls, "other_short": other, "outside": outside_note,
            "status": posture.get("status", "—"),
            "dosage": _dosage_text(dosage, T, lang,
                                   len({s.start.date() for s in plan.slots}) > 1),
            "gap": _fmt(float(gap), 5) if isinstance(gap, int | float) else "—"}


def _temporary_titles(sc: Scenario, T: Any) -> dict[str, str]:
    """The map's hover of each temporary post: temporary, and the events naming it with
    their hours (a review: the map drew it as an ordinary kiosk)."""
    out = {}
    for p in sc.posts:
        if p.temporary:
            events = [f"{e.name} {span_text(e.start, e.end)}" for e in sc.events
                      if p.id in e.posts]
            out[p.id] = str(T("temporary_post_title", name=p.name,
                              events=T("need_sep").join(events) or T("temporary_post_none")))
    return out


def _map_tips(sc: Scenario, T: Any) -> dict[tuple[str, str], str]:
    """The map's hover of each key site (its tier) and post (its kind), in the report's
    language, by ("site" | "post", id): a site and a post may share an id; a scenario's own
    post kind is shown as written."""
    out = {("site", s.id): str(T("map_site_tip", name=s.name, tier=s.tier)) for s in sc.sites}
    for p in sc.posts:
        kind = T(f"kind_{p.kind}") if f"kind_{p.kind}" in TEXT else p.kind
        out[("post", p.id)] = str(T("map_post_tip", name=p.name, kind=kind))
    return out


def _events_section(result: PlanResult, T: Any, names: PlaceNames | None
                    ) -> list[dict[str, Any]]:
    """Each event of the scenario the plan's slots meet (events.csv), as the plan serves it:
    its name, hours, level and, per post, the unit-slots it asks (``Event.units_per_post``,
    per slot of the plan within its hours) against those the plan stands there for it
    (assignments noted "event NAME"), the slots short; and the (grid, slot) cells the
    posture left short of its level. A review: the report had no line for the event."""
    plan = result.plan
    several_days = len({s.start.date() for s in plan.slots}) > 1
    posture = result.stages.get("posture", {})
    shorts = [f for f in cast(list[Any], posture.get("shortfalls") or [])
              if isinstance(f, Mapping)]
    out = []
    for e in result.scenario.events:
        slots = [s for s in plan.slots if e.start < s.end and e.end > s.start]
        if not slots:
            continue
        asked = e.units_per_post
        posts = []
        for p in e.posts:
            have = [sum(1 for u in plan.units if plan.at(u, s.index).post == p
                        and event_of(plan.at(u, s.index)) == e.name) for s in slots]
            short = [(f"{s.start:%m-%d %H:%M}" if several_days else f"{s.start:%H:%M}")
                     + f" ({n}/{asked})" for s, n in zip(slots, have, strict=True) if n < asked]
            posts.append({"post": names.post(p) if names is not None else p,
                          "asked": asked * len(slots), "planned": sum(have),
                          "short": sum(max(0, asked - n) for n in have),
                          "when": ", ".join(short) or "—"})
        level = f"event {e.name} level "
        grid_short = sum(1 for f in shorts if str(f.get("duty", "")).startswith(level)
                         or (str(f.get("duty", "")) == "presence"
                             and level in str(f.get("detail", ""))))
        out.append({"name": e.name, "hours": span_text(e.start, e.end),
                    "level": T(f"event_level_{e.level}"),
                    "slots": len(slots), "asked": asked, "posts": posts,
                    "grid_short": grid_short if e.level >= 2 else "—"})
    return out


def _auxiliary_section(result: PlanResult, T: Any, lang: str, names: PlaceNames | None
                       ) -> dict[str, Any] | None:
    """The auxiliary stage's placements as a duty planner reads them: one row per unit and
    run of consecutive slots at one place (unit, kind, hours, place, people); None when the
    plan has no auxiliary stage (review B: the report never showed where they stand)."""
    stage = result.stages.get("auxiliary")
    if not isinstance(stage, Mapping):
        return None
    placements = [p for p in cast(list[Any], stage.get("placements") or [])
                  if isinstance(p, Mapping)]
    slots = {s.index: s for s in result.plan.slots}
    unit_names = {u.id: str(u.extra.get("name") or "") for u in result.scenario.units}
    runs: list[dict[str, Any]] = []
    last: dict[str, dict[str, Any]] = {}
    for p in sorted(placements, key=lambda x: (str(x["unit"]), int(x["slot"]))):
        unit, k = str(p["unit"]), int(p["slot"])
        s = slots.get(k)
        if s is None:
            continue
        crew = tuple(str(x) for x in p.get("crew") or ())
        prev = last.get(unit)
        if (prev is not None and prev["place_id"] == p["place"] and prev["crew_ids"] == crew
                and prev["end"] == s.start):
            prev["end"] = s.end
            continue
        row = {"unit_id": unit, "place_id": p["place"], "crew_ids": crew,
               "kind": str(p["kind"]), "start": s.start, "end": s.end,
               "at_site": bool(p.get("at_site")), "people": int(p.get("people", len(crew)))}
        runs.append(row)
        last[unit] = row
    rows = []
    for r in runs:
        place = str(r["place_id"])
        if names is not None:
            place = names.site(place) if r["at_site"] else names.post(place)
        try:
            kind = T("aux_kind_" + r["kind"])
        except KeyError:
            kind = r["kind"]
        name = unit_names.get(r["unit_id"], "")
        rows.append({"unit": f"{name} ({r['unit_id']})" if name else r["unit_id"],
                     "kind": kind, "place": place, "people": r["people"],
                     "crew": ("、" if lang == "zh" else ", ").join(r["crew_ids"]),
                     "hours": span_text(r["start"], r["end"])})
    return {"rows": rows}


#: the sections a re-plan's report keeps from the plan in force's report: the roster and
#: the checkpoint schedule, which a re-plan does not plan again
KEPT_SECTIONS = ("roster", "checkpoints")


@dataclass(frozen=True)
class ReplanReport:
    """What a re-plan's report says besides its plan (``stages.replan`` says what it was
    given): when it was written (``made``), its summary
    (:func:`~xunfang.report.changes.replan_summary`: the shortfalls it added and resolved),
    and the sections of the plan in force's report it keeps (``kept``: section id -> its
    HTML, :func:`kept_sections`) from ``kept_from`` (that report's path; where ``kept`` is
    empty the report points there)."""

    made: str = ""
    summary: Mapping[str, Any] | None = None
    kept: Mapping[str, str] = field(default_factory=dict)
    kept_from: str = ""


def kept_sections(html: str, lang: Lang) -> dict[str, str]:
    """The roster and checkpoint sections (:data:`KEPT_SECTIONS`) of a report's HTML written
    in ``lang`` (a report in another language gives none: a re-plan's report is not written
    in two languages); review HR #3: a re-plan's report dropped them."""
    m = re.search(r'<html lang="([^"]*)"', html)
    if m is None or m[1] != ("zh-CN" if lang == "zh" else "en"):
        return {}
    out = {}
    for sid in KEPT_SECTIONS:
        found = re.search(rf'<section id="{sid}">.*?</section>', html, flags=re.S)
        if found is not None:
            out[sid] = found[0]
    return out


def _replan_banner(result: PlanResult, replan: ReplanReport | None, T: Any, lang: Lang
                   ) -> dict[str, Any] | None:
    """The top of a re-plan's report (review HR #3: it never said it was one): the plan it
    re-plans, from when, when written, what it was given, what it changed; and the sections
    it keeps from the plan in force's report, with the scheduled checks it leaves unmanned.
    None for a plan that is no re-plan."""
    found = result.stages.get("replan")
    if not isinstance(found, Mapping):
        return None
    doc = cast(Mapping[str, Any], found)
    plan = result.plan
    by_index = {s.index: s for s in plan.slots}
    by_name = {s.name: s for s in plan.slots}
    several = len({s.start.date() for s in plan.slots}) > 1

    def when(s: Any, end: bool = False) -> str:
        at = s.end if end else s.start
        return (f"{at:%m-%d} " if several else "") + clock(at, end=end)

    at_slot = int(doc.get("at_slot", plan.slots[0].index))
    at = when(by_index[at_slot]) if at_slot in by_index else str(doc.get("at", ""))
    asks: list[str] = []
    for b in doc.get("busy", []):
        until = by_index.get(int(b["until_slot"]))
        asks.append(T("replan_busy", unit=b["unit"], grid=b["grid"],
                      until=when(until, end=True) if until is not None else b["until_slot"]))
    off_from = {str(u): int(k) for u, k in dict(doc.get("out_of_service_from", {})).items()}
    now_out = [str(u) for u in doc.get("out_of_service", [])]
    for u in now_out:
        k = off_from.get(u, at_slot)
        asks.append(T("replan_out", unit=u,
                      at=when(by_index[k]) if k in by_index else at))
    # the units an earlier re-plan took out of service stay out (the reviewer's r3: its
    # banner named none of them, and its lost checks had no reason beside them)
    back = {str(u) for u in doc.get("back_in_service", [])}
    for u, k in off_from.items():
        if u not in now_out and u not in back:
            # from when the earlier re-plan took it out: the run of out-of-service slots that
            # reaches this re-plan's (plan.json has the re-plan's first slot only)
            while k - 1 in by_index and _out_of_service(plan, u, k - 1):
                k -= 1
            asks.append(T("replan_out_before", unit=u,
                          at=when(by_index[k]) if k in by_index else str(k)))
    asks += [T("replan_back", unit=u) for u in doc.get("back_in_service", [])]
    for h in doc.get("hot", []):
        s0, s1 = by_index.get(int(h["first_slot"])), by_index.get(int(h["last_slot"]))
        span = f"{when(s0)}–{when(s1, end=True)}" if s0 is not None and s1 is not None else ""
        asks.append(T("replan_hot", grid=h["grid"], span=span, share=f"{float(h['share']):g}"))
    summary = replan.summary if replan is not None else None
    # the checkpoint schedule's checks from the re-plan on that its plan does not man (a
    # team busy or out of service): the kept schedule says them, the re-plan changed them
    lost = []
    cps = cast(Mapping[str, Any], result.stages.get("checkpoints") or {})
    names = {p.id: p.name for p in result.scenario.posts}
    for v in cps.get("schedule", []) if isinstance(cps, Mapping) else []:
        s = by_name.get(str(v["slot"]))
        if s is None or s.index < at_slot:
            continue
        try:
            a = plan.at(str(v["team"]), s.index)
        except KeyError:
            continue
        if a.post != v["site"]:
            lost.append(T("replan_cp_item", when=when(s), site=names.get(str(v["site"]),
                                                                         str(v["site"])),
                          unit=v["team"]))
    kept = dict(replan.kept) if replan is not None else {}
    kept_from = replan.kept_from if replan is not None else ""
    sep = str(T("list_sep"))
    return {
        "of": T("replan_of", plan=doc.get("from_plan", ""), at=at,
                hash=str(doc.get("from_inputs_hash", ""))[:12]),
        "made": T("replan_made", made=replan.made) if replan is not None and replan.made
        else "",
        "asks": T("replan_asks", asks=sep.join(asks) if asks else T("replan_nothing"))
        + (T("replan_forced") if doc.get("forced") else ""),
        "changes": T("replan_changes", n=doc.get("changed", 0),
                     a=doc.get("changed_assignments", 0), s=doc.get("changed_sorties", 0),
                     v=doc.get("changed_camera_tours", 0)),
        "short": T("replan_short", added=len(summary["shortfalls_added"]),
                   resolved=len(summary["shortfalls_resolved"]),
                   r_added=len(summary["route_shortfalls_added"]),
                   r_resolved=len(summary["route_shortfalls_resolved"]))
        if summary is not None else "",
        "kept_note": (T("replan_kept", path=kept_from, n=len(kept)) if kept
                      else T("replan_kept_none", path=kept_from or doc.get("from_plan", ""))),
        "kept": {sid: _mark_kept(html, T, lost=bool(lost) and sid == "checkpoints")
                 for sid, html in kept.items()},
        "cp_lost": T("replan_cp_lost", n=len(lost), checks=sep.join(lost)) if lost else "",
    }


def _out_of_service(plan: Any, unit: str, k: int) -> bool:
    """Whether ``plan`` has ``unit`` out of service in slot ``k`` (off, the posture's note)."""
    try:
        a = plan.at(unit, k)
    except KeyError:
        return False
    return bool(a.out_of_service)


def _mark_kept(html: str, T: Any, *, lost: bool = False) -> str:
    """A kept section of the plan in force's report with a note under its heading that it
    is that plan's, unchanged by the re-plan; ``lost``: the re-plan leaves some of its checks
    unmanned, which the banner lists (the reviewer: the kept table said "unchanged" beside
    checks that would not run)."""
    said = T("replan_section_kept") + (T("replan_section_cp_lost") if lost else "")
    note = f'<p class="note replan-kept">{html_escape(said)}</p>'
    # a re-plan of a re-plan keeps the sections its plan kept: one note, not two
    html = re.sub(r'<p class="note replan-kept">[^<]*</p>', "", html)
    return re.sub(r"(</h2>)", lambda m: m[1] + note, html, count=1)


def render_report(result: PlanResult, request: PlanRequest, *, lang: Lang = "zh",
                  names: PlaceNames | None = None, replan: ReplanReport | None = None
                  ) -> str:
    """The report as one HTML string: inline CSS and SVG, no scripts, nothing fetched;
    ``names`` the plan's place names in ``lang`` where the caller has them (the plan folder
    names the same places for its sheets), else built here once; ``replan`` what a
    re-plan's report says besides (its plan's ``stages.replan`` alone heads it as one)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    sc = result.scenario
    plan = result.plan
    car = result.coverage.get("car")

    def T(key: str, **kw: object) -> str:
        return t(key, lang, **kw)

    c = counts(sc)
    bands = sc.policy.isochrone_minutes
    # (colour, words, dashed): an unreachable road is drawn dashed, its swatch too
    legend = [(BAND_COLOURS[i], T("legend_band", b=f"{b:g}"), False)
              for i, b in enumerate(bands) if i < len(BAND_COLOURS) - 1]
    legend.append((BAND_COLOURS[-1], T("legend_beyond", b=f"{bands[-1]:g}"), False))
    legend.append((UNREACHED, T("legend_unreached"), True))

    access_rows: list[dict[str, Any]] = []
    for mode, cov in result.coverage.items():
        finite = cov.minutes[np.isfinite(cov.minutes)]
        access_rows.append({
            "mode": T(f"mode_{mode}"),
            "within": [_pct(float(np.mean(cov.minutes <= b))) for b in bands],
            "median": _fmt(float(np.median(finite)) if finite.size else None),
            "max": _fmt(float(finite.max()) if finite.size else None),
            "unreachable": len(cov.unreachable),
        })
    ring_rows = []
    if car is not None:
        for level in (1, 2, 3):
            mask = car.level == level
            if mask.any():
                target = float(sc.policy.response_targets.get(level, max(
                    sc.policy.response_targets.values())))
                ring_rows.append({"level": T(f"ring_{level}"), "target": f"{target:g}",
                                  "share": _pct(car.share(mask=mask)),
                                  "backup": _pct(float(np.mean(
                                      car.backup_minutes[mask] <= car.target[mask])))})
    site_rows = []
    if car is not None:
        site_min = car.site_minutes()
        order = sorted(range(len(sc.sites)), key=lambda k: (sc.sites[k].tier, sc.sites[k].id))
        post_name = {p.id: p.name for p in sc.posts}
        for k in order:
            s = sc.sites[k]
            m, target = float(site_min[k]), float(car.site_target[k])
            node = int(car.site_node[k])
            post = post_name[car.sources[int(car.post[node])]] if car.post[node] >= 0 else "—"
            site_rows.append({"id": s.id, "name": s.name,
                              "kind": value_label("site", s.kind, lang), "tier": s.tier,
                              "post": post, "minutes": _fmt(m, 2), "target": f"{target:g}",
                              "met": T("yes") if m <= target else T("no"),
                              "ok": bool(m <= target)})
    # a route by its streets, staging by its crossing; one for the sheet, the timeline and
    # the rings' staging points
    streets = names if names is not None else PlaceNames(result, lang)
    unit_names = {u.id: str(u.extra.get("name") or "") for u in sc.units}

    def unit_label(unit: str) -> str:
        name = unit_names.get(unit, "")
        return f"{name} ({unit})" if name and name != unit else unit

    sep, and_ = ("；", "、") if lang == "zh" else ("; ", ", ")
    slot_rows = []
    rings = result.stages.get("rings", {})
    # one row per hour while every day of the plan reads the same; an hour whose days differ
    # (the plan's units stand elsewhere, so its rings and blockade differ) gets a row per
    # group of days that read alike, its dates named (a review: a 2-day plan's 11:00 sealed
    # in 1.13 min on day 1 and 1.69 on day 2, and the report showed the first day only)
    by_hour: dict[str, dict[tuple[object, ...], tuple[dict[str, object], list[str]]]] = {}
    for row in rings.get("slots", []) if isinstance(rings, dict) else []:
        hour = str(row["start"])[11:16]
        seal = row.get("blockade") or {}
        mine = row.get("from_plan") or {}
        cells: dict[str, object] = {
            "share": _pct(float(row["share_within_target"])),
            "weighted": _pct(float(row["weighted_share_within_target"]["incidents"])),
            "sites": f"{row['sites_meeting_target']}/{row['sites']}",
            "uncovered": row["uncovered_nodes"],
            # the plan's own police units where they stand (a plan.json before them: "—")
            "plan_share": (_pct(float(mine["share_within_target"]))
                           if "share_within_target" in mine else "—"),
            "plan_sites": (f"{mine['sites_meeting_target']}/{mine['sites']}"
                           if "sites" in mine else "—"),
            "plan_uncovered": mine.get("uncovered_nodes", "—"),
            "blockade": _fmt(seal.get("max_minutes"), 1) if seal else "—",
            "unsealed": len(seal.get("unsealed", [])) if seal else 0,
            # the staging points by the crossing or site there, not their node ids (a review:
            # "n033, n083, …" is no place a crew can be sent to)
            "staging": ("、" if lang == "zh" else "; ").join(
                streets.node(str(n)) for n in row.get("staging", {}).get("nodes", [])) or "—",
            # each staging unit by its name (or id) and the sites it holds by theirs, as
            # the rest of the report says them (review HD: "PS1-C@S06" is no sentence)
            "held": sep.join(T("staging_held_at", unit=unit_label(str(h["unit"])),
                               sites=and_.join(streets.site(str(x)) for x in h["sites"]))
                             for h in row.get("staging_held", [])) or "—",
            "short": and_.join(streets.site(str(x))
                               for x in row.get("staging_short", [])) or "—",
        }
        groups = by_hour.setdefault(hour, {})
        same = tuple(cells.values())
        groups.setdefault(same, (cells, []))[1].append(str(row["start"])[5:10])
    for hour, groups in sorted(by_hour.items()):
        for cells, days in groups.values():
            label = hour if len(groups) == 1 else f"{hour} ({', '.join(days)})"
            slot_rows.append({"hour": label, **cells})

    weighs = rings.get("incident_weights") if isinstance(rings, dict) else None
    off_note = None
    if isinstance(weighs, dict) and int(weighs["weighed"]) < int(weighs["incidents"]):
        n, w = int(weighs["incidents"]), int(weighs["weighed"])
        off_note = T("rings_off_network", n=f"{n:,}", w=f"{w:,}", off=f"{n - w:,}",
                     m=float(weighs["off_network_m"]))

    post_names = {p.id: p.name for p in sc.posts}
    area_names = {a.id: a.name for a in sc.areas_of("grid")}
    # the plan sheet: a unit's runs of one day share its unit, tier, mode and squad cells
    # (rowspan, SHEET_GROUP_ROWS rows at most), the 7-day report having repeated them on
    # each of its 2,441 rows
    sheet: list[list[dict[str, Any]]] = []
    for u in sc.units:
        labels = []
        for a in plan.of_unit(u.id):
            if staging(a):
                # a staging unit stands at a node holding a site's ring: no route patrol
                # (review AR: it read "路线巡逻: 人民路/人民东路口"); said as its note is
                labels.append(note_text(a.note, streets, lang))
                continue
            where = post_names.get(a.post or "", a.post or "") if a.post else (
                area_names.get(a.grid or "", a.grid or "") if a.grid else
                streets.streets_of(a, plan.slots[a.slot - plan.slots[0].index].start.hour))
            event = event_of(a)  # an event's post, with the event's name
            duty = T("duty_event_of", event=event) if event is not None else T(duty_key(a))
            labels.append(f"{duty}: {where}" if where else duty)
        crews = [_crew_short(a.crew, lang) for a in plan.of_unit(u.id)]
        keyed = [f"{lab}\x00{c}" for lab, c in zip(labels, crews, strict=True)]
        for first, last, key in _runs(keyed):
            label, crew = key.split("\x00")
            s0, s1 = plan.slots[first], plan.slots[last]
            day = s0.start.date()
            if (not sheet or sheet[-1][0]["unit"] != u.id or sheet[-1][0]["day"] != day
                    or len(sheet[-1]) >= SHEET_GROUP_ROWS):
                # a unit's rows of one day, SHEET_GROUP_ROWS at most: one <tbody>, its unit
                # said once
                sheet.append([])
            sheet[-1].append({"unit": u.id, "day": day, "tier": T(f"tier_{u.tier}"),
                          "mode": value_label("mode", u.mode, lang),
                          "squad": value_label("squad", u.squad, lang),
                          "slots": span_text(s0.start, s1.end),
                          "duty": label, "crew": crew})

    counts_rows = [
        (T("nodes"), c["nodes"]), (T("edges"), c["edges"]), (T("zones"), c["zones"]),
        (T("grids"), c["grids"]), (T("rings"), c["rings"]), (T("lines"), c["lines"]),
        (T("sites"), len(sc.sites)), (T("posts"), len(sc.posts)), (T("units"), len(sc.units)),
        (T("people"), len(sc.people)), (T("incidents"), _incidents_count(result, c, T)),
    ]
    posts_rows = [(T(f"kind_{k}"), n) for k, n in sorted(Counter(p.kind for p in sc.posts).items())]
    tier_rows = [(T("legend_tier", t=k), n)
                 for k, n in sorted(Counter(s.tier for s in sc.sites).items())]
    unit_rows = [(T(f"tier_{tier}"), value_label("mode", mode, lang), n) for (tier, mode), n in
                 sorted(Counter((u.tier, u.mode) for u in sc.units).items())]
    # each team by its name (review HR #4: "PS1", "BA"): the roster's rotating teams are
    # its own (a re-plan's, the plan in force's roster as plan.json records it)
    ro_doc = cast(Mapping[str, Any], result.stages.get("roster") or {})
    rotating = frozenset(result.roster.teams if result.roster is not None else
                         ro_doc.get("teams", ()) if isinstance(ro_doc, Mapping) else ())
    team_rows = [((team_label(team, sc, lang, rotating), value_label("role", role, lang)), n)
                 for (team, role), n in sorted(Counter((p.team, p.role)
                                                       for p in sc.people).items())]
    risk_maps, hot_rows, risk_info = _risk_section(result, T)
    roster_info = _roster_section(result, T, lang)
    cp_info = _checkpoint_section(result, T)
    kpi_info = _kpi_section(result, T)
    deploy_info = _deploy_section(result, T, lang, streets)
    deploy_info["events"] = _events_section(result, T, streets)
    aux_info = _auxiliary_section(result, T, lang, streets)
    # the posture's status in words (plan.json keeps the solver's "optimal", "time_limit")
    deploy_info["status"] = value_label("status", str(deploy_info["status"]), lang)
    end = request.start + timedelta(days=request.days - 1)
    return _env().get_template("report.html.j2").render(
        replan=_replan_banner(result, replan, T, lang),
        unnamed=_unnamed_rows(result, T, unit_label, lang),
        own_load=_own_load_rows(result, T, unit_label),
        own_rota=_own_rota_rows(result, T, unit_label),
        own_rota_rules=result.scenario.policy.roster,
        risk_maps=risk_maps, hot_rows=hot_rows, risk_info=risk_info, heat_colours=HEAT_COLOURS,
        roster=roster_info, cp=cp_info, cp_skipped=checkpoints_skipped(result, T),
        kpi=kpi_info, deploy=deploy_info, aux=aux_info,
        lang=lang, T=T, sc=sc, plan=plan, request=request, end=end,
        counts_rows=counts_rows, posts_rows=posts_rows, tier_rows=tier_rows,
        unit_rows=unit_rows, team_rows=team_rows, night=c["night_checkpoints"],
        map_svg=render_map(sc, car, temporary=_temporary_titles(sc, T),
                           tips=_map_tips(sc, T)), legend=legend,
        tier_colours=TIER_COLOURS, temporary_legend=(
            (TEMPORARY_STYLE[0], star_points(7.0, 7.0)) if any(p.temporary for p in sc.posts)
            else None),
        access_rows=access_rows, bands=bands, ring_rows=ring_rows, site_rows=site_rows,
        slot_rows=slot_rows, off_note=off_note,
        sheet=sheet, osm=sc.roads.source == "osm",
        builtin=sc.source.startswith("builtin:"),
    )
