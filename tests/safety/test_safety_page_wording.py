"""Issue 14 (trial 8): the wording of a dataset's /safety page in Chinese and English — the
punctuation of our joined texts follows the page's language (no "（18 rows checked）" on
/en), audit times name their time zone, the findings' caption is above its table, the date
rules are offered for an ID number's column (its birth date) but not for a mobile number's,
and de-identifying with "replace" says the original was replaced; the copy's name is in the
publisher's language."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import create, csv_bytes, make_org, make_user, show, upload, wait_scan

M = Makers(84)
HEADER = ["姓名", "身份证号码", "手机号码", "出生日期", "备注"]
FULL_WIDTH = re.compile("[：（）。，；]")


def _headers(user: dict[str, Any]) -> dict[str, str]:
    token = tk.get_action("api_token_create")({"ignore_auth": True, "user": user["name"]},
                                              {"user": user["name"], "name": "wording"})["token"]
    return {"Authorization": token}


def _dataset_with_findings() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    rows = [[M.name(), M.id18(), M.mobile(), f"19{70 + i}-03-12", "正常"] for i in range(12)]
    pkg = create(org["id"], user=editor, resources=[{
        "upload": upload("people.csv", csv_bytes(HEADER, rows)), "url": "people.csv",
        "name": "办理名单", "format": "CSV"}])
    res = pkg["resources"][0]
    assert wait_scan(pkg["id"], res["id"])["state"] == "findings"
    return editor, pkg, res


def _section(html: str, resource_id: str) -> str:
    start = html.index(f'value="{resource_id}"')
    return html[html.rindex("<section", 0, start):html.index("</section>", start)]


def _options(section: str, column: str) -> list[str]:
    select = re.search(r'<select[^>]*name="rule:' + re.escape(column) + r'"[^>]*>(.*?)</select>', section, re.S)
    assert select, column
    return re.findall(r'<option value="([a-z]+)"', select.group(1))


def _our_text(html: str) -> str:
    """The page's texts made by us (labels, states, counts, times): without the dataset's
    title, the file's column names and the masked samples, which are the publisher's."""
    body = html[html.index('<article class="module gd-safety">'):]
    body = re.sub(r"<(script|style|select|table)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.usefixtures("worker")
@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
def test_the_safety_page_in_each_language(gd_app) -> None:
    editor, pkg, res = _dataset_with_findings()
    headers = _headers(editor)
    tk.get_action("guangdong_safety_submit")({"user": editor["name"]}, {"id": pkg["id"]})
    zh = gd_app.get(f"/dataset/{pkg['name']}/safety", headers=headers).get_data(as_text=True)
    en = gd_app.get(f"/en/dataset/{pkg['name']}/safety", headers=headers).get_data(as_text=True)
    for html in (zh, en):
        section = _section(html, res["id"])
        assert re.search(r'<table class="[^"]*\bcaption-top\b[^"]*gd-findings', section), section[:400]
        # an ID number holds a birth date: month/year of it fit; a mobile number has no date
        assert {"month", "year"} <= set(_options(section, "身份证号码"))
        assert not {"month", "year"} & set(_options(section, "手机号码"))
        assert "mask" in _options(section, "手机号码")
        # masked IDs keep their last digits: birth dates beside them go to the year (chosen)
        assert _options(section, "出生日期") == ["year", "drop", "keep"]
        assert re.search(r'name="rule:出生日期".*?<option value="year"\s+selected', section, re.S)
    assert "（已检查 12 行）" in zh
    assert "(12 rows checked)" in en
    assert "北京时间" in zh and "China Standard Time" in en
    assert not FULL_WIDTH.findall(_our_text(en)), FULL_WIDTH.findall(_our_text(en))


def _deidentify(gd_app, pkg: dict[str, Any], res: dict[str, Any], headers: dict[str, str],
                prefix: str, publish: bool) -> str:
    page = gd_app.get(f"{prefix}/dataset/{pkg['name']}/safety", headers=headers).get_data(as_text=True)
    csrf = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page)
    data = {"resource_id": res["id"], "rule:身份证号码": "mask", "rule:手机号码": "mask", "rule:姓名": "mask",
            **({"publish": "true"} if publish else {}),
            **({"_csrf_token": csrf.group(1)} if csrf else {})}
    answer = gd_app.post(f"{prefix}/dataset/{pkg['name']}/safety/deidentify", data=data, headers=headers,
                         follow_redirects=True)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


@pytest.mark.usefixtures("worker")
@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
def test_replacing_says_replaced_and_the_copy_is_named_in_the_publishers_language(gd_app) -> None:
    editor, pkg, res = _dataset_with_findings()
    headers = _headers(editor)
    page = _deidentify(gd_app, pkg, res, headers, "", publish=True)
    assert "原文件已由脱敏副本替换" in page and "脱敏副本已添加到数据集" not in page
    copy = show(pkg["id"])["resources"]
    assert [r["name"] for r in copy] == ["办理名单（脱敏）"]
    # the form's default for 出生日期 (year): the masked IDs cannot be rebuilt from the copy
    assert wait_scan(pkg["id"], copy[0]["id"])["state"] == "clean"

    editor, pkg, res = _dataset_with_findings()
    headers = _headers(editor)
    page = _deidentify(gd_app, pkg, res, headers, "/en", publish=False)
    assert "A de-identified copy was added to the dataset." in page
    names = [r["name"] for r in show(pkg["id"])["resources"]]
    assert names == ["办理名单", "办理名单 (masked)"], names
