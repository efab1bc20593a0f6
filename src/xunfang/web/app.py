"""The FastAPI application of the command centre: ``create_app(centre)``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xunfang import __version__
from xunfang.web.centre import Centre
from xunfang.web.i18n import MAX_UPLOAD_MB

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
MAX_BODY = MAX_UPLOAD_MB * 1024 * 1024  # bytes of one request body (uploads included)
#: the import's path: a body too large for it is audited, and its file named
IMPORT_PATH = "/api/incidents/import"
#: how much of a refused body is read for the file's name (its multipart part header)
HEAD_BYTES = 64 * 1024


class BodyLimit:
    """Refuses request bodies above ``limit`` bytes with 413, by header or by counting. An
    import's answer names the upload's file, the limit in MB and what to do instead, in the
    language the request asks for (:func:`too_large_message`), and is audited; another
    path's (positions, JSON of a program) gives the limit in bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > self.limit:
                head = b""  # the start of the body, for the file's name
                while len(head) < HEAD_BYTES:
                    msg = await receive()
                    if msg["type"] != "http.request":
                        break
                    head += msg.get("body", b"")
                    if not msg.get("more_body", False):
                        break
                await _too_large(scope, send, self.limit, head)
                return
        seen = 0
        first = bytearray()

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                body = msg.get("body", b"")
                seen += len(body)
                if len(first) < HEAD_BYTES:
                    first.extend(body[:HEAD_BYTES - len(first)])
                if seen > self.limit:
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(scope, send, self.limit, bytes(first))


#: the headers every answer carries: no framing by another page (clickjacking; the old
#: header and CSP's), no guessing of a content type, the Referer only to this server
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every answer (pages, the API, static files, a 413 and
    a 403 of :class:`SameOrigin`), keeping one a handler set itself. A review: no answer
    carried X-Frame-Options or frame-ancestors, so any page could frame the dashboard."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)


#: the methods that change something: a cross-origin one carrying the session is refused
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: logins: checked with or without a session (login CSRF: a foreign page's form logging the
#: victim into the attacker's account)
LOGIN_PATHS = frozenset({"/login", "/api/auth/login"})


def cross_origin(scope: Scope) -> str | None:
    """Why a request that changes something must be refused as coming from another origin
    (None: it may go on). Checked: a POST/PUT/PATCH/DELETE carrying the session cookie and
    no bearer token, and any login. Such a request goes on when Sec-Fetch-Site says
    same-origin (or none: typed by the user), else when its Origin, else its Referer, names
    this server (scheme, host and port; the host and port as the request's Host). A review
    (AQ): the cookie is SameSite=Strict, but a page on the same host at another port is the
    same *site*, so its auto-submitted form made a plan current, acknowledged an alert and
    logged the victim in as the attacker. A request with none of the three headers is let
    through, as Go's net/http CrossOriginProtection does: browsers send Origin with every
    POST (and Sec-Fetch-Site over https and on localhost), so it is no browser's, and
    scripts and tests posting with a cookie go on working."""
    from starlette.requests import Request as _Request

    from xunfang.web.deps import COOKIE

    if scope["type"] != "http" or scope.get("method", "GET") not in UNSAFE_METHODS:
        return None
    request = _Request(scope)
    path = scope.get("path", "")
    if path not in LOGIN_PATHS:
        if request.headers.get("authorization", "").lower().startswith("bearer "):
            return None  # a device's token: no browser sends it by itself
        if COOKIE not in request.cookies:
            return None  # nothing of the user's rides along
    own = (request.url.scheme, request.headers.get("host", "").lower())
    fetch_site = request.headers.get("sec-fetch-site", "").lower()
    if fetch_site:
        if fetch_site in ("same-origin", "none"):
            return None
        return f"Sec-Fetch-Site is {fetch_site!r}, not 'same-origin'"
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value is None:
            continue
        u = urlsplit(value)
        if (u.scheme.lower(), u.netloc.lower()) == own:
            return None
        return (f"its {header.title()} {value[:200]!r} is not this server's origin "
                f"{own[0]}://{own[1]}")
    return None


class SameOrigin:
    """Refuses (403, JSON naming the rule and what the request said) a request that changes
    something on a logged-in browser's behalf from another origin: :func:`cross_origin`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        why = cross_origin(scope)
        if why is None:
            await self.app(scope, receive, send)
            return
        rule = ("a login, or a POST/PUT/PATCH/DELETE carrying the session cookie, is taken "
                "only from this server's own pages (Origin, else Referer, of this server, or "
                "Sec-Fetch-Site: same-origin); devices send a bearer token")
        body = json.dumps({"detail": f"cross-origin request refused: {why}; {rule}"},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


#: answers smaller than this are sent as they are (gzip's header and a small body's poor
#: ratio gain nothing)
GZIP_MINIMUM = 1024
#: the alerts' event stream (routers/alerts.py): never compressed, see :class:`Compressed`
EVENT_STREAM_PATH = "/api/alerts/stream"


class Compressed:
    """gzip for answers of :data:`GZIP_MINIMUM` bytes or more to clients that accept it
    (Starlette's GZipMiddleware, zlib's default level 6). A review (AT): the dashboard's plan
    document (811 KB for a 1-day plan) and layers went uncompressed. The alerts' event stream
    is passed through untouched, asked for by its path or by ``Accept: text/event-stream``
    (as EventSource asks): gzip holds back what it compresses until it has enough, so the
    stream would stop being live, and the Starlette of the lowest version allowed (0.36)
    compresses text/event-stream like any other answer."""

    def __init__(self, app: ASGIApp) -> None:
        from starlette.middleware.gzip import GZipMiddleware

        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MINIMUM, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _event_stream(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _event_stream(scope: Scope) -> bool:
    if scope.get("path", "") == EVENT_STREAM_PATH:
        return True
    return any(k == b"accept" and b"text/event-stream" in v.lower()
               for k, v in scope.get("headers", []))


class _TooLarge(BaseException):
    """Raised from the counted body: a BaseException, as FastAPI answers any Exception
    raised while it parses a form as 400 "There was an error parsing the body" (an upload
    sent without its length, chunked, was refused so: not as too large)."""


def upload_name(head: bytes) -> str | None:
    """The file name of a multipart body's first file part, from its first bytes (the part's
    Content-Disposition ``filename="..."``); None where it has none."""
    m = re.search(rb'filename="([^"\r\n]{1,255})"', head)
    if m is None:
        return None
    name = m.group(1).decode("utf-8", "replace").replace("%22", '"')
    return name.replace("\\", "/").rsplit("/", 1)[-1] or None


def request_lang(scope: Scope) -> str:
    """The language a request asks for: ``?lang=``, else the dashboard's ``lang`` cookie (the
    page's language, as web/routers/pages.py:_lang chooses it), else Accept-Language;
    English where it says none (an API client: pages.py's default, zh, is the dashboard's)."""
    from starlette.requests import Request as _Request

    from xunfang.web.i18n import LANGS

    request = _Request(scope)
    asked = request.query_params.get("lang") or request.cookies.get("lang") or ""
    if asked in LANGS:
        return asked
    return "zh" if request.headers.get("accept-language", "").lower().startswith("zh") else "en"


def too_large_message(name: str | None, limit: int, lang: str) -> str:
    """A 413's words: the file (where the body named one), the limit in MB and the two ways
    to import a larger file. A review: "request body larger than 16777216 bytes", in English
    on the zh page, without the file or a hint."""
    from xunfang.web.i18n import WORDS

    mb = f"{limit / (1024 * 1024):g}"
    text = WORDS["too_large"][lang].format(mb=mb)
    if name:
        return f"{name}{'：' if lang == 'zh' else ': '}{text}"
    return text


async def _too_large(scope: Scope, send: Send, limit: int, head: bytes = b"") -> None:
    answer: dict[str, object] = {"detail": f"request body larger than {limit} bytes"}
    if scope.get("path") == IMPORT_PATH:  # a file to import: what to do with it, audited
        name = upload_name(head)
        answer = {"detail": too_large_message(name, limit, request_lang(scope)),
                  "limit_bytes": limit, "file": name}
        await asyncio.to_thread(_audit_too_large, scope, name, limit)
    body = json.dumps(answer, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _audit_too_large(scope: Scope, name: str | None, limit: int) -> None:
    """The audit entry of an import refused for its size, where the request's user is known
    (the session cookie or bearer token; none without one): :func:`_audit_refused`."""
    from starlette.requests import Request as _Request

    _audit_refused(_Request(scope), name, 413, f"larger than {limit / (1024 * 1024):g} MB",
                   anonymous=None)


def _audit_refused(request: Request, name: str | None, status: int, why: str, *,
                   anonymous: str | None) -> None:
    """An "import-refused" entry made before the import's handler ran (a 413, FastAPI's own
    form validation), in a transaction of its own, logged on failure: the user the request's
    session or token names, else ``anonymous`` (None: no entry)."""
    from xunfang import store
    from xunfang.web.deps import request_token
    from xunfang.web.routers.incidents import audit_refused

    centre = getattr(getattr(request.scope.get("app"), "state", None), "centre", None)
    if centre is None:
        return
    try:
        u = store.user_for_token(centre.store, request_token(request))
    except Exception:  # (a lost database: the refusal is answered all the same)
        log.exception("could not find the user of an import refused with %s", status)
        u = None
    who = u.name if u is not None else anonymous
    if who is not None:
        audit_refused(centre, who, name or "(no file name)", status, why)


def invalid_reason(errors: Sequence[Any]) -> str:
    """FastAPI's validation errors in short, each as "field: message (type)", for an audit
    entry: "columns: String should have at most 500 characters (string_too_long)"."""
    parts = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "header")]
        parts.append(f"{'.'.join(loc) or 'request'}: {e.get('msg', '')} ({e.get('type', '')})")
    return "; ".join(parts) or "the form is not valid"


def _audit_invalid_import(request: Request, body: object, why: str) -> None:
    """The audit entry ("import-refused", 422) of an import FastAPI's own validation of the
    form refused before the import's handler ran (a review: a columns field of 600
    characters answered 422 string_too_long and left no entry, where README says every
    refused import is audited): the user where the request's session or token names one,
    else "(not logged in)", the file where the form holds one (:func:`_audit_refused`)."""
    got = body.get("file") if hasattr(body, "get") else None
    name = Path(str(getattr(got, "filename", "") or "")).name or None
    _audit_refused(request, name, 422, why, anonymous="(not logged in)")


def static_mounts(app: FastAPI) -> None:
    """Our JS/CSS, Leaflet (xstatic) and plotly.js — all from installed packages, no CDN."""
    import plotly
    import xstatic.pkg.leaflet as leaflet

    app.mount("/static/app", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/plotly",
              StaticFiles(directory=Path(plotly.__file__).parent / "package_data"),
              name="plotly")


#: a refused value longer than this (as JSON) is not echoed back whole, only described
MAX_ECHO_CHARS = 500
#: at most this many validation errors are answered (one more entry counts the rest)
MAX_ERRORS = 100


def _finite(value: Any) -> Any:
    """``value`` with every non-finite number as its text ("nan", "inf"): JSON has none, and
    the answer naming a NaN failed to be written (a review: a fix's ``lon: NaN`` answered
    500, ``speed_kph: Infinity`` dropped the connection)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _echo(value: Any) -> Any:
    """A refused value as an answer quotes it: as it is when short, else described (a
    review: a batch of 100,000 positions, refused for its size, was echoed whole: 6.9 MB)."""
    if isinstance(value, list | tuple | dict) and len(value) > MAX_ECHO_CHARS // 5:
        kind = "an object of" if isinstance(value, dict) else "a list of"
        unit = "fields" if isinstance(value, dict) else "items"
        return f"({kind} {len(value)} {unit}: not echoed)"
    value = _finite(jsonable_encoder(value))
    try:
        size = len(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        value, size = str(value), len(str(value))
    if size <= MAX_ECHO_CHARS:
        return value
    if isinstance(value, list):
        return f"(a list of {len(value)} items, {size} characters as JSON: not echoed)"
    if isinstance(value, dict):
        return f"(an object of {len(value)} fields, {size} characters as JSON: not echoed)"
    return f"{str(value)[:MAX_ECHO_CHARS]}… ({size} characters: cut)"


def validation_errors(errors: Sequence[Any]) -> list[Any]:
    """FastAPI's validation errors as the answer gives them (field, message, type, the value
    refused): each value JSON can hold (non-finite numbers as text), a long one described
    rather than echoed, and at most :data:`MAX_ERRORS` of them."""
    out = []
    for err in errors[:MAX_ERRORS]:
        e = _finite(jsonable_encoder({k: v for k, v in err.items() if k != "input"}))
        if "input" in err:
            e["input"] = _echo(err["input"])
        out.append(e)
    if len(errors) > MAX_ERRORS:
        out.append({"type": "more_errors", "loc": ["body"],
                    "msg": f"{len(errors) - MAX_ERRORS} more errors not shown"})
    return out


def _error_handlers(app: FastAPI) -> None:
    """The store's errors as HTTP answers naming the field and the rule."""
    from xunfang import store

    async def bad_input(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, store.StoreInputError)
        head = str(exc).splitlines()[0]
        return JSONResponse({"detail": {"message": head, "problems":
                                        [p.as_dict() for p in exc.problems]}}, status_code=422)

    def simple(status: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return handler

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        """FastAPI's own answer to a request its validation refused; an import's audited as
        the import's own refusals are (:func:`_audit_invalid_import`)."""
        assert isinstance(exc, RequestValidationError)
        if request.scope.get("path") == IMPORT_PATH:
            await asyncio.to_thread(_audit_invalid_import, request, exc.body,
                                    invalid_reason(exc.errors()))
        return JSONResponse({"detail": validation_errors(exc.errors())}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(store.StoreInputError, bad_input)
    app.add_exception_handler(store.NotFound, simple(404))
    app.add_exception_handler(store.Conflict, simple(409))
    app.add_exception_handler(store.AuthError, simple(401))
    app.add_exception_handler(store.Forbidden, simple(403))
    app.add_exception_handler(store.DatabaseUnavailable, simple(503))
    # any other error of the store (WriteFailed: the database failed a write, rolled back):
    # its message, never a bare "Internal Server Error"
    app.add_exception_handler(store.StoreError, simple(500))


def create_app(centre: Centre, *, tick_seconds: float = 5.0) -> FastAPI:
    """The API and dashboard over ``centre``; every ``tick_seconds`` the centre ticks
    (:meth:`Centre.tick`: the plan covering now made current past midnight, old positions
    pruned hourly, alerts re-evaluated; alerts also after every position batch)."""
    from xunfang.web.routers import (
        alerts,
        auth,
        dispatch,
        incidents,
        kpis,
        pages,
        plans,
        positions,
        rings,
        risk,
        roster,
        scenarios,
        units,
        users,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def tick() -> None:
            while True:
                await asyncio.sleep(tick_seconds)
                try:
                    await asyncio.to_thread(centre.tick)
                except Exception:  # a lost database must not stop the ticks; it is logged
                    log.exception("alert evaluation failed; retried at the next tick")

        task = asyncio.create_task(tick()) if tick_seconds > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(title="xunfang command centre", version=__version__, lifespan=lifespan,
                  # no Swagger/ReDoc pages: FastAPI loads their scripts from a CDN
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.centre = centre
    for r in (auth, scenarios, incidents, risk, plans, roster, rings, kpis, positions, units,
              dispatch, alerts, users, pages):
        app.include_router(r.router)
    _error_handlers(app)
    static_mounts(app)
    app.add_middleware(BodyLimit)
    # (the last added runs first: a cross-origin request is refused before its body is
    # read, and every answer, a 403 or 413 too, has the security headers)
    app.add_middleware(SameOrigin)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Compressed)  # outermost: what the others answer is compressed too
    return app
