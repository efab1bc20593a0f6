"""A stored plan's printable report (report.html) as the command line writes it.

``xunfang plan`` and ``xunfang replan`` write report.html into the plan folder
(:func:`~xunfang.report.folder.write_plan_folder`, :func:`~xunfang.report.html.render_report`);
the centre renders the same report from what it holds of a plan: the plan made in this
process (its :class:`~xunfang.planning.pipeline.PlanResult`), or put together from the stored
plan.json as a re-plan is (:func:`~xunfang.planning.deploy.from_plan.plan_in_force`). A
re-plan's report is headed as one (:func:`~xunfang.report.replan_view.replan_view`) and keeps
the roster and checkpoint sections of the stored plan it re-plans, rendered in turn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC
from typing import Any, cast
from zoneinfo import ZoneInfo

from xunfang import store
from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.report.i18n import LANGS, Lang
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


def report_inputs(e: PlanEntry) -> tuple[PlanResult, PlanRequest]:
    """The plan's result and request as :func:`~xunfang.report.html.render_report` reads them.

    The request is put together from plan.json's (as a re-plan's is). The result is the one
    made in this process where the centre holds it; else it is put together from plan.json:
    the stages, the risk table (``stages.intel``), the KPIs, and the free-flow rings of the
    maps (computed again: they depend on the posts, not on the plan). The roster and the
    checkpoint game are stored as their JSON summaries, from which their sections cannot be
    drawn: a plan that had them and is not held in memory raises :class:`ReportMissing`."""
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
    missing = [what for name, what in (("roster", "the roster (who is on duty)"),
                                       ("checkpoints", "the checkpoint game (its coverage "
                                                       "of each site)"))
               if _has(stages, name)]
    if missing:
        raise ReportMissing(
            f"plan {e.id} is read back from the store, which keeps {' and '.join(missing)} "
            f"as plan.json's summary only: the report's "
            f"{' and '.join(n for n in ('roster', 'checkpoints') if _has(stages, n))} "
            f"section(s) cannot be drawn from it. The report of a plan is served while the "
            f"centre that made it holds it (the plan folder of `xunfang plan` keeps it for "
            f"good)")
    sc = e.scenario
    free = {}
    if sc.staffed_posts(STAFFED_POST_KINDS):
        free = {mode: coverage.analyze(sc, e.network, mode=mode)
                for mode in ("car", "foot")}
    kpis = e.document.get("kpis")
    result = PlanResult(scenario=sc, network=e.network, plan=e.plan, coverage=free,
                        stages=stages, risk=pif.risk, roster=None, checkpoints=None,
                        kpis=kpis if isinstance(kpis, Mapping) and kpis else None)
    return result, request


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
    result, request = report_inputs(e)
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
)
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
            said = str(r.get(col) or r.get(place) or "")
            return f"{r.get(kind, '')} {said}".strip()
        if col == "duty_said":
            return str(r.get("duty_said") or r.get("new_duty") or "")
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
