"""Dependencies shared by the routers: the centre, the user, role checks, safe names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from xunfang import store
from xunfang.store import UserRow
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


def optional_user(request: Request, c: CentreDep) -> UserRow | None:
    return store.user_for_token(c.store, request_token(request))


def user(u: Annotated[UserRow | None, Depends(optional_user)]) -> UserRow:
    if u is None:
        raise HTTPException(401, "not logged in: log in at /login or send a bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
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


def require(action: str) -> Callable[[UserRow], UserRow]:
    """A dependency: the user, if the role permits ``action`` (store.ACTIONS), else 403."""

    def check(u: UserDep) -> UserRow:
        refused = forbidden(u, action)
        if refused is not None:
            raise refused
        return u

    return check


Reader = Annotated[UserRow, Depends(require("view"))]


def safe_text(value: str, field: str) -> str:
    if not _SAFE.match(value):
        raise HTTPException(422, f"{field}: 1-64 characters without markup, quotes or control "
                                 f"characters (< > & \" ' ` \\)")
    return value
