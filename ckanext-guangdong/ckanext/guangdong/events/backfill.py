"""Backfill (on install) and reconcile (daily, with the snapshot) the recorded state.

Backfill: packages that are open when the feature is installed get one "published" event dated
by ``ckanext.guangdong.events.backfill_date`` (their creation on the portal, or their own
``issued`` date). Reconcile: packages whose current facts differ from the recorded state get
the missing event, dated now. This catches changes that bypass the package hooks (purges,
direct SQL, a hook that failed), so the counters cannot drift for more than a day.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong.metadata import openness

from . import recorder
from .facts import EXTRA_KEYS, PackageFacts, normalise_formats

log = logging.getLogger(__name__)

BACKFILL_DATES = ("metadata_created", "issued")


def load_facts(conn: Connection, package_ids: list[str] | None = None
               ) -> Iterator[tuple[PackageFacts, dt.datetime, str | None]]:
    """(facts, metadata_created, issued) of every dataset and application, with set-based SQL."""
    where = "WHERE p.type IN (:ds, :app)"
    params: dict = {"ds": openness.DATASET_TYPE, "app": openness.APPLICATION_TYPE,
                    "keys": list(EXTRA_KEYS) + ["issued"]}
    if package_ids is not None:
        where += " AND p.id = ANY(:ids)"
        params["ids"] = package_ids
    extras: dict[str, dict[str, str]] = defaultdict(dict)
    for pid, key, value in conn.execute(text(
            f"SELECT e.package_id, e.key, e.value FROM package_extra e JOIN package p "
            f"ON p.id = e.package_id {where} AND e.key = ANY(:keys)"), params):
        extras[pid][key] = value
    resources: dict[str, list[str]] = defaultdict(list)
    for pid, fmt in conn.execute(text(
            f"SELECT r.package_id, coalesce(r.format, '') FROM resource r JOIN package p "
            f"ON p.id = r.package_id {where} AND r.state = 'active'"), params):
        resources[pid].append(fmt)
    for pid, ptype, state, private, owner_org, created in conn.execute(text(
            f"SELECT p.id, p.type, p.state, p.private, p.owner_org, p.metadata_created "
            f"FROM package p {where}"), params):
        ex = extras.get(pid, {})
        facts = PackageFacts(
            package_id=pid, package_type=ptype, state=state or "active", private=bool(private),
            owner_org=owner_org, num_resources=len(resources.get(pid, [])),
            extras={k: v for k, v in ex.items() if k in EXTRA_KEYS},
            formats=normalise_formats(resources.get(pid, [])))
        yield facts, created, ex.get("issued")


def _backfill_date(created: dt.datetime, issued: str | None, source: str) -> dt.datetime:
    if source == "issued" and issued:
        try:
            return dt.datetime.fromisoformat(issued[:19])
        except ValueError:
            pass  # an unparsable issued date falls back to the portal's creation date
    return created


def backfill(conn: Connection, source: str = "metadata_created") -> int:
    """Bulk-record every package into empty tables; returns the number of open packages."""
    state_rows, event_rows, period_rows = [], [], []
    key_open: dict[str, dt.datetime] = {}
    all_facts = list(load_facts(conn))
    holders = Counter(f.count_key for f, _c, _i in all_facts)
    for facts, created, issued in all_facts:
        at = _backfill_date(created, issued, source)
        state_rows.append({
            "id": facts.package_id, "type": facts.package_type, "open": facts.is_open,
            "org": facts.owner_org, "key": facts.count_key, "access": facts.access_rights,
            "freq": facts.extras.get("frequency") or None, "themes": facts.themes,
            "formats": facts.formats, "used": facts.used_datasets, "harvested": facts.harvested,
            "now": at})
        if not facts.is_open:
            continue
        event_rows.append({"id": facts.package_id, "type": facts.package_type, "at": at,
                           "org": facts.owner_org, "key": facts.count_key})
        period_rows.append({"id": facts.package_id, "type": facts.package_type, "at": at,
                            "key": facts.count_key, "org": facts.owner_org, "access": facts.access_rights,
                            "freq": facts.extras.get("frequency") or None, "themes": facts.themes,
                            "formats": facts.formats, "shared": holders[facts.count_key] > 1})
        if facts.package_type == openness.DATASET_TYPE:
            key_open[facts.count_key] = min(at, key_open.get(facts.count_key, at))
    if state_rows:
        conn.execute(text("""
            INSERT INTO guangdong_package_state (package_id, package_type, is_open, owner_org,
                count_key, access_rights, frequency, themes, formats, used_datasets, harvested, updated_at)
            VALUES (:id, :type, :open, :org, :key, :access, :freq, :themes, :formats, :used,
                    :harvested, :now) ON CONFLICT (package_id) DO NOTHING"""), state_rows)
    if event_rows:
        conn.execute(text("""
            INSERT INTO guangdong_publication_event
                (package_id, package_type, event, occurred_at, reason, owner_org, count_key)
            VALUES (:id, :type, 'published', :at, 'backfill', :org, :key)"""), event_rows)
        conn.execute(text("""
            INSERT INTO guangdong_open_period (package_id, package_type, opened_at, count_key, owner_org,
                access_rights, frequency, themes, formats, shared)
            VALUES (:id, :type, :at, :key, :org, :access, :freq, :themes, :formats, :shared)"""), period_rows)
    if key_open:
        conn.execute(text("INSERT INTO guangdong_key_period (count_key, opened_at) VALUES (:k, :at)"),
                     [{"k": k, "at": at} for k, at in key_open.items()])
    log.info("events backfill: %d packages, %d open", len(state_rows), len(event_rows))
    return len(event_rows)


def create_and_backfill(conn: Connection, source: str | None = None) -> bool:
    """The first migration: create the tables if missing and then backfill them; True if
    that happened."""
    from . import tables as events_tables
    if events_tables.create_tables(conn):
        backfill(conn, source or "metadata_created")
        return True
    return False


def reconcile(conn: Connection, at: dt.datetime,
              package_ids: list[str] | None = None) -> dict[str, int]:
    """Record every package whose facts differ from its recorded state; dated ``at``."""
    recorded = {row[0]: tuple(row[1:]) for row in conn.execute(text(
        "SELECT package_id, is_open, count_key, owner_org, access_rights, frequency, themes, "
        "formats, used_datasets FROM guangdong_package_state"
        + (" WHERE package_id = ANY(:ids)" if package_ids is not None else "")),
        {"ids": package_ids or []})}
    counts = {"published": 0, "withdrawn": 0, "updated": 0}
    seen: set[str] = set()
    for facts, _created, _issued in load_facts(conn, package_ids):
        seen.add(facts.package_id)
        current = (facts.is_open, facts.count_key, facts.owner_org, facts.access_rights,
                   facts.extras.get("frequency") or None, facts.themes, facts.formats,
                   facts.used_datasets)
        before = recorded.get(facts.package_id)
        if before is not None and tuple(list(before[:5]) + [list(x or []) for x in before[5:]]) == current:
            continue
        event = recorder.record(conn, facts, at, reason="reconciled")
        counts[event or "updated"] += 1
    # Recorded packages that no longer exist (purged) stop counting.
    for package_id in set(recorded) - seen:
        if recorder.record_deleted(conn, package_id, at):
            counts["withdrawn"] += 1
    return counts


def date_first_publications(conn: Connection, dates: dict[str, dt.datetime]) -> int:
    """Move the only publication of each given package back to the given time (the demo
    catalog's own ``issued`` dates: its datasets were made today but stand for data opened
    over years). Only packages published once and never withdrawn are moved, and only to an
    earlier time; returns how many moved. Month-end counts computed before are void then
    (the caller clears them: targets/cube.py)."""
    if not dates:
        return 0
    ids, ats = list(dates), [dates[i] for i in dates]
    moved = [row[0] for row in conn.execute(text("""
        WITH wanted AS (SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:ats AS timestamp[])) AS w(package_id, at)),
        once AS (SELECT e.package_id FROM guangdong_publication_event e JOIN wanted USING (package_id)
                 GROUP BY e.package_id HAVING count(*) = 1 AND bool_and(e.event = 'published'))
        UPDATE guangdong_publication_event e SET occurred_at = w.at FROM wanted w
        WHERE e.package_id = w.package_id AND e.package_id IN (SELECT package_id FROM once)
          AND w.at < e.occurred_at
        RETURNING e.package_id"""), {"ids": ids, "ats": ats})]
    if not moved:
        return 0
    conn.execute(text("""
        UPDATE guangdong_open_period p SET opened_at = e.occurred_at FROM guangdong_publication_event e
        WHERE p.package_id = e.package_id AND p.package_id = ANY(:ids) AND p.closed_at IS NULL"""),
        {"ids": moved})
    # A key is open from the first of its open copies.
    conn.execute(text("""
        UPDATE guangdong_key_period k SET opened_at = first.at
        FROM (SELECT count_key, min(opened_at) AS at FROM guangdong_open_period
              WHERE package_type = :type AND closed_at IS NULL AND count_key IN
                  (SELECT count_key FROM guangdong_open_period WHERE package_id = ANY(:ids))
              GROUP BY count_key) first
        WHERE k.count_key = first.count_key AND k.closed_at IS NULL AND first.at < k.opened_at"""),
        {"ids": moved, "type": openness.DATASET_TYPE})
    log.info("events: %d first publications dated back", len(moved))
    return len(moved)
