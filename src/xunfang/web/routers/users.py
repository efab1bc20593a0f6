"""Users and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang.web.deps import CentreDep, require

router = APIRouter(prefix="/api", tags=["users"])
Manager = Annotated[store.UserRow, Depends(require("user.manage"))]
Auditor = Annotated[store.UserRow, Depends(require("audit.view"))]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=1024)


@router.get("/users")
def list_users(_: Manager, c: CentreDep) -> dict[str, object]:
    return {"users": [{"name": r.name, "role": r.role, "disabled": r.disabled}
                      for r in store.list_users(c.store)]}


@router.post("/users", status_code=201)
def create_user(body: NewUser, u: Manager, c: CentreDep) -> dict[str, str]:
    store.create_user(c.store, body.name, body.role, body.password, actor=u)
    return {"name": body.name, "role": body.role}


#: the query parameters /api/audit takes (any other is refused: a review's
#: ``?action=import-refused`` had been ignored, and logins answered)
AUDIT_PARAMS = ("action", "user", "object_type", "object_id", "since", "before", "offset",
                "limit")


def _since(value: str | None) -> datetime | None:
    """``since`` as a time: an ISO date (its midnight) or date/time; without an offset it is
    UTC, as the entries' ``at`` are. 422 naming the parameter otherwise."""
    if value is None:
        return None
    # a "+08:00" typed into an address arrives as " 08:00" (a + in a query is a space)
    value = re.sub(r"(:[0-9]{2}(?:\.[0-9]+)?) ([0-9]{2}:?[0-9]{2})$", r"\1+\2", value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise _invalid("since", value[:60], "since: not an ISO date or date/time "
                       "(2026-11-30, 2026-11-30T08:00, 2026-11-30T16:00+08:00)") from None


def _invalid(name: str, value: object, msg: str) -> RequestValidationError:
    """A 422 in FastAPI's own form, as the bad ``limit`` or ``offset`` get it (a review:
    these answered a bare text where the others answered a list): the parameter named in
    ``loc``."""
    return RequestValidationError([{"type": "value_error", "loc": ("query", name),
                                    "msg": msg, "input": value}])


@router.get("/audit")
def audit(_: Auditor, c: CentreDep, request: Request,
          action: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
          user: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
          object_type: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
          object_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
          since: Annotated[str | None, Query(max_length=40)] = None,
          # bounded as the store's ids (review AS #5: 2**63 raised SQLite's OverflowError)
          before: Annotated[int | None, Query(ge=1, le=store.MAX_ROW_ID)] = None,
          offset: Annotated[int, Query(ge=0, le=store.MAX_ROW_ID)] = 0,
          limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> dict[str, object]:
    """Audit entries, newest first, filtered by ``action``, ``user``, ``object_type``,
    ``object_id`` and ``since`` (ISO; UTC where it gives no offset), a page of ``limit``
    after ``offset`` entries or older than entry id ``before``. ``next_before`` (the last
    entry's id) and ``next_offset`` give the next page where there is one, None where not."""
    unknown = sorted(set(request.query_params) - set(AUDIT_PARAMS))
    if unknown:
        raise _invalid(unknown[0], request.query_params[unknown[0]],
                       f"unknown query parameter(s) {', '.join(map(repr, unknown))}: "
                       f"/api/audit takes {', '.join(AUDIT_PARAMS)}")
    rows = store.list_audit(c.store, action=action, user=user, object_type=object_type,
                            object_id=object_id, since=_since(since), before=before,
                            offset=offset, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"entries": [{"id": r.id, "at": r.at.replace(tzinfo=UTC).isoformat(), "user": r.user,
                         "action": r.action, "object_type": r.object_type,
                         "object_id": r.object_id, "detail": r.detail} for r in rows],
            "next_before": rows[-1].id if more else None,
            "next_offset": offset + limit if more else None}
