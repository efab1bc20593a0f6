"""A plan of half-hour slots crews its rostered units in every slot, not only in those that
start on the hour (a review: the roster's hourly slots were looked up by the plan slot's own
start, so every :30 slot had no one on duty and the brigade's units off)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

EBIAN = Path(__file__).resolve().parents[2] / "src" / "xunfang" / "scenarios" / "ebian"


def test_half_hour_slots_have_the_crews_of_their_hour(tmp_path: Path) -> None:
    folder = tmp_path / "ebian"
    shutil.copytree(EBIAN, folder)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    assert "slot_minutes = 60" in toml
    (folder / "scenario.toml").write_text(toml.replace("slot_minutes = 60", "slot_minutes = 30"),
                                          encoding="utf-8")
    out = tmp_path / "p"
    done = CliRunner().invoke(app, ["plan", str(folder), "--out", str(out), "--from",
                                    "2026-12-04", "--lang", "en"])
    assert done.exit_code == 0, done.output
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    clock = {s["index"]: s["start"][11:16] for s in doc["plan"]["slots"]}
    assert len(clock) == 48
    on: dict[str, set[str]] = {}
    crews: dict[str, set[str]] = {}
    for a in doc["plan"]["assignments"]:
        if a["unit"].startswith("TX-") and a["duty"] != "off":
            on.setdefault(clock[a["slot"]], set()).add(a["unit"])
            crews.setdefault(clock[a["slot"]], set()).update(a.get("crew", ()))
    for h in range(24):
        hour, half = f"{h:02d}:00", f"{h:02d}:30"
        # the same people are on duty in both halves of an hour (the roster's grain)
        assert crews.get(half) == crews.get(hour), (hour, crews.get(hour), crews.get(half))
        assert on.get(half), half
