"""DataStore loading and search benchmark (issue 13, item 8).

    .venv/bin/python bench/datastore.py [--sizes 100000,1000000] [--runs 40] [--no-write]

For each size, two CSV files of the same table (序号, 地区, 街道, 人口 with thousands
separators, 日期 as 2024/3/5, 备注), one UTF-8 and one GBK, and for each file, in the same run:

- **ours**: the data feature's path, prepare.py (encoding, header, numbers, dates, types, two
  passes) then ckanext-xloader's ``load_csv`` with our column types, the record count, the
  column indexes (job.load_into_datastore, what the worker runs after fetching);
- **stock**: ckanext-xloader's own ``load_csv`` (its ``direct_load``: COPY, all columns text),
  the record count and the column indexes, on the same file.

Each load runs in a fresh process (as RQ's work-horse does), which reports its time and its peak
memory (RSS, CKAN loaded included). Whether the loaded headers are the Chinese ones is checked.
Then, on the 1M-row table loaded by ours, ``datastore_search`` latency (p50/p95 over --runs, in
process, anonymous user, one warm-up) for a filtered query (filters on 地区) and a full-text
query (q=天河, which our substring search answers) and, for comparison, the stock full-text
query on a whole token (q=tianhe, a value of the 备注 column).
Figures are printed and written to the "## DataStore" section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("GD_VAR", ROOT / "var"))
PY = ROOT / ".venv" / "bin" / "python"
INI = VAR / "test.ini"
HEADER = ["序号", "地区", "街道", "人口", "日期", "备注"]
DISTRICTS = ["越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区",
             "从化区", "增城区"]


def make_csv(path: Path, rows: int, encoding: str) -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            d = DISTRICTS[i % len(DISTRICTS)]
            w.writerow([i + 1, d, f"{d}第{i % 97 + 1}街道", f"{(i * 37) % 1000000:,}",
                        f"2024/{i % 12 + 1}/{i % 28 + 1}", "tianhe" if d == "天河区" else "备注"])


def load_ckan() -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    return make_app(load_config(str(INI)))


def child(kind: str, resource_id: str, path: str) -> None:
    """One load in this (fresh) process; prints a JSON line with the figures."""
    import logging
    app = load_ckan()
    import ckan.plugins.toolkit as tk
    from ckanext.xloader import loader as xloader

    from ckanext.guangdong.data import job, prepare
    logger = logging.getLogger("bench")
    with app._wsgi_app.test_request_context():
        try:
            tk.get_action("datastore_delete")({"ignore_auth": True}, {"resource_id": resource_id, "force": True})
        except tk.ObjectNotFound:
            pass
        t = time.perf_counter()
        error = None
        try:
            if kind == "ours":
                out = path + ".prepared.csv"
                prepared = prepare.prepare(path, "CSV", out, max_rows=10_000_000)
                job.load_into_datastore({"id": resource_id}, prepared, logger)
                os.remove(out)
            else:
                fields = xloader.load_csv(path, resource_id=resource_id, mimetype="text/csv", logger=logger)
                xloader.calculate_record_count(resource_id=resource_id, logger=logger)
                xloader.create_column_indexes(fields=fields, resource_id=resource_id, logger=logger)
        except Exception as e:  # the stock loader may fail on a file it cannot read
            error = f"{type(e).__name__}: {str(e)[:120]}"
        seconds = time.perf_counter() - t
        headers, types, rows = [], {}, 0
        if error is None:
            info = tk.get_action("datastore_search")({"ignore_auth": True}, {"resource_id": resource_id, "limit": 0})
            headers = [f["id"] for f in info["fields"] if f["id"] != "_id"]
            types = {f["id"]: f["type"] for f in info["fields"] if f["id"] != "_id"}
            rows = info["total"]
    print("RESULT " + json.dumps({"seconds": seconds, "rows": rows, "headers": headers, "types": types,
                                  "error": error,
                                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024},
                                 ensure_ascii=False))


def run_child(kind: str, resource_id: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([str(PY), __file__, "--child", kind, resource_id, str(path)],
                          capture_output=True, text=True)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(proc.stdout[-2000:] + proc.stderr[-4000:])
    return json.loads(line[7:])


def latency(resource_id: str, params: dict[str, Any], runs: int) -> tuple[float, float]:
    import ckan.plugins.toolkit as tk
    search = tk.get_action("datastore_search")
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        search({"user": "", "ignore_auth": False}, dict(params, resource_id=resource_id, limit=20))
        if i:
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def uptime() -> str:
    return open("/proc/loadavg").read().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    subprocess.run([str(ROOT / "scripts/setup.sh"), "test"], check=True)
    app = load_ckan()
    import uuid

    from ckan.tests import helpers
    sizes = [int(s) for s in args.sizes.split(",")]
    work = VAR / "bench" / "datastore"
    work.mkdir(parents=True, exist_ok=True)
    command = " ".join(["bench/datastore.py"] + sys.argv[1:])
    load_before = uptime()
    results: list[dict[str, Any]] = []
    search_rid = None
    with app._wsgi_app.test_request_context():
        site = helpers.call_action("get_site_user")
        ctx = {"user": site["name"], "ignore_auth": True}
        org = helpers.call_action("organization_create", ctx, name=f"bench-ds-{uuid.uuid4().hex[:8]}",
                                  title="性能测试", region_code="440100", org_type="city")
        for size in sizes:
            for encoding in ("utf-8", "gbk"):
                path = work / f"{size}-{encoding}.csv"
                if not path.exists():
                    make_csv(path, size, encoding)
                pkg = helpers.call_action(
                    "package_create", ctx, name=f"bench-ds-{uuid.uuid4().hex[:10]}", title="性能测试数据", notes="性能测试。",
                    owner_org=org["id"], identifier=f"29000/{uuid.uuid4().int % 10**10:010d}",
                    publisher_name="广州市统计局", publisher_identifier="11440000006940081X", theme=["民生服务"],
                    access_rights="unconditional", frequency="monthly", issued="2024-01-01",
                    modified="2024-01-02", region_code="440100", contact_name="数据科",
                    contact_email="a@b.cn", contact_phone="020-12345678", license_id="cc-by",
                    share_type="conditional_share", data_level="level2", deidentified="true",
                    resources=[{"url": f"http://127.0.0.1/{k}.csv", "name": k, "format": "TXT"}
                               for k in ("ours", "stock")])
                rids = {r["name"]: r["id"] for r in pkg["resources"]}
                for kind in ("ours", "stock"):
                    r = run_child(kind, rids[kind], path)
                    r.update(size=size, encoding=encoding, kind=kind, mb=path.stat().st_size / 1e6,
                             headers_ok=r["headers"] == HEADER)
                    results.append(r)
                    print(f"  {size:>9,} {encoding:5} {kind:5}: {r['seconds']:7.1f} s "
                          f"({r['rows'] / r['seconds'] if r['rows'] else 0:,.0f} rows/s), peak "
                          f"{r['peak_mb']:.0f} MB, headers {'right' if r['headers_ok'] else r['headers'][:3]}"
                          f"{', ' + r['error'] if r['error'] else ''}")
                if kind == "stock" and size == max(sizes) and encoding == "utf-8":
                    search_rid = rids["ours"]
        lat = {}
        if search_rid:
            lat["filter"] = latency(search_rid, {"filters": {"地区": "天河区"}}, args.runs)
            lat["q_cjk"] = latency(search_rid, {"q": "天河"}, args.runs)
            lat["q_token"] = latency(search_rid, {"q": "tianhe"}, args.runs)
            lat["page"] = latency(search_rid, {"offset": 500000}, args.runs)
            for k, (p50, p95) in lat.items():
                print(f"  datastore_search {k}: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    table = ["| rows | encoding | file MB | path | load s | rows/s | ours ÷ stock time | worker peak MB | headers |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        other = next(o for o in results if o["size"] == r["size"] and o["encoding"] == r["encoding"]
                     and o["kind"] != r["kind"])
        ratio = (f"{r['seconds'] / other['seconds']:.2f}" if r["kind"] == "ours" and not other["error"]
                 else "")
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r["rows"] else "–"
        headers = "Chinese, right" if r["headers_ok"] else (
            "failed: " + r["error"] if r["error"] else "garbled: " + ", ".join(r["headers"][:3]))
        table.append(f"| {r['size']:,} | {r['encoding'].upper()} | {r['mb']:.0f} | {r['kind']} | "
                     f"{r['seconds']:.1f} | {rate} | {ratio} | {r['peak_mb']:.0f} | {headers} |")
    lat_lines = ""
    if lat:
        labels = {"filter": 'filtered: `filters={"地区": "天河区"}`',
                  "q_cjk": "full text, Chinese: `q=天河` (substring match, ours)",
                  "q_token": "full text, a whole token: `q=tianhe` (PostgreSQL full-text, stock)",
                  "page": "no filter, `offset=500000` (deep page)"}
        lat_lines = (f"\n| datastore_search at {max(sizes):,} rows, 20 rows per answer | p50 ms | p95 ms |\n|---|---|---|\n"
                      + "".join(f"| {labels[k]} | {v[0]:.0f} | {v[1]:.0f} |\n"
                                                  for k, v in lat.items()))
    text = (f"Command: `.venv/bin/python {command}` (run {datetime.now():%Y-%m-%d %H:%M}, load average "
            f"{load_before} before, {uptime()} after; 2 cores shared with other work). Each load in a fresh "
            "process; peak memory is that process's maximum RSS with CKAN and every plugin loaded "
            "(the same ~266 MB was measured at 2,000 rows, so that is CKAN and its plugins: the load itself streams and adds no measurable memory).\n\n" + "\n".join(table) + "\n" + lat_lines)
    print(text)
    if not args.no_write:
        doc = ROOT / "docs" / "benchmarks.md"
        current = doc.read_text(encoding="utf-8")
        section = "## DataStore\n\n" + text
        if "## DataStore\n" in current:
            current = re.sub(r"## DataStore\n.*?(?=\n## |\Z)", lambda m: section, current, flags=re.S)
        else:
            current = current.rstrip("\n") + "\n\n" + section
        doc.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
