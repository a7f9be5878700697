"""A publisher meets the negative list (负面清单) on the create form, in Chinese and in English:
a data item 身份证号 with 无条件开放 is refused at step 1, under 开放属性 (its label, never the
field's key), with everything typed kept; choosing 不予开放 there lets the dataset through both
steps, file and all."""
from __future__ import annotations

import uuid

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, ensure_org, make_person
from browser_journey import Journey
from test_journey_editor import fill_dataset_form, form_errors

pytestmark = pytest.mark.usefixtures("browser_plugins")

LABEL = {"zh_Hans_CN": "开放属性", "en": "Access rights"}
LISTED = {"zh_Hans_CN": "负面清单", "en": "negative list"}


@pytest.fixture(scope="module")
def publisher(live_server):
    org = ensure_org("browser-dept", "省数据资源测试局", "440000", "department")
    person = make_person("负面清单编辑员")
    tk.get_action("organization_member_create")(_context(), {
        "id": org["id"], "username": person["name"], "role": "editor"})
    return {"user": person, "org": org}


def _submit(j: Journey) -> None:
    j.page.locator("button[name=save]").last.click()
    j.page.wait_for_load_state("load")


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_a_negative_list_item_is_refused_at_step_one_with_the_field_label(journey, publisher, lang, tmp_path):
    word = "名单" + uuid.uuid4().hex[:6]
    title = f"{word}办事群众信息"
    identifier = f"29000/{uuid.uuid4().int % 10**10:010d}"
    j = journey("negative-list", lang, allowed_words=(title,))
    page = j.page
    j.login(publisher["user"]["name"], PASSWORD)
    j.goto("/dataset/new")
    fill_dataset_form(j, title, identifier)
    page.fill("#field-data_items-0-name", "身份证号")
    page.fill("#field-data_items-0-description", "办事人的身份证号")
    _submit(j)

    # refused at step 1: still the dataset form, nothing saved, the error beside 开放属性
    assert "/resource/new" not in page.url and "/new_resource" not in page.url, page.url
    j.shot("step1-refused")
    errors = form_errors(j)
    assert any(LISTED[lang] in e for e in errors), errors
    summary = page.locator(".error-explanation li, .alert-error li").all_inner_texts()
    assert any(li.strip().startswith(LABEL[lang] + ":") for li in summary), summary
    field_error = page.locator("#field-access_rights").locator(
        "xpath=ancestor::div[contains(@class,'form-group') or contains(@class,'control-group')][1]")
    assert LISTED[lang] in field_error.inner_text(), field_error.inner_text()
    assert "access_rights" not in page.locator("main, body").first.inner_text()
    # nothing typed is lost
    assert page.locator("#field-title").input_value() == title
    assert page.locator("#field-identifier").input_value() == identifier
    assert page.locator("#field-data_items-0-name").input_value() == "身份证号"
    assert not tk.get_action("package_search")(_context(), {
        "q": f'title:"{title}"', "include_private": True, "include_drafts": True})["count"]

    # the publisher acts on it right there: 不予开放, then both steps go through
    page.select_option("#field-access_rights", "not_open")
    _submit(j)
    assert "/resource/new" in page.url or "/new_resource" in page.url, form_errors(j)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("事项,数量\n社保卡补办,3\n", encoding="utf-8")
    upload_button = page.locator("label[for=field-resource-upload], a:has-text('上传'), a:has-text('Upload')")
    if upload_button.count() and upload_button.first.is_visible():
        upload_button.first.click()
    page.set_input_files("input[type=file]", str(csv_file))
    page.locator("button[name=save][value=go-metadata], button[name=save]").last.click()
    page.wait_for_load_state("load")
    assert "/resource/new" not in page.url and "/new_resource" not in page.url, form_errors(j)
    j.shot("created-not-open")
    found = tk.get_action("package_search")(_context(), {
        "q": f'title:"{title}"', "include_private": True})["results"]
    assert len(found) == 1 and found[0]["private"] is True and found[0]["access_rights"] == "not_open"
    assert len(found[0]["resources"]) == 1
    j.finish()


def _draft_listed_since_step_one(org_id: str, title: str) -> dict:
    """A draft saved at step 1 whose data item the negative list names by the time the
    publisher presses 完成 (the list changed in between, or a draft made through the API)."""
    import json

    from ckan import model
    from gd_testing import dataset_dict
    draft = tk.get_action("package_create")(_context(), dataset_dict(
        org_id, full=False, title=title, state="draft", resources=[],
        data_items=[{"name": "办理事项", "type": "string"}]))
    pkg = model.Package.get(draft["id"])
    pkg.extras["data_items"] = json.dumps([{"name": "身份证号", "type": "string"}], ensure_ascii=False)
    model.Session.commit()
    return draft


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_a_refusal_at_step_two_names_the_field_and_leads_to_it(journey, publisher, lang, tmp_path):
    title = "名单" + uuid.uuid4().hex[:6] + "办事记录"
    draft = _draft_listed_since_step_one(publisher["org"]["id"], title)
    j = journey("negative-list-step2", lang, allowed_words=(title,))
    page = j.page
    j.login(publisher["user"]["name"], PASSWORD)
    j.goto(f"/dataset/{draft['name']}/resource/new")
    csv_file = tmp_path / "items.csv"
    csv_file.write_text("事项,数量\n社保卡补办,3\n", encoding="utf-8")
    upload_button = page.locator("label[for=field-resource-upload], a:has-text('上传'), a:has-text('Upload')")
    if upload_button.count() and upload_button.first.is_visible():
        upload_button.first.click()
    page.set_input_files("input[type=file]", str(csv_file))
    page.locator("button[name=save][value=go-metadata], button[name=save]").last.click()
    page.wait_for_load_state("load")
    j.shot("step2-refused")
    summary = page.locator(".error-explanation li").all_inner_texts()
    assert any(li.strip().startswith(LABEL[lang] + ":") and LISTED[lang] in li for li in summary), summary
    assert "access_rights" not in page.locator("body").inner_text()
    page.locator(".gd-dataset-fields-error a").click()
    page.wait_for_load_state("load")
    # the dataset's fields, where 开放属性 can be changed
    page.select_option("#field-access_rights", "not_open")
    page.select_option("#field-private", "True")  # 不予开放 is a private entry
    page.locator("button[name=save]").last.click()
    page.wait_for_load_state("load")
    assert "/resource/new" in page.url or "/new_resource" in page.url, form_errors(j)
    j.finish()


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_a_listed_word_split_by_a_markdown_link_is_refused_at_step_one(journey, publisher, lang):
    """Issue 14 (attack trial a8, M1): the description shows 国家秘密 although a link splits
    the stored word; the form refuses it under 开放属性 as it refuses the plain word."""
    title = "名单" + uuid.uuid4().hex[:6] + "文件目录"
    j = journey("negative-list-markdown", lang, allowed_words=(title, "https", "www", "gd", "gov", "cn"))
    page = j.page
    j.login(publisher["user"]["name"], PASSWORD)
    j.goto("/dataset/new")
    fill_dataset_form(j, title, f"29000/{uuid.uuid4().int % 10**10:010d}")
    page.fill("#field-notes", "本数据集为[国](https://www.gd.gov.cn)家秘密文件清单")
    _submit(j)
    assert "/resource/new" not in page.url and "/new_resource" not in page.url, page.url
    j.shot("markdown-split-refused")
    errors = form_errors(j)
    assert any(LISTED[lang] in e for e in errors), errors
    assert page.locator("#field-notes").input_value() == "本数据集为[国](https://www.gd.gov.cn)家秘密文件清单"
    assert not tk.get_action("package_search")(_context(), {
        "q": f'title:"{title}"', "include_private": True, "include_drafts": True})["count"]
    j.finish()
