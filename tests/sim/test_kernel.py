"""The compiled kernel and the readable Python engine run the same model: equal logs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Assignment, Plan, make_slots
from xunfang.sim import RiskForecast, SimConfig, simulate

DAY = date(2025, 1, 6)


def _plan(sc: scenario.Scenario) -> Plan:
    slots = make_slots(DAY, days=1, slot_minutes=60)
    grids = [a.id for a in sc.areas_of("grid")]
    line = sc.lines[0].nodes
    out = []
    for i, u in enumerate(sc.units):
        for s in slots:
            if u.id == "PS1-F" and s.index % 6 == 0:
                out.append(Assignment(unit=u.id, slot=s.index, duty="off"))
            elif u.id == "WJ-1" and s.index >= 20:
                out.append(Assignment(unit=u.id, slot=s.index, duty="route", route=line))
            elif u.mode in ("motorcycle", "balance", "foot"):
                g = grids[(i + s.index // 8) % len(grids)]  # grids change with the shift
                out.append(Assignment(unit=u.id, slot=s.index, duty="grid", grid=g))
            else:
                out.append(Assignment(unit=u.id, slot=s.index, duty="post", post=u.home_post))
    return Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t",
                slots=slots, units=tuple(u.id for u in sc.units), assignments=tuple(out))


def test_compiled_and_python_engines_agree_exactly() -> None:
    sc = scenario.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    plan = _plan(sc)
    # a heavy load, so that calls queue, units are taken off calls and second units go out
    fc = RiskForecast.from_history(sc, per_year=300_000)
    fast = SimConfig()
    slow = replace(fast, engine="python")
    a = simulate(sc, net, plan, fc, start=DAY, days=3, replications=2, seed=5, config=fast)
    b = simulate(sc, net, plan, fc, start=DAY, days=3, replications=2, seed=5, config=slow)
    for la, lb in zip(a.logs, b.logs, strict=True):
        assert la.d_preempted.sum() > 0 and (la.d_role == 2).sum() > 0
        assert (la.inc_dispatch > la.inc_minutes).sum() > 0  # some calls waited
        for name in ("inc_status", "inc_first_unit", "inc_second_unit", "inc_preempted",
                     "d_incident", "d_unit", "d_role", "d_preempted"):
            assert np.array_equal(getattr(la, name), getattr(lb, name)), name
        for name in ("inc_dispatch", "inc_arrival", "inc_travel", "inc_clear", "d_time",
                     "d_arrival", "d_clear", "d_travel"):
            assert np.allclose(getattr(la, name), getattr(lb, name), equal_nan=True,
                               rtol=0, atol=1e-9), name
        ka = np.lexsort((la.s_start, la.s_unit))
        kb = np.lexsort((lb.s_start, lb.s_unit))
        assert la.s_unit.shape == lb.s_unit.shape
        for name in ("s_unit", "s_kind", "s_from", "s_to"):
            assert np.array_equal(getattr(la, name)[ka], getattr(lb, name)[kb]), name
        for name in ("s_start", "s_end"):
            assert np.allclose(getattr(la, name)[ka], getattr(lb, name)[kb], atol=1e-9), name
