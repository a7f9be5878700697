"""The dataset form driven in headless Chromium as a department editor meets it: log in through
the form, fill every required field, add a 信息项 row, press 下一步 / Next, in Chinese and in
English, with JavaScript and without (a script that fails to start must not break saving).

ckanext-scheming's repeating-subfield widget carries a hidden row template; a form sent without
its JavaScript used to post the template as an extra, empty row ("信息项 2: 此项为必填项"), one
more after every resubmit."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from ckan.tests import helpers
from gd_chromium import chromium_session, needs_chromium
from gd_testing import make_org, make_user

pytestmark = [needs_chromium, pytest.mark.usefixtures("gd")]

PASSWORD = "Editor-pass-2024"


@pytest.fixture(scope="module")
def editor(gd_plugins: None) -> dict[str, Any]:
    user = make_user(password=PASSWORD)
    org = make_org(title="省测试厅", image_url="", users=[{"name": user["name"], "capacity": "editor"}])
    return {"name": user["name"], "org": org}


def fill_required(page: Any, tag: str) -> dict[str, str]:
    typed = {"title": f"浏览器填写的数据集 {tag}", "identifier": f"29000/{int(tag, 16) % 10**8:08d}"}
    page.fill("#field-title", typed["title"])
    page.fill("#field-notes", "用浏览器填写的摘要。")
    page.fill("#field-identifier", typed["identifier"])
    page.fill("#field-publisher_name", "广东省测试厅")
    page.locator("input[name=theme]").first.check()
    page.fill("#field-issued", "2024-01-02")
    page.fill("#field-temporal_start", "2024-01-01")
    page.fill("#field-data_items-0-name", "站点名称")
    return typed


def press_next(page: Any) -> None:
    page.locator("button[name=save]").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["zh_Hans_CN", "en"])
def test_new_dataset_with_data_items_through_the_form(live_server, editor, prefix):
    tag = uuid.uuid4().hex[:8]
    with chromium_session(live_server) as b:
        b.login(editor["name"], PASSWORD, prefix)
        page = b.open(f"{prefix}/dataset/new")
        assert "scheming-repeating-subfields" in b.modules()
        typed = fill_required(page, tag)
        # a second row through the widget's Add button (新增 / Add)
        page.locator("a[name=repeating-add]").click()
        page.fill("#field-data_items-1-name", "监测值")
        page.select_option("#field-data_items-1-type", "integer")
        b.screenshot(f"dataset-form{prefix or '-zh'}-filled")
        press_next(page)
        b.screenshot(f"dataset-form{prefix or '-zh'}-after-next")
        assert page.url.endswith("/resource/new"), page.locator(".error-explanation").all_inner_texts()
        assert (b.console_errors, b.outside) == ([], [])
    name = page.url.split("/dataset/")[1].split("/")[0]
    saved = helpers.call_action("package_show", id=name)
    assert saved["title"] == typed["title"] and saved["identifier"] == typed["identifier"]
    assert [(r["name"], r["type"]) for r in saved["data_items"]] == [("站点名称", "string"), ("监测值", "integer")]


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["zh_Hans_CN", "en"])
def test_form_without_javascript_has_no_phantom_rows(live_server, editor, prefix):
    tag = uuid.uuid4().hex[:8]
    with chromium_session(live_server, javascript=False) as b:
        b.login(editor["name"], PASSWORD, prefix)
        page = b.open(f"{prefix}/dataset/new")
        typed = fill_required(page, tag)
        # a mistake first: the error page must keep exactly the one row typed
        page.fill("#field-title", "")
        for _ in range(2):
            press_next(page)
            errors = page.locator(".error-explanation").inner_text()
            assert page.locator(".scheming-subfield-group:visible").count() == 1, errors
            assert ("信息项 2" not in errors) and ("Data item 2" not in errors), errors
        assert page.input_value("#field-data_items-0-name") == "站点名称"
        page.fill("#field-title", typed["title"])
        press_next(page)
        b.screenshot(f"dataset-form-nojs{prefix or '-zh'}-after-next")
        assert page.url.endswith("/resource/new"), page.locator(".error-explanation").all_inner_texts()
    name = page.url.split("/dataset/")[1].split("/")[0]
    saved = helpers.call_action("package_show", id=name)
    assert [(r["name"], r["type"]) for r in saved["data_items"]] == [("站点名称", "string")]
