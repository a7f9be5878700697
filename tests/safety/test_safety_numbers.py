"""Personal data sent as JSON numbers (issue 14, H4), and pictures' links (M2).

The attack trial saved ``title=15012345678``, ``notes=441900197811052343`` (an ID number with a
valid check character), author and version numbers, an extras value and a data item's
description as integers: 200 and public, since the scan read only strings, while CKAN stores
each as its digits. Every scalar CKAN keeps as text is read as its digits now, everywhere texts
are read; and the decision of the write is the one stored (an anonymous reader gets 404 right
after the save, not after the next one). A user's, an organisation's or a group's
``image_url`` (user_show's image_display_url) is read like their other texts (409, zh/en)."""
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

ID = int(valid_id("44190019781105234"))       # 441900197811052343
MOBILE = 15012345678
PICTURE = "http://127.0.0.1:18042/440106198503120015_13800138000.png"


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "admin"}])
    return {"editor": editor, "org": org, "token": api_token(editor)}


def findings(pkg_id: str) -> set[tuple[str, str]]:
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg_id})
    return {(f["column"], f["detector"]) for f in (state.get("metadata") or {}).get("findings") or []}


def _post(gd_app: Any, world: dict[str, Any], action: str, body: dict[str, Any], lang: str = "zh-CN") -> Any:
    return gd_app.post(f"/api/3/action/{action}", json=body, status=None,
                       headers={"Authorization": world["token"], "Accept-Language": lang})


def _dataset(world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    from safety_support import dataset_dict
    return dataset_dict(world["org"]["id"], private=False, **fields)


@pytest.mark.parametrize(("fields", "found"), [
    ({"title": MOBILE}, ("title", "mobile")),
    ({"notes": ID}, ("notes", "resident_id")),
    ({"author": MOBILE}, ("author", "mobile")),
    ({"version": ID}, ("version", "resident_id")),
    ({"extras": [{"key": "备注", "value": ID}]}, ("备注", "resident_id")),
    ({"extras": [{"key": f"联系{MOBILE}", "value": "值班"}]}, ("extras.key", "mobile")),
    ({"data_items": [{"name": "序号", "type": "string", "description": ID}]}, ("data_items.description", "resident_id")),
    ({"resources": [{"url": "https://www.gd.gov.cn/a.csv", "name": "表", "format": "CSV", "description": MOBILE}]},
     ("resources.description", "mobile")),
])
def test_a_number_in_a_text_holds_the_dataset_at_once(gd_app: Any, world: dict[str, Any],
                                                       fields: dict[str, Any], found: tuple[str, str]) -> None:
    resp = _post(gd_app, world, "package_create", _dataset(world, **fields))
    assert resp.status_code == 200, resp.json
    pkg_id = resp.json["result"]["id"]
    assert resp.json["result"]["private"] is True
    assert not anonymous_sees(pkg_id)
    assert gd_app.get(f"/api/3/action/package_show?id={pkg_id}", status=None).status_code in (403, 404)
    assert gd_app.get(f"/dataset/{pkg_id}", status=None).status_code == 404
    assert found in findings(pkg_id)


def test_a_patch_of_a_public_dataset_with_numbers_holds_it(gd_app: Any, world: dict[str, Any]) -> None:
    pkg = create(world["org"]["id"], user=world["editor"])
    assert anonymous_sees(pkg["id"])
    resp = _post(gd_app, world, "package_patch", {"id": pkg["id"], "notes": ID, "author": MOBILE})
    assert resp.status_code == 200 and resp.json["result"]["private"] is True
    assert not anonymous_sees(pkg["id"])
    assert str(ID) not in gd_app.get("/feeds/dataset.atom").text
    assert {("notes", "resident_id"), ("author", "mobile")} <= findings(pkg["id"])


def test_ordinary_numbers_stay_public(gd_app: Any, world: dict[str, Any]) -> None:
    resp = _post(gd_app, world, "package_create", _dataset(
        world, version=2024, author=12345, extras=[{"key": "年度", "value": 2024}],
        data_items=[{"name": "人口", "type": "decimal", "description": 1.5}]))
    assert resp.status_code == 200 and resp.json["result"]["private"] is False
    assert anonymous_sees(resp.json["result"]["id"])


def test_the_stored_text_decides_when_the_written_one_did_not(world: dict[str, Any],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever makes the text read at the write differ from the text stored (a validator that
    turns a value into text), the stored one decides, in the same write: never "hold listed,
    still public until the next save"."""
    from ckanext.guangdong.safety import gate
    real = gate.metadata_scan
    calls: list[int] = []

    def blind_first(pkg: Any) -> Any:  # the write's own read sees nothing
        calls.append(1)
        return ([], "") if len(calls) == 1 else real(pkg)

    monkeypatch.setattr(gate, "metadata_scan", blind_first)
    pkg = tk.get_action("package_create")(as_user(world["editor"]), _dataset(world, notes=f"身份证 {ID}"))
    monkeypatch.setattr(gate, "metadata_scan", real)
    assert len(calls) >= 2
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
    assert "metadata" in state["holds"]


# --- texts refused where they are written -------------------------------------------------------
def test_numbers_in_organisation_group_and_user_texts_are_refused(gd_app: Any, world: dict[str, Any]) -> None:
    resp = _post(gd_app, world, "organization_patch", {"id": world["org"]["id"], "description": MOBILE})
    assert resp.status_code == 409 and "description" in resp.json["error"], resp.json
    with pytest.raises(tk.ValidationError):
        tk.get_action("organization_patch")(as_user(make_sysadmin()), {
            "id": world["org"]["id"], "extras": [{"key": "duty", "value": MOBILE}]})
    with pytest.raises(tk.ValidationError):
        tk.get_action("group_create")(as_user(make_sysadmin()), {
            "name": f"g-{uuid.uuid4().hex[:8]}", "title": ID})
    user = make_user()
    resp = gd_app.post("/api/3/action/user_patch", status=None, headers={"Authorization": api_token(user)},
                       json={"id": user["id"], "about": ID})
    assert resp.status_code == 409 and "about" in resp.json["error"], resp.json


def test_numbers_in_a_view_and_a_columns_info_are_refused(gd_app: Any) -> None:
    table = editor_table()
    headers = {"Authorization": api_token(table["editor"])}
    resp = gd_app.post("/api/3/action/resource_view_create", status=None, headers=headers,
                       json={"resource_id": table["rid"], "view_type": "datatables_view", "title": MOBILE})
    assert resp.status_code == 409 and "title" in resp.json["error"], resp.json
    resp = gd_app.post("/api/3/action/datastore_create", status=None, headers=headers,
                       json={"resource_id": table["rid"], "force": True,
                             "fields": [{"id": "城市", "type": "text", "info": {"notes": ID}}]})
    assert resp.status_code == 409, resp.json
    found = gd_app.get(f"/api/3/action/datastore_search?resource_id={table['rid']}").json["result"]
    assert str(ID) not in str(found["fields"])


def test_an_applications_number_holds_it(world: dict[str, Any]) -> None:
    used = create(world["org"]["id"], user=world["editor"])
    app = tk.get_action("package_create")(as_user(world["editor"]), {
        "type": "application", "title": "粤游导览", "notes": "景区导览小程序。",
        "owner_org": world["org"]["id"], "developer_name": MOBILE, "developer_type": "organization",
        "application_kind": "mini_program", "url": "https://example.com/app", "theme": ["文化休闲"],
        "private": False, "used_datasets": [used["name"]]})
    assert show(app["id"])["private"] is True and not anonymous_sees(app["id"])
    assert ("developer_name", "mobile") in findings(app["id"])


# --- pictures (M2) --------------------------------------------------------------------------------
@pytest.mark.parametrize("link", [PICTURE, PICTURE.replace("4401", "%34%34%30%31")])
def test_a_users_picture_link_with_personal_data_is_refused(gd_app: Any, link: str) -> None:
    user = make_user()
    token = api_token(user)
    for lang, word in (("zh-CN", "图片链接"), ("en", "image_url")):
        resp = gd_app.post("/api/3/action/user_patch", status=None,
                           headers={"Authorization": token, "Accept-Language": lang},
                           json={"id": user["id"], "image_url": link})
        assert resp.status_code == 409, (lang, resp.status_code)
        assert word in str(resp.json["error"]["image_url"]), (lang, resp.json)
    shown = gd_app.get(f"/api/3/action/user_show?id={user['id']}").json["result"]
    assert "440106198503120015" not in str(shown) and "13800138000" not in str(shown)
    resp = gd_app.post("/api/3/action/user_patch", status=None, headers={"Authorization": token},
                       json={"id": user["id"], "image_url": "https://www.gd.gov.cn/img/2024-05-01-avatar.png"})
    assert resp.status_code == 200, resp.json


def test_an_organisations_and_groups_picture_link_with_personal_data_is_refused(
        gd_app: Any, world: dict[str, Any]) -> None:
    resp = _post(gd_app, world, "organization_patch", {"id": world["org"]["id"], "image_url": PICTURE}, "en")
    assert resp.status_code == 409 and "image_url" in resp.json["error"], resp.json
    shown = gd_app.get(f"/api/3/action/organization_show?id={world['org']['id']}").json["result"]
    assert "13800138000" not in str(shown)
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("group_create")(as_user(make_sysadmin()), {
            "name": f"g-{uuid.uuid4().hex[:8]}", "title": "民生", "image_url": PICTURE})
    assert "image_url" in refused.value.error_dict
