"""`xunfang serve`: the database chosen like `user add`, the first administrator printed once,
a plan carried on with or made before serving (--new-plan: made), 127.0.0.1 by default, and
a bad --db refused by name."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from xunfang import store
from xunfang.cli.main import app
from xunfang.web import Centre

runner = CliRunner()


def test_serve_refuses_a_bad_database_url(tmp_path) -> None:
    r = runner.invoke(app, ["serve", "--db", "mysql://x@y/z"])
    assert r.exit_code == 2
    assert "--db: unsupported database URL scheme 'mysql'" in r.output


def test_serve_makes_an_admin_and_a_plan_then_serves(tmp_path, planned, monkeypatch
                                                     ) -> None:
    import uvicorn

    import xunfang.web as web

    sc, result, req = planned
    made: dict[str, object] = {}

    def centre(name: str, *, db: store.Store, seed: int, progress, resume: bool,
               keep_days: float) -> Centre:
        made["scenario"], made["seed"], made["resume"] = name, seed, resume
        made["keep_days"] = keep_days
        return Centre(sc, result, req, db=db)

    def run(app_, host: str, port: int, log_level: str, **kw: object) -> None:
        made["app"], made["host"], made["port"], made["proxy"] = app_, host, port, kw

    monkeypatch.setattr(web, "builtin_centre", centre)
    monkeypatch.setattr(uvicorn, "run", run)
    db = tmp_path / "centre.db"
    monkeypatch.setenv("XUNFANG_DB", str(db))  # the same variable `user add` reads
    r = runner.invoke(app, ["serve", "--port", "8123", "--seed", "4"])
    assert r.exit_code == 0, r.output
    assert made["host"] == "127.0.0.1" and made["port"] == 8123
    assert made["scenario"] == "ebian" and made["seed"] == 4
    assert made["resume"] is True  # a restart carries on with the active plan (resume tests)
    assert made["keep_days"] == 30  # days of positions kept (tests/web/test_centre_tick.py)
    m = re.search(r"user admin \(commander\), password (\S+)", r.output)
    assert m is not None
    st = store.open_store(str(db))
    assert store.authenticate(st, "admin", m.group(1)).role == "commander"
    assert len(store.list_plans(st)) == 1 and store.list_plans(st)[0].active
    # a second start prints no password
    r = runner.invoke(app, ["serve", "--new-plan", "--keep-days", "7"])
    assert r.exit_code == 0 and "password" not in r.output
    assert made["resume"] is False and made["keep_days"] == 7
    r = runner.invoke(app, ["serve", "--keep-days", "0"])
    assert r.exit_code == 2 and "--keep-days" in r.output
    st.dispose()



def test_serve_refuses_a_busy_port_before_planning(tmp_path, monkeypatch) -> None:
    import socket

    import xunfang.web as web

    def centre(*args: object, **kwargs: object) -> None:
        raise AssertionError("planned although the port is busy")

    monkeypatch.setattr(web, "builtin_centre", centre)
    monkeypatch.setenv("XUNFANG_DB", str(tmp_path / "centre.db"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port)])
    assert r.exit_code == 2, r.output
    assert f"--host 127.0.0.1 --port {port}: cannot listen there" in " ".join(r.output.split())
    assert not (tmp_path / "centre.db").exists()  # nothing stored either


def test_serve_and_user_without_the_web_extra_say_what_to_install(monkeypatch) -> None:
    import sys

    for name in ("uvicorn", "sqlalchemy"):
        monkeypatch.setitem(sys.modules, name, None)  # import: ImportError
    for mod in [m for m in sys.modules if m.startswith(("xunfang.store", "xunfang.web"))]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.delattr("xunfang.store", raising=False)
    r = runner.invoke(app, ["serve"])
    assert r.exit_code == 2
    assert "xunfang serve needs the optional package 'uvicorn': pip install 'xunfang[web]'" \
        in " ".join(r.output.split())
    r = runner.invoke(app, ["user", "list"])
    assert r.exit_code == 1 and "pip install 'xunfang[web]'" in " ".join(r.output.split())
    assert "Traceback" not in r.output


def _client_seen(run_kwargs: dict[str, object], forwarded_for: str) -> str:
    """The client address an app sees behind uvicorn configured with ``serve``'s keyword
    arguments, for a request from 127.0.0.1 carrying ``X-Forwarded-For``."""
    import asyncio

    import uvicorn

    seen: list[str] = []

    async def inner(scope, receive, send) -> None:
        seen.append(scope["client"][0])

    config = uvicorn.Config(inner, **run_kwargs)  # type: ignore[arg-type]
    config.load()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/auth/login",
             "raw_path": b"/api/auth/login", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"),
                         (b"x-forwarded-for", forwarded_for.encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message) -> None:
        pass

    asyncio.run(config.loaded_app(scope, receive, send))
    return seen[0]


def test_serve_ignores_x_forwarded_for_unless_a_proxy_is_named(tmp_path, planned,
                                                                 monkeypatch) -> None:
    """Review AS #4: uvicorn.run believes X-Forwarded-For from 127.0.0.1 by default, so a
    local client's forged header gave each wrong login a new address (the throttle never
    answered 429) and the audit recorded it. Off by default; --forwarded-allow-ips names
    the proxy whose header is believed."""
    import uvicorn

    import xunfang.web as web

    sc, result, req = planned
    kwargs: list[dict[str, object]] = []
    monkeypatch.setattr(web, "builtin_centre",
                        lambda name, *, db, **kw: Centre(sc, result, req, db=db))
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kw: kwargs.append(kw))
    monkeypatch.setenv("XUNFANG_DB", str(tmp_path / "centre.db"))
    assert runner.invoke(app, ["serve", "--port", "8124"]).exit_code == 0
    plain = {k: v for k, v in kwargs[-1].items() if k not in ("host", "port")}
    assert _client_seen(plain, "203.0.113.9") == "127.0.0.1"
    r = runner.invoke(app, ["serve", "--port", "8124", "--forwarded-allow-ips", "127.0.0.1"])
    assert r.exit_code == 0, r.output
    proxied = {k: v for k, v in kwargs[-1].items() if k not in ("host", "port")}
    assert _client_seen(proxied, "203.0.113.9") == "203.0.113.9"
    assert "--forwarded-allow-ips" in runner.invoke(app, ["serve", "--help"]).output
