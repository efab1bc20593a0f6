"""Re-plan during the day (动态调整): from the state at a slot, the rest of the day again,
changing as little as needed.

The slots before ``state.at_slot`` are kept as planned (their assignments, shortfalls and
solver figures are the plan in force's). From it on, the per-slot model runs
again with the plan in force as its continuity anchor (a count that moves away from the plan
is penalised) and every unit kept in its planned place unless the counts ask otherwise (a unit
changing place costs more than any travel). Busy units are held at their incident's grid until
their last busy slot; units out of service are off from ``at_slot``; a hot incident raises
the risk share of its grid in the slots it names and asks for one unit more there than the
plan in force has (a shortfall when none can be found).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from xunfang.plan import Assignment
from xunfang.planning.deploy.inputs import DeployError, Inputs
from xunfang.planning.deploy.solve import Posture, plan_posture

#: How much a re-plan holds to the plan in force: the weight of a unit count moved away from
#: it (``Options.w_keep``, per unit over the slot's mobile units). At the posture's default
#: of 2 the over-deployment term outweighs it: on the county one hot grid sent 6 units
#: elsewhere home to reserve (11 with a unit out of service and one busy); from 10 on only the
#: moves some requirement asks for are made (the hot grid's extra unit, cover for the unit out
#: of service), the same at 10, 20, 50 and 200. With the posture's over-deployment weight at
#: 20 (it was 6), 10 no longer held: a re-plan of a re-plan moved 3 units; 50 holds again.
#: A plan made with ``w_keep`` set in its deployment options is re-planned with that instead
#: (:func:`xunfang.planning.deploy.from_plan.keep_weight`).
KEEP_WEIGHT = 50.0


@dataclass(frozen=True)
class Hot:
    """A new hot incident: ``grid`` gets ``share`` more of the risk (a share of the slot's
    total, e.g. 0.5 = half as much again) in slots ``first``..``last`` (slot indices)."""

    grid: str
    first: int
    last: int
    share: float = 0.5
    #: given by an earlier re-plan whose plan is now in force: its extra unit is already in
    #: that plan, so the re-plan keeps the count there (no further unit) and the risk
    carried: bool = False


@dataclass(frozen=True)
class ReplanState:
    """The day as it stands at slot ``at_slot`` (a slot index of the plan)."""

    at_slot: int
    busy: Mapping[str, tuple[int, str]] = field(default_factory=dict)  # unit -> (last
    # busy slot index, grid it is held in)
    out_of_service: tuple[str, ...] = ()
    #: units out of service from a later slot (index; an earlier re-plan's, kept)
    out_of_service_from: Mapping[str, int] = field(default_factory=dict)
    hot: tuple[Hot, ...] = ()
    #: units an earlier re-plan took out of service or held at an incident that are back
    #: from ``at_slot`` on: planned as any other unit on duty
    back_in_service: tuple[str, ...] = ()


def replan(inp: Inputs, in_force: Posture, state: ReplanState, *,
           checkpoint_at: Mapping[tuple[str, int], str] | None = None,
           keep_weight: float = KEEP_WEIGHT) -> Posture:
    """The rest of the day from ``state``: a posture of every slot, those before
    ``state.at_slot`` the plan in force's. ``changed`` counts the (unit, slot) whose place
    differs from ``in_force`` (all from ``state.at_slot`` on; see :func:`changes`).
    ``keep_weight`` replaces ``inp.options.w_keep`` (see :data:`KEEP_WEIGHT`)."""
    if not (math.isfinite(keep_weight) and keep_weight >= 0):
        raise DeployError(f"re-plan: keep_weight must be a finite number >= 0; got "
                          f"{keep_weight!r}")
    inp = replace(inp, options=replace(inp.options, w_keep=keep_weight))
    pos = {s.index: k for k, s in enumerate(inp.slots)}
    if state.at_slot not in pos:
        raise DeployError(f"re-plan: slot {state.at_slot} is not a slot of the plan "
                          f"({inp.slots[0].index}..{inp.slots[-1].index})")
    first = pos[state.at_slot]
    units = {u.id for u in inp.scenario.units}
    gids = set(inp.grids)
    for u in (*state.out_of_service, *state.out_of_service_from, *state.busy):
        if u not in units:
            raise DeployError(f"re-plan: unknown unit {u!r}")
    for u, k in state.out_of_service_from.items():
        if k not in pos:
            raise DeployError(f"re-plan: unit {u!r} out of service from slot {k}, not in "
                              "the plan")
    busy: dict[str, tuple[int, str]] = {}
    for u, (last, g) in state.busy.items():
        if g not in gids:
            raise DeployError(f"re-plan: unit {u!r} is busy in unknown grid {g!r}")
        if last not in pos:
            raise DeployError(f"re-plan: unit {u!r} busy until slot {last}, not in the plan")
        busy[u] = (pos[last], g)
    hot: dict[tuple[int, int], float] = {}
    hot_kept: dict[tuple[int, int], float] = {}
    gindex = {g: i for i, g in enumerate(inp.grids)}
    for h in state.hot:
        if h.grid not in gids:
            raise DeployError(f"re-plan: hot incident in unknown grid {h.grid!r}")
        if h.first not in pos or h.last not in pos or h.last < h.first:
            raise DeployError(f"re-plan: hot incident slots {h.first}..{h.last} are not a "
                              "range of the plan's slots")
        if not h.share >= 0:
            raise DeployError(f"re-plan: hot incident share must be >= 0; got {h.share}")
        into = hot_kept if h.carried else hot
        for k in range(pos[h.first], pos[h.last] + 1):
            into[(k, gindex[h.grid])] = into.get((k, gindex[h.grid]), 0.0) + h.share
    oos = {u: max(first, pos[k]) for u, k in state.out_of_service_from.items()}
    oos.update({u: first for u in state.out_of_service})
    # an earlier re-plan's busy run and a later one's out of service follow each other (the
    # run ends before the unit goes out: busy_at stops at the first slot not busy); only an
    # overlap is a contradiction (a review (H6 D): every re-plan starting inside such a run
    # failed, on the CLI too)
    for u, k in oos.items():
        if u in busy and k <= busy[u][0]:
            raise DeployError(f"re-plan: unit {u!r} is both busy and out of service in slot "
                              f"{inp.slots[k].index}")
    new = plan_posture(inp, checkpoint_at=checkpoint_at, first=first, anchor=in_force,
                       out_of_service=oos, busy=busy, hot=hot, hot_kept=hot_kept)
    # the slots before at_slot are the plan in force's: so are their shortfalls and solves
    kept = [f for f in in_force.shortfalls if pos.get(f.slot, -1) < first]
    solves = [x for x in in_force.solves if pos.get(x.slot, -1) < first]
    return replace(new, shortfalls=(*kept, *new.shortfalls), solves=(*solves, *new.solves),
                   changed=len(changes(in_force.assignments, new.assignments)))


def place(a: Assignment) -> tuple[str, str]:
    """Where an assignment puts its unit, as (duty, place): the place is the post, the grid,
    or the route's first and last node; an ``off`` duty has place ``""``. Notes and crews
    are not places: a unit that stays put with a new note has not moved."""
    if a.post is not None:
        return a.duty, a.post
    if a.grid is not None:
        return a.duty, a.grid
    if a.route:
        return a.duty, f"{a.route[0]}..{a.route[-1]}"
    return a.duty, ""


@dataclass(frozen=True)
class Change:
    """One unit in one slot whose place differs between two plans."""

    unit: str
    slot: int
    old: Assignment | None
    new: Assignment
    #: ``place`` (another duty or place) or ``streets`` (the same grid, other streets)
    what: str = "place"


def changes(before: Sequence[Assignment], after: Sequence[Assignment], *,
            place_of: Callable[[Assignment], tuple[str, str]] = place,
            place_before: Callable[[Assignment], tuple[str, str]] | None = None,
            streets: tuple[Callable[[Assignment], object],
                           Callable[[Assignment], object]] | None = None
            ) -> tuple[Change, ...]:
    """Every (unit, slot) of ``after`` whose place (``place_of``; for ``before``,
    ``place_before`` when given) differs from ``before``, in the order of ``after``; with
    ``streets`` (the streets a route of ``before`` and of ``after`` drives), also every
    route in the same place over other streets (``what``)."""
    old = {(a.unit, a.slot): a for a in before}
    was = place_before or place_of
    out: list[Change] = []
    for a in after:
        b = old.get((a.unit, a.slot))
        if b is None or was(b) != place_of(a):
            out.append(Change(a.unit, a.slot, b, a))
        elif (streets is not None and a.duty == b.duty == "route"
              and streets[0](b) != streets[1](a)):
            out.append(Change(a.unit, a.slot, b, a, what="streets"))
    return tuple(out)


def changed_units(a: Posture, b: Posture) -> Sequence[str]:
    """Units whose place differs between two postures in some slot."""
    return sorted({c.unit for c in changes(a.assignments, b.assignments)})
