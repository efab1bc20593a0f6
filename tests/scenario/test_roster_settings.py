"""scenario.toml's [policy.roster]: wrong types refused naming the key; the rotation's phases
checked by ``scenario check`` with the roster's own rule (review BC)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import xunfang.scenarios
from xunfang import scenario
from xunfang._errors import Problem


def _county(tmp_path: Path, roster: str) -> Path:
    """A copy of the built-in county with ``roster`` as its [policy.roster] table."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    assert "[policy.roster]" not in text
    toml.write_text(text + "\n[policy.roster]\n" + roster + "\n", encoding="utf-8")
    return folder


def _errors(folder: Path) -> list[Problem]:
    return [p for p in scenario.check(folder).problems if p.severity == "error"]


@pytest.mark.parametrize(("line", "key"), [
    ("min_rest_hours = true", "min_rest_hours"),
    ('min_rest_hours = "11"', "min_rest_hours"),
    ("max_duty_hours = 10.5", "max_duty_hours"),
    ('no_night_then_early = "no"', "no_night_then_early"),
    ("no_night_then_early = 0", "no_night_then_early"),
    ("phases = { A = true, B = 1, C = 2, D = 3 }", "phases"),
])
def test_a_wrong_type_is_refused_naming_the_key(tmp_path: Path, line: str, key: str) -> None:
    errors = _errors(_county(tmp_path, line))
    assert errors, line
    assert any(p.file == "scenario.toml" and key in f"{p.column} {p.message}"
               for p in errors), [str(p) for p in errors]


def test_right_types_still_load(tmp_path: Path) -> None:
    sc = scenario.load(_county(tmp_path, "min_rest_hours = 8\nno_night_then_early = false\n"
                                         "max_duty_hours = 11\nanchor = 2026-01-05"))
    assert sc.policy.roster.min_rest_hours == 8
    assert sc.policy.roster.no_night_then_early is False
