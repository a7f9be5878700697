"""CKAN's JavaScript translations under every offered locale.

CKAN's ``client.getLocaleData`` builds the locale name from ``<html lang>`` (BCP 47,
``zh-Hans-CN``) with ``replace('-', '_')``, which replaces only the first hyphen: it asks for
``/api/i18n/zh_Hans-CN``, CKAN answers 400 and no page module starts. Our route (plugin
blueprints are registered before CKAN's, so it wins) maps any spelling of an offered locale
back to CKAN's name and hands over to CKAN's own view.

CKAN writes the translation files (``<storage>/i18n/js/<locale>.js``) only in ``ckan run``;
gunicorn and the test apps never do, so :func:`ensure_built` runs CKAN's builder when a
catalog is newer than the built file.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from flask import Blueprint

from ckan.common import config
from ckan.lib import i18n
from ckan.plugins import PluginImplementations
from ckan.plugins.interfaces import ITranslation
from ckan.views import api as ckan_api

log = logging.getLogger(__name__)

js_i18n = Blueprint("guangdong_js_i18n", __name__)


def ckan_locale_name(lang: str) -> str:
    """``zh-Hans-CN`` / ``zh_Hans-CN`` / ``zh_Hans_CN`` -> ``zh_Hans_CN`` when CKAN knows that
    locale; anything else is returned unchanged (CKAN answers 400 for it)."""
    candidate = lang.replace("-", "_")
    known = i18n.get_locales_from_config()
    if candidate in known:
        return candidate
    lowered = {name.lower(): name for name in known}
    return lowered.get(candidate.lower(), lang)


@js_i18n.route("/api/i18n/<lang>")
@js_i18n.route("/api/<int(min=1, max=2):ver>/i18n/<lang>")
def translations(lang: str, ver: int = 3) -> Any:
    return ckan_api.i18n_js_translations(ckan_locale_name(lang))


def _catalogs(locale: str) -> list[str]:
    dirs = [i18n.get_ckan_i18n_dir()] + [
        plugin.i18n_directory() for plugin in PluginImplementations(ITranslation)]
    found = []
    for directory in dirs:
        folder = os.path.join(directory, locale, "LC_MESSAGES")
        if os.path.isdir(folder):
            found += [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".po")]
    return found


def _stale() -> bool:
    """A built file is missing or older than one of the catalogs it is built from
    (checked for the offered locales only: a cheap test on every app start)."""
    dest = i18n.get_js_translations_dir()
    for locale in config.get("ckan.locales_offered") or [config.get("ckan.locale_default")]:
        built = os.path.join(dest, f"{locale}.js")
        catalogs = _catalogs(locale)
        if not catalogs:
            continue
        if not os.path.exists(built):
            return True
        if os.path.getmtime(built) < max(os.path.getmtime(c) for c in catalogs):
            return True
    return False


def ensure_built() -> None:
    if _stale():
        log.info("building CKAN's JavaScript translations in %s", i18n.get_js_translations_dir())
        i18n.build_js_translations()
