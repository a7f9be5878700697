"""Two ways around the gate found by the attack trial: open-data applications (开放数据应用,
package type ``application``) were public at once with an ID number in their text, and resource
views' titles and descriptions were never checked. Applications are now scanned and held like
datasets; a view text with personal data is refused (409, zh/en)."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import (
    api_token,
    as_user,
    create,
    make_org,
    make_sysadmin,
    make_user,
    show,
    site_context,
    valid_id,
)
from sqlalchemy import text

pytestmark = pytest.mark.usefixtures("gd")

ID = valid_id()
MOBILE = "13800138000"


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    own = tk.config["ckan.site_url"] + "/files/list.csv"  # a file on this portal: previews allowed
    pkg = create(org["id"], user=editor, resources=[{"url": own, "name": "名单", "format": "CSV"}])
    assert show(pkg["id"])["private"] is False
    token = api_token(editor)
    return {"editor": editor, "org": org, "pkg": pkg, "rid": pkg["resources"][0]["id"], "token": token}


def application(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {"type": "application", "title": "粤游导览", "notes": "景区导览小程序。",
            "owner_org": world["org"]["id"], "developer_name": "广州某科技有限公司",
            "developer_type": "organization", "application_kind": "mini_program",
            "url": "https://example.com/app", "theme": ["文化休闲"], "private": False,
            "used_datasets": [world["pkg"]["name"]]}
    data.update(overrides)
    return tk.get_action("package_create")(as_user(world["editor"]), data)


def counted(package_id: str) -> bool:
    from ckan import model
    model.Session.remove()
    return model.Session.execute(text("SELECT 1 FROM guangdong_open_period WHERE package_id = :id"),
                                 {"id": package_id}).first() is not None


@pytest.mark.parametrize(("field", "value"), [
    ("title", f"导览 {ID}"), ("notes", f"联系 {MOBILE}"), ("developer_name", f"张三 {MOBILE}"),
    ("contact_name", f"李四 身份证{ID}")])
def test_an_application_with_personal_data_is_held_until_cleared(
        world: dict[str, Any], gd_app: Any, field: str, value: str) -> None:
    marker = f"导览{uuid.uuid4().hex[:8]}"
    app = application(world, **{"title": marker, field: f"{marker} {value}" if field == "title" else value})
    assert show(app["id"])["private"] is True
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": app["id"]})
    assert state["holds"] == ["metadata"]
    assert field in {f["column"] for f in state["metadata"]["findings"]}
    # anonymous: no page, no search hit, not counted
    assert gd_app.get(f"/application/{app['name']}", status=None).status_code == 404
    page = gd_app.get("/application/", status=200).get_data(as_text=True)
    assert marker not in page and app["name"] not in page
    found = gd_app.get("/api/3/action/package_search", params={
        "fq": "dataset_type:application", "q": f"name:{app['name']}"}, status=200).json["result"]
    assert found["count"] == 0
    assert not counted(app["id"])
    # a reviewer's clearance publishes it
    tk.get_action("guangdong_safety_clear")(as_user(make_sysadmin()), {"id": app["id"], "reason": "测试"})
    assert show(app["id"])["private"] is False
    assert gd_app.get(f"/application/{app['name']}", status=None).status_code == 200
    assert counted(app["id"])


def test_a_clean_application_is_public_at_once(world: dict[str, Any], gd_app: Any) -> None:
    app = application(world, contact_email="dev@example.com")  # the contact point is no finding
    assert show(app["id"])["private"] is False
    assert gd_app.get(f"/application/{app['name']}", status=None).status_code == 200


def test_an_update_adding_personal_data_holds_a_public_application(world: dict[str, Any]) -> None:
    app = application(world)
    assert show(app["id"])["private"] is False
    tk.get_action("package_patch")(as_user(world["editor"]), {"id": app["id"], "notes": f"身份证 {ID}"})
    assert show(app["id"])["private"] is True


# --- resource views ------------------------------------------------------------------------------
VIEW_TYPES = ["datatables_view", "text_view", "webpage_view", "image_view", "pdf_view"]


def _view(world: dict[str, Any], view_type: str, **texts: str) -> dict[str, Any]:
    data = {"resource_id": world["rid"], "view_type": view_type, "title": "预览", **texts}
    if view_type == "webpage_view":
        data.setdefault("page_url", tk.config["ckan.site_url"] + "/about")
    return data


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_a_view_titled_with_an_id_number_is_refused(world: dict[str, Any], gd_app: Any, view_type: str) -> None:
    before = tk.get_action("resource_view_list")(site_context(), {"id": world["rid"]})
    for lang, word in (("zh-CN", "个人信息"), ("en", "personal data")):
        resp = gd_app.post("/api/3/action/resource_view_create", status=None,
                           json=_view(world, view_type, title=f"名单 {ID}", description=f"电话 {MOBILE}"),
                           headers={"Authorization": world["token"], "Accept-Language": lang})
        assert resp.status_code == 409, (lang, resp.status_code, resp.get_data(as_text=True)[:300])
        error = resp.json["error"]
        assert word in str(error["title"]) and word in str(error["description"]), error
    after = tk.get_action("resource_view_list")(site_context(), {"id": world["rid"]})
    assert len(after) == len(before)  # nothing saved
    anon = gd_app.get(f"/dataset/{world['pkg']['name']}/resource/{world['rid']}", status=200).get_data(as_text=True)
    assert ID not in anon and MOBILE not in anon


def test_a_clean_view_is_saved_and_an_update_with_personal_data_is_refused(world: dict[str, Any]) -> None:
    view = tk.get_action("resource_view_create")(as_user(world["editor"]), _view(
        world, "text_view", title="名单预览", description="办件数量 2024.03.15"))
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("resource_view_update")(as_user(world["editor"]), {
            **view, "description": "联系 1\u200b3\u200b8\u200b00138000"})
    assert "description" in refused.value.error_dict
    shown = tk.get_action("resource_view_show")(site_context(), {"id": view["id"]})
    assert shown["description"] == "办件数量 2024.03.15"


def test_a_view_link_with_a_percent_encoded_id_number_is_refused(world: dict[str, Any]) -> None:
    """Found by the re-attack: ``?id=%34%34…`` in an image link is the ID number once the
    browser decodes it."""
    encoded = "".join(f"%{ord(c):02X}" for c in ID)
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("resource_view_create")(as_user(world["editor"]), _view(
            world, "image_view", image_url=tk.config["ckan.site_url"] + f"/p.png?id={encoded}"))
    assert "image_url" in refused.value.error_dict



def test_an_application_titled_with_an_id_number_gets_a_url_name_without_it(world: dict[str, Any]) -> None:
    """Names are derived from the title and never change: once a reviewer cleared the title,
    the URL showed the ID number. A title with personal data gives a random name."""
    for title in (f"{ID} 申请的应用", f"联系 {MOBILE[:3]} {MOBILE[3:7]} {MOBILE[7:]} 的应用", f"申请人{ID}的应用"):
        app = application(world, title=title)
        digits = "".join(c for c in app["name"] if c.isdigit())
        assert ID[:6] not in digits and MOBILE[3:7] not in digits, app["name"]
        assert app["name"].startswith("app-") and show(app["id"])["private"] is True  # the title holds it
    clean = application(world, title="2024 广州公交查询")
    assert clean["name"].startswith("app-2024-guang-zhou"), clean["name"]


def test_a_stored_url_name_with_personal_data_is_held_and_named_by_its_label(
        world: dict[str, Any], gd_app: Any) -> None:
    """Names made before (or migrated) may hold an ID number: the gate scans them like the
    title; the finding names the field 网址名称 / URL name."""
    from ckan import model
    from safety_support import in_language

    from ckanext.guangdong.safety import helpers
    app = application(world, title=f"公交查询{uuid.uuid4().hex[:6]}")
    assert show(app["id"])["private"] is False
    legacy = f"app-{ID.lower()}-{app['id'][:6]}"
    model.Session.query(model.Package).filter(model.Package.id == app["id"]).update({"name": legacy})
    model.Session.commit()
    tk.get_action("package_patch")(as_user(world["editor"]), {"id": app["id"], "notes": "更新说明"})
    model.Session.remove()
    state = tk.get_action("guangdong_safety_status")(site_context(), {"id": app["id"]})
    assert "metadata" in state["holds"] and show(app["id"])["private"] is True
    assert [f["column"] for f in state["metadata"]["findings"]] == ["name"], state["metadata"]
    for lang, label in (("zh_Hans_CN", "网址名称"), ("en", "URL name")):
        with in_language(gd_app, lang):
            assert helpers.guangdong_safety_label("name") == label
