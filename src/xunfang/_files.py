"""Folders written whole: built beside their place and swapped in, so a reader (or a failure
midway) never leaves half a folder where a complete one stood."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def new_sibling(out: Path, what: str) -> Path:
    """A new empty folder beside ``out`` (the same file system, so a rename moves it), with
    the permissions a plain mkdir would give (mkdtemp's are private)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{what}-", dir=out.parent))
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o777 & ~mask)
    return tmp


def swap_in(work: Path, out: Path) -> None:
    """Put the complete folder ``work`` at ``out``. An older ``out`` is moved aside first and
    deleted only once ``work`` is in place; if the swap fails, it is moved back, ``work`` is
    removed and the ``OSError`` raised."""
    old: Path | None = None
    if out.exists():
        old = new_sibling(out, "old")
        os.rmdir(old)
        os.rename(out, old)
    try:
        os.rename(work, out)
    except OSError:
        if old is not None:
            os.rename(old, out)
        shutil.rmtree(work, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
