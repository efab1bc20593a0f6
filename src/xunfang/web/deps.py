"""Dependencies shared by the routers: the centre, the user, role checks, safe names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from xunfang import store
from xunfang.store import UserRow
from xunfang.store import auth as accounts
from xunfang.web.centre import Centre

COOKIE = "xf_session"
#: names, categories and labels: no markup characters, quotes or control characters
_SAFE = re.compile(r"^[^<>&\"'`\\\x00-\x1f\x7f]{1,64}$")


def centre(request: Request) -> Centre:
    c: Centre = request.app.state.centre
    return c


CentreDep = Annotated[Centre, Depends(centre)]


def request_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE)


def token_session(request: Request, c: CentreDep) -> tuple[UserRow, str] | None:
    """The user and scope (store.auth.SCOPES) of the request's session or bearer token."""
    return accounts.session_for_token(c.store, request_token(request))


def optional_user(request: Request, c: CentreDep) -> UserRow | None:
    """The user of a login (full scope); None for none, and for a device token, which
    opens no page (review AQ #2)."""
    found = token_session(request, c)
    return found[0] if found is not None and found[1] == "full" else None


def logged_in(found: tuple[UserRow, str] | None) -> tuple[UserRow, str]:
    """The session or token found, else the 401 every endpoint gives."""
    if found is None:
        raise HTTPException(401, "not logged in: log in at /login or send a bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    return found


def device_refused(action: str | None) -> HTTPException:
    """The 403 of a device token used for what it may not do (``action``; None: an endpoint
    that is for logins only)."""
    what = f"may not {action}" if action else "may not use this endpoint"
    return HTTPException(403, f"a device token {what}: device tokens may only "
                              f"{', '.join(sorted(accounts.DEVICE_ACTIONS))} (POST "
                              "/api/positions, PUT /api/units/{unit}/status); log in for "
                              "anything else")


def user(found: Annotated[tuple[UserRow, str] | None, Depends(token_session)]) -> UserRow:
    """The logged-in user; 401 without a session, 403 for a device token (a device token
    may only post positions and status: review AQ #2 found one creating a commander)."""
    u, scope = logged_in(found)
    if scope != "full":
        raise device_refused(None)
    return u


UserDep = Annotated[UserRow, Depends(user)]


def forbidden(u: UserRow, action: str) -> HTTPException | None:
    """The 403 of a user whose role does not permit ``action`` (store.ACTIONS), naming the
    roles that may; None where it does."""
    if store.permitted(u.role, action):
        return None
    allowed = sorted(r for r, acts in store.ACTIONS.items() if action in acts)
    return HTTPException(403, f"role {u.role!r} may not {action}; roles that may: "
                              f"{', '.join(allowed)}")


def require(action: str) -> Callable[..., UserRow]:
    """A dependency: the user, if the role permits ``action`` (store.ACTIONS) and the
    session's scope does too (a device token: store.auth.DEVICE_ACTIONS only), else 403."""

    def check(found: Annotated[tuple[UserRow, str] | None, Depends(token_session)]
              ) -> UserRow:
        u, scope = logged_in(found)
        if not accounts.scope_permits(scope, action):
            raise device_refused(action)
        refused = forbidden(u, action)
        if refused is not None:
            raise refused
        return u

    return check


#: a row id as a path parameter: 1 to the store's largest (store.MAX_ROW_ID, 2**31 - 1: its
#: Integer ids are 32-bit on PostgreSQL); a larger one is answered 422 naming the parameter,
#: not 500 (reviews: SQLite's OverflowError, then PostgreSQL's "integer out of range")
RowId = Annotated[int, Path(ge=1, le=store.MAX_ROW_ID)]

Reader = Annotated[UserRow, Depends(require("view"))]


def safe_text(value: str, field: str) -> str:
    if not _SAFE.match(value):
        raise HTTPException(422, f"{field}: 1-64 characters without markup, quotes or control "
                                 f"characters (< > & \" ' ` \\)")
    return value
