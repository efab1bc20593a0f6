"""Scenarios, incidents, plans, rosters, positions, status and alerts: all or nothing, audited,
and bad input refused with the field named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from tests.store.conftest import UNITS, make_plan
from xunfang import store as st_mod
from xunfang.store import (
    Conflict,
    Forbidden,
    IncidentIn,
    IncidentRow,
    NotFound,
    PositionIn,
    PositionRow,
    Store,
    StoreInputError,
    acknowledge_alert,
    active_plan,
    clear_alert,
    count_incidents,
    create_user,
    delete_plan,
    delete_roster,
    delete_scenario,
    get_plan,
    get_roster,
    get_scenario,
    import_incidents,
    latest_positions,
    latest_status,
    list_alerts,
    list_audit,
    list_incidents,
    list_plans,
    list_rosters,
    list_scenarios,
    load_plan,
    position_history,
    raise_alert,
    record_positions,
    record_status,
    report_incident,
    save_plan,
    save_roster,
    save_scenario,
    scenario_by_name,
    store_positions,
    update_plan,
    update_roster,
    utcnow,
)

INJECTION = "x'); DROP TABLE plans; -- <script>alert(1)</script>"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # 20:00 in Asia/Shanghai


def rows_of(store: Store, table: type) -> int:
    return int(store.run(lambda s: s.scalar(select(func.count()).select_from(table))) or 0)


def incident(i: int, **kw: object) -> IncidentIn:
    base: dict[str, object] = {"id": f"i{i}", "time": datetime(2026, 11, 1, 8, 0)
                               + timedelta(minutes=i), "x": 2000.0 + i, "y": 3000.0,
                               "category": "theft", "priority": 2}
    base.update(kw)
    return IncidentIn(**base)  # type: ignore[arg-type]


# -- scenarios ---------------------------------------------------------------------------------
def test_scenario_create_update_and_audit(store: Store, scenario_id: int) -> None:
    row = get_scenario(store, scenario_id)
    assert row.name == "town" and row.ids["units"] == list(UNITS)
    assert scenario_by_name(store, "town").id == scenario_id
    same = save_scenario(store, name="town", extent=row.extent, ids=row.ids, actor="test",
                         inputs_hash="h0", crs="local", timezone="Asia/Shanghai")
    assert same.id == scenario_id
    save_scenario(store, name="town", extent=row.extent, ids=row.ids, actor="bob",
                  inputs_hash="h1", crs="local", timezone="Asia/Shanghai")
    audit = list_audit(store, object_type="scenario", object_id=scenario_id)
    assert [(a.action, a.user) for a in audit] == [("update", "bob"), ("create", "test")]
    assert audit[0].detail == {"changed": ["inputs_hash"]}
    assert [s.name for s in list_scenarios(store)] == ["town"]


def test_bad_scenario_fields_are_named(store: Store) -> None:
    with pytest.raises(StoreInputError) as info:
        save_scenario(store, name="", extent=[0, 0, float("nan")], ids={"cars": []},
                      actor="t", timezone="Mars/Olympus")
    assert {p.column for p in info.value.problems} == {"name", "extent", "ids", "timezone"}
    assert list_scenarios(store) == []


def test_the_built_in_county_registers(store: Store) -> None:
    from xunfang.scenario.loader import load
    sc = load("ebian")
    row = st_mod.register_scenario(store, sc, actor="serve")
    assert row.name == sc.name and row.inputs_hash == sc.inputs_hash
    assert len(row.ids["units"]) == len(sc.units)
    x0, y0, x1, y1 = row.extent
    assert x0 < x1 and y0 < y1
    assert st_mod.register_scenario(store, sc, actor="serve").id == row.id


def test_unknown_ids_are_not_found(store: Store, scenario_id: int) -> None:
    with pytest.raises(NotFound, match="no scenario with id 999"):
        get_scenario(store, 999)
    with pytest.raises(NotFound, match="no scenario with id 'nowhere'"):
        scenario_by_name(store, "nowhere")
    with pytest.raises(NotFound, match="no plan with id 5"):
        get_plan(store, 5)
    with pytest.raises(NotFound, match="no roster with id 5"):
        get_roster(store, 5)
    with pytest.raises(NotFound, match="no scenario with id 77"):
        import_incidents(store, 77, [incident(1)], actor="t", now=NOW)
    with pytest.raises(NotFound, match="no scenario with id 77"):
        record_positions(store, 77, [], actor="t")
    with pytest.raises(NotFound, match="no alert with id 3"):
        acknowledge_alert(store, 3, actor="t")


# -- incidents ---------------------------------------------------------------------------------
def test_incidents_import_all(store: Store, scenario_id: int) -> None:
    assert import_incidents(store, scenario_id, [incident(i) for i in range(50)],
                            actor="pat", now=NOW) == 50
    assert count_incidents(store, scenario_id) == 50
    newest = list_incidents(store, scenario_id, limit=2)
    assert [r.ext_id for r in newest] == ["i49", "i48"]
    assert newest[0].created_by == "pat" and newest[0].source == "history"
    assert list_audit(store, object_type="incidents")[0].detail == {"rows": 50,
                                                                    "file": "incidents"}


def test_a_bad_row_in_the_middle_leaves_the_table_unchanged(store: Store,
                                                            scenario_id: int) -> None:
    import_incidents(store, scenario_id, [incident(i) for i in range(3)], actor="t", now=NOW)
    before = rows_of(store, IncidentRow)
    batch = [incident(i) for i in range(10, 30)]
    batch[10] = incident(20, x=9e9)  # row 11: far outside the jurisdiction
    with pytest.raises(StoreInputError) as info:
        import_incidents(store, scenario_id, batch, actor="t", file="upload.csv", now=NOW)
    (p,) = info.value.problems
    assert (p.file, p.row, p.column, p.rule) == ("upload.csv", 11, "x", "inside-jurisdiction")
    assert rows_of(store, IncidentRow) == before


def test_every_bad_incident_field_is_reported(store: Store, scenario_id: int) -> None:
    import_incidents(store, scenario_id, [incident(1)], actor="t", now=NOW)
    batch = [
        incident(1),  # already stored
        incident(2, id=""),
        incident(3, id="i3"), incident(4, id="i3"),  # repeated in the batch
        incident(5, time=datetime(2026, 11, 29, 12, 0)),  # future (local 20:00 on the 28th)
        incident(6, time="yesterday"),
        incident(7, x="east"),
        incident(8, priority=12),
        incident(9, category="c" * 101),
        incident(10, category="tab\x00null"),
    ]
    with pytest.raises(StoreInputError) as info:
        import_incidents(store, scenario_id, batch, actor="t", now=NOW)
    got = sorted((p.row or 0, p.column or "", p.rule) for p in info.value.problems)
    assert got == [(1, "id", "unique-id"), (2, "id", "required"), (4, "id", "unique-id"),
                   (5, "time", "not-future"), (6, "time", "datetime"), (7, "x", "number"),
                   (8, "priority", "priority"), (9, "category", "text-length"),
                   (10, "category", "text-control")]
    assert count_incidents(store, scenario_id) == 1


def test_a_database_failure_mid_import_rolls_everything_back(
        store: Store, scenario_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are inserted, then the audit write fails: the rows go too."""
    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("xunfang.store.repo.write_audit", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        import_incidents(store, scenario_id, [incident(i) for i in range(20)], actor="t",
                         now=NOW)
    assert count_incidents(store, scenario_id) == 0


def test_injection_in_text_is_stored_verbatim(store: Store, scenario_id: int) -> None:
    row = report_incident(store, scenario_id, incident(1, id=INJECTION[:100],
                                                       category=INJECTION, note=INJECTION),
                          actor="op", now=NOW)
    assert row.source == "live" and row.category == INJECTION and row.note == INJECTION
    plan = save_plan(store, scenario_id, make_plan(), actor="t", name=INJECTION)
    assert get_plan(store, plan.id).name == INJECTION
    assert set(inspect(store.engine).get_table_names()) >= {"plans", "incidents"}
    assert rows_of(store, IncidentRow) == 1


def test_operators_report_but_do_not_import(store: Store, scenario_id: int) -> None:
    op, _ = create_user(store, "olga", "operator", "password-1")
    viewer, _ = create_user(store, "vic", "viewer", "password-1")
    report_incident(store, scenario_id, incident(1), actor=op, now=NOW)
    with pytest.raises(Forbidden, match=r"may not incident.import"):
        import_incidents(store, scenario_id, [incident(2)], actor=op, now=NOW)
    with pytest.raises(Forbidden, match=r"may not incident.report"):
        report_incident(store, scenario_id, incident(3), actor=viewer, now=NOW)
    assert count_incidents(store, scenario_id) == 1


def test_incidents_from_an_ingested_table() -> None:
    import numpy as np

    from xunfang.intel.ingest import IncidentTable
    table = IncidentTable(ids=np.array(["a", "b"]),
                          time=np.array(["2026-11-01T08:00:05", "2026-11-01T09:00"],
                                        dtype="datetime64[s]"),
                          x=np.array([1.5, 2.0]), y=np.array([3.0, 4.0]), crs="local",
                          category=np.array(["theft", "fight"]), priority=np.array([1, 2]))
    rows = st_mod.incidents_from_table(table)
    assert rows[0] == IncidentIn(id="a", time=datetime(2026, 11, 1, 8, 0, 5), x=1.5, y=3.0,
                                 category="theft", priority=1)
    assert isinstance(rows[1].priority, int) and isinstance(rows[1].x, float)


# -- plans -------------------------------------------------------------------------------------
def test_plans_are_stored_with_hash_seed_and_content(store: Store, scenario_id: int) -> None:
    plan = make_plan(seed=11)
    row = save_plan(store, scenario_id, plan, actor="pat", name="day 1",
                    kpis={"response_p90": 4.2}, activate=True)
    got = get_plan(store, row.id)
    assert (got.inputs_hash, got.seed, got.version, got.n_slots, got.slot_minutes) == (
        "h0", 11, "test", 2, 720)
    assert got.start == datetime(2026, 11, 1, 0, 0)
    assert load_plan(got) == plan
    assert got.kpis == {"response_p90": 4.2} and got.active
    assert got.created_by == "pat"
    entry = list_audit(store, object_type="plan", object_id=row.id)[0]
    assert (entry.user, entry.action) == ("pat", "create")
    assert entry.detail is not None and entry.detail["seed"] == 11
    assert abs((utcnow() - entry.at).total_seconds()) < 60


def test_plan_json_dicts_are_accepted_and_checked(store: Store, scenario_id: int) -> None:
    row = save_plan(store, scenario_id, make_plan().as_dict(), actor="t")
    assert load_plan(row) == make_plan()
    with pytest.raises(StoreInputError, match=r"not a valid plan\.json") as info:
        save_plan(store, scenario_id, {"scenario": "town"}, actor="t")
    assert info.value.problems[0].rule == "plan-json"
    with pytest.raises(StoreInputError, match="must be a JSON object"):
        save_plan(store, scenario_id, ["not", "a", "plan"], actor="t")  # type: ignore[arg-type]
    assert len(list_plans(store, scenario_id)) == 1


def test_plans_naming_unknown_ids_are_refused(store: Store, scenario_id: int) -> None:
    with pytest.raises(StoreInputError) as info:
        save_plan(store, scenario_id, make_plan(post="p9", grid="g9"), actor="t")
    got = {(p.column, p.rule, p.row) for p in info.value.problems}
    assert got == {("post", "known-id", 1), ("grid", "known-id", 2),
                   ("post", "known-id", 4), ("grid", "known-id", 5)}
    with pytest.raises(StoreInputError, match="is for scenario 'other'"):
        save_plan(store, scenario_id, make_plan("other"), actor="t")
    assert list_plans(store) == []


def test_plan_changes_are_audited_with_who(store: Store, scenario_id: int) -> None:
    boss, _ = create_user(store, "boss", "commander", "password-1")
    a = save_plan(store, scenario_id, make_plan(seed=1), actor=boss, activate=True)
    b = save_plan(store, scenario_id, make_plan(seed=2), actor=boss)
    assert active_plan(store, scenario_id).id == a.id  # type: ignore[union-attr]
    update_plan(store, b.id, actor=boss, activate=True, name="better",
                plan=make_plan(seed=3), kpis={"k": 1})
    assert active_plan(store, scenario_id).id == b.id  # type: ignore[union-attr]
    assert not get_plan(store, a.id).active
    assert get_plan(store, b.id).seed == 3 and get_plan(store, b.id).updated_by == "boss"
    assert [p.id for p in list_plans(store, scenario_id)] == [b.id, a.id]
    delete_plan(store, a.id, actor=boss)
    audit = [(e.action, e.object_id, e.user) for e in list_audit(store, object_type="plan")]
    assert audit == [("delete", str(a.id), "boss"), ("update", str(b.id), "boss"),
                     ("create", str(b.id), "boss"), ("create", str(a.id), "boss")]
    assert list_audit(store, object_type="plan")[1].detail == {
        "changed": ["name", "content", "kpis", "active"]}
    with pytest.raises(NotFound):
        update_plan(store, a.id, actor=boss, name="x")


def test_viewers_and_operators_cannot_change_plans(store: Store, scenario_id: int) -> None:
    viewer, _ = create_user(store, "vic", "viewer", "password-1")
    op, _ = create_user(store, "olga", "operator", "password-1")
    row = save_plan(store, scenario_id, make_plan(), actor="system")
    for who in (viewer, op):
        with pytest.raises(Forbidden):
            save_plan(store, scenario_id, make_plan(), actor=who)
        with pytest.raises(Forbidden):
            update_plan(store, row.id, actor=who, name="mine")
        with pytest.raises(Forbidden):
            delete_plan(store, row.id, actor=who)
        with pytest.raises(Forbidden):
            save_roster(store, scenario_id, {"x": 1}, actor=who)
        with pytest.raises(Forbidden):
            delete_scenario(store, scenario_id, actor=who)
    assert len(list_plans(store)) == 1 and get_plan(store, row.id).name == ""


def test_no_active_plan_falls_back_to_the_newest(store: Store, scenario_id: int) -> None:
    assert active_plan(store, scenario_id) is None
    save_plan(store, scenario_id, make_plan(seed=1), actor="t")
    b = save_plan(store, scenario_id, make_plan(seed=2), actor="t")
    assert active_plan(store, scenario_id).id == b.id  # type: ignore[union-attr]


# -- rosters -----------------------------------------------------------------------------------
def test_rosters_are_stored_updated_and_audited(store: Store, scenario_id: int) -> None:
    plan = save_plan(store, scenario_id, make_plan(), actor="t")
    r = save_roster(store, scenario_id, {"on_duty": {"2026-11-01": ["a"]}}, actor="pat",
                    plan_id=plan.id, name="Nov")
    update_roster(store, r.id, {"on_duty": {}}, actor="kim", name="Nov v2")
    got = get_roster(store, r.id)
    assert got.content == {"on_duty": {}} and got.name == "Nov v2" and got.updated_by == "kim"
    assert [x.id for x in list_rosters(store, scenario_id, plan_id=plan.id)] == [r.id]
    delete_roster(store, r.id, actor="kim")
    assert [(e.action, e.user) for e in list_audit(store, object_type="roster")] == [
        ("delete", "kim"), ("update", "kim"), ("create", "pat")]


def test_bad_rosters_are_refused(store: Store, scenario_id: int) -> None:
    with pytest.raises(StoreInputError) as info:
        save_roster(store, scenario_id, {"x": float("nan")}, actor="t", plan_id=42)
    assert {(p.column, p.rule) for p in info.value.problems} == {("content", "json"),
                                                                 ("plan_id", "known-id")}
    assert list_rosters(store, scenario_id) == []


def test_deleting_a_scenario_removes_what_it_holds(store: Store, scenario_id: int) -> None:
    save_plan(store, scenario_id, make_plan(), actor="t")
    import_incidents(store, scenario_id, [incident(1)], actor="t", now=NOW)
    record_positions(store, scenario_id, [PositionIn("u1", NOW, 2000, 3000)], actor="t",
                     now=NOW)
    delete_scenario(store, scenario_id, actor="boss")
    assert list_scenarios(store) == [] and list_plans(store) == []
    assert rows_of(store, IncidentRow) == 0 and rows_of(store, PositionRow) == 0
    assert list_audit(store, object_type="scenario")[0].action == "delete"


# -- positions and status ----------------------------------------------------------------------
def batch(n: int, t0: datetime = NOW - timedelta(minutes=10)) -> list[PositionIn]:
    return [PositionIn(UNITS[i % 3], t0 + timedelta(seconds=i), 2000.0 + i, 3000.0 + i,
                       speed_kph=30.0) for i in range(n)]


def test_positions_are_stored_in_batches(store: Store, scenario_id: int) -> None:
    assert record_positions(store, scenario_id, batch(300), actor="gw", source="gps",
                            now=NOW) == 300
    last = latest_positions(store, scenario_id)
    assert [(p.unit, p.x) for p in last] == [("u1", 2297.0), ("u2", 2298.0), ("u3", 2299.0)]
    hist = position_history(store, scenario_id, "u2", since=NOW - timedelta(minutes=10),
                            until=NOW)
    assert len(hist) == 100 and hist[0].t < hist[-1].t and hist[0].source == "gps"
    assert hist[0].t.tzinfo is None  # naive UTC


def test_aware_times_are_converted_to_utc(store: Store, scenario_id: int) -> None:
    from zoneinfo import ZoneInfo
    t = datetime(2026, 11, 28, 19, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    record_positions(store, scenario_id, [PositionIn("u1", t, 2000, 3000)], actor="t",
                     now=NOW)
    assert latest_positions(store, scenario_id)[0].t == datetime(2026, 11, 28, 11, 30)


def test_bad_positions_are_refused_with_row_and_field(store: Store, scenario_id: int) -> None:
    good = batch(4)
    bad = [
        *good,
        PositionIn("u9", NOW, 2000, 3000),  # 5: unknown unit
        PositionIn("u1", NOW, 500_000.0, 3000),  # 6: far outside
        PositionIn("u2", NOW + timedelta(hours=1), 2000, 3000),  # 7: future
        PositionIn("u1", NOW - timedelta(hours=1), 2000, 3000),  # 8: before row 6's u1
        PositionIn("u3", NOW, float("inf"), 3000),  # 9: not finite
        PositionIn("u3", "now", 2000, 3000),  # type: ignore[arg-type]  # 10: not a time
        PositionIn("u3", NOW, 2000, 3000, speed_kph=-5),  # 11: negative speed
    ]
    with pytest.raises(StoreInputError) as info:
        record_positions(store, scenario_id, bad, actor="gw", now=NOW)
    got = sorted((p.row or 0, p.column or "", p.rule) for p in info.value.problems)
    assert got == [(5, "unit", "known-id"), (6, "x", "inside-jurisdiction"),
                   (7, "t", "not-future"), (8, "t", "time-order"), (9, "x", "number"),
                   (10, "t", "datetime"), (11, "speed_kph", "number")]
    assert rows_of(store, PositionRow) == 0


def test_positions_before_the_last_stored_one_are_refused(store: Store,
                                                          scenario_id: int) -> None:
    record_positions(store, scenario_id, batch(3, NOW - timedelta(minutes=1)), actor="t",
                     now=NOW)
    late = [PositionIn("u3", NOW, 2000, 3000),
            PositionIn("u1", NOW - timedelta(minutes=5), 2000, 3000)]
    with pytest.raises(StoreInputError, match="before its last stored position") as info:
        record_positions(store, scenario_id, late, actor="t", now=NOW)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "t")]
    assert rows_of(store, PositionRow) == 3
    # equal times are not out of order: the same fix sent again (a unit standing still
    # reporting twice, a gateway's retry) is skipped as a duplicate, not refused
    again = store_positions(store, scenario_id, batch(3, NOW - timedelta(minutes=1)),
                            actor="t", now=NOW)
    assert (again.stored, again.duplicates) == (0, (1, 2, 3))
    assert rows_of(store, PositionRow) == 3


def test_a_small_clock_skew_is_tolerated(store: Store, scenario_id: int) -> None:
    ahead = NOW + timedelta(seconds=st_mod.CLOCK_SKEW_S - 1)
    assert record_positions(store, scenario_id, [PositionIn("u1", ahead, 2000, 3000)],
                            actor="t", now=NOW) == 1


def test_viewers_cannot_post_positions(store: Store, scenario_id: int) -> None:
    viewer, _ = create_user(store, "vic", "viewer", "password-1")
    with pytest.raises(Forbidden, match=r"may not position.post"):
        record_positions(store, scenario_id, batch(1), actor=viewer, now=NOW)


def test_status_changes(store: Store, scenario_id: int) -> None:
    inc = report_incident(store, scenario_id, incident(1), actor="op", now=NOW)
    record_status(store, scenario_id, "u1", "available", actor="op", t=NOW, now=NOW)
    record_status(store, scenario_id, "u1", "responding", actor="op", incident_id=inc.id,
                  t=NOW + timedelta(minutes=1), now=NOW + timedelta(minutes=1))
    record_status(store, scenario_id, "u2", "off", actor="op", t=NOW, now=NOW)
    now = latest_status(store, scenario_id)
    assert {u: r.status for u, r in now.items()} == {"u1": "responding", "u2": "off"}
    assert now["u1"].incident_id == inc.id
    with pytest.raises(StoreInputError) as info:
        record_status(store, scenario_id, "u7", "asleep", actor="op", incident_id=999,
                      t=NOW + timedelta(days=1), now=NOW)
    assert {(p.column, p.rule) for p in info.value.problems} == {
        ("unit", "known-id"), ("status", "status-known"), ("t", "not-future"),
        ("incident_id", "known-id")}
    with pytest.raises(StoreInputError, match="before the unit's last status"):
        record_status(store, scenario_id, "u1", "available", actor="op", t=NOW, now=NOW)


# -- alerts ------------------------------------------------------------------------------------
def test_alerts_open_once_clear_and_are_acknowledged(store: Store, scenario_id: int) -> None:
    op, _ = create_user(store, "olga", "operator", "password-1")
    a, created = raise_alert(store, scenario_id, "site_overdue", "s1",
                             message="site s1 not visited for 75 min", severity="critical",
                             data={"minutes": 75})
    assert created
    again, created = raise_alert(store, scenario_id, "site_overdue", "s1", message="80 min")
    assert not created and again.id == a.id
    b, _ = raise_alert(store, scenario_id, "unit_outside_grid", "u2", message="u2 left g1")
    assert [x.id for x in list_alerts(store, scenario_id)] == [a.id, b.id]
    assert [x.id for x in list_alerts(store, scenario_id, after_id=a.id)] == [b.id]
    acked = acknowledge_alert(store, a.id, actor=op)
    assert acked.acknowledged_by == "olga" and acked.cleared_at is None
    cleared = clear_alert(store, scenario_id, "site_overdue", "s1")
    assert cleared is not None and cleared.cleared_at is not None
    assert clear_alert(store, scenario_id, "site_overdue", "s1") is None
    assert [x.id for x in list_alerts(store, scenario_id)] == [b.id]
    assert len(list_alerts(store, scenario_id, open_only=False)) == 2
    fresh, created = raise_alert(store, scenario_id, "site_overdue", "s1", message="again")
    assert created and fresh.id not in (a.id, b.id)
    viewer, _ = create_user(store, "vic", "viewer", "password-1")
    with pytest.raises(Forbidden):
        acknowledge_alert(store, b.id, actor=viewer)


def test_bad_alerts_are_refused(store: Store, scenario_id: int) -> None:
    with pytest.raises(StoreInputError) as info:
        raise_alert(store, scenario_id, "", "s1", message="m", severity="panic")
    assert {p.column for p in info.value.problems} == {"kind", "severity"}
    assert list_alerts(store, scenario_id) == []


def test_conflict_is_a_store_error() -> None:
    assert issubclass(Conflict, st_mod.StoreError)


def test_the_last_position_never_moves_back(store: Store, scenario_id: int) -> None:
    """Two gateways racing: an older batch committed after a newer one keeps the newer last."""
    from xunfang.store.repo import _upsert_last
    record_positions(store, scenario_id, [PositionIn("u1", NOW, 2500, 3500)], actor="t",
                     now=NOW)
    older = {"scenario_id": scenario_id, "unit": "u1", "t": (NOW - timedelta(minutes=1))
             .replace(tzinfo=None), "x": 1.0, "y": 1.0, "speed_kph": None, "heading": None,
             "source": "late", "received_at": utcnow()}
    store.run(lambda s: _upsert_last(s, store.is_sqlite, [older]))
    (last,) = latest_positions(store, scenario_id)
    assert (last.x, last.y) == (2500.0, 3500.0)


def test_a_failure_while_saving_a_plan_leaves_no_plan(
        store: Store, scenario_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("audit table gone")

    monkeypatch.setattr("xunfang.store.repo.write_audit", boom)
    with pytest.raises(RuntimeError, match="audit table gone"):
        save_plan(store, scenario_id, make_plan(), actor="t", activate=True)
    with pytest.raises(RuntimeError):
        save_roster(store, scenario_id, {"a": 1}, actor="t")
    assert list_plans(store) == [] and list_rosters(store, scenario_id) == []


def test_prune_keeps_recent_history_and_the_last_position(store: Store,
                                                          scenario_id: int) -> None:
    record_positions(store, scenario_id, batch(30, NOW - timedelta(days=2)), actor="t", now=NOW)
    record_positions(store, scenario_id, batch(3, NOW - timedelta(minutes=1)), actor="t",
                     now=NOW)
    assert st_mod.prune_positions(store, scenario_id, NOW - timedelta(days=1)) == 30
    assert rows_of(store, PositionRow) == 3
    assert len(latest_positions(store, scenario_id)) == 3


def test_prune_reads_the_index_not_every_row(store: Store, scenario_id: int) -> None:
    """Each delete of the prune is a range of the (scenario_id, unit, t) index (a review: one
    delete over the scenario scanned all of its rows every hour). Checked on SQLite's query
    plans of the statements the prune runs."""
    if not store.is_sqlite:
        pytest.skip("the query plans read are SQLite's")
    from sqlalchemy import event

    record_positions(store, scenario_id, batch(30, NOW - timedelta(days=2)), actor="t", now=NOW)
    seen: list[tuple[str, object]] = []

    def grab(conn: object, cursor: object, statement: str, params: object, *a: object) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM UNIT_POSITIONS"):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        assert st_mod.prune_positions(store, scenario_id, NOW - timedelta(days=1)) == 30
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    assert seen
    with store.engine.connect() as conn:
        for statement, params in seen:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params))  # type: ignore[arg-type]
            assert "USING" in plan and "INDEX" in plan and "unit=?" in plan, plan
