"""Users, passwords, login throttling, sessions and the role → action table.

Passwords are hashed with argon2id (argon2-cffi); only the hash is stored. There is no fixed
default password: :func:`ensure_admin` creates a ``commander`` named ``admin`` with a random
password, returned once, when the database has no user at all.

Login throttling: after :data:`MAX_FAILURES` wrong passwords in a row an account is locked for
:data:`LOCK_MINUTES` minutes (a right password is refused too while it is locked); a
successful login resets the count. Unknown names cost the same argon2 work as known ones.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xunfang._errors import Problem
from xunfang.store.audit import write_audit
from xunfang.store.db import Store
from xunfang.store.errors import AuthError, Conflict, Forbidden, NotFound, StoreInputError
from xunfang.store.models import ROLES, SessionRow, UserRow, utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12
MIN_PASSWORD = 8
ADMIN_NAME = "admin"
#: letters (any script), digits, '.', '_', '-'; 1-64 characters, starting with a letter/digit
NAME_RE = re.compile(r"^[^\W_][\w.\-]{0,63}$")

#: What each role may do. Every role may ``view``; writes are listed explicitly.
ACTIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "operator": frozenset({"view", "incident.report", "position.post", "status.post",
                           "alert.ack"}),
    "planner": frozenset({"view", "incident.report", "incident.import", "position.post",
                          "status.post", "alert.ack", "scenario.edit", "plan.edit",
                          "roster.edit", "audit.view"}),
    "commander": frozenset({"view", "incident.report", "incident.import", "position.post",
                            "status.post", "alert.ack", "scenario.edit", "plan.edit",
                            "roster.edit", "audit.view", "user.manage"}),
}
ALL_ACTIONS: frozenset[str] = frozenset().union(*ACTIONS.values())

_hasher = PasswordHasher()  # argon2id, RFC 9106's second recommended parameters
_dummy_hash: str | None = None


def set_hash_cost(*, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
    """Change the argon2 parameters of new hashes (``memory_cost`` in KiB).

    For test suites (a cheap hash keeps them fast) and very small machines; existing hashes
    keep verifying with the parameters they carry, and are rehashed on the next login.
    """
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _dummy_hash = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a password: spends the same time on unknown names")
    return _dummy_hash


class HasRole(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...


def permitted(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (see :data:`ACTIONS`)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}; actions are {', '.join(sorted(ALL_ACTIONS))}")
    return action in ACTIONS.get(role, frozenset())


def require(user: HasRole, action: str) -> None:
    """Raise :class:`Forbidden` unless ``user``'s role permits ``action``."""
    if not permitted(user.role, action):
        raise Forbidden(user.name, user.role, action)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_name(name: object) -> list[Problem]:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        return [Problem("user", "name-format", f"user name {name!r} must be 1-64 letters, "
                        "digits, '.', '_' or '-', starting with a letter or digit",
                        column="name")]
    return []


def _check_role(role: object) -> list[Problem]:
    if role not in ROLES:
        return [Problem("user", "role-known", f"role {role!r} is not one of "
                        f"{', '.join(ROLES)}", column="role")]
    return []


def _check_password(password: object) -> list[Problem]:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return [Problem("user", "password-length",
                        f"the password must have at least {MIN_PASSWORD} characters",
                        column="password")]
    if len(password) > 1024:
        return [Problem("user", "password-length", "the password must have at most 1024 "
                        "characters", column="password")]
    return []


def random_password() -> str:
    """A random password of 16 URL-safe characters (~96 bits)."""
    return secrets.token_urlsafe(12)


def _actor_name(actor: HasRole | str) -> str:
    return actor if isinstance(actor, str) else actor.name


def _require_actor(actor: HasRole | str, action: str) -> None:
    if not isinstance(actor, str):
        require(actor, action)


def create_user(store: Store, name: str, role: str, password: str | None = None, *,
                actor: HasRole | str = "system") -> tuple[UserRow, str]:
    """Create a user; returns the row and the password (a random one when none is given).

    ``actor`` is the user doing it (checked for ``user.manage``) or a string naming a
    system actor (``"cli"``, ``"system"``) that is not checked. Raises
    :class:`StoreInputError` for a bad name, role or password, :class:`Conflict` for a name
    taken.
    """
    _require_actor(actor, "user.manage")
    pw = random_password() if password is None else password
    problems = [*_check_name(name), *_check_role(role), *_check_password(pw)]
    if problems:
        raise StoreInputError(problems, source="user")
    hashed = hash_password(pw)

    def work(s: Session) -> UserRow:
        if s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise Conflict(f"user name {name!r} is taken")
        row = UserRow(name=name, role=role, password_hash=hashed,
                      created_by=_actor_name(actor))
        s.add(row)
        s.flush()
        write_audit(s, _actor_name(actor), "create", "user", row.id,
                    {"name": name, "role": role})
        return row

    try:
        return store.run(work), pw
    except IntegrityError as exc:  # a concurrent insert of the same name
        raise Conflict(f"user name {name!r} is taken") from exc


def ensure_admin(store: Store) -> tuple[str, str] | None:
    """With no user at all, create ``admin`` (commander) with a random password.

    Returns ``(name, password)`` that one time — print it once — and ``None`` when users exist.
    """
    def count(s: Session) -> int:
        return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)

    if store.run(count):
        return None
    try:
        _, pw = create_user(store, ADMIN_NAME, "commander", None, actor="system")
    except Conflict:
        return None  # another process made it first
    return ADMIN_NAME, pw


def get_user(store: Store, name: str) -> UserRow:
    row = store.run(lambda s: s.scalar(select(UserRow).where(UserRow.name == name)))
    if row is None:
        raise NotFound("user", name)
    return row


def list_users(store: Store) -> list[UserRow]:
    return list(store.run(lambda s: s.scalars(select(UserRow).order_by(UserRow.name)).all()))


@dataclass(frozen=True)
class _Outcome:
    user: UserRow | None
    error: str | None = None
    locked_until: datetime | None = None


def authenticate(store: Store, name: str, password: str, *,
                 now: datetime | None = None) -> UserRow:
    """The user with this name and password, or :class:`AuthError` (throttled, audited).

    ``now`` (naive UTC) is for tests. The failure count is stored even though the call raises.
    """
    t = now or utcnow()
    wrong = "wrong user name or password"

    def work(s: Session) -> _Outcome:
        row = s.scalar(select(UserRow).where(UserRow.name == name).with_for_update())
        if row is None or row.disabled:
            verify_password(_dummy(), password)
            write_audit(s, str(name)[:100], "login-failed", "user", "", {"reason": "unknown"},
                        at=t)
            return _Outcome(None, wrong)
        if row.locked_until is not None and row.locked_until > t:
            write_audit(s, row.name, "login-refused", "user", row.id, {"reason": "locked"},
                        at=t)
            return _Outcome(None, "account locked after repeated failed logins; try again "
                            f"after {row.locked_until:%Y-%m-%d %H:%M} UTC", row.locked_until)
        if not verify_password(row.password_hash, password):
            row.failed_logins += 1
            detail: dict[str, object] = {"failures": row.failed_logins}
            locked = None
            if row.failed_logins >= MAX_FAILURES:
                locked = row.locked_until = t + timedelta(minutes=LOCK_MINUTES)
                row.failed_logins = 0
                detail["locked_until"] = locked.isoformat()
            write_audit(s, row.name, "login-failed", "user", row.id, detail, at=t)
            return _Outcome(None, wrong, locked)
        row.failed_logins = 0
        row.locked_until = None
        row.last_login_at = t
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        write_audit(s, row.name, "login", "user", row.id, None, at=t)
        return _Outcome(row)

    out = store.run(work)
    if out.user is None:
        raise AuthError(out.error or wrong, locked_until=out.locked_until)
    return out.user


def set_password(store: Store, name: str, password: str, *,
                 actor: HasRole | str = "system") -> None:
    """Replace a user's password (and unlock the account)."""
    if not (isinstance(actor, str) or actor.name == name):
        require(actor, "user.manage")
    problems = _check_password(password)
    if problems:
        raise StoreInputError(problems, source="user")
    hashed = hash_password(password)

    def work(s: Session) -> None:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise NotFound("user", name)
        row.password_hash = hashed
        row.failed_logins = 0
        row.locked_until = None
        s.execute(update(SessionRow).where(SessionRow.user_id == row.id).values(revoked=True))
        write_audit(s, _actor_name(actor), "set-password", "user", row.id, None)

    store.run(work)


def set_role(store: Store, name: str, role: str, *, actor: HasRole | str = "system") -> None:
    _require_actor(actor, "user.manage")
    problems = _check_role(role)
    if problems:
        raise StoreInputError(problems, source="user")

    def work(s: Session) -> None:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise NotFound("user", name)
        old, row.role = row.role, role
        write_audit(s, _actor_name(actor), "update", "user", row.id, {"role": [old, role]})

    store.run(work)


def set_disabled(store: Store, name: str, disabled: bool, *,
                 actor: HasRole | str = "system") -> None:
    _require_actor(actor, "user.manage")

    def work(s: Session) -> None:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise NotFound("user", name)
        row.disabled = disabled
        if disabled:
            s.execute(update(SessionRow).where(SessionRow.user_id == row.id)
                      .values(revoked=True))
        write_audit(s, _actor_name(actor), "disable" if disabled else "enable", "user", row.id,
                    None)

    store.run(work)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store: Store, user: UserRow, *, hours: float = SESSION_HOURS,
                   now: datetime | None = None) -> str:
    """A new session token for ``user`` (put it in an HttpOnly, SameSite cookie).

    Only its sha256 is stored. Valid for ``hours``.
    """
    token = secrets.token_urlsafe(32)
    t = now or utcnow()

    def work(s: Session) -> None:
        s.add(SessionRow(token_hash=_token_hash(token), user_id=user.id, created_at=t,
                         last_seen_at=t, expires_at=t + timedelta(hours=hours)))

    store.run(work)
    return token


def user_for_token(store: Store, token: str | None, *,
                   now: datetime | None = None) -> UserRow | None:
    """The user of a live session token, ``None`` for a missing, unknown, expired or revoked one.

    Refreshes ``last_seen_at`` at most once a minute.
    """
    if not token or len(token) > 200:
        return None
    t = now or utcnow()
    th = _token_hash(token)

    def work(s: Session) -> UserRow | None:
        row = s.execute(select(SessionRow, UserRow).join(UserRow, UserRow.id == SessionRow.user_id)
                        .where(SessionRow.token_hash == th)).first()
        if row is None:
            return None
        sess, user = row
        if sess.revoked or sess.expires_at <= t or user.disabled:
            return None
        if (t - sess.last_seen_at).total_seconds() > 60:
            sess.last_seen_at = t
        return user

    return store.run(work)


def revoke_session(store: Store, token: str) -> bool:
    """Log out: revoke the token. True if it named a session."""
    th = _token_hash(token)

    def work(s: Session) -> bool:
        res = s.execute(update(SessionRow).where(SessionRow.token_hash == th)
                        .values(revoked=True))
        return bool(getattr(res, "rowcount", 0))

    return store.run(work)


def purge_sessions(store: Store, *, now: datetime | None = None) -> int:
    """Delete expired and revoked sessions (run it now and then); returns how many."""
    t = now or utcnow()

    def work(s: Session) -> int:
        res = s.execute(delete(SessionRow).where(
            (SessionRow.expires_at <= t) | SessionRow.revoked.is_(True)))
        return int(getattr(res, "rowcount", 0) or 0)

    return store.run(work)
