"""Shared fixtures: small scenario folders written on the fly, and the real data folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# pytest-xdist's workers run with COLUMNS=80, where a plain `pytest` has none: the command
# line's rich output then wraps at 80 columns in a worker and not in one process, and the
# tests that read it would pass or fail by how they were run
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)

MINI_FILES = {
    "scenario.toml": 'name = "mini"\ncrs = "local"\n',
    "network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\ne,800,0\n",
    "network/edges.csv": "u,v\na,b\nb,c\nc,d\nd,a\nb,e\n",
    "posts.csv": "id,name,kind,node\np1,Station one,station,a\ng1,East gate,exit,e\n",
}


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write the minimal scenario of the issue, with files added, replaced or removed."""

    def make(files: dict[str, str | bytes | None] | None = None, name: str = "sc") -> Path:
        merged: dict[str, str | bytes | None] = {**MINI_FILES, **(files or {})}
        root = tmp_path / name
        return write_files(root, {k: v for k, v in merged.items() if v is not None})

    return make


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        if os.environ.get("CI"):  # CI always has the data: its absence is a failure there
            pytest.fail(f"the shared real-data folder {DATA} is missing on CI")
        pytest.skip(f"the shared real-data folder {DATA} is not present")
    return DATA


@pytest.fixture
def in_step(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two imports (threads) both read the stored ids before either writes: each thread's
    first check (store.repo._raise, between the select and the insert) waits for the
    other's. Forced so, not timed: the clash happens on every run (a review's race.py needed
    a second's sleep). tests/store/test_import_concurrent.py, tests/web/test_import_failures.py"""
    import threading
    from typing import Any

    from xunfang.store import repo

    gate = threading.Barrier(2, timeout=60)
    first: set[int] = set()
    orig = repo._raise

    def wait_then_raise(*a: Any, **k: Any) -> None:
        orig(*a, **k)
        if threading.get_ident() not in first:
            first.add(threading.get_ident())
            gate.wait()

    monkeypatch.setattr(repo, "_raise", wait_then_raise)
    yield
