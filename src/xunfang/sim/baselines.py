"""Simple reference plans to simulate next to a plan (issue 6): ``posts``, ``even``,
``proportional``.

- ``posts``: every unit held at its home post (``planning.posture.hold_at_home``).
- ``even``: every ground unit (every mode but the drone) spread evenly over the grids in
  every slot, patrolling there; drones stay at their posts.
- ``proportional``: the same units shared among the grids in proportion to the recorded
  incidents of the year before the plan per grid in the slot's hour of day (largest
  remainders; with no history, as ``even``).

Both keep every unit within the grids the policy opens to it, as the plan must
(``deploy.inputs.unit_zones``: precinct units in their precinct's zone): the places per grid are
filled by the units with the fewest grids open to them first, the free units last.

Compared with a plan (``like=plan``), a baseline deploys the same force the same way the
policy binds it, and only that force by its own rule: a unit the plan has off duty in a slot
(no crew on the roster, out of service) is off in the baseline too, and units the policy
binds — fixed-post squads at their posts, the checkpoint team on its schedule, auxiliary forces
on their streets — keep the plan's assignment. The baseline spreads the mobile patrol units
(``deploy.unit_kind`` ``mobile``) by its rule. Who is on duty and who holds a post are inputs
of the deployment, not its choices; a baseline that patrolled with every unit, fixed posts
and all, around the clock would compare a different force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from xunfang import __version__
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, Slot
from xunfang.planning.deploy.inputs import unit_kind, unit_zones
from xunfang.planning.posture import hold_at_home
from xunfang.scenario.model import IntArray, Scenario
from xunfang.scenario.record import hour_unknown
from xunfang.sim.config import SimError

BASELINES = ("posts", "even", "proportional")


def _patrollers(scenario: Scenario) -> list[str]:
    return [u.id for u in scenario.units if u.mode != "drone"]


def _largest_remainder(weights: Sequence[float], n: int) -> list[int]:
    w = np.asarray(weights, dtype=np.float64)
    if n <= 0:
        return [0] * len(w)
    share = w / w.sum() * n if w.sum() > 0 else np.full(len(w), n / len(w))
    base = np.floor(share).astype(int)
    rest = n - int(base.sum())
    order = np.argsort(-(share - base), kind="stable")
    base[order[:rest]] += 1
    return [int(x) for x in base]


def _within_zones(movers: Sequence[str], alloc: Sequence[int],
                  allowed: dict[str, IntArray]) -> dict[str, int]:
    """Unit -> grid index: the places ``alloc`` (units per grid) filled by ``movers`` each
    within its zone — the units with the fewest grids open to them first (in the units
    file's order), each to the grid of its zone with the most places left (the lower index on
    a tie). Where a zone has more units than places, they go where its places are fewest
    overfilled; the free units (special, armed) then fill what is left."""
    left = [int(n) for n in alloc]
    order = sorted(range(len(movers)), key=lambda k: (len(allowed[movers[k]]), k))
    out: dict[str, int] = {}
    for k in order:
        u = movers[k]
        g = max(allowed[u].tolist(), key=lambda gi: (left[gi], -gi))
        left[g] -= 1
        out[u] = g
    return out


def baseline_plan(name: str, scenario: Scenario, slots: Sequence[Slot], *, seed: int = 0,
                  like: Plan | None = None) -> Plan:
    """The reference plan ``name`` (one of ``BASELINES``) over ``slots``; with ``like``, the
    units off duty there are off here too, the units the policy binds keep ``like``'s
    assignment, and only the other (mobile) units are spread by the baseline's rule."""
    if name not in BASELINES:
        raise SimError(f"unknown baseline {name!r}; use one of {', '.join(BASELINES)}")
    slots_t = tuple(slots)
    if like is not None:
        if tuple(s.start for s in like.slots) != tuple(s.start for s in slots_t):
            raise SimError(f"baseline {name!r}: the plan to compare with covers other slots")
        missing = sorted(set(like.units) - {u.id for u in scenario.units})
        if missing:
            raise SimError(f"baseline {name!r}: plan units not in scenario "
                           f"{scenario.name!r}: {', '.join(missing[:5])}")
    home = {a.unit + "@" + str(a.slot): a for a in hold_at_home(scenario, slots_t)}
    grids = scenario.areas_of("grid")
    if name != "posts" and not grids:
        raise SimError(f"baseline {name!r} needs grids; scenario {scenario.name!r} has none")
    counts = np.ones((len(grids), 24))
    inc = scenario.incidents
    # what a planner knew: the incidents before the first slot (a review: a plan of a day
    # inside the record shared its units by the year after it)
    known = (inc.time < np.datetime64(slots[0].start, "m") if slots
             else np.ones(len(inc), dtype=bool))
    if name == "proportional" and known.any():
        last = inc.time[known].max()
        recent = known & (inc.time > last - np.timedelta64(365, "D"))
        xy = inc.xy[recent]
        hours = ((inc.time[recent] - inc.time[recent].astype("datetime64[D]"))
                 .astype("timedelta64[h]").astype(np.int64))
        counts = np.zeros((len(grids), 24))
        # a record of dates (or a heap at 00:00): those count in each hour alike
        unknown = hour_unknown(inc.time[recent])
        cell = scenario.area_index("grid", xy)  # on a shared border: the first grid listed
        for g in range(len(grids)):
            inside = cell == g
            np.add.at(counts[g], hours[inside & ~unknown], 1.0)
            counts[g] += float((inside & unknown).sum()) / 24
    off = ({(a.unit, a.slot): a for a in like.assignments if a.duty == "off"}
           if like is not None else {})
    bound: dict[tuple[str, int], Assignment] = {}
    if like is not None:  # posts, checkpoints and auxiliary forces as the policy binds them
        kinds = {u.id: unit_kind(u) for u in scenario.units}
        bound = {(a.unit, a.slot): a for a in like.assignments
                 if a.duty != "off" and kinds[a.unit] in ("fixed", "checkpoint", "auxiliary")}
    patrollers = _patrollers(scenario)
    # the grids open to each unit, for the baselines that spread units over them
    allowed = unit_zones(scenario, RoadNetwork.from_scenario(scenario)) if name != "posts" else {}
    out: list[Assignment] = []
    for s in slots_t:
        movers = [u for u in patrollers if (u, s.index) not in off and (u, s.index) not in bound]
        if name == "posts":
            alloc: list[int] = []
        else:
            # every clock hour of the slot by the share of it the slot holds
            alloc = _largest_remainder(
                sum((x * counts[:, h] for h, x in s.hour_shares), np.zeros(len(grids))).tolist(),
                len(movers))
        grid_of = ({u: grids[g].id for u, g in _within_zones(movers, alloc, allowed).items()}
                   if alloc else {})
        for u in scenario.units:
            if (u.id, s.index) in off:
                a = off[(u.id, s.index)]
                out.append(Assignment(unit=u.id, slot=s.index, duty="off",
                                      note=f"baseline {name}: off as in the plan ({a.note})"))
            elif (u.id, s.index) in bound:
                out.append(replace(bound[(u.id, s.index)],
                                   note=f"baseline {name}: bound as in the plan"))
            elif u.id in grid_of:
                out.append(Assignment(unit=u.id, slot=s.index, duty="grid",
                                      grid=grid_of[u.id], note=f"baseline {name}"))
            else:
                out.append(home[f"{u.id}@{s.index}"])
    return Plan(scenario=scenario.name, inputs_hash=scenario.inputs_hash, seed=seed,
                version=__version__, slots=slots_t, units=tuple(u.id for u in scenario.units),
                assignments=tuple(out), stages=(f"baseline:{name}",))
