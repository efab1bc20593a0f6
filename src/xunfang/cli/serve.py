"""`xunfang serve`: the command centre (web API and dashboard) on a scenario with a plan made."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    scenario: Annotated[str, typer.Argument(help="A scenario folder or built-in name.")] = "ebian",
    db: Annotated[str | None, typer.Option(
        "--db", help="Database: a file, sqlite:///FILE or postgresql://...; else $XUNFANG_DB, "
             "else a file in the user's data folder.")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    seed: Annotated[int, typer.Option(help="Seed of a plan made at start.", min=0,
                                      max=2**31 - 1)] = 0,
    new_plan: Annotated[bool, typer.Option(
        "--new-plan", help="Plan today even when the stored active plan covers now.")
    ] = False,
    keep_days: Annotated[int, typer.Option(
        "--keep-days", help="Days of position history kept: older positions are deleted "
             "hourly while serving (each unit's last position is kept).", min=1, max=36_500)
    ] = 30,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the dashboard.")] = False,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", help="Behind a reverse proxy: its address(es), comma-"
             "separated, whose X-Forwarded-For/-Proto are believed (the client address that "
             "login throttling and the audit use). Off by default: the headers are ignored "
             "and the connecting address is the client's.")
    ] = None,
) -> None:
    """Start the command centre on SCENARIO and serve the API and dashboard.

    A restart carries on with the stored active plan when it was made from the same scenario
    files and covers the present hour; else (or with --new-plan) today is planned and made
    current. Past midnight it carries on with a stored plan of the new day made from the same
    files (it does not plan by itself); positions older than --keep-days are deleted hourly.
    X-Forwarded-For is ignored unless --forwarded-allow-ips names the reverse proxy."""
    from xunfang._errors import MissingDependencyError, ScenarioError, XunfangError
    from xunfang.cli.main import _error, _print_problems, err_console, out_console

    try:
        import uvicorn

        from xunfang import store
        from xunfang.web import builtin_centre, create_app
    except ImportError as exc:  # a core install: say what to install, not a traceback
        _error(MissingDependencyError(exc.name or str(exc), "web", "xunfang serve"))
        raise typer.Exit(2) from None
    try:  # before planning: a busy port had failed only after the plan was made and stored
        _check_port(host, port)
    except OSError as exc:
        _error(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); "
               "is another server (xunfang serve?) on it? Choose another with --port")
        raise typer.Exit(2) from None
    try:
        db_store = store.open_store(db)
    except XunfangError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    first = store.ensure_admin(db_store)
    err_console.print(f"database {store.redact(db_store.url)}; opening {scenario} …")
    try:
        centre = builtin_centre(scenario, db=db_store, seed=seed,
                                progress=lambda s: err_console.print(f"  {s}"),
                                resume=not new_plan, keep_days=keep_days)
    except ScenarioError as exc:
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    except XunfangError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    if first is not None:
        name, password = first
        out_console.print(f"first start: user [bold]{name}[/] (commander), password "
                          f"[bold]{password}[/] — shown once; add users with `xunfang user add`")
    address = f"http://{host}:{port}/"
    out_console.print(f"command centre at {address}")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(2.0, webbrowser.open, args=(address,)).start()
    # proxy headers only from a named proxy: uvicorn believes X-Forwarded-For from 127.0.0.1
    # by default, so (review AS #4) a local client's forged "X-Forwarded-For: evil-{i}" gave
    # each wrong login a new address (30 never met the throttle's 429) and the audit kept it
    proxy = [a.strip() for a in (forwarded_allow_ips or "").split(",") if a.strip()]
    uvicorn.run(create_app(centre), host=host, port=port, log_level="warning",
                proxy_headers=bool(proxy), forwarded_allow_ips=proxy or None)


def _check_port(host: str, port: int) -> None:
    """Bind ``host:port`` as the server will (address reuse on, as uvicorn sets it) and let
    it go: OSError when another process listens there or the address is not this machine's."""
    import socket

    family, kind, proto, _, addr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
