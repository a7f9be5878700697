"""The events feature: a dated published / withdrawn record of every dataset and application.

Package hooks compare the package's openness after each change with the last recorded state
(``recorder``); the rule for "open" is the schema's (``ckanext.guangdong.schema.openness``).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import backfill, facts, recorder

log = logging.getLogger(__name__)


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


@tk.blanket.config_declarations
class GuangdongEventsPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)

    def get_actions(self) -> dict[str, Any]:
        from .logic import action
        actions = {name: getattr(action, name) for name in action.__all__}
        if p.plugin_loaded("harvest"):  # chaining an action that does not exist fails at start
            actions["harvest_source_clear"] = action.harvest_source_clear
        return actions

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        record_package(pkg_dict["id"], "created")

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        record_package(pkg_dict["id"], "updated")

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        # Called before CKAN marks the package deleted: record the withdrawal explicitly.
        pkg = model.Package.get(pkg_dict["id"])
        if pkg is not None:
            recorder.record_deleted(connection(), pkg.id, utcnow())
