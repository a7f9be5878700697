"""Compare a package's openness before and after a change and record the transition.

"Before" is the last recorded state (``guangdong_package_state``), not a re-read of the
package: the hooks run after CKAN has already changed the row. Everything is written through
the caller's connection, i.e. in the same transaction as the package change, so a rolled back
package_update leaves no event behind.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong.metadata import openness

from .facts import PackageFacts

PUBLISHED = "published"
WITHDRAWN = "withdrawn"


def _previous(conn: Connection, package_id: str) -> tuple[bool, str] | None:
    row = conn.execute(
        text("SELECT is_open, count_key FROM guangdong_package_state WHERE package_id = :id FOR UPDATE"),
        {"id": package_id}).first()
    return (bool(row[0]), row[1]) if row else None


def _save_state(conn: Connection, facts: PackageFacts, now: dt.datetime) -> None:
    conn.execute(text("""
        INSERT INTO guangdong_package_state AS s (package_id, package_type, is_open, owner_org,
            count_key, access_rights, frequency, themes, formats, used_datasets, harvested, updated_at)
        VALUES (:id, :type, :open, :org, :key, :access, :freq, :themes, :formats, :used, :harvested, :now)
        ON CONFLICT (package_id) DO UPDATE SET package_type = EXCLUDED.package_type,
            is_open = EXCLUDED.is_open, owner_org = EXCLUDED.owner_org, count_key = EXCLUDED.count_key,
            access_rights = EXCLUDED.access_rights, frequency = EXCLUDED.frequency,
            themes = EXCLUDED.themes, formats = EXCLUDED.formats,
            used_datasets = EXCLUDED.used_datasets, harvested = EXCLUDED.harvested,
            updated_at = EXCLUDED.updated_at"""),
        {"id": facts.package_id, "type": facts.package_type, "open": facts.is_open,
         "org": facts.owner_org, "key": facts.count_key, "access": facts.access_rights,
         "freq": facts.extras.get("frequency") or None, "themes": facts.themes,
         "formats": facts.formats, "used": facts.used_datasets, "harvested": facts.harvested,
         "now": now})


def _copy_attributes(conn: Connection, facts: PackageFacts) -> None:
    """Keep the intervals' copy of the counters' attributes equal to the package's current
    ones (counts on past dates group by current attributes, as the state table did)."""
    conn.execute(text("""
        UPDATE guangdong_open_period SET count_key = :key, owner_org = :org, access_rights = :access,
            frequency = :freq, themes = :themes, formats = :formats WHERE package_id = :id"""),
        {"id": facts.package_id, "key": facts.count_key, "org": facts.owner_org,
         "access": facts.access_rights, "freq": facts.extras.get("frequency") or None,
         "themes": facts.themes, "formats": facts.formats})


def _sync_shared(conn: Connection, key: str) -> None:
    """Mark the intervals of a key held by more than one package (only those need DISTINCT)."""
    conn.execute(text("""
        UPDATE guangdong_open_period SET shared = (
            SELECT count(*) > 1 FROM guangdong_package_state WHERE count_key = :k)
        WHERE count_key = :k"""), {"k": key})


def _add_event(conn: Connection, facts: PackageFacts, event: str, reason: str,
               at: dt.datetime) -> None:
    conn.execute(text("""
        INSERT INTO guangdong_publication_event
            (package_id, package_type, event, occurred_at, reason, owner_org, count_key)
        VALUES (:id, :type, :event, :at, :reason, :org, :key)"""),
        {"id": facts.package_id, "type": facts.package_type, "event": event, "at": at,
         "reason": reason, "org": facts.owner_org, "key": facts.count_key})


def sync_key(conn: Connection, key: str, at: dt.datetime) -> None:
    """Open or close the key's interval: a key is open while any dataset with it is open."""
    open_copies = conn.execute(text(
        "SELECT count(*) FROM guangdong_package_state WHERE count_key = :k AND is_open "
        "AND package_type = :t"), {"k": key, "t": openness.DATASET_TYPE}).scalar()
    current = conn.execute(text(
        "SELECT id FROM guangdong_key_period WHERE count_key = :k AND closed_at IS NULL"),
        {"k": key}).scalar()
    if open_copies and current is None:
        conn.execute(text("INSERT INTO guangdong_key_period (count_key, opened_at) VALUES (:k, :at)"),
                     {"k": key, "at": at})
    elif not open_copies and current is not None:
        conn.execute(text("UPDATE guangdong_key_period SET closed_at = greatest(opened_at, :at) "
                          "WHERE id = :id"), {"id": current, "at": at})


def record(conn: Connection, facts: PackageFacts, at: dt.datetime,
           reason: str | None = None) -> str | None:
    """Record the package's current facts; returns the event written, if any.

    ``reason`` names the cause of a publication (created, updated, backfill, ...); a
    withdrawal's reason is derived from the facts (deleted, made_private, not_open, ...).
    """
    previous = _previous(conn, facts.package_id)
    was_open = previous[0] if previous else False
    _save_state(conn, facts, at)
    event: str | None = None
    if facts.is_open and not was_open:
        event = PUBLISHED
        _add_event(conn, facts, event, reason or "updated", at)
        conn.execute(text("INSERT INTO guangdong_open_period (package_id, package_type, opened_at) "
                          "VALUES (:id, :type, :at)"),
                     {"id": facts.package_id, "type": facts.package_type, "at": at})
    elif was_open and not facts.is_open:
        event = WITHDRAWN
        _add_event(conn, facts, event, facts.closing_reason(), at)
        conn.execute(text("UPDATE guangdong_open_period SET closed_at = greatest(opened_at, :at) "
                          "WHERE package_id = :id AND closed_at IS NULL"),
                     {"id": facts.package_id, "at": at})
    _copy_attributes(conn, facts)
    if facts.package_type == openness.DATASET_TYPE:
        if previous and previous[1] != facts.count_key:
            sync_key(conn, previous[1], at)  # identifier edited: the old key may lose its copy
            _sync_shared(conn, previous[1])
        sync_key(conn, facts.count_key, at)
        if previous is None or previous[1] != facts.count_key or event == PUBLISHED:
            _sync_shared(conn, facts.count_key)
    return event


def record_deleted(conn: Connection, package_id: str, at: dt.datetime) -> str | None:
    """package_delete calls its hook *before* it sets state=deleted, so the facts cannot be
    read from the package: reuse the last state with state forced to deleted."""
    row = conn.execute(text(
        "SELECT package_type, owner_org, count_key FROM guangdong_package_state WHERE package_id = :id"),
        {"id": package_id}).first()
    if row is None:
        return None
    facts = PackageFacts(package_id=package_id, package_type=row[0], state="deleted", private=False,
                         owner_org=row[1], num_resources=0)
    # Keep the key, themes and links the counters group by: only openness changes.
    conn.execute(text("UPDATE guangdong_package_state SET is_open = false, updated_at = :at "
                      "WHERE package_id = :id"), {"id": package_id, "at": at})
    was_open = conn.execute(text(
        "SELECT 1 FROM guangdong_open_period WHERE package_id = :id AND closed_at IS NULL"),
        {"id": package_id}).first() is not None
    if not was_open:
        return None
    facts.extras = {}
    _add_event_with_key(conn, facts, row[2], at)
    conn.execute(text("UPDATE guangdong_open_period SET closed_at = greatest(opened_at, :at) "
                      "WHERE package_id = :id AND closed_at IS NULL"), {"id": package_id, "at": at})
    if row[0] == openness.DATASET_TYPE:
        sync_key(conn, row[2], at)
    return WITHDRAWN


def _add_event_with_key(conn: Connection, facts: PackageFacts, key: str, at: dt.datetime) -> None:
    conn.execute(text("""
        INSERT INTO guangdong_publication_event
            (package_id, package_type, event, occurred_at, reason, owner_org, count_key)
        VALUES (:id, :type, 'withdrawn', :at, 'deleted', :org, :key)"""),
        {"id": facts.package_id, "type": facts.package_type, "at": at, "org": facts.owner_org,
         "key": key})
