"""The tables of the command centre (SQLAlchemy 2 declarative models).

All timestamps are naive UTC (``DateTime`` without time zone, the same on SQLite and
PostgreSQL); the store converts aware datetimes to UTC on the way in. Incident times are the
scenario's naive local time, as everywhere else in xunfang. JSON columns hold the documents the
core already writes (``plan.json``, the roster's JSON), unchanged.

The schema is created and upgraded by the Alembic migrations in ``xunfang/store/migrations``
(:func:`xunfang.store.upgrade`), never by ``create_all``; a test checks they agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES: tuple[str, ...] = ("commander", "planner", "operator", "viewer")
UNIT_STATUSES: tuple[str, ...] = ("available", "patrolling", "responding", "busy", "off")
ALERT_SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")

# names of constraints are fixed so that migrations can refer to them on both backends
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# a 64-bit id on PostgreSQL, SQLite's rowid alias (INTEGER PRIMARY KEY) on SQLite
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Now as naive UTC, the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(t: datetime) -> datetime:
    """``t`` in the form every timestamp column holds: naive UTC (a naive ``t`` is taken as
    that already)."""
    return t if t.tzinfo is None else t.astimezone(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ScenarioRow(Base):
    """A jurisdiction known to the centre: where it was loaded from and what ids it has.

    ``extent`` is the bounding box of the road network in the working CRS
    (``[min_x, min_y, max_x, max_y]``, metres) — positions far outside it are refused.
    ``ids`` holds the scenario's ids by kind (``units``, ``posts``, ``grids``, ``zones``,
    ``rings``, ``sites``) so that unknown ids are refused without loading the folder.
    """

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(400), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    inputs_hash: Mapped[str] = mapped_column(String(64), default="")
    crs: Mapped[str] = mapped_column(String(64), default="local")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    extent: Mapped[list[Any]] = mapped_column(JSON)
    ids: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IncidentRow(Base):
    """An incident: from the history (``source='history'``) or reported live (``'live'``)."""

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("scenario_id", "ext_id"),
        Index(None, "scenario_id", "time"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    ext_id: Mapped[str] = mapped_column(String(100))
    time: Mapped[datetime] = mapped_column(DateTime)  # scenario local time
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(100), default="")
    priority: Mapped[int] = mapped_column(Integer, default=3)
    source: Mapped[str] = mapped_column(String(20), default="history")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class PlanRow(Base):
    """A plan as ``plan.json`` holds it, with its provenance (inputs' hash, seed, request) and
    the rest of its plan.json (stages, scenario, version)."""

    __tablename__ = "plans"
    __table_args__ = (Index(None, "scenario_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    inputs_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[str] = mapped_column(String(50), default="")
    start: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # first slot
    slot_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    n_slots: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # Plan.as_dict()
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    # plan.json's request (pins, non-default deployment options: what a re-plan reads);
    # NULL: not recorded (plans stored before revision 0003)
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # plan.json's stages (posture, checkpoints, routes, intel, ...: what a re-plan and the
    # report read) and its header, the other top-level fields (xunfang_version, scenario);
    # NULL: not recorded (plans stored before revision 0004, or whose content was replaced)
    stages: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    header: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # the plan this one re-plans (None: made by planning), and whether a roll-over may make
    # it current by itself: a re-plan may not until a planner has made it current once
    # (revision 0006)
    from_plan: Mapped[int | None] = mapped_column(Integer, nullable=True)
    takes_over: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class RosterRow(Base):
    """A duty roster (RosterResult's JSON), optionally tied to the plan it serves."""

    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class PositionRow(Base):
    """One reported position of a unit (time series; written in batches)."""

    __tablename__ = "unit_positions"
    __table_args__ = (Index(None, "scenario_id", "unit", "t"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(100))
    t: Mapped[datetime] = mapped_column(DateTime)  # UTC
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    speed_kph: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class UnitLastRow(Base):
    """Each unit's last stored position (kept by :func:`record_positions` in the same
    transaction): the live map reads it, and the time-order check needs no scan of history."""

    __tablename__ = "unit_last"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(100), primary_key=True)
    t: Mapped[datetime] = mapped_column(DateTime)  # UTC
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    speed_kph: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StatusRow(Base):
    """A change of a unit's status (available, patrolling, responding, busy, off)."""

    __tablename__ = "unit_status"
    __table_args__ = (Index(None, "scenario_id", "unit", "t"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(100))
    t: Mapped[datetime] = mapped_column(DateTime)  # UTC
    status: Mapped[str] = mapped_column(String(20))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")


class AlertRow(Base):
    """An alert: open until cleared; ``kind`` + ``subject`` identify it while it is open."""

    __tablename__ = "alerts"
    __table_args__ = (Index(None, "scenario_id", "cleared_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(50))  # e.g. site_overdue, unit_outside_grid
    subject: Mapped[str] = mapped_column(String(200))  # the site/unit/checkpoint/ring id
    severity: Mapped[str] = mapped_column(String(20), default="warning")
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class UserRow(Base):
    """A person who may log in. ``password_hash`` is argon2id; no password is ever stored."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class SessionRow(Base):
    """A login session. Only the sha256 of the token is stored; the token goes in a cookie."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "full" (a login: the role's every action) or "device" (a bearer token a device or GPS
    #: gateway posts with: positions and unit status only; xunfang.store.auth.SCOPES)
    scope: Mapped[str] = mapped_column(String(20), default="full", server_default="full")
    #: a device token's label (which device or gateway holds it); None for a login
    label: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LoginFailureRow(Base):
    """Failed logins of one name from one client address, and the lock they earned.

    Keyed by the name as typed (known or not, so a lock says nothing about whether the name
    exists) and the address, so that wrong passwords from one address do not lock the
    account for everyone else (review AQ #8).
    """

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("name", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditRow(Base):
    """Who did what to which object, and when (append only)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "object_type", "object_id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(100))  # the user's name at the time
    action: Mapped[str] = mapped_column(String(50))  # create, update, delete, login, …
    object_type: Mapped[str] = mapped_column(String(50))  # plan, roster, scenario, user, …
    object_id: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


#: the largest row id the store holds: its ids are Integer columns, 32-bit on PostgreSQL
#: (the API bounds id parameters by it: 2**63 - 1, SQLite's, still failed on PostgreSQL with
#: "integer out of range", a 500)
MAX_ROW_ID = 2**31 - 1
