"""Discrete-event simulation of a plan against incidents, and the KPIs of DESIGN.md §4.

``simulate(scenario, network, plan, incidents, start=, days=, replications=, seed=)`` returns
a ``SimResult`` (typed, columnar event logs); ``evaluate(result)`` the ``Kpis``;
``plan_kpis(...)`` the plan and the baselines in the shape of plan.json's ``kpis``.
"""

from xunfang.sim.baselines import BASELINES, baseline_plan
from xunfang.sim.config import SimConfig, SimError
from xunfang.sim.engine import DRONE_KINDS, KINDS, ROLES, STATUSES, EventLog, SimSetup
from xunfang.sim.incidents import RiskForecast, SimIncidents, history, read_file, sample
from xunfang.sim.kpis import HEADLINE, Kpis, evaluate, static_coverage
from xunfang.sim.simulate import SimResult, simulate
from xunfang.sim.sweep import Variant, make_variant, plan_kpis, run_sweep

__all__ = [
    "BASELINES",
    "DRONE_KINDS",
    "HEADLINE",
    "KINDS",
    "ROLES",
    "STATUSES",
    "EventLog",
    "Kpis",
    "RiskForecast",
    "SimConfig",
    "SimError",
    "SimIncidents",
    "SimResult",
    "SimSetup",
    "Variant",
    "baseline_plan",
    "evaluate",
    "history",
    "make_variant",
    "plan_kpis",
    "read_file",
    "run_sweep",
    "sample",
    "simulate",
    "static_coverage",
]
