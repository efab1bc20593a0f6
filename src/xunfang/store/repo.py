"""Repository functions: every read and write the web layer and the CLI make.

Each public function is one transaction (:meth:`Store.run`): it validates everything first,
raises :class:`StoreInputError` listing every problem (field, row, rule) and writes nothing,
or writes everything. Changes to scenarios, plans and rosters go to the audit log in the same
transaction.

``actor`` is the user doing the write — a :class:`UserRow` whose role is checked with
:func:`xunfang.store.auth.require` — or a string naming a trusted system actor (``"system"``,
``"cli"``, ``"serve"``) that is not checked. Returned rows are detached ORM objects whose
columns stay readable after the transaction.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, Text, delete, func, insert, select, text
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from xunfang._errors import Problem
from xunfang.plan import Plan, PlanError
from xunfang.store.audit import write_audit
from xunfang.store.auth import HasRole, _actor_name, _require_actor
from xunfang.store.db import Store
from xunfang.store.errors import Conflict, NotFound, StoreInputError, WriteFailed
from xunfang.store.models import (
    ALERT_SEVERITIES,
    UNIT_STATUSES,
    AlertRow,
    IncidentRow,
    PlanRow,
    PositionRow,
    RosterRow,
    ScenarioRow,
    StatusRow,
    UnitLastRow,
    to_utc_naive,
    utcnow,
)

Actor = HasRole | str

#: Positions or incidents farther than this outside the road network's bounding box are refused.
MARGIN_M = 5_000.0
#: Device clocks may run this far ahead of the server's before a time counts as "in the future".
CLOCK_SKEW_S = 120.0
MAX_NAME = 200
MAX_ID = 100
ID_KINDS = ("units", "posts", "grids", "zones", "rings", "sites")


def _text_problem(value: object, file: str, column: str, max_len: int, *,
                  row: int | None = None, empty_ok: bool = True) -> Problem | None:
    """Free text (names, notes) is stored verbatim, parameterised; only its shape is checked."""
    if not isinstance(value, str):
        return Problem(file, "type-text", f"{column} must be text, got "
                       f"{type(value).__name__}", row=row, column=column)
    if not empty_ok and not value.strip():
        return Problem(file, "required", f"{column} must not be empty", row=row, column=column)
    if len(value) > max_len:
        return Problem(file, "text-length", f"{column} has {len(value)} characters, at most "
                       f"{max_len} allowed", row=row, column=column)
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value) or "\x7f" in value:
        return Problem(file, "text-control", f"{column} contains control characters",
                       row=row, column=column)
    return None


def _raise(problems: list[Problem], source: str) -> None:
    if any(p.severity == "error" for p in problems):
        raise StoreInputError(problems, source=source)


def _json_path(value: object, path: str, stack: frozenset[int] = frozenset()) -> str | None:
    """Where in ``value`` the first thing JSON cannot hold is (``request.pins[0].slots``):
    an object of another type, a NaN or infinite number, a key that is no string or number,
    or a container inside itself; ``None`` when there is none."""
    if value is None or isinstance(value, str | int | bool):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if not isinstance(value, Mapping | list | tuple) or id(value) in stack:
        return path
    inner = stack | {id(value)}
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k is not None and not isinstance(k, str | int | float | bool):
                return f"{path}[{k!r}]"
            found = _json_path(v, f"{path}.{k}", inner)
            if found:
                return found
        return None
    for i, v in enumerate(value):
        found = _json_path(v, f"{path}[{i}]", inner)
        if found:
            return found
    return None


def _jsonable(value: object, file: str, column: str) -> Problem | None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        where = _json_path(value, column) or column
        return Problem(file, "json", f"{where} is not plain JSON: {exc}", column=column)
    return None


# -- scenarios ---------------------------------------------------------------------------------
def scenario_fields(scenario: Any) -> dict[str, Any]:
    """The stored fields of a loaded :class:`xunfang.scenario.Scenario`."""
    xy = scenario.roads.xy
    if len(xy):
        extent = [float(xy[:, 0].min()), float(xy[:, 1].min()),
                  float(xy[:, 0].max()), float(xy[:, 1].max())]
    else:
        extent = [0.0, 0.0, 0.0, 0.0]
    ids = {
        "units": [u.id for u in scenario.units],
        "posts": [p.id for p in scenario.posts],
        "grids": [a.id for a in scenario.areas if a.kind == "grid"],
        "zones": [a.id for a in scenario.areas if a.kind == "zone"],
        "rings": [a.id for a in scenario.areas if a.kind == "ring"],
        "sites": [s.id for s in scenario.sites],
    }
    return {"name": scenario.name, "title": scenario.title or scenario.name,
            "source": scenario.source, "inputs_hash": scenario.inputs_hash,
            "crs": scenario.crs.working, "timezone": scenario.timezone,
            "extent": extent, "ids": ids}


def register_scenario(store: Store, scenario: Any, *, actor: Actor) -> ScenarioRow:
    """Store (or refresh) a loaded scenario under its name; audited as create or update.

    A scenario already stored with the same inputs' hash is returned unchanged (no audit).
    """
    return save_scenario(store, actor=actor, **scenario_fields(scenario))


def save_scenario(store: Store, *, name: str, extent: Sequence[float],
                  ids: Mapping[str, Sequence[str]], actor: Actor, title: str = "",
                  source: str = "", inputs_hash: str = "", crs: str = "local",
                  timezone: str = "Asia/Shanghai") -> ScenarioRow:
    """Create or update the scenario called ``name`` (the lower-level form of
    :func:`register_scenario`)."""
    _require_actor(actor, "scenario.edit")
    problems = [p for p in (
        _text_problem(name, "scenario", "name", MAX_NAME, empty_ok=False),
        _text_problem(title, "scenario", "title", 400),
        _text_problem(source, "scenario", "source", 4000),
    ) if p]
    ext = list(extent)
    if len(ext) != 4 or not all(isinstance(v, int | float) and math.isfinite(v) for v in ext) \
            or ext[0] > ext[2] or ext[1] > ext[3]:
        problems.append(Problem("scenario", "extent", "extent must be 4 finite numbers "
                                f"[min_x, min_y, max_x, max_y], got {extent!r}",
                                column="extent"))
    bad_kinds = sorted(set(ids) - set(ID_KINDS))
    if bad_kinds:
        problems.append(Problem("scenario", "id-kind", f"unknown id kinds {bad_kinds}; kinds "
                                f"are {', '.join(ID_KINDS)}", column="ids"))
    try:
        ZoneInfo(timezone)
    except (ValueError, KeyError, OSError):
        problems.append(Problem("scenario", "timezone", f"unknown time zone {timezone!r}",
                                column="timezone"))
    _raise(problems, "scenario")
    clean_ids = {k: [str(v) for v in ids.get(k, ())] for k in ID_KINDS}
    fields = {"title": title or name, "source": source, "inputs_hash": inputs_hash, "crs": crs,
              "timezone": timezone, "extent": [float(v) for v in ext], "ids": clean_ids}

    def work(s: Session) -> ScenarioRow:
        row = s.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
        if row is None:
            row = ScenarioRow(name=name, created_by=_actor_name(actor), **fields)
            s.add(row)
            s.flush()
            write_audit(s, _actor_name(actor), "create", "scenario", row.id,
                        {"name": name, "inputs_hash": inputs_hash})
            return row
        changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(row, k, v)
            row.updated_at = utcnow()
            write_audit(s, _actor_name(actor), "update", "scenario", row.id,
                        {"changed": sorted(changed)})
        return row

    try:
        return store.run(work)
    except IntegrityError as exc:
        raise Conflict(f"scenario {name!r} was created at the same time; retry") from exc


def get_scenario(store: Store, scenario_id: int) -> ScenarioRow:
    row = store.run(lambda s: s.get(ScenarioRow, scenario_id))
    if row is None:
        raise NotFound("scenario", scenario_id)
    return row


def scenario_by_name(store: Store, name: str) -> ScenarioRow:
    row = store.run(lambda s: s.scalar(select(ScenarioRow).where(ScenarioRow.name == name)))
    if row is None:
        raise NotFound("scenario", name)
    return row


def list_scenarios(store: Store) -> list[ScenarioRow]:
    return list(store.run(lambda s: s.scalars(select(ScenarioRow).order_by(ScenarioRow.id))
                          .all()))


def delete_scenario(store: Store, scenario_id: int, *, actor: Actor) -> None:
    """Delete a scenario and everything stored for it (cascade); audited."""
    _require_actor(actor, "scenario.edit")

    def work(s: Session) -> None:
        row = s.get(ScenarioRow, scenario_id)
        if row is None:
            raise NotFound("scenario", scenario_id)
        for table in (StatusRow, UnitLastRow, PositionRow, AlertRow, RosterRow, PlanRow,
                      IncidentRow):
            s.execute(delete(table).where(table.scenario_id == scenario_id))
        s.delete(row)
        write_audit(s, _actor_name(actor), "delete", "scenario", scenario_id,
                    {"name": row.name})

    store.run(work)


def _scenario(s: Session, scenario_id: int) -> ScenarioRow:
    row = s.get(ScenarioRow, scenario_id)
    if row is None:
        raise NotFound("scenario", scenario_id)
    return row


def _outside(sc: ScenarioRow, x: float, y: float, margin: float) -> bool:
    x0, y0, x1, y1 = sc.extent
    return not (x0 - margin <= x <= x1 + margin and y0 - margin <= y <= y1 + margin)


def _xy_problems(sc: ScenarioRow, x: object, y: object, file: str, row: int | None,
                 margin: float) -> list[Problem]:
    out = []
    for col, v in (("x", x), ("y", y)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            out.append(Problem(file, "number", f"{col} must be a finite number, got {v!r}",
                               row=row, column=col))
    if not out and _outside(sc, float(x), float(y), margin):  # type: ignore[arg-type]
        x0, y0, x1, y1 = sc.extent
        out.append(Problem(file, "inside-jurisdiction",
                           f"position ({x}, {y}) is more than {margin:.0f} m outside the "
                           f"jurisdiction [{x0:.0f}, {y0:.0f}, {x1:.0f}, {y1:.0f}]",
                           row=row, column="x"))
    return out


# -- incidents ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class IncidentIn:
    """An incident to store: ``time`` is the scenario's naive local time; x/y in its CRS."""

    id: str
    time: datetime
    x: float
    y: float
    category: str = ""
    priority: int = 3
    note: str = ""
    # the file's own data row (header row 0) the incident was read from, which the problems
    # name; None: its place in the batch. A review: a file whose row 2 ingest had set aside
    # was refused for "row 3", its row 4 (rows counted among those kept, not the file's)
    row: int | None = None


def incidents_from_table(table: Any, rows: Sequence[int] | None = None) -> list[IncidentIn]:
    """Rows from an :class:`xunfang.intel.ingest.IncidentTable` (what the CLI's ingest gives);
    ``rows``: the file's data row of each (see :attr:`IncidentIn.row`)."""
    if rows is not None and len(rows) != len(table):
        raise ValueError(f"incidents_from_table: {len(rows)} row numbers for a table of "
                         f"{len(table)} rows")
    times = table.time.astype("datetime64[s]").astype(object)
    return [IncidentIn(id=str(table.ids[i]), time=times[i], x=float(table.x[i]),
                       y=float(table.y[i]), category=str(table.category[i]),
                       priority=int(table.priority[i]),
                       row=None if rows is None else int(rows[i])) for i in range(len(table))]


def _row_of(r: IncidentIn, i: int) -> int:
    return r.row if r.row is not None else i


def _incident_problems(sc: ScenarioRow, rows: Sequence[IncidentIn], file: str,
                       now_local: datetime, margin: float) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    future = now_local + timedelta(seconds=CLOCK_SKEW_S)
    for k, r in enumerate(rows, start=1):
        i = _row_of(r, k)
        p = _text_problem(r.id, file, "id", MAX_ID, row=i, empty_ok=False)
        if p:
            problems.append(p)
        elif r.id in seen:
            problems.append(Problem(file, "unique-id", f"id {r.id!r} repeats row {seen[r.id]}",
                                    row=i, column="id"))
        else:
            seen[r.id] = i
        if not isinstance(r.time, datetime):
            problems.append(Problem(file, "datetime", f"time must be a date and time, got "
                                    f"{r.time!r}", row=i, column="time"))
        elif r.time.replace(tzinfo=None) > future:
            problems.append(Problem(file, "not-future", f"time {r.time:%Y-%m-%d %H:%M} is in "
                                    "the future", row=i, column="time"))
        problems += _xy_problems(sc, r.x, r.y, file, i, margin)
        for col, val, n in (("category", r.category, 100), ("note", r.note, 4000)):
            p = _text_problem(val, file, col, n, row=i)
            if p:
                problems.append(p)
        if isinstance(r.priority, bool) or not isinstance(r.priority, int) \
                or not 0 <= r.priority <= 9:
            problems.append(Problem(file, "priority", f"priority must be an integer 0-9, got "
                                    f"{r.priority!r}", row=i, column="priority"))
    return problems


def _local_now(sc: ScenarioRow, now: datetime | None) -> datetime:
    t = now or datetime.now(UTC)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(ZoneInfo(sc.timezone)).replace(tzinfo=None)


def _same_incident(row: Any, r: IncidentIn) -> bool:
    """Whether a stored incident (its time, x, y, category, priority, note) is ``r`` again.
    x/y within a millimetre: a float read back from the database may differ in its last bits."""
    if not isinstance(r.time, datetime) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (r.x, r.y)):
        return False  # refused for its own fault, listed by _incident_problems
    return (row.time == r.time.replace(tzinfo=None) and abs(float(row.x) - float(r.x)) <= 1e-3
            and abs(float(row.y) - float(r.y)) <= 1e-3 and (row.category or "") == r.category
            and row.priority == r.priority and (row.note or "") == r.note)


def _xy_text(x: float, y: float) -> str:
    """A position in the working CRS to the millimetre, the precision :func:`_same_incident`
    compares to."""
    return f"{x:.3f}, {y:.3f}"


def _differences(row: Any, r: IncidentIn,
                 where: Callable[[float, float], str] | None = None) -> str:
    """What differs between a stored incident and ``r`` (one of its fields each, stored value
    first): a review found "already stored with other content (stored: ... at 332107.8,
    3236060.4, ...)" for a re-export with lon/lat rounded to 5 decimals, the stored values
    alone, rounded to 0.1 m, looking the same as the row's. ``where`` shows a position as the
    file wrote it (its lon/lat); the working CRS's x/y to the millimetre otherwise."""
    show = where or _xy_text
    out = []
    if not isinstance(r.time, datetime):
        out.append(f"time: stored {row.time:%Y-%m-%d %H:%M:%S}, this row {r.time!r}")
    elif row.time != r.time.replace(tzinfo=None):
        out.append(f"time: stored {row.time:%Y-%m-%d %H:%M:%S}, this row "
                   f"{r.time.replace(tzinfo=None):%Y-%m-%d %H:%M:%S}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
               for v in (r.x, r.y)):
        out.append(f"position: stored {show(float(row.x), float(row.y))}, this row "
                   f"{r.x!r}, {r.y!r}")
    elif (abs(float(row.x) - float(r.x)) > 1e-3 or abs(float(row.y) - float(r.y)) > 1e-3):
        dist = math.hypot(float(row.x) - float(r.x), float(row.y) - float(r.y))
        out.append(f"position {dist:,.3f} m apart: stored {show(float(row.x), float(row.y))}"
                   f", this row {show(float(r.x), float(r.y))}")
    for name, old, new in (("category", row.category or "", r.category),
                           ("priority", row.priority, r.priority),
                           ("note", row.note or "", r.note)):
        if old != new:
            out.append(f"{name}: stored {old!r}, this row {new!r}")
    return "; ".join(out)


#: what a refusal for ids already stored says of the way to import the rest
SKIP_STORED_HINT = ("skip_stored skips the ids already stored with the same content (an "
                    "export that overlaps an earlier one)")


def import_incidents(store: Store, scenario_id: int, rows: Iterable[IncidentIn], *,
                     actor: Actor, source: str = "history", file: str = "incidents",
                     now: datetime | None = None, margin_m: float = MARGIN_M,
                     skip_stored: bool = False,
                     where: Callable[[float, float], str] | None = None,
                     set_aside: int | None = None) -> int:
    """Store a batch of incidents, all or none; returns how many were stored.

    Refused (nothing stored) when any row has an empty/over-long/repeated id, an id already
    stored for the scenario, a time that is not a datetime or is in the future (scenario local
    time), a position far outside the jurisdiction, or a priority outside 0-9. ``file`` names
    the source in the problems (the uploaded file's name); each problem names the row's
    :attr:`IncidentIn.row` (the file's), or its place in the batch.

    ``skip_stored``: a row whose id is stored already with the same time, place, category,
    priority and note is left out rather than refused (weekly exports overlap: a review found
    the overlap refused the whole file); one stored with other content is refused all the
    same, naming each field that differs with the stored value and the row's (``where``: a
    position as the file wrote it, e.g. its lon/lat; x/y to the millimetre without it). The
    rows skipped are ``len(rows)`` less the number returned.

    Two imports at once: each reads the stored ids, then inserts, so the second to commit
    finds ids the first stored in the meantime (a review: two overlapping exports of 3,000
    rows sent together, 1,500 shared; one answered a bare 500, its 1,500 new rows lost).
    The unit of work is then run again, up to :data:`IMPORT_ATTEMPTS` times: it reads the
    ids the other import stored, skips them (``skip_stored``) or refuses them with the
    usual problems. A write the database refuses all the same (a constraint or trigger of
    its own) raises :class:`Conflict`, and any other failure of the database
    :class:`WriteFailed`, each naming ``file`` and saying nothing was stored.

    ``set_aside``: how many rows of the file its checks set aside before the store (the web
    import's ingest), recorded in the audit entry.
    """
    _require_actor(actor, "incident.import" if source == "history" else "incident.report")
    batch = list(rows)
    who = _actor_name(actor)

    def work(s: Session) -> int:
        sc = _scenario(s, scenario_id)
        problems = _incident_problems(sc, batch, file, _local_now(sc, now), margin_m)
        ids = [r.id for r in batch if isinstance(r.id, str)]
        stored: dict[str, Any] = {}
        for k in range(0, len(ids), 500):
            for got in s.execute(select(
                    IncidentRow.ext_id, IncidentRow.time, IncidentRow.x, IncidentRow.y,
                    IncidentRow.category, IncidentRow.priority, IncidentRow.note).where(
                    IncidentRow.scenario_id == scenario_id,
                    IncidentRow.ext_id.in_(ids[k:k + 500]))).all():
                stored[got.ext_id] = got
        new: list[IncidentIn] = []
        for i, r in enumerate(batch, start=1):
            old = stored.get(r.id) if isinstance(r.id, str) else None
            if old is None:
                new.append(r)
            elif not _same_incident(old, r):
                problems.append(Problem(
                    file, "unique-id", f"id {r.id!r} is already stored with other content "
                    f"({_differences(old, r, where)})", row=_row_of(r, i), column="id"))
            elif not skip_stored:
                problems.append(Problem(file, "unique-id", f"id {r.id!r} is already stored, "
                                        f"with the same content: {SKIP_STORED_HINT}",
                                        row=_row_of(r, i), column="id"))
        _raise(problems, file)
        if new:
            s.execute(insert(IncidentRow), [
                {"scenario_id": scenario_id, "ext_id": r.id, "time": r.time.replace(tzinfo=None),
                 "x": float(r.x), "y": float(r.y), "category": r.category,
                 "priority": r.priority, "source": source, "note": r.note,
                 "created_at": utcnow(), "created_by": who} for r in new])
        detail: dict[str, object] = {"rows": len(new), "file": file}
        if len(new) < len(batch):
            detail["skipped_stored"] = len(batch) - len(new)
        if set_aside is not None:
            detail["set_aside"] = set_aside
        write_audit(s, who, "import" if source == "history" else "report", "incidents",
                    scenario_id, detail)
        return len(new)

    for attempt in range(1, IMPORT_ATTEMPTS + 1):
        try:
            return store.run(work)
        except IntegrityError as exc:
            if attempt < IMPORT_ATTEMPTS:
                continue  # ids another import stored meanwhile: read them again
            raise Conflict(
                f"{file}: the database refused the import ({_db_reason(exc)}) after "
                f"{attempt} attempts, nothing stored; if another import of these incidents "
                "was running, send the file again") from exc
        except DBAPIError as exc:  # (lost connections are Store.run's: DatabaseUnavailable)
            raise WriteFailed(f"{file}: the database failed while storing the import "
                              f"({_db_reason(exc)}), nothing stored") from exc
    raise AssertionError("unreachable")  # (the loop returns or raises)


#: how many times :func:`import_incidents` runs its unit of work when the database refuses
#: a row as a duplicate (another import stored it meanwhile: the next run reads it); 3, as
#: one run more than two imports at once need, for a third
IMPORT_ATTEMPTS = 3


def _db_reason(exc: DBAPIError) -> str:
    """The first line of the driver's message (``UNIQUE constraint failed: incidents...``),
    without the SQL and parameters SQLAlchemy adds."""
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return (text.splitlines() or ["no reason given"])[0][:200]


def report_incident(store: Store, scenario_id: int, incident: IncidentIn, *, actor: Actor,
                    now: datetime | None = None) -> IncidentRow:
    """Store one incident reported live (``source='live'``); returns its row."""
    import_incidents(store, scenario_id, [incident], actor=actor, source="live",
                     file="incident", now=now)
    return store.run(lambda s: s.scalars(select(IncidentRow).where(
        IncidentRow.scenario_id == scenario_id, IncidentRow.ext_id == incident.id)).one())


def get_incident(store: Store, incident_id: int) -> IncidentRow:
    row = store.run(lambda s: s.get(IncidentRow, incident_id))
    if row is None:
        raise NotFound("incident", incident_id)
    return row


def list_incidents(store: Store, scenario_id: int, *, since: datetime | None = None,
                   until: datetime | None = None, source: str | None = None,
                   limit: int | None = 1000) -> list[IncidentRow]:
    """Incidents of a scenario, newest first (times are scenario local)."""
    q = select(IncidentRow).where(IncidentRow.scenario_id == scenario_id)
    if since is not None:
        q = q.where(IncidentRow.time >= since)
    if until is not None:
        q = q.where(IncidentRow.time < until)
    if source is not None:
        q = q.where(IncidentRow.source == source)
    q = q.order_by(IncidentRow.time.desc(), IncidentRow.id.desc())
    if limit is not None:
        q = q.limit(limit)
    return list(store.run(lambda s: s.scalars(q).all()))


def incident_points(store: Store, scenario_id: int, *, until: datetime | None = None
                    ) -> tuple[list[str], list[datetime], list[float], list[float], list[str]]:
    """The ids, times (scenario local), x, y and categories of a scenario's incidents before
    ``until``, as columns — what a forecast needs (the categories for scenario.toml's
    ``risk_categories``), without building a row object per incident (200,000 rows: about
    25 s as objects)."""
    q = select(IncidentRow.ext_id, IncidentRow.time, IncidentRow.x, IncidentRow.y,
               IncidentRow.category).where(IncidentRow.scenario_id == scenario_id)
    if until is not None:
        q = q.where(IncidentRow.time < until)
    rows = store.run(lambda s: s.execute(q).all())
    return ([r[0] for r in rows], [r[1] for r in rows], [float(r[2]) for r in rows],
            [float(r[3]) for r in rows], [r[4] or "" for r in rows])


def count_incidents(store: Store, scenario_id: int) -> int:
    return int(store.run(lambda s: s.scalar(select(func.count()).select_from(IncidentRow)
                                            .where(IncidentRow.scenario_id == scenario_id)))
               or 0)


# -- plans -------------------------------------------------------------------------------------
def _plan_problems(sc: ScenarioRow, plan: Plan) -> list[Problem]:
    known = {k: set(v) for k, v in sc.ids.items()}
    problems: list[Problem] = []
    if plan.scenario != sc.name:
        problems.append(Problem("plan", "same-scenario", f"the plan is for scenario "
                                f"{plan.scenario!r}, not {sc.name!r}", column="scenario"))
    if known.get("units"):
        for u in plan.units:
            if u not in known["units"]:
                problems.append(Problem("plan", "known-id", f"unit {u!r} is not in scenario "
                                        f"{sc.name!r}", column="units"))
    for i, a in enumerate(plan.assignments, start=1):
        for col, kind, val in (("post", "posts", a.post), ("grid", "grids", a.grid)):
            if val is not None and known.get(kind) and val not in known[kind]:
                problems.append(Problem("plan", "known-id", f"{col} {val!r} of unit {a.unit!r} "
                                        f"slot {a.slot} is not in scenario {sc.name!r}",
                                        row=i, column=col))
        if len(problems) > 50:
            break
    return problems


def _as_plan(plan: Plan | Mapping[str, Any]) -> Plan:
    if isinstance(plan, Plan):
        return plan
    if not isinstance(plan, Mapping):
        raise StoreInputError([Problem("plan", "json-object", "a plan must be a JSON object "
                                       f"(plan.json), got {type(plan).__name__}")],
                              source="plan")
    try:
        return Plan.from_dict(plan)
    except (PlanError, KeyError, TypeError, ValueError) as exc:
        raise StoreInputError([Problem("plan", "plan-json", f"not a valid plan.json: {exc}")],
                              source="plan") from exc


def _object_problems(value: object, column: str, what: str) -> list[Problem]:
    """``value`` must be a JSON object of plain JSON (the problem names where in it)."""
    if not isinstance(value, Mapping):
        return [Problem("plan", "json-object", f"{column} must be a JSON object ({what}), got "
                        f"{type(value).__name__}", column=column)]
    return [x for x in (_jsonable(dict(value), "plan", column),) if x]


#: plan.json's top-level fields the plans table holds in columns of their own; the others
#: (``xunfang_version``, ``scenario``) are the plan's ``header``.
PLAN_COLUMNS_OF_DOCUMENT = frozenset({"plan", "kpis", "request", "stages", "inputs_hash",
                                      "seed"})


def save_plan(store: Store, scenario_id: int, plan: Plan | Mapping[str, Any], *, actor: Actor,
              name: str = "", kpis: Mapping[str, Any] | None = None,
              request: Mapping[str, Any] | None = None,
              stages: Mapping[str, Any] | None = None,
              header: Mapping[str, Any] | None = None, activate: bool = False,
              from_plan: int | None = None) -> PlanRow:
    """Store a plan (a :class:`Plan` or its ``plan.json`` dict), with its inputs' hash and seed.

    ``request`` is plan.json's ``request`` (first day, days, the planner's pins, the non-default
    deployment options: what ``xunfang replan`` plans from), ``stages`` its ``stages`` (the
    posture, checkpoints, routes, risk: what a re-plan and the report read) and ``header`` its
    other top-level fields (``xunfang_version``, ``scenario``; not those the table holds in
    columns, :data:`PLAN_COLUMNS_OF_DOCUMENT`); ``None`` stores one as not recorded. Refused
    when the plan.json is malformed, is for another scenario, or names units, posts or grids
    the scenario does not have, or when ``request``, ``stages`` or ``header`` is not a JSON
    object of plain JSON (the problem names where in it). ``activate`` makes it the scenario's
    active plan. ``from_plan``: the plan it re-plans; such a plan takes over by itself at a
    roll-over (:func:`plans_covering`) only once it has been active. Audited as ``create``.
    """
    _require_actor(actor, "plan.edit")
    p = _as_plan(plan)
    problems = [x for x in (_text_problem(name, "plan", "name", MAX_NAME),) if x]
    if kpis is not None:
        problems += [x for x in (_jsonable(dict(kpis), "plan", "kpis"),) if x]
    if request is not None:
        problems += _object_problems(request, "request", "plan.json's request")
    if stages is not None:
        problems += _object_problems(stages, "stages", "plan.json's stages")
    if header is not None:
        problems += _object_problems(header, "header", "plan.json's top-level fields")
        if isinstance(header, Mapping):
            kept = sorted(str(k) for k in set(header) & PLAN_COLUMNS_OF_DOCUMENT)
            if kept:
                problems.append(Problem(
                    "plan", "header-field", f"header must not hold {', '.join(kept)}: the "
                    "plans table keeps them in columns of their own", column="header"))
    content = p.as_dict()
    who = _actor_name(actor)

    def work(s: Session) -> PlanRow:
        sc = _scenario(s, scenario_id)
        _raise(problems + _plan_problems(sc, p), "plan")
        row = PlanRow(scenario_id=scenario_id, name=name, inputs_hash=p.inputs_hash,
                      seed=p.seed, version=p.version,
                      start=p.slots[0].start if p.slots else None,
                      slot_minutes=p.slots[0].minutes if p.slots else None,
                      n_slots=len(p.slots), content=content,
                      kpis=dict(kpis) if kpis is not None else None,
                      request=dict(request) if request is not None else None,
                      stages=dict(stages) if stages is not None else None,
                      header=dict(header) if header is not None else None,
                      from_plan=from_plan, takes_over=from_plan is None,
                      created_by=who, updated_by=who)
        s.add(row)
        s.flush()
        if activate:
            _activate(s, row)
        write_audit(s, who, "create", "plan", row.id,
                    {"name": name, "inputs_hash": p.inputs_hash, "seed": p.seed,
                     "active": activate,
                     **({"from_plan": from_plan} if from_plan is not None else {})})
        return row

    return store.run(work)


def _activate(s: Session, row: PlanRow) -> None:
    for other in s.scalars(select(PlanRow).where(PlanRow.scenario_id == row.scenario_id,
                                                 PlanRow.active.is_(True))):
        other.active = False
    row.active = True
    row.takes_over = True  # chosen once, a re-plan may take over again by itself


def get_plan(store: Store, plan_id: int) -> PlanRow:
    row = store.run(lambda s: s.get(PlanRow, plan_id))
    if row is None:
        raise NotFound("plan", plan_id)
    return row


def load_plan(row: PlanRow) -> Plan:
    """The :class:`Plan` a stored row holds."""
    return Plan.from_dict(row.content)


def list_plans(store: Store, scenario_id: int | None = None) -> list[PlanRow]:
    """Plans, newest first (with their content)."""
    q = select(PlanRow)
    if scenario_id is not None:
        q = q.where(PlanRow.scenario_id == scenario_id)
    q = q.order_by(PlanRow.created_at.desc(), PlanRow.id.desc())
    return list(store.run(lambda s: s.scalars(q).all()))


@dataclass(frozen=True)
class PlanSummary:
    """A stored plan's listing fields, without its content, KPIs, request or stages."""

    id: int
    name: str
    start: datetime | None
    n_slots: int
    seed: int
    inputs_hash: str
    active: bool
    created_at: datetime
    created_by: str
    has_stages: bool  # its plan.json's stages are stored (it can be re-planned)
    from_plan: int | None = None  # the plan it re-plans
    takes_over: bool = True  # a roll-over may make it current by itself


def plan_summaries(store: Store, scenario_id: int | None = None) -> list[PlanSummary]:
    """Plans, newest first, as :class:`PlanSummary` rows: the listing reads a few columns, not
    the plans' JSON (a county plan with its stages is some 700 KB; a year of daily plans
    would be parsed on every listing)."""
    # stages holds SQL NULL (not recorded) or JSON null (saved without) when a plan has none
    stored = func.coalesce(func.length(sa_cast(PlanRow.stages, Text)), 0) > len("null")
    q = select(PlanRow.id, PlanRow.name, PlanRow.start, PlanRow.n_slots, PlanRow.seed,
               PlanRow.inputs_hash, PlanRow.active, PlanRow.created_at, PlanRow.created_by,
               stored, PlanRow.from_plan, PlanRow.takes_over)
    if scenario_id is not None:
        q = q.where(PlanRow.scenario_id == scenario_id)
    q = q.order_by(PlanRow.created_at.desc(), PlanRow.id.desc())
    return [PlanSummary(*r[:9], has_stages=bool(r[9]), from_plan=r[10],
                        takes_over=bool(r[11]))
            for r in store.run(lambda s: s.execute(q).all())]


def plans_covering(store: Store, scenario_id: int, inputs_hash: str, at: datetime,
                   slot_minutes: int) -> list[tuple[int, str]]:
    """(id, name) of the scenario's plans made from inputs ``inputs_hash`` whose slots hold
    ``at`` (naive local time) and that may take over by themselves (not a re-plan no planner
    has made current: ``takes_over``), newest first. Reads four columns of the plans begun by
    ``at``, not their documents: the centre asks every few seconds while no plan covers now
    (a review: plan_summaries read every stored stages document, 0.5 s with a year of
    county plans)."""
    q = (select(PlanRow.id, PlanRow.name, PlanRow.start, PlanRow.n_slots)
         .where(PlanRow.scenario_id == scenario_id, PlanRow.inputs_hash == inputs_hash,
                PlanRow.start <= at, PlanRow.takes_over.is_(True))
         .order_by(PlanRow.created_at.desc(), PlanRow.id.desc()))
    rows = store.run(lambda s: s.execute(q).all())
    return [(int(i), str(n)) for i, n, start, k in rows
            if start is not None and at < start + timedelta(minutes=int(k) * slot_minutes)]


def active_plan(store: Store, scenario_id: int) -> PlanRow | None:
    """The scenario's active plan, else its newest, else ``None``."""
    def work(s: Session) -> PlanRow | None:
        base = select(PlanRow).where(PlanRow.scenario_id == scenario_id)
        row = s.scalar(base.where(PlanRow.active.is_(True)))
        return row or s.scalar(base.order_by(PlanRow.id.desc()).limit(1))
    return store.run(work)


def update_plan(store: Store, plan_id: int, *, actor: Actor, name: str | None = None,
                plan: Plan | Mapping[str, Any] | None = None,
                kpis: Mapping[str, Any] | None = None, activate: bool | None = None) -> PlanRow:
    """Change a stored plan's name, content, KPIs or active flag; audited with what changed.

    New content drops the stored stages and header (they describe the plan replaced)."""
    _require_actor(actor, "plan.edit")
    problems: list[Problem] = []
    if name is not None:
        problems += [x for x in (_text_problem(name, "plan", "name", MAX_NAME),) if x]
    if kpis is not None:
        problems += [x for x in (_jsonable(dict(kpis), "plan", "kpis"),) if x]
    p = _as_plan(plan) if plan is not None else None
    who = _actor_name(actor)

    def work(s: Session) -> PlanRow:
        row = s.get(PlanRow, plan_id)
        if row is None:
            raise NotFound("plan", plan_id)
        more = _plan_problems(_scenario(s, row.scenario_id), p) if p is not None else []
        _raise(problems + more, "plan")
        changed: list[str] = []
        if name is not None and name != row.name:
            row.name = name
            changed.append("name")
        if p is not None:
            row.content = p.as_dict()
            row.inputs_hash, row.seed, row.version = p.inputs_hash, p.seed, p.version
            row.n_slots = len(p.slots)
            row.start = p.slots[0].start if p.slots else None
            row.slot_minutes = p.slots[0].minutes if p.slots else None
            changed.append("content")
            if row.stages is not None or row.header is not None:
                # they describe the plan that was: a re-plan must not read another plan's
                # posture as this one's (NULL: not recorded)
                row.stages = row.header = None
                changed.append("stages")
        if kpis is not None:
            row.kpis = dict(kpis)
            changed.append("kpis")
        if activate is not None and activate != row.active:
            if activate:
                _activate(s, row)
            else:
                row.active = False
            changed.append("active")
        if changed:
            row.updated_at = utcnow()
            row.updated_by = who
            write_audit(s, who, "update", "plan", row.id, {"changed": changed})
        return row

    return store.run(work)


def delete_plan(store: Store, plan_id: int, *, actor: Actor) -> None:
    _require_actor(actor, "plan.edit")

    def work(s: Session) -> None:
        row = s.get(PlanRow, plan_id)
        if row is None:
            raise NotFound("plan", plan_id)
        s.delete(row)
        write_audit(s, _actor_name(actor), "delete", "plan", plan_id, {"name": row.name})

    store.run(work)


# -- rosters -----------------------------------------------------------------------------------
def save_roster(store: Store, scenario_id: int, content: Mapping[str, Any], *, actor: Actor,
                plan_id: int | None = None, name: str = "") -> RosterRow:
    """Store a roster document (RosterResult's JSON dict); audited as ``create``."""
    _require_actor(actor, "roster.edit")
    problems = [x for x in (_text_problem(name, "roster", "name", MAX_NAME),) if x]
    if not isinstance(content, Mapping):
        problems.append(Problem("roster", "json-object", "a roster must be a JSON object, got "
                                f"{type(content).__name__}", column="content"))
    else:
        problems += [x for x in (_jsonable(dict(content), "roster", "content"),) if x]
    who = _actor_name(actor)

    def work(s: Session) -> RosterRow:
        _scenario(s, scenario_id)
        if plan_id is not None:
            plan = s.get(PlanRow, plan_id)
            if plan is None or plan.scenario_id != scenario_id:
                problems.append(Problem("roster", "known-id", f"plan {plan_id!r} is not a plan "
                                        f"of scenario {scenario_id}", column="plan_id"))
        _raise(problems, "roster")
        row = RosterRow(scenario_id=scenario_id, plan_id=plan_id, name=name,
                        content=dict(content), created_by=who, updated_by=who)
        s.add(row)
        s.flush()
        write_audit(s, who, "create", "roster", row.id, {"name": name, "plan_id": plan_id})
        return row

    return store.run(work)


def get_roster(store: Store, roster_id: int) -> RosterRow:
    row = store.run(lambda s: s.get(RosterRow, roster_id))
    if row is None:
        raise NotFound("roster", roster_id)
    return row


def list_rosters(store: Store, scenario_id: int, *, plan_id: int | None = None
                 ) -> list[RosterRow]:
    q = select(RosterRow).where(RosterRow.scenario_id == scenario_id)
    if plan_id is not None:
        q = q.where(RosterRow.plan_id == plan_id)
    return list(store.run(lambda s: s.scalars(q.order_by(RosterRow.id.desc())).all()))


def update_roster(store: Store, roster_id: int, content: Mapping[str, Any], *, actor: Actor,
                  name: str | None = None) -> RosterRow:
    """Replace a roster's content (and name); audited as ``update``."""
    _require_actor(actor, "roster.edit")
    problems = []
    if name is not None:
        problems += [x for x in (_text_problem(name, "roster", "name", MAX_NAME),) if x]
    if not isinstance(content, Mapping):
        problems.append(Problem("roster", "json-object", "a roster must be a JSON object",
                                column="content"))
    else:
        problems += [x for x in (_jsonable(dict(content), "roster", "content"),) if x]
    _raise(problems, "roster")
    who = _actor_name(actor)

    def work(s: Session) -> RosterRow:
        row = s.get(RosterRow, roster_id)
        if row is None:
            raise NotFound("roster", roster_id)
        row.content = dict(content)
        if name is not None:
            row.name = name
        row.updated_at = utcnow()
        row.updated_by = who
        write_audit(s, who, "update", "roster", row.id, None)
        return row

    return store.run(work)


def delete_roster(store: Store, roster_id: int, *, actor: Actor) -> None:
    _require_actor(actor, "roster.edit")

    def work(s: Session) -> None:
        row = s.get(RosterRow, roster_id)
        if row is None:
            raise NotFound("roster", roster_id)
        s.delete(row)
        write_audit(s, _actor_name(actor), "delete", "roster", roster_id, None)

    store.run(work)


# -- live positions and status ------------------------------------------------------------------
@dataclass(frozen=True)
class PositionIn:
    """One reported position: ``t`` aware (converted to UTC) or naive UTC; x/y in the scenario's
    working CRS (metres)."""

    unit: str
    t: datetime
    x: float
    y: float
    speed_kph: float | None = None
    heading: float | None = None


@dataclass(frozen=True)
class PositionsStored:
    """What :func:`store_positions` did with a batch: ``stored`` positions written, and the
    1-based rows it skipped as exact duplicates (``duplicates``: a fix already stored, or
    given earlier in the batch; a gateway's retry of a batch it sent is answered so)."""

    stored: int
    duplicates: tuple[int, ...] = ()
    #: the 1-based rows written, in the batch's order
    rows: tuple[int, ...] = ()


#: two fixes of a unit at one time are the same fix when their places are this close (metres)
SAME_FIX_M = 0.001


def _same_fix(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether (x, y, speed_kph, heading) ``a`` and ``b`` are one fix (sent twice)."""
    if abs(float(a[0]) - float(b[0])) > SAME_FIX_M or abs(float(a[1]) - float(b[1])) > SAME_FIX_M:
        return False
    for u, v in zip(a[2:], b[2:], strict=True):
        if (u is None) != (v is None) or (u is not None and not math.isclose(
                float(u), float(v), rel_tol=1e-9, abs_tol=1e-9)):
            return False
    return True


def _lock_units(s: Session, is_sqlite: bool, scenario_id: int, units: Iterable[str]) -> None:
    """Serialise the batches that write a unit's positions: each checks its times against
    what the others stored. PostgreSQL: one transaction-level advisory lock per unit, taken
    in one order (sorted keys) by every batch, so two batches sharing units wait for each
    other and never deadlock (a review: 24 gateways at once, each with every unit in its own
    order, deadlocked in the upsert of unit_last and got 503 after 4 attempts). SQLite
    writes one transaction at a time: its write lock is taken first (a no-op update), before
    the last positions are read, not at the insert after them."""
    if is_sqlite:
        s.execute(text("UPDATE unit_last SET t = t WHERE 1 = 0"))
        return
    keys = sorted({zlib.crc32(u.encode("utf-8")) - 2**31 for u in units})
    if keys:
        s.execute(text("SELECT count(pg_advisory_xact_lock(:sid, k)) "
                       "FROM unnest(CAST(:keys AS integer[])) AS k"),
                  {"sid": scenario_id, "keys": keys})


def record_positions(store: Store, scenario_id: int, positions: Sequence[PositionIn], *,
                     actor: Actor, source: str = "", now: datetime | None = None,
                     margin_m: float = MARGIN_M) -> int:
    """Store a batch of positions, all or none; returns how many were stored (exact
    duplicates are skipped: :func:`store_positions`)."""
    return store_positions(store, scenario_id, positions, actor=actor, source=source,
                           now=now, margin_m=margin_m).stored


def store_positions(store: Store, scenario_id: int, positions: Sequence[PositionIn], *,
                    actor: Actor, source: str = "", now: datetime | None = None,
                    margin_m: float = MARGIN_M) -> PositionsStored:
    """Store a batch of positions, all or none.

    Refused (with every problem: row, field, rule) for a unit the scenario does not have, a
    position more than ``margin_m`` outside the jurisdiction, a time in the future (beyond
    :data:`CLOCK_SKEW_S` of clock skew), times out of order (within a unit's reports in the
    batch, or before the unit's last stored position), or a second, different fix of a unit
    at a time it already has one ("same-time"), in the batch or stored. An exact duplicate
    (same unit, time, place, speed and heading) of a fix stored or given earlier in the
    batch is skipped, not stored again: a gateway re-sending a batch is answered as the
    first time. Batches sharing units are serialised (:func:`_lock_units`), so the checks
    hold under concurrency as they do one after the other.
    """
    _require_actor(actor, "position.post")
    file = "positions"
    t_now = to_utc_naive(now) if now is not None else utcnow()
    future = t_now + timedelta(seconds=CLOCK_SKEW_S)
    src = source[:100]

    def work(s: Session) -> PositionsStored:
        sc = _scenario(s, scenario_id)
        units = set(sc.ids.get("units", ()))
        problems: list[Problem] = []
        last: dict[str, tuple[datetime, int]] = {}
        #: the batch's fixes by (unit, time): the first row and its (x, y, speed, heading)
        given: dict[tuple[str, datetime], tuple[int, tuple[Any, ...]]] = {}
        values: list[tuple[int, dict[str, Any]]] = []
        duplicates: list[int] = []
        received = utcnow()
        for i, p in enumerate(positions, start=1):
            ok = True
            if not isinstance(p.unit, str) or (units and p.unit not in units):
                problems.append(Problem(file, "known-id", f"unit {p.unit!r} is not a unit of "
                                        f"scenario {sc.name!r}", row=i, column="unit"))
                ok = False
            if not isinstance(p.t, datetime):
                problems.append(Problem(file, "datetime", f"t must be a date and time, got "
                                        f"{p.t!r}", row=i, column="t"))
                ok = False
            xy = _xy_problems(sc, p.x, p.y, file, i, margin_m)
            problems += xy
            for col, v in (("speed_kph", p.speed_kph), ("heading", p.heading)):
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)
                                      or not math.isfinite(v) or v < 0):
                    problems.append(Problem(file, "number", f"{col} must be a non-negative "
                                            f"number, got {v!r}", row=i, column=col))
            if not ok:
                continue
            t = to_utc_naive(p.t)
            if t > future:
                problems.append(Problem(file, "not-future", f"t {t:%Y-%m-%d %H:%M:%S} UTC is "
                                        "in the future", row=i, column="t"))
            prev = last.get(p.unit)
            if prev is not None and t < prev[0]:
                problems.append(Problem(file, "time-order", f"t of unit {p.unit!r} is before "
                                        f"its report in row {prev[1]}", row=i, column="t"))
            last[p.unit] = (t, i)
            if xy:
                continue
            fix = (p.x, p.y, p.speed_kph, p.heading)
            first = given.get((p.unit, t))
            if first is not None:
                if _same_fix(first[1], fix):
                    duplicates.append(i)
                else:
                    problems.append(Problem(
                        file, "same-time", f"unit {p.unit!r} has another position at "
                        f"{t:%Y-%m-%d %H:%M:%S.%f} UTC in row {first[0]}", row=i, column="t"))
                continue
            given[(p.unit, t)] = (i, fix)
            values.append((i, {"scenario_id": scenario_id, "unit": p.unit, "t": t,
                               "x": float(p.x), "y": float(p.y),
                               "speed_kph": p.speed_kph, "heading": p.heading,
                               "source": src, "received_at": received}))
        _lock_units(s, store.is_sqlite, scenario_id, last)
        stored_last = dict(s.execute(
            select(UnitLastRow.unit, UnitLastRow.t)
            .where(UnitLastRow.scenario_id == scenario_id,
                   UnitLastRow.unit.in_(list(last)))).all()) if last else {}
        # the batch's fixes at or before their unit's last stored one: each either stored
        # already (a duplicate, skipped) or refused
        old = [(i, r) for i, r in values
               if r["unit"] in stored_last and r["t"] <= stored_last[r["unit"]]]
        have = _stored_fixes(s, scenario_id, [(r["unit"], r["t"]) for _, r in old])
        skip: set[int] = set()
        for i, r in old:
            u, t = r["unit"], r["t"]
            there = have.get((u, t), [])
            fix = (r["x"], r["y"], r["speed_kph"], r["heading"])
            if any(_same_fix(f, fix) for f in there):
                skip.add(i)
            elif there:
                problems.append(Problem(
                    file, "same-time", f"unit {u!r} has another position stored at "
                    f"{t:%Y-%m-%d %H:%M:%S.%f} UTC", row=i, column="t"))
            else:
                problems.append(Problem(
                    file, "time-order", f"t of unit {u!r} is before its last stored "
                    f"position ({stored_last[u]:%Y-%m-%d %H:%M:%S} UTC)", row=i, column="t"))
        _raise(problems, file)
        rows = [(i, r) for i, r in values if i not in skip]
        if rows:
            conn = s.connection()  # Core executemany: the ORM's bulk layer adds nothing here
            conn.execute(insert(_POSITIONS), [r for _, r in rows])
            newest = {r["unit"]: r for _, r in rows}  # times never go back within a unit
            _upsert_last(s, store.is_sqlite, [newest[u] for u in sorted(newest)])
        return PositionsStored(stored=len(rows), duplicates=tuple(sorted([*duplicates, *skip])),
                               rows=tuple(i for i, _ in rows))

    return store.run(work)


def _stored_fixes(s: Session, scenario_id: int, keys: Sequence[tuple[str, datetime]]
                  ) -> dict[tuple[str, datetime], list[tuple[Any, ...]]]:
    """The stored fixes (x, y, speed_kph, heading) of each (unit, time) of ``keys``."""
    out: dict[tuple[str, datetime], list[tuple[Any, ...]]] = {}
    by_unit: dict[str, list[datetime]] = {}
    for u, t in keys:
        by_unit.setdefault(u, []).append(t)
    for u, ts in sorted(by_unit.items()):
        times = sorted(set(ts))
        for k in range(0, len(times), 500):
            part = times[k:k + 500]
            q = select(PositionRow.t, PositionRow.x, PositionRow.y, PositionRow.speed_kph,
                       PositionRow.heading).where(
                PositionRow.scenario_id == scenario_id, PositionRow.unit == u,
                PositionRow.t.in_(part))
            for t, x, y, sp, hd in s.execute(q).all():
                out.setdefault((u, t), []).append((x, y, sp, hd))
    return out


_POSITIONS = cast(Table, PositionRow.__table__)
_UNIT_LAST = cast(Table, UnitLastRow.__table__)
_LAST_COLS = ("t", "x", "y", "speed_kph", "heading", "source", "received_at")
_upserts: dict[bool, Any] = {}


def _upsert_last(s: Session, is_sqlite: bool, rows: list[dict[str, Any]]) -> None:
    """Insert or move forward each unit's row of ``unit_last`` (never backwards in time)."""
    stmt = _upserts.get(is_sqlite)
    if stmt is None:  # built once per dialect: building it costs more than running it
        ins = (sqlite_insert if is_sqlite else pg_insert)(_UNIT_LAST)
        stmt = _upserts[is_sqlite] = ins.on_conflict_do_update(
            index_elements=["scenario_id", "unit"],
            set_={c: getattr(ins.excluded, c) for c in _LAST_COLS},
            where=ins.table.c.t <= ins.excluded.t)
    s.connection().execute(stmt, [{k: r[k] for k in ("scenario_id", "unit", *_LAST_COLS)}
                                  for r in rows])


def latest_positions(store: Store, scenario_id: int) -> list[UnitLastRow]:
    """Each unit's last stored position (``unit``, ``t`` naive UTC, ``x``, ``y``,
    ``speed_kph``, ``heading``, ``source``), by unit id."""
    q = (select(UnitLastRow).where(UnitLastRow.scenario_id == scenario_id)
         .order_by(UnitLastRow.unit))
    return list(store.run(lambda s: s.scalars(q).all()))


def prune_positions(store: Store, scenario_id: int, before: datetime) -> int:
    """Delete the position history older than ``before`` (aware or naive UTC), keeping each
    unit's last position (``unit_last``); returns how many rows went. For a retention rule."""
    cut = to_utc_naive(before)

    def work(s: Session) -> int:
        # unit by unit, so each delete is a range of the (scenario_id, unit, t) index: one
        # delete over the scenario scanned every row of it (a review: 0.81 s per 3 million
        # rows an hour, deleting nothing, holding SQLite's write lock). Every unit with a
        # position has a unit_last row (record_positions keeps it in the same transaction).
        units = s.scalars(select(UnitLastRow.unit).where(
            UnitLastRow.scenario_id == scenario_id)).all()
        gone = 0
        for unit in units:
            res = s.execute(delete(PositionRow).where(PositionRow.scenario_id == scenario_id,
                                                      PositionRow.unit == unit,
                                                      PositionRow.t < cut))
            gone += int(getattr(res, "rowcount", 0) or 0)
        return gone

    return store.run(work)


def position_history(store: Store, scenario_id: int, unit: str, *,
                     since: datetime | None = None, until: datetime | None = None,
                     limit: int = 10_000, newest_first: bool = False) -> list[PositionRow]:
    """A unit's positions in time order (``since``/``until`` aware or naive UTC); with
    ``newest_first``, newest first, so that ``limit`` keeps the most recent rows (a restart
    replays the recent end of a track: oldest first, a fix every 2 s kept only the first
    2 h 47 min of 3 hours, and the unit's position was restored 13 minutes old)."""
    q = select(PositionRow).where(PositionRow.scenario_id == scenario_id,
                                  PositionRow.unit == unit)
    if since is not None:
        q = q.where(PositionRow.t >= to_utc_naive(since))
    if until is not None:
        q = q.where(PositionRow.t < to_utc_naive(until))
    if newest_first:
        q = q.order_by(PositionRow.t.desc(), PositionRow.id.desc())
    else:
        q = q.order_by(PositionRow.t, PositionRow.id)
    q = q.limit(limit)
    return list(store.run(lambda s: s.scalars(q).all()))


def record_status(store: Store, scenario_id: int, unit: str, status: str, *, actor: Actor,
                  t: datetime | None = None, incident_id: int | None = None, note: str = "",
                  now: datetime | None = None) -> StatusRow:
    """Record a unit's new status (one of :data:`UNIT_STATUSES`)."""
    _require_actor(actor, "status.post")
    file = "status"
    t_now = to_utc_naive(now) if now is not None else utcnow()
    when = to_utc_naive(t) if t is not None else t_now
    who = _actor_name(actor)

    def work(s: Session) -> StatusRow:
        sc = _scenario(s, scenario_id)
        problems: list[Problem] = []
        units = set(sc.ids.get("units", ()))
        if not isinstance(unit, str) or (units and unit not in units):
            problems.append(Problem(file, "known-id", f"unit {unit!r} is not a unit of "
                                    f"scenario {sc.name!r}", column="unit"))
        if status not in UNIT_STATUSES:
            problems.append(Problem(file, "status-known", f"status {status!r} is not one of "
                                    f"{', '.join(UNIT_STATUSES)}", column="status"))
        if when > t_now + timedelta(seconds=CLOCK_SKEW_S):
            problems.append(Problem(file, "not-future", f"t {when:%Y-%m-%d %H:%M:%S} UTC is in "
                                    "the future", column="t"))
        p = _text_problem(note, file, "note", 4000)
        if p:
            problems.append(p)
        if incident_id is not None:
            inc = s.get(IncidentRow, incident_id)
            if inc is None or inc.scenario_id != scenario_id:
                problems.append(Problem(file, "known-id", f"incident {incident_id!r} is not an "
                                        f"incident of scenario {sc.name!r}",
                                        column="incident_id"))
        if not problems:
            last = s.scalar(select(func.max(StatusRow.t)).where(
                StatusRow.scenario_id == scenario_id, StatusRow.unit == unit))
            if last is not None and when < last:
                problems.append(Problem(file, "time-order", f"t is before the unit's last "
                                        f"status ({last:%Y-%m-%d %H:%M:%S} UTC)", column="t"))
        _raise(problems, file)
        row = StatusRow(scenario_id=scenario_id, unit=unit, t=when, status=status,
                        incident_id=incident_id, note=note, created_by=who)
        s.add(row)
        s.flush()
        return row

    return store.run(work)


def latest_status(store: Store, scenario_id: int) -> dict[str, StatusRow]:
    """Each unit's current status, by unit id (units never reported are absent)."""
    def work(s: Session) -> dict[str, StatusRow]:
        last = (select(func.max(StatusRow.id)).where(StatusRow.scenario_id == scenario_id)
                .group_by(StatusRow.unit)).scalar_subquery()
        return {r.unit: r for r in s.scalars(select(StatusRow).where(StatusRow.id.in_(last)))}
    return store.run(work)


# -- alerts ------------------------------------------------------------------------------------
def raise_alert(store: Store, scenario_id: int, kind: str, subject: str, *, message: str,
                severity: str = "warning", data: Mapping[str, Any] | None = None,
                at: datetime | None = None) -> tuple[AlertRow, bool]:
    """Open an alert, unless one of the same ``kind`` and ``subject`` is open already.

    Returns ``(alert, created)``: ``created`` is False when the open one was returned (so the
    caller pushes only new alerts to browsers).
    """
    problems = [x for x in (
        _text_problem(kind, "alert", "kind", 50, empty_ok=False),
        _text_problem(subject, "alert", "subject", 200, empty_ok=False),
        _text_problem(message, "alert", "message", 4000),
        _jsonable(dict(data) if data else None, "alert", "data"),
    ) if x]
    if severity not in ALERT_SEVERITIES:
        problems.append(Problem("alert", "severity", f"severity {severity!r} is not one of "
                                f"{', '.join(ALERT_SEVERITIES)}", column="severity"))
    _raise(problems, "alert")

    def work(s: Session) -> tuple[AlertRow, bool]:
        _scenario(s, scenario_id)
        row = s.scalar(select(AlertRow).where(
            AlertRow.scenario_id == scenario_id, AlertRow.kind == kind,
            AlertRow.subject == subject, AlertRow.cleared_at.is_(None)))
        if row is not None:
            return row, False
        row = AlertRow(scenario_id=scenario_id, kind=kind, subject=subject, severity=severity,
                       message=message, data=dict(data) if data else None,
                       raised_at=to_utc_naive(at) if at else utcnow())
        s.add(row)
        s.flush()
        return row, True

    return store.run(work)


def clear_alert(store: Store, scenario_id: int, kind: str, subject: str, *,
                at: datetime | None = None) -> AlertRow | None:
    """Close the open alert of ``kind`` and ``subject`` (the condition has passed)."""
    def work(s: Session) -> AlertRow | None:
        row = s.scalar(select(AlertRow).where(
            AlertRow.scenario_id == scenario_id, AlertRow.kind == kind,
            AlertRow.subject == subject, AlertRow.cleared_at.is_(None)))
        if row is not None:
            row.cleared_at = to_utc_naive(at) if at else utcnow()
        return row
    return store.run(work)


def acknowledge_alert(store: Store, alert_id: int, *, actor: Actor,
                      scenario_id: int | None = None) -> AlertRow:
    """Mark an alert as seen by ``actor`` (it stays open until cleared); audited. The first
    acknowledgement is kept: acknowledging it again changes nothing (no audit entry) and
    returns the row with who acknowledged it first and when (a review: a planner's ack was
    overwritten by the admin's). It is set by one conditional UPDATE, so of two at once one
    wins on PostgreSQL too. With ``scenario_id`` an alert of another scenario is
    :class:`NotFound` (a review: the centre of one scenario acknowledged another's)."""
    from sqlalchemy import update

    _require_actor(actor, "alert.ack")
    who = _actor_name(actor)

    def work(s: Session) -> AlertRow:
        row = s.get(AlertRow, alert_id)
        if row is None:
            raise NotFound("alert", alert_id)
        if scenario_id is not None and row.scenario_id != scenario_id:
            raise NotFound("alert of this scenario", alert_id)  # (as Centre.entry's plans)
        done = s.execute(update(AlertRow)
                         .where(AlertRow.id == alert_id, AlertRow.acknowledged_by.is_(None))
                         .values(acknowledged_by=who, acknowledged_at=utcnow())
                         .execution_options(synchronize_session=False))
        if getattr(done, "rowcount", 0) == 1:
            write_audit(s, who, "acknowledge", "alert", row.id, None)
        s.refresh(row)
        return row

    return store.run(work)


def list_alerts(store: Store, scenario_id: int, *, open_only: bool = True, after_id: int = 0,
                limit: int = 500) -> list[AlertRow]:
    """Alerts in the order raised; ``after_id`` gives only newer ones (for server-sent events)."""
    q = select(AlertRow).where(AlertRow.scenario_id == scenario_id, AlertRow.id > after_id)
    if open_only:
        q = q.where(AlertRow.cleared_at.is_(None))
    q = q.order_by(AlertRow.id).limit(limit)
    return list(store.run(lambda s: s.scalars(q).all()))
