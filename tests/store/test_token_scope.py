"""Sessions' scope and device tokens (review AQ #2), and failed logins counted per (name,
client address) (review AQ #8): the store's side, and migration 0005 on a database at 0004."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from xunfang.store import (
    LOCK_MINUTES,
    MAX_FAILURES,
    AuthError,
    NotFound,
    Store,
    StoreInputError,
    authenticate,
    create_session,
    create_user,
    current_revision,
    get_user,
    list_audit,
    purge_sessions,
    set_password,
    upgrade,
    utcnow,
)
from xunfang.store import auth as accounts
from xunfang.store.auth import (
    ACCOUNT_MAX_FAILURES,
    create_device_token,
    list_tokens,
    revoke_token,
    session_for_token,
)
from xunfang.store.migrate import downgrade


def _fail(store: Store, name: str, address: str | None, t: datetime, n: int = 1) -> AuthError:
    err = None
    for _ in range(n):
        with pytest.raises(AuthError) as info:
            authenticate(store, name, "wrong-wrong", address=address, now=t)
        err = info.value
    assert err is not None
    return err


# ---- failed logins lock a (name, address) pair ------------------------------------------------
def test_failures_from_one_address_do_not_lock_the_others(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    last = _fail(store, "ann", "203.0.113.9", t0, MAX_FAILURES)
    assert last.locked_until == t0 + timedelta(minutes=LOCK_MINUTES)
    with pytest.raises(AuthError, match="account locked for this address"):
        authenticate(store, "ann", "password-1", address="203.0.113.9", now=t0)
    assert authenticate(store, "ann", "password-1", address="10.0.0.1", now=t0).name == "ann"
    # the success from elsewhere does not lift the attacker's lock; its end does
    with pytest.raises(AuthError, match="account locked for this address"):
        authenticate(store, "ann", "password-1", address="203.0.113.9",
                     now=t0 + timedelta(minutes=1))
    later = t0 + timedelta(minutes=LOCK_MINUTES, seconds=1)
    assert authenticate(store, "ann", "password-1", address="203.0.113.9", now=later)
    refused = [a for a in list_audit(store, user="ann") if a.action == "login-refused"]
    assert refused and all(a.detail and a.detail["address"] == "203.0.113.9" for a in refused)


def test_without_an_address_the_name_is_locked_for_every_caller_without_one(
        store: Store) -> None:
    """The safe default of callers that pass no address: one count for all of them."""
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    _fail(store, "ann", None, t0, MAX_FAILURES)
    with pytest.raises(AuthError, match="account locked for this address"):
        authenticate(store, "ann", "password-1", now=t0)
    assert authenticate(store, "ann", "password-1", address="10.0.0.1", now=t0)


def test_unknown_names_are_locked_like_known_ones(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    said = {}
    for name in ("ann", "nobody"):
        said[name] = [str(_fail(store, name, "198.51.100.7", t0)) for _ in range(MAX_FAILURES + 1)]
    assert said["ann"] == said["nobody"]
    assert said["ann"][-1].startswith("account locked for this address")


def test_the_account_wide_ceiling_stops_a_guesser_spread_over_addresses(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    for i in range(ACCOUNT_MAX_FAILURES):
        _fail(store, "ann", f"10.9.{i // 250}.{i % 250}", t0)
    assert get_user(store, "ann").locked_until == t0 + timedelta(minutes=LOCK_MINUTES)
    with pytest.raises(AuthError, match=f"account locked after {ACCOUNT_MAX_FAILURES} failed"):
        authenticate(store, "ann", "password-1", address="10.0.0.1", now=t0)
    # fewer, from as many addresses, lock nothing
    create_user(store, "bob", "viewer", "password-1")
    for i in range(ACCOUNT_MAX_FAILURES - 1):
        _fail(store, "bob", f"10.8.{i // 250}.{i % 250}", t0)
    assert authenticate(store, "bob", "password-1", address="10.0.0.1", now=t0)


def test_a_new_password_lifts_every_lock_and_purge_forgets_old_counts(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    _fail(store, "ann", "203.0.113.9", t0, MAX_FAILURES)
    set_password(store, "ann", "password-2")
    assert authenticate(store, "ann", "password-2", address="203.0.113.9", now=t0)
    _fail(store, "nobody", "203.0.113.9", t0)
    _fail(store, "nobody", "203.0.113.8", t0 + timedelta(days=1))

    def pairs() -> int:
        with store.engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM login_failures")).scalar_one())

    assert pairs() == 2
    purge_sessions(store, now=t0 + timedelta(days=1, minutes=1))
    assert pairs() == 1


# ---- device tokens ------------------------------------------------------------------------------
def test_device_tokens_are_scoped_listed_revoked_and_audited(store: Store) -> None:
    cmd, _ = create_user(store, "chief", "commander", "password-1")
    op, _ = create_user(store, "ann", "operator", "password-1")
    login = create_session(store, op)
    tok, info = create_device_token(store, op, label="car 7", hours=24)
    assert session_for_token(store, login) is not None
    assert session_for_token(store, login)[1] == "full"  # type: ignore[index]
    found = session_for_token(store, tok)
    assert found is not None and found[0].name == "ann" and found[1] == "device"
    assert info.label == "car 7" and info.expires_at - info.created_at == timedelta(hours=24)
    tok2, info2 = create_device_token(store, cmd, hours=24)
    # a commander sees both, the operator their own; logins are not listed
    assert [i.id for i in list_tokens(store, cmd)] == [info.id, info2.id]
    assert [i.id for i in list_tokens(store, op)] == [info.id]
    with pytest.raises(NotFound, match=f"no device token with id {info2.id}"):
        revoke_token(store, info2.id, op)
    with pytest.raises(NotFound):
        revoke_token(store, 10**6, cmd)
    assert revoke_token(store, info.id, cmd).label == "car 7"
    assert session_for_token(store, tok) is None and session_for_token(store, tok2) is not None
    entries = [(a.action, a.user, a.object_id, (a.detail or {}).get("label"))
               for a in list_audit(store, object_type="token")]
    assert sorted(entries) == sorted([("create", "ann", str(info.id), "car 7"),
                                      ("create", "chief", str(info2.id), None),
                                      ("revoke", "chief", str(info.id), "car 7")])


def test_scope_and_label_are_checked(store: Store) -> None:
    op, _ = create_user(store, "ann", "operator", "password-1")
    with pytest.raises(StoreInputError, match="label"):
        create_device_token(store, op, label="<b>", hours=1)
    with pytest.raises(ValueError, match="session scope 'root' is not one of full, device"):
        create_session(store, op, scope="root")
    assert accounts.scope_permits("device", "position.post")
    assert not accounts.scope_permits("device", "view")
    assert not accounts.scope_permits("device", "user.manage")
    assert accounts.scope_permits("full", "user.manage")


def test_0005_gives_existing_sessions_the_full_scope(empty_url: str) -> None:
    """A database at 0004 with a user and a live session: after the upgrade the session is a
    login (scope full, no label) that still works; downgrading takes the columns and the
    login_failures table away and keeps the session."""
    st = upgrade(empty_url, "0004")
    try:
        assert current_revision(st) == "0004"
        t = utcnow()
        with st.engine.begin() as c:
            c.execute(text("INSERT INTO users (id, name, role, password_hash, failed_logins, "
                           "disabled, created_at, created_by) VALUES (1, 'ann', 'operator', "
                           "'x', 0, false, :t, '')"), {"t": t})
            c.execute(text("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, "
                           "last_seen_at, revoked) VALUES (:h, 1, :t, :e, :t, false)"),
                      {"h": accounts._token_hash("old-token"), "t": t,
                       "e": t + timedelta(hours=1)})
        assert "login_failures" not in inspect(st.engine).get_table_names()
        upgrade(st, "0005")
        assert current_revision(st) == "0005"
        found = session_for_token(st, "old-token")
        assert found is not None and found[0].name == "ann" and found[1] == "full"
        with st.engine.connect() as c:
            assert c.execute(text("SELECT scope, label FROM sessions")).one() == ("full", None)
        downgrade(st, "0004")
        columns = {c["name"] for c in inspect(st.engine).get_columns("sessions")}
        assert not {"scope", "label"} & columns
        assert "login_failures" not in inspect(st.engine).get_table_names()
        with st.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM sessions")).scalar_one() == 1
    finally:
        st.dispose()
