"""Login, logout, who am I, and bearer tokens for devices and GPS gateways."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from xunfang import store
from xunfang.store import auth as accounts
from xunfang.web.centre import utc_iso
from xunfang.web.deps import (
    COOKIE,
    CentreDep,
    RowId,
    UserDep,
    forbidden,
    logged_in,
    request_token,
    safe_text,
    token_session,
)

router = APIRouter(prefix="/api/auth", tags=["auth"])
TOKEN_HOURS = 30 * 24
TokenId = RowId  # (review AS #5: a token id past the store's range was a 500)


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


def login_user(c: CentreDep, request: Request, name: str, password: str) -> tuple[str, str]:
    """Check a login (the store locks the name for this address after repeated failures;
    this also limits failures per address, across names); the new session's token and the
    user's role."""
    ip = request.client.host if request.client else None
    # counted by the address's group (an IPv6 address by its /64), as the store counts
    group = accounts.address_group(ip or accounts.NO_ADDRESS)
    wait = c.throttle.retry_after(group)
    if wait:
        raise HTTPException(429, f"too many failed logins from this address; try again in "
                                 f"{wait} s", headers={"Retry-After": str(wait)})
    try:
        u = store.authenticate(c.store, name, password, address=ip)
    except store.AuthError as exc:
        c.throttle.fail(group)
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
def me(found: Annotated[tuple[store.UserRow, str] | None, Depends(token_session)]
       ) -> dict[str, object]:
    """Who the session or token is, and what it may do (a device token, which may call this
    to check itself, only store.auth.DEVICE_ACTIONS of its role's)."""
    u, scope = logged_in(found)
    actions = store.ACTIONS.get(u.role, frozenset())
    if scope != "full":
        actions = actions & accounts.DEVICE_ACTIONS
    return {"name": u.name, "role": u.role, "scope": scope, "actions": sorted(actions)}


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: which device or gateway will hold it (shown in GET /api/auth/tokens)
    label: str | None = Field(None, min_length=1, max_length=accounts.LABEL_MAX)


@router.post("/token")
def device_token(c: CentreDep, u: UserDep, body: Annotated[NewToken | None, Body()] = None
                 ) -> dict[str, object]:
    """A bearer token (30 days) for a device or GPS gateway posting as this user: it may only
    post positions and unit status (store.auth.DEVICE_ACTIONS), and cannot make tokens
    (UserDep refuses device tokens: review AQ #2 found a token minting a token that created a
    commander). Audited; listed by GET /api/auth/tokens, revoked by DELETE."""
    refused = forbidden(u, "position.post")
    if refused is not None:
        raise refused
    label = None if body is None or body.label is None else safe_text(body.label, "label")
    token, info = accounts.create_device_token(c.store, u, label=label, hours=TOKEN_HOURS)
    return {"token": token, "type": "bearer", "hours": TOKEN_HOURS, "id": info.id,
            "label": info.label, "expires_at": utc_iso(info.expires_at)}


def _listed(info: accounts.TokenInfo) -> dict[str, object]:
    return {"id": info.id, "user": info.user, "label": info.label,
            "created_at": utc_iso(info.created_at), "expires_at": utc_iso(info.expires_at),
            "last_used_at": utc_iso(info.last_used_at)}


@router.get("/tokens")
def list_tokens(c: CentreDep, u: UserDep) -> dict[str, object]:
    """The live device tokens (never their secrets): everyone's to a commander (who may
    user.manage), else the user's own."""
    return {"tokens": [_listed(i) for i in accounts.list_tokens(c.store, u)]}


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: TokenId, c: CentreDep, u: UserDep) -> dict[str, object]:
    """Revoke a device token (audited): one's own, or anyone's for a commander; 404 for
    none (or another user's, to a user who may not manage users)."""
    info = accounts.revoke_token(c.store, token_id, u)
    return {"revoked": True, **_listed(info)}
