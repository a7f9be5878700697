"""CKAN's JavaScript translations under every offered locale.

CKAN's ``client.getLocaleData`` builds the locale name from ``<html lang>`` (BCP 47,
``zh-Hans-CN``) with ``replace('-', '_')``, which replaces only the first hyphen: it asks for
``/api/i18n/zh_Hans-CN``, CKAN answers 400 and no page module starts. Our route (plugin
blueprints are registered before CKAN's, so it wins) maps any spelling of an offered locale
back to CKAN's name and hands over to CKAN's own view.

CKAN writes the translation files (``<storage>/i18n/js/<locale>.js``) only in ``ckan run``;
gunicorn and the test apps never do, so :func:`ensure_built` runs CKAN's builder when a
catalog is newer than the built file. CKAN's builder reads each plugin's own .po only, so the
theme's override catalogs (theme/i18n/<locale>/overrides, compiled into the theme's .mo) are
laid over its output for the messages CKAN's JavaScript uses.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from functools import lru_cache
from typing import Any

from babel.messages.pofile import read_po
from babel.support import Translations
from ckan.common import config
from ckan.lib import i18n
from ckan.plugins import PluginImplementations
from ckan.plugins.interfaces import ITranslation
from ckan.views import api as ckan_api
from flask import Blueprint

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
            found += [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith((".po", ".mo"))]
    return found


@lru_cache(maxsize=1)
def _js_msgids() -> frozenset[str]:
    """The messages CKAN's JavaScript uses (occurrences in .js files in CKAN's .pot)."""
    with open(os.path.join(i18n.get_ckan_i18n_dir(), "ckan.pot"), "rb") as pot:
        catalog = read_po(pot)
    return frozenset(m.id[0] if isinstance(m.id, (tuple, list)) else m.id for m in catalog
                     if m.id and any(f.endswith(".js") for f, _ in m.locations))


def _lay_overrides(locale: str) -> None:
    """Our corrections (the theme's compiled catalog) over CKAN's built JavaScript messages."""
    from ckanext.guangdong.theme.plugin import GuangdongThemePlugin
    theme = GuangdongThemePlugin()
    # CKAN's plugin metaclass types an instance as PluginSubject, hiding the class's methods
    ours = Translations.load(theme.i18n_directory(), [locale],  # pyright: ignore[reportAttributeAccessIssue]
                             theme.i18n_domain())  # pyright: ignore[reportAttributeAccessIssue]
    catalog = getattr(ours, "_catalog", {})
    built = os.path.join(i18n.get_js_translations_dir(), f"{locale}.js")
    if not catalog or not os.path.exists(built):
        return
    with open(built, encoding="utf-8") as f:
        messages = json.load(f)
    for msgid in _js_msgids():
        if isinstance(catalog.get(msgid), str) and catalog[msgid]:
            messages[msgid] = [None, catalog[msgid]]
        elif catalog.get((msgid, 0)):  # plural forms: [plural msgid (as CKAN built it), forms...]
            forms = [catalog[(msgid, i)] for i in range(10) if (msgid, i) in catalog]
            built_entry = messages.get(msgid) or [None]
            messages[msgid] = [built_entry[0], *forms]
    with open(built, "w", encoding="utf-8") as f:
        json.dump(messages, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _stale() -> list[str]:
    """The offered locales whose built file is missing or older than one of the catalogs it
    is made from (a cheap test on every app start)."""
    dest = i18n.get_js_translations_dir()
    stale = []
    for locale in config.get("ckan.locales_offered") or [config.get("ckan.locale_default")]:
        built = os.path.join(dest, f"{locale}.js")
        catalogs = _catalogs(locale)
        if catalogs and (not os.path.exists(built)
                         or os.path.getmtime(built) < max(os.path.getmtime(c) for c in catalogs)):
            stale.append(locale)
    return stale


def ensure_built() -> None:
    if not _stale():
        return
    os.makedirs(i18n.get_js_translations_dir(), exist_ok=True)
    # gunicorn's workers start together: one builds, the others wait and find it done
    with open(os.path.join(i18n.get_js_translations_dir(), ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _build(_stale())


def _build(stale: list[str]) -> None:
    if not stale:
        return
    log.info("building CKAN's JavaScript translations in %s", i18n.get_js_translations_dir())
    for locale in stale:  # CKAN's builder skips files it thinks current
        built = os.path.join(i18n.get_js_translations_dir(), f"{locale}.js")
        if os.path.exists(built):
            os.remove(built)
    i18n.build_js_translations()
    for locale in stale:
        _lay_overrides(locale)
