"""Hindsight reference lines ("ceilings"): not forecasts, upper references for them.

Each line ranks the units of a test day by the incidents of the *other* days of the test
period — knowledge no forecast has — optionally conditioned on what a real forecast *could*
know on the day. They answer "how far could a forecast get if it knew the test period's
spatial pattern and used this kind of day-specific information?", under the evaluator's own
rules (the lines go through :func:`xunfang.intel.evaluate` like any method).

The risk of unit u on test day d (all rates per day; the day d itself is never counted):

* ``static``: u's incidents over the other test days / their number (only over a seeded
  random ``days_share`` of them, to see how much the line is limited by its amount of data);
* ``condition`` (``"weekday"``, ``"weekend"``, ``"season"``): blended with weight ``alpha``
  with u's rate over the other test days of the same weekday, the same weekend/weekday kind, or
  within ``season_days`` days of the same day of the year (either year);
* ``profile`` (a per-incident label such as the location category or the district): instead
  of the blend, Σ_g S_ug · r_g(d), S_ug u's rate of label g over the other test days and r_g(d)
  label g's city-wide rate on the other test days like d (same weekday if ``by_weekday``,
  within ``season_days`` of d's day of year if given) relative to g's rate on all of them —
  a pooled, low-noise way to condition on the day;
* plus ``history`` × the training window's time-decayed rate (half-life 365 days; only what
  the evaluation's window holds);
* plus ``near_repeat_beta`` × u's incidents in the last ``near_repeat_days`` days (per day),
  plus ``neighbours`` × those of the 8 surrounding cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from xunfang.intel.methods import Decay, EventSet, History, MethodError, _neighbour_matrix

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Condition = Literal["weekday", "weekend", "season"]


@dataclass(frozen=True, eq=False)
class Labels:
    """One per-incident label over the test period: its codes and counts."""

    names: tuple[str, ...]
    code: IntArray  # per test incident inside a unit
    by_unit: FloatArray  # (units, labels): incidents over the whole test period
    by_day: FloatArray  # (labels, days)


@dataclass(frozen=True, eq=False)
class TestPeriod:
    """The incidents of the test days ``[first, last]`` (whole days since the epoch), per day
    and unit, with optional per-incident labels (aligned with ``events``)."""

    events: EventSet
    first: int
    last: int
    per_day: sp.csr_matrix  # (days, units)
    total: FloatArray  # per unit, all test days
    day: IntArray  # per test incident inside a unit: its day index
    unit: IntArray  # per test incident inside a unit: its unit
    weekday: IntArray  # per test day, Monday 0
    day_of_year: IntArray  # per test day, 1..366
    labels: dict[str, Labels] = field(default_factory=dict)

    __test__ = False  # not a pytest class

    @classmethod
    def build(cls, events: EventSet, first: int, last: int,
              labels: Mapping[str, Sequence[str] | npt.NDArray[np.str_]] | None = None
              ) -> TestPeriod:
        if last < first:
            raise MethodError("the test period ends before it starts")
        a, b = np.searchsorted(events.t, [first, last + 1], side="left")
        u = events.unit[a:b]
        inside = u >= 0
        day = np.floor(events.t[a:b]).astype(np.int64)[inside] - first
        unit = u[inside]
        n, nd = events.n_units, last - first + 1
        mat = sp.csr_matrix((np.ones(len(unit)), (day, unit)), shape=(nd, n))
        dates = [events.date_of(first + i) for i in range(nd)]
        got: dict[str, Labels] = {}
        for key, values in (labels or {}).items():
            vals = np.asarray(values, dtype=str)
            if len(vals) != len(events.t):
                raise MethodError(f"label '{key}': {len(vals)} values for {len(events.t)} "
                                  "incidents")
            names, code = np.unique(vals[a:b][inside], return_inverse=True)
            ng = len(names)
            by_unit = np.zeros((n, ng))
            np.add.at(by_unit, (unit, code), 1.0)
            by_day = np.zeros((ng, nd))
            np.add.at(by_day, (code, day), 1.0)
            got[key] = Labels(tuple(str(x) for x in names), code.astype(np.int64), by_unit,
                              by_day)
        return cls(events=events, first=first, last=last, per_day=mat,
                   total=np.asarray(mat.sum(axis=0), dtype=float).ravel(), day=day, unit=unit,
                   weekday=np.array([d.weekday() for d in dates], dtype=np.int64),
                   day_of_year=np.array([d.timetuple().tm_yday for d in dates],
                                        dtype=np.int64),
                   labels=got)

    @property
    def days(self) -> int:
        return self.last - self.first + 1

    def index(self, day: int) -> int:
        i = day - self.first
        if not 0 <= i < self.days:
            raise MethodError(f"hindsight lines only rank the test period's days; day {day} "
                              f"is outside [{self.first}, {self.last}]")
        return i

    def like(self, i: int, condition: Condition | None, *, season_days: int | None = None,
             by_weekday: bool = False) -> npt.NDArray[np.bool_]:
        """The other test days like day ``i`` (never ``i`` itself)."""
        m = np.ones(self.days, dtype=bool)
        if condition == "weekday" or by_weekday:
            m &= self.weekday == self.weekday[i]
        if condition == "weekend":
            m &= (self.weekday >= 5) == (self.weekday[i] >= 5)
        if condition == "season" or (condition is None and season_days is not None):
            if season_days is None:
                raise MethodError("a season condition needs season_days")
            gap = np.abs(self.day_of_year - self.day_of_year[i])
            m &= np.minimum(gap, 365 - gap) <= season_days
        m[i] = False
        return m

    def rate(self, mask: npt.NDArray[np.bool_]) -> FloatArray:
        """Each unit's incidents per day over the test days in ``mask``."""
        k = int(mask.sum())
        if k == 0:
            return np.zeros(self.events.n_units)
        return np.asarray(self.per_day.T @ mask.astype(float), dtype=float) / k


@dataclass(frozen=True, eq=False)
class Hindsight:
    """A hindsight reference line (see the module): a ``Method`` and its own ``Model``."""

    period: TestPeriod
    condition: Condition | None = None
    alpha: float = 1.0
    season_days: int | None = None
    profile: str | None = None
    by_weekday: bool = True
    history: float = 0.0
    near_repeat_days: int = 0
    near_repeat_beta: float = 0.0
    neighbours: float = 0.0
    days_share: float = 1.0
    seed: int = 0
    label: str = ""
    refit_days: int = 10**9

    def __post_init__(self) -> None:
        if self.condition is not None and self.profile is not None:
            raise MethodError("a hindsight line conditions by a blend or by a profile, not both")
        if self.profile is not None and self.profile not in self.period.labels:
            raise MethodError(f"no label '{self.profile}' in the test period")
        if not 0 < self.days_share <= 1:
            raise MethodError("days_share must be in (0, 1]")
        if self.near_repeat_beta and self.near_repeat_days < 1:
            raise MethodError("a near-repeat boost needs near_repeat_days ≥ 1")

    @property
    def name(self) -> str:
        return self.label or "hindsight"

    def fit(self, history: History) -> Hindsight:
        return self

    def predict(self, history: History, day: int) -> FloatArray:
        p = self.period
        i = p.index(day)
        others = np.ones(p.days, dtype=bool)
        if self.days_share < 1:  # a seeded random share of the test days: how data-limited?
            others = np.random.default_rng(self.seed).random(p.days) < self.days_share
        others[i] = False
        static = p.rate(others)
        if self.profile is not None:
            risk = self._profile(i)
        elif self.condition is not None:
            cond = p.rate(p.like(i, self.condition, season_days=self.season_days))
            risk = (1 - self.alpha) * static + self.alpha * cond
        else:
            risk = static
        if self.history:
            risk = risk + self.history * Decay(365.0).predict(history, day)
        if self.near_repeat_beta:
            n = self.near_repeat_days
            recent = history.counts(since=max(history.start, day - n)) / n
            if self.neighbours:
                ev = history.events
                scale = ev.units.cell_m or float(np.sqrt(np.median(ev.units.size)))
                nb = ev.cached(f"hindsight-nb:{scale}", lambda: _neighbour_matrix(
                    ev.units, 1.5 * scale, lambda d: (d > 0).astype(float)))
                recent = recent + self.neighbours * np.asarray(nb @ recent, dtype=float)
            risk = risk + self.near_repeat_beta * recent
        return risk

    def _profile(self, i: int) -> FloatArray:
        p = self.period
        assert self.profile is not None
        lab = p.labels[self.profile]
        like = p.like(i, None, season_days=self.season_days, by_weekday=self.by_weekday)
        k = int(like.sum())
        overall = (lab.by_day.sum(axis=1) - lab.by_day[:, i]) / (p.days - 1)
        on_like = lab.by_day[:, like].sum(axis=1) / max(k, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(overall > 0, on_like / overall, 0.0)
        today = p.day == i
        own = np.bincount(p.unit[today], weights=r[lab.code[today]],
                          minlength=p.events.n_units)
        return np.asarray(lab.by_unit @ r - own, dtype=float) / (p.days - 1)


# -- the perfect stationary map -----------------------------------------------------------------
def _npmle(values: FloatArray, weight: FloatArray, grid: FloatArray, iters: int,
           w0: FloatArray | None = None) -> FloatArray:
    """Kiefer–Wolfowitz NPMLE of a Poisson mixture on ``grid`` of means (EM): the mixing
    weights, for distinct counts ``values`` seen ``weight`` times."""
    from scipy.stats import poisson

    like = poisson.pmf(values[:, None], grid[None, :])
    share = weight / weight.sum()
    w = np.full(len(grid), 1.0 / len(grid)) if w0 is None else w0.copy()
    for _ in range(iters):
        post = like * w
        post /= np.maximum(post.sum(axis=1, keepdims=True), 1e-300)
        w = share @ post
    return np.asarray(w, dtype=float)


def _top_mass(grid: FloatArray, w: FloatArray, coverage: float) -> float:
    """∫ of the mean over the top ``coverage`` share of the mixture (per unit)."""
    o = np.argsort(grid)[::-1]
    g, ww = grid[o], w[o]
    cw = np.cumsum(ww)
    j = min(int(np.searchsorted(cw, coverage)), len(g) - 1)
    return float((ww[:j] * g[:j]).sum() + (coverage - (cw[j - 1] if j else 0.0)) * g[j])


def perfect_map_ceiling(counts: FloatArray, incidents: int, coverage: float = 0.05, *,
                        iters: int = 3000, resamples: int = 200, seed: int = 0
                        ) -> tuple[float, float, float]:
    """The hit rate at ``coverage`` of a *perfect* stationary map, estimated, with a 95 %
    interval by bootstrap over units.

    ``counts``: each study-area unit's incidents over the test period; ``incidents``: all test
    incidents (the hit rate's denominator). Assumes every unit has one rate over the period and
    Poisson counts; deconvolves the distribution of the rates (NPMLE), then returns the expected
    share of the incidents in the ``coverage`` share of units with the highest true rates —
    what a map that knew each rate exactly would hit. Not an evaluation: no ranking is scored.
    """
    x = np.asarray(counts, dtype=float)
    if not len(x) or incidents <= 0:
        raise MethodError("a perfect-map ceiling needs units and incidents")
    values, seen = np.unique(x, return_counts=True)
    grid = np.concatenate([[0.0], np.geomspace(1e-2, max(float(x.max()), 1.0) * 1.2, 300)])
    w = _npmle(values, seen.astype(float), grid, iters)
    point = _top_mass(grid, w, coverage) * len(x) / incidents
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(resamples):  # units resampled: the distinct counts' multiplicities
        again = rng.multinomial(len(x), seen / len(x)).astype(float)
        wb = _npmle(values, again, grid, iters)
        boot.append(_top_mass(grid, wb, coverage) * len(x) / incidents)
    lo, hi = (np.percentile(boot, [2.5, 97.5]) if boot else (np.nan, np.nan))
    return point, float(lo), float(hi)
