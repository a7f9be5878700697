"""What user trial 8 met (issue 14), in Chromium in zh then en: the 开放数据应用 form in an
application's words (no dataset side panel, steps or licence notice); the /safety page — its
findings' caption above the table, the date rules only for an ID number's column, the check
box's label without a colon, the audit times with their zone, no Chinese punctuation on /en,
and "replaced" said when the original was replaced; the admin sidebar in Chinese.

The load job runs in the test process (the browser suite has no worker), as in
test_journey_review.py."""
from __future__ import annotations

import re
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, _upload, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")

FULL_WIDTH = re.compile("[：（）。，；]")


@pytest.fixture(scope="module")
def editors(live_server: str) -> dict[str, Any]:
    org = ensure_org("browser-trial8-dept", "省试用八测试局", "440000", "department")
    editor = make_person("试用八编辑")
    tk.get_action("organization_member_create")(_context(), {
        "id": org["id"], "username": editor["name"], "role": "editor"})
    return {"org": org, "editor": editor, "sysadmin": make_person("试用八系统管理员", sysadmin=True)}


def _people_csv() -> bytes:
    from ckanext.guangdong.safety import detectors as d
    lines = ["姓名,证件号码,手机号码,办理事项"]
    for i, name in enumerate(["卢桂香", "陈秀荣", "张娜", "王建华", "李明"]):
        body = f"44010{i}1990010{i + 1}12{i}"
        lines.append(f"{name},{body}{d.id_check_character(body)},1380013{i:04d},社保卡补办")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _split_csv() -> bytes:
    """ID numbers split across two columns (4401061985 | 03198672): one finding of both."""
    from ckanext.guangdong.safety import detectors as d
    lines = ["序号,证件号前段,证件号后段,办理事项"]
    for i in range(6):
        body = f"44010{i}1990010{i + 1}12{i}"
        number = body + d.id_check_character(body)
        lines.append(f"{i + 1},{number[:10]},{number[10:]},社保卡补办")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _held_dataset(w: dict[str, Any], word: str, csv: bytes | None = None) -> dict[str, Any]:
    from ckan import model

    from ckanext.guangdong.data.job import load_resource
    editor = {"user": w["editor"]["name"]}
    pkg = tk.get_action("package_create")(dict(editor), {
        "type": "dataset", "name": f"trial8-{uuid.uuid4().hex[:10]}", "title": f"{word}补办名单",
        "notes": "补办社保卡的群众名单。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
        "owner_org": w["org"]["id"], "private": False, "publisher_name": w["org"]["title"],
        "publisher_identifier": "11440000006940081X", "theme": ["社保就业"], "access_rights": "unconditional",
        "frequency": "monthly", "issued": "2024-03-01", "modified": "2024-03-10",
        "region_code": "440000", "contact_name": "数据科", "contact_email": "opendata@gd.gov.cn",
        "contact_phone": "020-83456789", "license_id": "cc-by", "share_type": "conditional_share",
        "data_level": "level2", "deidentified": "false"})
    res = tk.get_action("resource_create")(dict(editor), {
        "package_id": pkg["id"], "upload": _upload("people.csv", csv or _people_csv(), "text/csv"),
        "url": "people.csv", "name": "补办名单", "format": "CSV"})
    model.Session.remove()
    load_resource(res["id"])
    model.Session.remove()
    return tk.get_action("package_show")(_context(), {"id": pkg["id"]})


def _replace_with_the_copy(j: Any, zh: bool) -> None:
    """The safety page's de-identify form sent with "replace the original" ticked: the flash says so."""
    j.page.check("form.gd-deidentify input[name=publish]")
    j.page.click("form.gd-deidentify button[type=submit]")
    j.page.wait_for_load_state("load")
    flash = j.page.locator(".flash-messages, .alert-success").first.inner_text()
    assert ("原文件已由脱敏副本替换" if zh else "The original file was replaced") in flash, flash


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_application_form(journey: Any, editors: dict[str, Any], lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    j = journey("trial8-application-form", lang, allowed_words=(editors["org"]["title"],))
    j.login(editors["editor"]["name"], PASSWORD)
    j.goto("/application/new")
    side = j.page.locator("aside.secondary").inner_text()
    assert ("什么是开放数据应用" if zh else "What are open-data applications?") in side, side
    assert "数据集是一组" not in side and "A dataset is" not in side, side
    assert j.page.locator("ol.stages").count() == 0
    assert j.page.locator("button[name=save]").inner_text().strip() == ("登记应用" if zh else "Register application")
    actions = j.page.locator(".form-actions").inner_text()
    assert ("许可协议" not in actions) if zh else ("license" not in actions), actions
    assert j.page.locator("label[for=field-organizations]").count() == 1
    j.check("application-form")
    j.finish()


@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
@pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_safety_page(journey: Any, editors: dict[str, Any], lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    word = "试用" + uuid.uuid4().hex[:6]
    pkg = _held_dataset(editors, word)
    j = journey("trial8-safety", lang, allowed_words=(pkg["title"],))
    j.login(editors["editor"]["name"], PASSWORD)
    j.goto(f"/dataset/{pkg['name']}/safety")
    table = j.page.locator("table.gd-findings").first
    caption, head = table.locator("caption").bounding_box(), table.locator("thead").bounding_box()
    assert caption and head and caption["y"] < head["y"], (caption, head)
    options = {col: j.page.locator(f"select[name='rule:{col}'] option").evaluate_all(
        "os => os.map(o => o.value)") for col in ("证件号码", "手机号码")}
    assert {"month", "year"} <= set(options["证件号码"]), options
    assert not {"month", "year"} & set(options["手机号码"]), options
    label = j.page.locator("form.gd-deidentify .form-check-label").first
    after = label.evaluate("e => getComputedStyle(e, '::after').content")
    assert after in ("none", '""', "normal"), after
    request = j.page.locator("#gd-safety-request").inner_text()
    audit = j.page.locator("body").inner_text()
    assert ("北京时间" if zh else "China Standard Time") in audit
    if not zh:
        main = j.page.locator("article.gd-safety").inner_text()
        ours = main.replace(pkg["title"], "")
        for text in j.page.locator("table.gd-findings td, select option, .gd-safety-file h3").all_inner_texts():
            ours = ours.replace(text, "")
        assert not FULL_WIDTH.findall(ours), (FULL_WIDTH.findall(ours), request)
    j.check("findings")
    _replace_with_the_copy(j, zh)
    names = [r["name"] for r in tk.get_action("package_show")(_context(), {"id": pkg["id"]})["resources"]]
    assert names == (["补办名单（脱敏）"] if zh else ["补办名单 (masked)"]), names
    j.check("after-deidentify")
    j.finish()


@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
@pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")
@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_a_split_number_gets_a_rule_for_each_column(journey: Any, editors: dict[str, Any], lang: str) -> None:
    """The form posted a rule for "证件号前段 + 证件号后段", which is no column: the copy failed
    with 没有名为…的列. Each part now has its own rule, 删除该列 suggested."""
    zh = lang == "zh_Hans_CN"
    pkg = _held_dataset(editors, "拆分" + uuid.uuid4().hex[:6], _split_csv())
    j = journey("trial8-split", lang, allowed_words=(pkg["title"],))
    j.login(editors["editor"]["name"], PASSWORD)
    j.goto(f"/dataset/{pkg['name']}/safety")
    for column in ("证件号前段", "证件号后段"):
        chosen = j.page.locator(f"form.gd-deidentify select[name='rule:{column}']").input_value()
        assert chosen == "drop", (column, chosen)
    assert j.page.locator("select[name='rule:证件号前段 + 证件号后段']").count() == 0
    j.check("split-findings")
    _replace_with_the_copy(j, zh)
    j.check("split-after")
    j.finish()


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_admin_sidebar_and_login_page(journey: Any, editors: dict[str, Any], lang: str) -> None:
    zh = lang == "zh_Hans_CN"
    j = journey("trial8-admin", lang, allowed_words=("YAML",))
    j.goto("/user/login")
    buttons = j.page.locator("form button[type=submit]").all_inner_texts()
    if zh:
        assert "Go" not in [b.strip() for b in buttons], buttons
    j.check("login")
    j.login(editors["sysadmin"]["name"], PASSWORD)
    j.goto("/ckan-admin/negative-list")  # (/ckan-admin lists the sysadmins by name)
    nav = j.page.locator("ul.nav a[href*='harvest']").all_inner_texts()
    assert [n.strip() for n in nav if n.strip()] and all(
        n.strip() == ("数据采集" if zh else "Harvest") for n in nav if n.strip()), nav
    j.check("ckan-admin")
    j.finish()
