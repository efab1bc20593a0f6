"""The compiled kernels cache on disk wherever they can: with no place numba finds (a package
installed by root run by a service account without a home), they compile all the same and
cache in a private temporary folder (a review: every routing command failed with "cannot cache
function …: no locator available")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from numba.core import config

from xunfang import _jit

CALL = """
import numpy as np
from numba.core import config
from xunfang.sim import _kernel
print(_kernel._bisect_right(np.array([1.0, 2.0, 3.0]), 0, 3, 2.5))
print(config.CACHE_DIR)
"""


@pytest.mark.skipif(not hasattr(config, "CACHE_LOCATOR_CLASSES"),
                    reason="numba < 0.68 cannot be told to find no cache place")
def test_kernels_compile_and_cache_where_numba_finds_no_place(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    # numba looks only in NUMBA_CACHE_DIR, which is unset: no locator, as for the service
    # account whose package folder and home are not writable
    env |= {"NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator", "TMPDIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", CALL], env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    index, cache = run.stdout.split()
    assert index == "2"
    assert Path(cache).parent == tmp_path and Path(cache).name.startswith("xunfang-numba-")
    assert any(Path(cache).rglob("*.nbi")), "nothing was cached"
    assert Path(cache).stat().st_mode & 0o077 == 0  # the owner's alone


def test_a_temporary_cache_folder_others_can_write_to_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jit.tempfile, "tempdir", str(tmp_path))
    mine = Path(_jit._private_temp_dir())
    assert mine == tmp_path / mine.name and mine.name.startswith("xunfang-numba-")
    mine.chmod(0o777)  # as if another user had made it first, open to all
    other = Path(_jit._private_temp_dir())
    assert other != mine and other.parent == tmp_path and other.stat().st_mode & 0o077 == 0
