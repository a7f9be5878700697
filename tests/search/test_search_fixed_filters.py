"""CKAN's fixed filters bind whatever a caller's fq says: over HTTP, as anonymous, no
application, harvest source, private or draft dataset appears through a hostile fq, on the
API, the /dataset page or the DCAT catalog.

CKAN splices the caller's fq into one string with its own clauses
(``+capacity:public <fq> +dataset_type:dataset -dataset_type:harvest +state:(active)``);
under Lucene's rules an OR in the caller's part could make its neighbours optional. The
search plugin brackets the caller's fq as a filter of its own (search/logic/action.py).

Filters that *name* a dataset type (``dataset_type:application``) choose the types on
purpose (CKAN's, ckanext-harvest's and the application plugin's rule) and are not hostile.
"""
from __future__ import annotations

import json
import random
import string
import uuid
from typing import Any

import pytest
import requests

# Engine-neutral: make test-solr runs it against a real Solr 9 as well.
pytestmark = [pytest.mark.usefixtures("gd_search"), pytest.mark.search_engine_neutral]

HOSTILE_FQ = [
    'state:active OR theme:"道路交通"',           # the reported one
    "*:* OR state:active",
    "state:active OR *:*",
    "theme:道路交通 OR",                             # a dangling OR (refused)
    "x OR +dataset_type:dataset",                   # OR would make the + optional
    "capacity:private OR capacity:public",
    "permission_labels:* OR *:*",
    "site_id:* OR *:*",
    "(*:*) OR (*:*)",
    "-theme:不存在",                                 # exclusions only
    "!theme:不存在 OR *:*",
    ") OR (*:*",                                     # unbalanced (refused)
    "*:* /*",                                        # a comment swallowing the rest
    "*:* \\",                                        # a dangling escape (refused)
    '*:* OR "',                                      # an open quote (refused)
    "*:* OR [* TO",                                  # an open range (refused)
    "+state:(active OR draft) OR *:*",               # lifts CKAN's state clause only
    "*:* || *:*",
    "*:*||*:*",
]


@pytest.fixture(scope="module")
def world(gd_search: None) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from gd_testing import make_sysadmin
    from search_helpers import unique
    admin = make_sysadmin()
    # Letters only: Solr's text analysis splits letters from digits, and the marker must
    # stay one word that no other run's datasets share.
    marker = "fx" + "".join(random.choices(string.ascii_lowercase, k=12))
    org = factories.Organization(name=unique("fixed"), title="固定条件测试部门")
    ctx = {"user": admin["name"], "ignore_auth": True}

    def dataset(title: str, **extra: Any) -> dict[str, Any]:
        data = {"type": "dataset", "name": unique("fx"), "title": f"{marker} {title}",
                "notes": "说明。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
                "owner_org": org["id"], "private": False, "publisher_name": "广东省数据管理局",
                "publisher_identifier": "11440000006940081X", "theme": ["道路交通"],
                "access_rights": "unconditional", "frequency": "monthly",
                "issued": "2018-06-01", "modified": "2018-07-01", "region_code": "440100",
                "contact_name": "数据科", "contact_email": "opendata@gd.gov.cn",
                "contact_phone": "020-12345678", "record_count": 10, "license_id": "cc-by",
                "resources": [{"url": "http://127.0.0.1/x.csv", "name": "文件", "format": "CSV"}]}
        data.update(extra)
        return tk.get_action("package_create")(dict(ctx), data)

    public = [dataset("公开道路数据"), dataset("公开环保数据", theme=["生态环保"])]
    hidden = [dataset("私有数据", private=True), dataset("草稿数据", state="draft")]
    app = tk.get_action("package_create")(dict(ctx), {
        "type": "application", "title": f"{marker} 应用", "notes": "应用说明。",
        "owner_org": org["id"], "developer_name": "广州某科技有限公司",
        "developer_type": "organization", "application_kind": "web",
        "url": "https://example.com/app", "launch_date": "2018-10-01", "theme": ["道路交通"],
        "contact_email": "dev@example.com", "used_datasets": [public[0]["name"]]})
    source = tk.get_action("harvest_source_create")(dict(ctx), {
        "name": unique("fxsource"), "title": f"{marker} 采集源", "url": f"http://127.0.0.1:9/{marker}",
        "source_type": "guangdong_ckan", "owner_org": org["id"], "frequency": "MANUAL",
        "config": json.dumps({"region_code": "441600"})})
    return {"marker": marker, "public": {d["name"] for d in public},
            "public_ids": {d["id"] for d in public},
            "hidden": {d["name"] for d in hidden} | {app["name"], source["name"]},
            "hidden_ids": {d["id"] for d in hidden} | {app["id"], source["id"]}}


def api_search(base: str, **params: Any) -> requests.Response:
    return requests.get(f"{base}/api/3/action/package_search", params=params, timeout=60)


def test_fixture_really_holds_an_application_and_a_harvest_source(
        live_server: str, world: dict[str, Any]) -> None:
    """Otherwise the test below would prove nothing: asked for by type, they are there."""
    for kind in ("application", "harvest"):
        answer = api_search(live_server, q=world["marker"], fq=f"dataset_type:{kind}").json()
        assert answer["result"]["count"] == 1, kind


@pytest.mark.parametrize("fq", HOSTILE_FQ)
def test_hostile_fq_on_the_api(live_server: str, world: dict[str, Any], fq: str) -> None:
    answer = api_search(live_server, q=world["marker"], fq=fq, rows=100)
    assert answer.status_code in (200, 400), answer.text[:300]
    if answer.status_code == 400:
        assert answer.json()["error"]["__type"] == "Search Query Error"
        return
    names = {r["name"] for r in answer.json()["result"]["results"]}
    assert names == world["public"], fq


@pytest.mark.parametrize("fq", HOSTILE_FQ[:6])
def test_hostile_fq_with_include_private_and_drafts(live_server: str, world: dict[str, Any],
                                                    fq: str) -> None:
    """Anonymous asking for private datasets and drafts still gets the public ones only:
    the permission labels are a filter of their own."""
    answer = api_search(live_server, q=world["marker"], fq=fq, rows=100, include_private="true",
                        include_drafts="true")
    if answer.status_code == 200:
        assert {r["name"] for r in answer.json()["result"]["results"]} == world["public"]


@pytest.mark.parametrize("fq", HOSTILE_FQ[:3] + HOSTILE_FQ[4:11])
def test_hostile_fq_on_the_dcat_catalog(live_server: str, world: dict[str, Any], fq: str) -> None:
    answer = requests.get(f"{live_server}/catalog.ttl", params={"q": world["marker"], "fq": fq},
                          timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    body = answer.content.decode("utf-8")  # the dataset URIs hold the ids
    for hidden in world["hidden"] | world["hidden_ids"]:
        assert hidden not in body
    for public in world["public_ids"]:
        assert public in body


@pytest.mark.parametrize("value", [
    'x" OR dataset_type:"application', 'x" OR *:* OR "x', '道路交通" OR state:"draft',
])
def test_hostile_facet_value_on_the_dataset_page(live_server: str, world: dict[str, Any],
                                                 value: str) -> None:
    """/dataset puts facet values into fq as field:"value" without escaping them."""
    page = requests.get(f"{live_server}/dataset/", params={"q": world["marker"], "theme": value},
                        timeout=60)
    assert page.status_code in (200, 400)
    for name in world["hidden"]:
        assert name not in page.text
