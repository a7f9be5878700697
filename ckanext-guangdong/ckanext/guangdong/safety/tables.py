"""The safety feature's tables (the DDL of its migration, the only path that creates them).

- ``guangdong_safety_scan``: the last scan of each tabular resource (``subject`` = resource id)
  and of each dataset's metadata text (``subject`` = ''): state, what was scanned (the file's
  address key and hash, or the text's hash), findings with masked samples, the file's column
  names (``columns``: read against the negative list's data items), and a reviewer's
  clearance (who, when, the written reason).
- ``guangdong_safety_publication``: a publisher's request to make a dataset public and where it
  stands (requested, approved, returned, withdrawn, published), with the review's comment.
- ``guangdong_safety_audit``: every decision (hold, release, clear, approve, return, negative
  list edits, organisation review settings, de-identified copies), never updated or deleted.
- ``guangdong_safety_negative_list``: saved versions of the negative list (the newest is in
  force; config/negative_list.yaml until the first save).
- ``guangdong_safety_org_review``: organisations whose review setting differs from the default.

Everything is written through the session's connection: in the transaction of the dataset
change that caused it.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong import migrated

SCAN = "guangdong_safety_scan"
PUBLICATION = "guangdong_safety_publication"
AUDIT = "guangdong_safety_audit"
NEGATIVE_LIST = "guangdong_safety_negative_list"
ORG_REVIEW = "guangdong_safety_org_review"

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {SCAN} (
        package_id text NOT NULL,
        subject text NOT NULL,
        state text NOT NULL,
        file_key text,
        content_hash text,
        rows integer,
        findings jsonb NOT NULL DEFAULT '[]',
        error text,
        scanned_at timestamp without time zone,
        cleared_by text,
        cleared_reason text,
        cleared_at timestamp without time zone,
        PRIMARY KEY (package_id, subject)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PUBLICATION} (
        package_id text PRIMARY KEY,
        state text NOT NULL,
        needs_review boolean NOT NULL DEFAULT false,
        submitted_by text,
        submitted_at timestamp without time zone,
        reviewed_by text,
        reviewed_at timestamp without time zone,
        comment text,
        published_at timestamp without time zone
    )""",
    f"""CREATE TABLE IF NOT EXISTS {AUDIT} (
        id bigserial PRIMARY KEY,
        at timestamp without time zone NOT NULL,
        actor text,
        action text NOT NULL,
        package_id text,
        reason text,
        details jsonb NOT NULL DEFAULT '{{}}'
    )""",
    f"CREATE INDEX IF NOT EXISTS {AUDIT}_package_idx ON {AUDIT} (package_id, at)",
    f"""CREATE TABLE IF NOT EXISTS {NEGATIVE_LIST} (
        id bigserial PRIMARY KEY,
        content text NOT NULL,
        saved_by text NOT NULL,
        saved_at timestamp without time zone NOT NULL,
        comment text NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ORG_REVIEW} (
        org_id text PRIMARY KEY,
        review boolean NOT NULL,
        set_by text,
        set_at timestamp without time zone
    )""",
)
# the second migration: the header of a scanned file (NULL: scanned before it, or not a table)
COLUMNS_DDL = (f"ALTER TABLE {SCAN} ADD COLUMN IF NOT EXISTS columns jsonb",)
DROP = tuple(f"DROP TABLE IF EXISTS {t}" for t in (SCAN, PUBLICATION, AUDIT, NEGATIVE_LIST, ORG_REVIEW))

PLUGIN = "guangdong_safety"


def create_tables(conn: Connection) -> None:
    migrated.run(conn, DDL)  # the migration's, idempotent


def conn() -> Connection:
    """The session's connection, the tables checked (migrated.NotMigrated when missing)."""
    return migrated.session_connection(PLUGIN, SCAN, PUBLICATION, AUDIT, NEGATIVE_LIST, ORG_REVIEW)


def utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


# --- scans -------------------------------------------------------------------------------------
SCAN_FIELDS = ("package_id", "subject", "state", "file_key", "content_hash", "rows", "findings",
               "error", "scanned_at", "cleared_by", "cleared_reason", "cleared_at", "columns")


def _scan_row(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict(zip(SCAN_FIELDS, row, strict=False))
    if isinstance(out["findings"], str):
        out["findings"] = json.loads(out["findings"])
    if isinstance(out.get("columns"), str):
        out["columns"] = json.loads(out["columns"])
    return out


def scans(package_id: str) -> dict[str, dict[str, Any]]:
    """subject -> scan row, for one dataset."""
    rows = conn().execute(text(f"SELECT {', '.join(SCAN_FIELDS)} FROM {SCAN} WHERE package_id = :p"),
                          {"p": package_id}).fetchall()
    return {r[1]: _scan_row(r) for r in rows}


def scans_of(package_ids: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    if not package_ids:
        return {}
    rows = conn().execute(text(f"SELECT {', '.join(SCAN_FIELDS)} FROM {SCAN} "
                               f"WHERE package_id = ANY(:p)"), {"p": list(package_ids)}).fetchall()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r[0], {})[r[1]] = _scan_row(r)
    return out


def save_scan(package_id: str, subject: str, state: str, *, file_key: str | None = None,
              content_hash: str | None = None, rows: int | None = None,
              findings: list[dict[str, Any]] | None = None, error: str | None = None,
              keep_clearance: bool = False, columns: list[str] | None = None) -> None:
    """Insert or replace a scan; a new scan drops the old clearance unless told to keep it
    (the same content scanned again)."""
    clearance = "" if keep_clearance else ", cleared_by = NULL, cleared_reason = NULL, cleared_at = NULL"
    conn().execute(text(f"""
        INSERT INTO {SCAN} (package_id, subject, state, file_key, content_hash, rows, findings,
                            error, scanned_at, columns)
        VALUES (:p, :s, :state, :key, :hash, :rows, CAST(:findings AS jsonb), :error, :at,
                CAST(:columns AS jsonb))
        ON CONFLICT (package_id, subject) DO UPDATE SET state = EXCLUDED.state,
            file_key = EXCLUDED.file_key, content_hash = EXCLUDED.content_hash,
            rows = EXCLUDED.rows, findings = EXCLUDED.findings, error = EXCLUDED.error,
            scanned_at = EXCLUDED.scanned_at, columns = EXCLUDED.columns{clearance}"""),
        {"p": package_id, "s": subject, "state": state, "key": file_key, "hash": content_hash,
         "rows": rows, "findings": json.dumps(findings or [], ensure_ascii=False),
         "error": error, "at": utcnow() if state != "queued" else None,
         "columns": None if columns is None else json.dumps(columns, ensure_ascii=False)})


def touch_scan(package_id: str, subject: str) -> None:
    """A link tried again but not read (unreachable now): its scan stands, dated now, so the
    next rescan takes the links not tried for longest (rescan.py)."""
    conn().execute(text(f"UPDATE {SCAN} SET scanned_at = :at WHERE package_id = :p AND subject = :s"),
                   {"at": utcnow(), "p": package_id, "s": subject})


def mark_queued(package_id: str, subject: str, file_key: str) -> None:
    """A new file waits for its scan: the old result no longer speaks for it."""
    conn().execute(text(f"""
        INSERT INTO {SCAN} (package_id, subject, state, file_key)
        VALUES (:p, :s, 'queued', :key)
        ON CONFLICT (package_id, subject) DO UPDATE SET state = 'queued', file_key = :key,
            columns = NULL, cleared_by = NULL, cleared_reason = NULL, cleared_at = NULL"""),
        {"p": package_id, "s": subject, "key": file_key})


def clear_scans(package_id: str, subjects: list[str], user: str | None, reason: str) -> None:
    conn().execute(text(f"""
        UPDATE {SCAN} SET cleared_by = :u, cleared_reason = :r, cleared_at = :at
        WHERE package_id = :p AND subject = ANY(:s)"""),
        {"p": package_id, "s": subjects, "u": user, "r": reason, "at": utcnow()})


def drop_scans_except(package_id: str, subjects: list[str]) -> None:
    """Forget the scans of resources the dataset no longer has."""
    conn().execute(text(f"DELETE FROM {SCAN} WHERE package_id = :p AND subject <> '' "
                        f"AND NOT (subject = ANY(:s))"), {"p": package_id, "s": subjects})


# --- publication requests -----------------------------------------------------------------------
PUB_FIELDS = ("package_id", "state", "needs_review", "submitted_by", "submitted_at", "reviewed_by",
              "reviewed_at", "comment", "published_at")


def publication(package_id: str) -> dict[str, Any] | None:
    row = conn().execute(text(f"SELECT {', '.join(PUB_FIELDS)} FROM {PUBLICATION} WHERE package_id = :p"),
                         {"p": package_id}).first()
    return dict(zip(PUB_FIELDS, row, strict=False)) if row else None


def publications(states: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = conn().execute(text(f"SELECT {', '.join(PUB_FIELDS)} FROM {PUBLICATION} "
                               f"WHERE state = ANY(:s) ORDER BY submitted_at, package_id"), {"s": list(states)})
    return [dict(zip(PUB_FIELDS, r, strict=False)) for r in rows]


def open_requests(states: tuple[str, ...], org_ids: list[str] | None) -> list[str]:
    """Ids of the active datasets with a publication in ``states``, oldest request first; of
    the organisations ``org_ids`` only (None: of all). One query: the review queue read each
    dataset and asked who reviews it, request by request."""
    where = "" if org_ids is None else "AND p.owner_org = ANY(:orgs)"
    rows = conn().execute(text(f"""
        SELECT pub.package_id FROM {PUBLICATION} pub JOIN package p ON p.id = pub.package_id
        WHERE pub.state = ANY(:s) AND p.state = 'active' {where}
        ORDER BY pub.submitted_at, pub.package_id"""), {"s": list(states), "orgs": org_ids or []})
    return [r[0] for r in rows]


def save_publication(package_id: str, **values: Any) -> None:
    current = publication(package_id) or {k: None for k in PUB_FIELDS}
    current.update(values, package_id=package_id)
    current["needs_review"] = bool(current.get("needs_review"))
    conn().execute(text(f"""
        INSERT INTO {PUBLICATION} ({', '.join(PUB_FIELDS)})
        VALUES ({', '.join(':' + f for f in PUB_FIELDS)})
        ON CONFLICT (package_id) DO UPDATE SET
            {', '.join(f'{f} = EXCLUDED.{f}' for f in PUB_FIELDS[1:])}"""), current)


# --- audit trail --------------------------------------------------------------------------------
AUDIT_FIELDS = ("id", "at", "actor", "action", "package_id", "reason", "details")


def audit(action: str, actor: str | None, package_id: str | None = None,
          reason: str | None = None, **details: Any) -> None:
    conn().execute(text(f"""
        INSERT INTO {AUDIT} (at, actor, action, package_id, reason, details)
        VALUES (:at, :actor, :action, :p, :reason, CAST(:details AS jsonb))"""),
        {"at": utcnow(), "actor": actor, "action": action, "p": package_id, "reason": reason,
         "details": json.dumps(details, ensure_ascii=False, default=str)})


def held_by_negative_list() -> set[str]:
    """Datasets a negative-list save took out of public view (their "held" entry names the
    list's version): the only ones the next save may give back (logic.action)."""
    rows = conn().execute(text(f"SELECT DISTINCT package_id FROM {AUDIT} WHERE action = 'held' "
                               f"AND details ? 'negative_list_version'"))
    return {r[0] for r in rows}


def audit_trail(package_id: str | None = None, actions: tuple[str, ...] | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if package_id is not None:
        where.append("package_id = :p")
        params["p"] = package_id
    if actions:
        where.append("action = ANY(:a)")
        params["a"] = list(actions)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = conn().execute(text(f"SELECT {', '.join(AUDIT_FIELDS)} FROM {AUDIT} {clause} "
                               f"ORDER BY at DESC, id DESC LIMIT :limit"), params)
    out = []
    for r in rows:
        item = dict(zip(AUDIT_FIELDS, r, strict=False))
        if isinstance(item["details"], str):
            item["details"] = json.loads(item["details"])
        out.append(item)
    return out


# --- negative list versions -----------------------------------------------------------------------
def negative_list_latest() -> dict[str, Any] | None:
    row = conn().execute(text(f"SELECT id, content, saved_by, saved_at, comment FROM {NEGATIVE_LIST} "
                              f"ORDER BY id DESC LIMIT 1")).first()
    return dict(zip(("id", "content", "saved_by", "saved_at", "comment"), row, strict=False)) if row else None


def negative_list_versions(limit: int = 50) -> list[dict[str, Any]]:
    rows = conn().execute(text(f"SELECT id, saved_by, saved_at, comment FROM {NEGATIVE_LIST} "
                               f"ORDER BY id DESC LIMIT :l"), {"l": limit})
    return [dict(zip(("id", "saved_by", "saved_at", "comment"), r, strict=False)) for r in rows]


def save_negative_list(content: str, user: str, comment: str) -> int:
    new_id = conn().execute(text(f"""
        INSERT INTO {NEGATIVE_LIST} (content, saved_by, saved_at, comment)
        VALUES (:c, :u, :at, :comment) RETURNING id"""),
        {"c": content, "u": user, "at": utcnow(), "comment": comment}).scalar()
    assert new_id is not None  # INSERT ... RETURNING always gives the id
    return int(new_id)


# --- organisation review settings -------------------------------------------------------------
def org_review(org_id: str) -> bool | None:
    row = conn().execute(text(f"SELECT review FROM {ORG_REVIEW} WHERE org_id = :o"), {"o": org_id}).first()
    return None if row is None else bool(row[0])


def org_reviews() -> dict[str, bool]:
    return {r[0]: bool(r[1]) for r in conn().execute(text(f"SELECT org_id, review FROM {ORG_REVIEW}"))}


def set_org_review(org_id: str, review: bool | None, user: str) -> None:
    if review is None:
        conn().execute(text(f"DELETE FROM {ORG_REVIEW} WHERE org_id = :o"), {"o": org_id})
        return
    conn().execute(text(f"""
        INSERT INTO {ORG_REVIEW} (org_id, review, set_by, set_at) VALUES (:o, :r, :u, :at)
        ON CONFLICT (org_id) DO UPDATE SET review = EXCLUDED.review, set_by = EXCLUDED.set_by,
            set_at = EXCLUDED.set_at"""), {"o": org_id, "r": review, "u": user, "at": utcnow()})
