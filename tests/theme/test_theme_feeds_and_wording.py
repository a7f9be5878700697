"""Atom feeds in the page's language with working links, and the API sentence under the
dataset search results (CKAN's zh: "您也可以使用API (看 API文献)注册.")."""
from __future__ import annotations

import re

import pytest
import requests

pytestmark = pytest.mark.usefixtures("gd_plugins")


def test_custom_feed_in_chinese_with_the_request_in_its_links(live_server: str) -> None:
    text = requests.get(live_server + "/feeds/custom.atom", params={"q": "交通", "page": "2"},
                        timeout=60).text
    assert 'xml:lang="zh-Hans-CN"' in text
    assert "自定义查询" in text and "Custom query" not in text
    assert "最近新增或更新的数据集" in text and "Recently created" not in text
    links = dict((rel, href) for href, rel in re.findall(r'<link href="([^"]*)" rel="(\w+)"/>', text))
    assert links["self"] == "/feeds/custom.atom?q=%E4%BA%A4%E9%80%9A&amp;page=2", links
    assert links["alternate"] == "/dataset/?q=%E4%BA%A4%E9%80%9A", links
    assert "query=" not in text
    assert not re.search(r"page=\d+\.\d", text)   # CKAN's last page was a fraction


def test_english_feed_says_english(live_server: str) -> None:
    text = requests.get(live_server + "/en/feeds/custom.atom", params={"q": "交通"}, timeout=60).text
    assert 'xml:lang="en"' in text and "Custom query" in text and "自定义查询" not in text


def test_api_sentence_under_search_results_reads_well(live_server: str) -> None:
    zh = requests.get(live_server + "/dataset/", timeout=60).text
    assert "访问本目录" in zh and "(看" not in zh and "API文献" not in zh and "注册." not in zh
    en = requests.get(live_server + "/en/dataset/", timeout=60).text
    assert "You can also access this registry" in en


def test_the_admin_page_names_the_username_field_in_the_pages_language(gd_app) -> None:
    """CKAN's /ckan-admin writes the promote field's placeholder as plain "Username" (trial 8:
    English on the Chinese page)."""
    import ckan.plugins.toolkit as tk
    from gd_testing import make_sysadmin
    admin = make_sysadmin()
    token = tk.get_action("api_token_create")({"ignore_auth": True, "user": admin["name"]},
                                              {"user": admin["name"], "name": "admin-page"})["token"]
    zh = gd_app.get("/ckan-admin", headers={"Authorization": token}).get_data(as_text=True)
    assert 'placeholder="用户名"' in zh and "Username" not in zh
    en = gd_app.get("/en/ckan-admin", headers={"Authorization": token}).get_data(as_text=True)
    assert 'placeholder="Username"' in en


def test_403_says_dataset_and_the_edit_page_title_names_the_dataset(gd_app) -> None:
    """Trial 9, item 11: CKAN's zh catalog calls a dataset 组件 (the 403 page of /dataset/new
    said 没有权限创建组件); the edit page's title was only "数据集 - 开放广东"."""
    import ckan.plugins.toolkit as tk
    from gd_testing import dataset_dict, make_org, make_sysadmin
    zh = gd_app.get("/dataset/new", status=None).get_data(as_text=True)
    assert "没有权限创建数据集" in zh and "组件" not in zh
    en = gd_app.get("/en/dataset/new", status=None).get_data(as_text=True)
    assert "Unauthorized to create a dataset" in en
    admin = make_sysadmin()
    context = {"ignore_auth": True, "user": admin["name"]}
    pkg = tk.get_action("package_create")(context, dataset_dict(make_org()["id"], title="各区常住人口统计"))
    token = tk.get_action("api_token_create")(context, {"user": admin["name"], "name": "edit-page"})["token"]
    page = gd_app.get(f"/dataset/edit/{pkg['name']}", headers={"Authorization": token}).get_data(as_text=True)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "编辑" in title and "各区常住人口统计" in title, title
