"""Review H4 #1: the dashboard's roster left out the crews on duty from 00:00 to 08:00 (29 rows
where the plan folder's roster.csv has 36: team C's night shift "from the day before", the 7
people crewing the units at 03:00). /api/roster/{id} gives roster.csv's rows, lead-in first,
in memory and read back from the store."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from xunfang.planning.roster import write_csv
from xunfang.planning.roster.result import LEAD_IN
from xunfang.web.centre import PlanEntry


def roster_csv(entry: PlanEntry, folder: Path) -> list[dict[str, str]]:
    """The plan folder's roster.csv of ``entry``'s plan (written as `xunfang plan` does)."""
    assert entry.result is not None and entry.result.roster is not None
    path = write_csv(entry.result.roster, folder / "roster.csv", with_lead_in=True)
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def duty_key(r: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(r["person"]), str(r["shift"]), str(r["start"]), str(r["end"]))


def check_roster(rows: list[dict[str, Any]], lead_in: int, entry: PlanEntry,
                 folder: Path) -> None:
    """The API's roster rows are roster.csv's, lead-in first, and everyone crewing a unit in
    any slot of the plan is on duty then by them (the rostered people: the auxiliary forces'
    volunteers and guards are not on the roster)."""
    want = roster_csv(entry, folder)
    assert [duty_key(r) for r in rows] == [duty_key(r) for r in want]
    lead = [r for r in want if r["reason"] == LEAD_IN]
    assert lead and lead_in == len(lead)
    assert all(r["reason"] == LEAD_IN for r in rows[:lead_in])
    p = entry.plan
    assert entry.result is not None and entry.result.roster is not None
    rostered = set(entry.result.roster.hours)
    for s in p.slots:
        t0 = s.start.isoformat(timespec="minutes")
        on = {r["person"] for r in rows if r["start"] <= t0 < r["end"]}
        crews = {c for u in p.units for c in p.at(u, s.index).crew} & rostered
        assert crews or s.index != p.slots[0].index
        assert crews <= on, (s.name, sorted(crews - on))


def test_the_roster_lists_the_night_shift_of_the_day_before(env, tmp_path) -> None:
    pid = env.centre.current
    r = env.login("viewer").get(f"/api/roster/{pid}").json()
    check_roster(r["rows"], r["lead_in"], env.centre.entry(pid), tmp_path)


def test_a_stored_roster_keeps_its_lead_in(new_env, tmp_path) -> None:
    """Read back from the store (no roster in memory, as after a restart)."""
    e2 = new_env()
    pid = e2.centre.current
    entry = e2.centre.entry(pid)
    with e2.centre._lock:  # the plan read back from the store, as a restarted centre does
        e2.centre._entries.pop(pid)
    assert e2.centre.entry(pid).result is None
    r = e2.login("viewer").get(f"/api/roster/{pid}").json()
    check_roster(r["rows"], r["lead_in"], entry, tmp_path)
