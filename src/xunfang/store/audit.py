"""The audit log: who did what to which object, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xunfang.store.db import Store
from xunfang.store.models import AuditRow, utcnow


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
               user: str | None = None, limit: int = 200) -> list[AuditRow]:
    """Audit entries, newest first, optionally for one object type/id or one user."""
    q = select(AuditRow)
    if object_type is not None:
        q = q.where(AuditRow.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditRow.object_id == str(object_id))
    if user is not None:
        q = q.where(AuditRow.user == user)
    q = q.order_by(AuditRow.id.desc()).limit(limit)
    return list(store.run(lambda s: s.scalars(q).all()))
