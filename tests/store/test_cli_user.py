"""``xunfang user add|list|passwd`` on the same database as ``serve``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.store import authenticate, get_user, open_store, upgrade

runner = CliRunner()


def test_add_with_password_from_stdin_then_list(empty_url: str) -> None:
    res = runner.invoke(app, ["user", "add", "li", "--role", "planner", "--password-stdin",
                              "--db", empty_url], input="s3cret-pass\n")
    assert res.exit_code == 0, res.output
    assert "user li added with role planner" in res.output
    assert "s3cret-pass" not in res.output and "shown once" not in res.output
    st = upgrade(empty_url)
    assert authenticate(st, "li", "s3cret-pass").role == "planner"
    st.dispose()
    res = runner.invoke(app, ["user", "list", "--db", empty_url, "--json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert (row["name"], row["role"], row["locked"]) == ("li", "planner", False)


def test_add_without_a_password_prints_a_random_one_once(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    res = runner.invoke(app, ["user", "add", "wang", "--role", "viewer", "--db", db])
    assert res.exit_code == 0, res.output
    pw = res.output.split("password (shown once): ")[1].strip()
    assert len(pw) >= 16
    st = open_store(db)
    assert authenticate(st, "wang", pw).name == "wang"
    st.dispose()


def test_the_environment_names_the_database(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNFANG_DB", str(tmp_path / "env.db"))
    res = runner.invoke(app, ["user", "add", "zhao", "--role", "operator",
                              "--password-stdin"], input="password-1\n")
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["user", "list"])
    assert "zhao" in res.output and "operator" in res.output
    assert (tmp_path / "env.db").is_file()


def test_bad_role_name_and_password_exit_1_naming_the_field(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    res = runner.invoke(app, ["user", "add", "a;b", "--role", "boss", "--password-stdin",
                              "--db", db], input="short\n")
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert "column 'name'" in text and "column 'role'" in text and "column 'password'" in text
    assert "role 'boss' is not one of commander, planner, operator, viewer" in text
    res = runner.invoke(app, ["user", "add", "ann", "--role", "viewer", "--password-stdin",
                              "--db", db], input="")
    assert res.exit_code == 1 and "no password on standard input" in res.output
    runner.invoke(app, ["user", "add", "ann", "--role", "viewer", "--db", db])
    res = runner.invoke(app, ["user", "add", "ann", "--role", "viewer", "--db", db])
    assert res.exit_code == 1 and "user name 'ann' is taken" in res.output


def test_bad_database_url_exits_1(tmp_path: Path) -> None:
    res = runner.invoke(app, ["user", "list", "--db", "mysql://h/db"])
    assert res.exit_code == 1
    assert "--db: unsupported database URL scheme 'mysql'" in " ".join(res.output.split())
    res = runner.invoke(app, ["user", "list", "--db", "postgresql://u@h:port/db"])
    assert res.exit_code == 1
    assert "not a database URL" in " ".join(res.output.split())


def test_passwd_resets_and_unlocks(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    runner.invoke(app, ["user", "add", "ann", "--role", "viewer", "--db", db])
    res = runner.invoke(app, ["user", "passwd", "ann", "--password-stdin", "--db", db],
                        input="new-password\n")
    assert res.exit_code == 0, res.output
    st = open_store(db)
    assert authenticate(st, "ann", "new-password").name == "ann"
    assert get_user(st, "ann").failed_logins == 0
    st.dispose()
    res = runner.invoke(app, ["user", "passwd", "nobody", "--db", db])
    assert res.exit_code == 1 and "no user with id 'nobody'" in res.output
