"""Login, logout, who am I, and bearer tokens for devices and GPS gateways."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang.web.deps import COOKIE, CentreDep, UserDep, request_token, require

router = APIRouter(prefix="/api/auth", tags=["auth"])
TOKEN_HOURS = 30 * 24


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


def login_user(c: CentreDep, request: Request, name: str, password: str) -> tuple[str, str]:
    """Check a login (the store locks the account after repeated failures; this also limits
    failures per address); the new session's token and the user's role."""
    ip = request.client.host if request.client else "?"
    wait = c.throttle.retry_after(ip)
    if wait:
        raise HTTPException(429, f"too many failed logins from this address; try again in "
                                 f"{wait} s", headers={"Retry-After": str(wait)})
    try:
        u = store.authenticate(c.store, name, password)
    except store.AuthError as exc:
        c.throttle.fail(ip)
        raise HTTPException(401, str(exc)) from None
    return store.create_session(c.store, u), u.role


def set_cookie(response: Response, token: str, request: Request) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=12 * 3600, path="/")


@router.post("/login")
def login(body: Login, c: CentreDep, request: Request, response: Response) -> dict[str, str]:
    token, role = login_user(c, request, body.name, body.password)
    set_cookie(response, token, request)
    return {"name": body.name, "role": role}


@router.post("/logout")
def logout(c: CentreDep, request: Request, response: Response) -> dict[str, bool]:
    token = request_token(request)
    revoked = store.revoke_session(c.store, token) if token else False
    response.delete_cookie(COOKIE, path="/")
    return {"revoked": revoked}


@router.get("/me")
def me(u: UserDep) -> dict[str, object]:
    return {"name": u.name, "role": u.role,
            "actions": sorted(store.ACTIONS.get(u.role, frozenset()))}


@router.post("/token")
def device_token(c: CentreDep, u: Annotated[store.UserRow, Depends(require("position.post"))]
                 ) -> dict[str, object]:
    """A bearer token (30 days) for a device or GPS gateway posting as this user."""
    token = store.create_session(c.store, u, hours=TOKEN_HOURS)
    return {"token": token, "type": "bearer", "hours": TOKEN_HOURS}
