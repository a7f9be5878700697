"""Site-wide look and language: templates, Chinese-first translations, the ``ckan guangdong`` CLI."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong.translation import FeatureTranslation

_HERE = os.path.dirname(__file__)


@tk.blanket.config_declarations
@tk.blanket.helpers
class GuangdongThemePlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IClick)
    p.implements(p.IBlueprint)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))
        tk.add_public_directory(config, os.path.join(_HERE, "public"))


    def get_blueprint(self) -> list[Any]:
        from ckanext.guangdong.theme.views import guangdong_theme
        return [guangdong_theme]

    def get_commands(self) -> list[Any]:
        from ckanext.guangdong.cli import guangdong
        return [guangdong]
