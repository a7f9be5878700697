"""A file column named as a negative-list data item (身份证号) with raw values (issue 14): the
organisation's admin reads on the dataset's safety page, in Chinese and in English, that it is
on the negative list (reason, rule, file, column) and cannot be cleared, and the clear form
answers so. The load job (with the scan) runs in the test process: the browser suite has no
worker."""
from __future__ import annotations

import uuid

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, _upload, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")


def people_csv() -> bytes:
    from ckanext.guangdong.safety import detectors as d
    lines = ["编号,身份证号,办理事项"]
    for i in range(6):
        body = f"44010{i}1990010{i + 1}12{i}"
        lines.append(f"{i + 1},{body}{d.id_check_character(body)},社保卡补办")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def people(live_server):
    org = ensure_org("browser-negative-column-city", "负面清单测试市政务服务数据管理局", "440300", "city")
    editor, admin = make_person("负面清单测试编辑"), make_person("负面清单测试管理员")
    for person, role in ((editor, "editor"), (admin, "admin")):
        tk.get_action("organization_member_create")(_context(), {
            "id": org["id"], "username": person["name"], "role": role})
    return {"org": org, "editor": editor, "admin": admin}


@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_safety_page_shows_the_column_and_refuses_the_clear(journey, people, lang):
    from ckan import model

    from ckanext.guangdong.data.job import load_resource
    editor = {"user": people["editor"]["name"]}
    word = "名单" + uuid.uuid4().hex[:6]
    pkg = tk.get_action("package_create")(dict(editor), {
        "type": "dataset", "name": f"negcol-{uuid.uuid4().hex[:10]}", "title": f"{word}社保卡补办",
        "notes": "补办社保卡的群众。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
        "owner_org": people["org"]["id"], "private": False, "publisher_name": "负面清单测试市政务服务数据管理局",
        "publisher_id": "11440300006940081D", "theme": ["民生服务"], "access_rights": "unconditional",
        "frequency": "monthly", "issued": "2024-03-01", "modified": "2024-03-10",
        "spatial_coverage": "440300", "contact_name": "数据科", "contact_email": "opendata@sz.gov.cn",
        "contact_phone": "0755-83456789", "license_id": "cc-by", "share_type": "conditional_share",
        "data_level": "level2", "deidentified": "false"})
    res = tk.get_action("resource_create")(dict(editor), {
        "package_id": pkg["id"], "upload": _upload("people.csv", people_csv(), "text/csv"),
        "url": "people.csv", "name": "补办名单", "format": "CSV"})
    model.Session.remove()
    load_resource(res["id"])
    model.Session.remove()
    assert tk.get_action("package_show")(_context(), {"id": pkg["id"]})["private"] is True

    ad = journey("negative-column-admin", lang, allowed_words=(pkg["title"], "CSV"))
    ad.login(people["admin"]["name"], PASSWORD)
    ad.goto(f"/dataset/{pkg['name']}/safety")
    listed = ad.page.locator("ul.gd-negative-list li.gd-negative-raw").inner_text()
    if lang == "zh_Hans_CN":
        words = ("敏感个人信息", "身份证号", "补办名单", "《中华人民共和国个人信息保护法》第二十八条", "不能放行")
    else:
        words = ("Sensitive personal information", "身份证号", "补办名单",
                 "Personal Information Protection Law, Article 28", "cannot be cleared")
    assert all(w in listed for w in words), listed
    holds = ad.page.locator("#gd-safety-holds").inner_text()
    assert ("负面清单" if lang == "zh_Hans_CN" else "negative list") in holds, holds
    ad.check("negative-column")
    ad.page.fill("#gd-clear-reason", "测试：当事人书面同意公开")
    ad.page.locator("#gd-clear").click()
    ad.page.wait_for_load_state("load")
    error = ad.page.locator("#gd-safety-error").inner_text()
    assert "身份证号" in error and ("第二十八条" if lang == "zh_Hans_CN" else "Article 28") in error, error
    assert ad.page.locator("#gd-safety-visibility").inner_text().strip() in ("私有", "私有的", "Private")
    ad.check("clear-refused")
    ad.finish()
    assert tk.get_action("package_show")(_context(), {"id": pkg["id"]})["private"] is True
