"""Pinyin of Chinese words for people typing with the input method off:
停车场 → tingchechang, ting che chang, tcc, and the parts of the word in whole
syllables (tingche, chechang), so a shorter word inside it (停车, 交通 in 交通运输局,
道路交通) is found by its pinyin as it is by its characters (pypinyin)."""
from __future__ import annotations

import functools

from ckanext.guangdong.search import segment

# Longest word whose inner spans get their own joined pinyin (n syllables give
# n(n-1)/2 spans); longer Han tokens are rare and keep their full form and syllables.
MAX_SPAN_WORD = 8


@functools.lru_cache(maxsize=65536)
def word_pinyin(word: str) -> tuple[str, ...]:
    """Full pinyin (joined), its syllables, the initials of a Han word, then the joined
    pinyin of every run of two or more of its syllables (the syllables of the whole word,
    so a polyphone keeps the reading pypinyin chose in context)."""
    from pypinyin import Style, lazy_pinyin
    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    if not syllables:
        return ()
    out = ["".join(syllables)]
    n = len(syllables)
    if n > 1:
        out += syllables
        out.append("".join(s[0] for s in syllables))
    if 2 < n <= MAX_SPAN_WORD:
        out += ["".join(syllables[i:j]) for i in range(n) for j in range(i + 2, n + 1)
                if j - i < n]
    return tuple(dict.fromkeys(out))


def is_joined(form: str, word: str) -> bool:
    """A form of two or more syllables joined (tingche), not one syllable or initials."""
    return len(form) > 1 and form not in word_syllables(word) and form != initials(word)


@functools.lru_cache(maxsize=65536)
def word_syllables(word: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin
    return tuple(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))


def initials(word: str) -> str:
    syllables = word_syllables(word)
    return "".join(s[0] for s in syllables) if len(syllables) > 1 else ""


@functools.lru_cache(maxsize=16384)
def text_pinyin(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pinyin forms of the words of a title, organization name, tag or theme, once each:
    (joined forms of two or more syllables, then single syllables and initials). The
    second kind are short and common (ju, an, tcc) and may be Latin words or
    abbreviations too, so they rank lowest (enrich.py)."""
    joined: dict[str, None] = {}
    short: dict[str, None] = {}
    for token in segment.query_tokens(text):
        # One-character words (局, 及, 的) are left out: nobody types "ju" for 局, and as
        # words of their own they would match short Latin queries (docs/search.md).
        if len(token) > 1 and segment.has_han(token):
            for form in word_pinyin(token):
                (joined if is_joined(form, token) else short)[form] = None
    return tuple(joined), tuple(f for f in short if f not in joined)
