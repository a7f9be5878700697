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
@tk.blanket.cli  # `ckan guangdong snapshot` (cli.py; the scheduler runs it too)
class GuangdongTargetsPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))

