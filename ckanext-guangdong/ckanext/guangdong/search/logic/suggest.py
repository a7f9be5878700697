"""guangdong_search_suggest: suggestions while typing in the search box (titles,
organizations, tags), for Chinese and pinyin input alike.

Answered from package_search as the caller, public datasets only (include_private and
include_drafts off, whoever asks): whatever is suggested is something an anonymous visitor
could find by searching, so private, draft and 不予开放 datasets (always private, schema
validator guangdong_not_open_private) never appear, not even as an organization or tag
count. Pinyin works because the index carries the pinyin of titles, organizations and tags
(search/meaning/)."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.guangdong.search.logic import inputs

__all__ = ["guangdong_search_suggest"]

MAX_Q = 100
MAX_LIMIT = 20
# Query syntax is not for suggestions: everything but letters, digits, Han, space, '.', '-'
# becomes a space, so no input can make a query the parser refuses.
_UNSAFE = re.compile(r"[^\w\s.\-]|_", re.UNICODE)


@tk.side_effect_free
def guangdong_search_suggest(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suggestions for the words typed so far.

    :param q: the text typed (at most 100 characters)
    :param rows: at most this many suggestions of each kind (1–20, default 8)
    :returns: ``{"q": ..., "suggestions": [{"kind": "dataset"|"organization"|"tag",
        "text": ..., "name": ...}]}``, datasets first
    """
    q = inputs.query_text(data_dict, MAX_Q)
    limit = inputs.whole_number(data_dict, "rows", 1, MAX_LIMIT, 8)
    # Operators typed as words are words (and, or, not), never syntax.
    words = " ".join(w.lower() if w in ("AND", "OR", "NOT", "TO") else w
                     for w in _UNSAFE.sub(" ", q).split() if w.strip(".-"))
    if not words:
        return {"q": q, "suggestions": []}
    result = tk.get_action("package_search")(
        {"user": context.get("user", "")},
        {"q": words, "rows": limit, "include_private": False, "include_drafts": False,
         "facet.field": ["organization", "tags"], "facet.limit": limit})
    out: list[dict[str, str]] = [{"kind": "dataset", "text": r["title"] or r["name"],
                                  "name": r["name"]} for r in result["results"]]
    facets = result.get("search_facets") or {}
    for kind, field in (("organization", "organization"), ("tag", "tags")):
        for item in (facets.get(field) or {}).get("items", [])[:limit]:
            out.append({"kind": kind, "text": item.get("display_name") or item["name"],
                        "name": item["name"]})
    return {"q": q, "suggestions": out}
