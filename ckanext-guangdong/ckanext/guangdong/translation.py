"""ITranslation for a feature plugin: its messages live in ``<feature>/i18n`` under the
gettext domain ``ckanext-guangdong-<feature>`` (docs/development.md, Translations)."""
from __future__ import annotations

import os
import sys

from ckan.lib.plugins import DefaultTranslation


class FeatureTranslation(DefaultTranslation):
    def _feature_dir(self) -> str:
        return os.path.dirname(str(sys.modules[type(self).__module__].__file__))

    def i18n_directory(self) -> str:
        return os.path.join(self._feature_dir(), "i18n")

    def i18n_domain(self) -> str:
        return "ckanext-guangdong-" + os.path.basename(self._feature_dir())
