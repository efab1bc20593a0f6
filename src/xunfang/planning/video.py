"""Video patrol (视频巡逻): which camera each operator of the video desk watches, and when.

Entry point: :func:`plan_video`. Cameras are the scenario's posts of kind ``camera``; a
camera's tier is the tier of the key site it looks at (the site on its node, else the nearest
within ``site_radius_m``; 0 when none), its grid the grid holding it.

Each operator watches one camera for ``view_minutes`` at a time; the views of an operator in a
slot are cut into *tours* of ``tour_minutes``. Two rules choose the views, step by step:

1. Every tier-1 camera is watched at least every ``tier1_every_minutes`` (N), by a rotation:
   a period of P views (P·view_minutes <= N, P dividing the horizon) in which each tier-1
   camera has its own offset, drawn from the seed and spread so that no step needs more
   operators than it has. A camera's views are then exactly P·view_minutes apart, across the
   end of the horizon too. The rotation fits when n₁ <= m·P (m operators). When it does not,
   the period is stretched to the shortest that holds every tier-1 camera (with m operators
   at every step, the first divisor of the horizon's views from ⌈n₁/m⌉ on): each is still
   watched every P·view_minutes, and each camera's achieved interval against N is listed as a
   shortfall. Only cameras beyond the views of the whole horizon are left out.
2. The other operators draw cameras at random (seeded), one operator after another, with
   weight tier weight × (0.5 + the grid's share of the slot's risk) × the ground factor: 2 when
   no unit is in the grid in that slot, else 1 / (1 + ground presence) — places no unit
   covers are watched more. When there are at least as many cameras as a tour has views, an
   operator's tour repeats no camera: the draw leaves out the cameras already in the tour,
   those taken at the step and the tier-1 cameras the rotation brings later in the tour, and
   the rotation's cameras go to operators whose tour has not had them. This always holds with
   T views a tour and m operators when at least T + m − 1 cameras are not due later in the
   tour (the most a draw leaves out); below that a repeat comes only when nothing else is
   left, and a rotation shorter than a tour brings its cameras back by design.

The draws are local (review HF): each tour of a slot (tours are cut at a slot's start, so
none crosses one) draws from its own stream, keyed by (seed, slot index, tour of the slot),
taking the same count of numbers at every step whatever it draws; the recency weight of rule 2
looks back within the slot and at the rotation's views only, never at the draws of the slot
before (the price: a camera drawn at a slot's end may come again at the next slot's start).
So a slot whose cameras, tiers, risk shares, ground presence in the cameras' grids and
operators are unchanged draws the same tours, whatever changed in other slots; the rotation
stays drawn once from the seed. Each draw is a race, an exponential time per camera over its
weight, the first home drawn: the same odds as a draw by cumulative weights, but a weight that
moves a little (a re-plan reads the risk back rounded) changes the draw only when it reorders
the winner, where a cumulative draw moved with every weight before the pick.

The plan repeats (the day after is planned the same way), so intervals are measured
cyclically: the gap from the horizon's last view of a camera to its first counts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from xunfang.plan import Slot
from xunfang.planning.routes import grid_of_nodes
from xunfang.scenario.model import Scenario

__all__ = ["CameraReport", "Tour", "VideoPlan", "View", "camera_tiers", "plan_video"]

#: Weight of a camera by the tier of the site it watches (0: no key site).
TIER_WEIGHTS: Mapping[int, float] = {1: 4.0, 2: 2.0, 3: 1.0, 0: 0.5}


@dataclass(frozen=True)
class View:
    """One camera watched by one operator from ``start`` (minutes from the horizon start)."""

    operator: int
    camera: str
    start: float
    minutes: float


@dataclass(frozen=True)
class Tour:
    """An operator's views within one tour of a slot."""

    operator: int
    slot: int
    start: float
    views: tuple[View, ...]


@dataclass(frozen=True)
class CameraReport:
    """A camera's tier and grid, how often it was watched and its longest interval."""

    camera: str
    tier: int
    grid: str | None
    views: int
    max_interval: float | None  # None: never watched


@dataclass(frozen=True, eq=False)
class VideoPlan:
    """The video desk's tours, each camera's record, and the shortfalls."""

    tours: tuple[Tour, ...]
    cameras: tuple[CameraReport, ...]
    tier1_every_minutes: float
    operators: tuple[int, ...]  # per slot
    shortfalls: tuple[str, ...]
    seed: int
    #: the rotation's period: every tier-1 camera is watched this often where operators are on
    #: duty (above tier1_every_minutes when they are too few)
    tier1_rotation_minutes: float | None = None

    def watched(self) -> dict[tuple[str, int], float]:
        """Minutes of viewing per (grid, slot index), for the visibility the desk adds."""
        grid = {c.camera: c.grid for c in self.cameras}
        out: dict[tuple[str, int], float] = {}
        for tour in self.tours:
            for v in tour.views:
                g = grid.get(v.camera)
                if g is not None:
                    out[(g, tour.slot)] = out.get((g, tour.slot), 0.0) + v.minutes
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "method": "tier-1 cameras by a fixed rotation (each its own offset in a period of "
                      "tier1_rotation_minutes, stretched past tier1_every_minutes when the "
                      "operators cannot hold them all), the rest drawn by tier, risk and missing "
                      "ground cover, no camera twice in an operator's tour while others are left",
            "tier1_rotation_minutes": self.tier1_rotation_minutes,
            "seed": self.seed,
            "tier1_every_minutes": self.tier1_every_minutes,
            "operators": list(self.operators),
            "tours": [{"operator": t.operator, "slot": t.slot, "start": round(t.start, 2),
                       "cameras": [v.camera for v in t.views]} for t in self.tours],
            "cameras": [{"camera": c.camera, "tier": c.tier, "grid": c.grid, "views": c.views,
                         "max_interval_minutes": None if c.max_interval is None
                         else round(c.max_interval, 2)} for c in self.cameras],
            "shortfalls": list(self.shortfalls),
        }


def _hand_out(cameras: Sequence[int], order: Sequence[int],
              in_tour: Sequence[set[int]]) -> dict[int, int]:
    """Operator -> camera for the rotation's ``cameras`` due at a step (no more than the
    operators in ``order``): a matching by augmenting paths that gives each camera an operator
    whose tour (``in_tour``) has not had it where one can; the cameras left over go to the
    operators left, in ``order``."""
    holder: dict[int, int] = {}

    def place(c: int, tried: set[int]) -> bool:
        for op in order:
            if op in tried or c in in_tour[op]:
                continue
            tried.add(op)
            if op not in holder or place(holder[op], tried):
                holder[op] = c
                return True
        return False

    for c in cameras:
        if not place(c, set()):
            holder[next(op for op in order if op not in holder)] = c
    return holder


def camera_tiers(scenario: Scenario, *, site_radius_m: float = 60.0) -> dict[str, int]:
    """The tier of the key site each camera watches: the site on its node, else the nearest
    site within ``site_radius_m`` (the best tier among equals), else 0."""
    out: dict[str, int] = {}
    for cam in scenario.posts_of("camera"):
        on_node = [s.tier for s in scenario.sites if cam.node is not None and s.node == cam.node]
        if on_node:
            out[cam.id] = min(on_node)
            continue
        near = [(math.dist(cam.xy, s.xy), s.tier) for s in scenario.sites]
        near = [x for x in near if x[0] <= site_radius_m]
        out[cam.id] = min(near, key=lambda x: (x[0], x[1]))[1] if near else 0
    return out


def plan_video(
    scenario: Scenario,
    slots: Sequence[Slot],
    risk: Mapping[tuple[str, int], float],
    ground: Mapping[tuple[str, int], float],
    *,
    operators: int | Sequence[int],
    tour_minutes: int = 30,
    view_minutes: float = 2.0,
    tier1_every_minutes: float = 30.0,
    site_radius_m: float = 60.0,
    seed: int,
) -> VideoPlan:
    """Camera tours per operator and slot. ``risk`` and ``ground`` map (grid id, slot index)
    to the slot's risk of the grid and the ground presence there (units); missing keys are 0.

    Raises ``ValueError`` naming the argument for negative or mismatched operator counts,
    minutes that are not positive, a tour shorter than one view, or keys naming unknown grids
    or slots.
    """
    slots = tuple(slots)
    if not slots:
        raise ValueError("slots: at least one slot is needed")
    n_slots = len(slots)
    if isinstance(operators, int):
        ops = (operators,) * n_slots
    else:
        ops = tuple(int(x) for x in operators)
        if len(ops) != n_slots:
            raise ValueError(f"operators: one count per slot is needed ({n_slots}); got "
                             f"{len(ops)}")
    if any(x < 0 for x in ops):
        raise ValueError(f"operators: counts must be >= 0; got {min(ops)}")
    for name, val in (("view_minutes", view_minutes), ("tour_minutes", tour_minutes),
                      ("tier1_every_minutes", tier1_every_minutes)):
        if not (math.isfinite(val) and val > 0):
            raise ValueError(f"{name}: must be minutes > 0; got {val!r}")
    if tour_minutes < view_minutes:
        raise ValueError(f"tour_minutes: a tour ({tour_minutes}) must hold at least one view "
                         f"({view_minutes} min)")
    grid_ids = [a.id for a in scenario.areas_of("grid")]
    slot_ids = {s.index for s in slots}
    for name, table in (("risk", risk), ("ground", ground)):
        for g, s in table:
            if g not in grid_ids:
                raise ValueError(f"{name}: key ({g!r}, {s}) names no grid of the scenario")
            if s not in slot_ids:
                raise ValueError(f"{name}: key ({g!r}, {s}) names no slot given")

    cams = scenario.posts_of("camera")
    tiers = camera_tiers(scenario, site_radius_m=site_radius_m)
    if cams:
        gi = grid_of_nodes(scenario, np.array([c.xy for c in cams], dtype=np.float64))
        cgrid: list[str | None] = [grid_ids[int(i)] if i >= 0 else None for i in gi]
    else:
        cgrid = []
    shortfalls: list[str] = []
    if not cams:
        shortfalls.append("the scenario has no camera posts: no video patrol is planned")

    t0 = slots[0].start
    starts = [(s.start - t0).total_seconds() / 60.0 for s in slots]
    horizon = starts[-1] + slots[-1].minutes
    step = float(view_minutes)
    n_steps = math.floor(horizon / step + 1e-9)

    # weights per slot position
    weight = np.zeros((n_slots, len(cams)))
    for k, sl in enumerate(slots):
        total = sum(risk.get((g, sl.index), 0.0) for g in grid_ids)
        for c, cam in enumerate(cams):
            cg = cgrid[c]
            share = 0.0 if cg is None or total <= 0 else risk.get((cg, sl.index), 0.0) / total
            present = 0.0 if cg is None else ground.get((cg, sl.index), 0.0)
            cover = 2.0 if present <= 0 else 1.0 / (1.0 + present)
            weight[k, c] = TIER_WEIGHTS.get(tiers[cam.id], 0.5) * (0.5 + share) * cover

    tier1 = [c for c, cam in enumerate(cams) if tiers[cam.id] == 1]
    n_every = float(tier1_every_minutes)
    rng = np.random.default_rng(seed)

    def slot_pos(t: float) -> int:
        k = int(np.searchsorted(starts, t % horizon, side="right")) - 1
        return max(0, min(k, n_slots - 1))

    # The tier-1 rotation: period P steps, each tier-1 camera one offset in the period (drawn
    # from the seed, spread over the offsets with operators to spare), so its views are exactly
    # P·step apart, across the end of the horizon too (the plan repeats); P divides the horizon
    # for that. An offset holds as many cameras as its fewest staffed operators (cap).
    n_steps_every = math.floor(n_every / step + 1e-9)
    step_ops = [ops[slot_pos(i * step)] for i in range(n_steps)]

    def caps(p: int) -> list[int]:
        out = []
        for x in range(p):
            staffed = [step_ops[x + j * p] for j in range(n_steps // p)
                       if step_ops[x + j * p] > 0]
            out.append(min(staffed) if staffed else 0)
        return out

    divisors = [d for d in range(1, n_steps + 1) if n_steps % d == 0]
    # The period meeting N: the largest within N that holds every tier-1 camera (most room
    # left to rule 2). When none holds them all, the shortest period that does: every camera
    # is still watched, each every P·step, the longest interval as short as a rotation with
    # these operators allows (review AY: one operator, 16 cameras every 30 min left C15
    # unwatched all day where a 16-view rotation watches all every 32 min). Only when the
    # whole horizon holds fewer views than tier-1 cameras are some left out.
    within = [d for d in divisors if d <= n_steps_every]
    period_n = max(within, default=1)  # the rotation N asks for
    period = next((d for d in [*within[::-1], *(d for d in divisors if d > n_steps_every)]
                   if sum(caps(d)) >= len(tier1)), divisors[-1] if divisors else 1)
    cap = caps(period)
    rot: dict[int, list[int]] = {x: [] for x in range(period)}
    unplaced: list[int] = []
    for c in (tier1[int(j)] for j in rng.permutation(len(tier1))):
        room = [x for x in range(period) if cap[x] - len(rot[x]) > 0]
        if not room:
            unplaced.append(c)
            continue
        most = max(cap[x] - len(rot[x]) for x in room)
        pick = [x for x in room if cap[x] - len(rot[x]) == most]
        rot[pick[int(rng.integers(len(pick)))]].append(c)

    # tours: the steps of each (slot position, tour of the slot), and the rotation's cameras
    # due in each step
    tour_of = [(slot_pos(i * step), int((i * step - starts[slot_pos(i * step)]) // tour_minutes))
               for i in range(n_steps)]
    due = [rot[i % period][:step_ops[i]] for i in range(n_steps)]
    tour_steps: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(tour_of):
        tour_steps.setdefault(key, []).append(i)

    # Local draws: each tour of a slot (a tour never crosses a slot's start: tours are cut
    # there) draws from its own stream, keyed by (seed, slot index, tour of the slot), and
    # takes a fixed count of numbers at every step whatever it draws. The recency weight looks
    # back within the slot and at the rotation's views only (both fixed by the slot's inputs
    # and the seed), never at the draws of the slot before. So a slot whose inputs (cameras,
    # tiers, risk shares, ground presence in the cameras' grids, operators) are the same draws
    # the same tours whatever changed elsewhere: a re-plan that changes one slot's ground
    # presence changes that slot's tours at most (session review HF: one changed weight used
    # to shift every later draw of the day: 15 of 24 tours after 12:00 listed as changed).
    last_fixed = {c: -horizon for c in range(len(cams))}  # the rotation's views
    last = dict(last_fixed)
    seen: dict[int, list[float]] = {c: [] for c in range(len(cams))}
    views: dict[tuple[int, int], list[View]] = {}  # (operator, slot position) -> views
    in_tour: list[set[int]] = []  # per operator: the cameras of its current tour
    draws = rng  # replaced at each tour's first step
    for i in range(n_steps):
        t = i * step
        k = slot_pos(t)
        m = step_ops[i]
        if i == 0 or tour_of[i] != tour_of[i - 1]:
            in_tour = [set() for _ in range(max(ops))]
            draws = np.random.default_rng(
                np.random.SeedSequence(seed, spawn_key=(slots[k].index, tour_of[i][1])))
        if i == 0 or k != slot_pos((i - 1) * step):
            last = dict(last_fixed)
        if m == 0 or not cams:
            continue
        # the rotation's cameras, each to an operator whose tour has not had it when one can
        # (a matching, augmenting paths); the rest to the operators left
        pinned = due[i]
        order = [int(x) for x in draws.permutation(m)] if m > 1 else [0]
        holder = _hand_out(pinned, order, in_tour)  # operator -> camera
        # the other operators: a weighted draw, one operator after another, among the cameras
        # not taken at this step; a camera watched within the last tour weighs less the more
        # recently it was watched (1/2500 just after). When there are at least as many
        # cameras as the tour has views, the draw also leaves out the cameras already in the
        # operator's tour and those the rotation brings later in the tour (they will be
        # watched then), relaxing these only when none is left, the tour last. With fewer
        # cameras repeats are bound to come and the draw is left to the weights (making each
        # camera come once first would flatten them: in test_video's three cameras, K2's views
        # over K1's, ten seeds, fell from 2.0 to 1.8).
        places = tour_steps[tour_of[i]]
        later = {c for j in places if j > i for c in due[j]}
        taken = set(holder.values())
        for op in order:
            if op in holder:
                continue
            # a race: each camera an exponential time over its weight, the first home drawn
            # (drawn with probability weight / the pool's weight, as a draw by cumulative
            # weights). One number per camera, drawn before the pool is known, keeps the
            # stream in step; and a weight that changes a little changes the draw only when
            # it changes the winner, where a cumulative draw moves with every weight before it
            race = -np.log1p(-draws.random(len(cams)))
            pool: list[int] = []
            skips = ((in_tour[op] | later, in_tour[op], set()) if len(cams) >= len(places)
                     else (set(),))
            for skip in skips:
                pool = [c for c in range(len(cams)) if c not in taken and c not in skip]
                if pool:
                    break
            if not pool:
                continue  # fewer cameras than operators: this one idles
            since = np.array([t - last[c] for c in pool], dtype=np.float64)
            w = weight[k, pool] * np.clip(since / tour_minutes, 0.02, 1.0) ** 2
            if (w > 0).any():
                with np.errstate(divide="ignore"):
                    home = np.where(w > 0, race[pool] / np.where(w > 0, w, 1.0), np.inf)
            else:
                home = race[pool]  # no weight anywhere: each camera alike
            drawn = pool[int(np.argmin(home))]
            holder[op] = drawn
            taken.add(drawn)
        for c in pinned:
            last_fixed[c] = t
        for op in sorted(holder):
            c = holder[op]
            last[c] = t
            seen[c].append(t)
            in_tour[op].add(c)
            views.setdefault((op, k), []).append(View(operator=op, camera=cams[c].id,
                                                      start=t, minutes=step))

    def cyclic_gap(ts: Sequence[float]) -> float | None:
        if not ts:
            return None
        return max([b - a for a, b in itertools.pairwise(ts)] + [horizon - ts[-1] + ts[0]])

    tours: list[Tour] = []
    for (op, k), vs in sorted(views.items()):
        s0 = starts[k]
        for _, group in itertools.groupby(vs, key=lambda v: int((v.start - s0) // tour_minutes)):
            part = tuple(group)
            tours.append(Tour(operator=op, slot=slots[k].index,
                              start=s0 + ((part[0].start - s0) // tour_minutes) * tour_minutes,
                              views=part))
    tours.sort(key=lambda x: (x.slot, x.operator, x.start))

    reports: list[CameraReport] = []
    for c, cam in enumerate(cams):
        inside = seen[c]
        gap: float | None = cyclic_gap(inside)
        reports.append(CameraReport(camera=cam.id, tier=tiers[cam.id], grid=cgrid[c],
                                    views=len(inside), max_interval=gap))
        if tiers[cam.id] == 1 and (gap is None or gap > n_every + 1e-6):
            what = "never watched" if gap is None else f"longest interval {gap:.0f} min"
            shortfalls.append(f"camera {cam.id} (tier 1): {what}, required every "
                              f"{n_every:g} min")
    idle = [s.index for s, m in zip(slots, ops, strict=True) if m == 0]
    if idle and cams:
        shown = ", ".join(str(s) for s in idle[:6]) + (" …" if len(idle) > 6 else "")
        shortfalls.append(f"no video operator in {len(idle)} slot(s): {shown}")
    if unplaced:
        need = math.ceil(len(tier1) / max(1, period_n))
        shortfalls.append(
            f"{len(tier1)} tier-1 cameras every {n_every:g} min with {step:g}-minute views "
            f"need at least {need} operator(s) at every step (a rotation of {period_n} views); "
            f"{len(unplaced)} camera(s) left out of the rotation: "
            f"{', '.join(sorted(cams[c].id for c in unplaced))}")
    return VideoPlan(tours=tuple(tours), cameras=tuple(reports), tier1_every_minutes=n_every,
                     operators=ops, shortfalls=tuple(shortfalls), seed=seed,
                     tier1_rotation_minutes=period * step if tier1 and cams else None)
