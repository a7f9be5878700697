"""The review (审核) journey, in Chinese and in English: a department editor's dataset with a
file of mobile numbers is held back; the editor sees the masked findings; the organisation's admin
finds it in the review queue (with the findings and a negative-list match), returns it with a
comment, which the editor reads; the admin then clears the findings with a written reason and
approves; only then does the public find it.

The load job (fetch, parse, scan, DataStore) runs in the test process
(``ckanext.guangdong.data.job.load_resource``) instead of a worker: the browser suite has none.
"""
from __future__ import annotations

import uuid

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, _upload, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")

PEOPLE = ["卢桂香", "陈秀荣", "张娜", "王建华", "李明"]


def people_csv() -> bytes:
    # mobiles: a reviewer may clear them with a reason (raw ID numbers are on the negative list,
    # whatever the column's header: no reviewer clears those, tests/safety/test_safety_negative_columns.py)
    lines = ["姓名,联系电话,办理事项"]
    for i, name in enumerate(PEOPLE):
        lines.append(f"{name},1390013{8000 + 17 * i},社保卡补办")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def people(live_server):
    org = ensure_org("browser-review-dept", "省政务数据审核测试局", "440000", "department")
    editor, admin = make_person("审核测试编辑"), make_person("审核测试管理员")
    for person, role in ((editor, "editor"), (admin, "admin")):
        tk.get_action("organization_member_create")(_context(), {
            "id": org["id"], "username": person["name"], "role": role})
    return {"org": org, "editor": editor, "admin": admin}


def held_dataset(people: dict, word: str) -> dict:
    """The editor's dataset (through the actions, as the form would) and its file's load job."""
    from ckan import model

    from ckanext.guangdong.data.job import load_resource
    editor = {"user": people["editor"]["name"]}
    pkg = tk.get_action("package_create")(dict(editor), {
        "type": "dataset", "name": f"review-{uuid.uuid4().hex[:10]}", "title": f"{word}社保卡补办名单",
        "notes": "补办社保卡的群众名单。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
        "owner_org": people["org"]["id"], "private": False, "publisher_name": "省政务数据审核测试局",
        "publisher_identifier": "11440000006940081X", "theme": ["社保就业"], "access_rights": "unconditional",
        "frequency": "monthly", "issued": "2024-03-01", "modified": "2024-03-10",
        "region_code": "440000", "contact_name": "数据科", "contact_email": "opendata@gd.gov.cn",
        "contact_phone": "020-83456789", "license_id": "cc-by", "share_type": "conditional_share",
        "data_level": "level2", "deidentified": "false"})
    res = tk.get_action("resource_create")(dict(editor), {
        "package_id": pkg["id"], "upload": _upload("people.csv", people_csv(), "text/csv"),
        "url": "people.csv", "name": "补办名单", "format": "CSV"})
    model.Session.remove()
    load_resource(res["id"])
    model.Session.remove()
    return tk.get_action("package_show")(_context(), {"id": pkg["id"]})


@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
@pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_review_journey(journey, people, lang, live_server):
    word = "补办" + uuid.uuid4().hex[:6]
    pkg = held_dataset(people, word)
    assert pkg["private"] is True
    title = pkg["title"]
    prefix = ""  # the journey adds /en for English

    # The editor: the dataset page says why it is not public; the details show masked values.
    ed = journey("review-editor", lang, allowed_words=(title, "YAML"))
    ed.login(people["editor"]["name"], PASSWORD)
    ed.goto(f"{prefix}/dataset/{pkg['name']}")
    box = ed.page.locator(".gd-safety-box")
    assert box.count() == 1
    ed.check("dataset-held")
    ed.goto(f"{prefix}/dataset/{pkg['name']}/safety")
    text = ed.page.locator("table.gd-findings").inner_text()
    assert "联系电话" in text and "****" in text
    assert not any(line.split(",")[1] in ed.page.content() for line in people_csv().decode().splitlines()[1:])
    ed.check("findings")

    # A sysadmin adds a negative-list category after the request; the queue shows the match.
    from safety_support_browser import negative_list_with
    with negative_list_with(word):
        ad = journey("review-admin", lang, allowed_words=(title,))
        ad.login(people["admin"]["name"], PASSWORD)
        ad.goto(f"{prefix}/review")
        row = ad.page.locator("table.gd-review-queue tr").filter(has_text=title)
        assert row.count() == 1, "the dataset is not in the admin's review queue"
        assert "联系电话" in row.inner_text() and "测试类别" in row.inner_text()
        ad.check("queue")
    ad.goto(f"{prefix}/dataset/{pkg['name']}/safety")
    ad.page.fill("#gd-return-comment", "请先对联系电话脱敏")
    ad.page.locator("#gd-return").click()
    ad.page.wait_for_load_state("load")
    ad.check("returned")

    ed.goto(f"{prefix}/dataset/{pkg['name']}/safety")
    assert "请先对联系电话脱敏" in ed.page.locator("#gd-safety-comment").inner_text()
    ed.page.locator("button[name=submit]").click()  # resubmit
    ed.page.wait_for_load_state("load")
    ed.check("resubmitted")

    # Approval is refused while findings stand; a clearance needs a reason.
    ad.goto(f"{prefix}/dataset/{pkg['name']}/safety")
    ad.page.locator("#gd-approve").click()
    ad.page.wait_for_load_state("load")
    assert ad.page.locator("#gd-safety-error").count() == 1
    ad.check("approve-refused")
    ad.page.fill("#gd-clear-reason", "测试：当事人书面同意公开")
    ad.page.locator("#gd-clear").click()
    ad.page.wait_for_load_state("load")
    ad.page.locator("#gd-approve").click()
    ad.page.wait_for_load_state("load")
    assert ad.page.locator("#gd-safety-visibility").inner_text().strip() in ("公开", "Public")
    ad.check("approved")

    # The public finds it now.
    pub = journey("review-public", lang, allowed_words=(title,))
    pub.goto(f"{prefix}/dataset/?q={word}")
    assert pub.page.locator(".dataset-item").filter(has_text=title).count() == 1
    pub.check("public-found")
    # findings: not for the public (asked beside the page: a 403 page is a console error)
    assert pub.page.request.get(pub.url(f"/dataset/{pkg['name']}/safety")).status == 403
    for j in (ed, ad, pub):
        j.finish()
