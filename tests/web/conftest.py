"""Fixtures of the web tests: one plan of the built-in county (made once), a fresh store per
centre (SQLite, and PostgreSQL when XUNFANG_TEST_PG names one — required when CI is set)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # starlette asks for the httpx2 fork at import; httpx is what the test extra installs
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from xunfang import scenario as scenario_mod
from xunfang import store
from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.scenario.model import Scenario
from xunfang.web import Centre, create_app
from xunfang.web.auth import Throttle
from xunfang.web.live import LiveSettings

PLAN_DAY = date(2026, 12, 1)
#: 10:30 in Ebian (Asia/Shanghai) on the plan's day
T0 = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
PASSWORD = "correct horse 1"
ROLES = ("commander", "planner", "operator", "viewer")


class FakeClock:
    def __init__(self, t: datetime = T0) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def advance(self, minutes: float) -> None:
        self.t += timedelta(minutes=minutes)


@pytest.fixture(scope="session")
def planned() -> tuple[Scenario, PlanResult, PlanRequest]:
    sc = scenario_mod.load("ebian")
    req = PlanRequest(start=PLAN_DAY, days=1, seed=0)
    return sc, build_plan(sc, req), req


def _databases() -> list[str]:
    dbs = ["sqlite"]
    if os.environ.get("XUNFANG_TEST_PG") or os.environ.get("CI"):
        dbs.append("postgresql")
    return dbs


@pytest.fixture(scope="session", params=_databases())
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fresh_store(kind: str, folder: Path) -> store.Store:
    if kind == "sqlite":
        return store.open_store(f"sqlite:///{folder / 'centre.db'}")
    url = os.environ.get("XUNFANG_TEST_PG")
    if not url:
        pytest.fail("CI is set but XUNFANG_TEST_PG names no PostgreSQL database")
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(store.resolve_url(url))
    name = f"{base.database}_web_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return store.open_store(base.set(database=name).render_as_string(hide_password=False))


@dataclass
class Env:
    centre: Centre
    clock: FakeClock
    client: TestClient
    scenario: Scenario
    _clients: dict[str, TestClient] = field(default_factory=dict)

    def login(self, role: str, *, fresh: bool = False) -> TestClient:
        """A client logged in as the user of ``role`` (each role has one user); the same
        client again unless ``fresh`` (argon2 costs a tenth of a second per login)."""
        if not fresh and role in self._clients:
            return self._clients[role]
        cl = TestClient(self.client.app)
        r = cl.post("/api/auth/login", json={"name": role, "password": PASSWORD})
        assert r.status_code == 200, r.text
        if not fresh:
            self._clients[role] = cl
        return cl


_HASH: list[str] = []


def add_users(db: store.Store) -> None:
    """One user per role, named after it, all with PASSWORD. The argon2 hash (a third of a
    second) is computed once per test session; store.create_user is tested by the store."""
    if not _HASH:
        _HASH.append(store.hash_password(PASSWORD))

    def work(s: object) -> None:
        for role in ROLES:
            s.add(store.UserRow(name=role, role=role, password_hash=_HASH[0],  # type: ignore[attr-defined]
                                created_by="test"))

    db.run(work)


def make_env(planned: tuple[Scenario, PlanResult, PlanRequest], kind: str, folder: Path,
             settings: LiveSettings | None = None, throttle: Throttle | None = None) -> Env:
    sc, result, req = planned
    db = fresh_store(kind, folder)
    add_users(db)
    clock = FakeClock()
    centre = Centre(sc, result, req, db=db, clock=clock, settings=settings, throttle=throttle)
    app = create_app(centre, tick_seconds=0)
    return Env(centre=centre, clock=clock, client=TestClient(app), scenario=sc)


@pytest.fixture(scope="module")
def env(planned: tuple[Scenario, PlanResult, PlanRequest], db_kind: str,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    e = make_env(planned, db_kind, tmp_path_factory.mktemp("web"))
    yield e
    e.centre.store.dispose()


@pytest.fixture
def new_env(planned: tuple[Scenario, PlanResult, PlanRequest], db_kind: str,
            tmp_path: Path) -> Iterator[Callable[..., Env]]:
    made: list[Env] = []

    def make(**kw: object) -> Env:
        e = make_env(planned, db_kind, tmp_path / str(len(made)), **kw)  # type: ignore[arg-type]
        made.append(e)
        return e

    yield make
    for e in made:
        e.centre.store.dispose()


@pytest.fixture
def town(make_scenario: Callable[..., Path], db_kind: str, tmp_path: Path) -> Iterator[Env]:
    """A centre on the small lattice town (two grids, each with a tier-1 site a car can stand
    to hold; tests.planning.test_routes.LATTICE): a plan takes about a second."""
    from tests.planning.test_routes import LATTICE

    sc = scenario_mod.load(make_scenario(LATTICE))
    req = PlanRequest(start=PLAN_DAY)
    e = make_env((sc, build_plan(sc, req), req), db_kind, tmp_path)
    yield e
    e.centre.store.dispose()


def restart(e: Env) -> tuple[Centre, TestClient]:
    """The server started again on ``e``'s database: a new store and centre (which makes its
    own first plan), nothing kept in memory; a planner logged in."""
    db = store.open_store(e.centre.store.url)
    sc = e.centre.scenario
    req = PlanRequest(start=PLAN_DAY, seed=1)
    centre = Centre(sc, build_plan(sc, req, network=e.centre.network), req, db=db,
                    clock=e.clock)
    client = TestClient(create_app(centre, tick_seconds=0))
    r = client.post("/api/auth/login", json={"name": "planner", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return centre, client


@contextmanager
def serving_app(centre: Centre, *, tick_seconds: float = 0) -> Iterator[str]:
    """``centre`` behind a real uvicorn server on a free port, in a thread, for the browser
    tests; yields its base URL and stops it after."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(centre, tick_seconds=tick_seconds), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
