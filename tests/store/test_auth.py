"""Users, passwords, throttling, sessions, roles and the audit of logins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from xunfang.store import (
    ACTIONS,
    LOCK_MINUTES,
    MAX_FAILURES,
    ROLES,
    AuthError,
    Conflict,
    Forbidden,
    NotFound,
    Store,
    StoreInputError,
    UserRow,
    authenticate,
    create_session,
    create_user,
    ensure_admin,
    get_user,
    list_audit,
    list_users,
    permitted,
    require,
    revoke_session,
    set_disabled,
    set_password,
    set_role,
    user_for_token,
    utcnow,
)


def test_a_user_is_stored_with_an_argon2_hash_only(store: Store) -> None:
    row, pw = create_user(store, "li.wei", "planner", "correct horse")
    assert pw == "correct horse"
    stored = get_user(store, "li.wei")
    assert stored.role == "planner"
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert authenticate(store, "li.wei", "correct horse").id == row.id


def test_chinese_names_are_allowed(store: Store) -> None:
    create_user(store, "王伟", "operator", "password-1")
    assert authenticate(store, "王伟", "password-1").role == "operator"


def test_bad_user_input_names_each_field(store: Store) -> None:
    with pytest.raises(StoreInputError) as info:
        create_user(store, "x'; DROP TABLE users;--", "root", "short")
    cols = {(p.column, p.rule) for p in info.value.problems}
    assert cols == {("name", "name-format"), ("role", "role-known"),
                    ("password", "password-length")}
    assert "nothing stored" in str(info.value)
    assert list_users(store) == []


def test_a_taken_name_is_a_conflict(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    with pytest.raises(Conflict, match="user name 'ann' is taken"):
        create_user(store, "ann", "planner", "password-2")


def test_ensure_admin_makes_a_random_password_once(store: Store, empty_url: str) -> None:
    first = ensure_admin(store)
    assert first is not None
    name, pw = first
    assert name == "admin" and len(pw) >= 16
    assert authenticate(store, "admin", pw).role == "commander"
    assert ensure_admin(store) is None  # users exist: nothing made, nothing shown
    other = Store(store.url)
    try:
        assert ensure_admin(other) is None
    finally:
        other.dispose()


def test_ensure_admin_passwords_differ_between_databases(tmp_path: object) -> None:
    from xunfang.store import upgrade
    pws = set()
    for i in range(2):
        st = upgrade(f"sqlite:///{tmp_path}/db{i}.db")
        made = ensure_admin(st)
        assert made is not None
        pws.add(made[1])
        st.dispose()
    assert len(pws) == 2


def test_wrong_password_and_unknown_name_say_the_same(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    with pytest.raises(AuthError) as a:
        authenticate(store, "ann", "password-2")
    with pytest.raises(AuthError) as b:
        authenticate(store, "nobody", "password-2")
    assert str(a.value) == str(b.value) == "wrong user name or password"


def test_login_is_locked_after_repeated_failures(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    for i in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError):
            authenticate(store, "ann", f"wrong-{i}", now=t0)
    assert get_user(store, "ann").failed_logins == MAX_FAILURES - 1
    with pytest.raises(AuthError) as info:
        authenticate(store, "ann", "wrong-last", now=t0)
    assert info.value.locked_until == t0 + timedelta(minutes=LOCK_MINUTES)
    # while locked even the right password is refused, and says why
    with pytest.raises(AuthError, match="account locked") as locked:
        authenticate(store, "ann", "password-1", now=t0 + timedelta(minutes=1))
    assert locked.value.locked_until is not None
    # after the lock the right password works and the count starts again
    later = t0 + timedelta(minutes=LOCK_MINUTES, seconds=1)
    assert authenticate(store, "ann", "password-1", now=later).name == "ann"
    u = get_user(store, "ann")
    assert u.failed_logins == 0 and u.locked_until is None and u.last_login_at == later
    actions = [a.action for a in list_audit(store, object_type="user", user="ann")]
    assert actions.count("login-failed") == MAX_FAILURES
    assert "login-refused" in actions and actions[0] == "login"


def test_a_success_resets_the_failure_count(store: Store) -> None:
    create_user(store, "ann", "viewer", "password-1")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError):
            authenticate(store, "ann", "nope-nope")
    authenticate(store, "ann", "password-1")
    with pytest.raises(AuthError, match="wrong"):
        authenticate(store, "ann", "nope-nope")
    assert get_user(store, "ann").locked_until is None


def test_sessions_live_until_expiry_or_logout(store: Store) -> None:
    user, _ = create_user(store, "ann", "operator", "password-1")
    t0 = utcnow()
    token = create_session(store, user, hours=1, now=t0)
    assert len(token) >= 40
    found = user_for_token(store, token, now=t0 + timedelta(minutes=5))
    assert found is not None and found.name == "ann"
    assert user_for_token(store, token, now=t0 + timedelta(hours=1)) is None
    assert user_for_token(store, token + "x") is None
    assert user_for_token(store, None) is None
    assert user_for_token(store, "") is None
    assert revoke_session(store, token)
    assert user_for_token(store, token, now=t0) is None
    assert not revoke_session(store, "no such token")


def test_password_change_and_disabling_end_sessions(store: Store) -> None:
    user, _ = create_user(store, "ann", "operator", "password-1")
    token = create_session(store, user)
    set_password(store, "ann", "password-2")
    assert user_for_token(store, token) is None
    with pytest.raises(AuthError):
        authenticate(store, "ann", "password-1")
    token = create_session(store, authenticate(store, "ann", "password-2"))
    set_disabled(store, "ann", True)
    assert user_for_token(store, token) is None
    with pytest.raises(AuthError, match="wrong user name or password"):
        authenticate(store, "ann", "password-2")
    with pytest.raises(NotFound, match="no user with id 'zed'"):
        set_password(store, "zed", "password-3")


def test_role_table() -> None:
    assert set(ACTIONS) == set(ROLES)
    for role in ROLES:
        assert permitted(role, "view")
    assert not permitted("viewer", "plan.edit")
    assert not permitted("operator", "plan.edit")
    assert permitted("operator", "position.post")
    assert permitted("planner", "plan.edit") and not permitted("planner", "user.manage")
    assert permitted("commander", "user.manage")
    assert not permitted("nobody", "view")
    with pytest.raises(ValueError, match=r"unknown action 'plan\.eat'"):
        permitted("commander", "plan.eat")


def test_require_raises_forbidden_with_who_and_what(store: Store) -> None:
    viewer, _ = create_user(store, "vic", "viewer", "password-1")
    require(viewer, "view")
    with pytest.raises(Forbidden, match=r"user 'vic' \(role viewer\) may not plan.edit"):
        require(viewer, "plan.edit")


def test_only_commanders_manage_users(store: Store) -> None:
    boss, _ = create_user(store, "boss", "commander", "password-1")
    planner, _ = create_user(store, "pat", "planner", "password-1", actor=boss)
    with pytest.raises(Forbidden):
        create_user(store, "eve", "commander", "password-1", actor=planner)
    with pytest.raises(Forbidden):
        set_role(store, "pat", "commander", actor=planner)
    set_role(store, "pat", "viewer", actor=boss)
    assert get_user(store, "pat").role == "viewer"
    set_password(store, "pat", "password-9", actor=get_user(store, "pat"))  # one's own
    assert [u.name for u in list_users(store)] == ["boss", "pat"]
    created = list_audit(store, object_type="user", user="boss")
    assert [(a.action, a.detail) for a in created][:2] == [
        ("update", {"role": ["planner", "viewer"]}),
        ("create", {"name": "pat", "role": "planner"})]


def test_user_rows_are_readable_after_the_transaction(store: Store) -> None:
    row, _ = create_user(store, "ann", "viewer", "password-1")
    assert isinstance(row, UserRow) and row.name == "ann" and row.id >= 1


def test_hashes_survive_a_change_of_cost_and_are_upgraded_on_login(store: Store) -> None:
    from xunfang.store import set_hash_cost
    create_user(store, "ann", "viewer", "password-1")  # the tests' cheap parameters
    old = get_user(store, "ann").password_hash
    assert "m=1024,t=1,p=1" in old
    set_hash_cost(time_cost=2, memory_cost=2048, parallelism=1)
    try:
        authenticate(store, "ann", "password-1")
        new = get_user(store, "ann").password_hash
        assert "m=2048,t=2,p=1" in new
        authenticate(store, "ann", "password-1")
    finally:
        set_hash_cost(time_cost=1, memory_cost=1024, parallelism=1)


def test_the_default_cost_is_rfc_9106s() -> None:
    from xunfang.store import auth
    auth.set_hash_cost()
    try:
        assert "m=65536,t=3,p=4" in auth.hash_password("password-1")
    finally:
        auth.set_hash_cost(time_cost=1, memory_cost=1024, parallelism=1)


def test_purge_removes_expired_and_revoked_sessions_only(store: Store) -> None:
    from xunfang.store import purge_sessions
    user, _ = create_user(store, "ann", "viewer", "password-1")
    t0 = utcnow()
    live = create_session(store, user, hours=2, now=t0)
    create_session(store, user, hours=1, now=t0 - timedelta(hours=2))  # expired
    revoke_session(store, create_session(store, user, now=t0))
    assert purge_sessions(store, now=t0) == 2
    assert user_for_token(store, live, now=t0) is not None
