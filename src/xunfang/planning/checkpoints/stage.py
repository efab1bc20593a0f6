"""The checkpoint stage: from a scenario to a solved game and sampled daily schedules.

Payoffs derived from the scenario (when no payoff table is given), for attacker type k (an
incident category; the ``max_types - 1`` most frequent ones and the rest as ``其他``), site i
and slot s:

* type probabilities: each type's share of the incidents on record;
* risk ``r[k, i, s]``: type-k incidents on record within ``radius_m`` of the site in the slot's
  hours of the day (each clock hour by the share of it the slot holds), plus a prior of p_k
  (so a quiet target is not worthless); with a ``risk`` array (site × slot, e.g. a forecast)
  instead ``risk[i, s] · q_k(i) / p_k``, q_k(i) being the (smoothed) share of type k near the
  site;
* attractiveness ``a_i``: the post's ``attractiveness`` column in posts.csv, default 1;
* attacker: ``att_uncovered = 10 · a_i · r / max(a · r)`` (per type), ``att_covered = −penalty``
  (caught at the checkpoint; default 5);
* defender: ``def_uncovered = −severity_k · att_uncovered`` with severity 4 − the category's
  mean priority (priority 1 = urgent), ``def_covered = 0``.

Constraints from the scenario: a ``night_only`` post is closed (and no target) outside the
policy's night hours (open in a slot that overlaps one, its payoffs from those hours only);
in a slot with fewer open sites than teams the spare teams stand down (reported as reserve,
:attr:`CheckpointPlan.reserve`) rather than the plan failing;
``min_staffing`` / ``max_staffing`` bound the expected share of a site's (open) slots in which
it is checked — in expectation over the random days, not on every day: a sampled day may check
a site in fewer slots than its minimum share (or more than its maximum); with
``changeover_minutes`` a team may move between consecutive slots of one shift only to a site it
reaches in that time (by ``mode``, at the hour's speeds); at a shift start
(``policy.shift_starts``) teams start fresh.

Solving: ``auto`` is the ORIGAMI-style LP for one attacker type and DOBSS for several; a game
of identical whole days (no forecast that differs by day) is solved as one day and repeated
(:func:`solve_by_day`). Sampling: comb sampling where the travel rule does not bind; where it
does, a Markov chain on the flow for one team and the flow sampler (whole days from an exact
decomposition) for several. Each sampled day is drawn independently from its own random
stream, derived from the seed and the day's date (:func:`~.sample.day_streams`), so the same
seed gives different schedules on different dates and a date's schedule does not depend on how
many days are sampled or from which date. The entropy reported is the sum over slots of the
entropy of the checked set (comb; from 2,000 independent days) or the exact entropy of the
chain or the decomposition.

Baselines: *uniform* spreads each slot's teams evenly over the sites open then; *fixed* always
checks the ``teams[s]`` sites with the highest expected attacker reward (a habit an observer
learns). Each is scored by the attacker's best expected payoff against it (types weighted).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from xunfang import network
from xunfang._errors import Problem, ScenarioError
from xunfang.network import RoadNetwork
from xunfang.plan import Slot, handovers
from xunfang.planning.checkpoints.game import (
    GameError,
    SecurityGame,
    binary_entropy_bits,
    make_game,
)
from xunfang.planning.checkpoints.sample import (
    SITES,
    TEAMS,
    Visit,
    assign_teams,
    comb_sample,
    day_streams,
    flow_decompose,
    flow_sample,
    markov_sample,
    slot_entropy_bits,
    slot_max_probability,
)
from xunfang.planning.checkpoints.solvers import (
    Solution,
    SSECheck,
    attacker_best,
    check_sse,
    solve,
    spread,
)
from xunfang.planning.places import place_nodes
from xunfang.scenario.model import BoolArray, FloatArray, Mode, Post, Scenario
from xunfang.scenario.record import hour_unknown

OTHER = "其他"
PAYOFF_COLUMNS = ("type", "probability", "site", "att_covered", "att_uncovered", "def_covered",
                  "def_uncovered")


@dataclass(frozen=True, eq=False)
class Payoffs:
    """Attacker types, their probabilities and the four payoff arrays, (K, n_sites, n_slots)."""

    type_names: tuple[str, ...]
    prob: FloatArray
    att_covered: FloatArray
    att_uncovered: FloatArray
    def_covered: FloatArray
    def_uncovered: FloatArray


@dataclass(frozen=True)
class Baseline:
    attacker_value: float
    defender_value: float


@dataclass(frozen=True)
class CheckpointVisit:
    """One team at one checkpoint site in one slot of a sampled day (ids and names)."""

    day: int
    site: str
    slot: str  # ISO start of the slot on that day
    slot_index: int  # the ``Slot.index`` of the slot given to :func:`plan_checkpoints`
    team: str


@dataclass(frozen=True)
class ReserveTeam:
    """A team on duty that stands down in a slot of a sampled day: fewer sites are open then
    (night-only sites by day) than teams are on duty."""

    day: int
    slot: str  # ISO start of the slot on that day
    slot_index: int
    team: str


@dataclass(frozen=True)
class FreeTeam:
    """A team on duty in a slot of a sampled day that no check was drawn for: the slot's
    coverage totals ``expected_checks`` < ``teams`` (the equilibrium leaves team-hours free and
    the plan's posture places the team), and this day's draw fell in that remainder."""

    day: int
    slot: str  # ISO start of the slot on that day
    slot_index: int
    team: str
    expected_checks: float  # Σ of the slot's coverage: the checks it has in expectation
    teams: int  # the teams on duty the game schedules in the slot

    @property
    def reason(self) -> str:
        return (f"no check drawn: the schedule checks {self.expected_checks:.2f} site(s) in "
                f"this slot in expectation with {self.teams} team(s), and this day's draw "
                "left the team free")


@dataclass(frozen=True)
class UnmannedTeam:
    """A checkpoint team that cannot set up a check in a slot of a sampled day, and why: no
    sworn officer (民警) on duty to lead it — auxiliaries may not stop and check alone — or
    no crew on duty at all. The game schedules no check for it there, so the schedule holds
    only checks the plan can man (a review: 85 of a week's 130 checks were listed as "not
    manned: no sworn officer" while the report showed them scheduled)."""

    day: int
    slot: str  # ISO start of the slot on that day
    slot_index: int
    team: str
    reason: str


@dataclass(frozen=True)
class ScheduleTable:
    """A plain table for the report: one row per visit, in time order."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, eq=False)
class CheckpointPlan:
    """The solved game, its SSE check, the sampled schedules and the baselines."""

    game: SecurityGame
    solution: Solution
    check: SSECheck
    slots: tuple[Slot, ...]
    site_names: tuple[str, ...]
    team_names: tuple[str, ...]
    days: tuple[tuple[CheckpointVisit, ...], ...]
    baselines: Mapping[str, Baseline]
    entropy_bits: float  # Σ over slots of the entropy of the slot's checked set
    entropy_bound_bits: float  # Σ_t H(c_t), the most any schedule with these marginals has
    seed: int
    sampler: str = "comb"  # "comb"; where the travel rule binds "markov" (1 team) or "flow"
    max_schedule_probability: float = 1.0  # of the likeliest day (estimated for comb)
    notes: tuple[str, ...] = field(default=())
    reserve: tuple[tuple[ReserveTeam, ...], ...] = field(default=())  # per day, slot order
    free: tuple[tuple[FreeTeam, ...], ...] = field(default=())  # per day, slot order
    unmanned: tuple[tuple[UnmannedTeam, ...], ...] = field(default=())  # per day, slot order
    # per date of the slots: expected checks, the largest coverage and how predictable the
    # date's schedule is (entropy, the likeliest schedule's probability)
    by_date: tuple[Mapping[str, object], ...] = field(default=())

    @property
    def defender_value(self) -> float:
        return self.solution.defender_value

    @property
    def attacker_value(self) -> float:
        return self.solution.attacker_value(self.game.prob)

    def marginals(self) -> list[dict[str, object]]:
        g = self.game
        c = self.solution.coverage.reshape(g.n_sites, g.n_slots)
        return [{"site": g.site_ids[i], "slot": g.slot_names[s], "coverage": round(float(c[i, s]),
                                                                                   6)}
                for s in range(g.n_slots) for i in range(g.n_sites)]

    def as_json(self) -> dict[str, object]:
        """The shape of ``xunfang checkpoints --json``."""
        return {
            "marginals": self.marginals(),
            "defender_value": round(self.defender_value, 6),
            "attacker_value": round(self.attacker_value, 6),
            "schedules": [[{"site": v.site, "slot": v.slot, "team": v.team} for v in day]
                          for day in self.days],
            "baselines": {name: {"attacker_value": round(b.attacker_value, 6)}
                          for name, b in self.baselines.items()},
            "reserve": [[{"slot": r.slot, "team": r.team} for r in day]
                        for day in self.reserve],
            "free": [[_free_json(f) for f in day] for day in self.free],
            "unmanned": [[_unmanned_json(u) for u in day] for day in self.unmanned],
        }

    def summary(self) -> dict[str, object]:
        """What plan.json and the report need besides the schedules."""
        g = self.game
        return {
            "method": self.solution.method,
            "sampler": self.sampler,
            "seed": self.seed,
            "sites": list(g.site_ids),
            "types": [{"type": t, "probability": round(float(p), 6)}
                      for t, p in zip(g.type_names, g.prob, strict=True)],
            "teams_per_slot": [int(x) for x in g.teams],
            "defender_value": round(self.defender_value, 6),
            "attacker_value": round(self.attacker_value, 6),
            "bound": round(self.solution.bound, 6),
            "sse_ok": self.check.ok,
            "sse_problems": list(self.check.problems),
            "proven_optimal": self.solution.proven,
            "sse_optimality": self.check.optimality,
            "programs": self.solution.programs,
            "solve_seconds": round(self.solution.seconds, 3),
            "entropy_bits": round(self.entropy_bits, 3),
            "entropy_bound_bits": round(self.entropy_bound_bits, 3),
            "max_schedule_probability": self.max_schedule_probability,
            "baselines": {name: {"attacker_value": round(b.attacker_value, 6),
                                 "defender_value": round(b.defender_value, 6)}
                          for name, b in self.baselines.items()},
            "notes": list(self.notes),
            # the first sampled day's teams standing down (no open site for them)
            "reserve": [{"slot": r.slot, "team": r.team}
                        for r in (self.reserve[0] if self.reserve else ())],
            # the first sampled day's teams on duty with no check drawn, and why
            "free": [_free_json(f) for f in (self.free[0] if self.free else ())],
            # the first sampled day's teams that cannot check for want of a sworn officer
            "unmanned": [_unmanned_json(u) for u in (self.unmanned[0] if self.unmanned
                                                     else ())],
            "by_date": [dict(x) for x in self.by_date],
        }

    def table(self, day: int = 0) -> ScheduleTable:
        """The day's schedule for the report: slot, site id, site name, team; a team standing
        down in a slot has an empty site and the site name ``(reserve: no site open)``, a team
        no check was drawn for ``(free: no check drawn)``, a team that cannot check
        ``(unmanned: …)`` with its reason."""
        names = dict(zip(self.game.site_ids, self.site_names, strict=True))
        rows = [(v.slot, v.site, names[v.site], v.team) for v in self.days[day]]
        if self.reserve:
            rows += [(r.slot, "", "(reserve: no site open)", r.team) for r in self.reserve[day]]
        if self.free:
            rows += [(f.slot, "", "(free: no check drawn)", f.team) for f in self.free[day]]
        if self.unmanned:
            rows += [(u.slot, "", f"(unmanned: {u.reason})", u.team)
                     for u in self.unmanned[day]]
        rows.sort(key=lambda r: r[0])  # stable: sites, then the reserve, within a slot
        return ScheduleTable(columns=("slot", "site", "site_name", "team"), rows=tuple(rows))


def _free_json(f: FreeTeam) -> dict[str, object]:
    return {"slot": f.slot, "team": f.team, "expected_checks": round(f.expected_checks, 6),
            "reason": f.reason}


def _unmanned_json(u: UnmannedTeam) -> dict[str, object]:
    return {"slot": u.slot, "team": u.team, "reason": u.reason}


# --- inputs -------------------------------------------------------------------------------------


def checkpoint_sites(scenario: Scenario, sites: Sequence[str] | None = None) -> tuple[Post, ...]:
    """The posts the game covers: every ``checkpoint`` post, or the given ids (checkpoint or
    exit posts — an exit is a road into town where a checkpoint may be set up)."""
    if sites is None:
        posts = scenario.posts_of("checkpoint")
        if not posts:
            raise GameError(f"scenario {scenario.name!r}: posts.csv has no post of kind "
                            "'checkpoint'; give the sites to cover")
        return posts
    by_id = {p.id: p for p in scenario.posts}
    out = []
    for sid in sites:
        p = by_id.get(sid)
        if p is None:
            raise GameError(f"sites: {sid!r} is not a post id of scenario {scenario.name!r}")
        if p.kind not in ("checkpoint", "exit"):
            raise GameError(f"sites: post {sid!r} is a {p.kind!r} post; checkpoints are set up "
                            "at checkpoint or exit posts")
        out.append(p)
    seen: set[str] = set()
    for p in out:
        if p.id in seen:
            raise GameError(f"sites: {p.id!r} is given twice (each site once)")
        seen.add(p.id)
    if not out:
        raise GameError("sites: no site given")
    return tuple(out)


def _attractiveness(posts: Sequence[Post], all_posts: Sequence[Post] = ()) -> FloatArray:
    """Each post's ``attractiveness`` (default 1). Errors name posts.csv's row — the post's
    place in ``all_posts`` (the scenario's posts, in file order) — the column and the rule."""
    rows = {p.id: n for n, p in enumerate(all_posts, start=1)}
    out = np.ones(len(posts))
    for i, p in enumerate(posts):
        raw = p.extra.get("attractiveness")
        if raw is None or str(raw).strip() == "":
            continue
        where = (f"posts.csv row {rows[p.id]} (post {p.id!r})" if p.id in rows
                 else f"posts.csv: post {p.id!r}")
        try:
            out[i] = float(str(raw))
        except ValueError:
            raise GameError(f"{where}, column 'attractiveness': {raw!r} is not a number (rule: "
                            "a positive number, default 1)") from None
        if not math.isfinite(out[i]) or out[i] <= 0:
            raise GameError(f"{where}, column 'attractiveness': {raw!r} breaks the rule: a "
                            "positive finite number (default 1)")
    return out


def _open(posts: Sequence[Post], slots: Sequence[Slot], scenario: Scenario) -> BoolArray:
    """(posts, slots): whether each post is open in each slot: a night-only one when the
    slot overlaps a night hour (``policy.night_hours``), as the posture's crowd rule takes
    any hour the slot holds (a 3-hour slot from 18:00 holds 20:00, a night hour of the
    default policy: by its start hour alone the night checkpoint stayed closed until
    21:00); every other one always."""
    night = set(scenario.policy.night_hours)
    at_night = [any(h in night for h in slot.clock_hours) for slot in slots]
    return np.array([[not p.night_only or n for n in at_night] for p in posts],
                    dtype=np.bool_).reshape(len(posts), len(slots))


def derive_payoffs(
    scenario: Scenario,
    posts: Sequence[Post],
    slots: Sequence[Slot],
    *,
    risk: FloatArray | None = None,
    radius_m: float = 500.0,
    max_types: int = 3,
    penalty: float = 5.0,
) -> Payoffs:
    """Payoffs from the incident history, risk and attractiveness (see the module doc)."""
    if max_types < 1:
        raise GameError(f"max_types: at least 1, got {max_types}")
    if not (radius_m > 0 and math.isfinite(radius_m)):
        raise GameError(f"radius_m: must be a positive number, got {radius_m!r}")
    if not (penalty > 0 and math.isfinite(penalty)):
        raise GameError(f"penalty: must be a positive number, got {penalty!r}")
    n_sites, n_slots = len(posts), len(slots)
    inc = scenario.incidents
    cats = np.asarray(inc.category, dtype=object)
    names, counts = (np.unique(cats, return_counts=True) if len(inc)
                     else (np.array([], dtype=object), np.array([], dtype=np.int64)))
    order = np.argsort(-counts, kind="stable")
    names, counts = names[order], counts[order]
    if len(names) == 0:
        types: list[str] = ["attacker"]
        type_of = np.zeros(0, dtype=np.int64)
    elif len(names) <= max_types:
        types = [str(x) for x in names]
        lookup = {str(n): k for k, n in enumerate(types)}
        type_of = np.array([lookup[str(c)] for c in cats], dtype=np.int64)
    else:
        types = [str(x) for x in names[: max_types - 1]] + [OTHER]
        lookup = {t: k for k, t in enumerate(types[:-1])}
        type_of = np.array([lookup.get(str(c), max_types - 1) for c in cats], dtype=np.int64)
    kk = len(types)
    if len(inc):
        prob = np.bincount(type_of, minlength=kk).astype(np.float64) / len(inc)
        pri = inc.priority.astype(np.float64)
        severity = np.array([4.0 - float(pri[type_of == k].mean()) for k in range(kk)])
        severity = np.maximum(severity, 0.5)
        hours = ((inc.time - inc.time.astype("datetime64[D]")).astype("timedelta64[h]")
                 .astype(np.int64))
    else:
        prob = np.ones(1)
        severity = np.ones(1)
        hours = np.zeros(0, dtype=np.int64)
    xy = np.array([p.xy for p in posts], dtype=np.float64)
    near = np.zeros((kk, n_sites, 24))
    if len(inc):
        d2 = ((inc.xy[None, :, :] - xy[:, None, :]) ** 2).sum(axis=2)
        unknown = hour_unknown(inc.time)  # dates without times: each hour of the day alike
        for i in range(n_sites):
            sel = d2[i] <= radius_m**2
            np.add.at(near[:, i, :], (type_of[sel & ~unknown], hours[sel & ~unknown]), 1.0)
            near[:, i, :] += np.bincount(type_of[sel & unknown], minlength=kk)[:, None] / 24
    per_slot = np.zeros((kk, n_sites, n_slots))
    every = np.zeros_like(per_slot)  # the same with every hour of a night site
    night = frozenset(scenario.policy.night_hours)
    night_only = np.array([p.night_only for p in posts], dtype=np.bool_)
    for s, slot in enumerate(slots):
        # each clock hour by the share of it the slot holds (a half-hour slot holds half an
        # hour's incidents; 45 minutes from 00:45 hold a quarter of hour 0 and half of 1); a
        # night-only site only its night hours': it is closed, and no target, in the others
        # (a 3-hour slot from 18:00 holds hour 20's incidents at a night checkpoint, not 18's)
        for h, share in slot.hour_shares:
            w = np.where(night_only & (h not in night), 0.0, share)
            per_slot[:, :, s] += w[None, :] * near[:, :, h]
            every[:, :, s] += share * near[:, :, h]
    if risk is None:
        # a night site's slots it is closed in keep every hour (they are no target: their
        # payoffs count nowhere, but set the scale below as they always did, so that hourly
        # slots keep the very same game)
        open_ = _open(posts, slots, scenario)
        rate = np.where(open_[None, :, :], per_slot, every) + prob[:, None, None]
    else:
        r = np.asarray(risk, dtype=np.float64)
        if r.shape != (n_sites, n_slots):
            raise GameError(f"risk: expected shape ({n_sites} sites, {n_slots} slots), got "
                            f"{r.shape}")
        if not np.all(np.isfinite(r)) or np.any(r < 0):
            i, s = np.argwhere(~np.isfinite(r) | (r < 0))[0]
            raise GameError(f"risk: site {posts[i].id!r} slot {slots[s].name} has risk "
                            f"{float(r[i, s])!r}; risk must be a non-negative number")
        if not np.any(r > 0):
            raise GameError("risk: every value is 0 (degenerate game: nothing to protect)")
        mix = near.sum(axis=2) + prob[:, None]  # (K, n_sites)
        q = mix / mix.sum(axis=0, keepdims=True)
        rate = r[None, :, :] * q[:, :, None] / prob[:, None, None] + 1e-6 * r.max()
    attract = _attractiveness(posts, scenario.posts)
    value = rate * attract[None, :, None]
    att_u = 10.0 * value / value.reshape(kk, -1).max(axis=1)[:, None, None]
    return Payoffs(
        type_names=tuple(types), prob=prob,
        att_covered=np.full_like(att_u, -penalty), att_uncovered=att_u,
        def_covered=np.zeros_like(att_u),
        def_uncovered=-severity[:, None, None] * att_u,
    )


def read_payoffs(path: Path, site_ids: Sequence[str], slots: Sequence[Slot]) -> Payoffs:
    """A payoff table (CSV or XLSX): columns ``type, probability, site, att_covered,
    att_uncovered, def_covered, def_uncovered`` and optionally ``slot`` — empty for every slot,
    a slot's ISO start time, or an hour ``HH`` / ``HH:MM`` for the slots starting then. Every
    (type, site, slot) must be given exactly once. Errors name the row and the column."""
    from xunfang.scenario.tables import read_required

    label = str(path)
    table, problems = read_required(Path(path), PAYOFF_COLUMNS, label=label)
    sidx = {s: i for i, s in enumerate(site_ids)}
    types: dict[str, int] = {}
    probs: dict[str, tuple[float, int]] = {}
    entries: list[tuple[int, int, list[int], list[float]]] = []
    for row, num in zip(table.rows, table.numbers, strict=True):
        def bad(column: str, rule: str, msg: str, num: int = num) -> None:
            problems.append(Problem(file=label, row=num, column=column, rule=rule, message=msg))

        t = row["type"]
        if not t:
            bad("type", "required", "no attacker type")
            continue
        k = types.setdefault(t, len(types))
        site = row["site"]
        if site not in sidx:
            bad("site", "unknown-site", f"site {site!r} is not one of the game's sites "
                f"({', '.join(site_ids)})")
            continue
        nums: list[float] = []
        for col in ("probability", *PAYOFF_COLUMNS[3:]):
            try:
                v = float(row[col])
            except ValueError:
                bad(col, "number", f"{row[col]!r} is not a number")
                break
            if not math.isfinite(v):
                bad(col, "number", f"{row[col]!r} is not a finite number")
                break
            nums.append(v)
        if len(nums) != 5:
            continue
        ac, au, dc, du = nums[1:]
        if not ac < au:
            bad("att_covered", "degenerate-payoffs", f"att_covered {ac:g} must be below "
                f"att_uncovered {au:g} (the attacker must lose from being checked)")
            continue
        if not dc > du:
            bad("def_covered", "degenerate-payoffs", f"def_covered {dc:g} must be above "
                f"def_uncovered {du:g} (the defender must gain from checking)")
            continue
        p = nums[0]
        if t in probs and abs(probs[t][0] - p) > 1e-12:
            bad("probability", "one-probability-per-type",
                f"type {t!r} has probability {p} here but {probs[t][0]} in row {probs[t][1]}")
            continue
        probs.setdefault(t, (p, num))
        which = _slots_of(row.get("slot", ""), slots)
        if which is None:
            bad("slot", "unknown-slot", f"{row.get('slot')!r} names no slot (give an ISO start "
                "time of a slot, an hour HH or HH:MM, or leave it empty for every slot)")
            continue
        entries.append((k, sidx[site], which, nums[1:]))
    if problems:
        raise ScenarioError(problems, source=label)
    kk, n_sites, n_slots = len(types), len(site_ids), len(slots)
    arr = np.full((4, kk, n_sites, n_slots), np.nan)
    seen = np.zeros((kk, n_sites, n_slots), dtype=np.int64)
    for k, i, which, vals in entries:
        seen[k, i, which] += 1
        arr[:, k, i, which] = np.asarray(vals)[:, None]
    names = list(types)
    if np.any(seen > 1):
        k, i, s = np.argwhere(seen > 1)[0]
        problems.append(Problem(file=label, rule="duplicate-target", message=(
            f"type {names[k]!r}, site {site_ids[i]!r}, slot {slots[s].name} is given twice")))
    if np.any(seen == 0):
        k, i, s = np.argwhere(seen == 0)[0]
        problems.append(Problem(file=label, rule="missing-target", message=(
            f"no payoffs for type {names[k]!r}, site {site_ids[i]!r}, slot {slots[s].name} "
            f"({int((seen == 0).sum())} (type, site, slot) combinations missing)")))
    prob = np.array([probs[t][0] for t in names])
    if abs(float(prob.sum()) - 1.0) > 1e-6:
        problems.append(Problem(file=label, column="probability", rule="probabilities-sum-to-1",
                                message=f"the types' probabilities sum to {prob.sum():.9g}, not 1"))
    if problems:
        raise ScenarioError(problems, source=label)
    return Payoffs(type_names=tuple(names), prob=prob, att_covered=arr[0], att_uncovered=arr[1],
                   def_covered=arr[2], def_uncovered=arr[3])


def _slots_of(text: str, slots: Sequence[Slot]) -> list[int] | None:
    text = (text or "").strip()
    if not text:
        return list(range(len(slots)))
    by_name = [s for s, slot in enumerate(slots) if slot.name == text or
               slot.start.isoformat() == text]
    if by_name:
        return by_name
    hh, _, mm = text.partition(":")
    if hh.isdigit() and (not mm or mm.isdigit()):
        h, m = int(hh), int(mm or 0)
        hit = [s for s, slot in enumerate(slots)
               if slot.start.hour == h and slot.start.minute == m]
        return hit or None
    return None


def _per_slot(name: str, value: int | Sequence[int], n_slots: int) -> list[int]:
    if isinstance(value, bool):
        raise GameError(f"{name}: expected a whole number, got {value!r}")
    if isinstance(value, int | np.integer):
        out = [int(value)] * n_slots
    else:
        out = list(value)
        if len(out) != n_slots:
            raise GameError(f"{name}: {len(out)} counts given for {n_slots} slots")
        for s, x in enumerate(out):
            if isinstance(x, bool) or not isinstance(x, int | np.integer):
                raise GameError(f"{name}: slot {s}: {x!r} is not a whole number")
    for s, x in enumerate(out):
        if x < 0:
            raise GameError(f"{name}: slot {s} has {x}; counts must not be negative")
    return [int(x) for x in out]


def _bounds(name: str, given: Mapping[str, float] | None, site_ids: Sequence[str],
            default: float) -> FloatArray:
    out = np.full(len(site_ids), default)
    if given is None:
        return out
    idx = {s: i for i, s in enumerate(site_ids)}
    for sid, v in given.items():
        if sid not in idx:
            raise GameError(f"{name}: site {sid!r} is not one of the game's sites "
                            f"({', '.join(site_ids)})")
        fv = float(v)
        if not (0.0 <= fv <= 1.0):
            raise GameError(f"{name}: site {sid!r}: {v!r} is not a share between 0 and 1")
        out[idx[sid]] = fv
    return out


def default_teams(scenario: Scenario) -> tuple[str, ...]:
    """The scenario's checkpoint teams: units of the ``checkpoint`` squad."""
    return tuple(u.id for u in scenario.units if u.squad == "checkpoint")


def build_game(
    scenario: Scenario,
    net: RoadNetwork,
    slots: Sequence[Slot],
    teams_per_slot: int | Sequence[int],
    *,
    risk: FloatArray | None = None,
    sites: Sequence[str] | None = None,
    payoffs: Payoffs | None = None,
    min_staffing: Mapping[str, float] | None = None,
    max_staffing: Mapping[str, float] | None = None,
    changeover_minutes: float | None = 10.0,
    mode: Mode = "car",
    max_types: int = 3,
    radius_m: float = 500.0,
) -> tuple[SecurityGame, tuple[Post, ...], FloatArray | None]:
    """The game of the scenario's checkpoints over ``slots`` (see the module doc), the posts,
    and the travel minutes between sites per transition (None without a change-over limit)."""
    if not slots:
        raise GameError("slots: no slot given")
    posts = checkpoint_sites(scenario, sites)
    site_ids = tuple(p.id for p in posts)
    n_sites, n_slots = len(posts), len(slots)
    teams = _per_slot("teams_per_slot", teams_per_slot, n_slots)
    if payoffs is None:
        payoffs = derive_payoffs(scenario, posts, slots, risk=risk, radius_m=radius_m,
                                 max_types=max_types)
    elif risk is not None:
        raise GameError("risk: give either a payoff table or a risk array, not both")
    open_ = _open(posts, slots, scenario)
    # a team for which no site is open (5 teams, 5 sites, one of them night-only, by day)
    # stands down in that slot: the game has as many teams then as open sites
    teams = [min(t, int(n_open)) for t, n_open in zip(teams, open_.sum(axis=0), strict=True)]
    # staffing bounds the expected share of a site's open slots it is checked in (the sum of
    # its coverage), not every slot's coverage: a 0.3 cap on every slot cost the defender
    # four times the share rule's loss on a 6×6 lattice (−8.175 against −2.584, from −2.105)
    share_lo = (None if min_staffing is None
                else _bounds("min_staffing", min_staffing, site_ids, 0.0))
    share_hi = (None if max_staffing is None
                else _bounds("max_staffing", max_staffing, site_ids, 1.0))
    hi = open_.astype(np.float64)
    lo = np.zeros_like(hi)
    minutes = None
    moves = None
    if changeover_minutes is not None:
        if not (changeover_minutes >= 0 and math.isfinite(changeover_minutes)):
            raise GameError(f"changeover_minutes: must be a non-negative number, got "
                            f"{changeover_minutes!r}")
        nodes = place_nodes(net, posts, mode=mode)
        minutes = np.zeros((max(n_slots - 1, 0), n_sites, n_sites))
        by_hour: dict[int, FloatArray] = {}
        handover = handovers(slots, scenario.policy.shift_starts)
        moves = np.ones_like(minutes, dtype=np.bool_)
        for s in range(n_slots - 1):
            h = slots[s + 1].start.hour
            if h not in by_hour:
                by_hour[h] = network.travel_times(net, nodes, nodes, mode=mode, hour=h)
            minutes[s] = by_hour[h]
            new_shift = handover[s + 1]  # a shift starts within the next slot
            contiguous = slots[s].end == slots[s + 1].start
            if not new_shift and contiguous:
                moves[s] = minutes[s] <= changeover_minutes
    game = make_game(
        site_ids, tuple(s.name for s in slots), type_names=payoffs.type_names, prob=payoffs.prob,
        att_covered=payoffs.att_covered, att_uncovered=payoffs.att_uncovered,
        def_covered=payoffs.def_covered, def_uncovered=payoffs.def_uncovered,
        teams=teams, lo=lo, hi=hi, moves=moves, active=open_, share_lo=share_lo,
        share_hi=share_hi,
    )
    return game, posts, minutes


def baselines(g: SecurityGame) -> dict[str, Baseline]:
    """The attacker's best payoff against a uniform random and a fixed schedule."""
    hi = g.hi.reshape(g.n_sites, g.n_slots) > 0
    n_open = np.maximum(hi.sum(axis=0), 1)
    uniform = np.where(hi, np.minimum(g.teams / n_open, 1.0)[None, :], 0.0)
    uniform = np.minimum(uniform, g.hi.reshape(g.n_sites, g.n_slots))
    if g.share_hi is not None:  # no more than a site's largest share of its slots
        _, s_hi = g.share_bounds()
        total = uniform.sum(axis=1)
        scale = np.divide(s_hi, total, out=np.ones_like(total), where=total > s_hi)
        uniform *= np.minimum(scale, 1.0)[:, None]
    reward = np.einsum("k,kn->n", g.prob, g.att_uncovered).reshape(g.n_sites, g.n_slots)
    fixed = np.zeros((g.n_sites, g.n_slots))
    for s in range(g.n_slots):
        cand = np.flatnonzero(hi[:, s])
        top = cand[np.argsort(-reward[cand, s], kind="stable")][: int(g.teams[s])]
        fixed[top, s] = 1.0
    out = {}
    for name, c in (("uniform", uniform), ("fixed", fixed)):
        a, d = attacker_best(g, c.reshape(-1))
        out[name] = Baseline(attacker_value=a, defender_value=d)
    return out


def _day_game(g: SecurityGame, slots: Sequence[Slot]) -> SecurityGame | None:
    """The one-day game of which ``g`` is identical copies, or None.

    When the slots are whole days, equal day after day (each day's game is the same play as
    the first day's, :func:`same_play`: payoffs, bounds, team counts, the travel rule within
    the day) and the travel rule does not bind across midnight, the game over all days has
    the same SSE value as one day's game, attained by repeating its coverage: a best response
    in any day is one in every day, and each day's constraints are the same (each type may be
    sent to its target in the first day; the other days hold every target to the same
    payoffs). The shares of a site's slots are the same each day.
    """
    n = len(slots)
    per_day = sum(1 for x in slots if x.start.date() == slots[0].start.date())
    if n <= per_day or n % per_day or sum(x.minutes for x in slots[:per_day]) != 24 * 60:
        return None
    days = n // per_day
    if any(slots[d * per_day + s].start.time() != slots[s].start.time()
           or slots[d * per_day + s].start.date() != slots[d * per_day].start.date()
           for d in range(days) for s in range(per_day)):
        return None
    if g.moves is not None and g.binding_moves()[per_day - 1::per_day].any():
        return None  # the travel rule binds across midnight: the days are not independent
    try:
        first = _slice_game(g, 0, per_day)
        same = all(same_play(_slice_game(g, d * per_day, (d + 1) * per_day), first)
                   for d in range(1, days))
    except GameError:  # a day that is no game of its own (no target open in it, or its
        return None  # staffing shares beyond its teams) is not a copy of the others
    return first if same else None


def same_play(a: SecurityGame, b: SecurityGame) -> bool:
    """Whether two games are the same to a solver: the same sites, attacker types, slots'
    count and every payoff, bound, team count, move and share — the slots' names (their
    dates) aside. Two dates of a plan with no risk given are such games."""
    if (a.site_ids, a.type_names, a.n_slots) != (b.site_ids, b.type_names, b.n_slots):
        return False
    for name in ("prob", "def_covered", "def_uncovered", "att_covered", "att_uncovered",
                 "teams", "lo", "hi", "moves", "share_lo", "share_hi"):
        x, y = getattr(a, name), getattr(b, name)
        if (x is None) != (y is None) or (x is not None and not np.array_equal(x, y)):
            return False
    return bool(np.array_equal(a.is_active(), b.is_active()))


def _slice_game(g: SecurityGame, s0: int, s1: int) -> SecurityGame:
    """The game of slots ``s0``..``s1 - 1`` of ``g`` (the travel rule within them only)."""
    ns, n = g.n_sites, g.n_slots

    def cut(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a.reshape(*a.shape[:-1], ns, n)[..., s0:s1].reshape(*a.shape[:-1], -1)

    return replace(g, slot_names=g.slot_names[s0:s1], def_covered=cut(g.def_covered),
                   def_uncovered=cut(g.def_uncovered), att_covered=cut(g.att_covered),
                   att_uncovered=cut(g.att_uncovered), teams=g.teams[s0:s1].copy(),
                   lo=cut(g.lo), hi=cut(g.hi), active=cut(g.is_active()),
                   moves=None if g.moves is None else g.moves[s0:s1 - 1])


def _by_dates(g: SecurityGame, slots: Sequence[Slot],
              parts: Sequence[tuple[SecurityGame, Solution]]) -> Solution | None:
    """The horizon's strategy when each date's game is one of ``parts`` in turn (dates whose
    teams differ: a plan crewing its checkpoints by the roster): the dates' coverages side by
    side, valued in ``g`` by :func:`~.solvers.check_sse` — what the dates' schedules, played
    together, give. None when the dates are not the parts' games, or the side-by-side
    coverage breaks a rule of ``g`` (the travel rule across midnight)."""
    starts = [0] + [k for k in range(1, len(slots))
                    if slots[k].start.date() != slots[k - 1].start.date()] + [len(slots)]
    if len(starts) - 1 != len(parts) or len(parts) < 2:
        return None
    covs = []
    for (a, b), (pg, ps) in zip(itertools.pairwise(starts), parts, strict=True):
        if not same_play(_slice_game(g, a, b), pg):
            return None
        covs.append(ps.coverage.reshape(g.n_sites, b - a))
    cov = np.concatenate(covs, axis=1).reshape(-1)
    chk = check_sse(g, cov)
    if chk.problems:
        return None
    methods = sorted({ps.method for _pg, ps in parts})
    return Solution(method=f"{'/'.join(methods)} (each date its own game)", coverage=cov,
                    defender_value=chk.defender_value, attacker_values=chk.attacker_values,
                    attacked=chk.attacked, bound=chk.defender_value,
                    programs=sum(ps.programs for _pg, ps in parts),
                    seconds=sum(ps.seconds for _pg, ps in parts),
                    spread_from=sum(ps.spread_from for _pg, ps in parts),
                    proven=all(ps.proven for _pg, ps in parts),
                    spread_skipped="; ".join(sorted({ps.spread_skipped for _pg, ps in parts
                                                     if ps.spread_skipped})))


def solve_by_day(g: SecurityGame, slots: Sequence[Slot], method: str = "auto", *,
                 time_limit: float | None = None, spread_capacity: bool = True,
                 spread_time_limit: float | None = None, hold_total: bool = False,
                 reuse: Sequence[tuple[SecurityGame, Solution]] = ()) -> Solution:
    """Solve ``g``; a game of identical whole days is solved as one day (see
    :func:`_day_game`) and its coverage repeated. The values are those of the whole game.
    With ``spread_capacity`` the capacity the SSE leaves unused is spread over the other
    targets, every value held (:func:`~.solvers.spread`).

    ``reuse``: games and their solutions from earlier calls with the same method, limits
    and spreading. When the game to solve (``g``, or its one day) is the same play as one of
    them (:func:`same_play`), that solution is taken instead of solving again (a 7-day plan
    solved the same one-day game eight times: 47 of its checkpoint stage's 48 s); when
    ``g``'s dates are, in turn, the games of ``reuse`` (one per date), the horizon's
    strategy is theirs side by side (:func:`_by_dates`; each date's own equilibrium, valued
    over the horizon — where a plan's dates differ, the dates' schedules are what is played,
    and the whole 168-slot game cost 30 s at its time limit)."""
    day = _day_game(g, slots)
    whole = g if day is None else day
    known = next((sol for pg, sol in reuse if same_play(pg, whole)), None)
    if known is None and day is None:
        known = _by_dates(g, slots, reuse)
        if known is not None:
            return known
    if known is not None:
        one = known
    else:
        one = solve(whole, method, time_limit=time_limit)
        if spread_capacity:
            one = spread(whole, one, time_limit=spread_time_limit, hold_total=hold_total)
    if day is None:
        return one
    days = g.n_slots // day.n_slots
    cov = np.tile(one.coverage.reshape(g.n_sites, 1, day.n_slots), (1, days, 1)).reshape(-1)
    chk = check_sse(g, cov)
    return Solution(method=one.method + " (one day, repeated)", coverage=cov,
                    defender_value=chk.defender_value, attacker_values=chk.attacker_values,
                    attacked=chk.attacked, bound=one.bound, programs=one.programs,
                    seconds=one.seconds, minimax=one.minimax,
                    spread_from=one.spread_from * days, proven=one.proven,
                    spread_skipped=one.spread_skipped)


def _staffing_notes(g: SecurityGame, checked: np.ndarray) -> list[str]:
    """The staffing shares hold in expectation, not on every day: say on how many sampled
    days each bounded site falls short of its minimum share or exceeds its maximum."""
    out: list[str] = []
    n_days = checked.shape[0]
    share = checked.sum(axis=2) / np.maximum(g.open_slots(), 1.0)[None, :]  # (days, sites)
    for name, bound, sign, word in (("min", g.share_lo, -1.0, "fewer"),
                                    ("max", g.share_hi, 1.0, "more")):
        if bound is None:
            continue
        for i in np.flatnonzero(bound > 0 if name == "min" else bound < 1).tolist():
            k = int((sign * (share[:, i] - bound[i]) > 1e-9).sum())
            out.append(f"{name}_staffing of {g.site_ids[i]!r} ({bound[i]:.0%} of its slots) "
                       f"holds on average over days, not on each day: {k} of {n_days} sampled "
                       f"day(s) check it in {word} of its slots")
    return out


def _by_date(g: SecurityGame, coverage: FloatArray, slots: Sequence[Slot],
             sampler: str, ent: np.ndarray | None, entropy: float, top: float
             ) -> tuple[dict[str, object], ...]:
    """Per date of ``slots``: its expected checks and team-slots, the largest coverage of a
    target, and how predictable the date's schedule is — the entropy (bits) and the likeliest
    schedule's probability, estimated from ``ent`` (independent comb days; slots independent).
    The markov and flow samplers draw whole horizons, so their figures are given for a plan of
    one date only (None otherwise: the horizon's are ``entropy_bits`` and
    ``max_schedule_probability``)."""
    c = np.asarray(coverage, dtype=np.float64).reshape(g.n_sites, g.n_slots)
    dates = sorted({x.start.date() for x in slots})
    out = []
    for day in dates:
        idx = [s for s, x in enumerate(slots) if x.start.date() == day]
        row: dict[str, object] = {
            "date": day.isoformat(),
            "expected_checks": round(float(c[:, idx].sum()), 3),
            "team_slots": int(g.teams[idx].sum()),
            "max_coverage": round(float(c[:, idx].max()), 6),
            "entropy_bits": None, "max_schedule_probability": None}
        if sampler == "comb" and ent is not None:
            row["entropy_bits"] = round(slot_entropy_bits(ent[:, :, idx]), 3)
            row["max_schedule_probability"] = slot_max_probability(ent[:, :, idx])
        elif len(dates) == 1:
            row["entropy_bits"] = round(entropy, 3)
            row["max_schedule_probability"] = top
        out.append(row)
    return tuple(out)


def plan_checkpoints(
    scenario: Scenario,
    net: RoadNetwork,
    slots: Sequence[Slot],
    teams_per_slot: int | Sequence[int] | None,
    seed: int,
    risk: FloatArray | None = None,
    *,
    days: int = 1,
    sites: Sequence[str] | None = None,
    payoffs: Payoffs | None = None,
    team_names: Sequence[str] | None = None,
    min_staffing: Mapping[str, float] | None = None,
    max_staffing: Mapping[str, float] | None = None,
    changeover_minutes: float | None = 10.0,
    mode: Mode = "car",
    method: str = "auto",
    max_types: int = 3,
    entropy_days: int = 2000,
    time_limit: float | None = 30.0,
    spread_time_limit: float | None = 30.0,
    sample_time_limit: float | None = 60.0,
    spread: bool = True,
    hold_total: bool = False,
    reuse: Sequence[CheckpointPlan] = (),
    teams_at: Sequence[Sequence[str]] | None = None,
) -> CheckpointPlan:
    """Solve the checkpoint game over ``slots`` and sample ``days`` schedules of them.

    Each sampled "day" is one realisation of all of ``slots``; day d's slot names are shifted
    by d times the slots' span (so with one day of slots they are the following days). Day d
    is drawn from the streams of (``seed``, the date of its first slot) alone: the same seed
    gives each date its own schedule, reproducible whatever ``days`` is. Teams
    are named by ``team_names`` (default: the units of the ``checkpoint`` squad, then
    ``CP-T<n>``). ``time_limit`` (seconds, None: none) bounds the DOBSS MILP of a game with
    several attacker types: at the limit the best strategy found is used and the gap to the
    proven bound is in the summary. ``spread_time_limit`` bounds spreading the unused
    capacity (skipped at the limit) and ``sample_time_limit`` the flow decomposition (stopped
    at the limit); a note says when either cut in (a review: 200 sites × 42 slots with 10 teams
    spent 52.8 s spreading and over 14 min decomposing). ``spread=False`` samples the solver's
    coverage as it is; ``hold_total`` spreads where the equilibrium's checks fall but not how
    many there are (the plan gives the other team-hours to patrol), see
    :func:`~.solvers.spread`. A team on duty with no check drawn in a slot is listed in
    :attr:`CheckpointPlan.free` with the slot's expected checks; :attr:`CheckpointPlan.by_date`
    gives each date's expected checks, largest coverage, entropy and likeliest schedule.
    ``reuse``: earlier plans made with the same method, limits and spreading, whose games'
    solutions are taken when this game (or its one day) is the same play as one, or its
    dates are theirs in turn, not solved again (see :func:`solve_by_day`); the sampling is
    this call's own.
    ``teams_at``: per slot, the teams that can check in it (a plan's: those with a sworn
    officer on duty to lead them), in the order they take the slot's checks; it sets the
    teams per slot: give ``teams_per_slot`` as None then (counts given as well must be
    teams_at's).
    """
    if seed < 0:
        raise GameError(f"seed: must be a non-negative integer, got {seed}")
    if teams_at is not None:
        if len(teams_at) != len(slots):
            raise GameError(f"teams_at: {len(teams_at)} entries for {len(slots)} slots")
        counts = [len(x) for x in teams_at]
        if teams_per_slot is not None and _per_slot(
                "teams_per_slot", teams_per_slot, len(slots)) != counts:
            raise GameError("teams_per_slot: must be the counts of teams_at's teams per slot "
                            "(or None: teams_at sets them)")
        teams_per_slot = counts
    elif teams_per_slot is None:
        raise GameError("teams_per_slot: give the checkpoint teams per slot (a count, or one "
                        "per slot), or the teams themselves as teams_at")
    on_duty = np.array(_per_slot("teams_per_slot", teams_per_slot, len(slots)), dtype=np.int64)
    if on_duty.size and not on_duty.any():
        raise GameError("teams_per_slot: 0 checkpoint teams in every slot, so there is nothing "
                        "to schedule (give --teams 1 or more, or put units in the 'checkpoint' "
                        "squad of units.csv)")
    game, posts, minutes = build_game(
        scenario, net, slots, teams_per_slot, risk=risk, sites=sites, payoffs=payoffs,
        min_staffing=min_staffing, max_staffing=max_staffing,
        changeover_minutes=changeover_minutes, mode=mode, max_types=max_types)
    if teams_at is not None and not game.teams.all():
        # the hours no team can check are left out of the game: the attacker's choice there
        # is the patrols' business, not the checkpoints' (with them in, every attacker type
        # chose an unchecked night hour of the county and the equilibrium checked nothing by
        # day: 0 checks a day, attacker value 10.0)
        open_ = np.repeat((game.teams > 0)[None, :], game.n_sites, axis=0).reshape(-1)
        game = replace(game, active=game.is_active() & open_)
    sol = solve_by_day(game, slots, method, time_limit=time_limit,
                       spread_time_limit=spread_time_limit, spread_capacity=spread,
                       hold_total=hold_total,
                       reuse=[(r.game, r.solution) for r in reuse])
    chk = check_sse(game, sol.coverage, claimed=sol.defender_value, bound=sol.bound,
                    proven=sol.proven)
    n_teams = int(on_duty.max())
    names = list(team_names) if team_names is not None else list(default_teams(scenario))
    if team_names is not None and len(names) < n_teams:
        raise GameError(f"team_names: {len(names)} names for {n_teams} teams")
    names += [f"CP-T{k + 1}" for k in range(len(names), n_teams)]

    def name(s: int, k: int) -> str:
        """The team taking slot ``s``'s ``k``-th check (or standing free or down there)."""
        return teams_at[s][k] if teams_at is not None else names[k]
    notes: list[str] = []
    if sol.spread_skipped:
        notes.append(sol.spread_skipped)
    if not math.isnan(sol.spread_from) and hold_total:
        notes.append(f"where the equilibrium's {sol.spread_from:.2f} expected site-checks of "
                     f"{int(game.teams.sum())} team-slots fall is spread over the targets and "
                     "slots, every value and the total held (the other team-hours stay free)")
    elif not math.isnan(sol.spread_from):
        notes.append(f"the capacity the equilibrium left unused is spread over the other "
                     f"targets, every value held: {sol.spread_from:.2f} → "
                     f"{float(sol.coverage.sum()):.2f} expected site-checks of "
                     f"{int(game.teams.sum())} team-slots")
    spare = on_duty - game.teams
    if spare.any():
        notes.append(f"in {int((spare > 0).sum())} slot(s) fewer checkpoint sites are open than "
                     f"teams are on duty ({int(spare.max())} team(s) at most); the spare teams "
                     "stand down as reserve")
    if days < 1:
        raise GameError(f"days: at least one day must be sampled, got {days}")
    span = max(slots[-1].end - slots[0].start, timedelta(days=1))
    dates = [(slots[0].start + d * span).date() for d in range(days)]
    site_rngs = day_streams(seed, dates, SITES)
    binding = game.binding_moves()
    ent_days: np.ndarray | None = None  # comb: independent days to estimate each date's figures
    if binding.any() and int(game.teams.max()) == 1:
        # one team and the travel rule binds: its path is a Markov chain on the flow
        ms = markov_sample(game, sol.coverage, day_rngs=site_rngs)
        checked = ms.checked
        sampler = "markov"
        entropy = ms.entropy_bits
        top = ms.max_probability
        notes.append(f"the travel rule binds in {int(binding.sum())} slot change(s); the team's "
                     "day is drawn as a Markov chain on its moves")
    elif binding.any():
        # the travel rule binds: draw whole days from a flow decomposition (exact marginals,
        # every day keeps the rule); otherwise comb sampling, slot by slot
        dec = flow_decompose(game, sol.coverage, seed=seed + 3, time_budget=sample_time_limit)
        if dec.stopped:
            notes.append(f"the flow sampler's decomposition {dec.stopped}")
        checked = flow_sample(game, dec, day_rngs=site_rngs)
        sampler = "flow"
        entropy = dec.entropy_bits()
        top = dec.max_probability
        # one decomposition (seconds of LPs) serves every date: the days are independent draws
        # from a fixed, finite set — say how small it is
        notes.append(f"the travel rule binds in {int(binding.sum())} slot change(s); days are "
                     f"drawn from {dec.weights.size} schedules that keep it "
                     f"({entropy:.1f} bits per day; the likeliest day has probability "
                     f"{top:.2g}, so an observer logging days sees repeats)")
    else:
        checked = comb_sample(game, sol.coverage, day_rngs=site_rngs)
        sampler = "comb"
        ent = comb_sample(game, sol.coverage, entropy_days, seed=seed + 2, stratified=False)
        ent_days = ent
        entropy = slot_entropy_bits(ent)
        top = slot_max_probability(ent)
    notes += _staffing_notes(game, checked)
    fresh = [s == 0 or h for s, h in enumerate(handovers(slots, scenario.policy.shift_starts))]
    visits = assign_teams(game, checked, minutes=minutes, fresh=fresh,
                          day_rngs=day_streams(seed, dates, TEAMS))
    out_days = []
    for d, day in enumerate(visits):
        shift = d * span
        out_days.append(tuple(
            CheckpointVisit(day=d, site=game.site_ids[v.site],
                            slot=(slots[v.slot].start + shift).isoformat(timespec="minutes"),
                            slot_index=slots[v.slot].index, team=name(v.slot, v.team))
            for v in sorted(day, key=lambda v: (v.slot, v.site))))
    expected = sol.coverage.reshape(game.n_sites, game.n_slots).sum(axis=0)
    free = []
    for d, day in enumerate(visits):
        used: dict[int, set[int]] = {}
        for v in day:
            used.setdefault(v.slot, set()).add(v.team)
        free.append(tuple(
            FreeTeam(day=d, slot=(slots[s].start + d * span).isoformat(timespec="minutes"),
                     slot_index=slots[s].index, team=name(s, k),
                     expected_checks=float(expected[s]), teams=int(game.teams[s]))
            for s in range(game.n_slots) for k in range(int(game.teams[s]))
            if k not in used.get(s, ())))
    if free[0]:
        notes.append(f"on the first sampled day {len(free[0])} of {int(game.teams.sum())} "
                     "team-slots have no check drawn (the schedule's expected checks there are "
                     "below the teams): those teams are free, listed with the reason")
    reserve = tuple(
        tuple(ReserveTeam(day=d, slot=(slots[s].start + d * span).isoformat(timespec="minutes"),
                          slot_index=slots[s].index, team=name(s, k))
              for s in np.flatnonzero(spare).tolist()
              for k in range(int(game.teams[s]), int(on_duty[s])))
        for d in range(days))
    return CheckpointPlan(
        game=game, solution=sol, check=chk, slots=tuple(slots),
        site_names=tuple(p.name for p in posts), team_names=tuple(names), days=tuple(out_days),
        baselines=baselines(game), entropy_bits=entropy,
        entropy_bound_bits=binary_entropy_bits(sol.coverage), seed=seed, sampler=sampler,
        max_schedule_probability=top, notes=tuple(notes), reserve=reserve, free=tuple(free),
        by_date=_by_date(game, sol.coverage, slots, sampler, ent_days, entropy, top),
    )


__all__ = [
    "Baseline",
    "CheckpointPlan",
    "CheckpointVisit",
    "FreeTeam",
    "Payoffs",
    "ReserveTeam",
    "ScheduleTable",
    "UnmannedTeam",
    "Visit",
    "baselines",
    "build_game",
    "checkpoint_sites",
    "default_teams",
    "derive_payoffs",
    "plan_checkpoints",
    "read_payoffs",
]
