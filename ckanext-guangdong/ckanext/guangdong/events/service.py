"""What the events feature offers the others (the targets feature, the chained actions): the
clock events are dated by, the current transaction's connection with the events tables in
place, and recording a package's state after a change."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import backfill, facts, recorder


def utcnow() -> dt.datetime:
    # Naive UTC like CKAN's own metadata_created/modified; freezegun-friendly.
    return dt.datetime.utcnow()


def connection_and_backfilled() -> tuple[Any, bool]:
    """The current transaction's connection, with our tables in place (created and backfilled
    when missing: a fresh install, or a test database that clean_db emptied), and whether a
    backfill (events dated in the past) just happened."""
    conn = model.Session.connection()
    return conn, backfill.ensure_and_backfill(conn, tk.config.get("ckanext.guangdong.events.backfill_date"))


def connection() -> Any:
    return connection_and_backfilled()[0]


def record_package(package_id: str, reason: str) -> None:
    model.Session.flush()  # CKAN's session does not autoflush; read the changed rows
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    recorder.record(connection(), facts.from_model(pkg), utcnow(), reason=reason)
