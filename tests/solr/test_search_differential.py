"""Differential tests of the query dialect: the embedded PostgreSQL backend against a real
Solr 9 with our configuration (docs/search.md, "Differential tests").

One fixture catalog (diff_catalog.build, a fixed seed) is indexed once into each engine
through CKAN's own index_package; then generated package_search requests (diff_catalog.
Generator, seed printed; GD_DIFF_SEED=N replays, GD_DIFF_CASES=N sets how many) run
through CKAN on both, switching the engine with the search seam (search/seam.py) in this
one process. They must agree on the count, the ids (in order where the sort is a total
order, as sets where it is by score: ts_rank and BM25 rank differently on purpose), the
facet counts, and on refusing a request.

The catalog lives under a site_id of its own, so CKAN's +site_id filter keeps every
other dataset of the shared test database (and of earlier runs) out of both answers.
Runs where the test ini selects Solr (make test-solr).
"""
from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import diff_catalog
import pysolr
import pytest
from diff_support import RELAXED_Q, engines_with_catalog, relaxed, run_cases

pytestmark = pytest.mark.solr

DEFAULT_CASES = 2000


def seed_and_cases() -> tuple[int, int]:
    seed = int(os.environ.get("GD_DIFF_SEED") or random.SystemRandom().randrange(10**6))
    cases = int(os.environ.get("GD_DIFF_CASES") or DEFAULT_CASES)
    return seed, cases


SEED, CASES = seed_and_cases()


@pytest.fixture(scope="module")
def engines(gd_plugins: None) -> Iterator[Callable[[str, dict[str, Any]], Any]]:
    """Both engines hold the catalog; yields ``search(engine, data_dict)``."""
    import ckan.plugins.toolkit as tk
    if tk.config.get("ckanext.guangdong.search_backend") != "solr":
        pytest.skip("the test ini does not select Solr; make test-solr runs this")
    with engines_with_catalog() as search:
        yield search


def test_query_dialect_agrees_with_solr(engines: Callable[[str, dict[str, Any]], Any]) -> None:
    print(f"\ndifferential tests: seed {SEED}, {CASES} cases (replay: GD_DIFF_SEED={SEED} "
          f"GD_DIFF_CASES={CASES})")
    only = {int(x) for x in os.environ.get("GD_DIFF_ONLY", "").split(",") if x.strip()}
    t0 = time.monotonic()
    stats, disagreements = run_cases(engines, SEED, CASES, only)
    elapsed = time.monotonic() - t0
    print(f"differential tests: {CASES} cases in {elapsed:.1f} s: {stats['agree']} equal "
          f"({stats['errors']} refused by both, {stats['empty']} empty on both), "
          f"{stats['fallback']} through the OR fallback, {len(disagreements)} disagreements")
    assert not disagreements, (f"seed {SEED}: {len(disagreements)} of {CASES} cases disagree; "
                               "first ones:\n" + "\n".join(disagreements[:15]))


def test_or_fallback_reading_relaxes_q_alone(engines: Callable[[str, dict[str, Any]], Any]) -> None:
    """The harness checks the embedded backend's OR fallback against Solr asked with
    q.op=OR on q alone: an fq keeps CKAN's q.op=AND (before, q.op=OR was a parameter of
    the whole request, and Solr read every fq with OR too)."""
    visible = [p["name"] for p in diff_catalog.build()
               if p["state"] == "active" and not p["private"]][:2]
    a, b = visible
    request = {"q": f"name:{a} name:{b}", "rows": 10}
    assert relaxed(request)[RELAXED_Q] == request["q"] and "q.op" not in relaxed(request)

    def names(data: dict[str, Any]) -> set[str]:
        result = engines("solr", data)
        assert not isinstance(result, tuple), result
        return {r["name"] for r in result["results"]}

    assert names(request) == set()                 # q.op=AND: no dataset has both names
    assert names(relaxed(request)) == {a, b}       # the OR reading of q: either
    # the same two names as an fq: still both required, so nothing (read with OR: a and b)
    assert names(relaxed({**request, "fq": f"name:{a} name:{b}"})) == set()
    # dismax: mm=1, which only the dismax q reads
    assert relaxed({"q": "river delta"})["mm"] == "1"


def test_facet_sort_and_limits_agree_with_solr(engines: Callable[[str, dict[str, Any]], Any]) -> None:
    """facet.sort (count or index) is not a parameter package_search passes on (CKAN's
    VALID_SOLR_PARAMETERS), so these go to each engine's connection with the parameters
    CKAN composes (site, state, capacity filters; q.op=AND; dismax for a q without a
    colon): the facet values, their order and counts must agree, per-field limits too."""
    from ckan.common import config
    from ckan.lib.search import common

    from ckanext.guangdong.search import seam
    engines("solr", {"rows": 0})  # sets the catalog's site_id
    gen = diff_catalog.Generator(SEED + 1)
    cases = max(50, CASES // 10)
    disagreements = []
    for i in range(cases):
        case = gen.case(i)
        q = case.get("q") or "*:*"
        fields = gen.rng.sample(diff_catalog.FACETABLE, gen.rng.randint(1, 3))
        params: dict[str, Any] = {
            "fq": [f'+site_id:"{config["ckan.site_id"]}"', "+state:active", "+capacity:public",
                   *case.get("fq_list", [])],
            "rows": 0, "facet": "true", "facet.field": fields, "q.op": "AND", "df": "text",
            "facet.sort": gen.rng.choice(["count", "index"]),
            "facet.limit": gen.rng.choice([-1, 1, 2, 3, 5]),
            "facet.mincount": gen.rng.choice([1, 2, 4]),
            f"f.{fields[0]}.facet.limit": gen.rng.choice([1, 2, 100])}
        if ":" not in q:
            params.update({"defType": "dismax", "mm": "2<-1 5<80%",
                           "qf": "name^4 title^4 tags^2 groups^2 text"})
        got = {}
        for engine in ("solr", "postgres"):
            seam.install(engine)
            try:
                result = common.make_connection().search(q=q, **params)
                got[engine] = (result.hits, result.facets.get("facet_fields"))
            except Exception as exc:
                got[engine] = ("error", isinstance(exc, pysolr.SolrError))
        fallback = got["solr"][0] == 0 and got["postgres"][0] not in (0, "error")
        if got["solr"] != got["postgres"] and not fallback:  # (the OR fallback: see above)
            disagreements.append(f"case {i}: q={q!r} {params}\n  solr {got['solr']}\n  ours {got['postgres']}")
    seam.install("solr")
    print(f"\nfacet sort cases: {cases}, {len(disagreements)} disagreements")
    assert not disagreements, f"seed {SEED + 1}:\n" + "\n".join(disagreements[:10])
