"""Index generations: what the cached counts depend on, and when they rise.

A generation (``ddl.GENERATION``, and one per organization scope in ``ddl.SCOPES``)
is raised in the transaction of every index write, so a rolled-back write never
raises it and other processes see the rise exactly when the write commits. The
count cache (cache.py) stores counts under the generation read in the same
statement that computed them; this module decides which generation a search
depends on and whether it may use the cache at all.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckanext.guangdong.search.backend import cache, ddl, lucene, parameters, syntax, txn

# The generation a cached count of ``scope`` depends on, as one bigint: the scope's own
# (positive) when it has a row, else minus the global one. :gd_scope NULL: the global one.
TOKEN_SQL = (f"COALESCE((SELECT n FROM {ddl.SCOPES} WHERE scope = :gd_scope), "
             f"-(SELECT n FROM {ddl.GENERATION} WHERE id = 1))")
WRITTEN = "guangdong_search_written"
SCOPES_WRITTEN = "guangdong_search_scopes_written"


class _All:
    """Every scope (a delete by query, a truncation: rows of any organization)."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()


def state(conn: Any, scope: str | None = None) -> tuple[int | None, int | None]:
    """(oid of the index table or None, generation token of ``scope`` or None) as this
    transaction sees them: two tiny reads, the second only when the table exists."""
    table, gen, current = conn.execute(sa.text(
        "SELECT to_regclass(:t)::oid, to_regclass(:g)::oid, " + ddl.HAS_FV),
        {"t": ddl.TABLE, "g": ddl.GENERATION, "s": ddl.SCOPES}).one()
    if table is not None and not current:
        # A table from before the facet columns or the scopes (a database not migrated
        # yet, e.g. a stand-in portal's): bring it up to date in this transaction.
        ddl.ensure(conn)
        table, gen = conn.execute(sa.text("SELECT to_regclass(:t)::oid, to_regclass(:g)::oid"),
                                  {"t": ddl.TABLE, "g": ddl.GENERATION}).one()
    if table is None or gen is None:
        return table, None
    return table, conn.execute(sa.text(f"SELECT {TOKEN_SQL}"), {"gd_scope": scope}).scalar()


def scopes_of(keywords: dict[str, list[str]]) -> set[str]:
    """The scopes a document belongs to (its organization's name and id)."""
    return {f"{name}:{value}" for name in ddl.SCOPE_FIELDS for value in keywords.get(name, [])}


def query_scope(params: dict[str, Any]) -> str | None:
    """"organization:<name>" or "owner_org:<id>" when an fq requires one exact value of
    that field: every matching row then belongs to it, so only writes to that
    organization's rows change the counts."""
    for fq in parameters.as_list(params.get("fq")):
        if fq.strip() in ("*:*", ""):
            continue
        found = _required_scope(lucene.parse(fq, "lucene", parameters.default_and(params)))
        if found:
            return found
    return None


def _required_scope(node: Any) -> str | None:
    """The organization scope a parsed fq requires (a term, or a MUST clause), if any."""
    if isinstance(node, syntax.Term):
        if node.field in ddl.SCOPE_FIELDS and node.kind in ("term", "phrase") and node.text:
            return f"{node.field}:{node.text}"
        return None
    if isinstance(node, syntax.Boolean):
        for clause in node.clauses:
            if clause.occur == syntax.MUST:
                found = _required_scope(clause.query)
                if found:
                    return found
        shoulds = [c for c in node.clauses if c.occur == syntax.SHOULD]
        if len(shoulds) == 1 and len(node.clauses) == 1:
            return _required_scope(shoulds[0].query)
    return None


def bump(session: Any, scopes: Any = None) -> None:
    """Raise the generation in the session's transaction (visible when it commits), and
    those of ``scopes`` (a set), or of every scope when ``scopes`` is ALL."""
    session.execute(sa.text(f"UPDATE {ddl.GENERATION} SET n = n + 1 WHERE id = 1"))
    if scopes is ALL:
        # Scopes without a row follow the global generation, just raised.
        session.execute(sa.text(f"DELETE FROM {ddl.SCOPES}"))
    elif scopes:
        # Sorted: concurrent writers lock the rows in the same order (no deadlock). A new
        # row starts from the clock, so it never repeats a number an older row had.
        session.execute(sa.text(
            f"INSERT INTO {ddl.SCOPES} (scope, n) SELECT s, "
            "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint "
            "FROM unnest(CAST(:scopes AS text[])) s ORDER BY s "
            f"ON CONFLICT (scope) DO UPDATE SET n = {ddl.SCOPES}.n + 1"),
            {"scopes": sorted(scopes)})


def mark_written(session: Any, scopes: Any = ALL) -> None:
    """An index write/delete ran in this transaction: raise the generation, and those of
    ``scopes`` (the organizations of the rows written, before and after; ALL when not
    known).

    With the transaction listeners installed (connection.install_listeners) the
    generations are raised once, in ``before_commit``, so concurrent writers hold their
    row locks only while committing; without them, at once. Either way the rise commits
    or rolls back with the write, and the session's own searches bypass the cache until then.
    """
    ddl.ensure(session)
    if not txn.listening():
        session.info[WRITTEN] = txn.transaction_of(session)
        bump(session, scopes)
        return
    if session.info.get(WRITTEN) is not txn.transaction_of(session):
        session.info.pop(SCOPES_WRITTEN, None)  # left from a rolled-back transaction
    session.info[WRITTEN] = txn.transaction_of(session)
    pending = session.info.get(SCOPES_WRITTEN, set())
    session.info[SCOPES_WRITTEN] = ALL if scopes is ALL or pending is ALL else pending | set(scopes)


def written_in_transaction(session: Any) -> bool:
    if WRITTEN not in session.info:
        return False
    current = txn.transaction_of(session)
    return current is None or session.info[WRITTEN] is current


def bump_if_written(session: Any, *_: Any) -> None:
    """before_commit listener (after the deferred-write flush). Any mark counts: an
    extra rise (after a rolled-back write) only empties the cache."""
    scopes = session.info.pop(SCOPES_WRITTEN, ALL)
    if session.info.pop(WRITTEN, False) is not False:
        bump(session, scopes)


def cached_counts(key: Any, generation: int | None) -> tuple[int, dict[int, list[Any]]] | None:
    """The count and facet counts stored for ``key`` at ``generation`` (None: no cache)."""
    return cache.get(key, generation) if generation is not None else None


def store_counts(key: Any, result: list[Any], facets: list[str]) -> None:
    """Keep the count and facet counts of a statement's result under the generation that
    statement read (its 'g' row; none: nothing stored)."""
    seen = next((int(c) for k, _, c, *_ in result if k == "g"), None)
    if seen is None:
        return
    counts: dict[int, list[Any]] = {i: [] for i in range(len(facets))}
    hits = 0
    for k, v, c, *_ in result:
        if k == "n":
            hits = int(c)
        elif k.startswith("f"):
            counts[int(k[1:])].extend([v, int(c)])
    cache.put(key, seen, hits, counts)
