"""The harvest_ops feature (plugin ``guangdong_harvest``): running and watching the harvest —
progress, error reports, job timeout, source URL rules, and the source page additions. The
harvesters themselves are plugins in ckanext.guangdong.harvesters."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong import registration
from ckanext.guangdong.translation import FeatureTranslation

HERE = os.path.dirname(__file__)


@tk.blanket.config_declarations
@tk.blanket.actions(registration.actions("ckanext.guangdong.harvest_ops.logic.action"))
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli  # `ckan guangdong harvest ...` and `ckan guangdong scheduler` (cli.py)
class GuangdongHarvestPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: Any) -> None:
        # Before ckanext-harvest's templates in the search path: we extend its pages.
        tk.add_template_directory(config, os.path.join(HERE, "templates"))

    # IPackageController: a harvest source's secrets (docs/security.md)
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from ckanext.guangdong.harvest_ops import secrets
        from ckanext.guangdong.harvest_ops.logic.action import may_see_secrets
        if pkg_dict.get("type") == "harvest" and not may_see_secrets(context):
            secrets.mask_source(pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        """No secret in the searchable fields (q= and fq= must not find a source by its token).
        The stored copies stay whole: package_show reads a sysadmin's view from them, and
        search masks them on the way out (after_dataset_search)."""
        if pkg_dict.get("dataset_type") == "harvest" or pkg_dict.get("type") == "harvest":
            from ckanext.guangdong.harvest_ops import secrets
            secrets.mask_source(pkg_dict, copies=False)
        return pkg_dict

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        # Rows indexed before masking existed are masked on the way out too.
        from ckanext.guangdong.harvest_ops import secrets
        for result in search_results.get("results", []):
            if not isinstance(result, dict):
                continue
            if result.get("type") == "harvest" or "config" in result or any(
                    '"harvest"' in str(result.get(k) or "") for k in ("data_dict", "validated_data_dict")):
                secrets.mask_source(result)
        return search_results
