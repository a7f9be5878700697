"""Pinyin of Chinese words for people typing with the input method off:
停车场 → tingchechang, ting che chang, tcc (pypinyin)."""
from __future__ import annotations

import functools

from ckanext.guangdong.search import segment


@functools.lru_cache(maxsize=65536)
def word_pinyin(word: str) -> tuple[str, ...]:
    """Full pinyin (joined), its syllables, and the initials of a Han word."""
    from pypinyin import Style, lazy_pinyin
    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    if not syllables:
        return ()
    out = ["".join(syllables)]
    if len(syllables) > 1:
        out += syllables
        out.append("".join(s[0] for s in syllables))
    return tuple(out)


@functools.lru_cache(maxsize=16384)
def text_pinyin(text: str) -> tuple[str, ...]:
    """Pinyin forms of the words of a title, organization name or tag, once each."""
    out: dict[str, None] = {}
    for token in segment.query_tokens(text):
        if segment.has_han(token):
            out.update(dict.fromkeys(word_pinyin(token)))
    return tuple(out)
