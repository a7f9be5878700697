"""Facet links of search pages (theme/helpers.py add_url_param, remove_url_param): CKAN's
hrefs, with the page's own URL made once per request instead of once per link."""
from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def _page(gd_app: Any, url: str, monkeypatch: Any, ckans_way: bool) -> tuple[list[str], int]:
    """The page's hrefs and how often it built a URL of its own endpoint for them."""
    from ckan.lib import helpers as ckan_helpers

    from ckanext.guangdong.theme import helpers, page_cache
    built = []
    real = ckan_helpers._create_url_with_params

    def counting(*args: Any, **kwargs: Any) -> str:
        built.append(1)
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ckan_helpers, "_create_url_with_params", counting)
        if ckans_way:
            patch.setattr(helpers, "_page_url", lambda extras: None)
        page_cache.bump_version()  # rendered, not the anonymous page cache's copy
        body = gd_app.get(url).body
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', body)], len(built)


def test_facet_links_are_ckans_and_the_page_url_is_built_once(gd_app: Any, monkeypatch: Any) -> None:
    import ckan.plugins.toolkit as tk
    from gd_testing import dataset_dict, make_org, make_sysadmin

    word = f"facetlinks{uuid.uuid4().hex[:8]}"
    org = make_org(title="分面链接测试局")
    user = make_sysadmin()["name"]
    for i, tags in enumerate(("交通,公交", "交通,地铁", "教育")):
        tk.get_action("package_create")({"user": user}, dataset_dict(
            org["id"], title=f"{word} 数据集 {i}", tag_string=tags,
            name=f"{word}-{i}"))
    url = f"/dataset/?q={word}&tags=交通&sort=metadata_modified+desc&page=1"
    ours, ours_built = _page(gd_app, url, monkeypatch, ckans_way=False)
    ckans, ckans_built = _page(gd_app, url, monkeypatch, ckans_way=True)
    facet_links = [h for h in ours if "tags=" in h or "organization=" in h or "res_format=" in h]
    assert len(facet_links) >= 5  # active 交通 (remove), 公交/地铁 (add), organization, format
    assert any(h.startswith("/dataset/?q=") and "tags=交通" not in h for h in facet_links)
    assert ours == ckans
    assert ours_built == 1  # once for the page, for every facet link
    assert ckans_built >= len(facet_links)
