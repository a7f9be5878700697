"""Unsegmented Chinese in the search box (广州公交, 广州公交线路): each such word is split
into the words of the shared segmenter (search/segment.py: rjieba with the place-name
dictionary search/data/guangdong_places.txt) before package_search composes the query,
the same on both engines.

Why: Solr's Chinese field has no dictionary (ICU + CJK bigrams); one query word is a phrase
of its bigrams, so 广州公交 asks for 州公, which 广州市公交线路 does not contain. Split into
广州 公交, each word is its own clause, as if the user had typed the space. So that a
split word's parts are all required as the word was (市场监督管理局 → 市场 监督 管理局 must
not turn into "two of three"), ``mm`` is set to allow as many missing clauses as CKAN's
``2<-1 5<80%`` allows missing typed words (the embedded engine matched a word's
tokens all together before, so its answers stay the same).
"""
from __future__ import annotations

import re
from typing import Any

from ckanext.guangdong.search import segment

# A bare word (no operator, quote, field or wildcard) that contains Han characters.
_BARE = re.compile(rf"[{segment.HAN}0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
                   rf"[{segment.HAN}0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a.\-]*")
_WORDS = re.compile(r'"[^"]*"?|[^\s\u3000]+')


def split_word(word: str) -> list[str]:
    """The words of one unsegmented query word; the word itself when it is not Chinese,
    carries syntax, or is one word already."""
    if not _BARE.fullmatch(word) or not segment.has_han(word):
        return [word]
    tokens = segment.query_tokens(word)
    return tokens if len(tokens) > 1 else [word]


_OPERATORS = {"AND", "OR", "NOT", "&&", "||"}


def ckan_mm(clauses: int) -> int:
    """How many of ``clauses`` optional clauses CKAN's mm ``2<-1 5<80%`` requires."""
    if clauses <= 2:
        return clauses
    if clauses <= 5:
        return clauses - 1
    return clauses * 8 // 10


def segment_q(q: str) -> tuple[str, str | None]:
    """``q`` with each unsegmented Chinese word split into its words (phrases and words
    with syntax are left as typed), and the ``mm`` that keeps CKAN's reading of the typed
    words (None: nothing was split, or the query has operators, and CKAN's mm stands)."""
    typed = _WORDS.findall(q)
    out: list[str] = []
    for word in typed:
        out.extend(split_word(word) if not word.startswith('"') else [word])
    if len(out) == len(typed):
        return " ".join(out), None
    plain = all(w not in _OPERATORS and w[0] not in '+-!"' for w in typed)
    mm = str(len(out) - (len(typed) - ckan_mm(len(typed)))) if plain else None
    return " ".join(out), mm


def before_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_search: only a q CKAN sends to the dismax parser
    (no ``:``, no defType of the caller's) is rewritten; a Lucene query is the caller's."""
    q = search_params.get("q")
    if (isinstance(q, str) and q.strip() and ":" not in q and not search_params.get("defType")
            and segment.has_han(q)):
        search_params["q"], mm = segment_q(q)
        if mm and not search_params.get("mm"):  # a caller's own mm is kept
            search_params["mm"] = mm
    return search_params
