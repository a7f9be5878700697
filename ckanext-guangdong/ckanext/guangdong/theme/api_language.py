"""The Action API answers in the caller's language.

A page's language is in its URL (``/dataset`` Chinese, ``/en/dataset`` English) and stays so:
links and caches depend on it. The API has no language in its URL unless one knows the
``/en/api/`` prefix, so a request to ``/api/...`` without a prefix takes the best of the
offered locales from its ``Accept-Language`` header (no header or no match: the default)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ckan.common import config
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

_MAX_HEADER = 1024  # longer headers are not parsed (anything useful fits in far less)


def _offered() -> dict[str, str]:
    """BCP 47 tag -> CKAN locale name, for the offered locales."""
    locales = config.get("ckan.locales_offered") or [config.get("ckan.locale_default")]
    return {locale.replace("_", "-"): locale for locale in locales}


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-", 1)[0].lower()


def locale_for(accept_language: str | None) -> str | None:
    """The caller's most preferred language that is offered, matched exactly or by its primary
    subtag (``zh-CN`` -> zh_Hans_CN); ``*`` is the default locale."""
    if not accept_language or len(accept_language) > _MAX_HEADER:
        return None
    offered = _offered()
    for tag, quality in parse_accept_header(accept_language, LanguageAccept):  # best first
        if quality <= 0:
            continue
        if tag == "*":
            return config.get("ckan.locale_default")
        exact = next((name for bcp, name in offered.items() if bcp.lower() == tag.lower()), None)
        same_language = next((name for bcp, name in offered.items()
                              if _primary(bcp) == _primary(tag)), None)
        if exact or same_language:
            return exact or same_language
    return None


class ApiAcceptLanguage:
    """Wraps the Flask app's ``wsgi_app``, inside CKAN's I18nMiddleware (which has already
    read the URL and set ``CKAN_LANG``)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("CKAN_LANG_IS_DEFAULT") and str(environ.get("PATH_INFO", "")).startswith("/api/"):
            locale = locale_for(environ.get("HTTP_ACCEPT_LANGUAGE"))
            if locale:
                environ["CKAN_LANG"] = locale
        return self.app(environ, start_response)
