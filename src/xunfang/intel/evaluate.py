"""Rolling-origin evaluation: every test day forecast from the ``train_days`` before it.

Fixed rules, so that figures compare across tools and cities:

* the training window of day d is [d − N days, d);
* the study area is the jurisdiction's units (``study="jurisdiction"``) or, for a bare incident
  file, the units that held an incident in the training window (``study="training"``);
  by default the units' own rule (``Units.study``, as the CLI takes it: a review found the
  library's fixed "training" scoring Montreal's segments 0.011 at 5 % where the CLI gave
  0.129); every method of one evaluation shares the window and the study area;
* hit rate at c: the share of the period's incidents that fall in the highest-risk units making
  up c of the study area — k = round(c · units), at least 1, for equal cells; for units of
  unequal size, ranked by risk per m² and taken while their summed area stays within c (at
  least one);
  ties broken by unit index; hits and incidents pooled over the test days, every test
  incident in the denominator (also those outside the study area or outside every unit);
* PAI = hit rate / c (for unequal units: / the share of the area the units taken make up,
  averaged over the days — at least one unit is taken, and one may be larger than c);
  PEI = hits / the most hits the same area could have had that day (pooled): the top k
  counts for equal cells; for unequal units the densest units, the last in part;
* predictive log-likelihood: the mean log-probability of the test incidents' units under the
  forecast normalised over the study area, mixed with ε = 1e-3 of a uniform forecast;
* 95 % intervals by bootstrap over test days (1,000 resamples, seeded) of the hit rate, PAI,
  PEI and log-likelihood, each recomputed pooled over the resampled days; ratios to a
  baseline method are paired (the same resampled days for both);
* windows and test days of which no incident lies in any unit (units in another CRS) are
  refused, not scored 0; more than :data:`NO_UNIT_SHARE` of them in none is noted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from xunfang._errors import XunfangError
from xunfang.intel.methods import EventSet, Method, MethodError, Model, running_counts
from xunfang.intel.units import as_day, how_many, log_likelihood, ranked, top_units, whole_days

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
__all__ = ["COVERAGES", "NO_UNIT_SHARE", "Evaluation", "EvaluationError", "MethodScore",
           "evaluate", "how_many", "no_unit", "ranked", "top_units"]

COVERAGES = (0.01, 0.02, 0.05, 0.1, 0.2)


class EvaluationError(XunfangError):
    """An evaluation that cannot be run (empty training window, no test incidents)."""


@dataclass(frozen=True)
class MethodScore:
    method: str
    hit_rate: dict[float, float]
    hit_rate_ci: dict[float, tuple[float, float]]
    pai: dict[float, float]
    pei: dict[float, float]
    log_likelihood: float
    seconds: float
    per_day_hits: npt.NDArray[np.float64] = field(repr=False)  # (days, coverages)
    notes: tuple[str, ...] = ()
    # the share of the study area the top units took at each coverage, over the test days:
    # for equal cells k / cells (c, but for a study area of few cells: 1 of 20 is 5 % at
    # 1 %, where PAI still divides by c, the fixed rule); for unequal units what whole
    # units came to (a county's one grid of 16 % is its "1 %"), and PAI divides by it
    area: dict[float, float] = field(default_factory=dict)
    # the test incidents the log-likelihood is over: those in the study area
    log_likelihood_incidents: int = 0
    # 95 % bootstrap intervals of the other figures, over the same resampled days as the
    # hit rate's
    pai_ci: dict[float, tuple[float, float]] = field(default_factory=dict)
    pei_ci: dict[float, tuple[float, float]] = field(default_factory=dict)
    log_likelihood_ci: tuple[float, float] = (math.nan, math.nan)

    def as_json(self) -> dict[str, Any]:
        key = _key
        return {
            "method": self.method,
            "hit_rate": {key(c): v for c, v in self.hit_rate.items()},
            "hit_rate_ci": {key(c): list(v) for c, v in self.hit_rate_ci.items()},
            "pai": {key(c): v for c, v in self.pai.items()},
            "pai_ci": {key(c): list(v) for c, v in self.pai_ci.items()},
            "pei": {key(c): v for c, v in self.pei.items()},
            "pei_ci": {key(c): list(v) for c, v in self.pei_ci.items()},
            "area": {key(c): v for c, v in self.area.items()},
            "log_likelihood": self.log_likelihood,
            "log_likelihood_ci": list(self.log_likelihood_ci),
            "log_likelihood_incidents": self.log_likelihood_incidents,
            "seconds": self.seconds,
            "notes": list(self.notes),
        }


def _key(c: float) -> str:
    return f"{c:g}"


@dataclass(frozen=True)
class Evaluation:
    test_from: date
    test_to: date
    train_days: int
    study: str
    units: int
    test_incidents: int
    per_day_incidents: FloatArray = field(repr=False)
    scores: tuple[MethodScore, ...]
    # test incidents outside the study area (in no unit, or in one without an incident in
    # the day's window): every method misses them; the log-likelihood leaves them out
    outside_study_area: int = 0
    # the methods that could not be fitted on some test day, and why: left out of the scores
    # (a review: gbm's "too short to learn from" on a record under a year stopped every
    # method's evaluation)
    skipped: dict[str, str] = field(default_factory=dict)
    # what the user should know of the figures (a large share of incidents in no unit)
    notes: tuple[str, ...] = ()

    def ratio(self, method: str, baseline: str, coverage: float = 0.05, *,
              resamples: int = 1000, seed: int = 0) -> tuple[float, float, float]:
        """Hit-rate ratio method/baseline with its paired bootstrap 95 % interval: both
        methods' hits summed over the same resampled days (the days' own ups and downs
        cancel; drawn apart, Chicago's decay/naive interval [0.987, 1.012] widens to
        [0.938, 1.066])."""
        _check_resamples(resamples)
        a = self._per_day_hits(method, coverage)
        b = self._per_day_hits(baseline, coverage)
        point = a.sum() / b.sum() if b.sum() else (math.inf if a.sum() else math.nan)
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(a), size=(resamples, len(a)))
        ra = a[idx].sum(axis=1)
        rb = b[idx].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = ra / rb  # inf where the baseline had no hit in a resample (nan for 0 / 0)
        if np.isnan(r).all():  # neither hit in any resample: no interval to give
            return float(point), math.nan, math.nan
        # no interpolation where a ratio is inf: between it and a finite one it gives nan
        lo, hi = np.nanpercentile(r, [2.5, 97.5], method="inverted_cdf" if np.isinf(r).any()
                                  else "linear")
        return float(point), float(lo), float(hi)

    def _per_day_hits(self, method: str, coverage: float) -> FloatArray:
        """A scored method's hits of each test day at one of the evaluation's coverages (its
        own, not :data:`COVERAGES`: a review's 0.05 of an evaluation at (0.05, 0.1) was out of
        range, and 0.01 silently the 5 % figure)."""
        by = {s.method: s for s in self.scores}
        if method not in by:
            skipped = self.skipped.get(method)
            raise EvaluationError(
                f"method {method!r} was not scored" + (f" (skipped: {skipped})" if skipped
                                                       else "")
                + f"; scored: {', '.join(map(repr, by))}")
        score = by[method]
        have = list(score.hit_rate)
        at = [j for j, c in enumerate(have) if math.isclose(c, _share(coverage), rel_tol=1e-9)]
        if not at:
            raise EvaluationError(f"coverage {coverage:g} was not scored; the evaluation's "
                                  f"coverages: {', '.join(f'{c:g}' for c in have)}")
        return np.asarray(score.per_day_hits[:, at[0]], dtype=np.float64)

    def as_json(self) -> dict[str, Any]:
        return {
            "test_from": self.test_from.isoformat(),
            "test_to": self.test_to.isoformat(),
            "train_days": self.train_days,
            "study_area": self.study,
            "units": self.units,
            "test_incidents": self.test_incidents,
            "test_incidents_outside_study_area": self.outside_study_area,
            "methods": [s.as_json() for s in self.scores],
            **({"skipped": dict(self.skipped)} if self.skipped else {}),
            **({"notes": list(self.notes)} if self.notes else {}),
        }


def evaluate(
    events: EventSet,
    methods: Sequence[Method],
    *,
    test_from: date,
    test_to: date,
    train_days: int,
    study: Literal["jurisdiction", "training"] | None = None,
    jurisdiction: npt.NDArray[np.bool_] | None = None,
    coverages: Sequence[float] = COVERAGES,
    resamples: int = 1000,
    seed: int = 0,
    progress: Any = None,
) -> Evaluation:
    """Score each method by rolling-origin daily forecasts over [test_from, test_to].

    ``study``: the study area's rule, by default ``events.units.study``; ``jurisdiction``
    (with ``study="jurisdiction"``): a mask of the units that make it up, all by default."""
    units = events.units
    if study is None:
        study = units.study
    if study not in STUDIES:
        raise EvaluationError(f"study must be one of {', '.join(map(repr, STUDIES))}, got "
                              f"{study!r}")
    if not methods:
        raise EvaluationError("no method to evaluate: methods is empty")
    coverages = _check_coverages(coverages)
    _check_resamples(resamples)
    train_days = whole_days(train_days, EvaluationError)
    test_from = as_day(test_from, EvaluationError, "--test-from (test_from)")
    test_to = as_day(test_to, EvaluationError, "--test-to (test_to)")
    if jurisdiction is not None:
        jurisdiction = np.asarray(jurisdiction)
        if jurisdiction.shape != (len(units),) or jurisdiction.dtype != bool:
            raise EvaluationError(
                f"jurisdiction must be a mask of True/False, one per unit ({len(units)}), got "
                f"{jurisdiction.dtype} of shape {jurisdiction.shape}")
        if study != "jurisdiction":
            raise EvaluationError('jurisdiction is the study area of study="jurisdiction", '
                                  f"not of {study!r}")
        if not jurisdiction.any():
            raise EvaluationError("jurisdiction holds no unit: no study area to rank")
    if test_to < test_from:
        raise EvaluationError(f"--test-to {test_to} is before --test-from {test_from}")
    if train_days < 1:
        raise EvaluationError(f"--train-days must be at least 1, got {train_days}")
    d0, d1 = events.day_of(test_from), events.day_of(test_to)
    if d0 - train_days < 0 and events.window(d0 - train_days, d0).b == 0:
        raise EvaluationError(
            f"the training window of {test_from} ({train_days} days before it) holds no "
            f"incident; the data start on {events.epoch}")
    days = np.arange(d0, d1 + 1)
    day_starts = np.searchsorted(events.t, np.arange(d0, d1 + 2), side="left")
    per_day = np.diff(day_starts).astype(np.float64)
    if per_day.sum() == 0:
        raise EvaluationError(f"no incident between {test_from} and {test_to}: nothing to test")
    notes = _placed(events, d0 - train_days, d0, d1 + 1,
                    f"the test days {test_from} to {test_to}")
    equal = units.equal_size
    if study == "jurisdiction":
        if jurisdiction is None:
            jurisdiction = np.ones(len(units), dtype=bool)
        fixed_area: IntArray | None = np.flatnonzero(jurisdiction)
    else:
        fixed_area = None
    scores = []
    skipped: dict[str, str] = {}
    for method in methods:
        t0 = time.perf_counter()
        failed: str | None = None
        hits = np.zeros((len(days), len(coverages)))
        best = np.zeros((len(days), len(coverages)))
        share = np.tile(np.asarray(coverages, dtype=float), (len(days), 1))
        ll_day = np.zeros(len(days))  # each day's summed log-probabilities, and incidents
        n_day = np.zeros(len(days))
        model: Model | None = None
        fitted_on = -10**9
        noted: dict[str, list[int]] = {}  # note → [refits it held at, first day]
        refits = 0
        # the study area of a bare file: the cells with an incident in the day's window
        past = running_counts(events, ((d - train_days, d) for d in days.tolist()))
        for i, d in enumerate(days.tolist()):
            hist = events.window(d - train_days, d)
            if hist.b == hist.a:
                raise EvaluationError(
                    f"the training window of {events.date_of(d)} ({train_days} days from "
                    f"{events.date_of(d - train_days)}, --train-days) holds no incident")
            if model is None or d - fitted_on >= method.refit_days:
                try:
                    model = method.fit(hist)
                except MethodError as exc:
                    failed = f"{exc} (fitted for {events.date_of(d)})"
                    break
                fitted_on = d
                refits += 1
                note = _model_note(model)
                if note:  # how often, from when: a choice that changes is told as it went
                    seen = noted.setdefault(note, [0, d])
                    seen[0] += 1
            risk = np.asarray(model.predict(hist, d), dtype=float)
            area = fixed_area if fixed_area is not None else np.flatnonzero(next(past) > 0)
            today = events.unit[day_starts[i]:day_starts[i + 1]]
            inside = today[today >= 0]
            actual = np.bincount(inside, minlength=len(units)).astype(float)
            order = ranked(risk, area, units.size, equal)
            cum_hits = np.cumsum(actual[order])
            if equal:
                cum_best = np.cumsum(np.sort(actual[area])[::-1])
            else:
                cum_size = np.cumsum(units.size[order])
                best_of = _most_in_area(actual[area], units.size[area])
            for j, c in enumerate(coverages):
                k = how_many(order, units.size, c, equal)
                hits[i, j] = cum_hits[k - 1]
                if equal:
                    share[i, j] = k / len(order)
                    best[i, j] = cum_best[k - 1]
                else:  # units of unequal size: the area taken, and the most it could hold
                    share[i, j] = cum_size[k - 1] / cum_size[-1]
                    best[i, j] = best_of(cum_size[k - 1])
            in_area = np.zeros(len(units), dtype=bool)
            in_area[area] = True
            tested = inside[in_area[inside]]
            ll_day[i] = log_likelihood(risk, area, tested)
            n_day[i] = len(tested)
            if progress is not None:
                progress(method.name, i + 1, len(days))
        if failed is not None:
            skipped[method.name] = failed
            continue
        seconds = time.perf_counter() - t0
        tot = per_day.sum()
        hr = {c: float(hits[:, j].sum() / tot) for j, c in enumerate(coverages)}
        boot = _bootstrap(hits, best, share, ll_day, n_day, per_day, coverages, resamples,
                          seed, equal)
        n_ll = int(n_day.sum())
        scores.append(MethodScore(
            method=method.name,
            hit_rate=hr,
            hit_rate_ci=boot.hit_rate,
            pai={c: hr[c] / (c if equal else float(share[:, j].mean()))
                 for j, c in enumerate(coverages)},
            pai_ci=boot.pai,
            area={c: float(share[:, j].mean()) for j, c in enumerate(coverages)},
            pei={c: float(hits[:, j].sum() / best[:, j].sum()) if best[:, j].sum() else math.nan
                 for j, c in enumerate(coverages)},
            pei_ci=boot.pei,
            log_likelihood=float(ll_day.sum()) / n_ll if n_ll else math.nan,
            log_likelihood_ci=boot.log_likelihood,
            log_likelihood_incidents=n_ll,
            seconds=seconds,
            per_day_hits=hits,
            notes=tuple(note if refits == 1 else
                        f"{note} at {n} of {refits} refits (first on {events.date_of(first)})"
                        for note, (n, first) in noted.items()),
        ))
    if not scores:
        raise EvaluationError("no method could be evaluated: " + "; ".join(
            f"{name}: {why}" for name, why in skipped.items()))
    outside = int(per_day.sum()) - scores[0].log_likelihood_incidents
    return Evaluation(test_from, test_to, train_days, study, len(units), int(per_day.sum()),
                      per_day, tuple(scores), outside_study_area=outside, skipped=skipped,
                      notes=notes)


STUDIES = ("jurisdiction", "training")

# incidents in no unit beyond this share of a period are told (``Evaluation.notes``,
# ``Forecast.details["no_unit"]``): a few strays of a city's file are usual (Chicago's
# police districts leave 13 of 20,649 assaults, 0.06 %, outside; Montreal's streets none of
# its 295 bike accidents at 100 m), a tenth of it is units and incidents that do not cover
# the same place (polygons of part of the town, a network that stops short)
NO_UNIT_SHARE = 0.1


def where_none(kind: str) -> str:
    """Where an incident in no unit of this kind lies (the CLI's words too, cli/intel.py)."""
    return {"segments": "on no street segment", "cells": "outside every cell"}.get(
        kind, f"outside every {kind[:-1] if kind.endswith('s') else kind}")


def no_unit(events: EventSet, a: int, b: int, what: str) -> tuple[int, int, str | None]:
    """The incidents of ``events.t`` positions [a, b) (``what``: the period's name), how many
    of them lie in no unit, and what to say of it: None where at most :data:`NO_UNIT_SHARE`
    do."""
    total = b - a
    off = int((events.unit[a:b] < 0).sum())
    where = where_none(events.units.kind)
    if total and off == total:
        return total, off, (f"none of the {total} incidents of {what} lies in a unit "
                            f"({where}): do the incidents and the units cover the same place, "
                            "in the same CRS?")
    if total and off > NO_UNIT_SHARE * total:
        return total, off, (f"{off} of the {total} incidents of {what} ({off / total:.1%}) "
                            f"lie {where}")
    return total, off, None


def _placed(events: EventSet, start: int, d0: int, end: int, test: str) -> tuple[str, ...]:
    """Refuse an evaluation whose training windows or test days hold no incident in any unit
    (every hit rate 0, the log-likelihood nan: a review's polygons in the wrong CRS placed 0
    of 20,649 incidents, silently); a note where a large share lies in none."""
    start = max(start, min(0, d0))  # a window reaching before the record starts at it
    a, m, b = (int(v) for v in np.searchsorted(events.t, [start, d0, end], side="left"))
    first = events.date_of(start)
    told = []
    for lo, hi, what in ((a, b, f"the training windows and test days ({first} to "
                                f"{events.date_of(end - 1)})"), (m, b, test)):
        total, off, said = no_unit(events, lo, hi, what)
        if total and off == total:
            assert said is not None
            raise EvaluationError(said + " (every method would score 0)")
        told.append(said)
    # the whole span's share where it is large, else the test days'
    said = told[0] or told[1]
    return () if said is None else (f"{said}; every method misses them",)


def _share(c: float) -> float:
    """A coverage as the share it was written as: numpy's float32 0.05 is
    0.0500000007 as a Python float, and the evaluation said "coverage 0.05 was not scored;
    the evaluation's coverages: 0.05" (a review)."""
    if isinstance(c, bool) or not isinstance(c, (int, float, np.floating, np.integer)):
        raise EvaluationError(f"a coverage is a share of the study area (a number such as "
                              f"0.05), got {c!r}")
    return float(np.format_float_positional(c, unique=True, trim="-"))


def _check_coverages(coverages: Sequence[float]) -> tuple[float, ...]:
    """The coverages as the shares they were written as (:func:`_share`), each above 0 and at
    most 1 and distinct as the output names them (0.05 and numpy's float32 0.05, or 0.05 and
    0.050000000001, were one '0.05' key holding the second one's PAI; a review)."""
    if not len(coverages):
        raise EvaluationError("coverages is empty: give the shares of the study area to "
                              "score, e.g. (0.01, 0.05)")
    bad = [c for c in coverages
           if isinstance(c, bool) or not isinstance(c, (int, float, np.floating, np.integer))
           or not 0 < c <= 1]
    if bad:
        raise EvaluationError(f"coverages are shares of the study area, each above 0 and at "
                              f"most 1; got {', '.join(map(repr, bad))}")
    shares = tuple(_share(c) for c in coverages)
    if len({_key(c) for c in shares}) != len(shares):
        raise EvaluationError(f"coverages must be distinct as written to 6 digits, got "
                              f"{shares}")
    return shares


def _check_resamples(resamples: int) -> None:
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) \
            or resamples < 1:
        raise EvaluationError(f"resamples (the bootstrap's) must be a whole number of at "
                              f"least 1, got {resamples!r}")


def _most_in_area(counts: FloatArray, size: FloatArray) -> Any:
    """The most incidents units of these sizes could hold within an area: the densest first,
    the last one in part (Hunt's n* for PEI, with the area the method's units took: never
    below any choice of whole units of that area, so PEI stays at most 1). For equal cells
    and a whole number of them it is the top counts'."""
    order = np.argsort(-(counts / size), kind="stable")
    cum_size = np.cumsum(size[order])
    cum_count = np.cumsum(counts[order])

    def most(area: float) -> float:
        j = int(np.searchsorted(cum_size, area, side="right"))
        whole = float(cum_count[j - 1]) if j else 0.0
        if j >= len(order):
            return whole
        left = area - (float(cum_size[j - 1]) if j else 0.0)
        return whole + left / float(size[order[j]]) * float(counts[order[j]])

    return most


@dataclass(frozen=True)
class _Intervals:
    hit_rate: dict[float, tuple[float, float]]
    pai: dict[float, tuple[float, float]]
    pei: dict[float, tuple[float, float]]
    log_likelihood: tuple[float, float]


def _bootstrap(hits: FloatArray, best: FloatArray, share: FloatArray, ll_day: FloatArray,
               n_day: FloatArray, per_day: FloatArray, coverages: Sequence[float],
               resamples: int, seed: int, equal: bool) -> _Intervals:
    """95 % intervals over the same resampled test days for every figure, each pooled over
    the days drawn as the figure itself is over the test days: the hit rate (hits over
    every test incident), PAI (that over c, or over the mean share of the area taken for
    units of unequal size), PEI (hits over the most hits the area could have had) and the
    log-likelihood (per incident in the study area)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(per_day), size=(resamples, len(per_day)))
    tot = per_day[idx].sum(axis=1)

    def pct(r: FloatArray) -> tuple[float, float]:
        if np.isnan(r).all():
            return (math.nan, math.nan)
        lo, hi = np.nanpercentile(r, [2.5, 97.5])
        return (float(lo), float(hi))

    hr, pai, pei = {}, {}, {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, c in enumerate(coverages):
            h = hits[:, j][idx].sum(axis=1)
            r = h / tot
            hr[c] = pct(r)
            pai[c] = pct(r / (c if equal else share[:, j][idx].mean(axis=1)))
            pei[c] = pct(h / best[:, j][idx].sum(axis=1))
        ll = pct(ll_day[idx].sum(axis=1) / n_day[idx].sum(axis=1))
    return _Intervals(hr, pai, pei, ll)


def _model_note(model: object) -> str | None:
    conv = getattr(model, "converged", None)
    if conv is False:
        return f"EM stopped after {getattr(model, 'iterations', '?')} iterations unconverged"
    chosen = getattr(model, "chosen", None)
    if chosen is not None:
        return f"chose {chosen}"
    return None
