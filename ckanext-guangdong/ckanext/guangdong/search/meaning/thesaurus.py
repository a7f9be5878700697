"""The domain thesaurus (schemas/vocab/thesaurus.yaml): which words a dataset's text implies."""
from __future__ import annotations

import functools
import re
from importlib import resources

import yaml

from ckanext.guangdong.search import segment


@functools.cache
def groups() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(terms, related) per group, normalised like indexed text (t2s, NFKC, lower)."""
    text = resources.files("ckanext.guangdong.schemas").joinpath(
        "vocab", "thesaurus.yaml").read_text("utf-8")
    out = []
    for group in (yaml.safe_load(text) or {}).get("groups") or []:
        terms = tuple(segment.normalise(str(t)) for t in group.get("terms") or [])
        related = tuple(segment.normalise(str(t)) for t in group.get("related") or [])
        if terms:
            out.append((terms, related))
    return tuple(out)


@functools.cache
def _pattern(term: str) -> re.Pattern[str]:
    # Latin terms match whole words only (metro is not in metropolitan); Han terms anywhere.
    if segment.has_han(term):
        return re.compile(re.escape(term))
    return re.compile(rf"(?<![0-9a-z]){re.escape(term)}(?![0-9a-z])")


def expansions(normalised_text: str) -> list[str]:
    """The group terms of every group the text mentions, minus those it already has.

    A term of a group implies the group's other terms; a related word implies the terms
    (台风 → 天气) but not the other way round (天气 does not imply 台风)."""
    out: list[str] = []
    for terms, related in groups():
        present = [t for t in terms + related if _pattern(t).search(normalised_text)]
        if present:
            out.extend(t for t in terms if t not in present)
    return out
