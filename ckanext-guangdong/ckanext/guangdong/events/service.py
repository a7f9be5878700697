"""What the events feature offers the others (the targets feature, the chained actions): the
clock events are dated by, the current transaction's connection (the events tables checked:
the migrations make them), and recording a package's state after a change."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model

from . import facts, recorder, tables


def utcnow() -> dt.datetime:
    # Naive UTC like CKAN's own metadata_created/modified; freezegun-friendly.
    return dt.datetime.utcnow()


def connection() -> Any:
    """The current transaction's connection; migrated.NotMigrated (naming ``ckan db upgrade``)
    when the events migrations have not run."""
    conn = model.Session.connection()
    tables.require(conn)
    return conn


def record_package(package_id: str, reason: str) -> None:
    model.Session.flush()  # CKAN's session does not autoflush; read the changed rows
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    recorder.record(connection(), facts.from_model(pkg), utcnow(), reason=reason)
