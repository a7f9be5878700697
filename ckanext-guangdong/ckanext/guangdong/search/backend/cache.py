"""Process-local cache of counts and facet counts, like Solr's filterCache.

A broad search (``*:*``, a facet click, a common word) spends its time counting
and faceting every matching row; the page of rows itself is cheap. The count
and the facet counts of a filter set are therefore kept here, keyed by

    (database, index table oid, index generation, WHERE sql + parameters,
     facet fields, facet.mincount)

The generation is a number in PostgreSQL (``ddl.GENERATION``) raised in the
transaction of every index write or delete, so a rolled-back write never
raises it and other processes see the rise exactly when the write commits.
Every search reads it (one tiny indexed read), so nothing stale is served;
an entry is stored under the generation read *in the same statement* that
computed it (same snapshot). Permission labels, drafts, private and dataset
types are part of CKAN's ``fq`` and so of the key. A session whose current
transaction wrote to the index sees its own uncommitted rows: it neither
reads nor fills the cache until that transaction ends.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: "OrderedDict[Any, tuple[int, dict[int, list[Any]]]]" = OrderedDict()
stats = {"hits": 0, "misses": 0}


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def make_key(database: str, table_oid: int, where: str, values: dict[str, Any],
             facets: list[str], mincount: int) -> Any:
    return (database, table_oid, where, _freeze(values), tuple(facets), mincount)


def get(key: Any, generation: int) -> tuple[int, dict[int, list[Any]]] | None:
    with _lock:
        entry = _entries.get((generation, key))
        if entry is None:
            stats["misses"] += 1
            return None
        _entries.move_to_end((generation, key))
        stats["hits"] += 1
        return entry


def put(key: Any, generation: int, hits: int, facets: dict[int, list[Any]]) -> None:
    with _lock:
        _entries[(generation, key)] = (hits, facets)
        _entries.move_to_end((generation, key))
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    with _lock:
        _entries.clear()
