"""The listing pages that answer 500 without a search engine, through the real web app."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd_search")


@pytest.mark.search_engine_neutral
def test_dataset_listing_search_and_facet_click(app: Any, make_org: Callable,
                                               make_dataset: Callable) -> None:
    org = make_org(title="测试页面部门")
    make_dataset(org, title="页面测试空气质量数据", theme=["生态环保"])
    home = app.get("/")
    assert home.status_code == 200
    listing = app.get("/dataset/", query_string={"q": "空气質量"})  # traditional 質
    assert listing.status_code == 200 and "页面测试空气质量数据" in listing.get_data(as_text=True)
    clicked = app.get("/dataset/", query_string={"q": "页面测试", "theme": "生态环保",
                                                 "organization": org["name"]})
    assert clicked.status_code == 200 and "页面测试空气质量数据" in clicked.get_data(as_text=True)
    org_page = app.get(f"/organization/{org['name']}")
    assert org_page.status_code == 200 and "页面测试空气质量数据" in org_page.get_data(as_text=True)
    error = app.get("/dataset/", query_string={"q": "--included"})
    # CKAN's "invalid search query" page with our message, not a 500.
    assert error.status_code == 400 and "语法错误" in error.get_data(as_text=True)


@pytest.mark.search_engine_neutral
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_unknown_url_parameters_are_not_filters(app: Any, make_org: Callable,
                                                make_dataset: Callable, prefix: str) -> None:
    """A shared link (?q=...&utm_source=wechat&from=timeline) lists what the same search
    without them lists: CKAN turned each unknown parameter into a filter
    (utm_source:"wechat"), so nothing was found and a chip "None: wechat" showed. Real
    fields (a facet, an index field) still filter, as in CKAN."""
    org = make_org(title="分享链接部门")
    make_dataset(org, title="分享链接公交线路数据", theme=["道路交通"])
    shared = app.get(f"{prefix}/dataset/", query_string={
        "q": "分享链接公交", "utm_source": "wechat", "from": "timeline", "spm": "a.b",
        # index fields a visitor does not filter on: WeChat OAuth's state, name, version...
        "code": "x", "state": "STATE", "name": "n", "version": "1", "dataset_type": "harvest"})
    page = shared.get_data(as_text=True)
    assert shared.status_code == 200 and "分享链接公交线路数据" in page
    assert 'class="filtered pill"' not in page and '<span class="facet">' not in page
    on_org_page = app.get(f"{prefix}/organization/{org['name']}",
                          query_string={"utm_source": "wechat"})
    assert "分享链接公交线路数据" in on_org_page.get_data(as_text=True)
    # a facet and an index field still filter (no dataset of this search has them)
    for field, value in (("theme", "生态环保"), ("res_format", "SHP"), ("tags", "无此标签")):
        filtered = app.get(f"{prefix}/dataset/", query_string={"q": "分享链接公交", field: value})
        assert filtered.status_code == 200
        assert "分享链接公交线路数据" not in filtered.get_data(as_text=True), field


def test_page_filters_are_index_fields() -> None:
    """search/fields.py names only fields of the Solr schema production uses (the
    embedded backend follows it), and none of the internal ones."""
    import re
    from pathlib import Path

    from ckanext.guangdong.metadata.internal import INTERNAL_FIELDS
    from ckanext.guangdong.search import fields
    schema = (Path(__file__).resolve().parents[2] / "docker/solr/conf/schema.xml").read_text()
    declared = set(re.findall(r'<field name="([^"]+)"', schema))
    assert fields.PUBLIC_FIELDS <= declared, fields.PUBLIC_FIELDS - declared
    internal = {"data_dict", "validated_data_dict", "index_id", "site_id", "capacity",
                "permission_labels", "text", "text_zh", "_version_", *INTERNAL_FIELDS}
    assert not fields.PUBLIC_FIELDS & internal
    assert fields.public_fl("*") == sorted(fields.PUBLIC_FIELDS)
    assert fields.public_fl("id,data_dict score title*") == ["id", "score", "title", "title_string"]
    assert fields.public_fl(["validated_data_dict", "creator_user_id"]) == ["id"]
    # facets only on public keyword fields (no tokenized text: its facet is the vocabulary)
    strings = set(re.findall(r'<field name="([^"]+)" type="string"', schema))
    assert fields.FACETABLE_FIELDS <= fields.PUBLIC_FIELDS & strings
    multi = set(re.findall(r'<field name="([^"]+)"[^>]*multiValued="true"', schema))
    sortable = fields.SORTABLE_FIELDS - {"score"}
    assert sortable <= declared and not sortable & (multi | internal)
    assert sortable - {"views_recent", "views_total"} <= fields.PUBLIC_FIELDS
