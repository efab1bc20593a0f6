"""scenario.toml's settings of the incident record and its risk forecast: the clock its times
were written on (source_timezone), gbm's public holidays (country), the categories the
forecast counts (risk_categories); each bad value an error naming the file and the field."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import xunfang.intel.stage as stage
import xunfang.scenarios
from xunfang import scenario
from xunfang._errors import Problem
from xunfang.cli.main import _risk_notes
from xunfang.intel.stage import RiskTable, risk_stage
from xunfang.plan import make_slots
from xunfang.report.html import _risk_section
from xunfang.report.i18n import t


def _county(tmp_path: Path, extra: str) -> Path:
    """A copy of the built-in county with ``extra`` added to the top of its scenario.toml."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    head, rest = text.split("[policy]", 1)
    toml.write_text(head + extra + "\n\n[policy]" + rest, encoding="utf-8")
    return folder


def _errors(folder: Path) -> list[Problem]:
    return [p for p in scenario.check(folder).problems if p.severity == "error"]


def test_source_timezone_reads_times_without_an_offset_on_that_clock(tmp_path: Path) -> None:
    """A review: a record written in UTC without "Z" could not be declared (the intel
    commands have --source-tz, scenario.toml nothing), so its hours shifted silently.
    source_timezone = "UTC" reads them as UTC, converted to the scenario's zone (+8 h in
    Asia/Shanghai); times with an offset are converted as before."""
    plain = scenario.load("ebian")
    utc = scenario.load(_county(tmp_path, 'source_timezone = "UTC"'))
    assert len(utc.incidents) == len(plain.incidents)
    shift = (utc.incidents.time - plain.incidents.time).astype("timedelta64[m]")
    assert (shift == np.timedelta64(8 * 60, "m")).all()
    # a time with its offset is not moved again
    folder = tmp_path / "z"
    _county(folder, 'source_timezone = "UTC"')
    path = folder / "sc" / "incidents.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][1] = rows[1][1] + "+08:00"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    z = scenario.load(folder / "sc")
    assert z.incidents.time[0] == plain.incidents.time[0]
    assert z.incidents.time[1] == utc.incidents.time[1]


def test_a_bad_source_timezone_is_an_error_naming_the_field(tmp_path: Path) -> None:
    errors = _errors(_county(tmp_path, 'source_timezone = "Mars/Olympus"'))
    assert [(p.file, p.column) for p in errors] == [("scenario.toml", "source_timezone")]
    assert "Mars/Olympus" in errors[0].message and "time zone" in errors[0].message


def test_country_sets_gbms_public_holidays(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: a scenario always got China's public holidays (the stage made its method
    with country="CN"), a city in America/New_York too, and nothing could change it.
    scenario.toml's country (CN by default) is what the stage's method is made with."""
    assert scenario.load("ebian").country == "CN"
    sc = scenario.load(_county(tmp_path, 'country = "us"'))
    assert sc.country == "US"
    made: list[Any] = []
    real = stage.make_method

    def spy(name: str, **kw: Any) -> Any:
        made.append(kw.get("country"))
        return real(name, **kw)

    monkeypatch.setattr(stage, "make_method", spy)
    risk = risk_stage(sc, make_slots(date(2026, 1, 1), days=1, slot_minutes=60),
                      method="naive")
    assert isinstance(risk, RiskTable)
    assert made and set(made) == {"US"}


def test_a_country_without_a_calendar_is_an_error_naming_the_field(tmp_path: Path) -> None:
    errors = _errors(_county(tmp_path, 'country = "XX"'))
    assert [(p.file, p.column) for p in errors] == [("scenario.toml", "country")]
    assert "'XX'" in errors[0].message and "public-holiday" in errors[0].message


def test_risk_categories_choose_what_the_forecast_counts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A review: the plan's forecast could not select categories (`intel forecast
    --category` can). scenario.toml's risk_categories does, by --category's rule (the whole
    name, any case, blanks around it ignored); the incidents left out are counted."""
    whole = scenario.load("ebian")
    thefts = sum(c == "盗窃" for c in whole.incidents.category)
    sc = scenario.load(_county(tmp_path, 'risk_categories = [" 盗窃 "]'))
    assert sc.risk_categories == (" 盗窃 ",)
    slots = make_slots(date(2026, 1, 1), days=1, slot_minutes=60)
    risk = risk_stage(sc, slots, method="naive")
    assert isinstance(risk, RiskTable)
    assert risk.incidents == thefts
    assert risk.details["left_out"] == len(whole.incidents) - thefts > 0
    everything = risk_stage(whole, slots, method="naive")
    assert isinstance(everything, RiskTable) and "categories" not in everything.details
    assert risk.risk.sum() < everything.risk.sum()
    # said on the command line and in the report
    left = len(whole.incidents) - thefts
    _risk_notes(SimpleNamespace(risk=risk, stages={}, plan=SimpleNamespace(slots=slots),
                                scenario=sc))
    err = " ".join(capsys.readouterr().err.split())
    assert f"{left} incidents of other categories are left out" in err
    _, _, info = _risk_section(SimpleNamespace(risk=risk, scenario=sc, stages={}),  # type: ignore[arg-type]
                               lambda key, **kw: t(key, "en", **kw))
    assert info is not None
    # the name as matched, without its blanks (a review: "of  盗窃 , 打架斗殴")
    assert ("note", t("risk_categories", "en", c="盗窃", n=left)) in info["caveats"]
    assert "counts the incidents of 盗窃 only" in err


def test_a_risk_category_the_record_never_holds_is_an_error(tmp_path: Path) -> None:
    errors = _errors(_county(tmp_path, 'risk_categories = ["盗窃", "Theft"]'))
    assert [(p.file, p.column) for p in errors] == [("scenario.toml", "risk_categories")]
    assert "'Theft'" in errors[0].message and "'盗窃'" in errors[0].message
    empty = _errors(_county(tmp_path / "e", 'risk_categories = [""]'))
    assert [(p.file, p.column) for p in empty] == [("scenario.toml", "risk_categories")]
