"""The built-in county's plan (every stage wired) against the three baselines, 20 replications
on incidents sampled from the plan's own forecast (seed 1), for two days.

    PYTHONPATH=src python bench/plan_kpis.py
"""

from dataclasses import replace
from datetime import date

from xunfang.planning.pipeline import PlanRequest, build_plan
from xunfang.scenario import load
from xunfang.sim import RiskForecast, plan_kpis

sc = load("ebian")
for d in (date(2026, 11, 29), date(2026, 10, 1)):
    r = build_plan(sc, PlanRequest(start=d))
    src = replace(RiskForecast.from_history(sc, slot_minutes=60), risk=r.risk.risk)
    k = plan_kpis(sc, r.plan, src, start=d, days=1, replications=20, seed=1)
    rows = {"plan": k["plan"], **k["baselines"]}
    print(d, "routes shortfalls:", len(r.stages["routes"].get("shortfalls", [])),
          "posture shortfalls:", len(r.stages["posture"].get("shortfalls", [])))
    for name, v in rows.items():
        print(f"  {name:<13}", *(f"{key}={v[key]:.3f} [{v[key+'_ci'][0]:.3f},{v[key+'_ci'][1]:.3f}]"
                                 for key in ("response_within_target", "patrol_gap_minutes",
                                             "over_deployment", "visibility")))
