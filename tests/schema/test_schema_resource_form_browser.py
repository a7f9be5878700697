"""The resource form in headless Chromium, as a department editor meets it: upload a CSV with
no format chosen, and link to an .xlsx with no format, in Chinese and in English; the format is
inferred (CSV, XLSX) and nothing is refused (it used to answer “text/csv”不是允许的格式 and lose
the chosen file)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers
from gd_chromium import chromium_session, needs_chromium
from gd_testing import dataset_dict, make_org, make_user

pytestmark = [needs_chromium, pytest.mark.usefixtures("gd")]

PASSWORD = "Editor-pass-2024"


@pytest.fixture(scope="module")
def editor(gd_plugins: None) -> dict[str, Any]:
    user = make_user(password=PASSWORD)
    org = make_org(image_url="", users=[{"name": user["name"], "capacity": "editor"}])
    return {"name": user["name"], "org": org}


def _dataset(editor: dict[str, Any]) -> dict[str, Any]:
    return tk.get_action("package_create")({"user": editor["name"]},
                                           dataset_dict(editor["org"]["id"], resources=[]))


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["zh_Hans_CN", "en"])
def test_upload_and_link_without_a_format(live_server, editor, prefix, tmp_path: Path):
    pkg = _dataset(editor)
    csv_file = tmp_path / "空气质量.csv"
    csv_file.write_text("站点,AQI\n越秀,42\n", encoding="utf-8")
    with chromium_session(live_server) as b:
        b.login(editor["name"], PASSWORD, prefix)
        page = b.open(f"{prefix}/dataset/{pkg['name']}/resource/new")
        assert "resource-upload-field" in b.modules()
        with page.expect_file_chooser() as chooser:
            page.click("#resource-upload-button")
        chooser.value.set_files(str(csv_file))
        assert page.input_value("#field-name") == "空气质量.csv"  # CKAN's widget fills it
        b.screenshot(f"resource-form{prefix or '-zh'}-upload")
        page.locator("button[name=save][value=again]").click()  # save and add another
        page.wait_for_load_state("networkidle")
        assert page.locator(".error-explanation").count() == 0, page.locator(".error-explanation").inner_text()
        page.click("#resource-link-button")
        page.fill("#field-resource-url", "http://127.0.0.1/files/统计表.xlsx")
        page.fill("#field-name", "统计表")
        page.locator("button[name=save][value=go-metadata], button[name=save][value=go-dataset-complete]").click()
        page.wait_for_load_state("networkidle")
        b.screenshot(f"resource-form{prefix or '-zh'}-done")
        assert page.locator(".error-explanation").count() == 0, page.locator(".error-explanation").inner_text()
        assert (b.console_errors, b.outside) == ([], [])
    resources = helpers.call_action("package_show", id=pkg["id"])["resources"]
    assert [(r["name"], r["format"], r["url_type"] or "") for r in resources] == [
        ("空气质量.csv", "CSV", "upload"), ("统计表", "XLSX", "")]
