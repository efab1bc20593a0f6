"""Security review AS #3 and #6: the account-wide ceiling of failed logins takes twenty
address groups (an IPv6 /64 is one), forgets failures a day old, and answers an unknown name
as a known one; a failed login of an unknown name is audited masked, not as typed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from xunfang.store import (
    LOCK_MINUTES,
    MAX_FAILURES,
    AuthError,
    Store,
    authenticate,
    create_user,
    list_audit,
    utcnow,
)
from xunfang.store.auth import ACCOUNT_MAX_FAILURES, FAILURE_WINDOW, address_group

GROUPS = ACCOUNT_MAX_FAILURES // MAX_FAILURES  # address groups needed to reach the ceiling


def _fail(store: Store, name: str, address: str, t: datetime, n: int = 1,
          password: str = "wrong-wrong") -> str:
    said = ""
    for _ in range(n):
        with pytest.raises(AuthError) as info:
            authenticate(store, name, password, address=address, now=t)
        said = str(info.value)
    return said


def test_one_address_waiting_out_its_locks_never_locks_the_account(store: Store) -> None:
    """The review: one address waiting out each 15-minute pair lock reached the 100 in 5.6 h."""
    create_user(store, "ann", "viewer", "password-1")
    t = utcnow()
    for i in range(GROUPS):  # the ceiling's failures, in five hours
        if i:
            t += timedelta(minutes=LOCK_MINUTES, seconds=1)  # the pair's lock waited out
        _fail(store, "ann", "203.0.113.9", t, MAX_FAILURES)
    assert authenticate(store, "ann", "password-1", address="10.0.0.1", now=t).name == "ann"


def test_failures_a_window_old_count_no_more(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    for i in range(GROUPS - 1):
        _fail(store, "ann", f"10.9.0.{i}", t0, MAX_FAILURES)
    later = t0 + FAILURE_WINDOW + timedelta(minutes=1)
    _fail(store, "ann", "10.9.1.1", later, MAX_FAILURES)  # the ceiling's count, with the old
    assert authenticate(store, "ann", "password-1", address="10.0.0.1", now=later)
    # within the window the same spread locks the account for everyone
    create_user(store, "bob", "viewer", "password-1")
    for i in range(GROUPS):
        _fail(store, "bob", f"10.8.0.{i}", t0, MAX_FAILURES)
    with pytest.raises(AuthError, match=f"account locked after {ACCOUNT_MAX_FAILURES}"):
        authenticate(store, "bob", "password-1", address="10.0.0.1", now=t0)
    # and the lock ends; the count starts afresh after it
    after = t0 + timedelta(minutes=LOCK_MINUTES, seconds=1)
    _fail(store, "bob", "10.8.0.0", after)
    assert authenticate(store, "bob", "password-1", address="10.0.0.1", now=after)


def test_an_ipv6_64_counts_as_one_address(store: Store) -> None:
    """The review: 20 addresses of one /64 × 5 failures locked ``planner`` for everyone."""
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    said = [_fail(store, "ann", f"2001:db8:1:2::{i:x}", t0, MAX_FAILURES)
            for i in range(1, GROUPS + 1)]
    assert said[0] == "wrong user name or password"
    assert all(x.startswith("account locked for this address") for x in said[1:])
    with pytest.raises(AuthError, match="account locked for this address"):
        authenticate(store, "ann", "password-1", address="2001:db8:1:2:ffff::1", now=t0)
    assert authenticate(store, "ann", "password-1", address="2001:db8:1:3::1", now=t0)
    assert authenticate(store, "ann", "password-1", address="10.0.0.1", now=t0)
    assert address_group("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert address_group("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_group("192.0.2.7") == "192.0.2.7" and address_group("?") == "?"


def test_an_unknown_name_at_the_ceiling_is_answered_as_a_known_one(store: Store) -> None:
    """The review: only real accounts got the account-wide message, so it named them."""
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    said: dict[str, list[str]] = {}
    for name in ("ann", "nobody"):
        said[name] = [_fail(store, name, f"10.7.0.{i}", t0, MAX_FAILURES)
                      for i in range(GROUPS)]
        said[name].append(_fail(store, name, "10.6.0.1", t0, password="password-1"))
    assert said["ann"] == said["nobody"]
    assert said["ann"][-1].startswith(f"account locked after {ACCOUNT_MAX_FAILURES}")


def test_a_failed_login_of_an_unknown_name_is_audited_masked(store: Store) -> None:
    """The review: a password typed into the name field was kept in clear for planners."""
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    typed = "Secret-pass-42"
    _fail(store, typed, "10.5.0.1", t0, MAX_FAILURES + 1)  # failed, then refused (locked)
    _fail(store, "ann", "10.5.0.1", t0)
    entries = [a for a in list_audit(store, object_type="user") if a.action.startswith("login")]
    assert all(typed not in f"{a.user} {a.object_id} {a.detail}" for a in entries)
    masked = {a.user for a in entries if a.user != "ann"}
    assert len(masked) == 1 and next(iter(masked)).startswith("unknown name #")
    mine = [a.action for a in entries if a.user in masked]
    assert mine.count("login-failed") == MAX_FAILURES and "login-refused" in mine
    assert [a.action for a in entries if a.user == "ann"] == ["login-failed"]
    _fail(store, "Secret-pass-43", "10.5.0.1", t0)  # another name: another tag
    assert len({a.user for a in list_audit(store, object_type="user")
                if a.action.startswith("login")} - {"ann"}) == 2
