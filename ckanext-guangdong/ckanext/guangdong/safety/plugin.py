"""The safety feature's plugin: personal-data scans in the load job (IDataFile), the gate on
every dataset write (chained package_create / package_update, package hooks), the review queue,
the negative list and de-identification (docs/safety.md)."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong import registration
from ckanext.guangdong.data.interfaces import IDataFile
from ckanext.guangdong.translation import FeatureTranslation

HERE = os.path.dirname(__file__)


@tk.blanket.config_declarations
@tk.blanket.actions(registration.actions("ckanext.guangdong.safety.logic.action"))
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli  # `ckan guangdong deidentify` and `ckan guangdong safety scan` (cli.py)
class GuangdongSafetyPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(IDataFile, inherit=True)

    def update_config(self, config: Any) -> None:
        from ckanext.guangdong.metadata import openness

        from . import gate
        openness.register_hold_check(gate.current_holds)  # the one rule asks the gate
        tk.add_template_directory(config, os.path.join(HERE, "templates"))
        tk.add_resource(os.path.join(HERE, "assets"), "guangdong_safety")

    # IPackageController: the gate's decision (made by the chained write actions) is recorded
    # in the same transaction as the dataset change.
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        self._after_write(context, pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        self._after_write(context, pkg_dict)

    def _after_write(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from . import gate, tables
        decision = context.pop(gate.CONTEXT_KEY, None) if isinstance(context, dict) else None
        if decision is not None and pkg_dict.get("id"):
            gate.after_write(context, pkg_dict, decision)
            if decision.rereview or decision.review_again:
                _tell_editor()
        if pkg_dict.get("id") and pkg_dict.get("private"):
            from . import activity  # old entries of its public days no longer name it
            activity.restrict_to_current(pkg_dict["id"])
        forced = context.pop("guangdong_safety_negative_list", None) if isinstance(context, dict) else None
        if forced and pkg_dict.get("id"):
            tables.audit("negative_list_forced", context.get("user"), pkg_dict["id"], matches=forced)

    # IDataFile: the load job's file, scanned before the DataStore load.
    def data_file_prepared(self, resource: dict[str, Any], package: dict[str, Any],
                           prepared: Any, digest: str, source_path: str = "") -> None:
        from . import job
        job.on_prepared(resource, package, prepared, digest, source_path)

    def data_file_unchanged(self, resource: dict[str, Any], package: dict[str, Any],
                            source_path: str, digest: str) -> None:
        from . import job
        job.on_unchanged(resource, package, source_path, digest)

    def data_file_failed(self, resource: dict[str, Any], package: dict[str, Any], error: str,
                         source_path: str = "", message: dict[str, Any] | None = None) -> None:
        from . import job
        job.on_failed(resource, package, error, source_path, message)


def _tell_editor() -> None:
    """The edit page's save: the editor reads at once that the change waits for a review (the
    dataset page's box and the safety page say it too). Not for API calls (no session)."""
    from flask import has_request_context, request
    if has_request_context() and request.blueprint not in (None, "api"):
        tk.h.flash_notice(tk._("Changed after review: this dataset is not public until a reviewer "
                               "approves the change."))

