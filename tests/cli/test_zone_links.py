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
    ("Europe/Kiev", "UA"), ("GB", "GB")])
def test_an_old_zone_name_is_its_country(zone: str, country: str) -> None:
    """A review: valid old names (links in tzdata) were said to be "no one country's", and
    gbm had no holidays."""
    assert country_of_zone(zone) == country
    code, note = _holidays_of(None, None, zone)
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
