"""Search benchmark: the embedded PostgreSQL backend through CKAN, at 10k and 100k datasets.

    .venv/bin/python bench/search.py [--sizes 10000,100000] [--rebuild-sample 1000]
        [--workers 2] [--runs 30] [--latency-only] [--no-write]
    .venv/bin/python bench/search.py --backends postgres,solr [--reuse-index] ...
        (the embedded backend and Solr side by side: bench/search_side.py)

Works in its own database (GD_BENCH_DB, default ckan_bench_search): inserts a
synthetic but realistic catalog with direct SQL up to each size (organizations,
datasets with the provincial schema's fields as scheming stores them, tags,
resources), then measures:
  * rebuild throughput through CKAN (`search.rebuild`, package_show → index) with
    our connection vs a no-op connection on the same datasets in the same run, and
    our bulk parallel rebuild (`ckan guangdong search reindex`) of everything;
  * package_search p50/p95 for (a) ordinary keywords (<3% of the catalog) with 5
    facets and 20 rows, (b) broad keywords (10-30%), (c) a facet click (fq only),
    (d) *:* sorted by metadata_modified; each with the count/facet cache cold and
    warm; and two naive ILIKE baselines for (a) and (b): bare SQL on `package`, and
    the same package_search pipeline with the words matched by ILIKE (naive_matching).
Writes each size's figures into docs/benchmarks.md (## Search, ### <size> datasets).
bench/search_rebuild.py measures the rebuild alone in more detail.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("GD_BENCH_DB", "ckan_bench_search")
FACETS = ["organization", "theme", "res_format", "access_rights", "frequency"]

CITIES = ["广州市", "深圳市", "珠海市", "汕头市", "佛山市", "韶关市", "河源市", "梅州市", "惠州市",
          "汕尾市", "东莞市", "中山市", "江门市", "阳江市", "湛江市", "茂名市", "肇庆市", "清远市",
          "潮州市", "揭阳市", "云浮市"]
DEPTS = [("交通运输局", "道路交通"), ("生态环境局", "生态环保"), ("卫生健康委员会", "卫生健康"),
         ("教育局", "教育科技"), ("市场监督管理局", "市场监管"), ("人力资源和社会保障局", "社保就业"),
         ("统计局", "经济建设"), ("住房和城乡建设局", "城建住房"), ("自然资源局", "资源环境"),
         ("农业农村局", "农业农村"), ("文化广电旅游体育局", "文化休闲"), ("应急管理局", "应急维稳")]
# (title stem, notes template): each stem is one kind of record a department publishes.
STEMS: dict[str, list[tuple[str, str]]] = {
    "交通运输局": [("公交线路信息", "公交线路编号、站点与首末班时间，交通出行服务数据。"),
                  ("出租汽车企业名录", "出租汽车经营企业与车辆数，交通运输行业管理数据。"),
                  ("公共停车场信息", "公共停车场泊位与收费标准，静态交通数据。"),
                  ("道路运输许可", "道路旅客运输与货物运输经营许可，交通行政许可数据。"),
                  ("交通流量统计", "主要道路交通流量统计数据。")],
    "生态环境局": [("空气质量监测数据", "监测站点PM2.5、PM10与臭氧小时浓度。"),
                  ("重点排污单位名录", "重点排污单位与排放口信息。"),
                  ("饮用水源地水质", "集中式饮用水水源地水质监测结果。"),
                  ("建设项目环评审批", "建设项目环境影响评价审批结果。")],
    "卫生健康委员会": [("医疗机构名录", "医院与社区卫生服务中心的名称、地址、等级。"),
                    ("疫苗接种点信息", "疫苗接种点地址与服务时间。"),
                    ("卫生统计年鉴", "卫生资源与医疗服务统计数据。")],
    "教育局": [("中小学校名录", "公办和民办中小学校名称与学段。"),
              ("幼儿园办学信息", "幼儿园学位数和收费标准。"),
              ("教育统计数据", "在校学生数与专任教师数统计。")],
    "市场监督管理局": [("企业登记注册信息", "新登记企业名称、统一社会信用代码、注册资本。"),
                    ("食品经营许可证", "食品经营许可证发证信息。"),
                    ("特种设备使用登记", "电梯、锅炉等特种设备使用登记信息。")],
    "人力资源和社会保障局": [("社会保险参保统计", "养老、医疗、失业保险参保人数统计。"),
                         ("职业技能培训机构", "职业技能培训机构与培训工种。"),
                         ("招聘岗位信息", "招聘岗位和薪资范围。")],
    "统计局": [("国民经济主要指标", "地区生产总值、固定资产投资等统计指标。"),
              ("常住人口统计", "常住人口数量与城镇化率统计。"),
              ("规模以上工业统计", "规模以上工业增加值统计月报。")],
    "住房和城乡建设局": [("商品房预售许可", "商品房预售许可证编号与套数。"),
                      ("保障性住房项目", "保障性租赁住房项目分布。"),
                      ("建筑工地扬尘监测", "建筑工地扬尘在线监测数据。")],
    "自然资源局": [("国有建设用地供应", "国有建设用地供应结果。"),
                  ("地质灾害隐患点", "地质灾害隐患点位置与威胁人数。")],
    "农业农村局": [("农产品批发价格", "蔬菜、猪肉等农产品批发市场价格日报。"),
                  ("高标准农田建设", "高标准农田建设项目清单。")],
    "文化广电旅游体育局": [("旅游景区名录", "A级旅游景区名称与等级。"),
                        ("公共体育场馆", "公共体育场馆开放时间。")],
    "应急管理局": [("应急避难场所", "应急避难场所位置与容纳人数。"),
                  ("危险化学品企业", "危险化学品生产经营企业名录。")],
}
FORMATS = ["CSV", "XLSX", "JSON", "XML", "API", "PDF", "SHP"]
FREQUENCIES = ["realtime", "daily", "weekly", "monthly", "quarterly", "annual", "irregular"]
# Each under 3% of the catalog (shares are measured and printed by the run).
ORDINARY = ["出租汽车", "排污单位", "饮用水", "环评", "停车场", "扬尘", "疫苗接种", "幼儿园"]
BROAD = ["交通", "统计", "许可"]


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


def prepare_ini() -> Path:
    sh(str(ROOT / "scripts/setup.sh"), "test")
    sh(str(ROOT / "scripts/services.sh"), "createdb", DB)
    ini = ROOT / "var" / f"bench-{DB}.ini"
    text = (ROOT / "var/test.ini").read_text(encoding="utf-8")
    text = re.sub(r"/ckan_test$", f"/{DB}", text, flags=re.M)
    ini.write_text(text, encoding="utf-8")
    sh(str(ROOT / ".venv/bin/ckan"), "-c", str(ini), "db", "upgrade")
    return ini


def load_app(ini: Path) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(str(ini)))
    return app


# -- catalog -------------------------------------------------------------------
def insert_catalog(session: Any, total: int, start: int, rng: random.Random) -> None:
    """Insert datasets [start, total) with direct SQL, in the shape CKAN stores them."""
    import sqlalchemy as sa
    orgs = session.execute(sa.text("SELECT id, title FROM \"group\" WHERE is_organization "
                                   "AND name LIKE 'bench-%' ORDER BY name")).fetchall()
    if not orgs:
        rows = []
        for i, city in enumerate(CITIES):
            for j, (dept, _) in enumerate(DEPTS):
                if (i + j) % 4:  # 63 organizations: not every city has every department here
                    continue
                rows.append({"id": str(uuid.uuid4()), "name": f"bench-{i:02d}-{j:02d}",
                             "title": f"{city}{dept}"})
        session.execute(sa.text(
            "INSERT INTO \"group\" (id, name, title, description, created, state, type, "
            "approval_status, is_organization) VALUES (:id, :name, :title, '', now(), 'active', "
            "'organization', 'approved', true)"), rows)
        orgs = [(r["id"], r["title"]) for r in rows]
    tags: dict[str, str] = dict(session.execute(sa.text("SELECT name, id FROM tag")).fetchall())
    base = datetime(2024, 12, 31)
    batch = 2000
    for lo in range(start, total, batch):
        pkgs, extras, ptags, res = [], [], [], []
        for n in range(lo, min(lo + batch, total)):
            org_id, org_title = orgs[rng.randrange(len(orgs))]
            dept = next(d for d, _ in DEPTS if org_title.endswith(d))
            theme = dict(DEPTS)[dept]
            stem, notes = rng.choice(STEMS[dept])
            city = org_title[:3]
            year = rng.choice(["2019年", "2020年", "2021年", "2022年", "2023年", ""])
            pid = str(uuid.uuid4())
            modified = base - timedelta(minutes=rng.randrange(60 * 24 * 365 * 5))
            pkgs.append({"id": pid, "name": f"bench-ds-{n:06d}", "title": f"{city}{year}{stem}",
                         "notes": f"{city}{notes}数据由{org_title}提供，按{rng.choice(['月', '季度', '年'])}更新。",
                         "owner_org": org_id, "m": modified})
            for key, value in (("identifier", f"{n % 90000 + 10000}/{n:08d}"),
                               ("publisher_name", org_title),
                               ("theme", f'["{theme}"]'),
                               ("access_rights", rng.choice(["unconditional"] * 4 + ["conditional"])),
                               ("frequency", rng.choice(FREQUENCIES)),
                               ("region_code", "440000"),
                               ("record_count", str(rng.randrange(100, 100000)))):
                extras.append({"id": str(uuid.uuid4()), "p": pid, "k": key, "v": value})
            for tag in {dept[:2], stem[:2], rng.choice(["开放数据", "政务", "民生", "年度"])}:
                if tag not in tags:
                    tags[tag] = str(uuid.uuid4())
                    session.execute(sa.text("INSERT INTO tag (id, name) VALUES (:i, :n)"),
                                    {"i": tags[tag], "n": tag})
                ptags.append({"id": str(uuid.uuid4()), "p": pid, "t": tags[tag]})
            for pos, fmt in enumerate(rng.sample(FORMATS, rng.randint(1, 2))):
                res.append({"id": str(uuid.uuid4()), "p": pid, "pos": pos, "f": fmt,
                            "n": f"{stem}（{fmt}）", "u": f"http://data.gd.gov.cn/{pid}/{pos}.{fmt.lower()}"})
        session.execute(sa.text(
            "INSERT INTO package (id, name, title, notes, state, license_id, type, owner_org, "
            "private, metadata_created, metadata_modified) VALUES (:id, :name, :title, :notes, "
            "'active', 'cc-by', 'dataset', :owner_org, false, :m, :m)"), pkgs)
        session.execute(sa.text("INSERT INTO package_extra (id, package_id, key, value, state) "
                                "VALUES (:id, :p, :k, :v, 'active')"), extras)
        session.execute(sa.text("INSERT INTO package_tag (id, package_id, tag_id, state) "
                                "VALUES (:id, :p, :t, 'active')"), ptags)
        session.execute(sa.text(
            "INSERT INTO resource (id, package_id, url, format, name, description, position, "
            "state, created, extras) VALUES (:id, :p, :u, :f, :n, '', :pos, 'active', now(), '{}')"),
            res)
        session.commit()
        print(f"\r  inserted {min(lo + batch, total)}/{total}", end="", flush=True)
    print()


# -- measurements ----------------------------------------------------------------
class NoopConnection:
    """A search engine that costs nothing: CKAN's indexing ceiling on this machine."""
    url = "noop"

    def add(self, *a: Any, **k: Any) -> None: ...
    def delete(self, *a: Any, **k: Any) -> None: ...
    def commit(self, *a: Any, **k: Any) -> None: ...


def rebuild_rate(ids: list[str], noop: bool) -> float:
    import ckan.lib.search as search
    import ckan.model as model

    from ckanext.guangdong.search import seam
    from ckanext.guangdong.search.backend import connection
    def make_noop(decode_dates: bool = True) -> NoopConnection:
        return NoopConnection()

    if noop:
        seam._rebind(connection.make_connection, make_noop)
    try:
        started = time.perf_counter()
        search.rebuild(package_ids=ids, quiet=True, defer_commit=True)
        search.commit()
        model.Session.commit()
        return len(ids) / (time.perf_counter() - started)
    finally:
        if noop:
            seam._rebind(make_noop, connection.make_connection)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


COLD = False  # empty the count/facet cache before every timed query


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    from ckanext.guangdong.search.backend import cache
    fn()  # warm
    samples = []
    for _ in range(runs):
        if COLD:
            cache.clear()
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return percentiles(samples)


def package_search(params: dict[str, Any]) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    return tk.get_action("package_search")({"user": "", "auth_user_obj": None}, dict(params))


@contextlib.contextmanager
def naive_matching() -> Iterator[None]:
    """The same package_search pipeline (CKAN, permission filters, 5 facets, the page) with
    the words matched the naive way: ILIKE over package.title and notes, no ranking — what
    a simple PostgreSQL search extension serving package_search does."""
    from ckanext.guangdong.search.backend import lucene
    original = lucene.Translator._tsv

    def ilike(self: Any, value: str, weight: str, negated: bool, kind: str) -> str:
        words = value.split() or [value]
        conds = [f"(id IN (SELECT p.id FROM package p WHERE p.title ILIKE {self.params.add(f'%{w}%')} "
                 f"OR p.notes ILIKE {self.params.add(f'%{w}%')}))" for w in words]
        return "(" + " AND ".join(conds) + ")"

    lucene.Translator._tsv = ilike
    try:
        yield
    finally:
        lucene.Translator._tsv = original


def latencies(runs: int) -> dict[str, Any]:
    import ckan.model as model
    import sqlalchemy as sa
    out: dict[str, Any] = {}
    total = package_search({"q": "*:*", "rows": 0})["count"]
    share = {k: package_search({"q": k, "rows": 0})["count"] / total for k in ORDINARY + BROAD}
    cycle = {"a": iter(ORDINARY * runs), "b": iter(BROAD * runs)}
    common = {"facet.field": FACETS, "rows": 20}
    out["a"] = timed(lambda: package_search({"q": next(cycle["a"]), **common}), runs)
    out["b"] = timed(lambda: package_search({"q": next(cycle["b"]), **common}), runs)
    out["c"] = timed(lambda: package_search({"q": "*:*", "fq": 'theme:"道路交通"', **common}), runs)
    out["d"] = timed(lambda: package_search({"q": "*:*", "sort": "metadata_modified desc",
                                             **common}), runs)
    # What /dataset/ really sends (ckan/views/dataset.py search()): q empty, CKAN's default
    # sort, every facet of search.facets with search.facets.limit values, type dataset.
    from ckan.common import config
    page = {"q": "", "sort": "score desc, metadata_modified desc", "rows": 20, "start": 0,
            "fq": '+dataset_type:"dataset"', "include_private": True,
            "facet.field": config.get("search.facets"),
            "facet.limit": config.get("search.facets.limit")}
    out["e"] = timed(lambda: package_search(page), runs)
    # CKAN's get_group_dataset_counts() (organization_show, twice per dataset page), called
    # as CKAN calls it: PackageSearchQuery.run with facets groups + owner_org. Through
    # package_search as a visitor, owner_org is refused (search/fields.py FACETABLE_FIELDS).
    from ckan.lib.dictization.model_dictize import get_group_dataset_counts
    out["f"] = timed(get_group_dataset_counts, runs)
    naive_sql = sa.text(
        "SELECT id, count(*) OVER () FROM package WHERE state = 'active' AND NOT private "
        "AND (title ILIKE :kw OR notes ILIKE :kw) ORDER BY metadata_modified DESC LIMIT 20")
    naive_cycle = {"a": iter(ORDINARY * runs), "b": iter(BROAD * runs)}
    for kind in ("a", "b"):
        out[f"naive_{kind}"] = timed(lambda kind=kind: model.Session.execute(
            naive_sql, {"kw": f"%{next(naive_cycle[kind])}%"}).fetchall(), runs)
    for kind in ("a", "b"):
        words = iter((ORDINARY if kind == "a" else BROAD) * runs)
        with naive_matching():
            out[f"naive_pipe_{kind}"] = timed(
                lambda words=words: package_search({"q": next(words), **common}), runs)
    out["share"] = share
    out["total"] = total
    return out


def pg_settings() -> dict[str, str]:
    import ckan.model as model
    import sqlalchemy as sa
    names = ["shared_buffers", "work_mem", "effective_cache_size", "maintenance_work_mem",
             "max_parallel_workers_per_gather", "jit", "random_page_cost"]
    values = {n: model.Session.execute(sa.text(f"SHOW {n}")).scalar() for n in names}
    values["index size"] = model.Session.execute(sa.text(
        "SELECT pg_size_pretty(pg_total_relation_size('guangdong_search_index'))")).scalar()
    return values


def write_doc(size: int, text: str, header: str) -> None:
    """Replace (or add) the "### <size> datasets" part of docs/benchmarks.md's Search section."""
    path = ROOT / "docs/benchmarks.md"
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = re.search(r"^## Search\n.*?(?=^## |\Z)", doc, re.S | re.M)
    if section is None:
        doc = doc.rstrip("\n") + "\n\n## Search\n\n" + header + "\n"
        section = re.search(r"^## Search\n.*?(?=^## |\Z)", doc, re.S | re.M)
    body = section.group(0)
    heading = f"### {size:,} datasets\n"
    part = re.compile(rf"^{re.escape(heading)}.*?(?=^### |\Z)", re.S | re.M)
    if part.search(body):
        body = part.sub(lambda _: text.rstrip("\n") + "\n\n", body)
    else:
        body = body.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n\n"
    doc = doc[:section.start()] + body + doc[section.end():]
    path.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def measure_latency(runs: int) -> dict[str, Any]:
    """Cold (cache emptied before every query) and warm latencies, in one run."""
    global COLD
    out = {}
    for mode in ("cold", "warm"):
        COLD = mode == "cold"
        out[mode] = latencies(runs)
        fmt1 = lambda pair: f"{pair[0]:.1f}/{pair[1]:.1f}"  # noqa: E731
        lat = out[mode]
        print(f"  {mode} cache, latency ms p50/p95: a {fmt1(lat['a'])}, b {fmt1(lat['b'])}, "
              f"c {fmt1(lat['c'])}, d {fmt1(lat['d'])}, e {fmt1(lat['e'])}, f {fmt1(lat['f'])}; "
              f"naive a {fmt1(lat['naive_a'])}, "
              f"b {fmt1(lat['naive_b'])}; naive through package_search a "
              f"{fmt1(lat['naive_pipe_a'])}, b {fmt1(lat['naive_pipe_b'])}")
    return out


def latency_table(lat: dict[str, Any], size: int) -> str:
    goals = {"a": "p95 ≤ 50" if size >= 100000 else "p95 ≤ 25",
             "b": "p95 ≤ 200" if size >= 100000 else "—"}
    cold, warm = lat["cold"], lat["warm"]
    share = cold["share"]
    fmt = lambda pair: f"{pair[0]:.1f} / {pair[1]:.1f}"  # noqa: E731
    rows = [
        ("a", f"(a) ordinary keywords {', '.join(ORDINARY)} (max share "
              f"{max(share[k] for k in ORDINARY):.1%}), 5 facets, 20 rows"),
        ("b", f"(b) broad keywords {', '.join(BROAD)} (shares "
              f"{', '.join(f'{share[k]:.0%}' for k in BROAD)}), same facets"),
        ("c", "(c) facet click `fq=theme:\"道路交通\"`, q=*:*"),
        ("d", "(d) `*:*` sorted by metadata_modified desc, 5 facets"),
        ("e", "(e) what `/dataset/` sends: q empty, `score desc, metadata_modified desc`, the 10 facets of search.facets × 50 values, 20 rows"),
        ("f", "(f) CKAN's `get_group_dataset_counts()` (organization_show, twice per dataset page): q empty, facets groups + owner_org, all values, 1 row"),
        ("naive_a", "naive ILIKE over title+notes, keywords (a)"),
        ("naive_b", "naive ILIKE over title+notes, keywords (b)"),
        ("naive_pipe_a", "naive ILIKE matching through the same package_search (5 facets, 20 rows), keywords (a)"),
        ("naive_pipe_b", "naive ILIKE matching through the same package_search, keywords (b)"),
    ]
    lines = ["| measure (p50 / p95 ms) | cold | warm | goal |", "|---|---|---|---|"]
    for key, label in rows:
        lines.append(f"| {label} | {fmt(cold[key])} | {fmt(warm[key])} | {goals.get(key, '')} |")
    ratio = lambda kind, mode: lat[mode][kind][1] / lat[mode][f"naive_{kind}"][1]  # noqa: E731
    lines.append(f"| ours / naive SQL p95, (a) and (b) | {ratio('a', 'cold'):.2f}, "
                 f"{ratio('b', 'cold'):.2f} | {ratio('a', 'warm'):.2f}, {ratio('b', 'warm'):.2f} "
                 f"| (a) ≤ 0.2 at 100k |")
    pipe = lambda kind, mode: lat[mode][kind][1] / lat[mode][f"naive_pipe_{kind}"][1]  # noqa: E731
    lines.append(f"| ours / naive through package_search p95, (a) and (b) | {pipe('a', 'cold'):.2f}, "
                 f"{pipe('b', 'cold'):.2f} | {pipe('a', 'warm'):.2f}, {pipe('b', 'warm'):.2f} "
                 f"| (a) ≤ 0.2 at 100k |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rebuild-sample", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--latency-only", action="store_true",
                        help="measure package_search only, on the index already built")
    parser.add_argument("--backends", default="",
                        help="postgres,solr: both engines side by side (bench/search_side.py)")
    parser.add_argument("--reuse-index", action="store_true",
                        help="with --backends: keep an index that already holds the catalog")
    parser.add_argument("--no-pages", action="store_true",
                        help="with --backends: skip the /dataset/ pages through gunicorn")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.backends:
        if set(args.backends.split(",")) != {"postgres", "solr"}:
            parser.error("--backends takes postgres,solr")
        import search_side
        search_side.main(args, sizes, prepare_ini, insert_catalog, uptime)
        return

    ini = prepare_ini()
    app = load_app(ini)
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.guangdong.search.reindex import rebuild

    rng = random.Random(42)
    command = " ".join(["bench/search.py"] + sys.argv[1:])
    with app._wsgi_app.test_request_context():
        existing = model.Session.execute(sa.text(
            "SELECT count(*) FROM package WHERE name LIKE 'bench-ds-%'")).scalar()
        for size in sizes:
            print(f"== {size} datasets (database {DB})")
            load_before = uptime()
            if existing < size:
                t = time.perf_counter()
                insert_catalog(model.Session, size, existing, rng)
                print(f"  catalog inserted in {time.perf_counter() - t:.0f} s")
                existing = size
            rebuild_lines = ""
            if not args.latency_only:
                ids = [r[0] for r in model.Session.execute(sa.text(
                    "SELECT id FROM package WHERE name LIKE 'bench-ds-%' ORDER BY name LIMIT :n"),
                    {"n": args.rebuild_sample}).fetchall()]
                # Alternated twice, best of each: neither side profits from the other's caches.
                noop = ours = 0.0
                for _ in range(2):
                    noop = max(noop, rebuild_rate(ids, noop=True))
                    ours = max(ours, rebuild_rate(ids, noop=False))
                print(f"  search.rebuild on {len(ids)}: no-op {noop:.1f}/s, ours {ours:.1f}/s "
                      f"({ours / noop:.2f} of the ceiling)")
                model.Session.remove()
                built = rebuild(workers=args.workers, clear=True)
                count, failed, seconds = built.total, len(built.failed), built.seconds
                model.Session.remove()
                print(f"  bulk reindex --workers {args.workers}: {count} in {seconds:.0f} s "
                      f"({count / seconds:.1f}/s), {failed} failed")
                rebuild_lines = (
                    "| rebuild (datasets/s) | figure |\n|---|---|\n"
                    f"| CKAN `search.rebuild`, {len(ids)} datasets, no-op connection (ceiling; best of 2, alternated) | {noop:.1f} |\n"
                    f"| CKAN `search.rebuild`, same datasets, our backend | {ours:.1f} ({ours / noop:.2f} × ceiling; goal ≥ 0.8) |\n"
                    f"| `ckan guangdong search reindex --workers {args.workers} --clear` (bulk), all {count:,} | {count / seconds:.1f} ({seconds:.0f} s, {failed} failed; {count / seconds / noop:.2f} × ceiling) |\n\n")
            lat = measure_latency(args.runs)
            settings = pg_settings()
            text = (
                f"### {size:,} datasets\n\n"
                f"Command: `.venv/bin/python {command}` with `GD_BENCH_DB={DB}` "
                f"(run {datetime.now():%Y-%m-%d %H:%M}; load average {load_before} before, "
                f"{uptime()} after; index table {settings['index size']}). Latencies over "
                f"{args.runs} runs per kind after one warm-up, in-process package_search as an "
                "anonymous user (CKAN's permission-label fq included). **Cold**: the count/facet "
                "cache emptied before every query; **warm**: the filter set seen before at the "
                "same index generation.\n\n" + rebuild_lines + latency_table(lat, size))
            print(text)
            if not args.no_write:  # after each size, so a cut-short run keeps what it measured
                settings_line = ", ".join(f"{k} = {v}" for k, v in settings.items()
                                          if k != "index size")
                write_doc(size, text, f"PostgreSQL 15 settings used: {settings_line}.")
                print("written to docs/benchmarks.md")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "ckanext-guangdong"))
    main()
