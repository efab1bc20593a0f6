"""The web import reads x/y columns without a CRS of their own in the scenario's crs, as
`xunfang intel ingest --scenario` does."""

from __future__ import annotations

from collections.abc import Callable

import shapely

from .conftest import Env
from .test_risk_categories_api import _import


def test_an_x_y_upload_takes_the_scenarios_crs(new_env: Callable[..., Env]) -> None:
    """A review: the web form refused an x/y file ("x/y columns need their CRS: --crs
    EPSG:NNNN", an option the form does not have) that the CLI's --scenario stores."""
    e = new_env()
    area = next(a for a in e.scenario.areas_of("grid") if a.id == "G7")
    x, y = shapely.get_coordinates(shapely.point_on_surface(area.geometry))[0]
    got = _import(e, ["id,time,x,y,category", f"xy1,2025-12-20 10:00,{x:.1f},{y:.1f},theft"])
    assert got["stored"] == 1
    assert any("the scenario's crs" in n for n in got["notes"])
