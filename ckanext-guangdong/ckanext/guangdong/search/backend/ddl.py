"""The index table: one DDL shared by the alembic migration and lazy re-creation.

CKAN's ``clean_db`` test fixture drops every table in the database, ours
included, so the backend checks for the table before each use and re-creates
it (idempotently, under an advisory lock) in the caller's transaction.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

TABLE = "guangdong_search_index"
# Arbitrary constant that serialises concurrent re-creation of the table.
_LOCK_KEY = 7243011

DDL: list[str] = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        site_id text,
        metadata_modified text,
        k jsonb NOT NULL,      -- short (keyword) fields as lists of strings: filters, facets, sort
        f jsonb NOT NULL,      -- every field as a list of strings: text fields, ranges
        doc jsonb NOT NULL,    -- the document as CKAN sent it (fl, stored fields)
        tsv tsvector NOT NULL  -- weighted words + character bigrams
    )""",
    # Every search reads k (filters, facets) and tsv (ranking) of each matching
    # row: keep them in the row (MAIN), while the big display-only columns go to
    # TOAST compressed (EXTENDED). A 4 kB row target leaves k and tsv uncompressed
    # in the row, so they are never fetched from TOAST one value at a time.
    f"ALTER TABLE {TABLE} SET (toast_tuple_target = 4096)",
    f"ALTER TABLE {TABLE} ALTER COLUMN k SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN tsv SET STORAGE MAIN",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_k_idx ON {TABLE} USING gin (k jsonb_path_ops)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv_idx ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified_idx ON {TABLE} (metadata_modified)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id_idx ON {TABLE} (id)",
]

DROP = f"DROP TABLE IF EXISTS {TABLE}"


def create(conn: Any) -> None:
    """Run the DDL on a SQLAlchemy connection or session (idempotent)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    for stmt in DDL:
        conn.execute(sa.text(stmt))


def exists(conn: Any) -> bool:
    return conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"),
                        {"t": TABLE}).scalar()


def ensure(session: Any) -> None:
    """Create the table if missing; checked once per transaction of the session."""
    transaction = session.get_transaction() if hasattr(session, "get_transaction") else None
    if transaction is not None and session.info.get(_CHECKED) is transaction:
        return
    if not exists(session):
        create(session)
    if transaction is not None:
        session.info[_CHECKED] = transaction


_CHECKED = "guangdong_search_table_checked"
