"""Latency of package_search with the meaning and pinyin index words (issue 15) against the
same catalog indexed without them, in one run.

    .venv/bin/python bench/search_meaning_latency.py --before var/bench-X_before.ini \
        --after var/bench-X.ini [--runs 30]

Two worker processes, one per ini (each loads CKAN on its own database; the catalogs are
the same, only the index differs: `before` indexed by code without search/meaning/, `after`
reindexed with it). The parent sends every query to both, alternating which goes first, so
both see the same load on the shared machine, and reports p50/p95 per kind and the ratio
after / before. Kinds are bench/search.py's: (a) ordinary keywords (the issue's latency
goal: p95 ≤ 50 ms at 100k), (b) broad keywords, plus (u) unsegmented place + topic words
and (p) pinyin, which only the `after` index answers. Cold = the count/facet cache emptied
before the query (bench/search.py's cold); warm = the same query again.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from search import BROAD, FACETS, ORDINARY  # noqa: E402

UNSEGMENTED = ["广州停车场", "深圳幼儿园", "佛山疫苗接种", "东莞出租汽车"]
PINYIN = ["tingchechang", "youeryuan", "tingche", "chuzuqiche"]
KINDS = {"a": ORDINARY, "b": BROAD, "u": UNSEGMENTED, "p": PINYIN}
LABELS = {"a": "(a) ordinary keywords", "b": "(b) broad keywords",
          "u": "(u) unsegmented place + topic (广州停车场 …)", "p": "(p) pinyin (tingchechang …)"}


def serve(ini: str) -> None:
    """Child: answer one JSON request per line with the time of one package_search."""
    import ckan.plugins.toolkit as tk
    from search import load_app

    from ckanext.guangdong.search.backend import cache
    app = load_app(Path(ini))
    with app._wsgi_app.test_request_context():
        import ckan.model as model
        import sqlalchemy as sa
        size = model.Session.execute(sa.text(
            "SELECT pg_total_relation_size('guangdong_search_index')")).scalar()
        print(json.dumps({"ready": True, "index_mb": round((size or 0) / 2**20)}), flush=True)
        for line in sys.stdin:
            req = json.loads(line)
            if req.get("cold"):
                cache.clear()
            params = {"q": req["q"], "facet.field": FACETS, "rows": 20}
            t = time.perf_counter()
            result = tk.get_action("package_search")({"user": "", "auth_user_obj": None}, params)
            ms = (time.perf_counter() - t) * 1000
            print(json.dumps({"ms": ms, "count": result["count"]}), flush=True)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--serve")
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return
    workers: dict[str, Any] = {}
    info: dict[str, Any] = {}
    for side in ("before", "after"):
        workers[side] = subprocess.Popen(
            [sys.executable, __file__, "--before", "-", "--after", "-", "--serve", getattr(args, side)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "ckanext-guangdong")})
        info[side] = json.loads(workers[side].stdout.readline())

    def ask(side: str, q: str, cold: bool) -> dict[str, Any]:
        w = workers[side]
        w.stdin.write(json.dumps({"q": q, "cold": cold}) + "\n")
        w.stdin.flush()
        return json.loads(w.stdout.readline())

    load_before = os.getloadavg()
    samples: dict[tuple[str, str, str], list[float]] = {}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for kind, words in KINDS.items():
        for q in words:  # warm-up, and each word's matches on both indexes
            for side in ("before", "after"):
                counts.setdefault((kind, side), {})[q] = ask(side, q, False)["count"]
        for i in range(args.runs):
            q = words[i % len(words)]
            order = ("before", "after") if i % 2 == 0 else ("after", "before")
            for mode, cold in (("cold", True), ("warm", False)):
                for side in order:
                    r = ask(side, q, cold)
                    samples.setdefault((kind, mode, side), []).append(r["ms"])
    for w in workers.values():
        w.stdin.close()
        w.wait()
    print(f"runs {args.runs} per kind and mode; load average {load_before[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after; index before {info['before']['index_mb']} MB, "
          f"after {info['after']['index_mb']} MB")
    print("| p50 / p95 ms | before cold | after cold | before warm | after warm | "
          "p95 after ÷ before, cold / warm | matches before → after |")
    print("|---|---|---|---|---|---|---|")
    for kind in KINDS:
        cells, p95 = [], {}
        for mode in ("cold", "warm"):
            for side in ("before", "after"):
                p50, p = percentiles(samples[(kind, mode, side)])
                p95[(mode, side)] = p
                cells.append(f"{p50:.1f} / {p:.1f}")
        ratio = " / ".join(f"{p95[(m, 'after')] / p95[(m, 'before')]:.2f}" for m in ("cold", "warm"))
        matches = ", ".join(f"{q} {counts[(kind, 'before')][q]}→{counts[(kind, 'after')][q]}"
                            for q in KINDS[kind])
        print(f"| {LABELS[kind]} | {' | '.join(cells)} | {ratio} | {matches} |")


if __name__ == "__main__":
    main()
