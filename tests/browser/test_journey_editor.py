"""A department editor's journey, in Chinese and in English: log in through the form → create a
dataset with one 信息项 (data item) row through the form → upload a CSV file without choosing
a format → find the dataset by a word of its title."""
from __future__ import annotations

import uuid

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, ensure_org, make_person
from browser_journey import Journey

pytestmark = pytest.mark.usefixtures("browser_plugins")


@pytest.fixture(scope="module")
def editor(live_server):
    org = ensure_org("browser-dept", "省数据资源测试局", "440000", "department")
    person = make_person("数据编辑员")
    tk.get_action("organization_member_create")(_context(), {
        "id": org["id"], "username": person["name"], "role": "editor"})
    return {"user": person, "org": org}


def fill_dataset_form(j: Journey, title: str, identifier: str) -> None:
    page = j.page
    page.fill("#field-title", title)
    page.fill("#field-notes", "各区公共停车场的名称、地址和泊位数。")
    page.fill("#field-identifier", identifier)
    page.fill("#field-publisher_name", "省数据资源测试局")
    page.fill("#field-publisher_identifier", "11440000006940081X")
    page.check("#field-theme-道路交通")
    page.select_option("#field-access_rights", "unconditional")
    page.select_option("#field-frequency", "monthly")
    page.fill("#field-issued", "2019-05-01")
    page.fill("#field-modified", "2024-05-01")
    page.select_option("#field-region_code", "440100")
    page.fill("#field-contact_name", "数据管理科")
    page.fill("#field-contact_email", "opendata@gd.gov.cn")
    page.fill("#field-contact_phone", "020-12345678")
    page.fill("#field-record_count", "3")
    # One 信息项 row.
    page.fill("#field-data_items-0-name", "停车场名称")
    page.select_option("#field-data_items-0-type", index=1)
    page.fill("#field-data_items-0-description", "停车场的名称")
    page.select_option("#field-share_type", index=1)
    page.select_option("#field-data_level", index=1)
    page.select_option("#field-deidentified", index=1)


def form_errors(j: Journey) -> list[str]:
    return [e.strip() for e in j.page.locator(".error-explanation li, .alert-error li, .error-block").all_inner_texts()]


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_editor_journey(journey, editor, lang, tmp_path):
    word = "停车场" + uuid.uuid4().hex[:6]
    title = f"{word}公共停车场信息"
    j = journey("editor", lang, allowed_words=(title,))
    page = j.page
    j.login(editor["user"]["name"], PASSWORD)
    j.check("logged-in")

    j.goto("/dataset/new")
    j.check("dataset-form")
    fill_dataset_form(j, title, f"29000/{uuid.uuid4().int % 10**10:010d}")
    j.shot("dataset-form-filled")
    page.locator("button[name=save]").click()
    page.wait_for_load_state("load")
    errors = form_errors(j)
    assert "/resource/new" in page.url or "/new_resource" in page.url, \
        f"the dataset form was refused: {errors} ({page.url})"
    j.check("resource-form")

    # A CSV file, no format chosen: the portal works it out.
    csv_file = tmp_path / "parking.csv"
    csv_file.write_text("停车场名称,泊位数\n花城停车场,120\n", encoding="utf-8")
    upload_button = page.locator("label[for=field-resource-upload], a:has-text('上传'), a:has-text('Upload')")
    if upload_button.count() and upload_button.first.is_visible():
        upload_button.first.click()
    page.set_input_files("input[type=file]", str(csv_file))
    assert page.locator("#field-format").input_value() in ("", "CSV")  # nothing typed by the editor
    j.shot("resource-form-filled")
    page.locator("button[name=save][value=go-metadata], button[name=save]").last.click()
    page.wait_for_load_state("load")
    assert "/resource/new" not in page.url, f"the file was refused: {form_errors(j)}"
    j.check("dataset-created")

    # Found by a word of its title; the file's format is known.
    j.goto(f"/dataset/?q={word}")
    item = page.locator(".dataset-item").filter(has_text=title)
    assert item.count() == 1, "the new dataset is not found by its title word"
    assert "CSV" in item.inner_text()
    j.check("found")
    j.finish()
