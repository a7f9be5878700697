"""The index table: one DDL shared by the alembic migration and lazy re-creation.

CKAN's ``clean_db`` test fixture drops every table in the database, ours
included, so the backend checks for the table before each use and re-creates
it (idempotently, under an advisory lock) in the caller's transaction.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckanext.guangdong.search.backend import document

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

# The generation a cached count of ``scope`` depends on, as one bigint: the scope's own
# (positive) when it has a row, else minus the global one. :gd_scope NULL: the global one.
TOKEN_SQL = (f"COALESCE((SELECT n FROM {SCOPES} WHERE scope = :gd_scope), "
             f"-(SELECT n FROM {GENERATION} WHERE id = 1))")


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


def state(conn: Any, scope: str | None = None) -> tuple[int | None, int | None]:
    """(oid of the index table or None, generation token of ``scope`` or None) as this
    transaction sees them: two tiny reads, the second only when the table exists."""
    table, gen, current = conn.execute(sa.text(
        "SELECT to_regclass(:t)::oid, to_regclass(:g)::oid, " + _HAS_FV),
        {"t": TABLE, "g": GENERATION, "s": SCOPES}).one()
    if table is not None and not current:
        # A table from before the facet columns or the scopes (a database not migrated
        # yet, e.g. a stand-in portal's): bring it up to date in this transaction.
        ensure(conn)
        table, gen = conn.execute(sa.text("SELECT to_regclass(:t)::oid, to_regclass(:g)::oid"),
                                  {"t": TABLE, "g": GENERATION}).one()
    if table is None or gen is None:
        return table, None
    return table, conn.execute(sa.text(f"SELECT {TOKEN_SQL}"), {"gd_scope": scope}).scalar()


def scopes_of(keywords: dict[str, list[str]]) -> set[str]:
    """The scopes a document belongs to (its organization's name and id)."""
    return {f"{name}:{value}" for name in SCOPE_FIELDS for value in keywords.get(name, [])}


def bump(session: Any, scopes: Any = None) -> None:
    """Raise the generation in the session's transaction (visible when it commits), and
    those of ``scopes`` (a set), or of every scope when ``scopes`` is ALL."""
    session.execute(sa.text(f"UPDATE {GENERATION} SET n = n + 1 WHERE id = 1"))
    if scopes is ALL:
        # Scopes without a row follow the global generation, just raised.
        session.execute(sa.text(f"DELETE FROM {SCOPES}"))
    elif scopes:
        # Sorted: concurrent writers lock the rows in the same order (no deadlock). A new
        # row starts from the clock, so it never repeats a number an older row had.
        session.execute(sa.text(
            f"INSERT INTO {SCOPES} (scope, n) SELECT s, "
            "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint "
            "FROM unnest(CAST(:scopes AS text[])) s ORDER BY s "
            f"ON CONFLICT (scope) DO UPDATE SET n = {SCOPES}.n + 1"),
            {"scopes": sorted(scopes)})


class _All:
    """Every scope (a delete by query, a truncation: rows of any organization)."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()
WRITTEN = "guangdong_search_written"
SCOPES_WRITTEN = "guangdong_search_scopes_written"


def _transaction(session: Any) -> Any:
    if not hasattr(session, "get_transaction") and hasattr(session, "registry"):
        session = session.registry()  # a scoped_session: its current Session
    return session.get_transaction() if hasattr(session, "get_transaction") else None


def mark_written(session: Any, scopes: Any = ALL) -> None:
    """An index write/delete ran in this transaction: raise the generation, and those of
    ``scopes`` (the organizations of the rows written, before and after; ALL when not
    known).

    With the transaction listeners installed (txn.py) the generations are raised
    once, in ``before_commit``, so concurrent writers hold their row locks only while
    committing; without them, at once. Either way the rise commits or rolls back
    with the write, and the session's own searches bypass the cache until then.
    """
    ensure(session)
    from ckanext.guangdong.search.backend import txn
    if not txn.listening():
        session.info[WRITTEN] = _transaction(session)
        bump(session, scopes)
        return
    if session.info.get(WRITTEN) is not _transaction(session):
        session.info.pop(SCOPES_WRITTEN, None)  # left from a rolled-back transaction
    session.info[WRITTEN] = _transaction(session)
    pending = session.info.get(SCOPES_WRITTEN, set())
    session.info[SCOPES_WRITTEN] = ALL if scopes is ALL or pending is ALL else pending | set(scopes)


def written_in_transaction(session: Any) -> bool:
    if WRITTEN not in session.info:
        return False
    current = _transaction(session)
    return current is None or session.info[WRITTEN] is current


def bump_if_written(session: Any, *_: Any) -> None:
    """before_commit listener (after the deferred-write flush). Any mark counts: an
    extra rise (after a rolled-back write) only empties the cache."""
    scopes = session.info.pop(SCOPES_WRITTEN, ALL)
    if session.info.pop(WRITTEN, False) is not False:
        bump(session, scopes)


def ensure(session: Any) -> None:
    """Create the table if missing; checked once per transaction of the session."""
    transaction = _transaction(session)
    if transaction is not None and session.info.get(_CHECKED) is transaction:
        return
    ready, filled = session.execute(sa.text(
        "SELECT to_regclass(:g) IS NOT NULL AND " + _HAS_FV + ", " + _FV_FILLED),
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
_HAS_FV = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(:t) "
           "AND attname = 'fv' AND NOT attisdropped) AND to_regclass(:s) IS NOT NULL")
# The facet columns exist (were filled when they were added): no backfill needed.
_FV_FILLED = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(:t) "
              "AND attname = 'fv' AND NOT attisdropped)")
