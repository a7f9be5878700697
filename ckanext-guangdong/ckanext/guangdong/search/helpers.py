"""Template helpers of the search feature: what the /dataset page shows beyond CKAN's view
(soft matching's counts, "did you mean" and hints for an empty result)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError

# What @tk.blanket.helpers registers
__all__ = ["guangdong_search_soft", "guangdong_search_hints", "guangdong_suggest_attrs"]


def guangdong_search_soft() -> dict[str, Any] | None:
    """Soft matching's summary for this page (logic/soft.py), or None when the page's
    search did not use it: {"all", "partial", "listed", "first_partial", ...}."""
    from flask import g, has_request_context
    return g.get("guangdong_soft_result") if has_request_context() else None


def guangdong_search_hints(q: str) -> dict[str, Any]:
    """"Did you mean" and other searches for a query that found nothing
    (action guangdong_search_hints); nothing when q is empty or cannot be read."""
    if not isinstance(q, str) or not q.strip():
        return {"did_you_mean": None, "hints": []}
    try:
        return tk.get_action("guangdong_search_hints")({"user": ""}, {"q": q})
    except (SearchError, tk.ValidationError):
        return {"did_you_mean": None, "hints": []}


def guangdong_suggest_attrs() -> dict[str, str]:
    """The data-module attributes of a search box with suggestions while typing
    (theme/assets/suggest.js, action guangdong_search_suggest): the home page's and
    /dataset's boxes share them."""
    _ = tk._
    return {
        "data-module": "guangdong-suggest",
        "data-module-api": tk.url_for("api.action", ver=3, logic_function="guangdong_search_suggest"),
        "data-module-dataset": tk.url_for("dataset.read", id="__NAME__"),
        "data-module-organization": tk.url_for("organization.read", id="__NAME__"),
        "data-module-tag": tk.url_for("dataset.search", tags="__NAME__"),
        "data-module-label-dataset": _("Dataset"),
        "data-module-label-organization": _("Organization"),
        "data-module-label-tag": _("Tags"),
        "data-module-heading": _("Search datasets"),
    }
