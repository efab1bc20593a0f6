"""Incidents: reported one by one (with dispatch suggestions) or imported in bulk."""

from __future__ import annotations

import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang._errors import XunfangError
from xunfang.web.centre import Centre
from xunfang.web.deps import CentreDep, Reader, require, safe_text

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Reporter = Annotated[store.UserRow, Depends(require("incident.report"))]
Importer = Annotated[store.UserRow, Depends(require("incident.import"))]
# (.xls: a records system's "export to Excel", whatever it holds; .txt: Excel's Unicode text)
UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".gpkg",
                   ".kml", ".zip")


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lon: float | None = Field(None, allow_inf_nan=False)
    lat: float | None = Field(None, allow_inf_nan=False)
    x: float | None = Field(None, allow_inf_nan=False)
    y: float | None = Field(None, allow_inf_nan=False)
    t: datetime | None = None
    category: str = Field("other", min_length=1, max_length=64)
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
    return {"id": r.id, "ext_id": r.ext_id, "time": r.time.isoformat(), "x": r.x, "y": r.y,
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
    category = safe_text(body.category, "category")
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
    u: Importer, c: CentreDep, file: Annotated[UploadFile, File()],
    columns: Annotated[str | None, Form(max_length=500)] = None,
    crs: Annotated[str | None, Form(max_length=100)] = None,
    coords: Annotated[str, Form(max_length=10)] = "wgs84",
) -> dict[str, object]:
    """The same checks and report as `xunfang intel ingest --scenario`: every rejected row
    listed with its row, field and rule; the kept rows stored in one transaction (all or
    none: a row the store refuses, such as an id already stored, refuses the import)."""
    from xunfang.intel import ingest, jurisdiction_of, parse_columns

    name = Path(file.filename or "upload.csv").name
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise HTTPException(415, f"file {name[:80]!r}: use one of {', '.join(UPLOAD_SUFFIXES)}")
    sc = c.scenario
    with tempfile.TemporaryDirectory(prefix="xunfang-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(file.file.read())
        try:
            got = ingest(path, columns=parse_columns(columns), crs=crs, coords=coords,
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
            raise HTTPException(422, str(exc).replace(str(path), name)) from None
    stored = store.import_incidents(c.store, c.scenario_id,
                                    store.incidents_from_table(got.table), actor=u,
                                    file=name, now=c.clock())
    report = got.report.as_json()
    report["source"] = name
    report["stored"] = stored
    report["problems"] = report["problems"][:1000]
    note = _outside_categories(sc.risk_categories, got.table.category)
    if note:  # stored all the same: another scenario.toml may count them
        report["notes"] = [*report["notes"], note]
    return report


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
