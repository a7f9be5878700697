"""What a new user met in user trial 7 (issue 14), in Chromium in zh then en: the review queue
(审核队列) linked for those who review and for nobody else, with the number waiting; the
editor's dataset page saying it is not public and offering the request; an application's page
without dataset wording; the messages fixed in CKAN's catalog; the resource page at phone
width (375 px): its title in the first screen and no sideways scrolling."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, _upload, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")

REVIEW_LINK = "a[href$='/review']"


@pytest.fixture(scope="module")
def queue_world(live_server: str) -> dict[str, Any]:
    """A department (review by default) with an admin and an editor, one dataset the editor
    asked to publish (waiting in the queue) and one private dataset nobody asked for."""
    uid = uuid.uuid4().hex[:8]
    org = ensure_org(f"browser-queue-{uid}", f"省审核链接测试局{uid[:4]}", "440000", "department")
    editor, admin = make_person("审核链接编辑"), make_person("审核链接管理员")
    for person, role in ((editor, "editor"), (admin, "admin")):
        tk.get_action("organization_member_create")(_context(), {
            "id": org["id"], "username": person["name"], "role": role})
    # a city's admin: cities' publications need no review (review_default = department)
    city = ensure_org(f"browser-city-{uid}", f"审核链接测试市{uid[:4]}", "441900", "city")
    city_admin = make_person("无审核城市管理员")
    tk.get_action("organization_member_create")(_context(), {
        "id": city["id"], "username": city_admin["name"], "role": "admin"})
    return {"org": org, "editor": editor, "admin": admin, "uid": uid, "city_admin": city_admin,
            "sysadmin": make_person("审核链接系统管理员", sysadmin=True)}


def _datasets(w: dict[str, Any], lang: str) -> dict[str, Any]:
    """Made in the test, where its review setting applies (not in the module's fixture); a
    pair for each language run."""
    from gd_testing import dataset_dict
    ed, uid = {"user": w["editor"]["name"]}, w["uid"] + lang[:2]
    return {**w, "waiting": tk.get_action("package_create")(dict(ed), dataset_dict(
        w["org"]["id"], name=f"queue-wait-{uid}", title=f"排队等候审核{uid[:4]}{lang[:2]}", private=False)),
        "quiet": tk.get_action("package_create")(dict(ed), dataset_dict(
            w["org"]["id"], name=f"queue-quiet-{uid}", title=f"尚未申请公开{uid[:4]}{lang[:2]}", private=True))}


def _review_links(page: Any) -> int:
    return page.locator(REVIEW_LINK).count()


@pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_review_queue_is_linked_for_reviewers_only(journey: Any, queue_world: dict[str, Any],
                                                       lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    w = _datasets(queue_world, lang)
    titles = (w["waiting"]["title"], w["quiet"]["title"], w["org"]["title"])
    assert tk.get_action("package_show")(_context(), {"id": w["waiting"]["id"]})["private"] is True

    anon = journey("queue-links-anonymous", lang, allowed_words=titles)
    for path in ("/", f"/organization/{w['org']['name']}"):
        anon.goto(path)
        assert _review_links(anon.page) == 0, f"{path}: the review queue is linked for anonymous visitors"
    anon.check("anonymous")

    # The plain editor: no queue link anywhere; the private dataset says so and offers the request.
    ed = journey("queue-links-editor", lang, allowed_words=titles)
    ed.login(w["editor"]["name"], PASSWORD)
    for path in ("/dashboard/datasets", f"/organization/{w['org']['name']}"):
        ed.goto(path)
        assert _review_links(ed.page) == 0, f"{path}: the review queue is linked for a plain editor"
    ed.goto(f"/dataset/{w['quiet']['name']}")
    note = ed.page.locator("#gd-safety-not-public").inner_text()
    assert ("尚未公开" if zh else "not public") in note, note
    ed.check("dataset-not-public")

    # The admin of an organisation without review, with nothing waiting: no queue link either.
    ca = journey("queue-links-city-admin", lang, allowed_words=titles)
    ca.login(w["city_admin"]["name"], PASSWORD)
    ca.goto("/dashboard/datasets")
    assert _review_links(ca.page) == 0, "the review queue is linked for the admin of an organisation without review"
    ca.check("city-admin")

    # The organisation's admin: the account menu, the dashboard (with the count), its page.
    ad = journey("queue-links-admin", lang, allowed_words=titles)
    ad.login(w["admin"]["name"], PASSWORD)
    ad.goto("/dashboard/datasets")
    assert ad.page.locator(f".account {REVIEW_LINK}").count() == 1, "no queue link in the account menu"
    waiting = int(ad.page.locator("#gd-review-waiting").inner_text())
    ad.check("dashboard")
    ad.goto(f"/organization/{w['org']['name']}")
    assert ad.page.locator(f".content_action {REVIEW_LINK}").count() == 1, "no queue link on the organisation page"
    ad.check("organisation")
    ad.page.locator(f".account {REVIEW_LINK}").click()
    ad.page.wait_for_load_state("load")
    rows = ad.page.locator("table.gd-review-queue tbody tr")
    assert rows.count() == waiting, (rows.count(), waiting)
    assert rows.filter(has_text=w["waiting"]["title"]).count() == 1
    assert rows.filter(has_text=w["quiet"]["title"]).count() == 0
    ad.check("queue")

    # The editor asks from the dataset page; the admin's count grows by one.
    ed.goto(f"/dataset/{w['quiet']['name']}")
    ed.page.locator("#gd-safety-ask").click()
    ed.page.wait_for_load_state("load")
    ed.check("requested")
    ad.goto("/dashboard/datasets")
    assert int(ad.page.locator("#gd-review-waiting").inner_text()) == waiting + 1
    ad.goto("/review")
    assert ad.page.locator("table.gd-review-queue tbody tr").filter(has_text=w["quiet"]["title"]).count() == 1

    # A sysadmin (a provincial reviewer) has the link too.
    sa = journey("queue-links-sysadmin", lang, allowed_words=titles)
    sa.login(w["sysadmin"]["name"], PASSWORD)
    assert sa.page.locator(f".account {REVIEW_LINK}").count() == 1
    sa.check("sysadmin")
    for j in (anon, ed, ca, ad, sa):
        j.finish()


@pytest.fixture(scope="module")
def draft_application(portal_catalog: dict[str, Any]) -> dict[str, Any]:
    app = tk.get_action("package_create")(_context(), {
        "type": "application", "title": f"停车导航{uuid.uuid4().hex[:6]}", "notes": "停车场导航小程序。",
        "owner_org": portal_catalog["org"]["id"], "developer_name": "广州某科技有限公司",
        "developer_type": "organization", "application_kind": "mini_program",
        "url": "https://example.com/app", "theme": ["文化休闲"], "state": "draft",
        "used_datasets": [portal_catalog["dataset"]["name"]]})
    return {"app": app, "sysadmin": make_person("应用页面系统管理员", sysadmin=True)}


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_an_application_page_speaks_of_applications(journey: Any, draft_application: dict[str, Any],
                                                    portal_catalog: dict[str, Any], lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    app = draft_application["app"]
    j = journey("application-page", lang, allowed_words=(app["title"], portal_catalog["title"]))
    j.login(draft_application["sysadmin"]["name"], PASSWORD)
    j.goto(f"/application/{app['name']}")
    body = j.page.inner_text("body")
    assert "没有数据" not in body and "has no data" not in body, "dataset wording on an application"
    crumbs = j.page.locator("ol.breadcrumb li").all_inner_texts()
    assert crumbs[1].strip() == ("开放数据应用" if zh else "Applications"), crumbs
    state = j.page.locator("th.dataset-label", has_text="状态" if zh else "State").locator("xpath=..")
    assert state.locator("td").inner_text().strip() == ("草稿" if zh else "draft")
    j.check("application")   # no English on the Chinese page ("状态 draft" before)
    j.finish()


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_messages_in_the_portals_words(journey: Any, portal_catalog: dict[str, Any], lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    j = journey("trial7-wording", lang, allowed_words=(portal_catalog["title"],))
    tagline = "广东省政府数据统一开放平台" if zh else "Guangdong Provincial Government Open Data Platform"
    j.goto("/dataset/?q=" + "无此数据" + uuid.uuid4().hex[:6])
    assert j.page.locator(".gd-brand-tagline").inner_text().strip() == tagline
    extra = j.page.locator("p.extra").inner_text().strip()
    assert extra.endswith("。" if zh else "."), extra
    if not zh:
        empty = j.page.locator("aside .empty").all_inner_texts()
        assert empty and not any("There are no" in e for e in empty), empty
        assert all(e.strip() == "Nothing matches this search." for e in empty), empty
    j.check("no-results")
    sysadmin = make_person("表单说明系统管理员", sysadmin=True)
    j.login(sysadmin["name"], PASSWORD)
    j.goto("/dataset/new")
    side = j.page.locator("aside.secondary").inner_text()
    assert "CKAN" not in side, side
    assert ("数据集是一组数据文件" if zh else "A dataset is a set of data files") in side, side
    j.check("dataset-form")
    j.finish()


OVERLAPS_JS = """() => {
  const parts = ['#dtprv_length', '#dtprv_filter', '#dtprv_info', 'div.dataTables_scrollHead',
                 'div.dataTables_scrollBody', '#dtprv_paginate', 'div.resourceinfo', 'div.sortinfo'];
  const boxes = parts.map(s => [s, document.querySelector(s)]).filter(([s, e]) => e && e.offsetParent)
    .map(([s, e]) => [s, e.getBoundingClientRect()]).filter(([s, r]) => r.width && r.height);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let k = i + 1; k < boxes.length; k++) {
    const [a, p] = boxes[i], [b, q] = boxes[k];
    if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) out.push(a + ' / ' + b);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def phone_resource(portal_catalog: dict[str, Any]) -> dict[str, Any]:
    """A resource with a long Chinese name, in the DataStore, with a DataTables preview."""
    csv = "站点名称,所在区,车位数,空余车位,收费标准,开放时间\n天河公园,天河区,20,5,每小时5元,全天\n".encode()
    res = tk.get_action("resource_create")(_context(), {
        "package_id": portal_catalog["dataset"]["id"], "name": "广州市天河区公共停车场实时车位信息（CSV）",
        "format": "CSV", "upload": _upload("parking.csv", csv, "text/csv"), "url": "parking.csv"})
    fields = ["站点名称", "所在区", "车位数", "空余车位", "收费标准", "开放时间"]
    tk.get_action("datastore_create")(_context(), {
        "resource_id": res["id"], "force": True, "fields": [{"id": f, "type": "text"} for f in fields],
        "records": [dict(zip(fields, ["天河公园", "天河区", "20", "5", "每小时5元", "全天"], strict=True))]})
    tk.get_action("resource_view_create")(_context(), {
        "resource_id": res["id"], "view_type": "datatables_view", "title": "表格"})
    return {**portal_catalog, "phone_resource": res}


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_resource_page_at_phone_width(journey: Any, phone_resource: dict[str, Any], lang: str) -> None:
    res = phone_resource["phone_resource"]
    j = journey("phone-resource", lang, allowed_words=(phone_resource["title"], res["name"]))
    j.page.set_viewport_size({"width": 375, "height": 812})
    j.goto(f"/dataset/{phone_resource['dataset']['name']}/resource/{res['id']}")
    j.page.frame_locator("iframe").locator("#dtprv tbody tr").first.wait_for()
    title = j.page.locator("h1.page-heading").bounding_box()
    assert title is not None
    assert title["y"] + title["height"] <= 812, f"the title is below the first screen: {title}"
    assert title["width"] >= 200, f"the title is squeezed beside the buttons: {title}"
    width = j.page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px"
    # the preview's parts do not overlap: search box, result count, table, pager, sort line
    overlaps = j.page.frame_locator("iframe").locator("body").evaluate(OVERLAPS_JS)
    assert not overlaps, f"parts of the preview overlap: {overlaps}"
    j.check("phone")
    j.finish()
