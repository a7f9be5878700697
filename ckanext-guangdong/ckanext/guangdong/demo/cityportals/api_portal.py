"""A 开放广东-style JSON API and a DCAT (Turtle + Hydra paging) catalog, as one small Flask
app: the stand-ins for a home-grown city platform and a DCAT city in tests and the demo.

State (``app.config["PORTAL"]``) is mutable so tests can withdraw or change a record
between two harvests. Records are computed from their index (fixtures.py), so a
100,000-record source costs no memory here.

Broken records (``broken=True``), one of each failure the harvester must survive:
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request

from . import fixtures
from .fixtures import City

# index -> what is wrong with it (documented in docs/harvest.md, asserted in tests)
BROKEN: dict[int, str] = {
    7: "list_without_id",       # list entry without resId: a job-level error
    13: "malformed_json",       # detail answers truncated JSON
    21: "html_page",            # detail answers an HTML error page with status 200
    29: "http_500",             # detail answers HTTP 500
    37: "missing_title",        # detail without resTitle
    45: "oversized_notes",      # 30,000-character abstract
    53: "html_in_text",         # title and abstract with markup and a script (imported, cleaned)
    61: "wrong_type_count",     # recordTotal "很多" (imported, field dropped)
    69: "slow",                 # detail slower than the harvester's timeout
    77: "title_is_object",      # resTitle is an object
    85: "short_tags",           # keyword "水,城市供水": one-character tag dropped (imported)
    93: "files_404",            # file list answers HTTP 404
    101: "missing_notes",       # no abstract: the schema rejects it (notes required)
}
# Broken records that still become datasets (with warnings).
IMPORTED_WITH_WARNINGS = {53, 61, 85}


@dataclass
class PortalState:
    city: City = fixtures.HEYUAN
    count: int = 110
    broken: bool = True
    slow_seconds: float = 3.0
    removed: set[int] = field(default_factory=set)
    changed: dict[int, dict[str, Any]] = field(default_factory=dict)
    dcat_count: int = 25
    dcat_page_size: int = 10
    dcat_broken_page: int | None = None
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # file name (F00000010.csv) -> bytes served at /data/file/download/<name>; others are 404
    files: dict[str, bytes] = field(default_factory=dict)

    def indexes(self) -> list[int]:
        return [i for i in range(self.count) if i not in self.removed]


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status,
                    mimetype="application/json")


def detail(state: PortalState, i: int) -> dict[str, Any]:
    d = fixtures.kaifang_detail(state.city, i)
    d.update(state.changed.get(i, {}))
    if not state.broken:
        return d
    kind = BROKEN.get(i)
    if kind == "missing_title":
        d.pop("resTitle")
    elif kind == "oversized_notes":
        d["resAbstract"] = "超长摘要" * 7500
    elif kind == "html_in_text":
        d["resTitle"] = d["resTitle"] + "<script>alert('x')</script>"
        d["resAbstract"] = "<p>包括<b>名称</b>、<a href='javascript:alert(1)'>地址</a></p><img src=x onerror=alert(2)>"
    elif kind == "wrong_type_count":
        d["recordTotal"] = "很多"
    elif kind == "title_is_object":
        d["resTitle"] = {"text": 12345, "lang": None}
    elif kind == "short_tags":
        d["keyword"] = "水,城市供水"
    elif kind == "missing_notes":
        d.pop("resAbstract")
    return d


def create_app(state: PortalState | None = None) -> Flask:
    app = Flask(__name__)
    app.config["PORTAL"] = state = state or PortalState()

    def index_of(res_id: Any) -> int | None:
        text = str(res_id or "")
        prefix = f"R{state.city.code}"
        if not text.startswith(prefix) or not text[len(prefix):].isdigit():
            return None
        i = int(text[len(prefix):])
        return i if i < state.count and i not in state.removed else None

    @app.before_request
    def count_requests() -> None:
        with state.lock:
            state.requests += 1

    @app.post("/data/dataSet/findPage")
    def find_page() -> Response:
        body = request.get_json(silent=True) or {}
        try:
            page, size = int(body.get("pageNo", 1)), int(body.get("pageSize", 10))
        except (TypeError, ValueError):
            return _json({"code": 400, "msg": "bad paging"}, 400)
        size = max(1, min(size, 1000))
        if state.removed:
            indexes = state.indexes()
            total = len(indexes)
            chosen = indexes[(page - 1) * size: page * size]
        else:  # no list in memory: 100,000 records stay computed on the fly
            total = state.count
            chosen = list(range((page - 1) * size, min(page * size, total)))
        rows = []
        for i in chosen:
            row = fixtures.kaifang_summary(state.city, i)
            row.update({k: v for k, v in state.changed.get(i, {}).items() if k in row})
            if state.broken and BROKEN.get(i) == "list_without_id":
                row.pop("resId")
            rows.append(row)
        return _json({"code": 200, "msg": "success", "data": {"total": total, "pageNo": page,
                                                              "pageSize": size, "list": rows}})

    @app.post("/data/catalog/selectDataCatalogByResId")
    def select_detail() -> Response:
        i = index_of((request.get_json(silent=True) or {}).get("resId"))
        if i is None:
            return _json({"code": 404, "msg": "数据不存在"}, 404)
        kind = BROKEN.get(i) if state.broken else None
        if kind == "malformed_json":
            return Response('{"code": 200, "data": {"resId": "R', mimetype="application/json")
        if kind == "html_page":
            return Response("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
                            mimetype="text/html")
        if kind == "http_500":
            return _json({"code": 500, "msg": "系统繁忙"}, 500)
        if kind == "slow":
            time.sleep(state.slow_seconds)
        return _json({"code": 200, "msg": "success", "data": detail(state, i)})

    @app.post("/data/file/selectFileList")
    def file_list() -> Response:
        i = index_of((request.get_json(silent=True) or {}).get("resId"))
        if i is None or (state.broken and BROKEN.get(i) == "files_404"):
            return Response("Not Found", status=404, mimetype="text/plain")
        return _json({"code": 200, "data": fixtures.kaifang_files(state.city, i, request.host_url.rstrip("/"))})

    @app.get("/data/file/download/<name>")
    def download(name: str) -> Response:
        if name not in state.files:
            return Response("Not Found", status=404, mimetype="text/plain")
        return Response(state.files[name], mimetype="text/csv")

    @app.get("/catalog.ttl")
    def catalog() -> Response:
        page = request.args.get("page", default=1, type=int)
        if state.dcat_broken_page == page:
            return Response("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<x> a dcat:Dataset ; dct:title \"坏",
                            mimetype="text/turtle")
        return Response(dcat_page(state, request.host_url.rstrip("/"), page), mimetype="text/turtle")

    @app.get("/catalog.jsonld")
    def catalog_jsonld() -> Response:
        page = request.args.get("page", default=1, type=int)
        return Response(dcat_page(state, request.host_url.rstrip("/"), page, "json-ld"),
                        mimetype="application/ld+json")

    return app


def dcat_page(state: PortalState, base: str, page: int, fmt: str = "turtle") -> str:
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

    HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
    VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
    EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
    EU_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
    freq = ["UPDATE_CONT", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL_2", "ANNUAL", "IRREG"]
    city = fixtures.ZHUHAI
    g = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("hydra", HYDRA), ("foaf", FOAF)):
        g.bind(prefix, namespace)
    catalog = URIRef(f"{base}/catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"{city.name}政府数据开放平台", lang="zh")))
    indexes = [i for i in range(state.dcat_count) if i not in state.removed]
    size = state.dcat_page_size
    last = max(1, -(-len(indexes) // size))
    for i in indexes[(page - 1) * size: page * size]:
        d = fixtures.kaifang_detail(city, i)
        d.update(state.changed.get(i, {}))
        ds = URIRef(f"http://{city.host}/dataset/{i:05d}")
        g.add((catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.title, Literal(d["resTitle"], lang="zh")))
        g.add((ds, DCTERMS.description, Literal(d["resAbstract"], lang="zh")))
        g.add((ds, DCTERMS.identifier, Literal(d["resCode"])))
        for kw in d["keyword"].split(","):
            g.add((ds, DCAT.keyword, Literal(kw, lang="zh")))
        g.add((ds, DCAT.theme, URIRef(f"http://{city.host}/theme/{d['subjectName']}")))
        g.add((ds, DCTERMS.accrualPeriodicity, URIRef(EU_FREQ + freq[i % len(freq)])))
        g.add((ds, DCTERMS.accessRights, URIRef(EU_ACCESS + ("RESTRICTED" if i % 10 == 3 else "PUBLIC"))))
        g.add((ds, DCTERMS.issued, Literal(d["publishDate"][:10], datatype=XSD.date)))
        g.add((ds, DCTERMS.modified, Literal(d["dataUpdateTime"].replace(" ", "T"), datatype=XSD.dateTime)))
        pub = BNode()
        g.add((ds, DCTERMS.publisher, pub))
        g.add((pub, RDF.type, FOAF.Agent))
        g.add((pub, FOAF.name, Literal(d["officeName"], lang="zh")))
        contact = BNode()
        g.add((ds, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(d["officeName"])))
        g.add((contact, VCARD.hasEmail, URIRef("mailto:" + d["email"])))
        dist = URIRef(f"http://{city.host}/dataset/{i:05d}/file")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(d["resTitle"] + "数据文件", lang="zh")))
        g.add((dist, DCAT.accessURL, URIRef(f"http://{city.host}/files/{i:05d}.{d['sourceSuffix']}")))
        g.add((dist, DCTERMS.format, Literal(d["sourceSuffix"].upper())))
    ext = "ttl" if fmt == "turtle" else "jsonld"
    coll = URIRef(f"{base}/catalog.{ext}?page={page}")
    g.add((coll, RDF.type, HYDRA.PagedCollection))
    g.add((coll, HYDRA.totalItems, Literal(len(indexes))))
    g.add((coll, HYDRA.itemsPerPage, Literal(size)))
    g.add((coll, HYDRA.firstPage, Literal(f"{base}/catalog.{ext}?page=1")))
    g.add((coll, HYDRA.lastPage, Literal(f"{base}/catalog.{ext}?page={last}")))
    if page < last:
        g.add((coll, HYDRA.next, Literal(f"{base}/catalog.{ext}?page={page + 1}")))
    return g.serialize(format=fmt)
