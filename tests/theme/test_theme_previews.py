"""Previews: CKAN's image, text and web-page views are made by default for the files they fit,
when the file is on this portal; a link elsewhere gets none (a view would make every visitor
fetch another host), and such a view cannot be made by hand either. No warnings about view
plugins that are not there."""
from __future__ import annotations

import base64
import io
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from gd_chromium import chromium_session, needs_chromium
from gd_testing import dataset_dict, make_org, make_user

pytestmark = pytest.mark.usefixtures("gd")

# a 2x2 red PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAxMDAAAAjRQQBTzKxSQAAAABJRU5ErkJggg==")
FILES = {
    "map.png": (PNG, ["image_view"]),
    "list.json": ('{"站点": "越秀", "AQI": 42}'.encode(), ["text_view"]),
    "notes.txt": ("空气质量日报说明".encode(), ["text_view"]),
    "page.html": ("<meta charset=\"utf-8\"><h1>说明</h1><script>parent.document.title='x'</script>".encode(), ["webpage_view"]),
    "data.csv": ("站点,AQI\n越秀,42\n".encode(), []),  # tabular previews come with the DataStore
}


@pytest.fixture(scope="module")
def editor(gd_plugins: None) -> dict[str, Any]:
    user = make_user()
    org = make_org(image_url="", users=[{"name": user["name"], "capacity": "editor"}])
    pkg = tk.get_action("package_create")({"user": user["name"]},
                                          dataset_dict(org["id"], resources=[], title="预览测试数据集"))
    return {"user": user, "pkg": pkg, "headers": {"Authorization": factories.APIToken(user=user["name"])["token"]}}


def _upload(gd_app, editor, filename: str, body: bytes) -> dict[str, Any]:
    return gd_app.post("/api/3/action/resource_create", headers=editor["headers"], data={
        "package_id": editor["pkg"]["id"], "upload": (io.BytesIO(body), filename)}).json["result"]


def _views(resource_id: str) -> list[str]:
    return [v["view_type"] for v in helpers.call_action("resource_view_list", id=resource_id)]


def test_uploaded_files_get_the_views_that_fit(gd_app, editor, caplog):
    caplog.set_level(logging.WARNING, logger="ckan.lib.datapreview")
    for filename, (body, views) in FILES.items():
        res = _upload(gd_app, editor, filename, body)
        assert _views(res["id"]) == views, filename
    assert not [r for r in caplog.records if "could not be found" in r.getMessage()]


def test_links_elsewhere_get_no_view(editor):
    ctx = {"user": editor["user"]["name"]}
    for url in ("http://203.0.113.7/map.png", "https://data.example.cn/page.html",
                "//evil.example/x.json"):
        res = helpers.call_action("resource_create", ctx, package_id=editor["pkg"]["id"], url=url, name="外链")
        assert _views(res["id"]) == [], url
    own = tk.config["ckan.site_url"] + "/files/map.png"
    res = helpers.call_action("resource_create", ctx, package_id=editor["pkg"]["id"], url=own, name="本站")
    assert _views(res["id"]) == ["image_view"]


def test_a_view_of_another_site_cannot_be_made_by_hand(gd_app, editor):
    ctx = {"user": editor["user"]["name"]}
    link = helpers.call_action("resource_create", ctx, package_id=editor["pkg"]["id"],
                               url="http://203.0.113.7/map.png", name="外链图片")
    with pytest.raises(tk.ValidationError) as err:
        helpers.call_action("resource_view_create", ctx, resource_id=link["id"],
                            view_type="image_view", title="图")
    assert "another site" in str(err.value.error_dict)
    own = _upload(gd_app, editor, "own.png", PNG)
    view = helpers.call_action("resource_view_list", id=own["id"])[0]
    with pytest.raises(tk.ValidationError):
        helpers.call_action("resource_view_create", ctx, resource_id=own["id"], view_type="image_view",
                            title="图", image_url="http://203.0.113.7/other.png")
    with pytest.raises(tk.ValidationError):
        helpers.call_action("resource_view_update", ctx, id=view["id"], title="图",
                            image_url="https://203.0.113.7/other.png")
    answer = gd_app.post("/api/3/action/resource_view_create", status=409,
                         headers={**editor["headers"], "Accept-Language": "zh-CN"},
                         json={"resource_id": link["id"], "view_type": "webpage_view", "title": "页"})
    assert "预览只显示本平台上的文件" in str(answer.json["error"])


@needs_chromium
@pytest.mark.parametrize("prefix", ["", "/en"], ids=["zh_Hans_CN", "en"])
def test_previews_in_a_browser(live_server, gd_app, editor, prefix):
    png = _upload(gd_app, editor, "map.png", PNG)
    js = _upload(gd_app, editor, "list.json", FILES["list.json"][0])
    html = _upload(gd_app, editor, "page.html", FILES["page.html"][0])
    base = f"{prefix}/dataset/{editor['pkg']['name']}/resource"
    with chromium_session(live_server) as b:
        page = b.open(f"{base}/{png['id']}")
        img = page.locator(".resource-view img, .module-resource img[alt='map.png']").first
        assert img.get_attribute("alt") == "map.png"
        assert page.evaluate("el => el.naturalWidth", img.element_handle()) == 2
        b.screenshot(f"preview-image{prefix or '-zh'}")
        page = b.open(f"{base}/{js['id']}")
        text = page.frame_locator("iframe").first.locator("pre").first  # CKAN's text view is iframed
        text.filter(has_text="越秀").wait_for(timeout=10_000)
        b.screenshot(f"preview-text{prefix or '-zh'}")
        page = b.open(f"{base}/{html['id']}")
        frame = page.locator("iframe[sandbox]").first
        assert frame.get_attribute("title") == "page.html"
        assert page.title() != "x"  # the uploaded page's script cannot reach this page
        b.screenshot(f"preview-webpage{prefix or '-zh'}")
        # the one error is the uploaded page's own script being stopped by the sandbox
        blocked = [e for e in b.console_errors if 'Blocked a frame with origin "null"' in e]
        assert blocked and [e for e in b.console_errors if e not in blocked] == []
        assert b.outside == []
