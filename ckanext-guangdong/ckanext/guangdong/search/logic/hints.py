"""guangdong_search_hints: "did you mean" and the nearest useful searches for a query that
finds nothing (issue 15, item 5).

Built from public data only: the words come from anonymous package_search answers
(include_private and include_drafts off, whoever asks) — tags, organization names and the
words of recent titles — and from the thesaurus file; every search offered is checked to
find public datasets before it is offered. Close words: the standard library's difflib
on the characters and on the pinyin (pypinyin), so a near spelling (停车厂), a pinyin typo
(tingchechnag) or a homophone finds its word."""
from __future__ import annotations

import difflib
import functools
import re
import time
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.types import Context, DataDict

from ckanext.guangdong.search import messages, segment
from ckanext.guangdong.search.logic import inputs
from ckanext.guangdong.search.meaning import thesaurus

__all__ = ["guangdong_search_hints"]

MAX_Q = 100
MAX_WORDS = 5
MAX_HINTS = 6
VOCAB_SECONDS = 300
TITLE_SAMPLE = 1000
_LATIN = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_UNSAFE = re.compile(r"[^\w\s.\-]|_", re.UNICODE)
_vocab: tuple[float, dict[str, int]] | None = None
_tags: dict[str, str] = {}  # normalised → the tag's own name (for a tag filter link)


def _public_search(q: str, **extra: Any) -> dict[str, Any]:
    # An anonymous visitor's search, whoever asks: public datasets only.
    return tk.get_action("package_search")(
        {"user": ""}, {"q": q, "rows": 0, "include_private": False,
                                "include_drafts": False, **extra})


def _finds(q: str) -> int:
    try:
        return int(_public_search(q)["count"])
    except SearchError:
        return 0


def vocabulary() -> dict[str, int]:
    """Public words → how many public datasets carry them (tags, organizations), or 0
    (title words). Kept VOCAB_SECONDS in the process."""
    global _vocab
    now = time.monotonic()
    if _vocab is not None and now - _vocab[0] < VOCAB_SECONDS:
        return _vocab[1]
    words: dict[str, int] = {}
    _tags.clear()
    titles = _public_search("", rows=TITLE_SAMPLE, fl="title", sort="metadata_modified desc")
    for row in titles["results"]:
        for token in segment.query_tokens(str(row.get("title") or "")):
            if len(token) >= 2 and not token.isdigit():
                words.setdefault(token, 0)
    facets = _public_search("", **{"facet.field": ["tags", "organization"], "facet.limit": 1000})
    for field in ("tags", "organization"):
        for item in (facets.get("search_facets") or {}).get(field, {}).get("items", []):
            text = segment.normalise(str(item.get("display_name") or item.get("name") or ""))
            if text and not _UNSAFE.search(text):  # words only: a search of them is no syntax
                words[text] = max(words.get(text, 0), int(item.get("count") or 0))
            if field == "tags" and item.get("count"):
                _tags[text] = str(item["name"])
    _vocab = (now, words)
    return words


@functools.lru_cache(maxsize=65536)
def _spoken(word: str) -> str:
    from pypinyin import Style, lazy_pinyin
    return "".join(lazy_pinyin(word, style=Style.NORMAL, errors="default")).lower()


def _ratio(matcher: difflib.SequenceMatcher[str], other: str, cutoff: float) -> float:
    matcher.set_seq1(other)
    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
        return 0.0
    return matcher.ratio()


def close_words(word: str, vocab: dict[str, int], n: int = 3, cutoff: float = 0.75) -> list[str]:
    """Public words close to ``word`` by characters or by pinyin, closest first (a
    homophone, 停车厂 for 停车场, first of all)."""
    word = segment.normalise(word)
    spoken = _spoken(word)
    chars: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None)
    chars.set_seq2(word)
    sounds: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None)
    sounds.set_seq2(spoken)
    scores: dict[str, float] = {}
    for candidate in vocab:
        if candidate == word:
            continue
        said = _spoken(candidate)
        score = 0.99 if said == spoken else max(_ratio(chars, candidate, cutoff),
                                                _ratio(sounds, said, cutoff) - 0.01)
        if score >= cutoff:
            scores[candidate] = score
    return sorted(scores, key=lambda c: (-scores[c], -vocab[c], c))[:n]


def _related(word: str) -> list[str]:
    word = segment.normalise(word)
    han = segment.has_han(word)
    out: list[str] = []
    for terms, related in thesaurus.groups():
        # Han terms inside a word (医保 in 医保卡); Latin terms whole (tax is not in taxi).
        if any(t == word or (len(t) >= 2 and segment.has_han(t) and t in word) for t in terms + related):
            # A Chinese word's hints stay Chinese: the English terms (for /en's visitors)
            # would take the few tries and show English on Chinese pages.
            out += [t for t in terms + related if t != word and (segment.has_han(t) or not han)]
    return out


def _words(q: str) -> list[str]:
    return [w for w in _UNSAFE.sub(" ", q).split() if w.strip(".-")][:MAX_WORDS]


@tk.side_effect_free
def guangdong_search_hints(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """For a query that finds nothing: a corrected query that finds public datasets, and
    other searches that do.

    :param q: the query (at most 100 characters)
    :returns: ``{"q": ..., "did_you_mean": str | None, "hints": [{"kind": "q"|"tag",
        "q": ..., "count": n}]}`` (kind q: a search for the words; tag: the tag filter)
    """
    raw = inputs.query_text(data_dict, MAX_Q)  # a list, object or number: 400
    q = raw if isinstance(raw, str) else ""
    if "\x00" in q:
        raise SearchQueryError(messages.for_code("nul", {"param": "q"}))
    if len(q) > MAX_Q:
        raise SearchQueryError(messages.for_code("length", {"max": MAX_Q}))
    words = _words(q)
    out: dict[str, Any] = {"q": q, "did_you_mean": None, "hints": []}
    if not words:
        return out
    vocab = vocabulary()
    out["did_you_mean"] = _did_you_mean(q, words, vocab)
    seen = {segment.normalise(q), out["did_you_mean"]}
    hints: list[dict[str, Any]] = []
    tried = 0
    for word in words:
        for term in _related(word) + close_words(word, vocab, n=2):
            if term in seen or tried >= 4 or len(hints) >= MAX_HINTS // 2:
                continue
            seen.add(term)
            tried += 1
            count = _finds(term)
            if count:
                hints.append({"kind": "q", "q": term, "count": count})
    # then the most used public tags, as tag filters
    popular = sorted(((w, c) for w, c in vocab.items() if c and w in _tags), key=lambda wc: (-wc[1], wc[0]))
    for term, count in popular:
        if len(hints) >= MAX_HINTS:
            break
        if term not in seen:
            seen.add(term)
            hints.append({"kind": "tag", "q": _tags[term], "count": count})
    out["hints"] = hints
    return out


def _did_you_mean(q: str, words: list[str], vocab: dict[str, int]) -> str | None:
    """Known words stay; each other word becomes its closest public word; the first
    variant (also the simplified form of the query) that finds something is offered."""
    simplified = " ".join(segment.normalise(w) for w in words)
    options: list[list[str]] = []
    for word in words:
        norm = segment.normalise(word)
        known = norm in vocab or (_LATIN.match(norm) is None and any(norm in v for v in vocab if len(norm) >= 2))
        options.append([norm] if known else close_words(norm, vocab) + _related(norm)[:1] or [norm])
    tried: list[str] = []
    if simplified != q.strip():
        tried.append(simplified)
    for depth in range(3):
        tried.append(" ".join(o[min(depth, len(o) - 1)] for o in options))
    for candidate in dict.fromkeys(tried):
        if candidate != segment.normalise(q.strip()) and _finds(candidate):
            return candidate
    return None
