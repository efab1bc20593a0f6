"""The command centre's storage and access control (SQLAlchemy 2, Alembic, argon2).

Typical use by ``serve`` and the web layer::

    from xunfang import store
    st = store.open_store(args.db)          # --db, else $XUNFANG_DB, else the user data folder
    first = store.ensure_admin(st)          # (name, password) once when there are no users
    sc = store.register_scenario(st, scenario, actor="serve")
    user = store.authenticate(st, name, password)      # AuthError (throttled) on failure
    token = store.create_session(st, user)             # cookie value; user_for_token(st, token)
    store.require(user, "plan.edit")                   # Forbidden unless the role permits
    row = store.save_plan(st, sc.id, plan, actor=user)  # audited; StoreInputError if bad

Errors (all :class:`xunfang._errors.XunfangError`): :class:`StoreInputError` (422, carries
``problems``), :class:`NotFound` (404), :class:`Conflict` (409), :class:`AuthError` (401),
:class:`Forbidden` (403), :class:`DatabaseUnavailable` (503, after retries).
"""

from __future__ import annotations

from xunfang.store.audit import list_audit, write_audit
from xunfang.store.auth import (
    ACTIONS,
    ALL_ACTIONS,
    LOCK_MINUTES,
    MAX_FAILURES,
    authenticate,
    create_session,
    create_user,
    ensure_admin,
    get_user,
    hash_password,
    list_users,
    permitted,
    purge_sessions,
    require,
    revoke_session,
    set_disabled,
    set_hash_cost,
    set_password,
    set_role,
    user_for_token,
    verify_password,
)
from xunfang.store.db import Store, data_dir, default_db_path, redact, resolve_url
from xunfang.store.errors import (
    AuthError,
    Conflict,
    DatabaseUnavailable,
    Forbidden,
    NotFound,
    StoreError,
    StoreInputError,
)
from xunfang.store.migrate import current_revision, head_revision, upgrade
from xunfang.store.models import (
    ALERT_SEVERITIES,
    ROLES,
    UNIT_STATUSES,
    AlertRow,
    AuditRow,
    IncidentRow,
    PlanRow,
    PositionRow,
    RosterRow,
    ScenarioRow,
    SessionRow,
    StatusRow,
    UnitLastRow,
    UserRow,
    utcnow,
)
from xunfang.store.repo import (
    CLOCK_SKEW_S,
    MARGIN_M,
    PLAN_COLUMNS_OF_DOCUMENT,
    IncidentIn,
    PlanSummary,
    PositionIn,
    acknowledge_alert,
    active_plan,
    clear_alert,
    count_incidents,
    delete_plan,
    delete_roster,
    delete_scenario,
    get_incident,
    get_plan,
    get_roster,
    get_scenario,
    import_incidents,
    incident_points,
    incidents_from_table,
    latest_positions,
    latest_status,
    list_alerts,
    list_incidents,
    list_plans,
    list_rosters,
    list_scenarios,
    load_plan,
    plan_summaries,
    plans_covering,
    position_history,
    prune_positions,
    raise_alert,
    record_positions,
    record_status,
    register_scenario,
    report_incident,
    save_plan,
    save_roster,
    save_scenario,
    scenario_by_name,
    scenario_fields,
    update_plan,
    update_roster,
)


def open_store(db: str | None = None, *, migrate: bool = True) -> Store:
    """The store at ``--db`` (else ``$XUNFANG_DB``, else the default file), schema upgraded."""
    st = Store(resolve_url(db))
    if migrate:
        upgrade(st)
    return st


__all__ = [
    "ACTIONS", "ALERT_SEVERITIES", "ALL_ACTIONS", "CLOCK_SKEW_S", "LOCK_MINUTES", "MARGIN_M",
    "MAX_FAILURES", "PLAN_COLUMNS_OF_DOCUMENT", "ROLES", "UNIT_STATUSES", "AlertRow",
    "AuditRow", "AuthError", "Conflict",
    "DatabaseUnavailable", "Forbidden", "IncidentIn", "IncidentRow", "NotFound", "PlanRow",
    "PlanSummary", "PositionIn", "PositionRow", "RosterRow", "ScenarioRow", "SessionRow",
    "StatusRow", "Store",
    "StoreError", "StoreInputError", "UnitLastRow", "UserRow", "acknowledge_alert", "active_plan",
    "authenticate", "clear_alert", "count_incidents", "create_session", "create_user",
    "current_revision", "data_dir", "default_db_path", "delete_plan", "delete_roster",
    "delete_scenario", "ensure_admin", "get_incident", "get_plan", "get_roster", "get_scenario",
    "get_user", "hash_password", "head_revision", "import_incidents", "incident_points",
    "incidents_from_table",
    "latest_positions", "latest_status", "list_alerts", "list_audit", "list_incidents",
    "list_plans", "list_rosters", "list_scenarios", "list_users", "load_plan", "open_store",
    "permitted", "plan_summaries", "plans_covering", "position_history", "prune_positions",
    "purge_sessions",
    "raise_alert", "record_positions", "record_status", "redact", "register_scenario",
    "report_incident",
    "require", "resolve_url", "revoke_session", "save_plan", "save_roster", "save_scenario",
    "scenario_by_name", "scenario_fields", "set_disabled", "set_hash_cost", "set_password",
    "set_role", "update_plan", "update_roster", "upgrade", "user_for_token", "utcnow",
    "verify_password", "write_audit",
]
