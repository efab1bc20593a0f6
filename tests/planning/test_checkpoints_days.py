"""Sampled checkpoint days: each date's schedule comes from (seed, date) alone, days are
independent draws whose frequencies match the coverage."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy.stats import chi2, norm

from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.checkpoints import plan_checkpoints

DAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def ebian():  # type: ignore[no-untyped-def]
    sc = scenario_mod.load("ebian")
    return sc, RoadNetwork.from_scenario(sc)


def _plan(ebian, first: date, days: int, seed: int = 0, **kw: object):  # type: ignore[no-untyped-def]
    sc, net = ebian
    slots = make_slots(first, days=1, slot_minutes=60)
    kw.setdefault("max_types", 1)
    kw.setdefault("changeover_minutes", None)
    return plan_checkpoints(sc, net, slots, 2, seed, days=days, **kw)  # type: ignore[arg-type]


def _day(plan, d: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(v.slot, v.site, v.team) for v in plan.days[d]]


@pytest.mark.parametrize("travel", [None, 3.0])
def test_a_date_has_its_own_schedule_whatever_days_and_from(ebian, travel: float | None) -> None:  # type: ignore[no-untyped-def]
    three = _plan(ebian, DAY, 3, changeover_minutes=travel)
    assert three.days[0] and three.days[1]
    # the same seed on different dates: different schedules (times aside)
    strip = [[(v.slot[11:], v.site, v.team) for v in day] for day in three.days]
    assert strip[0] != strip[1] and strip[1] != strip[2]
    # day 2 of a 3-day run is the schedule of a run starting that date, and day 1 does not
    # change with --days
    assert _day(three, 1) == _day(_plan(ebian, DAY + timedelta(days=1), 1,
                                        changeover_minutes=travel), 0)
    assert _day(three, 0) == _day(_plan(ebian, DAY, 1, changeover_minutes=travel), 0)
    # reproducible from the seed and the date; another seed, another schedule
    assert _day(three, 2) == _day(_plan(ebian, DAY + timedelta(days=2), 1,
                                        changeover_minutes=travel), 0)
    assert _day(three, 0) != _day(_plan(ebian, DAY, 1, seed=1, changeover_minutes=travel), 0)


def test_days_are_independent_and_match_the_coverage(ebian) -> None:  # type: ignore[no-untyped-def]
    n = 3000
    plan = _plan(ebian, DAY, n)
    g = plan.game
    cov = plan.solution.coverage.reshape(g.n_sites, g.n_slots)
    checked = np.zeros((n, g.n_sites, g.n_slots), dtype=bool)
    idx = {s: i for i, s in enumerate(g.site_ids)}
    for d, day in enumerate(plan.days):
        for v in day:
            checked[d, idx[v.site], int(v.slot[11:13])] = True
    # one target per slot, the one with coverage nearest 0.5: slots are drawn independently,
    # so these are independent Bernoulli series
    pick = [(int(np.argmin(np.abs(cov[:, s] - 0.5))), s) for s in range(g.n_slots)]
    pick = [(i, s) for i, s in pick if 0.05 < cov[i, s] < 0.95]
    assert len(pick) >= 10
    c = np.array([cov[i, s] for i, s in pick])
    x = np.stack([checked[:, i, s] for i, s in pick], axis=1).astype(float)  # (n, targets)
    # frequencies: chi-square with one degree of freedom per target, two-sided — stratified
    # days (too regular) gave p = 1.0
    stat = float((((x.sum(axis=0) - n * c) ** 2) / (n * c * (1 - c))).sum())
    p = float(chi2.sf(stat, len(pick)))
    assert 1e-4 < p < 1 - 1e-4, (stat, p)
    # consecutive days: checked on day d and d + 1 as often as c² says (independent days);
    # variance of Σ X_d X_{d+1} for i.i.d. Bernoulli(c) series
    both = (x[:-1] * x[1:]).sum(axis=0)
    mean = (n - 1) * c**2
    var = (n - 1) * c**2 * (1 - c**2) + 2 * (n - 2) * (c**3 - c**4)
    z = float((both - mean).sum() / np.sqrt(var.sum()))
    assert abs(z) < norm.isf(1e-4 / 2), z


def test_the_plan_stage_differs_by_date(ebian) -> None:  # type: ignore[no-untyped-def]
    """`plan` calls the stage with the request's seed (default 0): two dates, two schedules."""
    from types import SimpleNamespace

    from xunfang.planning.pipeline import _checkpoints

    sc, net = ebian
    docs = []
    for first in (DAY, DAY + timedelta(days=7)):
        slots = make_slots(first, days=1, slot_minutes=60)
        _cp, doc = _checkpoints(sc, net, slots, SimpleNamespace(seed=0))  # type: ignore[arg-type]
        docs.append([(v["slot"][11:], v["site"], v["team"]) for v in doc["schedule"]])  # type: ignore[index]
    assert docs[0] and docs[0] != docs[1]


def test_the_plan_stage_samples_each_date_from_its_own_stream(ebian) -> None:  # type: ignore[no-untyped-def]
    """`plan --days 2`: day 2 of the plan is the 1-day plan of that date (a review: the stage
    sampled both days from the first date's stream, so day 2 differed)."""
    from types import SimpleNamespace

    from xunfang.planning.pipeline import _checkpoints

    sc, net = ebian

    def schedule(first: date, days: int) -> list[tuple[str, str, str]]:
        slots = make_slots(first, days=days, slot_minutes=60)
        _cp, doc = _checkpoints(sc, net, slots, SimpleNamespace(seed=0))  # type: ignore[arg-type]
        return [(v["slot"], v["site"], v["team"]) for v in doc["schedule"]]  # type: ignore[index]

    two = schedule(DAY, 2)
    second = (DAY + timedelta(days=1)).isoformat()
    assert [v for v in two if v[0].startswith(second)] == schedule(DAY + timedelta(days=1), 1)
    assert [v for v in two if v[0].startswith(DAY.isoformat())] == schedule(DAY, 1)
