"""The deployment stages after the posture, as the pipeline runs them: patrol routes, drone
sorties, the video desk's camera tours and the auxiliary forces.

Each takes the :class:`~xunfang.planning.pipeline.DeployContext` (the posture and what it was
planned from) and returns the assignments that replace the posture's for the same unit and
slot, with a JSON-ready summary whose ``shortfalls`` the report lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from xunfang.plan import Assignment, CameraView, DroneSortie
from xunfang.planning.auxiliary import place_auxiliary
from xunfang.planning.deploy.solve import BUSY
from xunfang.planning.drones import DroneParams, plan_drones, thin_cells
from xunfang.planning.places import place_nodes
from xunfang.planning.routes import plan_routes, posture_of, standing_of
from xunfang.planning.video import plan_video

if TYPE_CHECKING:
    from xunfang.planning.pipeline import DeployContext


@dataclass(frozen=True)
class PlanLayers:
    """What a stage adds to the plan besides assignments: the drones' sorties and the video
    desk's camera views (typed, for ``Plan.drone_sorties``/``Plan.camera_views``)."""

    drone_sorties: tuple[DroneSortie, ...] = ()
    camera_views: tuple[CameraView, ...] = ()


Result = (tuple[Sequence[Assignment], Mapping[str, object]]
          | tuple[Sequence[Assignment], Mapping[str, object], PlanLayers])

#: Operators at the video desk per slot when the scenario names none (its people have no
#: ``video`` squad): one, said in the stage's summary.
DEFAULT_VIDEO_OPERATORS = 1


def _risk(ctx: DeployContext) -> dict[tuple[str, int], float]:
    """Expected incidents per (grid, slot index) from the intel stage; 1 everywhere without."""
    grids = [a.id for a in ctx.scenario.areas_of("grid")]
    if ctx.risk is None:
        return {(g, s.index): 1.0 for g in grids for s in ctx.slots}
    row = {g: i for i, g in enumerate(ctx.risk.grids)}
    return {(g, s.index): float(ctx.risk.risk[row[g], k]) if g in row else 0.0
            for g in grids for k, s in enumerate(ctx.slots)}


def _with_crews(ctx: DeployContext, got: Sequence[Assignment]) -> tuple[Assignment, ...]:
    """The posture's crews stay on board when a later stage changes what a unit does."""
    crew = {(a.unit, a.slot): a.crew for a in ctx.posture.assignments}
    return tuple(replace(a, crew=crew.get((a.unit, a.slot), a.crew)) for a in got)


def routes_stage(ctx: DeployContext) -> Result:
    """Routes for every unit the posture puts on a grid: its mandatory lines at their
    frequency, its key sites at their revisit intervals, seeded order. A unit's route starts
    where it stood the slot before (staging, at a post or a site), not at its home post."""
    posture = posture_of(ctx.scenario, ctx.posture.assignments)
    if not posture:
        return (), {"skipped": "the posture puts no unit on grid patrol", "shortfalls": []}
    # a unit held at an incident stands there (ctx.held), whatever its row says
    standing = {k: n for k, n in standing_of(ctx.scenario, ctx.network,
                                             ctx.posture.assignments).items()
                if k not in ctx.held}
    rp = plan_routes(ctx.scenario, ctx.network, ctx.slots, posture, seed=ctx.seed,
                     kept_routes=ctx.kept_routes, kept_visits=ctx.kept_visits,
                     kept_starts=ctx.kept_starts, kept_until=ctx.kept_until, held=ctx.held,
                     standing=standing)
    return _with_crews(ctx, rp.to_assignments()), rp.as_json()


def drones_stage(ctx: DeployContext) -> Result:
    """Sorties over the grids the ground plan leaves thin (:func:`~xunfang.planning.drones.
    thin_cells`: a cell's share of the slot's risk above its share of the ground units)."""
    if not any(u.mode == "drone" for u in ctx.scenario.units):
        return (), {"skipped": "the scenario has no drones", "shortfalls": []}
    thin = thin_cells(_risk(ctx), ctx.ground)
    drones = {u.id for u in ctx.scenario.units if u.mode == "drone"}
    # a drone flies only in the slots the posture has it crewed (not "off": no pilot on
    # duty); a review found both county drones flying all day with no one to fly them
    on_duty: dict[int, list[str]] = {s.index: [] for s in ctx.slots}
    crews: dict[tuple[str, int], tuple[str, ...]] = {}
    for a in ctx.posture.assignments:
        if a.unit in drones and a.duty != "off" and a.slot in on_duty:
            on_duty[a.slot].append(a.unit)
        if a.duty != "off" and a.slot in on_duty:  # the ground units' too: whom they took
            crews[(a.unit, a.slot)] = a.crew
    # a ground unit a re-plan took out of service: its rostered crew is on duty, aboard
    # nothing (a review: the reason said "no pilot on duty" of two pilots on duty); one it
    # holds at an incident: off in the posture, its crew with it (the reason said so of a
    # pilot whose motorcycle was held)
    off = [a for a in ctx.posture.assignments
           if a.duty == "off" and a.slot in on_duty and a.unit not in drones]
    benched = {(a.unit, a.slot): tuple(ctx.inputs.crew.get((a.unit, a.slot), ()))
               for a in off if a.out_of_service}
    held = {(a.unit, a.slot): tuple(ctx.inputs.crew.get((a.unit, a.slot), ()))
            for a in off if a.note == BUSY}
    dp = plan_drones(ctx.scenario, ctx.network, ctx.slots, thin, seed=ctx.seed,
                     params=DroneParams.of(ctx.scenario.policy), on_duty=on_duty,
                     crews=crews, benched=benched, held=held)
    layers = PlanLayers(drone_sorties=tuple(
        DroneSortie(unit=x.unit, post=x.post, start=x.start, end=x.end, grids=x.grids,
                    waypoints=x.waypoints) for x in dp.sorties))
    return _with_crews(ctx, dp.to_assignments()), dp.as_json(), layers


def video_stage(ctx: DeployContext) -> Result:
    """Camera tours for the video desk, weighted by tier and risk, favouring places no unit
    covers; the desk's operators are not units, so no assignment changes."""
    if not ctx.scenario.posts_of("camera"):
        return (), {"skipped": "the scenario has no cameras", "shortfalls": []}
    ground = ctx.ground
    operators = sum(1 for p in ctx.scenario.people if p.squad == "video")
    note = ""
    if not operators:
        operators = DEFAULT_VIDEO_OPERATORS
        note = (f"the scenario names no video-desk staff (squad 'video'): "
                f"{operators} operator per slot assumed")
    vp = plan_video(ctx.scenario, ctx.slots, _risk(ctx), ground, operators=operators,
                    seed=ctx.seed)
    doc = dict(vp.as_json())
    if note:
        doc["note"] = note
    views = tuple(CameraView(operator=v.operator, camera=v.camera, start=v.start,
                             minutes=v.minutes) for t in vp.tours for v in t.views)
    return (), doc, PlanLayers(camera_views=views)


def auxiliary_stage(ctx: DeployContext) -> Result:
    """Grid workers, volunteers, merchant joint-defence groups and guards on their streets
    and hours: counted in visibility, never dispatched, never routed. The posture leaves every
    auxiliary unit off; this stage puts each one on duty only in the slots
    :func:`~xunfang.planning.auxiliary.place_auxiliary` places it, with its people as the
    crew: at a key site (a one-node route standing there the whole slot) or at its home post.
    What was not placed or counts in no grid is listed in the summary's ``shortfalls``."""
    ap = place_auxiliary(ctx.scenario, ctx.slots)
    minutes = {s.index: s.minutes for s in ctx.slots}
    # an auxiliary force stands at a site on foot: the site's node, else the nearest node a
    # walker can use (places.place_nodes, as every other stage finds a place's node)
    at_sites = sorted({p.place for p in ap.placements if p.at_site})
    by_id = {s.id: s for s in ctx.scenario.sites}
    found = place_nodes(ctx.network, [by_id[i] for i in at_sites], mode="foot")
    node_of = {i: ctx.network.node_ids[int(k)] for i, k in zip(at_sites, found, strict=True)}
    # what the planner said stands: a pin, or a unit out of service in a re-plan (a review:
    # both were overwritten by the placements of the unit's hours)
    held = {(a.unit, a.slot): a for a in ctx.posture.assignments
            if a.duty != "off" or a.out_of_service}
    out: list[Assignment] = []
    kept: list[str] = []
    for p in ap.placements:
        if (p.unit, p.slot) in held:
            kept.append(f"{p.unit}@{p.slot}")
            continue
        if p.at_site:
            out.append(Assignment(unit=p.unit, slot=p.slot, duty="route",
                                  route=(node_of[p.place],), stops=(float(minutes[p.slot]),),
                                  note=f"auxiliary force at {p.place} in its hours",
                                  crew=p.crew))
        else:
            out.append(Assignment(unit=p.unit, slot=p.slot, duty="post",
                                  post=p.place, note="auxiliary force at its post",
                                  crew=p.crew))
    doc = dict(ap.as_json())
    doc["shortfalls"] = [n for n in ap.notes if "not placed" in n or "outside every grid" in n]
    if kept:
        doc["kept_from_posture"] = kept  # pinned or out of service: not placed there
    return out, doc


STAGES = (("routes", routes_stage), ("drones", drones_stage), ("video", video_stage),
          ("auxiliary", auxiliary_stage))
