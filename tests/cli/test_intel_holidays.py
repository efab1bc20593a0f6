"""gbm's public holidays on the intel commands: a scenario's from its scenario.toml, a bare
file's from --country, or from --tz where the zone is one country's; none said."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import xunfang.intel
import xunfang.scenarios
from xunfang.cli.intel import _holidays_of
from xunfang.cli.main import app
from xunfang.intel.sources import country_of_zone
from xunfang.scenario.model import Policy

runner = CliRunner()


def test_a_zone_of_one_country_gives_its_calendar() -> None:
    assert country_of_zone("America/Chicago") == "US"
    assert country_of_zone("Asia/Shanghai") == "CN"
    assert country_of_zone("UTC") is None and country_of_zone(None) is None


def test_holidays_of_a_scenario_a_file_and_an_option() -> None:
    class Sc:
        country = "US"
        policy = Policy()

    assert _holidays_of(None, Sc(), "Asia/Shanghai") == (
        "US", frozenset(), "gbm: US public holidays (scenario.toml country)")
    assert _holidays_of("gb", None, "America/Chicago")[0] == "GB"
    code, declared, note = _holidays_of(None, None, "America/Chicago")
    assert code == "US" and declared == frozenset()
    assert note == "gbm: US public holidays, from --tz America/Chicago; --country to change"
    code, _, note = _holidays_of(None, None, None)
    assert code is None and "no public-holiday calendar" in note and "--country" in note


def test_a_scenarios_declared_holidays_reach_gbm_on_the_intel_commands(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scenario.toml's [[policy.holidays]] (less their make-up working days) are gbm's
    holidays beside its country's on `intel forecast` and `intel evaluate`, and said; they
    had reached the roster only."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + (
        '\n[[policy.holidays]]\nname = "county fair"\nfrom = 2026-04-20\nto = 2026-04-23\n'
        "workdays = [2026-04-22]\n"), encoding="utf-8")
    made = countries_made(monkeypatch, "holidays")
    fair = {date(2026, 4, 20), date(2026, 4, 21), date(2026, 4, 23)}
    res = runner.invoke(app, ["intel", "forecast", str(folder), "--method", "gbm",
                              "--days", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert made == [fair]
    assert json.loads(res.stdout)["notes"] == [
        "gbm: CN public holidays (scenario.toml country), and the 3 days of scenario.toml's "
        "[[policy.holidays]]"]
    made.clear()
    res = runner.invoke(app, ["intel", "evaluate", str(folder), "--methods", "naive",
                              "--test-from", "2025-12-25", "--json"])
    assert res.exit_code == 0, res.output
    assert made == [fair]


def countries_made(monkeypatch: pytest.MonkeyPatch, what: str = "country") -> list[Any]:
    """The ``country`` (or another keyword, ``what``) of every method the CLI makes, as it
    makes them."""
    made: list[Any] = []
    real = xunfang.intel.make_method

    def spy(name: str, **kw: Any) -> Any:
        made.append(kw.get(what))
        return real(name, **kw)

    monkeypatch.setattr(xunfang.intel, "make_method", spy)
    return made


def _file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    n = 1500
    minutes = np.sort(rng.integers(0, 400 * 1440, n))
    times = np.datetime64("2018-06-01T00:00") + minutes.astype("timedelta64[m]")
    lon = -87.65 + 0.01 * rng.integers(0, 4, n)
    lat = 41.85 + 0.01 * rng.integers(0, 4, n)
    src = tmp_path / "chi.csv"
    src.write_text("time,lon,lat\n" + "".join(
        f"{str(t).replace('T', ' ')},{x:.4f},{y:.4f}\n"
        for t, x, y in zip(times, lon, lat, strict=True)), encoding="utf-8")
    return src


def test_a_bare_file_gets_its_zones_holidays_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: `intel evaluate chi.csv --methods gbm` had no holiday on July 4th (a bare
    file got no calendar) and said nothing. --tz America/Chicago gives the US's, said; a
    bad --country is refused naming the option."""
    src = _file(tmp_path)
    made = countries_made(monkeypatch)
    base = ["intel", "forecast", str(src), "--method", "gbm", "--days", "1"]
    res = runner.invoke(app, [*base, "--tz", "America/Chicago", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["notes"] == [
        "gbm: US public holidays, from --tz America/Chicago; --country to change"]
    assert made == ["US"]
    res = runner.invoke(app, [*base, "--tz", "America/Chicago"])
    assert "note: gbm: US public holidays, from --tz America/Chicago" in " ".join(
        res.stdout.split())
    res = runner.invoke(app, [*base, "--json"])
    assert res.exit_code == 0, res.output
    assert "no public-holiday calendar" in json.loads(res.stdout)["notes"][0]
    res = runner.invoke(app, [*base, "--country", "XX"])
    assert res.exit_code == 1 and "--country" in res.stderr and "'XX'" in res.stderr


def test_evaluate_on_a_scenario_uses_its_country(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: intel evaluate/forecast gave every scenario China's holidays; they are its
    scenario.toml country's."""
    folder = tmp_path / "sc"
    shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
    toml = folder / "scenario.toml"
    toml.write_text('country = "US"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    made = countries_made(monkeypatch)
    res = runner.invoke(app, ["intel", "evaluate", str(folder), "--methods", "naive",
                              "--test-from", "2025-12-25", "--json"])
    assert res.exit_code == 0, res.output
    assert made == ["US"]
    made.clear()
    res = runner.invoke(app, ["intel", "forecast", str(folder), "--method", "naive",
                              "--json"])
    assert res.exit_code == 0, res.output
    assert made == ["US"]


def test_the_forecast_and_its_check_say_which_days_were_holidays() -> None:
    """`intel forecast --check`: the check forecasts its holidays as the forecast does and
    says which (it ran the method without them); the forecast names its raised days, gbm's
    too (its details had named none)."""
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--method", "naive", "--from",
                              "2025-10-09", "--check", "--json"])
    assert res.exit_code == 0, res.output
    chk = json.loads(res.stdout)["check"]
    assert chk["holidays_as_forecast"] is True
    assert chk["holiday_days"] == [f"2025-10-0{k}" for k in range(1, 9)]
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--method", "naive", "--from",
                              "2025-10-09", "--check"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "8 days checked were holidays (2025-10-01," in out
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--method", "gbm", "--from",
                              "2026-10-03", "--days", "3", "--json"])
    assert res.exit_code == 0, res.output
    details = json.loads(res.stdout)["details"]
    assert details["holiday_days"] == ["2026-10-03", "2026-10-04", "2026-10-05"]
    res = runner.invoke(app, ["intel", "forecast", "ebian", "--method", "gbm", "--from",
                              "2026-10-03", "--days", "3"])
    out = " ".join(res.stdout.split())
    assert (f"holidays 2026-10-03, 2026-10-04, 2026-10-05 forecast at "
            f"{details['holiday_factor']:.3g} times") in out
