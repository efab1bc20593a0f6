"""Incidents: reported one by one (with dispatch suggestions) or imported in bulk."""

from __future__ import annotations

import logging
import math
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang._errors import XunfangError
from xunfang.intel.ingest import OUTSIDE_RULE  # (loaded already: the risk router's stage)
from xunfang.store.audit import audit_apart
from xunfang.web.centre import Centre, local_iso
from xunfang.web.deps import CentreDep, Reader, UserDep, forbidden, require
from xunfang.web.i18n import WORDS

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Reporter = Annotated[store.UserRow, Depends(require("incident.report"))]
log = logging.getLogger(__name__)
# (.xls: a records system's "export to Excel", whatever it holds; .txt: Excel's Unicode text)
UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".gpkg",
                   ".kml", ".zip")


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lon: float | None = Field(None, allow_inf_nan=False)
    lat: float | None = Field(None, allow_inf_nan=False)
    x: float | None = Field(None, allow_inf_nan=False)
    y: float | None = Field(None, allow_inf_nan=False)
    t: datetime | None = Field(None, description=(
        "when it happened (default: now), ISO 8601, best with its UTC offset; a time without "
        "an offset is read as the scenario's local time (its time zone, e.g. Asia/Shanghai), "
        "as incidents are kept and shown"))
    # the import's rule (the store's: text up to 100 characters, no control characters), so a
    # category an import stored can be reported live (a review: the form offered imported
    # categories it then refused for holding "&" or quotes); the pages escape every text
    category: str = Field("other", min_length=1, max_length=100,
                          pattern=r"^[^\x00-\x1f\x7f]+$")
    priority: int = Field(2, ge=1, le=3)
    k: int = Field(3, ge=1, le=20)


def locate(c: Centre, lon: float | None, lat: float | None, x: float | None,
           y: float | None) -> tuple[float, float]:
    """A point in the working CRS, or 422 naming the rule."""
    has_ll = lon is not None or lat is not None
    has_xy = x is not None or y is not None
    if has_ll == has_xy:
        raise HTTPException(422, "give lon and lat, or x and y (one pair)")
    if has_ll:
        if lon is None or lat is None:
            raise HTTPException(422, "lon and lat go together")
        if c.live.projector is None:
            raise HTTPException(422, "this scenario is in a local planar CRS: give x and y")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise HTTPException(422, f"not a longitude/latitude: {lon}, {lat}")
        px, py = c.live.projector.to_xy(np.array([lon]), np.array([lat]))
        xy = (float(px[0]), float(py[0]))
    else:
        if x is None or y is None:
            raise HTTPException(422, "x and y go together")
        xy = (x, y)
    x0, y0, x1, y1 = c.live.bounds
    if not (x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1):
        raise HTTPException(422, f"outside the jurisdiction (more than "
                                 f"{c.live.settings.outside_margin_m:g} m beyond its roads)")
    return xy


def _row_json(c: Centre, r: store.IncidentRow) -> dict[str, object]:
    lon = lat = None
    if c.live.projector is not None:
        lo, la = c.live.projector.to_lonlat(np.array([r.x]), np.array([r.y]))
        lon, lat = round(float(lo[0]), 7), round(float(la[0]), 7)
    # the time with the scenario's offset, as every time the API gives has its offset
    return {"id": r.id, "ext_id": r.ext_id, "time": local_iso(r.time, c.live.tz),
            "x": r.x, "y": r.y,
            "lon": lon, "lat": lat, "category": r.category, "priority": r.priority,
            "source": r.source, "by": r.created_by}


@router.get("")
def list_incidents(_: Reader, c: CentreDep, source: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, object]:
    rows = store.list_incidents(c.store, c.scenario_id, source=source, limit=limit)
    return {"incidents": [_row_json(c, r) for r in rows]}


@router.post("", status_code=201)
def report_incident(body: IncidentIn, u: Reporter, c: CentreDep) -> dict[str, object]:
    """One incident reported now, stored; the answer holds the k nearest available units."""
    category = body.category
    xy = locate(c, body.lon, body.lat, body.x, body.y)
    now = c.clock()
    t = body.t or now
    if t.tzinfo is None:
        t = t.replace(tzinfo=c.live.tz)
    if (t - now).total_seconds() > c.live.settings.future_tolerance_s:
        raise HTTPException(422, f"t: in the future (server time {now.isoformat()})")
    local = t.astimezone(c.live.tz).replace(tzinfo=None)
    ext = f"live-{local:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    row = store.report_incident(
        c.store, c.scenario_id,
        store.IncidentIn(id=ext, time=local, x=xy[0], y=xy[1], category=category,
                         priority=body.priority), actor=u, now=now)
    return {"incident": _row_json(c, row), "suggestions": c.live.dispatch(xy, k=body.k)}


@router.post("/import")
def import_incidents(
    u: UserDep, c: CentreDep, file: Annotated[UploadFile, File()],
    columns: Annotated[str | None, Form(max_length=500)] = None,
    crs: Annotated[str | None, Form(max_length=100)] = None,
    coords: Annotated[str, Form(max_length=10)] = "wgs84",
    skip_stored: Annotated[bool, Form()] = False,
) -> dict[str, object]:
    """The same checks and report as `xunfang intel ingest --scenario`: every rejected row
    listed with its row, field and rule; the kept rows stored in one transaction (all or
    none: a row the store refuses, such as an id already stored, refuses the import, and the
    answer lists it with every row the checks set aside, each by the file's own row).
    ``skip_stored``: ids stored already with the same content are left out (an overlapping
    export), counted in ``skipped``; one stored with other content still refuses.
    Every refusal is audited (:func:`audit_refused`)."""
    from xunfang.intel import ingest, jurisdiction_of, parse_columns

    name = Path(file.filename or "upload.csv").name
    refused = forbidden(u, "incident.import")
    if refused is not None:
        audit_refused(c, u.name, name, 403, f"role {u.role} may not import")
        raise refused
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        audit_refused(c, u.name, name, 415, "not a file type the import reads")
        raise HTTPException(415, f"file {name[:80]!r}: use one of {', '.join(UPLOAD_SUFFIXES)}")
    sc = c.scenario
    with tempfile.TemporaryDirectory(prefix="xunfang-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(file.file.read())
        try:
            got = ingest(path, columns=parse_columns(columns), crs=crs or None, coords=coords,
                         tz=sc.timezone,
                         # a record written in UTC reads as UTC, as incidents.csv does (a
                         # review: a UTC export was stored 8 h off in Asia/Shanghai)
                         source_tz=sc.source_timezone,
                         target_crs=sc.crs.working if not sc.crs.is_local else None,
                         jurisdiction=jurisdiction_of(sc),
                         # x/y without a CRS of their own: the scenario's, as the CLI's
                         # --scenario reads them (a review: the web form refused them and
                         # named a --crs option it does not have)
                         default_crs=sc.crs.working if not sc.crs.is_local else None)
        except (XunfangError, ValueError, OSError) as exc:
            why = for_form(str(exc).replace(str(path), name))
            audit_refused(c, u.name, name, 422, why)
            raise HTTPException(422, why) from None
    rows = kept_rows(got.report, len(got.table))
    outside = _outside_lonlat(got.report)
    batch = store.incidents_from_table(got.table, rows)
    unnamed = not has_id_column(got.table.ids, rows)
    matched = 0
    recategorised: list[tuple[store.IncidentIn, Any]] = []
    if unnamed:
        batch, matched, recategorised = _as_stored(c, content_ids(batch))
    aside = int(got.report.rejected)
    try:
        stored = store.import_incidents(c.store, c.scenario_id, batch, actor=u, file=name,
                                        now=c.clock(), skip_stored=skip_stored,
                                        where=_as_written(c, got.report, coords),
                                        set_aside=aside)
    except store.StoreInputError as exc:
        hint = _outside_note(c, len(outside), coords) if outside else ""
        answer = _refusal(exc, got.report, name, outside, rows is not None, hint)
        audit_refused(c, u.name, name, 422, f"{answer['errors']} row(s) refused by the store",
                      rows=got.report.rows, set_aside=aside)
        raise HTTPException(422, answer) from None
    except store.StoreError as exc:  # the database refused or failed: rolled back
        status = (409 if isinstance(exc, store.Conflict)
                  else 503 if isinstance(exc, store.DatabaseUnavailable) else 500)
        audit_refused(c, u.name, name, status, str(exc)[:300], rows=got.report.rows,
                      set_aside=aside)
        raise HTTPException(status, str(exc) if name in str(exc)
                            else f"{name}: {exc}; nothing stored") from None
    report = got.report.as_json()
    report["source"] = name
    report["stored"] = stored
    report["skipped"] = len(batch) - stored  # ids already stored with the same content
    report["problems"] = [_shown_problem(p, outside) for p in report["problems"][:1000]]
    report["counts"] = {for_form(k): v for k, v in report["counts"].items()}
    report["listed"] = for_form(report["listed"])  # the CLI's report file, for the form
    report["row_numbers"] = ROW_NUMBERS
    notes = [for_form(n) for n in report["notes"]]
    # the import's own notes by key as well, for the page to word in its language
    worded: list[dict[str, object]] = []
    if unnamed and len(batch):
        notes.append(CONTENT_ID_NOTE)
        worded.append({"key": "imp_content_ids", "text": CONTENT_ID_NOTE})
    if matched:
        text = (f"{matched:,} rows without an id matched a stored incident of the same "
                f"time, category and priority within {NEAR_M:g} m (the same incident "
                "written to another precision): taken as it")
        notes.append(text)
        worded.append({"key": "imp_matched", "text": text, "n": matched, "m": NEAR_M})
    if recategorised:
        text, listed, zh = _recategorised_note(recategorised, rows is not None)
        notes.append(text)
        worded.append({"key": "imp_recategorised", "text": text, "n": len(recategorised),
                       "m": NEAR_M, "rows": listed, "list_zh": zh})
    report["notes_worded"] = worded
    if outside:
        notes.append(_outside_note(c, len(outside), coords))
    note = _outside_categories(sc.risk_categories, got.table.category)
    if note:  # stored all the same: another scenario.toml may count them
        notes.append(note)
    report["notes"] = notes
    return report


def audit_refused(c: Centre, user: str, name: str, status: int, why: str, *,
                  rows: int | None = None, set_aside: int | None = None) -> None:
    """An audit entry ("import-refused") for an import refused with ``status``: who, the
    file, why in short and its rows, in a transaction of its own, so the refusal's rollback
    keeps it (a review: refused imports left no entry, where failed logins do). An entry
    the database cannot take is logged, and the refusal answered all the same."""
    detail: dict[str, object] = {"file": name[:200], "status": status, "why": why[:300]}
    if rows is not None:
        detail["rows"] = int(rows)
    if set_aside is not None:
        detail["set_aside"] = int(set_aside)
    try:
        audit_apart(c.store, user, "import-refused", "incidents", c.scenario_id, detail)
    except Exception:  # (the database itself may be why the import was refused)
        log.exception("could not audit the refused import of %s by %s", name, user)


#: what the rows of a report or refusal count (a review: a planner reading "row 5" opened
#: the sheet at its row 5, the data's row 4)
ROW_NUMBERS = WORDS["imp_rows"]["en"]
#: said where the file has no id column (:func:`content_ids`)
CONTENT_ID_NOTE = (
    "the file has no id column: each row's id is made of its time, place (to the millimetre), "
    "category and priority ('c' and 12 hex digits), so another file's incidents never clash with "
    "these and the same incident exported again has the same id ('skip ids already stored' "
    "leaves it out of an overlapping export)")


#: a row without an id within this of a stored incident of the same time, category and
#: priority, whose id is a content id too, is that incident, each stored one a row's at
#: most, nearest first (a review: a re-export with lon/lat to 5 decimals, not 7 — 0.4 m —
#: was stored again beside the first, silently). Lon/lat to 5 decimals lie within 0.8 m of
#: the point; a review's two thefts of one minute 1.5 m apart had been merged at 2 m
NEAR_M = 1.0


def _as_stored(c: Centre, batch: list[store.IncidentIn]
               ) -> tuple[list[store.IncidentIn], int, list[tuple[store.IncidentIn, Any]]]:
    """``batch`` (content ids) with each row that is a stored incident written to another
    precision given that incident's id and position, and how many were: the same incident
    is then "already stored" (skipped with skip_stored), not stored twice. Third, each other
    row of a stored incident's time within :data:`NEAR_M` of it but of another category or
    priority, with the nearest such incident: stored all the same (a reclassified incident
    is not known to be the same one), but said (a review: a re-export where one theft had
    become a burglary, same time and place, was stored as a second incident without a word)."""
    import dataclasses

    if not batch:
        return batch, 0, []
    times = [r.time.replace(tzinfo=None) for r in batch]
    near: dict[datetime, list[Any]] = {}  # stored incidents with content ids, by time
    at: dict[datetime, list[Any]] = {}  # every stored incident, by time
    known: set[str] = set()
    for row in store.list_incidents(c.store, c.scenario_id, since=min(times),
                                    until=max(times) + timedelta(seconds=1), limit=None):
        known.add(row.ext_id)
        at.setdefault(row.time, []).append(row)
        if re.fullmatch(r"c[0-9a-f]{12}(-[0-9]+)?", row.ext_id):
            near.setdefault(row.time, []).append(row)
    taken = {r.id for r in batch}  # a stored incident is one row's at most, nearest first

    def same(row: Any, r: store.IncidentIn) -> bool:  # category and priority
        return (row.category or "") == r.category and row.priority == r.priority

    def free(row: Any, r: store.IncidentIn) -> bool:  # not taken, the same content
        return row.ext_id not in taken and same(row, r)

    def other_kind(row: Any, r: store.IncidentIn) -> bool:
        return not same(row, r)

    def nearest(r: store.IncidentIn, rows: Iterable[Any],
                fit: Callable[[Any, store.IncidentIn], bool]) -> Any | None:
        """The stored row nearest ``r`` within NEAR_M among those ``fit`` takes (ties by
        id), or None."""
        fits = [(math.hypot(float(row.x) - float(r.x), float(row.y) - float(r.y)), row)
                for row in rows if fit(row, r)]
        fits = [f for f in fits if f[0] <= NEAR_M]
        return min(fits, key=lambda f: (f[0], f[1].ext_id))[1] if fits else None

    out, matched = [], 0
    for r, t in zip(batch, times, strict=True):
        if r.id not in known:
            hit = nearest(r, near.get(t, ()), free)
            if hit is not None:
                taken.add(hit.ext_id)
                r = dataclasses.replace(r, id=hit.ext_id, x=float(hit.x), y=float(hit.y))
                matched += 1
        out.append(r)
    other: list[tuple[store.IncidentIn, Any]] = []
    for r, t in zip(out, times, strict=True):
        if r.id in known:
            continue  # stored already (skipped or refused), or matched above
        # only a stored incident whose category or priority differs: one of the row's own
        # (a second incident of the same time, place and content, numbered "-2" by
        # content_ids) is no reclassification (a review: "(theft, priority 0) and (theft,
        # priority 0)" was said to differ)
        hit = nearest(r, at.get(t, ()), other_kind)
        if hit is not None:
            other.append((r, hit))
    return out, matched, other


#: how many of the rows of another category or priority the note names (the rest counted)
RECATEGORISED_LISTED = 20


def _recategorised_note(pairs: list[tuple[store.IncidentIn, Any]], file_rows: bool
                        ) -> tuple[str, list[dict[str, object]], str]:
    """The note of rows stored beside a stored incident of their time and place but of
    another category or priority (:func:`_as_stored`), naming each row and the incident,
    the first :data:`RECATEGORISED_LISTED` of them; those as data; and their list in the
    zh page's words (web/i18n.py imp_recategorised)."""
    listed: list[dict[str, object]] = []
    parts, zh = [], []
    for r, row in pairs[:RECATEGORISED_LISTED]:
        where = f"row {r.row}" if file_rows and r.row is not None else f"id {r.id}"
        listed.append({"row": r.row if file_rows else None, "id": r.id,
                       "stored": row.ext_id, "stored_category": row.category or "",
                       "stored_priority": row.priority, "category": r.category,
                       "priority": r.priority})
        parts.append(f"{where} ({r.category}, priority {r.priority}) and stored incident "
                     f"{row.ext_id} ({row.category or 'no category'}, priority {row.priority})")
        zh.append(f"{f'第{r.row}行' if file_rows and r.row is not None else f'编号 {r.id}'}"
                  f"（{r.category}，等级 {r.priority}）与已入库警情 {row.ext_id}"
                  f"（{row.category or '无类别'}，等级 {row.priority}）")
    more = len(pairs) - len(listed)
    text = (f"{len(pairs):,} rows without an id are of the time and place (within {NEAR_M:g} m) "
            "of a stored incident but not of its category or priority: stored as other "
            "incidents (where one is that incident reclassified, it is now stored twice): "
            + "; ".join(parts) + (f"; and {more:,} more" if more else ""))
    return text, listed, "；".join(zh) + (f"；另有 {more:,} 行" if more else "")


def has_id_column(ids: object, rows: list[int] | None) -> bool:
    """Whether ingest read the ids from the file: without an id column it numbers them
    "row1", "row2", ... by the file's data row (:func:`kept_rows`; where those are unknown,
    by the pattern alone). An empty table has nothing to name."""
    got = [str(i) for i in np.asarray(ids, dtype=object).tolist()]
    if not got:
        return True
    if rows is not None:
        return got != [f"row{r}" for r in rows]
    return not all(re.fullmatch(r"row[0-9]+", i) for i in got)


def content_ids(batch: list[store.IncidentIn]) -> list[store.IncidentIn]:
    """``batch`` with each row's id made of its content: 'c' and the first 12 hex digits of
    the SHA-1 of its time (to the second), x/y (to the millimetre, the store's precision:
    :func:`xunfang.store.repo._same_incident`), category and priority (two rows of one time,
    place and category told apart by priority had taken "-2" by the file's order, a review),
    and "-2", "-3"... on the second
    and later rows of the same content in the file (dates without times, positions at a
    community's centre). A review: a file without an id column had "row1", "row2"..., and a
    second week's file of other incidents was refused "id 'row1' is already stored with
    other content"; by content, another file's rows never clash and an overlapping export's
    rows are the stored ones again (skip_stored). 48 bits: a clash of two of a million
    incidents about one in 500."""
    import dataclasses
    import hashlib

    seen: dict[str, int] = {}
    out = []
    for r in batch:
        t = r.time.replace(tzinfo=None).isoformat(timespec="seconds")
        key = f"{t}|{float(r.x):.3f}|{float(r.y):.3f}|{r.category}|{r.priority}"
        h = "c" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]
        seen[h] = seen.get(h, 0) + 1
        out.append(dataclasses.replace(r, id=h if seen[h] == 1 else f"{h}-{seen[h]}"))
    return out


def _as_written(c: Centre, report: object, coords: str) -> Callable[[float, float], str] | None:
    """How a refusal shows a position: as lon/lat in the file's datum (``coords``) where the
    file gave lon/lat, to 7 decimals less trailing zeros (a file's 5-decimal lon/lat reads as
    the file wrote it); None (the store's x/y) otherwise."""
    from pyproj import CRS

    from xunfang.geo import from_wgs84

    src = getattr(report, "source_crs", None)
    proj = c.live.projector
    if proj is None or not src or not CRS.from_user_input(src).is_geographic:
        return None

    def show(x: float, y: float) -> str:
        lon, lat = proj.to_lonlat(np.array([x]), np.array([y]))
        if coords in ("gcj02", "bd09"):  # (their rows lie in China: ingest refuses others)
            lon, lat = from_wgs84(lon, lat, coords)  # type: ignore[arg-type]
        text = [f"{float(v[0]):.7f}".rstrip("0").rstrip(".") for v in (lon, lat)]
        return f"lon/lat {text[0]}, {text[1]}"
    return show


#: the CLI's options in ingest's messages, in the words of the import form (a review: the
#: web answered "map one with --columns time=COLUMN", "no --crs given", "--coords must be
#: one of"; the form has fields, not options). Most specific first.
FORM_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b) for a, b in (
        (r"no --crs given", "the crs field empty"),
        (r"--crs (EPSG:[0-9A-Za-z]+)", r"the crs field (\1)"),
        (r"--crs\b", "the crs field"),
        (r"--coords must be one of", "the coords field must be one of"),
        (r"without --coords\b", "with the coords field wgs84"),
        (r"--coords\b", "the coords field"),
        (r"--columns:", "the columns field:"),
        (r"(with|give) --columns ([^ ,;)]+=)", r"\1 the columns field: \2"),
        (r"--columns\b", "the columns field"),
        (r"choose one with --layer SHEET", "save that sheet alone (the form reads a "
                                           "workbook's only sheet)"),
        (r"--layer\b", "a layer (the form has no field for it: `xunfang intel ingest "
                       "--layer`)"),
        (r"--time-format\b", "a time format (the form has no field for it: `xunfang intel "
                             "ingest --time-format`)"),
        (r"--source-tz\b", "scenario.toml source_timezone"),
        (r"--tz\b", "scenario.toml timezone"),
        (r"the report file \(write_csv\) lists every row",
         "`xunfang intel ingest FILE --out DIR` lists every row in DIR/ingest_report.csv"),
    ))


def for_form(text: str) -> str:
    """``text`` (an ingest message, rule or note) with the CLI's options named as the import
    form's fields (:data:`FORM_WORDS`)."""
    for pattern, words in FORM_WORDS:
        text = pattern.sub(words, text)
    return text


def kept_rows(report: object, n: int) -> list[int] | None:
    """The file's data row (header row 0) of each of the ``n`` rows ingest kept, in order:
    the rows of the file less those it set aside (every problem but the priority one, which
    keeps its row, and every exact duplicate). None where that does not leave ``n`` rows
    (a file whose rows are not numbered 1 to ``rows``): the store then counts the rows of
    the batch, and the refusal says so."""
    from xunfang.intel.ingest import PRIORITY_RULE

    gone: set[int] = set()
    for g in getattr(report, "every_problem", ()):
        if g.rule != PRIORITY_RULE:
            gone.update(int(r) for r in g.rows)
    dups = getattr(report, "every_duplicate", None)
    if dups is not None and len(dups):
        gone.update(int(r) for r in np.asarray(dups)[:, 0])
    rows = [r for r in range(1, int(getattr(report, "rows", 0)) + 1) if r not in gone]
    return rows if len(rows) == n else None




def _outside_lonlat(report: object) -> dict[int, str]:
    """The file's own lon/lat (as written, in the file's datum) of each row set aside as
    outside the jurisdiction, by row, where the file gave lon/lat; {} otherwise. Ingest
    lists them by the file's values (it had listed the working CRS's x/y, "1475640.0,
    4479371.6" beside a file of lon/lat; a review then found them taken for x/y here and
    turned into "100.512182, 0.000264")."""
    from pyproj import CRS

    src = getattr(report, "source_crs", None)
    if not src or not CRS.from_user_input(src).is_geographic:
        return {}
    out: dict[int, str] = {}
    for g in getattr(report, "every_problem", ()):
        if g.rule != OUTSIDE_RULE:
            continue
        for r, v in zip(g.rows.tolist(), g.values.tolist(), strict=True):
            try:
                lon, lat = (float(t) for t in str(v).split(","))
            except ValueError:
                continue
            out[int(r)] = f"{lon:.6f}, {lat:.6f}"
    return out


def _outside_note(c: Centre, n: int, coords: str) -> str:
    """What to check when lon/lat rows lie outside the jurisdiction: the words of
    :func:`xunfang.scenario.record.outside_hint`, for the form's coords field."""
    from xunfang.scenario.record import outside_hint

    if coords in ("gcj02", "bd09"):  # the datum was chosen: advising it again says nothing
        hint = (f"the coords field says {coords}: check that the file was exported in that "
                "datum (高德/腾讯 GCJ-02, 百度 BD-09, GPS WGS 84) and that these rows' lon/lat "
                "are the incidents'")
    else:
        hint = outside_hint(True, coords, str(c.scenario.crs.working)).replace(
            "in scenario.toml (it says", "in the coords field (it was")
    return f"{n:,} rows lie outside the jurisdiction (their lon/lat as in the file): {hint}"


def _shown_problem(p: dict[str, object], outside: dict[int, str]) -> dict[str, object]:
    """A row of ingest's report for the web: its rule in the form's words, and the file's
    lon/lat for a row outside the jurisdiction."""
    out = {**p, "rule": for_form(str(p["rule"]))}
    if p["rule"] == OUTSIDE_RULE and p["row"] in outside:
        out["value"] = f"lon/lat {outside[p['row']]}"
    return out


def _refusal(exc: store.StoreInputError, report: object, name: str, outside: dict[int, str],
             file_rows: bool, hint: str = "") -> dict[str, object]:
    """The 422 of an import the store refused: every row it refused and every row the file's
    checks set aside, each by the file's row, in row order (a review: only the store's were
    listed, by their place among the kept rows), in the shape of the other refusals."""
    from xunfang.intel.ingest import PRIORITY_RULE
    from xunfang.store.repo import SKIP_STORED_HINT

    # the store's errors first, each within the cap and the form's first lines (a review: 40
    # rows set aside by the checks hid row 41's future time, the one that refused the file)
    errors: list[dict[str, object]] = sorted(
        (p.as_dict() for p in exc.problems),
        key=lambda p: (p["row"] is not None, p["row"] or 0))
    problems: list[dict[str, object]] = []
    for g in getattr(report, "every_problem", ()):
        rule = for_form(g.rule)
        for r, v in zip(g.rows.tolist(), g.values.tolist(), strict=True):
            value = (f"lon/lat {outside[r]}" if g.rule == OUTSIDE_RULE and r in outside
                     else "" if v is None else str(v))
            problems.append({"file": name, "row": int(r), "column": g.field, "rule": rule,
                             # a priority that is no whole number: the row kept without one
                             "severity": "kept" if g.rule == PRIORITY_RULE else "rejected",
                             "message": f"{rule}: {value}", "value": value})
    dups = getattr(report, "every_duplicate", None)
    for r, first in (np.asarray(dups).tolist() if dups is not None else []):
        problems.append({"file": name, "row": int(r), "column": "*", "rule": "exact duplicate",
                         "severity": "rejected", "message": f"exact duplicate of row {first}",
                         "value": str(first)})
    problems.sort(key=lambda p: (p["row"] is not None, p["row"] or 0))
    refused = len(exc.problems)
    head = f"{name}: {refused} error(s), nothing stored"
    if not file_rows:
        head += " (rows counted among the rows the checks kept)"
    else:
        head += f" ({ROW_NUMBERS})"
    skip = any(SKIP_STORED_HINT in p.message for p in exc.problems)
    if skip:
        head += ("; to import the rest of an export that overlaps one stored, tick "
                 "'skip ids already stored' (the API's skip_stored)")
    aside = sum(p["severity"] == "rejected" for p in problems)
    if aside:
        head += f"; the checks also set aside {aside:,} row(s), listed with them"
    if hint:  # lon/lat outside the jurisdiction: what to check (_outside_note)
        head += f"; {hint}"
    problems = errors + problems
    for p in errors:
        p["message"] = str(p["message"]).replace(
            SKIP_STORED_HINT, "'skip ids already stored' leaves it out")
    # the head's parts for the dashboard to word in its language (web/i18n.py)
    return {"message": head, "problems": problems[:1000], "count": len(problems),
            "file": name, "errors": refused, "set_aside": aside, "skip_hint": skip,
            "file_rows": file_rows, "hint": hint}


def _outside_categories(wanted: tuple[str, ...], categories: object) -> str:
    """What the import says of its rows that /api/risk will not count: those of no category,
    or of one scenario.toml's ``risk_categories`` does not name; "" where it names none or
    every row is of one of them. A review: 40 rows without a category column answered
    "stored: 40" and the forecast counted none of them, with not a word."""
    from xunfang.intel.sources import left_out_by_category

    if not wanted:
        return ""
    cats = np.asarray(categories, dtype=str)
    if not len(cats):
        return ""
    out, none = left_out_by_category(cats, wanted)
    if not out.any():
        return ""
    blank = int(none.sum())
    names = ", ".join(c.strip() for c in wanted)
    if blank == len(cats):
        return (f"the {blank:,} incidents have no category (no column is mapped to it: "
                f"columns category=COLUMN): the risk forecast counts only scenario.toml "
                f"risk_categories ({names}), so it counts none of them")
    return (f"{int(out.sum()):,} of the {len(cats):,} incidents are of no category or of "
            f"another ({blank:,} without one): the risk forecast counts only scenario.toml "
            f"risk_categories ({names}), not them")
