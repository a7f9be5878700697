"""API actions of the targets feature. Reads are public; every figure comes from SQL
aggregates over the events tables (counting.py), never from per-dataset actions."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import text

from ckanext.guangdong.targets import counting, db, report, store

__all__ = ["guangdong_target_progress", "guangdong_open_stats", "guangdong_target_list",
           "guangdong_target_save", "guangdong_target_delete", "guangdong_target_audit",
           "guangdong_targets_snapshot", "guangdong_targets_snapshot_show"]


# Dates the counters answer for: the portal's first records are from the 2010s, and
# projections add days to the date (9999-12-31 overflowed, 0001-01-01 underflowed).
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def parse_as_of(value: Any) -> dt.date:
    if value in (None, ""):
        return counting.today(db.rules())
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise tk.ValidationError({"as_of": [tk._("A date in the form YYYY-MM-DD")]})
    if not EARLIEST <= day <= LATEST:
        raise tk.ValidationError({"as_of": [tk._("A date between {first} and {last}").format(
            first=EARLIEST.isoformat(), last=LATEST.isoformat())]})
    return day


def _limit(data_dict: dict[str, Any], default: int, most: int = 10_000) -> int:
    value = data_dict.get("limit")
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not 1 <= number <= most:
        raise tk.ValidationError({"limit": [tk._("A whole number from 1 to {most}").format(most=most)]})
    return number


def _user(context: Any) -> str:
    return context.get("user") or "unknown"


@tk.side_effect_free
def guangdong_target_progress(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Progress of every active target on ``as_of`` (YYYY-MM-DD, default today): count,
    threshold, percent, deadline, days left, 90-day projection and status
    (met / on_track / at_risk / missed). Optional ``id`` limits it to one target."""
    tk.check_access("guangdong_target_progress", context, data_dict)
    as_of = parse_as_of(data_dict.get("as_of"))
    conn = db.connection()
    targets = store.list_targets(conn)
    if data_dict.get("id"):
        targets = [t for t in targets if t.id == data_dict["id"]]
        if not targets:
            raise tk.ObjectNotFound(tk._("Target not found"))
    return {"as_of": as_of.isoformat(), "targets": report.target_progress(conn, targets, as_of, db.rules())}


@tk.side_effect_free
def guangdong_open_stats(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Open datasets and applications on ``as_of``: totals, counts by organization, department,
    city, theme, access rights, format and frequency, and monthly cumulative series
    (``series=false`` leaves them out)."""
    tk.check_access("guangdong_open_stats", context, data_dict)
    as_of = parse_as_of(data_dict.get("as_of"))
    with_series = tk.asbool(data_dict.get("series", True))
    return report.open_stats(db.connection(), as_of, db.rules(), with_series=with_series)


@tk.side_effect_free
def guangdong_target_list(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    tk.check_access("guangdong_target_list", context, data_dict)
    include = tk.asbool(data_dict.get("include_inactive", False))
    return [t.as_dict() for t in store.list_targets(db.connection(), include_inactive=include)]


def guangdong_target_save(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Create or update a target (sysadmins); the change is written to the audit trail."""
    tk.check_access("guangdong_target_save", context, data_dict)
    try:
        target = store.parse(data_dict)
    except store.TargetError as error:
        raise tk.ValidationError(error.errors)
    conn = db.connection()
    action = "updated" if store.get_target(conn, target.id) else "created"
    store.save(conn, target, _user(context), action)
    model.Session.commit()
    return target.as_dict()


def guangdong_target_delete(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    tk.check_access("guangdong_target_delete", context, data_dict)
    target = store.deactivate(db.connection(), tk.get_or_bust(data_dict, "id"), _user(context))
    if target is None:
        raise tk.ObjectNotFound(tk._("Target not found"))
    model.Session.commit()
    return target.as_dict()


@tk.side_effect_free
def guangdong_target_audit(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    tk.check_access("guangdong_target_audit", context, data_dict)
    return store.audit_trail(db.connection(), data_dict.get("id"), _limit(data_dict, 200))


def guangdong_targets_snapshot(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Reconcile the event record with the catalog, then store today's (or ``as_of``'s)
    progress and statistics in the daily snapshot table (replacing that day's row)."""
    tk.check_access("guangdong_targets_snapshot", context, data_dict)
    from ckanext.guangdong.events import backfill, plugin as events_plugin
    conn = db.connection()
    reconciled = backfill.reconcile(conn, events_plugin.utcnow())
    as_of = parse_as_of(data_dict.get("as_of"))
    rules = db.rules()
    from ckanext.guangdong.targets import counting, cube
    regions = {i: o.get("region_code") for i, o in counting.organizations(conn).items()}
    cube.fill(conn, rules, regions, events_plugin.utcnow())  # month ends for fast as_of queries
    progress = report.target_progress(conn, store.list_targets(conn), as_of, rules)
    stats = report.open_stats(conn, as_of, rules, with_series=False)
    conn.execute(text("""
        INSERT INTO guangdong_targets_snapshot (snapshot_date, taken_at, progress, stats)
        VALUES (:d, :at, CAST(:p AS jsonb), CAST(:s AS jsonb))
        ON CONFLICT (snapshot_date) DO UPDATE SET taken_at = EXCLUDED.taken_at,
            progress = EXCLUDED.progress, stats = EXCLUDED.stats"""),
        {"d": as_of, "at": events_plugin.utcnow(), "p": json.dumps(progress, ensure_ascii=False),
         "s": json.dumps(stats, ensure_ascii=False)})
    model.Session.commit()
    return {"snapshot_date": as_of.isoformat(), "reconciled": reconciled,
            "datasets": stats["datasets"], "applications": stats["applications"],
            "targets": {p["id"]: p["status"] for p in progress}}


@tk.side_effect_free
def guangdong_targets_snapshot_show(context: Any, data_dict: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The stored snapshot of ``date`` (default: the latest)."""
    tk.check_access("guangdong_targets_snapshot_show", context, data_dict)
    conn = db.connection()
    if data_dict.get("date"):
        row = conn.execute(text("SELECT snapshot_date, taken_at, progress, stats FROM guangdong_targets_snapshot "
                                "WHERE snapshot_date = :d"), {"d": parse_as_of(data_dict["date"])}).first()
    else:
        row = conn.execute(text("SELECT snapshot_date, taken_at, progress, stats FROM guangdong_targets_snapshot "
                                "ORDER BY snapshot_date DESC LIMIT 1")).first()
    if row is None:
        raise tk.ObjectNotFound(tk._("No snapshot"))
    return {"snapshot_date": row[0].isoformat(), "taken_at": row[1].isoformat(),
            "progress": row[2], "stats": row[3]}
