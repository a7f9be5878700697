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

from ckanext.guangdong.search import segment
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
    out = _suggestions(context, words, limit)
    if not out and _PINYIN_PREFIX.fullmatch(words.split()[-1]):
        # The last syllable is still being typed (tingc, jiaot): what its completions find.
        head = words.split()[:-1]
        for word in completions(words.split()[-1]):
            out = _suggestions(context, " ".join(head + [word]), limit)
            if out:
                break
    single = segment.normalise(words.strip())
    if len(single) == 1 and segment.has_han(single):
        # One character: only what contains it (社 is not 公交 or GDP).
        out = [o for o in out if single in segment.normalise(o["text"])]
    return {"q": q, "suggestions": out}


_PINYIN_PREFIX = re.compile(r"[a-z]{2,30}")
MAX_COMPLETIONS = 3


def completions(prefix: str) -> list[str]:
    """Public words (logic/hints.py's vocabulary) whose pinyin starts with ``prefix`` and
    goes on, most used first, then the shortest."""
    from ckanext.guangdong.search.logic import hints
    vocab = hints.vocabulary()
    found = [w for w in vocab if segment.has_han(w) and hints.spoken(w).startswith(prefix)
             and hints.spoken(w) != prefix]
    return sorted(found, key=lambda w: (-vocab[w], len(w), w))[:MAX_COMPLETIONS]


def _suggestions(context: Context, words: str, limit: int) -> list[dict[str, str]]:
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
    return out
