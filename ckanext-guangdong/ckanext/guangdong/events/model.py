"""Tables of the events feature and their idempotent DDL.

The same statements are run by the alembic migration and by ``ensure_tables`` (CKAN's
``clean_db`` test fixture drops every table and re-runs only core migrations, so the feature
must be able to re-create its tables itself; see docs/development.md).

- ``guangdong_publication_event``: the dated record, one row per published / withdrawn change.
- ``guangdong_open_period``: the same facts as intervals (opened_at, closed_at) per package, so
  that "open on date D" is a range predicate instead of a replay of the event log.
- ``guangdong_key_period``: intervals per *count key* (the identifier when there is one), so that
  duplicates of one identifier count once in the province's monthly series without a
  gaps-and-islands query over 100k rows.
- ``guangdong_package_state``: the last recorded facts of each package (openness, owner, theme,
  formats, links) that the counters group by; written by the same hooks in the same transaction.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

EVENT_TABLE = "guangdong_publication_event"

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS guangdong_publication_event (
        id bigserial PRIMARY KEY,
        package_id text NOT NULL,
        package_type text NOT NULL,
        event text NOT NULL CHECK (event IN ('published', 'withdrawn')),
        occurred_at timestamp without time zone NOT NULL,
        reason text NOT NULL,
        owner_org text,
        count_key text
    )""",
    "CREATE INDEX IF NOT EXISTS guangdong_publication_event_pkg_idx "
    "ON guangdong_publication_event (package_id, occurred_at)",
    "CREATE INDEX IF NOT EXISTS guangdong_publication_event_time_idx "
    "ON guangdong_publication_event (occurred_at)",
    """CREATE TABLE IF NOT EXISTS guangdong_open_period (
        id bigserial PRIMARY KEY,
        package_id text NOT NULL,
        package_type text NOT NULL,
        opened_at timestamp without time zone NOT NULL,
        closed_at timestamp without time zone
    )""",
    "CREATE INDEX IF NOT EXISTS guangdong_open_period_type_idx "
    "ON guangdong_open_period (package_type, opened_at)",
    # At most one open interval per package: a second "published" without a withdrawal
    # in between would be a bug in the recorder, and the database refuses it.
    "CREATE UNIQUE INDEX IF NOT EXISTS guangdong_open_period_current_idx "
    "ON guangdong_open_period (package_id) WHERE closed_at IS NULL",
    """CREATE TABLE IF NOT EXISTS guangdong_key_period (
        id bigserial PRIMARY KEY,
        count_key text NOT NULL,
        opened_at timestamp without time zone NOT NULL,
        closed_at timestamp without time zone
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS guangdong_key_period_current_idx "
    "ON guangdong_key_period (count_key) WHERE closed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS guangdong_key_period_time_idx ON guangdong_key_period (opened_at)",
    """CREATE TABLE IF NOT EXISTS guangdong_package_state (
        package_id text PRIMARY KEY,
        package_type text NOT NULL,
        is_open boolean NOT NULL,
        owner_org text,
        count_key text NOT NULL,
        access_rights text,
        frequency text,
        themes text[] NOT NULL DEFAULT '{}',
        formats text[] NOT NULL DEFAULT '{}',
        used_datasets text[] NOT NULL DEFAULT '{}',
        harvested boolean NOT NULL DEFAULT false,
        updated_at timestamp without time zone NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS guangdong_package_state_key_idx ON guangdong_package_state (count_key)",
    "CREATE INDEX IF NOT EXISTS guangdong_package_state_org_idx ON guangdong_package_state (owner_org)",
)

DROP: tuple[str, ...] = (
    "DROP TABLE IF EXISTS guangdong_package_state",
    "DROP TABLE IF EXISTS guangdong_key_period",
    "DROP TABLE IF EXISTS guangdong_open_period",
    "DROP TABLE IF EXISTS guangdong_publication_event",
)


def tables_exist(conn: Connection) -> bool:
    return conn.execute(text("SELECT to_regclass('guangdong_package_state')")).scalar() is not None


def ensure_tables(conn: Connection) -> bool:
    """Create the tables when missing; True if they were created (the caller then backfills)."""
    if tables_exist(conn):
        return False
    for statement in DDL:
        conn.execute(text(statement))
    return True
