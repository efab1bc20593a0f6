"""The recorded incidents as a weekly profile per grid, and the hours a record does not say."""

from __future__ import annotations

import collections
import dataclasses
from datetime import date

import numpy as np
import pytest

from xunfang.plan import make_slots
from xunfang.planning.checkpoints.stage import checkpoint_sites, derive_payoffs
from xunfang.scenario import load
from xunfang.scenario.model import Scenario
from xunfang.scenario.record import hour_unknown, midnight_heap, weekly_counts


def _dated(sc: Scenario, share: float = 1.0) -> Scenario:
    """The scenario with ``share`` of its incidents' times cut to their dates (00:00)."""
    inc = sc.incidents
    cut = np.random.default_rng(0).random(len(inc)) < share
    times = np.where(cut, inc.time.astype("datetime64[D]").astype("datetime64[m]"), inc.time)
    return dataclasses.replace(sc, incidents=dataclasses.replace(inc, time=times))


def test_a_record_of_dates_spreads_each_day_over_its_hours() -> None:
    """A review: a record of dates without times put 99 % of the dosage yardstick's weight
    and the county's whole checkpoint schedule at 00:00, where the forecast spread each day
    over its hours. Such times (all of a record of dates, or those at a heap at 00:00) now
    count in every hour of their day alike, in both."""
    sc = load("ebian")
    assert not hour_unknown(sc.incidents.time).any()  # the county's own record says hours
    for share in (1.0, 0.4):
        dated = _dated(sc, share)
        unknown = hour_unknown(dated.incidents.time)
        assert 0.35 * share < unknown.mean() <= share + 0.01
        counts, _ = weekly_counts(dated, 60)
        assert counts.sum() == pytest.approx(weekly_counts(sc, 60)[0].sum())  # none lost
        midnight = counts[:, ::24].sum() / counts.sum()  # every day's 00:00 column
        assert midnight < 0.1, share  # was 0.99 for the record of dates
        posts = checkpoint_sites(dated)
        slots = make_slots(date(2026, 1, 5), days=1, slot_minutes=60)
        pay = derive_payoffs(dated, posts, slots)
        by_slot = pay.att_uncovered.max(axis=(0, 1))
        assert by_slot[1:].max() > 0.5 * by_slot[0], share  # the night is not all of it
        # and the proportional baseline (a review: 'even' in 23 hours of 24)
        from xunfang.sim.baselines import baseline_plan

        plan = baseline_plan("proportional", dated, slots)
        at = {s: sorted(collections.Counter(a.grid for a in plan.assignments
                                             if a.slot == s and a.grid).values())
              for s in (0, 5, 14)}
        assert len(set(at[5])) > 1 and len(set(at[14])) > 1, share  # never 'even'
        if share == 1.0:  # no hour known: each hour the grids' whole record, as at 00:00
            assert at[0] == at[5] == at[14]
    # a record rounded to whole hours is no heap at 00:00
    whole = np.repeat(np.arange(24), 50) * 60
    assert midnight_heap(whole) is None and midnight_heap(np.r_[whole, np.zeros(200)]) > 0.1


def test_the_proportional_baseline_knows_only_the_year_before_the_plan() -> None:
    """A review: a plan of a day inside the record shared its units by the year after it
    (G3 2 units where the year before gave it 12)."""
    import collections as c

    from xunfang.sim.baselines import baseline_plan

    sc = load("ebian")
    slots = make_slots(date(2025, 1, 1), days=1, slot_minutes=60)
    cut = dataclasses.replace(sc, incidents=sc.incidents.before(slots[0].start))
    assert len(cut.incidents) < len(sc.incidents)
    for s in (3, 20):
        got = [c.Counter(a.grid for a in baseline_plan("proportional", x, slots).assignments
                         if a.slot == s and a.grid) for x in (sc, cut)]
        assert got[0] == got[1], s
