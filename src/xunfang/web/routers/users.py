"""Users and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
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


@router.get("/audit")
def audit(_: Auditor, c: CentreDep,
          limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> dict[str, object]:
    return {"entries": [{"at": r.at.isoformat(), "user": r.user, "action": r.action,
                         "object_type": r.object_type, "object_id": r.object_id,
                         "detail": r.detail} for r in store.list_audit(c.store, limit=limit)]}
