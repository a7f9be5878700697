"""ckanext-dcat's catalog with search parameters: its page links used to be built from the
raw request parameters, so a q or fq with a space (with hits) made an invalid URI and a
500 in the RDF serializer. The links are now percent-encoded and lead back to the same
search."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from rdflib import Graph, Namespace, URIRef

pytestmark = pytest.mark.usefixtures("gd_search")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.fixture(scope="module")
def marker(gd_search: None) -> str:
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from gd_testing import make_sysadmin
    from search_helpers import unique
    admin = make_sysadmin()
    org = factories.Organization(name=unique("dcat"))
    word = f"dc{uuid.uuid4().hex[:8]}"
    for title in (f"{word} PM2.5 监测 站点", f"{word} PM2.5 监测 日报"):
        tk.get_action("package_create")({"user": admin["name"], "ignore_auth": True}, {
            "type": "dataset", "name": unique("dc"), "title": title, "notes": "空气质量。",
            "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}", "owner_org": org["id"],
            "publisher_name": "广东省生态环境厅", "publisher_identifier": "11440000006940081X",
            "theme": ["生态环保"], "access_rights": "unconditional", "frequency": "daily",
            "issued": "2018-06-01", "modified": "2018-07-01", "region_code": "440100",
            "contact_name": "数据科", "contact_email": "opendata@gd.gov.cn",
            "contact_phone": "020-12345678", "record_count": 10, "license_id": "cc-by",
            "resources": [{"url": "http://127.0.0.1/a.csv", "name": "文件", "format": "CSV"}]})
    return word


@pytest.mark.parametrize("fmt,rdf_format", [("ttl", "turtle"), ("xml", "xml"),
                                            ("jsonld", "json-ld")])
@pytest.mark.parametrize("params", [
    lambda w: {"q": f"{w} PM2.5 监测"},
    lambda w: {"q": w, "fq": 'theme:"生态环保" AND res_format:CSV'},
    lambda w: {"q": f"{w} 监测", "fq": "res_format:CSV", "modified_since": "2000-01-01"},
])
def test_catalog_page_links_are_valid_and_repeat_the_search(
        live_server: str, marker: str, fmt: str, rdf_format: str,
        params: Callable[[str], dict[str, Any]]) -> None:
    asked = params(marker)
    answer = requests.get(f"{live_server}/catalog.{fmt}", params=asked, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    graph = Graph().parse(data=answer.content, format=rdf_format)
    pages = list(graph.subjects(predicate=None, object=HYDRA.PagedCollection))
    assert len(pages) == 1, "datasets found, with their pagination"
    # At least our two (mm lets a three-word query match two of the words).
    assert int(graph.value(pages[0], HYDRA.totalItems)) >= 2
    for link in (pages[0], graph.value(pages[0], HYDRA.firstPage),
                 graph.value(pages[0], HYDRA.lastPage)):
        url = urlparse(str(link))
        assert " " not in str(link)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query == {**asked, "page": "1"}
    assert isinstance(pages[0], URIRef)
