"""The embedded PostgreSQL backend and a real Solr side by side, in one run (issue 16).

    .venv/bin/python bench/search.py --backends postgres,solr [--sizes 10000,100000]
        [--runs 20] [--rebuild-sample 500] [--workers 2] [--reuse-index] [--no-write]
        [--no-pages]

The same catalog (bench/search.py's, in GD_BENCH_DB) is indexed into both engines: the
embedded table in that database and a Solr core ``bench`` (scripts/solr.sh, our
docker/solr/conf, heap GD_SOLR_HEAP). For each engine, through CKAN in this process
(the engine switched with the search seam):
  * indexing: CKAN's ``search.rebuild`` on a sample (datasets/s) and our bulk reindex
    (``ckan guangdong search reindex``'s code, 2 workers) of the whole catalog;
  * package_search p50/p95 for (a)-(d) of bench/search.py and issue 15's (u) unsegmented
    place + topic words and (p) pinyin (bench/search_meaning_latency.py's queries; the
    matches of each query on both engines are printed), **cold** (a write before each
    query: one dataset re-indexed and committed — a new index generation for the
    embedded backend, a Solr commit that opens a new searcher with its autowarming; the
    write itself is not timed) and **warm** (the same queries again, nothing written);
  * memory: Solr's JVM heap in use / max and the process RSS, the core's index size;
    PostgreSQL's shared_buffers and the index table's size;
  * the HTML ``/dataset/`` page served by gunicorn (2 workers × 4 threads, as make run)
    on each engine, at concurrency 1, 4 and 16: requests/s and p50/p95 (not with --no-pages).
Ratios (embedded / Solr) are of figures measured in this run; the machine is shared.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import random
import re
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOLR_PORT = int(os.environ.get("GD_SOLR_PORT", "8983"))
SOLR = f"http://127.0.0.1:{SOLR_PORT}/solr"
CORE = os.environ.get("GD_BENCH_SOLR_CORE", "bench")
ENGINES = ("postgres", "solr")


def get_json(url: str, timeout: float = 120) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.load(resp)


def ensure_solr_core() -> None:
    """Solr running (scripts/solr.sh) and a core ``bench`` on our config set."""
    subprocess.run([str(ROOT / "scripts/solr.sh"), "start"], check=True)
    status = get_json(f"{SOLR}/admin/cores?action=STATUS&core={CORE}&wt=json")
    if not status["status"].get(CORE):
        get_json(f"{SOLR}/admin/cores?action=CREATE&name={CORE}&instanceDir={CORE}"
                 f"&configSet=ckan&wt=json")


def solr_count() -> int:
    return get_json(f"{SOLR}/{CORE}/select?q=*:*&rows=0&wt=json")["response"]["numFound"]


def use(engine: str) -> None:
    from ckan.lib.search import common

    from ckanext.guangdong.search import seam
    seam.install(engine)
    if engine == "solr":
        common.SolrSettings.init(f"{SOLR}/{CORE}")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


# -- indexing ---------------------------------------------------------------------------
def rebuild_sample(ids: list[str]) -> float:
    import ckan.lib.search as search
    import ckan.model as model
    from ckan.lib.search import common
    started = time.perf_counter()
    search.rebuild(package_ids=ids, quiet=True, defer_commit=True)
    if _engine() == "solr":
        common.make_connection().commit(waitSearcher=True)
    else:
        search.commit()
    model.Session.commit()
    return len(ids) / (time.perf_counter() - started)


def _engine() -> str:
    from ckanext.guangdong.search import seam
    return seam.current()


def bulk_reindex(workers: int) -> tuple[int, float, int]:
    import ckan.model as model
    from ckan.lib.search import clear_all

    from ckanext.guangdong.search.reindex import rebuild
    if _engine() == "solr":
        clear_all()
    built = rebuild(workers=workers, clear=_engine() == "postgres")
    model.Session.remove()
    return built.total, built.seconds, len(built.failed)


# -- latencies ----------------------------------------------------------------------------
def make_write(ids: list[str], rng: random.Random) -> Callable[[], None]:
    """Re-index one dataset and commit: the write that makes the next query cold."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.lib.search import common, index_for
    index = index_for(model.Package)

    def write() -> None:
        pkg = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                            {"id": rng.choice(ids)})
        index.index_package(pkg, defer_commit=True)
        if _engine() == "solr":
            common.make_connection().commit(waitSearcher=True)  # new searcher, autowarmed
        model.Session.commit()  # embedded: the write commits with a new generation
    return write


ENGINE_SECONDS: list[float] = []  # time inside the engine's search call, per query
MATCHES: dict[str, dict[str, dict[str, int]]] = {}  # kind → engine → query → count


def time_engine_calls() -> None:
    """Wrap both connections' ``search``: how much of package_search is the engine itself
    (the rest is CKAN: the action, permission labels, plugins' after_search — e.g. the
    tracking plugin's queries per result — and JSON decoding, the same for both)."""
    import pysolr

    from ckanext.guangdong.search.backend import connection
    for cls in (pysolr.Solr, connection.PostgresConnection):
        original = cls.search
        if getattr(original, "_timed", False):
            continue

        def timed(self: Any, *a: Any, _original: Any = original, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return _original(self, *a, **k)
            finally:
                ENGINE_SECONDS.append(time.perf_counter() - t)
        timed._timed = True  # type: ignore[attr-defined]
        cls.search = timed  # type: ignore[method-assign]


def latencies(runs: int, writes: dict[str, Callable[[], None]],
              cold: bool) -> dict[str, dict[str, tuple[float, float]]]:
    """p50/p95 per kind for both engines, the engines alternating query by query so that
    both see the same load on a shared machine (the ratios are what to compare)."""
    import ckan.plugins.toolkit as tk
    from search import BROAD, FACETS, ORDINARY  # bench/search.py
    from search_meaning_latency import PINYIN, UNSEGMENTED  # issue 15's query kinds

    def package_search(params: dict[str, Any]) -> Any:
        return tk.get_action("package_search")({"user": "", "auth_user_obj": None}, dict(params))

    common = {"facet.field": FACETS, "rows": 20}
    kinds: dict[str, Callable[[int], dict[str, Any]]] = {
        "a": lambda i: {"q": ORDINARY[i % len(ORDINARY)], **common},
        "b": lambda i: {"q": BROAD[i % len(BROAD)], **common},
        "c": lambda i: {"q": "*:*", "fq": 'theme:"道路交通"', **common},
        "d": lambda i: {"q": "*:*", "sort": "metadata_modified desc", **common},
        "u": lambda i: {"q": UNSEGMENTED[i % len(UNSEGMENTED)], **common},
        "p": lambda i: {"q": PINYIN[i % len(PINYIN)], **common},
    }
    out: dict[str, dict[str, tuple[float, float]]] = {e: {} for e in ENGINES}
    for kind, params in kinds.items():
        for engine in ENGINES:  # warm-up: every query once; the matches of each engine
            use(engine)
            counts: dict[str, int] = {}
            for i in range(len(ORDINARY)):
                query = params(i)
                counts[query["q"]] = package_search(query)["count"]
            MATCHES.setdefault(kind, {})[engine] = counts
        samples: dict[str, list[float]] = {e: [] for e in ENGINES}
        engine_time: dict[str, list[float]] = {e: [] for e in ENGINES}
        for i in range(runs):
            for engine in ENGINES if i % 2 else ENGINES[::-1]:
                use(engine)
                if cold:
                    writes[engine]()
                ENGINE_SECONDS.clear()
                t = time.perf_counter()
                package_search(params(i))
                samples[engine].append(time.perf_counter() - t)
                engine_time[engine].append(sum(ENGINE_SECONDS))
        for engine in ENGINES:
            out[engine][kind] = percentiles(samples[engine])
            out[engine][f"engine_{kind}"] = percentiles(engine_time[engine])
    return out


# -- memory ---------------------------------------------------------------------------------
def solr_memory() -> dict[str, float]:
    info = get_json(f"{SOLR}/admin/info/system?wt=json")["jvm"]["memory"]["raw"]
    pid = (ROOT / "var/run/solr.pid").read_text().strip()
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    core = get_json(f"{SOLR}/admin/cores?action=STATUS&core={CORE}&wt=json")["status"][CORE]
    return {"heap_used_mb": info["used"] / 2**20, "heap_max_mb": info["max"] / 2**20,
            "rss_mb": rss / 1024, "index_mb": core["index"]["sizeInBytes"] / 2**20}


def pg_memory() -> dict[str, Any]:
    import ckan.model as model
    import sqlalchemy as sa
    size = model.Session.execute(sa.text(
        "SELECT pg_total_relation_size('guangdong_search_index')")).scalar()
    return {"shared_buffers": model.Session.execute(sa.text("SHOW shared_buffers")).scalar(),
            "index_mb": size / 2**20}


# -- the /dataset/ page over HTTP -------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine_ini(base: Path, engine: str) -> Path:
    text = base.read_text(encoding="utf-8")
    text = re.sub(r"^ckanext.guangdong.search_backend = .*$",
                  f"ckanext.guangdong.search_backend = {engine}", text, flags=re.M)
    text = re.sub(r"^solr_url = .*$", f"solr_url = {SOLR}/{CORE}", text, flags=re.M)
    path = base.with_name(f"{base.stem}-{engine}.ini")
    path.write_text(text, encoding="utf-8")
    return path


def start_server(ini: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CKAN_INI": str(ini)}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "ckanext.guangdong.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "120",
         "--no-control-socket"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/dataset/"
    for _ in range(900):
        try:
            urllib.request.urlopen(url, timeout=30).read()
            break
        except OSError:
            time.sleep(0.2)
    for _ in range(10):  # both workers warm
        urllib.request.urlopen(url, timeout=120).read()
    return server, url


def load(url: str, concurrency: int, seconds: float) -> tuple[float, float, float]:
    samples: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            t = time.perf_counter()
            with urllib.request.urlopen(url, timeout=120) as resp:
                resp.read()
                assert resp.status == 200
            with lock:
                samples.append(time.perf_counter() - t)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(client) for _ in range(concurrency)]:
            f.result()
    elapsed = time.monotonic() - started
    p50, p95 = percentiles(samples)
    return len(samples) / elapsed, p50, p95


def page_throughput(inis: dict[str, Path], seconds: float = 12.0) -> dict[str, dict[int, Any]]:
    """gunicorn (2 workers × 4 threads, as make run) per engine, both up; /dataset/ at
    concurrency 1, 4, 16 for ``seconds`` each, the engines taking turns."""
    servers = {engine: start_server(ini) for engine, ini in inis.items()}
    out: dict[str, dict[int, Any]] = {engine: {} for engine in inis}
    try:
        for concurrency in (1, 4, 16):
            for engine in inis:
                out[engine][concurrency] = figures = load(servers[engine][1], concurrency, seconds)
                print(f"    {engine} /dataset/ concurrency {concurrency}: {figures[0]:.1f} req/s, "
                      f"p50 {figures[1]:.0f} ms, p95 {figures[2]:.0f} ms", flush=True)
        return out
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=60)


# -- one size ----------------------------------------------------------------------------------
def run_size(size: int, base_ini: Path, args: Any, existing_index: dict[str, int]) -> str:
    import ckan.model as model
    import sqlalchemy as sa
    rng = random.Random(size)
    ids = [r[0] for r in model.Session.execute(sa.text(
        "SELECT id FROM package WHERE name LIKE 'bench-ds-%' ORDER BY name")).fetchall()]
    sample = ids[:args.rebuild_sample]
    figures: dict[str, dict[str, Any]] = {e: {} for e in ENGINES}
    for engine in ENGINES:
        use(engine)
        f = figures[engine]
        indexed = existing_index[engine]
        if not (args.reuse_index and indexed == size):
            f["sample_rate"] = rebuild_sample(sample)
            total, seconds, failed = bulk_reindex(args.workers)
            f["bulk"] = (total, seconds, failed)
            print(f"  {engine}: search.rebuild {f['sample_rate']:.1f}/s on {len(sample)}; bulk "
                  f"reindex {total} in {seconds:.0f} s ({total / seconds:.1f}/s), {failed} failed")
    writes = {}
    for engine in ENGINES:
        use(engine)
        writes[engine] = make_write(ids, rng)
    for mode in ("cold", "warm"):
        both = latencies(args.runs, writes, cold=mode == "cold")
        for engine in ENGINES:
            figures[engine][mode] = both[engine]
            print(f"  {engine} {mode}: " + ", ".join(
                f"{k} {v[0]:.1f}/{v[1]:.1f}" for k, v in both[engine].items()), flush=True)
    for kind, by_engine in MATCHES.items():
        print(f"  matches {kind}: " + "; ".join(
            f"{q} {by_engine['postgres'][q]} / {by_engine['solr'][q]}" for q in by_engine["postgres"]))
    for engine in ENGINES:
        use(engine)
        figures[engine]["memory"] = solr_memory() if engine == "solr" else pg_memory()
        print(f"  {engine} memory: {figures[engine]['memory']}")
    if not args.no_pages:
        print("  /dataset/ through gunicorn")
        pages = page_throughput({e: engine_ini(base_ini, e) for e in ENGINES})
        for engine in ENGINES:
            figures[engine]["pages"] = pages[engine]
    use("postgres")
    return table(size, figures, args)


def table(size: int, fig: dict[str, dict[str, Any]], args: Any) -> str:
    pg, so = fig["postgres"], fig["solr"]
    labels = {"a": "(a) ordinary keywords", "b": "(b) broad keywords",
              "c": "(c) facet click `theme:\"道路交通\"`",
              "d": "(d) `*:*` by metadata_modified (`/dataset`)",
              "u": "(u) unsegmented place + topic (广州停车场 …)",
              "p": "(p) pinyin (tingchechang …)"}
    goal = {"a": 1.5, "b": 1.5, "c": 1.5, "d": 2.0}
    lines = ["| p50 / p95 ms | embedded cold | Solr cold | embedded warm | Solr warm | "
             "p95 embedded ÷ Solr, cold / warm | goal (100k, cold p95) |",
             "|---|---|---|---|---|---|---|"]
    for k, label in labels.items():
        r_cold = pg["cold"][k][1] / so["cold"][k][1]
        r_warm = pg["warm"][k][1] / so["warm"][k][1]
        lines.append(
            f"| {label} | {pg['cold'][k][0]:.1f} / {pg['cold'][k][1]:.1f} | "
            f"{so['cold'][k][0]:.1f} / {so['cold'][k][1]:.1f} | {pg['warm'][k][0]:.1f} / "
            f"{pg['warm'][k][1]:.1f} | {so['warm'][k][0]:.1f} / {so['warm'][k][1]:.1f} | "
            f"{r_cold:.2f} / {r_warm:.2f} | "
            + (f"≤ {goal[k]} {'✓' if r_cold <= goal[k] else '✗'} |" if k in goal else "— |"))
    for k, label in labels.items():
        e = f"engine_{k}"
        lines.append(
            f"| {label}: engine call only | {pg['cold'][e][0]:.1f} / {pg['cold'][e][1]:.1f} | "
            f"{so['cold'][e][0]:.1f} / {so['cold'][e][1]:.1f} | {pg['warm'][e][0]:.1f} / "
            f"{pg['warm'][e][1]:.1f} | {so['warm'][e][0]:.1f} / {so['warm'][e][1]:.1f} | "
            f"{pg['cold'][e][1] / so['cold'][e][1]:.2f} / {pg['warm'][e][1] / so['warm'][e][1]:.2f} | |")
    lines.append("")
    lines.append("| indexing | embedded | Solr |")
    lines.append("|---|---|---|")
    if "sample_rate" in pg and "sample_rate" in so:
        lines.append(f"| CKAN `search.rebuild`, {args.rebuild_sample} datasets (datasets/s) | "
                     f"{pg['sample_rate']:.1f} | {so['sample_rate']:.1f} |")
        lines.append("| our bulk reindex, 2 workers, all (datasets/s, time) | "
                     + " | ".join(f"{b[0] / b[1]:.1f} ({b[1]:.0f} s, {b[2]} failed)"
                                  for b in (pg["bulk"], so["bulk"])) + " |")
    else:
        lines.append("| (index reused from an earlier run: `--reuse-index`) | | |")
    lines.append("")
    m_pg, m_so = pg["memory"], so["memory"]
    lines.append("| memory | embedded (PostgreSQL) | Solr |")
    lines.append("|---|---|---|")
    lines.append(f"| index on disk | {m_pg['index_mb']:.0f} MB (table + its indexes) | "
                 f"{m_so['index_mb']:.0f} MB (core) |")
    lines.append(f"| memory held | shared_buffers {m_pg['shared_buffers']} (shared with "
                 f"CKAN's own tables) | JVM heap {m_so['heap_used_mb']:.0f} MB used of "
                 f"{m_so['heap_max_mb']:.0f} MB, process RSS {m_so['rss_mb']:.0f} MB |")
    if "pages" not in pg:
        return "\n".join(lines) + "\n"
    lines.append("")
    lines.append("| `/dataset/` HTML, gunicorn 2×4 | embedded req/s (p50/p95 ms) | "
                 "Solr req/s (p50/p95 ms) | embedded ÷ Solr req/s |")
    lines.append("|---|---|---|---|")
    for c in (1, 4, 16):
        a, b = pg["pages"][c], so["pages"][c]
        lines.append(f"| concurrency {c} | {a[0]:.1f} ({a[1]:.0f}/{a[2]:.0f}) | "
                     f"{b[0]:.1f} ({b[1]:.0f}/{b[2]:.0f}) | {a[0] / b[0]:.2f} |")
    return "\n".join(lines) + "\n"


def write_doc(size: int, text: str) -> None:
    """Replace (or add) "### Side by side, <size> datasets" in docs/benchmarks.md's
    section "## Search: embedded and Solr side by side"."""
    path = ROOT / "docs/benchmarks.md"
    doc = path.read_text(encoding="utf-8")
    title = "## Search: embedded and Solr side by side\n"
    if title not in doc:
        doc = doc.rstrip("\n") + "\n\n" + title + "\n"
    start = doc.index(title)
    end_match = re.search(r"^## ", doc[start + len(title):], re.M)
    end = start + len(title) + end_match.start() if end_match else len(doc)
    body = doc[start:end]
    heading = f"### Side by side, {size:,} datasets\n"
    part = re.compile(rf"^{re.escape(heading)}.*?(?=^### |\Z)", re.S | re.M)
    if part.search(body):
        body = part.sub(lambda _: text.rstrip("\n") + "\n\n", body)
    else:
        body = body.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n\n"
    path.write_text((doc[:start] + body + doc[end:]).rstrip("\n") + "\n", encoding="utf-8")


def main(args: Any, sizes: list[int], prepare: Callable[[], Path],
         insert: Callable[..., None], uptime: Callable[[], str]) -> None:
    import sys
    from datetime import datetime
    sys.path.insert(0, str(ROOT / "bench"))
    ensure_solr_core()
    time_engine_calls()
    base_ini = prepare()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(str(base_ini)))
    import ckan.model as model
    import sqlalchemy as sa
    command = " ".join(["bench/search.py"] + sys.argv[1:])
    with app._wsgi_app.test_request_context():
        existing = model.Session.execute(sa.text(
            "SELECT count(*) FROM package WHERE name LIKE 'bench-ds-%'")).scalar()
        rng = random.Random(42)
        for size in sizes:
            print(f"== {size} datasets, embedded and Solr side by side")
            load_before = uptime()
            if existing < size:
                insert(model.Session, size, existing, rng)
                existing = size
            elif existing > size:
                print(f"  the database holds {existing} datasets; sizes must grow")
                continue
            indexed = {"solr": solr_count(), "postgres": model.Session.execute(sa.text(
                "SELECT count(*) FROM guangdong_search_index")).scalar()}
            text = run_size(size, base_ini, args, indexed)
            text = (f"### Side by side, {size:,} datasets\n\n"
                    f"Command: `GD_SOLR_HEAP={os.environ.get('GD_SOLR_HEAP', '512m')} "
                    f".venv/bin/python {command}` with `GD_BENCH_DB` = the bench database (run "
                    f"{datetime.now():%Y-%m-%d %H:%M}; load average {load_before} before, "
                    f"{uptime()} after). {args.runs} queries per kind and mode, in-process "
                    "package_search as an anonymous user; cold = a dataset re-indexed and "
                    "committed before every query (not timed).\n\n" + text)
            print(text)
            if not args.no_write:
                write_doc(size, text)
                print("written to docs/benchmarks.md")
