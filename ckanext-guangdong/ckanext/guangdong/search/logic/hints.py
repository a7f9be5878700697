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
from ckanext.guangdong.search.backend import executor
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
    # Full matches only: the embedded engine's any-word fallback would "find" 零售药店
    # through 零售 alone, and the offered search would lead to datasets without 药店.
    try:
        with executor.strict_words():
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
    titles = _public_search("", rows=TITLE_SAMPLE, fl="title tags", sort="metadata_modified desc")
    recent_tags: set[str] = set()
    for row in titles["results"]:
        for token in segment.query_tokens(str(row.get("title") or "")):
            if len(token) >= 2 and not token.isdigit():
                words.setdefault(token, 0)
        tags = row.get("tags")
        recent_tags.update(str(t) for t in (tags if isinstance(tags, list) else []))
    facets = _public_search("", **{"facet.field": ["tags", "organization"], "facet.limit": 1000})
    for field in ("tags", "organization"):
        for item in (facets.get("search_facets") or {}).get(field, {}).get("items", []):
            text = segment.normalise(str(item.get("display_name") or item.get("name") or ""))
            if text and not _UNSAFE.search(text):  # words only: a search of them is no syntax
                words[text] = max(words.get(text, 0), int(item.get("count") or 0))
            if field == "tags" and item.get("count"):
                _tags[text] = str(item["name"])
    # The recent datasets' tags too: in a crowded catalog the facet's 1,000 most used tags
    # (ties in name order) leave out a new tag used once.
    for tag in recent_tags:
        text = segment.normalise(tag)
        if text and not _UNSAFE.search(text):
            words.setdefault(text, 0)
    _vocab = (now, words)
    return words


@functools.lru_cache(maxsize=65536)
def _syllables(word: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin
    return tuple(s.lower() for s in lazy_pinyin(word, style=Style.NORMAL, errors="default"))


def spoken(word: str) -> str:
    """The joined toneless pinyin of ``word`` (停车场: tingchechang)."""
    return "".join(_syllables(word))


def _initial(syllable: str) -> str:
    for initial in ("zh", "ch", "sh"):
        if syllable.startswith(initial):
            return initial
    return syllable[:1] if syllable[:1] not in "aeiou" else ""


def _one_edit(a: str, b: str) -> bool:
    """At most one letter inserted, deleted or replaced."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]
    return True


def sounds_alike(typed: str, candidate: str) -> bool:
    """Chinese input: a homophone (the same pinyin), or the same syllables with the same
    initials and one letter apart (医保 yibao is not 日报 ribao; 停车厂 is 停车场)."""
    a, b = _syllables(typed), _syllables(candidate)
    if a == b:
        return True
    if len(a) != len(b) or any(_initial(x) != _initial(y) for x, y in zip(a, b, strict=True)):
        return False
    return _one_edit("".join(a), "".join(b))


def _ratio(matcher: difflib.SequenceMatcher[str], other: str, cutoff: float) -> float:
    matcher.set_seq1(other)
    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
        return 0.0
    return matcher.ratio()


def close_words(word: str, vocab: dict[str, int], n: int = 3, cutoff: float = 0.75) -> list[str]:
    """Public words close to ``word`` by characters or by pinyin, closest first (a
    homophone, 停车厂 for 停车场, first of all). Typed pinyin (tingchechnag) may be a few
    letters off; typed Chinese only sounds like a word it nearly is (sounds_alike)."""
    word = segment.normalise(word)
    han = segment.has_han(word)
    typed_sound = spoken(word)
    chars: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None)
    chars.set_seq2(word)
    sounds: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None)
    sounds.set_seq2(typed_sound)
    scores: dict[str, float] = {}
    for candidate in vocab:
        if candidate == word:
            continue
        said = spoken(candidate)
        if said == typed_sound:
            score = 0.99
        elif han and segment.has_han(candidate) and not sounds_alike(word, candidate):
            score = _ratio(chars, candidate, cutoff)
        else:
            score = max(_ratio(chars, candidate, cutoff), _ratio(sounds, said, cutoff) - 0.01)
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
