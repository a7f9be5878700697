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
