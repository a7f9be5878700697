"""Search feature: the embedded PostgreSQL backend (system plugin) and its options."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong.translation import FeatureTranslation


@tk.blanket.config_declarations
class GuangdongSearchBackendPlugin(p.SingletonPlugin):
    """System plugin (entry point ``ckan.system_plugins``): always loaded, so the
    backend is in place even where tests or configs replace ``ckan.plugins``."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        from ckanext.guangdong.search import seam
        seam.install(config.get("ckanext.guangdong.search_backend", "solr"))


def _actions() -> dict[str, Any]:
    from ckanext.guangdong.search.logic.action import get_actions
    return get_actions()


def _blueprints() -> list[Any]:
    from ckanext.guangdong.search.views import get_blueprints
    return get_blueprints()


@tk.blanket.actions(_actions)
@tk.blanket.blueprints(_blueprints)
class GuangdongSearchPlugin(p.SingletonPlugin, FeatureTranslation):
    """Ordinary plugin: the index table migration (``ckan db upgrade``), the ``ckan
    guangdong search`` commands, package_search's caller filter and short errors
    (logic/action.py) and the search error pages (views.py)."""

    p.implements(p.IClick)
    p.implements(p.ITranslation)

    def get_commands(self) -> list[Any]:
        # Our group hangs under the portal's one ``ckan guangdong`` group (cli.py), to which
        # each feature adds its own commands.
        from ckanext.guangdong.cli import guangdong
        from ckanext.guangdong.search.cli import search
        guangdong.add_command(search)
        return [guangdong]
