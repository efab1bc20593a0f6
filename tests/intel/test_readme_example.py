"""The README's library example runs as printed, on the Chicago file (so that it stays true)."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_library_example_runs(data_dir: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("The intelligence part as a library")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert block is not None, "README: the library example's code block is gone"
    script = tmp_path / "example.py"
    script.write_text(block.group(1), encoding="utf-8")
    (tmp_path / "assaults.csv.gz").symlink_to(data_dir / "chicago_aggravated_assaults.csv.gz")
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        os.chdir(here)
    out = capsys.readouterr().out.splitlines()
    # rows kept and set aside; decay's hit rates and its ratio to naive; a week of 24 slots
    assert out[0].startswith("148525 ") and "exact duplicate" in out[0]
    assert "'0.05': 0.179" in out[1]
    assert re.fullmatch(r"\(7, \d+, 24\)", out[2])
