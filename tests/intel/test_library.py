"""The intel library called as the CLI calls it: the same defaults, and bad arguments or
units that hold no incident refused by name rather than scored as zeros."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import shapely

from xunfang.intel import EvaluationError, EventSet, MethodError, evaluate, forecast
from xunfang.intel import units as U
from xunfang.intel.methods import Naive

DAY0 = datetime(2024, 1, 1, 12, 0)
CELLS = U.cells(np.zeros((0, 2)), 100.0, bounds=(0, 0, 999, 99))  # ten 100 m cells in a row


def events(incidents: list[tuple[int, int]], units: U.Units = CELLS,
           stray: tuple[int, ...] | list[int] = ()) -> EventSet:
    """(day after DAY0's, cell) at midday, plus one incident far from every cell on each day
    of ``stray``."""
    t = [DAY0 + timedelta(days=d) for d, _ in incidents] + [
        DAY0 + timedelta(days=d) for d in stray]
    xy = [CELLS.centroid[u] for _, u in incidents] + [[50_000.0, 50_000.0]] * len(stray)
    order = np.argsort(np.array(t, dtype="datetime64[m]"), kind="stable")
    return EventSet.build(units, np.array(t, dtype="datetime64[m]")[order],
                          np.array(xy, dtype=float)[order])


def on(day: int) -> date:
    return (DAY0 + timedelta(days=day)).date()


RUN: dict[str, Any] = dict(test_from=on(10), test_to=on(10), train_days=30,
                          coverages=(0.1,), resamples=10)


def test_the_study_area_is_the_units_own_rule_by_default() -> None:
    """A jurisdiction's cells are studied whole, a bare file's occupied cells where the
    window held incidents — by default as the CLI (u.study) does it: the library's fixed
    "training" scored a review's Montreal segments 0.011 at 5 %, where the CLI gave 0.129.
    Cell 7 held no incident in the window: in the jurisdiction's study area, not in the
    training one."""
    inc = [(0, 3), (0, 3), (10, 3), (10, 7)]
    ev = events(inc)
    assert CELLS.study == "jurisdiction"
    res = evaluate(ev, [Naive(days=30)], **RUN, study=None)
    assert res.study == "jurisdiction" and res.outside_study_area == 0
    assert res.scores[0].log_likelihood_incidents == 2
    training = evaluate(ev, [Naive(days=30)], **RUN, study="training")
    assert training.outside_study_area == 1
    # a bare file's occupied cells: "training" by default
    xy = np.array([CELLS.centroid[u] for _, u in inc])
    bare = U.cells(xy, 100.0, occupied=True)
    got = evaluate(events(inc, bare), [Naive(days=30)], **RUN)
    assert bare.study == got.study == "training" and got.outside_study_area == 1


def test_an_unknown_study_or_jurisdiction_is_refused_by_name() -> None:
    ev = events([(0, 3), (10, 3)])
    with pytest.raises(EvaluationError, match=r"study must be one of 'jurisdiction', "
                       r"'training', got 'jurisdicton'"):
        evaluate(ev, [Naive()], **RUN, study="jurisdicton")  # type: ignore[arg-type]
    # a mask of the wrong length scored every hit rate 0
    with pytest.raises(EvaluationError, match=r"jurisdiction must be a mask.*one per unit "
                       r"\(10\).*shape \(9,\)"):
        evaluate(ev, [Naive()], **RUN, study="jurisdiction", jurisdiction=np.ones(9, bool))
    with pytest.raises(EvaluationError, match="jurisdiction must be a mask"):
        evaluate(ev, [Naive()], **RUN, study="jurisdiction",
                 jurisdiction=np.ones(10))  # type: ignore[arg-type]
    with pytest.raises(EvaluationError, match="jurisdiction holds no unit"):
        evaluate(ev, [Naive()], **RUN, study="jurisdiction", jurisdiction=np.zeros(10, bool))
    with pytest.raises(EvaluationError, match='study="jurisdiction", not of \'training\''):
        evaluate(ev, [Naive()], **RUN, study="training", jurisdiction=np.ones(10, bool))


@pytest.mark.parametrize(("change", "message"), [
    ({"coverages": (1.5,)}, r"coverages are shares.*above 0 and at most 1; got 1\.5"),
    ({"coverages": (0,)}, r"coverages are shares.*got 0"),
    ({"coverages": (0.05, -0.1)}, r"coverages are shares.*got -0\.1"),
    ({"coverages": ()}, r"coverages is empty"),
    ({"coverages": (0.05, 0.05)}, r"coverages must be distinct"),
    ({"resamples": 0}, r"resamples \(the bootstrap's\) must be a whole number of at least 1, "
                       r"got 0"),
    ({"resamples": 2.5}, r"resamples .* got 2\.5"),
])
def test_bad_evaluation_arguments_are_refused_by_name(change: dict[str, Any],
                                                     message: str) -> None:
    ev = events([(0, 3), (10, 3)])
    with pytest.raises(EvaluationError, match=message):
        evaluate(ev, [Naive()], **{**RUN, **change})


def test_no_method_is_refused_as_such() -> None:
    with pytest.raises(EvaluationError, match=r"no method to evaluate: methods is empty"):
        evaluate(events([(0, 3), (10, 3)]), [], **RUN)


def test_bad_forecast_arguments_are_refused_by_name() -> None:
    ev = events([(0, 3), (10, 3)])
    with pytest.raises(MethodError, match=r"--train-days must be at least 1, got -5"):
        forecast(ev, Naive(), start=on(11), days=1, train_days=-5)
    with pytest.raises(MethodError, match=r"--train-days must be at least 1, got 0"):
        forecast(ev, Naive(), start=on(11), days=1, train_days=0)
    with pytest.raises(MethodError, match=r"tz \(--tz\) 'Mars/Base' is not a time zone"):
        forecast(ev, Naive(), start=on(11), days=1, train_days=30, tz="Mars/Base")
    assert forecast(ev, Naive(), start=on(11), days=1, train_days=30,
                    tz="Asia/Shanghai").risk.sum() > 0


def test_units_that_hold_no_incident_are_refused() -> None:
    """Polygons in another CRS than the incidents' hold none of them: every hit rate 0, the
    log-likelihood nan and the forecast all zeros, with nothing said (a review: 0 of 20,649
    Chicago incidents placed). Refused, as the CLI refuses, with the reason to look for."""
    away = U.polygons(("a", "b"), (shapely.box(1e6, 0, 1e6 + 500, 100),
                                   shapely.box(1e6 + 500, 0, 1e6 + 1000, 100)))
    ev = events([(0, 3), (5, 4), (10, 3)], away)
    with pytest.raises(EvaluationError, match=r"none of the 3 incidents of the training "
                       r"windows and test days.*outside every polygon.*same CRS"):
        evaluate(ev, [Naive()], **RUN)
    with pytest.raises(MethodError, match=r"none of the 2 incidents of the training window "
                       r"2024-01-01 to 2024-01-10 lies in a unit.*nothing to forecast"):
        forecast(ev, Naive(), start=on(10), days=1, train_days=30)


def test_test_days_in_no_unit_are_refused() -> None:
    """The windows' incidents lie in cells, the test day's none: nothing to score."""
    ev = events([(0, 3), (5, 4)], stray=[10, 10])
    with pytest.raises(EvaluationError, match=r"none of the 2 incidents of the test days "
                       r"2024-01-11 to 2024-01-11 lies in a unit \(outside every cell\)"):
        evaluate(ev, [Naive()], **RUN)


def test_a_large_share_in_no_unit_is_told() -> None:
    """Half the incidents far from every cell: the evaluation and the forecast say so; a
    few strays (under a tenth) are not worth a note."""
    ev = events([(0, 3), (5, 4), (10, 3), (10, 4)], stray=[0, 5, 10, 10])
    res = evaluate(ev, [Naive(days=30)], **RUN)
    assert res.notes == ("4 of the 8 incidents of the training windows and test days "
                         "(2024-01-01 to 2024-01-11) (50.0%) lie outside every cell; every "
                         "method misses them",)
    assert res.as_json()["notes"] == list(res.notes)
    assert res.scores[0].hit_rate[0.1] == pytest.approx(1 / 4)
    fc = forecast(ev, Naive(days=30), start=on(10), days=1, train_days=30)
    assert fc.details["no_unit"] == ("2 of the 4 incidents of the training window 2024-01-01 "
                                     "to 2024-01-10 (50.0%) lie outside every cell; they are "
                                     "not forecast")
    few = events([(d % 20, d % 10) for d in range(40)], stray=[3])
    assert evaluate(few, [Naive(days=30)], **RUN).notes == ()
    assert "no_unit" not in forecast(few, Naive(days=30), start=on(10), days=1,
                                     train_days=30).details


def test_numpy_numbers_are_taken_as_the_python_ones() -> None:
    """A notebook's numbers are often numpy's (a review): np.int64 train_days failed in
    timedelta; np.float32 0.05 was scored and then "0.05 was not scored"; shift starts
    as None failed bare."""
    ev = events([(0, 3), (0, 3), (5, 2), (10, 3)])
    res = evaluate(ev, [Naive(days=30), Naive(days=7, name="week")],
                   **{**RUN, "train_days": np.int64(30), "coverages": (np.float32(0.1),)})
    assert res.train_days == 30 and isinstance(res.train_days, int)
    assert res.ratio("naive", "naive", np.float32(0.1))[0] == pytest.approx(1.0)
    assert res.ratio("week", "naive", 0.1) == res.ratio("week", "naive", np.float32(0.1))
    fc = forecast(ev, Naive(days=30), start=on(11), days=1, train_days=np.int64(30))
    assert fc.risk.sum() > 0
    with pytest.raises(EvaluationError, match="--train-days must be a whole number"):
        evaluate(ev, [Naive(days=30)], **{**RUN, "train_days": 30.5})
    with pytest.raises(MethodError, match="--train-days must be a whole number"):
        forecast(ev, Naive(days=30), start=on(11), days=1, train_days="30")  # type: ignore[arg-type]
    with pytest.raises(U.UnitsError, match="shift_starts are whole hours"):
        U.Slots("shift", None)  # type: ignore[arg-type]
    assert U.Slots("shift", np.array([8, 20])).shift_starts == (8, 20)


def test_days_and_dates_of_any_common_type_or_a_clear_error() -> None:
    """A review: days as numpy's float64 failed bare, a pandas Timestamp inside pandas, a
    numpy datetime64 on isoformat; '0.05' as a coverage bare; 0.05 and float32 0.05 were
    merged into one score."""
    import pandas as pd

    ev = events([(0, 3), (0, 3), (5, 2), (10, 3)])
    base = forecast(ev, Naive(days=30), start=on(11), days=2, train_days=30)
    for start in (pd.Timestamp(on(11)), np.datetime64(on(11)), datetime.combine(on(11),
                                                                              datetime.min.time())):
        got = forecast(ev, Naive(days=30), start=start, days=np.int64(2), train_days=30)  # type: ignore[arg-type]
        np.testing.assert_array_equal(got.risk, base.risk)
    with pytest.raises(MethodError, match="--days must be a whole number"):
        forecast(ev, Naive(days=30), start=on(11), days=np.float64(2), train_days=30)  # type: ignore[arg-type]
    with pytest.raises(MethodError, match="must be a day"):
        forecast(ev, Naive(days=30), start="2024-01-12", days=1, train_days=30)  # type: ignore[arg-type]
    res = evaluate(ev, [Naive(days=30)], **{**RUN, "test_from": np.datetime64(on(10)),
                                            "test_to": pd.Timestamp(on(10))})
    assert res.test_from == on(10) and res.as_json()["test_to"] == on(10).isoformat()
    with pytest.raises(EvaluationError, match="share of the study area"):
        res.ratio("naive", "naive", "0.05")  # type: ignore[arg-type]
    with pytest.raises(EvaluationError, match="distinct"):
        evaluate(ev, [Naive(days=30)], **{**RUN, "coverages": (0.1, np.float32(0.1))})


def test_coverages_that_print_as_one_are_refused() -> None:
    """A review: 0.05 and 0.050000000001 passed the distinct check and came out as one
    '0.05' key holding the second one's PAI."""
    ev = events([(0, 3), (0, 3), (5, 2), (10, 3)])
    with pytest.raises(EvaluationError, match="distinct"):
        evaluate(ev, [Naive(days=30)], **{**RUN, "coverages": (0.05, 0.050000000001)})
