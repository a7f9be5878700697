"""Puts the PostgreSQL backend where CKAN looks up its Solr connection.

CKAN reads ``make_connection`` from ``ckan.lib.search.common`` and from the
modules that imported it by name (``ckan.lib.search``, ``.index``, ``.query``,
and extensions such as ckanext-harvest), so every such binding is swapped.
``install("solr")`` puts CKAN's originals back: nothing of ours is left in the path.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_ORIGINALS: dict[str, Any] = {}
_current = "solr"


def _schema_check_skipped(schema_file: str | None = None) -> bool:
    """The embedded backend has no Solr schema to fetch; nothing to check."""
    return True


def _rebind(old: Callable[..., Any], new: Callable[..., Any]) -> None:
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("ckan") \
                or name.startswith("ckanext.guangdong.search"):
            continue  # our own modules define the replacement: never rebind them
        if getattr(module, "make_connection", None) is old:
            module.__dict__["make_connection"] = new


def install(backend: str) -> None:
    global _current
    import ckan.lib.search as search
    from ckan.lib.search import common

    if not _ORIGINALS:
        _ORIGINALS["make_connection"] = common.make_connection
        _ORIGINALS["check_solr_schema_version"] = search.check_solr_schema_version
    original = _ORIGINALS["make_connection"]

    from ckanext.guangdong.search.backend import connection
    if backend == "postgres":
        connection.install_listeners()
        _rebind(original, connection.make_connection)
        search.check_solr_schema_version = _schema_check_skipped
    else:
        _rebind(connection.make_connection, original)
        search.check_solr_schema_version = _ORIGINALS["check_solr_schema_version"]
    if backend != _current:
        log.debug("search backend: %s", backend)
    _current = backend


def current() -> str:
    return _current
