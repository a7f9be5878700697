"""Tables of the targets feature (idempotent DDL shared by the migration and ``ensure_tables``)."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

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


def ensure_tables(conn: Connection) -> bool:
    from ckanext.guangdong.events.backfill import ensure_and_backfill

    from .cube import DDL as CUBE_DDL  # revision 2
    ensure_and_backfill(conn)  # the cube's indexes are on the events tables
    if conn.execute(text("SELECT to_regclass('guangdong_open_cube')")).scalar() is not None:
        return False
    for statement in DDL + CUBE_DDL:
        conn.execute(text(statement))
    return True
