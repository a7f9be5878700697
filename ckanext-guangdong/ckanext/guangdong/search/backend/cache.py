"""Cache of counts and facet counts, like Solr's filterCache, shared by the workers.

A broad search (``*:*``, a facet click, a common word) spends its time counting
and faceting every matching row; the page of rows itself is cheap. The count
and the facet counts of a filter set are therefore kept, keyed by

    (database, index table oid, WHERE sql + parameters, facet fields, facet.mincount)

and stored with the generation they were computed at. Two levels: a small
dictionary in the process (no round trip) and Redis (CKAN's ``ckan.redis.url``),
so what one gunicorn worker counted serves the others, and a new worker starts
warm. Redis being down only costs the counting: the search goes on.

Generations live in PostgreSQL (``ddl.GENERATION``, ``ddl.SCOPES``) and are
raised in the transaction of every index write or delete, so a rolled-back write
never raises them and other processes see the rise exactly when the write
commits. A query that requires one organization (``fq=organization:x`` or
``owner_org:<id>``) depends on that organization's generation only: writes to
other organizations' datasets (a harvest of another city) leave its entry valid.
Any other query depends on the global generation. Every search reads its
generation (one tiny indexed read), so nothing stale is served; an entry is
stored under the generation read *in the same statement* that computed it (same
snapshot). Permission labels, drafts, private and dataset types are part of
CKAN's ``fq`` and so of the key. A session whose current transaction wrote to the
index sees its own uncommitted rows: it neither reads nor fills the cache until
that transaction ends.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

log = logging.getLogger(__name__)

MAX_ENTRIES = 512
REDIS_PREFIX = "guangdong:search:counts:"
REDIS_SECONDS = 3600  # an entry nobody asked for in an hour leaves Redis
_RETRY_SECONDS = 30   # after a Redis error, the process-local level alone for a while

_lock = threading.Lock()
_entries: OrderedDict[Any, tuple[int, dict[int, list[Any]]]] = OrderedDict()
stats = {"hits": 0, "misses": 0, "shared_hits": 0}
_redis_down_until = 0.0


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def make_key(database: str, table_oid: int, where: str, values: dict[str, Any],
             facets: list[str], mincount: int) -> Any:
    return (database, table_oid, where, _freeze(values), tuple(facets), mincount)


def _redis_key(key: Any) -> str:
    # Hashed: the key holds the database URL (with its password) and user-typed values.
    return REDIS_PREFIX + hashlib.sha256(repr(key).encode()).hexdigest()


def _redis() -> Any:
    global _redis_down_until
    if time.monotonic() < _redis_down_until:
        return None
    try:
        from ckan.lib.redis import connect_to_redis
        return connect_to_redis()
    except Exception as exc:  # no ckan.redis.url, or no config (a script)
        log.debug("count cache: no Redis (%s)", exc)
        _redis_down_until = time.monotonic() + _RETRY_SECONDS
        return None


def _redis_failed(exc: Exception) -> None:
    global _redis_down_until
    log.warning("count cache: Redis unavailable (%s); process-local cache only for %d s",
                exc, _RETRY_SECONDS)
    _redis_down_until = time.monotonic() + _RETRY_SECONDS


def get(key: Any, generation: int) -> tuple[int, dict[int, list[Any]]] | None:
    with _lock:
        entry = _entries.get((generation, key))
        if entry is not None:
            _entries.move_to_end((generation, key))
            stats["hits"] += 1
            return entry
    shared = _get_shared(key, generation)
    with _lock:
        if shared is None:
            stats["misses"] += 1
            return None
        stats["hits"] += 1
        stats["shared_hits"] += 1
        _put_local(key, generation, shared)
    return shared


def _get_shared(key: Any, generation: int) -> tuple[int, dict[int, list[Any]]] | None:
    client = _redis()
    if client is None:
        return None
    try:
        raw = client.get(_redis_key(key))
    except Exception as exc:
        _redis_failed(exc)
        return None
    if raw is None:
        return None
    try:
        stored_generation, hits, facets = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if stored_generation != generation:
        return None
    return int(hits), {int(i): flat for i, flat in facets.items()}


def _put_local(key: Any, generation: int, entry: tuple[int, dict[int, list[Any]]]) -> None:
    _entries[(generation, key)] = entry
    _entries.move_to_end((generation, key))
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def put(key: Any, generation: int, hits: int, facets: dict[int, list[Any]]) -> None:
    with _lock:
        _put_local(key, generation, (hits, facets))
    client = _redis()
    if client is None:
        return
    try:
        client.set(_redis_key(key), json.dumps([generation, hits, facets], ensure_ascii=False),
                   ex=REDIS_SECONDS)
    except Exception as exc:
        _redis_failed(exc)


def clear() -> None:
    """Empty both levels (tests and benchmarks measure the cold path with it)."""
    with _lock:
        _entries.clear()
    client = _redis()
    if client is None:
        return
    try:
        keys = list(client.scan_iter(match=REDIS_PREFIX + "*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception as exc:
        _redis_failed(exc)
