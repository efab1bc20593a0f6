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

    def run(app_, host: str, port: int, log_level: str) -> None:
        made["app"], made["host"], made["port"] = app_, host, port

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
