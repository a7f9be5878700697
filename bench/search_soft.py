"""Extra cost per /dataset search page of soft matching and of "did you mean" (issue 15,
items 3 and 5; search/logic/soft.py, hints.py).

    .venv/bin/python bench/search_soft.py [--ini var/test.ini] [--runs 30]

The portal's app in this process (CKAN's Flask test client, anonymous, Chinese), on the
catalog of the given ini's database. In one run, alternating request by request so both
sides see the same machine load, p50/p95 ms of:
  * a two-word search page with full and partial matches (page 1), soft matching on vs off
    (option ckanext.guangdong.search.soft_matching);
  * the same query's page where the partial matches start (soft: the full matches' ids, then
    the partial page with their exclusion);
  * a search page that finds nothing, with "did you mean" and hints vs without them (the
    helper answering nothing);
  * a one-word search page, soft matching on vs off (it does not apply: no extra cost).
The ratio on/off is printed per case. The count/facet cache stays on (as in production);
the first pass of each case warms it and is not counted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ini", default=os.path.join("var", "test.ini"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--two", default="停车场 统计")
    ap.add_argument("--one", default="停车场")
    ap.add_argument("--none", default="tingchechnag")
    args = ap.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(args.ini)
    # Pages are measured, not the anonymous page cache (which would also serve one mode's page
    # to the other: its key is the URL).
    config["ckanext.guangdong.page_cache"] = "false"
    app = make_app(config)
    from ckan.tests.helpers import CKANTestApp
    client = CKANTestApp(app).test_client()  # the whole app, middleware included (locale)

    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.search import helpers

    original_hints = helpers.guangdong_search_hints

    def no_hints(q: str) -> dict[str, Any]:
        return {"did_you_mean": None, "hints": []}

    def setting(on: bool) -> None:
        tk.config["ckanext.guangdong.search.soft_matching"] = on
        # the template calls h.guangdong_search_hints, registered at startup
        from ckan.lib.helpers import helper_functions
        helper_functions["guangdong_search_hints"] = original_hints if on else no_hints

    def get(q: str, page: int = 1) -> float:
        t0 = time.perf_counter()
        res = client.get("/dataset/", query_string={"q": q, "page": page})
        elapsed = (time.perf_counter() - t0) * 1000
        assert res.status_code == 200, res.status_code
        return elapsed

    with app._wsgi_app.test_request_context():  # pyright: ignore[reportAttributeAccessIssue]
        total = tk.get_action("package_search")({"user": ""}, {"rows": 0})["count"]
        soft = tk.get_action("package_search")({"user": ""}, {"q": args.two, "rows": 0,
                                                              "guangdong_soft_match": True})
    print(f"catalog: {total} public datasets; “{args.two}”: {soft['guangdong_soft_match']}")
    per_page = int(tk.config.get("ckan.datasets_per_page"))
    boundary = soft["guangdong_soft_match"]["all"] // per_page + 1  # where the partial ones start
    cases = [("two words, page 1", args.two, 1), ("two words, first page with partial ones", args.two, boundary),
             ("nothing found", args.none, 1), ("one word", args.one, 1)]
    print("| case | off p50 / p95 ms | on p50 / p95 ms | on/off p50 | on/off p95 |")
    print("|---|---|---|---|---|")
    for label, q, page in cases:
        samples: dict[bool, list[float]] = {False: [], True: []}
        for on in (False, True):  # warm: caches, templates, the hints' vocabulary
            setting(on)
            get(q, page)
        for i in range(args.runs):
            for on in ((False, True) if i % 2 == 0 else (True, False)):
                setting(on)
                samples[on].append(get(q, page))
        off, on_ = percentiles(samples[False]), percentiles(samples[True])
        print(f"| {label} (`{q}`{f', page {page}' if page > 1 else ''}) | {off[0]:.1f} / {off[1]:.1f} | "
              f"{on_[0]:.1f} / {on_[1]:.1f} | {on_[0] / off[0]:.2f} | {on_[1] / off[1]:.2f} |")
    setting(True)


if __name__ == "__main__":
    main()
