"""Chinese relevance on a realistic fixture catalog (tests/search/search_catalog.py).

The catalog is indexed through CKAN's own indexing code (PackageSearchIndex,
the same call CKAN makes after package_create) and queried with package_search.
Expected results are computed, not listed: every dataset whose words contain
every query word after traditional→simplified normalisation.
"""
from __future__ import annotations

import statistics
import uuid
from typing import Any

import pytest
import search_catalog as catalog
from search_helpers import index_documents
from search_relevance import graded_score, grades, relevant, score

# Depends on each engine's Chinese segmentation (embedded: jieba plus the place-name
# dictionary and the bigram aid; Solr: ICU tokens, traditional→simplified, CJK bigrams).
# Both meet the goals asserted here, so make test-solr runs these on Solr too; the
# figures per engine are in docs/search.md.
pytestmark = [pytest.mark.usefixtures("gd_search"), pytest.mark.search_engine_neutral]


@pytest.fixture(scope="module")
def indexed(gd_search: None) -> dict[str, Any]:
    org = f"relevance-{uuid.uuid4().hex[:8]}"
    entries = catalog.build()
    pkgs = []
    for i, e in enumerate(entries):
        pkgs.append({
            "id": str(uuid.uuid4()), "name": f"{org}-{e.name}", "title": e.title, "notes": e.notes,
            "type": "dataset", "state": "active", "private": False, "owner_org": org,
            "organization": {"name": org, "title": e.org_title},
            "tags": [{"name": t} for t in e.tags], "groups": [], "extras": [],
            "metadata_created": f"{e.modified}T00:00:00", "metadata_modified": f"{e.modified}T00:00:{i % 60:02d}",
            "theme": e.theme, "access_rights": e.access_rights, "frequency": e.frequency,
            "region_code": e.region, "publisher_name": e.org_title,
            "resources": [{"name": e.title, "format": f, "url": f"http://127.0.0.1/{e.name}.{f.lower()}",
                           "description": ""} for f in e.formats],
        })
    index_documents(pkgs)
    return {"org": org, "entries": entries,
            "texts": {f"{org}-{e.name}": e.searchable() for e in entries}}


def ranked_names(org: str, q: str) -> list[str]:
    import ckan.plugins.toolkit as tk
    result = tk.get_action("package_search")(
        {"ignore_auth": True}, {"q": q, "fq": f"organization:{org}", "rows": 50,
                                "facet.field": ["theme", "res_format", "organization"]})
    return [r["name"] for r in result["results"]]


def test_catalog_is_large_enough(indexed: dict[str, Any]) -> None:
    assert len(indexed["entries"]) >= 200
    assert sum(len(v) for v in catalog.QUERIES.values()) >= 30


def test_relevance_goals_per_query_kind(indexed: dict[str, Any]) -> None:
    report: list[str] = []
    below: list[str] = []
    all_scores = []
    for kind, queries in catalog.QUERIES.items():
        kind_scores = []
        for q in queries:
            rel = relevant(q, indexed["texts"])
            assert rel, f"the catalog has no dataset for {q!r}: fix the query list"
            s = score(ranked_names(indexed["org"], q), rel)
            assert s.returned > 0, f"no results for {q!r}"
            kind_scores.append(s)
            if s.recall10 < 1 or s.mrr < 1:
                below.append(f"  {q}: recall@10={s.recall10:.2f} MRR={s.mrr:.2f} "
                             f"(relevant {len(rel)}, returned {s.returned})")
        all_scores += kind_scores
        report.append(f"{kind:14s} n={len(queries):2d} recall@10={statistics.mean(s.recall10 for s in kind_scores):.3f} "
                      f"MRR={statistics.mean(s.mrr for s in kind_scores):.3f} "
                      f"nDCG@10={statistics.mean(s.ndcg10 for s in kind_scores):.3f}")
    recall = statistics.mean(s.recall10 for s in all_scores)
    mrr = statistics.mean(s.mrr for s in all_scores)
    ndcg = statistics.mean(s.ndcg10 for s in all_scores)
    report.append(f"{'all':14s} n={len(all_scores)} recall@10={recall:.3f} MRR={mrr:.3f} nDCG@10={ndcg:.3f}")
    print("\n" + "\n".join(report + below))
    assert recall >= 0.95 and mrr >= 0.95, "\n".join(report)


def test_title_match_ranks_above_notes_match(indexed: dict[str, Any]) -> None:
    # 空气质量 is in the title of the air-quality datasets and only in the notes of
    # none; 监测 is in the titles of some and the notes of others: title hits come first.
    names = ranked_names(indexed["org"], "监测")
    by_name = {f"{indexed['org']}-{e.name}": e for e in indexed["entries"]}
    in_title = ["监测" in by_name[n].title for n in names]
    assert in_title == sorted(in_title, reverse=True), "a notes-only match outranked a title match"


# Goals of issue 15 (docs/search.md, "Search that understands what people mean").
GRADED_GOALS = {"recall10": 0.92, "strict10": 0.98, "ndcg10": 0.95}


def graded_report(indexed: dict[str, Any]) -> tuple[list[str], dict[str, float], list[str]]:
    """Per-kind table of the graded metrics, the overall means and the pinyin, initials
    and English queries whose target is not in the top 3."""
    org = indexed["org"]
    docs = {f"{org}-{e.name}": (e.searchable(), e.region) for e in indexed["entries"]}
    by_kind: dict[str, list[Any]] = {}
    missed: list[str] = []
    lines: list[str] = []
    for kind, q, rules2, rules1 in catalog.GRADED:
        judged = grades(rules2, rules1, docs)
        assert any(g == 2 for g in judged.values()), f"no grade-2 dataset for {q!r}: fix GRADED"
        s = graded_score(ranked_names(org, q), judged)
        by_kind.setdefault(kind, []).append(s)
        if kind in ("pinyin", "initials", "english") and not s.top3:
            missed.append(q)
        if s.recall10 < 1 or s.strict10 < 1 or s.ndcg10 < 0.95:
            lines.append(f"  {q}: recall@10={s.recall10:.2f} strict={s.strict10:.2f} "
                         f"MRR={s.mrr:.2f} nDCG@10={s.ndcg10:.2f}")
    table = [f"{'kind':10s} {'n':>2s} recall@10 strict@10   MRR  nDCG@10"]
    every = [s for v in by_kind.values() for s in v]
    for kind, ss in list(by_kind.items()) + [("all", every)]:
        table.append(f"{kind:10s} {len(ss):2d} {statistics.mean(s.recall10 for s in ss):9.3f} "
                     f"{statistics.mean(s.strict10 for s in ss):9.3f} "
                     f"{statistics.mean(s.mrr for s in ss):5.3f} "
                     f"{statistics.mean(s.ndcg10 for s in ss):8.3f}")
    overall = {"recall10": statistics.mean(s.recall10 for s in every),
               "strict10": statistics.mean(s.strict10 for s in every),
               "mrr": statistics.mean(s.mrr for s in every),
               "ndcg10": statistics.mean(s.ndcg10 for s in every)}
    return table + lines, overall, missed


def test_graded_relevance_goals(indexed: dict[str, Any]) -> None:
    table, overall, missed = graded_report(indexed)
    print("\n" + "\n".join(table))
    below = {k: round(overall[k], 3) for k, goal in GRADED_GOALS.items() if overall[k] < goal}
    assert not below, "below the goals: " + repr(below) + "\n" + "\n".join(table)
    assert not missed, f"pinyin/initials/English targets not in the top 3: {missed}"
