"""The targets feature: targets as data, counting rules, daily snapshots, the public API and
the /open-progress dashboard (开放进度)."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong.translation import FeatureTranslation

_HERE = os.path.dirname(__file__)


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
class GuangdongTargetsPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IClick)

    def get_commands(self) -> list[Any]:
        # `ckan guangdong snapshot` (the daily snapshot; the scheduler runs it too)
        from ckanext.guangdong.cli import guangdong
        from ckanext.guangdong.targets.cli import snapshot
        guangdong.add_command(snapshot)
        return [guangdong]

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))

