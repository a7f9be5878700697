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
