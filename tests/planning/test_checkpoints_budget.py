"""The checkpoint stage's time budgets for spreading and the flow sampler: at the budget the
plan still comes out, and its notes say what was cut short."""

from __future__ import annotations

from datetime import date

from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.checkpoints import plan_checkpoints


def test_the_notes_say_when_a_budget_cut_in() -> None:
    sc = scenario_mod.load("ebian")
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)
    kw = dict(max_types=1, changeover_minutes=3.0)
    cut = plan_checkpoints(sc, net, slots, 2, 0, spread_time_limit=0.0, sample_time_limit=0.0,
                           **kw)  # type: ignore[arg-type]
    assert cut.sampler == "flow"
    assert any("skipped" in n and "entropy bound is not improved" in n for n in cut.notes)
    assert any("time budget" in n for n in cut.notes)
    assert cut.days[0]  # a schedule all the same
    whole = plan_checkpoints(sc, net, slots, 2, 0, **kw)  # type: ignore[arg-type]
    assert not any("time limit" in n or "time budget" in n for n in whole.notes)
