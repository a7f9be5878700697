"""Relevance metrics: recall@10, MRR, nDCG@10 against a substring ground truth."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ckanext.guangdong.search import segment


def relevant(query: str, texts: dict[str, str]) -> set[str]:
    """Datasets whose text contains every query word (both normalised: t2s, NFKC, lower)."""
    words = [segment.normalise(w) for w in query.split()]
    return {name for name, text in texts.items()
            if all(w in segment.normalise(text) for w in words)}


@dataclass
class Scores:
    recall10: float
    mrr: float
    ndcg10: float
    returned: int


def score(ranked: list[str], rel: set[str]) -> Scores:
    top = ranked[:10]
    hits = [1.0 if name in rel else 0.0 for name in top]
    recall = sum(hits) / min(len(rel), 10) if rel else 1.0
    mrr = next((1.0 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), 10)))
    return Scores(recall, mrr, dcg / ideal if ideal else 1.0, len(ranked))


def grades(rules2: list[tuple[str, ...]], rules1: list[tuple[str, ...]],
           docs: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Grade 2 or 1 of every dataset a rule judges (docs: name -> (text, region code))."""
    def hit(rules: list[tuple[str, ...]], text: str, region: str) -> bool:
        return any(all(region == w[1:] if w.startswith("@") else segment.normalise(w) in text
                       for w in rule) for rule in rules)
    out: dict[str, int] = {}
    for name, (text, region) in docs.items():
        norm = segment.normalise(text)
        if hit(rules2, norm, region):
            out[name] = 2
        elif hit(rules1, norm, region):
            out[name] = 1
    return out


@dataclass
class Graded:
    recall10: float   # grade 1 and 2 found in the top 10
    strict10: float   # grade 2 found in the top 10
    mrr: float        # first grade-2 result
    ndcg10: float     # gains 2^grade - 1
    top3: bool        # a grade-2 result in the top 3


def graded_score(ranked: list[str], judged: dict[str, int]) -> Graded:
    top = ranked[:10]
    best = [n for n, g in judged.items() if g == 2]
    anyg = list(judged)
    recall = sum(1 for n in top if n in judged) / min(len(anyg), 10) if anyg else 1.0
    strict = sum(1 for n in top if judged.get(n) == 2) / min(len(best), 10) if best else 1.0
    mrr = next((1.0 / (i + 1) for i, n in enumerate(top) if judged.get(n) == 2), 0.0)
    dcg = sum((2 ** judged.get(n, 0) - 1) / math.log2(i + 2) for i, n in enumerate(top))
    ideal_gains = sorted((2 ** g - 1 for g in judged.values()), reverse=True)[:10]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(ideal_gains))
    return Graded(recall, strict, mrr, dcg / ideal if ideal else 1.0,
                  any(judged.get(n) == 2 for n in top[:3]))
