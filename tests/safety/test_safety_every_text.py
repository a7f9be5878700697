"""Personal data in texts the gate never read, found by the attack trial (an organisation's
editor published a mobile or an ID number that anonymous visitors read): a file's custom field,
the dataset's version, author, maintainer, link and extras, an application's links (held like
the title: every string of a dataset and its files is scanned now, links percent-decoded); a
DataStore column's id and info; organisation, group and user texts (refused, 409, zh/en)."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import (
    anonymous_sees,
    api_token,
    as_user,
    create,
    editor_table,
    make_org,
    make_sysadmin,
    make_user,
    show,
    valid_id,
)

pytestmark = pytest.mark.usefixtures("gd")

ID = valid_id()
MOBILE = "13612345678"


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "admin"}])
    token = api_token(editor)
    return {"editor": editor, "org": org, "token": token}


def metadata_findings(pkg_id: str) -> set[tuple[str, str]]:
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg_id})
    assert "metadata" in state["holds"], state["holds"]
    return {(f["column"], f["detector"]) for f in state["metadata"]["findings"]}


def test_a_files_custom_field_holds_the_dataset(world: dict[str, Any], gd_app: Any) -> None:
    pkg = create(world["org"]["id"], user=world["editor"], resources=[
        {"url": "https://www.gd.gov.cn/data/list.csv", "name": "名单", "format": "CSV"}])
    assert show(pkg["id"])["private"] is False
    rid = pkg["resources"][0]["id"]
    resp = gd_app.post("/api/3/action/resource_patch", json={"id": rid, "remark": "每月更新一次"},
                       headers={"Authorization": world["token"]})
    assert resp.json["success"] and anonymous_sees(pkg["id"])  # a decoy stays public
    gd_app.post("/api/3/action/resource_patch", headers={"Authorization": world["token"]},
                json={"id": rid, "remark": f"联系人 {MOBILE} 身份证 {ID}"})
    assert not anonymous_sees(pkg["id"])
    resp = gd_app.get(f"/api/3/action/resource_show?id={rid}", status=None)
    assert resp.status_code in (403, 404) and MOBILE not in resp.text
    assert metadata_findings(pkg["id"]) >= {("resources.remark", "mobile"), ("resources.remark", "resident_id")}


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("version", f"v1 {MOBILE}", "mobile"),
    ("author", f"张三 {ID}", "resident_id"),
    ("maintainer", f"李四 {MOBILE}", "mobile"),
    ("url", f"http://example.com/?tel={MOBILE}", "mobile"),
    ("url", "http://example.com/?sfz=" + "".join(f"%{ord(c):02X}" for c in ID),
     "resident_id"),  # percent-encoded: read as the browser shows it
])
def test_core_fields_of_a_dataset_hold_it(world: dict[str, Any], field: str, value: str, kind: str) -> None:
    pkg = create(world["org"]["id"], user=world["editor"], **{field: value})
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    assert (field, kind) in metadata_findings(pkg["id"])


def test_a_custom_extra_holds_the_dataset(world: dict[str, Any]) -> None:
    pkg = create(world["org"]["id"], user=world["editor"],
                 extras=[{"key": "值班电话", "value": f"值班 {MOBILE}"}])
    assert show(pkg["id"])["private"] is True
    assert ("值班电话", "mobile") in metadata_findings(pkg["id"])


def test_decoys_stay_public(world: dict[str, Any]) -> None:
    pkg = create(world["org"]["id"], user=world["editor"], version="1.2.3", author="王小明",
                 maintainer="数据科", url="https://www.gd.gov.cn/zwgk/sjfb/index.html?page=2",
                 extras=[{"key": "备注", "value": "2024年第3季度"}],
                 resources=[{"url": "https://www.gd.gov.cn/data/list.csv", "name": "名单",
                             "format": "CSV", "remark": "按月更新"}])
    assert show(pkg["id"])["private"] is False and anonymous_sees(pkg["id"])


@pytest.mark.parametrize("field", ["url", "image_url"])
def test_an_applications_links_hold_it(world: dict[str, Any], field: str) -> None:
    used = create(world["org"]["id"], user=world["editor"])
    data = {"type": "application", "title": "粤游导览", "notes": "景区导览小程序。",
            "owner_org": world["org"]["id"], "developer_name": "广州某科技有限公司",
            "developer_type": "organization", "application_kind": "mini_program",
            "url": "https://example.com/app", "theme": ["文化休闲"], "private": False,
            "used_datasets": [used["name"]], field: f"https://example.com/app?sfz={ID}"}
    app = tk.get_action("package_create")(as_user(world["editor"]), data)
    assert show(app["id"])["private"] is True
    assert (field, "resident_id") in metadata_findings(app["id"])


def test_the_field_is_named_by_its_schema_label(gd_app: Any) -> None:
    from ckanext.guangdong.safety.helpers import guangdong_safety_label
    with gd_app.flask_app.test_request_context("/en/"):
        from flask import request
        request.environ["CKAN_LANG"] = "en"
        assert guangdong_safety_label("image_url") == "Image"
        assert guangdong_safety_label("version") == "version"


# --- DataStore columns ------------------------------------------------------------------------
@pytest.mark.parametrize(("column", "info"), [
    ("x", {"label": f"身份证 {ID}", "notes": MOBILE}),
    (f"手机{MOBILE}", {}),
])
def test_a_columns_personal_data_is_refused(column: str, info: dict[str, str], gd_app: Any) -> None:
    table = editor_table()
    token = api_token(table["editor"])
    for lang, word in (("zh-CN", "个人信息"), ("en", "personal data")):
        resp = gd_app.post("/api/3/action/datastore_create", status=None,
                           headers={"Authorization": token, "Accept-Language": lang},
                           json={"resource_id": table["rid"], "force": True,
                                 "fields": [{"id": column, "type": "text", "info": info}]})
        assert resp.status_code == 409, (lang, resp.status_code)
        assert word in str(resp.json["error"]), lang
    found = gd_app.get(f"/api/3/action/datastore_search?resource_id={table['rid']}").json["result"]
    assert ID not in str(found["fields"]) and MOBILE not in str(found["fields"])
    # a sysadmin's data dictionary is public too
    with pytest.raises(tk.ValidationError):
        tk.get_action("datastore_create")(as_user(make_sysadmin()), {
            "resource_id": table["rid"], "force": True,
            "fields": [{"id": column, "type": "text", "info": info}]})


def test_a_columns_ordinary_description_is_saved() -> None:
    table = editor_table()
    tk.get_action("datastore_create")(as_user(table["editor"]), {
        "resource_id": table["rid"], "force": True,
        "fields": [{"id": "城市", "type": "text", "info": {"label": "城市名称", "notes": "2024版"}}]})


# --- organisations, groups, users -------------------------------------------------------------
def test_an_organisations_description_with_personal_data_is_refused(world: dict[str, Any], gd_app: Any) -> None:
    org = world["org"]
    for lang, word in (("zh-CN", "描述"), ("en", "description")):
        resp = gd_app.post("/api/3/action/organization_patch", status=None,
                           headers={"Authorization": world["token"], "Accept-Language": lang},
                           json={"id": org["id"], "description": f"值班手机 {MOBILE} 身份证 {ID}"})
        assert resp.status_code == 409, (lang, resp.status_code)
        assert word in str(resp.json["error"]["description"]), lang
    shown = gd_app.get(f"/api/3/action/organization_show?id={org['id']}").json["result"]
    assert MOBILE not in str(shown)
    with pytest.raises(tk.ValidationError):  # sysadmins too
        tk.get_action("organization_patch")(as_user(make_sysadmin()), {"id": org["id"], "title": f"局 {ID}"})
    with pytest.raises(tk.ValidationError):
        tk.get_action("organization_patch")(as_user(make_sysadmin()), {
            "id": org["id"], "extras": [{"key": "duty", "value": MOBILE}]})
    tk.get_action("organization_patch")(as_user(world["editor"]), {
        "id": org["id"], "description": "负责全市公共数据开放，电话 020-83456789。"})


def test_a_groups_text_with_personal_data_is_refused() -> None:
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("group_create")(as_user(make_sysadmin()), {
            "name": f"g-{uuid.uuid4().hex[:8]}", "title": "民生", "description": f"联系 {MOBILE}"})
    assert "description" in refused.value.error_dict


def test_a_users_text_with_personal_data_is_refused(gd_app: Any) -> None:
    user = make_user()
    token = api_token(user)
    resp = gd_app.post("/api/3/action/user_patch", status=None, headers={"Authorization": token},
                       json={"id": user["id"], "about": MOBILE, "fullname": ID})
    assert resp.status_code == 409, resp.status_code
    assert set(resp.json["error"]) >= {"about", "fullname"}
    shown = gd_app.get(f"/api/3/action/user_show?id={user['id']}").json["result"]
    assert MOBILE not in str(shown) and ID not in str(shown)
    resp = gd_app.post("/api/3/action/user_patch", status=None, headers={"Authorization": token},
                       json={"id": user["id"], "about": "数据爱好者", "fullname": "王小明"})
    assert resp.status_code == 200, resp.json


def test_a_finding_under_its_own_kind_is_named_once(gd_app: Any) -> None:
    # (trial 9) the review queue read "姓名：姓名 × 20"
    from ckanext.guangdong.safety.helpers import guangdong_safety_finding_head as head
    with gd_app.flask_app.test_request_context("/"):
        from flask import request
        request.environ["CKAN_LANG"] = "zh_Hans_CN"
        assert head({"column": "姓名", "detector": "person_name"}) == "姓名"
        assert head({"column": "联系人", "detector": "person_name"}) == "联系人：姓名"
    with gd_app.flask_app.test_request_context("/en/"):
        from flask import request
        request.environ["CKAN_LANG"] = "en"
        assert head({"column": "联系人", "detector": "person_name"}) == "联系人: Person name"
