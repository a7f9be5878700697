"""Benchmark of the targets feature at 100,000 datasets (issue 6).

    .venv/bin/python bench/targets.py [--datasets 100000] [--applications 600] [--repeat 7]

1. Builds a synthetic provincial catalog with direct SQL (bench only): 21 city organizations and
   60 provincial departments, N datasets (90% harvested from cities; some private, 不予开放,
   deleted, without resources or sharing an identifier), applications linked to datasets.
2. Installs the events record the way a site does (the backfill), then records 2,000 later
   withdrawals / republications through the recorder (the package-hook path).
3. Indexes the catalog into the search backend (CKAN's own index_package, in batches) so that
   the naive approach can run.
4. Measures guangdong_target_progress and guangdong_open_stats (today and as_of 2018-12-31)
   against the naive approach — paging through package_search and counting in Python — in the
   same run, checks both give the same current counts, prints the figures and writes them into
   the "## Targets" section of docs/benchmarks.md.

Runs on its own database (GD_TEST_DB=ckan_bench_targets, created by scripts/setup.sh test).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("GD_BENCH_DB", "ckan_bench_targets")
CITIES = ["440100", "440200", "440300", "440400", "440500", "440600", "440700", "440800", "440900",
          "441200", "441300", "441400", "441500", "441600", "441700", "441800", "441900", "442000",
          "445100", "445200", "445300"]
THEMES = ["民生服务", "道路交通", "教育科技", "卫生健康", "社保就业", "财税金融", "农业农村", "城建住房",
          "公共安全", "资源环境", "机构团体", "市场监管", "经济建设", "文化休闲"]
FORMATS = ["CSV", "XLSX", "JSON", "XML", "API", "SHP"]
FREQUENCIES = ["daily", "weekly", "monthly", "quarterly", "semiannual", "annual", "irregular"]


def setup_database() -> Path:
    env = dict(os.environ, GD_TEST_DB=DB)
    subprocess.run([str(ROOT / "scripts" / "setup.sh"), "test"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return ROOT / "var" / f"test-{DB}.ini"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def build_catalog(session: Any, n: int, n_apps: int, rng: random.Random) -> dict[str, Any]:
    from sqlalchemy import text
    session.execute(text("TRUNCATE package, package_extra, resource, \"group\", group_extra, member, "
                         "guangdong_publication_event, guangdong_open_period, guangdong_open_period_value, guangdong_key_period, "
                         "guangdong_package_state, guangdong_targets_snapshot, guangdong_open_cube CASCADE"))
    if session.execute(text("SELECT to_regclass('guangdong_search_doc')")).scalar():
        session.execute(text("TRUNCATE guangdong_search_doc"))
    orgs: list[tuple[str, str, str, str]] = [(f"org-city-{c}", f"city-{c}", c, "city") for c in CITIES]
    orgs += [(f"org-dept-{i:02d}", f"dept-{i:02d}", "440000", "department") for i in range(60)]
    session.execute(text("""INSERT INTO "group" (id, name, title, type, is_organization, state, approval_status, created)
        VALUES (:id, :name, :name, 'organization', true, 'active', 'approved', now())"""),
        [{"id": o[0], "name": o[1]} for o in orgs])
    session.execute(text("INSERT INTO group_extra (id, group_id, key, value, state) VALUES (:id, :g, :k, :v, 'active')"),
                    [{"id": f"{o[0]}-{k}", "g": o[0], "k": k, "v": v} for o in orgs
                     for k, v in (("region_code", o[2]), ("org_type", o[3]))])
    start = dt.datetime(2016, 1, 1)
    span = (dt.datetime(2026, 10, 31) - start).total_seconds()
    packages, extras, resources = [], [], []
    for i in range(n):
        pid = f"ds-{i:06d}"
        city = rng.random() < 0.9
        org = rng.choice(orgs[:21]) if city else rng.choice(orgs[21:])
        roll = rng.random()
        private, state, access, n_res = False, "active", rng.choice(["unconditional"] * 3 + ["conditional"]), rng.choice([1, 1, 2])
        if roll < 0.03:
            private = True
        elif roll < 0.06:
            access = "not_open"
            private = True
        elif roll < 0.08:
            state = "deleted"
        elif roll < 0.09:
            n_res = 0
        created = start + dt.timedelta(seconds=span * (i / n) ** 0.7 + rng.random() * 3600)
        packages.append({"id": pid, "name": pid, "title": f"{org[1]} 数据集 {i}", "type": "dataset",
                         "org": org[0], "private": private, "state": state, "created": created})
        identifier = f"{org[2]}/{i:08d}" if rng.random() > 0.01 else f"{org[2]}/{max(0, i - 1):08d}"
        ex = {"access_rights": access, "identifier": identifier,
              "theme": json.dumps(rng.sample(THEMES, rng.choice([1, 1, 2])), ensure_ascii=False),
              "frequency": rng.choice(FREQUENCIES), "issued": created.date().isoformat()}
        if city:
            ex.update(harvest_source_id=f"src-{org[2]}", harvest_remote_id=f"r{i}")
        extras += [{"id": f"{pid}-{k}", "p": pid, "k": k, "v": v} for k, v in ex.items()]
        resources += [{"id": f"{pid}-r{j}", "p": pid, "f": rng.choice(FORMATS), "pos": j} for j in range(n_res)]
    dataset_ids = [p["id"] for p in packages]
    for i in range(n_apps):
        pid = f"app-{i:04d}"
        created = start + dt.timedelta(days=rng.randint(400, 3900))
        packages.append({"id": pid, "name": pid, "title": f"应用 {i}", "type": "application",
                         "org": rng.choice(orgs)[0], "private": rng.random() < 0.1, "state": "active",
                         "created": created})
        extras.append({"id": f"{pid}-used", "p": pid, "k": "used_datasets",
                       "v": json.dumps(rng.sample(dataset_ids, rng.randint(1, 3)))})
    for chunk in range(0, len(packages), 20000):
        session.execute(text("""INSERT INTO package (id, name, title, type, owner_org, private, state,
            metadata_created, metadata_modified, license_id, notes)
            VALUES (:id, :name, :title, :type, :org, :private, :state, :created, :created, 'cc-by', '')"""),
            packages[chunk:chunk + 20000])
    for chunk in range(0, len(extras), 50000):
        session.execute(text("INSERT INTO package_extra (id, package_id, key, value, state) "
                             "VALUES (:id, :p, :k, :v, 'active')"), extras[chunk:chunk + 50000])
    for chunk in range(0, len(resources), 50000):
        session.execute(text("INSERT INTO resource (id, package_id, url, format, position, state, url_type, extras) "
                             "VALUES (:id, :p, 'http://example.org/data', :f, :pos, 'active', '', '{}')"),
                        resources[chunk:chunk + 50000])
    session.commit()
    return {"datasets": n, "applications": n_apps, "organizations": len(orgs), "dataset_ids": dataset_ids}


def record_history(session: Any, dataset_ids: list[str], rng: random.Random, changes: int) -> float:
    """Later withdrawals and republications through the recorder (what the hooks call)."""
    from sqlalchemy import text

    from ckanext.guangdong.events import backfill, recorder
    chosen = rng.sample(dataset_ids, changes)
    facts = {f.package_id: f for f, _c, _i in backfill.load_facts(session.connection(), chosen)}
    start = time.perf_counter()
    for k, pid in enumerate(chosen):
        f = facts[pid]
        if not f.is_open:
            continue
        when = dt.datetime(2026, 11, 1) + dt.timedelta(minutes=k)
        f.private = True
        recorder.record(session.connection(), f, when)
        if k % 2:
            f.private = False
            recorder.record(session.connection(), f, when + dt.timedelta(days=3))
        else:  # stays withdrawn: the package row says so too, as after a real package_update
            session.execute(text("UPDATE package SET private = true WHERE id = :id"), {"id": pid})
    session.commit()
    return (time.perf_counter() - start) * 1000 / changes


def index_catalog(session: Any, batch: int = 500) -> float:
    """CKAN's own index_package over package dicts built from the rows (no package_show)."""
    from ckan.lib.search import index as search_index
    from sqlalchemy import text

    from ckanext.guangdong.search.backend import connection as pg
    indexer = search_index.PackageSearchIndex()
    docs: list[dict[str, Any]] = []
    import ckan.lib.plugins as lib_plugins
    original_add = pg.PostgresConnection.add
    original_validate = lib_plugins.plugin_validate
    # The synthetic rows are not validated again by the schema when indexed (that is what
    # makes CKAN's rebuild slow, and it does not change what package_search returns here).
    lib_plugins.plugin_validate = lambda plugin, context, data, schema, action: (data, {})  # type: ignore
    # Collect the documents CKAN builds and write them in batches (as a bulk rebuild does).
    pg.PostgresConnection.add = lambda self, docs_=None, commit=True, **kw: docs.extend(kw.get("docs") or docs_ or []) or ""  # type: ignore
    orgs = {r[0]: r[1] for r in session.execute(text('SELECT id, name FROM "group"'))}
    extras: dict[str, list[dict[str, str]]] = {}
    for pid, k, v in session.execute(text("SELECT package_id, key, value FROM package_extra")):
        extras.setdefault(pid, []).append({"key": k, "value": v})
    resources: dict[str, list[dict[str, str]]] = {}
    for pid, rid, fmt in session.execute(text("SELECT package_id, id, format FROM resource WHERE state = 'active'")):
        resources.setdefault(pid, []).append({"id": rid, "format": fmt, "url": "http://example.org/data", "name": fmt})
    start = time.perf_counter()
    try:
        rows = session.execute(text("SELECT id, name, title, type, owner_org, private, state, metadata_created "
                                    "FROM package WHERE state = 'active' AND type = 'dataset'")).all()
        for i, (pid, name, title, ptype, org, private, state, created) in enumerate(rows):
            pkg = {"id": pid, "name": name, "title": title, "type": ptype, "owner_org": org,
                   "organization": {"name": orgs.get(org)}, "private": private, "state": state,
                   "metadata_created": created.isoformat(), "metadata_modified": created.isoformat(),
                   "extras": extras.get(pid, []), "resources": resources.get(pid, []),
                   "num_resources": len(resources.get(pid, [])), "tags": [], "groups": [], "notes": ""}
            indexer.index_package(pkg, defer_commit=True)
            if len(docs) >= batch or i == len(rows) - 1:
                original_add(pg.PostgresConnection(), list(docs), commit=False)
                docs.clear()
        session.commit()
    finally:
        pg.PostgresConnection.add = original_add  # type: ignore
        lib_plugins.plugin_validate = original_validate  # type: ignore
    return time.perf_counter() - start


def naive_counts(call: Callable[..., Any], orgs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What an implementation without an event record does: page through package_search for
    the open datasets and count in Python (current state only — it cannot answer as_of)."""
    # Only the dataset type in fq: a range on num_resources took minutes per page in the search
    # backend at 100k (measured), so the rest of the rule is applied here, per result.
    fq = "+dataset_type:dataset"
    counts: dict[str, Counter] = {k: Counter() for k in ("organization", "city", "theme", "access", "format", "frequency")}
    seen_identifiers: set[str] = set()
    start, total, began = 0, 0, time.perf_counter()
    while True:
        page = call("package_search", fq=fq, rows=1000, start=start, include_private=False)
        for pkg in page["results"]:
            extras = {e["key"]: e["value"] for e in pkg.get("extras", [])}
            access = pkg.get("access_rights") or extras.get("access_rights")
            if access not in ("unconditional", "conditional") or not pkg.get("num_resources"):
                continue
            ident = pkg.get("identifier") or next((e["value"] for e in pkg.get("extras", []) if e["key"] == "identifier"), pkg["id"])
            if ident in seen_identifiers:
                continue
            seen_identifiers.add(ident)
            total += 1
            counts["organization"][pkg.get("owner_org")] += 1
            counts["city"][orgs.get(pkg.get("owner_org"), {}).get("region_code")] += 1
            counts["access"][pkg.get("access_rights") or next((e["value"] for e in pkg.get("extras", []) if e["key"] == "access_rights"), None)] += 1
            for r in pkg.get("resources", []):
                counts["format"][r.get("format")] += 1
        start += 1000
        if start >= page["count"]:
            break
        if time.perf_counter() - began > 300:  # time box: extrapolate from the pages read
            pages = -(-page["count"] // 1000)
            return {"datasets": None, "by_city": {}, "extrapolated_ms":
                    (time.perf_counter() - began) * 1000 * pages / (start // 1000), "pages": start // 1000}
    return {"datasets": total, "by_city": dict(counts["city"])}


def measure(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    fn()  # warm-up (plans, caches)
    times, result = [], None
    for _ in range(repeat):
        ms, result = timed(fn)
        times.append(ms)
    return times, result


def write_section(text_block: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    content = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    marker = "## Targets"
    if marker in content:
        head, _, rest = content.partition(marker)
        tail = rest.split("\n## ", 1)
        rest_after = ("\n## " + tail[1]) if len(tail) > 1 else ""
        content = head + text_block.rstrip() + "\n" + rest_after
    else:
        content = content.rstrip() + "\n\n" + text_block.rstrip() + "\n"
    path.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--no-naive", action="store_true", help="skip indexing and the naive baseline (profiling)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure only, on the catalog, events and index of the previous run")
    args = parser.parse_args()
    rng = random.Random(20181231)

    ini = setup_database()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(str(ini))
    config["ckan.search.automatic_indexing"] = "false"
    app = make_app(config)
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        import ckan.model as model
        import ckan.plugins.toolkit as tk
        from sqlalchemy import text

        from ckanext.guangdong.events import backfill
        from ckanext.guangdong.targets import counting, db

        def call(action: str, **data: Any) -> Any:
            return tk.get_action(action)({"ignore_auth": True, "user": ""}, data)

        db.connection()
        model.Session.commit()
        if args.reuse:
            counts_now = model.Session.execute(text(
                "SELECT count(*) FILTER (WHERE type = 'dataset'), count(*) FILTER (WHERE type = 'application') "
                "FROM package")).first()
            catalog = {"datasets": counts_now[0], "applications": counts_now[1],
                       "organizations": model.Session.execute(text('SELECT count(*) FROM "group"')).scalar()}
        build_ms, catalog = (0.0, catalog) if args.reuse else timed(
            lambda: build_catalog(model.Session, args.datasets, args.applications, rng))
        if not args.reuse:
            conn = model.Session.connection()
            for table in ("guangdong_publication_event", "guangdong_open_period", "guangdong_open_period_value",
                          "guangdong_key_period", "guangdong_package_state"):
                conn.execute(text(f"TRUNCATE {table}"))
            backfill_ms, opened = timed(lambda: backfill.backfill(model.Session.connection()))
            model.Session.commit()
            per_change_ms = record_history(model.Session, catalog["dataset_ids"], rng, 2000)
            model.Session.execute(text("ANALYZE"))
            model.Session.commit()
            # What the daily snapshot does after midnight: month-end counts for every month.
            from ckanext.guangdong.targets import cube
            regions = {i: o.get("region_code") for i, o in counting.organizations(model.Session.connection()).items()}
            cube_ms, cube_months = timed(lambda: cube.fill(model.Session.connection(), db.rules(), regions,
                                                           dt.datetime.utcnow()))
            model.Session.commit()
            index_s = 0.0 if args.no_naive else index_catalog(model.Session)
            model.Session.execute(text("ANALYZE"))
            model.Session.commit()
        else:
            backfill_ms, opened, per_change_ms = 0.0, 0, 0.0
            cube_ms, cube_months, index_s = 0.0, 0, 0.0

        results: dict[str, list[float]] = {}
        outputs: dict[str, Any] = {}
        for as_of in (None, "2018-12-31"):
            label = as_of or "today"
            data = {"as_of": as_of} if as_of else {}
            results[f"guangdong_target_progress ({label})"], outputs[f"progress {label}"] = measure(
                lambda data=data: call("guangdong_target_progress", **data), args.repeat)
            results[f"guangdong_open_stats ({label})"], outputs[f"stats {label}"] = measure(
                lambda data=data: call("guangdong_open_stats", **data), args.repeat)
        orgs = counting.organizations(model.Session.connection())
        naive_times, naive = ([0.0], {"datasets": None}) if args.no_naive else measure(lambda: naive_counts(call, orgs), 1)
        if naive.get("extrapolated_ms"):
            naive_times = [naive["extrapolated_ms"]]
            results[f"naive: package_search pages (extrapolated from {naive['pages']} pages)"] = naive_times
        else:
            results["naive: package_search pages (current state only)"] = naive_times
        ours_now = outputs["stats today"]["datasets"]
        agree = "yes" if naive["datasets"] == ours_now else f"no ({naive['datasets']} vs {ours_now})"

    rows = []
    for name, times in results.items():
        rows.append(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} | {len(times)} |")
    summary = "\n".join(rows)
    print(summary)
    ours_worst = max(max(t) for n, t in results.items() if not n.startswith("naive"))
    naive_ms = statistics.median(naive_times)
    if args.no_naive:
        print(summary)
        return
    if args.reuse:
        prep = (f"Catalog (built by a previous full run of this command, reused with --reuse): {catalog['datasets']:,} "
                f"datasets, {catalog['applications']} applications, {catalog['organizations']} organizations.")
    else:
        prep = f"""Catalog: {catalog['datasets']:,} datasets (90% harvested city datasets; about 3% private, 3% 不予开放,
2% deleted, 1% without resources, 1% sharing an identifier), {catalog['applications']} applications,
{catalog['organizations']} organizations; built with direct SQL in {build_ms / 1000:.1f} s (bench only).
Events backfill on install: {backfill_ms / 1000:.1f} s for {opened:,} open packages; a later change recorded through the
recorder (the package-hook path): {per_change_ms:.2f} ms.
Month-end counts (the daily snapshot fills them): {cube_months} months in {cube_ms / 1000:.1f} s.
Indexing for the naive baseline (CKAN's index_package, batched writes): {index_s:.0f} s."""
    block = f"""## Targets

Command: `.venv/bin/python bench/targets.py --datasets {args.datasets} --applications {args.applications} --repeat {args.repeat}{" --reuse" if args.reuse else ""}`
(machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL from `scripts/services.sh`, default settings; run {dt.date.today().isoformat()};
load average at the end {os.getloadavg()[0]:.1f} — the machine was shared with other test runs, so these are pessimistic).

{prep}

| call (in process, through the action layer) | median ms | max ms | runs |
|---|---|---|---|
{summary}

- Goal ≤ 200 ms per action at 100k: worst run of ours {ours_worst:.1f} ms.
- Naive / ours (open_stats today, medians): {naive_ms / statistics.median(results['guangdong_open_stats (today)']):.0f}×.
  The naive approach only knows the current state: it cannot answer `as_of`, and it would also have to replay
  every dataset's activity history to do so.
- Same current open-dataset count from both approaches: {agree}.
"""
    print(block)
    if not args.no_write:
        write_section(block)


if __name__ == "__main__":
    sys.exit(main())
