"""Users, passwords, login throttling, sessions and the role → action table.

Passwords are hashed with argon2id (argon2-cffi); only the hash is stored. There is no fixed
default password: :func:`ensure_admin` creates a ``commander`` named ``admin`` with a random
password, returned once, when the database has no user at all.

Login throttling: after :data:`MAX_FAILURES` wrong passwords in a row for one name from one
client address, that name is locked *for that address* for :data:`LOCK_MINUTES` minutes (a
right password from there is refused too); other addresses still log in, so nobody can lock
another's account by typing wrong passwords for it (review AQ #8: five wrong logins for any
name locked it for everyone). An IPv6 address counts by its /64 (:func:`address_group`).
Names that do not exist are counted, locked and answered the same way, the account-wide lock
too, so a lock says nothing about whether a name exists. The account-wide count is kept only
as a ceiling, :data:`ACCOUNT_MAX_FAILURES`: each address group adds at most
:data:`MAX_FAILURES`, so it takes twenty groups (it stops a guesser spread over many
addresses, at the price that such a spread attack can still lock the account for
:data:`LOCK_MINUTES`); failures older than :data:`FAILURE_WINDOW` count no more (review AS
#3: one patient address had reached the ceiling alone). A successful login resets its pair's
count. Unknown names cost the same argon2 work as known ones, and are audited masked
(:func:`audit_name`).

Sessions have a scope (:data:`SCOPES`): a login's is ``full`` (the role's actions); a device
token's (:func:`create_device_token`) is ``device``: only :data:`DEVICE_ACTIONS`, whatever
the role, so a token lost with a device cannot read the centre, manage users or make more
tokens. Device tokens are listed (:func:`list_tokens`), revoked (:func:`revoke_token`) and
their creation and revocation audited.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
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
from xunfang.store.models import ROLES, LoginFailureRow, SessionRow, UserRow, utcnow

#: wrong passwords in a row for one name from one address before that pair is locked
MAX_FAILURES = 5
#: wrong passwords in a row for one account from all addresses together before the account is
#: locked for everyone: twenty times the pair's limit, so that reaching it takes at least
#: twenty addresses (each stopped at MAX_FAILURES, and web.auth.Throttle's 10 failures in
#: 5 minutes per address), while a guesser spread over many addresses is still stopped
ACCOUNT_MAX_FAILURES = 20 * MAX_FAILURES
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

#: A session's scope: ``full`` (a login) or ``device`` (a bearer token for a device or GPS
#: gateway).
SCOPES: tuple[str, ...] = ("full", "device")
#: What a device token may do (if its user's role permits it too): post positions
#: (POST /api/positions) and unit status (PUT /api/units/{unit}/status); nothing else.
DEVICE_ACTIONS: frozenset[str] = frozenset({"position.post", "status.post"})
#: the longest label of a device token
LABEL_MAX = 64

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


def scope_permits(scope: str, action: str) -> bool:
    """Whether a session of ``scope`` (:data:`SCOPES`) may do ``action`` at all (the role is
    checked apart): a full one anything, a device token only :data:`DEVICE_ACTIONS`."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}; actions are {', '.join(sorted(ALL_ACTIONS))}")
    return scope == "full" or (scope == "device" and action in DEVICE_ACTIONS)


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


#: the address of a login whose caller gave none (a safe default: every such login of a
#: name shares one count, as all logins did before addresses were counted)
NO_ADDRESS = "?"
#: the "address" of a name's account-wide row in login_failures: its lock for everyone (no
#: client address is written so)
ACCOUNT = "*"
#: failures older than this count no more, for the pair and the ceiling (review AS #3: they
#: had counted until a success, so one address waiting out each pair lock reached the
#: ceiling in 5.6 h and locked the account for everyone)
FAILURE_WINDOW = timedelta(hours=24)
#: a per-process key for the tag of an unknown name in the audit (see :func:`audit_name`)
_NAME_KEY = secrets.token_bytes(16)


def address_group(address: str) -> str:
    """The unit failed logins are counted by: an IPv6 address's /64 (one client commonly holds
    a whole /64: review AS #3 locked ``planner`` for everyone with 20 addresses of one /64 ×
    5 failures), an IPv4 address (or an IPv4-mapped IPv6 one) as itself; anything else (a
    test client's name, :data:`NO_ADDRESS`) as is."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def audit_name(name: str, known: bool) -> str:
    """The name a failed login is audited under: a known user's as is; an unknown one as
    ``unknown name #`` and a short keyed hash, the same within this process (so repeated
    tries of one name can be told apart from many names), never the text: a password typed
    into the name field had been kept in clear, readable by planners (review AS #6)."""
    if known:
        return name
    tag = hmac.new(_NAME_KEY, name.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"unknown name #{tag[:8]}"


def _pair_failure(s: Session, pair: LoginFailureRow | None, name: str, address: str,
                  t: datetime) -> tuple[LoginFailureRow, datetime | None]:
    """Count one more failure of (``name``, ``address``): the pair's row and the lock's end
    when it locks. Failures older than :data:`FAILURE_WINDOW` are forgotten first."""
    if pair is None:
        pair = LoginFailureRow(name=name, address=address, failures=0, last_failure_at=t)
        s.add(pair)
    elif pair.last_failure_at <= t - FAILURE_WINDOW:
        pair.failures = 0
    pair.failures += 1
    pair.last_failure_at = t
    if pair.failures >= MAX_FAILURES:
        pair.failures = 0
        pair.locked_until = t + timedelta(minutes=LOCK_MINUTES)
        return pair, pair.locked_until
    return pair, None


def _account_failure(s: Session, account: LoginFailureRow | None, name: str, t: datetime
                     ) -> tuple[int, datetime | None]:
    """After a failure of ``name``: its account-wide count and the account lock's end when
    it locks. The count is the sum over the name's address groups of their failures within
    :data:`FAILURE_WINDOW` and since the last account lock, each group counting at most
    :data:`MAX_FAILURES` (a group locked since then counts that), so that reaching
    :data:`ACCOUNT_MAX_FAILURES` takes twenty groups however long one of them waits out its
    locks (review AS #3). Kept for unknown names the same way (a lock says nothing)."""
    s.flush()
    cutoff = t - FAILURE_WINDOW
    if account is not None and account.last_failure_at > cutoff:
        cutoff = account.last_failure_at  # the last account lock's start: counted afresh
    lock = timedelta(minutes=LOCK_MINUTES)
    count = 0
    for pair in s.scalars(select(LoginFailureRow).where(
            LoginFailureRow.name == name, LoginFailureRow.address != ACCOUNT,
            LoginFailureRow.last_failure_at > cutoff)):
        locked_since = None if pair.locked_until is None else pair.locked_until - lock
        count += (MAX_FAILURES if locked_since is not None and locked_since >= cutoff
                  else min(pair.failures, MAX_FAILURES))
    if count < ACCOUNT_MAX_FAILURES:
        return count, None
    if account is None:
        account = LoginFailureRow(name=name, address=ACCOUNT, failures=0, last_failure_at=t)
        s.add(account)
    account.last_failure_at = t
    account.locked_until = t + lock
    return count, account.locked_until


def authenticate(store: Store, name: str, password: str, *, address: str | None = None,
                 now: datetime | None = None) -> UserRow:
    """The user with this name and password, or :class:`AuthError` (throttled, audited).

    ``address`` is the client's (e.g. ``request.client.host``): failures lock the (name,
    address group) pair, not the account (see the module's docstring); an IPv6 address
    counts by its /64 (:func:`address_group`); None counts every such login of the name
    together (:data:`NO_ADDRESS`). ``now`` (naive UTC) is for tests. The failure count is
    stored even though the call raises. A failure of an unknown name is audited under a
    masked name (:func:`audit_name`).
    """
    t = now or utcnow()
    wrong = "wrong user name or password"
    key = str(name)[:64]
    addr = (address or NO_ADDRESS)[:64]
    group = address_group(addr)[:64]

    def work(s: Session) -> _Outcome:
        row = s.scalar(select(UserRow).where(UserRow.name == name).with_for_update())
        who = audit_name(key, row is not None)[:100]
        rows = {r.address: r for r in s.scalars(
            select(LoginFailureRow).where(LoginFailureRow.name == key,
                                          LoginFailureRow.address.in_((group, ACCOUNT)))
            .with_for_update())}
        pair, account = rows.get(group), rows.get(ACCOUNT)
        oid = "" if row is None else row.id
        if pair is not None and pair.locked_until is not None and pair.locked_until > t:
            write_audit(s, who, "login-refused", "user", oid,
                        {"reason": "locked", "address": addr}, at=t)
            return _Outcome(None, "account locked for this address after "
                            f"{MAX_FAILURES} failed logins in a row; try again after "
                            f"{pair.locked_until:%Y-%m-%d %H:%M} UTC",
                            pair.locked_until)
        if account is not None and account.locked_until is not None and account.locked_until > t:
            # answered alike for a name that does not exist: its failures lock it the same
            write_audit(s, who, "login-refused", "user", oid,
                        {"reason": "account-locked", "address": addr}, at=t)
            return _Outcome(None, f"account locked after {ACCOUNT_MAX_FAILURES} failed logins "
                            "from several addresses; try again after "
                            f"{account.locked_until:%Y-%m-%d %H:%M} UTC",
                            account.locked_until)
        known = row is not None and not row.disabled
        if not known:
            verify_password(_dummy(), password)
        elif row is not None and verify_password(row.password_hash, password):
            if pair is not None:
                s.delete(pair)
            row.failed_logins = 0
            row.locked_until = None
            row.last_login_at = t
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            write_audit(s, row.name, "login", "user", row.id, {"address": addr}, at=t)
            return _Outcome(row)
        pair, locked = _pair_failure(s, pair, key, group, t)
        count, account_locked = _account_failure(s, account, key, t)
        detail: dict[str, object] = {"address": addr}
        if group != addr:
            detail["counted_as"] = group
        if known and row is not None:
            row.failed_logins = count
            detail.update(failures=pair.failures or MAX_FAILURES, account_failures=count)
        else:
            detail["reason"] = "unknown"
        if account_locked is not None:
            locked = account_locked
            detail["account_locked_until"] = locked.isoformat()
            if row is not None:
                row.locked_until = locked
            # counted afresh after the account lock (see _account_failure's cutoff)
            s.execute(update(LoginFailureRow).where(
                LoginFailureRow.name == key, LoginFailureRow.address != ACCOUNT)
                .values(failures=0))
        if locked is not None:
            detail["locked_until"] = locked.isoformat()
        write_audit(s, who, "login-failed", "user", oid, detail, at=t)
        return _Outcome(None, wrong, locked)

    try:
        out = store.run(work)
    except IntegrityError:  # a concurrent first failure of the same pair made its row
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
        s.execute(delete(LoginFailureRow).where(LoginFailureRow.name == name))
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
                   now: datetime | None = None, scope: str = "full",
                   label: str | None = None) -> str:
    """A new session token for ``user`` (put it in an HttpOnly, SameSite cookie).

    Only its sha256 is stored. Valid for ``hours``. ``scope`` is one of :data:`SCOPES`;
    device tokens are made by :func:`create_device_token` (audited).
    """
    return _new_session(store, user, hours=hours, now=now, scope=scope, label=label)[0]


def _new_session(store: Store, user: UserRow, *, hours: float, now: datetime | None,
                 scope: str, label: str | None, actor: str | None = None
                 ) -> tuple[str, SessionRow]:
    if scope not in SCOPES:
        raise ValueError(f"session scope {scope!r} is not one of {', '.join(SCOPES)}")
    token = secrets.token_urlsafe(32)
    t = now or utcnow()

    def work(s: Session) -> SessionRow:
        row = SessionRow(token_hash=_token_hash(token), user_id=user.id, created_at=t,
                         last_seen_at=t, expires_at=t + timedelta(hours=hours), scope=scope,
                         label=label)
        s.add(row)
        if actor is not None:
            s.flush()
            write_audit(s, actor, "create", "token", row.id,
                        {"user": user.name, "label": label, "scope": scope,
                         "expires_at": row.expires_at.isoformat()}, at=t)
        return row

    return token, store.run(work)


def _check_label(label: object) -> list[Problem]:
    if label is None:
        return []
    if (not isinstance(label, str) or not 1 <= len(label) <= LABEL_MAX
            or any(ch in label for ch in "<>&\"'`\\") or not label.isprintable()):
        return [Problem("token", "label-format", f"the label must have 1-{LABEL_MAX} printable "
                        "characters without markup or quotes (< > & \" ' ` \\)",
                        column="label")]
    return []


@dataclass(frozen=True)
class TokenInfo:
    """A device token as listed (never its secret: only its hash is stored)."""

    id: int
    user: str
    label: str | None
    created_at: datetime
    expires_at: datetime
    #: when it was last used (to the minute: user_for_token refreshes it at most once a minute)
    last_used_at: datetime

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "user": self.user, "label": self.label,
                "created_at": self.created_at, "expires_at": self.expires_at,
                "last_used_at": self.last_used_at}


def _info(sess: SessionRow, user: UserRow) -> TokenInfo:
    return TokenInfo(sess.id, user.name, sess.label, sess.created_at, sess.expires_at,
                     sess.last_seen_at)


def create_device_token(store: Store, user: UserRow, *, label: str | None = None,
                        hours: float, now: datetime | None = None) -> tuple[str, TokenInfo]:
    """A bearer token (scope ``device``: :data:`DEVICE_ACTIONS` only) for a device or GPS
    gateway posting as ``user``; its creation is audited (who, label, expiry). Returns the
    token (shown once) and what :func:`list_tokens` shows of it. :class:`StoreInputError`
    for a bad label."""
    problems = _check_label(label)
    if problems:
        raise StoreInputError(problems, source="token")
    token, row = _new_session(store, user, hours=hours, now=now, scope="device", label=label,
                              actor=user.name)
    return token, _info(row, user)


def list_tokens(store: Store, actor: HasRole | str, *, now: datetime | None = None
                ) -> list[TokenInfo]:
    """The live (neither expired nor revoked) device tokens: every user's for a role that may
    ``user.manage`` or a system actor (a string, e.g. ``"cli"``), else ``actor``'s own;
    oldest first."""
    t = now or utcnow()

    def work(s: Session) -> list[TokenInfo]:
        q = (select(SessionRow, UserRow).join(UserRow, UserRow.id == SessionRow.user_id)
             .where(SessionRow.scope == "device", SessionRow.revoked.is_(False),
                    SessionRow.expires_at > t))
        if not (isinstance(actor, str) or permitted(actor.role, "user.manage")):
            q = q.where(UserRow.name == actor.name)
        return [_info(sess, u) for sess, u in s.execute(q.order_by(SessionRow.id)).all()]

    return store.run(work)


def revoke_token(store: Store, token_id: int, actor: HasRole | str) -> TokenInfo:
    """Revoke the device token ``token_id`` (audited); a user may revoke their own, a role
    that may ``user.manage`` anyone's. :class:`NotFound` for no such device token (also
    for another user's, to a user who may not manage users: it is not theirs to know of)."""

    def work(s: Session) -> TokenInfo:
        found = s.execute(select(SessionRow, UserRow)
                          .join(UserRow, UserRow.id == SessionRow.user_id)
                          .where(SessionRow.id == token_id, SessionRow.scope == "device")
                          ).first()
        if found is None:
            raise NotFound("device token", token_id)
        sess, u = found
        if not (isinstance(actor, str) or actor.name == u.name
                or permitted(actor.role, "user.manage")):
            raise NotFound("device token", token_id)
        was = sess.revoked
        sess.revoked = True
        write_audit(s, _actor_name(actor), "revoke", "token", sess.id,
                    {"user": u.name, "label": sess.label,
                     "expires_at": sess.expires_at.isoformat(),
                     **({"already_revoked": True} if was else {})})
        return _info(sess, u)

    return store.run(work)


def session_for_token(store: Store, token: str | None, *, now: datetime | None = None
                      ) -> tuple[UserRow, str] | None:
    """The user and scope (:data:`SCOPES`) of a live session token; ``None`` for a missing,
    unknown, expired or revoked one (or a disabled user's).

    Refreshes ``last_seen_at`` at most once a minute.
    """
    if not token or len(token) > 200:
        return None
    t = now or utcnow()
    th = _token_hash(token)

    def work(s: Session) -> tuple[UserRow, str] | None:
        row = s.execute(select(SessionRow, UserRow).join(UserRow, UserRow.id == SessionRow.user_id)
                        .where(SessionRow.token_hash == th)).first()
        if row is None:
            return None
        sess, user = row
        if sess.revoked or sess.expires_at <= t or user.disabled:
            return None
        if (t - sess.last_seen_at).total_seconds() > 60:
            sess.last_seen_at = t
        return user, sess.scope

    return store.run(work)


def user_for_token(store: Store, token: str | None, *,
                   now: datetime | None = None) -> UserRow | None:
    """The user of a live session token of any scope, ``None`` for a missing, unknown,
    expired or revoked one (what the token may do: :func:`session_for_token`'s scope).

    Refreshes ``last_seen_at`` at most once a minute.
    """
    found = session_for_token(store, token, now=now)
    return None if found is None else found[0]


def revoke_session(store: Store, token: str) -> bool:
    """Log out: revoke the token. True if it named a session."""
    th = _token_hash(token)

    def work(s: Session) -> bool:
        res = s.execute(update(SessionRow).where(SessionRow.token_hash == th)
                        .values(revoked=True))
        return bool(getattr(res, "rowcount", 0))

    return store.run(work)


def purge_sessions(store: Store, *, now: datetime | None = None) -> int:
    """Delete expired and revoked sessions, and stale failed-login counts (run it now and
    then); returns how many sessions."""
    t = now or utcnow()

    def work(s: Session) -> int:
        res = s.execute(delete(SessionRow).where(
            (SessionRow.expires_at <= t) | SessionRow.revoked.is_(True)))
        # failed-login counts a day old and not locked any more (they only ever grow by
        # wrong logins, so a name typed once from an address would stay for ever)
        s.execute(delete(LoginFailureRow).where(
            LoginFailureRow.last_failure_at <= t - FAILURE_WINDOW,
            (LoginFailureRow.locked_until.is_(None)) | (LoginFailureRow.locked_until <= t)))
        return int(getattr(res, "rowcount", 0) or 0)

    return store.run(work)
