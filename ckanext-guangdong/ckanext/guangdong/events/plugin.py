"""The events feature: a dated published / withdrawn record of every dataset and application.

Package hooks compare the package's openness after each change with the last recorded state
(``recorder``); the rule for "open" is the schema's (``ckanext.guangdong.schema.openness``).
What other features call lives in ``service``.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import recorder
from .service import connection, record_package, utcnow


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
