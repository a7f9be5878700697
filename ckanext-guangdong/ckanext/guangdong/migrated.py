"""Our tables are made by alembic migrations only (``ckan db upgrade``), never at request time.

A feature that reads or writes its tables first asks ``require``: when the migration has not
run, the operator gets an error that says which command to run, instead of a bare
"relation does not exist" (or, worse, a table made at request time that the migrations then
do not know about). A table once found is not looked up again in this process.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text

_found: set[tuple[str, str]] = set()
_lock = threading.Lock()


class NotMigrated(RuntimeError):
    """A feature's table is missing: its plugin's migrations have not been applied."""


def require(conn: Any, plugin: str, *tables: str) -> None:
    """Raise NotMigrated unless every one of ``tables`` exists in ``conn``'s database."""
    database = str(conn.engine.url)
    wanted = [t for t in tables if (database, t) not in _found]
    if not wanted:
        return
    missing = [t for t in wanted
               if conn.execute(text("SELECT to_regclass(:t)"), {"t": t}).scalar() is None]
    if missing:
        raise NotMigrated(
            f"table {', '.join(missing)} missing: the {plugin} plugin's migrations have not "
            f"been applied; run `ckan -c <your ini> db upgrade -p {plugin}`")
    with _lock:
        _found.update((database, t) for t in wanted)


def session_connection(plugin: str, *tables: str) -> Any:
    """The CKAN session's connection (its transaction), ``tables`` checked with ``require``."""
    from ckan import model
    conn = model.Session.connection()
    require(conn, plugin, *tables)
    return conn


def run(conn: Any, statements: Iterable[str]) -> None:
    """Run a migration's DDL statements."""
    for statement in statements:
        conn.execute(text(statement))


def forget() -> None:
    """Look the tables up again (after a test drops and re-migrates them)."""
    with _lock:
        _found.clear()
