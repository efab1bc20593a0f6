"""A stored plan's printable report (report.html) as the command line writes it.

``xunfang plan`` and ``xunfang replan`` write report.html into the plan folder
(:func:`~xunfang.report.folder.write_plan_folder`, :func:`~xunfang.report.html.render_report`);
the centre renders the same report from what it holds of a plan: the plan made in this
process (its :class:`~xunfang.planning.pipeline.PlanResult`), or put together from what the
store holds (plan.json read as a re-plan reads it,
:func:`~xunfang.planning.deploy.from_plan.plan_in_force`; the roster stored with the plan;
the checkpoint game's coverage of each site, :func:`~xunfang.web.centre.report_extra`). A
re-plan's report is headed as one (:func:`~xunfang.report.replan_view.replan_view`) and keeps
the roster and checkpoint sections of the stored plan it re-plans, rendered in turn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from xunfang import store
from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.report.i18n import LANGS, TEXT, Lang
from xunfang.web.centre import Centre, PlanEntry


class ReportMissing(Exception):
    """The centre does not hold what a plan's report needs; the message names it (HTTP 409)."""


class ReportUnfit(Exception):
    """A stored plan whose plan.json cannot be rendered as a report (no stages, a broken
    document); the message names what is wrong (HTTP 422)."""


def plan_lang(e: PlanEntry) -> Lang:
    """The plan's own language: its plan.json's ``lang`` (a plan folder's), else its change
    list's (a re-plan made here), else Chinese (the command line's default)."""
    doc = e.document
    for key in ("lang", "changes_lang"):
        if doc.get(key) in LANGS:
            return cast(Lang, doc[key])
    return "zh"


def _has(stages: Mapping[str, Any], name: str) -> bool:
    """Whether the plan's stage ``name`` ran (its section in plan.json is not "skipped")."""
    doc = stages.get(name)
    return isinstance(doc, Mapping) and "skipped" not in doc


def report_inputs(c: Centre, e: PlanEntry) -> tuple[PlanResult, PlanRequest]:
    """The plan's result and request as :func:`~xunfang.report.html.render_report` reads them.

    The request is put together from plan.json's (as a re-plan's is). The result is the one
    made in this process where the centre holds it; else it is put together from what the
    store holds: plan.json's stages, risk table (``stages.intel``) and KPIs, the free-flow
    rings of the maps (computed again: they depend on the posts, not on the plan), the
    roster stored with the plan (its duties, calendar, hours and fairness) and the
    checkpoint game's first-day schedule and summary (plan.json) with its coverage of each
    site (:func:`~xunfang.web.centre.report_extra`). A re-plan has neither roster nor game
    of its own (its report keeps its plan's sections), as ``xunfang replan``'s result. A
    plan stored without one of them raises :class:`ReportMissing` naming it."""
    from xunfang.planning import coverage
    from xunfang.planning.deploy.from_plan import PlanFolderError, plan_in_force
    from xunfang.scenario.model import STAFFED_POST_KINDS

    where = f"stored plan {e.id}"
    if not e.document.get("stages"):
        raise ReportUnfit(f"plan {e.id} was stored without its stages (posture, risk, rings): "
                          "its report cannot be rendered; make a new plan")
    try:
        pif = plan_in_force(e.document, where=where)
    except PlanFolderError as exc:
        raise ReportUnfit(f"plan {e.id}: its report cannot be rendered: {exc}") from None
    request = PlanRequest(start=pif.start, days=pif.days, seed=pif.seed,
                          largest_component=pif.largest_component,
                          risk_method=pif.risk_method, train_days=pif.train_days,
                          pins=pif.pins, deploy_options=pif.deploy_options)
    if e.result is not None:
        return e.result, request
    stages = cast(Mapping[str, Any], e.document["stages"])
    roster: Any = None
    game: Any = None
    roster_and_game = not isinstance(stages.get("replan"), Mapping)
    if roster_and_game:
        if _has(stages, "roster"):
            doc = c.roster(e.id)
            if doc is None:
                raise ReportMissing(f"plan {e.id} was stored without its roster (the roster "
                                    "stage ran, no roster row is stored with the plan): the "
                                    "report's roster section cannot be drawn")
            roster = RosterView.of(doc, e.scenario.timezone, where)
        if _has(stages, "checkpoints"):
            per_site = e.report_extra.get("checkpoint_site_slots")
            if not isinstance(per_site, Mapping):
                raise ReportMissing(
                    f"plan {e.id} was stored without the checkpoint game's coverage of each "
                    "site (plan.json keeps its schedule and summary only; the centre stores "
                    "the coverage with the plans it makes from this version on): the "
                    "report's checkpoint section cannot be drawn")
            game = CheckpointView.of(cast(Mapping[str, Any], stages["checkpoints"]),
                                     per_site, e.plan, where)
    sc = e.scenario
    free = {}
    if sc.staffed_posts(STAFFED_POST_KINDS):
        free = {mode: coverage.analyze(sc, e.network, mode=mode)
                for mode in ("car", "foot")}
    kpis = e.document.get("kpis")
    risk = pif.risk
    intel = stages.get("intel")
    # the forecast's check, as the plan's own risk table carries it (a re-plan's is read
    # back from its plan.json without one, as ``xunfang replan``'s)
    if risk is not None and roster_and_game and isinstance(intel, Mapping) \
            and intel.get("check") is not None:
        risk = replace(risk, check=check_of(intel["check"], where))
    result = PlanResult(scenario=sc, network=e.network, plan=e.plan, coverage=free,
                        stages=stages, risk=risk, roster=roster, checkpoints=game,
                        kpis=kpis if isinstance(kpis, Mapping) and kpis else None)
    return result, request


def check_of(doc: Mapping[str, Any], where: str) -> Any:
    """The forecast's check as plan.json's ``stages.intel.check`` keeps it
    (:meth:`~xunfang.intel.check.Check.as_json`, or an
    :class:`~xunfang.intel.check.Unchecked`'s reason), as the report's check table reads
    it; its shares as stored (to four places)."""
    from xunfang.intel.check import Check, CheckRow, Unchecked

    def num(v: Any) -> float:
        return float("nan") if v is None else float(v)

    try:
        if "skipped" in doc:
            return Unchecked(code=str(doc["code"]), why=str(doc["skipped"]))
        rows = tuple(CheckRow(
            method=str(r["method"]), train_days=int(r["train_days"]),
            hot=tuple(float(v) for v in r["hot"]),
            hot_area=tuple(float(v) for v in r["hot_area"]),
            hot_ci=(float(r["hot_ci"][0]), float(r["hot_ci"][1])), hours=num(r["hours"]),
            expected_per_day=float(r["expected_per_day"]),
            error_per_day=float(r["error_per_day"]),
            vs_naive=(None if r.get("vs_naive") is None else
                      (num(r["vs_naive"][0]), num(r["vs_naive"][1]), num(r["vs_naive"][2]))),
            same_as_naive=bool(r.get("same_as_naive", False))) for r in doc["rows"])
        return Check(first=date.fromisoformat(str(doc["first"])),
                     last=date.fromisoformat(str(doc["last"])), days=int(doc["days"]),
                     incidents=int(doc["incidents"]), per_day=float(doc["per_day"]),
                     ks=tuple(int(k) for k in doc["hottest"]), units=int(doc["units"]),
                     rows=rows, lead=int(doc.get("lead_days", 1)),
                     wanted_lead=int(doc.get("wanted_lead_days", 1)),
                     ranked_by=str(doc.get("hottest_ranked_by", "expected")),
                     holiday_days=tuple(date.fromisoformat(str(d))
                                        for d in doc.get("holiday_days") or ()),
                     holidays=bool(doc.get("holidays_as_forecast", False)))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ReportUnfit(f"{where}: stages.intel.check is not a forecast check ({exc!r})"
                          ) from None


@dataclass(frozen=True)
class _Solved:
    status: str


@dataclass(frozen=True)
class RosterView:
    """A stored roster (:func:`~xunfang.web.centre.roster_document`: its JSON with the
    lead-in) as the report's roster section reads a
    :class:`~xunfang.planning.roster.result.RosterResult`: teams, calendar, duties, the
    duties of the day before (``context``, ``slots`` and ``start``, as
    :func:`~xunfang.planning.roster.result.lead_in` picks them), hours, fairness and the
    solver's status."""

    teams: tuple[str, ...]
    day_teams: tuple[str, ...]
    calendar: tuple[Any, ...]
    rows: tuple[Any, ...]
    context: tuple[Any, ...]
    slots: tuple[datetime, ...]
    start: date
    hours: Mapping[str, Any]
    fairness: Mapping[str, float]
    solve: _Solved

    @classmethod
    def of(cls, doc: Mapping[str, Any], tz: str, where: str) -> RosterView:
        from xunfang.planning.roster.calendar import DayInfo
        from xunfang.planning.roster.check import Duty
        from xunfang.planning.roster.result import PersonHours

        def duty(d: Mapping[str, Any]) -> Duty:
            return Duty(day=date.fromisoformat(str(d["date"])), person=str(d["person"]),
                        team=str(d["team"]), shift=str(d["shift"]),
                        start=datetime.fromisoformat(str(d["start"])),
                        end=datetime.fromisoformat(str(d["end"])), role=str(d["role"]),
                        squad=str(d["squad"]), kind=d["kind"], reason=str(d["reason"]),
                        tz=tz if d.get("start_utc_offset") else "")

        try:
            return cls(
                teams=tuple(str(t) for t in doc["teams"]),
                day_teams=tuple(str(t) for t in doc["day_teams"]),
                calendar=tuple(DayInfo(day=date.fromisoformat(str(x["date"])),
                                       kind=x["kind"], holiday=str(x["holiday"]),
                                       makeup=bool(x["makeup"]),
                                       events=tuple(x.get("events") or ()))
                               for x in doc["calendar"]),
                rows=tuple(duty(d) for d in doc["rows"]),
                context=tuple(duty(d) for d in doc.get("lead_in") or ()),
                slots=tuple(datetime.fromisoformat(str(t)) for t in doc["slots"]),
                start=date.fromisoformat(str(doc["from"])),
                hours={str(h["person"]): PersonHours(
                    person=str(h["person"]), team=str(h["team"]), rotating=bool(h["rotating"]),
                    regular_hours=float(h["regular_hours"]),
                    special_hours=float(h["special_hours"]),
                    special_duties=int(h["special_duties"]), nights=int(h["nights"]),
                    weekend_days=int(h["weekend_days"]), holiday_days=int(h["holiday_days"]),
                    leave_days=int(h["leave_days"])) for h in doc["hours"]},
                fairness={str(k): float(v) for k, v in dict(doc["fairness"]).items()},
                solve=_Solved(str(dict(doc["solver"])["status"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportUnfit(f"{where}: its stored roster is not a roster's JSON ({exc!r})"
                              ) from None


@dataclass(frozen=True)
class _Visit:
    slot: str
    slot_index: int
    team: str
    site: str = ""
    reason: str = ""


@dataclass(frozen=True)
class _Checked:
    ok: bool


@dataclass(frozen=True)
class CheckpointView:
    """The checkpoint game as plan.json's ``stages.checkpoints`` keeps it (its summary and
    first-day schedule) with its coverage of each site, as the report's checkpoint section
    reads a :class:`~xunfang.planning.checkpoints.stage.CheckpointPlan`."""

    stage: Mapping[str, Any]
    per_site: Mapping[str, float]
    days: tuple[tuple[_Visit, ...], ...]
    free: tuple[tuple[_Visit, ...], ...]
    unmanned: tuple[tuple[_Visit, ...], ...]
    by_date: tuple[Mapping[str, object], ...]
    attacker_value: float
    check: _Checked

    def summary(self) -> dict[str, object]:
        return dict(self.stage)

    def marginals(self) -> list[dict[str, object]]:
        return [{"site": s, "coverage": v} for s, v in self.per_site.items()]

    @classmethod
    def of(cls, stage: Mapping[str, Any], per_site: Mapping[str, Any], plan: Any,
           where: str) -> CheckpointView:
        index = {s.name: s.index for s in plan.slots}
        try:
            def at(x: Mapping[str, Any], **more: str) -> _Visit:
                return _Visit(slot=str(x["slot"]), slot_index=index[str(x["slot"])],
                              team=str(x["team"]), **more)

            return cls(
                stage=stage, per_site={str(k): float(v) for k, v in per_site.items()},
                days=(tuple(at(v, site=str(v["site"])) for v in stage["schedule"]),),
                free=(tuple(at(f, reason=str(f.get("reason", ""))) for f in stage["free"]),),
                unmanned=(tuple(at(u, reason=str(u["reason"])) for u in stage["unmanned"]),),
                by_date=tuple(dict(x) for x in stage.get("by_date") or ()),
                attacker_value=float(stage["attacker_value"]),
                check=_Checked(bool(stage["sse_ok"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportUnfit(f"{where}: stages.checkpoints is not the checkpoint game's "
                              f"summary and schedule ({exc!r})") from None


def plan_report(c: Centre, plan_id: int, lang: Lang | None = None) -> tuple[str, Lang]:
    """The report.html of stored plan ``plan_id`` in ``lang`` (default: the plan's own,
    :func:`plan_lang`) and that language. A re-plan's report is headed as one: the plan it
    re-plans (``stages.replan``), when it was made (stored, in the scenario's local time),
    the shortfalls it added and resolved (plan.json's ``replan_summary``), its changes; and
    it keeps the roster and checkpoint sections of the stored plan it re-plans, rendered
    in ``lang``. :class:`store.NotFound` for an unknown plan, :class:`ReportMissing` or
    :class:`ReportUnfit` naming what the report lacks."""
    from xunfang.report.html import render_report
    from xunfang.report.replan_view import replan_view

    e = c.entry(plan_id)
    lang = lang or plan_lang(e)
    if lang in e.reports:
        return e.reports[lang], lang
    result, request = report_inputs(c, e)
    replan = None
    record = result.stages.get("replan")
    if isinstance(record, Mapping):
        if e.from_plan is None:
            raise ReportMissing(f"plan {plan_id} is a re-plan (plan.json's stages.replan) "
                                "stored without the plan it re-plans: the roster and "
                                "checkpoint sections it keeps from that plan's report "
                                "cannot be rendered")
        try:
            original, _ = plan_report(c, e.from_plan, lang)
        except store.NotFound:
            raise ReportMissing(f"plan {plan_id} re-plans plan {e.from_plan}, which is no "
                                "longer stored: the roster and checkpoint sections its "
                                "report keeps from that plan's cannot be rendered") from None
        except (ReportMissing, ReportUnfit) as exc:
            raise ReportMissing(f"plan {plan_id} re-plans plan {e.from_plan}, whose report "
                                f"(the roster and checkpoint sections it keeps) cannot be "
                                f"rendered: {exc}") from None
        summary = e.document.get("replan_summary")
        replan = replan_view(made=_made(e, c), original_html=original, lang=lang,
                             summary=summary if isinstance(summary, Mapping) else None,
                             kept_from=_said_plan(e.from_plan, lang))
    html = render_report(result, request, lang=lang, replan=replan)
    if replan is not None:
        html = with_change_list(html, e, lang)
    e.reports[lang] = html
    return html, lang


#: the change list's table in a re-plan's report: (changes.csv's column, its heading)
CHANGE_COLUMNS: tuple[tuple[str, dict[str, str]], ...] = (
    ("unit", {"zh": "单元", "en": "Unit"}),
    ("slot_start", {"zh": "时段", "en": "Slot"}),
    ("old_place_name", {"zh": "原安排", "en": "Was"}),
    ("place_name", {"zh": "调整为", "en": "Now"}),
    ("duty_said", {"zh": "勤务", "en": "Duty"}),
    ("new_crew", {"zh": "人员", "en": "Crew"}),
)
#: a person of ``new_crew`` who was aboard another unit in that slot (``crew_from``)
CREW_FROM = {"zh": "{p}（原 {u}）", "en": "{p} (was on {u})"}
CHANGE_CAPTION = {"zh": "逐项调整（本方案存储的调整清单，即 changes.csv 各行；{n} 项）：",
                  "en": "Each change (the change list stored with this plan, changes.csv's "
                        "rows; {n}):"}


def with_change_list(html: str, e: PlanEntry, lang: Lang) -> str:
    """A re-plan's report with its change list (plan.json's ``changes``, changes.csv's rows,
    which a plan folder holds beside its report) as a table in its head: a centre has no
    folder, and the head says "changes.csv lists each". Place names are said in the
    language they were stored in (``changes_lang``); where the name is empty, the id."""
    from html import escape

    rows = e.document.get("changes")
    if not isinstance(rows, list) or not rows:
        return html

    def cell(r: Mapping[str, Any], col: str) -> str:
        if col == "slot_start":
            a, b = str(r.get("slot_start", "")), str(r.get("slot_end", ""))
            return f"{a[5:10]} {a[11:16]}–{b[11:16]}".strip()
        if col in ("old_place_name", "place_name"):
            kind, place = ("old_kind", "old_place") if col == "old_place_name" else (
                "new_kind", "new_place")
            # the place as crews name it (in the change list's language), else its id, else
            # its kind in the page's words (off duty: no place; review RV2: a zh page said
            # "off")
            k = str(r.get(kind) or "")
            said = TEXT[f"duty_{k}"][lang] if f"duty_{k}" in TEXT else k
            return str(r.get(col) or r.get(place) or said)
        if col == "duty_said":
            return str(r.get("duty_said") or r.get("new_duty") or "")
        if col == "new_crew":
            # the people aboard after the change, each taken from another unit said so
            came = dict(x.split(":", 1) for x in str(r.get("crew_from") or "").split(";")
                        if ":" in x)
            return ", ".join(CREW_FROM[lang].format(p=p, u=came[p]) if p in came else p
                             for p in str(r.get("new_crew") or "").split(";") if p)
        return str(r.get(col, ""))

    head = "".join(f"<th>{escape(w[lang])}</th>" for _, w in CHANGE_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell(r, c))}</td>" for c, _ in CHANGE_COLUMNS)
                   + "</tr>" for r in rows if isinstance(r, Mapping))
    table = (f'<p>{escape(CHANGE_CAPTION[lang].format(n=len(rows)))}</p>'
             f'<table id="replan-changes"><thead><tr>{head}</tr></thead>'
             f"<tbody>{body}</tbody></table>")
    out, n = re.subn(r'(<div id="replan" class="note">.*?)(</div>)',
                     lambda m: m[1] + table + m[2], html, count=1, flags=re.S)
    if n != 1:
        raise ReportUnfit(f"plan {e.id}: its report has no re-plan head to list its "
                          "changes under")
    return out


def _made(e: PlanEntry, c: Centre) -> str:
    """When the plan was stored, in the scenario's local time as the report says times."""
    from datetime import datetime

    created = e.meta.get("created")
    if not isinstance(created, str):
        return ""
    at = datetime.fromisoformat(created)
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(c.scenario.timezone)).strftime("%Y-%m-%d %H:%M")


def _said_plan(plan_id: int, lang: Lang) -> str:
    """The stored plan a re-plan keeps sections from, as its report names it."""
    return f"方案 #{plan_id}" if lang == "zh" else f"plan #{plan_id}"


def report_filename(c: Centre, plan_id: int, lang: Lang) -> str:
    """The file name a saved report gets: the scenario, the plan's id and first day, the
    language (ASCII: a header's filename)."""
    e = c.entry(plan_id)
    day = f"{e.plan.slots[0].start:%Y%m%d}" if e.plan.slots else "plan"
    name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_"
                   for ch in e.scenario.name) or "plan"
    return f"{name}-plan{plan_id}-{day}-report-{lang}.html"


__all__ = ["ReportMissing", "ReportUnfit", "plan_lang", "plan_report", "report_filename",
           "report_inputs"]
