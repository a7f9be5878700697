"""The connection the targets feature works on: its tables and the events tables checked (the
migrations make them) and the targets file loaded on first use."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import text

from . import store
from . import tables as targets_tables
from .counting import Rules

log = logging.getLogger(__name__)


def rules() -> Rules:
    return Rules(
        dedupe_identifier=tk.asbool(tk.config.get("ckanext.guangdong.targets.dedupe_identifier")),
        applications_require_open_dataset=tk.asbool(
            tk.config.get("ckanext.guangdong.targets.applications_require_open_dataset")),
        rate_window_days=int(tk.config.get("ckanext.guangdong.targets.rate_window_days")),
        timezone=tk.config.get("ckan.display_timezone") or "Asia/Shanghai",
    )


def load_targets_file(conn: Any) -> int:
    path = tk.config.get("ckanext.guangdong.targets.file")
    if not path:
        return 0
    try:
        return store.load_file(conn, path)
    except FileNotFoundError:
        log.warning("targets file %s not found", path)
        return 0


def connection() -> Any:
    from ckanext.guangdong.events import service as events
    conn = events.connection()
    targets_tables.require(conn)
    if not conn.execute(text("SELECT EXISTS (SELECT 1 FROM guangdong_target)")).scalar():
        if load_targets_file(conn):
            model.Session.commit()
            conn = model.Session.connection()  # commit() closed the previous one
    return conn
