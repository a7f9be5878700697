"""Index writes: immediate upserts, or batched ones for deferred (bulk) commits.

CKAN's bulk paths (``search-index rebuild``, our reindex) ask for no commit per
dataset. Those rows wait in the session (``session.info``) and go out as one
multi-row INSERT per batch, at the latest before the session commits (a
``before_commit`` listener) or before it searches; a rollback drops them, as it
drops everything else of the transaction.
"""
from __future__ import annotations

from typing import Any

import psycopg2
import sqlalchemy as sa
from psycopg2.extras import execute_values
from sqlalchemy import exc as sa_exc

from ckanext.guangdong.search.backend import ddl, generation

COLUMNS = ("index_id", "id", "site_id", "metadata_modified", "k", "f", "doc", "tsv",
           *ddl.ADDED_COLUMNS)
CASTS = {"k": "jsonb", "f": "jsonb", "doc": "jsonb", "tsv": "tsvector", "labels": "text[]",
         "fv": "text[]"}
PENDING = "guangdong_search_pending"
SCOPES_KEY = "_scopes"  # a row's organization scopes (generation.scopes_of), not a column
BATCH = 250


_TEMPLATE = "(" + ", ".join(f"%({c})s::{CASTS[c]}" if c in CASTS else f"%({c})s"
                             for c in COLUMNS) + ")"
_UPSERT = (f"INSERT INTO {ddl.TABLE} ({', '.join(COLUMNS)}) VALUES %s ON CONFLICT (index_id) "
           "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "index_id"))


def _upsert(session: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    ddl.ensure(session)
    # The organizations whose cached counts this write changes: the rows' own and, for
    # rows replaced, the ones they had.
    scopes = scopes_in_index(session, [r["index_id"] for r in rows])
    for row in rows:
        scopes |= row.get(SCOPES_KEY, set())
    # psycopg2's execute_values on the session's own connection (same transaction):
    # a 250-row batch carries ~4 MB of parameters, and binding them through
    # SQLAlchemy's text() costs a fifth of the write.
    cursor = session.connection().connection.cursor()
    try:
        execute_values(cursor, _UPSERT, rows, template=_TEMPLATE, page_size=len(rows))
    except psycopg2.Error as exc:  # as SQLAlchemy would raise it: callers catch that
        raise sa_exc.DBAPIError(_UPSERT, None, exc) from exc
    finally:
        cursor.close()
    generation.mark_written(session, scopes)


def scopes_in_index(session: Any, index_ids: list[str]) -> set[str]:
    """The organization scopes of the rows now in the index under these ids."""
    found = session.execute(sa.text(
        f"SELECT s FROM {ddl.TABLE} t, LATERAL (SELECT f || ':' || v FROM "
        f"unnest(CAST(:fields AS text[])) f, jsonb_array_elements_text(COALESCE(t.k -> f, "
        "'[]')) v) x(s) WHERE t.index_id = ANY(:ids)"),
        {"ids": index_ids, "fields": list(ddl.SCOPE_FIELDS)}).fetchall()
    return {r[0] for r in found}


def write(session: Any, rows: list[dict[str, Any]]) -> None:
    flush(session)
    # One statement may not touch a row twice: keep the last version of each.
    _upsert(session, list({r["index_id"]: r for r in rows}.values()))


def defer(session: Any, rows: list[dict[str, Any]]) -> None:
    pending: dict[str, dict[str, Any]] = session.info.setdefault(PENDING, {})
    for row in rows:
        pending.pop(row["index_id"], None)
        pending[row["index_id"]] = row
    if len(pending) >= BATCH:
        flush(session)


def flush(session: Any, *_: Any) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        for start in range(0, len(pending), BATCH):
            _upsert(session, list(pending.values())[start:start + BATCH])


def discard(session: Any, *_: Any) -> None:
    session.info.pop(PENDING, None)
