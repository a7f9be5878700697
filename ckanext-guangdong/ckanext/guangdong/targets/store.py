"""Targets as data: validation, loading config/targets.yaml, edits with an audit trail."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from ckan.types import ErrorDict
from sqlalchemy import text
from sqlalchemy.engine import Connection

METRICS = ("datasets", "applications")
# Dates a target or a figure may be about: before 2000 there was no open data to count, and
# past 2199 a monthly series would be centuries long (and 9999-12-31 + 1 day overflows).
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)
THRESHOLD_MAX = 10**9
TITLE_MAX = 300
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
_SCOPE = re.compile(r"^(province|city:\d{6}|organization:[A-Za-z0-9_-]{2,100})$")


@dataclass
class Target:
    id: str
    title_zh: str
    title_en: str
    scope: str          # province | city:<code> | organization:<name>
    metric: str         # datasets | applications
    deadline: dt.date
    threshold: int
    filter_theme: str | None = None
    emphasis_theme: str | None = None
    note: str = ""
    active: bool = True

    @property
    def scope_type(self) -> str:
        return self.scope.split(":", 1)[0]

    @property
    def scope_value(self) -> str | None:
        return self.scope.split(":", 1)[1] if ":" in self.scope else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["deadline"] = self.deadline.isoformat()
        data["title"] = {"zh_Hans_CN": self.title_zh, "en": self.title_en}
        data["filter"] = {"theme": self.filter_theme} if self.filter_theme else None
        data["emphasis"] = {"theme": self.emphasis_theme} if self.emphasis_theme else None
        return data


class TargetError(ValueError):
    def __init__(self, errors: ErrorDict) -> None:
        super().__init__(json.dumps(errors, ensure_ascii=False))
        self.errors = errors


def _theme(value: Any) -> str | None:
    """A filter/emphasis given as {theme: X}, as X, or empty."""
    if isinstance(value, dict):
        value = value.get("theme")
    value = (str(value).strip() if value is not None else "")
    return value or None


def parse(data: dict[str, Any]) -> Target:
    """A Target from the YAML form or the form/API form; raises TargetError listing every problem."""
    errors: ErrorDict = {}
    for key in ("id", "title_zh", "title_en", "scope", "metric", "note"):
        if data.get(key) is not None and not isinstance(data[key], str):
            errors[key] = ["a text"]     # a list or an object would be stored as its repr
    for key in ("filter_theme", "emphasis_theme"):
        if data.get(key) is not None and not isinstance(data[key], (str, dict)):
            errors[key] = ["a theme name"]
    if errors:
        raise TargetError(errors)
    raw_title = data.get("title")
    title = raw_title if isinstance(raw_title, dict) else {}
    title_zh = str(data.get("title_zh") or title.get("zh_Hans_CN") or "").strip()
    title_en = str(data.get("title_en") or title.get("en") or "").strip()
    target_id = str(data.get("id") or "").strip()
    if not _ID.match(target_id):
        errors["id"] = ["lower-case letters, digits, - and _ (2-100 characters)"]
    if not title_zh:
        errors["title_zh"] = ["required"]
    scope = str(data.get("scope") or "").strip()
    if not _SCOPE.match(scope):
        errors["scope"] = ["province, city:<6-digit code> or organization:<name>"]
    metric = str(data.get("metric") or "").strip()
    if metric not in METRICS:
        errors["metric"] = [f"one of {', '.join(METRICS)}"]
    deadline: dt.date | None = None
    raw_deadline = data.get("deadline")
    try:
        deadline = raw_deadline if isinstance(raw_deadline, dt.date) else dt.date.fromisoformat(str(raw_deadline))
        if not DATE_MIN <= deadline <= DATE_MAX:
            raise ValueError
    except ValueError:
        deadline = None
        errors["deadline"] = [f"a date YYYY-MM-DD from {DATE_MIN} to {DATE_MAX}"]
    threshold = 0
    try:
        raw_threshold = str(data.get("threshold")).strip()
        if not raw_threshold.isdigit() or len(raw_threshold) > 10:
            raise ValueError
        threshold = int(raw_threshold)
        if not 0 < threshold <= THRESHOLD_MAX:
            raise ValueError
    except ValueError:
        errors["threshold"] = [f"a whole number from 1 to {THRESHOLD_MAX:,}"]
    for key, value in (("title_zh", title_zh), ("title_en", title_en)):
        if len(value) > TITLE_MAX or any(ord(ch) < 32 for ch in value):
            errors[key] = [f"at most {TITLE_MAX} characters, no control characters"]
    filter_theme = _theme(data.get("filter_theme", data.get("filter")))
    if filter_theme and metric == "applications":
        errors["filter_theme"] = ["a theme filter applies to dataset targets only"]
    active = data.get("active", True)
    if isinstance(active, str):
        active = active.lower() in ("1", "true", "on", "yes")
    if errors:
        raise TargetError(errors)
    assert deadline is not None
    return Target(id=target_id, title_zh=title_zh, title_en=title_en, scope=scope, metric=metric,
                  deadline=deadline, threshold=threshold, filter_theme=filter_theme,
                  emphasis_theme=_theme(data.get("emphasis_theme", data.get("emphasis"))),
                  note=str(data.get("note") or "").strip(), active=bool(active))


_COLUMNS = ("id", "title_zh", "title_en", "scope", "metric", "deadline", "threshold",
            "filter_theme", "emphasis_theme", "note", "active")


def list_targets(conn: Connection, include_inactive: bool = False) -> list[Target]:
    rows = conn.execute(text(
        f"SELECT {', '.join(_COLUMNS)} FROM guangdong_target "
        + ("" if include_inactive else "WHERE active ") + "ORDER BY deadline, scope, metric, id"))
    return [Target(**dict(zip(_COLUMNS, row, strict=False))) for row in rows]


def get_target(conn: Connection, target_id: str) -> Target | None:
    row = conn.execute(text(f"SELECT {', '.join(_COLUMNS)} FROM guangdong_target WHERE id = :id"),
                       {"id": target_id}).first()
    return Target(**dict(zip(_COLUMNS, row, strict=False))) if row else None


def _audit(conn: Connection, target_id: str, action: str, user: str,
           before: Target | None, after: Target | None, now: dt.datetime) -> None:
    conn.execute(text(
        "INSERT INTO guangdong_target_audit (target_id, action, changed_at, changed_by, before, after) "
        "VALUES (:id, :action, :at, :user, CAST(:before AS jsonb), CAST(:after AS jsonb))"),
        {"id": target_id, "action": action, "at": now, "user": user,
         "before": json.dumps(before.as_dict(), ensure_ascii=False) if before else None,
         "after": json.dumps(after.as_dict(), ensure_ascii=False) if after else None})


def save(conn: Connection, target: Target, user: str, action: str,
         now: dt.datetime | None = None) -> Target:
    """Insert or update a target and write the audit row (action: loaded/created/updated/deleted)."""
    now = now or dt.datetime.utcnow()
    before = get_target(conn, target.id)
    values = {c: getattr(target, c) for c in _COLUMNS}
    values.update(at=now, user=user)
    conn.execute(text(f"""
        INSERT INTO guangdong_target ({', '.join(_COLUMNS)}, updated_at, updated_by)
        VALUES ({', '.join(':' + c for c in _COLUMNS)}, :at, :user)
        ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in _COLUMNS[1:])},
            updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by"""), values)
    _audit(conn, target.id, action, user, before, target, now)
    return target


def deactivate(conn: Connection, target_id: str, user: str) -> Target | None:
    """Targets are never deleted (the audit trail and snapshots refer to them): they are
    made inactive, which also keeps the YAML loader from bringing them back."""
    before = get_target(conn, target_id)
    if before is None:
        return None
    after = Target(**{**asdict(before), "active": False})
    return save(conn, after, user, "deleted")


def audit_trail(conn: Connection, target_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    rows = conn.execute(text(
        "SELECT id, target_id, action, changed_at, changed_by, before, after FROM guangdong_target_audit "
        + ("WHERE target_id = :id " if target_id else "") + "ORDER BY changed_at DESC, id DESC LIMIT :limit"),
        {"id": target_id, "limit": limit})
    return [{"id": r[0], "target_id": r[1], "action": r[2], "changed_at": r[3].isoformat(),
             "changed_by": r[4], "before": r[5], "after": r[6]} for r in rows]


def read_file(path: str | Path) -> list[Target]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [parse(item) for item in data.get("targets") or []]


def load_file(conn: Connection, path: str | Path, user: str = "config/targets.yaml") -> int:
    """Add the file's targets whose id is not in the database yet (UI edits win); returns how many."""
    added = 0
    for target in read_file(path):
        if get_target(conn, target.id) is None:
            save(conn, target, user, "loaded")
            added += 1
    return added
