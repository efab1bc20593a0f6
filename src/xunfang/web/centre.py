"""The command centre's state: the scenario, its plans, the live picture and the store.

Everything that must survive a restart goes to :mod:`xunfang.store` (plans with their inputs'
hash, seed, request and stages: the whole plan.json, so a plan can be re-planned after a
restart; incidents, positions, status, alerts, the audit log); the live picture
(:class:`~xunfang.web.live.LiveOps`) is rebuilt from the store's last positions and status.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from xunfang import store
from xunfang.network import RoadNetwork
from xunfang.plan import Plan
from xunfang.planning import coverage, deploy
from xunfang.planning.deploy.asked import BusyAsk, HotAsk
from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.planning.roster.result import RosterResult, duty_dict, lead_in
from xunfang.report.folder import json_ready, plan_document
from xunfang.report.layers import plan_layers
from xunfang.scenario.model import STAFFED_POST_KINDS, Scenario
from xunfang.store import Store, UserRow
from xunfang.store.audit import audit_apart
from xunfang.web.auth import Throttle
from xunfang.web.live import (
    Alert,
    Clock,
    LiveOps,
    LiveSettings,
    PositionRows,
    checkpoint_schedule,
    route_grids,
    utc_now,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplanAsk:
    """What a planner asks a re-plan of a stored plan for: its start (``HH:MM`` or an ISO
    local date-time), units held at incidents, units out of service as (unit, label), hot
    places; ``force`` re-plans a plan made from other scenario files."""

    at: str
    busy: tuple[BusyAsk, ...] = ()
    out_of_service: tuple[tuple[str, str], ...] = ()
    hot: tuple[HotAsk, ...] = ()
    force: bool = False
    back: tuple[tuple[str, str], ...] = ()  # (unit, label): back in service
Actor = UserRow | str
#: what a stored re-plan keeps of its summary (plan.json's ``replan_summary``): the shortfalls
#: it added and resolved, which its report's head counts (the rest is ``changes`` and
#: ``stages.replan``)
REPLAN_SUMMARY_KEYS = ("at", "shortfalls_added", "shortfalls_resolved",
                       "route_shortfalls_added", "route_shortfalls_resolved")
#: plans kept in memory besides the current one (the rest are read from the store again)
MAX_CACHED = 8
#: days of position history kept while serving (`xunfang serve --keep-days`); each unit's last
#: position (unit_last) is kept however old. Pruned at most once an hour, from the tick.
KEEP_DAYS = 30.0
PRUNE_EVERY = timedelta(hours=1)
MAX_KEEP_DAYS = 36_500
#: a restart replays at most this many of a unit's newest positions, of at most this many
#: hours before now (a fix every 2 s: 2 h 47 min), for its time outside its grid and visits
REPLAY_ROWS = 5000
REPLAY_HOURS = 4.0


def utc_iso(t: datetime) -> str:
    """An ISO time with its offset (+00:00) of a time the store keeps as naive UTC (created,
    raised, cleared): the API gives every time with its offset (a review: /api/plans gave
    a naive UTC "created" beside a naive local "from")."""
    return (t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)).isoformat()


def local_iso(t: datetime, tz: tzinfo) -> str:
    """An ISO time with the scenario's offset (e.g. +08:00) of a time the store keeps as
    naive local time (a plan's slots, an incident's time)."""
    return (t.replace(tzinfo=tz) if t.tzinfo is None else t.astimezone(tz)).isoformat()


@dataclass
class PlanEntry:
    """A plan as the dashboard needs it: made in this process (``result`` set) or read back
    from the store (``document`` as stored: plan.json with its request and stages, when they
    were stored)."""

    id: int
    plan: Plan
    document: dict[str, Any]
    scenario: Scenario
    network: RoadNetwork
    result: PlanResult | None = None
    meta: dict[str, object] = field(default_factory=dict)
    from_plan: int | None = None  # the plan it re-plans (the store's column)
    _layers: dict[str, Any] | None = field(default=None, repr=False)
    #: its printable report by language, once rendered (:func:`xunfang.web.report.plan_report`)
    reports: dict[str, str] = field(default_factory=dict, repr=False)
    #: what its report needs besides plan.json (:func:`report_extra`), as stored with it
    report_extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def layers(self) -> dict[str, Any]:
        if self._layers is None:
            if self.result is not None:
                access = self.result.coverage.get("car")
            elif self.scenario.staffed_posts(STAFFED_POST_KINDS):
                access = coverage.analyze(self.scenario, self.network, mode="car")
            else:
                access = None
            raw = plan_layers(self.scenario, access)
            self._layers = {k.removesuffix(".geojson"): v for k, v in raw.items()}
        return self._layers

    def summary(self) -> dict[str, object]:
        p = self.plan
        start = local_iso(p.slots[0].start, ZoneInfo(self.scenario.timezone))
        return {"id": self.id, "scenario": p.scenario, "from": start,
                "slots": len(p.slots), "seed": p.seed, "inputs_hash": p.inputs_hash,
                "units": len(p.units), "stages": list(p.stages), **self.meta}


#: the stored header's key of :func:`report_extra` (kept out of the plan.json served)
REPORT_EXTRA = "report_extra"


def report_extra(result: PlanResult) -> dict[str, Any]:
    """What a plan's report draws that its plan.json does not hold, stored with the plan so
    that the report can be rendered after a restart (:mod:`xunfang.web.report`): the
    checkpoint game's expected checks of each site over the plan, summed over its slots in
    the game's order (``checkpoint_site_slots``; plan.json keeps the first day's schedule
    and the game's summary, not its coverage)."""
    cp = result.checkpoints
    if cp is None:
        return {}
    per_site: dict[str, float] = {}
    for m in cp.marginals():
        site = str(m["site"])
        per_site[site] = per_site.get(site, 0.0) + float(m["coverage"])  # type: ignore[arg-type]
    return {"checkpoint_site_slots": per_site}


def roster_document(roster: RosterResult) -> dict[str, Any]:
    """The roster as the centre stores it with its plan: its JSON and ``lead_in``, the duties
    of the day before that run into the plan's first hours (:func:`lead_in`: the night
    shift, on duty from 00:00 to 08:00 of the first day), which the roster's own ``rows``
    leave out and a plan folder's roster.csv lists first."""
    doc = json_ready({**roster.as_json(), "lead_in": [duty_dict(d) for d in lead_in(roster)]})
    assert isinstance(doc, dict)
    return doc


class Centre:
    """One scenario under its active plan, with the store and the live operations."""

    def __init__(self, scenario: Scenario, result: PlanResult, request: PlanRequest, *,
                 db: Store, clock: Clock = utc_now, settings: LiveSettings | None = None,
                 throttle: Throttle | None = None, keep_days: float = KEEP_DAYS) -> None:
        self._open(scenario, result.network, db=db, clock=clock, throttle=throttle,
                   keep_days=keep_days)
        first = self.add_plan(result, request, actor="system", activate=True)
        self._go_live(first, settings)

    @classmethod
    def resumed(cls, scenario: Scenario, network: RoadNetwork, plan_id: int, *, db: Store,
                clock: Clock = utc_now, settings: LiveSettings | None = None,
                throttle: Throttle | None = None, keep_days: float = KEEP_DAYS) -> Centre:
        """A centre carrying on with the stored plan ``plan_id`` (a restart: nothing is
        planned, and the planner's current plan stays current)."""
        c = cls.__new__(cls)
        c._open(scenario, network, db=db, clock=clock, throttle=throttle, keep_days=keep_days)
        c._go_live(c.entry(plan_id), settings)
        return c

    def _open(self, scenario: Scenario, network: RoadNetwork, *, db: Store, clock: Clock,
              throttle: Throttle | None, keep_days: float) -> None:
        if isinstance(keep_days, bool) or not isinstance(keep_days, int | float) \
                or not 0 < keep_days <= MAX_KEEP_DAYS:
            raise ValueError(f"keep_days (--keep-days, the days of position history kept) "
                             f"must be a number above 0 and at most {MAX_KEEP_DAYS}, got "
                             f"{keep_days!r}")
        self.keep_days = float(keep_days)
        self._pruned_at: datetime | None = None
        self.scenario = scenario
        self.network: RoadNetwork = network
        self.store = db
        self.clock = clock
        self.throttle = throttle or Throttle()
        self.scenario_id = store.register_scenario(db, scenario, actor="system").id
        #: plans read or made in this process, the most recently used last; at most
        #: MAX_CACHED besides the current one (a county plan's entry is some 4 MB: a review
        #: counted 1.8 GB a year of daily plans and viewed ones, kept for ever)
        self._entries: OrderedDict[int, PlanEntry] = OrderedDict()
        #: held while the current plan changes: a planner's choice and the tick's roll-over
        #: are one after the other, each judging the other's outcome (a review: the tick,
        #: reading the plans while a planner made one current, made another current after)
        self._current_lock = threading.RLock()
        self._lock = threading.Lock()

    def _go_live(self, current: PlanEntry, settings: LiveSettings | None) -> None:
        self.current = current.id
        self.live = LiveOps(self.scenario, self.network, current.plan, settings=settings,
                            clock=self.clock,
                            route_grid=route_grids(current.document.get("stages")),
                            checkpoints=checkpoint_schedule(current.document.get("stages")))
        self.live.on_raise = self._persist_alert
        self.live.on_clear = self._clear_alert
        self._restore()

    # ---- plans --------------------------------------------------------------------------
    def add_plan(self, result: PlanResult, request: PlanRequest, *, actor: Actor,
                 activate: bool = False, name: str | None = None,
                 extra: dict[str, Any] | None = None,
                 roster: dict[str, Any] | None = None,
                 from_plan: int | None = None) -> PlanEntry:
        """Store a plan made (audited): ``extra`` joins its plan.json (a re-plan's
        ``changes``), ``roster`` is stored as its roster where the result has none (a
        re-plan's, the plan in force's: a re-plan does not roster again)."""
        doc = json_ready({**plan_document(result, request), **(extra or {})})
        assert isinstance(doc, dict)
        header = {k: v for k, v in doc.items() if k not in store.PLAN_COLUMNS_OF_DOCUMENT}
        extra_for_report = report_extra(result)
        if extra_for_report:
            header[REPORT_EXTRA] = json_ready(extra_for_report)
        row = store.save_plan(self.store, self.scenario_id, result.plan, actor=actor,
                              name=name or f"{request.start.isoformat()} seed {request.seed}",
                              kpis=doc.get("kpis"), request=doc["request"],
                              stages=doc["stages"], header=header, activate=activate,
                              from_plan=from_plan)
        if result.roster is not None:
            roster = roster_document(result.roster)  # with its lead-in (H4 #1)
        if roster is not None:
            try:
                store.save_roster(self.store, self.scenario_id, roster, actor=actor,
                                  plan_id=row.id, name=row.name)
            except BaseException:
                # the plan and its roster are one: a roster that cannot be stored takes the
                # plan back out, so nothing half-done stays
                store.delete_plan(self.store, row.id, actor=actor)
                raise
        entry = PlanEntry(id=row.id, plan=result.plan, document=doc, scenario=self.scenario,
                          network=self.network, result=result,
                          report_extra=dict(header.get(REPORT_EXTRA) or {}),
                          meta={"name": row.name, "created": utc_iso(row.created_at),
                                "by": row.created_by}, from_plan=row.from_plan)
        self._keep(entry)
        return entry

    def make_plan(self, start: date, days: int, seed: int, *, actor: Actor,
                  activate: bool = False,
                  deploy_options: deploy.Options | None = None) -> PlanEntry:
        """Plan ``days`` from ``start`` with the posture's ``deploy_options`` (``None``: the
        defaults; the plan's request keeps them) and store the plan."""
        req = PlanRequest(start=start, days=days, seed=seed, deploy_options=deploy_options)
        result = build_plan(self.scenario, req, network=self.network)
        return self.add_plan(result, req, actor=actor, activate=activate)

    def replan(self, plan_id: int, ask: ReplanAsk, *, actor: Actor, lang: str = "zh",
               make_current: bool = False) -> tuple[PlanEntry, dict[str, Any]]:
        """Re-plan stored plan ``plan_id`` from ``ask`` (as ``xunfang replan`` re-plans a plan
        folder: the same rules, :func:`~xunfang.planning.deploy.asked.replan_state`) and store
        the new plan (audited) with its ``changes`` (changes.csv's rows, in ``lang``) in its
        plan.json and the plan in force's roster; the answer's summary is
        :func:`~xunfang.report.changes.replan_summary`'s. A plan stored without its stages,
        an ask that breaks a rule or a plan made from other scenario files (unless
        ``ask.force``) raise :class:`~xunfang.planning.deploy.DeployError` naming it, and
        nothing is stored.

        ``make_current`` puts the re-plan in force: only a re-plan of the current plan (else
        :class:`store.Conflict`, checked again as it is stored: a review (H3 #1) had four
        re-plans of one plan each told it was current, the last dropping the others' units
        out of service), and not from a slot before now's (hours already worked are not put
        in force again). A re-plan not made current is a what-if: it does not take over by
        itself at a roll-over until a planner makes it current."""
        from xunfang.planning.deploy.asked import AskError, replan_state
        from xunfang.planning.deploy.from_plan import (
            PlanFolderError,
            check_scenario,
            plan_in_force,
            replan_plan,
        )
        from xunfang.report.changes import change_rows, replan_summary

        e = self.entry(plan_id)
        if make_current:
            self._refuse_not_current(plan_id)
        if not e.document.get("stages"):
            raise PlanFolderError(f"plan {plan_id} was stored without its stages (posture, "
                                  "risk, routes): it cannot be re-planned; make a new plan")
        pif = plan_in_force(e.document, where=f"stored plan {plan_id}")
        check_scenario(pif, self.scenario, force=ask.force)
        state, at_slot = replan_state(pif.plan, self.scenario, ask.at, at_label="at",
                                      busy=ask.busy, out_of_service=ask.out_of_service,
                                      hot=ask.hot, back=ask.back)
        if make_current:
            local = self.clock().astimezone(ZoneInfo(self.scenario.timezone)).replace(
                tzinfo=None)
            if at_slot.end <= local:
                raise AskError(f"at {ask.at!r}: its slot ({at_slot.name}) ended before now "
                               f"({local:%Y-%m-%d %H:%M}): hours already worked are not put in "
                               "force again; re-plan from now, or leave make_current off for "
                               "a what-if")
        rep = replan_plan(pif, self.scenario, state, network=self.network,
                          note={"forced": True} if ask.force else None)
        rows = change_rows(rep, pif, lang)
        summary = replan_summary(rep, pif, at_slot, rows)
        roster = self.roster(plan_id)  # read before the lock: the tick waits on it
        with self._current_lock:
            if make_current:
                self._refuse_not_current(plan_id)
            entry = self.add_plan(
                rep.result, rep.request, actor=actor, activate=make_current,
                name=f"re-plan of {plan_id} from {at_slot.start:%Y-%m-%d %H:%M}",
                extra={"changes": rows, "changes_lang": lang,
                       "replan_summary": {k: summary[k] for k in REPLAN_SUMMARY_KEYS}},
                roster=roster,
                from_plan=plan_id)
            if make_current:
                self.set_current(entry.id, actor=actor)
        return entry, summary

    def _status_of_replan(self, e: PlanEntry, actor: Actor) -> None:
        """A re-plan made current sets the status of the units it names (recorded as the
        planner's, the note naming the re-plan): out of service ``off``, held at an
        incident ``busy`` while its run lasts, back in service ``available``. A review
        (H6 A): the units' status stayed "available" after a re-plan took one out of
        service, so the next draft (from the status) brought it back in service, and posted
        as it was it put the unit on duty again."""
        stages = e.document.get("stages")
        record = stages.get("replan") if isinstance(stages, dict) else None
        if not isinstance(record, dict):
            return
        now = self.clock()
        slot = self.live.slot_at(now).index
        want: dict[str, str] = {u: "off" for u in record.get("out_of_service") or []}
        for u, k in (record.get("out_of_service_from") or {}).items():
            if int(k) <= slot:  # an earlier re-plan's, begun by now
                want[str(u)] = "off"
        for b in record.get("busy") or []:
            if isinstance(b, dict) and int(b.get("until_slot", -1)) >= slot:
                want[str(b["unit"])] = "busy"
        want.update({str(u): "available" for u in record.get("back_in_service") or []})
        with self.live.lock:  # the statuses only (unit_rows projects every position too)
            have = {u: st.status for u, st in self.live.state.items()}
        for unit, status in sorted(want.items()):
            if unit in have and have[unit] != status:
                store.record_status(self.store, self.scenario_id, unit, status, actor=actor,
                                    note=f"re-plan {e.id} made current", now=now)
                self.live.set_status(unit, status)

    def _refuse_not_current(self, plan_id: int) -> None:
        if plan_id != self.current:
            raise store.Conflict(
                f"plan {plan_id} is not the current plan (plan {self.current} is): only the "
                "current plan's re-plan is put in force; re-plan the current plan, or leave "
                "make_current off for a what-if")

    def entry(self, plan_id: int) -> PlanEntry:
        """A plan by its store id (:class:`store.NotFound` for an unknown one)."""
        with self._lock:
            e = self._entries.get(plan_id)
            if e is not None:
                self._entries.move_to_end(plan_id)
        if e is not None:
            return e
        row = store.get_plan(self.store, plan_id)
        if row.scenario_id != self.scenario_id:
            raise store.NotFound("plan of this scenario", plan_id)
        plan = store.load_plan(row)
        doc = self._document(row, plan)
        extra = doc.pop(REPORT_EXTRA, None)
        e = PlanEntry(id=row.id, plan=plan, document=doc, scenario=self.scenario,
                      report_extra=dict(extra) if isinstance(extra, dict) else {},
                      network=self.network, meta={"name": row.name,
                                                  "created": utc_iso(row.created_at),
                                                  "by": row.created_by},
                      from_plan=row.from_plan)
        self._keep(e)
        return e

    def _keep(self, e: PlanEntry) -> None:
        """Cache ``e``, dropping the least recently used entries beyond :data:`MAX_CACHED`
        (never the current plan's: live ops hold it anyway)."""
        with self._lock:
            self._entries[e.id] = e
            self._entries.move_to_end(e.id)
            current = getattr(self, "current", None)
            for pid in [p for p in self._entries if p not in (e.id, current)]:
                if len(self._entries) <= MAX_CACHED + 1:
                    break
                del self._entries[pid]

    @staticmethod
    def _document(row: store.PlanRow, plan: Plan) -> dict[str, Any]:
        """The plan.json of a stored plan, its fields in plan_document's order: the same
        document as when the plan was made, when its stages and header were stored. A plan
        stored before they were (NULL) has no stages and a note saying so; one stored before
        requests were has no request."""
        header = dict(row.header) if row.header is not None else {}
        doc: dict[str, Any] = {
            "xunfang_version": header.pop("xunfang_version", None),
            "environment": header.pop("environment", None),
            "scenario": header.pop("scenario", None), "inputs_hash": row.inputs_hash,
            "seed": row.seed, "request": dict(row.request) if row.request is not None else None,
            "plan": plan.as_dict(), "kpis": row.kpis,
            "stages": dict(row.stages) if row.stages is not None else {}, **header}
        for key in ("xunfang_version", "environment", "scenario", "request"):
            if doc[key] is None:  # not recorded: left out, not served as null
                del doc[key]
        if row.stages is None:
            doc["note"] = ("read back from the store: the stages' details (posture, risk, "
                           "rings by slot) were not stored with this plan, so it cannot be "
                           "re-planned")
        return doc

    def list_plans(self) -> list[dict[str, object]]:
        """The scenario's stored plans, newest first: "from" in the scenario's local time
        and "created" in UTC, each with its offset."""
        tz = ZoneInfo(self.scenario.timezone)
        return [{"id": r.id, "name": r.name,
                 "from": local_iso(r.start, tz) if r.start else None,
                 "slots": r.n_slots, "seed": r.seed, "inputs_hash": r.inputs_hash,
                 "active": r.active, "created": utc_iso(r.created_at),
                 "by": r.created_by, "stages_detail": r.has_stages,
                 "from_plan": r.from_plan, "takes_over": r.takes_over}
                for r in store.plan_summaries(self.store, self.scenario_id)]

    def roster(self, plan_id: int) -> dict[str, Any] | None:
        """The roster of a plan with its lead-in (:func:`roster_document`): computed in this
        process, else as stored with the plan."""
        e = self.entry(plan_id)
        if e.result is not None and e.result.roster is not None:
            return roster_document(e.result.roster)
        rows = store.list_rosters(self.store, self.scenario_id, plan_id=plan_id)
        return dict(rows[-1].content) if rows else None

    def set_current(self, plan_id: int, *, actor: Actor) -> None:
        e = self.entry(plan_id)
        with self._current_lock:
            store.update_plan(self.store, plan_id, actor=actor, activate=True)
            self.current = plan_id
            self._status_of_replan(e, actor)
            stages = e.document.get("stages")
            self.live.set_plan(e.plan, route_grids(stages), checkpoint_schedule(stages))

    def delete_plan(self, plan_id: int, *, actor: Actor) -> None:
        """Delete a stored plan of this scenario (audited): a what-if a planner does not want
        to take over at midnight (a review: the newest plan of the day takes over, and no
        plan could be deleted). The current plan is refused (:class:`store.Conflict`)."""
        if store.get_plan(self.store, plan_id).scenario_id != self.scenario_id:
            raise store.NotFound("plan of this scenario", plan_id)
        with self._current_lock:
            if plan_id == self.current:
                raise store.Conflict(f"plan {plan_id} is the current plan: make another "
                                     "current first")
            store.delete_plan(self.store, plan_id, actor=actor)
            with self._lock:
                self._entries.pop(plan_id, None)

    def next_plan(self) -> dict[str, object] | None:
        """The stored plan that :meth:`roll_over` will make current, and when: at the current
        plan's end (or now, if it is over) the newest stored plan of these scenario files
        covering that moment; None where none does."""
        tz = self.live.tz
        local = self.clock().astimezone(tz).replace(tzinfo=None)
        slots = self.live.plan.slots
        at = max(local, slots[-1].end) if slots else local
        found = covering_plan(self.store, self.scenario_id, self.scenario, at, self.current)
        if found is None:
            return None
        return {"plan": found[0], "name": found[1],
                "at": at.replace(tzinfo=tz).isoformat(timespec="minutes")}

    @property
    def current_plan(self) -> PlanEntry:
        return self.entry(self.current)

    # ---- live ---------------------------------------------------------------------------
    def _persist_alert(self, alert: Alert) -> int:
        row, _ = store.raise_alert(
            self.store, self.scenario_id, alert.kind, alert.key, message=alert.message_en,
            severity=alert.severity, data={**alert.data, "message_zh": alert.message_zh},
            at=alert.raised_at)
        return row.id

    def _clear_alert(self, alert: Alert, at: datetime) -> None:
        store.clear_alert(self.store, self.scenario_id, alert.kind, alert.key, at=at)

    def _restore(self) -> None:
        """The live picture from the store: each unit's last position and status, the alerts
        left open, and the tier-1 sites' last visits."""
        status = store.latest_status(self.store, self.scenario_id)
        for unit, row in status.items():
            if unit in self.live.units:
                self.live.state[unit].status = row.status
        # alerts left open by an earlier run: cleared at the first evaluation that no longer
        # calls for them, kept (same id) when it does
        for a in store.list_alerts(self.store, self.scenario_id, open_only=True):
            data = dict(a.data or {})
            zh = str(data.pop("message_zh", a.message))
            raised = a.raised_at.replace(tzinfo=UTC)
            acked = a.acknowledged_at.replace(tzinfo=UTC) if a.acknowledged_at else None
            alert = Alert(a.id, a.kind, a.subject, a.severity, zh, a.message, raised, data,
                          acknowledged_by=a.acknowledged_by, acknowledged_at=acked)
            self.live.alerts[a.subject] = alert
            self.live.history.append(alert)
            self.live.seq = max(self.live.seq, a.id)
            # an open site alert says when the site was last visited (or the earlier run
            # began): its raise time less the minutes it had waited. Without it, the site's
            # wait counted from this start, and the first evaluation cleared every open site
            # alert though no site was visited (a review: 10 of 11, raised again two hours
            # later with new ids). A visit replayed below is later and wins.
            site = data.get("site")
            minutes = data.get("minutes")
            if a.kind == "site_revisit" and isinstance(site, str) \
                    and isinstance(minutes, int | float) and not isinstance(minutes, bool):
                self.live.last_visit[site] = raised - timedelta(minutes=float(minutes))
        # each unit's last position (unit_last: kept by any retention) and the most recent
        # part of its track before it, in time order: time outside its grid, tier-1 site
        # visits. The newest REPLAY_ROWS of the last REPLAY_HOURS: a review's unit with a fix
        # every 2 s for 3 hours was restored at its oldest 5000 rows' end, 13 min before its
        # last, and a unit last seen 5 hours before had no position at all.
        since = self.clock() - timedelta(hours=REPLAY_HOURS)
        last = {r.unit: r for r in store.latest_positions(self.store, self.scenario_id)}
        for unit in self.live.units:
            track: list[tuple[datetime, float, float]] = [
                (p.t, p.x, p.y) for p in reversed(store.position_history(
                    self.store, self.scenario_id, unit, since=since, limit=REPLAY_ROWS,
                    newest_first=True))]
            final = last.get(unit)
            if final is not None and (not track or final.t > track[-1][0]):
                track.append((final.t, final.x, final.y))
            if track:
                self.live.apply(PositionRows(
                    unit=[unit] * len(track), t=[t.replace(tzinfo=UTC) for t, _, _ in track],
                    x=np.array([x for _, x, _ in track]), y=np.array([y for _, _, y in track]),
                    status=[None] * len(track)))

    def evaluate(self) -> list[Alert]:
        """Judge the alerts now, after making current the stored plan that covers now where
        the current one does not (:meth:`roll_over`; in memory first, so cheap while it
        does): a batch of positions posted at 00:00, before the tick, had raised
        plan_not_covering with tomorrow's plan stored (a review)."""
        try:
            self.roll_over()
        except Exception:  # (a lost database: the tick retries; the alerts are judged)
            log.exception("roll_over failed; the alerts are evaluated all the same")
        return self.live.evaluate()

    def tick(self) -> list[Alert]:
        """One beat of the serving loop (app.py, every few seconds): prune old positions
        (:meth:`retain`, at most hourly), then evaluate the alerts (:meth:`evaluate`, which
        first carries on with the stored plan that covers now past the current plan's last
        slot). A failure of the prune is logged and the alerts are evaluated all the same."""
        try:
            self.retain()
        except Exception:  # (a lost database: retried at a later tick)
            log.exception("retain failed; the alerts are evaluated all the same")
        return self.evaluate()  # rolls over first

    def roll_over(self) -> int | None:
        """When the current plan does not cover now (its day is over, e.g. past midnight),
        make current the newest stored plan of this scenario made from the same scenario
        files (inputs hash) that does, as "system" (audited as any change of the current
        plan); returns its id, else ``None``. Nothing is planned here: without such a plan
        the current one stays (live ops then apply its first day's pattern)."""
        local = self.clock().astimezone(self.live.tz).replace(tzinfo=None)
        with self._current_lock:  # judged and done with no planner's choice in between
            slots = self.live.plan.slots
            if slots and slots[0].start <= local < slots[-1].end:
                return None
            found = covering_plan(self.store, self.scenario_id, self.scenario, local,
                                  self.current)
            if found is None:
                return None
            pid, name = found
            old = self.current
            self.set_current(pid, actor="system")
            log.info("plan #%s (%s) covers now (%s) and is current; plan #%s was", pid, name,
                     f"{local:%Y-%m-%d %H:%M}", old)
            return pid

    def retain(self) -> tuple[int, int] | None:
        """Delete positions older than ``keep_days`` (never a unit's last position, which
        ``unit_last`` holds) and expired or revoked sessions, at most once per
        :data:`PRUNE_EVERY`; the counts are logged and, when anything went, audited. Returns
        (positions, sessions) deleted, ``None`` when not due. Nothing pruned them before: a
        unit reporting every 2 s adds 43 200 rows a day."""
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return None
        self._pruned_at = now  # (a failure is retried an hour on, not at every tick)
        before = now - timedelta(days=self.keep_days)
        n = store.prune_positions(self.store, self.scenario_id, before)
        # sessions run on the store's clock (utcnow), not the centre's
        m = store.purge_sessions(self.store)
        log.info("retention: %d position(s) before %s and %d session(s) deleted", n,
                 before.isoformat(timespec="seconds"), m)
        if n:
            audit_apart(self.store, "system", "prune", "positions", self.scenario_id,
                        {"rows": n, "before": before.isoformat(timespec="seconds"),
                         "keep_days": self.keep_days})
        if m:
            audit_apart(self.store, "system", "purge", "sessions", "expired or revoked",
                        {"rows": m})
        return n, m


def covering_plan(db: Store, scenario_id: int, scenario: Scenario, at: datetime,
                  but: int | None = None) -> tuple[int, str] | None:
    """(id, name) of the newest stored plan of ``scenario``'s files whose slots hold ``at``
    (naive local time), other than plan ``but``: the one a roll-over makes current."""
    return next((p for p in store.plans_covering(db, scenario_id, scenario.inputs_hash, at,
                                                 scenario.slot_minutes) if p[0] != but),
                None)


def resumable_plan(db: Store, scenario: Scenario, now: datetime
                   ) -> tuple[store.PlanSummary | None, str]:
    """The stored plan a restarted centre carries on with, and if there is none, why: the
    scenario's active plan, made from the same inputs (their hash), whose slots hold ``now``
    (naive local time). An active plan that is over, not begun, or made from other inputs is
    not carried on with, and the reason names it."""
    try:
        sc_row = store.scenario_by_name(db, scenario.name)
    except store.NotFound:
        return None, ""
    summaries = store.plan_summaries(db, sc_row.id)
    active = next((r for r in summaries if r.active), None)
    if active is None:
        return None, ""
    why = not_covering(active, scenario, now)
    if not why:
        return active, ""
    # as the running centre rolls over (Centre.roll_over): the newest stored plan of these
    # files that covers now (a review: a restart past midnight planned anew, and the day's
    # plan a planner had stored was never used)
    said = f"the active plan #{active.id} ({active.name}) {why}"
    found = covering_plan(db, sc_row.id, scenario, now)
    if found is None:
        return None, said
    return next(r for r in summaries if r.id == found[0]), said


def not_covering(row: store.PlanSummary, scenario: Scenario, now: datetime) -> str:
    """Why the stored plan ``row`` cannot be carried on with at ``now`` (naive local time):
    made from other scenario files (inputs hash), without slots, or with no slot holding
    ``now``; "" when it can."""
    if row.inputs_hash != scenario.inputs_hash:
        return "was made from other scenario files"
    if row.start is None or not row.n_slots:
        return "has no slots"
    end = row.start + timedelta(minutes=row.n_slots * scenario.slot_minutes)
    if not row.start <= now < end:
        span = f"{row.start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
        return f"runs from {span}, not now ({now:%Y-%m-%d %H:%M})"
    return ""


def builtin_centre(name: str = "ebian", *, db: Store, start: date | None = None, seed: int = 0,
                   clock: Clock = utc_now, settings: LiveSettings | None = None,
                   progress: Callable[[str], None] | None = None,
                   resume: bool = False, keep_days: float = KEEP_DAYS) -> Centre:
    """A centre on a scenario (built-in name or folder) with a plan made for ``start``
    (default: today in the scenario's time zone), stored in ``db``.

    With ``resume``, a restart carries on with the stored active plan when it was made from
    the same scenario files and its slots hold the present moment (:func:`resumable_plan`):
    nothing is planned, and the plan a planner made current stays current. Else a plan is
    made, and ``progress`` is told why the active one was not carried on with."""
    from zoneinfo import ZoneInfo

    from xunfang import scenario as scenario_mod

    say = progress or (lambda _: None)
    sc = scenario_mod.load(name)
    local_now = clock().astimezone(ZoneInfo(sc.timezone))
    if resume:
        row, why = resumable_plan(db, sc, local_now.replace(tzinfo=None))
        if row is not None:
            if why:  # the active plan is over: a stored plan of now takes over
                say(f"{why}; carrying on with {row.name!r}, the stored plan #{row.id} that "
                    "covers now, made current (no new plan made)")
            else:
                say(f"carrying on with {row.name!r}, the active plan #{row.id} (no new plan "
                    "made)")
            say("network")
            net = RoadNetwork.from_scenario(sc)
            c = Centre.resumed(sc, net, row.id, db=db, clock=clock, settings=settings,
                               keep_days=keep_days)
            if not row.active:
                c.set_current(row.id, actor="system")
            return c
        if why:
            say(f"{why}: planning anew")
    day = start or local_now.date()
    req = PlanRequest(start=day, days=1, seed=seed)
    result = build_plan(sc, req, progress=say)
    return Centre(sc, result, req, db=db, clock=clock, settings=settings,
                  keep_days=keep_days)
