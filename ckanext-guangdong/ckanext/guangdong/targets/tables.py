"""Tables of the targets feature: the DDL of its migrations (``migration/guangdong_targets``, the only
path that creates them; the month-end cube's is in cube.py) and the check request-time code makes."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong import migrated

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS guangdong_target (
        id text PRIMARY KEY,
        title_zh text NOT NULL,
        title_en text NOT NULL DEFAULT '',
        scope text NOT NULL,
        metric text NOT NULL CHECK (metric IN ('datasets', 'applications')),
        deadline date NOT NULL,
        threshold integer NOT NULL CHECK (threshold > 0),
        filter_theme text,
        emphasis_theme text,
        note text NOT NULL DEFAULT '',
        active boolean NOT NULL DEFAULT true,
        updated_at timestamp without time zone NOT NULL,
        updated_by text NOT NULL
    )""",
    # Every change of a target, with who, when, and the values before and after.
    """CREATE TABLE IF NOT EXISTS guangdong_target_audit (
        id bigserial PRIMARY KEY,
        target_id text NOT NULL,
        action text NOT NULL,
        changed_at timestamp without time zone NOT NULL,
        changed_by text NOT NULL,
        before jsonb,
        after jsonb
    )""",
    "CREATE INDEX IF NOT EXISTS guangdong_target_audit_target_idx "
    "ON guangdong_target_audit (target_id, changed_at)",
    # One row per day: the figures as published that day, for audit (they never change later
    # even if events are reconciled afterwards).
    """CREATE TABLE IF NOT EXISTS guangdong_targets_snapshot (
        snapshot_date date PRIMARY KEY,
        taken_at timestamp without time zone NOT NULL,
        progress jsonb NOT NULL,
        stats jsonb NOT NULL
    )""",
)

DROP: tuple[str, ...] = (
    "DROP TABLE IF EXISTS guangdong_open_cube",
    "DROP TABLE IF EXISTS guangdong_targets_snapshot",
    "DROP TABLE IF EXISTS guangdong_target_audit",
    "DROP TABLE IF EXISTS guangdong_target",
)


PLUGIN = "guangdong_targets"
TABLES = ("guangdong_target", "guangdong_target_audit", "guangdong_targets_snapshot",
          "guangdong_open_cube")


def require(conn: Connection) -> None:
    """Raise migrated.NotMigrated (naming ``ckan db upgrade``) when the tables are missing."""
    migrated.require(conn, PLUGIN, *TABLES)


def create_tables(conn: Connection) -> None:
    """The first migration's DDL (idempotent). The events feature's tables are its own
    migrations' business (they also make the indexes our counters scan with)."""
    for statement in DDL:
        conn.execute(text(statement))
