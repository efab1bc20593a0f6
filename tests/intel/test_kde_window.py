"""KDE builds its kernel over the days its windows read, not over the whole record."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import shapely

from xunfang.intel import EventSet
from xunfang.intel import units as U
from xunfang.intel.methods import KDE

START = datetime(2024, 1, 1)


def _record(units: U.Units, seed: int, days: int = 900, n: int = 3000) -> EventSet:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-50, 550, (n, 2))
    minutes = np.sort(rng.integers(0, days * 1440, n))
    time = np.datetime64(START, "m") + minutes.astype("timedelta64[m]")
    return EventSet.build(units, time, xy)


def _units(kind: str) -> U.Units:
    if kind == "cells":
        return U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 499, 499))
    boxes = tuple(shapely.box(x, y, x + 250, y + 250) for x in (0, 250) for y in (0, 250))
    return U.polygons(tuple(f"p{i}" for i in range(4)), boxes)


def _rows_built(ev: EventSet, bandwidth: float) -> int:
    got = ev.cache[f"kde:{bandwidth}"]
    return int((got.matrix if hasattr(got, "matrix") else got).shape[0])


@pytest.mark.parametrize("kind", ["cells", "polygons"])
def test_a_window_inside_the_record_builds_its_own_days_and_forecasts_the_same(kind: str
                                                                               ) -> None:
    """A 200-day window in the middle of a 900-day record (incidents before and after it):
    the kernel holds the window's incidents only, and the forecast of each day of a
    horizon is the one made where the kernel covers the whole record."""
    kde = KDE(bandwidth_m=80, half_life_days=30)
    whole = _record(_units(kind), seed=4)
    part = _record(_units(kind), seed=4)
    end = whole.day_of(START.date()) + 600
    kde.predict(whole.window(0, 900), 900)  # the kernel over every incident, as before
    assert _rows_built(whole, 80) == len(whole.t)
    h_whole, h_part = whole.window(end - 200, end), part.window(end - 200, end)
    assert h_part.a > 0 and h_part.b < len(part.t)  # incidents outside the window
    for day in range(end, end + 7):
        got, expect = kde.predict(h_part, day), kde.predict(h_whole, day)
        if kind == "cells":  # the same sums in the same order
            np.testing.assert_array_equal(got, expect)
        else:  # a polygon's lattice points may be summed in another order
            np.testing.assert_allclose(got, expect, rtol=1e-12, atol=0)
        assert got.sum() > 0
    assert _rows_built(part, 80) == h_part.b - h_part.a


def test_an_evaluation_s_moving_windows_forecast_as_over_the_whole_record() -> None:
    """Windows moving on a day at a time (an evaluation) and one reaching back: the same
    forecasts as from the kernel over every incident, and the kernel grown a few times, not
    once a day."""
    kde = KDE(bandwidth_m=80, half_life_days=30)
    whole = _record(_units("cells"), seed=8)
    part = _record(_units("cells"), seed=8)
    kde.predict(whole.window(0, 900), 900)
    grown = 0
    seen = None
    for d in [*range(300, 420), 100, 899]:
        np.testing.assert_array_equal(kde.predict(part.window(d - 120, d), d),
                                      kde.predict(whole.window(d - 120, d), d))
        built = part.cache["kde-blocks:80:30"]
        grown += built is not seen
        seen = built
    assert grown <= 6, grown
