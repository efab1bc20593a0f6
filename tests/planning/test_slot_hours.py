"""Slots that are not one clock hour (scenario.toml ``slot_minutes``: 15, 30, 45, 120 …) count
every clock hour they overlap, by the share of it they hold. A re-read found three stages that
read only the slot's start hour: with 2-hour slots the posture missed a school's 07:00 crowd
(the 06:00 slot starts at 6), weighed the record of only the first hour and, with shifts
starting at odd hours, held no handover cover; with 45-minute slots the checkpoint game gave
the 00:45 slot the incidents of hour 0 and none of hour 1."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from xunfang import scenario as scenario_mod
from xunfang.network import RoadNetwork
from xunfang.plan import Slot, handovers, make_slots
from xunfang.planning.checkpoints.stage import derive_payoffs
from xunfang.planning.deploy.inputs import prepare
from xunfang.scenario.model import Scenario
from xunfang.scenario.record import weekly_counts, weights_of

DAY = date(2026, 12, 4)  # a Friday
EBIAN = Path(__file__).resolve().parents[2] / "src" / "xunfang" / "scenarios" / "ebian"


@pytest.mark.parametrize(("start", "minutes", "shares", "starts"), [
    ("06:00", 60, ((6, 1.0),), (6,)),
    ("06:00", 120, ((6, 1.0), (7, 1.0)), (6, 7)),
    ("06:30", 30, ((6, 0.5),), ()),
    ("00:45", 45, ((0, 0.25), (1, 0.5)), (1,)),
    ("01:30", 90, ((1, 0.5), (2, 1.0)), (2,)),
    ("23:00", 60, ((23, 1.0),), (23,)),
])
def test_hour_shares(start: str, minutes: int, shares: tuple[tuple[int, float], ...],
                     starts: tuple[int, ...]) -> None:
    s = Slot(index=0, start=datetime.fromisoformat(f"2026-12-04T{start}"), minutes=minutes)
    assert s.hour_shares == shares
    assert s.hour_starts == starts  # where a shift starting on the hour hands over
    assert s.clock_hours == tuple(h for h, _ in shares)
    assert sum(x for _, x in shares) * 60 == pytest.approx(minutes)


@pytest.mark.parametrize(("minutes", "starts", "at"), [
    (60, (8, 16, 0), ("00:00", "08:00", "16:00")),
    (120, (8, 16, 0), ("00:00", "08:00", "16:00")),
    (120, (7, 15, 23), ("06:00", "14:00", "22:00")),  # were none: no slot starts at 7
    (180, (8, 16, 0), ("00:00", "06:00", "15:00")),
    (30, (7, 15, 23), ("07:00", "15:00", "23:00")),  # not the :30 slots
])
def test_a_shift_hands_over_in_the_slot_that_holds_its_start(
        minutes: int, starts: tuple[int, ...], at: tuple[str, ...]) -> None:
    # one rule for the posture's handover cover and the checkpoint teams' fresh start
    slots = make_slots(DAY, days=1, slot_minutes=minutes)
    got = handovers(slots, starts)
    assert tuple(s.start.strftime("%H:%M") for s, h in zip(slots, got, strict=True) if h) == at


def _mini(make_scenario, incidents: str) -> Scenario:  # type: ignore[no-untyped-def]
    posts = ("id,name,kind,node\np1,Station,station,a\nA,West,checkpoint,a\n"
             "B,East,checkpoint,e\n")
    return scenario_mod.load(make_scenario({"posts.csv": posts, "incidents.csv": incidents}))


def test_checkpoint_payoffs_weigh_each_hour_by_the_share_the_slot_holds(
        make_scenario) -> None:  # type: ignore[no-untyped-def]
    # four incidents at A in hour 1 and four at B in hour 0, on record the week before
    rows = ["id,time,x,y,category,priority"]
    for d in range(4):
        rows.append(f"a{d},2026-11-2{d}T01:10,0,0,盗窃,2")
        rows.append(f"b{d},2026-11-2{d}T00:20,800,0,盗窃,2")
    sc = _mini(make_scenario, "\n".join(rows) + "\n")
    sites = [p for p in sc.posts if p.kind == "checkpoint"]
    quarter = make_slots(DAY, days=1, slot_minutes=45)
    got = derive_payoffs(sc, sites, quarter, radius_m=100.0).att_uncovered[0]
    # one attacker type (prior 1): the rate is share-weighted counts + 1, scaled to a max of 10
    rate = np.ones((2, len(quarter)))
    rate[1, 0] += 4 * 0.75  # 00:00–00:45: three quarters of hour 0 at B
    rate[0, 1] += 4 * 0.5   # 00:45–01:30: half of hour 1 at A (it had none before) …
    rate[1, 1] += 4 * 0.25  # … and a quarter of hour 0 at B
    rate[0, 2] += 4 * 0.5   # 01:30–02:15: the other half of hour 1 at A
    np.testing.assert_allclose(got, 10 * rate / rate.max())
    # a half-hour slot holds half its hour's incidents, an hour slot the whole
    half = derive_payoffs(sc, sites, make_slots(DAY, days=1, slot_minutes=30),
                          radius_m=100.0).att_uncovered[0]
    # A at 01:00 and 01:30: 1 + 4 / 2 = 3, the most of any; A at 00:00: the prior 1 alone
    assert half[0, 2] == half[0, 3] == pytest.approx(10.0)
    assert half[0, 0] == pytest.approx(10 / 3)  # 10 / 5 when each half held the whole hour
    hourly = derive_payoffs(sc, sites, make_slots(DAY, days=1, slot_minutes=60),
                            radius_m=100.0).att_uncovered[0]
    assert hourly[0, 1] == pytest.approx(10.0) and hourly[0, 0] == pytest.approx(10 / 5)


@pytest.fixture(scope="module")
def ebian() -> Scenario:
    return scenario_mod.load(EBIAN)


def test_two_hour_slots_hold_the_crowds_and_the_record_of_both_hours(ebian: Scenario) -> None:
    net = RoadNetwork.from_scenario(ebian)
    two = make_slots(DAY, days=1, slot_minutes=120)
    inp = prepare(ebian, net, two)
    crowd = {(s, site) for s, _g, site in inp.crowd}
    # S08 and S09 are primary schools (crowds at 7 and 16), S04 the bus station (7, 8, 17,
    # 18), S03 a square (19, 20, 21): the 06:00 and 18:00 slots hold hours 7 and 19
    assert {(3, "S08"), (3, "S09"), (8, "S08"), (3, "S04"), (4, "S04"), (8, "S04"),
            (9, "S04"), (9, "S03"), (10, "S03")} <= crowd
    assert (2, "S08") not in crowd and (4, "S08") not in crowd
    # the record of the slot is the incidents of both its hours of the week (Friday)
    counted, _weeks = weekly_counts(ebian, 60, two[0].start)
    assert inp.record_counts is not None and inp.record is not None
    col = 4 * 24 + 6
    np.testing.assert_allclose(inp.record_counts[:, 3], counted[:, col] + counted[:, col + 1])
    # weighed by the share of each hour the slot holds: 00:45-01:30 a quarter of hour 0 and
    # half of hour 1 (the counts the note cites: both hours' incidents)
    quarter = prepare(ebian, net, make_slots(DAY, days=1, slot_minutes=45))
    counted, weeks = weekly_counts(ebian, 60, quarter.slots[0].start)
    per_hour = weights_of(counted, weeks)
    assert quarter.record is not None and quarter.record_counts is not None
    col = 4 * 24
    np.testing.assert_allclose(quarter.record[:, 1],
                               0.25 * per_hour[:, col] + 0.5 * per_hour[:, col + 1])
    np.testing.assert_allclose(quarter.record_counts[:, 1], counted[:, col] + counted[:, col + 1])
    # and an hour slot's is its own hour's, as before
    col = 4 * 24 + 6
    hourly = prepare(ebian, net, make_slots(DAY, days=1, slot_minutes=60))
    assert hourly.record_counts is not None
    np.testing.assert_allclose(hourly.record_counts[:, 7], counted[:, col + 1])


@pytest.mark.parametrize("cols", [168, 24])
def test_the_simulator_weighs_a_slot_s_hours_as_the_posture_does(cols: int) -> None:
    from types import SimpleNamespace

    from xunfang.sim.kpis import _cell_weights

    w = np.arange(cols, dtype=np.float64)[None, :] + 1.0
    friday = 4 * 24 if cols == 168 else 0
    two = SimpleNamespace(slot_minutes=120, start_minute=0, start=datetime(2026, 12, 4))
    got = _cell_weights(two, w, 12)  # type: ignore[arg-type]
    np.testing.assert_allclose(got[0], [w[0, friday + 2 * k] + w[0, friday + 2 * k + 1]
                                        for k in range(12)])
    quarter = SimpleNamespace(slot_minutes=45, start_minute=0, start=datetime(2026, 12, 4))
    got = _cell_weights(quarter, w, 3)  # type: ignore[arg-type]
    np.testing.assert_allclose(got[0], [0.75 * w[0, friday],
                                        0.25 * w[0, friday] + 0.5 * w[0, friday + 1],
                                        0.5 * w[0, friday + 1] + 0.25 * w[0, friday + 2]])
