"""The entry point: replications of a plan against replayed or sampled incidents."""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from xunfang.network import RoadNetwork, snap
from xunfang.plan import Plan
from xunfang.scenario.model import Mode, Scenario
from xunfang.sim.config import SimConfig, SimError
from xunfang.sim.engine import EventLog, SimSetup, run_once, setup
from xunfang.sim.incidents import RiskForecast, SimIncidents, sample


@dataclass(frozen=True, eq=False)
class SimResult:
    """The replications of one run: the shared setup, and per replication its incidents and
    event log. ``seed`` is the seed all randomness came from; ``seconds`` the wall time of each
    replication (simulation only)."""

    setup: SimSetup
    incidents: tuple[SimIncidents, ...]
    logs: tuple[EventLog, ...]
    seed: int
    seconds: tuple[float, ...]
    source: str  # "replay" or "sample"

    @property
    def replications(self) -> int:
        return len(self.logs)


def simulate(
    scenario: Scenario,
    network: RoadNetwork,
    plan: Plan,
    incidents: SimIncidents | RiskForecast,
    *,
    start: date | datetime,
    days: int,
    replications: int = 1,
    seed: int = 0,
    config: SimConfig | None = None,
) -> SimResult:
    """Simulate ``plan`` for ``days`` days from ``start``, ``replications`` times.

    ``incidents`` is either a fixed list (replayed in every replication; the replications then
    differ by on-scene times and patrol choices) or a ``RiskForecast`` (fresh Poisson incidents
    in every replication). Each replication draws from its own stream of
    ``np.random.SeedSequence(seed).spawn(replications)``.
    """
    if replications < 1:
        raise SimError(f"replications must be at least 1; got {replications}")
    if seed < 0:
        raise SimError(f"seed must be a non-negative integer; got {seed}")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(replications)]
    t0 = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    if isinstance(incidents, RiskForecast):
        runs = tuple(sample(incidents, network.xy, days=days, rng=rng,
                            start_weekday=t0.weekday()) for rng in streams)
        source = "sample"
    else:
        runs = tuple(incidents for _ in streams)
        source = "replay"
    cfg = config or SimConfig()
    extra = None
    if cfg.travel == "network" and network.n_nodes > cfg.max_matrix_nodes:
        pts = np.vstack([r.xy for r in runs]) if runs else np.zeros((0, 2))
        # each incident's nearest node and both ends of its road, as the engine places it
        # (the car's roads when a car may respond): the unit drives to either end and along
        # the road, so both must be in the run's travel table
        if len(pts):
            edge_mode: Mode | None = ("car" if any(u.mode == "car" for u in scenario.units)
                                     else None)
            on = snap(network, pts, to="edge", mode=edge_mode)
            extra = np.unique(np.concatenate([snap(network, pts, to="node").node, on.u, on.v]))
    st = setup(scenario, network, plan, start=t0, days=days, config=cfg, extra_nodes=extra)
    logs = []
    secs = []
    for inc, rng in zip(runs, streams, strict=True):
        tic = _time.perf_counter()
        logs.append(run_once(st, network, inc, rng))
        secs.append(_time.perf_counter() - tic)
    return SimResult(setup=st, incidents=runs, logs=tuple(logs), seed=seed,
                     seconds=tuple(secs), source=source)
