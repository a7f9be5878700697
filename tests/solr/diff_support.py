"""The differential tests' harness (test_search_differential.py, test_solrcloud.py):
the fixture catalog indexed into both engines, generated cases run on both, answers
compared. See test_search_differential.py for what is compared and why."""
from __future__ import annotations

import contextlib
import copy
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import diff_catalog


@contextlib.contextmanager
def engines_with_catalog() -> Iterator[Callable[[str, dict[str, Any]], Any]]:
    """Both engines hold the catalog (Solr: the core or collection CKAN's Solr settings
    name); yields ``search(engine, data_dict)`` through package_search."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.common import config
    from ckan.lib.search import common, index_for
    from ckan.lib.search import query as query_module
    from ckan.tests.pytest_ckan import ckan_setup

    from ckanext.guangdong.search import seam

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
            # Names only (unique in the catalog): without the stored dataset dicts no
            # JSON is decoded, and CKAN's tracking plugin, which queries the database for
            # every result that has an id, skips them (up to 1,000 queries per case).
            data.setdefault("fl", ["name"])
            valid = query_module.VALID_SOLR_PARAMETERS
            parsers = config.get("ckan.search.solr_allowed_query_parsers")
            if data_dict.get("_relaxed"):
                # the relaxed reading's local parameters ({!lucene ...}) and its q parameter
                query_module.VALID_SOLR_PARAMETERS = valid | {RELAXED_Q}
                config["ckan.search.solr_allowed_query_parsers"] = ["lucene"]
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
                config["ckan.search.solr_allowed_query_parsers"] = parsers
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
    ids = [r["name"] for r in result["results"]]
    return {"count": result["count"],
            "ids": ids if total_order else sorted(ids),
            "facets": {f: dict(sorted(v.items())) for f, v in result["facets"].items()}}


RELAXED_Q = "gd_relaxed_q"


def relaxed(data: dict[str, Any]) -> dict[str, Any]:
    """The same request as the embedded backend's OR fallback reads it (docs/search.md:
    any one word of free text may match when all of them find nothing). The fallback
    relaxes ``q`` only, never an ``fq``: dismax gets mm=1 (mm only reads the dismax q);
    the standard parser gets q.op=OR as a local parameter of q, with the query passed as
    a parameter of its own (a request-wide q.op=OR would also turn the implicit AND of
    every fq into OR). package_search refuses local parameters unless their parser is
    allowed, and unknown parameters: the fixture lets both through for these requests."""
    out = dict(data)
    out["_relaxed"] = True
    q = str(data.get("q") or "")
    if ":" in q:
        out["q"] = f"{{!lucene q.op=OR v=${RELAXED_Q}}}"
        out[RELAXED_Q] = q
        # Solr parses local parameters in q only when defType is lucene (SOLR-11501);
        # CKAN would pick dismax for a q without a colon
        out["defType"] = "lucene"
    else:
        out["mm"] = "1"
    return out


def run_cases(engines: Callable[[str, dict[str, Any]], Any], seed: int, cases: int,
              only: set[int] = frozenset()) -> tuple[dict[str, int], list[str]]:
    """Generated cases (seed) on both engines; (statistics, disagreements)."""
    gen = diff_catalog.Generator(seed)
    disagreements: list[str] = []
    stats = {"agree": 0, "fallback": 0, "errors": 0, "empty": 0}
    for i in range(cases):
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
    return stats, disagreements


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
