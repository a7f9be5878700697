"""The events feature: a dated published / withdrawn record of every dataset and application.

Package hooks compare the package's openness after each change with the last recorded state
(``recorder``); the rule for "open" is the schema's (``ckanext.guangdong.metadata.openness``).
What other features call lives in ``service``.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.guangdong import registration

from . import recorder
from .service import connection, record_package, utcnow


@tk.blanket.config_declarations
@tk.blanket.actions(registration.actions("ckanext.guangdong.events.logic.action"))
class GuangdongEventsPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        record_package(pkg_dict["id"], "created")

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        record_package(pkg_dict["id"], "updated")

    def after_dataset_delete(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        # Called before CKAN marks the package deleted: record the withdrawal explicitly.
        pkg = model.Package.get(pkg_dict["id"])
        if pkg is not None:
            recorder.record_deleted(connection(), pkg.id, utcnow())
