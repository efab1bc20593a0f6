"""Every command's and sub-command's --help prints (a review: `xunfang roster --help` died on
rich markup, its --pattern help's '[/OFFSET]' read as a closing tag)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from xunfang.cli.main import app

runner = CliRunner()


def _paths(cmd: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    commands = getattr(cmd, "commands", None)  # a group (typer bundles its own click)
    if commands:
        for name, sub in sorted(commands.items()):
            out += _paths(sub, (*path, name))
    return out


def test_every_help_prints() -> None:
    paths = _paths(typer.main.get_command(app))
    assert ("roster",) in paths and ("intel", "evaluate") in paths
    for path in paths:
        res = runner.invoke(app, [*path, "--help"])
        assert res.exit_code == 0, (path, res.output, res.exception)
        assert "Usage" in res.output, path
