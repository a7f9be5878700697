"""An upload whose content cannot be checked (a PDF without a text layer: a scan of paper) holds its dataset, and
its publisher reads why, in Chinese and in English: the dataset page's box names the hold, the
safety page gives the reason. The safety job (``job.scan_upload``) runs in the test process: the
browser suite has no worker."""
from __future__ import annotations

import uuid

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, _upload, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")



def scanned_pdf() -> bytes:
    """A PDF page without text (a scan of paper): PDF text is read (pypdf), this has none."""
    import io

    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def publisher(live_server):
    org = ensure_org("browser-unscannable-city", "扫描测试市政务服务数据管理局", "440300", "city")
    editor = make_person("扫描测试编辑")
    tk.get_action("organization_member_create")(_context(), {
        "id": org["id"], "username": editor["name"], "role": "editor"})
    return {"org": org, "editor": editor}


@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_an_unscannable_upload_is_held_and_the_publisher_reads_why(journey, publisher, lang):
    from ckan import model

    from ckanext.guangdong.safety.job import scan_upload
    editor = {"user": publisher["editor"]["name"]}
    word = "扫描件" + uuid.uuid4().hex[:6]
    pkg = tk.get_action("package_create")(dict(editor), {
        "type": "dataset", "name": f"unscannable-{uuid.uuid4().hex[:10]}", "title": f"{word}办事群众名单",
        "notes": "办理情况。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
        "owner_org": publisher["org"]["id"], "private": False, "publisher_name": "扫描测试市政务服务数据管理局",
        "publisher_id": "11440300006940081D", "theme": ["民生服务"], "access_rights": "unconditional",
        "frequency": "monthly", "issued": "2024-03-01", "modified": "2024-03-10",
        "spatial_coverage": "440300", "contact_name": "数据科", "contact_email": "opendata@sz.gov.cn",
        "contact_phone": "0755-83456789", "license_id": "cc-by", "share_type": "conditional_share",
        "data_level": "level2", "deidentified": "false"})
    res = tk.get_action("resource_create")(dict(editor), {
        "package_id": pkg["id"], "upload": _upload("people.pdf", scanned_pdf(), "application/pdf"),
        "url": "people.pdf", "name": "名单扫描件", "format": "PDF"})
    model.Session.remove()
    scan_upload(res["id"])
    model.Session.remove()
    assert tk.get_action("package_show")(_context(), {"id": pkg["id"]})["private"] is True

    ed = journey("unscannable-editor", lang, allowed_words=(pkg["title"], "PDF"))
    ed.login(publisher["editor"]["name"], PASSWORD)
    ed.goto(f"/dataset/{pkg['name']}")
    box = ed.page.locator(".gd-safety-box").inner_text()
    assert ("文件无法检查" if lang == "zh_Hans_CN" else "could not be checked") in box, box
    ed.check("held")
    ed.goto(f"/dataset/{pkg['name']}/safety")
    files = ed.page.locator(".gd-safety-file").inner_text()
    expected = "无法检查其中是否有个人信息" if lang == "zh_Hans_CN" else "cannot be checked for personal data"
    assert expected in files, files
    ed.check("why")
    ed.finish()
