"""Withdrawing a dataset whose record the city removed: made private and stamped
``harvest_withdrawn_at`` (the default), or deleted (the source's ``withdrawal: delete``)."""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk

from . import schema_fit
from .existing import find_by_package_id
from .site import site_context

WITHDRAWN_AT = "harvest_withdrawn_at"


def withdraw(package_id: str | None, source_id: str, mode: str) -> str:
    """Withdraw a dataset removed at its source. Returns what was done. Only the source
    that currently holds the dataset may withdraw it (another may have precedence)."""
    existing = find_by_package_id(package_id)
    if not existing or existing.state == "deleted":
        return "gone"
    if existing.source_id and existing.source_id != source_id:
        return "held by another source"
    ctx = site_context()
    if mode == "delete":
        tk.get_action("package_delete")(ctx, {"id": existing.id})
        return "deleted"
    fields = schema_fit.schema_fields()
    now = datetime.datetime.utcnow().replace(microsecond=0).isoformat()
    if WITHDRAWN_AT in fields:
        tk.get_action("package_patch")(ctx, {"id": existing.id, "private": True, WITHDRAWN_AT: now})
    else:
        old = tk.get_action("package_show")({**ctx, "use_cache": False}, {"id": existing.id})
        extras = [e for e in old.get("extras", []) if e["key"] != WITHDRAWN_AT]
        extras.append({"key": WITHDRAWN_AT, "value": now})
        tk.get_action("package_patch")(ctx, {"id": existing.id, "private": True, "extras": extras})
    return "withdrawn"
