"""The JavaScript translations at the address CKAN's own JavaScript asks for on Chinese pages.

CKAN's JS reads the page's language from ``<html lang="zh-Hans-CN">`` and replaces only the
first hyphen (client.js ``getLocaleData``): it asks for ``/api/i18n/zh_Hans-CN``, which CKAN
refuses (400), and without translations no JavaScript module of the page starts (confirm
dialogs, autocompletes, the check-as-you-type fields). This route, registered before CKAN's,
answers for the locale it means.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint

guangdong_theme = Blueprint("guangdong_theme", __name__)


@guangdong_theme.route("/api/i18n/<lang>")
@guangdong_theme.route("/api/<int(min=1, max=2):ver>/i18n/<lang>")
def js_translations(lang: str, ver: int = 1) -> Any:
    from ckan.views.api import i18n_js_translations
    return i18n_js_translations(lang.replace("-", "_"), ver)
