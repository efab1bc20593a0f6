"""numba's ``njit`` with the machine code cached on disk wherever that can be.

numba caches beside the source (``__pycache__``), else in the user's cache folder; when neither
is writable — a package installed by root, run by a service account whose home does not exist —
``cache=True`` refuses to compile at all ("cannot cache function …: no locator available"), and
every command that routes or simulates failed (a review, under ``runuser -u nobody`` with
``HOME=/nonexistent``). Then the cache goes to a folder of this user's own in the temporary
folder; ``NUMBA_CACHE_DIR`` still chooses the place when it is set.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def _private_temp_dir() -> str:
    """``$TMPDIR/xunfang-numba-<uid>``, made owner-only; a fresh folder when that one exists
    and is not this user's alone (numba loads pickled code from its cache: a folder another
    user can write to must not be used)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    path = Path(tempfile.gettempdir()) / f"xunfang-numba-{uid if uid is not None else 'user'}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = path.lstat()
        if stat.S_ISDIR(st.st_mode) and (uid is None or st.st_uid == uid) \
                and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return str(path)
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="xunfang-numba-")


def cached_njit(**opts: Any) -> Callable[[F], F]:
    """``numba.njit(cache=True, **opts)``, falling back to a private temporary cache folder
    when numba finds no place to cache in; typed for mypy (numba ships no stubs)."""
    import numba
    from numba.core import config

    def deco(f: F) -> F:
        try:
            return cast(F, numba.njit(cache=True, **opts)(f))
        except RuntimeError as exc:
            if "no locator available" not in str(exc):
                raise
        setattr(config, "CACHE_DIR", _private_temp_dir())  # noqa: B010 (numba ships no stubs)
        return cast(F, numba.njit(cache=True, **opts)(f))

    return deco
