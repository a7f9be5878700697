"""The index table: one DDL shared by the alembic migration and lazy re-creation.

CKAN's ``clean_db`` test fixture drops every table in the database, ours
included, and CKAN's own search suite runs it between tests without our
migrations, so the backend checks for the table once per transaction and
re-creates it (idempotently, under an advisory lock) in the caller's transaction
(docs/development.md, "Schema changes"). Generations live in generation.py.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckanext.guangdong.search.backend import document, txn

TABLE = "guangdong_search_index"
# One row: the index generation, raised in the transaction of every index write
# (see cache.py). Starts from the clock so a re-created table never repeats a
# generation an older table had.
GENERATION = "guangdong_search_generation"
# Generations of scopes ("organization:<name>", "owner_org:<id>"): raised in the
# transaction of a write that touches a row of that organization (before or after the
# write), so the cached counts of a query restricted to one organization survive writes
# to the others (cache.py). A scope without a row follows the global generation.
SCOPES = "guangdong_search_scope"
SCOPE_FIELDS = ("organization", "owner_org")
# Columns added after the table's first release: the single values of CKAN's fixed
# filters (document.SINGLE_VALUED; NULL when a document has several or none), the
# permission labels, and the facet values as 'field<US>value' (document.FACET_FIELDS).
ADDED_COLUMNS = {**{name: "text" for name in document.SINGLE_VALUED},
                 "labels": "text[] NOT NULL DEFAULT '{}'",
                 "fv": "text[] NOT NULL DEFAULT '{}'"}
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
    # The columns of ADDED_COLUMNS, on a new table and on one made before them alike.
    f"ALTER TABLE {TABLE} " + ", ".join(f"ADD COLUMN IF NOT EXISTS {name} {kind}"
                                        for name, kind in ADDED_COLUMNS.items()),
    # Every search reads k (filters, facets) and tsv (ranking) of each matching
    # row: keep them in the row (MAIN), while the big display-only columns go to
    # TOAST compressed (EXTENDED). A 4 kB row target leaves k and tsv uncompressed
    # in the row, so they are never fetched from TOAST one value at a time.
    f"ALTER TABLE {TABLE} SET (toast_tuple_target = 4096)",
    f"ALTER TABLE {TABLE} ALTER COLUMN k SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN tsv SET STORAGE MAIN",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_k_idx ON {TABLE} USING gin (k jsonb_path_ops)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv_idx ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_fv_idx ON {TABLE} USING gin (fv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified_idx ON {TABLE} (metadata_modified)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE TABLE IF NOT EXISTS {GENERATION} (id int PRIMARY KEY CHECK (id = 1), n bigint NOT NULL)",
    f"INSERT INTO {GENERATION} VALUES "
    "(1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) ON CONFLICT DO NOTHING",
    f"CREATE TABLE IF NOT EXISTS {SCOPES} (scope text PRIMARY KEY, n bigint NOT NULL)",
]

DROP = f"DROP TABLE IF EXISTS {TABLE}, {GENERATION}, {SCOPES}"


def create(conn: Any) -> None:
    """Run the DDL on a SQLAlchemy connection or session (idempotent)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    for stmt in DDL:
        conn.execute(sa.text(stmt))


def backfill(conn: Any) -> None:
    """Fill the housekeeping and facet columns of rows written before they existed,
    from the keyword column (the same values build_row puts there)."""
    singles = ", ".join(
        f"{name} = CASE WHEN jsonb_array_length(COALESCE(k -> '{name}', '[]')) = 1 "
        f"THEN k -> '{name}' ->> 0 END" for name in document.SINGLE_VALUED)
    conn.execute(sa.text(
        f"UPDATE {TABLE} SET {singles}, "
        "labels = ARRAY(SELECT jsonb_array_elements_text(COALESCE(k -> 'permission_labels', '[]'))), "
        "fv = ARRAY(SELECT f || chr(31) || v FROM unnest(CAST(:fields AS text[])) f, "
        "jsonb_array_elements_text(COALESCE(k -> f, '[]')) v)"),
        {"fields": list(document.FACET_ORDER)})


def exists(conn: Any) -> bool:
    return conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"),
                        {"t": TABLE}).scalar()


def ensure(session: Any) -> None:
    """Create the table if missing; checked once per transaction of the session."""
    transaction = txn.transaction_of(session)
    if transaction is not None and session.info.get(_CHECKED) is transaction:
        return
    ready, filled = session.execute(sa.text(
        "SELECT to_regclass(:g) IS NOT NULL AND " + HAS_FV + ", " + FV_FILLED),
        {"t": TABLE, "g": GENERATION, "s": SCOPES}).one()
    if not ready:
        # Missing, or older than the facet columns or the scopes (not yet migrated).
        create(session)
        if not filled:
            backfill(session)
    if transaction is not None:
        session.info[_CHECKED] = transaction


_CHECKED = "guangdong_search_table_checked"
# The newest column and table exist: the index has the current layout.
HAS_FV = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(:t) "
          "AND attname = 'fv' AND NOT attisdropped) AND to_regclass(:s) IS NOT NULL")
# The facet columns exist (were filled when they were added): no backfill needed.
FV_FILLED = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(:t) "
             "AND attname = 'fv' AND NOT attisdropped)")
