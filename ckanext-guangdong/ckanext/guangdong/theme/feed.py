"""CKAN's Atom feeds (/feeds/dataset.atom, /feeds/custom.atom, organization and tag feeds) in
the page's language, with working links.

CKAN writes ``xml:lang="en"`` and English titles ("Custom query", "Recently created or
updated datasets on ...") into every feed, and builds the feed's links with one
``query=<name>&query=<value>`` pair instead of the request's parameters (its last page
a fraction: ``page=1.6``). The feed class (IFeed) sets the language and our words;
``install(app)`` replaces the two link builders of ckan.views.feed.
"""
from __future__ import annotations

import math
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.views import feed as ckan_feed

_CUSTOM_TITLE = re.compile(r"^(?P<site>.*) - Custom query$", re.S)
_DESCRIPTION = re.compile(r"^Recently created or updated datasets on (?P<site>.*?)"
                          r"(?:\. Custom query: '(?P<q>.*)')?$", re.S)


def _title(text: str) -> str:
    match = _CUSTOM_TITLE.match(text)
    return f"{match['site']} - {tk._('Custom query')}" if match else text


def _description(text: str) -> str:
    match = _DESCRIPTION.match(text)
    if not match:
        return text
    out = tk._("Recently created or updated datasets on {site}").format(site=match["site"])
    if match["q"] is not None:
        out += tk._(". Custom query: “{q}”").format(q=match["q"])
    return out


class GuangdongFeed(ckan_feed.CKANFeed):
    def __init__(self, feed_title: str, feed_link: str, feed_description: str,
                 language: str | None, *args: Any, **kwargs: Any) -> None:
        page_language = (tk.h.lang() or "zh_Hans_CN").replace("_", "-")  # as <html lang>
        super().__init__(_title(feed_title), feed_link, _description(feed_description),
                         page_language, *args, **kwargs)


def _feed_url(query: Any, controller: str, action: str, **kwargs: Any) -> str:
    """The feed's (or search page's) URL with the request's parameters."""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return tk.h.url_for(f"{controller}.{action}", **{**params, **kwargs})


def _navigation_urls(query: Any, controller: str, action: str, item_count: int, limit: int,
                     **kwargs: Any) -> dict[str, Any]:
    base = {k: v for k, v in query.items() if k != "page"}
    page = tk.h.get_page_number(query)
    last = max(1, math.ceil(item_count / limit)) if limit else 1

    def url(number: int) -> str:
        return _feed_url({**base, **({"page": number} if number > 1 else {})}, controller,
                         action, **kwargs)
    return {"first": url(1), "last": url(last),
            "previous": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < last else None}


def install(app: Any) -> None:
    """In the module of the registered feed views (CKAN's app factory may import
    ckan.views.feed a second time, through a relative path: search/views.py)."""
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("feeds.") and hasattr(view, "__globals__"):
            view.__globals__["_feed_url"] = _feed_url
            view.__globals__["_navigation_urls"] = _navigation_urls
