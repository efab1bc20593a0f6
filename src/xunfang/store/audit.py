"""The audit log: who did what to which object, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xunfang.store.db import Store
from xunfang.store.models import AuditRow, to_utc_naive, utcnow


def write_audit(s: Session, user: str, action: str, object_type: str, object_id: object,
                detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
    """Add an audit entry in the caller's transaction (so it commits or rolls back with it)."""
    s.add(AuditRow(at=at or utcnow(), user=user[:100], action=action, object_type=object_type,
                   object_id=str(object_id)[:100], detail=detail))


def audit_apart(store: Store, user: str, action: str, object_type: str, object_id: object,
                detail: dict[str, Any] | None = None) -> None:
    """Add an audit entry in a transaction of its own: one that must outlive the caller's
    rollback, such as a refused import (a review: 403, 413, 422 and store failures of imports
    left no entry, where a failed login leaves one)."""
    store.run(lambda s: write_audit(s, user, action, object_type, object_id, detail))


def list_audit(store: Store, *, object_type: str | None = None, object_id: object = None,
               user: str | None = None, action: str | None = None,
               since: datetime | None = None, before: int | None = None, offset: int = 0,
               limit: int = 200) -> list[AuditRow]:
    """Audit entries, newest first, optionally for one object type/id, one user, one action
    (e.g. "import-refused"), those at or after ``since`` (naive UTC, as the log holds; an
    aware time is converted), those older than entry id ``before`` (a cursor: the last id
    of one page gives the next, unmoved by entries written meanwhile), less the first
    ``offset``. All in SQL, so a log of any length is read a page at a time (a review: with
    no filters but object and user, and at most 5000, older entries could not be reached)."""
    q = select(AuditRow)
    if object_type is not None:
        q = q.where(AuditRow.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditRow.object_id == str(object_id))
    if user is not None:
        q = q.where(AuditRow.user == user)
    if action is not None:
        q = q.where(AuditRow.action == action)
    if since is not None:
        q = q.where(AuditRow.at >= to_utc_naive(since))
    if before is not None:
        q = q.where(AuditRow.id < before)
    q = q.order_by(AuditRow.id.desc()).offset(offset).limit(limit)
    return list(store.run(lambda s: s.scalars(q).all()))
