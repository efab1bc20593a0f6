"""An old zone name (a link in tzdata: US/Central, PRC, Asia/Calcutta, Europe/Kiev, GB) is
its zone's country, for gbm's public holidays of a bare incident file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xunfang.cli.intel import _holidays_of
from xunfang.intel.sources import _zone_link, country_of_zone


@pytest.mark.parametrize(("zone", "country"), [
    ("US/Central", "US"), ("Asia/Chongqing", "CN"), ("PRC", "CN"), ("Asia/Calcutta", "IN"),
    ("Europe/Kiev", "UA"), ("GB", "GB"),
    # a later review: these lost their country when zones of several countries' rows in
    # zone1970.tab were asked for one (Asia/Tokyo: JP, AU; America/Toronto: CA, BS)
    ("Japan", "JP"), ("Singapore", "SG"), ("Canada/Eastern", "CA"),
    ("America/Montreal", "CA"), ("Europe/Belfast", "GB")])
def test_an_old_zone_name_is_its_country(zone: str, country: str) -> None:
    """A review: valid old names (links in tzdata) were said to be "no one country's", and
    gbm had no holidays."""
    assert country_of_zone(zone) == country
    code, _, note = _holidays_of(None, None, zone)
    assert code == country and "no one country's" not in note


def test_a_link_without_tzdata_zi_is_found_by_its_compiled_file(tmp_path: Path) -> None:
    """A zone path without tzdata.zi (the link table): the old name's compiled file is the
    listed zone's; one with the same bytes as zones of two countries tells nothing."""
    import zoneinfo

    root = next(Path(r) for r in zoneinfo.TZPATH if (Path(r) / "zone.tab").is_file())
    (tmp_path / "America").mkdir()
    (tmp_path / "US").mkdir()
    for name in ("America/Chicago", "US/Central"):
        shutil.copyfile(root / "America/Chicago", tmp_path / name)
    listed = {"America/Chicago": {"US"}, "America/Havana": {"CU"}}
    shutil.copyfile(root / "America/Havana", tmp_path / "America/Havana")
    assert _zone_link(tmp_path, "US/Central", listed) == "America/Chicago"
    shutil.copyfile(root / "America/Chicago", tmp_path / "America/Havana")
    assert _zone_link(tmp_path, "US/Central", listed) is None
    assert _zone_link(tmp_path, "../etc", listed) is None


@pytest.mark.parametrize(("zone", "country"), [
    ("Iceland", "IS"), ("Africa/Asmera", "ER"), ("Africa/Timbuktu", "ML"),
    ("America/Coral_Harbour", "CA"), ("Pacific/Yap", "FM"), ("Pacific/Truk", "FM"),
    ("Pacific/Ponape", "FM"), ("Atlantic/Jan_Mayen", "SJ"), ("America/Virgin", "VI")])
def test_an_old_name_linked_across_a_border_is_its_own_country(zone: str,
                                                                 country: str) -> None:
    """A review: since tzdata 2022 these names link to another country's zone that keeps
    the same clock (Iceland -> Africa/Abidjan): they were said to be CI, KE, PG... They are
    their own country's (where the holidays package has a calendar; else no country, said)."""
    import holidays

    want = country if country in holidays.list_supported_countries() else None
    assert country_of_zone(zone) == want
    code, _, note = _holidays_of(None, None, zone)
    assert code == want and (want is not None or "--country" in note)


def test_a_zone_zone_tab_lists_is_its_own_country() -> None:
    """Atlantic/Reykjavik is a link too (to Africa/Abidjan), but zone.tab lists it: IS."""
    assert country_of_zone("Atlantic/Reykjavik") == "IS"


def _tzdata_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    names: tuple[str, ...]) -> None:
    """A ``tzdata`` package of the system's ``names`` (its tables among them) as the only
    source of zones: the zone path empty, as ``zoneinfo.reset_tzpath([])`` leaves it."""
    import zoneinfo

    root = next(Path(r) for r in zoneinfo.TZPATH if (Path(r) / "zone.tab").is_file())
    pkg = tmp_path / "pkgs" / "tzdata"
    (pkg / "zoneinfo").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    for name in names:
        (pkg / "zoneinfo" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, pkg / "zoneinfo" / name)
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    monkeypatch.setattr(zoneinfo, "TZPATH", ())


def test_the_tzdata_package_tables_are_read_without_a_zone_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: with the tzdata package only, America/Chicago was said to be "no one
    country's". Its wheel holds zone.tab and tzdata.zi: they are read."""
    import sys

    monkeypatch.delitem(sys.modules, "tzdata", raising=False)
    _tzdata_package(tmp_path, monkeypatch, ("zone.tab", "zone1970.tab", "tzdata.zi"))
    assert country_of_zone("America/Chicago") == "US"
    assert country_of_zone("US/Central") == "US"
    assert country_of_zone("Japan") == "JP" and country_of_zone("Iceland") == "IS"


def test_no_zone_table_at_all_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No zone.tab anywhere: the note says the tables could not be found, not that the zone
    is no country's."""
    import sys
    import zoneinfo

    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    monkeypatch.setitem(sys.modules, "tzdata", None)  # no package either
    code, _, note = _holidays_of(None, None, "America/Chicago")
    assert code is None
    assert "zone tables" in note and "could not be found" in note and "no single" not in note


@pytest.mark.parametrize("zone", ["CET", "MET", "EET", "WET", "EST"])
def test_the_system_v_zones_are_no_ones(zone: str) -> None:
    """A review: since tzdata 2024b CET links to Europe/Brussels and EST to America/Panama
    (the PyPI tzdata wheel): their holidays would be Belgium's and Panama's."""
    assert country_of_zone(zone) is None
