"""Risk forecasting methods: ``fit(history) → model``, ``model.predict(history, day)``.

A :class:`History` is the incidents of one training window ``[origin − N days, origin)`` already
assigned to spatial units; ``predict`` returns the expected number of incidents of each unit on
one day (the time-of-day profile in :mod:`xunfang.intel.forecast` splits it into slots). Cheap
methods do their work in ``predict``; expensive ones (``etas``, ``gbm``) fit once and are
refitted every ``refit_days`` while ``predict`` still sees the latest incidents.

Methods: ``naive`` (counts over the last N days), ``decay`` (exponentially time-decayed counts),
``kde`` (Gaussian kernel over space with time decay), ``prospective`` (Bowers, Johnson & Pease
2004), ``etas`` (a self-exciting point process per unit, Mohler et al. 2011/2015, fitted by EM),
``network_kde`` (a kernel over network distance between street segments, after Rosser et al.
2017), ``gbm`` (LightGBM on lagged counts and calendar features) and ``auto`` (the best of the
cheap ones by rolling validation inside the training window).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from xunfang._errors import XunfangError
from xunfang.intel.units import Units, log_likelihood, top_units

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
M = TypeVar("M")

METHODS = ("naive", "decay", "kde", "prospective", "etas", "network_kde", "gbm", "auto")


class MethodError(XunfangError):
    """A method that cannot run on these inputs (e.g. network KDE without street segments)."""


# -- the data every method sees ----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class EventSet:
    """All incidents of an evaluation or a forecast, sorted by time, assigned to units.

    ``t`` is in days since ``epoch`` (fractional: 06:00 is 0.25); ``unit`` is -1 outside every
    unit. Methods cache what depends only on the incidents (kernels) in ``cache``.
    """

    units: Units
    epoch: date
    t: FloatArray
    unit: IntArray
    xy: FloatArray
    hour: IntArray
    weekday: IntArray  # Monday 0
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # incidents per day from day 0 of the whole record these were taken from (one category
    # of a city's file: its quiet weeks are days of record all the same); None: these
    record_daily: IntArray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, units: Units, time: npt.NDArray[np.datetime64], xy: npt.ArrayLike,
              unit: IntArray | None = None, record_start: date | None = None,
              record_times: npt.NDArray[np.datetime64] | None = None) -> EventSet:
        """``record_start``: the first day of the record these incidents were taken from
        (one category of a city's file begins later than the file): day 0, where windows
        start at the latest (:meth:`window`); by default the first incident's day.
        ``record_times``: that whole record's times, which say which days it covers."""
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        tm = np.asarray(time).astype("datetime64[m]").reshape(-1)
        if not len(tm):
            raise MethodError("no incidents")
        # a NaT became t = -6.4e15 days, sorted last and counted as a test incident
        if (bad := int(np.isnat(tm).sum())):
            raise MethodError(f"EventSet.build: time holds {bad} missing time(s) (NaT) of "
                              f"{len(tm)}: every incident needs its time")
        if len(pts) != len(tm):
            raise MethodError(f"EventSet.build: xy holds {len(pts)} point(s) and time "
                              f"{len(tm)}: one point per incident")
        if unit is not None and len(np.asarray(unit).reshape(-1)) != len(tm):
            raise MethodError(f"EventSet.build: unit holds {len(np.asarray(unit).reshape(-1))} "
                              f"value(s) and time {len(tm)}: one unit per incident")
        if record_times is not None and np.isnat(
                np.asarray(record_times).astype("datetime64[m]")).any():
            raise MethodError("EventSet.build: record_times holds a missing time (NaT): "
                              "every incident of the record needs its time")
        order = np.argsort(tm, kind="stable")
        tm, pts = tm[order], pts[order]
        if unit is None:
            u = units.assign(pts)
        else:
            given = np.asarray(unit).reshape(-1)
            # a unit number beyond the units gave forecasts of more values than units, and
            # 1.7 was read as unit 1 (a review); None or text among them is no unit number
            numeric = np.issubdtype(given.dtype, np.integer) or (
                np.issubdtype(given.dtype, np.floating) and bool(np.all(np.isfinite(given))))
            whole = numeric and bool(np.all(given == np.round(given)))
            inside = whole and (not len(given) or (given.min() >= -1
                                                   and given.max() < len(units)))
            if not inside:
                shown = (f"{given.min():g} to {given.max():g}" if numeric and len(given)
                         else f"values of type {given.dtype}")
                raise MethodError(f"EventSet.build: unit holds unit numbers, whole numbers "
                                  f"-1 (in none) to {len(units) - 1} (the units' "
                                  f"{len(units)}); got {shown}")
            u = given.astype(np.int64)[order]
        first = tm[0].astype("datetime64[D]")
        if record_start is not None:
            first = min(first, np.datetime64(record_start, "D"))
        daily = None
        if record_times is not None and len(record_times):
            rec = np.asarray(record_times).astype("datetime64[D]")
            first = min(first, rec.min())
            daily = np.bincount((rec - first).astype(np.int64)).astype(np.int64)
        epoch = date.fromisoformat(str(first))
        minutes = (tm - first.astype("datetime64[m]")).astype(np.int64)
        days = minutes // 1440
        return cls(units=units, epoch=epoch, t=minutes / 1440.0, unit=u, xy=pts,
                   hour=(minutes % 1440) // 60,
                   weekday=((days + epoch.weekday()) % 7).astype(np.int64),
                   record_daily=daily)

    def day_of(self, d: date) -> int:
        return (d - self.epoch).days

    def date_of(self, day: int) -> date:
        return self.epoch + timedelta(days=day)

    def cached(self, key: str, build: Callable[[], M]) -> M:
        """What depends only on these incidents and units (a kernel), built once."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]  # type: ignore[no-any-return]

    def window(self, start: int, end: int) -> History:
        """The incidents of days ``[start, end)``. The record begins on day 0 (its first
        incident's day): a window reaching before it starts there, or a rate over a 365-day
        window of a record three months long counts nine months that were never recorded as
        days without incidents (a county that has kept its record since October would be
        planned at a quarter of its level)."""
        if start < 0:
            start = min(0, end)
        a, b = np.searchsorted(self.t, [start, end], side="left")
        return History(self, int(a), int(b), start, end)

    @property
    def n_units(self) -> int:
        return len(self.units)


@dataclass(frozen=True, eq=False)
class History:
    """The incidents of ``[start, origin)`` (whole days since the epoch): ``events[a:b]``."""

    events: EventSet
    a: int
    b: int
    start: int
    origin: int

    @property
    def days(self) -> int:
        return self.origin - self.start

    @property
    def t(self) -> FloatArray:
        return self.events.t[self.a:self.b]

    @property
    def unit(self) -> IntArray:
        return self.events.unit[self.a:self.b]

    def counts(self, weights: FloatArray | None = None, since: float | None = None) -> FloatArray:
        """Incidents per unit (weighted), optionally only those at or after day ``since``."""
        a = self.a if since is None else max(self.a, int(np.searchsorted(self.events.t, since)))
        u = self.events.unit[a:self.b]
        inside = u >= 0
        w = None if weights is None else weights[a - self.a:][inside]
        return np.bincount(u[inside], weights=w, minlength=self.events.n_units).astype(float)

    def known(self) -> npt.NDArray[np.bool_] | None:
        """Which units a forecast made at the window's end knows of, where the units come from
        the incidents themselves (a bare file's occupied cells): those with an incident before
        ``origin`` — the cells ``xunfang intel forecast`` lays. The evaluation lays its cells
        over the whole file, test days too; a method that used every unit learnt from where
        later incidents fell (a review: gbm's hit rate at 1 % on Chicago's January-February
        2019, 0.0536 from the whole file, 0.0566 from the file cut after the test days).
        None: every unit (a jurisdiction's cells, grids, polygons, streets).

        The places, not the counts: a cell whose incidents all came before the window is a
        place where incidents happen, as a jurisdiction's cell is, and gbm gives it its share
        of the level (the rate at which quiet places have their first incident). Taken from
        the window alone (tried in session 19, after a review saw gbm's hit rate at 5 % move
        0.1703 → 0.1718 with one incident before the window in a cell of its own), gbm's
        2-day forecast of Chicago with a 60-day window fell from 113 incidents to 50 where the
        window's rate was 90 and 98 came: half of a short window's next incidents fall in
        cells it held none in (a review). Hit rates rank the study area's cells only; a
        forecast's level is read by the plan, the check and the GIS layer."""
        ev = self.events
        if not ev.units.from_points:
            return None

        def first() -> FloatArray:
            out = np.full(ev.n_units, np.inf)
            inside = ev.unit >= 0
            np.minimum.at(out, ev.unit[inside], ev.t[inside])
            return out

        return np.asarray(ev.cached("first-incident", first) < self.origin)

    def lead(self, day: int) -> int:
        """The day a memory of the window is read on for a forecast of ``day``: the window's
        end for any later day. The days after the window are not known yet, not quiet: a
        rate read on day 70 of a horizon would have faded by 70 days of decay, and
        prospective hot-spotting's 8 weeks would have held nothing from day 57 on."""
        return min(day, self.origin)

    def ages(self, day: int) -> FloatArray:
        """Days between each incident and the start of ``day``."""
        return day - self.t

    def decay(self, day: int, half_life_days: float) -> tuple[FloatArray, float]:
        """Each incident's weight exp(−λ · age) on ``day``, and the weights' integral over the
        window, which turns weighted counts into a daily rate."""
        lam = math.log(2) / half_life_days
        return np.exp(-lam * self.ages(day)), self.decay_norm(half_life_days)

    def decay_norm(self, half_life_days: float) -> float:
        """The integral of the decay weights over the window (see :meth:`decay`); the window's
        length where nothing decays (an infinite half-life)."""
        lam = math.log(2) / half_life_days
        return (1 - math.exp(-lam * self.days)) / lam if lam > 0 else float(self.days)


def running_counts(events: EventSet, windows: Iterable[tuple[int, int]]
                   ) -> Iterator[FloatArray]:
    """Each window's incidents per unit, for windows [a, b) of days in turn. A window that
    moves forward from the one before (a and b later, a no later than the last b) is counted
    from it by the days that left and entered, not over again: an evaluation or a rolling
    validation asks for one a day, and at 3 million incidents and an 8-year window one count
    is about 15 ms. The counts are whole numbers, so the running sum is exact."""
    counts: FloatArray | None = None
    pa = pb = 0
    for a, b in windows:
        if counts is None or not pa <= a <= pb <= b:
            counts = events.window(a, b).counts()
        else:
            counts = counts + events.window(pb, b).counts() - events.window(pa, a).counts()
        pa, pb = a, b
        yield counts


class Model(Protocol):
    """A fitted method: what :meth:`Method.fit` returns.

    ``predict(history, day)`` is the expected number of incidents of each unit on ``day``
    (days since ``history.events.epoch``): a float array of ``history.events.n_units``, every
    value finite and non-negative — a daily rate, which the time-of-day profile splits into
    slots, the plan doses by and the evaluation's log-likelihood reads. ``history`` is the
    training window as of the forecast (its ``origin`` is ``day`` in an evaluation; a later
    day of a forecast's horizon lies after it: read the window's memory at
    :meth:`History.lead`). It may hold incidents later than the window ``fit`` saw."""

    def predict(self, history: History, day: int) -> FloatArray: ...


class Method(Protocol):
    """A forecasting method, built in or plugged in (``evaluate(methods=...)``,
    ``forecast(method=...)``, ``Auto(candidates=...)``).

    ``name``: how reports and options name it. ``refit_days``: how often it is fitted
    again — an evaluation, a forecast's check and ``auto``'s validation fit it on the window
    before the first day, then again every ``refit_days`` days, each model predicting with
    the latest incidents in between (1: every day). ``fit(history)`` returns a :class:`Model`;
    it may raise :class:`MethodError` for inputs it cannot learn from."""

    @property
    def name(self) -> str: ...

    @property
    def refit_days(self) -> int: ...

    def fit(self, history: History) -> Model: ...


# -- simple counts -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Naive:
    """Counts over the last ``days`` days, as a daily rate."""

    days: int = 365
    name: str = "naive"
    refit_days: int = 1

    def fit(self, history: History) -> Naive:
        return self

    def predict(self, history: History, day: int) -> FloatArray:
        n = min(self.days, history.days)
        return history.counts(since=history.origin - n) / max(n, 1)


@dataclass(frozen=True)
class Decay:
    """Exponentially time-decayed counts (``half_life_days``), as a daily rate."""

    half_life_days: float = 365.0
    name: str = "decay"
    refit_days: int = 1

    def fit(self, history: History) -> Decay:
        return self

    def predict(self, history: History, day: int) -> FloatArray:
        w, norm = history.decay(history.lead(day), self.half_life_days)
        return history.counts(w) / norm


@dataclass(frozen=True)
class KDE:
    """Gaussian kernel over space (``bandwidth_m``) on the incidents' own points, time-decayed
    (``half_life_days``), evaluated at each cell's (or segment's) representative point and
    integrated over each polygon (grids, districts: summed over a lattice of points inside it,
    :meth:`~xunfang.intel.units.Units.area_samples` — at one point of it, a district of
    120 incidents a month far from its centre was forecast 5.7, one of 20 none at all).

    The kernel weights of every incident are computed once per data set (a sparse incidents ×
    units matrix cut at 3 bandwidths), so a daily forecast is one sparse product: this is where
    open_cp's KDE spends seconds per day. The product is summed by blocks of days
    (:class:`_DecayedBlocks`), so a day costs the same whether the window is one year or ten.
    """

    bandwidth_m: float = 150.0
    half_life_days: float = 365.0
    name: str = "kde"
    refit_days: int = 1

    def fit(self, history: History) -> KDE:
        return self

    def _kernel(self, ev: EventSet, lo: int, hi: int) -> _KernelRows:
        """The kernel weights of the incidents of days [lo, hi) at least (those a window the
        forecast reads can hold), a sparse matrix of incidents × (units + 1), grown as later
        windows ask for more. Built over every incident of the record, a forecast of one
        year's window from ten years of record (bench/intel.py's 1M rows, 2010-2019) built
        ten years' kernel: 1,037 MB and 3.0 s in the library against 136 MB and 0.2 s."""
        key = f"kde:{self.bandwidth_m}"
        have: _KernelRows | None = ev.cache.get(key)
        if have is not None and have.lo <= lo and hi <= have.hi:
            return have
        if have is None:
            got = _KernelRows(lo, hi, self._rows_of(ev, *_rows_between(ev.t, lo, hi)))
        else:  # the rows before and after those built, each built once
            lo, hi = min(lo, have.lo), max(hi, have.hi)
            r0, r1 = _rows_between(ev.t, lo, hi)
            h0, h1 = _rows_between(ev.t, have.lo, have.hi)
            got = _KernelRows(lo, hi, sp.vstack([self._rows_of(ev, r0, h0), have.matrix,
                                                 self._rows_of(ev, h1, r1)], format="csr"))
        ev.cache[key] = got
        return got

    def _rows_of(self, ev: EventSet, r0: int, r1: int) -> sp.csr_matrix:
        """The kernel rows of incidents ``r0`` to ``r1`` (see :meth:`_kernel`)."""
        from scipy.spatial import cKDTree

        h = self.bandwidth_m
        units = ev.units
        polygonal = units.kind in ("grids", "polygons")
        if polygonal:  # the lattice's points, summed into their polygons
            pts, owner, weight = units.area_samples(h)
            to_unit = sp.csr_matrix((weight, (np.arange(len(owner)), owner)),
                                    shape=(len(owner), ev.n_units))
        else:
            pts, to_unit = units.centroid, None
        tree_u = cKDTree(pts)
        parts = []
        # by blocks of incidents: a city's districts hold a lattice point every 150 m
        step = 50_000 if polygonal else max(r1 - r0, 1)
        for a in range(r0, r1, step):
            tree_e = cKDTree(ev.xy[a:min(a + step, r1)])
            # "ndarray" output keeps pairs at distance 0 (an incident on a centroid)
            m = tree_e.sparse_distance_matrix(tree_u, 3 * h, output_type="ndarray")
            part = sp.csr_matrix((np.exp(-0.5 * (m["v"] / h) ** 2), (m["i"], m["j"])),
                                 shape=(min(step, r1 - a), len(pts)))
            parts.append(part @ to_unit if to_unit is not None else part)
        kernel = sp.vstack(parts, format="coo") if parts else sp.coo_matrix((0, ev.n_units))
        # the last column is 1 for an incident in a unit: its decayed sum is the rate the
        # forecast is scaled to
        inside = np.flatnonzero(ev.unit[r0:r1] >= 0)
        rows = np.concatenate([kernel.row, inside])
        cols = np.concatenate([kernel.col, np.full(len(inside), ev.n_units)])
        vals = np.concatenate([kernel.data, np.ones(len(inside))])
        return sp.csr_matrix((vals, (rows, cols)), shape=(r1 - r0, ev.n_units + 1))

    def predict(self, history: History, day: int) -> FloatArray:
        ev = history.events
        key = f"kde-blocks:{self.bandwidth_m}:{self.half_life_days}"
        blocks: _DecayedBlocks | None = ev.cache.get(key)
        start, end = history.start, history.origin
        if blocks is None or not (blocks.lo <= start and end <= blocks.hi):
            if blocks is not None and end > blocks.hi:
                # an evaluation's windows move on a day at a time: the days built reach twice
                # as far each time, not one day further (a rebuild of the blocks a day)
                end = max(end, blocks.hi + (blocks.hi - blocks.lo))
                start = min(start, blocks.lo)
            kernel = self._kernel(ev, start, end)
            blocks = _DecayedBlocks.build(kernel.matrix, ev.t, self.half_life_days,
                                          kernel.lo, kernel.hi)
            ev.cache[key] = blocks
        summed = blocks.sum(history.start, history.origin, history.lead(day))
        out, inside = summed[:-1], float(summed[-1])
        known = history.known()
        if known is not None:  # no share of the rate for cells of later incidents
            out = out * known
        total = out.sum()
        # scale so the forecast keeps the window's daily rate of incidents in units
        norm = history.decay_norm(self.half_life_days)
        return out * (inside / norm / total) if total > 0 else out


def _rows_between(t: FloatArray, lo: int, hi: int) -> tuple[int, int]:
    """The rows of the incidents of days [lo, hi)."""
    r0, r1 = np.searchsorted(t, [lo, hi], side="left")
    return int(r0), int(r1)


@dataclass(frozen=True)
class _KernelRows:
    """:meth:`KDE._kernel`: the kernel rows of every incident of days [lo, hi)."""

    lo: int
    hi: int
    matrix: sp.csr_matrix


@dataclass(frozen=True)
class _DecayedBlocks:
    """Σ over the incidents of a window [start, end) of exp(−λ · (day − tᵢ)) · rowᵢ, for rows of
    a sparse incidents × columns matrix, without touching every incident of the window.

    The incidents of each whole block of ``block_days`` days are summed once, decayed to the
    block's end; a window is the blocks it covers, each decayed on to ``day``, plus the
    incidents of the part-blocks at its two ends. A day's forecast then costs two blocks of
    incidents and one small dense product instead of the whole window: on 3 million incidents
    and an 8-year window, 0.23 s a day before, which made `auto`'s rolling validation take
    most of an hour (bench/intel.py --scale). Every term is non-negative, so nothing cancels:
    a unit no incident reaches stays exactly 0.

    The matrix holds the rows of the incidents of days [lo, hi) only, the days a window may
    cover; the blocks lie where they would over the whole record (their length set by the
    record's span), so a sum is the same number either way.
    """

    matrix: sp.csr_matrix  # rows: the incidents of days [lo, hi)
    t: FloatArray  # every incident's time
    lam: float
    block_days: int
    lo: int
    hi: int
    first_block: int  # the index of sums[0]: block b covers days [b·B, (b+1)·B)
    edges: IntArray  # row where each block from first_block on starts
    sums: FloatArray  # blocks × columns, each block decayed to its end

    @classmethod
    def build(cls, matrix: sp.csr_matrix, t: FloatArray, half_life_days: float, lo: int,
              hi: int, max_cells: int = 25_000_000) -> _DecayedBlocks:
        lam = math.log(2) / half_life_days
        span = math.floor(t[-1]) + 1 if len(t) else 1
        r0, r1 = _rows_between(t, lo, hi)
        if matrix.shape[0] != r1 - r0:
            raise ValueError(f"_DecayedBlocks.build: the matrix holds {matrix.shape[0]} rows "
                             f"and days [{lo}, {hi}) {r1 - r0} incidents: one row each")
        cols = matrix.shape[1]
        block = 28
        while math.ceil(span / block) * cols > max_cells and block < span:
            block *= 2
        n = math.ceil(span / block)
        # the whole blocks inside [lo, hi); hi past the record's last day covers its last block
        k0 = max(0, -(-lo // block))
        k1 = max(k0, n if hi >= span else min(n, hi // block))
        edges = np.searchsorted(t, np.arange(k0, k1 + 1) * block,
                                side="left").astype(np.int64)
        blk = np.repeat(np.arange(k1 - k0), np.diff(edges))
        weight = np.exp(-lam * ((k0 + blk + 1) * block - t[edges[0]:edges[-1]]))
        proj = sp.csr_matrix((weight, (blk, np.arange(edges[0], edges[-1]) - r0)),
                             shape=(k1 - k0, matrix.shape[0]))
        sums = np.asarray((proj @ matrix).toarray(), dtype=float)
        return cls(matrix, t, lam, block, lo, hi, k0, edges, sums)

    def _rows(self, r0: int, r1: int, day: int) -> FloatArray:
        m = self.matrix
        off = int(np.searchsorted(self.t, self.lo, side="left"))
        lo, hi = m.indptr[r0 - off], m.indptr[r1 - off]
        w = np.exp(-self.lam * (day - self.t[r0:r1]))
        vals = m.data[lo:hi] * np.repeat(w, np.diff(m.indptr[r0 - off:r1 - off + 1]))
        return np.bincount(m.indices[lo:hi], weights=vals,
                           minlength=m.shape[1]).astype(np.float64, copy=False)

    def sum(self, start: int, end: int, day: int) -> FloatArray:
        """The decayed sum over the incidents of days [start, end), seen on ``day``; the days
        within those the matrix holds."""
        if not (self.lo <= start and end <= self.hi) and start < end:
            raise ValueError(f"_DecayedBlocks.sum: days [{start}, {end}) outside those built, "
                             f"[{self.lo}, {self.hi})")
        b = self.block_days
        k0 = self.first_block
        first = max(k0, -(-start // b))  # the first whole block inside the window
        last = min(k0 + len(self.sums), end // b)  # one past the last
        r0, r1 = (int(r) for r in np.searchsorted(self.t, [start, end], side="left"))
        if first >= last:
            return self._rows(r0, r1, day)
        ends = (np.arange(first, last) + 1) * b
        whole: FloatArray = np.exp(-self.lam * (day - ends)) @ self.sums[first - k0:last - k0]
        return (whole + self._rows(r0, int(self.edges[first - k0]), day)
                + self._rows(int(self.edges[last - k0]), r1, day))


def _neighbour_matrix(units: Units, radius_m: float,
                      weight: Callable[[FloatArray], FloatArray]) -> sp.csr_matrix:
    i, j, d = units.neighbours(radius_m)  # includes each unit with itself at distance 0
    n = len(units)
    return sp.csr_matrix((weight(d), (i, j)), shape=(n, n))


def _unit_scale(units: Units) -> float:
    if units.cell_m is not None:
        return units.cell_m
    return float(np.sqrt(np.median(units.size))) if units.kind != "segments" else float(
        np.median(units.size))


@dataclass(frozen=True)
class Prospective:
    """Prospective hot-spotting (Bowers, Johnson & Pease 2004): every incident of the last
    ``weeks`` weeks within ``bandwidth_m`` adds 1/(1 + distance in cells) × 1/(1 + weeks ago).

    The distance in cells between two units is round(distance between their centroids / cell
    size) (cell size: the side of a cell; the square root of the median area of grids and
    polygons; the median length of street segments), and a unit counts an incident of
    another whose centroid lies within ``bandwidth_m`` of its own. So with 250 m cells and
    400 m only the 8 neighbours count (the 4 beside it at 250 m, the 4 diagonal at 354 m,
    both 1 cell away; the next ring is at 500 m or more), each at half the unit's own
    incidents. Bowers et al. count distance in whole cells of their grid (50 m cells out to
    400 m, 8 cells): the weight is theirs, by cells, and the bandwidth in metres keeps the
    reach the same whatever the cell size — at 250 m cells it is one ring.
    """

    bandwidth_m: float = 400.0
    weeks: int = 8
    name: str = "prospective"
    refit_days: int = 1

    def fit(self, history: History) -> Prospective:
        return self

    def predict(self, history: History, day: int) -> FloatArray:
        units = history.events.units
        scale = _unit_scale(units)
        wmat = history.events.cached(f"prosp:{self.bandwidth_m}", lambda: _neighbour_matrix(
            units, self.bandwidth_m, lambda d: 1.0 / (1.0 + np.round(d / scale))))
        day = history.lead(day)
        since = day - 7 * self.weeks
        ages = history.ages(day)
        w = np.where(ages <= 7 * self.weeks, 1.0 / (1.0 + np.floor(ages / 7.0)), 0.0)
        c = history.counts(w, since=max(since, history.start))
        score = np.asarray(wmat @ c, dtype=float)
        known = history.known()
        if known is not None:  # no share of the level for cells of later incidents
            score = score * known
        # the score ranks; the forecast is in incidents a day like every method's: the
        # window's rate over the weeks it looks back (the plan doses by it, the evaluation's
        # log-likelihood reads it)
        looked = min(7 * self.weeks, history.days)
        level = float(history.counts(since=history.origin - looked).sum()) / max(looked, 1)
        total = float(score.sum())
        return score * (level / total) if total > 0 else score


# -- the self-exciting point process -----------------------------------------------------------
@dataclass(frozen=True)
class EtasModel:
    mu: FloatArray  # background incidents per day and unit
    theta: float  # expected offspring per incident (of the kernel's untruncated mass)
    omega: float  # decay rate of the triggering kernel, per day
    iterations: int
    converged: bool
    cutoff_days: float = 60.0  # the kernel's cut: an incident triggers for this many days

    def predict(self, history: History, day: int) -> FloatArray:
        """The expected incidents of each unit on ``day``: the integral over the day of the
        expected intensity given the window's incidents, the offspring of the incidents still
        to come between the window's end and the day included. A later day of a horizon is
        not a day after a quiet spell: read with the window's incidents alone, day 14 of a
        forecast of Chicago's districts fell to Σμ, 0.78 of the fitted mean rate (1 − θ).

        After the window's end at ``o`` the expected intensity m(s) = f(s) + ∫ₒˢ r(s−x) f(x) dx,
        with f the background and the window's incidents' own kernels (each cut at
        ``cutoff_days``) and r(u) = θω·exp(−ω(1−θ)u) the resolvent of the kernel θω·exp(−ωu):
        exact for a day within ``cutoff_days`` of the window's end (the incidents that come
        after it are less than the cut apart). A later day (a long horizon, or a record that
        ended long before it) takes the resolvent of the cut kernel instead, solved
        numerically (:meth:`_beyond_cut`): the uncut one counted offspring beyond the cut and
        drifted to μ/(1 − θ) where the cut process's rate is μ/(1 − θ(1 − e^(−ωc))) — 1.8
        times it a year on at θ 0.8, ω 1/60 a day (a review's simulation) — unless that mass,
        e^(−ωc), is below 1e-9. The day is integrated by the midpoint rule over 48 half-hours
        (at ω = 10 a day, the bound, within 0.2 %)."""
        th, om, cut = self.theta, self.omega, self.cutoff_days
        o = history.origin
        day = max(day, o)  # (a day inside the window: as the window's end)
        if day + 1 - o > cut and th > 0 and math.exp(-om * cut) > CUT_MASS:
            return self._beyond_cut(history, day)
        s = day + (np.arange(48) + 0.5) / 48  # the half-hours' midpoints
        kappa = om * (1 - th)
        # the background and the offspring of the incidents after o that it brings
        grow = (s - o) if kappa <= 0 else -np.expm1(-kappa * (s - o)) / kappa
        level = float(np.mean(1 + th * om * grow))
        out = self.mu * level
        t, u = history.t, history.unit
        recent = (u >= 0) & (t > o - cut)  # the incidents whose kernel reaches past o
        if th <= 0 or not recent.any():
            return out
        ti, ui = t[recent], u[recent]
        age = s[None, :] - ti[:, None]
        direct = np.where(age < cut, th * om * np.exp(-om * age), 0.0)
        # their kernels' offspring after o through the resolvent (∫ from o to the earlier of
        # s and the cut): θω·exp(−κs + ωtᵢ)·(exp(−θωo) − exp(−θωb)), written by ages
        b = np.minimum(s[None, :], ti[:, None] + cut)
        via = th * om * np.exp(-kappa * (s[None, :] - o) - om * (o - ti[:, None])) * (
            -np.expm1(-th * om * np.maximum(b - o, 0.0)))
        each = (direct + via).mean(axis=1)
        return out + np.bincount(ui, weights=each, minlength=len(self.mu))

    def _beyond_cut(self, history: History, day: int) -> FloatArray:
        """:meth:`predict` for a day that ends more than the cut after the window's end: the
        expected intensity m_u(s) = μ_u·A(s') + Σᵢ e^(−ω(o−tᵢ))·(g(s'+o−tᵢ)/(θω)·θω
        + Φ(s', bᵢ)) at s' = s − o, with R the resolvent of the cut kernel g(u) = θω·e^(−ωu)
        for u < c (:func:`_cut_resolvent`), A(s') = 1 + ∫₀^s' R, and
        Φ(s', b) = ∫₀^min(s', b) R(s' − y)·θω·e^(−ωy) dy the offspring of an incident whose
        kernel reaches b = tᵢ + c − o past the window's end; all on a grid of
        :data:`CUT_STEP` days (the trapezoid rule)."""
        th, om, cut = self.theta, self.omega, self.cutoff_days
        o = history.origin
        per = round(1 / CUT_STEP)  # grid points a day; the half-hours' midpoints lie on it
        at = (day - o) * per + 2 * np.arange(48) + 1  # s' of the 48 midpoints, in steps
        top = int(at[-1]) + 1
        size = 1 << max(int(top - 1).bit_length(), 10)  # cached in doubling lengths
        r = _cut_resolvent(th, om, cut, size)[:top]
        area = np.concatenate(([0.0], np.cumsum((r[1:] + r[:-1]) / 2))) * CUT_STEP
        out = self.mu * float(np.mean(1.0 + area[at]))
        t, u = history.t, history.unit
        recent = (u >= 0) & (t > o - cut)  # the incidents whose kernel reaches past o
        if not recent.any():
            return out
        ti, ui = t[recent], u[recent]
        reach = ti + cut - o  # bᵢ: how far past o each one's kernel reaches
        span = min(math.ceil(cut * per), int(at[-1]))
        y = np.arange(span + 1)  # y in steps from o
        # the integrand R(s' − y)·θω·e^(−ωy) of each midpoint (rows), zero for y beyond s'
        lag = at[:, None] - y[None, :]
        f = np.where(lag >= 0, r[np.clip(lag, 0, None)], 0.0) * th * om * np.exp(
            -om * y * CUT_STEP)[None, :]
        cum = np.concatenate((np.zeros((48, 1)), np.cumsum((f[:, 1:] + f[:, :-1]) / 2, axis=1)),
                             axis=1) * CUT_STEP
        stop = np.minimum(reach[:, None] * per, at[None, :])  # min(s', bᵢ), in steps
        phi = np.empty((len(ti), 48))
        for k in range(48):
            phi[:, k] = np.interp(stop[:, k], y, cum[k])
        age = (at[None, :] * CUT_STEP + o) - ti[:, None]
        direct = np.where(age < cut, th * om * np.exp(-om * age), 0.0)
        each = (direct + np.exp(-om * (o - ti))[:, None] * phi).mean(axis=1)
        return out + np.bincount(ui, weights=each, minlength=len(self.mu))


# the share of an incident's untruncated kernel beyond the cut below which the forecast takes
# the uncut resolvent after the cut as well (it differs by less than that share there), and
# the step of the cut resolvent's grid, in days (ω·step ≤ 0.004 wherever it is used: ω at
# most -ln(1e-9)/c, 0.35 a day at c = 60)
CUT_MASS = 1e-9
CUT_STEP = 1 / 96


@functools.lru_cache(maxsize=8)
def _cut_resolvent(theta: float, omega: float, cut: float, n: int) -> FloatArray:
    """The resolvent R of the cut kernel g(u) = θω·e^(−ωu), u < c (R = g + g∗R: the expected
    intensity of all generations of offspring of one incident at time 0) at u = 0, h, …,
    (n−1)h, h = :data:`CUT_STEP`, by the trapezoid rule on the Volterra equation."""
    h = CUT_STEP
    u = np.arange(n) * h
    g = theta * omega * np.exp(-omega * u) * (u < cut)
    width = math.ceil(cut / h) + 1  # g is 0 from here on
    r = np.zeros(n)
    r[0] = g[0]
    scale = 1.0 - h * g[0] / 2
    for k in range(1, n):
        j0 = max(1, k - width + 1)
        conv = float(np.dot(g[k - j0:0:-1], r[j0:k])) if k > j0 else 0.0
        r[k] = (g[k] + h * (g[k] * r[0] / 2 + conv)) / scale
    return r


# ω's bounds, per day: the kernel's mean delay between 6 minutes and the cut
ETAS_OMEGA_MAX = 10.0


@dataclass(frozen=True)
class Etas:
    """Grid self-exciting point process (Mohler et al. 2015, the LAPD trial's model):
    λ_u(t) = μ_u + θ ω Σ_{t_i < t, u_i = u, t − t_i < c} exp(−ω (t − t_i)), fitted by EM.

    The triggering kernel is cut at c = ``cutoff_days``: an incident triggers nothing later
    (at ω = 1/c, the lower bound, exp(−1) of its untruncated mass lies beyond the cut: the cut
    is part of the model, not an approximation of it). The fit's pairs, its likelihood's
    integral (each incident's kernel up to the earlier of the cut and the window's end) and
    the forecast (:meth:`EtasModel.predict`, incidents of the last c days) all use the same
    cut. ω is kept within [1/c, 10] per day and θ within [0, 0.95].

    Each EM iteration maximises the expected log-likelihood exactly: μ and θ in closed form
    (θ = Σ p_pair / Σ (1 − exp(−ω rᵢ)), rᵢ an incident's kernel time inside the window) and ω
    by a 1-D solve of the M-step with θ at its optimum for each ω, so the log-likelihood never
    falls. (The update ω = Σ p_pair / Σ p_pair·Δt left out the incidents whose kernel the
    window's end cuts: the log-likelihood fell over the iterations, and on Chicago's districts
    in 2017 θ/ω came to 0.224/0.381 after 500 iterations, unconverged, where the cut model's
    maximum is 0.394/0.063 — 0.352/0.128 for the uncut one.) μ starts at the per-unit rate;
    iteration stops when μ (in L1), θ and ω all change by less than ``tol`` relative, and a
    refit starts from the previous fit of the same data; whether it converged is kept in the
    model and reported.
    """

    cutoff_days: float = 60.0
    max_iter: int = 500
    tol: float = 1e-5
    name: str = "etas"
    refit_days: int = 7

    def fit(self, history: History) -> EtasModel:
        c = self.cutoff_days
        if isinstance(c, (bool, np.bool_)) \
                or not isinstance(c, (int, float, np.integer, np.floating)) \
                or not math.isfinite(c) or c <= 1 / ETAS_OMEGA_MAX:
            # 0 divided by zero, inf and negatives failed in math, and 0.05 put ω's lower
            # bound (1/c) above its upper one (a review)
            raise MethodError(f"etas: cutoff_days is the days an incident triggers for, a "
                              f"finite number above {1 / ETAS_OMEGA_MAX:g} (ω's bounds are "
                              f"1/cutoff_days to {ETAS_OMEGA_MAX:g} a day); got {c!r}")
        fitted = self._em(history)
        history.events.cache["etas:warm"] = (fitted.mu, fitted.theta, fitted.omega)
        return fitted

    def _prepare(self, history: History) -> tuple[IntArray, FloatArray, FloatArray, int,
                                                  float]:
        u = history.unit
        keep = u >= 0
        t = history.t[keep]
        u = u[keep]
        if not len(t):
            raise MethodError("etas: the training window holds no incident inside the units")
        order = np.lexsort((t, u))
        ts, us = t[order], u[order]
        # each incident's kernel time inside the window: to the window's end or to the cut
        reach = np.minimum(float(history.origin) - ts, self.cutoff_days)
        return us, ts, reach, history.events.n_units, float(history.days)

    def log_likelihood(self, history: History, mu: FloatArray, theta: float,
                       omega: float) -> float:
        """The window's log-likelihood under (μ, θ, ω): Σ log λ(tᵢ) − ∫ λ."""
        us, ts, reach, _, big_t = self._prepare(history)
        s = theta * omega * _etas_sums(us, ts, self.cutoff_days, omega)[0]
        return float(np.sum(np.log(mu[us] + s)) - big_t * float(mu.sum())
                     - theta * float(np.sum(-np.expm1(-omega * reach))))

    def _em(self, history: History) -> EtasModel:
        us, ts, reach, n_units, big_t = self._prepare(history)
        mu = np.bincount(us, minlength=n_units) / big_t * 0.5
        theta, omega = 0.2, 1.0 / 7.0
        warm = history.events.cache.get("etas:warm")
        if warm is not None and len(warm[0]) == n_units:  # the last fit, a week earlier
            # a unit whose background was 0 there (no incident in that window) starts afresh:
            # EM cannot move a rate away from 0, and the MLE gives every unit with an
            # incident a background above 0 (its first incident has no earlier one to trigger it)
            mu = np.where(warm[0] > 0, warm[0], mu)
            if warm[1] >= 1e-6:  # θ = 0 there (no triggering) would stay 0 as well
                theta, omega = warm[1], warm[2]
        step = _EtasStep(us, ts, self.cutoff_days, reach, n_units, big_t,
                         1.0 / self.cutoff_days)
        lo, hi = math.log(step.omega_min), math.log(ETAS_OMEGA_MAX)

        def change(a: _Params, b: _Params) -> float:
            return max(float(np.abs(b[0] - a[0]).sum() / max(float(a[0].sum()), 1e-12)),
                       abs(b[1] - a[1]) / max(a[1], 1e-9), abs(b[2] - a[2]) / a[2])

        # EM accelerated by squared extrapolation (SQUAREM, Varadhan & Roland 2008): from p,
        # two EM steps p1, p2 and the point x along their path; x is taken only where its
        # log-likelihood is at least p1's, else p2, so the fit never falls. Plain EM took 500
        # iterations on Chicago's districts without converging.
        p: _Params = (mu, theta, omega)
        best, best_ll = p, -math.inf
        evals = 0
        converged = False

        def run(q: _Params) -> tuple[_Params, float]:
            nonlocal evals, best, best_ll
            evals += 1
            out, ll = step(q)
            if ll >= best_ll:
                best, best_ll = q, ll
            return out, ll

        ahead: _Params | None = None  # EM's step from p, where already taken
        while evals < self.max_iter:
            p1 = run(p)[0] if ahead is None else ahead
            if change(p, p1) < self.tol:
                best, converged = p1, True
                break
            if evals >= self.max_iter:
                break
            p2, ll1 = run(p1)
            if evals >= self.max_iter:
                break
            r_mu, v_mu = p1[0] - p[0], p2[0] - 2 * p1[0] + p[0]
            r_th, v_th = p1[1] - p[1], p2[1] - 2 * p1[1] + p[1]
            r_om = math.log(p1[2] / p[2])
            v_om = math.log(p2[2] / p1[2]) - r_om
            nr = math.sqrt(float(np.sum(r_mu ** 2)) + r_th ** 2 + r_om ** 2)
            nv = math.sqrt(float(np.sum(v_mu ** 2)) + v_th ** 2 + v_om ** 2)
            if nv == 0:
                p, ahead = p2, None
                continue
            a = min(-1.0, -nr / nv)
            x: _Params = (
                np.maximum(p[0] - 2 * a * r_mu + a * a * v_mu, 0.0),
                float(np.clip(p[1] - 2 * a * r_th + a * a * v_th, 0.0, 0.95)),
                math.exp(float(np.clip(math.log(p[2]) - 2 * a * r_om + a * a * v_om, lo, hi))),
            )
            fx, llx = run(x)
            p, ahead = (x, fx) if llx >= ll1 else (p2, None)
        mu, theta, omega = best
        return EtasModel(mu=mu, theta=theta, omega=omega, iterations=evals,
                         converged=converged, cutoff_days=self.cutoff_days)


_Params = tuple[FloatArray, float, float]


@dataclass(frozen=True)
class _EtasStep:
    """One EM iteration of :class:`Etas` on a window's incidents (sorted by unit, then time):
    ``step((μ, θ, ω))`` is the next (μ, θ, ω) and the log-likelihood at the given one.

    The pairs' terms enter only through each incident's sums over its earlier ones,
    Sᵢ = Σⱼ exp(−ω Δt) and Dᵢ = Σⱼ Δt·exp(−ω Δt) (:func:`_etas_sums`, linear in the
    incidents): λᵢ = μ + θω·Sᵢ, Σ p_pair = Σᵢ θω·Sᵢ/λᵢ and Σ p_pair·Δt = Σᵢ θω·Dᵢ/λᵢ."""

    us: IntArray  # each incident's unit
    ts: FloatArray  # and time
    cutoff: float  # the kernel's cut, days
    reach: FloatArray  # each incident's kernel time inside the window (window's end or cut)
    n_units: int
    big_t: float  # the window's days
    omega_min: float

    def exposure(self, omega: float) -> float:
        """Σ of each incident's kernel mass inside the window, per unit of θ."""
        return float(np.sum(-np.expm1(-omega * self.reach)))

    def statistics(self, p: _Params) -> tuple[float, FloatArray, float, float]:
        """At (μ, θ, ω): the log-likelihood, the next μ, Σ p_pair and Σ p_pair·Δt."""
        mu, theta, omega = p
        near, lagged = _etas_sums(self.us, self.ts, self.cutoff, omega)
        trig = theta * omega * near  # each incident's triggered intensity
        lam = np.maximum(mu[self.us] + trig, 1e-300)
        ll = (float(np.sum(np.log(lam))) - self.big_t * float(mu.sum())
              - theta * self.exposure(omega))
        new_mu = np.bincount(self.us, weights=mu[self.us] / lam,
                             minlength=self.n_units) / self.big_t
        total = float(np.sum(trig / lam))
        lag = float(np.sum(theta * omega * lagged / lam))
        return ll, new_mu, total, lag

    def __call__(self, p: _Params) -> tuple[_Params, float]:
        from scipy.optimize import minimize_scalar

        omega = p[2]
        ll, new_mu, total, lag = self.statistics(p)
        if total <= 0:  # nothing put down to triggering: θ = 0, ω does not matter
            return (new_mu, 0.0, omega), ll
        lo, hi = math.log(self.omega_min), math.log(ETAS_OMEGA_MAX)

        def neg_q(log_om: float) -> float:
            # the M-step's objective in ω, θ at its optimum min(0.95, Σp / exposure)
            om = math.exp(log_om)
            e = self.exposure(om)
            th = min(0.95, total / e)
            return -(total * math.log(th) + total * log_om - om * lag - th * e)

        # the 1-D solve; where every pair is at Δt = 0 (duplicates) the objective rises with
        # ω to its bound. Kept no worse than the bounds and the current ω (Brent's answer on
        # an objective of two maxima, or a bound within its tolerance): the step never falls
        res = minimize_scalar(neg_q, bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-9})
        best = min((float(res.x), lo, hi, math.log(omega)), key=neg_q)
        new_omega = math.exp(best)
        return (new_mu, min(0.95, total / self.exposure(new_omega)), new_omega), ll


def _etas_sums(units: IntArray, t: FloatArray, cutoff: float, omega: float
               ) -> tuple[FloatArray, FloatArray]:
    """Each incident's Sᵢ = Σⱼ exp(−ω(tᵢ − tⱼ)) and Dᵢ = Σⱼ (tᵢ − tⱼ)·exp(−ω(tᵢ − tⱼ)) over
    the earlier incidents j of its unit, more than 0 and less than ``cutoff`` days before it
    (the pairs :class:`Etas` fits on); ``units``/``t`` sorted by unit, then time.

    Incidents at the same minute trigger nothing in each other (the model's tᵢ < t): counted
    as pairs, five rows of one fight at one minute fitted θ 0.8 at ω 10, and a record without
    any triggering plus 3 % of rows written twice (a second victim) fitted θ 0.05 (a
    review). Linear in the incidents (:func:`_etas_sums_loop`, compiled): the pairs
    themselves grow with the square of a unit's incidents, and Chicago's 23 districts held
    so many that one forecast took 8.6 s (22.6 s and 1,254 MB from 8 years), 72 cells of
    5 km 17.8 million pairs and 13.8 s a fit."""
    near = np.zeros(len(t))
    lagged = np.zeros(len(t))
    front_s = np.zeros(len(t))
    front_d = np.zeros(len(t))
    _etas_sums_compiled()(np.ascontiguousarray(units, dtype=np.int64),
                          np.ascontiguousarray(t, dtype=np.float64), float(cutoff),
                          float(omega), near, lagged, front_s, front_d)
    return near, lagged


@functools.cache
def _etas_sums_compiled() -> Callable[..., None]:
    """:func:`_etas_sums_loop` compiled by numba (once, cached on disk)."""
    from xunfang._jit import cached_njit

    return cast(Callable[..., None], cached_njit(nogil=True)(_etas_sums_loop))


def _etas_sums_loop(units: IntArray, t: FloatArray, cutoff: float, omega: float,
                    near: FloatArray, lagged: FloatArray, front_s: FloatArray,
                    front_d: FloatArray) -> None:
    """:func:`_etas_sums` into ``near`` (S) and ``lagged`` (D), by one pass over each unit.

    The earlier incidents within the cut of incident i are a run [l, g) of its unit (g: the
    first at tᵢ; l moves on as i does, by the same test as a pair's, tᵢ − tⱼ < cut), kept as
    two parts that are only ever added to, never subtracted from (a running sum that took
    out the incidents leaving the cut would lose the small sums left after a burst to
    cancellation): the "front" [l, a), summed once from its end backward (``front_s``,
    ``front_d``: the sums from each incident to a, at the time ``ref``), which the cut
    eats from its start; and the "back" [a, g), summed forward as i moves (decayed by
    exp(−ω δ) each step, D by exp(−ω δ)(D + δ S)). When the cut passes a, the part of the
    back still inside becomes the front. Every term is an exp(−ω Δt) of a Δt below the cut
    (≥ e^(−600) at the bounds: ω ≤ 10, cut 60), so nothing overflows or underflows; each
    incident enters the front once: linear time."""
    n = len(t)
    start = 0
    while start < n:
        end = start
        while end < n and units[end] == units[start]:
            end += 1
        lo = start  # the first incident within the cut of the current one
        a = start  # front [lo, a), back [a, g)
        g = start
        back_s = 0.0
        back_d = 0.0
        tau = t[start]  # the time the back's sums are at
        ref = t[start]  # and the front's
        i0 = start
        while i0 < end:
            ti = t[i0]
            i1 = i0 + 1
            while i1 < end and t[i1] == ti:  # the incidents at the same minute
                i1 += 1
            while lo < i0 and not (ti - t[lo] < cutoff):
                lo += 1
            if lo > a:  # the front used up and the cut inside the back: [lo, i0) the front
                acc_s = 0.0
                acc_d = 0.0
                for k in range(i0 - 1, lo - 1, -1):
                    dk = ti - t[k]
                    w = math.exp(-omega * dk)
                    acc_s += w
                    acc_d += dk * w
                    front_s[k] = acc_s
                    front_d[k] = acc_d
                ref = ti
                a = i0
                g = i0
                back_s = 0.0
                back_d = 0.0
                tau = ti
            else:  # the back on to ti, and the incidents since the last time into it
                delta = ti - tau
                e = math.exp(-omega * delta)
                back_d = e * (back_d + delta * back_s)
                back_s = e * back_s
                tau = ti
                for k in range(g, i0):
                    dk = ti - t[k]
                    w = math.exp(-omega * dk)
                    back_s += w
                    back_d += dk * w
                g = i0
            s_i = back_s
            d_i = back_d
            if lo < a:
                delta = ti - ref
                e = math.exp(-omega * delta)
                s_i += e * front_s[lo]
                d_i += e * (front_d[lo] + delta * front_s[lo])
            for i in range(i0, i1):
                near[i] = s_i
                lagged[i] = d_i
            i0 = i1
        start = end


# -- network KDE ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkKDE:
    """A kernel over network distance between street segments (after Rosser et al. 2017):
    every incident on segment s adds K(d(s, r)) to segment r, with d the shortest path between
    the segments' midpoints along the roads and K triangular with ``bandwidth_m``, time-decayed.

    Distances run over every road an incident can be on, each way: motorways and trunk roads
    too, which the walking policy closes (many Chinese cities' main roads are trunk roads:
    on foot nothing spread along them), and one-way streets both ways (an incident's
    neighbourhood is not a direction of travel).

    Rosser et al. split the kernel's mass equally at junctions; this continuous kernel does
    not (it is what their comparison calls the "non-split" variant): the split kernel's value
    at a segment depends on the path's every junction, which one shortest-path distance per
    pair of segments cannot give: the split needs a walk over every path within the bandwidth
    (Okabe et al.'s equal-split kernel), one per branch at each junction. Not measured here.
    """

    network: Any  # xunfang.network.RoadNetwork of the same roads as the segment units
    bandwidth_m: float = 300.0
    half_life_days: float = 365.0
    name: str = "network_kde"
    refit_days: int = 1

    def __post_init__(self) -> None:
        from xunfang.network import RoadNetwork

        if not isinstance(self.network, RoadNetwork):
            # (a scenario's Roads, say: it was a bare AssertionError at the first forecast)
            raise TypeError("NetworkKDE(network): network must be a xunfang.network.RoadNetwork "
                            "(RoadNetwork.from_scenario or .from_roads), got "
                            f"{type(self.network).__name__}")

    def fit(self, history: History) -> NetworkKDE:
        if history.events.units.kind != "segments":
            raise MethodError(
                "network_kde ranks street segments: use segment units (a scenario with roads); "
                f"these units are {history.events.units.kind}")
        return self

    def _matrix(self, units: Units) -> sp.csr_matrix:
        from xunfang.network import RoadNetwork, travel_times
        from xunfang.planning.coverage import with_uniform_speed

        net = cast(RoadNetwork, self.network)  # (checked in __post_init__)
        roads = net.roads
        if roads.n_edges != len(units):
            raise MethodError("network_kde: the network is not the one the segments come from")
        # one travel-time engine: distances are minutes at 60 km/h on foot (1 minute = 1 km),
        # with no road class closed and no one-way street (see the class's docstring)
        flat = with_uniform_speed(net, 60.0, mode="foot")
        flat = RoadNetwork.from_roads(flat.roads, policy=replace(
            flat.policy, excluded_classes={}, oneway_modes=()))
        h_km = self.bandwidth_m / 1000.0
        n_nodes, m = net.n_nodes, roads.n_edges
        pa, pb, pd = [], [], []
        for s in range(0, n_nodes, 512):  # node → node within the bandwidth, in chunks
            src = np.arange(s, min(s + 512, n_nodes))
            d = travel_times(flat, src, mode="foot", cutoff_minutes=h_km)
            r, c = np.nonzero(np.isfinite(d))
            pa.append(src[r])
            pb.append(c)
            pd.append(d[r, c])
        a, b, dist = np.concatenate(pa), np.concatenate(pb), np.concatenate(pd)
        half = np.asarray(roads.length_m, dtype=np.float64) / 2000.0  # km
        # the edges at each node (CSR), to expand node pairs into segment pairs
        ends = np.concatenate([np.asarray(roads.u), np.asarray(roads.v)])
        edge_of = np.concatenate([np.arange(m), np.arange(m)])
        order = np.argsort(ends, kind="stable")
        ptr = np.searchsorted(ends[order], np.arange(n_nodes + 1))
        inc = edge_of[order]
        i, e = _expand(a, ptr, inc)
        b, dist = b[i], dist[i]
        j, f = _expand(b, ptr, inc)
        e, dist = e[j], dist[j]
        total = half[e] + dist + half[f]
        total = np.concatenate([total, np.zeros(m)])  # a segment is at distance 0 of itself
        e = np.concatenate([e, np.arange(m)])
        f = np.concatenate([f, np.arange(m)])
        keep = total <= h_km
        e, f, total = e[keep], f[keep], total[keep]
        o = np.lexsort((total, f, e))  # the shortest of the end-to-end combinations
        e, f, total = e[o], f[o], total[o]
        first = np.ones(len(e), dtype=bool)
        first[1:] = (e[1:] != e[:-1]) | (f[1:] != f[:-1])
        return sp.csr_matrix((1 - total[first] / h_km, (e[first], f[first])), shape=(m, m))

    def predict(self, history: History, day: int) -> FloatArray:
        ev = history.events
        kernel = ev.cached(f"nkde:{self.bandwidth_m}", lambda: self._matrix(ev.units))
        w, norm = history.decay(history.lead(day), self.half_life_days)
        c = history.counts(w)
        # the density at each segment's midpoint, not over its length: a review asked for the
        # length (a junction's 6 m stub scores as a 200 m block), but Montreal's cyclist
        # collisions come at junctions: with it, kde's hit rate at 5 / 10 / 20 % fell from
        # 0.185 / 0.298 / 0.449 to 0.152 / 0.191 / 0.376, network_kde's log-likelihood from
        # -9.425 to -9.473 (session 16, 178 test incidents from 2016-07-01, 180-day window)
        out = np.asarray(kernel.T @ c, dtype=float)
        total = out.sum()
        return out * (c.sum() / norm / total) if total > 0 else out


def _expand(group: IntArray, ptr: IntArray, items: IntArray) -> tuple[IntArray, IntArray]:
    """For each element k of ``group`` (a node), one row per item of its CSR group: returns
    (k repeated, the items)."""
    cnt = ptr[group + 1] - ptr[group]
    rep = np.repeat(np.arange(len(group)), cnt)
    offs = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return rep, items[np.repeat(ptr[group], cnt) + offs]


# -- the learned model -------------------------------------------------------------------------
WINDOWS = (1, 7, 30, 91, 365)


def _features(history: History, day: int, nb: sp.csr_matrix,
              holidays: frozenset[date], counts: FloatArray | None = None,
              calendar_day: int | None = None, season: bool = True,
              known: npt.NDArray[np.bool_] | None = None) -> FloatArray:
    """Per unit: rates over WINDOWS, the whole-window rate, the decayed rate, the neighbours'
    91-day and whole-window rates, the same weekday's rate over a year; then the day's
    calendar (weekday, holiday), the days the rates rest on, the recent level
    (:func:`_recent_level`; 1 with ``season``), the season factor of the day
    (:func:`~xunfang.intel.forecast.season_factor`; 1 without ``season``: a fit whose first
    label day has less than a year behind it) and its weekday's factor
    (:func:`~xunfang.intel.forecast.weekday_factor`), each over the window before ``day``;
    last, the offset's rate those make of the decayed one (:func:`_base_rate`), on a holiday
    times the window's holidays' level over their weekdays'
    (:func:`~xunfang.intel.forecast.holiday_factor`).
    ``counts``: the window's incidents per unit, where the caller has them already;
    ``known``: the units the forecast knows of (:meth:`History.known`), the others no unit
    without an incident.

    No month: with a year's window the month of a label day is also how much of the window
    lies behind it, and the trees learnt January at the year's level (a county's January
    2026 at 9.9 a day where its Januaries ran at 7.6-8.2; a synthetic record's at 1.6 times
    the truth; a review). The time of year is the season factor's: a feature the trees learn
    from where every label day has a year behind it, else constant (see
    :func:`~xunfang.intel.forecast.season_of`)."""
    n = history.events.n_units
    cols: list[FloatArray] = []
    # rates over the days the window holds: a training day 30 days into a year's window has
    # 30 days behind it, not 365 (counted over 365 its rates were a twelfth of the truth, and
    # the trees learnt that the window's first month runs at 3 times the rate: New Year's Day
    # 2026 forecast at 26.5 incidents in a county of 8.6, Chicago's 2 January 2020 at 80
    # where 25-30 come; a review)
    held = max(day - history.start, 1)
    for w in WINDOWS:
        cols.append(history.counts(since=max(history.start, day - w)) / min(w, held))
    whole = (history.counts() if counts is None else counts) / max(history.days, 1)
    cols.append(whole)
    # (forecast imports this module)
    from xunfang.intel.forecast import (
        holiday_factor,
        recorded_days,
        season_factor,
        weekday_factor,
    )

    past = history.events.window(history.start, day)
    covered = recorded_days(history.events, past.start, past.origin)
    lam = math.log(2) / 365.0
    # over the days the record covers: six weeks an export lacks are no six quiet weeks (the
    # weights of the covered days against all days'; 1 without a hole)
    weight = np.exp(-lam * (np.arange(len(covered), 0, -1) - 0.5))
    coverage = float(weight.sum() / weight[covered].sum()) if covered.any() else 1.0
    cols.append(history.counts(np.exp(-lam * history.ages(day))) * lam
                / (1 - math.exp(-lam * held)) * coverage)
    cols.append(np.asarray(nb @ cols[3], dtype=float))
    cols.append(np.asarray(nb @ whole, dtype=float))
    # the same weekday as the calendar day over the last year before ``day`` (a later day of
    # a horizon is counted from the window's end, its weekday its own), over as many of
    # those weekdays as the window holds
    shift = 0 if calendar_day is None else calendar_day - day
    a, b = np.searchsorted(history.t, [day - 365, day + 1])
    sl = slice(history.a + int(a), history.a + int(b))
    ages = day - history.events.t[sl]
    u = history.events.unit[sl][(ages > -1) & (ages <= 364) & (np.floor(ages + shift) % 7 == 6)]
    same = np.bincount(u[u >= 0], minlength=n).astype(float)
    cols.append(same / max(1, min(52, held // 7)))
    on = day if calendar_day is None else calendar_day
    d = history.events.date_of(on)
    factor = season_factor(past, on, covered=covered) if season else 1.0
    by_weekday = float(weekday_factor(past, covered=covered)[d.weekday()])
    # a holiday's level over its weekday's, learnt from the window's holidays: in the offset,
    # as the weekday's is, for the trees' holiday column cannot split a county's few holiday
    # label days from the rest (:func:`~xunfang.intel.forecast.holiday_factor`)
    on_holiday = d in holidays
    by_holiday = holiday_factor(past, holidays, covered=covered) if on_holiday else 1.0
    # without the season, the level of the last four weeks over the decayed rate's: the
    # trees' level then is the recent one, whose season ``forecast`` moves on to the day's
    # (season_of: "change"); with the season it is the season factor's
    decayed = cols[len(WINDOWS) + 1]
    recent = 1.0 if season else _recent_level(past, decayed, covered)
    # the offset's rate (_base_rate): each unit without an incident in the window gets the
    # rate at which such units had their first in the window's last weeks, and the others
    # share the rest of the level by their decayed rates. (A tenth of an incident over the
    # window for each unit put a 100,000-cell grid's offsets at 64 a day where 40 came, a
    # review; a hundredth of the level for all of them starved Montreal's streets, where
    # most of a half-year's collisions come on streets without one; the share of the last
    # weeks' incidents that were a unit's first gave a county's few grids without an
    # incident in a 40-day record more than the others, a review; bench/RESULTS.md, issue 4,
    # session 14)
    unseen = decayed <= 0
    if known is not None:
        unseen &= known
    total = float(decayed.sum())
    mass = min(0.9 * total, _unseen_rate(past, day, known) * int(unseen.sum()))
    floor = max(mass / max(int(unseen.sum()), 1), 1e-12)
    own = decayed * (1.0 - mass / total) if total > 0 else decayed
    # a unit whose only incidents are years old is no less likely than one never seen (an
    # 8-year window's decayed rate of an incident 8 years ago is a 256th of a new one's)
    own = np.maximum(own, floor)
    # with the days the rates rest on: a unit active in the first two months of a window has
    # its rate overstated by the chance of that (regression to the mean; at 65 days the
    # active cells' rates summed to 49 a day where Chicago had 42), and the trees need to
    # tell such rows from the forecast's, which rest on the whole window
    cal = np.array([d.weekday(), float(on_holiday), float(min(held, 365)), recent,
                    factor, by_weekday], dtype=float)
    x = np.column_stack(cols)
    rate = np.where(unseen, floor, own) * (recent * factor * by_weekday * by_holiday)
    return np.hstack([x, np.broadcast_to(cal, (n, len(cal))), rate[:, None]])


# the days and the pseudo-incidents of gbm's recent level (_recent_level)
RECENT_DAYS, RECENT_PRIOR = 28, 50.0
# the days over which gbm's offset counts the first incidents of units new to the window
NEW_DAYS = 91


def _unseen_rate(history: History, day: int,
                 known: npt.NDArray[np.bool_] | None = None) -> float:
    """The rate a day at which units without an incident in the window (from its start)
    had their first, over the :data:`NEW_DAYS` days before ``day``: their first incidents
    there over the days they spent without one. A tenth of Chicago's assaults fall in
    250 m cells without one in the year before, most of Montreal's half-year of cyclist
    collisions on streets without one. ``known``: the units that count (see
    :meth:`History.known`)."""
    ev = history.events
    # each unit's first incident from the window's start on: the same for every label day
    # of a fit; only the latest window's is kept (a day's forecasts over years of test days
    # each start a window of their own)
    start, first_t = ev.cache.get("gbm-first", (None, None))
    if start != history.start or first_t is None:
        a = int(np.searchsorted(ev.t, history.start))
        t, u = ev.t[a:], ev.unit[a:]
        inside = u >= 0
        first_t = np.full(ev.n_units, np.inf)
        np.minimum.at(first_t, u[inside], t[inside])
        ev.cache["gbm-first"] = (history.start, first_t)
    lo = max(history.start, day - NEW_DAYS)
    at_risk = first_t >= lo  # no incident in the window before ``lo``
    if known is not None:
        at_risk &= known
    exposure = float((np.minimum(first_t[at_risk], day) - lo).sum())
    firsts = int((first_t[at_risk] < day).sum())
    return firsts / exposure if exposure > 0 else 0.0


def _recent_level(history: History, decayed: FloatArray, covered: npt.NDArray[np.bool_]
                  ) -> float:
    """The window's incidents of its last :data:`RECENT_DAYS` days (four of each weekday)
    against as many as the units' decayed rates give over the days of those the record
    covers, shrunk towards 1 by :data:`RECENT_PRIOR` pseudo-incidents: a county's 8 a day
    shows its level to within a tenth, a city's 40 to within 5 %."""
    days = min(RECENT_DAYS, history.days)
    a = int(np.searchsorted(history.t, history.origin - days))
    n = int((history.unit[a:] >= 0).sum())
    expected = float(decayed.sum()) * int(covered[len(covered) - days:].sum())
    return (n + RECENT_PRIOR) / (expected + RECENT_PRIOR)


# the fewest days of labels with a year behind them for gbm to learn the season from
SEASON_LABEL_DAYS = 182


# LightGBM's threads wait for each other by spinning: on two cores with one busy elsewhere
# (a shared machine, or the command centre's web server and database beside the planner)
# training a fit's 40,000 rows took 38.7 s with two threads and 0.31 s with one, the same
# trees (measured: bench/RESULTS.md, issue 4, session 10). The data are too small to gain
# from threads on an idle machine either (0.3 s).
GBM_THREADS = 1
# the share of gbm's label days (the latest) held out to choose how many trees to grow
GBM_HELD_OUT = 0.25
# a label day's incidents are learnt at most at this many times the window's daily rate
BURST = 5.0


def _base_rate(x: FloatArray) -> FloatArray:
    """The offset's rate, the last feature: each row's own rate, its incidents decayed with a
    one-year half-life (the feature two after WINDOWS; decay is the best fixed method on
    Chicago) over the days the record covers — a unit without one the rate at which such
    units had their first (:func:`_unseen_rate`), the others the rest of the level —, times
    the day's weekday factor (and on a holiday the holiday factor) and its season factor or,
    where the trees are not shown the season, the recent level. The log of it is the offset
    the trees learn departures from, and gbm's forecast where no tree helps
    (:meth:`Gbm._rounds`): decay's map at the level
    of the day's weekday and season, with the units without an incident taking their part.
    (The whole window's rate as the offset scored 0.2508 at 5 % on Chicago 2018-2019 with 8
    years, the decayed rate 0.2539, the rate itself without an offset 0.2537;
    bench/RESULTS.md.)"""
    return np.asarray(x[:, -1], dtype=float)


@dataclass(frozen=True)
class GbmModel:
    booster: Any
    nb: sp.csr_matrix
    holidays: frozenset[date]
    country: str | None = None  # the holidays' calendar, for days beyond those fitted
    # every label day had a year or more behind it, so that the season factor was one of
    # its features and the trees learnt the time of year; else its lagged rates carry the
    # season only (a fit where a few late label days had a season factor learnt it from
    # part of a year: a 400-day window's July came to 0.47 of the truth 200 days ahead)
    learns_season: bool = False
    rounds: int = 0  # the trees grown (Gbm._rounds); 0: no booster, the offset alone
    # the last year of the country's calendar the fit read (its holidays to 60 days past
    # the window's end); a later day's year is read when it is forecast. Not the holidays'
    # own last year: a declared day of a later year (next Spring Festival in scenario.toml)
    # had hidden that year's May Day and National Day (a review)
    country_through: int | None = None

    def calendar(self, when: date) -> frozenset[date]:
        """The holidays a forecast of the day ``when`` knows: those of the fit, and past them
        ``when``'s own year's (a plan past the record; the fit knew them to 60 days past the
        window's end)."""
        through = (self.country_through if self.country_through is not None
                   else max((d.year for d in self.holidays), default=when.year - 1))
        if self.country and when.year > through:
            return self.holidays | holiday_calendar(self.country, when, when)
        return self.holidays

    def predict(self, history: History, day: int, calendar_day: int | None = None
                ) -> FloatArray:
        """``calendar_day``: the day whose weekday, holidays and season apply, where it is not
        ``day`` (a plan after the record's end is forecast with the lead times from it, on
        its own days); the counts are as of the window's end (History.lead)."""
        on = day if calendar_day is None else calendar_day
        holidays = self.calendar(history.events.date_of(on))
        known = history.known()
        x = _features(history, history.lead(day), self.nb, holidays, calendar_day=on,
                      season=self.learns_season, known=known)
        raw = (0.0 if self.booster is None
               else self.booster.predict(x, raw_score=True, num_threads=GBM_THREADS))
        out = np.exp(raw + np.log(_base_rate(x)))
        return np.asarray(out if known is None else out * known, dtype=float)


@dataclass(frozen=True)
class Gbm:
    """LightGBM with a Poisson objective on lagged counts and calendar features.

    Trained on ``label_days`` days spread evenly over the last year of the window, each with its
    features from the incidents before it and inside the window; rows are the units — all
    those with an incident on the label day, and a seeded sample of the rest (about
    ``target_rows`` rows in all) weighted by the inverse sampling rate. The
    trees learn each unit's departure from its decayed rate at the day's level (an offset,
    :func:`_base_rate`); of at most ``rounds`` trees, as many are grown as forecast the last
    quarter of the label days best from the others (:meth:`_rounds`). ``country`` names the
    public-holiday calendar; ``declared`` are holidays known beside it (a scenario's own,
    scenario.toml's ``[[policy.holidays]]``, which the roster keeps too).

    Its forecast is a day's rate per unit; the hours of the day come from the time-of-day
    profile, as every method's (:func:`~xunfang.intel.forecast.week_hour_profile`). The hour
    as a feature of trees was measured and not kept: a LightGBM model of each place-hour
    (the hour, the place's and its neighbourhoods' shares of it; ``bench/intel_profile.py``,
    the ``learned`` line) foretold 2019's hours at +0.0266 nats per incident above a flat day
    in a town of ~300 incidents a year, where the profile gives +0.0322, and equalled it at
    Chicago's scale (+0.0595).
    """

    label_days: int = 120
    target_rows: int = 40_000
    rounds: int = 80
    country: str | None = None
    seed: int = 0
    name: str = "gbm"
    declared: frozenset[date] = frozenset()
    refit_days: int = 7

    def fit(self, history: History) -> GbmModel:
        import lightgbm as lgb

        from xunfang.intel.forecast import recorded_days  # (forecast imports this module)

        ev = history.events
        scale = _unit_scale(ev.units)
        nb = ev.cached(f"gbm-nb:{scale}", lambda: _neighbour_matrix(
            ev.units, 1.5 * scale, lambda d: (d > 0).astype(float)))
        read_to = ev.date_of(history.origin + 60)
        hol = holiday_calendar(self.country, ev.date_of(history.start), read_to) | self.declared
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        ws: list[FloatArray] = []
        first_label = max(history.start + 30, history.origin - 365)
        if history.origin - (history.start + 365) >= SEASON_LABEL_DAYS:
            # label days with a year behind them, where the window leaves half a year of them:
            # they learn the time of year (a 600-day window's January, its label days short
            # of a year, came to 1.38 times the truth)
            first_label = max(first_label, history.start + 365)
        n_labels = min(history.origin - first_label, self.label_days)
        if n_labels < 1:
            raise MethodError("gbm: the training window is too short to learn from "
                              "(needs more than 30 days)")
        label_days = np.unique(np.linspace(history.origin - 1, first_label, n_labels).round())
        # the season factor is a feature where every label day has a year behind it
        season = int(label_days.min()) - history.start >= 365
        # rows: every unit, also those with no incident before the label day (a tenth of
        # Chicago's assaults fall in 250 m cells without one in the year before, and trees
        # that learnt from the others only forecast the city's day 7 % low: 2016-2017, a
        # year's window, 39.7 a day where 42.8 came; bench/RESULTS.md, issue 4, session 14).
        # Most unit-days have no incident: keep every one that has, and a seeded sample of
        # the others weighted by the inverse of their chance (the same expected loss). On a
        # 100,000-cell grid at 40 a day each sampled zero weighs about 300; gbm's level comes
        # to 38.9-40.5 over four seeds. A sample in proportion to the offset gave 36-40,
        # but lost the long memory of sparse records (a tenth of Chicago's assaults with 8
        # years: 1.14x naive-365 at 5 % against 1.26x uniform, with the floor of 590dc8d).
        per_day = self.target_rows / len(label_days)
        rng = np.random.default_rng(self.seed)
        covered = recorded_days(ev, history.start, history.origin)
        # a label day in a hole of the record is no day without incidents
        days = [d for d in label_days.astype(int).tolist() if covered[d - history.start]]
        row_days: list[IntArray] = []  # each row's label day, for the held-out quarter
        daily = (history.b - history.a) / max(int(covered.sum()), 1)  # the window's rate
        known = history.known()  # a bare file's cells of later incidents: no rows
        learnt = np.ones(ev.n_units, dtype=bool) if known is None else known
        for day, counts in zip(days, running_counts(ev, ((history.start, d) for d in days)),
                               strict=True):
            past = ev.window(history.start, day)
            if not counts.any():  # nothing before the label day to learn from
                continue
            y = ev.window(day, day + 1).counts()
            # a day far beyond the window's rate (a burst: 50 incidents on one day of a
            # record of one a day) is learnt at BURST times that rate: as it came, its rows
            # taught the trees that cells of low rate take twenty times their offset, and a
            # forecast 40 days later came to 10.2 a day where naive gave 0.77 (a review)
            cap = BURST * max(daily, 1.0)
            if y.sum() > cap:
                y = y * (cap / y.sum())
            x = _features(past, day, nb, hol, counts, season=season, known=known)
            # drawn for the known units only: the same rows whatever came later
            chance = min(1.0, per_day / max(int(((y == 0) & learnt).sum()), 1))
            keep = np.zeros(len(y), dtype=bool)
            keep[learnt] = (y[learnt] > 0) | (rng.random(int(learnt.sum())) < chance)
            xs.append(x[keep])
            ys.append(y[keep])
            ws.append(np.where(y[keep] > 0, 1.0, 1.0 / chance))
            row_days.append(np.full(int(keep.sum()), day))
        if not xs:
            raise MethodError("gbm: the training window is too short to learn from "
                              "(needs more than 30 days with incidents)")
        y_all = np.concatenate(ys)
        if not y_all.sum():
            raise MethodError(f"gbm: none of the {len(days)} days it learns from (the last "
                              "year of the window) holds an incident: too few to learn from")
        rows = len(y_all)
        params = {"objective": "poisson", "learning_rate": 0.08, "num_leaves": 15,
                  "min_data_in_leaf": max(50, rows // 1000), "lambda_l2": 1.0,
                  "feature_fraction": 0.9, "bagging_fraction": 0.7, "bagging_freq": 1,
                  "max_bin": 63, "seed": self.seed, "deterministic": True,
                  "num_threads": GBM_THREADS, "verbose": -1}
        x_all = np.vstack(xs)
        w_all = np.concatenate(ws)
        # the trees learn how each unit's day departs from its own rate over the window (an
        # offset), not the rate itself: a leaf of 50 rows otherwise gave a district of one
        # incident in ten years the rate of the least busy districts it shared a leaf with
        # (0.36 a day; a review, on Chicago's districts)
        offset = np.log(_base_rate(x_all))
        rounds = self._rounds(params, x_all, y_all, w_all, offset, np.concatenate(row_days))
        if rounds == 0:
            return GbmModel(None, nb, hol, country=self.country, learns_season=season,
                            rounds=0, country_through=read_to.year)
        try:
            booster = lgb.train(params, lgb.Dataset(x_all, y_all, weight=w_all,
                                                    init_score=offset),
                                num_boost_round=rounds)
        except lgb.basic.LightGBMError as exc:
            raise MethodError(f"gbm: LightGBM could not learn from this window: {exc}") from None
        return GbmModel(booster, nb, hol, country=self.country, learns_season=season,
                        rounds=rounds, country_through=read_to.year)

    def _rounds(self, params: dict[str, Any], x: FloatArray, y: FloatArray, w: FloatArray,
                offset: FloatArray, day: IntArray) -> int:
        """How many of ``rounds`` trees to grow: trained on the label days before the last
        :data:`GBM_HELD_OUT` of them and scored on those (weighted Poisson deviance, as the
        later days are forecast from the earlier), the number of trees that scores best, 0 —
        the offset alone — among them. A fixed 80 fitted the calendar's noise on
        a sparse record: a hot spot of 0.8 a day among 24 quiet cells was forecast at 0.45
        to 1.55 of its rate over twenty records, now at 0.72 to 1.17 (bench/RESULTS.md,
        issue 4, session 14)."""
        import lightgbm as lgb

        days = np.unique(day)
        cut = days[len(days) - max(1, round(GBM_HELD_OUT * len(days)))]
        fit, held = day < cut, day >= cut
        if not fit.any() or not y[fit].sum() or not y[held].sum():
            # nothing to learn from before the held-out days, or nothing to score on them:
            # the trees cannot be shown to help
            return 0
        try:
            booster = lgb.train(params, lgb.Dataset(x[fit], y[fit], weight=w[fit],
                                                    init_score=offset[fit]),
                                num_boost_round=self.rounds)
        except lgb.basic.LightGBMError as exc:
            raise MethodError(f"gbm: LightGBM could not learn from this window: {exc}") from None
        xh, yh, wh, raw = x[held], y[held], w[held], offset[held].copy()
        losses = [float(np.sum(wh * (np.exp(raw) - yh * raw)))]
        for k in range(booster.current_iteration()):  # tree by tree: each is scored once
            raw += booster.predict(xh, raw_score=True, start_iteration=k, num_iteration=1,
                                   num_threads=GBM_THREADS)
            losses.append(float(np.sum(wh * (np.exp(raw) - yh * raw))))
        return int(np.argmin(losses))


def horizon_holidays(country: str | None, declared: Collection[date], *, start: date,
                     days: int, train_days: int, as_of: date | None = None
                     ) -> frozenset[date]:
    """The public holidays a forecast from ``start`` over ``days`` days, trained on the
    ``train_days`` before ``as_of`` (else ``start``), knows: ``country``'s over the window
    and the horizon, and ``declared``. Only ``declared`` for a day :func:`forecast` refuses
    (a date out of range; it says why)."""
    try:
        first = (as_of or start) - timedelta(days=train_days)
        last = start + timedelta(days=days)
    except (OverflowError, TypeError):
        return frozenset(declared)
    return holidays_between(country, declared, first, last)


def holidays_between(country: str | None, declared: Collection[date], first: date,
                     last: date) -> frozenset[date]:
    """``country``'s public holidays from ``first`` to ``last`` and ``declared``; only
    ``declared`` for dates out of the calendar's range (before 1900, after 9000) or reversed."""
    if not date(1900, 1, 1) <= first <= last <= date(9001, 1, 1):
        return frozenset(declared)
    return holiday_calendar(country, first, last) | frozenset(declared)


def holiday_calendar(country: str | None, start: date, end: date) -> frozenset[date]:
    """The public holidays of ``country`` (ISO code; none without one) from ``start``'s year to
    ``end``'s: the days the ``holidays`` package names, and the weekend days a holiday period
    holds (:func:`holiday_periods`)."""
    if not country:
        return frozenset()
    import holidays

    # a year either side, for a period that runs over New Year (a Friday 1 January's weekend)
    years = range(max(start.year - 1, 1), end.year + 2)
    try:
        cal = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        raise MethodError(f"no public-holiday calendar for country '{country}'") from None
    days = holiday_periods(frozenset(cal.keys()), weekend=frozenset(cal.weekend),
                           workdays=frozenset(getattr(cal, "weekend_workdays", ())),
                           whole=getattr(cal, "country", country) == "CN")
    return frozenset(d for d in days if start.year <= d.year <= end.year)


def holiday_periods(named: frozenset[date], *, weekend: frozenset[int],
                    workdays: frozenset[date] = frozenset(), whole: bool = False
                    ) -> frozenset[date]:
    """``named`` holidays with the weekend days (``weekend``: weekdays, Monday 0) their
    periods hold, less the make-up working days (调休) ``workdays``. A run of days off (named
    days and weekend days not made up) is a holiday period where it holds a named day.
    ``whole`` (China): every day of such a run is a holiday, as the State Council's notice
    gives the period (2026's Spring Festival 15-23 February, its named days 16-20 and 23:
    Sunday the 15th joins them, Saturday the 14th is worked; National Day 1-7 October, Sunday
    the 4th between Saturday the 3rd and Monday the 5th, which the package names; 2025's 1-8
    October). Elsewhere only the weekend days between two named days of a run (Easter's
    Saturday and Sunday between Good Friday and Easter Monday), not a weekend that merely
    adjoins a holiday: a Friday 4 July makes no holiday of the 5th."""
    if not named:
        return named
    out = set(named)
    day = min(named)
    last = max(named)
    while day <= last:
        if day not in named:
            day += timedelta(days=1)
            continue
        # the run of days off around this named day
        a = day
        while _off(a - timedelta(days=1), named, weekend, workdays):
            a -= timedelta(days=1)
        b = day
        while _off(b + timedelta(days=1), named, weekend, workdays):
            b += timedelta(days=1)
        if not whole:  # from the run's first named day to its last
            a = min(d for d in _days(a, b) if d in named)
            b = max(d for d in _days(a, b) if d in named)
        out.update(_days(a, b))
        day = b + timedelta(days=1)
    return frozenset(out)


def _off(d: date, named: frozenset[date], weekend: frozenset[int],
         workdays: frozenset[date]) -> bool:
    """A day without work: a named holiday, or a weekend day not made up."""
    return d in named or (d.weekday() in weekend and d not in workdays)


def _days(a: date, b: date) -> list[date]:
    return [a + timedelta(days=k) for k in range((b - a).days + 1)]


# -- auto ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AutoModel:
    chosen: str
    model: Model
    scores: dict[str, float]
    # the candidates' mean log-likelihood per validation incident, where their hits tied on
    # every validation day and it chose (None where the hit rate did)
    tie_break: dict[str, float] | None = None
    # their hits tied, and nothing told them apart (no hit at all, or too few incidents for
    # the log-likelihood): the simplest stands by default
    tied: bool = False

    def predict(self, history: History, day: int) -> FloatArray:
        return self.model.predict(history, day)


@dataclass(frozen=True)
class Auto:
    """The candidate chosen by its hit rate at ``coverage`` of the area over the last days of
    the training window — the simplest within one standard error of the best (see
    :meth:`_choose`) —, each day forecast from the days before it (rolling validation inside
    the window: no test incident is ever seen). Days are scored by the evaluation's own rule
    (:func:`~xunfang.intel.units.top_units`: by risk per m² or per metre where units differ in
    size, over the same study area); the validation runs over the last ``validation_days``, or
    longer where those hold fewer than ``validation_incidents`` incidents (at most half the
    window): on a sparse record a month is a coin toss."""

    candidates: tuple[Any, ...] = ()
    validation_days: int = 91
    validation_incidents: int = 400
    # the fewest validation incidents in the study area for the log-likelihood to tell
    # candidates apart where their hits tie (a review: 4 incidents over 180 days chose
    # "kde (no decay)" where every candidate hit nothing)
    tie_incidents: int = 50
    coverage: float = 0.05
    name: str = "auto"
    refit_days: int = 7

    def validation_start(self, history: History) -> int:
        """The first validation day: ``validation_days`` back, or further back until the
        validation days hold ``validation_incidents``; never more than half the window (the
        candidates must learn from the rest), never before its second day."""
        floor = max(history.start + 1, history.origin - history.days // 2)
        start = max(floor, history.origin - self.validation_days)
        if start <= floor:
            return start
        t = history.t
        if not len(t) or (history.b - history.a - int(np.searchsorted(t, start))
                          >= self.validation_incidents):
            return start
        # the day from which the window's last validation_incidents incidents run
        nth = t[-self.validation_incidents] if len(t) >= self.validation_incidents else t[0]
        return int(max(floor, min(start, math.floor(nth))))

    def fit(self, history: History) -> AutoModel:
        ev = history.events
        units = ev.units
        # network KDE is a candidate where the units are street segments
        cands = tuple(m for m in self.candidates or auto_candidates()
                      if units.kind == "segments" or not isinstance(m, NetworkKDE))
        bare = units.study == "training"  # as the evaluation's study area (Units.study)
        equal = units.equal_size
        scores: dict[str, float] = {}
        daily: dict[str, FloatArray] = {}  # each validation day's hits
        loglik: dict[str, FloatArray] = {}  # and log-likelihood
        start = self.validation_start(history)
        days = range(start, history.origin)
        # what each validation day ranks and scores, the same for every candidate, and the
        # incidents its study area holds (the log-likelihood's)
        today = [ev.window(d, d + 1).unit for d in days]
        placed = [t[t >= 0] for t in today]
        if bare:
            areas, held = [], []
            for p, c in zip(placed, running_counts(ev, ((history.start, d) for d in days)),
                            strict=True):
                areas.append(np.flatnonzero(c > 0))
                held.append(p[c[p] > 0])
        else:
            areas = [np.arange(len(units), dtype=np.int64)] * len(days)
            held = placed
        # a day with nothing to rank yet is not scored
        size = np.array([len(t) if len(a) else 0 for t, a in zip(today, areas, strict=True)],
                        dtype=float)
        for m in cands:
            hits = np.zeros(len(days))
            ll = np.zeros(len(days))
            model: Model = m.fit(ev.window(history.start, start))
            fitted_on = start
            for i, day in enumerate(days):
                if not len(areas[i]):
                    continue
                past = ev.window(history.start, day)
                # refitted every refit_days, as the evaluation does (a weekly candidate was
                # fitted once for the whole validation)
                if day - fitted_on >= m.refit_days:
                    model = m.fit(past)
                    fitted_on = day
                risk = np.asarray(model.predict(past, day), dtype=float)
                top = top_units(risk, areas[i], units.size, self.coverage, equal)
                hits[i] = float(np.isin(today[i], top).sum())
                ll[i] = log_likelihood(risk, areas[i], held[i])
            daily[m.name] = hits
            loglik[m.name] = ll
            scores[m.name] = float(hits.sum() / size.sum()) if size.sum() else 0.0
        tied = all(np.array_equal(daily[m.name], daily[cands[0].name]) for m in cands)
        n_held = sum(len(h) for h in held)
        if (tied and len(cands) > 1 and daily[cands[0].name].sum() > 0
                and n_held >= self.tie_incidents):
            # every candidate hit the same places every day: the top 5 % of a county's 7
            # grids is its one busiest, the same for every method (a review: 7 candidates
            # at 0.37714 each, naive standing by default). Told apart by how they spread each
            # day's incidents over all the places, the same one-error rule
            best = self._choose(cands, loglik, np.ones(len(days)))
            return AutoModel(best.name, best.fit(history), scores,
                             {m.name: float(loglik[m.name].sum() / n_held) for m in cands})
        best = self._choose(cands, daily, size)
        return AutoModel(best.name, best.fit(history), scores, tied=tied and len(cands) > 1)

    def _choose(self, cands: Sequence[Any], daily: Mapping[str, FloatArray],
                size: FloatArray) -> Any:
        """The one-standard-error rule: the first candidate (they are listed simplest first)
        whose score (the day's hits, or its log-likelihood where the hits tie) is within one
        standard error of the best one's. The error is that of
        the paired difference over the validation days: a method is not chosen over a
        simpler one for a lead the days' noise explains (on a year of Chicago, picking the
        best by a hair put auto below naive: 0.991x)."""
        total = float(size.sum())
        if total == 0 or len(size) < 2:  # no error to judge a lead by: the simplest
            return cands[0]
        top = max(cands, key=lambda m: (daily[m.name].sum(), -cands.index(m)))
        for m in cands:
            diff = (daily[top.name] - daily[m.name]) / total * len(size)  # per-day, rate
            se = float(diff.std(ddof=1) / math.sqrt(len(diff)))
            # a lead of exactly one error (one day's hit, say) is within it: the tolerance
            # keeps float rounding from deciding
            if float(diff.mean()) <= se * (1 + 1e-9) + 1e-12:
                return m
        return top


# a count window no training window reaches: the whole window
WHOLE_WINDOW = 1_000_000


@dataclass(frozen=True)
class RecentLevel:
    """``inner``'s ranking at the level of the last ``days`` days. A long memory ranks a
    sparse record's places better, but its mean over years is not today's level (Chicago's
    assaults: 39.5 a day over 2012-2019, 42.0 in 2019), and the plan doses by the level."""

    inner: Any
    days: int = 365

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def refit_days(self) -> int:
        return int(self.inner.refit_days)

    def fit(self, history: History) -> _Levelled:
        return _Levelled(self.inner.fit(history), self.days)


@dataclass(frozen=True)
class _Levelled:
    model: Model
    days: int

    def predict(self, history: History, day: int) -> FloatArray:
        risk = np.asarray(self.model.predict(history, day), dtype=float)
        n = min(self.days, history.days)
        recent = float(history.counts(since=history.origin - n).sum()) / max(n, 1)
        total = float(risk.sum())
        # no incident in the last year: no level to take, and scaling by 0 would tie every
        # unit; the memory's own level and ranking stand
        return risk * (recent / total) if total > 0 and recent > 0 else risk


def auto_candidates(naive_days: int = 365) -> tuple[Any, ...]:
    """What ``auto`` chooses among, simplest first: counts, decay and kde each with the short
    memory (a year's window or half-life) and a long one (the whole window; a 3-year half-life;
    no decay — each at the last year's level, :class:`RecentLevel`), and prospective
    hot-spotting. A sparse record needs the long memory: on a tenth of Chicago's assaults with
    an 8-year window, counts over the whole window score 1.33x naive-365 at 5 % and auto among
    the short-memory four alone 1.19x (bench/RESULTS.md); on the whole record the year's
    memory is as good. Each candidate's name is a method name too (:func:`make_method`)."""
    return (Naive(days=naive_days),
            RecentLevel(Naive(days=WHOLE_WINDOW, name="naive (whole window)")),
            Decay(), RecentLevel(Decay(half_life_days=1095.0, name="decay (3-year half-life)")),
            KDE(), RecentLevel(KDE(half_life_days=math.inf, name="kde (no decay)")),
            Prospective())


def _candidate(name: str) -> Any | None:
    """The auto candidate of that name that is no method of its own ('kde (no decay)')."""
    return next((m for m in auto_candidates() if m.name == name and name not in METHODS),
                None)


def _unknown(name: str) -> MethodError:
    """The error for a name that is neither a method nor one of auto's choices."""
    choices = [m.name for m in auto_candidates() if m.name not in METHODS]
    return MethodError(f"unknown method '{name}'; methods are {', '.join(METHODS)}, and auto's "
                       f"choices by the names it reports: {', '.join(repr(c) for c in choices)}")


def make_method(name: str, *, network: Any = None, country: str | None = None,
                seed: int = 0, naive_days: int = 365,
                holidays: Collection[date] = ()) -> Method:
    """A method by its name in options and output; ``country`` and ``holidays`` are gbm's
    public-holiday calendar and the holidays declared beside it."""
    if name == "naive":
        return Naive(days=naive_days)
    if name == "decay":
        return Decay()
    if name == "kde":
        return KDE()
    if name == "prospective":
        return Prospective()
    if name == "etas":
        return Etas()
    if name == "network_kde":
        if network is None:
            raise MethodError("network_kde ranks street segments: use --units segments (a "
                              "scenario's roads, or a road file's with --network FILE)")
        return NetworkKDE(network)
    if name == "gbm":
        return Gbm(country=country, seed=seed, declared=frozenset(holidays))
    if name == "auto":
        return Auto(auto_candidates(naive_days)
                    + ((NetworkKDE(network),) if network is not None else ()))
    if (cand := _candidate(name)) is not None:
        return cast(Method, cand)  # auto's choice, named as auto names it
    raise _unknown(name)


def method_names(text: str | Sequence[str]) -> tuple[str, ...]:
    names = [s.strip() for s in (text.split(",") if isinstance(text, str) else text)]
    names = [n for n in names if n]
    bad = [n for n in names if n not in METHODS and _candidate(n) is None]
    if bad:
        raise _unknown(bad[0])
    if not names:
        raise MethodError("no method named")
    return tuple(dict.fromkeys(names))
