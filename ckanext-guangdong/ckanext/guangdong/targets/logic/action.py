"""API actions of the targets feature. Reads are public; every figure comes from SQL
aggregates over the events tables (counting.py), never from per-dataset actions."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from sqlalchemy import text

from ckanext.guangdong import params
from ckanext.guangdong.targets import counting, db, report, store

__all__ = ["guangdong_target_progress", "guangdong_open_stats", "guangdong_target_list",
           "guangdong_target_save", "guangdong_target_delete", "guangdong_target_audit",
           "guangdong_targets_snapshot", "guangdong_targets_snapshot_show"]


# Dates the figures may be asked for (as target deadlines: store.DATE_MIN to DATE_MAX).
AS_OF_MIN, AS_OF_MAX = store.DATE_MIN, store.DATE_MAX


def parse_as_of(value: Any, key: str = "as_of") -> dt.date:
    if value is None or value == "":
        return counting.today(db.rules())
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip()[:10]) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None:
            raise tk.ValidationError({key: [tk._("A date in the form YYYY-MM-DD")]})
    if not AS_OF_MIN <= day <= AS_OF_MAX:
        raise tk.ValidationError({key: [tk._("A date from %(min)s to %(max)s")
                                        % {"min": AS_OF_MIN.isoformat(), "max": AS_OF_MAX.isoformat()}]})
    return day


def _user(context: Context) -> str:
    return context.get("user") or "unknown"


@tk.side_effect_free
def guangdong_target_progress(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Progress of every active target on ``as_of`` (YYYY-MM-DD, default today): count,
    threshold, percent, deadline, days left, 90-day projection and status
    (met / on_track / at_risk / missed). Optional ``id`` limits it to one target."""
    tk.check_access("guangdong_target_progress", context, data_dict)
    as_of = parse_as_of(data_dict.get("as_of"))
    target_id = params.as_id(data_dict, "id")
    conn = db.connection()
    targets = store.list_targets(conn)
    if target_id:
        targets = [t for t in targets if t.id == target_id]
        if not targets:
            raise tk.ObjectNotFound(tk._("Target not found"))
    return {"as_of": as_of.isoformat(), "targets": report.target_progress(conn, targets, as_of, db.rules())}


@tk.side_effect_free
def guangdong_open_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Open datasets and applications on ``as_of``: totals, counts by organization, department,
    city, theme, access rights, format and frequency, and monthly cumulative series
    (``series=false`` leaves them out)."""
    tk.check_access("guangdong_open_stats", context, data_dict)
    as_of = parse_as_of(data_dict.get("as_of"))
    with_series = params.as_bool(data_dict, "series", True)
    return report.open_stats(db.connection(), as_of, db.rules(), with_series=with_series)


@tk.side_effect_free
def guangdong_target_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    tk.check_access("guangdong_target_list", context, data_dict)
    include = params.as_bool(data_dict, "include_inactive", False)
    return [t.as_dict() for t in store.list_targets(db.connection(), include_inactive=include)]


def guangdong_target_save(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create or update a target (sysadmins); the change is written to the audit trail."""
    tk.check_access("guangdong_target_save", context, data_dict)
    try:
        target = store.parse(data_dict)
    except store.TargetError as error:
        raise tk.ValidationError(error.errors) from error
    conn = db.connection()
    action = "updated" if store.get_target(conn, target.id) else "created"
    store.save(conn, target, _user(context), action)
    model.Session.commit()
    return target.as_dict()


def guangdong_target_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    tk.check_access("guangdong_target_delete", context, data_dict)
    target_id = params.as_id(data_dict, "id")
    if not target_id:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    target = store.deactivate(db.connection(), target_id, _user(context))
    if target is None:
        raise tk.ObjectNotFound(tk._("Target not found"))
    model.Session.commit()
    return target.as_dict()


@tk.side_effect_free
def guangdong_target_audit(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    tk.check_access("guangdong_target_audit", context, data_dict)
    return store.audit_trail(db.connection(), params.as_id(data_dict, "id"),
                             params.as_int(data_dict, "limit", 200, 1, 1000))


def guangdong_targets_snapshot(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reconcile the event record with the catalog, then store today's (or ``as_of``'s)
    progress and statistics in the daily snapshot table (replacing that day's row)."""
    tk.check_access("guangdong_targets_snapshot", context, data_dict)
    from ckanext.guangdong.events import backfill
    from ckanext.guangdong.events import service as events
    conn = db.connection()
    reconciled = backfill.reconcile(conn, events.utcnow())
    as_of = parse_as_of(data_dict.get("as_of"))
    rules = db.rules()
    from ckanext.guangdong.targets import counting, cube
    regions = {i: o.get("region_code") for i, o in counting.organizations(conn).items()}
    cube.fill(conn, rules, regions, events.utcnow())  # month ends for fast as_of queries
    progress = report.target_progress(conn, store.list_targets(conn), as_of, rules)
    stats = report.open_stats(conn, as_of, rules, with_series=False)
    conn.execute(text("""
        INSERT INTO guangdong_targets_snapshot (snapshot_date, taken_at, progress, stats)
        VALUES (:d, :at, CAST(:p AS jsonb), CAST(:s AS jsonb))
        ON CONFLICT (snapshot_date) DO UPDATE SET taken_at = EXCLUDED.taken_at,
            progress = EXCLUDED.progress, stats = EXCLUDED.stats"""),
        {"d": as_of, "at": events.utcnow(), "p": json.dumps(progress, ensure_ascii=False),
         "s": json.dumps(stats, ensure_ascii=False)})
    model.Session.commit()
    return {"snapshot_date": as_of.isoformat(), "reconciled": reconciled,
            "datasets": stats["datasets"], "applications": stats["applications"],
            "targets": {p["id"]: p["status"] for p in progress}}


@tk.side_effect_free
def guangdong_targets_snapshot_show(context: Context, data_dict: DataDict) -> dict[str, Any] | None:
    """The stored snapshot of ``date`` (default: the latest)."""
    tk.check_access("guangdong_targets_snapshot_show", context, data_dict)
    conn = db.connection()
    if data_dict.get("date"):
        row = conn.execute(text("SELECT snapshot_date, taken_at, progress, stats FROM guangdong_targets_snapshot "
                                "WHERE snapshot_date = :d"), {"d": parse_as_of(data_dict["date"], "date")}).first()
    else:
        row = conn.execute(text("SELECT snapshot_date, taken_at, progress, stats FROM guangdong_targets_snapshot "
                                "ORDER BY snapshot_date DESC LIMIT 1")).first()
    if row is None:
        raise tk.ObjectNotFound(tk._("No snapshot"))
    return {"snapshot_date": row[0].isoformat(), "taken_at": row[1].isoformat(),
            "progress": row[2], "stats": row[3]}
