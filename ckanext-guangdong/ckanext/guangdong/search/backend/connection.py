"""A pysolr.Solr look-alike that keeps the index in PostgreSQL.

Only the surface CKAN (and ckanext-harvest) use: ``add``, ``delete``,
``commit``, ``optimize``, ``ping``, ``search`` and ``url``. Errors are raised
as ``pysolr.SolrError`` so CKAN turns them into its own Search*Error.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import pysolr
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ckanext.guangdong.search.backend import ddl, document, executor, generation, statements, txn, writer

log = logging.getLogger(__name__)

def _json(value: Any) -> str:
    # default=str: CKAN documents may carry datetimes from plugins.
    return json.dumps(value, ensure_ascii=False, default=str).replace("\\u0000", "")


def row_params(doc: dict[str, Any]) -> dict[str, Any]:
    row = document.build_row(doc)
    return {"index_id": row.index_id, "id": row.id, "site_id": row.site_id,
            "metadata_modified": row.metadata_modified, "k": _json(row.k), "f": _json(row.f),
            "doc": _json(row.doc), "tsv": row.tsv, **row.singles, "labels": row.labels,
            "fv": row.fv, writer.SCOPES_KEY: generation.scopes_of(row.k)}


class PostgresConnection:
    """Stateless: every call works in the session of the current transaction."""

    url = "postgresql://ckan-index (ckanext-guangdong)"

    def __init__(self, decode_dates: bool = True) -> None:
        self.decode_dates = decode_dates

    # -- writes --------------------------------------------------------------
    def add(self, docs: Iterable[dict[str, Any]], commit: bool = True, **_: Any) -> str:
        batch = [row_params(d) for d in docs]
        session = txn.session()
        try:
            if not commit and not txn.in_commit_hook():
                writer.defer(session, batch)  # bulk path: batched, flushed before commit
            else:
                writer.write(session, batch)
        except SQLAlchemyError as exc:
            log.error("index write failed: %s", exc)
            raise pysolr.SolrError("Index write failed: database error (see the server log)") from None
        txn.make_durable(commit)
        return ""

    def delete(self, id: Any = None, q: str | None = None, commit: bool = True,
               **_: Any) -> str:
        session = txn.session()
        try:
            writer.flush(session)
            if not ddl.exists(session):
                return ""
            ddl.ensure(session)  # a delete-by-query reads the current columns
            if id is not None:
                ids = [str(i) for i in (id if isinstance(id, (list, tuple)) else [id])]
                old = writer.scopes_in_index(session, ids)
                session.execute(sa.text(f"DELETE FROM {ddl.TABLE} WHERE index_id = ANY(:ids)"),
                                {"ids": ids})
                generation.mark_written(session, old)
            elif q is not None:
                where, values = statements.row_filter(q)
                session.execute(sa.text(f"DELETE FROM {ddl.TABLE} WHERE {where}"), values)
                generation.mark_written(session)  # rows of any organization
        except SQLAlchemyError as exc:
            log.error("index delete failed: %s", exc)
            raise pysolr.SolrError("Index delete failed: database error (see the server log)") from None
        txn.make_durable(commit)
        return ""

    def commit(self, *args: Any, **kwargs: Any) -> str:
        txn.make_durable(True)
        return ""

    def optimize(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def ping(self, *args: Any, **kwargs: Any) -> str:
        return "{\"status\": \"OK\"}"

    # -- reads ---------------------------------------------------------------
    def search(self, q: str = "*:*", search_handler: str | None = None,
               **params: Any) -> pysolr.Results:
        search = executor.Search(None, q, params)
        search.validate()  # bad input: QueryError (Solr's 400), before any SQL
        session = txn.session()
        search.session = session
        try:
            writer.flush(session)  # read your own deferred writes
            # A savepoint: a failed search must not abort the caller's transaction
            # (CKAN searches inside requests and actions that also write).
            with session.begin_nested():
                outcome = search.run()
        except (SQLAlchemyError, ValueError, OverflowError, RecursionError) as exc:
            # The SQL and its parameters go to the log only, never into the answer.
            log.error("search failed: %s", exc)
            raise pysolr.SolrError("Search failed: database error (see the server log)") from None
        return pysolr.Results({
            "response": {"numFound": outcome.hits, "docs": outcome.docs},
            "facet_counts": outcome.facets,
        })


def install_listeners() -> None:
    """Index writes join the dataset's transaction: deferred (bulk) rows go out before it
    commits, then the index generation rises once if it wrote; a rollback drops them."""
    txn.install_listeners(before_commit=[writer.flush, generation.bump_if_written],
                          after_rollback=[writer.discard])


def make_connection(decode_dates: bool = True) -> PostgresConnection:
    """Replacement for ckan.lib.search.common.make_connection."""
    return PostgresConnection(decode_dates)
