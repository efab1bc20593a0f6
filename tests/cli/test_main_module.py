"""``python -m xunfang`` runs the command line, as the ``xunfang`` script does."""

from __future__ import annotations

import subprocess
import sys

from xunfang import __version__


def test_python_m_xunfang_runs_the_command_line() -> None:
    run = subprocess.run([sys.executable, "-m", "xunfang", "--version"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"xunfang {__version__}"
