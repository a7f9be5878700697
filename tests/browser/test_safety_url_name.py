"""A reviewer reads a finding in a stored URL name on the safety page, the field named by its
label in the page's language (publishing safety, docs/safety.md "URL names")."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, _context, ensure_org, make_person

pytestmark = pytest.mark.usefixtures("browser_plugins")

ID = "440106198503120015"


@pytest.fixture(scope="module")
def held_by_its_name(live_server: str) -> dict[str, Any]:
    from ckan import model
    from gd_testing import dataset_dict
    reviewer = make_person("审核员", sysadmin=True)
    org = ensure_org("browser-dept", "省数据资源测试局", "440000", "department")
    used = tk.get_action("package_create")(_context(), dataset_dict(org["id"], name=f"used-{uuid.uuid4().hex[:8]}"))
    app = tk.get_action("package_create")(_context(), {
        "type": "application", "title": f"公交查询{uuid.uuid4().hex[:6]}", "notes": "公交查询小程序。",
        "owner_org": org["id"], "developer_name": "广州某科技有限公司", "developer_type": "organization",
        "application_kind": "mini_program", "url": "https://example.com/app", "theme": ["文化休闲"],
        "private": False, "used_datasets": [used["name"]]})
    name = f"app-{ID}-{app['id'][:6]}"  # a name made before names were checked
    model.Session.query(model.Package).filter(model.Package.id == app["id"]).update({"name": name})
    model.Session.commit()
    tk.get_action("package_patch")(_context(), {"id": app["id"], "notes": "更新说明。"})
    return {"reviewer": reviewer, "name": name}


@pytest.mark.parametrize(("lang", "label"), [("zh_Hans_CN", "网址名称"), ("en", "URL name")])
def test_a_reviewer_sees_the_url_name_finding_by_its_label(
        journey: Any, held_by_its_name: dict[str, Any], lang: str, label: str) -> None:
    j = journey("url-name-finding", lang)
    j.login(held_by_its_name["reviewer"]["name"], PASSWORD)
    j.goto(f"/dataset/{held_by_its_name['name']}/safety")
    body = j.page.inner_text("body")
    assert label in body and "440***********0015" in body, body[:3000]
    assert ID not in body.replace(held_by_its_name["name"], "")  # only the masked sample
    j.check("finding")
    j.finish()
