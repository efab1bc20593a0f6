"""Deployment (勤务部署): the posture of every unit in every slot, shortfalls, re-plans.

``deploy`` plans a day from the roster, the risk table and the checkpoint schedule;
``replan`` recomputes the rest of a day from a state (units busy or out of service, a new hot
incident), changing as little as needed. See :mod:`.solve` for the model.
"""

from xunfang.planning.deploy.inputs import (
    CREW_MIN,
    SWORN_ROLES,
    DeployError,
    Inputs,
    Options,
    Pin,
    crew_pools,
    prepare,
    unit_kind,
    units_on_duty,
)
from xunfang.planning.deploy.replan import ReplanState, replan
from xunfang.planning.deploy.solve import Posture, Shortfall, SlotSolve, plan_posture

__all__ = [
    "CREW_MIN",
    "SWORN_ROLES",
    "DeployError",
    "Inputs",
    "Options",
    "Pin",
    "Posture",
    "ReplanState",
    "Shortfall",
    "SlotSolve",
    "crew_pools",
    "plan_posture",
    "prepare",
    "replan",
    "unit_kind",
    "units_on_duty",
]
