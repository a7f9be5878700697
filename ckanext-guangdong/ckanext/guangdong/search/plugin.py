"""Search feature: the embedded PostgreSQL backend (system plugin) and its options."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class GuangdongSearchBackendPlugin(p.SingletonPlugin):
    """System plugin (entry point ``ckan.system_plugins``): always loaded, so the
    backend is in place even where tests or configs replace ``ckan.plugins``."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        from ckanext.guangdong.search import seam
        seam.install(config.get("ckanext.guangdong.search_backend", "solr"))


class GuangdongSearchPlugin(p.SingletonPlugin):
    """Ordinary plugin that owns the index table migration (``ckan db upgrade``)
    and the ``ckan guangdong search`` commands."""

    p.implements(p.IClick)

    def get_commands(self) -> list[Any]:
        # Our group hangs under the shared ``ckan guangdong`` group (theme/cli.py
        # owns it); returning that group too keeps it available without the theme.
        from ckanext.guangdong.cli import guangdong
        from ckanext.guangdong.search.cli import search
        guangdong.add_command(search)
        return [guangdong]
