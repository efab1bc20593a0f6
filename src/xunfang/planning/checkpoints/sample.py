"""From marginal coverage to concrete daily schedules (seeded).

**Comb sampling** (systematic sampling, as in ARMOR's successors): in each slot the sites are
laid end to end in a random order, each as an interval as long as its coverage ``c[i, s]``, and
a comb with teeth one apart and a random offset ``u`` in [0, 1) picks the sites its teeth fall
in. Every site is picked with probability exactly ``c[i, s]`` (no interval is longer than 1,
so at most one tooth falls in it) and exactly ⌊Σc⌋ or ⌈Σc⌉ ≤ ``teams[s]`` sites are picked.
Slots are sampled independently, so one day's schedule has probability the product over slots.

**Stratified** over many days: days are cut into groups of ``group`` days; within a group each
slot keeps one random order and the offsets of its days are stratified — one in each of the
intervals [d/G, (d+1)/G), in a random order of the days. A site's interval (at most two pieces
once wrapped round) then holds within ±2 of c·G of the group's offsets, so over N days every
target's empirical coverage lies within 2·⌈N/G⌉/N of its marginal (0.2 percentage points for
10,000 days in groups of 1,000), while each day stays an exact draw from the comb's law.

**Teams**: the sites picked in a slot get teams by a minimum-travel assignment (scipy's
``linear_sum_assignment``) from where the teams stood in the previous slot; a team not at a
site (newly on duty, or idle) may take any site, and at a shift change every team starts fresh.
A move the travel rule forbids is never made: where no assignment avoids one, the day is
reported as breaking the rule (:class:`TravelError`) — which cannot happen when the rule does
not bind (see :meth:`SecurityGame.binding_moves`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from xunfang.planning.checkpoints.game import GameError, SecurityGame
from xunfang.scenario.model import BoolArray, FloatArray


class TravelError(GameError):
    """A sampled day asks a team for a move the travel rule forbids."""


def comb_sample(
    g: SecurityGame,
    coverage: FloatArray,
    n_days: int,
    *,
    seed: int,
    stratified: bool = True,
    group: int = 1000,
) -> BoolArray:
    """(n_days, n_sites, n_slots): which sites are checked in each slot of each sampled day."""
    if n_days < 1:
        raise GameError(f"days: at least one day must be sampled, got {n_days}")
    if group < 1:
        raise GameError(f"group: must be at least 1, got {group}")
    c = np.clip(np.asarray(coverage, dtype=np.float64), 0.0, 1.0).reshape(g.n_sites, g.n_slots)
    rng = np.random.default_rng(seed)
    out = np.zeros((n_days, g.n_sites, g.n_slots), dtype=np.bool_)
    for s in range(g.n_slots):
        col = c[:, s]
        start = 0
        while start < n_days:
            size = min(group, n_days) if stratified else 1
            size = min(size, n_days - start)
            order = rng.permutation(g.n_sites)
            edges = np.concatenate([[0.0], np.cumsum(col[order])])
            if stratified:
                u = (rng.permutation(size) + rng.random(size)) / size
            else:
                u = rng.random(size)
            # site order[k] is picked when a tooth u + j falls in [edges[k], edges[k+1])
            teeth = np.floor(edges[None, :] - u[:, None])
            picked = np.diff(teeth, axis=1) > 0
            out[start:start + size, order, s] = picked
            start += size
    return out


@dataclass(frozen=True)
class Visit:
    """One team checking one site in one slot of a sampled day."""

    day: int
    slot: int  # index into the game's slots
    site: int  # index into the game's sites
    team: int  # index into the team names


def assign_teams(
    g: SecurityGame,
    checked: BoolArray,
    *,
    seed: int,
    minutes: FloatArray | None = None,
    fresh: Sequence[bool] | None = None,
) -> list[list[Visit]]:
    """Teams for the sampled sites of each day (see the module doc).

    ``minutes[s, i, j]`` is the travel time from site i in slot s to site j in slot s + 1 (the
    cost minimised; default 0 for every allowed move), ``fresh[s]`` says that slot s starts a
    new shift (no team carries over into it).
    """
    rng = np.random.default_rng(seed)
    n_days = checked.shape[0]
    t_max = int(g.teams.max()) if g.n_slots else 0
    allowed = g.moves
    days: list[list[Visit]] = []
    for d in range(n_days):
        visits: list[Visit] = []
        where = np.full(t_max, -1, dtype=np.int64)  # site of each team, -1 none
        for s in range(g.n_slots):
            sites = np.flatnonzero(checked[d, :, s])
            on_duty = int(g.teams[s])
            if sites.size > on_duty:
                raise GameError(f"slot {g.slot_names[s]}: {sites.size} sites picked for "
                                f"{on_duty} teams")
            new_shift = s == 0 or (fresh is not None and fresh[s])
            if new_shift:
                where[:] = -1
            where[on_duty:] = -1  # teams going off duty leave their site
            teams = rng.permutation(on_duty)
            cost = np.zeros((on_duty, sites.size))
            bad = np.zeros((on_duty, sites.size), dtype=np.bool_)
            if not new_shift and s > 0:
                prev = where[teams]
                at = prev >= 0
                if at.any() and sites.size:
                    if minutes is not None:
                        cost[at] = minutes[s - 1][np.ix_(prev[at], sites)]
                    if allowed is not None:
                        bad[at] = ~allowed[s - 1][np.ix_(prev[at], sites)]
            cost = np.where(bad | ~np.isfinite(cost), 1e9, cost)
            rows, cols = linear_sum_assignment(cost)
            if np.any(bad[rows, cols]):
                r = int(rows[np.argmax(bad[rows, cols])])
                raise TravelError(
                    f"day {d}, slot {g.slot_names[s]}: no team can reach every picked site "
                    f"(team at {g.site_ids[int(where[teams[r]])]!r} would have to move too far)")
            where[:on_duty] = -1
            for r, k in zip(rows.tolist(), cols.tolist(), strict=True):
                team = int(teams[r])
                where[team] = int(sites[k])
                visits.append(Visit(day=d, slot=s, site=int(sites[k]), team=team))
        days.append(visits)
    return days


def day_keys(checked: BoolArray) -> list[bytes]:
    """One hashable key per sampled day (its checked sites), for counting distinct days."""
    flat = np.ascontiguousarray(checked.reshape(checked.shape[0], -1))
    return [bytes(np.packbits(row)) for row in flat]


def slot_entropy_bits(checked: BoolArray) -> float:
    """Σ over slots of the plug-in entropy (bits) of the sampled set of sites in that slot —
    the schedule's entropy when slots are sampled independently, as comb sampling does."""
    total = 0.0
    n = checked.shape[0]
    for s in range(checked.shape[2]):
        keys = np.packbits(checked[:, :, s], axis=1)
        _, counts = np.unique(keys, axis=0, return_counts=True)
        p = counts / n
        total += float(-(p * np.log2(p)).sum())
    return total


def empirical(checked: BoolArray) -> FloatArray:
    """Share of sampled days on which each target was checked (site-major, like coverage)."""
    return np.asarray(checked.mean(axis=0).reshape(-1), dtype=np.float64)
