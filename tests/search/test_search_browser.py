"""The search box and its errors as users meet them, in headless Chromium (Debian's chromium
through Playwright), Chinese first, then English: an operator query finds the AND set, a
query the parser cannot read and a malformed sort give a 400 page with our message in the
page's language. GD_SCREENSHOTS=<dir> keeps screenshots for a look."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from gd_chromium import ARGS, CHROMIUM, needs_chromium

SHOTS = os.environ.get("GD_SCREENSHOTS")

pytestmark = [
    pytest.mark.usefixtures("gd_search"),
    needs_chromium,
]


@pytest.fixture(scope="module")
def titles(gd_search: None) -> dict[str, str]:
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from gd_testing import make_sysadmin
    from search_helpers import unique
    admin = make_sysadmin()
    org = factories.Organization(name=unique("browser"), title="浏览器测试部门")
    word = f"br{uuid.uuid4().hex[:8]}"
    made = {}
    for key, title in (("both", f"{word} 交通医疗数据"), ("one", f"{word} 交通出行数据")):
        made[key] = tk.get_action("package_create")({"user": admin["name"], "ignore_auth": True}, {
            "type": "dataset", "name": unique("br"), "title": title, "notes": "名录。",
            "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}", "owner_org": org["id"],
            "publisher_name": "广东省数据管理局", "publisher_identifier": "11440000006940081X",
            "theme": ["城乡建设"], "access_rights": "unconditional", "frequency": "monthly",
            "issued": "2018-06-01", "modified": "2018-07-01", "region_code": "440100",
            "contact_name": "数据科", "contact_email": "opendata@gd.gov.cn",
            "contact_phone": "020-12345678", "record_count": 10, "license_id": "cc-by",
            "resources": [{"url": "http://127.0.0.1/a.csv", "name": "文件", "format": "CSV"}]})["title"]
    made["word"] = word
    return made


@pytest.fixture
def page(live_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page()
        outside: list[str] = []
        tab.on("request", lambda r: outside.append(r.url)
               if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
        yield tab
        assert not outside, outside
        browser.close()


def visit(page: Any, url: str, shot: str) -> Any:
    answer = page.goto(url)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"search-{shot}.png"), full_page=True)
    return answer


@pytest.mark.parametrize("lang", ["", "/en"])
def test_operator_query_in_the_search_box(live_server: str, page: Any, titles: dict[str, str],
                                          lang: str) -> None:
    visit(page, f"{live_server}{lang}/dataset/", f"box{lang.replace('/', '-')}")
    page.fill("#field-giant-search", f"{titles['word']} 交通 && 医疗")
    page.press("#field-giant-search", "Enter")
    page.wait_for_load_state()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"search-and{lang.replace('/', '-')}.png"),
                        full_page=True)
    text = page.inner_text("body")
    assert titles["both"] in text and titles["one"] not in text


@pytest.mark.parametrize("lang,expected,absent", [
    ("", ["排序参数", "无效"], ["Invalid sort"]),
    ("/en", ["Invalid sort", "field asc"], ["排序参数"]),
])
def test_bad_sort_page(live_server: str, page: Any, lang: str, expected: list[str],
                       absent: list[str]) -> None:
    answer = visit(page, f"{live_server}{lang}/dataset/?" + urlencode({"sort": "title_string asc,"}),
                   f"sort{lang.replace('/', '-')}")
    assert answer.status == 400
    text = page.inner_text("body")
    assert all(e in text for e in expected) and not any(a in text for a in absent)


@pytest.mark.parametrize("lang,expected", [("", "搜索语句不完整"), ("/en", "Search query incomplete")])
def test_unreadable_query_page(live_server: str, page: Any, lang: str, expected: str) -> None:
    answer = visit(page, f"{live_server}{lang}/dataset/?" + urlencode({"q": 'title:"交通'}),
                   f"syntax{lang.replace('/', '-')}")
    assert answer.status == 400
    text = page.inner_text("body")
    assert expected in text and "SELECT" not in text and "Traceback" not in text


@pytest.mark.search_engine_neutral
@pytest.mark.parametrize("lang,results", [("", "个数据集"), ("/en", "dataset")])
def test_shared_link_with_tracking_parameters(live_server: str, page: Any, titles: dict[str, str],
                                              lang: str, results: str) -> None:
    """A link shared from WeChat (utm_source, from) lists what the search itself finds, with
    no filter chip for the unknown parameters."""
    url = f"{live_server}{lang}/dataset/?" + urlencode(
        {"q": titles["word"], "utm_source": "wechat", "from": "timeline", "state": "STATE"})
    answer = visit(page, url, f"shared{lang.replace('/', '-')}")
    assert answer.status == 200
    text = page.inner_text("body")
    assert titles["both"] in text and titles["one"] in text and results in text
    assert "wechat" not in text and "STATE" not in text and "None" not in text and page.locator(".filtered.pill").count() == 0


@pytest.mark.search_engine_neutral
@pytest.mark.parametrize("q", ["{!lucene}*:*", "_query_:x"])
@pytest.mark.parametrize("lang,expected,absent", [
    ("", ["不支持的搜索语法"], ["Error", "error while searching", "not supported"]),
    ("/en", ["Search query syntax not supported"], ["不支持"]),
])
def test_local_parameters_page(live_server: str, page: Any, lang: str, expected: list[str],
                               absent: list[str], q: str) -> None:
    """q={!lucene}*:* (and _query_:x) was a 200 page with an English "Error" notice on the
    Chinese page."""
    answer = visit(page, f"{live_server}{lang}/dataset/?" + urlencode({"q": q}),
                   f"localparams{lang.replace('/', '-')}-{q[:2]}")
    assert answer.status == 400
    text = page.inner_text("body")
    assert all(e in text for e in expected), text[:600]
    assert not any(a in text for a in absent), text[:600]
