"""Page benchmark: the portal's pages over HTTP at 10k and 100k datasets (issue 17).

    .venv/bin/python bench/pages.py [--catalogs 10000:ckan_bench_10k,100000:ckan_bench_100k]
        [--pages dataset,landing,search,api,home] [--concurrency 1,4,16] [--seconds 60]
        [--slice 5] [--workers 2] [--threads 4] [--worker-class gthread] [--close] [--nginx]
        [--set key=value ...] [--code DIR] [--label after] [--no-write]

The catalogs are bench/search.py's (build them first, e.g.
``GD_BENCH_DB=ckan_bench_100k .venv/bin/python bench/search.py --sizes 100000 --no-write``;
they stay in var/pgdata and are reused). For each catalog this script renders an ini for
its database (var/bench-<db>.ini, from var/test.ini plus ``--set`` options), starts gunicorn
as the product runs it (scripts/run.sh: ``ckanext.guangdong.wsgi``, 2 workers × 4 threads,
gthread) on 127.0.0.1, warms every page up, then for every page and concurrency runs a
bounded load generator (asyncio, one process, ``concurrency`` connections each sending its
next request when the last answer has arrived; keep-alive unless ``--close``) for
``--seconds`` and reports requests/s, latency p50/p95/p99, and the CPU time per request of
PostgreSQL (every process of the local cluster, from /proc) and of gunicorn (master and
workers). The 100k/10k ratio of requests/s is printed per page and concurrency.

Both catalogs' servers run at once and the load alternates between them in slices of
``--slice`` seconds (5; the order reversed each round) until each has had ``--seconds``
per point, so both sides of a ratio see the same machine load: on a shared machine the load
average moves from 2 to 12 within minutes, and catalogs measured one after the other
(``--slice 0``, the script's behaviour before) gave ratios that measured the load, not the
catalog (docs/benchmarks.md, "Pages").

Pages (anonymous visitor, Chinese):
  dataset   /dataset/<name>            one dataset page (the same dataset name in every catalog)
  landing   /dataset/                  the catalog: q empty, CKAN's default sort, the facets
  search    /dataset/?q=停车场          a search page with an ordinary word
  api       /api/3/action/package_search?q=停车场&facet.field=[5 facets]
  home      /                          the home page (live counts, latest, most viewed)

``--code DIR`` runs the app from another checkout's ckanext-guangdong (e.g. the code before a
change, exported with ``git archive``), so before and after are measured by the same script.
``--nginx`` sends the load through nginx running docker/nginx/nginx.conf on 127.0.0.1 (Debian's
nginx-light; upstream and paths replaced) instead of straight to gunicorn; its CPU is counted
with the workers'.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("GD_VAR", ROOT / "var"))
CLK = os.sysconf("SC_CLK_TCK")
DATASET = "bench-ds-000123"
WORD = "停车场"
FACETS = ["organization", "theme", "res_format", "access_rights", "frequency"]
PAGES = {
    "dataset": f"/dataset/{DATASET}",
    "landing": "/dataset/",
    "search": "/dataset/?q=" + urllib.parse.quote(WORD),
    "api": "/api/3/action/package_search?" + urllib.parse.urlencode(
        {"q": WORD, "facet.field": json.dumps(FACETS), "rows": 20}),
    "home": "/",
}
LABELS = {"dataset": "a dataset page `/dataset/<name>`", "landing": "the landing page `/dataset/`",
          "search": f"a search page `/dataset/?q={WORD}`",
          "api": "`package_search` API, ordinary word, 5 facets", "home": "the home page `/`"}


# -- processes and CPU -----------------------------------------------------------------
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK


def _tree_cpu(root: int) -> float:
    """CPU seconds of a process and its children (gunicorn workers, PostgreSQL backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _stat(int(entry))
        if st and (int(entry) == root or st[0] == root):
            total += st[1]
    return total


def postmaster_pid() -> int:
    return int((VAR / "pgdata/postmaster.pid").read_text().split()[0])


def prepare_ini(db: str, settings: list[str]) -> Path:
    subprocess.run([str(ROOT / "scripts/services.sh"), "start"], check=True,
                   capture_output=True)
    ini = VAR / f"bench-pages-{db}.ini"
    text = (VAR / "test.ini").read_text(encoding="utf-8")
    text = re.sub(r"/ckan_test$", f"/{db}", text, flags=re.M)
    for item in settings:
        key, _, value = item.partition("=")
        key = key.strip()
        if re.search(rf"^{re.escape(key)}\s*=", text, re.M):
            text = re.sub(rf"^{re.escape(key)}\s*=.*$", f"{key} = {value.strip()}", text,
                          count=1, flags=re.M)
        else:
            text = text.replace("[app:main]\n", f"[app:main]\n{key} = {value.strip()}\n", 1)
    ini.write_text(text, encoding="utf-8")
    return ini


class Server:
    def __init__(self, ini: Path, port: int, args: argparse.Namespace):
        env = {**os.environ, "CKAN_INI": str(ini)}
        if args.code:
            env["PYTHONPATH"] = str(Path(args.code).resolve() / "ckanext-guangdong")
        cmd = [str(ROOT / ".venv/bin/gunicorn"), "ckanext.guangdong.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--threads", str(args.threads), "--worker-class", args.worker_class,
               "--timeout", "120", "--no-control-socket"]
        if args.keep_alive is not None:
            cmd += ["--keep-alive", str(args.keep_alive)]
        self.log = open(VAR / "log" / f"bench-pages-{port}.log", "w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.port = port
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/3/action/status_show",
                                       timeout=30).read()
                return
            except OSError as exc:
                if self.proc.poll() is not None:
                    raise SystemExit(f"gunicorn exited, see {self.log.name}") from exc
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer, see {self.log.name}")

    def cpu(self) -> float:
        return _tree_cpu(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# -- load generator ----------------------------------------------------------------------
async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()
        return status, True
    return status, headers.get("connection", "").lower() == "close"


async def _client(port: int, path: str, deadline: float, keepalive: bool,
                  out: list[float], errors: list[int], headers: str) -> None:
    reader = writer = None
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n"
               f"Accept-Language: zh-CN\r\n{headers}"
               + ("" if keepalive else "Connection: close\r\n") + "\r\n").encode()
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            writer.write(request)
            status, close = await _read_response(reader)
            ended = time.perf_counter()
            if ended <= deadline:
                out.append(ended - started)
                if status != 200:
                    errors.append(status)
            if close or not keepalive:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors.append(0)
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


def load(port: int, path: str, concurrency: int, seconds: float, keepalive: bool,
         headers: str = "") -> tuple[list[float], list[int], float]:
    out: list[float] = []
    errors: list[int] = []

    async def main() -> float:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*[_client(port, path, deadline, keepalive, out, errors, headers)
                               for _ in range(concurrency)])
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    return out, errors, min(elapsed, seconds)


def pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


# -- run ------------------------------------------------------------------------------------
def measure_slice(server: Server, port: int, page: str, concurrency: int, seconds: float,
                  keepalive: bool, proxy: Nginx | None = None) -> dict[str, Any]:
    """Raw figures of one stretch of load: latencies, errors, seconds, CPU seconds."""
    pg = postmaster_pid()
    def web_cpu() -> float:
        return server.cpu() + (proxy.cpu() if proxy else 0.0)
    pg0, web0 = _tree_cpu(pg), web_cpu()
    samples, errors, elapsed = load(port, PAGES[page], concurrency, seconds, keepalive)
    pg1, web1 = _tree_cpu(pg), web_cpu()
    return {"samples": samples, "errors": errors, "elapsed": elapsed, "pg": pg1 - pg0,
            "web": web1 - web0, "load": [float(loadavg())]}


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"samples": [x for p in parts for x in p["samples"]],
            "errors": [x for p in parts for x in p["errors"]],
            "elapsed": sum(p["elapsed"] for p in parts), "pg": sum(p["pg"] for p in parts),
            "web": sum(p["web"] for p in parts), "load": [x for p in parts for x in p["load"]]}


def figures(page: str, concurrency: int, raw: dict[str, Any]) -> dict[str, Any]:
    samples, errors = raw["samples"], raw["errors"]
    n = max(len(samples), 1)
    return {"page": page, "c": concurrency, "n": len(samples),
            "rps": len(samples) / raw["elapsed"],
            "p50": pct(samples, 0.5), "p95": pct(samples, 0.95), "p99": pct(samples, 0.99),
            "pg_ms": raw["pg"] * 1000 / n, "web_ms": raw["web"] * 1000 / n,
            "errors": len(errors), "error_codes": sorted(set(errors))[:5],
            "load": f"{min(raw['load']):.1f}–{max(raw['load']):.1f}"}


def measure(server: Server, port: int, page: str, concurrency: int, seconds: float,
            keepalive: bool, proxy: Nginx | None = None) -> dict[str, Any]:
    return figures(page, concurrency,
                   measure_slice(server, port, page, concurrency, seconds, keepalive, proxy))


class Nginx:
    """docker/nginx/nginx.conf on 127.0.0.1 in front of the gunicorn on ``upstream``."""

    def __init__(self, upstream: int, port: int, name: str = "nginx-bench"):
        prefix = VAR / name
        (prefix / "cache").mkdir(parents=True, exist_ok=True)
        text = (ROOT / "docker/nginx/nginx.conf").read_text(encoding="utf-8")
        for old, new in (("server ckan:5000;", f"server 127.0.0.1:{upstream};"),
                         ("listen 80;", f"listen 127.0.0.1:{port};"),
                         ("pid /tmp/nginx.pid;", f"pid {prefix}/nginx.pid;"),
                         ("/tmp/nginx-cache", str(prefix / "cache")),
                         ("access_log /dev/stdout;", "access_log off;"),
                         ("error_log /dev/stderr warn;", f"error_log {prefix}/error.log warn;")):
            assert old in text, old
            text = text.replace(old, new)
        if os.geteuid() == 0:
            text = "user root;\n" + text
        conf = prefix / "nginx.conf"
        conf.write_text(text, encoding="utf-8")
        self.proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf), "-g",
                                      "daemon off;"], start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nginx-health", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"nginx did not start, see {prefix}/error.log")

    def cpu(self) -> float:
        return _tree_cpu(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


class Catalog:
    """One catalog's gunicorn (and nginx with --nginx) on its own ports."""

    def __init__(self, size: int, db: str, index: int, args: argparse.Namespace):
        self.size, self.db = size, db
        ini = prepare_ini(db, args.set)
        port = int(os.environ.get("GD_WEB_PORT", "5000")) + 40 + 2 * index
        self.server = Server(ini, port, args)
        self.proxy = Nginx(port, port + 1, f"nginx-bench-{index}") if args.nginx else None
        self.target = port + 1 if self.proxy else port

    def warm(self, page: str, args: argparse.Namespace) -> None:
        # Every worker thread renders the page a few times (caches, templates).
        load(self.target, PAGES[page], args.workers * args.threads, args.warmup, True)

    def slice(self, page: str, c: int, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
        return measure_slice(self.server, self.target, page, c, seconds, not args.close,
                             self.proxy)

    def stop(self) -> None:
        if self.proxy:
            self.proxy.stop()
        self.server.stop()


def report(r: dict[str, Any]) -> None:
    print(f"  {r['size']:>6} {r['page']:8} c={r['c']:<3} {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f}"
          f"  p95 {r['p95']:7.1f}  p99 {r['p99']:7.1f} ms  PG {r['pg_ms']:6.1f}"
          f"  web {r['web_ms']:6.1f} ms/req  errors {r['errors']} {r['error_codes']}"
          f"  (load {r['load']})", flush=True)


def run_sequential(catalogs: list[tuple[int, str]], args: argparse.Namespace) -> list[dict[str, Any]]:
    """One catalog after the other (--slice 0): the machine's load may differ between them."""
    results = []
    for size, db in catalogs:
        print(f"== {size} datasets (database {db})", flush=True)
        cat = Catalog(size, db, 0, args)
        try:
            for page in args.pages:
                cat.warm(page, args)
                for c in args.concurrency:
                    r = figures(page, c, cat.slice(page, c, args.seconds, args))
                    r["size"] = size
                    results.append(r)
                    report(r)
        finally:
            cat.stop()
    return results


def run_interleaved(catalogs: list[tuple[int, str]], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every catalog's server up at once; for each page and concurrency the load alternates
    between the catalogs in slices of --slice seconds (order reversed each round) until each
    has had --seconds. Both sides of a ratio then see the same machine load, which on a
    shared machine moves by a factor of several within minutes; only the catalog under load
    is busy, the others' servers wait idle."""
    cats: list[Catalog] = []
    results = []
    try:
        for i, (size, db) in enumerate(catalogs):
            print(f"== {size} datasets (database {db})", flush=True)
            cats.append(Catalog(size, db, i, args))
        for page in args.pages:
            for cat in cats:
                cat.warm(page, args)
            for c in args.concurrency:
                parts: dict[int, list[dict[str, Any]]] = {cat.size: [] for cat in cats}
                rounds = max(1, round(args.seconds / args.slice))
                for k in range(rounds):
                    for cat in (cats if k % 2 == 0 else cats[::-1]):
                        parts[cat.size].append(cat.slice(page, c, args.seconds / rounds, args))
                for cat in cats:
                    r = figures(page, c, merge(parts[cat.size]))
                    r["size"] = cat.size
                    results.append(r)
                    report(r)
    finally:
        for cat in cats:
            cat.stop()
    return results


def table(results: list[dict[str, Any]], sizes: list[int], pages: list[str],
          concurrency: list[int]) -> str:
    by = {(r["size"], r["page"], r["c"]): r for r in results}
    cs = " / ".join(str(c) for c in concurrency)
    head = ["page"]
    for size in sizes:
        head += [f"{size // 1000}k: req/s at {cs}", f"{size // 1000}k: p50 / p95 / p99 ms at "
                 f"{concurrency[-1]}", f"{size // 1000}k: PG / worker CPU ms per request"]
    if len(sizes) == 2:
        head.append(f"req/s {sizes[1] // 1000}k ÷ {sizes[0] // 1000}k at {cs}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for page in pages:
        row = [LABELS[page]]
        for size in sizes:
            rs = [by.get((size, page, c)) for c in concurrency]
            row.append(" / ".join(f"{r['rps']:.1f}" if r else "—" for r in rs))
            last = rs[-1]
            row.append(f"{last['p50']:.0f} / {last['p95']:.0f} / {last['p99']:.0f}" if last else "—")
            cpu = [f"{r['pg_ms']:.1f} / {r['web_ms']:.1f}" for r in rs if r]
            row.append(", ".join(cpu))
        if len(sizes) == 2:
            ratios = []
            for c in concurrency:
                a, b = by.get((sizes[0], page, c)), by.get((sizes[1], page, c))
                ratios.append(f"{b['rps'] / a['rps']:.2f}" if a and b and a["rps"] else "—")
            row.append(" / ".join(ratios))
        lines.append("| " + " | ".join(row) + " |")
    p95_4 = [f"{r['page']} {r['size'] // 1000}k {r['p95']:.0f}" for r in results if r["c"] == 4]
    if p95_4:
        lines.append("")
        lines.append("p95 at concurrency 4 (ms): " + ", ".join(p95_4) + ".")
    loads = [float(x) for r in results for x in r["load"].split("–")]
    if loads:
        lines.append(f"Load average (1 min) read after each slice: {min(loads):.1f}–{max(loads):.1f}.")
    errors = sum(r["errors"] for r in results)
    lines.append(f"Errors (non-200 or broken connections): {errors}.")
    return "\n".join(lines) + "\n"


def write_doc(label: str, text: str) -> None:
    path = ROOT / "docs/benchmarks.md"
    doc = path.read_text(encoding="utf-8")
    section = re.search(r"^## Pages\n.*?(?=^## |\Z)", doc, re.S | re.M)
    if section is None:
        doc = doc.rstrip("\n") + "\n\n## Pages\n\n"
        section = re.search(r"^## Pages\n.*?(?=^## |\Z)", doc, re.S | re.M)
    body = section.group(0)
    heading = f"### {label}\n"
    part = re.compile(rf"^{re.escape(heading)}.*?(?=^### |\Z)", re.S | re.M)
    if part.search(body):
        body = part.sub(lambda _: text.rstrip("\n") + "\n\n", body)
    else:
        body = body.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n\n"
    doc = doc[:section.start()] + body + doc[section.end():]
    path.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalogs", default="10000:ckan_bench_10k,100000:ckan_bench_100k")
    parser.add_argument("--pages", default="dataset,landing,search,api,home")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--slice", type=float, default=5,
                        help="interleave the catalogs in slices of this many seconds "
                             "(0: one catalog after the other)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--keep-alive", type=int, default=None, help="gunicorn --keep-alive")
    parser.add_argument("--close", action="store_true", help="Connection: close on every request")
    parser.add_argument("--nginx", action="store_true",
                        help="send the load through docker/nginx/nginx.conf run on 127.0.0.1")
    parser.add_argument("--set", action="append", default=[], help="ini option key=value")
    parser.add_argument("--code", default=None, help="checkout whose ckanext-guangdong runs")
    parser.add_argument("--label", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    args.pages = args.pages.split(",")
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    catalogs = [(int(s), db) for s, db in (c.split(":") for c in args.catalogs.split(","))]
    command = " ".join(["bench/pages.py"] + sys.argv[1:])
    started, load_before = datetime.now(), loadavg()
    interleaved = args.slice > 0 and len(catalogs) > 1
    results = (run_interleaved if interleaved else run_sequential)(catalogs, args)
    text = (f"### {args.label or 'run'}\n\nCommand: `.venv/bin/python {command}` (run "
            f"{started:%Y-%m-%d %H:%M}, load average {load_before} before, {loadavg()} after; "
            f"gunicorn {args.workers} workers × {args.threads} threads, {args.worker_class}, "
            f"{'Connection: close' if args.close else 'keep-alive'} clients, "
            f"{args.seconds:.0f} s per point, "
            + (f"catalogs interleaved in {args.slice:.0f} s slices" if interleaved
               else "catalogs one after the other")
            + ").\n\n"
            + table(results, [s for s, _ in catalogs], args.pages, args.concurrency))
    print(text)
    (VAR / "log" / f"bench-pages-{started:%H%M%S}.json").write_text(json.dumps(results))
    if not args.no_write and args.label:
        write_doc(args.label, text)
        print("written to docs/benchmarks.md")


if __name__ == "__main__":
    main()
