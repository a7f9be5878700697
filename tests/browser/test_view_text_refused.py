"""A publisher who types an ID number into a new resource view's title gets the form back with
the refusal in the page's language (publishing safety, docs/safety.md "Resource views")."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")

ID = "440106198503120015"


@pytest.fixture(scope="module")
def editor_resource(live_server: str) -> dict[str, Any]:
    from gd_testing import dataset_dict
    person = make_person("视图编辑")
    org = ensure_org("browser-dept", "省数据资源测试局", "440000", "department")
    tk.get_action("organization_member_create")(_context(), {
        "id": org["id"], "username": person["name"], "role": "editor"})
    pkg = tk.get_action("package_create")(_context(), dataset_dict(
        org["id"], name=f"view-{uuid.uuid4().hex[:8]}", resources=[
            {"url": tk.config["ckan.site_url"] + "/files/list.csv", "name": "名单", "format": "CSV"}]))
    return {"person": person, "pkg": pkg, "rid": pkg["resources"][0]["id"]}


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_a_view_title_with_an_id_number_is_refused_in_the_form(
        journey: Any, editor_resource: dict[str, Any], lang: str) -> None:
    j = journey("view-text-refused", lang)
    j.login(editor_resource["person"]["name"], PASSWORD)
    j.goto(f"/dataset/{editor_resource['pkg']['name']}/resource/{editor_resource['rid']}/new_view?view_type=text_view")
    j.page.fill("#field-title", f"名单 {ID}")
    j.page.locator("button[name=save]").first.click()
    j.page.wait_for_load_state("load")
    body = j.page.inner_text("body")
    word = "个人信息" if lang == "zh_Hans_CN" else "personal data"
    assert word in body, body[:2000]
    j.check("refused", allow=("text_view",))
    views = tk.get_action("resource_view_list")(_context(), {"id": editor_resource["rid"]})
    assert all(ID not in v["title"] for v in views)  # nothing saved
    j.finish()
