"""The checkpoint game: targets, attacker types, payoffs, resources and constraints.

A *target* is a (site, slot) pair: a checkpoint site (a post id) in a time slot (named by its
ISO start time). Targets are numbered site-major: target ``t = i * n_slots + s`` is site ``i``
in slot ``s``; every per-target array has length ``n_sites * n_slots``.

The defender has ``teams[s]`` checkpoint teams on duty in slot ``s``; a team checks at most one
site per slot and a site holds at most one team. A mixed strategy is summarised by its
*marginal coverage* ``c[t]``: the probability that target t is checked. Coverage vectors that
the teams can realise are those with

* ``lo[t] <= c[t] <= hi[t]`` — a night-only site has ``hi = 0`` outside night hours;
* ``share_lo[i] * m_i <= sum_s c[i, s] <= share_hi[i] * m_i``, ``m_i`` the number of slots in
  which site i may be checked (``hi > 0``) — the minimum and maximum staffing of a site: the
  expected share of its slots in which it is checked. An expected share: one sampled day may
  check the site in more or fewer of its slots (a per-slot bound ``lo``/``hi`` of 0.3 would
  instead cap every slot, which costs far more: on a 6×6 lattice with 2 teams the defender's
  value fell from −2.105 to −8.175 where the share rule allows −2.584);
* ``sum_i c[i, s] <= teams[s]`` for every slot;
* where ``moves`` is given, the travel rule: a team at site i in slot s may be at site j in slot
  s + 1 only if ``moves[s, i, j]`` (it can drive there in the change-over time); a team may
  always leave a site, and a team not at a site may always take one up.

Each attacker type k (probability ``prob[k]``) attacks one target. Its payoffs when the target
is checked / not checked are ``att_covered[k, t]`` / ``att_uncovered[k, t]``, the defender's
``def_covered[k, t]`` / ``def_uncovered[k, t]``. The game is a security game: checking a
target is better for the defender and worse for the attacker, strictly, at every target; a
payoff table that breaks this is *degenerate* and rejected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from xunfang._errors import XunfangError
from xunfang.plan import index_runs
from xunfang.scenario.model import BoolArray, FloatArray, IntArray

#: Tolerance for probabilities summing to one and for coverage bounds.
PROB_TOL = 1e-6


class GameError(XunfangError, ValueError):
    """The checkpoint game cannot be built or has no feasible schedule; the message says why."""


@dataclass(frozen=True, eq=False)
class SecurityGame:
    """A Bayesian Stackelberg security game over (site, slot) targets (see the module doc)."""

    site_ids: tuple[str, ...]
    slot_names: tuple[str, ...]
    type_names: tuple[str, ...]
    prob: FloatArray  # (K,)
    def_covered: FloatArray  # (K, n)
    def_uncovered: FloatArray
    att_covered: FloatArray
    att_uncovered: FloatArray
    teams: IntArray  # (n_slots,)
    lo: FloatArray  # (n,)
    hi: FloatArray  # (n,)
    moves: BoolArray | None = None  # (n_slots - 1, n_sites, n_sites)
    active: BoolArray | None = None  # (n,) targets the attacker may choose; None: all
    share_lo: FloatArray | None = None  # (n_sites,) least expected share of the open slots
    share_hi: FloatArray | None = None  # (n_sites,) largest expected share; None: no bound

    def __post_init__(self) -> None:
        _validate(self)

    # --- shapes -----------------------------------------------------------------------------

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_slots(self) -> int:
        return len(self.slot_names)

    @property
    def n_targets(self) -> int:
        return self.n_sites * self.n_slots

    @property
    def n_types(self) -> int:
        return len(self.type_names)

    def target_name(self, t: int) -> str:
        i, s = divmod(int(t), self.n_slots)
        return f"site {self.site_ids[i]!r} slot {self.slot_names[s]}"

    def slot_of(self) -> IntArray:
        return np.tile(np.arange(self.n_slots, dtype=np.int64), self.n_sites)

    def site_of(self) -> IntArray:
        return np.repeat(np.arange(self.n_sites, dtype=np.int64), self.n_slots)

    # --- utilities --------------------------------------------------------------------------

    def is_active(self) -> BoolArray:
        """(n,) targets the attacker may choose (a night-only site by day is none)."""
        if self.active is None:
            return np.ones(self.n_targets, dtype=np.bool_)
        return self.active

    def attacker_utility(self, c: FloatArray) -> FloatArray:
        """(K, n): each type's expected payoff for attacking each target under coverage c."""
        return self.att_uncovered + (self.att_covered - self.att_uncovered) * c[None, :]

    def defender_utility(self, c: FloatArray) -> FloatArray:
        """(K, n): the defender's expected payoff when type k attacks target t."""
        return self.def_uncovered + (self.def_covered - self.def_uncovered) * c[None, :]

    def open_slots(self) -> FloatArray:
        """(n_sites,) how many slots each site may be checked in (``hi > 0``)."""
        return np.asarray((self.hi.reshape(self.n_sites, self.n_slots) > 0).sum(axis=1),
                          dtype=np.float64)

    def share_bounds(self) -> tuple[FloatArray, FloatArray]:
        """(least, largest) sum over its slots of each site's coverage, from the shares."""
        m = self.open_slots()
        lo = np.zeros(self.n_sites) if self.share_lo is None else self.share_lo * m
        hi = m.copy() if self.share_hi is None else self.share_hi * m
        return lo, hi

    def binding_moves(self) -> BoolArray:
        """(n_slots - 1,): transitions where the travel rule forbids some move between sites
        that can be checked in those slots (transitions without it need no flow model)."""
        out = np.zeros(max(self.n_slots - 1, 0), dtype=np.bool_)
        if self.moves is None:
            return out
        hi = self.hi.reshape(self.n_sites, self.n_slots) > 0
        for s in range(self.n_slots - 1):
            a = hi[:, s]
            b = hi[:, s + 1]
            out[s] = bool(np.any(~self.moves[s][np.ix_(a, b)]))
        return out

    def infeasibility(self, c: FloatArray, tol: float = 1e-7) -> list[str]:
        """Every way coverage ``c`` breaks the bounds or the team counts (the travel rule is
        checked by the solvers' flow model and by the sampler, not here)."""
        out: list[str] = []
        if c.shape != (self.n_targets,):
            return [f"coverage has shape {c.shape}, expected ({self.n_targets},)"]
        bad = np.flatnonzero((c < self.lo - tol) | (c > self.hi + tol))
        for t in bad[:5]:
            out.append(f"{self.target_name(int(t))}: coverage {c[t]:.6g} outside "
                       f"[{self.lo[t]:.6g}, {self.hi[t]:.6g}]")
        per_slot = c.reshape(self.n_sites, self.n_slots).sum(axis=0)
        for s in np.flatnonzero(per_slot > self.teams + tol)[:5]:
            out.append(f"slot {self.slot_names[s]}: coverage sums to {per_slot[s]:.6g} > "
                       f"{int(self.teams[s])} teams")
        per_site = c.reshape(self.n_sites, self.n_slots).sum(axis=1)
        lo, hi = self.share_bounds()
        for i in np.flatnonzero((per_site < lo - tol * self.n_slots)
                                | (per_site > hi + tol * self.n_slots))[:5]:
            out.append(f"site {self.site_ids[i]!r}: checked in {per_site[i]:.6g} of its "
                       f"{int(self.open_slots()[i])} slots, outside the staffing shares "
                       f"[{lo[i]:.6g}, {hi[i]:.6g}]")
        return out


def _validate(g: SecurityGame) -> None:
    n_sites, n_slots, k = len(g.site_ids), len(g.slot_names), len(g.type_names)
    if n_sites == 0:
        raise GameError("sites: the game needs at least one checkpoint site")
    if n_slots == 0:
        raise GameError("slots: the game needs at least one slot")
    if k == 0:
        raise GameError("types: the game needs at least one attacker type")
    for what, ids in (("sites", g.site_ids), ("slots", g.slot_names), ("types", g.type_names)):
        seen: set[str] = set()
        for x in ids:
            if x in seen:
                raise GameError(f"{what}: {x!r} appears twice (ids must be unique)")
            seen.add(x)
    n = n_sites * n_slots
    for name in ("def_covered", "def_uncovered", "att_covered", "att_uncovered"):
        arr = getattr(g, name)
        if not isinstance(arr, np.ndarray) or arr.shape != (k, n):
            shape = getattr(arr, "shape", None)
            raise GameError(f"{name}: expected shape ({k} types, {n} targets), got {shape}")
        if not np.all(np.isfinite(arr)):
            t = int(np.flatnonzero(~np.isfinite(arr).all(axis=0))[0])
            raise GameError(f"{name}: payoff of {g.target_name(t)} is not a finite number")
    p = np.asarray(g.prob, dtype=np.float64)
    if p.shape != (k,):
        raise GameError(f"prob: expected {k} type probabilities, got shape {p.shape}")
    if np.any(~np.isfinite(p)) or np.any(p < 0):
        kk = int(np.flatnonzero(~np.isfinite(p) | (p < 0))[0])
        raise GameError(f"prob: type {g.type_names[kk]!r} has probability {float(p[kk])!r}; "
                        "probabilities must be non-negative numbers")
    if abs(float(p.sum()) - 1.0) > PROB_TOL:
        raise GameError(f"prob: attacker type probabilities sum to {float(p.sum()):.9g}, "
                        "not 1 (rule: the types' probabilities must sum to one)")
    for kk in range(k):
        for what, bad in (
            ("the defender must gain from checking (def_covered > def_uncovered)",
             g.def_covered[kk] <= g.def_uncovered[kk]),
            ("the attacker must lose from being checked (att_covered < att_uncovered)",
             g.att_covered[kk] >= g.att_uncovered[kk]),
        ):
            if np.any(bad):
                t = int(np.flatnonzero(bad)[0])
                raise GameError(
                    f"degenerate payoffs: type {g.type_names[kk]!r}, {g.target_name(t)}: {what}"
                    f" ({int(bad.sum())} target(s) break it)")
    teams = np.asarray(g.teams)
    if teams.shape != (n_slots,):
        raise GameError(f"teams: expected one count per slot ({n_slots}), got {teams.shape}")
    if np.any(teams < 0):
        s = int(np.flatnonzero(teams < 0)[0])
        raise GameError(f"teams: slot {g.slot_names[s]} has {int(teams[s])} teams; "
                        "the count must not be negative")
    for name in ("lo", "hi"):
        arr = getattr(g, name)
        if arr.shape != (n,):
            raise GameError(f"{name}: expected {n} coverage bounds, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
            t = int(np.flatnonzero(~np.isfinite(arr) | (arr < 0) | (arr > 1))[0])
            raise GameError(f"{name}: bound of {g.target_name(t)} is {float(arr[t])!r}; coverage "
                            "bounds are shares between 0 and 1")
    bad = np.flatnonzero(g.lo > g.hi + PROB_TOL)
    if bad.size:
        t = int(bad[0])
        raise GameError(f"staffing: {g.target_name(t)} needs at least {g.lo[t]:.4g} but at most "
                        f"{g.hi[t]:.4g} (a night-only site outside night hours, or min > max)")
    lo = g.lo.reshape(n_sites, n_slots)
    hi = g.hi.reshape(n_sites, n_slots)
    open_sites = (hi > 0).sum(axis=0)
    for s in range(n_slots):
        if int(teams[s]) > int(open_sites[s]):
            raise GameError(
                f"teams: slot {g.slot_names[s]} has {int(teams[s])} teams but only "
                f"{int(open_sites[s])} site(s) can be checked then (more teams than targets)")
        need = float(lo[:, s].sum())
        if need > teams[s] + PROB_TOL:
            raise GameError(
                f"staffing: slot {g.slot_names[s]} needs {need:.4g} teams by the sites' minimum "
                f"staffing but has {int(teams[s])} (infeasible: more minimum staffing than teams)")
    for name in ("share_lo", "share_hi"):
        arr = getattr(g, name)
        if arr is None:
            continue
        if not isinstance(arr, np.ndarray) or arr.shape != (n_sites,):
            raise GameError(f"{name}: expected one share per site ({n_sites}), got shape "
                            f"{getattr(arr, 'shape', None)}")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
            i = int(np.flatnonzero(~np.isfinite(arr) | (arr < 0) | (arr > 1))[0])
            raise GameError(f"{name}: site {g.site_ids[i]!r} has {float(arr[i])!r}; staffing "
                            "shares are between 0 and 1")
    if g.share_lo is not None:
        if g.share_hi is not None and np.any(g.share_lo > g.share_hi + PROB_TOL):
            i = int(np.flatnonzero(g.share_lo > g.share_hi + PROB_TOL)[0])
            raise GameError(f"staffing: site {g.site_ids[i]!r} needs at least "
                            f"{g.share_lo[i]:.4g} of its slots but at most "
                            f"{g.share_hi[i]:.4g} (min > max)")
        _check_slot_groups(g, hi > 0, teams)
        need = float((g.share_lo * (hi > 0).sum(axis=1)).sum())
        have = float(teams.sum())
        if need > have + PROB_TOL:
            raise GameError(
                f"staffing: the sites' minimum staffing needs {need:.4g} team-slots but the "
                f"teams give {have:.4g} (infeasible: more minimum staffing than teams)")
    if g.active is not None:
        if g.active.shape != (n,):
            raise GameError(f"active: expected {n} flags, got shape {g.active.shape}")
        if not g.active.any():
            raise GameError("active: no target the attacker may choose (degenerate game)")
    if g.moves is not None and g.moves.shape != (max(n_slots - 1, 0), n_sites, n_sites):
        raise GameError(f"moves: expected shape ({n_slots - 1}, {n_sites}, {n_sites}), got "
                        f"{g.moves.shape}")


def _slot_list(names: Sequence[str], slots: np.ndarray) -> str:
    """The chosen slots as runs of consecutive ones: '00:00–06:00, 22:00–23:00 (9 slots)'."""
    idx = np.flatnonzero(slots).tolist()
    text = ", ".join(names[a] if a == b else f"{names[a]}–{names[b]}"
                     for a, b in index_runs(idx))
    return f"{text} ({len(idx)} slot(s))"


def _check_slot_groups(g: SecurityGame, open_: np.ndarray, teams: np.ndarray) -> None:
    """Minimum staffing against the teams of the slots where the sites can be checked.

    The total check alone passes games that no schedule keeps: night-only sites can only be
    checked in the night slots, so their minimum shares must fit the teams on duty then (a
    review: NCP1 and NCP2 at min 1 with one team need 16 team-slots in the 8 night slots where
    the team gives 8, and the solver said only that the constraints contradict each other).
    For each site's set of open slots, the sites open only within it need at least
    Σ share_lo · open slots there, and those slots give at most Σ_s min(teams, such sites open).
    """
    assert g.share_lo is not None
    need_site = g.share_lo * open_.sum(axis=1)
    for pattern in np.unique(open_, axis=0):
        inside = np.flatnonzero((open_ <= pattern[None, :]).all(axis=1) & (need_site > 0))
        if inside.size == 0:
            continue
        need = float(need_site[inside].sum())
        give = float(np.minimum(teams, open_[inside].sum(axis=0))[pattern].sum())
        if need > give + PROB_TOL:
            sites = ", ".join(repr(g.site_ids[i]) for i in inside.tolist())
            raise GameError(
                f"staffing: site(s) {sites} can be checked only in "
                f"{_slot_list(g.slot_names, pattern)}; their minimum staffing needs {need:.4g} "
                f"team-slots there but the teams on duty give at most {give:.4g} (infeasible: "
                "more minimum staffing than teams in those slots; lower --min-staffing or add "
                "teams)")


def make_game(
    site_ids: Sequence[str],
    slot_names: Sequence[str],
    *,
    att_uncovered: object,
    att_covered: object,
    def_uncovered: object,
    def_covered: object,
    teams: int | Sequence[int],
    type_names: Sequence[str] = ("attacker",),
    prob: Sequence[float] | FloatArray | None = None,
    lo: object = 0.0,
    hi: object = 1.0,
    moves: BoolArray | None = None,
    active: BoolArray | None = None,
    share_lo: object = None,
    share_hi: object = None,
) -> SecurityGame:
    """Build a game from arrays shaped (K, n_sites, n_slots), (n_sites, n_slots) or (n,) —
    a payoff without a type axis applies to every type; a scalar applies everywhere.

    ``teams`` is one count or one per slot; ``prob`` defaults to one type with probability 1.
    ``share_lo`` / ``share_hi`` (a scalar or one per site, None: none) bound the expected
    share of each site's slots in which it is checked (see the module doc).
    """
    n_sites, n_slots, k = len(site_ids), len(slot_names), len(type_names)
    n = n_sites * n_slots

    def payoff(name: str, value: object) -> FloatArray:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise GameError(f"{name}: not numbers ({exc})") from None
        if arr.shape == (k, n_sites, n_slots):
            return np.ascontiguousarray(arr.reshape(k, n))
        if arr.shape in ((), (n,), (n_sites, n_slots)):
            return np.ascontiguousarray(np.broadcast_to(arr.reshape(-1) if arr.ndim else arr,
                                                        (k, n)))
        if arr.shape == (k, n):
            return np.ascontiguousarray(arr)
        raise GameError(f"{name}: shape {arr.shape} does not fit {k} types × {n_sites} "
                        f"sites × {n_slots} slots")

    def share(name: str, value: object) -> FloatArray | None:
        if value is None:
            return None
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape in ((), (n_sites,)):
            return np.ascontiguousarray(np.broadcast_to(arr, (n_sites,)))
        raise GameError(f"{name}: shape {arr.shape} does not fit {n_sites} sites")

    def bound(name: str, value: object) -> FloatArray:
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape in ((), (n,), (n_sites, n_slots)):
            return np.ascontiguousarray(np.broadcast_to(arr.reshape(-1) if arr.ndim else arr,
                                                        (n,)))
        raise GameError(f"{name}: shape {arr.shape} does not fit {n_sites} sites × "
                        f"{n_slots} slots")

    if isinstance(teams, int | np.integer):
        t_arr = np.full(n_slots, int(teams), dtype=np.int64)
    else:
        t_list = list(teams)
        if any(not isinstance(x, int | np.integer) or isinstance(x, bool) for x in t_list):
            raise GameError(f"teams: counts must be whole numbers, got {t_list[:5]!r}")
        t_arr = np.asarray(t_list, dtype=np.int64)
    p = np.full(k, 1.0 / k) if prob is None and k == 1 else np.asarray(prob, dtype=np.float64)
    if prob is None and k > 1:
        raise GameError("prob: give a probability for each attacker type")
    return SecurityGame(
        site_ids=tuple(site_ids), slot_names=tuple(slot_names), type_names=tuple(type_names),
        prob=p,
        def_covered=payoff("def_covered", def_covered),
        def_uncovered=payoff("def_uncovered", def_uncovered),
        att_covered=payoff("att_covered", att_covered),
        att_uncovered=payoff("att_uncovered", att_uncovered),
        teams=t_arr, lo=bound("lo", lo), hi=bound("hi", hi), moves=moves,
        active=None if active is None else np.ascontiguousarray(np.broadcast_to(
            np.asarray(active, dtype=np.bool_).reshape(-1), (n,))),
        share_lo=share("share_lo", share_lo), share_hi=share("share_hi", share_hi),
    )


def entropy_bits(p: FloatArray) -> float:
    """Shannon entropy in bits of a probability vector (zeros ignored)."""
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum()) if q.size else 0.0


def binary_entropy_bits(c: FloatArray) -> float:
    """Σ_t H(c_t): an upper bound on the entropy of any schedule with marginals c."""
    q = np.clip(c, 0.0, 1.0)
    inner = (q > 0) & (q < 1)
    x = q[inner]
    return float(-(x * np.log2(x) + (1 - x) * np.log2(1 - x)).sum()) if x.size else 0.0


def is_close(a: float, b: float, tol: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
