"""Tables of the events feature and their idempotent DDL.

The migrations (``migration/guangdong_events``) are the only path that creates them;
request-time code asks ``require`` and gets a clear error naming ``ckan db upgrade`` when
they are missing (docs/development.md, "Schema changes"). Tests re-run the migrations after
CKAN's ``clean_db`` (tests/gd_testing.py).
The events migrations also own the indexes the targets feature's counters scan with
(revision a1e0c0de0004).

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

from ckanext.guangdong import migrated

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
    # (its attribute columns are added by ATTRIBUTE_DDL below, revision 2)
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

# Revision 2: the counters' attributes copied onto each interval, so that "open datasets on
# date D by organization / theme / format ..." is one scan of one table with GROUP BY, no
# join with the state table and no count(DISTINCT) (measured: the join and the DISTINCT cost
# seconds at 100k datasets). ``shared`` marks packages whose count key (identifier) is held
# by another package too: only those need de-duplication.
ATTRIBUTE_DDL: tuple[str, ...] = (
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS count_key text",
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS owner_org text",
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS access_rights text",
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS frequency text",
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS themes text[] NOT NULL DEFAULT '{}'",
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS formats text[] NOT NULL DEFAULT '{}'",
    "ALTER TABLE guangdong_open_period ADD COLUMN IF NOT EXISTS shared boolean NOT NULL DEFAULT false",
    "CREATE INDEX IF NOT EXISTS guangdong_open_period_pkg_idx ON guangdong_open_period (package_id)",
    "CREATE INDEX IF NOT EXISTS guangdong_open_period_key_idx ON guangdong_open_period (count_key)",
    # Fill the new columns of rows written before revision 2 (no-op on new tables).
    """UPDATE guangdong_open_period p SET count_key = s.count_key, owner_org = s.owner_org,
        access_rights = s.access_rights, frequency = s.frequency, themes = s.themes, formats = s.formats
        FROM guangdong_package_state s WHERE s.package_id = p.package_id AND p.count_key IS NULL""",
    """UPDATE guangdong_open_period p SET shared = true FROM (
        SELECT count_key FROM guangdong_package_state GROUP BY count_key HAVING count(*) > 1) d
        WHERE p.count_key = d.count_key AND NOT p.shared""",
)

# Revision 3.
VALUE_DDL: tuple[str, ...] = (
    # One row per interval and theme / format: counting "by theme" is then a plain GROUP BY
    # over rows; unnest() over 100k arrays cost about 3 µs a row here. Kept in step with the
    # intervals by a trigger, so no code path can forget it.
    """CREATE TABLE IF NOT EXISTS guangdong_open_period_value (
        period_id bigint NOT NULL,
        dim text NOT NULL,
        value text NOT NULL,
        package_type text NOT NULL,
        owner_org text,
        count_key text,
        shared boolean NOT NULL,
        opened_at timestamp without time zone NOT NULL,
        closed_at timestamp without time zone
    )""",
    "CREATE INDEX IF NOT EXISTS guangdong_open_period_value_period_idx ON guangdong_open_period_value (period_id)",
    "CREATE INDEX IF NOT EXISTS guangdong_open_period_value_dim_idx "
    "ON guangdong_open_period_value (dim, value, opened_at)",
    """CREATE OR REPLACE FUNCTION guangdong_open_period_values() RETURNS trigger AS $$
    BEGIN
        DELETE FROM guangdong_open_period_value WHERE period_id = NEW.id;
        INSERT INTO guangdong_open_period_value
            (period_id, dim, value, package_type, owner_org, count_key, shared, opened_at, closed_at)
        SELECT NEW.id, d.dim, d.value, NEW.package_type, NEW.owner_org, NEW.count_key, NEW.shared,
               NEW.opened_at, NEW.closed_at
        FROM (SELECT 'theme' AS dim, unnest(NEW.themes) AS value
              UNION ALL SELECT 'format', unnest(NEW.formats)) d;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS guangdong_open_period_values ON guangdong_open_period",
    """CREATE TRIGGER guangdong_open_period_values AFTER INSERT OR UPDATE ON guangdong_open_period
        FOR EACH ROW EXECUTE FUNCTION guangdong_open_period_values()""",
    # Fill it for intervals written before (no-op on new tables).
    "UPDATE guangdong_open_period SET shared = shared WHERE id NOT IN "
    "(SELECT period_id FROM guangdong_open_period_value)",
)

DROP: tuple[str, ...] = (
    "DROP TABLE IF EXISTS guangdong_open_period_value",
    "DROP FUNCTION IF EXISTS guangdong_open_period_values() CASCADE",
    "DROP TABLE IF EXISTS guangdong_package_state",
    "DROP TABLE IF EXISTS guangdong_key_period",
    "DROP TABLE IF EXISTS guangdong_open_period",
    "DROP TABLE IF EXISTS guangdong_publication_event",
)


PLUGIN = "guangdong_events"
TABLES = ("guangdong_publication_event", "guangdong_open_period", "guangdong_key_period",
          "guangdong_package_state", "guangdong_open_period_value")


def require(conn: Connection) -> None:
    """Raise migrated.NotMigrated (naming ``ckan db upgrade``) when the tables are missing."""
    migrated.require(conn, PLUGIN, *TABLES)


def tables_exist(conn: Connection) -> bool:
    return conn.execute(text("SELECT to_regclass('guangdong_package_state')")).scalar() is not None


def create_tables(conn: Connection) -> bool:
    """The migration's DDL: create the tables when missing; True if they were created (the
    migration then backfills)."""
    if conn.execute(text("SELECT to_regclass('guangdong_open_period_value')")).scalar() is not None:
        return False
    if tables_exist(conn):  # created by an older revision: bring them up to date (idempotent)
        for statement in ATTRIBUTE_DDL + VALUE_DDL:
            conn.execute(text(statement))
        return False
    for statement in DDL + ATTRIBUTE_DDL + VALUE_DDL:
        conn.execute(text(statement))
    return True
