"""The FastAPI application of the command centre: ``create_app(centre)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xunfang import __version__
from xunfang.web.centre import Centre

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
MAX_BODY = 16 * 1024 * 1024  # bytes of one request body (uploads included)


class BodyLimit:
    """Refuses request bodies above ``limit`` bytes with 413, by header or by counting."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > self.limit:
                await _too_large(send, self.limit)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = (f'{{"detail":"request body larger than {limit} bytes"}}').encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def static_mounts(app: FastAPI) -> None:
    """Our JS/CSS, Leaflet (xstatic) and plotly.js — all from installed packages, no CDN."""
    import plotly
    import xstatic.pkg.leaflet as leaflet

    app.mount("/static/app", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/plotly",
              StaticFiles(directory=Path(plotly.__file__).parent / "package_data"),
              name="plotly")


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

    app.add_exception_handler(store.StoreInputError, bad_input)
    app.add_exception_handler(store.NotFound, simple(404))
    app.add_exception_handler(store.Conflict, simple(409))
    app.add_exception_handler(store.AuthError, simple(401))
    app.add_exception_handler(store.Forbidden, simple(403))
    app.add_exception_handler(store.DatabaseUnavailable, simple(503))


def create_app(centre: Centre, *, tick_seconds: float = 5.0) -> FastAPI:
    """The API and dashboard over ``centre``; alerts are re-evaluated every ``tick_seconds``
    (and after every position batch)."""
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
                    await asyncio.to_thread(centre.live.evaluate)
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
    return app
