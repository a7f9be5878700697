"""The load report of each resource: what the last DataStore load found (rows, columns and their
types, encoding, header row, warnings) or why it failed. One row per resource; the dataset page,
the resource page and the harvest report read it (the DDL of its migration, the only path that
creates it)."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong import migrated

TABLE = "guangdong_datastore_load"
DDL = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        resource_id text PRIMARY KEY,
        package_id text NOT NULL,
        state text NOT NULL,
        rows integer,
        columns jsonb,
        encoding text,
        header_line integer,
        warnings jsonb NOT NULL DEFAULT '[]',
        error jsonb,
        started timestamp without time zone,
        finished timestamp without time zone
    )""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_package_idx ON {TABLE} (package_id)",
)
DROP = (f"DROP TABLE IF EXISTS {TABLE}",)
FIELDS = ("resource_id", "package_id", "state", "rows", "columns", "encoding", "header_line",
          "warnings", "error", "started", "finished")
_JSON = ("columns", "warnings", "error")
PLUGIN = "guangdong_data"


def create_table(conn: Connection) -> None:
    migrated.run(conn, DDL)  # the migration's, idempotent


def _session_conn() -> Connection:
    """The session's connection, the table checked (migrated.NotMigrated when missing)."""
    return migrated.session_connection(PLUGIN, TABLE)


def _reading_conn() -> Connection | None:
    """The connection reads use: the same check as writes (reads, on every dataset and
    resource page, run no DDL and, once the table was found, no catalog look-up)."""
    return _session_conn()


def save(resource_id: str, package_id: str, state: str, **values: Any) -> None:
    """Insert or update the report of a resource and commit."""
    from ckan import model
    row: dict[str, Any] = {k: None for k in FIELDS}
    row.update(resource_id=resource_id, package_id=package_id, state=state, warnings=[])
    now = dt.datetime.utcnow()
    if state == "running":
        row["started"] = now
    elif state in ("complete", "error"):
        row["finished"] = now
    row.update(values)
    for k in _JSON:
        row[k] = None if row[k] is None else json.dumps(row[k], ensure_ascii=False, default=str)
    columns = ", ".join(FIELDS)
    updates = ", ".join(f"{k} = EXCLUDED.{k}" for k in FIELDS if k not in ("resource_id", "started"))
    _session_conn().execute(text(
        f"INSERT INTO {TABLE} AS t ({columns}) VALUES ({', '.join(':' + k for k in FIELDS)}) "
        f"ON CONFLICT (resource_id) DO UPDATE SET {updates}, "
        "started = COALESCE(EXCLUDED.started, t.started)"), row)
    model.Session.commit()


def _decode(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for k in _JSON:
        if isinstance(out.get(k), str):
            out[k] = json.loads(out[k])
    return out


def get(resource_id: str) -> dict[str, Any] | None:
    conn = _reading_conn()
    if conn is None:
        return None
    row = conn.execute(text(f"SELECT * FROM {TABLE} WHERE resource_id = :r"),
                       {"r": resource_id}).first()
    return _decode(row) if row else None


def for_packages(package_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    ids = list(package_ids)
    if not ids:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    conn = _reading_conn()
    if conn is None:
        return out
    for row in conn.execute(
            text(f"SELECT * FROM {TABLE} WHERE package_id = ANY(:ids)"), {"ids": ids}):
        report = _decode(row)
        out.setdefault(report["package_id"], []).append(report)
    return out


def delete(resource_id: str) -> None:
    from ckan import model
    _session_conn().execute(text(f"DELETE FROM {TABLE} WHERE resource_id = :r"), {"r": resource_id})
    model.Session.commit()
