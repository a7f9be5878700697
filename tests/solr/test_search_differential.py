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

import copy
import json
import os
import random
import time
import uuid
from typing import Any, Callable, Iterator

import pysolr
import pytest

import diff_catalog

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
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.common import config
    from ckan.lib.search import index_for, common
    from ckan.lib.search import query as query_module
    from ckan.tests.pytest_ckan import ckan_setup
    from ckanext.guangdong.search import seam

    if tk.config.get("ckanext.guangdong.search_backend") != "solr":
        pytest.skip("the test ini does not select Solr; make test-solr runs this")
    site = f"diff-{uuid.uuid4().hex[:8]}"
    saved = [(c, c.get("ckan.site_id")) for c in (config, ckan_setup._config)]
    for conf, _ in saved:
        conf["ckan.site_id"] = site
    catalog = diff_catalog.build()
    index = index_for(model.Package)
    t0 = time.monotonic()
    timings = {}
    try:
        for engine in ("solr", "postgres"):
            seam.install(engine)
            t = time.monotonic()
            for pkg in catalog:
                index.index_package(copy.deepcopy(pkg), defer_commit=True)
            common.make_connection().commit(waitSearcher=True)
            model.Session.commit()
            timings[engine] = time.monotonic() - t
        print(f"\ndifferential catalog: {len(catalog)} datasets under site_id {site}; indexed "
              + ", ".join(f"{e} {s:.1f} s" for e, s in timings.items()))

        def search(engine: str, data_dict: dict[str, Any]) -> Any:
            seam.install(engine)
            for conf in (config, ckan_setup._config):
                conf["ckan.site_id"] = site  # CKAN's pytest plugin restores its snapshot per test
            data = {k: v for k, v in copy.deepcopy(data_dict).items() if not k.startswith("_")}
            valid = query_module.VALID_SOLR_PARAMETERS
            if data_dict.get("_relaxed"):
                query_module.VALID_SOLR_PARAMETERS = valid | {"q.op"}
            try:
                result = tk.get_action("package_search")({"ignore_auth": True}, data)
            except (tk.ValidationError, tk.ObjectNotFound) as exc:
                return ("error", type(exc).__name__)
            except Exception as exc:  # CKAN's SearchQueryError / SearchError
                if type(exc).__name__ in ("SearchQueryError", "SearchError"):
                    return ("error", "search")
                raise
            finally:
                query_module.VALID_SOLR_PARAMETERS = valid
                model.Session.rollback()
            return result

        yield search
    finally:
        seam.install("solr")
        for conf, value in saved:
            conf["ckan.site_id"] = value
        print(f"differential fixture: {time.monotonic() - t0:.1f} s")


def answer(result: Any, total_order: bool) -> Any:
    if isinstance(result, tuple):
        return result
    ids = [r["id"] for r in result["results"]]
    return {"count": result["count"],
            "ids": ids if total_order else sorted(ids),
            "facets": {f: dict(sorted(v.items())) for f, v in result["facets"].items()}}


def relaxed(data: dict[str, Any]) -> dict[str, Any]:
    """The same request as the embedded backend's OR fallback reads it (docs/search.md:
    any one word of free text may match when all of them find nothing). package_search
    refuses q.op (not among CKAN's VALID_SOLR_PARAMETERS): the fixture lets it through
    for these requests only."""
    out = dict(data)
    out["_relaxed"] = True
    q = str(data.get("q") or "")
    if ":" in q:
        out["q.op"] = "OR"
    else:
        out["mm"] = "1"
    return out


def test_query_dialect_agrees_with_solr(engines: Callable[[str, dict[str, Any]], Any]) -> None:
    print(f"\ndifferential tests: seed {SEED}, {CASES} cases (replay: GD_DIFF_SEED={SEED} "
          f"GD_DIFF_CASES={CASES})")
    gen = diff_catalog.Generator(SEED)
    t0 = time.monotonic()
    disagreements: list[str] = []
    stats = {"agree": 0, "fallback": 0, "errors": 0, "empty": 0}
    only = {int(x) for x in os.environ.get("GD_DIFF_ONLY", "").split(",") if x.strip()}
    for i in range(CASES):
        case = gen.case(i)
        if only and i not in only:
            continue
        total = case["_total_order"]
        solr = answer(engines("solr", case), total)
        ours = answer(engines("postgres", case), total)
        if solr == ours:
            stats["agree"] += 1
            stats["errors"] += isinstance(solr, tuple)
            stats["empty"] += not isinstance(solr, tuple) and solr["count"] == 0
            continue
        if (not isinstance(solr, tuple) and not isinstance(ours, tuple)
                and solr["count"] == 0 and ours["count"] > 0):
            # the OR fallback (ours, not Solr's): Solr with mm=1 / q.op=OR must agree
            solr_relaxed = answer(engines("solr", relaxed(case)), total)
            if solr_relaxed == ours:
                stats["fallback"] += 1
                continue
            if only:
                print(f"case {i}: Solr with the OR fallback's reading: {solr_relaxed}")
        disagreements.append(describe(i, case, solr, ours))
    elapsed = time.monotonic() - t0
    print(f"differential tests: {CASES} cases in {elapsed:.1f} s: {stats['agree']} equal "
          f"({stats['errors']} refused by both, {stats['empty']} empty on both), "
          f"{stats['fallback']} through the OR fallback, {len(disagreements)} disagreements")
    assert not disagreements, (f"seed {SEED}: {len(disagreements)} of {CASES} cases disagree; "
                               "first ones:\n" + "\n".join(disagreements[:15]))


def describe(i: int, case: dict[str, Any], solr: Any, ours: Any) -> str:
    request = {k: v for k, v in case.items() if not k.startswith("_")}
    lines = [f"case {i}: {json.dumps(request, ensure_ascii=False)}"]
    if isinstance(solr, tuple) or isinstance(ours, tuple):
        lines.append(f"  solr: {str(solr)[:200]}\n  ours: {str(ours)[:200]}")
        return "\n".join(lines)
    for key in ("count", "ids", "facets"):
        if solr[key] != ours[key]:
            if key == "ids" and isinstance(solr[key], list):
                s, o = solr[key], ours[key]
                only_s = [x[-8:] for x in s if x not in o][:6]
                only_o = [x[-8:] for x in o if x not in s][:6]
                lines.append(f"  ids: solr {len(s)}, ours {len(o)}; only solr {only_s}, "
                             f"only ours {only_o}")
            elif key == "facets":
                for f in solr[key]:
                    if solr[key][f] != ours[key].get(f):
                        lines.append(f"  facet {f}: solr {solr[key][f]} ours {ours[key].get(f)}")
            else:
                lines.append(f"  {key}: solr {solr[key]} ours {ours[key]}")
    return "\n".join(lines)


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
