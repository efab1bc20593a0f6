"""``xunfang user``: the command centre's accounts (add, list, passwd) and device tokens
(tokens, revoke), in the same database
as ``xunfang serve`` (``--db``, else ``$XUNFANG_DB``, else a file in the user's data folder)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from xunfang.store import Store

DB_HELP = ("Database URL or SQLite file (default: $XUNFANG_DB, else xunfang.db in the user's "
           "data folder).")


def register(app: typer.Typer) -> None:
    """Add ``xunfang user add|list|passwd|tokens|revoke`` to ``app``."""
    user_app = typer.Typer(help="Command-centre users: add, list, reset a password; list and "
                           "revoke device tokens.", no_args_is_help=True)
    user_app.command("add")(add_cmd)
    user_app.command("list")(list_cmd)
    user_app.command("passwd")(passwd_cmd)
    user_app.command("tokens")(tokens_cmd)
    user_app.command("revoke")(revoke_cmd)
    app.add_typer(user_app, name="user")


def _fail(exc: BaseException | str) -> typer.Exit:
    from xunfang.cli.main import _error, _print_problems

    # (the store's input errors carry their problems; not imported here, as this also says
    # that the store's packages are missing)
    problems = getattr(exc, "problems", None)
    if problems:
        _print_problems(problems)
    else:
        _error(exc)
    return typer.Exit(1)


def _open(db: str | None) -> Store:
    try:
        from xunfang import store
    except ImportError as exc:  # the web extra is missing
        raise _fail(f"{exc}; install it with: pip install 'xunfang[web]'") from None
    try:
        return store.open_store(db)
    except store.StoreError as exc:
        raise _fail(exc) from None


def _read_password() -> str:
    line = sys.stdin.readline()
    if not line:
        raise _fail("--password-stdin: no password on standard input")
    return line.rstrip("\r\n")


def add_cmd(
    name: Annotated[str, typer.Argument(help="The login name (letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(
        "--role", help="commander, planner, operator or viewer.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input "
        "(else a random one is made and printed once).")] = False,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Add user NAME with --role ROLE."""
    from xunfang.cli.main import out_console

    password = _read_password() if password_stdin else None
    st = _open(db)  # first: without the web extra it says what to install
    from xunfang import store
    try:
        row, pw = store.create_user(st, name, role, password, actor="cli")
    except store.StoreError as exc:
        raise _fail(exc) from None
    finally:
        st.dispose()
    out_console.print(f"user [bold]{escape(row.name)}[/] added with role {row.role} "
                      f"in {escape(store.redact(st.url))}", highlight=False)
    if password is None:
        out_console.print(f"password (shown once): {escape(pw)}", highlight=False)


def passwd_cmd(
    name: Annotated[str, typer.Argument(help="The user whose password to set.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password from standard input (else a random "
        "one is made and printed once).")] = False,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Set user NAME's password (unlocks the account, ends its sessions)."""
    from xunfang.cli.main import out_console

    st = _open(db)  # first: without the web extra it says what to install
    from xunfang import store

    try:
        password = _read_password() if password_stdin else store.auth.random_password()
    except BaseException:
        st.dispose()
        raise
    try:
        store.set_password(st, name, password, actor="cli")
    except store.StoreError as exc:
        raise _fail(exc) from None
    finally:
        st.dispose()
    out_console.print(f"password of [bold]{escape(name)}[/] changed", highlight=False)
    if not password_stdin:
        out_console.print(f"password (shown once): {escape(password)}", highlight=False)


def list_cmd(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """List the users, their roles and whether they are locked."""
    from xunfang.cli.main import out_console

    st = _open(db)  # first: without the web extra it says what to install
    from xunfang import store
    try:
        users = store.list_users(st)
    except store.StoreError as exc:
        raise _fail(exc) from None
    finally:
        st.dispose()
    now = store.utcnow()
    rows = [{"name": u.name, "role": u.role, "disabled": u.disabled,
             "locked": u.locked_until is not None and u.locked_until > now,
             "created_at": u.created_at.isoformat(timespec="seconds"),
             "last_login_at": u.last_login_at.isoformat(timespec="seconds")
             if u.last_login_at else None} for u in users]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table("name", "role", "state", "created (UTC)", "last login (UTC)")
    for r in rows:
        state = "disabled" if r["disabled"] else "locked" if r["locked"] else "active"
        table.add_row(escape(str(r["name"])), str(r["role"]), state, str(r["created_at"]),
                      str(r["last_login_at"] or "-"))
    out_console.print(table)
    if not rows:
        out_console.print("no users yet: xunfang user add NAME --role commander")


def tokens_cmd(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """List the live device tokens (id, user, label, created, expires, last used; never the
    token itself, which only the device holds)."""
    from xunfang.cli.main import out_console

    st = _open(db)  # first: without the web extra it says what to install
    from xunfang import store
    try:
        tokens = store.auth.list_tokens(st, "cli")
    except store.StoreError as exc:
        raise _fail(exc) from None
    finally:
        st.dispose()
    rows = [{"id": t.id, "user": t.user, "label": t.label,
             **{k: getattr(t, k).isoformat(timespec="seconds")
                for k in ("created_at", "expires_at", "last_used_at")}} for t in tokens]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table("id", "user", "label", "created (UTC)", "expires (UTC)", "last used (UTC)")
    for r in rows:
        table.add_row(str(r["id"]), escape(str(r["user"])), escape(str(r["label"] or "-")),
                      str(r["created_at"]), str(r["expires_at"]), str(r["last_used_at"]))
    out_console.print(table)
    if not rows:
        out_console.print("no device tokens")


def revoke_cmd(
    token_id: Annotated[int, typer.Argument(
        # store.MAX_ROW_ID (Integer ids, 32-bit on PostgreSQL): a larger one had raised
        # OverflowError (AS #5)
        help="The token's id (xunfang user tokens).", min=1, max=2**31 - 1)],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Revoke device token ID (audited as done by "cli")."""
    from xunfang.cli.main import out_console

    st = _open(db)  # first: without the web extra it says what to install
    from xunfang import store
    try:
        info = store.auth.revoke_token(st, token_id, "cli")
    except store.StoreError as exc:
        raise _fail(exc) from None
    finally:
        st.dispose()
    label = f" ({escape(info.label)})" if info.label else ""
    out_console.print(f"device token {info.id}{label} of [bold]{escape(info.user)}[/] revoked",
                      highlight=False)
