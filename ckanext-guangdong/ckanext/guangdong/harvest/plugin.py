"""The harvest feature: progress, error reports, job timeout, source URL rules, and the
source page additions. The harvesters themselves are plugins in ckanext.guangdong.harvesters."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong.translation import FeatureTranslation

HERE = os.path.dirname(__file__)


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
class GuangdongHarvestPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IBlueprint)
    p.implements(p.ITranslation)
    p.implements(p.IClick)

    def update_config(self, config: Any) -> None:
        # Before ckanext-harvest's templates in the search path: we extend its pages.
        tk.add_template_directory(config, os.path.join(HERE, "templates"))

    def get_helpers(self) -> dict[str, Any]:
        from ckanext.guangdong.harvest.helpers import get_helpers
        return get_helpers()

    def get_blueprint(self) -> list[Any]:
        from ckanext.guangdong.harvest.views import get_blueprints
        return get_blueprints()

    def get_commands(self) -> list[Any]:
        from ckanext.guangdong.harvest.cli import guangdong_harvest
        return [guangdong_harvest]

