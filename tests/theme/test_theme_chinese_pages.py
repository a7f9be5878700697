"""The main pages in zh_Hans_CN, walked in headless Chromium as the public, a department editor
and a sysadmin meet them: no English words outside a short allow-list and the page's own data
(tests/gd_english.py), no request to any host but the portal's own (gravatar.com used to be
asked on every page of a logged-in user), no JavaScript error, CKAN's modules started.

The same pages in English must not show the Chinese of our catalogs' msgids either way round:
the navigation reads "Datasets" there."""
from __future__ import annotations

import io
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_chromium import chromium_session, needs_chromium
from gd_english import english_on
from gd_testing import dataset_dict, make_org, make_sysadmin, make_user, reset_database

pytestmark = [needs_chromium, pytest.mark.usefixtures("gd")]
PASSWORD = "Walker-pass-2024"
REFUSED = {"/user/register", "/no-such-page"}  # registration is off (ckan.auth.create_user_via_web)


@pytest.fixture(scope="module")
def site(gd_plugins: None) -> dict[str, Any]:
    """A fresh database (the pages list everything in it, and other test folders leave
    Faker's English names there) with a small catalog of everything the pages show: a
    publisher with an editor, a dataset with uploaded files, an open-data application, a
    harvest source with a finished job that had an error."""
    from ckanext.harvest.model import HarvestGatherError, HarvestJob
    reset_database()
    from ckanext.guangdong.theme import portal
    portal.clear()  # the home page keeps its figures for a minute (from before the reset)
    from ckanext.guangdong.harvesters.errors import format_message
    tag = uuid.uuid4().hex[:6]
    admin = make_sysadmin(password=PASSWORD, fullname="平台管理员")
    editor = make_user(password=PASSWORD, fullname="数据编辑")
    ctx = {"user": admin["name"]}
    org = make_org(title=f"广东省测试厅{tag}", image_url="", description="省直部门。",
                   users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = tk.get_action("package_create")(dict(ctx), dataset_dict(
        org["id"], title=f"广州市公交线路信息{tag}", resources=[]))
    token = factories.APIToken(user=admin["name"])["token"]
    files = {"线路.csv": "线路,站点\n1路,越秀\n".encode(), "线路.json": '{"线路": "1路"}'.encode()}
    resources = [tk.get_action("resource_create")(dict(ctx), {
        "package_id": pkg["id"], "upload": _upload(name, body)}) for name, body in files.items()]
    app = tk.get_action("package_create")(dict(ctx), {
        "type": "application", "title": f"公交出行小程序{tag}", "notes": "实时公交查询。",
        "owner_org": org["id"], "developer_name": "广州某科技有限公司", "developer_type": "organization",
        "application_kind": "mini_program", "url": "http://127.0.0.1/app", "launch_date": "2020-10-01",
        "theme": ["道路交通"], "contact_email": "dev@example.com", "used_datasets": [pkg["name"]]})
    source = tk.get_action("harvest_source_create")(dict(ctx), {
        "name": f"city-source-{tag}", "title": f"韶关市政府数据开放平台{tag}", "url": f"http://127.0.0.1:9/{tag}/",
        "source_type": "guangdong_ckan", "owner_org": org["id"], "frequency": "DAILY",
        "config": '{"region_code": "440200"}'})
    job = HarvestJob(source_id=source["id"], status="Finished")
    job.save()
    HarvestGatherError(message=format_message(
        "connection_error", "GET http://127.0.0.1:9/api/3/action/package_search: ConnectionError"),
        job=job).save()
    model.Session.commit()
    return {"admin": admin, "editor": editor, "org": org, "pkg": pkg, "resources": resources,
            "app": app, "source": source, "job_id": job.id, "token": token,
            # the page's own data, which may be in any script
            "data": [org["title"], org["name"], pkg["title"], pkg["name"], app["title"], app["name"],
                     source["title"], source["name"], admin["name"], editor["name"],
                     admin.get("about") or "", editor.get("about") or "",  # Faker's English
                     *[t["name"] for t in pkg["tags"]], *files]}


def _upload(name: str, body: bytes) -> Any:
    from werkzeug.datastructures import FileStorage
    return FileStorage(stream=io.BytesIO(body), filename=name)


def _pages(site: dict[str, Any]) -> dict[str, dict[str, str]]:
    """who -> {screenshot name: path}."""
    pkg, org, app, source = site["pkg"], site["org"], site["app"], site["source"]
    res = site["resources"]
    return {
        "public": {"home": "/", "datasets": "/dataset", "dataset": f"/dataset/{pkg['name']}",
                   "resource-csv": f"/dataset/{pkg['name']}/resource/{res[0]['id']}",
                   "resource-json": f"/dataset/{pkg['name']}/resource/{res[1]['id']}",
                   "organizations": "/organization", "organization": f"/organization/{org['name']}",
                   "groups": "/group", "applications": "/application", "application": f"/application/{app['name']}",
                   "about": "/about", "login": "/user/login", "register": "/user/register",
                   "open-progress": "/open-progress", "dataset-activity": f"/dataset/activity/{pkg['name']}",
                   "not-found": "/no-such-page"},
        "editor": {"dataset-form": "/dataset/new", "resource-form": f"/dataset/{pkg['name']}/resource/new",
                   "dataset-edit": f"/dataset/edit/{pkg['name']}", "dashboard": "/dashboard/datasets"},
        "admin": {"harvest-sources": "/harvest", "harvest-source": f"/harvest/{source['name']}",
                  "harvest-job": f"/harvest/{source['name']}/job/{site['job_id']}",
                  "harvest-source-form": "/harvest/new", "user": f"/user/{site['admin']['name']}"},
    }


def test_chinese_pages_have_no_english(live_server, site):
    found: dict[str, list[str]] = {}
    for who, paths in _pages(site).items():
        with chromium_session(live_server) as b:
            if who != "public":
                b.login(site[who]["name"], PASSWORD)
            for name, path in paths.items():
                seen = len(b.console_errors)
                page = b.open(path)
                assert page.locator("html").get_attribute("lang") == "zh-Hans-CN", path
                words = english_on(page, site["data"])
                if words:
                    found[path] = sorted(set(words))
                assert b.outside == [], (path, b.outside)
                b.screenshot(f"zh-{who}-{name}")
                assert "select-switch" in b.modules(), path  # CKAN's JavaScript started
                if path not in REFUSED:  # these answer 403/404 on purpose (the browser logs it)
                    assert b.console_errors[seen:] == [], (path, b.console_errors[seen:])
    assert found == {}


def test_english_pages_are_english(live_server, site):
    with chromium_session(live_server) as b:
        b.login(site["admin"]["name"], PASSWORD, "/en")
        pages = {"datasets": "/en/dataset", "dataset": f"/en/dataset/{site['pkg']['name']}",
                 "organizations": "/en/organization", "about": "/en/about",
                 "harvest-job": f"/en/harvest/{site['source']['name']}/job/{site['job_id']}"}
        for name, path in pages.items():
            page = b.open(path)
            text = page.inner_text("body")
            assert "Datasets" in text and "Publishers" in text, path
            for chinese_ui in ("数据集", "提供部门", "许可协议", "关注者"):
                assert chinese_ui not in text.replace(site["pkg"]["title"], ""), (path, chinese_ui)
            b.screenshot(f"en-{name}")
        assert b.outside == []
