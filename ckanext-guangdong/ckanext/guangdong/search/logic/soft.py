"""Soft matching (issue 15, item 3): datasets with ALL the query's words first, then those
with MOST of them (at least half), with both counts reported.

Used by the /dataset page (search/views.py turns it on for CKAN's dataset search view) and
by ``package_search`` callers that ask for it (``guangdong_soft_match=true``); without
either, package_search is unchanged. Engine-neutral: only dismax ``mm`` and an ``id``
exclusion filter, which both engines read alike, and never the embedded engine's OR
fallback (``executor.strict_words``).

- **Which queries**: plain words only, two or more (counted after the split of
  unsegmented Chinese, meaning/query.py), no operators (AND/OR/NOT/&&/||),
  no ``+``/``-``/``!`` prefix, no quotes, no field (``:``), no ``defType``/``mm`` of the
  caller's own. Anything else runs as before.
- **Order and paging**: the full matches (``mm=100%``) in the requested sort, then the
  partial ones (``mm`` = half the words, rounded up, minus the full matches) in the same
  sort; ``start``/``rows`` page through that concatenation and ``count`` is the sum.
- **Partial results listed only while the full matches are at most MAX_EXCLUDED** (their
  ids are the exclusion filter). Beyond that the partial ones are counted, not listed
  (``listed`` false, ``count`` = the full matches): nobody pages past 50 pages of them.
- **Facets** count the full matches (the partial ones when there are none).
"""
from __future__ import annotations

import math
import re
from typing import Any

from ckan.types import Context, DataDict

from ckanext.guangdong.search.backend import executor
from ckanext.guangdong.search.meaning import query

PARAM = "guangdong_soft_match"
MAX_EXCLUDED = 1000
_CHUNK = 500  # ids per exclusion filter (Solr's maxBooleanClauses is 1024)
_OPERATORS = {"AND", "OR", "NOT", "&&", "||"}
_WHITE = re.compile(r"[\s\u3000]+")


def plain_words(q: Any) -> list[str]:
    """The query's words when soft matching applies to it, else []. Words are counted
    after meaning/query.py's split of unsegmented Chinese (零售药店 → 零售 药店), the split
    the search itself makes: typed-together words are as many words as typed apart."""
    if not isinstance(q, str) or any(c in q for c in ':"{}'):
        return []
    typed = [w for w in _WHITE.split(q.strip()) if w]
    if any(w in _OPERATORS or w[0] in "+-!" for w in typed):
        return []
    words = [part for w in typed for part in query.split_word(w)]
    return words if len(words) >= 2 else []


def min_words(n: int) -> int:
    return max(1, math.ceil(n / 2))


def _int(value: Any, default: int) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return None


def applies(data_dict: DataDict) -> bool:
    return bool(plain_words(data_dict.get("q"))) and not data_dict.get("defType") \
        and not data_dict.get("mm") and _int(data_dict.get("rows"), 10) is not None \
        and _int(data_dict.get("start"), 0) is not None


def search(original: Any, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """package_search's answer with soft matching (``applies(data_dict)`` is true)."""
    words = plain_words(data_dict["q"])
    need = min_words(len(words))
    rows = _int(data_dict.get("rows"), 10) or 0
    start = _int(data_dict.get("start"), 0) or 0
    facets = data_dict.get("facet.field")

    def run(**changes: Any) -> dict[str, Any]:
        # The split words themselves: with defType set, meaning/query.py leaves q alone.
        with executor.strict_words():
            return original(context.copy(), {**data_dict, "q": " ".join(words),
                                             "defType": "dismax", **changes})

    full = run(mm="100%")
    n_all = full["count"]
    results = list(full["results"])
    soft = {"all": n_all, "partial": 0, "listed": True, "words": len(words),
            "min_words": need, "first_partial": None}
    wanted = start + rows - n_all
    if wanted <= 0 or n_all > MAX_EXCLUDED:
        soft["partial"] = run(mm=str(need), rows=0, start=0, **{"facet.field": []})["count"] - n_all
        soft["listed"] = n_all <= MAX_EXCLUDED
    else:
        exclude: list[str] = []
        if n_all:
            ids = [r["id"] for r in run(mm="100%", rows=n_all, start=0, fl="id",
                                          **{"facet.field": []})["results"]]
            exclude = [f"-id:({' '.join(ids[i:i + _CHUNK])})" for i in range(0, len(ids), _CHUNK)]
        fq_list = list(data_dict.get("fq_list") or []) + exclude
        partial = run(mm=str(need), fq_list=fq_list, start=max(0, start - n_all),
                      rows=rows - len(results), **({} if not n_all else {"facet.field": []}))
        soft["partial"] = partial["count"]
        soft["first_partial"] = len(results) if partial["results"] else None
        results += partial["results"]
        if not n_all and facets:
            full["search_facets"] = partial.get("search_facets", {})
            full["facets"] = partial.get("facets", {})
    full["results"] = results
    full["count"] = n_all + (soft["partial"] if soft["listed"] else 0)
    full[PARAM] = soft
    return full
