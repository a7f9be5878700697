"""Chinese-aware tokenisation shared by documents and queries.

Text is normalised (NFKC folds full-width Latin, OpenCC turns traditional into
simplified characters, lower-case), then split into runs: Han runs go through
rjieba (search mode for documents, so a compound also yields its dictionary
parts; precise mode for queries), Latin/number runs stay whole so that PM2.5,
5G or COVID-19 remain one token (their parts are indexed too).

Documents additionally carry character bigrams of every Han run at their own
positions: a query word of three or more characters becomes "the word, or its
bigrams adjacent in that order", which finds any substring whatever the
segmenter decided, so recall does not depend on the dictionary.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"([{HAN}]+)|([0-9a-z]+(?:[._\-+][0-9a-z]+)*)")
_PART_RE = re.compile(r"[0-9a-z]+")


@functools.lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    """The process-wide rjieba instance with our place-name dictionary added."""
    import rjieba
    jieba = rjieba.Jieba()
    for word in place_names():
        # A high frequency makes the segmenter keep place names whole.
        jieba.add_word(word, 20000, "ns")
    return jieba


def place_names() -> list[str]:
    text = resources.files("ckanext.guangdong.search").joinpath(
        "data/guangdong_places.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def normalise(text: str) -> str:
    """NFKC + traditional→simplified + lower-case."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if re.search(f"[{HAN}]", text):
        text = _converter().convert(text)
    return text.lower()


@dataclass
class Run:
    text: str
    han: bool


def runs(text: str) -> Iterator[Run]:
    for match in _RUN_RE.finditer(normalise(text)):
        if match.group(1):
            yield Run(match.group(1), True)
        else:
            yield Run(match.group(2), False)


def latin_tokens(token: str) -> list[str]:
    """PM2.5 → pm2.5, pm2, 5: the whole token first, then its alphanumeric parts."""
    parts = _PART_RE.findall(token)
    out = [token]
    if len(parts) > 1:
        out += [p for p in parts if p != token]
    return out


@functools.lru_cache(maxsize=65536)
def document_tokens(text: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """Words and the runs' character bigrams, in text order.

    Each word slot is a list of tokens sharing one position (PM2.5 and its
    parts), so that phrase queries over Latin words see them adjacent. Han runs
    give one slot per search-mode word. Bigrams are returned per run separated
    by "" so callers can keep runs from becoming adjacent to each other.
    """
    # Cached: organization titles, tags, themes and formats repeat across datasets.
    words: list[tuple[str, ...]] = []
    bigrams: list[str] = []
    for run in runs(text):
        if run.han:
            words.extend((w,) for w in _jieba().cut_for_search(run.text, True) if w.strip())
            if len(run.text) >= 2:
                bigrams.extend(run.text[i:i + 2] for i in range(len(run.text) - 1))
                bigrams.append("")
        else:
            words.append(tuple(latin_tokens(run.text)))
    return tuple(words), tuple(bigrams)


def query_runs(text: str) -> list[Run]:
    return list(runs(text))


def query_tokens(text: str) -> list[str]:
    """Tokens a query word must all match (precise mode: no overlapping parts)."""
    out: list[str] = []
    for run in runs(text):
        if run.han:
            out.extend(w for w in _jieba().cut(run.text, True) if w.strip())
        else:
            out.append(run.text)
    return out


def has_han(text: str) -> bool:
    return bool(re.search(f"[{HAN}]", text or ""))
