"""Discrete-event simulation of a plan against incidents, and the KPIs of DESIGN.md §4.

``simulate(scenario, network, plan, incidents, start=, days=, replications=, seed=)`` returns
a ``SimResult`` (typed, columnar event logs); ``evaluate(result)`` the ``Kpis``.
"""

from xunfang.sim.config import SimConfig, SimError
from xunfang.sim.engine import KINDS, ROLES, STATUSES, EventLog, SimSetup
from xunfang.sim.incidents import RiskForecast, SimIncidents, history, sample
from xunfang.sim.kpis import HEADLINE, Kpis, evaluate
from xunfang.sim.simulate import SimResult, simulate

__all__ = [
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
    "evaluate",
    "history",
    "sample",
    "simulate",
]
