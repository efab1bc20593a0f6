"""The wheel holds every file the package reads at run time, and the licence.

The tests run on an editable install, which reads the source tree: a file left out of the
package data is found there and missed only by a real install (a review: the dashboard's
static files and templates were not in the wheel, so `xunfang serve` failed on every install
from a wheel or `pip install .`). Built offline, without build isolation, from a copy of the
project's files (pip would write build/ and *.egg-info into the source tree)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: what a build reads besides src/
BUILD_FILES = ("pyproject.toml", "README.md", "LICENSE")


def _package_files(src: Path) -> set[str]:
    """Every file of the package (as the wheel names it), bytecode and caches aside."""
    return {p.relative_to(src).as_posix() for p in (src / "xunfang").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc",)}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    pytest.importorskip("setuptools", minversion="77")
    copy = tmp_path_factory.mktemp("project")
    for name in BUILD_FILES:
        shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(ROOT / "src", copy / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                          "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(copy)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    (whl,) = out.glob("xunfang-*.whl")
    return whl, _package_files(copy / "src")


def test_the_wheel_holds_every_file_of_the_package(wheel: tuple[Path, set[str]]) -> None:
    whl, expected = wheel
    with zipfile.ZipFile(whl) as z:
        names = set(z.namelist())
    missing = sorted(expected - names)
    assert not missing, f"{whl.name} lacks {len(missing)} files, e.g. {missing[:10]}"
    # what serve, the report and the store read
    for name in ("xunfang/web/static/app.js", "xunfang/web/templates/dashboard.html",
                 "xunfang/report/templates/report.html.j2",
                 "xunfang/scenarios/ebian/scenario.toml", "xunfang/py.typed"):
        assert name in names, name
    assert any(n.startswith("xunfang/store/migrations/versions/") for n in names)


def test_the_wheel_carries_the_licence(wheel: tuple[Path, set[str]]) -> None:
    whl, _ = wheel
    with zipfile.ZipFile(whl) as z:
        lic = [n for n in z.namelist() if n.endswith("/LICENSE") and ".dist-info/" in n]
        assert lic, "no LICENSE in the wheel's dist-info"
        assert b"Apache License" in z.read(lic[0])
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode()
    assert "License-Expression: Apache-2.0" in text
