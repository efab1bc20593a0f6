"""Randomized checkpoints (高频率、无规则设卡盘查): a Bayesian Stackelberg security game.

The article's entrance checkpoints work "at high frequency and without pattern". As in ARMOR
(the checkpoints on the roads into Los Angeles airport), the defender commits to a mixed
strategy that an observing attacker cannot predict, found as a Strong Stackelberg Equilibrium,
and each day's schedule is drawn from it.

* :mod:`.game` — the game: (site, slot) targets, attacker types, payoffs, team counts,
  night-only sites, min/max staffing and the travel rule;
* :mod:`.solvers` — SSE solvers with HiGHS (ORIGAMI-style compact LP, multiple LPs, DOBSS) and
  the SSE check;
* :mod:`.sample` — comb sampling of daily schedules with exact marginals, the flow sampler
  where the travel rule binds, and the teams;
* :mod:`.stage` — the stage's entry point :func:`plan_checkpoints` (scenario → plan).
"""

from xunfang.planning.checkpoints.game import GameError, SecurityGame, make_game
from xunfang.planning.checkpoints.sample import (
    Decomposition,
    TravelError,
    assign_teams,
    comb_sample,
    flow_decompose,
    flow_sample,
    markov_sample,
)
from xunfang.planning.checkpoints.solvers import (
    Solution,
    SolverError,
    SSECheck,
    brute_force,
    check_sse,
    minimax,
    solve,
    solve_dobss,
    solve_multiple_lps,
    solve_origami,
    spread,
)
from xunfang.planning.checkpoints.stage import (
    Baseline,
    CheckpointPlan,
    CheckpointVisit,
    FreeTeam,
    Payoffs,
    ReserveTeam,
    ScheduleTable,
    UnmannedTeam,
    baselines,
    build_game,
    checkpoint_sites,
    default_teams,
    derive_payoffs,
    plan_checkpoints,
    read_payoffs,
)

__all__ = [
    "Baseline",
    "CheckpointPlan",
    "CheckpointVisit",
    "Decomposition",
    "FreeTeam",
    "GameError",
    "Payoffs",
    "ReserveTeam",
    "SSECheck",
    "ScheduleTable",
    "SecurityGame",
    "Solution",
    "SolverError",
    "TravelError",
    "UnmannedTeam",
    "assign_teams",
    "baselines",
    "brute_force",
    "build_game",
    "check_sse",
    "checkpoint_sites",
    "comb_sample",
    "default_teams",
    "derive_payoffs",
    "flow_decompose",
    "flow_sample",
    "make_game",
    "markov_sample",
    "minimax",
    "plan_checkpoints",
    "read_payoffs",
    "solve",
    "solve_dobss",
    "solve_multiple_lps",
    "solve_origami",
    "spread",
]
