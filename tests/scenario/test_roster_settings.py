"""scenario.toml's [policy.roster]: wrong types refused naming the key; the rotation's phases
checked by ``scenario check`` with the roster's own rule (review BC)."""

from __future__ import annotations

import shutil
from datetime import date
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


# --- the rotation's phases and the pattern's rules, as the roster judges them --------------------


def _own_phases() -> dict[str, int]:
    from xunfang.planning import roster as R

    pat = R.pattern("4-3")
    return {t: pat.phase(i, None) for i, t in enumerate("ABCD")}


@pytest.mark.parametrize(("change", "rule"), [
    ({"E": 6}, "unknown-team"),  # E does not rotate (and D is left without a phase)
    ({"D": 8}, "bad-phase"),  # 4-3's cycle has 8 days: 0..7
    ({"B": "A"}, "phase-coverage"),  # two teams on one phase
])
def test_bad_phases_are_errors_of_the_check_as_of_the_roster(
        tmp_path: Path, change: dict[str, object], rule: str) -> None:
    from xunfang._errors import ScenarioError
    from xunfang.planning import roster as R

    phases: dict[str, int] = _own_phases()
    for t, k in change.items():
        if t == "E":
            phases.pop("D")
        phases[t] = phases[k] if isinstance(k, str) else k  # type: ignore[assignment]
    table = "phases = { " + ", ".join(f"{t} = {k}" for t, k in phases.items()) + " }"
    errors = _errors(_county(tmp_path, table))
    assert rule in {p.rule for p in errors}, [str(p) for p in errors]
    assert all(p.column == "policy.roster.phases" for p in errors)
    # the roster refuses the same phases with the same rule
    sc = scenario.load("ebian")
    with pytest.raises(ScenarioError) as exc:
        R.make_roster(sc, date(2026, 3, 2), 1, phases=phases)
    assert rule in {p.rule for p in exc.value.problems}


def test_the_pattern_own_phases_pass_the_check(tmp_path: Path) -> None:
    table = "phases = { " + ", ".join(f"{t} = {k}" for t, k in _own_phases().items()) + " }"
    assert _errors(_county(tmp_path, table)) == []


def test_pattern_rules_warning_names_the_setting_the_roster_names(tmp_path: Path) -> None:
    folder = _county(tmp_path, "")
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8").replace('shift_pattern = "4-3"',
                                                    'shift_pattern = "3-2"')
    toml.write_text(text.replace("shift_starts = [8, 16, 0]", "shift_starts = [8, 20]"),
                    encoding="utf-8")
    warns = [p for p in scenario.check(folder).problems if p.rule == "pattern-rules"]
    assert warns and "set max_week_hours = 60" in warns[0].message, [str(p) for p in warns]


@pytest.mark.parametrize("value", ['""', '"none"', '"None"'])
def test_country_none_means_no_public_holidays(tmp_path: Path, value: str) -> None:
    from xunfang.planning import roster as R

    folder = _county(tmp_path, "")
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    head, rest = text.split("[policy]", 1)
    toml.write_text(head + f"country = {value}\n\n[policy]" + rest, encoding="utf-8")
    sc = scenario.load(folder)
    assert sc.country == ""
    cal = {c.day: c for c in R.day_calendar(date(2026, 9, 28), 14, sc.policy, (),
                                            sc.country)}
    # China's National Day is a workday, its make-up Saturday a weekend day
    assert cal[date(2026, 10, 1)].kind == "workday"
    assert cal[date(2026, 10, 10)].kind == "weekend" and not cal[date(2026, 10, 10)].makeup
    assert not any(c.kind == "holiday" for c in cal.values())
