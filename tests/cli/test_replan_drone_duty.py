"""A drone's duty after a re-plan is the sorties it flies (review H1: a sortie the re-plan's
drone stage drew and the recharge or the day's limit kept on the ground still stood in its
drone's duty, "drone: 1 sortie(s) over W, E", while plan.json's sorties and the simulator
did not have it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.cli.test_replan_cli import CARS_OUT, _lattice_replan


def _doc(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def test_a_drones_duty_is_the_sorties_it_flies(make_scenario: Callable[..., Path],
                                               tmp_path: Path) -> None:
    # both cars out: the afternoon thin, more sorties drawn than the day allows (CARS_OUT)
    _, out, _, _ = _lattice_replan(make_scenario, tmp_path, *CARS_OUT)
    doc = _doc(out)
    assert doc["stages"]["replan"]["drone_sorties_not_flown"]  # the case at hand
    air = doc["plan"]["drone_sorties"]
    slots = doc["plan"]["slots"]
    t0 = datetime.fromisoformat(slots[0]["start"])

    def span(k: int) -> tuple[float, float]:
        s = slots[k]
        a = (datetime.fromisoformat(s["start"]) - t0).total_seconds() / 60
        return a, a + s["minutes"]

    checked = 0
    for a in doc["plan"]["assignments"]:
        if a["unit"] != "D1" or a["slot"] < 12 or a["duty"] not in ("drone", "post"):
            continue
        lo, hi = span(a["slot"])
        up = [x for x in air if x["unit"] == "D1" and x["start"] < hi and x["end"] > lo]
        assert (a["duty"] == "drone") == bool(up), (a, up)
        if up:
            assert a["note"].startswith(f"drone: {len(up)} sortie(s)"), (a, up)
        checked += 1
    assert checked >= 6
    # the drones stage's summary says the same sorties and duties
    stage = doc["stages"]["drones"]
    flown = {(x["unit"], round(x["start"], 2)) for x in air}
    assert {(x["unit"], round(x["start"], 2)) for x in stage["sorties"]} == flown
    for d in stage["duties"]:
        if d["slot"] >= 12:
            lo, hi = span(d["slot"])
            up = [x for x in air if x["unit"] == d["unit"] and x["start"] < hi and x["end"] > lo]
            assert d["sorties"] == len(up), d
