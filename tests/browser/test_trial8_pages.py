"""What a new user met in user trial 8 (issue 14), in Chromium in zh then en: the review queue's
header link with a visible label (审核 / Review) and the number waiting, and the requester's display
name in the queue; an editor whose dataset a reviewer returned (退回) is told on the dashboard,
with the comment, a link to the dataset's safety page and a marker on the dataset in the list."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")


@pytest.fixture(scope="module")
def return_world(live_server: str) -> dict[str, Any]:
    """A department (review by default) with an admin (its reviewer) and an editor."""
    uid = uuid.uuid4().hex[:8]
    org = ensure_org(f"browser-return-{uid}", f"省退回测试局{uid[:4]}", "440000", "department")
    editor, admin = make_person("退回测试编辑"), make_person("退回测试管理员")
    for person, role in ((editor, "editor"), (admin, "admin")):
        tk.get_action("organization_member_create")(_context(), {
            "id": org["id"], "username": person["name"], "role": role})
    return {"org": org, "editor": editor, "admin": admin, "uid": uid}


@pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_header_labels_the_queue_and_the_editor_is_told_of_a_return(
        journey: Any, return_world: dict[str, Any], lang: str) -> None:
    from gd_testing import dataset_dict
    zh, w = lang == "zh_Hans_CN", return_world
    uid = w["uid"] + lang[:2]
    ed_ctx = {"user": w["editor"]["name"]}
    asked = tk.get_action("package_create")(dict(ed_ctx), dataset_dict(
        w["org"]["id"], name=f"return-me-{uid}", title=f"将被退回{uid[:4]}{lang[:2]}", private=False))
    other = tk.get_action("package_create")(dict(ed_ctx), dataset_dict(
        w["org"]["id"], name=f"return-not-{uid}", title=f"未被退回{uid[:4]}{lang[:2]}", private=True))
    comment = f"请删除身份证号列{uid[:4]}"
    words = (asked["title"], other["title"], comment, w["editor"]["fullname"], w["admin"]["fullname"],
             w["org"]["title"])

    ad = journey("return-admin", lang, allowed_words=words)
    ad.login(w["admin"]["name"], PASSWORD)
    ad.goto("/dashboard/datasets")
    link = ad.page.locator(".account li.gd-review-link a")
    assert link.count() == 1
    label = link.locator(".gd-review-label")
    assert label.is_visible() and label.inner_text().strip() == ("审核" if zh else "Review")
    count = link.locator("#gd-review-header-count")
    assert count.is_visible()
    waiting = int(count.inner_text())
    assert waiting >= 1 and waiting == int(ad.page.locator("#gd-review-waiting").inner_text())
    name = link.get_attribute("aria-label") or ""
    assert ("审核" if zh else "Review") in name and str(waiting) in name, name
    ad.check("header-review-link")
    link.click()
    ad.page.wait_for_load_state("load")
    row = ad.page.locator("table.gd-review-queue tbody tr").filter(has_text=asked["title"])
    requester = row.locator("td").nth(1).inner_text()
    assert w["editor"]["fullname"] in requester and w["editor"]["name"] not in requester, requester
    ad.check("queue-display-name")
    tk.get_action("guangdong_safety_return")({"user": w["admin"]["name"]},
                                             {"id": asked["id"], "comment": comment})

    ed = journey("return-editor", lang, allowed_words=words)
    ed.login(w["editor"]["name"], PASSWORD)
    ed.goto("/dashboard/datasets")
    notice = ed.page.locator(".gd-returned-notice")
    assert notice.is_visible()
    text = notice.inner_text()
    assert asked["title"] in text and comment in text and other["title"] not in text, text
    assert ("被审核退回修改" if zh else "returned to you with comments") in text, text
    href = notice.locator("a").first.get_attribute("href") or ""
    assert href.endswith(f"/dataset/{asked['name']}/safety"), href
    items = ed.page.locator("li.dataset-item")
    badge = ("已退回修改" if zh else "Returned with comments")
    assert badge in items.filter(has_text=asked["title"]).inner_text()
    assert badge not in items.filter(has_text=other["title"]).inner_text()
    ed.check("dashboard-returned")
    # the admin, who requested nothing, is not told
    ad.goto("/dashboard/datasets")
    assert ad.page.locator(".gd-returned-notice").count() == 0
    for j in (ad, ed):
        j.finish()
