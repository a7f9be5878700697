"""Pages the user and attacker trials found wanting, in Chromium in zh then en: the DataTables
preview (its tab read "Table" on Chinese pages, its search box's icon was a 404), a search
for "*", an over-long search text (the server's English 414 before), a bad sort of the
publishers' list and the API sentence under the search results."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import _context

pytestmark = pytest.mark.usefixtures("browser_plugins")


@pytest.fixture(scope="module")
def preview(portal_catalog: dict[str, Any]) -> dict[str, Any]:
    """The catalog's CSV in the DataStore with a DataTables view named as CKAN names the
    views it makes outside a request (in English)."""
    res = portal_catalog["resource"]
    tk.get_action("datastore_create")(_context(), {
        "resource_id": res["id"], "force": True,
        "fields": [{"id": "站点名称", "type": "text"}, {"id": "车位数", "type": "int"}],
        "records": [{"站点名称": "天河公园", "车位数": 20}, {"站点名称": "珠江新城", "车位数": 35}]})
    view = tk.get_action("resource_view_create")(_context(), {
        "resource_id": res["id"], "view_type": "datatables_view", "title": "Table"})
    return {**portal_catalog, "view": view}


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_datatables_preview(journey: Any, preview: dict[str, Any], lang: str) -> None:
    j = journey("preview", lang, allowed_words=(preview["title"],))
    failed: list[str] = []
    j.page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    j.goto(f"/dataset/{preview['dataset']['name']}/resource/{preview['resource']['id']}")
    j.page.frame_locator("iframe").locator("#dtprv tbody tr").first.wait_for()
    tab = j.page.locator(f"a.view-item[data-id='{preview['view']['id']}']").inner_text().strip()
    assert tab == ("表格" if lang == "zh_Hans_CN" else "Table"), tab
    # the row-number column and the sort line under the table: no "Sort: _id" (English, internal)
    frame = j.page.frame_locator("iframe")
    row = "行号" if lang == "zh_Hans_CN" else "Row"
    assert frame.locator("#dtprv thead th").first.inner_text().strip() == row
    sortinfo = frame.locator("div.sortinfo")
    sortinfo.wait_for()
    text = " ".join(sortinfo.inner_text().split())
    assert "_id" not in text and text.startswith("排序" if lang == "zh_Hans_CN" else "Sort"), text
    assert row in text, text
    j.check("datatables")
    assert not failed, failed          # the search box's clear icon was a 404
    j.finish()                         # no request left 127.0.0.1


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_search_pages_answer_clearly(journey: Any, portal_catalog: dict[str, Any], lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    j = journey("search-answers", lang, allowed_words=(portal_catalog["title"],))
    page = j.page

    j.goto("/dataset/?q=*")
    assert page.locator(".dataset-item").count() > 0, "a search for * found nothing"
    assert ("访问本目录" if zh else "You can also access this registry") in page.content()
    # the results (and their tags in the facets) are other tests' data too, not the portal's words
    shown = " ".join(page.locator(".dataset-item, aside").all_inner_texts()).split()
    j.check("star", allow=shown)

    answer = page.goto(j.url("/dataset/?q=" + "交" * 501))
    assert answer is not None and answer.status == 400
    assert ("搜索语句过长（最多 500 个字符）" if zh else "Search query too long (at most 500 characters)") \
        in page.content()
    j.check("too-long", modules=False)

    answer = page.goto(j.url("/organization/?sort=foo"))
    assert answer is not None and answer.status == 400
    assert ("无法按“foo”排序" if zh else "Cannot sort by “foo”") in page.content()
    j.check("bad-sort", allow=("foo",), modules=False)   # the value the user typed
    # the browser reports each 400 it was meant to get as a console error
    j.console_errors[:] = [e for e in j.console_errors if "status of 400" not in e]
    j.finish()
