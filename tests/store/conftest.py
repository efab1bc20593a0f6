"""The store's tests run on SQLite and on PostgreSQL.

PostgreSQL comes from ``XUNFANG_TEST_PG`` (``postgresql+psycopg://USER@HOST:PORT/DB``; .ci/run
starts one). Without it the PostgreSQL cases skip locally and fail when ``CI`` is set. Each
test gets an empty database: a new SQLite file, or PostgreSQL's ``public`` schema recreated.
Under pytest-xdist each worker has a database of its own (``<DB>_gw0``, …, made when missing),
so one worker's recreated schema never pulls the tables from under another's test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import JSON, column, create_engine, insert, table, text

from xunfang.plan import Assignment, Plan, make_slots
from xunfang.store import Store, save_scenario, set_hash_cost, upgrade

PG_ENV = "XUNFANG_TEST_PG"
BACKENDS = ("sqlite", "postgresql")
UNITS = ("u1", "u2", "u3")
EXTENT = (1000.0, 2000.0, 9000.0, 8000.0)


@pytest.fixture(autouse=True, scope="session")
def cheap_hashes() -> Iterator[None]:
    """Cheap argon2 parameters: the tests check the logic, not the cost (restored after)."""
    set_hash_cost(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    set_hash_cost()


def pg_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must test the store on PostgreSQL "
                        "(.ci/run starts one)")
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


_made: dict[str, str] = {}


def _worker_database(url: str, worker: str) -> str:
    """``url`` with its database renamed ``<database>_<worker>``, created once if missing."""
    if worker in _made:
        return _made[worker]
    from sqlalchemy.engine import make_url

    from xunfang.store import resolve_url

    base = make_url(resolve_url(url))
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                        {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    _made[worker] = base.set(database=name).render_as_string(hide_password=False)
    return _made[worker]


def empty_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'centre.db'}"
    url = pg_url()
    empty_pg(url)
    return url


@pytest.fixture
def store(empty_url: str) -> Iterator[Store]:
    """A migrated, empty store (fast retries, so failure tests stay quick)."""
    st = Store(empty_url, retries=2, retry_pause=0.01)
    upgrade(st)
    yield st
    st.dispose()


@pytest.fixture
def scenario_id(store: Store) -> int:
    """A stored scenario 'town': units u1-u3, posts p1-p2, grids g1-g2, extent 8 x 6 km."""
    row = save_scenario(store, name="town", extent=EXTENT, actor="test",
                        ids={"units": list(UNITS), "posts": ["p1", "p2"],
                             "grids": ["g1", "g2"]},
                        inputs_hash="h0", crs="local", timezone="Asia/Shanghai")
    return row.id


def make_plan(scenario: str = "town", *, post: str = "p1", grid: str = "g1",
              seed: int = 7) -> Plan:
    """A 1-day, 2-slot plan of units u1-u3."""
    slots = make_slots(date(2026, 11, 1), days=1, slot_minutes=720)
    assignments = []
    for s in slots:
        assignments += [Assignment("u1", s.index, "post", post=post),
                        Assignment("u2", s.index, "grid", grid=grid),
                        Assignment("u3", s.index, "off")]
    return Plan(scenario=scenario, inputs_hash="h0", seed=seed, version="test", slots=slots,
                units=UNITS, assignments=tuple(assignments), stages=("test",))


def insert_old_plan(st: Store, **json_columns: object) -> tuple[int, int]:
    """Scenario 'town' and one plan 'old' written straight into the tables of an older
    schema revision (JSON bound through the dialect's JSON type), for the migration tests;
    ``json_columns`` are the plan's JSON columns that revision has besides ``content``
    (e.g. ``request=...``). Returns (scenario id, plan id)."""
    t = datetime(2026, 1, 1)
    scenarios = table("scenarios", *(column(n) for n in (
        "name", "title", "source", "inputs_hash", "crs", "timezone", "created_at",
        "created_by", "updated_at")), column("extent", JSON), column("ids", JSON))
    plans = table("plans", *(column(n) for n in (
        "scenario_id", "name", "inputs_hash", "seed", "version", "n_slots", "active",
        "created_at", "created_by", "updated_at", "updated_by")), column("content", JSON),
        *(column(k, JSON) for k in json_columns))
    with st.engine.begin() as c:
        c.execute(insert(scenarios).values(
            name="town", title="", source="", inputs_hash="h0", crs="local",
            timezone="Asia/Shanghai", created_at=t, created_by="", updated_at=t,
            extent=list(EXTENT), ids={"units": list(UNITS), "posts": ["p1", "p2"],
                                      "grids": ["g1", "g2"]}))
        sid = c.execute(text("SELECT id FROM scenarios")).scalar_one()
        c.execute(insert(plans).values(
            scenario_id=sid, name="old", inputs_hash="h0", seed=7, version="test",
            n_slots=2, active=True, created_at=t, created_by="", updated_at=t,
            updated_by="", content=make_plan().as_dict(), **json_columns))
        pid = c.execute(text("SELECT id FROM plans")).scalar_one()
    return int(sid), int(pid)
