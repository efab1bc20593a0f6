"""What heads a re-plan's report (:class:`~xunfang.report.html.ReplanReport`), for the two
faces that write one: ``xunfang replan`` (the kept sections read from the plan folder's
report.html) and the web centre's ``GET /api/plans/{id}/report`` (the kept sections of the
stored plan it re-plans, rendered from the store)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xunfang.report.html import ReplanReport, kept_sections
from xunfang.report.i18n import Lang


def replan_view(*, made: str, summary: Mapping[str, Any] | None, kept_from: str,
                original_html: str | None, lang: Lang) -> ReplanReport:
    """The re-plan's report head: when it was made (``made``, local time as the report says
    it), its summary (:func:`~xunfang.report.changes.replan_summary`'s, or as much of it as
    the banner reads; None: not known), and the roster and checkpoint sections of the plan
    it re-plans, from that plan's report ``original_html`` where it is in ``lang`` (None or
    another language: none kept, and the report points to ``kept_from``)."""
    kept = kept_sections(original_html, lang) if original_html is not None else {}
    return ReplanReport(made=made, summary=summary, kept=kept, kept_from=kept_from)


__all__ = ["replan_view"]
