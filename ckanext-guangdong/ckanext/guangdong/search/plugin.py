"""Search feature: the embedded PostgreSQL backend (system plugin) and its options."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong import registration
from ckanext.guangdong.translation import FeatureTranslation


@tk.blanket.config_declarations
class GuangdongSearchBackendPlugin(p.SingletonPlugin):
    """System plugin (entry point ``ckan.system_plugins``): always loaded, so the
    backend is in place even where tests or configs replace ``ckan.plugins``."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        from ckanext.guangdong.search import seam
        seam.install(config.get("ckanext.guangdong.search_backend", "solr"))


# The modules are imported when CKAN asks (registration.py): this module is loaded early,
# for the system plugin above.
@tk.blanket.actions(registration.actions("ckanext.guangdong.search.logic.action",
                                            "ckanext.guangdong.search.logic.suggest",
                                            "ckanext.guangdong.search.logic.hints"))
@tk.blanket.helpers
@tk.blanket.blueprints(registration.blueprints("ckanext.guangdong.search.views"))
@tk.blanket.cli  # `ckan guangdong search ...` (cli.py)
class GuangdongSearchPlugin(p.SingletonPlugin, FeatureTranslation):
    """Ordinary plugin: the index table migration (``ckan db upgrade``), the ``ckan
    guangdong search`` commands, package_search's caller filter and short errors
    (logic/action.py) and the search error pages (views.py)."""

    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: Any) -> None:
        # /dataset's search form and result list (soft matching, did you mean, suggestions)
        tk.add_template_directory(config, os.path.join(os.path.dirname(__file__), "templates"))

    def before_dataset_index(self, data_dict: dict[str, Any]) -> dict[str, Any]:
        # Thesaurus, place, variant and pinyin words for both backends (meaning/).
        from ckanext.guangdong.search.meaning import enrich
        return enrich.enrich(data_dict, tk.asbool(
            tk.config.get("ckanext.guangdong.search.province_covers_cities", True)))

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        # Unsegmented Chinese (广州公交) split by the shared segmenter, for both backends.
        from ckanext.guangdong.search.meaning import query
        return query.before_search(search_params)
